/**
 * A node's data plane programmed incrementally (what a long-lived agent holds): each local pod is recompiled only
 * when something it depends on changed (the policies that select it, the pod list, the namespaces: by object
 * identity, so reuse unchanged objects between updates), and the map writes are computed per changed pod. Port sets
 * are shared across pods with reference counts (one per pod naming it); a set no pod names any more is zeroed after the entries that named
 * it are gone, and its id is not reused within the same update (no entry ever points at a set being rewritten).
 */
import { ClusterState } from '../model/types';
import { namespaceLabelsOf, podEndpoint } from '../verdict/endpoint';
import { policySelects } from '../verdict/evaluate';
import { CompileCache, compileNode } from './compile';
import { CompileProblem, LocalPod } from './compile-types';
import { MapDiff, diffImages } from './diff';
import { CidrEncodingCache, DataplaneConfig, PROGRAMMED_MAPS, PortSetPeer, encodeConfig, encodePeer, encodePodEntries, encodePortSet, encodeU32 } from './encode';
import { MAP } from './layout';
import { PortSet, isEmptyPortSet } from './port-set';

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

  constructor(private readonly options: NodeProgrammerOptions = {}) {}

  /** The writes that take the maps from the previous update's state to this one (the first update: from empty). */
  update(cluster: ClusterState, local: readonly LocalPod[]): ProgrammerUpdate {
    const labels = namespaceLabelsOf(cluster);
    const byId = new Map(cluster.pods.map((p) => [p.id, p]));
    const changed: LocalPod[] = [];
    const fingerprints = new Map<number, string>();
    for (const pod of local) {
      const identity = byId.get(pod.id);
      if (!identity) throw new Error(`local pod "${pod.id}" is not a pod identity of the cluster`);
      const endpoint = podEndpoint(identity, labels.get(identity.namespace)!);
      const selecting = cluster.policies.filter((p) => policySelects(p, endpoint)).map((p) => this.objectId(p));
      const fingerprint = `${pod.id}|${this.objectId(cluster.pods)}|${this.objectId(cluster.namespaces)}|${selecting.join(',')}`;
      fingerprints.set(pod.ifindex, fingerprint);
      if (this.pods.get(pod.ifindex)?.fingerprint !== fingerprint) changed.push(pod);
    }
    const removed = [...this.pods.keys()].filter((ifindex) => !fingerprints.has(ifindex));

    this.compileCache.begin();
    const compiled = changed.length > 0 ? compileNode(cluster, changed, this.compileCache) : { pods: [], problems: [] };
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
    return { diffs: mergeDiffs([...configDiff, portDiff, ...podDiffs.flat()]), recompiled: changed.map((p) => p.id), problems: compiled.problems };
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

