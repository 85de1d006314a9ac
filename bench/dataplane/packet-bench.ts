/**
 * The per-packet part of `npm run bench:dataplane`: the cost of one packet through the tc programs, measured with
 * BPF_PROG_TEST_RUN (repeat = N, the kernel's mean per run, harness included) by bpf/tests (`--bench`), for a TCP
 * SYN with 1, 1,000 and 100,000 prefixes in the pod's map (host entries and CIDRs), denied, allowed and conntrack
 * hit, beside an empty program. Prints medians and the target (<= 100 ns at 100,000 prefixes).
 *
 * Standalone: `node dist/bench/dataplane/packet-bench.js [--quick]` (root; `npm run build:bpf` first is not needed,
 * the runner is built here).
 */
import { spawnSync } from 'child_process';
import { buildPacketRunner, packetRunnerUnavailable, parsePacketBenchOutput, PacketBenchFigure } from './packet-runner';

/** Options of {@link runPacketBench}. */
export interface PacketBenchOptions {
  /**
   * Fewer rounds and repeats (a smoke run, figures noisier).
   *
   * @default false
   */
  readonly quick?: boolean;
  /**
   * Where the report lines go.
   *
   * @default - process.stdout
   */
  readonly print?: (line: string) => void;
}

/** What {@link runPacketBench} measured; `skipped` says why nothing was (not root, no clang...). */
export interface PacketBenchResult {
  readonly figures: readonly PacketBenchFigure[];
  readonly skipped?: string;
  /** Whether every figure at 100,000 host prefixes is within the target. */
  readonly targetMet: boolean;
}

/** The target: nanoseconds per packet at 100,000 prefixes, harness included. */
export const PACKET_TARGET_NS = 100;
const TARGET_CASES = ['syn-denied', 'syn-allowed', 'ct-hit'];

const CASE_TITLES: Record<string, string> = {
  'syn-denied': 'SYN denied (no entry for the source)',
  'syn-allowed': 'SYN allowed (entry + port set; conntrack refreshed)',
  'syn-new-flow': 'SYN allowed, new flow each run (conntrack insert; single runs)',
  'ct-hit': 'ACK of an allowed flow (conntrack hit)',
};

function pad(text: string, width: number): string {
  return text.length >= width ? text : text + ' '.repeat(width - text.length);
}

/** The figures the target judges: host entries at 100,000 prefixes, denied, allowed and conntrack hit. */
export function targetFigures(figures: readonly PacketBenchFigure[]): PacketBenchFigure[] {
  return figures.filter((f) => f.program === 'netpol' && f.map === 'hosts' && f.prefixes === 100000
    && TARGET_CASES.includes(f.case));
}

/** Formats the figures as the table `npm run bench:dataplane` prints. */
export function formatPacketBench(figures: readonly PacketBenchFigure[]): string[] {
  const ns = (f: PacketBenchFigure | undefined) => (f ? `${f.medianNs.toFixed(0)} ns` : '-');
  const lines: string[] = [];
  const base = figures.find((f) => f.program === 'baseline' && f.case === 'empty');
  const single = figures.find((f) => f.program === 'baseline' && f.case === 'empty-single-run');
  lines.push('Per-packet cost through BPF_PROG_TEST_RUN (median ns per packet, harness included)');
  if (base) lines.push(`  empty program (floor): ${ns(base)} (repeat ${base.repeat}, ${base.rounds} rounds)`);
  if (single) lines.push(`  empty program, single runs (floor of the new-flow row): ${ns(single)}`);
  for (const map of ['hosts', 'cidrs']) {
    lines.push('');
    lines.push(map === 'hosts' ? '  prefixes as host entries (/32, hash map):' : '  prefixes as CIDRs (/24 and /28, LPM trie):');
    lines.push(`  ${pad('case', 66)}${['1', '1,000', '100,000'].map((h) => pad(h, 10)).join('')}`);
    for (const c of Object.keys(CASE_TITLES)) {
      const row = [1, 1000, 100000].map((n) => figures.find((f) => f.program === 'netpol' && f.case === c
        && f.map === map && f.prefixes === n));
      if (row.every((f) => !f)) continue;
      lines.push(`  ${pad(CASE_TITLES[c], 66)}${row.map((f) => pad(ns(f), 10)).join('')}`);
    }
  }
  const judged = targetFigures(figures);
  const worst = Math.max(...judged.map((f) => f.medianNs));
  const verdict = judged.length === TARGET_CASES.length && worst <= PACKET_TARGET_NS ? 'met' : 'MISSED';
  lines.push('');
  lines.push(`  target: <= ${PACKET_TARGET_NS} ns at 100,000 prefixes (host entries; denied, allowed, conntrack hit): `
    + `worst ${judged.length ? worst.toFixed(0) : '-'} ns -> ${verdict}`);
  return lines;
}

/** Builds the runner, runs the per-packet benchmark and prints its table. Needs root; otherwise reports why not. */
export function runPacketBench(options: PacketBenchOptions = {}): PacketBenchResult {
  const print = options.print ?? ((line: string) => process.stdout.write(`${line}\n`));
  const reason = packetRunnerUnavailable();
  if (reason) {
    print(`Per-packet benchmark SKIPPED: ${reason}`);
    return { figures: [], skipped: reason, targetMet: false };
  }
  const { runner, object, baseline } = buildPacketRunner();
  const args = ['--object', object, '--baseline', baseline, '--bench', ...(options.quick ? ['--quick'] : [])];
  const run = spawnSync(runner, args, { encoding: 'utf8', timeout: 600_000 });
  if (run.status !== 0) {
    throw new Error(`bpf/build/netpol-test --bench failed (exit ${run.status}):\n${run.stderr}`);
  }
  const figures = parsePacketBenchOutput(run.stdout);
  for (const line of formatPacketBench(figures)) print(line);
  const judged = targetFigures(figures);
  return { figures, targetMet: judged.length === TARGET_CASES.length && judged.every((f) => f.medianNs <= PACKET_TARGET_NS) };
}

if (require.main === module) {
  runPacketBench({ quick: process.argv.includes('--quick') });
}
