import * as path from 'path';
import { loadManifests } from '../manifests';
import { formatProblem } from '../model/problems';
import { ClusterState } from '../model/types';
import { CliIO, EXIT } from './io';

/** Paths are relative to the command's working directory, which a test may set apart from the process's. */
export function inputPath(io: CliIO, given: string): string {
  if (given === '-' || path.isAbsolute(given) || path.resolve(io.cwd) === process.cwd()) return given;
  return path.join(io.cwd, given);
}

/**
 * Loads manifests for a command. On invalid input prints every problem (`file:line: object: field: message. Fix:
 * ...`) and a count line to stderr and returns EXIT.INVALID; otherwise returns the cluster.
 */
export function loadOrReport(paths: readonly string[], namespace: string, io: CliIO, command = 'reach'): ClusterState | number {
  const { cluster, problems } = loadManifests(paths.map((p) => inputPath(io, p)), { namespace, readStdin: io.readStdin });
  if (problems.length === 0) return cluster;
  for (const problem of problems) io.stderr.write(`${formatProblem(problem)}\n`);
  const count = problems.length;
  io.stderr.write(`eks-netpol ${command}: ${count} ${count === 1 ? 'problem' : 'problems'} in the input; nothing was probed.\n`);
  return EXIT.INVALID;
}
