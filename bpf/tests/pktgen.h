/* SPDX-License-Identifier: Apache-2.0 */
/*
 * pktgen.h: crafts the Ethernet frames the packet tests and the benchmark feed to BPF_PROG_TEST_RUN.
 * Checksums are left zero: the programs never read them.
 */
#pragma once

#include <linux/types.h>
#include <stddef.h>

#define PKT_MAX 512

/* What to put in a frame. Unset fields are zero: no fragmentation, no truncation. */
struct flow {
	int family;      /* 4 or 6 */
	const char *src; /* textual address of the family */
	const char *dst;
	__u8 proto;      /* NETPOL_PROTO_* or any IP protocol number */
	__u16 sport;     /* host order */
	__u16 dport;
	__u8 tcp_flags;  /* NETPOL_TCP_* */
	__u8 icmp_type;
	__u8 icmp_code;
	__u16 icmp_id;   /* echo identifier */
	int frag;        /* 0 none, 1 first fragment (more fragments), 2 later fragment (offset 1480) */
	__u32 frag_id;
	int ip_options;  /* IPv4 only: add 4 bytes of options (NOP x4), IHL 6 */
	int ext_headers; /* IPv6 only: number of destination-options headers before the L4 header */
};

struct pkt {
	__u8 buf[PKT_MAX];
	__u32 len;
};

/* Builds `f` into `p` (frame with L4 header and 8 payload bytes). Returns 0, or -1 for a bad address. */
int pkt_build(struct pkt *p, const struct flow *f);

/* Builds an ICMP error (`type`, `code`) from `f.src` to `f.dst` quoting the IP packet of `quoted`. */
int pkt_build_icmp_error(struct pkt *p, const struct flow *f, __u8 type, __u8 code, const struct flow *quoted);

/* Parses a textual address into the 16-byte form of netpol.h (IPv4 v4-mapped). Returns 0 or -1. */
int pkt_addr16(const char *text, __u8 out[16]);
