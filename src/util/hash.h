/* SPDX-License-Identifier: MIT */
/*
 * hash.h -- FNV-1a, the one non-cryptographic hash of meshdns.
 *
 * FNV-1a (Fowler, Noll, Vo): for every byte, h ^= byte, then h *= prime,
 * from a fixed offset basis.  Kuma's hashed names are defined on it
 * (generate.h), so there its values are part of the output; hash tables
 * and digests use it too.  Chain calls by passing the previous result as
 * @h, starting from HASH_FNV1A64_INIT or HASH_FNV1A32_INIT.
 *
 * The low bits of an FNV hash depend weakly on the last bytes: a table
 * that indexes by the low bits of keys that differ only at the end should
 * pass the hash through hash_mix64() first.
 *
 * Pure: no I/O, no state; the values are the same on every platform.
 */
#ifndef MESHDNS_HASH_H
#define MESHDNS_HASH_H

#include <stddef.h>
#include <stdint.h>

#define HASH_FNV1A64_INIT	0xcbf29ce484222325ULL
#define HASH_FNV1A64_PRIME	0x100000001b3ULL
#define HASH_FNV1A32_INIT	2166136261u
#define HASH_FNV1A32_PRIME	16777619u

/* FNV-1a-64 of @n bytes at @p, chained from @h. */
static inline uint64_t
hash_fnv1a64(uint64_t h, const void *p, size_t n)
{
	const unsigned char *b = p;
	size_t i;

	for (i = 0; i < n; i++) {
		h ^= b[i];
		h *= HASH_FNV1A64_PRIME;
	}
	return h;
}

/* FNV-1a-64 of the bytes of @s (without its NUL), chained from @h. */
static inline uint64_t
hash_fnv1a64_str(uint64_t h, const char *s)
{
	for (; *s != '\0'; s++) {
		h ^= (unsigned char)*s;
		h *= HASH_FNV1A64_PRIME;
	}
	return h;
}

/* FNV-1a-32 of the bytes of @s (without its NUL), chained from @h. */
static inline uint32_t
hash_fnv1a32_str(uint32_t h, const char *s)
{
	for (; *s != '\0'; s++) {
		h ^= (unsigned char)*s;
		h *= HASH_FNV1A32_PRIME;
	}
	return h;
}

/*
 * A final mix so that every bit of the result depends on every bit of
 * @h (MurmurHash3's fmix64); a bijection, and 0 maps to 0.
 */
static inline uint64_t
hash_mix64(uint64_t h)
{
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ULL;
	h ^= h >> 33;
	return h;
}

#endif
