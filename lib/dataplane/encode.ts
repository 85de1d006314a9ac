/**
 * Encoders from compiled entries to the kernel's structs (offsets from layout.ts, which a test holds to the BTF of
 * the compiled object), and the map image of a node: every entry of every map we write, keyed by the key's hex.
 */
import { formatIp } from '../model/cidr';
import { Protocol } from '../model/types';
import { CompiledDirection, CompiledNode, CompiledPod, PeerEntry } from './compile-types';
import { CONFIG_FLAG, LAYOUT, MAP, MAX_RANGES, PORTS_ANY, PROTO, REASONS, STATE } from './layout';
import { PortSet, canonicalRanges, isEmptyPortSet } from './port-set';
import { addressBytes, formatPrefix, unifiedLength } from './prefix';

/** Every entry of every map user space programs: map name -> key (imageKey of its bytes) -> value. */
export type MapImage = ReadonlyMap<string, ReadonlyMap<string, Buffer>>;

/** A map key's bytes as a MapImage key: latin1 keeps one character per byte (cheaper than hex, and exact). */
export function imageKey(key: Buffer): string {
  return key.toString('latin1');
}

/** The bytes of a MapImage key. */
export function imageKeyBytes(key: string): Buffer {
  return Buffer.from(key, 'latin1');
}

/** A compiled state that does not fit the kernel's structs (too many port ranges for one peer). */
export class DataplaneCompileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DataplaneCompileError';
  }
}

const L = LAYOUT;

/** The netpol_pods value: both directions' states. (Must match struct netpol_pod in bpf/include/netpol.h.) */
export function encodePod(ingress: number, egress: number, generation = 0): Buffer {
  const b = Buffer.alloc(L.netpol_pod.size);
  b.writeUInt8(ingress, L.netpol_pod.fields.ingress);
  b.writeUInt8(egress, L.netpol_pod.fields.egress);
  b.writeUInt32LE(generation >>> 0, L.netpol_pod.fields.generation);
  return b;
}

/** A u32 key in host byte order (netpol_pods by ifindex, array indexes). */
export function encodeU32(value: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(value >>> 0, 0);
  return b;
}

/** The HOSTS key. (Must match struct netpol_host_key in bpf/include/netpol.h.) */
export function encodeHostKey(ifindex: number, family: 4 | 6, address: bigint): Buffer {
  // Every byte is written below: a pooled, unzeroed buffer is safe and much cheaper for thousands of keys.
  const b = Buffer.allocUnsafe(L.netpol_host_key.size);
  b.writeUInt32LE(ifindex >>> 0, L.netpol_host_key.fields.ifindex);
  addressBytes(family, address, b, L.netpol_host_key.fields.addr);
  return b;
}

/** The CIDRS key: prefixlen counts the ifindex's 32 bits. (Must match struct netpol_cidr_key in bpf/include/netpol.h.) */
export function encodeCidrKey(ifindex: number, family: 4 | 6, address: bigint, prefixLength: number): Buffer {
  // Every byte is written below (see encodeHostKey).
  const b = Buffer.allocUnsafe(L.netpol_cidr_key.size);
  b.writeUInt32LE(32 + unifiedLength(family, prefixLength), L.netpol_cidr_key.fields.prefixlen);
  // The trie always matches the ifindex's 32 bits in full, so their byte order does not matter: host order.
  b.writeUInt32LE(ifindex >>> 0, L.netpol_cidr_key.fields.ifindex);
  addressBytes(family, address, b, L.netpol_cidr_key.fields.addr);
  return b;
}

/** The HOSTS/CIDRS value. (Must match struct netpol_peer in bpf/include/netpol.h.) */
export function encodePeer(portSetId: number): Buffer {
  const b = Buffer.alloc(L.netpol_peer.size);
  b.writeUInt32LE(portSetId >>> 0, L.netpol_peer.fields.port_set);
  return b;
}

const PROTOCOL_NUMBER: Record<Protocol, number> = { TCP: PROTO.TCP, UDP: PROTO.UDP, SCTP: PROTO.SCTP };
const PROTOCOL_NAME = new Map<number, Protocol>([[PROTO.TCP, 'TCP'], [PROTO.UDP, 'UDP'], [PROTO.SCTP, 'SCTP']]);

/**
 * The netpol_ports value. `where` names the pod and peer for the error when the set has more than MAX_RANGES ranges.
 * (Must match struct netpol_port_set and struct netpol_port_range in bpf/include/netpol.h.)
 */
export function encodePortSet(set: PortSet, where = 'a port set'): Buffer {
  const ranges = canonicalRanges(set.ranges);
  if (!set.any && ranges.length > MAX_RANGES) {
    throw new DataplaneCompileError(`${where}: the rules allow ${ranges.length} separate port ranges, more than the kernel's ${MAX_RANGES} per peer. Merge ports into ranges (port with endPort) or split the peers across fewer rules.`);
  }
  const b = Buffer.alloc(L.netpol_port_set.size);
  const f = L.netpol_port_set.fields;
  const r = L.netpol_port_range;
  b.writeUInt8(set.any ? PORTS_ANY : 0, f.flags);
  if (set.any) return b;
  b.writeUInt8(ranges.length, f.count);
  ranges.forEach((range, i) => {
    const at = f.ranges + i * r.size;
    b.writeUInt16LE(range.first, at + r.fields.first);
    b.writeUInt16LE(range.last, at + r.fields.last);
    b.writeUInt8(PROTOCOL_NUMBER[range.protocol], at + r.fields.proto);
  });
  return b;
}

/** Reads a netpol_ports value back. */
export function decodePortSet(b: Buffer): PortSet {
  const f = L.netpol_port_set.fields;
  const r = L.netpol_port_range;
  if (b.readUInt8(f.flags) & PORTS_ANY) return { any: true, ranges: [] };
  const ranges = [];
  for (let i = 0; i < b.readUInt8(f.count); i++) {
    const at = f.ranges + i * r.size;
    const protocol = PROTOCOL_NAME.get(b.readUInt8(at + r.fields.proto));
    if (protocol) ranges.push({ protocol, first: b.readUInt16LE(at + r.fields.first), last: b.readUInt16LE(at + r.fields.last) });
  }
  return { any: false, ranges };
}

/** Node-wide settings (netpol_config). */
export interface DataplaneConfig {
  /**
   * Drop traffic of interfaces that have no netpol_pods entry (strict mode).
   *
   * @default false
   */
  readonly strict?: boolean;
  /**
   * Emit a ring-buffer event for dropped packets.
   *
   * @default false
   */
  readonly eventsOnDrop?: boolean;
  /**
   * Emit a ring-buffer event for packets passed by policy (new flows).
   *
   * @default false
   */
  readonly eventsOnPass?: boolean;
  /**
   * Per-CPU budget of events per second; 0 means unlimited.
   *
   * @default 1000
   */
  readonly eventsPerSecond?: number;
}

/** The netpol_config value. (Must match struct netpol_config in bpf/include/netpol.h.) */
export function encodeConfig(config: DataplaneConfig = {}): Buffer {
  const b = Buffer.alloc(L.netpol_config.size);
  const flags = (config.strict ? CONFIG_FLAG.strict : 0) | (config.eventsOnDrop ? CONFIG_FLAG.eventsDrop : 0)
    | (config.eventsOnPass ? CONFIG_FLAG.eventsPass : 0);
  b.writeUInt32LE(flags, L.netpol_config.fields.flags);
  b.writeUInt32LE(config.eventsPerSecond ?? 1000, L.netpol_config.fields.events_per_sec);
  return b;
}

/** One verdict event of the ring buffer, decoded. */
export interface VerdictEvent {
  readonly timestampNs: bigint;
  readonly ifindex: number;
  /** From the pod's point of view. */
  readonly direction: 'ingress' | 'egress';
  readonly verdict: 'pass' | 'drop';
  readonly reason: string;
  /** IP protocol number. */
  readonly protocol: number;
  readonly sourcePort: number;
  readonly destinationPort: number;
  readonly source: string;
  readonly destination: string;
  /** The port-set id the lookup found (0: none). */
  readonly portSet: number;
}

function readAddress(b: Buffer, offset: number, family: number): string {
  const value = (b.readBigUInt64BE(offset) << 64n) | b.readBigUInt64BE(offset + 8);
  return family === 4 ? formatIp(4, value & 0xffffffffn) : formatIp(6, value);
}

/** Decodes a netpol_events record. (Must match struct netpol_event in bpf/include/netpol.h.) */
export function decodeEvent(b: Buffer): VerdictEvent {
  const f = L.netpol_event.fields;
  const family = b.readUInt8(f.family);
  return {
    timestampNs: b.readBigUInt64LE(f.timestamp_ns),
    ifindex: b.readUInt32LE(f.ifindex),
    direction: b.readUInt8(f.direction) === 0 ? 'ingress' : 'egress',
    verdict: b.readUInt8(f.verdict) === 1 ? 'pass' : 'drop',
    reason: REASONS[b.readUInt8(f.reason)] ?? `reason-${b.readUInt8(f.reason)}`,
    protocol: b.readUInt8(f.proto),
    sourcePort: b.readUInt16LE(f.sport),
    destinationPort: b.readUInt16LE(f.dport),
    source: readAddress(b, f.saddr, family),
    destination: readAddress(b, f.daddr, family),
    portSet: b.readUInt32LE(f.port_set),
  };
}

/** Options of encodeNode. */
export interface EncodeOptions {
  /**
   * The image currently in the kernel: identical port sets keep their ids, so a small policy change is a small diff.
   *
   * @default - no previous state: ids are allocated from 1
   */
  readonly previous?: MapImage;
  /**
   * The node-wide settings written to netpol_config.
   *
   * @default - events off, strict off
   */
  readonly config?: DataplaneConfig;
  /**
   * The generation written into every netpol_pods entry (the agent's reprogramming counter).
   *
   * @default 0
   */
  readonly generation?: number;
}

/** The maps encodeNode writes, in the order a diff applies them (port sets before the entries that name them). */
export const PROGRAMMED_MAPS: readonly string[] = [MAP.config, MAP.ports, MAP.inHosts, MAP.inCidrs, MAP.egHosts, MAP.egCidrs, MAP.pods];

/** Hands out port-set ids: a set that the previous image holds keeps its id; a new one takes an id no old entry uses. */
class PortSetIds {
  private readonly previous = new Map<string, number>();
  private readonly taken = new Set<number>();
  private readonly assigned = new Map<string, number>();
  private next = 1;

  constructor(previous: ReadonlyMap<string, Buffer> | undefined) {
    for (const [key, value] of previous ?? []) {
      const id = imageKeyBytes(key).readUInt32LE(0);
      this.previous.set(value.toString('latin1'), id);
      this.taken.add(id);
    }
  }

  idOf(encoded: Buffer): number {
    const hex = encoded.toString('latin1');
    let id = this.assigned.get(hex);
    if (id !== undefined) return id;
    id = this.previous.get(hex);
    if (id === undefined) {
      while (this.taken.has(this.next)) this.next++;
      id = this.next++;
    }
    this.taken.add(id);
    this.assigned.set(hex, id);
    return id;
  }

  entries(): Array<[number, string]> {
    return [...this.assigned].map(([hex, id]) => [id, hex]);
  }
}

/** Gives the netpol_peer value for a port set, allocating its id; `where` names the peer for errors. */
export type PortSetPeer = (set: PortSet, where: () => string) => Buffer;

/**
 * One pod's entries: its netpol_pods state and both directions' host and CIDR entries, by map.
 * (Port sets are allocated through `portSetPeer`, which the caller owns: they are shared across pods.)
 */
/**
 * Encoded CIDR entries kept between encodings, by the compiled entries array (the compiler returns the same array
 * while a flattening is reused): the map of entries is reused as is when the ifindex and every port-set id match.
 */
export type CidrEncodingCache = WeakMap<readonly PeerEntry[], { ifindex: number; entries: Map<string, Buffer>; peers: Array<[PortSet, Buffer]> }>;

export function encodePodEntries(pod: CompiledPod, portSetPeer: PortSetPeer, generation = 0, cache?: CidrEncodingCache): Map<string, Map<string, Buffer>> {
  const maps = new Map<string, Map<string, Buffer>>();
  const put = (map: string, key: Buffer, value: Buffer) => {
    let entries = maps.get(map);
    if (!entries) maps.set(map, (entries = new Map()));
    entries.set(imageKey(key), value);
  };
  const directions: Array<[CompiledDirection, string, string, string]> = [
    [pod.ingress, MAP.inHosts, MAP.inCidrs, 'ingress'],
    [pod.egress, MAP.egHosts, MAP.egCidrs, 'egress'],
  ];
  for (const [direction, hostMap, cidrMap, name] of directions) {
    for (const host of direction.hosts) {
      const peer = portSetPeer(host.ports, () => `pod ${pod.id} ${name} peer ${formatPrefix(host)}`);
      put(hostMap, encodeHostKey(pod.ifindex, host.family, host.address), peer);
    }
    const cached = cache?.get(direction.cidrs);
    if (cached && cached.ifindex === pod.ifindex
      && cached.peers.every(([set, peer]) => portSetPeer(set, () => `pod ${pod.id} ${name}`).equals(peer))) {
      if (cached.entries.size > 0) maps.set(cidrMap, cached.entries);
      continue;
    }
    const peers = new Map<PortSet, Buffer>();
    for (const cidr of direction.cidrs) {
      const peer = portSetPeer(cidr.ports, () => `pod ${pod.id} ${name} peer ${formatPrefix(cidr)}`);
      peers.set(cidr.ports, peer);
      put(cidrMap, encodeCidrKey(pod.ifindex, cidr.family, cidr.address, cidr.prefixLength), peer);
    }
    if (cache && direction.cidrs.length > 0) cache.set(direction.cidrs, { ifindex: pod.ifindex, entries: maps.get(cidrMap)!, peers: [...peers] });
  }
  put(MAP.pods, encodeU32(pod.ifindex), encodePod(STATE[pod.ingress.state], STATE[pod.egress.state], generation));
  return maps;
}

/** Encodes a compiled node into the map image the kernel should hold. */
export function encodeNode(compiled: CompiledNode, options: EncodeOptions = {}): MapImage {
  const ids = new PortSetIds(options.previous?.get(MAP.ports));
  const maps = new Map<string, Map<string, Buffer>>(PROGRAMMED_MAPS.map((name) => [name, new Map()]));
  // Compiled entries share PortSet objects: encode each once.
  const idBySet = new Map<PortSet, number>();
  const peerById = new Map<number, Buffer>();
  const portSetPeer: PortSetPeer = (set, where) => {
    let id = idBySet.get(set);
    if (id === undefined) {
      id = isEmptyPortSet(set) ? 0 : ids.idOf(encodePortSet(set, where()));
      idBySet.set(set, id);
    }
    let peer = peerById.get(id);
    if (!peer) peerById.set(id, (peer = encodePeer(id)));
    return peer;
  };

  maps.get(MAP.config)!.set(imageKey(encodeU32(0)), encodeConfig(options.config));
  for (const pod of compiled.pods) {
    for (const [map, entries] of encodePodEntries(pod, portSetPeer, options.generation)) {
      const into = maps.get(map)!;
      for (const [key, value] of entries) into.set(key, value);
    }
  }
  for (const [id, bytes] of ids.entries().sort((a, b) => a[0] - b[0])) maps.get(MAP.ports)!.set(imageKey(encodeU32(id)), Buffer.from(bytes, 'latin1'));
  return maps;
}
