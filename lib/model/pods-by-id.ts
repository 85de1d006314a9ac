/**
 * Pods by id, indexed once per pod list. A long-lived process (the node agent) asks for the same lookup on every
 * update while the pod list itself rarely changes; building a 10,000-entry map each time dominated small updates.
 */
import { PodIdentity } from './types';

const indexes = new WeakMap<readonly PodIdentity[], ReadonlyMap<string, PodIdentity>>();

/** The pods of `pods` by `namespace/name` (the list must not be mutated afterwards: the index is kept). */
export function podsById(pods: readonly PodIdentity[]): ReadonlyMap<string, PodIdentity> {
  let index = indexes.get(pods);
  if (!index) indexes.set(pods, (index = new Map(pods.map((p) => [p.id, p]))));
  return index;
}
