/* SPDX-License-Identifier: MIT */
/* test_log.c -- unit tests for log: levels, the line format, threads. */
#include "autoconfig.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/log.h"
#include "util/thread.h"

/*
 * log writes to stderr: each test points stderr at a pipe (setup), reads
 * what was written, and gives stderr back (teardown).  A pipe holds far
 * more than the few lines a test writes, so nothing blocks.
 */
struct fixture {
	int saved;		/* the real stderr */
	int rd;			/* read end of the pipe now on stderr */
};

static int
setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	int p[2];

	if (f == NULL || pipe2(p, O_CLOEXEC | O_NONBLOCK) < 0)
		return -1;
	f->saved = dup(STDERR_FILENO);
	if (f->saved < 0 || dup2(p[1], STDERR_FILENO) < 0)
		return -1;
	close(p[1]);
	f->rd = p[0];
	log_init(LOG_LEVEL_INFO, 0);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;

	dup2(f->saved, STDERR_FILENO);
	close(f->saved);
	close(f->rd);
	free(f);
	log_init(LOG_LEVEL_INFO, 0);
	return 0;
}

/* Everything written since the last call, NUL-terminated, in @buf. */
static size_t
drain(struct fixture *f, char *buf, size_t size)
{
	size_t len = 0;
	ssize_t n;

	while (len + 1 < size &&
	       (n = read(f->rd, buf + len, size - 1 - len)) > 0)
		len += (size_t)n;
	buf[len] = '\0';
	return len;
}

static void
test_level_names(void **state)
{
	static const char *const names[] = {
		"error", "warning", "notice", "info", "debug",
	};
	enum log_level l;
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		assert_string_equal(log_level_name((enum log_level)i),
				    names[i]);
		assert_int_equal(log_level_parse(&l, names[i]), 0);
		assert_int_equal(l, i);
	}
	assert_int_equal(log_level_parse(&l, "DeBuG"), 0);
	assert_int_equal(l, LOG_LEVEL_DEBUG);
	assert_int_equal(log_level_parse(&l, "verbose"), -EINVAL);
	assert_int_equal(log_level_parse(&l, ""), -EINVAL);
	assert_string_equal(log_level_name((enum log_level)99), "unknown");
}

/* A level lets through itself and the more severe ones only. */
static void
test_filtering(void **state)
{
	struct fixture *f = *state;
	char buf[4096];

	log_set_level(LOG_LEVEL_NOTICE);
	assert_true(log_enabled(LOG_LEVEL_ERROR));
	assert_true(log_enabled(LOG_LEVEL_NOTICE));
	assert_false(log_enabled(LOG_LEVEL_INFO));
	assert_false(log_enabled(LOG_LEVEL_DEBUG));
	log_info("not shown");
	log_debug("not shown either");
	assert_int_equal(drain(f, buf, sizeof(buf)), 0);
	log_notice("shown");
	log_error("shown too");
	drain(f, buf, sizeof(buf));
	assert_string_equal(buf, "meshdns: notice: shown\n"
			    "meshdns: error: shown too\n");

	log_set_level(LOG_LEVEL_ERROR);
	log_warning("dropped");
	assert_int_equal(drain(f, buf, sizeof(buf)), 0);
	log_set_level(LOG_LEVEL_DEBUG);
	assert_true(log_enabled(LOG_LEVEL_DEBUG));
	log_debug("x=%d", 42);
	drain(f, buf, sizeof(buf));
	assert_string_equal(buf, "meshdns: debug: x=42\n");
}

static void
test_diags_format(void **state)
{
	struct fixture *f = *state;
	struct diag_list list;
	char buf[4096];

	diag_list_init(&list);
	diag_error(&list, "a.yaml", 3, 7, "bad key \"%s\"", "x");
	diag_warning(&list, NULL, 0, 0, "hold raised to the TTL");
	log_diags(&list);
	drain(f, buf, sizeof(buf));
	assert_string_equal(buf, "meshdns: a.yaml:3:7: error: bad key \"x\"\n"
			    "meshdns: warning: hold raised to the TTL\n");
	/* Warnings are dropped at the error level, errors are not. */
	log_set_level(LOG_LEVEL_ERROR);
	log_diags(&list);
	drain(f, buf, sizeof(buf));
	assert_string_equal(buf, "meshdns: a.yaml:3:7: error: bad key \"x\"\n");
	diag_list_clear(&list);
}

/* A long message is cut: one line of 2047 bytes, the newline last. */
static void
test_long_line_cut(void **state)
{
	struct fixture *f = *state;
	char *msg = malloc(5000);
	char buf[8192];
	size_t len;

	assert_non_null(msg);
	memset(msg, 'x', 4999);
	msg[4999] = '\0';
	log_notice("%s", msg);
	len = drain(f, buf, sizeof(buf));
	assert_int_equal(len, 2047);
	assert_memory_equal(buf, "meshdns: notice: xxx", 20);
	assert_int_equal(buf[2045], 'x');
	assert_int_equal(buf[2046], '\n');
	free(msg);
}

/*
 * The level is set on one thread while another logs, as on a reload: the
 * level is an atomic, so this is no data race (ThreadSanitizer would say
 * so), and every line the logger wrote is whole.
 */
struct racer {
	atomic_int stop;
};

static void *
logger(void *arg)
{
	struct racer *r = arg;

	while (!atomic_load(&r->stop))
		log_info("tick");
	return NULL;
}

static void
test_level_from_two_threads(void **state)
{
	struct fixture *f = *state;
	struct racer r;
	pthread_t t;
	/* More than a pipe holds, so that a read never stops mid-line. */
	static char buf[1 << 17];
	const char *tick = "meshdns: info: tick\n";
	size_t len;
	size_t i;

	memset(&r, 0, sizeof(r));
	atomic_init(&r.stop, 0);
	/* The pipe is non-blocking: a full one drops lines, never blocks. */
	assert_int_equal(thread_start(&t, logger, &r), 0);
	for (i = 0; i < 2000; i++) {
		log_set_level(i % 2 ? LOG_LEVEL_INFO : LOG_LEVEL_WARNING);
		if (i % 100 == 0)
			drain(f, buf, sizeof(buf));
	}
	atomic_store(&r.stop, 1);
	pthread_join(t, NULL);
	log_set_level(LOG_LEVEL_INFO);
	assert_true(log_enabled(LOG_LEVEL_INFO));
	assert_false(log_enabled(LOG_LEVEL_DEBUG));
	len = drain(f, buf, sizeof(buf));
	/* What is left in the pipe is whole lines only. */
	assert_int_equal(len % strlen(tick), 0);
	for (i = 0; i < len; i += strlen(tick))
		assert_memory_equal(buf + i, tick, strlen(tick));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_level_names),
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
		T(test_filtering),
		T(test_diags_format),
		T(test_long_line_cut),
		T(test_level_from_two_threads),
#undef T
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
