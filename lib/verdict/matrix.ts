/**
 * The whole-cluster reachability matrix, computed with bitsets.
 *
 * For one (port, protocol) at a time:
 * - each destination's ingress-allowed sources: the OR of the peer sets of the ingress rules (of the policies that
 *   isolate it) whose ports admit the probe;
 * - each egress-isolated source's allowed destinations: the OR of the peer sets of its egress rules whose ports admit
 *   the probe (a row per source), transposed so that each destination gets its column of admitting sources;
 * - allowed = ingress AND (egress column OR not egress-isolated), plus the destination itself when it is a bare Pod.
 * Peer and selection sets come from inverted label indexes (label-index.ts). The semantics are evaluate.ts's; a
 * property test holds the two together.
 */
import { NetworkPolicy, PolicyPeer, PolicyRule } from '../model/types';
import { formatSelector } from '../model/selector';
import { Bitset } from './bitset';
import { Endpoint } from './endpoint';
import { numericPortMatches } from './evaluate';
import { EndpointIndex } from './label-index';
import { comparePorts, PortQuery, portKey, probedPorts, ResolvedPort } from './ports';
import { transposeBits } from './transpose';

/** One probe of the matrix, by index into the sources and destinations. */
export interface MatrixCell extends ResolvedPort {
  readonly from: number;
  readonly to: number;
  readonly allowed: boolean;
}

/** A computed matrix. */
export interface MatrixResult {
  counts(): { probes: number; allowed: number };
  /** Every probe, ordered by source, destination, port, protocol. */
  cells(): Generator<MatrixCell>;
  /** Per port: `allowed[source][destination]`, undefined where the destination is not probed on that port. */
  grids(): { port: number; protocol: ResolvedPort['protocol']; allowed: (boolean | undefined)[][] }[];
}

interface CompiledRule {
  readonly rule: PolicyRule;
  readonly peers: Bitset;
}

interface CompiledPolicy {
  readonly policy: NetworkPolicy;
  readonly selected: Bitset;
  readonly ingress: readonly CompiledRule[];
  readonly egress: readonly CompiledRule[];
}

export function computeMatrix(
  policies: readonly NetworkPolicy[],
  sources: readonly Endpoint[],
  destinations: readonly Endpoint[],
  ports?: readonly PortQuery[],
): MatrixResult {
  // One index space for sources and destinations alike.
  const universe: Endpoint[] = [];
  const position = new Map<string, number>();
  const place = (e: Endpoint) => {
    let at = position.get(e.id);
    if (at === undefined) {
      at = universe.length;
      universe.push(e);
      position.set(e.id, at);
    }
    return at;
  };
  const sourceAt = sources.map(place);
  const destinationAt = destinations.map(place);
  const size = universe.length;
  const index = new EndpointIndex(universe);
  const sourceMask = new Bitset(size);
  for (const at of sourceAt) sourceMask.add(at);

  const nodeLocal = nodeLocalSources(universe, sourceAt);
  const compiled = compilePolicies(policies, index);
  const ingressPolicies = policiesSelecting(compiled, 'Ingress', size);
  const egressPolicies = policiesSelecting(compiled, 'Egress', size);
  const notEgressIsolated = sourceMask.clone();
  for (let at = 0; at < size; at++) if (egressPolicies[at]) notEgressIsolated.words[at >>> 5] &= ~(1 << (at & 31));

  // Which destinations are probed on which port.
  const probeLists = destinations.map((d) => probedPorts(d, ports));
  const byPort = new Map<string, { port: ResolvedPort; destinations: number[] }>();
  probeLists.forEach((list, j) => {
    for (const p of list) {
      const key = portKey(p);
      if (!byPort.has(key)) byPort.set(key, { port: p, destinations: [] });
      byPort.get(key)!.destinations.push(j);
    }
  });

  const words = (size + 31) >>> 5;
  const rows = new Uint32Array(size * words);
  const columns = new Uint32Array(size * words);
  const ingress = new Bitset(size);

  /** Computes one port's verdicts; `visit` gets each probed destination's allowed sources (a scratch bitset). */
  const computePort = (port: ResolvedPort, probed: readonly number[], visit: (j: number, allowed: Bitset) => void) => {
    const admits = new PortAdmission(port, universe);

    // Egress rows, written in place; sources isolated by the same policies copy the first such row.
    rows.fill(0);
    const firstRowOf = new Map<string, number>();
    sourceMask.forEach((at) => {
      const isolating = egressPolicies[at];
      if (!isolating) return;
      const cacheKey = isolating.join(',');
      const first = firstRowOf.get(cacheKey);
      if (first !== undefined) {
        rows.copyWithin(at * words, first * words, (first + 1) * words);
        return;
      }
      firstRowOf.set(cacheKey, at);
      const row = new Bitset(size, rows.subarray(at * words, (at + 1) * words));
      for (const p of isolating) {
        for (const rule of compiled[p].egress) admits.orRuleInto(rule, row);
      }
    });
    transposeBits(rows, columns, size, words);

    for (const j of probed) {
      const at = destinationAt[j];
      // The destination's column: the egress-isolated sources whose rules admit it.
      const result = new Bitset(size, columns.subarray(at * words, (at + 1) * words));
      result.orInPlace(notEgressIsolated);
      const isolating = ingressPolicies[at];
      if (isolating) {
        ingress.words.fill(0);
        for (const p of isolating) {
          for (const rule of compiled[p].ingress) {
            if (admits.admitsDestination(rule.rule, at)) ingress.orInPlace(rule.peers);
          }
        }
        result.andInPlace(ingress);
      }
      result.andInPlace(sourceMask);
      const destination = universe[at];
      if (destination.kind === 'pod' && destination.pod.kind === 'Pod' && sourceMask.has(at)) result.add(at);
      if (nodeLocal) nodeLocal.orInto(destination, result);
      visit(j, result);
    }
  };

  const sortedPorts = [...byPort.values()].sort((a, b) => comparePorts(a.port, b.port));
  const sourceCount = sourceMask.count();
  let totals: { probes: number; allowed: number } | undefined;
  // Kept only once verdicts or grids are read: counting alone never holds more than one port's columns.
  let retained: Map<string, Map<number, Bitset>> | undefined;
  const retain = () => {
    if (!retained) {
      retained = new Map();
      for (const { port, destinations: probed } of sortedPorts) {
        const perDestination = new Map<number, Bitset>();
        computePort(port, probed, (j, allowedSources) => perDestination.set(j, allowedSources.clone()));
        retained.set(portKey(port), perDestination);
      }
    }
    return retained;
  };

  return {
    counts() {
      if (!totals) {
        let probes = 0;
        let allowed = 0;
        for (const { port, destinations: probed } of sortedPorts) {
          computePort(port, probed, (_j, allowedSources) => {
            probes += sourceCount;
            allowed += allowedSources.count();
          });
        }
        totals = { probes, allowed };
      }
      return totals;
    },
    *cells() {
      const results = retain();
      for (let i = 0; i < sources.length; i++) {
        for (let j = 0; j < destinations.length; j++) {
          for (const p of probeLists[j]) {
            const bits = results.get(portKey(p))!.get(j)!;
            yield { from: i, to: j, port: p.port, protocol: p.protocol, allowed: bits.has(sourceAt[i]) };
          }
        }
      }
    },
    grids() {
      const results = retain();
      return sortedPorts.map(({ port }) => {
        const perDestination = results.get(portKey(port))!;
        const allowedGrid = sources.map((_, i) => destinations.map((__, j) => {
          const bits = perDestination.get(j);
          return bits ? bits.has(sourceAt[i]) : undefined;
        }));
        return { port: port.port, protocol: port.protocol, allowed: allowedGrid };
      });
    },
  };
}

/**
 * The sources whose traffic to a pod is node-local (isNodeLocal in endpoint.ts: the pod's own node, or a hostNetwork
 * pod on it), as bitsets by node name; undefined when no source can be node-local, which costs nothing then.
 */
function nodeLocalSources(universe: readonly Endpoint[], sourceAt: readonly number[]) {
  const size = universe.length;
  const anyNode = new Bitset(size);
  const byNode = new Map<string, Bitset>();
  let found = false;
  for (const at of sourceAt) {
    const e = universe[at];
    const name = e.kind === 'node' ? e.node?.name : e.kind === 'pod' && e.pod.hostNetwork ? e.pod.nodeName : undefined;
    if (e.kind === 'node' && !e.node) anyNode.add(at);
    else if (name === undefined) continue;
    else {
      let bits = byNode.get(name);
      if (!bits) byNode.set(name, (bits = new Bitset(size)));
      bits.add(at);
    }
    found = true;
  }
  if (!found) return undefined;
  return {
    orInto(destination: Endpoint, result: Bitset): void {
      if (destination.kind !== 'pod' || destination.pod.hostNetwork) return;
      result.orInPlace(anyNode);
      const local = destination.pod.nodeName === undefined ? undefined : byNode.get(destination.pod.nodeName);
      if (local) result.orInPlace(local);
    },
  };
}

/** Peer and selection bitsets for every policy, sharing work between equal selectors. */
function compilePolicies(policies: readonly NetworkPolicy[], index: EndpointIndex): CompiledPolicy[] {
  const peerCache = new Map<string, Bitset>();
  const peerBits = (peer: PolicyPeer, namespace: string): Bitset => {
    if (peer.ipBlock) return index.ipBlock(peer.ipBlock);
    const key = `${peer.namespaceSelector ? `ns[${formatSelector(peer.namespaceSelector)}]` : `in[${namespace}]`} pods[${peer.podSelector ? formatSelector(peer.podSelector) : '*'}]`;
    let bits = peerCache.get(key);
    if (!bits) {
      bits = (peer.namespaceSelector ? index.namespaceSelector(peer.namespaceSelector) : index.namespace(namespace)).clone();
      if (peer.podSelector) bits.andInPlace(index.podSelector(peer.podSelector));
      peerCache.set(key, bits);
    }
    return bits;
  };
  const compileRule = (rule: PolicyRule, namespace: string): CompiledRule => {
    if (rule.peers === undefined) return { rule, peers: index.all };
    const peers = new Bitset(index.all.size);
    for (const peer of rule.peers) peers.orInPlace(peerBits(peer, namespace));
    return { rule, peers };
  };
  return policies.map((policy) => {
    const selected = index.podSelector(policy.podSelector).clone();
    selected.andInPlace(index.namespace(policy.namespace));
    return {
      policy,
      selected,
      ingress: policy.policyTypes.includes('Ingress') ? policy.ingress.map((r) => compileRule(r, policy.namespace)) : [],
      egress: policy.policyTypes.includes('Egress') ? policy.egress.map((r) => compileRule(r, policy.namespace)) : [],
    };
  });
}

/** For each endpoint, the indexes of the policies that isolate it in one direction (undefined when none). */
function policiesSelecting(compiled: readonly CompiledPolicy[], type: 'Ingress' | 'Egress', size: number): (number[] | undefined)[] {
  const lists: (number[] | undefined)[] = new Array(size);
  compiled.forEach((c, p) => {
    if (!c.policy.policyTypes.includes(type)) return;
    c.selected.forEach((at) => {
      (lists[at] ??= []).push(p);
    });
  });
  return lists;
}

/**
 * Which destinations a rule's ports admit for one probed port: every destination (no ports, a matching number or
 * range, or a protocol-wide entry), or only those whose container port of the rule's name has this number.
 */
class PortAdmission {
  private readonly cache = new Map<PolicyRule, Bitset | 'all' | 'none'>();
  private readonly byName = new Map<string, Bitset>();

  constructor(private readonly port: ResolvedPort, private readonly universe: readonly Endpoint[]) {}

  admitsDestination(rule: PolicyRule, at: number): boolean {
    const admitted = this.admitted(rule);
    return admitted === 'all' || (admitted !== 'none' && admitted.has(at));
  }

  /** ORs into `row` the rule's peers that it admits on this port. */
  orRuleInto(compiled: CompiledRule, row: Bitset): void {
    const admitted = this.admitted(compiled.rule);
    if (admitted === 'none') return;
    if (admitted === 'all') {
      row.orInPlace(compiled.peers);
      return;
    }
    row.orAndInPlace(compiled.peers, admitted);
  }

  private admitted(rule: PolicyRule): Bitset | 'all' | 'none' {
    let admitted = this.cache.get(rule);
    if (admitted !== undefined) return admitted;
    const { port, protocol } = this.port;
    if (rule.ports === undefined || rule.ports.some((entry) => numericPortMatches(entry, port, protocol))) {
      admitted = 'all';
    } else {
      const names = rule.ports.filter((e) => typeof e.port === 'string' && e.protocol === protocol).map((e) => e.port as string);
      if (names.length === 0) {
        admitted = 'none';
      } else {
        admitted = new Bitset(this.universe.length);
        for (const name of names) admitted.orInPlace(this.declaring(name));
      }
    }
    this.cache.set(rule, admitted);
    return admitted;
  }

  /** Destinations that declare a container port of this name, number and protocol. */
  private declaring(name: string): Bitset {
    let bits = this.byName.get(name);
    if (!bits) {
      bits = new Bitset(this.universe.length);
      const { port, protocol } = this.port;
      this.universe.forEach((endpoint, at) => {
        if (endpoint.kind === 'pod' && endpoint.pod.ports.some((p) => p.name === name && p.protocol === protocol && p.port === port)) bits!.add(at);
      });
      this.byName.set(name, bits);
    }
    return bits;
  }
}
