/* SPDX-License-Identifier: MIT */
/*
 * bigarray.c -- arrays on transparent huge pages (see bigarray.h).
 */
#include "autoconfig.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "util/bigarray.h"

#define HUGE_PAGE ((size_t)2 << 20)

void *
bigarray_alloc(size_t bytes)
{
	void *p = NULL;

	if (bytes < 2 * HUGE_PAGE)
		return malloc(bytes > 0 ? bytes : 1);
	if (bytes > SIZE_MAX - HUGE_PAGE)
		return NULL;
	bytes = (bytes + HUGE_PAGE - 1) & ~(HUGE_PAGE - 1);
	if (posix_memalign(&p, HUGE_PAGE, bytes) != 0)
		return NULL;
#ifdef MADV_HUGEPAGE
	(void)madvise(p, bytes, MADV_HUGEPAGE);
#endif
	return p;
}

void *
bigarray_calloc(size_t n, size_t size)
{
	void *p = NULL;

	if (size > 0 && n > SIZE_MAX / size)
		return NULL;
	if (n * size < 2 * HUGE_PAGE)
		return calloc(n > 0 ? n : 1, size > 0 ? size : 1);
	if ((p = bigarray_alloc(n * size)) != NULL)
		memset(p, 0, n * size);
	return p;
}
