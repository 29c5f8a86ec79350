/* SPDX-License-Identifier: MIT */
/*
 * table_int.h -- the answer table's private layout, shared by table.c (the
 * read side), table_build.c (the builder and compiler) and table_image.c
 * (the start-up cache image).  Only src/dns/table*.c include this file.
 *
 * The arena: the zones' negative SOAs, then per node a small header
 * (struct table_node), its RRset descriptors, its name and the RRsets'
 * wire bytes, adjacent and padded to 8 bytes, then its descendant
 * statistics (struct node_stats).  The hash index is an array of 32-bit
 * node references (NONE: a free slot): the segment in the top SEG_SHIFT
 * bits, the offset in the segment in 8-byte units below.  A built table
 * has one segment (its arena); a patched one (table_patch.h) shares its
 * base's segments, reference-counted, and adds its own.
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
	uint64_t dhead;		/* digest of the apex, SOA fields, NS */
	uint64_t rsum;		/* sum of the records' hashes (rr_hash) */
	uint32_t serial;
	struct table_rrset neg;	/* owner 0xC000, patched by the caller */
};

/* Node references: segment << SEG_SHIFT | offset in 8-byte units. */
#define SEG_SHIFT	28
#define SEG_UNITS	((uint32_t)1 << SEG_SHIFT)
#define SEG_MAX		16

/* A reference-counted block of nodes, shared by the tables that use it. */
struct table_seg {
	long refs;		/* __atomic */
	size_t len;
	size_t first;		/* where its nodes start (after zone SOAs) */
	uint64_t mem[];		/* 8-aligned */
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

/*
 * After a node's wire bytes (8-aligned): its data descendants in its scope
 * (names with records strictly below it, not below the apex for an apex),
 * and the sum of their owners and of their squares (an owner counted as
 * owner + 1, TABLE_OWNER_NONE as 0), so that an empty non-terminal's
 * owner (the one its descendants share) can be kept up to date as
 * descendants come and go: they share one iff ndesc * s2 == s1 * s1, and
 * it is s1 / ndesc - 1.
 */
__extension__ typedef unsigned __int128 u128;

struct node_stats {
	uint32_t ndesc;
	uint32_t unused;
	uint64_t s1;
	uint64_t s2[2];		/* low, high: nodes are only 8-aligned */
};

static inline u128
stats_s2(const struct node_stats *st)
{
	return (u128)st->s2[1] << 64 | st->s2[0];
}

/* Count @owner in (@sign 1) or out of (-1) the statistics @st. */
static inline void
stats_apply(struct node_stats *st, uint32_t owner, int sign)
{
	uint64_t o = (uint64_t)(uint32_t)(owner + 1);
	u128 s2 = stats_s2(st);
	u128 sq = (u128)o * o;

	if (sign > 0) {
		st->ndesc++;
		st->s1 += o;
		s2 += sq;
	} else {
		st->ndesc--;
		st->s1 -= o;
		s2 -= sq;
	}
	st->s2[0] = (uint64_t)s2;
	st->s2[1] = (uint64_t)(s2 >> 64);
}

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
	uint8_t *seg[SEG_MAX];	/* the segments' bytes, for node_at() */
	uint8_t *arena;		/* seg[0] */
	size_t arena_len;	/* bytes of seg[0] */
	struct table_seg *segs[SEG_MAX];	/* their owners */
	size_t nsegs;
	size_t dead;		/* bytes of replaced nodes in the segments */
	uint64_t *rdeps;	/* SRV targets: see table_rdeps_build() */
	size_t rdeps_mask;
	size_t nrdeps;
	uint32_t *slots;	/* node references, or NONE */
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

/* The node a slot refers to. */
static inline const struct table_node *
node_at(const struct table *t, uint32_t ref)
{
	return (const struct table_node *)(t->seg[ref >> SEG_SHIFT] +
		(size_t)(ref & (SEG_UNITS - 1)) * 8);
}

/* The bytes of a node's header, descriptors, name and wire, 8-aligned. */
static inline size_t
node_body_size(const struct table_node *node)
{
	size_t end = sizeof(*node) + node->nrrsets *
		sizeof(struct table_rrset) + node->len;
	size_t i;

	for (i = 0; i < node->nrrsets; i++)
		end += (size_t)node->rrsets[i].len + node->rrsets[i].add_len;
	return align8(end);
}

static inline struct node_stats *
node_stats(const struct table_node *node)
{
	return (struct node_stats *)((uintptr_t)node + node_body_size(node));
}

/* The whole node, statistics included. */
static inline size_t
node_full_size(const struct table_node *node)
{
	return node_body_size(node) + sizeof(struct node_stats);
}

/*
 * The hash of one record for the zone digest: owner name, kind (0 A,
 * 1 AAAA, 2 SRV, 3 PTR), RDATA with names uncompressed (SRV: priority,
 * weight, port, target), and the TTL of its RRset.
 */
static inline uint64_t
rr_hash(const uint8_t *name, size_t len, uint8_t kind, const uint8_t *data,
	size_t dlen, uint32_t ttl)
{
	uint64_t h = hash_fnv1a64(HASH_FNV1A64_INIT, name, len);
	uint8_t b[4];

	h = hash_fnv1a64(h, &kind, 1);
	h = hash_fnv1a64(h, data, dlen);
	b[0] = (uint8_t)(ttl >> 24);
	b[1] = (uint8_t)(ttl >> 16);
	b[2] = (uint8_t)(ttl >> 8);
	b[3] = (uint8_t)ttl;
	return hash_mix64(hash_fnv1a64(h, b, 4));
}

/* A zone's digest from its parts. */
static inline uint64_t
zone_digest(uint64_t dhead, uint64_t rsum)
{
	return hash_mix64(dhead ^ hash_mix64(rsum + 0x9e3779b97f4a7c15ULL));
}

/* table.c */
/*
 * The next live node of @t after the position *@cursor (0 to start),
 * visiting every segment in order; advances *@cursor (SIZE_MAX at the
 * end, then NULL).  In a patched table a segment also holds the nodes
 * its names had before (shared with older tables): a node is live when
 * the index refers to it, one probe of its name's slots.  No allocation.
 */
const struct table_node *table_node_next(const struct table *t,
					 size_t *cursor);
/* A segment of @len bytes (zeroed), one reference; NULL on ENOMEM. */
struct table_seg *table_seg_new(size_t len);
/* Add segment @s (the caller's reference moves to @t); -ENOSPC. */
int table_seg_add(struct table *t, struct table_seg *s);

/* table_build.c */
struct table_builder;
/*
 * How many records @b has for the canonical wire name @wire in @scope (0:
 * none, or no such name), its owner in *owner when not 0.
 */
int table_builder_name_records(const struct table_builder *b,
			       const uint8_t *wire, size_t len, uint32_t scope,
			       uint32_t *owner);
/* The scope of a client that is no view, as set (not as the table has it). */
uint32_t table_builder_default_scope(const struct table_builder *b);

/* The sum of rr_hash() over the records of @wire in @scope (0: none). */
uint64_t table_builder_name_rsum(const struct table_builder *b,
				 const uint8_t *wire, size_t len,
				 uint32_t scope);

/* table_patch.c */
/*
 * The reverse index of SRV targets: a hash set of name_hash(target) << 32
 * | name_hash(SRV name), by the target's hash (UINT64_MAX: free).  Built
 * by the builder and the image loader; patched tables copy and extend it
 * (entries never go, a stale one only costs a check).  0 or -ENOMEM.
 */
int table_rdeps_build(struct table *t);
/*
 * A copy of @t in one segment (live nodes only, in segment order),
 * sharing nothing with it.  0 or -ENOMEM.
 */
int table_flatten(const struct table *t, struct table **out);

#endif
