/* SPDX-License-Identifier: MIT */
/* digest.c -- 64-bit digests of bytes, to notice that an input changed. */
#include "autoconfig.h"

#include <string.h>

#include "util/digest.h"
#include "util/hash.h"

#define K1 0x9e3779b97f4a7c15ULL
#define K2 0xff51afd7ed558ccdULL	/* hash_mix64()'s constants */
#define K3 0xc4ceb9fe1a85ec53ULL

static uint64_t
rotl(uint64_t v, int n)
{
	return (v << n) | (v >> (64 - n));
}

uint64_t
digest_bytes(uint64_t seed, const void *p, size_t len)
{
	const unsigned char *b = p;
	uint64_t h = seed ^ (len * K1);
	uint64_t w;
	size_t i;

	/* Eight bytes at a time: a file of 20 MB takes a few milliseconds. */
	for (i = 0; i + 8 <= len; i += 8) {
		memcpy(&w, b + i, 8);
		h = rotl(h ^ (w * K2), 31) * K1;
	}
	w = 0;
	if (i < len)
		memcpy(&w, b + i, len - i);
	h = rotl(h ^ (w * K2), 31) * K1;
	return hash_mix64(h);	/* every input bit reaches every output bit */
}

uint64_t
digest_str(uint64_t seed, const char *s)
{
	if (s == NULL)
		return digest_u64(seed, K3);
	return digest_bytes(seed, s, strlen(s));
}
