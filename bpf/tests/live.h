/* SPDX-License-Identifier: Apache-2.0 */
/*
 * live.h: cases with real packets from the kernel's TCP stack. The runner builds a "pod": a second network namespace
 * joined to its own by a veth pair, with the two programs attached to the host-side end exactly as the agent
 * attaches them (pod egress at tc ingress, pod ingress at tc egress), then connects sockets across it.
 * This proves the hook/direction mapping that BPF_PROG_TEST_RUN cannot (it picks the program itself).
 */
#pragma once

#include "harness.h"

/* Builds the pod namespace, veth pair and tc attachments once; returns 0, or -1 with a message on stderr. */
int live_setup(struct env *e);

/* Removes what live_setup() made outside the runner's own namespace (the pod namespace's holder process). */
void live_teardown(void);

extern const struct test_case netpol_live_cases[];
extern const int netpol_live_case_count;
