/* SPDX-License-Identifier: MIT */
/*
 * watch.h -- the resource paths, watched with inotify: which files changed.
 *
 * Every -r path (config `resources:`) is watched: a directory with every
 * subdirectory under it (hidden ones aside, as the walk skips them;
 * subdirectories created or moved in later included), a file through
 * its directory, so that an editor that replaces it by rename (vim,
 * `mv tmp file`) is seen.  An event names a path as the build's walk
 * spells it ("dir/sub/a.yaml"; resource_units.h): a *.yaml or *.yml file
 * (any name for a -r file) written, created, removed or renamed, or a
 * subdirectory created, removed or renamed; the config file, when it lies
 * in a resource directory, is left out as the build leaves it out.
 *
 * The paths are handed over once writing seems over: a file closed after
 * writing, or renamed into place, at once (on the next loop iteration);
 * any other event (a write still going on, a removal) restarts a timer of
 * WATCH_SETTLE_MS, and the paths go when it expires.  A change is so
 * handed over well within 100 ms of the last write.  But a file that is
 * empty and was written to (truncated) without being closed since waits
 * for its close: `kubectl get ... -o yaml >file` truncates the file long
 * before it writes, and an empty file would remove its resources.  When the kernel's
 * event queue overflowed, events were lost: @full asks for everything to
 * be read again (and the directories are watched again).
 *
 * Only daemon/ uses it (it owns an inotify descriptor on the loop).
 */
#ifndef MESHDNS_WATCH_H
#define MESHDNS_WATCH_H

#include <ev.h>
#include <stddef.h>

#include "build/build.h"
#include "build/config.h"

#define WATCH_SETTLE_MS 50

struct watch;

/*
 * What changed since the last call: @paths (deduplicated; owned by the
 * watch and valid during the call only), or @full.  On the loop.
 */
typedef void watch_fn(void *arg, const struct build_path *paths, size_t n,
		      int full);

/*
 * Watch the resource paths of @cfg (cfg->resources, and cfg->file to
 * leave out) on @loop, calling @fn with @arg.  A path that does not exist
 * or cannot be watched yet is left out with a reason in @err (0 is still
 * returned: the others are watched); -1 with @err when inotify cannot be
 * used at all (the limit of instances reached); -ENOMEM.
 */
int watch_new(struct watch **out, struct ev_loop *loop,
	      const struct config *cfg, watch_fn *fn, void *arg, char *err,
	      size_t errlen);

/* Was @w made for the paths @cfg names (and its config file)? */
int watch_same(const struct watch *w, const struct config *cfg);

/* Stop watching; NULL is a no-op. */
void watch_free(struct watch *w);

#endif
