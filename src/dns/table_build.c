/* SPDX-License-Identifier: MIT */
/* table_build.c -- the table builder and compiler (precompiled wire). */
/*
 * Build side.  The builder interns every owner name (canonical wire form)
 * in one open-addressing hash set and chains its records (A, AAAA, SRV,
 * PTR) in a flat array, so adding a name costs one ldns parse plus O(1)
 * hashing; nothing is allocated per record.  SRV and PTR targets are kept
 * in the name arena (an interned name's bytes are reused).  Each name
 * remembers its zone (longest apex) and its owner (views).
 *
 * Finish.  Every ancestor of a name up to its apex is interned too (empty
 * non-terminals, which take the owner their descendants share), then the
 * sizes of all nodes are summed and the whole table is written into one
 * arena: per node a small header, its RRset descriptors, its name and the
 * RRsets' wire bytes, adjacent so that a lookup touches one or two cache
 * lines.  The hash index is an array of 32-bit arena offsets (in 8-byte
 * units).  For a name with one A record that is about 80 bytes in all.
 * An SRV RRset is followed by its additional section: the A/AAAA RRsets
 * of its targets, looked up once here rather than on every query.
 *
 * The wire bytes: every RR's owner is the pointer 0xC00C (the question
 * name); the negative SOA's owner is 0xC000, which answer.c patches to the
 * apex's offset in the question; an additional RR's owner is 0xC000 plus
 * the offset of its name (an SRV target) inside the answer RRs, to which
 * answer.c adds where those start.  A/AAAA rdata is the address itself;
 * NS, SOA and PTR rdata names are compressed against the RDATA names
 * before them (struct compr; the negative SOA's pointers are relocated
 * by answer.c with its owner); SRV targets are written uncompressed
 * (RFC 2782, RFC 3597 section 4).
 */
#include "autoconfig.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <ldns/ldns.h>

#include "dns/table_build.h"
#include "dns/table_int.h"
#include "dns/wire.h"
#include "util/bigarray.h"

#define SRV_FIXED	6	/* priority, weight, port */
/*
 * The largest RRset we accept: it must fit a 65535-byte TCP message with
 * the header, the longest question and an OPT record.
 */
#define RRSET_MAX	(LDNS_MAX_PACKETLEN - WIRE_QUESTION_MAX - WIRE_OPT_LEN)
/*
 * The farthest an SRV target may be inside the answer RRs for an
 * additional RR to point at it: a compression pointer has 14 bits.
 */
#define ADD_REL_MAX	(0x3fff - WIRE_QUESTION_MAX)

/* Record kinds; A and AAAA are 0 and 1 as the digest has always hashed. */
enum {
	KIND_A = 0,
	KIND_AAAA,
	KIND_SRV,
	KIND_PTR,
	KIND_TXT,
	NKINDS,
};

static const uint16_t kind_type[NKINDS] = {
	LDNS_RR_TYPE_A, LDNS_RR_TYPE_AAAA, LDNS_RR_TYPE_SRV, LDNS_RR_TYPE_PTR,
	LDNS_RR_TYPE_TXT,
};

/* --- builder --- */

struct bzone {
	uint8_t apex[NAME_MAX_WIRE];
	uint8_t apex_len;
	uint8_t mname[NAME_MAX_WIRE];
	uint8_t mname_len;
	uint8_t rname[NAME_MAX_WIRE];
	uint8_t rname_len;
	uint32_t serial, refresh, retry, expire, minimum, ttl;
	uint8_t *ns;		/* NS names, wire, sorted, no duplicates */
	size_t ns_len;		/* bytes */
	size_t nns;
};

#define BNAME_ENT_OWNER	0x01	/* an ENT whose owner was merged once */

struct bname {
	uint32_t off;		/* into the name arena */
	uint32_t hash;
	uint32_t head;		/* first record, or NONE */
	uint32_t owner;		/* TABLE_OWNER_NONE: visible to all */
	uint32_t scope;		/* TABLE_SCOPE_NONE: shared */
	uint16_t zone;
	uint8_t len;
	uint8_t flags;
	uint16_t count[NKINDS];	/* records per kind */
	uint16_t bytes[NKINDS];	/* their wire size (<= RRSET_MAX) */
	uint16_t add_len;	/* SRV additional section, set by finish */
	uint16_t add_count;
};

struct brec {
	uint32_t next;		/* next record of the same name, or NONE */
	uint32_t ttl;
	uint8_t kind;		/* KIND_A ... */
	uint8_t tlen;		/* SRV, PTR: the target's length; TXT:
				 * the RDATA's */
	uint16_t prio;		/* SRV */
	union {
		uint8_t addr[16];	/* A, AAAA; zero-padded */
		struct {
			uint32_t off;	/* the target, in the name arena */
			uint16_t weight;
			uint16_t port;
		} t;		/* SRV, PTR; TXT: off only */
	} u;
};

struct bview {
	struct addr_key key;
	uint32_t hash;
	uint8_t all;		/* sees every name */
	uint32_t scope;
};

struct table_builder {
	struct bzone *zones;
	size_t nzones;
	uint8_t *text;		/* name arena */
	size_t text_len, text_cap;
	struct bname *names;
	size_t nnames, names_cap;
	uint32_t *slots;	/* name hash set: indices into names */
	size_t slots_cap;	/* power of two */
	struct brec *recs;
	size_t nrecs, recs_cap;
	char *chaos[NCHAOS];	/* NULL: hidden */
	struct suffix *suffixes;
	size_t nsuffixes;
	struct bview *views;
	size_t nviews, views_cap;
	uint32_t *vslots;	/* view hash set: indices into views */
	size_t vslots_cap;
	uint64_t *pairs;	/* view << 32 | owner, unsorted, repeats */
	size_t npairs, pairs_cap;
	int default_hidden;	/* clients without a view see unowned only */
	uint32_t scope;		/* of the names added now */
	uint32_t default_scope;
	int scoped;		/* a name was added in a scope */
};

/* The RR's fixed part after the owner pointer @ptr. */
static uint8_t *
put_rr_head(uint8_t *p, uint16_t ptr, uint16_t type, uint32_t ttl,
	    uint16_t rdlen)
{
	ldns_write_uint16(p, ptr);
	ldns_write_uint16(p + 2, type);
	ldns_write_uint16(p + 4, LDNS_RR_CLASS_IN);
	ldns_write_uint32(p + 6, ttl);
	ldns_write_uint16(p + 10, rdlen);
	return p + RR_FIXED;
}

/*
 * Parse a text name with ldns into canonical wire form.  0, or -EINVAL
 * with ldns's reason in @why (may be NULL).
 */
static int
parse_name(const char *text, uint8_t *wire, size_t *len, const char **why)
{
	ldns_rdf *rdf = NULL;
	ldns_status st;

	if (text == NULL) {
		if (why != NULL)
			*why = "missing";
		return -EINVAL;
	}
	st = ldns_str2rdf_dname(&rdf, text);
	if (st != LDNS_STATUS_OK) {
		if (why != NULL)
			*why = ldns_get_errorstr_by_id(st);
		return -EINVAL;
	}
	ldns_dname2canonical(rdf);
	*len = ldns_rdf_size(rdf);
	if (*len > NAME_MAX_WIRE) {
		/* ldns checks this already; be sure for our buffers. */
		ldns_rdf_deep_free(rdf);
		if (why != NULL)
			*why = "name too long";
		return -EINVAL;
	}
	memcpy(wire, ldns_rdf_data(rdf), *len);
	ldns_rdf_deep_free(rdf);
	return 0;
}

/* Is @apex a label-aligned suffix of @name? */
static int
name_in(const uint8_t *name, size_t len, const uint8_t *apex, size_t alen)
{
	size_t off = 0;

	while (len - off > alen) {
		if (name[off] == 0)
			return 0;
		off += name[off] + 1;
		if (off > len)
			return 0;
	}
	return len - off == alen && memcmp(name + off, apex, alen) == 0;
}

/* The index of the longest apex that @name falls in, or -1. */
static int
bzone_find(const struct table_builder *b, const uint8_t *name, size_t len)
{
	size_t best_len = 0;
	int best = -1;
	size_t i;

	for (i = 0; i < b->nzones; i++) {
		const struct bzone *z = &b->zones[i];

		if (best >= 0 && z->apex_len <= best_len)
			continue;
		if (name_in(name, len, z->apex, z->apex_len)) {
			best = (int)i;
			best_len = z->apex_len;
		}
	}
	return best;
}

struct table_builder *
table_builder_new(void)
{
	struct table_builder *b = calloc(1, sizeof(struct table_builder));

	if (b != NULL) {
		b->scope = TABLE_SCOPE_NONE;
		b->default_scope = TABLE_SCOPE_NONE;
	}
	return b;
}

void
table_builder_free(struct table_builder *b)
{
	size_t i;

	if (b == NULL)
		return;
	for (i = 0; i < b->nzones; i++)
		free(b->zones[i].ns);
	for (i = 0; i < NCHAOS; i++)
		free(b->chaos[i]);
	free(b->zones);
	free(b->text);
	free(b->names);
	free(b->slots);
	free(b->recs);
	free(b->suffixes);
	free(b->views);
	free(b->vslots);
	free(b->pairs);
	free(b);
}

/* The length of a valid uncompressed wire name. */
static size_t
wire_len(const uint8_t *name)
{
	size_t off = 0;

	while (name[off] != 0)
		off += name[off] + 1;
	return off + 1;
}

static int
cmp_wire_name(const void *a, const void *b)
{
	const uint8_t *x = *(const uint8_t *const *)a;
	const uint8_t *y = *(const uint8_t *const *)b;
	size_t lx = wire_len(x);
	size_t ly = wire_len(y);
	int c = memcmp(x, y, lx < ly ? lx : ly);

	if (c != 0)
		return c;
	return (lx > ly) - (lx < ly);
}

/* Move every name to the zone it falls in now that a zone was added. */
static void
rezone(struct table_builder *b)
{
	size_t i;

	for (i = 0; i < b->nnames; i++) {
		struct bname *n = &b->names[i];
		int z = bzone_find(b, b->text + n->off, n->len);

		/* It was in a zone before; zones are never removed. */
		if (z >= 0)
			n->zone = (uint16_t)z;
	}
}

int
table_builder_add_zone(struct table_builder *b,
		       const struct table_zone_params *p, char *err,
		       size_t errsize)
{
	struct bzone z;
	struct bzone *zones = NULL;
	uint8_t (*ns)[NAME_MAX_WIRE] = NULL;
	const uint8_t **sorted = NULL;
	const char *why = NULL;
	size_t len = 0;
	size_t i;
	int rc = -1;

	memset(&z, 0, sizeof(z));
	if (b->nzones >= UINT16_MAX) {
		snprintf(err, errsize, "too many zones");
		goto out;
	}
	if (parse_name(p->apex, z.apex, &len, &why) < 0) {
		snprintf(err, errsize, "invalid apex (%s)", why);
		goto out;
	}
	z.apex_len = (uint8_t)len;
	for (i = 0; i < b->nzones; i++) {
		if (b->zones[i].apex_len == z.apex_len &&
		    memcmp(b->zones[i].apex, z.apex, len) == 0) {
			snprintf(err, errsize, "zone defined twice");
			goto out;
		}
	}
	if (parse_name(p->mname, z.mname, &len, &why) < 0) {
		snprintf(err, errsize, "invalid SOA mname (%s)", why);
		goto out;
	}
	z.mname_len = (uint8_t)len;
	if (parse_name(p->rname, z.rname, &len, &why) < 0) {
		snprintf(err, errsize, "invalid SOA rname (%s)", why);
		goto out;
	}
	z.rname_len = (uint8_t)len;
	if (p->nns == 0 || p->ns == NULL) {
		snprintf(err, errsize, "at least one NS name is needed");
		goto out;
	}
	if (p->nns > 64) {
		snprintf(err, errsize, "too many NS names (at most 64)");
		goto out;
	}
	ns = calloc(p->nns, sizeof(*ns));
	sorted = calloc(p->nns, sizeof(*sorted));
	if (ns == NULL || sorted == NULL) {
		snprintf(err, errsize, "out of memory");
		rc = -ENOMEM;
		goto out;
	}
	for (i = 0; i < p->nns; i++) {
		if (parse_name(p->ns[i], ns[i], &len, &why) < 0) {
			snprintf(err, errsize, "invalid NS name \"%s\" (%s)",
				 p->ns[i] ? p->ns[i] : "", why);
			goto out;
		}
		sorted[i] = ns[i];
	}
	/* Sorted and unique: the NS RRset and the digest do not depend on order. */
	qsort(sorted, p->nns, sizeof(*sorted), cmp_wire_name);
	if ((z.ns = malloc(p->nns * NAME_MAX_WIRE)) == NULL) {
		snprintf(err, errsize, "out of memory");
		rc = -ENOMEM;
		goto out;
	}
	for (i = 0; i < p->nns; i++) {
		if (i > 0 && cmp_wire_name(&sorted[i - 1], &sorted[i]) == 0)
			continue;
		len = wire_len(sorted[i]);
		memcpy(z.ns + z.ns_len, sorted[i], len);
		z.ns_len += len;
		z.nns++;
	}
	z.serial = 1;
	z.refresh = p->refresh;
	z.retry = p->retry;
	z.expire = p->expire;
	z.minimum = p->minimum;
	z.ttl = p->ttl;
	zones = realloc(b->zones, (b->nzones + 1) * sizeof(*zones));
	if (zones == NULL) {
		snprintf(err, errsize, "out of memory");
		rc = -ENOMEM;
		goto out;
	}
	b->zones = zones;
	b->zones[b->nzones] = z;
	z.ns = NULL;
	rc = (int)b->nzones++;
	if (b->nnames > 0)
		rezone(b);
out:
	free(z.ns);
	free(ns);
	free(sorted);
	return rc;
}

int
table_builder_find_zone(const struct table_builder *b, const char *name)
{
	uint8_t wire[NAME_MAX_WIRE];
	size_t len = 0;

	if (parse_name(name, wire, &len, NULL) < 0)
		return -1;
	return bzone_find(b, wire, len);
}


/*
 * Open addressing over an array: slots hold indexes into @items (NONE
 * when free), probed linearly from each item's hash.  Rebuild them for
 * @n items in @cap slots (a power of two); the hash of item i is the
 * uint32_t at @hash_off inside it.
 */
static int
rehash(uint32_t **slots_out, size_t *cap_out, size_t cap, const void *items,
       size_t n, size_t stride, size_t hash_off)
{
	uint32_t *slots = NULL;
	size_t i;

	if ((slots = malloc(cap * sizeof(*slots))) == NULL)
		return -ENOMEM;
	memset(slots, 0xff, cap * sizeof(*slots));
	for (i = 0; i < n; i++) {
		uint32_t h;
		size_t j;

		memcpy(&h, (const char *)items + i * stride + hash_off,
		       sizeof(h));
		j = h & (cap - 1);
		while (slots[j] != NONE)
			j = (j + 1) & (cap - 1);
		slots[j] = (uint32_t)i;
	}
	free(*slots_out);
	*slots_out = slots;
	*cap_out = cap;
	return 0;
}

/* Rehash the name set into @cap slots (a power of two). */
static int
grow_slots(struct table_builder *b, size_t cap)
{
	return rehash(&b->slots, &b->slots_cap, cap, b->names, b->nnames,
		      sizeof(*b->names), offsetof(struct bname, hash));
}

/* The index of name @wire of scope @scope in the set, or NONE. */
static uint32_t
find_name(const struct table_builder *b, const uint8_t *wire, size_t len,
	  uint32_t scope)
{
	uint32_t h = name_hash(wire, len);
	size_t j;

	if (b->slots_cap == 0)
		return NONE;
	j = h & (b->slots_cap - 1);
	while (b->slots[j] != NONE) {
		const struct bname *n = &b->names[b->slots[j]];

		if (n->hash == h && n->len == len && n->scope == scope &&
		    memcmp(b->text + n->off, wire, len) == 0)
			return b->slots[j];
		j = (j + 1) & (b->slots_cap - 1);
	}
	return NONE;
}

/* Append @len bytes to the name arena; their offset in *off.  0 or -ENOMEM. */
static int
text_append(struct table_builder *b, const uint8_t *wire, size_t len,
	    uint32_t *off)
{
	if (b->text_len + len > NONE)
		return -ENOMEM;
	if (b->text_len + len > b->text_cap) {
		size_t cap = b->text_cap ? b->text_cap * 2 : 16384;
		uint8_t *v = NULL;

		while (cap < b->text_len + len)
			cap *= 2;
		if ((v = realloc(b->text, cap)) == NULL)
			return -ENOMEM;
		b->text = v;
		b->text_cap = cap;
	}
	memcpy(b->text + b->text_len, wire, len);
	*off = (uint32_t)b->text_len;
	b->text_len += len;
	return 0;
}

/*
 * The index of name @wire of scope @scope in the set, added (with no
 * records, in zone @zone) when it is not there yet.  0, or -ENOMEM.
 */
static int
intern(struct table_builder *b, const uint8_t *wire, size_t len, int zone,
       uint32_t scope, uint32_t *idx)
{
	uint32_t h = name_hash(wire, len);
	struct bname *n = NULL;
	uint32_t off = 0;
	size_t j;

	if ((*idx = find_name(b, wire, len, scope)) != NONE)
		return 0;
	if ((b->nnames + 1) * 2 > b->slots_cap &&
	    grow_slots(b, b->slots_cap ? b->slots_cap * 2 : 1024) < 0)
		return -ENOMEM;
	if (b->nnames >= NONE - 1)
		return -ENOMEM;
	if (b->nnames == b->names_cap) {
		size_t cap = b->names_cap ? b->names_cap * 2 : 1024;
		struct bname *v = realloc(b->names, cap * sizeof(*v));

		if (v == NULL)
			return -ENOMEM;
		b->names = v;
		b->names_cap = cap;
	}
	if (text_append(b, wire, len, &off) < 0)
		return -ENOMEM;
	n = &b->names[b->nnames];
	memset(n, 0, sizeof(*n));
	n->off = off;
	n->hash = h;
	n->head = NONE;
	n->owner = TABLE_OWNER_NONE;
	n->scope = scope;
	n->zone = (uint16_t)zone;
	n->len = (uint8_t)len;
	j = h & (b->slots_cap - 1);
	while (b->slots[j] != NONE)
		j = (j + 1) & (b->slots_cap - 1);
	b->slots[j] = (uint32_t)b->nnames;
	*idx = (uint32_t)b->nnames++;
	return 0;
}

/* The wire size of record @r. */
static size_t
rec_size(const struct brec *r)
{
	switch (r->kind) {
	case KIND_A:
		return RR_FIXED + 4;
	case KIND_AAAA:
		return RR_FIXED + 16;
	case KIND_SRV:
		return RR_FIXED + SRV_FIXED + r->tlen;
	default:
		return RR_FIXED + r->tlen;
	}
}

/* Is @r (in the builder) the record @nr whose target is @target? */
static int
same_rec(const struct table_builder *b, const struct brec *r,
	 const struct brec *nr, const uint8_t *target)
{
	if (r->kind != nr->kind)
		return 0;
	switch (r->kind) {
	case KIND_A:
	case KIND_AAAA:
		return memcmp(r->u.addr, nr->u.addr, 16) == 0;
	case KIND_SRV:
		if (r->prio != nr->prio || r->u.t.weight != nr->u.t.weight ||
		    r->u.t.port != nr->u.t.port)
			return 0;
		/* FALLTHROUGH */
	default:
		return r->tlen == nr->tlen &&
		       memcmp(b->text + r->u.t.off, target, r->tlen) == 0;
	}
}

/*
 * Add record @nr (kind, TTL and data; for SRV and PTR the target @target
 * of nr->tlen bytes) to the text name @name, and give the name @owner
 * (NONE: leave it).  The errors of table_builder_add_addr(), and -EEXIST.
 */
static int
add_record(struct table_builder *b, const char *name, struct brec *nr,
	   const uint8_t *target, uint32_t owner)
{
	uint8_t wire[NAME_MAX_WIRE];
	struct bname *n = NULL;
	struct brec *r = NULL;
	size_t len = 0;
	size_t size = rec_size(nr);
	uint32_t idx = 0;
	uint32_t i;
	int zone;
	int rc;

	if (parse_name(name, wire, &len, NULL) < 0)
		return -EINVAL;
	if ((zone = bzone_find(b, wire, len)) < 0)
		return -ENOENT;
	if ((rc = intern(b, wire, len, zone, b->scope, &idx)) < 0)
		return rc;
	if (b->scope != TABLE_SCOPE_NONE)
		b->scoped = 1;
	n = &b->names[idx];
	if (owner != NONE && n->owner != NONE && n->owner != owner)
		return -EEXIST;
	for (i = n->head; i != NONE; i = b->recs[i].next) {
		r = &b->recs[i];
		if (same_rec(b, r, nr, target)) {
			/* Kept once, with the lower TTL whatever the order. */
			if (nr->ttl < r->ttl)
				r->ttl = nr->ttl;
			goto out;
		}
	}
	if (n->bytes[nr->kind] + size > RRSET_MAX)
		return -EMSGSIZE;
	if (b->nrecs >= NONE - 1)
		return -ENOMEM;
	if (b->nrecs == b->recs_cap) {
		size_t cap = b->recs_cap ? b->recs_cap * 2 : 1024;
		struct brec *v = realloc(b->recs, cap * sizeof(*v));

		if (v == NULL)
			return -ENOMEM;
		b->recs = v;
		b->recs_cap = cap;
	}
	if (nr->kind >= KIND_SRV) {
		/* Targets are mostly names of this table: share their bytes. */
		i = nr->kind == KIND_TXT ? NONE :
			find_name(b, target, nr->tlen, b->scope);
		if (i != NONE)
			nr->u.t.off = b->names[i].off;
		else if (text_append(b, target, nr->tlen, &nr->u.t.off) < 0)
			return -ENOMEM;
	}
	r = &b->recs[b->nrecs];
	*r = *nr;
	r->next = n->head;
	n->head = (uint32_t)b->nrecs++;
	n->count[nr->kind]++;
	n->bytes[nr->kind] += (uint16_t)size;
out:
	if (owner != NONE)
		n->owner = owner;
	return 0;
}

int
table_builder_add_addr_owned(struct table_builder *b, const char *name,
			     int family, const uint8_t *addr, uint32_t ttl,
			     uint32_t owner)
{
	struct brec nr;

	memset(&nr, 0, sizeof(nr));
	if (family == AF_INET) {
		nr.kind = KIND_A;
	} else if (family == AF_INET6) {
		nr.kind = KIND_AAAA;
	} else {
		return -EINVAL;
	}
	if (addr == NULL)
		return -EINVAL;
	memcpy(nr.u.addr, addr, nr.kind == KIND_A ? 4 : 16);
	nr.ttl = ttl;
	return add_record(b, name, &nr, NULL, owner);
}

int
table_builder_add_addr(struct table_builder *b, const char *name,
		       int family, const uint8_t *addr, uint32_t ttl)
{
	return table_builder_add_addr_owned(b, name, family, addr, ttl,
					    TABLE_OWNER_NONE);
}

/* Add @nr (kind, TTL, SRV fields set) with the target name @target. */
static int
add_target_record(struct table_builder *b, const char *name,
		  struct brec *nr, const char *target)
{
	uint8_t wire[NAME_MAX_WIRE];
	size_t len = 0;

	if (parse_name(target, wire, &len, NULL) < 0)
		return -EINVAL;
	nr->tlen = (uint8_t)len;
	return add_record(b, name, nr, wire, TABLE_OWNER_NONE);
}

int
table_builder_add_srv(struct table_builder *b, const char *name,
		      uint16_t priority, uint16_t weight, uint16_t port,
		      const char *target, uint32_t ttl)
{
	struct brec nr;

	memset(&nr, 0, sizeof(nr));
	nr.kind = KIND_SRV;
	nr.ttl = ttl;
	nr.prio = priority;
	nr.u.t.weight = weight;
	nr.u.t.port = port;
	return add_target_record(b, name, &nr, target);
}

int
table_builder_add_ptr(struct table_builder *b, const char *name,
		      const char *target, uint32_t ttl)
{
	struct brec nr;

	memset(&nr, 0, sizeof(nr));
	nr.kind = KIND_PTR;
	nr.ttl = ttl;
	return add_target_record(b, name, &nr, target);
}

int
table_builder_add_txt(struct table_builder *b, const char *name,
		      const char *text, uint32_t ttl)
{
	uint8_t rdata[255];
	size_t len = strlen(text);
	struct brec nr;

	if (len > sizeof(rdata) - 1)
		return -EINVAL;
	rdata[0] = (uint8_t)len;
	memcpy(rdata + 1, text, len);
	memset(&nr, 0, sizeof(nr));
	nr.kind = KIND_TXT;
	nr.ttl = ttl;
	nr.tlen = (uint8_t)(len + 1);
	return add_record(b, name, &nr, rdata, TABLE_OWNER_NONE);
}

int
table_builder_set_owner(struct table_builder *b, const char *name,
			uint32_t owner)
{
	uint8_t wire[NAME_MAX_WIRE];
	size_t len = 0;
	uint32_t idx;

	if (parse_name(name, wire, &len, NULL) < 0)
		return -EINVAL;
	idx = find_name(b, wire, len, b->scope);
	if (idx == NONE || b->names[idx].head == NONE)
		return -ENOENT;
	b->names[idx].owner = owner;
	return 0;
}

int
table_builder_set_chaos(struct table_builder *b, const char *version,
			const char *id, const char *hostname)
{
	const char *in[NCHAOS] = { version, id, hostname };
	char *copy[NCHAOS] = { NULL, NULL, NULL };
	size_t i;
	int rc = -EINVAL;

	for (i = 0; i < NCHAOS; i++)
		if (in[i] != NULL && strlen(in[i]) > 255)
			goto out;
	rc = -ENOMEM;
	for (i = 0; i < NCHAOS; i++)
		if (in[i] != NULL && (copy[i] = strdup(in[i])) == NULL)
			goto out;
	for (i = 0; i < NCHAOS; i++) {
		free(b->chaos[i]);
		b->chaos[i] = copy[i];
		copy[i] = NULL;
	}
	rc = 0;
out:
	for (i = 0; i < NCHAOS; i++)
		free(copy[i]);
	return rc;
}

int
table_builder_add_search_suffix(struct table_builder *b, const char *suffix)
{
	struct suffix s;
	struct suffix *v = NULL;
	size_t len = 0;
	size_t i;

	memset(&s, 0, sizeof(s));
	if (suffix == NULL)
		return -EINVAL;
	if (strncmp(suffix, "*.", 2) == 0) {
		s.wild = 1;
		suffix += 2;
	}
	if (parse_name(suffix, s.name, &len, NULL) < 0)
		return -EINVAL;
	/* "*" anywhere else would be taken literally: surely a mistake. */
	for (i = 0; s.name[i] != 0; i += (size_t)s.name[i] + 1)
		if (s.name[i] == 1 && s.name[i + 1] == '*')
			return -EINVAL;
	s.len = (uint8_t)len;
	for (i = 0; i < b->nsuffixes; i++)
		if (b->suffixes[i].len == s.len &&
		    b->suffixes[i].wild == s.wild &&
		    memcmp(b->suffixes[i].name, s.name, s.len) == 0)
			return 0;
	v = realloc(b->suffixes, (b->nsuffixes + 1) * sizeof(*v));
	if (v == NULL)
		return -ENOMEM;
	b->suffixes = v;
	b->suffixes[b->nsuffixes++] = s;
	return 0;
}

/* Rehash the view set into @cap slots (a power of two). */
static int
grow_vslots(struct table_builder *b, size_t cap)
{
	return rehash(&b->vslots, &b->vslots_cap, cap, b->views, b->nviews,
		      sizeof(*b->views), offsetof(struct bview, hash));
}

int
table_builder_add_view(struct table_builder *b, int family,
		       const uint8_t *addr)
{
	struct bview v;
	size_t j;

	if ((family != AF_INET && family != AF_INET6) || addr == NULL)
		return -EINVAL;
	memset(&v, 0, sizeof(v));
	v.scope = TABLE_SCOPE_NONE;
	addr_key_set(&v.key, family, addr);
	v.hash = addr_key_hash(&v.key);
	if ((b->nviews + 1) * 2 > b->vslots_cap &&
	    grow_vslots(b, b->vslots_cap ? b->vslots_cap * 2 : 64) < 0)
		return -ENOMEM;
	j = v.hash & (b->vslots_cap - 1);
	while (b->vslots[j] != NONE) {
		if (addr_key_eq(&b->views[b->vslots[j]].key, &v.key))
			return (int)b->vslots[j];
		j = (j + 1) & (b->vslots_cap - 1);
	}
	if (b->nviews >= INT_MAX)
		return -ENOMEM;
	if (b->nviews == b->views_cap) {
		size_t cap = b->views_cap ? b->views_cap * 2 : 64;
		struct bview *nv = realloc(b->views, cap * sizeof(*nv));

		if (nv == NULL)
			return -ENOMEM;
		b->views = nv;
		b->views_cap = cap;
	}
	b->views[b->nviews] = v;
	b->vslots[j] = (uint32_t)b->nviews;
	return (int)b->nviews++;
}

int
table_builder_view_allow(struct table_builder *b, int view, uint32_t owner)
{
	if (view < 0 || (size_t)view >= b->nviews || owner == NONE)
		return -EINVAL;
	if (b->npairs == b->pairs_cap) {
		size_t cap = b->pairs_cap ? b->pairs_cap * 2 : 256;
		uint64_t *v = realloc(b->pairs, cap * sizeof(*v));

		if (v == NULL)
			return -ENOMEM;
		b->pairs = v;
		b->pairs_cap = cap;
	}
	b->pairs[b->npairs++] = (uint64_t)view << 32 | owner;
	return 0;
}

int
table_builder_view_allow_all(struct table_builder *b, int view)
{
	if (view < 0 || (size_t)view >= b->nviews)
		return -EINVAL;
	b->views[view].all = 1;
	return 0;
}

void
table_builder_set_default_view(struct table_builder *b, int allow_all)
{
	b->default_hidden = !allow_all;
}

void
table_builder_set_scope(struct table_builder *b, uint32_t scope)
{
	b->scope = scope;
}

int
table_builder_view_set_scope(struct table_builder *b, int view,
			     uint32_t scope)
{
	if (view < 0 || (size_t)view >= b->nviews)
		return -EINVAL;
	b->views[view].scope = scope;
	return 0;
}

void
table_builder_set_default_scope(struct table_builder *b, uint32_t scope)
{
	b->default_scope = scope;
}

static uint64_t
hash_u32(uint64_t h, uint32_t v)
{
	uint8_t b[4];

	ldns_write_uint32(b, v);
	return hash_fnv1a64(h, b, 4);
}

/* The digest of a zone's apex, SOA fields (but the serial) and NS names. */
static uint64_t
zone_dhead(const struct bzone *z)
{
	uint64_t h = HASH_FNV1A64_INIT;

	h = hash_fnv1a64(h, z->apex, z->apex_len);
	h = hash_fnv1a64(h, z->mname, z->mname_len);
	h = hash_fnv1a64(h, z->rname, z->rname_len);
	h = hash_u32(h, z->refresh);
	h = hash_u32(h, z->retry);
	h = hash_u32(h, z->expire);
	h = hash_u32(h, z->minimum);
	h = hash_u32(h, z->ttl);
	return hash_fnv1a64(h, z->ns, z->ns_len);	/* sorted when added */
}

/*
 * The sum of rr_hash() over name @n's records, each with its RRset's TTL
 * (the lowest of its records': what is served and transferred).
 */
static uint64_t
name_rsum(const struct table_builder *b, const struct bname *n)
{
	uint32_t ttl[NKINDS];
	uint8_t data[SRV_FIXED + NAME_MAX_WIRE];
	uint64_t sum = 0;
	uint32_t r;
	size_t k;

	for (k = 0; k < NKINDS; k++)
		ttl[k] = UINT32_MAX;
	for (r = n->head; r != NONE; r = b->recs[r].next)
		if (b->recs[r].ttl < ttl[b->recs[r].kind])
			ttl[b->recs[r].kind] = b->recs[r].ttl;
	for (r = n->head; r != NONE; r = b->recs[r].next) {
		const struct brec *rec = &b->recs[r];
		size_t dlen = 0;

		switch (rec->kind) {
		case KIND_A:
		case KIND_AAAA:
			dlen = rec->kind == KIND_AAAA ? 16 : 4;
			memcpy(data, rec->u.addr, dlen);
			break;
		case KIND_SRV:
			ldns_write_uint16(data, rec->prio);
			ldns_write_uint16(data + 2, rec->u.t.weight);
			ldns_write_uint16(data + 4, rec->u.t.port);
			dlen = SRV_FIXED;
			/* FALLTHROUGH */
		default:
			memcpy(data + dlen, b->text + rec->u.t.off, rec->tlen);
			dlen += rec->tlen;
			break;
		}
		sum += rr_hash(b->text + n->off, n->len, rec->kind, data, dlen,
			       ttl[rec->kind]);
	}
	return sum;
}

uint64_t
table_builder_zone_digest(const struct table_builder *b, int zone)
{
	uint64_t sum = 0;
	size_t i;

	if (zone < 0 || (size_t)zone >= b->nzones)
		return 0;
	/*
	 * Records: the sum of one strong hash per record.  Records are unique
	 * (duplicates are dropped when added), so the sum is the same for the
	 * same set whatever the order of insertion, without sorting a copy,
	 * and it can be updated name by name (table_patch.h).  Owners and
	 * views are not zone content (a transfer has none).
	 */
	for (i = 0; i < b->nnames; i++)
		if (b->names[i].zone == zone)
			sum += name_rsum(b, &b->names[i]);
	return zone_digest(zone_dhead(&b->zones[zone]), sum);
}

uint32_t
table_builder_default_scope(const struct table_builder *b)
{
	return b->default_scope;
}

uint64_t
table_builder_name_rsum(const struct table_builder *b, const uint8_t *wire,
			size_t len, uint32_t scope)
{
	uint32_t idx = find_name(b, wire, len, scope);

	return idx == NONE ? 0 : name_rsum(b, &b->names[idx]);
}

int
table_builder_name_records(const struct table_builder *b,
			   const uint8_t *wire, size_t len, uint32_t scope,
			   uint32_t *owner)
{
	uint32_t idx = find_name(b, wire, len, scope);
	size_t n = 0;
	size_t k;

	if (idx == NONE)
		return 0;
	for (k = 0; k < NKINDS; k++)
		n += b->names[idx].count[k];
	*owner = b->names[idx].owner;
	return (int)n;
}

void
table_builder_set_serial(struct table_builder *b, int zone, uint32_t serial)
{
	if (zone >= 0 && (size_t)zone < b->nzones)
		b->zones[zone].serial = serial;
}

/* --- finish --- */

/* Is name @n the apex of its zone? */
static int
is_apex(const struct table_builder *b, const struct bname *n)
{
	return n->len == b->zones[n->zone].apex_len;
}

static size_t
node_nrrsets(const struct table_builder *b, const struct bname *n)
{
	size_t nsets = is_apex(b, n) ? 2 : 0;
	size_t k;

	for (k = 0; k < NKINDS; k++)
		nsets += n->count[k] > 0;
	return nsets;
}

/* An empty non-terminal takes the owner of its descendants, if they agree. */
static void
merge_owner(struct bname *ent, uint32_t owner)
{
	if (!(ent->flags & BNAME_ENT_OWNER)) {
		ent->flags |= BNAME_ENT_OWNER;
		ent->owner = owner;
	} else if (ent->owner != owner) {
		ent->owner = TABLE_OWNER_NONE;
	}
}

/*
 * Add every ancestor of every name up to its apex, and every apex.  Give
 * the new empty non-terminals their owners; apexes are unowned.
 */
static int
add_ancestors(struct table_builder *b)
{
	size_t n0 = b->nnames;
	uint32_t idx = 0;
	size_t i;
	int rc;

	for (i = 0; i < b->nzones; i++) {
		rc = intern(b, b->zones[i].apex, b->zones[i].apex_len, (int)i,
			    TABLE_SCOPE_NONE, &idx);
		if (rc < 0)
			return rc;
		b->names[idx].owner = TABLE_OWNER_NONE;
	}
	for (i = 0; i < n0; i++) {
		uint8_t wire[NAME_MAX_WIRE];
		size_t len = b->names[i].len;
		size_t alen = b->zones[b->names[i].zone].apex_len;
		uint32_t owner = b->names[i].owner;
		uint32_t scope = b->names[i].scope;
		int zone = b->names[i].zone;
		size_t off = 0;

		/* intern() may move b->names: copy the name first. */
		memcpy(wire, b->text + b->names[i].off, len);
		while (len - off > alen) {
			off += wire[off] + 1;
			/* The empty non-terminals are the name's scope's. */
			if ((rc = intern(b, wire + off, len - off, zone,
					 len - off > alen ? scope :
					 TABLE_SCOPE_NONE, &idx)) < 0)
				return rc;
			/* Names added by the caller keep their own owner. */
			if (idx >= n0 && len - off > alen)
				merge_owner(&b->names[idx], owner);
		}
	}
	return 0;
}

/*
 * The descendant statistics of every name (struct node_stats): each name
 * with records counts in its ancestors below the apex, in its scope.
 */
static void
node_stats_fill(const struct table_builder *b, struct node_stats *st)
{
	size_t i;

	for (i = 0; i < b->nnames; i++) {
		const struct bname *n = &b->names[i];
		const uint8_t *wire = b->text + n->off;
		size_t alen = b->zones[n->zone].apex_len;
		size_t off = 0;

		if (n->head == NONE)
			continue;
		while (n->len - off > alen) {
			uint32_t idx;

			off += wire[off] + 1;
			if (n->len - off <= alen)
				break;
			idx = find_name(b, wire + off, n->len - off, n->scope);
			if (idx == NONE)
				continue;
			stats_apply(&st[idx], n->owner, 1);
		}
	}
}

/* A record being written, with its target resolved (SRV, PTR). */
struct rref {
	const struct brec *r;
	const uint8_t *target;
};

static int
cmp_target(const struct rref *x, const struct rref *y)
{
	size_t lx = x->r->tlen;
	size_t ly = y->r->tlen;
	int c = memcmp(x->target, y->target, lx < ly ? lx : ly);

	if (c != 0)
		return c;
	return (lx > ly) - (lx < ly);
}

/* By kind, then address, or priority, weight, port, target. */
static int
cmp_rec(const void *a, const void *b)
{
	const struct rref *x = a;
	const struct rref *y = b;
	const struct brec *rx = x->r;
	const struct brec *ry = y->r;

	if (rx->kind != ry->kind)
		return (int)rx->kind - (int)ry->kind;
	switch (rx->kind) {
	case KIND_A:
	case KIND_AAAA:
		return memcmp(rx->u.addr, ry->u.addr, 16);
	case KIND_SRV:
		if (rx->prio != ry->prio)
			return (int)rx->prio - (int)ry->prio;
		if (rx->u.t.weight != ry->u.t.weight)
			return (int)rx->u.t.weight - (int)ry->u.t.weight;
		if (rx->u.t.port != ry->u.t.port)
			return (int)rx->u.t.port - (int)ry->u.t.port;
		/* FALLTHROUGH */
	default:
		return cmp_target(x, y);
	}
}

/*
 * The records of @n into @refs, sorted so that the output does not depend
 * on insertion order.  Returns how many.
 */
static size_t
gather(const struct table_builder *b, const struct bname *n,
       struct rref *refs)
{
	size_t nrefs = 0;
	uint32_t r;

	for (r = n->head; r != NONE; r = b->recs[r].next) {
		const struct brec *rec = &b->recs[r];

		refs[nrefs].r = rec;
		refs[nrefs].target = rec->kind >= KIND_SRV ?
				     b->text + rec->u.t.off : NULL;
		nrefs++;
	}
	qsort(refs, nrefs, sizeof(*refs), cmp_rec);
	return nrefs;
}

/*
 * Name compression at build time.  A response's layout up to the end of
 * its answer (or negative SOA) is known here: the question at offset 12
 * is the node's name, the RRset follows it.  struct compr lists the RDATA
 * names already in that message, one entry per label where a pointer may
 * land (below 0x4000, and not in a name's own pointer); compr_put()
 * writes a name with its longest suffix found there replaced by a
 * pointer.  Never into the question: it has the client's case, which
 * RDATA would take.  Written by hand rather than with ldns's compressing
 * writer: the caller must know where each pointer is (apex_rel) and see
 * only offsets of the message it models.
 */
#define COMPR_MAX	512	/* entries; past it names are written whole */
#define PTR_MAX		0x3fff	/* the farthest offset a pointer reaches */

struct compr {
	size_t n;
	const uint8_t *name[COMPR_MAX];	/* canonical, uncompressed suffix */
	uint16_t len[COMPR_MAX];
	uint16_t off[COMPR_MAX];	/* where it starts in the message */
};

/*
 * Note the first @upto bytes' labels of @name (@len bytes) at @off in the
 * message: each label's suffix that is not the root.
 */
static void
compr_add(struct compr *c, const uint8_t *name, size_t len, size_t upto,
	  size_t off)
{
	size_t k;

	for (k = 0; k < upto && name[k] != 0; k += (size_t)name[k] + 1) {
		if (off + k > PTR_MAX || c->n == COMPR_MAX)
			return;
		c->name[c->n] = name + k;
		c->len[c->n] = (uint16_t)(len - k);
		c->off[c->n] = (uint16_t)(off + k);
		c->n++;
	}
}

/*
 * Write @name (canonical, @len bytes) at @p, which is offset @off in the
 * message, compressed against @c, and add its labels to @c.  Returns the
 * bytes written: fewer than @len when they end with a pointer (a suffix
 * replaced is never shorter than 3 bytes).
 */
static size_t
compr_put(struct compr *c, const uint8_t *name, size_t len, uint8_t *p,
	  size_t off)
{
	size_t k;
	size_t i;

	for (k = 0; name[k] != 0; k += (size_t)name[k] + 1) {
		for (i = 0; i < c->n; i++) {
			if (c->len[i] != len - k ||
			    memcmp(c->name[i], name + k, len - k) != 0)
				continue;
			memcpy(p, name, k);
			ldns_write_uint16(p + k, (uint16_t)(0xc000 | c->off[i]));
			compr_add(c, name, len, k, off);
			return k + 2;
		}
	}
	memcpy(p, name, len);
	compr_add(c, name, len, len, off);
	return len;
}

/*
 * The zone's NS and SOA RRs, as answers at the apex: the question (the
 * apex) at offset 12, the RRset after it.  The SOA RR serves as the
 * negative answer too (after any question), with apex_rel for the caller
 * to relocate.
 */
struct zone_wire {
	uint8_t soa[RR_FIXED + 2 * NAME_MAX_WIRE + 20];
	size_t soa_len;		/* the whole RR, owner 0xC00C */
	uint16_t apex_rel[2];	/* pointers in it (0: none) */
	uint8_t *ns;		/* the NS RRset: RR_FIXED + name per NS */
	size_t ns_len;
};

static int
build_zone_wire(const struct bzone *z, struct compr *c, struct zone_wire *w)
{
	/* The answer's offset: the header, the apex, QTYPE and QCLASS. */
	size_t an = LDNS_HEADER_SIZE + z->apex_len + 4;
	const uint8_t *name = z->ns;
	uint8_t *p = NULL;
	size_t len = 0;
	size_t i;

	c->n = 0;
	p = w->soa + RR_FIXED;
	len = compr_put(c, z->mname, z->mname_len, p, an + RR_FIXED);
	p += len;
	if (len < z->mname_len)
		w->apex_rel[0] = (uint16_t)(p - 2 - w->soa);
	len = compr_put(c, z->rname, z->rname_len, p,
			an + (size_t)(p - w->soa));
	p += len;
	if (len < z->rname_len)
		w->apex_rel[1] = (uint16_t)(p - 2 - w->soa);
	ldns_write_uint32(p, z->serial);
	ldns_write_uint32(p + 4, z->refresh);
	ldns_write_uint32(p + 8, z->retry);
	ldns_write_uint32(p + 12, z->expire);
	ldns_write_uint32(p + 16, z->minimum);
	p += 20;
	w->soa_len = (size_t)(p - w->soa);
	put_rr_head(w->soa, 0xc00c, LDNS_RR_TYPE_SOA, z->ttl,
		    (uint16_t)(w->soa_len - RR_FIXED));

	c->n = 0;
	if ((w->ns = malloc(z->nns * RR_FIXED + z->ns_len)) == NULL)
		return -ENOMEM;
	p = w->ns;
	for (i = 0; i < z->nns; i++) {
		len = wire_len(name);
		len = compr_put(c, name, len, p + RR_FIXED,
				an + (size_t)(p - w->ns) + RR_FIXED);
		put_rr_head(p, 0xc00c, LDNS_RR_TYPE_NS, z->ttl,
			    (uint16_t)len);
		p += RR_FIXED + len;
		name += wire_len(name);
	}
	w->ns_len = (size_t)(p - w->ns);
	return 0;
}

/*
 * Needs n->add_len and the compressed PTR sizes (finish_sizes()) and the
 * zone's wire @zw.
 */
static size_t
node_size(const struct table_builder *b, const struct zone_wire *zw,
	  const struct bname *n)
{
	size_t wire = n->add_len;
	size_t k;

	for (k = 0; k < NKINDS; k++)
		wire += n->bytes[k];
	if (is_apex(b, n))
		wire += zw->soa_len + zw->ns_len;
	return align8(sizeof(struct table_node) +
		      node_nrrsets(b, n) * sizeof(struct table_rrset) +
		      n->len + wire) + sizeof(struct node_stats);
}

static struct table_rrset *
put_rrset(struct table_rrset *set, uint16_t type, size_t count,
	  const uint8_t *wire, size_t len)
{
	memset(set, 0, sizeof(*set));
	set->type = type;
	set->count = (uint16_t)count;
	set->len = (uint16_t)len;
	set->wire = wire;
	return set + 1;
}

/*
 * The RRs of kind @kind among @refs (sorted) at @p, owner pointer @ptr;
 * returns the end.  PTR names are compressed against @c (may be NULL:
 * not) when the RRset is written at offset @off in the message.
 */
static uint8_t *
write_rrset(const struct rref *refs, size_t nrefs, int kind, uint16_t ptr,
	    uint8_t *p, struct compr *c, size_t off)
{
	uint8_t *start = p;
	uint32_t ttl = UINT32_MAX;
	size_t i;

	/* One TTL per RRset (RFC 2181 section 5.2): the lowest. */
	for (i = 0; i < nrefs; i++)
		if (refs[i].r->kind == kind && refs[i].r->ttl < ttl)
			ttl = refs[i].r->ttl;
	for (i = 0; i < nrefs; i++) {
		const struct brec *r = refs[i].r;
		size_t rdlen = rec_size(r) - RR_FIXED;

		if (r->kind != kind)
			continue;
		p = put_rr_head(p, ptr, kind_type[kind], ttl, (uint16_t)rdlen);
		switch (kind) {
		case KIND_A:
		case KIND_AAAA:
			memcpy(p, r->u.addr, rdlen);
			break;
		case KIND_SRV:
			ldns_write_uint16(p, r->prio);
			ldns_write_uint16(p + 2, r->u.t.weight);
			ldns_write_uint16(p + 4, r->u.t.port);
			memcpy(p + SRV_FIXED, refs[i].target, r->tlen);
			break;
		case KIND_TXT:
			memcpy(p, refs[i].target, r->tlen);
			break;
		default:
			if (c == NULL) {
				memcpy(p, refs[i].target, r->tlen);
				break;
			}
			rdlen = compr_put(c, refs[i].target, r->tlen, p,
					  off + (size_t)(p - start));
			ldns_write_uint16(p - 2, (uint16_t)rdlen);
			break;
		}
		p += rdlen;
	}
	return p;
}

/*
 * Empty @c for an answer to @n's name; returns the offset of the answer
 * in the message (after the header and the question, which is the name).
 */
static size_t
compr_answer(struct compr *c, const struct bname *n)
{
	c->n = 0;
	return LDNS_HEADER_SIZE + (size_t)n->len + 4;
}

/*
 * Set n->bytes[KIND_PTR] of every name to its PTR RRset's compressed
 * size.  @buf has room for any RRset.
 */
static void
ptr_sizes(struct table_builder *b, struct rref *refs, struct compr *c,
	  uint8_t *buf)
{
	size_t i;

	for (i = 0; i < b->nnames; i++) {
		struct bname *n = &b->names[i];
		size_t nrefs;
		size_t an;

		if (n->count[KIND_PTR] == 0)
			continue;
		nrefs = gather(b, n, refs);
		an = compr_answer(c, n);
		n->bytes[KIND_PTR] = (uint16_t)(write_rrset(refs, nrefs,
				     KIND_PTR, 0xc00c, buf, c, an) - buf);
	}
}

/*
 * The additional section of the SRV RRset of @n: for each distinct target
 * (in answer order) that is a name here with the same owner or none, its
 * A then its AAAA RRset, owners pointing at the target in the SRV RR.
 * @refs are @n's records, sorted; @scratch has room for any name's
 * records.  Written at @p unless NULL.  Returns the length, its RRs in
 * *count.  Deterministic: the sizing pass and the writing pass agree.
 */
static size_t
srv_additional(const struct table_builder *b, const struct bname *n,
	       const struct rref *refs, size_t nrefs, struct rref *scratch,
	       uint8_t *p, size_t *count)
{
	/* The answer, the additional and an OPT in one 64 KiB message. */
	size_t room = LDNS_MAX_PACKETLEN - WIRE_QUESTION_MAX - WIRE_OPT_LEN -
		      n->bytes[KIND_SRV];
	size_t first = nrefs;
	size_t rel = 0;
	size_t total = 0;
	size_t i;
	size_t j;
	int fam;

	*count = 0;
	for (i = 0; i < nrefs; i++) {
		const struct brec *r = refs[i].r;
		const struct bname *tn = NULL;
		size_t target_rel;
		uint32_t idx;
		int dup = 0;

		if (r->kind != KIND_SRV)
			continue;
		if (first == nrefs)
			first = i;
		target_rel = rel + RR_FIXED + SRV_FIXED;
		rel += rec_size(r);
		/* Pointers reach 14 bits; later targets are farther still. */
		if (target_rel > ADD_REL_MAX)
			break;
		for (j = first; j < i && !dup; j++)
			dup = cmp_target(&refs[j], &refs[i]) == 0;
		if (dup)
			continue;
		/* The target in the SRV name's scope, else a shared one. */
		idx = find_name(b, refs[i].target, r->tlen, n->scope);
		if (idx == NONE && n->scope != TABLE_SCOPE_NONE)
			idx = find_name(b, refs[i].target, r->tlen,
					TABLE_SCOPE_NONE);
		if (idx == NONE)
			continue;
		tn = &b->names[idx];
		if (tn->owner != TABLE_OWNER_NONE && tn->owner != n->owner)
			continue;
		for (fam = KIND_A; fam <= KIND_AAAA; fam++) {
			size_t ns;

			if (tn->count[fam] == 0)
				continue;
			if (total + tn->bytes[fam] > room)
				return total;
			if (p != NULL) {
				ns = gather(b, tn, scratch);
				p = write_rrset(scratch, ns, fam,
						(uint16_t)(0xc000 | target_rel),
						p, NULL, 0);
			}
			total += tn->bytes[fam];
			*count += tn->count[fam];
		}
	}
	return total;
}

/* Size the additional sections of every SRV RRset (n->add_len). */
static void
additional_sizes(struct table_builder *b, struct rref *refs,
		 struct rref *scratch)
{
	size_t i;

	for (i = 0; i < b->nnames; i++) {
		struct bname *n = &b->names[i];
		size_t nrefs;
		size_t count = 0;

		if (n->count[KIND_SRV] == 0)
			continue;
		nrefs = gather(b, n, refs);
		n->add_len = (uint16_t)srv_additional(b, n, refs, nrefs,
						      scratch, NULL, &count);
		n->add_count = (uint16_t)count;
	}
}

/*
 * Write node @n at @node.  @refs and @scratch are room for any name's
 * records.  Returns the number of RRs written (additional ones aside).
 */
static size_t
write_node(const struct table_builder *b, const struct bname *n,
	   const struct zone_wire *zw, struct rref *refs,
	   struct rref *scratch, struct compr *c, struct table_node *node)
{
	/*
	 * RRsets in type order: A (1), NS, SOA, PTR (12), TXT (16), AAAA
	 * (28), SRV.
	 */
	static const int order[] = { KIND_A, -1, KIND_PTR, KIND_TXT,
				     KIND_AAAA, KIND_SRV };
	const struct bzone *z = &b->zones[n->zone];
	struct table_rrset *set = node->rrsets;
	uint8_t *p = NULL;
	uint8_t *start = NULL;
	size_t nrefs = 0;
	size_t nrr = 0;
	size_t count = 0;
	size_t i;

	node->nrrsets = (uint8_t)node_nrrsets(b, n);
	node->hash = n->hash;
	node->zone = n->zone;
	node->len = n->len;
	node->owner = n->owner;
	node->scope = n->scope;
	p = (uint8_t *)(node->rrsets + node->nrrsets);
	memcpy(p, b->text + n->off, n->len);
	p += n->len;
	nrefs = gather(b, n, refs);

	for (i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
		int kind = order[i];

		if (kind < 0 && is_apex(b, n)) {
			memcpy(p, zw->ns, zw->ns_len);
			set = put_rrset(set, LDNS_RR_TYPE_NS, z->nns, p,
					zw->ns_len);
			p += zw->ns_len;
			memcpy(p, zw->soa, zw->soa_len);
			set = put_rrset(set, LDNS_RR_TYPE_SOA, 1, p,
					zw->soa_len);
			p += zw->soa_len;
			nrr += z->nns + 1;
		}
		if (kind < 0 || n->count[kind] == 0)
			continue;
		start = p;
		p = write_rrset(refs, nrefs, kind, 0xc00c, p, c,
				compr_answer(c, n));
		set = put_rrset(set, kind_type[kind], n->count[kind], start,
				(size_t)(p - start));
		nrr += n->count[kind];
		if (kind == KIND_SRV) {
			set[-1].add_len = (uint16_t)srv_additional(
				b, n, refs, nrefs, scratch, p, &count);
			set[-1].add_count = (uint16_t)count;
			p += set[-1].add_len;
		}
	}
	return nrr;
}

/* The CHAOS TXT RRsets: class CH, TTL 0, owner the question. */
static int
build_chaos(const struct table_builder *b, struct table *t)
{
	size_t total = 0;
	uint8_t *p = NULL;
	size_t i;

	for (i = 0; i < NCHAOS; i++)
		if (b->chaos[i] != NULL)
			total += RR_FIXED + 1 + strlen(b->chaos[i]);
	if (total == 0)
		return 0;
	if ((t->chaos_wire = malloc(total)) == NULL)
		return -ENOMEM;
	t->chaos_len = total;
	p = t->chaos_wire;
	for (i = 0; i < NCHAOS; i++) {
		size_t len;

		if (b->chaos[i] == NULL)
			continue;
		len = strlen(b->chaos[i]);
		put_rrset(&t->chaos[i], LDNS_RR_TYPE_TXT, 1, p,
			  RR_FIXED + 1 + len);
		p = put_rr_head(p, 0xc00c, LDNS_RR_TYPE_TXT, 0,
				(uint16_t)(1 + len));
		ldns_write_uint16(p - 8, LDNS_RR_CLASS_CH);
		*p++ = (uint8_t)len;
		memcpy(p, b->chaos[i], len);
		p += len;
	}
	return 0;
}

/* The views and (view, owner) pairs as open-addressing hash tables. */
static int
build_views(const struct table_builder *b, struct table *t)
{
	size_t cap;
	size_t i;

	t->default_all = !b->default_hidden;
	t->scoped = b->scoped;
	t->default_scope = b->scoped ? b->default_scope : TABLE_SCOPE_NONE;
	t->filtered = b->nviews > 0 || b->default_hidden || b->scoped;
	t->nviews = b->nviews;
	if (b->nviews == 0)
		return 0;
	for (cap = 16; cap < 2 * b->nviews; cap *= 2)
		;
	if ((t->views = calloc(cap, sizeof(*t->views))) == NULL)
		return -ENOMEM;
	t->views_mask = cap - 1;
	for (i = 0; i < cap; i++)
		t->views[i].id = NONE;
	for (i = 0; i < b->nviews; i++) {
		const struct bview *v = &b->views[i];
		size_t j = v->hash & t->views_mask;

		while (t->views[j].id != NONE)
			j = (j + 1) & t->views_mask;
		t->views[j].key = v->key;
		t->views[j].all = v->all;
		t->views[j].scope = v->scope;
		t->views[j].id = (uint32_t)i;
	}
	for (cap = 16; cap < 2 * b->npairs; cap *= 2)
		;
	if ((t->pairs = malloc(cap * sizeof(*t->pairs))) == NULL)
		return -ENOMEM;
	memset(t->pairs, 0xff, cap * sizeof(*t->pairs));
	t->pairs_mask = cap - 1;
	for (i = 0; i < b->npairs; i++) {
		size_t j = pair_hash(b->pairs[i]) & t->pairs_mask;

		while (t->pairs[j] != UINT64_MAX && t->pairs[j] != b->pairs[i])
			j = (j + 1) & t->pairs_mask;
		t->pairs[j] = b->pairs[i];
	}
	return 0;
}

int
table_builder_finish(struct table_builder *b, struct table **out)
{
	struct table *t = NULL;
	struct zone_wire *zw = NULL;
	struct rref *refs = NULL;
	struct rref *scratch = NULL;
	struct compr *c = NULL;
	struct table_seg *seg = NULL;
	struct node_stats *st = NULL;
	uint8_t *buf = NULL;
	size_t maxrecs = 1;
	size_t total = 0;
	size_t off;
	size_t cap;
	size_t i;
	size_t k;
	int rc = -ENOMEM;

	*out = NULL;
	if ((t = calloc(1, sizeof(*t))) == NULL)
		goto out;
	if ((rc = add_ancestors(b)) < 0)
		goto out;
	rc = -ENOMEM;
	t->nzones = b->nzones;
	t->zones = calloc(b->nzones + 1, sizeof(*t->zones));
	zw = calloc(b->nzones + 1, sizeof(*zw));
	c = malloc(sizeof(*c));
	buf = malloc(RRSET_MAX);
	if (t->zones == NULL || zw == NULL || c == NULL || buf == NULL)
		goto out;
	for (i = 0; i < b->nzones; i++) {
		if ((rc = build_zone_wire(&b->zones[i], c, &zw[i])) < 0)
			goto out;
		total += align8(zw[i].soa_len);
	}
	rc = -ENOMEM;
	for (i = 0; i < b->nnames; i++) {
		size_t nrecs = 0;

		for (k = 0; k < NKINDS; k++)
			nrecs += b->names[i].count[k];
		if (nrecs > maxrecs)
			maxrecs = nrecs;
	}
	refs = malloc(maxrecs * sizeof(*refs));
	scratch = malloc(maxrecs * sizeof(*scratch));
	if (refs == NULL || scratch == NULL)
		goto out;
	if ((st = calloc(b->nnames + 1, sizeof(*st))) == NULL)
		goto out;
	node_stats_fill(b, st);
	additional_sizes(b, refs, scratch);
	ptr_sizes(b, refs, c, buf);
	for (i = 0; i < b->nnames; i++)
		total += node_size(b, &zw[b->names[i].zone], &b->names[i]);
	/* Offsets are in 8-byte units, below SEG_UNITS. */
	if (total / 8 >= SEG_UNITS)
		goto out;
	if ((seg = table_seg_new(total)) == NULL)
		goto out;
	table_seg_add(t, seg);
	for (cap = 16; cap < 2 * b->nnames; cap *= 2)
		;
	if ((t->slots = bigarray_alloc(cap * sizeof(*t->slots))) == NULL)
		goto out;
	memset(t->slots, 0xff, cap * sizeof(*t->slots));
	t->slots_mask = cap - 1;

	off = 0;
	for (i = 0; i < b->nzones; i++) {
		const struct bzone *bz = &b->zones[i];
		struct table_zone *z = &t->zones[i];
		uint8_t *p = t->arena + off;
		uint32_t neg = bz->ttl < bz->minimum ? bz->ttl : bz->minimum;

		memcpy(z->apex, bz->apex, bz->apex_len);
		z->apex_len = bz->apex_len;
		z->index = (uint16_t)i;
		z->serial = bz->serial;
		z->dhead = zone_dhead(bz);
		t->apex_lens[z->apex_len / 8] |= 1u << (z->apex_len % 8);
		/* RFC 2308 section 5: the negative TTL is min(TTL, MINIMUM). */
		memcpy(p, zw[i].soa, zw[i].soa_len);
		put_rr_head(p, 0xc000, LDNS_RR_TYPE_SOA, neg,
			    (uint16_t)(zw[i].soa_len - RR_FIXED));
		put_rrset(&z->neg, LDNS_RR_TYPE_SOA, 1, p, zw[i].soa_len);
		z->neg.apex_rel[0] = zw[i].apex_rel[0];
		z->neg.apex_rel[1] = zw[i].apex_rel[1];
		off += align8(zw[i].soa_len);
	}
	seg->first = off;
	for (i = 0; i < b->nnames; i++) {
		const struct bname *n = &b->names[i];
		struct table_node *node = (struct table_node *)(t->arena + off);
		size_t j = n->hash & t->slots_mask;

		t->nrecords += write_node(b, n, &zw[n->zone], refs, scratch,
					  c, node);
		*node_stats(node) = st[i];
		t->zones[n->zone].rsum += name_rsum(b, n);
		if (node->nrrsets > 0)
			t->nnames++;
		while (t->slots[j] != NONE)
			j = (j + 1) & t->slots_mask;
		t->slots[j] = (uint32_t)(off / 8);
		off += node_size(b, &zw[n->zone], n);
	}
	t->nnodes = b->nnames;
	if (build_chaos(b, t) < 0 || build_views(b, t) < 0 ||
	    table_rdeps_build(t) < 0)
		goto out;
	if (b->nsuffixes > 0) {
		t->suffixes = malloc(b->nsuffixes * sizeof(*t->suffixes));
		if (t->suffixes == NULL)
			goto out;
		memcpy(t->suffixes, b->suffixes,
		       b->nsuffixes * sizeof(*t->suffixes));
		t->nsuffixes = b->nsuffixes;
	}
	*out = t;
	t = NULL;
	rc = 0;
out:
	if (zw != NULL)
		for (i = 0; i < b->nzones; i++)
			free(zw[i].ns);
	free(zw);
	free(refs);
	free(scratch);
	free(st);
	free(c);
	free(buf);
	table_free(t);
	table_builder_free(b);
	return rc;
}
