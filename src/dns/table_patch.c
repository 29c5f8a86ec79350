/* SPDX-License-Identifier: MIT */
/* table_patch.c -- a new answer table from a base plus changed names. */
/*
 * The changed names' records go into a builder (nb) holding the base's
 * zones.  At finish the names whose compiled form depends on them join
 * it, decoded from the base's wire: the SRV names whose targets changed
 * (found through the reverse index t->rdeps), the targets of every SRV
 * being compiled (so that their additional sections come out as in a
 * full build), the apexes whose serial changed.  The builder compiles
 * them all into a small table, whose nodes for the changed names are
 * copied into one new segment, next to the empty non-terminals made
 * here from the descendant statistics (struct node_stats), which every
 * appearing or disappearing name updates in its ancestors.  The new
 * table copies the base's hash index and small arrays and points its
 * slots at the new nodes.
 */
#include "autoconfig.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <ldns/ldns.h>

#include "dns/table_build.h"
#include "dns/table_int.h"
#include "dns/table_patch.h"
#include "util/bigarray.h"

#define SRV_FIXED	6

/* What an entry of the patch is. */
enum {
	E_RESET = 0x01,		/* reset by the caller */
	E_SRV = 0x02,		/* an SRV name whose target changed */
	E_ANC = 0x04,		/* its descendant statistics changed */
	E_APEX = 0x08,		/* an apex whose SOA changed */
	E_AUX = 0x10,		/* decoded into nb only (an SRV target) */
};

/* A name in a scope, touched by the patch. */
struct pent {
	uint32_t hash;
	uint32_t scope;
	uint16_t zone;
	uint8_t len;
	uint8_t flags;
	uint8_t name[NAME_MAX_WIRE];
	const struct table_node *old;	/* in the base, or NULL */
	struct node_stats st;		/* the new statistics */
};

/* An SRV target to resolve at finish: in @scope. */
struct ptarget {
	uint32_t scope;
	uint8_t len;
	uint8_t name[NAME_MAX_WIRE];
};

struct table_patch {
	const struct table *base;
	struct table_builder *nb;
	uint32_t scope;
	struct pent *ents;
	size_t nents, ents_cap;
	uint32_t *idx;		/* hash set of entry indexes */
	size_t idx_mask;
	struct ptarget *tgts;
	size_t ntgts, tgts_cap;
	uint32_t *serial;	/* per zone */
	struct table_builder *views;	/* the new views, or NULL */
	int failed;		/* an allocation failed: finish fails */
};

struct zchange {
	int zone;
	uint32_t old_serial, new_serial;
	ldns_rr_list *removed;
	ldns_rr_list *added;
};

struct table_changes {
	struct zchange *z;
	size_t n;
};

/* --- names --- */

/* Text @text to a canonical wire name; 0 or -EINVAL. */
static int
name_parse(const char *text, uint8_t *wire, size_t *len)
{
	ldns_rdf *rdf = NULL;
	ldns_status st;

	if (text == NULL)
		return -EINVAL;
	st = ldns_str2rdf_dname(&rdf, text);
	if (st != LDNS_STATUS_OK || ldns_rdf_size(rdf) > NAME_MAX_WIRE) {
		ldns_rdf_deep_free(rdf);
		return -EINVAL;
	}
	ldns_dname2canonical(rdf);
	*len = ldns_rdf_size(rdf);
	memcpy(wire, ldns_rdf_data(rdf), *len);
	ldns_rdf_deep_free(rdf);
	return 0;
}

/* A wire name as text (malloc'ed), or NULL on ENOMEM. */
static char *
name_text(const uint8_t *wire, size_t len)
{
	ldns_rdf *rdf = ldns_rdf_new_frm_data(LDNS_RDF_TYPE_DNAME, len, wire);
	char *s = NULL;

	if (rdf == NULL)
		return NULL;
	s = ldns_rdf2str(rdf);
	ldns_rdf_deep_free(rdf);
	return s;
}

/*
 * Decompress the name at @p inside @set's wire of node name @qname
 * (@qlen): pointers are message offsets, the RRset starting right after
 * the question.  Into @out (NAME_MAX_WIRE); the bytes read at @p in
 * *used.  0 or -EINVAL.
 */
static int
rdata_name(const uint8_t *qname, size_t qlen, const struct table_rrset *set,
	   const uint8_t *p, uint8_t *out, size_t *outlen, size_t *used)
{
	size_t an = LDNS_HEADER_SIZE + qlen + 4;
	size_t total = (size_t)set->len + set->add_len;
	const uint8_t *at = p;
	size_t n = 0;
	int hops = 0;

	*used = 0;
	for (;;) {
		size_t l = *at;

		if ((l & 0xc0) == 0xc0) {
			size_t o = (size_t)(l & 0x3f) << 8 | at[1];

			if (*used == 0)
				*used = (size_t)(at - p) + 2;
			if (++hops > 64)
				return -EINVAL;
			if (o >= an && o - an < total)
				at = set->wire + (o - an);
			else if (o >= LDNS_HEADER_SIZE &&
				 o - LDNS_HEADER_SIZE < qlen)
				at = qname + (o - LDNS_HEADER_SIZE);
			else
				return -EINVAL;
			continue;
		}
		if (n + l + 1 > NAME_MAX_WIRE)
			return -EINVAL;
		memcpy(out + n, at, l + 1);
		n += l + 1;
		if (l == 0)
			break;
		at += l + 1;
	}
	if (*used == 0)
		*used = (size_t)(at - p) + 1;
	*outlen = n;
	return 0;
}

/*
 * One RR of an RRset, RDATA with names uncompressed: the callback's
 * view.  Returns what the callback returns, or -EINVAL.
 */
struct rr_view {
	uint16_t type;
	uint32_t ttl;
	uint8_t rdata[2 * NAME_MAX_WIRE + 20];
	size_t rdlen;
};

typedef int (*rr_fn)(void *arg, const struct table_node *node,
		     const struct rr_view *rr);

static int
rrset_each(const struct table_node *node, const struct table_rrset *set,
	   rr_fn fn, void *arg)
{
	const uint8_t *qname = node_name(node);
	struct rr_view v;
	size_t off = 0;
	size_t i;
	int rc;

	for (i = 0; i < set->count; i++) {
		const uint8_t *rr = set->wire + off;
		size_t rdlen = ldns_read_uint16(rr + 10);
		const uint8_t *rd = rr + RR_FIXED;
		size_t used = 0;
		size_t nl = 0;

		v.type = ldns_read_uint16(rr + 2);
		v.ttl = ldns_read_uint32(rr + 6);
		switch (v.type) {
		case LDNS_RR_TYPE_PTR:
		case LDNS_RR_TYPE_NS:
			if (rdata_name(qname, node->len, set, rd, v.rdata,
				       &v.rdlen, &used) < 0)
				return -EINVAL;
			break;
		case LDNS_RR_TYPE_SOA:
			if (rdata_name(qname, node->len, set, rd, v.rdata, &nl,
				       &used) < 0)
				return -EINVAL;
			rd += used;
			if (rdata_name(qname, node->len, set, rd,
				       v.rdata + nl, &v.rdlen, &used) < 0)
				return -EINVAL;
			v.rdlen += nl;
			memcpy(v.rdata + v.rdlen, rd + used, 20);
			v.rdlen += 20;
			break;
		default:
			if (rdlen > sizeof(v.rdata))
				return -EINVAL;
			memcpy(v.rdata, rd, rdlen);
			v.rdlen = rdlen;
			break;
		}
		if ((rc = fn(arg, node, &v)) != 0)
			return rc;
		off += RR_FIXED + rdlen;
	}
	return 0;
}

/* Every A, AAAA, SRV and PTR RR of @node (zone content). */
static int
node_each(const struct table_node *node, rr_fn fn, void *arg)
{
	size_t i;
	int rc;

	for (i = 0; node != NULL && i < node->nrrsets; i++) {
		const struct table_rrset *set = &node->rrsets[i];

		if (set->type == LDNS_RR_TYPE_SOA ||
		    set->type == LDNS_RR_TYPE_NS)
			continue;
		if ((rc = rrset_each(node, set, fn, arg)) != 0)
			return rc;
	}
	return 0;
}

static int
kind_of(uint16_t type)
{
	switch (type) {
	case LDNS_RR_TYPE_A:
		return 0;
	case LDNS_RR_TYPE_AAAA:
		return 1;
	case LDNS_RR_TYPE_SRV:
		return 2;
	case LDNS_RR_TYPE_TXT:
		return 4;	/* the builder's KIND_TXT */
	default:
		return 3;	/* KIND_PTR */
	}
}

static int
rsum_fn(void *arg, const struct table_node *node, const struct rr_view *rr)
{
	uint64_t *sum = arg;

	*sum += rr_hash(node_name(node), node->len,
			(uint8_t)kind_of(rr->type), rr->rdata, rr->rdlen,
			rr->ttl);
	return 0;
}

/* The digest sum of @node's records, as the builder's name_rsum(). */
static uint64_t
node_rsum(const struct table_node *node)
{
	uint64_t sum = 0;

	node_each(node, rsum_fn, &sum);
	return sum;
}

static size_t
node_nrecords(const struct table_node *node)
{
	size_t n = 0;
	size_t i;

	for (i = 0; node != NULL && i < node->nrrsets; i++)
		n += node->rrsets[i].count;
	return n;
}

/* --- the hash index --- */

/* The slot of the node of @name in @scope in @t's index, or -1. */
static ssize_t
slot_find(const struct table *t, const uint32_t *slots, size_t mask,
	  uint32_t h, const uint8_t *name, size_t len, uint32_t scope)
{
	size_t j = h & mask;

	while (slots[j] != NONE) {
		const struct table_node *n = node_at(t, slots[j]);

		if (n->hash == h && n->len == len && n->scope == scope &&
		    memcmp(node_name(n), name, len) == 0)
			return (ssize_t)j;
		j = (j + 1) & mask;
	}
	return -1;
}

static const struct table_node *
node_find(const struct table *t, uint32_t h, const uint8_t *name, size_t len,
	  uint32_t scope)
{
	ssize_t j = slot_find(t, t->slots, t->slots_mask, h, name, len, scope);

	return j < 0 ? NULL : node_at(t, t->slots[j]);
}

static void
slot_insert(const struct table *t, uint32_t *slots, size_t mask,
	    uint32_t ref)
{
	size_t j = node_at(t, ref)->hash & mask;

	while (slots[j] != NONE)
		j = (j + 1) & mask;
	slots[j] = ref;
}

/* Empty slot @i, moving back the entries of its cluster (linear probing). */
static void
slot_delete(const struct table *t, uint32_t *slots, size_t mask, size_t i)
{
	size_t j = i;

	for (;;) {
		size_t k;

		j = (j + 1) & mask;
		if (slots[j] == NONE)
			break;
		k = node_at(t, slots[j])->hash & mask;
		/* May the entry at j move to i: is k cyclically not in (i, j]? */
		if ((i <= j) ? (i < k && k <= j) : (i < k || k <= j))
			continue;
		slots[i] = slots[j];
		i = j;
	}
	slots[i] = NONE;
}

/* --- the reverse index of SRV targets --- */

static int
rdeps_put(uint64_t **v, size_t *mask, size_t *n, uint64_t key)
{
	size_t j;

	if (*v == NULL || 2 * (*n + 1) > *mask + 1) {
		size_t cap = *v == NULL ? 64 : 2 * (*mask + 1);
		uint64_t *w = bigarray_alloc(cap * sizeof(*w));
		size_t i;

		if (w == NULL)
			return -ENOMEM;
		memset(w, 0xff, cap * sizeof(*w));
		for (i = 0; *v != NULL && i <= *mask; i++) {
			if ((*v)[i] == UINT64_MAX)
				continue;
			j = (size_t)((*v)[i] >> 32) & (cap - 1);
			while (w[j] != UINT64_MAX)
				j = (j + 1) & (cap - 1);
			w[j] = (*v)[i];
		}
		bigarray_free(*v);
		*v = w;
		*mask = cap - 1;
	}
	j = (size_t)(key >> 32) & *mask;
	while ((*v)[j] != UINT64_MAX && (*v)[j] != key)
		j = (j + 1) & *mask;
	if ((*v)[j] == UINT64_MAX) {
		(*v)[j] = key;
		(*n)++;
	}
	return 0;
}

struct rdeps_arg {
	struct table *t;
	int rc;
};

static int
rdeps_fn(void *arg, const struct table_node *node, const struct rr_view *rr)
{
	struct rdeps_arg *a = arg;
	uint64_t key;

	if (rr->type != LDNS_RR_TYPE_SRV || rr->rdlen <= SRV_FIXED)
		return 0;
	key = (uint64_t)name_hash(rr->rdata + SRV_FIXED,
				  rr->rdlen - SRV_FIXED) << 32 | node->hash;
	return rdeps_put(&a->t->rdeps, &a->t->rdeps_mask, &a->t->nrdeps,
			 key);
}

/* Add the targets of @node's SRV RRs. */
static int
rdeps_node(struct table *t, const struct table_node *node)
{
	struct rdeps_arg a = { t, 0 };
	const struct table_rrset *set = table_node_rrset(node,
							 LDNS_RR_TYPE_SRV);

	if (set == NULL)
		return 0;
	return rrset_each(node, set, rdeps_fn, &a);
}

int
table_rdeps_build(struct table *t)
{
	size_t i;
	int rc;

	bigarray_free(t->rdeps);
	t->rdeps = NULL;
	t->rdeps_mask = 0;
	t->nrdeps = 0;
	for (i = 0; i <= t->slots_mask; i++)
		if (t->slots[i] != NONE &&
		    (rc = rdeps_node(t, node_at(t, t->slots[i]))) < 0)
			return rc;
	return 0;
}

/* --- copies --- */

/* Copy node @src with the statistics @st to @dst; returns its size. */
static size_t
node_copy(uint8_t *dst, const struct table_node *src,
	  const struct node_stats *st)
{
	size_t body = node_body_size(src);
	struct table_node *n = (struct table_node *)dst;
	size_t i;

	memcpy(dst, src, body);
	for (i = 0; i < n->nrrsets; i++)
		n->rrsets[i].wire = dst + (n->rrsets[i].wire -
					   (const uint8_t *)src);
	memcpy(dst + body, st, sizeof(*st));
	return body + sizeof(*st);
}

/* The size of an empty non-terminal of @len bytes of name. */
static size_t
ent_size(size_t len)
{
	return align8(sizeof(struct table_node) + len) +
	       sizeof(struct node_stats);
}

/* The owner the descendants described by @st share, or NONE. */
static uint32_t
shared_owner(const struct node_stats *st)
{
	if (st->ndesc == 0 || (u128)st->ndesc * stats_s2(st) !=
	    (u128)st->s1 * st->s1)
		return TABLE_OWNER_NONE;
	return (uint32_t)(st->s1 / st->ndesc) - 1;
}

static size_t
ent_write(uint8_t *dst, const struct pent *e)
{
	struct table_node *n = (struct table_node *)dst;

	memset(n, 0, sizeof(*n));
	n->hash = e->hash;
	n->zone = e->zone;
	n->len = e->len;
	n->nrrsets = 0;
	n->owner = shared_owner(&e->st);
	n->scope = e->scope;
	memcpy(dst + sizeof(*n), e->name, e->len);
	memcpy(dst + align8(sizeof(*n) + e->len), &e->st, sizeof(e->st));
	return ent_size(e->len);
}

/*
 * The small arrays of @t into @c (zones, views, pairs, CHAOS, suffixes,
 * flags and counts); not the segments, slots or reverse index.
 */
static int
copy_arrays(struct table *c, const struct table *t)
{
	size_t i;

	memcpy(c->apex_lens, t->apex_lens, sizeof(c->apex_lens));
	c->nzones = t->nzones;
	c->nnodes = t->nnodes;
	c->nnames = t->nnames;
	c->nrecords = t->nrecords;
	c->filtered = t->filtered;
	c->default_all = t->default_all;
	c->scoped = t->scoped;
	c->default_scope = t->default_scope;
	c->nviews = t->nviews;
	c->views_mask = t->views_mask;
	c->pairs_mask = t->pairs_mask;
	if ((c->zones = calloc(t->nzones + 1, sizeof(*c->zones))) == NULL)
		return -ENOMEM;
	memcpy(c->zones, t->zones, t->nzones * sizeof(*c->zones));
	if (t->views != NULL) {
		c->views = malloc((t->views_mask + 1) * sizeof(*c->views));
		c->pairs = malloc((t->pairs_mask + 1) * sizeof(*c->pairs));
		if (c->views == NULL || c->pairs == NULL)
			return -ENOMEM;
		memcpy(c->views, t->views,
		       (t->views_mask + 1) * sizeof(*c->views));
		memcpy(c->pairs, t->pairs,
		       (t->pairs_mask + 1) * sizeof(*c->pairs));
	}
	memcpy(c->chaos, t->chaos, sizeof(c->chaos));
	if (t->chaos_len > 0) {
		if ((c->chaos_wire = malloc(t->chaos_len)) == NULL)
			return -ENOMEM;
		memcpy(c->chaos_wire, t->chaos_wire, t->chaos_len);
		c->chaos_len = t->chaos_len;
		for (i = 0; i < NCHAOS; i++)
			if (c->chaos[i].wire != NULL)
				c->chaos[i].wire = c->chaos_wire +
					(t->chaos[i].wire - t->chaos_wire);
	}
	if (t->nsuffixes > 0) {
		c->suffixes = malloc(t->nsuffixes * sizeof(*c->suffixes));
		if (c->suffixes == NULL)
			return -ENOMEM;
		memcpy(c->suffixes, t->suffixes,
		       t->nsuffixes * sizeof(*c->suffixes));
		c->nsuffixes = t->nsuffixes;
	}
	return 0;
}

static int
cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a;
	uint32_t y = *(const uint32_t *)b;

	return (x > y) - (x < y);
}

int
table_flatten(const struct table *t, struct table **out)
{
	struct table *c = NULL;
	struct table_seg *seg = NULL;
	uint32_t *refs = NULL;
	size_t nrefs = 0;
	size_t total = 0;
	size_t cap;
	size_t off = 0;
	size_t i;
	int rc = -ENOMEM;

	*out = NULL;
	if ((c = calloc(1, sizeof(*c))) == NULL ||
	    copy_arrays(c, t) < 0 ||
	    (refs = malloc((t->nnodes + 1) * sizeof(*refs))) == NULL)
		goto out;
	for (i = 0; i <= t->slots_mask && nrefs < t->nnodes + 1; i++)
		if (t->slots[i] != NONE)
			refs[nrefs++] = t->slots[i];
	/* In segment order: a flattened built table keeps its order. */
	qsort(refs, nrefs, sizeof(*refs), cmp_u32);
	for (i = 0; i < t->nzones; i++)
		total += align8(t->zones[i].neg.len);
	for (i = 0; i < nrefs; i++)
		total += node_full_size(node_at(t, refs[i]));
	if (total / 8 >= SEG_UNITS || (seg = table_seg_new(total)) == NULL)
		goto out;
	table_seg_add(c, seg);
	for (i = 0; i < t->nzones; i++) {
		memcpy(c->arena + off, t->zones[i].neg.wire,
		       t->zones[i].neg.len);
		c->zones[i].neg.wire = c->arena + off;
		off += align8(t->zones[i].neg.len);
	}
	seg->first = off;
	for (cap = 16; cap < 2 * nrefs; cap *= 2)
		;
	if ((c->slots = bigarray_alloc(cap * sizeof(*c->slots))) == NULL)
		goto out;
	memset(c->slots, 0xff, cap * sizeof(*c->slots));
	c->slots_mask = cap - 1;
	for (i = 0; i < nrefs; i++) {
		const struct table_node *n = node_at(t, refs[i]);
		size_t at = off;

		off += node_copy(c->arena + at, n, node_stats(n));
		slot_insert(c, c->slots, c->slots_mask, (uint32_t)(at / 8));
	}
	if ((rc = table_rdeps_build(c)) < 0)
		goto out;
	*out = c;
	c = NULL;
	rc = 0;
out:
	free(refs);
	table_free(c);
	return rc;
}

/* --- the patch's entries: names in scopes --- */

static struct pent *
ent_find(const struct table_patch *p, uint32_t h, const uint8_t *name,
	 size_t len, uint32_t scope)
{
	size_t j;

	if (p->idx == NULL)
		return NULL;
	j = h & p->idx_mask;
	while (p->idx[j] != NONE) {
		struct pent *e = &p->ents[p->idx[j]];

		if (e->hash == h && e->len == len && e->scope == scope &&
		    memcmp(e->name, name, len) == 0)
			return e;
		j = (j + 1) & p->idx_mask;
	}
	return NULL;
}

/*
 * The entry of @name in @scope (zone @zone), made when new with the
 * base's node and statistics.  NULL on ENOMEM.
 */
static struct pent *
ent_get(struct table_patch *p, const uint8_t *name, size_t len,
	uint32_t scope, int zone)
{
	uint32_t h = name_hash(name, len);
	struct pent *e = ent_find(p, h, name, len, scope);
	size_t j;

	if (e != NULL)
		return e;
	if (p->nents == p->ents_cap) {
		size_t cap = p->ents_cap ? 2 * p->ents_cap : 16;
		struct pent *v = realloc(p->ents, cap * sizeof(*v));

		if (v == NULL)
			return NULL;
		p->ents = v;
		p->ents_cap = cap;
	}
	if (2 * (p->nents + 1) > p->idx_mask + 1 || p->idx == NULL) {
		size_t cap = p->idx == NULL ? 64 : 2 * (p->idx_mask + 1);
		uint32_t *v = malloc(cap * sizeof(*v));
		size_t i;

		if (v == NULL)
			return NULL;
		memset(v, 0xff, cap * sizeof(*v));
		for (i = 0; i < p->nents; i++) {
			j = p->ents[i].hash & (cap - 1);
			while (v[j] != NONE)
				j = (j + 1) & (cap - 1);
			v[j] = (uint32_t)i;
		}
		free(p->idx);
		p->idx = v;
		p->idx_mask = cap - 1;
	}
	e = &p->ents[p->nents];
	memset(e, 0, sizeof(*e));
	e->hash = h;
	e->scope = scope;
	e->zone = (uint16_t)zone;
	e->len = (uint8_t)len;
	memcpy(e->name, name, len);
	e->old = node_find(p->base, h, name, len, scope);
	if (e->old != NULL)
		e->st = *node_stats(e->old);
	j = h & p->idx_mask;
	while (p->idx[j] != NONE)
		j = (j + 1) & p->idx_mask;
	p->idx[j] = (uint32_t)p->nents++;
	return e;
}

/* --- the patch --- */

struct zone_rr {
	uint32_t ttl;
	uint32_t serial, refresh, retry, expire, minimum;
	char *mname, *rname;
	char **ns;
	size_t nns;
	int rc;
};

static int
zone_fn(void *arg, const struct table_node *node, const struct rr_view *rr)
{
	struct zone_rr *z = arg;
	size_t n1 = 0;
	size_t n2 = 0;
	char **v = NULL;

	(void)node;
	if (rr->type == LDNS_RR_TYPE_NS) {
		if ((v = realloc(z->ns, (z->nns + 1) * sizeof(*v))) == NULL)
			return -ENOMEM;
		z->ns = v;
		if ((z->ns[z->nns] = name_text(rr->rdata, rr->rdlen)) == NULL)
			return -ENOMEM;
		z->nns++;
		return 0;
	}
	/* SOA: MNAME, RNAME, the five numbers. */
	z->ttl = rr->ttl;
	while (rr->rdata[n1] != 0)
		n1 += rr->rdata[n1] + 1;
	n1++;
	while (rr->rdata[n1 + n2] != 0)
		n2 += rr->rdata[n1 + n2] + 1;
	n2++;
	z->mname = name_text(rr->rdata, n1);
	z->rname = name_text(rr->rdata + n1, n2);
	if (z->mname == NULL || z->rname == NULL)
		return -ENOMEM;
	z->serial = ldns_read_uint32(rr->rdata + n1 + n2);
	z->refresh = ldns_read_uint32(rr->rdata + n1 + n2 + 4);
	z->retry = ldns_read_uint32(rr->rdata + n1 + n2 + 8);
	z->expire = ldns_read_uint32(rr->rdata + n1 + n2 + 12);
	z->minimum = ldns_read_uint32(rr->rdata + n1 + n2 + 16);
	return 0;
}

static void
zone_rr_clear(struct zone_rr *z)
{
	size_t i;

	free(z->mname);
	free(z->rname);
	for (i = 0; i < z->nns; i++)
		free(z->ns[i]);
	free(z->ns);
	memset(z, 0, sizeof(*z));
}

/* Add zone @i of the base to @b as it was built: from its apex's RRs. */
static int
zone_add(struct table_patch *p, size_t i)
{
	const struct table_zone *tz = &p->base->zones[i];
	const struct table_node *apex = node_find(p->base,
		name_hash(tz->apex, tz->apex_len), tz->apex, tz->apex_len,
		TABLE_SCOPE_NONE);
	struct table_zone_params zp;
	struct zone_rr z;
	char *apex_text = NULL;
	char err[256];
	size_t k;
	int rc = -EINVAL;

	memset(&z, 0, sizeof(z));
	if (apex == NULL)
		goto out;
	for (k = 0; k < apex->nrrsets; k++) {
		const struct table_rrset *set = &apex->rrsets[k];

		if ((set->type == LDNS_RR_TYPE_SOA ||
		     set->type == LDNS_RR_TYPE_NS) &&
		    (rc = rrset_each(apex, set, zone_fn, &z)) < 0)
			goto out;
	}
	rc = -ENOMEM;
	if ((apex_text = name_text(tz->apex, tz->apex_len)) == NULL)
		goto out;
	memset(&zp, 0, sizeof(zp));
	zp.apex = apex_text;
	zp.mname = z.mname;
	zp.rname = z.rname;
	zp.refresh = z.refresh;
	zp.retry = z.retry;
	zp.expire = z.expire;
	zp.minimum = z.minimum;
	zp.ttl = z.ttl;
	zp.ns = (const char *const *)z.ns;
	zp.nns = z.nns;
	if ((rc = table_builder_add_zone(p->nb, &zp, err, sizeof(err))) < 0)
		goto out;
	rc = rc == (int)i ? 0 : -EINVAL;
	table_builder_set_serial(p->nb, (int)i, tz->serial);
	p->serial[i] = tz->serial;
out:
	free(apex_text);
	zone_rr_clear(&z);
	return rc;
}

int
table_patch_new(struct table_patch **out, const struct table *base)
{
	struct table_patch *p = NULL;
	size_t i;
	int rc = -ENOMEM;

	*out = NULL;
	if ((p = calloc(1, sizeof(*p))) == NULL)
		goto out;
	p->base = base;
	p->scope = TABLE_SCOPE_NONE;
	if ((p->nb = table_builder_new()) == NULL ||
	    (p->serial = calloc(base->nzones + 1, sizeof(*p->serial))) == NULL)
		goto out;
	for (i = 0; i < base->nzones; i++)
		if ((rc = zone_add(p, i)) < 0)
			goto out;
	*out = p;
	p = NULL;
	rc = 0;
out:
	table_patch_free(p);
	return rc;
}

void
table_patch_free(struct table_patch *p)
{
	if (p == NULL)
		return;
	table_builder_free(p->nb);
	table_builder_free(p->views);
	free(p->ents);
	free(p->idx);
	free(p->tgts);
	free(p->serial);
	free(p);
}

int
table_patch_reset_name(struct table_patch *p, const char *name,
		       uint32_t scope)
{
	uint8_t wire[NAME_MAX_WIRE];
	const struct table_zone *z = NULL;
	struct pent *e = NULL;
	size_t apex_off = 0;
	size_t len = 0;

	if (name_parse(name, wire, &len) < 0)
		return -EINVAL;
	z = table_find_zone(p->base, wire, len, &apex_off);
	if (z == NULL)
		return -ENOENT;
	/* An apex is always shared (its SOA and NS are the zone's). */
	if (apex_off == 0 && scope != TABLE_SCOPE_NONE)
		return -EINVAL;
	if ((e = ent_get(p, wire, len, scope, z->index)) == NULL) {
		p->failed = 1;
		return -ENOMEM;
	}
	if (e->flags & E_RESET)
		return -EALREADY;
	e->flags |= E_RESET;
	return 0;
}

void
table_patch_set_scope(struct table_patch *p, uint32_t scope)
{
	p->scope = scope;
	table_builder_set_scope(p->nb, scope);
}

/* Was @name reset in the current scope?  0, -EINVAL or -ESRCH. */
static int
check_reset(const struct table_patch *p, const char *name)
{
	uint8_t wire[NAME_MAX_WIRE];
	const struct pent *e = NULL;
	size_t len = 0;

	if (name_parse(name, wire, &len) < 0)
		return -EINVAL;
	e = ent_find(p, name_hash(wire, len), wire, len, p->scope);
	return e != NULL && (e->flags & E_RESET) ? 0 : -ESRCH;
}

int
table_patch_add_addr_owned(struct table_patch *p, const char *name,
			   int family, const uint8_t *addr, uint32_t ttl,
			   uint32_t owner)
{
	int rc = check_reset(p, name);

	if (rc < 0)
		return rc;
	return table_builder_add_addr_owned(p->nb, name, family, addr, ttl,
					    owner);
}

int
table_patch_add_addr(struct table_patch *p, const char *name, int family,
		     const uint8_t *addr, uint32_t ttl)
{
	return table_patch_add_addr_owned(p, name, family, addr, ttl,
					  TABLE_OWNER_NONE);
}

/* Note an SRV target to resolve at finish.  0 or -ENOMEM. */
static int
target_add(struct table_patch *p, const uint8_t *name, size_t len,
	   uint32_t scope)
{
	struct ptarget *t = NULL;

	if (p->ntgts == p->tgts_cap) {
		size_t cap = p->tgts_cap ? 2 * p->tgts_cap : 16;
		struct ptarget *v = realloc(p->tgts, cap * sizeof(*v));

		if (v == NULL)
			return -ENOMEM;
		p->tgts = v;
		p->tgts_cap = cap;
	}
	t = &p->tgts[p->ntgts++];
	t->scope = scope;
	t->len = (uint8_t)len;
	memcpy(t->name, name, len);
	return 0;
}

int
table_patch_add_srv(struct table_patch *p, const char *name,
		    uint16_t priority, uint16_t weight, uint16_t port,
		    const char *target, uint32_t ttl)
{
	uint8_t wire[NAME_MAX_WIRE];
	size_t len = 0;
	int rc = check_reset(p, name);

	if (rc < 0)
		return rc;
	if ((rc = table_builder_add_srv(p->nb, name, priority, weight, port,
					target, ttl)) < 0)
		return rc;
	if (name_parse(target, wire, &len) < 0)
		return -EINVAL;
	if (target_add(p, wire, len, p->scope) < 0) {
		p->failed = 1;
		return -ENOMEM;
	}
	return 0;
}

int
table_patch_add_ptr(struct table_patch *p, const char *name,
		    const char *target, uint32_t ttl)
{
	int rc = check_reset(p, name);

	if (rc < 0)
		return rc;
	return table_builder_add_ptr(p->nb, name, target, ttl);
}

int
table_patch_set_owner(struct table_patch *p, const char *name,
		      uint32_t owner)
{
	int rc = check_reset(p, name);

	if (rc < 0)
		return rc;
	return table_builder_set_owner(p->nb, name, owner);
}

uint64_t
table_patch_zone_digest(struct table_patch *p, int zone)
{
	uint64_t sum;
	size_t i;

	if (zone < 0 || (size_t)zone >= p->base->nzones)
		return 0;
	sum = p->base->zones[zone].rsum;
	for (i = 0; i < p->nents; i++) {
		const struct pent *e = &p->ents[i];

		if (!(e->flags & E_RESET) || e->zone != zone)
			continue;
		sum -= node_rsum(e->old);
		sum += table_builder_name_rsum(p->nb, e->name, e->len,
					       e->scope);
	}
	return zone_digest(p->base->zones[zone].dhead, sum);
}

int
table_patch_set_views(struct table_patch *p, struct table_builder *views)
{
	table_builder_free(p->views);
	p->views = views;
	if (views == NULL) {
		p->failed = 1;
		return -ENOMEM;
	}
	return 0;
}

/* Give @t the views of the builder @vb (consumed).  0 or -ENOMEM. */
static int
views_replace(struct table *t, struct table_builder *vb)
{
	uint32_t scope = table_builder_default_scope(vb);
	struct table *v = NULL;
	int rc;

	if ((rc = table_builder_finish(vb, &v)) < 0)
		return rc;
	free(t->views);
	free(t->pairs);
	t->views = v->views;
	t->pairs = v->pairs;
	t->views_mask = v->views_mask;
	t->pairs_mask = v->pairs_mask;
	t->nviews = v->nviews;
	v->views = NULL;
	v->pairs = NULL;
	t->default_all = v->default_all;
	t->default_scope = t->scoped ? scope : TABLE_SCOPE_NONE;
	t->filtered = t->nviews > 0 || !t->default_all || t->scoped;
	table_free(v);
	return 0;
}

void
table_patch_set_serial(struct table_patch *p, int zone, uint32_t serial)
{
	if (zone >= 0 && (size_t)zone < p->base->nzones) {
		p->serial[zone] = serial;
		table_builder_set_serial(p->nb, zone, serial);
	}
}

uint64_t
table_zone_digest(const struct table *t, int zone)
{
	if (zone < 0 || (size_t)zone >= t->nzones)
		return 0;
	return zone_digest(t->zones[zone].dhead, t->zones[zone].rsum);
}

uint32_t
table_zone_serial(const struct table *t, int zone)
{
	if (zone < 0 || (size_t)zone >= t->nzones)
		return 0;
	return t->zones[zone].serial;
}

/* --- finish --- */

/*
 * A data name @e came (sign 1) or went (-1) with @owner: count it in its
 * ancestors below the apex.  0 or -ENOMEM.
 */
static int
ancestors_apply(struct table_patch *p, const struct pent *e, uint32_t owner,
		int sign)
{
	uint8_t name[NAME_MAX_WIRE];
	size_t alen = p->base->zones[e->zone].apex_len;
	size_t len = e->len;
	uint32_t scope = e->scope;
	int zone = e->zone;
	size_t off = 0;

	/* ent_get() may move p->ents: copy the name first. */
	memcpy(name, e->name, len);
	for (;;) {
		struct pent *a = NULL;

		off += name[off] + 1;
		if (len - off <= alen)
			return 0;
		if ((a = ent_get(p, name + off, len - off, scope, zone)) ==
		    NULL)
			return -ENOMEM;
		stats_apply(&a->st, owner, sign);
		a->flags |= E_ANC;
	}
}

/* Does the new table have @name in @scope (*data: with records)? */
static bool
new_exists(const struct table_patch *p, const uint8_t *name, size_t len,
	   uint32_t scope, bool *data)
{
	uint32_t h = name_hash(name, len);
	const struct pent *e = ent_find(p, h, name, len, scope);
	const struct table_node *n = NULL;
	uint32_t owner = 0;

	*data = false;
	if (e != NULL && (e->flags & E_RESET)) {
		*data = table_builder_name_records(p->nb, name, len, scope,
						   &owner) > 0;
		return *data || e->st.ndesc > 0;
	}
	if (e != NULL && (e->flags & E_ANC)) {
		*data = e->old != NULL && e->old->nrrsets > 0;
		return *data || e->st.ndesc > 0;
	}
	n = node_find(p->base, h, name, len, scope);
	*data = n != NULL && n->nrrsets > 0;
	return n != NULL;
}

struct decode_arg {
	struct table_patch *p;
	char *name;
	uint32_t owner;
	bool targets;		/* note the SRV targets */
};

static int
decode_fn(void *arg, const struct table_node *node, const struct rr_view *rr)
{
	struct decode_arg *a = arg;
	char *target = NULL;
	char text[256];
	int rc = 0;

	(void)node;
	switch (rr->type) {
	case LDNS_RR_TYPE_A:
	case LDNS_RR_TYPE_AAAA:
		rc = table_builder_add_addr_owned(a->p->nb, a->name,
			rr->type == LDNS_RR_TYPE_A ? AF_INET : AF_INET6,
			rr->rdata, rr->ttl, a->owner);
		break;
	case LDNS_RR_TYPE_SRV:
		if ((target = name_text(rr->rdata + SRV_FIXED,
					rr->rdlen - SRV_FIXED)) == NULL)
			return -ENOMEM;
		rc = table_builder_add_srv(a->p->nb, a->name,
					   ldns_read_uint16(rr->rdata),
					   ldns_read_uint16(rr->rdata + 2),
					   ldns_read_uint16(rr->rdata + 4),
					   target, rr->ttl);
		if (rc == 0 && a->targets)
			rc = target_add(a->p, rr->rdata + SRV_FIXED,
					rr->rdlen - SRV_FIXED, node->scope);
		break;
	case LDNS_RR_TYPE_PTR:
		if ((target = name_text(rr->rdata, rr->rdlen)) == NULL)
			return -ENOMEM;
		rc = table_builder_add_ptr(a->p->nb, a->name, target, rr->ttl);
		break;
	case LDNS_RR_TYPE_TXT:
		/* The builder writes one string: its length, its bytes. */
		if (rr->rdlen < 1 || rr->rdata[0] != rr->rdlen - 1)
			return -EINVAL;
		memcpy(text, rr->rdata + 1, rr->rdata[0]);
		text[rr->rdata[0]] = '\0';
		rc = table_builder_add_txt(a->p->nb, a->name, text, rr->ttl);
		break;
	default:
		break;
	}
	free(target);
	return rc;
}

/* Put the base's records of @node (in its scope) into nb. */
static int
decode_node(struct table_patch *p, const struct table_node *node,
	    bool targets)
{
	struct decode_arg a;
	int rc;

	memset(&a, 0, sizeof(a));
	a.p = p;
	a.targets = targets;
	a.owner = TABLE_OWNER_NONE;
	if ((a.name = name_text(node_name(node), node->len)) == NULL)
		return -ENOMEM;
	table_builder_set_scope(p->nb, node->scope);
	rc = node_each(node, decode_fn, &a);
	if (rc == 0 && node->owner != TABLE_OWNER_NONE && node->nrrsets > 0)
		rc = table_builder_set_owner(p->nb, a.name, node->owner);
	free(a.name);
	return rc;
}

struct srv_match {
	const uint8_t *name;
	size_t len;
};

static int
srv_match_fn(void *arg, const struct table_node *node,
	     const struct rr_view *rr)
{
	const struct srv_match *m = arg;

	(void)node;
	return rr->rdlen == SRV_FIXED + m->len &&
	       memcmp(rr->rdata + SRV_FIXED, m->name, m->len) == 0;
}

/* Mark the base's SRV names with the target of entry @i (E_SRV). */
static int
srv_dependents(struct table_patch *p, size_t i)
{
	const struct table *b = p->base;
	struct srv_match m;
	uint32_t th = p->ents[i].hash;
	size_t j;

	m.name = p->ents[i].name;
	m.len = p->ents[i].len;
	if (b->rdeps == NULL)
		return 0;
	for (j = th & b->rdeps_mask; b->rdeps[j] != UINT64_MAX;
	     j = (j + 1) & b->rdeps_mask) {
		uint32_t sh = (uint32_t)b->rdeps[j];
		size_t k;

		if ((uint32_t)(b->rdeps[j] >> 32) != th)
			continue;
		for (k = sh & b->slots_mask; b->slots[k] != NONE;
		     k = (k + 1) & b->slots_mask) {
			const struct table_node *n = node_at(b, b->slots[k]);
			const struct table_rrset *set = NULL;
			struct pent *e = NULL;

			if (n->hash != sh)
				continue;
			set = table_node_rrset(n, LDNS_RR_TYPE_SRV);
			if (set == NULL || rrset_each(n, set, srv_match_fn,
						      &m) != 1)
				continue;
			e = ent_get(p, node_name(n), n->len, n->scope, n->zone);
			if (e == NULL)
				return -ENOMEM;
			if (!(e->flags & E_RESET))
				e->flags |= E_SRV;
		}
	}
	return 0;
}

/*
 * Make sure nb resolves the SRV target @t as the new table will: the
 * target's node in its scope if the new table has one, else the shared
 * one, each with its records.
 */
static int
target_resolve(struct table_patch *p, const struct ptarget *t)
{
	uint32_t scope = t->scope;
	int pass;

	for (pass = 0; pass < 2; pass++) {
		bool data = false;
		const struct table_node *n = NULL;
		struct pent *e = NULL;
		size_t apex_off = 0;
		const struct table_zone *z = NULL;

		if (pass == 1) {
			if (scope == TABLE_SCOPE_NONE)
				return 0;
			scope = TABLE_SCOPE_NONE;
		}
		if (!new_exists(p, t->name, t->len, scope, &data))
			continue;
		z = table_find_zone(p->base, t->name, t->len, &apex_off);
		if (z == NULL)
			return 0;
		e = ent_find(p, name_hash(t->name, t->len), t->name, t->len,
			     scope);
		if (data) {
			if (e != NULL && (e->flags & (E_RESET | E_SRV |
						      E_APEX | E_AUX)))
				return 0;	/* in nb already */
			n = node_find(p->base, name_hash(t->name, t->len),
				      t->name, t->len, scope);
			if ((e = ent_get(p, t->name, t->len, scope,
					 z->index)) == NULL)
				return -ENOMEM;
			e->flags |= E_AUX;
			return n != NULL ? decode_node(p, n, false) : 0;
		}
		/*
		 * An empty non-terminal of a scope hides the shared name:
		 * give nb one, with a child of a name no one uses.
		 */
		if (scope != TABLE_SCOPE_NONE && t->len + 2 <= NAME_MAX_WIRE &&
		    (e == NULL || !(e->flags & E_AUX))) {
			static const uint8_t a[4] = { 192, 0, 2, 1 };
			uint8_t child[NAME_MAX_WIRE];
			char *text = NULL;
			int rc;

			child[0] = 1;
			child[1] = 0;
			memcpy(child + 2, t->name, t->len);
			if ((text = name_text(child, t->len + 2)) == NULL)
				return -ENOMEM;
			table_builder_set_scope(p->nb, scope);
			rc = table_builder_add_addr(p->nb, text, AF_INET, a, 0);
			free(text);
			if ((e = ent_get(p, t->name, t->len, scope,
					 z->index)) == NULL)
				return -ENOMEM;
			e->flags |= E_AUX;
			return rc == -ENOMEM ? rc : 0;
		}
		return 0;
	}
	return 0;
}

/* The node of entry @e in the compiled table @m. */
static const struct table_node *
compiled(const struct table *m, const struct pent *e)
{
	return node_find(m, e->hash, e->name, e->len, e->scope);
}

/* One RR of the changes, in wire form with names uncompressed. */
struct crr {
	uint8_t *wire;
	size_t len;
};

struct collect {
	struct crr *v;
	size_t n, cap;
};

static int
collect_fn(void *arg, const struct table_node *node, const struct rr_view *rr)
{
	struct collect *c = arg;
	uint8_t *w = NULL;
	size_t len = node->len + RR_FIXED - 2 + rr->rdlen;

	if (c->n == c->cap) {
		size_t cap = c->cap ? 2 * c->cap : 8;
		struct crr *v = realloc(c->v, cap * sizeof(*v));

		if (v == NULL)
			return -ENOMEM;
		c->v = v;
		c->cap = cap;
	}
	if ((w = malloc(len)) == NULL)
		return -ENOMEM;
	memcpy(w, node_name(node), node->len);
	ldns_write_uint16(w + node->len, rr->type);
	ldns_write_uint16(w + node->len + 2, LDNS_RR_CLASS_IN);
	ldns_write_uint32(w + node->len + 4, rr->ttl);
	ldns_write_uint16(w + node->len + 8, (uint16_t)rr->rdlen);
	memcpy(w + node->len + 10, rr->rdata, rr->rdlen);
	c->v[c->n].wire = w;
	c->v[c->n].len = len;
	c->n++;
	return 0;
}

static void
collect_clear(struct collect *c)
{
	size_t i;

	for (i = 0; i < c->n; i++)
		free(c->v[i].wire);
	free(c->v);
	memset(c, 0, sizeof(*c));
}

/* The RRs of @a not in @b into @list.  0 or -ENOMEM. */
static int
rr_minus(const struct collect *a, const struct collect *b, ldns_rr_list *list)
{
	size_t i;
	size_t j;

	for (i = 0; i < a->n; i++) {
		ldns_rr *rr = NULL;
		size_t pos = 0;
		bool found = false;

		for (j = 0; j < b->n && !found; j++)
			found = a->v[i].len == b->v[j].len &&
				memcmp(a->v[i].wire, b->v[j].wire,
				       a->v[i].len) == 0;
		if (found)
			continue;
		if (ldns_wire2rr(&rr, a->v[i].wire, a->v[i].len, &pos,
				 LDNS_SECTION_ANSWER) != LDNS_STATUS_OK)
			return -ENOMEM;
		if (!ldns_rr_list_push_rr(list, rr)) {
			ldns_rr_free(rr);
			return -ENOMEM;
		}
	}
	return 0;
}

/* The zone change of zone @zone in @c, made when missing; NULL: ENOMEM. */
static struct zchange *
zchange_get(struct table_changes *c, int zone, size_t nzones)
{
	size_t i;

	for (i = 0; i < c->n; i++)
		if (c->z[i].zone == zone)
			return &c->z[i];
	if (c->z == NULL && (c->z = calloc(nzones + 1, sizeof(*c->z))) == NULL)
		return NULL;
	c->z[c->n].zone = zone;
	c->z[c->n].removed = ldns_rr_list_new();
	c->z[c->n].added = ldns_rr_list_new();
	if (c->z[c->n].removed == NULL || c->z[c->n].added == NULL) {
		ldns_rr_list_free(c->z[c->n].removed);
		ldns_rr_list_free(c->z[c->n].added);
		return NULL;
	}
	return &c->z[c->n++];
}

static int
cmp_zchange(const void *a, const void *b)
{
	const struct zchange *x = a;
	const struct zchange *y = b;

	return (x->zone > y->zone) - (x->zone < y->zone);
}

/* What changed between @old and @new for entry @e, into @c. */
static int
changes_add(struct table_changes *c, size_t nzones, const struct pent *e,
	    const struct table_node *old, const struct table_node *new)
{
	struct collect a;
	struct collect b;
	struct zchange *z = NULL;
	size_t n0;
	int rc = -ENOMEM;

	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	if (node_each(old, collect_fn, &a) < 0 ||
	    node_each(new, collect_fn, &b) < 0)
		goto out;
	if (a.n == 0 && b.n == 0) {
		rc = 0;
		goto out;
	}
	if ((z = zchange_get(c, e->zone, nzones)) == NULL)
		goto out;
	n0 = ldns_rr_list_rr_count(z->removed) +
	     ldns_rr_list_rr_count(z->added);
	(void)n0;
	if (rr_minus(&a, &b, z->removed) < 0 || rr_minus(&b, &a, z->added) < 0)
		goto out;
	rc = 0;
out:
	collect_clear(&a);
	collect_clear(&b);
	return rc;
}

/*
 * Merge the segments of @t after the first into one: their live nodes and
 * zone negative SOAs are copied, the rest is dropped.  Cost: a pass over
 * the slots and a copy of the nodes outside the first segment.
 */
static int
compact(struct table *t)
{
	struct table_seg *seg = NULL;
	uint32_t *moved = NULL;
	size_t nmoved = 0;
	size_t nlive = 0;
	size_t total = 0;
	size_t overlay = 0;
	size_t off = 0;
	size_t tmp = t->nsegs;	/* the new segment's number meanwhile */
	size_t pass;
	size_t i;

	for (i = 0; i < t->nzones; i++)
		total += align8(t->zones[i].neg.len);
	/*
	 * Walk the nodes of the later segments, live or dead: a node is
	 * live when its name's slot refers to it.  Pass 0 sizes, pass 1
	 * copies into the new segment, numbered tmp until the old ones go.
	 */
	for (pass = 0; pass < 2; pass++) {
		if (pass == 1) {
			if (total / 8 >= SEG_UNITS ||
			    (seg = table_seg_new(total)) == NULL ||
			    (moved = malloc((nlive + 1) *
					    sizeof(*moved))) == NULL) {
				free(seg);
				return -ENOMEM;
			}
			t->seg[tmp] = (uint8_t *)seg->mem;
			for (i = 0; i < t->nzones; i++) {
				struct table_zone *z = &t->zones[i];

				memcpy((uint8_t *)seg->mem + off, z->neg.wire,
				       z->neg.len);
				z->neg.wire = (uint8_t *)seg->mem + off;
				off += align8(z->neg.len);
			}
			seg->first = off;
		}
		for (i = 1; i < t->nsegs; i++) {
			size_t at = t->segs[i]->first;

			while (at < t->segs[i]->len) {
				const struct table_node *n =
					(const void *)(t->seg[i] + at);
				uint32_t ref = (uint32_t)(i << SEG_SHIFT |
							  at / 8);
				size_t size = node_full_size(n);
				ssize_t j = slot_find(t, t->slots,
						      t->slots_mask, n->hash,
						      node_name(n), n->len,
						      n->scope);

				at += size;
				if (j < 0 || t->slots[j] != ref)
					continue;
				if (pass == 0) {
					total += size;
					nlive++;
					continue;
				}
				t->slots[j] = (uint32_t)(tmp << SEG_SHIFT |
							 off / 8);
				moved[nmoved++] = (uint32_t)j;
				off += node_copy((uint8_t *)seg->mem + off, n,
						 node_stats(n));
			}
		}
	}
	for (i = 1; i < t->nsegs; i++) {
		overlay += t->segs[i]->len;
		if (__atomic_sub_fetch(&t->segs[i]->refs, 1,
				       __ATOMIC_ACQ_REL) == 0)
			free(t->segs[i]);
	}
	t->seg[tmp] = NULL;
	t->nsegs = 1;
	table_seg_add(t, seg);
	for (i = 0; i < nmoved; i++)
		t->slots[moved[i]] = (uint32_t)(1u << SEG_SHIFT) |
				     (t->slots[moved[i]] & (SEG_UNITS - 1));
	free(moved);
	/* What was dead in the merged segments is gone. */
	t->dead = t->dead > overlay - total ? t->dead - (overlay - total) : 0;
	return 0;
}

/* What becomes of an entry's node in the new table. */
enum { O_SAME = 0, O_COPY, O_ENT, O_REMOVE };

/* The outcome of entry @e; the node to copy in *src for O_COPY. */
static int
outcome(const struct pent *e, const struct table *m,
	const struct table_node **src)
{
	const struct table_node *n = NULL;

	*src = NULL;
	if (e->flags & E_RESET) {
		n = compiled(m, e);
		if (n != NULL && n->nrrsets > 0) {
			*src = n;
			return O_COPY;
		}
	} else if (e->flags & (E_SRV | E_APEX)) {
		*src = compiled(m, e);
		return *src != NULL ? O_COPY : O_SAME;
	} else if (e->flags & E_ANC) {
		if (e->old != NULL && e->old->nrrsets > 0) {
			*src = e->old;
			return O_COPY;
		}
	} else {
		return O_SAME;
	}
	if (e->st.ndesc > 0)
		return O_ENT;
	return e->old != NULL ? O_REMOVE : O_SAME;
}

/* Steps 1 to 5 of finish: everything nb must compile.  0 or -ENOMEM. */
static int
prepare(struct table_patch *p)
{
	const struct table *b = p->base;
	size_t n0 = p->nents;
	size_t i;
	int rc;

	/* Names that appear, go or change owner: their ancestors. */
	for (i = 0; i < n0; i++) {
		struct pent e = p->ents[i];
		uint32_t old_owner = e.old != NULL ? e.old->owner : NONE;
		uint32_t new_owner = TABLE_OWNER_NONE;
		bool old_data = e.old != NULL && e.old->nrrsets > 0;
		bool new_data;

		if (!(e.flags & E_RESET))
			continue;
		new_data = table_builder_name_records(p->nb, e.name, e.len,
						      e.scope, &new_owner) > 0;
		if (old_data == new_data &&
		    (!old_data || old_owner == new_owner))
			continue;
		if (old_data && (rc = ancestors_apply(p, &e, old_owner,
						      -1)) < 0)
			return rc;
		if (new_data && (rc = ancestors_apply(p, &e, new_owner,
						      1)) < 0)
			return rc;
	}
	/*
	 * The SRV names whose targets changed, or appeared or went as empty
	 * non-terminals (one of a scope hides the shared name's addresses).
	 */
	n0 = p->nents;
	for (i = 0; i < n0; i++)
		if ((p->ents[i].flags & (E_RESET | E_ANC)) &&
		    (rc = srv_dependents(p, i)) < 0)
			return rc;
	/* The apexes whose SOA changed. */
	for (i = 0; i < b->nzones; i++) {
		const struct table_zone *z = &b->zones[i];
		struct pent *e = NULL;

		if (p->serial[i] == z->serial)
			continue;
		if ((e = ent_get(p, z->apex, z->apex_len, TABLE_SCOPE_NONE,
				 (int)i)) == NULL)
			return -ENOMEM;
		e->flags |= E_APEX;
	}
	for (i = 0; i < p->nents; i++) {
		const struct pent *e = &p->ents[i];

		if ((e->flags & (E_SRV | E_APEX)) && !(e->flags & E_RESET) &&
		    e->old != NULL &&
		    (rc = decode_node(p, e->old, true)) < 0)
			return rc;
	}
	for (i = 0; i < p->ntgts; i++) {
		struct ptarget t = p->tgts[i];

		if ((rc = target_resolve(p, &t)) < 0)
			return rc;
	}
	return 0;
}

int
table_patch_finish(struct table_patch *p, struct table **out,
		   struct table_changes **changes)
{
	const struct table *b = p->base;
	struct table *m = NULL;
	struct table *t = NULL;
	struct table *flat = NULL;
	struct table_changes *ch = NULL;
	struct table_seg *seg = NULL;
	const struct table_node **src = NULL;
	uint8_t *kind = NULL;
	uint32_t *ref = NULL;
	size_t total = 0;
	size_t inserts = 0;
	size_t segbytes = 0;
	size_t off = 0;
	size_t cap;
	size_t i;
	int rc = -ENOMEM;

	*out = NULL;
	if (changes != NULL)
		*changes = NULL;
	if (p->failed)
		goto out;
	if ((rc = prepare(p)) < 0)
		goto out;
	rc = table_builder_finish(p->nb, &m);
	p->nb = NULL;
	if (rc < 0)
		goto out;
	rc = -ENOMEM;
	src = calloc(p->nents + 1, sizeof(*src));
	kind = calloc(p->nents + 1, sizeof(*kind));
	ref = calloc(p->nents + 1, sizeof(*ref));
	if (src == NULL || kind == NULL || ref == NULL)
		goto out;
	for (i = 0; i < b->nzones; i++)
		total += align8(m->zones[i].neg.len);
	for (i = 0; i < p->nents; i++) {
		const struct pent *e = &p->ents[i];

		kind[i] = (uint8_t)outcome(e, m, &src[i]);
		if (kind[i] == O_COPY)
			total += node_body_size(src[i]) +
				 sizeof(struct node_stats);
		else if (kind[i] == O_ENT)
			total += ent_size(e->len);
		if ((kind[i] == O_COPY || kind[i] == O_ENT) && e->old == NULL)
			inserts++;
	}
	if (total / 8 >= SEG_UNITS)
		goto out;

	/* The new table: the base's arrays and segments, and one more. */
	if ((t = calloc(1, sizeof(*t))) == NULL || copy_arrays(t, b) < 0)
		goto out;
	for (i = 0; i < b->nsegs; i++) {
		__atomic_add_fetch(&b->segs[i]->refs, 1, __ATOMIC_RELAXED);
		table_seg_add(t, b->segs[i]);
	}
	t->dead = b->dead;
	if ((seg = table_seg_new(total)) == NULL)
		goto out;
	if (table_seg_add(t, seg) < 0) {
		free(seg);
		goto out;
	}
	for (i = 0; i < b->nzones; i++) {
		struct table_zone *z = &t->zones[i];

		memcpy(t->seg[t->nsegs - 1] + off, m->zones[i].neg.wire,
		       m->zones[i].neg.len);
		z->neg = m->zones[i].neg;
		z->neg.wire = t->seg[t->nsegs - 1] + off;
		z->serial = p->serial[i];
		off += align8(m->zones[i].neg.len);
	}
	seg->first = off;
	for (i = 0; i < p->nents; i++) {
		uint8_t *dst = t->seg[t->nsegs - 1] + off;

		if (kind[i] != O_COPY && kind[i] != O_ENT)
			continue;
		ref[i] = (uint32_t)((t->nsegs - 1) << SEG_SHIFT | off / 8);
		if (kind[i] == O_COPY)
			off += node_copy(dst, src[i], &p->ents[i].st);
		else
			off += ent_write(dst, &p->ents[i]);
	}

	/* The index: the base's, with room for the new names. */
	for (cap = b->slots_mask + 1; cap < 2 * (b->nnodes + inserts);
	     cap *= 2)
		;
	if ((t->slots = bigarray_alloc(cap * sizeof(*t->slots))) == NULL)
		goto out;
	t->slots_mask = cap - 1;
	if (cap == b->slots_mask + 1) {
		memcpy(t->slots, b->slots, cap * sizeof(*t->slots));
	} else {
		memset(t->slots, 0xff, cap * sizeof(*t->slots));
		for (i = 0; i <= b->slots_mask; i++)
			if (b->slots[i] != NONE)
				slot_insert(t, t->slots, t->slots_mask,
					    b->slots[i]);
	}
	for (i = 0; i < p->nents; i++) {
		const struct pent *e = &p->ents[i];
		const struct table_node *nn = NULL;
		ssize_t j;

		if (kind[i] == O_SAME)
			continue;
		j = slot_find(t, t->slots, t->slots_mask, e->hash, e->name,
			      e->len, e->scope);
		if (j >= 0) {
			const struct table_node *on = node_at(t, t->slots[j]);

			t->dead += node_full_size(on);
			t->nnodes--;
			t->nnames -= on->nrrsets > 0;
			t->nrecords -= node_nrecords(on);
			if (e->flags & E_RESET)
				t->zones[e->zone].rsum -= node_rsum(on);
			if (kind[i] == O_REMOVE)
				slot_delete(t, t->slots, t->slots_mask,
					    (size_t)j);
			else
				t->slots[j] = ref[i];
		} else if (kind[i] != O_REMOVE) {
			slot_insert(t, t->slots, t->slots_mask, ref[i]);
		}
		if (kind[i] == O_REMOVE)
			continue;
		nn = node_at(t, ref[i]);
		t->nnodes++;
		t->nnames += nn->nrrsets > 0;
		t->nrecords += node_nrecords(nn);
		if (e->flags & E_RESET) {
			t->zones[e->zone].rsum += node_rsum(nn);
			if (e->scope != TABLE_SCOPE_NONE && nn->nrrsets > 0) {
				t->scoped = 1;
				t->filtered = 1;
			}
		}
	}

	if (p->views != NULL) {
		rc = views_replace(t, p->views);
		p->views = NULL;
		if (rc < 0)
			goto out;
		rc = -ENOMEM;
	}

	/* The reverse index: the base's, and the new SRV names' targets. */
	if (b->rdeps != NULL) {
		t->rdeps = bigarray_alloc((b->rdeps_mask + 1) *
					  sizeof(*t->rdeps));
		if (t->rdeps == NULL)
			goto out;
		memcpy(t->rdeps, b->rdeps,
		       (b->rdeps_mask + 1) * sizeof(*t->rdeps));
		t->rdeps_mask = b->rdeps_mask;
		t->nrdeps = b->nrdeps;
	}
	for (i = 0; i < p->nents; i++)
		if (kind[i] == O_COPY && (p->ents[i].flags & E_RESET) &&
		    rdeps_node(t, node_at(t, ref[i])) < 0)
			goto out;

	if (changes != NULL) {
		if ((ch = calloc(1, sizeof(*ch))) == NULL)
			goto out;
		for (i = 0; i < p->nents; i++) {
			const struct pent *e = &p->ents[i];

			if (!(e->flags & E_RESET))
				continue;
			if (changes_add(ch, b->nzones, e, e->old,
					kind[i] == O_COPY ?
					node_at(t, ref[i]) : NULL) < 0)
				goto out;
		}
		for (i = 0; i < b->nzones; i++)
			if (p->serial[i] != b->zones[i].serial &&
			    zchange_get(ch, (int)i, b->nzones) == NULL)
				goto out;
		for (i = 0; i < ch->n; i++) {
			ch->z[i].old_serial = b->zones[ch->z[i].zone].serial;
			ch->z[i].new_serial = p->serial[ch->z[i].zone];
		}
		if (ch->n > 1)
			qsort(ch->z, ch->n, sizeof(*ch->z), cmp_zchange);
	}

	/*
	 * Too much garbage: one segment again (a copy of every node).  Too
	 * deep: the segments after the first merged into one (a copy of the
	 * nodes changed since the first).
	 */
	for (i = 0; i < t->nsegs; i++)
		segbytes += t->segs[i]->len;
	if (2 * t->dead > segbytes) {
		if (table_flatten(t, &flat) < 0)
			goto out;
		table_free(t);
		t = flat;
	} else if (t->nsegs > TABLE_PATCH_MAX_DEPTH && compact(t) < 0) {
		goto out;
	}
	*out = t;
	t = NULL;
	if (changes != NULL) {
		*changes = ch;
		ch = NULL;
	}
	rc = 0;
out:
	free(src);
	free(kind);
	free(ref);
	table_free(m);
	table_free(t);
	table_changes_free(ch);
	table_patch_free(p);
	return rc;
}

/* --- changes --- */

size_t
table_changes_count(const struct table_changes *c)
{
	return c != NULL ? c->n : 0;
}

int
table_changes_zone(const struct table_changes *c, size_t i, int *zone,
		   uint32_t *old_serial, uint32_t *new_serial,
		   const struct ldns_struct_rr_list **removed,
		   const struct ldns_struct_rr_list **added)
{
	if (c == NULL || i >= c->n)
		return -EINVAL;
	*zone = c->z[i].zone;
	*old_serial = c->z[i].old_serial;
	*new_serial = c->z[i].new_serial;
	*removed = c->z[i].removed;
	*added = c->z[i].added;
	return 0;
}

bool
table_changes_match(const struct table_changes *c, const struct table *old,
		    const struct table *new)
{
	const struct zchange *z = NULL;
	size_t i;
	size_t k;

	if (old->nzones != new->nzones)
		return false;
	for (i = 0; i < new->nzones; i++) {
		const struct table_zone *oz = &old->zones[i];
		const struct table_zone *nz = &new->zones[i];

		if (oz->apex_len != nz->apex_len ||
		    memcmp(oz->apex, nz->apex, nz->apex_len) != 0)
			return false;
		for (k = 0, z = NULL; k < c->n && z == NULL; k++)
			if (c->z[k].zone == (int)i)
				z = &c->z[k];
		if (z == NULL ? oz->serial != nz->serial :
		    z->old_serial != oz->serial || z->new_serial != nz->serial)
			return false;
	}
	return true;
}

void
table_changes_free(struct table_changes *c)
{
	size_t i;

	if (c == NULL)
		return;
	for (i = 0; i < c->n; i++) {
		ldns_rr_list_deep_free(c->z[i].removed);
		ldns_rr_list_deep_free(c->z[i].added);
	}
	free(c->z);
	free(c);
}
