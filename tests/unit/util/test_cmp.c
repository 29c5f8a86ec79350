/* SPDX-License-Identifier: MIT */
/* test_cmp.c -- comparisons that take NULL. */
#include "autoconfig.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "util/cmp.h"

static void
test_str_null(void **state)
{
	(void)state;
	assert_int_equal(cmp_str_null(NULL, NULL), 0);
	assert_true(cmp_str_null(NULL, "") < 0);
	assert_true(cmp_str_null("", NULL) > 0);
	assert_int_equal(cmp_str_null("a", "a"), 0);
	assert_true(cmp_str_null("a", "b") < 0);
	assert_true(cmp_str_null("b", "a") > 0);
	assert_true(cmp_str_null("a", "ab") < 0);
}

static int
sort_cmp(const void *a, const void *b)
{
	return cmp_str_null(*(const char *const *)a, *(const char *const *)b);
}

/* As a qsort() order: NULLs first, then strcmp()'s order. */
static void
test_sort(void **state)
{
	const char *v[] = { "b", NULL, "a", "", NULL };

	(void)state;
	qsort(v, 5, sizeof(v[0]), sort_cmp);
	assert_null(v[0]);
	assert_null(v[1]);
	assert_string_equal(v[2], "");
	assert_string_equal(v[3], "a");
	assert_string_equal(v[4], "b");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_str_null),
		cmocka_unit_test(test_sort),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
