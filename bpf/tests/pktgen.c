/* SPDX-License-Identifier: Apache-2.0 */
#include "pktgen.h"

#include <arpa/inet.h>
#include <string.h>

#include "netpol.h"

#define ETH_LEN 14
#define PAYLOAD 8

int pkt_addr16(const char *text, __u8 out[16])
{
	struct in_addr v4;

	memset(out, 0, 16);
	if (inet_pton(AF_INET, text, &v4) == 1) {
		out[10] = 0xff;
		out[11] = 0xff;
		memcpy(out + 12, &v4, 4);
		return 0;
	}
	return inet_pton(AF_INET6, text, out) == 1 ? 0 : -1;
}

static void put16(__u8 *at, __u16 v)
{
	v = htons(v);
	memcpy(at, &v, 2);
}

static void put32(__u8 *at, __u32 v)
{
	v = htonl(v);
	memcpy(at, &v, 4);
}

/* Writes the L4 header of `f` at `at`; returns its length (header + payload). */
static __u32 put_l4(__u8 *at, const struct flow *f)
{
	switch (f->proto) {
	case NETPOL_PROTO_TCP:
		put16(at, f->sport);
		put16(at + 2, f->dport);
		put32(at + 4, 1000);
		at[12] = 5 << 4;
		at[13] = f->tcp_flags;
		put16(at + 14, 65535);
		return 20 + PAYLOAD;
	case NETPOL_PROTO_UDP:
		put16(at, f->sport);
		put16(at + 2, f->dport);
		put16(at + 4, 8 + PAYLOAD);
		return 8 + PAYLOAD;
	case NETPOL_PROTO_SCTP:
		put16(at, f->sport);
		put16(at + 2, f->dport);
		put32(at + 4, 0x01020304);
		return 12 + PAYLOAD;
	case NETPOL_PROTO_ICMP:
	case NETPOL_PROTO_ICMPV6:
		at[0] = f->icmp_type;
		at[1] = f->icmp_code;
		put16(at + 4, f->icmp_id);
		put16(at + 6, 1);
		return 8 + PAYLOAD;
	default:
		return PAYLOAD;
	}
}

/* Writes the IP packet of `f` (no Ethernet header) at `at`, with `l4len` bytes of L4 already sized by the caller
 * when `l4` is NULL. Returns the IP packet length or 0 on a bad address. */
static __u32 put_ip(__u8 *at, const struct flow *f, const __u8 *l4, __u32 l4len)
{
	__u8 s[16], d[16];
	__u32 hl, i;

	if (pkt_addr16(f->src, s) || pkt_addr16(f->dst, d))
		return 0;
	if (f->family == 4) {
		hl = 20 + (f->ip_options ? 4 : 0);
		at[0] = 0x40 | (hl / 4);
		put16(at + 2, hl + l4len);
		put16(at + 4, f->frag_id);
		put16(at + 6, f->frag == 1 ? 0x2000 : f->frag == 2 ? (1480 / 8) : 0);
		at[8] = 64;
		at[9] = f->proto;
		memcpy(at + 12, s + 12, 4);
		memcpy(at + 16, d + 12, 4);
		if (f->ip_options)
			memset(at + 20, 1, 4);
	} else {
		__u8 next = f->proto;

		hl = 40 + 8 * f->ext_headers + (f->frag ? 8 : 0);
		at[0] = 0x60;
		put16(at + 4, hl - 40 + l4len);
		at[7] = 64;
		memcpy(at + 8, s, 16);
		memcpy(at + 24, d, 16);
		/* Headers in order: destination options..., then the fragment header. */
		if (f->frag) {
			__u8 *fh = at + 40 + 8 * f->ext_headers;

			fh[0] = next;
			put16(fh + 2, f->frag == 1 ? 1 : (1480 / 8) << 3);
			put32(fh + 4, f->frag_id);
			next = 44;
		}
		for (i = f->ext_headers; i > 0; i--) {
			__u8 *xh = at + 40 + 8 * (i - 1);

			xh[0] = next;
			xh[1] = 0;
			xh[2] = 1; /* PadN */
			xh[3] = 4;
			next = 60;
		}
		at[6] = next;
	}
	if (l4)
		memcpy(at + hl, l4, l4len);
	return hl + l4len;
}

static void put_eth(struct pkt *p, int family)
{
	static const __u8 macs[12] = { 2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2 };

	memcpy(p->buf, macs, 12);
	put16(p->buf + 12, family == 4 ? 0x0800 : 0x86dd);
}

int pkt_build(struct pkt *p, const struct flow *f)
{
	__u8 l4[64] = { 0 };
	__u32 l4len = f->frag == 2 ? PAYLOAD : put_l4(l4, f), iplen;

	memset(p, 0, sizeof(*p));
	put_eth(p, f->family);
	if (f->frag == 2)
		memset(l4, 0xab, PAYLOAD); /* later fragment: payload only, no L4 header */
	iplen = put_ip(p->buf + ETH_LEN, f, l4, l4len);
	if (!iplen)
		return -1;
	p->len = ETH_LEN + iplen;
	return 0;
}

int pkt_build_icmp_error(struct pkt *p, const struct flow *f, __u8 type, __u8 code, const struct flow *quoted)
{
	__u8 inner[PKT_MAX], l4[PKT_MAX] = { 0 }, ql4[64] = { 0 };
	__u32 qlen, innerlen;

	qlen = put_l4(ql4, quoted);
	innerlen = put_ip(inner, quoted, ql4, qlen);
	if (!innerlen)
		return -1;
	l4[0] = type;
	l4[1] = code;
	memcpy(l4 + 8, inner, innerlen);
	memset(p, 0, sizeof(*p));
	put_eth(p, f->family);
	qlen = put_ip(p->buf + ETH_LEN, f, l4, 8 + innerlen);
	if (!qlen)
		return -1;
	p->len = ETH_LEN + qlen;
	return 0;
}
