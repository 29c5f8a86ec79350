/* SPDX-License-Identifier: MIT */
/* test_thread.c -- threads start with every signal blocked (and named). */
#include "autoconfig.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "util/thread.h"

/* What the new thread saw of its own mask. */
struct seen {
	sigset_t mask;
	int rc;
};

static void *
record_mask(void *arg)
{
	struct seen *s = arg;

	s->rc = pthread_sigmask(SIG_SETMASK, NULL, &s->mask);
	return NULL;
}

/* Every signal a thread may block is blocked in the new thread. */
static void
test_new_thread_blocks_all(void **state)
{
	static const int sigs[] = { SIGHUP, SIGINT, SIGTERM, SIGUSR1, SIGUSR2,
				    SIGPIPE, SIGALRM, SIGCHLD };
	struct seen s;
	sigset_t none;
	pthread_t th;
	size_t i;

	(void)state;
	/* The creator blocks nothing, so the mask is the new thread's own. */
	sigemptyset(&none);
	assert_int_equal(pthread_sigmask(SIG_SETMASK, &none, NULL), 0);
	memset(&s, 0, sizeof(s));
	assert_int_equal(thread_start(&th, record_mask, &s), 0);
	assert_int_equal(pthread_join(th, NULL), 0);
	assert_int_equal(s.rc, 0);
	for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		assert_int_equal(sigismember(&s.mask, sigs[i]), 1);
}

/* The creator's own mask is what it was before, whatever it was. */
static void
test_creator_mask_kept(void **state)
{
	struct seen s;
	sigset_t before, after;
	pthread_t th;

	(void)state;
	sigemptyset(&before);
	sigaddset(&before, SIGUSR2);
	assert_int_equal(pthread_sigmask(SIG_SETMASK, &before, NULL), 0);
	assert_int_equal(thread_start(&th, record_mask, &s), 0);
	assert_int_equal(pthread_join(th, NULL), 0);
	assert_int_equal(pthread_sigmask(SIG_SETMASK, NULL, &after), 0);
	assert_int_equal(sigismember(&after, SIGUSR2), 1);
	assert_int_equal(sigismember(&after, SIGHUP), 0);
	assert_int_equal(sigismember(&after, SIGTERM), 0);
	sigemptyset(&before);
	assert_int_equal(pthread_sigmask(SIG_SETMASK, &before, NULL), 0);
}

static volatile sig_atomic_t where;

static void
note_thread(int sig)
{
	(void)sig;
	where = 1;
}

static void *
wait_a_moment(void *arg)
{
	(void)arg;
	usleep(200000);
	return NULL;
}

/*
 * A process signal sent while a started thread runs is taken by the
 * creator (the only thread that does not block it), never by the thread.
 */
static void
test_process_signal_goes_to_creator(void **state)
{
	struct sigaction sa, old;
	sigset_t none;
	pthread_t th;

	(void)state;
	sigemptyset(&none);
	assert_int_equal(pthread_sigmask(SIG_SETMASK, &none, NULL), 0);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = note_thread;
	sigemptyset(&sa.sa_mask);
	assert_int_equal(sigaction(SIGUSR1, &sa, &old), 0);
	where = 0;
	assert_int_equal(thread_start(&th, wait_a_moment, NULL), 0);
	/* Block it here too for a moment: a pending process signal then
	 * has nowhere to go but stays pending, as the thread blocks it. */
	sigaddset(&none, SIGUSR1);
	assert_int_equal(pthread_sigmask(SIG_BLOCK, &none, NULL), 0);
	assert_int_equal(kill(getpid(), SIGUSR1), 0);
	assert_int_equal(where, 0);
	assert_int_equal(pthread_sigmask(SIG_UNBLOCK, &none, NULL), 0);
	/* Unblocked here: delivered to this thread before the call returns. */
	assert_int_equal(where, 1);
	assert_int_equal(pthread_join(th, NULL), 0);
	assert_int_equal(sigaction(SIGUSR1, &old, NULL), 0);
}

struct named {
	char name[16];
	int rc;
};

static void *
record_name(void *arg)
{
	struct named *n = arg;

	n->rc = pthread_getname_np(pthread_self(), n->name, sizeof(n->name));
	return NULL;
}

/* Once thread_start_named() returns, the thread has its name. */
static void
test_named_thread(void **state)
{
	struct named n;
	char name[16];
	pthread_t th;

	(void)state;
	memset(&n, 0, sizeof(n));
	assert_int_equal(thread_start_named(&th, "md-test", wait_a_moment,
					    NULL), 0);
	assert_int_equal(pthread_getname_np(th, name, sizeof(name)), 0);
	assert_string_equal(name, "md-test");
	assert_int_equal(pthread_join(th, NULL), 0);
	/* A name too long for the kernel: the thread runs, unnamed. */
	assert_int_equal(thread_start_named(&th, "a-name-longer-than-15",
					    record_name, &n), 0);
	assert_int_equal(pthread_join(th, NULL), 0);
	assert_int_equal(n.rc, 0);
	assert_string_not_equal(n.name, "a-name-longer-than-15");
}

/*
 * thread_cpus() follows the affinity: a thread allowed one CPU counts
 * one; given its mask back, as many as the mask holds.
 */
static void
test_cpus_follow_affinity(void **state)
{
	cpu_set_t old;
	cpu_set_t one;
	int first = -1;
	int i;

	(void)state;
	assert_int_equal(sched_getaffinity(0, sizeof(old), &old), 0);
	assert_int_equal(thread_cpus(), (size_t)CPU_COUNT(&old));
	for (i = 0; i < CPU_SETSIZE && first < 0; i++)
		if (CPU_ISSET(i, &old))
			first = i;
	assert_true(first >= 0);
	CPU_ZERO(&one);
	CPU_SET(first, &one);
	assert_int_equal(sched_setaffinity(0, sizeof(one), &one), 0);
	assert_int_equal(thread_cpus(), 1);
	assert_int_equal(sched_setaffinity(0, sizeof(old), &old), 0);
	assert_int_equal(thread_cpus(), (size_t)CPU_COUNT(&old));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_new_thread_blocks_all),
		cmocka_unit_test(test_creator_mask_kept),
		cmocka_unit_test(test_process_signal_goes_to_creator),
		cmocka_unit_test(test_named_thread),
		cmocka_unit_test(test_cpus_follow_affinity),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
