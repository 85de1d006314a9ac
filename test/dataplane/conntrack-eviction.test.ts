/**
 * After a policy change, conntrack keeps the flows the new state allows and forgets the ones it revokes, so a
 * revoked flow cannot ride on its old entry (found by the lab's random policy sets: a UDP probe whose source port
 * repeated an earlier, then-allowed flow's got through).
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Prober, startListener } from '../../lib/lab/agents';
import { Enforcer } from '../../lib/lab/enforcement';
import { defaultObjectPath } from '../../lib/lab/lab';
import { RunRegistry } from '../../lib/lab/registry';
import { buildTopology } from '../../lib/lab/topology';
import { BpfMap } from '../../lib/dataplane/binding';
import { decodeFlow } from '../../lib/dataplane/conntrack';
import { parseCidr } from '../../lib/model/cidr';
import { ClusterState, NetworkPolicy, PolicyPort } from '../../lib/model/types';
import { describeKernel } from '../support/kernel-env';

const A = { id: 'x/a', kind: 'pod' as const, ips: ['10.250.1.1'] };
const B = { id: 'x/b', kind: 'pod' as const, ips: ['10.250.1.2'] };

function cluster(ports: PolicyPort[]): ClusterState {
  const allowFromA: NetworkPolicy = {
    id: 'x/b-ingress', namespace: 'x', name: 'b-ingress', podSelector: { matchLabels: { app: 'b' } }, policyTypes: ['Ingress'],
    ingress: [{ peers: [{ ipBlock: { cidr: parseCidr('10.250.1.1/32')!, except: [] } }], ports }], egress: [],
  };
  return {
    namespaces: [{ name: 'x', labels: { 'kubernetes.io/metadata.name': 'x' }, declared: true }],
    pods: [
      { id: A.id, namespace: 'x', name: 'a', kind: 'Pod', labels: { app: 'a' }, ports: [], ips: A.ips },
      { id: B.id, namespace: 'x', name: 'b', kind: 'Pod', labels: { app: 'b' }, ports: [], ips: B.ips },
    ],
    policies: [allowFromA],
    services: [],
    nodes: [],
    endpointSlices: [],
  };
}

describeKernel('conntrack after a policy change', () => {
  const registryDir = fs.mkdtempSync(path.join(os.tmpdir(), 'enp-ct-'));
  const registry = new RunRegistry(`ct${process.pid}`, registryDir);
  const pinDir = `/sys/fs/bpf/eks-netpol-ct-test-${process.pid}`;
  registry.add('pinDirs', pinDir);
  afterAll(() => {
    expect(registry.cleanUp()).toEqual([]);
    fs.rmSync(registryDir, { recursive: true, force: true });
  });

  test('revoking a flow removes its entries; a flow the new state still allows keeps them', async () => {
    const topology = buildTopology(`ct${process.pid}`, [A, B], registry);
    const enforcer = new Enforcer(topology);
    registry.add('pids', enforcer.pid);
    const [a, b] = topology.hosts;
    const job = (ports: PolicyPort[], reprogram: boolean) => ({
      objectPath: defaultObjectPath(), pinDir, cluster: cluster(ports), mode: 'standard' as const, reprogram,
      pods: topology.hosts.map((h) => ({ id: h.id, ifname: h.hostInterface, ips: h.ips })),
    });
    const flowsOnB = () => BpfMap.openPinned(path.join(pinDir, 'maps', 'netpol_ct')).entries()
      .map(([key, value]) => decodeFlow(key, value))
      .filter((f) => f.origin === 'ingress')
      .map((f) => `${f.proto === 6 ? 'TCP' : f.proto === 17 ? 'UDP' : f.proto}/${f.podPort}`)
      .sort();

    await enforcer.run(job([{ protocol: 'TCP', port: 80 }, { protocol: 'UDP', port: 81 }], false));
    const listener = await startListener(b.namespace, { tcp: [80], udp: [81] });
    registry.add('pids', listener.pid!);
    const prober = new Prober(a.namespace);
    registry.add('pids', prober.pid);
    expect(await prober.probe([{ address: B.ips[0], port: 80, protocol: 'TCP' }, { address: B.ips[0], port: 81, protocol: 'UDP' }], 3000)).toEqual([true, true]);
    expect(flowsOnB()).toEqual(['TCP/80', 'UDP/81']);

    // WHEN UDP 81 is revoked
    await enforcer.run(job([{ protocol: 'TCP', port: 80 }], true));

    // THEN only the TCP flow's entry is left, and a new UDP flow is dropped
    expect(flowsOnB()).toEqual(['TCP/80']);
    expect(await prober.probe([{ address: B.ips[0], port: 81, protocol: 'UDP' }], 500)).toEqual([false]);
    prober.close();
    enforcer.close();
  });
});
