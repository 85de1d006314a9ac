/*
 * Attaching tc programs to an interface. TCX links (kernel 6.6+) are the first choice: a link is owned by its fd or
 * pin and cannot be displaced by another tc user. Older kernels get a clsact qdisc and a tc filter (bpf_tc_attach).
 *
 * Debian 12's libbpf (1.1) predates bpf_program__attach_tcx and its UAPI headers predate the TCX attach types, so
 * the link is made with bpf_link_create and the attach type numbers from the kernel's UAPI.
 */
#include "addon.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>

/* enum bpf_attach_type in include/uapi/linux/bpf.h since Linux 6.6. */
#define NP_BPF_TCX_INGRESS 46
#define NP_BPF_TCX_EGRESS 47

static bool read_direction(napi_env env, napi_value value, const char *fn, bool *ingress)
{
	char text[16];
	if (!np_get_string(env, value, fn, "direction", text, sizeof(text)))
		return false;
	if (strcmp(text, "ingress") == 0 || strcmp(text, "egress") == 0) {
		*ingress = text[0] == 'i';
		return true;
	}
	np_throw_type(env, fn, "direction must be \"ingress\" or \"egress\"");
	return false;
}

static void attach_context(char *buf, size_t size, int prog_fd, uint32_t ifindex, bool ingress)
{
	char name[IF_NAMESIZE] = "";
	if (!if_indextoname(ifindex, name))
		snprintf(name, sizeof(name), "?");
	snprintf(buf, size, "program fd %d on interface %s (ifindex %u) %s", prog_fd, name, ifindex,
		 ingress ? "ingress" : "egress");
}

/* ifIndex(name): the interface's index in this process's network namespace. */
static napi_value if_index(napi_env env, napi_callback_info info)
{
	size_t argc = 1;
	napi_value argv[1];
	char name[IF_NAMESIZE + 1];
	unsigned int index;

	NP_CALL(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
	if (argc < 1 || !np_get_string(env, argv[0], "ifIndex", "interface name", name, sizeof(name)))
		return NULL;
	index = if_nametoindex(name);
	if (!index) {
		char context[64];
		snprintf(context, sizeof(context), "interface %s", name);
		np_throw_bpf(env, errno, "if_nametoindex", context, NULL);
		return NULL;
	}
	return np_u32(env, index);
}

/*
 * attachTcx(progFd, ifindex, direction): a TCX link appended after the interface's other TCX programs.
 * Returns the link fd; the program stays attached while the fd (or a pin of it) lives.
 */
static napi_value attach_tcx(napi_env env, napi_callback_info info)
{
	size_t argc = 3;
	napi_value argv[3];
	int32_t prog_fd;
	uint32_t ifindex;
	bool ingress;
	int fd;

	NP_CALL(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
	if (argc < 3 || !np_get_i32(env, argv[0], "attachTcx", "progFd", &prog_fd) ||
	    !np_get_u32(env, argv[1], "attachTcx", "ifindex", &ifindex) ||
	    !read_direction(env, argv[2], "attachTcx", &ingress))
		return NULL;
	fd = bpf_link_create(prog_fd, (int)ifindex, ingress ? NP_BPF_TCX_INGRESS : NP_BPF_TCX_EGRESS, NULL);
	if (fd < 0) {
		char context[160];
		int err = errno;
		attach_context(context, sizeof(context), prog_fd, ifindex, ingress);
		np_throw_bpf(env, err, "bpf_link_create(tcx)", context, NULL);
		return NULL;
	}
	return np_i32(env, fd);
}

/* detachLink(linkFd): detaches a link's program now, whoever else holds the link (pins are left in place). */
static napi_value detach_link(napi_env env, napi_callback_info info)
{
	size_t argc = 1;
	napi_value argv[1];
	int32_t fd;

	NP_CALL(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
	if (argc < 1 || !np_get_i32(env, argv[0], "detachLink", "linkFd", &fd))
		return NULL;
	if (bpf_link_detach(fd)) {
		char context[32];
		snprintf(context, sizeof(context), "link fd %d", fd);
		np_throw_bpf(env, errno, "bpf_link_detach", context, NULL);
		return NULL;
	}
	return NULL;
}

/*
 * attachTc(progFd, ifindex, direction, priority, handle): the pre-TCX path. Creates the clsact qdisc when missing and
 * adds (or replaces) a direct-action filter. Returns { priority, handle } as the kernel assigned them.
 */
static napi_value attach_tc(napi_env env, napi_callback_info info)
{
	size_t argc = 5;
	napi_value argv[5], result;
	int32_t prog_fd;
	uint32_t ifindex, priority, handle;
	bool ingress;
	char context[160];
	int err;

	NP_CALL(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
	if (argc < 5 || !np_get_i32(env, argv[0], "attachTc", "progFd", &prog_fd) ||
	    !np_get_u32(env, argv[1], "attachTc", "ifindex", &ifindex) ||
	    !read_direction(env, argv[2], "attachTc", &ingress) ||
	    !np_get_u32(env, argv[3], "attachTc", "priority", &priority) ||
	    !np_get_u32(env, argv[4], "attachTc", "handle", &handle))
		return NULL;
	attach_context(context, sizeof(context), prog_fd, ifindex, ingress);
	{
		LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = (int)ifindex,
			    .attach_point = ingress ? BPF_TC_INGRESS : BPF_TC_EGRESS);
		LIBBPF_OPTS(bpf_tc_opts, opts, .prog_fd = prog_fd, .priority = priority, .handle = handle,
			    .flags = BPF_TC_F_REPLACE);
		np_log_start();
		err = bpf_tc_hook_create(&hook);
		if (err && err != -EEXIST) {
			np_log_stop();
			np_throw_bpf(env, err, "bpf_tc_hook_create", context, np_log_text());
			return NULL;
		}
		err = bpf_tc_attach(&hook, &opts);
		np_log_stop();
		if (err) {
			np_throw_bpf(env, err, "bpf_tc_attach", context, np_log_text());
			return NULL;
		}
		NP_CALL(env, napi_create_object(env, &result));
		if (!np_set(env, result, "priority", np_u32(env, opts.priority)) ||
		    !np_set(env, result, "handle", np_u32(env, opts.handle)))
			return NULL;
	}
	return result;
}

/* detachTc(ifindex, direction, priority, handle): removes one tc filter added by attachTc. */
static napi_value detach_tc(napi_env env, napi_callback_info info)
{
	size_t argc = 4;
	napi_value argv[4];
	uint32_t ifindex, priority, handle;
	bool ingress;
	char context[160];
	int err;

	NP_CALL(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
	if (argc < 4 || !np_get_u32(env, argv[0], "detachTc", "ifindex", &ifindex) ||
	    !read_direction(env, argv[1], "detachTc", &ingress) ||
	    !np_get_u32(env, argv[2], "detachTc", "priority", &priority) ||
	    !np_get_u32(env, argv[3], "detachTc", "handle", &handle))
		return NULL;
	attach_context(context, sizeof(context), -1, ifindex, ingress);
	{
		LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = (int)ifindex,
			    .attach_point = ingress ? BPF_TC_INGRESS : BPF_TC_EGRESS);
		LIBBPF_OPTS(bpf_tc_opts, opts, .priority = priority, .handle = handle);
		np_log_start();
		err = bpf_tc_detach(&hook, &opts);
		np_log_stop();
		if (err) {
			np_throw_bpf(env, err, "bpf_tc_detach", context, np_log_text());
			return NULL;
		}
	}
	return NULL;
}

/* removeClsact(ifindex): deletes the interface's clsact qdisc and every tc filter on it (absent is fine). */
static napi_value remove_clsact(napi_env env, napi_callback_info info)
{
	size_t argc = 1;
	napi_value argv[1];
	uint32_t ifindex;
	int err;

	NP_CALL(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
	if (argc < 1 || !np_get_u32(env, argv[0], "removeClsact", "ifindex", &ifindex))
		return NULL;
	{
		LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = (int)ifindex, .attach_point = BPF_TC_INGRESS | BPF_TC_EGRESS);
		np_log_start();
		err = bpf_tc_hook_destroy(&hook);
		np_log_stop();
		if (err && err != -ENOENT && err != -EINVAL) {
			char context[160];
			attach_context(context, sizeof(context), -1, ifindex, true);
			np_throw_bpf(env, err, "bpf_tc_hook_destroy", context, np_log_text());
			return NULL;
		}
	}
	return NULL;
}

napi_value np_init_attach(napi_env env, napi_value exports)
{
	if (!np_export(env, exports, "ifIndex", if_index) || !np_export(env, exports, "attachTcx", attach_tcx) ||
	    !np_export(env, exports, "detachLink", detach_link) || !np_export(env, exports, "attachTc", attach_tc) ||
	    !np_export(env, exports, "detachTc", detach_tc) || !np_export(env, exports, "removeClsact", remove_clsact))
		return NULL;
	return exports;
}
