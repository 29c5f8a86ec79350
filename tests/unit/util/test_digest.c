/* SPDX-License-Identifier: MIT */
/*
 * test_digest.c -- unit tests for digest.h, the start-up cache's key: the
 * same bytes give the same digest in every run, and any change of a bit,
 * a byte, the length or the chaining order gives another one.
 */
#include "autoconfig.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util/digest.h"

/* This program, run again by test_stable_across_runs(). */
static const char *self;

/* The inputs whose digests two runs must agree on. */
static const struct {
	uint64_t seed;
	const char *bytes;
	size_t len;
} inputs[] = {
	{ 0, "", 0 },
	{ 0, "\0", 1 },
	{ 0, "abc", 3 },
	{ 1, "abc", 3 },
	{ 0, "0123456789abcdef0", 17 },
	{ 0xffffffffffffffffULL, "type: MeshService\nname: redis\n", 30 },
};

#define NINPUTS (sizeof(inputs) / sizeof(inputs[0]))

static uint64_t
input_digest(size_t i)
{
	uint64_t d = digest_bytes(inputs[i].seed, inputs[i].bytes,
				  inputs[i].len);

	/* The chaining functions too: what the cache key is made of. */
	d = digest_u64(d, i);
	return digest_str(d, inputs[i].bytes);
}

/* Run as "test_digest --print": each input's digest on a line of its own. */
static int
print_digests(void)
{
	size_t i;

	for (i = 0; i < NINPUTS; i++)
		printf("%016" PRIx64 "\n", input_digest(i));
	return fflush(stdout) == 0 ? 0 : 1;
}

/* A pattern of @len bytes that is not all one value. */
static void
fill(unsigned char *b, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		b[i] = (unsigned char)(i * 37 + 11);
}

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a;
	uint64_t y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* Fails when two of the @n digests at @v are equal (sorts @v). */
static void
assert_all_different(uint64_t *v, size_t n, const char *what, size_t len)
{
	size_t i;

	qsort(v, n, sizeof(*v), cmp_u64);
	for (i = 1; i < n; i++)
		if (v[i] == v[i - 1])
			fail_msg("%s, %zu bytes: two inputs with digest "
				 "%016" PRIx64, what, len, v[i]);
}

/*
 * Another process (with its own address layout) computes the same
 * digests: nothing in them depends on a run, an address or a random seed.
 */
static void
test_stable_across_runs(void **state)
{
	char out[NINPUTS * 17 + 1];
	char want[NINPUTS * 17 + 1];
	size_t n = 0;
	size_t i;
	int fds[2];
	int status = 0;
	pid_t pid;

	(void)state;
	for (i = 0; i < NINPUTS; i++)
		snprintf(want + i * 17, sizeof(want) - i * 17, "%016" PRIx64 "\n",
			 input_digest(i));
	assert_int_equal(pipe(fds), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		dup2(fds[1], STDOUT_FILENO);
		close(fds[0]);
		close(fds[1]);
		execl(self, self, "--print", (char *)NULL);
		_exit(127);
	}
	close(fds[1]);
	for (;;) {
		ssize_t r = read(fds[0], out + n, sizeof(out) - 1 - n);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		n += (size_t)r;
	}
	close(fds[0]);
	out[n] = '\0';
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	assert_string_equal(out, want);
}

/* The same bytes at any address (any alignment) give the same digest. */
static void
test_same_bytes_anywhere(void **state)
{
	static const size_t lens[] = { 0, 1, 7, 8, 9, 16, 17, 100 };
	unsigned char buf[128];
	unsigned char ref[128];
	size_t i;
	size_t off;

	(void)state;
	for (i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		fill(ref, lens[i]);
		for (off = 0; off < 8; off++) {
			memset(buf, 0xa5, sizeof(buf));
			memcpy(buf + off, ref, lens[i]);
			assert_true(digest_bytes(3, buf + off, lens[i]) ==
				    digest_bytes(3, ref, lens[i]));
		}
	}
}

/*
 * Flipping any one bit of the input, or changing any one byte to any
 * other value, changes the digest; no two of those inputs collide.  The
 * lengths cover a part word only, whole words, and words with a tail.
 */
static void
test_one_bit_one_byte(void **state)
{
	static const size_t lens[] = { 1, 3, 7, 8, 9, 15, 16, 17, 64, 65 };
	unsigned char b[65];
	uint64_t *v = NULL;
	size_t i;
	size_t j;
	size_t n;
	int bit;
	int val;

	(void)state;
	v = calloc(65 * 256 + 1, sizeof(*v));
	assert_non_null(v);
	for (i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		size_t len = lens[i];

		fill(b, len);
		n = 0;
		v[n++] = digest_bytes(0, b, len);
		for (j = 0; j < len; j++) {
			for (bit = 0; bit < 8; bit++) {
				b[j] ^= (unsigned char)(1u << bit);
				v[n++] = digest_bytes(0, b, len);
				b[j] ^= (unsigned char)(1u << bit);
			}
		}
		assert_all_different(v, n, "one bit flipped", len);

		n = 0;
		for (j = 0; j < len; j++) {
			unsigned char keep = b[j];

			/* Every value of byte j, the original one once. */
			for (val = 0; val < 256; val++) {
				if (j > 0 && val == keep)
					continue;
				b[j] = (unsigned char)val;
				v[n++] = digest_bytes(0, b, len);
			}
			b[j] = keep;
		}
		assert_all_different(v, n, "one byte changed", len);
	}
	free(v);
}

/*
 * The length is part of the digest: zero bytes, 0 to 64 of them, all
 * differ (the last word is padded with zeros), and so does a prefix of
 * a buffer from the whole.
 */
static void
test_length(void **state)
{
	unsigned char zero[64];
	unsigned char b[64];
	uint64_t v[2 * 65];
	size_t n = 0;
	size_t len;

	(void)state;
	memset(zero, 0, sizeof(zero));
	fill(b, sizeof(b));
	for (len = 0; len <= 64; len++)
		v[n++] = digest_bytes(0, zero, len);
	for (len = 1; len <= 64; len++)
		v[n++] = digest_bytes(0, b, len);
	assert_all_different(v, n, "prefixes", 64);
}

/* The seed is an input: the same bytes under other seeds differ. */
static void
test_seed(void **state)
{
	static const uint64_t seeds[] = {
		0, 1, 2, 0x8000000000000000ULL, 0xffffffffffffffffULL,
		0x9e3779b97f4a7c15ULL,
	};
	uint64_t v[sizeof(seeds) / sizeof(seeds[0])];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(seeds) / sizeof(seeds[0]); i++)
		v[i] = digest_bytes(seeds[i], "redis.mesh", 10);
	assert_all_different(v, sizeof(seeds) / sizeof(seeds[0]), "seeds", 10);
	/* Chained from 0 and from a digest: digest_u64() of a digest. */
	assert_true(digest_u64(0, 1) != digest_u64(digest_u64(0, 1), 1));
}

/* Chaining is ordered, and strings are chained with their length. */
static void
test_chaining_order(void **state)
{
	static const struct {
		const char *a1, *a2;	/* chained a1, then a2 */
		const char *b1, *b2;	/* must differ from b1, then b2 */
	} strs[] = {
		{ "ab", "c", "a", "bc" },
		{ "abc", "", "", "abc" },
		{ "", "", "", NULL },
		{ "x", "y", "y", "x" },
		{ "redis", "mesh", "mesh", "redis" },
		{ "", NULL, NULL, "" },
		{ "(null)", "", NULL, "" },
	};
	static const uint64_t nums[][2] = {
		{ 1, 2 }, { 0, 1 }, { 0, 0xffffffffffffffffULL },
		{ 42, 4242 },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(strs) / sizeof(strs[0]); i++) {
		uint64_t a = digest_str(digest_str(7, strs[i].a1), strs[i].a2);
		uint64_t b = digest_str(digest_str(7, strs[i].b1), strs[i].b2);

		if (a == b)
			fail_msg("case %zu: the same digest for two orders", i);
	}
	for (i = 0; i < sizeof(nums) / sizeof(nums[0]); i++) {
		uint64_t x = nums[i][0];
		uint64_t y = nums[i][1];

		assert_true(digest_u64(digest_u64(0, x), y) !=
			    digest_u64(digest_u64(0, y), x));
		/* And chaining is a function: the same order, the same. */
		assert_true(digest_u64(digest_u64(0, x), y) ==
			    digest_u64(digest_u64(0, x), y));
	}
	/* A NULL string is a value of its own: not "", not "(null)". */
	assert_true(digest_str(0, NULL) != digest_str(0, ""));
	assert_true(digest_str(0, NULL) != digest_str(0, "(null)"));
	assert_true(digest_str(0, NULL) == digest_str(0, NULL));
	/* Chaining a string changes the digest, even the empty one. */
	assert_true(digest_str(5, "") != 5);
}

/*
 * digest_u64() (inline) chains a number exactly as digest_bytes() chains
 * its eight bytes: the same digests as before it was inlined.
 */
static void
test_u64_is_its_bytes(void **state)
{
	uint64_t seed = 0;
	uint64_t v = 1;
	size_t i;

	(void)state;
	for (i = 0; i < 1000; i++) {
		assert_true(digest_u64(seed, v) ==
			    digest_bytes(seed, &v, sizeof(v)));
		seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
		v = v * 2862933555777941757ULL + 3037000493ULL + i;
	}
	v = UINT64_MAX;
	assert_true(digest_u64(0, v) == digest_bytes(0, &v, sizeof(v)));
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_stable_across_runs),
		cmocka_unit_test(test_same_bytes_anywhere),
		cmocka_unit_test(test_one_bit_one_byte),
		cmocka_unit_test(test_length),
		cmocka_unit_test(test_seed),
		cmocka_unit_test(test_chaining_order),
		cmocka_unit_test(test_u64_is_its_bytes),
	};

	if (argc == 2 && strcmp(argv[1], "--print") == 0)
		return print_digests();
	self = argv[0];
	return cmocka_run_group_tests(tests, NULL, NULL);
}
