/* SPDX-License-Identifier: MIT */
/* test_resource.c -- resources from YAML: shapes, validation, order. */
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

#include "resource.h"

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
		assert_int_equal(f->set->nservices + f->set->nmeshes +
				 f->set->ngenerators, 0);
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

	load(f, "type: Dataplane\n"
		"mesh: default\n"
		"name: redis-1\n"
		"networking: {address: 23.234.0.1}\n"
		"---\n"
		"apiVersion: v1\n"
		"kind: Service\n"
		"metadata: {name: redis, namespace: ns}\n"
		"spec: {clusterIP: 10.96.0.1}\n"
		"---\n"
		"apiVersion: kuma.io/v1alpha1\n"
		"kind: MeshExternalService\n"
		"metadata:\n"
		"  name: aurora\n"
		"---\n"
		"type: MeshTrafficPermission\n");
	finish(f);
	assert_string_equal(diags(f),
		"t.yaml:1:1: warning: skipping Dataplane redis-1: kind not "
		"supported yet\n"
		"t.yaml:6:1: warning: skipping Service redis: kind not "
		"supported yet\n"
		"t.yaml:11:1: warning: skipping MeshExternalService aurora: "
		"kind not supported yet\n"
		"t.yaml:16:1: warning: skipping MeshTrafficPermission: kind "
		"not supported yet\n");
	assert_int_equal(f->errs.errors, 0);
	assert_int_equal(f->set->nservices + f->set->nmeshes +
			 f->set->ngenerators, 0);
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
		cmocka_unit_test_setup_teardown(test_load_path, setup,
						teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
