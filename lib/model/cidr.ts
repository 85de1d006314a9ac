import { Cidr } from './types';

const IPV4_BITS = 32;
const IPV6_BITS = 128;

/** Parses an IPv4 or IPv6 address to its family and integer value, or undefined when it is not one. */
export function parseIp(text: string): { family: 4 | 6; address: bigint } | undefined {
  if (text.includes(':')) {
    const address = parseIpv6(text);
    return address === undefined ? undefined : { family: 6, address };
  }
  const address = parseIpv4(text);
  return address === undefined ? undefined : { family: 4, address };
}

function parseIpv4(text: string): bigint | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  let value = 0n;
  for (const part of parts) {
    // No leading zeros (the API server rejects them: they read as octal in some tools).
    if (!/^(0|[1-9][0-9]{0,2})$/.test(part)) return undefined;
    const octet = Number(part);
    if (octet > 255) return undefined;
    value = (value << 8n) | BigInt(octet);
  }
  return value;
}

function parseIpv6(text: string): bigint | undefined {
  let head = text;
  let tailV4: bigint | undefined;
  // An embedded IPv4 tail (::ffff:10.0.0.1) stands for the last two groups.
  const lastColon = text.lastIndexOf(':');
  if (text.slice(lastColon + 1).includes('.')) {
    tailV4 = parseIpv4(text.slice(lastColon + 1));
    if (tailV4 === undefined) return undefined;
    head = text.slice(0, lastColon + 1) + '0:0';
  }
  const halves = head.split('::');
  if (halves.length > 2) return undefined;
  const groupsOf = (s: string): string[] | undefined => (s === '' ? [] : s.split(':'));
  const left = groupsOf(halves[0]);
  const right = halves.length === 2 ? groupsOf(halves[1]) : [];
  if (!left || !right) return undefined;
  const missing = 8 - left.length - right.length;
  if (halves.length === 2 ? missing < 1 : missing !== 0) return undefined;
  const groups = [...left, ...Array(halves.length === 2 ? missing : 0).fill('0'), ...right];
  let value = 0n;
  for (const group of groups) {
    if (!/^[0-9a-fA-F]{1,4}$/.test(group)) return undefined;
    value = (value << 16n) | BigInt(parseInt(group, 16));
  }
  if (tailV4 !== undefined) value = (value & ~0xffffffffn) | tailV4;
  return value;
}

/** Formats an integer address of the family as canonical text (IPv6 compressed as RFC 5952 says). */
export function formatIp(family: 4 | 6, address: bigint): string {
  if (family === 4) {
    return [24n, 16n, 8n, 0n].map((shift) => String((address >> shift) & 0xffn)).join('.');
  }
  const groups: number[] = [];
  for (let i = 7; i >= 0; i--) groups.push(Number((address >> BigInt(i * 16)) & 0xffffn));
  // The longest run of two or more zero groups becomes '::'.
  let bestStart = -1;
  let bestLength = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) { i++; continue; }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLength) { bestStart = i; bestLength = j - i; }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart < 0) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLength).join(':')}`;
}

function bitsOf(family: 4 | 6): number {
  return family === 4 ? IPV4_BITS : IPV6_BITS;
}

/** The mask of the network part of a prefix. */
export function prefixMask(family: 4 | 6, prefixLength: number): bigint {
  const bits = BigInt(bitsOf(family));
  const all = (1n << bits) - 1n;
  return (all << (bits - BigInt(prefixLength))) & all;
}

/**
 * Parses `address/prefix`. Host bits are masked (`10.0.0.1/8` is `10.0.0.0/8`), as the Kubernetes API does.
 * Returns undefined when the text is not a CIDR; `describeCidrProblem` says why.
 */
export function parseCidr(text: string): Cidr | undefined {
  const slash = text.indexOf('/');
  if (slash < 0) return undefined;
  const ip = parseIp(text.slice(0, slash));
  const prefixText = text.slice(slash + 1);
  if (!ip || !/^(0|[1-9][0-9]{0,2})$/.test(prefixText)) return undefined;
  const prefixLength = Number(prefixText);
  if (prefixLength > bitsOf(ip.family)) return undefined;
  const address = ip.address & prefixMask(ip.family, prefixLength);
  return { family: ip.family, address, prefixLength, text: `${formatIp(ip.family, address)}/${prefixLength}` };
}

/** Why `text` is not a CIDR, with a suggestion where one is obvious. */
export function describeCidrProblem(text: string): string {
  if (!text.includes('/')) {
    const ip = parseIp(text);
    if (ip) return `"${text}" has no prefix length. Did you mean "${text}/${bitsOf(ip.family)}"?`;
    return `"${text}" is not a CIDR: write an address and a prefix length, like "10.0.0.0/16" or "2001:db8::/64".`;
  }
  const [address, prefix] = text.split('/', 2);
  const ip = parseIp(address);
  if (!ip) return `"${address}" in "${text}" is not an IPv4 or IPv6 address.`;
  return `the prefix length "${prefix}" in "${text}" must be a whole number from 0 to ${bitsOf(ip.family)}.`;
}

/** Does the CIDR contain the address? */
export function cidrContains(cidr: Cidr, family: 4 | 6, address: bigint): boolean {
  return cidr.family === family && (address & prefixMask(family, cidr.prefixLength)) === cidr.address;
}

/** Is `inner` entirely inside `outer`? */
export function cidrCovers(outer: Cidr, inner: Cidr): boolean {
  return outer.family === inner.family && outer.prefixLength <= inner.prefixLength
    && cidrContains(outer, inner.family, inner.address);
}
