import { execFileSync, spawn, ChildProcess } from 'child_process';

/** Raised when a system command the lab needs fails: names the command and what it printed. */
export class LabCommandError extends Error {
  constructor(readonly command: readonly string[], readonly output: string) {
    super(`"${command.join(' ')}" failed: ${output.trim() || 'no output'}`);
    this.name = 'LabCommandError';
  }
}

/** Runs a command to completion and returns its stdout; throws LabCommandError with its stderr on failure. */
export function run(command: string, args: readonly string[], input?: string): string {
  try {
    return execFileSync(command, args, { encoding: 'utf8', input, stdio: ['pipe', 'pipe', 'pipe'] });
  } catch (error) {
    const e = error as { stderr?: string; stdout?: string; message: string };
    throw new LabCommandError([command, ...args], e.stderr || e.stdout || e.message);
  }
}

/** Runs `ip` with the given arguments. */
export function ip(...args: string[]): string {
  return run('ip', args);
}

/** Runs many `ip` commands in one process (`ip -batch`); each line is one command's arguments. */
export function ipBatch(lines: readonly string[], namespace?: string): void {
  if (lines.length === 0) return;
  run('ip', [...(namespace ? ['-n', namespace] : []), '-batch', '-'], `${lines.join('\n')}\n`);
}

/** The path `nsenter --net=` takes for a named network namespace. */
export function netnsPath(name: string): string {
  return `/run/netns/${name}`;
}

/**
 * Starts a process inside a network namespace. nsenter (not `ip netns exec`) keeps the host's /sys, so bpffs pins
 * stay visible to it.
 */
export function spawnInNetns(namespace: string, command: string, args: readonly string[]): ChildProcess {
  return spawn('nsenter', [`--net=${netnsPath(namespace)}`, command, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
}

/** Runs a command inside a network namespace to completion. */
export function runInNetns(namespace: string, command: string, args: readonly string[], input?: string): string {
  return run('nsenter', [`--net=${netnsPath(namespace)}`, command, ...args], input);
}
