import { formatIp, parseCidr, parseIp } from '../model/cidr';
import { ClusterState, PodIdentity } from '../model/types';

/** Where the lab numbers pods that the manifests give no IP (Deployments and the like). */
export const LAB_POD_CIDR = '10.244.0.0/16';

/**
 * Gives every pod identity without an IP one from LAB_POD_CIDR, in id order so runs are repeatable, skipping
 * addresses already taken by pods or by the external endpoints probed. The verdicts are computed over the
 * returned state, so ipBlocks see exactly the addresses the lab's packets carry.
 */
export function assignAddresses(cluster: ClusterState, reserved: readonly string[] = []): ClusterState {
  const taken = new Set<string>();
  for (const text of [...reserved, ...cluster.pods.flatMap((p) => p.ips)]) {
    const parsed = parseIp(text);
    if (parsed) taken.add(formatIp(parsed.family, parsed.address));
  }
  const pool = parseCidr(LAB_POD_CIDR)!;
  let next = pool.address + 1n;
  const allocate = (): string => {
    for (;;) {
      const candidate = formatIp(4, next++);
      if (!taken.has(candidate)) {
        taken.add(candidate);
        return candidate;
      }
    }
  };
  const byId = [...cluster.pods].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const assigned = new Map<string, PodIdentity>();
  for (const pod of byId) assigned.set(pod.id, pod.ips.length > 0 ? pod : { ...pod, ips: [allocate()] });
  return { ...cluster, pods: cluster.pods.map((p) => assigned.get(p.id)!) };
}
