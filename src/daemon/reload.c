/* SPDX-License-Identifier: MIT */
/* reload.c -- SIGHUP: build a new snapshot aside, then swap it in. */
#include "autoconfig.h"

#include <assert.h>
#include <errno.h>
#include <inttypes.h>
#ifdef HAVE_MALLOC_TRIM
#include <malloc.h>
#endif
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "build/cache.h"
#include "daemon/http.h"
#include "daemon/metrics.h"
#include "util/bigarray.h"
#include "util/log.h"
#include "daemon/notify.h"
#include "daemon/reload.h"
#include "daemon/systemd.h"
#include "daemon/server.h"
#include "daemon/transfer.h"
#include "daemon/watch.h"
#include "build/snapshot.h"
#include "build/snapshot_diff.h"
#include "build/state.h"
#include "util/digest.h"
#include "util/text.h"
#include "util/thread.h"

/* Seconds without a new snapshot before the cache is written (settle_cb). */
#define SETTLE_S 1.0

/* The bounds of meshdns_build_apply_duration_seconds, in seconds. */
static const double apply_bounds[] = {
	0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
	0.1, 0.25, 0.5, 1, 2.5, 5,
};
#define RELOAD_APPLY_BUCKETS (sizeof(apply_bounds) / sizeof(apply_bounds[0]))

/* How an apply went: meshdns_build_applies_total's label "how". */
enum apply_how {
	APPLY_INCREMENTAL = 0,
	APPLY_FULL,
};

static const char *const apply_how_names[] = { "incremental", "full" };

struct reload {
	struct ev_loop *loop;
	struct server *srv;
	const struct build_options *opt;
	struct snapshot *current;
	uint64_t generation;
	uint64_t started_transfer;	/* transfer_digest() at start */
	ev_signal sighup;
	ev_async done;
	pthread_t thread;
	int running;		/* a build thread exists (not yet joined) */
	int pending;		/* SIGHUP during a build: one more */
	struct snapshot *result;	/* written by the thread, read after */
	/* Published before, freed by reap_cb once no thread can read them:
	 * the only list of old tables (the server keeps none). */
	struct snapshot **retired;
	size_t nretired;
	size_t retired_cap;
	ev_timer reap;
	/*
	 * The ones no thread reads any more, freed by the reaper thread
	 * (free_thread), one batch at a time, so that the loop does not
	 * spend the milliseconds a snapshot of 100,000 services takes.
	 */
	pthread_t free_thread;
	int free_running;
	ev_async free_done;
	struct snapshot **freeing;
	size_t nfreeing;
	size_t freeing_cap;
	int free_trim;		/* malloc_trim() after (nothing retired) */
	ev_timer trim;		/* trims current once it is being served */
	ev_timer settle;	/* caches current once changes pause */
	ev_timer grace;		/* builds when a deletion grace period of
				 * current ends */
	int cached;		/* the cache file holds cached_key's table */
	uint64_t cached_key;
	/*
	 * The cache writer (cache_thread): one write at a time, off the
	 * loop, so that a publish never waits for it.  @cache_snap is the
	 * snapshot written (reap_cb keeps it until the write ends); a write
	 * asked for meanwhile (@cache_again) starts when it ends.
	 */
	pthread_t cache_thread;
	int cache_running;
	int cache_again;
	ev_async cache_done;
	const struct snapshot *cache_snap;
	struct cache_job {
		char path[4096];
		uint64_t key;
		const struct table *table;
		struct cache_info info;
		int rc;
		char err[1024];
	} job;
	/* What the sockets, workers and forwarders were made from: the
	 * settings in effect, which a reload cannot change (written once by
	 * reload_new(), then only read, on both threads). */
	struct config *started;
	struct notify *notify;	/* NOTIFY to transfer.notify on serials */
	int reloading;		/* a SIGHUP's RELOADING=1 awaits READY=1 */
	struct http *http;	/* NULL: no HTTP endpoint */
	/*
	 * Watching (daemon/watch.h): the resource files as the builds read
	 * them (the last accepted full read, and every watched change
	 * since; used by the build thread while one runs, else by the
	 * loop), the changes waiting for a build (loop), and those of the
	 * running build (its thread).
	 */
	struct resource_units *units;
	struct watch *watch;
	struct build_path *waiting;
	size_t nwaiting;
	int waiting_full;
	struct build_path *building;
	size_t nbuilding;
	int build_watched;	/* the running build is for watched changes */
	int build_full;
	int waiting_store;	/* the store's rows changed (source.h) */
	uint64_t units_seq;	/* the store change r->units hold */
	/*
	 * Every change the units took since the snapshot served was built
	 * (build_input.changes): a build not published (rejected, failed)
	 * leaves its changes here for the next one, which applies them all
	 * to the one served.  Cleared when a snapshot is published.
	 */
	struct resource_changes unpublished;
	/*
	 * Applies (builds for watched or store changes), by how: counts and
	 * a histogram of their times (written by the build thread, read
	 * by the HTTP thread).
	 */
	_Atomic uint64_t applies[2];
	_Atomic uint64_t apply_buckets[2][RELOAD_APPLY_BUCKETS + 1];
	_Atomic uint64_t apply_us[2];
};

static void warn_start_only(const struct reload *r, const struct config *cfg);
static int applies_to(const struct snapshot *s);
static void update_watch(struct reload *r, const struct config *cfg);

int
reload_inputs_now(uint64_t *inputs, const char **why, uint64_t program,
		  const struct config *cfg, const struct state *state,
		  int64_t now)
{
	int rc;

	*inputs = 0;
	*why = NULL;
	if (program == 0) {
		*why = "the program's digest is not known";
		return 0;
	}
	/* A build now could give out what was held back then. */
	if (state_first_expiry(state) <= now) {
		*why = "held-back VIPs were freed since it was written";
		return 0;
	}
	if (state_first_grace(state) <= now -
	    (int64_t)cfg->kuma_deletion_grace) {
		*why = "a deletion grace period ended since it was written";
		return 0;
	}
	rc = build_inputs_on_disk(program, cfg, inputs);
	if (rc == -ENOMEM)
		return rc;
	if (rc < 0) {
		*why = "a resource file cannot be read";
		return 0;
	}
	return 1;
}

/*
 * Would a build now read exactly what the current snapshot was built
 * from?  reload_inputs_now() says whether the inputs on disk can stand
 * for a build, and they must be the current snapshot's.  Any doubt (a
 * config with warnings or errors, a current snapshot that had errors)
 * says no, and the build runs and reports.
 */
static int
unchanged(const struct reload *r)
{
	const struct snapshot *cur = r->current;
	struct config *cfg = NULL;
	struct diag_list diags;
	const char *why = NULL;
	uint64_t inputs = 0;
	int same = 0;

	/*
	 * A start with errors (a missing path, an unreadable entry of a
	 * directory) must build again: fixing such an error need not change
	 * any byte the digest sees.
	 */
	if (r->opt->program_digest == 0 || cur->inputs == 0 || cur->errors > 0)
		return 0;
	diag_list_init(&diags);
	if (build_load_config(&cfg, r->opt, &diags) == 0 && diags.n == 0 &&
	    reload_inputs_now(&inputs, &why, r->opt->program_digest, cfg,
			      cur->state, (int64_t)time(NULL)) == 1 &&
	    inputs == cur->inputs)
		same = 1;
	config_free(cfg);
	diag_list_clear(&diags);
	return same;
}

/*
 * Log what @next adds to and removes from @cur's names and VIPs, so that
 * a template edit shows its effect.  On the build thread: @cur's table
 * and state are not touched by the trim running meanwhile (snapshot.h).
 */
static void
log_changes(const struct snapshot *cur, const struct snapshot *next)
{
	struct snapshot_diff d;
	char line[2048];

	if (snapshot_diff_compute(&d, cur, next) < 0)
		return;
	snapshot_diff_format(&d, line, sizeof(line));
	log_notice("reload, %s", line);
	snapshot_diff_clear(&d);
}

/*
 * A build for watched changes (the build thread): only the changed paths
 * are read again, into r->units (every path when there are none yet, or
 * after an overflow).  A file that reads with an error is not applied:
 * its messages and a line saying so are logged, and nothing is built when
 * no resource changed.  Returns build_run_input()'s; *@next NULL when
 * there is nothing to publish.
 */
static int
watched_build(struct reload *r, struct build_input *in,
	      struct diag_list *kept, struct snapshot **next,
	      struct diag_list *diags)
{
	size_t i;
	int rc;

	in->units = r->units;
	in->full = r->build_full;
	in->changed = r->building;
	in->nchanged = r->nbuilding;
	in->kept = kept;
	in->changes = &r->unpublished;
	in->base = r->current;
	in->store_seq = r->units_seq;
	rc = build_run_input(next, r->opt, in, r->current->state,
			     (int64_t)time(NULL), diags);
	/* Units read in place hold the store's rows read. */
	if (*next == NULL || (*next)->units == NULL)
		r->units_seq = in->store_seq;
	log_diags(diags);
	if (kept->n > 0) {
		log_diags(kept);
		for (i = 0; i < kept->n; i++)
			if (kept->v[i].severity == DIAG_ERROR &&
			    kept->v[i].file != NULL &&
			    (i == 0 || kept->v[i - 1].file == NULL ||
			     strcmp(kept->v[i - 1].file, kept->v[i].file) != 0))
				log_error("watch, %s not applied: its last "
					  "good content stays served",
					  kept->v[i].file);
	}
	if (rc < 0)
		log_error("%s, build failed; still serving generation "
			  "%llu", r->nbuilding > 0 ? "watch" : "store",
			  (unsigned long long)r->generation);
	else if (in->nothing)
		log_info("%s, no resource changed: still serving "
			 "generation %llu", r->nbuilding > 0 ? "watch" :
			 "store", (unsigned long long)r->generation);
	return rc;
}

/* "MeshService default/redis", "Mesh default": what changed, for the log. */
static void
format_change(const struct resource_change *c, char *buf, size_t size,
	      size_t *off)
{
	text_appendf(buf, size, off, "%s ", resource_kind_name(c->kind));
	if (c->mesh != NULL)
		text_appendf(buf, size, off, "%s/", c->mesh);
	text_appendf(buf, size, off, "%s%s%s", c->name,
		     c->namespace != NULL ? "." : "",
		     c->namespace != NULL ? c->namespace : "");
}

/*
 * Say how @s applied r->unpublished, which took @us microseconds, and
 * count it (meshdns_build_applies_total):
 *   applied 1 change (MeshService default/redis) incrementally in 0.4 ms
 *   applied 2 changes (Mesh default, ...) in full in 31 ms: <why>
 */
static void
log_apply(struct reload *r, const struct snapshot *s, uint64_t us)
{
	const struct resource_changes *c = &r->unpublished;
	enum apply_how how = s->incremental ? APPLY_INCREMENTAL : APPLY_FULL;
	char what[512];
	char took[32];
	size_t off = 0;
	size_t i;

	what[0] = '\0';
	for (i = 0; i < c->n && i < 3; i++) {
		if (i > 0)
			text_appendf(what, sizeof(what), &off, ", ");
		format_change(&c->v[i], what, sizeof(what), &off);
	}
	if (c->n > 3)
		text_appendf(what, sizeof(what), &off, ", ...");
	if (us < 10000)
		snprintf(took, sizeof(took), "%.1f ms", (double)us / 1000.);
	else
		snprintf(took, sizeof(took), "%llu ms",
			 (unsigned long long)(us / 1000));
	if (c->n == 0)		/* Kuma's legacy VIP table: no resource */
		log_info("applied a change in %s in %s: %s",
			 how == APPLY_INCREMENTAL ? "place" : "full", took,
			 s->full_reason != NULL ? s->full_reason : "");
	else if (how == APPLY_INCREMENTAL && s->table_patched)
		log_info("applied %zu change%s (%s) incrementally in %s",
			 c->n, c->n == 1 ? "" : "s", what, took);
	else if (how == APPLY_INCREMENTAL)
		log_info("applied %zu change%s (%s) incrementally in %s; "
			 "the table was compiled whole: %s", c->n,
			 c->n == 1 ? "" : "s", what, took,
			 s->table_reason != NULL ? s->table_reason : "");
	else
		log_info("applied %zu change%s (%s) in full in %s: %s", c->n,
			 c->n == 1 ? "" : "s", what, took,
			 s->full_reason != NULL ? s->full_reason :
			 "a full build");
	for (i = 0; i < RELOAD_APPLY_BUCKETS; i++)
		if ((double)us / 1e6 <= apply_bounds[i])
			break;
	atomic_fetch_add(&r->applies[how], 1);
	atomic_fetch_add(&r->apply_buckets[how][i], 1);
	atomic_fetch_add(&r->apply_us[how], us);
}

/* meshdns_build_applies_total and its duration (http_metrics_add()). */
static void
reload_metrics(struct metrics *m, void *arg)
{
	struct reload *r = arg;
	char le[32];
	unsigned h;
	size_t i;

	metrics_family(m, "meshdns_build_applies_total", "counter",
		       "Watched-file and store changes applied, by how: "
		       "incremental (from the snapshot served) or full.");
	for (h = 0; h < 2; h++)
		metrics_u64(m, "meshdns_build_applies_total",
			    atomic_load(&r->applies[h]), "how",
			    apply_how_names[h], NULL);
	metrics_family(m, "meshdns_build_apply_duration_seconds",
		       "histogram", "How long applying changes took, by how.");
	for (h = 0; h < 2; h++) {
		uint64_t cum = 0;

		for (i = 0; i < RELOAD_APPLY_BUCKETS; i++) {
			cum += atomic_load(&r->apply_buckets[h][i]);
			snprintf(le, sizeof(le), "%g", apply_bounds[i]);
			metrics_u64(m, "meshdns_build_apply_duration_seconds_"
				    "bucket", cum, "how", apply_how_names[h],
				    "le", le, NULL);
		}
		cum += atomic_load(&r->apply_buckets[h][RELOAD_APPLY_BUCKETS]);
		metrics_u64(m, "meshdns_build_apply_duration_seconds_bucket",
			    cum, "how", apply_how_names[h], "le", "+Inf",
			    NULL);
		metrics_double(m, "meshdns_build_apply_duration_seconds_sum",
			       (double)atomic_load(&r->apply_us[h]) / 1e6,
			       "how", apply_how_names[h], NULL);
		metrics_u64(m, "meshdns_build_apply_duration_seconds_count",
			    cum, "how", apply_how_names[h], NULL);
	}
}

/* The build thread: build, check, persist; the loop thread publishes. */
static void *
build_thread(void *arg)
{
	struct reload *r = arg;
	struct snapshot *next = NULL;
	struct diag_list diags;
	struct diag_list kept;
	struct build_input in;
	/* The state file is the current snapshot's until this one saves. */
	uint64_t state_digest = r->current->state_digest;
	enum http_build_result result = HTTP_BUILD_FAILURE;
	struct timespec t0;
	struct timespec t1;
	uint64_t us = 0;
	char err[1024];
	int saved = 0;
	int rc;

	diag_list_init(&diags);
	diag_list_init(&kept);
	memset(&in, 0, sizeof(in));
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (r->build_watched) {
		rc = watched_build(r, &in, &kept, &next, &diags);
		clock_gettime(CLOCK_MONOTONIC, &t1);
		us = (uint64_t)((int64_t)(t1.tv_sec - t0.tv_sec) * 1000000 +
				(int64_t)(t1.tv_nsec - t0.tv_nsec) / 1000);
		if (rc < 0 || next == NULL)
			goto out;
		goto built;
	}
	if (unchanged(r)) {
		/* The same file may still ask for what needs a restart. */
		warn_start_only(r, r->current->cfg);
		log_notice("reload, nothing changed since generation %llu was "
			   "built: still serving it",
			   (unsigned long long)r->generation);
		http_build_done(r->http, HTTP_BUILD_UNCHANGED, 0);
		goto out;
	}
	log_info("reload, building a new snapshot");
	rc = build_run(&next, r->opt, r->current->state, (int64_t)time(NULL),
		       &diags);
	log_diags(&diags);
built:
	if (rc < 0) {
		log_error("reload, failed; still serving the previous "
			  "snapshot (generation %llu)",
			  (unsigned long long)r->generation);
		goto done;
	}
	/*
	 * Kuma's store is not ours to fix: a bad row is left out (reported
	 * above) and the rest is served, as at start.
	 */
	if (next->errors > 0 && next->cfg->store != NULL) {
		log_warning("reload, %zu error%s above: the resources named "
			    "are left out", next->errors,
			    next->errors == 1 ? "" : "s");
	} else if (next->errors > 0) {
		log_error("reload, rejected: %zu error%s above; still serving "
			  "the previous snapshot (generation %llu), state "
			  "file unchanged", next->errors,
			  next->errors == 1 ? "" : "s",
			  (unsigned long long)r->generation);
		snapshot_free(next);
		next = NULL;
		goto done;
	}
	/*
	 * The state file in effect (locked at start), whatever the file says;
	 * it holds the current snapshot's state: the change is appended.
	 */
	if (next->state_changed && r->started->state_file != NULL &&
	    (saved = state_save(next->state, r->current->state,
				r->started->state_file, err, sizeof(err),
				&state_digest)) < 0) {
		log_error("reload, rejected: %s; still serving the previous "
			  "snapshot", err);
		snapshot_free(next);
		next = NULL;
		goto done;
	}
	if (saved > 0)
		log_warning("%s", err);
	build_mark_cacheable(next, r->opt->program_digest, state_digest);
	if (r->build_watched)
		log_apply(r, next, us);
	log_changes(r->current, next);
	result = HTTP_BUILD_SUCCESS;
done:
	clock_gettime(CLOCK_MONOTONIC, &t1);
	http_build_done(r->http, result, (double)(t1.tv_sec - t0.tv_sec) +
			(double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
out:
	diag_list_clear(&diags);
	diag_list_clear(&kept);
	r->result = next;
	ev_async_send(r->loop, &r->done);
	return NULL;
}

static void
building_clear(struct reload *r)
{
	size_t i;

	for (i = 0; i < r->nbuilding; i++)
		free(r->building[i].path);
	free(r->building);
	r->building = NULL;
	r->nbuilding = 0;
}

static void
waiting_clear(struct reload *r)
{
	size_t i;

	for (i = 0; i < r->nwaiting; i++)
		free(r->waiting[i].path);
	free(r->waiting);
	r->waiting = NULL;
	r->nwaiting = 0;
	r->waiting_full = 0;
}

/*
 * Start a build: for the watched changes waiting (@watched), which it
 * takes, or a full one, which makes them moot.
 */
static void
start_build(struct reload *r, int watched)
{
	int rc;

	building_clear(r);
	r->build_watched = watched;
	r->build_full = r->waiting_full;
	r->waiting_store = 0;	/* either build reads the rows */
	if (watched) {
		r->building = r->waiting;
		r->nbuilding = r->nwaiting;
		r->waiting = NULL;
		r->nwaiting = 0;
		r->waiting_full = 0;
	} else {
		waiting_clear(r);
	}

	rc = thread_start_named(&r->thread, "md-build", build_thread, r);
	if (rc != 0) {
		log_error("reload, cannot start the build thread (%s)",
			  strerror(-rc));
		return;
	}
	r->running = 1;
}

static int
same_strings(char *const *a, size_t na, char *const *b, size_t nb)
{
	size_t i;

	if (na != nb)
		return 0;
	for (i = 0; i < na; i++)
		if (strcmp(a[i], b[i]) != 0)
			return 0;
	return 1;
}

/* Both NULL, or the same text. */
static int
same_string(const char *a, const char *b)
{
	return a == NULL ? b == NULL : b != NULL && strcmp(a, b) == 0;
}

/* The addresses @a and @b are the same, in any order. */
static int
same_addresses(const struct config_listen *a, size_t na,
	       const struct config_listen *b, size_t nb)
{
	size_t i;
	size_t j;

	if (na != nb)
		return 0;
	for (i = 0; i < na; i++) {
		for (j = 0; j < nb; j++)
			if (strcmp(a[i].text, b[j].text) == 0)
				break;
		if (j == nb)
			return 0;
	}
	return 1;
}

static int
same_listen(const struct config *a, const struct config *b)
{
	return same_addresses(a->listen, a->nlisten, b->listen, b->nlisten);
}

/* "KEY (in effect: a, b)", "none" for an empty list. */
static void
append_strings(char *buf, size_t size, size_t *off, const char *key,
	       char *const *v, size_t n)
{
	size_t i;

	text_appendf(buf, size, off, "%s%s (in effect: ", *off ? ", " : "", key);
	for (i = 0; i < n; i++)
		text_appendf(buf, size, off, "%s%s", i ? ", " : "", v[i]);
	text_appendf(buf, size, off, "%s)", n == 0 ? "none" : "");
}

/*
 * The transfer settings (keys, transfer.allow, transfer.journal), made
 * into the server's transfer policy at start (daemon/transfer.h): a
 * digest, so that the secrets are not copied once more.
 */
static uint64_t
transfer_digest(const struct config *cfg)
{
	uint64_t d = digest_u64(0, cfg->nkeys);
	size_t i;

	for (i = 0; i < cfg->nkeys; i++) {
		d = digest_str(d, cfg->keys[i].name);
		d = digest_str(d, cfg->keys[i].algorithm);
		d = digest_u64(d, cfg->keys[i].secret_len);
		d = digest_bytes(d, cfg->keys[i].secret,
				 cfg->keys[i].secret_len);
	}
	d = digest_u64(d, cfg->nxfr_allow);
	for (i = 0; i < cfg->nxfr_allow; i++) {
		d = digest_str(d, cfg->xfr_allow[i].cidr);
		d = digest_str(d, cfg->xfr_allow[i].key != NULL ?
			       cfg->xfr_allow[i].key : "");
	}
	d = digest_u64(d, cfg->xfr_journal_count);
	return digest_u64(d, cfg->xfr_journal_bytes);
}

/*
 * The keys that apply at start only (sockets, workers and forwarders are
 * made once) on which @cfg differs from what meshdns started with,
 * r->started, each with the value in effect, into @buf: "listen (in
 * effect: 127.0.0.1:15053), workers (in effect: 2)".  The worker count
 * is the same when @cfg's comes to the number running ("auto" on as
 * many cores).  Returns how many keys differ.
 */
static size_t
start_only_changes(const struct reload *r, const struct config *cfg,
		   char *buf, size_t size)
{
	const struct config *s = r->started;
	size_t nworkers = server_workers(r->srv);
	size_t want = cfg->workers;
	size_t off = 0;
	size_t n = 0;
	size_t i;

	buf[0] = '\0';
	if (!same_listen(s, cfg)) {
		text_appendf(buf, size, &off, "listen (in effect: ");
		for (i = 0; i < s->nlisten; i++)
			text_appendf(buf, size, &off, "%s%s", i ? ", " : "",
				s->listen[i].text);
		text_appendf(buf, size, &off, ")");
		n++;
	}
	if (want == 0)
		want = thread_cpus();
	if (cfg->workers != s->workers && want != nworkers) {
		text_appendf(buf, size, &off, "%sworkers (in effect: %zu)",
			n++ ? ", " : "", nworkers);
	}
	/* Its lock is taken at start: the file in effect stays the one. */
	if ((s->state_file == NULL) != (cfg->state_file == NULL) ||
	    (s->state_file != NULL &&
	     strcmp(s->state_file, cfg->state_file) != 0))
		text_appendf(buf, size, &off, "%sstate-file (in effect: %s)",
			     n++ ? ", " : "",
			     s->state_file != NULL ? s->state_file : "none");
	if (!same_strings(s->upstreams, s->nupstreams, cfg->upstreams,
			  cfg->nupstreams)) {
		append_strings(buf, size, &off, "forward.upstreams",
			       s->upstreams, s->nupstreams);
		n++;
	}
	if (s->forward_timeout_ms != cfg->forward_timeout_ms)
		text_appendf(buf, size, &off, "%sforward.timeout (in effect: "
			"%" PRIu32 "ms)", n++ ? ", " : "",
			s->forward_timeout_ms);
	if (s->forward_max_inflight != cfg->forward_max_inflight)
		text_appendf(buf, size, &off, "%sforward.max-in-flight (in effect: "
			"%" PRIu32 ")", n++ ? ", " : "",
			s->forward_max_inflight);
	if (!same_strings(s->forward_allow, s->nforward_allow,
			  cfg->forward_allow, cfg->nforward_allow)) {
		append_strings(buf, size, &off, "forward.allow",
			       s->forward_allow, s->nforward_allow);
		n++;
	}
	if (s->tcp_idle_ms != cfg->tcp_idle_ms)
		text_appendf(buf, size, &off, "%stcp.idle-timeout (in effect: "
			"%" PRIu32 "%s)", n++ ? ", " : "",
			s->tcp_idle_ms % 1000 == 0 ? s->tcp_idle_ms / 1000 :
			s->tcp_idle_ms, s->tcp_idle_ms % 1000 == 0 ? "s" : "ms");
	if (s->tcp_max != cfg->tcp_max)
		text_appendf(buf, size, &off, "%stcp.max-connections (in effect: "
			"%" PRIu32 ")", n++ ? ", " : "", s->tcp_max);
	if (!same_string(s->user, cfg->user))
		text_appendf(buf, size, &off, "%suser (in effect: %s)",
			     n++ ? ", " : "", s->user != NULL ? s->user :
			     "none");
	if (!same_string(s->group, cfg->group))
		text_appendf(buf, size, &off, "%sgroup (in effect: %s)",
			     n++ ? ", " : "", s->group != NULL ? s->group :
			     "none");
	if (r->started_transfer != transfer_digest(cfg))
		text_appendf(buf, size, &off, "%skeys, transfer (in effect: "
			"those at start)", n++ ? ", " : "");
	if (!same_addresses(s->http_listen, s->nhttp_listen, cfg->http_listen,
			    cfg->nhttp_listen)) {
		text_appendf(buf, size, &off, "%shttp.listen (in effect: ",
			     n++ ? ", " : "");
		for (i = 0; i < s->nhttp_listen; i++)
			text_appendf(buf, size, &off, "%s%s", i ? ", " : "",
				     s->http_listen[i].text);
		text_appendf(buf, size, &off, "%s)",
			     s->nhttp_listen == 0 ? "none" : "");
	}
	if (!same_string(s->dnstap_socket, cfg->dnstap_socket))
		text_appendf(buf, size, &off, "%sdnstap.socket (in effect: "
			     "%s)", n++ ? ", " : "", s->dnstap_socket != NULL ?
			     s->dnstap_socket : "none");
	if (!same_string(s->dnstap_identity, cfg->dnstap_identity))
		text_appendf(buf, size, &off, "%sdnstap.identity (in effect: "
			     "%s)", n++ ? ", " : "",
			     s->dnstap_identity != NULL ? s->dnstap_identity :
			     "the host name");
	if (!same_string(s->dnstap_version, cfg->dnstap_version))
		text_appendf(buf, size, &off, "%sdnstap.version (in effect: "
			     "%s)", n++ ? ", " : "", s->dnstap_version);
	/* The connection string may hold a password: never printed. */
	if ((s->store == NULL) != (cfg->store == NULL) ||
	    (s->store != NULL && strcmp(s->store, cfg->store) != 0))
		text_appendf(buf, size, &off, "%sstore.connection (in effect: "
			     "%s)", n++ ? ", " : "", s->store != NULL ?
			     "the one meshdns started with" : "none");
	if (s->store != NULL && s->store_resync != cfg->store_resync)
		text_appendf(buf, size, &off, "%sstore.resync (in effect: "
			     "%" PRIu32 "s)", n++ ? ", " : "", s->store_resync);
	return n;
}

/*
 * Warn when @cfg, the configuration a reload read, asks for what only a
 * restart can do: compared with what is in effect, not with the previous
 * snapshot, so that a key put back stops warning and a change stays
 * warned about on every reload until the restart.
 */
static void
warn_start_only(const struct reload *r, const struct config *cfg)
{
	char what[1024];

	if (start_only_changes(r, cfg, what, sizeof(what)) > 0)
		log_warning("reload, settings that apply at start only differ "
			    "from those in effect: %s; restart meshdns to "
			    "apply them", what);
}

/*
 * r->started: a copy of what the server was made from (the keys
 * start_only_changes() compares).  0 or -ENOMEM.
 */
static int
keep_started(struct reload *r, const struct config *cfg)
{
	struct config *s = config_new_default();

	if (s == NULL)
		return -ENOMEM;
	r->started = s;
	if (config_set_listen(s, cfg->listen, cfg->nlisten) < 0 ||
	    config_set_strings(&s->upstreams, &s->nupstreams, cfg->upstreams,
			       cfg->nupstreams) < 0 ||
	    config_set_strings(&s->forward_allow, &s->nforward_allow,
			       cfg->forward_allow, cfg->nforward_allow) < 0)
		return -ENOMEM;
	if (cfg->nhttp_listen > 0) {
		size_t i;

		s->http_listen = calloc(cfg->nhttp_listen,
					sizeof(*s->http_listen));
		if (s->http_listen == NULL)
			return -ENOMEM;
		for (i = 0; i < cfg->nhttp_listen; i++) {
			s->http_listen[i] = cfg->http_listen[i];
			s->http_listen[i].text = strdup(cfg->http_listen[i].text);
			s->nhttp_listen++;
			if (s->http_listen[i].text == NULL)
				return -ENOMEM;
		}
	}
	s->workers = cfg->workers;
	s->forward_timeout_ms = cfg->forward_timeout_ms;
	s->forward_max_inflight = cfg->forward_max_inflight;
	s->tcp_idle_ms = cfg->tcp_idle_ms;
	s->tcp_max = cfg->tcp_max;
	r->started_transfer = transfer_digest(cfg);
	if (config_set_string(&s->state_file, cfg->state_file) < 0 ||
	    config_set_string(&s->user, cfg->user) < 0 ||
	    config_set_string(&s->group, cfg->group) < 0 ||
	    config_set_string(&s->dnstap_socket, cfg->dnstap_socket) < 0 ||
	    config_set_string(&s->dnstap_identity, cfg->dnstap_identity) < 0 ||
	    config_set_string(&s->dnstap_version, cfg->dnstap_version) < 0)
		return -ENOMEM;
	if (cfg->store != NULL && config_set_string(&s->store, cfg->store) < 0)
		return -ENOMEM;
	s->store_resync = cfg->store_resync;
	return 0;
}

/* Room in r->retired for one more: 0, or -ENOMEM. */
static int
retired_room(struct reload *r)
{
	struct snapshot **v = NULL;
	size_t cap;

	if (r->nretired < r->retired_cap)
		return 0;
	cap = r->retired_cap > 0 ? 2 * r->retired_cap : 4;
	if ((v = realloc(r->retired, cap * sizeof(*v))) == NULL)
		return -ENOMEM;
	r->retired = v;
	r->retired_cap = cap;
	return 0;
}

/*
 * A build when the first deletion grace period of @s ends, as if SIGHUP
 * came then (a little after, so that the build sees it over).
 */
static void
arm_grace(struct reload *r, const struct snapshot *s)
{
	int64_t first = state_first_grace(s->state);
	double after;

	ev_timer_stop(r->loop, &r->grace);
	if (first == INT64_MAX)
		return;
	after = (double)first + (double)s->cfg->kuma_deletion_grace -
		ev_time() + 0.1;
	ev_timer_set(&r->grace, after > 0. ? after : 0., 0.);
	ev_timer_start(r->loop, &r->grace);
}

static void
swap(struct reload *r, struct snapshot *next)
{
	struct snapshot *old = r->current;
	const struct table *t = next->table;
	char times[200];
	char built[160];
	char zones[64];

	if (old != NULL && retired_room(r) < 0) {
		log_error("reload, out of memory; still serving generation "
			  "%llu", (unsigned long long)r->generation);
		snapshot_free(next);
		return;
	}
	next->generation = r->generation + 1;
	/* IXFR: the zones' changes, journalled before they are served. */
	transfer_record_changes(server_transfer(r->srv), old != NULL ?
				old->table : NULL, t, next->changes);
	server_publish(r->srv, t, next->generation);
	if (notify_update(r->notify, next->cfg, old ? old->table : NULL, t) < 0)
		log_error("NOTIFY: out of memory; some secondaries are not "
			  "told of this generation");
	r->generation = next->generation;
	if (old != NULL)
		warn_start_only(r, next->cfg);
	log_set_level(next->cfg->log_level);
	r->current = next;
	/* What the units took is in the snapshot served now. */
	resource_changes_clear(&r->unpublished);
	/* Before the trim; lazily when it will not be trimmed. */
	http_publish(r->http, next, applies_to(next));
	/* A full read's units: the files and rows as they are now (kept
	 * only when changes will be applied to them). */
	if (next->units != NULL) {
		resource_units_free(r->units);
		r->units = NULL;
		if (applies_to(next)) {
			r->units = next->units;
			r->units_seq = next->store_seq;
		} else {
			resource_units_free(next->units);
		}
		next->units = NULL;
	}
	update_watch(r, next->cfg);
	/* Workers may still be answering from the old table: later. */
	if (old != NULL) {
		r->retired[r->nretired++] = old;
		if (!ev_is_active(&r->reap))
			ev_timer_again(r->loop, &r->reap);
	}
	arm_grace(r, next);
	/* What only the build needed goes once the new table answers. */
	ev_timer_stop(r->loop, &r->trim);
	ev_timer_set(&r->trim, 0., 0.);
	ev_timer_start(r->loop, &r->trim);
	if (next->from_cache) {
		snprintf(times, sizeof(times), "read from the start-up cache "
			 "in %llu ms", (unsigned long long)
			 (next->load_us / 1000));
	} else {
		build_format_times(next, built, sizeof(built));
		snprintf(times, sizeof(times), "built in %s", built);
	}
	build_format_zones(next, zones, sizeof(zones));
	log_notice("serving generation %llu: %zu services, %zu "
		   "names, %zu records in %s; %s",
		   (unsigned long long)next->generation, next->service_count,
		   table_name_count(t), table_record_count(t), zones, times);
}

/* The cache writer: what write_cache() asked for, then tell the loop. */
static void *
cache_thread(void *arg)
{
	struct reload *r = arg;
	struct cache_job *j = &r->job;

	j->rc = cache_save(j->path, j->key, j->table, &j->info, j->err,
			   sizeof(j->err));
	ev_async_send(r->loop, &r->cache_done);
	return NULL;
}

/* A write ended (on the loop, the writer joined): what the file holds. */
static void
cache_written(struct reload *r)
{
	r->cache_snap = NULL;
	if (r->job.rc < 0) {
		log_warning("%s; the next start builds from the files",
			    r->job.err);
		r->cached = 0;
		return;
	}
	r->cached = 1;
	r->cached_key = r->job.key;
}

/*
 * Write @s to the start-up cache, unless the file already holds a table
 * under the same key (a reload that changed nothing, or the start read
 * it): the same inputs give the same table.  On the cache writer, unless
 * @now (at stop) or the thread cannot start; while a write runs, this one
 * waits for it (cache_done_cb writes the snapshot served then).
 */
static void
write_cache(struct reload *r, struct snapshot *s, int now)
{
	uint64_t key = build_cache_key(s->inputs, s->state_digest);
	struct cache_job *j = &r->job;
	int rc;

	if (r->cache_running) {
		r->cache_again = 1;
		return;
	}
	s->cacheable = 0;	/* written, or tried: once */
	if (r->started->state_file == NULL ||
	    cache_path(r->started->state_file, j->path, sizeof(j->path)) < 0 ||
	    (r->cached && r->cached_key == key && access(j->path, F_OK) == 0))
		return;
	j->key = key;
	j->table = s->table;
	j->info.nservices = s->service_count;
	j->info.nviews = s->nviews;
	j->rc = 0;
	j->err[0] = '\0';
	/* Kept alive until the write ends (reap_cb). */
	r->cache_snap = s;
	if (!now && (rc = thread_start_named(&r->cache_thread, "md-cache",
					     cache_thread, r)) == 0) {
		r->cache_running = 1;
		return;
	}
	j->rc = cache_save(j->path, j->key, j->table, &j->info, j->err,
			   sizeof(j->err));
	cache_written(r);
}

/* The cache writer ended: one more write when one was asked meanwhile. */
static void
cache_done_cb(struct ev_loop *loop, ev_async *w, int revents)
{
	struct reload *r = (struct reload *)((char *)w -
					     offsetof(struct reload,
						      cache_done));

	(void)loop;
	(void)revents;
	if (!r->cache_running)
		return;
	pthread_join(r->cache_thread, NULL);
	r->cache_running = 0;
	cache_written(r);
	/* A snapshot retired meanwhile may go now. */
	if (r->nretired > 0 && !ev_is_active(&r->reap))
		ev_timer_again(r->loop, &r->reap);
	if (r->cache_again) {
		r->cache_again = 0;
		if (r->current != NULL && r->current->cacheable)
			write_cache(r, r->current, 0);
	}
}

/*
 * Give what the builds and old tables used back to the system: the big
 * arrays' cache (bigarray.h), and glibc keeps freed memory in its arenas
 * until malloc_trim() (other libcs: nothing).
 */
static void
give_back_memory(void)
{
	bigarray_trim();
#ifdef HAVE_MALLOC_TRIM
	malloc_trim(0);
#endif
}

/*
 * Will the next change be applied to @s (build_apply(): watched files, or
 * a store)?  Then it keeps its per-service results: the next build takes
 * the names and VIPs of the services the changes do not touch from them.
 */
static int
applies_to(const struct snapshot *s)
{
	return (s->cfg->watch && s->cfg->nresources > 0) ||
	       s->cfg->store != NULL;
}

/*
 * Free what serving does not need (the resources, the per-service results)
 * of the snapshot being served, unless changes will be applied to it:
 * after it was published, so that neither the start nor a reload waits
 * for it.
 */
static void
trim_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct reload *r = (struct reload *)((char *)w -
					     offsetof(struct reload, trim));
	struct snapshot *s = r->current;
	const struct config *cfg = NULL;
	const struct table *table = NULL;
	const struct state *state = NULL;
	uint64_t inputs;
	uint64_t state_digest;
	size_t errors;

	if (s == NULL)
		return;
	/* A build thread may be reading s right now: what it reads must
	 * come out of the trim untouched (reload.h). */
	cfg = s->cfg;
	table = s->table;
	state = s->state;
	inputs = s->inputs;
	state_digest = s->state_digest;
	errors = s->errors;
	if (!applies_to(s))
		snapshot_trim(s);
	assert(s->cfg == cfg && s->table == table && s->state == state);
	assert(s->inputs == inputs && s->state_digest == state_digest &&
	       s->errors == errors);
	/*
	 * Changes applied one after the other (a watched file, the store)
	 * would each write the whole table to the cache and walk malloc's
	 * arenas, on the loop that publishes the next one: that waits until
	 * they pause.  A cache older than the state is never read (its key
	 * is the inputs' and the state's), so the next start builds then.
	 */
	if (applies_to(s)) {
		ev_timer_stop(r->loop, &r->settle);
		ev_timer_set(&r->settle, SETTLE_S, 0.);
		ev_timer_start(r->loop, &r->settle);
		return;
	}
	if (s->cacheable)
		write_cache(r, s, 0);
	give_back_memory();
}

/* Changes paused: cache the snapshot served and give memory back. */
static void
settle_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct reload *r = (struct reload *)((char *)w -
					     offsetof(struct reload, settle));

	if (r->current != NULL && r->current->cacheable)
		write_cache(r, r->current, 0);
	give_back_memory();
}

/* The reaper: free a batch, give memory back when asked, tell the loop. */
static void *
free_thread(void *arg)
{
	struct reload *r = arg;
	size_t i;

	for (i = 0; i < r->nfreeing; i++)
		snapshot_free(r->freeing[i]);
	if (r->free_trim)
		give_back_memory();
	ev_async_send(r->loop, &r->free_done);
	return NULL;
}

/* The batch is freed (joins the reaper); 0 when none ran. */
static int
free_join(struct reload *r)
{
	if (!r->free_running)
		return 0;
	pthread_join(r->free_thread, NULL);
	r->free_running = 0;
	r->nfreeing = 0;
	return 1;
}

static void
free_done_cb(struct ev_loop *loop, ev_async *w, int revents)
{
	struct reload *r = (struct reload *)((char *)w -
					     offsetof(struct reload,
						      free_done));

	(void)loop;
	(void)revents;
	free_join(r);
}

/*
 * Free the snapshots no thread can be reading any more (no worker, nor
 * the cache writer, nor the HTTP thread): on the reaper, or here when it
 * cannot start.  While a batch is being freed, the next waits.
 */
static void
reap_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct reload *r = (struct reload *)((char *)w -
					     offsetof(struct reload, reap));
	uint64_t oldest = server_oldest_in_use(r->srv);
	struct snapshot **v = NULL;
	size_t kept = 0;
	size_t i;

	if (r->free_running)
		return;
	if (r->freeing_cap < r->nretired) {
		if ((v = realloc(r->freeing, r->nretired * sizeof(*v))) != NULL) {
			r->freeing = v;
			r->freeing_cap = r->nretired;
		}
	}
	r->nfreeing = 0;
	for (i = 0; i < r->nretired; i++) {
		struct snapshot *s = r->retired[i];

		if (s->generation < oldest && s != r->cache_snap &&
		    !http_reading(r->http, s)) {
			if (r->nfreeing < r->freeing_cap)
				r->freeing[r->nfreeing++] = s;
			else
				snapshot_free(s);
		} else {
			r->retired[kept++] = s;
		}
	}
	r->nretired = kept;
	/* While changes are applied, the settle timer gives back. */
	r->free_trim = r->nretired == 0 && !ev_is_active(&r->settle);
	if (r->nretired == 0)
		ev_timer_stop(loop, w);
	if (r->nfreeing == 0) {
		if (r->free_trim)
			give_back_memory();
		return;
	}
	if (thread_start_named(&r->free_thread, "md-reap", free_thread,
			       r) == 0) {
		r->free_running = 1;
		return;
	}
	for (i = 0; i < r->nfreeing; i++)
		snapshot_free(r->freeing[i]);
	r->nfreeing = 0;
	if (r->free_trim)
		give_back_memory();
}

void
reload_notify_ready(struct reload *r)
{
	char status[256];
	char zones[64];

	build_format_zones(r->current, zones, sizeof(zones));
	snprintf(status, sizeof(status), "serving generation %llu: %zu "
		 "services, %zu names in %s",
		 (unsigned long long)r->generation, r->current->service_count,
		 table_name_count(r->current->table), zones);
	systemd_ready(status);
}

static void
done_cb(struct ev_loop *loop, ev_async *w, int revents)
{
	struct reload *r = (struct reload *)((char *)w -
					     offsetof(struct reload, done));
	struct snapshot *next = NULL;

	if (!r->running)
		return;
	pthread_join(r->thread, NULL);
	r->running = 0;
	next = r->result;
	r->result = NULL;
	building_clear(r);
	if (next != NULL)
		swap(r, next);
	if (r->pending) {
		r->pending = 0;
		start_build(r, 0);
	} else if (r->nwaiting > 0 || r->waiting_full || r->waiting_store) {
		start_build(r, 1);
	}
	if (!r->running && r->reloading) {
		r->reloading = 0;
		reload_notify_ready(r);
	}
}

/* The watcher's changes: build now, or after the build running. */
static void
watched_cb(void *arg, const struct build_path *paths, size_t n, int full)
{
	struct reload *r = arg;
	struct build_path *v = NULL;
	size_t i;

	if (n > 0) {
		v = realloc(r->waiting, (r->nwaiting + n) * sizeof(*v));
		if (v == NULL) {
			full = 1;
		} else {
			r->waiting = v;
			for (i = 0; i < n; i++) {
				v[r->nwaiting].group = paths[i].group;
				if ((v[r->nwaiting].path =
				     strdup(paths[i].path)) == NULL) {
					full = 1;
					break;
				}
				r->nwaiting++;
			}
		}
	}
	if (full)
		r->waiting_full = 1;
	if (n == 1)
		log_notice("watch, %s changed", paths[0].path);
	else if (n > 1)
		log_notice("watch, %zu paths changed (%s, ...)", n,
			   paths[0].path);
	if (!r->running)
		start_build(r, 1);
}

/*
 * Watch the resource paths of @cfg when it says so (watch: true), or
 * stop; made again when the paths change.
 */
static void
update_watch(struct reload *r, const struct config *cfg)
{
	char err[1024];
	int rc;

	if (r->watch != NULL && cfg->watch && watch_same(r->watch, cfg))
		return;
	watch_free(r->watch);
	r->watch = NULL;
	if (!cfg->watch || cfg->nresources == 0)
		return;
	rc = watch_new(&r->watch, r->loop, cfg, watched_cb, r, err,
		       sizeof(err));
	if (err[0] != '\0')
		log_warning("watch, %s", err);
	else if (rc == -ENOMEM)
		log_error("watch, out of memory: changes need SIGHUP");
}

static void
sighup_cb(struct ev_loop *loop, ev_signal *w, int revents)
{
	struct reload *r = (struct reload *)((char *)w -
					     offsetof(struct reload, sighup));

	log_notice("reload, SIGHUP received");
	systemd_reloading();
	r->reloading = 1;
	if (r->running) {
		r->pending = 1;
		return;
	}
	start_build(r, 0);
	if (!r->running) {
		r->reloading = 0;
		reload_notify_ready(r);
	}
}

void
reload_request(struct reload *r, const char *why)
{
	log_info("reload, %s", why);
	if (r->running) {
		r->pending = 1;
		return;
	}
	start_build(r, 0);
}

void
reload_store_changed(struct reload *r)
{
	log_info("store, the store changed: applying what changed");
	r->waiting_store = 1;
	if (!r->running)
		start_build(r, 1);
}

static void
grace_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct reload *r = (struct reload *)((char *)w -
					     offsetof(struct reload, grace));

	(void)loop;
	(void)revents;
	log_notice("reload, a deletion grace period ended");
	if (r->running) {
		r->pending = 1;
		return;
	}
	start_build(r, 0);
}

int
reload_new(struct reload **out, struct ev_loop *loop, struct server *srv,
	   const struct build_options *opt, struct snapshot *current,
	   struct http *http)
{
	struct reload *r = calloc(1, sizeof(*r));

	*out = NULL;
	if (r == NULL) {
		snapshot_free(current);
		return -ENOMEM;
	}
	r->loop = loop;
	r->srv = srv;
	r->opt = opt;
	r->http = http;
	r->current = NULL;
	if (keep_started(r, current->cfg) < 0 ||
	    notify_new(&r->notify, loop) < 0) {
		config_free(r->started);
		free(r);
		snapshot_free(current);
		return -ENOMEM;
	}
	if (http != NULL && http_metrics_add(http, reload_metrics, r) < 0) {
		config_free(r->started);
		notify_free(r->notify);
		free(r);
		snapshot_free(current);
		return -ENOMEM;
	}
	ev_init(&r->trim, trim_cb);
	ev_init(&r->settle, settle_cb);
	ev_init(&r->grace, grace_cb);
	if (current->from_cache) {
		r->cached = 1;
		r->cached_key = build_cache_key(current->inputs,
						current->state_digest);
	}
	swap(r, current);
	ev_signal_init(&r->sighup, sighup_cb, SIGHUP);
	ev_signal_start(loop, &r->sighup);
	ev_async_init(&r->done, done_cb);
	ev_async_start(loop, &r->done);
	ev_init(&r->reap, reap_cb);
	r->reap.repeat = 0.02;
	ev_async_init(&r->cache_done, cache_done_cb);
	ev_async_start(loop, &r->cache_done);
	ev_async_init(&r->free_done, free_done_cb);
	ev_async_start(loop, &r->free_done);
	*out = r;
	return 0;
}

void
reload_free(struct reload *r)
{
	size_t i;

	if (r == NULL)
		return;
	if (r->running) {
		pthread_join(r->thread, NULL);
		snapshot_free(r->result);
	}
	ev_signal_stop(r->loop, &r->sighup);
	ev_async_stop(r->loop, &r->done);
	ev_timer_stop(r->loop, &r->reap);
	ev_timer_stop(r->loop, &r->trim);
	ev_timer_stop(r->loop, &r->grace);
	/* The write running ends first. */
	if (r->cache_running) {
		pthread_join(r->cache_thread, NULL);
		r->cache_running = 0;
		cache_written(r);
	}
	ev_async_stop(r->loop, &r->cache_done);
	free_join(r);
	ev_async_stop(r->loop, &r->free_done);
	/* A cache still waiting for changes to pause: now, for the restart. */
	if ((ev_is_active(&r->settle) || r->cache_again) &&
	    r->current != NULL && r->current->cacheable)
		write_cache(r, r->current, 1);
	ev_timer_stop(r->loop, &r->settle);
	watch_free(r->watch);
	resource_units_free(r->units);
	resource_changes_clear(&r->unpublished);
	building_clear(r);
	waiting_clear(r);
	for (i = 0; i < r->nretired; i++)
		snapshot_free(r->retired[i]);
	free(r->retired);
	free(r->freeing);
	snapshot_free(r->current);
	config_free(r->started);
	notify_free(r->notify);
	free(r);
}
