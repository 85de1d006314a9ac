/*
 * Errors and argument helpers. JS registers its BpfError class once (setErrorClass); every failure of a libbpf call
 * is thrown as an instance of it, so callers can test `instanceof BpfError` and read errno, op and context.
 */
#include "addon.h"

#include <bpf/libbpf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct np_instance {
	napi_ref error_class;
};

static void np_instance_free(napi_env env, void *data, void *hint)
{
	struct np_instance *instance = data;
	(void)hint;
	if (instance->error_class)
		napi_delete_reference(env, instance->error_class);
	free(instance);
}

void np_throw_pending(napi_env env, const char *what)
{
	bool pending = false;
	napi_is_exception_pending(env, &pending);
	if (!pending) {
		const napi_extended_error_info *info = NULL;
		char message[256];
		napi_get_last_error_info(env, &info);
		snprintf(message, sizeof(message), "N-API call failed: %s (%s)", what,
			 info && info->error_message ? info->error_message : "no detail");
		napi_throw_error(env, "ENAPI", message);
	}
}

void np_throw_type(napi_env env, const char *fn, const char *message)
{
	char text[512];
	snprintf(text, sizeof(text), "%s: %s", fn, message);
	napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", text);
}

/* Builds the details object BpfError's constructor takes; falls back to a plain Error when no class is set. */
void np_throw_bpf(napi_env env, int err, const char *op, const char *context, const char *log)
{
	struct np_instance *instance = NULL;
	napi_value details, ctor, error;
	char reason[256];

	if (err < 0)
		err = -err;
	libbpf_strerror(err, reason, sizeof(reason));
	if (napi_create_object(env, &details) != napi_ok)
		goto fallback;
	if (!np_set(env, details, "errno", np_i32(env, err)) || !np_set(env, details, "op", np_string(env, op)) ||
	    !np_set(env, details, "context", np_string(env, context ? context : "")) ||
	    !np_set(env, details, "reason", np_string(env, reason)))
		goto fallback;
	if (log && log[0] && !np_set(env, details, "log", np_string(env, log)))
		goto fallback;
	if (napi_get_instance_data(env, (void **)&instance) != napi_ok || !instance || !instance->error_class)
		goto fallback;
	if (napi_get_reference_value(env, instance->error_class, &ctor) != napi_ok || !ctor)
		goto fallback;
	if (napi_new_instance(env, ctor, 1, &details, &error) != napi_ok)
		goto fallback;
	napi_throw(env, error);
	return;

fallback : {
	char message[1024];
	bool pending = false;
	napi_is_exception_pending(env, &pending);
	if (pending)
		return;
	snprintf(message, sizeof(message), "%s failed on %s: %s (errno %d)", op, context ? context : "?", reason, err);
	napi_throw_error(env, "EBPF", message);
}
}

bool np_get_i32(napi_env env, napi_value value, const char *fn, const char *name, int32_t *out)
{
	char message[128];
	if (napi_get_value_int32(env, value, out) == napi_ok)
		return true;
	snprintf(message, sizeof(message), "%s must be a number", name);
	np_throw_type(env, fn, message);
	return false;
}

bool np_get_u32(napi_env env, napi_value value, const char *fn, const char *name, uint32_t *out)
{
	char message[128];
	if (napi_get_value_uint32(env, value, out) == napi_ok)
		return true;
	snprintf(message, sizeof(message), "%s must be a non-negative number", name);
	np_throw_type(env, fn, message);
	return false;
}

bool np_get_bool(napi_env env, napi_value value, const char *fn, const char *name, bool *out)
{
	char message[128];
	if (napi_get_value_bool(env, value, out) == napi_ok)
		return true;
	snprintf(message, sizeof(message), "%s must be a boolean", name);
	np_throw_type(env, fn, message);
	return false;
}

bool np_get_string(napi_env env, napi_value value, const char *fn, const char *name, char *buf, size_t size)
{
	char message[160];
	size_t length = 0;
	if (napi_get_value_string_utf8(env, value, NULL, 0, &length) != napi_ok) {
		snprintf(message, sizeof(message), "%s must be a string", name);
		np_throw_type(env, fn, message);
		return false;
	}
	if (length + 1 > size) {
		snprintf(message, sizeof(message), "%s is too long (%zu bytes, at most %zu)", name, length, size - 1);
		np_throw_type(env, fn, message);
		return false;
	}
	return napi_get_value_string_utf8(env, value, buf, size, &length) == napi_ok;
}

bool np_get_buffer(napi_env env, napi_value value, const char *fn, const char *name, void **data, size_t *length)
{
	char message[128];
	bool is_buffer = false;
	if (napi_is_buffer(env, value, &is_buffer) == napi_ok && is_buffer &&
	    napi_get_buffer_info(env, value, data, length) == napi_ok)
		return true;
	snprintf(message, sizeof(message), "%s must be a Buffer", name);
	np_throw_type(env, fn, message);
	return false;
}

napi_value np_u32(napi_env env, uint32_t value)
{
	napi_value out = NULL;
	napi_create_uint32(env, value, &out);
	return out;
}

napi_value np_i32(napi_env env, int32_t value)
{
	napi_value out = NULL;
	napi_create_int32(env, value, &out);
	return out;
}

napi_value np_string(napi_env env, const char *value)
{
	napi_value out = NULL;
	napi_create_string_utf8(env, value ? value : "", NAPI_AUTO_LENGTH, &out);
	return out;
}

bool np_set(napi_env env, napi_value object, const char *key, napi_value value)
{
	return value != NULL && napi_set_named_property(env, object, key, value) == napi_ok;
}

bool np_export(napi_env env, napi_value exports, const char *name, napi_callback fn)
{
	napi_value value;
	return napi_create_function(env, name, NAPI_AUTO_LENGTH, fn, NULL, &value) == napi_ok &&
	       napi_set_named_property(env, exports, name, value) == napi_ok;
}

/* setErrorClass(ctor): the class every libbpf failure is thrown as, constructed with one details object. */
static napi_value set_error_class(napi_env env, napi_callback_info info)
{
	size_t argc = 1;
	napi_value argv[1];
	napi_valuetype type;
	struct np_instance *instance = NULL;

	NP_CALL(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
	if (argc < 1 || napi_typeof(env, argv[0], &type) != napi_ok || type != napi_function) {
		np_throw_type(env, "setErrorClass", "ctor must be a class");
		return NULL;
	}
	NP_CALL(env, napi_get_instance_data(env, (void **)&instance));
	if (instance->error_class)
		NP_CALL(env, napi_delete_reference(env, instance->error_class));
	NP_CALL(env, napi_create_reference(env, argv[0], 1, &instance->error_class));
	return NULL;
}

napi_value np_init_errors(napi_env env, napi_value exports)
{
	struct np_instance *instance = calloc(1, sizeof(*instance));
	if (!instance) {
		napi_throw_error(env, "ENOMEM", "eks-netpol native binding: out of memory");
		return NULL;
	}
	NP_CALL(env, napi_set_instance_data(env, instance, np_instance_free, NULL));
	if (!np_export(env, exports, "setErrorClass", set_error_class))
		return NULL;
	return exports;
}
