/* SPDX-License-Identifier: Apache-2.0 */
/*
 * harness.h: the packet-test harness. A case has three parts, after cilium's PKTGEN/SETUP/CHECK idea:
 *   pktgen  builds the packet under test (optional: some cases build several packets in check),
 *   setup   writes the map entries the case needs (maps are emptied before every case),
 *   check   runs packets through BPF_PROG_TEST_RUN and asserts; it is REQUIRED, and a case whose check makes no
 *           assertion fails, so a case can never pass by saying nothing.
 */
#pragma once

#include <bpf/libbpf.h>
#include <linux/types.h>

#include "netpol.h"
#include "pktgen.h"

/* The loaded object and the two pod interfaces the cases use (dummy links in the runner's own netns). */
struct env {
	struct bpf_object *obj;
	int prog[2]; /* fds, indexed by enum netpol_direction */
	int pods, config, in_host, eg_host, in_cidr, eg_cidr, ports, ct, frag, events, stats, budget;
	int if_a, if_b; /* ifindexes of pod A and pod B */
	/* per-case bookkeeping */
	int checks;
	int failures;
	char first_failure[256];
};

struct test_case {
	const char *name;
	void (*pktgen)(struct pkt *p);
	void (*setup)(struct env *e);
	void (*check)(struct env *e, struct pkt *p);
};

/* Runs `p` through the program of direction `dir` as if it crossed interface `ifindex`; returns the tc action. */
int run_pkt(struct env *e, __u8 dir, int ifindex, const struct pkt *p);

/* Records one assertion. */
void expect_true(struct env *e, int ok, const char *file, int line, const char *what);
#define EXPECT(e, cond) expect_true((e), !!(cond), __FILE__, __LINE__, #cond)
#define EXPECT_ACTION(e, got, want) expect_true((e), (got) == (want), __FILE__, __LINE__, #got " == " #want)

/* Map helpers for setup. Addresses are textual; prefixes "10.0.0.0/8" or "fd00::/8". */
void set_pod(struct env *e, int ifindex, __u8 ingress, __u8 egress);
void set_config(struct env *e, __u32 flags, __u32 events_per_sec);
void set_port_set(struct env *e, __u32 id, __u8 flags, int nranges, const struct netpol_port_range *ranges);
void set_host(struct env *e, __u8 dir, int ifindex, const char *addr, __u32 port_set);
void set_cidr(struct env *e, __u8 dir, int ifindex, const char *prefix, __u32 port_set);

/* Reads the conntrack entry of a flow as pod `ifindex` sees it; returns 0 when found. */
int get_ct(struct env *e, int ifindex, __u8 proto, const char *pod_addr, __u16 pod_port, const char *peer_addr,
	   __u16 peer_port, struct netpol_ct_entry *out);
void put_ct(struct env *e, int ifindex, __u8 proto, const char *pod_addr, __u16 pod_port, const char *peer_addr,
	    __u16 peer_port, const struct netpol_ct_entry *entry);

/* Sums the per-CPU packet counter of a reason. */
__u64 stat_packets(struct env *e, __u8 reason);

/* Drains the event ring buffer into `out` (at most `max`); returns the count. */
int drain_events(struct env *e, struct netpol_event *out, int max);

/* Empties every map the programs use. */
void reset_maps(struct env *e);

/* Ranges shorthand. */
#define RANGE(proto_, first_, last_) { .first = (first_), .last = (last_), .proto = (proto_) }

extern const struct test_case netpol_cases[];
extern const int netpol_case_count;
extern const struct test_case netpol_random_cases[];
extern const int netpol_random_case_count;

/* Builds `f` and runs it; records a failed assertion when the flow does not build. */
int send_flow_checked(struct env *e, __u8 dir, int ifindex, const struct flow *f);

/* Benchmark entry point (bench.c). */
int run_bench(struct env *e, const char *baseline_path, int quick);
