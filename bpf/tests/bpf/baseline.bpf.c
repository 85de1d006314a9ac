/* SPDX-License-Identifier: Apache-2.0 */
/* baseline.bpf.c: an empty tc program, the benchmark's floor (the cost of BPF_PROG_TEST_RUN itself). */
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>

SEC("tc")
int netpol_baseline(struct __sk_buff *skb)
{
	return TC_ACT_OK;
}

char LICENSE[] SEC("license") = "Apache-2.0";
