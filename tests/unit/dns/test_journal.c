/* SPDX-License-Identifier: MIT */
/*
 * test_journal.c -- the IXFR journal: differences found by walking two
 * tables, condensed, bounded, and forgotten across a gap.
 */
#include "autoconfig.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <ldns/ldns.h>

#include "dns/journal.h"
#include "dns/table_build.h"

#define APEX		(const uint8_t *)"\x04mesh", 6

/*
 * Zone "mesh" with serial @serial and an A record 241.0.0.@last[i] at
 * each of @names (NULL-ended).
 */
static struct table *
table_of(uint32_t serial, const char *const *names, const uint8_t *last)
{
	static const char *const ns[] = { "ns.mesh" };
	struct table_zone_params p;
	struct table_builder *b = table_builder_new();
	struct table *t = NULL;
	char err[256];
	size_t i;

	assert_non_null(b);
	memset(&p, 0, sizeof(p));
	p.apex = "mesh";
	p.mname = "ns.mesh";
	p.rname = "hostmaster.mesh";
	p.minimum = 30;
	p.ttl = 60;
	p.ns = ns;
	p.nns = 1;
	assert_int_equal(table_builder_add_zone(b, &p, err, sizeof(err)), 0);
	table_builder_set_serial(b, 0, serial);
	for (i = 0; names[i] != NULL; i++) {
		uint8_t addr[4] = { 241, 0, 0, last[i] };

		assert_int_equal(table_builder_add_addr(b, names[i], AF_INET,
							addr, 60), 0);
	}
	assert_int_equal(table_builder_finish(b, &t), 0);
	return t;
}

/* The IXFR list as text, one RR a line, single spaces. */
static char *
ixfr_text(struct journal *j, uint32_t from, uint32_t to)
{
	ldns_rr_list *l = NULL;
	char *text = NULL;
	size_t i, n = 0;

	if (journal_ixfr(j, APEX, from, to, &l) < 0)
		return NULL;
	text = calloc(1, 8192);
	assert_non_null(text);
	for (i = 0; i < ldns_rr_list_rr_count(l); i++) {
		char *s = ldns_rr2str(ldns_rr_list_rr(l, i));
		char *p = NULL;

		for (p = s; *p != '\0'; p++)
			if (*p == '\t')
				*p = ' ';
		n += (size_t)snprintf(text + n, 8192 - n, "%s", s);
		free(s);
	}
	ldns_rr_list_deep_free(l);
	return text;
}

#define SOA(s)	"mesh. 60 IN SOA ns.mesh. hostmaster.mesh. " #s \
		" 0 0 0 30\n"

static void
t_record_and_condense(void **unused)
{
	static const char *const n1[] = { "a.mesh", "b.mesh", NULL };
	static const uint8_t a1[] = { 1, 2 };
	static const char *const n2[] = { "a.mesh", "b.mesh", "c.mesh", NULL };
	static const uint8_t a2[] = { 1, 9, 3 };
	static const char *const n3[] = { "a.mesh", "c.mesh", NULL };
	static const uint8_t a3[] = { 1, 4 };
	struct table *t1 = table_of(10, n1, a1);
	struct table *t2 = table_of(11, n2, a2);
	struct table *t3 = table_of(12, n3, a3);
	struct table *t3same = table_of(12, n3, a3);
	struct journal *j = NULL;
	char *text = NULL;
	size_t count = 0, bytes = 0;

	assert_int_equal(journal_new(&j, 20, 1 << 20), 0);
	assert_int_equal(journal_record(j, NULL, t1), 0);
	assert_int_equal(journal_record(j, t1, t2), 0);
	assert_int_equal(journal_record(j, t2, t3), 0);
	/* The same serial: nothing recorded. */
	assert_int_equal(journal_record(j, t3, t3same), 0);
	journal_stats(j, APEX, &count, &bytes);
	assert_int_equal(count, 2);
	assert_true(bytes > 0);

	/* One change: b's address changed, c added. */
	text = ixfr_text(j, 10, 11);
	assert_non_null(text);
	assert_string_equal(text, SOA(11) SOA(10)
			    "b.mesh. 60 IN A 241.0.0.2\n"
			    SOA(11)
			    "b.mesh. 60 IN A 241.0.0.9\n"
			    "c.mesh. 60 IN A 241.0.0.3\n"
			    SOA(11));
	free(text);
	/* Two, condensed: b's 241.0.0.9 came and went, never shows. */
	text = ixfr_text(j, 10, 12);
	assert_non_null(text);
	assert_string_equal(text, SOA(12) SOA(10)
			    "b.mesh. 60 IN A 241.0.0.2\n"
			    SOA(12)
			    "c.mesh. 60 IN A 241.0.0.4\n"
			    SOA(12));
	free(text);
	assert_null(ixfr_text(j, 9, 12));	/* no history */
	assert_null(ixfr_text(j, 10, 13));	/* no chain to there */
	journal_free(j);

	/* Bounds: one difference at most; then too few bytes for any. */
	assert_int_equal(journal_new(&j, 1, 1 << 20), 0);
	assert_int_equal(journal_record(j, t1, t2), 0);
	assert_int_equal(journal_record(j, t2, t3), 0);
	journal_stats(j, APEX, &count, &bytes);
	assert_int_equal(count, 1);
	assert_null(ixfr_text(j, 10, 12));
	text = ixfr_text(j, 11, 12);
	assert_non_null(text);
	free(text);
	journal_free(j);
	assert_int_equal(journal_new(&j, 20, 10), 0);
	assert_int_equal(journal_record(j, t1, t2), 0);
	journal_stats(j, APEX, &count, &bytes);
	assert_int_equal(count, 0);
	assert_null(ixfr_text(j, 10, 11));
	journal_free(j);

	/* A gap (10 -> 11, then 20 -> 21): the history starts again. */
	assert_int_equal(journal_new(&j, 20, 1 << 20), 0);
	assert_int_equal(journal_record(j, t1, t2), 0);
	table_free(t3);
	t3 = table_of(21, n3, a3);
	table_free(t3same);
	t3same = table_of(20, n2, a2);
	assert_int_equal(journal_record(j, t3same, t3), 0);
	journal_stats(j, APEX, &count, &bytes);
	assert_int_equal(count, 1);
	assert_null(ixfr_text(j, 10, 11));
	text = ixfr_text(j, 20, 21);
	assert_non_null(text);
	free(text);
	journal_free(j);
	table_free(t1);
	table_free(t2);
	table_free(t3);
	table_free(t3same);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(t_record_and_condense),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
