/* SPDX-License-Identifier: MIT */
/* thread.c -- threads that start with every signal blocked. */
#include "autoconfig.h"

#include <signal.h>

#include "util/thread.h"

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
