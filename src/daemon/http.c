/* SPDX-License-Identifier: MIT */
/* http.c -- the HTTP endpoint: /metrics, /health, /ready, /, /status.json. */
#include "autoconfig.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <netinet/in.h>

#include <microhttpd.h>

#include "daemon/http.h"
#include "daemon/http_int.h"
#include "daemon/stats.h"
#include "util/dl.h"
#include "util/log.h"

#define HTTP_MAX_CONNECTIONS 64
#define HTTP_TIMEOUT 10			/* seconds a connection may idle */
#define HTTP_Q_MAX 256			/* longest ?q= taken */
/* Build durations: 1 ms to 65 s, doubling. */
#define HTTP_BUILD_BUCKETS 17

struct hook_metrics {
	void (*fn)(struct metrics *m, void *arg);
	void *arg;
};

struct hook_ready {
	char name[32];
	int (*fn)(void *arg);
	void *arg;
};

struct http {
	struct server *srv;
	struct ev_loop *loop;
	ev_timer tick;			/* the main loop is alive */
	_Atomic int64_t main_tick;	/* CLOCK_MONOTONIC seconds */
	int *fds;			/* listening sockets, until started */
	char **names;			/* their addresses */
	char server[300];		/* label: "dns://" first DNS address */
	struct MHD_Daemon **mhd;
	size_t n;
	struct hook_metrics *metrics_hooks;
	size_t nmetrics_hooks;
	struct hook_ready *ready_hooks;
	size_t nready_hooks;
	int64_t started;		/* Unix seconds */
	/* What the HTTP thread reads, written by the main thread and the
	 * build thread: under @lock. */
	pthread_mutex_t lock;
	struct http_view *view;
	int published;			/* a snapshot is served */
	/*
	 * A snapshot published lazily (http_publish()): its view is made
	 * on the HTTP thread when one is asked for (view_get()), one at a
	 * time (@render_lock); @rendering is the snapshot read meanwhile
	 * (http_reading()).
	 */
	const struct snapshot *snap;
	uint64_t snap_generation;
	int64_t snap_published;
	const struct snapshot *rendering;
	pthread_mutex_t render_lock;
	uint64_t reloads[3];		/* by enum http_build_result */
	uint64_t builds[2];		/* success, failure */
	uint64_t build_buckets[2][HTTP_BUILD_BUCKETS + 1];
	double build_seconds[2];
	int64_t last_build;		/* Unix seconds, 0: none */
	double last_build_seconds;
	enum http_build_result last_build_result;
	int64_t last_reload;
	enum http_build_result last_reload_result;
};

/*
 * libmicrohttpd, loaded by http_new() when http.listen: is set
 * (util/dl.h): without it meshdns maps neither it nor gnutls, p11-kit,
 * nettle, hogweed, gmp and the rest that gnutls pulls in.
 */
static struct {
	__typeof__(MHD_add_response_header) *add_response_header;
	__typeof__(MHD_create_response_from_buffer)
		*create_response_from_buffer;
	__typeof__(MHD_destroy_response) *destroy_response;
	__typeof__(MHD_get_version) *get_version;
	__typeof__(MHD_lookup_connection_value) *lookup_connection_value;
	__typeof__(MHD_queue_response) *queue_response;
	__typeof__(MHD_start_daemon) *start_daemon;
	__typeof__(MHD_stop_daemon) *stop_daemon;
} mhd;

static void
mhd_resolve(struct dl_lib *lib)
{
	mhd.add_response_header = dl_sym(lib, "MHD_add_response_header");
	mhd.create_response_from_buffer =
		dl_sym(lib, "MHD_create_response_from_buffer");
	mhd.destroy_response = dl_sym(lib, "MHD_destroy_response");
	mhd.get_version = dl_sym(lib, "MHD_get_version");
	mhd.lookup_connection_value =
		dl_sym(lib, "MHD_lookup_connection_value");
	mhd.queue_response = dl_sym(lib, "MHD_queue_response");
	mhd.start_daemon = dl_sym(lib, "MHD_start_daemon");
	mhd.stop_daemon = dl_sym(lib, "MHD_stop_daemon");
}

static struct dl_lib mhd_lib = {
	MHD_SONAME, MHD_PACKAGE, "http.listen", mhd_resolve,
	PTHREAD_MUTEX_INITIALIZER, NULL, NULL, 0
};

static const char *const result_names[] = { "success", "failure",
					    "unchanged" };

static int64_t
mono_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec;
}

static void
tick_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct http *h = w->data;

	atomic_store(&h->main_tick, mono_now());
}

/* --- the counters of builds and reloads */

static void
count_build(struct http *h, int failed, double seconds)
{
	unsigned i = 0;

	while (i < HTTP_BUILD_BUCKETS && seconds > 0.001 * (double)(1u << i))
		i++;
	h->builds[failed]++;
	h->build_buckets[failed][i]++;
	h->build_seconds[failed] += seconds;
	h->last_build = (int64_t)time(NULL);
	h->last_build_seconds = seconds;
	h->last_build_result = failed ? HTTP_BUILD_FAILURE : HTTP_BUILD_SUCCESS;
}

void
http_build_done(struct http *h, enum http_build_result r, double seconds)
{
	if (h == NULL)
		return;
	pthread_mutex_lock(&h->lock);
	h->reloads[r]++;
	h->last_reload = (int64_t)time(NULL);
	h->last_reload_result = r;
	if (r != HTTP_BUILD_UNCHANGED)
		count_build(h, r == HTTP_BUILD_FAILURE, seconds);
	pthread_mutex_unlock(&h->lock);
}

/* Make @v the current view (under h->lock); the old one to free, or NULL. */
static struct http_view *
view_set(struct http *h, struct http_view *v)
{
	struct http_view *old = h->view;

	h->view = v;
	if (old != NULL && --old->refs > 0)
		old = NULL;
	return old;
}

void
http_publish(struct http *h, const struct snapshot *s, int lazy)
{
	struct http_view *v = NULL;
	struct http_view *old = NULL;
	int64_t now = (int64_t)time(NULL);
	double seconds = 0;
	size_t i;

	if (h == NULL)
		return;
	if (!lazy && http_view_new(&v, s, now) < 0) {
		log_warning("http, out of memory: the status page still shows "
			    "generation %llu", h->view != NULL ?
			    (unsigned long long)h->view->generation : 0ULL);
		return;
	}
	pthread_mutex_lock(&h->lock);
	/* The start's build: a reload's is counted by http_build_done(). */
	if (!h->published && !s->from_cache) {
		for (i = 0; i < BUILD_NPHASES; i++)
			seconds += (double)s->phase_us[i] / 1e6;
		count_build(h, 0, seconds);
	}
	h->published = 1;
	h->snap = lazy ? s : NULL;
	h->snap_generation = s->generation;
	h->snap_published = now;
	if (!lazy)
		old = view_set(h, v);
	pthread_mutex_unlock(&h->lock);
	http_view_free(old);
}

int
http_reading(struct http *h, const struct snapshot *s)
{
	int rc;

	if (h == NULL)
		return 0;
	pthread_mutex_lock(&h->lock);
	rc = h->rendering == s;
	pthread_mutex_unlock(&h->lock);
	return rc;
}

/* Is the view behind the snapshot published lazily?  Under h->lock. */
static int
view_stale(const struct http *h)
{
	return h->snap != NULL && (h->view == NULL ||
				   h->view->generation != h->snap_generation);
}

/*
 * The view of the snapshot published lazily, made now (HTTP thread), one
 * at a time: the snapshot is not freed while @rendering names it.  Out of
 * memory: the old view stays.
 */
static void
view_render(struct http *h)
{
	const struct snapshot *s = NULL;
	struct http_view *v = NULL;
	struct http_view *old = NULL;
	int64_t published = 0;

	pthread_mutex_lock(&h->render_lock);
	pthread_mutex_lock(&h->lock);
	if (view_stale(h)) {
		s = h->snap;
		published = h->snap_published;
		h->rendering = s;
	}
	pthread_mutex_unlock(&h->lock);
	if (s != NULL && http_view_new(&v, s, published) < 0)
		log_warning("http, out of memory: the status page still "
			    "shows an older generation");
	pthread_mutex_lock(&h->lock);
	h->rendering = NULL;
	if (v != NULL)
		old = view_set(h, v);
	pthread_mutex_unlock(&h->lock);
	pthread_mutex_unlock(&h->render_lock);
	http_view_free(old);
}

/* The current view, with a reference (NULL: none yet). */
static struct http_view *
view_get(struct http *h)
{
	struct http_view *v = NULL;
	int stale;

	pthread_mutex_lock(&h->lock);
	stale = view_stale(h);
	pthread_mutex_unlock(&h->lock);
	if (stale)
		view_render(h);
	pthread_mutex_lock(&h->lock);
	if ((v = h->view) != NULL)
		v->refs++;
	pthread_mutex_unlock(&h->lock);
	return v;
}

static void
view_put(struct http *h, struct http_view *v)
{
	if (v == NULL)
		return;
	pthread_mutex_lock(&h->lock);
	if (--v->refs > 0)
		v = NULL;
	pthread_mutex_unlock(&h->lock);
	http_view_free(v);
}

/* --- /metrics */

static void
dns_metrics(struct metrics *m, const struct stats *st, const char *server)
{
	static const char *const protos[] = { "udp", "tcp" };
	static const char *const families[] = { "1", "2" };
	char le[32];
	uint64_t cum = 0;
	unsigned i;
	unsigned j;
	unsigned k;

	metrics_family(m, "meshdns_dns_requests_total", "counter",
		       "Requests read, by transport, address family (1 IPv4, "
		       "2 IPv6) and query type.");
	for (i = 0; i < 2; i++)
		for (j = 0; j < 2; j++)
			for (k = 0; k < STATS_NTYPES; k++)
				metrics_u64(m, "meshdns_dns_requests_total",
					    st->requests[i][j][k], "server",
					    server, "proto", protos[i],
					    "family", families[j], "type",
					    stats_type_name(k), NULL);
	metrics_family(m, "meshdns_dns_responses_total", "counter",
		       "Responses sent, by RCODE (forwarded ones included).");
	for (i = 0; i < STATS_NRCODES; i++)
		metrics_u64(m, "meshdns_dns_responses_total", st->rcodes[i],
			    "server", server, "rcode", stats_rcode_name(i),
			    NULL);
	metrics_family(m, "meshdns_dns_request_duration_seconds", "histogram",
		       "Time from reading a request to sending its answer, "
		       "for answers from the table (a UDP batch's answers "
		       "count the batch's time each).");
	for (i = 0; i < STATS_NBUCKETS; i++) {
		cum += st->duration_buckets[i];
		snprintf(le, sizeof(le), "%g", stats_bucket_le(i));
		metrics_u64(m, "meshdns_dns_request_duration_seconds_bucket",
			    cum, "server", server, "le", le, NULL);
	}
	cum += st->duration_buckets[STATS_NBUCKETS];
	metrics_u64(m, "meshdns_dns_request_duration_seconds_bucket", cum,
		    "server", server, "le", "+Inf", NULL);
	metrics_double(m, "meshdns_dns_request_duration_seconds_sum",
		       (double)st->duration_ns / 1e9, "server", server, NULL);
	metrics_u64(m, "meshdns_dns_request_duration_seconds_count", cum,
		    "server", server, NULL);
	metrics_family(m, "meshdns_dns_dropped_total", "counter",
		       "Requests dropped without an answer.");
	metrics_u64(m, "meshdns_dns_dropped_total", st->dropped, "server",
		    server, NULL);
	metrics_family(m, "meshdns_dnstap_dropped_total", "counter",
		       "dnstap frames dropped: no collector connected, or one "
		       "not keeping up.");
	metrics_u64(m, "meshdns_dnstap_dropped_total", st->dnstap_dropped,
		    NULL);
	metrics_family(m, "meshdns_dns_tcp_connections_total", "counter",
		       "TCP connections accepted.");
	metrics_u64(m, "meshdns_dns_tcp_connections_total",
		    st->tcp_connections, "server", server, NULL);
	metrics_family(m, "meshdns_forward_servfails_total", "counter",
		       "SERVFAILs made here: every upstream failed, or too "
		       "many queries waited.");
	metrics_u64(m, "meshdns_forward_servfails_total",
		    st->forward.servfails, NULL);
	metrics_family(m, "meshdns_forward_in_flight", "gauge",
		       "Queries waiting for an upstream now.");
	metrics_u64(m, "meshdns_forward_in_flight", st->forward.in_flight,
		    NULL);
}

/* Per upstream, as CoreDNS's forward plugin labels them: to. */
static void
forward_metrics(struct metrics *m, const struct server *srv)
{
	static const struct {
		const char *name;
		const char *help;
		size_t off;
	} fams[] = {
		{ "meshdns_forward_requests_total", "Attempts sent to each "
		  "upstream resolver.",
		  offsetof(struct forward_upstream_stats, queries) },
		{ "meshdns_forward_responses_total", "Each upstream's answers "
		  "passed on to clients.",
		  offsetof(struct forward_upstream_stats, answers) },
		{ "meshdns_forward_timeouts_total", "Each upstream's attempts "
		  "that ran out of time.",
		  offsetof(struct forward_upstream_stats, timeouts) },
		{ "meshdns_forward_failovers_total", "Moves away from each "
		  "upstream to the next one after a failed attempt.",
		  offsetof(struct forward_upstream_stats, failovers) },
	};
	size_t n = server_upstream_count(srv);
	struct forward_upstream_stats *up = NULL;
	size_t f;
	size_t i;

	if (n > 0 && (up = calloc(n, sizeof(*up))) == NULL)
		return;
	for (i = 0; i < n; i++)
		server_upstream_stats_get(srv, i, &up[i]);
	for (f = 0; f < sizeof(fams) / sizeof(fams[0]); f++) {
		metrics_family(m, fams[f].name, "counter", fams[f].help);
		for (i = 0; i < n; i++)
			metrics_u64(m, fams[f].name, *(const uint64_t *)(
					    (const char *)&up[i] + fams[f].off),
				    "to", up[i].to, NULL);
	}
	free(up);
}

static void
build_metrics(struct metrics *m, struct http *h)
{
	char le[32];
	unsigned r;
	unsigned i;

	metrics_family(m, "meshdns_reloads_total", "counter",
		       "Reloads (SIGHUP, a grace period ending), by result.");
	for (r = 0; r < 3; r++)
		metrics_u64(m, "meshdns_reloads_total", h->reloads[r],
			    "result", result_names[r], NULL);
	metrics_family(m, "meshdns_builds_total", "counter",
		       "Builds of a snapshot (the start's and the reloads'), "
		       "by result.");
	for (r = 0; r < 2; r++)
		metrics_u64(m, "meshdns_builds_total", h->builds[r], "result",
			    result_names[r], NULL);
	metrics_family(m, "meshdns_build_duration_seconds", "histogram",
		       "How long builds took, by result.");
	for (r = 0; r < 2; r++) {
		uint64_t cum = 0;

		for (i = 0; i < HTTP_BUILD_BUCKETS; i++) {
			cum += h->build_buckets[r][i];
			snprintf(le, sizeof(le), "%g",
				 0.001 * (double)(1u << i));
			metrics_u64(m, "meshdns_build_duration_seconds_bucket",
				    cum, "result", result_names[r], "le", le,
				    NULL);
		}
		cum += h->build_buckets[r][HTTP_BUILD_BUCKETS];
		metrics_u64(m, "meshdns_build_duration_seconds_bucket", cum,
			    "result", result_names[r], "le", "+Inf", NULL);
		metrics_double(m, "meshdns_build_duration_seconds_sum",
			       h->build_seconds[r], "result", result_names[r],
			       NULL);
		metrics_u64(m, "meshdns_build_duration_seconds_count", cum,
			    "result", result_names[r], NULL);
	}
	metrics_family(m, "meshdns_build_last_timestamp_seconds", "gauge",
		       "When the last build ended (Unix time; 0: none).");
	metrics_u64(m, "meshdns_build_last_timestamp_seconds",
		    (uint64_t)h->last_build, NULL);
	metrics_family(m, "meshdns_reload_last_timestamp_seconds", "gauge",
		       "When the last reload ended (Unix time; 0: none).");
	metrics_u64(m, "meshdns_reload_last_timestamp_seconds",
		    (uint64_t)h->last_reload, NULL);
}

static int
render_metrics(struct http *h, struct metrics *m)
{
	struct http_view *v = NULL;
	struct stats st;
	const char *server = h->server;
	size_t i;

	server_stats_get(h->srv, &st);
	metrics_family(m, "meshdns_build_info", "gauge",
		       "The version of meshdns, always 1.");
	metrics_u64(m, "meshdns_build_info", 1, "version", PACKAGE_VERSION,
		    "libmicrohttpd", mhd.get_version(), NULL);
	metrics_family(m, "meshdns_start_time_seconds", "gauge",
		       "When meshdns started (Unix time).");
	metrics_u64(m, "meshdns_start_time_seconds", (uint64_t)h->started,
		    NULL);
	metrics_family(m, "meshdns_workers", "gauge", "Worker threads.");
	metrics_u64(m, "meshdns_workers", server_workers(h->srv), NULL);
	dns_metrics(m, &st, server);
	forward_metrics(m, h->srv);
	pthread_mutex_lock(&h->lock);
	build_metrics(m, h);
	pthread_mutex_unlock(&h->lock);
	if ((v = view_get(h)) != NULL) {
		metrics_append(m, v->gauges.buf, v->gauges.len);
		view_put(h, v);
	}
	for (i = 0; i < h->nmetrics_hooks; i++)
		h->metrics_hooks[i].fn(m, h->metrics_hooks[i].arg);
	return metrics_failed(m);
}

/* --- /health and /ready */

/* 1 when alive; else why not, in @m. */
static int
healthy(struct http *h, struct metrics *m)
{
	int64_t now = mono_now();
	struct stats st;
	char line[128];
	int ok = 1;

	if (now - atomic_load(&h->main_tick) > HTTP_HEALTH_STALE) {
		metrics_append(m, "main loop: no tick\n", 19);
		ok = 0;
	}
	server_stats_get(h->srv, &st);
	if (server_workers(h->srv) > 0 &&
	    now - st.oldest_tick > HTTP_HEALTH_STALE) {
		snprintf(line, sizeof(line), "worker loop: no tick for %lld "
			 "s\n", (long long)(now - st.oldest_tick));
		metrics_append(m, line, strlen(line));
		ok = 0;
	}
	return ok;
}

static int
ready(struct http *h, struct metrics *m)
{
	size_t i;
	int ok = 1;
	int published;

	pthread_mutex_lock(&h->lock);
	published = h->published;
	pthread_mutex_unlock(&h->lock);
	if (!published) {
		metrics_append(m, "snapshot: not served yet\n", 25);
		ok = 0;
	}
	for (i = 0; i < h->nready_hooks; i++) {
		if (h->ready_hooks[i].fn(h->ready_hooks[i].arg))
			continue;
		metrics_append(m, h->ready_hooks[i].name,
			       strlen(h->ready_hooks[i].name));
		metrics_append(m, ": not ready\n", 12);
		ok = 0;
	}
	return ok;
}

/* --- the page */

static void
fmt_time(char *buf, size_t size, int64_t t)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (t == 0 || gmtime_r(&tt, &tm) == NULL)
		snprintf(buf, size, "never");
	else
		strftime(buf, size, "%Y-%m-%d %H:%M:%S UTC", &tm);
}

static void
status_line(struct http *h, const struct http_view *v, struct metrics *m)
{
	char buf[256];
	char when[64];

	pthread_mutex_lock(&h->lock);
	if (v != NULL) {
		fmt_time(when, sizeof(when), v->published);
		snprintf(buf, sizeof(buf), "<span>generation <b>%llu</b>, "
			 "served since %s</span>",
			 (unsigned long long)v->generation, when);
		metrics_append(m, buf, strlen(buf));
	}
	fmt_time(when, sizeof(when), h->last_build);
	if (h->last_build != 0)
		snprintf(buf, sizeof(buf), "<span>last build: %s, %.3f s, "
			 "<b class=\"%s\">%s</b></span>", when,
			 h->last_build_seconds, h->last_build_result ==
			 HTTP_BUILD_SUCCESS ? "okh" : "badh",
			 result_names[h->last_build_result]);
	else
		snprintf(buf, sizeof(buf), "<span>last build: none (read "
			 "from the start-up cache)</span>");
	metrics_append(m, buf, strlen(buf));
	fmt_time(when, sizeof(when), h->last_reload);
	snprintf(buf, sizeof(buf), "<span>last reload: %s%s%s</span>", when,
		 h->last_reload != 0 ? ", " : "", h->last_reload != 0 ?
		 result_names[h->last_reload_result] : "");
	metrics_append(m, buf, strlen(buf));
	pthread_mutex_unlock(&h->lock);
}

static int
render_page(struct http *h, const char *q, struct metrics *m)
{
	struct http_view *v = view_get(h);
	struct metrics status;
	int rc;

	metrics_init(&status);
	status_line(h, v, &status);
	rc = metrics_failed(&status) ? -ENOMEM :
		http_page(m, v, q, status.buf != NULL ? status.buf : "");
	metrics_clear(&status);
	view_put(h, v);
	return rc;
}

/* --- libmicrohttpd */

static enum MHD_Result
reply(struct MHD_Connection *conn, unsigned code, const char *type,
      const char *body, size_t len)
{
	struct MHD_Response *r = NULL;
	enum MHD_Result ret;

	r = mhd.create_response_from_buffer(len, (void *)body,
					     MHD_RESPMEM_MUST_COPY);
	if (r == NULL)
		return MHD_NO;
	mhd.add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	mhd.add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
	ret = mhd.queue_response(conn, code, r);
	mhd.destroy_response(r);
	return ret;
}

static enum MHD_Result
handle(void *cls, struct MHD_Connection *conn, const char *url,
       const char *method, const char *version, const char *upload_data,
       size_t *upload_data_size, void **con_cls)
{
	struct http *h = cls;
	struct metrics m;
	enum MHD_Result ret;
	const char *type = "text/plain; charset=utf-8";
	unsigned code = MHD_HTTP_OK;
	int head = strcmp(method, MHD_HTTP_METHOD_HEAD) == 0;

	(void)version;
	(void)upload_data;
	if (strcmp(method, MHD_HTTP_METHOD_GET) != 0 && !head)
		return reply(conn, MHD_HTTP_METHOD_NOT_ALLOWED, type,
			     "only GET and HEAD\n", 18);
	if (*upload_data_size != 0)
		return MHD_NO;
	(void)con_cls;
	metrics_init(&m);
	if (strcmp(url, "/metrics") == 0) {
		type = "text/plain; version=0.0.4; charset=utf-8";
		if (render_metrics(h, &m) < 0)
			code = MHD_HTTP_INTERNAL_SERVER_ERROR;
	} else if (strcmp(url, "/health") == 0) {
		if (!healthy(h, &m))
			code = MHD_HTTP_SERVICE_UNAVAILABLE;
		else
			metrics_append(&m, "OK", 2);
	} else if (strcmp(url, "/ready") == 0) {
		if (!ready(h, &m))
			code = MHD_HTTP_SERVICE_UNAVAILABLE;
		else
			metrics_append(&m, "OK", 2);
	} else if (strcmp(url, "/status.json") == 0) {
		struct http_view *v = view_get(h);

		type = "application/json";
		if (v == NULL) {
			code = MHD_HTTP_SERVICE_UNAVAILABLE;
			metrics_append(&m, "{\"error\":\"no snapshot is served "
				       "yet\"}\n", 37);
		} else {
			metrics_append(&m, v->json, v->json_len);
		}
		view_put(h, v);
	} else if (strcmp(url, "/") == 0) {
		const char *q = mhd.lookup_connection_value(
			conn, MHD_GET_ARGUMENT_KIND, "q");
		char qbuf[HTTP_Q_MAX + 1];

		if (q != NULL) {
			snprintf(qbuf, sizeof(qbuf), "%s", q);
			q = qbuf;
		}
		type = "text/html; charset=utf-8";
		if (render_page(h, q, &m) < 0)
			code = MHD_HTTP_INTERNAL_SERVER_ERROR;
	} else {
		code = MHD_HTTP_NOT_FOUND;
		metrics_append(&m, "not found; try /metrics, /health, /ready, "
			       "/ or /status.json\n", 59);
	}
	if (metrics_failed(&m)) {
		metrics_clear(&m);
		return reply(conn, MHD_HTTP_INTERNAL_SERVER_ERROR,
			     "text/plain", "out of memory\n", 14);
	}
	ret = reply(conn, code, type, m.buf != NULL ? m.buf : "", m.len);
	metrics_clear(&m);
	return ret;
}

static void
mhd_log(void *cls, const char *fmt, va_list ap)
{
	char line[512];

	(void)cls;
	vsnprintf(line, sizeof(line), fmt, ap);
	line[strcspn(line, "\n")] = '\0';
	log_debug("http, %s", line);
}

/* --- the endpoint */

static int
open_listener(const struct config_listen *l, char *err, size_t errsize)
{
	int fd;
	int one = 1;
	int e;

	fd = socket(l->addr.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		goto fail;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (l->addr.ss_family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
	if (bind(fd, (const struct sockaddr *)&l->addr, l->addrlen) < 0 ||
	    listen(fd, 64) < 0)
		goto fail;
	return fd;
fail:
	e = errno;
	if (fd >= 0)
		close(fd);
	{
		char msg[900];

		server_listen_error(msg, sizeof(msg), l, SOCK_STREAM, e);
		snprintf(err, errsize, "http.listen: %s", msg);
	}
	return -1;
}

int
http_new(struct http **out, const struct config *cfg, struct server *srv,
	 struct ev_loop *loop, char *err, size_t errsize)
{
	const struct config_listen *listen = cfg->http_listen;
	size_t n = cfg->nhttp_listen;
	struct http *h = NULL;
	size_t i;

	*out = NULL;
	if (n == 0)
		return 0;
	if (dl_load(&mhd_lib, err, errsize) < 0)
		return -1;
	if ((h = calloc(1, sizeof(*h))) == NULL) {
		snprintf(err, errsize, "out of memory");
		return -1;
	}
	pthread_mutex_init(&h->lock, NULL);
	pthread_mutex_init(&h->render_lock, NULL);
	h->srv = srv;
	h->loop = loop;
	h->started = (int64_t)time(NULL);
	snprintf(h->server, sizeof(h->server), "dns://%s", cfg->nlisten > 0 ?
		 cfg->listen[0].text : "");
	atomic_init(&h->main_tick, mono_now());
	ev_timer_init(&h->tick, tick_cb, 1., 1.);
	h->tick.data = h;
	h->fds = calloc(n, sizeof(*h->fds));
	h->names = calloc(n, sizeof(*h->names));
	h->mhd = calloc(n, sizeof(*h->mhd));
	if (h->fds == NULL || h->names == NULL || h->mhd == NULL) {
		http_free(h);
		snprintf(err, errsize, "out of memory");
		return -1;
	}
	for (i = 0; i < n; i++) {
		h->fds[i] = -1;
		if ((h->names[i] = strdup(listen[i].text)) == NULL) {
			h->n = i + 1;
			http_free(h);
			snprintf(err, errsize, "out of memory");
			return -1;
		}
		h->n = i + 1;
		if ((h->fds[i] = open_listener(&listen[i], err, errsize)) < 0) {
			http_free(h);
			return -1;
		}
	}
	*out = h;
	return 0;
}

int
http_start(struct http *h, char *err, size_t errsize)
{
	sigset_t all;
	sigset_t old;
	size_t i;
	int rc = 0;

	if (h == NULL)
		return 0;
	ev_timer_start(h->loop, &h->tick);
	/* MHD's threads start with every signal blocked (thread.h). */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	for (i = 0; i < h->n && rc == 0; i++) {
		h->mhd[i] = mhd.start_daemon(
			MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_AUTO |
			MHD_USE_ERROR_LOG, 0, NULL, NULL, handle, h,
			MHD_OPTION_LISTEN_SOCKET, h->fds[i],
			MHD_OPTION_CONNECTION_LIMIT,
			(unsigned)HTTP_MAX_CONNECTIONS,
			MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)HTTP_TIMEOUT,
			MHD_OPTION_EXTERNAL_LOGGER, mhd_log, NULL,
			MHD_OPTION_END);
		if (h->mhd[i] == NULL) {
			snprintf(err, errsize, "http.listen: cannot serve HTTP "
				 "on %s", h->names[i]);
			rc = -1;
		} else {
			h->fds[i] = -1;		/* MHD's now */
			log_notice("http on %s: /metrics /health /ready / "
				   "/status.json", h->names[i]);
		}
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return rc;
}

int
http_metrics_add(struct http *h, void (*fn)(struct metrics *m, void *arg),
		 void *arg)
{
	struct hook_metrics *v = NULL;

	if (h == NULL)
		return 0;
	v = realloc(h->metrics_hooks, (h->nmetrics_hooks + 1) * sizeof(*v));
	if (v == NULL)
		return -ENOMEM;
	h->metrics_hooks = v;
	v[h->nmetrics_hooks].fn = fn;
	v[h->nmetrics_hooks].arg = arg;
	h->nmetrics_hooks++;
	return 0;
}

int
http_ready_add(struct http *h, const char *name, int (*fn)(void *arg),
	       void *arg)
{
	struct hook_ready *v = NULL;

	if (h == NULL)
		return 0;
	v = realloc(h->ready_hooks, (h->nready_hooks + 1) * sizeof(*v));
	if (v == NULL)
		return -ENOMEM;
	h->ready_hooks = v;
	snprintf(v[h->nready_hooks].name, sizeof(v[h->nready_hooks].name),
		 "%s", name);
	v[h->nready_hooks].fn = fn;
	v[h->nready_hooks].arg = arg;
	h->nready_hooks++;
	return 0;
}

void
http_stop(struct http *h)
{
	size_t i;

	if (h == NULL || h->mhd == NULL)
		return;
	for (i = 0; i < h->n; i++) {
		if (h->mhd[i] != NULL)
			mhd.stop_daemon(h->mhd[i]);
		h->mhd[i] = NULL;
	}
}

void
http_free(struct http *h)
{
	size_t i;

	if (h == NULL)
		return;
	http_stop(h);
	for (i = 0; i < h->n; i++) {
		if (h->fds != NULL && h->fds[i] >= 0)
			close(h->fds[i]);
		if (h->names != NULL)
			free(h->names[i]);
	}
	if (h->loop != NULL)
		ev_timer_stop(h->loop, &h->tick);
	free(h->mhd);
	free(h->fds);
	free(h->names);
	free(h->metrics_hooks);
	free(h->ready_hooks);
	if (h->view != NULL && --h->view->refs == 0)
		http_view_free(h->view);
	pthread_mutex_destroy(&h->lock);
	pthread_mutex_destroy(&h->render_lock);
	free(h);
}
