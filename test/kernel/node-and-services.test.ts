/**
 * A lab node that behaves like an EKS node, in the kernel: the node namespace has its own address, and kube-proxy's
 * iptables rules translate cluster IPs in it (lib/lab/kube-proxy.ts). Our programs judge:
 * - node to local pod: always allowed (kubelet probes), while a pod on the same node stays denied;
 * - a pod's egress to a cluster IP, before kube-proxy's DNAT: allowed iff every backend is, on its target port; the
 *   reply comes back un-DNATed and passes by the egress conntrack entry;
 * - a new EndpointSlice moves the Service to another backend: the kernel follows, measured;
 * - a hostNetwork pod is the node: it reaches local pods always, and pods reach it only by an ipBlock.
 */
import { ChildProcess, execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import * as readline from 'readline';
import { Prober, ProbeTarget } from '../../lib/lab/agents';
import { EnforcementJob, Enforcer } from '../../lib/lab/enforcement';
import { applyServiceRules, natTable, serviceRules } from '../../lib/lab/kube-proxy';
import { RunRegistry } from '../../lib/lab/registry';
import { runInNetns, spawnInNetns } from '../../lib/lab/shell';
import { addNodeAddresses, buildTopology, Topology } from '../../lib/lab/topology';
import { ClusterState, EndpointSlice, PodIdentity, PolicyPeer, Service } from '../../lib/model/types';
import { block, cluster, pod, policy } from '../dataplane/model-builders';
import { describeKernel } from '../support/kernel-env';

const ROOT = path.resolve(__dirname, '..', '..');
const OBJECT = path.join(ROOT, 'bpf', 'build', 'netpol.bpf.o');
const NODE_IP = '10.97.255.1';
/** What the agent's README promises for one change reaching the kernel (p99). */
const CHANGE_TARGET_MS = 50;

const http = [{ name: 'http', port: 8080, protocol: 'TCP' as const }];
const PODS: PodIdentity[] = [
  pod('shop/web', { app: 'web' }, ['10.97.0.2']),
  pod('shop/api-1', { app: 'api', v: '1' }, ['10.97.0.11'], http),
  pod('shop/api-2', { app: 'api', v: '2' }, ['10.97.0.12'], http),
  pod('shop/db', { app: 'db' }, ['10.97.0.21'], [{ name: 'pg', port: 5432, protocol: 'TCP' }]),
];
const ip = (id: string) => PODS.find((p) => p.id === id)!.ips[0];
/** A hostNetwork pod: it is the node (the node's address, the node's namespace); the lab runs it there. */
const EXPORTER: PodIdentity = { ...pod('monitoring/node-exporter', { app: 'node-exporter' }, [NODE_IP]), hostNetwork: true, nodeName: 'lab-node' };

function service(name: string, clusterIP: string, port: number, targetPort: number | string, selector?: Record<string, string>): Service {
  return { id: `shop/${name}`, namespace: 'shop', name, type: 'ClusterIP', clusterIPs: [clusterIP], headless: false, externalIPs: [], selector, ports: [{ port, targetPort, protocol: 'TCP' }] };
}

function slice(name: string, serviceName: string, podId: string): EndpointSlice {
  return {
    id: `shop/${name}`, namespace: 'shop', name, kind: 'EndpointSlice', serviceName, managedBy: 'lab', addressType: 'IPv4',
    endpoints: [{ addresses: [ip(podId)], ready: true, targetRef: { kind: 'Pod', namespace: 'shop', name: podId.split('/')[1] } }],
    ports: [{ port: 8080, protocol: 'TCP' }],
  };
}

const API_IP = '172.21.0.10';
const DB_IP = '172.21.0.20';
const policies = [
  policy('shop/deny-in', {}, { ingress: [] }),
  policy('shop/api-in', { matchLabels: { app: 'api' } }, { ingress: [{ peers: [{ podSelector: { matchLabels: { app: 'web' } } }], ports: [{ protocol: 'TCP', port: 8080 }] }] }),
  policy('shop/db-in', { matchLabels: { app: 'db' } }, { ingress: [{ peers: [{ podSelector: { matchLabels: { app: 'web' } } }], ports: [{ protocol: 'TCP', port: 5432 }] }] }),
  // web's egress admits api's backends on their target port, and nothing else (db is admitted by its own ingress).
  policy('shop/web-out', { matchLabels: { app: 'web' } }, { egress: [{ peers: [{ podSelector: { matchLabels: { app: 'api' } } }], ports: [{ protocol: 'TCP', port: 8080 }] }] }),
];
/** api is selectorless: its endpoints are the slices, first api-1's. */
const state = (slices: EndpointSlice[]): ClusterState => ({
  ...cluster([...PODS, EXPORTER], policies),
  services: [service('api', API_IP, 80, 8080), service('db', DB_IP, 5432, 'pg', { app: 'db' })],
  endpointSlices: slices,
});

/** A listener that reports every connection it accepts, so the test knows which backend a cluster IP reached. */
function countingListener(namespace: string, port: number): Promise<{ child: ChildProcess; accepted: () => number }> {
  const script = `const net=require('net');net.createServer((s)=>{console.log('accepted');s.end();}).listen(${port},'0.0.0.0',()=>console.log('ready'));`;
  const child = spawnInNetns(namespace, process.execPath, ['-e', script]);
  let accepted = 0;
  return new Promise((resolve, reject) => {
    readline.createInterface({ input: child.stdout! }).on('line', (line) => {
      if (line === 'ready') resolve({ child, accepted: () => accepted });
      if (line === 'accepted') accepted++;
    });
    child.once('exit', (code) => reject(new Error(`listener in ${namespace} exited ${code}`)));
  });
}

/** Lets the listeners' reports of connections already made arrive. */
const settled = () => new Promise((resolve) => setTimeout(resolve, 150));

describeKernel('the node and Services on a lab node with kube-proxy\'s rules', () => {
  let registry: RunRegistry;
  let topology: Topology;
  let enforcer: Enforcer;
  let pinDir: string;
  const probers = new Map<string, Prober>();
  const listeners = new Map<string, { child: ChildProcess; accepted: () => number }>();
  let programmed = false;

  const namespaceOf = (id: string) => topology.hosts.find((h) => h.id === id)!.namespace;
  const program = async (cluster: ClusterState, nodeAddresses: string[] = [NODE_IP]) => {
    const job: EnforcementJob = {
      objectPath: OBJECT, pinDir, cluster, mode: 'standard', nodeAddresses, reprogram: programmed, incremental: true,
      pods: topology.hosts.map((h) => ({ id: h.id, ifname: h.hostInterface, ips: h.ips })),
    };
    await enforcer.run(job);
    programmed = true;
  };
  const reaches = async (from: string, targets: ProbeTarget[], timeoutMs = 1000) => probers.get(from)!.probe(targets, timeoutMs);
  const tcp = (address: string, port: number): ProbeTarget => ({ address, port, protocol: 'TCP' });

  beforeAll(async () => {
    if (!fs.existsSync(OBJECT)) execFileSync('make', ['-C', path.join(ROOT, 'bpf')], { stdio: 'pipe' });
    if (!fs.existsSync(path.join(ROOT, 'dist', 'lib', 'lab', 'enforcer-main.js'))) execFileSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { cwd: ROOT, stdio: 'pipe' });
    RunRegistry.reapStale();
    const runId = `sv${process.pid.toString(36)}`;
    registry = new RunRegistry(runId);
    pinDir = `/sys/fs/bpf/eks-netpol-lab-${runId}`;
    registry.add('pinDirs', pinDir);
    topology = buildTopology(runId, PODS.map((p) => ({ id: p.id, kind: 'pod' as const, ips: p.ips })), registry);
    addNodeAddresses(topology, [NODE_IP]);
    enforcer = new Enforcer(topology);
    registry.add('pids', enforcer.pid);
    for (const id of ['shop/web', 'shop/db']) {
      const prober = new Prober(namespaceOf(id));
      registry.add('pids', prober.pid);
      probers.set(id, prober);
    }
    const nodeProber = new Prober(topology.node);
    registry.add('pids', nodeProber.pid);
    probers.set('node', nodeProber);
    for (const [id, port] of [['shop/api-1', 8080], ['shop/api-2', 8080], ['shop/db', 5432]] as const) {
      const listener = await countingListener(namespaceOf(id), port);
      registry.add('pids', listener.child.pid!);
      listeners.set(id, listener);
    }
    applyServiceRules(topology.node, state([slice('api-a', 'api', 'shop/api-1')]));
  }, 60_000);

  afterAll(() => {
    for (const prober of probers.values()) prober.close();
    for (const listener of listeners.values()) listener.child.kill('SIGKILL');
    enforcer?.close();
    const left = registry?.cleanUp() ?? [];
    expect(left).toEqual([]);
  });

  test('kube-proxy\'s rules are in the node namespace: a KUBE-SVC chain per Service port, a DNAT per backend', () => {
    const saved = runInNetns(topology.node, 'iptables-save', ['-t', 'nat']);
    expect(saved).toMatch(new RegExp(`-A KUBE-SERVICES -d ${API_IP.replace(/\./g, '\\.')}/32 -p tcp .*--dport 80 -j KUBE-SVC-[A-Z2-7]{16}`));
    expect(saved).toContain(`--to-destination ${ip('shop/api-1')}:8080`);
    expect(saved).toContain(`--to-destination ${ip('shop/db')}:5432`);
    // Several backends are picked at random, 1/n then 1/(n-1) ... then the last unconditionally.
    const two = natTable(serviceRules({ ...state([slice('api-a', 'api', 'shop/api-1'), slice('api-b', 'api', 'shop/api-2')]) }));
    expect(two).toMatch(/-m statistic --mode random --probability 0\.5000000000 -j KUBE-SEP-/);
  });

  test('under default-deny ingress, the node reaches its pod on any port, while a pod on the same node does not', async () => {
    await program(state([slice('api-a', 'api', 'shop/api-1')]), []);
    // Without the node's address the node is judged like any address: default deny drops it.
    expect(await reaches('node', [tcp(ip('shop/api-1'), 8080), tcp(ip('shop/db'), 5432)], 500)).toEqual([false, false]);
    await program(state([slice('api-a', 'api', 'shop/api-1')]));
    expect(await reaches('node', [tcp(ip('shop/api-1'), 8080), tcp(ip('shop/db'), 5432)])).toEqual([true, true]);
    expect(await reaches('shop/db', [tcp(ip('shop/api-1'), 8080)], 500)).toEqual([false]);
  });

  test('web\'s egress allowlist to api\'s backends reaches api\'s cluster IP, and nothing else', async () => {
    await settled();
    const before = listeners.get('shop/api-1')!.accepted();
    const dbBefore = listeners.get('shop/db')!.accepted();
    const made = await reaches('shop/web', [tcp(API_IP, 80), tcp(ip('shop/api-1'), 8080), tcp(DB_IP, 5432), tcp(ip('shop/db'), 5432), tcp(API_IP, 8080)], 500);
    expect(made).toEqual([true, true, false, false, false]);
    await settled();
    // Both connections were answered by api-1: the cluster IP was translated to it, and its reply un-translated.
    expect(listeners.get('shop/api-1')!.accepted() - before).toBe(2);
    expect(listeners.get('shop/db')!.accepted()).toBe(dbBefore);
  });

  test('after a new EndpointSlice moves api to api-2, the cluster IP reaches api-2 within the target, and api-1 no more', async () => {
    const times: { programmed: number; translated: number; reached: number }[] = [];
    // Back and forth five times: api-2, api-1, api-2, api-1, api-2.
    for (let move = 0; move < 5; move++) {
      const [to, from] = move % 2 === 0 ? ['shop/api-2', 'shop/api-1'] : ['shop/api-1', 'shop/api-2'];
      const moved = state([slice(`api-${move}`, 'api', to)]);
      await settled();
      const old = listeners.get(from)!.accepted();
      const started = process.hrtime.bigint();
      const elapsed = () => Number(process.hrtime.bigint() - started) / 1e6;
      // The agent (a NodeDataplane, as the agent holds one) and kube-proxy each follow the slice; the lab plays both.
      await program(moved);
      const programmed = elapsed();
      applyServiceRules(topology.node, moved);
      const translated = elapsed();
      let reached: number | undefined;
      while (reached === undefined && elapsed() < 5000) {
        const [made] = await reaches('shop/web', [tcp(API_IP, 80)], 200);
        if (made) reached = elapsed();
      }
      expect(reached).toBeDefined();
      times.push({ programmed, translated, reached: reached! });
      const made = await reaches('shop/web', Array.from({ length: 10 }, () => tcp(API_IP, 80)));
      expect(made).toEqual(Array(10).fill(true));
      await settled();
      expect(listeners.get(from)!.accepted()).toBe(old);
    }
    const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
    process.stderr.write(`endpoint change, median of 5 (ms): maps programmed ${median(times.map((t) => t.programmed)).toFixed(1)}, `
      + `iptables written ${median(times.map((t) => t.translated)).toFixed(1)}, first connection ${median(times.map((t) => t.reached)).toFixed(1)}\n`);
    // The data plane's part (job sent to the node's NodeDataplane, sync, answer) within the agent's target.
    expect(median(times.map((t) => t.programmed))).toBeLessThanOrEqual(CHANGE_TARGET_MS);
  });

  test('when the new backend is one web\'s egress does not admit, the cluster IP is denied (fail closed)', async () => {
    const onlyV1 = policies.map((p) => (p.id !== 'shop/web-out' ? p : policy('shop/web-out', { matchLabels: { app: 'web' } }, {
      egress: [{ peers: [{ podSelector: { matchLabels: { app: 'api', v: '1' } } }], ports: [{ protocol: 'TCP', port: 8080 }] }],
    })));
    const both = (slices: EndpointSlice[]): ClusterState => ({ ...state(slices), policies: onlyV1 });
    await program(both([slice('api-a', 'api', 'shop/api-1')]));
    applyServiceRules(topology.node, both([slice('api-a', 'api', 'shop/api-1')]));
    expect(await reaches('shop/web', [tcp(API_IP, 80)])).toEqual([true]);
    // Two backends, one admitted: partial, denied. Then api-2 alone: denied; api-1 itself stays reachable.
    for (const slices of [[slice('api-a', 'api', 'shop/api-1'), slice('api-b', 'api', 'shop/api-2')], [slice('api-b', 'api', 'shop/api-2')]]) {
      await program(both(slices));
      applyServiceRules(topology.node, both(slices));
      expect(await reaches('shop/web', [tcp(API_IP, 80), tcp(API_IP, 80), tcp(ip('shop/api-1'), 8080), tcp(ip('shop/api-2'), 8080)], 500)).toEqual([false, false, true, false]);
    }
  });
  test('a hostNetwork pod is the node: it reaches local pods whatever their policies, and pods reach it only by address', async () => {
    const exporter = await countingListener(topology.node, 9100);
    registry.add('pids', exporter.child.pid!);
    listeners.set('node-exporter', exporter);
    const toExporter = (peers: PolicyPeer[]) => ({
      ...state([slice('api-a', 'api', 'shop/api-1')]),
      policies: [...policies.filter((p) => p.id !== 'shop/web-out'), policy('shop/web-out', { matchLabels: { app: 'web' } }, { egress: [{ peers, ports: [{ protocol: 'TCP', port: 9100 }] }] })],
    });
    // A selector that matches the hostNetwork pod does not admit the node's address: only an ipBlock does.
    await program(toExporter([{ namespaceSelector: {}, podSelector: { matchLabels: { app: 'node-exporter' } } }]));
    expect(await reaches('shop/web', [tcp(NODE_IP, 9100)], 500)).toEqual([false]);
    await program(toExporter([{ ipBlock: block(`${NODE_IP}/32`) }]));
    expect(await reaches('shop/web', [tcp(NODE_IP, 9100)])).toEqual([true]);
    // The hostNetwork pod's own connections leave from the node's address: admitted to every local pod.
    expect(await reaches('node', [tcp(ip('shop/db'), 5432), tcp(ip('shop/api-2'), 8080)])).toEqual([true, true]);
  });
});
