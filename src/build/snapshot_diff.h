/* SPDX-License-Identifier: MIT */
/*
 * snapshot_diff.h -- what a reload changed: the names and the VIPs one
 * snapshot serves that another does not, for the reload log.
 *
 * Reads only the snapshots' @table, @state, @changes and @vip_keys, which
 * snapshot_trim() never touches: the reload thread may compare the
 * snapshot being served while the main loop trims it.  Off the hot
 * path; pure: no I/O, no logging.
 */
#ifndef MESHDNS_SNAPSHOT_DIFF_H
#define MESHDNS_SNAPSHOT_DIFF_H

#include <stddef.h>

#include "build/snapshot.h"
#include "dns/table_diff.h"

struct snapshot_diff {
	struct table_diff names;	/* table_diff_names() */
	/*
	 * VIP assignments (vip.h; held-back addresses are not assigned):
	 * an address assigned in the new state and not in the old one, or
	 * to another key, is added; the reverse removed.  Shown as
	 * "241.0.0.7 for MeshService/default/web", lowest addresses first.
	 */
	struct table_diff vips;
};

/*
 * Compare @old and @new into @d (need not be initialised).  @old may be
 * NULL (everything is added).  Returns 0, or -ENOMEM (then @d is empty).
 * Free with snapshot_diff_clear().
 *
 * An apply to @old costs what it changed, not what the snapshots hold:
 * the names through @new's table change list (@changes), the VIPs
 * through the keys its VIP round touched (@vip_keys, when @vips_from is
 * @old's state).  Otherwise both tables are walked.  The result is the
 * same either way.
 */
int snapshot_diff_compute(struct snapshot_diff *d, const struct snapshot *old,
			  const struct snapshot *new);

/*
 * The difference in one line, into @buf (cut to @size, NUL-terminated):
 *   +5 names (redis.default.mesh, web.default.mesh, db.default.mesh, ...),
 *   -5 names (redis.mesh, web.mesh, db.mesh, ...); +0 VIPs, -0 VIPs
 * or, when nothing was added or removed, "no name or VIP added or removed".
 */
void snapshot_diff_format(const struct snapshot_diff *d, char *buf,
			  size_t size);

/* Free what @d holds and empty it. */
void snapshot_diff_clear(struct snapshot_diff *d);

#endif
