/** Runs the eks-netpol CLI in-process with captured streams, from the repository root. */
import * as path from 'path';
import { runCli } from '../cli/fake-io';

export const ROOT = path.join(__dirname, '..', '..');

export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export function runLint(argv: readonly string[], stdin = ''): Promise<CliRun> {
  return runCli(['lint', ...argv], { stdin, cwd: ROOT });
}
