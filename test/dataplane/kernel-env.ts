/**
 * Shared setup of the kernel tests: whether they can run here (root, the native binding, clang), and helpers that
 * create and always remove what the tests make (pin directories, network namespaces, compiled fixtures).
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { nativeUnavailableReason } from '../../lib/dataplane/native';
import { kernelUnavailable } from '../support/kernel-env';

/** Why the data-plane kernel tests cannot run here (the shared checks, then the binding and clang), or undefined. */
export function kernelSkipReason(): string | undefined {
  const shared = kernelUnavailable();
  if (shared) return shared;
  const native = nativeUnavailableReason();
  if (native) return native;
  try {
    execFileSync('clang', ['--version'], { stdio: 'pipe' });
  } catch {
    return 'clang is not installed (apt-get install clang llvm, or bash .ci/setup)';
  }
  return undefined;
}

/** `describe` when the kernel tests can run, else a skip that prints why, loudly (and fails in CI). */
export function describeKernel(name: string, body: () => void): void {
  const reason = kernelSkipReason();
  if (reason) {
    process.stderr.write(`\n*** SKIPPING kernel tests "${name}": ${reason} ***\n\n`);
    if (process.env.CI) throw new Error(`kernel tests must run in CI, but: ${reason}`);
  }
  (reason ? describe.skip : describe)(name, body);
}

/** Compiles a fixture .bpf.c to an object in a fresh temporary directory. */
export function compileFixture(name: string, outDir: string): string {
  const source = path.join(__dirname, 'fixtures', name);
  const out = path.join(outDir, name.replace(/\.c$/, '.o'));
  const arch = `/usr/include/${os.arch() === 'arm64' ? 'aarch64' : 'x86_64'}-linux-gnu`;
  execFileSync('clang', ['-O2', '-g', '-target', 'bpf', `-I${arch}`, '-c', source, '-o', out], { stdio: 'pipe' });
  return out;
}

/** A unique name for this test run (interfaces allow 15 characters). */
export function uniqueSuffix(): string {
  return `${process.pid.toString(36)}${Math.floor(Math.random() * 36 ** 3).toString(36)}`;
}

/** A fresh bpffs directory, with bpffs mounted first when it is not. */
export function makePinDir(): string {
  const mounted = fs.readFileSync('/proc/self/mounts', 'utf8').split('\n').some((l) => l.split(' ')[1] === '/sys/fs/bpf' && l.split(' ')[2] === 'bpf');
  if (!mounted) execFileSync('mount', ['-t', 'bpf', 'bpf', '/sys/fs/bpf']);
  const dir = `/sys/fs/bpf/enp-test-${uniqueSuffix()}`;
  fs.mkdirSync(dir);
  return dir;
}

/** A network namespace with a veth pair: `host` stays here, `peer` (named eth0) goes into the namespace. */
export interface VethLab {
  readonly netns: string;
  readonly host: string;
  readonly hostIp: string;
  readonly peerIp: string;
  /** Runs a command inside the namespace; returns true when it exits 0. */
  run(args: string[]): boolean;
  remove(): void;
}

function sh(args: string[]): void {
  execFileSync(args[0], args.slice(1), { stdio: 'pipe' });
}

/** Creates the namespace and veth pair with addresses 10.<a>.<b>.1 (host) and .2 (namespace) on a /30. */
export function makeVethLab(): VethLab {
  const suffix = uniqueSuffix();
  const netns = `enpt-${suffix}`;
  const host = `vh${suffix}`.slice(0, 15);
  const peer = `vp${suffix}`.slice(0, 15);
  const a = 200 + (process.pid % 50);
  const b = Math.floor(Math.random() * 63) * 4;
  const hostIp = `10.${a}.${b}.1`;
  const peerIp = `10.${a}.${b}.2`;
  const remove = () => {
    try { sh(['ip', 'link', 'del', host]); } catch { /* already gone with the namespace */ }
    try { sh(['ip', 'netns', 'del', netns]); } catch { /* never created */ }
  };
  try {
    sh(['ip', 'netns', 'add', netns]);
    sh(['ip', 'link', 'add', host, 'type', 'veth', 'peer', 'name', peer]);
    sh(['ip', 'link', 'set', peer, 'netns', netns]);
    sh(['ip', 'addr', 'add', `${hostIp}/30`, 'dev', host]);
    sh(['ip', 'link', 'set', host, 'up']);
    const inNs = ['nsenter', `--net=/run/netns/${netns}`];
    sh([...inNs, 'ip', 'link', 'set', peer, 'name', 'eth0']);
    sh([...inNs, 'ip', 'addr', 'add', `${peerIp}/30`, 'dev', 'eth0']);
    sh([...inNs, 'ip', 'link', 'set', 'eth0', 'up']);
    sh([...inNs, 'ip', 'link', 'set', 'lo', 'up']);
  } catch (error) {
    remove();
    throw error;
  }
  return {
    netns, host, hostIp, peerIp, remove,
    run: (args) => {
      try {
        execFileSync('nsenter', [`--net=/run/netns/${netns}`, ...args], { stdio: 'pipe', timeout: 10000 });
        return true;
      } catch {
        return false;
      }
    },
  };
}
