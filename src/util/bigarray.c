/* SPDX-License-Identifier: MIT */
/*
 * bigarray.c -- big arrays mapped on their own, on transparent huge
 * pages, and a cache of freed ones (see bigarray.h).
 *
 * Every big block in use is listed in `live` (address and length), so
 * that bigarray_free() and bigarray_realloc() tell a big block from a
 * malloc'ed one; freed ones wait in `cache`, oldest first.  A process has
 * a few dozen big blocks at most (the arrays of the snapshots alive):
 * both lists are searched linearly, under one lock.
 */
#include "autoconfig.h"

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/types.h>

#include "util/bigarray.h"

#define HUGE_PAGE ((size_t)2 << 20)

/*
 * Blocks kept once freed: enough for the big arrays of one snapshot and
 * its VIP table (the previous generation's, which the next apply needs;
 * about 20 at 100,000 services), with room to spare.
 */
#define CACHE_MAX 48

struct block {
	void *p;
	size_t len;
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct block *live;
static size_t nlive;
static size_t live_cap;
static struct block cache[CACHE_MAX];
static size_t ncache;
static size_t cached_bytes;

/* A new mapping of @len bytes (a multiple of HUGE_PAGE), aligned to it. */
static void *
map_block(size_t len)
{
	uint8_t *p = NULL;
	size_t head;

	p = mmap(NULL, len + HUGE_PAGE, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return NULL;
	head = (HUGE_PAGE - (uintptr_t)p % HUGE_PAGE) % HUGE_PAGE;
	if (head > 0)
		munmap(p, head);
	if (HUGE_PAGE - head > 0)
		munmap(p + head + len, HUGE_PAGE - head);
	p += head;
#ifdef MADV_HUGEPAGE
	(void)madvise(p, len, MADV_HUGEPAGE);
#endif
	return p;
}

/* Add @b to the live blocks (the lock held); 0 or -1. */
static int
live_add(struct block b)
{
	if (nlive == live_cap) {
		size_t cap = live_cap ? 2 * live_cap : 32;
		struct block *v = realloc(live, cap * sizeof(*v));

		if (v == NULL)
			return -1;
		live = v;
		live_cap = cap;
	}
	live[nlive++] = b;
	return 0;
}

/* Where @p is among the live blocks (the lock held), or -1. */
static ssize_t
live_find(const void *p)
{
	size_t i;

	for (i = 0; i < nlive; i++)
		if (live[i].p == p)
			return (ssize_t)i;
	return -1;
}

/*
 * The cached block that fits @len best: the smallest of at least @len
 * and at most twice it (a bigger one would waste its rest).  Taken out
 * of the cache (the lock held); {NULL, 0} when none fits.
 */
static struct block
cache_take(size_t len)
{
	struct block b = { NULL, 0 };
	size_t best = CACHE_MAX;
	size_t i;

	for (i = 0; i < ncache; i++)
		if (cache[i].len >= len && cache[i].len / 2 <= len &&
		    (best == CACHE_MAX || cache[i].len < cache[best].len))
			best = i;
	if (best == CACHE_MAX)
		return b;
	b = cache[best];
	memmove(&cache[best], &cache[best + 1],
		(ncache - best - 1) * sizeof(*cache));
	ncache--;
	cached_bytes -= b.len;
	return b;
}

void *
bigarray_alloc(size_t bytes)
{
	struct block b = { NULL, 0 };

	if (bytes < BIGARRAY_MIN)
		return malloc(bytes > 0 ? bytes : 1);
	if (bytes > SIZE_MAX / 2)
		return NULL;
	b.len = (bytes + HUGE_PAGE - 1) & ~(HUGE_PAGE - 1);
	pthread_mutex_lock(&lock);
	b = cache_take(b.len);
	if (b.p == NULL) {
		pthread_mutex_unlock(&lock);
		b.len = (bytes + HUGE_PAGE - 1) & ~(HUGE_PAGE - 1);
		if ((b.p = map_block(b.len)) == NULL)
			return NULL;
		pthread_mutex_lock(&lock);
	}
	if (live_add(b) < 0) {
		pthread_mutex_unlock(&lock);
		munmap(b.p, b.len);
		return NULL;
	}
	pthread_mutex_unlock(&lock);
	return b.p;
}

void *
bigarray_calloc(size_t n, size_t size)
{
	void *p = NULL;

	if (size > 0 && n > SIZE_MAX / size)
		return NULL;
	if (n * size < BIGARRAY_MIN)
		return calloc(n > 0 ? n : 1, size > 0 ? size : 1);
	if ((p = bigarray_alloc(n * size)) != NULL)
		memset(p, 0, n * size);
	return p;
}

void *
bigarray_realloc(void *p, size_t bytes)
{
	void *q = NULL;
	size_t len = 0;
	ssize_t at;

	if (p == NULL)
		return bigarray_alloc(bytes);
	pthread_mutex_lock(&lock);
	at = live_find(p);
	if (at >= 0)
		len = live[at].len;
	pthread_mutex_unlock(&lock);
	if (at < 0)
		return realloc(p, bytes > 0 ? bytes : 1);
	if (bytes <= len)
		return p;
	if ((q = bigarray_alloc(bytes)) == NULL)
		return NULL;
	memcpy(q, p, len);
	bigarray_free(p);
	return q;
}

void
bigarray_free(void *p)
{
	struct block b = { NULL, 0 };
	struct block out = { NULL, 0 };
	ssize_t at;

	if (p == NULL)
		return;
	pthread_mutex_lock(&lock);
	at = live_find(p);
	if (at < 0) {
		pthread_mutex_unlock(&lock);
		free(p);
		return;
	}
	b = live[at];
	live[at] = live[--nlive];
	if (ncache == CACHE_MAX) {
		/* The oldest goes. */
		out = cache[0];
		memmove(&cache[0], &cache[1], (CACHE_MAX - 1) * sizeof(*cache));
		ncache--;
		cached_bytes -= out.len;
	}
	cache[ncache++] = b;
	cached_bytes += b.len;
	pthread_mutex_unlock(&lock);
	if (out.p != NULL)
		munmap(out.p, out.len);
}

void
bigarray_trim(void)
{
	struct block v[CACHE_MAX];
	size_t n;
	size_t i;

	pthread_mutex_lock(&lock);
	n = ncache;
	memcpy(v, cache, n * sizeof(*v));
	ncache = 0;
	cached_bytes = 0;
	pthread_mutex_unlock(&lock);
	for (i = 0; i < n; i++)
		munmap(v[i].p, v[i].len);
}

size_t
bigarray_cached(void)
{
	size_t n;

	pthread_mutex_lock(&lock);
	n = cached_bytes;
	pthread_mutex_unlock(&lock);
	return n;
}
