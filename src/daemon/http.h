/* SPDX-License-Identifier: MIT */
/*
 * http.h -- the HTTP endpoint (http.listen): /metrics, /health, /ready,
 * the status page / and /status.json.
 *
 * Served by libmicrohttpd on its own polling thread per address (one
 * thread, MHD_USE_INTERNAL_POLLING_THREAD), started with every signal
 * blocked (util/thread.h's rule: SIGHUP and SIGTERM reach the main loop
 * only).  Not on the main loop: a slow scraper or a large page never
 * delays a reload, a signal or the reclamation of old tables, and the
 * main loop's own liveness is then something /health can check.
 *
 *   /metrics      Prometheus text format 0.0.4, named as CoreDNS names
 *                 its own with the prefix meshdns_ (metrics.h writes it).
 *                 The query counters are the workers' (stats.h), summed
 *                 at each scrape: the query path takes no lock and
 *                 shares no cache line for it.
 *   /health       200 "OK" while the process and its loops are alive:
 *                 the main loop and every worker's loop ticked (a 1 s
 *                 timer on each) within the last HTTP_HEALTH_STALE
 *                 seconds; else 503 naming the loops that did not.
 *   /ready        200 "OK" once the first snapshot is served and every
 *                 readiness check (http_ready_add(): the store, ...)
 *                 says ready; else 503 with one line per check that is
 *                 not ("snapshot: not served yet"), as CoreDNS's ready
 *                 plugin does.
 *   /             a page for people: the served snapshot's meshes and
 *                 services, hostnames, VIPs, ports and conditions, the
 *                 last build and reload; ?q=TEXT keeps the services whose
 *                 name, mesh, hostnames or VIPs contain TEXT (any case).
 *   /status.json  what `meshdns --status` prints, as one JSON array.
 *
 * What the page, /status.json and the snapshot's gauges show is made
 * once per published snapshot: by http_publish(), on the main thread,
 * before the snapshot is trimmed (the per-service results are freed
 * then), or, for a snapshot published lazily, on the HTTP thread when
 * first asked for: a copy the HTTP thread reads under the endpoint's own
 * mutex, which neither the query path nor the build thread's work waits
 * for.
 *
 * Threads: http_new(), http_start(), http_publish() and http_free() on
 * the main thread; http_build_done() on any thread; the hooks are added
 * before http_start() and called on the HTTP thread.
 */
#ifndef MESHDNS_HTTP_H
#define MESHDNS_HTTP_H

#include <ev.h>
#include <stddef.h>

#include "build/config.h"
#include "build/snapshot.h"
#include "daemon/metrics.h"
#include "daemon/server.h"

#define HTTP_HEALTH_STALE 5	/* seconds without a tick: unhealthy */

struct http;

/*
 * Bind a listening TCP socket on each address of @cfg's http.listen
 * (none: *out NULL, nothing to do); no thread yet, so the caller may
 * still fork.  The DNS counters' server label is "dns://" and @cfg's
 * first listen address (meshdns has one server block).  @srv (the
 * counters, the workers' ticks) and @loop (the main loop, for its tick)
 * are borrowed and must outlive the endpoint.
 * Returns 0, or -1 with "http.listen: " and server_listen_error()'s
 * message in @err ("http.listen: 127.0.0.1:9153 is already in use by
 * another process ...", "out of memory"), or dl_load()'s when
 * libmicrohttpd cannot be loaded ("cannot load libmicrohttpd.so.12,
 * which http.listen needs (...): install the package libmicrohttpd12").
 */
int http_new(struct http **out, const struct config *cfg, struct server *srv,
	     struct ev_loop *loop, char *err, size_t errsize);

/* Start serving (signals blocked in its threads).  0, or -1 with @err. */
int http_start(struct http *h, char *err, size_t errsize);

/*
 * @s is served now (generation set): copy what the page, /status.json
 * and the snapshot gauges show; the first one makes /ready say ready (if
 * the checks agree).  A snapshot from the start-up cache has no
 * per-service results: the page says so.  NULL @h is a no-op.
 *
 * With @lazy, nothing is copied now (at 100,000 services a copy takes
 * seconds, which a publish must not wait for): the HTTP thread makes it
 * from @s when the page, /status.json or /metrics is asked for and the
 * copy it has is of an older generation.  The caller then keeps @s
 * whole (not trimmed) while it is served, and alive while
 * http_reading() says so.
 */
void http_publish(struct http *h, const struct snapshot *s, int lazy);

/*
 * Is the HTTP thread reading @s (published lazily) right now?  Then it
 * must not be freed yet; ask again later.  NULL @h: 0.
 */
int http_reading(struct http *h, const struct snapshot *s);

/* What a reload came to (http_build_done()). */
enum http_build_result {
	HTTP_BUILD_SUCCESS = 0,	/* built and published */
	HTTP_BUILD_FAILURE,	/* failed or rejected: the old one serves */
	HTTP_BUILD_UNCHANGED,	/* nothing changed: no build ran */
};

/*
 * A reload ended with @r after @seconds of building (0 when unchanged);
 * counted in meshdns_reloads_total and, unless unchanged,
 * meshdns_builds_total and meshdns_build_duration_seconds.  Any thread;
 * NULL @h is a no-op.
 */
void http_build_done(struct http *h, enum http_build_result r,
		     double seconds);

/*
 * Hooks for other modules, added before http_start(): @fn writes its
 * metric families into @m at each scrape (HTTP thread; it must only read
 * what another thread may be writing, e.g. atomics); @ready returns 1
 * when @name (a short word: "store") is ready.  0 or -ENOMEM.
 */
int http_metrics_add(struct http *h, void (*fn)(struct metrics *m,
						 void *arg), void *arg);
int http_ready_add(struct http *h, const char *name, int (*ready)(void *arg),
		   void *arg);

/* Stop serving: its threads end (before server_free()); NULL: no-op. */
void http_stop(struct http *h);

/* http_stop(), close the sockets, free; NULL is a no-op. */
void http_free(struct http *h);

#endif
