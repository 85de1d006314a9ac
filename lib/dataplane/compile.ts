/**
 * The compiler: the policy model -> each local pod's map entries, per direction, with exactly the engine's
 * semantics (lib/verdict/evaluate.ts decides; this file only reshapes its questions into prefixes and port sets).
 *
 * For each local pod and direction:
 *   - state: isolated when some policy of that type selects the pod (policySelects), else open;
 *   - CIDR entries: every ipBlock cidr and except of the pod's rules is a candidate prefix (plus 0.0.0.0/0 and ::/0
 *     when a rule admits every peer). Prefixes nest or are disjoint, so membership in every block is constant over
 *     the addresses whose longest candidate is P: P's set is the union of the rules whose ipBlock contains P and
 *     whose except does not (the flattening contract of bpf/include/netpol.h). Entries equal to their parent's are
 *     left out: the parent already answers the same;
 *   - host entries: each known pod address gets the union of the rules whose peers match that POD (selectors and
 *     ipBlocks, as peerMatches decides), with named ports resolved on the destination pod; it is written only when
 *     it differs from what the CIDR entries give that address;
 *   - node entries (ingress): each of the node's own addresses admits every port and protocol, whatever the policies
 *     say (node to local pod traffic is always allowed: kubelet probes). A hostNetwork pod is its node: selectors
 *     never admit it, its address is judged by the node entry (its own node) or the CIDR entries (another node's);
 *   - cluster IP entries (egress): our egress hook sees a Service's traffic before kube-proxy translates it, so each
 *     cluster IP gets a host entry with the Service ports whose EVERY resolved backend the pod's egress allows on its
 *     target port (and that have a backend at all). Fail closed: a port some backends would refuse is not admitted
 *     (the engine calls that verdict "partial"). The entry is written whenever it differs from what the CIDR entries
 *     give the address, so an ipBlock covering the Service range never admits cluster IPs by itself;
 *   - frontend entries (egress): kube-proxy also translates a Service's external IPs and load balancer IPs (on the
 *     Service port) and the node's own addresses (on the node port) before the packet leaves the node; those ports
 *     of those addresses are decided as the cluster IP's, the address's other ports as the policies give them.
 */
import { prefixMask } from '../model/cidr';
import { serviceBackends } from '../model/service-backends';
import { ClusterState, EndpointSlice, Namespace, NetworkPolicy, PodIdentity, PolicyPeer, PolicyPort, PolicyRule, Protocol, Service } from '../model/types';
import { Address, Endpoint, ExternalEndpoint, PodEndpoint, addressesOf, namespaceLabelsOf, podEndpoint } from '../verdict/endpoint';
import { peerMatches, policyPortMatches, policySelects } from '../verdict/evaluate';
import { CompileOptions, CompileProblem, CompiledDirection, CompiledNode, CompiledPod, LocalPod, PeerEntry } from './compile-types';
import { ANY_PORT_SET, EMPTY_PORT_SET, PortRange, PortSet, isEmptyPortSet, portSetAllows, portSetKey, subtractPorts, unionPortSets } from './port-set';
import { Prefix, coversV4Mapped, formatPrefix, insideV4Mapped, unifiedAddress } from './prefix';
import { kernelAddress, sharedAddresses } from './shared-addresses';

export type { CompileOptions, CompileProblem, CompiledDirection, CompiledNode, CompiledPod, LocalPod, PeerEntry } from './compile-types';

type Direction = 'ingress' | 'egress';

/** A rule of a policy that selects the pod, with the policy's namespace (rule peers are relative to it). */
interface ActiveRule {
  readonly rule: PolicyRule;
  readonly namespace: string;
  /** `namespace/name ingress[0]`, for problems. */
  readonly label: string;
}

/** A stand-in destination for addresses outside the known pods: a named port never matches it (as in the engine). */
const EXTERNAL_DESTINATION: ExternalEndpoint = { kind: 'external', id: '(external)', addresses: [] };

/** The ranges one port entry of a rule admits on `destination` (named ports resolve on its container ports). */
function entryRanges(entry: PolicyPort, destination: Endpoint): PortRange[] {
  if (entry.port === undefined) return [{ protocol: entry.protocol, first: 1, last: 65535 }];
  if (typeof entry.port === 'number') {
    return [{ protocol: entry.protocol, first: entry.port, last: entry.endPort ?? entry.port }];
  }
  if (destination.kind !== 'pod') return [];
  // policyPortMatches is the engine's own test of a named port against one container port.
  return destination.pod.ports
    .filter((p) => policyPortMatches(entry, destination, p.port, p.protocol))
    .map((p) => ({ protocol: p.protocol, first: p.port, last: p.port }));
}

/** What a rule admits on `destination`: every port of every protocol when it lists no ports. */
function rulePortSet(rule: PolicyRule, destination: Endpoint): PortSet {
  if (rule.ports === undefined) return ANY_PORT_SET;
  return unionPortSets([{ any: false, ranges: rule.ports.flatMap((entry) => entryRanges(entry, destination)) }]);
}

/** The rules of policies of `type` that select `subject`, and whether any policy isolates it. */
function activeRules(policies: readonly NetworkPolicy[], subject: PodEndpoint, direction: Direction): {
  isolated: boolean;
  rules: ActiveRule[];
} {
  const type = direction === 'ingress' ? 'Ingress' : 'Egress';
  let isolated = false;
  const rules: ActiveRule[] = [];
  for (const policy of policies) {
    if (!policy.policyTypes.includes(type) || !policySelects(policy, subject)) continue;
    isolated = true;
    policy[direction].forEach((rule, index) => {
      rules.push({ rule, namespace: policy.namespace, label: `${policy.id} ${direction}[${index}]` });
    });
  }
  return { isolated, rules };
}

/** A candidate prefix, the ipBlocks (by index) that start or are excepted exactly there, and its result. */
interface Candidate {
  readonly prefix: Prefix;
  readonly starts: number[];
  readonly holes: number[];
  /** Blocks containing the prefix and not excepted at or above it (set while flattening). */
  active?: readonly number[];
  set?: PortSet;
}

const NO_BLOCKS: readonly number[] = Object.freeze([]);

/** A Map key for an address: IPv4 as a number (hashes far faster than a BigInt), IPv6 as the BigInt. */
function addressKey(family: 4 | 6, address: bigint): bigint | number {
  return family === 4 ? Number(address) : address;
}

/** Candidates grouped by family and prefix length (a level), each level by network address. */
class CandidateLevels {
  readonly levels = new Map<number, { family: 4 | 6; length: number; mask: bigint; byAddress: Map<bigint | number, Candidate> }>();

  get(prefix: Prefix): Candidate {
    const id = prefix.family * 256 + prefix.prefixLength;
    let level = this.levels.get(id);
    if (!level) {
      level = { family: prefix.family, length: prefix.prefixLength, mask: prefixMask(prefix.family, prefix.prefixLength), byAddress: new Map() };
      this.levels.set(id, level);
    }
    const key = addressKey(prefix.family, prefix.address);
    let found = level.byAddress.get(key);
    if (!found) level.byAddress.set(key, (found = { prefix, starts: [], holes: [] }));
    return found;
  }

  /** Levels from the shortest prefix to the longest, IPv4 first. */
  ordered() {
    return [...this.levels.values()].sort((a, b) => a.family - b.family || a.length - b.length);
  }
}

/** The flattened CIDRs of one direction, and what they say about any one address. */
interface FlatCidrs {
  /** The entries to write (see the file comment). */
  readonly entries: PeerEntry[];
  /** For an address: the rules whose ipBlocks (or "every peer") admit it, and the set the entries give it. */
  at(address: Address): { rules: readonly number[]; set: PortSet };
}

/** Flattens the ipBlocks of one direction's rules (see the file comment). */
function compileCidrs(
  rules: readonly ActiveRule[],
  ruleSet: (ruleIndex: number) => PortSet,
  podId: string,
  problems: CompileProblem[],
): FlatCidrs {
  const blockRule: number[] = [];
  const allPeerRules: number[] = [];
  const candidates = new CandidateLevels();

  rules.forEach((active, ruleIndex) => {
    if (active.rule.peers === undefined) {
      allPeerRules.push(ruleIndex);
      return;
    }
    for (const peer of active.rule.peers) {
      if (!peer.ipBlock) continue;
      const { cidr, except } = peer.ipBlock;
      if (insideV4Mapped(cidr)) {
        problems.push({
          pod: podId,
          message: `${active.label}: ipBlock ${cidr.text} lies in ::ffff:0:0/96, which the kernel cannot tell from IPv4; it is not enforced. Write the IPv4 block instead.`,
        });
        continue;
      }
      const blockIndex = blockRule.length;
      blockRule.push(ruleIndex);
      candidates.get(cidr).starts.push(blockIndex);
      for (const hole of except) {
        if (!insideV4Mapped(hole)) candidates.get(hole).holes.push(blockIndex);
      }
    }
  });
  if (allPeerRules.length > 0) {
    candidates.get({ family: 4, address: 0n, prefixLength: 0 });
    candidates.get({ family: 6, address: 0n, prefixLength: 0 });
  }
  // An IPv6 entry covering ::ffff:0:0/96 would answer IPv4 lookups: an IPv4 root entry (even an empty one) shields them.
  const shieldV4 = [...candidates.levels.values()].some((level) => level.family === 6 && level.length <= 96
    && [...level.byAddress.values()].some((c) => coversV4Mapped(c.prefix)));
  if (shieldV4) candidates.get({ family: 4, address: 0n, prefixLength: 0 });
  if (candidates.levels.size === 0) return { entries: [], at: () => ({ rules: [], set: EMPTY_PORT_SET }) };

  const setMemo = new Map<string, PortSet>();
  const rulesOf = (active: readonly number[]): number[] => (allPeerRules.length === 0 && active.length === 1
    ? [blockRule[active[0]]]
    : [...new Set([...active.map((block) => blockRule[block]), ...allPeerRules])].sort((a, b) => a - b));
  const setOf = (active: readonly number[]): PortSet => {
    const ruleIds = rulesOf(active);
    const memoKey = ruleIds.join(',');
    let set = setMemo.get(memoKey);
    if (!set) setMemo.set(memoKey, (set = unionPortSets(ruleIds.map((id) => ruleSet(id)))));
    return set;
  };

  const out: PeerEntry[] = [];
  const processed: ReturnType<CandidateLevels['ordered']> = [];
  for (const level of candidates.ordered()) {
    // Shorter levels of the same family, longest first: the first hit is the nearest ancestor.
    const above = processed.filter((l) => l.family === level.family).reverse();
    for (const c of level.byAddress.values()) {
      let parent: Candidate | undefined;
      for (const l of above) {
        parent = l.byAddress.get(addressKey(l.family, c.prefix.address & l.mask));
        if (parent) break;
      }
      const inheritedActive = parent?.active ?? NO_BLOCKS;
      let active = inheritedActive;
      if (c.holes.length > 0) {
        const holes = new Set(c.holes);
        active = [...inheritedActive, ...c.starts].filter((block) => !holes.has(block));
      } else if (c.starts.length > 0) {
        // The common case (a block with nothing above it) allocates nothing new.
        active = inheritedActive.length === 0 ? c.starts : [...inheritedActive, ...c.starts];
      }
      c.active = active;
      c.set = active === inheritedActive && parent ? parent.set! : setOf(active);
      const inherited = parent ? parent.set! : EMPTY_PORT_SET;
      const isShield = shieldV4 && level.family === 4 && level.length === 0;
      if (isShield || (c.set !== inherited && portSetKey(c.set) !== portSetKey(inherited))) out.push(entryOf(c.prefix, c.set));
    }
    processed.push(level);
  }
  // An empty shield is only needed when an IPv6 entry that covers the v4-mapped range was actually emitted.
  const entries = shieldV4 && !out.some((e) => coversV4Mapped(e))
    ? out.filter((e) => !(e.family === 4 && e.prefixLength === 0 && isEmptyPortSet(e.ports)))
    : out;
  const longestFirst = { 4: processed.filter((l) => l.family === 4).reverse(), 6: processed.filter((l) => l.family === 6).reverse() };
  return {
    entries,
    // The longest candidate containing the address decides: entries left out equal their parent, so its set is
    // also what the kernel's longest-prefix lookup finds.
    at: (address) => {
      for (const level of longestFirst[address.family]) {
        const c = level.byAddress.get(addressKey(level.family, address.address & level.mask));
        if (c) return { rules: rulesOf(c.active!), set: c.set! };
      }
      return { rules: allPeerRules, set: EMPTY_PORT_SET };
    },
  };
}

/** An entry with exactly the fields of PeerEntry (an object spread of a model Cidr is a slow generic copy). */
function entryOf(prefix: Prefix, ports: PortSet): PeerEntry {
  return { family: prefix.family, address: prefix.address, prefixLength: prefix.prefixLength, ports };
}

/** Orders entries by family, address, then prefix length: deterministic output. */
function compareEntries(a: PeerEntry, b: PeerEntry): number {
  return a.family - b.family || (a.address < b.address ? -1 : a.address > b.address ? 1 : 0) || a.prefixLength - b.prefixLength;
}

/** Compiles one direction of one local pod. */
/**
 * Flattenings kept between compiles (NodeProgrammer holds one): the CIDR entries of a pod and direction depend only on
 * the rules with ipBlocks or without peers (by object identity) and on the pod (named ports), so a change to selector
 * rules reuses them, and the same entries array lets the encoder and the diff skip them.
 */
export class CompileCache {
  readonly flat = new Map<string, { flat: FlatCidrs; problems: CompileProblem[]; round: number }>();
  /** The cluster's endpoints, for the pod and namespace lists they were made from. */
  endpoints?: { pods: readonly PodIdentity[]; namespaces: readonly Namespace[]; endpoints: Endpoints };
  /**
   * Which endpoints a rule's selector peers match, for the current endpoint list only: a new list starts a new map,
   * so rules whose pods were not recompiled do not keep older lists (10,000 endpoints each) alive.
   */
  selectorMatches = new WeakMap<PolicyRule, { endpoints: readonly PodEndpoint[]; matched: SelectorMatches }>();
  /** The cluster IPs and backends of the Services, for the Service, pod and slice lists they were made from. */
  services?: { services: readonly Service[]; pods: readonly PodIdentity[]; slices: readonly EndpointSlice[]; table: readonly ServiceTarget[] };
  /** Each Service resolved, for the pod, slice and endpoint lists of `services`: a Service change resolves only it. */
  serviceTargets = new WeakMap<Service, ServiceTarget | undefined>();
  private readonly ids = new WeakMap<object, number>();
  private next = 1;
  private round = 0;

  /** Starts a compile round; prune() then drops what this round did not use. */
  begin(): void {
    this.round++;
  }

  /** Drops the flattenings the current round did not use. */
  prune(): void {
    for (const [key, entry] of this.flat) if (entry.round !== this.round) this.flat.delete(key);
  }

  /** Marks an entry used by the current round. */
  touch(entry: { round: number }): void {
    entry.round = this.round;
  }

  /** A number for an object, stable while it lives. */
  idOf(object: object): number {
    let id = this.ids.get(object);
    if (id === undefined) this.ids.set(object, (id = this.next++));
    return id;
  }
}

/** The flattening of the rules that have ipBlocks or admit every peer, from the cache when their identities match. */
function flatCidrsOf(
  rules: readonly ActiveRule[],
  local: PodEndpoint,
  direction: Direction,
  problems: CompileProblem[],
  cache: CompileCache | undefined,
): { flat: FlatCidrs; ruleIndex: readonly number[] } {
  const ruleIndex: number[] = [];
  rules.forEach((r, index) => {
    if (r.rule.peers === undefined || r.rule.peers.some((p) => p.ipBlock)) ruleIndex.push(index);
  });
  const relevant = ruleIndex.map((index) => rules[index]);
  const key = cache && `${direction}|${cache.idOf(local.pod)}|${relevant.map((r) => cache.idOf(r.rule)).join(',')}`;
  const hit = key !== undefined ? cache!.flat.get(key) : undefined;
  if (hit) {
    cache!.touch(hit);
    problems.push(...hit.problems);
    return { flat: hit.flat, ruleIndex };
  }
  // Ingress: the local pod is the destination. Egress: a CIDR address is external.
  const cidrSets = relevant.map((r) => rulePortSet(r.rule, direction === 'ingress' ? local : EXTERNAL_DESTINATION));
  const own: CompileProblem[] = [];
  const flat = compileCidrs(relevant, (index) => cidrSets[index], local.id, own);
  flat.entries.sort(compareEntries);
  problems.push(...own);
  if (key !== undefined) cache!.flat.set(key, { flat, problems: own, round: 0 });
  if (key !== undefined) cache!.touch(cache!.flat.get(key)!);
  return { flat, ruleIndex };
}

/** What every pod of a node shares beyond the policies: the node's own addresses and the Services' cluster IPs. */
interface NodeInputs {
  readonly nodeAddresses: readonly Address[];
  readonly services: readonly ServiceTarget[];
}

function compileDirection(
  policies: readonly NetworkPolicy[],
  local: PodEndpoint,
  peers: readonly PodEndpoint[],
  direction: Direction,
  problems: CompileProblem[],
  cache: CompileCache | undefined,
  inputs: NodeInputs,
): CompiledDirection {
  const { isolated, rules } = activeRules(policies, local, direction);
  if (!isolated) return { state: 'open', hosts: [], cidrs: [] };

  const { flat, ruleIndex } = flatCidrsOf(rules, local, direction, problems, cache);
  const cidrs = flat.entries;

  // A pod peer is admitted by the rules whose selector peers match it (peerMatches) and by the rules whose
  // ipBlocks hold any of its addresses (as peerMatches decides for ipBlocks; read from the flattening, which holds
  // every block's membership, instead of testing thousands of blocks per pod).
  const matched = rules.map((r) => selectorMatchesOf(r, peers, cache));
  // Sets depend on the admitting rules only, except that egress named ports resolve on each peer's own ports.
  const perPeer = direction === 'egress' && rules.some((r) => r.rule.ports?.some((entry) => typeof entry.port === 'string'));
  const hostSetMemo = new Map<string | number, PortSet>();
  const hosts = new Map<bigint, HostSeen>();
  // The rules admitting each peer by selector, as a bit mask per peer when the rules fit one (they nearly always do).
  const masks = rules.length <= 30 ? new Uint32Array(peers.length) : undefined;
  if (masks) {
    matched.forEach((m, index) => {
      if (!m) return;
      const bit = 1 << index;
      for (const i of m.indices) masks[i] |= bit;
    });
  }
  // Without ipBlocks, the CIDR entries give every address the same set (that of the peer-less rules, if any), so a
  // peer no selector matches gets exactly that set and needs no host entry: only the peers some selector matches
  // (and those sharing an address with another pod, whose problem is reported) are visited. Not so when egress
  // named ports resolve per peer: a pod has the named port that an external address lacks.
  const uniform = !perPeer && !rules.some((r) => r.rule.peers?.some((peer) => peer.ipBlock));
  const candidates = uniform ? selectorCandidates(matched, peers) : peers.map((_, i) => i);
  const nodeKeys = new Set(inputs.nodeAddresses.map((a) => unifiedAddress(a.family, a.address)));
  // The set one peer pod gets (what the engine allows towards that pod identity), with what the CIDR entries give
  // each of its addresses.
  const peerSet = (peerIndex: number): { set: PortSet; found: { set: PortSet }[] } => {
    const peer = peers[peerIndex];
    const found = peer.addresses.map((address) => flat.at(address));
    let admitting: number | string;
    if (masks) {
      let mask = masks[peerIndex];
      for (const at of found) for (const rule of at.rules) mask |= 1 << ruleIndex[rule];
      admitting = mask;
    } else {
      const fromBlocks = new Set(found.flatMap((at) => at.rules.map((rule) => ruleIndex[rule])));
      admitting = rules.map((_, index) => (fromBlocks.has(index) || matched[index]?.bits[peerIndex] ? '1' : '0')).join('');
    }
    const memoKey = perPeer ? `${peer.id}|${admitting}` : admitting;
    let set = hostSetMemo.get(memoKey);
    if (!set) {
      const indices = rules.map((_, index) => index).filter((index) => (typeof admitting === 'number' ? (admitting >>> index) & 1 : admitting[index] === '1'));
      set = unionPortSets(indices.map((index) => rulePortSet(rules[index].rule, direction === 'ingress' ? local : peer)));
      hostSetMemo.set(memoKey, set);
    }
    return { set, found };
  };
  for (const peerIndex of candidates) {
    const peer = peers[peerIndex];
    // The pod's own identity is a peer too: the replicas of a workload reach each other through their veths.
    // A hostNetwork pod is its node: its address is judged as the node's (the node entry, or the CIDR entries).
    if (peer.addresses.length === 0 || peer.pod.hostNetwork) continue;
    const { set, found } = peerSet(peerIndex);
    peer.addresses.forEach((address, i) => {
      // The node's own address (a hostNetwork pod's too) is decided by the node entry below.
      if (nodeKeys.has(unifiedAddress(address.family, address.address))) return;
      addHost(hosts, found[i].set, address, set, peer.id, local.id, problems);
    });
  }
  if (direction === 'ingress') {
    for (const address of inputs.nodeAddresses) overrideHost(hosts, address, ANY_PORT_SET, flat.at(address).set, 'node');
  } else {
    const frontends = new FrontendPorts();
    for (const service of inputs.services) {
      const admitted = admittedServicePorts(service, local, peers, (peerIndex) => peerSet(peerIndex).set, (address) => flat.at(address).set);
      const set = admitted.length === 0 ? EMPTY_PORT_SET : unionPortSets([{ any: false, ranges: admitted }]);
      for (const address of service.clusterIPs) overrideHost(hosts, address, set, flat.at(address).set, service.id);
      frontends.add(service, inputs.nodeAddresses, admitted);
    }
    frontends.write((address) => hosts.get(unifiedAddress(address.family, address.address))?.set ?? flat.at(address).set,
      (address, set, owner) => overrideHost(hosts, address, set, flat.at(address).set, owner));
  }
  return { state: 'isolated', hosts: hostEntries(hosts), cidrs };
}

/**
 * The Service ports kube-proxy translates on addresses that are not the Service's alone: external IPs and load
 * balancer IPs (on the Service port) and the node's own addresses (on the node port). The address keeps what the
 * policies give its other ports; each translated port is admitted exactly when the cluster IP's port is (every backend
 * allowed), and denied otherwise, whatever an ipBlock says of the address. Two Services translating the same address
 * and port (the API allows it) admit it only if both do.
 */
class FrontendPorts {
  private readonly byAddress = new Map<bigint, { address: Address; owners: string[]; decided: Map<string, { range: PortRange; admitted: boolean }> }>();

  add(service: ServiceTarget, nodeAddresses: readonly Address[], admitted: readonly PortRange[]): void {
    for (const port of service.ports) {
      const isAdmitted = admitted.some((r) => r.protocol === port.protocol && r.first === port.port);
      for (const address of service.capturedIPs) this.decide(address, service.id, { protocol: port.protocol, first: port.port, last: port.port }, isAdmitted);
      if (port.nodePort === undefined) continue;
      for (const address of nodeAddresses) this.decide(address, service.id, { protocol: port.protocol, first: port.nodePort, last: port.nodePort }, isAdmitted);
    }
  }

  /** Rewrites each frontend address's set: `current` is what it has so far, `write` sets the new one. */
  write(current: (address: Address) => PortSet, write: (address: Address, set: PortSet, owner: string) => void): void {
    for (const { address, owners, decided } of this.byAddress.values()) {
      const ranges = [...decided.values()];
      const kept = subtractPorts(current(address), ranges.map((d) => d.range));
      write(address, unionPortSets([kept, { any: false, ranges: ranges.filter((d) => d.admitted).map((d) => d.range) }]), owners.join(','));
    }
  }

  private decide(address: Address, owner: string, range: PortRange, admitted: boolean): void {
    const key = unifiedAddress(address.family, address.address);
    let entry = this.byAddress.get(key);
    if (!entry) this.byAddress.set(key, (entry = { address, owners: [], decided: new Map() }));
    if (!entry.owners.includes(owner)) entry.owners.push(owner);
    const portKey = `${range.protocol}:${range.first}`;
    const earlier = entry.decided.get(portKey);
    entry.decided.set(portKey, { range, admitted: admitted && (earlier?.admitted ?? true) });
  }
}

/**
 * One Service as the egress compiler sees it: the addresses kube-proxy translates for it and, per port, the backends
 * and target ports.
 */
interface ServiceTarget {
  readonly id: string;
  readonly clusterIPs: readonly Address[];
  /** External IPs and load balancer IPs: translated on every node, on the Service port. */
  readonly capturedIPs: readonly Address[];
  readonly ports: readonly {
    readonly protocol: Protocol;
    readonly port: number;
    /** Translated on the node's own addresses (NodePort and LoadBalancer Services). */
    readonly nodePort?: number;
    /** A backend pod (by index in the cluster's endpoints), or an address no pod has (undefined: unreadable, denied). */
    readonly backends: readonly ServiceTargetBackend[];
  }[];
}

type ServiceTargetBackend =
  | { readonly kind: 'pod'; readonly peer: number; readonly targetPort: number }
  | { readonly kind: 'address'; readonly address?: Address; readonly targetPort: number };

/**
 * The Service ports a local pod may use on a cluster IP: those with at least one backend, every one of which the
 * pod's egress allows on its target port (a bare Pod reaching itself through its Service is always allowed, as the
 * engine's `self`). One single-port range per admitted port.
 */
function admittedServicePorts(
  service: ServiceTarget,
  local: PodEndpoint,
  peers: readonly PodEndpoint[],
  podSet: (peerIndex: number) => PortSet,
  addressSet: (address: Address) => PortSet,
): PortRange[] {
  const ranges: PortRange[] = [];
  for (const port of service.ports) {
    if (port.backends.length === 0) continue;
    const allowed = port.backends.every((backend) => {
      if (backend.kind === 'address') return backend.address !== undefined && portSetAllows(addressSet(backend.address), backend.targetPort, port.protocol);
      if (local.pod.kind === 'Pod' && peers[backend.peer] === local) return true;
      return portSetAllows(podSet(backend.peer), backend.targetPort, port.protocol);
    });
    if (allowed) ranges.push({ protocol: port.protocol, first: port.port, last: port.port });
  }
  return ranges;
}

/** The Services with cluster IPs, resolved to backends once per Service, pod and slice list. */
function serviceTargetsOf(cluster: ClusterState, endpoints: Endpoints, cache: CompileCache | undefined): readonly ServiceTarget[] {
  const services = cluster.services ?? [];
  const slices = cluster.endpointSlices ?? [];
  const cached = cache?.services;
  if (cached && cached.services === services && cached.pods === cluster.pods && cached.slices === slices) return cached.table;
  // Resolutions stay valid while the pods (and so the endpoint indexes) and the slices are the same.
  if (cache && (cached?.pods !== cluster.pods || cached?.slices !== slices)) cache.serviceTargets = new WeakMap();
  let indexById: Map<string, number> | undefined;
  const table: ServiceTarget[] = [];
  for (const service of services) {
    if (cache?.serviceTargets.has(service)) {
      const known = cache.serviceTargets.get(service);
      if (known) table.push(known);
      continue;
    }
    indexById ??= new Map(endpoints.endpoints.map((e, i) => [e.id, i]));
    const target = serviceTarget(cluster, service, indexById);
    cache?.serviceTargets.set(service, target);
    if (target) table.push(target);
  }
  if (cache) cache.services = { services, pods: cluster.pods, slices, table };
  return table;
}

/**
 * One Service as the compiler needs it; undefined when kube-proxy translates nothing for it (ExternalName, headless,
 * no cluster IP, external IP, load balancer IP or node port).
 */
function serviceTarget(cluster: ClusterState, service: Service, indexById: ReadonlyMap<string, number>): ServiceTarget | undefined {
  if (service.type === 'ExternalName' || service.headless) return undefined;
  const clusterIPs = addressesOf(service.clusterIPs);
  const capturedIPs = addressesOf([...service.externalIPs, ...(service.loadBalancerIPs ?? [])]);
  const hasNodePorts = (service.type === 'NodePort' || service.type === 'LoadBalancer') && service.ports.some((p) => p.nodePort !== undefined);
  if (clusterIPs.length === 0 && capturedIPs.length === 0 && !hasNodePorts) return undefined;
  const resolved = serviceBackends(cluster, service);
  return {
    id: service.id,
    clusterIPs,
    capturedIPs,
    ports: resolved.ports.map(({ port, backends }) => ({
      protocol: port.protocol,
      port: port.port,
      ...(hasNodePorts && port.nodePort !== undefined ? { nodePort: port.nodePort } : {}),
      backends: backends.map((b): ServiceTargetBackend => {
        // A hostNetwork backend is its node's address, judged as an address.
        if (b.kind === 'pod' && b.pod.hostNetwork) return { kind: 'address', address: addressesOf(b.pod.ips)[0], targetPort: b.targetPort };
        const podId = b.kind === 'pod' ? b.pod.id : b.pod?.hostNetwork ? undefined : b.pod?.id;
        const peer = podId !== undefined ? indexById.get(podId) : undefined;
        if (peer !== undefined) return { kind: 'pod', peer, targetPort: b.targetPort };
        // An address that does not parse is a backend the pod cannot be shown to reach: it denies the port.
        return { kind: 'address', address: b.kind === 'address' ? addressesOf([b.address])[0] : undefined, targetPort: b.targetPort };
      }),
    })),
  };
}

/** The peers a rule's selector peers match: one byte per peer, and the matching indices in order. */
interface SelectorMatches {
  readonly bits: Uint8Array;
  readonly indices: Int32Array;
}

/**
 * Which peers a rule's selector peers match (peerMatches); undefined when the rule has none. Cached per rule: the
 * local pods that share a policy, and every change that leaves the rule and the pods alone, reuse it instead of
 * evaluating selectors against every pod again.
 */
function selectorMatchesOf(active: ActiveRule, peers: readonly PodEndpoint[], cache: CompileCache | undefined): SelectorMatches | undefined {
  const selectors: PolicyPeer[] = active.rule.peers?.filter((peer) => !peer.ipBlock) ?? [];
  if (selectors.length === 0) return undefined;
  const cached = cache?.selectorMatches.get(active.rule);
  if (cached && cached.endpoints === peers) return cached.matched;
  const bits = new Uint8Array(peers.length);
  const indices: number[] = [];
  peers.forEach((peer, i) => {
    if (!selectors.some((p) => peerMatches(p, active.namespace, peer))) return;
    bits[i] = 1;
    indices.push(i);
  });
  const matched = { bits, indices: Int32Array.from(indices) };
  cache?.selectorMatches.set(active.rule, { endpoints: peers, matched });
  return matched;
}

/** Peers (by index, ascending) that some selector matches, or that share an address with another pod. */
function selectorCandidates(matched: readonly (SelectorMatches | undefined)[], peers: readonly PodEndpoint[]): number[] {
  const out = new Set<number>(sharedAddressPeers(peers));
  for (const m of matched) if (m) for (const i of m.indices) out.add(i);
  return [...out].sort((a, b) => a - b);
}

const sharedPeerCache = new WeakMap<readonly PodEndpoint[], readonly number[]>();

/** Indices of the peers whose address another pod of the list also has, found once per list. */
function sharedAddressPeers(peers: readonly PodEndpoint[]): readonly number[] {
  let indices = sharedPeerCache.get(peers);
  if (!indices) {
    const shared = sharedAddresses(peers, (peer) => peer.addresses);
    indices = peers.flatMap((peer, i) => (peer.addresses.some((a) => shared.has(kernelAddress(a))) ? [i] : []));
    sharedPeerCache.set(peers, indices);
  }
  return indices;
}


/** One peer address seen while compiling host entries: the set it gets, and what the CIDR entries alone give it. */
interface HostSeen {
  readonly address: Address;
  set: PortSet;
  readonly fromCidrs: PortSet;
  readonly pods: string[];
}

function addHost(
  hosts: Map<bigint, HostSeen>,
  fromCidrs: PortSet,
  address: Address,
  set: PortSet,
  peerId: string,
  localId: string,
  problems: CompileProblem[],
): void {
  const value = unifiedAddress(address.family, address.address);
  const existing = hosts.get(value);
  if (!existing) {
    hosts.set(value, { address, set, fromCidrs, pods: [peerId] });
    return;
  }
  // Two pod identities share an address (hostNetwork pods share the node's): the kernel sees one peer.
  existing.pods.push(peerId);
  existing.set = unionPortSets([existing.set, set]);
  problems.push({
    pod: localId,
    message: `pods ${existing.pods.join(' and ')} share the address ${formatPrefix({ ...address, prefixLength: address.family === 4 ? 32 : 128 })}; the kernel cannot tell them apart and allows each what either is allowed.`,
  });
}

/** A host entry that decides its address whatever the pods there would get (the node's addresses, cluster IPs). */
function overrideHost(hosts: Map<bigint, HostSeen>, address: Address, set: PortSet, fromCidrs: PortSet, owner: string): void {
  hosts.set(unifiedAddress(address.family, address.address), { address, set, fromCidrs, pods: [owner] });
}

/** Host entries for the addresses whose set differs from what the CIDR entries already give them. */
function hostEntries(hosts: Map<bigint, HostSeen>): PeerEntry[] {
  const out: PeerEntry[] = [];
  for (const h of hosts.values()) {
    if (h.set === h.fromCidrs || portSetKey(h.set) === portSetKey(h.fromCidrs)) continue;
    out.push(entryOf({ family: h.address.family, address: h.address.address, prefixLength: h.address.family === 4 ? 32 : 128 }, h.set));
  }
  return out.sort(compareEntries);
}

/**
 * Compiles the entries of the pods on one node. `local` names the node's pods (by identity id) and their host-side
 * veth ifindex; every pod of the cluster with IPs is a potential peer. A `cache` reuses flattenings between calls.
 */
export function compileNode(cluster: ClusterState, local: readonly LocalPod[], cache?: CompileCache, options: CompileOptions = {}): CompiledNode {
  const built = endpointsOf(cluster, cache);
  const { endpoints, byId, unaddressed } = built;
  const inputs: NodeInputs = { nodeAddresses: addressesOf(options.nodeAddresses ?? []), services: serviceTargetsOf(cluster, built, cache) };
  const problems: CompileProblem[] = [];
  const pods: CompiledPod[] = [];

  if (cluster.policies.length > 0) {
    for (const pod of unaddressed) {
      problems.push({ pod: pod.id, message: `pod ${pod.id} has no IP address (status.podIP): rules that select it as a peer cannot be enforced in the kernel, so its traffic to isolated pods is dropped.` });
    }
  }
  const seen = new Set<number>();
  for (const { id, ifindex } of [...local].sort((a, b) => a.ifindex - b.ifindex)) {
    const endpoint = byId.get(id);
    if (!endpoint) throw new Error(`local pod "${id}" is not a pod identity of the cluster (known: ${[...byId.keys()].slice(0, 5).join(', ')}${byId.size > 5 ? ', ...' : ''})`);
    if (seen.has(ifindex)) throw new Error(`local pod "${id}": ifindex ${ifindex} is given to two pods`);
    seen.add(ifindex);
    pods.push({
      id,
      ifindex,
      ingress: compileDirection(cluster.policies, endpoint, endpoints, 'ingress', problems, cache, inputs),
      egress: compileDirection(cluster.policies, endpoint, endpoints, 'egress', problems, cache, inputs),
    });
  }
  return { pods, problems };
}

/** The cluster's endpoints, by id, and those without addresses. */
interface Endpoints {
  readonly endpoints: PodEndpoint[];
  readonly byId: ReadonlyMap<string, PodEndpoint>;
  readonly unaddressed: readonly PodEndpoint[];
}

/** Every pod of the cluster as an endpoint; reused from the cache while the pod and namespace lists are the same. */
function endpointsOf(cluster: ClusterState, cache: CompileCache | undefined): Endpoints {
  const cached = cache?.endpoints;
  if (cached && cached.pods === cluster.pods && cached.namespaces === cluster.namespaces) return cached.endpoints;
  const namespaceLabels = namespaceLabelsOf(cluster);
  const endpoints = cluster.pods.map((pod) => podEndpoint(pod, namespaceLabels.get(pod.namespace)!));
  const built: Endpoints = { endpoints, byId: new Map(endpoints.map((e) => [e.id, e])), unaddressed: endpoints.filter((e) => e.addresses.length === 0) };
  if (cache) {
    cache.endpoints = { pods: cluster.pods, namespaces: cluster.namespaces, endpoints: built };
    cache.selectorMatches = new WeakMap();
  }
  return built;
}
