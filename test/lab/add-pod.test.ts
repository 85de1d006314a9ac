/**
 * addPod: one pod joined to a built lab, as a CNI wires a pod at its start, reaches and is reached like the pods
 * built with the topology, and goes away with the run.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { probeFrom, startListener } from '../../lib/lab/agents';
import { RunRegistry } from '../../lib/lab/registry';
import { ip } from '../../lib/lab/shell';
import { addPod, buildTopology } from '../../lib/lab/topology';
import { describeKernel } from '../support/kernel-env';

describeKernel('adding a pod to the lab', () => {
  const registryDir = fs.mkdtempSync(path.join(os.tmpdir(), 'enp-registry-'));
  const registry = new RunRegistry(`a${process.pid}`, registryDir);

  afterAll(() => {
    expect(registry.cleanUp()).toEqual([]);
    fs.rmSync(registryDir, { recursive: true, force: true });
  });

  test('the added pod has its own namespace and veth, and talks both ways over IPv4 and IPv6', async () => {
    const built = buildTopology(`a${process.pid}`, [{ id: 'x/a', kind: 'pod', ips: ['10.251.0.1', 'fd01::1'] }], registry);
    const { topology, host } = addPod(built, { id: 'x/late', ips: ['10.251.0.2', 'fd01::2'] }, registry);
    expect(host).toEqual({ id: 'x/late', kind: 'pod', ips: ['10.251.0.2', 'fd01::2'], namespace: `enp-a${process.pid}-1`, hostInterface: 'p1' });
    expect(topology.hosts.map((h) => h.id)).toEqual(['x/a', 'x/late']);
    expect(registry.record.namespaces).toContain(host.namespace);
    for (const namespace of [built.hosts[0].namespace, host.namespace]) registry.add('pids', (await startListener(namespace, { tcp: [80], udp: [] })).pid!);
    expect(await probeFrom(host.namespace, [{ address: '10.251.0.1', port: 80, protocol: 'TCP' }, { address: 'fd01::1', port: 80, protocol: 'TCP' }], 2000)).toEqual([true, true]);
    expect(await probeFrom(built.hosts[0].namespace, [{ address: '10.251.0.2', port: 80, protocol: 'TCP' }], 2000)).toEqual([true]);
  });

  test('cleaning up the run removes the added pod\'s namespace too', () => {
    const added = registry.record.namespaces.at(-1)!;
    expect(registry.cleanUp()).toEqual([]);
    expect(ip('netns', 'list')).not.toContain(added);
  });
});
