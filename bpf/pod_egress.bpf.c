/* SPDX-License-Identifier: Apache-2.0 */
/*
 * pod_egress.bpf.c: the pod's EGRESS policy (traffic leaving the pod).
 * Attach at tc INGRESS of the pod's host-side veth: packets the pod sends arrive there.
 */
#include "netpol_datapath.h"

SEC("tc")
int netpol_egress(struct __sk_buff *skb)
{
	return netpol_handle(skb, NETPOL_DIR_EGRESS);
}
