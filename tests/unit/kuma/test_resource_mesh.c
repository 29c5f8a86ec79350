/* SPDX-License-Identifier: MIT */
/* test_resource_mesh.c -- Mesh, MeshService, HostnameGenerator, MES and MZS. */
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

/* The MeshService example of the Kuma docs (meshservice-doc.md). */
static const char docs_example[] =
	"type: MeshService\n"
	"name: redis\n"
	"mesh: default\n"
	"labels:\n"
	"  team: db-operators\n"
	"spec:\n"
	"  selector:\n"
	"    dataplaneTags: # tags in Dataplane object, see below\n"
	"      app: redis\n"
	"      k8s.kuma.io/namespace: redis-system # added automatically\n"
	"  ports:\n"
	"  - port: 6739\n"
	"    targetPort: 6739\n"
	"    appProtocol: tcp\n"
	"  - name: some-port\n"
	"    port: 16739\n"
	"    targetPort: target-port-from-container # name of the inbound\n"
	"    appProtocol: tcp\n"
	"status:\n"
	"  addresses:\n"
	"  - hostname: redis.mesh\n"
	"    origin: HostnameGenerator\n"
	"    hostnameGeneratorRef:\n"
	"      coreName: kmy-hostname-generator\n"
	"  vips:\n"
	"  - ip: 10.0.1.1 # kuma VIP or Kubernetes cluster IP\n";

static void
test_docs_example(void **state)
{
	struct fx *f = *state;
	const struct resource_mesh_service *ms;

	load(f, docs_example);
	finish(f);
	assert_string_equal(diags(f), "");
	assert_int_equal(f->set->nservices, 1);
	ms = &f->set->services[0];
	assert_int_equal(ms->meta.kind, RESOURCE_MESH_SERVICE);
	assert_int_equal(ms->meta.shape, RESOURCE_SHAPE_UNIVERSAL);
	assert_string_equal(ms->meta.name, "redis");
	assert_string_equal(ms->meta.mesh, "default");
	assert_null(ms->meta.namespace);
	assert_int_equal(ms->meta.has_creation_time, 0);
	assert_string_equal(ms->meta.pos.file, "t.yaml");
	assert_int_equal(ms->meta.pos.line, 1);
	assert_int_equal(ms->meta.pos.column, 1);
	assert_int_equal(ms->meta.labels.n, 1);
	assert_string_equal(ms->meta.labels.v[0].key, "team");
	assert_string_equal(ms->meta.labels.v[0].value, "db-operators");

	assert_int_equal(ms->selector, RESOURCE_SELECTOR_DATAPLANE_TAGS);
	assert_int_equal(ms->selector_labels.n, 2);
	assert_string_equal(ms->selector_labels.v[0].key, "app");
	assert_string_equal(ms->selector_labels.v[0].value, "redis");
	assert_string_equal(ms->selector_labels.v[1].key,
			    "k8s.kuma.io/namespace");
	assert_string_equal(ms->selector_labels.v[1].value, "redis-system");
	assert_null(ms->selector_ref);

	assert_int_equal(ms->nports, 2);
	assert_null(ms->ports[0].name);
	assert_int_equal(ms->ports[0].port, 6739);
	assert_int_equal(ms->ports[0].has_target, 1);
	assert_int_equal(ms->ports[0].target_is_name, 0);
	assert_int_equal(ms->ports[0].target_port, 6739);
	assert_string_equal(ms->ports[0].app_protocol, "tcp");
	assert_int_equal(ms->ports[0].pos.line, 12);
	assert_int_equal(ms->ports[0].pos.column, 5);
	assert_string_equal(ms->ports[1].name, "some-port");
	assert_int_equal(ms->ports[1].port, 16739);
	assert_int_equal(ms->ports[1].has_target, 1);
	assert_int_equal(ms->ports[1].target_is_name, 1);
	assert_string_equal(ms->ports[1].target_name,
			    "target-port-from-container");
	assert_int_equal(ms->ports[1].pos.line, 15);

	assert_null(ms->state);
	assert_int_equal(ms->nvips, 1);
	assert_string_equal(ms->vips[0], "10.0.1.1");
	assert_int_equal(ms->vips_pos.line, 26);
	assert_int_equal(ms->vips_pos.column, 3);
	assert_non_null(ms->spec);
	assert_int_equal(ms->spec->type, YAMLX_MAP);
	assert_int_equal(ms->spec->line, 7);
}

static void
test_hostname_generators(void **state)
{
	struct fx *f = *state;
	const struct resource_hostname_generator *g;

	load(f, "type: HostnameGenerator\n"
		"name: local-universal-mesh-service\n"
		"labels: {kuma.io/origin: zone}\n"
		"spec:\n"
		"  selector:\n"
		"    meshService:\n"
		"      matchLabels: {kuma.io/origin: zone}\n"
		"  template: \"{{ .DisplayName }}.svc.mesh.local\"\n"
		"---\n"
		"type: HostnameGenerator\n"
		"name: local-mesh-external-service\n"
		"spec:\n"
		"  selector:\n"
		"    meshExternalService: {}\n"
		"  template: '{{ .DisplayName }}.extsvc.mesh.local'\n");
	finish(f);
	assert_string_equal(diags(f), "");
	assert_int_equal(f->set->ngenerators, 2);

	g = &f->set->generators[0];
	assert_string_equal(g->meta.name, "local-mesh-external-service");
	assert_int_equal(g->target, RESOURCE_MESH_EXTERNAL_SERVICE);
	assert_int_equal(g->match.n, 0);
	assert_int_equal(g->template_pos.line, 15);
	assert_int_equal(g->template_pos.column, 13);

	g = &f->set->generators[1];
	assert_string_equal(g->meta.name, "local-universal-mesh-service");
	assert_int_equal(g->meta.shape, RESOURCE_SHAPE_UNIVERSAL);
	assert_null(g->meta.mesh);
	assert_null(g->meta.namespace);
	assert_int_equal(g->target, RESOURCE_MESH_SERVICE);
	assert_int_equal(g->match.n, 1);
	assert_string_equal(g->template, "{{ .DisplayName }}.svc.mesh.local");
	assert_string_equal(g->template_pos.file, "t.yaml");
	assert_int_equal(g->template_pos.line, 8);
	assert_int_equal(g->template_pos.column, 13);
	assert_string_equal(resource_labels_get(&g->meta.labels,
						"kuma.io/origin"), "zone");
}

static void
test_mesh_modes(void **state)
{
	struct fx *f = *state;
	const struct resource_mesh *m;

	load(f, "type: Mesh\n"
		"name: plain\n"
		"---\n"
		"type: Mesh\n"
		"name: exclusive\n"
		"mtls: {enabledBackend: ca-1}\n"
		"meshServices:\n"
		"  mode: Exclusive\n"
		"---\n"
		"type: Mesh\n"
		"name: disabled\n"
		"meshServices: {mode: Disabled}\n"
		"---\n"
		"apiVersion: kuma.io/v1alpha1\n"
		"kind: Mesh\n"
		"metadata: {name: kube}\n"
		"spec:\n"
		"  meshServices: {mode: Everywhere}\n"
		"  mtls: {}\n");
	finish(f);
	assert_string_equal(diags(f), "");
	assert_int_equal(f->set->nmeshes, 4);
	m = f->set->meshes;
	assert_string_equal(m[0].meta.name, "disabled");
	assert_int_equal(m[0].has_mode, 1);
	assert_int_equal(m[0].mode, RESOURCE_MESH_MODE_DISABLED);
	assert_string_equal(m[1].meta.name, "exclusive");
	assert_int_equal(m[1].has_mode, 1);
	assert_int_equal(m[1].mode, RESOURCE_MESH_MODE_EXCLUSIVE);
	assert_null(m[1].meta.mesh);
	assert_string_equal(m[2].meta.name, "kube");
	assert_int_equal(m[2].meta.shape, RESOURCE_SHAPE_KUBERNETES);
	assert_int_equal(m[2].has_mode, 1);
	assert_int_equal(m[2].mode, RESOURCE_MESH_MODE_EVERYWHERE);
	assert_string_equal(m[3].meta.name, "plain");
	assert_int_equal(m[3].has_mode, 0);

	assert_string_equal(resource_mesh_mode_name(RESOURCE_MESH_MODE_DISABLED),
			    "Disabled");
	assert_string_equal(resource_mesh_mode_name(
				    RESOURCE_MESH_MODE_REACHABLE_BACKENDS),
			    "ReachableBackends");
	assert_string_equal(resource_mesh_mode_name(RESOURCE_MESH_MODE_EXCLUSIVE),
			    "Exclusive");
	assert_string_equal(resource_kind_name(RESOURCE_HOSTNAME_GENERATOR),
			    "HostnameGenerator");
	assert_string_equal(resource_kind_name(RESOURCE_MESH_MULTI_ZONE_SERVICE),
			    "MeshMultiZoneService");
}

static void
test_accepted_values(void **state)
{
	struct fx *f = *state;
	const struct resource_mesh_service *ms;

	load(f, "type: MeshService\n"
		"name: " "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" "\n"
		"labels:\n"
		"  kuma.io/display-name: a1-b2\n"
		"spec:\n"
		"  selector:\n"
		"    dataplaneLabels: {matchLabels: {}}\n"
		"  state: Available\n"
		"  ports:\n"
		"  - port: 1\n"
		"    targetPort: 65535\n"
		"    appProtocol: GRPC\n"
		"  - port: 65535\n"
		"    appProtocol: \"\"\n");
	finish(f);
	assert_string_equal(diags(f), "");
	assert_int_equal(f->set->nservices, 1);
	ms = &f->set->services[0];
	assert_int_equal(strlen(ms->meta.name), 63);
	assert_string_equal(resource_display_name(&ms->meta), "a1-b2");
	assert_int_equal(ms->selector, RESOURCE_SELECTOR_DATAPLANE_LABELS);
	assert_int_equal(ms->selector_labels.n, 0);
	assert_string_equal(ms->state, "Available");
	assert_int_equal(ms->ports[0].port, 1);
	assert_int_equal(ms->ports[0].target_port, 65535);
	assert_string_equal(ms->ports[0].app_protocol, "GRPC");
	assert_int_equal(ms->ports[1].port, 65535);
	assert_int_equal(ms->ports[1].has_target, 0);
	assert_null(ms->ports[1].app_protocol);
}

static void
test_no_selector_warning(void **state)
{
	struct fx *f = *state;

	load(f, "type: MeshService\nname: a\nspec:\n  ports:\n  - port: 80\n"
		"---\n"
		"type: MeshService\nname: b\nspec:\n  selector: {}\n"
		"---\n"
		"type: MeshService\nname: c\n"
		"---\n"
		"apiVersion: kuma.io/v1alpha1\nkind: MeshService\n"
		"metadata:\n  name: x\n"
		"  labels: {kuma.io/display-name: d}\n");
	finish(f);
	assert_string_equal(diags(f),
		"t.yaml:3:1: warning: MeshService resource 'a' has no selector, "
		"so it matches no data plane proxies. Set "
		"'spec.selector.dataplaneRef' or "
		"'spec.selector.dataplaneLabels'.\n"
		"t.yaml:10:3: warning: MeshService resource 'b' has no "
		"selector, so it matches no data plane proxies. Set "
		"'spec.selector.dataplaneRef' or "
		"'spec.selector.dataplaneLabels'.\n"
		"t.yaml:12:1: warning: MeshService resource 'c' has no "
		"selector, so it matches no data plane proxies. Set "
		"'spec.selector.dataplaneRef' or "
		"'spec.selector.dataplaneLabels'.\n"
		"t.yaml:15:1: warning: MeshService resource 'd' has no "
		"selector, so it matches no data plane proxies. Set "
		"'spec.selector.dataplaneRef' or "
		"'spec.selector.dataplaneLabels'.\n");
	assert_int_equal(f->set->nservices, 4);
	assert_int_equal(f->set->services[0].selector, RESOURCE_SELECTOR_NONE);
}

static void
test_rfc1035(void **state)
{
	static const struct {
		const char *name;
		int err;	/* 0 valid, 1 too long, 2 format */
	} cases[] = {
		{ "redis", 0 }, { "a", 0 }, { "a-1", 0 }, { "a--b", 0 },
		{ NAME64 + 1, 0 }, { NAME64, 1 }, { "", 2 }, { "1abc", 2 },
		{ "abc-", 2 }, { "-abc", 2 }, { "Redis", 2 }, { "a_b", 2 },
		{ "a.b", 2 }, { "a b", 2 },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *e = resource_rfc1035_label_error(cases[i].name);

		if (cases[i].err == 0)
			assert_null(e);
		else if (cases[i].err == 1)
			assert_string_equal(e,
					    "must be no more than 63 characters");
		else
			assert_string_equal(e, DNS1035_MSG);
	}
}

static void
test_external_and_multizone(void **state)
{
	struct fx *f = *state;
	const struct resource_mesh_external_service *es;
	const struct resource_mesh_multi_zone_service *mz;

	load(f, "type: MeshExternalService\n"
		"name: aurora\n"
		"mesh: default\n"
		"labels: {kuma.io/origin: zone}\n"
		"spec:\n"
		"  match:\n"
		"    type: HostnameGenerator\n"
		"    port: 5432\n"
		"    protocol: grpc\n"
		"  endpoints:\n"
		"  - address: aurora.example.com\n"
		"    port: 5432\n"
		"  - {address: 10.1.0.1, port: 5432, priority: 1}\n"
		"  - {address: \"unix:///run/pg.sock\"}\n"
		"  tls: {enabled: true, verification: {mode: SkipCA}}\n"
		"status:\n"
		"  vip: {ip: 242.0.0.1}\n"
		"  addresses: [{hostname: aurora.extsvc.mesh.local}]\n"
		"---\n"
		"apiVersion: kuma.io/v1alpha1\n"
		"kind: MeshExternalService\n"
		"metadata:\n"
		"  name: httpbin\n"
		"  namespace: kuma-system\n"
		"  labels: {kuma.io/mesh: prod}\n"
		"spec:\n"
		"  match: {port: 80}\n"
		"  extension:\n"
		"    type: my-plugin\n"
		"    config: {anything: [1, 2]}\n"
		"  endpoints: [{address: \"the extension checks this!\"}]\n"
		"---\n"
		"type: MeshMultiZoneService\n"
		"name: redis\n"
		"mesh: default\n"
		"labels: {kuma.io/origin: global, kuma.io/display-name: redis}\n"
		"spec:\n"
		"  selector:\n"
		"    meshService:\n"
		"      matchLabels: {kuma.io/display-name: redis}\n"
		"  ports:\n"
		"  - port: 6379\n"
		"    appProtocol: tcp\n"
		"  - name: admin\n"
		"    port: 8080\n"
		"    appProtocol: http\n"
		"status:\n"
		"  vips: [{ip: 243.0.0.1}]\n"
		"  meshServices: [{name: redis, zone: east}]\n"
		"---\n"
		"apiVersion: kuma.io/v1alpha1\n"
		"kind: MeshMultiZoneService\n"
		"metadata:\n"
		"  name: web\n"
		"  namespace: kuma-system\n"
		"  labels: {kuma.io/mesh: prod}\n"
		"spec:\n"
		"  selector: {meshService: {matchLabels: {app: web}}}\n"
		"  ports: [{port: 80}]\n");
	finish(f);
	assert_string_equal(diags(f), "");

	assert_int_equal(f->set->nexternal_services, 2);
	es = &f->set->external_services[0];
	assert_int_equal(es->meta.kind, RESOURCE_MESH_EXTERNAL_SERVICE);
	assert_string_equal(es->meta.name, "aurora");
	assert_string_equal(es->meta.mesh, "default");
	assert_int_equal(es->port, 5432);
	assert_string_equal(es->protocol, "grpc");
	assert_string_equal(es->vip, "242.0.0.1");
	assert_non_null(es->spec);
	assert_int_equal(es->spec->line, 6);
	es = &f->set->external_services[1];
	assert_string_equal(es->meta.name, "httpbin");
	assert_int_equal(es->meta.shape, RESOURCE_SHAPE_KUBERNETES);
	assert_string_equal(es->meta.mesh, "prod");
	assert_string_equal(es->meta.namespace, "kuma-system");
	assert_int_equal(es->port, 80);
	assert_string_equal(es->protocol, "tcp");	/* the default */
	assert_null(es->vip);

	assert_int_equal(f->set->nmultizone_services, 2);
	mz = &f->set->multizone_services[0];
	assert_int_equal(mz->meta.kind, RESOURCE_MESH_MULTI_ZONE_SERVICE);
	assert_string_equal(mz->meta.name, "redis");
	assert_string_equal(mz->meta.mesh, "default");
	assert_int_equal(mz->selector.n, 1);
	assert_string_equal(mz->selector.v[0].key, "kuma.io/display-name");
	assert_string_equal(mz->selector.v[0].value, "redis");
	assert_int_equal(mz->nports, 2);
	assert_null(mz->ports[0].name);
	assert_int_equal(mz->ports[0].port, 6379);
	assert_string_equal(mz->ports[0].app_protocol, "tcp");
	assert_string_equal(mz->ports[1].name, "admin");
	assert_int_equal(mz->ports[1].port, 8080);
	assert_string_equal(mz->ports[1].app_protocol, "http");
	assert_int_equal(mz->nvips, 1);
	assert_string_equal(mz->vips[0], "243.0.0.1");
	assert_int_equal(mz->spec->line, 38);
	mz = &f->set->multizone_services[1];
	assert_string_equal(mz->meta.name, "web");
	assert_string_equal(mz->meta.mesh, "prod");
	assert_string_equal(mz->meta.namespace, "kuma-system");
	assert_int_equal(mz->nports, 1);
	assert_int_equal(mz->nvips, 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_docs_example, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_hostname_generators, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_mesh_modes, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_accepted_values, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_no_selector_warning, setup,
						teardown),
		cmocka_unit_test(test_rfc1035),
		cmocka_unit_test_setup_teardown(test_external_and_multizone,
						setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
