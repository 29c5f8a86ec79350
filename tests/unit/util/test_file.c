/* SPDX-License-Identifier: MIT */
/* test_file.c -- unit tests for file.h: whole files in, buffers out. */
#include "autoconfig.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util/file.h"
#include "../tmpdir.h"

/* What file_read*() must leave alone on failure. */
static char untouched[] = "untouched";

struct fixture {
	char dir[256];
	char path[300];		/* dir/file, made by a test */
};

static int
setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	if (f == NULL)
		return -1;
	if (test_tmpname(f->dir, sizeof(f->dir), "test_file") < 0 ||
	    mkdtemp(f->dir) == NULL) {
		free(f);
		return -1;
	}
	snprintf(f->path, sizeof(f->path), "%s/file", f->dir);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;

	chmod(f->path, 0600);
	unlink(f->path);
	rmdir(f->path);
	rmdir(f->dir);
	free(f);
	return 0;
}

/* @len bytes of a pattern with NULs and every byte value in it. */
static char *
pattern(size_t len)
{
	char *p = malloc(len ? len : 1);
	size_t i;

	assert_non_null(p);
	for (i = 0; i < len; i++)
		p[i] = (char)(i * 7 + i / 256);
	return p;
}

static void
write_path(const char *path, const char *p, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);

	assert_true(fd >= 0);
	assert_int_equal(file_write_all(fd, p, len), 0);
	assert_int_equal(close(fd), 0);
}

/*
 * Files of several sizes (empty, one byte, around the first buffer of
 * 64 KiB and several times it) come back whole, followed by a NUL.
 */
static void
test_read_sizes(void **state)
{
	static const size_t sizes[] = {
		0, 1, 4095, 4096, 61439, 61440, 65536, 65537, 300000,
	};
	struct fixture *f = *state;
	size_t i;

	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		char *want = pattern(sizes[i]);
		char *buf = NULL;
		size_t len = 12345;

		write_path(f->path, want, sizes[i]);
		assert_int_equal(file_read(f->path, &buf, &len), 0);
		assert_non_null(buf);
		assert_int_equal(len, sizes[i]);
		if (sizes[i] > 0)
			assert_memory_equal(buf, want, sizes[i]);
		assert_int_equal(buf[len], '\0');
		free(buf);
		free(want);
	}
}

/* Text reads as a string; an empty file as "". */
static void
test_read_text(void **state)
{
	struct fixture *f = *state;
	char *buf = NULL;
	size_t len = 0;

	write_path(f->path, "listen: [\"127.0.0.1:53\"]\n", 25);
	assert_int_equal(file_read(f->path, &buf, &len), 0);
	assert_int_equal(len, 25);
	assert_string_equal(buf, "listen: [\"127.0.0.1:53\"]\n");
	free(buf);
	buf = NULL;
	write_path(f->path, "", 0);
	assert_int_equal(file_read(f->path, &buf, &len), 0);
	assert_int_equal(len, 0);
	assert_string_equal(buf, "");
	free(buf);
}

/* Failures: the errno value, and *buf and *len left as they were. */
static void
test_read_errors(void **state)
{
	struct fixture *f = *state;
	char missing[320];
	char notdir[340];
	char *buf = untouched;
	size_t len = 777;

	snprintf(missing, sizeof(missing), "%s/missing", f->dir);
	assert_int_equal(file_read(missing, &buf, &len), ENOENT);
	assert_ptr_equal(buf, untouched);
	assert_int_equal(len, 777);

	/* A directory opens, but does not read. */
	assert_int_equal(file_read(f->dir, &buf, &len), EISDIR);
	assert_ptr_equal(buf, untouched);
	assert_int_equal(len, 777);

	/* A path through a file. */
	write_path(f->path, "x", 1);
	snprintf(notdir, sizeof(notdir), "%s/below", f->path);
	assert_int_equal(file_read(notdir, &buf, &len), ENOTDIR);
	assert_ptr_equal(buf, untouched);

	/* No permission (root reads anyway). */
	if (geteuid() != 0) {
		assert_int_equal(chmod(f->path, 0), 0);
		assert_int_equal(file_read(f->path, &buf, &len), EACCES);
		assert_ptr_equal(buf, untouched);
	}

	/* A bad descriptor. */
	assert_int_equal(file_read_fd(-1, &buf, &len), EBADF);
	assert_ptr_equal(buf, untouched);
	assert_int_equal(len, 777);
}

/*
 * A pipe: read to end of file, whatever the size of each read; the
 * writer's file_write_all() writes everything through short writes
 * (the pipe holds 64 KiB, the writer sends 1 MiB).
 */
static void
test_pipe(void **state)
{
	const size_t size = 1 << 20;
	char *want = pattern(size);
	char *buf = NULL;
	size_t len = 0;
	int status = 0;
	int fds[2];
	pid_t pid;

	(void)state;
	assert_int_equal(pipe(fds), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		close(fds[0]);
		_exit(file_write_all(fds[1], want, size) == 0 ? 0 : 1);
	}
	close(fds[1]);
	assert_int_equal(file_read_fd(fds[0], &buf, &len), 0);
	close(fds[0]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	assert_int_equal(len, size);
	assert_memory_equal(buf, want, size);
	assert_int_equal(buf[len], '\0');
	free(buf);
	free(want);
}

static void
on_alarm(int sig)
{
	(void)sig;
}

/*
 * A signal that interrupts read(2) (no SA_RESTART) is not an error: the
 * read is retried.  The writer waits, so the reader is blocked when the
 * timer's signals arrive.
 */
static void
test_read_eintr(void **state)
{
	struct itimerval every = { { 0, 20000 }, { 0, 20000 } };
	struct itimerval off = { { 0, 0 }, { 0, 0 } };
	struct sigaction sa;
	struct sigaction old;
	char *buf = NULL;
	size_t len = 0;
	int status = 0;
	int fds[2];
	int rc;
	pid_t pid;

	(void)state;
	assert_int_equal(pipe(fds), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		close(fds[0]);
		usleep(300000);
		_exit(file_write_all(fds[1], "late", 4) == 0 ? 0 : 1);
	}
	close(fds[1]);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_alarm;
	sigemptyset(&sa.sa_mask);
	assert_int_equal(sigaction(SIGALRM, &sa, &old), 0);
	assert_int_equal(setitimer(ITIMER_REAL, &every, NULL), 0);
	rc = file_read_fd(fds[0], &buf, &len);
	assert_int_equal(setitimer(ITIMER_REAL, &off, NULL), 0);
	assert_int_equal(sigaction(SIGALRM, &old, NULL), 0);
	close(fds[0]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_int_equal(rc, 0);
	assert_int_equal(len, 4);
	assert_string_equal(buf, "late");
	free(buf);
}

/* file_write_all(): 0 bytes is success; a bad descriptor -1 and errno. */
static void
test_write_errors(void **state)
{
	struct fixture *f = *state;
	int fd;

	assert_int_equal(file_write_all(-1, "", 0), 0);
	errno = 0;
	assert_int_equal(file_write_all(-1, "x", 1), -1);
	assert_int_equal(errno, EBADF);
	/* A descriptor open for reading only. */
	write_path(f->path, "x", 1);
	fd = open(f->path, O_RDONLY);
	assert_true(fd >= 0);
	errno = 0;
	assert_int_equal(file_write_all(fd, "y", 1), -1);
	assert_int_equal(errno, EBADF);
	close(fd);
}

/* Paths as messages print them: lexically normalised. */
static void
test_path_clean(void **state)
{
	static const char *const cases[][2] = {
		{ "/a/b/c.yaml", "/a/b/c.yaml" },
		{ "/a/./b/../c", "/a/c" },
		{ "/srv/zones/universal/./dataplanes.yaml",
		  "/srv/zones/universal/dataplanes.yaml" },
		{ "/srv/cfg/../m/zones/x.yaml", "/srv/m/zones/x.yaml" },
		{ "/a//b/", "/a/b" },
		{ "/a/b/.", "/a/b" },
		{ "/..", "/" },
		{ "/../a", "/a" },
		{ "/a/..", "/" },
		{ "/", "/" },
		{ "./x", "x" },
		{ ".", "." },
		{ "a/..", "." },
		{ "../x", "../x" },
		{ "../../x/../y", "../../y" },
		{ "a/../../b", "../b" },
		{ "a/b/../../..", ".." },
		{ "...", "..." },
		{ "a/.b/..c", "a/.b/..c" },
		{ "", "." },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *got = file_path_clean(cases[i][0]);

		assert_non_null(got);
		assert_string_equal(got, cases[i][1]);
		free(got);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_path_clean),
		cmocka_unit_test_setup_teardown(test_read_sizes, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_read_text, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_read_errors, setup,
						teardown),
		cmocka_unit_test(test_pipe),
		cmocka_unit_test(test_read_eintr),
		cmocka_unit_test_setup_teardown(test_write_errors, setup,
						teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
