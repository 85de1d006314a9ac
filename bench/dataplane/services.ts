/**
 * What Services cost the node's programming (issue 12): bench:agent's `typical` cluster (10,000 pods, 2,000
 * policies, 100 pods on the node) with and without 2,000 Services (one per app, port 80 to the named target port
 * `http`, cluster IPs from 172.20.0.0/16), programmed by the agent's NodeProgrammer (compile, encode, diff; the kernel
 * writes of a diff add 0.1-0.2 ms, see README):
 *   - the initial programming, with and without the Services;
 *   - an endpoint change: a Service's backends move (its selector now names a new pod that replaces the old one, as a
 *     rollout does, and a new EndpointSlice list), p50 and p99 over the changes, target <= 50 ms p99.
 * No kernel needed. Usage: node dist/bench/dataplane/services.js [--changes N]
 */
import { parseArgs } from 'util';
import { NodeProgrammer, diffSize } from '../../lib/dataplane';
import { assignAddresses } from '../../lib/lab/addresses';
import { parseManifests } from '../../lib/manifests';
import { formatIp } from '../../lib/model/cidr';
import { ClusterState, PodIdentity, Service } from '../../lib/model/types';
import { generateTypicalCluster } from '../agent/typical-cluster';

const CHANGE_TARGET_MS = 50;

function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

/** One Service per app for the first `count` apps: selector app=<name>, port 80 -> "http". */
function servicesFor(pods: readonly PodIdentity[], count: number): Service[] {
  return pods.filter((p) => p.labels.app?.startsWith('app-')).slice(0, count).map((pod, i) => ({
    id: `${pod.namespace}/${pod.labels.app}`, namespace: pod.namespace, name: pod.labels.app, type: 'ClusterIP',
    clusterIPs: [formatIp(4, (172n << 24n) + (20n << 16n) + BigInt(i + 1))], headless: false, externalIPs: [],
    selector: { app: pod.labels.app }, ports: [{ port: 80, targetPort: 'http', protocol: 'TCP' }],
  }));
}

function main(): void {
  const { values } = parseArgs({ options: { changes: { type: 'string', default: '100' }, services: { type: 'string', default: '2000' } } });
  const changes = Number(values.changes);
  const yaml = generateTypicalCluster({ pods: 10_000, policies: 2_000 });
  const base = assignAddresses(parseManifests(yaml, 'typical.yaml').cluster);
  const local = base.pods.slice(0, 100).map((p, i) => ({ id: p.id, ifindex: 100 + i }));
  const withServices: ClusterState = { ...base, services: servicesFor(base.pods, Number(values.services)) };

  const initial = (cluster: ClusterState) => {
    const programmer = new NodeProgrammer();
    const started = process.hrtime.bigint();
    const update = programmer.update(cluster, local);
    return { programmer, ms: Number(process.hrtime.bigint() - started) / 1e6, ...diffSize(update.diffs) };
  };
  const without = initial(base);
  const withS = initial(withServices);
  const isolatedEgress = withS.programmer.image().get('netpol_pods')!;
  process.stdout.write(`initial programming, 100 local pods: without Services ${without.ms.toFixed(0)} ms (${without.updates} writes), `
    + `with ${withServices.services.length} Services ${withS.ms.toFixed(0)} ms (${withS.updates} writes; ${isolatedEgress.size} pods)\n`);

  // Endpoint changes: the backend of a Service is replaced by a new pod (same identity and labels, a new IP), as a
  // rollout does; each step is one update of the programmer. The same changes without Services, for comparison.
  const run = (start: ClusterState, programmer: NodeProgrammer) => {
    let cluster = start;
    const latencies: number[] = [];
    const recompiled: number[] = [];
    for (let i = 0; i < changes; i++) {
      const service = withServices.services[(i * 37) % withServices.services.length];
      const old = cluster.pods.find((p) => p.labels.app === service.selector!.app)!;
      const replacement: PodIdentity = { ...old, ips: [formatIp(4, (10n << 24n) + (250n << 16n) + BigInt(i + 1))] };
      cluster = { ...cluster, pods: cluster.pods.map((p) => (p === old ? replacement : p)) };
      const started = process.hrtime.bigint();
      const update = programmer.update(cluster, local);
      latencies.push(Number(process.hrtime.bigint() - started) / 1e6);
      recompiled.push(update.recompiled.length);
    }
    return { latencies, recompiled };
  };
  const report = (label: string, r: { latencies: number[]; recompiled: number[] }) => {
    const p99 = percentile(r.latencies, 99);
    process.stdout.write(`endpoint change (backend pod replaced, ${changes} changes) ${label}: p50 ${percentile(r.latencies, 50).toFixed(1)} ms, `
      + `p99 ${p99.toFixed(1)} ms (target ${CHANGE_TARGET_MS} ms: ${p99 <= CHANGE_TARGET_MS ? 'met' : 'MISSED'}), local pods recompiled per change: median ${percentile(r.recompiled, 50)}\n`);
  };
  report('without Services', run(base, without.programmer));
  report(`with ${withServices.services.length} Services`, run(withServices, withS.programmer));

  // A Service's backends move without any pod changing: its selector now names another app (a new Service object,
  // as a watch delivers it), so only the Service list changes.
  let cluster: ClusterState = withServices;
  const latencies: number[] = [];
  const recompiled: number[] = [];
  const apps = base.pods.filter((p) => p.labels.app?.startsWith('app-'));
  for (let i = 0; i < changes; i++) {
    const index = (i * 53) % cluster.services.length;
    const target = apps[(i * 7919) % apps.length];
    const moved: Service = { ...cluster.services[index], namespace: target.namespace, id: `${target.namespace}/${cluster.services[index].name}`, selector: { app: target.labels.app } };
    cluster = { ...cluster, services: cluster.services.map((svc, k) => (k === index ? moved : svc)) };
    const started = process.hrtime.bigint();
    const update = withS.programmer.update(cluster, local);
    latencies.push(Number(process.hrtime.bigint() - started) / 1e6);
    recompiled.push(update.recompiled.length);
  }
  report('by a Service\'s selector (no pod changes)', { latencies, recompiled });
}

main();
