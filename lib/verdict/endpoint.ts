import { parseIp } from '../model/cidr';
import { ClusterState, Labels, NAMESPACE_NAME_LABEL, Node, PodIdentity } from '../model/types';

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

/**
 * A node as a source (`--from node/NAME`): its traffic to pods on that node is always allowed (Kubernetes and EKS
 * exempt it: kubelet probes); to any other pod it arrives from the node's InternalIP addresses, which only ipBlocks
 * and "every peer" rules match. `node` undefined stands for "the destination's own node" (`--from node`).
 */
export interface NodeEndpoint {
  readonly kind: 'node';
  /** `node/NAME`, or `node` for the destination's own node. */
  readonly id: string;
  readonly node?: Node;
  readonly addresses: readonly Address[];
}

export type Endpoint = PodEndpoint | ExternalEndpoint | NodeEndpoint;

/** The id prefix of node endpoints: `node/ip-10-0-1-5.ec2.internal`. */
export const NODE_PREFIX = 'node/';
/** The endpoint id of "the destination's own node". */
export const OWN_NODE_ID = 'node';

/** The endpoint of one node, or of "the destination's own node" when `node` is undefined. */
export function nodeEndpoint(node?: Node): NodeEndpoint {
  return node
    ? { kind: 'node', id: `${NODE_PREFIX}${node.name}`, node, addresses: addressesOf(node.addresses) }
    : { kind: 'node', id: OWN_NODE_ID, addresses: [] };
}

/**
 * Is `from` the node of the pod `to` (or a hostNetwork pod on it, which is the node)? Such traffic is allowed
 * whatever the policies say. A pod identity without spec.nodeName (a workload) is on no known node, so only
 * `--from node` (its own node, whichever it is) is local to it.
 */
export function isNodeLocal(from: Endpoint, to: Endpoint): boolean {
  if (to.kind !== 'pod' || to.pod.hostNetwork) return false;
  if (from.kind === 'node') return from.node === undefined || (to.pod.nodeName !== undefined && from.node.name === to.pod.nodeName);
  return from.kind === 'pod' && from.pod.hostNetwork === true && from.pod.nodeName !== undefined && from.pod.nodeName === to.pod.nodeName;
}

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
