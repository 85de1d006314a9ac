/**
 * Runs the data plane for the lab's pods inside the node namespace, where their host-side veths live. The work
 * happens in a child process entered into that namespace with nsenter (interface names and indexes are per
 * namespace); it runs the compiled JavaScript in dist/, which `npm run build` produces.
 */
import * as fs from 'fs';
import * as path from 'path';
import { ClusterState } from '../model/types';
import { ChildProcess } from 'child_process';
import * as readline from 'readline';
import { spawnInNetns } from './shell';
import { Topology } from './topology';

/** What the enforcer child is asked to do. */
export interface EnforcementJob {
  readonly objectPath: string;
  readonly pinDir: string;
  readonly cluster: ClusterState;
  readonly pods: readonly { id: string; ifname: string; ips: readonly string[] }[];
  readonly mode: 'standard' | 'strict';
  /** The node namespace's own addresses (see nodeAddress in topology.ts): their traffic to pods always passes. */
  readonly nodeAddresses?: readonly string[];
  /**
   * Program through a NodeDataplane kept for the whole session (the agent's path: only the pods a change concerns are
   * recompiled, the maps are not read back), instead of enforce/reprogram.
   */
  readonly incremental?: boolean;
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

/** Jobs cross the process boundary as JSON; CIDRs hold bigints, which JSON cannot, so they travel tagged. */
export function serializeJob(job: EnforcementJob): string {
  return JSON.stringify(job, (_key, value) => (typeof value === 'bigint' ? { $bigint: value.toString() } : value));
}

export function reviveJob(line: string): EnforcementJob {
  return JSON.parse(line, (_key, value) =>
    (value && typeof value === 'object' && typeof value.$bigint === 'string' ? BigInt(value.$bigint) : value));
}

/** The enforcer child of one lab session, living in the node namespace. */
export class Enforcer {
  private readonly child: ChildProcess;
  private readonly waiting: { resolve: () => void; reject: (error: Error) => void }[] = [];
  private stderr = '';

  constructor(topology: Topology) {
    this.child = spawnInNetns(topology.node, process.execPath, [enforcerScript()]);
    readline.createInterface({ input: this.child.stdout! }).on('line', (line) => {
      const waiter = this.waiting.shift();
      if (line === 'ok') waiter?.resolve();
      else waiter?.reject(new Error(`programming the lab's node failed: ${line.replace(/^error /, '')}`));
    });
    this.child.stderr!.on('data', (d) => { this.stderr += d; });
    this.child.on('exit', (code) => {
      const failure = new Error(`the lab's enforcer exited (${code}): ${this.stderr.trim() || 'no message'}`);
      for (const waiter of this.waiting.splice(0)) waiter.reject(failure);
    });
  }

  get pid(): number {
    return this.child.pid!;
  }

  /** Attaches and writes every entry (the first job), or applies the diff to the new state (later jobs). */
  run(job: EnforcementJob): Promise<void> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ resolve, reject });
      this.child.stdin!.write(`${serializeJob(job)}\n`);
    });
  }

  close(): void {
    this.child.kill('SIGKILL');
  }
}
