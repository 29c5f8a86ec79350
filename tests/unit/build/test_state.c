/* SPDX-License-Identifier: MIT */
/* test_state.c -- unit tests for the state file on disk. */
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
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "build/state.h"

#define AFTER_CORRUPT "; meshdns will not start, to keep every VIP where " \
	"it is: restore it from a backup, or move it aside to start " \
	"afresh (every VIP will be renumbered)"

struct fixture {
	char dir[64];
	char path[128];		/* dir/state */
	char tmp[128];		/* dir/state.tmp */
};

static int
setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	if (f == NULL)
		return -1;
	snprintf(f->dir, sizeof(f->dir), "/tmp/test_state.XXXXXX");
	if (mkdtemp(f->dir) == NULL) {
		free(f);
		return -1;
	}
	snprintf(f->path, sizeof(f->path), "%s/state", f->dir);
	snprintf(f->tmp, sizeof(f->tmp), "%s/state.tmp", f->dir);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;

	chmod(f->dir, 0700);
	/* Whatever a test left: the file, the temp file, directories. */
	unlink(f->path);
	rmdir(f->path);
	unlink(f->tmp);
	rmdir(f->tmp);
	rmdir(f->dir);
	free(f);
	return 0;
}

/* A state with @n services in 241.0.0.0/8, some released, one serial. */
static struct vip_state *
make_state(size_t n)
{
	struct vip_state *st = vip_state_new();
	struct vip_pool pool;
	struct vip_request *reqs = calloc(n, sizeof(*reqs));
	struct vip_result *res = calloc(n, sizeof(*res));
	char (*keys)[48] = calloc(n, sizeof(*keys));
	char err[128];
	uint32_t serial;
	size_t i;

	assert_true(st != NULL && reqs != NULL && res != NULL && keys != NULL);
	assert_int_equal(vip_pool_parse(&pool, "241.0.0.0/8", err,
					sizeof(err)), 0);
	for (i = 0; i < n; i++) {
		snprintf(keys[i], sizeof(keys[i]), "MeshService/m/s%zu", i);
		reqs[i].key = keys[i];
	}
	assert_int_equal(vip_allocate(st, &pool, 1, reqs, n, res, 1000, 3600,
				      1), 0);
	assert_int_equal(vip_allocate(st, &pool, 1, reqs, n / 2, res, 1010,
				      3600, 1), 0);
	assert_int_equal(vip_state_zone_serial(st, "mesh.local", 42, 1000,
					       &serial), 0);
	free(reqs);
	free(res);
	free(keys);
	return st;
}

/* The whole file, NUL-terminated; NULL when it cannot be read. */
static char *
slurp(const char *path)
{
	FILE *fp = fopen(path, "rb");
	char *buf = NULL;
	long len;

	if (fp == NULL)
		return NULL;
	if (fseek(fp, 0, SEEK_END) == 0 && (len = ftell(fp)) >= 0 &&
	    fseek(fp, 0, SEEK_SET) == 0 && (buf = malloc((size_t)len + 1))) {
		if (fread(buf, 1, (size_t)len, fp) != (size_t)len) {
			free(buf);
			buf = NULL;
		} else {
			buf[len] = '\0';
		}
	}
	fclose(fp);
	return buf;
}

static void
spit(const char *path, const char *text, size_t len)
{
	FILE *fp = fopen(path, "wb");

	assert_non_null(fp);
	assert_int_equal(fwrite(text, 1, len, fp), len);
	assert_int_equal(fclose(fp), 0);
}

static int
exists(const char *path)
{
	struct stat sb;

	return lstat(path, &sb) == 0;
}

static void
t_round_trip(void **state)
{
	struct fixture *f = *state;
	struct vip_state *st = make_state(10);
	struct vip_state *back = NULL;
	struct vip_state *st2 = NULL;
	char err[512] = "";
	struct stat sb;
	uint64_t saved = 0;
	uint64_t loaded = 0;
	mode_t old;
	int fresh = -1;

	/* The mode is 0644 whatever the umask. */
	old = umask(077);
	assert_int_equal(state_save(st, f->path, err, sizeof(err), &saved), 0);
	umask(old);
	assert_false(exists(f->tmp));
	assert_int_equal(stat(f->path, &sb), 0);
	assert_int_equal(sb.st_mode & 07777, 0644);

	/* The digest of the bytes read is the digest of the bytes written. */
	assert_int_equal(state_load(&back, &fresh, f->path, err, sizeof(err),
				    &loaded), 0);
	assert_true(saved != 0 && saved == loaded);
	assert_int_equal(fresh, 0);
	assert_true(vip_state_equal(st, back));
	assert_int_equal(vip_state_assigned(back), 5);
	assert_int_equal(vip_state_held(back), 5);

	/* Saving again replaces the file. */
	st2 = make_state(4);
	assert_int_equal(state_save(st2, f->path, err, sizeof(err), &loaded),
			 0);
	assert_true(loaded != saved);
	vip_state_free(back);
	back = NULL;
	assert_int_equal(state_load(&back, &fresh, f->path, err, sizeof(err),
				    NULL), 0);
	assert_true(vip_state_equal(st2, back));
	assert_false(exists(f->tmp));
	vip_state_free(st);
	vip_state_free(st2);
	vip_state_free(back);
}

static void
t_missing_is_fresh(void **state)
{
	struct fixture *f = *state;
	struct vip_state *st = NULL;
	char err[512] = "";
	int fresh = -1;

	assert_int_equal(state_load(&st, &fresh, f->path, err,
				    sizeof(err), NULL), 0);
	assert_int_equal(fresh, 1);
	assert_non_null(st);
	assert_int_equal(vip_state_assigned(st), 0);
	assert_int_equal(vip_state_held(st), 0);
	/* Loading creates nothing. */
	assert_false(exists(f->path));
	vip_state_free(st);
}

/* A damaged file is refused with the file, the line and the way out. */
static void
t_corrupt(void **state)
{
	struct fixture *f = *state;
	struct vip_state *st = make_state(3);
	struct vip_state *back = NULL;
	char err[512] = "";
	char want[1024];
	char *good = NULL;
	char *after = NULL;
	char *p = NULL;
	int fresh = -1;

	assert_int_equal(state_save(st, f->path, err, sizeof(err), NULL), 0);
	good = slurp(f->path);
	assert_non_null(good);
	/* 241.0.0.2 becomes 241.0.0.3 in the held record. */
	p = strstr(good, "held 241.0.0.2 ");
	assert_non_null(p);
	p[strlen("held 241.0.0.")] = '3';
	spit(f->path, good, strlen(good));

	assert_int_equal(state_load(&back, &fresh, f->path, err,
				    sizeof(err), NULL),-1);
	assert_null(back);
	snprintf(want, sizeof(want), "state file %s is corrupt (line 7: "
		 "checksum mismatch)" AFTER_CORRUPT, f->path);
	assert_string_equal(err, want);
	/* Never replaced by loading. */
	after = slurp(f->path);
	assert_string_equal(after, good);
	free(after);
	free(good);
	vip_state_free(st);
}

static void
t_truncated(void **state)
{
	struct fixture *f = *state;
	struct vip_state *st = make_state(3);
	struct vip_state *back = NULL;
	char err[512] = "";
	char want[1024];
	char *good = NULL;
	int fresh = -1;

	assert_int_equal(state_save(st, f->path, err, sizeof(err), NULL), 0);
	good = slurp(f->path);
	assert_non_null(good);
	/* Cut in the middle of line 5. */
	spit(f->path, good, (size_t)(strstr(good, "held 241.0.0.3") - good) +
	     10);
	assert_int_equal(state_load(&back, &fresh, f->path, err,
				    sizeof(err), NULL),-1);
	snprintf(want, sizeof(want), "state file %s is corrupt (line 5: "
		 "missing end line (file truncated?))" AFTER_CORRUPT, f->path);
	assert_string_equal(err, want);

	spit(f->path, "", 0);
	assert_int_equal(state_load(&back, &fresh, f->path, err,
				    sizeof(err), NULL),-1);
	snprintf(want, sizeof(want), "state file %s is corrupt (line 1: "
		 "empty file)" AFTER_CORRUPT, f->path);
	assert_string_equal(err, want);
	assert_null(back);
	free(good);
	vip_state_free(st);
}

static void
t_not_regular(void **state)
{
	struct fixture *f = *state;
	struct vip_state *back = NULL;
	char err[512] = "";
	char want[1024];
	int fresh = -1;

	assert_int_equal(mkdir(f->path, 0755), 0);
	assert_int_equal(state_load(&back, &fresh, f->path, err,
				    sizeof(err), NULL),-1);
	assert_null(back);
	snprintf(want, sizeof(want), "state file %s is not a regular file"
		 AFTER_CORRUPT, f->path);
	assert_string_equal(err, want);
}

/*
 * Run @fn in a child that cannot write into (or read from) what root could:
 * as root, the child drops to nobody; otherwise permissions suffice.
 * Returns the child's exit status.
 */
static int
as_unprivileged(int (*fn)(struct fixture *), struct fixture *f)
{
	pid_t pid;
	int status = 0;

	fflush(NULL);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		if (geteuid() == 0 &&
		    (setgid(65534) < 0 || setuid(65534) < 0))
			_exit(100);
		_exit(fn(f));
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	return WEXITSTATUS(status);
}

static int
check_unwritable(struct fixture *f)
{
	struct vip_state *st = make_state(2);
	char err[512] = "";
	char want[1024];
	char *after = NULL;
	int rc = 0;

	if (state_save(st, f->path, err, sizeof(err), NULL) != -1)
		rc = 1;
	snprintf(want, sizeof(want), "state file %s not saved: cannot create "
		 "%s (Permission denied)", f->path, f->tmp);
	if (strcmp(err, want) != 0) {
		fprintf(stderr, "got  \"%s\"\nwant \"%s\"\n", err, want);
		rc = 2;
	}
	if ((after = slurp(f->path)) == NULL || strcmp(after, "old\n") != 0)
		rc = 3;
	if (exists(f->tmp))
		rc = 4;
	free(after);
	vip_state_free(st);
	return rc;
}

static void
t_unwritable_dir(void **state)
{
	struct fixture *f = *state;

	spit(f->path, "old\n", 4);
	assert_int_equal(chmod(f->path, 0644), 0);
	/* Readable by everyone, writable by its owner (root, or us) only. */
	assert_int_equal(chmod(f->dir, geteuid() == 0 ? 0755 : 0555), 0);
	assert_int_equal(as_unprivileged(check_unwritable, f), 0);
	assert_int_equal(chmod(f->dir, 0700), 0);
}

static int
check_unreadable(struct fixture *f)
{
	struct vip_state *back = NULL;
	char err[512] = "";
	char want[1024];
	int fresh = -1;

	if (state_load(&back, &fresh, f->path, err, sizeof(err), NULL) != -1 ||
	    back != NULL)
		return 1;
	snprintf(want, sizeof(want), "state file %s cannot be opened "
		 "(Permission denied); meshdns will not start, to keep every "
		 "VIP where it is: make it readable, or move it aside to "
		 "start afresh (every VIP will be renumbered)", f->path);
	if (strcmp(err, want) != 0) {
		fprintf(stderr, "got  \"%s\"\nwant \"%s\"\n", err, want);
		return 2;
	}
	return 0;
}

static void
t_unreadable(void **state)
{
	struct fixture *f = *state;

	spit(f->path, "meshdns-state 1\n", 16);
	assert_int_equal(chmod(f->path, 0600), 0);
	assert_int_equal(chmod(f->dir, 0755), 0);
	if (geteuid() != 0)
		assert_int_equal(chmod(f->path, 0), 0);
	assert_int_equal(as_unprivileged(check_unreadable, f), 0);
}

/* A temp file left by a crash is simply replaced. */
static void
t_stale_tmp(void **state)
{
	struct fixture *f = *state;
	struct vip_state *st = make_state(3);
	struct vip_state *back = NULL;
	char err[512] = "";
	int fresh = -1;

	spit(f->tmp, "meshdns-state 1\nassign 241.0", 28);
	assert_int_equal(state_save(st, f->path, err, sizeof(err), NULL), 0);
	assert_false(exists(f->tmp));
	assert_int_equal(state_load(&back, &fresh, f->path, err, sizeof(err),
				    NULL), 0);
	assert_true(vip_state_equal(st, back));
	vip_state_free(st);
	vip_state_free(back);
}

/* The temp name is taken by a directory: not ours, left alone. */
static void
t_tmp_is_dir(void **state)
{
	struct fixture *f = *state;
	struct vip_state *st = make_state(3);
	char err[512] = "";
	char want[1024];
	char *after = NULL;

	spit(f->path, "old\n", 4);
	assert_int_equal(mkdir(f->tmp, 0755), 0);
	assert_int_equal(state_save(st, f->path, err, sizeof(err), NULL), -1);
	snprintf(want, sizeof(want), "state file %s not saved: cannot create "
		 "%s (Is a directory)", f->path, f->tmp);
	assert_string_equal(err, want);
	after = slurp(f->path);
	assert_string_equal(after, "old\n");
	assert_int_equal(rmdir(f->tmp), 0);
	free(after);
	vip_state_free(st);
}

/* The rename fails: the temp file is removed again. */
static void
t_rename_fails(void **state)
{
	struct fixture *f = *state;
	struct vip_state *st = make_state(3);
	char err[512] = "";
	char want[1024];

	assert_int_equal(mkdir(f->path, 0755), 0);
	assert_int_equal(state_save(st, f->path, err, sizeof(err), NULL), -1);
	snprintf(want, sizeof(want), "state file %s not saved: cannot rename "
		 "%s to it (Is a directory)", f->path, f->tmp);
	assert_string_equal(err, want);
	assert_false(exists(f->tmp));
	vip_state_free(st);
}

/* A write that fails half-way (a full disk) leaves the old file. */
static void
t_write_fails(void **state)
{
	struct fixture *f = *state;
	struct vip_state *st = make_state(100);
	struct rlimit old;
	struct rlimit small;
	char err[512] = "";
	char want[1024];
	char *after = NULL;
	void (*oldsig)(int);
	int rc;

	spit(f->path, "old\n", 4);
	assert_int_equal(getrlimit(RLIMIT_FSIZE, &old), 0);
	small = old;
	small.rlim_cur = 100;
	oldsig = signal(SIGXFSZ, SIG_IGN);
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &small), 0);
	rc = state_save(st, f->path, err, sizeof(err), NULL);
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &old), 0);
	signal(SIGXFSZ, oldsig);
	assert_int_equal(rc, -1);
	snprintf(want, sizeof(want), "state file %s not saved: cannot write "
		 "%s (File too large)", f->path, f->tmp);
	assert_string_equal(err, want);
	assert_false(exists(f->tmp));
	after = slurp(f->path);
	assert_string_equal(after, "old\n");
	free(after);
	vip_state_free(st);
}

/* A relative path: the directory synced is ".". */
static void
t_relative_path(void **state)
{
	struct fixture *f = *state;
	struct vip_state *st = make_state(3);
	struct vip_state *back = NULL;
	char err[512] = "";
	char cwd[4096];
	int fresh = -1;

	assert_non_null(getcwd(cwd, sizeof(cwd)));
	assert_int_equal(chdir(f->dir), 0);
	assert_int_equal(state_save(st, "state", err, sizeof(err), NULL), 0);
	assert_int_equal(state_load(&back, &fresh, "state", err,
				    sizeof(err), NULL), 0);
	assert_int_equal(chdir(cwd), 0);
	assert_true(vip_state_equal(st, back));
	assert_true(exists(f->path));
	vip_state_free(st);
	vip_state_free(back);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(t_round_trip, setup, teardown),
		cmocka_unit_test_setup_teardown(t_missing_is_fresh, setup,
						teardown),
		cmocka_unit_test_setup_teardown(t_corrupt, setup, teardown),
		cmocka_unit_test_setup_teardown(t_truncated, setup, teardown),
		cmocka_unit_test_setup_teardown(t_not_regular, setup,
						teardown),
		cmocka_unit_test_setup_teardown(t_unwritable_dir, setup,
						teardown),
		cmocka_unit_test_setup_teardown(t_unreadable, setup, teardown),
		cmocka_unit_test_setup_teardown(t_stale_tmp, setup, teardown),
		cmocka_unit_test_setup_teardown(t_tmp_is_dir, setup, teardown),
		cmocka_unit_test_setup_teardown(t_rename_fails, setup,
						teardown),
		cmocka_unit_test_setup_teardown(t_write_fails, setup,
						teardown),
		cmocka_unit_test_setup_teardown(t_relative_path, setup,
						teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
