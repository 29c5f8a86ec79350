/* SPDX-License-Identifier: MIT */
/*
 * test_table_walk.c -- a patched table (dns/table_patch.h: several
 * segments, some of its base's nodes replaced) is walked, transferred
 * (AXFR) and journalled (IXFR) exactly as a table built whole from the
 * same records; the journal and the reload log's name diff read a
 * patch's change list to the same result as their walk.
 */
#include "autoconfig.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <ldns/ldns.h>

#include "dns/journal.h"
#include "dns/table_build.h"
#include "dns/table_diff.h"
#include "dns/table_patch.h"
#include "dns/table_walk.h"
#include "dns/xfr.h"

/*
 * The content: name i ("sI.mesh") has the address 10.0.0.addr[i] (0: the
 * name is absent), an SRV "_http._tcp.sI.mesh" to it and a PTR from
 * "ADDR.0.0.10.in-addr.arpa"; both zones have the serial @serial.
 */
#define N	40

struct spec {
	uint8_t addr[N];
	uint32_t serial;
};

static const char *const zones[] = { "mesh", "10.in-addr.arpa" };
#define NZONES	2

static void
name_of(char *buf, size_t size, size_t i)
{
	snprintf(buf, size, "s%zu.mesh", i);
}

static void
srv_of(char *buf, size_t size, size_t i)
{
	snprintf(buf, size, "_http._tcp.s%zu.mesh", i);
}

static void
ptr_of(char *buf, size_t size, uint8_t addr)
{
	snprintf(buf, size, "%u.0.0.10.in-addr.arpa", addr);
}

static struct table *
build(const struct spec *sp)
{
	static const char *const ns[] = { "ns.mesh" };
	struct table_builder *b = table_builder_new();
	struct table_zone_params p;
	struct table *t = NULL;
	char err[256];
	char name[64], srv[64], ptr[64];
	size_t i;

	assert_non_null(b);
	for (i = 0; i < NZONES; i++) {
		memset(&p, 0, sizeof(p));
		p.apex = zones[i];
		p.mname = "ns.mesh";
		p.rname = "hostmaster.mesh";
		p.refresh = 3600;
		p.retry = 600;
		p.expire = 86400;
		p.minimum = 30;
		p.ttl = 60;
		p.ns = ns;
		p.nns = 1;
		assert_int_equal(table_builder_add_zone(b, &p, err,
							sizeof(err)), (int)i);
		table_builder_set_serial(b, (int)i, sp->serial);
	}
	for (i = 0; i < N; i++) {
		uint8_t a[4] = { 10, 0, 0, sp->addr[i] };

		if (sp->addr[i] == 0)
			continue;
		name_of(name, sizeof(name), i);
		srv_of(srv, sizeof(srv), i);
		ptr_of(ptr, sizeof(ptr), sp->addr[i]);
		assert_int_equal(table_builder_add_addr(b, name, AF_INET, a,
							60), 0);
		assert_int_equal(table_builder_add_srv(b, srv, 0, 1, 80, name,
						       60), 0);
		assert_int_equal(table_builder_add_ptr(b, ptr, name, 60), 0);
	}
	assert_int_equal(table_builder_finish(b, &t), 0);
	return t;
}

/* @base (made from @from) patched to @to; its change list in *@c. */
static struct table *
patch(const struct table *base, const struct spec *from,
      const struct spec *to, struct table_changes **c)
{
	struct table_patch *p = NULL;
	struct table *t = NULL;
	char name[64], srv[64], ptr[64];
	size_t i;

	assert_int_equal(table_patch_new(&p, base), 0);
	for (i = 0; i < N; i++) {
		uint8_t a[4] = { 10, 0, 0, to->addr[i] };

		if (from->addr[i] == to->addr[i])
			continue;
		name_of(name, sizeof(name), i);
		srv_of(srv, sizeof(srv), i);
		assert_int_equal(table_patch_reset_name(p, name,
							TABLE_SCOPE_NONE), 0);
		assert_int_equal(table_patch_reset_name(p, srv,
							TABLE_SCOPE_NONE), 0);
		if (from->addr[i] != 0) {
			ptr_of(ptr, sizeof(ptr), from->addr[i]);
			assert_int_equal(table_patch_reset_name(p, ptr,
				TABLE_SCOPE_NONE), 0);
		}
		if (to->addr[i] == 0)
			continue;
		ptr_of(ptr, sizeof(ptr), to->addr[i]);
		assert_int_equal(table_patch_reset_name(p, ptr,
							TABLE_SCOPE_NONE), 0);
		assert_int_equal(table_patch_add_addr(p, name, AF_INET, a, 60),
				 0);
		assert_int_equal(table_patch_add_srv(p, srv, 0, 1, 80, name,
						     60), 0);
		assert_int_equal(table_patch_add_ptr(p, ptr, name, 60), 0);
	}
	if (from->serial != to->serial)
		for (i = 0; i < NZONES; i++)
			table_patch_set_serial(p, (int)i, to->serial);
	assert_int_equal(table_patch_finish(p, &t, c), 0);
	return t;
}

/* --- RRs as sorted presentation lines --- */

struct lines {
	char **v;
	size_t n, cap;
};

static void
lines_push(struct lines *l, const ldns_rr *rr)
{
	char *s = ldns_rr2str(rr);
	char *p = NULL;

	assert_non_null(s);
	for (p = s; *p != '\0'; p++)
		if (*p == '\t')
			*p = ' ';
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
lines_sort(struct lines *l)
{
	if (l->n > 1)
		qsort(l->v, l->n, sizeof(*l->v), cmp_str);
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

static void
lines_equal(const struct lines *x, const struct lines *y, const char *what)
{
	size_t i;

	for (i = 0; i < x->n && i < y->n; i++)
		if (strcmp(x->v[i], y->v[i]) != 0)
			fail_msg("%s: line %zu: '%s' and '%s'", what, i,
				 x->v[i], y->v[i]);
	if (x->n != y->n)
		fail_msg("%s: %zu and %zu lines", what, x->n, y->n);
}

/* Every RR the walk gives for zone @zi of @t, sorted. */
static void
walk_lines(const struct table *t, size_t zi, struct lines *l)
{
	const struct table_zone *z = table_walk_zone_at(t, zi);
	const struct table_node *node = NULL;
	ldns_rr_list *list = ldns_rr_list_new();
	size_t cursor = 0;
	size_t i;

	assert_non_null(z);
	assert_non_null(list);
	while ((node = table_walk_next(t, z, &cursor)) != NULL)
		assert_int_equal(table_walk_rrs(node, 0, list), 0);
	for (i = 0; i < ldns_rr_list_rr_count(list); i++)
		lines_push(l, ldns_rr_list_rr(list, i));
	ldns_rr_list_deep_free(list);
	lines_sort(l);
}

/* A TCP query for @type of @zone from 127.0.0.1; its length. */
static size_t
xfr_query(uint8_t *q, const char *zone, uint16_t type)
{
	ldns_rdf *rdf = NULL;
	size_t len;

	memset(q, 0, 12);
	q[0] = 0x42;
	q[5] = 1;		/* QDCOUNT */
	assert_int_equal(ldns_str2rdf_dname(&rdf, zone), LDNS_STATUS_OK);
	len = ldns_rdf_size(rdf);
	memcpy(q + 12, ldns_rdf_data(rdf), len);
	ldns_rdf_deep_free(rdf);
	ldns_write_uint16(q + 12 + len, type);
	ldns_write_uint16(q + 14 + len, LDNS_RR_CLASS_IN);
	return 16 + len;
}

/*
 * The AXFR of zone @zi of @t as a secondary receives it: the SOA first
 * and last (checked), every RR in between into @l, sorted.
 */
static void
axfr_lines(const struct table *t, size_t zi, struct lines *l)
{
	static uint8_t buf[65535];
	struct xfr_allow allow;
	struct xfr_policy pol;
	struct sockaddr_in sin;
	struct xfr *x = NULL;
	ldns_rr_list *all = ldns_rr_list_new();
	uint8_t q[300];
	char err[128];
	size_t qlen = xfr_query(q, zones[zi], LDNS_RR_TYPE_AXFR);
	size_t len = 0;
	size_t n;
	size_t i;

	assert_non_null(all);
	memset(&allow, 0, sizeof(allow));
	assert_int_equal(netaddr_cidr_parse(&allow.net, "127.0.0.0/8", err,
					    sizeof(err)), 0);
	memset(&pol, 0, sizeof(pol));
	pol.allow = &allow;
	pol.nallow = 1;
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(xfr_start(&x, &pol, t, (struct sockaddr *)&sin, q,
				   qlen, 0), 0);
	for (;;) {
		ldns_pkt *pkt = NULL;

		assert_int_equal(xfr_next(x, buf, sizeof(buf), &len), 0);
		if (len == 0)
			break;
		assert_int_equal(ldns_wire2pkt(&pkt, buf, len),
				 LDNS_STATUS_OK);
		assert_int_equal(ldns_pkt_get_rcode(pkt), LDNS_RCODE_NOERROR);
		assert_true(ldns_rr_list_cat(all, ldns_pkt_answer(pkt)));
		ldns_rr_list_free(ldns_pkt_answer(pkt));
		ldns_pkt_set_answer(pkt, NULL);
		ldns_pkt_free(pkt);
	}
	xfr_free(x);
	n = ldns_rr_list_rr_count(all);
	assert_true(n >= 2);
	assert_int_equal(ldns_rr_get_type(ldns_rr_list_rr(all, 0)),
			 LDNS_RR_TYPE_SOA);
	assert_int_equal(ldns_rr_get_type(ldns_rr_list_rr(all, n - 1)),
			 LDNS_RR_TYPE_SOA);
	for (i = 1; i + 1 < n; i++)
		assert_int_not_equal(ldns_rr_get_type(ldns_rr_list_rr(all, i)),
				     LDNS_RR_TYPE_SOA);
	for (i = 0; i + 1 < n; i++)
		lines_push(l, ldns_rr_list_rr(all, i));
	ldns_rr_list_deep_free(all);
	lines_sort(l);
}

/*
 * The IXFR of zone @zi from @from to @to in @j, each part sorted: the
 * SOAs' lines, then the deleted RRs', then the added RRs'.
 */
static void
ixfr_lines(struct journal *j, size_t zi, uint32_t from, uint32_t to,
	   struct lines *l)
{
	struct lines part[3];
	ldns_rr_list *list = NULL;
	ldns_rdf *apex = NULL;
	size_t nsoa = 0;
	size_t i;
	size_t k;

	memset(part, 0, sizeof(part));
	assert_int_equal(ldns_str2rdf_dname(&apex, zones[zi]),
			 LDNS_STATUS_OK);
	assert_int_equal(journal_ixfr(j, ldns_rdf_data(apex),
				      ldns_rdf_size(apex), from, to, &list),
			 0);
	ldns_rdf_deep_free(apex);
	for (i = 0; i < ldns_rr_list_rr_count(list); i++) {
		const ldns_rr *rr = ldns_rr_list_rr(list, i);

		if (ldns_rr_get_type(rr) == LDNS_RR_TYPE_SOA) {
			nsoa++;
			lines_push(&part[0], rr);
		} else {
			/* SOA new, SOA old, deleted, SOA new, added, SOA. */
			assert_true(nsoa == 2 || nsoa == 3);
			lines_push(&part[nsoa - 1], rr);
		}
	}
	assert_int_equal(nsoa, 4);
	ldns_rr_list_deep_free(list);
	for (k = 0; k < 3; k++) {
		lines_sort(&part[k]);
		for (i = 0; i < part[k].n; i++) {
			char *s = NULL;

			assert_true(asprintf(&s, "%zu %s", k,
					     part[k].v[i]) > 0);
			if (l->n == l->cap) {
				l->cap = l->cap ? 2 * l->cap : 64;
				l->v = realloc(l->v, l->cap * sizeof(*l->v));
				assert_non_null(l->v);
			}
			l->v[l->n++] = s;
		}
		lines_clear(&part[k]);
	}
}

/* @x and @y walk, transfer and diff (reload log) alike. */
static void
same_zones(const struct table *x, const struct table *y)
{
	struct table_diff d;
	size_t zi;

	for (zi = 0; zi < NZONES; zi++) {
		struct lines lx = { 0 };
		struct lines ly = { 0 };

		walk_lines(x, zi, &lx);
		walk_lines(y, zi, &ly);
		lines_equal(&lx, &ly, "walk");
		lines_clear(&lx);
		lines_clear(&ly);
		axfr_lines(x, zi, &lx);
		axfr_lines(y, zi, &ly);
		lines_equal(&lx, &ly, "AXFR");
		lines_clear(&lx);
		lines_clear(&ly);
	}
	assert_int_equal(table_diff_names(&d, x, y), 0);
	assert_int_equal(d.added.count, 0);
	assert_int_equal(d.removed.count, 0);
	table_diff_clear(&d);
}

/*
 * From @base (made from @from, built whole or patched) to @to: the
 * patched table is walked, transferred and journalled as the one built
 * whole, and the journal from the change list is the walk's.  Returns
 * the patched table.
 */
static struct table *
step(const struct table *base, const struct spec *from,
     const struct spec *to)
{
	struct table_changes *c = NULL;
	struct table *patched = patch(base, from, to, &c);
	struct table *whole = build(to);
	struct journal *jw = NULL;
	struct journal *jp = NULL;
	struct journal *jc = NULL;
	struct table_diff dw;
	struct table_diff dc;
	size_t zi;

	same_zones(patched, whole);
	/* The reload log's names added and removed, from the list. */
	assert_int_equal(table_diff_names(&dw, base, whole), 0);
	assert_int_equal(table_diff_names_changes(&dc, base, patched, c), 0);
	assert_int_equal(dc.added.count, dw.added.count);
	assert_int_equal(dc.removed.count, dw.removed.count);
	assert_int_equal(dc.added.nshown, dw.added.nshown);
	assert_int_equal(dc.removed.nshown, dw.removed.nshown);
	table_diff_clear(&dw);
	table_diff_clear(&dc);
	if (from->serial == to->serial)
		goto out;
	/* The journal: walking the patched table, walking the whole one,
	 * reading the change list. */
	assert_int_equal(journal_new(&jw, 20, 1 << 20), 0);
	assert_int_equal(journal_new(&jp, 20, 1 << 20), 0);
	assert_int_equal(journal_new(&jc, 20, 1 << 20), 0);
	assert_int_equal(journal_record(jw, base, whole), 0);
	assert_int_equal(journal_record(jp, base, patched), 0);
	assert_int_equal(journal_record_changes(jc, base, patched, c), 0);
	for (zi = 0; zi < NZONES; zi++) {
		struct lines lw = { 0 };
		struct lines lp = { 0 };
		struct lines lc = { 0 };

		ixfr_lines(jw, zi, from->serial, to->serial, &lw);
		ixfr_lines(jp, zi, from->serial, to->serial, &lp);
		ixfr_lines(jc, zi, from->serial, to->serial, &lc);
		lines_equal(&lp, &lw, "IXFR, walked");
		lines_equal(&lc, &lw, "IXFR, from the changes");
		lines_clear(&lw);
		lines_clear(&lp);
		lines_clear(&lc);
	}
	journal_free(jw);
	journal_free(jp);
	journal_free(jc);
out:
	table_changes_free(c);
	table_free(whole);
	return patched;
}

static void
spec_init(struct spec *sp)
{
	size_t i;

	memset(sp, 0, sizeof(*sp));
	sp->serial = 100;
	for (i = 0; i < N; i++)
		sp->addr[i] = i % 5 == 4 ? 0 : (uint8_t)(i + 1);
}

/* One change at a time: add, remove, change an address, a serial. */
static void
t_single(void **unused)
{
	struct spec a, b;
	struct table *base = NULL;
	struct table *t = NULL;

	(void)unused;
	spec_init(&a);
	base = build(&a);
	/* Add a name. */
	b = a;
	b.addr[4] = 200;
	b.serial++;
	t = step(base, &a, &b);
	table_free(t);
	/* The reload log names it, its address first. */
	{
		struct table_changes *c = NULL;
		struct table_diff d;

		t = patch(base, &a, &b, &c);
		assert_int_equal(table_diff_names_changes(&d, base, t, c), 0);
		assert_int_equal(d.added.count, 3);
		assert_int_equal(d.removed.count, 0);
		assert_string_equal(d.added.shown[0], "s4.mesh");
		table_diff_clear(&d);
		table_changes_free(c);
		table_free(t);
	}
	/* Remove one. */
	b = a;
	b.addr[7] = 0;
	b.serial++;
	t = step(base, &a, &b);
	table_free(t);
	/* Change an address (its SRV's additional and PTR follow). */
	b = a;
	b.addr[12] = 201;
	b.serial++;
	t = step(base, &a, &b);
	table_free(t);
	/* The serial alone. */
	b = a;
	b.serial += 5;
	t = step(base, &a, &b);
	table_free(t);
	/* A change without a new serial: walked and transferred alike. */
	b = a;
	b.addr[0] = 202;
	t = step(base, &a, &b);
	table_free(t);
	table_free(base);
}

/*
 * Patches on patches, several names each, past the depth at which a
 * patch compacts its segments and past the garbage at which it
 * flattens; each base freed before the table made from it.
 */
static void
t_sequence(void **unused)
{
	struct spec cur, next;
	struct table *t = NULL;
	struct table *n = NULL;
	uint64_t rng = 7;
	int round;
	int k;

	(void)unused;
	spec_init(&cur);
	t = build(&cur);
	for (round = 0; round < 3 * TABLE_PATCH_MAX_DEPTH; round++) {
		next = cur;
		next.serial++;
		for (k = 0; k < 1 + round % 4; k++) {
			size_t i;
			uint8_t a;

			rng = rng * 6364136223846793005ULL + 1;
			i = (size_t)(rng >> 33) % N;
			/* Addresses stay distinct: 0, or i + 1 + 50 * m. */
			a = next.addr[i] == 0 ? (uint8_t)(i + 1 + 50 *
				((rng >> 20) % 4)) : 0;
			next.addr[i] = a;
		}
		n = step(t, &cur, &next);
		table_free(t);
		t = n;
		cur = next;
	}
	table_free(t);
}

/*
 * The journal reads a change list only when it belongs to the two
 * tables: given another pair's, it walks, and the IXFR is still right.
 */
static void
t_changes_of_another_pair(void **unused)
{
	struct spec a, b, c;
	struct table_changes *ch = NULL;
	struct table *ta = NULL;
	struct table *tb = NULL;
	struct table *tc = NULL;
	struct journal *j = NULL;
	struct journal *jw = NULL;
	struct lines l1 = { 0 };
	struct lines l2 = { 0 };

	(void)unused;
	spec_init(&a);
	b = a;
	b.addr[3] = 0;
	b.serial++;
	c = b;
	c.addr[8] = 0;
	c.serial++;
	ta = build(&a);
	tb = patch(ta, &a, &b, &ch);
	tc = build(&c);
	assert_int_equal(journal_new(&j, 20, 1 << 20), 0);
	assert_int_equal(journal_new(&jw, 20, 1 << 20), 0);
	/* a -> b's list given for b -> c. */
	assert_int_equal(journal_record_changes(j, tb, tc, ch), 0);
	assert_int_equal(journal_record(jw, tb, tc), 0);
	ixfr_lines(j, 0, b.serial, c.serial, &l1);
	ixfr_lines(jw, 0, b.serial, c.serial, &l2);
	lines_equal(&l1, &l2, "IXFR");
	lines_clear(&l1);
	lines_clear(&l2);
	journal_free(j);
	journal_free(jw);
	table_changes_free(ch);
	table_free(ta);
	table_free(tb);
	table_free(tc);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(t_single),
		cmocka_unit_test(t_sequence),
		cmocka_unit_test(t_changes_of_another_pair),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
