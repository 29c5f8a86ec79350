/* SPDX-License-Identifier: MIT */
/*
 * digest.h -- 64-bit digests of bytes, to notice that an input changed.
 *
 * Not cryptographic: good for "is this the same file as last time?" (the
 * start-up cache's key, cache.h), where a collision is a 2^-64 accident
 * and whoever can choose the inputs can change the answers anyway.  Stable
 * across runs of the same binary.  Pure: no I/O.
 */
#ifndef MESHDNS_DIGEST_H
#define MESHDNS_DIGEST_H

#include <stddef.h>
#include <stdint.h>

#include "util/hash.h"

/* The digest of @len bytes at @p, chained from @seed (0 to start). */
uint64_t digest_bytes(uint64_t seed, const void *p, size_t len);

/*
 * Chain a number; digest_u64(digest_u64(s, a), b) differs from (b, a).
 * The same value as digest_bytes(seed, &v, 8), inline: digests of trees
 * (every node of every resource read) chain numbers by the million.
 */
static inline uint64_t
digest_u64(uint64_t seed, uint64_t v)
{
	const uint64_t k1 = 0x9e3779b97f4a7c15ULL;
	const uint64_t k2 = 0xff51afd7ed558ccdULL;
	uint64_t h = seed ^ (8 * k1);

	h = h ^ (v * k2);
	h = ((h << 31) | (h >> 33)) * k1;
	h = ((h << 31) | (h >> 33)) * k1;	/* the empty tail block */
	return hash_mix64(h);
}

/*
 * Chain a NUL-terminated string with its length, so that "ab" then "c"
 * differs from "a" then "bc"; a NULL @s is chained as a value of its own.
 */
uint64_t digest_str(uint64_t seed, const char *s);

#endif
