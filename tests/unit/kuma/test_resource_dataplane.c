/* SPDX-License-Identifier: MIT */
/* test_resource_dataplane.c -- Dataplane: inbounds and reachableBackends. */
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

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_dataplane_universal, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_dataplane_kubernetes,
						setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
