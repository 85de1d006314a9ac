/* SPDX-License-Identifier: Apache-2.0 */
/*
 * netpol_datapath.h: the decision for one packet on a pod's host-side veth, shared by both programs.
 *
 * Order (each step is final when it decides):
 *   1. non-IP frame (VLAN-tagged excepted)  -> pass  (NON_IP)
 *   2. ifindex not in netpol_pods           -> pass  (UNKNOWN_POD), or drop (UNKNOWN_STRICT) in strict mode
 *   3. VLAN-tagged frame                    -> pass if OPEN (NOT_ISOLATED), else drop (MALFORMED)
 *   4. malformed / truncated headers        -> drop  (MALFORMED)
 *   5. ICMPv6 neighbour discovery / MLD     -> pass  (CONTROL)
 *      state DEFAULT_DENY                   -> drop  (DEFAULT_DENY)
 *   6. later fragment                       -> pass if OPEN (NOT_ISOLATED) or its first fragment passed (FRAGMENT),
 *                                              else drop (FRAGMENT_UNKNOWN)
 *   7. conntrack hit (not for a bare SYN)   -> pass  (CONNTRACK)
 *   8. ICMP error quoting a tracked flow    -> pass  (CONNTRACK)
 *   9. state OPEN                           -> pass  (NOT_ISOLATED), opening a conntrack entry
 *  10. policy maps                          -> pass  (POLICY), opening a conntrack entry, or drop (NO_PEER, NO_PORT)
 */
#pragma once

#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#include "netpol.h"
#include "netpol_maps.h"
#include "netpol_parse.h"
#include "netpol_ct.h"
#include "netpol_policy.h"
#include "netpol_verdict.h"

static __always_inline void netpol_frag_key_of(const struct netpol_pkt *pkt, __u32 ifindex,
					       struct netpol_frag_key *key)
{
	key->ifindex = ifindex;
	key->id = pkt->frag_id;
	key->proto = pkt->proto;
	__builtin_memcpy(key->saddr, pkt->saddr, 16);
	__builtin_memcpy(key->daddr, pkt->daddr, 16);
}

/* Records a passed first fragment so that the rest of its datagram passes too. */
static __always_inline void netpol_frag_remember(const struct netpol_pkt *pkt, __u32 ifindex, __u64 now)
{
	struct netpol_frag_key key = {};

	if (pkt->frag != NETPOL_FRAG_FIRST)
		return;
	netpol_frag_key_of(pkt, ifindex, &key);
	bpf_map_update_elem(&netpol_frag, &key, &now, BPF_ANY);
}

static __always_inline int netpol_frag_known(const struct netpol_pkt *pkt, __u32 ifindex, __u64 now)
{
	struct netpol_frag_key key = {};
	__u64 *seen;

	netpol_frag_key_of(pkt, ifindex, &key);
	seen = bpf_map_lookup_elem(&netpol_frag, &key);
	return seen && now - *seen <= NETPOL_FRAG_TIMEOUT_NS;
}

static __always_inline int netpol_handle(struct __sk_buff *skb, const __u8 dir)
{
	struct netpol_pkt pkt = {};
	struct netpol_ct_key ct_key = {};
	struct netpol_ct_entry *ct;
	struct netpol_config *cfg;
	struct netpol_port_set *set;
	struct netpol_peer *peer;
	struct netpol_pod *pod;
	__u32 ifindex = skb->ifindex, zero = 0, port_set;
	__u16 eth_proto;
	__u8 state, tagged;
	__u64 now;
	__u8 *eth;

	cfg = bpf_map_lookup_elem(&netpol_config, &zero);
	eth = netpol_ptr(skb, 0, NETPOL_ETH_LEN);
	if (!eth)
		return netpol_verdict(skb, cfg, &pkt, dir, NETPOL_REASON_NON_IP, 0);
	eth_proto = *(__u16 *)(eth + 12);
	tagged = eth_proto == bpf_htons(ETH_P_8021Q) || eth_proto == bpf_htons(ETH_P_8021AD);
	if (eth_proto != bpf_htons(ETH_P_IP) && eth_proto != bpf_htons(ETH_P_IPV6) && !tagged)
		return netpol_verdict(skb, cfg, &pkt, dir, NETPOL_REASON_NON_IP, 0);

	pod = bpf_map_lookup_elem(&netpol_pods, &ifindex);
	if (!pod)
		return netpol_verdict(skb, cfg, &pkt, dir,
				      cfg && (cfg->flags & NETPOL_CFG_STRICT) ? NETPOL_REASON_UNKNOWN_STRICT
									     : NETPOL_REASON_UNKNOWN_POD,
				      0);
	state = dir == NETPOL_DIR_INGRESS ? pod->ingress : pod->egress;
	/* A VLAN tag in the frame would hide the IP header from the policy: pods have no business sending one. */
	if (tagged)
		return netpol_verdict(skb, cfg, &pkt, dir,
				      state == NETPOL_STATE_OPEN ? NETPOL_REASON_NOT_ISOLATED : NETPOL_REASON_MALFORMED, 0);

	if (netpol_parse(skb, eth_proto, &pkt))
		return netpol_verdict(skb, cfg, &pkt, dir, NETPOL_REASON_MALFORMED, 0);
	/* Neighbour discovery is IPv6's ARP: it passes even before the pod is programmed, as ARP does. */
	if (pkt.icmp == NETPOL_ICMP_CONTROL)
		return netpol_verdict(skb, cfg, &pkt, dir, NETPOL_REASON_CONTROL, 0);
	if (state != NETPOL_STATE_OPEN && state != NETPOL_STATE_ISOLATED)
		return netpol_verdict(skb, cfg, &pkt, dir, NETPOL_REASON_DEFAULT_DENY, 0);

	now = bpf_ktime_get_coarse_ns(); /* a tick of precision is plenty for timeouts of seconds */
	if (pkt.frag == NETPOL_FRAG_LATER) {
		if (state == NETPOL_STATE_OPEN)
			return netpol_verdict(skb, cfg, &pkt, dir, NETPOL_REASON_NOT_ISOLATED, 0);
		return netpol_verdict(skb, cfg, &pkt, dir,
				      netpol_frag_known(&pkt, ifindex, now) ? NETPOL_REASON_FRAGMENT
									   : NETPOL_REASON_FRAGMENT_UNKNOWN,
				      0);
	}

	if (netpol_ct_trackable(&pkt)) {
		netpol_ct_key_of(&pkt, ifindex, dir, &ct_key);
		/* A bare SYN opens a new connection: it always goes through the policy. */
		if (!(pkt.proto == NETPOL_PROTO_TCP &&
		      (pkt.tcp_flags & (NETPOL_TCP_SYN | NETPOL_TCP_ACK)) == NETPOL_TCP_SYN)) {
			ct = netpol_ct_find(&ct_key, now);
			if (ct) {
				netpol_ct_advance(ct, &pkt, dir, now);
				netpol_frag_remember(&pkt, ifindex, now);
				return netpol_verdict(skb, cfg, &pkt, dir, NETPOL_REASON_CONNTRACK, 0);
			}
		}
	} else if (pkt.icmp == NETPOL_ICMP_ERROR) {
		struct netpol_ct_key quoted = { .ifindex = ifindex };

		if (!netpol_parse_quote(skb, &pkt, dir, &quoted) && netpol_ct_find(&quoted, now))
			return netpol_verdict(skb, cfg, &pkt, dir, NETPOL_REASON_CONNTRACK, 0);
	}

	if (state == NETPOL_STATE_OPEN) {
		if (netpol_ct_trackable(&pkt))
			netpol_ct_open(&ct_key, &pkt, dir, now);
		return netpol_verdict(skb, cfg, &pkt, dir, NETPOL_REASON_NOT_ISOLATED, 0);
	}

	peer = netpol_find_peer(ifindex, dir, dir == NETPOL_DIR_INGRESS ? pkt.saddr : pkt.daddr);
	if (!peer)
		return netpol_verdict(skb, cfg, &pkt, dir, NETPOL_REASON_NO_PEER, 0);
	port_set = peer->port_set;
	set = bpf_map_lookup_elem(&netpol_ports, &port_set);
	if (!set || !netpol_ports_allow(set, &pkt))
		return netpol_verdict(skb, cfg, &pkt, dir, NETPOL_REASON_NO_PORT, port_set);
	if (netpol_ct_trackable(&pkt))
		netpol_ct_open(&ct_key, &pkt, dir, now);
	netpol_frag_remember(&pkt, ifindex, now);
	return netpol_verdict(skb, cfg, &pkt, dir, NETPOL_REASON_POLICY, port_set);
}
