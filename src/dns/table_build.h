/* SPDX-License-Identifier: MIT */
/*
 * table_build.h -- building the answer table (table.h): zones, records,
 * owners and views, the CHAOS answers and search suffixes, then compiled
 * into an immutable table with every answer precompiled in wire form.
 *
 * Pure: no I/O, no logging.  Uses ldns to parse names and build wire data.
 * A builder is used from one thread at a time.
 */
#ifndef MESHDNS_TABLE_BUILD_H
#define MESHDNS_TABLE_BUILD_H

#include <stddef.h>
#include <stdint.h>

#include "dns/table.h"

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
 * TABLE_OWNER_NONE is in table.h.
 */

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
 * Add a TXT record "@name @ttl IN TXT "@text"": one character-string of
 * at most 254 bytes (the catalog zone's version "2").  Errors and
 * duplicates as table_builder_add_srv(), and -EINVAL for a longer
 * @text; the RRset is ordered by RDATA.
 */
int table_builder_add_txt(struct table_builder *b, const char *name,
			  const char *text, uint32_t ttl);

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
 * Scopes (Kuma's meshes: separate namespaces).  A scope is any number the
 * caller chooses; every name is in one, TABLE_SCOPE_NONE (shared) unless
 * added after table_builder_set_scope().  The same name in two scopes is
 * two names, with records, owners and empty non-terminals of their own
 * (an apex is always shared).  A client resolves in the scope of its view
 * (TABLE_SCOPE_NONE unless set), a client that is no view in the default
 * scope: it finds a name's node of its scope, else the shared one, else
 * nothing (NXDOMAIN, as a hidden name).  Owners and views then apply as
 * above.  An SRV's additional records come from its own scope's targets,
 * else the shared ones.  A table without scoped names costs nothing more.
 */

/*
 * The scope of the names given to the add, set_owner and PTR functions
 * from now on; TABLE_SCOPE_NONE: shared.
 */
void table_builder_set_scope(struct table_builder *b, uint32_t scope);

/* The scope view @view resolves in.  0, or -EINVAL when it is no view. */
int table_builder_view_set_scope(struct table_builder *b, int view,
				 uint32_t scope);

/* The scope of a client that is no view (default TABLE_SCOPE_NONE). */
void table_builder_set_default_scope(struct table_builder *b, uint32_t scope);

/*
 * A digest of zone @zone's content (apex, SOA fields except the serial,
 * NS names, every name's records, each with its RRset's TTL: what is
 * served), to decide whether the serial must change.  Stable across runs
 * and machines, and independent of the order in which records and NS
 * names were added.  The finished table keeps it (table_zone_digest(),
 * table_patch.h), and a patch updates it name by name.  0 for a bad
 * @zone.
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

#endif
