/* SPDX-License-Identifier: MIT */
/* test_arena.c -- alignment, zeroing, big requests, clearing. */
#include "autoconfig.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdalign.h>
#include <string.h>

#include "util/arena.h"

static int
aligned(const void *p)
{
	return (uintptr_t)p % alignof(max_align_t) == 0;
}

/* Many small objects: aligned, distinct, writable, not overlapping. */
static void
test_small(void **state)
{
	struct arena a = { 0 };
	unsigned char *v[2000];
	size_t i;

	(void)state;
	for (i = 0; i < 2000; i++) {
		v[i] = arena_alloc(&a, i % 37);
		assert_non_null(v[i]);
		assert_true(aligned(v[i]));
		memset(v[i], (int)(i & 0xff), i % 37);
	}
	for (i = 0; i < 2000; i++) {
		size_t k;

		for (k = 0; k < i % 37; k++)
			assert_int_equal(v[i][k], i & 0xff);
		if (i > 0)
			assert_ptr_not_equal(v[i], v[i - 1]);
	}
	arena_clear(&a);
	assert_null(a.blocks);
}

static void
test_zalloc(void **state)
{
	struct arena a = { 0 };
	unsigned char *p = NULL;
	size_t i;

	(void)state;
	/* Dirty the first block, clear, then ask for zeroed memory. */
	p = arena_alloc(&a, 512);
	assert_non_null(p);
	memset(p, 0xa5, 512);
	arena_clear(&a);
	for (i = 0; i < 50; i++) {
		p = arena_zalloc(&a, 100);
		assert_non_null(p);
		assert_true(aligned(p));
		assert_true(p[0] == 0 && p[99] == 0 &&
			    memcmp(p, p + 1, 99) == 0);
		memset(p, 0xff, 100);
	}
	arena_clear(&a);
}

/* A request bigger than any block gets one of its own; small ones go on
 * in the current block. */
static void
test_big(void **state)
{
	struct arena a = { 0 };
	unsigned char *small1 = NULL;
	unsigned char *big = NULL;
	unsigned char *small2 = NULL;

	(void)state;
	small1 = arena_alloc(&a, 16);
	big = arena_alloc(&a, 200000);
	small2 = arena_alloc(&a, 16);
	assert_non_null(small1);
	assert_non_null(big);
	assert_non_null(small2);
	assert_true(aligned(big));
	memset(big, 1, 200000);
	assert_ptr_equal(small2, small1 + 16);
	assert_null(arena_alloc(&a, SIZE_MAX));
	assert_null(arena_alloc(&a, SIZE_MAX / 2 + 1));
	arena_clear(&a);
	arena_clear(&a);		/* clearing an empty arena is fine */
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_small),
		cmocka_unit_test(test_zalloc),
		cmocka_unit_test(test_big),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
