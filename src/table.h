/* SPDX-License-Identifier: MIT */
/*
 * table.h -- the immutable answer table: zones, names, precompiled RRsets.
 *
 * Built once per snapshot with a builder, then only read (from any number
 * of threads).  Names are stored in canonical form (lower-case wire format)
 * in a hash table; every ancestor of a name inside its zone exists as a
 * node, so empty non-terminals answer NODATA and not NXDOMAIN.  Each node
 * holds, per type it has, the answer section already in wire form with the
 * owner name compressed to the question (offset 12); each zone holds its
 * apex SOA/NS answers and its negative authority section (the SOA with
 * the negative TTL, min(SOA TTL, SOA minimum)).
 *
 * Pure: no I/O, no logging.  Uses ldns to build wire data.
 */
#ifndef MESHDNS_TABLE_H
#define MESHDNS_TABLE_H

#include <stddef.h>
#include <stdint.h>

struct table;
struct table_builder;

struct table_zone_params {
	const char *apex;	/* "mesh.local" or "mesh.local." */
	/*
	 * Names are always taken as absolute, final dot or not: "ns.mesh"
	 * is ns.mesh., not ns.mesh.<apex>.  Stored in lower case.
	 */
	const char *mname;	/* SOA MNAME */
	const char *rname;	/* SOA RNAME, e.g. "hostmaster.mesh" */
	uint32_t refresh, retry, expire, minimum;
	uint32_t ttl;		/* TTL of the SOA and NS RRs */
	const char *const *ns;	/* NS names (1 to 64; duplicates kept once) */
	size_t nns;
};

/* NULL on ENOMEM. */
struct table_builder *table_builder_new(void);

/* Free a builder that was not finished; NULL is a no-op. */
void table_builder_free(struct table_builder *b);

/*
 * Add a zone.  Returns its index (0, 1, ...) or -1 with a message in @err
 * that does not repeat the apex, e.g. "invalid apex (Empty label)", "zone
 * defined twice", "invalid NS name \"a..b\" (Empty label)" (-ENOMEM with
 * "out of memory").  A zone inside another is allowed; names already
 * added move to the new zone when they fall in it.  @p's strings are
 * copied.
 */
int table_builder_add_zone(struct table_builder *b,
			   const struct table_zone_params *p, char *err,
			   size_t errsize);

/*
 * The index of the zone @name (text, final dot optional) falls in (the
 * longest matching apex), or -1 when it is in no zone or not a valid name.
 */
int table_builder_find_zone(const struct table_builder *b, const char *name);

/*
 * Add an A (@family AF_INET, 4 bytes) or AAAA (AF_INET6, 16 bytes) record.
 * The same record twice is kept once (with the lower TTL); an RRset gets
 * the lowest TTL of its records (RFC 2181 5.2).  Matching is
 * case-insensitive.  Returns 0, -ENOENT when @name is in no zone, -EINVAL
 * when @name is not a valid domain name or @family is neither,
 * -EMSGSIZE when the name's RRset of that type would not fit a 64 KiB
 * message (more than about 4000 A or 2300 AAAA records), -ENOMEM.
 */
int table_builder_add_addr(struct table_builder *b, const char *name,
			   int family, const uint8_t *addr, uint32_t ttl);

/*
 * A digest of zone @zone's content (apex, SOA fields except the serial,
 * NS names, every name's records with TTLs), to decide whether the serial
 * must change.  Stable across runs and machines, and independent of the
 * order in which records and NS names were added.  0 for a bad @zone.
 */
uint64_t table_builder_zone_digest(const struct table_builder *b, int zone);

/* Set the SOA serial of @zone (default 1). */
void table_builder_set_serial(struct table_builder *b, int zone,
			      uint32_t serial);

/*
 * Compile everything into an immutable table.  The builder is consumed
 * (freed) whatever the result.  Returns 0 with *out set (caller owns, free
 * with table_free()), or -ENOMEM.
 */
int table_builder_finish(struct table_builder *b, struct table **out);

void table_free(struct table *t);

/*
 * Counts, for logging: zones; names that own data (apexes and names with
 * records, not empty non-terminals); RRs (A, AAAA, and per zone its SOA
 * and NS RRs); nodes (names plus empty non-terminals).
 */
size_t table_zone_count(const struct table *t);
size_t table_name_count(const struct table *t);
size_t table_record_count(const struct table *t);
size_t table_node_count(const struct table *t);

/*
 * --- read side, used by answer.c ---
 *
 * No allocation, no ldns.  Pointers returned are borrowed, valid while the
 * table lives.
 */

struct table_rrset {
	uint16_t type;
	uint16_t count;		/* RRs */
	uint16_t len;		/* bytes at wire */
	const uint8_t *wire;	/* RRs, owner = pointer to offset 12 */
};

struct table_zone;
struct table_node;

/*
 * Find the zone of the canonical (lower-case) wire name @lname of @len
 * bytes: the longest apex that is a suffix of it.  Stores the apex's
 * offset inside @lname in *apex_off.  NULL when it is in no zone.
 */
const struct table_zone *table_find_zone(const struct table *t,
					 const uint8_t *lname, size_t len,
					 size_t *apex_off);

/*
 * The node of the canonical wire name @lname in @zone, or NULL (NXDOMAIN).
 * Empty non-terminals are nodes without RRsets.
 */
const struct table_node *table_lookup(const struct table *t,
				      const struct table_zone *zone,
				      const uint8_t *lname, size_t len);

/*
 * The RRset of @type at @node, or NULL (NODATA when the node exists; NULL
 * too when @node is NULL).  Apex nodes have NS and SOA RRsets whose rdata
 * names are uncompressed.
 */
const struct table_rrset *table_node_rrset(const struct table_node *node,
					   uint16_t type);

/*
 * The zone's negative authority section: one SOA RR whose owner is a
 * compression pointer to be patched by the caller (first two bytes of
 * wire) to the apex's offset in the message.
 */
const struct table_rrset *table_zone_soa_authority(const struct table_zone *z);

#endif
