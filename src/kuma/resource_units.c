/* SPDX-License-Identifier: MIT */
/* resource_units.c -- a resource set made of replaceable units. */
#include "autoconfig.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "kuma/resource.h"
#include "kuma/resource_int.h"
#include "kuma/resource_units.h"
#include "util/bigarray.h"
#include "util/cmp.h"
#include "util/digest.h"

/* --- changes --- */

void
resource_changes_clear(struct resource_changes *c)
{
	size_t i;

	for (i = 0; i < c->n; i++) {
		free(c->v[i].mesh);
		free(c->v[i].namespace);
		free(c->v[i].name);
	}
	free(c->v);
	c->v = NULL;
	c->n = 0;
	c->cap = 0;
}

const char *
resource_change_op_name(enum resource_change_op op)
{
	switch (op) {
	case RESOURCE_ADDED:
		return "added";
	case RESOURCE_REMOVED:
		return "removed";
	case RESOURCE_CHANGED:
		return "changed";
	default:
		return "unknown";
	}
}

static int
dup_or_null(char **dst, const char *src)
{
	*dst = NULL;
	if (src != NULL && (*dst = strdup(src)) == NULL)
		return -ENOMEM;
	return 0;
}

static int
change_add(struct resource_changes *c, enum resource_change_op op,
	   const struct resource_meta *m)
{
	struct resource_change *ch = NULL;
	void *v;

	if (c == NULL)
		return 0;
	if ((v = resource_grow(c->v, &c->cap, c->n, sizeof(*c->v))) == NULL)
		return -ENOMEM;
	c->v = v;
	ch = &c->v[c->n];
	memset(ch, 0, sizeof(*ch));
	ch->op = op;
	ch->kind = m->kind;
	if (dup_or_null(&ch->mesh, m->mesh) < 0 ||
	    dup_or_null(&ch->namespace, m->namespace) < 0 ||
	    dup_or_null(&ch->name, m->name) < 0) {
		free(ch->mesh);
		free(ch->namespace);
		free(ch->name);
		return -ENOMEM;
	}
	c->n++;
	return 0;
}

/*
 * What differs between @old and @new (either may be NULL): every
 * resource is one entry; sorted by kind and identity, then side, then
 * input order, the entries of one identity are next to each other.
 */
struct diff_ent {
	const struct resource_meta *m;
	size_t idx;		/* place among its kind in its set */
	int side;		/* 0 old, 1 new */
};

static int
diff_ent_cmp(const void *a, const void *b)
{
	const struct diff_ent *x = a;
	const struct diff_ent *y = b;
	int r;

	if (x->m->kind != y->m->kind)
		return x->m->kind < y->m->kind ? -1 : 1;
	if ((r = resource_meta_identity_cmp(x->m, y->m)) != 0)
		return r;
	if (x->side != y->side)
		return x->side - y->side;
	return x->idx < y->idx ? -1 : x->idx > y->idx;
}

/* An identity present on both sides, for the order check. */
struct diff_both {
	enum resource_kind kind;
	size_t old_idx;
	size_t new_idx;
	const struct resource_meta *m;
	int reported;
};

static int
diff_both_cmp(const void *a, const void *b)
{
	const struct diff_both *x = a;
	const struct diff_both *y = b;

	if (x->kind != y->kind)
		return x->kind < y->kind ? -1 : 1;
	return x->old_idx < y->old_idx ? -1 : x->old_idx > y->old_idx;
}

static size_t
set_size(const struct resource_set *set)
{
	size_t n = 0;
	size_t k;

	for (k = 0; set != NULL && k < RESOURCE_KIND_COUNT; k++)
		n += resource_set_array(set, (enum resource_kind)k).n;
	return n;
}

static void
diff_collect(struct diff_ent *e, size_t *n, const struct resource_set *set,
	     int side)
{
	size_t k;
	size_t i;

	for (k = 0; set != NULL && k < RESOURCE_KIND_COUNT; k++) {
		struct array a = resource_set_array(set, (enum resource_kind)k);

		for (i = 0; i < a.n; i++) {
			e[*n].m = (const void *)(a.base + i * a.size);
			e[*n].idx = i;
			e[*n].side = side;
			(*n)++;
		}
	}
}

static int
diff_sets(const struct resource_set *old, const struct resource_set *new,
	  struct resource_changes *changes)
{
	struct diff_ent *e = NULL;
	struct diff_both *both = NULL;
	size_t nboth = 0;
	size_t n = 0;
	size_t i;
	size_t j;
	int rc = -ENOMEM;

	if (changes == NULL)
		return 0;
	n = set_size(old) + set_size(new);
	if (n == 0)
		return 0;
	if ((e = calloc(n, sizeof(*e))) == NULL ||
	    (both = calloc(n, sizeof(*both))) == NULL)
		goto out;
	n = 0;
	diff_collect(e, &n, old, 0);
	diff_collect(e, &n, new, 1);
	qsort(e, n, sizeof(*e), diff_ent_cmp);
	for (i = 0; i < n; i = j) {
		size_t nold = 0;
		size_t nnew = 0;
		size_t first_new = 0;
		int same = 1;

		for (j = i; j < n && e[j].m->kind == e[i].m->kind &&
		     resource_meta_identity_cmp(e[j].m, e[i].m) == 0; j++) {
			if (e[j].side == 0)
				nold++;
			else if (nnew++ == 0)
				first_new = j;
		}
		if (nnew == 0) {
			if (change_add(changes, RESOURCE_REMOVED, e[i].m) < 0)
				goto out;
			continue;
		}
		if (nold == 0) {
			if (change_add(changes, RESOURCE_ADDED, e[i].m) < 0)
				goto out;
			continue;
		}
		if (nold != nnew)
			same = 0;
		for (size_t x = 0; same && x < nold; x++)
			if (e[i + x].m->digest != e[first_new + x].m->digest)
				same = 0;
		if (!same) {
			if (change_add(changes, RESOURCE_CHANGED,
				       e[first_new].m) < 0)
				goto out;
			continue;
		}
		both[nboth].kind = e[i].m->kind;
		both[nboth].old_idx = e[i].idx;
		both[nboth].new_idx = e[first_new].idx;
		both[nboth].m = e[first_new].m;
		nboth++;
	}
	/* The unchanged ones of a kind whose order changed: all changed. */
	qsort(both, nboth, sizeof(*both), diff_both_cmp);
	for (i = 0; i < nboth; i = j) {
		int moved = 0;

		for (j = i + 1; j < nboth && both[j].kind == both[i].kind; j++)
			if (both[j].new_idx < both[j - 1].new_idx)
				moved = 1;
		for (size_t x = i; moved && x < j; x++)
			if (change_add(changes, RESOURCE_CHANGED,
				       both[x].m) < 0)
				goto out;
	}
	rc = 0;
out:
	free(e);
	free(both);
	return rc;
}

/* --- the identity map --- */

static uint64_t
map_hash(enum resource_kind kind, const char *mesh, const char *namespace,
	 const char *name)
{
	uint64_t h = resource_ident_hash(mesh, namespace, name) ^
		     ((uint64_t)kind + 1) * 0x9e3779b97f4a7c15ULL;

	return h != 0 ? h : 1;
}

static void
map_put(struct resource_units_ent *v, size_t size, uint64_t h, size_t group,
	const char *key)
{
	size_t pos = (size_t)h & (size - 1);

	while (v[pos].h != 0)
		pos = (pos + 1) & (size - 1);
	v[pos].h = h;
	v[pos].group = group;
	v[pos].key = key;
}

/* Room for @more entries; 0 or -ENOMEM. */
static int
map_room(struct resource_units *u, size_t more)
{
	struct resource_units_ent *v = NULL;
	size_t size = 16;
	size_t i;

	if (2 * (u->map_used + more) <= u->map_size)
		return 0;
	while (size < 4 * (u->map_live + more))
		size *= 2;
	if ((v = calloc(size, sizeof(*v))) == NULL)
		return -ENOMEM;
	for (i = 0; i < u->map_size; i++)
		if (u->map[i].key != NULL)
			map_put(v, size, u->map[i].h, u->map[i].group,
				u->map[i].key);
	free(u->map);
	u->map = v;
	u->map_size = size;
	u->map_used = u->map_live;
	return 0;
}

/* Add (@add) or remove the entries of @unit's resources. */
static void
map_unit(struct resource_units *u, const struct resource_unit *unit, int add)
{
	size_t k;
	size_t i;

	if (u->map_broken)
		return;
	for (k = 0; k < RESOURCE_KIND_COUNT; k++) {
		struct array a = resource_set_array(unit->set,
						    (enum resource_kind)k);

		for (i = 0; i < a.n; i++) {
			const struct resource_meta *m =
				(const void *)(a.base + i * a.size);
			uint64_t h = map_hash((enum resource_kind)k, m->mesh,
					      m->namespace, m->name);
			size_t pos;

			if (add) {
				size_t before;

				if (map_room(u, 1) < 0) {
					u->map_broken = 1;
					return;
				}
				pos = (size_t)h & (u->map_size - 1);
				while (u->map[pos].key != NULL)
					pos = (pos + 1) & (u->map_size - 1);
				before = u->map[pos].h;
				u->map[pos].h = h;
				u->map[pos].group = unit->group;
				u->map[pos].key = unit->key;
				u->map_live++;
				if (before == 0)
					u->map_used++;
				continue;
			}
			for (pos = (size_t)h & (u->map_size - 1);
			     u->map[pos].h != 0;
			     pos = (pos + 1) & (u->map_size - 1))
				if (u->map[pos].h == h &&
				    u->map[pos].key == unit->key &&
				    u->map[pos].group == unit->group) {
					u->map[pos].key = NULL;
					u->map_live--;
					break;
				}
		}
	}
}

/* --- units --- */

int
resource_units_key_cmp(const char *a, const char *b)
{
	const unsigned char *x = (const unsigned char *)a;
	const unsigned char *y = (const unsigned char *)b;

	/* '/' ends a component: it sorts before every other byte. */
	for (;; x++, y++) {
		unsigned int cx = *x == '/' ? 1 : *x;
		unsigned int cy = *y == '/' ? 1 : *y;

		if (cx != cy)
			return cx < cy ? -1 : 1;
		if (cx == 0)
			return 0;
	}
}

static int
unit_cmp(size_t group, const char *key, const struct resource_unit *u)
{
	if (group != u->group)
		return group < u->group ? -1 : 1;
	return resource_units_key_cmp(key, u->key);
}

int
resource_units_find(const struct resource_units *u, size_t group,
		    const char *key, size_t *at)
{
	size_t lo = 0;
	size_t hi = u->n;

	/* After the last: units put in order (a store's rows) append. */
	if (hi > 0 && unit_cmp(group, key, &u->v[hi - 1]) > 0) {
		*at = hi;
		return 0;
	}
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int r = unit_cmp(group, key, &u->v[mid]);

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

struct resource_units *
resource_units_new(const char *zone)
{
	struct resource_units *u = calloc(1, sizeof(*u));

	if (u == NULL)
		return NULL;
	if ((u->zone = strdup(zone != NULL ? zone : "default")) == NULL) {
		free(u);
		return NULL;
	}
	return u;
}

void
resource_units_free(struct resource_units *u)
{
	size_t i;

	if (u == NULL)
		return;
	for (i = 0; i < u->n; i++) {
		free(u->v[i].key);
		resource_set_free(u->v[i].set);
	}
	free(u->v);
	free(u->map);
	free(u->zone);
	free(u);
}

void
resource_units_keep_yaml(struct resource_units *u, int keep)
{
	u->drop_yaml = !keep;
}

uint64_t
resource_units_tag(const struct resource_units *u)
{
	return u->tag;
}

void
resource_units_set_tag(struct resource_units *u, uint64_t tag)
{
	u->tag = tag;
}

int
resource_units_reserve(struct resource_units *u, size_t n)
{
	void *v = NULL;

	if (n > SIZE_MAX / 4 / sizeof(*u->map) - u->map_live ||
	    n > SIZE_MAX / sizeof(*u->v) - u->n)
		return -ENOMEM;
	if (u->cap < u->n + n) {
		if ((v = realloc(u->v, (u->n + n) * sizeof(*u->v))) == NULL)
			return -ENOMEM;
		u->v = v;
		u->cap = u->n + n;
	}
	return u->map_broken ? 0 : map_room(u, n);
}

const char *
resource_units_zone(const struct resource_units *u)
{
	return u->zone;
}

size_t
resource_units_count(const struct resource_units *u)
{
	return u->n;
}

int
resource_units_apply(struct resource_units *u, size_t group, const char *key,
		     struct resource_set *set, int has_file,
		     uint64_t file_digest, struct resource_changes *changes)
{
	struct resource_unit *slot = NULL;
	const char *zone = NULL;
	char *k = NULL;
	size_t at;
	int found;
	int rc = -ENOMEM;

	/* Labels added for another zone would stay (input labels win). */
	zone = resource_set_labels_zone(set);
	if (zone != NULL && strcmp(zone, u->zone) != 0) {
		rc = -EINVAL;
		goto out;
	}
	if (zone == NULL && resource_set_compute_labels(set, u->zone) < 0)
		goto out;
	resource_set_trim(set);
	found = resource_units_find(u, group, key, &at);
	if ((rc = diff_sets(found ? u->v[at].set : NULL, set, changes)) < 0)
		goto out;
	rc = -ENOMEM;
	if (found) {
		slot = &u->v[at];
		map_unit(u, slot, 0);
		resource_set_free(slot->set);
	} else {
		void *v = resource_grow(u->v, &u->cap, u->n, sizeof(*u->v));

		if (v == NULL || (k = strdup(key)) == NULL)
			goto out;
		u->v = v;
		memmove(&u->v[at + 1], &u->v[at], (u->n - at) * sizeof(*u->v));
		u->n++;
		slot = &u->v[at];
		slot->group = group;
		slot->key = k;
	}
	slot->set = set;
	map_unit(u, slot, 1);
	slot->has_file = has_file;
	slot->file_digest = file_digest;
	set = NULL;
	rc = 0;
out:
	resource_set_free(set);
	return rc;
}

int
resource_units_put(struct resource_units *u, size_t group, const char *key,
		   struct resource_set *set, struct resource_changes *changes)
{
	return resource_units_apply(u, group, key, set, 0, 0, changes);
}

/* Is @key @dir or under it? */
static int
key_under(const char *key, const char *dir)
{
	size_t n = strlen(dir);

	if (strncmp(key, dir, n) != 0)
		return 0;
	return key[n] == '\0' || key[n] == '/' || (n > 0 && dir[n - 1] == '/');
}

int
resource_units_remove(struct resource_units *u, size_t group, const char *key,
		      struct resource_changes *changes)
{
	size_t at;
	size_t end;
	size_t i;

	resource_units_find(u, group, key, &at);
	/* Keys under @key sort right after it (component order). */
	for (end = at; end < u->n && u->v[end].group == group &&
	     key_under(u->v[end].key, key); end++)
		if (diff_sets(u->v[end].set, NULL, changes) < 0)
			return -ENOMEM;
	if (end == at)
		return 0;	/* none (u->v may be NULL) */
	for (i = at; i < end; i++) {
		map_unit(u, &u->v[i], 0);
		free(u->v[i].key);
		resource_set_free(u->v[i].set);
	}
	memmove(&u->v[at], &u->v[end], (u->n - end) * sizeof(*u->v));
	u->n -= end - at;
	return 0;
}

uint64_t
resource_units_digest(const struct resource_units *u)
{
	uint64_t digest = 0;
	size_t i;

	for (i = 0; i < u->n; i++)
		if (u->v[i].has_file)
			digest = digest_u64(digest, u->v[i].file_digest);
	return digest;
}

/* Append @set's resources of @kind to @view's array (room made). */
static void
view_add(struct resource_set *view, enum resource_kind kind,
	 struct resource_set *set)
{
	struct array a = resource_set_array(view, kind);
	struct array s = resource_set_array(set, kind);
	size_t j;

	if (s.n == 0)
		return;		/* s.base may be NULL */
	memcpy(a.base + a.n * a.size, s.base, s.n * s.size);
	for (j = 0; j < s.n; j++) {
		struct resource_meta *m = (void *)(a.base + (a.n + j) * a.size);

		m->borrowed = 1;
		m->owner = set;
	}
	resource_set_array_put(view, kind, a.base, a.n + s.n);
}

int
resource_units_view(const struct resource_units *u, struct resource_set **out)
{
	struct resource_set *view = NULL;
	struct set_priv *pr = NULL;
	size_t total[RESOURCE_KIND_COUNT] = { 0 };
	size_t k;
	size_t i;
	int rc = -ENOMEM;

	*out = NULL;
	if ((view = resource_set_new()) == NULL)
		goto out;
	pr = view->priv;
	pr->borrowed = 1;
	if (u->n > 0) {
		struct resource_set **v = calloc(u->n, sizeof(*v));

		if (v == NULL)
			goto out;
		for (i = 0; i < u->n; i++)
			v[i] = u->v[i].set;
		pr->chain = resource_held_new(v, u->n, NULL);
		free(v);
		if (pr->chain == NULL)
			goto out;
		pr->chained = u->n;
	}
	pr->digest = resource_units_digest(u);
	/* Each unit's set once per pass (100,000 sets for a store's rows),
	 * all kinds at a time. */
	for (i = 0; i < u->n; i++)
		for (k = 0; k < RESOURCE_KIND_COUNT; k++)
			total[k] += resource_set_array(u->v[i].set,
						       (enum resource_kind)k).n;
	for (k = 0; k < RESOURCE_KIND_COUNT; k++) {
		struct array a = resource_set_array(view, (enum resource_kind)k);
		char *base = NULL;

		if (total[k] == 0)
			continue;
		if ((base = bigarray_alloc(total[k] * a.size)) == NULL)
			goto out;
		pr->caps[k] = total[k];
		resource_set_array_put(view, (enum resource_kind)k, base, 0);
	}
	for (i = 0; i < u->n; i++)
		for (k = 0; k < RESOURCE_KIND_COUNT; k++)
			view_add(view, (enum resource_kind)k, u->v[i].set);
	pr->all_borrowed = 1;
	*out = view;
	view = NULL;
	rc = 0;
out:
	resource_set_free(view);
	return rc;
}

int
resource_units_take(const struct resource_units *u,
		    const struct resource_change *changes, size_t nchanges,
		    struct resource_set **items)
{
	struct resource_set *out = NULL;
	struct set_priv *pr = NULL;
	size_t held_cap = 0;
	size_t c;
	int rc = -ENOMEM;

	*items = NULL;
	if (u->map_broken)
		return 1;
	if ((out = resource_set_new()) == NULL)
		goto out;
	pr = out->priv;
	pr->borrowed = 1;
	for (c = 0; c < nchanges; c++) {
		const struct resource_change *ch = &changes[c];
		uint64_t h;
		size_t pos;
		size_t d;

		/* An identity named twice is taken once. */
		for (d = 0; d < c; d++)
			if (changes[d].kind == ch->kind &&
			    cmp_str_null(changes[d].name, ch->name) == 0 &&
			    cmp_str_null(changes[d].namespace,
					 ch->namespace) == 0 &&
			    cmp_str_null(changes[d].mesh, ch->mesh) == 0)
				break;
		if (d < c || u->map_size == 0 ||
		    (unsigned)ch->kind >= RESOURCE_KIND_COUNT)
			continue;
		h = map_hash(ch->kind, ch->mesh, ch->namespace, ch->name);
		for (pos = (size_t)h & (u->map_size - 1); u->map[pos].h != 0;
		     pos = (pos + 1) & (u->map_size - 1)) {
			const struct resource_units_ent *e = &u->map[pos];
			struct array a;
			size_t at;
			size_t i;
			size_t q;

			if (e->h != h || e->key == NULL)
				continue;
			/* A unit with several entries: once. */
			for (q = (size_t)h & (u->map_size - 1); q != pos;
			     q = (q + 1) & (u->map_size - 1))
				if (u->map[q].h == h &&
				    u->map[q].key == e->key &&
				    u->map[q].group == e->group)
					break;
			if (q != pos ||
			    !resource_units_find(u, e->group, e->key, &at))
				continue;
			a = resource_set_array(u->v[at].set, ch->kind);
			for (i = 0; i < a.n; i++) {
				const struct resource_meta *m =
					(const void *)(a.base + i * a.size);
				struct resource_meta *dst;

				if (cmp_str_null(m->name, ch->name) != 0 ||
				    cmp_str_null(m->namespace,
						 ch->namespace) != 0 ||
				    cmp_str_null(m->mesh, ch->mesh) != 0)
					continue;
				dst = resource_set_array_add(out, ch->kind);
				if (dst == NULL)
					goto out;
				memcpy(dst, m, a.size);
				dst->borrowed = 1;
				dst->owner = u->v[at].set;
				if (resource_set_hold(out, &held_cap,
						      u->v[at].set) < 0)
					goto out;
			}
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
