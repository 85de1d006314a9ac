import { CliIO } from '../../lib/cli/io';
import { main } from '../../lib/cli/main';

/** What a fake terminal offers a command. */
export interface FakeIOOptions {
  readonly stdin?: string;
  readonly isTTY?: boolean;
  readonly env?: Record<string, string | undefined>;
  readonly cwd?: string;
}

/** A CliIO that records what is written, for in-process runs of the CLI. */
export function fakeIO(options: FakeIOOptions = {}): { io: CliIO; stdout: () => string; stderr: () => string } {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIO = {
    stdout: { write: (text: string) => out.push(text) > 0, isTTY: options.isTTY ?? false },
    stderr: { write: (text: string) => err.push(text) > 0, isTTY: false },
    readStdin: () => {
      if (options.stdin === undefined) throw new Error('the test gave no standard input');
      return options.stdin;
    },
    cwd: options.cwd ?? process.cwd(),
    env: options.env ?? {},
  };
  return { io, stdout: () => out.join(''), stderr: () => err.join('') };
}

/** Runs `eks-netpol ARGV...` in this process. */
export async function runCli(argv: readonly string[], options: FakeIOOptions = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  const fake = fakeIO(options);
  const code = await main(argv, fake.io);
  return { code, stdout: fake.stdout(), stderr: fake.stderr() };
}
