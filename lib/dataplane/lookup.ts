/**
 * The kernel's policy lookup, done in JS over compiled entries: the HOSTS entry of the exact address, else the
 * longest CIDR entry, in the 128-bit v4-mapped space the kernel uses. The compiler uses it to leave out host entries
 * the trie already answers; tests use it to hold compiled entries to the engine's verdicts.
 */
import { PeerEntry } from './compile-types';
import { PortSet } from './port-set';
import { unifiedAddress, unifiedLength, unifiedMask } from './prefix';

/** Longest-prefix match over a fixed set of entries. */
export class PrefixLookup {
  private readonly hosts = new Map<bigint, PortSet>();
  /** Distinct 128-bit prefix lengths, longest first, each with its entries by masked address. */
  private readonly byLength: Array<{ length: number; mask: bigint; entries: Map<bigint, PortSet> }> = [];

  constructor(hosts: readonly PeerEntry[], cidrs: readonly PeerEntry[]) {
    for (const host of hosts) this.hosts.set(unifiedAddress(host.family, host.address), host.ports);
    const lengths = new Map<number, Map<bigint, PortSet>>();
    for (const cidr of cidrs) this.addCidr(lengths, cidr);
    for (const [length, entries] of [...lengths].sort((a, b) => b[0] - a[0])) {
      this.byLength.push({ length, mask: unifiedMask(length), entries });
    }
  }

  private addCidr(lengths: Map<number, Map<bigint, PortSet>>, cidr: PeerEntry): void {
    const length = unifiedLength(cidr.family, cidr.prefixLength);
    let entries = lengths.get(length);
    if (!entries) lengths.set(length, (entries = new Map()));
    entries.set(unifiedAddress(cidr.family, cidr.address), cidr.ports);
  }

  /** The port set the kernel finds for a peer address, or undefined when it finds no entry (NO_PEER). */
  find(family: 4 | 6, address: bigint): PortSet | undefined {
    const value = unifiedAddress(family, address);
    return this.hosts.get(value) ?? this.findCidr(value);
  }

  /** The longest CIDR entry's set for a 128-bit address, ignoring hosts. */
  findCidr(value: bigint): PortSet | undefined {
    for (const level of this.byLength) {
      const hit = level.entries.get(value & level.mask);
      if (hit) return hit;
    }
    return undefined;
  }
}
