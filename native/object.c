/*
 * Objects and pins: load a compiled .bpf.o (maps created or reused from pins, programs verified), pin any map,
 * program or link fd in bpffs, open pins again, describe fds, and run a program on a packet (BPF_PROG_TEST_RUN).
 */
#include "addon.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The JS handle of a loaded object; `obj` is NULL once closed. */
struct np_object {
	struct bpf_object *obj;
};

static void object_finalize(napi_env env, void *data, void *hint)
{
	struct np_object *handle = data;
	(void)env;
	(void)hint;
	if (handle->obj)
		bpf_object__close(handle->obj);
	free(handle);
}

static bool object_from(napi_env env, napi_value value, const char *fn, struct np_object **out)
{
	napi_valuetype type;
	if (napi_typeof(env, value, &type) != napi_ok || type != napi_external ||
	    napi_get_value_external(env, value, (void **)out) != napi_ok) {
		np_throw_type(env, fn, "handle must be an object handle returned by loadObject");
		return false;
	}
	if (!(*out)->obj) {
		np_throw_type(env, fn, "the object was already closed");
		return false;
	}
	return true;
}

static napi_value describe_maps(napi_env env, struct bpf_object *obj)
{
	struct bpf_map *map;
	napi_value list;
	uint32_t index = 0;

	NP_CALL(env, napi_create_array(env, &list));
	bpf_object__for_each_map(map, obj) {
		napi_value item;
		NP_CALL(env, napi_create_object(env, &item));
		if (!np_set(env, item, "name", np_string(env, bpf_map__name(map))) ||
		    !np_set(env, item, "fd", np_i32(env, bpf_map__fd(map))) ||
		    !np_set(env, item, "type", np_u32(env, bpf_map__type(map))) ||
		    !np_set(env, item, "keySize", np_u32(env, bpf_map__key_size(map))) ||
		    !np_set(env, item, "valueSize", np_u32(env, bpf_map__value_size(map))) ||
		    !np_set(env, item, "maxEntries", np_u32(env, bpf_map__max_entries(map))))
			return NULL;
		NP_CALL(env, napi_set_element(env, list, index++, item));
	}
	return list;
}

static napi_value describe_programs(napi_env env, struct bpf_object *obj)
{
	struct bpf_program *prog;
	napi_value list;
	uint32_t index = 0;

	NP_CALL(env, napi_create_array(env, &list));
	bpf_object__for_each_program(prog, obj) {
		napi_value item;
		NP_CALL(env, napi_create_object(env, &item));
		if (!np_set(env, item, "name", np_string(env, bpf_program__name(prog))) ||
		    !np_set(env, item, "section", np_string(env, bpf_program__section_name(prog))) ||
		    !np_set(env, item, "fd", np_i32(env, bpf_program__fd(prog))) ||
		    !np_set(env, item, "type", np_u32(env, bpf_program__type(prog))))
			return NULL;
		NP_CALL(env, napi_set_element(env, list, index++, item));
	}
	return list;
}

/*
 * loadObject(path, mapPinDir): opens and loads an object file. With mapPinDir ("" for none) every map is pinned at
 * mapPinDir/<map name>, and a map already pinned there with a compatible definition is reused, so map contents
 * survive a reload. Returns { handle, maps: [...], programs: [...] }.
 */
static napi_value load_object(napi_env env, napi_callback_info info)
{
	size_t argc = 2;
	napi_value argv[2], result, handle_value, maps, programs;
	char path[PATH_MAX], pin_dir[PATH_MAX], context[PATH_MAX + 32];
	struct bpf_object *obj;
	struct bpf_map *map;
	struct np_object *handle;
	int err;

	NP_CALL(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
	if (argc < 2) {
		np_throw_type(env, "loadObject", "expected (path, mapPinDir)");
		return NULL;
	}
	if (!np_get_string(env, argv[0], "loadObject", "path", path, sizeof(path)) ||
	    !np_get_string(env, argv[1], "loadObject", "mapPinDir", pin_dir, sizeof(pin_dir)))
		return NULL;
	snprintf(context, sizeof(context), "object %s", path);

	np_log_start();
	obj = bpf_object__open_file(path, NULL);
	err = libbpf_get_error(obj);
	if (err) {
		np_log_stop();
		np_throw_bpf(env, err, "bpf_object__open_file", context, np_log_text());
		return NULL;
	}
	if (pin_dir[0]) {
		bpf_object__for_each_map(map, obj) {
			char pin[PATH_MAX];
			/* .rodata/.bss and friends are per object: pinning them would tie two loads together. */
			if (strchr(bpf_map__name(map), '.'))
				continue;
			if (snprintf(pin, sizeof(pin), "%s/%s", pin_dir, bpf_map__name(map)) >= (int)sizeof(pin)) {
				np_log_stop();
				bpf_object__close(obj);
				np_throw_bpf(env, ENAMETOOLONG, "bpf_map__set_pin_path", context, NULL);
				return NULL;
			}
			err = bpf_map__set_pin_path(map, pin);
			if (err) {
				np_log_stop();
				bpf_object__close(obj);
				np_throw_bpf(env, err, "bpf_map__set_pin_path", context, np_log_text());
				return NULL;
			}
		}
	}
	err = bpf_object__load(obj);
	np_log_stop();
	if (err) {
		bpf_object__close(obj);
		np_throw_bpf(env, err, "bpf_object__load", context, np_log_text());
		return NULL;
	}

	handle = calloc(1, sizeof(*handle));
	if (!handle) {
		bpf_object__close(obj);
		np_throw_bpf(env, ENOMEM, "loadObject", context, NULL);
		return NULL;
	}
	handle->obj = obj;
	if (napi_create_external(env, handle, object_finalize, NULL, &handle_value) != napi_ok) {
		bpf_object__close(obj);
		free(handle);
		np_throw_pending(env, "napi_create_external");
		return NULL;
	}
	maps = describe_maps(env, obj);
	programs = describe_programs(env, obj);
	if (!maps || !programs)
		return NULL;
	NP_CALL(env, napi_create_object(env, &result));
	if (!np_set(env, result, "handle", handle_value) || !np_set(env, result, "maps", maps) ||
	    !np_set(env, result, "programs", programs))
		return NULL;
	return result;
}

/* closeObject(handle): closes every fd of the object; pins keep their maps and programs alive. */
static napi_value close_object(napi_env env, napi_callback_info info)
{
	size_t argc = 1;
	napi_value argv[1];
	struct np_object *handle;

	NP_CALL(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
	if (argc < 1 || !object_from(env, argv[0], "closeObject", &handle))
		return NULL;
	bpf_object__close(handle->obj);
	handle->obj = NULL;
	return NULL;
}

/* pin(fd, path): pins a map, program or link in bpffs. */
static napi_value pin(napi_env env, napi_callback_info info)
{
	size_t argc = 2;
	napi_value argv[2];
	char path[PATH_MAX], context[PATH_MAX + 32];
	int32_t fd;

	NP_CALL(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
	if (argc < 2 || !np_get_i32(env, argv[0], "pin", "fd", &fd) ||
	    !np_get_string(env, argv[1], "pin", "path", path, sizeof(path)))
		return NULL;
	if (bpf_obj_pin(fd, path)) {
		snprintf(context, sizeof(context), "fd %d at %s", fd, path);
		np_throw_bpf(env, errno, "bpf_obj_pin", context, NULL);
		return NULL;
	}
	return NULL;
}

/* openPinned(path): a new fd for a pinned map, program or link; the caller closes it with closeFd. */
static napi_value open_pinned(napi_env env, napi_callback_info info)
{
	size_t argc = 1;
	napi_value argv[1];
	char path[PATH_MAX];
	int fd;

	NP_CALL(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
	if (argc < 1 || !np_get_string(env, argv[0], "openPinned", "path", path, sizeof(path)))
		return NULL;
	fd = bpf_obj_get(path);
	if (fd < 0) {
		np_throw_bpf(env, errno, "bpf_obj_get", path, NULL);
		return NULL;
	}
	return np_i32(env, fd);
}

/* closeFd(fd): closes an fd this binding handed out (openPinned, attachTcx, createMap). */
static napi_value close_fd(napi_env env, napi_callback_info info)
{
	size_t argc = 1;
	napi_value argv[1];
	int32_t fd;

	NP_CALL(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
	if (argc < 1 || !np_get_i32(env, argv[0], "closeFd", "fd", &fd))
		return NULL;
	if (close(fd)) {
		char context[32];
		snprintf(context, sizeof(context), "fd %d", fd);
		np_throw_bpf(env, errno, "close", context, NULL);
	}
	return NULL;
}

/* mapInfo(fd): { id, name, type, keySize, valueSize, maxEntries, flags } of a map fd. */
static napi_value map_info(napi_env env, napi_callback_info info)
{
	size_t argc = 1;
	napi_value argv[1], result;
	struct bpf_map_info map = { 0 };
	uint32_t length = sizeof(map);
	int32_t fd;

	NP_CALL(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
	if (argc < 1 || !np_get_i32(env, argv[0], "mapInfo", "fd", &fd))
		return NULL;
	if (bpf_obj_get_info_by_fd(fd, &map, &length)) {
		char context[32];
		snprintf(context, sizeof(context), "fd %d", fd);
		np_throw_bpf(env, errno, "bpf_obj_get_info_by_fd", context, NULL);
		return NULL;
	}
	NP_CALL(env, napi_create_object(env, &result));
	if (!np_set(env, result, "id", np_u32(env, map.id)) || !np_set(env, result, "name", np_string(env, map.name)) ||
	    !np_set(env, result, "type", np_u32(env, map.type)) ||
	    !np_set(env, result, "keySize", np_u32(env, map.key_size)) ||
	    !np_set(env, result, "valueSize", np_u32(env, map.value_size)) ||
	    !np_set(env, result, "maxEntries", np_u32(env, map.max_entries)) ||
	    !np_set(env, result, "flags", np_u32(env, map.map_flags)))
		return NULL;
	return result;
}

/*
 * createMap(type, keySize, valueSize, maxEntries, flags, name, innerMapFd): a map outside any object (inner maps
 * of a map-of-maps, scratch maps in tests). innerMapFd is -1 unless type is a map-of-maps.
 */
static napi_value create_map(napi_env env, napi_callback_info info)
{
	size_t argc = 7;
	napi_value argv[7];
	uint32_t type, key_size, value_size, max_entries, flags;
	int32_t inner_fd;
	char name[16], context[64];
	int fd;

	NP_CALL(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
	if (argc < 7) {
		np_throw_type(env, "createMap", "expected (type, keySize, valueSize, maxEntries, flags, name, innerMapFd)");
		return NULL;
	}
	if (!np_get_u32(env, argv[0], "createMap", "type", &type) ||
	    !np_get_u32(env, argv[1], "createMap", "keySize", &key_size) ||
	    !np_get_u32(env, argv[2], "createMap", "valueSize", &value_size) ||
	    !np_get_u32(env, argv[3], "createMap", "maxEntries", &max_entries) ||
	    !np_get_u32(env, argv[4], "createMap", "flags", &flags) ||
	    !np_get_string(env, argv[5], "createMap", "name (at most 15 bytes)", name, sizeof(name)) ||
	    !np_get_i32(env, argv[6], "createMap", "innerMapFd", &inner_fd))
		return NULL;
	{
		LIBBPF_OPTS(bpf_map_create_opts, opts, .map_flags = flags);
		if (inner_fd >= 0)
			opts.inner_map_fd = (uint32_t)inner_fd;
		fd = bpf_map_create(type, name[0] ? name : NULL, key_size, value_size, max_entries, &opts);
	}
	if (fd < 0) {
		snprintf(context, sizeof(context), "map %s (type %u)", name, type);
		np_throw_bpf(env, errno, "bpf_map_create", context, NULL);
		return NULL;
	}
	return np_i32(env, fd);
}

/*
 * testRun(progFd, packet, repeat): runs a program on a packet through BPF_PROG_TEST_RUN.
 * Returns { retval, durationNs (mean per run, as the kernel measures it), packet (the packet as the program left it) }.
 */
static napi_value test_run(napi_env env, napi_callback_info info)
{
	size_t argc = 3;
	napi_value argv[3], result, out_buffer;
	void *data, *out_data;
	size_t length;
	int32_t fd;
	uint32_t repeat;
	int err;

	NP_CALL(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
	if (argc < 3 || !np_get_i32(env, argv[0], "testRun", "progFd", &fd) ||
	    !np_get_buffer(env, argv[1], "testRun", "packet", &data, &length) ||
	    !np_get_u32(env, argv[2], "testRun", "repeat", &repeat))
		return NULL;
	/* Programs may grow the packet (encapsulation); leave room so the kernel never reports ENOSPC. */
	NP_CALL(env, napi_create_buffer(env, length + 256, &out_data, &out_buffer));
	{
		LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = data, .data_size_in = (uint32_t)length,
			    .data_out = out_data, .data_size_out = (uint32_t)length + 256, .repeat = repeat);
		err = bpf_prog_test_run_opts(fd, &opts);
		if (err) {
			char context[32];
			snprintf(context, sizeof(context), "program fd %d", fd);
			np_throw_bpf(env, errno, "bpf_prog_test_run_opts", context, NULL);
			return NULL;
		}
		NP_CALL(env, napi_create_object(env, &result));
		{
			napi_value slice, subarray_fn, args[2];
			/* A view of the bytes the kernel wrote, without a copy. */
			NP_CALL(env, napi_get_named_property(env, out_buffer, "subarray", &subarray_fn));
			args[0] = np_u32(env, 0);
			args[1] = np_u32(env, opts.data_size_out);
			NP_CALL(env, napi_call_function(env, out_buffer, subarray_fn, 2, args, &slice));
			if (!np_set(env, result, "retval", np_u32(env, opts.retval)) ||
			    !np_set(env, result, "durationNs", np_u32(env, opts.duration)) ||
			    !np_set(env, result, "packet", slice))
				return NULL;
		}
	}
	return result;
}

napi_value np_init_object(napi_env env, napi_value exports)
{
	if (!np_export(env, exports, "loadObject", load_object) || !np_export(env, exports, "closeObject", close_object) ||
	    !np_export(env, exports, "pin", pin) || !np_export(env, exports, "openPinned", open_pinned) ||
	    !np_export(env, exports, "closeFd", close_fd) || !np_export(env, exports, "mapInfo", map_info) ||
	    !np_export(env, exports, "createMap", create_map) || !np_export(env, exports, "testRun", test_run))
		return NULL;
	return exports;
}
