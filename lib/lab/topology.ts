/**
 * The lab's network: a "node" namespace and one namespace per pod identity or external address, joined to the node
 * by veth pairs, as the VPC CNI wires pods: the pod side is eth0 holding the pod's /32 (/128), the host side
 * (p<k> for pods, x<k> for external hosts) sits in the node namespace with a route to that address. Pods reach
 * everything through a link-local gateway whose neighbour entry is static, so no ARP proxying is needed.
 */
import { parseIp } from '../model/cidr';
import { RunRegistry } from './registry';
import { ip, ipBatch, runInNetns } from './shell';

/** The gateway pods route through, and the MAC every host-side veth carries (as Calico and the VPC CNI do). */
const GATEWAY_V4 = '169.254.1.1';
const GATEWAY_V6 = 'fe80::1';
const HOST_MAC = 'ee:ee:ee:ee:ee:ee';

/** A host of the lab: a pod identity or a cluster-external address. */
export interface LabHostSpec {
  readonly id: string;
  readonly kind: 'pod' | 'external';
  readonly ips: readonly string[];
}

/** A host as built. */
export interface LabHost extends LabHostSpec {
  /** Its network namespace. */
  readonly namespace: string;
  /** The host-side veth in the node namespace, where the programs attach. */
  readonly hostInterface: string;
}

export interface Topology {
  readonly node: string;
  readonly hosts: readonly LabHost[];
}

/**
 * Builds the namespaces and links. Everything is recorded in the registry before it is created, so a failure
 * half-way is cleaned up like a finished run.
 */
export function buildTopology(runId: string, specs: readonly LabHostSpec[], registry: RunRegistry): Topology {
  const node = `enp-${runId}-node`;
  const hosts: LabHost[] = specs.map((spec, k) => ({
    ...spec,
    namespace: `enp-${runId}-${k}`,
    hostInterface: `${spec.kind === 'pod' ? 'p' : 'x'}${k}`,
  }));
  for (const name of [node, ...hosts.map((h) => h.namespace)]) registry.add('namespaces', name);
  ipBatch([node, ...hosts.map((h) => h.namespace)].map((name) => `netns add ${name}`));

  // Forwarding on, reverse-path filtering off: the node is a plain router between its veths. No duplicate address
  // detection on the veths it is about to get: while their link-local addresses are tentative (about a second), the
  // node cannot resolve its pods' IPv6 neighbours, and the first IPv6 probes would be lost.
  runInNetns(node, 'sysctl', ['-qw', 'net.ipv4.ip_forward=1', 'net.ipv6.conf.all.forwarding=1',
    'net.ipv4.conf.all.rp_filter=0', 'net.ipv4.conf.default.rp_filter=0',
    'net.ipv6.conf.all.accept_dad=0', 'net.ipv6.conf.default.accept_dad=0']);

  ipBatch(['link set lo up', ...hosts.flatMap(nodeSideCommands)], node);
  for (const host of hosts) ipBatch(hostSideCommands(host), host.namespace);
  return { node, hosts };
}

/**
 * Adds one pod to a built topology, as a CNI does at a pod's start: its namespace, the veth pair, its addresses and
 * the node's route to it. Recorded in the registry before it is created. Returns the topology with the pod.
 */
export function addPod(topology: Topology, spec: Omit<LabHostSpec, 'kind'>, registry: RunRegistry): { topology: Topology; host: LabHost } {
  const k = topology.hosts.length;
  const host: LabHost = { ...spec, kind: 'pod', namespace: `${topology.node.replace(/-node$/, '')}-${k}`, hostInterface: `p${k}` };
  registry.add('namespaces', host.namespace);
  ipBatch([`netns add ${host.namespace}`]);
  ipBatch(nodeSideCommands(host), topology.node);
  ipBatch(hostSideCommands(host), host.namespace);
  return { topology: { node: topology.node, hosts: [...topology.hosts, host] }, host };
}

/** In the node namespace: the veth pair (its far end moved into the host's namespace) and the routes to the host. */
function nodeSideCommands(host: LabHost): string[] {
  const commands = [
    `link add ${host.hostInterface} address ${HOST_MAC} type veth peer name eth0 netns ${host.namespace}`,
    `link set ${host.hostInterface} up`,
  ];
  for (const address of host.ips) {
    const family = parseIp(address)?.family;
    commands.push(`route add ${address}/${family === 6 ? 128 : 32} dev ${host.hostInterface}`);
  }
  return commands;
}

/** In the host's namespace: eth0 up with its addresses, and the default routes through the static gateway. */
function hostSideCommands(host: LabHost): string[] {
  const commands = ['link set lo up', 'link set eth0 up'];
  const families = new Set<number>();
  for (const address of host.ips) {
    const family = parseIp(address)?.family ?? 4;
    families.add(family);
    commands.push(family === 6 ? `addr add ${address}/128 dev eth0 nodad` : `addr add ${address}/32 dev eth0`);
  }
  if (families.has(4)) {
    commands.push(`neigh add ${GATEWAY_V4} lladdr ${HOST_MAC} dev eth0 nud permanent`);
    commands.push(`route add ${GATEWAY_V4} dev eth0 scope link`);
    commands.push(`route add default via ${GATEWAY_V4} dev eth0`);
  }
  if (families.has(6)) {
    commands.push(`neigh add ${GATEWAY_V6} lladdr ${HOST_MAC} dev eth0 nud permanent`);
    commands.push(`route add default via ${GATEWAY_V6} dev eth0`);
  }
  return commands;
}

/**
 * Gives the node namespace its own addresses, as an EKS node has its primary ENI's. They sit on loopback (global
 * scope: the veths have no address, so what the node itself sends to a pod, a kubelet probe, leaves from one of them;
 * no dummy interface, which needs a kernel module the lab cannot count on).
 */
export function addNodeAddresses(topology: Topology, addresses: readonly string[]): void {
  ipBatch(addresses.map((address) => (parseIp(address)?.family === 6
    ? `addr add ${address}/128 dev lo nodad`
    : `addr add ${address}/32 dev lo`)), topology.node);
}

/** The interface index of a host-side veth, as the node namespace numbers it. */
export function interfaceIndex(topology: Topology, host: LabHost): number {
  const links = JSON.parse(ip('-n', topology.node, '-j', 'link', 'show', 'dev', host.hostInterface)) as { ifindex: number }[];
  return links[0].ifindex;
}
