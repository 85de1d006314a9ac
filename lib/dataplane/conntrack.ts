/**
 * Conntrack after a policy change. The programs let a packet through when its flow has a conntrack entry, so a flow
 * opened while a policy allowed it would outlive the policy that revokes it (UDP for 60 s, established TCP for
 * hours). After every change, each entry's flow is decided again under the new entries, exactly as the programs
 * decide a new flow; the entries of flows the new state denies are removed, and those it still allows stay, so a
 * policy change never cuts a connection it still permits.
 */
import { Protocol } from '../model/types';
import { BpfMap } from './binding';
import { CompiledDirection, CompiledNode, CompiledPod } from './compile-types';
import { LAYOUT } from './layout';
import { PrefixLookup } from './lookup';
import { portSetAllows } from './port-set';

/** enum netpol_direction in bpf/include/netpol.h: the direction of the packet that opened the flow. */
const ORIGIN_EGRESS = 1;

const PROTOCOLS: Record<number, Protocol> = { 6: 'TCP', 17: 'UDP', 132: 'SCTP' };

/** A conntrack key and entry, decoded (layouts: struct netpol_ct_key and netpol_ct_entry). */
export interface TrackedFlow {
  readonly ifindex: number;
  /** The IP protocol number. */
  readonly proto: number;
  readonly podPort: number;
  readonly peerPort: number;
  /** The peer's address in the kernel's 128-bit space (IPv4 v4-mapped). */
  readonly peer: bigint;
  readonly origin: 'ingress' | 'egress';
}

export function decodeFlow(key: Buffer, value: Buffer): TrackedFlow {
  const k = LAYOUT.netpol_ct_key.fields;
  return {
    ifindex: key.readUInt32LE(k.ifindex),
    proto: key[k.proto],
    // Ports are in network byte order in the key.
    podPort: key.readUInt16BE(k.pod_port),
    peerPort: key.readUInt16BE(k.peer_port),
    peer: BigInt(`0x${key.subarray(k.peer_addr, k.peer_addr + 16).toString('hex')}`),
    origin: value[LAYOUT.netpol_ct_entry.fields.origin] === ORIGIN_EGRESS ? 'egress' : 'ingress',
  };
}

/**
 * Would the programs, under `pods`' entries, let this flow open now? Flows of interfaces no longer programmed are
 * kept: their interface is gone or unenforced, and their entries age out.
 */
export function flowStillAllowed(flow: TrackedFlow, pods: ReadonlyMap<number, CompiledPod>, lookups: Map<CompiledDirection, PrefixLookup>): boolean {
  const pod = pods.get(flow.ifindex);
  if (!pod) return true;
  const direction = pod[flow.origin];
  if (direction.state === 'open') return true;
  let lookup = lookups.get(direction);
  if (!lookup) lookups.set(direction, (lookup = new PrefixLookup(direction.hosts, direction.cidrs)));
  // The lookup works in the kernel's 128-bit space, where family 6 leaves an address as it is.
  const set = lookup.find(6, flow.peer);
  if (!set) return false;
  const protocol = PROTOCOLS[flow.proto];
  // Other protocols (ICMP) pass only peers allowed everything, as the programs decide.
  if (!protocol) return set.any;
  // The destination port of the opening packet: the peer's when the pod opened the flow, else the pod's.
  return portSetAllows(set, flow.origin === 'egress' ? flow.peerPort : flow.podPort, protocol);
}

/** Removes the conntrack entries of flows that `node` no longer allows; returns how many went. */
export function evictRevokedFlows(conntrack: BpfMap, node: CompiledNode): number {
  const pods = new Map(node.pods.map((p) => [p.ifindex, p]));
  const lookups = new Map<CompiledDirection, PrefixLookup>();
  const revoked: Buffer[] = [];
  for (const [key, value] of conntrack.entries()) {
    if (!flowStillAllowed(decodeFlow(key, value), pods, lookups)) revoked.push(key);
  }
  if (revoked.length === 0) return 0;
  return conntrack.deleteBatch(Buffer.concat(revoked), revoked.length, { ignoreMissing: true });
}
