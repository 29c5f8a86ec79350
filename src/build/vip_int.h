/* SPDX-License-Identifier: MIT */
/*
 * vip_int.h -- vip.c's tables, shared with state.c while the state text
 * moves there.
 */
#ifndef MESHDNS_VIP_INT_H
#define MESHDNS_VIP_INT_H

#include <stddef.h>
#include <stdint.h>

#include "build/vip.h"

#define SLOT_EMPTY	UINT32_MAX

/*
 * An open-addressing hash index of uint32_t values (indices into some
 * array); the caller compares candidates, the index only remembers the
 * 32-bit hash of each so that most mismatches cost no lookup.
 */
struct slot {
	uint32_t val;
	uint32_t hash;
};

struct index {
	struct slot *s;
	size_t size;		/* 0 or a power of two */
	size_t n;
};

struct entry {
	struct vip_addr addr;
	char *key;
	int held;
	int64_t until;		/* held: free again at this time */
};

struct cursor {
	char pool[64];		/* canonical CIDR text */
	struct vip_addr next;	/* where the next search starts */
};

struct zone {
	char *name;
	uint32_t serial;
	uint64_t digest;
};

struct vip_state {
	struct entry *e;
	size_t n;
	size_t cap;
	size_t nheld;
	struct index by_addr;	/* every entry */
	struct index by_key;	/* assignments only */
	struct cursor *c;
	size_t nc;
	struct zone *z;
	size_t nz;
};

int addr_cmp(const struct vip_addr *a, const struct vip_addr *b);
int index_reserve(struct index *ix, size_t n);
int word_ok(const char *s);
uint32_t find_addr(const struct vip_state *st, const struct vip_addr *a);
uint32_t find_key(const struct vip_state *st, const char *key);
int add_entry(struct vip_state *st, const struct vip_addr *a, const char *key,
	      int held, int64_t until);
struct cursor *find_cursor(const struct vip_state *st, const char *pool);
struct zone *find_zone(const struct vip_state *st, const char *name);
int add_cursor(struct vip_state *st, const char *pool,
	       const struct vip_addr *a);
int add_zone(struct vip_state *st, const char *name, uint32_t serial,
	     uint64_t digest);

#endif
