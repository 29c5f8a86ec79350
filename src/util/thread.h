/* SPDX-License-Identifier: MIT */
/*
 * thread.h -- starting threads under meshdns's signal rule.
 *
 * The rule: signals are taken by the main thread only, through its libev
 * loop (SIGHUP, SIGTERM, SIGINT, SIGUSR1).  Every other thread -- server
 * workers, the build thread, resource loaders -- starts with every signal
 * blocked, so the kernel never delivers a process signal to it and no
 * libc call of it is interrupted by one.  Knot's signals_setup() keeps
 * the same rule.  Use thread_start() for every thread; never call
 * pthread_create() directly.
 */
#ifndef MESHDNS_THREAD_H
#define MESHDNS_THREAD_H

#include <pthread.h>

/*
 * pthread_create(@out, default attributes, @fn, @arg), with every signal
 * blocked in the new thread.  The caller's own signal mask is left as it
 * was.  Returns 0, or a negative errno (-EAGAIN: no resources for another
 * thread).
 */
int thread_start(pthread_t *out, void *(*fn)(void *), void *arg);

/*
 * thread_start(), and the new thread is named @name (pthread_setname_np:
 * at most 15 bytes; what `top -H`, `ps -L` and /proc/PID/task/TID/comm
 * show, and what tests/bench/store.sh picks threads by).  A name that
 * cannot be set is no error: the thread runs unnamed.  meshdns's names:
 * md-worker (a server worker), md-build (a build), md-cache (the
 * start-up cache's writer), md-reap (frees retired snapshots), md-store
 * (the store reader), md-load (a resource loader), md-ahead (reads a
 * store's rows as they come at a start).
 */
int thread_start_named(pthread_t *out, const char *name,
		       void *(*fn)(void *), void *arg);

/*
 * The CPUs this thread may run on (its affinity: taskset, systemd's
 * CPUAffinity=, a container's cpuset), at least 1: how many threads a
 * parallel step starts, and the workers of `workers: 0`.  The CPUs
 * online when the affinity cannot be read.
 */
size_t thread_cpus(void);

#endif
