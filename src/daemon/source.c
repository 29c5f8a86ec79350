/* SPDX-License-Identifier: MIT */
/*
 * source.c -- follow Kuma's store live, on a thread of its own.
 */
#include "autoconfig.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <time.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/metrics.h"
#include "daemon/source.h"
#include "kuma/store.h"
#include "kuma/store_ahead.h"
#include "util/log.h"
#include "util/thread.h"

/* Notifications are gathered this long before the rows are read. */
#define COALESCE_S 0.002
#define RETRY_FIRST_S 1.0
#define RETRY_MAX_S 30.0
#define MAX_PENDING 4096

struct pending_key {
	char *type;
	char *mesh;
	char *name;
};

struct source {
	const struct store_ops *ops;
	char *where;
	double resync_s;
	void *src;			/* the connection, or NULL when lost */

	pthread_mutex_t lock;		/* guards rows */
	struct store_rows *rows;

	/* The source's thread and loop. */
	pthread_t thread;
	int started;
	struct ev_loop *tloop;
	ev_io io;
	ev_timer coalesce;
	ev_timer resync;
	ev_timer retry;
	ev_async stop;
	double backoff;
	double reread_s;		/* reread_soon()'s delay; 0: none */
	struct pending_key *pending;
	size_t npending;
	int overflow;			/* too many keys: read everything */

	/*
	 * For /metrics and /ready (written by the source's thread, read by
	 * the HTTP thread): connected now, the counts, and when a change
	 * was last taken (seconds since the epoch; 0: none yet).
	 */
	_Atomic int connected;
	_Atomic uint64_t notifications;
	_Atomic uint64_t changes;
	_Atomic uint64_t resyncs;
	_Atomic uint64_t reconnects;
	_Atomic uint64_t losses;
	_Atomic int64_t last_change;

	/* The main loop. */
	struct ev_loop *loop;
	ev_async changed_async;
	void (*changed)(void *arg);
	void *arg;
};

static int
keep_row(void *arg, struct store_row *row)
{
	return store_rows_put(arg, row) < 0 ? -ENOMEM : 0;
}

/*
 * Every row, into a new set of rows; replaces s->rows.  With @zone (not
 * NULL: source_open()'s read only), each row is read ahead for the first
 * build with @keep_specs for @zone (store_ahead.h).  1 changed, 0, <0.
 */
static int
read_everything(struct source *s, int keep_specs, const char *zone, char *err,
		size_t errsize)
{
	struct store_rows *fresh = store_rows_new();
	uint64_t before, after;
	int rc;

	if (fresh == NULL) {
		diag_printf(err, errsize, "out of memory");
		return -ENOMEM;
	}
	rc = store_ahead_read_all(s->ops, s->src, fresh, keep_specs, zone, err,
				  errsize);
	if (rc < 0) {
		store_rows_free(fresh);
		return rc;
	}
	pthread_mutex_lock(&s->lock);
	before = store_rows_digest(s->rows);
	after = store_rows_digest(fresh);
	/* The same rows: nothing to read again (store_rows_seq()). */
	if (before != after)
		store_rows_move(s->rows, fresh);
	pthread_mutex_unlock(&s->lock);
	store_rows_free(fresh);
	return before != after;
}

/* Connect, LISTEN, then read everything (read_everything()'s @zone). */
static int
connect_and_read(struct source *s, int keep_specs, const char *zone,
		 char *err, size_t errsize)
{
	int rc;

	if ((rc = s->ops->open(&s->src, s->where, err, errsize)) < 0)
		return rc;
	if ((rc = s->ops->watch(s->src, err, errsize)) < 0 ||
	    (rc = read_everything(s, keep_specs, zone, err, errsize)) < 0) {
		s->ops->close(s->src);
		s->src = NULL;
		return rc;
	}
	return rc;
}

int
source_open(struct source **out, const char *where, uint32_t resync,
	    int keep_specs, const char *zone, char *err, size_t errsize)
{
	struct source *s = calloc(1, sizeof(*s));
	int rc = -ENOMEM;

	*out = NULL;
	if (s == NULL)
		goto fail;
	s->ops = &store_pg_ops;
	s->resync_s = resync > 0 ? (double)resync : 300.0;
	pthread_mutex_init(&s->lock, NULL);
	if ((s->where = strdup(where)) == NULL ||
	    (s->rows = store_rows_new()) == NULL)
		goto fail;
	if ((rc = connect_and_read(s, keep_specs, zone, err, errsize)) < 0) {
		rc = rc == -ENOMEM ? rc : -1;
		goto fail;
	}
	log_notice("store: %zu resources read from Kuma's store (%s)",
		   store_rows_count(s->rows), s->ops->name);
	atomic_store(&s->connected, 1);
	*out = s;
	return 0;
fail:
	if (rc == -ENOMEM)
		diag_printf(err, errsize, "out of memory");
	source_free(s);
	return rc;
}

int
source_with_rows(void *arg,
		 int (*fn)(void *fnarg, const struct store_rows *rows),
		 void *fnarg)
{
	struct source *s = arg;
	int rc;

	pthread_mutex_lock(&s->lock);
	rc = fn(fnarg, s->rows);
	pthread_mutex_unlock(&s->lock);
	return rc;
}

/* ---- the source's thread */

static void
tell_main(struct source *s)
{
	atomic_fetch_add(&s->changes, 1);
	atomic_store(&s->last_change, (int64_t)time(NULL));
	ev_async_send(s->loop, &s->changed_async);
}

static void
clear_pending(struct source *s)
{
	size_t i;

	for (i = 0; i < s->npending; i++) {
		free(s->pending[i].type);
		free(s->pending[i].mesh);
		free(s->pending[i].name);
	}
	s->npending = 0;
	s->overflow = 0;
}

static void
start_retry(struct source *s)
{
	ev_timer_stop(s->tloop, &s->retry);
	ev_timer_set(&s->retry, s->backoff, 0.);
	ev_timer_start(s->tloop, &s->retry);
}

static void
watch_socket(struct source *s)
{
	ev_io_stop(s->tloop, &s->io);
	ev_io_set(&s->io, s->ops->fd(s->src), EV_READ);
	ev_io_start(s->tloop, &s->io);
}

/* The connection is gone: say so once, keep the rows, reconnect later. */
static void
lost(struct source *s, const char *why)
{
	log_warning("store: %s; serving the last state read, reconnecting "
		    "in the background", why);
	atomic_store(&s->connected, 0);
	atomic_fetch_add(&s->losses, 1);
	ev_io_stop(s->tloop, &s->io);
	ev_timer_stop(s->tloop, &s->coalesce);
	clear_pending(s);
	if (s->src != NULL)
		s->ops->close(s->src);
	s->src = NULL;
	s->backoff = RETRY_FIRST_S;
	start_retry(s);
}

static int
note_key(void *arg, const struct store_key *k)
{
	struct source *s = arg;
	struct pending_key *p = NULL;
	size_t i;

	atomic_fetch_add(&s->notifications, 1);
	if (!store_type_read(k->type))
		return 0;
	for (i = 0; i < s->npending; i++)
		if (strcmp(s->pending[i].name, k->name) == 0 &&
		    strcmp(s->pending[i].mesh, k->mesh) == 0 &&
		    strcmp(s->pending[i].type, k->type) == 0)
			return 0;
	if (s->npending == MAX_PENDING) {
		s->overflow = 1;
		return 0;
	}
	p = &s->pending[s->npending];
	p->type = strdup(k->type);
	p->mesh = strdup(k->mesh);
	p->name = strdup(k->name);
	if (p->type == NULL || p->mesh == NULL || p->name == NULL) {
		free(p->type);
		free(p->mesh);
		free(p->name);
		s->overflow = 1;	/* read everything instead */
		return 0;
	}
	s->npending++;
	return 0;
}

/*
 * Note the changes the store has sent and read them soon.  Called when the
 * socket is readable, and after every read on the connection: PostgreSQL
 * sends a NOTIFY just before ReadyForQuery, so the ones that come during
 * one of our queries are queued by libpq with its answer and the socket is
 * not readable again.  May call lost(): call it last.
 */
static void
take_notifications(struct source *s)
{
	char err[512];
	int rc;

	rc = s->ops->changes(s->src, note_key, s, err, sizeof(err));
	if (rc == -EIO) {
		lost(s, err);
		return;
	}
	if ((s->npending > 0 || s->overflow) &&
	    !ev_is_active(&s->coalesce)) {
		ev_timer_set(&s->coalesce, COALESCE_S, 0.);
		ev_timer_start(s->tloop, &s->coalesce);
	}
}

static void
io_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	take_notifications(w->data);
}

/* The next read of every row in @after seconds, then every resync_s. */
static void
resync_in(struct source *s, double after)
{
	ev_timer_stop(s->tloop, &s->resync);
	ev_timer_set(&s->resync, after, s->resync_s);
	ev_timer_start(s->tloop, &s->resync);
}

/*
 * A read failed while connected (@err): read every row again soon, 1 s
 * after the first failure, doubling up to the resync period.
 */
static void
reread_soon(struct source *s, const char *err)
{
	s->reread_s = s->reread_s > 0 ? 2 * s->reread_s : RETRY_FIRST_S;
	if (s->reread_s > s->resync_s)
		s->reread_s = s->resync_s;
	log_error("store: %s; reading every row again in %.0f s", err,
		  s->reread_s);
	resync_in(s, s->reread_s);
}

/* Read the pending keys again; the rows that are gone were deleted. */
static int
apply_pending(struct source *s, char *err, size_t errsize)
{
	struct store_rows *fresh = store_rows_new();
	struct store_key *keys = NULL;
	size_t i;
	int rc = -ENOMEM;

	if (fresh == NULL ||
	    (keys = calloc(s->npending + 1, sizeof(*keys))) == NULL)
		goto out;
	for (i = 0; i < s->npending; i++) {
		keys[i].type = s->pending[i].type;
		keys[i].mesh = s->pending[i].mesh;
		keys[i].name = s->pending[i].name;
	}
	rc = s->ops->read_keys(s->src, keys, s->npending, keep_row, fresh,
			       err, errsize);
	if (rc < 0)
		goto out;
	pthread_mutex_lock(&s->lock);
	rc = store_rows_apply(s->rows, keys, s->npending, fresh);
	pthread_mutex_unlock(&s->lock);
out:
	store_rows_free(fresh);
	free(keys);
	return rc;
}

static void
coalesce_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct source *s = w->data;
	char err[512];
	int rc;

	if (s->src == NULL)
		return;
	if (s->overflow)
		rc = read_everything(s, 0, NULL, err, sizeof(err));
	else
		rc = apply_pending(s, err, sizeof(err));
	clear_pending(s);
	if (rc == -EIO) {
		lost(s, err);
		return;
	}
	if (rc < 0) {
		/* The keys are dropped: the re-read of every row, soon. */
		s->reread_s = 0;
		reread_soon(s, err);
	} else if (rc > 0) {
		tell_main(s);
	}
	take_notifications(s);
}

static void
resync_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct source *s = w->data;
	char err[512];
	int rc;

	if (s->src == NULL)
		return;
	atomic_fetch_add(&s->resyncs, 1);
	rc = read_everything(s, 0, NULL, err, sizeof(err));
	if (rc == -EIO) {
		lost(s, err);
		return;
	}
	if (rc < 0 && s->reread_s > 0) {
		reread_soon(s, err);
	} else if (rc < 0) {
		log_error("store: %s", err);
	} else {
		if (s->reread_s > 0) {	/* back to the period */
			s->reread_s = 0;
			resync_in(s, s->resync_s);
		}
		if (rc > 0) {
			log_notice("store: the periodic re-read found changes");
			tell_main(s);
		}
	}
	take_notifications(s);
}

static void
retry_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct source *s = w->data;
	char err[512];
	int rc;

	rc = connect_and_read(s, 0, NULL, err, sizeof(err));
	if (rc < 0) {
		log_debug("store: %s", err);
		s->backoff *= 2;
		if (s->backoff > RETRY_MAX_S)
			s->backoff = RETRY_MAX_S;
		start_retry(s);
		return;
	}
	log_notice("store: connected again; %zu resources read",
		   store_rows_count(s->rows));
	atomic_store(&s->connected, 1);
	atomic_fetch_add(&s->reconnects, 1);
	watch_socket(s);
	if (rc > 0)
		tell_main(s);
	take_notifications(s);
}

static void
stop_cb(struct ev_loop *loop, ev_async *w, int revents)
{
	ev_break(loop, EVBREAK_ALL);
}

static void *
source_thread(void *arg)
{
	struct source *s = arg;

	ev_run(s->tloop, 0);
	return NULL;
}

static void
changed_cb(struct ev_loop *loop, ev_async *w, int revents)
{
	struct source *s = w->data;

	s->changed(s->arg);
}

int
source_start(struct source *s, struct ev_loop *loop,
	     void (*changed)(void *arg), void *arg)
{
	int rc;

	s->loop = loop;
	s->changed = changed;
	s->arg = arg;
	if ((s->pending = calloc(MAX_PENDING, sizeof(*s->pending))) == NULL)
		return -ENOMEM;
	if ((s->tloop = ev_loop_new(EVFLAG_AUTO)) == NULL)
		return -ENOMEM;
	ev_async_init(&s->changed_async, changed_cb);
	s->changed_async.data = s;
	ev_async_start(loop, &s->changed_async);
	ev_init(&s->io, io_cb);
	s->io.data = s;
	ev_init(&s->coalesce, coalesce_cb);
	s->coalesce.data = s;
	ev_init(&s->retry, retry_cb);
	s->retry.data = s;
	ev_timer_init(&s->resync, resync_cb, s->resync_s, s->resync_s);
	s->resync.data = s;
	ev_timer_start(s->tloop, &s->resync);
	ev_async_init(&s->stop, stop_cb);
	ev_async_start(s->tloop, &s->stop);
	watch_socket(s);
	/* Any that came during source_open()'s read (no thread yet). */
	take_notifications(s);
	if ((rc = thread_start_named(&s->thread, "md-store",
				     source_thread, s)) != 0)
		return rc;
	s->started = 1;
	return 0;
}

void
source_free(struct source *s)
{
	if (s == NULL)
		return;
	if (s->started) {
		ev_async_send(s->tloop, &s->stop);
		pthread_join(s->thread, NULL);
	}
	if (s->loop != NULL)
		ev_async_stop(s->loop, &s->changed_async);
	if (s->tloop != NULL)
		ev_loop_destroy(s->tloop);
	if (s->pending != NULL)
		clear_pending(s);
	free(s->pending);
	if (s->src != NULL)
		s->ops->close(s->src);
	store_rows_free(s->rows);
	pthread_mutex_destroy(&s->lock);
	free(s->where);
	free(s);
}

int
source_ready(void *arg)
{
	const struct source *s = arg;

	return atomic_load(&s->connected);
}

void
source_metrics(struct metrics *m, void *arg)
{
	struct source *s = arg;
	int64_t last = atomic_load(&s->last_change);

	metrics_family(m, "meshdns_store_connected", "gauge",
		       "1 while the connection to Kuma's store is up.");
	metrics_u64(m, "meshdns_store_connected",
		    (uint64_t)atomic_load(&s->connected), NULL);
	metrics_family(m, "meshdns_store_notifications_total", "counter",
		       "Change notifications received from the store.");
	metrics_u64(m, "meshdns_store_notifications_total",
		    atomic_load(&s->notifications), NULL);
	metrics_family(m, "meshdns_store_changes_total", "counter",
		       "Times the rows read changed and a build was asked "
		       "for.");
	metrics_u64(m, "meshdns_store_changes_total",
		    atomic_load(&s->changes), NULL);
	metrics_family(m, "meshdns_store_resyncs_total", "counter",
		       "Periodic full re-reads of the store.");
	metrics_u64(m, "meshdns_store_resyncs_total",
		    atomic_load(&s->resyncs), NULL);
	metrics_family(m, "meshdns_store_disconnects_total", "counter",
		       "Times the connection to the store was lost.");
	metrics_u64(m, "meshdns_store_disconnects_total",
		    atomic_load(&s->losses), NULL);
	metrics_family(m, "meshdns_store_reconnects_total", "counter",
		       "Times the connection came back after a loss.");
	metrics_u64(m, "meshdns_store_reconnects_total",
		    atomic_load(&s->reconnects), NULL);
	metrics_family(m, "meshdns_store_last_change_timestamp_seconds",
		       "gauge", "When a change was last taken from the store "
		       "(0: none since the start).");
	metrics_u64(m, "meshdns_store_last_change_timestamp_seconds",
		    (uint64_t)(last > 0 ? last : 0), NULL);
}
