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

/* How to recover, said the same way for every kind of bad file. */
#define RECOVERY "meshdns will not start, to keep every VIP where it is"
#define AFRESH "or move it aside to start afresh (every VIP will be " \
	"renumbered)"

int
state_load(struct state **out, int *fresh, const char *path, char *err,
	   size_t errsize, uint64_t *digest)
{
	struct state *st = NULL;
	struct stat sb;
	char *text = NULL;
	char perr[256];
	size_t len = 0;
	int fd = -1;
	int rc = -1;
	int r;

	*out = NULL;
	*fresh = 0;
	if (digest != NULL)
		*digest = 0;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
		if (errno == ENOENT) {
			if ((st = state_new()) == NULL) {
				diag_printf(err, errsize, "state file %s: out of "
				       "memory", path);
				goto out;
			}
			*fresh = 1;
			rc = 0;
			goto out;
		}
		diag_printf(err, errsize, "state file %s cannot be opened (%s); "
		       RECOVERY ": make it readable, " AFRESH, path,
		       strerror(errno));
		goto out;
	}
	if (fstat(fd, &sb) < 0 || !S_ISREG(sb.st_mode)) {
		diag_printf(err, errsize, "state file %s is not a regular file; "
		       RECOVERY ": restore it from a backup, " AFRESH, path);
		goto out;
	}
	if ((r = file_read_fd(fd, &text, &len)) != 0) {
		diag_printf(err, errsize, "state file %s cannot be read (%s); "
		       RECOVERY ": restore it from a backup, " AFRESH, path,
		       strerror(r));
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
	if (digest != NULL)
		*digest = digest_bytes(0, text, len);
	rc = 0;
out:
	if (fd >= 0)
		close(fd);
	free(text);
	if (rc == 0)
		*out = st;
	else
		state_free(st);
	return rc;
}

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

int
state_save(const struct state *st, const char *path, char *err,
	   size_t errsize, uint64_t *digest)
{
	char *text = NULL;
	char *tmp = NULL;
	size_t len = 0;
	int fd = -1;
	int rc = -1;
	int e;

	if (state_format(st, &text, &len) < 0 ||
	    asprintf(&tmp, "%s.tmp", path) < 0) {
		tmp = NULL;
		diag_printf(err, errsize, "state file %s not saved: out of memory",
		       path);
		goto out;
	}
	/* A .tmp left by a crash is only ever half a file: replace it. */
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0) {
		diag_printf(err, errsize, "state file %s not saved: cannot create "
		       "%s (%s)", path, tmp, strerror(errno));
		free(tmp);
		tmp = NULL;	/* not ours to remove */
		goto out;
	}
	if (fchmod(fd, 0644) < 0 || file_write_all(fd, text, len) < 0) {
		diag_printf(err, errsize, "state file %s not saved: cannot write "
		       "%s (%s)", path, tmp, strerror(errno));
		goto out;
	}
	if (fsync(fd) < 0) {
		diag_printf(err, errsize, "state file %s not saved: cannot sync "
		       "%s (%s)", path, tmp, strerror(errno));
		goto out;
	}
	e = close(fd);
	fd = -1;
	if (e < 0) {
		diag_printf(err, errsize, "state file %s not saved: cannot close "
		       "%s (%s)", path, tmp, strerror(errno));
		goto out;
	}
	if (rename(tmp, path) < 0) {
		diag_printf(err, errsize, "state file %s not saved: cannot rename "
		       "%s to it (%s)", path, tmp, strerror(errno));
		goto out;
	}
	free(tmp);
	tmp = NULL;
	if (sync_dir(path) < 0) {
		diag_printf(err, errsize, "state file %s written, but its "
		       "directory cannot be synced (%s): a crash may undo "
		       "the change", path, strerror(errno));
		goto out;
	}
	if (digest != NULL)
		*digest = digest_bytes(0, text, len);
	rc = 0;
out:
	e = errno;
	if (fd >= 0)
		close(fd);
	if (tmp != NULL)
		unlink(tmp);
	free(tmp);
	free(text);
	errno = e;
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

struct state {
	struct vip_table *vips;
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

int
state_format(const struct state *st, char **out, size_t *len)
{
	const struct vip_entry **ev = NULL;
	const struct vip_cursor **cv = NULL;
	const struct zone **zv = NULL;
	struct buf b;
	char abuf[INET6_ADDRSTRLEN];
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
		buf_printf(&b, "cursor %s %s\n", cv[i]->pool,
			   netaddr_format(&cv[i]->next, abuf, sizeof(abuf)));
	for (i = 0; i < ne; i++) {
		netaddr_format(&ev[i]->addr, abuf, sizeof(abuf));
		if (ev[i]->held)
			buf_printf(&b, "held %s %" PRId64 " %s\n", abuf,
				   ev[i]->until, ev[i]->key);
		else
			buf_printf(&b, "assign %s %s\n", abuf, ev[i]->key);
	}
	for (i = 0; i < st->nz; i++)
		buf_printf(&b, "serial %s %" PRIu32 " %016" PRIx64 "\n",
			   zv[i]->name, zv[i]->serial, zv[i]->digest);
	for (i = 0; i < st->ngen; i++) {
		const struct state_generated *g = &st->gen[i];

		if (g->since != 0)
			buf_printf(&b, "generated %s %s %" PRId64 " %s\n",
				   g->mesh, g->name, g->since, g->ports);
		else
			buf_printf(&b, "generated %s %s - %s\n", g->mesh,
				   g->name, g->ports);
	}
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
