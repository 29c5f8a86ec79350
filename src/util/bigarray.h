/* SPDX-License-Identifier: MIT */
/*
 * bigarray.h -- memory for arrays that every build or apply rewrites
 * whole (a snapshot's services, a resource set's arrays, the VIP table's
 * entries): one of several megabytes is aligned to and asks for
 * transparent huge pages (where the system offers them, madvise mode), so
 * that filling it takes a few page faults instead of one per 4 KiB;
 * smaller ones come from malloc.  Either way it is freed with free() and
 * may be given to realloc().
 */
#ifndef MESHDNS_BIGARRAY_H
#define MESHDNS_BIGARRAY_H

#include <stddef.h>

/* @bytes of memory, not zeroed; NULL on ENOMEM. */
void *bigarray_alloc(size_t bytes);

/* @n zeroed elements of @size bytes; NULL on ENOMEM or overflow. */
void *bigarray_calloc(size_t n, size_t size);

#endif
