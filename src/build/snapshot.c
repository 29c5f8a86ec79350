/* SPDX-License-Identifier: MIT */
/* snapshot.c -- what one build made. */
#include "autoconfig.h"

#include <errno.h>
#include <stdlib.h>

#include "build/snapshot.h"
#include "util/bigarray.h"

int
snapshot_from_cache(struct snapshot **out, struct config *cfg,
		    struct state *state, struct table *table,
		    size_t service_count, size_t nviews)
{
	struct snapshot *s = calloc(1, sizeof(*s));

	*out = NULL;
	if (s == NULL) {
		config_free(cfg);
		state_free(state);
		table_free(table);
		return -ENOMEM;
	}
	s->cfg = cfg;
	s->state = state;
	s->table = table;
	s->service_count = service_count;
	s->nviews = nviews;
	s->from_cache = 1;
	*out = s;
	return 0;
}

void
snapshot_drop_blocks(struct snapshot *s)
{
	size_t i;

	for (i = 0; i < s->nblocks; i++)
		hostname_block_unref(s->blocks[i].block);
	free(s->blocks);
	s->blocks = NULL;
	s->nblocks = 0;
}

void
snapshot_trim(struct snapshot *s)
{
	size_t i;

	/* The services borrow their names: the blocks hold them. */
	for (i = 0; s->vip_errors > 0 && s->services != NULL &&
		    i < s->nservices; i++)
		free(s->services[i].vip_error);
	s->vip_errors = 0;
	snapshot_drop_blocks(s);
	bigarray_free(s->services);
	s->services = NULL;
	bigarray_free(s->service_keys);
	s->service_keys = NULL;
	s->nservices = 0;
	free(s->legacy);
	s->legacy = NULL;
	build_names_free(s->names);
	s->names = NULL;
	free(s->meshes);
	s->meshes = NULL;
	s->nmeshes = 0;
	s->nlegacy = 0;
	generate_result_clear(&s->gen);
	resource_set_free(s->set);
	s->set = NULL;
	resource_units_free(s->units);
	s->units = NULL;
}

void
snapshot_free(struct snapshot *s)
{
	size_t i;

	if (s == NULL)
		return;
	snapshot_trim(s);
	table_changes_free(s->changes);
	for (i = 0; i < s->nvip_keys; i++)
		free(s->vip_keys[i]);
	free(s->vip_keys);
	table_free(s->table);
	state_free(s->state);
	config_free(s->cfg);
	free(s);
}
