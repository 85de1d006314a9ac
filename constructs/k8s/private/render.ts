/**
 * Pure rendering of declared rules into NetworkPolicy JSON: rules with the same peers are merged, ports and rules
 * are sorted, selectors are written with sorted keys. The same declarations in any order give the same bytes.
 */
import { LabelSelector, PROTOCOLS } from '../../../lib/model/types';
import { KubeNetworkPolicySpec, KubePeer, KubePort, Rule } from './kube';

/** A selector with its keys and values in a canonical order; empty parts dropped. */
export function canonicalSelector(selector: LabelSelector): LabelSelector {
  const labels = selector.matchLabels ?? {};
  const keys = Object.keys(labels).sort();
  const expressions = [...(selector.matchExpressions ?? [])]
    .map((r) => (r.values ? { key: r.key, operator: r.operator, values: [...new Set(r.values)].sort() } : { key: r.key, operator: r.operator }))
    .sort((a, b) => compare(JSON.stringify(a), JSON.stringify(b)));
  return {
    ...(keys.length > 0 ? { matchLabels: Object.fromEntries(keys.map((k) => [k, labels[k]])) } : {}),
    ...(expressions.length > 0 ? { matchExpressions: expressions } : {}),
  };
}

/** A peer in canonical form (fields in API order, selectors canonical). */
export function canonicalPeer(peer: KubePeer): KubePeer {
  return {
    ...(peer.ipBlock ? { ipBlock: { cidr: peer.ipBlock.cidr, ...(peer.ipBlock.except?.length ? { except: [...peer.ipBlock.except].sort() } : {}) } } : {}),
    ...(peer.namespaceSelector ? { namespaceSelector: canonicalSelector(peer.namespaceSelector) } : {}),
    ...(peer.podSelector ? { podSelector: canonicalSelector(peer.podSelector) } : {}),
  };
}

function portKey(port: KubePort): string {
  const protocol = PROTOCOLS.indexOf(port.protocol);
  if (port.port === undefined) return `${protocol}:0`;
  if (typeof port.port === 'string') return `${protocol}:2:${port.port}`;
  return `${protocol}:1:${String(port.port).padStart(5, '0')}:${String(port.endPort ?? 0).padStart(5, '0')}`;
}

/** Sorted, duplicates removed; every-port entries swallow the numbered ports of their protocol. */
export function canonicalPorts(ports: readonly KubePort[]): KubePort[] {
  const everyPort = new Set(ports.filter((p) => p.port === undefined).map((p) => p.protocol));
  const byKey = new Map<string, KubePort>();
  for (const p of ports) {
    if (p.port !== undefined && everyPort.has(p.protocol)) continue;
    const clean: KubePort = { protocol: p.protocol, ...(p.port !== undefined ? { port: p.port } : {}), ...(p.endPort !== undefined ? { endPort: p.endPort } : {}) };
    byKey.set(portKey(clean), clean);
  }
  return [...byKey.entries()].sort(([a], [b]) => compare(a, b)).map(([, p]) => p);
}

/**
 * Merges rules with the same peers (their ports united; a rule with every port wins) and sorts them by peers.
 */
export function mergeRules(rules: readonly Rule[]): Rule[] {
  const groups = new Map<string, { peers?: KubePeer[]; ports?: KubePort[] }>();
  for (const rule of rules) {
    const peers = rule.peers?.map(canonicalPeer).sort((a, b) => compare(JSON.stringify(a), JSON.stringify(b)));
    const key = JSON.stringify(peers ?? null);
    const group = groups.get(key);
    if (!group) {
      groups.set(key, { peers, ports: rule.ports ? [...rule.ports] : undefined });
    } else if (group.ports && rule.ports) {
      group.ports.push(...rule.ports);
    } else {
      group.ports = undefined;
    }
  }
  return [...groups.entries()]
    .sort(([a], [b]) => compare(a, b))
    .map(([, g]) => ({ ...(g.peers ? { peers: g.peers } : {}), ...(g.ports ? { ports: canonicalPorts(g.ports) } : {}) }));
}

/** The spec of a one-direction policy selecting `podSelector`. */
export function renderSpec(direction: 'Ingress' | 'Egress', podSelector: LabelSelector, rules: readonly Rule[]): KubeNetworkPolicySpec {
  const merged = mergeRules(rules);
  if (direction === 'Ingress') {
    return {
      podSelector: canonicalSelector(podSelector),
      policyTypes: ['Ingress'],
      ingress: merged.map((r) => ({ ...(r.peers ? { from: [...r.peers] } : {}), ...(r.ports ? { ports: [...r.ports] } : {}) })),
    };
  }
  return {
    podSelector: canonicalSelector(podSelector),
    policyTypes: ['Egress'],
    egress: merged.map((r) => ({ ...(r.peers ? { to: [...r.peers] } : {}), ...(r.ports ? { ports: [...r.ports] } : {}) })),
  };
}

export function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
