/* SPDX-License-Identifier: MIT */
/* log.c -- one line per event, to stderr and optionally syslog. */
#include "autoconfig.h"

#include <errno.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <syslog.h>
#include <unistd.h>

#include "util/log.h"

/*
 * Every line on stderr starts with this; syslog is given the line
 * without it, as openlog()'s ident already names meshdns.
 */
#define IDENT_PREFIX "meshdns: "

/* Written by the main thread on every reload, read on every thread. */
static _Atomic int current_level = LOG_LEVEL_INFO;
static int log_syslog;

static const char *const level_names[] = {
	[LOG_LEVEL_ERROR] = "error",
	[LOG_LEVEL_WARNING] = "warning",
	[LOG_LEVEL_NOTICE] = "notice",
	[LOG_LEVEL_INFO] = "info",
	[LOG_LEVEL_DEBUG] = "debug",
};

static const int syslog_priorities[] = {
	[LOG_LEVEL_ERROR] = LOG_ERR,
	[LOG_LEVEL_WARNING] = LOG_WARNING,
	[LOG_LEVEL_NOTICE] = LOG_NOTICE,
	[LOG_LEVEL_INFO] = LOG_INFO,
	[LOG_LEVEL_DEBUG] = LOG_DEBUG,
};

const char *
log_level_name(enum log_level level)
{
	if ((size_t)level >= sizeof(level_names) / sizeof(level_names[0]))
		return "unknown";
	return level_names[level];
}

int
log_level_parse(enum log_level *out, const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(level_names) / sizeof(level_names[0]); i++) {
		if (strcasecmp(name, level_names[i]) == 0) {
			*out = (enum log_level)i;
			return 0;
		}
	}
	return -EINVAL;
}

void
log_init(enum log_level level, int use_syslog)
{
	log_set_level(level);
	if (use_syslog && !log_syslog)
		openlog("meshdns", LOG_PID | LOG_NDELAY, LOG_DAEMON);
	log_syslog = use_syslog;
}

void
log_set_level(enum log_level level)
{
	atomic_store_explicit(&current_level, (int)level, memory_order_relaxed);
}

int
log_enabled(enum log_level level)
{
	return (int)level <= atomic_load_explicit(&current_level,
						  memory_order_relaxed);
}

static void
emit(enum log_level level, const char *prefix, const char *fmt, va_list ap)
{
	char line[2048];
	int n;
	int off;

	off = snprintf(line, sizeof(line), IDENT_PREFIX "%s", prefix);
	n = vsnprintf(line + off, sizeof(line) - off - 1, fmt, ap);
	if (n < 0)
		return;
	if ((size_t)n > sizeof(line) - off - 2)
		n = sizeof(line) - off - 2;
	if (log_syslog)
		syslog(syslog_priorities[level], "%s",
		       line + sizeof(IDENT_PREFIX) - 1);
	line[off + n] = '\n';
	/* One write per line, so lines from threads do not interleave. */
	if (write(STDERR_FILENO, line, off + n + 1) < 0)
		return;
}

void
log_msg(enum log_level level, const char *fmt, ...)
{
	char prefix[16];
	va_list ap;

	if (!log_enabled(level))
		return;
	snprintf(prefix, sizeof(prefix), "%s: ", log_level_name(level));
	va_start(ap, fmt);
	emit(level, prefix, fmt, ap);
	va_end(ap);
}

static void
log_line(enum log_level level, const char *fmt, ...)
{
	va_list ap;

	if (!log_enabled(level))
		return;
	va_start(ap, fmt);
	emit(level, "", fmt, ap);
	va_end(ap);
}

void
log_diags(const struct diag_list *list)
{
	char buf[1536];
	size_t i;

	for (i = 0; i < list->n; i++) {
		const struct diag *d = &list->v[i];

		/* diag_format says "error:" or "warning:" itself. */
		diag_format(d, buf, sizeof(buf));
		log_line(d->severity == DIAG_ERROR ? LOG_LEVEL_ERROR :
			 LOG_LEVEL_WARNING, "%s", buf);
	}
	if (list->oom)
		log_error("out of memory while collecting diagnostics");
}
