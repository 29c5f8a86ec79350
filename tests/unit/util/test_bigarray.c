/* SPDX-License-Identifier: MIT */
/*
 * test_bigarray.c -- big arrays: aligned, reused once freed (the cache),
 * zeroed by calloc even when reused, grown with their content, given
 * back by trim; small ones and malloc's own pass through.
 */
#include "autoconfig.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "util/bigarray.h"

#define MIB ((size_t)1 << 20)

/* A freed big array is the next one of about its size, not a new map. */
static void
test_reused(void **state)
{
	unsigned char *a = NULL;
	unsigned char *b = NULL;
	unsigned char *c = NULL;

	(void)state;
	bigarray_trim();
	a = bigarray_alloc(24 * MIB);
	assert_non_null(a);
	assert_int_equal((uintptr_t)a % (2 * MIB), 0);
	memset(a, 0xab, 24 * MIB);
	assert_int_equal(bigarray_cached(), 0);
	bigarray_free(a);
	assert_int_equal(bigarray_cached(), 24 * MIB);
	/* Too small to take a 24 MiB block (it would waste half). */
	c = bigarray_alloc(8 * MIB);
	assert_non_null(c);
	assert_ptr_not_equal(c, a);
	assert_int_equal(bigarray_cached(), 24 * MIB);
	b = bigarray_alloc(23 * MIB);
	assert_ptr_equal(b, a);
	assert_int_equal(bigarray_cached(), 0);
	bigarray_free(b);
	bigarray_free(c);
	assert_int_equal(bigarray_cached(), 32 * MIB);
	bigarray_trim();
	assert_int_equal(bigarray_cached(), 0);
}

/* calloc zeroes a reused block, which holds the last user's bytes. */
static void
test_calloc_reused(void **state)
{
	unsigned char *a = NULL;
	unsigned char *b = NULL;
	size_t i;

	(void)state;
	bigarray_trim();
	a = bigarray_alloc(6 * MIB);
	assert_non_null(a);
	memset(a, 0x5a, 6 * MIB);
	bigarray_free(a);
	b = bigarray_calloc(6 * MIB / 8, 8);
	assert_ptr_equal(b, a);
	for (i = 0; i < 6 * MIB; i += 4093)
		assert_int_equal(b[i], 0);
	assert_int_equal(b[6 * MIB - 1], 0);
	bigarray_free(b);
	bigarray_trim();
}

/* realloc keeps the content, across the small and big sizes. */
static void
test_grow(void **state)
{
	unsigned char *p = NULL;
	unsigned char *q = NULL;
	size_t i;

	(void)state;
	bigarray_trim();
	p = bigarray_alloc(1000);	/* malloc's */
	assert_non_null(p);
	for (i = 0; i < 1000; i++)
		p[i] = (unsigned char)i;
	p = bigarray_realloc(p, 3000);	/* still malloc's */
	assert_non_null(p);
	for (i = 0; i < 1000; i++)
		assert_int_equal(p[i], (unsigned char)i);
	bigarray_free(p);
	p = bigarray_alloc(5 * MIB);
	assert_non_null(p);
	for (i = 0; i < 5 * MIB; i++)
		p[i] = (unsigned char)(i * 7);
	/* Within the block's rounded size: the same block. */
	q = bigarray_realloc(p, 5 * MIB + 1000);
	assert_ptr_equal(q, p);
	q = bigarray_realloc(p, 20 * MIB);
	assert_non_null(q);
	for (i = 0; i < 5 * MIB; i++)
		if (q[i] != (unsigned char)(i * 7))
			fail_msg("byte %zu lost", i);
	memset(q + 5 * MIB, 1, 15 * MIB);
	/* The old block went to the cache. */
	assert_int_equal(bigarray_cached(), 6 * MIB);
	bigarray_free(q);
	bigarray_free(NULL);
	bigarray_trim();
	assert_int_equal(bigarray_cached(), 0);
}

/*
 * An array of the size the daemon's malloc would map on its own (1 MiB)
 * is a big one, cached when freed: a VIP table's index of 2 MiB, copied
 * per apply, reuses a warm block.
 */
static void
test_min_size(void **state)
{
	void *a = NULL;
	void *b = NULL;

	(void)state;
	bigarray_trim();
	a = bigarray_alloc(2 * MIB);
	assert_non_null(a);
	bigarray_free(a);
	assert_int_equal(bigarray_cached(), 2 * MIB);
	b = bigarray_alloc(BIGARRAY_MIN);
	assert_ptr_equal(b, a);
	bigarray_free(b);
	bigarray_trim();
	a = bigarray_alloc(BIGARRAY_MIN - 1);	/* malloc's */
	assert_non_null(a);
	bigarray_free(a);
	assert_int_equal(bigarray_cached(), 0);
}

/* Memory from malloc itself is freed and grown as malloc's. */
static void
test_malloc_passes(void **state)
{
	char *p = malloc(16);

	(void)state;
	assert_non_null(p);
	strcpy(p, "kept");
	p = bigarray_realloc(p, 32);
	assert_non_null(p);
	assert_string_equal(p, "kept");
	bigarray_free(p);
	assert_int_equal(bigarray_cached(), 0);
}

/* More freed blocks than the cache keeps: the oldest go, none leaks. */
static void
test_cache_bounded(void **state)
{
	void *v[64];
	size_t i;

	(void)state;
	bigarray_trim();
	for (i = 0; i < 64; i++) {
		v[i] = bigarray_alloc(4 * MIB);
		assert_non_null(v[i]);
	}
	for (i = 0; i < 64; i++)
		bigarray_free(v[i]);
	assert_true(bigarray_cached() > 0);
	assert_true(bigarray_cached() < 64 * 4 * MIB);
	bigarray_trim();
	assert_int_equal(bigarray_cached(), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reused),
		cmocka_unit_test(test_calloc_reused),
		cmocka_unit_test(test_grow),
		cmocka_unit_test(test_min_size),
		cmocka_unit_test(test_malloc_passes),
		cmocka_unit_test(test_cache_bounded),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
