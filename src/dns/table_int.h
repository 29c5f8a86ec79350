/* SPDX-License-Identifier: MIT */
/*
 * table_int.h -- the answer table's private layout, shared by table.c (the
 * read side), table_build.c (the builder and compiler) and table_image.c
 * (the start-up cache image).  Only src/dns/table*.c include this file.
 *
 * The arena: the zones' negative SOAs, then per node a small header
 * (struct table_node), its RRset descriptors, its name and the RRsets'
 * wire bytes, adjacent and padded to 8 bytes.  The hash index is an array
 * of 32-bit arena offsets in 8-byte units (NONE: a free slot).
 */
#ifndef MESHDNS_TABLE_INT_H
#define MESHDNS_TABLE_INT_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <netinet/in.h>

#include "dns/table.h"
#include "util/hash.h"

#define NAME_MAX_WIRE	255
#define NONE		UINT32_MAX
#define RR_FIXED	12	/* owner pointer, type, class, TTL, rdlength */

/* CHAOS TXT answers. */
enum {
	CHAOS_VERSION = 0,
	CHAOS_ID,
	CHAOS_HOSTNAME,
	NCHAOS,
};

/* A client address: IPv4 (fam 0, 4 bytes, zero-padded) or IPv6 (fam 1). */
struct addr_key {
	uint8_t fam;
	uint8_t addr[16];
};

struct suffix {
	uint8_t name[NAME_MAX_WIRE];
	uint8_t len;
	uint8_t wild;		/* one more label of any content before it */
};

struct table_zone {
	uint8_t apex[NAME_MAX_WIRE];
	uint8_t apex_len;
	uint16_t index;
	struct table_rrset neg;	/* owner 0xC000, patched by the caller */
};

/*
 * A node lives in the arena: this header, the RRset descriptors, the name,
 * then the RRsets' wire bytes; the whole is padded to 8 bytes.
 */
struct table_node {
	uint32_t hash;
	uint16_t zone;
	uint8_t len;		/* of the name */
	uint8_t nrrsets;
	uint32_t owner;
	uint32_t scope;		/* TABLE_SCOPE_NONE: shared by every scope */
	struct table_rrset rrsets[];
};

struct tview {
	struct addr_key key;
	uint8_t all;
	uint32_t id;		/* NONE: an empty slot */
	uint32_t scope;		/* the names it resolves in */
};

struct table {
	struct table_zone *zones;
	size_t nzones;
	uint8_t apex_lens[32];	/* bitmap of apex lengths */
	uint8_t *arena;
	size_t arena_len;	/* bytes (the allocation has at least 8) */
	uint32_t *slots;	/* node offsets in 8-byte units, or NONE */
	size_t slots_mask;
	size_t nnodes;
	size_t nnames;
	size_t nrecords;
	/* Views: off the hot path unless filtered. */
	int filtered;		/* views or scopes exist, or owned names hide
				 * by default */
	int default_all;	/* what a client without a view sees */
	int scoped;		/* some names are in a scope: see table_build.h */
	uint32_t default_scope;	/* the scope of a client without a view */
	struct tview *views;	/* hash table of views_mask + 1 slots */
	size_t views_mask;
	size_t nviews;
	uint64_t *pairs;	/* hash set of view << 32 | owner */
	size_t pairs_mask;
	struct table_rrset chaos[NCHAOS];	/* wire NULL: hidden */
	uint8_t *chaos_wire;
	size_t chaos_len;
	struct suffix *suffixes;
	size_t nsuffixes;
};

static inline uint32_t
name_hash(const uint8_t *name, size_t len)
{
	return (uint32_t)hash_mix64(hash_fnv1a64(HASH_FNV1A64_INIT, name, len));
}

/* The key of an AF_INET or AF_INET6 address; IPv4-mapped IPv6 is IPv4. */
static inline void
addr_key_set(struct addr_key *k, int family, const uint8_t *addr)
{
	static const uint8_t mapped[12] = {
		0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff,
	};

	memset(k, 0, sizeof(*k));
	if (family == AF_INET6 && memcmp(addr, mapped, 12) == 0) {
		memcpy(k->addr, addr + 12, 4);
	} else if (family == AF_INET6) {
		k->fam = 1;
		memcpy(k->addr, addr, 16);
	} else {
		memcpy(k->addr, addr, 4);
	}
}

static inline uint32_t
addr_key_hash(const struct addr_key *k)
{
	uint64_t h = hash_fnv1a64(HASH_FNV1A64_INIT, &k->fam, 1);

	return (uint32_t)hash_mix64(hash_fnv1a64(h, k->addr, 16));
}

static inline int
addr_key_eq(const struct addr_key *x, const struct addr_key *y)
{
	return x->fam == y->fam && memcmp(x->addr, y->addr, 16) == 0;
}

static inline size_t
align8(size_t n)
{
	return (n + 7) & ~(size_t)7;
}

static inline uint32_t
pair_hash(uint64_t key)
{
	return (uint32_t)hash_mix64(key);
}

static inline const uint8_t *
node_name(const struct table_node *node)
{
	return (const uint8_t *)(node->rrsets + node->nrrsets);
}

#endif
