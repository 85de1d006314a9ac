/**
 * Keeps object identity across rebuilds of the desired state. Both sources rebuild the whole ClusterState on every
 * change (the informer caches or the manifest files, through clusterFromObjects), so every pod and policy would be a
 * new object each time, and the NodeProgrammer, which recompiles a local pod only when an object it depends on is a
 * different object, would recompile the whole node for any event. Interning hands back the previous object for
 * every object whose content (source location included) is unchanged, and the previous list when none changed.
 */
import { ClusterState } from '../model/types';

export class StateInterner {
  private previous?: ClusterState;
  /** Content keys of the objects handed out, so each object is serialized once. */
  private readonly keys = new WeakMap<object, string>();

  /** `next`, with unchanged objects and lists replaced by the previous call's. Deep-equal to `next`. */
  intern(next: ClusterState): ClusterState {
    const before = this.previous;
    const interned: ClusterState = before
      ? {
        ...next,
        namespaces: this.list(before.namespaces, next.namespaces, (n) => n.name),
        pods: this.list(before.pods, next.pods, (p) => p.id),
        policies: this.list(before.policies, next.policies, (p) => p.id),
        services: this.list(before.services, next.services, (s) => s.id),
        nodes: this.list(before.nodes, next.nodes, (n) => n.name),
        endpointSlices: this.list(before.endpointSlices, next.endpointSlices, (e) => e.id),
      }
      : next;
    const unchanged = before && interned.namespaces === before.namespaces && interned.pods === before.pods
      && interned.policies === before.policies && interned.services === before.services
      && interned.nodes === before.nodes && interned.endpointSlices === before.endpointSlices;
    this.previous = unchanged ? before : interned;
    return this.previous;
  }

  private list<T extends object>(before: readonly T[], after: readonly T[], idOf: (item: T) => string): readonly T[] {
    const byId = new Map(before.map((item) => [idOf(item), item]));
    let same = before.length === after.length;
    const out = after.map((item, index) => {
      const old = byId.get(idOf(item));
      const kept = old !== undefined && this.keyOf(old) === this.keyOf(item) ? old : item;
      if (kept !== before[index]) same = false;
      return kept;
    });
    return same ? before : out;
  }

  private keyOf(item: object): string {
    let key = this.keys.get(item);
    if (key === undefined) {
      key = JSON.stringify(item, (_, value) => (typeof value === 'bigint' ? `${value}n` : value));
      this.keys.set(item, key);
    }
    return key;
  }
}
