/* SPDX-License-Identifier: Apache-2.0 */
/*
 * random.c: random policy entries and packets (fixed seed), each verdict checked against a reference model of the
 * lookup contract in netpol.h, written the slow obvious way: exact host match, else the longest matching prefix by
 * linear scan, else no peer; then a linear scan of the port set.
 */
#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <linux/pkt_cls.h>
#include <stdio.h>
#include <string.h>

#include "harness.h"

#define ENTRIES 300
#define SETS 12
#define PACKETS 1500

struct ref_entry {
	int host;       /* 1: hosts map (a /128 of the 16-byte space), 0: CIDR trie */
	__u8 addr[16];  /* masked to `bits` */
	int bits;       /* prefix length in the 16-byte space (v4 /N is 96 + N) */
	__u32 set;
};

static struct ref_entry entries[ENTRIES];
static struct netpol_port_set sets[SETS];
static __u64 rng_state = 0x9e3779b97f4a7c15ULL;

static __u32 rnd(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (__u32)(rng_state >> 16);
}

static void mask(__u8 *addr, int bits)
{
	int i;

	for (i = 0; i < 16; i++) {
		int keep = bits - 8 * i;

		if (keep <= 0)
			addr[i] = 0;
		else if (keep < 8)
			addr[i] &= (__u8)(0xff << (8 - keep));
	}
}

static int covers(const struct ref_entry *en, const __u8 *addr)
{
	__u8 a[16];

	memcpy(a, addr, 16);
	mask(a, en->bits);
	return !memcmp(a, en->addr, 16);
}

/* A random address: IPv4 (v4-mapped) in 10.0.0.0/14 or IPv6 in fd00::/110, so entries and packets collide often. */
static void random_addr(__u8 *out, int v4)
{
	memset(out, 0, 16);
	if (v4) {
		__u32 a = htonl(0x0a000000 | (rnd() & 0x3ffff));

		out[10] = out[11] = 0xff;
		memcpy(out + 12, &a, 4);
	} else {
		__u32 low = htonl(rnd() & 0x3ffff);

		out[0] = 0xfd;
		memcpy(out + 12, &low, 4);
	}
}

static const __u8 protos[3] = { NETPOL_PROTO_TCP, NETPOL_PROTO_UDP, NETPOL_PROTO_SCTP };

static void build_sets(struct env *e)
{
	__u32 id;
	int i;

	memset(sets, 0, sizeof(sets));
	for (id = 1; id < SETS; id++) {
		struct netpol_port_set *s = &sets[id];

		s->flags = id == SETS - 1 ? NETPOL_PORTS_ANY : 0;
		s->count = s->flags ? 0 : (__u8)(1 + rnd() % 8);
		for (i = 0; i < s->count; i++) {
			__u16 first = (__u16)(1 + rnd() % 2000);

			s->ranges[i].proto = protos[rnd() % 3];
			s->ranges[i].first = first;
			s->ranges[i].last = (__u16)(first + (rnd() % 3 ? 0 : rnd() % 50));
		}
		set_port_set(e, id, s->flags, s->count, s->ranges);
	}
}

static void build_entries(struct env *e, __u8 dir)
{
	char text[INET6_ADDRSTRLEN + 8];
	int i;

	for (i = 0; i < ENTRIES; i++) {
		struct ref_entry *en = &entries[i];
		int v4 = rnd() % 2;

		random_addr(en->addr, v4);
		en->host = rnd() % 3 == 0;
		en->bits = en->host ? 128 : (v4 ? 96 + 8 + (int)(rnd() % 25) : 8 + (int)(rnd() % 121));
		mask(en->addr, en->bits);
		en->set = rnd() % SETS; /* 0 included: known peer, nothing allowed */
		if (v4)
			inet_ntop(AF_INET, en->addr + 12, text, sizeof(text));
		else
			inet_ntop(AF_INET6, en->addr, text, sizeof(text));
		if (en->host) {
			set_host(e, dir, e->if_a, text, en->set);
		} else {
			snprintf(text + strlen(text), 8, "/%d", v4 ? en->bits - 96 : en->bits);
			set_cidr(e, dir, e->if_a, text, en->set);
		}
	}
}

/* The contract, the slow way. Returns 1 when the packet to/from `peer` on proto/port is allowed. */
static int reference(const __u8 *peer, __u8 proto, __u16 port)
{
	const struct ref_entry *best = NULL;
	const struct netpol_port_set *s;
	int i;

	/* Later writes of the same key replace earlier ones, as in the maps. */
	for (i = 0; i < ENTRIES; i++)
		if (entries[i].host && !memcmp(entries[i].addr, peer, 16))
			best = &entries[i];
	if (!best)
		for (i = 0; i < ENTRIES; i++)
			if (!entries[i].host && covers(&entries[i], peer) && (!best || entries[i].bits >= best->bits))
				best = &entries[i];
	if (!best)
		return 0;
	s = &sets[best->set];
	if (s->flags & NETPOL_PORTS_ANY)
		return 1;
	for (i = 0; i < s->count; i++)
		if (s->ranges[i].proto == proto && port >= s->ranges[i].first && port <= s->ranges[i].last)
			return 1;
	return 0;
}

static void check_random_against_reference(struct env *e, __u8 dir)
{
	char peer_text[INET6_ADDRSTRLEN], pod_text[INET6_ADDRSTRLEN];
	int i, mismatches = 0, allowed = 0;

	set_pod(e, e->if_a, NETPOL_STATE_ISOLATED, NETPOL_STATE_ISOLATED);
	build_sets(e);
	build_entries(e, dir);
	for (i = 0; i < PACKETS; i++) {
		__u8 peer[16];
		int v4, want, got;
		struct flow f = { .tcp_flags = NETPOL_TCP_SYN, .sport = (__u16)(1024 + i) };

		/* Half the packets aim at an entry's address (or just inside it), the rest anywhere in the space. */
		if (i % 2) {
			const struct ref_entry *en = &entries[rnd() % ENTRIES];

			memcpy(peer, en->addr, 16);
			if (!en->host)
				peer[15] ^= (__u8)(rnd() & 1);
		} else {
			random_addr(peer, (int)(rnd() % 2));
		}
		v4 = peer[10] == 0xff && peer[11] == 0xff && !peer[0];
		f.family = v4 ? 4 : 6;
		f.proto = protos[rnd() % 3];
		/* Ports at range edges are where off-by-one errors live. */
		f.dport = (__u16)(rnd() % 4 ? 1 + rnd() % 2060 : sets[1 + rnd() % (SETS - 2)].ranges[0].last + (rnd() % 3) - 1);
		if (v4)
			inet_ntop(AF_INET, peer + 12, peer_text, sizeof(peer_text));
		else
			inet_ntop(AF_INET6, peer, peer_text, sizeof(peer_text));
		strcpy(pod_text, v4 ? "10.255.0.1" : "fd01::1");
		f.src = dir == NETPOL_DIR_INGRESS ? peer_text : pod_text;
		f.dst = dir == NETPOL_DIR_INGRESS ? pod_text : peer_text;
		want = reference(peer, f.proto, f.dport);
		got = send_flow_checked(e, dir, e->if_a, &f);
		allowed += want;
		if ((got == TC_ACT_OK) != want) {
			if (!mismatches)
				fprintf(stderr, "random: %s %s port %u proto %u: kernel %s, reference %s\n",
					dir == NETPOL_DIR_INGRESS ? "from" : "to", peer_text, f.dport, f.proto,
					got == TC_ACT_OK ? "pass" : "drop", want ? "pass" : "drop");
			mismatches++;
		}
	}
	EXPECT(e, mismatches == 0);
	/* The draw must exercise both outcomes, or the comparison proves little. */
	EXPECT(e, allowed > PACKETS / 20 && allowed < PACKETS - PACKETS / 20);
}

static void check_random_ingress(struct env *e, struct pkt *p)
{
	(void)p;
	check_random_against_reference(e, NETPOL_DIR_INGRESS);
}

static void check_random_egress(struct env *e, struct pkt *p)
{
	(void)p;
	check_random_against_reference(e, NETPOL_DIR_EGRESS);
}

const struct test_case netpol_random_cases[] = {
	{ "random ingress entries and packets agree with the reference lookup", NULL, NULL, check_random_ingress },
	{ "random egress entries and packets agree with the reference lookup", NULL, NULL, check_random_egress },
};

const int netpol_random_case_count = sizeof(netpol_random_cases) / sizeof(netpol_random_cases[0]);
