/* SPDX-License-Identifier: MIT */
/* test_resource_k8s.c -- Kubernetes Service, EndpointSlice, Namespace, Pod. */
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
	/* a Pod's annotations are read (kuma.io/gateway) */
	assert_string_equal(resource_labels_get(&o->annotations,
				"kuma.io/sidecar-injected"), "true");
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

/* A MeshService's first owner reference: Kuma's controller owns by it. */
static void
test_mesh_service_owner(void **state)
{
	struct fx *f = *state;
	const struct resource_mesh_service *ms;

	load(f, "apiVersion: kuma.io/v1alpha1\n"
		"kind: MeshService\n"
		"metadata:\n"
		"  name: example\n"
		"  namespace: demo\n"
		"  ownerReferences:\n"
		"  - {apiVersion: v1, kind: Service, name: example, uid: \"\"}\n"
		"  - {apiVersion: v1, kind: Pod, name: second}\n"
		"spec: {ports: [{port: 80}], selector: {dataplaneTags: "
		"{app: x}}}\n"
		"---\n"
		"apiVersion: kuma.io/v1alpha1\n"
		"kind: MeshService\n"
		"metadata: {name: plain, namespace: demo}\n"
		"spec: {ports: [{port: 80}], selector: {dataplaneTags: "
		"{app: x}}}\n");
	finish(f);
	assert_string_equal(diags(f), "");
	assert_int_equal(f->set->nservices, 2);
	ms = &f->set->services[0];
	assert_string_equal(ms->meta.name, "example");
	assert_string_equal(ms->owner_kind, "Service");
	assert_string_equal(ms->owner_name, "example");
	ms = &f->set->services[1];
	assert_null(ms->owner_kind);
	assert_null(ms->owner_name);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_k8s_service, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_mesh_service_owner, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_endpoint_slices_pods_namespaces,
						setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
