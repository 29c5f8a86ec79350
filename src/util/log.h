/* SPDX-License-Identifier: MIT */
/*
 * log.h -- one line per event, to stderr and optionally syslog.
 *
 * Every line is "meshdns: LEVEL: message\n" (log_diags(): "meshdns:
 * file:line:column: error: message\n"), at most 2047 bytes with the
 * newline (a longer message is cut).  Messages are lower-case, "component,
 * what happened (detail)".
 *
 * Threads: safe to call from every thread.  Each line is written with one
 * write(2), so lines from threads do not interleave.  The level is a C11
 * atomic: log_set_level() may run on one thread (the main one, on every
 * reload) while others log; the logging path reads it with a relaxed
 * load (a line logged just after the change may still use the old level).
 * log_init() must be called while no other thread logs (at start, and
 * after daemon(3) before any thread starts).  Never call it from a raw
 * signal handler (libev delivers signals as ordinary events, so callbacks
 * may log).
 */
#ifndef MESHDNS_LOG_H
#define MESHDNS_LOG_H

#include "util/diag.h"

/* Most severe first: a level lets through itself and those above it. */
enum log_level {
	LOG_LEVEL_ERROR = 0,
	LOG_LEVEL_WARNING,
	LOG_LEVEL_NOTICE,
	LOG_LEVEL_INFO,
	LOG_LEVEL_DEBUG,
};

/* "error", "warning", "notice", "info" or "debug"; "unknown" otherwise. */
const char *log_level_name(enum log_level level);

/* The level named @name (log_level_name(), any case): 0, or -EINVAL. */
int log_level_parse(enum log_level *out, const char *name);

/* Lines above @level are dropped; @use_syslog also sends them to syslog. */
void log_init(enum log_level level, int use_syslog);
void log_set_level(enum log_level level);
int log_enabled(enum log_level level);

void log_msg(enum log_level level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#define log_error(...) log_msg(LOG_LEVEL_ERROR, __VA_ARGS__)
#define log_warning(...) log_msg(LOG_LEVEL_WARNING, __VA_ARGS__)
#define log_notice(...) log_msg(LOG_LEVEL_NOTICE, __VA_ARGS__)
#define log_info(...) log_msg(LOG_LEVEL_INFO, __VA_ARGS__)
#define log_debug(...) log_msg(LOG_LEVEL_DEBUG, __VA_ARGS__)

/* Log every entry of @list (errors as errors, warnings as warnings). */
void log_diags(const struct diag_list *list);

#endif
