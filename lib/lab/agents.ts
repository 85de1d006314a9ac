/**
 * The programs the lab runs inside the namespaces: a listener on each destination (TCP accept, UDP echo) and a
 * prober on each source. Each is a self-contained function run with `node -e`, so the same code runs from the
 * TypeScript sources (tests) and from dist/ (the CLI) without a file to locate.
 */
import { ChildProcess } from 'child_process';
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

// Runs inside the source's namespace: tries every target at once, prints one JSON array of booleans.
function proberMain(job: { targets: { address: string; port: number; protocol: string }[]; timeoutMs: number }): void {
  const net = require('net');
  const dgram = require('dgram');
  const attempt = (t: { address: string; port: number; protocol: string }) => new Promise<boolean>((resolve) => {
    let done = false;
    const finish = (made: boolean, close: () => void) => {
      if (done) return;
      done = true;
      close();
      resolve(made);
    };
    if (t.protocol === 'TCP') {
      const socket = net.connect({ host: t.address, port: t.port });
      const timer = setTimeout(() => finish(false, () => socket.destroy()), job.timeoutMs);
      socket.on('connect', () => finish(true, () => { clearTimeout(timer); socket.destroy(); }));
      socket.on('error', () => finish(false, () => { clearTimeout(timer); socket.destroy(); }));
    } else {
      const socket = dgram.createSocket(t.address.includes(':') ? 'udp6' : 'udp4');
      const timer = setTimeout(() => finish(false, () => socket.close()), job.timeoutMs);
      // A UDP probe counts as made only when the echo comes back: request and reply both crossed the programs.
      socket.on('message', () => finish(true, () => { clearTimeout(timer); socket.close(); }));
      socket.on('error', () => finish(false, () => { clearTimeout(timer); socket.close(); }));
      socket.send('eks-netpol-probe', t.port, t.address);
    }
  });
  Promise.all(job.targets.map(attempt)).then((results) => process.stdout.write(JSON.stringify(results)));
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

/** Probes every target from a namespace; resolves with whether each connection was made. */
export function probeFrom(namespace: string, targets: readonly ProbeTarget[], timeoutMs: number): Promise<boolean[]> {
  if (targets.length === 0) return Promise.resolve([]);
  const child = spawnInNetns(namespace, process.execPath, ['-e', script(proberMain, { targets, timeoutMs })]);
  return new Promise((resolve, reject) => {
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (d) => { stdout += d; });
    child.stderr!.on('data', (d) => { stderr += d; });
    child.on('exit', (code) => {
      try {
        resolve(JSON.parse(stdout));
      } catch {
        reject(new Error(`the prober in ${namespace} failed (exit ${code}): ${stderr.trim() || stdout.trim()}`));
      }
    });
  });
}
