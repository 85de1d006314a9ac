/**
 * The addresses kube-proxy translates for a Service besides its cluster IP, in the compiled egress entries: external
 * IPs and load balancer IPs on the Service port, the node's own addresses on the node port. Our egress hook sees them
 * before the translation, so, as for the cluster IP, the port is admitted iff every backend is, on its target port;
 * unlike a cluster IP, the address keeps what the policies give its other ports (it may be a real host too).
 */
import { compileNode, PrefixLookup, portSetAllows, subtractPorts } from '../../lib/dataplane';
import { CompiledDirection } from '../../lib/dataplane/compile-types';
import { parseIp } from '../../lib/model/cidr';
import { ClusterState, Protocol, Service } from '../../lib/model/types';
import { block, cluster, pod, policy } from './model-builders';

function kernelAllows(direction: CompiledDirection, ip: string, port: number, protocol: Protocol = 'TCP'): boolean {
  if (direction.state === 'open') return true;
  const address = parseIp(ip)!;
  const set = new PrefixLookup(direction.hosts, direction.cidrs).find(address.family, address.address);
  return set !== undefined && portSetAllows(set, port, protocol);
}

const NODE = '192.168.1.10';
const OTHER_NODE = '192.168.1.11';
const http = [{ name: 'http', port: 8080, protocol: 'TCP' as const }];
const web = pod('shop/web', { app: 'web' }, ['10.0.0.1']);
const api = pod('shop/api', { app: 'api' }, ['10.0.0.11'], http);
const db = pod('shop/db', { app: 'db' }, ['10.0.0.21'], [{ name: 'pg', port: 5432, protocol: 'TCP' }]);

/** A Service fronting `app` on port 80 -> `http`, of `type`, with node port 30080 when it has node ports. */
function frontedService(app: string, extra: Partial<Service>): Service {
  return {
    id: `shop/${app}`, namespace: 'shop', name: app, type: 'ClusterIP', clusterIPs: ['172.20.0.10'], headless: false,
    externalIPs: [], selector: { app }, ports: [{ port: 80, targetPort: 'http', protocol: 'TCP' }], ...extra,
  };
}
const nodePortService = (app: string, extra: Partial<Service> = {}) => frontedService(app, {
  type: 'NodePort', externalTrafficPolicy: 'Cluster', ports: [{ port: 80, targetPort: 'http', protocol: 'TCP', nodePort: 30080 }], ...extra,
});

/** web may reach `app` pods on 8080, and anything in 192.168.0.0/16 and 203.0.113.0/24 on every port. */
function webEgress(app: string): ClusterState['policies'][number] {
  return policy('shop/web-out', { matchLabels: { app: 'web' } }, {
    egress: [
      { peers: [{ podSelector: { matchLabels: { app } } }], ports: [{ protocol: 'TCP', port: 8080 }] },
      { peers: [{ ipBlock: block('192.168.0.0/16') }, { ipBlock: block('203.0.113.0/24') }] },
    ],
  });
}

const egressOf = (state: ClusterState) => compileNode(state, [{ id: 'shop/web', ifindex: 7 }], undefined, { nodeAddresses: [NODE] }).pods[0].egress;

describe('node ports', () => {
  test('the node\'s own address admits the node port iff every backend is allowed, and keeps its other ports', () => {
    const allowed = egressOf({ ...cluster([web, api, db], [webEgress('api')]), services: [nodePortService('api')] });
    expect(kernelAllows(allowed, NODE, 30080)).toBe(true);
    expect(kernelAllows(allowed, NODE, 10250)).toBe(true);
    expect(kernelAllows(allowed, '172.20.0.10', 80)).toBe(true);

    // The same node port in front of db, which web may not reach: the ipBlock admitting the node does not admit it.
    const denied = egressOf({ ...cluster([web, api, db], [webEgress('api')]), services: [nodePortService('db', { ports: [{ port: 80, targetPort: 'pg', protocol: 'TCP', nodePort: 30080 }] })] });
    expect(kernelAllows(denied, NODE, 30080)).toBe(false);
    expect(kernelAllows(denied, NODE, 30081)).toBe(true);
    expect(kernelAllows(denied, NODE, 10250)).toBe(true);
    expect(kernelAllows(denied, NODE, 30080, 'UDP')).toBe(true);
  });

  test('another node\'s address is not translated here: its node port is judged as the address', () => {
    const denied = egressOf({ ...cluster([web, api, db], [webEgress('api')]), services: [nodePortService('db', { ports: [{ port: 80, targetPort: 'pg', protocol: 'TCP', nodePort: 30080 }] })] });
    expect(kernelAllows(denied, OTHER_NODE, 30080)).toBe(true);
  });

  test('a node port admitted to a pod whose egress does not admit the node address at all', () => {
    const onlyApi = policy('shop/web-out', { matchLabels: { app: 'web' } }, {
      egress: [{ peers: [{ podSelector: { matchLabels: { app: 'api' } } }], ports: [{ protocol: 'TCP', port: 8080 }] }],
    });
    const egress = egressOf({ ...cluster([web, api], [onlyApi]), services: [nodePortService('api')] });
    expect(kernelAllows(egress, NODE, 30080)).toBe(true);
    expect(kernelAllows(egress, NODE, 10250)).toBe(false);
    expect(kernelAllows(egress, OTHER_NODE, 30080)).toBe(false);
  });

  test('a node port without backends is denied (kube-proxy rejects it)', () => {
    const egress = egressOf({ ...cluster([web, api], [webEgress('api')]), services: [nodePortService('api', { selector: { app: 'gone' } })] });
    expect(kernelAllows(egress, NODE, 30080)).toBe(false);
    expect(kernelAllows(egress, NODE, 30079)).toBe(true);
  });

  test('a ClusterIP Service has no node port, and an unallocated node port gives no entry', () => {
    const unallocated = nodePortService('db', { ports: [{ port: 80, targetPort: 'pg', protocol: 'TCP' }] });
    const egress = egressOf({ ...cluster([web, api, db], [webEgress('api')]), services: [unallocated] });
    expect(kernelAllows(egress, NODE, 30080)).toBe(true);
    expect(kernelAllows(egress, '172.20.0.10', 80)).toBe(false);
  });
});

describe('external IPs and load balancer IPs', () => {
  test('are judged as the Service on the Service port, and as the address on every other port', () => {
    const toDb = frontedService('db', { externalIPs: ['203.0.113.10'], loadBalancerIPs: ['203.0.113.20'], ports: [{ port: 80, targetPort: 'pg', protocol: 'TCP' }] });
    const egress = egressOf({ ...cluster([web, api, db], [webEgress('api')]), services: [toDb] });
    for (const address of ['203.0.113.10', '203.0.113.20']) {
      expect(kernelAllows(egress, address, 80)).toBe(false);
      expect(kernelAllows(egress, address, 443)).toBe(true);
    }
    expect(kernelAllows(egress, '203.0.113.30', 80)).toBe(true);

    const toApi = frontedService('api', { externalIPs: ['198.51.100.10'] });
    const apiEgress = egressOf({ ...cluster([web, api], [webEgress('api')]), services: [toApi] });
    expect(kernelAllows(apiEgress, '198.51.100.10', 80)).toBe(true);
    expect(kernelAllows(apiEgress, '198.51.100.10', 443)).toBe(false);
  });

  test('two Services on the same external IP and port admit it only if both would', () => {
    const shared = { externalIPs: ['203.0.113.10'] };
    const services = [frontedService('api', { ...shared, clusterIPs: ['172.20.0.10'] }), frontedService('db', { ...shared, clusterIPs: ['172.20.0.11'], ports: [{ port: 80, targetPort: 'pg', protocol: 'TCP' }] })];
    const egress = egressOf({ ...cluster([web, api, db], [webEgress('api')]), services });
    expect(kernelAllows(egress, '172.20.0.10', 80)).toBe(true);
    expect(kernelAllows(egress, '203.0.113.10', 80)).toBe(false);
  });

  test('an open egress direction needs no entries at all', () => {
    const egress = egressOf({ ...cluster([web, api, db], []), services: [frontedService('db', { externalIPs: ['203.0.113.10'] })] });
    expect(egress).toEqual({ state: 'open', hosts: [], cidrs: [] });
  });
});

describe('subtractPorts', () => {
  test('cuts holes out of ranges and out of "any" (which keeps only TCP, UDP and SCTP around them)', () => {
    expect(subtractPorts({ any: false, ranges: [{ protocol: 'TCP', first: 1, last: 100 }] }, [{ protocol: 'TCP', first: 50, last: 50 }]).ranges)
      .toEqual([{ protocol: 'TCP', first: 1, last: 49 }, { protocol: 'TCP', first: 51, last: 100 }]);
    const fromAny = subtractPorts({ any: true, ranges: [] }, [{ protocol: 'UDP', first: 1, last: 1 }]);
    expect(fromAny.any).toBe(false);
    expect(fromAny.ranges).toEqual([
      { protocol: 'TCP', first: 1, last: 65535 }, { protocol: 'UDP', first: 2, last: 65535 }, { protocol: 'SCTP', first: 1, last: 65535 },
    ]);
    expect(subtractPorts({ any: false, ranges: [{ protocol: 'TCP', first: 80, last: 80 }] }, [{ protocol: 'TCP', first: 80, last: 80 }]))
      .toEqual({ any: false, ranges: [] });
  });
});
