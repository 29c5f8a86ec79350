/* SPDX-License-Identifier: MIT */
/*
 * log.h -- one line per event, to stderr and optionally syslog.
 *
 * Messages are lower-case, "component, what happened (detail)".  Safe to
 * call from several threads (each line is written with one write(2)).
 * Never call it from a raw signal handler (libev delivers signals as
 * ordinary events, so callbacks may log).
 */
#ifndef MESHDNS_LOG_H
#define MESHDNS_LOG_H

#include "build/config.h"
#include "util/diag.h"

/* Lines above @level are dropped; @use_syslog also sends them to syslog. */
void log_init(enum config_log_level level, int use_syslog);
void log_set_level(enum config_log_level level);
int log_enabled(enum config_log_level level);

void log_msg(enum config_log_level level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#define log_error(...) log_msg(CONFIG_LOG_ERROR, __VA_ARGS__)
#define log_warning(...) log_msg(CONFIG_LOG_WARNING, __VA_ARGS__)
#define log_notice(...) log_msg(CONFIG_LOG_NOTICE, __VA_ARGS__)
#define log_info(...) log_msg(CONFIG_LOG_INFO, __VA_ARGS__)
#define log_debug(...) log_msg(CONFIG_LOG_DEBUG, __VA_ARGS__)

/* Log every entry of @list (errors as errors, warnings as warnings). */
void log_diags(const struct diag_list *list);

#endif
