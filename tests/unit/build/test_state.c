/* SPDX-License-Identifier: MIT */
/* test_state.c -- unit tests for the state text, serials and file on disk. */
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
#include "build/state_int.h"
#include "../tmpdir.h"
#include "state_fx.h"

#define AFTER_CORRUPT "; meshdns will not start, to keep every VIP where " \
	"it is: restore it from a backup, or move it aside to start " \
	"afresh (every VIP will be renumbered)"

struct fixture {
	char dir[256];
	char path[300];		/* dir/state */
	char tmp[300];		/* dir/state.tmp */
	char journal[300];	/* dir/state.journal */
	char jtmp[300];		/* dir/state.journal.tmp */
	char other[300];	/* dir/other */
	char ojournal[300];	/* dir/other.journal */
};

static int
setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	if (f == NULL)
		return -1;
	if (test_tmpname(f->dir, sizeof(f->dir), "test_state") < 0 ||
	    mkdtemp(f->dir) == NULL) {
		free(f);
		return -1;
	}
	snprintf(f->path, sizeof(f->path), "%s/state", f->dir);
	snprintf(f->tmp, sizeof(f->tmp), "%s/state.tmp", f->dir);
	snprintf(f->journal, sizeof(f->journal), "%s/state.journal", f->dir);
	snprintf(f->jtmp, sizeof(f->jtmp), "%s/state.journal.tmp", f->dir);
	snprintf(f->other, sizeof(f->other), "%s/other", f->dir);
	snprintf(f->ojournal, sizeof(f->ojournal), "%s/other.journal", f->dir);
	state_set_journal_floor(1024 * 1024);
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
	unlink(f->journal);
	unlink(f->jtmp);
	unlink(f->other);
	unlink(f->ojournal);
	rmdir(f->dir);
	free(f);
	return 0;
}

/* A state with @n services in 241.0.0.0/8, some released, one serial. */
static struct state *
make_state(size_t n)
{
	struct state *st = state_new();
	struct vip_table *t = state_vips(st);
	struct netaddr_cidr pool;
	struct vip_request *reqs = calloc(n, sizeof(*reqs));
	struct vip_result *res = calloc(n, sizeof(*res));
	char (*keys)[48] = calloc(n, sizeof(*keys));
	char err[128];
	uint32_t serial;
	size_t i;

	assert_true(st != NULL && reqs != NULL && res != NULL && keys != NULL);
	assert_int_equal(netaddr_cidr_parse(&pool, "241.0.0.0/8", err,
					    sizeof(err)), 0);
	for (i = 0; i < n; i++) {
		snprintf(keys[i], sizeof(keys[i]), "MeshService/m/s%zu", i);
		reqs[i].key = keys[i];
	}
	assert_int_equal(vip_allocate(t, &pool, 1, reqs, n, res, 1000, 3600,
				      1), 0);
	assert_int_equal(vip_allocate(t, &pool, 1, reqs, n / 2, res, 1010,
				      3600, 1), 0);
	assert_int_equal(state_zone_serial(st, "mesh.local", 42, 1000,
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
	struct state *st = make_state(10);
	struct state *back = NULL;
	struct state *st2 = NULL;
	char err[512] = "";
	struct stat sb;
	uint64_t saved = 0;
	uint64_t loaded = 0;
	mode_t old;
	int fresh = -1;

	/* The mode is 0644 whatever the umask. */
	old = umask(077);
	assert_int_equal(state_save(st, NULL, f->path, err, sizeof(err), &saved), 0);
	umask(old);
	assert_false(exists(f->tmp));
	assert_int_equal(stat(f->path, &sb), 0);
	assert_int_equal(sb.st_mode & 07777, 0644);

	/* The digest of the bytes read is the digest of the bytes written. */
	assert_int_equal(state_load(&back, &fresh, f->path, err, sizeof(err),
				    &loaded), 0);
	assert_true(saved != 0 && saved == loaded);
	assert_int_equal(fresh, 0);
	assert_true(state_equal(st, back));
	assert_int_equal(vip_table_assigned(state_vips(back)), 5);
	assert_int_equal(vip_table_held(state_vips(back)), 5);

	/* Saving again replaces the file. */
	st2 = make_state(4);
	assert_int_equal(state_save(st2, NULL, f->path, err, sizeof(err), &loaded),
			 0);
	assert_true(loaded != saved);
	state_free(back);
	back = NULL;
	assert_int_equal(state_load(&back, &fresh, f->path, err, sizeof(err),
				    NULL), 0);
	assert_true(state_equal(st2, back));
	assert_false(exists(f->tmp));
	state_free(st);
	state_free(st2);
	state_free(back);
}

static void
t_missing_is_fresh(void **state)
{
	struct fixture *f = *state;
	struct state *st = NULL;
	char err[512] = "";
	int fresh = -1;

	assert_int_equal(state_load(&st, &fresh, f->path, err,
				    sizeof(err), NULL), 0);
	assert_int_equal(fresh, 1);
	assert_non_null(st);
	assert_int_equal(vip_table_assigned(state_vips(st)), 0);
	assert_int_equal(vip_table_held(state_vips(st)), 0);
	/* Loading creates nothing. */
	assert_false(exists(f->path));
	state_free(st);
}

/* A damaged file is refused with the file, the line and the way out. */
static void
t_corrupt(void **state)
{
	struct fixture *f = *state;
	struct state *st = make_state(3);
	struct state *back = NULL;
	char err[512] = "";
	char want[1024];
	char *good = NULL;
	char *after = NULL;
	char *p = NULL;
	int fresh = -1;

	assert_int_equal(state_save(st, NULL, f->path, err, sizeof(err), NULL), 0);
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
	state_free(st);
}

static void
t_truncated(void **state)
{
	struct fixture *f = *state;
	struct state *st = make_state(3);
	struct state *back = NULL;
	char err[512] = "";
	char want[1024];
	char *good = NULL;
	int fresh = -1;

	assert_int_equal(state_save(st, NULL, f->path, err, sizeof(err), NULL), 0);
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
	state_free(st);
}

static void
t_not_regular(void **state)
{
	struct fixture *f = *state;
	struct state *back = NULL;
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
	struct state *st = make_state(2);
	char err[512] = "";
	char want[1024];
	char *after = NULL;
	int rc = 0;

	if (state_save(st, NULL, f->path, err, sizeof(err), NULL) != -1)
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
	state_free(st);
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
	struct state *back = NULL;
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
	struct state *st = make_state(3);
	struct state *back = NULL;
	char err[512] = "";
	int fresh = -1;

	spit(f->tmp, "meshdns-state 1\nassign 241.0", 28);
	assert_int_equal(state_save(st, NULL, f->path, err, sizeof(err), NULL), 0);
	assert_false(exists(f->tmp));
	assert_int_equal(state_load(&back, &fresh, f->path, err, sizeof(err),
				    NULL), 0);
	assert_true(state_equal(st, back));
	state_free(st);
	state_free(back);
}

/* The temp name is taken by a directory: not ours, left alone. */
static void
t_tmp_is_dir(void **state)
{
	struct fixture *f = *state;
	struct state *st = make_state(3);
	char err[512] = "";
	char want[1024];
	char *after = NULL;

	spit(f->path, "old\n", 4);
	assert_int_equal(mkdir(f->tmp, 0755), 0);
	assert_int_equal(state_save(st, NULL, f->path, err, sizeof(err), NULL), -1);
	snprintf(want, sizeof(want), "state file %s not saved: cannot create "
		 "%s (Is a directory)", f->path, f->tmp);
	assert_string_equal(err, want);
	after = slurp(f->path);
	assert_string_equal(after, "old\n");
	assert_int_equal(rmdir(f->tmp), 0);
	free(after);
	state_free(st);
}

/* The rename fails: the temp file is removed again. */
static void
t_rename_fails(void **state)
{
	struct fixture *f = *state;
	struct state *st = make_state(3);
	char err[512] = "";
	char want[1024];

	assert_int_equal(mkdir(f->path, 0755), 0);
	assert_int_equal(state_save(st, NULL, f->path, err, sizeof(err), NULL), -1);
	snprintf(want, sizeof(want), "state file %s not saved: cannot rename "
		 "%s to it (Is a directory)", f->path, f->tmp);
	assert_string_equal(err, want);
	assert_false(exists(f->tmp));
	state_free(st);
}

/* A write that fails half-way (a full disk) leaves the old file. */
static void
t_write_fails(void **state)
{
	struct fixture *f = *state;
	struct state *st = make_state(100);
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
	rc = state_save(st, NULL, f->path, err, sizeof(err), NULL);
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
	state_free(st);
}

/* A relative path: the directory synced is ".". */
static void
t_relative_path(void **state)
{
	struct fixture *f = *state;
	struct state *st = make_state(3);
	struct state *back = NULL;
	char err[512] = "";
	char cwd[4096];
	int fresh = -1;

	assert_non_null(getcwd(cwd, sizeof(cwd)));
	assert_int_equal(chdir(f->dir), 0);
	assert_int_equal(state_save(st, NULL, "state", err, sizeof(err), NULL), 0);
	assert_int_equal(state_load(&back, &fresh, "state", err,
				    sizeof(err), NULL), 0);
	assert_int_equal(chdir(cwd), 0);
	assert_true(state_equal(st, back));
	assert_true(exists(f->path));
	state_free(st);
	state_free(back);
}

/* The state text */

/* Serials */

static void
t_zone_serial(void **state)
{
	struct state *st = state_new();
	uint32_t s = 0;

	assert_int_equal(state_zone_serial(st, "mesh.local", 0xab, 1000,
					   &s), 0);
	assert_int_equal(s, 1000);
	/* Same content: same serial, whatever the time. */
	assert_int_equal(state_zone_serial(st, "mesh.local", 0xab, 2000,
					   &s), 0);
	assert_int_equal(s, 1000);
	assert_int_equal(state_zone_serial(st, "mesh.local", 0xac, 2000,
					   &s), 0);
	assert_int_equal(s, 2000);
	/* The clock went back: still an increase. */
	assert_int_equal(state_zone_serial(st, "mesh.local", 0xad, 1500,
					   &s), 0);
	assert_int_equal(s, 2001);
	assert_int_equal(state_zone_serial(st, "mesh.local", 0xae, 2001,
					   &s), 0);
	assert_int_equal(s, 2002);
	assert_int_equal(state_zone_serial(st, "mesh", 1, 0, &s), 0);
	assert_int_equal(s, 1);
	assert_int_equal(state_zone_serial(st, "bad zone", 1, 0, &s),
		     -EINVAL);
	assert_int_equal(state_zone_serial(st, "", 1, 0, &s), -EINVAL);
	assert_text_contains(st, "serial mesh 1 0000000000000001\n"
			     "serial mesh.local 2002 00000000000000ae\n");
	state_free(st);
}

/* RFC 1982 arithmetic around the wrap. */
static void
t_zone_serial_wrap(void **state)
{
	static const struct {
		uint32_t old;
		uint32_t now;
		uint32_t want;
	} cases[] = {
		{ 0xffffffffu, 5, 5 },			/* 5 is after it */
		{ 0xffffffffu, 0xffffffffu, 0 },	/* +1 wraps to 0 */
		{ 0xfffffff0u, 0x7ffffff0u, 0xfffffff1u },	/* undefined */
		{ 0xfffffff0u, 0x7fffffefu, 0x7fffffefu },	/* 2^31 - 1 */
		{ 0x10u, 0x90000000u, 0x11u },	/* "later" is before it */
		{ 0x10u, 0x7000000fu, 0x7000000fu },
	};
	size_t i;

	for (i = 0; i < N(cases); i++) {
		char rec[128];
		struct state *st = NULL;
		uint32_t s = 0;

		snprintf(rec, sizeof(rec),
			 "serial z %u 0000000000000001\n", cases[i].old);
		st = state_from(rec);
		assert_int_equal(state_zone_serial(st, "z", 2,
						   cases[i].now, &s), 0);
		if (s != cases[i].want)
			fail_msg("old %#x now %#x: got %#x, want %#x",
				 cases[i].old, cases[i].now, s, cases[i].want);
		state_free(st);
	}
}

/* The state text */

static struct state *
sample_state(void)
{
	static const char *const cidrs[] = { "241.0.0.0/8", "fd00::/120" };
	static const struct req r1[] = {
		{ "MeshService/default/redis", 0, NULL },
		{ "MeshService/default/web", 1, NULL },
		{ "MeshService/default/old", 0, NULL },
		{ "MeshService/kube/api.default", 0, "10.96.0.1" },
	};
	struct state *st = state_new();
	uint32_t s;
	char got[4][200];

	run(st, cidrs, 2, r1, 4, 1700000000, 3600, 1, got);
	run(st, cidrs, 2, r1, 2, 1700000000, 3600, 1, got);
	assert_int_equal(state_zone_serial(st, "mesh.local",
					   0x9f86d081884c7d65ULL,
					   1700000000, &s), 0);
	return st;
}

static const char sample_text[] =
	"meshdns-state 1\n"
	"cursor 241.0.0.0/8 241.0.0.3\n"
	"cursor fd00::/120 fd00::2\n"
	"assign 241.0.0.1 MeshService/default/redis\n"
	"assign fd00::1 MeshService/default/web\n"
	"held 10.96.0.1 1700003600 MeshService/kube/api.default\n"
	"held 241.0.0.2 1700003600 MeshService/default/old\n"
	"serial mesh.local 1700000000 9f86d081884c7d65\n"
	"end 7 ffceeee2\n";

static void
t_format_exact(void **state)
{
	struct state *st = sample_state();
	char *t = text_of(st);
	size_t body = strlen(sample_text) - strlen("end 7 ffceeee2\n");

	assert_string_equal(t, sample_text);
	/* The checksum is zlib's CRC-32 of everything before "end". */
	assert_int_equal(crc32_slow(sample_text, body), 0xffceeee2);
	free(t);
	state_free(st);
}

static void
t_text_round_trip(void **state)
{
	struct state *st = sample_state();
	struct state *back = NULL;
	struct state *copy = NULL;
	char *t1 = text_of(st);
	char *t2 = NULL;
	char err[256];
	uint32_t s;

	assert_int_equal(state_parse(&back, t1, strlen(t1), err,
				     sizeof(err)), 0);
	assert_true(state_equal(st, back));
	assert_true(state_equal(back, st));
	assert_int_equal(vip_table_assigned(state_vips(back)), 2);
	assert_int_equal(vip_table_held(state_vips(back)), 2);
	t2 = text_of(back);
	assert_string_equal(t1, t2);

	copy = state_clone(back);
	assert_non_null(copy);
	assert_true(state_equal(copy, st));
	assert_int_equal(state_zone_serial(copy, "mesh.local", 1,
					   1700000000, &s), 0);
	assert_false(state_equal(copy, st));
	assert_true(state_equal(back, st));

	/* An empty state has a text too. */
	state_free(copy);
	copy = state_new();
	free(t2);
	t2 = text_of(copy);
	assert_string_equal(t2, "meshdns-state 1\nend 0 cffe06ae\n");
	free(t1);
	free(t2);
	state_free(st);
	state_free(back);
	state_free(copy);
}

static void
t_equal_differences(void **state)
{
	static const char *const base =
		"cursor 241.0.0.0/8 241.0.0.3\n"
		"assign 241.0.0.1 a\n"
		"held 241.0.0.2 100 b\n"
		"serial z 5 0000000000000001\n";
	static const char *const other[] = {
		"cursor 241.0.0.0/8 241.0.0.4\n"
		"assign 241.0.0.1 a\n"
		"held 241.0.0.2 100 b\n"
		"serial z 5 0000000000000001\n",
		"cursor 241.0.0.0/8 241.0.0.3\n"
		"assign 241.0.0.1 c\n"
		"held 241.0.0.2 100 b\n"
		"serial z 5 0000000000000001\n",
		"cursor 241.0.0.0/8 241.0.0.3\n"
		"assign 241.0.0.1 a\n"
		"held 241.0.0.2 101 b\n"
		"serial z 5 0000000000000001\n",
		"cursor 241.0.0.0/8 241.0.0.3\n"
		"assign 241.0.0.1 a\n"
		"assign 241.0.0.2 b\n"
		"serial z 5 0000000000000001\n",
		"cursor 241.0.0.0/8 241.0.0.3\n"
		"assign 241.0.0.1 a\n"
		"held 241.0.0.2 100 b\n"
		"serial z 5 0000000000000002\n",
		"assign 241.0.0.1 a\n"
		"held 241.0.0.2 100 b\n"
		"serial z 5 0000000000000001\n",
	};
	struct state *a = state_from(base);
	size_t i;

	for (i = 0; i < N(other); i++) {
		struct state *b = state_from(other[i]);

		if (state_equal(a, b) || state_equal(b, a))
			fail_msg("case %zu equal", i);
		state_free(b);
	}
	state_free(a);
}

/* Records that are well-formed text with a good checksum, but wrong. */
static void
t_parse_record_errors(void **state)
{
	static const struct {
		const char *records;
		const char *msg;
	} cases[] = {
		{ "frob 1 2\n", "line 2: unknown record \"frob\"" },
		{ "assign 241.0.0.1 a\nEND 1 2\n",
		  "line 3: unknown record \"END\"" },
		{ "assign 241.0.0.256 a\n",
		  "line 2: bad address \"241.0.0.256\"" },
		{ "assign 241.0.0.1 a\nheld 241.0.0.1 5 b\n",
		  "line 3: duplicate address 241.0.0.1" },
		{ "held fd00::1 5 b\nassign fd00:0::1 a\n",
		  "line 3: duplicate address fd00::1" },
		{ "assign 241.0.0.1 a\nassign 241.0.0.2 a\n",
		  "line 3: duplicate assignment for a" },
		{ "assign 241.0.0.1\n",
		  "line 2: malformed record (expected \"assign <address> "
		  "<key>\")" },
		{ "assign 241.0.0.1 a b\n",
		  "line 2: malformed record (expected \"assign <address> "
		  "<key>\")" },
		{ "assign  241.0.0.1 a\n",
		  "line 2: malformed record (expected \"assign <address> "
		  "<key>\")" },
		{ "assign 241.0.0.1 a \n",
		  "line 2: malformed record (expected \"assign <address> "
		  "<key>\")" },
		{ "held 241.0.0.1 soon a\n", "line 2: bad time \"soon\"" },
		{ "held 241.0.0.1 99999999999999999999 a\n",
		  "line 2: bad time \"99999999999999999999\"" },
		{ "serial mesh 1 xyz\n", "line 2: bad digest \"xyz\"" },
		{ "serial mesh 1 00000000000000AB\n",
		  "line 2: bad digest \"00000000000000AB\"" },
		{ "serial mesh 4294967296 0000000000000000\n",
		  "line 2: bad serial \"4294967296\"" },
		{ "serial z 1 0000000000000000\nserial z 2 0000000000000000\n",
		  "line 3: duplicate serial for zone z" },
		{ "cursor 241.0.0.1/8 241.0.0.1\n",
		  "line 2: bad pool (241.0.0.1/8 has host bits set; the "
		  "network is 241.0.0.0/8)" },
		{ "cursor fd00:0::/120 fd00::1\n",
		  "line 2: pool fd00:0::/120 is not written as fd00::/120" },
		{ "cursor 241.0.0.0/8 242.0.0.1\n",
		  "line 2: cursor 242.0.0.1 is outside pool 241.0.0.0/8" },
		{ "cursor 241.0.0.0/8 241.0.0.1\n"
		  "cursor 241.0.0.0/8 241.0.0.2\n",
		  "line 3: duplicate cursor for pool 241.0.0.0/8" },
		{ "\n", "line 2: empty line" },
		{ "assign 241.0.0.1 a\tb\n",
		  "line 2: control character in the record" },
		{ "assign 241.0.0.1 a\r\n",
		  "line 2: control character in the record" },
	};
	size_t i;

	for (i = 0; i < N(cases); i++) {
		char *text = wrap_records(cases[i].records);
		struct state *st = NULL;
		char err[256] = "";

		assert_int_equal(state_parse(&st, text, strlen(text), err,
					     sizeof(err)), -1);
		assert_null(st);
		if (strcmp(err, cases[i].msg) != 0)
			fail_msg("case %zu: got \"%s\", want \"%s\"", i, err,
				 cases[i].msg);
		free(text);
	}
}

/*
 * Generated MeshServices (the deletion grace period): version 2, written
 * only when there are some; a version 1 file still loads and keeps every
 * VIP; a "generated" record in a version 1 file is refused.
 */
static void
t_generated(void **state)
{
	struct state *st = state_from("assign 241.0.0.1 MeshService/default/"
				      "backend\n");
	struct state *back = NULL;
	struct state_generated g[2];
	const struct state_generated *v = NULL;
	char *text = NULL;
	char *t2 = NULL;
	char err[256];
	size_t n = 0;

	(void)state;
	t2 = text_of(st);
	assert_true(strncmp(t2, "meshdns-state 1\n", 16) == 0);
	free(t2);
	memset(g, 0, sizeof(g));
	g[0].mesh = "default";
	g[0].name = "web";
	g[0].ports = "80/80/tcp/80";
	g[1].mesh = "default";
	g[1].name = "backend";
	g[1].since = 1700000000;
	g[1].ports = "3000/3000/http/main";
	assert_int_equal(state_set_generated(st, g, 2), 0);
	assert_int_equal(state_first_grace(st), 1700000000);
	text = text_of(st);
	assert_true(strncmp(text, "meshdns-state 2\n", 16) == 0);
	assert_non_null(strstr(text, "generated default backend 1700000000 "
			       "3000/3000/http/main\ngenerated default web - "
			       "80/80/tcp/80\n"));
	assert_int_equal(state_parse(&back, text, strlen(text), err,
				     sizeof(err)), 0);
	assert_true(state_equal(st, back));
	v = state_generated(back, &n);
	assert_int_equal(n, 2);
	assert_string_equal(v[0].name, "backend");
	assert_int_equal(v[1].since, 0);
	/* Bad fields and duplicates leave the state as it was. */
	g[0].name = "a b";
	assert_int_equal(state_set_generated(st, g, 2), -EINVAL);
	g[0].name = "backend";
	assert_int_equal(state_set_generated(st, g, 2), -EINVAL);
	assert_true(state_equal(st, back));
	assert_int_equal(state_set_generated(st, NULL, 0), 0);
	assert_int_equal(state_first_grace(st), INT64_MAX);
	t2 = text_of(st);
	assert_true(strncmp(t2, "meshdns-state 1\n", 16) == 0);
	free(t2);
	free(text);
	state_free(back);
	state_free(st);
	/* A generated record in a version 1 file. */
	text = wrap_records("generated default web - 80/80/tcp/80\n");
	back = NULL;
	assert_int_equal(state_parse(&back, text, strlen(text), err,
				     sizeof(err)), -1);
	assert_string_equal(err, "line 2: record \"generated\" in a version 1 "
			    "file");
	free(text);
}

/* Whole files that are wrong. */
static void
t_parse_file_errors(void **state)
{
	static const struct {
		const char *text;
		const char *msg;
	} cases[] = {
		{ "", "line 1: empty file" },
		{ "meshdns-state 3\nend 0 00000000\n",
		  "line 1: unsupported format version 3 (this meshdns reads "
		  "versions 1 and 2)" },
		{ "meshdns-state 1.0\nend 0 00000000\n",
		  "line 1: not a meshdns state file (expected "
		  "\"meshdns-state 1\")" },
		{ "{\"vips\": {}}\n",
		  "line 1: not a meshdns state file (expected "
		  "\"meshdns-state 1\")" },
		{ "meshdns-state 1\nassign 241.0.0.1 a\n",
		  "line 3: missing end line (file truncated?)" },
		{ "meshdns-state 1\nassign 241.0.0.1 a\nend 1 00000000\n",
		  "line 3: checksum mismatch" },
		{ "meshdns-state 1\nend 0 cffe06ae\nassign 241.0.0.1 a\n",
		  "line 3: data after the end line" },
		{ "meshdns-state 1\nend 0 cffe06ae\n\n",
		  "line 3: data after the end line" },
		{ "meshdns-state 1\nend 0 B9CC9C6A\n",
		  "line 2: malformed end line (expected \"end <records> "
		  "<crc32>\")" },
		{ "meshdns-state 1\nend 0\n",
		  "line 2: malformed end line (expected \"end <records> "
		  "<crc32>\")" },
		{ "meshdns-state 1\nend 1 cffe06ae\n",
		  "line 2: the end line counts 1 records, the file has 0" },
		{ "meshdns-state 1\r\nend 0 cffe06ae\n",
		  "line 1: not a meshdns state file (expected "
		  "\"meshdns-state 1\")" },
	};
	size_t i;

	for (i = 0; i < N(cases); i++) {
		struct state *st = NULL;
		char err[256] = "";

		assert_int_equal(state_parse(&st, cases[i].text,
					     strlen(cases[i].text), err,
					     sizeof(err)), -1);
		assert_null(st);
		if (strcmp(err, cases[i].msg) != 0)
			fail_msg("case %zu: got \"%s\", want \"%s\"", i, err,
				 cases[i].msg);
	}
}

/* Every cut of a good file is "truncated", at the line of the cut. */
static void
t_parse_truncated(void **state)
{
	const char *text = sample_text;
	size_t len = strlen(text);
	size_t cut;

	for (cut = 1; cut < len; cut++) {
		struct state *st = NULL;
		char err[256];
		char want[128];
		size_t line = 1;
		size_t i;

		for (i = 0; i < cut; i++)
			if (text[i] == '\n')
				line++;
		snprintf(want, sizeof(want),
			 "line %zu: missing end line (file truncated?)", line);
		assert_int_equal(state_parse(&st, text, cut, err,
					     sizeof(err)), -1);
		if (strcmp(err, want) != 0)
			fail_msg("cut at %zu: got \"%s\", want \"%s\"", cut,
				 err, want);
	}
}

/* Every flipped bit of a good file is refused. */
static void
t_parse_flipped(void **state)
{
	size_t len = strlen(sample_text);
	char *text = malloc(len);
	size_t pos;
	int bit;

	assert_non_null(text);
	for (pos = 0; pos < len; pos++) {
		for (bit = 0; bit < 8; bit++) {
			struct state *st = NULL;
			char err[256];

			memcpy(text, sample_text, len);
			text[pos] ^= (char)(1 << bit);
			if (state_parse(&st, text, len, err,
					sizeof(err)) != -1)
				fail_msg("byte %zu bit %d accepted", pos, bit);
			assert_null(st);
		}
	}
	/* In a record, the checksum is what notices. */
	memcpy(text, sample_text, len);
	text[strlen("meshdns-state 1\ncursor 241.0.0.0/8 241.0.0.")] ^= 1;
	{
		struct state *st = NULL;
		char err[256];

		assert_int_equal(state_parse(&st, text, len, err,
					     sizeof(err)), -1);
		assert_string_equal(err, "line 9: checksum mismatch");
	}
	free(text);
}


/* The journal */

/*
 * A change as a build makes one: @st cloned, service "new@i" added (its
 * VIP, the cursor moving), "s@i" released (held back), the serial and the
 * generated MeshServices changed.
 */
static struct state *
changed(const struct state *prev, int i)
{
	struct state *st = state_clone(prev);
	struct netaddr_cidr pool;
	struct vip_request req;
	struct vip_result res;
	struct state_generated g[2];
	char key[64];
	char gone[64];
	char name[32];
	char err[128];
	const char *keys[1];
	uint32_t serial;

	assert_non_null(st);
	assert_int_equal(netaddr_cidr_parse(&pool, "241.0.0.0/8", err,
					    sizeof(err)), 0);
	snprintf(key, sizeof(key), "MeshService/m/new%d", i);
	memset(&req, 0, sizeof(req));
	req.key = key;
	assert_int_equal(vip_allocate(state_vips(st), &pool, 1, &req, 1, &res,
				      2000 + i, 3600, 0), 0);
	snprintf(gone, sizeof(gone), "MeshService/m/s%d", i);
	keys[0] = gone;
	assert_int_equal(vip_release(state_vips(st), keys, 1, 2000 + i, 3600),
			 0);
	assert_int_equal(state_zone_serial(st, "mesh.local", 100 + i,
					   2000 + i, &serial), 0);
	snprintf(name, sizeof(name), "gen%d", i);
	g[0].mesh = "m";
	g[0].name = "always";
	g[0].since = i % 2 ? 0 : 1500;
	g[0].ports = "80/80/tcp/80";
	g[1].mesh = "m";
	g[1].name = name;
	g[1].since = 0;
	g[1].ports = "81/81/tcp/81";
	assert_int_equal(state_set_generated(st, g, 2), 0);
	return st;
}

static off_t
size_of(const char *path)
{
	struct stat sb;

	assert_int_equal(stat(path, &sb), 0);
	return sb.st_size;
}

static ino_t
inode_of(const char *path)
{
	struct stat sb;

	assert_int_equal(stat(path, &sb), 0);
	return sb.st_ino;
}

/* Load @path: it gives @want, with @want's digest @digest. */
static void
assert_loads(const char *path, const struct state *want, uint64_t digest)
{
	struct state *back = NULL;
	char err[1024] = "";
	uint64_t d = 0;
	int fresh = -1;
	int rc;

	rc = state_load(&back, &fresh, path, err, sizeof(err), &d);
	if (rc != 0)
		fail_msg("state_load: %d: %s", rc, err);
	assert_int_equal(fresh, 0);
	assert_true(state_equal(back, want));
	assert_true(d == digest);
	state_free(back);
}

/*
 * After the first save, a save appends the change to the journal: the
 * state file stays as it was; loading replays it, and the digest is the
 * state's whatever the files (written whole, it is the same).
 */
static void
t_journal_append(void **state)
{
	struct fixture *f = *state;
	struct state *st[4] = { NULL, NULL, NULL, NULL };
	uint64_t d[4];
	uint64_t whole = 0;
	char *base = NULL;
	char *after = NULL;
	char err[1024] = "";
	ino_t ino;
	off_t jsize;
	int i;

	st[0] = make_state(10);
	assert_int_equal(state_save(st[0], NULL, f->path, err, sizeof(err),
				    &d[0]), 0);
	assert_true(exists(f->journal));
	jsize = size_of(f->journal);
	base = slurp(f->path);
	ino = inode_of(f->path);
	assert_loads(f->path, st[0], d[0]);
	for (i = 1; i < 4; i++) {
		st[i] = changed(st[i - 1], i);
		assert_int_equal(state_save(st[i], st[i - 1], f->path, err,
					    sizeof(err), &d[i]), 0);
		assert_true(d[i] != d[i - 1]);
		assert_true(size_of(f->journal) > jsize);
		jsize = size_of(f->journal);
		assert_loads(f->path, st[i], d[i]);
	}
	/* The state file was not touched. */
	after = slurp(f->path);
	assert_string_equal(after, base);
	assert_true(inode_of(f->path) == ino);
	assert_false(exists(f->tmp));
	/* The same state written whole has the same digest. */
	assert_int_equal(state_save(st[3], NULL, f->other, err, sizeof(err),
				    &whole), 0);
	assert_true(whole == d[3]);
	/* Saving what the files hold already writes nothing. */
	assert_int_equal(state_save(st[3], st[3], f->path, err, sizeof(err),
				    &whole), 0);
	assert_true(whole == d[3] && size_of(f->journal) == jsize);
	for (i = 0; i < 4; i++)
		state_free(st[i]);
	free(base);
	free(after);
}

/*
 * A state built anew that equals the one saved (a full build that
 * changed nothing: a start, a SIGHUP) is not saved; told that it is what
 * the files hold, the next change is appended to the journal, and the
 * state file is not written whole again.
 */
static void
t_journal_after_equal(void **state)
{
	struct fixture *f = *state;
	struct state *st0 = make_state(10);
	struct state *again = make_state(10);
	struct state *st1 = NULL;
	char err[1024] = "";
	uint64_t d0 = 0;
	uint64_t d1 = 0;
	ino_t ino;
	off_t jsize;

	assert_int_equal(state_save(st0, NULL, f->path, err, sizeof(err),
				    &d0), 0);
	ino = inode_of(f->path);
	jsize = size_of(f->journal);
	assert_true(state_equal(st0, again));
	state_same_files(again, st0);
	st1 = changed(again, 1);
	assert_int_equal(state_save(st1, again, f->path, err, sizeof(err),
				    &d1), 0);
	assert_true(d1 != d0);
	assert_true(inode_of(f->path) == ino);
	assert_true(size_of(f->journal) > jsize);
	assert_loads(f->path, st1, d1);
	state_free(st0);
	state_free(again);
	state_free(st1);
}

/*
 * A record cut short, or damaged, at the very end: a save that was
 * interrupted.  Dropped with a warning naming the journal and the offset;
 * the next save writes over it.
 */
static void
t_journal_torn_tail(void **state)
{
	struct fixture *f = *state;
	struct state *st0 = make_state(6);
	struct state *st1 = NULL;
	struct state *st2 = NULL;
	struct state *back = NULL;
	struct state *st3 = NULL;
	char err[1024] = "";
	char want[1024];
	char *j = NULL;
	uint64_t d1 = 0;
	uint64_t d3 = 0;
	uint64_t d = 0;
	const char *p = NULL;
	size_t line = 1;
	size_t off;
	size_t len;
	int fresh;

	assert_int_equal(state_save(st0, NULL, f->path, err, sizeof(err),
				    NULL), 0);
	st1 = changed(st0, 1);
	assert_int_equal(state_save(st1, st0, f->path, err, sizeof(err),
				    &d1), 0);
	off = (size_t)size_of(f->journal);
	st2 = changed(st1, 2);
	assert_int_equal(state_save(st2, st1, f->path, err, sizeof(err),
				    NULL), 0);
	j = slurp(f->journal);
	len = strlen(j);

	for (p = j; p < j + off; p++)
		line += *p == '\n';
	/* Cut short in the middle of the last record. */
	spit(f->journal, j, off + (len - off) / 2);
	assert_int_equal(state_load(&back, &fresh, f->path, err, sizeof(err),
				    &d), 1);
	snprintf(want, sizeof(want), "state journal %s: the last record "
		 "(line %zu, offset %zu) is incomplete (cut short): dropped; "
		 "a save was interrupted, and the state it held was never "
		 "served", f->journal, line, off);
	assert_string_equal(err, want);
	assert_true(state_equal(back, st1) && d == d1);

	/* The next save writes over it. */
	st3 = changed(back, 3);
	assert_int_equal(state_save(st3, back, f->path, err, sizeof(err),
				    &d3), 0);
	assert_loads(f->path, st3, d3);
	state_free(back);
	back = NULL;

	/* Whole, but with a byte flipped: the same. */
	j[len - 20] ^= 0x01;
	spit(f->journal, j, len);
	assert_int_equal(state_load(&back, &fresh, f->path, err, sizeof(err),
				    &d), 1);
	snprintf(want, sizeof(want), "state journal %s: the last record "
		 "(line %zu, offset %zu) is incomplete (checksum mismatch): "
		 "dropped; a save was interrupted, and the state it held was "
		 "never served", f->journal, line, off);
	assert_string_equal(err, want);
	assert_true(state_equal(back, st1) && d == d1);
	state_free(back);
	state_free(st0);
	state_free(st1);
	state_free(st2);
	state_free(st3);
	free(j);
}

/* A damaged record followed by good ones: refused, never renumbered. */
static void
t_journal_corrupt_middle(void **state)
{
	struct fixture *f = *state;
	struct state *st0 = make_state(6);
	struct state *st1 = NULL;
	struct state *st2 = NULL;
	struct state *back = NULL;
	char err[1024] = "";
	char want[1024];
	char *j = NULL;
	char *after = NULL;
	char *p = NULL;
	size_t line = 0;
	size_t second;
	int fresh;

	assert_int_equal(state_save(st0, NULL, f->path, err, sizeof(err),
				    NULL), 0);
	st1 = changed(st0, 1);
	assert_int_equal(state_save(st1, st0, f->path, err, sizeof(err),
				    NULL), 0);
	st2 = changed(st1, 2);
	assert_int_equal(state_save(st2, st1, f->path, err, sizeof(err),
				    NULL), 0);
	j = slurp(f->journal);
	/* The second record's line: after the first one's commit. */
	for (p = j, line = 1; *p != '\0' && strncmp(p, "commit ", 7) != 0;
	     p++)
		line += *p == '\n';
	second = line + 1;
	/* new1's VIP changes in the first record. */
	p = strstr(j, "+ assign 241.0.0.");
	assert_non_null(p);
	p[strlen("+ assign 241.0.0.")] ^= 0x01;
	spit(f->journal, j, strlen(j));
	assert_int_equal(state_load(&back, &fresh, f->path, err, sizeof(err),
				    NULL), -1);
	assert_null(back);
	snprintf(want, sizeof(want), "state journal %s is corrupt (line 2, "
		 "offset 35: checksum mismatch; good records follow, from "
		 "line %zu); meshdns will not start, to keep every VIP where "
		 "it is: restore the state file and its journal from one "
		 "backup, or move both aside to start afresh (every VIP will "
		 "be renumbered)", f->journal, second);
	assert_string_equal(err, want);
	/* Never replaced by loading. */
	after = slurp(f->journal);
	assert_string_equal(after, j);
	state_free(st0);
	state_free(st1);
	state_free(st2);
	free(j);
	free(after);
}

/* A journal that does not continue the state file is refused. */
static void
t_journal_foreign(void **state)
{
	struct fixture *f = *state;
	struct state *a = make_state(6);
	struct state *b = make_state(8);
	struct state *b1 = NULL;
	struct state *back = NULL;
	char err[1024] = "";
	char want[1024];
	char *j = NULL;
	uint64_t da = 0;
	uint64_t db = 0;
	int fresh;

	assert_int_equal(state_save(a, NULL, f->path, err, sizeof(err), &da),
			 0);
	assert_int_equal(state_save(b, NULL, f->other, err, sizeof(err), &db),
			 0);
	b1 = changed(b, 1);
	assert_int_equal(state_save(b1, b, f->other, err, sizeof(err), NULL),
			 0);
	j = slurp(f->ojournal);
	spit(f->journal, j, strlen(j));
	assert_int_equal(state_load(&back, &fresh, f->path, err, sizeof(err),
				    NULL), -1);
	assert_null(back);
	snprintf(want, sizeof(want), "state journal %s does not belong to "
		 "state file %s (it continues the state %016llx, the file "
		 "holds %016llx); meshdns will not start, to keep every VIP "
		 "where it is: restore both from one backup, or move the "
		 "journal aside to start from the state file alone (services "
		 "changed since it was written may be renumbered)",
		 f->journal, f->path, (unsigned long long)db,
		 (unsigned long long)da);
	assert_string_equal(err, want);
	state_free(a);
	state_free(b);
	state_free(b1);
	free(j);
}

/*
 * A journal grown past the state file is compacted: the state file
 * written whole, the journal emptied.  A crash between the two leaves a
 * journal that passes through the new state file: read as it is.
 */
static void
t_journal_compaction(void **state)
{
	struct fixture *f = *state;
	struct state *st[40];
	uint64_t d[40];
	char err[1024] = "";
	char *hdr = NULL;
	ino_t ino;
	int compacted = -1;
	int i;

	memset(st, 0, sizeof(st));
	state_set_journal_floor(0);
	st[0] = make_state(60);
	assert_int_equal(state_save(st[0], NULL, f->path, err, sizeof(err),
				    &d[0]), 0);
	ino = inode_of(f->path);
	for (i = 1; i < 40 && compacted < 0; i++) {
		off_t before = size_of(f->journal);

		st[i] = changed(st[i - 1], i);
		assert_int_equal(state_save(st[i], st[i - 1], f->path, err,
					    sizeof(err), &d[i]), 0);
		assert_loads(f->path, st[i], d[i]);
		if (inode_of(f->path) != ino) {
			compacted = i;
			assert_true(size_of(f->journal) < before);
		} else {
			assert_true(size_of(f->journal) > before);
		}
	}
	assert_true(compacted > 1);
	i = compacted;
	/* Only the header is left; the state file is the state. */
	hdr = slurp(f->journal);
	assert_int_equal(strlen(hdr), 35);
	assert_int_equal(strncmp(hdr, "meshdns-journal 1 ", 18), 0);

	state_set_journal_floor(1024 * 1024);
	for (i = 0; i < 40; i++)
		state_free(st[i]);
	free(hdr);
}

/*
 * state_compact() at a clean stop writes the state whole.  A crash after
 * it renamed the state file but before the new journal: the old journal
 * ends at the new state file, and is read as it is (then appended to).
 */
static void
t_journal_compact_crash(void **state)
{
	struct fixture *f = *state;
	struct state *st0 = make_state(5);
	struct state *st1 = NULL;
	struct state *st2 = NULL;
	struct state *back = NULL;
	char err[1024] = "";
	char *old = NULL;
	char *hdr = NULL;
	uint64_t d1 = 0;
	uint64_t d2 = 0;
	uint64_t d = 0;
	ino_t ino;
	int fresh;

	assert_int_equal(state_save(st0, NULL, f->path, err, sizeof(err),
				    NULL), 0);
	st1 = changed(st0, 1);
	assert_int_equal(state_save(st1, st0, f->path, err, sizeof(err),
				    &d1), 0);
	old = slurp(f->journal);
	ino = inode_of(f->path);
	assert_int_equal(state_compact(f->path, err, sizeof(err)), 0);
	assert_true(inode_of(f->path) != ino);
	hdr = slurp(f->journal);
	assert_int_equal(strlen(hdr), 35);
	assert_loads(f->path, st1, d1);
	/* Nothing to fold: nothing written. */
	ino = inode_of(f->path);
	assert_int_equal(state_compact(f->path, err, sizeof(err)), 0);
	assert_true(inode_of(f->path) == ino);

	/* The crash: the new state file, the old journal. */
	spit(f->journal, old, strlen(old));
	assert_int_equal(state_load(&back, &fresh, f->path, err, sizeof(err),
				    &d), 0);
	assert_true(state_equal(back, st1) && d == d1);
	st2 = changed(back, 2);
	assert_int_equal(state_save(st2, back, f->path, err, sizeof(err),
				    &d2), 0);
	assert_true(size_of(f->journal) > (off_t)strlen(old));
	assert_loads(f->path, st2, d2);
	state_free(st0);
	state_free(st1);
	state_free(st2);
	state_free(back);
	free(old);
	free(hdr);
}

/*
 * Random rounds, as builds make them (full rounds, releases, serials,
 * generated MeshServices): each saved as a change, loaded back equal,
 * with the digest of the same state written whole; compacted now and
 * then.
 */
static void
t_journal_random(void **state)
{
	struct fixture *f = *state;
	struct state *prev = NULL;
	struct state *st = NULL;
	struct netaddr_cidr pools[2];
	struct vip_request reqs[40];
	struct vip_result res[40];
	struct state_generated g[8];
	char keys[40][48];
	char names[8][16];
	char err[1024] = "";
	const char *gone[4];
	uint64_t d = 0;
	uint64_t whole = 0;
	uint32_t serial;
	unsigned seed = 12345;
	size_t n;
	size_t i;
	int round;

	state_set_journal_floor(2048);
	assert_int_equal(netaddr_cidr_parse(&pools[0], "241.0.0.0/27", err,
					    sizeof(err)), 0);
	assert_int_equal(netaddr_cidr_parse(&pools[1], "fd00::/120", err,
					    sizeof(err)), 0);
	for (i = 0; i < 40; i++)
		snprintf(keys[i], sizeof(keys[i]), "MeshService/m/k%zu", i);
	prev = state_new();
	assert_int_equal(state_save(prev, NULL, f->path, err, sizeof(err),
				    NULL), 0);
	for (round = 0; round < 150; round++) {
		st = state_clone(prev);
		assert_non_null(st);
		switch (rand_r(&seed) % 4) {
		case 0:
		case 1:
			for (i = 0, n = 0; i < 40; i++) {
				if (rand_r(&seed) % 3 == 0)
					continue;
				memset(&reqs[n], 0, sizeof(reqs[n]));
				reqs[n].key = keys[i];
				reqs[n].pool = i % 2;
				n++;
			}
			assert_int_equal(vip_allocate(state_vips(st), pools, 2,
						      reqs, n, res,
						      1000 + round * 10,
						      rand_r(&seed) % 40, 1), 0);
			break;
		case 2:
			for (i = 0; i < 4; i++)
				gone[i] = keys[rand_r(&seed) % 40];
			assert_int_equal(vip_release(state_vips(st), gone, 4,
						     1000 + round * 10,
						     rand_r(&seed) % 30), 0);
			break;
		default:
			for (i = 0, n = 0; i < 8; i++) {
				if (rand_r(&seed) % 2)
					continue;
				snprintf(names[n], sizeof(names[n]), "g%zu",
					 i);
				g[n].mesh = i % 2 ? "a" : "b";
				g[n].name = names[n];
				g[n].since = rand_r(&seed) % 2 ? 0 : 900 + i;
				g[n].ports = rand_r(&seed) % 2 ? "80/80/tcp/80" :
					     "81/81/tcp/81";
				n++;
			}
			assert_int_equal(state_set_generated(st, g, n), 0);
			break;
		}
		assert_int_equal(state_zone_serial(st, round % 3 ? "a.local" :
						   "b.local",
						   rand_r(&seed) % 5,
						   1000 + round, &serial), 0);
		assert_int_equal(state_save(st, prev, f->path, err,
					    sizeof(err), &d), 0);
		assert_loads(f->path, st, d);
		if (round % 10 == 0) {
			struct state *c = state_clone(st);

			assert_int_equal(state_save(c, NULL, f->other, err,
						    sizeof(err), &whole), 0);
			assert_true(whole == d);
			state_free(c);
		}
		state_free(prev);
		prev = st;
	}
	state_free(prev);
}

/* Bytes a failed save left after the last record: cut by the next save. */
static void
t_journal_leftover(void **state)
{
	struct fixture *f = *state;
	struct state *st0 = make_state(5);
	struct state *st1 = NULL;
	struct state *st2 = NULL;
	char err[1024] = "";
	uint64_t d2 = 0;
	FILE *fp = NULL;

	assert_int_equal(state_save(st0, NULL, f->path, err, sizeof(err),
				    NULL), 0);
	st1 = changed(st0, 1);
	assert_int_equal(state_save(st1, st0, f->path, err, sizeof(err),
				    NULL), 0);
	fp = fopen(f->journal, "a");
	assert_non_null(fp);
	fputs("change 0123456789abcdef 0123456789abcdef 1\n+ assign", fp);
	fclose(fp);
	st2 = changed(st1, 2);
	assert_int_equal(state_save(st2, st1, f->path, err, sizeof(err),
				    &d2), 0);
	assert_loads(f->path, st2, d2);
	state_free(st0);
	state_free(st1);
	state_free(st2);
}

/*
 * A compaction that fails after the change was appended: the save
 * succeeds with a warning (the change is safe in the journal), and a
 * later save compacts.
 */
static void
t_journal_compaction_fails(void **state)
{
	struct fixture *f = *state;
	struct state *st0 = make_state(3);
	struct state *st1 = NULL;
	struct state *st2 = NULL;
	char err[1024] = "";
	char want[1024];
	uint64_t d1 = 0;
	uint64_t d2 = 0;
	ino_t ino;

	assert_int_equal(state_save(st0, NULL, f->path, err, sizeof(err),
				    NULL), 0);
	ino = inode_of(f->path);
	state_set_journal_floor(0);
	assert_int_equal(mkdir(f->tmp, 0755), 0);
	st1 = changed(st0, 1);
	assert_int_equal(state_save(st1, st0, f->path, err, sizeof(err),
				    &d1), 1);
	snprintf(want, sizeof(want), "state file %s not saved: cannot create "
		 "%s (Is a directory); the change is saved in the journal, "
		 "which a later save compacts", f->path, f->tmp);
	assert_string_equal(err, want);
	assert_true(inode_of(f->path) == ino);
	assert_loads(f->path, st1, d1);
	assert_int_equal(rmdir(f->tmp), 0);
	st2 = changed(st1, 2);
	assert_int_equal(state_save(st2, st1, f->path, err, sizeof(err),
				    &d2), 0);
	assert_true(inode_of(f->path) != ino);
	assert_loads(f->path, st2, d2);
	state_free(st0);
	state_free(st1);
	state_free(st2);
}

/*
 * A journal left by root (not writable for the user meshdns runs as, in
 * a directory it may write): the state is written whole, with a journal
 * of its own.
 */
static int
check_root_journal(struct fixture *f)
{
	struct state *back = NULL;
	struct state *st = NULL;
	char err[1024] = "";
	uint64_t d = 0;
	uint64_t d2 = 0;
	int fresh;
	int rc = 0;

	if (state_load(&back, &fresh, f->path, err, sizeof(err), &d) != 0)
		return 1;
	st = changed(back, 2);
	if (state_save(st, back, f->path, err, sizeof(err), &d2) != 0) {
		fprintf(stderr, "%s\n", err);
		rc = 2;
	}
	state_free(back);
	back = NULL;
	if (rc == 0 && (state_load(&back, &fresh, f->path, err, sizeof(err),
				   &d) != 0 || !state_equal(back, st) ||
			d != d2))
		rc = 3;
	state_free(back);
	state_free(st);
	return rc;
}

static void
t_journal_not_writable(void **state)
{
	struct fixture *f = *state;
	struct state *st0 = make_state(3);
	struct state *st1 = NULL;
	char err[1024] = "";

	assert_int_equal(state_save(st0, NULL, f->path, err, sizeof(err),
				    NULL), 0);
	st1 = changed(st0, 1);
	assert_int_equal(state_save(st1, st0, f->path, err, sizeof(err),
				    NULL), 0);
	/* Root's files, the user's directory. */
	assert_int_equal(chmod(f->journal, 0444), 0);
	assert_int_equal(chmod(f->path, 0444), 0);
	assert_int_equal(chmod(f->dir, 0777), 0);
	assert_int_equal(as_unprivileged(check_root_journal, f), 0);
	state_free(st0);
	state_free(st1);
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
		cmocka_unit_test(t_zone_serial),
		cmocka_unit_test(t_zone_serial_wrap),
		cmocka_unit_test(t_format_exact),
		cmocka_unit_test(t_text_round_trip),
		cmocka_unit_test(t_equal_differences),
		cmocka_unit_test(t_parse_record_errors),
		cmocka_unit_test(t_parse_file_errors),
		cmocka_unit_test(t_parse_truncated),
		cmocka_unit_test(t_parse_flipped),
		cmocka_unit_test(t_generated),
		cmocka_unit_test_setup_teardown(t_journal_after_equal, setup,
						teardown),
		cmocka_unit_test_setup_teardown(t_journal_append, setup,
						teardown),
		cmocka_unit_test_setup_teardown(t_journal_torn_tail, setup,
						teardown),
		cmocka_unit_test_setup_teardown(t_journal_corrupt_middle,
						setup, teardown),
		cmocka_unit_test_setup_teardown(t_journal_foreign, setup,
						teardown),
		cmocka_unit_test_setup_teardown(t_journal_compaction, setup,
						teardown),
		cmocka_unit_test_setup_teardown(t_journal_compact_crash, setup,
						teardown),
		cmocka_unit_test_setup_teardown(t_journal_random, setup,
						teardown),
		cmocka_unit_test_setup_teardown(t_journal_leftover, setup,
						teardown),
		cmocka_unit_test_setup_teardown(t_journal_compaction_fails,
						setup, teardown),
		cmocka_unit_test_setup_teardown(t_journal_not_writable, setup,
						teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
