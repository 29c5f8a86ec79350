/* SPDX-License-Identifier: MIT */
/*
 * http_int.h -- what http.c and http_page.c share: the copy of a served
 * snapshot that the page, /status.json and the snapshot gauges show.
 */
#ifndef MESHDNS_HTTP_INT_H
#define MESHDNS_HTTP_INT_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "build/snapshot.h"
#include "daemon/metrics.h"

/* One row of the page: a service (or a legacy name). */
struct http_row {
	char *mesh;		/* the mesh's name, escaped for HTML */
	char *key;		/* lower-case text ?q= matches */
	char *html;		/* the <tr>, escaped */
	int problem;		/* a condition that is not fine */
	size_t order;		/* in the snapshot, to keep it in a mesh */
};

/* Immutable once made; freed by whoever drops the last reference. */
struct http_view {
	unsigned refs;		/* under the endpoint's mutex */
	uint64_t generation;
	int64_t published;	/* Unix seconds */
	int from_cache;
	char *summary;		/* HTML: counts, escaped */
	struct http_row *rows;	/* by mesh, then as --status orders them */
	size_t nrows;
	size_t nproblems;
	char *json;		/* /status.json */
	size_t json_len;
	struct metrics gauges;	/* the snapshot's gauges, rendered */
};

/* Make the view of @s (published at @now).  0 or -ENOMEM. */
int http_view_new(struct http_view **out, const struct snapshot *s,
		  int64_t now);

void http_view_free(struct http_view *v);

/* "a &amp; b" for "a & b": HTML's five characters.  Appends to @m. */
void http_html_escape(struct metrics *m, const char *s);

/*
 * The page for @v (NULL: nothing served yet) and filter @q (NULL or ""
 * for all), with the status lines @status (HTML, already escaped) into
 * @out.  0 or -ENOMEM.
 */
int http_page(struct metrics *out, const struct http_view *v, const char *q,
	      const char *status);

#endif
