/* SPDX-License-Identifier: MIT */
/* test_resource_load.c -- files and directories: order, loops, threads. */
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
#include "resource_fx.h"
#include "../tmpdir.h"

static void
write_file(const char *dir, const char *name, const char *text)
{
	char path[512];
	FILE *fp;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fp = fopen(path, "w");
	assert_non_null(fp);
	assert_true(fputs(text, fp) >= 0);
	assert_int_equal(fclose(fp), 0);
}

static void
test_load_path(void **state)
{
	struct fx *f = *state;
	char *dir = f->dir;
	char sub[600];
	char path[600];
	char want[4096];
	char loop[600];

	assert_int_equal(test_tmpname(f->dir, sizeof(f->dir), "test_resource"),
			 0);
	assert_non_null(mkdtemp(f->dir));
	snprintf(sub, sizeof(sub), "%s/sub", dir);
	assert_int_equal(mkdir(sub, 0700), 0);
	snprintf(path, sizeof(path), "%s/.hidden", dir);
	assert_int_equal(mkdir(path, 0700), 0);
	snprintf(loop, sizeof(loop), "%s/sub/loop", dir);
	assert_int_equal(symlink(dir, loop), 0);

	write_file(dir, "b.yaml", "type: MeshService\nname: redis\n" SELECTOR);
	write_file(dir, "a.yml", "type: MeshService\nname: redis\n" SELECTOR);
	write_file(dir, "c.yaml", "type: MeshService\nname: [c\n");
	write_file(dir, "notes.txt", "type: [x\n");
	write_file(dir, ".d.yaml", "type: MeshService\nname: d\n" SELECTOR);
	write_file(dir, ".hidden/e.yaml",
		   "type: MeshService\nname: e\n" SELECTOR);
	write_file(dir, "sub/f.yaml",
		   "type: HostnameGenerator\nname: f\n"
		   "spec: {selector: {meshService: {}}, template: x}\n");

	assert_int_equal(resource_set_load_path(f->set, dir, &f->errs), 0);
	/* a file named explicitly is read whatever its name */
	snprintf(path, sizeof(path), "%s/notes.txt", dir);
	assert_int_equal(resource_set_load_path(f->set, path, &f->errs), 0);
	assert_int_equal(resource_set_load_path(f->set, "/nonexistent/zones",
						&f->errs), -1);
	finish(f);

	assert_int_equal(f->set->nservices, 1);
	assert_int_equal(f->set->ngenerators, 1);
	snprintf(want, sizeof(want), "%s/a.yml", dir);
	assert_string_equal(f->set->services[0].meta.pos.file, want);
	snprintf(want, sizeof(want), "%s/sub/f.yaml", dir);
	assert_string_equal(f->set->generators[0].meta.pos.file, want);

	/* in name order: a.yml before b.yaml, so b.yaml is the duplicate */
	assert_int_equal(f->errs.n, 5);
	snprintf(want, sizeof(want), "%s/c.yaml", dir);
	assert_string_equal(f->errs.v[0].file, want);
	assert_int_equal(f->errs.v[0].line, 3);
	snprintf(want, sizeof(want), "warning: skipping %s/sub/loop: "
		 "directory loop", dir);
	assert_string_equal(diag_format(&f->errs.v[1], path, sizeof(path)),
			    want);
	snprintf(want, sizeof(want), "%s/notes.txt", dir);
	assert_string_equal(f->errs.v[2].file, want);
	assert_string_equal(diag_format(&f->errs.v[3], path, sizeof(path)),
			    "error: cannot read /nonexistent/zones: No such "
			    "file or directory");
	snprintf(want, sizeof(want),
		 "%s/b.yaml:1:1: error: duplicate MeshService \"redis\" in "
		 "mesh \"default\": first defined at %s/a.yml:1:1", dir, dir);
	assert_string_equal(diag_format(&f->errs.v[4], path, sizeof(path)),
			    want);

}

/* One line per resource, in the set's order: kind, identity, position. */
static void
dump_meta(char *out, size_t size, size_t *used, const struct resource_meta *m)
{
	*used += (size_t)snprintf(out + *used, size - *used,
				  "%s %s ns=%s mesh=%s %s:%d:%d\n",
				  resource_kind_name(m->kind), m->name,
				  m->namespace ? m->namespace : "-",
				  m->mesh ? m->mesh : "-", m->pos.file,
				  m->pos.line, m->pos.column);
	assert_true(*used < size);
}

static void
dump_set(const struct resource_set *set, char *out, size_t size)
{
	size_t used = 0;
	size_t i;

	out[0] = '\0';
	for (i = 0; i < set->nmeshes; i++)
		dump_meta(out, size, &used, &set->meshes[i].meta);
	for (i = 0; i < set->nservices; i++)
		dump_meta(out, size, &used, &set->services[i].meta);
	for (i = 0; i < set->ngenerators; i++)
		dump_meta(out, size, &used, &set->generators[i].meta);
	for (i = 0; i < set->nexternal_services; i++)
		dump_meta(out, size, &used, &set->external_services[i].meta);
	for (i = 0; i < set->nmultizone_services; i++)
		dump_meta(out, size, &used, &set->multizone_services[i].meta);
	for (i = 0; i < set->ndataplanes; i++)
		dump_meta(out, size, &used, &set->dataplanes[i].meta);
	for (i = 0; i < set->nk8s_services; i++)
		dump_meta(out, size, &used, &set->k8s_services[i].meta);
	for (i = 0; i < set->nendpoint_slices; i++)
		dump_meta(out, size, &used, &set->endpoint_slices[i].meta);
	for (i = 0; i < set->nnamespaces; i++)
		dump_meta(out, size, &used, &set->namespaces[i].meta);
	for (i = 0; i < set->npods; i++)
		dump_meta(out, size, &used, &set->pods[i].meta);
}

/*
 * A directory of many files is read by several threads (as many as the
 * machine has cores, up to 8) and merged in name order: the set, its
 * messages and its digest are those of reading the files one by one, in
 * the walk's order, every time.
 */
static void
test_load_dir_any_threads(void **state)
{
	/* The walk's order: byte order in each directory, depth first. */
	static const char *const order[] = {
		"Z.yaml", "a-list.yaml", "a.yaml", "b/01.yaml", "b/02.yml",
		"b/c/deep.yaml", "b/zz.yaml", "bad.yaml", "c.yaml", "dup.yaml",
		"k8s.yaml", "m00.yaml", "m01.yaml", "m02.yaml", "m03.yaml",
		"m04.yaml", "m05.yaml", "m06.yaml", "m07.yaml", "m08.yaml",
		"m09.yaml", "m10.yaml", "m11.yaml", "warn.yaml",
	};
	struct fx *f = *state;
	struct resource_set *one = NULL;
	struct diag_list one_errs;
	static char want_set[16384];
	static char got_set[16384];
	static char want_diags[16384];
	char path[600];
	uint64_t digest = 0;
	size_t i;
	int round;

	assert_int_equal(test_tmpname(f->dir, sizeof(f->dir), "test_resource"),
			 0);
	assert_non_null(mkdtemp(f->dir));
	snprintf(path, sizeof(path), "%s/b", f->dir);
	assert_int_equal(mkdir(path, 0700), 0);
	snprintf(path, sizeof(path), "%s/b/c", f->dir);
	assert_int_equal(mkdir(path, 0700), 0);
	for (i = 0; i < 12; i++) {
		char name[32];
		char text[256];

		snprintf(name, sizeof(name), "m%02zu.yaml", i);
		snprintf(text, sizeof(text),
			 "type: MeshService\nname: svc-%02zu\n" SELECTOR
			 "---\ntype: HostnameGenerator\nname: hg-%02zu\n"
			 "spec: {selector: {meshService: {}}, template: x}\n",
			 i, i);
		write_file(f->dir, name, text);
	}
	write_file(f->dir, "Z.yaml", "type: MeshService\nname: zed\n" SELECTOR);
	write_file(f->dir, "a-list.yaml",
		   "apiVersion: v1\nkind: List\nitems:\n"
		   "- apiVersion: v1\n  kind: Namespace\n"
		   "  metadata: {name: kuma-demo}\n"
		   "- apiVersion: v1\n  kind: Pod\n"
		   "  metadata: {name: p1, namespace: kuma-demo}\n");
	write_file(f->dir, "a.yaml", "type: Mesh\nname: default\n");
	write_file(f->dir, "b/01.yaml",
		   "type: MeshService\nname: b1\n" SELECTOR);
	write_file(f->dir, "b/02.yml",
		   "type: MeshService\nname: b2\n" SELECTOR);
	write_file(f->dir, "b/c/deep.yaml",
		   "type: MeshService\nname: deep\n" SELECTOR);
	write_file(f->dir, "b/zz.yaml", "type: MeshService\nname: svc-03\n"
		   SELECTOR);
	write_file(f->dir, "bad.yaml", "type: MeshService\nname: [bad\n");
	write_file(f->dir, "c.yaml",
		   "type: MeshService\nname: c\nspec:\n  ports:\n"
		   "  - port: 0\n");
	write_file(f->dir, "dup.yaml", "type: MeshService\nname: svc-07\n"
		   SELECTOR);
	write_file(f->dir, "k8s.yaml",
		   "apiVersion: v1\nkind: Service\n"
		   "metadata: {name: web, namespace: kuma-demo}\n"
		   "spec: {ports: [{port: 80}]}\n");
	write_file(f->dir, "warn.yaml", "type: MeshService\nname: lonely\n"
		   "color: blue\n");
	write_file(f->dir, "notes.txt", "not: [yaml\n");

	/* What reading the files one by one gives. */
	diag_list_init(&one_errs);
	one = resource_set_new();
	assert_non_null(one);
	for (i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", f->dir, order[i]);
		assert_int_equal(resource_set_load_path(one, path, &one_errs),
				 0);
	}
	dump_set(one, want_set, sizeof(want_set));
	diag_list_move(&f->errs, &one_errs);
	snprintf(want_diags, sizeof(want_diags), "%s", diags(f));
	assert_int_equal(resource_path_digest(f->dir, NULL, &digest), 0);
	assert_int_equal(digest, resource_set_digest(one));
	assert_int_equal(one->nservices, 19);
	assert_int_equal(one->ngenerators, 12);
	assert_true(f->errs.n >= 3);

	for (round = 0; round < 8; round++) {
		reset(f);
		assert_int_equal(resource_set_load_path(f->set, f->dir,
							&f->errs), 0);
		dump_set(f->set, got_set, sizeof(got_set));
		assert_string_equal(got_set, want_set);
		assert_string_equal(diags(f), want_diags);
		assert_int_equal(resource_set_digest(f->set),
				 resource_set_digest(one));
	}

	/* ... and so after finish (duplicates out, creation order). */
	diag_list_clear(&f->errs);
	assert_int_equal(resource_set_finish(one, &f->errs), 0);
	dump_set(one, want_set, sizeof(want_set));
	snprintf(want_diags, sizeof(want_diags), "%s", diags(f));
	reset(f);
	assert_int_equal(resource_set_load_path(f->set, f->dir, &f->errs), 0);
	diag_list_clear(&f->errs);
	finish(f);
	dump_set(f->set, got_set, sizeof(got_set));
	assert_string_equal(got_set, want_set);
	assert_string_equal(diags(f), want_diags);
	assert_int_equal(f->errs.n, 2);		/* svc-03, svc-07 */

	resource_set_free(one);
	diag_list_clear(&one_errs);
}

/*
 * The config file in a directory being walked is left out, found by its
 * inode whatever name it is given by, and the digest leaves it out too;
 * named itself, it is read.
 */
static void
test_skip_file(void **state)
{
	struct fx *f = *state;
	char conf[600];
	char other[600];
	uint64_t digest = 0;
	uint64_t with = 0;

	assert_int_equal(test_tmpname(f->dir, sizeof(f->dir), "test_resource"),
			 0);
	assert_non_null(mkdtemp(f->dir));
	write_file(f->dir, "a.yaml", "type: MeshService\nname: redis\n"
		   SELECTOR);
	write_file(f->dir, "meshdns.yaml", "resources: [.]\n");
	snprintf(conf, sizeof(conf), "%s/./meshdns.yaml", f->dir);
	snprintf(other, sizeof(other), "%s/other.yaml", f->dir);
	assert_int_equal(link(conf, other), 0);	/* the same file, twice */

	resource_set_skip_file(f->set, conf);
	assert_int_equal(resource_set_load_path(f->set, f->dir, &f->errs), 0);
	finish(f);
	assert_string_equal(diags(f), "");
	assert_int_equal(total(f->set), 1);
	assert_int_equal(resource_path_digest(f->dir, conf, &digest), 0);
	assert_int_equal(digest, resource_set_digest(f->set));
	assert_int_equal(resource_path_digest(f->dir, NULL, &with), 0);
	assert_true(with != digest);

	/* Named itself, the file is read (and is no resource). */
	reset(f);
	resource_set_skip_file(f->set, conf);
	assert_int_equal(resource_set_load_path(f->set, conf, &f->errs), 0);
	assert_int_equal(f->errs.errors, 1);

	/* A path that does not exist leaves nothing out. */
	reset(f);
	snprintf(conf, sizeof(conf), "%s/none.yaml", f->dir);
	resource_set_skip_file(f->set, conf);
	assert_int_equal(resource_set_load_path(f->set, f->dir, &f->errs), 0);
	assert_int_equal(f->errs.errors, 2);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_load_path, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_load_dir_any_threads,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_skip_file, setup,
						teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
