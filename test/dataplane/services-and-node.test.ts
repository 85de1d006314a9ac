/**
 * The node and Services in the compiled entries, held to the rules the engine follows, stated here without it:
 * - traffic from the node's own addresses to a local pod always passes its ingress (kubelet probes);
 * - a local pod may use a cluster IP's Service port iff the Service port has a backend and the pod's egress allows
 *   EVERY backend on its resolved target port (some but not all: denied, "partial"); the kernel sees the cluster IP
 *   before kube-proxy's translation, so the entry is what decides.
 */
import fc from 'fast-check';
import { CompiledDirection, NodeProgrammer, PrefixLookup, applyDiffToImage, compileNode, encodeNode, portSetAllows } from '../../lib/dataplane';
import { MapImage } from '../../lib/dataplane/encode';
import { parseIp } from '../../lib/model/cidr';
import { ClusterState, EndpointSlice, PodIdentity, PolicyPeer, Protocol, Service, ServicePort } from '../../lib/model/types';
import { Reachability } from '../../lib/verdict/reachability';
import { block, cluster, pod, policy } from './model-builders';

/** What the kernel's lookup over the compiled entries decides for one peer address, port and protocol. */
function allows(direction: CompiledDirection, ip: string, port: number, protocol: Protocol = 'TCP'): boolean {
  if (direction.state === 'open') return true;
  const address = parseIp(ip)!;
  const set = new PrefixLookup(direction.hosts, direction.cidrs).find(address.family, address.address);
  return set !== undefined && portSetAllows(set, port, protocol);
}

function service(id: string, clusterIPs: string[], selector: Record<string, string> | undefined, ports: Partial<ServicePort>[]): Service {
  const [namespace, name] = id.split('/');
  return {
    id, namespace, name, type: 'ClusterIP', clusterIPs, headless: false, externalIPs: [], selector,
    ports: ports.map((p) => ({ port: 80, targetPort: p.port ?? 80, protocol: 'TCP', ...p })),
  };
}

function slice(id: string, serviceName: string, addresses: string[], port: number): EndpointSlice {
  const [namespace, name] = id.split('/');
  return {
    id, namespace, name, kind: 'EndpointSlice', serviceName, managedBy: 'test', addressType: 'IPv4',
    endpoints: addresses.map((a) => ({ addresses: [a], ready: true })), ports: [{ port, protocol: 'TCP' }],
  };
}

const web = pod('shop/web', { app: 'web' }, ['10.0.0.1'], [{ name: 'http', port: 8080, protocol: 'TCP' }]);
const api1 = pod('shop/api-1', { app: 'api', v: '1' }, ['10.0.0.11'], [{ name: 'http', port: 8080, protocol: 'TCP' }]);
const api2 = pod('shop/api-2', { app: 'api', v: '2' }, ['10.0.0.12'], [{ name: 'http', port: 9090, protocol: 'TCP' }]);
const db = pod('shop/db', { app: 'db' }, ['10.0.0.21', 'fd00::21'], [{ name: 'pg', port: 5432, protocol: 'TCP' }]);
const withServices = (state: ClusterState, services: Service[], slices: EndpointSlice[] = []): ClusterState => ({ ...state, services, endpointSlices: slices });
const egressTo = (selector: Record<string, string>, ports: (number | string)[]) => policy('shop/web-out', { matchLabels: { app: 'web' } }, {
  egress: [{ peers: [{ podSelector: { matchLabels: selector } }], ports: ports.map((port) => ({ protocol: 'TCP' as const, port })) }],
});
const egressOf = (state: ClusterState, id = 'shop/web') => compileNode(state, [{ id, ifindex: 7 }]).pods[0].egress;

describe('node to local pod', () => {
  const denyIn = policy('shop/deny-in', {}, { ingress: [] });

  test('under default-deny ingress, the node\'s addresses reach the pod on every port, and nothing else does', () => {
    const compiled = compileNode(cluster([web, api1], [denyIn]), [{ id: 'shop/web', ifindex: 7 }], undefined, { nodeAddresses: ['192.168.1.10', 'fd01::10'] });
    const ingress = compiled.pods[0].ingress;
    expect(ingress.state).toBe('isolated');
    expect(allows(ingress, '192.168.1.10', 8080)).toBe(true);
    expect(allows(ingress, '192.168.1.10', 53, 'UDP')).toBe(true);
    expect(allows(ingress, 'fd01::10', 10250)).toBe(true);
    expect(allows(ingress, '10.0.0.11', 8080)).toBe(false);
    expect(allows(ingress, '192.168.1.11', 8080)).toBe(false);
    expect(compiled.problems).toEqual([]);
  });

  test('egress to the node is judged as to any address, and an open direction needs no entry', () => {
    const state = cluster([web], [policy('shop/deny-out', {}, { egress: [] })]);
    const { ingress, egress } = compileNode(state, [{ id: 'shop/web', ifindex: 7 }], undefined, { nodeAddresses: ['192.168.1.10'] }).pods[0];
    expect(ingress).toEqual({ state: 'open', hosts: [], cidrs: [] });
    expect(allows(egress, '192.168.1.10', 10250)).toBe(false);
  });

  test('a node address inside an ipBlock that admits one port still gets every port, and hostNetwork pods there share no problem', () => {
    const fromNodes = policy('shop/web-in', { matchLabels: { app: 'web' } }, { ingress: [{ peers: [{ ipBlock: block('192.168.0.0/16') }], ports: [{ protocol: 'TCP', port: 8080 }] }] });
    const kubeProxy = { ...pod('kube-system/kube-proxy', { k8s: 'kube-proxy' }, ['192.168.1.10']), hostNetwork: true as const };
    const node = pod('kube-system/aws-node', { k8s: 'aws-node' }, ['192.168.1.10']);
    const compiled = compileNode(cluster([web, kubeProxy, node], [fromNodes]), [{ id: 'shop/web', ifindex: 7 }], undefined, { nodeAddresses: ['192.168.1.10'] });
    expect(allows(compiled.pods[0].ingress, '192.168.1.10', 9999)).toBe(true);
    expect(allows(compiled.pods[0].ingress, '192.168.1.11', 8080)).toBe(true);
    expect(allows(compiled.pods[0].ingress, '192.168.1.11', 9999)).toBe(false);
    expect(compiled.problems).toEqual([]);
  });
});

describe('hostNetwork pods are their node', () => {
  test('a selector that matches a hostNetwork pod (on another node) does not admit its address; an ipBlock does', () => {
    const exporter = { ...pod('monitoring/node-exporter', { app: 'node-exporter' }, ['192.168.2.20']), hostNetwork: true as const, nodeName: 'other' };
    const rule = (peers: PolicyPeer[]) => policy('shop/web-out', { matchLabels: { app: 'web' } }, { egress: [{ peers, ports: [{ protocol: 'TCP', port: 9100 }] }] });
    const bySelector = compileNode(cluster([web, exporter], [rule([{ namespaceSelector: {}, podSelector: { matchLabels: { app: 'node-exporter' } } }])]), [{ id: 'shop/web', ifindex: 7 }]);
    expect(allows(bySelector.pods[0].egress, '192.168.2.20', 9100)).toBe(false);
    const byBlock = compileNode(cluster([web, exporter], [rule([{ ipBlock: block('192.168.2.0/24') }])]), [{ id: 'shop/web', ifindex: 7 }]);
    expect(allows(byBlock.pods[0].egress, '192.168.2.20', 9100)).toBe(true);
  });
});

describe('cluster IPs', () => {
  const apiService = service('shop/api', ['172.20.0.10'], { app: 'api' }, [{ port: 80, targetPort: 'http' }]);

  test('egress that admits every backend on its target port admits the Service port on the cluster IP, and only it', () => {
    const state = withServices(cluster([web, api1, api2], [egressTo({ app: 'api' }, [8080, 9090])]), [apiService]);
    const egress = egressOf(state);
    expect(allows(egress, '172.20.0.10', 80)).toBe(true);
    expect(allows(egress, '172.20.0.10', 8080)).toBe(false);
    expect(allows(egress, '172.20.0.10', 80, 'UDP')).toBe(false);
  });

  test('admitting the Service port instead of the target port (the classic mistake) does not admit the cluster IP', () => {
    const state = withServices(cluster([web, api1, api2], [egressTo({ app: 'api' }, [80])]), [apiService]);
    expect(allows(egressOf(state), '172.20.0.10', 80)).toBe(false);
  });

  test('some backends allowed and some denied is denied (partial): the named target port resolves per backend', () => {
    // api-1 serves "http" on 8080, api-2 on 9090: admitting 8080 admits one backend of two.
    const state = withServices(cluster([web, api1, api2], [egressTo({ app: 'api' }, [8080])]), [apiService]);
    expect(allows(egressOf(state), '172.20.0.10', 80)).toBe(false);
    const onlyV1 = withServices(state, [service('shop/api', ['172.20.0.10'], { app: 'api', v: '1' }, [{ port: 80, targetPort: 'http' }])]);
    expect(allows(egressOf(onlyV1), '172.20.0.10', 80)).toBe(true);
  });

  test('a Service without backends admits nothing, and an ipBlock covering the Service range does not admit its cluster IP', () => {
    const everything = policy('shop/web-out', { matchLabels: { app: 'web' } }, { egress: [{ peers: [{ ipBlock: block('0.0.0.0/0') }], ports: [{ protocol: 'TCP', port: 80 }] }] });
    const state = withServices(cluster([web, api1, api2], [everything]), [apiService, service('shop/none', ['172.20.0.11'], { app: 'none' }, [{ port: 80 }])]);
    const egress = egressOf(state);
    // The backends listen on 8080 and 9090, which the rule does not admit; the other Service has no backend.
    expect(allows(egress, '172.20.0.10', 80)).toBe(false);
    expect(allows(egress, '172.20.0.11', 80)).toBe(false);
    // Any other address in the block keeps what the block admits.
    expect(allows(egress, '172.20.0.12', 80)).toBe(true);
  });

  test('dual-stack cluster IPs each get the entry; ports are per protocol; headless and unallocated Services get none', () => {
    const dbService = service('shop/db', ['172.20.0.20', 'fd02::20'], { app: 'db' }, [{ name: 'pg', port: 5432, targetPort: 'pg' }, { name: 'dns', port: 53, targetPort: 5432, protocol: 'UDP' }]);
    const headless = { ...service('shop/db-headless', [], { app: 'db' }, [{ port: 5432 }]), headless: true };
    const state = withServices(cluster([web, db], [egressTo({ app: 'db' }, [5432])]), [dbService, headless]);
    const egress = egressOf(state);
    expect(allows(egress, '172.20.0.20', 5432)).toBe(true);
    expect(allows(egress, 'fd02::20', 5432)).toBe(true);
    expect(allows(egress, '172.20.0.20', 53, 'UDP')).toBe(false);
    expect(egress.hosts.filter((h) => h.address === parseIp('172.20.0.20')!.address || h.address === parseIp('fd02::20')!.address)).toHaveLength(2);
  });

  test('backends from an EndpointSlice: an address no pod has is judged by the ipBlocks', () => {
    const external = service('shop/legacy', ['172.20.0.30'], undefined, [{ port: 443, targetPort: 8443 }]);
    const rule = (cidr: string, port: number) => policy('shop/web-out', { matchLabels: { app: 'web' } }, { egress: [{ peers: [{ ipBlock: block(cidr) }], ports: [{ protocol: 'TCP', port }] }] });
    const slices = [slice('shop/legacy-1', 'legacy', ['203.0.113.5', '203.0.113.6'], 8443)];
    expect(allows(egressOf(withServices(cluster([web], [rule('203.0.113.0/24', 8443)]), [external], slices)), '172.20.0.30', 443)).toBe(true);
    expect(allows(egressOf(withServices(cluster([web], [rule('203.0.113.5/32', 8443)]), [external], slices)), '172.20.0.30', 443)).toBe(false);
  });

  test('an open egress needs no cluster IP entry', () => {
    const state = withServices(cluster([web, api1], [policy('shop/deny-in', {}, { ingress: [] })]), [apiService]);
    expect(egressOf(state)).toEqual({ state: 'open', hosts: [], cidrs: [] });
  });
});

/** Random Services and egress rules over five pods in two namespaces. */
const RANDOM_PODS: PodIdentity[] = [
  pod('a/p0', { app: 'x', tier: 'a' }, ['10.1.0.1'], [{ name: 'http', port: 8080, protocol: 'TCP' }]),
  pod('a/p1', { app: 'x', tier: 'b' }, ['10.1.0.2', 'fd00::2'], [{ name: 'http', port: 8081, protocol: 'TCP' }]),
  pod('a/p2', { app: 'y', tier: 'a' }, ['10.1.0.3'], [{ name: 'http', port: 8080, protocol: 'TCP' }, { name: 'dns', port: 53, protocol: 'UDP' }]),
  pod('b/p3', { app: 'x', tier: 'a' }, ['10.2.0.1'], [{ name: 'dns', port: 53, protocol: 'UDP' }]),
  pod('b/p4', { app: 'y', tier: 'b' }, ['10.2.0.2', 'fd00::4']),
];
const selector = fc.constantFrom<Record<string, string>>({ app: 'x' }, { app: 'y' }, { tier: 'a' }, { tier: 'b' }, {});
const randomServiceOf = (i: number) => fc.record({
  namespace: fc.constantFrom('a', 'b'),
  selector,
  ports: fc.array(fc.record({
    port: fc.constantFrom(80, 53, 8080),
    targetPort: fc.constantFrom<number | string>(8080, 8081, 53, 'http', 'dns'),
    protocol: fc.constantFrom<Protocol>('TCP', 'UDP'),
  }), { minLength: 1, maxLength: 2 }),
}).map((s): Service => service(`${s.namespace}/s${i}`, [`172.20.0.${i + 1}`, `fd02::${i + 1}`], s.selector,
  s.ports.map((p, k) => ({ ...p, name: `p${k}`, port: p.port + k }))));
const randomEgressRules = fc.array(fc.record({
  peers: fc.oneof(
    selector.map((s) => [{ podSelector: { matchLabels: s }, namespaceSelector: {} }]),
    fc.constantFrom('10.1.0.0/24', '10.0.0.0/8', '0.0.0.0/0', '10.1.0.2/32').map((c) => [{ ipBlock: block(c) }]),
  ),
  ports: fc.option(fc.array(fc.record({ protocol: fc.constantFrom<Protocol>('TCP', 'UDP'), port: fc.constantFrom<number | string>(80, 8080, 8081, 53, 'http') }), { minLength: 1, maxLength: 2 }), { nil: undefined }),
}), { maxLength: 3 });


describe('rule B over random clusters, against the compiled entries themselves', () => {
  test('a cluster IP\'s Service port passes iff the port has backends and the entries pass every backend address on its target port', () => {
    const seen = { allowed: 0, denied: 0 };
    fc.assert(fc.property(fc.tuple(randomServiceOf(0), randomServiceOf(1), randomServiceOf(2)), randomEgressRules, (services, rules) => {
      const state = withServices(cluster(RANDOM_PODS, [policy('a/out', {}, { egress: rules })]), services);
      const compiled = compileNode(state, [{ id: 'a/p0', ifindex: 3 }, { id: 'a/p1', ifindex: 4 }]);
      for (const local of compiled.pods) {
        for (const s of services) {
          const byPort = new Map(s.ports.map((p) => [p, RANDOM_PODS.filter((p2) => p2.namespace === s.namespace && Object.entries(s.selector!).every(([k, v]) => p2.labels[k] === v))]));
          for (const [port, pods] of byPort) {
            const targets = pods.flatMap((p) => {
              const target = typeof port.targetPort === 'number' ? port.targetPort : p.ports.find((c) => c.name === port.targetPort && c.protocol === port.protocol)?.port;
              return target === undefined ? [] : [{ pod: p, target }];
            });
            // The bare Pod itself is always reachable (self); any other backend through each of its addresses.
            const expected = targets.length > 0 && targets.every(({ pod: p, target }) => p.id === local.id
              || p.ips.every((ip) => allows(local.egress, ip, target, port.protocol)));
            seen[expected ? 'allowed' : 'denied']++;
            for (const ip of s.clusterIPs) expect([s.id, ip, port.port, allows(local.egress, ip, port.port, port.protocol)]).toEqual([s.id, ip, port.port, expected]);
          }
        }
      }
    }), { seed: 20261204, numRuns: 300 });
    // Both outcomes are exercised, each many times.
    expect(Math.min(seen.allowed, seen.denied)).toBeGreaterThan(100);
  });
});

describe('cluster IP entries against the engine', () => {
  test('for random Services and egress rules, a cluster IP port passes iff reach says every backend\'s egress does', () => {
    const outcomes = new Map<string, number>();
    fc.assert(fc.property(fc.tuple(randomServiceOf(0), randomServiceOf(1), randomServiceOf(2)), randomEgressRules, (services, rules) => {
      const state = withServices(cluster(RANDOM_PODS, [policy('a/out', {}, { egress: rules })]), services);
      const reach = new Reachability(state);
      const compiled = compileNode(state, RANDOM_PODS.map((p, i) => ({ id: p.id, ifindex: 3 + i })));
      for (const local of compiled.pods) {
        for (const s of services) {
          for (const port of s.ports) {
            const verdict = reach.probeServices({ from: [local.id], to: [s.id] }).find((v) => v.port === port.port && v.protocol === port.protocol)!;
            // The kernel's egress entry judges the egress half; each backend's ingress is judged after the DNAT. An
            // open egress passes everything (a Service without backends then fails for want of one, not by policy).
            const expected = local.egress.state === 'open'
              || (verdict.backends.length > 0 && verdict.backends.every((b) => b.verdict.self || b.verdict.egress.allowed));
            if (local.egress.state === 'isolated') outcomes.set(verdict.outcome, (outcomes.get(verdict.outcome) ?? 0) + 1);
            for (const ip of s.clusterIPs) expect([local.id, s.id, ip, port.port, allows(local.egress, ip, port.port, port.protocol)]).toEqual([local.id, s.id, ip, port.port, expected]);
          }
        }
      }
    }), { seed: 20261206, numRuns: 200 });
    // Isolated pods meet every outcome of the engine, many times each.
    expect(Math.min(...['allowed', 'denied', 'partial', 'no-backends'].map((o) => outcomes.get(o) ?? 0))).toBeGreaterThan(20);
  });
});

describe('NodeProgrammer with Services and node addresses', () => {
  test('after each update of a random sequence of Service, slice, pod and policy changes, the maps equal a full compile', () => {
    const PODS: PodIdentity[] = [
      pod('a/p0', { app: 'x' }, ['10.1.0.1'], [{ name: 'http', port: 8080, protocol: 'TCP' }]),
      pod('a/p1', { app: 'y' }, ['10.1.0.2'], [{ name: 'http', port: 8081, protocol: 'TCP' }]),
      pod('a/p2', { app: 'x' }, ['10.1.0.3'], [{ name: 'http', port: 8080, protocol: 'TCP' }]),
      pod('b/p3', { app: 'y' }, ['10.2.0.1']),
    ];
    const label = fc.constantFrom('x', 'y', 'z');
    const step = fc.oneof(
      fc.record({ kind: fc.constant('service' as const), index: fc.nat(2), app: label, targetPort: fc.constantFrom<number | string>(8080, 'http') }),
      fc.record({ kind: fc.constant('slice' as const), index: fc.nat(2), address: fc.constantFrom('10.1.0.2', '10.2.0.1', '203.0.113.5') }),
      fc.record({ kind: fc.constant('relabel' as const), index: fc.nat(3), app: label }),
      fc.record({ kind: fc.constant('policy' as const), app: label, port: fc.constantFrom<number | string>(8080, 8081, 'http'), block: fc.boolean() }),
    );
    fc.assert(fc.property(fc.array(step, { minLength: 1, maxLength: 8 }), (steps) => {
      let state: ClusterState = withServices(cluster(PODS, [policy('a/out', { matchLabels: { app: 'x' } }, { egress: [{ peers: [{ podSelector: { matchLabels: { app: 'y' } } }] }] })]),
        [0, 1, 2].map((i) => service(`a/s${i}`, [`172.20.0.${i + 1}`], { app: 'y' }, [{ port: 80, targetPort: 'http' }])));
      const local = [{ id: 'a/p0', ifindex: 3 }, { id: 'a/p1', ifindex: 4 }, { id: 'a/p2', ifindex: 5 }];
      const programmer = new NodeProgrammer();
      let applied: MapImage = applyDiffToImage(new Map(), programmer.update(state, local).diffs);
      for (const change of steps) {
        if (change.kind === 'service') {
          const services = [...state.services];
          services[change.index] = service(`a/s${change.index}`, [`172.20.0.${change.index + 1}`], change.index === 2 ? undefined : { app: change.app }, [{ port: 80, targetPort: change.targetPort }]);
          state = { ...state, services };
        } else if (change.kind === 'slice') {
          const rest = state.endpointSlices.filter((sl) => sl.serviceName !== `s${change.index}`);
          state = { ...state, endpointSlices: [...rest, slice(`a/s${change.index}-${change.address}`, `s${change.index}`, [change.address], 8080)] };
        } else if (change.kind === 'relabel') {
          state = { ...state, pods: state.pods.map((p, i) => (i === change.index ? { ...p, labels: { app: change.app } } : p)) };
        } else {
          const peers = change.block ? [{ ipBlock: block('10.1.0.0/24') }] : [{ podSelector: { matchLabels: { app: change.app } } }];
          state = { ...state, policies: [policy('a/out', { matchLabels: { app: 'x' } }, { egress: [{ peers, ports: [{ protocol: 'TCP', port: change.port }] }] })] };
        }
        applied = applyDiffToImage(applied, programmer.update(state, local).diffs);
        expect(sameMeaning(applied, encodeNode(compileNode(state, local)))).toBe(true);
      }
    }), { seed: 20261205, numRuns: 300 });
  });

  test('a Service, slice or backend change recompiles the egress-isolated pods, and the maps equal a full compile', () => {
    const legacy = service('shop/legacy', ['172.20.0.30'], undefined, [{ port: 443, targetPort: 8443 }]);
    const out = policy('shop/web-out', { matchLabels: { app: 'web' } }, { egress: [{ peers: [{ ipBlock: block('203.0.113.5/32') }], ports: [{ protocol: 'TCP', port: 8443 }] }] });
    const base = withServices(cluster([web, api1], [out]), [legacy], [slice('shop/legacy-1', 'legacy', ['203.0.113.5'], 8443)]);
    const local = [{ id: 'shop/web', ifindex: 7 }, { id: 'shop/api-1', ifindex: 8 }];
    const programmer = new NodeProgrammer();
    let applied: MapImage = new Map();
    const step = (state: ClusterState, nodeAddresses: string[] = []) => {
      const update = programmer.update(state, local, { nodeAddresses });
      applied = applyDiffToImage(applied, update.diffs);
      const full = encodeNode(compileNode(state, local, undefined, { nodeAddresses }));
      const egress = compileNode(state, local, undefined, { nodeAddresses }).pods.find((p) => p.id === 'shop/web')!.egress;
      return { recompiled: [...update.recompiled].sort(), reaches: allows(egress, '172.20.0.30', 443), equal: sameMeaning(applied, full) };
    };
    expect(step(base)).toEqual({ recompiled: ['shop/api-1', 'shop/web'], reaches: true, equal: true });
    // A new slice moves the backend to an address the rule does not admit: only the egress-isolated pod recompiles.
    const moved = { ...base, endpointSlices: [slice('shop/legacy-2', 'legacy', ['203.0.113.6'], 8443)] };
    expect(step(moved)).toEqual({ recompiled: ['shop/web'], reaches: false, equal: true });
    expect(step({ ...moved })).toEqual({ recompiled: [], reaches: false, equal: true });
    // Node addresses change every pod's ingress entries (when isolated) and so recompile all.
    expect(step(moved, ['192.168.1.10']).recompiled).toEqual(['shop/api-1', 'shop/web']);
  });
});

/** Images equal up to the numbering of port sets. */
function sameMeaning(a: MapImage, b: MapImage): boolean {
  const canonical = (image: MapImage) => {
    const ports = image.get('netpol_ports') ?? new Map<string, Buffer>();
    const byId = new Map([...ports].map(([k, v]) => [Buffer.from(k, 'latin1').readUInt32LE(0), v.toString('hex')]));
    const out: Record<string, string> = {};
    for (const [map, entries] of image) {
      if (map === 'netpol_ports' || map === 'netpol_config') continue;
      for (const [k, v] of entries) out[`${map} ${Buffer.from(k, 'latin1').toString('hex')}`] = map === 'netpol_pods' ? v.toString('hex') : (byId.get(v.readUInt32LE(0)) ?? '-');
    }
    return JSON.stringify(Object.entries(out).sort());
  };
  return canonical(a) === canonical(b);
}
