/* SPDX-License-Identifier: MIT */
/* thread.c -- threads that start with every signal blocked. */
#include "autoconfig.h"

#include <sched.h>
#include <signal.h>
#include <unistd.h>

#include "util/thread.h"

size_t
thread_cpus(void)
{
	cpu_set_t set;
	long online;
	int n;

	CPU_ZERO(&set);
	if (sched_getaffinity(0, sizeof(set), &set) == 0 &&
	    (n = CPU_COUNT(&set)) > 0)
		return (size_t)n;
	online = sysconf(_SC_NPROCESSORS_ONLN);
	return online > 0 ? (size_t)online : 1;
}

int
thread_start(pthread_t *out, void *(*fn)(void *), void *arg)
{
	return thread_start_named(out, NULL, fn, arg);
}

int
thread_start_named(pthread_t *out, const char *name, void *(*fn)(void *),
		   void *arg)
{
	sigset_t all, old;
	int rc;

	/* A new thread inherits its creator's mask: block everything for
	 * the moment of the create, then give the creator its mask back. */
	sigfillset(&all);
	rc = pthread_sigmask(SIG_SETMASK, &all, &old);
	if (rc != 0)
		return -rc;
	rc = pthread_create(out, NULL, fn, arg);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc == 0 && name != NULL)
		(void)pthread_setname_np(*out, name);
	return -rc;
}
