/* SPDX-License-Identifier: MIT */
/*
 * bigarray.h -- memory for arrays that every build or apply rewrites whole
 * (a snapshot's services, a resource set's arrays and identity index, the
 * VIP table's entries and indexes, an answer table's name index).
 *
 * One of BIGARRAY_MIN bytes or more is mapped on its own, aligned to and
 * asking for transparent huge pages (where the system offers them,
 * madvise mode), so that filling it takes a few page faults instead of
 * one per 4 KiB.  When it is freed it goes to a small cache instead of
 * back to the system, and the next big array that fits takes it: an
 * apply that copies the previous snapshot's arrays then writes pages that
 * are already mapped, where fresh ones would each be faulted in and
 * zeroed by the kernel (half of an apply's time at 100,000 services).
 * bigarray_trim() gives the cache back, once changes pause.  Smaller
 * arrays come from malloc.
 *
 * What these functions return is freed with bigarray_free() and grown
 * with bigarray_realloc(), never with free() or realloc() (a big one is
 * not malloc's: glibc aborts).  Both also take memory from malloc (a
 * small array, or one allocated elsewhere): it is freed or reallocated
 * as usual.  Thread-safe.
 */
#ifndef MESHDNS_BIGARRAY_H
#define MESHDNS_BIGARRAY_H

#include <stddef.h>

/*
 * From the size the daemon's malloc maps on its own (M_MMAP_THRESHOLD,
 * daemon.c): a block of it from malloc would be mapped, faulted in and
 * zeroed afresh on each apply (a VIP table's 2 MB indexes, copied per
 * apply, took 0.3 ms from warm pages and 20 ms from fresh ones).
 */
#define BIGARRAY_MIN ((size_t)1 << 20)

/* @bytes of memory, not zeroed; NULL on ENOMEM. */
void *bigarray_alloc(size_t bytes);

/* @n zeroed elements of @size bytes; NULL on ENOMEM or overflow. */
void *bigarray_calloc(size_t n, size_t size);

/*
 * @p (NULL, or from the functions here or from malloc) with room for
 * @bytes, its content kept up to the smaller size; NULL on ENOMEM, @p
 * then untouched.  A malloc'ed @p stays malloc's.
 */
void *bigarray_realloc(void *p, size_t bytes);

/* Free @p (NULL: nothing): into the cache when it is a big one. */
void bigarray_free(void *p);

/* Give every cached block back to the system. */
void bigarray_trim(void);

/* Bytes in the cache now, for tests and metrics. */
size_t bigarray_cached(void);

#endif
