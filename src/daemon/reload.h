/* SPDX-License-Identifier: MIT */
/*
 * reload.h -- SIGHUP: build a new snapshot aside, then swap it in.
 *
 * On SIGHUP a build runs on its own thread, so queries keep being answered
 * while it runs.  When nothing it would read changed since the snapshot
 * being served was built (digests of the bytes, as for the start-up
 * cache; no held VIP freed since; that snapshot had no error), it does
 * not run and the log says so.  When it succeeds with no error, the new
 * state is written (when it changed) and only then is the snapshot
 * published to the server with one atomic pointer store; the old snapshot is freed once no query
 * can still be using it.  Any error -- a config, resource or template
 * error, a state file that cannot be written -- is logged with its
 * position and the old snapshot keeps serving; the state file is left as
 * it was.  What serving does not need (the resources, the per-service
 * results) is freed on the loop once the snapshot is published, so that
 * it delays neither the start nor the swap; the start-up cache (cache.h)
 * is written then too.  A SIGHUP during a build queues one more build.
 *
 * Watching (config `watch: true`, the default; daemon/watch.h): a changed,
 * added or removed resource file is applied without SIGHUP.  The build
 * thread reads only the changed paths again, into the resource units the
 * last full read made (kept here between builds; a start from the cache
 * has none, so its first watched change reads everything), then builds
 * from all of them as a SIGHUP would; a file that reads with an error is
 * not applied (logged: "watch, FILE not applied: its last good content
 * stays served") and the rest is; no build runs when no resource changed.
 * A SIGHUP reads every path again into new units, kept when its build is
 * served.  Watched changes that come during a build wait for the next.
 *
 * Keys that apply at start only (listen, workers, forward.*, tcp.*,
 * http.listen: the sockets, workers, forwarders and the HTTP endpoint
 * are made once) are compared on every
 * reload, "nothing changed" included, with those meshdns started with;
 * a warning names each key that differs and its value in effect, until
 * the file agrees again or meshdns restarts.
 *
 * The build thread and the trim: while a build runs, its thread reads the
 * snapshot being served -- its state (the build allocates from it), the
 * digests of its inputs and state and its error count -- and the loop may
 * trim that snapshot at the same moment (snapshot_trim(), once it is
 * published).  That is safe only because a trim frees the resources,
 * their YAML and the per-service results, and leaves the config, the
 * table, the state and those numbers as they were; trim_cb() checks so
 * with assert() after every trim.  The snapshot being served is not
 * swapped while a build runs (its result is taken after the thread is
 * joined).  Whoever changes snapshot_trim() must keep this.
 *
 * Old snapshots: reload keeps the only list of them (the server keeps
 * none).  One is freed once server_oldest_in_use() is past its
 * generation, that is once no worker can be reading its table any more.
 * The workers do not say when they leave a table, so while the list is
 * not empty the loop looks every 20 ms (a worker leaves its table at the
 * end of every callback); with the list empty nothing polls.
 */
#ifndef MESHDNS_RELOAD_H
#define MESHDNS_RELOAD_H

#include <ev.h>
#include <stdint.h>

#include "build/build.h"
#include "daemon/http.h"
#include "daemon/server.h"

struct reload;

/*
 * Start watching SIGHUP on @loop (the default loop).  Takes ownership of
 * @current, the snapshot being served.  @opt is borrowed and must outlive
 * the reload object; so must @http (NULL: none), which is told of every
 * snapshot published (http_publish(), before its trim) and of every
 * reload's result (http_build_done(), from the build thread).  Returns 0
 * or -ENOMEM.
 */
int reload_new(struct reload **out, struct ev_loop *loop, struct server *srv,
	       const struct build_options *opt, struct snapshot *current,
	       struct http *http);

/*
 * The policy of both the start-up cache (a table cached for these inputs
 * may be served instead of a build) and a SIGHUP with nothing changed (no
 * build): the same program (@program, not 0), the config @cfg and the
 * resource files it names, as they are on disk now, give the same table
 * from the state @state as any earlier build that read the same bytes --
 * so long as no VIP that @state holds back has been freed since (its
 * first expiry, state_first_expiry(), is after @now: a build now
 * would give it out) and every input can be read.
 *
 * Returns 1 with *@inputs, build_inputs_on_disk() of @cfg, for the caller
 * to compare (with the cache's key, or the current snapshot's inputs); 0
 * when a build must run, with the reason in *@why (a static string, "...
 * since it was written" meaning the earlier build); -ENOMEM.
 */
int reload_inputs_now(uint64_t *inputs, const char **why, uint64_t program,
		      const struct config *cfg, const struct state *state,
		      int64_t now);

/*
 * Tell systemd (systemd.h) that the snapshot being served is served:
 * READY=1 with a STATUS= line ("serving generation 1: 12 services, 40
 * names in 2 zones").  The daemon calls it once the workers run; reload
 * itself sends RELOADING=1 on SIGHUP and this again when that reload is
 * over, whatever its result.
 */
void reload_notify_ready(struct reload *r);

/*
 * Build now, as on SIGHUP (@why for the log: "the store changed"); a
 * build already running queues one more.
 */
void reload_request(struct reload *r, const char *why);

/*
 * The store's rows changed (source.h): only the rows changed since the
 * last build are read again into their units, and the changes applied to
 * the snapshot served (build_input.base), now or after the build
 * running.
 */
void reload_store_changed(struct reload *r);

/*
 * Wait for a running build, stop watching, free the snapshots.  The
 * server must be stopped first (server_free()): its workers read them.
 */
void reload_free(struct reload *r);

#endif
