import { parseIp } from '../model/cidr';
import { ClusterState, Labels, NAMESPACE_NAME_LABEL, PodIdentity } from '../model/types';

/** An IP address as the engine compares it. */
export interface Address {
  readonly family: 4 | 6;
  readonly address: bigint;
}

/** A pod identity of the input, seen with its namespace's labels. */
export interface PodEndpoint {
  readonly kind: 'pod';
  /** `namespace/name`. */
  readonly id: string;
  readonly pod: PodIdentity;
  readonly namespaceLabels: Labels;
  readonly addresses: readonly Address[];
}

/** An address outside the cluster's pods (`--from 203.0.113.7`): only ipBlocks and "every peer" rules match it. */
export interface ExternalEndpoint {
  readonly kind: 'external';
  /** The address as given. */
  readonly id: string;
  readonly addresses: readonly Address[];
}

export type Endpoint = PodEndpoint | ExternalEndpoint;

/** Parses pod IPs, ignoring none silently: the loader has already rejected malformed ones. */
export function addressesOf(ips: readonly string[]): Address[] {
  const out: Address[] = [];
  for (const ip of ips) {
    const parsed = parseIp(ip);
    if (parsed) out.push(parsed);
  }
  return out;
}

/** Namespace labels by name; a namespace that is referenced but not declared has only its automatic label. */
export function namespaceLabelsOf(cluster: ClusterState): Map<string, Labels> {
  const labels = new Map<string, Labels>();
  for (const ns of cluster.namespaces) labels.set(ns.name, { ...ns.labels, [NAMESPACE_NAME_LABEL]: ns.name });
  const ensure = (name: string) => {
    if (!labels.has(name)) labels.set(name, { [NAMESPACE_NAME_LABEL]: name });
  };
  for (const pod of cluster.pods) ensure(pod.namespace);
  for (const policy of cluster.policies) ensure(policy.namespace);
  return labels;
}

export function podEndpoint(pod: PodIdentity, namespaceLabels: Labels): PodEndpoint {
  return { kind: 'pod', id: pod.id, pod, namespaceLabels, addresses: addressesOf(pod.ips) };
}

/** An external endpoint for an IP address, or undefined when `text` is not one. */
export function externalEndpoint(text: string): ExternalEndpoint | undefined {
  const parsed = parseIp(text);
  return parsed ? { kind: 'external', id: text, addresses: [parsed] } : undefined;
}
