/**
 * kube-proxy's translation of cluster IPs, as its iptables mode writes it, for the lab's node namespace: the lab's
 * node then behaves like an EKS node, where a pod's packet to a cluster IP leaves the pod with that address (and our
 * egress hook judges it so) and is translated to a backend in PREROUTING, before the backend's veth.
 *
 * The rules follow pkg/proxy/iptables/proxier.go (kube-proxy 1.30+): nat PREROUTING and OUTPUT jump to KUBE-SERVICES;
 * each Service port has a KUBE-SVC-<hash> chain that picks one KUBE-SEP-<hash> chain per backend, endpoint i of n
 * with `-m statistic --mode random --probability 1/(n-i)` (the last unconditionally); each KUBE-SEP marks hairpin
 * traffic (the backend reaching itself) for masquerading and DNATs to the backend's address and target port. A
 * Service port without backends gets no chain (kube-proxy rejects it in the filter table; the lab simply leaves the
 * packet untranslated, and nothing answers). The whole nat table is written with one iptables-restore, as kube-proxy
 * does, so a change is atomic. The chain names hash as kube-proxy's do (SHA-256, base32, 16 characters).
 */
import { createHash } from 'crypto';
import { parseIp } from '../model/cidr';
import { serviceBackends } from '../model/service-backends';
import { ClusterState, Protocol } from '../model/types';
import { runInNetns } from './shell';

/** One translated Service port: its cluster IP, port and protocol, and the backends' addresses and target ports. */
export interface ServiceRule {
  /** `namespace/name:portName` (kube-proxy's servicePortName). */
  readonly name: string;
  readonly clusterIP: string;
  readonly port: number;
  readonly protocol: Protocol;
  readonly backends: readonly { readonly address: string; readonly port: number }[];
}

/** kube-proxy's chain name: prefix + the first 16 characters of base32(sha256(text)). */
function chainName(prefix: string, text: string): string {
  const digest = createHash('sha256').update(text).digest();
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = 0;
  let value = 0;
  let out = '';
  for (const byte of digest) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5 && out.length < 16) {
      out += alphabet[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  return `${prefix}${out}`;
}

/**
 * The rules of a cluster: every Service port of every cluster IP of the family `family`, with the backends kube-proxy
 * would program (the first address of each endpoint of that family; a backend pod by its address of the family).
 */
export function serviceRules(cluster: ClusterState, family: 4 | 6 = 4): ServiceRule[] {
  const out: ServiceRule[] = [];
  for (const service of cluster.services) {
    if (service.type === 'ExternalName' || service.headless) continue;
    const clusterIP = service.clusterIPs.find((ip) => parseIp(ip)?.family === family);
    if (!clusterIP) continue;
    for (const { port, backends } of serviceBackends(cluster, service).ports) {
      const addresses = backends.flatMap((b) => {
        const address = b.kind === 'address' ? b.address : b.pod.ips.find((ip) => parseIp(ip)?.family === family);
        return address !== undefined && parseIp(address)?.family === family ? [{ address, port: b.targetPort }] : [];
      });
      out.push({ name: `${service.id}:${port.name ?? ''}`, clusterIP, port: port.port, protocol: port.protocol, backends: addresses });
    }
  }
  return out;
}

/** The nat table kube-proxy's iptables mode would hold for `rules`, as iptables-restore input. */
export function natTable(rules: readonly ServiceRule[]): string {
  const chains = ['KUBE-SERVICES', 'KUBE-POSTROUTING', 'KUBE-MARK-MASQ'];
  const lines: string[] = [
    '-A PREROUTING -m comment --comment "kubernetes service portals" -j KUBE-SERVICES',
    '-A OUTPUT -m comment --comment "kubernetes service portals" -j KUBE-SERVICES',
    '-A POSTROUTING -m comment --comment "kubernetes postrouting rules" -j KUBE-POSTROUTING',
    '-A KUBE-MARK-MASQ -j MARK --set-xmark 0x4000/0x4000',
    '-A KUBE-POSTROUTING -m mark ! --mark 0x4000/0x4000 -j RETURN',
    '-A KUBE-POSTROUTING -j MARK --set-xmark 0x4000/0x0',
    '-A KUBE-POSTROUTING -m comment --comment "kubernetes service traffic requiring SNAT" -j MASQUERADE --random-fully',
  ];
  for (const rule of rules) {
    if (rule.backends.length === 0) continue;
    const proto = rule.protocol.toLowerCase();
    const v6 = parseIp(rule.clusterIP)?.family === 6;
    const host = v6 ? '/128' : '/32';
    const svc = chainName('KUBE-SVC-', `${rule.name}${proto}`);
    chains.push(svc);
    lines.push(`-A KUBE-SERVICES -d ${rule.clusterIP}${host} -p ${proto} -m comment --comment "${rule.name} cluster IP" -m ${proto} --dport ${rule.port} -j ${svc}`);
    rule.backends.forEach((backend, i) => {
      const endpoint = v6 ? `[${backend.address}]:${backend.port}` : `${backend.address}:${backend.port}`;
      const sep = chainName('KUBE-SEP-', `${rule.name}${proto}${endpoint}`);
      chains.push(sep);
      const left = rule.backends.length - i;
      const pick = left > 1 ? ` -m statistic --mode random --probability ${(1 / left).toFixed(10)}` : '';
      lines.push(`-A ${svc} -m comment --comment "${rule.name} -> ${endpoint}"${pick} -j ${sep}`);
      lines.push(`-A ${sep} -s ${backend.address}${host} -m comment --comment "${rule.name}" -j KUBE-MARK-MASQ`);
      lines.push(`-A ${sep} -p ${proto} -m comment --comment "${rule.name}" -m ${proto} -j DNAT --to-destination ${endpoint}`);
    });
  }
  return ['*nat', ...[...new Set(chains)].map((c) => `:${c} - [0:0]`), ...lines, 'COMMIT', ''].join('\n');
}

/** Writes the cluster's Service translation into a network namespace's nat tables (IPv4 and IPv6), atomically. */
export function applyServiceRules(namespace: string, cluster: ClusterState): void {
  runInNetns(namespace, 'iptables-restore', [], natTable(serviceRules(cluster, 4)));
  runInNetns(namespace, 'ip6tables-restore', [], natTable(serviceRules(cluster, 6)));
}
