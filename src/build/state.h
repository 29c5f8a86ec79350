/* SPDX-License-Identifier: MIT */
/*
 * state.h -- the state file on disk: read at start-up, replaced atomically.
 *
 * The format is vip.h's.  Writing goes to "<path>.tmp", which is fsync'ed,
 * renamed over <path>, and the directory fsync'ed, so a crash leaves either
 * the old file or the new one, never half of one.
 */
#ifndef MESHDNS_STATE_H
#define MESHDNS_STATE_H

#include <stddef.h>
#include <stdint.h>

#include "build/vip.h"

/*
 * Read the state file at @path.  A missing file is a fresh start: *out is a
 * new empty state, *fresh is 1, and 0 is returned.  An unreadable or
 * corrupt file returns -1 with a message in @err that names the file, what
 * is wrong (with the line) and how to recover; it is never replaced:
 *   state file /var/lib/meshdns/state is corrupt (line 12: checksum
 *   mismatch); meshdns will not start, to keep every VIP where it is:
 *   restore it from a backup, or move it aside to start afresh (every VIP
 *   will be renumbered)
 * A "<path>.tmp" left by a crash is ignored.  On success the caller owns
 * *out (vip_state_free()), and *@digest (unless NULL) is the digest
 * (digest.h) of the bytes parsed, 0 for a fresh start: the state part of
 * the start-up cache's key.
 */
int state_load(struct vip_state **out, int *fresh, const char *path,
	       char *err, size_t errsize, uint64_t *digest);

/*
 * Write @st to @path atomically, with mode 0644.  Returns 0, or -1 with a
 * message (the failing step and strerror) in @err; the old file is then
 * untouched and no "<path>.tmp" is left behind.  The one exception: when
 * only the final fsync of the directory fails, the new file is in place,
 * and the message says that a crash may undo the change.  On success
 * *@digest (unless NULL) is the digest of the bytes written.
 */
int state_save(const struct vip_state *st, const char *path, char *err,
	       size_t errsize, uint64_t *digest);

#endif
