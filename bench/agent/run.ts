/**
 * bench:agent: the node agent's reconciler over the lab. A synthetic cluster of 10,000 pods and 2,000 policies
 * (bench/reach's generator, pods numbered as the lab numbers them), 100 of its pods on the node (one namespace and
 * veth each), the reconciler running inside the node namespace as on a node. Prints: initial programming (desired
 * state -> every entry written and every program attached), the latency of 100 policy changes (p50/p99), and the
 * process RSS along the way. Targets (issue 6): initial <= 2 s, change p99 <= 50 ms, RSS <= 150 MB.
 *
 * Usage: npm run bench:agent [-- --pods N --policies N --local N --changes N]
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parseArgs } from 'util';
import { EventLog } from '../../lib/agent/events';
import { AgentMetrics } from '../../lib/agent/metrics';
import { Reconciler } from '../../lib/agent/reconciler';
import { assignAddresses } from '../../lib/lab/addresses';
import { reviveJob, serializeJob } from '../../lib/lab/enforcement';
import { RunRegistry } from '../../lib/lab/registry';
import { buildTopology } from '../../lib/lab/topology';
import { parseManifests } from '../../lib/manifests';
import { ClusterState, NetworkPolicy } from '../../lib/model/types';
import { generateCluster } from '../reach/generate';

const ROOT = path.resolve(__dirname, '..', '..', '..');
const OBJECT = path.join(ROOT, 'bpf', 'build', 'netpol.bpf.o');

interface InsideJob {
  readonly cluster: ClusterState;
  readonly local: readonly string[];
  readonly pinDir: string;
  readonly changes: number;
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
  const reconciler = new Reconciler({
    objectPath: OBJECT, pinDir: job.pinDir, mode: 'standard',
    log: new EventLog({ write: () => undefined }), metrics: new AgentMetrics({ processMetrics: false }),
  });
  let started = process.hrtime.bigint();
  await reconciler.programmed(reconciler.update({ cluster: job.cluster, local: job.local }));
  const initialMs = Number(process.hrtime.bigint() - started) / 1e6;
  rss.push(rssMb());
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
  await reconciler.stop();
  const status = reconciler.status();
  process.stdout.write(`${JSON.stringify({ initialMs, latencies, rss, ready: status.ready, reason: status.reason })}\n`);
}

async function outside(argv: readonly string[]): Promise<number> {
  const { values } = parseArgs({
    args: [...argv],
    options: { pods: { type: 'string', default: '10000' }, policies: { type: 'string', default: '2000' }, local: { type: 'string', default: '100' }, changes: { type: 'string', default: '100' } },
  });
  if (process.getuid?.() !== 0) {
    console.log('bench:agent SKIPPED: needs root (network namespaces, eBPF).');
    return 0;
  }
  const [pods, policies, localCount, changes] = [values.pods, values.policies, values.local, values.changes].map(Number);
  const loaded = parseManifests(generateCluster({ pods, policies, seed: 6 }), 'bench.yaml');
  const cluster = assignAddresses(loaded.cluster);
  const local = cluster.pods.slice(0, localCount);
  const runId = `bench${process.pid.toString(36)}`;
  const registry = new RunRegistry(runId);
  const pinDir = `/sys/fs/bpf/eks-netpol-bench-${runId}`;
  registry.add('pinDirs', pinDir);
  const jobFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'eks-netpol-bench-agent-')), 'job.json');
  try {
    const topology = buildTopology(runId, local.map((p) => ({ id: p.id, kind: 'pod', ips: p.ips })), registry);
    fs.writeFileSync(jobFile, serializeJob({ cluster, local: local.map((p) => p.id), pinDir, changes } as never));
    const child = spawnSync('nsenter', [`--net=/run/netns/${topology.node}`, process.execPath, __filename, '--inside', jobFile], { encoding: 'utf8', maxBuffer: 1 << 24, stdio: ['ignore', 'pipe', 'inherit'] });
    if (child.status !== 0) throw new Error(`the bench inside the node namespace failed (exit ${child.status}, signal ${child.signal}).`);
    const result = JSON.parse(child.stdout.trim().split('\n').at(-1)!) as { initialMs: number; latencies: number[]; rss: number[]; ready: boolean; reason?: string };
    const sorted = [...result.latencies].sort((a, b) => a - b);
    const p99 = percentile(sorted, 99);
    const maxRss = Math.max(...result.rss);
    console.log(`bench:agent  cluster ${cluster.pods.length} pods, ${cluster.policies.length} policies; ${local.length} pods on the node; ${changes} changes`);
    console.log(`  initial programming      ${result.initialMs.toFixed(0).padStart(7)} ms   (target <= 2000 ms)  ${result.initialMs <= 2000 ? 'met' : 'NOT met'}`);
    console.log(`  policy change p50        ${percentile(sorted, 50).toFixed(1).padStart(7)} ms`);
    console.log(`  policy change p99        ${p99.toFixed(1).padStart(7)} ms   (target <= 50 ms)    ${p99 <= 50 ? 'met' : 'NOT met'}`);
    console.log(`  RSS samples (MB)         ${result.rss.join(' ')}   (target <= 150 MB)  ${maxRss <= 150 ? 'met' : 'NOT met'}`);
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
