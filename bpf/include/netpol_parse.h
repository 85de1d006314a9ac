/* SPDX-License-Identifier: Apache-2.0 */
/*
 * netpol_parse.h: reads the headers the policy needs into struct netpol_pkt.
 *
 * Headers are read through netpol_ptr(), which uses direct packet access and pulls non-linear data into the linear
 * area only when a header is not already there. Any helper that may move packet data invalidates earlier pointers,
 * so each header's fields are copied out before the next netpol_ptr() call.
 */
#pragma once

#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#include "netpol.h"

/* Largest header offset we ever read at (Ethernet + IPv6 + extension headers + ICMP + quoted headers). */
#define NETPOL_MAX_OFFSET 512
/* IPv6 extension headers walked before giving up (the packet is then malformed). */
#define NETPOL_MAX_EXT_HEADERS 6

#define NETPOL_ETH_LEN 14
#define NETPOL_IPV4_MIN 20
#define NETPOL_IPV6_LEN 40

/* IPv6 extension header numbers. */
#define NETPOL_V6_HOPOPTS 0
#define NETPOL_V6_ROUTING 43
#define NETPOL_V6_FRAGMENT 44
#define NETPOL_V6_AH 51
#define NETPOL_V6_DSTOPTS 60

/* What a packet is, as far as the policy cares. */
enum netpol_frag_kind {
	NETPOL_FRAG_NONE = 0,  /* not fragmented */
	NETPOL_FRAG_FIRST = 1, /* first fragment: carries the L4 header */
	NETPOL_FRAG_LATER = 2, /* later fragment: no L4 header */
};

enum netpol_icmp_kind {
	NETPOL_ICMP_NOT = 0,     /* not ICMP */
	NETPOL_ICMP_ECHO = 1,    /* echo request or reply: tracked by identifier */
	NETPOL_ICMP_ERROR = 2,   /* error quoting another packet */
	NETPOL_ICMP_CONTROL = 3, /* ICMPv6 neighbour discovery / MLD: always passes */
	NETPOL_ICMP_OTHER = 4,   /* any other type */
};

struct netpol_pkt {
	__u8 saddr[16];
	__u8 daddr[16];
	__u8 family;    /* 4 or 6 */
	__u8 proto;     /* L4 protocol (after IPv6 extension headers) */
	__u8 frag;      /* enum netpol_frag_kind */
	__u8 icmp;      /* enum netpol_icmp_kind */
	__u16 sport;    /* network order; ICMP echo: identifier */
	__u16 dport;    /* network order; ICMP echo: 0 */
	__u8 tcp_flags;
	__u8 icmp_type;
	__u8 icmp_code;
	__u8 pad;
	__u32 frag_id;  /* host order */
	__u32 l4_off;   /* offset of the L4 header from the start of the frame */
};

/* Returns a pointer to `len` bytes at `off`, pulling non-linear data if needed, or NULL when the packet is shorter. */
static __always_inline void *netpol_ptr(struct __sk_buff *skb, __u32 off, const __u32 len)
{
	void *data, *end, *p;

	if (off > NETPOL_MAX_OFFSET)
		return NULL;
	data = (void *)(long)skb->data;
	end = (void *)(long)skb->data_end;
	p = data + off;
	if (p + len <= end)
		return p;
	if (off + len > skb->len || bpf_skb_pull_data(skb, off + len))
		return NULL;
	/* Keep clang from reusing a precomputed skb+offset: the verifier rejects a modified ctx pointer. */
	asm volatile("" : "+r"(skb));
	data = (void *)(long)skb->data;
	end = (void *)(long)skb->data_end;
	p = data + off;
	if (p + len > end)
		return NULL;
	return p;
}

static __always_inline void netpol_v4_mapped(__u8 *dst, const __u8 *v4)
{
	__u64 *d = (__u64 *)dst;
	d[0] = 0;
	((__u32 *)dst)[2] = bpf_htonl(0x0000ffff);
	__builtin_memcpy(dst + 12, v4, 4);
}

/* Classifies an ICMP (family 4) or ICMPv6 (family 6) type. */
static __always_inline __u8 netpol_icmp_kind(__u8 family, __u8 type)
{
	if (family == 4) {
		if (type == 0 || type == 8)
			return NETPOL_ICMP_ECHO;
		if (type == 3 || type == 11 || type == 12)
			return NETPOL_ICMP_ERROR;
		return NETPOL_ICMP_OTHER;
	}
	if (type == 128 || type == 129)
		return NETPOL_ICMP_ECHO;
	if (type >= 1 && type <= 4)
		return NETPOL_ICMP_ERROR;
	if ((type >= 130 && type <= 137) || type == 143)
		return NETPOL_ICMP_CONTROL;
	return NETPOL_ICMP_OTHER;
}

/* Reads the L4 fields at pkt->l4_off. Returns 0, or -1 when the header is truncated. */
static __always_inline int netpol_parse_l4(struct __sk_buff *skb, struct netpol_pkt *pkt)
{
	__u8 *h;

	switch (pkt->proto) {
	case NETPOL_PROTO_TCP:
		h = netpol_ptr(skb, pkt->l4_off, 20);
		if (!h || (h[12] >> 4) < 5)
			return -1;
		pkt->sport = *(__u16 *)h;
		pkt->dport = *(__u16 *)(h + 2);
		pkt->tcp_flags = h[13];
		return 0;
	case NETPOL_PROTO_UDP:
		h = netpol_ptr(skb, pkt->l4_off, 8);
		if (!h)
			return -1;
		pkt->sport = *(__u16 *)h;
		pkt->dport = *(__u16 *)(h + 2);
		return 0;
	case NETPOL_PROTO_SCTP:
		h = netpol_ptr(skb, pkt->l4_off, 12);
		if (!h)
			return -1;
		pkt->sport = *(__u16 *)h;
		pkt->dport = *(__u16 *)(h + 2);
		return 0;
	case NETPOL_PROTO_ICMP:
	case NETPOL_PROTO_ICMPV6:
		if ((pkt->proto == NETPOL_PROTO_ICMP) != (pkt->family == 4))
			return 0; /* ICMP in IPv6 or ICMPv6 in IPv4: an ordinary "other" protocol */
		h = netpol_ptr(skb, pkt->l4_off, 8);
		if (!h)
			return -1;
		pkt->icmp_type = h[0];
		pkt->icmp_code = h[1];
		pkt->icmp = netpol_icmp_kind(pkt->family, h[0]);
		if (pkt->icmp == NETPOL_ICMP_ECHO)
			pkt->sport = *(__u16 *)(h + 4);
		return 0;
	default:
		return 0;
	}
}

static __always_inline int netpol_parse_v4(struct __sk_buff *skb, struct netpol_pkt *pkt)
{
	__u8 *h = netpol_ptr(skb, NETPOL_ETH_LEN, NETPOL_IPV4_MIN);
	__u32 ihl, tot_len;
	__u16 frag_off;

	if (!h || (h[0] >> 4) != 4)
		return -1;
	ihl = (h[0] & 0x0f) * 4;
	tot_len = bpf_ntohs(*(__u16 *)(h + 2));
	/* tot_len 0 is how BIG TCP marks an aggregate larger than 64 KiB: the frame length rules then. */
	if (ihl < NETPOL_IPV4_MIN || (tot_len && tot_len < ihl) || tot_len > skb->len - NETPOL_ETH_LEN)
		return -1;
	pkt->family = 4;
	pkt->proto = h[9];
	frag_off = bpf_ntohs(*(__u16 *)(h + 6));
	pkt->frag_id = bpf_ntohs(*(__u16 *)(h + 4));
	netpol_v4_mapped(pkt->saddr, h + 12);
	netpol_v4_mapped(pkt->daddr, h + 16);
	pkt->l4_off = NETPOL_ETH_LEN + ihl;
	if (frag_off & 0x1fff) {
		pkt->frag = NETPOL_FRAG_LATER;
		return 0;
	}
	if (frag_off & 0x2000)
		pkt->frag = NETPOL_FRAG_FIRST;
	return netpol_parse_l4(skb, pkt);
}

static __always_inline int netpol_parse_v6(struct __sk_buff *skb, struct netpol_pkt *pkt)
{
	__u8 *h = netpol_ptr(skb, NETPOL_ETH_LEN, NETPOL_IPV6_LEN);
	__u32 off = NETPOL_ETH_LEN + NETPOL_IPV6_LEN;
	__u8 next;
	int i;

	if (!h || (h[0] >> 4) != 6)
		return -1;
	/* A payload length of 0 (BIG TCP aggregates) passes this check: the frame length rules then. */
	if (bpf_ntohs(*(__u16 *)(h + 4)) + NETPOL_IPV6_LEN > skb->len - NETPOL_ETH_LEN)
		return -1;
	pkt->family = 6;
	next = h[6];
	__builtin_memcpy(pkt->saddr, h + 8, 16);
	__builtin_memcpy(pkt->daddr, h + 24, 16);

#pragma unroll
	for (i = 0; i < NETPOL_MAX_EXT_HEADERS; i++) {
		__u8 *x;
		__u16 frag;

		if (next != NETPOL_V6_HOPOPTS && next != NETPOL_V6_ROUTING && next != NETPOL_V6_DSTOPTS &&
		    next != NETPOL_V6_AH && next != NETPOL_V6_FRAGMENT)
			break;
		x = netpol_ptr(skb, off, 8);
		if (!x)
			return -1;
		if (next == NETPOL_V6_FRAGMENT) {
			frag = bpf_ntohs(*(__u16 *)(x + 2));
			pkt->frag_id = bpf_ntohl(*(__u32 *)(x + 4));
			next = x[0];
			off += 8;
			if (frag & 0xfff8) {
				pkt->proto = next;
				pkt->l4_off = off;
				pkt->frag = NETPOL_FRAG_LATER;
				return 0;
			}
			if (frag & 1)
				pkt->frag = NETPOL_FRAG_FIRST;
			continue;
		}
		off += next == NETPOL_V6_AH ? ((__u32)x[1] + 2) * 4 : ((__u32)x[1] + 1) * 8;
		next = x[0];
	}
	if (next == NETPOL_V6_HOPOPTS || next == NETPOL_V6_ROUTING || next == NETPOL_V6_DSTOPTS ||
	    next == NETPOL_V6_AH || next == NETPOL_V6_FRAGMENT)
		return -1; /* more extension headers than we walk */
	pkt->proto = next;
	pkt->l4_off = off;
	return netpol_parse_l4(skb, pkt);
}

/*
 * Reads the packet quoted by an ICMP error into a conntrack key from the pod's point of view, or returns -1 when the
 * quote is too short or not a tracked protocol. `dir` is the direction of the error itself: an error entering the
 * pod quotes a packet the pod sent (pod = quoted source); an error leaving the pod quotes a packet it received.
 */
static __always_inline int netpol_parse_quote(struct __sk_buff *skb, const struct netpol_pkt *pkt, __u8 dir,
					      struct netpol_ct_key *key)
{
	__u32 off = pkt->l4_off + 8, l4;
	__u8 *h, *src, *dst;
	__u8 saddr[16], daddr[16];
	__u8 proto;
	__u16 sport, dport;

	if (pkt->family == 4) {
		h = netpol_ptr(skb, off, NETPOL_IPV4_MIN);
		if (!h || (h[0] >> 4) != 4 || (h[0] & 0x0f) < 5)
			return -1;
		proto = h[9];
		l4 = off + (h[0] & 0x0f) * 4;
		netpol_v4_mapped(saddr, h + 12);
		netpol_v4_mapped(daddr, h + 16);
	} else {
		h = netpol_ptr(skb, off, NETPOL_IPV6_LEN);
		if (!h || (h[0] >> 4) != 6)
			return -1;
		proto = h[6];
		l4 = off + NETPOL_IPV6_LEN;
		__builtin_memcpy(saddr, h + 8, 16);
		__builtin_memcpy(daddr, h + 24, 16);
	}
	h = netpol_ptr(skb, l4, 8);
	if (!h)
		return -1;
	src = dir == NETPOL_DIR_INGRESS ? saddr : daddr;
	dst = dir == NETPOL_DIR_INGRESS ? daddr : saddr;
	key->proto = proto;
	if (proto == NETPOL_PROTO_TCP || proto == NETPOL_PROTO_UDP || proto == NETPOL_PROTO_SCTP) {
		sport = *(__u16 *)h;
		dport = *(__u16 *)(h + 2);
		key->pod_port = dir == NETPOL_DIR_INGRESS ? sport : dport;
		key->peer_port = dir == NETPOL_DIR_INGRESS ? dport : sport;
	} else if (((proto == NETPOL_PROTO_ICMP && pkt->family == 4) ||
		    (proto == NETPOL_PROTO_ICMPV6 && pkt->family == 6)) &&
		   netpol_icmp_kind(pkt->family, h[0]) == NETPOL_ICMP_ECHO) {
		key->pod_port = *(__u16 *)(h + 4); /* echo identifier */
		key->peer_port = 0;
	} else {
		return -1;
	}
	__builtin_memcpy(key->pod_addr, src, 16);
	__builtin_memcpy(key->peer_addr, dst, 16);
	return 0;
}

/* Parses an IP frame. Returns 0, or -1 for malformed/truncated packets. */
static __always_inline int netpol_parse(struct __sk_buff *skb, __u16 eth_proto, struct netpol_pkt *pkt)
{
	if (eth_proto == bpf_htons(ETH_P_IP))
		return netpol_parse_v4(skb, pkt);
	return netpol_parse_v6(skb, pkt);
}
