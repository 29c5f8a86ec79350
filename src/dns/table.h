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
 * Pure: no I/O, no logging.  Uses ldns to build wire data.
 */
#ifndef MESHDNS_TABLE_H
#define MESHDNS_TABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct sockaddr;
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
 * Owners and views (per-client visibility, Kuma's reachable backends).
 *
 * An owner is any number the caller chooses (a service index, say); it
 * belongs to a name, not to a record: all RRsets of a name are visible or
 * hidden together.  Names are unowned (TABLE_OWNER_NONE, visible to every
 * client) unless given one.  A view is a client address; it sees the
 * unowned names and the names of the owners it is allowed.  A client
 * address that is no view sees everything, or only the unowned names after
 * table_builder_set_default_view(b, 0).  A hidden name is answered as if
 * it did not exist: NXDOMAIN with the SOA.
 *
 * Empty non-terminals take the owner their descendants share, so that
 * _tcp.redis.mesh is hidden with _http._tcp.redis.mesh and redis.mesh;
 * one whose descendants have different owners (or none) is unowned and
 * answers NODATA to every client, even one that sees none of them.  A zone
 * apex is always unowned.  Additional records (the addresses of SRV
 * targets) are only those of unowned targets or of targets with the SRV
 * name's own owner, so they never show a client more than the SRV does.
 */
#define TABLE_OWNER_NONE UINT32_MAX

/*
 * table_builder_add_addr() that also gives @name the owner @owner.
 * TABLE_OWNER_NONE leaves the name's owner as it is.  -EEXIST (and the
 * record is not added) when @name already has another owner; otherwise as
 * table_builder_add_addr().
 */
int table_builder_add_addr_owned(struct table_builder *b, const char *name,
				 int family, const uint8_t *addr,
				 uint32_t ttl, uint32_t owner);

/*
 * Set the owner of @name, a name already added with a record (any type),
 * replacing the one it had; TABLE_OWNER_NONE makes it visible to all.
 * Returns 0, -EINVAL when @name is not a valid name, -ENOENT when no
 * record was added for it.
 */
int table_builder_set_owner(struct table_builder *b, const char *name,
			    uint32_t owner);

/*
 * Add an SRV record (RFC 2782) "@name @ttl IN SRV @priority @weight @port
 * @target".  The target is written uncompressed (RFC 2782), in lower
 * case.  Answers for the SRV RRset carry, in the additional section, the
 * A and AAAA RRsets of each distinct target that has them in this table
 * (see the owner rule above); their owners are compression pointers to
 * the targets inside the answer.  Duplicates and TTLs as for
 * table_builder_add_addr(); the RRset is ordered by priority, weight,
 * port, target.  Returns 0, -ENOENT when @name is in no zone, -EINVAL when
 * @name or @target is not a valid domain name, -EMSGSIZE when the RRset
 * would not fit a 64 KiB message, -ENOMEM.
 */
int table_builder_add_srv(struct table_builder *b, const char *name,
			  uint16_t priority, uint16_t weight, uint16_t port,
			  const char *target, uint32_t ttl);

/*
 * Add a PTR record "@name @ttl IN PTR @target" (the name in a reverse zone
 * such as "241.in-addr.arpa", added with table_builder_add_zone() like any
 * other).  Errors and duplicates as table_builder_add_srv(); the RRset is
 * ordered by target.
 */
int table_builder_add_ptr(struct table_builder *b, const char *name,
			  const char *target, uint32_t ttl);

/*
 * The CHAOS class TXT answers: @version for version.bind and
 * version.server, @id for id.server, @hostname for hostname.bind.  NULL
 * hides one (REFUSED, as for any other CHAOS query).  Strings are copied,
 * at most 255 bytes each.  A second call replaces the first.  Returns 0,
 * -EINVAL for a longer string, -ENOMEM.
 */
int table_builder_set_chaos(struct table_builder *b, const char *version,
			    const char *id, const char *hostname);

/*
 * Add a search suffix, e.g. "svc.cluster.local" (the search list of the
 * clients' resolv.conf).  A query for a name in no served zone that is
 * <X>.<suffix>, where <X> is in a served zone (redis.mesh.svc.cluster.local
 * with zone "mesh"), is a stub resolver walking its search list: it is
 * answered NXDOMAIN here instead of being forwarded.  A first label "*"
 * stands for exactly one label: "*.svc.cluster.local" covers
 * redis.mesh.<namespace>.svc.cluster.local for every namespace.  The same
 * suffix twice is kept once.  Returns 0, -EINVAL when @suffix is not a
 * valid name or has a label "*" elsewhere (or only that), -ENOMEM.
 */
int table_builder_add_search_suffix(struct table_builder *b,
				    const char *suffix);

/*
 * Add the view of the client address @addr (@family AF_INET, 4 bytes, or
 * AF_INET6, 16 bytes; an IPv4-mapped IPv6 address is the IPv4 address).
 * Returns the view's id (0, 1, ...; the same id when the address is
 * already a view), -EINVAL for a bad @family or a NULL @addr, -ENOMEM.
 */
int table_builder_add_view(struct table_builder *b, int family,
			   const uint8_t *addr);

/*
 * Let view @view see the names of @owner.  Returns 0, -EINVAL when @view
 * is not a view id or @owner is TABLE_OWNER_NONE, -ENOMEM.
 */
int table_builder_view_allow(struct table_builder *b, int view,
			     uint32_t owner);

/* Let view @view see every name.  0, or -EINVAL when @view is no view. */
int table_builder_view_allow_all(struct table_builder *b, int view);

/*
 * What a client that is no view sees (also a query without a client
 * address): everything when @allow_all (the default), else only the
 * unowned names.
 */
void table_builder_set_default_view(struct table_builder *b, int allow_all);

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
 * The table as one position-independent byte string, for the start-up
 * cache: pointers are stored as offsets, and the same table (the same
 * builder calls) gives the same bytes (deterministic: no padding garbage,
 * no addresses).  The layout is this build's, so only the same binary may
 * read it back (the cache's key says which binary wrote it).  Returns 0
 * with *out (malloc'ed, the caller frees it) and *len, or -ENOMEM.
 */
int table_serialize(const struct table *t, uint8_t **out, size_t *len);

/*
 * A table from table_serialize()'s bytes.  Every count, length and offset
 * is checked against @len and against each other before use, and every
 * RRset's RRs must fill its bytes exactly (answer.c walks them by their
 * lengths): bytes that are not one whole consistent table give -EINVAL,
 * never a read outside @buf or a table whose lookups could read outside
 * its own memory.  @buf need not be aligned and is not kept.  Returns 0
 * with *out (caller owns, free with table_free()), -EINVAL, or -ENOMEM.
 */
int table_deserialize(const uint8_t *buf, size_t len, struct table **out);

/*
 * --- read side, used by answer.c ---
 *
 * No allocation, no ldns.  Pointers returned are borrowed, valid while the
 * table lives.
 */

/*
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
 * table_lookup() for the client @client (may be NULL: no address): a node
 * the client's view hides is NULL too, and then *hidden is set (else
 * cleared).  When the table has no views and the default sees everything
 * this costs one branch more than table_lookup(); else one hash lookup of
 * the address and one of (view, owner), only for owned nodes.
 */
const struct table_node *table_lookup_client(const struct table *t,
					     const struct table_zone *zone,
					     const uint8_t *lname, size_t len,
					     const struct sockaddr *client,
					     bool *hidden);

/*
 * May @client (NULL: no address) see @node?  AF_INET and AF_INET6
 * addresses are matched (the port ignored; an IPv4-mapped IPv6 address as
 * IPv4); any other family is no view.
 */
bool table_node_visible(const struct table *t, const struct table_node *node,
			const struct sockaddr *client);

/*
 * The RRset of @type at @node, or NULL (NODATA when the node exists; NULL
 * too when @node is NULL).  Apex nodes have NS and SOA RRsets whose rdata
 * names are uncompressed, as are SRV targets and PTR names.
 */
const struct table_rrset *table_node_rrset(const struct table_node *node,
					   uint16_t type);

/*
 * The zone's negative authority section: one SOA RR whose owner is a
 * compression pointer to be patched by the caller (first two bytes of
 * wire) to the apex's offset in the message.
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
