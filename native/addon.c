/* The eks-netpol native binding's entry point: installs libbpf's log capture and registers every function. */
#include "addon.h"

#include <bpf/libbpf.h>

static napi_value init(napi_env env, napi_value exports)
{
	np_log_install();
	/* Kernel 5.11+ accounts BPF memory to the cgroup: no RLIMIT_MEMLOCK juggling. */
	libbpf_set_strict_mode(LIBBPF_STRICT_ALL);
	if (!np_init_errors(env, exports) || !np_init_object(env, exports) || !np_init_maps(env, exports) ||
	    !np_init_attach(env, exports) || !np_init_ringbuf(env, exports))
		return NULL;
	return exports;
}

NAPI_MODULE_INIT()
{
	return init(env, exports);
}
