/* SPDX-License-Identifier: MIT */
/* table_image.c -- the answer table as bytes, for the start-up cache. */
/*
 * Serialized (the start-up cache).  A small header of counts and sizes,
 * then the table's arrays and the arena copied as they are, each padded
 * to 8 bytes, with every struct's padding zeroed and every RRset's wire
 * pointer replaced by the offset of its bytes.  Reading it back checks
 * every offset and length before use and walks the arena node by node,
 * and every RRset RR by RR as answer.c will copy it (table_image.h says
 * what that takes), so that corrupt bytes are refused rather than served.
 * One pass over the bytes: the load stays linear in the image.
 */
#include "autoconfig.h"

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ldns/ldns.h>

#include "dns/table_image.h"
#include "dns/table_int.h"
#include "dns/wire.h"
#include "util/bigarray.h"

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
#define IMAGE_MAGIC	0x3462746873656d00ULL	/* "\0meshtb4" */
#define WIRE_NULL	UINTPTR_MAX

#define SRV_FIXED	6	/* priority, weight, port */
#define SOA_FIXED	20	/* serial, refresh, retry, expire, minimum */
/*
 * The farthest an SRV target may be inside the answer RRs for an
 * additional RR's owner to point at it once answer.c has added the
 * answer's offset (at most WIRE_QUESTION_MAX): table_build.c's bound.
 */
#define ADD_REL_MAX	(0x3fff - WIRE_QUESTION_MAX)
#define PTR_SPAN	0x4000	/* the message offsets a pointer reaches */

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
	uint64_t scoped;
	uint64_t default_scope;
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

static void
zone_out(uint8_t *dst, const struct table_zone *z, const uint8_t *arena)
{
	struct table_zone c;

	memset(&c, 0, sizeof(c));
	memcpy(c.apex, z->apex, z->apex_len);
	c.apex_len = z->apex_len;
	c.index = z->index;
	c.serial = z->serial;
	c.dhead = z->dhead;
	c.rsum = z->rsum;
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
	c.scope = node->scope;
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
	c.scope = v->scope;
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

static int serialize_flat(const struct table *t, uint8_t **out,
			  size_t *len);

int
table_serialize(const struct table *t, uint8_t **out, size_t *len)
{
	struct table *flat = NULL;
	int rc;

	/* A patched table: its live nodes in one segment first. */
	if (t->nsegs <= 1)
		return serialize_flat(t, out, len);
	*out = NULL;
	*len = 0;
	if ((rc = table_flatten(t, &flat)) < 0)
		return rc;
	rc = serialize_flat(flat, out, len);
	table_free(flat);
	return rc;
}

static int
serialize_flat(const struct table *t, uint8_t **out, size_t *len)
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
	h.scoped = t->scoped;
	h.default_scope = t->default_scope;
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

/* @fmt into @err (may be NULL when @errsize is 0); returns -EINVAL. */
static int
vbad(char *err, size_t errsize, const char *fmt, va_list ap)
{
	if (errsize > 0)
		vsnprintf(err, errsize, fmt, ap);
	return -EINVAL;
}

static int
bad(char *err, size_t errsize, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int
bad(char *err, size_t errsize, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vbad(err, errsize, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

/* The header's own consistency, checked before anything is allocated. */
static bool
head_ok(const struct image_head *h)
{
	bool views = h->nviews > 0;

	/* Zone indexes are 16-bit; node offsets 32-bit in 8-byte units. */
	if (h->nzones > UINT16_MAX || h->arena_len % 8 != 0 ||
	    h->arena_len / 8 >= SEG_UNITS)
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
	/* Without scopes, build_views() leaves the default scope NONE. */
	return h->default_all <= 1 && h->scoped <= 1 &&
	       h->default_scope <= UINT32_MAX &&
	       (h->scoped || h->default_scope == TABLE_SCOPE_NONE) &&
	       h->filtered == (uint64_t)(views || !h->default_all ||
					 h->scoped);
}

/*
 * Allocate @t's arrays for @h and copy the sections of @buf into them,
 * still unchecked (offsets in the wire pointers).  0 or -ENOMEM.
 */
static int
image_copy(struct table *t, const struct image_head *h, const uint8_t *buf,
	   const size_t off[NSECS + 1])
{
	struct table_seg *seg = NULL;

	t->nzones = h->nzones;
	t->slots_mask = h->nslots - 1;
	t->nnodes = h->nnodes;
	t->nnames = h->nnames;
	t->nrecords = h->nrecords;
	t->filtered = (int)h->filtered;
	t->default_all = (int)h->default_all;
	t->scoped = (int)h->scoped;
	t->default_scope = (uint32_t)h->default_scope;
	t->nviews = h->nviews;
	/* As table_builder_finish(): never NULL, even when empty. */
	t->zones = calloc(h->nzones + 1, sizeof(*t->zones));
	seg = table_seg_new(h->arena_len);
	if (seg != NULL)
		table_seg_add(t, seg);
	t->slots = bigarray_alloc(h->nslots * sizeof(*t->slots));
	if (t->zones == NULL || seg == NULL || t->slots == NULL)
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
	/* Then the descendant statistics. */
	end = align8(end) + sizeof(struct node_stats);
	return end <= len ? end - off : 0;
}

/* --- the records, as answer.c copies them (table_image.h's contract) --- */

/* The length of the uncompressed wire name at @p in @max bytes, or 0. */
static size_t
name_len(const uint8_t *p, size_t max)
{
	size_t off = 0;

	while (off < max && p[off] != 0) {
		if (p[off] >= 64)
			return 0;
		off += (size_t)p[off] + 1;
	}
	return off < max && off < NAME_MAX_WIRE ? off + 1 : 0;
}

/* Is @name exactly one uncompressed wire name of @len bytes? */
static bool
name_ok(const uint8_t *name, size_t len)
{
	return len > 0 && name_len(name, len) == len;
}

/*
 * One RRset as answer.c copies it, for the checks and their messages:
 * where it is, and what its RRs' owners, class and RDATA pointers must be.
 */
struct blob {
	const char *what;	/* "zone", "node" or "CHAOS answer" */
	const uint8_t *name;	/* the apex or the node's name (checked) */
	size_t name_len;	/* 0: no name, then @index says which */
	size_t index;
	uint16_t owner;		/* every answer RR's owner pointer */
	uint16_t rrclass;
	/*
	 * The message answer.c's copy lands in, as the builder saw it: the
	 * question @qname at offset 12, the RRset at @an.  The node's name;
	 * for the negative SOA the apex, its pointers at @apex_rel relocated
	 * by the apex's offset in the real question.  @rem: for each message
	 * offset below PTR_SPAN, the length of the name from the label there
	 * on when a name's label starts there (the question's, the RDATA
	 * names' checked so far), else 0; NULL: no RDATA pointer at all.
	 */
	const uint8_t *qname;
	size_t qname_len;
	size_t an;
	const uint16_t *apex_rel;	/* the negative SOA's, else NULL */
	uint8_t *rem;
	char *err;
	size_t errsize;
};

static const char *
type_name(uint16_t type)
{
	const ldns_rr_descriptor *d = ldns_rr_descript(type);

	return d != NULL && d->_type == type && d->_name != NULL ?
	       d->_name : "unknown";
}

/*
 * @fmt after "<what> <name>, <type> RRset: " (no RRset when @set is
 * NULL) into b->err; returns -EINVAL.  Only failures format: the name's
 * text costs allocations.
 */
static int
fail(const struct blob *b, const struct table_rrset *set, const char *fmt,
     ...) __attribute__((format(printf, 3, 4)));

static int
fail(const struct blob *b, const struct table_rrset *set, const char *fmt,
     ...)
{
	ldns_rdf *rdf = NULL;
	char *name = NULL;
	va_list ap;
	int n;

	if (b->errsize == 0)
		return -EINVAL;
	if (b->name_len > 0)
		rdf = ldns_rdf_new_frm_data(LDNS_RDF_TYPE_DNAME, b->name_len,
					    b->name);
	if (rdf != NULL)
		name = ldns_rdf2str(rdf);
	if (b->name_len > 0)
		n = snprintf(b->err, b->errsize, "%s \"%s\"%s%s%s", b->what,
			     name != NULL ? name : "?", set ? ", " : "",
			     set ? type_name(set->type) : "",
			     set ? " RRset" : "");
	else
		n = snprintf(b->err, b->errsize, "%s %zu%s%s%s", b->what,
			     b->index, set ? ", " : "",
			     set ? type_name(set->type) : "",
			     set ? " RRset" : "");
	if (n >= 0 && (size_t)n + 2 < b->errsize) {
		memcpy(b->err + n, ": ", 3);
		va_start(ap, fmt);
		vbad(b->err + n + 2, b->errsize - (size_t)n - 2, fmt, ap);
		va_end(ap);
	}
	free(name);
	ldns_rdf_deep_free(rdf);
	return -EINVAL;
}

/*
 * The length of the RDATA name at @p in @max bytes, which is message
 * offset @at, or 0: labels, then the root label or a compression pointer
 * (its message offset in *ptr, else 0) to a label start of a name before
 * it (b->rem), the whole name at most 255 bytes.  Its own labels are
 * then noted in b->rem for the names after it: a pointer only ever goes
 * back, so no loop.
 */
static size_t
rdata_name_len(const struct blob *b, const uint8_t *p, size_t max,
	       size_t at, size_t *ptr)
{
	size_t off = 0;
	size_t total;
	size_t to;
	size_t k;

	*ptr = 0;
	while (off < max && p[off] != 0 && p[off] < 64)
		off += (size_t)p[off] + 1;
	if (off >= max || off >= NAME_MAX_WIRE)
		return 0;
	if (p[off] == 0) {
		total = off + 1;
	} else {
		if ((p[off] & 0xc0) != 0xc0 || max - off < 2 ||
		    b->rem == NULL)
			return 0;
		to = ldns_read_uint16(p + off) & 0x3fff;
		if (b->rem[to] == 0 || off + b->rem[to] > NAME_MAX_WIRE)
			return 0;
		total = off + b->rem[to];
		*ptr = at + off;
	}
	for (k = 0; b->rem != NULL && k < off && at + k < PTR_SPAN;
	     k += (size_t)p[k] + 1)
		b->rem[at + k] = (uint8_t)(total - k);
	return *ptr != 0 ? off + 2 : off + 1;
}

/*
 * Is the pointer at message offset @ptr (0: none) ending the SOA's name
 * @i where b->apex_rel says?  The negative SOA's pointers must all be
 * there, for answer.c to relocate them; elsewhere apex_rel is 0.
 */
static bool
apex_rel_ok(const struct blob *b, size_t ptr, size_t i)
{
	return b->apex_rel == NULL ||
	       b->apex_rel[i] == (ptr != 0 ? ptr - b->an : 0);
}

/* Character-strings filling @len bytes (TXT), at least one. */
static bool
strings_fill(const uint8_t *p, size_t len)
{
	size_t off = 0;

	while (off < len)
		off += (size_t)p[off] + 1;
	return len > 0 && off == len;
}

/*
 * Is @rd (@len bytes, at message offset @at) one whole RDATA of @type, as
 * a client parses it?
 */
static bool
rdata_ok(const struct blob *b, uint16_t type, const uint8_t *rd, size_t len,
	 size_t at)
{
	size_t k = 0;
	size_t k2 = 0;
	size_t p1 = 0;
	size_t p2 = 0;

	switch (type) {
	case LDNS_RR_TYPE_A:
		return len == 4;
	case LDNS_RR_TYPE_AAAA:
		return len == 16;
	case LDNS_RR_TYPE_SRV:
		/* The target uncompressed (RFC 2782): additional owners. */
		return len > SRV_FIXED && name_len(rd + SRV_FIXED,
						   len - SRV_FIXED) ==
		       len - SRV_FIXED;
	case LDNS_RR_TYPE_NS:
	case LDNS_RR_TYPE_PTR:
		return len > 0 && rdata_name_len(b, rd, len, at, &p1) == len;
	case LDNS_RR_TYPE_SOA:
		if ((k = rdata_name_len(b, rd, len, at, &p1)) > 0)
			k2 = rdata_name_len(b, rd + k, len - k, at + k, &p2);
		return k2 > 0 && len - k - k2 == SOA_FIXED &&
		       apex_rel_ok(b, p1, 0) && apex_rel_ok(b, p2, 1);
	case LDNS_RR_TYPE_TXT:
		return strings_fill(rd, len);
	default:
		return false;	/* never in a table */
	}
}

/*
 * RR @n of a section of @set ("RR" or "additional RR" in @sec) at @off in
 * the @len bytes at @wire: its fixed part and RDATA inside them, of type
 * @type or @alt and class b->rrclass, its RDATA well-formed.  Its end in
 * *next.
 */
static int
rr_check(const struct blob *b, const struct table_rrset *set,
	 const char *sec, size_t n, const uint8_t *wire, size_t len,
	 size_t off, uint16_t type, uint16_t alt, size_t *next)
{
	const uint8_t *rr = wire + off;
	uint16_t rtype;
	uint16_t rclass;
	size_t rdlen;

	if (len - off < RR_FIXED)
		return fail(b, set, "%s %zu: %zu bytes left, less than an RR",
			    sec, n, len - off);
	rtype = ldns_read_uint16(rr + 2);
	rclass = ldns_read_uint16(rr + 4);
	rdlen = ldns_read_uint16(rr + 10);
	if (rdlen > len - off - RR_FIXED)
		return fail(b, set, "%s %zu: RDLENGTH %zu runs past the "
			    "RRset's end (%zu bytes left)", sec, n, rdlen,
			    len - off - RR_FIXED);
	if (rtype != type && rtype != alt)
		return fail(b, set, "%s %zu: type %s", sec, n,
			    type_name(rtype));
	if (rclass != b->rrclass)
		return fail(b, set, "%s %zu: class %u, not %u", sec, n,
			    rclass, b->rrclass);
	if (!rdata_ok(b, rtype, rr + RR_FIXED, rdlen,
		      b->an + (size_t)(rr + RR_FIXED - set->wire)))
		return fail(b, set, "%s %zu: %zu bytes are not one %s RDATA",
			    sec, n, rdlen, type_name(rtype));
	*next = off + RR_FIXED + rdlen;
	return 0;
}

/* The answer RRs of @set: owners b->owner, as many as it says. */
static int
answer_check(const struct blob *b, const struct table_rrset *set)
{
	size_t off = 0;
	size_t next = 0;
	size_t n = 0;
	int rc;

	while (off < set->len) {
		n++;
		if ((rc = rr_check(b, set, "RR", n, set->wire, set->len, off,
				   set->type, set->type, &next)) < 0)
			return rc;
		if (ldns_read_uint16(set->wire + off) != b->owner)
			return fail(b, set, "RR %zu: owner pointer 0x%04x, not "
				    "0x%04x", n,
				    ldns_read_uint16(set->wire + off),
				    b->owner);
		off = next;
	}
	if (n != set->count)
		return fail(b, set, "%zu RRs, the descriptor says %u", n,
			    set->count);
	return 0;
}

/*
 * The additional RRs of @set (checked answer RRs): an SRV RRset's only,
 * each owner 0xC000 plus the offset of an SRV target in the answer RRs
 * (answer.c adds where they start), the targets in answer order.
 */
static int
additional_check(const struct blob *b, const struct table_rrset *set)
{
	const uint8_t *add = set->wire + set->len;
	size_t at = 0;		/* the next answer RR */
	size_t target = 0;	/* the SRV target before it (at > 0) */
	size_t off = 0;
	size_t next = 0;
	size_t n = 0;
	uint16_t ptr;
	int rc;

	if (set->add_len == 0 && set->add_count == 0)
		return 0;
	if (set->type != LDNS_RR_TYPE_SRV)
		return fail(b, set, "additional RRs, not after SRV RRs");
	while (off < set->add_len) {
		n++;
		if ((rc = rr_check(b, set, "additional RR", n, add,
				   set->add_len, off, LDNS_RR_TYPE_A,
				   LDNS_RR_TYPE_AAAA, &next)) < 0)
			return rc;
		ptr = ldns_read_uint16(add + off);
		while (target < (ptr & 0x3fffu) && at < set->len) {
			target = at + RR_FIXED + SRV_FIXED;
			at += RR_FIXED + ldns_read_uint16(set->wire + at + 10);
		}
		if ((ptr & 0xc000) != 0xc000 || (ptr & 0x3fff) > ADD_REL_MAX ||
		    at == 0 || target != (ptr & 0x3fffu))
			return fail(b, set, "additional RR %zu: owner pointer "
				    "0x%04x is not 0xc000 plus the offset of "
				    "the next SRV target in the answer", n,
				    ptr);
		off = next;
	}
	if (n != set->add_count)
		return fail(b, set, "%zu additional RRs, the descriptor says "
			    "%u", n, set->add_count);
	return 0;
}

/*
 * Point @set at @base + @pos, where its stored offset must say its bytes
 * are, once they are checked: inside the @size bytes at @base, its RRs
 * and then its additional RRs filling them exactly, as table_image.h
 * says.  0 or -EINVAL.
 */
static int
rrset_in(const struct blob *b, struct table_rrset *set, uint8_t *base,
	 size_t size, size_t pos)
{
	size_t k;
	int rc;

	if (b->apex_rel == NULL && (set->apex_rel[0] != 0 ||
				    set->apex_rel[1] != 0))
		return fail(b, set, "apex_rel %u and %u, not 0: answer.c "
			    "relocates the negative SOA's pointers only",
			    set->apex_rel[0], set->apex_rel[1]);
	if (rrset_off(set) != pos)
		return fail(b, set, "its bytes are at offset %ju, not %zu",
			    (uintmax_t)rrset_off(set), pos);
	if (set->count == 0)
		return fail(b, set, "no RRs");
	if (set->len < RR_FIXED)
		return fail(b, set, "%u bytes for %u RRs", (unsigned)set->len,
			    (unsigned)set->count);
	if (pos > size || (size_t)set->len + set->add_len > size - pos)
		return fail(b, set, "its %zu bytes run past the end",
			    (size_t)set->len + set->add_len);
	set->wire = base + pos;
	for (k = 0; b->rem != NULL && b->qname[k] != 0;
	     k += (size_t)b->qname[k] + 1)
		b->rem[LDNS_HEADER_SIZE + k] = (uint8_t)(b->qname_len - k);
	if ((rc = answer_check(b, set)) < 0 ||
	    (rc = additional_check(b, set)) < 0)
		goto out;
	rc = 0;
out:
	/* Only what this RRset noted: linear in its bytes. */
	if (b->rem != NULL)
		memset(b->rem + LDNS_HEADER_SIZE, 0,
		       (b->an + set->len < PTR_SPAN ? b->an + set->len :
			PTR_SPAN) - LDNS_HEADER_SIZE);
	return rc;
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
arena_in(struct table *t, char *err, size_t errsize)
{
	uint8_t rem[PTR_SPAN];
	struct blob b = {
		"zone", NULL, 0, 0, 0xc000, LDNS_RR_CLASS_IN, NULL, 0, 0,
		NULL, rem, err, errsize,
	};
	size_t nnodes = 0;
	size_t nnames = 0;
	size_t nrecords = 0;
	size_t used = 0;
	size_t off = 0;
	size_t i;
	int rc;

	memset(rem, 0, sizeof(rem));
	for (i = 0; i <= t->slots_mask; i++)
		used += t->slots[i] != NONE;
	if (used != t->nnodes)
		return bad(err, errsize, "%zu node slots used for %zu nodes",
			   used, t->nnodes);
	for (i = 0; i < t->nzones; i++) {
		struct table_zone *z = &t->zones[i];

		/* As if the question were the apex (table.h). */
		b.name = b.qname = z->apex;
		b.name_len = b.qname_len = z->apex_len;
		b.an = LDNS_HEADER_SIZE + z->apex_len + 4;
		b.apex_rel = z->neg.apex_rel;
		if (z->index != i || !name_ok(z->apex, z->apex_len))
			return bad(err, errsize, "zone %zu: index %u, or its "
				   "apex is not a wire name", i, z->index);
		if (z->neg.type != LDNS_RR_TYPE_SOA || z->neg.count != 1 ||
		    z->neg.add_len != 0)
			return fail(&b, &z->neg, "not one negative SOA");
		if ((rc = rrset_in(&b, &z->neg, t->arena, t->arena_len,
				   off)) < 0)
			return rc;
		t->apex_lens[z->apex_len / 8] |= 1u << (z->apex_len % 8);
		off += align8(z->neg.len);
	}
	t->segs[0]->first = off;
	b.what = "node";
	b.owner = 0xc00c;
	b.apex_rel = NULL;
	while (off < t->arena_len) {
		struct table_node *node = (struct table_node *)(t->arena + off);
		size_t size = node_extent(t->arena, t->arena_len, off);
		size_t pos;

		if (size == 0 || !name_ok(node_name(node), node->len))
			return bad(err, errsize, "node at arena offset %zu: "
				   "%s", off, size == 0 ?
				   "runs past the arena" :
				   "its name is not a wire name");
		b.name = b.qname = node_name(node);
		b.name_len = b.qname_len = node->len;
		b.an = LDNS_HEADER_SIZE + node->len + 4;
		if (node->zone >= t->nzones)
			return fail(&b, NULL, "zone %u of %zu", node->zone,
				    t->nzones);
		if (node->hash != name_hash(b.name, node->len) ||
		    !slot_reaches(t, node->hash, (uint32_t)(off / 8)))
			return fail(&b, NULL, "not found from its name's hash");
		pos = (size_t)(b.name - t->arena) + node->len;
		for (i = 0; i < node->nrrsets; i++) {
			struct table_rrset *set = &node->rrsets[i];

			if ((rc = rrset_in(&b, set, t->arena, t->arena_len,
					   pos)) < 0)
				return rc;
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
		return bad(err, errsize, "the arena holds %zu nodes, %zu "
			   "names and %zu RRs; the header says %zu, %zu and "
			   "%zu", nnodes, nnames, nrecords, t->nnodes,
			   t->nnames, t->nrecords);
	return 0;
}

/*
 * The views and pairs: ids in range, as many as counted, a free pair
 * slot, every pair's view a view.
 */
static int
views_in(const struct table *t, char *err, size_t errsize)
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
			return bad(err, errsize, "view slot %zu: view %u of "
				   "%zu, family %u, all %u", i, v->id,
				   t->nviews, v->key.fam, v->all);
		used++;
	}
	for (i = 0; i <= t->pairs_mask; i++) {
		if (t->pairs[i] == UINT64_MAX)
			free_pair = true;
		else if (t->pairs[i] >> 32 >= t->nviews)
			return bad(err, errsize, "pair slot %zu: view %ju of "
				   "%zu", i, (uintmax_t)(t->pairs[i] >> 32),
				   t->nviews);
	}
	if (used != t->nviews || !free_pair)
		return bad(err, errsize, "%zu views in the view slots for %zu, "
			   "%s free pair slot", used, t->nviews,
			   free_pair ? "a" : "no");
	return 0;
}

/* The CHAOS answers: back to back in chaos_wire, in their order. */
static int
chaos_in(struct table *t, char *err, size_t errsize)
{
	size_t pos = 0;
	size_t i;
	int rc;

	for (i = 0; i < NCHAOS; i++) {
		struct table_rrset *set = &t->chaos[i];
		struct blob b = {
			"CHAOS answer", NULL, 0, i, 0xc00c,
			LDNS_RR_CLASS_CH, NULL, 0, 0, NULL, NULL, err,
			errsize,
		};

		if (rrset_off(set) == WIRE_NULL) {
			memset(set, 0, sizeof(*set));
			continue;
		}
		if (set->type != LDNS_RR_TYPE_TXT || set->count != 1 ||
		    set->add_len != 0)
			return fail(&b, set, "not one TXT RR");
		if ((rc = rrset_in(&b, set, t->chaos_wire, t->chaos_len,
				   pos)) < 0)
			return rc;
		pos += set->len;
	}
	if (pos != t->chaos_len)
		return bad(err, errsize, "the CHAOS answers take %zu of %zu "
			   "bytes", pos, t->chaos_len);
	return 0;
}

static int
suffixes_in(const struct table *t, char *err, size_t errsize)
{
	size_t i;

	for (i = 0; i < t->nsuffixes; i++) {
		const struct suffix *s = &t->suffixes[i];

		if (!name_ok(s->name, s->len) || s->wild > 1)
			return bad(err, errsize, "search suffix %zu: not a "
				   "wire name, or wild %u", i, s->wild);
	}
	return 0;
}

int
table_deserialize(const uint8_t *buf, size_t len, struct table **out,
		  char *err, size_t errsize)
{
	struct image_head h;
	size_t off[NSECS + 1];
	struct table *t = NULL;
	int rc = -EINVAL;

	*out = NULL;
	if (errsize > 0)
		err[0] = '\0';
	if (buf == NULL || len < sizeof(h)) {
		bad(err, errsize, "%zu bytes, shorter than the header", len);
		goto out;
	}
	/* @buf need not be aligned: everything is copied out of it. */
	memcpy(&h, buf, sizeof(h));
	if (h.magic != IMAGE_MAGIC) {
		bad(err, errsize, "not a table image");
		goto out;
	}
	if (image_layout(&h, len, off) < 0 || off[NSECS] != len ||
	    !head_ok(&h)) {
		bad(err, errsize, "the header's counts and sizes do not agree "
		    "with each other or with the image's %zu bytes", len);
		goto out;
	}
	rc = -ENOMEM;
	if ((t = calloc(1, sizeof(*t))) == NULL ||
	    image_copy(t, &h, buf, off) < 0) {
		bad(err, errsize, "out of memory");
		goto out;
	}
	if ((rc = arena_in(t, err, errsize)) < 0 ||
	    (rc = views_in(t, err, errsize)) < 0 ||
	    (rc = chaos_in(t, err, errsize)) < 0 ||
	    (rc = suffixes_in(t, err, errsize)) < 0)
		goto out;
	if ((rc = table_rdeps_build(t)) < 0) {
		bad(err, errsize, "out of memory");
		goto out;
	}
	*out = t;
	t = NULL;
	rc = 0;
out:
	table_free(t);
	return rc;
}
