/* SPDX-License-Identifier: MIT */
/* test_table_diff.c -- the names one table has and another has not. */
#include "autoconfig.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <string.h>

#include "dns/table_build.h"
#include "dns/table_diff.h"

/* Zone "mesh" with an A record at each of @names (NULL-ended). */
static struct table *
table_of(const char *const *names)
{
	static const char *const ns[] = { "ns.mesh" };
	static const uint8_t addr[4] = { 241, 0, 0, 1 };
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
	for (i = 0; names[i] != NULL; i++)
		assert_int_equal(table_builder_add_addr(b, names[i], AF_INET,
							addr, 60), 0);
	assert_int_equal(table_builder_finish(b, &t), 0);
	return t;
}

/*
 * An empty non-terminal that comes to own data is added; one that was a
 * name and is now only an ancestor is removed; case does not matter.
 */
static void
t_empty_non_terminals(void **unused)
{
	static const char *const before[] = { "a.b.mesh", "c.mesh", NULL };
	static const char *const after[] = { "b.mesh", "C.Mesh", NULL };
	struct table *a = table_of(before);
	struct table *b = table_of(after);
	struct table_diff d;

	assert_int_equal(table_diff_names(&d, a, b), 0);
	assert_int_equal(d.added.count, 1);
	assert_int_equal(d.added.nshown, 1);
	assert_string_equal(d.added.shown[0], "b.mesh");
	assert_int_equal(d.removed.count, 1);
	assert_string_equal(d.removed.shown[0], "a.b.mesh");
	table_diff_clear(&d);
	assert_int_equal(d.added.count, 0);
	assert_int_equal(d.removed.nshown, 0);
	table_free(a);
	table_free(b);
}

/* No old table: every name is added, the apex too; three are shown. */
static void
t_from_nothing(void **unused)
{
	static const char *const names[] = {
		"a.mesh", "b.mesh", "c.mesh", "d.mesh", NULL,
	};
	struct table *t = table_of(names);
	struct table_diff d;

	assert_int_equal(table_diff_names(&d, NULL, t), 0);
	assert_int_equal(d.added.count, 5);
	assert_int_equal(d.added.nshown, TABLE_DIFF_SHOWN);
	assert_string_equal(d.added.shown[0], "a.mesh");
	assert_string_equal(d.added.shown[2], "c.mesh");
	assert_int_equal(d.removed.count, 0);
	table_diff_clear(&d);
	table_free(t);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(t_empty_non_terminals),
		cmocka_unit_test(t_from_nothing),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
