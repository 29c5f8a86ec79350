/* SPDX-License-Identifier: MIT */
/* resource.c -- Kuma resources from YAML: shapes, validation, order. */

/*
 * Accepted input
 * ==============
 *
 * A resource file is a YAML stream: any number of documents separated by
 * "---".  An empty document (only comments, or nothing between two "---")
 * is ignored.  Every other document is one resource, or a Kubernetes
 * `kind: List` holding several.  A file given by name is read whatever its
 * name; inside a directory only *.yaml and *.yml files are read, in name
 * order (byte order, not the locale's), subdirectories included, and
 * entries whose name starts with a dot are skipped.
 *
 * Universal shape (what `kumactl get ... -o yaml` and `kumactl export`
 * write): the document has `type:`.
 *
 *	type: MeshService               # Mesh, MeshService, HostnameGenerator,
 *	                                # MeshExternalService,
 *	                                # MeshMultiZoneService, Dataplane
 *	name: redis                     # required
 *	mesh: default                   # mesh-scoped kinds; default "default"
 *	labels:                         # optional; string values
 *	  team: db-operators
 *	creationTime: 2024-05-01T10:00:00Z   # optional, RFC 3339
 *	modificationTime: ...           # accepted, ignored
 *	spec:
 *	  selector:                     # at most one of the three
 *	    dataplaneTags: {app: redis}
 *	    # dataplaneLabels: {matchLabels: {app: redis}}
 *	    # dataplaneRef: {name: redis-1}
 *	  ports:
 *	  - port: 6739                  # required, 1..65535
 *	    targetPort: 6739            # optional: 1..65535, or an inbound name
 *	    appProtocol: tcp            # optional: grpc, http, http2, tcp
 *	  - name: some-port             # optional; the port number names it
 *	    port: 16739
 *	    targetPort: target-port-from-container
 *	  state: Available              # optional: Available, Unavailable
 *	status:                         # optional; only vips[].ip is read
 *	  vips:
 *	  - ip: 10.0.1.1                # must be an IPv4 or IPv6 address
 *
 * Mesh keeps its fields at the top level in this shape:
 *
 *	type: Mesh
 *	name: default
 *	meshServices:
 *	  mode: Exclusive               # Disabled, Everywhere,
 *	                                # ReachableBackends, Exclusive
 *
 * and a HostnameGenerator (not scoped to a mesh: no `mesh:`) reads:
 *
 *	type: HostnameGenerator
 *	name: local-universal-mesh-service
 *	spec:
 *	  selector:                     # exactly one of meshService,
 *	    meshService:                # meshExternalService,
 *	      matchLabels:              # meshMultiZoneService
 *	        kuma.io/origin: zone    # optional; empty matches everything
 *	  template: "{{ .DisplayName }}.svc.mesh.local"   # required
 *
 * Kubernetes shape (what `kubectl get ... -o yaml` writes): the document
 * has `kind:`.
 *
 *	apiVersion: kuma.io/v1alpha1    # required (v1, discovery.k8s.io/v1
 *	                                # for the Kubernetes objects below)
 *	kind: MeshService
 *	metadata:
 *	  name: redis                   # required
 *	  namespace: redis-system       # optional
 *	  labels:
 *	    kuma.io/mesh: default       # the mesh; default "default"
 *	  creationTimestamp: "2024-05-01T10:00:00Z"   # optional, or null
 *	  annotations: {...}            # ignored, like the rest of ObjectMeta
 *	spec: {...}                     # as in the universal shape
 *	status: {...}
 *
 * Here Mesh keeps its fields under `spec` (spec.meshServices.mode).
 * Several objects come as
 *
 *	apiVersion: v1
 *	kind: List
 *	items:
 *	- apiVersion: kuma.io/v1alpha1
 *	  kind: MeshService
 *	  ...
 *
 * Dataplane (both shapes; like Mesh, its fields sit at the top level in
 * the universal shape and under `spec` in the Kubernetes one, which also
 * has a top-level `mesh:`):
 *
 *	type: Dataplane
 *	mesh: default
 *	name: redis-1
 *	labels: {kuma.io/workload: redis}   # resource labels
 *	networking:
 *	  address: 10.0.0.1             # required; an IP address (the source
 *	                                # address of the proxy's DNS queries)
 *	  inbound:                      # at least one, unless `gateway:`
 *	  - name: main                  # optional
 *	    port: 9000                  # required, 1..65535
 *	    servicePort: 6379           # optional, 1..65535
 *	    protocol: tcp               # optional, any text (Kuma 3)
 *	    tags: {kuma.io/service: redis, kuma.io/protocol: tcp}
 *	    state: Ignored              # optional: Ready, NotReady, Ignored
 *	  transparentProxying:
 *	    reachableBackends:          # `{}`: set, and nothing is reachable
 *	      refs:
 *	      - kind: MeshService       # or MeshExternalService,
 *	                                # MeshMultiZoneService
 *	        name: billing           # or labels: {...}, not both
 *	        namespace: kuma-demo    # optional, only with name
 *	        port: 8080              # optional, 1..65535
 *
 * outbound, gateway, admin, advertisedAddress, probes, metrics and the
 * other transparentProxying fields are Kuma's and accepted unread.  A
 * Kubernetes-shape Dataplane may carry the Pod annotation instead:
 *
 *	metadata:
 *	  annotations:
 *	    kuma.io/reachable-backends: |      # "" : nothing is reachable
 *	      refs:
 *	      - {kind: MeshService, name: redis, namespace: kuma-demo}
 *
 * (spec.networking.transparentProxying.reachableBackends wins when both are
 * there; problems inside the annotation are reported at the annotation.)
 *
 * MeshExternalService (spec and status in both shapes):
 *
 *	spec:
 *	  match:
 *	    type: HostnameGenerator     # optional, the only value
 *	    port: 5432                  # required, 1..65535
 *	    protocol: tcp               # optional: tcp (default), grpc, http,
 *	                                # http2
 *	  endpoints:                    # optional; checked unless `extension`
 *	  - {address: aurora.example.com, port: 5432}   # IP, hostname or
 *	                                # unix:///path (no port)
 *	  tls: {...}                    # accepted, not read
 *	  extension: {type: x, config: {...}}   # type required when present
 *	status:
 *	  vip: {ip: 242.0.0.1}          # optional; an IP address
 *
 * MeshMultiZoneService:
 *
 *	spec:
 *	  selector:
 *	    meshService:
 *	      matchLabels: {kuma.io/display-name: redis}   # required, non-empty
 *	  ports:                        # required, at least one; as MeshService
 *	  - {port: 6379, appProtocol: tcp}
 *	status:
 *	  vips: [{ip: 243.0.0.1}]       # optional
 *
 * Dataplane, MeshExternalService and MeshMultiZoneService belong to a mesh
 * like MeshService (`mesh:`, label kuma.io/mesh, or "default").
 *
 * Kubernetes objects, only in the Kubernetes shape, never in a mesh (the
 * generator picks the mesh from their labels); their metadata.namespace
 * defaults to "default" (Namespace has none):
 *
 *	apiVersion: v1
 *	kind: Service
 *	metadata: {name: redis, namespace: kuma-demo, labels: {...},
 *	           annotations: {...}}
 *	spec:
 *	  type: ClusterIP               # ClusterIP, NodePort, LoadBalancer,
 *	                                # ExternalName
 *	  clusterIP: 10.96.0.10         # an IP, None (headless), or "" / absent
 *	  selector: {app: redis}
 *	  ports:
 *	  - name: tcp-redis             # optional
 *	    port: 6379                  # required, 1..65535
 *	    targetPort: 6379            # optional: 1..65535 or a port name
 *	    protocol: TCP               # TCP (default), UDP, SCTP
 *	    appProtocol: tcp            # optional, any text
 *	---
 *	apiVersion: discovery.k8s.io/v1
 *	kind: EndpointSlice
 *	metadata:
 *	  name: example-abc12
 *	  namespace: kuma-demo
 *	  labels: {kubernetes.io/service-name: example}   # its Service
 *	addressType: IPv4               # IPv4, IPv6, FQDN
 *	endpoints:
 *	- addresses: [10.244.1.5]       # at least one; IPs unless FQDN; the
 *	                                # first is used
 *	  conditions: {ready: true}     # ready defaults to true
 *	  targetRef: {kind: Pod, name: example-0, namespace: kuma-demo}
 *	---
 *	apiVersion: v1
 *	kind: Namespace                 # or Pod: metadata only; spec and
 *	metadata: {name: kuma-demo, labels: {...}}   # status are not read
 *
 * The rest of a real Service or EndpointSlice manifest (clusterIPs,
 * sessionAffinity, ipFamilies, nodePort, hints, ...) is accepted unread.
 *
 * Documents of any other kind (MeshTrafficPermission, Deployment, ...) give
 * a warning and are skipped.  Unknown keys at the top level, in metadata
 * and in the parts of `spec` that are read give a warning naming the key;
 * `status` is output of a control plane and only the VIPs are read.
 * Everything else that is wrong is an error at the offending node, and the
 * resource is left out while the rest still loads.  Where Kuma has a
 * validator its message is used (Kuma 3 for MeshService names and
 * appProtocol, 2.14 for the selector, which still has dataplaneTags, and
 * for Dataplane, MeshExternalService and MeshMultiZoneService).
 */

#include "autoconfig.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/digest.h"
#include "util/file.h"
#include "util/thread.h"
#include "kuma/resource.h"

#define NS_PER_SEC 1000000000LL

struct set_priv {
	size_t caps[RESOURCE_KIND_COUNT];	/* capacity of each kind's array */
	struct yamlx_stream **streams;
	size_t nstreams;
	size_t streams_cap;
	int drop_yaml;		/* resource_set_keep_yaml(set, 0) */
	char **files;		/* file names, when the streams are dropped */
	size_t nfiles;
	size_t files_cap;
	uint64_t digest;	/* of the files read: resource_set_digest() */
};

/* What the reader of one stream needs to report. */
struct ctx {
	struct resource_set *set;
	struct diag_list *errs;
	const char *file;		/* borrowed from the stream */
	const struct yamlx_node *doc;	/* the object being read */
	const struct yamlx_node *pin;	/* when set, every report goes here:
					 * the annotation whose embedded YAML
					 * is being read */
	int keep_yaml;			/* spec nodes may be kept */
};

static const char *const kind_names[RESOURCE_KIND_COUNT] = {
	[RESOURCE_MESH] = "Mesh",
	[RESOURCE_MESH_SERVICE] = "MeshService",
	[RESOURCE_HOSTNAME_GENERATOR] = "HostnameGenerator",
	[RESOURCE_MESH_EXTERNAL_SERVICE] = "MeshExternalService",
	[RESOURCE_MESH_MULTI_ZONE_SERVICE] = "MeshMultiZoneService",
	[RESOURCE_DATAPLANE] = "Dataplane",
	[RESOURCE_K8S_SERVICE] = "Service",
	[RESOURCE_K8S_ENDPOINT_SLICE] = "EndpointSlice",
	[RESOURCE_K8S_NAMESPACE] = "Namespace",
	[RESOURCE_K8S_POD] = "Pod",
};

#define KUMA_API_VERSION "kuma.io/v1alpha1"

/* The apiVersion of each kind's Kubernetes shape. */
static const char *const api_versions[RESOURCE_KIND_COUNT] = {
	[RESOURCE_MESH] = KUMA_API_VERSION,
	[RESOURCE_MESH_SERVICE] = KUMA_API_VERSION,
	[RESOURCE_HOSTNAME_GENERATOR] = KUMA_API_VERSION,
	[RESOURCE_MESH_EXTERNAL_SERVICE] = KUMA_API_VERSION,
	[RESOURCE_MESH_MULTI_ZONE_SERVICE] = KUMA_API_VERSION,
	[RESOURCE_DATAPLANE] = KUMA_API_VERSION,
	[RESOURCE_K8S_SERVICE] = "v1",
	[RESOURCE_K8S_ENDPOINT_SLICE] = "discovery.k8s.io/v1",
	[RESOURCE_K8S_NAMESPACE] = "v1",
	[RESOURCE_K8S_POD] = "v1",
};

static const char *const mode_names[] = {
	[RESOURCE_MESH_MODE_DISABLED] = "Disabled",
	[RESOURCE_MESH_MODE_EVERYWHERE] = "Everywhere",
	[RESOURCE_MESH_MODE_REACHABLE_BACKENDS] = "ReachableBackends",
	[RESOURCE_MESH_MODE_EXCLUSIVE] = "Exclusive",
};

/*
 * The messages of apimachinery's IsDNS1035Label, which Kuma 3 applies to
 * MeshService names (the double space is theirs).
 */
static const char rfc1035_len_msg[] = "must be no more than 63 characters";
static const char rfc1035_fmt_msg[] =
	"a DNS-1035 label must consist of lower case alphanumeric characters "
	"or '-', start with an alphabetic character, and end with an "
	"alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used "
	"for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')";

static const char app_protocol_msg[] =
	"appProtocol must be one of: grpc, http, http2, tcp";

/* Kuma's Dataplane validator (2.x), for Dataplane ports and backend refs. */
static const char dp_port_msg[] = "port must be in the range [1, 65535]";
static const char backend_kind_msg[] =
	"invalid value. Available values are: MeshExternalService,"
	"MeshMultiZoneService,MeshService";
static const char rfc1123_msg[] =
	"invalid characters. A lowercase RFC 1123 subdomain must consist of "
	"lower case alphanumeric characters, '-' or '.', and must start and "
	"end with an alphanumeric character";

/* Kuma's MeshExternalService validator. */
static const char mes_port_msg[] = "port must be a valid (1-65535)";

#define REACHABLE_BACKENDS_ANNOTATION "kuma.io/reachable-backends"

/* Keys known per place; anything else is warned about. */
static const char *const universal_common_keys[] = {
	"type", "name", "labels", "creationTime", "modificationTime", NULL
};
static const char *const universal_ms_keys[] = {
	"mesh", "spec", "status", NULL
};
static const char *const universal_hg_keys[] = { "spec", NULL };
/* Mesh fields of Kuma 2.14's mesh.proto, top level here, spec on K8s. */
static const char *const mesh_spec_keys[] = {
	"mtls", "tracing", "logging", "metrics", "networking", "routing",
	"constraints", "skipCreatingInitialPolicies", "meshServices", NULL
};
static const char *const k8s_common_keys[] = {
	"apiVersion", "kind", "metadata", "spec", NULL
};
static const char *const k8s_status_keys[] = { "status", NULL };
/* Kubernetes ObjectMeta: all of it may appear in `kubectl get` output. */
static const char *const k8s_meta_keys[] = {
	"name", "generateName", "namespace", "selfLink", "uid",
	"resourceVersion", "generation", "creationTimestamp",
	"deletionTimestamp", "deletionGracePeriodSeconds", "labels",
	"annotations", "ownerReferences", "finalizers", "managedFields", NULL
};
static const char *const list_keys[] = {
	"apiVersion", "kind", "items", "metadata", NULL
};
static const char *const ms_spec_keys[] = {
	"selector", "ports", "state", "identities", NULL
};
static const char *const ms_selector_keys[] = {
	"dataplaneTags", "dataplaneRef", "dataplaneLabels", NULL
};
static const char *const ms_port_keys[] = {
	"name", "port", "targetPort", "appProtocol", NULL
};
static const char *const match_labels_keys[] = { "matchLabels", NULL };
static const char *const ref_keys[] = { "name", NULL };
static const char *const hg_spec_keys[] = {
	"selector", "template", "extension", NULL
};
static const char *const hg_selector_keys[] = {
	"meshService", "meshExternalService", "meshMultiZoneService", NULL
};
static const char *const mesh_services_keys[] = { "mode", NULL };

/* Dataplane: the fields of Kuma's dataplane.proto. */
static const char *const dp_universal_keys[] = {
	"mesh", "networking", "metrics", "probes", NULL
};
static const char *const dp_k8s_keys[] = { "mesh", NULL };
static const char *const dp_spec_keys[] = {
	"networking", "metrics", "probes", NULL
};
static const char *const dp_networking_keys[] = {
	"address", "advertisedAddress", "inbound", "outbound", "gateway",
	"ingress", "admin", "transparentProxying", "listeners", NULL
};
static const char *const dp_inbound_keys[] = {
	"name", "port", "servicePort", "serviceAddress", "address",
	"protocol", "tags", "state", "health", "serviceProbe", NULL
};
static const char *const dp_tproxy_keys[] = {
	"redirectPortInbound", "redirectPortInboundV6", "redirectPortOutbound",
	"directAccessServices", "reachableServices", "ipFamilyMode",
	"reachableBackends", NULL
};
static const char *const dp_backends_keys[] = { "refs", NULL };
static const char *const dp_ref_keys[] = {
	"kind", "name", "namespace", "port", "labels", NULL
};

/* MeshExternalService and MeshMultiZoneService */
static const char *const mes_spec_keys[] = {
	"match", "endpoints", "tls", "extension", NULL
};
static const char *const mes_match_keys[] = {
	"type", "port", "protocol", NULL
};
static const char *const mes_endpoint_keys[] = {
	"address", "port", "priority", NULL
};
static const char *const extension_keys[] = { "type", "config", NULL };
static const char *const mzs_spec_keys[] = { "selector", "ports", NULL };
static const char *const mzs_selector_keys[] = { "meshService", NULL };

/* Kubernetes objects: the fields of the v1 and discovery/v1 types. */
static const char *const eps_keys[] = {
	"addressType", "endpoints", "ports", NULL
};
static const char *const svc_spec_keys[] = {
	"type", "clusterIP", "clusterIPs", "selector", "ports", "externalIPs",
	"externalName", "externalTrafficPolicy", "internalTrafficPolicy",
	"healthCheckNodePort", "ipFamilies", "ipFamilyPolicy",
	"loadBalancerIP", "loadBalancerClass", "loadBalancerSourceRanges",
	"allocateLoadBalancerNodePorts", "publishNotReadyAddresses",
	"sessionAffinity", "sessionAffinityConfig", "trafficDistribution",
	NULL
};
static const char *const svc_port_keys[] = {
	"name", "port", "targetPort", "protocol", "appProtocol", "nodePort",
	NULL
};
static const char *const eps_endpoint_keys[] = {
	"addresses", "conditions", "hostname", "targetRef", "nodeName", "zone",
	"hints", "deprecatedTopology", NULL
};
static const char *const eps_conditions_keys[] = {
	"ready", "serving", "terminating", NULL
};
static const char *const object_ref_keys[] = {
	"kind", "namespace", "name", "uid", "apiVersion", "resourceVersion",
	"fieldPath", NULL
};

/* Top-level keys besides the common ones, per kind and shape. */
static const char *const *const universal_keys[RESOURCE_KIND_COUNT] = {
	[RESOURCE_MESH] = mesh_spec_keys,
	[RESOURCE_MESH_SERVICE] = universal_ms_keys,
	[RESOURCE_HOSTNAME_GENERATOR] = universal_hg_keys,
	[RESOURCE_MESH_EXTERNAL_SERVICE] = universal_ms_keys,
	[RESOURCE_MESH_MULTI_ZONE_SERVICE] = universal_ms_keys,
	[RESOURCE_DATAPLANE] = dp_universal_keys,
};
static const char *const *const k8s_keys[RESOURCE_KIND_COUNT] = {
	[RESOURCE_MESH_SERVICE] = k8s_status_keys,
	[RESOURCE_MESH_EXTERNAL_SERVICE] = k8s_status_keys,
	[RESOURCE_MESH_MULTI_ZONE_SERVICE] = k8s_status_keys,
	[RESOURCE_DATAPLANE] = dp_k8s_keys,
	[RESOURCE_K8S_SERVICE] = k8s_status_keys,
	[RESOURCE_K8S_ENDPOINT_SLICE] = eps_keys,
	[RESOURCE_K8S_NAMESPACE] = k8s_status_keys,
	[RESOURCE_K8S_POD] = k8s_status_keys,
};

/* --- diagnostics --- */

static void
vreport(struct ctx *c, enum diag_severity sev, const struct yamlx_node *n,
	const char *fmt, va_list ap)
{
	char *msg = NULL;
	int line = 0;
	int column = 0;

	if (c->pin != NULL)
		n = c->pin;
	else if (n == NULL)
		n = c->doc;
	if (n != NULL) {
		line = n->line;
		column = n->column;
	}
	if (vasprintf(&msg, fmt, ap) < 0) {
		diag_add(c->errs, sev, c->file, line, column, "out of memory");
		c->errs->oom = 1;
		return;
	}
	diag_add(c->errs, sev, c->file, line, column, "%s", msg);
	free(msg);
}

/* An error at @n (the current object when NULL). */
static void __attribute__((format(printf, 3, 4)))
err_at(struct ctx *c, const struct yamlx_node *n, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport(c, DIAG_ERROR, n, fmt, ap);
	va_end(ap);
}

static void __attribute__((format(printf, 3, 4)))
warn_at(struct ctx *c, const struct yamlx_node *n, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport(c, DIAG_WARNING, n, fmt, ap);
	va_end(ap);
}

/* --- small helpers --- */

static int
is_null(const struct yamlx_node *n)
{
	return n == NULL || yamlx_is_null(n);
}

/* yamlx_map_get() that also takes a missing map. */
static const struct yamlx_node *
get(const struct yamlx_node *map, const char *key)
{
	if (map == NULL)
		return NULL;
	return yamlx_map_get(map, key);
}

/*
 * The key node of @key in @map, or NULL: errors about a whole mapping
 * point at its key, where the user wrote it, not at its first entry.
 */
static const struct yamlx_node *
get_key(const struct yamlx_node *map, const char *key)
{
	size_t i;

	if (map == NULL || map->type != YAMLX_MAP)
		return NULL;
	for (i = 0; i < map->n; i++)
		if (strcmp(map->pairs[i].key->scalar, key) == 0)
			return map->pairs[i].key;
	return NULL;
}

/* The first of @a, @b that is not NULL. */
static const struct yamlx_node *
either(const struct yamlx_node *a, const struct yamlx_node *b)
{
	return a != NULL ? a : b;
}

static int
in_list(const char *const *list, const char *s)
{
	for (; list != NULL && *list != NULL; list++)
		if (strcmp(*list, s) == 0)
			return 1;
	return 0;
}

/* Where @n is, or the pinned annotation when reading one. */
static void
node_pos(const struct ctx *c, const struct yamlx_node *n,
	 struct resource_pos *pos)
{
	if (c->pin != NULL)
		n = c->pin;
	pos->file = c->file;
	pos->line = n->line;
	pos->column = n->column;
}

/*
 * "spec" + "ports" -> "spec.ports"; "" + "name" -> "name"; cut to @size
 * (at least 1).  Called for every field read, so no snprintf.
 */
static void
join_path(char *buf, size_t size, const char *prefix, const char *key)
{
	size_t plen = prefix != NULL ? strlen(prefix) : 0;
	size_t klen = strlen(key);
	size_t off = 0;

	if (plen > 0) {
		off = plen < size - 1 ? plen : size - 1;
		memcpy(buf, prefix, off);
		if (off < size - 1)
			buf[off++] = '.';
	}
	if (klen > size - 1 - off)
		klen = size - 1 - off;
	memcpy(buf + off, key, klen);
	buf[off + klen] = '\0';
}

/* Warn about every key of @map in neither @a nor @b. */
static void
check_keys(struct ctx *c, const struct yamlx_node *map, const char *prefix,
	   const char *const *a, const char *const *b)
{
	size_t i;

	if (map == NULL || map->type != YAMLX_MAP)
		return;
	for (i = 0; i < map->n; i++) {
		const struct yamlx_node *k = map->pairs[i].key;

		if (in_list(a, k->scalar) || in_list(b, k->scalar))
			continue;
		if (prefix == NULL || *prefix == '\0')
			warn_at(c, k, "unknown field \"%s\"", k->scalar);
		else
			warn_at(c, k, "unknown field \"%s.%s\"", prefix,
				k->scalar);
	}
}

/*
 * A mapping or nothing: 0 with *out NULL when @n is absent or null, -1
 * (reported) when it is something else.
 */
static int
want_map(struct ctx *c, const struct yamlx_node *n, const char *path,
	 const struct yamlx_node **out)
{
	*out = NULL;
	if (is_null(n))
		return 0;
	if (n->type != YAMLX_MAP) {
		err_at(c, n, "%s: must be a mapping, got %s", path,
		       yamlx_type_name(n));
		return -1;
	}
	*out = n;
	return 0;
}

static int
want_seq(struct ctx *c, const struct yamlx_node *n, const char *path,
	 const struct yamlx_node **out)
{
	*out = NULL;
	if (is_null(n))
		return 0;
	if (n->type != YAMLX_SEQ) {
		err_at(c, n, "%s: must be a sequence, got %s", path,
		       yamlx_type_name(n));
		return -1;
	}
	*out = n;
	return 0;
}

/*
 * The text of a string field: 0 with *out NULL when absent or null, -1
 * (reported) when not a scalar.  Plain scalars (numbers, booleans) count
 * as their text.  *out is borrowed from the stream.
 */
static int
want_str(struct ctx *c, const struct yamlx_node *n, const char *path,
	 const char **out)
{
	*out = NULL;
	if (is_null(n))
		return 0;
	if (n->type != YAMLX_SCALAR) {
		err_at(c, n, "%s: must be a string, got %s", path,
		       yamlx_type_name(n));
		return -1;
	}
	if (strlen(n->scalar) != n->len) {
		err_at(c, n, "%s: must not contain NUL characters", path);
		return -1;
	}
	*out = n->scalar;
	return 0;
}

/* strdup() of a possibly NULL string: 0 or -ENOMEM. */
static int
copy_str(char **dst, const char *src)
{
	*dst = NULL;
	if (src == NULL)
		return 0;
	if ((*dst = strdup(src)) == NULL)
		return -ENOMEM;
	return 0;
}

/*
 * A plain decimal integer.  Quoted "80" is a string, as Kubernetes'
 * IntOrString reads it; out-of-range values saturate so that the caller's
 * range check fails.
 */
static int
plain_int(const struct yamlx_node *n, long long *out)
{
	const char *s;
	char *end = NULL;

	if (n->type != YAMLX_SCALAR || n->style != YAMLX_PLAIN)
		return -1;
	s = n->scalar;
	if (*s == '+' || *s == '-')
		s++;
	if (*s < '0' || *s > '9')
		return -1;
	*out = strtoll(n->scalar, &end, 10);
	if (*end != '\0')
		return -1;
	return 0;
}

static void *
grow(void *v, size_t *cap, size_t n, size_t size)
{
	size_t ncap;

	if (n < *cap)
		return v;
	ncap = *cap ? *cap * 2 : 16;
	if (ncap > SIZE_MAX / size)
		return NULL;
	if ((v = realloc(v, ncap * size)) == NULL)
		return NULL;
	*cap = ncap;
	return v;
}

/* --- labels --- */

static void
labels_clear(struct resource_labels *l)
{
	size_t i;

	for (i = 0; i < l->n; i++) {
		free(l->v[i].key);
		free(l->v[i].value);
	}
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

static int
label_cmp(const void *a, const void *b)
{
	const struct resource_label *x = a;
	const struct resource_label *y = b;

	return strcmp(x->key, y->key);
}

/*
 * A map of strings (labels, tags, matchLabels) into @out, sorted by key.
 * Keys are unique: yamlx rejects a mapping with a repeated key.  A null
 * value reads as "" (what Kubernetes makes of it).
 */
static int
parse_labels(struct ctx *c, const struct yamlx_node *n, const char *path,
	     struct resource_labels *out)
{
	const struct yamlx_node *map = NULL;
	size_t i;
	int bad = 0;
	int rc = 0;

	memset(out, 0, sizeof(*out));
	if (want_map(c, n, path, &map) < 0)
		return -1;
	if (map == NULL || map->n == 0)
		return 0;
	if ((out->v = calloc(map->n, sizeof(*out->v))) == NULL)
		return -ENOMEM;
	for (i = 0; i < map->n; i++) {
		const struct yamlx_node *k = map->pairs[i].key;
		const struct yamlx_node *v = map->pairs[i].value;
		const char *value = "";
		char p[256];

		snprintf(p, sizeof(p), "%s.%s", path, k->scalar);
		if (strlen(k->scalar) != k->len) {
			err_at(c, k, "%s: keys must not contain NUL characters",
			       path);
			bad = 1;
			continue;
		}
		if (!is_null(v) && want_str(c, v, p, &value) < 0) {
			bad = 1;
			continue;
		}
		if (copy_str(&out->v[out->n].key, k->scalar) < 0 ||
		    copy_str(&out->v[out->n].value, value) < 0) {
			out->n++;
			rc = -ENOMEM;
			goto out;
		}
		out->n++;
	}
	if (bad) {
		rc = -1;
		goto out;
	}
	qsort(out->v, out->n, sizeof(*out->v), label_cmp);
out:
	if (rc < 0)
		labels_clear(out);
	return rc;
}

/* --- time --- */

static int
digits(const char *s, int n, int *out)
{
	int i;
	int v = 0;

	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return 0;
}

/* Days from 1970-01-01 to a proleptic Gregorian date. */
static int64_t
days_from_civil(int64_t y, int m, int d)
{
	int64_t era;
	int64_t yoe;
	int64_t doy;
	int64_t doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static int
days_in_month(int y, int m)
{
	static const int days[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31,
				    30, 31 };
	int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

	return m == 2 && leap ? 29 : days[m - 1];
}

/*
 * RFC 3339 date-time: 2024-05-01T10:00:00Z, 2024-05-01T10:00:00.5+02:00
 * (up to nanoseconds; further digits are ignored).  Into ns since the
 * epoch; -1 when malformed or outside what int64 nanoseconds hold.
 */
static int
parse_time(const char *s, int64_t *out)
{
	int y, mo, d, h, mi, sec;
	int oh = 0;
	int om = 0;
	int sign = 0;
	int64_t frac = 0;
	int fd = 0;
	int64_t secs;
	const char *p;

	if (digits(s, 4, &y) < 0 || s[4] != '-' ||
	    digits(s + 5, 2, &mo) < 0 || s[7] != '-' ||
	    digits(s + 8, 2, &d) < 0 ||
	    (s[10] != 'T' && s[10] != 't') ||
	    digits(s + 11, 2, &h) < 0 || s[13] != ':' ||
	    digits(s + 14, 2, &mi) < 0 || s[16] != ':' ||
	    digits(s + 17, 2, &sec) < 0)
		return -1;
	p = s + 19;
	if (*p == '.') {
		p++;
		if (*p < '0' || *p > '9')
			return -1;
		for (; *p >= '0' && *p <= '9'; p++) {
			if (fd < 9) {
				frac = frac * 10 + (*p - '0');
				fd++;
			}
		}
		for (; fd < 9; fd++)
			frac *= 10;
	}
	if (*p == 'Z' || *p == 'z') {
		p++;
	} else if (*p == '+' || *p == '-') {
		sign = *p == '+' ? 1 : -1;
		if (digits(p + 1, 2, &oh) < 0 || p[3] != ':' ||
		    digits(p + 4, 2, &om) < 0)
			return -1;
		p += 6;
	} else {
		return -1;
	}
	if (*p != '\0')
		return -1;
	if (mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo) ||
	    h > 23 || mi > 59 || sec > 59 || oh > 23 || om > 59)
		return -1;
	secs = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec -
	       sign * (oh * 3600 + om * 60);
	if (secs >= INT64_MAX / NS_PER_SEC || secs <= INT64_MIN / NS_PER_SEC)
		return -1;
	*out = secs * NS_PER_SEC + frac;
	return 0;
}

/* --- RFC 1035 --- */

static int
rfc1035_format_ok(const char *s)
{
	size_t i;
	size_t n = strlen(s);

	if (n == 0 || s[0] < 'a' || s[0] > 'z')
		return 0;
	for (i = 0; i < n; i++) {
		char ch = s[i];

		if (!((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') ||
		      ch == '-'))
			return 0;
	}
	return s[n - 1] != '-';
}

const char *
resource_rfc1035_label_error(const char *name)
{
	if (strlen(name) > 63)
		return rfc1035_len_msg;
	if (!rfc1035_format_ok(name))
		return rfc1035_fmt_msg;
	return NULL;
}

/* --- freeing --- */

static void
meta_clear(struct resource_meta *m)
{
	free(m->name);
	free(m->mesh);
	free(m->namespace);
	labels_clear(&m->labels);
}

static void
ports_clear(struct resource_port *ports, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(ports[i].name);
		free(ports[i].target_name);
		free(ports[i].app_protocol);
	}
	free(ports);
}

static void
strings_clear(char **v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

static void
mesh_clear(void *p)
{
	struct resource_mesh *r = p;

	meta_clear(&r->meta);
}

static void
service_clear(void *p)
{
	struct resource_mesh_service *r = p;
	size_t i;

	meta_clear(&r->meta);
	labels_clear(&r->selector_labels);
	free(r->selector_ref);
	ports_clear(r->ports, r->nports);
	free(r->state);
	strings_clear(r->vips, r->nvips);
	for (i = 0; i < r->nconditions; i++) {
		free(r->conditions[i].type);
		free(r->conditions[i].reason);
		free(r->conditions[i].message);
	}
	free(r->conditions);
}

static void
generator_clear(void *p)
{
	struct resource_hostname_generator *r = p;

	meta_clear(&r->meta);
	labels_clear(&r->match);
	free(r->template);
}

static void
external_service_clear(void *p)
{
	struct resource_mesh_external_service *r = p;

	meta_clear(&r->meta);
	free(r->protocol);
	free(r->vip);
}

static void
multizone_service_clear(void *p)
{
	struct resource_mesh_multi_zone_service *r = p;

	meta_clear(&r->meta);
	labels_clear(&r->selector);
	ports_clear(r->ports, r->nports);
	strings_clear(r->vips, r->nvips);
	free(r->matches);	/* its strings are borrowed */
}

static void
dataplane_clear(void *p)
{
	struct resource_dataplane *r = p;
	size_t i;

	meta_clear(&r->meta);
	free(r->address);
	for (i = 0; i < r->ninbounds; i++) {
		free(r->inbounds[i].name);
		free(r->inbounds[i].protocol);
		labels_clear(&r->inbounds[i].tags);
	}
	free(r->inbounds);
	for (i = 0; i < r->nbackends; i++) {
		free(r->backends[i].name);
		free(r->backends[i].namespace);
		labels_clear(&r->backends[i].labels);
	}
	free(r->backends);
}

static void
k8s_service_clear(void *p)
{
	struct resource_k8s_service *r = p;
	size_t i;

	meta_clear(&r->meta);
	labels_clear(&r->annotations);
	free(r->type);
	free(r->cluster_ip);
	labels_clear(&r->selector);
	for (i = 0; i < r->nports; i++) {
		free(r->ports[i].name);
		free(r->ports[i].target_name);
		free(r->ports[i].protocol);
		free(r->ports[i].app_protocol);
	}
	free(r->ports);
}

static void
endpoint_slice_clear(void *p)
{
	struct resource_endpoint_slice *r = p;
	size_t i;

	meta_clear(&r->meta);
	free(r->service_name);
	for (i = 0; i < r->nendpoints; i++) {
		free(r->endpoints[i].address);
		free(r->endpoints[i].pod_name);
		free(r->endpoints[i].pod_namespace);
	}
	free(r->endpoints);
}

static void
k8s_object_clear(void *p)
{
	struct resource_k8s_object *r = p;

	meta_clear(&r->meta);
}

/* --- the arrays of a set, one per kind --- */

/*
 * Every resource struct starts with its struct resource_meta, so the
 * arrays can be handled alike: as bytes, with an element size and a clear
 * function.  get_array() and put_array() convert from and to the typed
 * members of the set.
 */
struct array {
	char *base;
	size_t n;
	size_t size;
	void (*clear)(void *);
};

/* Where each kind's array and count live in the set, and its element. */
static const struct {
	size_t base;		/* offset of the array pointer */
	size_t n;		/* offset of the count */
	size_t size;		/* element size */
	void (*clear)(void *);
} arrays[RESOURCE_KIND_COUNT] = {
#define ARRAY(field, count, clear) \
	{ offsetof(struct resource_set, field), \
	  offsetof(struct resource_set, count), \
	  sizeof(*((struct resource_set *)0)->field), clear }
	[RESOURCE_MESH] = ARRAY(meshes, nmeshes, mesh_clear),
	[RESOURCE_MESH_SERVICE] = ARRAY(services, nservices, service_clear),
	[RESOURCE_HOSTNAME_GENERATOR] = ARRAY(generators, ngenerators,
					      generator_clear),
	[RESOURCE_MESH_EXTERNAL_SERVICE] = ARRAY(external_services,
						 nexternal_services,
						 external_service_clear),
	[RESOURCE_MESH_MULTI_ZONE_SERVICE] = ARRAY(multizone_services,
						   nmultizone_services,
						   multizone_service_clear),
	[RESOURCE_DATAPLANE] = ARRAY(dataplanes, ndataplanes, dataplane_clear),
	[RESOURCE_K8S_SERVICE] = ARRAY(k8s_services, nk8s_services,
				       k8s_service_clear),
	[RESOURCE_K8S_ENDPOINT_SLICE] = ARRAY(endpoint_slices,
					      nendpoint_slices,
					      endpoint_slice_clear),
	[RESOURCE_K8S_NAMESPACE] = ARRAY(namespaces, nnamespaces,
					 k8s_object_clear),
	[RESOURCE_K8S_POD] = ARRAY(pods, npods, k8s_object_clear),
#undef ARRAY
};

static struct array
get_array(const struct resource_set *set, enum resource_kind kind)
{
	struct array a = { NULL, 0, arrays[kind].size, arrays[kind].clear };

	/* Every object pointer has the same representation here. */
	memcpy(&a.base, (const char *)set + arrays[kind].base, sizeof(a.base));
	memcpy(&a.n, (const char *)set + arrays[kind].n, sizeof(a.n));
	return a;
}

static void
put_array(struct resource_set *set, enum resource_kind kind, char *base,
	  size_t n)
{
	memcpy((char *)set + arrays[kind].base, &base, sizeof(base));
	memcpy((char *)set + arrays[kind].n, &n, sizeof(n));
}

/*
 * Room for one more element of @kind, zeroed; NULL on ENOMEM.  The count
 * is already incremented.
 */
static void *
array_add(struct resource_set *set, enum resource_kind kind)
{
	struct set_priv *pr = set->priv;
	struct array a = get_array(set, kind);
	char *v;

	v = grow(a.base, &pr->caps[kind], a.n, a.size);
	if (v == NULL)
		return NULL;
	put_array(set, kind, v, a.n + 1);
	memset(v + a.n * a.size, 0, a.size);
	return v + a.n * a.size;
}

/* Remove element @i of @kind (freeing it), keeping the order. */
static void
array_remove(struct resource_set *set, enum resource_kind kind, size_t i)
{
	struct array a = get_array(set, kind);

	if (i >= a.n)
		return;
	a.clear(a.base + i * a.size);
	memmove(a.base + i * a.size, a.base + (i + 1) * a.size,
		(a.n - i - 1) * a.size);
	put_array(set, kind, a.base, a.n - 1);
}

/* --- metadata --- */

static int
mesh_scoped(enum resource_kind kind)
{
	return kind == RESOURCE_MESH_SERVICE ||
	       kind == RESOURCE_MESH_EXTERNAL_SERVICE ||
	       kind == RESOURCE_MESH_MULTI_ZONE_SERVICE ||
	       kind == RESOURCE_DATAPLANE;
}

/* Kubernetes' own kinds: no universal shape, no mesh. */
static int
kubernetes_kind(enum resource_kind kind)
{
	return kind == RESOURCE_K8S_SERVICE ||
	       kind == RESOURCE_K8S_ENDPOINT_SLICE ||
	       kind == RESOURCE_K8S_NAMESPACE || kind == RESOURCE_K8S_POD;
}

/*
 * Is @s an IPv4 or IPv6 address?  When so, its family goes to *@af and its
 * bytes to @bytes (16 bytes of room) unless they are NULL.
 */
static int
is_ip(const char *s, int *af, unsigned char *bytes)
{
	unsigned char buf[sizeof(struct in6_addr)];

	if (bytes == NULL)
		bytes = buf;
	if (inet_pton(AF_INET, s, bytes) == 1) {
		if (af != NULL)
			*af = AF_INET;
		return 1;
	}
	if (inet_pton(AF_INET6, s, bytes) == 1) {
		if (af != NULL)
			*af = AF_INET6;
		return 1;
	}
	return 0;
}

static int
parse_creation_time(struct ctx *c, const struct yamlx_node *n,
		    const char *path, struct resource_meta *m)
{
	const char *text = NULL;

	if (want_str(c, n, path, &text) < 0 || text == NULL)
		return 0;
	if (parse_time(text, &m->creation_ns) < 0) {
		err_at(c, n,
		       "%s: \"%s\" is not an RFC 3339 time like "
		       "2024-05-01T10:00:00Z",
		       path, text);
		return 0;
	}
	m->has_creation_time = 1;
	return 0;
}

/*
 * Names, meshes and namespaces end up in state-file keys and logs: no
 * white space, slashes or control characters, at most 253 characters.
 * (Kinds with a stricter rule, such as MeshService's RFC 1035 name, check
 * it with Kuma's message as well.)
 */
static const char ident_msg[] =
	"invalid characters: expected letters, digits, '-', '_' and '.', at "
	"most 253 characters";

static int
valid_ident(const char *s)
{
	size_t n = 0;

	for (; *s != '\0'; s++, n++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || *s == '-' || *s == '_' ||
		      *s == '.'))
			return 0;
	return n > 0 && n <= 253;
}

/*
 * Name, namespace, mesh, labels and creation time, from the top level
 * (universal) or from metadata (Kubernetes).
 */
static int
parse_meta(struct ctx *c, const struct yamlx_node *root,
	   enum resource_shape shape, enum resource_kind kind,
	   struct resource_meta *m)
{
	const struct yamlx_node *src = root;
	const struct yamlx_node *name_node;
	const char *name = NULL;
	const char *ns = NULL;
	const char *mesh = NULL;
	const struct yamlx_node *mesh_node = NULL;
	const char *mesh_path = "mesh";
	const char *pfx = "";
	char p[64];
	int rc;

	m->kind = kind;
	m->shape = shape;
	node_pos(c, root, &m->pos);

	if (shape == RESOURCE_SHAPE_KUBERNETES) {
		const struct yamlx_node *md = get(root, "metadata");

		pfx = "metadata";
		if (is_null(md)) {
			err_at(c, root, "metadata: must be defined");
			return 0;
		}
		if (want_map(c, md, "metadata", &src) < 0)
			return 0;
		check_keys(c, src, "metadata", k8s_meta_keys, NULL);
		(void)want_str(c, get(src, "namespace"),
			       "metadata.namespace", &ns);
		if (ns != NULL && *ns != '\0' && !valid_ident(ns))
			err_at(c, get(src, "namespace"), "metadata.namespace: "
			       "%s", ident_msg);
		else if (ns != NULL && *ns != '\0' &&
			 kind != RESOURCE_K8S_NAMESPACE &&	/* cluster-wide */
			 (rc = copy_str(&m->namespace, ns)) < 0)
			return rc;
		join_path(p, sizeof(p), pfx, "creationTimestamp");
		parse_creation_time(c, get(src, "creationTimestamp"),
				    p, m);
	} else {
		parse_creation_time(c, get(root, "creationTime"),
				    "creationTime", m);
	}

	join_path(p, sizeof(p), pfx, "name");
	name_node = get(src, "name");
	if (want_str(c, name_node, p, &name) == 0) {
		if (name == NULL || *name == '\0')
			err_at(c, name_node != NULL ? name_node : src,
			       "%s: must not be empty", p);
		else if (!valid_ident(name))
			err_at(c, name_node, "%s: %s", p, ident_msg);
		else if ((rc = copy_str(&m->name, name)) < 0)
			return rc;
	}

	join_path(p, sizeof(p), pfx, "labels");
	rc = parse_labels(c, get(src, "labels"), p, &m->labels);
	if (rc == -ENOMEM)
		return rc;

	/* kubectl applies namespaced objects to "default" without one. */
	if (m->namespace == NULL && kubernetes_kind(kind) &&
	    kind != RESOURCE_K8S_NAMESPACE &&
	    (rc = copy_str(&m->namespace, "default")) < 0)
		return rc;

	if (!mesh_scoped(kind))
		return 0;
	/* A Kubernetes Dataplane has a top-level `mesh`, as in Kuma's CRD. */
	if (shape == RESOURCE_SHAPE_UNIVERSAL || kind == RESOURCE_DATAPLANE) {
		mesh_node = get(root, "mesh");
		(void)want_str(c, mesh_node, "mesh", &mesh);
	}
	if ((mesh == NULL || *mesh == '\0') &&
	    shape == RESOURCE_SHAPE_KUBERNETES) {
		mesh = resource_labels_get(&m->labels, "kuma.io/mesh");
		mesh_node = either(get(get(src, "labels"), "kuma.io/mesh"), src);
		mesh_path = "metadata.labels.kuma.io/mesh";
	}
	if (mesh == NULL || *mesh == '\0')
		mesh = "default";
	if (!valid_ident(mesh)) {
		err_at(c, mesh_node, "%s: %s", mesh_path, ident_msg);
		return 0;
	}
	return copy_str(&m->mesh, mesh);
}

/* --- MeshService --- */

static int
parse_port(struct ctx *c, const struct yamlx_node *item, size_t idx,
	   struct resource_port *port)
{
	const struct yamlx_node *n;
	const char *s = NULL;
	long long v;
	char base[48];
	char p[80];
	int rc;

	snprintf(base, sizeof(base), "spec.ports[%zu]", idx);
	node_pos(c, item, &port->pos);
	if (item->type != YAMLX_MAP) {
		err_at(c, item, "%s: must be a mapping, got %s", base,
		       yamlx_type_name(item));
		return 0;
	}
	check_keys(c, item, base, ms_port_keys, NULL);

	join_path(p, sizeof(p), base, "name");
	n = get(item, "name");
	if (want_str(c, n, p, &s) == 0 && s != NULL) {
		if (*s == '\0')
			err_at(c, n, "%s: must not be empty", p);
		else if ((rc = copy_str(&port->name, s)) < 0)
			return rc;
	}

	join_path(p, sizeof(p), base, "port");
	n = get(item, "port");
	if (is_null(n))
		err_at(c, n != NULL ? n : item, "%s: must be defined", p);
	else if (plain_int(n, &v) < 0)
		err_at(c, n, "%s: must be an integer", p);
	else if (v < 1 || v > 65535)
		err_at(c, n, "%s: must be in inclusive range [1, 65535]", p);
	else
		port->port = (uint32_t)v;

	join_path(p, sizeof(p), base, "targetPort");
	n = get(item, "targetPort");
	if (is_null(n)) {
		/* absent: matches no inbound, as in Kuma */
	} else if (plain_int(n, &v) == 0) {
		if (v < 1 || v > 65535) {
			err_at(c, n, "%s: must be in inclusive range [1, 65535]",
			       p);
		} else {
			port->has_target = 1;
			port->target_port = (uint32_t)v;
		}
	} else if (n->type != YAMLX_SCALAR) {
		err_at(c, n, "%s: must be a port number or a port name, got %s",
		       p, yamlx_type_name(n));
	} else if (want_str(c, n, p, &s) == 0) {
		if (*s == '\0') {
			err_at(c, n, "%s: must not be empty", p);
		} else {
			port->has_target = 1;
			port->target_is_name = 1;
			if ((rc = copy_str(&port->target_name, s)) < 0)
				return rc;
		}
	}

	join_path(p, sizeof(p), base, "appProtocol");
	n = get(item, "appProtocol");
	if (want_str(c, n, p, &s) == 0 && s != NULL && *s != '\0') {
		if (strcasecmp(s, "grpc") != 0 && strcasecmp(s, "http") != 0 &&
		    strcasecmp(s, "http2") != 0 && strcasecmp(s, "tcp") != 0)
			err_at(c, n, "%s: %s", p, app_protocol_msg);
		else if ((rc = copy_str(&port->app_protocol, s)) < 0)
			return rc;
	}
	return 0;
}

static int
parse_selector(struct ctx *c, const struct yamlx_node *spec,
	       struct resource_mesh_service *ms)
{
	const struct yamlx_node *sel = NULL;
	const struct yamlx_node *tags;
	const struct yamlx_node *ref;
	const struct yamlx_node *labels;
	const struct yamlx_node *m = NULL;
	const char *s = NULL;
	int count = 0;
	int rc;

	if (want_map(c, get(spec, "selector"), "spec.selector",
		     &sel) < 0)
		return 0;
	if (sel == NULL)
		return 0;
	check_keys(c, sel, "spec.selector", ms_selector_keys, NULL);
	/* Kuma counts a selector as set when its key is there at all. */
	tags = get(sel, "dataplaneTags");
	ref = get(sel, "dataplaneRef");
	labels = get(sel, "dataplaneLabels");
	count = !is_null(tags) + !is_null(ref) + !is_null(labels);
	if (count > 1) {
		err_at(c, get_key(spec, "selector"),
		       "spec.selector: must specify only one of: dataplaneTags, "
		       "dataplaneRef, or dataplaneLabels");
		return 0;
	}
	if (!is_null(tags)) {
		ms->selector = RESOURCE_SELECTOR_DATAPLANE_TAGS;
		rc = parse_labels(c, tags, "spec.selector.dataplaneTags",
				  &ms->selector_labels);
		if (rc == -ENOMEM)
			return rc;
	} else if (!is_null(labels)) {
		ms->selector = RESOURCE_SELECTOR_DATAPLANE_LABELS;
		if (want_map(c, labels, "spec.selector.dataplaneLabels", &m) < 0)
			return 0;
		check_keys(c, m, "spec.selector.dataplaneLabels",
			   match_labels_keys, NULL);
		rc = parse_labels(c, get(m, "matchLabels"),
				  "spec.selector.dataplaneLabels.matchLabels",
				  &ms->selector_labels);
		if (rc == -ENOMEM)
			return rc;
	} else if (!is_null(ref)) {
		const struct yamlx_node *name;

		ms->selector = RESOURCE_SELECTOR_DATAPLANE_REF;
		if (want_map(c, ref, "spec.selector.dataplaneRef", &m) < 0)
			return 0;
		check_keys(c, m, "spec.selector.dataplaneRef", ref_keys, NULL);
		name = get(m, "name");
		if (want_str(c, name, "spec.selector.dataplaneRef.name",
			     &s) < 0)
			return 0;
		if (s == NULL || *s == '\0') {
			err_at(c, name != NULL ? name : m,
			       "spec.selector.dataplaneRef.name: must be defined");
			return 0;
		}
		return copy_str(&ms->selector_ref, s);
	}
	return 0;
}

/* status.vips[].ip of MeshService and MeshMultiZoneService. */
static int
parse_vips(struct ctx *c, const struct yamlx_node *root, char ***vipsp,
	   size_t *nvipsp, struct resource_pos *pos)
{
	const struct yamlx_node *status = NULL;
	const struct yamlx_node *vips = NULL;
	size_t i;
	int rc;

	if (want_map(c, get(root, "status"), "status", &status) < 0)
		return 0;
	if (want_seq(c, get(status, "vips"), "status.vips",
		     &vips) < 0 || vips == NULL)
		return 0;
	if (pos != NULL) {
		pos->file = c->file;
		pos->line = vips->line;
		pos->column = vips->column;
	}
	if (vips->n == 0)
		return 0;
	if ((*vipsp = calloc(vips->n, sizeof(**vipsp))) == NULL)
		return -ENOMEM;
	for (i = 0; i < vips->n; i++) {
		const struct yamlx_node *item = vips->items[i];
		const struct yamlx_node *ipn;
		const char *ip = NULL;
		char p[64];

		snprintf(p, sizeof(p), "status.vips[%zu]", i);
		if (item->type != YAMLX_MAP) {
			err_at(c, item, "%s: must be a mapping, got %s", p,
			       yamlx_type_name(item));
			continue;
		}
		snprintf(p, sizeof(p), "status.vips[%zu].ip", i);
		ipn = get(item, "ip");
		if (want_str(c, ipn, p, &ip) < 0)
			continue;
		if (ip == NULL) {
			err_at(c, ipn != NULL ? ipn : item,
			       "%s: must be defined", p);
			continue;
		}
		if (!is_ip(ip, NULL, NULL)) {
			err_at(c, ipn, "%s: \"%s\" is not an IP address", p, ip);
			continue;
		}
		if ((rc = copy_str(&(*vipsp)[*nvipsp], ip)) < 0)
			return rc;
		(*nvipsp)++;
	}
	return 0;
}

static void
check_service_name(struct ctx *c, const struct yamlx_node *root,
		   const struct resource_meta *m)
{
	const char *name = resource_display_name(m);
	const struct yamlx_node *n = NULL;
	const struct yamlx_node *labels;

	if (name == NULL || *name == '\0')
		return;		/* reported as a missing name */
	/* Point at what the user wrote: the display-name label, or the name. */
	if (m->shape == RESOURCE_SHAPE_KUBERNETES)
		root = get(root, "metadata");
	labels = get(root, "labels");
	if (resource_labels_get(&m->labels, "kuma.io/display-name") != NULL)
		n = get(labels, "kuma.io/display-name");
	else
		n = get(root, "name");
	if (strlen(name) > 63)
		err_at(c, n, "name: %s", rfc1035_len_msg);
	if (!rfc1035_format_ok(name))
		err_at(c, n, "name: %s", rfc1035_fmt_msg);
}

static int
parse_mesh_service(struct ctx *c, const struct yamlx_node *root,
		   struct resource_mesh_service *ms)
{
	const struct yamlx_node *spec = NULL;
	const struct yamlx_node *ports = NULL;
	const struct yamlx_node *n;
	const char *s = NULL;
	size_t i;
	int rc;

	check_service_name(c, root, &ms->meta);
	if (want_map(c, get(root, "spec"), "spec", &spec) < 0)
		return 0;
	ms->spec = c->keep_yaml ? spec : NULL;
	check_keys(c, spec, "spec", ms_spec_keys, NULL);

	if ((rc = parse_selector(c, spec, ms)) < 0)
		return rc;
	if (want_seq(c, get(spec, "ports"), "spec.ports", &ports) < 0)
		ports = NULL;
	if (ports != NULL && ports->n > 0) {
		ms->ports = calloc(ports->n, sizeof(*ms->ports));
		if (ms->ports == NULL)
			return -ENOMEM;
		for (i = 0; i < ports->n; i++) {
			ms->nports++;
			rc = parse_port(c, ports->items[i], i, &ms->ports[i]);
			if (rc < 0)
				return rc;
		}
	}

	n = get(spec, "state");
	if (want_str(c, n, "spec.state", &s) == 0 && s != NULL) {
		if (strcmp(s, "Available") != 0 && strcmp(s, "Unavailable") != 0)
			err_at(c, n,
			       "spec.state: must be one of: Available, "
			       "Unavailable");
		else if ((rc = copy_str(&ms->state, s)) < 0)
			return rc;
	}
	return parse_vips(c, root, &ms->vips, &ms->nvips, &ms->vips_pos);
}

/*
 * Kuma 3's deprecation text for a MeshService that selects nothing; the
 * sentence it adds about dataplaneTags being removed does not apply here.
 */
static void
warn_no_selector(struct ctx *c, const struct yamlx_node *root,
		 const struct resource_mesh_service *ms)
{
	const struct yamlx_node *spec = get(root, "spec");

	warn_at(c, either(get_key(spec, "selector"), get_key(root, "spec")),
		"MeshService resource '%s' has no selector, so it matches no "
		"data plane proxies. Set 'spec.selector.dataplaneRef' or "
		"'spec.selector.dataplaneLabels'.",
		resource_display_name(&ms->meta));
}

/* --- HostnameGenerator --- */

static int
parse_generator(struct ctx *c, const struct yamlx_node *root,
		struct resource_hostname_generator *g)
{
	static const enum resource_kind targets[] = {
		RESOURCE_MESH_SERVICE, RESOURCE_MESH_EXTERNAL_SERVICE,
		RESOURCE_MESH_MULTI_ZONE_SERVICE,
	};
	const struct yamlx_node *spec = NULL;
	const struct yamlx_node *sel = NULL;
	const struct yamlx_node *chosen = NULL;
	const struct yamlx_node *m = NULL;
	const struct yamlx_node *ext = NULL;
	const struct yamlx_node *n;
	const char *s = NULL;
	const char *chosen_key = NULL;
	char p[96];
	size_t i;
	int count = 0;
	int rc;

	if (want_map(c, get(root, "spec"), "spec", &spec) < 0)
		return 0;
	check_keys(c, spec, "spec", hg_spec_keys, NULL);

	n = get(spec, "selector");
	if (want_map(c, n, "spec.selector", &sel) == 0) {
		check_keys(c, sel, "spec.selector", hg_selector_keys, NULL);
		for (i = 0; hg_selector_keys[i] != NULL; i++) {
			const struct yamlx_node *v =
				get(sel, hg_selector_keys[i]);

			if (is_null(v))
				continue;
			count++;
			chosen = v;
			chosen_key = hg_selector_keys[i];
			g->target = targets[i];
		}
		if (count != 1) {
			/* Kuma's text, which forgets meshMultiZoneService. */
			err_at(c, either(get_key(spec, "selector"),
					 get_key(root, "spec")),
			       "spec.selector: exact one selector (meshService, "
			       "meshExternalService) must be defined");
		} else {
			snprintf(p, sizeof(p), "spec.selector.%s", chosen_key);
			if (want_map(c, chosen, p, &m) == 0) {
				check_keys(c, m, p, match_labels_keys, NULL);
				snprintf(p, sizeof(p),
					 "spec.selector.%s.matchLabels",
					 chosen_key);
				rc = parse_labels(c,
						  get(m, "matchLabels"),
						  p, &g->match);
				if (rc == -ENOMEM)
					return rc;
			}
		}
	}

	n = get(spec, "template");
	if (want_str(c, n, "spec.template", &s) == 0) {
		if (s == NULL || *s == '\0') {
			err_at(c, either(n, get_key(root, "spec")),
			       "spec.template: must not be empty");
		} else {
			g->template_pos.file = c->file;
			g->template_pos.line = n->line;
			g->template_pos.column = n->column;
			if ((rc = copy_str(&g->template, s)) < 0)
				return rc;
		}
	}

	if (want_map(c, get(spec, "extension"), "spec.extension",
		     &ext) == 0 && ext != NULL) {
		n = get(ext, "type");
		if (want_str(c, n, "spec.extension.type", &s) == 0 &&
		    (s == NULL || *s == '\0'))
			err_at(c, n != NULL ? n : ext,
			       "spec.extension.type: must not be empty");
	}
	return 0;
}

/* --- ports and names shared by the new kinds --- */

static const char port_range_msg[] = "must be in inclusive range [1, 65535]";

/*
 * A port number field: 1 with *out set, 0 when absent or null, -1 when
 * reported (not an integer, or outside 1..65535: @range_msg).
 */
static int
want_port(struct ctx *c, const struct yamlx_node *n, const char *path,
	  const char *range_msg, uint32_t *out)
{
	long long v;

	if (is_null(n))
		return 0;
	if (plain_int(n, &v) < 0) {
		err_at(c, n, "%s: must be an integer", path);
		return -1;
	}
	if (v < 1 || v > 65535) {
		err_at(c, n, "%s: %s", path, range_msg);
		return -1;
	}
	*out = (uint32_t)v;
	return 1;
}

/* A lowercase RFC 1123 subdomain (Kuma's identifier rule). */
static int
rfc1123_subdomain_ok(const char *s)
{
	size_t label = 0;
	const char *p;

	if (*s == '\0' || strlen(s) > 253)
		return 0;
	for (p = s;; p++) {
		if (*p == '.' || *p == '\0') {
			if (label == 0 || p[-1] == '-')
				return 0;
			if (*p == '\0')
				return 1;
			label = 0;
			continue;
		}
		if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
		      (*p == '-' && label > 0)))
			return 0;
		label++;
	}
}

/*
 * A host name as Kuma's MeshExternalService validator takes it (the
 * govalidator rule): dot-separated labels of letters, digits, '_' and
 * '-', not starting with '-', at most 63 each, one trailing dot allowed;
 * an IP address is not a host name.
 */
static int
is_dns_name(const char *s)
{
	size_t label = 0;
	size_t total = 0;
	const char *p;

	if (*s == '\0' || is_ip(s, NULL, NULL))
		return 0;
	for (p = s;; p++) {
		if (*p == '.' || *p == '\0') {
			if (label == 0 && !(*p == '\0' && p > s && p[-1] == '.'))
				return 0;
			if (*p == '\0')
				break;
			label = 0;
			continue;
		}
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || *p == '_' ||
		      (*p == '-' && label > 0)))
			return 0;
		if (++label > 63)
			return 0;
		total++;
	}
	return total <= 255;
}

static int
is_unix_path(const char *s)
{
	return strncmp(s, "unix://", 7) == 0 && s[7] == '/';
}

/* --- Dataplane --- */

static int
parse_inbound(struct ctx *c, const struct yamlx_node *item, const char *base,
	      struct resource_inbound *in)
{
	static const char *const states[] = {
		"Ready", "NotReady", "Ignored", NULL
	};
	const struct yamlx_node *n;
	const char *s = NULL;
	long long v;
	char p[192];
	int rc;

	node_pos(c, item, &in->pos);
	if (item->type != YAMLX_MAP) {
		err_at(c, item, "%s: must be a mapping, got %s", base,
		       yamlx_type_name(item));
		return 0;
	}
	check_keys(c, item, base, dp_inbound_keys, NULL);

	join_path(p, sizeof(p), base, "name");
	if (want_str(c, get(item, "name"), p, &s) == 0 && s != NULL &&
	    *s != '\0' && (rc = copy_str(&in->name, s)) < 0)
		return rc;

	join_path(p, sizeof(p), base, "port");
	n = get(item, "port");
	if (is_null(n))
		err_at(c, either(n, item), "%s: must be defined", p);
	else
		(void)want_port(c, n, p, dp_port_msg, &in->port);

	/* servicePort 0 is Kuma's "not set". */
	join_path(p, sizeof(p), base, "servicePort");
	n = get(item, "servicePort");
	if (!is_null(n) && !(plain_int(n, &v) == 0 && v == 0))
		(void)want_port(c, n, p, dp_port_msg, &in->service_port);

	join_path(p, sizeof(p), base, "protocol");
	if (want_str(c, get(item, "protocol"), p, &s) == 0 && s != NULL &&
	    *s != '\0' && (rc = copy_str(&in->protocol, s)) < 0)
		return rc;

	join_path(p, sizeof(p), base, "tags");
	rc = parse_labels(c, get(item, "tags"), p, &in->tags);
	if (rc == -ENOMEM)
		return rc;

	join_path(p, sizeof(p), base, "state");
	n = get(item, "state");
	if (want_str(c, n, p, &s) == 0 && s != NULL) {
		if (!in_list(states, s))
			err_at(c, n, "%s: must be one of: Ready, NotReady, "
			       "Ignored", p);
		else
			in->ignored = strcmp(s, "Ignored") == 0;
	}
	return 0;
}

static int
backend_kind(const char *s, enum resource_kind *out)
{
	if (strcmp(s, "MeshService") == 0)
		*out = RESOURCE_MESH_SERVICE;
	else if (strcmp(s, "MeshExternalService") == 0)
		*out = RESOURCE_MESH_EXTERNAL_SERVICE;
	else if (strcmp(s, "MeshMultiZoneService") == 0)
		*out = RESOURCE_MESH_MULTI_ZONE_SERVICE;
	else
		return -1;
	return 0;
}

/* One reachableBackends.refs[] entry; messages of Kuma's validator. */
static int
parse_backend_ref(struct ctx *c, const struct yamlx_node *item,
		  const char *base, struct resource_backend_ref *ref)
{
	const struct yamlx_node *kind;
	const struct yamlx_node *name;
	const struct yamlx_node *ns;
	const char *s = NULL;
	const char *name_s = NULL;
	const char *ns_s = NULL;
	char p[256];
	int bad = 0;
	int rc;

	node_pos(c, item, &ref->pos);
	if (item->type != YAMLX_MAP) {
		err_at(c, item, "%s: must be a mapping, got %s", base,
		       yamlx_type_name(item));
		return 0;
	}
	check_keys(c, item, base, dp_ref_keys, NULL);

	join_path(p, sizeof(p), base, "kind");
	kind = get(item, "kind");
	if (want_str(c, kind, p, &s) == 0 &&
	    (s == NULL || backend_kind(s, &ref->kind) < 0))
		err_at(c, either(kind, item), "%s: %s", p, backend_kind_msg);

	join_path(p, sizeof(p), base, "name");
	name = get(item, "name");
	if (want_str(c, name, p, &name_s) < 0) {
		bad = 1;
	} else if (name_s != NULL && *name_s != '\0') {
		if (!rfc1123_subdomain_ok(name_s))
			err_at(c, name, "%s: %s", p, rfc1123_msg);
		else if ((rc = copy_str(&ref->name, name_s)) < 0)
			return rc;
	}

	join_path(p, sizeof(p), base, "namespace");
	ns = get(item, "namespace");
	if (want_str(c, ns, p, &ns_s) < 0) {
		bad = 1;
	} else if (ns_s != NULL && *ns_s != '\0') {
		if (!valid_ident(ns_s))
			err_at(c, ns, "%s: %s", p, ident_msg);
		else if ((rc = copy_str(&ref->namespace, ns_s)) < 0)
			return rc;
	}

	join_path(p, sizeof(p), base, "labels");
	rc = parse_labels(c, get(item, "labels"), p, &ref->labels);
	if (rc == -ENOMEM)
		return rc;
	if (rc < 0)
		bad = 1;

	if (!bad) {
		int has_name = name_s != NULL && *name_s != '\0';
		int has_ns = ns_s != NULL && *ns_s != '\0';

		join_path(p, sizeof(p), base, "name");
		if (!has_name && !has_ns && ref->labels.n == 0)
			err_at(c, either(name, item),
			       "%s: name or labels are required", p);
		if (!has_name && has_ns)
			err_at(c, either(name, item),
			       "%s: name is required, when namespace is "
			       "defined", p);
		join_path(p, sizeof(p), base, "labels");
		if ((has_name || has_ns) && ref->labels.n > 0)
			err_at(c, get_key(item, "labels"),
			       "%s: labels cannot be defined when name is "
			       "specified", p);
	}

	join_path(p, sizeof(p), base, "port");
	if (want_port(c, get(item, "port"), p, port_range_msg,
		      &ref->port) == 1)
		ref->has_port = 1;
	return 0;
}

/* reachableBackends (or the annotation's document): {refs: [...]}. */
static int
parse_backends(struct ctx *c, const struct yamlx_node *rb, const char *path,
	       struct resource_dataplane *dp)
{
	const struct yamlx_node *map = NULL;
	const struct yamlx_node *refs = NULL;
	char p[192];
	char base[224];
	size_t i;
	int rc;

	dp->has_reachable_backends = 1;
	if (want_map(c, rb, path, &map) < 0 || map == NULL)
		return 0;
	check_keys(c, map, path, dp_backends_keys, NULL);
	join_path(p, sizeof(p), path, "refs");
	if (want_seq(c, get(map, "refs"), p, &refs) < 0 || refs == NULL ||
	    refs->n == 0)
		return 0;
	if ((dp->backends = calloc(refs->n, sizeof(*dp->backends))) == NULL)
		return -ENOMEM;
	for (i = 0; i < refs->n; i++) {
		snprintf(base, sizeof(base), "%s[%zu]", p, i);
		dp->nbackends++;
		rc = parse_backend_ref(c, refs->items[i], base,
				       &dp->backends[i]);
		if (rc < 0)
			return rc;
	}
	return 0;
}

/*
 * The Pod annotation kuma.io/reachable-backends, which Kuma turns into
 * reachableBackends: YAML inside a string.  Its nodes have positions in
 * the string only, so every problem is reported at the annotation.
 */
static int
parse_backends_annotation(struct ctx *c, const struct yamlx_node *ann,
			  struct resource_dataplane *dp)
{
	static const char path[] =
		"metadata.annotations." REACHABLE_BACKENDS_ANNOTATION;
	struct yamlx_stream *st = NULL;
	struct diag_list errs;
	const char *text = NULL;
	int rc = 0;

	diag_list_init(&errs);
	if (want_str(c, ann, path, &text) < 0)
		goto out;
	dp->has_reachable_backends = 1;		/* "" reaches nothing */
	if (text == NULL || *text == '\0')
		goto out;
	rc = yamlx_load_string(&st, REACHABLE_BACKENDS_ANNOTATION, text,
			       strlen(text), &errs);
	if (rc == -ENOMEM)
		goto out;
	if (rc < 0 || st == NULL) {
		const struct diag *d = errs.n > 0 ? &errs.v[0] : NULL;

		err_at(c, ann,
		       "%s: cannot parse, " REACHABLE_BACKENDS_ANNOTATION
		       " has invalid format (line %d, column %d: %s)",
		       path, d != NULL ? d->line : 0, d != NULL ? d->column : 0,
		       d != NULL ? d->msg : "syntax error");
		rc = 0;
		goto out;
	}
	if (st->ndocs > 1) {
		err_at(c, ann, "%s: must hold one YAML document, got %zu",
		       path, st->ndocs);
		goto out;
	}
	if (st->ndocs == 1 && st->docs[0] != NULL) {
		c->pin = ann;
		rc = parse_backends(c, st->docs[0], path, dp);
		c->pin = NULL;
	}
out:
	yamlx_stream_free(st);
	diag_list_clear(&errs);
	return rc;
}

/* 0.0.0.0 or :: (and their other spellings). */
static int
unspecified(const unsigned char *bytes, int af)
{
	size_t n = af == AF_INET ? 4 : 16;
	size_t i;

	for (i = 0; i < n; i++)
		if (bytes[i] != 0)
			return 0;
	return 1;
}

static int
parse_dataplane(struct ctx *c, const struct yamlx_node *root,
		struct resource_dataplane *dp)
{
	const struct yamlx_node *fields = root;
	const struct yamlx_node *netn;
	const struct yamlx_node *net = NULL;
	const struct yamlx_node *inb = NULL;
	const struct yamlx_node *tp = NULL;
	const struct yamlx_node *n;
	const char *pfx = "";
	const char *s = NULL;
	char pn[32];
	char p[96];
	char p2[128];
	char base[128];
	size_t i;
	int inbound_bad = 0;
	int rc;

	if (dp->meta.shape == RESOURCE_SHAPE_KUBERNETES) {
		pfx = "spec";
		if (want_map(c, get(root, "spec"), "spec", &fields) < 0)
			return 0;
		check_keys(c, fields, "spec", dp_spec_keys, NULL);
	}
	join_path(pn, sizeof(pn), pfx, "networking");
	netn = get(fields, "networking");
	if (is_null(netn)) {
		err_at(c, either(netn, get_key(root, "spec")),
		       "%s: must be defined", pn);
		return 0;
	}
	if (want_map(c, netn, pn, &net) < 0)
		return 0;
	check_keys(c, net, pn, dp_networking_keys, NULL);

	join_path(p, sizeof(p), pn, "address");
	n = get(net, "address");
	if (want_str(c, n, p, &s) == 0) {
		unsigned char bytes[sizeof(struct in6_addr)];
		int af = 0;

		if (s == NULL || *s == '\0')
			err_at(c, either(n, get_key(fields, "networking")),
			       "%s: address can't be empty", p);
		else if (!is_ip(s, &af, bytes))
			err_at(c, n, "%s: \"%s\" is not an IP address", p, s);
		else if (unspecified(bytes, af))
			err_at(c, n, "%s: must not be 0.0.0.0 or ::", p);
		else if ((rc = copy_str(&dp->address, s)) < 0)
			return rc;
	}

	join_path(p, sizeof(p), pn, "inbound");
	if (want_seq(c, get(net, "inbound"), p, &inb) < 0)
		inbound_bad = 1;
	if (inb != NULL && inb->n > 0) {
		dp->inbounds = calloc(inb->n, sizeof(*dp->inbounds));
		if (dp->inbounds == NULL)
			return -ENOMEM;
		for (i = 0; i < inb->n; i++) {
			snprintf(base, sizeof(base), "%s[%zu]", p, i);
			dp->ninbounds++;
			rc = parse_inbound(c, inb->items[i], base,
					   &dp->inbounds[i]);
			if (rc < 0)
				return rc;
		}
	}
	if (!inbound_bad && dp->ninbounds == 0 &&
	    is_null(get(net, "gateway")))
		err_at(c, get_key(fields, "networking"),
		       "%s: has to contain at least one inbound interface or "
		       "gateway", pn);

	join_path(p, sizeof(p), pn, "transparentProxying");
	if (want_map(c, get(net, "transparentProxying"), p, &tp) == 0 &&
	    tp != NULL) {
		check_keys(c, tp, p, dp_tproxy_keys, NULL);
		n = get(tp, "reachableBackends");
		join_path(p2, sizeof(p2), p, "reachableBackends");
		/* null is "not set", as protobuf reads it; {} is "none". */
		if (!is_null(n) && (rc = parse_backends(c, n, p2, dp)) < 0)
			return rc;
	}
	if (dp->meta.shape == RESOURCE_SHAPE_KUBERNETES &&
	    !dp->has_reachable_backends) {
		n = get(get(get(root, "metadata"), "annotations"),
			REACHABLE_BACKENDS_ANNOTATION);
		if (n != NULL)
			return parse_backends_annotation(c, n, dp);
	}
	return 0;
}

/* --- MeshExternalService --- */

static void
parse_mes_endpoint(struct ctx *c, const struct yamlx_node *item, size_t idx)
{
	const struct yamlx_node *addr;
	const struct yamlx_node *port;
	const char *s = NULL;
	uint32_t v = 0;
	char base[48];
	char pa[64];
	char pp[64];

	snprintf(base, sizeof(base), "spec.endpoints[%zu]", idx);
	if (item->type != YAMLX_MAP) {
		err_at(c, item, "%s: must be a mapping, got %s", base,
		       yamlx_type_name(item));
		return;
	}
	check_keys(c, item, base, mes_endpoint_keys, NULL);
	join_path(pa, sizeof(pa), base, "address");
	join_path(pp, sizeof(pp), base, "port");
	addr = get(item, "address");
	port = get(item, "port");
	if (want_str(c, addr, pa, &s) < 0)
		return;
	if (s != NULL && is_unix_path(s)) {
		if (!is_null(port))
			err_at(c, port, "%s: must not be defined when endpoint "
			       "is a unix path", pp);
		return;
	}
	if (s != NULL && (is_ip(s, NULL, NULL) || is_dns_name(s)) &&
	    is_null(port)) {
		err_at(c, either(port, item), "%s: must be defined when "
		       "endpoint is %s", pp,
		       is_ip(s, NULL, NULL) ? "an IP" : "a hostname");
		return;
	}
	(void)want_port(c, port, pp, mes_port_msg, &v);
	if (s == NULL || !(is_ip(s, NULL, NULL) || is_dns_name(s)))
		err_at(c, either(addr, item),
		       "%s: address has to be a valid IP or hostname or a "
		       "unix path", pa);
}

static int
parse_external_service(struct ctx *c, const struct yamlx_node *root,
		       struct resource_mesh_external_service *es)
{
	static const char *const protocols[] = {
		"tcp", "grpc", "http", "http2", NULL
	};
	const struct yamlx_node *spec = NULL;
	const struct yamlx_node *match = NULL;
	const struct yamlx_node *ext = NULL;
	const struct yamlx_node *eps = NULL;
	const struct yamlx_node *status = NULL;
	const struct yamlx_node *vip = NULL;
	const struct yamlx_node *n;
	const char *s = NULL;
	size_t i;
	int rc;

	check_service_name(c, root, &es->meta);
	if (want_map(c, get(root, "spec"), "spec", &spec) < 0)
		return 0;
	es->spec = c->keep_yaml ? spec : NULL;
	check_keys(c, spec, "spec", mes_spec_keys, NULL);

	/* match is required: without it the port is missing */
	if (want_map(c, get(spec, "match"), "spec.match", &match) == 0) {
		check_keys(c, match, "spec.match", mes_match_keys, NULL);
		n = get(match, "type");
		if (want_str(c, n, "spec.match.type", &s) == 0 && s != NULL &&
		    *s != '\0' && strcmp(s, "HostnameGenerator") != 0)
			err_at(c, n, "spec.match.type: unrecognized type '%s' "
			       "- only 'HostnameGenerator' is supported", s);
		n = get(match, "port");
		if (is_null(n))
			err_at(c, either(n, either(get_key(spec, "match"),
						   get_key(root, "spec"))),
			       "spec.match.port: %s", mes_port_msg);
		else
			(void)want_port(c, n, "spec.match.port", mes_port_msg,
					&es->port);
		n = get(match, "protocol");
		if (want_str(c, n, "spec.match.protocol", &s) == 0) {
			if (s == NULL || *s == '\0')
				s = "tcp";	/* the CRD's default */
			if (!in_list(protocols, s))
				err_at(c, n, "spec.match.protocol: \"protocol\" "
				       "must be one of [\"tcp\", \"grpc\", "
				       "\"http\", \"http2\"]");
			else if ((rc = copy_str(&es->protocol, s)) < 0)
				return rc;
		}
	}

	if (want_map(c, get(spec, "extension"), "spec.extension",
		     &ext) == 0 && ext != NULL) {
		check_keys(c, ext, "spec.extension", extension_keys, NULL);
		n = get(ext, "type");
		if (want_str(c, n, "spec.extension.type", &s) == 0 &&
		    (s == NULL || *s == '\0'))
			err_at(c, either(n, ext),
			       "spec.extension.type: must not be empty");
	}

	/* With an extension, the extension validates endpoints and tls. */
	if (ext == NULL &&
	    want_seq(c, get(spec, "endpoints"), "spec.endpoints", &eps) == 0 &&
	    eps != NULL) {
		for (i = 0; i < eps->n; i++)
			parse_mes_endpoint(c, eps->items[i], i);
	}

	if (want_map(c, get(root, "status"), "status", &status) < 0 ||
	    want_map(c, get(status, "vip"), "status.vip", &vip) < 0)
		return 0;
	n = get(vip, "ip");
	if (want_str(c, n, "status.vip.ip", &s) == 0 && s != NULL &&
	    *s != '\0') {
		if (!is_ip(s, NULL, NULL))
			err_at(c, n, "status.vip.ip: \"%s\" is not an IP address",
			       s);
		else if ((rc = copy_str(&es->vip, s)) < 0)
			return rc;
	}
	return 0;
}

/* --- MeshMultiZoneService --- */

static int
parse_multizone_service(struct ctx *c, const struct yamlx_node *root,
			struct resource_mesh_multi_zone_service *mz)
{
	const struct yamlx_node *spec = NULL;
	const struct yamlx_node *sel = NULL;
	const struct yamlx_node *msel = NULL;
	const struct yamlx_node *ports = NULL;
	const struct yamlx_node *n;
	size_t i;
	int rc;

	check_service_name(c, root, &mz->meta);
	if (want_map(c, get(root, "spec"), "spec", &spec) < 0)
		return 0;
	mz->spec = c->keep_yaml ? spec : NULL;
	check_keys(c, spec, "spec", mzs_spec_keys, NULL);

	if (want_map(c, get(spec, "selector"), "spec.selector", &sel) == 0 &&
	    want_map(c, get(sel, "meshService"), "spec.selector.meshService",
		     &msel) == 0) {
		check_keys(c, sel, "spec.selector", mzs_selector_keys, NULL);
		check_keys(c, msel, "spec.selector.meshService",
			   match_labels_keys, NULL);
		n = get(msel, "matchLabels");
		rc = parse_labels(c, n, "spec.selector.meshService.matchLabels",
				  &mz->selector);
		if (rc == -ENOMEM)
			return rc;
		if (rc == 0 && mz->selector.n == 0)
			err_at(c, either(n, either(get_key(sel, "meshService"),
				   either(get_key(spec, "selector"),
					  get_key(root, "spec")))),
			       "spec.selector.meshService.matchLabels: cannot "
			       "be empty");
	}

	n = get(spec, "ports");
	if (want_seq(c, n, "spec.ports", &ports) < 0)
		return 0;
	if (ports == NULL || ports->n == 0) {
		err_at(c, either(n, get_key(root, "spec")),
		       "spec.ports: cannot be empty");
	} else {
		mz->ports = calloc(ports->n, sizeof(*mz->ports));
		if (mz->ports == NULL)
			return -ENOMEM;
		for (i = 0; i < ports->n; i++) {
			mz->nports++;
			rc = parse_port(c, ports->items[i], i, &mz->ports[i]);
			if (rc < 0)
				return rc;
		}
	}
	return parse_vips(c, root, &mz->vips, &mz->nvips, NULL);
}

/* --- Kubernetes Service, EndpointSlice --- */

static int
parse_k8s_port(struct ctx *c, const struct yamlx_node *item, size_t idx,
	       struct resource_k8s_port *port)
{
	static const char *const protocols[] = { "TCP", "UDP", "SCTP", NULL };
	const struct yamlx_node *n;
	const char *s = NULL;
	long long v;
	char base[48];
	char p[80];
	int rc;

	snprintf(base, sizeof(base), "spec.ports[%zu]", idx);
	node_pos(c, item, &port->pos);
	if (item->type != YAMLX_MAP) {
		err_at(c, item, "%s: must be a mapping, got %s", base,
		       yamlx_type_name(item));
		return 0;
	}
	check_keys(c, item, base, svc_port_keys, NULL);

	join_path(p, sizeof(p), base, "name");
	if (want_str(c, get(item, "name"), p, &s) == 0 && s != NULL &&
	    *s != '\0' && (rc = copy_str(&port->name, s)) < 0)
		return rc;

	join_path(p, sizeof(p), base, "port");
	n = get(item, "port");
	if (is_null(n))
		err_at(c, either(n, item), "%s: must be defined", p);
	else
		(void)want_port(c, n, p, port_range_msg, &port->port);

	/* IntOrString: a plain number, else a port name */
	join_path(p, sizeof(p), base, "targetPort");
	n = get(item, "targetPort");
	if (is_null(n)) {
		/* absent: the port itself */
	} else if (plain_int(n, &v) == 0) {
		(void)want_port(c, n, p, port_range_msg, &port->target_port);
	} else if (n->type != YAMLX_SCALAR) {
		err_at(c, n, "%s: must be a port number or a port name, got %s",
		       p, yamlx_type_name(n));
	} else if (want_str(c, n, p, &s) == 0) {
		if (*s == '\0') {
			err_at(c, n, "%s: must not be empty", p);
		} else {
			port->target_is_name = 1;
			if ((rc = copy_str(&port->target_name, s)) < 0)
				return rc;
		}
	}

	join_path(p, sizeof(p), base, "protocol");
	n = get(item, "protocol");
	if (want_str(c, n, p, &s) == 0) {
		if (s == NULL || *s == '\0')
			s = "TCP";
		if (!in_list(protocols, s))
			err_at(c, n, "%s: must be one of: TCP, UDP, SCTP (got "
			       "\"%s\")", p, s);
		else if ((rc = copy_str(&port->protocol, s)) < 0)
			return rc;
	}

	join_path(p, sizeof(p), base, "appProtocol");
	if (want_str(c, get(item, "appProtocol"), p, &s) == 0 && s != NULL &&
	    *s != '\0' && (rc = copy_str(&port->app_protocol, s)) < 0)
		return rc;
	return 0;
}

static int
parse_k8s_service(struct ctx *c, const struct yamlx_node *root,
		  struct resource_k8s_service *svc)
{
	static const char *const types[] = {
		"ClusterIP", "NodePort", "LoadBalancer", "ExternalName", NULL
	};
	const struct yamlx_node *spec = NULL;
	const struct yamlx_node *ports = NULL;
	const struct yamlx_node *n;
	const char *s = NULL;
	size_t i;
	int rc;

	rc = parse_labels(c, get(get(root, "metadata"), "annotations"),
			  "metadata.annotations", &svc->annotations);
	if (rc == -ENOMEM)
		return rc;
	if (want_map(c, get(root, "spec"), "spec", &spec) < 0)
		return 0;
	check_keys(c, spec, "spec", svc_spec_keys, NULL);

	n = get(spec, "type");
	if (want_str(c, n, "spec.type", &s) == 0 && s != NULL && *s != '\0') {
		if (!in_list(types, s))
			err_at(c, n, "spec.type: must be one of: ClusterIP, "
			       "NodePort, LoadBalancer, ExternalName (got "
			       "\"%s\")", s);
		else if ((rc = copy_str(&svc->type, s)) < 0)
			return rc;
	}

	n = get(spec, "clusterIP");
	if (want_str(c, n, "spec.clusterIP", &s) == 0 && s != NULL &&
	    *s != '\0') {
		if (strcmp(s, "None") != 0 && !is_ip(s, NULL, NULL))
			err_at(c, n, "spec.clusterIP: must be an IP address, "
			       "\"None\" or empty (got \"%s\")", s);
		else if ((rc = copy_str(&svc->cluster_ip, s)) < 0)
			return rc;
	}

	rc = parse_labels(c, get(spec, "selector"), "spec.selector",
			  &svc->selector);
	if (rc == -ENOMEM)
		return rc;

	if (want_seq(c, get(spec, "ports"), "spec.ports", &ports) < 0 ||
	    ports == NULL || ports->n == 0)
		return 0;
	if ((svc->ports = calloc(ports->n, sizeof(*svc->ports))) == NULL)
		return -ENOMEM;
	for (i = 0; i < ports->n; i++) {
		svc->nports++;
		rc = parse_k8s_port(c, ports->items[i], i, &svc->ports[i]);
		if (rc < 0)
			return rc;
	}
	return 0;
}

static int
parse_endpoint(struct ctx *c, const struct yamlx_node *item, size_t idx,
	       int fqdn, const char *slice_ns, struct resource_endpoint *ep)
{
	const struct yamlx_node *addrs = NULL;
	const struct yamlx_node *cond = NULL;
	const struct yamlx_node *ref = NULL;
	const struct yamlx_node *n;
	const char *s = NULL;
	char base[48];
	char p[96];
	size_t j;
	int b;
	int rc;

	ep->ready = 1;
	snprintf(base, sizeof(base), "endpoints[%zu]", idx);
	if (item->type != YAMLX_MAP) {
		err_at(c, item, "%s: must be a mapping, got %s", base,
		       yamlx_type_name(item));
		return 0;
	}
	check_keys(c, item, base, eps_endpoint_keys, NULL);

	join_path(p, sizeof(p), base, "addresses");
	n = get(item, "addresses");
	if (want_seq(c, n, p, &addrs) == 0) {
		if (addrs == NULL || addrs->n == 0)
			err_at(c, either(n, item), "%s: must not be empty", p);
		for (j = 0; addrs != NULL && j < addrs->n; j++) {
			char pa[128];

			snprintf(pa, sizeof(pa), "%s[%zu]", p, j);
			if (want_str(c, addrs->items[j], pa, &s) < 0)
				continue;
			if (s == NULL || *s == '\0')
				err_at(c, addrs->items[j], "%s: must not be "
				       "empty", pa);
			else if (!fqdn && !is_ip(s, NULL, NULL))
				err_at(c, addrs->items[j], "%s: \"%s\" is not "
				       "an IP address", pa, s);
			else if (j == 0 && (rc = copy_str(&ep->address, s)) < 0)
				return rc;
		}
	}

	join_path(p, sizeof(p), base, "conditions");
	if (want_map(c, get(item, "conditions"), p, &cond) == 0 &&
	    cond != NULL) {
		check_keys(c, cond, p, eps_conditions_keys, NULL);
		join_path(p, sizeof(p), base, "conditions.ready");
		n = get(cond, "ready");
		if (!is_null(n)) {
			if (yamlx_bool(n, &b) < 0)
				err_at(c, n, "%s: must be true or false", p);
			else
				ep->ready = b;
		}
	}

	join_path(p, sizeof(p), base, "targetRef");
	if (want_map(c, get(item, "targetRef"), p, &ref) < 0 || ref == NULL)
		return 0;
	check_keys(c, ref, p, object_ref_keys, NULL);
	join_path(p, sizeof(p), base, "targetRef.kind");
	if (want_str(c, get(ref, "kind"), p, &s) < 0 || s == NULL ||
	    strcmp(s, "Pod") != 0)
		return 0;
	join_path(p, sizeof(p), base, "targetRef.name");
	if (want_str(c, get(ref, "name"), p, &s) < 0 || s == NULL ||
	    *s == '\0')
		return 0;
	if ((rc = copy_str(&ep->pod_name, s)) < 0)
		return rc;
	join_path(p, sizeof(p), base, "targetRef.namespace");
	if (want_str(c, get(ref, "namespace"), p, &s) < 0)
		return 0;
	return copy_str(&ep->pod_namespace,
			s != NULL && *s != '\0' ? s : slice_ns);
}

static int
parse_endpoint_slice(struct ctx *c, const struct yamlx_node *root,
		     struct resource_endpoint_slice *es)
{
	static const char *const types[] = { "IPv4", "IPv6", "FQDN", NULL };
	const struct yamlx_node *eps = NULL;
	const struct yamlx_node *n;
	const char *s;
	int fqdn = 0;
	size_t i;
	int rc;

	s = resource_labels_get(&es->meta.labels, "kubernetes.io/service-name");
	if (s != NULL && *s != '\0' &&
	    (rc = copy_str(&es->service_name, s)) < 0)
		return rc;

	n = get(root, "addressType");
	if (want_str(c, n, "addressType", &s) == 0 && s != NULL) {
		if (!in_list(types, s))
			err_at(c, n, "addressType: must be one of: IPv4, IPv6, "
			       "FQDN (got \"%s\")", s);
		fqdn = strcmp(s, "FQDN") == 0;
	}

	if (want_seq(c, get(root, "endpoints"), "endpoints", &eps) < 0 ||
	    eps == NULL || eps->n == 0)
		return 0;
	if ((es->endpoints = calloc(eps->n, sizeof(*es->endpoints))) == NULL)
		return -ENOMEM;
	for (i = 0; i < eps->n; i++) {
		es->nendpoints++;
		rc = parse_endpoint(c, eps->items[i], i, fqdn,
				    es->meta.namespace, &es->endpoints[i]);
		if (rc < 0)
			return rc;
	}
	return 0;
}

/* --- Mesh --- */

static void
parse_mesh(struct ctx *c, const struct yamlx_node *fields, const char *pfx,
	   struct resource_mesh *mesh)
{
	const struct yamlx_node *msvc = NULL;
	const struct yamlx_node *n;
	const char *s = NULL;
	char p[64];
	char pm[sizeof(p) + 8];
	size_t i;

	join_path(p, sizeof(p), pfx, "meshServices");
	if (want_map(c, get(fields, "meshServices"), p, &msvc) < 0 ||
	    msvc == NULL)
		return;
	check_keys(c, msvc, p, mesh_services_keys, NULL);
	join_path(pm, sizeof(pm), p, "mode");
	n = get(msvc, "mode");
	if (want_str(c, n, pm, &s) < 0 || s == NULL)
		return;
	for (i = 0; i < sizeof(mode_names) / sizeof(mode_names[0]); i++) {
		if (strcmp(s, mode_names[i]) == 0) {
			mesh->has_mode = 1;
			mesh->mode = (enum resource_mesh_mode)i;
			return;
		}
	}
	err_at(c, n,
	       "%s: must be one of: Disabled, Everywhere, ReachableBackends, "
	       "Exclusive (got \"%s\")",
	       pm, s);
}

/* --- documents --- */

static int
kind_from_name(const char *s, enum resource_kind *out)
{
	size_t i;

	for (i = 0; i < RESOURCE_KIND_COUNT; i++) {
		if (strcmp(s, kind_names[i]) == 0) {
			*out = (enum resource_kind)i;
			return 0;
		}
	}
	return -1;
}

/* Any one resource, while it is being read. */
union any_resource {
	struct resource_meta meta;	/* every struct starts with it */
	struct resource_mesh mesh;
	struct resource_mesh_service ms;
	struct resource_hostname_generator hg;
	struct resource_mesh_external_service mes;
	struct resource_mesh_multi_zone_service mzs;
	struct resource_dataplane dp;
	struct resource_k8s_service svc;
	struct resource_endpoint_slice eps;
	struct resource_k8s_object obj;
};

static void
skip_unsupported(struct ctx *c, const struct yamlx_node *root,
		 enum resource_shape shape, const char *kind_text,
		 const char *why)
{
	const struct yamlx_node *src = root;
	const struct yamlx_node *name;

	if (shape == RESOURCE_SHAPE_KUBERNETES)
		src = get(root, "metadata");
	name = get(src, "name");
	if (name != NULL && name->type == YAMLX_SCALAR && !is_null(name))
		warn_at(c, root, "skipping %s %s: %s", kind_text, name->scalar,
			why);
	else
		warn_at(c, root, "skipping %s: %s", kind_text, why);
}

/* The kind-specific part of a resource, after its metadata. */
static int
parse_body(struct ctx *c, const struct yamlx_node *root,
	   enum resource_shape shape, enum resource_kind kind,
	   union any_resource *r)
{
	const struct yamlx_node *spec = NULL;

	switch (kind) {
	case RESOURCE_MESH:
		if (shape == RESOURCE_SHAPE_UNIVERSAL) {
			parse_mesh(c, root, "", &r->mesh);
		} else if (want_map(c, get(root, "spec"), "spec",
				    &spec) == 0) {
			check_keys(c, spec, "spec", mesh_spec_keys, NULL);
			parse_mesh(c, spec, "spec", &r->mesh);
		}
		return 0;
	case RESOURCE_MESH_SERVICE:
		return parse_mesh_service(c, root, &r->ms);
	case RESOURCE_HOSTNAME_GENERATOR:
		return parse_generator(c, root, &r->hg);
	case RESOURCE_MESH_EXTERNAL_SERVICE:
		return parse_external_service(c, root, &r->mes);
	case RESOURCE_MESH_MULTI_ZONE_SERVICE:
		return parse_multizone_service(c, root, &r->mzs);
	case RESOURCE_DATAPLANE:
		return parse_dataplane(c, root, &r->dp);
	case RESOURCE_K8S_SERVICE:
		return parse_k8s_service(c, root, &r->svc);
	case RESOURCE_K8S_ENDPOINT_SLICE:
		return parse_endpoint_slice(c, root, &r->eps);
	default:
		return 0;	/* Namespace, Pod: the metadata is all */
	}
}

/* Warnings about a resource that is valid but probably not meant so. */
static void
warn_valid(struct ctx *c, const struct yamlx_node *root,
	   const union any_resource *r)
{
	if (r->meta.kind == RESOURCE_MESH_SERVICE &&
	    r->ms.selector == RESOURCE_SELECTOR_NONE)
		warn_no_selector(c, root, &r->ms);
	if (r->meta.kind == RESOURCE_K8S_ENDPOINT_SLICE &&
	    r->eps.service_name == NULL)
		warn_at(c, either(get_key(root, "metadata"), root),
			"EndpointSlice %s has no label "
			"kubernetes.io/service-name, so it belongs to no "
			"Service", r->meta.name);
}

/*
 * One resource document: @kind_node is `type` (universal) or `kind`
 * (Kubernetes).  Invalid resources are reported and dropped; only ENOMEM
 * is returned as failure.
 */
static int
load_object(struct ctx *c, const struct yamlx_node *root,
	    enum resource_shape shape, const struct yamlx_node *kind_node)
{
	const char *kind_path = shape == RESOURCE_SHAPE_KUBERNETES ? "kind" :
								     "type";
	const char *kind_text = NULL;
	enum resource_kind kind;
	size_t errors = c->errs->errors;
	union any_resource r;
	void *slot;
	int rc = 0;

	memset(&r, 0, sizeof(r));
	c->doc = root;
	if (want_str(c, kind_node, kind_path, &kind_text) < 0)
		return 0;
	if (kind_text == NULL || *kind_text == '\0') {
		err_at(c, kind_node, "%s: must not be empty", kind_path);
		return 0;
	}
	if (kind_from_name(kind_text, &kind) < 0) {
		skip_unsupported(c, root, shape, kind_text,
				 "kind not supported yet");
		return 0;
	}
	if (shape == RESOURCE_SHAPE_UNIVERSAL && kubernetes_kind(kind)) {
		skip_unsupported(c, root, shape, kind_text,
				 "a Kubernetes object is written with "
				 "apiVersion, kind and metadata");
		return 0;
	}

	if (shape == RESOURCE_SHAPE_KUBERNETES) {
		const struct yamlx_node *av = get(root, "apiVersion");
		const char *s = NULL;

		if (want_str(c, av, "apiVersion", &s) == 0) {
			if (s == NULL)
				err_at(c, root, "apiVersion: must be defined");
			else if (strcmp(s, api_versions[kind]) != 0)
				err_at(c, av,
				       "apiVersion: must be %s for %s, got "
				       "\"%s\"",
				       api_versions[kind], kind_text, s);
		}
		check_keys(c, root, "", k8s_common_keys, k8s_keys[kind]);
	} else {
		check_keys(c, root, "", universal_common_keys,
			   universal_keys[kind]);
	}

	if ((rc = parse_meta(c, root, shape, kind, &r.meta)) < 0)
		goto out;
	if ((rc = parse_body(c, root, shape, kind, &r)) < 0)
		goto out;
	if (c->errs->errors != errors)
		goto out;
	warn_valid(c, root, &r);
	if ((slot = array_add(c->set, kind)) == NULL) {
		rc = -ENOMEM;
		goto out;
	}
	memcpy(slot, &r, get_array(c->set, kind).size);
	memset(&r, 0, sizeof(r));	/* the set owns it now */
out:
	get_array(c->set, kind).clear(&r);
	return rc;
}

/* A document, or an item of a List (@in_list). */
static int
load_doc(struct ctx *c, const struct yamlx_node *root, const char *where,
	 int in_list)
{
	const struct yamlx_node *kind;
	const struct yamlx_node *type;
	const struct yamlx_node *items = NULL;
	size_t i;
	int rc;

	c->doc = root;
	if (root->type != YAMLX_MAP) {
		err_at(c, root, "%s must be a mapping, got %s", where,
		       yamlx_type_name(root));
		return 0;
	}
	kind = get(root, "kind");
	type = get(root, "type");
	if (kind == NULL && type == NULL) {
		err_at(c, root,
		       "%s has neither \"type\" (universal shape) nor \"kind\" "
		       "(Kubernetes shape)",
		       where);
		return 0;
	}
	if (kind == NULL)
		return load_object(c, root, RESOURCE_SHAPE_UNIVERSAL, type);
	if (kind->type != YAMLX_SCALAR || strcmp(kind->scalar, "List") != 0)
		return load_object(c, root, RESOURCE_SHAPE_KUBERNETES, kind);

	if (in_list) {
		err_at(c, kind, "a List cannot hold another List");
		return 0;
	}
	check_keys(c, root, "", list_keys, NULL);
	if (want_seq(c, get(root, "items"), "items", &items) < 0 ||
	    items == NULL)
		return 0;
	for (i = 0; i < items->n; i++) {
		char w[48];

		snprintf(w, sizeof(w), "items[%zu]", i);
		if ((rc = load_doc(c, items->items[i], w, 1)) < 0)
			return rc;
	}
	return 0;
}

static int
keep_stream(struct resource_set *set, struct yamlx_stream *st)
{
	struct set_priv *pr = set->priv;
	void *v;

	v = grow(pr->streams, &pr->streams_cap, pr->nstreams,
		 sizeof(*pr->streams));
	if (v == NULL)
		return -ENOMEM;
	pr->streams = v;
	pr->streams[pr->nstreams++] = st;
	return 0;
}

/* A set-owned copy of a file name, for positions. */
static int
keep_file(struct resource_set *set, const char *file, const char **out)
{
	struct set_priv *pr = set->priv;
	void *v;

	v = grow(pr->files, &pr->files_cap, pr->nfiles, sizeof(*pr->files));
	if (v == NULL)
		return -ENOMEM;
	pr->files = v;
	if ((pr->files[pr->nfiles] = strdup(file)) == NULL)
		return -ENOMEM;
	*out = pr->files[pr->nfiles++];
	return 0;
}

void
resource_set_keep_yaml(struct resource_set *set, int keep)
{
	struct set_priv *pr = set->priv;

	pr->drop_yaml = !keep;
}

static int
load_text(struct resource_set *set, const char *name, const char *text,
	  size_t len, struct diag_list *errs)
{
	struct set_priv *pr = set->priv;
	struct yamlx_stream *st = NULL;
	struct ctx c;
	size_t i;
	int rc;

	rc = yamlx_load_string(&st, name, text, len, errs);
	if (rc == -ENOMEM)
		return rc;
	if (rc < 0 || st == NULL)
		return 0;	/* reported by yamlx; the file adds nothing */
	memset(&c, 0, sizeof(c));
	c.set = set;
	c.errs = errs;
	c.keep_yaml = !pr->drop_yaml;
	if (pr->drop_yaml)
		rc = keep_file(set, st->file, &c.file);
	else if ((rc = keep_stream(set, st)) == 0)
		c.file = st->file;
	if (rc < 0) {
		yamlx_stream_free(st);
		return rc;
	}
	for (i = 0; rc == 0 && i < st->ndocs; i++)
		if (st->docs[i] != NULL)
			rc = load_doc(&c, st->docs[i], "a resource", 0);
	/* Every value read was copied: the tree can go (serving needs no
	 * spec nodes, and a big set's YAML is many times its size). */
	if (pr->drop_yaml)
		yamlx_stream_free(st);
	return rc;
}

/* --- files and directories --- */

static void
cannot_read(struct diag_list *errs, const char *path, int e)
{
	diag_error(errs, NULL, 0, 0, "cannot read %s: %s", path, strerror(e));
}

/* What a file read adds to a set's digest: its name and its bytes. */
static uint64_t
file_digest(const char *path, const char *text, size_t len)
{
	return digest_bytes(digest_str(0, path), text, len);
}

/* Read the file @path into @set; *@digest is file_digest()'s. */
static int
load_file(struct resource_set *set, const char *path, uint64_t *digest,
	  struct diag_list *errs)
{
	char *buf = NULL;
	size_t len = 0;
	int e;
	int rc;

	*digest = 0;
	if ((e = file_read(path, &buf, &len)) != 0) {
		if (e == ENOMEM)
			return -ENOMEM;
		cannot_read(errs, path, e);
		return -1;
	}
	*digest = file_digest(path, buf, len);
	rc = load_text(set, path, buf, len, errs);
	free(buf);
	return rc;
}

/* Directories being read, to stop at symlink loops. */
struct dir_chain {
	dev_t dev;
	ino_t ino;
	const struct dir_chain *up;
};

static int
not_hidden(const struct dirent *d)
{
	return d->d_name[0] != '.';
}

/* Byte order, so that the order does not depend on the locale. */
static int
name_cmp(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

static int
has_yaml_suffix(const char *name)
{
	size_t n = strlen(name);

	return (n > 5 && strcmp(name + n - 5, ".yaml") == 0) ||
	       (n > 4 && strcmp(name + n - 4, ".yml") == 0);
}

/*
 * The files of a directory, read in parallel: each into a set of its
 * own, then absorbed into the caller's set in name order, so the result
 * (and the order of the messages) is the same as reading them one by one.
 */
struct load_job {
	char *path;
	struct resource_set *set;
	struct diag_list diags;
	uint64_t digest;	/* file_digest() of what was read */
	int rc;
};

struct load_jobs {
	struct load_job *v;
	size_t n;
	size_t cap;
	int drop_yaml;
	_Atomic size_t next;		/* the next job to take */
};

static int
jobs_add(struct load_jobs *jobs, const char *path)
{
	struct load_job *v = NULL;

	if (jobs->n == jobs->cap) {
		size_t cap = jobs->cap ? jobs->cap * 2 : 16;

		if ((v = realloc(jobs->v, cap * sizeof(*v))) == NULL)
			return -ENOMEM;
		jobs->v = v;
		jobs->cap = cap;
	}
	v = &jobs->v[jobs->n];
	memset(v, 0, sizeof(*v));
	diag_list_init(&v->diags);
	if (path != NULL && (v->path = strdup(path)) == NULL)
		return -ENOMEM;
	jobs->n++;
	return 0;
}

/*
 * Where the walk itself reports (a directory loop, an unreadable entry):
 * a job without a file, so the messages keep their place among the
 * files'.  NULL on ENOMEM.
 */
static struct diag_list *
jobs_diags(struct load_jobs *jobs)
{
	if ((jobs->n == 0 || jobs->v[jobs->n - 1].path != NULL) &&
	    jobs_add(jobs, NULL) < 0)
		return NULL;
	return &jobs->v[jobs->n - 1].diags;
}

static void *
jobs_run(void *arg)
{
	struct load_jobs *jobs = arg;
	size_t i;

	while ((i = atomic_fetch_add(&jobs->next, 1)) < jobs->n) {
		struct load_job *j = &jobs->v[i];

		if (j->path == NULL)
			continue;	/* only messages of the walk */
		if ((j->set = resource_set_new()) == NULL) {
			j->rc = -ENOMEM;
			continue;
		}
		resource_set_keep_yaml(j->set, !jobs->drop_yaml);
		j->rc = load_file(j->set, j->path, &j->digest, &j->diags);
	}
	return NULL;
}

/* Move every resource, stream and file name of @src to the end of @dst. */
static int
absorb(struct resource_set *dst, struct resource_set *src)
{
	struct set_priv *dp = dst->priv;
	struct set_priv *sp = src->priv;
	size_t k;
	void *v;

	for (k = 0; k < RESOURCE_KIND_COUNT; k++) {
		struct array d = get_array(dst, (enum resource_kind)k);
		struct array a = get_array(src, (enum resource_kind)k);
		size_t need = d.n + a.n;

		if (a.n == 0)
			continue;
		if (need > dp->caps[k]) {
			size_t cap = dp->caps[k] ? dp->caps[k] : 16;
			char *base = NULL;

			while (cap < need)
				cap *= 2;
			if ((base = realloc(d.base, cap * d.size)) == NULL)
				return -ENOMEM;
			d.base = base;
			dp->caps[k] = cap;
		}
		memcpy(d.base + d.n * d.size, a.base, a.n * a.size);
		put_array(dst, (enum resource_kind)k, d.base, need);
		put_array(src, (enum resource_kind)k, a.base, 0);
	}
	v = realloc(dp->streams, (dp->nstreams + sp->nstreams + 1) *
		    sizeof(*dp->streams));
	if (v == NULL)
		return -ENOMEM;
	dp->streams = v;
	dp->streams_cap = dp->nstreams + sp->nstreams + 1;
	if (sp->nstreams > 0)
		memcpy(dp->streams + dp->nstreams, sp->streams,
		       sp->nstreams * sizeof(*sp->streams));
	dp->nstreams += sp->nstreams;
	sp->nstreams = 0;
	v = realloc(dp->files, (dp->nfiles + sp->nfiles + 1) *
		    sizeof(*dp->files));
	if (v == NULL)
		return -ENOMEM;
	dp->files = v;
	dp->files_cap = dp->nfiles + sp->nfiles + 1;
	if (sp->nfiles > 0)
		memcpy(dp->files + dp->nfiles, sp->files,
		       sp->nfiles * sizeof(*sp->files));
	dp->nfiles += sp->nfiles;
	sp->nfiles = 0;
	return 0;
}

/* A set's digest @acc after one more file (file_digest()) is read. */
static uint64_t
chain_file(uint64_t acc, uint64_t file)
{
	return digest_u64(acc, file);
}

static void
add_digest(struct resource_set *set, uint64_t file)
{
	struct set_priv *pr = set->priv;

	pr->digest = chain_file(pr->digest, file);
}

#define LOAD_THREADS 2		/* this is a 2-core machine kind */

/* Read every job, in parallel when there are several; merge in order. */
static int
jobs_finish(struct resource_set *set, struct load_jobs *jobs,
	    struct diag_list *errs)
{
	pthread_t th[LOAD_THREADS];
	size_t nth = 0;
	size_t i;
	int rc = 0;

	atomic_init(&jobs->next, 0);
	while (jobs->n > 1 && nth < LOAD_THREADS - 1 &&
	       thread_start(&th[nth], jobs_run, jobs) == 0)
		nth++;
	jobs_run(jobs);
	for (i = 0; i < nth; i++)
		pthread_join(th[i], NULL);
	for (i = 0; i < jobs->n; i++) {
		struct load_job *j = &jobs->v[i];

		diag_list_move(errs, &j->diags);
		if (j->path != NULL)
			add_digest(set, j->digest);
		if (j->rc == -ENOMEM)
			rc = -ENOMEM;
		if (rc == 0 && j->set != NULL && absorb(set, j->set) < 0)
			rc = -ENOMEM;
		resource_set_free(j->set);
		free(j->path);
	}
	free(jobs->v);
	return rc;
}

static int
load_dir(const char *path, const struct stat *st, const struct dir_chain *up,
	 struct load_jobs *jobs)
{
	struct dirent **ents = NULL;
	struct dir_chain here = { st->st_dev, st->st_ino, up };
	const struct dir_chain *a;
	size_t plen = strlen(path);
	int n;
	int i;
	int rc = 0;

	struct diag_list *walk = NULL;

	for (a = up; a != NULL; a = a->up) {
		if (a->dev == st->st_dev && a->ino == st->st_ino) {
			if ((walk = jobs_diags(jobs)) == NULL)
				return -ENOMEM;
			diag_warning(walk, NULL, 0, 0,
				     "skipping %s: directory loop", path);
			return 0;
		}
	}
	if ((n = scandir(path, &ents, not_hidden, name_cmp)) < 0) {
		int e = errno;

		if ((walk = jobs_diags(jobs)) == NULL)
			return -ENOMEM;
		cannot_read(walk, path, e);
		return -1;
	}
	for (i = 0; i < n; i++) {
		struct stat sub;
		char *full = NULL;

		if (rc == -ENOMEM)
			continue;	/* only free what is left */
		if (asprintf(&full, "%s%s%s", path,
			     plen > 0 && path[plen - 1] == '/' ? "" : "/",
			     ents[i]->d_name) < 0) {
			rc = -ENOMEM;
			continue;
		}
		if (stat(full, &sub) < 0) {
			int e = errno;

			if ((walk = jobs_diags(jobs)) == NULL)
				rc = -ENOMEM;
			else
				cannot_read(walk, full, e);
		} else if (S_ISDIR(sub.st_mode)) {
			if (load_dir(full, &sub, &here, jobs) == -ENOMEM)
				rc = -ENOMEM;
		} else if (S_ISREG(sub.st_mode) &&
			   has_yaml_suffix(ents[i]->d_name)) {
			if (jobs_add(jobs, full) < 0)
				rc = -ENOMEM;
		}
		free(full);
	}
	for (i = 0; i < n; i++)
		free(ents[i]);
	free(ents);
	return rc;
}

/* --- the set --- */

struct resource_set *
resource_set_new(void)
{
	struct resource_set *set = calloc(1, sizeof(*set));

	if (set == NULL)
		return NULL;
	if ((set->priv = calloc(1, sizeof(struct set_priv))) == NULL) {
		free(set);
		return NULL;
	}
	return set;
}

void
resource_set_free(struct resource_set *set)
{
	struct set_priv *pr;
	size_t k;
	size_t i;

	if (set == NULL)
		return;
	pr = set->priv;
	for (k = 0; k < RESOURCE_KIND_COUNT; k++) {
		struct array a = get_array(set, (enum resource_kind)k);

		for (i = 0; i < a.n; i++)
			a.clear(a.base + i * a.size);
		free(a.base);
	}
	for (i = 0; i < pr->nstreams; i++)
		yamlx_stream_free(pr->streams[i]);
	free(pr->streams);
	for (i = 0; i < pr->nfiles; i++)
		free(pr->files[i]);
	free(pr->files);
	free(pr);
	free(set);
}

struct resource_mesh_service *
resource_set_new_service(struct resource_set *set)
{
	struct resource_mesh_service *ms;

	ms = array_add(set, RESOURCE_MESH_SERVICE);
	if (ms != NULL)
		ms->meta.kind = RESOURCE_MESH_SERVICE;
	return ms;
}

struct resource_hostname_generator *
resource_set_new_generator(struct resource_set *set)
{
	struct resource_hostname_generator *g;

	g = array_add(set, RESOURCE_HOSTNAME_GENERATOR);
	if (g != NULL)
		g->meta.kind = RESOURCE_HOSTNAME_GENERATOR;
	return g;
}

void
resource_set_remove_service(struct resource_set *set, size_t i)
{
	array_remove(set, RESOURCE_MESH_SERVICE, i);
}

void
resource_set_remove_generator(struct resource_set *set, size_t i)
{
	array_remove(set, RESOURCE_HOSTNAME_GENERATOR, i);
}

int
resource_set_load_path(struct resource_set *set, const char *path,
		       struct diag_list *errs)
{
	struct stat st;
	uint64_t digest = 0;
	int rc;

	if (stat(path, &st) < 0) {
		cannot_read(errs, path, errno);
		return -1;
	}
	if (S_ISDIR(st.st_mode)) {
		struct load_jobs jobs;
		int rc2;

		memset(&jobs, 0, sizeof(jobs));
		jobs.drop_yaml = ((struct set_priv *)set->priv)->drop_yaml;
		rc = load_dir(path, &st, NULL, &jobs);
		rc2 = jobs_finish(set, &jobs, errs);
		return rc == -ENOMEM || rc2 == -ENOMEM ? -ENOMEM : rc;
	}
	rc = load_file(set, path, &digest, errs);
	add_digest(set, digest);
	return rc;
}

uint64_t
resource_set_digest(const struct resource_set *set)
{
	return ((const struct set_priv *)set->priv)->digest;
}

/* The digest of one file, as load_file() computes it.  0 or -1. */
static int
path_file_digest(const char *path, uint64_t *out)
{
	char *buf = NULL;
	size_t len = 0;
	int e;

	if ((e = file_read(path, &buf, &len)) != 0)
		return e == ENOMEM ? -ENOMEM : -1;
	*out = file_digest(path, buf, len);
	free(buf);
	return 0;
}

int
resource_path_digest(const char *path, uint64_t *digest)
{
	struct load_jobs jobs;
	struct stat st;
	uint64_t acc = *digest;
	uint64_t d = 0;
	size_t i;
	int rc = -1;

	memset(&jobs, 0, sizeof(jobs));
	if (stat(path, &st) < 0)
		goto out;
	/* Not a pipe or a device: reading it here would take it from the
	 * build. */
	if (S_ISREG(st.st_mode)) {
		if ((rc = path_file_digest(path, &d)) == 0)
			acc = chain_file(acc, d);
		goto out;
	}
	if (!S_ISDIR(st.st_mode))
		goto out;
	/* The files load_dir() finds, in its order; no walk problem. */
	if ((rc = load_dir(path, &st, NULL, &jobs)) < 0)
		goto out;
	for (i = 0; i < jobs.n && rc == 0; i++) {
		if (jobs.v[i].path == NULL || jobs.v[i].diags.n > 0)
			rc = -1;
		else if ((rc = path_file_digest(jobs.v[i].path, &d)) == 0)
			acc = chain_file(acc, d);
	}
out:
	for (i = 0; i < jobs.n; i++) {
		diag_list_clear(&jobs.v[i].diags);
		free(jobs.v[i].path);
	}
	free(jobs.v);
	if (rc == 0)
		*digest = acc;
	return rc;
}

int
resource_set_load_string(struct resource_set *set, const char *name,
			 const char *text, struct diag_list *errs)
{
	return load_text(set, name, text, strlen(text), errs);
}

/* --- finish: duplicates and order --- */

struct dup_ent {
	const struct resource_meta *m;
	size_t i;
};

static int
nullable_cmp(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return (a != NULL) - (b != NULL);
	return strcmp(a, b);
}

/*
 * The zone a synced MeshService comes from (label kuma.io/zone when
 * kuma.io/origin is "global"), else NULL.  Synced copies are exported
 * under their original name and hashed later (generate), so copies of
 * "redis" from several zones, and the local "redis", are not duplicates.
 */
static const char *
synced_zone(const struct resource_meta *m)
{
	const char *origin;

	if (m->kind != RESOURCE_MESH_SERVICE)
		return NULL;
	origin = resource_labels_get(&m->labels, "kuma.io/origin");
	if (origin == NULL || strcmp(origin, "global") != 0)
		return NULL;
	return resource_labels_get(&m->labels, "kuma.io/zone");
}

/* Same identity: kind (one array each), name, namespace, mesh, zone. */
static int
identity_cmp(const struct resource_meta *x, const struct resource_meta *y)
{
	int r;

	if ((r = nullable_cmp(x->name, y->name)) != 0)
		return r;
	if ((r = nullable_cmp(x->namespace, y->namespace)) != 0)
		return r;
	if ((r = nullable_cmp(x->mesh, y->mesh)) != 0)
		return r;
	return nullable_cmp(synced_zone(x), synced_zone(y));
}

static int
dup_cmp(const void *a, const void *b)
{
	const struct dup_ent *x = a;
	const struct dup_ent *y = b;
	int r;

	if ((r = identity_cmp(x->m, y->m)) != 0)
		return r;
	return x->i < y->i ? -1 : x->i > y->i;
}

/*
 * Every element starts with its struct resource_meta (the first member of
 * each resource struct), so one routine serves every array.  The
 * first loaded copy wins; later ones are reported in load order and
 * removed.
 */
static int
drop_duplicates(char *base, size_t *np, size_t size, void (*clear)(void *),
		struct diag_list *errs)
{
	struct dup_ent *ents = NULL;
	size_t *first = NULL;
	size_t n = *np;
	size_t i;
	size_t w;

	if (n < 2)
		return 0;
	ents = calloc(n, sizeof(*ents));
	first = malloc(n * sizeof(*first));
	if (ents == NULL || first == NULL) {
		free(ents);
		free(first);
		return -ENOMEM;
	}
	for (i = 0; i < n; i++) {
		ents[i].m = (const struct resource_meta *)(base + i * size);
		ents[i].i = i;
		first[i] = SIZE_MAX;
	}
	qsort(ents, n, sizeof(*ents), dup_cmp);
	for (i = 1, w = 0; i < n; i++) {
		if (identity_cmp(ents[i].m, ents[w].m) == 0)
			first[ents[i].i] = ents[w].i;
		else
			w = i;
	}
	for (i = 0; i < n; i++) {
		const struct resource_meta *m;
		const struct resource_meta *f;
		const char *zone;

		if (first[i] == SIZE_MAX)
			continue;
		m = (const struct resource_meta *)(base + i * size);
		f = (const struct resource_meta *)(base + first[i] * size);
		zone = synced_zone(m);
		diag_error(errs, m->pos.file, m->pos.line, m->pos.column,
			   "duplicate %s \"%s\"%s%s%s%s%s%s%s%s%s: first "
			   "defined at %s:%d:%d",
			   resource_kind_name(m->kind), m->name,
			   zone ? " from zone \"" : "", zone ? zone : "",
			   zone ? "\"" : "",
			   m->namespace ? " in namespace \"" : "",
			   m->namespace ? m->namespace : "",
			   m->namespace ? "\"" : "",
			   m->mesh ? " in mesh \"" : "",
			   m->mesh ? m->mesh : "", m->mesh ? "\"" : "",
			   f->pos.file ? f->pos.file : "-", f->pos.line,
			   f->pos.column);
	}
	for (i = 0, w = 0; i < n; i++) {
		if (first[i] != SIZE_MAX) {
			clear(base + i * size);
			continue;
		}
		if (w != i)
			memmove(base + w * size, base + i * size, size);
		w++;
	}
	*np = w;
	free(ents);
	free(first);
	return 0;
}

/* Each resource struct starts with its meta; see drop_duplicates(). */
static int
meta_qsort_cmp(const void *a, const void *b)
{
	return resource_meta_cmp(a, b);
}

void
resource_set_sort(struct resource_set *set)
{
	size_t k;

	for (k = 0; k < RESOURCE_KIND_COUNT; k++) {
		struct array a = get_array(set, (enum resource_kind)k);

		if (a.n > 1)
			qsort(a.base, a.n, a.size, meta_qsort_cmp);
	}
}

int
resource_set_finish(struct resource_set *set, struct diag_list *errs)
{
	size_t k;
	int rc;

	for (k = 0; k < RESOURCE_KIND_COUNT; k++) {
		struct array a = get_array(set, (enum resource_kind)k);

		rc = drop_duplicates(a.base, &a.n, a.size, a.clear, errs);
		if (rc < 0)
			return rc;
		put_array(set, (enum resource_kind)k, a.base, a.n);
	}
	resource_set_sort(set);
	return 0;
}

/* --- accessors --- */

const char *
resource_kind_name(enum resource_kind kind)
{
	if ((unsigned)kind >= RESOURCE_KIND_COUNT)
		return "unknown";
	return kind_names[kind];
}

const char *
resource_mesh_mode_name(enum resource_mesh_mode mode)
{
	if ((unsigned)mode >= sizeof(mode_names) / sizeof(mode_names[0]))
		return "unknown";
	return mode_names[mode];
}

const char *
resource_labels_get(const struct resource_labels *labels, const char *key)
{
	size_t lo = 0;
	size_t hi = labels->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int r = strcmp(key, labels->v[mid].key);

		if (r == 0)
			return labels->v[mid].value;
		if (r < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

int
resource_labels_match(const struct resource_labels *have,
		      const struct resource_labels *want)
{
	size_t i;

	for (i = 0; i < want->n; i++) {
		const char *v = resource_labels_get(have, want->v[i].key);

		if (v == NULL || strcmp(v, want->v[i].value) != 0)
			return 0;
	}
	return 1;
}

int
resource_labels_set(struct resource_labels *labels, const char *key,
		    const char *value)
{
	struct resource_label *v = NULL;
	char *k = NULL;
	char *val = NULL;
	size_t lo = 0;
	size_t hi = labels->n;
	int rc = -ENOMEM;

	if ((val = strdup(value)) == NULL)
		goto out;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int r = strcmp(key, labels->v[mid].key);

		if (r == 0) {
			free(labels->v[mid].value);
			labels->v[mid].value = val;
			val = NULL;
			rc = 0;
			goto out;
		}
		if (r < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	if ((k = strdup(key)) == NULL)
		goto out;
	v = realloc(labels->v, (labels->n + 1) * sizeof(*v));
	if (v == NULL)
		goto out;
	labels->v = v;
	memmove(&v[lo + 1], &v[lo], (labels->n - lo) * sizeof(*v));
	v[lo].key = k;
	v[lo].value = val;
	labels->n++;
	k = NULL;
	val = NULL;
	rc = 0;
out:
	free(k);
	free(val);
	return rc;
}

/* Add @key=@value unless @key is there; keeps the array sorted. */
static int
labels_add_default(struct resource_labels *l, const char *key,
		   const char *value)
{
	if (resource_labels_get(l, key) != NULL)
		return 0;
	return resource_labels_set(l, key, value);
}

int
resource_mesh_service_add_condition(struct resource_mesh_service *ms,
				    const char *type, int status,
				    const char *reason, const char *message)
{
	struct resource_condition cond = { NULL, status != 0, NULL, NULL };
	struct resource_condition *v = NULL;
	int rc = -ENOMEM;

	if (copy_str(&cond.type, type) < 0 ||
	    copy_str(&cond.reason, reason) < 0 ||
	    copy_str(&cond.message, message) < 0)
		goto out;
	v = realloc(ms->conditions, (ms->nconditions + 1) * sizeof(*v));
	if (v == NULL)
		goto out;
	ms->conditions = v;
	v[ms->nconditions++] = cond;
	memset(&cond, 0, sizeof(cond));		/* @ms owns the strings */
	rc = 0;
out:
	free(cond.type);
	free(cond.reason);
	free(cond.message);
	return rc;
}

/* The labels Kuma's zone control plane computes for a mesh resource. */
static int
compute_meta_labels(struct resource_meta *m, const char *zone)
{
	const char *origin = NULL;
	int rc = 0;

	rc |= labels_add_default(&m->labels, "kuma.io/origin", "zone");
	origin = resource_labels_get(&m->labels, "kuma.io/origin");
	if (origin != NULL && strcmp(origin, "zone") == 0)
		rc |= labels_add_default(&m->labels, "kuma.io/zone", zone);
	if (m->mesh != NULL)
		rc |= labels_add_default(&m->labels, "kuma.io/mesh", m->mesh);
	rc |= labels_add_default(&m->labels, "kuma.io/display-name", m->name);
	/*
	 * The environment and namespace of a synced copy are its origin
	 * zone's, which its labels carry; where it is stored here (say
	 * kuma-system) says nothing about them.
	 */
	if (origin == NULL || strcmp(origin, "zone") != 0)
		return rc < 0 ? -ENOMEM : 0;
	rc |= labels_add_default(&m->labels, "kuma.io/env",
				 m->shape == RESOURCE_SHAPE_KUBERNETES ?
				 "kubernetes" : "universal");
	if (m->namespace != NULL)
		rc |= labels_add_default(&m->labels, "k8s.kuma.io/namespace",
					 m->namespace);
	return rc < 0 ? -ENOMEM : 0;
}

int
resource_set_compute_labels(struct resource_set *set, const char *zone)
{
	size_t i;

	for (i = 0; i < set->nservices; i++)
		if (compute_meta_labels(&set->services[i].meta, zone) < 0)
			return -ENOMEM;
	for (i = 0; i < set->nexternal_services; i++)
		if (compute_meta_labels(&set->external_services[i].meta,
					zone) < 0)
			return -ENOMEM;
	/* MeshMultiZoneServices come from global: only the mesh label. */
	for (i = 0; i < set->nmultizone_services; i++) {
		struct resource_meta *m = &set->multizone_services[i].meta;

		if (m->mesh != NULL &&
		    labels_add_default(&m->labels, "kuma.io/mesh", m->mesh) < 0)
			return -ENOMEM;
	}
	for (i = 0; i < set->ngenerators; i++)
		if (labels_add_default(&set->generators[i].meta.labels,
				       "kuma.io/origin", "zone") < 0)
			return -ENOMEM;
	return 0;
}

const char *
resource_display_name(const struct resource_meta *meta)
{
	const char *d = resource_labels_get(&meta->labels,
					    "kuma.io/display-name");

	return d != NULL ? d : meta->name;
}

const char *
resource_name(const struct resource_meta *meta)
{
	return meta->name;
}

int
resource_meta_cmp(const struct resource_meta *a, const struct resource_meta *b)
{
	int r;

	if (a->creation_ns != b->creation_ns)
		return a->creation_ns < b->creation_ns ? -1 : 1;
	if ((r = nullable_cmp(a->name, b->name)) != 0)
		return r;
	if ((r = nullable_cmp(a->namespace, b->namespace)) != 0)
		return r;
	return nullable_cmp(a->mesh, b->mesh);
}
