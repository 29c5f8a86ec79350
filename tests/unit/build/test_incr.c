/* SPDX-License-Identifier: MIT */
/*
 * test_incr.c -- build_apply(): a change applied to the previous snapshot
 * gives what a full build of the same inputs gives (the table, the state,
 * the status output), and the common changes take the incremental path.
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

#include "build/build.h"
#include "build/snapshot.h"
#include "build/snapshot_diff.h"
#include "build/state.h"
#include "build/status.h"
#include "dns/table_diff.h"
#include "dns/table_image.h"
#include "dns/table_patch.h"

/* One resource of the model: its identity and its YAML. */
struct obj {
	enum resource_kind kind;
	char mesh[16];
	char name[32];
	char *yaml;
	int live;
};

#define MAXOBJ 400

struct model {
	const char *conf;
	struct obj o[MAXOBJ];
	size_t n;
	unsigned seed;
	unsigned serial;		/* for unique names */
	int one_mesh;			/* and no reachable backends: no views */
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

static const char *const meshes[] = { "default", "default", "other" };
static const char *const tags[] = { "web", "api", "db", "cache_v1" };

/* A fresh YAML for @o (of its kind, mesh and name). */
static void
obj_render(struct model *m, struct obj *o)
{
	char labels[200];
	char created[64] = "";
	char pin[64] = "";

	free(o->yaml);
	snprintf(labels, sizeof(labels), "labels:\n  team: %s\n%s",
		 rnd(m, 2) ? "a" : "b",
		 rnd(m, 6) == 0 ? "  alias: shared\n" : "");
	if (rnd(m, 2))
		snprintf(created, sizeof(created),
			 "creationTime: 2025-01-%02uT00:00:00Z\n",
			 1 + rnd(m, 20));
	switch (o->kind) {
	case RESOURCE_MESH_SERVICE:
		if (rnd(m, 4) == 0)
			snprintf(pin, sizeof(pin), "status:\n  vips:\n"
				 "  - ip: 241.0.%u.%u\n", rnd(m, 3),
				 1 + rnd(m, 30));
		o->yaml = fmt("type: MeshService\nname: %s\nmesh: %s\n%s%s"
			      "spec:\n  ports:\n  - port: %u\n    name: p\n"
			      "%s", o->name, o->mesh, created, labels,
			      80 + rnd(m, 3), pin);
		break;
	case RESOURCE_MESH_EXTERNAL_SERVICE:
		o->yaml = fmt("type: MeshExternalService\nname: %s\nmesh: "
			      "%s\n%s%sspec:\n  match: {port: %u}\n"
			      "  endpoints:\n  - address: 10.1.0.1\n"
			      "    port: 443\n", o->name, o->mesh, created,
			      labels, 440 + rnd(m, 5));
		break;
	case RESOURCE_MESH_MULTI_ZONE_SERVICE:
		o->yaml = fmt("type: MeshMultiZoneService\nname: %s\nmesh: "
			      "%s\n%s%sspec:\n  selector: {meshService: "
			      "{matchLabels: {team: %s}}}\n  ports: "
			      "[{port: 80}]\n", o->name, o->mesh, created,
			      labels, rnd(m, 2) ? "a" : "b");
		break;
	case RESOURCE_DATAPLANE:
		o->yaml = fmt("type: Dataplane\nname: %s\nmesh: %s\n%s"
			      "networking:\n  address: 127.0.0.%u\n"
			      "  inbound:\n  - port: %u\n    tags:\n"
			      "      kuma.io/service: %s\n%s", o->name, o->mesh,
			      created, 2 + rnd(m, 200), 8000 + rnd(m, 2),
			      tags[rnd(m, 4)],
			      !m->one_mesh && rnd(m, 3) == 0 ?
			      "  transparentProxying:\n"
			      "    reachableBackends:\n      refs:\n"
			      "      - kind: MeshService\n        name: web\n"
			      : "");
		break;
	case RESOURCE_HOSTNAME_GENERATOR:
		o->yaml = fmt("type: HostnameGenerator\nname: %s\nspec:\n"
			      "  selector:\n    meshService:\n"
			      "      matchLabels: {team: %s}\n"
			      "  template: '{{ .Name }}.%s.mesh.local'\n",
			      o->name, rnd(m, 2) ? "a" : "b",
			      rnd(m, 2) ? "t" : "u");
		break;
	default:
		fail();
	}
}

static struct obj *
obj_add(struct model *m, enum resource_kind kind, const char *mesh,
	const char *name)
{
	struct obj *o = &m->o[m->n++];

	assert_true(m->n <= MAXOBJ);
	memset(o, 0, sizeof(*o));
	o->kind = kind;
	snprintf(o->mesh, sizeof(o->mesh), "%s", mesh);
	snprintf(o->name, sizeof(o->name), "%s", name);
	o->live = 1;
	obj_render(m, o);
	return o;
}

static void
model_free(struct model *m)
{
	size_t i;

	for (i = 0; i < m->n; i++)
		free(m->o[i].yaml);
}

static const char fixed[] =
	"type: Mesh\nname: default\nmeshServices:\n  mode: Everywhere\n"
	"---\n"
	"type: Mesh\nname: other\nmeshServices:\n  mode: Exclusive\n"
	"---\n"
	"type: HostnameGenerator\nname: alias\nspec:\n  selector:\n"
	"    meshService:\n      matchLabels: {alias: shared}\n"
	"  template: 'alias.mesh.local'\n"
	"---\n"
	"type: HostnameGenerator\nname: mes\nspec:\n  selector:\n"
	"    meshExternalService:\n      matchLabels: {}\n"
	"  template: '{{ .Name }}.ext.mesh.local'\n"
	"---\n"
	"type: HostnameGenerator\nname: mzs\nspec:\n  selector:\n"
	"    meshMultiZoneService:\n      matchLabels: {}\n"
	"  template: '{{ .Name }}.mz.mesh.local'\n";

/* The model's resources as a set, loaded (not finished). */
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
	if (diags.errors > 0)
		fail_msg("%s", diags.v[0].msg);
	diag_list_clear(&diags);
	return set;
}

static struct config *
model_config(const struct model *m)
{
	struct config *cfg = NULL;
	struct diag_list diags;

	diag_list_init(&diags);
	assert_int_equal(config_load_string(&cfg, "test.conf", m->conf,
					    &diags), 0);
	assert_int_equal(diags.errors, 0);
	diag_list_clear(&diags);
	return cfg;
}

static char *
status_text(const struct snapshot *s)
{
	char *out = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&out, &len);

	assert_non_null(fp);
	assert_int_equal(status_print(fp, s), 0);
	assert_int_equal(fclose(fp), 0);
	return out;
}

/* @a and @b serve the same table, keep the same state, say the same. */
static void
assert_same(const struct snapshot *a, const struct snapshot *b,
	    unsigned step)
{
	struct table_diff d;
	uint8_t *ia = NULL;
	uint8_t *ib = NULL;
	size_t la = 0;
	size_t lb = 0;
	char *sa = NULL;
	char *sb = NULL;
	int z;

	assert_int_equal(table_diff_names(&d, a->table, b->table), 0);
	if (d.added.count + d.removed.count > 0)
		fail_msg("step %u: +%zu (%s) -%zu (%s) names", step,
			 d.added.count, d.added.nshown ? d.added.shown[0] : "",
			 d.removed.count,
			 d.removed.nshown ? d.removed.shown[0] : "");
	table_diff_clear(&d);
	/* Every zone's content and serial, and the counts. */
	assert_int_equal(table_zone_count(a->table), table_zone_count(b->table));
	for (z = 0; z < (int)table_zone_count(a->table); z++) {
		if (table_zone_digest(a->table, z) !=
		    table_zone_digest(b->table, z))
			fail_msg("step %u: zone %d differs", step, z);
		if (table_zone_serial(a->table, z) !=
		    table_zone_serial(b->table, z))
			fail_msg("step %u: zone %d's serial differs", step, z);
	}
	assert_int_equal(table_name_count(a->table), table_name_count(b->table));
	assert_int_equal(table_record_count(a->table),
			 table_record_count(b->table));
	assert_int_equal(table_view_count(a->table), table_view_count(b->table));
	/* A table built whole: every answer, view and owner, as bytes. */
	if (!a->table_patched) {
		assert_int_equal(table_serialize(a->table, &ia, &la), 0);
		assert_int_equal(table_serialize(b->table, &ib, &lb), 0);
		if (la != lb || memcmp(ia, ib, la) != 0)
			fail_msg("step %u: the tables differ", step);
	}
	if (!state_equal(a->state, b->state))
		fail_msg("step %u: the states differ", step);
	assert_int_equal(a->state_changed, b->state_changed);
	assert_int_equal(a->errors, b->errors);
	sa = status_text(a);
	sb = status_text(b);
	if (strcmp(sa, sb) != 0)
		fail_msg("step %u: status differs:\n%s\n---\n%s", step, sa,
			 sb);
	free(ia);
	free(ib);
	free(sa);
	free(sb);
}

/*
 * The reload log's line for @old -> @new, with the names shown left out:
 * a patched table's change list shows the first names in canonical order,
 * a walk of the whole tables those built first (table_diff.h).
 */
static void
diff_line(const struct snapshot *old, const struct snapshot *new, char *buf,
	  size_t size)
{
	struct snapshot_diff d;
	size_t i;

	assert_int_equal(snapshot_diff_compute(&d, old, new), 0);
	for (i = 0; i < d.names.added.nshown; i++)
		free(d.names.added.shown[i]);
	for (i = 0; i < d.names.removed.nshown; i++)
		free(d.names.removed.shown[i]);
	d.names.added.nshown = 0;
	d.names.removed.nshown = 0;
	snapshot_diff_format(&d, buf, size);
	snapshot_diff_clear(&d);
}

/*
 * The log line of an apply, from what it changed (its table changes and
 * VIP keys), is the one both tables walked whole give.
 */
static void
assert_same_diff(const struct snapshot *prev, const struct snapshot *a,
		 unsigned step)
{
	struct snapshot whole = *a;
	char la[4096];
	char lw[4096];

	if (a->incremental && a->vip_keys == NULL)
		fail_msg("step %u: an apply without its VIP keys", step);
	if (a->vip_keys != NULL && a->vips_from != prev->state)
		fail_msg("step %u: VIP keys not from the state applied to",
			 step);
	whole.changes = NULL;
	whole.vip_keys = NULL;
	whole.nvip_keys = 0;
	diff_line(prev, a, la, sizeof(la));
	diff_line(prev, &whole, lw, sizeof(lw));
	if (strcmp(la, lw) != 0)
		fail_msg("step %u: the apply's log line differs:\n%s\n---\n%s",
			 step, la, lw);
}

/* Every service's names and conditions in @s, as text. */
static char *
names_text(const struct snapshot *s)
{
	char *out = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&out, &len);
	size_t i;
	size_t j;

	assert_non_null(fp);
	for (i = 0; i < s->nservices; i++) {
		const struct build_service *bs = &s->services[i];
		const struct hostname_result *h = &bs->hostnames;

		fprintf(fp, "%d/%s/%s:", (int)bs->kind,
			bs->meta->mesh != NULL ? bs->meta->mesh : "",
			bs->meta->name);
		for (j = 0; j < h->naddresses; j++)
			fprintf(fp, " %s(%s)", h->addresses[j].hostname,
				h->addresses[j].generator);
		for (j = 0; j < h->nconditions; j++)
			fprintf(fp, " [%s %d %s]", h->conditions[j].generator,
				(int)h->conditions[j].reason,
				h->conditions[j].message);
		fputc('\n', fp);
	}
	assert_int_equal(fclose(fp), 0);
	return out;
}

/* build.c's, unless test_incr_fold.c compiles build.c in with another. */
#ifndef BUILD_MAX_BLOCKS
#define BUILD_MAX_BLOCKS 4096
#endif

/*
 * @s's blocks (snapshot.h) are what its services' names need: sorted,
 * each named once with the number of services whose names are in it
 * (none at 0), no more than BUILD_MAX_BLOCKS, and they hold less than
 * twice what the services use.
 */
static void
assert_blocks(const struct snapshot *s, unsigned step)
{
	size_t *count = calloc(s->nblocks + 1, sizeof(*count));
	size_t results = 0;
	size_t i;
	size_t k;

	assert_non_null(count);
	if (s->nblocks > BUILD_MAX_BLOCKS)
		fail_msg("step %u: %zu blocks", step, s->nblocks);
	for (k = 1; k < s->nblocks; k++)
		assert_true((uintptr_t)s->blocks[k - 1].block <
			    (uintptr_t)s->blocks[k].block);
	for (i = 0; i < s->nservices; i++) {
		const struct hostname_block *b = NULL;

		assert_non_null(s->services[i].names);
		b = hostname_result_block(s->services[i].names);
		for (k = 0; k < s->nblocks && s->blocks[k].block != b; k++)
			;
		if (k == s->nblocks)
			fail_msg("step %u: service %zu's names in no block of "
				 "the snapshot", step, i);
		count[k]++;
	}
	for (k = 0; k < s->nblocks; k++) {
		if (count[k] != s->blocks[k].count || count[k] == 0)
			fail_msg("step %u: block %zu counts %zu services, "
				 "has %zu", step, k, s->blocks[k].count,
				 count[k]);
		results += hostname_block_results(s->blocks[k].block);
	}
	if (results > 2 * s->nservices + 16)
		fail_msg("step %u: %zu results in blocks for %zu services",
			 step, results, s->nservices);
	free(count);
}

static struct snapshot *
full(const struct model *m, const struct state *prev, int64_t now)
{
	struct snapshot *s = NULL;
	struct diag_list diags;

	diag_list_init(&diags);
	assert_int_equal(build_from_set(&s, model_config(m), model_set(m),
					prev, 1, now, &diags), 0);
	diag_list_clear(&diags);
	return s;
}

static struct snapshot *
apply(const struct model *m, const struct snapshot *prev,
      const struct resource_change *ch, size_t nch, int64_t now)
{
	struct snapshot *s = NULL;
	struct diag_list diags;

	diag_list_init(&diags);
	assert_int_equal(build_apply(&s, prev, model_config(m), model_set(m),
				     ch, nch, 1, now, &diags), 0);
	diag_list_clear(&diags);
	return s;
}

static const enum resource_kind kinds[] = {
	RESOURCE_MESH_SERVICE, RESOURCE_MESH_SERVICE, RESOURCE_MESH_SERVICE,
	RESOURCE_DATAPLANE, RESOURCE_DATAPLANE,
	RESOURCE_MESH_EXTERNAL_SERVICE, RESOURCE_MESH_MULTI_ZONE_SERVICE,
};

/* One random change of the model, described in *@ch. */
static void
model_change(struct model *m, struct resource_change *ch)
{
	struct obj *o = NULL;
	unsigned op = rnd(m, 10);
	char name[32];
	size_t i;

	memset(ch, 0, sizeof(*ch));
	for (i = 0; i < m->n && !m->o[i].live; i++)
		;
	if (op < 4 || i == m->n) {
		enum resource_kind k = kinds[rnd(m, sizeof(kinds) /
						 sizeof(kinds[0]))];
		const char *mesh = meshes[m->one_mesh ? 0 : rnd(m, 3)];

		/* Written MeshServices sometimes take a tag's name. */
		if (k == RESOURCE_MESH_SERVICE && rnd(m, 5) == 0)
			snprintf(name, sizeof(name), "%s", tags[rnd(m, 3)]);
		else
			snprintf(name, sizeof(name), "r%u", m->serial++);
		if (k == RESOURCE_HOSTNAME_GENERATOR)
			mesh = "";
		for (i = 0; i < m->n; i++)
			if (m->o[i].live && m->o[i].kind == k &&
			    strcmp(m->o[i].name, name) == 0 &&
			    strcmp(m->o[i].mesh, mesh) == 0)
				break;
		if (i < m->n) {	/* taken: change it instead */
			o = &m->o[i];
			obj_render(m, o);
			ch->op = RESOURCE_CHANGED;
		}
		else {
			o = obj_add(m, k, mesh, name);
			ch->op = RESOURCE_ADDED;
		}
	}
	if (o == NULL && op == 9 && rnd(m, 3) == 0) {
		/* Rarely, a generator: the full path. */
		snprintf(name, sizeof(name), "g%u", m->serial++);
		o = obj_add(m, RESOURCE_HOSTNAME_GENERATOR, "", name);
		ch->op = RESOURCE_ADDED;
	}
	while (o == NULL) {
		o = &m->o[rnd(m, (unsigned)m->n)];
		if (!o->live) {
			o = NULL;
			continue;
		}
		if (op < 7) {
			obj_render(m, o);
			ch->op = RESOURCE_CHANGED;
		} else {
			o->live = 0;
			ch->op = RESOURCE_REMOVED;
		}
	}
	ch->kind = o->kind;
	ch->mesh = o->kind == RESOURCE_HOSTNAME_GENERATOR ? NULL : o->mesh;
	ch->name = o->name;
}

static size_t
run_sequence(const char *conf, int one_mesh, unsigned seed, unsigned steps,
	     size_t *incremental, size_t *patched)
{
	struct model *m = calloc(1, sizeof(*m));
	struct snapshot *prev = NULL;
	struct state *st = state_new();
	int64_t now = 1000000;
	size_t equal = 0;
	unsigned step;
	size_t i;

	assert_non_null(m);
	m->conf = conf;
	m->seed = seed;
	m->one_mesh = one_mesh;
	for (i = 0; i < 30; i++) {
		struct resource_change ch;

		model_change(m, &ch);
	}
	prev = full(m, st, now);
	for (step = 0; step < steps; step++) {
		struct resource_change ch[3];
		size_t nch = 1 + rnd(m, 3);
		struct snapshot *a = NULL;
		struct snapshot *b = NULL;

		for (i = 0; i < nch; i++)
			model_change(m, &ch[i]);
		now += 7 + rnd(m, 20);
		a = apply(m, prev, ch, nch, now);
		b = full(m, prev->state, now);
		assert_same(a, b, step);
		assert_blocks(a, step);
		assert_same_diff(prev, a, step);
		equal++;
		*incremental += a->incremental != 0;
		*patched += a->table_patched != 0;
		snapshot_free(b);
		snapshot_free(prev);
		prev = a;
	}
	snapshot_free(prev);
	state_free(st);
	model_free(m);
	free(m);
	return equal;
}

static const char conf_plain[] =
	"zone: zone-1\n"
	"dns:\n  zones: [mesh.local, mesh]\n  srv: true\n  ptr: true\n"
	"vip:\n  hold: 30s\n"
	"kuma:\n  environment: universal\n  default-generators: local\n"
	"  deletion-grace: 20s\n";

/* A small pool (some services get no VIP) and IPv6 twins. */
static const char conf_tight[] =
	"zone: zone-1\n"
	"dns:\n  zones: [mesh.local, mesh]\n  ptr: true\n  aaaa: pool\n"
	"vip:\n  hold: 0s\n  pools:\n    meshService: 241.0.0.0/27\n"
	"    meshService6: fd00::/120\n"
	"kuma:\n  environment: universal\n  default-generators: all\n";

/*
 * The key property: for random sequences of changes (MeshServices with
 * and without pinned VIPs and creation times, Dataplanes and the
 * MeshServices and legacy names they yield, reachable backends,
 * MeshExternalServices, MeshMultiZoneServices, a generator that makes
 * collisions, now and then a generator change), every incremental
 * snapshot equals a full build of the same inputs from the same state.
 */
static void
test_random_equals_full(void **state)
{
	size_t incremental = 0;
	size_t patched = 0;
	unsigned seed;

	(void)state;
	for (seed = 1; seed <= 6; seed++)
		assert_int_equal(run_sequence(conf_plain, 0, seed, 40,
					      &incremental, &patched), 40);
	/* Most steps took the incremental path. */
	if (incremental < 6 * 40 / 2)
		fail_msg("only %zu of %u steps incremental", incremental,
			 6 * 40);
	for (seed = 11; seed <= 14; seed++)
		assert_int_equal(run_sequence(conf_tight, 0, seed, 40,
					      &incremental, &patched), 40);
	/* One mesh, no reachable backends: no views, a patched table. */
	patched = 0;
	for (seed = 21; seed <= 26; seed++)
		assert_int_equal(run_sequence(conf_plain, 1, seed, 40,
					      &incremental, &patched), 40);
	if (patched < 6 * 40 / 3)
		fail_msg("only %zu of %u tables patched", patched, 6 * 40);
}

/* How many MeshServices of @s have the label team: @team. */
static size_t
selected(const struct snapshot *s, const char *team)
{
	size_t n = 0;
	size_t i;

	for (i = 0; i < s->nservices; i++) {
		const char *t = resource_labels_get(&s->services[i].meta->labels,
						    "team");

		n += s->services[i].kind == RESOURCE_MESH_SERVICE &&
		     t != NULL && strcmp(t, team) == 0;
	}
	return n;
}

/* The common changes take the incremental path, and say how much. */
static void
test_common_cases_incremental(void **state)
{
	struct model *m = calloc(1, sizeof(*m));
	struct state *st = state_new();
	struct snapshot *s0 = NULL;
	struct snapshot *s1 = NULL;
	struct snapshot *b = NULL;
	struct resource_change ch;
	struct obj *o = NULL;
	size_t i;

	(void)state;
	assert_non_null(m);
	m->conf = conf_plain;
	m->seed = 99;
	for (i = 0; i < 20; i++) {
		char name[16];

		snprintf(name, sizeof(name), "svc-%zu", i);
		o = obj_add(m, RESOURCE_MESH_SERVICE, "default", name);
		free(o->yaml);
		o->yaml = fmt("type: MeshService\nname: %s\nmesh: default\n"
			      "spec:\n  ports:\n  - port: 80\n", name);
	}
	o = obj_add(m, RESOURCE_DATAPLANE, "default", "dp-1");
	s0 = full(m, st, 1000);
	assert_int_equal(s0->incremental, 0);

	/* A MeshService added: its names alone, one VIP (and its twin). */
	o = obj_add(m, RESOURCE_MESH_SERVICE, "default", "new");
	free(o->yaml);
	o->yaml = fmt("type: MeshService\nname: new\nmesh: default\n"
		      "spec:\n  ports:\n  - port: 80\n");
	memset(&ch, 0, sizeof(ch));
	ch.kind = RESOURCE_MESH_SERVICE;
	ch.op = RESOURCE_ADDED;
	ch.mesh = m->o[0].mesh;
	ch.name = o->name;
	s1 = apply(m, s0, &ch, 1, 1010);
	assert_int_equal(s1->incremental, 1);
	assert_null(s1->full_reason);
	assert_int_equal(s1->recomputed, 1);
	assert_int_equal(s1->reallocated, 1);
	/* What changed, for IXFR: its zones, with new serials. */
	if (s1->table_patched) {
		const struct ldns_struct_rr_list *rm = NULL;
		const struct ldns_struct_rr_list *add = NULL;
		uint32_t from = 0;
		uint32_t to = 0;
		int zone = -1;

		assert_non_null(s1->changes);
		assert_true(table_changes_count(s1->changes) > 0);
		assert_int_equal(table_changes_zone(s1->changes, 0, &zone,
						    &from, &to, &rm, &add),
				 0);
		assert_true(zone >= 0);
		assert_int_not_equal(from, to);
		assert_non_null(add);
	} else {
		fail_msg("not patched: %s", s1->table_reason);
	}
	b = full(m, s0->state, 1010);
	assert_same(s1, b, 1);
	snapshot_free(b);
	snapshot_free(s0);
	s0 = s1;

	/* Only its status VIP changed: no names, one VIP. */
	free(o->yaml);
	o->yaml = fmt("type: MeshService\nname: new\nmesh: default\n"
		      "spec:\n  ports:\n  - port: 80\n"
		      "status:\n  vips:\n  - ip: 241.0.0.200\n");
	ch.op = RESOURCE_CHANGED;
	s1 = apply(m, s0, &ch, 1, 1020);
	assert_int_equal(s1->incremental, 1);
	assert_int_equal(s1->recomputed, 0);
	assert_int_equal(s1->reallocated, 1);
	b = full(m, s0->state, 1020);
	assert_same(s1, b, 2);
	snapshot_free(b);
	snapshot_free(s0);
	s0 = s1;

	/* Removed: nothing recomputed, nothing asked for. */
	o->live = 0;
	ch.op = RESOURCE_REMOVED;
	s1 = apply(m, s0, &ch, 1, 1030);
	assert_int_equal(s1->incremental, 1);
	assert_int_equal(s1->recomputed, 0);
	assert_int_equal(s1->reallocated, 0);
	b = full(m, s0->state, 1030);
	assert_same(s1, b, 3);
	snapshot_free(b);
	snapshot_free(s0);
	s0 = s1;

	/* A Dataplane changed: incremental too. */
	obj_render(m, &m->o[20]);
	ch.kind = RESOURCE_DATAPLANE;
	ch.op = RESOURCE_CHANGED;
	ch.name = m->o[20].name;
	s1 = apply(m, s0, &ch, 1, 1040);
	assert_int_equal(s1->incremental, 1);
	assert_true(s1->recomputed <= 2);
	b = full(m, s0->state, 1040);
	assert_same(s1, b, 4);
	snapshot_free(b);
	snapshot_free(s0);
	s0 = s1;

	/* A generator added: the full path, and why. */
	o = obj_add(m, RESOURCE_HOSTNAME_GENERATOR, "", "g");
	free(o->yaml);
	o->yaml = fmt("type: HostnameGenerator\nname: g\nspec:\n"
		      "  selector:\n    meshService:\n"
		      "      matchLabels: {team: a}\n"
		      "  template: '{{ .Name }}.g1.mesh.local'\n");
	ch.kind = RESOURCE_HOSTNAME_GENERATOR;
	ch.op = RESOURCE_ADDED;
	ch.mesh = NULL;
	ch.name = o->name;
	s1 = apply(m, s0, &ch, 1, 1050);
	assert_int_equal(s1->incremental, 0);
	assert_string_equal(s1->full_reason,
			    "the HostnameGenerators changed");
	assert_int_equal(s1->recomputed, s1->nservices);
	b = full(m, s0->state, 1050);
	assert_same(s1, b, 5);
	snapshot_free(b);
	snapshot_free(s0);
	snapshot_free(s1);
	state_free(st);
	model_free(m);
	free(m);
}

/* A generator of @m selecting team @team with the template's @suffix. */
static void
generator_yaml(struct obj *o, const char *team, const char *suffix)
{
	free(o->yaml);
	o->yaml = fmt("type: HostnameGenerator\nname: %s\nspec:\n"
		      "  selector:\n    meshService:\n"
		      "      matchLabels: {team: %s}\n"
		      "  template: '{{ .Name }}.%s.mesh.local'\n", o->name,
		      team, suffix);
}

/*
 * A HostnameGenerator edited in place (Kuma's Update: another template,
 * another selector) is applied incrementally: the names of the services
 * its old or new version selects are computed again, and only theirs;
 * every step equals a full build.
 */
static void
test_generator_edit(void **state)
{
	struct model *m = calloc(1, sizeof(*m));
	struct state *st = state_new();
	struct snapshot *s0 = NULL;
	struct snapshot *s1 = NULL;
	struct snapshot *b = NULL;
	struct resource_change ch;
	struct obj *g = NULL;
	struct obj *o = NULL;
	size_t i;

	(void)state;
	assert_non_null(m);
	m->conf = conf_plain;
	m->seed = 5;
	for (i = 0; i < 40; i++) {
		char name[16];

		snprintf(name, sizeof(name), "svc-%zu", i);
		o = obj_add(m, RESOURCE_MESH_SERVICE, "default", name);
		free(o->yaml);
		o->yaml = fmt("type: MeshService\nname: %s\nmesh: default\n"
			      "labels: {team: %s}\n"
			      "spec:\n  ports:\n  - port: 80\n", name,
			      i % 4 == 0 ? "a" : i % 4 == 1 ? "b" : "c");
	}
	g = obj_add(m, RESOURCE_HOSTNAME_GENERATOR, "", "g");
	generator_yaml(g, "a", "g1");
	s0 = full(m, st, 1000);
	assert_int_equal(selected(s0, "a"), 10);
	memset(&ch, 0, sizeof(ch));
	ch.kind = RESOURCE_HOSTNAME_GENERATOR;
	ch.op = RESOURCE_CHANGED;
	ch.name = g->name;
	/* Another template: the 10 of team a. */
	generator_yaml(g, "a", "g2");
	s1 = apply(m, s0, &ch, 1, 1010);
	if (!s1->incremental)
		fail_msg("full: %s", s1->full_reason);
	assert_int_equal(s1->recomputed, 10);
	if (!s1->table_patched)
		fail_msg("not patched: %s", s1->table_reason);
	b = full(m, s0->state, 1010);
	assert_same(s1, b, 1);
	snapshot_free(b);
	snapshot_free(s0);
	s0 = s1;
	/* Another selector: the 10 of a and the 10 of b. */
	generator_yaml(g, "b", "g2");
	s1 = apply(m, s0, &ch, 1, 1020);
	if (!s1->incremental)
		fail_msg("full: %s", s1->full_reason);
	assert_int_equal(s1->recomputed, 20);
	b = full(m, s0->state, 1020);
	assert_same(s1, b, 2);
	snapshot_free(b);
	snapshot_free(s0);
	s0 = s1;
	/* A template that collides for team b's (one name for all): the
	 * collisions are decided as a full build does. */
	free(g->yaml);
	g->yaml = fmt("type: HostnameGenerator\nname: g\nspec:\n"
		      "  selector:\n    meshService:\n"
		      "      matchLabels: {team: b}\n"
		      "  template: 'same.mesh.local'\n");
	s1 = apply(m, s0, &ch, 1, 1030);
	b = full(m, s0->state, 1030);
	assert_same(s1, b, 3);
	snapshot_free(b);
	snapshot_free(s0);
	s0 = s1;
	/* And back: the collision's losers get their names again. */
	generator_yaml(g, "b", "g4");
	s1 = apply(m, s0, &ch, 1, 1040);
	b = full(m, s0->state, 1040);
	assert_same(s1, b, 4);
	snapshot_free(b);
	snapshot_free(s0);
	snapshot_free(s1);
	state_free(st);
	model_free(m);
	free(m);
}

/* A hidden primary's glue (one name a generator also makes) and a catalog. */
static const char conf_ops[] =
	"zone: zone-1\n"
	"dns:\n  zones: [mesh.local, mesh]\n  srv: true\n  ptr: true\n"
	"  ns:\n  - {name: alias.mesh.local, address: 10.0.0.2}\n"
	"  - {name: ns1.mesh.local, address: 10.0.0.3}\n"
	"transfer: {catalog: catalog.invalid}\n"
	"vip:\n  hold: 30s\n"
	"kuma:\n  environment: universal\n  default-generators: local\n";

/*
 * dns.ns addresses and the catalog zone (i14-notify) are in an applied
 * snapshot as in a full build: a patched table keeps them, and a service
 * that takes a dns.ns name (alias.mesh.local) makes the table whole.
 */
static void
test_glue_and_catalog(void **state)
{
	struct model *m = calloc(1, sizeof(*m));
	struct state *st = state_new();
	struct snapshot *s0 = NULL;
	struct snapshot *s1 = NULL;
	struct snapshot *b = NULL;
	struct resource_change ch;
	struct obj *o = NULL;
	size_t incremental = 0;
	size_t patched = 0;
	unsigned seed;

	(void)state;
	for (seed = 31; seed <= 33; seed++)
		assert_int_equal(run_sequence(conf_ops, 1, seed, 40,
					      &incremental, &patched), 40);
	if (patched < 3 * 40 / 3)
		fail_msg("only %zu of %u tables patched", patched, 3 * 40);

	assert_non_null(m);
	m->conf = conf_ops;
	m->seed = 7;
	o = obj_add(m, RESOURCE_MESH_SERVICE, "default", "web");
	free(o->yaml);
	o->yaml = fmt("type: MeshService\nname: web\nmesh: default\n"
		      "spec:\n  ports:\n  - port: 80\n");
	s0 = full(m, st, 1000);
	/* A plain service: patched; the glue and the catalog are kept. */
	o = obj_add(m, RESOURCE_MESH_SERVICE, "default", "api");
	free(o->yaml);
	o->yaml = fmt("type: MeshService\nname: api\nmesh: default\n"
		      "spec:\n  ports:\n  - port: 80\n");
	memset(&ch, 0, sizeof(ch));
	ch.kind = RESOURCE_MESH_SERVICE;
	ch.op = RESOURCE_ADDED;
	ch.mesh = o->mesh;
	ch.name = o->name;
	s1 = apply(m, s0, &ch, 1, 1010);
	assert_int_equal(s1->incremental, 1);
	if (!s1->table_patched)
		fail_msg("not patched: %s", s1->table_reason);
	b = full(m, s0->state, 1010);
	assert_same(s1, b, 1);
	snapshot_free(b);
	snapshot_free(s0);
	s0 = s1;
	/* One named alias.mesh.local, a dns.ns name: the table is whole. */
	o = obj_add(m, RESOURCE_MESH_SERVICE, "default", "shared");
	free(o->yaml);
	o->yaml = fmt("type: MeshService\nname: shared\nmesh: default\n"
		      "labels:\n  alias: shared\n"
		      "spec:\n  ports:\n  - port: 80\n");
	ch.name = o->name;
	s1 = apply(m, s0, &ch, 1, 1020);
	assert_int_equal(s1->incremental, 1);
	assert_int_equal(s1->table_patched, 0);
	assert_string_equal(s1->table_reason,
			    "a name the table cannot patch");
	b = full(m, s0->state, 1020);
	assert_same(s1, b, 2);
	snapshot_free(b);
	snapshot_free(s0);
	snapshot_free(s1);
	state_free(st);
	model_free(m);
	free(m);
}

/* Add a plain MeshService @name to @m; its change in *@ch. */
static void
plain_service(struct model *m, const char *name, struct resource_change *ch)
{
	struct obj *o = obj_add(m, RESOURCE_MESH_SERVICE, "default", name);

	free(o->yaml);
	o->yaml = fmt("type: MeshService\nname: %s\nmesh: default\n"
		      "spec:\n  ports:\n  - port: 80\n", name);
	memset(ch, 0, sizeof(*ch));
	ch->kind = RESOURCE_MESH_SERVICE;
	ch->op = RESOURCE_ADDED;
	ch->mesh = o->mesh;
	ch->name = o->name;
}

/*
 * A service added before all the others, or removed from the middle,
 * moves every service after it in the list; the table is still patched
 * with only that service's names reset (the others keep their records),
 * and equals a full build.
 */
static void
test_moved_not_reset(void **state)
{
	struct model *m = calloc(1, sizeof(*m));
	struct state *st = state_new();
	struct snapshot *s0 = NULL;
	struct snapshot *s1 = NULL;
	struct snapshot *b = NULL;
	struct resource_change ch;
	char name[32];
	size_t i;

	(void)state;
	assert_non_null(m);
	m->conf = conf_plain;
	m->seed = 11;
	for (i = 0; i < 100; i++) {
		snprintf(name, sizeof(name), "svc-%03zu", i);
		plain_service(m, name, &ch);
	}
	s0 = full(m, st, 1000);
	/* "aaa" sorts before every svc-NNN. */
	plain_service(m, "aaa", &ch);
	s1 = apply(m, s0, &ch, 1, 1010);
	assert_int_equal(s1->incremental, 1);
	if (!s1->table_patched)
		fail_msg("not patched: %s", s1->table_reason);
	assert_int_equal(s1->services_reset, 1);
	b = full(m, s0->state, 1010);
	assert_same(s1, b, 1);
	snapshot_free(b);
	snapshot_free(s0);
	s0 = s1;
	/* svc-050 removed: the 49 after it move back. */
	m->o[50].live = 0;
	ch.op = RESOURCE_REMOVED;
	ch.mesh = m->o[50].mesh;
	ch.name = m->o[50].name;
	s1 = apply(m, s0, &ch, 1, 1020);
	assert_int_equal(s1->incremental, 1);
	if (!s1->table_patched)
		fail_msg("not patched: %s", s1->table_reason);
	assert_int_equal(s1->services_reset, 1);
	b = full(m, s0->state, 1020);
	assert_same(s1, b, 2);
	snapshot_free(b);
	snapshot_free(s0);
	snapshot_free(s1);
	state_free(st);
	model_free(m);
	free(m);
}

/*
 * With a store, the rows (Kuma's VIPs of legacy names, the store's
 * digest) come through build_run_input(): a set alone is refused.
 */
static void
test_store_refused(void **state)
{
	struct model *m = calloc(1, sizeof(*m));
	struct state *st = state_new();
	struct snapshot *s0 = NULL;
	struct snapshot *s = NULL;
	struct config *cfg = NULL;
	struct resource_change ch;
	struct diag_list diags;

	(void)state;
	assert_non_null(m);
	m->conf = conf_plain;
	m->seed = 5;
	obj_add(m, RESOURCE_MESH_SERVICE, "default", "web");
	s0 = full(m, st, 1000);
	memset(&ch, 0, sizeof(ch));
	ch.kind = RESOURCE_MESH_SERVICE;
	ch.op = RESOURCE_CHANGED;
	ch.mesh = m->o[0].mesh;
	ch.name = m->o[0].name;
	diag_list_init(&diags);
	cfg = model_config(m);
	assert_int_equal(config_set_string(&cfg->store, "host=/nowhere"), 0);
	assert_int_equal(build_apply(&s, s0, cfg, model_set(m), &ch, 1, 1,
				     1010, &diags), -ENOTSUP);
	assert_null(s);
	assert_int_equal(diags.errors, 1);
	assert_string_equal(diags.v[0].msg, "build_apply: a store is "
			    "configured; build through build_run_input(), "
			    "which reads its rows");
	cfg = model_config(m);
	assert_int_equal(config_set_string(&cfg->store, "host=/nowhere"), 0);
	assert_int_equal(build_from_set(&s, cfg, model_set(m), st, 1, 1010,
					&diags), -ENOTSUP);
	assert_null(s);
	assert_int_equal(diags.errors, 2);
	diag_list_clear(&diags);
	snapshot_free(s0);
	state_free(st);
	model_free(m);
	free(m);
}

/*
 * Snapshots share what a change did not touch (the names of a service,
 * the VIP table's keys): many applies in a row with the older snapshots
 * kept, each equal to a full build; then the older ones freed, first
 * the oldest and then the rest in another order, and the newest still
 * says what it said and still applies changes that equal full builds.
 */
static void
test_generations_shared(void **state)
{
	enum { KEEP = 12, STEPS = 60 };
	struct model *m = calloc(1, sizeof(*m));
	struct snapshot *gen[STEPS + 1];
	struct state *st = state_new();
	int64_t now = 5000;
	size_t shared = 0;
	char *said = NULL;
	char *again = NULL;
	size_t i;
	size_t j;
	unsigned step;

	(void)state;
	assert_non_null(m);
	memset(gen, 0, sizeof(gen));
	m->conf = conf_plain;
	m->seed = 4242;
	m->one_mesh = 1;
	for (i = 0; i < 40; i++) {
		struct resource_change ch;

		model_change(m, &ch);
	}
	gen[0] = full(m, st, now);
	for (step = 1; step <= STEPS; step++) {
		struct resource_change ch[2];
		size_t nch = 1 + rnd(m, 2);
		struct snapshot *b = NULL;
		const struct snapshot *p = gen[step - 1];

		for (i = 0; i < nch; i++)
			model_change(m, &ch[i]);
		now += 5 + rnd(m, 30);
		gen[step] = apply(m, p, ch, nch, now);
		b = full(m, p->state, now);
		assert_same(gen[step], b, step);
		assert_blocks(gen[step], step);
		snapshot_free(b);
		/* Unchanged services share their names with the last. */
		for (i = 0; gen[step]->incremental &&
			    i < gen[step]->nservices; i++)
			for (j = 0; j < p->nservices; j++)
				if (gen[step]->services[i].names != NULL &&
				    gen[step]->services[i].names ==
				    p->services[j].names)
					shared++;
		/* The oldest kept go first. */
		if (step >= KEEP) {
			snapshot_free(gen[step - KEEP]);
			gen[step - KEEP] = NULL;
		}
	}
	if (shared == 0)
		fail_msg("no names shared between snapshots");
	said = status_text(gen[STEPS]);
	/* The rest, newest first but the last, then every other one. */
	for (i = STEPS; i-- > STEPS - KEEP + 1;)
		if (i % 2 == 0) {
			snapshot_free(gen[i]);
			gen[i] = NULL;
		}
	for (i = STEPS; i-- > STEPS - KEEP + 1;) {
		snapshot_free(gen[i]);
		gen[i] = NULL;
	}
	again = status_text(gen[STEPS]);
	assert_string_equal(said, again);
	/* And the newest is a good base still. */
	for (step = 0; step < 10; step++) {
		struct resource_change ch;
		struct snapshot *a = NULL;
		struct snapshot *b = NULL;

		model_change(m, &ch);
		now += 11;
		a = apply(m, gen[STEPS], &ch, 1, now);
		b = full(m, gen[STEPS]->state, now);
		assert_same(a, b, STEPS + step);
		snapshot_free(b);
		snapshot_free(gen[STEPS]);
		gen[STEPS] = a;
	}
	snapshot_free(gen[STEPS]);
	free(said);
	free(again);
	state_free(st);
	model_free(m);
	free(m);
}

enum free_order { OLDEST_FIRST, NEWEST_FIRST, INTERLEAVED };

/* A plain MeshService @o of team a or b (port 80 or 81). */
static void
team_service(struct model *m, struct obj *o)
{
	free(o->yaml);
	o->yaml = fmt("type: MeshService\nname: %s\nmesh: default\n"
		      "labels: {team: %s}\n"
		      "spec:\n  ports:\n  - port: %u\n", o->name,
		      rnd(m, 2) ? "a" : "b", 80 + rnd(m, 2));
}

/* One change of a team service of @m (added, changed or removed). */
static void
team_change(struct model *m, struct resource_change *ch)
{
	struct obj *o = NULL;
	unsigned op = rnd(m, 3);
	char name[32];

	memset(ch, 0, sizeof(*ch));
	ch->kind = RESOURCE_MESH_SERVICE;
	if (op == 0) {
		snprintf(name, sizeof(name), "x%u", m->serial++);
		o = obj_add(m, RESOURCE_MESH_SERVICE, "default", name);
		ch->op = RESOURCE_ADDED;
	}
	while (o == NULL) {
		o = &m->o[rnd(m, (unsigned)m->n)];
		if (!o->live || o->kind != RESOURCE_MESH_SERVICE)
			o = NULL;
	}
	if (op == 2) {
		o->live = 0;
		ch->op = RESOURCE_REMOVED;
	} else {
		if (op == 1)
			ch->op = RESOURCE_CHANGED;
		team_service(m, o);
	}
	ch->mesh = o->mesh;
	ch->name = o->name;
}

/*
 * The blocks shared results live in (hostname.h) outlive every snapshot
 * that reaches them, in whatever order snapshots are freed: a chain of
 * applies (services added, changed, removed; a HostnameGenerator edited
 * in place, which renames the services it selects; every 25th a full
 * build), every snapshot kept, each equal to a full build when made;
 * then all freed in @order, the names of the ones left checked after
 * each free (valgrind sees any read of a freed block, and any block left
 * behind).
 */
static void
blocks_sequence(unsigned seed, enum free_order order)
{
	enum { STEPS = 70 };
	struct model *m = calloc(1, sizeof(*m));
	struct snapshot *gen[STEPS + 1];
	char *text[STEPS + 1];
	struct state *st = state_new();
	struct obj *g = NULL;
	int64_t now = 7000;
	size_t edits = 0;
	size_t incremental = 0;
	size_t i;
	unsigned step;

	assert_non_null(m);
	m->conf = conf_plain;
	m->seed = seed;
	for (i = 0; i < 40; i++) {
		char name[16];

		snprintf(name, sizeof(name), "team-%zu", i);
		team_service(m, obj_add(m, RESOURCE_MESH_SERVICE, "default",
					name));
	}
	g = obj_add(m, RESOURCE_HOSTNAME_GENERATOR, "", "edited");
	generator_yaml(g, "a", "g0");
	gen[0] = full(m, st, now);
	assert_blocks(gen[0], 0);
	text[0] = names_text(gen[0]);
	for (step = 1; step <= STEPS; step++) {
		struct resource_change ch[3];
		size_t nch = 1 + rnd(m, 2);
		const struct snapshot *p = gen[step - 1];
		struct snapshot *b = NULL;
		char suffix[16];

		for (i = 0; i < nch; i++)
			team_change(m, &ch[i]);
		if (rnd(m, 3) == 0) {
			/* The generator edited: another template and team. */
			snprintf(suffix, sizeof(suffix), "g%u", step);
			generator_yaml(g, rnd(m, 2) ? "a" : "b", suffix);
			memset(&ch[nch], 0, sizeof(ch[nch]));
			ch[nch].kind = RESOURCE_HOSTNAME_GENERATOR;
			ch[nch].op = RESOURCE_CHANGED;
			ch[nch].name = g->name;
			nch++;
			edits++;
		}
		now += 5 + rnd(m, 30);
		b = full(m, p->state, now);
		if (step % 25 == 0) {
			gen[step] = b;
		} else {
			gen[step] = apply(m, p, ch, nch, now);
			assert_same(gen[step], b, step);
			snapshot_free(b);
			incremental += gen[step]->incremental != 0;
		}
		assert_blocks(gen[step], step);
		text[step] = names_text(gen[step]);
	}
	assert_true(edits > 0);
	if (incremental < STEPS * 9 / 10)
		fail_msg("only %zu of %u steps incremental", incremental,
			 STEPS);
	for (i = 0; i <= STEPS; i++) {
		size_t at = order == OLDEST_FIRST ? i :
			    order == NEWEST_FIRST ? STEPS - i :
			    i <= STEPS / 2 ? 2 * i :
			    2 * (i - STEPS / 2 - 1) + 1;
		size_t k;

		snapshot_free(gen[at]);
		gen[at] = NULL;
		/* The ones left still say what they said. */
		for (k = 0; k <= STEPS; k++) {
			char *t = NULL;

			if (gen[k] == NULL)
				continue;
			t = names_text(gen[k]);
			if (strcmp(t, text[k]) != 0)
				fail_msg("snapshot %zu's names changed when %zu "
					 "was freed", k, at);
			free(t);
		}
	}
	for (i = 0; i <= STEPS; i++) {
		assert_null(gen[i]);
		free(text[i]);
	}
	state_free(st);
	model_free(m);
	free(m);
}

static void
test_blocks_outlive_snapshots(void **state)
{
	(void)state;
	blocks_sequence(301, OLDEST_FIRST);
	blocks_sequence(302, NEWEST_FIRST);
	blocks_sequence(303, INTERLEAVED);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_common_cases_incremental),
		cmocka_unit_test(test_random_equals_full),
		cmocka_unit_test(test_generations_shared),
		cmocka_unit_test(test_glue_and_catalog),
		cmocka_unit_test(test_store_refused),
		cmocka_unit_test(test_moved_not_reset),
		cmocka_unit_test(test_generator_edit),
		cmocka_unit_test(test_blocks_outlive_snapshots),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
