/* SPDX-License-Identifier: MIT */
/*
 * journal.h -- per-zone differences between table generations, bounded,
 * for IXFR (RFC 1995).
 *
 * journal_record() compares the zones of two tables (the default view,
 * table_walk.h) and keeps, per zone whose SOA serial changed, the RRs
 * deleted and added; journal_ixfr() gives the condensed difference from a
 * serial to the current one (RFC 1995 section 6: one sequence).  The
 * oldest differences of a zone go when it holds more than max_count of
 * them or more than max_bytes of RRs (uncompressed wire).  Kept in memory:
 * a restart starts empty (secondaries then get the whole zone).
 *
 * One writer (the thread that publishes tables) and any number of
 * readers (the workers' transfers): a mutex guards the lists, held while
 * a difference is added or an IXFR copied out, never while a table is
 * walked.  No I/O, no logging.
 *
 * A patched table's change list (table_patch.h) spares the walk:
 * journal_record_changes(); journal_add() takes one zone's difference
 * however it was made.
 */
#ifndef MESHDNS_JOURNAL_H
#define MESHDNS_JOURNAL_H

#include <stddef.h>
#include <stdint.h>

#include "dns/table.h"

struct journal;
struct ldns_struct_rr;
struct ldns_struct_rr_list;

#define JOURNAL_DEFAULT_COUNT	20		/* as Knot's max-depth */
#define JOURNAL_DEFAULT_BYTES	(1024 * 1024)	/* as NSD's ixfr-size */

/* A journal of at most @max_count differences and @max_bytes per zone. */
int journal_new(struct journal **out, size_t max_count, size_t max_bytes);

void journal_free(struct journal *j);

/*
 * One zone's difference, built by journal_diff_tables() or from an
 * incremental build's change list: the zone's apex (canonical wire), the
 * SOA before and after (their serials differ) and the RRs deleted and
 * added (neither holds a SOA).  journal_add() takes ownership of the RRs
 * and lists, whatever it returns.
 */
struct journal_diff {
	const uint8_t *apex;
	size_t apex_len;
	struct ldns_struct_rr *soa_old;
	struct ldns_struct_rr *soa_new;
	struct ldns_struct_rr_list *del;
	struct ldns_struct_rr_list *add;
};

/*
 * Add @d to the zone's differences, dropping the oldest over the bounds;
 * a difference that does not start at the serial the last one ended at
 * empties the zone's history first.  0 or -ENOMEM.
 */
int journal_add(struct journal *j, struct journal_diff *d);

/*
 * The differences between @old and @new (either may be NULL: no zones),
 * one per zone of @new whose SOA serial differs from @old's, added to @j.
 * 0 or -ENOMEM.
 */
int journal_record(struct journal *j, const struct table *old,
		   const struct table *new);

struct table_changes;

/*
 * As journal_record(), for a @new made from @old by a patch whose change
 * list is @changes (table_patch.h, table_changes; NULL: @new was built
 * whole): the difference is read at the names @changes lists, each
 * looked up in both tables, instead of by walking every name of both
 * (cost: the changed names, not the zones' size).  The result is the
 * walk's.  Walks when @changes is NULL, when its serials are not those of
 * @old and @new (it is not their change list), or when either table has
 * scopes or hides owned names from clients without a view (see
 * table_walk_sees_all(): there a view or owner change alone changes the
 * content).  0 or -ENOMEM.
 */
int journal_record_changes(struct journal *j, const struct table *old,
			   const struct table *new,
			   const struct table_changes *changes);

/*
 * The IXFR answer's RRs for the zone @apex from serial @from to the
 * current @to: current SOA, SOA @from, the deleted RRs, current SOA, the
 * added RRs, current SOA, condensed into one sequence.  0 with a new
 * list in *@out (the caller frees it with ldns_rr_list_deep_free()),
 * -ENOENT when the journal has no chain from @from to @to, -ENOMEM.
 */
int journal_ixfr(struct journal *j, const uint8_t *apex, size_t apex_len,
		 uint32_t from, uint32_t to, struct ldns_struct_rr_list **out);

/* The differences and RR bytes held for the zone @apex, for tests. */
void journal_stats(struct journal *j, const uint8_t *apex, size_t apex_len,
		   size_t *count, size_t *bytes);

#endif
