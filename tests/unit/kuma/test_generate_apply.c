/* SPDX-License-Identifier: MIT */
/*
 * test_generate_apply.c -- generate_apply() over random change sequences
 * gives, every step, what generate_run() gives on the whole new set: the
 * same services (written and generated, in order, with their
 * conditions), MeshExternalServices, MeshMultiZoneServices and their
 * matches, generators and legacy names.
 */
#include "autoconfig.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kuma/generate.h"
#include "kuma/resource.h"
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
	"type: Mesh\nname: default\nmeshServices:\n  mode: Everywhere\n"
	"---\ntype: Mesh\nname: other\nmeshServices:\n  mode: Exclusive\n"
	"---\ntype: HostnameGenerator\nname: all\nspec:\n  selector:\n"
	"    meshService:\n      matchLabels: {}\n"
	"  template: '{{ .Name }}.all'\n";

static const char *const tags[] = { "web", "api" };

static void
obj_render(struct model *m, struct obj *o)
{
	char created[64];
	const char *team = rnd(m, 2) ? "a" : "b";

	free(o->yaml);
	snprintf(created, sizeof(created),
		 "creationTime: 2025-01-%02uT00:00:00Z\n", 1 + rnd(m, 4));
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
	case RESOURCE_MESH_MULTI_ZONE_SERVICE:
		o->yaml = fmt("type: MeshMultiZoneService\nname: %s\nmesh: "
			      "%s\n%sspec:\n  selector: {meshService: "
			      "{matchLabels: {team: %s}}}\n  ports: "
			      "[{port: 80}]\n", o->name, o->mesh, created,
			      team);
		break;
	case RESOURCE_DATAPLANE:
		o->yaml = fmt("type: Dataplane\nname: %s\nmesh: %s\n%s"
			      "networking:\n  address: 127.0.0.%u\n"
			      "  inbound:\n  - port: %u\n    tags:\n"
			      "      kuma.io/service: %s\n", o->name, o->mesh,
			      created, 2 + rnd(m, 200), 8000 + rnd(m, 2),
			      tags[rnd(m, 2)]);
		break;
	default:
		fail();
	}
}

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

static void
finish(struct resource_set *set)
{
	struct diag_list diags;

	diag_list_init(&diags);
	assert_int_equal(resource_set_finish(set, &diags), 0);
	assert_int_equal(resource_set_check_meshes(set, &diags), 0);
	assert_int_equal(resource_set_compute_labels(set, "zone-1"), 0);
	diag_list_clear(&diags);
}

/* Mostly MeshServices and MeshMultiZoneServices; Dataplanes rarely. */
static const enum resource_kind kinds[] = {
	RESOURCE_MESH_SERVICE, RESOURCE_MESH_SERVICE, RESOURCE_MESH_SERVICE,
	RESOURCE_MESH_SERVICE, RESOURCE_MESH_EXTERNAL_SERVICE,
	RESOURCE_MESH_MULTI_ZONE_SERVICE, RESOURCE_MESH_MULTI_ZONE_SERVICE,
	RESOURCE_DATAPLANE,
};

static void
model_change(struct model *m, struct resource_change *ch)
{
	struct obj *o = NULL;
	unsigned op = rnd(m, 10);

	memset(ch, 0, sizeof(*ch));
	while (o == NULL) {
		if (op < 4 || m->n < 5) {
			enum resource_kind k = kinds[rnd(m, 8)];
			const char *mesh = rnd(m, 3) ? "default" : "other";
			char name[32];

			/* Sometimes a Dataplanes' service name. */
			if (k == RESOURCE_MESH_SERVICE && rnd(m, 8) == 0)
				snprintf(name, sizeof(name), "%s",
					 tags[rnd(m, 2)]);
			else
				snprintf(name, sizeof(name), "r%u",
					 m->serial++);
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
			o->kind = k;
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
assert_meta_same(const struct resource_meta *a, const struct resource_meta *b)
{
	size_t i;

	assert_int_equal(a->kind, b->kind);
	assert_string_equal(a->name, b->name);
	assert_string_equal(a->mesh != NULL ? a->mesh : "-",
			    b->mesh != NULL ? b->mesh : "-");
	assert_int_equal(a->creation_ns, b->creation_ns);
	assert_int_equal(a->labels.n, b->labels.n);
	for (i = 0; i < a->labels.n; i++) {
		assert_string_equal(a->labels.v[i].key, b->labels.v[i].key);
		assert_string_equal(a->labels.v[i].value,
				    b->labels.v[i].value);
	}
}

/* @a (applied) says what @b (run whole) says; @set is @a's set. */
static void
assert_same_result(const struct generate_result *a,
		   const struct generate_result *b,
		   const struct resource_set *set)
{
	size_t i;
	size_t j;

	assert_int_equal(a->nservices, b->nservices);
	for (i = 0; i < a->nservices; i++) {
		const struct generate_service *x = &a->services[i];
		const struct generate_service *y = &b->services[i];

		assert_meta_same(&x->res->meta, &y->res->meta);
		assert_int_equal(x->res->origin, y->res->origin);
		assert_int_equal(x->res->nports, y->res->nports);
		assert_int_equal(x->res->ports[0].port, y->res->ports[0].port);
		assert_int_equal(x->grace_since, y->grace_since);
		assert_int_equal(x->nconditions, y->nconditions);
		for (j = 0; j < x->nconditions; j++)
			assert_string_equal(x->conditions[j].message,
					    y->conditions[j].message);
		/* A written one is the set's own resource. */
		if (x->res->origin == RESOURCE_WRITTEN)
			assert_ptr_equal(resource_set_find(
				set, RESOURCE_MESH_SERVICE, x->res->meta.mesh,
				NULL, x->res->meta.name), &x->res->meta);
	}
	assert_int_equal(a->nexternal_services, b->nexternal_services);
	for (i = 0; i < a->nexternal_services; i++) {
		assert_meta_same(&a->external_services[i]->meta,
				 &b->external_services[i]->meta);
		assert_int_equal(a->external_services[i]->port,
				 b->external_services[i]->port);
	}
	assert_int_equal(a->nmultizone_services, b->nmultizone_services);
	for (i = 0; i < a->nmultizone_services; i++) {
		const struct generate_mzs *x = &a->multizone_services[i];
		const struct generate_mzs *y = &b->multizone_services[i];

		assert_meta_same(&x->res->meta, &y->res->meta);
		assert_int_equal(x->nmatches, y->nmatches);
		for (j = 0; j < x->nmatches; j++) {
			assert_string_equal(x->matches[j].name,
					    y->matches[j].name);
			assert_string_equal(x->matches[j].zone,
					    y->matches[j].zone);
			assert_string_equal(x->matches[j].mesh,
					    y->matches[j].mesh);
		}
	}
	assert_int_equal(a->ngenerators, b->ngenerators);
	for (i = 0; i < a->ngenerators; i++)
		assert_string_equal(a->generators[i]->meta.name,
				    b->generators[i]->meta.name);
	assert_int_equal(a->nlegacy, b->nlegacy);
	for (i = 0; i < a->nlegacy; i++) {
		assert_string_equal(a->legacy[i].mesh, b->legacy[i].mesh);
		assert_string_equal(a->legacy[i].service,
				    b->legacy[i].service);
	}
}

static void
options(struct generate_options *opt, int64_t now)
{
	memset(opt, 0, sizeof(*opt));
	opt->zone = "zone-1";
	opt->environment = GENERATE_UNIVERSAL;
	opt->defaults = GENERATE_DEFAULTS_LOCAL;
	opt->default_mode = RESOURCE_MESH_MODE_EVERYWHERE;
	opt->now = now;
}

static void
run(unsigned seed, unsigned steps, size_t *applied)
{
	struct model *m = calloc(1, sizeof(*m));
	struct resource_set *prev = NULL;
	struct generate_result *pgen = calloc(1, sizeof(*pgen));
	struct generate_options opt;
	struct diag_list diags;
	int64_t now = 1000;
	unsigned step;
	size_t i;

	assert_non_null(m);
	assert_non_null(pgen);
	m->seed = seed;
	for (i = 0; i < 20; i++) {
		struct resource_change ch;

		model_change(m, &ch);
	}
	prev = model_set(m);
	finish(prev);
	options(&opt, now);
	diag_list_init(&diags);
	assert_int_equal(generate_run(prev, &opt, pgen, &diags), 0);
	for (step = 0; step < steps; step++) {
		struct resource_change ch[3];
		struct resource_set *whole = NULL;
		struct resource_set *input = NULL;
		struct resource_set *items = NULL;
		struct resource_set *next = NULL;
		struct generate_result *full = calloc(1, sizeof(*full));
		struct generate_result *gen = calloc(1, sizeof(*gen));
		size_t nch = 1 + rnd(m, 3);
		const char *why = NULL;
		int rc;

		assert_non_null(full);
		assert_non_null(gen);
		for (i = 0; i < nch; i++)
			model_change(m, &ch[i]);
		options(&opt, now += 10);
		whole = model_set(m);
		finish(whole);
		assert_int_equal(generate_run(whole, &opt, full, &diags), 0);
		input = model_set(m);
		assert_int_equal(resource_set_take(input, ch, nch, "zone-1",
						   &items), 0);
		rc = resource_set_apply(&next, prev, items, ch, nch, "zone-1",
					&diags);
		resource_set_free(input);
		assert_true(rc == 0 || rc == 1);
		if (rc == 1) {
			next = model_set(m);
			finish(next);
			/* A full set: generate_run() on it. */
			assert_int_equal(generate_run(next, &opt, gen, &diags),
					 0);
		} else {
			rc = generate_apply(next, prev, pgen, ch, nch, &opt,
					    gen, &diags, &why);
			assert_true(rc == 0 || rc == 1);
			assert_true((rc == 1) == (why != NULL));
			if (rc == 0)
				(*applied)++;
		}
		assert_same_result(gen, full, next);
		/* The previous result and set go in either order. */
		if (rnd(m, 2)) {
			generate_result_clear(pgen);
			resource_set_free(prev);
		} else {
			resource_set_free(prev);
			generate_result_clear(pgen);
		}
		free(pgen);
		generate_result_clear(full);
		free(full);
		resource_set_free(whole);
		prev = next;
		pgen = gen;
	}
	generate_result_clear(pgen);
	free(pgen);
	resource_set_free(prev);
	diag_list_clear(&diags);
	for (i = 0; i < m->n; i++)
		free(m->o[i].yaml);
	free(m);
}

static void
test_apply_random(void **state)
{
	size_t applied = 0;
	unsigned seed;

	(void)state;
	for (seed = 1; seed <= 8; seed++)
		run(seed, 60, &applied);
	/* Most steps are incremental (Dataplanes and their names are not). */
	assert_true(applied > 8 * 60 / 3);
}

/*
 * The dependencies the incremental path must not skip, one by one: a
 * MeshMultiZoneService's matches follow a MeshService's labels; a
 * MeshService written under a Dataplanes' service name runs in full.
 */
static void
test_apply_dependencies(void **state)
{
	static const char base[] =
		"type: Mesh\nname: default\n---\n"
		"type: MeshMultiZoneService\nname: mz\nspec:\n  selector: "
		"{meshService: {matchLabels: {team: a}}}\n  ports: "
		"[{port: 80}]\n---\n"
		"type: Dataplane\nname: dp\nnetworking:\n  address: "
		"127.0.0.2\n  inbound:\n  - port: 80\n    tags:\n"
		"      kuma.io/service: web\n";
	static const char *const svc[] = {
		"type: MeshService\nname: s\nlabels: {team: a}\n"
		"spec:\n  ports: [{port: 80}]\n",
		"type: MeshService\nname: s\nlabels: {team: b}\n"
		"spec:\n  ports: [{port: 80}]\n",
		"type: MeshService\nname: web\nspec:\n  ports: [{port: 80}]\n",
	};
	struct resource_set *sets[3] = { NULL, NULL, NULL };
	struct generate_result res[3];
	struct generate_options opt;
	struct resource_change ch;
	struct diag_list diags;
	const char *why = NULL;
	size_t i;

	(void)state;
	diag_list_init(&diags);
	options(&opt, 1000);
	for (i = 0; i < 3; i++) {
		sets[i] = resource_set_new();
		assert_int_equal(resource_set_load_string(sets[i], "b.yaml",
							  base, &diags), 0);
		if (i < 2)
			assert_int_equal(resource_set_load_string(
				sets[i], "s.yaml", svc[i], &diags), 0);
		else
			assert_int_equal(resource_set_load_string(
				sets[i], "s.yaml", svc[0], &diags), 0);
		finish(sets[i]);
	}
	assert_int_equal(generate_run(sets[0], &opt, &res[0], &diags), 0);
	assert_int_equal(res[0].multizone_services[0].nmatches, 1);
	/* s leaves team a: mz matches nothing. */
	memset(&ch, 0, sizeof(ch));
	ch.op = RESOURCE_CHANGED;
	ch.kind = RESOURCE_MESH_SERVICE;
	ch.mesh = (char *)"default";
	ch.name = (char *)"s";
	assert_int_equal(generate_apply(sets[1], sets[0], &res[0], &ch, 1,
					&opt, &res[1], &diags, &why), 0);
	assert_null(why);
	assert_int_equal(res[1].multizone_services[0].nmatches, 0);
	generate_result_clear(&res[1]);
	/* A written "web": the generated one goes; a full run. */
	resource_set_free(sets[2]);
	sets[2] = resource_set_new();
	assert_int_equal(resource_set_load_string(sets[2], "b.yaml", base,
						  &diags), 0);
	assert_int_equal(resource_set_load_string(sets[2], "s.yaml", svc[0],
						  &diags), 0);
	assert_int_equal(resource_set_load_string(sets[2], "w.yaml", svc[2],
						  &diags), 0);
	finish(sets[2]);
	ch.op = RESOURCE_ADDED;
	ch.name = (char *)"web";
	assert_int_equal(generate_apply(sets[2], sets[0], &res[0], &ch, 1,
					&opt, &res[2], &diags, &why), 1);
	assert_string_equal(why, "a MeshService named as Dataplanes' "
			    "service changed");
	for (i = 0; i < res[2].nservices; i++)
		assert_int_equal(res[2].services[i].res->origin,
				 RESOURCE_WRITTEN);
	generate_result_clear(&res[2]);
	generate_result_clear(&res[0]);
	for (i = 0; i < 3; i++)
		resource_set_free(sets[i]);
	diag_list_clear(&diags);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_apply_random),
		cmocka_unit_test(test_apply_dependencies),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
