/* SPDX-License-Identifier: Apache-2.0 */
/*
 * netpol.h: the contract between the eBPF data plane (the bpf/ programs) and user space
 * (lib/dataplane encodes these structs; the native binding writes them into the maps).
 *
 * This header is plain C with fixed-width types so that it compiles both for the BPF target and for user space.
 * Every struct has explicit padding (always written as zero), a layout comment and a size assertion; user-space
 * mirrors are checked against the BTF of the compiled object (sizes and offsets), so a change here that is not made
 * there fails a test rather than corrupting a map.
 *
 * ---------------------------------------------------------------------------------------------------------------
 * Where the programs sit, and which policy they enforce
 * ---------------------------------------------------------------------------------------------------------------
 * Both programs attach to the pod's HOST-SIDE veth (as the VPC CNI agent does):
 *   - tc INGRESS of the host veth sees packets the pod SENDS     -> the pod's EGRESS policy  (NETPOL_DIR_EGRESS).
 *   - tc EGRESS  of the host veth sees packets the pod RECEIVES  -> the pod's INGRESS policy (NETPOL_DIR_INGRESS).
 * Every key below that names a pod uses the ifindex of that host-side veth (skb->ifindex at both hooks).
 * Directions in this header are always the POD's point of view.
 *
 * ---------------------------------------------------------------------------------------------------------------
 * Addresses
 * ---------------------------------------------------------------------------------------------------------------
 * One layout for both families: 16 bytes in network byte order. IPv4 a.b.c.d is stored v4-mapped, ::ffff:a.b.c.d,
 * so an IPv4 /N prefix is the 16-byte prefix of length 96 + N.
 *
 * ---------------------------------------------------------------------------------------------------------------
 * Policy lookup (per pod, per direction): hosts first, then CIDRs
 * ---------------------------------------------------------------------------------------------------------------
 * The peer address (source for INGRESS, destination for EGRESS) is looked up:
 *   1. in the direction's HOSTS hash map, key { ifindex, addr }; a hit is final (the CIDR trie is not consulted);
 *   2. else in the direction's CIDRS LPM trie, key { prefixlen, ifindex, addr }; the longest matching prefix is final;
 *   3. else the peer is not allowed (NETPOL_REASON_NO_PEER).
 * A hit yields a port-set id; the port set (NETPOL_PORTS_MAP array) lists what the peer may use.
 *
 * THE FLATTENING CONTRACT (the compiler in lib/dataplane must honour it exactly):
 *   - The entry that a lookup finds carries the COMPLETE set of protocol/port ranges allowed for every address it
 *     covers that has no more specific entry: the union over every rule (of every policy selecting the pod, in that
 *     direction) whose peers contain that address. Nothing is inherited from shorter prefixes at run time.
 *   - CIDRs nest or are disjoint, so for each prefix P the compiler emits the union of the rules whose ipBlock
 *     contains P and whose `except` does not contain P. An `except` hole is therefore an ordinary entry whose set is
 *     what the OTHER covering rules allow there (port set 0 = nothing, when no other rule covers it).
 *   - A HOSTS entry (a /32 or /128: typically a known pod address) must include every CIDR rule covering that
 *     address as well as its pod-selector rules, because a HOSTS hit hides the trie. A /32 (/128) ipBlock may be
 *     written either to HOSTS or to the trie (prefixlen 32 + 128), with the same result.
 *   - One trie holds both families, so an IPv6 prefix covering ::ffff:0:0/96 (::/0, for one) also answers IPv4
 *     lookups. When the compiler emits one, it also emits the IPv4 root 0.0.0.0/0 (prefixlen 32 + 96), which is longer
 *     and so decides for IPv4 peers.
 *   - Named ports are resolved by the compiler (against the destination pod), per entry; the kernel sees numbers.
 *   - Port sets hold at most NETPOL_MAX_RANGES ranges: the compiler merges overlapping/adjacent ranges of the same
 *     protocol first and reports an error naming the pod and peer when more remain.
 *
 * ---------------------------------------------------------------------------------------------------------------
 * Decisions that NetworkPolicy leaves open (also in the README, section "kernel")
 * ---------------------------------------------------------------------------------------------------------------
 *   - ICMP/ICMPv6 echo and every other IP protocol (not TCP/UDP/SCTP) are allowed iff the peer's port set has
 *     NETPOL_PORTS_ANY (a rule with no `ports`: every port of every protocol). ICMP errors (v4 types 3, 11, 12;
 *     v6 types 1-4) pass when the packet they quote belongs to a conntrack entry of this pod; otherwise they are
 *     judged like other ICMP. IPv6 neighbour discovery and MLD (ICMPv6 130-137, 143) and non-IP frames (ARP) always
 *     pass: without them the pod has no network at all.
 *   - Fragments: the first fragment (offset 0) carries the L4 header and is judged normally; when it passes, its
 *     datagram (ifindex, addresses, protocol, IP id) is remembered in netpol_frag for NETPOL_FRAG_TIMEOUT_NS and
 *     later fragments of it pass. A non-first fragment of an unknown datagram is dropped.
 *   - Malformed or truncated packets (short or inconsistent IP header, L4 header shorter than its protocol needs,
 *     too many IPv6 extension headers, headers past byte 512) are dropped, whatever the pod's state; the kernel's own
 *     stack would drop them. VLAN-tagged frames (which would hide the IP header) are dropped unless the direction is
 *     not isolated. An IPv4 total length or IPv6 payload length of 0 (BIG TCP aggregates) is accepted.
 *   - A TCP SYN without ACK always re-checks policy (new connection) even when a conntrack entry exists, so a
 *     revoked rule stops new connections at once; established flows live until their conntrack entry times out.
 */
#pragma once

#include <linux/types.h>

/* ---------------------------------------------------------------------------------------------------------- */
/* Constants                                                                                                  */
/* ---------------------------------------------------------------------------------------------------------- */

/** Directions, from the pod's point of view (see above for which tc hook enforces which). */
enum netpol_direction {
	NETPOL_DIR_INGRESS = 0, /* into the pod: tc egress of the host veth */
	NETPOL_DIR_EGRESS = 1,  /* out of the pod: tc ingress of the host veth */
};

/**
 * Per-pod, per-direction state. Zero is the safe value: a freshly created netpol_pod entry denies until the
 * agent programs it.
 */
enum netpol_state {
	NETPOL_STATE_DEFAULT_DENY = 0, /* strict mode: attached, not programmed yet; drop all IP but neighbour discovery */
	NETPOL_STATE_OPEN = 1,         /* not isolated: no policy selects the pod in this direction; pass */
	NETPOL_STATE_ISOLATED = 2,     /* policies apply: pass only what the policy maps or conntrack allow */
};

/** Why a packet got its verdict. Each reason has exactly one verdict (see netpol_reason_passes). */
enum netpol_reason {
	NETPOL_REASON_NON_IP = 0,         /* pass: not IPv4/IPv6 (ARP, ...) */
	NETPOL_REASON_UNKNOWN_POD = 1,    /* pass: ifindex not in netpol_pods and strict mode off */
	NETPOL_REASON_UNKNOWN_STRICT = 2, /* drop: ifindex not in netpol_pods and NETPOL_CFG_STRICT set */
	NETPOL_REASON_DEFAULT_DENY = 3,   /* drop: pod state NETPOL_STATE_DEFAULT_DENY */
	NETPOL_REASON_NOT_ISOLATED = 4,   /* pass: pod state NETPOL_STATE_OPEN */
	NETPOL_REASON_CONNTRACK = 5,      /* pass: packet of a tracked flow (either direction) or a related ICMP error */
	NETPOL_REASON_POLICY = 6,         /* pass: peer and port allowed by the policy maps */
	NETPOL_REASON_NO_PEER = 7,        /* drop: no hosts/CIDR entry for the peer */
	NETPOL_REASON_NO_PORT = 8,        /* drop: peer known, protocol/port not in its port set */
	NETPOL_REASON_MALFORMED = 9,      /* drop: truncated or inconsistent headers */
	NETPOL_REASON_FRAGMENT = 10,      /* pass: later fragment of a datagram whose first fragment passed */
	NETPOL_REASON_FRAGMENT_UNKNOWN = 11, /* drop: later fragment of an unknown datagram */
	NETPOL_REASON_CONTROL = 12,       /* pass: ICMPv6 neighbour discovery / MLD */
	NETPOL_REASON_MAX = 13,
};

/** Verdict recorded in events: the tc action is TC_ACT_OK (pass) or TC_ACT_SHOT (drop). */
enum netpol_verdict {
	NETPOL_VERDICT_DROP = 0,
	NETPOL_VERDICT_PASS = 1,
};

/** TCP states tracked by conntrack (0 for other protocols). */
enum netpol_tcp_state {
	NETPOL_TCP_NONE = 0,        /* not TCP */
	NETPOL_TCP_SYN_SENT = 1,    /* the opening SYN was seen, no reply yet */
	NETPOL_TCP_ESTABLISHED = 2, /* a packet in the reply direction was seen */
	NETPOL_TCP_CLOSING = 3,     /* a FIN was seen */
	NETPOL_TCP_CLOSED = 4,      /* a RST was seen */
};

/* Conntrack idle timeouts (nanoseconds since the last packet of the flow). */
#define NETPOL_CT_TCP_SYN_TIMEOUT_NS (60ULL * 1000000000ULL)
#define NETPOL_CT_TCP_ESTABLISHED_TIMEOUT_NS (6ULL * 3600ULL * 1000000000ULL)
#define NETPOL_CT_TCP_CLOSING_TIMEOUT_NS (10ULL * 1000000000ULL)
#define NETPOL_CT_TCP_CLOSED_TIMEOUT_NS (1ULL * 1000000000ULL)
#define NETPOL_CT_UDP_TIMEOUT_NS (60ULL * 1000000000ULL) /* also SCTP and other protocols */
#define NETPOL_CT_ICMP_TIMEOUT_NS (30ULL * 1000000000ULL)
#define NETPOL_FRAG_TIMEOUT_NS (30ULL * 1000000000ULL)

/** Port set flags (netpol_port_set.flags). */
#define NETPOL_PORTS_ANY 0x01 /* every port of every IP protocol, ICMP and fragments included (rule without `ports`) */

/** Maximum ranges in one port set. */
#define NETPOL_MAX_RANGES 32

/** Port-set id 0 is reserved: it is never written and stays all zero, i.e. "nothing allowed". */
#define NETPOL_PORT_SET_NONE 0

/** Config flags (netpol_config.flags). */
#define NETPOL_CFG_EVENTS_DROP 0x01 /* emit an event for every dropped packet (rate-limited) */
#define NETPOL_CFG_EVENTS_PASS 0x02 /* emit an event for every packet passed by POLICY (new flows), rate-limited */
#define NETPOL_CFG_STRICT 0x04      /* drop traffic of interfaces missing from netpol_pods */

/* IP protocol numbers used in port ranges and conntrack keys. */
#define NETPOL_PROTO_ICMP 1
#define NETPOL_PROTO_TCP 6
#define NETPOL_PROTO_UDP 17
#define NETPOL_PROTO_ICMPV6 58
#define NETPOL_PROTO_SCTP 132

/* TCP flag bits (byte 13 of the TCP header), as conntrack reads them. */
#define NETPOL_TCP_FIN 0x01
#define NETPOL_TCP_SYN 0x02
#define NETPOL_TCP_RST 0x04
#define NETPOL_TCP_ACK 0x10

/* Default map sizes (node-wide; the loader may change max_entries before loading). */
#define NETPOL_MAX_PODS 1024
#define NETPOL_MAX_HOSTS 1048576 /* no prealloc: memory follows use; 100 pods allowed 10k peers each fit */
#define NETPOL_MAX_CIDRS 262144
#define NETPOL_MAX_PORT_SETS 16384
#define NETPOL_MAX_CT 262144
#define NETPOL_MAX_FRAGS 8192
#define NETPOL_EVENTS_BYTES (256 * 1024)

/* Map names (as in the object and in pins). Kept under 16 characters, the kernel's limit. */
#define NETPOL_PODS_MAP "netpol_pods"
#define NETPOL_CONFIG_MAP "netpol_config"
#define NETPOL_IN_HOSTS_MAP "netpol_in_host"
#define NETPOL_IN_CIDRS_MAP "netpol_in_cidr"
#define NETPOL_EG_HOSTS_MAP "netpol_eg_host"
#define NETPOL_EG_CIDRS_MAP "netpol_eg_cidr"
#define NETPOL_PORTS_MAP "netpol_ports"
#define NETPOL_CT_MAP "netpol_ct"
#define NETPOL_FRAG_MAP "netpol_frag"
#define NETPOL_EVENTS_MAP "netpol_events"
#define NETPOL_BUDGET_MAP "netpol_budget"
#define NETPOL_STATS_MAP "netpol_stats"

/* Program names (function names in the object). */
#define NETPOL_PROG_INGRESS "netpol_ingress" /* pod INGRESS policy; attach at tc EGRESS of the host veth */
#define NETPOL_PROG_EGRESS "netpol_egress"   /* pod EGRESS policy; attach at tc INGRESS of the host veth */

/* ---------------------------------------------------------------------------------------------------------- */
/* Structs                                                                                                    */
/* ---------------------------------------------------------------------------------------------------------- */

/**
 * netpol_pods value (HASH, key __u32 ifindex of the pod's host-side veth).
 * offset 0 ingress (enum netpol_state), 1 egress (enum netpol_state), 2..3 pad, 4 generation (free for the agent:
 * the programs never read it; the agent bumps it when it reprograms the pod). Size 8.
 */
struct netpol_pod {
	__u8 ingress;
	__u8 egress;
	__u8 pad[2];
	__u32 generation;
};
_Static_assert(sizeof(struct netpol_pod) == 8, "struct netpol_pod layout");

/**
 * netpol_config value (ARRAY, one entry at key 0). All zero = events off, strict off.
 * offset 0 flags (NETPOL_CFG_*), 4 events_per_sec (per-CPU budget of events per second; 0 = unlimited),
 * 8 pad. Size 16.
 */
struct netpol_config {
	__u32 flags;
	__u32 events_per_sec;
	__u32 pad[2];
};
_Static_assert(sizeof(struct netpol_config) == 16, "struct netpol_config layout");

/**
 * Key of the HOSTS hash maps (netpol_in_host, netpol_eg_host): one peer address of one pod.
 * offset 0 ifindex (host byte order), 4 addr[16] (network order, IPv4 v4-mapped). Size 20.
 */
struct netpol_host_key {
	__u32 ifindex;
	__u8 addr[16];
};
_Static_assert(sizeof(struct netpol_host_key) == 20, "struct netpol_host_key layout");

/**
 * Key of the CIDRS LPM tries (netpol_in_cidr, netpol_eg_cidr). The trie matches `prefixlen` bits of the 20 bytes
 * that follow it, most significant first: the 32 bits of ifindex are always matched in full, so
 *   prefixlen = 32 + 96 + N   for an IPv4 /N   (addr v4-mapped)
 *   prefixlen = 32 + N        for an IPv6 /N
 * offset 0 prefixlen (host order), 4 ifindex (host order), 8 addr[16] (network order). Size 24.
 * Address bits beyond the prefix must be zero (the compiler masks them).
 */
struct netpol_cidr_key {
	__u32 prefixlen;
	__u32 ifindex;
	__u8 addr[16];
};
_Static_assert(sizeof(struct netpol_cidr_key) == 24, "struct netpol_cidr_key layout");

/**
 * Value of both HOSTS and CIDRS maps: the id of the port set (index in netpol_ports) allowed for the peer.
 * offset 0 port_set. Size 4. port_set NETPOL_PORT_SET_NONE (0) = known peer, nothing allowed (an except hole).
 */
struct netpol_peer {
	__u32 port_set;
};
_Static_assert(sizeof(struct netpol_peer) == 4, "struct netpol_peer layout");

/**
 * One inclusive port range of one protocol. Ports in host byte order.
 * offset 0 first, 2 last (>= first), 4 proto (NETPOL_PROTO_TCP/UDP/SCTP), 5..7 pad. Size 8.
 * "Every port of TCP" is { 1, 65535, TCP } (port 0 is not a valid destination port and is never allowed).
 */
struct netpol_port_range {
	__u16 first;
	__u16 last;
	__u8 proto;
	__u8 pad[3];
};
_Static_assert(sizeof(struct netpol_port_range) == 8, "struct netpol_port_range layout");

/**
 * netpol_ports value (ARRAY indexed by port-set id; id 0 reserved, all zero). Port sets are shared: the compiler
 * deduplicates identical sets across peers and pods and allocates the ids.
 * offset 0 flags (NETPOL_PORTS_*), 1 count (ranges used, <= NETPOL_MAX_RANGES), 2..7 pad,
 * 8 ranges[NETPOL_MAX_RANGES] (8 bytes each; entries past `count` ignored, written as zero). Size 264.
 * The destination port of the packet (the pod's port for INGRESS, the peer's for EGRESS) must lie in one range of
 * the packet's protocol, unless NETPOL_PORTS_ANY is set.
 */
struct netpol_port_set {
	__u8 flags;
	__u8 count;
	__u8 pad[6];
	struct netpol_port_range ranges[NETPOL_MAX_RANGES];
};
_Static_assert(sizeof(struct netpol_port_set) == 264, "struct netpol_port_set layout");

/**
 * netpol_ct key (LRU_HASH, shared by both programs): one flow of one pod, written from the pod's point of view so
 * that both directions of the flow find the same entry. The ifindex is part of the key: a flow that pod A opened
 * never admits a packet on pod B's interface.
 * offset 0 ifindex (host order), 4 proto, 5..7 pad, 8 pod_port, 10 peer_port (network byte order; for ICMP echo
 * pod_port is the echo identifier and peer_port 0), 12 pod_addr[16], 28 peer_addr[16]. Size 44.
 */
struct netpol_ct_key {
	__u32 ifindex;
	__u8 proto;
	__u8 pad[3];
	__u16 pod_port;
	__u16 peer_port;
	__u8 pod_addr[16];
	__u8 peer_addr[16];
};
_Static_assert(sizeof(struct netpol_ct_key) == 44, "struct netpol_ct_key layout");

/**
 * netpol_ct value.
 * offset 0 last_seen_ns (time of the last packet: CLOCK_MONOTONIC at tick precision, bpf_ktime_get_coarse_ns),
 * 8 origin (enum netpol_direction of the packet that opened the flow), 9 tcp_state (enum netpol_tcp_state),
 * 10..15 pad. Size 16.
 * An entry older than its state's timeout is treated as absent.
 */
struct netpol_ct_entry {
	__u64 last_seen_ns;
	__u8 origin;
	__u8 tcp_state;
	__u8 pad[6];
};
_Static_assert(sizeof(struct netpol_ct_entry) == 16, "struct netpol_ct_entry layout");

/**
 * netpol_frag key (LRU_HASH): one fragmented datagram whose first fragment passed on this interface.
 * offset 0 ifindex, 4 id (host byte order: the 16-bit IPv4 identification zero-extended, or the 32-bit IPv6
 * fragment identification), 8 proto (the datagram's L4 protocol), 9..11 pad, 12 saddr[16], 28 daddr[16]. Size 44.
 * Value: __u64 first_seen_ns. Only the programs write this map.
 */
struct netpol_frag_key {
	__u32 ifindex;
	__u32 id;
	__u8 proto;
	__u8 pad[3];
	__u8 saddr[16];
	__u8 daddr[16];
};
_Static_assert(sizeof(struct netpol_frag_key) == 44, "struct netpol_frag_key layout");

/**
 * netpol_budget value (PERCPU_ARRAY, one entry): the per-CPU event rate limiter (a fixed one-second window).
 * offset 0 window_start_ns, 8 sent (events sent in this window), 12 pad. Size 16.
 */
struct netpol_budget {
	__u64 window_start_ns;
	__u32 sent;
	__u32 pad;
};
_Static_assert(sizeof(struct netpol_budget) == 16, "struct netpol_budget layout");

/**
 * netpol_stats value (PERCPU_ARRAY indexed by enum netpol_reason): packets and bytes per reason and CPU.
 * offset 0 packets, 8 bytes. Size 16.
 */
struct netpol_stat {
	__u64 packets;
	__u64 bytes;
};
_Static_assert(sizeof(struct netpol_stat) == 16, "struct netpol_stat layout");

/**
 * One verdict event in the netpol_events ring buffer (only when NETPOL_CFG_EVENTS_* is set; rate-limited).
 * offset 0 timestamp_ns (bpf_ktime_get_ns), 8 ifindex, 12 direction (enum netpol_direction), 13 verdict
 * (enum netpol_verdict), 14 reason (enum netpol_reason), 15 proto, 16 sport, 18 dport (host order; ICMP: type<<8 |
 * code in sport, 0 in dport), 20 family (4 or 6), 21..23 pad, 24 port_set (id found by the lookup, 0 if none),
 * 28 pad, 32 saddr[16], 48 daddr[16] (network order, IPv4 v4-mapped). Size 64.
 */
struct netpol_event {
	__u64 timestamp_ns;
	__u32 ifindex;
	__u8 direction;
	__u8 verdict;
	__u8 reason;
	__u8 proto;
	__u16 sport;
	__u16 dport;
	__u8 family;
	__u8 pad[3];
	__u32 port_set;
	__u32 pad2;
	__u8 saddr[16];
	__u8 daddr[16];
};
_Static_assert(sizeof(struct netpol_event) == 64, "struct netpol_event layout");
