/* SPDX-License-Identifier: MIT */
/* table_walk.c -- every name of a zone as a client without a view sees it. */
#include "autoconfig.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <ldns/ldns.h>

#include "dns/table_int.h"
#include "dns/table_walk.h"

const struct table_zone *
table_walk_zone(const struct table *t, const uint8_t *apex, size_t len)
{
	size_t i;

	for (i = 0; i < t->nzones; i++)
		if (t->zones[i].apex_len == len &&
		    memcmp(t->zones[i].apex, apex, len) == 0)
			return &t->zones[i];
	return NULL;
}

const uint8_t *
table_walk_apex(const struct table_zone *z, size_t *len)
{
	*len = z->apex_len;
	return z->apex;
}

const struct table_zone *
table_walk_zone_at(const struct table *t, size_t i)
{
	return i < t->nzones ? &t->zones[i] : NULL;
}

const struct table_node *
table_walk_next(const struct table *t, const struct table_zone *z,
		size_t *cursor)
{
	const struct table_node *node = NULL;

	/* Every live node of every segment (a patched table has several). */
	while ((node = table_node_next(t, cursor)) != NULL) {
		const struct table_node *seen = NULL;
		bool hidden = false;

		if (node->zone != z->index || node->nrrsets == 0 ||
		    !table_node_visible(t, node, NULL))
			continue;
		/* With scopes a name may have a node in the default scope
		 * and a shared one: the one a lookup gives. */
		if (t->scoped) {
			seen = table_lookup_client(t, z, node_name(node),
						   node->len, NULL, &hidden);
			if (seen != node)
				continue;
		}
		return node;
	}
	return NULL;
}

bool
table_walk_sees_all(const struct table *t)
{
	return !t->scoped && (!t->filtered || t->default_all);
}

const uint8_t *
table_walk_name(const struct table_node *node, size_t *len)
{
	*len = node->len;
	return node_name(node);
}

const struct table_rrset *
table_walk_rrset(const struct table_node *node, size_t i)
{
	return i < node->nrrsets ? &node->rrsets[i] : NULL;
}

int
table_walk_rrs(const struct table_node *node, uint16_t skip,
	       ldns_rr_list *out)
{
	uint8_t *buf = NULL;
	size_t i;
	int rc = -ENOMEM;

	/* A message with the name as its question: the wire's pointers
	 * point into it. */
	if ((buf = malloc(LDNS_HEADER_SIZE + NAME_MAX_WIRE + 4 +
			  UINT16_MAX)) == NULL)
		return -ENOMEM;
	memset(buf, 0, LDNS_HEADER_SIZE);
	memcpy(buf + LDNS_HEADER_SIZE, node_name(node), node->len);
	memset(buf + LDNS_HEADER_SIZE + node->len, 0, 4);
	for (i = 0; i < node->nrrsets; i++) {
		const struct table_rrset *set = &node->rrsets[i];
		size_t pos = LDNS_HEADER_SIZE + node->len + 4;
		size_t end = pos + set->len;
		size_t k;

		if (set->type == skip)
			continue;
		memcpy(buf + pos, set->wire, set->len);
		for (k = 0; k < set->count; k++) {
			ldns_rr *rr = NULL;

			if (ldns_wire2rr(&rr, buf, end, &pos,
					 LDNS_SECTION_ANSWER) !=
			    LDNS_STATUS_OK) {
				rc = -EINVAL;
				goto out;
			}
			if (!ldns_rr_list_push_rr(out, rr)) {
				ldns_rr_free(rr);
				goto out;
			}
		}
	}
	rc = 0;
out:
	free(buf);
	return rc;
}
