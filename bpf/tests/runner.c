/* SPDX-License-Identifier: Apache-2.0 */
/*
 * runner.c: loads netpol.bpf.o and runs the packet tests (or the benchmark) through BPF_PROG_TEST_RUN.
 *
 * It moves itself into a private network namespace and creates a veth pair there, so that the two pod interfaces
 * the cases need exist (BPF_PROG_TEST_RUN resolves ctx.ifindex) without touching the host; everything disappears
 * with the process. It pins itself to one CPU so per-CPU state (event budget, counters) is predictable.
 *
 * Output, one line per case, for test/bpf/packet.test.ts to parse:
 *   PASS <name>
 *   FAIL <name><TAB><first failed assertion> (<n> failed of <m>)      (names may contain colons, never tabs)
 *   SUMMARY cases=<N> passed=<P> failed=<F>
 * Exit status: 0 when every case passed, 1 when any failed, 2 when the environment is unusable.
 * `--selftest` runs three cases that must fail (no check, no assertion, a false assertion): the harness's own test.
 */
#define _GNU_SOURCE
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <net/if.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"
#include "live.h"

static int map_fd(struct env *e, const char *name)
{
	struct bpf_map *m = bpf_object__find_map_by_name(e->obj, name);

	if (!m) {
		fprintf(stderr, "netpol-test: map %s missing from the object\n", name);
		exit(2);
	}
	return bpf_map__fd(m);
}

static int prog_fd(struct env *e, const char *name)
{
	struct bpf_program *p = bpf_object__find_program_by_name(e->obj, name);

	if (!p) {
		fprintf(stderr, "netpol-test: program %s missing from the object\n", name);
		exit(2);
	}
	return bpf_program__fd(p);
}

static void private_netns(struct env *e)
{
	cpu_set_t cpus;

	CPU_ZERO(&cpus);
	CPU_SET(0, &cpus);
	sched_setaffinity(0, sizeof(cpus), &cpus);
	if (unshare(CLONE_NEWNET)) {
		fprintf(stderr, "netpol-test: unshare(CLONE_NEWNET): %s (needs root)\n", strerror(errno));
		exit(2);
	}
	if (system("ip link add pod-a type veth peer name pod-b")) {
		fprintf(stderr, "netpol-test: could not create the veth pair in the private namespace\n");
		exit(2);
	}
	e->if_a = (int)if_nametoindex("pod-a");
	e->if_b = (int)if_nametoindex("pod-b");
	if (!e->if_a || !e->if_b) {
		fprintf(stderr, "netpol-test: veth pair has no ifindex\n");
		exit(2);
	}
}

static void load(struct env *e, const char *path)
{
	int err;

	e->obj = bpf_object__open_file(path, NULL);
	if (!e->obj) {
		fprintf(stderr, "netpol-test: cannot open %s: %s\n", path, strerror(errno));
		exit(2);
	}
	err = bpf_object__load(e->obj);
	if (err) {
		fprintf(stderr, "netpol-test: cannot load %s: %s\n", path, strerror(-err));
		exit(2);
	}
	e->prog[NETPOL_DIR_INGRESS] = prog_fd(e, NETPOL_PROG_INGRESS);
	e->prog[NETPOL_DIR_EGRESS] = prog_fd(e, NETPOL_PROG_EGRESS);
	e->pods = map_fd(e, NETPOL_PODS_MAP);
	e->config = map_fd(e, NETPOL_CONFIG_MAP);
	e->in_host = map_fd(e, NETPOL_IN_HOSTS_MAP);
	e->eg_host = map_fd(e, NETPOL_EG_HOSTS_MAP);
	e->in_cidr = map_fd(e, NETPOL_IN_CIDRS_MAP);
	e->eg_cidr = map_fd(e, NETPOL_EG_CIDRS_MAP);
	e->ports = map_fd(e, NETPOL_PORTS_MAP);
	e->ct = map_fd(e, NETPOL_CT_MAP);
	e->frag = map_fd(e, NETPOL_FRAG_MAP);
	e->events = map_fd(e, NETPOL_EVENTS_MAP);
	e->stats = map_fd(e, NETPOL_STATS_MAP);
	e->budget = map_fd(e, NETPOL_BUDGET_MAP);
}

/* Runs one table of cases; returns the number of failures and adds to *passed. */
static int run_table(struct env *e, const struct test_case *cases, int count, const char *only, int *passed)
{
	int i, failed = 0;

	for (i = 0; i < count; i++) {
		const struct test_case *c = &cases[i];
		struct pkt p = { .len = 0 };

		if (only && !strstr(c->name, only))
			continue;
		reset_maps(e);
		e->checks = 0;
		e->failures = 0;
		e->first_failure[0] = 0;
		if (c->pktgen)
			c->pktgen(&p);
		if (c->setup)
			c->setup(e);
		if (!c->check) {
			printf("FAIL %s\tthe case has no check\n", c->name);
			failed++;
			continue;
		}
		c->check(e, &p);
		if (e->checks == 0) {
			printf("FAIL %s\tthe check made no assertion\n", c->name);
			failed++;
		} else if (e->failures) {
			printf("FAIL %s\t%s (%d failed of %d)\n", c->name,
			       e->first_failure[0] ? e->first_failure : "setup failed", e->failures, e->checks);
			failed++;
		} else {
			printf("PASS %s\n", c->name);
			(*passed)++;
		}
	}
	return failed;
}

/* Cases that must FAIL: they prove the harness rejects a case without a check or without an assertion. */
static void check_nothing(struct env *e, struct pkt *p)
{
	(void)e;
	(void)p;
}

static void check_wrong_verdict(struct env *e, struct pkt *p)
{
	(void)p;
	EXPECT(e, 1 == 2);
}

static const struct test_case selftest_cases[] = {
	{ "selftest: a case without a check", NULL, NULL, NULL },
	{ "selftest: a check that asserts nothing", NULL, NULL, check_nothing },
	{ "selftest: a check whose assertion fails", NULL, NULL, check_wrong_verdict },
};

static int run_selftest(struct env *e)
{
	int passed = 0, failed = run_table(e, selftest_cases, 3, NULL, &passed);

	printf("SUMMARY cases=%d passed=%d failed=%d\n", passed + failed, passed, failed);
	return failed ? 1 : 0;
}

static int run_cases(struct env *e, const char *only)
{
	int passed = 0, failed;

	failed = run_table(e, netpol_cases, netpol_case_count, only, &passed);
	failed += run_table(e, netpol_random_cases, netpol_random_case_count, only, &passed);
	failed += run_table(e, netpol_live_cases, netpol_live_case_count, only, &passed);
	live_teardown();
	printf("SUMMARY cases=%d passed=%d failed=%d\n", passed + failed, passed, failed);
	return failed || passed == 0 ? 1 : 0;
}

static void usage(void)
{
	fprintf(stderr, "usage: netpol-test --object netpol.bpf.o [--only SUBSTRING | --selftest]\n"
			"       netpol-test --object netpol.bpf.o --baseline baseline.bpf.o --bench [--quick]\n");
}

int main(int argc, char **argv)
{
	const char *object = NULL, *baseline = NULL, *only = NULL;
	int bench = 0, quick = 0, selftest = 0, i;
	struct env e = { 0 };

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--object") && i + 1 < argc)
			object = argv[++i];
		else if (!strcmp(argv[i], "--baseline") && i + 1 < argc)
			baseline = argv[++i];
		else if (!strcmp(argv[i], "--only") && i + 1 < argc)
			only = argv[++i];
		else if (!strcmp(argv[i], "--bench"))
			bench = 1;
		else if (!strcmp(argv[i], "--quick"))
			quick = 1;
		else if (!strcmp(argv[i], "--selftest"))
			selftest = 1;
		else {
			usage();
			return 2;
		}
	}
	if (!object || (bench && !baseline)) {
		usage();
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	private_netns(&e);
	load(&e, object);
	if (bench)
		return run_bench(&e, baseline, quick);
	if (selftest)
		return run_selftest(&e);
	return run_cases(&e, only);
}
