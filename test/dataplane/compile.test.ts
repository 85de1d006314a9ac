/** The compiler's entries for hand-written clusters: states, flattening, except holes, named ports, problems. */
import { DataplaneCompileError, compileNode, encodeNode, portSetKey } from '../../lib/dataplane';
import { CompiledDirection } from '../../lib/dataplane/compile-types';
import { formatPrefix } from '../../lib/dataplane/prefix';
import { block, cluster, pod, policy } from './model-builders';

/** Entries as `prefix => port set key`, for readable expectations. */
function show(direction: CompiledDirection): { state: string; hosts: string[]; cidrs: string[] } {
  return {
    state: direction.state,
    hosts: direction.hosts.map((h) => `${formatPrefix(h)} => ${portSetKey(h.ports)}`),
    cidrs: direction.cidrs.map((c) => `${formatPrefix(c)} => ${portSetKey(c.ports)}`),
  };
}

const web = pod('shop/web', { app: 'web' }, ['10.0.0.10'], [{ name: 'http', port: 8080, protocol: 'TCP' }]);
const api = pod('shop/api', { app: 'api' }, ['10.0.0.20', 'fd00::20'], [{ name: 'http', port: 9090, protocol: 'TCP' }]);
const db = pod('data/db', { app: 'db' }, ['10.0.1.30']);

describe('compileNode', () => {
  test('a pod no policy selects is open in both directions with no entries', () => {
    const [compiled] = compileNode(cluster([web, api], []), [{ id: 'shop/web', ifindex: 7 }]).pods;
    expect(compiled.ifindex).toBe(7);
    expect(show(compiled.ingress)).toEqual({ state: 'open', hosts: [], cidrs: [] });
    expect(show(compiled.egress)).toEqual({ state: 'open', hosts: [], cidrs: [] });
  });

  test('a pod-selector rule becomes host entries for the selected pods\' addresses only', () => {
    const np = policy('shop/web-in', { matchLabels: { app: 'web' } }, {
      ingress: [{ peers: [{ podSelector: { matchLabels: { app: 'api' } } }], ports: [{ protocol: 'TCP', port: 8080 }] }],
    });
    const [compiled] = compileNode(cluster([web, api, db], [np]), [{ id: 'shop/web', ifindex: 3 }]).pods;
    expect(show(compiled.ingress)).toEqual({
      state: 'isolated',
      hosts: ['10.0.0.20/32 => TCP:8080-8080', 'fd00::20/128 => TCP:8080-8080'],
      cidrs: [],
    });
    expect(compiled.egress.state).toBe('open');
  });

  test('an except hole is an entry carrying what the other covering rules allow there', () => {
    const np = policy('shop/web-in', { matchLabels: { app: 'web' } }, {
      ingress: [
        { peers: [{ ipBlock: block('172.16.0.0/12', '172.16.5.0/24') }], ports: [{ protocol: 'TCP', port: 443 }] },
        { peers: [{ ipBlock: block('172.16.5.128/25') }], ports: [{ protocol: 'UDP', port: 53 }] },
      ],
    });
    const [compiled] = compileNode(cluster([web], [np]), [{ id: 'shop/web', ifindex: 3 }]).pods;
    expect(show(compiled.ingress).cidrs).toEqual([
      '172.16.0.0/12 => TCP:443-443',
      '172.16.5.0/24 => -',
      '172.16.5.128/25 => UDP:53-53',
    ]);
  });

  test('nested blocks of different rules: the longer prefix carries the union of both rules', () => {
    const np = policy('shop/web-eg', { matchLabels: { app: 'web' } }, {
      egress: [
        { peers: [{ ipBlock: block('10.0.0.0/8') }], ports: [{ protocol: 'TCP', port: 80 }] },
        { peers: [{ ipBlock: block('10.9.0.0/16') }], ports: [{ protocol: 'TCP', port: 81 }, { protocol: 'TCP', port: 83, endPort: 90 }] },
        // The same block again with a port already covered: no new entry, no change.
        { peers: [{ ipBlock: block('10.9.0.0/16') }], ports: [{ protocol: 'TCP', port: 80 }] },
      ],
    });
    const [compiled] = compileNode(cluster([web], [np]), [{ id: 'shop/web', ifindex: 3 }]).pods;
    expect(show(compiled.egress).cidrs).toEqual(['10.0.0.0/8 => TCP:80-80', '10.9.0.0/16 => TCP:80-81,TCP:83-90']);
  });

  test('a pod address inside a block gets a host entry only when its selector rules add to the block', () => {
    const np = policy('shop/web-in', { matchLabels: { app: 'web' } }, {
      ingress: [
        { peers: [{ ipBlock: block('10.0.0.0/16') }], ports: [{ protocol: 'TCP', port: 80 }] },
        { peers: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'data' } } }], ports: [{ protocol: 'TCP', port: 5432 }] },
      ],
    });
    const [compiled] = compileNode(cluster([web, api, db], [np]), [{ id: 'shop/web', ifindex: 3 }]).pods;
    // api's 10.0.0.20 gets exactly what the block gives: no host entry. db gets the block's port and its own. An
    // ipBlock matches a POD when any of its addresses is inside (the engine's peerMatches), so api's IPv6 address
    // is allowed too, through a host entry.
    expect(show(compiled.ingress).hosts).toEqual(['10.0.1.30/32 => TCP:80-80,TCP:5432-5432', 'fd00::20/128 => TCP:80-80']);
  });

  test('an ingress named port resolves on the local pod; an egress named port on each destination pod', () => {
    const ingress = policy('shop/web-in', { matchLabels: { app: 'web' } }, {
      ingress: [{ peers: [{ ipBlock: block('0.0.0.0/0') }], ports: [{ protocol: 'TCP', port: 'http' }] }],
    });
    const egress = policy('shop/web-eg', { matchLabels: { app: 'web' } }, {
      egress: [{ ports: [{ protocol: 'TCP', port: 'http' }] }],
    });
    const [compiled] = compileNode(cluster([web, api, db], [ingress, egress]), [{ id: 'shop/web', ifindex: 3 }]).pods;
    expect(show(compiled.ingress).cidrs).toEqual(['0.0.0.0/0 => TCP:8080-8080']);
    // Egress to any peer on "http": an external address has no such port (the engine's rule); api's is 9090, and
    // web's own 8080 (the replicas of one workload reach each other through their veths).
    expect(show(compiled.egress)).toEqual({
      state: 'isolated',
      hosts: ['10.0.0.10/32 => TCP:8080-8080', '10.0.0.20/32 => TCP:9090-9090', 'fd00::20/128 => TCP:9090-9090'],
      cidrs: [],
    });
  });

  test('a rule without peers or ports allows every address and protocol, both families', () => {
    const np = policy('shop/web-eg', { matchLabels: { app: 'web' } }, { egress: [{}] });
    const [compiled] = compileNode(cluster([web, api], [np]), [{ id: 'shop/web', ifindex: 3 }]).pods;
    expect(show(compiled.egress)).toEqual({ state: 'isolated', hosts: [], cidrs: ['0.0.0.0/0 => *', '::/0 => *'] });
  });

  test('an IPv6 block covering the v4-mapped range gets an IPv4 root entry so IPv4 peers do not match it', () => {
    const np = policy('shop/web-in', { matchLabels: { app: 'web' } }, {
      ingress: [{ peers: [{ ipBlock: block('::/0') }], ports: [{ protocol: 'UDP', port: 53 }] }],
    });
    const [compiled] = compileNode(cluster([web], [np]), [{ id: 'shop/web', ifindex: 3 }]).pods;
    expect(show(compiled.ingress).cidrs).toEqual(['0.0.0.0/0 => -', '::/0 => UDP:53-53']);
  });

  test('a policy with no rules isolates the pod with no entries: everything is denied', () => {
    const np = policy('shop/deny', {}, { ingress: [], egress: [] });
    const [compiled] = compileNode(cluster([web, api], [np]), [{ id: 'shop/web', ifindex: 3 }]).pods;
    expect(show(compiled.ingress)).toEqual({ state: 'isolated', hosts: [], cidrs: [] });
    expect(show(compiled.egress)).toEqual({ state: 'isolated', hosts: [], cidrs: [] });
  });

  test('pods without an address are reported, and IPv6 blocks in ::ffff:0:0/96 are reported and left out', () => {
    const nameless = pod('shop/batch', { app: 'batch' }, []);
    const np = policy('shop/web-in', { matchLabels: { app: 'web' } }, {
      ingress: [{ peers: [{ ipBlock: block('::ffff:10.0.0.0/104') }] }],
    });
    const compiled = compileNode(cluster([web, nameless], [np]), [{ id: 'shop/web', ifindex: 3 }]);
    expect(compiled.problems.map((p) => p.message)).toEqual([
      expect.stringMatching(/^pod shop\/batch has no IP address/),
      expect.stringMatching(/ipBlock ::ffff:a00:0\/104 lies in ::ffff:0:0\/96/),
    ]);
    expect(compiled.pods[0].ingress.cidrs).toEqual([]);
  });

  test('an unknown local pod or a reused ifindex is an error naming it', () => {
    expect(() => compileNode(cluster([web], []), [{ id: 'shop/nope', ifindex: 1 }])).toThrow(/local pod "shop\/nope" is not a pod identity/);
    expect(() => compileNode(cluster([web, api], []), [{ id: 'shop/web', ifindex: 1 }, { id: 'shop/api', ifindex: 1 }]))
      .toThrow(/ifindex 1 is given to two pods/);
  });

  test('more port ranges than the kernel holds for one peer is an error naming the pod and the peer', () => {
    const ports = Array.from({ length: 33 }, (_, i) => ({ protocol: 'TCP' as const, port: 1000 + 2 * i }));
    const np = policy('shop/web-in', { matchLabels: { app: 'web' } }, { ingress: [{ peers: [{ ipBlock: block('10.0.0.0/8') }], ports }] });
    const compiled = compileNode(cluster([web], [np]), [{ id: 'shop/web', ifindex: 3 }]);
    expect(() => encodeNode(compiled)).toThrow(DataplaneCompileError);
    expect(() => encodeNode(compiled)).toThrow(/pod shop\/web ingress peer 10\.0\.0\.0\/8: the rules allow 33 separate port ranges/);
  });

  test('the same input compiles and encodes to byte-identical images', () => {
    const np = policy('shop/web-in', { matchLabels: { app: 'web' } }, {
      ingress: [{ peers: [{ ipBlock: block('10.0.0.0/8', '10.0.1.0/24') }, { podSelector: {} }], ports: [{ protocol: 'TCP', port: 'http' }] }],
    });
    const build = () => encodeNode(compileNode(cluster([web, api, db], [np]), [{ id: 'shop/web', ifindex: 3 }, { id: 'shop/api', ifindex: 4 }]));
    const flat = (image: ReturnType<typeof build>) => [...image].map(([m, e]) => [m, [...e].map(([k, v]) => `${k}=${v.toString('hex')}`)]);
    expect(flat(build())).toEqual(flat(build()));
  });
});
