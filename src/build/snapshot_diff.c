/* SPDX-License-Identifier: MIT */
/* snapshot_diff.c -- what a reload changed: names and VIPs. */
#include "autoconfig.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "build/snapshot_diff.h"
#include "build/state.h"
#include "build/vip.h"
#include "util/text.h"

/* Is @e (an assignment) assigned the same way in @t? */
static int
assigned_in(const struct vip_table *t, const struct vip_entry *e)
{
	const struct vip_entry *o = NULL;

	if (t == NULL)
		return 0;
	o = vip_table_find_addr(t, &e->addr);
	return o != NULL && !o->held && strcmp(o->key, e->key) == 0;
}

/* The lowest few of the assignments counted, in order. */
struct pick {
	const struct vip_entry *low[TABLE_DIFF_SHOWN];
	size_t nlow;
	size_t count;
};

/* Count @e (an assignment of @a that @b has not) into @p. */
static void
pick_add(struct pick *p, const struct vip_entry *e)
{
	size_t k;

	p->count++;
	/* Keep the lowest few, in order (insertion). */
	for (k = p->nlow; k > 0 && netaddr_cmp(&e->addr,
					       &p->low[k - 1]->addr) < 0; k--)
		if (k < TABLE_DIFF_SHOWN)
			p->low[k] = p->low[k - 1];
	if (k < TABLE_DIFF_SHOWN) {
		p->low[k] = e;
		if (p->nlow < TABLE_DIFF_SHOWN)
			p->nlow++;
	}
}

/* What @p counted into @l: the lowest addresses shown, the rest counted. */
static int
pick_list(struct table_diff_list *l, const struct pick *p)
{
	char addr[NETADDR_PORT_STRLEN];
	char text[NETADDR_PORT_STRLEN + 300];
	size_t i;
	int rc;

	for (i = 0; i < p->nlow; i++) {
		snprintf(text, sizeof(text), "%s for %s",
			 netaddr_format(&p->low[i]->addr, addr, sizeof(addr)),
			 p->low[i]->key);
		if ((rc = table_diff_list_add(l, text)) < 0)
			return rc;
	}
	l->count += p->count - p->nlow;	/* the ones not shown */
	return 0;
}

/*
 * The assignments of @a that @b has not into @l, the lowest addresses
 * shown: every entry of @a looked at.
 */
static int
vip_side(struct table_diff_list *l, const struct vip_table *a,
	 const struct vip_table *b)
{
	struct pick p;
	size_t n;
	size_t i;

	if (a == NULL)
		return 0;
	memset(&p, 0, sizeof(p));
	n = vip_table_nentries(a);
	for (i = 0; i < n; i++) {
		const struct vip_entry *e = vip_table_entry(a, i);

		if (!e->held && !assigned_in(b, e))
			pick_add(&p, e);
	}
	return pick_list(l, &p);
}

static int
key_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * vip_side() when only the assignments of @keys (sorted, no repeats)
 * can differ: a key has at most one assignment (vip.h), so those of the
 * other keys are the same in both.
 */
static int
vip_side_keys(struct table_diff_list *l, const struct vip_table *a,
	      const struct vip_table *b, char *const *keys, size_t nkeys)
{
	struct pick p;
	size_t i;

	if (a == NULL)
		return 0;
	memset(&p, 0, sizeof(p));
	for (i = 0; i < nkeys; i++) {
		const struct vip_entry *e = vip_table_find_key(a, keys[i]);

		if (e != NULL && !e->held && !assigned_in(b, e))
			pick_add(&p, e);
	}
	return pick_list(l, &p);
}

/* The VIP table of @s, or NULL; read only. */
static const struct vip_table *
vips_of(const struct snapshot *s)
{
	if (s == NULL || s->state == NULL)
		return NULL;
	/* state_vips() hands out the allocator's table; we only read it. */
	return state_vips((struct state *)s->state);
}

int
snapshot_diff_compute(struct snapshot_diff *d, const struct snapshot *old,
		      const struct snapshot *new)
{
	const struct vip_table *ov = vips_of(old);
	const struct vip_table *nv = vips_of(new);
	char **keys = NULL;
	size_t nkeys = 0;
	size_t i;
	int rc;

	memset(d, 0, sizeof(*d));
	/* A patched build's change list spares walking both tables. */
	if ((rc = table_diff_names_changes(&d->names, old != NULL ?
					   old->table : NULL, new->table,
					   new->changes)) < 0)
		goto out;
	/* So do the keys an apply's VIP round touched, when from @old's. */
	if (new->vip_keys != NULL && old != NULL && old->state != NULL &&
	    old->state == new->vips_from) {
		rc = -ENOMEM;
		if ((keys = calloc(new->nvip_keys + 1, sizeof(*keys))) == NULL)
			goto out;
		for (i = 0; i < new->nvip_keys; i++)
			keys[i] = new->vip_keys[i];
		qsort(keys, new->nvip_keys, sizeof(*keys), key_cmp);
		for (i = 0; i < new->nvip_keys; i++)
			if (nkeys == 0 || strcmp(keys[nkeys - 1], keys[i]) != 0)
				keys[nkeys++] = keys[i];
		if ((rc = vip_side_keys(&d->vips.added, nv, ov, keys,
					nkeys)) < 0 ||
		    (rc = vip_side_keys(&d->vips.removed, ov, nv, keys,
					nkeys)) < 0)
			goto out;
	} else if ((rc = vip_side(&d->vips.added, nv, ov)) < 0 ||
		   (rc = vip_side(&d->vips.removed, ov, nv)) < 0) {
		goto out;
	}
	rc = 0;
out:
	free(keys);
	if (rc < 0)
		snapshot_diff_clear(d);
	return rc;
}

/* "+5 names (a, b, c, ...)" */
static void
list_format(char *buf, size_t size, size_t *len, char sign,
	    const struct table_diff_list *l, const char *one,
	    const char *many)
{
	size_t i;

	text_appendf(buf, size, len, "%c%zu %s", sign, l->count,
	       l->count == 1 ? one : many);
	if (l->nshown == 0)
		return;
	text_appendf(buf, size, len, " (");
	for (i = 0; i < l->nshown; i++)
		text_appendf(buf, size, len, "%s%s", i > 0 ? ", " : "",
		       l->shown[i]);
	text_appendf(buf, size, len, "%s)", l->count > l->nshown ? ", ..." : "");
}

void
snapshot_diff_format(const struct snapshot_diff *d, char *buf, size_t size)
{
	size_t len = 0;

	if (size == 0)
		return;
	buf[0] = '\0';
	if (d->names.added.count == 0 && d->names.removed.count == 0 &&
	    d->vips.added.count == 0 && d->vips.removed.count == 0) {
		text_appendf(buf, size, &len, "no name or VIP added or removed");
		return;
	}
	list_format(buf, size, &len, '+', &d->names.added, "name", "names");
	text_appendf(buf, size, &len, ", ");
	list_format(buf, size, &len, '-', &d->names.removed, "name", "names");
	text_appendf(buf, size, &len, "; ");
	list_format(buf, size, &len, '+', &d->vips.added, "VIP", "VIPs");
	text_appendf(buf, size, &len, ", ");
	list_format(buf, size, &len, '-', &d->vips.removed, "VIP", "VIPs");
}

void
snapshot_diff_clear(struct snapshot_diff *d)
{
	table_diff_clear(&d->names);
	table_diff_clear(&d->vips);
}
