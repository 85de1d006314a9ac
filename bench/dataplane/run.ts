/**
 * `npm run bench:dataplane`: the data plane's figures.
 *   - Programming: compile and load 10,000 prefixes for one pod into the real maps (target <= 100 ms), and a one-rule
 *     policy change applied as a diff (target <= 5 ms). Medians over runs, with the phases beside them.
 *   - Per packet: the eBPF engineer's BPF_PROG_TEST_RUN benchmark (packet-bench.ts).
 * Needs root and the native binding; prints why it skips otherwise.
 *
 * Options: `--runs N` (default 15), `--quick` (5 runs, short per-packet rounds), `--no-packet`.
 */
import * as fs from 'fs';
import * as path from 'path';
import {
  BpfObject, MapImage, applyDiff, compileNode, diffImages, diffSize, encodeNode, nativeUnavailableReason,
} from '../../lib/dataplane';
import { parseCidr } from '../../lib/model/cidr';
import { ClusterState, NAMESPACE_NAME_LABEL, NetworkPolicy, PodIdentity, PolicyPeer } from '../../lib/model/types';
import { runPacketBench } from './packet-bench';
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

/** One pod with a policy of 10,000 distinct /28 blocks over three rules, and 100 peer pods, some selected by label. */
function scenario(extraRule: boolean): ClusterState {
  const pods: PodIdentity[] = [{ id: 'bench/target', namespace: 'bench', name: 'target', kind: 'Deployment', labels: { app: 'target' }, ports: [{ name: 'http', port: 8080, protocol: 'TCP' }], ips: ['10.1.0.1'] }];
  for (let i = 0; i < 100; i++) {
    pods.push({ id: `bench/peer${i}`, namespace: 'bench', name: `peer${i}`, kind: 'Deployment', labels: { app: i % 2 ? 'client' : 'metrics' }, ports: [], ips: [`10.1.1.${i + 1}`] });
  }
  const blocks: PolicyPeer[][] = [[], [], []];
  for (let i = 0; i < PREFIXES; i++) {
    blocks[i % 3].push({ ipBlock: { cidr: parseCidr(`172.${16 + (i >> 12)}.${(i >> 4) & 255}.${(i & 15) * 16}/28`)!, except: [] } });
  }
  const policies: NetworkPolicy[] = [{
    id: 'bench/target-in', namespace: 'bench', name: 'target-in', podSelector: { matchLabels: { app: 'target' } }, policyTypes: ['Ingress'], egress: [],
    ingress: [
      { peers: blocks[0], ports: [{ protocol: 'TCP', port: 443 }] },
      { peers: blocks[1], ports: [{ protocol: 'TCP', port: 'http' }] },
      { peers: blocks[2], ports: [{ protocol: 'UDP', port: 53 }, { protocol: 'TCP', port: 9000, endPort: 9100 }] },
      { peers: [{ podSelector: { matchLabels: { app: 'client' } } }], ports: [{ protocol: 'TCP', port: 8080 }] },
    ],
  }];
  if (extraRule) {
    policies.push({
      id: 'bench/target-metrics', namespace: 'bench', name: 'target-metrics', podSelector: { matchLabels: { app: 'target' } }, policyTypes: ['Ingress'], egress: [],
      ingress: [{ peers: [{ podSelector: { matchLabels: { app: 'metrics' } } }], ports: [{ protocol: 'TCP', port: 9100 }] }],
    });
  }
  return { namespaces: [{ name: 'bench', labels: { [NAMESPACE_NAME_LABEL]: 'bench' }, declared: true }], pods, policies, services: [] };
}

interface Phases { compile: number; encode: number; diff: number; write: number; total: number; updates: number; deletes: number }

/** compile -> encode (ids kept from `previous`) -> diff -> write, timed by phase. */
function program(object: BpfObject, state: ClusterState, previous: MapImage): { image: MapImage; phases: Phases } {
  const t0 = performance.now();
  const compiled = compileNode(state, [{ id: 'bench/target', ifindex: IFINDEX }]);
  const t1 = performance.now();
  const image = encodeNode(compiled, { previous });
  const t2 = performance.now();
  const diffs = diffImages(previous, image);
  const t3 = performance.now();
  applyDiff((name) => object.map(name), diffs);
  const t4 = performance.now();
  return { image, phases: { compile: t1 - t0, encode: t2 - t1, diff: t3 - t2, write: t4 - t3, total: t4 - t0, ...diffSize(diffs) } };
}

function report(title: string, runs: Phases[], target: number): boolean {
  const total = median(runs.map((r) => r.total));
  const ok = total <= target;
  process.stdout.write(`${title}\n`);
  process.stdout.write(`  median ${ms(total)} (target <= ${target} ms: ${ok ? 'MET' : 'NOT MET'}) over ${runs.length} runs; `
    + `min ${ms(Math.min(...runs.map((r) => r.total)))}, max ${ms(Math.max(...runs.map((r) => r.total)))}\n`);
  process.stdout.write(`  phases (medians): compile ${ms(median(runs.map((r) => r.compile)))}, encode ${ms(median(runs.map((r) => r.encode)))}, `
    + `diff ${ms(median(runs.map((r) => r.diff)))}, kernel writes ${ms(median(runs.map((r) => r.write)))} `
    + `(${runs[0].updates} updates, ${runs[0].deletes} deletes)\n`);
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
    const empty: MapImage = new Map();
    const base = scenario(false);
    const changed = scenario(true);
    // Warm-up (JIT) and the image every run starts from.
    const warm = program(object, base, empty);
    program(object, { ...base, policies: [] }, warm.image);

    const loads: Phases[] = [];
    let current: MapImage = empty;
    for (let i = 0; i < runs; i++) {
      // Start from maps holding only the unprogrammed pod (policies removed), untimed.
      current = program(object, { ...base, policies: [] }, current).image;
      const loaded = program(object, base, current);
      loads.push(loaded.phases);
      current = loaded.image;
    }
    const loadOk = report(`Compile and load ${PREFIXES.toLocaleString('en-US')} prefixes for one pod (compile, encode, diff, batch writes into the real maps):`, loads, LOAD_TARGET_MS);

    const changes: Phases[] = [];
    for (let i = 0; i < runs; i++) {
      // Alternate: add the one-rule policy, then remove it; each is a one-rule change against the state before.
      const step = program(object, i % 2 === 0 ? changed : base, current);
      changes.push(step.phases);
      current = step.image;
    }
    const changeOk = report('One-rule policy change applied as a diff, end to end (the pod with 10,000 prefixes recompiled):', changes, CHANGE_TARGET_MS);
    return loadOk && changeOk;
  } finally {
    object.close();
  }
}

function main(): void {
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
}

main();
