/* SPDX-License-Identifier: MIT */
/* test_resource_read.c -- documents: shapes, Lists, metadata, messages. */
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

/* `kumactl get meshservices -o yaml`: Kuma's REST list, items universal. */
static void
test_kumactl_list(void **state)
{
	struct fx *f = *state;
	const struct resource_mesh_service *ms;

	load(f, "items:\n"
		"- creationTime: \"2024-05-01T10:00:00Z\"\n"
		"  mesh: default\n"
		"  modificationTime: \"2024-05-01T10:00:00Z\"\n"
		"  name: redis\n"
		"  spec:\n"
		"    selector: {dataplaneTags: {app: redis}}\n"
		"    ports: [{port: 6379, appProtocol: tcp}]\n"
		"  status: {}\n"
		"  type: MeshService\n"
		"- mesh: default\n"
		"  name: web\n"
		"  spec:\n"
		"    selector: {dataplaneTags: {app: web}}\n"
		"    ports: [{port: 80}]\n"
		"  type: MeshService\n"
		"next: null\n"
		"total: 2\n");
	finish(f);
	assert_string_equal(diags(f), "");
	assert_int_equal(f->set->nservices, 2);
	ms = strcmp(f->set->services[0].meta.name, "redis") == 0 ?
	     &f->set->services[0] : &f->set->services[1];
	assert_string_equal(ms->meta.name, "redis");
	assert_int_equal(ms->meta.pos.line, 2);
	assert_int_equal(ms->ports[0].port, 6379);

	/* One page of several: what is there loads, and a warning says so. */
	reset(f);
	load(f, "total: 3\n"
		"items:\n"
		"- {type: Mesh, name: default}\n"
		"next: http://127.0.0.1:5681/meshes?offset=1&size=1\n");
	finish(f);
	assert_string_equal(diags(f), "t.yaml:4:7: warning: next: this list "
			    "is one page of a longer one (next page: "
			    "http://127.0.0.1:5681/meshes?offset=1&size=1): "
			    "the resources of the other pages are missing; "
			    "print them all with kumactl get without --size\n");
	assert_int_equal(f->set->nmeshes, 1);
	reset(f);
	load(f, "total: 3\nitems:\n- {type: Mesh, name: default}\n"
		"next:\nextra: 1\n");
	finish(f);
	assert_string_equal(diags(f),
		"t.yaml:5:1: warning: unknown field \"extra\"\n"
		"t.yaml:1:8: warning: total: 3 resources, but items holds 1: "
		"the others are missing\n");
	assert_int_equal(f->set->nmeshes, 1);
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
	/*
	 * Kuma 2.14: a MeshService name longer than 63 is an error (with the
	 * deprecation warning for RFC 1035); test_service_name_warnings()
	 * has the names that are only warned about.
	 */
	{ "type: MeshService\nname: " NAME64 "\n" SELECTOR,
	  "t.yaml:2:7: error: name: must not be longer than 63 characters\n"
	  "t.yaml:2:7: warning: Invalid MeshService resource name: '" NAME64
	  "'. It does not conform to the DNS format (RFC 1035). This is "
	  "deprecated. Errors: must be no more than 63 characters\n" },
	{ "type: MeshService\nname: A" NAME64 "\n" SELECTOR,
	  "t.yaml:2:7: error: name: must not be longer than 63 characters\n"
	  "t.yaml:2:7: warning: Invalid MeshService resource name: 'A" NAME64
	  "'. It does not conform to the DNS format (RFC 1035). This is "
	  "deprecated. Errors: must be no more than 63 characters; "
	  DNS1035_MSG "\n" },
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

/*
 * A MeshService name that is not an RFC 1035 label is accepted with Kuma
 * 2.14's deprecation warning, at the display name where it is written.
 */
static void
test_service_name_warnings(void **state)
{
	static const struct bad_case cases[] = {
		{ "type: MeshService\nname: Redis_1\n" SELECTOR,
		  "t.yaml:2:7: warning: Invalid MeshService resource name: "
		  "'Redis_1'. It does not conform to the DNS format (RFC "
		  "1035). This is deprecated. Errors: " DNS1035_MSG "\n" },
		{ "type: MeshService\nname: 1redis\n" SELECTOR,
		  "t.yaml:2:7: warning: Invalid MeshService resource name: "
		  "'1redis'. It does not conform to the DNS format (RFC "
		  "1035). This is deprecated. Errors: " DNS1035_MSG "\n" },
		{ "type: MeshService\nname: redis-\n" SELECTOR,
		  "t.yaml:2:7: warning: Invalid MeshService resource name: "
		  "'redis-'. It does not conform to the DNS format (RFC "
		  "1035). This is deprecated. Errors: " DNS1035_MSG "\n" },
		{ "type: MeshService\nname: redis\nlabels:\n"
		  "  kuma.io/display-name: Redis\n" SELECTOR,
		  "t.yaml:4:25: warning: Invalid MeshService resource name: "
		  "'Redis'. It does not conform to the DNS format (RFC "
		  "1035). This is deprecated. Errors: " DNS1035_MSG "\n" },
		{ "apiVersion: kuma.io/v1alpha1\nkind: MeshService\n"
		  "metadata:\n  name: redis.v2\n" SELECTOR,
		  "t.yaml:4:9: warning: Invalid MeshService resource name: "
		  "'redis.v2'. It does not conform to the DNS format (RFC "
		  "1035). This is deprecated. Errors: " DNS1035_MSG "\n" },
	};
	struct fx *f = *state;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		reset(f);
		load(f, cases[i].yaml);
		finish(f);
		assert_string_equal(diags(f), cases[i].diags);
		assert_int_equal(f->errs.errors, 0);
		assert_int_equal(f->set->nservices, 1);
	}
}

/* The resource that failed is left out; the others still load. */
static void
test_invalid_left_out(void **state)
{
	struct fx *f = *state;

	load(f, "type: MeshService\nname: ok-1\n" SELECTOR
		"---\n"
		"type: MeshService\nname: " NAME64 "\n" SELECTOR
		"---\n"
		"type: MeshService\nname: ok-2\n" SELECTOR);
	finish(f);
	assert_int_equal(f->errs.errors, 1);
	assert_int_equal(f->set->nservices, 2);
	assert_string_equal(f->set->services[0].meta.name, "ok-1");
	assert_string_equal(f->set->services[1].meta.name, "ok-2");
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

/* A misspelt kind is skipped with the closest kind the shape can hold. */
static void
test_misspelt_kind(void **state)
{
	struct fx *f = *state;

	load(f, "type: MeshServce\n"
		"name: redis\n"
		"---\n"
		"type: hostnamegenerator\n"
		"name: short\n"
		"---\n"
		"apiVersion: v1\n"
		"kind: Servce\n"
		"metadata: {name: redis, namespace: ns}\n"
		"---\n"
		"type: Servce\n"
		"name: redis\n");
	finish(f);
	assert_string_equal(diags(f),
		"t.yaml:1:1: warning: skipping MeshServce redis: kind not "
		"supported yet (did you mean \"MeshService\"?)\n"
		"t.yaml:4:1: warning: skipping hostnamegenerator short: kind "
		"not supported yet (did you mean \"HostnameGenerator\"?)\n"
		"t.yaml:7:1: warning: skipping Servce redis: kind not "
		"supported yet (did you mean \"Service\"?)\n"
		"t.yaml:11:1: warning: skipping Servce redis: kind not "
		"supported yet\n");
	assert_int_equal(f->errs.errors, 0);
	assert_int_equal(total(f->set), 0);
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

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_kubernetes_shape, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_kumactl_list, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_list, setup, teardown),
		cmocka_unit_test_setup_teardown(test_misspelt_kind, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_multi_document, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_validation_messages, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_invalid_left_out, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_service_name_warnings,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_unknown_keys_warn, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_unsupported_kinds_skipped,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_syntax_error, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_bad_times, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_list_of_new_kinds, setup,
						teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
