/**
 * Port sets: what one peer may use, as the kernel's netpol_port_set holds it. A set is canonical (ranges sorted by
 * protocol then port, overlapping and adjacent ranges merged), so two sets allow the same traffic exactly when their
 * keys are equal.
 */
import { Protocol } from '../model/types';

/** An inclusive range of destination ports of one protocol. */
export interface PortRange {
  readonly protocol: Protocol;
  readonly first: number;
  readonly last: number;
}

/** What a peer may use: everything (`any`: a rule without ports, every protocol incl. ICMP), or these ranges. */
export interface PortSet {
  readonly any: boolean;
  readonly ranges: readonly PortRange[];
}

/** The set that allows nothing (an except hole, or a peer no rule admits). */
export const EMPTY_PORT_SET: PortSet = Object.freeze({ any: false, ranges: Object.freeze([]) as readonly PortRange[] });

/** The set of a rule without ports. */
export const ANY_PORT_SET: PortSet = Object.freeze({ any: true, ranges: Object.freeze([]) as readonly PortRange[] });

const PROTOCOL_ORDER: Record<Protocol, number> = { TCP: 0, UDP: 1, SCTP: 2 };

/** Merges ranges into canonical form. */
export function canonicalRanges(ranges: readonly PortRange[]): PortRange[] {
  const sorted = [...ranges].sort((a, b) => PROTOCOL_ORDER[a.protocol] - PROTOCOL_ORDER[b.protocol]
    || a.first - b.first || a.last - b.last);
  const out: PortRange[] = [];
  for (const range of sorted) {
    const last = out[out.length - 1];
    if (last && last.protocol === range.protocol && range.first <= last.last + 1) {
      if (range.last > last.last) out[out.length - 1] = { ...last, last: range.last };
    } else {
      out.push({ ...range });
    }
  }
  return out;
}

/** The union of port sets. `any` absorbs ranges: a set with `any` allows everything. */
export function unionPortSets(sets: readonly PortSet[]): PortSet {
  if (sets.some((s) => s.any)) return ANY_PORT_SET;
  const ranges = sets.flatMap((s) => s.ranges);
  if (ranges.length === 0) return EMPTY_PORT_SET;
  return { any: false, ranges: canonicalRanges(ranges) };
}

/** True when the set allows nothing. */
export function isEmptyPortSet(set: PortSet): boolean {
  return !set.any && set.ranges.length === 0;
}

/** A stable text key: equal keys, equal sets. `*` for any, `-` for empty, else `TCP:80-80,UDP:53-53`. */
export function portSetKey(set: PortSet): string {
  if (set.any) return '*';
  if (set.ranges.length === 0) return '-';
  return set.ranges.map((r) => `${r.protocol}:${r.first}-${r.last}`).join(',');
}

/** Does the set admit a packet to `port`/`protocol`? */
export function portSetAllows(set: PortSet, port: number, protocol: Protocol): boolean {
  if (set.any) return true;
  return set.ranges.some((r) => r.protocol === protocol && port >= r.first && port <= r.last);
}

/** Every port of every protocol a port range can name (what a rule with a protocol and no port admits). */
const ALL_PORT_RANGES: readonly PortRange[] = (['TCP', 'UDP', 'SCTP'] as const).map((protocol) => ({ protocol, first: 1, last: 65535 }));

/**
 * The set without `holes`. Holes in an `any` set leave the TCP, UDP and SCTP ports around them: ranges cannot say
 * "every other protocol", so ICMP and the rest are no longer admitted (fail closed).
 */
export function subtractPorts(set: PortSet, holes: readonly PortRange[]): PortSet {
  if (holes.length === 0) return set;
  let ranges: PortRange[] = [...(set.any ? ALL_PORT_RANGES : set.ranges)];
  for (const hole of holes) {
    ranges = ranges.flatMap((r) => {
      if (r.protocol !== hole.protocol || hole.last < r.first || hole.first > r.last) return [r];
      const left = hole.first > r.first ? [{ ...r, last: hole.first - 1 }] : [];
      const right = hole.last < r.last ? [{ ...r, first: hole.last + 1 }] : [];
      return [...left, ...right];
    });
  }
  return ranges.length === 0 ? EMPTY_PORT_SET : { any: false, ranges: canonicalRanges(ranges) };
}
