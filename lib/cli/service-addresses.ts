/**
 * Addresses kube-proxy translates: a probe `--to` one of them is not a probe of that address. On a node the packet
 * goes to a backend, so the verdict is the Service's (and our agent enforces it so); judged as a plain address it
 * would be right in `reach` and wrong on the node. Such a `--to` is refused with the Service to probe instead.
 */
import { parseIp } from '../model/cidr';
import { ClusterState } from '../model/types';

/** For each `--to` that is a Service's cluster IP, external IP or load balancer IP, the message that refuses it. */
export function translatedAddressProblems(refs: readonly string[] | undefined, cluster: ClusterState): string[] {
  if (!refs) return [];
  const owners = new Map<string, { service: string; role: string }>();
  for (const service of cluster.services ?? []) {
    const roles: [readonly string[], string][] = [[service.clusterIPs, 'cluster IP'], [service.externalIPs, 'external IP'], [service.loadBalancerIPs ?? [], 'load balancer IP']];
    for (const [addresses, role] of roles) {
      for (const address of addresses) {
        const key = canonical(address);
        if (key !== undefined && !owners.has(key)) owners.set(key, { service: `service/${service.id}`, role });
      }
    }
  }
  const problems: string[] = [];
  for (const ref of refs) {
    const key = canonical(ref);
    const owner = key !== undefined ? owners.get(key) : undefined;
    if (!owner) continue;
    problems.push(`--to "${ref}" is the ${owner.role} of ${owner.service}: kube-proxy translates its traffic to a backend before `
      + `any policy sees it. Probe --to ${owner.service} (its ports are the Service ports).`);
  }
  return problems;
}

/** One spelling per address (`fd00::a` and `fd00:0::a` are the same). */
function canonical(text: string): string | undefined {
  const parsed = parseIp(text);
  return parsed ? `${parsed.family}:${parsed.address}` : undefined;
}
