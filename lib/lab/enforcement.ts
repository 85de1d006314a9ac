/**
 * Runs the data plane for the lab's pods inside the node namespace, where their host-side veths live. The work
 * happens in a child process entered into that namespace with nsenter (interface names and indexes are per
 * namespace); it runs the compiled JavaScript in dist/, which `npm run build` produces.
 */
import * as fs from 'fs';
import * as path from 'path';
import { ClusterState } from '../model/types';
import { LabCommandError, run } from './shell';
import { Topology } from './topology';

/** What the enforcer child is asked to do. */
export interface EnforcementJob {
  readonly objectPath: string;
  readonly pinDir: string;
  readonly cluster: ClusterState;
  readonly pods: readonly { id: string; ifname: string; ips: readonly string[] }[];
  readonly mode: 'standard' | 'strict';
  /** False for the first job of a session (attach, then write every entry); true afterwards (apply the diff). */
  readonly reprogram: boolean;
}

/** The compiled enforcer entry point, found from the sources (tests) or from dist/ (the CLI). */
export function enforcerScript(): string {
  const candidates = [
    path.join(__dirname, 'enforcer-main.js'),
    path.join(__dirname, '..', '..', 'dist', 'lib', 'lab', 'enforcer-main.js'),
  ];
  const found = candidates.find((c) => fs.existsSync(c));
  if (!found) throw new Error('the compiled lab enforcer is missing: run `npm run build` first.');
  return found;
}

/** Programs the node: attaches the programs to every pod's veth and writes the map entries for `job.cluster`. */
export function enforce(topology: Topology, job: EnforcementJob): void {
  const input = JSON.stringify(job, (_key, value) => (typeof value === 'bigint' ? { $bigint: value.toString() } : value));
  try {
    run('nsenter', [`--net=/run/netns/${topology.node}`, process.execPath, enforcerScript()], input);
  } catch (error) {
    if (error instanceof LabCommandError) throw new Error(`programming the lab's node failed: ${error.output.trim()}`);
    throw error;
  }
}
