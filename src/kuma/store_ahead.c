/* SPDX-License-Identifier: MIT */
/*
 * store_ahead.c -- a full read of a store, its rows read into resources
 * on other threads as they come.
 */
#include "autoconfig.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "kuma/store_ahead.h"
#include "util/thread.h"

#define AHEAD_THREADS_MAX 8
/* Rows a reading thread takes at a time, and wakes up for. */
#define AHEAD_BATCH 64

struct ahead {
	pthread_mutex_t lock;		/* guards all but the options */
	pthread_cond_t more;
	struct store_row_list list;	/* every row so far, as they came */
	size_t next;			/* the first not taken by a thread */
	int done;			/* the read is over */
	int cancel;			/* ... and failed: read no more */
	int waiting;			/* threads waiting for rows */
	int keep_specs;
	const char *zone;
	pthread_t th[AHEAD_THREADS_MAX];
	size_t nth;
};

/*
 * @row read for @a's options into row->ahead; left unread on ENOMEM (the
 * build reads it), and so is a Config row, which has no resources
 * (store_rows_legacy_vips() reads it).
 */
static void
read_one(const struct ahead *a, struct store_row *row)
{
	struct store_row_read *rd = NULL;

	if (strcmp(row->type, "Config") == 0 ||
	    (rd = calloc(1, sizeof(*rd))) == NULL)
		goto out;
	diag_list_init(&rd->diags);
	rd->keep_specs = a->keep_specs;
	if ((rd->zone = strdup(a->zone)) == NULL ||
	    (rd->rc = store_row_read(row, a->keep_specs, a->zone, &rd->set,
				     &rd->diags)) < 0)
		goto out;
	row->ahead = rd;
	rd = NULL;
out:
	store_row_read_free(rd);
}

static void *
run(void *arg)
{
	struct ahead *a = arg;
	struct store_row *batch[AHEAD_BATCH];
	size_t k;
	size_t i;

	for (;;) {
		pthread_mutex_lock(&a->lock);
		while (a->list.n - a->next < AHEAD_BATCH && !a->done) {
			a->waiting++;
			pthread_cond_wait(&a->more, &a->lock);
			a->waiting--;
		}
		for (k = 0; !a->cancel && k < AHEAD_BATCH &&
		     a->next < a->list.n; k++)
			batch[k] = a->list.v[a->next++];
		pthread_mutex_unlock(&a->lock);
		if (k == 0)
			return NULL;	/* done, and nothing left */
		/* Each row is this thread's alone until the threads end. */
		for (i = 0; i < k; i++)
			read_one(a, batch[i]);
	}
}

/* The read's store_row_fn: keep @row, and wake a thread for a batch. */
static int
keep(void *arg, struct store_row *row)
{
	struct ahead *a = arg;
	int rc;

	pthread_mutex_lock(&a->lock);
	rc = store_row_list_add(&a->list, row);
	if (rc == 0 && a->waiting > 0 && a->list.n - a->next >= AHEAD_BATCH)
		pthread_cond_signal(&a->more);
	pthread_mutex_unlock(&a->lock);
	return rc;
}

/*
 * Start the reading threads, one per CPU but the one this thread reads
 * the source on (at least one); none when one cannot start: no error.
 */
static void
start_threads(struct ahead *a)
{
	size_t cpus = thread_cpus();
	size_t want = cpus > 1 ? cpus - 1 : 1;

	if (want > AHEAD_THREADS_MAX)
		want = AHEAD_THREADS_MAX;
	while (a->nth < want &&
	       thread_start_named(&a->th[a->nth], "md-ahead", run, a) == 0)
		a->nth++;
}

/*
 * The read is over: this thread and the others read what is left, or,
 * when it failed (@failed), stop after the rows they have (what is left
 * would be freed unread).
 */
static void
stop_threads(struct ahead *a, int failed)
{
	size_t i;

	pthread_mutex_lock(&a->lock);
	a->done = 1;
	a->cancel = failed;
	pthread_cond_broadcast(&a->more);
	pthread_mutex_unlock(&a->lock);
	if (a->nth > 0 && !failed)
		(void)run(a);
	for (i = 0; i < a->nth; i++)
		pthread_join(a->th[i], NULL);
	a->nth = 0;
}

int
store_ahead_read_all(const struct store_ops *ops, void *src,
		     struct store_rows *rows, int keep_specs, const char *zone,
		     char *err, size_t errsize)
{
	struct ahead a;
	int rc;

	memset(&a, 0, sizeof(a));
	pthread_mutex_init(&a.lock, NULL);
	pthread_cond_init(&a.more, NULL);
	a.keep_specs = keep_specs;
	a.zone = zone;
	if (zone != NULL)
		start_threads(&a);
	rc = ops->read_all(src, keep, &a, err, errsize);
	stop_threads(&a, rc < 0);
	if (rc < 0)
		store_row_list_clear(&a.list);
	else if ((rc = store_rows_put_list(rows, &a.list)) < 0)
		diag_printf(err, errsize, "out of memory");
	pthread_cond_destroy(&a.more);
	pthread_mutex_destroy(&a.lock);
	return rc;
}
