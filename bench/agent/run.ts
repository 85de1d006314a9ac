/**
 * bench:agent: the node agent's reconciler over the lab. A synthetic cluster of 10,000 pods and 2,000 policies
 * (bench/reach's generator, pods numbered as the lab numbers them), 100 of its pods on the node (one namespace and
 * veth each), the reconciler running inside the node namespace as on a node. Prints: initial programming (desired
 * state -> every entry written and every program attached), the latency of 100 policy changes (p50/p99), and the
 * process RSS along the way. Targets (issue 6): initial <= 2 s, change p99 <= 50 ms, RSS <= 150 MB.
 *
 * Then the churn run (--churn-minutes, 10 by default): for that long, the desired state keeps changing as a busy
 * cluster's does: policies created and deleted, remote pods replaced (a new pod list: every local pod recompiles),
 * local pods leaving the node and coming back (links detached and attached again). RSS is sampled every 30 s and
 * printed; flat means the second half's peak is within 10% of the first half's.
 *
 * Two datasets (--dataset): `typical` (the default; bench/agent/typical-cluster.ts: apps admit a few named callers)
 * and `dense` (bench/reach's generator: broad selectors, each pod admits about 7,600 of the 10,000 pods, so every
 * local pod needs a map entry for nearly every pod of the cluster). The map entries the node holds are printed.
 *
 * The reconciler runs with the agent image's NODE_OPTIONS (lib/agent/node-options.ts); --node-options replaces them
 * (the dense dataset's live state outgrows the image's 128 MB old generation).
 *
 * Usage: npm run bench:agent [-- --dataset typical|dense --pods N --policies N --local N --changes N --churn-minutes M
 *        --node-options=...]
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parseArgs } from 'util';
import { EventLog } from '../../lib/agent/events';
import { AGENT_NODE_OPTIONS } from '../../lib/agent/node-options';
import { AgentMetrics } from '../../lib/agent/metrics';
import { Reconciler } from '../../lib/agent/reconciler';
import { assignAddresses } from '../../lib/lab/addresses';
import { reviveJob, serializeJob } from '../../lib/lab/enforcement';
import { RunRegistry } from '../../lib/lab/registry';
import { buildTopology } from '../../lib/lab/topology';
import { parseManifests } from '../../lib/manifests';
import { ClusterState, NetworkPolicy, PodIdentity } from '../../lib/model/types';
import { generateCluster } from '../reach/generate';
import { generateTypicalCluster } from './typical-cluster';

const ROOT = path.resolve(__dirname, '..', '..', '..');
const OBJECT = path.join(ROOT, 'bpf', 'build', 'netpol.bpf.o');

interface InsideJob {
  readonly cluster: ClusterState;
  readonly local: readonly string[];
  readonly pinDir: string;
  readonly changes: number;
  readonly churnMinutes: number;
}

/** What the churn run did and the RSS it sampled. */
interface ChurnResult {
  readonly samples: Array<{ atSeconds: number; rssMb: number }>;
  readonly steps: number;
  readonly policyChanges: number;
  readonly podReplacements: number;
  readonly localMoves: number;
}

const rssMb = () => Math.round(process.memoryUsage().rss / 1048576);

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

/** A policy selecting one local pod (by its labels) and admitting TCP `port` from everywhere: a real map change. */
function changePolicy(cluster: ClusterState, podId: string, port: number): NetworkPolicy {
  const pod = cluster.pods.find((p) => p.id === podId)!;
  const { policies } = parseManifests(JSON.stringify({
    apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'bench-change', namespace: pod.namespace },
    spec: { podSelector: { matchLabels: pod.labels }, policyTypes: ['Ingress'], ingress: [{ ports: [{ protocol: 'TCP', port }] }] },
  }), 'bench-change.json').cluster;
  return policies[0];
}

/** Runs inside the node namespace: the reconciler, timed. */
async function inside(jobFile: string): Promise<void> {
  const job = reviveJob(fs.readFileSync(jobFile, 'utf8')) as unknown as InsideJob;
  const rss: number[] = [rssMb()];
  const metrics = new AgentMetrics({ processMetrics: false });
  const reconciler = new Reconciler({
    objectPath: OBJECT, pinDir: job.pinDir, mode: 'standard',
    log: new EventLog({ write: () => undefined }), metrics,
  });
  let started = process.hrtime.bigint();
  await reconciler.programmed(reconciler.update({ cluster: job.cluster, local: job.local }));
  const initialMs = Number(process.hrtime.bigint() - started) / 1e6;
  rss.push(rssMb());
  const entries = Object.fromEntries((await metrics.mapEntries.get()).values.map((v) => [String(v.labels.map), v.value]));
  // Progress on stderr (shown as it happens): a large cluster takes minutes.
  process.stderr.write(`  initial programming done: ${initialMs.toFixed(0)} ms, RSS ${rss.at(-1)} MB\n`);
  const latencies: number[] = [];
  for (let i = 0; i < job.changes; i++) {
    const target = job.local[i % job.local.length];
    const cluster = { ...job.cluster, policies: [...job.cluster.policies, changePolicy(job.cluster, target, 10_000 + i)] };
    started = process.hrtime.bigint();
    await reconciler.programmed(reconciler.update({ cluster, local: job.local }));
    latencies.push(Number(process.hrtime.bigint() - started) / 1e6);
    process.stderr.write(`  change ${i + 1}/${job.changes}: ${latencies.at(-1)!.toFixed(1)} ms\n`);
    if (i % 10 === 9) rss.push(rssMb());
  }
  const churn = job.churnMinutes > 0 ? await churnRun(reconciler, job) : undefined;
  await reconciler.stop();
  const status = reconciler.status();
  process.stdout.write(`${JSON.stringify({ initialMs, entries, latencies, rss, churn, ready: status.ready, reason: status.reason })}\n`);
}

/** A copy of a remote pod with one label changed: what a rollout looks like to the agent. */
function replacedPod(pod: PodIdentity, step: number): PodIdentity {
  return { ...pod, labels: { ...pod.labels, 'pod-template-hash': `churn${step % 7}` } };
}

/** Keeps the desired state changing for job.churnMinutes, sampling RSS every 30 s. */
async function churnRun(reconciler: Reconciler, job: InsideJob): Promise<ChurnResult> {
  const started = Date.now();
  const deadline = started + job.churnMinutes * 60_000;
  const samples = [{ atSeconds: 0, rssMb: rssMb() }];
  let nextSample = started + 30_000;
  let pods = job.cluster.pods;
  let extra: NetworkPolicy[] = [];
  let away: string | undefined;
  const counts = { steps: 0, policyChanges: 0, podReplacements: 0, localMoves: 0 };
  const localSet = new Set(job.local);
  const remote = pods.map((p, i) => (localSet.has(p.id) ? -1 : i)).filter((i) => i >= 0);
  while (Date.now() < deadline) {
    const step = counts.steps++;
    // A policy created, and the oldest of the last 20 deleted.
    extra = [...extra, changePolicy(job.cluster, job.local[step % job.local.length], 20_000 + (step % 1000))].slice(-20);
    counts.policyChanges++;
    if (step % 5 === 4) {
      const index = remote[(step * 7919) % remote.length];
      pods = pods.map((p, i) => (i === index ? replacedPod(p, step) : p));
      counts.podReplacements++;
    }
    if (step % 7 === 6) {
      away = away ? undefined : job.local[(step * 31) % job.local.length];
      counts.localMoves++;
    }
    const local = away ? job.local.filter((id) => id !== away) : job.local;
    await reconciler.programmed(reconciler.update({ cluster: { ...job.cluster, pods, policies: [...job.cluster.policies, ...extra] }, local }));
    if (Date.now() >= nextSample) {
      samples.push({ atSeconds: Math.round((Date.now() - started) / 1000), rssMb: rssMb() });
      process.stderr.write(`  churn ${samples.at(-1)!.atSeconds} s: ${counts.steps} steps, RSS ${samples.at(-1)!.rssMb} MB\n`);
      nextSample += 30_000;
    }
    // A busy cluster, not a tight loop: about ten changes a second at most.
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  samples.push({ atSeconds: Math.round((Date.now() - started) / 1000), rssMb: rssMb() });
  return { samples, ...counts };
}

function printChurn(churn: ChurnResult): void {
  const minutes = churn.samples.at(-1)!.atSeconds / 60;
  console.log(`  churn run                ${minutes.toFixed(1)} min: ${churn.steps} updates (${churn.policyChanges} policy changes, ${churn.podReplacements} remote pods replaced, ${churn.localMoves} local pods moved)`);
  console.log(`  churn RSS samples (MB)   ${churn.samples.map((s) => `${s.atSeconds}s:${s.rssMb}`).join(' ')}`);
  const half = Math.floor(churn.samples.length / 2);
  const firstPeak = Math.max(...churn.samples.slice(0, half).map((s) => s.rssMb));
  const secondPeak = Math.max(...churn.samples.slice(half).map((s) => s.rssMb));
  const peak = Math.max(firstPeak, secondPeak);
  const flat = secondPeak <= firstPeak * 1.1;
  console.log(`  churn RSS peak           ${String(peak).padStart(7)} MB   (target <= 150 MB)  ${peak <= 150 ? 'met' : 'NOT met'}; second half peak ${secondPeak} vs first ${firstPeak}: ${flat ? 'flat' : 'GROWING'}`);
}

async function outside(argv: readonly string[]): Promise<number> {
  const { values } = parseArgs({
    args: [...argv],
    options: { dataset: { type: 'string', default: 'typical' }, 'node-options': { type: 'string', default: AGENT_NODE_OPTIONS }, pods: { type: 'string', default: '10000' }, policies: { type: 'string', default: '2000' }, local: { type: 'string', default: '100' }, changes: { type: 'string', default: '100' }, 'churn-minutes': { type: 'string', default: '10' } },
  });
  if (process.getuid?.() !== 0) {
    console.log('bench:agent SKIPPED: needs root (network namespaces, eBPF).');
    return 0;
  }
  const [pods, policies, localCount, changes, churnMinutes] = [values.pods, values.policies, values.local, values.changes, values['churn-minutes']].map(Number);
  if (values.dataset !== 'typical' && values.dataset !== 'dense') throw new Error(`--dataset "${values.dataset}" is not typical or dense.`);
  const generate = values.dataset === 'dense' ? generateCluster : generateTypicalCluster;
  const loaded = parseManifests(generate({ pods, policies, seed: 6 }), 'bench.yaml');
  const cluster = assignAddresses(loaded.cluster);
  const local = cluster.pods.slice(0, localCount);
  const runId = `bench${process.pid.toString(36)}`;
  const registry = new RunRegistry(runId);
  const pinDir = `/sys/fs/bpf/eks-netpol-bench-${runId}`;
  registry.add('pinDirs', pinDir);
  const jobFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'eks-netpol-bench-agent-')), 'job.json');
  try {
    const topology = buildTopology(runId, local.map((p) => ({ id: p.id, kind: 'pod', ips: p.ips })), registry);
    fs.writeFileSync(jobFile, serializeJob({ cluster, local: local.map((p) => p.id), pinDir, changes, churnMinutes } as never));
    // The reconciler runs with the heap settings the agent image gives node (NODE_OPTIONS), as the agent would.
    const child = spawnSync('nsenter', [`--net=/run/netns/${topology.node}`, process.execPath, __filename, '--inside', jobFile], {
      encoding: 'utf8', maxBuffer: 1 << 24, stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, NODE_OPTIONS: values['node-options'] },
    });
    if (child.status !== 0) throw new Error(`the bench inside the node namespace failed (exit ${child.status}, signal ${child.signal}).`);
    const result = JSON.parse(child.stdout.trim().split('\n').at(-1)!) as { initialMs: number; entries: Record<string, number>; latencies: number[]; rss: number[]; churn?: ChurnResult; ready: boolean; reason?: string };
    const sorted = [...result.latencies].sort((a, b) => a - b);
    const p99 = percentile(sorted, 99);
    const maxRss = Math.max(...result.rss);
    console.log(`bench:agent  ${values.dataset} cluster ${cluster.pods.length} pods, ${cluster.policies.length} policies; ${local.length} pods on the node; ${changes} changes`);
    console.log(`  node options             ${values['node-options']}${values['node-options'] === AGENT_NODE_OPTIONS ? ' (as the agent image runs node)' : ' (NOT the image\'s default)'}`);
    console.log(`  map entries on the node  ${Object.entries(result.entries).map(([map, n]) => `${map.replace('netpol_', '')} ${n}`).join(', ')}`);
    console.log(`  initial programming      ${result.initialMs.toFixed(0).padStart(7)} ms   (target <= 2000 ms)  ${result.initialMs <= 2000 ? 'met' : 'NOT met'}`);
    console.log(`  policy change p50        ${percentile(sorted, 50).toFixed(1).padStart(7)} ms`);
    console.log(`  policy change p99        ${p99.toFixed(1).padStart(7)} ms   (target <= 50 ms)    ${p99 <= 50 ? 'met' : 'NOT met'}`);
    console.log(`  RSS samples (MB)         ${result.rss.join(' ')}   (target <= 150 MB)  ${maxRss <= 150 ? 'met' : 'NOT met'}`);
    if (result.churn) printChurn(result.churn);
    console.log(`  ready at the end         ${result.ready}${result.reason ? ` (${result.reason})` : ''}`);
    console.log(`  load average             ${os.loadavg().map((l) => l.toFixed(1)).join(' ')} on ${os.cpus().length} CPUs`);
    return 0;
  } finally {
    fs.rmSync(path.dirname(jobFile), { recursive: true, force: true });
    const failures = registry.cleanUp();
    if (failures.length > 0) console.error(`cleanup: ${failures.join('; ')}`);
  }
}

if (require.main === module) {
  const run = process.argv[2] === '--inside' ? inside(process.argv[3]).then(() => 0) : outside(process.argv.slice(2));
  run.then((code) => { process.exitCode = code; }, (error) => {
    console.error(`bench:agent failed: ${(error as Error).message}`);
    process.exitCode = 1;
  });
}
