/* SPDX-License-Identifier: MIT */
/* generate.c -- the resources Kuma's zone control plane derives. */

/*
 * What Kuma's zone control plane creates on its own, computed once per
 * build from the loaded set (reference/kuma.md sections 2, 3, 4, 7, 8).
 * The set is only read: what is derived goes into the result, whose
 * store owns the new resources.
 *
 *   1. synced resources (kuma.io/origin: global) are copied with the name
 *      KDS gives them in a zone and without their status VIPs;
 *   2. universal zones: MeshServices from Dataplane inbounds;
 *   3. MeshServices from Kubernetes Services (ClusterIP and headless);
 *   4. the default HostnameGenerators;
 *   5. the legacy kuma.io/service names;
 *   6. every kind is put in Kuma's order, and last the
 *      MeshMultiZoneService matches are computed (they borrow strings of
 *      the final services).
 *
 * Step 1 comes first so that a synced copy, once renamed, no longer
 * blocks a local MeshService of the same display name (in Kuma the two
 * never share a name).
 */

#include "autoconfig.h"

#include <errno.h>
#include <stdatomic.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "kuma/generate.h"
#include "kuma/labels.h"
#include "kuma/resource_units.h"
#include "util/bigarray.h"
#include "util/cmp.h"
#include "util/hash.h"
#include "util/netaddr.h"

/* Where defaults "are written": no file, line 0. */
static const char default_file[] = "<default>";
/* The position of a MeshService kept through its grace period. */
static const char grace_file[] = "<state file>";

/* The legacy allocator skips the inbound of this port (kuma.md 5). */
#define LEGACY_SKIPPED_PORT 49151

/* KDS HashedName keeps at most this much of the name (253 - 17). */
#define HASHED_NAME_MAX 236
/* A headless Pod name longer than this is cut (63 - 10 - 1). */
#define HEADLESS_POD_MAX 52

/* k8s.io/apimachinery rand.SafeEncodeString: no vowels, no 0, 1, 3. */
static const char safe_alphabet[] = "bcdfghjklmnpqrstvwxz2456789";

/* What a result owns besides its arrays. */
struct generate_store {
	/* Generated MeshServices and the default HostnameGenerators. */
	struct resource_set *made;
	/*
	 * The copies of synced resources: name and labels owned, every
	 * other pointer borrowed from the input set's resource.
	 */
	struct resource_mesh_service *ms;
	size_t nms;
	struct resource_mesh_external_service *mes;
	size_t nmes;
	struct resource_mesh_multi_zone_service *mzs;
	size_t nmzs;
	/*
	 * Results made by generate_apply() share the store of the run
	 * they come from: @refs results hold it.  It owns the legacy
	 * names, and keeps what generate_apply() compares: the options,
	 * and whether the set had a resource that is not plainly this
	 * zone's (synced, a copy, another zone's).
	 */
	_Atomic size_t refs;
	struct generate_legacy *legacy;
	size_t nlegacy;
	int nonlocal;
	int64_t graced_since;		/* the earliest grace period's start,
					 * 0: none */
	char *zone;
	struct generate_options opt;	/* without zone, known, now */
};

/* A condition for made->services[made], until the result is assembled. */
struct pending {
	size_t made;
	struct generate_condition cond;
};

/* made->services[made] is kept through its deletion grace period. */
struct graced {
	size_t made;
	int64_t since;
};

/* One run. */
struct gen {
	const struct resource_set *set;
	const struct generate_options *opt;
	struct generate_result *result;
	struct resource_set *made;	/* result->store->made */
	size_t nwritten;		/* result->services[0..nwritten): the
					 * set's MeshServices */
	struct pending *pending;
	size_t npending;
	struct graced *graced;
	size_t ngraced;
	struct diag_list *diags;
};

/* --- names --- */

static void
safe_encode(char *s)
{
	const size_t n = sizeof(safe_alphabet) - 1;

	for (; *s != '\0'; s++)
		*s = safe_alphabet[(unsigned char)*s % n];
}

int
generate_hashed_name(char *buf, size_t size, const char *mesh,
		     const char *name, const char *zone,
		     const char *namespace)
{
	char enc[17];
	uint64_t h = HASH_FNV1A64_INIT;
	size_t n = strlen(name);

	/* Kuma hashes the whole name and cuts only the visible prefix. */
	h = hash_fnv1a64_str(h, mesh != NULL ? mesh : "");
	h = hash_fnv1a64_str(h, name);
	if (zone != NULL)
		h = hash_fnv1a64_str(h, zone);
	if (namespace != NULL)
		h = hash_fnv1a64_str(h, namespace);
	snprintf(enc, sizeof(enc), "%016llx", (unsigned long long)h);
	safe_encode(enc);
	if (n > HASHED_NAME_MAX)
		n = HASHED_NAME_MAX;
	if (size < n + 1 + strlen(enc) + 1)
		return -1;
	snprintf(buf, size, "%.*s-%s", (int)n, name, enc);
	return 0;
}

int
generate_headless_name(char *buf, size_t size, const char *service,
		       const char *namespace, const char *pod)
{
	char enc[11];
	uint32_t h = HASH_FNV1A32_INIT;
	size_t n = strlen(pod);

	h = hash_fnv1a32_str(h, service);
	h = hash_fnv1a32_str(h, namespace);
	/*
	 * A long Pod name is cut to keep the result a 63-octet label; the
	 * whole name then goes into the hash so that two Pods sharing the
	 * first 52 characters still get different names.
	 */
	if (n > HEADLESS_POD_MAX) {
		h = hash_fnv1a32_str(h, pod);
		n = HEADLESS_POD_MAX;
	}
	snprintf(enc, sizeof(enc), "%u", (unsigned)h);
	safe_encode(enc);
	if (size < n + 1 + strlen(enc) + 1)
		return -1;
	snprintf(buf, size, "%.*s-%s", (int)n, pod, enc);
	return 0;
}

/* --- small helpers --- */

/* A growing string; @oom is set instead of failing each call. */
struct sbuf {
	char *s;
	size_t len;
	size_t cap;
	int oom;
};

static void __attribute__((format(printf, 2, 3)))
sb_printf(struct sbuf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (b->oom)
		return;
	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0) {
		b->oom = 1;
		return;
	}
	if (b->len + (size_t)n + 1 > b->cap) {
		size_t ncap = (b->len + (size_t)n + 1) * 2;
		char *s = realloc(b->s, ncap);

		if (s == NULL) {
			b->oom = 1;
			return;
		}
		b->s = s;
		b->cap = ncap;
	}
	va_start(ap, fmt);
	vsnprintf(b->s + b->len, b->cap - b->len, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

static const char *
mesh_of(const struct resource_meta *m)
{
	return m->mesh != NULL ? m->mesh : "default";
}

static const char *
zone_of(const struct generate_options *opt)
{
	return opt->zone != NULL ? opt->zone : "default";
}

/* Kubernetes' "enabled"/"true" flag values (Kuma's GetEnabled). */
static int
flag_enabled(const char *v)
{
	return v != NULL && (strcmp(v, "enabled") == 0 ||
			     strcmp(v, "true") == 0);
}

static int
set_str(char **dst, const char *src)
{
	if ((*dst = strdup(src)) == NULL)
		return -ENOMEM;
	return 0;
}

/* @m's mesh: @mesh interned; 0 or -ENOMEM. */
static int
set_mesh(struct resource_meta *m, const char *mesh)
{
	if ((m->mesh = resource_mesh_intern(mesh)) == NULL)
		return -ENOMEM;
	return 0;
}

/* Deep copy of sorted labels into an empty @dst. */
static int
labels_copy(struct resource_labels *dst, const struct resource_labels *src)
{
	size_t i;

	if (src->n == 0)
		return 0;
	if ((dst->v = calloc(src->n, sizeof(*dst->v))) == NULL)
		return -ENOMEM;
	for (i = 0; i < src->n; i++) {
		dst->v[i].key = strdup(src->v[i].key);
		dst->v[i].value = strdup(src->v[i].value);
		dst->n++;
		if (dst->v[i].key == NULL || dst->v[i].value == NULL)
			return -ENOMEM;
	}
	return 0;
}

/*
 * Is a MeshService of that name already there (written by hand, or
 * generated earlier)?  A NULL @mesh matches any mesh: Kubernetes objects
 * are unique per namespace whatever their mesh label says.
 */
static int
meta_is(const struct resource_meta *m, const char *mesh,
	const char *namespace, const char *name)
{
	return strcmp(m->name, name) == 0 &&
	       cmp_str_null(m->namespace, namespace) == 0 &&
	       (mesh == NULL || strcmp(mesh_of(m), mesh) == 0);
}

static int
service_taken(const struct gen *g, const char *mesh, const char *namespace,
	      const char *name)
{
	size_t i;

	for (i = 0; i < g->nwritten; i++)
		if (g->result->services[i].res != NULL &&
		    meta_is(&g->result->services[i].res->meta, mesh,
			    namespace, name))
			return 1;
	for (i = 0; i < g->made->nservices; i++)
		if (meta_is(&g->made->services[i].meta, mesh, namespace,
			    name))
			return 1;
	return 0;
}

enum resource_mesh_mode
generate_mesh_mode(const struct resource_set *set, const char *mesh,
		   const struct generate_options *opt)
{
	const struct resource_mesh *m = NULL;

	if (mesh != NULL && (m = resource_set_mesh(set, mesh)) != NULL &&
	    m->has_mode)
		return m->mode;
	return opt->default_mode;
}

/* --- 1. synced resources --- */

/*
 * Global -> zone: KDS names a synced resource HashedName(mesh, display
 * name, zone, namespace) and strips its status.  Input exported from a
 * zone already has the hashed name (and the original in
 * kuma.io/display-name); input exported from the origin zone or global
 * does not, and gets it here.
 */
static int
rename_synced(struct resource_meta *m)
{
	const char *origin = resource_labels_get(&m->labels, KUMA_LABEL_ORIGIN);
	const char *display = resource_labels_get(&m->labels,
						  KUMA_LABEL_DISPLAY_NAME);
	const char *zone = NULL;
	const char *ns = NULL;
	char buf[512];
	char *name = NULL;

	if (origin == NULL || strcmp(origin, "global") != 0)
		return 0;
	if (display != NULL && strcmp(display, m->name) != 0)
		return 0;
	zone = resource_labels_get(&m->labels, KUMA_LABEL_ZONE);
	ns = resource_labels_get(&m->labels, KUMA_LABEL_K8S_NAMESPACE);
	if (generate_hashed_name(buf, sizeof(buf), m->mesh, m->name, zone,
				 ns) < 0)
		return 0;	/* cannot happen: the name is cut to 236 */
	if ((name = strdup(buf)) == NULL)
		return -ENOMEM;
	if (resource_labels_set(&m->labels, KUMA_LABEL_DISPLAY_NAME,
				m->name) < 0) {
		free(name);
		return -ENOMEM;
	}
	free(m->name);
	m->name = name;
	return 1;
}

/*
 * What a zone holds of a resource in the input (reference/kuma.md 8):
 *
 *   SYNC_LOCAL   this zone's own, as written;
 *   SYNC_SYNCED  another zone's (or global's), arriving by KDS: origin
 *                global, the hashed name, status stripped.  A global
 *                control plane's record of another zone's resource
 *                (origin zone, kuma.io/zone another zone, a hashed name:
 *                one other than its display name) is one, for the kinds
 *                KDS sends across zones;
 *   SYNC_STORED  origin global under its hashed name already: the record
 *                as this zone's store holds it, status given by this
 *                zone (kept);
 *   SYNC_ELSEWHERE  another zone's resource of a kind KDS never sends to
 *                other zones: not in this zone;
 *   SYNC_OWN_COPY  perhaps the global's record of this zone's own
 *                resource (origin zone, this zone, a name other than
 *                its display name): left out when the original (named
 *                by the display name) is in the input too, as KDS does
 *                not send it back; otherwise kept as written (a zone's
 *                own store may hold such names: Kubernetes core names).
 */
enum sync_role {
	SYNC_LOCAL = 0,
	SYNC_SYNCED,
	SYNC_STORED,
	SYNC_ELSEWHERE,
	SYNC_OWN_COPY,
};

static int
is_hashed(const struct resource_meta *m)
{
	const char *display = resource_labels_get(&m->labels,
						  KUMA_LABEL_DISPLAY_NAME);

	return display != NULL && strcmp(display, m->name) != 0;
}

static enum sync_role
sync_role(const struct resource_meta *m, const struct generate_options *opt,
	  int across_zones)
{
	const char *origin = resource_labels_get(&m->labels, KUMA_LABEL_ORIGIN);
	const char *zone = resource_labels_get(&m->labels, KUMA_LABEL_ZONE);

	if (origin != NULL && strcmp(origin, "global") == 0)
		return is_hashed(m) ? SYNC_STORED : SYNC_SYNCED;
	/* Global holds what zones send under KDS's hashed names. */
	if (origin == NULL || strcmp(origin, "zone") != 0 || zone == NULL ||
	    !is_hashed(m))
		return SYNC_LOCAL;
	if (strcmp(zone, zone_of(opt)) == 0)
		return SYNC_OWN_COPY;
	return across_zones ? SYNC_SYNCED : SYNC_ELSEWHERE;
}

/* Is a Dataplane of another zone (a global control plane's record)? */
static int
dp_elsewhere(const struct resource_dataplane *dp,
	     const struct generate_options *opt)
{
	return sync_role(&dp->meta, opt, 0) == SYNC_ELSEWHERE;
}

/*
 * Is this zone's own original of @copy (SYNC_OWN_COPY) among @n metas
 * @size bytes apart?  The original has the display name as its name and
 * the k8s.kuma.io/namespace label as its namespace.
 */
static int
own_original_present(const void *base, size_t n, size_t size,
		     const struct resource_meta *copy,
		     const struct generate_options *opt)
{
	const char *name = resource_labels_get(&copy->labels,
					       KUMA_LABEL_DISPLAY_NAME);
	const char *ns = resource_labels_get(&copy->labels,
					     KUMA_LABEL_K8S_NAMESPACE);
	size_t i;

	for (i = 0; i < n; i++) {
		const struct resource_meta *m = (const void *)
			((const char *)base + i * size);

		if (strcmp(m->name, name) == 0 &&
		    cmp_str_null(m->namespace, ns) == 0 &&
		    strcmp(mesh_of(m), mesh_of(copy)) == 0 &&
		    sync_role(m, opt, 1) == SYNC_LOCAL)
			return 1;
	}
	return 0;
}

/*
 * @src as this zone holds it (@role from sync_role(): SYNC_SYNCED or
 * SYNC_STORED): a copy whose name and labels @dst owns, the rest
 * borrowed; SYNC_SYNCED gets origin global and the hashed name
 * (rename_synced()).
 */
static int
synced_meta(struct resource_meta *dst, const struct resource_meta *src,
	    enum sync_role role)
{
	*dst = *src;
	dst->name = NULL;
	memset(&dst->labels, 0, sizeof(dst->labels));
	if (labels_copy(&dst->labels, &src->labels) < 0 ||
	    set_str(&dst->name, src->name) < 0 ||
	    (role == SYNC_SYNCED &&
	     resource_labels_set(&dst->labels, KUMA_LABEL_ORIGIN,
				 "global") < 0) ||
	    rename_synced(dst) < 0)
		return -ENOMEM;
	return 0;
}

/*
 * The set's MeshServices, MeshExternalServices and MeshMultiZoneServices
 * into the result as this zone holds them: synced ones replaced by their
 * copies in the store; another zone's
 * MeshExternalServices, and the global's records of this zone's own
 * resources whose originals are in the set, left out.
 */
static int
synced(struct gen *g)
{
	const struct resource_set *set = g->set;
	const struct generate_options *opt = g->opt;
	struct generate_result *r = g->result;
	struct generate_store *st = r->store;
	size_t i;

	r->services = bigarray_calloc(set->nservices + 1,
				      sizeof(*r->services));
	r->external_services = calloc(set->nexternal_services + 1,
				      sizeof(*r->external_services));
	r->multizone_services = calloc(set->nmultizone_services + 1,
				       sizeof(*r->multizone_services));
	st->ms = calloc(set->nservices + 1, sizeof(*st->ms));
	st->mes = calloc(set->nexternal_services + 1, sizeof(*st->mes));
	st->mzs = calloc(set->nmultizone_services + 1, sizeof(*st->mzs));
	if (r->services == NULL || r->external_services == NULL ||
	    r->multizone_services == NULL || st->ms == NULL ||
	    st->mes == NULL || st->mzs == NULL)
		return -ENOMEM;
	for (i = 0; i < set->nservices; i++) {
		const struct resource_mesh_service *ms = &set->services[i];
		struct resource_mesh_service *c = NULL;
		enum sync_role role = ms->origin != RESOURCE_WRITTEN ?
			SYNC_LOCAL : sync_role(&ms->meta, opt, 1);

		if (role != SYNC_LOCAL)
			st->nonlocal = 1;
		if (role == SYNC_OWN_COPY &&
		    own_original_present(set->services, set->nservices,
					 sizeof(*ms), &ms->meta, opt))
			continue;
		r->services[r->nservices++].res = ms;
		if (role == SYNC_LOCAL || role == SYNC_OWN_COPY)
			continue;
		c = &st->ms[st->nms++];
		*c = *ms;
		if (role == SYNC_SYNCED) {
			c->vips = NULL;
			c->nvips = 0;
		}
		if (synced_meta(&c->meta, &ms->meta, role) < 0)
			return -ENOMEM;
		r->services[r->nservices - 1].res = c;
	}
	g->nwritten = r->nservices;
	for (i = 0; i < set->nexternal_services; i++) {
		const struct resource_mesh_external_service *mes =
			&set->external_services[i];
		struct resource_mesh_external_service *c = NULL;
		enum sync_role role = sync_role(&mes->meta, opt, 0);

		if (role != SYNC_LOCAL)
			st->nonlocal = 1;
		if (role == SYNC_ELSEWHERE ||
		    (role == SYNC_OWN_COPY &&
		     own_original_present(set->external_services,
					  set->nexternal_services,
					  sizeof(*mes), &mes->meta, opt)))
			continue;
		r->external_services[r->nexternal_services++] = mes;
		if (role == SYNC_LOCAL || role == SYNC_OWN_COPY)
			continue;
		c = &st->mes[st->nmes++];
		*c = *mes;
		if (role == SYNC_SYNCED)
			c->vip = NULL;
		if (synced_meta(&c->meta, &mes->meta, role) < 0)
			return -ENOMEM;
		r->external_services[r->nexternal_services - 1] = c;
	}
	for (i = 0; i < set->nmultizone_services; i++) {
		const struct resource_mesh_multi_zone_service *mzs =
			&set->multizone_services[i];
		struct resource_mesh_multi_zone_service *c = NULL;
		enum sync_role role = sync_role(&mzs->meta, opt, 0);

		if (role != SYNC_LOCAL)
			st->nonlocal = 1;
		r->multizone_services[r->nmultizone_services++].res = mzs;
		if (role != SYNC_SYNCED && role != SYNC_STORED)
			continue;
		c = &st->mzs[st->nmzs++];
		*c = *mzs;
		if (role == SYNC_SYNCED) {
			c->vips = NULL;
			c->nvips = 0;
		}
		if (synced_meta(&c->meta, &mzs->meta, role) < 0)
			return -ENOMEM;
		r->multizone_services[r->nmultizone_services - 1].res = c;
	}
	return 0;
}

/* --- 2. universal: MeshServices from Dataplanes --- */

/* One (mesh, name) a Dataplane yields, with the Dataplane's age rank. */
struct ukey {
	const char *mesh;
	const char *key;
	size_t rank;
};

static int
dp_ptr_cmp(const void *a, const void *b)
{
	const struct resource_dataplane *const *pa = a;
	const struct resource_dataplane *const *pb = b;
	const struct resource_meta *x = &(*pa)->meta;
	const struct resource_meta *y = &(*pb)->meta;

	/*
	 * Without creation times, input order: what `kumactl apply -f`
	 * of the file would have given them.
	 */
	if (!x->has_creation_time && !y->has_creation_time &&
	    x->seq != y->seq)
		return x->seq < y->seq ? -1 : 1;
	return resource_meta_cmp(x, y);
}

static int
ukey_cmp(const void *a, const void *b)
{
	const struct ukey *x = a;
	const struct ukey *y = b;
	int r;

	if ((r = strcmp(x->mesh, y->mesh)) != 0)
		return r;
	if ((r = strcmp(x->key, y->key)) != 0)
		return r;
	return x->rank < y->rank ? -1 : x->rank > y->rank;
}

/*
 * The appProtocol Kuma gives an inbound's port: the `protocol` field,
 * else the kuma.io/protocol tag (2.x GetProtocolFallback), if Kuma knows
 * it (ParseProtocol, case-insensitive), else tcp.
 */
static const char *
inbound_protocol(const struct resource_inbound *in)
{
	static const char *const known[] = {
		"http", "http2", "grpc", "tcp", "tls", "mysql", NULL
	};
	const char *p = in->protocol;
	size_t i;

	if (p == NULL || *p == '\0')
		p = resource_labels_get(&in->tags, KUMA_TAG_PROTOCOL);
	if (p == NULL)
		return "tcp";
	for (i = 0; known[i] != NULL; i++)
		if (strcasecmp(p, known[i]) == 0)
			return known[i];
	return "tcp";
}

/* The port's name: the inbound name, else the port number. */
static const char *
inbound_port_name(const struct resource_inbound *in, char *buf, size_t size)
{
	if (in->name != NULL && *in->name != '\0')
		return in->name;
	snprintf(buf, size, "%u", (unsigned)in->port);
	return buf;
}

/*
 * The next inbound at or after @i that belongs to MeshService @key, or
 * SIZE_MAX.  With workload labels the Dataplane as a whole belongs to it.
 */
static size_t
next_inbound(const struct resource_dataplane *dp, size_t i, const char *key,
	     int workload)
{
	for (; i < dp->ninbounds; i++) {
		const char *v;

		if (workload)
			return i;
		v = resource_labels_get(&dp->inbounds[i].tags,
					KUMA_TAG_SERVICE);
		if (v != NULL && strcmp(v, key) == 0)
			return i;
	}
	return SIZE_MAX;
}

static int
inbound_ports_equal(const struct resource_inbound *a,
		    const struct resource_inbound *b)
{
	char ba[16];
	char bb[16];

	return a->port == b->port &&
	       strcmp(inbound_protocol(a), inbound_protocol(b)) == 0 &&
	       strcmp(inbound_port_name(a, ba, sizeof(ba)),
		      inbound_port_name(b, bb, sizeof(bb))) == 0;
}

/* Kuma compares the whole generated ports list (names, order, ...). */
static int
dp_ports_equal(const struct resource_dataplane *a,
	       const struct resource_dataplane *b, const char *key,
	       int workload)
{
	size_t i = next_inbound(a, 0, key, workload);
	size_t j = next_inbound(b, 0, key, workload);

	while (i != SIZE_MAX && j != SIZE_MAX) {
		if (!inbound_ports_equal(&a->inbounds[i], &b->inbounds[j]))
			return 0;
		i = next_inbound(a, i + 1, key, workload);
		j = next_inbound(b, j + 1, key, workload);
	}
	return i == SIZE_MAX && j == SIZE_MAX;
}

/* "[main:80/tcp, metrics:9090/http]" */
static void
format_ports(struct sbuf *b, const struct resource_dataplane *dp,
	     const char *key, int workload)
{
	size_t i = next_inbound(dp, 0, key, workload);
	const char *sep = "";

	sb_printf(b, "[");
	while (i != SIZE_MAX) {
		const struct resource_inbound *in = &dp->inbounds[i];
		char nb[16];

		sb_printf(b, "%s%s:%u/%s", sep,
			  inbound_port_name(in, nb, sizeof(nb)),
			  (unsigned)in->port, inbound_protocol(in));
		sep = ", ";
		i = next_inbound(dp, i + 1, key, workload);
	}
	sb_printf(b, "]");
}

static int
fill_dp_ports(struct resource_mesh_service *ms,
	      const struct resource_dataplane *dp, const char *key,
	      int workload)
{
	size_t i;
	size_t n = 0;

	for (i = next_inbound(dp, 0, key, workload); i != SIZE_MAX;
	     i = next_inbound(dp, i + 1, key, workload))
		n++;
	if (n == 0)
		return 0;
	if ((ms->ports = calloc(n, sizeof(*ms->ports))) == NULL)
		return -ENOMEM;
	for (i = next_inbound(dp, 0, key, workload); i != SIZE_MAX;
	     i = next_inbound(dp, i + 1, key, workload)) {
		const struct resource_inbound *in = &dp->inbounds[i];
		struct resource_port *p = &ms->ports[ms->nports++];
		char nb[16];

		p->port = in->port;
		p->has_target = 1;
		p->target_port = in->port;
		p->pos = in->pos;
		if (set_str(&p->name, inbound_port_name(in, nb,
							sizeof(nb))) < 0 ||
		    set_str(&p->app_protocol, inbound_protocol(in)) < 0)
			return -ENOMEM;
	}
	return 0;
}

#define UNLABELED_NAMED 3	/* Dataplanes a warning names */

/*
 * With workload labels, a Dataplane without one yields no MeshService:
 * one warning at the first such Dataplane, naming the first few.
 */
static void
report_unlabeled(const struct resource_dataplane *const *first, size_t n,
		 struct diag_list *diags)
{
	const struct resource_pos *pos = NULL;
	char names[3 * 300];
	char more[48];
	size_t len = 0;
	size_t i;

	if (n == 0)
		return;
	pos = &first[0]->meta.pos;
	if (n == 1) {
		diag_warning(diags, pos->file, pos->line, pos->column,
			     "Dataplane \"%s\" has no " KUMA_LABEL_WORKLOAD
			     " label: with kuma.generation: workload, no "
			     "MeshService is generated from it",
			     first[0]->meta.name);
		return;
	}
	names[0] = '\0';
	for (i = 0; i < n && i < UNLABELED_NAMED; i++) {
		len += (size_t)snprintf(names + len, sizeof(names) - len,
					"%s\"%.256s\"",
					i == 0 ? "" :
					i + 1 == n ? " and " : ", ",
					first[i]->meta.name);
		if (len >= sizeof(names))
			len = sizeof(names) - 1;
	}
	more[0] = '\0';
	if (n > UNLABELED_NAMED)
		snprintf(more, sizeof(more), " and %zu more",
			 n - UNLABELED_NAMED);
	diag_warning(diags, pos->file, pos->line, pos->column,
		     "%zu Dataplanes have no " KUMA_LABEL_WORKLOAD " label "
		     "(%s%s): with kuma.generation: workload, no MeshService "
		     "is generated from them", n, names, more);
}

/*
 * Gather every (mesh, name) the Dataplanes of enabled meshes yield, and
 * report the names that are not RFC 1035 labels (Kuma skips them too),
 * and, with workload labels, the Dataplanes without one.
 */
static int
collect_ukeys(const struct resource_set *set,
	      const struct generate_options *opt,
	      const struct resource_dataplane **dps, struct ukey **out,
	      size_t *nout, struct diag_list *diags)
{
	const struct resource_dataplane *unlabeled[UNLABELED_NAMED] = { NULL };
	size_t nunlabeled = 0;
	struct ukey *keys = NULL;
	size_t n = 0;
	size_t cap = 0;
	size_t r;

	for (r = 0; r < set->ndataplanes; r++) {
		const struct resource_dataplane *dp = dps[r];
		const char *mesh = mesh_of(&dp->meta);
		size_t i;

		if (generate_mesh_mode(set, mesh, opt) ==
		    RESOURCE_MESH_MODE_DISABLED || dp->ninbounds == 0 ||
		    dp_elsewhere(dp, opt))
			continue;
		for (i = 0; i < (opt->workload_labels ? 1 : dp->ninbounds);
		     i++) {
			const struct resource_pos *pos;
			const char *v;
			const char *bad;

			if (opt->workload_labels) {
				v = resource_labels_get(&dp->meta.labels,
							KUMA_LABEL_WORKLOAD);
				pos = &dp->meta.pos;
			} else {
				v = resource_labels_get(&dp->inbounds[i].tags,
							KUMA_TAG_SERVICE);
				pos = &dp->inbounds[i].pos;
			}
			if (v == NULL && opt->workload_labels) {
				if (nunlabeled < UNLABELED_NAMED)
					unlabeled[nunlabeled] = dp;
				nunlabeled++;
			}
			if (v == NULL)
				continue;
			if ((bad = resource_rfc1035_label_error(v)) != NULL) {
				diag_warning(diags, pos->file, pos->line,
					     pos->column,
					     "couldn't generate MeshService "
					     "from %s, contains invalid "
					     "characters (value \"%s\", "
					     "Dataplane \"%s\", mesh \"%s\"): "
					     "%s",
					     opt->workload_labels ?
					     KUMA_LABEL_WORKLOAD :
					     KUMA_TAG_SERVICE,
					     v, dp->meta.name, mesh, bad);
				continue;
			}
			if (n == cap) {
				size_t ncap = cap ? cap * 2 : 16;
				struct ukey *k = realloc(keys,
							 ncap * sizeof(*k));

				if (k == NULL) {
					free(keys);
					return -ENOMEM;
				}
				keys = k;
				cap = ncap;
			}
			keys[n].mesh = mesh;
			keys[n].key = v;
			keys[n].rank = r;
			n++;
		}
	}
	report_unlabeled(unlabeled, nunlabeled, diags);
	if (n > 1)
		qsort(keys, n, sizeof(*keys), ukey_cmp);
	*out = keys;
	*nout = n;
	return 0;
}

static int
set_universal_labels(struct resource_mesh_service *ms, const char *mesh,
		     const char *name, const struct generate_options *opt)
{
	int rc = 0;

	rc |= resource_labels_set(&ms->meta.labels, KUMA_LABEL_MESH, mesh);
	rc |= resource_labels_set(&ms->meta.labels, KUMA_LABEL_DISPLAY_NAME,
				  name);
	rc |= resource_labels_set(&ms->meta.labels, KUMA_LABEL_MANAGED_BY,
				  "meshservice-generator");
	rc |= resource_labels_set(&ms->meta.labels, KUMA_LABEL_ENV,
				  "universal");
	rc |= resource_labels_set(&ms->meta.labels, KUMA_LABEL_ZONE,
				  zone_of(opt));
	rc |= resource_labels_set(&ms->meta.labels, KUMA_LABEL_ORIGIN, "zone");
	return rc < 0 ? -ENOMEM : 0;
}

/* Add a condition (strings copied) to the generated service made[@i]. */
static int
add_condition(struct gen *g, size_t i, const char *type, int status,
	      const char *reason, const char *message)
{
	struct pending *v = NULL;
	struct generate_condition c = { NULL, status != 0, NULL, NULL };

	if (set_str(&c.type, type) < 0 || set_str(&c.reason, reason) < 0 ||
	    set_str(&c.message, message) < 0)
		goto oom;
	v = realloc(g->pending, (g->npending + 1) * sizeof(*v));
	if (v == NULL)
		goto oom;
	g->pending = v;
	v[g->npending].made = i;
	v[g->npending].cond = c;
	g->npending++;
	return 0;
oom:
	free(c.type);
	free(c.reason);
	free(c.message);
	return -ENOMEM;
}

/*
 * How a conflict message names the Dataplane @winner that gives the ports,
 * to @dp: "oldest" only when creation times say so (without one it comes
 * first, as the zero time does in Kuma; between two without, input order
 * decides).
 */
static const char *
first_dp_words(const struct resource_dataplane *winner,
	       const struct resource_dataplane *dp)
{
	if (winner->meta.has_creation_time)
		return "oldest Dataplane";
	if (dp->meta.has_creation_time)
		return "Dataplane without a creation time";
	return "first Dataplane in the input";
}

/*
 * The Dataplanes of keys[0..n) (same mesh and name, oldest first) that
 * disagree with the oldest one: a PortConflict condition on the generated
 * service made[@i] and a warning at each of them.
 */
static int
report_conflicts(struct gen *g, size_t ms,
		 const struct resource_dataplane **dps, const struct ukey *keys,
		 size_t n, int workload)
{
	struct diag_list *diags = g->diags;
	const struct resource_dataplane *winner = dps[keys[0].rank];
	struct sbuf cond = { 0 };
	struct sbuf one = { 0 };
	size_t last = keys[0].rank;
	size_t i;
	int rc = 0;

	for (i = 1; i < n; i++) {
		const struct resource_dataplane *dp = dps[keys[i].rank];

		if (keys[i].rank == last)
			continue;	/* several inbounds of one Dataplane */
		last = keys[i].rank;
		if (dp_ports_equal(winner, dp, keys[0].key, workload))
			continue;
		one.len = 0;
		sb_printf(&one, "Dataplane \"%s\" has ports ", dp->meta.name);
		format_ports(&one, dp, keys[0].key, workload);
		sb_printf(&one, " but MeshService \"%s\" has the ports of the "
			  "%s \"%s\" ", keys[0].key,
			  first_dp_words(winner, dp), winner->meta.name);
		format_ports(&one, winner, keys[0].key, workload);
		if (one.oom)
			break;
		diag_warning(diags, dp->meta.pos.file, dp->meta.pos.line,
			     dp->meta.pos.column, "%s", one.s);
		sb_printf(&cond, "%s%s", cond.len ? "; " : "", one.s);
	}
	if (one.oom || cond.oom) {
		rc = -ENOMEM;
		goto out;
	}
	if (cond.len > 0)
		rc = add_condition(g, ms, "PortConflict", 1, "PortConflict",
				   cond.s);
out:
	free(one.s);
	free(cond.s);
	return rc;
}

/*
 * The index in result->services[0..nwritten) of a MeshService of this
 * zone that the generator made (kuma.io/managed-by:
 * meshservice-generator, as in any export of a zone), or SIZE_MAX.
 * Kuma updates it from the Dataplanes: it does not win over them.
 */
static size_t
written_generated(const struct gen *g, const char *mesh, const char *name)
{
	size_t i;

	for (i = 0; i < g->nwritten; i++) {
		const struct resource_mesh_service *ms =
			g->result->services[i].res;
		const char *by;
		const char *origin;

		if (ms == NULL || !meta_is(&ms->meta, mesh, NULL, name))
			continue;
		by = resource_labels_get(&ms->meta.labels,
					 KUMA_LABEL_MANAGED_BY);
		origin = resource_labels_get(&ms->meta.labels,
					     KUMA_LABEL_ORIGIN);
		if (by != NULL && strcmp(by, "meshservice-generator") == 0 &&
		    (origin == NULL || strcmp(origin, "zone") == 0))
			return i;
	}
	return SIZE_MAX;
}

/*
 * Kuma's generator updates the existing MeshService result->services[@w]
 * into @ms: the Dataplanes' spec, its own labels over the existing ones
 * (which stay), the existing creation time and VIPs.  The written one
 * leaves the result (assemble() drops it).
 */
static int
regenerate(struct gen *g, struct resource_mesh_service *ms, size_t w)
{
	const struct resource_mesh_service *old = g->result->services[w].res;
	size_t i;

	for (i = 0; i < old->meta.labels.n; i++) {
		const struct resource_label *l = &old->meta.labels.v[i];

		if (resource_labels_get(&ms->meta.labels, l->key) == NULL &&
		    resource_labels_set(&ms->meta.labels, l->key,
					l->value) < 0)
			return -ENOMEM;
	}
	if (old->meta.has_creation_time) {
		ms->meta.has_creation_time = 1;
		ms->meta.creation_ns = old->meta.creation_ns;
	}
	if (old->nvips > 0) {
		if ((ms->vips = calloc(old->nvips, sizeof(*ms->vips))) == NULL)
			return -ENOMEM;
		for (i = 0; i < old->nvips; i++) {
			if (set_str(&ms->vips[i], old->vips[i]) < 0)
				return -ENOMEM;
			ms->nvips++;
		}
		ms->vips_pos = old->vips_pos;
	}
	g->result->services[w].res = NULL;
	return 0;
}

static int
universal_one(struct gen *g, const struct resource_dataplane **dps,
	      const struct ukey *keys, size_t n)
{
	const struct generate_options *opt = g->opt;
	const struct resource_dataplane *winner = dps[keys[0].rank];
	struct resource_mesh_service *ms = NULL;
	int workload = opt->workload_labels;
	size_t w;
	int rc;

	w = written_generated(g, keys[0].mesh, keys[0].key);
	if (w == SIZE_MAX &&
	    service_taken(g, keys[0].mesh, NULL, keys[0].key))
		return 0;	/* written by hand: it wins, as in Kuma */
	if ((ms = resource_set_new_service(g->made)) == NULL)
		return -ENOMEM;
	ms->meta.kind = RESOURCE_MESH_SERVICE;
	ms->meta.shape = RESOURCE_SHAPE_UNIVERSAL;
	ms->meta.has_creation_time = winner->meta.has_creation_time;
	ms->meta.creation_ns = winner->meta.creation_ns;
	ms->meta.pos = winner->meta.pos;
	ms->origin = RESOURCE_FROM_DATAPLANES;
	if ((rc = set_str(&ms->meta.name, keys[0].key)) < 0 ||
	    (rc = set_mesh(&ms->meta, keys[0].mesh)) < 0 ||
	    (rc = set_universal_labels(ms, keys[0].mesh, keys[0].key,
				       opt)) < 0)
		return rc;
	ms->selector = workload ? RESOURCE_SELECTOR_DATAPLANE_LABELS :
				  RESOURCE_SELECTOR_DATAPLANE_TAGS;
	if (resource_labels_set(&ms->selector_labels,
				workload ? KUMA_LABEL_WORKLOAD :
					   KUMA_TAG_SERVICE,
				keys[0].key) < 0)
		return -ENOMEM;
	if ((rc = fill_dp_ports(ms, winner, keys[0].key, workload)) < 0 ||
	    (w != SIZE_MAX && (rc = regenerate(g, ms, w)) < 0))
		return rc;
	return report_conflicts(g, g->made->nservices - 1, dps, keys, n,
				workload);
}

static int
universal(struct gen *g)
{
	const struct resource_set *set = g->set;
	const struct resource_dataplane **dps = NULL;
	struct ukey *keys = NULL;
	size_t nkeys = 0;
	size_t i;
	size_t j;
	int rc = 0;

	if (set->ndataplanes == 0)
		return 0;
	if ((dps = calloc(set->ndataplanes, sizeof(*dps))) == NULL)
		return -ENOMEM;
	for (i = 0; i < set->ndataplanes; i++)
		dps[i] = &set->dataplanes[i];
	/*
	 * Oldest first: creation time, then name (Kuma's SortDataplanes);
	 * without creation times, input order.
	 */
	qsort(dps, set->ndataplanes, sizeof(*dps), dp_ptr_cmp);
	if ((rc = collect_ukeys(set, g->opt, dps, &keys, &nkeys,
				g->diags)) < 0)
		goto out;
	for (i = 0; i < nkeys; i = j) {
		for (j = i + 1; j < nkeys; j++)
			if (strcmp(keys[j].mesh, keys[i].mesh) != 0 ||
			    strcmp(keys[j].key, keys[i].key) != 0)
				break;
		if ((rc = universal_one(g, dps, &keys[i], j - i)) < 0)
			goto out;
	}
out:
	free(keys);
	free(dps);
	return rc;
}

/* --- 2b. the deletion grace period --- */

static int
copy_ports(struct resource_mesh_service *ms, const struct resource_port *src,
	   size_t n)
{
	size_t i;

	if (n == 0)
		return 0;
	if ((ms->ports = calloc(n, sizeof(*ms->ports))) == NULL)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		struct resource_port *p = &ms->ports[ms->nports++];

		p->port = src[i].port;
		p->has_target = src[i].has_target;
		p->target_is_name = src[i].target_is_name;
		p->target_port = src[i].target_port;
		p->pos.file = grace_file;
		if ((src[i].name != NULL &&
		     set_str(&p->name, src[i].name) < 0) ||
		    (src[i].target_name != NULL &&
		     set_str(&p->target_name, src[i].target_name) < 0) ||
		    (src[i].app_protocol != NULL &&
		     set_str(&p->app_protocol, src[i].app_protocol) < 0))
			return -ENOMEM;
	}
	return 0;
}

/*
 * @t as Go's time.RFC3339 in UTC ("2024-05-01T10:00:00Z"), as Kuma writes
 * the label (time.Now().Format(time.RFC3339) on a UTC clock).
 */
static void
format_rfc3339(char *buf, size_t size, int64_t t)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (gmtime_r(&tt, &tm) == NULL ||
	    strftime(buf, size, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		snprintf(buf, size, "%" PRId64, t);
}

/*
 * Kuma's generator labels a MeshService whose Dataplanes are gone and
 * deletes it once the label is older than the grace period; a Dataplane
 * that comes back removes the label (universal() made it afresh).
 */
static int
grace_one(struct gen *g, const struct generate_known *k)
{
	const struct generate_options *opt = g->opt;
	struct resource_mesh_service *ms = NULL;
	struct graced *v = NULL;
	char when[64];
	int64_t since = k->since != 0 ? k->since : opt->now;
	int workload = opt->workload_labels;
	int rc;

	if (service_taken(g, k->mesh, NULL, k->name) ||
	    generate_mesh_mode(g->set, k->mesh, opt) ==
	    RESOURCE_MESH_MODE_DISABLED ||
	    opt->grace <= 0 || opt->now - since >= opt->grace)
		return 0;
	if ((ms = resource_set_new_service(g->made)) == NULL)
		return -ENOMEM;
	ms->meta.kind = RESOURCE_MESH_SERVICE;
	ms->meta.shape = RESOURCE_SHAPE_UNIVERSAL;
	ms->meta.pos.file = grace_file;
	ms->origin = RESOURCE_FROM_DATAPLANES;
	format_rfc3339(when, sizeof(when), since);
	if ((rc = set_str(&ms->meta.name, k->name)) < 0 ||
	    (rc = set_mesh(&ms->meta, k->mesh)) < 0 ||
	    (rc = set_universal_labels(ms, k->mesh, k->name, opt)) < 0 ||
	    (rc = copy_ports(ms, k->ports, k->nports)) < 0)
		return rc;
	ms->selector = workload ? RESOURCE_SELECTOR_DATAPLANE_LABELS :
				  RESOURCE_SELECTOR_DATAPLANE_TAGS;
	if (resource_labels_set(&ms->selector_labels,
				workload ? KUMA_LABEL_WORKLOAD :
					   KUMA_TAG_SERVICE, k->name) < 0 ||
	    resource_labels_set(&ms->meta.labels, KUMA_LABEL_DELETION_GRACE,
				when) < 0)
		return -ENOMEM;
	v = realloc(g->graced, (g->ngraced + 1) * sizeof(*v));
	if (v == NULL)
		return -ENOMEM;
	g->graced = v;
	v[g->ngraced].made = g->made->nservices - 1;
	v[g->ngraced++].since = since;
	return 0;
}

static int
grace(struct gen *g)
{
	size_t i;
	int rc;

	for (i = 0; i < g->opt->nknown; i++)
		if ((rc = grace_one(g, &g->opt->known[i])) < 0)
			return rc;
	return 0;
}

/* --- 3. Kubernetes Services --- */

static const struct resource_k8s_object *
find_object(const struct resource_k8s_object *v, size_t n, const char *name,
	    const char *namespace)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(v[i].meta.name, name) == 0 &&
		    cmp_str_null(v[i].meta.namespace, namespace) == 0)
			return &v[i];
	return NULL;
}

static const char *
namespace_of(const struct resource_meta *m)
{
	return m->namespace != NULL ? m->namespace : "default";
}

/*
 * Does @mesh exist?  A Mesh resource says so; in a universal zone the
 * mesh "default" exists without one (Kuma creates it at start).
 */
static int
mesh_exists(const struct resource_set *set, const struct generate_options *opt,
	    const char *mesh)
{
	return resource_set_mesh(set, mesh) != NULL ||
	       (opt->environment == GENERATE_UNIVERSAL &&
		strcmp(mesh, "default") == 0);
}

/* What Kuma's MeshService controller does with a Service (kuma.md 3). */
enum k8s_fate {
	K8S_GENERATE = 0,	/* makes (or updates) its MeshServices */
	K8S_LEAVE,		/* ignores it: what exists stays */
	K8S_DELETE,		/* deletes the MeshService of its name */
	K8S_DELETE_ALL,		/* that and its headless per-Pod ones */
};

/*
 * Is @svc in front of gateway Pods?  Kuma looks at the first endpoint
 * whose Pod exists: a delegated gateway's Pod carries the annotation
 * kuma.io/gateway (the Service need not).
 */
static int
k8s_gateway_pods(const struct resource_set *set,
		 const struct resource_k8s_service *svc)
{
	size_t i;
	size_t j;

	for (i = 0; i < set->nendpoint_slices; i++) {
		const struct resource_endpoint_slice *es =
			&set->endpoint_slices[i];

		if (es->service_name == NULL ||
		    strcmp(es->service_name, svc->meta.name) != 0 ||
		    cmp_str_null(es->meta.namespace, svc->meta.namespace) != 0)
			continue;
		for (j = 0; j < es->nendpoints; j++) {
			const struct resource_endpoint *ep = &es->endpoints[j];
			const struct resource_k8s_object *pod = NULL;

			if (ep->pod_name == NULL)
				continue;
			pod = find_object(set->pods, set->npods, ep->pod_name,
					  ep->pod_namespace);
			if (pod == NULL)
				continue;
			return resource_labels_get(&pod->annotations,
						   KUMA_ANNOTATION_GATEWAY) !=
			       NULL;
		}
	}
	return 0;
}

/*
 * The controller's decision for @svc, in Kuma's order, with *@mesh its
 * mesh (when it has one) and *@why what a deletion is for.  The mesh is
 * the Service's kuma.io/mesh label, else, when its Namespace has sidecar
 * injection on, the Namespace's label, else "default".  Kuma 2's
 * meshServices.mode Disabled deletes; Kuma 3 (workload generation) has
 * no such mode and leaves them.
 */
static enum k8s_fate
k8s_fate(const struct resource_set *set, const struct generate_options *opt,
	 const struct resource_k8s_service *svc, const char **mesh,
	 const char **why)
{
	const struct resource_k8s_object *ns = NULL;
	const char *v;

	*why = NULL;
	*mesh = resource_labels_get(&svc->meta.labels, KUMA_LABEL_MESH);
	/* Namespaces are cluster-scoped: looked up by name alone. */
	ns = find_object(set->namespaces, set->nnamespaces,
			 namespace_of(&svc->meta), NULL);
	if (*mesh == NULL) {
		if (ns == NULL)
			return K8S_LEAVE;	/* nothing to go by */
		if (!flag_enabled(resource_labels_get(&ns->meta.labels,
					KUMA_LABEL_SIDECAR_INJECTION))) {
			*why = "is not in a mesh";
			return K8S_DELETE;
		}
		v = resource_labels_get(&ns->meta.labels, KUMA_LABEL_MESH);
		*mesh = v != NULL ? v : "default";
	}
	if (!mesh_exists(set, opt, *mesh)) {
		*why = "is in a mesh that has no Mesh resource";
		return K8S_DELETE;
	}
	if (generate_mesh_mode(set, *mesh, opt) ==
	    RESOURCE_MESH_MODE_DISABLED) {
		*why = "is in a mesh whose meshServices.mode is Disabled";
		return opt->workload_labels ? K8S_LEAVE : K8S_DELETE_ALL;
	}
	if (flag_enabled(resource_labels_get(&svc->annotations,
					     KUMA_ANNOTATION_IGNORE))) {
		*why = "has the annotation " KUMA_ANNOTATION_IGNORE;
		return K8S_DELETE;
	}
	if (resource_labels_get(&svc->annotations,
				KUMA_ANNOTATION_GATEWAY) != NULL)
		return K8S_LEAVE;
	if (resource_labels_get(&svc->meta.labels,
				KUMA_LABEL_K8S_ZONE_PROXY_TYPE) != NULL) {
		*why = "is a zone proxy's";
		return K8S_DELETE;
	}
	if (k8s_gateway_pods(set, svc)) {
		*why = "is in front of gateway Pods";
		return K8S_DELETE;
	}
	if (svc->cluster_ip == NULL || *svc->cluster_ip == '\0')
		return K8S_LEAVE;	/* ExternalName and the like */
	return K8S_GENERATE;
}

/*
 * Did Kuma's controller make @ms?  It owns what it makes (an owner
 * reference to the Service, or to the Pod behind a headless one) and
 * labels it kuma.io/managed-by: k8s-controller.
 */
static int
k8s_controller_made(const struct resource_mesh_service *ms)
{
	const char *v = resource_labels_get(&ms->meta.labels,
					    KUMA_LABEL_MANAGED_BY);
	const char *origin = resource_labels_get(&ms->meta.labels,
						 KUMA_LABEL_ORIGIN);

	/* A synced one (origin global) is the global's, not the controller's. */
	if (ms->meta.shape != RESOURCE_SHAPE_KUBERNETES ||
	    ms->origin != RESOURCE_WRITTEN ||
	    (origin != NULL && strcmp(origin, "global") == 0))
		return 0;
	if (v != NULL && strcmp(v, "k8s-controller") == 0)
		return 1;
	return ms->owner_kind != NULL &&
	       (strcmp(ms->owner_kind, "Service") == 0 ||
		strcmp(ms->owner_kind, "Pod") == 0);
}

/*
 * The Service whose reconciliation deletes the written MeshService @ms,
 * with why in *@why, or NULL: the MeshService of the Service's name in its
 * namespace, and for K8S_DELETE_ALL also the ones labelled with the
 * Service's name (its per-Pod MeshServices).
 */
static const struct resource_k8s_service *
k8s_deleted_by(const struct resource_set *set,
	       const struct generate_options *opt,
	       const struct resource_mesh_service *ms, const char **why)
{
	const char *owner = resource_labels_get(&ms->meta.labels,
						KUMA_LABEL_K8S_SERVICE_NAME);
	const char *mesh = NULL;
	size_t i;

	if (!k8s_controller_made(ms))
		return NULL;
	for (i = 0; i < set->nk8s_services; i++) {
		const struct resource_k8s_service *svc = &set->k8s_services[i];
		enum k8s_fate fate;
		int named;

		if (strcmp(namespace_of(&svc->meta),
			   namespace_of(&ms->meta)) != 0)
			continue;
		named = strcmp(svc->meta.name, ms->meta.name) == 0;
		if (!named && (owner == NULL ||
			       strcmp(svc->meta.name, owner) != 0))
			continue;
		fate = k8s_fate(set, opt, svc, &mesh, why);
		if ((fate == K8S_DELETE && named) || fate == K8S_DELETE_ALL)
			return svc;
	}
	return NULL;
}

/*
 * Leave out the written MeshServices Kuma's controller deletes (an export
 * taken before their Service left the mesh, lost its Mesh, ...), each
 * with a warning: Kuma would not serve them.
 */
static int
k8s_drop_deleted(struct gen *g)
{
	struct generate_result *r = g->result;
	size_t i;
	size_t n = 0;

	for (i = 0; i < g->nwritten; i++) {
		const struct resource_mesh_service *ms = r->services[i].res;
		const struct resource_k8s_service *svc = NULL;
		const char *why = NULL;

		svc = k8s_deleted_by(g->set, g->opt, ms, &why);
		if (svc == NULL) {
			r->services[n++] = r->services[i];
			continue;
		}
		diag_warning(g->diags, ms->meta.pos.file, ms->meta.pos.line,
			     ms->meta.pos.column,
			     "MeshService %s.%s is not served: Kuma's "
			     "MeshService controller deletes it, as its "
			     "Service %s.%s %s", ms->meta.name,
			     namespace_of(&ms->meta), svc->meta.name,
			     namespace_of(&svc->meta), why);
	}
	r->nservices -= g->nwritten - n;
	g->nwritten = n;
	return 0;
}

/* What a Service and its MeshServices share. */
struct k8s_src {
	const struct resource_k8s_service *svc;
	const char *mesh;
	const char *namespace;		/* the Service's */
	const struct generate_options *opt;
};

static int
k8s_is_tcp(const struct resource_k8s_port *p)
{
	return p->protocol == NULL || strcmp(p->protocol, "TCP") == 0;
}

static int
fill_k8s_ports(struct resource_mesh_service *ms,
	       const struct resource_k8s_service *svc)
{
	size_t i;
	size_t n = 0;

	for (i = 0; i < svc->nports; i++)
		n += k8s_is_tcp(&svc->ports[i]);
	if (n == 0)
		return 0;
	if ((ms->ports = calloc(n, sizeof(*ms->ports))) == NULL)
		return -ENOMEM;
	for (i = 0; i < svc->nports; i++) {
		const struct resource_k8s_port *sp = &svc->ports[i];
		struct resource_port *p;
		char nb[16];

		if (!k8s_is_tcp(sp))
			continue;
		p = &ms->ports[ms->nports++];
		p->port = sp->port;
		p->has_target = 1;
		p->pos = sp->pos;
		if (sp->target_is_name) {
			p->target_is_name = 1;
			if (set_str(&p->target_name, sp->target_name) < 0)
				return -ENOMEM;
		} else {
			/* Kubernetes defaults targetPort to port. */
			p->target_port = sp->target_port != 0 ?
					 sp->target_port : sp->port;
		}
		snprintf(nb, sizeof(nb), "%u", (unsigned)sp->port);
		if (set_str(&p->name, sp->name != NULL && *sp->name != '\0' ?
				      sp->name : nb) < 0 ||
		    set_str(&p->app_protocol, sp->app_protocol != NULL ?
					      sp->app_protocol : "tcp") < 0)
			return -ENOMEM;
	}
	return 0;
}

/* "Ignored unsupported ports: dns, 5353" (Kuma's event), or nothing. */
static void
warn_unsupported_ports(const struct resource_k8s_service *svc,
		       struct diag_list *diags)
{
	struct sbuf b = { 0 };
	size_t i;

	for (i = 0; i < svc->nports; i++) {
		const struct resource_k8s_port *p = &svc->ports[i];

		if (k8s_is_tcp(p))
			continue;
		if (p->name != NULL && *p->name != '\0')
			sb_printf(&b, "%s%s", b.len ? ", " : "", p->name);
		else
			sb_printf(&b, "%s%u", b.len ? ", " : "",
				  (unsigned)p->port);
	}
	if (b.len > 0 && !b.oom)
		diag_warning(diags, svc->meta.pos.file, svc->meta.pos.line,
			     svc->meta.pos.column,
			     "Ignored unsupported ports: %s", b.s);
	else if (b.oom)
		diags->oom = 1;
	free(b.s);
}

/*
 * A MeshService for @src named @name in @namespace, with the labels the
 * controller writes and the ones Kuma computes on write.
 */
static struct resource_mesh_service *
k8s_new(struct gen *g, const struct k8s_src *src, const char *name,
	const char *namespace, int headless)
{
	struct resource_mesh_service *ms = NULL;
	struct resource_labels *l;
	int rc = 0;

	if ((ms = resource_set_new_service(g->made)) == NULL)
		return NULL;
	ms->meta.kind = RESOURCE_MESH_SERVICE;
	ms->meta.shape = RESOURCE_SHAPE_KUBERNETES;
	ms->meta.has_creation_time = src->svc->meta.has_creation_time;
	ms->meta.creation_ns = src->svc->meta.creation_ns;
	ms->meta.pos = src->svc->meta.pos;
	ms->origin = headless ? RESOURCE_FROM_K8S_HEADLESS :
				RESOURCE_FROM_K8S_SERVICE;
	l = &ms->meta.labels;
	if (set_str(&ms->meta.name, name) < 0 ||
	    set_mesh(&ms->meta, src->mesh) < 0 ||
	    set_str(&ms->meta.namespace, namespace) < 0 ||
	    labels_copy(l, &src->svc->meta.labels) < 0)
		return NULL;
	rc |= resource_labels_set(l, KUMA_LABEL_MESH, src->mesh);
	rc |= resource_labels_set(l, KUMA_LABEL_K8S_SERVICE_NAME,
				  src->svc->meta.name);
	rc |= resource_labels_set(l, KUMA_LABEL_MANAGED_BY, "k8s-controller");
	rc |= resource_labels_set(l, KUMA_LABEL_ENV, "kubernetes");
	rc |= resource_labels_set(l, KUMA_LABEL_K8S_HEADLESS,
				  headless ? "true" : "false");
	rc |= resource_labels_set(l, KUMA_LABEL_DISPLAY_NAME, name);
	rc |= resource_labels_set(l, KUMA_LABEL_ORIGIN, "zone");
	rc |= resource_labels_set(l, KUMA_LABEL_ZONE, zone_of(src->opt));
	rc |= resource_labels_set(l, KUMA_LABEL_K8S_NAMESPACE, namespace);
	if (rc < 0 || fill_k8s_ports(ms, src->svc) < 0)
		return NULL;
	return ms;
}

static int
k8s_cluster_ip(struct gen *g, const struct k8s_src *src)
{
	const struct resource_k8s_service *svc = src->svc;
	struct resource_mesh_service *ms = NULL;

	if (service_taken(g, NULL, src->namespace, svc->meta.name))
		return 0;	/* written by hand: it wins */
	if ((ms = k8s_new(g, src, svc->meta.name, src->namespace, 0)) ==
	    NULL)
		return -ENOMEM;
	/*
	 * Kuma 2.x with inbound tags writes dataplaneTags (the docs' "added
	 * automatically" k8s.kuma.io/namespace); without them (Kuma 3, our
	 * workload generation) dataplaneLabels.
	 */
	ms->selector = src->opt->workload_labels ?
		RESOURCE_SELECTOR_DATAPLANE_LABELS :
		RESOURCE_SELECTOR_DATAPLANE_TAGS;
	if (labels_copy(&ms->selector_labels, &svc->selector) < 0 ||
	    resource_labels_set(&ms->selector_labels, KUMA_LABEL_K8S_NAMESPACE,
				src->namespace) < 0)
		return -ENOMEM;
	if ((ms->vips = calloc(1, sizeof(*ms->vips))) == NULL ||
	    set_str(&ms->vips[0], svc->cluster_ip) < 0)
		return -ENOMEM;
	ms->nvips = 1;
	return 1;
}

/* One Pod behind a headless Service, with its endpoint addresses. */
struct hpod {
	const char *name;
	const char *namespace;
	const char **addrs;
	size_t naddrs;
};

static void
hpods_free(struct hpod *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(v[i].addrs);
	free(v);
}

static int
hpod_add_addr(struct hpod *p, const char *addr)
{
	const char **a = NULL;
	size_t i;

	/* FQDN slices hold hostnames: no VIP. */
	if (addr == NULL || !netaddr_is_ip(addr))
		return 0;
	for (i = 0; i < p->naddrs; i++)
		if (strcmp(p->addrs[i], addr) == 0)
			return 0;
	if ((a = realloc(p->addrs, (p->naddrs + 1) * sizeof(*a))) == NULL)
		return -ENOMEM;
	p->addrs = a;
	p->addrs[p->naddrs++] = addr;
	return 0;
}

/*
 * The Pods of a headless Service: endpoints (targetRef kind Pod) of the
 * EndpointSlices labelled with its name in its namespace.  A Pod listed
 * by several slices (dual stack: one per address family) is one
 * MeshService with every address, in slice order (Kuma keeps the
 * endpoint of whichever slice it reads last).
 */
static int
headless_pods(const struct resource_set *set, const struct k8s_src *src,
	      struct hpod **out, size_t *nout)
{
	struct hpod *pods = NULL;
	size_t n = 0;
	size_t i;
	size_t j;
	size_t k;

	for (i = 0; i < set->nendpoint_slices; i++) {
		const struct resource_endpoint_slice *es =
			&set->endpoint_slices[i];
		const char *es_ns = namespace_of(&es->meta);

		if (es->service_name == NULL ||
		    strcmp(es->service_name, src->svc->meta.name) != 0 ||
		    strcmp(es_ns, src->namespace) != 0)
			continue;
		for (j = 0; j < es->nendpoints; j++) {
			const struct resource_endpoint *ep = &es->endpoints[j];
			const char *ns = ep->pod_namespace != NULL ?
					 ep->pod_namespace : es_ns;

			if (ep->pod_name == NULL)
				continue;
			for (k = 0; k < n; k++)
				if (strcmp(pods[k].name, ep->pod_name) == 0 &&
				    strcmp(pods[k].namespace, ns) == 0)
					break;
			if (k == n) {
				struct hpod *p = realloc(pods, (n + 1) *
							 sizeof(*p));

				if (p == NULL)
					goto oom;
				pods = p;
				memset(&pods[n], 0, sizeof(pods[n]));
				pods[n].name = ep->pod_name;
				pods[n].namespace = ns;
				n++;
			}
			if (hpod_add_addr(&pods[k], ep->address) < 0)
				goto oom;
		}
	}
	*out = pods;
	*nout = n;
	return 0;
oom:
	hpods_free(pods, n);
	return -ENOMEM;
}

static int
k8s_headless_pod(struct gen *g, const struct k8s_src *src,
		 const struct hpod *p)
{
	const struct resource_set *set = g->set;
	const struct resource_k8s_object *pod = NULL;
	struct resource_mesh_service *ms = NULL;
	struct sbuf ref = { 0 };
	char name[128];
	size_t i;

	if (generate_headless_name(name, sizeof(name), src->svc->meta.name,
				   src->namespace, p->name) < 0)
		return 0;	/* cannot happen: cut to 52 + 11 */
	if (service_taken(g, NULL, p->namespace, name))
		return 0;
	if ((ms = k8s_new(g, src, name, p->namespace, 1)) == NULL)
		return -ENOMEM;
	pod = find_object(set->pods, set->npods, p->name, p->namespace);
	if (pod != NULL) {
		const char *v;

		v = resource_labels_get(&pod->meta.labels, K8S_LABEL_POD_NAME);
		if (v != NULL && resource_labels_set(&ms->meta.labels,
						     K8S_LABEL_POD_NAME, v) < 0)
			return -ENOMEM;
		v = resource_labels_get(&pod->meta.labels, K8S_LABEL_POD_INDEX);
		if (v != NULL &&
		    resource_labels_set(&ms->meta.labels, K8S_LABEL_POD_INDEX,
					v) < 0)
			return -ENOMEM;
	}
	ms->selector = RESOURCE_SELECTOR_DATAPLANE_REF;
	sb_printf(&ref, "%s.%s", p->name, p->namespace);
	if (ref.oom)
		return -ENOMEM;
	ms->selector_ref = ref.s;
	if (p->naddrs > 0) {
		if ((ms->vips = calloc(p->naddrs, sizeof(*ms->vips))) == NULL)
			return -ENOMEM;
		for (i = 0; i < p->naddrs; i++) {
			if (set_str(&ms->vips[i], p->addrs[i]) < 0)
				return -ENOMEM;
			ms->nvips++;
		}
	}
	return 1;
}

static int
k8s_headless(struct gen *g, const struct k8s_src *src)
{
	struct hpod *pods = NULL;
	size_t npods = 0;
	size_t i;
	int made = 0;
	int rc;

	if ((rc = headless_pods(g->set, src, &pods, &npods)) < 0)
		return rc;
	for (i = 0; i < npods; i++) {
		if ((rc = k8s_headless_pod(g, src, &pods[i])) < 0)
			goto out;
		made |= rc;
	}
	rc = made;
out:
	hpods_free(pods, npods);
	return rc;
}

static int
kubernetes(struct gen *g)
{
	const struct resource_set *set = g->set;
	const struct generate_options *opt = g->opt;
	size_t i;
	int rc;

	for (i = 0; i < set->nk8s_services; i++) {
		const struct resource_k8s_service *svc = &set->k8s_services[i];
		struct k8s_src src = { svc, NULL, NULL, opt };
		const char *why = NULL;

		if (k8s_fate(set, opt, svc, &src.mesh, &why) != K8S_GENERATE)
			continue;
		src.namespace = namespace_of(&svc->meta);
		if (strcmp(svc->cluster_ip, "None") == 0)
			rc = k8s_headless(g, &src);
		else
			rc = k8s_cluster_ip(g, &src);
		if (rc < 0)
			return rc;
		if (rc > 0)
			warn_unsupported_ports(svc, g->diags);
	}
	return 0;
}

/* --- 4. default HostnameGenerators --- */

struct default_label {
	const char *key;
	const char *value;
};

struct default_generator {
	const char *name;
	int synced;		/* created on global, synced to zones */
	int universal_only;
	enum resource_kind target;
	struct default_label match[3];
	const char *template;
};

/* kuma.md 4, "Default generators" (Kuma's pkg/defaults). */
static const struct default_generator default_generators[] = {
	{ "synced-mesh-multi-zone-service", 1, 0,
	  RESOURCE_MESH_MULTI_ZONE_SERVICE,
	  { { KUMA_LABEL_ORIGIN, "global" } },
	  "{{ .DisplayName }}.mzsvc.mesh.local" },
	{ "synced-kube-mesh-service", 1, 0, RESOURCE_MESH_SERVICE,
	  { { KUMA_LABEL_ORIGIN, "global" },
	    { KUMA_LABEL_K8S_HEADLESS, "false" },
	    { KUMA_LABEL_ENV, "kubernetes" } },
	  "{{ .DisplayName }}.{{ .Namespace }}.svc.{{ .Zone }}.mesh.local" },
	{ "synced-headless-kube-mesh-service", 1, 0, RESOURCE_MESH_SERVICE,
	  { { KUMA_LABEL_ORIGIN, "global" },
	    { KUMA_LABEL_K8S_HEADLESS, "true" },
	    { KUMA_LABEL_ENV, "kubernetes" } },
	  "{{ label \"" K8S_LABEL_POD_NAME "\" }}."
	  "{{ label \"" KUMA_LABEL_K8S_SERVICE_NAME "\" }}."
	  "{{ .Namespace }}.svc.{{ .Zone }}.mesh.local" },
	{ "synced-universal-mesh-service", 1, 0, RESOURCE_MESH_SERVICE,
	  { { KUMA_LABEL_ORIGIN, "global" },
	    { KUMA_LABEL_ENV, "universal" } },
	  "{{ .DisplayName }}.svc.{{ .Zone }}.mesh.local" },
	{ "synced-mesh-external-service", 1, 0,
	  RESOURCE_MESH_EXTERNAL_SERVICE,
	  { { KUMA_LABEL_ORIGIN, "global" } },
	  "{{ .DisplayName }}.extsvc.mesh.local" },
	{ "local-mesh-external-service", 0, 0,
	  RESOURCE_MESH_EXTERNAL_SERVICE,
	  { { KUMA_LABEL_ORIGIN, "zone" } },
	  "{{ .DisplayName }}.extsvc.mesh.local" },
	{ "local-universal-mesh-service", 0, 1, RESOURCE_MESH_SERVICE,
	  { { KUMA_LABEL_ORIGIN, "zone" } },
	  "{{ .DisplayName }}.svc.mesh.local" },
};

/*
 * A generator in the input stands for the default of that name: the same
 * name, or (exported from a zone, where a synced generator has a hashed
 * name) that name as its kuma.io/display-name.
 */
static int
generator_written(const struct resource_set *set, const char *name)
{
	size_t i;

	for (i = 0; i < set->ngenerators; i++) {
		const struct resource_meta *m = &set->generators[i].meta;
		const char *d = resource_labels_get(&m->labels,
						    KUMA_LABEL_DISPLAY_NAME);

		if (strcmp(m->name, name) == 0 ||
		    (d != NULL && strcmp(d, name) == 0))
			return 1;
	}
	return 0;
}

static int
add_default_generator(struct resource_set *made,
		      const struct default_generator *d)
{
	struct resource_hostname_generator *g = NULL;
	const struct resource_pos pos = { default_file, 0, 0 };
	size_t i;

	if ((g = resource_set_new_generator(made)) == NULL)
		return -ENOMEM;
	g->meta.kind = RESOURCE_HOSTNAME_GENERATOR;
	g->meta.shape = RESOURCE_SHAPE_UNIVERSAL;
	g->meta.pos = pos;
	g->template_pos = pos;
	g->target = d->target;
	/*
	 * Global creates the synced-* ones; a zone receives them under
	 * KDS's hashed name (no mesh, no zone), the plain name kept as the
	 * display name: synced-universal-mesh-service-46484vczc724vc29.
	 */
	if (d->synced) {
		char hashed[300];

		if (generate_hashed_name(hashed, sizeof(hashed), "", d->name,
					 NULL, NULL) < 0 ||
		    set_str(&g->meta.name, hashed) < 0 ||
		    resource_labels_set(&g->meta.labels,
					KUMA_LABEL_DISPLAY_NAME, d->name) < 0)
			return -ENOMEM;
	} else if (set_str(&g->meta.name, d->name) < 0) {
		return -ENOMEM;
	}
	if (set_str(&g->template, d->template) < 0 ||
	    resource_labels_set(&g->meta.labels, KUMA_LABEL_ORIGIN,
				d->synced ? "global" : "zone") < 0)
		return -ENOMEM;
	for (i = 0; i < 3 && d->match[i].key != NULL; i++)
		if (resource_labels_set(&g->match, d->match[i].key,
					d->match[i].value) < 0)
			return -ENOMEM;
	return 0;
}

static int
default_generators_add(struct gen *g)
{
	const struct generate_options *opt = g->opt;
	size_t i;
	int rc;

	if (opt->defaults == GENERATE_DEFAULTS_NONE)
		return 0;
	for (i = 0; i < sizeof(default_generators) /
			sizeof(default_generators[0]); i++) {
		const struct default_generator *d = &default_generators[i];

		if (d->synced && opt->defaults != GENERATE_DEFAULTS_ALL)
			continue;
		if (d->universal_only &&
		    opt->environment != GENERATE_UNIVERSAL)
			continue;
		if (generator_written(g->set, d->name))
			continue;
		if ((rc = add_default_generator(g->made, d)) < 0)
			return rc;
	}
	return 0;
}

/* --- 5. legacy kuma.io/service names --- */

/* A legacy name, borrowed from a Dataplane until the list is unique. */
struct lname {
	const char *mesh;
	const char *service;
};

static int
lname_cmp(const void *a, const void *b)
{
	const struct lname *x = a;
	const struct lname *y = b;
	int r;

	if ((r = strcmp(x->mesh, y->mesh)) != 0)
		return r;
	return strcmp(x->service, y->service);
}

static int
legacy(const struct resource_set *set, const struct generate_options *opt,
       struct generate_result *result)
{
	struct lname *v = NULL;
	size_t n = 0;
	size_t cap = 0;
	size_t i;
	size_t j;
	size_t w;
	int rc = 0;

	for (i = 0; i < set->ndataplanes; i++) {
		const struct resource_dataplane *dp = &set->dataplanes[i];
		const char *mesh = mesh_of(&dp->meta);

		if (generate_mesh_mode(set, mesh, opt) ==
		    RESOURCE_MESH_MODE_EXCLUSIVE)
			continue;
		for (j = 0; j < dp->ninbounds; j++) {
			const struct resource_inbound *in = &dp->inbounds[j];
			const char *s;

			if (in->ignored || in->port == LEGACY_SKIPPED_PORT)
				continue;
			s = resource_labels_get(&in->tags, KUMA_TAG_SERVICE);
			if (s == NULL || *s == '\0')
				continue;
			if (n == cap) {
				size_t ncap = cap ? cap * 2 : 16;
				struct lname *nv = realloc(v, ncap *
							   sizeof(*nv));

				if (nv == NULL) {
					rc = -ENOMEM;
					goto out;
				}
				v = nv;
				cap = ncap;
			}
			v[n].mesh = mesh;
			v[n].service = s;
			n++;
		}
	}
	if (n > 1)
		qsort(v, n, sizeof(*v), lname_cmp);
	for (i = 0, w = 0; i < n; i++)
		if (w == 0 || lname_cmp(&v[i], &v[w - 1]) != 0)
			v[w++] = v[i];
	if (w == 0)
		goto out;
	if ((result->legacy = calloc(w, sizeof(*result->legacy))) == NULL) {
		rc = -ENOMEM;
		goto out;
	}
	for (i = 0; i < w; i++) {
		struct generate_legacy *l = &result->legacy[i];

		l->mesh = strdup(v[i].mesh);
		l->service = strdup(v[i].service);
		result->nlegacy++;
		if (l->mesh == NULL || l->service == NULL) {
			rc = -ENOMEM;
			goto out;
		}
	}
out:
	free(v);
	return rc;
}

/* --- 6. Kuma's order, MeshMultiZoneService status --- */

static int
service_cmp(const void *a, const void *b)
{
	const struct generate_service *x = a;
	const struct generate_service *y = b;

	return resource_meta_cmp(&x->res->meta, &y->res->meta);
}

static int
mes_cmp(const void *a, const void *b)
{
	const struct resource_mesh_external_service *const *x = a;
	const struct resource_mesh_external_service *const *y = b;

	return resource_meta_cmp(&(*x)->meta, &(*y)->meta);
}

static int
mzs_cmp(const void *a, const void *b)
{
	const struct generate_mzs *x = a;
	const struct generate_mzs *y = b;

	return resource_meta_cmp(&x->res->meta, &y->res->meta);
}

static int
generator_cmp(const void *a, const void *b)
{
	const struct resource_hostname_generator *const *x = a;
	const struct resource_hostname_generator *const *y = b;

	return resource_meta_cmp(&(*x)->meta, &(*y)->meta);
}

/*
 * Add the generated MeshServices (with their conditions) and the
 * generators to the result, and sort every kind: nothing is added to the
 * store after this, so the pointers into it are final.
 */
static int
assemble(struct gen *g)
{
	const struct resource_set *set = g->set;
	const struct resource_set *made = g->made;
	struct generate_result *r = g->result;
	struct generate_service *v = NULL;
	size_t i;
	size_t w;

	/* Written MeshServices the generator updated (regenerate()) go. */
	for (i = 0, w = 0; i < r->nservices; i++)
		if (r->services[i].res != NULL)
			r->services[w++] = r->services[i];
	g->nwritten -= r->nservices - w;
	r->nservices = w;
	v = bigarray_realloc(r->services, (r->nservices + made->nservices +
					   1) * sizeof(*v));
	if (v == NULL)
		return -ENOMEM;
	r->services = v;
	for (i = 0; i < made->nservices; i++) {
		memset(&v[r->nservices], 0, sizeof(v[r->nservices]));
		v[r->nservices++].res = &made->services[i];
	}
	for (i = 0; i < g->npending; i++) {
		struct generate_service *e = &v[g->nwritten +
						g->pending[i].made];
		struct generate_condition *c = NULL;

		c = realloc(e->conditions, (e->nconditions + 1) * sizeof(*c));
		if (c == NULL)
			return -ENOMEM;
		e->conditions = c;
		c[e->nconditions++] = g->pending[i].cond;
		memset(&g->pending[i].cond, 0, sizeof(g->pending[i].cond));
	}
	for (i = 0; i < g->ngraced; i++) {
		v[g->nwritten + g->graced[i].made].grace_since =
			g->graced[i].since;
		if (r->store->graced_since == 0 ||
		    g->graced[i].since < r->store->graced_since)
			r->store->graced_since = g->graced[i].since;
	}
	r->generators = calloc(set->ngenerators + made->ngenerators + 1,
			       sizeof(*r->generators));
	if (r->generators == NULL)
		return -ENOMEM;
	for (i = 0; i < set->ngenerators; i++)
		r->generators[r->ngenerators++] = &set->generators[i];
	for (i = 0; i < made->ngenerators; i++)
		r->generators[r->ngenerators++] = &made->generators[i];
	qsort(r->services, r->nservices, sizeof(*r->services), service_cmp);
	qsort(r->external_services, r->nexternal_services,
	      sizeof(*r->external_services), mes_cmp);
	qsort(r->multizone_services, r->nmultizone_services,
	      sizeof(*r->multizone_services), mzs_cmp);
	qsort(r->generators, r->ngenerators, sizeof(*r->generators),
	      generator_cmp);
	return 0;
}

static int
match_cmp(const void *a, const void *b)
{
	const struct generate_mzs_match *x = a;
	const struct generate_mzs_match *y = b;
	int r;

	if ((r = strcmp(x->name, y->name)) != 0)
		return r;
	if ((r = strcmp(x->namespace, y->namespace)) != 0)
		return r;
	if ((r = strcmp(x->zone, y->zone)) != 0)
		return r;
	return strcmp(x->mesh, y->mesh);
}

/*
 * Kuma lists a match by its KRI parts: the display name, the
 * k8s.kuma.io/namespace and kuma.io/zone labels, the mesh.
 */
static void
mzs_match_fill(struct generate_mzs_match *m,
	       const struct resource_mesh_service *ms)
{
	const char *v;

	m->name = resource_display_name(&ms->meta);
	v = resource_labels_get(&ms->meta.labels, KUMA_LABEL_K8S_NAMESPACE);
	m->namespace = v != NULL ? v : "";
	v = resource_labels_get(&ms->meta.labels, KUMA_LABEL_ZONE);
	m->zone = v != NULL ? v : "";
	m->mesh = mesh_of(&ms->meta);
}

/* Does MeshMultiZoneService @mzs match MeshService @ms? */
static int
mzs_matches(const struct resource_mesh_multi_zone_service *mzs,
	    const struct resource_mesh_service *ms)
{
	return strcmp(mesh_of(&ms->meta), mesh_of(&mzs->meta)) == 0 &&
	       resource_labels_match(&ms->meta.labels, &mzs->selector);
}

static int
multizone_one(struct generate_result *r, struct generate_mzs *e)
{
	size_t j;

	{
		const struct resource_mesh_multi_zone_service *mzs = e->res;
		const char *mesh = mesh_of(&mzs->meta);
		size_t n = 0;

		for (j = 0; j < r->nservices; j++) {
			const struct resource_mesh_service *ms =
				r->services[j].res;

			n += strcmp(mesh_of(&ms->meta), mesh) == 0 &&
			     resource_labels_match(&ms->meta.labels,
						   &mzs->selector);
		}
		if (n == 0)
			return 0;
		if ((e->matches = calloc(n, sizeof(*e->matches))) == NULL)
			return -ENOMEM;
		for (j = 0; j < r->nservices; j++) {
			const struct resource_mesh_service *ms =
				r->services[j].res;

			if (!mzs_matches(mzs, ms))
				continue;
			mzs_match_fill(&e->matches[e->nmatches++], ms);
		}
		qsort(e->matches, e->nmatches, sizeof(*e->matches),
		      match_cmp);
	}
	return 0;
}

static int
multizone(struct generate_result *r)
{
	size_t i;
	int rc;

	for (i = 0; i < r->nmultizone_services; i++)
		if ((rc = multizone_one(r, &r->multizone_services[i])) < 0)
			return rc;
	return 0;
}

/* --- the run --- */

static void
condition_clear(struct generate_condition *c)
{
	free(c->type);
	free(c->reason);
	free(c->message);
}

int
generate_run(const struct resource_set *set,
	     const struct generate_options *opt,
	     struct generate_result *result, struct diag_list *diags)
{
	struct gen g;
	size_t i;
	int rc = -ENOMEM;

	memset(result, 0, sizeof(*result));
	memset(&g, 0, sizeof(g));
	g.set = set;
	g.opt = opt;
	g.result = result;
	g.diags = diags;
	if ((result->store = calloc(1, sizeof(*result->store))) == NULL ||
	    (result->store->made = resource_set_new()) == NULL)
		goto out;
	atomic_init(&result->store->refs, 1);
	result->store->opt = *opt;
	result->store->opt.zone = NULL;
	result->store->opt.known = NULL;
	result->store->opt.nknown = 0;
	result->store->opt.now = 0;
	if ((result->store->zone = strdup(zone_of(opt))) == NULL)
		goto out;
	g.made = result->store->made;
	if ((rc = synced(&g)) < 0 || (rc = k8s_drop_deleted(&g)) < 0)
		goto out;
	/* Kuma runs the Dataplane generator only in universal zones (and
	 * wrote what it made into a store). */
	if (opt->environment == GENERATE_UNIVERSAL && !opt->from_store &&
	    ((rc = universal(&g)) < 0 || (rc = grace(&g)) < 0))
		goto out;
	if ((rc = kubernetes(&g)) < 0 ||
	    (rc = default_generators_add(&g)) < 0 ||
	    (rc = legacy(set, opt, result)) < 0)
		goto out;
	result->store->legacy = result->legacy;
	result->store->nlegacy = result->nlegacy;
	if ((rc = assemble(&g)) < 0)
		goto out;
	/* Last: the matches borrow strings of the final services. */
	rc = multizone(result);
out:
	for (i = 0; i < g.npending; i++)
		condition_clear(&g.pending[i].cond);
	free(g.pending);
	free(g.graced);
	return rc;
}

void
generate_result_clear(struct generate_result *result)
{
	struct generate_store *st = NULL;
	size_t i;
	size_t j;

	if (result == NULL)
		return;
	/* Most have no conditions: no call for those (100,000 a free). */
	for (i = 0; i < result->nservices; i++) {
		if (result->services[i].conditions == NULL)
			continue;
		for (j = 0; j < result->services[i].nconditions; j++)
			condition_clear(&result->services[i].conditions[j]);
		free(result->services[i].conditions);
	}
	bigarray_free(result->services);
	free(result->external_services);
	for (i = 0; i < result->nmultizone_services; i++)
		free(result->multizone_services[i].matches);
	free(result->multizone_services);
	free(result->generators);
	st = result->store;
	if (st == NULL || st->legacy != result->legacy) {
		for (i = 0; i < result->nlegacy; i++) {
			free(result->legacy[i].mesh);
			free(result->legacy[i].service);
		}
		free(result->legacy);
	}
	if (st != NULL && atomic_fetch_sub(&st->refs, 1) > 1)
		st = NULL;	/* another result still shares it */
	if (st != NULL) {
		for (i = 0; i < st->nlegacy; i++) {
			free(st->legacy[i].mesh);
			free(st->legacy[i].service);
		}
		free(st->legacy);
		free(st->zone);
		for (i = 0; i < st->nms; i++) {
			free(st->ms[i].meta.name);
			resource_labels_clear(&st->ms[i].meta.labels);
		}
		for (i = 0; i < st->nmes; i++) {
			free(st->mes[i].meta.name);
			resource_labels_clear(&st->mes[i].meta.labels);
		}
		for (i = 0; i < st->nmzs; i++) {
			free(st->mzs[i].meta.name);
			resource_labels_clear(&st->mzs[i].meta.labels);
		}
		free(st->ms);
		free(st->mes);
		free(st->mzs);
		resource_set_free(st->made);
		free(st);
	}
	memset(result, 0, sizeof(*result));
}

/* --- incremental: generate_apply() --- */

/* The index of @p in the array @base of @n elements of @size, or SIZE_MAX. */
static size_t
index_in(const void *p, const void *base, size_t n, size_t size)
{
	const char *c = p;
	const char *b = base;

	if (n == 0 || c < b || c >= b + n * size)
		return SIZE_MAX;
	return (size_t)(c - b) / size;
}

/* What a kind's changes do to the set's array of it. */
struct apply_kind {
	size_t *rem;		/* places in the previous set, sorted */
	size_t nrem;
	size_t *ins;		/* places in the new set, sorted */
	size_t nins;
	size_t *old2new;	/* SIZE_MAX: removed */
};

static int
place_cmp(const void *a, const void *b)
{
	const size_t *x = a;
	const size_t *y = b;

	return *x < *y ? -1 : *x > *y;
}

/* Is @m plainly this zone's (not synced, a copy, another zone's)? */
static int
apply_local(const struct resource_meta *m, const struct generate_options *opt)
{
	return sync_role(m, opt, 1) == SYNC_LOCAL;
}

/* Would a Dataplane of @set yield a MeshService @mesh/@name? */
static int
dp_yields(const struct resource_set *set, const char *mesh, const char *name)
{
	size_t i;
	size_t j;

	for (i = 0; i < set->ndataplanes; i++) {
		const struct resource_dataplane *dp = &set->dataplanes[i];
		const char *v;

		if (strcmp(mesh_of(&dp->meta), mesh) != 0)
			continue;
		v = resource_labels_get(&dp->meta.labels, KUMA_LABEL_WORKLOAD);
		if (v != NULL && strcmp(v, name) == 0)
			return 1;
		for (j = 0; j < dp->ninbounds; j++) {
			v = resource_labels_get(&dp->inbounds[j].tags,
						KUMA_TAG_SERVICE);
			if (v != NULL && strcmp(v, name) == 0)
				return 1;
		}
	}
	return 0;
}

/*
 * Why @changes cannot be applied to @prev without a full run, or NULL;
 * fills @ak (places removed and inserted per kind) otherwise.
 */
static const char *
apply_plan(const struct resource_set *set, const struct resource_set *prev_set,
	   const struct generate_result *prev,
	   const struct resource_change *changes, size_t nchanges,
	   const struct generate_options *opt, struct apply_kind *ak)
{
	const struct generate_store *st = prev->store;
	size_t i;

	if (st == NULL || st->nonlocal)
		return "the resources include synced ones";
	if (strcmp(st->zone, zone_of(opt)) != 0 ||
	    st->opt.environment != opt->environment ||
	    st->opt.defaults != opt->defaults ||
	    st->opt.workload_labels != opt->workload_labels ||
	    st->opt.default_mode != opt->default_mode ||
	    st->opt.grace != opt->grace)
		return "the options changed";
	if (set->nk8s_services > 0)
		return "Kubernetes Services are generated from";
	/* One kept through its grace period stays as it is, until then. */
	if (st->graced_since != 0 &&
	    (opt->grace <= 0 || opt->now - st->graced_since >= opt->grace))
		return "a MeshService's deletion grace period ended";
	for (i = 0; i < nchanges; i++) {
		const struct resource_change *ch = &changes[i];
		const struct resource_meta *old = NULL;
		const struct resource_meta *new = NULL;
		const struct resource_meta *m[2];
		struct apply_kind *k = NULL;
		struct array_ref { const void *base; size_t n; size_t size; }
			pa, na;
		size_t j;

		/*
		 * A generator derives nothing but, by its name, whether
		 * Kuma's default of that name is added: an edit that keeps
		 * the name and display name changes only the hostnames
		 * (build.c recomputes those of the services it selects).
		 */
		if (ch->kind == RESOURCE_HOSTNAME_GENERATOR) {
			old = resource_set_find(prev_set, ch->kind, ch->mesh,
						ch->namespace, ch->name);
			new = resource_set_find(set, ch->kind, ch->mesh,
						ch->namespace, ch->name);
			if (old == NULL || new == NULL)
				return "a HostnameGenerator was added or "
				       "removed";
			if (cmp_str_null(resource_labels_get(
						 &old->labels,
						 KUMA_LABEL_DISPLAY_NAME),
					 resource_labels_get(
						 &new->labels,
						 KUMA_LABEL_DISPLAY_NAME)) != 0)
				return "a HostnameGenerator's display name "
				       "changed";
			continue;
		}
		switch (ch->kind) {
		case RESOURCE_MESH_SERVICE:
			pa = (struct array_ref){ prev_set->services,
				prev_set->nservices, sizeof(*set->services) };
			na = (struct array_ref){ set->services, set->nservices,
				sizeof(*set->services) };
			break;
		case RESOURCE_MESH_EXTERNAL_SERVICE:
			pa = (struct array_ref){ prev_set->external_services,
				prev_set->nexternal_services,
				sizeof(*set->external_services) };
			na = (struct array_ref){ set->external_services,
				set->nexternal_services,
				sizeof(*set->external_services) };
			break;
		case RESOURCE_MESH_MULTI_ZONE_SERVICE:
			pa = (struct array_ref){ prev_set->multizone_services,
				prev_set->nmultizone_services,
				sizeof(*set->multizone_services) };
			na = (struct array_ref){ set->multizone_services,
				set->nmultizone_services,
				sizeof(*set->multizone_services) };
			break;
		default:
			return "a change of a kind generate derives from in "
			       "bulk";
		}
		k = &ak[ch->kind];
		old = resource_set_find(prev_set, ch->kind, ch->mesh,
					ch->namespace, ch->name);
		new = resource_set_find(set, ch->kind, ch->mesh,
					ch->namespace, ch->name);
		m[0] = old;
		m[1] = new;
		for (j = 0; j < 2; j++) {
			if (m[j] == NULL)
				continue;
			if (!apply_local(m[j], opt))
				return "a synced resource changed";
			/* With a store nothing is derived from Dataplanes
			 * (generate_run()), so their names do not matter. */
			if (ch->kind != RESOURCE_MESH_SERVICE ||
			    opt->from_store)
				continue;
			if (dp_yields(set, mesh_of(m[j]), m[j]->name) ||
			    dp_yields(prev_set, mesh_of(m[j]), m[j]->name))
				return "a MeshService named as Dataplanes' "
				       "service changed";
		}
		if (old != NULL)
			k->rem[k->nrem++] = index_in(old, pa.base, pa.n,
						     pa.size);
		if (new != NULL)
			k->ins[k->nins++] = index_in(new, na.base, na.n,
						     na.size);
	}
	/*
	 * A generated MeshService of a changed one's name: see above.  The
	 * store made every generated one (no synced copies: see above).
	 */
	for (i = 0; i < st->made->nservices; i++) {
		const struct resource_mesh_service *ms = &st->made->services[i];
		size_t c;

		for (c = 0; c < nchanges; c++)
			if (changes[c].kind == RESOURCE_MESH_SERVICE &&
			    cmp_str_null(changes[c].name, ms->meta.name) == 0 &&
			    cmp_str_null(changes[c].mesh, ms->meta.mesh) == 0)
				return "a MeshService named as a generated one "
				       "changed";
	}
	return NULL;
}

/* Sort and unique @v; its new length. */
static size_t
places_unique(size_t *v, size_t n)
{
	size_t i;
	size_t w;

	if (n < 2)
		return n;
	qsort(v, n, sizeof(*v), place_cmp);
	for (i = 1, w = 1; i < n; i++)
		if (v[i] != v[w - 1])
			v[w++] = v[i];
	return w;
}

/* @ak->old2new for @n previous elements, @nnew new; 0, -1 or -ENOMEM. */
static int
apply_map(struct apply_kind *ak, size_t n, size_t nnew)
{
	size_t r = 0;
	size_t x = 0;
	size_t j = 0;
	size_t k;

	ak->nrem = places_unique(ak->rem, ak->nrem);
	ak->nins = places_unique(ak->ins, ak->nins);
	if ((ak->nrem > 0 && ak->rem[ak->nrem - 1] >= n) ||
	    (ak->nins > 0 && ak->ins[ak->nins - 1] >= nnew) ||
	    n - ak->nrem + ak->nins != nnew)
		return -1;
	/* Every place is written below: no zeroing first (800 kB at 100k). */
	if (n + 1 > SIZE_MAX / sizeof(*ak->old2new) ||
	    (ak->old2new = malloc((n + 1) * sizeof(*ak->old2new))) == NULL)
		return -ENOMEM;
	ak->old2new[n] = SIZE_MAX;
	for (k = 0; k < n; k++) {
		if (r < ak->nrem && ak->rem[r] == k) {
			ak->old2new[k] = SIZE_MAX;
			r++;
			continue;
		}
		while (x < ak->nins && ak->ins[x] == j) {
			x++;
			j++;
		}
		ak->old2new[k] = j++;
	}
	return 0;
}

/*
 * Does the resource inserted at @ins_at of the new set's array go before
 * @e, the previous result's entry at @e_at of that array (SIZE_MAX: not
 * the set's, e.g. generated from Dataplanes)?  The set's arrays are
 * sorted by resource_meta_cmp() and hold each identity once, so two
 * places there compare as their resources do, without a string compared
 * (an apply passes over every previous entry).
 */
static int
goes_before(const struct resource_meta *ins, size_t ins_at,
	    const struct resource_meta *e, size_t e_at)
{
	if (e_at != SIZE_MAX)
		return ins_at < e_at;
	return resource_meta_cmp(ins, e) <= 0;
}

/* A copy of @src's conditions into @dst; 0 or -ENOMEM. */
static int
conditions_copy(struct generate_service *dst, const struct generate_service *src)
{
	size_t i;

	dst->conditions = NULL;
	dst->nconditions = 0;
	if (src->nconditions == 0)
		return 0;
	dst->conditions = calloc(src->nconditions, sizeof(*dst->conditions));
	if (dst->conditions == NULL)
		return -ENOMEM;
	for (i = 0; i < src->nconditions; i++) {
		const struct generate_condition *s = &src->conditions[i];
		struct generate_condition *d = &dst->conditions[i];

		d->status = s->status;
		if (set_str(&d->type, s->type) < 0 ||
		    set_str(&d->reason, s->reason) < 0 ||
		    set_str(&d->message, s->message) < 0)
			return -ENOMEM;
		dst->nconditions++;
	}
	return 0;
}

/* The services of @prev remapped to @set, with @ak's inserted; -ENOMEM. */
static int
apply_services(struct generate_result *r, const struct generate_result *prev,
	       const struct resource_set *set,
	       const struct resource_set *prev_set,
	       const struct apply_kind *ak)
{
	struct generate_service *v = NULL;
	size_t n = prev->nservices - ak->nrem + ak->nins;
	size_t i;
	size_t x = 0;

	/* Each of the @n is written below; only the one past them zeroed. */
	if (n + 1 > SIZE_MAX / sizeof(*v) ||
	    (v = bigarray_alloc((n + 1) * sizeof(*v))) == NULL)
		return -ENOMEM;
	memset(&v[n], 0, sizeof(*v));
	r->services = v;
	for (i = 0; i <= prev->nservices; i++) {
		struct generate_service e;
		size_t k = SIZE_MAX;
		size_t at = SIZE_MAX;	/* e's place in @set's array */

		if (i < prev->nservices) {
			e = prev->services[i];
			k = index_in(e.res, prev_set->services,
				     prev_set->nservices,
				     sizeof(*prev_set->services));
			if (k != SIZE_MAX && ak->old2new[k] == SIZE_MAX)
				continue;	/* removed */
			if (k != SIZE_MAX) {
				at = ak->old2new[k];
				e.res = &set->services[at];
			}
		}
		/* The inserted ones that come before it. */
		while (x < ak->nins) {
			struct generate_service ins;

			memset(&ins, 0, sizeof(ins));
			ins.res = &set->services[ak->ins[x]];
			if (i < prev->nservices &&
			    !goes_before(&ins.res->meta, ak->ins[x],
					 &e.res->meta, at))
				break;
			r->services[r->nservices++] = ins;
			x++;
		}
		if (i == prev->nservices)
			break;
		r->services[r->nservices] = e;
		if (conditions_copy(&r->services[r->nservices],
				    &prev->services[i]) < 0)
			return -ENOMEM;
		r->nservices++;
	}
	return 0;
}

static int
apply_external(struct generate_result *r, const struct generate_result *prev,
	       const struct resource_set *set,
	       const struct resource_set *prev_set,
	       const struct apply_kind *ak)
{
	size_t n = prev->nexternal_services - ak->nrem + ak->nins;
	size_t i;
	size_t x = 0;

	if ((r->external_services = calloc(n + 1,
					   sizeof(*r->external_services))) ==
	    NULL)
		return -ENOMEM;
	for (i = 0; i <= prev->nexternal_services; i++) {
		const struct resource_mesh_external_service *e = NULL;
		size_t k;
		size_t at = SIZE_MAX;

		if (i < prev->nexternal_services) {
			e = prev->external_services[i];
			k = index_in(e, prev_set->external_services,
				     prev_set->nexternal_services,
				     sizeof(*e));
			if (k != SIZE_MAX && ak->old2new[k] == SIZE_MAX)
				continue;
			if (k != SIZE_MAX) {
				at = ak->old2new[k];
				e = &set->external_services[at];
			}
		}
		while (x < ak->nins) {
			const struct resource_mesh_external_service *ins =
				&set->external_services[ak->ins[x]];

			if (e != NULL &&
			    !goes_before(&ins->meta, ak->ins[x], &e->meta, at))
				break;
			r->external_services[r->nexternal_services++] = ins;
			x++;
		}
		if (e == NULL)
			break;
		r->external_services[r->nexternal_services++] = e;
	}
	return 0;
}

/*
 * The MeshMultiZoneServices: remapped, the changed ones matched afresh,
 * the others' matches updated for the changed MeshServices (@old and
 * @new, each @nms long, NULL where absent).
 */
static int
apply_multizone(struct generate_result *r, const struct generate_result *prev,
		const struct resource_set *set,
		const struct resource_set *prev_set,
		const struct apply_kind *ak,
		const struct resource_mesh_service *const *old,
		const struct resource_mesh_service *const *new, size_t nms)
{
	size_t n = prev->nmultizone_services - ak->nrem + ak->nins;
	size_t i;
	size_t j;
	size_t x = 0;
	int rc;

	if ((r->multizone_services = calloc(n + 1,
					    sizeof(*r->multizone_services))) ==
	    NULL)
		return -ENOMEM;
	for (i = 0; i <= prev->nmultizone_services; i++) {
		const struct generate_mzs *pe = NULL;
		struct generate_mzs *e = NULL;
		const struct resource_mesh_multi_zone_service *res = NULL;
		size_t k;
		size_t cap;
		int dirty = 0;

		if (i < prev->nmultizone_services) {
			pe = &prev->multizone_services[i];
			res = pe->res;
			k = index_in(res, prev_set->multizone_services,
				     prev_set->nmultizone_services,
				     sizeof(*res));
			if (k != SIZE_MAX && ak->old2new[k] == SIZE_MAX)
				continue;
			if (k != SIZE_MAX)
				res = &set->multizone_services[ak->old2new[k]];
		}
		while (x < ak->nins) {
			const struct resource_mesh_multi_zone_service *ins =
				&set->multizone_services[ak->ins[x]];

			if (res != NULL &&
			    resource_meta_cmp(&ins->meta, &res->meta) > 0)
				break;
			e = &r->multizone_services[r->nmultizone_services++];
			e->res = ins;
			x++;
		}
		if (pe == NULL)
			break;
		e = &r->multizone_services[r->nmultizone_services++];
		e->res = res;
		cap = pe->nmatches + nms;
		if (cap == 0)
			continue;
		if ((e->matches = calloc(cap, sizeof(*e->matches))) == NULL)
			return -ENOMEM;
		for (j = 0; j < pe->nmatches; j++) {
			const struct generate_mzs_match *m = &pe->matches[j];
			size_t c;

			/* A changed MeshService's entry (its strings). */
			for (c = 0; c < nms; c++)
				if (old[c] != NULL && mzs_matches(pe->res,
								  old[c]) &&
				    m->name == resource_display_name(
					    &old[c]->meta))
					break;
			if (c < nms) {
				dirty = 1;
				continue;
			}
			e->matches[e->nmatches++] = *m;
		}
		for (j = 0; j < nms; j++)
			if (new[j] != NULL && mzs_matches(res, new[j])) {
				mzs_match_fill(&e->matches[e->nmatches++],
					       new[j]);
				dirty = 1;
			}
		if (dirty)
			qsort(e->matches, e->nmatches, sizeof(*e->matches),
			      match_cmp);
	}
	/* The new and changed ones: matched against every service. */
	for (i = 0; i < r->nmultizone_services; i++) {
		struct generate_mzs *e = &r->multizone_services[i];

		for (j = 0; j < ak->nins; j++)
			if (e->res == &set->multizone_services[ak->ins[j]])
				break;
		if (j < ak->nins && (rc = multizone_one(r, e)) < 0)
			return rc;
	}
	return 0;
}

int
generate_apply(const struct resource_set *set,
	       const struct resource_set *prev_set,
	       const struct generate_result *prev,
	       const struct resource_change *changes, size_t nchanges,
	       const struct generate_options *opt,
	       struct generate_result *result, struct diag_list *diags,
	       const char **why)
{
	struct apply_kind ak[RESOURCE_KIND_COUNT];
	const struct resource_mesh_service **old = NULL;
	const struct resource_mesh_service **new = NULL;
	size_t nms = 0;
	size_t i;
	int rc = -ENOMEM;

	*why = NULL;
	memset(result, 0, sizeof(*result));
	memset(ak, 0, sizeof(ak));
	for (i = 0; i < RESOURCE_KIND_COUNT; i++) {
		ak[i].rem = calloc(nchanges + 1, sizeof(*ak[i].rem));
		ak[i].ins = calloc(nchanges + 1, sizeof(*ak[i].ins));
		if (ak[i].rem == NULL || ak[i].ins == NULL)
			goto out;
	}
	old = calloc(nchanges + 1, sizeof(*old));
	new = calloc(nchanges + 1, sizeof(*new));
	if (old == NULL || new == NULL)
		goto out;
	*why = apply_plan(set, prev_set, prev, changes, nchanges, opt, ak);
	if (*why == NULL) {
		for (i = 0; i < nchanges; i++) {
			size_t j;

			if (changes[i].kind != RESOURCE_MESH_SERVICE)
				continue;
			old[nms] = (const void *)resource_set_find(
				prev_set, RESOURCE_MESH_SERVICE,
				changes[i].mesh, changes[i].namespace,
				changes[i].name);
			new[nms] = (const void *)resource_set_find(
				set, RESOURCE_MESH_SERVICE, changes[i].mesh,
				changes[i].namespace, changes[i].name);
			/* A change named twice counts once. */
			for (j = 0; j < nms; j++)
				if (old[j] == old[nms] && new[j] == new[nms])
					break;
			if (j == nms)
				nms++;
		}
		if ((rc = apply_map(&ak[RESOURCE_MESH_SERVICE],
				    prev_set->nservices, set->nservices)) == -1 ||
		    (rc == 0 &&
		     (rc = apply_map(&ak[RESOURCE_MESH_EXTERNAL_SERVICE],
				     prev_set->nexternal_services,
				     set->nexternal_services)) == -1) ||
		    (rc == 0 &&
		     (rc = apply_map(&ak[RESOURCE_MESH_MULTI_ZONE_SERVICE],
				     prev_set->nmultizone_services,
				     set->nmultizone_services)) == -1))
			*why = "the sets do not differ by the changes";
		else if (rc < 0)
			goto out;
		/* Every generator a previous result had is the set's. */
		if (*why == NULL && set->ngenerators != prev_set->ngenerators)
			*why = "the HostnameGenerators differ";
		/* In the same places (an edit kept its creation time). */
		for (i = 0; *why == NULL && i < set->ngenerators; i++)
			if (resource_meta_cmp(&set->generators[i].meta,
					      &prev_set->generators[i].meta))
				*why = "the HostnameGenerators differ";
	}
	if (*why != NULL) {
		rc = generate_run(set, opt, result, diags);
		if (rc == 0)
			rc = 1;
		goto out;
	}
	rc = -ENOMEM;
	result->store = prev->store;
	atomic_fetch_add(&result->store->refs, 1);
	result->legacy = prev->legacy;
	result->nlegacy = prev->nlegacy;
	if (apply_services(result, prev, set, prev_set,
			   &ak[RESOURCE_MESH_SERVICE]) < 0 ||
	    apply_external(result, prev, set, prev_set,
			   &ak[RESOURCE_MESH_EXTERNAL_SERVICE]) < 0)
		goto out;
	if ((result->generators = calloc(prev->ngenerators + 1,
					 sizeof(*result->generators))) == NULL)
		goto out;
	for (i = 0; i < prev->ngenerators; i++) {
		const struct resource_hostname_generator *gen =
			prev->generators[i];
		size_t k = index_in(gen, prev_set->generators,
				    prev_set->ngenerators, sizeof(*gen));

		result->generators[result->ngenerators++] =
			k == SIZE_MAX ? gen : &set->generators[k];
	}
	if ((rc = apply_multizone(result, prev, set, prev_set,
				  &ak[RESOURCE_MESH_MULTI_ZONE_SERVICE],
				  old, new, nms)) < 0)
		goto out;
	rc = 0;
out:
	for (i = 0; i < RESOURCE_KIND_COUNT; i++) {
		free(ak[i].rem);
		free(ak[i].ins);
		free(ak[i].old2new);
	}
	free(old);
	free(new);
	return rc;
}
