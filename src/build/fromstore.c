/* SPDX-License-Identifier: MIT */
/*
 * fromstore.c -- what a build takes from Kuma's store.
 */
#include "autoconfig.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "build/fromstore.h"
#include "kuma/store.h"
#include "util/netaddr.h"

struct loading {
	struct fromstore_input *in;
	const struct store_rows *rows;
	const struct build_options *opt;
	struct diag_list *diags;
	struct diag_list *errs;		/* of rows read again */
};

/* The store kinds that become units (Config rows do not). */
static const char *const unit_types[] = {
	"Dataplane", "HostnameGenerator", "Mesh", "MeshExternalService",
	"MeshMultiZoneService", "MeshService",
};

static int
keep_row(void *arg, struct store_row *row)
{
	return store_rows_put(arg, row) < 0 ? -ENOMEM : 0;
}

/* "MeshService/default/redis": a row's unit key.  0, or -1 too long. */
static int
unit_key(const struct store_key *k, char *buf, size_t size)
{
	int n = snprintf(buf, size, "%s/%s/%s", k->type, k->mesh, k->name);

	return n < 0 || (size_t)n >= size ? -1 : 0;
}

/* The unit of row @k as the rows hold it now (none when it is gone). */
static int
sync_row(struct loading *l, const struct store_rows *rows,
	 const struct store_key *k, struct diag_list *errs)
{
	struct fromstore_input *in = l->in;
	const struct store_row *row = NULL;
	struct resource_set *set = NULL;
	char key[1024];
	char what[600];
	int rc;

	if (strcmp(k->type, "Config") == 0) {
		in->legacy_changed = 1;
		return 0;
	}
	if (unit_key(k, key, sizeof(key)) < 0) {
		store_row_format(k, what, sizeof(what));
		diag_error(errs, NULL, 0, 0, "%s: the name is too long", what);
		return 0;
	}
	if ((row = store_rows_find(rows, k)) == NULL)
		return resource_units_remove(in->units, FROMSTORE_GROUP, key,
					     in->changes);
	if ((set = resource_set_new()) == NULL)
		return -ENOMEM;
	resource_set_keep_yaml(set, l->opt->keep_specs);
	if ((rc = store_row_load(row, set, errs)) < 0) {
		resource_set_free(set);
		return rc;
	}
	return resource_units_put(in->units, FROMSTORE_GROUP, key, set,
				  in->changes);
}

static int
sync_key(void *arg, const struct store_key *k)
{
	struct loading *l = arg;

	return sync_row(l, l->rows, k, l->errs);
}

/* Every row: the store's units made again. */
static int
sync_all(struct loading *l, const struct store_rows *rows,
	 struct diag_list *errs)
{
	const struct store_row *r = NULL;
	size_t i;
	int rc;

	l->in->everything = !l->in->fresh;
	l->in->legacy_changed = 1;
	for (i = 0; !l->in->fresh &&
	     i < sizeof(unit_types) / sizeof(unit_types[0]); i++)
		if ((rc = resource_units_remove(l->in->units, FROMSTORE_GROUP,
						unit_types[i],
						l->in->changes)) < 0)
			return rc;
	for (i = 0; (r = store_rows_at(rows, i)) != NULL; i++) {
		struct store_key k = { r->type, r->mesh, r->name };

		if ((rc = sync_row(l, rows, &k, errs)) < 0)
			return rc;
	}
	return 0;
}

static int
load_rows(void *arg, const struct store_rows *rows)
{
	struct loading *l = arg;
	struct fromstore_input *in = l->in;
	int rc;

	l->rows = rows;
	in->digest = store_rows_digest(rows);
	if ((rc = store_rows_legacy_vips(rows, &in->legacy, l->diags)) < 0)
		return rc;
	if (in->fresh || l->opt->with_store_rows == NULL)
		rc = sync_all(l, rows, in->fresh ? l->diags : l->errs);
	else if ((rc = store_rows_changed_since(rows, in->seq, sync_key,
						l)) == 1)
		rc = sync_all(l, rows, l->errs);
	in->seq = store_rows_seq(rows);
	return rc;
}

/* Read the store once: -t, --status. */
static int
read_once(struct loading *l, const char *where)
{
	const struct store_ops *ops = &store_pg_ops;
	struct store_rows *rows = NULL;
	void *src = NULL;
	char err[1024];
	int rc = -ENOMEM;

	if ((rows = store_rows_new()) == NULL)
		goto out;
	if ((rc = ops->open(&src, where, err, sizeof(err))) < 0 ||
	    (rc = ops->read_all(src, keep_row, rows, err, sizeof(err))) < 0) {
		if (rc != -ENOMEM)
			diag_error(l->diags, NULL, 0, 0, "store: %s", err);
		rc = rc == -ENOMEM ? rc : 0;
		goto out;
	}
	rc = load_rows(l, rows);
out:
	if (src != NULL)
		ops->close(src);
	store_rows_free(rows);
	return rc;
}

int
fromstore_load(struct fromstore_input *in, const struct config *cfg,
	       const struct build_options *opt, struct diag_list *diags)
{
	struct loading l = { in, NULL, opt, diags,
			     in->kept != NULL ? in->kept : diags };

	in->digest = 0;
	in->legacy_changed = 0;
	in->everything = 0;
	if (cfg->store == NULL)
		return 0;
	if (opt->with_store_rows != NULL)
		return opt->with_store_rows(opt->store_arg, load_rows, &l);
	return read_once(&l, cfg->store);
}

int
fromstore_legacy(const struct config *cfg,
		 const struct store_legacy_vips *legacy,
		 struct build_legacy *l)
{
	const char *vip = NULL;

	if (cfg->store == NULL || cfg->vip_allocate)
		return 0;
	vip = store_legacy_vip(legacy, l->mesh, l->service);
	if (vip != NULL && netaddr_parse(&l->vips.vip, vip) < 0)
		memset(&l->vips.vip, 0, sizeof(l->vips.vip));
	return 1;
}

int
fromstore_waits(const struct config *cfg, struct build_service *bs)
{
	static const char msg[] = "waiting for Kuma's VIP allocator: no VIP "
		"in its status yet";

	if (cfg->store == NULL || cfg->vip_allocate)
		return 0;
	if (bs->res != NULL && bs->res->nvips > 0)
		return 0;
	if (bs->mes != NULL && bs->mes->vip != NULL)
		return 0;
	if (bs->mzs != NULL && bs->mzs->nvips > 0)
		return 0;
	/* Derived services (from Dataplanes) have no status to wait for. */
	if (bs->res != NULL && bs->res->origin != RESOURCE_WRITTEN)
		return 0;
	if (bs->vip_error == NULL && (bs->vip_error = strdup(msg)) == NULL)
		return -ENOMEM;
	return 1;
}
