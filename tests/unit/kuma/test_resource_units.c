/* SPDX-License-Identifier: MIT */
/* test_resource_units.c -- units: order, replace, remove, change lists. */
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
#include <sys/stat.h>
#include <unistd.h>

#include "kuma/resource.h"
#include "kuma/resource_int.h"
#include "kuma/resource_units.h"
#include "resource_fx.h"
#include "../tmpdir.h"

#define SVC(name, port) \
	"type: MeshService\nname: " name "\nmesh: default\nspec:\n" \
	"  selector:\n    dataplaneTags:\n      app: " name "\n" \
	"  ports:\n  - port: " port "\n"
#define DP(name, addr) \
	"type: Dataplane\nname: " name "\nmesh: default\nnetworking:\n" \
	"  address: " addr "\n  inbound:\n  - port: 80\n    tags:\n" \
	"      kuma.io/service: web\n"

static void
write_file(const char *dir, const char *name, const char *text)
{
	char path[512];
	char tmp[520];
	FILE *fp;

	/* Renamed into place, as an editor would: one event, whole. */
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	fp = fopen(tmp, "w");
	assert_non_null(fp);
	assert_true(fputs(text, fp) >= 0);
	assert_int_equal(fclose(fp), 0);
	assert_int_equal(rename(tmp, path), 0);
}

static void
make_dir(const char *dir, const char *name)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	assert_int_equal(mkdir(path, 0700), 0);
}

static void
remove_file(const char *dir, const char *name)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	assert_int_equal(remove(path), 0);
}

/* Every resource of a finished set, one line each, and its messages. */
static void
dump(const struct resource_set *set, const struct diag_list *errs, char *buf,
     size_t size)
{
	size_t off = 0;
	size_t k;
	size_t i;
	char line[1024];

	buf[0] = '\0';
	for (k = 0; k < RESOURCE_KIND_COUNT; k++) {
		struct array a = resource_set_array(set, (enum resource_kind)k);

		for (i = 0; i < a.n; i++) {
			const struct resource_meta *m =
				(const void *)(a.base + i * a.size);
			size_t l;

			l = (size_t)snprintf(line, sizeof(line),
					     "%s %s/%s seq %zu %s:%d:%d "
					     "%016llx %zu labels\n",
					     resource_kind_name(m->kind),
					     m->mesh ? m->mesh : "-", m->name,
					     m->seq, m->pos.file, m->pos.line,
					     m->pos.column,
					     (unsigned long long)m->digest,
					     m->labels.n);
			assert_true(off + l < size);
			memcpy(buf + off, line, l + 1);
			off += l;
		}
	}
	for (i = 0; i < errs->n; i++) {
		size_t l = (size_t)snprintf(line, sizeof(line), "%s:%d:%d: %s\n",
					    errs->v[i].file ? errs->v[i].file :
					    "-", errs->v[i].line,
					    errs->v[i].column, errs->v[i].msg);

		assert_true(off + l < size);
		memcpy(buf + off, line, l + 1);
		off += l;
	}
}

/* What a full read of @paths gives, as the build does it. */
static void
full_read(char *const *paths, size_t n, char *buf, size_t size,
	  uint64_t *digest)
{
	struct resource_set *set = resource_set_new();
	struct diag_list errs;
	size_t i;

	diag_list_init(&errs);
	assert_non_null(set);
	for (i = 0; i < n; i++)
		resource_set_load_path(set, paths[i], &errs);
	*digest = resource_set_digest(set);
	assert_int_equal(resource_set_finish(set, &errs), 0);
	assert_int_equal(resource_set_check_meshes(set, &errs), 0);
	assert_int_equal(resource_set_compute_labels(set, "z1"), 0);
	dump(set, &errs, buf, size);
	resource_set_free(set);
	diag_list_clear(&errs);
}

/* The same from a view of @u; @errs holds what reading @u said. */
static void
view_read(const struct resource_units *u, struct diag_list *errs, char *buf,
	  size_t size, uint64_t *digest)
{
	struct resource_set *set = NULL;

	assert_int_equal(resource_units_view(u, &set), 0);
	*digest = resource_set_digest(set);
	assert_int_equal(resource_set_finish(set, errs), 0);
	assert_int_equal(resource_set_check_meshes(set, errs), 0);
	assert_int_equal(resource_set_compute_labels(set, "z1"), 0);
	dump(set, errs, buf, size);
	resource_set_free(set);
}

static struct resource_units *
units_of(char *const *paths, size_t n, struct diag_list *errs)
{
	struct resource_units *u = resource_units_new("z1");
	size_t i;

	assert_non_null(u);
	for (i = 0; i < n; i++)
		resource_units_load_path(u, i, paths[i], errs);
	return u;
}

/*
 * The view equals a full read of the same paths, as they are now: the
 * resources and their places, and the messages (@read: what reading the
 * units said, or NULL; then the finish's).
 */
static void
assert_same_as_full_read(const struct resource_units *u, char *const *paths,
			 size_t n, const struct diag_list *read)
{
	static char want[16384];
	static char got[16384];
	struct diag_list errs;
	uint64_t dw = 0;
	uint64_t dg = 0;
	size_t i;

	diag_list_init(&errs);
	for (i = 0; read != NULL && i < read->n; i++)
		diag_add(&errs, read->v[i].severity, read->v[i].file,
			 read->v[i].line, read->v[i].column, "%s",
			 read->v[i].msg);
	full_read(paths, n, want, sizeof(want), &dw);
	view_read(u, &errs, got, sizeof(got), &dg);
	assert_string_equal(got, want);
	assert_true(dg == dw);
	diag_list_clear(&errs);
}

static void
assert_same_as_full(const struct resource_units *u, char *const *paths,
		    size_t n)
{
	assert_same_as_full_read(u, paths, n, NULL);
}

static void
mkscratch(struct fx *f)
{
	assert_int_equal(test_tmpname(f->dir, sizeof(f->dir),
				      "test_resource_units"), 0);
	assert_non_null(mkdtemp(f->dir));
}

/* Expect exactly these changes, "op Kind mesh/name" each, in any order. */
static void
assert_changes(const struct resource_changes *c, const char *const *want,
	       size_t n)
{
	size_t i;
	size_t j;

	if (c->n != n) {
		for (i = 0; i < c->n; i++)
			print_message("got: %s %s %s/%s\n",
				      resource_change_op_name(c->v[i].op),
				      resource_kind_name(c->v[i].kind),
				      c->v[i].mesh ? c->v[i].mesh : "-",
				      c->v[i].name);
	}
	assert_int_equal(c->n, n);
	for (i = 0; i < n; i++) {
		char s[256];
		int found = 0;

		for (j = 0; j < c->n && !found; j++) {
			snprintf(s, sizeof(s), "%s %s %s/%s",
				 resource_change_op_name(c->v[j].op),
				 resource_kind_name(c->v[j].kind),
				 c->v[j].mesh ? c->v[j].mesh : "-",
				 c->v[j].name);
			found = strcmp(s, want[i]) == 0;
		}
		if (!found)
			fail_msg("missing change: %s", want[i]);
	}
}

/*
 * The order of a full read: a directory's files in name order, a
 * subdirectory's at its name's place ("a/x.yaml" before "a-b.yaml",
 * though '-' < '/'), then the next path; duplicates across files and
 * paths are reported at the same places; the digests agree.
 */
static void
test_order_as_full_read(void **state)
{
	struct fx *f = *state;
	struct resource_units *u = NULL;
	struct diag_list errs;
	char file[600];
	char *paths[2];

	mkscratch(f);
	diag_list_init(&errs);
	make_dir(f->dir, "a");
	write_file(f->dir, "a/x.yaml", SVC("x", "80") "---\n" DP("dp-b",
								  "10.0.0.2"));
	write_file(f->dir, "a-b.yaml", SVC("ab", "81") "---\n" SVC("x", "82")
		   "---\n" DP("dp-a", "10.0.0.1"));
	write_file(f->dir, "b.yml", "type: MeshService\nname: [broken\n");
	write_file(f->dir, "c.yaml", "# nothing\n");
	write_file(f->dir, "notes.txt", "not yaml: [\n");
	snprintf(file, sizeof(file), "%s/c.yaml", f->dir);
	write_file(f->dir, "c.yaml", SVC("ab", "83"));
	paths[0] = f->dir;
	paths[1] = file;
	u = units_of(paths, 2, &errs);
	assert_int_equal(resource_units_count(u), 5);
	assert_int_equal(errs.errors, 1);	/* b.yml's syntax error */
	assert_same_as_full_read(u, paths, 2, &errs);
	resource_units_free(u);
	diag_list_clear(&errs);
}

/*
 * Replacing a file: only what it changed is reported; a comment or a
 * re-ordering of keys is no change; the view is a full read of the disk.
 */
static void
test_sync_file(void **state)
{
	struct fx *f = *state;
	struct resource_units *u = NULL;
	struct resource_changes ch = { NULL, 0, 0 };
	struct diag_list errs;
	struct diag_list kept;
	char path[600];
	char *paths[1];
	static const char *const changed[] = {
		"changed MeshService default/redis",
		"added MeshService default/new",
		"removed MeshService default/web",
	};

	mkscratch(f);
	diag_list_init(&errs);
	diag_list_init(&kept);
	write_file(f->dir, "a.yaml", SVC("redis", "6379") "---\n"
		   SVC("web", "80") "---\n" SVC("keep", "1"));
	write_file(f->dir, "b.yaml", SVC("other", "2"));
	paths[0] = f->dir;
	u = units_of(paths, 1, &errs);
	snprintf(path, sizeof(path), "%s/a.yaml", f->dir);

	/* Comments, layout, key order: no change. */
	write_file(f->dir, "a.yaml", "# edited\n"
		   "name:   redis\ntype: MeshService\nmesh: default\n"
		   "spec:\n  ports:\n  - port: 6379\n  selector:\n"
		   "    dataplaneTags:\n      app: redis\n"
		   "---\n" SVC("web", "80") "---\n" SVC("keep", "1"));
	assert_int_equal(resource_units_sync(u, 0, path, &errs, &kept, &ch),
			 0);
	assert_int_equal(ch.n, 0);
	assert_int_equal(kept.n, 0);
	assert_same_as_full(u, paths, 1);

	write_file(f->dir, "a.yaml", SVC("redis", "6380") "---\n"
		   SVC("keep", "1") "---\n" SVC("new", "3"));
	assert_int_equal(resource_units_sync(u, 0, path, &errs, &kept, &ch),
			 0);
	assert_changes(&ch, changed, 3);
	assert_same_as_full(u, paths, 1);
	resource_changes_clear(&ch);
	resource_units_free(u);
	diag_list_clear(&errs);
	diag_list_clear(&kept);
}

/*
 * A file caught half-written is not applied: its messages (with their
 * positions) go to @kept and its last good content stays; once valid it
 * is applied.
 */
static void
test_sync_invalid_kept(void **state)
{
	struct fx *f = *state;
	struct resource_units *u = NULL;
	struct resource_changes ch = { NULL, 0, 0 };
	struct resource_set *view = NULL;
	struct diag_list errs;
	struct diag_list kept;
	char path[600];
	char *paths[1];
	static const char *const changed[] = {
		"changed MeshService default/redis",
	};

	mkscratch(f);
	diag_list_init(&errs);
	diag_list_init(&kept);
	write_file(f->dir, "a.yaml", SVC("redis", "6379"));
	paths[0] = f->dir;
	u = units_of(paths, 1, &errs);
	snprintf(path, sizeof(path), "%s/a.yaml", f->dir);

	write_file(f->dir, "a.yaml", "type: MeshService\nname: redis\n"
		   "spec:\n  ports: [\n");
	assert_int_equal(resource_units_sync(u, 0, path, &errs, &kept, &ch),
			 0);
	assert_int_equal(ch.n, 0);
	assert_int_equal(errs.n, 0);
	assert_int_equal(kept.errors, 1);
	assert_int_equal(kept.v[0].line, 5);
	assert_true(kept.v[0].column > 0);
	assert_non_null(strstr(kept.v[0].file, "a.yaml"));
	/* An invalid resource (port out of range) is kept out too. */
	diag_list_clear(&kept);
	write_file(f->dir, "a.yaml", SVC("redis", "70000"));
	assert_int_equal(resource_units_sync(u, 0, path, &errs, &kept, &ch),
			 0);
	assert_int_equal(ch.n, 0);
	assert_int_equal(kept.errors, 1);
	assert_int_equal(resource_units_view(u, &view), 0);
	assert_int_equal(view->nservices, 1);
	assert_int_equal(view->services[0].ports[0].port, 6379);
	resource_set_free(view);

	write_file(f->dir, "a.yaml", SVC("redis", "6380"));
	assert_int_equal(resource_units_sync(u, 0, path, &errs, &kept, &ch),
			 0);
	assert_changes(&ch, changed, 1);
	assert_same_as_full(u, paths, 1);
	resource_changes_clear(&ch);
	resource_units_free(u);
	diag_list_clear(&errs);
	diag_list_clear(&kept);
}

/* Files and directories that come and go. */
static void
test_sync_add_remove(void **state)
{
	struct fx *f = *state;
	struct resource_units *u = NULL;
	struct resource_changes ch = { NULL, 0, 0 };
	struct diag_list errs;
	struct diag_list kept;
	char path[600];
	char *paths[1];
	static const char *const added[] = {
		"added MeshService default/b",
	};
	static const char *const sub_added[] = {
		"added MeshService default/s1",
		"added MeshService default/s2",
	};
	static const char *const sub_removed[] = {
		"removed MeshService default/s1",
		"removed MeshService default/s2",
	};
	static const char *const removed[] = {
		"removed MeshService default/a",
	};

	mkscratch(f);
	diag_list_init(&errs);
	diag_list_init(&kept);
	write_file(f->dir, "a.yaml", SVC("a", "1"));
	paths[0] = f->dir;
	u = units_of(paths, 1, &errs);

	write_file(f->dir, "b.yaml", SVC("b", "2"));
	snprintf(path, sizeof(path), "%s/b.yaml", f->dir);
	assert_int_equal(resource_units_sync(u, 0, path, &errs, &kept, &ch),
			 0);
	assert_changes(&ch, added, 1);
	assert_same_as_full(u, paths, 1);
	resource_changes_clear(&ch);

	/* A new directory: its files, and nothing for a hidden one. */
	make_dir(f->dir, "sub");
	make_dir(f->dir, "sub/.git");
	write_file(f->dir, "sub/s2.yaml", SVC("s2", "4"));
	write_file(f->dir, "sub/s1.yml", SVC("s1", "3"));
	write_file(f->dir, "sub/.git/x.yaml", SVC("hidden", "5"));
	snprintf(path, sizeof(path), "%s/sub", f->dir);
	assert_int_equal(resource_units_sync(u, 0, path, &errs, &kept, &ch),
			 0);
	assert_changes(&ch, sub_added, 2);
	assert_same_as_full(u, paths, 1);
	resource_changes_clear(&ch);

	/* The directory gone: every unit under it ("sub", not "sub2"). */
	write_file(f->dir, "sub2.yaml", SVC("t", "6"));
	snprintf(path, sizeof(path), "%s/sub2.yaml", f->dir);
	assert_int_equal(resource_units_sync(u, 0, path, &errs, &kept, &ch),
			 0);
	resource_changes_clear(&ch);
	remove_file(f->dir, "sub/s1.yml");
	remove_file(f->dir, "sub/s2.yaml");
	remove_file(f->dir, "sub/.git/x.yaml");
	remove_file(f->dir, "sub/.git");
	remove_file(f->dir, "sub");
	snprintf(path, sizeof(path), "%s/sub", f->dir);
	assert_int_equal(resource_units_sync(u, 0, path, &errs, &kept, &ch),
			 0);
	assert_changes(&ch, sub_removed, 2);
	assert_same_as_full(u, paths, 1);
	resource_changes_clear(&ch);

	/* A directory synced whole: the files no longer there go. */
	remove_file(f->dir, "a.yaml");
	assert_int_equal(resource_units_sync(u, 0, f->dir, &errs, &kept, &ch),
			 0);
	assert_changes(&ch, removed, 1);
	assert_same_as_full(u, paths, 1);
	assert_int_equal(resource_units_count(u), 2);
	resource_changes_clear(&ch);
	assert_int_equal(errs.n, 0);
	assert_int_equal(kept.n, 0);
	resource_units_free(u);
	diag_list_clear(&errs);
	diag_list_clear(&kept);
}

/*
 * Units keyed by store rows; a view outlives the units it borrows from
 * and their replacement; the order of Dataplanes (without creation
 * times, it is the input order) is a change.
 */
static void
test_put_rows(void **state)
{
	struct fx *f = *state;
	struct resource_units *u = resource_units_new("z1");
	struct resource_changes ch = { NULL, 0, 0 };
	struct resource_set *set = NULL;
	struct resource_set *view = NULL;
	static const char *const added[] = {
		"added MeshService default/redis",
	};
	static const char *const removed[] = {
		"removed MeshService default/redis",
	};
	static const char *const moved[] = {
		"changed Dataplane default/dp-1",
		"changed Dataplane default/dp-2",
	};

	(void)f;
	assert_non_null(u);
	set = resource_set_new();
	assert_int_equal(resource_set_load_string(set, "row", SVC("redis",
								  "1"),
						  &f->errs), 0);
	assert_int_equal(resource_units_put(u, 0, "MeshService/default/redis",
					    set, &ch), 0);
	assert_changes(&ch, added, 1);
	resource_changes_clear(&ch);
	assert_int_equal(resource_units_view(u, &view), 0);
	assert_int_equal(resource_set_digest(view), 0);

	/* The same content written otherwise: nothing changed. */
	set = resource_set_new();
	assert_int_equal(resource_set_load_string(set, "row",
		"{type: MeshService, name: redis, mesh: default, spec: "
		"{selector: {dataplaneTags: {app: redis}}, ports: "
		"[{port: 1}]}}", &f->errs), 0);
	assert_int_equal(resource_units_put(u, 0, "MeshService/default/redis",
					    set, &ch), 0);
	assert_int_equal(ch.n, 0);
	assert_int_equal(resource_units_remove(u, 0, "MeshService/default/redis",
					       &ch), 0);
	assert_changes(&ch, removed, 1);
	resource_changes_clear(&ch);
	assert_int_equal(resource_units_count(u), 0);
	/* The view still reads what it borrowed, labels computed. */
	assert_int_equal(view->nservices, 1);
	assert_string_equal(view->services[0].meta.name, "redis");
	assert_string_equal(resource_labels_get(&view->services[0].meta.labels,
						"kuma.io/zone"), "z1");
	resource_set_free(view);

	set = resource_set_new();
	assert_int_equal(resource_set_load_string(set, "dps",
		DP("dp-1", "10.0.0.1") "---\n" DP("dp-2", "10.0.0.2"),
		&f->errs), 0);
	assert_int_equal(resource_units_put(u, 1, "dps", set, &ch), 0);
	resource_changes_clear(&ch);
	set = resource_set_new();
	assert_int_equal(resource_set_load_string(set, "dps",
		DP("dp-2", "10.0.0.2") "---\n" DP("dp-1", "10.0.0.1"),
		&f->errs), 0);
	assert_int_equal(resource_units_put(u, 1, "dps", set, &ch), 0);
	assert_changes(&ch, moved, 2);
	resource_changes_clear(&ch);
	assert_int_equal(f->errs.errors, 0);
	resource_units_free(u);
}

/*
 * A set whose labels were computed ahead for the units' zone is put as
 * it is; one computed for another zone is refused (its labels would
 * stay), and the unit is left as it was.
 */
static void
test_put_labels_ahead(void **state)
{
	struct fx *f = *state;
	struct resource_units *u = resource_units_new("z1");
	struct resource_set *set = NULL;
	struct resource_set *view = NULL;
	const char *const zones[] = { "z1", "elsewhere" };
	size_t i;

	assert_non_null(u);
	assert_string_equal(resource_units_zone(u), "z1");
	for (i = 0; i < 2; i++) {
		set = resource_set_new();
		assert_int_equal(resource_set_load_string(set, "row",
			SVC("redis", "1"), &f->errs), 0);
		assert_null(resource_set_labels_zone(set));
		assert_int_equal(resource_set_compute_labels(set, zones[i]),
				 0);
		assert_string_equal(resource_set_labels_zone(set), zones[i]);
		assert_int_equal(resource_units_put(u, 0,
			"MeshService/default/redis", set, NULL),
			i == 0 ? 0 : -EINVAL);
		assert_int_equal(resource_units_view(u, &view), 0);
		assert_int_equal(view->nservices, 1);
		assert_string_equal(resource_labels_get(
			&view->services[0].meta.labels, "kuma.io/zone"), "z1");
		resource_set_free(view);
	}
	assert_int_equal(f->errs.errors, 0);
	resource_units_free(u);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_order_as_full_read, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_put_labels_ahead, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_sync_file, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_sync_invalid_kept, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_sync_add_remove, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_put_rows, setup,
						teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
