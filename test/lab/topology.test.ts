import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { probeFrom, startListener } from '../../lib/lab/agents';
import { RunRegistry } from '../../lib/lab/registry';
import { ip } from '../../lib/lab/shell';
import { buildTopology } from '../../lib/lab/topology';
import { describeKernel } from '../support/kernel-env';

describeKernel('the lab topology', () => {
  const registryDir = fs.mkdtempSync(path.join(os.tmpdir(), 'enp-registry-'));
  const registry = new RunRegistry(`t${process.pid}`, registryDir);
  const listeners: number[] = [];

  afterAll(() => {
    for (const pid of listeners) registry.add('pids', pid);
    expect(registry.cleanUp()).toEqual([]);
    fs.rmSync(registryDir, { recursive: true, force: true });
  });

  test('without programs attached, every host reaches every other over TCP and UDP, IPv4 and IPv6', async () => {
    const topology = buildTopology(`t${process.pid}`, [
      { id: 'x/a', kind: 'pod', ips: ['10.250.0.1', 'fd00::1'] },
      { id: 'x/b', kind: 'pod', ips: ['10.250.0.2', 'fd00::2'] },
      { id: '203.0.113.9', kind: 'external', ips: ['203.0.113.9'] },
    ], registry);
    for (const host of topology.hosts) {
      const child = await startListener(host.namespace, { tcp: [80], udp: [53] });
      listeners.push(child.pid!);
    }
    const [a, b, external] = topology.hosts;
    const fromA = await probeFrom(a.namespace, [
      { address: '10.250.0.2', port: 80, protocol: 'TCP' },
      { address: 'fd00::2', port: 80, protocol: 'TCP' },
      { address: '10.250.0.2', port: 53, protocol: 'UDP' },
      { address: '203.0.113.9', port: 80, protocol: 'TCP' },
    ], 2000);
    expect(fromA).toEqual([true, true, true, true]);
    expect(await probeFrom(external.namespace, [{ address: '10.250.0.1', port: 80, protocol: 'TCP' }], 2000)).toEqual([true]);
    // A port nobody listens on is refused, not made: the prober tells the two apart.
    expect(await probeFrom(b.namespace, [{ address: '10.250.0.1', port: 81, protocol: 'TCP' }], 2000)).toEqual([false]);
  });

  test('cleaning up removes every namespace the run created', () => {
    const created = [...registry.record.namespaces];
    expect(created.length).toBe(4);
    for (const pid of listeners) registry.add('pids', pid);
    listeners.length = 0;
    expect(registry.cleanUp()).toEqual([]);
    const remaining = ip('netns', 'list');
    for (const name of created) expect(remaining).not.toContain(name);
  });
});
