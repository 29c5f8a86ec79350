/* SPDX-License-Identifier: MIT */
/*
 * table_walk.h -- every name of a zone as a client without a view sees
 * it, with its RRsets: what a zone transfer carries (dns/xfr.h) and what
 * the journal compares (dns/journal.h).
 *
 * Read side, off the hot path: no I/O; only table_walk_rrs() allocates.
 * A walk is linear in the table's nodes (every zone's, and in a patched
 * table the nodes its patches replaced, skipped by one probe of the
 * index each), with one more lookup per node in a table with scopes.
 * Pointers returned are borrowed from the table.
 */
#ifndef MESHDNS_TABLE_WALK_H
#define MESHDNS_TABLE_WALK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dns/table.h"

/* The zone whose apex is the canonical wire name @apex, or NULL. */
const struct table_zone *table_walk_zone(const struct table *t,
					 const uint8_t *apex, size_t len);

/* The apex of @z (canonical wire name) and its length in *@len. */
const uint8_t *table_walk_apex(const struct table_zone *z, size_t *len);

/*
 * The zones of @t: *@i from 0 up; NULL after the last.
 */
const struct table_zone *table_walk_zone_at(const struct table *t, size_t i);

/*
 * The next name of @z that owns data and that a client without a view
 * sees (the default view: table_lookup_client() with no address gives
 * that very node), after the walk position *@cursor (0 to start);
 * advances *@cursor.  NULL at the end.  Names come in the order the
 * table was built, the apex among them; in a patched table
 * (table_patch.h), those the patches changed come after the others.  No
 * allocation, even on a patched table (its shared segments are walked,
 * never copied).
 */
const struct table_node *table_walk_next(const struct table *t,
					 const struct table_zone *z,
					 size_t *cursor);

/*
 * Does a client without a view see every name of @t, each by its one
 * node: no scopes, no owned name hidden from it?  Then the zones' content
 * (table_patch.h, table_changes) is exactly what the walk gives, and a
 * name's records alone decide what that client sees of it.
 */
bool table_walk_sees_all(const struct table *t);

/* The canonical wire name of @node, its length in *@len. */
const uint8_t *table_walk_name(const struct table_node *node, size_t *len);

/*
 * The @i-th RRset of @node (0 up), or NULL after the last.  Its wire
 * holds RRs whose owner is a pointer to offset 12 and whose RDATA names
 * may point into a message that has @node's name at offset 12 (see
 * table.h); the additional RRs after it are not the RRset's.
 */
const struct table_rrset *table_walk_rrset(const struct table_node *node,
					   size_t i);

struct ldns_struct_rr_list;

/*
 * Append the RRs of every RRset of @node but those of type @skip (0:
 * none) to @out, as ldns RRs (names uncompressed, the owner @node's
 * name).  0, or -ENOMEM (then some may have been appended), -EINVAL when
 * the table's wire does not parse (a bug).
 */
int table_walk_rrs(const struct table_node *node, uint16_t skip,
		   struct ldns_struct_rr_list *out);

#endif
