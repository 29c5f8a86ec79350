/* SPDX-License-Identifier: MIT */
/*
 * state.c -- the state file: its text, SOA serials, and the file on disk
 * (read at start-up, replaced atomically).
 */

/*
 * The state file
 * --------------
 * Plain text, one record per line, fields separated by one space:
 *
 *	meshdns-state 1
 *	cursor 241.0.0.0/8 241.0.0.4
 *	assign 241.0.0.1 MeshService/default/redis
 *	assign 241.0.0.3 MeshService/default/web
 *	held 241.0.0.2 1700003600 MeshService/default/old
 *	serial mesh.local 1700000000 9f86d081884c7d65
 *	end 5 88374f6b
 *
 * "meshdns-state 1" names the format and its version; a newer version is
 * refused rather than misread.  Version 2 adds "generated" records and is
 * written only when there are some, so a state without them stays
 * readable by a meshdns that knows version 1 only.  The records are:
 *
 *	cursor <pool> <address>		where the next search of <pool> (its
 *					canonical CIDR) starts
 *	assign <address> <key>		<address> belongs to <key>
 *	held <address> <until> <key>	<address> was released by <key> and is
 *					given to nobody else before <until>
 *					(Unix seconds)
 *	serial <zone> <serial> <digest>	the SOA serial of <zone> and the
 *					64-bit digest (16 hex digits) of the
 *					content it was given for
 *	generated <mesh> <name> <since> <ports>
 *					(version 2) MeshService <name> of
 *					<mesh> was generated from Dataplanes
 *					with <ports> (build.c's text); <since>
 *					is "-" while it has Dataplanes, else
 *					when its deletion grace period began
 *					(Unix seconds)
 *
 * The last line is "end <records> <crc>": the number of records and the
 * CRC-32 (IEEE 802.3, as zlib's crc32(), 8 lowercase hex digits) of every
 * byte before the "end" line, header included.  A file cut short has no end
 * line; a damaged one fails the checksum.  Either stops start-up instead of
 * silently renumbering services.
 *
 * The records are written sorted (cursors by pool, assignments and then
 * held entries by address, IPv4 before IPv6, serials by zone, generated
 * MeshServices by mesh and name), so equal
 * states give byte-identical files.  Keys and zone names are never empty
 * and hold no white space or control characters.  An address is in at most
 * one assign or held record; a key has at most one assignment (a key may
 * have several held addresses, e.g. after its pinned address changed).
 */
#include "autoconfig.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <zlib.h>

#include "util/diag.h"
#include "util/digest.h"
#include "util/file.h"
#include "build/state.h"
#include "build/state_int.h"

/* How to recover, said the same way for every kind of bad file. */
#define RECOVERY "meshdns will not start, to keep every VIP where it is"
#define AFRESH "or move it aside to start afresh (every VIP will be " \
	"renumbered)"

/* fsync the directory of @path, so that the rename is on disk too. */
static int
sync_dir(const char *path)
{
	char *dir = NULL;
	char *slash = NULL;
	int fd = -1;
	int rc = -1;

	if ((dir = strdup(path)) == NULL) {
		errno = ENOMEM;
		goto out;
	}
	if ((slash = strrchr(dir, '/')) == NULL)
		strcpy(dir, ".");
	else if (slash == dir)
		slash[1] = '\0';
	else
		*slash = '\0';
	if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		goto out;
	/* Some file systems cannot sync a directory: nothing to do then. */
	if (fsync(fd) < 0 && errno != EINVAL)
		goto out;
	rc = 0;
out:
	if (fd >= 0)
		close(fd);
	free(dir);
	return rc;
}

#define STATE_HEADER	"meshdns-state 1"
#define STATE_HEADER2	"meshdns-state 2"

/* The state */

struct zone {
	char *name;
	uint32_t serial;
	uint64_t digest;
};

/*
 * What the files hold, as of the load or save of this state (or of the
 * one it was cloned from): the digest of that state (the sum described at
 * "The journal" below) and where the journal's next record goes.  Not
 * valid for a state that was never loaded or saved, or after a load that
 * found no journal: its next save writes the state file whole.
 */
struct disk {
	int valid;
	uint64_t digest;
	dev_t dev;		/* the journal's */
	ino_t ino;
	off_t end;		/* its good bytes: the next record goes here */
	off_t base_size;	/* the state file's size */
};

struct state {
	struct vip_table *vips;
	struct disk disk;
	struct zone *z;
	size_t nz;
	struct state_generated *gen;	/* sorted by mesh, name */
	size_t ngen;
};

static void
generated_free(struct state_generated *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free((char *)v[i].mesh);
		free((char *)v[i].name);
		free((char *)v[i].ports);
	}
	free(v);
}

static struct zone *
find_zone(const struct state *st, const char *name)
{
	size_t i;

	for (i = 0; i < st->nz; i++)
		if (strcmp(st->z[i].name, name) == 0)
			return &st->z[i];
	return NULL;
}

static int
add_zone(struct state *st, const char *name, uint32_t serial,
	 uint64_t digest)
{
	struct zone *z = NULL;
	char *n = NULL;

	if ((n = strdup(name)) == NULL)
		return -ENOMEM;
	if ((z = realloc(st->z, (st->nz + 1) * sizeof(*z))) == NULL) {
		free(n);
		return -ENOMEM;
	}
	st->z = z;
	z = &st->z[st->nz++];
	z->name = n;
	z->serial = serial;
	z->digest = digest;
	return 0;
}

struct state *
state_new(void)
{
	struct state *st = calloc(1, sizeof(*st));

	if (st == NULL)
		return NULL;
	if ((st->vips = vip_table_new()) == NULL) {
		free(st);
		return NULL;
	}
	return st;
}

void
state_free(struct state *st)
{
	size_t i;

	if (st == NULL)
		return;
	vip_table_free(st->vips);
	for (i = 0; i < st->nz; i++)
		free(st->z[i].name);
	free(st->z);
	generated_free(st->gen, st->ngen);
	free(st);
}

struct state *
state_clone(const struct state *st)
{
	struct state *c = NULL;
	size_t i;

	if ((c = calloc(1, sizeof(*c))) == NULL)
		return NULL;
	if ((c->vips = vip_table_clone(st->vips)) == NULL)
		goto fail;
	c->disk = st->disk;
	for (i = 0; i < st->nz; i++)
		if (add_zone(c, st->z[i].name, st->z[i].serial,
			     st->z[i].digest) < 0)
			goto fail;
	if (state_set_generated(c, st->gen, st->ngen) < 0)
		goto fail;
	return c;
fail:
	state_free(c);
	return NULL;
}

void
state_same_files(struct state *st, const struct state *prev)
{
	st->disk = prev->disk;
}

int
state_equal(const struct state *a, const struct state *b)
{
	size_t i;

	/*
	 * The zones first: a change that moves a name changes a serial,
	 * and the VIP table, the costly part, is then not walked.
	 */
	if (a->nz != b->nz || a->ngen != b->ngen)
		return 0;
	for (i = 0; i < a->nz; i++) {
		const struct zone *y = find_zone(b, a->z[i].name);

		if (y == NULL || y->serial != a->z[i].serial ||
		    y->digest != a->z[i].digest)
			return 0;
	}
	for (i = 0; i < a->ngen; i++) {
		const struct state_generated *x = &a->gen[i];
		const struct state_generated *y = &b->gen[i];

		if (strcmp(x->mesh, y->mesh) != 0 ||
		    strcmp(x->name, y->name) != 0 || x->since != y->since ||
		    strcmp(x->ports, y->ports) != 0)
			return 0;
	}
	return vip_table_equal(a->vips, b->vips);
}

struct vip_table *
state_vips(struct state *st)
{
	return st->vips;
}

int64_t
state_first_expiry(const struct state *st)
{
	return vip_table_first_expiry(st->vips);
}

/* Generated MeshServices */

static int
generated_cmp(const void *x, const void *y)
{
	const struct state_generated *a = x;
	const struct state_generated *b = y;
	int r;

	if ((r = strcmp(a->mesh, b->mesh)) != 0)
		return r;
	return strcmp(a->name, b->name);
}

const struct state_generated *
state_generated(const struct state *st, size_t *n)
{
	*n = st->ngen;
	return st->gen;
}

int
state_set_generated(struct state *st, const struct state_generated *v,
		    size_t n)
{
	struct state_generated *c = NULL;
	size_t i;
	int rc = -ENOMEM;

	for (i = 0; i < n; i++)
		if (!vip_word_ok(v[i].mesh) || !vip_word_ok(v[i].name) ||
		    !vip_word_ok(v[i].ports) || v[i].since < 0)
			return -EINVAL;
	if (n > 0 && (c = calloc(n, sizeof(*c))) == NULL)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		c[i].since = v[i].since;
		if ((c[i].mesh = strdup(v[i].mesh)) == NULL ||
		    (c[i].name = strdup(v[i].name)) == NULL ||
		    (c[i].ports = strdup(v[i].ports)) == NULL)
			goto fail;
	}
	if (n > 0)
		qsort(c, n, sizeof(*c), generated_cmp);
	rc = -EINVAL;
	for (i = 1; i < n; i++)
		if (generated_cmp(&c[i - 1], &c[i]) == 0)
			goto fail;
	generated_free(st->gen, st->ngen);
	st->gen = c;
	st->ngen = n;
	return 0;
fail:
	generated_free(c, n);
	return rc;
}

int64_t
state_first_grace(const struct state *st)
{
	int64_t first = INT64_MAX;
	size_t i;

	for (i = 0; i < st->ngen; i++)
		if (st->gen[i].since != 0 && st->gen[i].since < first)
			first = st->gen[i].since;
	return first;
}

/* Serials */

/* RFC 1982: a > b in serial number arithmetic (undefined cases: no). */
static int
serial_gt(uint32_t a, uint32_t b)
{
	uint32_t d = a - b;

	return d != 0 && d < 0x80000000u;
}

int
state_zone_serial(struct state *st, const char *zone, uint64_t digest,
		  uint32_t now, uint32_t *serial)
{
	struct zone *z = NULL;
	int rc;

	if (!vip_word_ok(zone))
		return -EINVAL;
	if ((z = find_zone(st, zone)) == NULL) {
		if ((rc = add_zone(st, zone, now != 0 ? now : 1, digest)) < 0)
			return rc;
		*serial = st->z[st->nz - 1].serial;
		return 0;
	}
	if (z->digest != digest) {
		/*
		 * max(old + 1, now), in serial arithmetic: @now only when it
		 * is definitely greater than the old serial, so secondaries
		 * always see an increase.
		 */
		z->serial = serial_gt(now, z->serial) ? now : z->serial + 1;
		z->digest = digest;
	}
	*serial = z->serial;
	return 0;
}

/* The text format */

struct buf {
	char *p;
	size_t n;
	size_t cap;
	int oom;
};

static void
buf_printf(struct buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void
buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	int len;

	if (b->oom)
		return;
	for (;;) {
		size_t room = b->cap - b->n;
		char *p = NULL;
		size_t cap;

		va_start(ap, fmt);
		len = vsnprintf(b->p != NULL ? b->p + b->n : NULL, room, fmt,
				ap);
		va_end(ap);
		if (len < 0) {
			b->oom = 1;
			return;
		}
		if ((size_t)len < room) {
			b->n += (size_t)len;
			return;
		}
		cap = b->cap ? b->cap * 2 : 4096;
		while (cap - b->n <= (size_t)len)
			cap *= 2;
		if ((p = realloc(b->p, cap)) == NULL) {
			b->oom = 1;
			return;
		}
		b->p = p;
		b->cap = cap;
	}
}

/* zlib's CRC-32 (IEEE 802.3), of any length. */
static uint32_t
crc32_ieee(const void *data, size_t len)
{
	const unsigned char *p = data;
	uLong crc = crc32(0L, Z_NULL, 0);

	while (len > 0) {
		uInt n = len > UINT_MAX ? UINT_MAX : (uInt)len;

		crc = crc32(crc, p, n);
		p += n;
		len -= n;
	}
	return (uint32_t)crc;
}

static int
cmp_entry(const void *x, const void *y)
{
	const struct vip_entry *a = *(const struct vip_entry *const *)x;
	const struct vip_entry *b = *(const struct vip_entry *const *)y;

	if (a->held != b->held)
		return a->held - b->held;
	return netaddr_cmp(&a->addr, &b->addr);
}

static int
cmp_cursor(const void *x, const void *y)
{
	const struct vip_cursor *a = *(const struct vip_cursor *const *)x;
	const struct vip_cursor *b = *(const struct vip_cursor *const *)y;

	return strcmp(a->pool, b->pool);
}

static int
cmp_zone(const void *x, const void *y)
{
	const struct zone *a = *(const struct zone *const *)x;
	const struct zone *b = *(const struct zone *const *)y;

	return strcmp(a->name, b->name);
}

/* One record line each, as the state file and the journal write them. */
static void
fmt_entry(struct buf *b, const struct vip_entry *e)
{
	char abuf[INET6_ADDRSTRLEN];

	netaddr_format(&e->addr, abuf, sizeof(abuf));
	if (e->held)
		buf_printf(b, "held %s %" PRId64 " %s\n", abuf, e->until,
			   e->key);
	else
		buf_printf(b, "assign %s %s\n", abuf, e->key);
}

static void
fmt_cursor(struct buf *b, const struct vip_cursor *c)
{
	char abuf[INET6_ADDRSTRLEN];

	buf_printf(b, "cursor %s %s\n", c->pool,
		   netaddr_format(&c->next, abuf, sizeof(abuf)));
}

static void
fmt_zone(struct buf *b, const struct zone *z)
{
	buf_printf(b, "serial %s %" PRIu32 " %016" PRIx64 "\n", z->name,
		   z->serial, z->digest);
}

static void
fmt_generated(struct buf *b, const struct state_generated *g)
{
	if (g->since != 0)
		buf_printf(b, "generated %s %s %" PRId64 " %s\n", g->mesh,
			   g->name, g->since, g->ports);
	else
		buf_printf(b, "generated %s %s - %s\n", g->mesh, g->name,
			   g->ports);
}

int
state_format(const struct state *st, char **out, size_t *len)
{
	const struct vip_entry **ev = NULL;
	const struct vip_cursor **cv = NULL;
	const struct zone **zv = NULL;
	struct buf b;
	size_t ne = vip_table_nentries(st->vips);
	size_t nc = vip_table_ncursors(st->vips);
	size_t records = ne + nc + st->nz + st->ngen;
	size_t i;
	int rc = -ENOMEM;

	memset(&b, 0, sizeof(b));
	*out = NULL;
	*len = 0;
	ev = malloc((ne + 1) * sizeof(*ev));
	cv = malloc((nc + 1) * sizeof(*cv));
	zv = malloc((st->nz + 1) * sizeof(*zv));
	if (ev == NULL || cv == NULL || zv == NULL)
		goto out;
	for (i = 0; i < ne; i++)
		ev[i] = vip_table_entry(st->vips, i);
	for (i = 0; i < nc; i++)
		cv[i] = vip_table_cursor(st->vips, i);
	for (i = 0; i < st->nz; i++)
		zv[i] = &st->z[i];
	qsort(ev, ne, sizeof(*ev), cmp_entry);
	qsort(cv, nc, sizeof(*cv), cmp_cursor);
	qsort(zv, st->nz, sizeof(*zv), cmp_zone);

	buf_printf(&b, "%s\n", st->ngen > 0 ? STATE_HEADER2 : STATE_HEADER);
	for (i = 0; i < nc; i++)
		fmt_cursor(&b, cv[i]);
	for (i = 0; i < ne; i++)
		fmt_entry(&b, ev[i]);
	for (i = 0; i < st->nz; i++)
		fmt_zone(&b, zv[i]);
	for (i = 0; i < st->ngen; i++)
		fmt_generated(&b, &st->gen[i]);
	if (b.oom)
		goto out;
	buf_printf(&b, "end %zu %08" PRIx32 "\n", records,
		   crc32_ieee(b.p, b.n));
	if (b.oom)
		goto out;
	*out = b.p;
	*len = b.n;
	b.p = NULL;
	rc = 0;
out:
	free(b.p);
	free(ev);
	free(cv);
	free(zv);
	return rc;
}

/* Digits only; at most @max. */
static int
parse_u64(const char *s, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;

	if (*s == '\0')
		return -1;
	for (; *s != '\0'; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		if (v > (max - (uint64_t)(*s - '0')) / 10)
			return -1;
		v = v * 10 + (uint64_t)(*s - '0');
	}
	*out = v;
	return 0;
}

static int
parse_i64(const char *s, int64_t *out)
{
	uint64_t v;

	if (*s == '-') {
		if (parse_u64(s + 1, (uint64_t)INT64_MAX + 1, &v) < 0)
			return -1;
		*out = v == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)v;
		return 0;
	}
	if (parse_u64(s, INT64_MAX, &v) < 0)
		return -1;
	*out = (int64_t)v;
	return 0;
}

/* Exactly @digits lowercase hex digits. */
static int
parse_hex(const char *s, size_t digits, uint64_t *out)
{
	uint64_t v = 0;
	size_t i;

	if (strlen(s) != digits)
		return -1;
	for (i = 0; i < digits; i++) {
		int d;

		if (s[i] >= '0' && s[i] <= '9')
			d = s[i] - '0';
		else if (s[i] >= 'a' && s[i] <= 'f')
			d = s[i] - 'a' + 10;
		else
			return -1;
		v = v << 4 | (uint64_t)d;
	}
	*out = v;
	return 0;
}

/*
 * Split @line at single spaces into at most @max fields.  Returns the
 * number of fields, or -1 on an empty field (two spaces, a leading or
 * trailing one) or too many fields; f[0] is set in any case.
 */
static int
split(char *line, char **f, int max)
{
	char *p = line;
	int n = 0;
	int i;

	f[0] = line;
	for (;;) {
		char *sp = strchr(p, ' ');

		if (n == max)
			return -1;
		f[n++] = p;
		if (sp == NULL)
			break;
		*sp = '\0';
		p = sp + 1;
	}
	for (i = 0; i < n; i++)
		if (*f[i] == '\0')
			return -1;
	return n;
}

static const struct {
	const char *name;
	int fields;
	const char *syntax;
} records[] = {
	{ "cursor", 3, "cursor <pool> <address>" },
	{ "assign", 3, "assign <address> <key>" },
	{ "held", 4, "held <address> <until> <key>" },
	{ "serial", 4, "serial <zone> <serial> <digest>" },
	{ "generated", 5, "generated <mesh> <name> <since> <ports>" },
};

/*
 * What vip_table_add*() returned after parse_record()'s own checks: they
 * leave only -ENOMEM, but say something should anything else come back.
 */
static int
table_rc(int rc, size_t lineno, char *err, size_t errsize)
{
	if (rc == 0 || rc == -ENOMEM)
		return rc;
	diag_printf(err, errsize, "line %zu: bad record (%s)", lineno,
		    strerror(-rc));
	return -1;
}

/* One record line (NUL-terminated, writable); 0, -1 with @err, -ENOMEM. */
/* A "generated" record's fields (f[1..4]); 0, -1 with @err, -ENOMEM. */
static int
parse_generated(struct state *st, char **f, size_t lineno, char *err,
		size_t errsize)
{
	struct state_generated *v = NULL;
	struct state_generated g;
	size_t i;

	memset(&g, 0, sizeof(g));
	g.mesh = f[1];
	g.name = f[2];
	g.ports = f[4];
	if (strcmp(f[3], "-") != 0 &&
	    (parse_i64(f[3], &g.since) < 0 || g.since <= 0)) {
		diag_printf(err, errsize, "line %zu: bad time \"%s\"", lineno,
			    f[3]);
		return -1;
	}
	for (i = 0; i < st->ngen; i++)
		if (generated_cmp(&st->gen[i], &g) == 0) {
			diag_printf(err, errsize, "line %zu: duplicate "
				    "generated MeshService %s/%s", lineno,
				    g.mesh, g.name);
			return -1;
		}
	/* Appended, sorted at the end of the parse. */
	if ((v = realloc(st->gen, (st->ngen + 1) * sizeof(*v))) == NULL)
		return -ENOMEM;
	st->gen = v;
	v = &st->gen[st->ngen];
	memset(v, 0, sizeof(*v));
	v->since = g.since;
	if ((v->mesh = strdup(g.mesh)) == NULL ||
	    (v->name = strdup(g.name)) == NULL ||
	    (v->ports = strdup(g.ports)) == NULL) {
		free((char *)v->mesh);
		free((char *)v->name);
		return -ENOMEM;
	}
	st->ngen++;
	return 0;
}

static int
parse_record(struct state *st, int version, char *line, size_t lineno,
	     char *err, size_t errsize)
{
	char *f[8];
	struct netaddr a;
	struct netaddr_cidr pool;
	char perr[160];
	const char *p = NULL;
	size_t r;
	int n;

	for (p = line; *p != '\0'; p++) {
		if ((unsigned char)*p < ' ' || *p == 0x7f) {
			diag_printf(err, errsize, "line %zu: control character in "
			       "the record", lineno);
			return -1;
		}
	}
	if (*line == '\0') {
		diag_printf(err, errsize, "line %zu: empty line", lineno);
		return -1;
	}
	n = split(line, f, 8);
	for (r = 0; r < sizeof(records) / sizeof(records[0]); r++)
		if (strcmp(f[0], records[r].name) == 0)
			break;
	if (r == sizeof(records) / sizeof(records[0])) {
		diag_printf(err, errsize, "line %zu: unknown record \"%s\"", lineno,
		       f[0]);
		return -1;
	}
	if (n != records[r].fields) {
		diag_printf(err, errsize, "line %zu: malformed record (expected "
		       "\"%s\")", lineno, records[r].syntax);
		return -1;
	}
	if (strcmp(f[0], "generated") == 0) {
		if (version < 2) {
			diag_printf(err, errsize, "line %zu: record \"%s\" "
				    "in a version 1 file", lineno, f[0]);
			return -1;
		}
		return parse_generated(st, f, lineno, err, errsize);
	}

	if (strcmp(f[0], "serial") == 0) {
		uint64_t serial;
		uint64_t digest;

		if (parse_u64(f[2], UINT32_MAX, &serial) < 0) {
			diag_printf(err, errsize, "line %zu: bad serial \"%s\"",
			       lineno, f[2]);
			return -1;
		}
		if (parse_hex(f[3], 16, &digest) < 0) {
			diag_printf(err, errsize, "line %zu: bad digest \"%s\"",
			       lineno, f[3]);
			return -1;
		}
		if (find_zone(st, f[1]) != NULL) {
			diag_printf(err, errsize, "line %zu: duplicate serial for "
			       "zone %s", lineno, f[1]);
			return -1;
		}
		return add_zone(st, f[1], (uint32_t)serial, digest);
	}

	if (strcmp(f[0], "cursor") == 0) {
		if (netaddr_cidr_parse(&pool, f[1], perr, sizeof(perr)) < 0) {
			diag_printf(err, errsize, "line %zu: bad pool (%s)", lineno,
			       perr);
			return -1;
		}
		if (strcmp(pool.text, f[1]) != 0) {
			diag_printf(err, errsize, "line %zu: pool %s is not "
			       "written as %s", lineno, f[1], pool.text);
			return -1;
		}
		if (netaddr_parse(&a, f[2]) < 0) {
			diag_printf(err, errsize, "line %zu: bad address \"%s\"",
			       lineno, f[2]);
			return -1;
		}
		if (!netaddr_cidr_contains(&pool, &a)) {
			diag_printf(err, errsize, "line %zu: cursor %s is outside "
			       "pool %s", lineno, f[2], f[1]);
			return -1;
		}
		if (vip_table_find_cursor(st->vips, pool.text) != NULL) {
			diag_printf(err, errsize, "line %zu: duplicate cursor for "
			       "pool %s", lineno, pool.text);
			return -1;
		}
		return table_rc(vip_table_add_cursor(st->vips, &pool, &a),
				lineno, err, errsize);
	}

	/* assign, held */
	if (netaddr_parse(&a, f[1]) < 0) {
		diag_printf(err, errsize, "line %zu: bad address \"%s\"", lineno,
		       f[1]);
		return -1;
	}
	if (vip_table_find_addr(st->vips, &a) != NULL) {
		char abuf[INET6_ADDRSTRLEN];

		diag_printf(err, errsize, "line %zu: duplicate address %s", lineno,
		       netaddr_format(&a, abuf, sizeof(abuf)));
		return -1;
	}
	if (strcmp(f[0], "held") == 0) {
		int64_t until;

		if (parse_i64(f[2], &until) < 0) {
			diag_printf(err, errsize, "line %zu: bad time \"%s\"",
			       lineno, f[2]);
			return -1;
		}
		return table_rc(vip_table_add(st->vips, &a, f[3], 1, until),
				lineno, err, errsize);
	}
	if (vip_table_find_key(st->vips, f[2]) != NULL) {
		diag_printf(err, errsize, "line %zu: duplicate assignment for %s",
		       lineno, f[2]);
		return -1;
	}
	return table_rc(vip_table_add(st->vips, &a, f[2], 0, 0), lineno, err,
			errsize);
}

static int
is_end_line(const char *p, size_t len)
{
	return len >= 3 && memcmp(p, "end", 3) == 0 &&
	       (len == 3 || p[3] == ' ');
}

int
state_parse(struct state **out, const char *text, size_t len, char *err,
	    size_t errsize)
{
	struct state *st = NULL;
	char *copy = NULL;
	char endline[64];
	char *f[4];
	const char *nl = NULL;
	size_t hlen;
	size_t pos;
	size_t lineno;
	size_t end_pos = 0;
	size_t end_line = 0;
	size_t end_len = 0;
	size_t nrecords;
	uint64_t count;
	uint64_t crc;
	int found = 0;
	int version = 1;
	int n;
	int rc = -1;

	*out = NULL;
	diag_printf(err, errsize, "no error");
	if (len == 0) {
		diag_printf(err, errsize, "line 1: empty file");
		goto out;
	}

	/* The header: the version decides how to read the rest. */
	nl = memchr(text, '\n', len);
	hlen = nl != NULL ? (size_t)(nl - text) : len;
	if (nl == NULL && hlen <= strlen(STATE_HEADER) &&
	    memcmp(text, STATE_HEADER, hlen) == 0) {
		diag_printf(err, errsize, "line 1: missing end line (file "
		       "truncated?)");
		goto out;
	}
	if (hlen == strlen(STATE_HEADER2) &&
	    memcmp(text, STATE_HEADER2, hlen) == 0)
		version = 2;
	else if (hlen != strlen(STATE_HEADER) ||
	    memcmp(text, STATE_HEADER, hlen) != 0) {
		const char *magic = "meshdns-state ";
		size_t ml = strlen(magic);

		size_t digits = ml;

		/* text has no NUL: count the digits within the line only. */
		while (digits < hlen && text[digits] >= '0' &&
		       text[digits] <= '9')
			digits++;
		if (hlen > ml && hlen < 32 && memcmp(text, magic, ml) == 0 &&
		    digits == hlen)
			diag_printf(err, errsize, "line 1: unsupported format "
			       "version %.*s (this meshdns reads versions 1 and 2)",
			       (int)(hlen - ml), text + ml);
		else
			diag_printf(err, errsize, "line 1: not a meshdns state "
			       "file (expected \"%s\")", STATE_HEADER);
		goto out;
	}

	/* The end line, and nothing after it. */
	pos = hlen + 1;
	lineno = 2;
	while (pos < len) {
		const char *p = text + pos;
		size_t ll;

		nl = memchr(p, '\n', len - pos);
		ll = nl != NULL ? (size_t)(nl - p) : len - pos;
		if (is_end_line(p, ll)) {
			found = 1;
			end_pos = pos;
			end_line = lineno;
			end_len = ll;
			break;
		}
		pos += ll + 1;
		lineno++;
	}
	if (!found) {
		/* lineno is the line the end line should have been. */
		if (text[len - 1] != '\n')
			lineno--;
		diag_printf(err, errsize, "line %zu: missing end line (file "
		       "truncated?)", lineno);
		goto out;
	}
	if (end_pos + end_len >= len) {
		diag_printf(err, errsize, "line %zu: missing end line (file "
		       "truncated?)", end_line);
		goto out;
	}
	if (end_pos + end_len + 1 < len) {
		diag_printf(err, errsize, "line %zu: data after the end line",
		       end_line + 1);
		goto out;
	}
	n = 0;
	if (end_len < sizeof(endline)) {
		memcpy(endline, text + end_pos, end_len);
		endline[end_len] = '\0';
		n = split(endline, f, 3);
	}
	if (n != 3 || parse_u64(f[1], SIZE_MAX, &count) < 0 ||
	    parse_hex(f[2], 8, &crc) < 0) {
		diag_printf(err, errsize, "line %zu: malformed end line (expected "
		       "\"end <records> <crc32>\")", end_line);
		goto out;
	}
	if (crc32_ieee(text, end_pos) != crc) {
		diag_printf(err, errsize, "line %zu: checksum mismatch", end_line);
		goto out;
	}
	nrecords = end_line - 2;
	if (count != nrecords) {
		diag_printf(err, errsize, "line %zu: the end line counts %" PRIu64
		       " records, the file has %zu", end_line, count,
		       nrecords);
		goto out;
	}

	/* The records. */
	rc = -ENOMEM;
	if ((st = state_new()) == NULL)
		goto out;
	if (vip_table_reserve(st->vips, nrecords) < 0)
		goto out;
	if ((copy = malloc(end_pos + 1)) == NULL)
		goto out;
	memcpy(copy, text, end_pos);
	copy[end_pos] = '\0';
	pos = hlen + 1;
	for (lineno = 2; lineno < end_line; lineno++) {
		char *line = copy + pos;
		/* Every line before the end line ends with a newline. */
		char *e = memchr(line, '\n', end_pos - pos);
		size_t ll = (size_t)(e - line);

		*e = '\0';
		if (memchr(line, '\0', ll) != NULL) {
			diag_printf(err, errsize, "line %zu: control character in "
			       "the record", lineno);
			rc = -1;
			goto out;
		}
		if ((rc = parse_record(st, version, line, lineno, err,
				       errsize)) < 0)
			goto out;
		pos += ll + 1;
	}
	if (st->ngen > 0)
		qsort(st->gen, st->ngen, sizeof(*st->gen), generated_cmp);
	*out = st;
	st = NULL;
	rc = 0;
out:
	if (rc == -ENOMEM)
		diag_printf(err, errsize, "out of memory");
	free(copy);
	state_free(st);
	return rc;
}

/*
 * The journal
 * -----------
 * Rewriting the whole state file for every applied change costs what the
 * file weighs (5 MB at 100,000 services) and three syncs.  Instead, a
 * save after the first appends what changed to "<path>.journal", syncs
 * it once, and rewrites the state file (compaction) only when the journal
 * has grown past the state file (or past 1 MiB, whichever is larger):
 *
 *	meshdns-journal 1 5e0c3f1a99d2b7c4
 *	change 5e0c3f1a99d2b7c4 0b9d6e3c41a8f207 3
 *	- serial mesh.local 1700000000 9f86d081884c7d65
 *	+ assign 241.0.0.5 MeshService/default/db
 *	+ serial mesh.local 1700000001 3ac1e05f0b2d9e11
 *	commit 6a09e667
 *
 * A state's digest is the sum (mod 2^64) of digest_bytes() of each of its
 * record lines, as the state file writes them, plus a constant: equal
 * states have equal digests however they were written, and a change's
 * digest follows from the lines it removes and adds, without looking at
 * the rest.  The header names the digest of the state the journal starts
 * from; each "change" record names the digests before and after it, its
 * number of lines, each one record line removed ("- ") or added ("+ "),
 * removals first, then "commit" and the CRC-32 of the record's bytes
 * before the commit line.
 *
 * Loading reads the state file, then replays the records that follow the
 * state it holds: from the start when the header names the state file's
 * digest, or after the record that ends at it (a compaction writes the
 * change to the journal first, then the state file, then a new journal:
 * a crash between the last two leaves a journal that passes through the
 * state file).  A journal that never passes through the state file
 * belongs to another one: refused.  A record cut short or failing its
 * checksum at the very end is a crash during a save, whose state was never
 * served (publishing follows the save): dropped, with a warning, and the
 * next save writes over it.  A damaged record followed by good ones is
 * corruption: refused, like a damaged state file.
 */
#define JOURNAL_HEADER	"meshdns-journal 1"
#define JOURNAL_HLEN	(sizeof(JOURNAL_HEADER) + 17)	/* " <16 hex>\n" */
#define JRECOVERY	"; " RECOVERY ": restore the state file and its " \
	"journal from one backup, or move both aside to start afresh " \
	"(every VIP will be renumbered)"

/* Journals up to this size are never compacted (state_int.h). */
static off_t journal_floor = 1024 * 1024;

void
state_set_journal_floor(size_t bytes)
{
	journal_floor = (off_t)bytes;
}

static uint64_t
digest_start(void)
{
	return digest_str(0, "meshdns-state");
}

static uint64_t
line_digest(const char *p, size_t len)
{
	return digest_bytes(0, p, len);
}

/* The digest of the state in a state file's text (state_parse() took it). */
static uint64_t
text_digest(const char *text, size_t len)
{
	const char *end = text + len;
	const char *p = memchr(text, '\n', len);
	uint64_t d = digest_start();

	for (p = p != NULL ? p + 1 : end; p < end;) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t ll = nl != NULL ? (size_t)(nl - p) : (size_t)(end - p);

		if (is_end_line(p, ll))
			break;
		d += line_digest(p, ll);
		p += ll + 1;
	}
	return d;
}

/* A change being made: its removals and additions, and the digest after. */
struct delta {
	struct buf rem;
	struct buf add;
	size_t n;
	uint64_t digest;
};

/* Start an op: "- " or "+ " in its buffer; *start is where the line goes. */
static struct buf *
op_start(struct delta *d, int op, size_t *start)
{
	struct buf *b = op == '-' ? &d->rem : &d->add;

	buf_printf(b, "%c ", op);
	*start = b->n;
	return b;
}

/* The line just written after op_start(): count it, move the digest. */
static void
op_end(struct delta *d, int op, const struct buf *b, size_t start)
{
	uint64_t h;

	if (b->oom)
		return;
	h = line_digest(b->p + start, b->n - start - 1);
	if (op == '-')
		d->digest -= h;
	else
		d->digest += h;
	d->n++;
}

static void
op_entry(struct delta *d, int op, const struct vip_entry *e)
{
	size_t start;
	struct buf *b = op_start(d, op, &start);

	fmt_entry(b, e);
	op_end(d, op, b, start);
}

static void
op_cursor(struct delta *d, int op, const struct vip_cursor *c)
{
	size_t start;
	struct buf *b = op_start(d, op, &start);

	fmt_cursor(b, c);
	op_end(d, op, b, start);
}

static void
op_zone(struct delta *d, int op, const struct zone *z)
{
	size_t start;
	struct buf *b = op_start(d, op, &start);

	fmt_zone(b, z);
	op_end(d, op, b, start);
}

static void
op_generated(struct delta *d, int op, const struct state_generated *g)
{
	size_t start;
	struct buf *b = op_start(d, op, &start);

	fmt_generated(b, g);
	op_end(d, op, b, start);
}

static int
entry_same(const struct vip_entry *x, const struct vip_entry *y)
{
	return netaddr_equal(&x->addr, &y->addr) && x->held == y->held &&
	       x->until == y->until &&
	       (x->key == y->key || strcmp(x->key, y->key) == 0);
}

/*
 * The entries of @a and @b that differ.  A build clones the table and
 * changes a few entries in place, so position by position the two are
 * mostly the same (and share their key strings): one pass over both
 * finds the few positions that differ, and only those are looked up by
 * address.  A table rebuilt in another order is still right, at the cost
 * of one look-up per entry.
 */
static int
delta_vips(struct delta *d, const struct vip_table *a,
	   const struct vip_table *b)
{
	size_t na = vip_table_nentries(a);
	size_t nb = vip_table_nentries(b);
	size_t n = na < nb ? na : nb;
	size_t *cand = NULL;
	size_t ncand = 0;
	size_t cap = 0;
	size_t i;
	size_t k;

	for (i = 0; i < n; i++) {
		const struct vip_entry *x = vip_table_entry(a, i);
		const struct vip_entry *y = vip_table_entry(b, i);
		size_t run = n - i < 256 ? n - i : 256;

		/*
		 * Equal bytes are the same entry (the key pointer too); a
		 * run that differs (a change, or only padding) is looked at
		 * entry by entry.
		 */
		if (i % 256 == 0 && memcmp(x, y, run * sizeof(*x)) == 0) {
			i += run - 1;
			continue;
		}
		if (entry_same(x, y))
			continue;
		if (ncand == cap) {
			size_t *v = NULL;

			cap = cap ? cap * 2 : 64;
			if ((v = realloc(cand, cap * sizeof(*v))) == NULL) {
				free(cand);
				return -ENOMEM;
			}
			cand = v;
		}
		cand[ncand++] = i;
	}
	/* Gone from @b: removed. */
	for (k = 0; k < ncand + (na - n); k++) {
		const struct vip_entry *x = NULL;

		i = k < ncand ? cand[k] : n + (k - ncand);
		x = vip_table_entry(a, i);
		if (vip_table_find_addr(b, &x->addr) == NULL)
			op_entry(d, '-', x);
	}
	/* New in @b: added; changed: removed and added. */
	for (k = 0; k < ncand + (nb - n); k++) {
		const struct vip_entry *x = NULL;
		const struct vip_entry *y = NULL;

		i = k < ncand ? cand[k] : n + (k - ncand);
		y = vip_table_entry(b, i);
		x = vip_table_find_addr(a, &y->addr);
		if (x != NULL && entry_same(x, y))
			continue;
		if (x != NULL)
			op_entry(d, '-', x);
		op_entry(d, '+', y);
	}
	free(cand);

	for (i = 0; i < vip_table_ncursors(a); i++) {
		const struct vip_cursor *x = vip_table_cursor(a, i);
		const struct vip_cursor *y = vip_table_find_cursor(b, x->pool);

		if (y == NULL || !netaddr_equal(&x->next, &y->next))
			op_cursor(d, '-', x);
		if (y != NULL && !netaddr_equal(&x->next, &y->next))
			op_cursor(d, '+', y);
	}
	for (i = 0; i < vip_table_ncursors(b); i++) {
		const struct vip_cursor *y = vip_table_cursor(b, i);

		if (vip_table_find_cursor(a, y->pool) == NULL)
			op_cursor(d, '+', y);
	}
	return 0;
}

static int
generated_same(const struct state_generated *x,
	       const struct state_generated *y)
{
	return x->since == y->since && strcmp(x->ports, y->ports) == 0;
}

/* What changed from @a to @b, into @d (its digest starts as @a's). */
static int
delta_make(struct delta *d, const struct state *a, const struct state *b)
{
	size_t i;
	size_t j;

	if (delta_vips(d, a->vips, b->vips) < 0)
		return -ENOMEM;
	for (i = 0; i < a->nz; i++) {
		const struct zone *y = find_zone(b, a->z[i].name);
		int same = y != NULL && y->serial == a->z[i].serial &&
			   y->digest == a->z[i].digest;

		if (!same)
			op_zone(d, '-', &a->z[i]);
		if (y != NULL && !same)
			op_zone(d, '+', y);
	}
	for (i = 0; i < b->nz; i++)
		if (find_zone(a, b->z[i].name) == NULL)
			op_zone(d, '+', &b->z[i]);
	/* Both sorted by mesh and name. */
	for (i = 0, j = 0; i < a->ngen || j < b->ngen;) {
		int c = i == a->ngen ? 1 : j == b->ngen ? -1 :
			generated_cmp(&a->gen[i], &b->gen[j]);

		if (c < 0) {
			op_generated(d, '-', &a->gen[i++]);
		} else if (c > 0) {
			op_generated(d, '+', &b->gen[j++]);
		} else {
			if (!generated_same(&a->gen[i], &b->gen[j])) {
				op_generated(d, '-', &a->gen[i]);
				op_generated(d, '+', &b->gen[j]);
			}
			i++;
			j++;
		}
	}
	return d->rem.oom || d->add.oom ? -ENOMEM : 0;
}

/*
 * The journal record from @prev to @st (*len 0: nothing changed), and
 * the digest after it.  0 or -ENOMEM.
 */
static int
record_make(const struct state *prev, const struct state *st, char **out,
	    size_t *len, uint64_t *after)
{
	struct delta d;
	struct buf b;
	int rc = -ENOMEM;

	memset(&d, 0, sizeof(d));
	memset(&b, 0, sizeof(b));
	*out = NULL;
	*len = 0;
	d.digest = st->disk.digest;
	*after = d.digest;
	if (delta_make(&d, prev, st) < 0)
		goto out;
	if (d.n == 0) {
		rc = 0;
		goto out;
	}
	buf_printf(&b, "change %016" PRIx64 " %016" PRIx64 " %zu\n",
		   st->disk.digest, d.digest, d.n);
	buf_printf(&b, "%.*s", (int)d.rem.n, d.rem.p != NULL ? d.rem.p : "");
	buf_printf(&b, "%.*s", (int)d.add.n, d.add.p != NULL ? d.add.p : "");
	if (b.oom)
		goto out;
	buf_printf(&b, "commit %08" PRIx32 "\n", crc32_ieee(b.p, b.n));
	if (b.oom)
		goto out;
	*out = b.p;
	*len = b.n;
	*after = d.digest;
	b.p = NULL;
	rc = 0;
out:
	free(b.p);
	free(d.rem.p);
	free(d.add.p);
	return rc;
}

/* A record of the journal, as framed by frame_record(). */
struct jrec {
	size_t start;		/* offset of its "change" line */
	size_t end;		/* offset just past its "commit" line */
	size_t line;		/* line number of its "change" line */
	uint64_t before;
	uint64_t after;
	size_t nops;
};

/*
 * The record at @pos (line @line) of the journal's @text: 0, or -1 with
 * what is wrong in @why (cut short, malformed, checksum mismatch).
 */
static int
frame_record(const char *text, size_t len, size_t pos, size_t line,
	     struct jrec *r, char *why, size_t whysize)
{
	char buf[128];
	char *f[5];
	const char *nl = NULL;
	size_t ll;
	size_t p;
	size_t k;
	uint64_t v;
	uint64_t crc;

	memset(r, 0, sizeof(*r));
	r->start = pos;
	r->line = line;
	if ((nl = memchr(text + pos, '\n', len - pos)) == NULL) {
		diag_printf(why, whysize, "cut short");
		return -1;
	}
	ll = (size_t)(nl - (text + pos));
	if (ll >= sizeof(buf)) {
		diag_printf(why, whysize, "malformed record (expected "
			    "\"change <digest> <digest> <lines>\")");
		return -1;
	}
	memcpy(buf, text + pos, ll);
	buf[ll] = '\0';
	if (split(buf, f, 5) != 4 || strcmp(f[0], "change") != 0 ||
	    parse_hex(f[1], 16, &r->before) < 0 ||
	    parse_hex(f[2], 16, &r->after) < 0 ||
	    parse_u64(f[3], SIZE_MAX, &v) < 0) {
		diag_printf(why, whysize, "malformed record (expected "
			    "\"change <digest> <digest> <lines>\")");
		return -1;
	}
	r->nops = (size_t)v;
	p = pos + ll + 1;
	for (k = 0; k < r->nops; k++) {
		if (p >= len || (nl = memchr(text + p, '\n', len - p)) == NULL) {
			diag_printf(why, whysize, "cut short");
			return -1;
		}
		if ((size_t)(nl - (text + p)) < 3 ||
		    (text[p] != '-' && text[p] != '+') || text[p + 1] != ' ') {
			diag_printf(why, whysize, "line %zu: expected \"- "
				    "<record>\" or \"+ <record>\"",
				    line + 1 + k);
			return -1;
		}
		p = (size_t)(nl - text) + 1;
	}
	if (p >= len || (nl = memchr(text + p, '\n', len - p)) == NULL) {
		diag_printf(why, whysize, "cut short");
		return -1;
	}
	ll = (size_t)(nl - (text + p));
	if (ll >= sizeof(buf)) {
		diag_printf(why, whysize, "line %zu: malformed commit line",
			    line + 1 + r->nops);
		return -1;
	}
	memcpy(buf, text + p, ll);
	buf[ll] = '\0';
	if (split(buf, f, 3) != 2 || strcmp(f[0], "commit") != 0 ||
	    parse_hex(f[1], 8, &crc) < 0) {
		diag_printf(why, whysize, "line %zu: malformed commit line "
			    "(expected \"commit <crc32>\")",
			    line + 1 + r->nops);
		return -1;
	}
	if (crc32_ieee(text + pos, p - pos) != crc) {
		diag_printf(why, whysize, "checksum mismatch");
		return -1;
	}
	r->end = p + ll + 1;
	return 0;
}

/*
 * Remove the record @line (NUL-terminated, writable) from @st: it must be
 * there exactly.  0, -1 with @err.
 */
static int
remove_record(struct state *st, char *line, size_t lineno, char *err,
	      size_t errsize)
{
	char text[512];
	char *f[8];
	struct netaddr a;
	int n;
	size_t i;

	snprintf(text, sizeof(text), "%s", line);
	n = split(line, f, 8);
	if (n == 3 && strcmp(f[0], "assign") == 0 &&
	    netaddr_parse(&a, f[1]) == 0) {
		const struct vip_entry *e = vip_table_find_addr(st->vips, &a);

		if (e != NULL && !e->held && strcmp(e->key, f[2]) == 0)
			return vip_table_remove(st->vips, &a) == 0 ? 0 : -1;
	} else if (n == 4 && strcmp(f[0], "held") == 0 &&
		   netaddr_parse(&a, f[1]) == 0) {
		const struct vip_entry *e = vip_table_find_addr(st->vips, &a);
		int64_t until;

		if (e != NULL && e->held && parse_i64(f[2], &until) == 0 &&
		    e->until == until && strcmp(e->key, f[3]) == 0)
			return vip_table_remove(st->vips, &a) == 0 ? 0 : -1;
	} else if (n == 3 && strcmp(f[0], "cursor") == 0 &&
		   netaddr_parse(&a, f[2]) == 0) {
		const struct vip_cursor *c =
			vip_table_find_cursor(st->vips, f[1]);

		if (c != NULL && netaddr_equal(&c->next, &a))
			return vip_table_remove_cursor(st->vips, f[1]) == 0 ?
			       0 : -1;
	} else if (n == 4 && strcmp(f[0], "serial") == 0) {
		struct zone *z = find_zone(st, f[1]);
		uint64_t serial;
		uint64_t digest;

		if (z != NULL && parse_u64(f[2], UINT32_MAX, &serial) == 0 &&
		    parse_hex(f[3], 16, &digest) == 0 &&
		    z->serial == serial && z->digest == digest) {
			free(z->name);
			*z = st->z[--st->nz];
			return 0;
		}
	} else if (n == 5 && strcmp(f[0], "generated") == 0) {
		int64_t since = 0;

		if (strcmp(f[3], "-") != 0 && parse_i64(f[3], &since) < 0)
			since = -1;
		for (i = 0; i < st->ngen; i++) {
			struct state_generated *g = &st->gen[i];

			if (strcmp(g->mesh, f[1]) != 0 ||
			    strcmp(g->name, f[2]) != 0)
				continue;
			if (g->since != since || strcmp(g->ports, f[4]) != 0)
				break;
			free((char *)g->mesh);
			free((char *)g->name);
			free((char *)g->ports);
			/* Sorted again when the replay ends. */
			*g = st->gen[--st->ngen];
			return 0;
		}
	}
	diag_printf(err, errsize, "line %zu: removes a record the state does "
		    "not hold (\"%s\")", lineno, text);
	return -1;
}

/* Apply record @r of @text to @st; *digest moves with it. */
static int
apply_record(struct state *st, const char *text, const struct jrec *r,
	     uint64_t *digest, char *err, size_t errsize)
{
	char *line = NULL;
	size_t p = (size_t)((const char *)memchr(text + r->start, '\n',
						  r->end - r->start) -
			    text) + 1;
	size_t k;
	uint64_t d = *digest;
	int rc = -1;

	if (r->before != d) {
		diag_printf(err, errsize, "line %zu: the record does not "
			    "follow the state before it", r->line);
		goto out;
	}
	for (k = 0; k < r->nops; k++) {
		const char *nl = memchr(text + p, '\n', r->end - p);
		size_t ll = (size_t)(nl - (text + p));
		size_t lineno = r->line + 1 + k;

		free(line);
		if ((line = malloc(ll + 1)) == NULL) {
			rc = -ENOMEM;
			goto out;
		}
		memcpy(line, text + p, ll);
		line[ll] = '\0';
		if (memchr(line, '\0', ll) != NULL) {
			diag_printf(err, errsize, "line %zu: control character "
				    "in the record", lineno);
			goto out;
		}
		if (line[0] == '-') {
			d -= line_digest(line + 2, ll - 2);
			rc = remove_record(st, line + 2, lineno, err, errsize);
		} else {
			d += line_digest(line + 2, ll - 2);
			rc = parse_record(st, 2, line + 2, lineno, err,
					  errsize);
		}
		if (rc < 0)
			goto out;
		rc = -1;
		p += ll + 1;
	}
	if (d != r->after) {
		diag_printf(err, errsize, "line %zu: the record's changes do "
			    "not give the state it names", r->line);
		goto out;
	}
	*digest = d;
	rc = 0;
out:
	free(line);
	return rc;
}

/*
 * Replay the journal @text (@jpath) on @st, loaded from a state file whose
 * digest is @base: 0, 1 with a warning in @err (a torn last record was
 * dropped), -1 with the error in @err, -ENOMEM.  Sets disk->digest and
 * disk->end.
 */
static int
journal_replay(struct state *st, const char *jpath, const char *path,
	       const char *text, size_t len, uint64_t base, struct disk *disk,
	       char *err, size_t errsize)
{
	struct jrec *rec = NULL;
	char why[256];
	char perr[256];
	char hdr[64];
	char *f[4];
	size_t nrec = 0;
	size_t cap = 0;
	size_t pos;
	size_t line = 2;
	size_t first;
	size_t i;
	uint64_t hd;
	uint64_t d;
	int torn = 0;
	int rc = -1;

	/* The header. */
	if (len < JOURNAL_HLEN || text[JOURNAL_HLEN - 1] != '\n' ||
	    JOURNAL_HLEN >= sizeof(hdr)) {
		diag_printf(err, errsize, "state journal %s is corrupt (line 1: "
			    "not a meshdns state journal (expected \"%s "
			    "<digest>\"))" JRECOVERY, jpath, JOURNAL_HEADER);
		goto out;
	}
	memcpy(hdr, text, JOURNAL_HLEN - 1);
	hdr[JOURNAL_HLEN - 1] = '\0';
	if (split(hdr, f, 4) != 3 || strcmp(f[0], "meshdns-journal") != 0 ||
	    strcmp(f[1], "1") != 0 || parse_hex(f[2], 16, &hd) < 0) {
		diag_printf(err, errsize, "state journal %s is corrupt (line 1: "
			    "not a meshdns state journal (expected \"%s "
			    "<digest>\"))" JRECOVERY, jpath, JOURNAL_HEADER);
		goto out;
	}

	/* Frame every record: a bad one is a torn tail, or corruption. */
	for (pos = JOURNAL_HLEN; pos < len;) {
		struct jrec r;

		if (frame_record(text, len, pos, line, &r, why,
				 sizeof(why)) < 0) {
			size_t q;
			size_t ql = line;
			struct jrec g;

			/* Does a good record follow it? */
			for (q = pos; q < len; q++) {
				if (text[q] != '\n')
					continue;
				ql++;
				if (q + 1 < len &&
				    frame_record(text, len, q + 1, ql, &g, perr,
						 sizeof(perr)) == 0) {
					diag_printf(err, errsize, "state journal "
						    "%s is corrupt (line %zu, "
						    "offset %zu: %s; good "
						    "records follow, from line "
						    "%zu)" JRECOVERY, jpath,
						    line, pos, why, ql);
					goto out;
				}
			}
			diag_printf(err, errsize, "state journal %s: the last "
				    "record (line %zu, offset %zu) is "
				    "incomplete (%s): dropped; a save was "
				    "interrupted, and the state it held was "
				    "never served", jpath, line, pos, why);
			torn = 1;
			break;
		}
		if (nrec == cap) {
			struct jrec *v = NULL;

			cap = cap ? cap * 2 : 64;
			if ((v = realloc(rec, cap * sizeof(*v))) == NULL) {
				rc = -ENOMEM;
				goto out;
			}
			rec = v;
		}
		rec[nrec++] = r;
		line += r.nops + 2;
		pos = r.end;
	}

	/* Where the state file is in the chain of records. */
	first = SIZE_MAX;
	if (hd == base)
		first = 0;
	for (i = 0; i < nrec; i++) {
		if (rec[i].before != (i == 0 ? hd : rec[i - 1].after)) {
			diag_printf(err, errsize, "state journal %s is corrupt "
				    "(line %zu: the record does not follow "
				    "the one before it)" JRECOVERY, jpath,
				    rec[i].line);
			goto out;
		}
		if (first == SIZE_MAX && rec[i].after == base)
			first = i + 1;
	}
	if (first == SIZE_MAX) {
		diag_printf(err, errsize, "state journal %s does not belong to "
			    "state file %s (it continues the state %016" PRIx64
			    ", the file holds %016" PRIx64 "); " RECOVERY
			    ": restore both from one backup, or move the "
			    "journal aside to start from the state file "
			    "alone (services changed since it was written "
			    "may be renumbered)", jpath, path, hd, base);
		goto out;
	}

	d = base;
	for (i = first; i < nrec; i++) {
		rc = apply_record(st, text, &rec[i], &d, perr, sizeof(perr));
		if (rc == -ENOMEM)
			goto out;
		if (rc < 0) {
			diag_printf(err, errsize, "state journal %s is corrupt "
				    "(%s)" JRECOVERY, jpath, perr);
			goto out;
		}
	}
	if (st->ngen > 0)
		qsort(st->gen, st->ngen, sizeof(*st->gen), generated_cmp);
	disk->digest = d;
	disk->end = (off_t)(nrec > 0 ? rec[nrec - 1].end : JOURNAL_HLEN);
	rc = torn;
out:
	free(rec);
	return rc;
}

/*
 * Read all of @path: 0; -1 when it cannot be opened, -2 when it is not a
 * regular file, -3 when it cannot be read (errno says why).
 */
static int
read_file(const char *path, char **text, size_t *len, struct stat *sb)
{
	int fd = -1;
	int r;

	*text = NULL;
	*len = 0;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return -1;
	if (fstat(fd, sb) < 0 || !S_ISREG(sb->st_mode)) {
		close(fd);
		return -2;
	}
	r = file_read_fd(fd, text, len);
	close(fd);
	errno = r;
	return r != 0 ? -3 : 0;
}

int
state_load(struct state **out, int *fresh, const char *path, char *err,
	   size_t errsize, uint64_t *digest)
{
	struct state *st = NULL;
	struct stat sb;
	struct stat jsb;
	char *text = NULL;
	char *jtext = NULL;
	char *jpath = NULL;
	char perr[256];
	size_t len = 0;
	size_t jlen = 0;
	uint64_t d = 0;
	int rc = -1;
	int r;

	*out = NULL;
	*fresh = 0;
	if (digest != NULL)
		*digest = 0;
	if (asprintf(&jpath, "%s.journal", path) < 0) {
		jpath = NULL;
		diag_printf(err, errsize, "state file %s: out of memory", path);
		goto out;
	}
	r = read_file(path, &text, &len, &sb);
	if (r == -1 && errno == ENOENT) {
		if ((st = state_new()) == NULL) {
			diag_printf(err, errsize, "state file %s: out of "
			       "memory", path);
			goto out;
		}
		*fresh = 1;
		rc = 0;
		if (access(jpath, F_OK) == 0) {
			diag_printf(err, errsize, "state journal %s has no "
				    "state file %s: ignored, and replaced by "
				    "the first save", jpath, path);
			rc = 1;
		}
		goto out;
	}
	if (r == -1) {
		diag_printf(err, errsize, "state file %s cannot be opened (%s); "
		       RECOVERY ": make it readable, " AFRESH, path,
		       strerror(errno));
		goto out;
	}
	if (r == -2) {
		diag_printf(err, errsize, "state file %s is not a regular file; "
		       RECOVERY ": restore it from a backup, " AFRESH, path);
		goto out;
	}
	if (r < 0) {
		diag_printf(err, errsize, "state file %s cannot be read (%s); "
		       RECOVERY ": restore it from a backup, " AFRESH, path,
		       strerror(errno));
		goto out;
	}
	r = state_parse(&st, text, len, perr, sizeof(perr));
	if (r == -ENOMEM) {
		diag_printf(err, errsize, "state file %s: out of memory", path);
		goto out;
	}
	if (r < 0) {
		diag_printf(err, errsize, "state file %s is corrupt (%s); "
		       RECOVERY ": restore it from a backup, " AFRESH, path,
		       perr);
		goto out;
	}
	d = text_digest(text, len);
	st->disk.digest = d;
	st->disk.base_size = (off_t)len;

	r = read_file(jpath, &jtext, &jlen, &jsb);
	if (r == -1 && errno == ENOENT) {
		rc = 0;		/* the first save writes the file whole */
		goto out;
	}
	if (r < 0) {
		diag_printf(err, errsize, "state journal %s cannot be read "
			    "(%s); " RECOVERY ": make it readable, or "
			    "restore the state file and its journal from one "
			    "backup", jpath, r == -2 ? "not a regular file" :
			    strerror(errno));
		goto out;
	}
	rc = journal_replay(st, jpath, path, jtext, jlen, d, &st->disk, err,
			    errsize);
	if (rc == -ENOMEM)
		diag_printf(err, errsize, "state journal %s: out of memory",
			    jpath);
	if (rc < 0) {
		rc = -1;
		goto out;
	}
	st->disk.valid = 1;
	st->disk.dev = jsb.st_dev;
	st->disk.ino = jsb.st_ino;
	d = st->disk.digest;
out:
	if (rc >= 0 && digest != NULL)
		*digest = *fresh ? 0 : d;
	free(text);
	free(jtext);
	free(jpath);
	if (rc >= 0)
		*out = st;
	else
		state_free(st);
	return rc;
}

/* Write all of @p at @off. */
static int
pwrite_all(int fd, const char *p, size_t len, off_t off)
{
	while (len > 0) {
		ssize_t n = pwrite(fd, p, len, off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		p += n;
		len -= (size_t)n;
		off += n;
	}
	return 0;
}

/*
 * Append @rec to the journal @jpath at st->disk.end (over whatever a
 * failed save left after it): 0; 1 when the journal is not the one
 * st->disk describes (replaced, or shorter), nothing written; -1 with
 * @err, the journal then as it was (unless cutting back failed too).
 */
static int
journal_append(const struct state *st, const char *path, const char *jpath,
	       const char *rec, size_t len, char *err, size_t errsize)
{
	struct stat sb;
	const char *step = "open";
	int fd = -1;
	int rc = -1;
	int e;

	if ((fd = open(jpath, O_WRONLY | O_CLOEXEC)) < 0) {
		/* Not there, or not ours (left by root): written whole. */
		if (errno == ENOENT || errno == EACCES || errno == EPERM)
			return 1;
		goto fail;
	}
	step = "stat";
	if (fstat(fd, &sb) < 0)
		goto fail;
	if (sb.st_dev != st->disk.dev || sb.st_ino != st->disk.ino ||
	    sb.st_size < st->disk.end) {
		close(fd);
		return 1;
	}
	step = "write";
	if ((sb.st_size > st->disk.end &&
	     ftruncate(fd, st->disk.end) < 0) ||
	    pwrite_all(fd, rec, len, st->disk.end) < 0)
		goto fail;
	step = "sync";
	if (fdatasync(fd) < 0)
		goto fail;
	step = "close";
	e = close(fd);
	fd = -1;
	if (e < 0)
		goto fail;
	return 0;
fail:
	e = errno;
	diag_printf(err, errsize, "state file %s not saved: cannot %s its "
		    "journal %s (%s)", path, step, jpath, strerror(e));
	if (fd >= 0) {
		/* What was written is not to be read back. */
		if (ftruncate(fd, st->disk.end) == 0)
			(void)fdatasync(fd);
		close(fd);
	}
	errno = e;
	return rc;
}

/*
 * Write @len bytes of @text to @path atomically (a "<path>.tmp" synced and
 * renamed over it), without syncing the directory.  0, or -1 with @err.
 */
static int
write_atomic(const char *path, const char *what, const char *text,
	     size_t len, struct stat *sb, char *err, size_t errsize)
{
	char *tmp = NULL;
	int fd = -1;
	int rc = -1;
	int e;

	if (asprintf(&tmp, "%s.tmp", path) < 0) {
		tmp = NULL;
		errno = ENOMEM;
		diag_printf(err, errsize, "%s not saved: out of memory", what);
		goto out;
	}
	/* A .tmp left by a crash is only ever half a file: replace it. */
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0) {
		diag_printf(err, errsize, "%s not saved: cannot create %s (%s)",
			    what, tmp, strerror(errno));
		free(tmp);
		tmp = NULL;	/* not ours to remove */
		goto out;
	}
	if (fchmod(fd, 0644) < 0 || file_write_all(fd, text, len) < 0) {
		diag_printf(err, errsize, "%s not saved: cannot write %s (%s)",
			    what, tmp, strerror(errno));
		goto out;
	}
	if (fsync(fd) < 0 || fstat(fd, sb) < 0) {
		diag_printf(err, errsize, "%s not saved: cannot sync %s (%s)",
			    what, tmp, strerror(errno));
		goto out;
	}
	e = close(fd);
	fd = -1;
	if (e < 0) {
		diag_printf(err, errsize, "%s not saved: cannot close %s (%s)",
			    what, tmp, strerror(errno));
		goto out;
	}
	if (rename(tmp, path) < 0) {
		diag_printf(err, errsize, "%s not saved: cannot rename %s to it "
			    "(%s)", what, tmp, strerror(errno));
		goto out;
	}
	free(tmp);
	tmp = NULL;
	rc = 0;
out:
	e = errno;
	if (fd >= 0)
		close(fd);
	if (tmp != NULL)
		unlink(tmp);
	free(tmp);
	errno = e;
	return rc;
}

/*
 * Write @st whole: the state file, then an empty journal that starts from
 * it, renamed over the old one.  A crash between the two renames leaves
 * the old journal with the new state file: read as it is when it ends at
 * @st (a compaction appends @st's change first), else the start stops
 * with both files named -- never a journal silently lost.  0, 1 (saved,
 * but the new journal could not be written: in @err), -1 with @err.
 */
static int
save_whole(struct state *st, const char *path, const char *jpath, char *err,
	   size_t errsize, uint64_t *digest)
{
	struct stat sb;
	struct stat jsb;
	char *text = NULL;
	char what[4200];
	char hdr[64];
	size_t len = 0;
	uint64_t d;
	int rc = -1;
	int e;

	if (state_format(st, &text, &len) < 0) {
		errno = ENOMEM;
		diag_printf(err, errsize, "state file %s not saved: out of "
			    "memory", path);
		goto out;
	}
	d = text_digest(text, len);
	snprintf(what, sizeof(what), "state file %s", path);
	if (write_atomic(path, what, text, len, &sb, err, errsize) < 0)
		goto out;
	st->disk.base_size = (off_t)len;
	snprintf(hdr, sizeof(hdr), "%s %016" PRIx64 "\n", JOURNAL_HEADER, d);
	snprintf(what, sizeof(what), "state file %s written, but its journal "
		 "%s", path, jpath);
	if (write_atomic(jpath, what, hdr, strlen(hdr), &jsb, err,
			 errsize) < 0) {
		/*
		 * The state file is @st; the old journal passes through it
		 * or is gone.  Saved, then, once the directory is.
		 */
		st->disk.valid = 0;
		e = errno;
		if (sync_dir(path) < 0)
			goto out;
		errno = e;
		rc = 1;
		goto done;
	}
	st->disk.valid = 1;
	st->disk.digest = d;
	st->disk.dev = jsb.st_dev;
	st->disk.ino = jsb.st_ino;
	st->disk.end = (off_t)strlen(hdr);
	if (sync_dir(path) < 0) {
		diag_printf(err, errsize, "state file %s written, but its "
		       "directory cannot be synced (%s): a crash may undo "
		       "the change", path, strerror(errno));
		goto out;
	}
	rc = 0;
done:
	if (digest != NULL)
		*digest = d;
out:
	e = errno;
	free(text);
	errno = e;
	return rc;
}

int
state_save(struct state *st, const struct state *prev, const char *path,
	   char *err, size_t errsize, uint64_t *digest)
{
	char *jpath = NULL;
	char *rec = NULL;
	char cerr[1024];
	size_t len = 0;
	uint64_t after;
	off_t bound;
	int rc = -1;
	int r;

	if (asprintf(&jpath, "%s.journal", path) < 0) {
		jpath = NULL;
		errno = ENOMEM;
		diag_printf(err, errsize, "state file %s not saved: out of "
			    "memory", path);
		goto out;
	}
	if (prev != NULL && st->disk.valid && prev->disk.valid &&
	    prev->disk.digest == st->disk.digest &&
	    prev->disk.end == st->disk.end &&
	    prev->disk.ino == st->disk.ino) {
		if (record_make(prev, st, &rec, &len, &after) < 0) {
			errno = ENOMEM;
			diag_printf(err, errsize, "state file %s not saved: "
				    "out of memory", path);
			goto out;
		}
		if (len == 0) {
			if (digest != NULL)
				*digest = st->disk.digest;
			rc = 0;
			goto out;
		}
		r = journal_append(st, path, jpath, rec, len, err, errsize);
		if (r < 0)
			goto out;
		if (r == 0) {
			st->disk.digest = after;
			st->disk.end += (off_t)len;
			bound = st->disk.base_size > journal_floor ?
				st->disk.base_size : journal_floor;
			if (digest != NULL)
				*digest = after;
			rc = 0;
			if (st->disk.end <= bound)
				goto out;
			/*
			 * Compaction.  @st is safe in the journal already:
			 * a failure is only said.
			 */
			if (save_whole(st, path, jpath, cerr, sizeof(cerr),
				       NULL) != 0) {
				diag_printf(err, errsize, "%s; the change is "
					    "saved in the journal, which a "
					    "later save compacts", cerr);
				rc = 1;
			}
			goto out;
		}
	}
	rc = save_whole(st, path, jpath, err, errsize, digest);
out:
	free(rec);
	free(jpath);
	return rc;
}

int
state_compact(const char *path, char *err, size_t errsize)
{
	struct state *st = NULL;
	char *jpath = NULL;
	int fresh = 0;
	int rc = -1;

	if (state_load(&st, &fresh, path, err, errsize, NULL) < 0)
		goto out;
	rc = 0;
	if (fresh || !st->disk.valid || st->disk.end <= (off_t)JOURNAL_HLEN)
		goto out;
	if (asprintf(&jpath, "%s.journal", path) < 0) {
		jpath = NULL;
		diag_printf(err, errsize, "state file %s not compacted: out of "
			    "memory", path);
		rc = -1;
		goto out;
	}
	rc = save_whole(st, path, jpath, err, errsize, NULL) != 0 ? -1 : 0;
out:
	free(jpath);
	state_free(st);
	return rc;
}
