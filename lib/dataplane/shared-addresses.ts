/**
 * Addresses that more than one pod has (hostNetwork pods share their node's). The kernel sees one peer for such an
 * address, so the compiler gives its entry every sharing pod's set, and the programmer recompiles for a change to
 * any of them. Keys are in the kernel's unified 128-bit space (IPv4 v4-mapped): two spellings of one address are
 * one key, in both places.
 */
import { Address } from '../verdict/endpoint';
import { unifiedAddress } from './prefix';

const cache = new WeakMap<readonly object[], ReadonlySet<bigint>>();

/** The key of an address in the kernel's space. */
export function kernelAddress(address: Address): bigint {
  return unifiedAddress(address.family, address.address);
}

/** The keys of the addresses more than one item of the list has; computed once per list (which must not change). */
export function sharedAddresses<T extends object>(items: readonly T[], addressesOf: (item: T) => readonly Address[]): ReadonlySet<bigint> {
  let shared = cache.get(items);
  if (!shared) {
    const seen = new Set<bigint>();
    const twice = new Set<bigint>();
    for (const item of items) for (const address of addressesOf(item)) {
      const key = kernelAddress(address);
      (seen.has(key) ? twice : seen).add(key);
    }
    cache.set(items, (shared = twice));
  }
  return shared;
}
