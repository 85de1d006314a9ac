/**
 * Prefixes in the kernel's single address space: 128 bits, IPv4 a.b.c.d stored v4-mapped (::ffff:a.b.c.d), so an
 * IPv4 /N is the 128-bit prefix of length 96 + N (see "Addresses" in bpf/include/netpol.h).
 */
import { formatIp, prefixMask } from '../model/cidr';

/** An address family and its integer value, as the engine compares addresses. */
export interface FamilyAddress {
  readonly family: 4 | 6;
  readonly address: bigint;
}

/** A prefix in the engine's terms (family-relative length). */
export interface Prefix extends FamilyAddress {
  readonly prefixLength: number;
}

/** ::ffff:0:0, the v4-mapped prefix under which IPv4 lives. */
export const V4_MAPPED_BASE = 0xffffn << 32n;
const ALL_128 = (1n << 128n) - 1n;

/** The 128-bit address the kernel compares: IPv4 v4-mapped. */
export function unifiedAddress(family: 4 | 6, address: bigint): bigint {
  return family === 4 ? V4_MAPPED_BASE | address : address;
}

/** The 128-bit prefix length of a family-relative one. */
export function unifiedLength(family: 4 | 6, prefixLength: number): number {
  return family === 4 ? 96 + prefixLength : prefixLength;
}

/** The mask of a 128-bit prefix length. */
export function unifiedMask(length: number): bigint {
  return length === 0 ? 0n : (ALL_128 << BigInt(128 - length)) & ALL_128;
}

/** Is this IPv6 prefix inside ::ffff:0:0/96, where the kernel cannot tell it from IPv4? */
export function insideV4Mapped(prefix: Prefix): boolean {
  return prefix.family === 6 && prefix.prefixLength >= 96 && (prefix.address & prefixMask(6, 96)) === V4_MAPPED_BASE;
}

/** Does this IPv6 prefix contain all of ::ffff:0:0/96 (so IPv4 lookups could fall into it)? */
export function coversV4Mapped(prefix: Prefix): boolean {
  return prefix.family === 6 && prefix.prefixLength <= 96
    && (V4_MAPPED_BASE & prefixMask(6, prefix.prefixLength)) === prefix.address;
}

/** `10.0.0.0/8`, `2001:db8::/32`. */
export function formatPrefix(prefix: Prefix): string {
  return `${formatIp(prefix.family, prefix.address)}/${prefix.prefixLength}`;
}

/** A map key for a prefix. */
export function prefixKey(prefix: Prefix): string {
  return `${prefix.family}:${prefix.address.toString(16)}/${prefix.prefixLength}`;
}

/** 16 bytes, network order: what every kernel key holds as the address. */
export function addressBytes(family: 4 | 6, address: bigint, into: Buffer, offset: number): void {
  if (family === 4) {
    // ::ffff:a.b.c.d without 128-bit arithmetic (the common case, and the hot one).
    into.fill(0, offset, offset + 10);
    into.writeUInt16BE(0xffff, offset + 10);
    into.writeUInt32BE(Number(address), offset + 12);
    return;
  }
  into.writeBigUInt64BE(address >> 64n, offset);
  into.writeBigUInt64BE(address & 0xffffffffffffffffn, offset + 8);
}
