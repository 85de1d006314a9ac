/**
 * `npm run bench:dataplane`: the data plane's figures.
 *   - Programming: compile and load 10,000 prefixes for one pod into the real maps (target <= 100 ms), and a one-rule
 *     policy change applied as a diff (target <= 5 ms). Medians over runs, with the phases beside them.
 *   - Per packet: the eBPF engineer's BPF_PROG_TEST_RUN benchmark (packet-bench.ts).
 * Needs root and the native binding; prints why it skips otherwise.
 *
 *   - Throughput: iperf3 between two lab pods with 10,000 prefixes loaded, beside no enforcement and 10,000 iptables
 *     rules (throughput.ts).
 * Options: `--runs N` (default 15), `--quick` (5 runs, short per-packet rounds), `--no-packet`, `--no-throughput`.
 */
import * as fs from 'fs';
import * as path from 'path';
import { BpfObject, NodeProgrammer, applyDiff, diffSize, nativeUnavailableReason } from '../../lib/dataplane';
import { parseCidr } from '../../lib/model/cidr';
import { ClusterState, NAMESPACE_NAME_LABEL, NetworkPolicy, PodIdentity, PolicyPeer } from '../../lib/model/types';
import { runPacketBench } from './packet-bench';
import { runThroughputBench } from './throughput';
import { repoRoot } from './packet-runner';

const PREFIXES = 10_000;
const LOAD_TARGET_MS = 100;
const CHANGE_TARGET_MS = 5;
const IFINDEX = 4242;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

const ms = (n: number) => `${n.toFixed(2)} ms`;

const SMALL_PODS = 10;

/**
 * The node: one pod with a policy of 10,000 distinct /28 blocks over three rules plus a selector rule, ten small pods
 * each with its own small policy, and 100 peer pods elsewhere. `change` adds one rule: to a small pod's policy, or to
 * the big pod's.
 */
function scenario(change: 'none' | 'small' | 'big'): ClusterState {
  const pods: PodIdentity[] = [{ id: 'bench/target', namespace: 'bench', name: 'target', kind: 'Deployment', labels: { app: 'target' }, ports: [{ name: 'http', port: 8080, protocol: 'TCP' }], ips: ['10.1.0.1'] }];
  for (let i = 0; i < SMALL_PODS; i++) {
    pods.push({ id: `bench/small${i}`, namespace: 'bench', name: `small${i}`, kind: 'Deployment', labels: { app: `small${i}` }, ports: [], ips: [`10.1.2.${i + 1}`] });
  }
  for (let i = 0; i < 100; i++) {
    pods.push({ id: `bench/peer${i}`, namespace: 'bench', name: `peer${i}`, kind: 'Deployment', labels: { app: i % 2 ? 'client' : 'metrics' }, ports: [], ips: [`10.1.1.${i + 1}`] });
  }
  return { namespaces: NAMESPACES, pods: cached('pods', pods), policies: policiesFor(change), services: [], nodes: [], endpointSlices: [] };
}

/** Objects reused between states, as an agent reuses what did not change (the programmer compares identities). */
const cache = new Map<string, unknown>();
function cached<T>(key: string, make: T): T {
  if (!cache.has(key)) cache.set(key, make);
  return cache.get(key) as T;
}
const NAMESPACES = [{ name: 'bench', labels: { [NAMESPACE_NAME_LABEL]: 'bench' }, declared: true }];

function bigPolicy(extraRule: boolean): NetworkPolicy {
  return cached(`big-${extraRule}`, (() => {
    const blocks: PolicyPeer[][] = [[], [], []];
    for (let i = 0; i < PREFIXES; i++) {
      blocks[i % 3].push({ ipBlock: { cidr: parseCidr(`172.${16 + (i >> 12)}.${(i >> 4) & 255}.${(i & 15) * 16}/28`)!, except: [] } });
    }
    return {
      id: 'bench/target-in', namespace: 'bench', name: 'target-in', podSelector: { matchLabels: { app: 'target' } }, policyTypes: ['Ingress'], egress: [],
      ingress: [
        { peers: blocks[0], ports: [{ protocol: 'TCP', port: 443 }] },
        { peers: blocks[1], ports: [{ protocol: 'TCP', port: 'http' }] },
        { peers: blocks[2], ports: [{ protocol: 'UDP', port: 53 }, { protocol: 'TCP', port: 9000, endPort: 9100 }] },
        { peers: [{ podSelector: { matchLabels: { app: 'client' } } }], ports: [{ protocol: 'TCP', port: 8080 }] },
        ...(extraRule ? [{ peers: [{ podSelector: { matchLabels: { app: 'metrics' } } }], ports: [{ protocol: 'TCP' as const, port: 9100 }] }] : []),
      ],
    } as NetworkPolicy;
  })());
}

function smallPolicy(i: number, extraRule: boolean): NetworkPolicy {
  return cached(`small-${i}-${extraRule}`, {
    id: `bench/small${i}-in`, namespace: 'bench', name: `small${i}-in`, podSelector: { matchLabels: { app: `small${i}` } }, policyTypes: ['Ingress'], egress: [],
    ingress: [
      { peers: [{ podSelector: { matchLabels: { app: 'client' } } }, { ipBlock: { cidr: parseCidr('192.168.0.0/16')!, except: [parseCidr('192.168.7.0/24')!] } }], ports: [{ protocol: 'TCP', port: 8080 }] },
      ...(extraRule ? [{ peers: [{ podSelector: { matchLabels: { app: 'metrics' } } }], ports: [{ protocol: 'TCP' as const, port: 9100 }] }] : []),
    ],
  } as NetworkPolicy);
}

function policiesFor(change: 'none' | 'small' | 'big'): NetworkPolicy[] {
  return [bigPolicy(change === 'big'), ...Array.from({ length: SMALL_PODS }, (_, i) => smallPolicy(i, change === 'small' && i === 0))];
}

const LOCAL = [{ id: 'bench/target', ifindex: IFINDEX }, ...Array.from({ length: SMALL_PODS }, (_, i) => ({ id: `bench/small${i}`, ifindex: IFINDEX + 1 + i }))];

interface Timing { wall: number; cpu: number; compile: number; write: number; updates: number; deletes: number; recompiled: number }

/** One update through the programmer, written into the real maps: wall and CPU time. */
function step(object: BpfObject, programmer: NodeProgrammer, state: ClusterState, local = LOCAL): Timing {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const update = programmer.update(state, local);
  const t1 = performance.now();
  applyDiff((name) => object.map(name), update.diffs);
  const t2 = performance.now();
  const cpu = process.cpuUsage(cpu0);
  return { wall: t2 - t0, cpu: (cpu.user + cpu.system) / 1000, compile: t1 - t0, write: t2 - t1, ...diffSize(update.diffs), recompiled: update.recompiled.length };
}

function report(title: string, runs: Timing[], target: number): boolean {
  const wall = median(runs.map((r) => r.wall));
  const cpu = median(runs.map((r) => r.cpu));
  const ok = wall <= target;
  process.stdout.write(`${title}\n`);
  process.stdout.write(`  median ${ms(wall)} wall, ${ms(cpu)} CPU (target <= ${target} ms: ${ok ? 'MET' : 'NOT MET'}; ${runs.length} runs, `
    + `min ${ms(Math.min(...runs.map((r) => r.wall)))}, max ${ms(Math.max(...runs.map((r) => r.wall)))})\n`);
  process.stdout.write(`  phases (medians): compile+encode+diff ${ms(median(runs.map((r) => r.compile)))}, kernel batch writes ${ms(median(runs.map((r) => r.write)))}; `
    + `${runs[0].updates} updates, ${runs[0].deletes} deletes, ${runs[0].recompiled} pod(s) recompiled\n`);
  return ok;
}

function programmingBench(runs: number): boolean {
  const reason = nativeUnavailableReason() ?? (process.getuid?.() !== 0 ? 'not root' : undefined);
  const objectPath = path.join(process.env.EKS_NETPOL_ROOT ?? repoRoot(), 'bpf', 'build', 'netpol.bpf.o');
  const why = reason ?? (fs.existsSync(objectPath) ? undefined : `${objectPath} is missing (npm run build:bpf)`);
  if (why) {
    process.stdout.write(`Programming benchmark SKIPPED: ${why}\n`);
    return false;
  }
  const object = BpfObject.load(objectPath);
  try {
    const base = scenario('none');
    // Warm-up (JIT), then leave the maps empty.
    const warm = new NodeProgrammer();
    step(object, warm, base);
    step(object, warm, base, []);

    const loads: Timing[] = [];
    for (let i = 0; i < runs; i++) {
      const programmer = new NodeProgrammer();
      loads.push(step(object, programmer, base, LOCAL.slice(0, 1)));
      step(object, programmer, base, []);
    }
    const loadOk = report(`Compile and load ${PREFIXES.toLocaleString('en-US')} prefixes for one pod into the real maps (fresh programmer, empty maps):`, loads, LOAD_TARGET_MS);

    const programmer = new NodeProgrammer();
    step(object, programmer, base);
    const small: Timing[] = [];
    const big: Timing[] = [];
    for (let i = 0; i < runs; i++) small.push(step(object, programmer, scenario(i % 2 === 0 ? 'small' : 'none')));
    for (let i = 0; i < runs; i++) big.push(step(object, programmer, scenario(i % 2 === 0 ? 'big' : 'none')));
    const changeOk = report(`One-rule policy change applied as a diff: a rule added to / removed from a small pod's policy (node: the ${PREFIXES.toLocaleString('en-US')}-prefix pod + ${SMALL_PODS} small pods):`, small, CHANGE_TARGET_MS);
    report(`One-rule policy change on the ${PREFIXES.toLocaleString('en-US')}-prefix pod itself (a selector rule: its flattened CIDRs and their encoding are reused):`, big, CHANGE_TARGET_MS);
    return loadOk && changeOk;
  } finally {
    object.close();
  }
}

function main(): Promise<void> | undefined {
  const args = process.argv.slice(2);
  const quick = args.includes('--quick');
  const runsArg = args.indexOf('--runs');
  const runs = runsArg >= 0 ? Number(args[runsArg + 1]) : quick ? 5 : 15;
  process.stdout.write('== eks-netpol data plane: programming ==\n');
  programmingBench(runs);
  if (!args.includes('--no-packet')) {
    process.stdout.write('\n== eks-netpol data plane: per packet (BPF_PROG_TEST_RUN) ==\n');
    runPacketBench({ quick });
  }
  if (!args.includes('--no-throughput')) return runThroughputBench();
}

main();
