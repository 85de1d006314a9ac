/**
 * A node's data plane programmed incrementally (what a long-lived agent holds): each local pod is recompiled only
 * when something it depends on changed (the policies that select it, the pod list, the namespaces: by object
 * identity, so reuse unchanged objects between updates), and the map writes are computed per changed pod. Port sets
 * are shared across pods with reference counts (one per pod naming it); a set no pod names any more is zeroed after the entries that named
 * it are gone, and its id is not reused within the same update (no entry ever points at a set being rewritten).
 */
import { podsById } from '../model/pods-by-id';
import { selectorMatches } from '../model/selector';
import { ClusterState, EndpointSlice, Labels, Namespace, NetworkPolicy, PodIdentity } from '../model/types';
import { PodEndpoint, addressesOf, namespaceLabelsOf, podEndpoint } from '../verdict/endpoint';
import { serviceBackends } from '../model/service-backends';
import { peerMatches, policySelects } from '../verdict/evaluate';
import { CompileCache, compileNode } from './compile';
import { CompileOptions, CompileProblem, CompiledPod, LocalPod } from './compile-types';
import { MapDiff, diffImages } from './diff';
import {
  CidrEncodingCache, DataplaneConfig, MapImage, PROGRAMMED_MAPS, PortSetPeer, encodeConfig, encodePeer, encodePodEntries, encodePortSet, encodeU32,
  imageKey, imageKeyBytes,
} from './encode';
import { MAP } from './layout';
import { PortSet, isEmptyPortSet } from './port-set';
import { kernelAddress, sharedAddresses } from './shared-addresses';

/** What one pod contributes to the maps. */
interface PodRecord {
  readonly fingerprint: string;
  readonly entries: Map<string, Map<string, Buffer>>;
  /** Port sets (encoded, latin1) its entries name. */
  readonly portSets: ReadonlySet<string>;
}

/** Options of NodeProgrammer. */
export interface NodeProgrammerOptions {
  /**
   * The node-wide settings written to netpol_config on the first update.
   *
   * @default - events off, strict off
   */
  readonly config?: DataplaneConfig;
}

/** What one update changes. */
export interface ProgrammerUpdate {
  /** The map writes, in apply order (give them to applyDiff). */
  readonly diffs: MapDiff[];
  /** Pods recompiled (the others were unchanged). */
  readonly recompiled: readonly string[];
  /** Problems of the recompiled pods. */
  readonly problems: readonly CompileProblem[];
  /** The recompiled pods' entries (what conntrack eviction decides flows by: only their flows can have lost an allowance). */
  readonly compiled: readonly CompiledPod[];
}

export class NodeProgrammer {
  private readonly pods = new Map<number, PodRecord>();
  private readonly portSets = new Map<string, { id: number; refs: number }>();
  private readonly usedIds = new Set<number>();
  private configWritten = false;
  private readonly objectIds = new WeakMap<object, number>();
  private nextObjectId = 1;
  private readonly compileCache = new CompileCache();
  private readonly encodingCache: CidrEncodingCache = new WeakMap();
  /** What the kernel held when adopt() was called; the next update diffs against it instead of the records. */
  private adopted?: MapImage;
  private policiesByNamespace?: { of: readonly NetworkPolicy[]; index: Map<string, NetworkPolicy[]> };
  /** The pod and namespace lists of the last update: the next one recompiles only for the pods that differ. */
  private lastPods?: readonly PodIdentity[];
  private lastNamespaces?: readonly Namespace[];
  /** The Service and slice lists and node addresses of the last update (cluster IP and node entries depend on them). */
  /** The last update's cluster: the backends Services had then, for the Services that change. */
  private lastCluster?: ClusterState;
  private lastNodeAddresses?: string;
  private clusterIndex?: { pods: readonly PodIdentity[]; namespaces: readonly Namespace[]; labels: Map<string, Labels>; byId: ReadonlyMap<string, PodIdentity> };

  constructor(private readonly options: NodeProgrammerOptions = {}) {}

  /**
   * Starts from what the kernel's maps hold (a restarted agent re-adopting its pins): port sets keep their ids, and
   * a new set never takes an id an old entry still names, so no entry ever sees another set while the diff is applied.
   * The next update's diffs turn exactly `kernel` into the new state. Call it before the first update.
   */
  adopt(kernel: MapImage): void {
    this.adopted = kernel;
    for (const [key, value] of kernel.get(MAP.ports) ?? []) {
      const id = imageKeyBytes(key).readUInt32LE(0);
      this.usedIds.add(id);
      const set = value.toString('latin1');
      if (!this.portSets.has(set)) this.portSets.set(set, { id, refs: 0 });
    }
  }

  /** Everything the maps hold after the last update, as an image. */
  image(): MapImage {
    const maps = new Map<string, Map<string, Buffer>>(PROGRAMMED_MAPS.map((name) => [name, new Map()]));
    maps.get(MAP.config)!.set(imageKey(encodeU32(0)), encodeConfig(this.options.config));
    for (const [set, { id, refs }] of this.portSets) {
      if (refs > 0) maps.get(MAP.ports)!.set(imageKey(encodeU32(id)), Buffer.from(set, 'latin1'));
    }
    for (const record of this.pods.values()) {
      for (const [map, entries] of record.entries) {
        const into = maps.get(map)!;
        for (const [key, value] of entries) into.set(key, value);
      }
    }
    return maps;
  }

  /** How many entries each programmed map holds (for metrics), counted from the records rather than read back. */
  entryCounts(): Record<string, number> {
    const counts: Record<string, number> = Object.fromEntries(PROGRAMMED_MAPS.map((name) => [name, 0]));
    counts[MAP.config] = 1;
    counts[MAP.ports] = [...this.portSets.values()].filter((s) => s.refs > 0).length;
    for (const record of this.pods.values()) {
      for (const [map, entries] of record.entries) counts[map] += entries.size;
    }
    return counts;
  }

  /** The writes that take the maps from the previous update's state (or the adopted one) to this one. */
  update(cluster: ClusterState, local: readonly LocalPod[], options: CompileOptions = {}): ProgrammerUpdate {
    const { labels, byId } = this.indexOf(cluster);
    const policies = this.policiesIn(cluster.policies);
    const changed: LocalPod[] = [];
    const fingerprints = new Map<number, string>();
    const nodeAddresses = [...(options.nodeAddresses ?? [])].sort().join(',');
    const peerChanges = this.lastNodeAddresses !== nodeAddresses ? 'all' : this.peerChanges(cluster, labels);
    // Cluster IP entries: a Service whose backends changed (its object, its slices, a backend pod) changes the entry
    // of the egress-isolated pods whose rules admit some old or new backend of it (a pod that admits none had an
    // empty set before and after).
    const backendChanges = peerChanges === 'all' ? 'all' : changedBackends(this.lastCluster, cluster, peerChanges, labels);
    this.lastCluster = cluster;
    this.lastNodeAddresses = nodeAddresses;
    for (const pod of local) {
      const identity = byId.get(pod.id);
      if (!identity) throw new Error(`local pod "${pod.id}" is not a pod identity of the cluster`);
      const endpoint = podEndpoint(identity, labels.get(identity.namespace)!);
      const selectingPolicies = (policies.get(identity.namespace) ?? []).filter((p) => policySelects(p, endpoint));
      const selecting = selectingPolicies.map((p) => this.objectId(p));
      const fingerprint = `${pod.id}|${this.objectId(identity)}|${this.objectId(cluster.namespaces)}|${selecting.join(',')}`;
      fingerprints.set(pod.ifindex, fingerprint);
      const byServices = backendChanges !== 'all' && backendChanges.length > 0 && egressAffectedBy(backendChanges, selectingPolicies, pod.id);
      if (this.pods.get(pod.ifindex)?.fingerprint !== fingerprint || byServices || affectedBy(peerChanges, selectingPolicies)) changed.push(pod);
    }
    this.lastPods = cluster.pods;
    this.lastNamespaces = cluster.namespaces;
    const removed = [...this.pods.keys()].filter((ifindex) => !fingerprints.has(ifindex));

    this.compileCache.begin();
    const compiled = changed.length > 0 ? compileNode(cluster, changed, this.compileCache, options) : { pods: [], problems: [] };
    // Keep the flattenings bounded: a few per local pod and direction.
    if (this.compileCache.flat.size > 8 * (local.length + 1)) this.compileCache.prune();
    const newSets = new Map<string, number>();
    const released: string[] = [];
    const podDiffs: MapDiff[][] = [];
    const peerById = new Map<number, Buffer>();
    for (const pod of compiled.pods) {
      // Per pod, each distinct set is one reference (a pod holds a set while any of its entries names it).
      const idByKey = new Map<string, number>();
      const keyBySet = new Map<PortSet, string>();
      const portSetPeer: PortSetPeer = (set, where) => {
        let id = 0;
        if (!isEmptyPortSet(set)) {
          let key = keyBySet.get(set);
          if (key === undefined) keyBySet.set(set, (key = encodePortSet(set, where()).toString('latin1')));
          let known = idByKey.get(key);
          if (known === undefined) idByKey.set(key, (known = this.acquire(key, newSets)));
          id = known;
        }
        let peer = peerById.get(id);
        if (!peer) peerById.set(id, (peer = encodePeer(id)));
        return peer;
      };
      const entries = encodePodEntries(pod, portSetPeer, 0, this.encodingCache);
      const old = this.pods.get(pod.ifindex);
      podDiffs.push(diffImages(old?.entries ?? new Map(), entries));
      if (old) released.push(...this.release(old));
      this.pods.set(pod.ifindex, { fingerprint: fingerprints.get(pod.ifindex)!, entries, portSets: new Set(idByKey.keys()) });
    }
    for (const ifindex of removed) {
      const old = this.pods.get(ifindex)!;
      podDiffs.push(diffImages(old.entries, new Map()));
      released.push(...this.release(old));
      this.pods.delete(ifindex);
    }

    const gone = [...new Set(released)].filter((key) => this.portSets.get(key)?.refs === 0);
    const portDiff: MapDiff = {
      map: MAP.ports,
      updates: [...newSets].filter(([key]) => this.portSets.get(key)!.refs > 0).map(([key, id]) => [encodeU32(id), Buffer.from(key, 'latin1')] as const),
      deletes: gone.map((key) => encodeU32(this.portSets.get(key)!.id)),
    };
    for (const key of gone) {
      this.usedIds.delete(this.portSets.get(key)!.id);
      this.portSets.delete(key);
    }
    const configDiff: MapDiff[] = this.configWritten ? [] : [{ map: MAP.config, updates: [[encodeU32(0), encodeConfig(this.options.config)]], deletes: [] }];
    this.configWritten = true;
    const diffs = this.adopted ? this.finishAdoption() : mergeDiffs([...configDiff, portDiff, ...podDiffs.flat()]);
    return { diffs, recompiled: changed.map((p) => p.id), problems: compiled.problems, compiled: compiled.pods };
  }

  /** The diff from the adopted kernel state to the records; adopted sets nothing names any more are let go. */
  private finishAdoption(): MapDiff[] {
    const diffs = diffImages(this.adopted!, this.image());
    this.adopted = undefined;
    for (const [set, { refs }] of [...this.portSets]) {
      if (refs === 0) this.portSets.delete(set);
    }
    // The ids of sets let go, and of sets the kernel held twice (never adopted), are free once the diff zeroes them.
    const live = new Set([...this.portSets.values()].map((s) => s.id));
    for (const id of [...this.usedIds]) {
      if (!live.has(id)) this.usedIds.delete(id);
    }
    return diffs;
  }

  /**
   * The pods (old and new versions, as endpoints) that differ from the last update's, or 'all' when every local pod
   * must be recompiled (the first update, changed namespaces, or a changed pod sharing an address with another).
   */
  private peerChanges(cluster: ClusterState, labels: Map<string, Labels>): PeerChanges {
    if (!this.lastPods || this.lastNamespaces !== cluster.namespaces) return 'all';
    if (this.lastPods === cluster.pods) return [];
    const before = podsById(this.lastPods);
    const now = podsById(cluster.pods);
    const versions: PodIdentity[] = [];
    for (const [id, pod] of now) {
      const old = before.get(id);
      if (old === pod) continue;
      versions.push(pod);
      if (old) versions.push(old);
    }
    for (const [id, old] of before) if (!now.has(id)) versions.push(old);
    const changes = versions.map((pod) => podEndpoint(pod, labels.get(pod.namespace) ?? {}));
    // Two pods on one address get one entry with both pods' sets: a change to either can change the other's entry.
    const shared = [this.lastPods, cluster.pods].map((pods) => sharedAddresses(pods, (pod) => addressesOf(pod.ips)));
    if (changes.some((pod) => pod.addresses.some((a) => shared.some((keys) => keys.has(kernelAddress(a)))))) return 'all';
    return changes;
  }

  /** Namespace labels and pods by id, indexed once per pod and namespace list. */
  private indexOf(cluster: ClusterState): { labels: Map<string, Labels>; byId: ReadonlyMap<string, PodIdentity> } {
    const known = this.clusterIndex;
    if (known?.pods === cluster.pods && known.namespaces === cluster.namespaces) return known;
    this.clusterIndex = { pods: cluster.pods, namespaces: cluster.namespaces, labels: namespaceLabelsOf(cluster), byId: podsById(cluster.pods) };
    return this.clusterIndex;
  }

  /** The policies per namespace (a policy selects only pods of its own namespace), indexed once per policy list. */
  private policiesIn(policies: readonly NetworkPolicy[]): Map<string, NetworkPolicy[]> {
    if (this.policiesByNamespace?.of !== policies) {
      const index = new Map<string, NetworkPolicy[]>();
      for (const policy of policies) {
        let list = index.get(policy.namespace);
        if (!list) index.set(policy.namespace, (list = []));
        list.push(policy);
      }
      this.policiesByNamespace = { of: policies, index };
    }
    return this.policiesByNamespace.index;
  }

  /** A reference to a port set: its id, allocated (lowest id no set holds) when it is new. */
  private acquire(key: string, newSets: Map<string, number>): number {
    const existing = this.portSets.get(key);
    if (existing) {
      existing.refs++;
      return existing.id;
    }
    let id = 1;
    while (this.usedIds.has(id)) id++;
    this.usedIds.add(id);
    this.portSets.set(key, { id, refs: 1 });
    newSets.set(key, id);
    return id;
  }

  /** Drops a pod's references; returns the sets it named. */
  private release(record: PodRecord): string[] {
    for (const key of record.portSets) this.portSets.get(key)!.refs--;
    return [...record.portSets];
  }

  private objectId(object: object): number {
    let id = this.objectIds.get(object);
    if (id === undefined) this.objectIds.set(object, (id = this.nextObjectId++));
    return id;
  }
}

/** One diff per map, in apply order. */
function mergeDiffs(diffs: readonly MapDiff[]): MapDiff[] {
  const byMap = new Map<string, { updates: Array<readonly [Buffer, Buffer]>; deletes: Buffer[] }>();
  for (const diff of diffs) {
    let into = byMap.get(diff.map);
    if (!into) byMap.set(diff.map, (into = { updates: [], deletes: [] }));
    into.updates.push(...diff.updates);
    into.deletes.push(...diff.deletes);
  }
  return PROGRAMMED_MAPS.filter((map) => byMap.has(map))
    .map((map) => ({ map, ...byMap.get(map)! }))
    .filter((d) => d.updates.length > 0 || d.deletes.length > 0);
}

/**
 * The backend pods (old and new, as endpoints) of the Services whose backends may differ from the last update's:
 * Services whose object changed, whose slices changed, or that select (or list by address) a changed pod. A backend
 * address no pod has stands as an endpoint of no labels, which only address rules (ipBlocks) can admit.
 */
function changedBackends(
  last: ClusterState | undefined,
  cluster: ClusterState,
  peerChanges: readonly PodEndpoint[],
  labels: Map<string, Labels>,
): PodEndpoint[] | 'all' {
  if (!last) return 'all';
  if (last.services === cluster.services && last.endpointSlices === cluster.endpointSlices && peerChanges.length === 0) return [];
  const changed = new Set<string>();
  const before = new Map(last.services.map((s) => [s.id, s]));
  const now = new Map(cluster.services.map((s) => [s.id, s]));
  for (const [id, service] of now) if (before.get(id) !== service) changed.add(id);
  for (const id of before.keys()) if (!now.has(id)) changed.add(id);
  if (last.endpointSlices !== cluster.endpointSlices) {
    const sliceKey = (slice: EndpointSlice) => (slice.serviceName === undefined ? undefined : `${slice.namespace}/${slice.serviceName}`);
    const old = new Map(last.endpointSlices.map((slice) => [slice.id, slice]));
    const fresh = new Map(cluster.endpointSlices.map((slice) => [slice.id, slice]));
    for (const [id, slice] of fresh) if (old.get(id) !== slice) changed.add(sliceKey(slice) ?? '');
    for (const [id, slice] of old) if (fresh.get(id) !== slice) changed.add(sliceKey(slice) ?? '');
  }
  for (const state of [last, cluster]) {
    for (const pod of peerChanges) for (const service of servicesOf(state, pod.pod)) changed.add(service);
  }
  const out: PodEndpoint[] = [];
  for (const state of [last, cluster]) {
    for (const service of state.services) {
      if (!changed.has(service.id) || service.clusterIPs.length === 0) continue;
      for (const { backends } of serviceBackends(state, service).ports) {
        for (const backend of backends) {
          if (backend.kind === 'pod' || backend.pod) {
            const pod = backend.pod!;
            out.push(podEndpoint(pod, labels.get(pod.namespace) ?? {}));
          } else {
            out.push({ kind: 'pod', id: backend.address, pod: ADDRESS_ONLY, namespaceLabels: {}, addresses: addressesOf([backend.address]) });
          }
        }
      }
    }
  }
  return out;
}

/** A stand-in pod for a backend address no pod has: no labels, so only address rules admit it. */
const ADDRESS_ONLY: PodIdentity = { id: '(address)', namespace: '', name: '', kind: 'Pod', labels: {}, ports: [], ips: [] };

/** The Services of `cluster` that a pod version is a backend of: by selector, or listed (by address or name) in a slice. */
function servicesOf(cluster: ClusterState, pod: PodIdentity): string[] {
  const out: string[] = [];
  for (const service of cluster.services) {
    if (service.namespace === pod.namespace && service.selector && selectorMatches({ matchLabels: service.selector }, pod.labels)) out.push(service.id);
  }
  for (const slice of cluster.endpointSlices) {
    if (slice.serviceName === undefined) continue;
    const lists = slice.endpoints.some((e) => e.addresses.some((a) => pod.ips.includes(a))
      || (e.targetRef?.name === pod.name && (e.targetRef.namespace ?? slice.namespace) === pod.namespace));
    if (lists) out.push(`${slice.namespace}/${slice.serviceName}`);
  }
  return out;
}

/**
 * Whether a local pod that `policies` select can have its cluster IP entries changed by these backends: its egress
 * is isolated and some egress rule could admit one of them (a selector that matches it, or a rule that admits by
 * address or admits every peer), or it is one of them (a pod always reaches itself through its Service).
 */
function egressAffectedBy(backends: readonly PodEndpoint[], policies: readonly NetworkPolicy[], podId: string): boolean {
  if (!policies.some((policy) => policy.policyTypes.includes('Egress'))) return false;
  if (backends.some((backend) => backend.id === podId)) return true;
  for (const policy of policies) {
    if (!policy.policyTypes.includes('Egress')) continue;
    for (const rule of policy.egress) {
      if (rule.peers === undefined || rule.peers.some((peer) => peer.ipBlock)) return true;
      for (const peer of rule.peers) if (backends.some((pod) => peerMatches(peer, policy.namespace, pod))) return true;
    }
  }
  return false;
}

/** Pods whose versions changed since the last update (as endpoints), or 'all'. */
type PeerChanges = readonly PodEndpoint[] | 'all';

/**
 * Whether changed pods can change the entries of a local pod that `policies` select. Entries come from selector
 * matches, except where addresses decide (ipBlocks) or each peer's own ports do (egress named ports): there any
 * pod with an address counts. A peer-less rule gives every address the same set, so it depends on no pod.
 */
function affectedBy(changes: PeerChanges, policies: readonly NetworkPolicy[]): boolean {
  if (changes === 'all') return true;
  if (changes.length === 0) return false;
  for (const policy of policies) {
    for (const direction of ['ingress', 'egress'] as const) {
      if (!policy.policyTypes.includes(direction === 'ingress' ? 'Ingress' : 'Egress')) continue;
      for (const rule of policy[direction]) {
        const byAddress = rule.peers?.some((peer) => peer.ipBlock)
          || (direction === 'egress' && rule.ports?.some((entry) => typeof entry.port === 'string'));
        if (byAddress && changes.some((pod) => pod.addresses.length > 0)) return true;
        for (const peer of rule.peers ?? []) {
          if (!peer.ipBlock && changes.some((pod) => peerMatches(peer, policy.namespace, pod))) return true;
        }
      }
    }
  }
  return false;
}
