/* SPDX-License-Identifier: MIT */
/* arena.c -- allocate many small objects, free them all at once. */

#include "autoconfig.h"

#include <stdalign.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/arena.h"

#define ARENA_FIRST	1024
#define ARENA_LAST	65536
#define ARENA_ALIGN	alignof(max_align_t)

struct arena_block {
	struct arena_block *next;
	size_t used;
	size_t size;
	alignas(max_align_t) unsigned char data[];
};

void *
arena_alloc(struct arena *a, size_t size)
{
	struct arena_block *b = a->blocks;
	size_t bsize;
	void *p = NULL;

	if (size > SIZE_MAX / 2)
		return NULL;
	size = (size + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1);
	if (size == 0)
		size = ARENA_ALIGN;
	if (b == NULL || b->size - b->used < size) {
		if (a->next < ARENA_FIRST)
			a->next = ARENA_FIRST;
		bsize = size > a->next ? size : a->next;
		if ((b = malloc(sizeof(*b) + bsize)) == NULL)
			return NULL;
		b->used = 0;
		b->size = bsize;
		/*
		 * A block made for one big request goes behind the current
		 * one, whose free space small requests still use.
		 */
		if (bsize > a->next && a->blocks != NULL) {
			b->next = a->blocks->next;
			a->blocks->next = b;
		} else {
			b->next = a->blocks;
			a->blocks = b;
			if (a->next < ARENA_LAST)
				a->next *= 2;
		}
	}
	p = b->data + b->used;
	b->used += size;
	return p;
}

void *
arena_zalloc(struct arena *a, size_t size)
{
	void *p = arena_alloc(a, size);

	if (p != NULL)
		memset(p, 0, size);
	return p;
}

void
arena_clear(struct arena *a)
{
	struct arena_block *b = NULL;

	while ((b = a->blocks) != NULL) {
		a->blocks = b->next;
		free(b);
	}
	a->next = 0;
}
