/* SPDX-License-Identifier: MIT */
/* table.c -- the immutable answer table: zones, names, precompiled RRsets. */
/*
 * Build side.  The builder interns every owner name (canonical wire form)
 * in one open-addressing hash set and chains its A/AAAA records in a flat
 * array, so adding a name costs one ldns parse plus O(1) hashing; nothing
 * is allocated per record.  Each name remembers its zone (longest apex).
 *
 * Finish.  Every ancestor of a name up to its apex is interned too (empty
 * non-terminals), then the sizes of all nodes are summed and the whole
 * table is written into one arena: per node a small header, its RRset
 * descriptors, its name and the RRsets' wire bytes, adjacent so that a
 * lookup touches one or two cache lines.  The hash index is an array of
 * 32-bit arena offsets (in 8-byte units).  For a name with one A record
 * that is about 80 bytes in all.
 *
 * Read side.  table_find_zone walks the query name's label suffixes and
 * compares them with the apexes (filtered by apex length); table_lookup
 * hashes the name once and probes linearly.  Neither allocates.
 *
 * The wire bytes: every RR's owner is the pointer 0xC00C (the question
 * name); the negative SOA's owner is 0xC000, which answer.c patches to the
 * apex's offset in the question.  SOA and NS rdata are produced by ldns
 * (uncompressed names); A/AAAA rdata is the address itself.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <ldns/ldns.h>

#include "table.h"

#define NAME_MAX_WIRE	255
#define NONE		UINT32_MAX
#define RR_FIXED	12	/* owner pointer, type, class, TTL, rdlength */
/*
 * The largest RRset we accept: it must fit a 65535-byte TCP message with
 * the header, the longest question and an OPT record.
 */
#define RRSET_MAX	(65535 - 12 - (NAME_MAX_WIRE + 4) - 11)

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

struct bname {
	uint32_t off;		/* into the name arena */
	uint32_t hash;
	uint32_t head;		/* first record, or NONE */
	uint16_t zone;
	uint8_t len;
	uint16_t count[2];	/* A, AAAA records */
};

struct brec {
	uint32_t next;		/* next record of the same name, or NONE */
	uint32_t ttl;
	uint8_t fam;		/* 0 = A, 1 = AAAA */
	uint8_t addr[16];
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
};

/* --- table --- */

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
	struct table_rrset rrsets[];
};

struct table {
	struct table_zone *zones;
	size_t nzones;
	uint8_t apex_lens[32];	/* bitmap of apex lengths */
	uint8_t *arena;
	uint32_t *slots;	/* node offsets in 8-byte units, or NONE */
	size_t slots_mask;
	size_t nnodes;
	size_t nnames;
	size_t nrecords;
};

static uint64_t
fnv64(uint64_t h, const void *p, size_t n)
{
	const uint8_t *b = p;
	size_t i;

	for (i = 0; i < n; i++) {
		h ^= b[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

#define FNV64_INIT 0xcbf29ce484222325ULL

/* A final mix so that the low bits (the hash index) depend on every byte. */
static uint64_t
mix64(uint64_t h)
{
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ULL;
	h ^= h >> 33;
	return h;
}

static uint32_t
name_hash(const uint8_t *name, size_t len)
{
	return (uint32_t)mix64(fnv64(FNV64_INIT, name, len));
}

static void
put16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v & 0xff;
}

static void
put32(uint8_t *p, uint32_t v)
{
	p[0] = v >> 24;
	p[1] = (v >> 16) & 0xff;
	p[2] = (v >> 8) & 0xff;
	p[3] = v & 0xff;
}

/* The RR's fixed part after the owner pointer @ptr. */
static uint8_t *
put_rr_head(uint8_t *p, uint16_t ptr, uint16_t type, uint32_t ttl,
	    uint16_t rdlen)
{
	put16(p, ptr);
	put16(p + 2, type);
	put16(p + 4, LDNS_RR_CLASS_IN);
	put32(p + 6, ttl);
	put16(p + 10, rdlen);
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
	return calloc(1, sizeof(struct table_builder));
}

void
table_builder_free(struct table_builder *b)
{
	size_t i;

	if (b == NULL)
		return;
	for (i = 0; i < b->nzones; i++)
		free(b->zones[i].ns);
	free(b->zones);
	free(b->text);
	free(b->names);
	free(b->slots);
	free(b->recs);
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

/* Rehash the name set into @cap slots (a power of two). */
static int
grow_slots(struct table_builder *b, size_t cap)
{
	uint32_t *slots = NULL;
	size_t i;

	if ((slots = malloc(cap * sizeof(*slots))) == NULL)
		return -ENOMEM;
	memset(slots, 0xff, cap * sizeof(*slots));
	for (i = 0; i < b->nnames; i++) {
		size_t j = b->names[i].hash & (cap - 1);

		while (slots[j] != NONE)
			j = (j + 1) & (cap - 1);
		slots[j] = (uint32_t)i;
	}
	free(b->slots);
	b->slots = slots;
	b->slots_cap = cap;
	return 0;
}

/*
 * The index of name @wire in the set, added (with no records, in zone
 * @zone) when it is not there yet.  0, or -ENOMEM.
 */
static int
intern(struct table_builder *b, const uint8_t *wire, size_t len, int zone,
       uint32_t *idx)
{
	uint32_t h = name_hash(wire, len);
	struct bname *n = NULL;
	size_t j;

	if ((b->nnames + 1) * 2 > b->slots_cap &&
	    grow_slots(b, b->slots_cap ? b->slots_cap * 2 : 1024) < 0)
		return -ENOMEM;
	j = h & (b->slots_cap - 1);
	while (b->slots[j] != NONE) {
		n = &b->names[b->slots[j]];
		if (n->hash == h && n->len == len &&
		    memcmp(b->text + n->off, wire, len) == 0) {
			*idx = b->slots[j];
			return 0;
		}
		j = (j + 1) & (b->slots_cap - 1);
	}
	if (b->nnames >= NONE - 1 || b->text_len + len > NONE)
		return -ENOMEM;
	if (b->nnames == b->names_cap) {
		size_t cap = b->names_cap ? b->names_cap * 2 : 1024;
		struct bname *v = realloc(b->names, cap * sizeof(*v));

		if (v == NULL)
			return -ENOMEM;
		b->names = v;
		b->names_cap = cap;
	}
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
	n = &b->names[b->nnames];
	memset(n, 0, sizeof(*n));
	n->off = (uint32_t)b->text_len;
	n->hash = h;
	n->head = NONE;
	n->zone = (uint16_t)zone;
	n->len = (uint8_t)len;
	b->text_len += len;
	b->slots[j] = (uint32_t)b->nnames;
	*idx = (uint32_t)b->nnames++;
	return 0;
}

static size_t
rr_size(int fam)
{
	return RR_FIXED + (fam ? 16 : 4);
}

int
table_builder_add_addr(struct table_builder *b, const char *name,
		       int family, const uint8_t *addr, uint32_t ttl)
{
	uint8_t wire[NAME_MAX_WIRE];
	struct bname *n = NULL;
	struct brec *r = NULL;
	size_t len = 0;
	size_t alen;
	uint32_t idx = 0;
	uint32_t i;
	int fam;
	int zone;
	int rc;

	if (family == AF_INET) {
		fam = 0;
		alen = 4;
	} else if (family == AF_INET6) {
		fam = 1;
		alen = 16;
	} else {
		return -EINVAL;
	}
	if (addr == NULL || parse_name(name, wire, &len, NULL) < 0)
		return -EINVAL;
	if ((zone = bzone_find(b, wire, len)) < 0)
		return -ENOENT;
	if ((rc = intern(b, wire, len, zone, &idx)) < 0)
		return rc;
	n = &b->names[idx];
	for (i = n->head; i != NONE; i = b->recs[i].next) {
		r = &b->recs[i];
		if (r->fam == fam && memcmp(r->addr, addr, alen) == 0) {
			/* Kept once, with the lower TTL whatever the order. */
			if (ttl < r->ttl)
				r->ttl = ttl;
			return 0;
		}
	}
	if ((n->count[fam] + 1) * rr_size(fam) > RRSET_MAX)
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
	r = &b->recs[b->nrecs];
	memset(r, 0, sizeof(*r));
	r->fam = (uint8_t)fam;
	r->ttl = ttl;
	memcpy(r->addr, addr, alen);
	r->next = n->head;
	n->head = (uint32_t)b->nrecs++;
	n->count[fam]++;
	return 0;
}

static uint64_t
hash_u32(uint64_t h, uint32_t v)
{
	uint8_t b[4];

	put32(b, v);
	return fnv64(h, b, 4);
}

uint64_t
table_builder_zone_digest(const struct table_builder *b, int zone)
{
	const struct bzone *z = NULL;
	uint64_t h = FNV64_INIT;
	uint64_t sum = 0;
	size_t i;
	uint32_t r;

	if (zone < 0 || (size_t)zone >= b->nzones)
		return 0;
	z = &b->zones[zone];
	h = fnv64(h, z->apex, z->apex_len);
	h = fnv64(h, z->mname, z->mname_len);
	h = fnv64(h, z->rname, z->rname_len);
	h = hash_u32(h, z->refresh);
	h = hash_u32(h, z->retry);
	h = hash_u32(h, z->expire);
	h = hash_u32(h, z->minimum);
	h = hash_u32(h, z->ttl);
	h = fnv64(h, z->ns, z->ns_len);	/* sorted when added */
	/*
	 * Records: the sum of one strong hash per record.  Records are unique
	 * (duplicates are dropped when added), so the sum is the same for the
	 * same set whatever the order of insertion, without sorting a copy.
	 */
	for (i = 0; i < b->nnames; i++) {
		const struct bname *n = &b->names[i];

		if (n->zone != zone)
			continue;
		for (r = n->head; r != NONE; r = b->recs[r].next) {
			const struct brec *rec = &b->recs[r];
			uint64_t rh = FNV64_INIT;

			rh = fnv64(rh, b->text + n->off, n->len);
			rh = fnv64(rh, &rec->fam, 1);
			rh = fnv64(rh, rec->addr, rec->fam ? 16 : 4);
			rh = hash_u32(rh, rec->ttl);
			sum += mix64(rh);
		}
	}
	return mix64(h ^ mix64(sum + 0x9e3779b97f4a7c15ULL));
}

void
table_builder_set_serial(struct table_builder *b, int zone, uint32_t serial)
{
	if (zone >= 0 && (size_t)zone < b->nzones)
		b->zones[zone].serial = serial;
}

/* --- finish --- */

static size_t
align8(size_t n)
{
	return (n + 7) & ~(size_t)7;
}

static size_t
soa_rdlen(const struct bzone *z)
{
	return z->mname_len + z->rname_len + 20;
}

/* Is name @n the apex of its zone? */
static int
is_apex(const struct table_builder *b, const struct bname *n)
{
	return n->len == b->zones[n->zone].apex_len;
}

static size_t
node_size(const struct table_builder *b, const struct bname *n)
{
	size_t nsets = (n->count[0] > 0) + (n->count[1] > 0);
	size_t wire = n->count[0] * rr_size(0) + n->count[1] * rr_size(1);

	if (is_apex(b, n)) {
		const struct bzone *z = &b->zones[n->zone];

		nsets += 2;
		wire += RR_FIXED + soa_rdlen(z);
		wire += z->nns * RR_FIXED + z->ns_len;
	}
	return align8(sizeof(struct table_node) +
		      nsets * sizeof(struct table_rrset) + n->len + wire);
}

/* Add every ancestor of every name up to its apex, and every apex. */
static int
add_ancestors(struct table_builder *b)
{
	size_t n0 = b->nnames;
	uint32_t idx = 0;
	size_t i;
	int rc;

	for (i = 0; i < b->nzones; i++) {
		rc = intern(b, b->zones[i].apex, b->zones[i].apex_len, (int)i,
			    &idx);
		if (rc < 0)
			return rc;
	}
	for (i = 0; i < n0; i++) {
		uint8_t wire[NAME_MAX_WIRE];
		size_t len = b->names[i].len;
		size_t alen = b->zones[b->names[i].zone].apex_len;
		int zone = b->names[i].zone;
		size_t off = 0;

		/* intern() may move b->names: copy the name first. */
		memcpy(wire, b->text + b->names[i].off, len);
		while (len - off > alen) {
			off += wire[off] + 1;
			if ((rc = intern(b, wire + off, len - off, zone,
					 &idx)) < 0)
				return rc;
		}
	}
	return 0;
}

static int
cmp_rec(const void *a, const void *b)
{
	const struct brec *x = *(const struct brec *const *)a;
	const struct brec *y = *(const struct brec *const *)b;

	if (x->fam != y->fam)
		return (int)x->fam - (int)y->fam;
	return memcmp(x->addr, y->addr, 16);
}

/* Build the SOA rdata (mname, rname, serial, timers) with ldns into @out. */
static int
soa_rdata(const struct bzone *z, uint8_t *out, size_t *len)
{
	ldns_rr *rr = NULL;
	ldns_buffer *buf = NULL;
	ldns_rdf *rdf = NULL;
	uint32_t v[5] = { z->serial, z->refresh, z->retry, z->expire,
			  z->minimum };
	size_t i;
	int rc = -ENOMEM;

	if ((rr = ldns_rr_new()) == NULL)
		goto out;
	ldns_rr_set_type(rr, LDNS_RR_TYPE_SOA);
	for (i = 0; i < 7; i++) {
		if (i == 0)
			rdf = ldns_rdf_new_frm_data(LDNS_RDF_TYPE_DNAME,
						    z->mname_len, z->mname);
		else if (i == 1)
			rdf = ldns_rdf_new_frm_data(LDNS_RDF_TYPE_DNAME,
						    z->rname_len, z->rname);
		else
			rdf = ldns_native2rdf_int32(i == 2 ?
						    LDNS_RDF_TYPE_INT32 :
						    LDNS_RDF_TYPE_PERIOD,
						    v[i - 2]);
		if (rdf == NULL || !ldns_rr_push_rdf(rr, rdf))
			goto out;
		rdf = NULL;
	}
	if ((buf = ldns_buffer_new(2 * NAME_MAX_WIRE + 20)) == NULL)
		goto out;
	if (ldns_rr_rdata2buffer_wire(buf, rr) != LDNS_STATUS_OK ||
	    ldns_buffer_position(buf) != soa_rdlen(z))
		goto out;
	*len = ldns_buffer_position(buf);
	memcpy(out, ldns_buffer_begin(buf), *len);
	rc = 0;
out:
	ldns_rdf_deep_free(rdf);
	ldns_buffer_free(buf);
	ldns_rr_free(rr);
	return rc;
}

/* One NS RR's rdata (the name, uncompressed) with ldns into @out. */
static int
ns_rdata(const uint8_t *name, uint8_t *out, size_t *len)
{
	ldns_rdf *rdf = NULL;
	ldns_buffer *buf = NULL;
	int rc = -ENOMEM;

	rdf = ldns_rdf_new_frm_data(LDNS_RDF_TYPE_DNAME,
				    wire_len(name), name);
	if (rdf == NULL || (buf = ldns_buffer_new(NAME_MAX_WIRE)) == NULL)
		goto out;
	if (ldns_rdf2buffer_wire(buf, rdf) != LDNS_STATUS_OK)
		goto out;
	*len = ldns_buffer_position(buf);
	memcpy(out, ldns_buffer_begin(buf), *len);
	rc = 0;
out:
	ldns_buffer_free(buf);
	ldns_rdf_deep_free(rdf);
	return rc;
}

struct zone_wire {
	uint8_t soa[2 * NAME_MAX_WIRE + 20];
	size_t soa_len;
	uint8_t *ns;		/* the NS RRset: RR_FIXED + name per NS */
	size_t ns_len;
};

static int
build_zone_wire(const struct bzone *z, struct zone_wire *w)
{
	const uint8_t *name = z->ns;
	uint8_t *p = NULL;
	size_t len = 0;
	size_t i;
	int rc;

	if ((rc = soa_rdata(z, w->soa, &w->soa_len)) < 0)
		return rc;
	if ((w->ns = malloc(z->nns * RR_FIXED + z->ns_len)) == NULL)
		return -ENOMEM;
	p = w->ns;
	for (i = 0; i < z->nns; i++) {
		len = wire_len(name);
		p = put_rr_head(p, 0xc00c, LDNS_RR_TYPE_NS, z->ttl,
				(uint16_t)len);
		if ((rc = ns_rdata(name, p, &len)) < 0)
			return rc;
		p += len;
		name += len;
	}
	w->ns_len = (size_t)(p - w->ns);
	return 0;
}

static struct table_rrset *
put_rrset(struct table_rrset *set, uint16_t type, size_t count,
	  const uint8_t *wire, size_t len)
{
	set->type = type;
	set->count = (uint16_t)count;
	set->len = (uint16_t)len;
	set->wire = wire;
	return set + 1;
}

/* The A (@fam 0) or AAAA (@fam 1) RRset of a name at @p; returns the end. */
static uint8_t *
write_addrs(const struct brec *const *recs, size_t nrecs, int fam,
	    uint8_t *p)
{
	uint16_t type = fam ? LDNS_RR_TYPE_AAAA : LDNS_RR_TYPE_A;
	size_t alen = fam ? 16 : 4;
	uint32_t ttl = UINT32_MAX;
	size_t i;

	/* One TTL per RRset (RFC 2181 section 5.2): the lowest. */
	for (i = 0; i < nrecs; i++)
		if (recs[i]->fam == fam && recs[i]->ttl < ttl)
			ttl = recs[i]->ttl;
	for (i = 0; i < nrecs; i++) {
		if (recs[i]->fam != fam)
			continue;
		p = put_rr_head(p, 0xc00c, type, ttl, (uint16_t)alen);
		memcpy(p, recs[i]->addr, alen);
		p += alen;
	}
	return p;
}

/*
 * Write node @n at @node.  @recs is scratch room for the name's records.
 * Returns the number of RRs written.
 */
static size_t
write_node(const struct table_builder *b, const struct bname *n,
	   const struct zone_wire *zw, const struct brec **recs,
	   struct table_node *node)
{
	const struct bzone *z = &b->zones[n->zone];
	struct table_rrset *set = node->rrsets;
	uint8_t *p = NULL;
	uint8_t *start = NULL;
	size_t nrecs = 0;
	size_t nrr = 0;
	uint32_t r;
	int apex = is_apex(b, n);

	node->nrrsets = (n->count[0] > 0) + (n->count[1] > 0) + (apex ? 2 : 0);
	node->hash = n->hash;
	node->zone = n->zone;
	node->len = n->len;
	p = (uint8_t *)(node->rrsets + node->nrrsets);
	memcpy(p, b->text + n->off, n->len);
	p += n->len;

	for (r = n->head; r != NONE; r = b->recs[r].next)
		recs[nrecs++] = &b->recs[r];
	/* Sorted by address: the output does not depend on insertion order. */
	qsort(recs, nrecs, sizeof(*recs), cmp_rec);

	/* RRsets in type order: A (1), NS (2), SOA (6), AAAA (28). */
	if (n->count[0] > 0) {
		start = p;
		p = write_addrs(recs, nrecs, 0, p);
		set = put_rrset(set, LDNS_RR_TYPE_A, n->count[0], start,
				(size_t)(p - start));
		nrr += n->count[0];
	}
	if (apex) {
		memcpy(p, zw->ns, zw->ns_len);
		set = put_rrset(set, LDNS_RR_TYPE_NS, z->nns, p, zw->ns_len);
		p += zw->ns_len;
		start = p;
		p = put_rr_head(p, 0xc00c, LDNS_RR_TYPE_SOA, z->ttl,
				(uint16_t)zw->soa_len);
		memcpy(p, zw->soa, zw->soa_len);
		p += zw->soa_len;
		set = put_rrset(set, LDNS_RR_TYPE_SOA, 1, start,
				(size_t)(p - start));
		nrr += z->nns + 1;
	}
	if (n->count[1] > 0) {
		start = p;
		p = write_addrs(recs, nrecs, 1, p);
		put_rrset(set, LDNS_RR_TYPE_AAAA, n->count[1], start,
			  (size_t)(p - start));
		nrr += n->count[1];
	}
	return nrr;
}

int
table_builder_finish(struct table_builder *b, struct table **out)
{
	struct table *t = NULL;
	struct zone_wire *zw = NULL;
	const struct brec **recs = NULL;
	size_t maxrecs = 1;
	size_t total = 0;
	size_t off;
	size_t cap;
	size_t i;
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
	if (t->zones == NULL || zw == NULL)
		goto out;
	for (i = 0; i < b->nzones; i++) {
		if ((rc = build_zone_wire(&b->zones[i], &zw[i])) < 0)
			goto out;
		total += align8(RR_FIXED + zw[i].soa_len);
	}
	rc = -ENOMEM;
	for (i = 0; i < b->nnames; i++) {
		const struct bname *n = &b->names[i];

		total += node_size(b, n);
		if ((size_t)n->count[0] + n->count[1] > maxrecs)
			maxrecs = (size_t)n->count[0] + n->count[1];
	}
	/* Offsets are 32-bit in 8-byte units. */
	if (total / 8 >= NONE)
		goto out;
	if ((t->arena = calloc(1, total ? total : 8)) == NULL)
		goto out;
	if ((recs = malloc(maxrecs * sizeof(*recs))) == NULL)
		goto out;
	for (cap = 16; cap < 2 * b->nnames; cap *= 2)
		;
	if ((t->slots = malloc(cap * sizeof(*t->slots))) == NULL)
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
		t->apex_lens[z->apex_len / 8] |= 1u << (z->apex_len % 8);
		/* RFC 2308 section 5: the negative TTL is min(TTL, MINIMUM). */
		memcpy(put_rr_head(p, 0xc000, LDNS_RR_TYPE_SOA, neg,
				   (uint16_t)zw[i].soa_len),
		       zw[i].soa, zw[i].soa_len);
		put_rrset(&z->neg, LDNS_RR_TYPE_SOA, 1, p,
			  RR_FIXED + zw[i].soa_len);
		off += align8(RR_FIXED + zw[i].soa_len);
	}
	for (i = 0; i < b->nnames; i++) {
		const struct bname *n = &b->names[i];
		struct table_node *node = (struct table_node *)(t->arena + off);
		size_t j = n->hash & t->slots_mask;

		t->nrecords += write_node(b, n, &zw[n->zone], recs, node);
		if (node->nrrsets > 0)
			t->nnames++;
		while (t->slots[j] != NONE)
			j = (j + 1) & t->slots_mask;
		t->slots[j] = (uint32_t)(off / 8);
		off += node_size(b, n);
	}
	t->nnodes = b->nnames;
	*out = t;
	t = NULL;
	rc = 0;
out:
	if (zw != NULL)
		for (i = 0; i < b->nzones; i++)
			free(zw[i].ns);
	free(zw);
	free(recs);
	table_free(t);
	table_builder_free(b);
	return rc;
}

void
table_free(struct table *t)
{
	if (t == NULL)
		return;
	free(t->zones);
	free(t->arena);
	free(t->slots);
	free(t);
}

size_t
table_zone_count(const struct table *t)
{
	return t->nzones;
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

static const uint8_t *
node_name(const struct table_node *node)
{
	return (const uint8_t *)(node->rrsets + node->nrrsets);
}

const struct table_node *
table_lookup(const struct table *t, const struct table_zone *zone,
	     const uint8_t *lname, size_t len)
{
	uint32_t h = name_hash(lname, len);
	size_t j = h & t->slots_mask;

	while (t->slots[j] != NONE) {
		const struct table_node *node = (const struct table_node *)
			(t->arena + (size_t)t->slots[j] * 8);

		if (node->hash == h && node->len == len &&
		    memcmp(node_name(node), lname, len) == 0)
			return zone == NULL || node->zone == zone->index ?
			       node : NULL;
		j = (j + 1) & t->slots_mask;
	}
	return NULL;
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
