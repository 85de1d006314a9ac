/* SPDX-License-Identifier: Apache-2.0 */
/*
 * bench.c: per-packet cost through BPF_PROG_TEST_RUN. The kernel runs the program `repeat` times on one frame and
 * reports the mean time per run; that figure includes the harness (skb setup per run is amortised, the run loop and
 * context switch are not), which is why an empty program is measured beside it as the floor.
 *
 * For 1, 1,000 and 100,000 prefixes in pod A's ingress map, stored either as host entries (/32, the hash map) or as
 * CIDRs (the LPM trie), it times a TCP SYN that is
 *   denied   the source matches no entry (hash miss, then trie miss; for CIDRs an address among them, so the
 *            walk goes deep),
 *   allowed  the source matches an entry whose port set admits port 443; the repeated frame refreshes its
 *            conntrack entry in place (a retransmitted SYN),
 *   new-flow the same with a new source port every run (one run per frame), so every run inserts a conntrack
 *            entry: the cost of a new connection,
 *   ct-hit   the ACK of that allowed flow (found in conntrack; the policy maps are not read).
 * Each figure is the median of `rounds` measurements. Output lines, for bench/dataplane/packet-bench.ts to parse:
 *   BENCH program=<baseline|netpol> case=<name> map=<none|hosts|cidrs> prefixes=<N> median_ns=<x> min_ns=<y>
 *         max_ns=<z> rounds=<k> repeat=<r>
 */
#include <arpa/inet.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

#define PORT_SET 1
#define PEER_ALLOWED "10.0.0.1" /* always entry 0 of the generated prefixes */
#define PEER_DENIED "192.0.2.1" /* TEST-NET-1: never generated (host maps: a hash miss, then an empty trie) */
/* Inside the CIDRs' range but in none of them: the trie walk goes deep before it fails. */
#define PEER_DENIED_DEEP "10.0.1.250"
#define POD "10.255.255.1"

struct measure {
	double median, min, max;
};

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* Runs `p` `repeat` times per round on prog `fd` as interface `ifindex`; returns the median ns per run. */
static int time_prog(int fd, int ifindex, const struct pkt *p, int rounds, int repeat, int want, struct measure *m)
{
	double samples[64];
	int i;

	for (i = 0; i < rounds && i < 64; i++) {
		struct __sk_buff ctx = { .ifindex = (__u32)ifindex };
		LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = p->buf, .data_size_in = p->len, .ctx_in = &ctx,
			    .ctx_size_in = sizeof(ctx), .repeat = repeat);

		if (bpf_prog_test_run_opts(fd, &opts)) {
			fprintf(stderr, "netpol-bench: test run failed: %s\n", strerror(errno));
			return -1;
		}
		if (want >= 0 && (int)opts.retval != want) {
			fprintf(stderr, "netpol-bench: verdict %u, expected %d: the benchmark is not measuring its case\n",
				opts.retval, want);
			return -1;
		}
		samples[i] = opts.duration;
	}
	qsort(samples, (size_t)i, sizeof(double), cmp_double);
	m->median = i % 2 ? samples[i / 2] : (samples[i / 2 - 1] + samples[i / 2]) / 2;
	m->min = samples[0];
	m->max = samples[i - 1];
	return 0;
}

/*
 * Times SYNs of `count` distinct new flows (source port varies), one run each: every run inserts a conntrack entry,
 * which a repeated frame cannot show. The kernel times each single run itself, so the figure stays per packet.
 */
static int time_new_flows(int fd, int ifindex, struct flow f, int count, int want, struct measure *m)
{
	static double samples[4096];
	struct pkt p;
	int i;

	if (count > 4096)
		count = 4096;
	for (i = 0; i < count; i++) {
		struct __sk_buff ctx = { .ifindex = (__u32)ifindex };
		LIBBPF_OPTS(bpf_test_run_opts, opts, .ctx_in = &ctx, .ctx_size_in = sizeof(ctx), .repeat = 1);

		f.sport = (__u16)(10000 + i);
		if (pkt_build(&p, &f))
			return -1;
		opts.data_in = p.buf;
		opts.data_size_in = p.len;
		if (bpf_prog_test_run_opts(fd, &opts) || (int)opts.retval != want) {
			fprintf(stderr, "netpol-bench: new-flow run failed or was not allowed\n");
			return -1;
		}
		samples[i] = opts.duration;
	}
	qsort(samples, (size_t)count, sizeof(double), cmp_double);
	m->median = samples[count / 2];
	m->min = samples[0];
	m->max = samples[count - 1];
	return 0;
}

/* The k-th generated peer: hosts are distinct /32s in 10.0.0.0/8; CIDRs are distinct /24 and /28 prefixes. */
static void nth_host(__u32 k, char *out, size_t n)
{
	__u32 a = 0x0a000001 + k;

	snprintf(out, n, "%u.%u.%u.%u", a >> 24, (a >> 16) & 255, (a >> 8) & 255, a & 255);
}

static void nth_cidr(__u32 k, char *out, size_t n)
{
	/* Alternate /24s (10.0.0.0/24, 10.0.2.0/24, ...) with /28s inside the skipped /24s, so lookups walk a trie
	 * with real depth; entry 0 (10.0.0.0/24) covers PEER_ALLOWED. */
	__u32 base = 0x0a000000 + (k / 2) * 0x200;

	if (k % 2 == 0)
		snprintf(out, n, "%u.%u.%u.0/24", base >> 24, (base >> 16) & 255, (base >> 8) & 255);
	else
		snprintf(out, n, "%u.%u.%u.%u/28", base >> 24, (base >> 16) & 255, ((base >> 8) & 255) + 1,
			 (k * 16) & 0xf0);
}

static int fill(struct env *e, const char *kind, __u32 count)
{
	char text[64];
	__u32 k;
	int before = e->failures;

	for (k = 0; k < count; k++) {
		if (!strcmp(kind, "hosts")) {
			nth_host(k, text, sizeof(text));
			set_host(e, NETPOL_DIR_INGRESS, e->if_a, text, PORT_SET);
		} else {
			nth_cidr(k, text, sizeof(text));
			set_cidr(e, NETPOL_DIR_INGRESS, e->if_a, text, PORT_SET);
		}
		if (e->failures != before)
			return -1;
	}
	return 0;
}

static void report(const char *program, const char *name, const char *map, __u32 prefixes, const struct measure *m,
		   int rounds, int repeat)
{
	printf("BENCH program=%s case=%s map=%s prefixes=%u median_ns=%.1f min_ns=%.1f max_ns=%.1f rounds=%d repeat=%d\n",
	       program, name, map, prefixes, m->median, m->min, m->max, rounds, repeat);
}

int run_bench(struct env *e, const char *baseline_path, int quick)
{
	const struct netpol_port_range web[] = { RANGE(NETPOL_PROTO_TCP, 80, 80), RANGE(NETPOL_PROTO_TCP, 443, 443),
						 RANGE(NETPOL_PROTO_TCP, 8000, 8080) };
	const __u32 sizes[] = { 1, 1000, 100000 };
	const char *maps[] = { "hosts", "cidrs" };
	int rounds = quick ? 5 : 15, repeat = quick ? 20000 : 200000;
	struct flow syn_denied = { .family = 4, .src = PEER_DENIED, .dst = POD, .proto = NETPOL_PROTO_TCP,
				   .sport = 40000, .dport = 443, .tcp_flags = NETPOL_TCP_SYN };
	struct flow syn_allowed = syn_denied, ack = syn_denied;
	struct bpf_object *base;
	struct flow syn_denied_deep;
	struct pkt p_denied, p_denied_deep, p_allowed, p_ack;
	struct measure m;
	unsigned s, k;
	int base_fd;

	syn_allowed.src = PEER_ALLOWED;
	ack.src = PEER_ALLOWED;
	ack.tcp_flags = NETPOL_TCP_ACK;
	syn_denied_deep = syn_denied;
	syn_denied_deep.src = PEER_DENIED_DEEP;
	if (pkt_build(&p_denied, &syn_denied) || pkt_build(&p_denied_deep, &syn_denied_deep) ||
	    pkt_build(&p_allowed, &syn_allowed) || pkt_build(&p_ack, &ack))
		return 2;

	base = bpf_object__open_file(baseline_path, NULL);
	if (!base || bpf_object__load(base)) {
		fprintf(stderr, "netpol-bench: cannot load %s\n", baseline_path);
		return 2;
	}
	base_fd = bpf_program__fd(bpf_object__find_program_by_name(base, "netpol_baseline"));
	if (time_prog(base_fd, e->if_a, &p_allowed, rounds, repeat, -1, &m))
		return 1;
	report("baseline", "empty", "none", 0, &m, rounds, repeat);
	/* Single runs pay a cold start the repeated loop hides: the same loop on the empty program is their floor. */
	if (time_new_flows(base_fd, e->if_a, syn_allowed, quick ? 500 : 4000, TC_ACT_OK, &m))
		return 1;
	report("baseline", "empty-single-run", "none", 0, &m, quick ? 500 : 4000, 1);

	for (k = 0; k < 2; k++) {
		for (s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
			reset_maps(e);
			set_pod(e, e->if_a, NETPOL_STATE_ISOLATED, NETPOL_STATE_ISOLATED);
			set_port_set(e, PORT_SET, 0, 3, web);
			if (fill(e, maps[k], sizes[s])) {
				fprintf(stderr, "netpol-bench: could not load %u %s (max_entries?)\n", sizes[s], maps[k]);
				return 1;
			}
			if (time_prog(e->prog[NETPOL_DIR_INGRESS], e->if_a, k == 0 ? &p_denied : &p_denied_deep, rounds,
				      repeat, TC_ACT_SHOT, &m))
				return 1;
			report("netpol", "syn-denied", maps[k], sizes[s], &m, rounds, repeat);
			if (time_prog(e->prog[NETPOL_DIR_INGRESS], e->if_a, &p_allowed, rounds, repeat, TC_ACT_OK, &m))
				return 1;
			report("netpol", "syn-allowed", maps[k], sizes[s], &m, rounds, repeat);
			if (time_new_flows(e->prog[NETPOL_DIR_INGRESS], e->if_a, syn_allowed, quick ? 500 : 4000, TC_ACT_OK,
					   &m))
				return 1;
			report("netpol", "syn-new-flow", maps[k], sizes[s], &m, quick ? 500 : 4000, 1);
			if (time_prog(e->prog[NETPOL_DIR_INGRESS], e->if_a, &p_ack, rounds, repeat, TC_ACT_OK, &m))
				return 1;
			report("netpol", "ct-hit", maps[k], sizes[s], &m, rounds, repeat);
		}
	}
	bpf_object__close(base);
	return 0;
}
