/* SPDX-License-Identifier: MIT */
/*
 * resource_apply.c -- a finished set from the previous one and what
 * changed (resource.h: resource_set_take(), resource_set_apply(),
 * resource_set_find()).
 */
#include "autoconfig.h"

#include <errno.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "kuma/labels.h"
#include "kuma/resource.h"
#include "kuma/resource_int.h"
#include "kuma/resource_units.h"
#include "util/bigarray.h"
#include "util/cmp.h"

/* Is @m's identity (ignoring a synced copy's zone) named by @ch? */
static int
change_names(const struct resource_change *ch, const struct resource_meta *m)
{
	return ch->kind == m->kind && cmp_str_null(ch->name, m->name) == 0 &&
	       cmp_str_null(ch->namespace, m->namespace) == 0 &&
	       cmp_str_null(ch->mesh, m->mesh) == 0;
}

/*
 * Add a reference to @s to @pr->held (once, when @check says it may be
 * there already); 0 or -ENOMEM.
 */
static int
hold(struct set_priv *pr, size_t *cap, struct resource_set *s, int check)
{
	struct resource_set **v;
	size_t i;

	for (i = 0; check && i < pr->nheld; i++)
		if (pr->held[i] == s)
			return 0;
	v = resource_grow(pr->held, cap, pr->nheld, sizeof(*pr->held));
	if (v == NULL)
		return -ENOMEM;
	pr->held = v;
	resource_set_ref(s);
	pr->held[pr->nheld++] = s;
	return 0;
}

int
resource_set_hold(struct resource_set *set, size_t *cap,
		  struct resource_set *owner)
{
	return hold(set->priv, cap, owner, 1);
}

int
resource_set_take(struct resource_set *input,
		  const struct resource_change *changes, size_t nchanges,
		  const char *zone, struct resource_set **items)
{
	struct set_priv *in = input->priv;
	struct resource_set *out = NULL;
	struct set_priv *pr = NULL;
	size_t held_cap = 0;
	size_t k;
	int rc = -ENOMEM;

	*items = NULL;
	if ((out = resource_set_new()) == NULL)
		goto out;
	pr = out->priv;
	pr->digest = in->digest;
	pr->borrowed = 1;
	for (k = 0; k < RESOURCE_KIND_COUNT; k++) {
		struct array a = resource_set_array(input, (enum resource_kind)k);
		size_t c;
		size_t i;

		for (c = 0; c < nchanges && changes[c].kind != k; c++)
			;
		if (c == nchanges)
			continue;
		for (i = 0; i < a.n; i++) {
			const struct resource_meta *m =
				(const void *)(a.base + i * a.size);
			struct resource_meta *dst;

			for (c = 0; c < nchanges; c++)
				if (change_names(&changes[c], m))
					break;
			if (c == nchanges)
				continue;
			if (resource_meta_compute_labels(
				    (struct resource_meta *)m, zone) < 0)
				goto out;
			dst = resource_set_array_add(out, (enum resource_kind)k);
			if (dst == NULL)
				goto out;
			memcpy(dst, m, a.size);
			if (!dst->borrowed || dst->owner == NULL) {
				dst->borrowed = 1;
				dst->owner = input;
			}
			if (hold(pr, &held_cap, dst->owner, 1) < 0)
				goto out;
		}
	}
	pr->all_borrowed = 1;
	*items = out;
	out = NULL;
	rc = 0;
out:
	resource_set_free(out);
	return rc;
}

const struct resource_meta *
resource_set_find(const struct resource_set *set, enum resource_kind kind,
		  const char *mesh, const char *namespace, const char *name)
{
	struct array a = resource_set_array(set, kind);
	size_t pos;

	if (resource_set_lookup(set, kind, mesh, namespace, name, &pos, 1) ==
	    0)
		return NULL;
	return (const void *)(a.base + pos * a.size);
}

/* --- apply --- */

static int
size_cmp(const void *a, const void *b)
{
	const size_t *x = a;
	const size_t *y = b;

	return *x < *y ? -1 : *x > *y;
}

static int
ptr_cmp(const void *a, const void *b)
{
	const struct resource_set *const *x = a;
	const struct resource_set *const *y = b;

	return *x < *y ? -1 : *x > *y;
}

static int
meta_cmp(const void *a, const void *b)
{
	const struct resource_meta *const *x = a;
	const struct resource_meta *const *y = b;

	return resource_meta_cmp(*x, *y);
}

/* Same identity, a synced copy's zone included (resource.c's order). */
static int
ident_cmp(const void *a, const void *b)
{
	const struct resource_meta *const *x = a;
	const struct resource_meta *const *y = b;

	return resource_meta_identity_cmp(*x, *y);
}

/* What one kind of an apply works on. */
struct kind_work {
	const struct resource_meta **ins;	/* @items's, sorted */
	size_t nins;
	size_t *rem;				/* places in @prev, sorted */
	size_t nrem;
	size_t remcap;
};

static void
work_clear(struct kind_work *w)
{
	size_t k;

	for (k = 0; k < RESOURCE_KIND_COUNT; k++) {
		free(w[k].ins);
		free(w[k].rem);
	}
}

/* Add the places of @prev's resources of an identity to @w->rem. */
static int
add_removed(struct kind_work *w, const struct resource_set *prev,
	    enum resource_kind kind, const char *mesh, const char *namespace,
	    const char *name, size_t *found)
{
	size_t n;

	n = resource_set_lookup(prev, kind, mesh, namespace, name, NULL, 0);
	*found = n;
	if (n == 0)
		return 0;
	if (w->nrem + n > w->remcap) {
		size_t cap = 2 * (w->nrem + n) + 8;
		size_t *v = realloc(w->rem, cap * sizeof(*v));

		if (v == NULL)
			return -ENOMEM;
		w->rem = v;
		w->remcap = cap;
	}
	resource_set_lookup(prev, kind, mesh, namespace, name,
			    w->rem + w->nrem, n);
	w->nrem += n;
	return 0;
}

/* Is there a Mesh @name in @set?  "default" always is (resource.h). */
static int
mesh_exists(const struct resource_set *set, const char *name)
{
	return strcmp(name, "default") == 0 ||
	       resource_set_mesh(set, name) != NULL;
}

static int
scoped_kind(enum resource_kind k)
{
	return k == RESOURCE_DATAPLANE || k == RESOURCE_MESH_SERVICE ||
	       k == RESOURCE_MESH_EXTERNAL_SERVICE ||
	       k == RESOURCE_MESH_MULTI_ZONE_SERVICE;
}

/*
 * Would resource_set_check_meshes() leave @m out (against @prev's
 * Meshes, which an apply does not change)?  Reports as it does when @errs
 * is not NULL.
 */
static int
mesh_refused(const struct resource_set *prev, const struct resource_meta *m,
	     struct diag_list *errs)
{
	const char *mesh = m->mesh != NULL ? m->mesh : "default";
	int k8s = m->shape == RESOURCE_SHAPE_KUBERNETES;

	if (!scoped_kind(m->kind) || mesh_exists(prev, mesh))
		return 0;
	if (k8s && m->kind == RESOURCE_MESH_SERVICE) {
		if (errs != NULL)
			diag_warning(errs, m->pos.file, m->pos.line,
				     m->pos.column,
				     "MeshService \"%s\": mesh \"%s\" has no "
				     "Mesh resource: no proxy of that mesh "
				     "can use it", m->name, mesh);
		return 0;
	}
	if (errs == NULL)
		return 1;
	if (k8s)
		diag_error(errs, m->pos.file, m->pos.line, m->pos.column,
			   "%s \"%s\": meshes.kuma.io \"%s\" not found",
			   resource_kind_name(m->kind), m->name, mesh);
	else
		diag_error(errs, m->pos.file, m->pos.line, m->pos.column,
			   "%s \"%s\": mesh of name %s is not found",
			   resource_kind_name(m->kind), m->name, mesh);
	return 1;
}

/*
 * What an apply removes and inserts, per kind: 0, 1 when it cannot, or
 * -ENOMEM.
 */
static int
plan(struct kind_work *w, const struct resource_set *prev,
     const struct resource_set *items, const struct resource_change *changes,
     size_t nchanges)
{
	size_t k;
	size_t i;
	size_t found;
	int rc;

	for (i = 0; i < nchanges; i++) {
		const struct resource_change *ch = &changes[i];

		if ((unsigned)ch->kind >= RESOURCE_KIND_COUNT ||
		    ch->kind == RESOURCE_MESH)
			return 1;
		if ((rc = add_removed(&w[ch->kind], prev, ch->kind, ch->mesh,
				      ch->namespace, ch->name, &found)) < 0)
			return rc;
		if (found > 0 && ch->op == RESOURCE_ADDED)
			return 1;	/* another input has it: a duplicate */
	}
	for (k = 0; k < RESOURCE_KIND_COUNT; k++) {
		struct array a = resource_set_array(items, (enum resource_kind)k);
		struct kind_work *kw = &w[k];

		if (a.n == 0)
			continue;
		if (k == RESOURCE_MESH)
			return 1;
		if ((kw->ins = calloc(a.n, sizeof(*kw->ins))) == NULL)
			return -ENOMEM;
		for (i = 0; i < a.n; i++) {
			const struct resource_meta *m =
				(const void *)(a.base + i * a.size);

			if (k == RESOURCE_DATAPLANE && !m->has_creation_time)
				return 1;
			if ((rc = add_removed(kw, prev, (enum resource_kind)k,
					      m->mesh, m->namespace, m->name,
					      &found)) < 0)
				return rc;
			if (!mesh_refused(prev, m, NULL))
				kw->ins[kw->nins++] = m;
		}
		/* Two of one identity: finish would report a duplicate. */
		qsort(kw->ins, kw->nins, sizeof(*kw->ins), ident_cmp);
		for (i = 1; i < kw->nins; i++)
			if (resource_meta_identity_cmp(kw->ins[i - 1],
						       kw->ins[i]) == 0)
				return 1;
		qsort(kw->ins, kw->nins, sizeof(*kw->ins), meta_cmp);
	}
	for (k = 0; k < RESOURCE_KIND_COUNT; k++) {
		struct kind_work *kw = &w[k];
		size_t j;

		if (kw->nrem < 2)
			continue;
		qsort(kw->rem, kw->nrem, sizeof(*kw->rem), size_cmp);
		for (i = 1, j = 1; i < kw->nrem; i++)
			if (kw->rem[i] != kw->rem[j - 1])
				kw->rem[j++] = kw->rem[i];
		kw->nrem = j;
	}
	return 0;
}

/* The first element of @a after @m in Kuma's order. */
static size_t
upper_bound(const struct array *a, const struct resource_meta *m)
{
	size_t lo = 0;
	size_t hi = a->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (resource_meta_cmp((const void *)(a->base + mid * a->size),
				      m) <= 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/*
 * Copy @n elements of @prev (an array of @kind) and mark them borrowed
 * (all are already when @prev borrows every one).
 */
static void
copy_prev(char *dst, const char *src, size_t n, size_t size,
	  const struct resource_set *prev, int *uses_prev)
{
	const struct set_priv *ppr = prev->priv;
	size_t i;

	if (n == 0)
		return;
	memcpy(dst, src, n * size);
	if (ppr->borrowed && ppr->all_borrowed)
		return;
	for (i = 0; i < n; i++) {
		struct resource_meta *m = (void *)(dst + i * size);

		if (!m->borrowed) {
			m->borrowed = 1;
			m->owner = (struct resource_set *)prev;
			*uses_prev = 1;
		}
	}
}

/*
 * The keys of @n elements of @base (of @size bytes) into @keys: @from's,
 * @prev's keys of them, when it has them, else read from each.
 */
static void
copy_keys(struct resource_key *keys, const struct resource_key *from,
	  const char *base, size_t n, size_t size)
{
	size_t i;

	if (from != NULL) {
		memcpy(keys, from, n * sizeof(*keys));
		return;
	}
	for (i = 0; i < n; i++) {
		const struct resource_meta *m = (const void *)(base + i * size);

		keys[i].digest = m->digest;
		keys[i].mesh = m->mesh;
	}
}

/* @prev's array of @kind with @w applied, into @set; 0 or -ENOMEM. */
static int
merge_kind(struct resource_set *set, const struct resource_set *prev,
	   struct resource_set *items, enum resource_kind kind,
	   const struct kind_work *w, int *uses_prev)
{
	struct set_priv *pr = set->priv;
	const struct set_priv *ppr = prev->priv;
	struct array a = resource_set_array(prev, kind);
	const struct resource_key *pkeys = resource_set_keys(prev, kind);
	struct resource_key *keys = NULL;
	char *base = NULL;
	size_t n = a.n - w->nrem + w->nins;
	size_t pos = 0;
	size_t out = 0;
	size_t r = 0;
	size_t i;
	int rc;

	if ((rc = resource_index_copy(&pr->ix[kind], &ppr->ix[kind])) < 0)
		return rc;
	if (n == 0)
		return 0;
	/* Keys for the kind a build reads them of (resource_set_keys()). */
	if ((base = bigarray_alloc(n * a.size)) == NULL ||
	    (kind == RESOURCE_MESH_SERVICE &&
	     (keys = bigarray_alloc(n * sizeof(*keys))) == NULL)) {
		bigarray_free(base);
		return -ENOMEM;
	}
	for (i = 0; i <= w->nins; i++) {
		size_t at = i < w->nins ? upper_bound(&a, w->ins[i]) : a.n;

		/* @prev's elements before @at, but the removed ones. */
		while (pos < at) {
			size_t end = at;

			while (r < w->nrem && w->rem[r] < pos)
				r++;
			if (r < w->nrem && w->rem[r] < end)
				end = w->rem[r];
			copy_prev(base + out * a.size, a.base + pos * a.size,
				  end - pos, a.size, prev, uses_prev);
			if (keys != NULL)
				copy_keys(keys + out,
					  pkeys != NULL ? pkeys + pos : NULL,
					  base + out * a.size, end - pos,
					  a.size);
			out += end - pos;
			pos = end;
			if (r < w->nrem && w->rem[r] == pos)
				pos++;
		}
		if (i < w->nins) {
			struct resource_meta *m = (void *)(base +
							   out * a.size);

			memcpy(m, w->ins[i], a.size);
			if (!m->borrowed) {
				m->borrowed = 1;
				m->owner = items;
			}
			if (keys != NULL)
				copy_keys(keys + out, NULL, (const char *)m, 1,
					  a.size);
			out++;
			rc = resource_index_add(&pr->ix[kind],
						resource_ident_hash(m->mesh,
								    m->namespace,
								    m->name),
						m->creation_ns);
			if (rc < 0) {
				bigarray_free(base);
				bigarray_free(keys);
				return rc;
			}
		}
	}
	pr->caps[kind] = n;
	resource_set_array_put(set, kind, base, out);
	if (keys != NULL) {
		pr->keys[kind] = keys;
		pr->nkeys[kind] = out;
		pr->keys_base[kind] = base;
	}
	return 0;
}

/*
 * Hold exactly the sets @set's resources borrow from (after many
 * applies, the replaced ones' owners go); 0 or -ENOMEM.
 */
static int
compact_held(struct resource_set *set)
{
	struct set_priv *pr = set->priv;
	struct resource_set **v = NULL;
	struct held_block *b = NULL;
	size_t n = 0;
	size_t total = 0;
	size_t k;
	size_t i;

	for (k = 0; k < RESOURCE_KIND_COUNT; k++)
		total += resource_set_array(set, (enum resource_kind)k).n;
	if ((v = calloc(total + 1, sizeof(*v))) == NULL)
		return -ENOMEM;
	for (k = 0; k < RESOURCE_KIND_COUNT; k++) {
		struct array a = resource_set_array(set, (enum resource_kind)k);

		for (i = 0; i < a.n; i++) {
			const struct resource_meta *m =
				(const void *)(a.base + i * a.size);

			if (m->owner != NULL &&
			    (n == 0 || v[n - 1] != m->owner))
				v[n++] = m->owner;
		}
	}
	qsort(v, n, sizeof(*v), ptr_cmp);
	for (i = 0, k = 0; i < n; i++)
		if (k == 0 || v[k - 1] != v[i])
			v[k++] = v[i];
	n = k;
	b = resource_held_new(v, n, NULL);
	free(v);
	if (b == NULL)
		return -ENOMEM;
	for (i = 0; i < pr->nheld; i++)
		resource_set_free(pr->held[i]);
	free(pr->held);
	pr->held = NULL;
	pr->nheld = 0;
	resource_held_unref(pr->chain);
	pr->chain = b;
	pr->chained = n;
	pr->base_held = n;
	return 0;
}

int
resource_set_apply(struct resource_set **out, const struct resource_set *prev,
		   struct resource_set *items,
		   const struct resource_change *changes, size_t nchanges,
		   const char *zone, struct diag_list *errs)
{
	const struct set_priv *ppr = prev->priv;
	struct kind_work w[RESOURCE_KIND_COUNT];
	struct resource_set *set = NULL;
	struct set_priv *pr = NULL;
	size_t held_cap = 0;
	size_t total = 0;
	int uses_prev = 0;
	size_t k;
	size_t i;
	int rc = 1;

	*out = NULL;
	memset(w, 0, sizeof(w));
	if (!ppr->finished || !ppr->checked || ppr->dropped ||
	    ppr->zone == NULL || cmp_str_null(ppr->zone, zone) != 0)
		goto out;
	rc = -ENOMEM;
	if (resource_set_compute_labels(items, zone) < 0)
		goto out;
	if ((rc = plan(w, prev, items, changes, nchanges)) != 0)
		goto out;
	rc = -ENOMEM;
	if ((set = resource_set_new()) == NULL)
		goto out;
	pr = set->priv;
	pr->borrowed = 1;
	for (k = 0; k < RESOURCE_KIND_COUNT; k++) {
		if ((rc = merge_kind(set, prev, items, (enum resource_kind)k,
				     &w[k], &uses_prev)) < 0)
			goto out;
		total += resource_set_array(set, (enum resource_kind)k).n;
	}
	rc = -ENOMEM;
	/*
	 * The sets @prev borrows from: its chain, shared, and the ones it
	 * holds itself, in a block of their own in front of it (a few: the
	 * last apply's); @prev if it owns some; @items.
	 */
	if (ppr->borrowed) {
		struct held_block *chain = ppr->chain;

		if (chain != NULL)
			atomic_fetch_add(&chain->refs, 1);
		if (ppr->nheld > 0) {
			struct held_block *b = resource_held_new(
				ppr->held, ppr->nheld, chain);

			if (b == NULL) {
				resource_held_unref(chain);
				goto out;
			}
			chain = b;
		}
		pr->chain = chain;
		pr->chained = ppr->chained + ppr->nheld;
	}
	if (uses_prev && hold(pr, &held_cap, (struct resource_set *)prev, 0) < 0)
		goto out;
	if (hold(pr, &held_cap, items, 0) < 0)
		goto out;
	pr->base_held = ppr->borrowed ? ppr->base_held : 1;
	if (pr->chained + pr->nheld > pr->base_held + 64 + total / 8 &&
	    compact_held(set) < 0)
		goto out;
	if ((pr->zone = strdup(zone)) == NULL)
		goto out;
	pr->digest = ((const struct set_priv *)items->priv)->digest;
	pr->all_borrowed = 1;	/* merge_kind() marked every element */
	pr->finished = 1;
	pr->checked = 1;
	/* What a full build reports about @items (the rest had nothing). */
	for (k = 0; k < RESOURCE_KIND_COUNT; k++) {
		struct array a = resource_set_array(items,
						    (enum resource_kind)k);

		for (i = 0; i < a.n; i++)
			if (mesh_refused(prev, (const void *)(a.base +
							       i * a.size),
					 errs))
				pr->dropped = 1;
	}
	*out = set;
	set = NULL;
	rc = 0;
out:
	work_clear(w);
	resource_set_free(set);
	resource_set_free(items);
	return rc;
}
