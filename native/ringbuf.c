/*
 * Reading a BPF ring buffer. ring_buffer__epoll_fd() becomes readable when the kernel submits records; a libuv poll
 * on it (Node's own event loop, no extra thread) drains the buffer and hands the records to a JS callback as one
 * array of Buffers. ringBufferPoll reads synchronously instead (tests, one-shot tools).
 */
#include "addon.h"

#include <bpf/libbpf.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <uv.h>

struct np_ringbuf {
	struct ring_buffer *rb;
	napi_env env;
	/* The JS callback (records) => void, or NULL for a reader that is only polled. */
	napi_ref callback;
	napi_async_context async;
	uv_poll_t *poll;
	/* Records of the drain in progress, collected by on_sample. */
	napi_value batch;
	uint32_t batch_length;
	int map_fd;
	bool failed;
};

static int on_sample(void *ctx, void *data, size_t size)
{
	struct np_ringbuf *reader = ctx;
	napi_value record;
	void *copy;
	if (napi_create_buffer_copy(reader->env, size, data, &copy, &record) != napi_ok ||
	    napi_set_element(reader->env, reader->batch, reader->batch_length++, record) != napi_ok) {
		reader->failed = true;
		/* A negative return stops the drain; the records stay in the ring for the next one. */
		return -1;
	}
	return 0;
}

static void poll_closed(uv_handle_t *handle)
{
	free(handle);
}

static void reader_release(napi_env env, struct np_ringbuf *reader)
{
	if (reader->poll) {
		uv_poll_stop(reader->poll);
		uv_close((uv_handle_t *)reader->poll, poll_closed);
		reader->poll = NULL;
	}
	if (reader->callback) {
		napi_delete_reference(env, reader->callback);
		reader->callback = NULL;
	}
	if (reader->async) {
		napi_async_destroy(env, reader->async);
		reader->async = NULL;
	}
	if (reader->rb) {
		ring_buffer__free(reader->rb);
		reader->rb = NULL;
	}
}

static void reader_finalize(napi_env env, void *data, void *hint)
{
	struct np_ringbuf *reader = data;
	(void)hint;
	reader_release(env, reader);
	free(reader);
}

/* Drains the ring into reader->batch; returns the count or -errno. */
static int drain(struct np_ringbuf *reader, int timeout_ms)
{
	int n;
	reader->batch_length = 0;
	reader->failed = false;
	if (napi_create_array(reader->env, &reader->batch) != napi_ok)
		return -ENOMEM;
	n = timeout_ms < 0 ? ring_buffer__consume(reader->rb) : ring_buffer__poll(reader->rb, timeout_ms);
	if (reader->failed)
		return -ENOMEM;
	return n;
}

static void on_readable(uv_poll_t *poll, int status, int events)
{
	struct np_ringbuf *reader = poll->data;
	napi_handle_scope scope;
	napi_value callback, resource, result;
	int n;
	(void)events;

	if (!reader->rb || !reader->callback)
		return;
	if (napi_open_handle_scope(reader->env, &scope) != napi_ok)
		return;
	n = status < 0 ? 0 : drain(reader, -1);
	if (n > 0 && napi_get_reference_value(reader->env, reader->callback, &callback) == napi_ok &&
	    napi_create_object(reader->env, &resource) == napi_ok) {
		/* make_callback runs microtasks and reports a throwing callback as an uncaught exception. */
		napi_make_callback(reader->env, reader->async, resource, callback, 1, &reader->batch, &result);
	}
	napi_close_handle_scope(reader->env, scope);
}

static bool reader_from(napi_env env, napi_value value, const char *fn, struct np_ringbuf **out)
{
	napi_valuetype type;
	if (napi_typeof(env, value, &type) != napi_ok || type != napi_external ||
	    napi_get_value_external(env, value, (void **)out) != napi_ok) {
		np_throw_type(env, fn, "reader must be a handle returned by ringBufferOpen");
		return false;
	}
	if (!(*out)->rb) {
		np_throw_type(env, fn, "the ring buffer reader was already closed");
		return false;
	}
	return true;
}

/*
 * ringBufferOpen(mapFd, callback): a reader of a BPF_MAP_TYPE_RINGBUF map. With a callback (records: Buffer[]) =>
 * void, records are delivered from Node's event loop as they arrive (the reader keeps the process alive until
 * closed); with null, records are only read by ringBufferPoll.
 */
static napi_value ringbuf_open(napi_env env, napi_callback_info info)
{
	size_t argc = 2;
	napi_value argv[2], handle, name;
	napi_valuetype type;
	struct np_ringbuf *reader;
	int32_t map_fd;
	char context[48];

	NP_CALL(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
	if (argc < 2 || !np_get_i32(env, argv[0], "ringBufferOpen", "mapFd", &map_fd))
		return NULL;
	NP_CALL(env, napi_typeof(env, argv[1], &type));
	if (type != napi_function && type != napi_null) {
		np_throw_type(env, "ringBufferOpen", "callback must be a function or null");
		return NULL;
	}
	reader = calloc(1, sizeof(*reader));
	if (!reader) {
		np_throw_bpf(env, ENOMEM, "ringBufferOpen", "reader", NULL);
		return NULL;
	}
	reader->env = env;
	reader->map_fd = map_fd;
	np_log_start();
	reader->rb = ring_buffer__new(map_fd, on_sample, reader, NULL);
	np_log_stop();
	if (!reader->rb) {
		int err = errno;
		free(reader);
		snprintf(context, sizeof(context), "ring buffer map fd %d", map_fd);
		np_throw_bpf(env, err, "ring_buffer__new", context, np_log_text());
		return NULL;
	}
	if (napi_create_external(env, reader, reader_finalize, NULL, &handle) != napi_ok) {
		ring_buffer__free(reader->rb);
		free(reader);
		np_throw_pending(env, "napi_create_external");
		return NULL;
	}
	if (type == napi_function) {
		uv_loop_t *loop;
		int err;
		NP_CALL(env, napi_create_reference(env, argv[1], 1, &reader->callback));
		NP_CALL(env, napi_create_string_utf8(env, "eks-netpol:ringbuf", NAPI_AUTO_LENGTH, &name));
		NP_CALL(env, napi_async_init(env, NULL, name, &reader->async));
		NP_CALL(env, napi_get_uv_event_loop(env, &loop));
		reader->poll = calloc(1, sizeof(*reader->poll));
		if (!reader->poll) {
			reader_release(env, reader);
			np_throw_bpf(env, ENOMEM, "ringBufferOpen", "poll handle", NULL);
			return NULL;
		}
		err = uv_poll_init(loop, reader->poll, ring_buffer__epoll_fd(reader->rb));
		if (!err) {
			reader->poll->data = reader;
			err = uv_poll_start(reader->poll, UV_READABLE, on_readable);
		}
		if (err) {
			free(reader->poll);
			reader->poll = NULL;
			reader_release(env, reader);
			snprintf(context, sizeof(context), "ring buffer map fd %d", map_fd);
			np_throw_bpf(env, -err, "uv_poll_start", context, NULL);
			return NULL;
		}
	}
	return handle;
}

/*
 * ringBufferPoll(reader, timeoutMs): waits up to timeoutMs (0: no wait) for records and returns them as Buffers.
 * Blocks the event loop while it waits: keep timeouts short, or use a callback reader.
 */
static napi_value ringbuf_poll(napi_env env, napi_callback_info info)
{
	size_t argc = 2;
	napi_value argv[2];
	struct np_ringbuf *reader;
	int32_t timeout;
	int n;

	NP_CALL(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
	if (argc < 2 || !reader_from(env, argv[0], "ringBufferPoll", &reader) ||
	    !np_get_i32(env, argv[1], "ringBufferPoll", "timeoutMs", &timeout))
		return NULL;
	n = drain(reader, timeout < 0 ? 0 : timeout);
	if (n < 0 && n != -EINTR) {
		char context[48];
		snprintf(context, sizeof(context), "ring buffer map fd %d", reader->map_fd);
		np_throw_bpf(env, -n, "ring_buffer__poll", context, NULL);
		return NULL;
	}
	return reader->batch;
}

/* ringBufferClose(reader): stops delivery and frees the reader. */
static napi_value ringbuf_close(napi_env env, napi_callback_info info)
{
	size_t argc = 1;
	napi_value argv[1];
	struct np_ringbuf *reader;

	NP_CALL(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
	if (argc < 1 || !reader_from(env, argv[0], "ringBufferClose", &reader))
		return NULL;
	reader_release(env, reader);
	return NULL;
}

napi_value np_init_ringbuf(napi_env env, napi_value exports)
{
	if (!np_export(env, exports, "ringBufferOpen", ringbuf_open) ||
	    !np_export(env, exports, "ringBufferPoll", ringbuf_poll) ||
	    !np_export(env, exports, "ringBufferClose", ringbuf_close))
		return NULL;
	return exports;
}
