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
