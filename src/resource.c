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
 *	type: MeshService               # Mesh, MeshService, HostnameGenerator
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
 *	apiVersion: kuma.io/v1alpha1    # required for the kinds read here
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
 * Documents of any other kind (Dataplane, MeshExternalService, a Kubernetes
 * Service, ...) give a warning and are skipped.  Unknown keys at the top
 * level, in metadata and anywhere in `spec` give a warning naming the key;
 * `status` is output of a control plane and only `status.vips` is read.
 * Everything else that is wrong is an error at the offending node, and the
 * resource is left out while the rest still loads.  Where Kuma has a
 * validator its message is used (Kuma 3 for MeshService names and
 * appProtocol, 2.14 for the selector, which still has dataplaneTags).
 */

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "resource.h"

#define NS_PER_SEC 1000000000LL

struct set_priv {
	size_t meshes_cap;
	size_t services_cap;
	size_t generators_cap;
	struct yamlx_stream **streams;
	size_t nstreams;
	size_t streams_cap;
};

/* What the reader of one stream needs to report. */
struct ctx {
	struct resource_set *set;
	struct diag_list *errs;
	const char *file;		/* borrowed from the stream */
	const struct yamlx_node *doc;	/* the object being read */
};

static const char *const kind_names[RESOURCE_KIND_COUNT] = {
	[RESOURCE_MESH] = "Mesh",
	[RESOURCE_MESH_SERVICE] = "MeshService",
	[RESOURCE_HOSTNAME_GENERATOR] = "HostnameGenerator",
	[RESOURCE_MESH_EXTERNAL_SERVICE] = "MeshExternalService",
	[RESOURCE_MESH_MULTI_ZONE_SERVICE] = "MeshMultiZoneService",
};

static const char *const mode_names[] = {
	[RESOURCE_MESH_MODE_DISABLED] = "Disabled",
	[RESOURCE_MESH_MODE_EVERYWHERE] = "Everywhere",
	[RESOURCE_MESH_MODE_REACHABLE_BACKENDS] = "ReachableBackends",
	[RESOURCE_MESH_MODE_EXCLUSIVE] = "Exclusive",
};

#define KUMA_API_VERSION "kuma.io/v1alpha1"

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

/* --- diagnostics --- */

static void
vreport(struct ctx *c, enum diag_severity sev, const struct yamlx_node *n,
	const char *fmt, va_list ap)
{
	char *msg = NULL;
	int line = 0;
	int column = 0;

	if (n == NULL)
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

/* "spec" + "ports" -> "spec.ports"; "" + "name" -> "name". */
static void
join_path(char *buf, size_t size, const char *prefix, const char *key)
{
	if (prefix == NULL || *prefix == '\0')
		snprintf(buf, size, "%s", key);
	else
		snprintf(buf, size, "%s.%s", prefix, key);
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
	for (i = 0; i < r->nports; i++) {
		free(r->ports[i].name);
		free(r->ports[i].target_name);
		free(r->ports[i].app_protocol);
	}
	free(r->ports);
	free(r->state);
	for (i = 0; i < r->nvips; i++)
		free(r->vips[i]);
	free(r->vips);
}

static void
generator_clear(void *p)
{
	struct resource_hostname_generator *r = p;

	meta_clear(&r->meta);
	labels_clear(&r->match);
	free(r->template);
}

/* --- metadata --- */

static int
mesh_scoped(enum resource_kind kind)
{
	return kind == RESOURCE_MESH_SERVICE ||
	       kind == RESOURCE_MESH_EXTERNAL_SERVICE ||
	       kind == RESOURCE_MESH_MULTI_ZONE_SERVICE;
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
	const char *pfx = "";
	char p[64];
	int rc;

	m->kind = kind;
	m->shape = shape;
	m->pos.file = c->file;
	m->pos.line = root->line;
	m->pos.column = root->column;

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

	if (!mesh_scoped(kind))
		return 0;
	if (shape == RESOURCE_SHAPE_KUBERNETES)
		mesh = resource_labels_get(&m->labels, "kuma.io/mesh");
	else
		(void)want_str(c, get(root, "mesh"), "mesh", &mesh);
	if (mesh == NULL || *mesh == '\0')
		mesh = "default";
	if (!valid_ident(mesh)) {
		err_at(c, shape == RESOURCE_SHAPE_KUBERNETES ? src :
		       get(root, "mesh"), "%s: %s",
		       shape == RESOURCE_SHAPE_KUBERNETES ?
		       "metadata.labels.kuma.io/mesh" : "mesh", ident_msg);
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
	port->pos.file = c->file;
	port->pos.line = item->line;
	port->pos.column = item->column;
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

static int
parse_vips(struct ctx *c, const struct yamlx_node *root,
	   struct resource_mesh_service *ms)
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
	ms->vips_pos.file = c->file;
	ms->vips_pos.line = vips->line;
	ms->vips_pos.column = vips->column;
	if (vips->n == 0)
		return 0;
	if ((ms->vips = calloc(vips->n, sizeof(*ms->vips))) == NULL)
		return -ENOMEM;
	for (i = 0; i < vips->n; i++) {
		const struct yamlx_node *item = vips->items[i];
		const struct yamlx_node *ipn;
		const char *ip = NULL;
		unsigned char buf[sizeof(struct in6_addr)];
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
		if (inet_pton(AF_INET, ip, buf) != 1 &&
		    inet_pton(AF_INET6, ip, buf) != 1) {
			err_at(c, ipn, "%s: \"%s\" is not an IP address", p, ip);
			continue;
		}
		if ((rc = copy_str(&ms->vips[ms->nvips], ip)) < 0)
			return rc;
		ms->nvips++;
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
	ms->spec = spec;
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
	return parse_vips(c, root, ms);
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
	/* Only these are read for now; the others are skipped. */
	static const enum resource_kind known[] = {
		RESOURCE_MESH, RESOURCE_MESH_SERVICE,
		RESOURCE_HOSTNAME_GENERATOR,
	};
	size_t i;

	for (i = 0; i < sizeof(known) / sizeof(known[0]); i++) {
		if (strcmp(s, kind_names[known[i]]) == 0) {
			*out = known[i];
			return 0;
		}
	}
	return -1;
}

static int
append(struct resource_set *set, enum resource_kind kind, const void *r)
{
	struct set_priv *pr = set->priv;
	void *v;

	switch (kind) {
	case RESOURCE_MESH:
		v = grow(set->meshes, &pr->meshes_cap, set->nmeshes,
			 sizeof(*set->meshes));
		if (v == NULL)
			return -ENOMEM;
		set->meshes = v;
		memcpy(&set->meshes[set->nmeshes++], r, sizeof(*set->meshes));
		break;
	case RESOURCE_MESH_SERVICE:
		v = grow(set->services, &pr->services_cap, set->nservices,
			 sizeof(*set->services));
		if (v == NULL)
			return -ENOMEM;
		set->services = v;
		memcpy(&set->services[set->nservices++], r,
		       sizeof(*set->services));
		break;
	default:
		v = grow(set->generators, &pr->generators_cap, set->ngenerators,
			 sizeof(*set->generators));
		if (v == NULL)
			return -ENOMEM;
		set->generators = v;
		memcpy(&set->generators[set->ngenerators++], r,
		       sizeof(*set->generators));
		break;
	}
	return 0;
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
	union {
		struct resource_mesh mesh;
		struct resource_mesh_service ms;
		struct resource_hostname_generator hg;
	} r;
	struct resource_meta *m = &r.ms.meta;
	void (*clear)(void *) = NULL;
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
		const struct yamlx_node *src = root;
		const struct yamlx_node *name;

		if (shape == RESOURCE_SHAPE_KUBERNETES)
			src = get(root, "metadata");
		name = get(src, "name");
		if (name != NULL && name->type == YAMLX_SCALAR &&
		    !is_null(name))
			warn_at(c, root,
				"skipping %s %s: kind not supported yet",
				kind_text, name->scalar);
		else
			warn_at(c, root, "skipping %s: kind not supported yet",
				kind_text);
		return 0;
	}

	if (shape == RESOURCE_SHAPE_KUBERNETES) {
		const struct yamlx_node *av = get(root, "apiVersion");
		const char *s = NULL;

		if (want_str(c, av, "apiVersion", &s) == 0) {
			if (s == NULL)
				err_at(c, root, "apiVersion: must be defined");
			else if (strcmp(s, KUMA_API_VERSION) != 0)
				err_at(c, av,
				       "apiVersion: must be " KUMA_API_VERSION
				       " for %s, got \"%s\"",
				       kind_text, s);
		}
		check_keys(c, root, "", k8s_common_keys,
			   kind == RESOURCE_MESH_SERVICE ? k8s_status_keys :
							   NULL);
	} else if (kind == RESOURCE_MESH) {
		check_keys(c, root, "", universal_common_keys, mesh_spec_keys);
	} else {
		check_keys(c, root, "", universal_common_keys,
			   kind == RESOURCE_MESH_SERVICE ? universal_ms_keys :
							   universal_hg_keys);
	}

	switch (kind) {
	case RESOURCE_MESH:
		m = &r.mesh.meta;
		clear = mesh_clear;
		break;
	case RESOURCE_MESH_SERVICE:
		m = &r.ms.meta;
		clear = service_clear;
		break;
	default:
		m = &r.hg.meta;
		clear = generator_clear;
		break;
	}
	if ((rc = parse_meta(c, root, shape, kind, m)) < 0)
		goto out;

	switch (kind) {
	case RESOURCE_MESH:
		if (shape == RESOURCE_SHAPE_KUBERNETES) {
			const struct yamlx_node *spec = NULL;

			if (want_map(c, get(root, "spec"), "spec",
				     &spec) == 0) {
				check_keys(c, spec, "spec", mesh_spec_keys,
					   NULL);
				parse_mesh(c, spec, "spec", &r.mesh);
			}
		} else {
			parse_mesh(c, root, "", &r.mesh);
		}
		break;
	case RESOURCE_MESH_SERVICE:
		rc = parse_mesh_service(c, root, &r.ms);
		break;
	default:
		rc = parse_generator(c, root, &r.hg);
		break;
	}
	if (rc < 0 || c->errs->errors != errors)
		goto out;
	if (kind == RESOURCE_MESH_SERVICE &&
	    r.ms.selector == RESOURCE_SELECTOR_NONE)
		warn_no_selector(c, root, &r.ms);
	if ((rc = append(c->set, kind, &r)) < 0)
		goto out;
	clear = NULL;		/* the set owns it now */
out:
	if (clear != NULL)
		clear(&r);
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

static int
load_text(struct resource_set *set, const char *name, const char *text,
	  size_t len, struct diag_list *errs)
{
	struct yamlx_stream *st = NULL;
	struct ctx c;
	size_t i;
	int rc;

	rc = yamlx_load_string(&st, name, text, len, errs);
	if (rc == -ENOMEM)
		return rc;
	if (rc < 0 || st == NULL)
		return 0;	/* reported by yamlx; the file adds nothing */
	if ((rc = keep_stream(set, st)) < 0) {
		yamlx_stream_free(st);
		return rc;
	}
	memset(&c, 0, sizeof(c));
	c.set = set;
	c.errs = errs;
	c.file = st->file;
	for (i = 0; i < st->ndocs; i++) {
		if (st->docs[i] == NULL)
			continue;
		if ((rc = load_doc(&c, st->docs[i], "a resource", 0)) < 0)
			return rc;
	}
	return 0;
}

/* --- files and directories --- */

static void
cannot_read(struct diag_list *errs, const char *path, int e)
{
	diag_error(errs, NULL, 0, 0, "cannot read %s: %s", path, strerror(e));
}

static int
load_file(struct resource_set *set, const char *path, struct diag_list *errs)
{
	char *buf = NULL;
	size_t len = 0;
	size_t cap = 0;
	int fd = -1;
	int rc = -1;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
		cannot_read(errs, path, errno);
		goto out;
	}
	for (;;) {
		ssize_t r;

		if (cap - len < 4096) {
			size_t ncap = cap ? cap * 2 : 65536;
			char *nb = realloc(buf, ncap + 1);

			if (nb == NULL) {
				rc = -ENOMEM;
				goto out;
			}
			buf = nb;
			cap = ncap;
		}
		r = read(fd, buf + len, cap - len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			cannot_read(errs, path, errno);
			goto out;
		}
		if (r == 0)
			break;
		len += (size_t)r;
	}
	buf[len] = '\0';
	rc = load_text(set, path, buf, len, errs);
out:
	if (fd >= 0)
		close(fd);
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

static int
load_dir(struct resource_set *set, const char *path, const struct stat *st,
	 const struct dir_chain *up, struct diag_list *errs)
{
	struct dirent **ents = NULL;
	struct dir_chain here = { st->st_dev, st->st_ino, up };
	const struct dir_chain *a;
	size_t plen = strlen(path);
	int n;
	int i;
	int rc = 0;

	for (a = up; a != NULL; a = a->up) {
		if (a->dev == st->st_dev && a->ino == st->st_ino) {
			diag_warning(errs, NULL, 0, 0,
				     "skipping %s: directory loop", path);
			return 0;
		}
	}
	if ((n = scandir(path, &ents, not_hidden, name_cmp)) < 0) {
		cannot_read(errs, path, errno);
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
			cannot_read(errs, full, errno);
		} else if (S_ISDIR(sub.st_mode)) {
			if (load_dir(set, full, &sub, &here, errs) == -ENOMEM)
				rc = -ENOMEM;
		} else if (S_ISREG(sub.st_mode) &&
			   has_yaml_suffix(ents[i]->d_name)) {
			if (load_file(set, full, errs) == -ENOMEM)
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
	size_t i;

	if (set == NULL)
		return;
	pr = set->priv;
	for (i = 0; i < set->nmeshes; i++)
		mesh_clear(&set->meshes[i]);
	for (i = 0; i < set->nservices; i++)
		service_clear(&set->services[i]);
	for (i = 0; i < set->ngenerators; i++)
		generator_clear(&set->generators[i]);
	free(set->meshes);
	free(set->services);
	free(set->generators);
	for (i = 0; i < pr->nstreams; i++)
		yamlx_stream_free(pr->streams[i]);
	free(pr->streams);
	free(pr);
	free(set);
}

int
resource_set_load_path(struct resource_set *set, const char *path,
		       struct diag_list *errs)
{
	struct stat st;

	if (stat(path, &st) < 0) {
		cannot_read(errs, path, errno);
		return -1;
	}
	if (S_ISDIR(st.st_mode))
		return load_dir(set, path, &st, NULL, errs);
	return load_file(set, path, errs);
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

static int
dup_cmp(const void *a, const void *b)
{
	const struct dup_ent *x = a;
	const struct dup_ent *y = b;
	int r;

	if ((r = nullable_cmp(x->m->name, y->m->name)) != 0)
		return r;
	if ((r = nullable_cmp(x->m->namespace, y->m->namespace)) != 0)
		return r;
	if ((r = nullable_cmp(x->m->mesh, y->m->mesh)) != 0)
		return r;
	return x->i < y->i ? -1 : x->i > y->i;
}

/*
 * Every element starts with its struct resource_meta (the first member of
 * each resource struct), so one routine serves the three arrays.  The
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
		if (nullable_cmp(ents[i].m->name, ents[w].m->name) == 0 &&
		    nullable_cmp(ents[i].m->namespace,
				 ents[w].m->namespace) == 0 &&
		    nullable_cmp(ents[i].m->mesh, ents[w].m->mesh) == 0)
			first[ents[i].i] = ents[w].i;
		else
			w = i;
	}
	for (i = 0; i < n; i++) {
		const struct resource_meta *m;
		const struct resource_meta *f;

		if (first[i] == SIZE_MAX)
			continue;
		m = (const struct resource_meta *)(base + i * size);
		f = (const struct resource_meta *)(base + first[i] * size);
		diag_error(errs, m->pos.file, m->pos.line, m->pos.column,
			   "duplicate %s \"%s\"%s%s%s%s%s%s: first defined at "
			   "%s:%d:%d",
			   resource_kind_name(m->kind), m->name,
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

int
resource_set_finish(struct resource_set *set, struct diag_list *errs)
{
	int rc;

	rc = drop_duplicates((char *)set->meshes, &set->nmeshes,
			     sizeof(*set->meshes), mesh_clear, errs);
	if (rc < 0)
		return rc;
	rc = drop_duplicates((char *)set->services, &set->nservices,
			     sizeof(*set->services), service_clear, errs);
	if (rc < 0)
		return rc;
	rc = drop_duplicates((char *)set->generators, &set->ngenerators,
			     sizeof(*set->generators), generator_clear, errs);
	if (rc < 0)
		return rc;
	if (set->nmeshes > 1)
		qsort(set->meshes, set->nmeshes, sizeof(*set->meshes),
		      meta_qsort_cmp);
	if (set->nservices > 1)
		qsort(set->services, set->nservices, sizeof(*set->services),
		      meta_qsort_cmp);
	if (set->ngenerators > 1)
		qsort(set->generators, set->ngenerators,
		      sizeof(*set->generators), meta_qsort_cmp);
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

/* Add @key=@value unless @key is there; keeps the array sorted. */
static int
labels_add_default(struct resource_labels *l, const char *key,
		   const char *value)
{
	struct resource_label *v = NULL;
	size_t i = 0;

	if (resource_labels_get(l, key) != NULL)
		return 0;
	v = realloc(l->v, (l->n + 1) * sizeof(*v));
	if (v == NULL)
		return -ENOMEM;
	l->v = v;
	while (i < l->n && strcmp(v[i].key, key) < 0)
		i++;
	memmove(&v[i + 1], &v[i], (l->n - i) * sizeof(*v));
	v[i].key = strdup(key);
	v[i].value = strdup(value);
	l->n++;
	if (v[i].key == NULL || v[i].value == NULL)
		return -ENOMEM;
	return 0;
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
