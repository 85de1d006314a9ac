/**
 * `npm run bench:reach`: the full matrix (every ordered pair on every declared port) of synthetic clusters, measured
 * as whole `eks-netpol reach --output summary` processes and in-process through the library, beside the targets.
 *
 * Options: `--runs N` (default 5 for 1k, 3 for 10k), `--sizes 1k,10k`, `--profile` (writes a CPU profile of one CLI
 * run per size and prints its hottest functions).
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { generateCluster } from './generate';
import { hottestFunctions, timeByArea } from './profile';

interface Size {
  readonly label: string;
  readonly pods: number;
  readonly policies: number;
  readonly runs: number;
  readonly cliWallTarget: number;
  readonly cliRssTarget?: number;
  readonly libraryTarget?: number;
}

const SIZES: readonly Size[] = [
  { label: '1k', pods: 1_000, policies: 1_000, runs: 5, cliWallTarget: 1.0, libraryTarget: 0.3 },
  { label: '10k', pods: 10_000, policies: 5_000, runs: 3, cliWallTarget: 5.0, cliRssTarget: 1.5 * 1024 ** 3 },
];

const CLI = path.join(__dirname, '..', '..', 'lib', 'cli', 'main.js');
const TIME = '/usr/bin/time';

interface Summary {
  probes: number;
  allowed: number;
  denied: number;
}

interface LibraryFigures {
  load: number[];
  probe: number[];
  total: number[];
  /** CPU seconds (user + system) of each load+probe. */
  cpu: number[];
  summary: Summary;
  maxRss: number;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

function seconds(ns: bigint): number {
  return Number(ns) / 1e9;
}

/** Child mode: load and probe `file` `runs` times in this process; print the figures as JSON. */
function libraryMode(file: string, runs: number): void {
  // Required here, not at the top, so the parent process stays small.
  const { loadReachability } = require('../../lib/verdict/load') as typeof import('../../lib/verdict/load');
  const figures: LibraryFigures = { load: [], probe: [], total: [], cpu: [], summary: { probes: 0, allowed: 0, denied: 0 }, maxRss: 0 };
  for (let run = 0; run < runs; run++) {
    const cpu0 = process.cpuUsage();
    const t0 = process.hrtime.bigint();
    const reachability = loadReachability([file]);
    const t1 = process.hrtime.bigint();
    figures.summary = { ...reachability.probe().summary };
    const t2 = process.hrtime.bigint();
    figures.load.push(seconds(t1 - t0));
    figures.probe.push(seconds(t2 - t1));
    figures.total.push(seconds(t2 - t0));
    const cpu = process.cpuUsage(cpu0);
    figures.cpu.push((cpu.user + cpu.system) / 1e6);
  }
  figures.maxRss = process.resourceUsage().maxRSS * 1024;
  process.stdout.write(JSON.stringify(figures));
}

interface Timed {
  readonly wall: number;
  /** User + system CPU seconds, from /usr/bin/time when it is installed. */
  readonly cpu?: number;
  /** Peak resident set size in bytes, from /usr/bin/time when it is installed. */
  readonly rss?: number;
  readonly stdout: string;
}

/** One whole node process: wall time from here, CPU and peak RSS from /usr/bin/time. */
function timeNode(nodeArgs: readonly string[]): Timed {
  const useTime = fs.existsSync(TIME);
  const [command, args] = useTime
    ? [TIME, ['-f', 'eks-netpol-bench-rss-kb %M cpu-s %U %S', process.execPath, ...nodeArgs]]
    : [process.execPath, [...nodeArgs]];
  const start = process.hrtime.bigint();
  const child = spawnSync(command, args, { encoding: 'utf8', maxBuffer: 1 << 26 });
  const wall = seconds(process.hrtime.bigint() - start);
  if (child.status !== 0) throw new Error(`node ${nodeArgs.join(' ')} exited ${child.status}: ${child.stderr}`);
  const timed = /eks-netpol-bench-rss-kb (\d+) cpu-s ([\d.]+) ([\d.]+)/.exec(child.stderr);
  return {
    wall,
    rss: timed ? Number(timed[1]) * 1024 : undefined,
    cpu: timed ? Number(timed[2]) + Number(timed[3]) : undefined,
    stdout: child.stdout,
  };
}

/** `reach FILE --output summary` as a whole process, with the counts it printed. */
function runCli(file: string, extraNodeArgs: readonly string[] = []): Timed & { summary: Summary } {
  const run = timeNode([...extraNodeArgs, CLI, 'reach', file, '--output', 'summary']);
  const count = (name: string) => Number(new RegExp(`^${name}\\s+(\\d+)$`, 'm').exec(run.stdout)?.[1]);
  return { ...run, summary: { probes: count('probes'), allowed: count('allowed'), denied: count('denied') } };
}

/** Median CPU seconds, or undefined without /usr/bin/time. */
function medianCpu(runs: readonly Timed[]): number | undefined {
  return runs.every((r) => r.cpu !== undefined) ? median(runs.map((r) => r.cpu!)) : undefined;
}

function runLibrary(file: string, runs: number): LibraryFigures {
  const child = spawnSync(process.execPath, [__filename, '--library', file, String(runs)], { encoding: 'utf8', maxBuffer: 1 << 26 });
  if (child.status !== 0) throw new Error(`library run exited ${child.status}: ${child.stderr}`);
  return JSON.parse(child.stdout) as LibraryFigures;
}

const fmtSeconds = (s: number) => `${s.toFixed(3)} s`;
const fmtBytes = (b: number) => `${(b / 1024 ** 2).toFixed(0)} MB`;

function verdict(value: number, target: number | undefined): string {
  if (target === undefined) return '';
  return value <= target ? 'met' : 'MISSED';
}

function row(cells: readonly string[]): string {
  const widths = [12, 34, 12, 12, 6];
  return cells.map((c, i) => (i < widths.length - 1 ? c.padEnd(widths[i]) : c)).join('  ').trimEnd();
}

function main(argv: readonly string[]): void {
  if (argv[0] === '--library') {
    libraryMode(argv[1], Number(argv[2]));
    return;
  }
  const option = (name: string) => {
    const at = argv.indexOf(name);
    return at >= 0 ? argv[at + 1] : undefined;
  };
  const runsOverride = option('--runs') ? Number(option('--runs')) : undefined;
  const wanted = (option('--sizes') ?? SIZES.map((s) => s.label).join(',')).split(',');
  const profile = argv.includes('--profile');
  const workdir = path.join(os.tmpdir(), 'eks-netpol-bench-reach');
  fs.mkdirSync(workdir, { recursive: true });

  console.log(`eks-netpol reach benchmark: node ${process.version}, ${os.cpus().length} CPUs (${os.cpus()[0]?.model ?? 'unknown'}), load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`);
  console.log(`Command measured: node ${path.relative(process.cwd(), CLI)} reach FILE --output summary\n`);
  const lines: string[] = [row(['cluster', 'measure', 'figure', 'target', ''])];

  // What the CLI itself costs: the examples (20 probes) against a bare node process.
  const examples = path.join(__dirname, '..', '..', '..', 'examples', 'reach');
  const startupRuns = runsOverride ?? 5;
  const tiny = Array.from({ length: startupRuns }, () => runCli(examples));
  const bare = Array.from({ length: startupRuns }, () => timeNode(['-e', '0']));
  const cpuText = (runs: readonly Timed[]) => {
    const cpu = medianCpu(runs);
    return cpu === undefined ? 'n/a' : fmtSeconds(cpu);
  };
  lines.push(row(['examples', `CLI wall, median of ${startupRuns}`, fmtSeconds(median(tiny.map((t) => t.wall))), '', '']));
  lines.push(row(['', 'CLI CPU user+sys, median', cpuText(tiny), '', '']));
  lines.push(row(['', 'bare `node -e 0` wall, median', fmtSeconds(median(bare.map((t) => t.wall))), '', '']));
  lines.push(row(['', 'bare `node -e 0` CPU, median', cpuText(bare), '', '']));

  for (const size of SIZES.filter((s) => wanted.includes(s.label))) {
    const runs = runsOverride ?? size.runs;
    const file = path.join(workdir, `cluster-${size.label}.yaml`);
    const yaml = generateCluster({ pods: size.pods, policies: size.policies });
    fs.writeFileSync(file, yaml);
    console.log(`${size.label}: ${size.pods} Deployments, ${size.policies} NetworkPolicies -> ${file} (${(yaml.length / 1024 ** 2).toFixed(1)} MB)`);

    const cli = Array.from({ length: runs }, () => runCli(file));
    const library = runLibrary(file, runs);
    const s = cli[0].summary;
    const agree = cli.every((c) => JSON.stringify(c.summary) === JSON.stringify(library.summary));
    console.log(`  ${s.probes} probes, ${s.allowed} allowed, ${s.denied} denied${agree ? '' : `; MISMATCH: library says ${JSON.stringify(library.summary)}`}`);

    const name = `${size.label}`;
    const wall = median(cli.map((c) => c.wall));
    const rss = Math.max(...cli.map((c) => c.rss ?? 0));
    lines.push(row([name, `CLI wall, median of ${runs}`, fmtSeconds(wall), `<= ${fmtSeconds(size.cliWallTarget)}`, verdict(wall, size.cliWallTarget)]));
    lines.push(row(['', 'CLI CPU user+sys, median', cpuText(cli), '', '']));
    lines.push(row(['', 'CLI peak RSS, max of runs', rss ? fmtBytes(rss) : 'n/a', size.cliRssTarget ? `<= ${fmtBytes(size.cliRssTarget)}` : '', verdict(rss, size.cliRssTarget)]));
    const total = median(library.total);
    lines.push(row(['', `library load+probe, median of ${runs}`, fmtSeconds(total), size.libraryTarget ? `<= ${fmtSeconds(size.libraryTarget)}` : '', verdict(total, size.libraryTarget)]));
    lines.push(row(['', '  CPU user+sys, median', fmtSeconds(median(library.cpu)), '', '']));
    lines.push(row(['', '  of which loadReachability', fmtSeconds(median(library.load)), '', '']));
    lines.push(row(['', '  of which probe().summary', fmtSeconds(median(library.probe)), '', '']));
    lines.push(row(['', 'library peak RSS', fmtBytes(library.maxRss), '', '']));

    if (profile) {
      const dir = path.join(workdir, `profile-${size.label}`);
      fs.rmSync(dir, { recursive: true, force: true });
      runCli(file, ['--cpu-prof', '--cpu-prof-dir', dir]);
      const written = fs.readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
      if (written) {
        const cpuProfile = JSON.parse(fs.readFileSync(path.join(dir, written), 'utf8'));
        console.log(`  CPU profile of one CLI run: ${path.join(dir, written)}`);
        console.log('  self time by area:');
        for (const line of timeByArea(cpuProfile)) console.log(`    ${line}`);
        console.log('  hottest functions (self time):');
        for (const line of hottestFunctions(cpuProfile, 15)) console.log(`    ${line}`);
      }
    }
  }
  console.log(`\n${lines.join('\n')}`);
}

main(process.argv.slice(2));
