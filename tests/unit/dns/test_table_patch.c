/* SPDX-License-Identifier: MIT */
/*
 * test_table_patch.c -- unit tests for table_patch: a patched table
 * answers as a table built from scratch with the same content, its
 * changes turn the base's zone content into the new one, and the base
 * stays intact.
 */
#include "autoconfig.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <ldns/ldns.h>

#include "dns/answer.h"
#include "dns/journal.h"
#include "dns/table.h"
#include "dns/table_build.h"
#include "dns/table_diff.h"
#include "dns/table_image.h"
#include "dns/table_patch.h"
#include "dns/table_walk.h"

static const char *const ns_mesh[] = { "ns1.mesh", "ns2.mesh." };

/* The names the random content is made of. */
static const char *const pool[] = {
	"a.mesh", "b.a.mesh", "c.b.a.mesh", "x.svc.mesh", "y.svc.mesh",
	"_http._tcp.x.svc.mesh", "_http._tcp.y.svc.mesh", "z.mesh",
	"deep.q.r.mesh", "q.r.mesh", "web.mesh", "_grpc._tcp.web.mesh",
	"1.0.0.10.in-addr.arpa", "2.0.0.10.in-addr.arpa",
	"3.1.0.10.in-addr.arpa",
};
#define NPOOL	(sizeof(pool) / sizeof(pool[0]))
#define NREV	3		/* the last names are reverse names */
/* And the names only queried: apexes, ENTs, names that never exist. */
static const char *const extra[] = {
	"mesh", "svc.mesh", "_tcp.x.svc.mesh", "_tcp.web.mesh", "r.mesh",
	"nx.mesh", "nx.a.mesh", "10.in-addr.arpa", "0.0.10.in-addr.arpa",
	"out.example", "web.mesh.svc.cluster.local",
};
static const uint16_t qtypes[] = {
	LDNS_RR_TYPE_A, LDNS_RR_TYPE_AAAA, LDNS_RR_TYPE_SRV, LDNS_RR_TYPE_PTR,
	LDNS_RR_TYPE_SOA, LDNS_RR_TYPE_NS, LDNS_RR_TYPE_ANY, LDNS_RR_TYPE_TXT,
};
static const char *const clients[] = {
	NULL, "127.0.0.2", "127.0.0.3", "::1", "127.0.0.9",
};
#define NSCOPES	3		/* TABLE_SCOPE_NONE, 1, 2 */
#define MAXREC	5

struct mrec {
	uint16_t type;
	uint8_t a;		/* A, AAAA: the last byte */
	uint16_t prio, weight, port;
	uint8_t target;		/* SRV, PTR: index in pool */
	uint32_t ttl;
};

struct mname {
	int nrec;
	struct mrec rec[MAXREC];
	uint32_t owner;
};

struct model {
	struct mname n[NPOOL][NSCOPES];
	uint32_t serial[2];
	int default_all;
	int views;		/* which set of views (0, 1) */
};

static uint32_t
scope_of(int s)
{
	return s == 0 ? TABLE_SCOPE_NONE : (uint32_t)s;
}

static uint64_t rng_state;

static uint32_t
rnd(uint32_t n)
{
	rng_state = rng_state * 6364136223846793005ULL + 1442695040888963407ULL;
	return (uint32_t)(rng_state >> 33) % n;
}

static void
zone_params(struct table_zone_params *p, const char *apex)
{
	memset(p, 0, sizeof(*p));
	p->apex = apex;
	p->mname = "ns1.mesh";
	p->rname = "hostmaster.mesh";
	p->refresh = 3600;
	p->retry = 600;
	p->expire = 86400;
	p->minimum = 30;
	p->ttl = 60;
	p->ns = ns_mesh;
	p->nns = 2;
}

static int
add_view(struct table_builder *b, const char *ip)
{
	uint8_t addr[16];
	int family = strchr(ip, ':') ? AF_INET6 : AF_INET;

	assert_int_equal(inet_pton(family, ip, addr), 1);
	return table_builder_add_view(b, family, addr);
}

/* Text of record @r of name @i, for the builder and the patch. */
static void
addr_of(const struct mrec *r, uint8_t *addr, int *family)
{
	memset(addr, 0, 16);
	if (r->type == LDNS_RR_TYPE_A) {
		*family = AF_INET;
		addr[0] = 10;
		addr[3] = r->a;
	} else {
		*family = AF_INET6;
		addr[0] = 0xfd;
		addr[15] = r->a;
	}
}

/* The views of @m (two sets, to replace one by the other). */
static void
add_views(struct table_builder *b, const struct model *m)
{
	int v;

	v = add_view(b, "127.0.0.2");
	assert_int_equal(table_builder_view_allow(b, v, 1), 0);
	assert_int_equal(table_builder_view_set_scope(b, v, 1), 0);
	v = add_view(b, "127.0.0.3");
	assert_int_equal(table_builder_view_allow(b, v, 2), 0);
	if (m->views == 0)
		assert_int_equal(table_builder_view_allow(b, v, 3), 0);
	assert_int_equal(table_builder_view_set_scope(b, v, 2 - m->views),
			 0);
	if (m->views == 0) {
		v = add_view(b, "::1");
		assert_int_equal(table_builder_view_allow_all(b, v), 0);
	} else {
		v = add_view(b, "127.0.0.9");
		assert_int_equal(table_builder_view_allow(b, v, 3), 0);
	}
	table_builder_set_default_view(b, m->default_all);
}

/* A builder with the zones, views and everything of @m. */
static struct table_builder *
model_builder(const struct model *m)
{
	struct table_builder *b = table_builder_new();
	struct table_zone_params zp;
	char err[256];
	size_t i;
	int s;
	int k;

	assert_non_null(b);
	zone_params(&zp, "mesh");
	assert_int_equal(table_builder_add_zone(b, &zp, err, sizeof(err)), 0);
	zone_params(&zp, "10.in-addr.arpa");
	assert_int_equal(table_builder_add_zone(b, &zp, err, sizeof(err)), 1);
	table_builder_set_serial(b, 0, m->serial[0]);
	table_builder_set_serial(b, 1, m->serial[1]);
	assert_int_equal(table_builder_add_search_suffix(b,
							 "svc.cluster.local"),
			 0);
	assert_int_equal(table_builder_set_chaos(b, "meshdns", "id1", "h1"),
			 0);
	add_views(b, m);
	for (i = 0; i < NPOOL; i++) {
		for (s = 0; s < NSCOPES; s++) {
			const struct mname *n = &m->n[i][s];

			table_builder_set_scope(b, scope_of(s));
			for (k = 0; k < n->nrec; k++) {
				const struct mrec *r = &n->rec[k];
				uint8_t addr[16];
				int fam = 0;

				switch (r->type) {
				case LDNS_RR_TYPE_SRV:
					assert_int_equal(table_builder_add_srv(
						b, pool[i], r->prio, r->weight,
						r->port, pool[r->target],
						r->ttl), 0);
					break;
				case LDNS_RR_TYPE_PTR:
					assert_int_equal(table_builder_add_ptr(
						b, pool[i], pool[r->target],
						r->ttl), 0);
					break;
				default:
					addr_of(r, addr, &fam);
					assert_int_equal(table_builder_add_addr(
						b, pool[i], fam, addr, r->ttl),
						0);
				}
			}
			if (n->nrec > 0 && n->owner != TABLE_OWNER_NONE)
				assert_int_equal(table_builder_set_owner(
					b, pool[i], n->owner), 0);
		}
	}
	table_builder_set_scope(b, TABLE_SCOPE_NONE);
	return b;
}

static struct table *
model_table(const struct model *m)
{
	struct table *t = NULL;

	assert_int_equal(table_builder_finish(model_builder(m), &t), 0);
	return t;
}

/* Give name @i in scope @s new random content in @m. */
static void
random_name(struct model *m, size_t i, int s)
{
	struct mname *n = &m->n[i][s];
	int want;
	int k;

	memset(n, 0, sizeof(*n));
	n->owner = TABLE_OWNER_NONE;
	if (rnd(10) < 3)
		return;		/* removed */
	want = 1 + (int)rnd(MAXREC);
	while (n->nrec < want) {
		struct mrec r;
		int dup = 0;

		memset(&r, 0, sizeof(r));
		r.ttl = rnd(2) ? 60 : 30;
		if (i >= NPOOL - NREV) {
			r.type = LDNS_RR_TYPE_PTR;
			r.target = (uint8_t)rnd(NPOOL - NREV);
		} else {
			switch (rnd(4)) {
			case 0:
			case 1:
				r.type = LDNS_RR_TYPE_A;
				r.a = (uint8_t)(1 + rnd(3));
				break;
			case 2:
				r.type = LDNS_RR_TYPE_AAAA;
				r.a = (uint8_t)(1 + rnd(2));
				break;
			default:
				r.type = LDNS_RR_TYPE_SRV;
				r.prio = (uint16_t)rnd(2);
				r.weight = 1;
				r.port = (uint16_t)(8000 + rnd(2));
				r.target = (uint8_t)rnd(NPOOL - NREV);
				break;
			}
		}
		for (k = 0; k < n->nrec && !dup; k++)
			dup = n->rec[k].type == r.type &&
			      n->rec[k].a == r.a && n->rec[k].prio == r.prio &&
			      n->rec[k].port == r.port &&
			      n->rec[k].target == r.target;
		if (dup) {
			want--;
			continue;
		}
		n->rec[n->nrec++] = r;
	}
	switch (rnd(5)) {
	case 0:
		n->owner = 1;
		break;
	case 1:
		n->owner = 2;
		break;
	case 2:
		n->owner = 3;
		break;
	default:
		break;
	}
}

/* Give the patch name @i in scope @s as @m has it. */
static void
patch_name(struct table_patch *p, const struct model *m, size_t i, int s)
{
	const struct mname *n = &m->n[i][s];
	int k;

	assert_int_equal(table_patch_reset_name(p, pool[i], scope_of(s)), 0);
	table_patch_set_scope(p, scope_of(s));
	for (k = 0; k < n->nrec; k++) {
		const struct mrec *r = &n->rec[k];
		uint8_t addr[16];
		int fam = 0;

		switch (r->type) {
		case LDNS_RR_TYPE_SRV:
			assert_int_equal(table_patch_add_srv(p, pool[i],
				r->prio, r->weight, r->port, pool[r->target],
				r->ttl), 0);
			break;
		case LDNS_RR_TYPE_PTR:
			assert_int_equal(table_patch_add_ptr(p, pool[i],
				pool[r->target], r->ttl), 0);
			break;
		default:
			addr_of(r, addr, &fam);
			assert_int_equal(table_patch_add_addr(p, pool[i], fam,
							      addr, r->ttl), 0);
		}
	}
	if (n->nrec > 0 && n->owner != TABLE_OWNER_NONE)
		assert_int_equal(table_patch_set_owner(p, pool[i], n->owner),
				 0);
	table_patch_set_scope(p, TABLE_SCOPE_NONE);
}

/* A query for @name and @type, over TCP sizes. */
static size_t
make_query(const char *name, uint16_t type, uint8_t *q)
{
	ldns_rdf *rdf = NULL;
	size_t len;

	memset(q, 0, 12);
	q[0] = 0x12;
	q[1] = 0x34;
	q[2] = 0x01;		/* RD */
	q[5] = 1;		/* QDCOUNT */
	assert_int_equal(ldns_str2rdf_dname(&rdf, name), LDNS_STATUS_OK);
	len = ldns_rdf_size(rdf);
	memcpy(q + 12, ldns_rdf_data(rdf), len);
	ldns_rdf_deep_free(rdf);
	ldns_write_uint16(q + 12 + len, type);
	ldns_write_uint16(q + 14 + len, LDNS_RR_CLASS_IN);
	return 16 + len;
}

static void
client_addr(const char *ip, struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof(*ss));
	if (strchr(ip, ':') != NULL) {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)ss;

		a->sin6_family = AF_INET6;
		assert_int_equal(inet_pton(AF_INET6, ip, &a->sin6_addr), 1);
	} else {
		struct sockaddr_in *a = (struct sockaddr_in *)ss;

		a->sin_family = AF_INET;
		assert_int_equal(inet_pton(AF_INET, ip, &a->sin_addr), 1);
	}
}

static size_t
ask(const struct table *t, const char *name, uint16_t type, const char *ip,
    uint8_t *resp, size_t cap)
{
	struct sockaddr_storage ss;
	struct answer_query_ctx ctx;
	enum answer_outcome oc;
	uint8_t q[300];
	size_t qlen = make_query(name, type, q);

	memset(&ctx, 0, sizeof(ctx));
	ctx.t = t;
	ctx.tr = ANSWER_TCP;
	if (ip != NULL) {
		client_addr(ip, &ss);
		ctx.client = (const struct sockaddr *)&ss;
	}
	return answer_query(&ctx, q, qlen, resp, cap, &oc);
}

/* Does @x answer every query byte for byte as @y? */
static void
same_answers(const struct table *x, const struct table *y)
{
	static uint8_t rx[65535];
	static uint8_t ry[65535];
	size_t i;
	size_t k;
	size_t c;

	for (i = 0; i < NPOOL + sizeof(extra) / sizeof(extra[0]); i++) {
		const char *name = i < NPOOL ? pool[i] : extra[i - NPOOL];

		for (k = 0; k < sizeof(qtypes) / sizeof(qtypes[0]); k++) {
			for (c = 0; c < sizeof(clients) / sizeof(clients[0]);
			     c++) {
				size_t lx = ask(x, name, qtypes[k], clients[c],
						rx, sizeof(rx));
				size_t ly = ask(y, name, qtypes[k], clients[c],
						ry, sizeof(ry));

				if ((lx != ly || memcmp(rx, ry, lx) != 0) &&
				    getenv("PATCH_DEBUG") != NULL) {
					ldns_pkt *px = NULL;
					ldns_pkt *py = NULL;

					ldns_wire2pkt(&px, rx, lx);
					ldns_wire2pkt(&py, ry, ly);
					ldns_pkt_print(stderr, px);
					ldns_pkt_print(stderr, py);
					ldns_pkt_free(px);
					ldns_pkt_free(py);
				}
				if (lx != ly || memcmp(rx, ry, lx) != 0)
					fail_msg("%s type %u client %s: "
						 "%zu and %zu bytes differ",
						 name, qtypes[k],
						 clients[c] ? clients[c] :
						 "(none)", lx, ly);
			}
		}
	}
	assert_int_equal(table_name_count(x), table_name_count(y));
	assert_int_equal(table_record_count(x), table_record_count(y));
	assert_int_equal(table_node_count(x), table_node_count(y));
	assert_int_equal(table_zone_digest(x, 0), table_zone_digest(y, 0));
	assert_int_equal(table_zone_digest(x, 1), table_zone_digest(y, 1));
}

/* --- zone content as sorted presentation lines --- */

struct lines {
	char **v;
	size_t n, cap;
};

static void
lines_push(struct lines *l, char *s)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? 2 * l->cap : 64;
		l->v = realloc(l->v, l->cap * sizeof(*l->v));
		assert_non_null(l->v);
	}
	l->v[l->n++] = s;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void
lines_clear(struct lines *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	memset(l, 0, sizeof(*l));
}

/* Remove one line equal to @s from @l; false when there is none. */
static bool
lines_remove(struct lines *l, const char *s)
{
	size_t i;

	for (i = 0; i < l->n; i++) {
		if (strcmp(l->v[i], s) == 0) {
			free(l->v[i]);
			l->v[i] = l->v[--l->n];
			return true;
		}
	}
	return false;
}

static char *
rr_line(const char *text)
{
	ldns_rr *rr = NULL;
	char *s = NULL;

	assert_int_equal(ldns_rr_new_frm_str(&rr, text, 0, NULL, NULL),
			 LDNS_STATUS_OK);
	s = ldns_rr2str(rr);
	ldns_rr_free(rr);
	return s;
}

/* Zone @zone's content in @m (0 mesh, 1 the reverse zone). */
static void
model_lines(const struct model *m, int zone, struct lines *l)
{
	size_t i;
	int s;
	int k;
	int j;

	for (i = 0; i < NPOOL; i++) {
		if ((i >= NPOOL - NREV) != (zone == 1))
			continue;
		for (s = 0; s < NSCOPES; s++) {
			const struct mname *n = &m->n[i][s];

			for (k = 0; k < n->nrec; k++) {
				const struct mrec *r = &n->rec[k];
				uint32_t ttl = r->ttl;
				char text[512];
				char data[300];
				uint8_t addr[16];
				int fam = 0;

				for (j = 0; j < n->nrec; j++)
					if (n->rec[j].type == r->type &&
					    n->rec[j].ttl < ttl)
						ttl = n->rec[j].ttl;
				if (r->type == LDNS_RR_TYPE_SRV) {
					snprintf(data, sizeof(data),
						 "SRV %u %u %u %s.", r->prio,
						 r->weight, r->port,
						 pool[r->target]);
				} else if (r->type == LDNS_RR_TYPE_PTR) {
					snprintf(data, sizeof(data), "PTR %s.",
						 pool[r->target]);
				} else {
					char ip[64];

					addr_of(r, addr, &fam);
					inet_ntop(fam, addr, ip, sizeof(ip));
					snprintf(data, sizeof(data), "%s %s",
						 fam == AF_INET ? "A" : "AAAA",
						 ip);
				}
				snprintf(text, sizeof(text), "%s. %u IN %s",
					 pool[i], ttl, data);
				lines_push(l, rr_line(text));
			}
		}
	}
	if (l->n > 1)
		qsort(l->v, l->n, sizeof(*l->v), cmp_str);
}

/* Do @c's changes turn @before's zone content into @after's? */
static void
check_changes(const struct table_changes *c, const struct model *before,
	      const struct model *after)
{
	int zone;

	for (zone = 0; zone < 2; zone++) {
		struct lines l = { 0 };
		struct lines want = { 0 };
		const ldns_rr_list *rem = NULL;
		const ldns_rr_list *add = NULL;
		uint32_t s0 = 0;
		uint32_t s1 = 0;
		bool listed = false;
		size_t i;
		size_t k;
		int z = -1;

		model_lines(before, zone, &l);
		model_lines(after, zone, &want);
		for (i = 0; i < table_changes_count(c); i++) {
			assert_int_equal(table_changes_zone(c, i, &z, &s0, &s1,
				(const struct ldns_struct_rr_list **)&rem,
				(const struct ldns_struct_rr_list **)&add), 0);
			if (z != zone)
				continue;
			listed = true;
			assert_int_equal(s0, before->serial[zone]);
			assert_int_equal(s1, after->serial[zone]);
			for (k = 0; k < ldns_rr_list_rr_count(rem); k++) {
				char *s = ldns_rr2str(ldns_rr_list_rr(rem, k));

				if (!lines_remove(&l, s))
					fail_msg("removed but absent: %s", s);
				free(s);
			}
			for (k = 0; k < ldns_rr_list_rr_count(add); k++)
				lines_push(&l, ldns_rr2str(ldns_rr_list_rr(add,
									   k)));
		}
		if (l.n > 1)
			qsort(l.v, l.n, sizeof(*l.v), cmp_str);
		assert_int_equal(l.n, want.n);
		for (i = 0; i < l.n; i++)
			assert_string_equal(l.v[i], want.v[i]);
		if (before->serial[zone] != after->serial[zone])
			assert_true(listed);
		lines_clear(&l);
		lines_clear(&want);
	}
}

/*
 * A patched table's cache image reads back as the table built from
 * scratch, and the reload log sees no difference between them.
 */
static void
image_and_diff(const struct table *t, const struct table *full)
{
	struct table_diff d;
	struct table *u = NULL;
	uint8_t *img = NULL;
	size_t len = 0;
	char err[256];

	assert_int_equal(table_serialize(t, &img, &len), 0);
	assert_int_equal(table_deserialize(img, len, &u, err, sizeof(err)),
			 0);
	same_answers(u, full);
	assert_int_equal(table_diff_names(&d, t, full), 0);
	assert_int_equal(d.added.count, 0);
	assert_int_equal(d.removed.count, 0);
	table_diff_clear(&d);
	table_free(u);
	free(img);
}

/* Zone @zone of @t as its walk (AXFR, the journal) gives it, sorted. */
static void
walk_lines(const struct table *t, size_t zone, struct lines *l)
{
	const struct table_zone *z = table_walk_zone_at(t, zone);
	const struct table_node *node = NULL;
	ldns_rr_list *list = ldns_rr_list_new();
	size_t cursor = 0;
	size_t i;

	assert_non_null(list);
	while ((node = table_walk_next(t, z, &cursor)) != NULL)
		assert_int_equal(table_walk_rrs(node, 0, list), 0);
	for (i = 0; i < ldns_rr_list_rr_count(list); i++)
		lines_push(l, ldns_rr2str(ldns_rr_list_rr(list, i)));
	ldns_rr_list_deep_free(list);
	if (l->n > 1)
		qsort(l->v, l->n, sizeof(*l->v), cmp_str);
}

/* The IXFR of zone @zone in @j, each line tagged with its part, sorted. */
static void
ixfr_lines(struct journal *j, size_t zone, uint32_t from, uint32_t to,
	   struct lines *l)
{
	static const struct {
		const uint8_t *wire;
		size_t len;
	} apex[] = {
		{ (const uint8_t *)"\004mesh", 6 },
		{ (const uint8_t *)"\00210\007in-addr\004arpa", 17 },
	};
	ldns_rr_list *list = NULL;
	size_t nsoa = 0;
	size_t i;

	assert_int_equal(journal_ixfr(j, apex[zone].wire, apex[zone].len, from,
				      to, &list), 0);
	for (i = 0; i < ldns_rr_list_rr_count(list); i++) {
		const ldns_rr *rr = ldns_rr_list_rr(list, i);
		char *text = ldns_rr2str(rr);
		char *line = NULL;

		nsoa += ldns_rr_get_type(rr) == LDNS_RR_TYPE_SOA;
		assert_true(asprintf(&line, "%zu %s",
				     ldns_rr_get_type(rr) ==
				     LDNS_RR_TYPE_SOA ? 0 : nsoa, text) > 0);
		free(text);
		lines_push(l, line);
	}
	assert_int_equal(nsoa, 4);
	ldns_rr_list_deep_free(list);
	qsort(l->v, l->n, sizeof(*l->v), cmp_str);
}

/*
 * The walk of the patched table @next is that of @full, built whole; the
 * journal from @next's change list @c is the one from walking @base and
 * @full (whether the list is read or, with views hiding names or scopes,
 * the tables walked).
 */
static void
walk_and_journal(const struct table *base, const struct table *next,
		 const struct table *full, const struct table_changes *c,
		 const struct model *before, const struct model *after)
{
	struct journal *jw = NULL;
	struct journal *jc = NULL;
	struct table_diff dw;
	struct table_diff dc;
	size_t zone;
	size_t i;

	assert_int_equal(journal_new(&jw, 20, 1 << 20), 0);
	assert_int_equal(journal_new(&jc, 20, 1 << 20), 0);
	assert_int_equal(journal_record(jw, base, full), 0);
	assert_int_equal(journal_record_changes(jc, base, next, c), 0);
	/* The reload log: the list's names, or the walk with scopes. */
	assert_int_equal(table_diff_names(&dw, base, full), 0);
	assert_int_equal(table_diff_names_changes(&dc, base, next, c), 0);
	assert_int_equal(dc.added.count, dw.added.count);
	assert_int_equal(dc.removed.count, dw.removed.count);
	table_diff_clear(&dw);
	table_diff_clear(&dc);
	for (zone = 0; zone < 2; zone++) {
		struct lines x = { 0 };
		struct lines y = { 0 };

		walk_lines(next, zone, &x);
		walk_lines(full, zone, &y);
		assert_int_equal(x.n, y.n);
		for (i = 0; i < x.n; i++)
			assert_string_equal(x.v[i], y.v[i]);
		lines_clear(&x);
		lines_clear(&y);
		if (before->serial[zone] == after->serial[zone])
			continue;
		ixfr_lines(jw, zone, before->serial[zone],
			   after->serial[zone], &x);
		ixfr_lines(jc, zone, before->serial[zone],
			   after->serial[zone], &y);
		assert_int_equal(x.n, y.n);
		for (i = 0; i < x.n; i++)
			assert_string_equal(x.v[i], y.v[i]);
		lines_clear(&x);
		lines_clear(&y);
	}
	journal_free(jw);
	journal_free(jc);
}

/* --- tests --- */

static void
random_model(struct model *m)
{
	size_t i;
	int s;

	memset(m, 0, sizeof(*m));
	m->serial[0] = m->serial[1] = 1;
	m->default_all = (int)rnd(2);
	for (i = 0; i < NPOOL; i++)
		for (s = 0; s < NSCOPES; s++) {
			m->n[i][s].owner = TABLE_OWNER_NONE;
			if (s == 0 ? rnd(3) != 0 : rnd(6) == 0)
				random_name(m, i, s);
		}
}

/*
 * The key property: for random sequences of changes, the patched table
 * answers as a table built from scratch, its changes are right, and each
 * base stays as it was (and may go before the tables made from it).
 */
static void
run_sequence(uint64_t seed, int steps)
{
	struct model m;
	struct model prev;
	struct table *base = NULL;
	struct table *again = NULL;
	int step;

	rng_state = seed;
	random_model(&m);
	base = model_table(&m);
	for (step = 0; step < steps; step++) {
		struct table_patch *p = NULL;
		struct table_changes *c = NULL;
		struct table_builder *b = NULL;
		struct table *next = NULL;
		struct table *full = NULL;
		bool done[NPOOL][NSCOPES];
		int nchanges = 1 + (int)rnd(3);
		int k;

		prev = m;
		memset(done, 0, sizeof(done));
		assert_int_equal(table_patch_new(&p, base), 0);
		for (k = 0; k < nchanges; k++) {
			size_t i = rnd(NPOOL);
			int s = rnd(10) < 6 ? 0 : 1 + (int)rnd(2);

			if (done[i][s])
				continue;
			done[i][s] = true;
			random_name(&m, i, s);
			patch_name(p, &m, i, s);
		}
		if (rnd(6) == 0) {
			struct table_builder *vb = table_builder_new();

			m.views = (int)rnd(2);
			m.default_all = (int)rnd(2);
			assert_non_null(vb);
			add_views(vb, &m);
			assert_int_equal(table_patch_set_views(p, vb), 0);
		}
		if (rnd(4) == 0) {
			m.serial[step % 2]++;
			table_patch_set_serial(p, step % 2, m.serial[step % 2]);
		}
		b = model_builder(&m);
		assert_int_equal(table_patch_zone_digest(p, 0),
				 table_builder_zone_digest(b, 0));
		assert_int_equal(table_patch_zone_digest(p, 1),
				 table_builder_zone_digest(b, 1));
		assert_int_equal(table_builder_finish(b, &full), 0);
		assert_int_equal(table_patch_finish(p, &next, &c), 0);
		same_answers(next, full);
		check_changes(c, &prev, &m);
		image_and_diff(next, full);
		walk_and_journal(base, next, full, c, &prev, &m);
		/* The base answers as it did. */
		again = model_table(&prev);
		same_answers(base, again);
		table_free(again);
		table_changes_free(c);
		table_free(full);
		/* The base goes first: the new table keeps what it shares. */
		table_free(base);
		base = next;
	}
	again = model_table(&m);
	same_answers(base, again);
	table_free(again);
	table_free(base);
}

static void
test_random_sequences(void **state)
{
	uint64_t seeds = getenv("PATCH_SEEDS") ? strtoull(getenv("PATCH_SEEDS"),
							  NULL, 10) : 20;
	uint64_t seed;

	(void)state;
	for (seed = 1; seed <= seeds; seed++)
		run_sequence(seed, 40);
}


/* A small table: web.mesh, its SRV, a PTR; views as model_builder(). */
static struct table *
small_base(void)
{
	struct model m;

	memset(&m, 0, sizeof(m));
	m.serial[0] = m.serial[1] = 7;
	m.default_all = 1;
	for (size_t i = 0; i < NPOOL; i++)
		for (int s = 0; s < NSCOPES; s++)
			m.n[i][s].owner = TABLE_OWNER_NONE;
	/* web.mesh A 10.0.0.1, _grpc._tcp.web.mesh SRV -> web.mesh */
	m.n[10][0].nrec = 1;
	m.n[10][0].rec[0] = (struct mrec){ .type = LDNS_RR_TYPE_A, .a = 1,
					   .ttl = 60 };
	m.n[11][0].nrec = 1;
	m.n[11][0].rec[0] = (struct mrec){ .type = LDNS_RR_TYPE_SRV,
					   .port = 80, .target = 10,
					   .ttl = 60 };
	m.n[12][0].nrec = 1;
	m.n[12][0].rec[0] = (struct mrec){ .type = LDNS_RR_TYPE_PTR,
					   .target = 10, .ttl = 60 };
	return model_table(&m);
}

static const uint8_t ip2[4] = { 10, 0, 0, 2 };

/* A table with "a.mesh" A and, with @txt, "t.mesh" TXT (as the catalog
 * zone's version record), serial 7. */
static struct table *
txt_table(int txt)
{
	struct table_zone_params zp;
	struct table_builder *b = table_builder_new();
	struct table *t = NULL;
	char err[128];

	assert_non_null(b);
	zone_params(&zp, "mesh");
	assert_int_equal(table_builder_add_zone(b, &zp, err, sizeof(err)), 0);
	assert_int_equal(table_builder_add_addr(b, "a.mesh", AF_INET, ip2, 60),
			 0);
	if (txt)
		assert_int_equal(table_builder_add_txt(b, "t.mesh", "2", 60),
				 0);
	table_builder_set_serial(b, 0, 7);
	assert_int_equal(table_builder_finish(b, &t), 0);
	return t;
}

/*
 * A TXT record (the catalog zone has one) counts in the zone digest as
 * the builder counts it: removing it by a patch gives the digest of a
 * table built without it, and the zone's content changes so.
 */
static void
test_txt_digest(void **state)
{
	struct table *base = txt_table(1);
	struct table *full = txt_table(0);
	struct table_patch *p = NULL;
	struct table *t = NULL;

	(void)state;
	assert_int_not_equal(table_zone_digest(base, 0),
			     table_zone_digest(full, 0));
	assert_int_equal(table_patch_new(&p, base), 0);
	assert_int_equal(table_patch_reset_name(p, "t.mesh", TABLE_SCOPE_NONE),
			 0);
	assert_int_equal(table_patch_zone_digest(p, 0),
			 table_zone_digest(full, 0));
	assert_int_equal(table_patch_finish(p, &t, NULL), 0);
	assert_int_equal(table_zone_digest(t, 0), table_zone_digest(full, 0));
	table_free(t);
	table_free(full);
	table_free(base);
}

/* Errors of the patch functions; a patch that fails leaves no trace. */
static void
test_errors(void **state)
{
	struct table *base = small_base();
	struct table_patch *p = NULL;
	struct table *t = NULL;

	(void)state;
	assert_int_equal(table_patch_new(&p, base), 0);
	assert_int_equal(table_patch_reset_name(p, "web.example",
						TABLE_SCOPE_NONE), -ENOENT);
	assert_int_equal(table_patch_reset_name(p, "mesh", 1), -EINVAL);
	assert_int_equal(table_patch_reset_name(p, "a..mesh",
						TABLE_SCOPE_NONE), -EINVAL);
	assert_int_equal(table_patch_add_addr(p, "web.mesh", AF_INET, ip2, 60),
			 -ESRCH);
	assert_int_equal(table_patch_reset_name(p, "Web.Mesh.",
						TABLE_SCOPE_NONE), 0);
	assert_int_equal(table_patch_reset_name(p, "web.mesh",
						TABLE_SCOPE_NONE), -EALREADY);
	/* Reset in the shared scope, not in scope 1. */
	table_patch_set_scope(p, 1);
	assert_int_equal(table_patch_add_addr(p, "web.mesh", AF_INET, ip2, 60),
			 -ESRCH);
	table_patch_set_scope(p, TABLE_SCOPE_NONE);
	assert_int_equal(table_patch_add_addr(p, "web.mesh", AF_INET, ip2, 60),
			 0);
	assert_int_equal(table_patch_add_addr(p, "web.mesh", 99, ip2, 60),
			 -EINVAL);
	assert_int_equal(table_patch_set_owner(p, "nx.mesh", 1), -ESRCH);
	assert_int_equal(table_patch_zone_digest(p, 2), 0);
	assert_int_equal(table_patch_zone_digest(p, -1), 0);
	table_patch_free(p);
	assert_int_equal(table_zone_serial(base, 0), 7);
	assert_int_equal(table_zone_serial(base, 5), 0);
	assert_int_equal(table_zone_digest(base, 5), 0);
	/* An empty patch: the same answers, nothing changed. */
	assert_int_equal(table_patch_new(&p, base), 0);
	assert_int_equal(table_patch_finish(p, &t, NULL), 0);
	same_answers(t, base);
	table_free(t);
	table_free(base);
}

/*
 * The base is not changed by a patch (its image is the same bytes), and
 * the patched table outlives it.
 */
static void
test_base_intact(void **state)
{
	struct table *base = small_base();
	struct table *t = NULL;
	struct table *u = NULL;
	struct table_patch *p = NULL;
	uint8_t *before = NULL;
	uint8_t *after = NULL;
	size_t lb = 0;
	size_t la = 0;
	uint8_t resp[512];
	size_t len;

	(void)state;
	assert_int_equal(table_serialize(base, &before, &lb), 0);
	assert_int_equal(table_patch_new(&p, base), 0);
	assert_int_equal(table_patch_reset_name(p, "web.mesh",
						TABLE_SCOPE_NONE), 0);
	assert_int_equal(table_patch_add_addr(p, "web.mesh", AF_INET, ip2, 60),
			 0);
	assert_int_equal(table_patch_reset_name(p, "new.deep.mesh",
						TABLE_SCOPE_NONE), 0);
	assert_int_equal(table_patch_add_addr(p, "new.deep.mesh", AF_INET,
					      ip2, 60), 0);
	table_patch_set_serial(p, 0, 8);
	assert_int_equal(table_patch_finish(p, &t, NULL), 0);
	/* A patch of the patch, then the first two go. */
	assert_int_equal(table_patch_new(&p, t), 0);
	assert_int_equal(table_patch_reset_name(p, "1.0.0.10.in-addr.arpa",
						TABLE_SCOPE_NONE), 0);
	assert_int_equal(table_patch_finish(p, &u, NULL), 0);
	assert_int_equal(table_serialize(base, &after, &la), 0);
	assert_int_equal(la, lb);
	assert_memory_equal(after, before, lb);
	assert_int_equal(table_zone_serial(base, 0), 7);
	assert_int_equal(table_zone_serial(t, 0), 8);
	assert_int_equal(table_name_count(base), 5);	/* 2 apexes */
	assert_int_equal(table_name_count(t), 6);
	assert_int_equal(table_name_count(u), 5);
	table_free(base);
	table_free(t);
	/* u still answers: the SRV's additional has the new address. */
	len = ask(u, "_grpc._tcp.web.mesh", LDNS_RR_TYPE_SRV, NULL, resp,
		  sizeof(resp));
	assert_true(len > 12);
	assert_int_equal(resp[11], 1);	/* ARCOUNT */
	assert_memory_equal(resp + len - 4, ip2, 4);
	len = ask(u, "deep.mesh", LDNS_RR_TYPE_A, NULL, resp, sizeof(resp));
	assert_int_equal(resp[3] & 0x0f, LDNS_RCODE_NOERROR);	/* an ENT */
	len = ask(u, "1.0.0.10.in-addr.arpa", LDNS_RR_TYPE_PTR, NULL, resp,
		  sizeof(resp));
	assert_int_equal(resp[3] & 0x0f, LDNS_RCODE_NXDOMAIN);
	table_free(u);
	free(before);
	free(after);
}

/* Records at an apex come and go; its SOA and NS stay. */
static void
test_apex_records(void **state)
{
	struct table *base = small_base();
	struct table *t = NULL;
	struct table *u = NULL;
	struct table *full = NULL;
	struct table_patch *p = NULL;
	struct table_builder *b = NULL;
	struct table_changes *c = NULL;
	struct model m;

	(void)state;
	assert_int_equal(table_patch_new(&p, base), 0);
	assert_int_equal(table_patch_reset_name(p, "Mesh.", TABLE_SCOPE_NONE),
			 0);
	assert_int_equal(table_patch_add_addr(p, "mesh", AF_INET, ip2, 60), 0);
	assert_int_equal(table_patch_reset_name(p, "new.mesh",
						TABLE_SCOPE_NONE), 0);
	assert_int_equal(table_patch_add_srv(p, "new.mesh", 0, 0, 53, "mesh",
					     60), 0);
	assert_int_equal(table_patch_finish(p, &t, &c), 0);
	assert_int_equal(table_changes_count(c), 1);
	table_changes_free(c);
	/* The same content from scratch. */
	memset(&m, 0, sizeof(m));
	m.serial[0] = m.serial[1] = 7;
	m.default_all = 1;
	for (size_t i = 0; i < NPOOL; i++)
		for (int s = 0; s < NSCOPES; s++)
			m.n[i][s].owner = TABLE_OWNER_NONE;
	m.n[10][0].nrec = 1;
	m.n[10][0].rec[0] = (struct mrec){ .type = LDNS_RR_TYPE_A, .a = 1,
					   .ttl = 60 };
	m.n[11][0].nrec = 1;
	m.n[11][0].rec[0] = (struct mrec){ .type = LDNS_RR_TYPE_SRV,
					   .port = 80, .target = 10,
					   .ttl = 60 };
	m.n[12][0].nrec = 1;
	m.n[12][0].rec[0] = (struct mrec){ .type = LDNS_RR_TYPE_PTR,
					   .target = 10, .ttl = 60 };
	b = model_builder(&m);
	assert_int_equal(table_builder_add_addr(b, "mesh", AF_INET, ip2, 60),
			 0);
	assert_int_equal(table_builder_add_srv(b, "new.mesh", 0, 0, 53, "mesh",
					       60), 0);
	assert_int_equal(table_builder_finish(b, &full), 0);
	same_answers(t, full);
	table_free(full);
	/* And back. */
	assert_int_equal(table_patch_new(&p, t), 0);
	assert_int_equal(table_patch_reset_name(p, "mesh", TABLE_SCOPE_NONE),
			 0);
	assert_int_equal(table_patch_reset_name(p, "new.mesh",
						TABLE_SCOPE_NONE), 0);
	assert_int_equal(table_patch_finish(p, &u, NULL), 0);
	same_answers(u, base);
	table_free(base);
	table_free(t);
	table_free(u);
}

/* The changes are condensed: a TTL change, an unchanged RR, a serial. */
static void
test_changes_condensed(void **state)
{
	struct table *base = small_base();
	struct table_patch *p = NULL;
	struct table_changes *c = NULL;
	struct table *t = NULL;
	const ldns_rr_list *rem = NULL;
	const ldns_rr_list *add = NULL;
	static const uint8_t ip1[4] = { 10, 0, 0, 1 };
	uint32_t s0 = 0;
	uint32_t s1 = 0;
	char *text = NULL;
	int zone = -1;

	(void)state;
	assert_int_equal(table_patch_new(&p, base), 0);
	/* web.mesh: 10.0.0.1 kept, 10.0.0.2 added; the same TTL. */
	assert_int_equal(table_patch_reset_name(p, "web.mesh",
						TABLE_SCOPE_NONE), 0);
	assert_int_equal(table_patch_add_addr(p, "web.mesh", AF_INET, ip1, 60),
			 0);
	assert_int_equal(table_patch_add_addr(p, "web.mesh", AF_INET, ip2, 60),
			 0);
	table_patch_set_serial(p, 1, 9);
	assert_int_equal(table_patch_finish(p, &t, &c), 0);
	assert_int_equal(table_changes_count(c), 2);
	assert_int_equal(table_changes_zone(c, 0, &zone, &s0, &s1,
		(const struct ldns_struct_rr_list **)&rem,
		(const struct ldns_struct_rr_list **)&add), 0);
	assert_int_equal(zone, 0);
	assert_int_equal(s0, 7);
	assert_int_equal(s1, 7);
	assert_int_equal(ldns_rr_list_rr_count(rem), 0);
	assert_int_equal(ldns_rr_list_rr_count(add), 1);
	text = ldns_rr2str(ldns_rr_list_rr(add, 0));
	assert_string_equal(text, "web.mesh.\t60\tIN\tA\t10.0.0.2\n");
	free(text);
	/* The reverse zone: its serial only. */
	assert_int_equal(table_changes_zone(c, 1, &zone, &s0, &s1,
		(const struct ldns_struct_rr_list **)&rem,
		(const struct ldns_struct_rr_list **)&add), 0);
	assert_int_equal(zone, 1);
	assert_int_equal(s0, 7);
	assert_int_equal(s1, 9);
	assert_int_equal(ldns_rr_list_rr_count(rem), 0);
	assert_int_equal(ldns_rr_list_rr_count(add), 0);
	assert_int_equal(table_changes_zone(c, 2, &zone, &s0, &s1,
		(const struct ldns_struct_rr_list **)&rem,
		(const struct ldns_struct_rr_list **)&add), -EINVAL);
	table_changes_free(c);
	/* A TTL change: the RRset goes and comes back. */
	assert_int_equal(table_patch_new(&p, t), 0);
	assert_int_equal(table_patch_reset_name(p, "web.mesh",
						TABLE_SCOPE_NONE), 0);
	assert_int_equal(table_patch_add_addr(p, "web.mesh", AF_INET, ip1, 30),
			 0);
	assert_int_equal(table_patch_add_addr(p, "web.mesh", AF_INET, ip2, 30),
			 0);
	table_free(base);
	base = t;
	assert_int_equal(table_patch_finish(p, &t, &c), 0);
	assert_int_equal(table_changes_count(c), 1);
	assert_int_equal(table_changes_zone(c, 0, &zone, &s0, &s1,
		(const struct ldns_struct_rr_list **)&rem,
		(const struct ldns_struct_rr_list **)&add), 0);
	assert_int_equal(ldns_rr_list_rr_count(rem), 2);
	assert_int_equal(ldns_rr_list_rr_count(add), 2);
	table_changes_free(c);
	table_free(base);
	table_free(t);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_base_intact),
		cmocka_unit_test(test_apex_records),
		cmocka_unit_test(test_txt_digest),
		cmocka_unit_test(test_changes_condensed),
		cmocka_unit_test(test_random_sequences),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
