/**
 * The compiled entries decide exactly as the engine does. For random clusters (dual-stack pods, nested and
 * overlapping ipBlocks with excepts, named ports), every local pod, direction, peer address, port and protocol: the
 * kernel's lookup done in JS over the compiled entries (hosts, then longest prefix, then the port set) equals the
 * engine's direction verdict (evaluateProbe).
 */
import fc from 'fast-check';
import { CompiledDirection, PrefixLookup, compileNode, portSetAllows } from '../../lib/dataplane';
import { parseCidr } from '../../lib/model/cidr';
import { ClusterState, NetworkPolicy, PolicyRule, Protocol } from '../../lib/model/types';
import { externalEndpoint, namespaceLabelsOf, podEndpoint, Endpoint } from '../../lib/verdict/endpoint';
import { evaluateProbe } from '../../lib/verdict/evaluate';
import { NAMESPACES, randomCluster, randomRule } from '../support/random-cluster';

const PORTS = [1, 53, 80, 81, 443, 8080, 9000];
const PROTOCOLS: Protocol[] = ['TCP', 'UDP', 'SCTP'];
/** Addresses outside the pods: inside and outside the generator's blocks, both families. */
const EXTERNAL = ['10.0.0.200', '10.0.1.7', '10.0.3.255', '10.1.0.1', '192.168.0.1', '8.8.8.8', 'fd00::99', 'fd00:1::1', '2001:db8::1'];

/** Blocks the shared generator does not make: IPv6, the whole space, and excepts with nested blocks inside them. */
const extraBlock = fc.constantFrom(
  { cidr: '0.0.0.0/0', except: ['10.0.0.0/23'] },
  { cidr: '10.0.0.0/16', except: ['10.0.1.0/24', '10.0.2.0/25'] },
  { cidr: '10.0.1.0/26', except: [] },
  { cidr: '::/0', except: ['fd00::/64'] },
  { cidr: 'fd00::/16', except: ['fd00::/120'] },
  { cidr: 'fd00::/120', except: [] },
).map((b) => ({ cidr: parseCidr(b.cidr)!, except: b.except.map((e) => parseCidr(e)!) }));

const extraRule: fc.Arbitrary<PolicyRule> = fc.record({
  peers: fc.array(extraBlock.map((ipBlock) => ({ ipBlock })), { minLength: 1, maxLength: 2 }),
  ports: fc.option(fc.constantFrom(
    [{ protocol: 'TCP' as const, port: 80, endPort: 443 }],
    [{ protocol: 'UDP' as const, port: 53 }, { protocol: 'SCTP' as const }],
    [{ protocol: 'TCP' as const, port: 'http' }],
  ), { nil: undefined }),
}, { requiredKeys: ['peers'] });

/** The shared random clusters, with IPv6 addresses on some pods and extra IPv6/nested-block policies. */
const dualStackCluster: fc.Arbitrary<ClusterState> = fc.record({
  base: randomCluster,
  v6: fc.array(fc.boolean(), { minLength: 8, maxLength: 8 }),
  extra: fc.array(fc.record({
    namespace: fc.constantFrom(...NAMESPACES),
    direction: fc.constantFrom('ingress' as const, 'egress' as const),
    rules: fc.array(fc.oneof(extraRule, randomRule), { minLength: 1, maxLength: 3 }),
  }), { maxLength: 2 }),
}).map(({ base, v6, extra }) => ({
  ...base,
  pods: base.pods.map((p, i) => (v6[i] ? { ...p, ips: [...p.ips, `fd00::${i + 1}`] } : p)),
  policies: [
    ...base.policies,
    ...extra.map((e, i): NetworkPolicy => ({
      id: `${e.namespace}/extra${i}`, namespace: e.namespace, name: `extra${i}`, podSelector: {},
      policyTypes: [e.direction === 'ingress' ? 'Ingress' : 'Egress'],
      ingress: e.direction === 'ingress' ? e.rules : [],
      egress: e.direction === 'egress' ? e.rules : [],
    })),
  ],
}));

/** The kernel's decision for a peer address: open passes; isolated passes what the entry found allows. */
function kernelAllows(direction: CompiledDirection, lookup: PrefixLookup, family: 4 | 6, address: bigint, port: number, protocol: Protocol): boolean {
  if (direction.state === 'open') return true;
  const set = lookup.find(family, address);
  return set !== undefined && portSetAllows(set, port, protocol);
}

describe('compiled entries against the engine', () => {
  test('for random clusters, every local pod, peer address, port and protocol decides as the engine does', () => {
    fc.assert(fc.property(dualStackCluster, (cluster) => {
      const labels = namespaceLabelsOf(cluster);
      const pods = cluster.pods.map((p) => podEndpoint(p, labels.get(p.namespace)!));
      const podIps = new Set(pods.flatMap((p) => p.pod.ips));
      const externals = EXTERNAL.filter((ip) => !podIps.has(ip)).map((ip) => externalEndpoint(ip)!);
      const compiled = compileNode(cluster, pods.map((p, i) => ({ id: p.id, ifindex: i + 1 })));
      const mismatches: string[] = [];

      compiled.pods.forEach((local, index) => {
        const subject = pods[index];
        const lookups = { ingress: new PrefixLookup(local.ingress.hosts, local.ingress.cidrs), egress: new PrefixLookup(local.egress.hosts, local.egress.cidrs) };
        const peers: Endpoint[] = [...pods.filter((p) => p.id !== subject.id), ...externals];
        for (const peer of peers) {
          for (const address of peer.addresses) {
            for (const protocol of PROTOCOLS) {
              for (const port of PORTS) {
                const ingress = evaluateProbe(cluster.policies, peer, subject, port, protocol).ingress.allowed;
                const egress = evaluateProbe(cluster.policies, subject, peer, port, protocol).egress.allowed;
                const kernelIn = kernelAllows(local.ingress, lookups.ingress, address.family, address.address, port, protocol);
                const kernelEg = kernelAllows(local.egress, lookups.egress, address.family, address.address, port, protocol);
                if (kernelIn !== ingress || kernelEg !== egress) {
                  mismatches.push(`${subject.id} <-> ${peer.id} at ${address.family === 4 ? 'v4' : 'v6'} 0x${address.address.toString(16)} ${protocol}/${port}: `
                    + `ingress kernel ${kernelIn} engine ${ingress}, egress kernel ${kernelEg} engine ${egress}`);
                }
              }
            }
          }
        }
      });
      expect(mismatches).toEqual([]);
    }), { seed: 20261128, numRuns: 200 });
  });
});
