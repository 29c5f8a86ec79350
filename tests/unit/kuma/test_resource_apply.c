/* SPDX-License-Identifier: MIT */
/*
 * test_resource_apply.c -- resource_set_apply() over random change
 * sequences gives, every step, the set a full finish of the whole input
 * gives: the same resources, in the same order, with the same labels;
 * resource_set_find() finds each of them.
 */
#include "autoconfig.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "kuma/resource.h"
#include "kuma/resource_int.h"
#include "kuma/resource_units.h"

struct obj {
	enum resource_kind kind;
	char mesh[16];
	char name[32];
	char *yaml;
	int live;
};

#define MAXOBJ 300

struct model {
	struct obj o[MAXOBJ];
	size_t n;
	unsigned seed;
	unsigned serial;
};

static unsigned
rnd(struct model *m, unsigned n)
{
	m->seed = m->seed * 1103515245u + 12345u;
	return (m->seed >> 16) % n;
}

static char *
fmt(const char *f, ...)
{
	va_list ap;
	char *s = NULL;

	va_start(ap, f);
	assert_true(vasprintf(&s, f, ap) >= 0);
	va_end(ap);
	return s;
}

static const char fixed[] =
	"type: Mesh\nname: default\n---\ntype: Mesh\nname: other\n";

static void
obj_render(struct model *m, struct obj *o)
{
	char created[64] = "";
	const char *team = rnd(m, 2) ? "a" : "b";

	free(o->yaml);
	/* Often the same time: the name decides; sometimes none. */
	if (rnd(m, 4) != 0 || o->kind == RESOURCE_DATAPLANE)
		snprintf(created, sizeof(created),
			 "creationTime: 2025-01-%02uT00:00:00Z\n",
			 1 + rnd(m, 4));
	switch (o->kind) {
	case RESOURCE_MESH_SERVICE:
		o->yaml = fmt("type: MeshService\nname: %s\nmesh: %s\n%s"
			      "labels: {team: %s}\nspec:\n  ports:\n"
			      "  - port: %u\n", o->name, o->mesh, created,
			      team, 80 + rnd(m, 3));
		break;
	case RESOURCE_MESH_EXTERNAL_SERVICE:
		o->yaml = fmt("type: MeshExternalService\nname: %s\nmesh: "
			      "%s\n%slabels: {team: %s}\nspec:\n  match: "
			      "{port: %u}\n  endpoints:\n  - address: "
			      "10.1.0.1\n    port: 443\n", o->name, o->mesh,
			      created, team, 440 + rnd(m, 5));
		break;
	case RESOURCE_DATAPLANE:
		/* Rarely without a creation time: the full path. */
		o->yaml = fmt("type: Dataplane\nname: %s\nmesh: %s\n%s"
			      "networking:\n  address: 127.0.0.%u\n"
			      "  inbound:\n  - port: 80\n    tags:\n"
			      "      kuma.io/service: web\n", o->name, o->mesh,
			      rnd(m, 10) == 0 ? "" : created,
			      2 + rnd(m, 200));
		break;
	default:
		fail();
	}
}

/* The whole input: the fixed Meshes, then every live object. */
static struct resource_set *
model_set(const struct model *m)
{
	struct resource_set *set = resource_set_new();
	struct diag_list diags;
	char name[64];
	size_t i;

	assert_non_null(set);
	diag_list_init(&diags);
	assert_int_equal(resource_set_load_string(set, "fixed.yaml", fixed,
						  &diags), 0);
	for (i = 0; i < m->n; i++) {
		if (!m->o[i].live)
			continue;
		snprintf(name, sizeof(name), "o%zu.yaml", i);
		assert_int_equal(resource_set_load_string(set, name,
							  m->o[i].yaml,
							  &diags), 0);
	}
	assert_int_equal(diags.errors, 0);
	diag_list_clear(&diags);
	return set;
}

/* A full finish, as build_from() does it; its error count. */
static size_t
finish(struct resource_set *set)
{
	struct diag_list diags;
	size_t errors;

	diag_list_init(&diags);
	assert_int_equal(resource_set_finish(set, &diags), 0);
	assert_int_equal(resource_set_check_meshes(set, &diags), 0);
	assert_int_equal(resource_set_compute_labels(set, "z1"), 0);
	errors = diags.errors;
	diag_list_clear(&diags);
	return errors;
}

static const enum resource_kind kinds[] = {
	RESOURCE_MESH_SERVICE, RESOURCE_MESH_SERVICE,
	RESOURCE_MESH_EXTERNAL_SERVICE, RESOURCE_DATAPLANE,
};

static void
model_change(struct model *m, struct resource_change *ch)
{
	static const char *const meshes[] = { "default", "default", "other",
					      "nomesh" };
	struct obj *o = NULL;
	unsigned op = rnd(m, 10);

	memset(ch, 0, sizeof(*ch));
	/* A resource of a mesh without a Mesh (an error) goes soon. */
	for (size_t i = 0; i < m->n && op % 2 == 0; i++)
		if (m->o[i].live && strcmp(m->o[i].mesh, "nomesh") == 0) {
			o = &m->o[i];
			o->live = 0;
			ch->op = RESOURCE_REMOVED;
			break;
		}
	while (o == NULL) {
		if (op < 4 || m->n < 5) {
			char name[32];
			const char *mesh = meshes[rnd(m, 40) == 0 ? 3 :
						  rnd(m, 3)];

			snprintf(name, sizeof(name), "r%u",
				 rnd(m, 4) == 0 ? rnd(m, 8) : m->serial++);
			o = &m->o[m->n];
			for (size_t i = 0; i < m->n; i++)
				if (strcmp(m->o[i].name, name) == 0 &&
				    strcmp(m->o[i].mesh, mesh) == 0)
					o = NULL;
			if (o == NULL) {
				op = 5;
				continue;
			}
			memset(o, 0, sizeof(*o));
			o->kind = kinds[rnd(m, 4)];
			snprintf(o->mesh, sizeof(o->mesh), "%s", mesh);
			snprintf(o->name, sizeof(o->name), "%s", name);
			o->live = 1;
			m->n++;
			assert_true(m->n < MAXOBJ);
			obj_render(m, o);
			ch->op = RESOURCE_ADDED;
			break;
		}
		o = &m->o[rnd(m, (unsigned)m->n)];
		if (!o->live) {
			/* Back again: added. */
			o->live = 1;
			obj_render(m, o);
			ch->op = RESOURCE_ADDED;
		} else if (op < 8) {
			obj_render(m, o);
			ch->op = RESOURCE_CHANGED;
		} else {
			o->live = 0;
			ch->op = RESOURCE_REMOVED;
		}
	}
	ch->kind = o->kind;
	ch->mesh = o->mesh;
	ch->name = o->name;
}

static void
assert_labels_equal(const struct resource_labels *a,
		    const struct resource_labels *b)
{
	size_t i;

	assert_int_equal(a->n, b->n);
	for (i = 0; i < a->n; i++) {
		assert_string_equal(a->v[i].key, b->v[i].key);
		assert_string_equal(a->v[i].value, b->v[i].value);
	}
}

static void
assert_meta_equal(const struct resource_meta *a, const struct resource_meta *b)
{
	assert_int_equal(a->kind, b->kind);
	assert_string_equal(a->name, b->name);
	if (a->mesh == NULL || b->mesh == NULL)
		assert_ptr_equal(a->mesh, b->mesh);
	else
		assert_string_equal(a->mesh, b->mesh);
	assert_int_equal(a->creation_ns, b->creation_ns);
	assert_int_equal(a->digest, b->digest);
	assert_labels_equal(&a->labels, &b->labels);
}

/*
 * @a (applied) has keys (resource_set_keys()) for its MeshServices, when
 * it holds some, each its element's digest and mesh, and none for the
 * other kinds; @b (finished whole) has none.
 */
static void
assert_keys(const struct resource_set *a, const struct resource_set *b)
{
	size_t k;
	size_t i;

	for (k = 0; k < RESOURCE_KIND_COUNT; k++) {
		struct array x = resource_set_array(a, (enum resource_kind)k);
		const struct resource_key *v =
			resource_set_keys(a, (enum resource_kind)k);

		assert_null(resource_set_keys(b, (enum resource_kind)k));
		if (k != RESOURCE_MESH_SERVICE || x.n == 0) {
			assert_null(v);
			continue;
		}
		assert_non_null(v);
		for (i = 0; i < x.n; i++) {
			const struct resource_meta *m =
				(const void *)(x.base + i * x.size);

			assert_true(v[i].digest == m->digest);
			assert_ptr_equal(v[i].mesh, m->mesh);
		}
	}
}

/* @a (applied) holds what @b (finished whole) holds, in order. */
static void
assert_same_set(const struct resource_set *a, const struct resource_set *b)
{
	size_t i;

	assert_keys(a, b);

	assert_int_equal(a->nmeshes, b->nmeshes);
	assert_int_equal(a->nservices, b->nservices);
	assert_int_equal(a->nexternal_services, b->nexternal_services);
	assert_int_equal(a->ndataplanes, b->ndataplanes);
	for (i = 0; i < a->nservices; i++) {
		assert_meta_equal(&a->services[i].meta, &b->services[i].meta);
		assert_int_equal(a->services[i].ports[0].port,
				 b->services[i].ports[0].port);
		assert_ptr_equal(resource_set_find(a, RESOURCE_MESH_SERVICE,
						   a->services[i].meta.mesh,
						   NULL,
						   a->services[i].meta.name),
				 &a->services[i].meta);
	}
	for (i = 0; i < a->nexternal_services; i++)
		assert_meta_equal(&a->external_services[i].meta,
				  &b->external_services[i].meta);
	for (i = 0; i < a->ndataplanes; i++) {
		assert_meta_equal(&a->dataplanes[i].meta,
				  &b->dataplanes[i].meta);
		assert_string_equal(a->dataplanes[i].address,
				    b->dataplanes[i].address);
		assert_ptr_equal(resource_set_find(a, RESOURCE_DATAPLANE,
						   a->dataplanes[i].meta.mesh,
						   NULL,
						   a->dataplanes[i].meta.name),
				 &a->dataplanes[i].meta);
	}
	/* Without creation times, the input order ranks Dataplanes. */
	for (i = 1; i < a->ndataplanes; i++)
		if (!a->dataplanes[i].meta.has_creation_time &&
		    !a->dataplanes[i - 1].meta.has_creation_time)
			assert_true((a->dataplanes[i - 1].meta.seq <
				     a->dataplanes[i].meta.seq) ==
				    (b->dataplanes[i - 1].meta.seq <
				     b->dataplanes[i].meta.seq));
}

/*
 * @units: the input comes from units (one per object, a view), else from
 * a set loaded whole.
 */
static void
run(unsigned seed, unsigned steps, int units, size_t *applied)
{
	struct model *m = calloc(1, sizeof(*m));
	struct resource_units *u = NULL;
	struct resource_set *prev = NULL;
	unsigned step;
	size_t i;

	assert_non_null(m);
	m->seed = seed;
	for (i = 0; i < 20; i++) {
		struct resource_change ch;

		model_change(m, &ch);
	}
	if (units) {
		struct diag_list diags;

		diag_list_init(&diags);
		assert_non_null(u = resource_units_new("z1"));
		struct resource_set *f = resource_set_new();

		assert_int_equal(resource_set_load_string(f, "fixed.yaml",
							  fixed, &diags), 0);
		assert_int_equal(resource_units_put(u, 0, "0", f, NULL), 0);
		for (i = 0; i < m->n; i++) {
			char key[32];

			if (!m->o[i].live)
				continue;
			f = resource_set_new();
			snprintf(key, sizeof(key), "1/%s/%s", m->o[i].mesh,
				 m->o[i].name);
			assert_int_equal(resource_set_load_string(
				f, key, m->o[i].yaml, &diags), 0);
			assert_int_equal(resource_units_put(u, 0, key, f,
							    NULL), 0);
		}
		diag_list_clear(&diags);
		assert_int_equal(resource_units_view(u, &prev), 0);
	} else {
		prev = model_set(m);
	}
	finish(prev);
	for (step = 0; step < steps; step++) {
		struct resource_change ch[4];
		struct resource_set *whole = NULL;
		struct resource_set *input = NULL;
		struct resource_set *items = NULL;
		struct resource_set *next = NULL;
		struct diag_list diags;
		size_t nch = 1 + rnd(m, 4);
		size_t errors;
		int rc;

		for (i = 0; i < nch; i++) {
			model_change(m, &ch[i]);
			if (!units)
				continue;
			char key[32];
			struct obj *o = NULL;

			snprintf(key, sizeof(key), "1/%s/%s", ch[i].mesh,
				 ch[i].name);
			for (size_t j = 0; j < m->n; j++)
				if (strcmp(m->o[j].name, ch[i].name) == 0 &&
				    strcmp(m->o[j].mesh, ch[i].mesh) == 0)
					o = &m->o[j];
			if (!o->live) {
				assert_int_equal(resource_units_remove(
					u, 0, key, NULL), 0);
			} else {
				struct resource_set *f = resource_set_new();

				diag_list_init(&diags);
				assert_int_equal(resource_set_load_string(
					f, key, o->yaml, &diags), 0);
				diag_list_clear(&diags);
				assert_int_equal(resource_units_put(u, 0, key,
								    f, NULL),
						 0);
			}
		}
		if (units) {
			assert_int_equal(resource_units_view(u, &whole), 0);
			assert_int_equal(resource_units_view(u, &input), 0);
		} else {
			whole = model_set(m);
			input = model_set(m);
		}
		errors = finish(whole);
		/* From units: through their index, or from a view. */
		if (units && rnd(m, 2))
			assert_int_equal(resource_units_take(u, ch, nch,
							     &items), 0);
		else
			assert_int_equal(resource_set_take(input, ch, nch,
							   "z1", &items), 0);
		resource_set_free(input);
		diag_list_init(&diags);
		rc = resource_set_apply(&next, prev, items, ch, nch, "z1",
					&diags);
		assert_true(rc == 0 || rc == 1);
		if (rc == 0) {
			assert_int_equal(diags.errors, errors);
			assert_same_set(next, whole);
			(*applied)++;
			resource_set_free(whole);
		} else {
			assert_null(next);
			next = whole;
		}
		diag_list_clear(&diags);
		/* The previous set goes first or last, as snapshots do. */
		if (rnd(m, 2)) {
			resource_set_free(prev);
			prev = next;
		} else {
			struct resource_set *old = prev;

			prev = next;
			resource_set_free(old);
		}
	}
	resource_set_free(prev);
	resource_units_free(u);
	for (i = 0; i < m->n; i++)
		free(m->o[i].yaml);
	free(m);
}

static void
test_apply_loaded(void **state)
{
	size_t applied = 0;
	unsigned seed;

	(void)state;
	for (seed = 1; seed <= 6; seed++)
		run(seed, 80, 0, &applied);
	/* Most steps take the incremental path. */
	assert_true(applied > 6 * 80 / 3);
}

static void
test_apply_units(void **state)
{
	size_t applied = 0;
	unsigned seed;

	(void)state;
	for (seed = 11; seed <= 16; seed++)
		run(seed, 80, 1, &applied);
	assert_true(applied > 6 * 80 / 3);
}

/* A Mesh change, an added duplicate, an unfinished base: refused. */
static void
test_apply_refused(void **state)
{
	struct resource_set *prev = NULL;
	struct resource_set *items = NULL;
	struct resource_set *out = NULL;
	struct resource_change ch;
	struct diag_list diags;
	size_t n;

	(void)state;
	diag_list_init(&diags);
	assert_non_null(prev = resource_set_new());
	assert_int_equal(resource_set_load_string(prev, "a.yaml",
		"type: Mesh\nname: default\n---\ntype: MeshService\n"
		"name: a\nspec:\n  ports: [{port: 80}]\n", &diags), 0);
	memset(&ch, 0, sizeof(ch));
	ch.op = RESOURCE_ADDED;
	ch.kind = RESOURCE_MESH_SERVICE;
	ch.mesh = (char *)"default";
	ch.name = (char *)"a";
	/* Not finished yet. */
	assert_non_null(items = resource_set_new());
	assert_int_equal(resource_set_apply(&out, prev, items, &ch, 1, "z",
					    &diags), 1);
	assert_int_equal(finish(prev), 0);
	n = diags.n;
	/* Finished for another zone. */
	assert_non_null(items = resource_set_new());
	assert_int_equal(resource_set_apply(&out, prev, items, &ch, 1, "z",
					    &diags), 1);
	/* Added while there: another input has it. */
	assert_non_null(items = resource_set_new());
	assert_int_equal(resource_set_apply(&out, prev, items, &ch, 1, "z1",
					    &diags), 1);
	/* A Mesh. */
	ch.op = RESOURCE_CHANGED;
	ch.kind = RESOURCE_MESH;
	ch.mesh = NULL;
	ch.name = (char *)"default";
	assert_non_null(items = resource_set_new());
	assert_int_equal(resource_set_apply(&out, prev, items, &ch, 1, "z1",
					    &diags), 1);
	assert_null(out);
	assert_int_equal(diags.n, n);
	resource_set_free(prev);
	diag_list_clear(&diags);
}

/*
 * A long chain of applies holds the sets its resources borrow from, not
 * every set it was made of: the list is compacted; each step is still
 * what a full finish gives.  Consecutive sets share what they hold: a
 * unit's set that no change touches has one reference from its unit and
 * one from the block every set of the chain shares, however many sets
 * of the chain are alive (an apply costs no reference per unit).
 */
static void
test_apply_chain_compacted(void **state)
{
	struct resource_units *u = resource_units_new("z1");
	struct resource_set *prev = NULL;
	struct resource_set *fixed = NULL;
	struct set_priv *pr = NULL;
	struct diag_list diags;
	size_t compactions = 0;
	size_t refs;
	unsigned i;

	(void)state;
	diag_list_init(&diags);
	assert_non_null(u);
	for (i = 0; i < 8; i++) {
		struct resource_set *f = resource_set_new();
		char key[16];
		char *y = fmt("type: MeshService\nname: s%u\nspec:\n  ports:"
			      " [{port: 80}]\n", i);

		snprintf(key, sizeof(key), "s%u", i);
		assert_int_equal(resource_set_load_string(f, key, y, &diags),
				 0);
		assert_int_equal(resource_units_put(u, 0, key, f, NULL), 0);
		free(y);
	}
	fixed = resource_set_new();
	assert_non_null(fixed);
	assert_int_equal(resource_set_load_string(fixed, "fixed",
		"type: MeshService\nname: fixed\nspec:\n  ports:"
		" [{port: 80}]\n", &diags), 0);
	assert_int_equal(resource_units_put(u, 0, "fixed", fixed, NULL), 0);
	assert_int_equal(resource_units_view(u, &prev), 0);
	finish(prev);
	for (i = 0; i < 400; i++) {
		struct resource_set *f = resource_set_new();
		struct resource_set *items = NULL;
		struct resource_set *next = NULL;
		struct resource_set *whole = NULL;
		struct resource_change ch;
		char key[16];
		char name[16];
		char *y;

		snprintf(name, sizeof(name), "s%u", i % 8);
		snprintf(key, sizeof(key), "s%u", i % 8);
		y = fmt("type: MeshService\nname: %s\nspec:\n  ports:"
			" [{port: %u}]\n", name, 80 + i);
		assert_int_equal(resource_set_load_string(f, key, y, &diags),
				 0);
		free(y);
		assert_int_equal(resource_units_put(u, 0, key, f, NULL), 0);
		memset(&ch, 0, sizeof(ch));
		ch.op = RESOURCE_CHANGED;
		ch.kind = RESOURCE_MESH_SERVICE;
		ch.mesh = (char *)"default";
		ch.name = name;
		assert_int_equal(resource_units_take(u, &ch, 1, &items), 0);
		assert_int_equal(resource_set_apply(&next, prev, items, &ch,
						    1, "z1", &diags), 0);
		assert_int_equal(resource_units_view(u, &whole), 0);
		finish(whole);
		assert_same_set(next, whole);
		resource_set_free(whole);
		/*
		 * Both alive: the untouched unit's set is shared (an apply
		 * that compacted holds it in a block of its own: 3).
		 */
		refs = atomic_load(&((struct set_priv *)fixed->priv)->refs);
		pr = next->priv;
		if (refs != 2 && !(refs == 3 && pr->nheld == 0))
			fail_msg("apply %u: %zu references", i, refs);
		compactions += pr->nheld == 0;
		resource_set_free(prev);
		prev = next;
		/* 9 unit sets, the item sets of the last few applies. */
		pr = prev->priv;
		assert_true(pr->chained + pr->nheld <= 9 + 80);
	}
	assert_int_equal(diags.errors, 0);
	assert_true(compactions > 0 && compactions < 400 / 32);
	resource_set_free(prev);
	resource_units_free(u);
	diag_list_clear(&diags);
}

/*
 * A borrowing set that owns none of its resources is freed, and applied
 * from, without a walk over them; one that got a resource of its own
 * after it was made clears that one when freed, and an apply from it
 * borrows it from it (freeing the apply's set first, then it, frees it
 * once: ASan and valgrind see a double free or a leak otherwise).
 */
static void
test_apply_owned_kept(void **state)
{
	struct resource_units *u = resource_units_new("z1");
	struct resource_set *prev = NULL;
	struct resource_set *f = resource_set_new();
	struct resource_set *items = NULL;
	struct resource_set *next = NULL;
	struct resource_mesh_service *ms = NULL;
	struct resource_change ch;
	struct diag_list diags;

	(void)state;
	diag_list_init(&diags);
	assert_non_null(u);
	assert_non_null(f);
	assert_int_equal(resource_set_load_string(f, "a",
		"type: MeshService\nname: a\nspec:\n  ports: [{port: 80}]\n",
		&diags), 0);
	assert_int_equal(resource_units_put(u, 0, "a", f, NULL), 0);
	assert_int_equal(resource_units_view(u, &prev), 0);
	assert_true(((struct set_priv *)prev->priv)->all_borrowed);
	/* Its own: the name is the set's to free. */
	ms = resource_set_new_service(prev);
	assert_non_null(ms);
	assert_non_null(ms->meta.name = strdup("own"));
	ms->meta.mesh = resource_mesh_intern("default");
	assert_false(((struct set_priv *)prev->priv)->all_borrowed);
	assert_int_equal(finish(prev), 0);
	f = resource_set_new();
	assert_non_null(f);
	assert_int_equal(resource_set_load_string(f, "a",
		"type: MeshService\nname: a\nspec:\n  ports: [{port: 81}]\n",
		&diags), 0);
	assert_int_equal(resource_units_put(u, 0, "a", f, NULL), 0);
	memset(&ch, 0, sizeof(ch));
	ch.op = RESOURCE_CHANGED;
	ch.kind = RESOURCE_MESH_SERVICE;
	ch.mesh = (char *)"default";
	ch.name = (char *)"a";
	assert_int_equal(resource_units_take(u, &ch, 1, &items), 0);
	assert_true(((struct set_priv *)items->priv)->all_borrowed);
	assert_int_equal(resource_set_apply(&next, prev, items, &ch, 1, "z1",
					    &diags), 0);
	assert_true(((struct set_priv *)next->priv)->all_borrowed);
	assert_int_equal(next->nservices, 2);
	assert_non_null(resource_set_find(next, RESOURCE_MESH_SERVICE,
					  "default", NULL, "own"));
	assert_int_equal(diags.errors, 0);
	resource_set_free(next);
	resource_set_free(prev);
	resource_units_free(u);
	diag_list_clear(&diags);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_apply_loaded),
		cmocka_unit_test(test_apply_units),
		cmocka_unit_test(test_apply_refused),
		cmocka_unit_test(test_apply_chain_compacted),
		cmocka_unit_test(test_apply_owned_kept),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
