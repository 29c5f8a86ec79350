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

static int
keep_row(void *arg, struct store_row *row)
{
	return store_rows_put(arg, row) < 0 ? -ENOMEM : 0;
}

/* Read the store once: -t, --status. */
static int
read_once(struct resource_set *set, const char *where,
	  struct diag_list *diags, uint64_t *digest)
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
			diag_error(diags, NULL, 0, 0, "store: %s", err);
		rc = rc == -ENOMEM ? rc : 0;
		goto out;
	}
	*digest = store_rows_digest(rows);
	rc = store_rows_load(rows, set, diags);
out:
	if (src != NULL)
		ops->close(src);
	store_rows_free(rows);
	return rc;
}

int
fromstore_load(struct resource_set *set, const struct config *cfg,
	       const struct build_options *opt, struct diag_list *diags,
	       uint64_t *digest)
{
	*digest = 0;
	if (cfg->store == NULL)
		return 0;
	if (opt->load_store != NULL)
		return opt->load_store(opt->load_store_arg, set, diags, digest);
	return read_once(set, cfg->store, diags, digest);
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
