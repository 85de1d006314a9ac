/* SPDX-License-Identifier: Apache-2.0 */
/*
 * netpol_verdict.h: turns a reason into the tc action, counts it, and emits a verdict event when asked to.
 */
#pragma once

#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#include "netpol.h"
#include "netpol_maps.h"
#include "netpol_parse.h"

/* The one verdict each reason stands for. */
static __always_inline int netpol_reason_passes(__u8 reason)
{
	switch (reason) {
	case NETPOL_REASON_NON_IP:
	case NETPOL_REASON_UNKNOWN_POD:
	case NETPOL_REASON_NOT_ISOLATED:
	case NETPOL_REASON_CONNTRACK:
	case NETPOL_REASON_POLICY:
	case NETPOL_REASON_FRAGMENT:
	case NETPOL_REASON_CONTROL:
		return 1;
	default:
		return 0;
	}
}

/* Takes one event from this CPU's budget for the current one-second window. */
static __always_inline int netpol_event_budget(__u32 per_sec, __u64 now)
{
	__u32 zero = 0;
	struct netpol_budget *b;

	if (per_sec == 0)
		return 1;
	b = bpf_map_lookup_elem(&netpol_budget, &zero);
	if (!b)
		return 0;
	if (now - b->window_start_ns >= 1000000000ULL) {
		b->window_start_ns = now;
		b->sent = 0;
	}
	if (b->sent >= per_sec)
		return 0;
	b->sent++;
	return 1;
}

static __always_inline void netpol_emit(const struct netpol_pkt *pkt, __u32 ifindex, __u8 dir, __u8 reason,
					__u8 verdict, __u32 port_set, __u64 now)
{
	struct netpol_event *ev = bpf_ringbuf_reserve(&netpol_events, sizeof(*ev), 0);

	if (!ev)
		return;
	__builtin_memset(ev, 0, sizeof(*ev));
	ev->timestamp_ns = now;
	ev->ifindex = ifindex;
	ev->direction = dir;
	ev->verdict = verdict;
	ev->reason = reason;
	ev->proto = pkt->proto;
	ev->family = pkt->family;
	ev->port_set = port_set;
	if (pkt->icmp != NETPOL_ICMP_NOT) {
		ev->sport = ((__u16)pkt->icmp_type << 8) | pkt->icmp_code;
	} else {
		ev->sport = bpf_ntohs(pkt->sport);
		ev->dport = bpf_ntohs(pkt->dport);
	}
	__builtin_memcpy(ev->saddr, pkt->saddr, 16);
	__builtin_memcpy(ev->daddr, pkt->daddr, 16);
	bpf_ringbuf_submit(ev, 0);
}

/*
 * Final step of every IP packet: counts it under `reason`, emits an event if the configuration asks for this kind,
 * and returns the tc action.
 */
static __always_inline int netpol_verdict(struct __sk_buff *skb, const struct netpol_config *cfg,
					  const struct netpol_pkt *pkt, __u8 dir, __u8 reason, __u32 port_set)
{
	__u32 key = reason;
	int pass = netpol_reason_passes(reason);
	struct netpol_stat *st = bpf_map_lookup_elem(&netpol_stats, &key);
	__u32 want;

	if (st) {
		st->packets++;
		st->bytes += skb->len;
	}
	if (cfg && cfg->flags & (NETPOL_CFG_EVENTS_DROP | NETPOL_CFG_EVENTS_PASS)) {
		want = pass ? (reason == NETPOL_REASON_POLICY ? NETPOL_CFG_EVENTS_PASS : 0) : NETPOL_CFG_EVENTS_DROP;
		if (cfg->flags & want) {
			__u64 now = bpf_ktime_get_ns();

			if (netpol_event_budget(cfg->events_per_sec, now))
				netpol_emit(pkt, skb->ifindex, dir, reason, pass ? NETPOL_VERDICT_PASS : NETPOL_VERDICT_DROP,
					    port_set, now);
		}
	}
	return pass ? TC_ACT_OK : TC_ACT_SHOT;
}
