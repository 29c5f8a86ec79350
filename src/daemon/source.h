/* SPDX-License-Identifier: MIT */
/*
 * source.h -- follow Kuma's store live (store:, --store).
 *
 * At start, source_open() connects, checks the schema, asks to be told of
 * changes (LISTEN) and only then reads every row, so nothing committed in
 * between is missed.  A failure there is an error the daemon exits with
 * ("cannot connect to the store: ... password authentication failed ...",
 * "the store's schema is version N, meshdns reads version 1710856785").
 *
 * source_start() then follows the store on a thread of its own (its own
 * libev loop; libpq blocks there, never on a loop that answers queries):
 * an ev_io on the connection's socket (made again on every connection)
 * takes the notifications; their keys (type, mesh, name) are coalesced for
 * a few milliseconds, only those rows are read again, and when any
 * changed, @changed is called on the main loop (the daemon starts a build).
 * Every resync seconds every row is read again (a lost notification is
 * repaired then); a read of changed rows that fails while connected (a
 * permission taken away, say) is logged, and every row is read again 1 s
 * later rather than at the next resync (2, 4, ... s while that fails
 * too, up to the period).  When the store goes away, the rows last read stay (so
 * does the snapshot being served); the log says so once, and once when it
 * is back; meanwhile it reconnects after 1 s, doubling up to 30 s, and
 * after a reconnect it LISTENs first, then reads everything again.
 *
 * A build reads the rows with source_with_rows()
 * (build_options.with_store_rows), on the build thread, under the
 * source's lock.
 */
#ifndef MESHDNS_SOURCE_H
#define MESHDNS_SOURCE_H

#include <ev.h>
#include <stddef.h>
#include <stdint.h>

#include "kuma/store.h"
#include "util/diag.h"

struct source;

/*
 * Connect to @where (a libpq conninfo or URI), LISTEN, read every row,
 * each read into resources as it comes for the first build, with
 * @keep_specs for zone @zone (store_ahead.h; NULL @zone: not).  0 with
 * *@out; -1 with the reason in @err; -ENOMEM.
 */
int source_open(struct source **out, const char *where, uint32_t resync,
		int keep_specs, const char *zone, char *err, size_t errsize);

/*
 * Follow the store from now on; @changed(@arg) runs on @loop (the main
 * loop) after rows changed.  0 or a negative code.
 */
int source_start(struct source *s, struct ev_loop *loop,
		 void (*changed)(void *arg), void *arg);

/* build_options.with_store_rows; @arg is the source. */
int source_with_rows(void *arg,
		     int (*fn)(void *fnarg, const struct store_rows *rows),
		     void *fnarg);

/*
 * For the HTTP endpoint (http.h's hooks; any thread): 1 while connected
 * to the store (the rows read are current); the meshdns_store_* metric
 * families (connected, notifications, changes, resyncs, disconnects,
 * reconnects, the time of the last change).
 */
struct metrics;
int source_ready(void *arg);
void source_metrics(struct metrics *m, void *arg);

/* Stop following, close, free (NULL is fine). */
void source_free(struct source *s);

#endif
