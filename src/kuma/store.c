/* SPDX-License-Identifier: MIT */
/*
 * store.c -- the rows of a store, and their reading as resources.
 */
#include "autoconfig.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kuma/store.h"
#include "util/digest.h"
#include "util/yamlx.h"

/* One change in the log: the key of a row put or removed. */
struct logged {
	char *type;
	char *mesh;
	char *name;
};

struct store_rows {
	struct store_row **v;	/* sorted by type, mesh, name */
	size_t n;
	size_t cap;
	uint64_t digest;	/* the xor of every row's row_hash() */
	/*
	 * The changes, numbered from 1: the last is @seq; those after
	 * @all_seq are in the ring @log (change k at k % STORE_LOG_SIZE)
	 * as long as it holds them.
	 */
	uint64_t seq;
	uint64_t all_seq;
	struct logged *log;
};

static uint64_t row_hash(const struct store_row *r);

/* Number a change of @k (everything: NULL) and log it. */
static void
log_change(struct store_rows *rows, const struct store_key *k)
{
	struct logged *l = NULL;

	rows->seq++;
	if (k == NULL) {
		rows->all_seq = rows->seq;
		return;
	}
	if (rows->log == NULL &&
	    (rows->log = calloc(STORE_LOG_SIZE, sizeof(*rows->log))) == NULL) {
		rows->all_seq = rows->seq;
		return;
	}
	l = &rows->log[rows->seq % STORE_LOG_SIZE];
	free(l->type);
	free(l->mesh);
	free(l->name);
	l->type = strdup(k->type);
	l->mesh = strdup(k->mesh);
	l->name = strdup(k->name);
	if (l->type == NULL || l->mesh == NULL || l->name == NULL)
		rows->all_seq = rows->seq;	/* out of memory: everything */
}

uint64_t
store_rows_seq(const struct store_rows *rows)
{
	return rows->seq;
}

int
store_rows_changed_since(const struct store_rows *rows, uint64_t since,
			 store_key_fn fn, void *arg)
{
	uint64_t k;
	int rc;

	if (since > rows->seq || since < rows->all_seq ||
	    rows->seq - since > STORE_LOG_SIZE)
		return 1;
	for (k = since + 1; k <= rows->seq; k++) {
		const struct logged *l = &rows->log[k % STORE_LOG_SIZE];
		struct store_key key = { l->type, l->mesh, l->name };

		if ((rc = fn(arg, &key)) != 0)
			return rc < 0 ? rc : 0;
	}
	return 0;
}


int
store_type_read(const char *type)
{
	static const char *const types[] = {
		"Mesh", "MeshService", "HostnameGenerator",
		"MeshExternalService", "MeshMultiZoneService", "Dataplane",
		"Config", NULL
	};
	size_t i;

	for (i = 0; types[i] != NULL; i++)
		if (strcmp(type, types[i]) == 0)
			return 1;
	return 0;
}

void
store_row_read_free(struct store_row_read *rd)
{
	if (rd == NULL)
		return;
	resource_set_free(rd->set);
	diag_list_clear(&rd->diags);
	free(rd->zone);
	free(rd);
}

void
store_row_free(struct store_row *row)
{
	if (row == NULL)
		return;
	store_row_read_free(row->ahead);
	free(row->type);
	free(row->mesh);
	free(row->name);
	free(row->spec);
	free(row->labels);
	free(row->status);
	free(row->created);
	free(row);
}

struct store_rows *
store_rows_new(void)
{
	return calloc(1, sizeof(struct store_rows));
}

void
store_rows_clear(struct store_rows *rows)
{
	size_t i;

	for (i = 0; i < rows->n; i++)
		store_row_free(rows->v[i]);
	rows->n = 0;
	rows->digest = 0;
	log_change(rows, NULL);
}

static void
log_free(struct store_rows *rows)
{
	size_t i;

	for (i = 0; rows->log != NULL && i < STORE_LOG_SIZE; i++) {
		free(rows->log[i].type);
		free(rows->log[i].mesh);
		free(rows->log[i].name);
	}
	free(rows->log);
	rows->log = NULL;
}

void
store_rows_free(struct store_rows *rows)
{
	if (rows == NULL)
		return;
	store_rows_clear(rows);
	log_free(rows);
	free(rows->v);
	free(rows);
}

size_t
store_rows_count(const struct store_rows *rows)
{
	return rows->n;
}

static int
key_cmp(const struct store_key *k, const struct store_row *r)
{
	int c;

	if ((c = strcmp(k->type, r->type)) != 0)
		return c;
	if ((c = strcmp(k->mesh, r->mesh)) != 0)
		return c;
	return strcmp(k->name, r->name);
}

/* The index of @k, or where it would go (*found 0). */
static size_t
find(const struct store_rows *rows, const struct store_key *k, int *found)
{
	size_t lo = 0, hi = rows->n;

	*found = 0;
	/* After the last: a full read puts its rows in order. */
	if (hi > 0 && key_cmp(k, rows->v[hi - 1]) > 0)
		return hi;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = key_cmp(k, rows->v[mid]);

		if (c == 0) {
			*found = 1;
			return mid;
		}
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return lo;
}

static int
same_text(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	return strcmp(a, b) == 0;
}

int
store_rows_put(struct store_rows *rows, struct store_row *row)
{
	struct store_key k = { row->type, row->mesh, row->name };
	struct store_row *old = NULL;
	struct store_row **v = NULL;
	int found;
	size_t i = find(rows, &k, &found);

	if (found) {
		old = rows->v[i];
		if (old->version == row->version &&
		    same_text(old->spec, row->spec) &&
		    same_text(old->labels, row->labels) &&
		    same_text(old->status, row->status) &&
		    same_text(old->created, row->created)) {
			store_row_free(row);
			return 0;
		}
		rows->digest ^= row_hash(old) ^ row_hash(row);
		rows->v[i] = row;
		store_row_free(old);
		log_change(rows, &k);
		return 1;
	}
	if (rows->n == rows->cap) {
		size_t cap = rows->cap ? rows->cap * 2 : 64;

		if ((v = realloc(rows->v, cap * sizeof(*v))) == NULL) {
			store_row_free(row);
			return -ENOMEM;
		}
		rows->v = v;
		rows->cap = cap;
	}
	memmove(&rows->v[i + 1], &rows->v[i],
		(rows->n - i) * sizeof(*rows->v));
	rows->v[i] = row;
	rows->n++;
	rows->digest ^= row_hash(row);
	log_change(rows, &k);
	return 1;
}

int
store_row_list_add(void *list, struct store_row *row)
{
	struct store_row_list *l = list;

	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 256;
		void *v = realloc(l->v, cap * sizeof(*l->v));

		if (v == NULL) {
			store_row_free(row);
			return -ENOMEM;
		}
		l->v = v;
		l->cap = cap;
	}
	l->v[l->n++] = row;
	return 0;
}

void
store_row_list_clear(struct store_row_list *list)
{
	size_t i;

	for (i = 0; i < list->n; i++)
		store_row_free(list->v[i]);
	free(list->v);
	memset(list, 0, sizeof(*list));
}

static int
row_cmp(const void *a, const void *b)
{
	const struct store_row *x = *(struct store_row *const *)a;
	const struct store_row *y = *(struct store_row *const *)b;
	struct store_key k = { x->type, x->mesh, x->name };

	return key_cmp(&k, y);
}

int
store_rows_put_list(struct store_rows *rows, struct store_row_list *list)
{
	size_t i;
	size_t n = 0;
	int rc = 0;

	if (list->n > 1)
		qsort(list->v, list->n, sizeof(*list->v), row_cmp);
	/* Into no rows (a full read's): the list becomes the rows, one
	 * change of everything rather than a change logged per row. */
	if (rows->n == 0 && list->n > 0) {
		for (i = 0; i < list->n; i++) {
			if (n > 0 && row_cmp(&list->v[n - 1], &list->v[i]) == 0)
				store_row_free(list->v[--n]);	/* one of them */
			list->v[n++] = list->v[i];
		}
		free(rows->v);
		rows->v = list->v;
		rows->n = n;
		rows->cap = list->cap;
		rows->digest = 0;
		for (i = 0; i < n; i++)
			rows->digest ^= row_hash(rows->v[i]);
		log_change(rows, NULL);
		memset(list, 0, sizeof(*list));
		return 0;
	}
	for (i = 0; i < list->n; i++) {
		struct store_row *row = list->v[i];

		list->v[i] = NULL;
		if (rc == 0 && store_rows_put(rows, row) < 0)
			rc = -ENOMEM;	/* @row was freed */
		else if (rc < 0)
			store_row_free(row);
	}
	list->n = 0;
	store_row_list_clear(list);
	return rc;
}

int
store_rows_remove(struct store_rows *rows, const struct store_key *key)
{
	int found;
	size_t i = find(rows, key, &found);

	if (!found)
		return 0;
	rows->digest ^= row_hash(rows->v[i]);
	log_change(rows, key);	/* before: @key may be the row's */
	store_row_free(rows->v[i]);
	memmove(&rows->v[i], &rows->v[i + 1],
		(rows->n - i - 1) * sizeof(*rows->v));
	rows->n--;
	return 1;
}

const struct store_row *
store_rows_find(const struct store_rows *rows, const struct store_key *key)
{
	int found;
	size_t i = find(rows, key, &found);

	return found ? rows->v[i] : NULL;
}

const struct store_row *
store_rows_at(const struct store_rows *rows, size_t i)
{
	return i < rows->n ? rows->v[i] : NULL;
}

int
store_rows_apply(struct store_rows *rows, const struct store_key *keys,
		 size_t n, struct store_rows *fresh)
{
	size_t *at = calloc(n + 1, sizeof(*at));
	size_t i, j;
	int changed = 0, rc = 0, found;

	if (at == NULL) {
		store_rows_clear(fresh);
		return -ENOMEM;
	}
	for (i = 0; i < n; i++) {
		j = find(fresh, &keys[i], &found);
		at[i] = found ? j : (size_t)-1;
	}
	for (i = 0; i < n; i++) {
		if (at[i] == (size_t)-1) {
			changed |= store_rows_remove(rows, &keys[i]);
			continue;
		}
		if (fresh->v[at[i]] == NULL)	/* the same key twice */
			continue;
		if (rc == 0) {
			int put = store_rows_put(rows, fresh->v[at[i]]);

			if (put < 0)
				rc = put;
			else
				changed |= put;
		} else {
			store_row_free(fresh->v[at[i]]);
		}
		fresh->v[at[i]] = NULL;
	}
	for (j = 0; j < fresh->n; j++)
		store_row_free(fresh->v[j]);
	fresh->n = 0;
	free(at);
	return rc < 0 ? rc : changed;
}

void
store_rows_move(struct store_rows *dst, struct store_rows *src)
{
	size_t i;

	for (i = 0; i < dst->n; i++)
		store_row_free(dst->v[i]);
	free(dst->v);
	dst->v = src->v;
	dst->n = src->n;
	dst->cap = src->cap;
	dst->digest = src->digest;
	log_change(dst, NULL);
	src->v = NULL;
	src->n = 0;
	src->cap = 0;
	src->digest = 0;
	log_change(src, NULL);
}

/* @s (NULL as "") chained onto @h: eight bytes a step (digest.h). */
static uint64_t
chain(uint64_t h, const char *s)
{
	return digest_str(h, s != NULL ? s : "");
}

/*
 * A row's key and content, hashed (never 0).  Every row read at a start
 * is hashed: FNV-1a, a byte a step, was 4 % of a start from a store of
 * 100,000 rows.
 */
static uint64_t
row_hash(const struct store_row *r)
{
	uint64_t h = 0;

	h = chain(h, r->type);
	h = chain(h, r->mesh);
	h = chain(h, r->name);
	h = digest_u64(h, (uint64_t)r->version);
	h = chain(h, r->spec);
	h = chain(h, r->labels);
	h = chain(h, r->status);
	h = chain(h, r->created);
	return h != 0 ? h : 1;
}

uint64_t
store_rows_digest(const struct store_rows *rows)
{
	return rows->n == 0 ? 0 : rows->digest != 0 ? rows->digest : 1;
}

void
store_row_format(const struct store_key *key, char *buf, size_t size)
{
	if (key->mesh[0] == '\0')
		snprintf(buf, size, "%s %s", key->type, key->name);
	else
		snprintf(buf, size, "%s %s/%s", key->type, key->mesh,
			 key->name);
}

/* A growing string. */
struct text {
	char *p;
	size_t n;
	size_t cap;
	int oom;
};

static void
room(struct text *t, size_t len)
{
	char *p = NULL;
	size_t cap = t->cap ? t->cap : 256;

	if (t->oom || t->n + len + 1 <= t->cap)
		return;
	while (cap < t->n + len + 1)
		cap *= 2;
	if ((p = realloc(t->p, cap)) == NULL) {
		t->oom = 1;
		return;
	}
	t->p = p;
	t->cap = cap;
}

static void
put(struct text *t, const char *s, size_t len)
{
	room(t, len);
	if (t->oom)
		return;
	memcpy(t->p + t->n, s, len);
	t->n += len;
	t->p[t->n] = '\0';
}

static void
puts_(struct text *t, const char *s)
{
	put(t, s, strlen(s));
}

/* @s as a JSON string: quotes, backslashes and control characters escaped. */
static void
put_quoted(struct text *t, const char *s)
{
	char esc[8];
	size_t run;

	put(t, "\"", 1);
	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;

		/* What needs no escape goes in one piece. */
		for (run = 0; (unsigned char)s[run] >= 0x20 &&
		     s[run] != '"' && s[run] != '\\'; run++)
			;
		if (run > 0) {
			put(t, s, run);
			s += run - 1;
		} else if (c == '"' || c == '\\') {
			esc[0] = '\\';
			esc[1] = (char)c;
			put(t, esc, 2);
		} else {
			snprintf(esc, sizeof(esc), "\\u%04x", c);
			put(t, esc, 6);
		}
	}
	put(t, "\"", 1);
}

/* The text of @json without blanks around it. */
static void
trim(const char *json, const char **start, size_t *len)
{
	const char *e = NULL;

	while (*json == ' ' || *json == '\t' || *json == '\n' ||
	       *json == '\r')
		json++;
	e = json + strlen(json);
	while (e > json && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\n' ||
			    e[-1] == '\r'))
		e--;
	*start = json;
	*len = (size_t)(e - json);
}

/* Is @json (trimmed) an object, "{...}"? */
static int
is_object(const char *s, size_t len)
{
	return len >= 2 && s[0] == '{' && s[len - 1] == '}';
}

static int
is_null(const char *s, size_t len)
{
	return len == 0 || (len == 4 && memcmp(s, "null", 4) == 0);
}

/*
 * Mesh and Dataplane are protobuf resources: Kuma's universal shape (and
 * kumactl's) keeps their fields at the top level, next to type and name.
 */
static int
fields_on_top(const char *type)
{
	return strcmp(type, "Mesh") == 0 || strcmp(type, "Dataplane") == 0;
}

static int
global_kind(const char *type)
{
	return strcmp(type, "Mesh") == 0 ||
	       strcmp(type, "HostnameGenerator") == 0;
}

char *
store_row_document(const struct store_row *row, char *err, size_t errsize)
{
	struct text t = { NULL, 0, 0, 0 };
	const char *s = NULL;
	size_t len = 0;

	/* One allocation for all of it, unless much is escaped. */
	room(&t, 128 + strlen(row->type) + strlen(row->mesh) +
	     strlen(row->name) + (row->created ? strlen(row->created) : 0) +
	     (row->labels ? strlen(row->labels) : 0) +
	     (row->spec ? strlen(row->spec) : 0) +
	     (row->status ? strlen(row->status) : 0));
	puts_(&t, "{\"type\": ");
	put_quoted(&t, row->type);
	puts_(&t, ", \"name\": ");
	put_quoted(&t, row->name);
	if (!global_kind(row->type)) {
		puts_(&t, ", \"mesh\": ");
		put_quoted(&t, row->mesh);
	}
	if (row->created != NULL) {
		puts_(&t, ", \"creationTime\": ");
		put_quoted(&t, row->created);
	}
	if (row->labels != NULL) {
		trim(row->labels, &s, &len);
		if (!is_null(s, len)) {
			if (!is_object(s, len)) {
				diag_printf(err, errsize, "labels: expected a "
					    "JSON object, got %.40s", s);
				goto fail;
			}
			puts_(&t, ", \"labels\": ");
			put(&t, s, len);
		}
	}
	if (row->spec != NULL) {
		trim(row->spec, &s, &len);
		if (!is_null(s, len) && !is_object(s, len)) {
			diag_printf(err, errsize, "spec: expected a JSON "
				    "object, got %.40s", s);
			goto fail;
		}
		if (is_null(s, len)) {
			/* no spec */
		} else if (fields_on_top(row->type)) {
			const char *in = s + 1;
			size_t inlen = len - 2;

			while (inlen > 0 && (*in == ' ' || *in == '\n' ||
					     *in == '\t' || *in == '\r')) {
				in++;
				inlen--;
			}
			if (inlen > 0) {
				puts_(&t, ", ");
				put(&t, in, inlen);
			}
		} else {
			puts_(&t, ", \"spec\": ");
			put(&t, s, len);
		}
	}
	if (row->status != NULL && !fields_on_top(row->type) &&
	    strcmp(row->type, "HostnameGenerator") != 0) {
		trim(row->status, &s, &len);
		if (!is_null(s, len) && !(len == 2 && is_object(s, len))) {
			if (!is_object(s, len)) {
				diag_printf(err, errsize, "status: expected a "
					    "JSON object, got %.40s", s);
				goto fail;
			}
			puts_(&t, ", \"status\": ");
			put(&t, s, len);
		}
	}
	puts_(&t, "}\n");
	if (t.oom) {
		diag_printf(err, errsize, "out of memory");
		goto fail;
	}
	return t.p;
fail:
	free(t.p);
	return NULL;
}

/* Move @here's entries to @errs as "<Type> <mesh>/<name>: <message>". */
static void
relabel(struct diag_list *errs, struct diag_list *here, const char *what)
{
	size_t i;

	for (i = 0; i < here->n; i++)
		diag_add(errs, here->v[i].severity, NULL, 0, 0, "%s: %s", what,
			 here->v[i].msg);
	if (here->oom)
		errs->oom = 1;
	diag_list_clear(here);
}

int
store_row_load(const struct store_row *r, struct resource_set *set,
	       struct diag_list *errs)
{
	struct store_key k = { r->type, r->mesh, r->name };
	struct diag_list here;
	char what[600], err[256];
	char *doc = NULL;
	int rc = 0;

	if (strcmp(r->type, "Config") == 0)
		return 0;	/* store_rows_legacy_vips() */
	diag_list_init(&here);
	store_row_format(&k, what, sizeof(what));
	if ((doc = store_row_document(r, err, sizeof(err))) == NULL) {
		if (strcmp(err, "out of memory") == 0)
			return -ENOMEM;
		diag_error(errs, NULL, 0, 0, "%s: %s", what, err);
		return 0;
	}
	rc = resource_set_load_json(set, what, doc, &here);
	free(doc);
	relabel(errs, &here, what);
	diag_list_clear(&here);
	return rc < 0 ? rc : 0;
}

int
store_row_read(const struct store_row *row, int keep_specs, const char *zone,
	       struct resource_set **out, struct diag_list *errs)
{
	struct resource_set *set = NULL;
	int rc = 0;

	*out = NULL;
	if (strcmp(row->type, "Config") == 0)
		goto out;
	rc = -ENOMEM;
	if ((set = resource_set_new()) == NULL)
		goto out;
	resource_set_keep_yaml(set, keep_specs);
	if ((rc = store_row_load(row, set, errs)) < 0 ||
	    (rc = resource_set_compute_labels(set, zone)) < 0)
		goto out;
	/* Here, so that the next row's allocations fill what it frees. */
	resource_set_trim(set);
	*out = set;
	set = NULL;
out:
	resource_set_free(set);
	return rc;
}

struct store_row_read *
store_rows_take_ahead(const struct store_rows *rows, size_t i, int keep_specs,
		      const char *zone)
{
	struct store_row *row = i < rows->n ? rows->v[i] : NULL;
	struct store_row_read *rd = row != NULL ? row->ahead : NULL;

	if (rd == NULL)
		return NULL;
	row->ahead = NULL;
	if (rd->keep_specs != keep_specs || strcmp(rd->zone, zone) != 0) {
		store_row_read_free(rd);
		return NULL;
	}
	return rd;
}

int
store_rows_load(const struct store_rows *rows, struct resource_set *set,
		struct diag_list *errs)
{
	size_t i;
	int rc;

	for (i = 0; i < rows->n; i++)
		if ((rc = store_row_load(rows->v[i], set, errs)) < 0)
			return rc;
	return 0;
}

static int
copy_field(const struct yamlx_node *map, const char *key, char *buf,
	   size_t size)
{
	const struct yamlx_node *v = yamlx_map_get(map, key);

	if (v == NULL || v->type != YAMLX_SCALAR || v->len >= size ||
	    strlen(v->scalar) != v->len)
		return -1;
	memcpy(buf, v->scalar, v->len + 1);
	return 0;
}

int
store_parse_event(const char *payload, char *type, char *mesh, char *name,
		  size_t size)
{
	struct yamlx_stream *st = NULL;
	struct diag_list errs;
	const struct yamlx_node *root = NULL, *data = NULL;
	int rc = -1;

	diag_list_init(&errs);
	if (yamlx_load_string(&st, "payload", payload, strlen(payload),
			      &errs) != 0 || st->ndocs != 1)
		goto out;
	root = st->docs[0];
	if (root == NULL || root->type != YAMLX_MAP)
		goto out;
	data = yamlx_map_get(root, "data");
	if (data == NULL || data->type != YAMLX_MAP)
		goto out;
	if (copy_field(data, "type", type, size) < 0 ||
	    copy_field(data, "mesh", mesh, size) < 0 ||
	    copy_field(data, "name", name, size) < 0)
		goto out;
	rc = 0;
out:
	yamlx_stream_free(st);
	diag_list_clear(&errs);
	return rc;
}

void
store_legacy_vips_clear(struct store_legacy_vips *t)
{
	size_t i;

	for (i = 0; i < t->n; i++) {
		free(t->v[i].mesh);
		free(t->v[i].service);
		free(t->v[i].address);
	}
	free(t->v);
	t->v = NULL;
	t->n = 0;
}

static int
legacy_cmp(const void *a, const void *b)
{
	const struct store_legacy_vip *x = a, *y = b;
	int c = strcmp(x->mesh, y->mesh);

	return c != 0 ? c : strcmp(x->service, y->service);
}

const char *
store_legacy_vip(const struct store_legacy_vips *t, const char *mesh,
		 const char *service)
{
	struct store_legacy_vip k = { (char *)mesh, (char *)service, NULL };
	const struct store_legacy_vip *v = NULL;

	if (t->n == 0)
		return NULL;
	v = bsearch(&k, t->v, t->n, sizeof(*t->v), legacy_cmp);
	return v != NULL ? v->address : NULL;
}

/* One document's root from @text, or NULL (*@st set to free). */
static const struct yamlx_node *
parse_json(struct yamlx_stream **st, const char *text)
{
	struct diag_list errs;

	diag_list_init(&errs);
	*st = NULL;
	if (yamlx_load_string(st, "config", text, strlen(text), &errs) != 0) {
		diag_list_clear(&errs);
		return NULL;
	}
	diag_list_clear(&errs);
	if ((*st)->ndocs != 1 || (*st)->docs[0] == NULL ||
	    (*st)->docs[0]->type != YAMLX_MAP)
		return NULL;
	return (*st)->docs[0];
}

/* Add the service entries of one kuma-<mesh>-dns-vips row. */
static int
legacy_row(const struct store_row *r, struct store_legacy_vips *out,
	   size_t *cap, struct diag_list *errs)
{
	struct yamlx_stream *outer = NULL, *inner = NULL;
	const struct yamlx_node *root = NULL, *cfg = NULL, *map = NULL;
	size_t len = strlen(r->name), i;
	char *mesh = NULL;
	int rc = 0;

	/* kuma-<mesh>-dns-vips */
	if (len <= strlen("kuma--dns-vips"))
		return 0;
	if ((mesh = strndup(r->name + 5, len - 14)) == NULL)
		return -ENOMEM;
	if (r->spec == NULL || (root = parse_json(&outer, r->spec)) == NULL ||
	    (cfg = yamlx_map_get(root, "config")) == NULL ||
	    cfg->type != YAMLX_SCALAR) {
		diag_warning(errs, NULL, 0, 0, "Config %s: spec: expected "
			     "{\"config\": \"<JSON>\"}; the legacy .mesh "
			     "names of mesh %s have no VIP", r->name, mesh);
		goto out;
	}
	if (cfg->len == 0)
		goto out;
	if ((map = parse_json(&inner, cfg->scalar)) == NULL) {
		diag_warning(errs, NULL, 0, 0, "Config %s: spec.config: "
			     "expected a JSON object of VIPs; the legacy .mesh "
			     "names of mesh %s have no VIP", r->name, mesh);
		goto out;
	}
	for (i = 0; i < map->n; i++) {
		const struct yamlx_node *k = map->pairs[i].key;
		const struct yamlx_node *v = map->pairs[i].value;
		const struct yamlx_node *a = NULL;
		struct store_legacy_vip *e = NULL;

		/* "0:<service>" (Kuma's HostnameEntry as text) */
		if (k->len < 3 || strncmp(k->scalar, "0:", 2) != 0 ||
		    v->type != YAMLX_MAP ||
		    (a = yamlx_map_get(v, "address")) == NULL ||
		    a->type != YAMLX_SCALAR || a->len == 0)
			continue;
		if (out->n == *cap) {
			size_t ncap = *cap ? *cap * 2 : 16;

			e = realloc(out->v, ncap * sizeof(*e));
			if (e == NULL) {
				rc = -ENOMEM;
				goto out;
			}
			out->v = e;
			*cap = ncap;
		}
		e = &out->v[out->n];
		e->mesh = strdup(mesh);
		e->service = strdup(k->scalar + 2);
		e->address = strdup(a->scalar);
		out->n++;
		if (e->mesh == NULL || e->service == NULL ||
		    e->address == NULL) {
			rc = -ENOMEM;
			goto out;
		}
	}
out:
	yamlx_stream_free(outer);
	yamlx_stream_free(inner);
	free(mesh);
	return rc;
}

int
store_rows_legacy_vips(const struct store_rows *rows,
		       struct store_legacy_vips *out, struct diag_list *errs)
{
	struct store_key first = { "Config", "", "" };
	size_t cap = 0, i;
	int found;
	int rc;

	store_legacy_vips_clear(out);
	/* The Config rows are next to each other (key order). */
	for (i = find(rows, &first, &found); i < rows->n &&
	     strcmp(rows->v[i]->type, "Config") == 0; i++) {
		const struct store_row *r = rows->v[i];

		if (r->mesh[0] != '\0' ||
		    strncmp(r->name, "kuma-", 5) != 0 || strlen(r->name) < 14 ||
		    strcmp(r->name + strlen(r->name) - 9, "-dns-vips") != 0)
			continue;
		if ((rc = legacy_row(r, out, &cap, errs)) < 0)
			return rc;
	}
	if (out->n > 0)
		qsort(out->v, out->n, sizeof(*out->v), legacy_cmp);
	return 0;
}
