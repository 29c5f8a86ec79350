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
 * Besides the zones the table holds what answer.c needs for the rest of
 * its decisions: the CHAOS TXT answers (version.bind ...), the search
 * suffixes whose expansions of served names are answered NXDOMAIN, and
 * the per-client views (which owners' names a client address may see).
 *
 * This header is the read side (table.c), the hot path: no allocation, no
 * ldns, no I/O, no logging.  A table is made by a builder (table_build.h)
 * or from a start-up cache image (table_image.h).
 */
#ifndef MESHDNS_TABLE_H
#define MESHDNS_TABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct sockaddr;
struct table;

/*
 * The owner of a name visible to every client (owners and views: see
 * table_build.h).
 */
#define TABLE_OWNER_NONE UINT32_MAX

/*
 * The scope of a name every client's scope shares (scopes: see
 * table_build.h).
 */
#define TABLE_SCOPE_NONE UINT32_MAX

void table_free(struct table *t);

/*
 * Counts, for logging: zones; names that own data (apexes and names with
 * records, not empty non-terminals); RRs (A, AAAA, SRV, PTR, and per zone
 * its SOA and NS RRs; not the additional copies); nodes (names plus empty
 * non-terminals); views.
 */
size_t table_zone_count(const struct table *t);
size_t table_name_count(const struct table *t);
size_t table_record_count(const struct table *t);
size_t table_node_count(const struct table *t);
size_t table_view_count(const struct table *t);

/*
 * The zones, for what walks them (NOTIFY, transfers): zone @i, 0 to
 * table_zone_count() - 1 (NULL beyond), in the order they were added;
 * its apex, canonical wire form, *len bytes; its SOA RRset (one RR,
 * owner 0xC00C: an answer right after a question for the apex).
 */
const struct table_zone *table_zone_at(const struct table *t, size_t i);
const uint8_t *table_zone_apex(const struct table_zone *z, size_t *len);
const struct table_rrset *table_zone_soa(const struct table *t,
					 const struct table_zone *z);

/* The serial of a SOA RRset (table_zone_soa()), 0 for NULL. */
uint32_t table_soa_serial(const struct table_rrset *soa);

/*
 * --- read side, used by answer.c ---
 *
 * No allocation, no ldns.  Pointers returned are borrowed, valid while the
 * table lives.
 */

/*
 * Names in RDATA.  NS, SOA (MNAME, RNAME) and PTR names are compressed
 * (RFC 1035 section 4.1.4, RFC 3597 section 4) against the RDATA names
 * before them in the same RRset, with absolute pointers: an answer RRset
 * must be written right after the question, and the question is then the
 * node's name, so every offset is known when the table is built.  Never
 * against the question, whose case is the client's: RDATA names stay
 * lower-case.  SRV targets are never compressed (RFC 2782).
 *
 * An RRset's answer section, and for SRV its additional section, which
 * follows at wire + len: add_count RRs in add_len bytes, each RR's owner
 * a compression pointer 0xC000 | r where r is the offset of the name
 * relative to the start of the answer RRs (wire).  The caller adds the
 * offset at which it writes the answer RRs in the message (the result
 * stays below 0x4000 for any question).  The additional RRs come as whole
 * RRsets, one after the other (RRs of one RRset share owner and type).
 */
struct table_rrset {
	uint16_t type;
	uint16_t count;		/* RRs */
	uint16_t len;		/* bytes at wire */
	uint16_t add_count;	/* additional RRs, after the answer RRs */
	uint16_t add_len;	/* their bytes */
	uint16_t apex_rel[2];	/* negative SOA: see table_zone_soa_authority */
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
 * Empty non-terminals are nodes without RRsets.  In a table with scopes
 * it is one of the name's nodes, whatever its scope.
 */
const struct table_node *table_lookup(const struct table *t,
				      const struct table_zone *zone,
				      const uint8_t *lname, size_t len);

/*
 * table_lookup() for the client @client (may be NULL: no address): in a
 * table with scopes, the node of the name in the client's scope (its
 * view's, or the default scope), else the shared one; a node the client's
 * view hides, or a name that exists only in other scopes, is NULL too,
 * and then *hidden is set (else cleared).  When the table has no views,
 * no scopes and the default sees everything this costs one branch more
 * than table_lookup(); else one hash lookup of the address and one of
 * (view, owner), only for owned nodes.
 */
const struct table_node *table_lookup_client(const struct table *t,
					     const struct table_zone *zone,
					     const uint8_t *lname, size_t len,
					     const struct sockaddr *client,
					     bool *hidden);

/*
 * May @client (NULL: no address) see @node (its scope and its owner)?
 * AF_INET and AF_INET6
 * addresses are matched (the port ignored; an IPv4-mapped IPv6 address as
 * IPv4); any other family is no view.
 */
bool table_node_visible(const struct table *t, const struct table_node *node,
			const struct sockaddr *client);

/*
 * The RRset of @type at @node, or NULL (NODATA when the node exists; NULL
 * too when @node is NULL).  Apex nodes have NS and SOA RRsets.  RDATA
 * names: see struct table_rrset.
 */
const struct table_rrset *table_node_rrset(const struct table_node *node,
					   uint16_t type);

/*
 * The zone's negative authority section: one SOA RR, to be written right
 * after the question, whose owner is a compression pointer to be patched
 * by the caller (first two bytes of wire) to the apex's offset in the
 * message.  Its MNAME and RNAME may be compressed as if the question
 * were the apex: apex_rel[i], when not 0, is the offset in wire of a
 * compression pointer to which the caller adds the apex's offset inside
 * the question name (the SOA's RDATA, which it points into, moves by that
 * much).
 */
const struct table_rrset *table_zone_soa_authority(const struct table_zone *z);

/*
 * The CHAOS TXT answer for the canonical wire name @lname (version.bind,
 * version.server, id.server, hostname.bind): one TXT RR, class CH, TTL 0,
 * owner pointer 0xC00C.  NULL for another name or a hidden one.
 */
const struct table_rrset *table_chaos_txt(const struct table *t,
					  const uint8_t *lname, size_t len);

/*
 * Is the canonical wire name @lname a served name with a search suffix
 * appended (see table_builder_add_search_suffix())?  Meant for names in
 * no zone; linear in the number of suffixes.
 */
bool table_search_match(const struct table *t, const uint8_t *lname,
			size_t len);

#endif
