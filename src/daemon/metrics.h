/* SPDX-License-Identifier: MIT */
/*
 * metrics.h -- writing the Prometheus text format (version 0.0.4).
 *
 * A struct metrics is a growing buffer of exposition lines: a family's
 * "# HELP" and "# TYPE" lines (metrics_family()), then its samples
 * (metrics_u64(), metrics_double()), each "name{label="value",...} value"
 * with the label values escaped (backslash, double quote and newline, as
 * the format asks).  Every module that has something to export writes
 * its families through these, on the thread that serves the scrape
 * (http.h: http_metrics_add()).  Names must be valid metric names; the
 * caller keeps each family's samples together.  Memory: a failed
 * allocation is remembered (metrics_failed()) and later calls do
 * nothing.  Pure: no I/O.
 */
#ifndef MESHDNS_METRICS_H
#define MESHDNS_METRICS_H

#include <stddef.h>
#include <stdint.h>

struct metrics {
	char *buf;		/* NUL-terminated, malloc'ed; NULL when empty */
	size_t len;
	size_t cap;
	int failed;		/* -ENOMEM once an allocation failed */
};

void metrics_init(struct metrics *m);

/* Free the buffer (the struct is the caller's). */
void metrics_clear(struct metrics *m);

/* 0, or -ENOMEM when some line could not be written. */
int metrics_failed(const struct metrics *m);

/* "# HELP @name @help" and "# TYPE @name @type" (counter, gauge, ...). */
void metrics_family(struct metrics *m, const char *name, const char *type,
		    const char *help);

/*
 * One sample of @name (a family's name, or with _bucket, _sum, _count):
 * after @value, pairs of label name and value, ended by NULL.
 */
void metrics_u64(struct metrics *m, const char *name, uint64_t value, ...);
void metrics_double(struct metrics *m, const char *name, double value, ...);

/* Append raw text (lines already in the format). */
void metrics_append(struct metrics *m, const char *text, size_t len);

#endif
