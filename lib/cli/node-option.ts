/**
 * `--node NAME=IP[,IP]`: a node the manifests do not declare (or more addresses for one they do), for clusters whose
 * dump has no Node objects. Pods name their node by spec.nodeName; this gives that node its InternalIP addresses.
 */
import { parseIp } from '../model/cidr';
import { ClusterState, Node } from '../model/types';
import { UsageError } from './io';

/** A node as `--node` gives it. */
export interface NodeArgument {
  readonly name: string;
  readonly addresses: readonly string[];
}

/** A DNS-1123 subdomain, as Node names are. */
const NODE_NAME = /^(?=.{1,253}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** Parses the `--node` values; throws UsageError with the fix for a malformed one. */
export function parseNodeArguments(values: readonly string[] | undefined): NodeArgument[] {
  return (values ?? []).map((value) => {
    const at = value.indexOf('=');
    const name = at < 0 ? value : value.slice(0, at);
    const addresses = at < 0 ? [] : value.slice(at + 1).split(',').filter((a) => a !== '');
    if (!NODE_NAME.test(name) || addresses.length === 0) {
      throw new UsageError(`--node "${value}" is not NAME=IP: give the node's name (as pods' spec.nodeName spells it) and its InternalIP addresses, e.g. --node ip-10-0-1-5.ec2.internal=10.0.1.5.`);
    }
    for (const address of addresses) {
      if (!parseIp(address)) throw new UsageError(`--node "${value}": "${address}" is not an IP address. Give the node's InternalIP, e.g. 10.0.1.5 or fd00::5.`);
    }
    return { name, addresses };
  });
}

/** The cluster with the `--node` nodes added, or their addresses added to the nodes of the same name. */
export function withNodes(cluster: ClusterState, nodes: readonly NodeArgument[]): ClusterState {
  if (nodes.length === 0) return cluster;
  const byName = new Map<string, Node>(cluster.nodes.map((n) => [n.name, n]));
  for (const { name, addresses } of nodes) {
    const existing = byName.get(name);
    const merged = [...new Set([...(existing?.addresses ?? []), ...addresses])];
    byName.set(name, existing ? { ...existing, addresses: merged } : { name, addresses: merged, externalAddresses: [], labels: {}, declared: false });
  }
  // Place the pods that report one of the given addresses as their host IP, as the loader places them on Nodes.
  const nodeOf = new Map<string, string>();
  for (const { name, addresses } of nodes) for (const address of addresses) nodeOf.set(address, name);
  const pods = cluster.pods.map((pod) => {
    if (pod.nodeName !== undefined || !pod.hostIPs) return pod;
    const name = pod.hostIPs.map((ip) => nodeOf.get(ip)).find((n) => n !== undefined);
    return name === undefined ? pod : { ...pod, nodeName: name };
  });
  return { ...cluster, pods, nodes: [...byName.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)) };
}
