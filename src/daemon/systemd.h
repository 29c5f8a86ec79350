/* SPDX-License-Identifier: MIT */
/*
 * systemd.h -- tell systemd (Type=notify) what the server is doing.
 *
 * Each call sends one datagram to $NOTIFY_SOCKET (a socket path, or an
 * abstract socket written "@name"), as sd_notify() would; without that
 * variable (not started by systemd, or by a unit of another type)
 * nothing is sent and nothing fails.  A message
 * that cannot be sent is not an error either: the server keeps serving,
 * and systemd's own timeout says the rest.  Called from the main loop
 * only.
 */
#ifndef MESHDNS_SYSTEMD_H
#define MESHDNS_SYSTEMD_H

/*
 * READY=1 with STATUS=@status: the first snapshot is served (at start),
 * or a reload is over (after systemd_reloading()), whatever its result.
 */
void systemd_ready(const char *status);

/*
 * RELOADING=1 (with MONOTONIC_USEC, as systemd 253 and later want it):
 * a SIGHUP reload began; systemd_ready() ends it.
 */
void systemd_reloading(void);

/* STOPPING=1: the server is shutting down. */
void systemd_stopping(void);

/* STATUS=@status alone: one line that `systemctl status` shows. */
void systemd_status(const char *status);

#endif
