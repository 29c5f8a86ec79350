/* SPDX-License-Identifier: MIT */
/*
 * table_patch.h -- a new answer table from a base table plus a few changed
 * names, sharing everything unchanged with the base, and the list of RRsets
 * that changed (for IXFR, RFC 1995).
 *
 * A patch is opened on a base table, given the new content of the names
 * that changed (each name is reset, then its records are added as with the
 * builder, table_build.h), and finished into a new table.  The work is
 * proportional to the change: the changed names, the SRV names whose
 * targets are among them (their additional sections are recompiled), and
 * the ancestors of names that appear or disappear (empty non-terminals and
 * their shared owner).  The table's hash index and its small arrays (zones,
 * views) are copied (a memcpy: about 1 ms per million names), the nodes are
 * not: the new table holds a reference on the base's node segments and
 * adds one segment with the new nodes.  After TABLE_PATCH_MAX_DEPTH
 * patches on patches, or when more than half of the bytes are dead, finish
 * compacts the new table into one segment (a copy of every live node, like
 * a build without the compilation).
 *
 * Ownership: the base is only read, never changed, and may be read by
 * other threads meanwhile; it must live until table_patch_finish() (or
 * table_patch_free()) returns.  After that the base and the new table are
 * independent: either may be freed first, in any thread (the shared
 * segments are reference-counted, atomically).  A patch is used from one
 * thread at a time.
 *
 * A patched table answers every query byte for byte as a table built from
 * scratch with the same final content would; table_image_write() and
 * table_diff_names() take it like any other.
 *
 * Pure: no I/O, no logging.  Names in text as with the builder.
 */
#ifndef MESHDNS_TABLE_PATCH_H
#define MESHDNS_TABLE_PATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dns/table.h"
#include "dns/table_build.h"

#define TABLE_PATCH_MAX_DEPTH 8

struct table_patch;
struct table_changes;

/* The RR lists of ldns (ldns_rr_list), without including ldns here. */
struct ldns_struct_rr_list;

/*
 * Open a patch on @base.  0 with *out set, or -ENOMEM.  @base stays
 * unchanged and must outlive the patch (see above).
 */
int table_patch_new(struct table_patch **out, const struct table *base);

/* Free a patch that was not finished; NULL is a no-op. */
void table_patch_free(struct table_patch *p);

/*
 * Replace the name @name (text) in scope @scope (TABLE_SCOPE_NONE: the
 * shared one): its records and owner are those added for it in this patch
 * after this call; with none added, the name is removed (an empty
 * non-terminal stays while it has descendants).  A name the base does not
 * have may be reset (then added to).  A zone's apex may be reset in the
 * shared scope only: its records other than the SOA and NS (which stay).
 * Returns 0, -ENOENT when @name is in no zone, -EINVAL for an invalid
 * name or an apex in a scope other than TABLE_SCOPE_NONE, -EALREADY when
 * it was already reset in this patch, -ENOMEM.
 */
int table_patch_reset_name(struct table_patch *p, const char *name,
			   uint32_t scope);

/*
 * The scope of the names given to the add and set_owner functions from
 * now on (default TABLE_SCOPE_NONE), as table_builder_set_scope().
 */
void table_patch_set_scope(struct table_patch *p, uint32_t scope);

/*
 * As table_builder_add_addr(), _add_addr_owned(), _add_srv(), _add_ptr()
 * and _set_owner() (same records, duplicates, TTLs, owners and errors), for
 * a name reset in this patch in the current scope; -ESRCH for a name that
 * was not.  An SRV's additional records come from the new table's targets.
 */
int table_patch_add_addr(struct table_patch *p, const char *name, int family,
			 const uint8_t *addr, uint32_t ttl);
int table_patch_add_addr_owned(struct table_patch *p, const char *name,
			       int family, const uint8_t *addr, uint32_t ttl,
			       uint32_t owner);
int table_patch_add_srv(struct table_patch *p, const char *name,
			uint16_t priority, uint16_t weight, uint16_t port,
			const char *target, uint32_t ttl);
int table_patch_add_ptr(struct table_patch *p, const char *name,
			const char *target, uint32_t ttl);
int table_patch_set_owner(struct table_patch *p, const char *name,
			  uint32_t owner);

/*
 * The digest of zone @zone's content in the new table, the same value
 * table_builder_zone_digest() gives for a builder with that content (and
 * table_zone_digest() for the finished table): compare it with the base's
 * to decide whether the serial changes.  Cost: the changed names.  0 for
 * a bad @zone.
 */
uint64_t table_patch_zone_digest(struct table_patch *p, int zone);

/*
 * Replace the views (which client sees which owners, in which scope) by
 * those of @views, a builder used for views only: table_builder_add_view,
 * _view_allow, _view_allow_all, _view_set_scope, _set_default_view and
 * _set_default_scope; its zones and names, if any, are ignored.  Without
 * this call the new table keeps the base's views (and the base's default
 * scope: a patch that brings the first scoped names into a table built
 * without any should set the views again, with the default scope).  Cost:
 * the views and their pairs.  @views is consumed (freed) whatever the
 * result; a second call replaces the first.  0, or -ENOMEM (then finish
 * fails too).
 */
int table_patch_set_views(struct table_patch *p, struct table_builder *views);

/* Set the SOA serial of @zone in the new table (default: the base's). */
void table_patch_set_serial(struct table_patch *p, int zone, uint32_t serial);

/*
 * Finish: the new table in *out (caller owns; table_free()).  When
 * @changes is not NULL, *changes is set to what changed (caller owns;
 * table_changes_free()).  The patch is consumed (freed) whatever the
 * result.  Returns 0 or -ENOMEM (then *out and *changes are NULL and the
 * base is untouched).
 */
int table_patch_finish(struct table_patch *p, struct table **out,
		       struct table_changes **changes);

/*
 * --- the changes: per zone, a condensed difference (RFC 1995 section 4)
 * between the base's content and the new table's ---
 *
 * Zone content is what a transfer holds: every name's A, AAAA, SRV and
 * PTR RRs, in every scope (a name in two scopes has both scopes' RRs),
 * without owners, views or the SRVs' additional copies; the apex's SOA and
 * NS are left out (the SOA is the zone's: give IXFR the serials below; NS
 * do not change in a patch).  Condensed: an RR is in @removed when the
 * base has it and the new table has not, in @added when the opposite,
 * never in both; an RR is its owner, type, class IN, TTL and RDATA, so a
 * TTL change removes the RRset and adds it again.  Names in RDATA are
 * uncompressed, lower case.  Applying the removals then the additions to
 * the base's zone content gives the new table's.  Only zones with a change
 * of RRs or of serial are listed, in zone index order.  Cost: the changed
 * RRsets.
 */

/* How many zones changed. */
size_t table_changes_count(const struct table_changes *c);

/*
 * Zone @i (0 .. count - 1): its index in the table (as
 * table_builder_add_zone() returned it), the base's serial and the new
 * table's, and the RRs removed and added (ldns_rr_list, owned by @c, never
 * NULL, possibly empty).  -EINVAL for a bad @i.
 */
int table_changes_zone(const struct table_changes *c, size_t i, int *zone,
		       uint32_t *old_serial, uint32_t *new_serial,
		       const struct ldns_struct_rr_list **removed,
		       const struct ldns_struct_rr_list **added);

void table_changes_free(struct table_changes *c);

/*
 * Could @c be what patching @old into @new changed?  True when both
 * tables have the same zones (apexes, in order) and every zone's serials
 * in @old and @new are those @c lists for it (a zone @c does not list
 * keeps its serial).  A list taken from another pair of tables fails this
 * unless their serials happen to match: check it before reading a list
 * instead of walking the tables.  Cost: the zones.
 */
bool table_changes_match(const struct table_changes *c,
			 const struct table *old, const struct table *new);

/*
 * --- on any table ---
 */

/*
 * The digest of zone @zone of @t: table_builder_zone_digest() of the
 * builder it was made from, or table_patch_zone_digest() of its patch.
 * 0 for a bad @zone.
 */
uint64_t table_zone_digest(const struct table *t, int zone);

/* The SOA serial of zone @zone of @t, 0 for a bad @zone. */
uint32_t table_zone_serial(const struct table *t, int zone);

#endif
