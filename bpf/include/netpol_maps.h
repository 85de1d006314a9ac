/* SPDX-License-Identifier: Apache-2.0 */
/*
 * netpol_maps.h: the BTF map definitions shared by both programs (BPF side only; layouts in netpol.h).
 *
 * Every program file includes this header and sees the maps as `extern` declarations; bpf/maps.bpf.c defines
 * NETPOL_DEFINE_MAPS and holds the one definition. The Makefile links the three objects with `bpftool gen object`,
 * so the shipped object netpol.bpf.o has one copy of each map used by both programs. Maps are not pinned by the
 * object: the loader decides where (if anywhere) to pin them.
 */
#pragma once

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#include "netpol.h"

#ifdef NETPOL_DEFINE_MAPS
#define NETPOL_MAP
#else
#define NETPOL_MAP extern
#endif

/* Pod state per host-veth ifindex. */
NETPOL_MAP struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, NETPOL_MAX_PODS);
	__type(key, __u32);
	__type(value, struct netpol_pod);
} netpol_pods SEC(".maps");

/* Node-wide switches (one entry). */
NETPOL_MAP struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct netpol_config);
} netpol_config SEC(".maps");

/* Peers of each pod by exact address (pod IPs, /32 and /128 blocks), one map per direction. */
NETPOL_MAP struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, NETPOL_MAX_HOSTS);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct netpol_host_key);
	__type(value, struct netpol_peer);
} netpol_in_host SEC(".maps");

NETPOL_MAP struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, NETPOL_MAX_HOSTS);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct netpol_host_key);
	__type(value, struct netpol_peer);
} netpol_eg_host SEC(".maps");

/* Peers of each pod by CIDR (longest prefix wins), one trie per direction. */
NETPOL_MAP struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, NETPOL_MAX_CIDRS);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct netpol_cidr_key);
	__type(value, struct netpol_peer);
} netpol_in_cidr SEC(".maps");

NETPOL_MAP struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, NETPOL_MAX_CIDRS);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct netpol_cidr_key);
	__type(value, struct netpol_peer);
} netpol_eg_cidr SEC(".maps");

/* Port sets, shared by peers and pods (id 0 = nothing). */
NETPOL_MAP struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, NETPOL_MAX_PORT_SETS);
	__type(key, __u32);
	__type(value, struct netpol_port_set);
} netpol_ports SEC(".maps");

/* Conntrack: flows of each pod, from the pod's point of view. */
NETPOL_MAP struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, NETPOL_MAX_CT);
	__type(key, struct netpol_ct_key);
	__type(value, struct netpol_ct_entry);
} netpol_ct SEC(".maps");

/* Fragmented datagrams whose first fragment passed. */
NETPOL_MAP struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, NETPOL_MAX_FRAGS);
	__type(key, struct netpol_frag_key);
	__type(value, __u64);
} netpol_frag SEC(".maps");

/* Verdict events (off unless netpol_config.flags asks for them). */
NETPOL_MAP struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, NETPOL_EVENTS_BYTES);
} netpol_events SEC(".maps");

/* Per-CPU event rate limiter. */
NETPOL_MAP struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct netpol_budget);
} netpol_budget SEC(".maps");

/* Per-CPU packet/byte counters by reason. */
NETPOL_MAP struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, NETPOL_REASON_MAX);
	__type(key, __u32);
	__type(value, struct netpol_stat);
} netpol_stats SEC(".maps");
