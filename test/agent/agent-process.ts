/**
 * Runs the compiled agent (dist/) as a process inside the lab's node namespace, as a node runs it, and follows its
 * event lines.
 */
import { ChildProcess, spawn } from 'child_process';
import * as path from 'path';

export const CLI = path.join(__dirname, '..', '..', 'dist', 'lib', 'cli', 'main.js');

export interface AgentEvent {
  readonly event: string;
  readonly [field: string]: unknown;
}

export class AgentProcess {
  readonly child: ChildProcess;
  readonly events: AgentEvent[] = [];
  stderr = '';
  private readonly listeners: Array<() => void> = [];

  constructor(nodeNamespace: string, args: readonly string[]) {
    this.child = spawn('nsenter', [`--net=/run/netns/${nodeNamespace}`, process.execPath, CLI, 'agent', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let buffer = '';
    this.child.stdout!.on('data', (d) => {
      buffer += d;
      let newline: number;
      while ((newline = buffer.indexOf('\n')) >= 0) {
        this.events.push(JSON.parse(buffer.slice(0, newline)));
        buffer = buffer.slice(newline + 1);
        for (const listener of this.listeners.splice(0)) listener();
      }
    });
    this.child.stderr!.on('data', (d) => { this.stderr += d; });
  }

  get pid(): number {
    return this.child.pid!;
  }

  /** Resolves with the first event (from index `from`) that matches, or rejects after `timeoutMs`. */
  async waitFor(match: (e: AgentEvent) => boolean, from = 0, timeoutMs = 20_000): Promise<AgentEvent> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.events.slice(from).find(match);
      if (found) return found;
      if (Date.now() > deadline || this.child.exitCode !== null) {
        throw new Error(`no matching agent event within ${timeoutMs} ms (exit ${this.child.exitCode}); events: ${JSON.stringify(this.events)}; stderr: ${this.stderr}`);
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 100);
        this.listeners.push(() => { clearTimeout(timer); resolve(); });
      });
    }
  }

  /** Waits for a `policy programmed` event after index `from`. */
  programmed(from = 0): Promise<AgentEvent> {
    return this.waitFor((e) => e.event === 'policy programmed', from);
  }

  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<number | null> {
    if (this.child.exitCode !== null) return this.child.exitCode;
    const exited = new Promise<number | null>((resolve) => this.child.once('exit', (code) => resolve(code)));
    this.child.kill(signal);
    return exited;
  }
}
