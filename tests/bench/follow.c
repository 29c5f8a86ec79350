/* SPDX-License-Identifier: MIT */
/*
 * follow.c -- how long after a change is committed does meshdns answer it?
 *
 *   tests/bench/follow -p PORT [-c CONNINFO] [-r RATE] [-o OUT] PLAN
 *   tests/bench/follow -p PORT -S QNAME=WANT [-t MS] CMD [ARG...]
 *
 * The second form times a start: it runs CMD (fork and exec, stdout and
 * stderr both to this stderr), asks QNAME A every -i microseconds until the answer
 * says WANT, prints "start_ms=MS pid=PID" (from just before the fork) and
 * exits, leaving CMD running: the caller stops it by that pid.  When CMD
 * exits or does not answer within -t ms (default 600000) it prints
 * "start_ms=never pid=PID" and exits 1.
 *
 * PLAN has one change a line, tab-separated:
 *
 *   KIND  OP  TYPE  MESH  NAME  SPEC  LABELS  STATUS  PROBES
 *
 * KIND is a label for the report (vip, insert, delete, generator, ...).
 * OP is what is done, with the statements Kuma's store runs
 * (pkg/plugins/resources/postgres/pgx_store.go, as
 * shared/reference/kuma-sources.md section 1.3 gives them):
 *   insert   Kuma's Create: INSERT with version 0, creation and
 *            modification time now (UTC), a mesh-scoped row owned by its
 *            Mesh;
 *   update   Kuma's Update: the Get (spec, version, labels, status), then
 *            UPDATE ... SET spec, version = old + 1, modification_time,
 *            labels, status ... WHERE ... AND version = old.  "-" in SPEC,
 *            LABELS or STATUS keeps what the Get read (the VIP allocator
 *            changes only the status);
 *   delete   Kuma's Delete;
 *   rename   NAME is a file: SPEC ("\n" for a newline) is written to
 *            NAME.tmp, which is then renamed over NAME;
 *   inplace  NAME is a file: opened with O_TRUNC and SPEC written to it.
 * PROBES is "QNAME=WANT[,QNAME=WANT...]": WANT is the one IPv4 address
 * QNAME A must answer (exactly: NOERROR, every A record that address),
 * NX for NXDOMAIN, or ANY for NOERROR with at least one A record.
 *
 * The writer (the main thread) makes change k at t0 + k/RATE (every
 * statement autocommits: when PQexecPrepared returns, the COMMIT is done)
 * and stamps it.  A prober thread asks every probe of every stamped,
 * unanswered change over UDP at 127.0.0.1:PORT every -i microseconds
 * (default 250; at most -q queries a second in all, default 10000), and a
 * change is seen when each of its probes has had a correct answer: its
 * own WANT, or the WANT of a later committed change of the same QNAME
 * (that state can only be served once this change has been).  A change
 * not seen within -t ms (default 5000) of its commit is "never seen".
 *
 * Prints key=value lines: one per KIND and one for all ("follow kind=all
 * n= seen= never= p50_ms= p90_ms= p99_ms= max_ms=": percentiles over
 * every change, "never" where they fall on changes never seen), the writer's
 * ("writer rate= sql_p50_ms= sql_max_ms= late=") and the prober's
 * ("prober queries= answers= rtt_p50_ms= rtt_max_ms=": a query's time
 * from send to answer, the resolution of the figures above besides the
 * poll interval).  -o OUT gets one line a change: "k kind latency_ms" or
 * "k kind never".  Exit status 1 when the plan cannot be read or a
 * statement fails.  Never part of make check.
 */
#include "autoconfig.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <libpq-fe.h>
#include <math.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "util/thread.h"

#define MAX_PROBES 64		/* a change's probes */

struct probe {
	uint8_t wire[300];	/* the query */
	size_t len;
	size_t qlen;		/* the question's name, in wire */
	uint32_t want;		/* network order; with nx == 0 */
	int nx;			/* 1: NXDOMAIN; 2: any address */
	int change;
	int next;		/* the next probe of the same name, or -1 */
	int done;
	int64_t sent;		/* last query sent, ns */
};

struct change {
	char *kind, *op, *type, *mesh, *name, *spec, *labels, *status;
	int first, n;		/* its probes */
	int left;		/* probes not answered yet */
	_Atomic int64_t commit;	/* ns, 0 until committed */
	int64_t seen;		/* ns, 0 until seen; -1 never */
	double sql_ms;
};

static struct change *ch;
static size_t nch;
static struct probe *pr;
static size_t npr;
static atomic_size_t committed;
static atomic_int writer_done;
static int sock = -1;
static int64_t interval_ns = 250000;
static double max_qps = 10000;
static int64_t timeout_ns = 5000000000LL;
static uint64_t queries, answers;
static double *rtt;
static size_t nrtt, caprtt;

static int64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void
die(const char *what)
{
	fprintf(stderr, "follow: %s\n", what);
	exit(1);
}

static char *
xstrdup(const char *s)
{
	char *p = strdup(s);

	if (p == NULL)
		die("out of memory");
	return p;
}

/* "\n" in the plan's SPEC column is a newline, "\t" a tab. */
static void
unescape(char *s)
{
	char *o = s;

	for (; *s != '\0'; s++) {
		if (s[0] == '\\' && s[1] == 'n') {
			*o++ = '\n';
			s++;
		} else if (s[0] == '\\' && s[1] == 't') {
			*o++ = '\t';
			s++;
		} else {
			*o++ = *s;
		}
	}
	*o = '\0';
}

/* The query for @qname A (id: the probe's index). */
static void
make_query(struct probe *p, const char *qname, uint16_t id)
{
	uint8_t *w = p->wire;
	const char *s = qname, *dot;
	size_t n = 12, l;

	memset(w, 0, 12);
	w[0] = id >> 8;
	w[1] = id & 0xff;
	w[5] = 1;		/* QDCOUNT */
	while (*s != '\0') {
		dot = strchr(s, '.');
		l = dot != NULL ? (size_t)(dot - s) : strlen(s);
		if (l == 0 || l > 63 || n + l + 6 > sizeof(p->wire))
			die("a probe's name is not a DNS name");
		w[n++] = (uint8_t)l;
		memcpy(w + n, s, l);
		n += l;
		s += l;
		if (*s == '.')
			s++;
	}
	w[n++] = 0;
	p->qlen = n - 12;
	w[n++] = 0;
	w[n++] = 1;		/* A */
	w[n++] = 0;
	w[n++] = 1;		/* IN */
	p->len = n;
}

static void
add_probes(struct change *c, char *list)
{
	char *save = NULL, *item, *eq;
	struct probe *p;

	c->first = (int)npr;
	for (item = strtok_r(list, ",", &save); item != NULL;
	     item = strtok_r(NULL, ",", &save)) {
		if ((eq = strchr(item, '=')) == NULL)
			die("a probe is not QNAME=WANT");
		*eq = '\0';
		if (c->n == MAX_PROBES)
			die("too many probes for one change");
		if ((pr = realloc(pr, (npr + 1) * sizeof(*pr))) == NULL)
			die("out of memory");
		p = &pr[npr];
		memset(p, 0, sizeof(*p));
		p->change = (int)nch;
		p->next = -1;
		if (strcmp(eq + 1, "NX") == 0)
			p->nx = 1;
		else if (strcmp(eq + 1, "ANY") == 0)
			p->nx = 2;
		else if (inet_pton(AF_INET, eq + 1, &p->want) != 1)
			die("a probe's WANT is neither an IPv4 address nor NX");
		make_query(p, item, (uint16_t)npr);
		npr++;
		c->n++;
	}
	c->left = c->n;
	if (c->n == 0)
		die("a change without probes");
}

static void
read_plan(const char *path)
{
	FILE *f = fopen(path, "r");
	char *line = NULL, *col[9], *rest = NULL;
	size_t cap = 0, i, j;
	ssize_t len;
	struct change *c;

	if (f == NULL)
		die("cannot open the plan");
	while ((len = getline(&line, &cap, f)) > 0) {
		if (line[len - 1] == '\n')
			line[--len] = '\0';
		if (len == 0 || line[0] == '#')
			continue;
		rest = line;
		for (i = 0; i < 9; i++) {
			/* strsep keeps empty columns (a global row's mesh) */
			if ((col[i] = strsep(&rest, "\t")) == NULL)
				die("a plan line has fewer than 9 columns");
		}
		if ((ch = realloc(ch, (nch + 1) * sizeof(*ch))) == NULL)
			die("out of memory");
		c = &ch[nch];
		memset(c, 0, sizeof(*c));
		c->kind = xstrdup(col[0]);
		c->op = xstrdup(col[1]);
		c->type = xstrdup(col[2]);
		c->mesh = xstrdup(col[3]);
		c->name = xstrdup(col[4]);
		c->spec = xstrdup(col[5]);
		c->labels = xstrdup(col[6]);
		c->status = xstrdup(col[7]);
		unescape(c->spec);
		add_probes(c, col[8]);
		nch++;
	}
	free(line);
	fclose(f);
	/* Each probe's next probe of the same name. */
	for (i = 0; i < npr; i++)
		for (j = i + 1; j < npr; j++)
			if (pr[j].change != pr[i].change &&
			    pr[j].qlen == pr[i].qlen &&
			    strncasecmp((char *)pr[j].wire + 12,
					(char *)pr[i].wire + 12,
					pr[i].qlen) == 0) {
				pr[i].next = (int)j;
				break;
			}
}

/* ---- the writer */

static PGconn *db;

static void
prepare(const char *name, const char *sql)
{
	PGresult *r = PQprepare(db, name, sql, 0, NULL);

	if (PQresultStatus(r) != PGRES_COMMAND_OK) {
		fprintf(stderr, "follow: %s", PQerrorMessage(db));
		exit(1);
	}
	PQclear(r);
}

static void
db_open(const char *conninfo)
{
	db = PQconnectdb(conninfo);
	if (PQstatus(db) != CONNECTION_OK) {
		fprintf(stderr, "follow: %s", PQerrorMessage(db));
		exit(1);
	}
	prepare("create", "INSERT INTO resources (name, mesh, type, version, "
		"spec, creation_time, modification_time, owner_name, "
		"owner_mesh, owner_type, labels, status) VALUES ($1, $2, $3, "
		"$4, $5, $6, $7, $8, $9, $10, $11, $12)");
	prepare("get", "SELECT spec, version, creation_time, "
		"modification_time, labels, status FROM resources WHERE "
		"name=$1 AND mesh=$2 AND type=$3");
	prepare("update", "UPDATE resources SET spec=$1, version=$2, "
		"modification_time=$3, labels=$4, status=$5 WHERE name=$6 "
		"AND mesh=$7 AND type=$8 AND version=$9");
	prepare("delete", "DELETE FROM resources WHERE name=$1 AND type=$2 "
		"AND mesh=$3");
}

static PGresult *
exec(const char *stmt, int n, const char *const *v, ExecStatusType want)
{
	PGresult *r = PQexecPrepared(db, stmt, n, v, NULL, NULL, 0);

	if (PQresultStatus(r) != want) {
		fprintf(stderr, "follow: %s: %s", stmt, PQerrorMessage(db));
		exit(1);
	}
	return r;
}

static void
utc_now(char *buf, size_t cap)
{
	struct timespec ts;
	struct tm tm;
	size_t n;

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	n = strftime(buf, cap, "%Y-%m-%d %H:%M:%S", &tm);
	snprintf(buf + n, cap - n, ".%06ld", ts.tv_nsec / 1000);
}

static void
write_file(const struct change *c)
{
	char tmp[4096];
	const char *path = c->name;
	size_t len = strlen(c->spec);
	int fd;

	if (strcmp(c->op, "rename") == 0) {
		snprintf(tmp, sizeof(tmp), "%s.tmp", c->name);
		path = tmp;
	}
	if ((fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644)) < 0)
		die("cannot write the watched file");
	if (write(fd, c->spec, len) != (ssize_t)len)
		die("cannot write the watched file");
	close(fd);
	if (path == tmp && rename(tmp, c->name) < 0)
		die("cannot rename the watched file");
}

static void
apply(struct change *c)
{
	char ts[64], ver[32], oldver[32];
	PGresult *r = NULL, *u = NULL;
	int old;

	utc_now(ts, sizeof(ts));
	if (strcmp(c->op, "insert") == 0) {
		int global = c->mesh[0] == '\0';
		const char *v[12] = { c->name, c->mesh, c->type, "0", c->spec,
				      ts, ts, global ? NULL : c->mesh,
				      global ? NULL : "",
				      global ? NULL : "Mesh", c->labels,
				      c->status };

		r = exec("create", 12, v, PGRES_COMMAND_OK);
	} else if (strcmp(c->op, "update") == 0) {
		const char *g[3] = { c->name, c->mesh, c->type };
		const char *v[9];

		r = exec("get", 3, g, PGRES_TUPLES_OK);
		if (PQntuples(r) != 1)
			die("an update of a row that is not there");
		old = atoi(PQgetvalue(r, 0, 1));
		snprintf(ver, sizeof(ver), "%d", old + 1);
		v[0] = strcmp(c->spec, "-") == 0 ? PQgetvalue(r, 0, 0) :
		    c->spec;
		v[1] = ver;
		v[2] = ts;
		v[3] = strcmp(c->labels, "-") == 0 ? PQgetvalue(r, 0, 4) :
		    c->labels;
		v[4] = strcmp(c->status, "-") == 0 ? PQgetvalue(r, 0, 5) :
		    c->status;
		v[5] = c->name;
		v[6] = c->mesh;
		v[7] = c->type;
		snprintf(oldver, sizeof(oldver), "%d", old);
		v[8] = oldver;
		u = exec("update", 9, v, PGRES_COMMAND_OK);
		if (strcmp(PQcmdTuples(u), "1") != 0)
			die("an update lost its version race");
		PQclear(u);
	} else if (strcmp(c->op, "delete") == 0) {
		const char *v[3] = { c->name, c->type, c->mesh };

		r = exec("delete", 3, v, PGRES_COMMAND_OK);
	} else if (strcmp(c->op, "rename") == 0 ||
		   strcmp(c->op, "inplace") == 0) {
		write_file(c);
	} else {
		die("an unknown OP in the plan");
	}
	PQclear(r);
}

/* ---- the prober */

/* Skip a (possibly compressed) name at @d[*off]. */
static int
skip_name(const uint8_t *d, size_t len, size_t *off)
{
	while (*off < len) {
		uint8_t l = d[*off];

		if ((l & 0xc0) == 0xc0) {
			*off += 2;
			return *off <= len ? 0 : -1;
		}
		*off += 1 + l;
		if (l == 0)
			return 0;
	}
	return -1;
}

/*
 * Does the answer @d for @p's name say @want (or NXDOMAIN with @nx 1, an
 * address with @nx 2)?  Exactly: NOERROR and every A record is @want.
 */
static int
says(const uint8_t *d, size_t len, uint32_t want, int nx)
{
	size_t off = 12 + 0, an, i;
	int rcode = d[3] & 15, hits = 0;

	if (nx == 1)
		return rcode == 3;
	if (rcode != 0)
		return 0;
	an = (size_t)d[6] << 8 | d[7];
	if (skip_name(d, len, &off) < 0 || off + 4 > len)
		return 0;
	off += 4;
	for (i = 0; i < an; i++) {
		uint16_t type, rdlen;

		if (skip_name(d, len, &off) < 0 || off + 10 > len)
			return 0;
		type = (uint16_t)(d[off] << 8 | d[off + 1]);
		rdlen = (uint16_t)(d[off + 8] << 8 | d[off + 9]);
		off += 10;
		if (off + rdlen > len)
			return 0;
		if (type == 1) {
			if (rdlen != 4 ||
			    (nx == 0 && memcmp(d + off, &want, 4) != 0))
				return 0;
			hits++;
		}
		off += rdlen;
	}
	return hits > 0;
}

static void
answer(const uint8_t *d, size_t len, int64_t t)
{
	struct probe *p, *q;
	struct change *c;
	size_t idx;
	int ok;

	if (len < 12 || (d[2] & 0x80) == 0)
		return;
	idx = (size_t)(d[0] << 8 | d[1]);
	/* ids wrap at 65536: the name tells the probe */
	for (; idx < npr; idx += 65536) {
		p = &pr[idx];
		if (len >= 12 + p->qlen &&
		    strncasecmp((const char *)d + 12,
				(const char *)p->wire + 12, p->qlen) == 0)
			break;
	}
	if (idx >= npr)
		return;
	answers++;
	if (nrtt < caprtt && p->sent > 0)
		rtt[nrtt++] = (double)(t - p->sent) / 1e6;
	if (p->done)
		return;
	c = &ch[p->change];
	ok = says(d, len, p->want, p->nx);
	/* A later committed change of the same name is served: so is this. */
	for (q = p; !ok && q->next >= 0; ) {
		q = &pr[q->next];
		if (atomic_load(&ch[q->change].commit) == 0)
			break;
		ok = says(d, len, q->want, q->nx);
	}
	if (!ok)
		return;
	p->done = 1;
	if (--c->left == 0 && c->seen == 0)
		c->seen = t;
}

static void *
prober(void *arg)
{
	uint8_t buf[4096];
	size_t lo = 0, k, cursor = 0;
	double tokens = 0;
	int64_t last = now_ns(), t;
	int i;

	(void)arg;
	for (;;) {
		size_t top = atomic_load(&committed);
		struct pollfd pfd = { sock, POLLIN, 0 };
		struct timespec nap = { 0, 50000 };
		ssize_t n;

		t = now_ns();
		tokens += (double)(t - last) / 1e9 * max_qps;
		if (tokens > max_qps / 1000)
			tokens = max_qps / 1000;
		last = t;
		/* give up on the old ones, move past the seen ones */
		for (k = lo; k < top; k++) {
			struct change *c = &ch[k];

			if (c->seen == 0 && t - c->commit > timeout_ns)
				c->seen = -1;
		}
		while (lo < top && ch[lo].seen != 0)
			lo++;
		if (lo == top && atomic_load(&writer_done) &&
		    top == atomic_load(&committed))
			break;
		/* ask what is due, round robin from the cursor */
		if (cursor < lo || cursor >= top)
			cursor = lo;
		for (k = 0; k < top - lo && tokens >= 1; k++) {
			size_t ci = lo + (cursor - lo + k) % (top - lo);
			struct change *c = &ch[ci];

			if (c->seen != 0)
				continue;
			for (i = 0; i < c->n && tokens >= 1; i++) {
				struct probe *p = &pr[c->first + i];

				if (p->done || t - p->sent < interval_ns)
					continue;
				if (send(sock, p->wire, p->len, 0) ==
				    (ssize_t)p->len) {
					p->sent = t;
					queries++;
					tokens -= 1;
				}
			}
			cursor = ci + 1;
		}
		if (ppoll(&pfd, 1, &nap, NULL) > 0)
			while ((n = recv(sock, buf, sizeof(buf),
					 MSG_DONTWAIT)) > 0)
				answer(buf, (size_t)n, now_ns());
	}
	return NULL;
}

/* ---- a start */

static int
start(int port, char *want, char **cmd)
{
	struct sockaddr_in me;
	struct probe *p;
	uint8_t buf[4096];
	int64_t t0, t, limit;
	pid_t pid;
	ssize_t n;

	if (timeout_ns == 5000000000LL)
		timeout_ns = 600000000000LL;
	add_probes(&(struct change){ .n = 0 }, want);
	p = &pr[0];
	if ((sock = socket(AF_INET, SOCK_DGRAM, 0)) < 0)
		die("no UDP socket");
	memset(&me, 0, sizeof(me));
	me.sin_family = AF_INET;
	me.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	me.sin_port = htons((uint16_t)port);
	if (connect(sock, (struct sockaddr *)&me, sizeof(me)) < 0)
		die("cannot connect the UDP socket");
	t0 = now_ns();
	limit = t0 + timeout_ns;
	if ((pid = fork()) < 0)
		die("cannot fork");
	if (pid == 0) {
		/* its output goes where ours does not: our caller reads
		 * our stdout to its end, and CMD keeps running */
		close(sock);
		dup2(2, 1);
		execvp(cmd[0], cmd);
		_exit(127);
	}
	for (t = t0; t < limit; t = now_ns()) {
		struct pollfd pfd = { sock, POLLIN, 0 };
		struct timespec nap = { 0, interval_ns };

		if (waitpid(pid, NULL, WNOHANG) == pid)
			break;
		if (send(sock, p->wire, p->len, 0) < 0 && errno != ECONNREFUSED)
			die("cannot send");
		if (ppoll(&pfd, 1, &nap, NULL) <= 0)
			continue;
		while ((n = recv(sock, buf, sizeof(buf), MSG_DONTWAIT)) > 0 ||
		       (n < 0 && errno == ECONNREFUSED))
			if (n >= 12 && buf[0] == p->wire[0] &&
			    buf[1] == p->wire[1] &&
			    says(buf, (size_t)n, p->want, p->nx)) {
				printf("start_ms=%.1f pid=%ld\n",
				       (double)(now_ns() - t0) / 1e6, (long)pid);
				return 0;
			}
	}
	printf("start_ms=never pid=%ld\n", (long)pid);
	return 1;
}

/* ---- the report */

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double
pct(const double *v, size_t n, double q)
{
	size_t i;

	if (n == 0)
		return 0;
	i = (size_t)(q * (double)n + 0.999999);
	if (i > 0)
		i--;
	return v[i < n ? i : n - 1];
}

/* A percentile as printed: "never" past the changes seen. */
static const char *
fmt(char *buf, size_t cap, const double *v, size_t n, double q)
{
	double x = pct(v, n, q);

	if (n == 0 || x == HUGE_VAL)
		return "never";
	snprintf(buf, cap, "%.2f", x);
	return buf;
}

/*
 * One line for the changes of @kind (NULL: all).  The percentiles are
 * over every change, a change never seen counting as infinitely late:
 * p50 is "never" when fewer than half were seen.
 */
static void
report_kind(const char *kind)
{
	double *v = calloc(nch + 1, sizeof(*v));
	size_t n = 0, seen = 0, i;
	char b[4][32];

	if (v == NULL)
		die("out of memory");
	for (i = 0; i < nch; i++) {
		if (kind != NULL && strcmp(ch[i].kind, kind) != 0)
			continue;
		if (ch[i].seen > 0) {
			v[n++] = (double)(ch[i].seen - ch[i].commit) / 1e6;
			seen++;
		} else {
			v[n++] = HUGE_VAL;
		}
	}
	qsort(v, n, sizeof(*v), cmp_double);
	printf("follow kind=%s n=%zu seen=%zu never=%zu p50_ms=%s p90_ms=%s "
	       "p99_ms=%s max_ms=%s\n", kind ? kind : "all", n, seen,
	       n - seen, fmt(b[0], sizeof(b[0]), v, n, .5),
	       fmt(b[1], sizeof(b[1]), v, n, .9),
	       fmt(b[2], sizeof(b[2]), v, n, .99),
	       fmt(b[3], sizeof(b[3]), v, n, 1));
	free(v);
}

int
main(int argc, char **argv)
{
	const char *conninfo = NULL, *out = NULL;
	char *want = NULL;
	double rate = 100, *sql = NULL, span;
	int port = 0, opt, late = 0;
	struct sockaddr_in me;
	pthread_t th;
	int64_t t0;
	size_t k, i;
	FILE *f;

	while ((opt = getopt(argc, argv, "+p:c:r:o:i:q:t:S:")) != -1) {
		switch (opt) {
		case 'p':
			port = atoi(optarg);
			break;
		case 'c':
			conninfo = optarg;
			break;
		case 'r':
			rate = atof(optarg);
			break;
		case 'o':
			out = optarg;
			break;
		case 'i':
			interval_ns = atol(optarg) * 1000;
			break;
		case 'q':
			max_qps = atof(optarg);
			break;
		case 't':
			timeout_ns = atol(optarg) * 1000000LL;
			break;
		case 'S':
			want = optarg;
			break;
		default:
			fprintf(stderr, "usage: follow -p PORT [-c CONNINFO] "
				"[-r RATE] [-i US] [-q QPS] [-t MS] [-o OUT] "
				"PLAN\n");
			return 2;
		}
	}
	if (want != NULL && optind < argc && port > 0)
		return start(port, want, argv + optind);
	if (optind + 1 != argc || port <= 0 || rate <= 0 || max_qps < 1)
		die("usage: follow -p PORT [-c CONNINFO] [-r RATE] PLAN");
	read_plan(argv[optind]);
	if (nch == 0)
		die("the plan is empty");
	if (conninfo != NULL)
		db_open(conninfo);
	caprtt = 1000000;
	if ((rtt = calloc(caprtt, sizeof(*rtt))) == NULL ||
	    (sql = calloc(nch, sizeof(*sql))) == NULL)
		die("out of memory");
	if ((sock = socket(AF_INET, SOCK_DGRAM, 0)) < 0)
		die("no UDP socket");
	memset(&me, 0, sizeof(me));
	me.sin_family = AF_INET;
	me.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	me.sin_port = htons((uint16_t)port);
	if (connect(sock, (struct sockaddr *)&me, sizeof(me)) < 0)
		die("cannot connect the UDP socket");
	if (thread_start(&th, prober, NULL) != 0)
		die("no prober thread");
	t0 = now_ns();
	for (k = 0; k < nch; k++) {
		int64_t due = t0 + (int64_t)((double)k * 1e9 / rate), a;
		struct timespec ts = { due / 1000000000LL,
				       due % 1000000000LL };

		if (now_ns() > due + 1000000)
			late++;
		clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL);
		if (db == NULL && (strcmp(ch[k].op, "insert") == 0 ||
				   strcmp(ch[k].op, "update") == 0 ||
				   strcmp(ch[k].op, "delete") == 0))
			die("a store change needs -c CONNINFO");
		a = now_ns();
		apply(&ch[k]);
		atomic_store(&ch[k].commit, now_ns());
		sql[k] = (double)(ch[k].commit - a) / 1e6;
		atomic_store(&committed, k + 1);
	}
	span = (double)(now_ns() - t0) / 1e9;
	atomic_store(&writer_done, 1);
	pthread_join(th, NULL);
	if (db != NULL)
		PQfinish(db);
	close(sock);

	report_kind(NULL);
	for (k = 0; k < nch; k++) {
		for (i = 0; i < k; i++)
			if (strcmp(ch[i].kind, ch[k].kind) == 0)
				break;
		if (i == k)
			report_kind(ch[k].kind);
	}
	qsort(sql, nch, sizeof(*sql), cmp_double);
	printf("writer changes=%zu rate=%.1f sql_p50_ms=%.3f sql_max_ms=%.3f "
	       "late=%d\n", nch, span > 0 ? (double)nch / span : 0,
	       pct(sql, nch, .5), sql[nch - 1], late);
	qsort(rtt, nrtt, sizeof(*rtt), cmp_double);
	printf("prober queries=%llu answers=%llu rtt_p50_ms=%.3f "
	       "rtt_max_ms=%.3f interval_ms=%.3f\n",
	       (unsigned long long)queries, (unsigned long long)answers,
	       pct(rtt, nrtt, .5), nrtt ? rtt[nrtt - 1] : 0,
	       (double)interval_ns / 1e6);
	if (out != NULL) {
		if ((f = fopen(out, "w")) == NULL)
			die("cannot write -o");
		for (k = 0; k < nch; k++) {
			if (ch[k].seen > 0)
				fprintf(f, "%zu %s %.3f\n", k, ch[k].kind,
					(double)(ch[k].seen - ch[k].commit) /
					1e6);
			else
				fprintf(f, "%zu %s never\n", k, ch[k].kind);
		}
		fclose(f);
	}
	free(sql);
	return 0;
}
