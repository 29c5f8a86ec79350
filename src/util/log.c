/* SPDX-License-Identifier: MIT */
/* log.c -- one line per event, to stderr and optionally syslog. */
#include "autoconfig.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "util/log.h"

static enum config_log_level log_level = CONFIG_LOG_INFO;
static int log_syslog;

static const int syslog_priorities[] = {
	[CONFIG_LOG_ERROR] = LOG_ERR,
	[CONFIG_LOG_WARNING] = LOG_WARNING,
	[CONFIG_LOG_NOTICE] = LOG_NOTICE,
	[CONFIG_LOG_INFO] = LOG_INFO,
	[CONFIG_LOG_DEBUG] = LOG_DEBUG,
};

void
log_init(enum config_log_level level, int use_syslog)
{
	log_level = level;
	if (use_syslog && !log_syslog)
		openlog("meshdns", LOG_PID | LOG_NDELAY, LOG_DAEMON);
	log_syslog = use_syslog;
}

void
log_set_level(enum config_log_level level)
{
	log_level = level;
}

int
log_enabled(enum config_log_level level)
{
	return level <= log_level;
}

static void
emit(enum config_log_level level, const char *prefix, const char *fmt,
     va_list ap)
{
	char line[2048];
	int n;
	int off;

	off = snprintf(line, sizeof(line), "meshdns: %s", prefix);
	n = vsnprintf(line + off, sizeof(line) - off - 1, fmt, ap);
	if (n < 0)
		return;
	if ((size_t)n > sizeof(line) - off - 2)
		n = sizeof(line) - off - 2;
	if (log_syslog)
		syslog(syslog_priorities[level], "%s", line + 9);
	line[off + n] = '\n';
	/* One write per line, so lines from threads do not interleave. */
	if (write(STDERR_FILENO, line, off + n + 1) < 0)
		return;
}

void
log_msg(enum config_log_level level, const char *fmt, ...)
{
	char prefix[16];
	va_list ap;

	if (level > log_level)
		return;
	snprintf(prefix, sizeof(prefix), "%s: ", config_log_level_name(level));
	va_start(ap, fmt);
	emit(level, prefix, fmt, ap);
	va_end(ap);
}

static void
log_line(enum config_log_level level, const char *fmt, ...)
{
	va_list ap;

	if (level > log_level)
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
		log_line(d->severity == DIAG_ERROR ? CONFIG_LOG_ERROR :
			 CONFIG_LOG_WARNING, "%s", buf);
	}
	if (list->oom)
		log_error("out of memory while collecting diagnostics");
}
