/* SPDX-License-Identifier: Apache-2.0 */
/*
 * netpol_policy.h: the per-pod policy lookup. Hosts hash first (one lookup for known pod addresses), then the CIDR
 * trie; the entry found carries the complete port set for the peer (see the flattening contract in netpol.h).
 */
#pragma once

#include <linux/bpf.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#include "netpol.h"
#include "netpol_maps.h"
#include "netpol_parse.h"

/* Finds the peer entry of `addr` for pod `ifindex` in direction `dir`; NULL when the peer is unknown. */
static __always_inline struct netpol_peer *netpol_find_peer(__u32 ifindex, __u8 dir, const __u8 *addr)
{
	struct netpol_host_key hk = { .ifindex = ifindex };
	struct netpol_cidr_key ck = { .prefixlen = 32 + 128, .ifindex = ifindex };
	struct netpol_peer *peer;

	__builtin_memcpy(hk.addr, addr, 16);
	peer = dir == NETPOL_DIR_INGRESS ? bpf_map_lookup_elem(&netpol_in_host, &hk)
					 : bpf_map_lookup_elem(&netpol_eg_host, &hk);
	if (peer)
		return peer;
	__builtin_memcpy(ck.addr, addr, 16);
	return dir == NETPOL_DIR_INGRESS ? bpf_map_lookup_elem(&netpol_in_cidr, &ck)
					 : bpf_map_lookup_elem(&netpol_eg_cidr, &ck);
}

/* Whether the port set admits the packet. */
static __always_inline int netpol_ports_allow(const struct netpol_port_set *set, const struct netpol_pkt *pkt)
{
	__u16 port;
	__u32 i, count;

	if (set->flags & NETPOL_PORTS_ANY)
		return 1;
	/* ICMP, other protocols and later fragments have no port: only NETPOL_PORTS_ANY admits them. */
	if (pkt->proto != NETPOL_PROTO_TCP && pkt->proto != NETPOL_PROTO_UDP && pkt->proto != NETPOL_PROTO_SCTP)
		return 0;
	port = bpf_ntohs(pkt->dport);
	count = set->count;
	for (i = 0; i < NETPOL_MAX_RANGES; i++) {
		const struct netpol_port_range *r = &set->ranges[i];

		if (i >= count)
			break;
		if (r->proto == pkt->proto && port >= r->first && port <= r->last)
			return 1;
	}
	return 0;
}
