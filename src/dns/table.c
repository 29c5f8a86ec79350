/* SPDX-License-Identifier: MIT */
/* table.c -- the immutable answer table: zones, names, precompiled RRsets. */
/*
 * Read side.  table_find_zone walks the query name's label suffixes and
 * compares them with the apexes (filtered by apex length); table_lookup
 * hashes the name once and probes linearly.  Views are two more hash
 * tables (client address -> view, (view, owner) -> allowed), consulted
 * only when the table has views or hides owned names by default.  In a
 * table with scopes a name may have one node per scope: the lookup walks
 * the name's probe sequence to the client's.  Nothing allocates.
 *
 * The layout is in table_int.h, the builder in table_build.c, the
 * start-up cache image in table_image.c.
 */
#include "autoconfig.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "dns/table.h"
#include "dns/table_int.h"
#include "util/bigarray.h"

void
table_free(struct table *t)
{
	size_t i;

	if (t == NULL)
		return;
	for (i = 0; i < t->nsegs; i++)
		if (__atomic_sub_fetch(&t->segs[i]->refs, 1,
				       __ATOMIC_ACQ_REL) == 0)
			free(t->segs[i]);
	free(t->zones);
	bigarray_free(t->rdeps);
	bigarray_free(t->slots);
	free(t->views);
	free(t->pairs);
	free(t->chaos_wire);
	free(t->suffixes);
	free(t);
}

struct table_seg *
table_seg_new(size_t len)
{
	struct table_seg *s = calloc(1, sizeof(*s) + (len ? len : 8));

	if (s == NULL)
		return NULL;
	s->refs = 1;
	s->len = len;
	return s;
}

int
table_seg_add(struct table *t, struct table_seg *s)
{
	if (t->nsegs >= SEG_MAX)
		return -ENOSPC;
	t->segs[t->nsegs] = s;
	t->seg[t->nsegs] = (uint8_t *)s->mem;
	if (t->nsegs == 0) {
		t->arena = (uint8_t *)s->mem;
		t->arena_len = s->len;
	}
	t->nsegs++;
	return 0;
}

/* Does the index of @t refer to @node, at @ref? */
static bool
node_live(const struct table *t, const struct table_node *node, uint32_t ref)
{
	size_t j = node->hash & t->slots_mask;

	while (t->slots[j] != NONE) {
		if (t->slots[j] == ref)
			return true;
		j = (j + 1) & t->slots_mask;
	}
	return false;
}

const struct table_node *
table_node_next(const struct table *t, size_t *cursor)
{
	/* The cursor: segment << SEG_SHIFT | offset in 8-byte units. */
	size_t s = *cursor == SIZE_MAX ? t->nsegs : *cursor >> SEG_SHIFT;
	size_t off = (*cursor & (SEG_UNITS - 1)) * 8;
	/* One segment is all live (built, loaded or flattened). */
	bool check = t->nsegs > 1 || t->dead > 0;

	for (; s < t->nsegs; s++, off = 0) {
		const struct table_seg *seg = t->segs[s];

		if (off < seg->first)
			off = seg->first;
		while (off < seg->len) {
			const struct table_node *node =
				(const void *)(t->seg[s] + off);
			uint32_t ref = (uint32_t)(s << SEG_SHIFT | off / 8);

			off += node_full_size(node);
			if (check && !node_live(t, node, ref))
				continue;
			*cursor = s << SEG_SHIFT | off / 8;
			return node;
		}
	}
	*cursor = SIZE_MAX;
	return NULL;
}

size_t
table_zone_count(const struct table *t)
{
	return t->nzones;
}

const struct table_zone *
table_zone_at(const struct table *t, size_t i)
{
	return i < t->nzones ? &t->zones[i] : NULL;
}

const uint8_t *
table_zone_apex(const struct table_zone *z, size_t *len)
{
	*len = z->apex_len;
	return z->apex;
}

const struct table_rrset *
table_zone_soa(const struct table *t, const struct table_zone *z)
{
	return table_node_rrset(table_lookup(t, z, z->apex, z->apex_len),
				6);	/* SOA */
}

uint32_t
table_soa_serial(const struct table_rrset *soa)
{
	const uint8_t *p = NULL;

	/* The serial is the first of the RDATA's five 32-bit fields. */
	if (soa == NULL || soa->count != 1 || soa->len < 22)
		return 0;
	p = soa->wire + soa->len - 20;
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

size_t
table_name_count(const struct table *t)
{
	return t->nnames;
}

size_t
table_record_count(const struct table *t)
{
	return t->nrecords;
}

size_t
table_node_count(const struct table *t)
{
	return t->nnodes;
}

size_t
table_view_count(const struct table *t)
{
	return t->nviews;
}

/* --- read side: no ldns, no allocation --- */

const struct table_zone *
table_find_zone(const struct table *t, const uint8_t *lname, size_t len,
		size_t *apex_off)
{
	size_t off = 0;
	size_t i;

	/* The longest apex first: walk from the whole name to the root. */
	while (off < len) {
		size_t rest = len - off;

		if (rest <= NAME_MAX_WIRE &&
		    (t->apex_lens[rest / 8] & (1u << (rest % 8)))) {
			for (i = 0; i < t->nzones; i++) {
				const struct table_zone *z = &t->zones[i];

				if (z->apex_len == rest &&
				    memcmp(z->apex, lname + off, rest) == 0) {
					*apex_off = off;
					return z;
				}
			}
		}
		if (lname[off] == 0)
			break;
		off += (size_t)lname[off] + 1;
	}
	return NULL;
}

/* table_lookup(), inlined into both lookups. */
static inline const struct table_node *
find_node(const struct table *t, const struct table_zone *zone,
	  const uint8_t *lname, size_t len)
{
	uint32_t h = name_hash(lname, len);
	size_t j = h & t->slots_mask;

	while (t->slots[j] != NONE) {
		const struct table_node *node = node_at(t, t->slots[j]);

		if (node->hash == h && node->len == len &&
		    memcmp(node_name(node), lname, len) == 0)
			return zone == NULL || node->zone == zone->index ?
			       node : NULL;
		j = (j + 1) & t->slots_mask;
	}
	return NULL;
}

const struct table_node *
table_lookup(const struct table *t, const struct table_zone *zone,
	     const uint8_t *lname, size_t len)
{
	return find_node(t, zone, lname, len);
}

/* The view of @client, or NULL (no view, or not an IP address). */
static const struct tview *
find_view(const struct table *t, const struct sockaddr *client)
{
	struct addr_key k;
	size_t j;

	if (client == NULL || t->nviews == 0)
		return NULL;
	if (client->sa_family == AF_INET) {
		const struct sockaddr_in *sin = (const void *)client;

		addr_key_set(&k, AF_INET, (const uint8_t *)&sin->sin_addr);
	} else if (client->sa_family == AF_INET6) {
		const struct sockaddr_in6 *sin6 = (const void *)client;

		addr_key_set(&k, AF_INET6, sin6->sin6_addr.s6_addr);
	} else {
		return NULL;
	}
	j = addr_key_hash(&k) & t->views_mask;
	while (t->views[j].id != NONE) {
		if (addr_key_eq(&t->views[j].key, &k))
			return &t->views[j];
		j = (j + 1) & t->views_mask;
	}
	return NULL;
}

/* May a client of view @v (NULL: no view) see the names of @owner? */
static bool
owner_visible(const struct table *t, uint32_t owner, const struct tview *v)
{
	uint64_t key;
	size_t j;

	if (owner == TABLE_OWNER_NONE)
		return true;
	if (v == NULL)
		return t->default_all;
	if (v->all)
		return true;
	key = (uint64_t)v->id << 32 | owner;
	j = pair_hash(key) & t->pairs_mask;
	while (t->pairs[j] != UINT64_MAX) {
		if (t->pairs[j] == key)
			return true;
		j = (j + 1) & t->pairs_mask;
	}
	return false;
}

bool
table_node_visible(const struct table *t, const struct table_node *node,
		   const struct sockaddr *client)
{
	const struct tview *v = NULL;

	if (!t->filtered)
		return true;
	v = find_view(t, client);
	if (t->scoped && node->scope != TABLE_SCOPE_NONE &&
	    node->scope != (v != NULL ? v->scope : t->default_scope))
		return false;
	return owner_visible(t, node->owner, v);
}

/*
 * table_lookup_client() in a table with scopes: the name's node in the
 * client's scope, else its shared node.  All nodes of a name hash alike,
 * so they are on one probe sequence.
 */
static const struct table_node *
lookup_scoped(const struct table *t, const struct table_zone *zone,
	      const uint8_t *lname, size_t len,
	      const struct sockaddr *client, bool *hidden)
{
	const struct tview *v = find_view(t, client);
	uint32_t scope = v != NULL ? v->scope : t->default_scope;
	const struct table_node *shared = NULL;
	const struct table_node *found = NULL;
	uint32_t h = name_hash(lname, len);
	size_t j = h & t->slots_mask;
	bool other = false;

	while (t->slots[j] != NONE) {
		const struct table_node *node = node_at(t, t->slots[j]);

		j = (j + 1) & t->slots_mask;
		if (node->hash != h || node->len != len ||
		    memcmp(node_name(node), lname, len) != 0)
			continue;
		if (zone != NULL && node->zone != zone->index)
			return NULL;	/* every node of a name is in one zone */
		if (node->scope == scope) {
			found = node;
			break;
		}
		if (node->scope == TABLE_SCOPE_NONE)
			shared = node;
		else
			other = true;
	}
	if (found == NULL)
		found = shared;
	if (found == NULL || !owner_visible(t, found->owner, v)) {
		*hidden = found != NULL || other;
		return NULL;
	}
	return found;
}

const struct table_node *
table_lookup_client(const struct table *t, const struct table_zone *zone,
		    const uint8_t *lname, size_t len,
		    const struct sockaddr *client, bool *hidden)
{
	const struct table_node *node = NULL;

	*hidden = false;
	/* The one branch the common case (no views, no scopes) pays. */
	if (!t->filtered)
		return find_node(t, zone, lname, len);
	if (t->scoped)
		return lookup_scoped(t, zone, lname, len, client, hidden);
	node = find_node(t, zone, lname, len);
	if (node != NULL && !owner_visible(t, node->owner,
					   find_view(t, client))) {
		*hidden = true;
		return NULL;
	}
	return node;
}

const struct table_rrset *
table_node_rrset(const struct table_node *node, uint16_t type)
{
	size_t i;

	if (node == NULL)
		return NULL;
	for (i = 0; i < node->nrrsets; i++)
		if (node->rrsets[i].type == type)
			return &node->rrsets[i];
	return NULL;
}

const struct table_rrset *
table_zone_soa_authority(const struct table_zone *z)
{
	return &z->neg;
}

const struct table_rrset *
table_chaos_txt(const struct table *t, const uint8_t *lname, size_t len)
{
	static const struct {
		const char *name;
		size_t len;
		int which;
	} names[] = {
		{ "\007version\004" "bind", 14, CHAOS_VERSION },
		{ "\007version\006server", 16, CHAOS_VERSION },
		{ "\002id\006server", 11, CHAOS_ID },
		{ "\010hostname\004" "bind", 15, CHAOS_HOSTNAME },
	};
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		const struct table_rrset *set = &t->chaos[names[i].which];

		/* The string literals end with the root label's NUL. */
		if (len == names[i].len &&
		    memcmp(lname, names[i].name, len) == 0)
			return set->wire != NULL ? set : NULL;
	}
	return NULL;
}

bool
table_search_match(const struct table *t, const uint8_t *lname, size_t len)
{
	uint8_t x[NAME_MAX_WIRE];
	size_t labels[NAME_MAX_WIRE / 2 + 1];
	size_t nlabels = 0;
	size_t off = 0;
	size_t apex_off = 0;
	size_t i;
	size_t k;

	if (t->nsuffixes == 0)
		return false;
	while (off < len && lname[off] != 0 && nlabels < sizeof(labels) /
	       sizeof(labels[0])) {
		labels[nlabels++] = off;
		off += (size_t)lname[off] + 1;
	}
	for (i = 0; i < t->nsuffixes; i++) {
		const struct suffix *s = &t->suffixes[i];
		size_t need = s->wild ? 2 : 1;	/* labels before the suffix */

		for (k = need; k < nlabels; k++) {
			size_t end;

			if (len - labels[k] != s->len ||
			    memcmp(lname + labels[k], s->name, s->len) != 0)
				continue;
			/* <X> is what comes before (the wild label). */
			end = labels[k - (need - 1)];
			memcpy(x, lname, end);
			x[end] = 0;
			if (table_find_zone(t, x, end + 1, &apex_off) != NULL)
				return true;
		}
	}
	return false;
}
