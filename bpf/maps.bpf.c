/* SPDX-License-Identifier: Apache-2.0 */
/* maps.bpf.c: the one definition of every map both programs share (see netpol_maps.h). */
#define NETPOL_DEFINE_MAPS
#include "netpol_maps.h"

char LICENSE[] SEC("license") = "Apache-2.0";

/*
 * Puts struct netpol_event in the object's BTF, where user space checks its decoder against the layout: the event
 * type is otherwise only a local variable's, which clang leaves out of BTF. No program calls this.
 */
__attribute__((noinline, used)) int netpol_event_layout(struct netpol_event *ev)
{
	return ev ? 0 : 1;
}
