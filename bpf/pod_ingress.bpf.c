/* SPDX-License-Identifier: Apache-2.0 */
/*
 * pod_ingress.bpf.c: the pod's INGRESS policy (traffic entering the pod).
 * Attach at tc EGRESS of the pod's host-side veth: packets the host hands to the veth are on their way into the pod.
 */
#include "netpol_datapath.h"

SEC("tc")
int netpol_ingress(struct __sk_buff *skb)
{
	return netpol_handle(skb, NETPOL_DIR_INGRESS);
}
