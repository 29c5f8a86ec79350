/* SPDX-License-Identifier: MIT */
/* resource_read.c -- YAML documents into resources: dispatch, field readers. */

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
 *	  ownerReferences:              # [0] read: Kuma's controller owns
 *	  - {kind: Service, name: redis}   # the MeshServices it makes
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
 * `kumactl get <kinds> -o yaml` prints a list of universal resources in
 * the shape of Kuma's REST API, and is read the same way:
 *
 *	items:
 *	- type: MeshService
 *	  name: redis
 *	  ...
 *	next: null                      # a URL when this is one page of many
 *	total: 1
 *
 * A `next` other than null, or a `total` other than the number of items,
 * is a warning: the file holds one page, and the other pages' resources
 * are missing.
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
 *	                                # (a Pod's annotations are: a
 *	                                # delegated gateway has kuma.io/gateway)
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

#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kuma/labels.h"
#include "kuma/resource.h"
#include "kuma/resource_int.h"
#include "util/diag.h"
#include "util/digest.h"

#define NS_PER_SEC 1000000000LL

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
/* kumactl's list (Kuma's REST API page). */
static const char *const kumactl_list_keys[] = {
	"items", "next", "total", NULL
};
/* Dataplane: the fields of Kuma's dataplane.proto. */
static const char *const dp_universal_keys[] = {
	"mesh", "networking", "metrics", "probes", NULL
};
static const char *const dp_k8s_keys[] = { "mesh", NULL };
/* Kubernetes objects: the fields of the v1 and discovery/v1 types. */
static const char *const eps_keys[] = {
	"addressType", "endpoints", "ports", NULL
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
void __attribute__((format(printf, 3, 4)))
err_at(struct ctx *c, const struct yamlx_node *n, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport(c, DIAG_ERROR, n, fmt, ap);
	va_end(ap);
}

void __attribute__((format(printf, 3, 4)))
warn_at(struct ctx *c, const struct yamlx_node *n, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport(c, DIAG_WARNING, n, fmt, ap);
	va_end(ap);
}

/* --- small helpers --- */

int
is_null(const struct yamlx_node *n)
{
	return n == NULL || yamlx_is_null(n);
}

/* yamlx_map_get() that also takes a missing map. */
const struct yamlx_node *
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
const struct yamlx_node *
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
const struct yamlx_node *
either(const struct yamlx_node *a, const struct yamlx_node *b)
{
	return a != NULL ? a : b;
}

int
in_list(const char *const *list, const char *s)
{
	for (; list != NULL && *list != NULL; list++)
		if (strcmp(*list, s) == 0)
			return 1;
	return 0;
}

/* Where @n is, or the pinned annotation when reading one. */
void
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
void
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
void
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
int
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

int
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
int
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
int
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
int
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
int
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
		resource_labels_clear(out);
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
const char ident_msg[] =
	"invalid characters: expected letters, digits, '-', '_' and '.', at "
	"most 253 characters";

int
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
		mesh = resource_labels_get(&m->labels, KUMA_LABEL_MESH);
		mesh_node = either(get(get(src, "labels"), KUMA_LABEL_MESH),
				   src);
		mesh_path = "metadata.labels." KUMA_LABEL_MESH;
	}
	if (mesh == NULL || *mesh == '\0')
		mesh = "default";
	if (!valid_ident(mesh)) {
		err_at(c, mesh_node, "%s: %s", mesh_path, ident_msg);
		return 0;
	}
	if ((m->mesh = resource_mesh_intern(mesh)) == NULL)
		return -ENOMEM;
	return 0;
}

/* --- ports and names shared by the new kinds --- */

const char port_range_msg[] = "must be in inclusive range [1, 65535]";

/*
 * A port number field: 1 with *out set, 0 when absent or null, -1 when
 * reported (not an integer, or outside 1..65535: @range_msg).
 */
int
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

/*
 * Why a kind we do not know is skipped, with the closest kind this shape
 * can hold when it looks like a typo (MeshServce).
 */
static void
unknown_kind(const char *kind_text, enum resource_shape shape, char *why,
	     size_t size)
{
	const char *best = NULL;
	size_t bestd = DIAG_SUGGEST_START;
	size_t i;

	for (i = 0; i < RESOURCE_KIND_COUNT; i++) {
		if (shape == RESOURCE_SHAPE_UNIVERSAL &&
		    kubernetes_kind((enum resource_kind)i))
			continue;
		if (diag_suggest(kind_text, kind_names[i], &bestd))
			best = kind_names[i];
	}
	if (best != NULL)
		snprintf(why, size, "kind not supported yet (did you mean "
			 "\"%s\"?)", best);
	else
		snprintf(why, size, "kind not supported yet");
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
			resource_mesh_parse(c, root, "", &r->mesh);
		} else if (want_map(c, get(root, "spec"), "spec",
				    &spec) == 0) {
			check_keys(c, spec, "spec", mesh_spec_keys, NULL);
			resource_mesh_parse(c, spec, "spec", &r->mesh);
		}
		return 0;
	case RESOURCE_MESH_SERVICE:
		if (shape == RESOURCE_SHAPE_KUBERNETES &&
		    resource_k8s_parse_owner(c, root, &r->ms) < 0)
			return -ENOMEM;
		return resource_mesh_parse_service(c, root, &r->ms);
	case RESOURCE_HOSTNAME_GENERATOR:
		return resource_mesh_parse_generator(c, root, &r->hg);
	case RESOURCE_MESH_EXTERNAL_SERVICE:
		return resource_mesh_parse_external(c, root, &r->mes);
	case RESOURCE_MESH_MULTI_ZONE_SERVICE:
		return resource_mesh_parse_multizone(c, root, &r->mzs);
	case RESOURCE_DATAPLANE:
		return resource_dataplane_parse(c, root, &r->dp);
	case RESOURCE_K8S_SERVICE:
		return resource_k8s_parse_service(c, root, &r->svc);
	case RESOURCE_K8S_ENDPOINT_SLICE:
		return resource_k8s_parse_endpoint_slice(c, root, &r->eps);
	case RESOURCE_K8S_POD:
		return resource_k8s_parse_pod(c, root, &r->obj);
	default:
		return 0;	/* Namespace: the metadata is all */
	}
}

/* Warnings about a resource that is valid but probably not meant so. */
static void
warn_valid(struct ctx *c, const struct yamlx_node *root,
	   const union any_resource *r)
{
	if (r->meta.kind == RESOURCE_MESH_SERVICE &&
	    r->ms.selector == RESOURCE_SELECTOR_NONE)
		resource_mesh_warn_no_selector(c, root, &r->ms);
	if (r->meta.kind == RESOURCE_K8S_ENDPOINT_SLICE &&
	    r->eps.service_name == NULL)
		warn_at(c, either(get_key(root, "metadata"), root),
			"EndpointSlice %s has no label "
			K8S_LABEL_SERVICE_NAME ", so it belongs to no "
			"Service", r->meta.name);
}

/*
 * What a resource's content is, for meta.digest: a scalar's bytes and
 * whether it was plain (a plain 1 may be a number, a quoted "1" is a
 * string), a sequence's items in order, a mapping's pairs in any order
 * (their digests are summed).  Positions and comments are not part of it.
 */
static uint64_t
node_digest(const struct yamlx_node *n)
{
	uint64_t d;
	uint64_t sum = 0;
	size_t i;

	if (n == NULL)
		return digest_u64(0, 1);
	d = digest_u64(0, (uint64_t)n->type + 2);
	switch (n->type) {
	case YAMLX_SCALAR:
		d = digest_u64(d, n->style == YAMLX_PLAIN);
		return digest_bytes(d, n->scalar, n->len);
	case YAMLX_SEQ:
		for (i = 0; i < n->n; i++)
			d = digest_u64(d, node_digest(n->items[i]));
		return digest_u64(d, n->n);
	case YAMLX_MAP:
		for (i = 0; i < n->n; i++)
			sum += digest_u64(node_digest(n->pairs[i].key),
					  node_digest(n->pairs[i].value));
		return digest_u64(digest_u64(d, sum), n->n);
	default:
		return d;
	}
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
		char why[96];

		unknown_kind(kind_text, shape, why, sizeof(why));
		skip_unsupported(c, root, shape, kind_text, why);
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
	if (c->text_digest != 0)
		r.meta.digest = digest_u64(c->text_digest, c->ndigests++) | 1;
	else
		r.meta.digest = node_digest(root);
	if ((slot = resource_set_array_add(c->set, kind)) == NULL) {
		rc = -ENOMEM;
		goto out;
	}
	memcpy(slot, &r, resource_set_array(c->set, kind).size);
	memset(&r, 0, sizeof(r));	/* the set owns it now */
out:
	resource_set_array(c->set, kind).clear(&r);
	return rc;
}

static int load_doc(struct ctx *c, const struct yamlx_node *root,
		    const char *where, int in_list);

/*
 * The items of a List or of kumactl's list @root (keys @keys), each a
 * document.
 */
static int
load_items(struct ctx *c, const struct yamlx_node *root,
	   const char *const *keys, const struct yamlx_node **out)
{
	const struct yamlx_node *items = NULL;
	size_t i;
	int rc;

	*out = NULL;
	check_keys(c, root, "", keys, NULL);
	if (want_seq(c, get(root, "items"), "items", &items) < 0 ||
	    items == NULL)
		return 0;
	for (i = 0; i < items->n; i++) {
		char w[48];

		snprintf(w, sizeof(w), "items[%zu]", i);
		if ((rc = load_doc(c, items->items[i], w, 1)) < 0)
			return rc;
	}
	*out = items;
	return 0;
}

/*
 * kumactl's list @root: its items, and a warning when it is one page of
 * a longer list.
 */
static int
load_kumactl_list(struct ctx *c, const struct yamlx_node *root)
{
	const struct yamlx_node *items = NULL;
	const struct yamlx_node *next = get(root, "next");
	const struct yamlx_node *total = get(root, "total");
	char *end = NULL;
	unsigned long long n;
	int rc;

	if ((rc = load_items(c, root, kumactl_list_keys, &items)) < 0 ||
	    items == NULL)
		return rc;
	if (next != NULL && next->type == YAMLX_SCALAR &&
	    next->scalar[0] != '\0' && strcmp(next->scalar, "null") != 0 &&
	    strcmp(next->scalar, "~") != 0) {
		warn_at(c, next, "next: this list is one page of a longer "
			"one (next page: %s): the resources of the other "
			"pages are missing; print them all with kumactl get "
			"without --size", next->scalar);
		return 0;
	}
	if (total != NULL && total->type == YAMLX_SCALAR) {
		errno = 0;
		n = strtoull(total->scalar, &end, 10);
		if (errno == 0 && end != total->scalar && *end == '\0' &&
		    n != items->n)
			warn_at(c, total, "total: %llu resources, but items "
				"holds %zu: the others are missing", n,
				items->n);
	}
	return 0;
}

/* A document, or an item of a List (@in_list). */
static int
load_doc(struct ctx *c, const struct yamlx_node *root, const char *where,
	 int in_list)
{
	const struct yamlx_node *kind;
	const struct yamlx_node *type;
	const struct yamlx_node *items = NULL;

	c->doc = root;
	if (root->type != YAMLX_MAP) {
		err_at(c, root, "%s must be a mapping, got %s", where,
		       yamlx_type_name(root));
		return 0;
	}
	kind = get(root, "kind");
	type = get(root, "type");
	if (kind == NULL && type == NULL && !in_list &&
	    get(root, "items") != NULL)
		return load_kumactl_list(c, root);
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
	return load_items(c, root, list_keys, &items);
}

static int
keep_stream(struct resource_set *set, struct yamlx_stream *st)
{
	struct set_priv *pr = set->priv;
	void *v;

	v = resource_grow(pr->streams, &pr->streams_cap, pr->nstreams,
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

	v = resource_grow(pr->files, &pr->files_cap, pr->nfiles,
			  sizeof(*pr->files));
	if (v == NULL)
		return -ENOMEM;
	pr->files = v;
	if ((pr->files[pr->nfiles] = strdup(file)) == NULL)
		return -ENOMEM;
	*out = pr->files[pr->nfiles++];
	return 0;
}

/* resource_read_text(), or (@json) a JSON text read by yamlx_load_json(). */
static int
read_text(struct resource_set *set, const char *name, const char *text,
	  size_t len, int json, struct diag_list *errs)
{
	struct set_priv *pr = set->priv;
	struct yamlx_stream *st = NULL;
	struct ctx c;
	size_t i;
	int rc;

	if (json)
		rc = yamlx_load_json(&st, name, text, len, errs);
	else
		rc = yamlx_load_string(&st, name, text, len, errs);
	if (rc == -ENOMEM)
		return rc;
	if (rc < 0 || st == NULL)
		return 0;	/* reported by yamlx; the file adds nothing */
	memset(&c, 0, sizeof(c));
	c.set = set;
	c.errs = errs;
	c.keep_yaml = !pr->drop_yaml;
	if (json)
		c.text_digest = digest_bytes(0, text, len) | 1;
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

int
resource_read_text(struct resource_set *set, const char *name, const char *text,
		   size_t len, struct diag_list *errs)
{
	return read_text(set, name, text, len, 0, errs);
}

int
resource_set_load_string(struct resource_set *set, const char *name,
			 const char *text, struct diag_list *errs)
{
	return read_text(set, name, text, strlen(text), 0, errs);
}

int
resource_set_load_json(struct resource_set *set, const char *name,
		       const char *text, struct diag_list *errs)
{
	return read_text(set, name, text, strlen(text), 1, errs);
}

const char *
resource_kind_name(enum resource_kind kind)
{
	if ((unsigned)kind >= RESOURCE_KIND_COUNT)
		return "unknown";
	return kind_names[kind];
}
