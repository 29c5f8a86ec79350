/* SPDX-License-Identifier: MIT */
/*
 * fromstore.c -- what a build takes from Kuma's store.
 */
#include "autoconfig.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "build/fromstore.h"
#include "kuma/store.h"
#include "kuma/store_ahead.h"
#include "util/netaddr.h"
#include "util/thread.h"

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

/* "MeshService/default/redis": a row's unit key.  0, or -1 too long. */
static int
unit_key(const struct store_key *k, char *buf, size_t size)
{
	int n = snprintf(buf, size, "%s/%s/%s", k->type, k->mesh, k->name);

	return n < 0 || (size_t)n >= size ? -1 : 0;
}

/*
 * The unit of row @k as the rows hold it now (none when it is gone);
 * @set: the row already read (taken), or NULL to read it here.
 */
static int
sync_row(struct loading *l, const struct store_rows *rows,
	 const struct store_key *k, struct resource_set *set,
	 struct diag_list *errs)
{
	struct fromstore_input *in = l->in;
	const struct store_row *row = NULL;
	char key[1024];
	char what[600];
	int rc;

	if (strcmp(k->type, "Config") == 0) {
		in->legacy_changed = 1;
		resource_set_free(set);
		return 0;
	}
	if (unit_key(k, key, sizeof(key)) < 0) {
		store_row_format(k, what, sizeof(what));
		diag_error(errs, NULL, 0, 0, "%s: the name is too long", what);
		resource_set_free(set);
		return 0;
	}
	if (set == NULL) {
		if ((row = store_rows_find(rows, k)) == NULL)
			return resource_units_remove(in->units,
						     FROMSTORE_GROUP, key,
						     in->changes);
		if ((rc = store_row_read(row, l->opt->keep_specs,
					 resource_units_zone(in->units), &set,
					 errs)) < 0)
			return rc;
	}
	return resource_units_put(in->units, FROMSTORE_GROUP, key, set,
				  in->changes);
}

static int
sync_key(void *arg, const struct store_key *k)
{
	struct loading *l = arg;

	return sync_row(l, l->rows, k, NULL, l->errs);
}

/*
 * A read of every row parses the rows on several threads (md-load, as
 * files are read: resource_load.c), PARSE_CHUNK rows at a time; the
 * units are then put in row order on this thread, with each row's
 * messages in that order, so the result and the messages do not depend
 * on the number of threads.
 */
#define PARSE_CHUNK 256
#define PARSE_THREADS_MAX 8

struct parsed {
	struct resource_set *set;	/* NULL: nothing to put (see below) */
	struct diag_list diags;
	int rc;
};

struct parse_jobs {
	const struct store_rows *rows;
	struct parsed *v;
	size_t n;
	int keep_specs;
	const char *zone;
	_Atomic size_t next;
};

/* Is @k a row whose unit sync_row() puts?  Config rows and names too
 * long are its business. */
static int
unit_row(const struct store_key *k)
{
	char key[1024];

	return strcmp(k->type, "Config") != 0 &&
	       unit_key(k, key, sizeof(key)) == 0;
}

static void *
parse_run(void *arg)
{
	struct parse_jobs *jobs = arg;
	size_t first;
	size_t i;

	while ((first = atomic_fetch_add(&jobs->next, PARSE_CHUNK)) <
	       jobs->n) {
		size_t end = first + PARSE_CHUNK < jobs->n ?
			     first + PARSE_CHUNK : jobs->n;

		for (i = first; i < end; i++) {
			const struct store_row *r =
				store_rows_at(jobs->rows, i);
			struct store_key k = { r->type, r->mesh, r->name };
			struct parsed *p = &jobs->v[i];
			struct store_row_read *rd = NULL;

			if (!unit_row(&k))
				continue;
			/* Read ahead as it came (store_ahead.h), or now. */
			rd = store_rows_take_ahead(jobs->rows, i,
						   jobs->keep_specs,
						   jobs->zone);
			if (rd != NULL) {
				p->rc = rd->rc;
				p->set = rd->set;
				rd->set = NULL;
				diag_list_move(&p->diags, &rd->diags);
				store_row_read_free(rd);
			} else {
				p->rc = store_row_read(r, jobs->keep_specs,
						       jobs->zone, &p->set,
						       &p->diags);
			}
		}
	}
	return NULL;
}

/* Parse every row into @jobs->v, on up to PARSE_THREADS_MAX threads. */
static void
parse_rows(struct parse_jobs *jobs)
{
	pthread_t th[PARSE_THREADS_MAX - 1];
	size_t want = thread_cpus();
	size_t chunks = (jobs->n + PARSE_CHUNK - 1) / PARSE_CHUNK;
	size_t nth = 0;
	size_t i;

	if (want > PARSE_THREADS_MAX)
		want = PARSE_THREADS_MAX;
	if (want > chunks)
		want = chunks;
	atomic_init(&jobs->next, 0);
	/* When a thread cannot start, the others (and this one) do more. */
	while (nth + 1 < want &&
	       thread_start_named(&th[nth], "md-load", parse_run, jobs) == 0)
		nth++;
	parse_run(jobs);
	for (i = 0; i < nth; i++)
		pthread_join(th[i], NULL);
}

/* Every row: the store's units made again. */
static int
sync_all(struct loading *l, const struct store_rows *rows,
	 struct diag_list *errs)
{
	struct parse_jobs jobs = { NULL, NULL, 0, 0, NULL, 0 };
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
	jobs.rows = rows;
	jobs.n = store_rows_count(rows);
	jobs.keep_specs = l->opt->keep_specs;
	jobs.zone = resource_units_zone(l->in->units);
	if (jobs.n > 0 && ((jobs.v = calloc(jobs.n, sizeof(*jobs.v))) == NULL ||
			   resource_units_reserve(l->in->units, jobs.n) < 0)) {
		free(jobs.v);
		return -ENOMEM;
	}
	for (i = 0; i < jobs.n; i++)
		diag_list_init(&jobs.v[i].diags);
	parse_rows(&jobs);
	rc = 0;
	for (i = 0; (r = store_rows_at(rows, i)) != NULL; i++) {
		struct store_key k = { r->type, r->mesh, r->name };
		struct parsed *p = &jobs.v[i];

		diag_list_move(errs, &p->diags);
		if (rc == 0 && p->rc < 0)
			rc = p->rc;
		if (rc == 0 && p->rc == 0 &&
		    (!unit_row(&k) || p->set != NULL))
			rc = sync_row(l, rows, &k, p->set, errs);
		else
			resource_set_free(p->set);
		p->set = NULL;
		diag_list_clear(&p->diags);
	}
	free(jobs.v);
	return rc;
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
	    (rc = store_ahead_read_all(ops, src, rows, l->opt->keep_specs,
				       resource_units_zone(l->in->units), err,
				       sizeof(err))) < 0) {
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
