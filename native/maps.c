/*
 * Map entries: single lookups, updates and deletes, batches (one syscall for thousands of entries, with a per-entry
 * fallback for map types without batch support), and a full dump. Keys and values are Buffers laid out by the
 * encoders in lib/dataplane; batches are the entries concatenated.
 */
#include "addon.h"

#include <bpf/bpf.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The kernel's ENOTSUPP (not in userspace errno.h): what a map type without batch operations answers. */
#define NP_ENOTSUPP 524

static void map_context(char *buf, size_t size, int fd)
{
	struct bpf_map_info info = { 0 };
	uint32_t length = sizeof(info);
	if (bpf_obj_get_info_by_fd(fd, &info, &length) == 0 && info.name[0])
		snprintf(buf, size, "map %s (fd %d)", info.name, fd);
	else
		snprintf(buf, size, "map fd %d", fd);
}

static void throw_map(napi_env env, int err, const char *op, int fd)
{
	char context[64];
	map_context(context, sizeof(context), fd);
	np_throw_bpf(env, err, op, context, NULL);
}

/* mapLookup(fd, key, valueSize): the value as a Buffer, or null when the key is absent. */
static napi_value map_lookup(napi_env env, napi_callback_info info)
{
	size_t argc = 3, key_length;
	napi_value argv[3], out;
	void *key, *value;
	int32_t fd;
	uint32_t value_size;

	NP_CALL(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
	if (argc < 3 || !np_get_i32(env, argv[0], "mapLookup", "fd", &fd) ||
	    !np_get_buffer(env, argv[1], "mapLookup", "key", &key, &key_length) ||
	    !np_get_u32(env, argv[2], "mapLookup", "valueSize", &value_size))
		return NULL;
	NP_CALL(env, napi_create_buffer(env, value_size, &value, &out));
	if (bpf_map_lookup_elem(fd, key, value)) {
		if (errno == ENOENT) {
			NP_CALL(env, napi_get_null(env, &out));
			return out;
		}
		throw_map(env, errno, "bpf_map_lookup_elem", fd);
		return NULL;
	}
	return out;
}

/* mapUpdate(fd, key, value, flags): flags are BPF_ANY, BPF_NOEXIST or BPF_EXIST. */
static napi_value map_update(napi_env env, napi_callback_info info)
{
	size_t argc = 4, key_length, value_length;
	napi_value argv[4];
	void *key, *value;
	int32_t fd;
	uint32_t flags;

	NP_CALL(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
	if (argc < 4 || !np_get_i32(env, argv[0], "mapUpdate", "fd", &fd) ||
	    !np_get_buffer(env, argv[1], "mapUpdate", "key", &key, &key_length) ||
	    !np_get_buffer(env, argv[2], "mapUpdate", "value", &value, &value_length) ||
	    !np_get_u32(env, argv[3], "mapUpdate", "flags", &flags))
		return NULL;
	if (bpf_map_update_elem(fd, key, value, flags)) {
		throw_map(env, errno, "bpf_map_update_elem", fd);
		return NULL;
	}
	return NULL;
}

/* mapDelete(fd, key): true when an entry was deleted, false when there was none. */
static napi_value map_delete(napi_env env, napi_callback_info info)
{
	size_t argc = 2, key_length;
	napi_value argv[2], out;
	void *key;
	int32_t fd;

	NP_CALL(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
	if (argc < 2 || !np_get_i32(env, argv[0], "mapDelete", "fd", &fd) ||
	    !np_get_buffer(env, argv[1], "mapDelete", "key", &key, &key_length))
		return NULL;
	if (bpf_map_delete_elem(fd, key)) {
		if (errno != ENOENT) {
			throw_map(env, errno, "bpf_map_delete_elem", fd);
			return NULL;
		}
		NP_CALL(env, napi_get_boolean(env, false, &out));
		return out;
	}
	NP_CALL(env, napi_get_boolean(env, true, &out));
	return out;
}

static bool batch_unsupported(int err)
{
	return err == EINVAL || err == NP_ENOTSUPP || err == EOPNOTSUPP;
}

/*
 * mapUpdateBatch(fd, keys, values, count, flags): writes `count` entries (keys and values concatenated) in one
 * BPF_MAP_UPDATE_BATCH; map types without batch support get one update per entry. Returns how many were written.
 */
static napi_value map_update_batch(napi_env env, napi_callback_info info)
{
	size_t argc = 5, keys_length, values_length;
	napi_value argv[5];
	char *keys, *values;
	int32_t fd;
	uint32_t count, flags, done;
	size_t key_size, value_size;

	NP_CALL(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
	if (argc < 5 || !np_get_i32(env, argv[0], "mapUpdateBatch", "fd", &fd) ||
	    !np_get_buffer(env, argv[1], "mapUpdateBatch", "keys", (void **)&keys, &keys_length) ||
	    !np_get_buffer(env, argv[2], "mapUpdateBatch", "values", (void **)&values, &values_length) ||
	    !np_get_u32(env, argv[3], "mapUpdateBatch", "count", &count) ||
	    !np_get_u32(env, argv[4], "mapUpdateBatch", "flags", &flags))
		return NULL;
	if (count == 0)
		return np_u32(env, 0);
	if (keys_length % count || values_length % count) {
		np_throw_type(env, "mapUpdateBatch", "keys and values must each hold count entries of equal size");
		return NULL;
	}
	key_size = keys_length / count;
	value_size = values_length / count;

	done = count;
	{
		LIBBPF_OPTS(bpf_map_batch_opts, opts, .elem_flags = flags);
		if (bpf_map_update_batch(fd, keys, values, &done, &opts) == 0)
			return np_u32(env, done);
	}
	if (!(done == 0 && batch_unsupported(errno))) {
		char context[96], map[64];
		map_context(map, sizeof(map), fd);
		snprintf(context, sizeof(context), "%s, entry %u of %u", map, done, count);
		np_throw_bpf(env, errno, "bpf_map_update_batch", context, NULL);
		return NULL;
	}
	/* No batch support (or a bad first entry: the single update below then reports it precisely). */
	for (done = 0; done < count; done++) {
		if (bpf_map_update_elem(fd, keys + done * key_size, values + done * value_size, flags)) {
			char context[96], map[64];
			map_context(map, sizeof(map), fd);
			snprintf(context, sizeof(context), "%s, entry %u of %u", map, done, count);
			np_throw_bpf(env, errno, "bpf_map_update_elem", context, NULL);
			return NULL;
		}
	}
	return np_u32(env, done);
}

/*
 * mapDeleteBatch(fd, keys, count, ignoreMissing): deletes `count` keys (concatenated). With ignoreMissing, keys
 * that are absent are skipped; otherwise an absent key is an ENOENT error. Returns how many entries were deleted.
 */
static napi_value map_delete_batch(napi_env env, napi_callback_info info)
{
	size_t argc = 4, keys_length, key_size;
	napi_value argv[4];
	char *keys;
	int32_t fd;
	uint32_t count, offset = 0, deleted = 0;
	bool ignore_missing, batch = true;

	NP_CALL(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
	if (argc < 4 || !np_get_i32(env, argv[0], "mapDeleteBatch", "fd", &fd) ||
	    !np_get_buffer(env, argv[1], "mapDeleteBatch", "keys", (void **)&keys, &keys_length) ||
	    !np_get_u32(env, argv[2], "mapDeleteBatch", "count", &count) ||
	    !np_get_bool(env, argv[3], "mapDeleteBatch", "ignoreMissing", &ignore_missing))
		return NULL;
	if (count == 0)
		return np_u32(env, 0);
	if (keys_length % count) {
		np_throw_type(env, "mapDeleteBatch", "keys must hold count keys of equal size");
		return NULL;
	}
	key_size = keys_length / count;

	while (offset < count) {
		uint32_t done = count - offset;
		int err = 0;
		if (batch) {
			LIBBPF_OPTS(bpf_map_batch_opts, opts);
			if (bpf_map_delete_batch(fd, keys + offset * key_size, &done, &opts) == 0) {
				deleted += done;
				break;
			}
			err = errno;
			if (done == 0 && batch_unsupported(err)) {
				batch = false;
				continue;
			}
			/* `done` entries went; the next one failed. */
			deleted += done;
			offset += done;
		} else {
			if (bpf_map_delete_elem(fd, keys + offset * key_size) == 0) {
				deleted++;
				offset++;
				continue;
			}
			err = errno;
		}
		if (err == ENOENT && ignore_missing) {
			offset++;
			continue;
		}
		{
			char context[96], map[64];
			map_context(map, sizeof(map), fd);
			snprintf(context, sizeof(context), "%s, key %u of %u", map, offset, count);
			np_throw_bpf(env, err, batch ? "bpf_map_delete_batch" : "bpf_map_delete_elem", context, NULL);
			return NULL;
		}
	}
	return np_u32(env, deleted);
}

struct growing {
	char *data;
	size_t length;
	size_t capacity;
};

static bool grow_append(struct growing *g, const void *bytes, size_t size)
{
	if (g->length + size > g->capacity) {
		size_t capacity = g->capacity ? g->capacity * 2 : 4096;
		char *data;
		while (capacity < g->length + size)
			capacity *= 2;
		data = realloc(g->data, capacity);
		if (!data)
			return false;
		g->data = data;
		g->capacity = capacity;
	}
	memcpy(g->data + g->length, bytes, size);
	g->length += size;
	return true;
}

/* Reads every entry with BPF_MAP_LOOKUP_BATCH; returns 0, or -errno (-EINVAL/-ENOTSUPP: the map has no batches). */
static int dump_batched(int fd, uint32_t key_size, uint32_t value_size, struct growing *keys, struct growing *values,
			uint32_t *count)
{
	/* Hash maps need a batch of at least one bucket's entries; 4096 entries per call keeps syscalls few. */
	const uint32_t chunk = 4096;
	char *key_buf = malloc((size_t)chunk * key_size), *value_buf = malloc((size_t)chunk * value_size);
	/* The opaque batch cursor: hash maps use a u32 bucket index, others a key; key_size + 8 fits both. */
	char in_batch[256], out_batch[256];
	bool first = true;
	int err = 0;

	if (!key_buf || !value_buf || key_size + 8 > sizeof(in_batch)) {
		err = key_buf && value_buf ? -EINVAL : -ENOMEM;
		goto out;
	}
	for (;;) {
		uint32_t n = chunk;
		LIBBPF_OPTS(bpf_map_batch_opts, opts);
		int rc = bpf_map_lookup_batch(fd, first ? NULL : in_batch, out_batch, key_buf, value_buf, &n, &opts);
		int saved = errno;
		if (rc && saved != ENOENT) {
			err = -saved;
			break;
		}
		if (!grow_append(keys, key_buf, (size_t)n * key_size) ||
		    !grow_append(values, value_buf, (size_t)n * value_size)) {
			err = -ENOMEM;
			break;
		}
		*count += n;
		/* ENOENT: the walk reached the end (the entries returned with it are valid). */
		if (rc)
			break;
		memcpy(in_batch, out_batch, sizeof(in_batch));
		first = false;
	}
out:
	free(key_buf);
	free(value_buf);
	return err;
}

/* Reads every entry with BPF_MAP_GET_NEXT_KEY and single lookups; entries deleted meanwhile are skipped. */
static int dump_walked(int fd, uint32_t key_size, uint32_t value_size, struct growing *keys, struct growing *values,
		       uint32_t *count)
{
	char *key = calloc(1, key_size ? key_size : 1), *next = calloc(1, key_size ? key_size : 1);
	char *value = calloc(1, value_size ? value_size : 1);
	bool first = true;
	int err = 0;

	if (!key || !next || !value) {
		err = -ENOMEM;
		goto out;
	}
	for (;;) {
		if (bpf_map_get_next_key(fd, first ? NULL : key, next)) {
			if (errno != ENOENT)
				err = -errno;
			break;
		}
		first = false;
		memcpy(key, next, key_size);
		if (bpf_map_lookup_elem(fd, key, value)) {
			if (errno == ENOENT)
				continue;
			err = -errno;
			break;
		}
		if (!grow_append(keys, key, key_size) || !grow_append(values, value, value_size)) {
			err = -ENOMEM;
			break;
		}
		(*count)++;
	}
out:
	free(key);
	free(next);
	free(value);
	return err;
}

/*
 * mapDump(fd, keySize, valueSize): every entry, by BPF_MAP_LOOKUP_BATCH where the map type has it, otherwise by
 * walking keys. Returns { keys, values, count } with keys and values concatenated.
 */
static napi_value map_dump(napi_env env, napi_callback_info info)
{
	size_t argc = 3;
	napi_value argv[3], result, keys_value, values_value;
	int32_t fd;
	uint32_t key_size, value_size, count = 0;
	struct growing keys = { 0 }, values = { 0 };
	void *copy;
	int err;

	NP_CALL(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
	if (argc < 3 || !np_get_i32(env, argv[0], "mapDump", "fd", &fd) ||
	    !np_get_u32(env, argv[1], "mapDump", "keySize", &key_size) ||
	    !np_get_u32(env, argv[2], "mapDump", "valueSize", &value_size))
		return NULL;
	err = dump_batched(fd, key_size, value_size, &keys, &values, &count);
	if (err && count == 0 && batch_unsupported(-err)) {
		keys.length = values.length = 0;
		err = dump_walked(fd, key_size, value_size, &keys, &values, &count);
	}
	if (err) {
		free(keys.data);
		free(values.data);
		throw_map(env, -err, "mapDump", fd);
		return NULL;
	}
	if (napi_create_buffer_copy(env, keys.length, keys.data ? keys.data : "", &copy, &keys_value) != napi_ok ||
	    napi_create_buffer_copy(env, values.length, values.data ? values.data : "", &copy, &values_value) !=
		    napi_ok) {
		free(keys.data);
		free(values.data);
		np_throw_pending(env, "napi_create_buffer_copy");
		return NULL;
	}
	free(keys.data);
	free(values.data);
	NP_CALL(env, napi_create_object(env, &result));
	if (!np_set(env, result, "keys", keys_value) || !np_set(env, result, "values", values_value) ||
	    !np_set(env, result, "count", np_u32(env, count)))
		return NULL;
	return result;
}

napi_value np_init_maps(napi_env env, napi_value exports)
{
	if (!np_export(env, exports, "mapLookup", map_lookup) || !np_export(env, exports, "mapUpdate", map_update) ||
	    !np_export(env, exports, "mapDelete", map_delete) ||
	    !np_export(env, exports, "mapUpdateBatch", map_update_batch) ||
	    !np_export(env, exports, "mapDeleteBatch", map_delete_batch) ||
	    !np_export(env, exports, "mapDump", map_dump))
		return NULL;
	return exports;
}
