/* SPDX-License-Identifier: MIT */
/*
 * store_ahead.h -- a full read of a store whose rows are read into
 * resources while the next ones still come.
 *
 * A start from a store of 100,000 rows waits most of a second for
 * PostgreSQL to send them, then reads every row's JSON into resources.
 * store_ahead_read_all() does both at once: each row, as the source hands
 * it over, goes to threads of its own (md-ahead: one per CPU but the one
 * the source is read on, which joins them once the last row came) that
 * read it (store_row_read()) and keep the result with the row
 * (row->ahead), for the build that puts the rows' units to take
 * (store_rows_take_ahead()) instead of reading the row again.  A row not read ahead (no room for
 * it, or other options by the time the build runs) is read by the build,
 * as always: reading ahead changes when the work is done, never what it
 * gives.
 *
 * Threads are started and joined inside the call; no I/O of its own (the
 * source's read is the caller's ops), no logging.
 */
#ifndef MESHDNS_STORE_AHEAD_H
#define MESHDNS_STORE_AHEAD_H

#include <stddef.h>

#include "kuma/store.h"

/*
 * Every row of @src (@ops->read_all()) put into @rows (store_rows_put_list():
 * @rows should be empty, as a fresh read's are).  When @zone is not NULL,
 * each row is read ahead with @keep_specs for @zone while the next ones
 * come.  0, or the read's negative code with its message in @err (then
 * nothing is put in @rows).
 */
int store_ahead_read_all(const struct store_ops *ops, void *src,
			 struct store_rows *rows, int keep_specs,
			 const char *zone, char *err, size_t errsize);

#endif
