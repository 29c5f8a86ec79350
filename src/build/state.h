/* SPDX-License-Identifier: MIT */
/*
 * state.h -- the state file: its text, SOA serials, and the files on disk
 * (read at start-up; changes appended to a journal, compacted into the
 * state file now and then).
 *
 * The state keeps vip.h's tables and one SOA serial per DNS zone with a
 * digest of the zone's content, so serials change with the content and
 * never go back across restarts.
 *
 * The text is described at the top of state.c, the journal at "The
 * journal" in it.  A save appends the change to the journal; the state
 * file is written whole ("<path>.tmp", fsync'ed, renamed over <path>, the
 * directory fsync'ed) when the journal grows large, so a crash leaves
 * either the old state or the new one, never half of one.
 */
#ifndef MESHDNS_STATE_H
#define MESHDNS_STATE_H

#include <stddef.h>
#include <stdint.h>

#include "build/vip.h"

/*
 * The state: the VIP allocator's tables (vip.h) and one SOA serial per
 * zone.  Opaque.
 */
struct state;

/*
 * An empty state (a fresh start), or a deep copy of @st; the caller owns
 * it, free with state_free() (NULL is a no-op).  NULL on ENOMEM.
 */
struct state *state_new(void);
struct state *state_clone(const struct state *st);
void state_free(struct state *st);

/* True when both states would be written out identically. */
int state_equal(const struct state *a, const struct state *b);

/*
 * Say that @st, equal to @prev (state_equal()), is what @prev's files
 * hold, so that its next save appends to the journal as @prev's would.
 * A build whose state did not change is not saved, and a state not
 * cloned knows no file: without this, the first save after a full build
 * that changed nothing (every start, every SIGHUP) wrote the state file
 * whole (84 ms at 100,000 services).
 */
void state_same_files(struct state *st, const struct state *prev);

/*
 * The VIP allocator's tables of @st, for vip_allocate() and the vip_table_*
 * readers; owned by @st, valid until it is freed.
 */
struct vip_table *state_vips(struct state *st);

/* vip_table_first_expiry() of @st's tables, for readers of a const state. */
int64_t state_first_expiry(const struct state *st);

/*
 * A MeshService the generator made from Dataplanes, as the last build
 * made it: what a build needs to keep serving it through the deletion
 * grace period once its last Dataplane is gone.  @since is 0 while it
 * has Dataplanes, else when its grace period started (Unix seconds).
 * @ports is its ports' text (build.c writes and reads it); @mesh, @name
 * and @ports are never empty and hold no white space or control
 * characters.
 */
struct state_generated {
	const char *mesh;
	const char *name;
	int64_t since;
	const char *ports;
};

/*
 * The generated MeshServices of @st, sorted by mesh and name; owned by
 * @st, valid until it changes.  state_set_generated() replaces them all
 * with copies of @v (any order; the caller keeps @v): 0, -EINVAL when a
 * field is empty or has white space or a control character, or a mesh
 * and name come twice (@st is then unchanged), -ENOMEM.
 * state_first_grace(): the earliest @since that is not 0, or INT64_MAX.
 */
const struct state_generated *state_generated(const struct state *st,
					      size_t *n);
int state_set_generated(struct state *st, const struct state_generated *v,
			size_t n);
int64_t state_first_grace(const struct state *st);

/*
 * The state file's text.  state_parse() accepts exactly what
 * state_format() writes (a versioned header, one record per line, and a
 * final line with the record count and a CRC-32 of everything before it);
 * anything else -- truncation, a flipped byte, a duplicate address, an
 * unknown record -- is an error with the line number in @err ("line 12:
 * checksum mismatch", "line 9: missing end line (file truncated?)"), and
 * -1.  The format is described at the top of state.c.  Equal states give
 * byte-identical text; a state without generated MeshServices is written
 * in version 1, readable by older versions of meshdns.  Both return -ENOMEM on allocation failure.  The
 * caller owns *out: a state (state_free()) or malloc'ed text of *len
 * bytes, not NUL-terminated (free()).
 */
int state_parse(struct state **out, const char *text, size_t len, char *err,
		size_t errsize);
int state_format(const struct state *st, char **out, size_t *len);

/*
 * The SOA serial for @zone whose content has digest @digest: the stored
 * serial when the digest is unchanged, else a new one, greater than the
 * stored one (RFC 1982), at least @now when that is greater; stored with
 * the digest.  The first serial of a zone is @now (1 when @now is 0).
 * Returns 0, -EINVAL when @zone is empty or has white space, or -ENOMEM.
 */
int state_zone_serial(struct state *st, const char *zone, uint64_t digest,
		      uint32_t now, uint32_t *serial);

/*
 * The state on disk is the state file at @path and its journal,
 * "<path>.journal": changes appended since the state file was last
 * written whole (the formats are described at the top of state.c and at
 * "The journal" in it).
 *
 * The digest of a state (state_load(), state_save()) is a function of its
 * content only: equal states have equal digests, however they were
 * written (whole, or as a state file and a journal); 0 is not one but
 * by a 2^-64 accident (then there is no start-up cache).  It is the state
 * part of the start-up cache's key.
 */

/*
 * Read the state at @path: the state file, then the journal's records
 * that follow it.  A missing state file is a fresh start: *out is a new
 * empty state, *fresh is 1, and 0 is returned (1, with a warning in @err,
 * when a journal is there without it: it is ignored).  An unreadable or
 * corrupt state file or journal returns -1 with a message in @err that
 * names the file, what is wrong (with the line) and how to recover;
 * neither is ever replaced:
 *   state file /var/lib/meshdns/state is corrupt (line 12: checksum
 *   mismatch); meshdns will not start, to keep every VIP where it is:
 *   restore it from a backup, or move it aside to start afresh (every VIP
 *   will be renumbered)
 * A journal that does not continue the state file, or whose damaged
 * record is followed by good ones, is corrupt.  A damaged or incomplete
 * last record is a save that was interrupted (the state it held was never
 * served: a change is served after it is saved): it is dropped, 1 is
 * returned and @err has a warning that names the journal and the offset.
 * "<path>.tmp" and "<path>.journal.tmp" left by a crash are ignored.  On
 * success (0 or 1) the caller owns *out (state_free()), and *@digest
 * (unless NULL) is the state's digest, 0 for a fresh start.  Nothing is
 * written: `meshdns -t` and --status read the state this way too.
 */
int state_load(struct state **out, int *fresh, const char *path,
	       char *err, size_t errsize, uint64_t *digest);

/*
 * Save @st at @path.  @prev is the state the files hold now, as loaded or
 * saved (@st was cloned from it and then changed), or NULL.  With @prev,
 * what changed from @prev to @st is appended to the journal and synced
 * once (fdatasync): a cost in the size of the change, not of the state.
 * Without it, or when the journal is missing, not writable or not the
 * one @prev was saved to, or has grown past the state file (and 1 MiB),
 * @st is written whole: the state file atomically ("<path>.tmp", synced,
 * renamed over it, mode 0644), then a new empty journal the same way, and
 * the directory synced; a crash leaves @prev or @st on disk (or, when the
 * journal was not @prev's, stops the next start, naming both files).
 * @st remembers where the files are (for its clones' saves).
 *
 * Returns 0; 1 when @st is saved but something after that failed (the
 * compaction that followed the append, or syncing the directory after the
 * state file was renamed; the message is in @err: a warning); -1 with a
 * message (the failing step and strerror) in @err: @prev is then what the
 * files hold (a record left half-written is cut back, or written over by
 * the next save) and no "<path>.tmp" is left behind.  The one exception:
 * when only the final fsync of the directory fails, the new file is in
 * place, and the message says that a crash may undo the change.  On
 * success *@digest (unless NULL) is @st's digest.
 */
int state_save(struct state *st, const struct state *prev, const char *path,
	       char *err, size_t errsize, uint64_t *digest);

/*
 * At a clean stop: when the journal at @path holds changes, write the
 * state whole (the next start reads one file, and an older meshdns that
 * knows no journal reads the right state).  0, or -1 with a message in
 * @err (the files are then as they were, or hold the same state).
 */
int state_compact(const char *path, char *err, size_t errsize);

#endif
