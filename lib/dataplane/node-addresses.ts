/**
 * The node's own addresses, which the compiler admits to every local pod (node to local pod traffic is always
 * allowed: kubelet probes). They come from what the caller knows: addresses given explicitly (a `--node NAME=IP`
 * option, the lab's node namespace), the Node object of the node's name (its InternalIPs), and the host IPs the local
 * pods report (status.hostIP / status.hostIPs). ExternalIPs are not the node's own: traffic from them is external.
 */
import { parseIp } from '../model/cidr';
import { ClusterState } from '../model/types';

/** Where the node's addresses are read from. */
export interface NodeAddressSource {
  /**
   * Addresses of this node given explicitly.
   *
   * @default - none
   */
  readonly addresses?: readonly string[];
  /**
   * This node's name: the InternalIP addresses of the cluster's Node of that name count.
   *
   * @default - no Node is looked up
   */
  readonly nodeName?: string;
  /**
   * Ids of the pods on this node: their reported host IPs count.
   *
   * @default - none
   */
  readonly localPods?: readonly string[];
}

/** The node's addresses, deduplicated and sorted (so equal inputs give equal lists); unparseable ones are left out. */
export function nodeAddressesOf(cluster: ClusterState, source: NodeAddressSource): string[] {
  const out = new Set<string>(source.addresses ?? []);
  if (source.nodeName !== undefined) {
    for (const address of cluster.nodes.find((n) => n.name === source.nodeName)?.addresses ?? []) out.add(address);
  }
  if (source.localPods && source.localPods.length > 0) {
    const local = new Set(source.localPods);
    for (const pod of cluster.pods) {
      if (local.has(pod.id)) for (const address of pod.hostIPs ?? []) out.add(address);
    }
  }
  return [...out].filter((a) => parseIp(a) !== undefined).sort();
}
