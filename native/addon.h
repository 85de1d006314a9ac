/*
 * Shared declarations of the eks-netpol native binding: a thin N-API layer over Debian's libbpf.
 *
 * Every function registered with JS validates its arguments, calls libbpf, and on failure throws a BpfError
 * (the class JS registers with setErrorClass) carrying errno, the operation and what it acted on.
 */
#pragma once

#define NAPI_VERSION 8
#include <node_api.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Returns NULL from the calling N-API function when a call fails; a JS exception is then pending. */
#define NP_CALL(env, call)                                                                                             \
	do {                                                                                                           \
		if ((call) != napi_ok) {                                                                               \
			np_throw_pending(env, #call);                                                                  \
			return NULL;                                                                                   \
		}                                                                                                      \
	} while (0)

/* Makes sure a JS exception is pending after a failed N-API call (some failures set none). */
void np_throw_pending(napi_env env, const char *what);

/*
 * Throws a BpfError. `err` is a positive errno; `op` names the libbpf call or step ("bpf_map_update_batch");
 * `context` says what it acted on ("map netpol_ingress (fd 12)"); `log` is libbpf's captured output, or NULL.
 */
void np_throw_bpf(napi_env env, int err, const char *op, const char *context, const char *log);

/* Throws a TypeError for a bad argument, naming the function and the argument. */
void np_throw_type(napi_env env, const char *fn, const char *message);

/* Argument readers: each throws and returns false on a wrong type. */
bool np_get_i32(napi_env env, napi_value value, const char *fn, const char *name, int32_t *out);
bool np_get_u32(napi_env env, napi_value value, const char *fn, const char *name, uint32_t *out);
bool np_get_bool(napi_env env, napi_value value, const char *fn, const char *name, bool *out);
/* Copies a string into a caller buffer; fails (throws) when it does not fit. */
bool np_get_string(napi_env env, napi_value value, const char *fn, const char *name, char *buf, size_t size);
bool np_get_buffer(napi_env env, napi_value value, const char *fn, const char *name, void **data, size_t *length);

/* Small value constructors; return NULL with an exception pending on failure. */
napi_value np_u32(napi_env env, uint32_t value);
napi_value np_i32(napi_env env, int32_t value);
napi_value np_string(napi_env env, const char *value);
bool np_set(napi_env env, napi_value object, const char *key, napi_value value);

/* libbpf's log capture (log.c). */
void np_log_install(void);
/* Starts capturing libbpf messages into a fresh buffer; np_log_text returns it (valid until the next start). */
void np_log_start(void);
const char *np_log_text(void);
void np_log_stop(void);

/* Registration of each part of the API on the exports object. */
napi_value np_init_errors(napi_env env, napi_value exports);
napi_value np_init_object(napi_env env, napi_value exports);
napi_value np_init_maps(napi_env env, napi_value exports);
napi_value np_init_attach(napi_env env, napi_value exports);
napi_value np_init_ringbuf(napi_env env, napi_value exports);

/* Registers one function on exports. */
bool np_export(napi_env env, napi_value exports, const char *name, napi_callback fn);
