/* SPDX-License-Identifier: MIT */
/* test_text.c -- unit tests for text.h: a message built in a fixed buffer. */
#include "autoconfig.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "util/text.h"

static void
test_appends(void **state)
{
	char buf[64];
	size_t len = 0;

	(void)state;
	buf[0] = '\0';
	text_appendf(buf, sizeof(buf), &len, "+%d names", 5);
	text_appendf(buf, sizeof(buf), &len, " (%s)", "a, b");
	assert_string_equal(buf, "+5 names (a, b)");
	assert_int_equal(len, strlen(buf));
	text_appendf(buf, sizeof(buf), &len, "%s", "");
	assert_string_equal(buf, "+5 names (a, b)");
}

/* Cut at the end, never past it; later pieces change nothing. */
static void
test_cut(void **state)
{
	char buf[8];
	size_t len = 0;

	(void)state;
	buf[0] = '\0';
	text_appendf(buf, sizeof(buf), &len, "%s", "abc");
	text_appendf(buf, sizeof(buf), &len, "%s", "defghij");
	assert_string_equal(buf, "abcdefg");
	assert_int_equal(len, 7);
	text_appendf(buf, sizeof(buf), &len, "%s", "xyz");
	assert_string_equal(buf, "abcdefg");
	assert_int_equal(len, 7);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_appends),
		cmocka_unit_test(test_cut),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
