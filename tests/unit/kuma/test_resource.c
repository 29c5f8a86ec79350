/* SPDX-License-Identifier: MIT */
/* test_resource.c -- resources from YAML: shapes, validation, order. */
#include "autoconfig.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kuma/resource.h"

struct fx {
	struct resource_set *set;
	struct diag_list errs;
	char out[16384];
	char dir[64];		/* scratch directory, removed by teardown */
};

static int
setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));

	if (f == NULL)
		return -1;
	diag_list_init(&f->errs);
	if ((f->set = resource_set_new()) == NULL) {
		free(f);
		return -1;
	}
	*state = f;
	return 0;
}

static int
remove_entry(const char *path, const struct stat *st, int flag,
	     struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static int
teardown(void **state)
{
	struct fx *f = *state;
	int rc = 0;

	if (f->dir[0] != '\0')
		rc = nftw(f->dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
	resource_set_free(f->set);
	diag_list_clear(&f->errs);
	free(f);
	return rc;
}

/* Start over with an empty set and no diagnostics. */
static void
reset(struct fx *f)
{
	resource_set_free(f->set);
	diag_list_clear(&f->errs);
	f->set = resource_set_new();
	assert_non_null(f->set);
}

static void
load_as(struct fx *f, const char *name, const char *text)
{
	assert_int_equal(resource_set_load_string(f->set, name, text,
						  &f->errs), 0);
}

static void
load(struct fx *f, const char *text)
{
	load_as(f, "t.yaml", text);
}

static void
finish(struct fx *f)
{
	assert_int_equal(resource_set_finish(f->set, &f->errs), 0);
}

/* How many resources of every kind the set holds. */
static size_t
total(const struct resource_set *set)
{
	return set->nmeshes + set->nservices + set->ngenerators +
	       set->nexternal_services + set->nmultizone_services +
	       set->ndataplanes + set->nk8s_services + set->nendpoint_slices +
	       set->nnamespaces + set->npods;
}

/* Every diagnostic as the user sees it, one per line. */
static const char *
diags(struct fx *f)
{
	char line[2048];
	size_t i;
	size_t used = 0;

	f->out[0] = '\0';
	for (i = 0; i < f->errs.n; i++) {
		diag_format(&f->errs.v[i], line, sizeof(line));
		used += (size_t)snprintf(f->out + used, sizeof(f->out) - used,
					 "%s\n", line);
		assert_true(used < sizeof(f->out));
	}
	return f->out;
}

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
test_kubernetes_shape(void **state)
{
	struct fx *f = *state;
	const struct resource_mesh_service *ms;

	load(f, "apiVersion: kuma.io/v1alpha1\n"
		"kind: MeshService\n"
		"metadata:\n"
		"  name: redis\n"
		"  namespace: redis-system\n"
		"  labels:\n"
		"    kuma.io/mesh: prod\n"
		"  creationTimestamp: \"2024-05-01T10:00:00Z\"\n"
		"  annotations:\n"
		"    kubectl.kubernetes.io/last-applied-configuration: \"{}\"\n"
		"  uid: 4f1b\n"
		"  resourceVersion: \"42\"\n"
		"spec:\n"
		"  selector:\n"
		"    dataplaneTags: {app: redis}\n"
		"  ports:\n"
		"  - {port: 6739, targetPort: 6739, appProtocol: tcp}\n"
		"status:\n"
		"  vips:\n"
		"  - ip: 10.96.0.10\n"
		"---\n"
		"apiVersion: kuma.io/v1alpha1\n"
		"kind: MeshService\n"
		"metadata:\n"
		"  name: web\n"
		"  creationTimestamp: null\n"
		"spec:\n"
		"  selector:\n"
		"    dataplaneRef: {name: web-0.ns}\n");
	finish(f);
	assert_string_equal(diags(f), "");
	assert_int_equal(f->set->nservices, 2);

	/* "web" has no creation time, so it comes first. */
	ms = &f->set->services[0];
	assert_string_equal(ms->meta.name, "web");
	assert_string_equal(ms->meta.mesh, "default");
	assert_null(ms->meta.namespace);
	assert_int_equal(ms->meta.has_creation_time, 0);
	assert_int_equal(ms->selector, RESOURCE_SELECTOR_DATAPLANE_REF);
	assert_string_equal(ms->selector_ref, "web-0.ns");
	assert_int_equal(ms->nports, 0);
	assert_int_equal(ms->meta.pos.line, 22);

	ms = &f->set->services[1];
	assert_int_equal(ms->meta.shape, RESOURCE_SHAPE_KUBERNETES);
	assert_string_equal(ms->meta.name, "redis");
	assert_string_equal(resource_name(&ms->meta), "redis");
	assert_string_equal(ms->meta.namespace, "redis-system");
	assert_string_equal(ms->meta.mesh, "prod");
	assert_int_equal(ms->meta.has_creation_time, 1);
	assert_true(ms->meta.creation_ns == 1714557600LL * 1000000000LL);
	assert_int_equal(ms->nports, 1);
	assert_int_equal(ms->ports[0].port, 6739);
	assert_int_equal(ms->nvips, 1);
	assert_string_equal(ms->vips[0], "10.96.0.10");
}

static void
test_list(void **state)
{
	struct fx *f = *state;
	const struct resource_mesh_service *ms;
	const struct resource_hostname_generator *g;

	load(f, "apiVersion: v1\n"
		"kind: List\n"
		"metadata:\n"
		"  resourceVersion: \"\"\n"
		"items:\n"
		"- apiVersion: kuma.io/v1alpha1\n"
		"  kind: MeshService\n"
		"  metadata:\n"
		"    name: redis\n"
		"    namespace: kuma-demo\n"
		"    labels:\n"
		"      kuma.io/mesh: prod\n"
		"      kuma.io/display-name: redis\n"
		"  spec:\n"
		"    selector:\n"
		"      dataplaneLabels:\n"
		"        matchLabels:\n"
		"          app: redis\n"
		"    ports:\n"
		"    - name: main\n"
		"      port: 6379\n"
		"      targetPort: main\n"
		"      appProtocol: tcp\n"
		"  status:\n"
		"    vips:\n"
		"    - ip: fd00::1\n"
		"- apiVersion: kuma.io/v1alpha1\n"
		"  kind: HostnameGenerator\n"
		"  metadata:\n"
		"    name: local\n"
		"    namespace: kuma-system\n"
		"  spec:\n"
		"    selector:\n"
		"      meshMultiZoneService:\n"
		"        matchLabels: {kuma.io/origin: zone}\n"
		"    template: \"{{ .DisplayName }}.mzsvc.mesh.local\"\n"
		"- apiVersion: kuma.io/v1alpha1\n"
		"  kind: Mesh\n"
		"  metadata:\n"
		"    name: prod\n"
		"  spec:\n"
		"    meshServices:\n"
		"      mode: ReachableBackends\n");
	finish(f);
	assert_string_equal(diags(f), "");
	assert_int_equal(f->set->nservices, 1);
	assert_int_equal(f->set->ngenerators, 1);
	assert_int_equal(f->set->nmeshes, 1);

	ms = &f->set->services[0];
	assert_string_equal(ms->meta.mesh, "prod");
	assert_string_equal(ms->meta.namespace, "kuma-demo");
	assert_int_equal(ms->meta.pos.line, 6);
	assert_int_equal(ms->meta.pos.column, 3);
	assert_int_equal(ms->selector, RESOURCE_SELECTOR_DATAPLANE_LABELS);
	assert_int_equal(ms->selector_labels.n, 1);
	assert_string_equal(ms->selector_labels.v[0].key, "app");
	assert_string_equal(ms->ports[0].name, "main");
	assert_int_equal(ms->ports[0].target_is_name, 1);
	assert_string_equal(ms->ports[0].target_name, "main");
	assert_string_equal(ms->vips[0], "fd00::1");

	g = &f->set->generators[0];
	assert_int_equal(g->meta.kind, RESOURCE_HOSTNAME_GENERATOR);
	assert_null(g->meta.mesh);
	assert_string_equal(g->meta.namespace, "kuma-system");
	assert_int_equal(g->target, RESOURCE_MESH_MULTI_ZONE_SERVICE);
	assert_int_equal(g->match.n, 1);
	assert_string_equal(g->match.v[0].key, "kuma.io/origin");
	assert_string_equal(g->match.v[0].value, "zone");
	assert_string_equal(g->template, "{{ .DisplayName }}.mzsvc.mesh.local");
	assert_int_equal(g->template_pos.line, 36);
	assert_int_equal(g->template_pos.column, 15);

	assert_null(f->set->meshes[0].meta.mesh);
	assert_string_equal(f->set->meshes[0].meta.name, "prod");
	assert_int_equal(f->set->meshes[0].has_mode, 1);
	assert_int_equal(f->set->meshes[0].mode,
			 RESOURCE_MESH_MODE_REACHABLE_BACKENDS);
}

static void
test_multi_document(void **state)
{
	struct fx *f = *state;

	load(f, "# resources of zone east\n"
		"---\n"
		"---\n"
		"# nothing here either\n"
		"---\n"
		"type: MeshService\n"
		"name: a\n"
		"spec: {selector: {dataplaneTags: {app: a}}}\n"
		"---\n"
		"type: MeshService\n"
		"name: b\n"
		"mesh: other\n"
		"spec: {selector: {dataplaneTags: {app: b}}}\n"
		"...\n"
		"---\n");
	finish(f);
	assert_string_equal(diags(f), "");
	assert_int_equal(f->set->nservices, 2);
	assert_string_equal(f->set->services[0].meta.name, "a");
	assert_int_equal(f->set->services[0].meta.pos.line, 6);
	assert_string_equal(f->set->services[1].meta.name, "b");
	assert_string_equal(f->set->services[1].meta.mesh, "other");
	assert_int_equal(f->set->services[1].meta.pos.line, 10);
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

#define SELECTOR "spec:\n  selector:\n    dataplaneTags: {app: redis}\n"
#define NAME64 "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define DNS1035_MSG \
	"a DNS-1035 label must consist of lower case alphanumeric " \
	"characters or '-', start with an alphabetic character, and end " \
	"with an alphanumeric character (e.g. 'my-name',  or 'abc-123', " \
	"regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')"

#define DP "type: Dataplane\nname: d\n"
/* A Kubernetes Dataplane whose annotations are @a (line 6 on). */
#define K8S_DP(a) \
	"apiVersion: kuma.io/v1alpha1\nkind: Dataplane\nmetadata:\n" \
	"  name: d\n  annotations:\n" a \
	"spec:\n  networking: {address: 10.0.0.1, inbound: [{port: 80}]}\n"

struct bad_case {
	const char *yaml;
	const char *diags;	/* exactly what the user sees */
};

/* Each of these is rejected: nothing loads, with these messages. */
static const struct bad_case bad_cases[] = {
	/* names, meshes and namespaces go into state keys: no spaces */
	{ "type: MeshService\nname: redis\nmesh: my mesh\n" SELECTOR,
	  "t.yaml:3:7: error: mesh: invalid characters: expected letters, "
	  "digits, '-', '_' and '.', at most 253 characters\n" },
	{ "type: HostnameGenerator\nname: a/b\nspec:\n  selector:\n"
	  "    meshService: {}\n  template: x.mesh\n",
	  "t.yaml:2:7: error: name: invalid characters: expected letters, "
	  "digits, '-', '_' and '.', at most 253 characters\n" },
	{ "type: MeshService\nname: " NAME64 "\n" SELECTOR,
	  "t.yaml:2:7: error: name: must be no more than 63 characters\n" },
	{ "type: MeshService\nname: Redis_1\n" SELECTOR,
	  "t.yaml:2:7: error: name: " DNS1035_MSG "\n" },
	{ "type: MeshService\nname: 1redis\n" SELECTOR,
	  "t.yaml:2:7: error: name: " DNS1035_MSG "\n" },
	{ "type: MeshService\nname: redis-\n" SELECTOR,
	  "t.yaml:2:7: error: name: " DNS1035_MSG "\n" },
	{ "type: MeshService\nname: A" NAME64 "\n" SELECTOR,
	  "t.yaml:2:7: error: name: must be no more than 63 characters\n"
	  "t.yaml:2:7: error: name: " DNS1035_MSG "\n" },
	/* the display name is what is checked, where it is written */
	{ "type: MeshService\nname: redis\nlabels:\n"
	  "  kuma.io/display-name: Redis\n" SELECTOR,
	  "t.yaml:4:25: error: name: " DNS1035_MSG "\n" },
	{ "apiVersion: kuma.io/v1alpha1\nkind: MeshService\nmetadata:\n"
	  "  name: redis.v2\n" SELECTOR,
	  "t.yaml:4:9: error: name: " DNS1035_MSG "\n" },
	{ "type: MeshService\nname: redis\n" SELECTOR
	  "  ports:\n"
	  "  - port: 80\n"
	  "    appProtocol: TCP\n"
	  "  - port: 81\n"
	  "    appProtocol: tls\n",
	  "t.yaml:10:18: error: spec.ports[1].appProtocol: appProtocol must "
	  "be one of: grpc, http, http2, tcp\n" },
	{ "type: MeshService\nname: redis\nspec:\n"
	  "  selector:\n"
	  "    dataplaneTags: {app: redis}\n"
	  "    dataplaneRef: {name: redis-1}\n",
	  "t.yaml:4:3: error: spec.selector: must specify only one of: "
	  "dataplaneTags, dataplaneRef, or dataplaneLabels\n" },
	{ "type: MeshService\nname: redis\nspec:\n"
	  "  selector:\n"
	  "    dataplaneLabels: {matchLabels: {app: redis}}\n"
	  "    dataplaneRef: {name: redis-1}\n",
	  "t.yaml:4:3: error: spec.selector: must specify only one of: "
	  "dataplaneTags, dataplaneRef, or dataplaneLabels\n" },
	{ "type: MeshService\nname: redis\n" SELECTOR
	  "  ports:\n"
	  "  - targetPort: 80\n"
	  "  - port: 0\n"
	  "  - port: 70000\n"
	  "  - port: \"80\"\n"
	  "  - port: 80\n"
	  "    targetPort: 0\n"
	  "  - port: 80\n"
	  "    targetPort: \"\"\n"
	  "  - port: 80\n"
	  "    targetPort: [1]\n"
	  "  - 80\n"
	  "  - port: 80\n"
	  "    name: \"\"\n",
	  "t.yaml:7:5: error: spec.ports[0].port: must be defined\n"
	  "t.yaml:8:11: error: spec.ports[1].port: must be in inclusive "
	  "range [1, 65535]\n"
	  "t.yaml:9:11: error: spec.ports[2].port: must be in inclusive "
	  "range [1, 65535]\n"
	  "t.yaml:10:11: error: spec.ports[3].port: must be an integer\n"
	  "t.yaml:12:17: error: spec.ports[4].targetPort: must be in "
	  "inclusive range [1, 65535]\n"
	  "t.yaml:14:17: error: spec.ports[5].targetPort: must not be empty\n"
	  "t.yaml:16:17: error: spec.ports[6].targetPort: must be a port "
	  "number or a port name, got sequence\n"
	  "t.yaml:17:5: error: spec.ports[7]: must be a mapping, got scalar\n"
	  "t.yaml:19:11: error: spec.ports[8].name: must not be empty\n" },
	{ "type: MeshService\nname: redis\n" SELECTOR
	  "  ports: {port: 80}\n",
	  "t.yaml:6:10: error: spec.ports: must be a sequence, got mapping\n" },
	{ "type: MeshService\nname: redis\n" SELECTOR
	  "status:\n"
	  "  vips:\n"
	  "  - ip: 10.0.0.1\n"
	  "  - ip: 10.0.0.256\n"
	  "  - ip: fd00::1\n"
	  "  - {}\n"
	  "  - ip: [1]\n",
	  "t.yaml:9:9: error: status.vips[1].ip: \"10.0.0.256\" is not an IP "
	  "address\n"
	  "t.yaml:11:5: error: status.vips[3].ip: must be defined\n"
	  "t.yaml:12:9: error: status.vips[4].ip: must be a string, got "
	  "sequence\n" },
	{ "type: MeshService\nname: redis\n" SELECTOR "  state: Up\n",
	  "t.yaml:6:10: error: spec.state: must be one of: Available, "
	  "Unavailable\n" },
	{ "type: MeshService\nname: redis\nspec:\n"
	  "  selector:\n"
	  "    dataplaneRef: {}\n",
	  "t.yaml:5:19: error: spec.selector.dataplaneRef.name: must be "
	  "defined\n" },
	{ "type: MeshService\nname: redis\nspec: [1]\n",
	  "t.yaml:3:7: error: spec: must be a mapping, got sequence\n" },
	{ "type: MeshService\nname: redis\nmesh: [a]\n" SELECTOR,
	  "t.yaml:3:7: error: mesh: must be a string, got sequence\n" },
	{ "type: MeshService\n" SELECTOR,
	  "t.yaml:1:1: error: name: must not be empty\n" },
	{ "type: Mesh\nname: \"\"\n",
	  "t.yaml:2:7: error: name: must not be empty\n" },
	{ "name: redis\n",
	  "t.yaml:1:1: error: a resource has neither \"type\" (universal "
	  "shape) nor \"kind\" (Kubernetes shape)\n" },
	{ "just a string\n",
	  "t.yaml:1:1: error: a resource must be a mapping, got scalar\n" },
	{ "type: [Mesh]\nname: x\n",
	  "t.yaml:1:7: error: type: must be a string, got sequence\n" },
	{ "apiVersion: v1\nkind: MeshService\nmetadata: {name: redis}\n"
	  SELECTOR,
	  "t.yaml:1:13: error: apiVersion: must be kuma.io/v1alpha1 for "
	  "MeshService, got \"v1\"\n" },
	{ "kind: Mesh\nmetadata: {name: default}\n",
	  "t.yaml:1:1: error: apiVersion: must be defined\n" },
	{ "apiVersion: kuma.io/v1alpha1\nkind: Mesh\n",
	  "t.yaml:1:1: error: metadata: must be defined\n" },
	{ "apiVersion: kuma.io/v1alpha1\nkind: Mesh\nmetadata:\n"
	  "  namespace: x\n",
	  "t.yaml:4:3: error: metadata.name: must not be empty\n" },
	{ "type: Mesh\nname: default\ncreationTime: 2024-02-30T00:00:00Z\n",
	  "t.yaml:3:15: error: creationTime: \"2024-02-30T00:00:00Z\" is not "
	  "an RFC 3339 time like 2024-05-01T10:00:00Z\n" },
	{ "apiVersion: kuma.io/v1alpha1\nkind: Mesh\nmetadata:\n"
	  "  name: m\n  creationTimestamp: yesterday\n",
	  "t.yaml:5:22: error: metadata.creationTimestamp: \"yesterday\" is "
	  "not an RFC 3339 time like 2024-05-01T10:00:00Z\n" },
	{ "type: Mesh\nname: default\nlabels:\n  a: {b: c}\n",
	  "t.yaml:4:6: error: labels.a: must be a string, got mapping\n" },
	{ "type: Mesh\nname: default\nlabels: [a]\n",
	  "t.yaml:3:9: error: labels: must be a mapping, got sequence\n" },
	{ "type: Mesh\nname: default\nmeshServices:\n  mode: everywhere\n",
	  "t.yaml:4:9: error: meshServices.mode: must be one of: Disabled, "
	  "Everywhere, ReachableBackends, Exclusive (got \"everywhere\")\n" },
	{ "apiVersion: kuma.io/v1alpha1\nkind: Mesh\nmetadata: {name: m}\n"
	  "spec:\n  meshServices: {mode: Sometimes}\n",
	  "t.yaml:5:24: error: spec.meshServices.mode: must be one of: "
	  "Disabled, Everywhere, ReachableBackends, Exclusive (got "
	  "\"Sometimes\")\n" },
	{ "type: HostnameGenerator\nname: g\nspec:\n  template: x\n",
	  "t.yaml:3:1: error: spec.selector: exact one selector "
	  "(meshService, meshExternalService) must be defined\n" },
	{ "type: HostnameGenerator\nname: g\nspec:\n"
	  "  selector:\n"
	  "    meshService: {}\n"
	  "    meshMultiZoneService: {}\n"
	  "  template: x\n",
	  "t.yaml:4:3: error: spec.selector: exact one selector "
	  "(meshService, meshExternalService) must be defined\n" },
	{ "type: HostnameGenerator\nname: g\nspec:\n"
	  "  selector:\n"
	  "    meshService: {}\n",
	  "t.yaml:3:1: error: spec.template: must not be empty\n" },
	{ "type: HostnameGenerator\nname: g\nspec:\n"
	  "  selector:\n"
	  "    meshService: {}\n"
	  "  template: \"\"\n",
	  "t.yaml:6:13: error: spec.template: must not be empty\n" },
	{ "type: HostnameGenerator\nname: g\nspec:\n"
	  "  selector:\n"
	  "    meshService: {matchLabels: [x]}\n"
	  "  template: x\n",
	  "t.yaml:5:32: error: spec.selector.meshService.matchLabels: must "
	  "be a mapping, got sequence\n" },
	{ "type: HostnameGenerator\nname: g\nspec:\n"
	  "  selector:\n"
	  "    meshService: {}\n"
	  "  template: x\n"
	  "  extension: {config: {}}\n",
	  "t.yaml:7:14: error: spec.extension.type: must not be empty\n" },
	{ "apiVersion: v1\nkind: List\nitems:\n"
	  "- apiVersion: v1\n"
	  "  kind: List\n"
	  "  items: []\n"
	  "- 42\n"
	  "- {metadata: {name: x}}\n",
	  "t.yaml:5:9: error: a List cannot hold another List\n"
	  "t.yaml:7:3: error: items[1] must be a mapping, got scalar\n"
	  "t.yaml:8:3: error: items[2] has neither \"type\" (universal "
	  "shape) nor \"kind\" (Kubernetes shape)\n" },
	/* Dataplane: Kuma's messages where it has one */
	{ DP "",
	  "t.yaml:1:1: error: networking: must be defined\n" },
	{ "apiVersion: kuma.io/v1alpha1\nkind: Dataplane\nmetadata: {name: d}\n",
	  "t.yaml:1:1: error: spec.networking: must be defined\n" },
	{ DP "networking:\n  inbound: [{port: 80}]\n",
	  "t.yaml:3:1: error: networking.address: address can't be empty\n" },
	{ DP "networking:\n  address: db.example.com\n  inbound: [{port: 80}]\n",
	  "t.yaml:4:12: error: networking.address: \"db.example.com\" is not "
	  "an IP address\n" },
	{ DP "networking:\n  address: '::'\n  inbound: [{port: 80}]\n",
	  "t.yaml:4:12: error: networking.address: must not be 0.0.0.0 or "
	  "::\n" },
	{ "apiVersion: kuma.io/v1alpha1\nkind: Dataplane\nmetadata: {name: d}\n"
	  "spec:\n  networking:\n    address: 0.0.0.0\n"
	  "    gateway: {tags: {kuma.io/service: gw}}\n",
	  "t.yaml:6:14: error: spec.networking.address: must not be 0.0.0.0 "
	  "or ::\n" },
	{ DP "networking: {address: 10.0.0.1}\n",
	  "t.yaml:3:1: error: networking: has to contain at least one inbound "
	  "interface or gateway\n" },
	{ DP "networking:\n  address: 10.0.0.1\n  inbound: {port: 80}\n",
	  "t.yaml:5:12: error: networking.inbound: must be a sequence, got "
	  "mapping\n" },
	{ DP "networking:\n"
	  "  address: 10.0.0.1\n"
	  "  inbound:\n"
	  "  - port: 0\n"
	  "    servicePort: 70000\n"
	  "    state: Broken\n"
	  "  - 80\n"
	  "  - name: x\n"
	  "  - port: \"80\"\n"
	  "    tags: {kuma.io/service: [a]}\n",
	  "t.yaml:6:11: error: networking.inbound[0].port: port must be in the "
	  "range [1, 65535]\n"
	  "t.yaml:7:18: error: networking.inbound[0].servicePort: port must be "
	  "in the range [1, 65535]\n"
	  "t.yaml:8:12: error: networking.inbound[0].state: must be one of: "
	  "Ready, NotReady, Ignored\n"
	  "t.yaml:9:5: error: networking.inbound[1]: must be a mapping, got "
	  "scalar\n"
	  "t.yaml:10:5: error: networking.inbound[2].port: must be defined\n"
	  "t.yaml:11:11: error: networking.inbound[3].port: must be an "
	  "integer\n"
	  "t.yaml:12:29: error: networking.inbound[3].tags.kuma.io/service: "
	  "must be a string, got sequence\n" },
	{ DP "networking:\n"
	  "  address: 10.0.0.1\n"
	  "  inbound: [{port: 80}]\n"
	  "  transparentProxying:\n"
	  "    reachableBackends:\n"
	  "      refs:\n"
	  "      - kind: Meshservice\n"
	  "        name: Redis\n"
	  "      - kind: MeshService\n"
	  "      - kind: MeshService\n"
	  "        namespace: ns\n"
	  "      - kind: MeshService\n"
	  "        name: a\n"
	  "        labels: {x: y}\n"
	  "        port: 0\n"
	  "      - {kind: MeshService, labels: {}}\n"
	  "      - {name: x}\n"
	  "      - kind: MeshService\n"
	  "        name: ok\n"
	  "        colour: red\n"
	  "        port: http\n",
	  "t.yaml:9:15: error: networking.transparentProxying."
	  "reachableBackends.refs[0].kind: invalid value. Available values "
	  "are: MeshExternalService,MeshMultiZoneService,MeshService\n"
	  "t.yaml:10:15: error: networking.transparentProxying."
	  "reachableBackends.refs[0].name: invalid characters. A lowercase "
	  "RFC 1123 subdomain must consist of lower case alphanumeric "
	  "characters, '-' or '.', and must start and end with an "
	  "alphanumeric character\n"
	  "t.yaml:11:9: error: networking.transparentProxying."
	  "reachableBackends.refs[1].name: name or labels are required\n"
	  "t.yaml:12:9: error: networking.transparentProxying."
	  "reachableBackends.refs[2].name: name is required, when namespace "
	  "is defined\n"
	  "t.yaml:16:9: error: networking.transparentProxying."
	  "reachableBackends.refs[3].labels: labels cannot be defined when "
	  "name is specified\n"
	  "t.yaml:17:15: error: networking.transparentProxying."
	  "reachableBackends.refs[3].port: must be in inclusive range "
	  "[1, 65535]\n"
	  "t.yaml:18:9: error: networking.transparentProxying."
	  "reachableBackends.refs[4].name: name or labels are required\n"
	  "t.yaml:19:9: error: networking.transparentProxying."
	  "reachableBackends.refs[5].kind: invalid value. Available values "
	  "are: MeshExternalService,MeshMultiZoneService,MeshService\n"
	  "t.yaml:22:9: warning: unknown field \"networking."
	  "transparentProxying.reachableBackends.refs[6].colour\"\n"
	  "t.yaml:23:15: error: networking.transparentProxying."
	  "reachableBackends.refs[6].port: must be an integer\n" },
	{ DP "networking:\n"
	  "  address: 10.0.0.1\n"
	  "  inbound: [{port: 80}]\n"
	  "  transparentProxying:\n"
	  "    reachableBackends: {refs: {kind: MeshService}}\n",
	  "t.yaml:7:31: error: networking.transparentProxying."
	  "reachableBackends.refs: must be a sequence, got mapping\n" },
	/* the annotation: every problem is reported at its value */
	{ K8S_DP("    kuma.io/reachable-backends: |\n"
		 "      refs:\n"
		 "      - kind: Nope\n"
		 "        name: x\n"
		 "        other: 1\n"),
	  "t.yaml:6:33: warning: unknown field \"metadata.annotations."
	  "kuma.io/reachable-backends.refs[0].other\"\n"
	  "t.yaml:6:33: error: metadata.annotations.kuma.io/"
	  "reachable-backends.refs[0].kind: invalid value. Available values "
	  "are: MeshExternalService,MeshMultiZoneService,MeshService\n" },
	{ K8S_DP("    kuma.io/reachable-backends: \"refs: [a\"\n"),
	  "t.yaml:6:33: error: metadata.annotations.kuma.io/"
	  "reachable-backends: cannot parse, kuma.io/reachable-backends has "
	  "invalid format (line 2, column 1: did not find expected ',' or "
	  "']' (while parsing a flow sequence that started at line 1, column "
	  "7))\n" },
	{ K8S_DP("    kuma.io/reachable-backends: \"- kind: MeshService\"\n"),
	  "t.yaml:6:33: error: metadata.annotations.kuma.io/"
	  "reachable-backends: must be a mapping, got sequence\n" },
	{ K8S_DP("    kuma.io/reachable-backends: \"refs: []\\n---\\n"
		 "refs: []\"\n"),
	  "t.yaml:6:33: error: metadata.annotations.kuma.io/"
	  "reachable-backends: must hold one YAML document, got 2\n" },
	{ "apiVersion: v1\nkind: Dataplane\nmetadata: {name: d}\n",
	  "t.yaml:1:13: error: apiVersion: must be kuma.io/v1alpha1 for "
	  "Dataplane, got \"v1\"\n"
	  "t.yaml:1:1: error: spec.networking: must be defined\n" },
	/* MeshExternalService: Kuma's validator's messages */
	{ "type: MeshExternalService\n"
	  "name: Aurora\n"
	  "spec:\n"
	  "  match:\n"
	  "    type: Hostname\n"
	  "    port: 0\n"
	  "    protocol: TCP\n"
	  "  endpoints:\n"
	  "  - address: 1.1.1.1\n"
	  "  - address: example.com\n"
	  "  - address: unix:///tmp/sock\n"
	  "    port: 80\n"
	  "  - address: \"not valid!\"\n"
	  "    port: 70000\n"
	  "  - address: example.com\n"
	  "    port: http\n"
	  "  - {address: 10.0.0.1, port: 443, priority: 1}\n"
	  "  - {address: \"example.com.\", port: 443}\n"
	  "  - {address: \"-bad.example.com\", port: 443}\n"
	  "status:\n"
	  "  vip: {ip: 242.0.0.300}\n",
	  "t.yaml:2:7: error: name: " DNS1035_MSG "\n"
	  "t.yaml:5:11: error: spec.match.type: unrecognized type 'Hostname' "
	  "- only 'HostnameGenerator' is supported\n"
	  "t.yaml:6:11: error: spec.match.port: port must be a valid "
	  "(1-65535)\n"
	  "t.yaml:7:15: error: spec.match.protocol: \"protocol\" must be one "
	  "of [\"tcp\", \"grpc\", \"http\", \"http2\"]\n"
	  "t.yaml:9:5: error: spec.endpoints[0].port: must be defined when "
	  "endpoint is an IP\n"
	  "t.yaml:10:5: error: spec.endpoints[1].port: must be defined when "
	  "endpoint is a hostname\n"
	  "t.yaml:12:11: error: spec.endpoints[2].port: must not be defined "
	  "when endpoint is a unix path\n"
	  "t.yaml:14:11: error: spec.endpoints[3].port: port must be a valid "
	  "(1-65535)\n"
	  "t.yaml:13:14: error: spec.endpoints[3].address: address has to be "
	  "a valid IP or hostname or a unix path\n"
	  "t.yaml:16:11: error: spec.endpoints[4].port: must be an integer\n"
	  "t.yaml:19:15: error: spec.endpoints[7].address: address has to be "
	  "a valid IP or hostname or a unix path\n"
	  "t.yaml:21:13: error: status.vip.ip: \"242.0.0.300\" is not an IP "
	  "address\n" },
	{ "type: MeshExternalService\nname: db\n",
	  "t.yaml:1:1: error: spec.match.port: port must be a valid "
	  "(1-65535)\n" },
	{ "apiVersion: kuma.io/v1alpha1\nkind: MeshExternalService\n"
	  "metadata:\n  name: ext\n"
	  "spec:\n  extension: {config: {}}\n",
	  "t.yaml:5:1: error: spec.match.port: port must be a valid "
	  "(1-65535)\n"
	  "t.yaml:6:14: error: spec.extension.type: must not be empty\n" },
	/* MeshMultiZoneService: Kuma's validator's messages */
	{ "apiVersion: kuma.io/v1alpha1\nkind: MeshMultiZoneService\n"
	  "metadata: {name: mz}\n"
	  "spec:\n  selector:\n    meshService:\n      matchLabels: {}\n"
	  "  ports: []\n",
	  "t.yaml:7:20: error: spec.selector.meshService.matchLabels: cannot "
	  "be empty\n"
	  "t.yaml:8:10: error: spec.ports: cannot be empty\n" },
	{ "type: MeshMultiZoneService\nname: mz\n",
	  "t.yaml:1:1: error: spec.selector.meshService.matchLabels: cannot "
	  "be empty\n"
	  "t.yaml:1:1: error: spec.ports: cannot be empty\n" },
	{ "type: MeshMultiZoneService\nname: Mz\nspec:\n"
	  "  selector: {meshService: {matchLabels: {a: b}, other: 1}}\n"
	  "  ports:\n  - port: 80\n    name: \"\"\n    appProtocol: kafka\n"
	  "status:\n  vips: [{ip: x}]\n",
	  "t.yaml:2:7: error: name: " DNS1035_MSG "\n"
	  "t.yaml:4:49: warning: unknown field "
	  "\"spec.selector.meshService.other\"\n"
	  "t.yaml:7:11: error: spec.ports[0].name: must not be empty\n"
	  "t.yaml:8:18: error: spec.ports[0].appProtocol: appProtocol must be "
	  "one of: grpc, http, http2, tcp\n"
	  "t.yaml:10:15: error: status.vips[0].ip: \"x\" is not an IP "
	  "address\n" },
	/* Kubernetes objects */
	{ "apiVersion: v1\nkind: Service\nmetadata:\n  name: redis\nspec:\n"
	  "  type: Cluster\n"
	  "  clusterIP: 10.96.0.300\n"
	  "  ports:\n"
	  "  - port: 80\n"
	  "    protocol: tcp\n"
	  "  - targetPort: 0\n"
	  "  - port: 81\n"
	  "    targetPort: \"\"\n"
	  "  - {port: 82, targetPort: [1]}\n"
	  "  - 83\n"
	  "  replicas: 3\n",
	  "t.yaml:16:3: warning: unknown field \"spec.replicas\"\n"
	  "t.yaml:6:9: error: spec.type: must be one of: ClusterIP, NodePort, "
	  "LoadBalancer, ExternalName (got \"Cluster\")\n"
	  "t.yaml:7:14: error: spec.clusterIP: must be an IP address, \"None\" "
	  "or empty (got \"10.96.0.300\")\n"
	  "t.yaml:10:15: error: spec.ports[0].protocol: must be one of: TCP, "
	  "UDP, SCTP (got \"tcp\")\n"
	  "t.yaml:11:5: error: spec.ports[1].port: must be defined\n"
	  "t.yaml:11:17: error: spec.ports[1].targetPort: must be in inclusive "
	  "range [1, 65535]\n"
	  "t.yaml:13:17: error: spec.ports[2].targetPort: must not be empty\n"
	  "t.yaml:14:28: error: spec.ports[3].targetPort: must be a port "
	  "number or a port name, got sequence\n"
	  "t.yaml:15:5: error: spec.ports[4]: must be a mapping, got scalar\n" },
	{ "apiVersion: kuma.io/v1alpha1\nkind: Service\nmetadata: {name: s}\n",
	  "t.yaml:1:13: error: apiVersion: must be v1 for Service, got "
	  "\"kuma.io/v1alpha1\"\n" },
	{ "apiVersion: v1\nkind: Service\nmetadata:\n  name: s\n"
	  "  annotations: {a: [b]}\n",
	  "t.yaml:5:20: error: metadata.annotations.a: must be a string, got "
	  "sequence\n" },
	{ "apiVersion: discovery.k8s.io/v1\nkind: EndpointSlice\n"
	  "metadata:\n  name: example-abc\n"
	  "  labels: {kubernetes.io/service-name: example}\n"
	  "addressType: IP\n"
	  "endpoints:\n"
	  "- addresses: []\n"
	  "- addresses: [10.0.0.1, nope]\n"
	  "  conditions: {ready: maybe, serving: true}\n"
	  "- {}\n"
	  "- 42\n"
	  "- addresses: [10.0.0.2]\n"
	  "  targetRef: {kind: Pod, name: [p]}\n",
	  "t.yaml:6:14: error: addressType: must be one of: IPv4, IPv6, FQDN "
	  "(got \"IP\")\n"
	  "t.yaml:8:14: error: endpoints[0].addresses: must not be empty\n"
	  "t.yaml:9:25: error: endpoints[1].addresses[1]: \"nope\" is not an "
	  "IP address\n"
	  "t.yaml:10:23: error: endpoints[1].conditions.ready: must be true "
	  "or false\n"
	  "t.yaml:11:3: error: endpoints[2].addresses: must not be empty\n"
	  "t.yaml:12:3: error: endpoints[3]: must be a mapping, got scalar\n"
	  "t.yaml:14:32: error: endpoints[4].targetRef.name: must be a string, "
	  "got sequence\n" },
	{ "apiVersion: discovery.k8s.io/v1beta1\nkind: EndpointSlice\n"
	  "metadata: {name: e}\n",
	  "t.yaml:1:13: error: apiVersion: must be discovery.k8s.io/v1 for "
	  "EndpointSlice, got \"discovery.k8s.io/v1beta1\"\n" },
	{ "apiVersion: v1\nkind: Pod\nmetadata: {name: \"a b\"}\n",
	  "t.yaml:3:18: error: metadata.name: invalid characters: expected "
	  "letters, digits, '-', '_' and '.', at most 253 characters\n" },
	{ "apiVersion: v1\nkind: Namespace\n",
	  "t.yaml:1:1: error: metadata: must be defined\n" },
};

static void
test_validation_messages(void **state)
{
	struct fx *f = *state;
	size_t i;

	for (i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
		reset(f);
		load(f, bad_cases[i].yaml);
		finish(f);
		if (strcmp(diags(f), bad_cases[i].diags) != 0)
			print_message("case %zu:\n%s\n", i, bad_cases[i].yaml);
		assert_string_equal(diags(f), bad_cases[i].diags);
		assert_int_equal(total(f->set), 0);
	}
}

/* The resource that failed is left out; the others still load. */
static void
test_invalid_left_out(void **state)
{
	struct fx *f = *state;

	load(f, "type: MeshService\nname: ok-1\n" SELECTOR
		"---\n"
		"type: MeshService\nname: Bad\n" SELECTOR
		"---\n"
		"type: MeshService\nname: ok-2\n" SELECTOR);
	finish(f);
	assert_int_equal(f->errs.errors, 1);
	assert_int_equal(f->set->nservices, 2);
	assert_string_equal(f->set->services[0].meta.name, "ok-1");
	assert_string_equal(f->set->services[1].meta.name, "ok-2");
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
test_unknown_keys_warn(void **state)
{
	struct fx *f = *state;

	load(f, "type: MeshService\n"
		"name: redis\n"
		"mesh: default\n"
		"colour: blue\n"
		"spec:\n"
		"  selector:\n"
		"    dataplaneLabels:\n"
		"      matchLabels: {app: redis}\n"
		"      other: 1\n"
		"  ports:\n"
		"  - port: 80\n"
		"    protocol: tcp\n"
		"  replicas: 3\n"
		"status:\n"
		"  dataplaneProxies: {connected: 1}\n"
		"---\n"
		"apiVersion: kuma.io/v1alpha1\n"
		"kind: Mesh\n"
		"metadata:\n"
		"  name: m\n"
		"  uid: 1\n"
		"  colour: red\n"
		"spec:\n"
		"  meshServices: {mode: Exclusive, strict: true}\n"
		"status: {}\n"
		"---\n"
		"type: HostnameGenerator\n"
		"name: g\n"
		"mesh: default\n"
		"spec:\n"
		"  selector:\n"
		"    meshService: {matchLabels: {}, matchNames: [a]}\n"
		"  template: x\n");
	finish(f);
	assert_string_equal(diags(f),
		"t.yaml:4:1: warning: unknown field \"colour\"\n"
		"t.yaml:13:3: warning: unknown field \"spec.replicas\"\n"
		"t.yaml:9:7: warning: unknown field "
		"\"spec.selector.dataplaneLabels.other\"\n"
		"t.yaml:12:5: warning: unknown field \"spec.ports[0].protocol\"\n"
		"t.yaml:25:1: warning: unknown field \"status\"\n"
		"t.yaml:22:3: warning: unknown field \"metadata.colour\"\n"
		"t.yaml:24:35: warning: unknown field "
		"\"spec.meshServices.strict\"\n"
		"t.yaml:29:1: warning: unknown field \"mesh\"\n"
		"t.yaml:32:36: warning: unknown field "
		"\"spec.selector.meshService.matchNames\"\n");
	assert_int_equal(f->errs.errors, 0);
	assert_int_equal(f->set->nservices, 1);
	assert_int_equal(f->set->nmeshes, 1);
	assert_int_equal(f->set->ngenerators, 1);
	assert_int_equal(f->set->meshes[0].mode, RESOURCE_MESH_MODE_EXCLUSIVE);
}

static void
test_unsupported_kinds_skipped(void **state)
{
	struct fx *f = *state;

	load(f, "type: MeshTrafficPermission\n"
		"name: allow-all\n"
		"---\n"
		"apiVersion: apps/v1\n"
		"kind: Deployment\n"
		"metadata: {name: redis, namespace: ns}\n"
		"spec: {replicas: 1}\n"
		"---\n"
		"type: Service\n"
		"name: redis\n"
		"---\n"
		"type: Pod\n");
	finish(f);
	assert_string_equal(diags(f),
		"t.yaml:1:1: warning: skipping MeshTrafficPermission allow-all: "
		"kind not supported yet\n"
		"t.yaml:4:1: warning: skipping Deployment redis: kind not "
		"supported yet\n"
		"t.yaml:9:1: warning: skipping Service redis: a Kubernetes "
		"object is written with apiVersion, kind and metadata\n"
		"t.yaml:12:1: warning: skipping Pod: a Kubernetes object is "
		"written with apiVersion, kind and metadata\n");
	assert_int_equal(f->errs.errors, 0);
	assert_int_equal(total(f->set), 0);
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
test_syntax_error(void **state)
{
	struct fx *f = *state;

	load(f, "type: MeshService\nname: a\n" SELECTOR
		"---\n"
		"type: MeshService\n"
		"name: [b\n");
	finish(f);
	assert_int_equal(f->errs.errors, 1);
	assert_int_equal(f->errs.v[0].severity, DIAG_ERROR);
	assert_string_equal(f->errs.v[0].file, "t.yaml");
	/* the file contributes nothing, not even its valid first document */
	assert_int_equal(f->set->nservices, 0);
}

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
test_bad_times(void **state)
{
	static const char *const bad[] = {
		"2024-05-01 10:00:00Z", "2024-05-01T10:00:00",
		"2024-05-01T24:00:00Z", "2024-5-01T10:00:00Z",
		"2024-05-01T10:00:00.Z", "2024-05-01T10:00:00+0200",
		"2024-05-01T10:00:00Zjunk", "2023-02-29T00:00:00Z",
		"2024-13-01T00:00:00Z", "2024-05-01T10:60:00Z",
		"2024-05-01T10:00:60Z", "3000-01-01T00:00:00Z",
		"1600-01-01T00:00:00Z", "2024-05-01",
	};
	struct fx *f = *state;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char yaml[256];

		reset(f);
		snprintf(yaml, sizeof(yaml),
			 "type: Mesh\nname: m\ncreationTime: \"%s\"\n", bad[i]);
		load(f, yaml);
		if (f->errs.errors != 1)
			print_message("time %s\n", bad[i]);
		assert_int_equal(f->errs.errors, 1);
		assert_int_equal(f->set->nmeshes, 0);
	}
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
test_dataplane_universal(void **state)
{
	struct fx *f = *state;
	const struct resource_dataplane *dp;
	const struct resource_inbound *in;
	const struct resource_backend_ref *b;

	load(f, "type: Dataplane\n"
		"mesh: prod\n"
		"name: redis-1\n"
		"labels: {kuma.io/workload: redis}\n"
		"creationTime: 2025-01-12T08:00:00Z\n"
		"networking:\n"
		"  address: 10.0.0.23\n"
		"  advertisedAddress: 192.168.0.1\n"
		"  inbound:\n"
		"  - name: main\n"
		"    port: 6379\n"
		"    servicePort: 16379\n"
		"    protocol: tcp\n"
		"    tags:\n"
		"      kuma.io/service: redis\n"
		"      kuma.io/protocol: tcp\n"
		"    health: {ready: true}\n"
		"  - port: 9121\n"
		"    servicePort: 0\n"
		"    state: Ignored\n"
		"  outbound:\n"
		"  - {port: 10001, tags: {kuma.io/service: web}}\n"
		"  admin: {port: 9901}\n"
		"  transparentProxying:\n"
		"    redirectPortInbound: 15006\n"
		"    redirectPortOutbound: 15001\n"
		"    reachableServices: [web]\n"
		"    reachableBackends:\n"
		"      refs:\n"
		"      - kind: MeshService\n"
		"        name: billing\n"
		"        port: 8080\n"
		"      - kind: MeshExternalService\n"
		"        name: aurora.db\n"
		"      - kind: MeshMultiZoneService\n"
		"        labels: {kuma.io/display-name: test-server}\n"
		"        port: 80\n"
		"      - kind: MeshService\n"
		"        name: redis\n"
		"        namespace: kuma-demo\n"
		"metrics: {type: prometheus}\n"
		"probes: {port: 9000}\n"
		"---\n"
		"type: Dataplane\n"
		"name: gw-1\n"
		"networking:\n"
		"  address: fd00::5\n"
		"  gateway: {type: BUILTIN, tags: {kuma.io/service: gw}}\n"
		"  transparentProxying: {reachableBackends: {}}\n"
		"---\n"
		"type: Dataplane\n"
		"name: web-1\n"
		"networking:\n"
		"  address: 10.0.0.2\n"
		"  inbound: [{port: 8000, tags: {kuma.io/service: web}}]\n"
		"  transparentProxying: {reachableBackends: null}\n");
	finish(f);
	assert_string_equal(diags(f), "");
	assert_int_equal(f->set->ndataplanes, 3);

	/* no creation time first, then by name */
	dp = &f->set->dataplanes[0];
	assert_string_equal(dp->meta.name, "gw-1");
	assert_string_equal(dp->meta.mesh, "default");
	assert_string_equal(dp->address, "fd00::5");
	assert_int_equal(dp->ninbounds, 0);
	assert_int_equal(dp->has_reachable_backends, 1);	/* {}: none */
	assert_int_equal(dp->nbackends, 0);

	dp = &f->set->dataplanes[1];
	assert_string_equal(dp->meta.name, "web-1");
	assert_int_equal(dp->has_reachable_backends, 0);	/* null: unset */
	assert_int_equal(dp->ninbounds, 1);
	assert_int_equal(dp->inbounds[0].port, 8000);

	dp = &f->set->dataplanes[2];
	assert_int_equal(dp->meta.kind, RESOURCE_DATAPLANE);
	assert_int_equal(dp->meta.shape, RESOURCE_SHAPE_UNIVERSAL);
	assert_string_equal(dp->meta.name, "redis-1");
	assert_string_equal(dp->meta.mesh, "prod");
	assert_null(dp->meta.namespace);
	assert_int_equal(dp->meta.has_creation_time, 1);
	assert_string_equal(resource_labels_get(&dp->meta.labels,
						"kuma.io/workload"), "redis");
	assert_int_equal(dp->meta.pos.line, 1);
	assert_string_equal(dp->address, "10.0.0.23");

	assert_int_equal(dp->ninbounds, 2);
	in = &dp->inbounds[0];
	assert_string_equal(in->name, "main");
	assert_int_equal(in->port, 6379);
	assert_int_equal(in->service_port, 16379);
	assert_string_equal(in->protocol, "tcp");
	assert_int_equal(in->tags.n, 2);
	assert_string_equal(in->tags.v[0].key, "kuma.io/protocol");
	assert_string_equal(in->tags.v[1].key, "kuma.io/service");
	assert_string_equal(in->tags.v[1].value, "redis");
	assert_int_equal(in->ignored, 0);
	assert_string_equal(in->pos.file, "t.yaml");
	assert_int_equal(in->pos.line, 10);
	assert_int_equal(in->pos.column, 5);
	in = &dp->inbounds[1];
	assert_null(in->name);
	assert_int_equal(in->port, 9121);
	assert_int_equal(in->service_port, 0);
	assert_null(in->protocol);
	assert_int_equal(in->tags.n, 0);
	assert_int_equal(in->ignored, 1);
	assert_int_equal(in->pos.line, 18);

	assert_int_equal(dp->has_reachable_backends, 1);
	assert_int_equal(dp->nbackends, 4);
	b = &dp->backends[0];
	assert_int_equal(b->kind, RESOURCE_MESH_SERVICE);
	assert_string_equal(b->name, "billing");
	assert_null(b->namespace);
	assert_int_equal(b->labels.n, 0);
	assert_int_equal(b->has_port, 1);
	assert_int_equal(b->port, 8080);
	assert_int_equal(b->pos.line, 30);
	assert_int_equal(b->pos.column, 9);
	b = &dp->backends[1];
	assert_int_equal(b->kind, RESOURCE_MESH_EXTERNAL_SERVICE);
	assert_string_equal(b->name, "aurora.db");
	assert_int_equal(b->has_port, 0);
	b = &dp->backends[2];
	assert_int_equal(b->kind, RESOURCE_MESH_MULTI_ZONE_SERVICE);
	assert_null(b->name);
	assert_int_equal(b->labels.n, 1);
	assert_string_equal(b->labels.v[0].key, "kuma.io/display-name");
	assert_string_equal(b->labels.v[0].value, "test-server");
	assert_int_equal(b->has_port, 1);
	assert_int_equal(b->port, 80);
	b = &dp->backends[3];
	assert_int_equal(b->kind, RESOURCE_MESH_SERVICE);
	assert_string_equal(b->name, "redis");
	assert_string_equal(b->namespace, "kuma-demo");
}

static void
test_dataplane_kubernetes(void **state)
{
	struct fx *f = *state;
	const struct resource_dataplane *dp;

	load(f, "apiVersion: kuma.io/v1alpha1\n"
		"kind: Dataplane\n"
		"mesh: default\n"
		"metadata:\n"
		"  name: demo-app-6c8b9d7f5-abcde\n"
		"  namespace: kuma-demo\n"
		"  labels:\n"
		"    app: demo-app\n"
		"    k8s.kuma.io/namespace: kuma-demo\n"
		"    kuma.io/mesh: not-this-one\n"
		"  annotations:\n"
		"    kuma.io/reachable-backends: |\n"
		"      refs:\n"
		"      - kind: MeshService\n"
		"        name: redis\n"
		"        namespace: kuma-demo\n"
		"        port: 6379\n"
		"      - kind: MeshMultiZoneService\n"
		"        labels:\n"
		"          kuma.io/display-name: test-server\n"
		"  ownerReferences: [{kind: Pod, name: demo-app-6c8b9d7f5-abcde}]\n"
		"spec:\n"
		"  networking:\n"
		"    address: 10.244.0.7\n"
		"    inbound:\n"
		"    - port: 5000\n"
		"      tags: {app: demo-app, kuma.io/service: demo-app_svc_5000}\n"
		"    transparentProxying:\n"
		"      ipFamilyMode: DualStack\n"
		"---\n"
		"apiVersion: kuma.io/v1alpha1\n"
		"kind: Dataplane\n"
		"metadata:\n"
		"  name: quiet\n"
		"  namespace: kuma-demo\n"
		"  labels: {kuma.io/mesh: other}\n"
		"  annotations:\n"
		"    kuma.io/reachable-backends: \"\"\n"
		"spec:\n"
		"  networking:\n"
		"    address: 10.244.0.8\n"
		"    inbound: [{port: 80}]\n"
		"---\n"
		"apiVersion: kuma.io/v1alpha1\n"
		"kind: Dataplane\n"
		"metadata:\n"
		"  name: both\n"
		"  namespace: kuma-demo\n"
		"  annotations:\n"
		"    kuma.io/reachable-backends: \"refs: [{kind: MeshService, "
		"name: a}]\"\n"
		"spec:\n"
		"  networking:\n"
		"    address: 10.244.0.9\n"
		"    inbound: [{port: 80}]\n"
		"    transparentProxying:\n"
		"      reachableBackends:\n"
		"        refs: [{kind: MeshExternalService, name: b}]\n"
		"---\n"
		"apiVersion: kuma.io/v1alpha1\n"
		"kind: Dataplane\n"
		"metadata: {name: plain, namespace: kuma-demo}\n"
		"spec:\n"
		"  networking: {address: 10.244.0.10, inbound: [{port: 80}]}\n");
	finish(f);
	assert_string_equal(diags(f), "");
	assert_int_equal(f->set->ndataplanes, 4);

	/* the spec's reachableBackends wins over the annotation */
	dp = &f->set->dataplanes[0];
	assert_string_equal(dp->meta.name, "both");
	assert_string_equal(dp->meta.mesh, "default");
	assert_int_equal(dp->has_reachable_backends, 1);
	assert_int_equal(dp->nbackends, 1);
	assert_int_equal(dp->backends[0].kind, RESOURCE_MESH_EXTERNAL_SERVICE);
	assert_string_equal(dp->backends[0].name, "b");

	dp = &f->set->dataplanes[1];
	assert_string_equal(dp->meta.name, "demo-app-6c8b9d7f5-abcde");
	assert_int_equal(dp->meta.shape, RESOURCE_SHAPE_KUBERNETES);
	/* the top-level mesh of Kuma's CRD wins over the label */
	assert_string_equal(dp->meta.mesh, "default");
	assert_string_equal(dp->meta.namespace, "kuma-demo");
	assert_int_equal(dp->meta.labels.n, 3);
	assert_string_equal(dp->address, "10.244.0.7");
	assert_int_equal(dp->ninbounds, 1);
	assert_int_equal(dp->inbounds[0].port, 5000);
	assert_int_equal(dp->inbounds[0].tags.n, 2);
	assert_int_equal(dp->inbounds[0].pos.line, 26);
	assert_int_equal(dp->has_reachable_backends, 1);
	assert_int_equal(dp->nbackends, 2);
	assert_int_equal(dp->backends[0].kind, RESOURCE_MESH_SERVICE);
	assert_string_equal(dp->backends[0].name, "redis");
	assert_string_equal(dp->backends[0].namespace, "kuma-demo");
	assert_int_equal(dp->backends[0].has_port, 1);
	assert_int_equal(dp->backends[0].port, 6379);
	/* inside the annotation, positions are the annotation's */
	assert_string_equal(dp->backends[0].pos.file, "t.yaml");
	assert_int_equal(dp->backends[0].pos.line, 12);
	assert_int_equal(dp->backends[0].pos.column, 33);
	assert_int_equal(dp->backends[1].kind,
			 RESOURCE_MESH_MULTI_ZONE_SERVICE);
	assert_null(dp->backends[1].name);
	assert_string_equal(resource_labels_get(&dp->backends[1].labels,
						"kuma.io/display-name"),
			    "test-server");

	dp = &f->set->dataplanes[2];
	assert_string_equal(dp->meta.name, "plain");
	assert_int_equal(dp->has_reachable_backends, 0);

	/* an empty annotation: set, and nothing is reachable */
	dp = &f->set->dataplanes[3];
	assert_string_equal(dp->meta.name, "quiet");
	assert_string_equal(dp->meta.mesh, "other");
	assert_int_equal(dp->has_reachable_backends, 1);
	assert_int_equal(dp->nbackends, 0);
}

static void
test_k8s_service(void **state)
{
	struct fx *f = *state;
	const struct resource_k8s_service *svc;

	load(f, "apiVersion: v1\n"
		"kind: Service\n"
		"metadata:\n"
		"  name: redis\n"
		"  namespace: kuma-demo\n"
		"  labels: {app: redis, kuma.io/mesh: prod}\n"
		"  annotations:\n"
		"    kuma.io/ignore: \"true\"\n"
		"  uid: 1234\n"
		"spec:\n"
		"  type: ClusterIP\n"
		"  clusterIP: 10.96.20.10\n"
		"  clusterIPs: [10.96.20.10, fd00::20]\n"
		"  ipFamilies: [IPv4, IPv6]\n"
		"  ipFamilyPolicy: PreferDualStack\n"
		"  internalTrafficPolicy: Cluster\n"
		"  sessionAffinity: None\n"
		"  selector: {app: redis}\n"
		"  ports:\n"
		"  - name: tcp-redis\n"
		"    port: 6379\n"
		"    targetPort: 6379\n"
		"    protocol: TCP\n"
		"    appProtocol: tcp\n"
		"  - name: stats\n"
		"    port: 8125\n"
		"    targetPort: statsd\n"
		"    protocol: UDP\n"
		"    nodePort: 30125\n"
		"  - port: 80\n"
		"status:\n"
		"  loadBalancer: {}\n"
		"---\n"
		"apiVersion: v1\n"
		"kind: Service\n"
		"metadata: {name: example}\n"
		"spec:\n"
		"  clusterIP: None\n"
		"  ports: [{port: 80, targetPort: \"8080\"}]\n"
		"---\n"
		"apiVersion: v1\n"
		"kind: Service\n"
		"metadata: {name: ext, namespace: kuma-demo}\n"
		"spec:\n"
		"  type: ExternalName\n"
		"  externalName: db.example.com\n"
		"  clusterIP: \"\"\n");
	finish(f);
	assert_string_equal(diags(f), "");
	assert_int_equal(f->set->nk8s_services, 3);

	svc = &f->set->k8s_services[0];
	assert_string_equal(svc->meta.name, "example");
	assert_string_equal(svc->meta.namespace, "default");
	assert_null(svc->meta.mesh);
	assert_null(svc->type);
	assert_string_equal(svc->cluster_ip, "None");
	assert_int_equal(svc->nports, 1);
	assert_null(svc->ports[0].name);
	assert_int_equal(svc->ports[0].port, 80);
	/* a quoted number is a port name, as Kubernetes reads it */
	assert_int_equal(svc->ports[0].target_is_name, 1);
	assert_string_equal(svc->ports[0].target_name, "8080");
	assert_string_equal(svc->ports[0].protocol, "TCP");
	assert_null(svc->ports[0].app_protocol);

	svc = &f->set->k8s_services[1];
	assert_string_equal(svc->meta.name, "ext");
	assert_string_equal(svc->type, "ExternalName");
	assert_null(svc->cluster_ip);
	assert_int_equal(svc->nports, 0);

	svc = &f->set->k8s_services[2];
	assert_int_equal(svc->meta.kind, RESOURCE_K8S_SERVICE);
	assert_int_equal(svc->meta.shape, RESOURCE_SHAPE_KUBERNETES);
	assert_string_equal(svc->meta.name, "redis");
	assert_string_equal(svc->meta.namespace, "kuma-demo");
	/* not mesh-scoped: the generator reads the label */
	assert_null(svc->meta.mesh);
	assert_string_equal(resource_labels_get(&svc->meta.labels,
						"kuma.io/mesh"), "prod");
	assert_int_equal(svc->annotations.n, 1);
	assert_string_equal(resource_labels_get(&svc->annotations,
						"kuma.io/ignore"), "true");
	assert_string_equal(svc->type, "ClusterIP");
	assert_string_equal(svc->cluster_ip, "10.96.20.10");
	assert_int_equal(svc->selector.n, 1);
	assert_string_equal(svc->selector.v[0].key, "app");
	assert_int_equal(svc->nports, 3);
	assert_string_equal(svc->ports[0].name, "tcp-redis");
	assert_int_equal(svc->ports[0].port, 6379);
	assert_int_equal(svc->ports[0].target_is_name, 0);
	assert_int_equal(svc->ports[0].target_port, 6379);
	assert_string_equal(svc->ports[0].protocol, "TCP");
	assert_string_equal(svc->ports[0].app_protocol, "tcp");
	assert_int_equal(svc->ports[0].pos.line, 20);
	assert_int_equal(svc->ports[0].pos.column, 5);
	assert_string_equal(svc->ports[1].name, "stats");
	assert_int_equal(svc->ports[1].target_is_name, 1);
	assert_string_equal(svc->ports[1].target_name, "statsd");
	assert_string_equal(svc->ports[1].protocol, "UDP");
	assert_null(svc->ports[2].name);
	assert_int_equal(svc->ports[2].port, 80);
	assert_int_equal(svc->ports[2].target_port, 0);	/* = port */
	assert_string_equal(svc->ports[2].protocol, "TCP");
}

static void
test_endpoint_slices_pods_namespaces(void **state)
{
	struct fx *f = *state;
	const struct resource_endpoint_slice *es;
	const struct resource_k8s_object *o;

	load(f, "apiVersion: discovery.k8s.io/v1\n"
		"kind: EndpointSlice\n"
		"metadata:\n"
		"  name: example-abc12\n"
		"  namespace: kuma-demo\n"
		"  labels:\n"
		"    kubernetes.io/service-name: example\n"
		"    endpointslice.kubernetes.io/managed-by: "
		"endpointslice-controller.k8s.io\n"
		"  ownerReferences: [{kind: Service, name: example}]\n"
		"addressType: IPv4\n"
		"endpoints:\n"
		"- addresses: [10.244.1.5]\n"
		"  conditions: {ready: true, serving: true, terminating: false}\n"
		"  nodeName: node-1\n"
		"  zone: eu-1a\n"
		"  targetRef: {kind: Pod, name: example-0, namespace: kuma-demo, "
		"uid: a1}\n"
		"- addresses: [10.244.2.7, 10.244.2.8]\n"
		"  conditions: {ready: false}\n"
		"  targetRef: {kind: Pod, name: example-1}\n"
		"- addresses: [10.244.3.9]\n"
		"  targetRef: {kind: Node, name: node-3}\n"
		"ports:\n"
		"- {name: http, port: 8080, protocol: TCP}\n"
		"---\n"
		"apiVersion: discovery.k8s.io/v1\n"
		"kind: EndpointSlice\n"
		"metadata: {name: orphan}\n"
		"addressType: FQDN\n"
		"endpoints:\n"
		"- addresses: [db.example.com]\n"
		"---\n"
		"apiVersion: v1\n"
		"kind: Pod\n"
		"metadata:\n"
		"  name: example-0\n"
		"  namespace: kuma-demo\n"
		"  labels: {app: example, statefulset.kubernetes.io/pod-name: "
		"example-0}\n"
		"  annotations: {kuma.io/sidecar-injected: \"true\"}\n"
		"spec:\n"
		"  containers: [{name: app, image: example}]\n"
		"status: {podIP: 10.244.1.5}\n"
		"---\n"
		"apiVersion: v1\n"
		"kind: Pod\n"
		"metadata: {name: loner}\n"
		"---\n"
		"apiVersion: v1\n"
		"kind: Namespace\n"
		"metadata:\n"
		"  name: kuma-demo\n"
		"  namespace: ignored\n"
		"  labels: {kuma.io/sidecar-injection: enabled}\n"
		"spec: {finalizers: [kubernetes]}\n"
		"status: {phase: Active}\n");
	finish(f);
	assert_string_equal(diags(f),
		"t.yaml:27:1: warning: EndpointSlice orphan has no label "
		"kubernetes.io/service-name, so it belongs to no Service\n");
	assert_int_equal(f->set->nendpoint_slices, 2);

	es = &f->set->endpoint_slices[0];
	assert_int_equal(es->meta.kind, RESOURCE_K8S_ENDPOINT_SLICE);
	assert_string_equal(es->meta.name, "example-abc12");
	assert_string_equal(es->meta.namespace, "kuma-demo");
	assert_null(es->meta.mesh);
	assert_string_equal(es->service_name, "example");
	assert_int_equal(es->nendpoints, 3);
	assert_string_equal(es->endpoints[0].address, "10.244.1.5");
	assert_string_equal(es->endpoints[0].pod_name, "example-0");
	assert_string_equal(es->endpoints[0].pod_namespace, "kuma-demo");
	assert_int_equal(es->endpoints[0].ready, 1);
	/* the first address; the Pod in the slice's namespace */
	assert_string_equal(es->endpoints[1].address, "10.244.2.7");
	assert_string_equal(es->endpoints[1].pod_name, "example-1");
	assert_string_equal(es->endpoints[1].pod_namespace, "kuma-demo");
	assert_int_equal(es->endpoints[1].ready, 0);
	/* not a Pod: no pod; ready when not said */
	assert_string_equal(es->endpoints[2].address, "10.244.3.9");
	assert_null(es->endpoints[2].pod_name);
	assert_null(es->endpoints[2].pod_namespace);
	assert_int_equal(es->endpoints[2].ready, 1);

	es = &f->set->endpoint_slices[1];
	assert_string_equal(es->meta.name, "orphan");
	assert_string_equal(es->meta.namespace, "default");
	assert_null(es->service_name);
	assert_int_equal(es->nendpoints, 1);
	assert_string_equal(es->endpoints[0].address, "db.example.com");

	assert_int_equal(f->set->npods, 2);
	o = &f->set->pods[0];
	assert_int_equal(o->meta.kind, RESOURCE_K8S_POD);
	assert_string_equal(o->meta.name, "example-0");
	assert_string_equal(o->meta.namespace, "kuma-demo");
	assert_null(o->meta.mesh);
	assert_string_equal(resource_labels_get(&o->meta.labels,
				"statefulset.kubernetes.io/pod-name"),
			    "example-0");
	o = &f->set->pods[1];
	assert_string_equal(o->meta.name, "loner");
	assert_string_equal(o->meta.namespace, "default");
	assert_int_equal(o->meta.labels.n, 0);

	assert_int_equal(f->set->nnamespaces, 1);
	o = &f->set->namespaces[0];
	assert_int_equal(o->meta.kind, RESOURCE_K8S_NAMESPACE);
	assert_string_equal(o->meta.name, "kuma-demo");
	assert_null(o->meta.namespace);		/* cluster-wide */
	assert_string_equal(resource_labels_get(&o->meta.labels,
				"kuma.io/sidecar-injection"), "enabled");
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
	assert_null(mz->matches);
	assert_int_equal(mz->nmatches, 0);
	mz = &f->set->multizone_services[1];
	assert_string_equal(mz->meta.name, "web");
	assert_string_equal(mz->meta.mesh, "prod");
	assert_string_equal(mz->meta.namespace, "kuma-system");
	assert_int_equal(mz->nports, 1);
	assert_int_equal(mz->nvips, 0);
}

static void
test_list_of_new_kinds(void **state)
{
	struct fx *f = *state;

	load(f, "apiVersion: v1\n"
		"kind: List\n"
		"items:\n"
		"- apiVersion: v1\n"
		"  kind: Namespace\n"
		"  metadata: {name: kuma-demo}\n"
		"- apiVersion: v1\n"
		"  kind: Service\n"
		"  metadata: {name: redis, namespace: kuma-demo}\n"
		"  spec: {clusterIP: 10.96.0.1, ports: [{port: 6379}]}\n"
		"- apiVersion: discovery.k8s.io/v1\n"
		"  kind: EndpointSlice\n"
		"  metadata:\n"
		"    name: redis-x\n"
		"    namespace: kuma-demo\n"
		"    labels: {kubernetes.io/service-name: redis}\n"
		"  addressType: IPv4\n"
		"  endpoints: [{addresses: [10.244.0.3]}]\n"
		"- apiVersion: v1\n"
		"  kind: Pod\n"
		"  metadata: {name: redis-0, namespace: kuma-demo}\n"
		"- apiVersion: kuma.io/v1alpha1\n"
		"  kind: Dataplane\n"
		"  mesh: default\n"
		"  metadata: {name: redis-0, namespace: kuma-demo}\n"
		"  spec:\n"
		"    networking: {address: 10.244.0.3, inbound: [{port: 6379}]}\n"
		"- apiVersion: kuma.io/v1alpha1\n"
		"  kind: MeshExternalService\n"
		"  metadata: {name: db, namespace: kuma-system}\n"
		"  spec: {match: {port: 5432}}\n"
		"- apiVersion: kuma.io/v1alpha1\n"
		"  kind: MeshMultiZoneService\n"
		"  metadata: {name: mz, namespace: kuma-system}\n"
		"  spec:\n"
		"    selector: {meshService: {matchLabels: {a: b}}}\n"
		"    ports: [{port: 1}]\n");
	finish(f);
	assert_string_equal(diags(f), "");
	assert_int_equal(total(f->set), 7);
	assert_int_equal(f->set->nnamespaces, 1);
	assert_int_equal(f->set->nk8s_services, 1);
	assert_int_equal(f->set->nendpoint_slices, 1);
	assert_int_equal(f->set->npods, 1);
	assert_int_equal(f->set->ndataplanes, 1);
	assert_int_equal(f->set->nexternal_services, 1);
	assert_int_equal(f->set->nmultizone_services, 1);
	assert_int_equal(f->set->k8s_services[0].meta.pos.line, 7);
	assert_int_equal(f->set->k8s_services[0].meta.pos.column, 3);
	assert_int_equal(f->set->dataplanes[0].meta.pos.line, 22);
	assert_string_equal(f->set->endpoint_slices[0].endpoints[0].address,
			    "10.244.0.3");
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
	struct resource_mesh_multi_zone_service *mz;
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
		ms->meta.mesh = xstrdup("default");
		ms->origin = RESOURCE_FROM_DATAPLANES;
		assert_int_equal(resource_labels_set(&ms->meta.labels,
				 "kuma.io/managed-by", "meshservice-generator"),
				 0);
	}
	assert_int_equal(f->set->nservices, 41);
	assert_string_equal(f->set->services[0].meta.name, "written");
	assert_string_equal(f->set->services[1].meta.name, "gen-39");

	ms = &f->set->services[5];
	assert_int_equal(resource_mesh_service_add_condition(ms, "PortConflict",
			 1, "PortsDiffer", "ports differ: redis-2"), 0);
	assert_int_equal(resource_mesh_service_add_condition(ms, "Other", 0,
							    NULL, NULL), 0);
	assert_int_equal(ms->nconditions, 2);
	assert_string_equal(ms->conditions[0].type, "PortConflict");
	assert_int_equal(ms->conditions[0].status, 1);
	assert_string_equal(ms->conditions[0].reason, "PortsDiffer");
	assert_string_equal(ms->conditions[0].message, "ports differ: redis-2");
	assert_string_equal(ms->conditions[1].type, "Other");
	assert_int_equal(ms->conditions[1].status, 0);
	assert_null(ms->conditions[1].reason);
	assert_null(ms->conditions[1].message);

	/* Kuma's order again: no creation time first, then by name */
	resource_set_sort(f->set);
	for (i = 0; i < 40; i++) {
		snprintf(name, sizeof(name), "gen-%02d", i);
		assert_string_equal(f->set->services[i].meta.name, name);
		assert_int_equal(f->set->services[i].origin,
				 RESOURCE_FROM_DATAPLANES);
	}
	assert_string_equal(f->set->services[40].meta.name, "written");
	assert_int_equal(f->set->services[35].nconditions, 2);	/* gen-35 */

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

	/* matches borrow their strings: the set frees the array only */
	mz = &f->set->multizone_services[0];
	mz->matches = calloc(2, sizeof(*mz->matches));
	assert_non_null(mz->matches);
	mz->nmatches = 2;
	mz->matches[0].name = f->set->services[0].meta.name;
	mz->matches[0].namespace = "";
	mz->matches[0].zone = "east";
	mz->matches[0].mesh = f->set->services[0].meta.mesh;
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

	snprintf(f->dir, sizeof(f->dir), "/tmp/test_resource.XXXXXX");
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

	snprintf(f->dir, sizeof(f->dir), "/tmp/test_resource.XXXXXX");
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
	assert_int_equal(resource_path_digest(f->dir, &digest), 0);
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

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_docs_example, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_kubernetes_shape, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_list, setup, teardown),
		cmocka_unit_test_setup_teardown(test_multi_document, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_hostname_generators, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_mesh_modes, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_validation_messages, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_invalid_left_out, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_accepted_values, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_unknown_keys_warn, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_unsupported_kinds_skipped,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_selector_warning, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_syntax_error, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_duplicates, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_creation_time_order, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_bad_times, setup, teardown),
		cmocka_unit_test_setup_teardown(test_meta_cmp, setup, teardown),
		cmocka_unit_test_setup_teardown(test_labels, setup, teardown),
		cmocka_unit_test(test_rfc1035),
		cmocka_unit_test_setup_teardown(test_dataplane_universal,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_dataplane_kubernetes,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_k8s_service, setup,
						teardown),
		cmocka_unit_test_setup_teardown(
			test_endpoint_slices_pods_namespaces, setup, teardown),
		cmocka_unit_test_setup_teardown(test_external_and_multizone,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_list_of_new_kinds, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_duplicates_new_kinds,
						setup, teardown),
		cmocka_unit_test(test_kind_names),
		cmocka_unit_test(test_labels_set),
		cmocka_unit_test_setup_teardown(test_new_and_remove, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_compute_labels_external,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_load_path, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_load_dir_any_threads,
						setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
