/* SPDX-License-Identifier: MIT */
/* daemon.c -- the process: start-up, the run loop, --check and --status. */
#include "autoconfig.h"

#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#ifdef HAVE_MALLOPT
#include <malloc.h>
#endif
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <ev.h>

#include "build/build.h"
#include "build/cache.h"
#include "build/config.h"
#include "util/log.h"
#include "daemon/daemon.h"
#include "daemon/http.h"
#include "daemon/reload.h"
#include "daemon/source.h"
#include "daemon/server.h"
#include "daemon/privs.h"
#include "daemon/stats.h"
#include "daemon/systemd.h"
#include "daemon/transfer.h"
#include "build/snapshot.h"
#include "build/state.h"
#include "build/status.h"
#include "dns/wire.h"
#include "util/thread.h"
#include "util/yamlx.h"

static int load_upstreams(const struct config *cfg, struct netaddr_port **out,
			  const char ***files, size_t *n,
			  struct diag_list *d);

/*
 * The state to start from: the state file's, a fresh one when it is
 * missing or not configured; NULL when it is unreadable or corrupt (the
 * error in @d).
 */
static struct state *
load_state(const struct config *cfg, int quiet, uint64_t *digest,
	   struct diag_list *d)
{
	struct state *st = NULL;
	char err[1024];
	int fresh = 0;
	int rc;

	*digest = 0;
	if (cfg->state_file == NULL)
		return state_new();	/* preflight() warned */
	rc = state_load(&st, &fresh, cfg->state_file, err, sizeof(err),
			digest);
	if (rc < 0) {
		diag_error(d, NULL, 0, 0, "%s", err);
		return NULL;
	}
	if (rc > 0)
		diag_warning(d, NULL, 0, 0, "%s", err);
	if (fresh && !quiet)
		log_notice("state file %s does not exist: a fresh start",
			   cfg->state_file);
	return st;
}

/*
 * Start from the start-up cache when it was written for exactly the
 * inputs on disk now: 1 with *out, taking *cfg and *st over (set to
 * NULL); 0 when there is none to use (said at info level, or as a
 * warning when the file is there but unusable); -ENOMEM.
 */
static int
start_from_cache(const struct daemon_options *a, struct config **cfg,
		 struct state **st, uint64_t state, struct snapshot **out)
{
	const struct config *c = *cfg;
	struct table *t = NULL;
	struct cache_info info;
	const char *why = NULL;
	uint64_t t0 = build_clock_us();
	uint64_t inputs = 0;
	char path[4096];
	char err[1024];
	int rc;

	*out = NULL;
	if (!c->start_cache || c->state_file == NULL || state == 0 ||
	    a->opt.program_digest == 0 ||
	    cache_path(c->state_file, path, sizeof(path)) < 0)
		return 0;
	if (access(path, F_OK) < 0)
		return 0;	/* none yet: nothing to say */
	rc = reload_inputs_now(&inputs, &why, a->opt.program_digest, c, *st,
			       (int64_t)time(NULL));
	if (rc < 0)
		return rc;
	if (rc == 0) {
		log_info("start-up cache %s not used: %s", path, why);
		return 0;
	}
	rc = cache_load(path, build_cache_key(inputs, state), &t, &info, err,
			sizeof(err));
	if (rc == -ENOMEM)
		return rc;
	if (rc == 1) {
		log_info("start-up cache %s not used: %s", path, err);
		return 0;
	}
	if (rc < 0) {
		log_warning("start-up cache %s is unusable (%s): building from "
			    "the files", path, err);
		return 0;
	}
	rc = snapshot_from_cache(out, *cfg, *st, t, info.nservices,
				 info.nviews);
	*cfg = NULL;
	*st = NULL;
	if (rc < 0)
		return rc;
	(*out)->inputs = inputs;
	(*out)->state_digest = state;
	(*out)->load_us = build_clock_us() - t0;
	return 1;
}

/* "NAME" or "uid N": the user the start runs as, for messages. */
static const char *
run_as(char *buf, size_t size)
{
	struct passwd *pw = getpwuid(geteuid());

	if (pw != NULL)
		snprintf(buf, size, "%s", pw->pw_name);
	else
		snprintf(buf, size, "uid %ld", (long)geteuid());
	return buf;
}

/*
 * The state file's directory exists and the user we run as may create
 * files in it (the lock, the state written beside it and renamed, the
 * start-up cache); a lock file left there must be writable too.
 */
static void
check_state_dir(const char *path, struct diag_list *d)
{
	const char *slash = strrchr(path, '/');
	char dir[4096];
	char lock[4096];
	char who[128];
	struct stat st;

	if (slash == NULL)
		snprintf(dir, sizeof(dir), ".");
	else if (slash == path)
		snprintf(dir, sizeof(dir), "/");
	else
		snprintf(dir, sizeof(dir), "%.*s", (int)(slash - path), path);
	run_as(who, sizeof(who));
	if (stat(dir, &st) < 0) {
		if (errno == ENOENT)
			diag_error(d, NULL, 0, 0, "state file %s: its "
				   "directory %s does not exist; create it, "
				   "writable by %s (the user meshdns runs as)",
				   path, dir, who);
		else
			diag_error(d, NULL, 0, 0, "state file %s: cannot use "
				   "its directory %s (%s)", path, dir,
				   strerror(errno));
		return;
	}
	if (!S_ISDIR(st.st_mode)) {
		diag_error(d, NULL, 0, 0, "state file %s: %s is not a "
			   "directory", path, dir);
		return;
	}
	if (faccessat(AT_FDCWD, dir, W_OK | X_OK, AT_EACCESS) < 0) {
		diag_error(d, NULL, 0, 0, "state file %s: its directory %s is "
			   "not writable by %s, the user meshdns runs as (%s)",
			   path, dir, who, strerror(errno));
		return;
	}
	snprintf(lock, sizeof(lock), "%s.lock", path);
	if (faccessat(AT_FDCWD, lock, F_OK, AT_EACCESS) == 0 &&
	    faccessat(AT_FDCWD, lock, R_OK | W_OK, AT_EACCESS) < 0)
		diag_error(d, NULL, 0, 0, "state file %s: its lock file %s is "
			   "not writable by %s, the user meshdns runs as (%s)",
			   path, lock, who, strerror(errno));
}

/*
 * What the start needs around the config, checked by the start and by -t
 * (@check) alike: errors in @d when the start would fail, warnings when
 * it would run without names to serve.  No state file is a warning at the
 * start (VIPs will not survive a restart) but only a note from -t, which
 * is also run on a config alone, without the -s the start is given: not
 * counted, so -t --strict does not fail on it.
 */
static void
preflight(const struct config *cfg, int check, struct diag_list *d)
{
	struct privs p;
	char err[512];

	if (cfg->state_file == NULL && check)
		fprintf(stderr, "meshdns: note: no state file (state-file: "
			"or -s): VIPs would not survive a restart\n");
	else if (cfg->state_file == NULL)
		diag_warning(d, NULL, 0, 0, "no state file (state-file: or "
			     "-s): VIPs will not survive a restart");
	else
		check_state_dir(cfg->state_file, d);
	if (cfg->nresources == 0 && cfg->store == NULL)
		diag_warning(d, NULL, 0, 0, "no resources (resources: or -r): "
			     "the zones will have no service names");
	if (cfg->user == NULL && cfg->group != NULL)
		diag_error(d, NULL, 0, 0, "group: %s is set without user:; "
			   "name the user to run as too", cfg->group);
	else if (cfg->user != NULL &&
		 privs_lookup(&p, cfg->user, cfg->group, err,
			      sizeof(err)) < 0)
		diag_error(d, NULL, 0, 0, "%s", err);
}

/* Keep a second meshdns from using the same state file. */
static int
lock_state(const struct config *cfg)
{
	char path[4096];
	int fd;

	if (cfg->state_file == NULL)
		return -2;
	snprintf(path, sizeof(path), "%s.lock", cfg->state_file);
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0) {
		log_error("state file %s: cannot open its lock file %s (%s)",
			  cfg->state_file, path, strerror(errno));
		return -1;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		log_error("state file %s is in use by another meshdns (%s)",
			  cfg->state_file, strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

/*
 * -t: the upstreams forwarding would use, one line each (those of a
 * resolv.conf-format file marked with it), so that "-u resolv.conf"
 * shows what it found.
 */
static void
print_upstreams(const struct netaddr_port *ups, const char *const *files,
		size_t n)
{
	char text[128];
	size_t i;

	for (i = 0; i < n; i++)
		fprintf(stderr, "meshdns: forward, upstream %s%s%s%s\n",
			netaddr_port_format(&ups[i], text, sizeof(text)),
			files[i] != NULL ? " (from " : "",
			files[i] != NULL ? files[i] : "",
			files[i] != NULL ? ")" : "");
}

int
daemon_offline(const struct daemon_options *a)
{
	struct config *cfg = NULL;
	uint64_t state_digest = 0;
	struct state *st = NULL;
	struct snapshot *s = NULL;
	struct netaddr_port *ups = NULL;
	const char **files = NULL;
	struct diag_list first;
	struct diag_list diags;
	struct diag_list pre;
	size_t nups = 0;
	size_t errors;
	size_t warnings;
	int rc = 1;

	diag_list_init(&first);
	diag_list_init(&diags);
	diag_list_init(&pre);
	/* build_run() reads the config again and reports it: once is enough. */
	if (build_load_config(&cfg, &a->opt, &first) < 0) {
		diag_list_move(&diags, &first);
		goto out;
	}
	if (a->check) {
		preflight(cfg, 1, &pre);
		if (load_upstreams(cfg, &ups, &files, &nups, &pre) < 0)
			nups = 0;
	}
	if ((st = load_state(cfg, 1, &state_digest, &pre)) == NULL)
		goto out;
	if (build_run(&s, &a->opt, st, (int64_t)time(NULL), &diags) < 0)
		goto out;
	if (a->status && status_print(stdout, s) < 0) {
		log_error("cannot write the status (%s)", strerror(errno));
		goto out;
	}
	rc = s->errors > 0 || pre.errors > 0 ? 1 : 0;
out:
	/* The problems first, the summary last. */
	log_diags(&diags);
	log_diags(&pre);
	if (a->check && nups > 0)
		print_upstreams(ups, files, nups);
	if (a->check && s != NULL && a->opt.verbosity > 0) {
		char times[160];

		build_format_times(s, times, sizeof(times));
		fprintf(stderr, "meshdns: built in %s\n", times);
	}
	if (a->check) {
		errors = diags.errors + pre.errors;
		warnings = diags.n - diags.errors + pre.n - pre.errors;
		if (s != NULL) {
			char zones[64];

			build_format_zones(s, zones, sizeof(zones));
			fprintf(stderr, "meshdns: %zu services, %zu names in "
				"%s, ", s->nservices,
				table_name_count(s->table), zones);
		} else
			fprintf(stderr, "meshdns: ");
		fprintf(stderr, "%zu error%s, %zu warning%s%s\n", errors,
			errors == 1 ? "" : "s", warnings,
			warnings == 1 ? "" : "s",
			a->strict && warnings > 0 ?
			" (--strict: warnings fail the check)" : "");
		if (a->strict && warnings > 0)
			rc = 1;
	}
	diag_list_clear(&first);
	diag_list_clear(&diags);
	diag_list_clear(&pre);
	free(ups);
	free(files);
	snapshot_free(s);
	state_free(st);
	config_free(cfg);
	return rc;
}

/*
 * The pid file is opened before the privileges go (its directory, /run
 * say, is root's) and written after daemon(), so that it holds the
 * daemon's pid.  NULL with the error logged.
 */
static FILE *
open_pid_file(const char *path)
{
	FILE *fp = fopen(path, "w");

	if (fp == NULL)
		log_error("pid file, cannot write %s (%s)", path,
			  strerror(errno));
	return fp;
}

/* Write our pid into @fp, open_pid_file()'s, and close it. */
static int
write_pid_file(FILE *fp, const char *path)
{
	int bad = fprintf(fp, "%ld\n", (long)getpid()) < 0;

	if (fclose(fp) != 0 || bad) {
		log_error("pid file, cannot write %s (%s)", path,
			  strerror(errno));
		return -1;
	}
	return 0;
}

/*
 * user: and group:: become them, now that the sockets are bound and
 * before any thread starts; then the state file's directory must be
 * writable by whom meshdns now is (the state and the start-up cache are
 * written there on every reload).  0, or -1 with the error logged.
 */
static int
drop_privileges(const struct config *cfg, int lockfd)
{
	struct privs p;
	struct diag_list d;
	char err[512];
	int rc = -1;

	diag_list_init(&d);
	if (privs_lookup(&p, cfg->user, cfg->group, err, sizeof(err)) < 0) {
		log_error("%s", err);
		goto out;
	}
	/* The lock file root made: the user's, for its next start. */
	if (lockfd >= 0 && geteuid() == 0 && fchown(lockfd, p.uid, p.gid) < 0)
		log_warning("state file %s: cannot give its lock file to user "
			    "%s (%s)", cfg->state_file, p.name,
			    strerror(errno));
	if (privs_drop(&p, err, sizeof(err)) < 0) {
		log_error("%s", err);
		goto out;
	}
	log_info("running as user %s (uid %ld, gid %ld)", p.name,
		 (long)p.uid, (long)p.gid);
	if (cfg->state_file != NULL)
		check_state_dir(cfg->state_file, &d);
	log_diags(&d);
	if (d.errors == 0)
		rc = 0;
out:
	diag_list_clear(&d);
	return rc;
}

/* The listen addresses of @cfg (meshdns itself); NULL on ENOMEM. */
static struct netaddr_port *
own_addresses(const struct config *cfg)
{
	struct netaddr_port *v = calloc(cfg->nlisten + 1, sizeof(*v));
	size_t i;

	if (v == NULL)
		return NULL;
	for (i = 0; i < cfg->nlisten; i++) {
		v[i].addr = cfg->listen[i].addr;
		v[i].addrlen = cfg->listen[i].addrlen;
	}
	return v;
}

/*
 * The upstreams of forward.upstreams: addresses, and the nameservers of
 * /etc/resolv.conf for "resolv.conf" or of the file a path names
 * (meshdns itself left out).  With @files, (*files)[i] is the file
 * (*out)[i] came from (config_upstream_file(), owned by @cfg), NULL for
 * an address.  Problems go to @d: errors (-1: the start fails), warnings
 * (a nameserver skipped; no usable upstream at all).  -1 on ENOMEM too
 * (said in @d).
 */
static int
load_upstreams(const struct config *cfg, struct netaddr_port **out,
	       const char ***files, size_t *n, struct diag_list *d)
{
	struct netaddr_port *v = NULL;
	struct netaddr_port *own = NULL;
	const char **from = NULL;
	char err[256];
	size_t i;
	size_t j;
	int rc = -1;

	*out = NULL;
	*n = 0;
	if (files != NULL)
		*files = NULL;
	for (i = 0; i < cfg->nupstreams; i++) {
		const char *file = config_upstream_file(cfg->upstreams[i]);
		struct netaddr_port *more = NULL;
		size_t nmore = 0;

		if (file != NULL) {
			if (own == NULL && (own = own_addresses(cfg)) == NULL)
				goto oom;
			rc = netaddr_resolv_conf_load(&more, &nmore, file,
						      FORWARD_PORT, own,
						      cfg->nlisten, d);
			if (rc == -ENOMEM)
				goto oom;
			if (rc < 0) {
				diag_error(d, NULL, 0, 0, "forward, cannot read "
					   "%s (%s)", file, strerror(-rc));
				rc = -1;
				goto out;
			}
			rc = -1;	/* until the whole list is made */
		} else {
			if ((more = calloc(1, sizeof(*more))) == NULL)
				goto oom;
			nmore = 1;
			if (forward_upstream_parse(more, cfg->upstreams[i], err,
						   sizeof(err)) < 0) {
				diag_error(d, NULL, 0, 0, "forward, upstream "
					   "%s: %s", cfg->upstreams[i], err);
				free(more);
				goto out;
			}
		}
		if (nmore > 0) {
			struct netaddr_port *nv = realloc(
				v, (*n + nmore) * sizeof(*nv));
			const char **nf = NULL;

			if (nv != NULL)
				v = nv;
			if (nv != NULL)
				nf = realloc(from, (*n + nmore) * sizeof(*nf));
			if (nf == NULL) {
				free(more);
				goto oom;
			}
			from = nf;
			for (j = 0; j < nmore; j++) {
				from[*n] = file;
				v[(*n)++] = more[j];
			}
		}
		free(more);
	}
	if (cfg->nupstreams > 0 && *n == 0)
		diag_warning(d, NULL, 0, 0, "forward, no usable upstream: "
			     "names outside the served zones get REFUSED");
	rc = 0;
	goto out;
oom:
	diag_error(d, NULL, 0, 0, "out of memory");
out:
	free(own);
	if (rc < 0) {
		free(v);
		free(from);
		*n = 0;
		return -1;
	}
	*out = v;
	if (files != NULL)
		*files = from;
	else
		free(from);
	return 0;
}

static int
make_server(struct server **srv, const struct config *cfg)
{
	struct server_options o;
	struct netaddr_port *ups = NULL;
	struct netaddr_cidr *allow = NULL;
	struct diag_list d;
	char err[1024];
	char text[128];
	size_t nups = 0;
	size_t i;
	int rc = -1;

	memset(&o, 0, sizeof(o));
	diag_list_init(&d);
	o.workers = cfg->workers;
	if (o.workers == 0)
		o.workers = thread_cpus();
	if (load_upstreams(cfg, &ups, NULL, &nups, &d) < 0) {
		log_diags(&d);
		goto out;
	}
	log_diags(&d);
	if ((allow = calloc(cfg->nforward_allow + 1, sizeof(*allow))) == NULL)
		goto out;
	for (i = 0; i < cfg->nforward_allow; i++)
		if (netaddr_cidr_parse(&allow[i], cfg->forward_allow[i], err,
				       sizeof(err)) < 0)
			goto out;
	o.listen = cfg->listen;
	o.nlisten = cfg->nlisten;
	o.tcp_idle = cfg->tcp_idle_ms / 1000.0;
	o.tcp_max = cfg->tcp_max;
	o.upstreams = ups;
	o.nupstreams = nups;
	o.forward_timeout = cfg->forward_timeout_ms / 1000.0;
	o.forward_max_in_flight = cfg->forward_max_inflight;
	o.allow = allow;
	o.nallow = cfg->nforward_allow;
	if (transfer_new(&o.transfer, cfg, err, sizeof(err)) < 0) {
		log_error("%s", err);
		goto out;
	}
	o.dnstap_socket = cfg->dnstap_socket;
	o.dnstap_identity = cfg->dnstap_identity;
	o.dnstap_version = cfg->dnstap_version;
	if (server_new(srv, &o, err, sizeof(err)) < 0) {
		log_error("%s", err);
		goto out;
	}
	log_info("%zu worker thread%s", o.workers, o.workers == 1 ? "" : "s");
	if (o.dnstap_socket != NULL)
		log_notice("dnstap, frames to %s", o.dnstap_socket);
	for (i = 0; i < nups; i++)
		log_notice("forward, upstream %s",
			   netaddr_port_format(&ups[i], text, sizeof(text)));
	rc = 0;
out:
	diag_list_clear(&d);
	free(ups);
	free(allow);
	return rc;
}

/* SIGUSR1: the counters, one line. */
static void
stats_cb(struct ev_loop *loop, ev_signal *w, int revents)
{
	struct stats st;

	server_stats_get(w->data, &st);
	stats_log(&st);
}

static void
stop_cb(struct ev_loop *loop, ev_signal *w, int revents)
{
	log_notice("signal %d received, stopping", w->signum);
	ev_break(loop, EVBREAK_ALL);
}

/*
 * Say what was loaded and which names exist (the first few services), so
 * `make run` shows what to dig.
 */
static void
log_loaded(const struct snapshot *s)
{
	const char *first = NULL;
	struct netaddr_port l;
	struct netaddr a;
	char addr[128];
	char line[1024];
	size_t shown = 0;
	size_t i;
	size_t j;

	for (i = 0; i < s->nservices; i++) {
		const struct build_service *bs = &s->services[i];
		const struct hostname_result *h = &bs->hostnames;
		size_t off = 0;

		if (!netaddr_is_set(&bs->vips.vip) || h->naddresses == 0)
			continue;
		if (first == NULL)
			first = h->addresses[0].hostname;
		if (shown++ == 20) {
			log_info("... and more: meshdns --status shows all");
			continue;
		}
		if (shown > 20)
			continue;
		netaddr_format(&bs->vips.vip, addr, sizeof(addr));
		for (j = 0; j < h->naddresses && off < sizeof(line); j++)
			off += (size_t)snprintf(line + off, sizeof(line) - off,
						"%s%s", j ? ", " : "",
						h->addresses[j].hostname);
		log_info("%s %s (mesh %s): %s: %s",
			 resource_kind_name(bs->kind),
			 bs->meta->name, bs->meta->mesh, addr, line);
	}
	if (first == NULL || s->cfg->nlisten == 0)
		return;
	l.addr = s->cfg->listen[0].addr;
	l.addrlen = s->cfg->listen[0].addrlen;
	if (netaddr_from_sockaddr(&a, (const struct sockaddr *)&l.addr) < 0)
		return;
	log_notice("try: dig @%s -p %u %s", netaddr_format(&a, addr,
							    sizeof(addr)),
		   netaddr_port_number(&l), first);
}

/* The store changed: build (source.h). */
static void
store_changed(void *arg)
{
	reload_store_changed(arg);
}

int
daemon_run(struct daemon_options *a)
{
	struct ev_loop *loop = EV_DEFAULT;
	struct config *cfg = NULL;
	uint64_t state_digest = 0;
	struct state *st = NULL;
	char *state_path = NULL;
	struct snapshot *s = NULL;
	struct server *srv = NULL;
	struct reload *r = NULL;
	struct http *http = NULL;
	struct source *src = NULL;
	struct diag_list diags;
	struct diag_list config_diags;
	ev_signal sigterm;
	ev_signal sigint;
	ev_signal sigusr1;
	char err[1024];
	FILE *pidfp = NULL;
	int lockfd = -1;
	int rc = 1;
	size_t i;

	a->opt.program_digest = cache_program_digest(a->argc, a->argv);
	diag_list_init(&diags);
	diag_list_init(&config_diags);
	ev_signal_init(&sigterm, stop_cb, SIGTERM);
	ev_signal_init(&sigint, stop_cb, SIGINT);
	ev_signal_init(&sigusr1, stats_cb, SIGUSR1);
	if (build_load_config(&cfg, &a->opt, &diags) < 0) {
		log_diags(&diags);
		goto out;
	}
	/*
	 * A build reads the config again and says its warnings; only a
	 * start from the cache needs these.
	 */
	diag_list_move(&config_diags, &diags);
	log_set_level(cfg->log_level);
	preflight(cfg, 0, &diags);
	if (diags.errors > 0) {
		log_diags(&diags);
		goto out;
	}
	if ((lockfd = lock_state(cfg)) == -1)
		goto out;
	if (cfg->state_file != NULL &&
	    (state_path = strdup(cfg->state_file)) == NULL) {
		log_error("out of memory");
		goto out;
	}
	if ((st = load_state(cfg, 0, &state_digest, &diags)) == NULL) {
		log_diags(&diags);
		goto out;
	}
	if (cfg->store != NULL) {
		if (source_open(&src, cfg->store, cfg->store_resync,
				a->opt.keep_specs, cfg->zone, err,
				sizeof(err)) < 0) {
			log_error("%s", err);
			goto out;
		}
		a->opt.with_store_rows = source_with_rows;
		a->opt.store_arg = src;
	}
	if (cfg->store == NULL &&
	    start_from_cache(a, &cfg, &st, state_digest, &s) < 0) {
		log_error("out of memory");
		goto out;
	}
	if (s != NULL)
		diag_list_move(&diags, &config_diags);
	if (s == NULL &&
	    build_run(&s, &a->opt, st, (int64_t)time(NULL), &diags) < 0) {
		log_diags(&diags);
		goto out;
	}
	log_diags(&diags);
	if (s->errors > 0)
		log_warning("started with %zu error%s: the resources named "
			    "above are left out, and no VIP is released "
			    "until they are fixed", s->errors,
			    s->errors == 1 ? "" : "s");
	if (make_server(&srv, s->cfg) < 0)
		goto out;
	/* The HTTP endpoint's sockets now, before the privileges go (a bind
	 * failure stops the start), its thread after the signal watchers
	 * (http.h). */
	if (http_new(&http, s->cfg, srv, loop, err, sizeof(err)) < 0) {
		log_error("%s", err);
		goto out;
	}
	if (a->pid_file != NULL && (pidfp = open_pid_file(a->pid_file)) == NULL)
		goto out;
	if (s->cfg->user != NULL && drop_privileges(s->cfg, lockfd) < 0)
		goto out;
	/* As the user that writes it from now on; the files hold @st. */
	if (s->state_changed && s->cfg->state_file != NULL) {
		int saved = state_save(s->state, st, s->cfg->state_file, err,
				       sizeof(err), &state_digest);

		if (saved < 0) {
			log_error("%s", err);
			goto out;
		}
		if (saved > 0)
			log_warning("%s", err);
	}
	if (!s->from_cache)
		build_mark_cacheable(s, a->opt.program_digest, state_digest);
	for (i = 0; i < s->cfg->nlisten; i++)
		log_notice("listening on %s (udp, tcp)",
			   s->cfg->listen[i].text);
	if (a->foreground && !s->from_cache)
		log_loaded(s);
	if (!a->foreground) {
		if (daemon(0, 0) < 0) {
			log_error("cannot become a daemon (%s)",
				  strerror(errno));
			goto out;
		}
		log_init(s->cfg->log_level, 1);
		ev_loop_fork(loop);
	}
	if (pidfp != NULL) {
		int bad = write_pid_file(pidfp, a->pid_file) < 0;

		pidfp = NULL;
		if (bad)
			goto out;
	}
	if (reload_new(&r, loop, srv, &a->opt, s, http) < 0) {
		s = NULL;
		log_error("out of memory");
		goto out;
	}
	s = NULL;
	if (src != NULL && source_start(src, loop, store_changed, r) < 0) {
		log_error("store: cannot start following the store");
		goto out;
	}
	/* /metrics has the store's families, /ready waits for it. */
	if (http != NULL && src != NULL &&
	    (http_metrics_add(http, source_metrics, src) < 0 ||
	     http_ready_add(http, "store", source_ready, src) < 0)) {
		log_error("out of memory");
		goto out;
	}
	/* The watchers before any worker thread (see daemon.h). */
	sigusr1.data = srv;
	ev_signal_start(loop, &sigterm);
	ev_signal_start(loop, &sigint);
	ev_signal_start(loop, &sigusr1);
	if (server_start(srv, err, sizeof(err)) < 0 ||
	    http_start(http, err, sizeof(err)) < 0) {
		log_error("%s", err);
		goto out;
	}
	reload_notify_ready(r);
	ev_run(loop, 0);
	systemd_stopping();
	stats_cb(loop, &sigusr1, 0);
	rc = 0;
out:
	ev_signal_stop(loop, &sigterm);
	ev_signal_stop(loop, &sigint);
	ev_signal_stop(loop, &sigusr1);
	/* HTTP's threads first (they read the server's counters), then the
	 * workers: they read the snapshots reload owns; the build thread
	 * reports to the endpoint until reload_free() joins it. */
	http_stop(http);
	server_free(srv);
	reload_free(r);
	/* The build thread is gone: fold the journal into the state file. */
	if (rc == 0 && state_path != NULL &&
	    state_compact(state_path, err, sizeof(err)) < 0)
		log_warning("%s", err);
	free(state_path);
	http_free(http);
	source_free(src);
	a->opt.with_store_rows = NULL;
	a->opt.store_arg = NULL;
	snapshot_free(s);
	state_free(st);
	config_free(cfg);
	diag_list_clear(&diags);
	diag_list_clear(&config_diags);
	if (pidfp != NULL)
		fclose(pidfp);
	if (lockfd >= 0)
		close(lockfd);
	if (a->pid_file != NULL && rc == 0)
		unlink(a->pid_file);
	return rc;
}

void
daemon_options_clear(struct daemon_options *a)
{
	size_t i;

	free(a->opt.listen);
	for (i = 0; i < a->opt.nresources; i++)
		free(a->opt.resources[i]);
	free(a->opt.resources);
	free((char *)a->opt.config_file);
	free((char *)a->opt.state_file);
	for (i = 0; i < a->opt.nupstreams; i++)
		free(a->opt.upstreams[i]);
	free(a->opt.upstreams);
	free(a->pid_file);
}

/*
 * glibc's malloc, tuned so that a build's memory is given back once it is
 * freed.  Without mallopt() (another libc) the defaults stay.
 */
static void
tune_malloc(void)
{
#ifdef HAVE_MALLOPT
	/*
	 * Two arenas, whatever the number of cores: a choice of the design,
	 * not of one machine.  One arena is the main thread's (start-up,
	 * swaps, trims); with a second one the threads of a build (the
	 * build thread and the resource loaders) allocate beside it instead
	 * of all queueing for one lock.  glibc's
	 * default, an arena per thread up to 8 per core, would give every
	 * loader thread an arena of its own that keeps its share of a
	 * build's freed memory for good; more cores would mean more of that,
	 * not a faster build (the loaders share the second arena).  The
	 * workers do not allocate on the query path and need none.
	 */
	mallopt(M_ARENA_MAX, 2);
	/*
	 * Fixed thresholds: by default glibc raises them (up to 32 and 64
	 * MB) once a big block is freed, and malloc_trim() never shrinks the
	 * top of a thread's own arena, so what a build read on its second
	 * thread could stay resident for good (23 MB of 29 with 10 000
	 * services, in one start out of two).  Blocks of 1 MB and more (a
	 * file's text) are mapped on their own and given back when freed.
	 */
	mallopt(M_TRIM_THRESHOLD, 1 << 20);
	mallopt(M_MMAP_THRESHOLD, 1 << 20);
	/*
	 * No fastbins: small blocks freed into them never merge until
	 * malloc_trim() consolidates them into the top of a thread's arena,
	 * which it does not give back.  Freed at once instead, they merge
	 * and the arena shrinks as a build's leftovers are freed (25 MB
	 * instead of 44 with 100 000 services; the build is no slower: the
	 * per-thread cache still serves small blocks).
	 */
	mallopt(M_MXFAST, 0);
#endif
}

void
daemon_process_setup(void)
{
	signal(SIGPIPE, SIG_IGN);
	tune_malloc();
	/* Until the watchers are installed these must not kill us. */
	signal(SIGHUP, SIG_IGN);
	signal(SIGUSR1, SIG_IGN);
	log_init(LOG_LEVEL_INFO, 0);
}

void
daemon_print_version(FILE *fp)
{
	char yajl[32];

	yamlx_yajl_version(yajl, sizeof(yajl));
	fprintf(fp, "meshdns %s\nldns %s, libyaml %s, yajl %s, libev %d.%d\n",
		PACKAGE_VERSION, wire_ldns_version(), yamlx_libyaml_version(),
		yajl, ev_version_major(), ev_version_minor());
}
