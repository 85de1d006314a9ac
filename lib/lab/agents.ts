/**
 * The programs the lab runs inside the namespaces: a listener on each destination (TCP accept, UDP echo) and a
 * prober on each source. Each is a self-contained function run with `node -e`, so the same code runs from the
 * TypeScript sources (tests) and from dist/ (the CLI) without a file to locate.
 */
import { ChildProcess } from 'child_process';
import * as readline from 'readline';
import { spawnInNetns } from './shell';

/** One connection attempt. */
export interface ProbeTarget {
  readonly address: string;
  readonly port: number;
  readonly protocol: 'TCP' | 'UDP';
}

/* eslint-disable @typescript-eslint/no-explicit-any */
// Runs inside the destination's namespace: accept TCP, echo UDP, on every IPv4 and IPv6 address.
function listenerMain(ports: { tcp: number[]; udp: number[] }): void {
  const net = require('net');
  const dgram = require('dgram');
  let pending = ports.tcp.length + ports.udp.length * 2;
  const bound = () => {
    pending -= 1;
    if (pending === 0) process.stdout.write('ready\n');
  };
  if (pending === 0) process.stdout.write('ready\n');
  for (const port of ports.tcp) {
    const server = net.createServer((socket: any) => {
      socket.on('error', () => undefined);
      socket.end('ok');
    });
    server.listen({ port, host: '::', ipv6Only: false }, bound);
  }
  for (const port of ports.udp) {
    for (const type of ['udp4', 'udp6']) {
      const socket = dgram.createSocket({ type, ipv6Only: type === 'udp6' });
      socket.on('message', (message: any, peer: any) => socket.send(message, peer.port, peer.address));
      socket.bind(port, bound);
    }
  }
}

// Runs inside the source's namespace for the whole session: reads one job a line on stdin, tries every target at
// once, and answers each job with one line `{"id":N,"made":[true,false,...]}`.
function proberMain(): void {
  const net = require('net');
  const dgram = require('dgram');
  const readline = require('readline');
  const attempt = (t: { address: string; port: number; protocol: string }, timeoutMs: number) => new Promise<boolean>((resolve) => {
    let done = false;
    const finish = (made: boolean, close: () => void) => {
      if (done) return;
      done = true;
      close();
      resolve(made);
    };
    // The timer only decides one loop turn later (setImmediate runs after the poll phase), so a connection or echo
    // that arrived while this process waited for a CPU still counts: on a loaded machine timers and I/O fall due
    // together, and timers run first.
    const expire = (close: () => void) => setImmediate(() => finish(false, close));
    if (t.protocol === 'TCP') {
      const socket = net.connect({ host: t.address, port: t.port });
      const timer = setTimeout(() => expire(() => socket.destroy()), timeoutMs);
      socket.on('connect', () => finish(true, () => { clearTimeout(timer); socket.destroy(); }));
      socket.on('error', () => finish(false, () => { clearTimeout(timer); socket.destroy(); }));
    } else {
      const socket = dgram.createSocket(t.address.includes(':') ? 'udp6' : 'udp4');
      const timer = setTimeout(() => expire(() => socket.close()), timeoutMs);
      // A UDP probe counts as made only when the echo comes back: request and reply both crossed the programs.
      socket.on('message', () => finish(true, () => { clearTimeout(timer); socket.close(); }));
      socket.on('error', () => finish(false, () => { clearTimeout(timer); socket.close(); }));
      socket.send('eks-netpol-probe', t.port, t.address);
    }
  });
  readline.createInterface({ input: process.stdin }).on('line', (line: string) => {
    const job = JSON.parse(line);
    Promise.all(job.targets.map((t: { address: string; port: number; protocol: string }) => attempt(t, job.timeoutMs)))
      .then((made) => process.stdout.write(`${JSON.stringify({ id: job.id, made })}\n`));
  });
}
/* eslint-enable @typescript-eslint/no-explicit-any */

function script(main: (arg: never) => void, argument: unknown): string {
  return `(${main.toString()})(${JSON.stringify(argument)})`;
}

/** Starts a listener in a namespace and resolves once every port is bound. */
export function startListener(namespace: string, ports: { tcp: number[]; udp: number[] }): Promise<ChildProcess> {
  const child = spawnInNetns(namespace, process.execPath, ['-e', script(listenerMain, ports)]);
  return new Promise((resolve, reject) => {
    let stderr = '';
    child.stderr!.on('data', (d) => { stderr += d; });
    child.stdout!.on('data', (d) => {
      if (String(d).includes('ready')) resolve(child);
    });
    child.on('exit', (code) => reject(new Error(`the listener in ${namespace} exited (${code}) before it was ready: ${stderr.trim()}`)));
  });
}

/** A prober living in one namespace for a whole lab session; `probe` may be called any number of times. */
export class Prober {
  private readonly child: ChildProcess;
  private readonly waiting = new Map<number, { resolve: (made: boolean[]) => void; reject: (error: Error) => void }>();
  private nextId = 0;
  private stderr = '';
  private failure?: Error;

  constructor(readonly namespace: string) {
    this.child = spawnInNetns(namespace, process.execPath, ['-e', `(${proberMain.toString()})()`]);
    readline.createInterface({ input: this.child.stdout! }).on('line', (line) => {
      const answer = JSON.parse(line) as { id: number; made: boolean[] };
      this.waiting.get(answer.id)?.resolve(answer.made);
      this.waiting.delete(answer.id);
    });
    this.child.stderr!.on('data', (d) => { this.stderr += d; });
    this.child.on('exit', (code) => {
      this.failure = new Error(`the prober in ${namespace} exited (${code}): ${this.stderr.trim() || 'no message'}`);
      for (const waiter of this.waiting.values()) waiter.reject(this.failure);
      this.waiting.clear();
    });
  }

  get pid(): number {
    return this.child.pid!;
  }

  /** Tries every target at once; resolves with whether each connection was made. */
  probe(targets: readonly ProbeTarget[], timeoutMs: number): Promise<boolean[]> {
    if (this.failure) return Promise.reject(this.failure);
    if (targets.length === 0) return Promise.resolve([]);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      this.child.stdin!.write(`${JSON.stringify({ id, targets, timeoutMs })}\n`);
    });
  }

  close(): void {
    this.child.kill('SIGKILL');
  }
}

/** Probes every target from a namespace once, with a prober of its own. */
export async function probeFrom(namespace: string, targets: readonly ProbeTarget[], timeoutMs: number): Promise<boolean[]> {
  const prober = new Prober(namespace);
  try {
    return await prober.probe(targets, timeoutMs);
  } finally {
    prober.close();
  }
}
