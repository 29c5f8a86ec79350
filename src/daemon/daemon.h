/* SPDX-License-Identifier: MIT */
/*
 * daemon.h -- the process: start-up, the run loop, --check and --status.
 *
 * daemon_run() starts meshdns in this order: the config (file and
 * command line), the lock of the state file (<state-file>.lock, so that
 * one meshdns only uses it), the state, the first snapshot (from the
 * start-up cache when it was written for exactly the inputs on disk now,
 * else a build), the state file when that build changed it, the server
 * (sockets bound, no thread yet), daemon(3) unless in the foreground, the
 * pid file, reload (SIGHUP), the SIGTERM, SIGINT and SIGUSR1 watchers,
 * and only then the worker threads; then it runs the loop until SIGTERM
 * or SIGINT, logs the counters and stops the workers before it frees what
 * they read.
 *
 * Signals (the rule of util/thread.h): only the main thread, through the
 * default libev loop, takes SIGHUP (reload), SIGTERM and SIGINT (stop)
 * and SIGUSR1 (the counters, stats.h).  Every other thread starts with all
 * signals blocked (thread_start()).  The watchers are started before the
 * first worker thread, so no signal arrives between the two with no
 * watcher for it; until they are, daemon_process_setup() ignores SIGHUP
 * and SIGUSR1 (SIGTERM and SIGINT stop a start that has not finished).
 * SIGPIPE is ignored for good: a peer that closed its socket is an error
 * of the write, not a signal.
 *
 * Errors are logged here (util/log.h); the functions return the exit code.
 */
#ifndef MESHDNS_DAEMON_H
#define MESHDNS_DAEMON_H

#include <stdio.h>

#include "build/build.h"

/* What the command line asks for; the strings are the caller's (malloc'ed). */
struct daemon_options {
	struct build_options opt;	/* paths made absolute (-u ones too),
					 * -r and -u strings malloc'ed;
					 * daemon_run() sets program_digest */
	int argc;			/* the command line, for the start-up */
	char **argv;			/* cache's key (cache_program_digest()) */
	char *pid_file;			/* absolute, or NULL */
	int foreground;			/* -f: no daemon(3), stderr only */
	int check;			/* -t */
	int strict;			/* --strict: -t fails on warnings */
	int status;			/* --status */
};

/*
 * Once, first thing in main(): malloc tuning, SIGPIPE ignored, SIGHUP and
 * SIGUSR1 ignored until daemon_run() watches them, the log to stderr at
 * info level.
 */
void daemon_process_setup(void);

/*
 * --version: "meshdns VERSION" and, on a second line, the versions of the
 * libraries it runs with (ldns, libyaml, yajl, libev: the ones loaded, which
 * may be newer than the ones it was built with), to @fp.
 */
void daemon_print_version(FILE *fp);

/*
 * -t and --status: build once from the state file, never write it;
 * --status prints every service's status to stdout.  -t also checks what
 * daemon_run() would need before it builds (the state file's directory,
 * writable by the user we run as; a state file and resources at all; the
 * upstreams, printed), then prints every problem and a summary last, to
 * stderr.  Returns the exit code: 0, or 1 (errors, logged; with -t
 * --strict, warnings too).
 */
int daemon_offline(const struct daemon_options *o);

/*
 * Serve until SIGTERM or SIGINT (see above).  First sets
 * o->opt.program_digest from o->argc and o->argv (and the current
 * directory, so call it before changing it).  @o must stay valid until it
 * returns (reloads read it).  Returns the exit code: 0 after a stop, 1
 * when the start failed (logged).
 */
int daemon_run(struct daemon_options *o);

/* Free what @o holds (every string and list); not @o itself. */
void daemon_options_clear(struct daemon_options *o);

#endif
