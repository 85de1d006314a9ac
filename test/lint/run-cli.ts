/** Runs the eks-netpol CLI in-process with captured streams, from the repository root. */
import * as path from 'path';
import { main } from '../../lib/cli/main';

export const ROOT = path.join(__dirname, '..', '..');

export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export async function runLint(argv: readonly string[], stdin = ''): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const code = await main(['lint', ...argv], {
    stdout: { write: (text: string) => { stdout += text; return true; } },
    stderr: { write: (text: string) => { stderr += text; return true; } },
    readStdin: () => stdin,
    cwd: ROOT,
    env: {},
  });
  return { code, stdout, stderr };
}
