/* SPDX-License-Identifier: MIT */
/*
 * arena.h -- allocate many small objects, free them all at once.
 *
 * An arena hands out memory from blocks it mallocs (1 KiB first, doubling
 * up to 64 KiB; a bigger request gets a block of its own), so a tree of
 * many nodes costs a few mallocs and one walk to free.  Every pointer is
 * aligned for any type (max_align_t).  Nothing is freed on its own:
 * arena_clear() releases everything the arena gave.
 *
 * Usage: a zeroed struct arena is empty and ready; the caller owns it and
 * calls arena_clear() when done.  Not thread-safe; no I/O, no logging.
 */
#ifndef MESHDNS_ARENA_H
#define MESHDNS_ARENA_H

#include <stddef.h>

struct arena_block;

struct arena {
	struct arena_block *blocks;	/* the current block first */
	size_t next;			/* size of the next block */
};

/*
 * @size bytes (0 is allowed and gives a valid, distinct pointer), not
 * zeroed; NULL on ENOMEM or when @size is absurdly large.  Valid until
 * arena_clear().
 */
void *arena_alloc(struct arena *a, size_t size);

/* The same, zeroed. */
void *arena_zalloc(struct arena *a, size_t size);

/* Free every block; @a is empty again (and may be reused). */
void arena_clear(struct arena *a);

#endif
