/* SPDX-License-Identifier: MIT */
/* test_hash.c -- FNV-1a against the published vectors; the final mix. */
#include "autoconfig.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "util/hash.h"

/* The FNV authors' test vectors (and the empty string: the basis). */
static const struct {
	const char *s;
	uint64_t h64;
	uint32_t h32;
} vectors[] = {
	{ "", 0xcbf29ce484222325ULL, 0x811c9dc5u },
	{ "a", 0xaf63dc4c8601ec8cULL, 0xe40c292cu },
	{ "foobar", 0x85944171f73967e8ULL, 0xbf9cf968u },
};

static void
test_fnv1a_vectors(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(vectors) / sizeof(vectors[0]); i++) {
		const char *s = vectors[i].s;

		assert_int_equal(hash_fnv1a64(HASH_FNV1A64_INIT, s,
					      strlen(s)), vectors[i].h64);
		assert_int_equal(hash_fnv1a64_str(HASH_FNV1A64_INIT, s),
				 vectors[i].h64);
		assert_int_equal(hash_fnv1a32_str(HASH_FNV1A32_INIT, s),
				 vectors[i].h32);
	}
}

/* Chaining "foo" then "bar" is the hash of "foobar"; bytes may be 0. */
static void
test_fnv1a_chain(void **state)
{
	static const unsigned char zero[2] = { 0, 0 };
	uint64_t h;

	(void)state;
	h = hash_fnv1a64_str(HASH_FNV1A64_INIT, "foo");
	assert_int_equal(hash_fnv1a64_str(h, "bar"), 0x85944171f73967e8ULL);
	assert_int_equal(hash_fnv1a64(h, "bar", 3), 0x85944171f73967e8ULL);
	assert_int_equal(hash_fnv1a32_str(hash_fnv1a32_str(HASH_FNV1A32_INIT,
							   "foo"), "bar"),
			 0xbf9cf968u);
	assert_int_not_equal(hash_fnv1a64(HASH_FNV1A64_INIT, zero, 1),
			     hash_fnv1a64(HASH_FNV1A64_INIT, zero, 2));
	assert_int_equal(hash_fnv1a64(h, NULL, 0), h);
}

static void
test_mix64(void **state)
{
	(void)state;
	assert_int_equal(hash_mix64(0), 0);
	assert_int_equal(hash_mix64(1), 0xb456bcfc34c2cb2cULL);
	assert_int_equal(hash_mix64(0x85944171f73967e8ULL),
			 0x2c22194922d1672bULL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fnv1a_vectors),
		cmocka_unit_test(test_fnv1a_chain),
		cmocka_unit_test(test_mix64),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
