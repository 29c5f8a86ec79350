/* SPDX-License-Identifier: MIT */
/* table_diff.c -- which names one answer table has that another has not. */
#include "autoconfig.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <ldns/ldns.h>

#include "dns/table_diff.h"
#include "dns/table_int.h"
#include "dns/table_patch.h"

static bool
has_address(const struct table_node *node)
{
	return table_node_rrset(node, LDNS_RR_TYPE_A) != NULL ||
	       table_node_rrset(node, LDNS_RR_TYPE_AAAA) != NULL;
}

/* Does @t have the name of @node in its scope, owning data? */
static bool
owns(const struct table *t, const struct table_node *node)
{
	size_t j;

	if (t == NULL)
		return false;
	/* Every node of a name is on its probe sequence. */
	for (j = node->hash & t->slots_mask; t->slots[j] != NONE;
	     j = (j + 1) & t->slots_mask) {
		const struct table_node *n = node_at(t, t->slots[j]);

		if (n->hash == node->hash && n->len == node->len &&
		    n->scope == node->scope &&
		    memcmp(node_name(n), node_name(node), node->len) == 0)
			return n->nrrsets > 0;
	}
	return false;
}

/* Show @text in @l while there is room: 0 or -ENOMEM. */
static int
shown_add(struct table_diff_list *l, const char *text)
{
	char *copy = NULL;

	if (l->nshown == TABLE_DIFF_SHOWN)
		return 0;
	if ((copy = strdup(text)) == NULL)
		return -ENOMEM;
	l->shown[l->nshown++] = copy;
	return 0;
}

int
table_diff_list_add(struct table_diff_list *l, const char *text)
{
	l->count++;
	return shown_add(l, text);
}

/* Show the name of @node in @l; 0 or -ENOMEM. */
static int
show(struct table_diff_list *l, const struct table_node *node)
{
	ldns_rdf *rdf = NULL;
	char *text = NULL;
	size_t n;
	int rc = -ENOMEM;

	rdf = ldns_dname_new_frm_data(node->len, node_name(node));
	if (rdf == NULL || (text = ldns_rdf2str(rdf)) == NULL)
		goto out;
	n = strlen(text);
	if (n > 1 && text[n - 1] == '.')
		text[n - 1] = '\0';
	rc = shown_add(l, text);
out:
	free(text);
	ldns_rdf_deep_free(rdf);
	return rc;
}

/*
 * The names of @a missing from @b into @l: counted, and the first few
 * shown, those with addresses first.
 */
static int
one_side(struct table_diff_list *l, const struct table *a,
	 const struct table *b)
{
	const struct table_node *node = NULL;
	size_t cursor;
	int pass;
	int rc;

	if (a == NULL)
		return 0;
	for (pass = 0; pass < 2; pass++) {
		cursor = 0;
		while ((node = table_node_next(a, &cursor)) != NULL) {
			if (node->nrrsets == 0 || has_address(node) != !pass ||
			    owns(b, node))
				continue;
			l->count++;
			if (l->nshown < TABLE_DIFF_SHOWN &&
			    (rc = show(l, node)) < 0)
				return rc;
		}
	}
	return 0;
}

int
table_diff_names(struct table_diff *d, const struct table *old,
		 const struct table *new)
{
	int rc;

	memset(d, 0, sizeof(*d));
	/* Patched tables too: table_node_next() visits every segment. */
	if ((rc = one_side(&d->added, new, old)) < 0 ||
	    (rc = one_side(&d->removed, old, new)) < 0)
		table_diff_clear(d);
	return rc;
}

static int
cmp_dname(const void *a, const void *b)
{
	return ldns_dname_compare(*(const ldns_rdf *const *)a,
				  *(const ldns_rdf *const *)b);
}

/* The node of the canonical form of @rdf in @t owning data, or NULL. */
static const struct table_node *
owner_node(const struct table *t, const ldns_rdf *rdf)
{
	const struct table_node *node = NULL;
	uint8_t lname[NAME_MAX_WIRE];
	size_t len = ldns_rdf_size(rdf);
	size_t i;

	if (len > sizeof(lname))
		return NULL;
	memcpy(lname, ldns_rdf_data(rdf), len);
	/* Label lengths are below 'A': lower the whole name. */
	for (i = 0; i < len; i++)
		if (lname[i] >= 'A' && lname[i] <= 'Z')
			lname[i] = (uint8_t)(lname[i] - 'A' + 'a');
	node = table_lookup(t, NULL, lname, len);
	return node != NULL && node->nrrsets > 0 ? node : NULL;
}

int
table_diff_names_changes(struct table_diff *d, const struct table *old,
			 const struct table *new,
			 const struct table_changes *changes)
{
	const struct ldns_struct_rr_list *rem = NULL;
	const struct ldns_struct_rr_list *add = NULL;
	const ldns_rdf **v = NULL;
	size_t n = 0;
	size_t total = 0;
	size_t i;
	size_t k;
	uint32_t s0, s1;
	int zone;
	int pass;
	int rc = -ENOMEM;

	if (changes == NULL || old == NULL || new == NULL || old->scoped ||
	    new->scoped || !table_changes_match(changes, old, new))
		return table_diff_names(d, old, new);
	memset(d, 0, sizeof(*d));
	/* Every owner of an RR removed or added, once. */
	for (i = 0; i < table_changes_count(changes); i++)
		if (table_changes_zone(changes, i, &zone, &s0, &s1, &rem,
				       &add) == 0)
			total += ldns_rr_list_rr_count(rem) +
				 ldns_rr_list_rr_count(add);
	if ((v = malloc((total + 1) * sizeof(*v))) == NULL)
		goto out;
	for (i = 0; i < table_changes_count(changes); i++) {
		if (table_changes_zone(changes, i, &zone, &s0, &s1, &rem,
				       &add) < 0)
			continue;
		for (k = 0; k < ldns_rr_list_rr_count(rem); k++)
			v[n++] = ldns_rr_owner(ldns_rr_list_rr(rem, k));
		for (k = 0; k < ldns_rr_list_rr_count(add); k++)
			v[n++] = ldns_rr_owner(ldns_rr_list_rr(add, k));
	}
	qsort(v, n, sizeof(*v), cmp_dname);
	for (i = 0, k = 0; i < n; i++)
		if (k == 0 || ldns_dname_compare(v[k - 1], v[i]) != 0)
			v[k++] = v[i];
	n = k;
	/* A name owns data in one table and not in the other. */
	for (pass = 0; pass < 2; pass++) {
		for (i = 0; i < n; i++) {
			const struct table_node *on = owner_node(old, v[i]);
			const struct table_node *nn = owner_node(new, v[i]);
			struct table_diff_list *l = nn != NULL ? &d->added :
						    &d->removed;
			const struct table_node *node = nn != NULL ? nn : on;

			if ((on == NULL) == (nn == NULL) ||
			    has_address(node) != !pass)
				continue;
			l->count++;
			if (l->nshown < TABLE_DIFF_SHOWN &&
			    (rc = show(l, node)) < 0)
				goto out;
		}
	}
	rc = 0;
out:
	free(v);
	if (rc < 0)
		table_diff_clear(d);
	return rc;
}

static void
list_clear(struct table_diff_list *l)
{
	size_t i;

	for (i = 0; i < l->nshown; i++)
		free(l->shown[i]);
	memset(l, 0, sizeof(*l));
}

void
table_diff_clear(struct table_diff *d)
{
	list_clear(&d->added);
	list_clear(&d->removed);
}
