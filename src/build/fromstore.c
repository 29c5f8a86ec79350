/* SPDX-License-Identifier: MIT */
/*
 * fromstore.c -- what a build takes from Kuma's store.
 */
#include "autoconfig.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "build/fromstore.h"
#include "kuma/store.h"
#include "util/netaddr.h"

struct loading {
	struct resource_set *set;
	struct diag_list *diags;
	uint64_t digest;
	struct store_legacy_vips *legacy;
};

static int
keep_row(void *arg, struct store_row *row)
{
	return store_rows_put(arg, row) < 0 ? -ENOMEM : 0;
}

static int
load_rows(void *arg, const struct store_rows *rows)
{
	struct loading *l = arg;
	int rc;

	l->digest = store_rows_digest(rows);
	if ((rc = store_rows_legacy_vips(rows, l->legacy, l->diags)) < 0)
		return rc;
	return store_rows_load(rows, l->set, l->diags);
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
fromstore_load(struct resource_set *set, const struct config *cfg,
	       const struct build_options *opt, struct diag_list *diags,
	       uint64_t *digest, struct store_legacy_vips *legacy)
{
	struct loading l = { set, diags, 0, legacy };
	int rc;

	*digest = 0;
	if (cfg->store == NULL)
		return 0;
	if (opt->with_store_rows != NULL)
		rc = opt->with_store_rows(opt->store_arg, load_rows, &l);
	else
		rc = read_once(&l, cfg->store);
	*digest = l.digest;
	return rc;
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
