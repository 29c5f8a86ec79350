/* SPDX-License-Identifier: MIT */
/*
 * test_cache.c -- unit tests for the start-up cache file, the digests of
 * its key and the digest of resource paths.
 */
#include "autoconfig.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "build/cache.h"
#include "util/diag.h"
#include "util/digest.h"
#include "util/file.h"
#include "kuma/resource.h"
#include "dns/table.h"
#include "dns/table_build.h"
#include "../tmpdir.h"

struct fixture {
	char dir[256];
	char path[300];		/* dir/state.cache */
	struct table *table;
};

static void
write_file(const char *path, const char *text)
{
	FILE *fp = fopen(path, "w");

	assert_non_null(fp);
	assert_int_equal(fputs(text, fp) >= 0, 1);
	assert_int_equal(fclose(fp), 0);
}

/* A small table: one zone, redis.mesh A 241.0.0.5. */
static struct table *
small_table(void)
{
	static const char *const ns[] = { "ns.mesh" };
	static const uint8_t addr[4] = { 241, 0, 0, 5 };
	struct table_zone_params p = {
		"mesh", "ns.mesh", "hostmaster.mesh", 3600, 600, 86400, 30,
		30, ns, 1
	};
	struct table_builder *b = table_builder_new();
	struct table *t = NULL;
	char err[256];

	assert_non_null(b);
	assert_int_equal(table_builder_add_zone(b, &p, err, sizeof(err)), 0);
	assert_int_equal(table_builder_add_addr(b, "redis.mesh", AF_INET,
						addr, 30), 0);
	assert_int_equal(table_builder_finish(b, &t), 0);
	return t;
}

static int
setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	if (f == NULL)
		return -1;
	if (test_tmpname(f->dir, sizeof(f->dir), "test_cache") < 0 ||
	    mkdtemp(f->dir) == NULL) {
		free(f);
		return -1;
	}
	snprintf(f->path, sizeof(f->path), "%s/state.cache", f->dir);
	f->table = small_table();
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;
	char cmd[300];

	table_free(f->table);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->dir);
	if (system(cmd) != 0)
		return -1;
	free(f);
	return 0;
}

/* The A answer of redis.mesh in @t, as bytes. */
static void
assert_same_answer(const struct table *a, const struct table *b)
{
	static const uint8_t name[] = "\5redis\4mesh";
	const struct table_zone *za = NULL;
	const struct table_zone *zb = NULL;
	const struct table_rrset *ra = NULL;
	const struct table_rrset *rb = NULL;
	size_t off = 0;

	za = table_find_zone(a, name, sizeof(name), &off);
	zb = table_find_zone(b, name, sizeof(name), &off);
	assert_non_null(za);
	assert_non_null(zb);
	ra = table_node_rrset(table_lookup(a, za, name, sizeof(name)), 1);
	rb = table_node_rrset(table_lookup(b, zb, name, sizeof(name)), 1);
	assert_non_null(ra);
	assert_non_null(rb);
	assert_int_equal(ra->len, rb->len);
	assert_memory_equal(ra->wire, rb->wire, ra->len);
}

static void
test_round_trip(void **state)
{
	struct fixture *f = *state;
	struct cache_info in = { 5, 2 };
	struct cache_info out = { 0, 0 };
	struct table *t = NULL;
	char err[256];

	assert_int_equal(cache_save(f->path, 42, f->table, &in, err,
				    sizeof(err)), 0);
	assert_int_equal(cache_load(f->path, 42, &t, &out, err, sizeof(err)),
			 0);
	assert_non_null(t);
	assert_int_equal(out.nservices, 5);
	assert_int_equal(out.nviews, 2);
	assert_same_answer(f->table, t);
	table_free(t);
}

static void
test_misses(void **state)
{
	struct fixture *f = *state;
	struct cache_info info = { 1, 0 };
	struct table *t = NULL;
	char err[256];

	assert_int_equal(cache_load(f->path, 42, &t, &info, err, sizeof(err)),
			 1);
	assert_string_equal(err, "no cache file");
	assert_int_equal(cache_save(f->path, 42, f->table, &info, err,
				    sizeof(err)), 0);
	assert_int_equal(cache_load(f->path, 43, &t, &info, err, sizeof(err)),
			 1);
	assert_string_equal(err, "the inputs changed");
	assert_null(t);
}

/* Damage the file at @path: @how 0 truncates it, 1 flips its last byte. */
static void
damage(const char *path, int how)
{
	struct stat st;
	FILE *fp = NULL;
	int c;

	assert_int_equal(stat(path, &st), 0);
	if (how == 0) {
		assert_int_equal(truncate(path, st.st_size - 1), 0);
		return;
	}
	fp = fopen(path, "r+");
	assert_non_null(fp);
	assert_int_equal(fseek(fp, -1, SEEK_END), 0);
	c = fgetc(fp);
	assert_int_equal(fseek(fp, -1, SEEK_END), 0);
	fputc(c ^ 0x40, fp);
	assert_int_equal(fclose(fp), 0);
}

static void
test_damaged(void **state)
{
	struct fixture *f = *state;
	struct cache_info info = { 1, 0 };
	struct table *t = NULL;
	char err[256];

	assert_int_equal(cache_save(f->path, 7, f->table, &info, err,
				    sizeof(err)), 0);
	damage(f->path, 1);
	assert_int_equal(cache_load(f->path, 7, &t, &info, err, sizeof(err)),
			 -1);
	assert_string_equal(err, "checksum mismatch");
	assert_int_equal(cache_save(f->path, 7, f->table, &info, err,
				    sizeof(err)), 0);
	damage(f->path, 0);
	assert_int_equal(cache_load(f->path, 7, &t, &info, err, sizeof(err)),
			 -1);
	assert_non_null(strstr(err, "truncated"));
	write_file(f->path, "not a cache, but long enough to have a header "
		   "of the right size and then some more bytes after it\n");
	assert_int_equal(cache_load(f->path, 7, &t, &info, err, sizeof(err)),
			 -1);
	assert_string_equal(err, "not a cache file");
	write_file(f->path, "short");
	assert_int_equal(cache_load(f->path, 7, &t, &info, err, sizeof(err)),
			 -1);
	assert_null(t);
}

/*
 * A record forged in the file by someone who can write it and recomputes
 * the checksum (the last word of the header): the table's own checks
 * refuse it, with what is wrong, rather than serve responses no client
 * can parse.
 */
static void
test_forged_record(void **state)
{
	/* redis.mesh A 241.0.0.5, TTL 30, owner the question (0xC00C). */
	static const uint8_t rr[] = {
		0xc0, 0x0c, 0, 1, 0, 1, 0, 0, 0, 30, 0, 4, 241, 0, 0, 5,
	};
	struct fixture *f = *state;
	struct cache_info info = { 1, 0 };
	struct table *t = NULL;
	char *bytes = NULL;
	uint8_t *at = NULL;
	uint32_t hsize = 0;
	uint64_t digest;
	size_t len = 0;
	char err[512];
	FILE *fp = NULL;

	assert_int_equal(cache_save(f->path, 7, f->table, &info, err,
				    sizeof(err)), 0);
	assert_int_equal(file_read(f->path, &bytes, &len), 0);
	at = memmem(bytes, len, rr, sizeof(rr));
	assert_non_null(at);
	assert_null(memmem(at + 1, len - (size_t)(at + 1 - (uint8_t *)bytes),
			   rr, sizeof(rr)));
	at[1] = 0x0d;		/* one byte into the question name */
	memcpy(&hsize, bytes + 12, sizeof(hsize));
	assert_true(hsize >= 16 && hsize < len);
	digest = digest_bytes(0, bytes + hsize, len - hsize);
	memcpy(bytes + hsize - 8, &digest, sizeof(digest));
	fp = fopen(f->path, "w");
	assert_non_null(fp);
	assert_int_equal(fwrite(bytes, 1, len, fp), len);
	assert_int_equal(fclose(fp), 0);
	assert_int_equal(cache_load(f->path, 7, &t, &info, err, sizeof(err)),
			 -1);
	assert_null(t);
	assert_string_equal(err, "the table does not hold together: node "
			    "\"redis.mesh.\", A RRset: RR 1: owner pointer "
			    "0xc00d, not 0xc00c");
	free(bytes);
}

static void
test_save_error(void **state)
{
	struct fixture *f = *state;
	struct cache_info info = { 1, 0 };
	char path[320];
	char err[256];

	snprintf(path, sizeof(path), "%s/no/such/dir/state.cache", f->dir);
	assert_int_equal(cache_save(path, 1, f->table, &info, err,
				    sizeof(err)), -1);
	assert_non_null(strstr(err, "cannot create"));
	assert_int_equal(access(path, F_OK), -1);
}

static void
test_digests(void **state)
{
	(void)state;
	assert_int_not_equal(digest_bytes(0, "abc", 3), digest_bytes(0, "abd", 3));
	assert_int_not_equal(digest_bytes(0, "abc", 3), digest_bytes(1, "abc", 3));
	assert_int_not_equal(digest_bytes(0, "", 0), digest_bytes(0, "\0", 1));
	/* The length is part of a string's digest: "ab"+"c" != "a"+"bc". */
	assert_int_not_equal(digest_str(digest_str(0, "ab"), "c"),
			     digest_str(digest_str(0, "a"), "bc"));
	assert_int_not_equal(digest_u64(digest_u64(0, 1), 2),
			     digest_u64(digest_u64(0, 2), 1));
	assert_int_equal(digest_bytes(5, "0123456789abcdef0", 17),
			 digest_bytes(5, "0123456789abcdef0", 17));
}

/*
 * resource_path_digest() reads what resource_set_load_path() reads: the
 * same digest, for a directory and for a file, and a different one after
 * any change of a name or a byte.
 */
static void
test_resource_digest(void **state)
{
	struct fixture *f = *state;
	struct resource_set *set = NULL;
	struct diag_list errs;
	char dir[300];
	char sub[320];
	char a[340];
	char b[340];
	uint64_t d1 = 0;
	uint64_t d2 = 0;
	uint64_t d3 = 0;

	diag_list_init(&errs);
	snprintf(dir, sizeof(dir), "%s/res", f->dir);
	snprintf(sub, sizeof(sub), "%s/sub", dir);
	snprintf(a, sizeof(a), "%s/a.yaml", dir);
	snprintf(b, sizeof(b), "%s/b.yml", sub);
	assert_int_equal(mkdir(dir, 0755), 0);
	assert_int_equal(mkdir(sub, 0755), 0);
	write_file(a, "type: MeshService\nname: a\nmesh: default\n"
		   "spec:\n  ports:\n  - port: 80\n");
	write_file(b, "type: MeshService\nname: b\nmesh: default\n"
		   "spec:\n  ports:\n  - port: 81\n");

	set = resource_set_new();
	assert_non_null(set);
	assert_int_equal(resource_set_load_path(set, dir, &errs), 0);
	assert_int_equal(resource_set_load_path(set, a, &errs), 0);
	assert_int_equal(errs.errors, 0);
	assert_int_equal(resource_path_digest(dir, NULL, &d1), 0);
	assert_int_equal(resource_path_digest(a, NULL, &d1), 0);
	assert_true(resource_set_digest(set) == d1);
	assert_true(d1 != 0);
	resource_set_free(set);

	/* One byte more in b.yml. */
	write_file(b, "type: MeshService\nname: b\nmesh: default\n"
		   "spec:\n  ports:\n  - port: 810\n");
	assert_int_equal(resource_path_digest(dir, NULL, &d2), 0);
	assert_int_equal(resource_path_digest(a, NULL, &d2), 0);
	assert_true(d2 != d1);
	/* A file that is not YAML is not read, and not in the digest. */
	snprintf(b, sizeof(b), "%s/notes.txt", dir);
	write_file(b, "not a resource\n");
	assert_int_equal(resource_path_digest(dir, NULL, &d3), 0);
	assert_int_equal(resource_path_digest(a, NULL, &d3), 0);
	assert_true(d3 == d2);
	/* A missing path: -1 and the digest left alone. */
	snprintf(b, sizeof(b), "%s/missing", dir);
	assert_int_equal(resource_path_digest(b, NULL, &d3), -1);
	assert_true(d3 == d2);
	diag_list_clear(&errs);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_round_trip, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_misses, setup, teardown),
		cmocka_unit_test_setup_teardown(test_damaged, setup, teardown),
		cmocka_unit_test_setup_teardown(test_forged_record, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_save_error, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_digests, setup, teardown),
		cmocka_unit_test_setup_teardown(test_resource_digest, setup,
						teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
