/*
 * Capture of libbpf's messages. libbpf reports why an object failed to load (the verifier log among them) only
 * through its print callback, so loads and attaches run between np_log_start and np_log_stop and the text
 * goes into the thrown error. Outside a capture, messages are dropped unless NETPOL_LIBBPF_DEBUG is set.
 */
#include "addon.h"

#include <bpf/libbpf.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Verifier logs can be megabytes; beyond this the tail is dropped (the head names the failing instruction path). */
#define NP_LOG_MAX (32u << 20)

static char *log_buf;
static size_t log_len;
static size_t log_cap;
static bool log_active;
static bool log_debug;

static void log_append(const char *text, size_t length)
{
	if (log_len + length + 1 > NP_LOG_MAX)
		length = log_len + 1 >= NP_LOG_MAX ? 0 : NP_LOG_MAX - log_len - 1;
	if (length == 0)
		return;
	if (log_len + length + 1 > log_cap) {
		size_t cap = log_cap ? log_cap : 4096;
		char *grown;
		while (cap < log_len + length + 1)
			cap *= 2;
		grown = realloc(log_buf, cap);
		if (!grown)
			return;
		log_buf = grown;
		log_cap = cap;
	}
	memcpy(log_buf + log_len, text, length);
	log_len += length;
	log_buf[log_len] = '\0';
}

static int log_print(enum libbpf_print_level level, const char *format, va_list args)
{
	va_list copy;
	char small[512];
	int length;

	if (!log_active) {
		if (log_debug && level != LIBBPF_DEBUG)
			return vfprintf(stderr, format, args);
		return 0;
	}
	if (level == LIBBPF_DEBUG && !log_debug)
		return 0;
	va_copy(copy, args);
	length = vsnprintf(small, sizeof(small), format, copy);
	va_end(copy);
	if (length < 0)
		return 0;
	if ((size_t)length < sizeof(small)) {
		log_append(small, (size_t)length);
	} else {
		char *large = malloc((size_t)length + 1);
		if (!large)
			return 0;
		vsnprintf(large, (size_t)length + 1, format, args);
		log_append(large, (size_t)length);
		free(large);
	}
	return length;
}

void np_log_install(void)
{
	const char *debug = getenv("NETPOL_LIBBPF_DEBUG");
	log_debug = debug && debug[0] && strcmp(debug, "0") != 0;
	libbpf_set_print(log_print);
}

void np_log_start(void)
{
	log_len = 0;
	if (log_buf)
		log_buf[0] = '\0';
	log_active = true;
}

const char *np_log_text(void)
{
	return log_buf ? log_buf : "";
}

void np_log_stop(void)
{
	log_active = false;
}
