import { CliIO } from '../io';

/** A writable the formatters write to: a process stream or a test's fake. */
type Out = CliIO['stdout'] & {
  once?: (event: string, listener: (...args: unknown[]) => void) => unknown;
  on?: (event: string, listener: (...args: unknown[]) => void) => unknown;
};

/** Bytes gathered before one write to the stream: large enough to keep system calls rare, small enough to stream. */
const CHUNK = 1 << 16;

/**
 * Buffers lines into large chunks and honours the stream's back-pressure, so that an output of a hundred million
 * probes streams in constant memory instead of piling up in the stream's queue.
 *
 * Formatters call `push` for each piece and `await flush()` whenever `push` returns true. A reader that goes away
 * (`eks-netpol reach | head`) closes the sink: `closed` turns true and later writes are dropped.
 */
export class Sink {
  private parts: string[] = [];
  private size = 0;
  private broken = false;
  /** Resolves a pending wait for 'drain' when the stream fails instead. */
  private wake?: () => void;

  constructor(private readonly out: Out) {
    // EPIPE and friends: the reader is gone; stop writing rather than crash with a stack trace.
    out.on?.('error', () => {
      this.broken = true;
      this.wake?.();
    });
  }

  /** True once the reader has gone away. */
  get closed(): boolean {
    return this.broken;
  }

  /** Queues text; returns true when the caller should `await flush()` before pushing more. */
  push(text: string): boolean {
    this.parts.push(text);
    this.size += text.length;
    return this.size >= CHUNK;
  }

  /** Writes what is queued and waits until the stream can take more. */
  async flush(): Promise<void> {
    if (this.size === 0) return;
    const text = this.parts.join('');
    this.parts = [];
    this.size = 0;
    if (this.broken) return;
    const accepted = this.out.write(text);
    if (accepted === false && this.out.once) {
      await new Promise<void>((resolve) => {
        this.wake = resolve;
        this.out.once!('drain', () => resolve());
      });
      this.wake = undefined;
    }
  }
}
