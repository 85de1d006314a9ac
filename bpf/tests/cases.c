/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cases.c: the packet-level cases. Pod A sits behind interface if_a (10.0.0.1, fd00::1), pod B behind if_b
 * (10.0.0.2, fd00::2). "in" runs the pod-INGRESS program (packets entering the pod), "out" the pod-EGRESS one.
 */
#include <linux/pkt_cls.h>
#include <string.h>
#include <time.h>

#include "harness.h"

#define PASS TC_ACT_OK
#define DROP TC_ACT_SHOT
#define IN NETPOL_DIR_INGRESS
#define OUT NETPOL_DIR_EGRESS
#define ISO NETPOL_STATE_ISOLATED
#define OPEN NETPOL_STATE_OPEN
#define DENY NETPOL_STATE_DEFAULT_DENY
#define TCP NETPOL_PROTO_TCP
#define UDP NETPOL_PROTO_UDP
#define SCTP NETPOL_PROTO_SCTP
#define SYN NETPOL_TCP_SYN
#define ACK NETPOL_TCP_ACK

#define A4 "10.0.0.1"
#define B4 "10.0.0.2"
#define PEER4 "10.0.9.9"
#define A6 "fd00::1"
#define PEER6 "fd00::9"

#define TCP4(s, sp, d, dp, fl)                                                                             \
	((struct flow){ .family = 4, .src = (s), .dst = (d), .proto = TCP, .sport = (sp), .dport = (dp),          \
			.tcp_flags = (fl) })
#define UDP4(s, sp, d, dp)                                                                                 \
	((struct flow){ .family = 4, .src = (s), .dst = (d), .proto = UDP, .sport = (sp), .dport = (dp) })
#define TCP6(s, sp, d, dp, fl)                                                                             \
	((struct flow){ .family = 6, .src = (s), .dst = (d), .proto = TCP, .sport = (sp), .dport = (dp),          \
			.tcp_flags = (fl) })
#define ICMP4(s, d, type, id)                                                                              \
	((struct flow){ .family = 4, .src = (s), .dst = (d), .proto = NETPOL_PROTO_ICMP, .icmp_type = (type),    \
			.icmp_id = (id) })
#define ICMP6(s, d, type, id)                                                                              \
	((struct flow){ .family = 6, .src = (s), .dst = (d), .proto = NETPOL_PROTO_ICMPV6, .icmp_type = (type),  \
			.icmp_id = (id) })

/* Port set ids used by the cases. */
enum { SET_WEB = 1, SET_RANGE, SET_DNS, SET_ANY, SET_SSH, SET_SCTP, SET_HTTP_ONLY };

static int send_flow(struct env *e, __u8 dir, int ifindex, struct flow f)
{
	return send_flow_checked(e, dir, ifindex, &f);
}

static __u64 now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (__u64)ts.tv_sec * 1000000000ULL + (__u64)ts.tv_nsec;
}

/* Common policy: pod A isolated both ways; web = TCP 80,443; range = TCP 8000-8080; dns = UDP 53; any; ssh = TCP 22. */
static void setup_common(struct env *e)
{
	const struct netpol_port_range web[] = { RANGE(TCP, 80, 80), RANGE(TCP, 443, 443) };
	const struct netpol_port_range range[] = { RANGE(TCP, 8000, 8080) };
	const struct netpol_port_range dns[] = { RANGE(UDP, 53, 53) };
	const struct netpol_port_range ssh[] = { RANGE(TCP, 22, 22) };
	const struct netpol_port_range sctp[] = { RANGE(SCTP, 3868, 3868) };
	const struct netpol_port_range http[] = { RANGE(TCP, 80, 80) };

	set_pod(e, e->if_a, ISO, ISO);
	set_port_set(e, SET_WEB, 0, 2, web);
	set_port_set(e, SET_RANGE, 0, 1, range);
	set_port_set(e, SET_DNS, 0, 1, dns);
	set_port_set(e, SET_ANY, NETPOL_PORTS_ANY, 0, NULL);
	set_port_set(e, SET_SSH, 0, 1, ssh);
	set_port_set(e, SET_SCTP, 0, 1, sctp);
	set_port_set(e, SET_HTTP_ONLY, 0, 1, http);
}

/* ------------------------------------------------------------------------------------------------------------ */
/* Pod states                                                                                                   */
/* ------------------------------------------------------------------------------------------------------------ */

static void pktgen_arp(struct pkt *p)
{
	memset(p, 0, sizeof(*p));
	p->buf[12] = 0x08;
	p->buf[13] = 0x06;
	p->len = 42;
}

static void setup_deny_both(struct env *e)
{
	set_pod(e, e->if_a, DENY, DENY);
}

static void check_arp_passes(struct env *e, struct pkt *p)
{
	EXPECT_ACTION(e, run_pkt(e, IN, e->if_a, p), PASS);
	EXPECT_ACTION(e, run_pkt(e, OUT, e->if_a, p), PASS);
	EXPECT(e, stat_packets(e, NETPOL_REASON_NON_IP) == 2);
}

static void pktgen_syn_in(struct pkt *p)
{
	struct flow f = TCP4(PEER4, 40000, A4, 80, SYN);

	pkt_build(p, &f);
}

static void check_default_deny_drops(struct env *e, struct pkt *p)
{
	EXPECT_ACTION(e, run_pkt(e, IN, e->if_a, p), DROP);
	EXPECT_ACTION(e, send_flow(e, OUT, e->if_a, TCP4(A4, 40000, PEER4, 80, SYN)), DROP);
	EXPECT(e, stat_packets(e, NETPOL_REASON_DEFAULT_DENY) == 2);
}

static void check_default_deny_passes_neighbour_discovery(struct env *e, struct pkt *p)
{
	(void)p;
	EXPECT_ACTION(e, send_flow(e, OUT, e->if_a, ICMP6("fe80::2", "ff02::1:ff00:1", 135, 0)), PASS);
	EXPECT_ACTION(e, send_flow(e, OUT, e->if_a, ICMP6(A6, PEER6, 128, 1)), DROP);
}

static void check_unknown_pod_passes(struct env *e, struct pkt *p)
{
	EXPECT_ACTION(e, run_pkt(e, IN, e->if_b, p), PASS);
	EXPECT(e, stat_packets(e, NETPOL_REASON_UNKNOWN_POD) == 1);
}

static void setup_strict(struct env *e)
{
	set_config(e, NETPOL_CFG_STRICT, 0);
}

static void check_unknown_pod_strict_drops(struct env *e, struct pkt *p)
{
	EXPECT_ACTION(e, run_pkt(e, IN, e->if_b, p), DROP);
	EXPECT(e, stat_packets(e, NETPOL_REASON_UNKNOWN_STRICT) == 1);
}

static void setup_open_in(struct env *e)
{
	setup_common(e);
	set_pod(e, e->if_a, OPEN, ISO);
}

static void check_open_passes_anything(struct env *e, struct pkt *p)
{
	EXPECT_ACTION(e, run_pkt(e, IN, e->if_a, p), PASS);
	EXPECT_ACTION(e, send_flow(e, IN, e->if_a, UDP4("192.168.7.7", 999, A4, 12345)), PASS);
	EXPECT(e, stat_packets(e, NETPOL_REASON_NOT_ISOLATED) == 2);
	/* ... while the isolated egress direction still denies new connections. */
	EXPECT_ACTION(e, send_flow(e, OUT, e->if_a, TCP4(A4, 40000, "192.168.7.7", 80, SYN)), DROP);
}

static void check_open_ingress_reply_passes_isolated_egress(struct env *e, struct pkt *p)
{
	EXPECT_ACTION(e, run_pkt(e, IN, e->if_a, p), PASS);
	EXPECT_ACTION(e, send_flow(e, OUT, e->if_a, TCP4(A4, 80, PEER4, 40000, SYN | ACK)), PASS);
	EXPECT(e, stat_packets(e, NETPOL_REASON_CONNTRACK) == 1);
}

/* ------------------------------------------------------------------------------------------------------------ */
/* Peers, ports and prefixes                                                                                    */
/* ------------------------------------------------------------------------------------------------------------ */

static void check_isolated_without_peer_drops(struct env *e, struct pkt *p)
{
	EXPECT_ACTION(e, run_pkt(e, IN, e->if_a, p), DROP);
	EXPECT(e, stat_packets(e, NETPOL_REASON_NO_PEER) == 1);
}

static void setup_peer_web(struct env *e)
{
	setup_common(e);
	set_host(e, IN, e->if_a, PEER4, SET_WEB);
}

static void check_allowed_host_and_port_passes(struct env *e, struct pkt *p)
{
	EXPECT_ACTION(e, run_pkt(e, IN, e->if_a, p), PASS);
	EXPECT_ACTION(e, send_flow(e, IN, e->if_a, TCP4(PEER4, 40001, A4, 443, SYN)), PASS);
	EXPECT(e, stat_packets(e, NETPOL_REASON_POLICY) == 2);
}

static void check_port_outside_set_drops(struct env *e, struct pkt *p)
{
	(void)p;
	EXPECT_ACTION(e, send_flow(e, IN, e->if_a, TCP4(PEER4, 40000, A4, 81, SYN)), DROP);
	EXPECT_ACTION(e, send_flow(e, IN, e->if_a, TCP4(PEER4, 80, A4, 8080, SYN)), DROP); /* source port is not it */
	EXPECT(e, stat_packets(e, NETPOL_REASON_NO_PORT) == 2);
}

static void check_protocol_must_match(struct env *e, struct pkt *p)
{
	(void)p;
	EXPECT_ACTION(e, send_flow(e, IN, e->if_a, UDP4(PEER4, 40000, A4, 80)), DROP);
	EXPECT_ACTION(e, send_flow(e, IN, e->if_a, TCP4(PEER4, 40000, A4, 80, SYN)), PASS);
}

static void setup_peer_range(struct env *e)
{
	setup_common(e);
	set_host(e, IN, e->if_a, PEER4, SET_RANGE);
}

static void check_port_range_is_inclusive(struct env *e, struct pkt *p)
{
	(void)p;
	EXPECT_ACTION(e, send_flow(e, IN, e->if_a, TCP4(PEER4, 1, A4, 8000, SYN)), PASS);
	EXPECT_ACTION(e, send_flow(e, IN, e->if_a, TCP4(PEER4, 2, A4, 8040, SYN)), PASS);
	EXPECT_ACTION(e, send_flow(e, IN, e->if_a, TCP4(PEER4, 3, A4, 8080, SYN)), PASS);
	EXPECT_ACTION(e, send_flow(e, IN, e->if_a, TCP4(PEER4, 4, A4, 7999, SYN)), DROP);
	EXPECT_ACTION(e, send_flow(e, IN, e->if_a, TCP4(PEER4, 5, A4, 8081, SYN)), DROP);
}

static void setup_full_port_set(struct env *e)
{
	struct netpol_port_range r[NETPOL_MAX_RANGES];
	int i;

	setup_common(e);
	for (i = 0; i < NETPOL_MAX_RANGES; i++)
		r[i] = (struct netpol_port_range)RANGE(UDP, 1000 + 10 * i, 1000 + 10 * i + 1);
	set_port_set(e, 40, 0, NETPOL_MAX_RANGES, r);
	set_host(e, IN, e->if_a, PEER4, 40);
}

static void check_every_range_of_a_full_set_is_read(struct env *e, struct pkt *p)
{
	(void)p;
	EXPECT_ACTION(e, send_flow(e, IN, e->if_a, UDP4(PEER4, 1, A4, 1000)), PASS);
	EXPECT_ACTION(e, send_flow(e, IN, e->if_a, UDP4(PEER4, 1, A4, 1000 + 10 * (NETPOL_MAX_RANGES - 1) + 1)), PASS);
	EXPECT_ACTION(e, send_flow(e, IN, e->if_a, UDP4(PEER4, 1, A4, 1002)), DROP);
	EXPECT_ACTION(e, send_flow(e, IN, e->if_a, UDP4(PEER4, 1, A4, 1000 + 10 * NETPOL_MAX_RANGES)), DROP);
}

static void setup_peer_any(struct env *e)
{
	setup_common(e);
	set_host(e, IN, e->if_a, PEER4, SET_ANY);
}

static void check_any_admits_every_protocol(struct env *e, struct pkt *p)
{
	struct flow gre = { .family = 4, .src = PEER4, .dst = A4, .proto = 47 };

	(void)p;
	EXPECT_ACTION(e, send_flow(e, IN, e->if_a, TCP4(PEER4, 1, A4, 1, SYN)), PASS);
	EXPECT_ACTION(e, send_flow(e, IN, e->if_a, UDP4(PEER4, 1, A4, 65535)), PASS);
	EXPECT_ACTION(e, send_flow(e, IN, e->if_a, gre), PASS);
}

static void check_other_protocol_needs_any(struct env *e, struct pkt *p)
{
	struct flow gre = { .family = 4, .src = PEER4, .dst = A4, .proto = 47 };

	(void)p;
	EXPECT_ACTION(e, send_flow(e, IN, e->if_a, gre), DROP);
	EXPECT(e, stat_packets(e, NETPOL_REASON_NO_PORT) == 1);
}

static void setup_port_set_none(struct env *e)
{
	setup_common(e);
	set_host(e, IN, e->if_a, PEER4, NETPOL_PORT_SET_NONE);
}

static void check_port_set_none_denies(struct env *e, struct pkt *p)
{
	EXPECT_ACTION(e, run_pkt(e, IN, e->if_a, p), DROP);
	EXPECT(e, stat_packets(e, NETPOL_REASON_NO_PORT) == 1);
}

static void setup_cidr_with_except(struct env *e)
{
	setup_common(e);
	/* ipBlock 10.1.0.0/16 except 10.1.5.0/24 on web; a second rule allows ssh from 10.1.5.128/25. Flattened: */
	set_cidr(e, IN, e->if_a, "10.1.0.0/16", SET_WEB);
	set_cidr(e, IN, e->if_a, "10.1.5.0/24", NETPOL_PORT_SET_NONE);
	set_cidr(e, IN, e->if_a, "10.1.5.128/25", SET_SSH);
}

static void check_except_hole_longest_prefix_wins(struct env *e, struct pkt *p)
{
	(void)p;
	EXPECT_ACTION(e, send_flow(e, IN, e->if_a, TCP4("10.1.6.7", 1, A4, 443, SYN)), PASS);
	EXPECT_ACTION(e, send_flow(e, IN, e->if_a, TCP4("10.1.5.7", 1, A4, 443, SYN)), DROP);
	EXPECT_ACTION(e, send_flow(e, IN, e->if_a, TCP4("10.1.5.7", 1, A4, 22, SYN)), DROP);
	EXPECT_ACTION(e, send_flow(e, IN, e->if_a, TCP4("10.1.5.200", 1, A4, 22, SYN)), PASS);
	EXPECT_ACTION(e, send_flow(e, IN, e->if_a, TCP4("10.1.5.200", 1, A4, 443, SYN)), DROP);
	EXPECT_ACTION(e, send_flow(e, IN, e->if_a, TCP4("10.2.0.1", 1, A4, 443, SYN)), DROP);
}

static void setup_host_hides_cidr(struct env *e)
{
	setup_common(e);
	set_cidr(e, IN, e->if_a, "10.1.0.0/16", SET_WEB);
	set_host(e, IN, e->if_a, "10.1.2.3", SET_HTTP_ONLY);
}

static void check_host_entry_is_final(struct env *e, struct pkt *p)
{
	(void)p;
	EXPECT_ACTION(e, send_flow(e, IN, e->if_a, TCP4("10.1.2.3", 1, A4, 80, SYN)), PASS);
	EXPECT_ACTION(e, send_flow(e, IN, e->if_a, TCP4("10.1.2.3", 1, A4, 443, SYN)), DROP);
	EXPECT_ACTION(e, send_flow(e, IN, e->if_a, TCP4("10.1.2.4", 1, A4, 443, SYN)), PASS);
}

static void setup_entries_of_other_pod(struct env *e)
{
	setup_common(e);
	set_pod(e, e->if_b, ISO, ISO);
	set_host(e, IN, e->if_b, PEER4, SET_ANY);
	set_cidr(e, IN, e->if_b, "0.0.0.0/0", SET_ANY);
}

static void check_entries_are_per_pod(struct env *e, struct pkt *p)
{
	EXPECT_ACTION(e, run_pkt(e, IN, e->if_a, p), DROP);
	EXPECT_ACTION(e, run_pkt(e, IN, e->if_b, p), PASS);
}

static void setup_egress_web(struct env *e)
{
	setup_common(e);
	set_host(e, OUT, e->if_a, PEER4, SET_WEB);
	set_host(e, IN, e->if_a, PEER4, SET_SSH); /* ingress entries never apply to egress */
}

static void check_egress_uses_destination(struct env *e, struct pkt *p)
{
	(void)p;
	EXPECT_ACTION(e, send_flow(e, OUT, e->if_a, TCP4(A4, 40000, PEER4, 443, SYN)), PASS);
	EXPECT_ACTION(e, send_flow(e, OUT, e->if_a, TCP4(A4, 40000, PEER4, 22, SYN)), DROP);
	EXPECT_ACTION(e, send_flow(e, OUT, e->if_a, TCP4(A4, 40000, "10.0.9.10", 443, SYN)), DROP);
}

/* ------------------------------------------------------------------------------------------------------------ */
/* Conntrack                                                                                                    */
/* ------------------------------------------------------------------------------------------------------------ */

static void check_reply_passes_via_conntrack(struct env *e, struct pkt *p)
{
	struct netpol_ct_entry ct;

	(void)p;
	EXPECT_ACTION(e, send_flow(e, OUT, e->if_a, TCP4(A4, 40000, PEER4, 443, SYN)), PASS);
	EXPECT(e, get_ct(e, e->if_a, TCP, A4, 40000, PEER4, 443, &ct) == 0 && ct.tcp_state == NETPOL_TCP_SYN_SENT &&
			  ct.origin == OUT);
	EXPECT_ACTION(e, send_flow(e, IN, e->if_a, TCP4(PEER4, 443, A4, 40000, SYN | ACK)), PASS);
	EXPECT(e, get_ct(e, e->if_a, TCP, A4, 40000, PEER4, 443, &ct) == 0 && ct.tcp_state == NETPOL_TCP_ESTABLISHED);
	EXPECT_ACTION(e, send_flow(e, OUT, e->if_a, TCP4(A4, 40000, PEER4, 443, ACK)), PASS);
	EXPECT(e, stat_packets(e, NETPOL_REASON_CONNTRACK) == 2);
}

static void setup_two_pods(struct env *e)
{
	setup_egress_web(e);
	set_pod(e, e->if_b, ISO, ISO);
}

static void check_reply_on_other_pod_is_dropped(struct env *e, struct pkt *p)
{
	(void)p;
	EXPECT_ACTION(e, send_flow(e, OUT, e->if_a, TCP4(A4, 40000, PEER4, 443, SYN)), PASS);
	/* The same reply tuple, aimed at B's interface (e.g. B spoofs A's flow, or an address is reused). */
	EXPECT_ACTION(e, send_flow(e, IN, e->if_b, TCP4(PEER4, 443, A4, 40000, SYN | ACK)), DROP);
	EXPECT_ACTION(e, send_flow(e, IN, e->if_b, TCP4(PEER4, 443, B4, 40000, SYN | ACK)), DROP);
	/* B cannot ride A's entry outwards either. */
	EXPECT_ACTION(e, send_flow(e, OUT, e->if_b, TCP4(A4, 40000, PEER4, 443, ACK)), DROP);
	EXPECT_ACTION(e, send_flow(e, IN, e->if_a, TCP4(PEER4, 443, A4, 40000, SYN | ACK)), PASS);
}

static void check_reply_of_other_flow_is_dropped(struct env *e, struct pkt *p)
{
	(void)p;
	EXPECT_ACTION(e, send_flow(e, OUT, e->if_a, TCP4(A4, 40000, PEER4, 443, SYN)), PASS);
	EXPECT_ACTION(e, send_flow(e, IN, e->if_a, TCP4(PEER4, 444, A4, 40000, SYN | ACK)), DROP);
	EXPECT_ACTION(e, send_flow(e, IN, e->if_a, TCP4(PEER4, 443, A4, 40001, SYN | ACK)), DROP);
	EXPECT_ACTION(e, send_flow(e, IN, e->if_a, TCP4("10.0.9.8", 443, A4, 40000, SYN | ACK)), DROP);
}

static void check_bare_syn_rechecks_policy(struct env *e, struct pkt *p)
{
	(void)p;
	EXPECT_ACTION(e, send_flow(e, OUT, e->if_a, TCP4(A4, 40000, PEER4, 443, SYN)), PASS);
	set_host(e, OUT, e->if_a, PEER4, NETPOL_PORT_SET_NONE); /* the rule is revoked */
	EXPECT_ACTION(e, send_flow(e, OUT, e->if_a, TCP4(A4, 40000, PEER4, 443, SYN)), DROP);
	EXPECT_ACTION(e, send_flow(e, OUT, e->if_a, TCP4(A4, 40000, PEER4, 443, ACK)), PASS);
}

static void check_tcp_state_follows_fin_and_rst(struct env *e, struct pkt *p)
{
	struct netpol_ct_entry ct;

	(void)p;
	send_flow(e, OUT, e->if_a, TCP4(A4, 40000, PEER4, 443, SYN));
	send_flow(e, IN, e->if_a, TCP4(PEER4, 443, A4, 40000, SYN | ACK));
	EXPECT_ACTION(e, send_flow(e, OUT, e->if_a, TCP4(A4, 40000, PEER4, 443, ACK | NETPOL_TCP_FIN)), PASS);
	EXPECT(e, get_ct(e, e->if_a, TCP, A4, 40000, PEER4, 443, &ct) == 0 && ct.tcp_state == NETPOL_TCP_CLOSING);
	EXPECT_ACTION(e, send_flow(e, IN, e->if_a, TCP4(PEER4, 443, A4, 40000, NETPOL_TCP_RST)), PASS);
	EXPECT(e, get_ct(e, e->if_a, TCP, A4, 40000, PEER4, 443, &ct) == 0 && ct.tcp_state == NETPOL_TCP_CLOSED);
}

static void check_expired_entries_are_ignored(struct env *e, struct pkt *p)
{
	struct netpol_ct_entry syn_sent = { .origin = OUT, .tcp_state = NETPOL_TCP_SYN_SENT };
	struct netpol_ct_entry established = { .origin = OUT, .tcp_state = NETPOL_TCP_ESTABLISHED };
	struct netpol_ct_entry udp = { .origin = OUT };
	__u64 now = now_ns();

	(void)p;
	syn_sent.last_seen_ns = now - NETPOL_CT_TCP_SYN_TIMEOUT_NS - 1000000000ULL;
	put_ct(e, e->if_a, TCP, A4, 40000, PEER4, 443, &syn_sent);
	EXPECT_ACTION(e, send_flow(e, IN, e->if_a, TCP4(PEER4, 443, A4, 40000, SYN | ACK)), DROP);
	/* The same age is well within the established timeout. */
	established.last_seen_ns = syn_sent.last_seen_ns;
	put_ct(e, e->if_a, TCP, A4, 40000, PEER4, 443, &established);
	EXPECT_ACTION(e, send_flow(e, IN, e->if_a, TCP4(PEER4, 443, A4, 40000, ACK)), PASS);
	udp.last_seen_ns = now - NETPOL_CT_UDP_TIMEOUT_NS - 1000000000ULL;
	put_ct(e, e->if_a, UDP, A4, 5353, PEER4, 53, &udp);
	EXPECT_ACTION(e, send_flow(e, IN, e->if_a, UDP4(PEER4, 53, A4, 5353)), DROP);
}

static void setup_egress_dns(struct env *e)
{
	setup_common(e);
	set_host(e, OUT, e->if_a, PEER4, SET_DNS);
}

static void check_udp_reply_passes(struct env *e, struct pkt *p)
{
	(void)p;
	EXPECT_ACTION(e, send_flow(e, OUT, e->if_a, UDP4(A4, 5353, PEER4, 53)), PASS);
	EXPECT_ACTION(e, send_flow(e, IN, e->if_a, UDP4(PEER4, 53, A4, 5353)), PASS);
	EXPECT_ACTION(e, send_flow(e, IN, e->if_a, UDP4(PEER4, 53, A4, 5354)), DROP);
	EXPECT_ACTION(e, send_flow(e, OUT, e->if_a, UDP4(A4, 5353, PEER4, 54)), DROP);
}

static void setup_open_egress(struct env *e)
{
	setup_common(e);
	set_pod(e, e->if_a, ISO, OPEN);
}

static void check_open_egress_reply_passes_isolated_ingress(struct env *e, struct pkt *p)
{
	(void)p;
	EXPECT_ACTION(e, send_flow(e, OUT, e->if_a, UDP4(A4, 5353, PEER4, 53)), PASS);
	EXPECT_ACTION(e, send_flow(e, IN, e->if_a, UDP4(PEER4, 53, A4, 5353)), PASS);
	EXPECT_ACTION(e, send_flow(e, IN, e->if_a, UDP4(PEER4, 53, A4, 5000)), DROP);
}

/* ------------------------------------------------------------------------------------------------------------ */
/* IPv6, SCTP, ICMP                                                                                             */
/* ------------------------------------------------------------------------------------------------------------ */

static void setup_v6(struct env *e)
{
	setup_common(e);
	set_host(e, IN, e->if_a, PEER6, SET_WEB);
	set_cidr(e, IN, e->if_a, "fd00:1::/64", SET_RANGE);
	set_cidr(e, IN, e->if_a, "fd00:1::/96", NETPOL_PORT_SET_NONE);
}

static void check_v6_hosts_cidrs_and_holes(struct env *e, struct pkt *p)
{
	(void)p;
	EXPECT_ACTION(e, send_flow(e, IN, e->if_a, TCP6(PEER6, 1, A6, 443, SYN)), PASS);
	EXPECT_ACTION(e, send_flow(e, IN, e->if_a, TCP6(PEER6, 1, A6, 444, SYN)), DROP);
	EXPECT_ACTION(e, send_flow(e, IN, e->if_a, TCP6("fd00:1::1:0:0:5", 1, A6, 8000, SYN)), PASS);
	EXPECT_ACTION(e, send_flow(e, IN, e->if_a, TCP6("fd00:1::5", 1, A6, 8000, SYN)), DROP);
	EXPECT_ACTION(e, send_flow(e, IN, e->if_a, TCP6("fd00:2::5", 1, A6, 8000, SYN)), DROP);
}

static void check_v6_and_v4_do_not_mix(struct env *e, struct pkt *p)
{
	(void)p;
	/* ::ffff:10.0.9.9 written as IPv6 is the same 16 bytes as 10.0.9.9: one key layout, one answer. */
	EXPECT_ACTION(e, send_flow(e, IN, e->if_a, TCP4(PEER4, 1, A4, 80, SYN)), DROP);
	EXPECT_ACTION(e, send_flow(e, IN, e->if_a, TCP6("::ffff:10.0.9.9", 1, A6, 80, SYN)), DROP);
	set_host(e, IN, e->if_a, PEER4, SET_WEB);
	EXPECT_ACTION(e, send_flow(e, IN, e->if_a, TCP4(PEER4, 1, A4, 80, SYN)), PASS);
	EXPECT_ACTION(e, send_flow(e, IN, e->if_a, TCP6("fd00::a00:909", 1, A6, 80, SYN)), DROP);
}

static void check_v4_shield_under_v6_root(struct env *e, struct pkt *p)
{
	(void)p;
	set_cidr(e, IN, e->if_a, "::/0", SET_ANY); /* an ipBlock ::/0 ... */
	/* ... also covers the v4-mapped range, hence every IPv4 peer, until the IPv4 root is written. */
	EXPECT_ACTION(e, send_flow(e, IN, e->if_a, TCP4(PEER4, 1, A4, 80, SYN)), PASS);
	set_cidr(e, IN, e->if_a, "0.0.0.0/0", NETPOL_PORT_SET_NONE);
	EXPECT_ACTION(e, send_flow(e, IN, e->if_a, TCP4(PEER4, 1, A4, 80, SYN)), DROP);
	EXPECT_ACTION(e, send_flow(e, IN, e->if_a, TCP6(PEER6, 1, A6, 80, SYN)), PASS);
}

static void check_v6_extension_headers_are_walked(struct env *e, struct pkt *p)
{
	struct flow f = TCP6(PEER6, 1, A6, 443, SYN);

	(void)p;
	f.ext_headers = 3;
	EXPECT_ACTION(e, send_flow(e, IN, e->if_a, f), PASS);
	f.dport = 444;
	EXPECT_ACTION(e, send_flow(e, IN, e->if_a, f), DROP);
	EXPECT(e, stat_packets(e, NETPOL_REASON_NO_PORT) == 1);
}

static void check_v6_conntrack_reply(struct env *e, struct pkt *p)
{
	(void)p;
	set_host(e, OUT, e->if_a, PEER6, SET_WEB);
	EXPECT_ACTION(e, send_flow(e, OUT, e->if_a, TCP6(A6, 40000, PEER6, 80, SYN)), PASS);
	EXPECT_ACTION(e, send_flow(e, IN, e->if_a, TCP6(PEER6, 80, A6, 40000, SYN | ACK)), PASS);
	EXPECT_ACTION(e, send_flow(e, IN, e->if_b, TCP6(PEER6, 80, A6, 40000, SYN | ACK)), PASS); /* B unknown: pass */
	set_pod(e, e->if_b, ISO, ISO);
	EXPECT_ACTION(e, send_flow(e, IN, e->if_b, TCP6(PEER6, 80, A6, 40000, SYN | ACK)), DROP);
}

static void setup_sctp(struct env *e)
{
	setup_common(e);
	set_host(e, IN, e->if_a, PEER4, SET_SCTP);
	set_host(e, OUT, e->if_a, PEER6, SET_SCTP);
}

static void check_sctp_ports_and_replies(struct env *e, struct pkt *p)
{
	struct flow in = { .family = 4, .src = PEER4, .dst = A4, .proto = SCTP, .sport = 5000, .dport = 3868 };
	struct flow out = { .family = 6, .src = A6, .dst = PEER6, .proto = SCTP, .sport = 5001, .dport = 3868 };
	struct flow reply = { .family = 6, .src = PEER6, .dst = A6, .proto = SCTP, .sport = 3868, .dport = 5001 };
	struct flow tcp_same_port = TCP4(PEER4, 5000, A4, 3868, SYN);

	(void)p;
	EXPECT_ACTION(e, send_flow(e, IN, e->if_a, in), PASS);
	in.dport = 3869;
	EXPECT_ACTION(e, send_flow(e, IN, e->if_a, in), DROP);
	EXPECT_ACTION(e, send_flow(e, IN, e->if_a, tcp_same_port), DROP);
	EXPECT_ACTION(e, send_flow(e, IN, e->if_a, reply), DROP);
	EXPECT_ACTION(e, send_flow(e, OUT, e->if_a, out), PASS);
	EXPECT_ACTION(e, send_flow(e, IN, e->if_a, reply), PASS);
}

static void setup_icmp(struct env *e)
{
	setup_common(e);
	set_host(e, IN, e->if_a, PEER4, SET_ANY);
	set_host(e, IN, e->if_a, "10.0.9.10", SET_WEB);
	set_host(e, IN, e->if_a, PEER6, SET_ANY);
}

static void check_icmp_echo_needs_all_ports(struct env *e, struct pkt *p)
{
	(void)p;
	EXPECT_ACTION(e, send_flow(e, IN, e->if_a, ICMP4(PEER4, A4, 8, 77)), PASS);
	EXPECT_ACTION(e, send_flow(e, IN, e->if_a, ICMP4("10.0.9.10", A4, 8, 77)), DROP);
	EXPECT_ACTION(e, send_flow(e, IN, e->if_a, ICMP4("10.0.9.11", A4, 8, 77)), DROP);
	/* The echo reply leaves through the isolated, empty egress direction: conntrack by identifier. */
	EXPECT_ACTION(e, send_flow(e, OUT, e->if_a, ICMP4(A4, PEER4, 0, 77)), PASS);
	EXPECT_ACTION(e, send_flow(e, OUT, e->if_a, ICMP4(A4, PEER4, 0, 78)), DROP);
	EXPECT_ACTION(e, send_flow(e, IN, e->if_a, ICMP6(PEER6, A6, 128, 5)), PASS);
	EXPECT_ACTION(e, send_flow(e, OUT, e->if_a, ICMP6(A6, PEER6, 129, 5)), PASS);
	EXPECT_ACTION(e, send_flow(e, OUT, e->if_a, ICMP6(A6, PEER6, 129, 6)), DROP);
}

static void check_icmp_errors_follow_conntrack(struct env *e, struct pkt *p)
{
	struct flow quoted = TCP4(A4, 40000, PEER4, 443, SYN);
	struct flow unrelated = TCP4(A4, 40001, PEER4, 443, SYN);
	struct flow err = { .family = 4, .src = "10.9.9.1", .dst = A4, .proto = NETPOL_PROTO_ICMP };
	struct flow quoted6 = TCP6(A6, 40000, "fd00:5::5", 443, SYN);
	struct flow err6 = { .family = 6, .src = "fd00:9::1", .dst = A6, .proto = NETPOL_PROTO_ICMPV6 };
	struct pkt q;

	(void)p;
	set_host(e, OUT, e->if_a, PEER4, SET_WEB);
	set_host(e, OUT, e->if_a, "fd00:5::5", SET_WEB);
	EXPECT_ACTION(e, send_flow(e, OUT, e->if_a, quoted), PASS);
	pkt_build_icmp_error(&q, &err, 3, 4, &quoted); /* fragmentation needed */
	EXPECT_ACTION(e, run_pkt(e, IN, e->if_a, &q), PASS);
	pkt_build_icmp_error(&q, &err, 3, 4, &unrelated);
	EXPECT_ACTION(e, run_pkt(e, IN, e->if_a, &q), DROP);
	pkt_build_icmp_error(&q, &err, 3, 4, &quoted);
	EXPECT_ACTION(e, run_pkt(e, IN, e->if_b, &q), PASS); /* B unknown */
	set_pod(e, e->if_b, ISO, ISO);
	EXPECT_ACTION(e, run_pkt(e, IN, e->if_b, &q), DROP);
	EXPECT_ACTION(e, send_flow(e, OUT, e->if_a, quoted6), PASS);
	pkt_build_icmp_error(&q, &err6, 2, 0, &quoted6); /* packet too big */
	EXPECT_ACTION(e, run_pkt(e, IN, e->if_a, &q), PASS);
}

static void check_neighbour_discovery_passes(struct env *e, struct pkt *p)
{
	(void)p;
	EXPECT_ACTION(e, send_flow(e, IN, e->if_a, ICMP6("fe80::1", "ff02::1:ff00:1", 135, 0)), PASS);
	EXPECT_ACTION(e, send_flow(e, OUT, e->if_a, ICMP6("fe80::2", "fe80::1", 136, 0)), PASS);
	EXPECT(e, stat_packets(e, NETPOL_REASON_CONTROL) == 2);
	/* ICMPv4 has no such exemption. */
	EXPECT_ACTION(e, send_flow(e, IN, e->if_a, ICMP4(PEER4, A4, 13, 0)), DROP);
}

/* ------------------------------------------------------------------------------------------------------------ */
/* Malformed packets and fragments                                                                              */
/* ------------------------------------------------------------------------------------------------------------ */

/*
 * BPF_PROG_TEST_RUN itself refuses frames shorter than the fixed IPv4/IPv6 header, so the cuts here start after it;
 * the shorter cases take the same path in the programs (netpol_ptr() finds too few bytes).
 */
static void check_truncated_headers_are_dropped(struct env *e, struct pkt *p)
{
	struct pkt q;
	struct flow f = TCP4(PEER4, 1, A4, 443, SYN);
	struct flow u = UDP4(PEER4, 1, A4, 53);
	struct flow icmp = ICMP4(PEER4, A4, 8, 1);
	struct flow f6 = TCP6(PEER6, 1, A6, 443, SYN);

	(void)p;
	pkt_build(&q, &f);
	q.len = 14 + 20 + 10; /* half a TCP header */
	q.buf[14 + 3] = 30;   /* IPv4 total length consistent with the cut */
	EXPECT_ACTION(e, run_pkt(e, IN, e->if_a, &q), DROP);
	pkt_build(&q, &u);
	q.len = 14 + 20 + 4;
	q.buf[14 + 3] = 24;
	EXPECT_ACTION(e, run_pkt(e, IN, e->if_a, &q), DROP);
	pkt_build(&q, &icmp);
	q.len = 14 + 20 + 4;
	q.buf[14 + 3] = 24;
	EXPECT_ACTION(e, run_pkt(e, IN, e->if_a, &q), DROP);
	pkt_build(&q, &f6);
	q.len = 14 + 40 + 10; /* half a TCP header after IPv6 */
	q.buf[14 + 5] = 10;   /* IPv6 payload length consistent with the cut */
	EXPECT_ACTION(e, run_pkt(e, IN, e->if_a, &q), DROP);
	f6.ext_headers = 1;
	pkt_build(&q, &f6);
	q.len = 14 + 40 + 4; /* half an extension header */
	q.buf[14 + 5] = 4;
	EXPECT_ACTION(e, run_pkt(e, IN, e->if_a, &q), DROP);
	EXPECT(e, stat_packets(e, NETPOL_REASON_MALFORMED) == 5);
}

static void check_inconsistent_headers_are_dropped(struct env *e, struct pkt *p)
{
	struct pkt q;
	struct flow f = TCP4(PEER4, 1, A4, 443, SYN);
	struct flow f6 = TCP6(PEER6, 1, A6, 443, SYN);

	(void)p;
	pkt_build(&q, &f);
	q.buf[14] = 0x44; /* IHL 4: shorter than the fixed header */
	EXPECT_ACTION(e, run_pkt(e, IN, e->if_a, &q), DROP);
	pkt_build(&q, &f);
	q.buf[14 + 2] = 0x05; /* total length 1280+, beyond the frame */
	EXPECT_ACTION(e, run_pkt(e, IN, e->if_a, &q), DROP);
	pkt_build(&q, &f);
	q.buf[14] = 0x65; /* version 6 in an IPv4 frame */
	EXPECT_ACTION(e, run_pkt(e, IN, e->if_a, &q), DROP);
	pkt_build(&q, &f);
	q.buf[14 + 20 + 12] = 0x20; /* TCP data offset 2 */
	EXPECT_ACTION(e, run_pkt(e, IN, e->if_a, &q), DROP);
	f6.ext_headers = 7; /* more than the programs walk */
	pkt_build(&q, &f6);
	EXPECT_ACTION(e, run_pkt(e, IN, e->if_a, &q), DROP);
	EXPECT(e, stat_packets(e, NETPOL_REASON_MALFORMED) == 5);
}

static void check_malformed_dropped_even_when_open(struct env *e, struct pkt *p)
{
	struct pkt q;
	struct flow f = TCP4(PEER4, 1, A4, 443, SYN);

	(void)p;
	pkt_build(&q, &f);
	q.len = 14 + 20 + 10;
	EXPECT_ACTION(e, run_pkt(e, IN, e->if_a, &q), DROP);
	EXPECT(e, stat_packets(e, NETPOL_REASON_MALFORMED) == 1);
}

static void check_vlan_tagged_frames_are_dropped(struct env *e, struct pkt *p)
{
	struct pkt q;
	struct flow f = TCP4(PEER4, 1, A4, 80, SYN);

	(void)p;
	pkt_build(&q, &f);
	/* Re-frame as 802.1Q: tag 0x8100, VLAN 5, inner type IPv4, then the IP packet (the runner's skb is untagged). */
	memmove(q.buf + 18, q.buf + 14, q.len - 14);
	q.buf[12] = 0x81, q.buf[13] = 0x00, q.buf[14] = 0x00, q.buf[15] = 0x05, q.buf[16] = 0x08, q.buf[17] = 0x00;
	q.len += 4;
	EXPECT_ACTION(e, run_pkt(e, IN, e->if_a, &q), DROP);
	EXPECT(e, stat_packets(e, NETPOL_REASON_MALFORMED) == 1);
	set_pod(e, e->if_a, OPEN, OPEN);
	EXPECT_ACTION(e, run_pkt(e, IN, e->if_a, &q), PASS);
}

static void check_big_tcp_length_zero_is_accepted(struct env *e, struct pkt *p)
{
	struct pkt q;
	struct flow f = TCP4(PEER4, 1, A4, 80, SYN);
	struct flow f6 = TCP6(PEER6, 1, A6, 443, SYN);

	(void)p;
	set_host(e, IN, e->if_a, PEER6, SET_WEB);
	pkt_build(&q, &f);
	q.buf[14 + 2] = 0, q.buf[14 + 3] = 0;
	EXPECT_ACTION(e, run_pkt(e, IN, e->if_a, &q), PASS);
	pkt_build(&q, &f6);
	q.buf[14 + 4] = 0, q.buf[14 + 5] = 0;
	EXPECT_ACTION(e, run_pkt(e, IN, e->if_a, &q), PASS);
}

static void check_ipv4_options_are_skipped(struct env *e, struct pkt *p)
{
	struct flow f = TCP4(PEER4, 1, A4, 443, SYN);

	(void)p;
	f.ip_options = 1;
	EXPECT_ACTION(e, send_flow(e, IN, e->if_a, f), PASS);
	f.dport = 444;
	EXPECT_ACTION(e, send_flow(e, IN, e->if_a, f), DROP);
}

static void setup_peer_dns_in(struct env *e)
{
	setup_common(e);
	set_host(e, IN, e->if_a, PEER4, SET_DNS);
	set_host(e, IN, e->if_a, PEER6, SET_DNS);
}

static void check_fragments_follow_first(struct env *e, struct pkt *p)
{
	struct flow first = UDP4(PEER4, 5353, A4, 53), later;

	(void)p;
	first.frag = 1;
	first.frag_id = 0x1234;
	later = first;
	later.frag = 2;
	EXPECT_ACTION(e, send_flow(e, IN, e->if_a, first), PASS);
	EXPECT_ACTION(e, send_flow(e, IN, e->if_a, later), PASS);
	EXPECT(e, stat_packets(e, NETPOL_REASON_FRAGMENT) == 1);
	later.frag_id = 0x1235; /* a datagram whose first fragment never passed */
	EXPECT_ACTION(e, send_flow(e, IN, e->if_a, later), DROP);
	EXPECT(e, stat_packets(e, NETPOL_REASON_FRAGMENT_UNKNOWN) == 1);
	first.frag_id = later.frag_id = 0x2000;
	first.dport = later.dport = 54; /* first fragment denied: the rest follows it */
	EXPECT_ACTION(e, send_flow(e, IN, e->if_a, first), DROP);
	EXPECT_ACTION(e, send_flow(e, IN, e->if_a, later), DROP);
}

static void check_fragments_are_per_pod(struct env *e, struct pkt *p)
{
	struct flow first = UDP4(PEER4, 5353, A4, 53), later;

	(void)p;
	set_pod(e, e->if_b, ISO, ISO);
	first.frag = 1;
	first.frag_id = 0x77;
	later = first;
	later.frag = 2;
	EXPECT_ACTION(e, send_flow(e, IN, e->if_a, first), PASS);
	EXPECT_ACTION(e, send_flow(e, IN, e->if_b, later), DROP);
	EXPECT_ACTION(e, send_flow(e, IN, e->if_a, later), PASS);
}

static void check_v6_fragments_follow_first(struct env *e, struct pkt *p)
{
	struct flow first = { .family = 6, .src = PEER6, .dst = A6, .proto = UDP, .sport = 5353, .dport = 53 };
	struct flow later;

	(void)p;
	first.frag = 1;
	first.frag_id = 0xabcdef01;
	later = first;
	later.frag = 2;
	EXPECT_ACTION(e, send_flow(e, IN, e->if_a, later), DROP); /* before its first fragment */
	EXPECT_ACTION(e, send_flow(e, IN, e->if_a, first), PASS);
	EXPECT_ACTION(e, send_flow(e, IN, e->if_a, later), PASS);
	first.ext_headers = later.ext_headers = 1;
	first.frag_id = later.frag_id = 2;
	first.dport = later.dport = 54;
	EXPECT_ACTION(e, send_flow(e, IN, e->if_a, first), DROP);
	EXPECT_ACTION(e, send_flow(e, IN, e->if_a, later), DROP);
}

static void check_later_fragment_passes_when_open(struct env *e, struct pkt *p)
{
	struct flow later = UDP4(PEER4, 5353, A4, 53);

	(void)p;
	later.frag = 2;
	later.frag_id = 9;
	EXPECT_ACTION(e, send_flow(e, IN, e->if_a, later), PASS);
	EXPECT(e, stat_packets(e, NETPOL_REASON_NOT_ISOLATED) == 1);
}

/* ------------------------------------------------------------------------------------------------------------ */
/* Events                                                                                                       */
/* ------------------------------------------------------------------------------------------------------------ */

static void check_events_off_by_default(struct env *e, struct pkt *p)
{
	struct netpol_event ev[4];

	EXPECT_ACTION(e, run_pkt(e, IN, e->if_a, p), DROP);
	EXPECT(e, drain_events(e, ev, 4) == 0);
}

static void setup_events_drop(struct env *e)
{
	setup_common(e);
	set_host(e, IN, e->if_a, PEER4, SET_SSH);
	set_config(e, NETPOL_CFG_EVENTS_DROP, 0);
}

static void check_drop_event_describes_packet(struct env *e, struct pkt *p)
{
	struct netpol_event ev[4];
	__u8 peer[16], pod[16];

	EXPECT_ACTION(e, run_pkt(e, IN, e->if_a, p), DROP);
	EXPECT_ACTION(e, send_flow(e, IN, e->if_a, TCP4(PEER4, 40000, A4, 22, SYN)), PASS); /* no pass events */
	pkt_addr16(PEER4, peer);
	pkt_addr16(A4, pod);
	EXPECT(e, drain_events(e, ev, 4) == 1);
	EXPECT(e, ev[0].ifindex == (__u32)e->if_a && ev[0].direction == IN && ev[0].verdict == NETPOL_VERDICT_DROP);
	EXPECT(e, ev[0].reason == NETPOL_REASON_NO_PORT && ev[0].port_set == SET_SSH && ev[0].proto == TCP);
	EXPECT(e, ev[0].sport == 40000 && ev[0].dport == 80 && ev[0].family == 4);
	EXPECT(e, !memcmp(ev[0].saddr, peer, 16) && !memcmp(ev[0].daddr, pod, 16) && ev[0].timestamp_ns != 0);
}

static void setup_events_pass(struct env *e)
{
	setup_common(e);
	set_host(e, OUT, e->if_a, PEER4, SET_WEB);
	set_config(e, NETPOL_CFG_EVENTS_PASS, 0);
}

static void check_pass_events_for_new_flows_only(struct env *e, struct pkt *p)
{
	struct netpol_event ev[4];

	(void)p;
	EXPECT_ACTION(e, send_flow(e, OUT, e->if_a, TCP4(A4, 40000, PEER4, 443, SYN)), PASS);
	EXPECT_ACTION(e, send_flow(e, IN, e->if_a, TCP4(PEER4, 443, A4, 40000, SYN | ACK)), PASS);
	EXPECT_ACTION(e, send_flow(e, OUT, e->if_a, TCP4(A4, 40000, PEER4, 22, SYN)), DROP);
	EXPECT(e, drain_events(e, ev, 4) == 1);
	EXPECT(e, ev[0].reason == NETPOL_REASON_POLICY && ev[0].direction == OUT && ev[0].dport == 443 &&
			  ev[0].verdict == NETPOL_VERDICT_PASS);
}

static void setup_events_limited(struct env *e)
{
	setup_common(e);
	set_config(e, NETPOL_CFG_EVENTS_DROP, 3);
}

static void check_events_are_rate_limited(struct env *e, struct pkt *p)
{
	struct netpol_event ev[16];
	int i, dropped = 0;

	for (i = 0; i < 10; i++)
		dropped += run_pkt(e, IN, e->if_a, p) == DROP;
	EXPECT(e, dropped == 10);
	EXPECT(e, drain_events(e, ev, 16) == 3);
}

const struct test_case netpol_cases[] = {
	{ "non-IP frames pass in every state", pktgen_arp, setup_deny_both, check_arp_passes },
	{ "default-deny state drops both directions", pktgen_syn_in, setup_deny_both, check_default_deny_drops },
	{ "default-deny state still passes IPv6 neighbour discovery, like ARP", NULL, setup_deny_both,
	  check_default_deny_passes_neighbour_discovery },
	{ "an interface missing from the pod map passes outside strict mode", pktgen_syn_in, NULL,
	  check_unknown_pod_passes },
	{ "an interface missing from the pod map drops in strict mode", pktgen_syn_in, setup_strict,
	  check_unknown_pod_strict_drops },
	{ "a not-isolated direction passes anything while the other stays isolated", pktgen_syn_in, setup_open_in,
	  check_open_passes_anything },
	{ "a reply to a connection into a not-isolated pod passes its isolated egress", pktgen_syn_in, setup_open_in,
	  check_open_ingress_reply_passes_isolated_egress },
	{ "an isolated pod drops a peer it has no entry for", pktgen_syn_in, setup_common,
	  check_isolated_without_peer_drops },
	{ "an allowed peer on an allowed port passes", pktgen_syn_in, setup_peer_web, check_allowed_host_and_port_passes },
	{ "an allowed peer on another port is dropped", NULL, setup_peer_web, check_port_outside_set_drops },
	{ "the protocol of a port must match", NULL, setup_peer_web, check_protocol_must_match },
	{ "port ranges include both ends and nothing outside", NULL, setup_peer_range, check_port_range_is_inclusive },
	{ "every range of a full port set is consulted", NULL, setup_full_port_set,
	  check_every_range_of_a_full_set_is_read },
	{ "a peer allowed every port passes any protocol and port", NULL, setup_peer_any,
	  check_any_admits_every_protocol },
	{ "protocols without ports need a peer allowed every port", NULL, setup_peer_web, check_other_protocol_needs_any },
	{ "port set 0 denies a known peer", pktgen_syn_in, setup_port_set_none, check_port_set_none_denies },
	{ "except holes are decided by the longest prefix", NULL, setup_cidr_with_except,
	  check_except_hole_longest_prefix_wins },
	{ "a host entry is final and hides covering CIDRs", NULL, setup_host_hides_cidr, check_host_entry_is_final },
	{ "policy entries belong to one pod's interface", pktgen_syn_in, setup_entries_of_other_pod,
	  check_entries_are_per_pod },
	{ "egress policy matches the destination and its port", NULL, setup_egress_web, check_egress_uses_destination },
	{ "a reply to an allowed connection passes through conntrack", NULL, setup_egress_web,
	  check_reply_passes_via_conntrack },
	{ "a reply on another pod's interface does not pass", NULL, setup_two_pods, check_reply_on_other_pod_is_dropped },
	{ "a reply that does not match the tracked tuple is dropped", NULL, setup_egress_web,
	  check_reply_of_other_flow_is_dropped },
	{ "a bare SYN re-checks the policy while the established flow continues", NULL, setup_egress_web,
	  check_bare_syn_rechecks_policy },
	{ "the TCP state follows FIN and RST", NULL, setup_egress_web, check_tcp_state_follows_fin_and_rst },
	{ "expired conntrack entries admit nothing", NULL, setup_common, check_expired_entries_are_ignored },
	{ "a UDP reply passes only to the port that sent the request", NULL, setup_egress_dns, check_udp_reply_passes },
	{ "a reply to a not-isolated egress connection passes isolated ingress", NULL, setup_open_egress,
	  check_open_egress_reply_passes_isolated_ingress },
	{ "IPv6 hosts, CIDRs and except holes", NULL, setup_v6, check_v6_hosts_cidrs_and_holes },
	{ "IPv4 entries are keyed v4-mapped and never match a different IPv6 address", NULL, setup_common,
	  check_v6_and_v4_do_not_mix },
	{ "an IPv6 root entry covers IPv4 peers until the IPv4 root shields them", NULL, setup_common,
	  check_v4_shield_under_v6_root },
	{ "IPv6 extension headers are walked to the transport header", NULL, setup_v6,
	  check_v6_extension_headers_are_walked },
	{ "an IPv6 reply passes only on the interface of its pod", NULL, setup_common, check_v6_conntrack_reply },
	{ "SCTP ports are enforced and SCTP replies tracked", NULL, setup_sctp, check_sctp_ports_and_replies },
	{ "ICMP echo passes only for peers allowed every port, and its reply via conntrack", NULL, setup_icmp,
	  check_icmp_echo_needs_all_ports },
	{ "ICMP errors pass when they quote a tracked flow of the same pod", NULL, setup_common,
	  check_icmp_errors_follow_conntrack },
	{ "IPv6 neighbour discovery passes an isolated pod", NULL, setup_common, check_neighbour_discovery_passes },
	{ "truncated headers are dropped", NULL, setup_peer_web, check_truncated_headers_are_dropped },
	{ "inconsistent headers are dropped", NULL, setup_peer_web, check_inconsistent_headers_are_dropped },
	{ "malformed packets are dropped even when the pod is not isolated", NULL, setup_open_in,
	  check_malformed_dropped_even_when_open },
	{ "VLAN-tagged frames are dropped unless the pod is not isolated", NULL, setup_peer_web,
	  check_vlan_tagged_frames_are_dropped },
	{ "a zero IP length (BIG TCP) is read as the frame length", NULL, setup_peer_web,
	  check_big_tcp_length_zero_is_accepted },
	{ "IPv4 options are skipped to reach the ports", NULL, setup_peer_web, check_ipv4_options_are_skipped },
	{ "IPv4 later fragments follow the verdict of their first fragment", NULL, setup_peer_dns_in,
	  check_fragments_follow_first },
	{ "fragment state belongs to one pod's interface", NULL, setup_peer_dns_in, check_fragments_are_per_pod },
	{ "IPv6 later fragments follow the verdict of their first fragment", NULL, setup_peer_dns_in,
	  check_v6_fragments_follow_first },
	{ "later fragments pass a not-isolated pod", NULL, setup_open_in, check_later_fragment_passes_when_open },
	{ "no events are emitted unless configured", pktgen_syn_in, setup_common, check_events_off_by_default },
	{ "a drop event describes the packet and the reason", pktgen_syn_in, setup_events_drop,
	  check_drop_event_describes_packet },
	{ "pass events report new flows, not conntrack hits", NULL, setup_events_pass,
	  check_pass_events_for_new_flows_only },
	{ "events are rate-limited per CPU and second", pktgen_syn_in, setup_events_limited,
	  check_events_are_rate_limited },
};

const int netpol_case_count = sizeof(netpol_cases) / sizeof(netpol_cases[0]);
