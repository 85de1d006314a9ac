/**
 * The bridge to bpf/tests: builds the packet-test runner (`make -C bpf tests`), runs it, and parses its line
 * protocol. Shared by `npm run bench:dataplane` (bench/dataplane/packet-bench.ts) and test/bpf/packet.test.ts.
 */
import { execFileSync, spawnSync } from 'child_process';
import { findUpwards } from '../../lib/package-files';
import * as fs from 'fs';
import * as path from 'path';

/** One packet-test case as the runner reported it. */
export interface PacketCase {
  readonly name: string;
  readonly passed: boolean;
  /** The first failed assertion (file:line and expression), for failed cases. */
  readonly message?: string;
}

/** The runner's full report of a test run. */
export interface PacketTestReport {
  readonly cases: readonly PacketCase[];
  /** The runner's own SUMMARY line, or undefined when it never printed one (it crashed). */
  readonly summary?: { readonly cases: number; readonly passed: number; readonly failed: number };
  readonly exitCode: number | null;
  readonly stderr: string;
}

/** One benchmark figure (nanoseconds per packet, BPF_PROG_TEST_RUN, harness included). */
export interface PacketBenchFigure {
  /** `baseline` (an empty program) or `netpol`. */
  readonly program: string;
  /** `empty`, `empty-single-run`, `syn-denied`, `syn-allowed`, `syn-new-flow` or `ct-hit`. */
  readonly case: string;
  /** Where the prefixes live: `hosts` (hash), `cidrs` (LPM trie) or `none`. */
  readonly map: string;
  readonly prefixes: number;
  readonly medianNs: number;
  readonly minNs: number;
  readonly maxNs: number;
  readonly rounds: number;
  readonly repeat: number;
}

/** The directory holding bpf/Makefile, found upwards from this file (works from the sources and from dist/). */
export function repoRoot(from: string = __dirname): string {
  const makefile = findUpwards(path.join('bpf', 'Makefile'), from);
  if (!makefile) throw new Error(`bpf/Makefile not found above ${from}`);
  return path.dirname(path.dirname(makefile));
}

function hasCommand(command: string, args: string[]): boolean {
  return spawnSync(command, args, { stdio: 'ignore' }).status === 0;
}

/** Why the packet tests cannot run here, or undefined when they can (Linux, root, clang, bpftool, make). */
export function packetRunnerUnavailable(): string | undefined {
  if (process.platform !== 'linux') return 'not Linux (BPF_PROG_TEST_RUN needs a Linux kernel)';
  if (process.getuid?.() !== 0) return 'not root (loading eBPF programs and creating a network namespace need root)';
  if (!hasCommand('clang', ['--version'])) return 'clang is missing (apt-get install clang llvm)';
  if (!hasCommand('bpftool', ['version'])) return 'bpftool is missing (apt-get install bpftool)';
  if (!hasCommand('make', ['--version'])) return 'make is missing (apt-get install make)';
  if (!fs.existsSync('/usr/include/bpf/libbpf.h')) return 'libbpf headers are missing (apt-get install libbpf-dev)';
  return undefined;
}

/** Builds the object, the baseline program and the runner; returns the paths. Throws with make's output on failure. */
export function buildPacketRunner(root: string = repoRoot()): { runner: string; object: string; baseline: string } {
  const bpf = path.join(root, 'bpf');
  try {
    execFileSync('make', ['-s', '-C', bpf, 'tests'], { stdio: 'pipe' });
  } catch (error) {
    const e = error as { stdout?: Buffer; stderr?: Buffer };
    throw new Error(`make -C bpf tests failed:\n${e.stdout?.toString() ?? ''}${e.stderr?.toString() ?? ''}`);
  }
  const build = path.join(bpf, 'build');
  return {
    runner: path.join(build, 'netpol-test'),
    object: path.join(build, 'netpol.bpf.o'),
    baseline: path.join(build, 'baseline.bpf.o'),
  };
}

/** Parses the runner's PASS/FAIL/SUMMARY lines (`FAIL <name><TAB><message>`: case names may contain colons). */
export function parsePacketTestOutput(stdout: string): Pick<PacketTestReport, 'cases' | 'summary'> {
  const cases: PacketCase[] = [];
  let summary: PacketTestReport['summary'];
  for (const line of stdout.split('\n')) {
    const pass = /^PASS (.+)$/.exec(line);
    const fail = /^FAIL ([^\t]+)\t(.*)$/.exec(line);
    const sum = /^SUMMARY cases=(\d+) passed=(\d+) failed=(\d+)$/.exec(line);
    if (pass) cases.push({ name: pass[1], passed: true });
    else if (fail) cases.push({ name: fail[1], passed: false, message: fail[2] });
    else if (sum) summary = { cases: Number(sum[1]), passed: Number(sum[2]), failed: Number(sum[3]) };
  }
  return { cases, summary };
}

/**
 * Builds and runs every packet test (root). With `selftest`, runs instead the runner's three cases that must fail
 * (no check, no assertion, a false assertion): the harness's own test.
 */
export function runPacketTests(root: string = repoRoot(), options: { selftest?: boolean } = {}): PacketTestReport {
  const { runner, object } = buildPacketRunner(root);
  const args = ['--object', object, ...(options.selftest ? ['--selftest'] : [])];
  const run = spawnSync(runner, args, { encoding: 'utf8', timeout: 120_000 });
  return { ...parsePacketTestOutput(run.stdout ?? ''), exitCode: run.status, stderr: run.stderr ?? '' };
}

/** Parses the runner's BENCH lines. */
export function parsePacketBenchOutput(stdout: string): PacketBenchFigure[] {
  const figures: PacketBenchFigure[] = [];
  for (const line of stdout.split('\n')) {
    if (!line.startsWith('BENCH ')) continue;
    const fields = new Map(line.slice(6).split(' ').map((kv) => kv.split('=') as [string, string]));
    figures.push({
      program: fields.get('program') ?? '',
      case: fields.get('case') ?? '',
      map: fields.get('map') ?? '',
      prefixes: Number(fields.get('prefixes')),
      medianNs: Number(fields.get('median_ns')),
      minNs: Number(fields.get('min_ns')),
      maxNs: Number(fields.get('max_ns')),
      rounds: Number(fields.get('rounds')),
      repeat: Number(fields.get('repeat')),
    });
  }
  return figures;
}
