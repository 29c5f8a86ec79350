/* SPDX-License-Identifier: MIT */
/* resource.c -- Kuma resources: the set, its order, duplicates and labels. */
#include "autoconfig.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "kuma/labels.h"
#include "kuma/resource.h"
#include "kuma/resource_int.h"
#include "util/bigarray.h"
#include "util/cmp.h"
#include "util/hash.h"

void *
resource_grow(void *v, size_t *cap, size_t n, size_t size)
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

void
resource_labels_clear(struct resource_labels *l)
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

/* --- freeing --- */

static void
meta_clear(struct resource_meta *m)
{
	free(m->name);
	m->mesh = NULL;		/* interned */
	free(m->namespace);
	resource_labels_clear(&m->labels);
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

	meta_clear(&r->meta);
	resource_labels_clear(&r->selector_labels);
	free(r->selector_ref);
	ports_clear(r->ports, r->nports);
	free(r->state);
	strings_clear(r->vips, r->nvips);
	strings_clear(r->kuma_hostnames, r->nkuma_hostnames);
	free(r->owner_kind);
	free(r->owner_name);
}

static void
generator_clear(void *p)
{
	struct resource_hostname_generator *r = p;

	meta_clear(&r->meta);
	resource_labels_clear(&r->match);
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
	resource_labels_clear(&r->selector);
	ports_clear(r->ports, r->nports);
	strings_clear(r->vips, r->nvips);
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
		resource_labels_clear(&r->inbounds[i].tags);
	}
	free(r->inbounds);
	for (i = 0; i < r->nbackends; i++) {
		free(r->backends[i].name);
		free(r->backends[i].namespace);
		resource_labels_clear(&r->backends[i].labels);
	}
	free(r->backends);
}

static void
k8s_service_clear(void *p)
{
	struct resource_k8s_service *r = p;
	size_t i;

	meta_clear(&r->meta);
	resource_labels_clear(&r->annotations);
	free(r->type);
	free(r->cluster_ip);
	resource_labels_clear(&r->selector);
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
	resource_labels_clear(&r->annotations);
}

/* --- the arrays of a set, one per kind --- */

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

/*
 * How a set with borrowed elements clears one: not at all when it is
 * borrowed (its unit owns what it points to), as its kind does otherwise
 * (every element starts with its meta, and meta.kind is always set).
 */
static void
borrowed_clear(void *p)
{
	const struct resource_meta *m = p;

	if (m->borrowed || (unsigned)m->kind >= RESOURCE_KIND_COUNT)
		return;
	arrays[m->kind].clear(p);
}

struct array
resource_set_array(const struct resource_set *set, enum resource_kind kind)
{
	const struct set_priv *pr = set->priv;
	struct array a = { NULL, 0, arrays[kind].size, arrays[kind].clear };

	if (pr != NULL && pr->borrowed)
		a.clear = borrowed_clear;

	/* Every object pointer has the same representation here. */
	memcpy(&a.base, (const char *)set + arrays[kind].base, sizeof(a.base));
	memcpy(&a.n, (const char *)set + arrays[kind].n, sizeof(a.n));
	return a;
}

void
resource_set_keys_drop(struct resource_set *set, enum resource_kind kind)
{
	struct set_priv *pr = set->priv;

	bigarray_free(pr->keys[kind]);
	pr->keys[kind] = NULL;
	pr->nkeys[kind] = 0;
	pr->keys_base[kind] = NULL;
}

const struct resource_key *
resource_set_keys(const struct resource_set *set, enum resource_kind kind)
{
	const struct set_priv *pr = set->priv;
	struct array a = resource_set_array(set, kind);

	/* The array's own: made for this base and length. */
	if (pr->keys[kind] == NULL || pr->keys_base[kind] != a.base ||
	    pr->nkeys[kind] != a.n)
		return NULL;
	return pr->keys[kind];
}

void
resource_set_array_put(struct resource_set *set, enum resource_kind kind,
		       char *base, size_t n)
{
	if (((struct set_priv *)set->priv)->keys[kind] != NULL)
		resource_set_keys_drop(set, kind);
	memcpy((char *)set + arrays[kind].base, &base, sizeof(base));
	memcpy((char *)set + arrays[kind].n, &n, sizeof(n));
}

/*
 * Room for one more element of @kind, zeroed; NULL on ENOMEM.  The count
 * is already incremented.
 */
void *
resource_set_array_add(struct resource_set *set, enum resource_kind kind)
{
	struct set_priv *pr = set->priv;
	struct array a = resource_set_array(set, kind);
	char *v;

	/*
	 * The first resource of a kind gets room for itself only: most
	 * sets of one row or one small file hold one or a few of a kind
	 * (a store row's, exactly one), and sixteen would be 15 wasted
	 * structs each; a big file's array doubles from there.
	 */
	v = a.base;
	if (a.n >= pr->caps[kind]) {
		size_t cap = pr->caps[kind] ? 2 * pr->caps[kind] : 1;

		if (cap > SIZE_MAX / a.size ||
		    (v = bigarray_realloc(a.base, cap * a.size)) == NULL)
			return NULL;
		pr->caps[kind] = cap;
	}
	pr->finished = 0;
	pr->all_borrowed = 0;
	resource_set_array_put(set, kind, v, a.n + 1);
	memset(v + a.n * a.size, 0, a.size);
	return v + a.n * a.size;
}

/* Remove element @i of @kind (freeing it), keeping the order. */
static void
array_remove(struct resource_set *set, enum resource_kind kind, size_t i)
{
	struct array a = resource_set_array(set, kind);

	if (i >= a.n)
		return;
	((struct set_priv *)set->priv)->finished = 0;
	a.clear(a.base + i * a.size);
	memmove(a.base + i * a.size, a.base + (i + 1) * a.size,
		(a.n - i - 1) * a.size);
	resource_set_array_put(set, kind, a.base, a.n - 1);
}

void
resource_set_keep_yaml(struct resource_set *set, int keep)
{
	struct set_priv *pr = set->priv;

	pr->drop_yaml = !keep;
}

void
resource_set_trim(struct resource_set *set)
{
	struct set_priv *pr = set->priv;
	size_t k;
	void *v;

	for (k = 0; k < RESOURCE_KIND_COUNT; k++) {
		struct array a = resource_set_array(set, (enum resource_kind)k);

		if (a.n == 0 || pr->caps[k] <= a.n)
			continue;
		if ((v = bigarray_realloc(a.base, a.n * a.size)) == NULL)
			continue;	/* it keeps its room */
		pr->caps[k] = a.n;
		resource_set_array_put(set, (enum resource_kind)k, v, a.n);
	}
	if (pr->nstreams > 0 && pr->streams_cap > pr->nstreams &&
	    (v = realloc(pr->streams, pr->nstreams *
			 sizeof(*pr->streams))) != NULL) {
		pr->streams = v;
		pr->streams_cap = pr->nstreams;
	}
	if (pr->nfiles > 0 && pr->files_cap > pr->nfiles &&
	    (v = realloc(pr->files, pr->nfiles * sizeof(*pr->files))) != NULL) {
		pr->files = v;
		pr->files_cap = pr->nfiles;
	}
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
	atomic_init(&((struct set_priv *)set->priv)->refs, 1);
	return set;
}

void
resource_set_ref(struct resource_set *set)
{
	struct set_priv *pr = set->priv;

	atomic_fetch_add(&pr->refs, 1);
}

struct held_block *
resource_held_new(struct resource_set *const *v, size_t n,
		  struct held_block *next)
{
	struct held_block *b = NULL;
	size_t i;

	if (n > (SIZE_MAX - sizeof(*b)) / sizeof(b->v[0]) ||
	    (b = malloc(sizeof(*b) + n * sizeof(b->v[0]))) == NULL)
		return NULL;
	atomic_init(&b->refs, 1);
	b->next = next;
	b->n = n;
	for (i = 0; i < n; i++) {
		resource_set_ref(v[i]);
		b->v[i] = v[i];
	}
	return b;
}

void
resource_held_unref(struct held_block *b)
{
	/* Iteratively: a chain may be long. */
	while (b != NULL && atomic_fetch_sub(&b->refs, 1) == 1) {
		struct held_block *next = b->next;
		size_t i;

		for (i = 0; i < b->n; i++)
			resource_set_free(b->v[i]);
		free(b);
		b = next;
	}
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
	if (atomic_fetch_sub(&pr->refs, 1) > 1)
		return;		/* a unit or a borrowing set still holds it */
	for (k = 0; k < RESOURCE_KIND_COUNT; k++) {
		struct array a = resource_set_array(set, (enum resource_kind)k);

		for (i = 0; i < a.n && !(pr->borrowed && pr->all_borrowed); i++)
			a.clear(a.base + i * a.size);
		bigarray_free(a.base);
	}
	for (i = 0; i < pr->nstreams; i++)
		yamlx_stream_free(pr->streams[i]);
	free(pr->streams);
	for (i = 0; i < pr->nfiles; i++)
		free(pr->files[i]);
	free(pr->files);
	for (i = 0; i < pr->nheld; i++)
		resource_set_free(pr->held[i]);
	free(pr->held);
	resource_held_unref(pr->chain);
	for (k = 0; k < RESOURCE_KIND_COUNT; k++) {
		resource_index_clear(&pr->ix[k]);
		bigarray_free(pr->keys[k]);
	}
	free(pr->zone);
	free(pr);
	free(set);
}

struct resource_mesh_service *
resource_set_new_service(struct resource_set *set)
{
	struct resource_mesh_service *ms;

	ms = resource_set_array_add(set, RESOURCE_MESH_SERVICE);
	if (ms != NULL)
		ms->meta.kind = RESOURCE_MESH_SERVICE;
	return ms;
}

struct resource_hostname_generator *
resource_set_new_generator(struct resource_set *set)
{
	struct resource_hostname_generator *g;

	g = resource_set_array_add(set, RESOURCE_HOSTNAME_GENERATOR);
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

/* --- the identities' index of a finished set --- */

uint64_t
resource_ident_hash(const char *mesh, const char *namespace, const char *name)
{
	const char *v[3] = { mesh, namespace, name };
	uint64_t h = HASH_FNV1A64_INIT;
	size_t i;

	for (i = 0; i < 3; i++) {
		h = hash_fnv1a64_str(h, v[i] != NULL ? v[i] : "");
		h = hash_fnv1a64(h, v[i] != NULL ? "\1" : "\2", 1);
	}
	h = hash_mix64(h);
	return h != 0 ? h : 1;
}

void
resource_index_clear(struct resource_index *ix)
{
	bigarray_free(ix->v);
	memset(ix, 0, sizeof(*ix));
}

int
resource_index_copy(struct resource_index *dst,
		    const struct resource_index *src)
{
	memset(dst, 0, sizeof(*dst));
	if (src->size == 0)
		return 0;
	if ((dst->v = bigarray_alloc(src->size * sizeof(*dst->v))) ==
	    NULL)
		return -ENOMEM;
	memcpy(dst->v, src->v, src->size * sizeof(*dst->v));
	dst->size = src->size;
	dst->used = src->used;
	return 0;
}

/* Put (@h, @c) in a table with room; nothing when it is there. */
static void
index_put(struct resource_index_ent *v, size_t size, size_t *used,
	  uint64_t h, int64_t c)
{
	size_t pos = (size_t)h & (size - 1);

	for (; v[pos].h != 0; pos = (pos + 1) & (size - 1))
		if (v[pos].h == h && v[pos].creation_ns == c)
			return;
	v[pos].h = h;
	v[pos].creation_ns = c;
	(*used)++;
}

int
resource_index_add(struct resource_index *ix, uint64_t h, int64_t creation_ns)
{
	if (2 * (ix->used + 1) > ix->size) {
		size_t size = ix->size ? ix->size * 2 : 16;
		struct resource_index_ent *v = calloc(size, sizeof(*v));
		size_t used = 0;
		size_t i;

		if (v == NULL)
			return -ENOMEM;
		for (i = 0; i < ix->size; i++)
			if (ix->v[i].h != 0)
				index_put(v, size, &used, ix->v[i].h,
					  ix->v[i].creation_ns);
		bigarray_free(ix->v);
		ix->v = v;
		ix->size = size;
		ix->used = used;
	}
	index_put(ix->v, ix->size, &ix->used, h, creation_ns);
	return 0;
}

int
resource_index_build(struct resource_set *set, enum resource_kind kind)
{
	struct set_priv *pr = set->priv;
	struct resource_index *ix = &pr->ix[kind];
	struct array a = resource_set_array(set, kind);
	size_t size = 16;
	size_t i;

	resource_index_clear(ix);
	if (a.n == 0)
		return 0;
	while (size < 2 * a.n + 2)
		size *= 2;
	if ((ix->v = calloc(size, sizeof(*ix->v))) == NULL)
		return -ENOMEM;
	ix->size = size;
	for (i = 0; i < a.n; i++) {
		const struct resource_meta *m = (const void *)(a.base +
							       i * a.size);

		index_put(ix->v, ix->size, &ix->used,
			  resource_ident_hash(m->mesh, m->namespace, m->name),
			  m->creation_ns);
	}
	return 0;
}

/* The first element of @a not before (@c, @name, @ns, @mesh). */
static size_t
lower_bound(const struct array *a, int64_t c, const char *mesh,
	    const char *namespace, const char *name)
{
	struct resource_meta key;
	size_t lo = 0;
	size_t hi = a->n;

	memset(&key, 0, sizeof(key));
	key.creation_ns = c;
	key.mesh = (char *)mesh;
	key.namespace = (char *)namespace;
	key.name = (char *)name;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (resource_meta_cmp((const void *)(a->base + mid * a->size),
				      &key) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/*
 * The places in the finished @set's array of @kind of the resources of
 * identity (@mesh, @namespace, @name) (synced copies of several zones
 * share one), at most @max of them in @pos, in no order; returns how many
 * there are.  O(1) and a binary search.
 */
size_t
resource_set_lookup(const struct resource_set *set, enum resource_kind kind,
		    const char *mesh, const char *namespace, const char *name,
		    size_t *pos, size_t max)
{
	const struct set_priv *pr = set->priv;
	const struct resource_index *ix = &pr->ix[kind];
	struct array a = resource_set_array(set, kind);
	uint64_t h;
	size_t p;
	size_t n = 0;

	if (ix->size == 0)
		return 0;
	h = resource_ident_hash(mesh, namespace, name);
	for (p = (size_t)h & (ix->size - 1); ix->v[p].h != 0;
	     p = (p + 1) & (ix->size - 1)) {
		size_t i;

		if (ix->v[p].h != h)
			continue;
		i = lower_bound(&a, ix->v[p].creation_ns, mesh, namespace,
				name);
		for (; i < a.n; i++) {
			const struct resource_meta *m =
				(const void *)(a.base + i * a.size);

			if (m->creation_ns != ix->v[p].creation_ns ||
			    cmp_str_null(m->name, name) != 0 ||
			    cmp_str_null(m->namespace, namespace) != 0 ||
			    cmp_str_null(m->mesh, mesh) != 0)
				break;
			if (n < max)
				pos[n] = i;
			n++;
		}
	}
	return n;
}

/* --- finish: duplicates and order --- */

struct dup_ent {
	const struct resource_meta *m;
	size_t i;
};

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
	origin = resource_labels_get(&m->labels, KUMA_LABEL_ORIGIN);
	if (origin == NULL || strcmp(origin, "global") != 0)
		return NULL;
	return resource_labels_get(&m->labels, KUMA_LABEL_ZONE);
}

/* Same identity: kind (one array each), name, namespace, mesh, zone. */
int
resource_meta_identity_cmp(const struct resource_meta *x,
			   const struct resource_meta *y)
{
	int r;

	if ((r = cmp_str_null(x->name, y->name)) != 0)
		return r;
	if ((r = cmp_str_null(x->namespace, y->namespace)) != 0)
		return r;
	if ((r = cmp_str_null(x->mesh, y->mesh)) != 0)
		return r;
	return cmp_str_null(synced_zone(x), synced_zone(y));
}

static int
dup_cmp(const void *a, const void *b)
{
	const struct dup_ent *x = a;
	const struct dup_ent *y = b;
	int r;

	if ((r = resource_meta_identity_cmp(x->m, y->m)) != 0)
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
		if (resource_meta_identity_cmp(ents[i].m, ents[w].m) == 0)
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

	((struct set_priv *)set->priv)->finished = 0;
	for (k = 0; k < RESOURCE_KIND_COUNT; k++) {
		struct array a = resource_set_array(set, (enum resource_kind)k);

		resource_set_keys_drop(set, (enum resource_kind)k);
		if (a.n > 1)
			qsort(a.base, a.n, a.size, meta_qsort_cmp);
	}
}

int
resource_set_finish(struct resource_set *set, struct diag_list *errs)
{
	struct set_priv *pr = set->priv;
	size_t k;
	size_t i;
	int rc;

	for (k = 0; k < RESOURCE_KIND_COUNT; k++) {
		struct array a = resource_set_array(set, (enum resource_kind)k);
		size_t n = a.n;

		resource_set_keys_drop(set, (enum resource_kind)k);
		rc = drop_duplicates(a.base, &a.n, a.size, a.clear, errs);
		if (rc < 0)
			return rc;
		if (a.n != n)
			pr->dropped = 1;
		for (i = 0; i < a.n; i++)
			((struct resource_meta *)(a.base + i * a.size))->seq =
			    i;
		resource_set_array_put(set, (enum resource_kind)k, a.base, a.n);
	}
	resource_set_sort(set);
	for (k = 0; k < RESOURCE_KIND_COUNT; k++)
		if ((rc = resource_index_build(set,
					       (enum resource_kind)k)) < 0)
			return rc;
	pr->finished = 1;
	pr->base_held = pr->chained + pr->nheld;
	return 0;
}

const struct resource_mesh *
resource_set_mesh(const struct resource_set *set, const char *name)
{
	size_t i;

	for (i = 0; i < set->nmeshes; i++)
		if (strcmp(set->meshes[i].meta.name, name) == 0)
			return &set->meshes[i];
	return NULL;
}

/* Is there a Mesh @name in @set?  "default" always is (see the header). */
static int
mesh_exists(const struct resource_set *set, const char *name)
{
	return strcmp(name, "default") == 0 ||
	       resource_set_mesh(set, name) != NULL;
}

int
resource_set_check_meshes(struct resource_set *set, struct diag_list *errs)
{
	static const enum resource_kind scoped[] = {
		RESOURCE_DATAPLANE, RESOURCE_MESH_SERVICE,
		RESOURCE_MESH_EXTERNAL_SERVICE,
		RESOURCE_MESH_MULTI_ZONE_SERVICE,
	};
	size_t k;

	for (k = 0; k < sizeof(scoped) / sizeof(scoped[0]); k++) {
		struct array a = resource_set_array(set, scoped[k]);
		size_t i;
		size_t w;

		for (i = 0, w = 0; i < a.n; i++) {
			char *e = a.base + i * a.size;
			const struct resource_meta *m = (const void *)e;
			const char *mesh = m->mesh != NULL ? m->mesh :
							     "default";
			int k8s = m->shape == RESOURCE_SHAPE_KUBERNETES;

			if (mesh_exists(set, mesh)) {
				if (w != i)
					memmove(a.base + w * a.size, e, a.size);
				w++;
				continue;
			}
			/*
			 * Kubernetes: Kuma's owner-reference webhook exempts
			 * MeshServices (they belong to their Service).
			 */
			if (k8s && m->kind == RESOURCE_MESH_SERVICE) {
				diag_warning(errs, m->pos.file, m->pos.line,
					     m->pos.column,
					     "MeshService \"%s\": mesh \"%s\" "
					     "has no Mesh resource: no proxy "
					     "of that mesh can use it",
					     m->name, mesh);
				if (w != i)
					memmove(a.base + w * a.size, e, a.size);
				w++;
				continue;
			}
			if (k8s)
				diag_error(errs, m->pos.file, m->pos.line,
					   m->pos.column,
					   "%s \"%s\": meshes.kuma.io \"%s\" "
					   "not found",
					   resource_kind_name(m->kind),
					   m->name, mesh);
			else
				diag_error(errs, m->pos.file, m->pos.line,
					   m->pos.column,
					   "%s \"%s\": mesh of name %s is not "
					   "found",
					   resource_kind_name(m->kind),
					   m->name, mesh);
			a.clear(e);
			((struct set_priv *)set->priv)->dropped = 1;
		}
		resource_set_array_put(set, scoped[k], a.base, w);
	}
	((struct set_priv *)set->priv)->checked = 1;
	return 0;
}

/* --- accessors --- */

/*
 * Binary search of the sorted @labels: 1 with *at the index of @key, or
 * 0 with *at where @key would be inserted.
 */
static int
labels_find(const struct resource_labels *labels, const char *key,
	    size_t *at)
{
	size_t lo = 0;
	size_t hi = labels->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int r = strcmp(key, labels->v[mid].key);

		if (r == 0) {
			*at = mid;
			return 1;
		}
		if (r < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	*at = lo;
	return 0;
}

const char *
resource_labels_get(const struct resource_labels *labels, const char *key)
{
	size_t i;

	return labels_find(labels, key, &i) ? labels->v[i].value : NULL;
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
resource_mesh_service_selects(const struct resource_mesh_service *ms,
			      const struct resource_dataplane *dp)
{
	size_t i;

	if (cmp_str_null(ms->meta.mesh, dp->meta.mesh) != 0)
		return 0;
	switch (ms->selector) {
	case RESOURCE_SELECTOR_DATAPLANE_TAGS:
		for (i = 0; i < dp->ninbounds; i++)
			if (resource_labels_match(&dp->inbounds[i].tags,
						  &ms->selector_labels))
				return 1;
		return 0;
	case RESOURCE_SELECTOR_DATAPLANE_LABELS:
		return resource_labels_match(&dp->meta.labels,
					     &ms->selector_labels);
	case RESOURCE_SELECTOR_DATAPLANE_REF:
		if (ms->selector_ref == NULL ||
		    strcmp(ms->selector_ref, dp->meta.name) != 0)
			return 0;
		return ms->meta.namespace == NULL ||
		       cmp_str_null(ms->meta.namespace,
				    dp->meta.namespace) == 0;
	case RESOURCE_SELECTOR_NONE:
	default:
		return 0;
	}
}

int
resource_labels_set(struct resource_labels *labels, const char *key,
		    const char *value)
{
	struct resource_label *v = NULL;
	char *k = NULL;
	char *val = NULL;
	size_t at;
	int rc = -ENOMEM;

	if ((val = strdup(value)) == NULL)
		goto out;
	if (labels_find(labels, key, &at)) {
		free(labels->v[at].value);
		labels->v[at].value = val;
		val = NULL;
		rc = 0;
		goto out;
	}
	if ((k = strdup(key)) == NULL)
		goto out;
	v = realloc(labels->v, (labels->n + 1) * sizeof(*v));
	if (v == NULL)
		goto out;
	labels->v = v;
	memmove(&v[at + 1], &v[at], (labels->n - at) * sizeof(*v));
	v[at].key = k;
	v[at].value = val;
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

/* The labels Kuma's zone control plane computes for a mesh resource. */
static int
compute_meta_labels(struct resource_meta *m, const char *zone)
{
	const char *origin = NULL;
	int rc = 0;

	rc |= labels_add_default(&m->labels, KUMA_LABEL_ORIGIN, "zone");
	origin = resource_labels_get(&m->labels, KUMA_LABEL_ORIGIN);
	if (origin != NULL && strcmp(origin, "zone") == 0)
		rc |= labels_add_default(&m->labels, KUMA_LABEL_ZONE, zone);
	if (m->mesh != NULL)
		rc |= labels_add_default(&m->labels, KUMA_LABEL_MESH, m->mesh);
	rc |= labels_add_default(&m->labels, KUMA_LABEL_DISPLAY_NAME, m->name);
	/*
	 * The environment and namespace of a synced copy are its origin
	 * zone's, which its labels carry; where it is stored here (say
	 * kuma-system) says nothing about them.
	 */
	if (origin == NULL || strcmp(origin, "zone") != 0)
		return rc < 0 ? -ENOMEM : 0;
	rc |= labels_add_default(&m->labels, KUMA_LABEL_ENV,
				 m->shape == RESOURCE_SHAPE_KUBERNETES ?
				 "kubernetes" : "universal");
	if (m->namespace != NULL)
		rc |= labels_add_default(&m->labels, KUMA_LABEL_K8S_NAMESPACE,
					 m->namespace);
	return rc < 0 ? -ENOMEM : 0;
}

int
resource_meta_compute_labels(struct resource_meta *m, const char *zone)
{
	if (m->borrowed)
		return 0;	/* computed in its unit */
	switch (m->kind) {
	case RESOURCE_MESH_SERVICE:
	case RESOURCE_MESH_EXTERNAL_SERVICE:
		return compute_meta_labels(m, zone);
	case RESOURCE_MESH_MULTI_ZONE_SERVICE:
		/* They come from global: only the mesh label. */
		if (m->mesh == NULL)
			return 0;
		return labels_add_default(&m->labels, KUMA_LABEL_MESH,
					  m->mesh) < 0 ? -ENOMEM : 0;
	case RESOURCE_HOSTNAME_GENERATOR:
		return labels_add_default(&m->labels, KUMA_LABEL_ORIGIN,
					  "zone") < 0 ? -ENOMEM : 0;
	default:
		return 0;
	}
}

int
resource_set_compute_labels(struct resource_set *set, const char *zone)
{
	static const enum resource_kind kinds[] = {
		RESOURCE_MESH_SERVICE, RESOURCE_MESH_EXTERNAL_SERVICE,
		RESOURCE_MESH_MULTI_ZONE_SERVICE, RESOURCE_HOSTNAME_GENERATOR,
	};
	struct set_priv *pr = set->priv;
	size_t k;
	size_t i;

	free(pr->zone);
	if ((pr->zone = strdup(zone != NULL ? zone : "")) == NULL)
		return -ENOMEM;
	for (k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
		struct array a = resource_set_array(set, kinds[k]);

		for (i = 0; i < a.n; i++)
			if (resource_meta_compute_labels(
				    (void *)(a.base + i * a.size), zone) < 0)
				return -ENOMEM;
	}
	return 0;
}

const char *
resource_set_labels_zone(const struct resource_set *set)
{
	const struct set_priv *pr = set->priv;

	return pr->zone;
}

const char *
resource_display_name(const struct resource_meta *meta)
{
	const char *d = resource_labels_get(&meta->labels,
					    KUMA_LABEL_DISPLAY_NAME);

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
	if ((r = cmp_str_null(a->name, b->name)) != 0)
		return r;
	if ((r = cmp_str_null(a->namespace, b->namespace)) != 0)
		return r;
	return cmp_str_null(a->mesh, b->mesh);
}

/* --- mesh names --- */

/*
 * The interned mesh names: a list searched linearly (a process sees a
 * handful), grown under the lock; each thread first tries the name it
 * interned last, without the lock (meshes come in runs).
 */
static pthread_mutex_t intern_lock = PTHREAD_MUTEX_INITIALIZER;
static char **interned;
static size_t ninterned;
static size_t interned_cap;
static _Thread_local const char *intern_last;

const char *
resource_mesh_intern(const char *name)
{
	const char *last = intern_last;
	const char *found = NULL;
	size_t i;

	if (name == NULL)
		return NULL;
	if (last != NULL && strcmp(last, name) == 0)
		return last;
	pthread_mutex_lock(&intern_lock);
	for (i = 0; i < ninterned && found == NULL; i++)
		if (strcmp(interned[i], name) == 0)
			found = interned[i];
	if (found == NULL) {
		char **v = interned;
		char *copy = NULL;

		if (ninterned == interned_cap) {
			size_t cap = interned_cap ? 2 * interned_cap : 8;

			v = realloc(interned, cap * sizeof(*v));
			if (v != NULL) {
				interned = v;
				interned_cap = cap;
			}
		}
		if (v != NULL && (copy = strdup(name)) != NULL) {
			interned[ninterned++] = copy;
			found = copy;
		}
	}
	pthread_mutex_unlock(&intern_lock);
	if (found != NULL)
		intern_last = found;
	return found;
}
