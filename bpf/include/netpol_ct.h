/* SPDX-License-Identifier: Apache-2.0 */
/*
 * netpol_ct.h: connection tracking, so that replies to allowed connections pass.
 *
 * One entry per flow and POD (the ifindex is in the key), written from the pod's point of view so that a packet in
 * either direction finds it with one lookup. Only the programs create entries, and only for packets their policy
 * (or the pod's "not isolated" state) passed: an entry opened on one pod's interface can never admit a packet on
 * another's.
 */
#pragma once

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#include "netpol.h"
#include "netpol_maps.h"
#include "netpol_parse.h"

/* Whether packets of this kind carry a flow identity conntrack can follow. */
static __always_inline int netpol_ct_trackable(const struct netpol_pkt *pkt)
{
	if (pkt->proto == NETPOL_PROTO_ICMP || pkt->proto == NETPOL_PROTO_ICMPV6)
		return pkt->icmp == NETPOL_ICMP_ECHO || pkt->icmp == NETPOL_ICMP_NOT;
	return 1;
}

static __always_inline void netpol_ct_key_of(const struct netpol_pkt *pkt, __u32 ifindex, __u8 dir,
					     struct netpol_ct_key *key)
{
	const __u8 *pod = dir == NETPOL_DIR_EGRESS ? pkt->saddr : pkt->daddr;
	const __u8 *peer = dir == NETPOL_DIR_EGRESS ? pkt->daddr : pkt->saddr;

	key->ifindex = ifindex;
	key->proto = pkt->proto;
	if (pkt->icmp == NETPOL_ICMP_ECHO) {
		key->pod_port = pkt->sport; /* echo identifier, same in request and reply */
		key->peer_port = 0;
	} else {
		key->pod_port = dir == NETPOL_DIR_EGRESS ? pkt->sport : pkt->dport;
		key->peer_port = dir == NETPOL_DIR_EGRESS ? pkt->dport : pkt->sport;
	}
	__builtin_memcpy(key->pod_addr, pod, 16);
	__builtin_memcpy(key->peer_addr, peer, 16);
}

static __always_inline __u64 netpol_ct_timeout(const struct netpol_ct_entry *e, __u8 proto)
{
	if (proto == NETPOL_PROTO_TCP) {
		switch (e->tcp_state) {
		case NETPOL_TCP_SYN_SENT:
			return NETPOL_CT_TCP_SYN_TIMEOUT_NS;
		case NETPOL_TCP_ESTABLISHED:
			return NETPOL_CT_TCP_ESTABLISHED_TIMEOUT_NS;
		case NETPOL_TCP_CLOSING:
			return NETPOL_CT_TCP_CLOSING_TIMEOUT_NS;
		default:
			return NETPOL_CT_TCP_CLOSED_TIMEOUT_NS;
		}
	}
	if (proto == NETPOL_PROTO_ICMP || proto == NETPOL_PROTO_ICMPV6)
		return NETPOL_CT_ICMP_TIMEOUT_NS;
	return NETPOL_CT_UDP_TIMEOUT_NS;
}

/* Returns the live entry for `key`, or NULL when there is none or it timed out. */
static __always_inline struct netpol_ct_entry *netpol_ct_find(const struct netpol_ct_key *key, __u64 now)
{
	struct netpol_ct_entry *e = bpf_map_lookup_elem(&netpol_ct, key);

	if (!e || now - e->last_seen_ns > netpol_ct_timeout(e, key->proto))
		return NULL;
	return e;
}

/* Advances a live entry with a packet travelling in direction `dir`. */
static __always_inline void netpol_ct_advance(struct netpol_ct_entry *e, const struct netpol_pkt *pkt, __u8 dir,
					      __u64 now)
{
	e->last_seen_ns = now;
	if (pkt->proto != NETPOL_PROTO_TCP)
		return;
	if (pkt->tcp_flags & NETPOL_TCP_RST)
		e->tcp_state = NETPOL_TCP_CLOSED;
	else if (pkt->tcp_flags & NETPOL_TCP_FIN)
		e->tcp_state = NETPOL_TCP_CLOSING;
	else if (e->tcp_state == NETPOL_TCP_SYN_SENT && dir != e->origin)
		e->tcp_state = NETPOL_TCP_ESTABLISHED;
}

/* Opens (or re-opens) the flow of a packet that the policy passed in direction `dir`. */
static __always_inline void netpol_ct_open(const struct netpol_ct_key *key, const struct netpol_pkt *pkt, __u8 dir,
					   __u64 now)
{
	struct netpol_ct_entry e = {
		.last_seen_ns = now,
		.origin = dir,
		.tcp_state = NETPOL_TCP_NONE,
	};

	struct netpol_ct_entry *live;

	if (pkt->proto == NETPOL_PROTO_TCP)
		e.tcp_state = (pkt->tcp_flags & (NETPOL_TCP_SYN | NETPOL_TCP_ACK)) == NETPOL_TCP_SYN
				      ? NETPOL_TCP_SYN_SENT
				      : NETPOL_TCP_ESTABLISHED; /* picked up mid-flow, e.g. the pod was not isolated */
	/* A retransmitted SYN (or a reused tuple) rewrites the entry in place: cheaper than an LRU insert. */
	live = bpf_map_lookup_elem(&netpol_ct, key);
	if (live) {
		*live = e;
		return;
	}
	bpf_map_update_elem(&netpol_ct, key, &e, BPF_ANY);
}
