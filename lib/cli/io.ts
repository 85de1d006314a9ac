/** What a command may touch: its streams and working directory. Tests pass their own. */
export interface CliIO {
  readonly stdout: { write(text: string): unknown; isTTY?: boolean };
  readonly stderr: { write(text: string): unknown; isTTY?: boolean };
  /** Reads all of standard input (for the `-` path). */
  readonly readStdin: () => string;
  readonly cwd: string;
  readonly env: Readonly<Record<string, string | undefined>>;
}

/** Exit codes shared by every command. */
export const EXIT = {
  /** Success (for lint: no errors; for lab: no mismatches). */
  OK: 0,
  /** The command ran and found a failure (lint errors, lab mismatches, doctor failures) or hit an internal error. */
  FAILED: 1,
  /** Invalid input or usage: every problem is on stderr. */
  INVALID: 2,
} as const;

/** A subcommand: parses its own arguments, writes results to stdout and messages to stderr, returns the exit code. */
export type Command = (argv: readonly string[], io: CliIO) => Promise<number>;

/** Thrown for bad usage; the dispatcher prints the message and the command's help hint, then exits 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** The process's own streams. */
export function processIO(): CliIO {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    readStdin: () => require('fs').readFileSync(0, 'utf8'),
    cwd: process.cwd(),
    env: process.env,
  };
}
