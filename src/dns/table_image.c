/* SPDX-License-Identifier: MIT */
/* table_image.c -- the answer table as bytes, for the start-up cache. */
/*
 * Serialized (the start-up cache).  A small header of counts and sizes,
 * then the table's arrays and the arena copied as they are, each padded
 * to 8 bytes, with every struct's padding zeroed and every RRset's wire
 * pointer replaced by the offset of its bytes.  Reading it back checks
 * every offset and length before use and walks the arena node by node,
 * so that corrupt bytes are refused rather than trusted.
 */
#include "autoconfig.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <ldns/ldns.h>

#include "dns/table_image.h"
#include "dns/table_int.h"

/* --- serialized form, for the start-up cache: no ldns, no pointers --- */

/*
 * The image: struct image_head, then the sections below in this order,
 * each padded with zeros to a multiple of 8 bytes.  Structs keep this
 * build's layout (only the same binary reads them back) with their
 * padding zeroed; an RRset descriptor's wire pointer holds instead the
 * offset of its bytes in the arena (zones, nodes) or in chaos_wire
 * (WIRE_NULL: a hidden CHAOS answer).  The arena is copied whole: the
 * zones' negative SOAs, then the nodes back to back, as
 * table_builder_finish() lays them out.  Change IMAGE_MAGIC with the
 * format.
 */
#define IMAGE_MAGIC	0x3262746873656d00ULL	/* "\0meshtb2" */
#define WIRE_NULL	UINTPTR_MAX

struct image_head {
	uint64_t magic;
	uint64_t nzones;
	uint64_t arena_len;	/* a multiple of 8 */
	uint64_t nslots;	/* slots_mask + 1 */
	uint64_t nview_slots;	/* views_mask + 1, or 0 without views */
	uint64_t npair_slots;	/* pairs_mask + 1, or 0 without views */
	uint64_t chaos_len;
	uint64_t nsuffixes;
	uint64_t nnodes;
	uint64_t nnames;
	uint64_t nrecords;
	uint64_t nviews;
	uint64_t filtered;
	uint64_t default_all;
};

enum {
	SEC_ZONES = 0,		/* struct table_zone[nzones] */
	SEC_ARENA,		/* arena_len bytes */
	SEC_SLOTS,		/* uint32_t[nslots] */
	SEC_VIEWS,		/* struct tview[nview_slots] */
	SEC_PAIRS,		/* uint64_t[npair_slots] */
	SEC_CHAOS,		/* struct table_rrset[NCHAOS] */
	SEC_CHAOS_WIRE,		/* chaos_len bytes */
	SEC_SUFFIXES,		/* struct suffix[nsuffixes] */
	NSECS,
};

_Static_assert(sizeof(uintptr_t) == sizeof(((struct table_rrset *)0)->wire),
	       "an offset takes the place of a wire pointer");

/*
 * Where each section of the image with header @h starts, and in
 * off[NSECS] its end; -EINVAL when it would be longer than @limit.
 */
static int
image_layout(const struct image_head *h, size_t limit, size_t off[NSECS + 1])
{
	const uint64_t n[NSECS] = {
		h->nzones, h->arena_len, h->nslots, h->nview_slots,
		h->npair_slots, NCHAOS, h->chaos_len, h->nsuffixes,
	};
	static const size_t size[NSECS] = {
		sizeof(struct table_zone), 1, sizeof(uint32_t),
		sizeof(struct tview), sizeof(uint64_t),
		sizeof(struct table_rrset), 1, sizeof(struct suffix),
	};
	size_t pos = sizeof(*h);
	size_t bytes;
	size_t i;

	if (limit < pos)
		return -EINVAL;
	for (i = 0; i < NSECS; i++) {
		off[i] = pos;
		/* Divide first: a count from a file may be anything. */
		if (n[i] > (limit - pos) / size[i])
			return -EINVAL;
		bytes = align8((size_t)n[i] * size[i]);
		if (bytes > limit - pos)
			return -EINVAL;
		pos += bytes;
	}
	off[NSECS] = pos;
	return 0;
}

/* @set as stored at @dst: padding zeroed, its bytes' offset in @base. */
static void
rrset_out(uint8_t *dst, const struct table_rrset *set, const uint8_t *base)
{
	struct table_rrset c;
	uintptr_t off = WIRE_NULL;

	memset(&c, 0, sizeof(c));
	c.type = set->type;
	c.count = set->count;
	c.len = set->len;
	c.add_count = set->add_count;
	c.add_len = set->add_len;
	c.apex_rel[0] = set->apex_rel[0];
	c.apex_rel[1] = set->apex_rel[1];
	if (set->wire != NULL)
		off = (uintptr_t)(set->wire - base);
	memcpy(dst, &c, sizeof(c));
	memcpy(dst + offsetof(struct table_rrset, wire), &off, sizeof(off));
}

/* The offset rrset_out() left in @set's wire pointer. */
static uintptr_t
rrset_off(const struct table_rrset *set)
{
	uintptr_t off;

	memcpy(&off, (const uint8_t *)set + offsetof(struct table_rrset, wire),
	       sizeof(off));
	return off;
}

/* Do @count RRs (owner pointer, fixed part, rdata) fill @len bytes? */
static bool
rrs_fill(const uint8_t *wire, size_t len, size_t count)
{
	size_t off = 0;
	size_t n = 0;

	while (off < len) {
		if (len - off < RR_FIXED)
			return false;
		off += RR_FIXED + ldns_read_uint16(wire + off + 10);
		n++;
	}
	return off == len && n == count;
}

/*
 * Point @set at @base + @pos, where its stored offset must say its bytes
 * are, once they are checked: inside the @size bytes at @base, its RRs
 * and then its additional RRs filling them exactly (answer.c walks the
 * additional RRs by their lengths), the pointers answer.c relocates
 * (apex_rel) inside its RDATA.  0 or -EINVAL.
 */
static int
rrset_in(struct table_rrset *set, uint8_t *base, size_t size, size_t pos)
{
	size_t i;

	for (i = 0; i < 2; i++)
		if (set->apex_rel[i] != 0 && (set->apex_rel[i] < RR_FIXED ||
		    (size_t)set->apex_rel[i] + 2 > set->len))
			return -EINVAL;
	if (rrset_off(set) != pos || set->count == 0 ||
	    set->len < RR_FIXED || pos > size ||
	    (size_t)set->len + set->add_len > size - pos)
		return -EINVAL;
	if (!rrs_fill(base + pos, set->len, set->count) ||
	    !rrs_fill(base + pos + set->len, set->add_len, set->add_count))
		return -EINVAL;
	set->wire = base + pos;
	return 0;
}

static void
zone_out(uint8_t *dst, const struct table_zone *z, const uint8_t *arena)
{
	struct table_zone c;

	memset(&c, 0, sizeof(c));
	memcpy(c.apex, z->apex, z->apex_len);
	c.apex_len = z->apex_len;
	c.index = z->index;
	memcpy(dst, &c, sizeof(c));
	rrset_out(dst + offsetof(struct table_zone, neg), &z->neg, arena);
}

/* The node @node into its place @dst in the image's copy of the arena. */
static void
node_out(uint8_t *dst, const struct table_node *node, const uint8_t *arena)
{
	struct table_node c;
	size_t i;

	memset(&c, 0, sizeof(c));
	c.hash = node->hash;
	c.zone = node->zone;
	c.len = node->len;
	c.nrrsets = node->nrrsets;
	c.owner = node->owner;
	memcpy(dst, &c, sizeof(c));
	for (i = 0; i < node->nrrsets; i++)
		rrset_out(dst + offsetof(struct table_node, rrsets) +
			  i * sizeof(struct table_rrset), &node->rrsets[i],
			  arena);
}

static void
view_out(uint8_t *dst, const struct tview *v)
{
	struct tview c;

	memset(&c, 0, sizeof(c));
	c.key = v->key;
	c.all = v->all;
	c.id = v->id;
	memcpy(dst, &c, sizeof(c));
}

static void
suffix_out(uint8_t *dst, const struct suffix *s)
{
	struct suffix c;

	memset(&c, 0, sizeof(c));
	memcpy(c.name, s->name, s->len);
	c.len = s->len;
	c.wild = s->wild;
	memcpy(dst, &c, sizeof(c));
}

int
table_serialize(const struct table *t, uint8_t **out, size_t *len)
{
	struct image_head h;
	size_t off[NSECS + 1];
	uint8_t *img = NULL;
	size_t i;
	int rc = -ENOMEM;

	*out = NULL;
	*len = 0;
	memset(&h, 0, sizeof(h));
	h.magic = IMAGE_MAGIC;
	h.nzones = t->nzones;
	h.arena_len = t->arena_len;
	h.nslots = t->slots_mask + 1;
	h.nview_slots = t->views != NULL ? t->views_mask + 1 : 0;
	h.npair_slots = t->pairs != NULL ? t->pairs_mask + 1 : 0;
	h.chaos_len = t->chaos_len;
	h.nsuffixes = t->nsuffixes;
	h.nnodes = t->nnodes;
	h.nnames = t->nnames;
	h.nrecords = t->nrecords;
	h.nviews = t->nviews;
	h.filtered = t->filtered;
	h.default_all = t->default_all;
	if (image_layout(&h, SIZE_MAX, off) < 0)
		goto out;
	/* calloc: the padding between sections is zeros. */
	if ((img = calloc(1, off[NSECS])) == NULL)
		goto out;
	memcpy(img, &h, sizeof(h));
	for (i = 0; i < t->nzones; i++)
		zone_out(img + off[SEC_ZONES] + i * sizeof(struct table_zone),
			 &t->zones[i], t->arena);
	memcpy(img + off[SEC_ARENA], t->arena, t->arena_len);
	/* Then rewrite the nodes' headers and descriptors in the copy. */
	for (i = 0; i <= t->slots_mask; i++) {
		size_t at = (size_t)t->slots[i] * 8;

		if (t->slots[i] != NONE)
			node_out(img + off[SEC_ARENA] + at,
				 (const struct table_node *)(t->arena + at),
				 t->arena);
	}
	memcpy(img + off[SEC_SLOTS], t->slots,
	       h.nslots * sizeof(*t->slots));
	for (i = 0; i < h.nview_slots; i++)
		view_out(img + off[SEC_VIEWS] + i * sizeof(struct tview),
			 &t->views[i]);
	if (h.npair_slots > 0)
		memcpy(img + off[SEC_PAIRS], t->pairs,
		       h.npair_slots * sizeof(*t->pairs));
	for (i = 0; i < NCHAOS; i++)
		rrset_out(img + off[SEC_CHAOS] + i * sizeof(struct table_rrset),
			  &t->chaos[i], t->chaos_wire);
	if (t->chaos_len > 0)
		memcpy(img + off[SEC_CHAOS_WIRE], t->chaos_wire, t->chaos_len);
	for (i = 0; i < t->nsuffixes; i++)
		suffix_out(img + off[SEC_SUFFIXES] + i * sizeof(struct suffix),
			   &t->suffixes[i]);
	*out = img;
	*len = off[NSECS];
	img = NULL;
	rc = 0;
out:
	free(img);
	return rc;
}

static bool
is_pow2(uint64_t n)
{
	return n != 0 && (n & (n - 1)) == 0;
}

/* The header's own consistency, checked before anything is allocated. */
static bool
head_ok(const struct image_head *h)
{
	bool views = h->nviews > 0;

	/* Zone indexes are 16-bit; node offsets 32-bit in 8-byte units. */
	if (h->nzones > UINT16_MAX || h->arena_len % 8 != 0 ||
	    h->arena_len / 8 >= NONE)
		return false;
	/* A free slot in every hash table, so that every probe ends. */
	if (!is_pow2(h->nslots) || h->nnodes >= h->nslots ||
	    h->nnames > h->nnodes)
		return false;
	if (views && (!is_pow2(h->nview_slots) ||
		      h->nviews >= h->nview_slots ||
		      !is_pow2(h->npair_slots)))
		return false;
	/* Without views, build_views() leaves both tables NULL. */
	if (!views && (h->nview_slots != 0 || h->npair_slots != 0))
		return false;
	return h->default_all <= 1 &&
	       h->filtered == (uint64_t)(views || !h->default_all);
}

/*
 * Allocate @t's arrays for @h and copy the sections of @buf into them,
 * still unchecked (offsets in the wire pointers).  0 or -ENOMEM.
 */
static int
image_copy(struct table *t, const struct image_head *h, const uint8_t *buf,
	   const size_t off[NSECS + 1])
{
	t->nzones = h->nzones;
	t->arena_len = h->arena_len;
	t->slots_mask = h->nslots - 1;
	t->nnodes = h->nnodes;
	t->nnames = h->nnames;
	t->nrecords = h->nrecords;
	t->filtered = (int)h->filtered;
	t->default_all = (int)h->default_all;
	t->nviews = h->nviews;
	/* As table_builder_finish(): never NULL, even when empty. */
	t->zones = calloc(h->nzones + 1, sizeof(*t->zones));
	t->arena = calloc(1, h->arena_len ? h->arena_len : 8);
	t->slots = malloc(h->nslots * sizeof(*t->slots));
	if (t->zones == NULL || t->arena == NULL || t->slots == NULL)
		return -ENOMEM;
	memcpy(t->zones, buf + off[SEC_ZONES], h->nzones * sizeof(*t->zones));
	memcpy(t->arena, buf + off[SEC_ARENA], h->arena_len);
	memcpy(t->slots, buf + off[SEC_SLOTS], h->nslots * sizeof(*t->slots));
	if (h->nview_slots > 0) {
		t->views = malloc(h->nview_slots * sizeof(*t->views));
		t->pairs = malloc(h->npair_slots * sizeof(*t->pairs));
		if (t->views == NULL || t->pairs == NULL)
			return -ENOMEM;
		t->views_mask = h->nview_slots - 1;
		t->pairs_mask = h->npair_slots - 1;
		memcpy(t->views, buf + off[SEC_VIEWS],
		       h->nview_slots * sizeof(*t->views));
		memcpy(t->pairs, buf + off[SEC_PAIRS],
		       h->npair_slots * sizeof(*t->pairs));
	}
	memcpy(t->chaos, buf + off[SEC_CHAOS], sizeof(t->chaos));
	if (h->chaos_len > 0) {
		if ((t->chaos_wire = malloc(h->chaos_len)) == NULL)
			return -ENOMEM;
		t->chaos_len = h->chaos_len;
		memcpy(t->chaos_wire, buf + off[SEC_CHAOS_WIRE], h->chaos_len);
	}
	if (h->nsuffixes > 0) {
		t->suffixes = malloc(h->nsuffixes * sizeof(*t->suffixes));
		if (t->suffixes == NULL)
			return -ENOMEM;
		t->nsuffixes = h->nsuffixes;
		memcpy(t->suffixes, buf + off[SEC_SUFFIXES],
		       h->nsuffixes * sizeof(*t->suffixes));
	}
	return 0;
}

/* Is @name exactly one uncompressed wire name of @len bytes? */
static bool
name_ok(const uint8_t *name, size_t len)
{
	size_t off = 0;

	while (off < len && name[off] != 0 && name[off] < 64)
		off += (size_t)name[off] + 1;
	return off + 1 == len && name[off] == 0;
}

/* Do the probes of @hash in the node slots reach the slot of @unit? */
static bool
slot_reaches(const struct table *t, uint32_t hash, uint32_t unit)
{
	size_t j = hash & t->slots_mask;

	while (t->slots[j] != NONE) {
		if (t->slots[j] == unit)
			return true;
		j = (j + 1) & t->slots_mask;
	}
	return false;
}

/*
 * The bytes from the node at @off to the next one (header, descriptors,
 * name, the RRsets' wire, padding), or 0 when they pass @len.
 */
static size_t
node_extent(const uint8_t *arena, size_t len, size_t off)
{
	const struct table_node *node = (const void *)(arena + off);
	size_t end = off + sizeof(*node);
	size_t i;

	if (len - off < sizeof(*node))
		return 0;
	end += node->nrrsets * sizeof(struct table_rrset) + node->len;
	if (end > len)
		return 0;
	/* At most 255 RRsets of 128 KiB: no overflow. */
	for (i = 0; i < node->nrrsets; i++)
		end += (size_t)node->rrsets[i].len + node->rrsets[i].add_len;
	end = align8(end);
	return end <= len ? end - off : 0;
}

/*
 * Check the zones and the arena, and turn their offsets into pointers.
 * The arena must be the zones' negative SOAs in zone order, then nodes
 * back to back, each node's RRsets right after its name in order: then
 * nothing overlaps, and writing a pointer never changes what is still to
 * be checked.  Every node must be found from its name's hash in the slots
 * and the slots hold nothing else; the counts must be what is found.
 */
static int
arena_in(struct table *t)
{
	size_t nnodes = 0;
	size_t nnames = 0;
	size_t nrecords = 0;
	size_t used = 0;
	size_t off = 0;
	size_t i;

	for (i = 0; i <= t->slots_mask; i++)
		used += t->slots[i] != NONE;
	if (used != t->nnodes)
		return -EINVAL;
	for (i = 0; i < t->nzones; i++) {
		struct table_zone *z = &t->zones[i];

		if (z->index != i || !name_ok(z->apex, z->apex_len) ||
		    z->neg.type != LDNS_RR_TYPE_SOA || z->neg.count != 1 ||
		    z->neg.add_len != 0 ||
		    rrset_in(&z->neg, t->arena, t->arena_len, off) < 0)
			return -EINVAL;
		t->apex_lens[z->apex_len / 8] |= 1u << (z->apex_len % 8);
		off += align8(z->neg.len);
	}
	while (off < t->arena_len) {
		struct table_node *node = (struct table_node *)(t->arena + off);
		size_t size = node_extent(t->arena, t->arena_len, off);
		const uint8_t *name = NULL;
		size_t pos;

		if (size == 0)
			return -EINVAL;
		name = node_name(node);
		if (node->zone >= t->nzones || !name_ok(name, node->len) ||
		    node->hash != name_hash(name, node->len) ||
		    !slot_reaches(t, node->hash, (uint32_t)(off / 8)))
			return -EINVAL;
		pos = (size_t)(name - t->arena) + node->len;
		for (i = 0; i < node->nrrsets; i++) {
			struct table_rrset *set = &node->rrsets[i];

			if (rrset_in(set, t->arena, t->arena_len, pos) < 0)
				return -EINVAL;
			pos += (size_t)set->len + set->add_len;
			nrecords += set->count;
		}
		nnodes++;
		nnames += node->nrrsets > 0;
		off += size;
	}
	/*
	 * Distinct nodes sit in distinct slots: as many nodes as used slots
	 * means that every used slot is a node.
	 */
	if (off != t->arena_len || nnodes != t->nnodes ||
	    nnames != t->nnames || nrecords != t->nrecords)
		return -EINVAL;
	return 0;
}

/* The views and pairs: ids in range, as many as counted, a free pair slot. */
static int
views_in(const struct table *t)
{
	size_t used = 0;
	bool free_pair = false;
	size_t i;

	if (t->views == NULL)
		return 0;
	for (i = 0; i <= t->views_mask; i++) {
		const struct tview *v = &t->views[i];

		if (v->id == NONE)
			continue;
		if (v->id >= t->nviews || v->key.fam > 1 || v->all > 1)
			return -EINVAL;
		used++;
	}
	for (i = 0; i <= t->pairs_mask; i++)
		free_pair = free_pair || t->pairs[i] == UINT64_MAX;
	return used == t->nviews && free_pair ? 0 : -EINVAL;
}

/* The CHAOS answers: back to back in chaos_wire, in their order. */
static int
chaos_in(struct table *t)
{
	size_t pos = 0;
	size_t i;

	for (i = 0; i < NCHAOS; i++) {
		struct table_rrset *set = &t->chaos[i];

		if (rrset_off(set) == WIRE_NULL) {
			memset(set, 0, sizeof(*set));
			continue;
		}
		if (set->type != LDNS_RR_TYPE_TXT || set->count != 1 ||
		    set->add_len != 0 ||
		    rrset_in(set, t->chaos_wire, t->chaos_len, pos) < 0)
			return -EINVAL;
		pos += set->len;
	}
	return pos == t->chaos_len ? 0 : -EINVAL;
}

static int
suffixes_in(const struct table *t)
{
	size_t i;

	for (i = 0; i < t->nsuffixes; i++) {
		const struct suffix *s = &t->suffixes[i];

		if (!name_ok(s->name, s->len) || s->wild > 1)
			return -EINVAL;
	}
	return 0;
}

int
table_deserialize(const uint8_t *buf, size_t len, struct table **out)
{
	struct image_head h;
	size_t off[NSECS + 1];
	struct table *t = NULL;
	int rc = -EINVAL;

	*out = NULL;
	if (buf == NULL || len < sizeof(h))
		goto out;
	/* @buf need not be aligned: everything is copied out of it. */
	memcpy(&h, buf, sizeof(h));
	if (h.magic != IMAGE_MAGIC || image_layout(&h, len, off) < 0 ||
	    off[NSECS] != len || !head_ok(&h))
		goto out;
	rc = -ENOMEM;
	if ((t = calloc(1, sizeof(*t))) == NULL ||
	    image_copy(t, &h, buf, off) < 0)
		goto out;
	rc = -EINVAL;
	if (arena_in(t) < 0 || views_in(t) < 0 || chaos_in(t) < 0 ||
	    suffixes_in(t) < 0)
		goto out;
	*out = t;
	t = NULL;
	rc = 0;
out:
	table_free(t);
	return rc;
}
