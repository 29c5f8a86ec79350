/* SPDX-License-Identifier: MIT */
/* test_resource.c -- the set: duplicates, order, labels, add and remove. */
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

#include "kuma/resource.h"
#include "resource_fx.h"

static void
test_duplicates(void **state)
{
	struct fx *f = *state;

	load_as(f, "a.yaml",
		"type: MeshService\nname: redis\n" SELECTOR
		"---\n"
		"type: MeshService\nname: redis\nmesh: other\n" SELECTOR
		"---\n"
		"type: Mesh\nname: redis\n");
	load_as(f, "b.yaml",
		"# the same again\n"
		"type: MeshService\nname: redis\nmesh: default\n" SELECTOR
		"---\n"
		"apiVersion: kuma.io/v1alpha1\nkind: MeshService\n"
		"metadata: {name: redis, namespace: ns1}\n" SELECTOR
		"---\n"
		"apiVersion: kuma.io/v1alpha1\nkind: MeshService\n"
		"metadata: {name: redis, namespace: ns1}\n" SELECTOR
		"---\n"
		"type: Mesh\nname: redis\n"
		"---\n"
		"type: HostnameGenerator\nname: redis\n"
		"spec: {selector: {meshService: {}}, template: x}\n");
	finish(f);
	assert_string_equal(diags(f),
		"b.yaml:23:1: error: duplicate Mesh \"redis\": first defined "
		"at a.yaml:14:1\n"
		"b.yaml:2:1: error: duplicate MeshService \"redis\" in mesh "
		"\"default\": first defined at a.yaml:1:1\n"
		"b.yaml:16:1: error: duplicate MeshService \"redis\" in "
		"namespace \"ns1\" in mesh \"default\": first defined at "
		"b.yaml:9:1\n");
	assert_int_equal(f->set->nmeshes, 1);
	assert_string_equal(f->set->meshes[0].meta.pos.file, "a.yaml");
	assert_int_equal(f->set->nservices, 3);
	assert_int_equal(f->set->ngenerators, 1);
	/* the first definitions are kept */
	assert_string_equal(f->set->services[0].meta.pos.file, "a.yaml");
	assert_string_equal(f->set->services[0].meta.mesh, "default");
	assert_null(f->set->services[0].meta.namespace);
	/* no namespace sorts first, then the mesh decides */
	assert_null(f->set->services[1].meta.namespace);
	assert_string_equal(f->set->services[1].meta.mesh, "other");
	assert_string_equal(f->set->services[2].meta.namespace, "ns1");
	assert_string_equal(f->set->services[2].meta.pos.file, "b.yaml");
	assert_int_equal(f->set->services[2].meta.pos.line, 9);
}

static void
test_creation_time_order(void **state)
{
	struct fx *f = *state;
	const struct resource_mesh_service *s;

	load(f, "type: MeshService\nname: c\n"
		"creationTime: 2024-05-01T10:00:00Z\n" SELECTOR
		"---\n"
		"type: MeshService\nname: b\n"
		"creationTime: 2024-05-01T12:00:00+02:00\n" SELECTOR
		"---\n"
		"type: MeshService\nname: a\n"
		"creationTime: 2024-05-01T10:00:00.5Z\n" SELECTOR
		"---\n"
		"type: MeshService\nname: z\n" SELECTOR
		"---\n"
		"type: MeshService\nname: d\n"
		"creationTime: 2023-12-31T23:59:59.9999999999z\n" SELECTOR
		"---\n"
		"type: MeshService\nname: e\n"
		"creationTime: 2000-02-29t00:00:00-00:30\n" SELECTOR);
	finish(f);
	assert_string_equal(diags(f), "");
	assert_int_equal(f->set->nservices, 6);
	s = f->set->services;
	assert_string_equal(s[0].meta.name, "z");
	assert_int_equal(s[0].meta.has_creation_time, 0);
	assert_string_equal(s[1].meta.name, "e");
	assert_true(s[1].meta.creation_ns ==
		    (951782400LL + 1800) * 1000000000LL);
	assert_string_equal(s[2].meta.name, "d");
	assert_true(s[2].meta.creation_ns == 1704067199999999999LL);
	assert_string_equal(s[3].meta.name, "b");
	assert_true(s[3].meta.creation_ns == 1714557600000000000LL);
	assert_string_equal(s[4].meta.name, "c");
	assert_true(s[4].meta.creation_ns == 1714557600000000000LL);
	assert_string_equal(s[5].meta.name, "a");
	assert_true(s[5].meta.creation_ns == 1714557600500000000LL);
}

static void
test_meta_cmp(void **state)
{
	struct fx *f = *state;
	const struct resource_mesh_service *s;

	load(f, "apiVersion: kuma.io/v1alpha1\nkind: MeshService\n"
		"metadata: {name: redis, namespace: b}\n" SELECTOR
		"---\n"
		"apiVersion: kuma.io/v1alpha1\nkind: MeshService\n"
		"metadata: {name: redis, namespace: a}\n" SELECTOR
		"---\n"
		"type: MeshService\nname: redis\nmesh: m2\n" SELECTOR
		"---\n"
		"type: MeshService\nname: redis\nmesh: m1\n" SELECTOR);
	finish(f);
	assert_string_equal(diags(f), "");
	s = f->set->services;
	assert_int_equal(f->set->nservices, 4);
	/* no namespace first, then by namespace; then by mesh */
	assert_null(s[0].meta.namespace);
	assert_string_equal(s[0].meta.mesh, "m1");
	assert_null(s[1].meta.namespace);
	assert_string_equal(s[1].meta.mesh, "m2");
	assert_string_equal(s[2].meta.namespace, "a");
	assert_string_equal(s[3].meta.namespace, "b");
	assert_true(resource_meta_cmp(&s[0].meta, &s[1].meta) < 0);
	assert_true(resource_meta_cmp(&s[3].meta, &s[2].meta) > 0);
	assert_int_equal(resource_meta_cmp(&s[2].meta, &s[2].meta), 0);
}

static void
test_labels(void **state)
{
	struct fx *f = *state;
	const struct resource_labels *l;
	char k1[] = "alpha", v1[] = "2";
	char k2[] = "flag", v2[] = "true";
	char k3[] = "zeta", v3[] = "2";
	struct resource_label wl[] = { { k1, v1 }, { k2, v2 } };
	struct resource_label wrong[] = { { k3, v3 } };
	struct resource_labels want = { wl, 2 };
	struct resource_labels want_wrong = { wrong, 1 };
	struct resource_labels want_missing = { wl, 1 };
	struct resource_labels none = { NULL, 0 };

	load(f, "type: Mesh\n"
		"name: m\n"
		"labels:\n"
		"  zeta: \"1\"\n"
		"  alpha: 2\n"
		"  flag: true\n"
		"  empty:\n"
		"  kuma.io/display-name: shown\n");
	finish(f);
	assert_string_equal(diags(f), "");
	l = &f->set->meshes[0].meta.labels;
	assert_int_equal(l->n, 5);
	assert_string_equal(l->v[0].key, "alpha");
	assert_string_equal(l->v[1].key, "empty");
	assert_string_equal(l->v[2].key, "flag");
	assert_string_equal(l->v[3].key, "kuma.io/display-name");
	assert_string_equal(l->v[4].key, "zeta");
	assert_string_equal(resource_labels_get(l, "alpha"), "2");
	assert_string_equal(resource_labels_get(l, "flag"), "true");
	assert_string_equal(resource_labels_get(l, "empty"), "");
	assert_string_equal(resource_labels_get(l, "zeta"), "1");
	assert_null(resource_labels_get(l, "beta"));
	assert_null(resource_labels_get(&none, "alpha"));

	assert_true(resource_labels_match(l, &want));
	assert_true(resource_labels_match(l, &none));
	assert_true(resource_labels_match(&none, &none));
	assert_false(resource_labels_match(l, &want_wrong));	/* 1 != 2 */
	assert_false(resource_labels_match(&none, &want_missing));

	assert_string_equal(resource_display_name(&f->set->meshes[0].meta),
			    "shown");
	assert_string_equal(resource_name(&f->set->meshes[0].meta), "m");
}

#define DP_NET "networking: {address: 10.0.0.1, inbound: [{port: 80}]}\n"

static void
test_duplicates_new_kinds(void **state)
{
	struct fx *f = *state;

	load(f, "type: Dataplane\nname: dp\n" DP_NET
		"---\n"
		"type: Dataplane\nname: dp\nmesh: other\n" DP_NET
		"---\n"
		"type: Dataplane\nname: dp\nmesh: default\n" DP_NET
		"---\n"
		"apiVersion: v1\nkind: Service\nmetadata: {name: redis}\n"
		"---\n"
		"apiVersion: v1\nkind: Service\n"
		"metadata: {name: redis, namespace: default}\n"
		"---\n"
		"apiVersion: v1\nkind: Service\n"
		"metadata: {name: redis, namespace: other}\n"
		"---\n"
		"apiVersion: v1\nkind: Namespace\nmetadata: {name: ns1}\n"
		"---\n"
		"apiVersion: v1\nkind: Namespace\nmetadata: {name: ns1}\n"
		"---\n"
		"apiVersion: v1\nkind: Pod\nmetadata: {name: ns1}\n"
		"---\n"
		"type: MeshService\nname: redis\n"
		"labels: {kuma.io/origin: global, kuma.io/zone: west}\n"
		SELECTOR
		"---\n"
		"type: MeshService\nname: redis\n"
		"labels: {kuma.io/origin: global, kuma.io/zone: east}\n"
		SELECTOR
		"---\n"
		"type: MeshService\nname: redis\n" SELECTOR
		"---\n"
		"type: MeshService\nname: redis\n"
		"labels: {kuma.io/origin: global, kuma.io/zone: west}\n"
		SELECTOR
		"---\n"
		"type: MeshExternalService\nname: db\n"
		"spec: {match: {port: 5432}}\n"
		"---\n"
		"type: MeshExternalService\nname: db\n"
		"spec: {match: {port: 5432}}\n"
		"---\n"
		"type: MeshMultiZoneService\nname: mz\n"
		"spec: {selector: {meshService: {matchLabels: {a: b}}}, "
		"ports: [{port: 80}]}\n"
		"---\n"
		"type: MeshMultiZoneService\nname: mz\n"
		"spec: {selector: {meshService: {matchLabels: {a: b}}}, "
		"ports: [{port: 80}]}\n");
	finish(f);
	/* in kind order, then in load order */
	assert_string_equal(diags(f),
		"t.yaml:59:1: error: duplicate MeshService \"redis\" from zone "
		"\"west\" in mesh \"default\": first defined at t.yaml:39:1\n"
		"t.yaml:70:1: error: duplicate MeshExternalService \"db\" in mesh "
		"\"default\": first defined at t.yaml:66:1\n"
		"t.yaml:78:1: error: duplicate MeshMultiZoneService \"mz\" in "
		"mesh \"default\": first defined at t.yaml:74:1\n"
		"t.yaml:10:1: error: duplicate Dataplane \"dp\" in mesh "
		"\"default\": first defined at t.yaml:1:1\n"
		"t.yaml:19:1: error: duplicate Service \"redis\" in namespace "
		"\"default\": first defined at t.yaml:15:1\n"
		"t.yaml:31:1: error: duplicate Namespace \"ns1\": first defined "
		"at t.yaml:27:1\n");
	assert_int_equal(f->set->nservices, 3);
	assert_int_equal(f->set->nexternal_services, 1);
	assert_int_equal(f->set->nmultizone_services, 1);
	assert_int_equal(f->set->ndataplanes, 2);
	assert_string_equal(f->set->dataplanes[0].address, "10.0.0.1");
	assert_string_equal(f->set->dataplanes[0].meta.mesh, "default");
	assert_string_equal(f->set->dataplanes[1].meta.mesh, "other");
	assert_int_equal(f->set->nk8s_services, 2);
	assert_string_equal(f->set->k8s_services[0].meta.namespace, "default");
	assert_int_equal(f->set->k8s_services[0].meta.pos.line, 15);
	assert_string_equal(f->set->k8s_services[1].meta.namespace, "other");
	assert_int_equal(f->set->nnamespaces, 1);
	assert_int_equal(f->set->npods, 1);
}

/* Which Dataplanes a MeshService selects (status.dataplaneProxies). */
static void
test_service_selects(void **state)
{
	struct fx *f = *state;
	const struct resource_mesh_service *ms = NULL;
	size_t i;
	/* per MeshService (name order), Dataplanes a, b, c selected */
	static const char *const want[] = { "010", "110", "000", "100", "010" };

	load(f, "type: Dataplane\nmesh: default\nname: a\n"
		"labels: {app: web}\n"
		"networking:\n  address: 10.0.0.1\n  inbound:\n"
		"  - {port: 80, tags: {kuma.io/service: web, v: \"1\"}}\n"
		"---\n"
		"type: Dataplane\nmesh: default\nname: b\n"
		"labels: {app: web}\n"
		"networking:\n  address: 10.0.0.2\n  inbound:\n"
		"  - {port: 80, tags: {kuma.io/service: web}}\n"
		"  - {port: 81, tags: {kuma.io/service: web, v: \"2\"}}\n"
		"---\n"
		"type: Dataplane\nmesh: other\nname: c\n"
		"labels: {app: web}\n"
		"networking:\n  address: 10.0.0.3\n  inbound:\n"
		"  - {port: 80, tags: {kuma.io/service: web}}\n"
		/* tags of one inbound */
		"---\ntype: MeshService\nname: s1\nmesh: default\nspec:\n"
		"  selector: {dataplaneTags: {kuma.io/service: web, v: \"2\"}}\n"
		/* labels, same mesh only */
		"---\ntype: MeshService\nname: s2\nmesh: default\nspec:\n"
		"  selector: {dataplaneLabels: {matchLabels: {app: web}}}\n"
		/* no selector: nothing */
		"---\ntype: MeshService\nname: s3\nmesh: default\nspec: {}\n"
		/* a name */
		"---\ntype: MeshService\nname: s4\nmesh: default\nspec:\n"
		"  selector: {dataplaneRef: {name: a}}\n"
		/* a subset of one inbound's tags */
		"---\ntype: MeshService\nname: s5\nmesh: default\nspec:\n"
		"  selector: {dataplaneTags: {v: \"2\"}}\n");
	finish(f);
	assert_int_equal(f->errs.errors, 0);
	assert_int_equal(f->set->nservices, 5);
	assert_int_equal(f->set->ndataplanes, 3);
	for (i = 0; i < 5; i++) {
		char got[4] = "";
		size_t d;

		ms = &f->set->services[i];
		for (d = 0; d < 3; d++)
			got[d] = resource_mesh_service_selects(ms,
				&f->set->dataplanes[d]) ? '1' : '0';
		assert_string_equal(got, want[i]);
	}
}

static void
test_kind_names(void **state)
{
	static const char *const names[RESOURCE_KIND_COUNT] = {
		"Mesh", "MeshService", "HostnameGenerator",
		"MeshExternalService", "MeshMultiZoneService", "Dataplane",
		"Service", "EndpointSlice", "Namespace", "Pod",
	};
	int k;

	(void)state;
	for (k = 0; k < RESOURCE_KIND_COUNT; k++)
		assert_string_equal(resource_kind_name((enum resource_kind)k),
				    names[k]);
	assert_string_equal(resource_kind_name(RESOURCE_KIND_COUNT), "unknown");
}

static void
test_labels_set(void **state)
{
	struct resource_labels l = { NULL, 0 };

	(void)state;
	assert_int_equal(resource_labels_set(&l, "b", "1"), 0);
	assert_int_equal(resource_labels_set(&l, "d", "2"), 0);
	assert_int_equal(resource_labels_set(&l, "a", "3"), 0);
	assert_int_equal(resource_labels_set(&l, "c", "4"), 0);
	assert_int_equal(resource_labels_set(&l, "b", "replaced"), 0);
	assert_int_equal(l.n, 4);
	assert_string_equal(l.v[0].key, "a");
	assert_string_equal(l.v[1].key, "b");
	assert_string_equal(l.v[1].value, "replaced");
	assert_string_equal(l.v[2].key, "c");
	assert_string_equal(l.v[3].key, "d");
	assert_string_equal(l.v[3].value, "2");
	assert_string_equal(resource_labels_get(&l, "c"), "4");
	while (l.n > 0) {
		l.n--;
		free(l.v[l.n].key);
		free(l.v[l.n].value);
	}
	free(l.v);
}

static char *
xstrdup(const char *s)
{
	char *d = strdup(s);

	assert_non_null(d);
	return d;
}

static void
test_new_and_remove(void **state)
{
	struct fx *f = *state;
	struct resource_mesh_service *ms;
	struct resource_hostname_generator *g;
	char name[16];
	int i;

	load(f, "type: MeshService\nname: written\n"
		"creationTime: 2024-05-01T10:00:00Z\n" SELECTOR
		"---\n"
		"type: HostnameGenerator\nname: hg-b\n"
		"spec: {selector: {meshService: {}}, template: x}\n"
		"---\n"
		"type: MeshMultiZoneService\nname: mz\n"
		"spec: {selector: {meshService: {matchLabels: {a: b}}}, "
		"ports: [{port: 80}]}\n");
	finish(f);
	assert_string_equal(diags(f), "");

	/* past the first capacity: pointers from earlier calls move */
	for (i = 39; i >= 0; i--) {
		ms = resource_set_new_service(f->set);
		assert_non_null(ms);
		assert_int_equal(ms->meta.kind, RESOURCE_MESH_SERVICE);
		assert_null(ms->meta.name);
		assert_int_equal(ms->selector, RESOURCE_SELECTOR_NONE);
		assert_int_equal(ms->nports, 0);
		assert_null(ms->spec);
		snprintf(name, sizeof(name), "gen-%02d", i);
		ms->meta.name = xstrdup(name);
		ms->meta.mesh = resource_mesh_intern("default");
		ms->origin = RESOURCE_FROM_DATAPLANES;
		assert_int_equal(resource_labels_set(&ms->meta.labels,
				 "kuma.io/managed-by", "meshservice-generator"),
				 0);
	}
	assert_int_equal(f->set->nservices, 41);
	assert_string_equal(f->set->services[0].meta.name, "written");
	assert_string_equal(f->set->services[1].meta.name, "gen-39");

	/* Kuma's order again: no creation time first, then by name */
	resource_set_sort(f->set);
	for (i = 0; i < 40; i++) {
		snprintf(name, sizeof(name), "gen-%02d", i);
		assert_string_equal(f->set->services[i].meta.name, name);
		assert_int_equal(f->set->services[i].origin,
				 RESOURCE_FROM_DATAPLANES);
	}
	assert_string_equal(f->set->services[40].meta.name, "written");

	/* removing keeps the order of the others */
	resource_set_remove_service(f->set, 0);
	resource_set_remove_service(f->set, 10);	/* gen-11 */
	resource_set_remove_service(f->set, 38);	/* the last: written */
	resource_set_remove_service(f->set, 38);	/* out of range */
	resource_set_remove_service(f->set, 1000);
	assert_int_equal(f->set->nservices, 38);
	assert_string_equal(f->set->services[0].meta.name, "gen-01");
	assert_string_equal(f->set->services[9].meta.name, "gen-10");
	assert_string_equal(f->set->services[10].meta.name, "gen-12");
	assert_string_equal(f->set->services[37].meta.name, "gen-39");

	g = resource_set_new_generator(f->set);
	assert_non_null(g);
	assert_int_equal(g->meta.kind, RESOURCE_HOSTNAME_GENERATOR);
	g->meta.name = xstrdup("hg-c");
	g->target = RESOURCE_MESH_SERVICE;
	g->template = xstrdup("{{ .DisplayName }}.svc.mesh.local");
	g = resource_set_new_generator(f->set);
	assert_non_null(g);
	g->meta.name = xstrdup("hg-a");
	resource_set_sort(f->set);
	assert_int_equal(f->set->ngenerators, 3);
	assert_string_equal(f->set->generators[0].meta.name, "hg-a");
	assert_string_equal(f->set->generators[1].meta.name, "hg-b");
	assert_string_equal(f->set->generators[2].meta.name, "hg-c");
	resource_set_remove_generator(f->set, 1);
	assert_int_equal(f->set->ngenerators, 2);
	assert_string_equal(f->set->generators[0].meta.name, "hg-a");
	assert_string_equal(f->set->generators[1].meta.name, "hg-c");
	/* teardown frees it all; the sanitizer checks nothing leaks */
}

static void
test_compute_labels_external(void **state)
{
	struct fx *f = *state;
	const struct resource_labels *l;

	load(f, "type: MeshExternalService\nname: aurora\n"
		"spec: {match: {port: 5432}}\n"
		"---\n"
		"apiVersion: kuma.io/v1alpha1\nkind: MeshExternalService\n"
		"metadata:\n  name: httpbin\n  namespace: kuma-system\n"
		"  labels: {kuma.io/origin: global}\n"
		"spec: {match: {port: 80}}\n");
	finish(f);
	assert_string_equal(diags(f), "");
	assert_int_equal(resource_set_compute_labels(f->set, "east"), 0);

	l = &f->set->external_services[0].meta.labels;
	assert_int_equal(l->n, 5);
	assert_string_equal(resource_labels_get(l, "kuma.io/origin"), "zone");
	assert_string_equal(resource_labels_get(l, "kuma.io/zone"), "east");
	assert_string_equal(resource_labels_get(l, "kuma.io/mesh"), "default");
	assert_string_equal(resource_labels_get(l, "kuma.io/display-name"),
			    "aurora");
	assert_string_equal(resource_labels_get(l, "kuma.io/env"),
			    "universal");

	/*
	 * Labels written in the input win.  A synced copy gets no zone, and
	 * no env or namespace from where it is stored here (kuma-system):
	 * those are its origin zone's, and its labels carry them.
	 */
	l = &f->set->external_services[1].meta.labels;
	assert_int_equal(l->n, 3);
	assert_string_equal(resource_labels_get(l, "kuma.io/origin"), "global");
	assert_null(resource_labels_get(l, "kuma.io/zone"));
	assert_null(resource_labels_get(l, "kuma.io/env"));
	assert_null(resource_labels_get(l, "k8s.kuma.io/namespace"));
}

/*
 * Kuma refuses a mesh-scoped resource whose Mesh does not exist; "default"
 * always exists (the control plane creates it).
 */
static void
test_check_meshes(void **state)
{
	struct fx *f = *state;

	load(f, "type: Mesh\nname: payments\n"
	     "---\n"
	     "type: MeshService\nname: redis\nmesh: payments\n" SELECTOR
	     "---\n"
	     "type: MeshService\nname: redis\nmesh: default\n" SELECTOR
	     "---\n"
	     "type: MeshService\nname: web\nmesh: shop\n" SELECTOR
	     "---\n"
	     "type: Dataplane\nname: dp\nmesh: shop\n"
	     "networking:\n  address: 10.0.0.1\n"
	     "  inbound: [{port: 80, tags: {kuma.io/service: web}}]\n"
	     "---\n"
	     "apiVersion: kuma.io/v1alpha1\nkind: MeshExternalService\n"
	     "metadata: {name: aurora, namespace: kuma-system, "
	     "labels: {kuma.io/mesh: shop}}\n"
	     "spec: {match: {type: HostnameGenerator, port: 5432, "
	     "protocol: tcp}, endpoints: [{address: a.example, port: 5432}]}\n"
	     "---\n"
	     "apiVersion: kuma.io/v1alpha1\nkind: MeshService\n"
	     "metadata: {name: web, namespace: shop, "
	     "labels: {kuma.io/mesh: shop}}\n"
	     "spec: {selector: {dataplaneTags: {app: web}}, "
	     "ports: [{port: 80, targetPort: 80}]}\n");
	finish(f);
	assert_string_equal(diags(f), "");
	assert_int_equal(resource_set_check_meshes(f->set, &f->errs), 0);
	assert_string_equal(diags(f),
		"t.yaml:25:1: error: Dataplane \"dp\": mesh of name shop is "
		"not found\n"
		"t.yaml:18:1: error: MeshService \"web\": mesh of name shop "
		"is not found\n"
		"t.yaml:37:1: warning: MeshService \"web\": mesh \"shop\" has "
		"no Mesh resource: no proxy of that mesh can use it\n"
		"t.yaml:32:1: error: MeshExternalService \"aurora\": "
		"meshes.kuma.io \"shop\" not found\n");
	assert_int_equal(f->set->nservices, 3);
	assert_int_equal(f->set->ndataplanes, 0);
	assert_int_equal(f->set->nexternal_services, 0);
	assert_int_equal(f->set->nmeshes, 1);
}

/*
 * Mesh names are interned: resources of one mesh share one pointer, also
 * across files and threads' loads, and the same name asked for again is
 * that pointer; another mesh has another.
 */
static void
test_mesh_interned(void **state)
{
	struct fx *f = *state;
	const char *d = resource_mesh_intern("default");
	char buf[16];

	load_as(f, "a.yaml",
		"type: MeshService\nname: a\n" SELECTOR
		"---\n"
		"type: MeshService\nname: b\nmesh: other\n" SELECTOR);
	load_as(f, "b.yaml",
		"type: MeshService\nname: c\nmesh: default\n" SELECTOR
		"---\n"
		"apiVersion: kuma.io/v1alpha1\nkind: MeshService\n"
		"metadata: {name: d, namespace: ns1}\n" SELECTOR);
	finish(f);
	assert_int_equal(f->set->nservices, 4);
	assert_non_null(d);
	assert_string_equal(d, "default");
	/* In Kuma's order: a, b (other), c, d (ns1). */
	assert_string_equal(f->set->services[1].meta.name, "b");
	assert_ptr_equal(f->set->services[0].meta.mesh, d);
	assert_ptr_equal(f->set->services[2].meta.mesh, d);
	assert_ptr_equal(f->set->services[3].meta.mesh, d);
	assert_string_equal(f->set->services[1].meta.mesh, "other");
	assert_ptr_equal(f->set->services[1].meta.mesh,
			 resource_mesh_intern("other"));
	assert_ptr_not_equal(d, resource_mesh_intern("other"));
	/* Another buffer with the same bytes: the same pointer. */
	snprintf(buf, sizeof(buf), "%s", "default");
	assert_ptr_equal(resource_mesh_intern(buf), d);
	assert_null(resource_mesh_intern(NULL));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_duplicates, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_creation_time_order, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_meta_cmp, setup, teardown),
		cmocka_unit_test_setup_teardown(test_labels, setup, teardown),
		cmocka_unit_test_setup_teardown(test_duplicates_new_kinds,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_service_selects, setup,
						teardown),
		cmocka_unit_test(test_kind_names),
		cmocka_unit_test(test_labels_set),
		cmocka_unit_test_setup_teardown(test_new_and_remove, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_compute_labels_external,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_check_meshes, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_mesh_interned, setup,
						teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
