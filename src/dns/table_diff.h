/* SPDX-License-Identifier: MIT */
/*
 * table_diff.h -- which names one answer table has that another has not,
 * for the reload log.
 *
 * A name here is what table_name_count() counts: a name that owns data (a
 * zone apex or a name with records), not an empty non-terminal.  A name
 * that is an empty non-terminal in one table and owns data in the other
 * counts as added (or removed).  Off the hot path: it walks both tables
 * once (a patched one too, without copying it; or, given a patch's change
 * list, only the changed names) and allocates the few names it shows.  Pure: no I/O, no logging.
 */
#ifndef MESHDNS_TABLE_DIFF_H
#define MESHDNS_TABLE_DIFF_H

#include <stddef.h>

#include "dns/table.h"

/* How many names (or other items) of each list are shown. */
#define TABLE_DIFF_SHOWN 3

/*
 * One side of a difference: how many items, and the first few as text
 * (malloc'ed, owned by the list; shown[0 .. nshown - 1]).
 */
struct table_diff_list {
	size_t count;
	size_t nshown;
	char *shown[TABLE_DIFF_SHOWN];
};

struct table_diff {
	struct table_diff_list added;	/* in the new table only */
	struct table_diff_list removed;	/* in the old table only */
};

/*
 * Compare the names of @old and @new (either may be NULL: no names) into
 * @d, which need not be initialised.  The names shown are in presentation
 * form without the final dot ("redis.default.mesh"), names with addresses
 * (A, AAAA) first, then in the order the tables were built.  Returns 0, or
 * -ENOMEM (then @d is empty).  Free with table_diff_clear().
 */
int table_diff_names(struct table_diff *d, const struct table *old,
		     const struct table *new);

struct table_changes;

/*
 * As table_diff_names(), for a @new patched from @old whose change list
 * is @changes (table_patch.h; NULL: built whole): only the names the
 * list names are looked at, in both tables (cost: the change, not the
 * tables).  The counts are table_diff_names()'s; the names shown are
 * the first in canonical order (those with addresses first).  Compares
 * the whole tables when @changes is NULL, is not @old's and @new's
 * (table_changes_match()), or either table has scopes.
 */
int table_diff_names_changes(struct table_diff *d, const struct table *old,
			     const struct table *new,
			     const struct table_changes *changes);

/*
 * Add one item to @l: counted, and shown (a copy of @text) while there is
 * room.  0 or -ENOMEM (then it is counted but not shown).
 */
int table_diff_list_add(struct table_diff_list *l, const char *text);

/* Free what @d holds and empty it; an empty @d stays empty. */
void table_diff_clear(struct table_diff *d);

#endif
