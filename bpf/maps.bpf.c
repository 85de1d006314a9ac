/* SPDX-License-Identifier: Apache-2.0 */
/* maps.bpf.c: the one definition of every map both programs share (see netpol_maps.h). */
#define NETPOL_DEFINE_MAPS
#include "netpol_maps.h"

char LICENSE[] SEC("license") = "Apache-2.0";
