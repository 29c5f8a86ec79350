/* SPDX-License-Identifier: MIT */
/* yamlx.c -- YAML documents as trees of positioned nodes (libyaml, yajl). */
#include "autoconfig.h"

#include <errno.h>
#include <stdarg.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>
#include <yajl/yajl_parse.h>
#include <yajl/yajl_version.h>

#include "util/arena.h"
#include "util/digest.h"
#include "util/file.h"
#include "util/hash.h"
#include "util/yamlx.h"
#include "util/yamlx_int.h"

/*
 * Parsed nodes, their strings and their child arrays all come from one
 * arena that belongs to the stream: a file of 100k resources makes millions
 * of nodes, and one malloc per block instead of three per node keeps both
 * loading and freeing linear and cheap.  While a collection is open its
 * children wait on one shared stack (struct loader.kids); when it ends they
 * are copied once into an exactly sized arena array.  Nothing is ever
 * appended to a parsed node afterwards, so cap == n for them.
 *
 * Built nodes (yamlx_node_new_*) are ordinary heap objects with owned set,
 * because they are made one at a time and grow by appending.
 */

/*
 * libyaml itself is not recursive, but every consumer of the tree is
 * (config, resource, the emitter below); bound the depth so a hostile
 * "[[[[..." cannot overflow their stacks.
 */
#define MAX_DEPTH	512

/*
 * An alias is a reference, not a copy, so memory stays linear; but walking
 * the tree visits an aliased node once per reference, and nested aliases
 * multiply ("billion laughs").  A document may grow by at most this many
 * nodes through aliases.
 */
#define MAX_ALIAS_GROWTH	1000000ULL

/*
 * Readers copy what they keep, so a long scalar reached through many
 * aliases costs its length every time (a 110 KB List of 10,000 aliases
 * to one item with a 60 KB label took 600 MB to build).  A file may add
 * at most this many bytes of scalars through aliases, all its documents
 * together.
 */
#define MAX_ALIAS_BYTES		(16ULL * 1024 * 1024)

/* How many keys a mapping may have before duplicates are found by sorting. */
#define DUP_LINEAR_MAX	16

struct docpos {
	int line;
	int column;
};

struct store {
	struct arena arena;	/* every parsed node, string and array */
	struct docpos *docpos;	/* where each document starts */
};

struct frame {
	struct yamlx_node *node;
	size_t first;		/* index in kids of the first child */
	char *anchor;		/* registered when the collection ends */
	uint64_t expanded;	/* nodes in the subtree, aliases expanded */
	uint64_t bytes;		/* bytes of its scalars, aliases expanded */
};

struct anchor {
	char *name;
	uint32_t hash;
	int next;		/* index of the next entry in the chain, or -1 */
	struct yamlx_node *node;
	uint64_t expanded;
	uint64_t bytes;
};

struct loader {
	struct yamlx_stream *stream;
	struct store *store;
	struct diag_list *errs;
	struct diag_list found;	/* sorted into errs at the end */
	const char *text;
	size_t len;
	size_t errors;		/* errors found by us (not syntax errors) */

	struct yamlx_node **kids;
	size_t nkids, capkids;
	struct frame *frames;
	size_t nframes, capframes;
	struct anchor *anchors;
	size_t nanchors, capanchors;
	int *buckets;		/* heads of anchor chains, -1 when empty */
	size_t nbuckets;	/* a power of two, or 0 */
	size_t capdocs;
	size_t capdocpos;

	struct yamlx_node *root;
	uint64_t root_expanded;
	uint64_t doc_nodes;	/* nodes really created in this document */
	uint64_t alias_bytes;	/* scalar bytes added by aliases, whole file */
	char *bytes_alias;	/* the alias past MAX_ALIAS_BYTES, to report */
	yaml_mark_t bytes_mark;
	yaml_mark_t doc_mark;
};

/*
 * Make room for @need elements in the array whose address is @pv (a pointer
 * to a pointer, read and written with memcpy to stay within the aliasing
 * rules).  Capacity doubles, so n appends cost O(n).
 */
static int
grow(void *pv, size_t *cap, size_t need, size_t elem)
{
	void *v = NULL;
	void *p = NULL;
	size_t ncap;

	if (need <= *cap)
		return 0;
	ncap = *cap ? *cap : 16;
	while (ncap < need) {
		if (ncap > SIZE_MAX / 2 / elem)
			return -ENOMEM;
		ncap *= 2;
	}
	memcpy(&v, pv, sizeof(v));
	p = realloc(v, ncap * elem);
	if (p == NULL)
		return -ENOMEM;
	memcpy(pv, &p, sizeof(p));
	*cap = ncap;
	return 0;
}

static void
store_free(struct store *st)
{
	if (st == NULL)
		return;
	arena_clear(&st->arena);
	free(st->docpos);
	free(st);
}

static int
mark_int(size_t v)
{
	return v >= INT_MAX ? INT_MAX : (int)v + 1;
}

static void __attribute__((format(printf, 3, 4)))
error_at(struct loader *l, const yaml_mark_t *m, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	l->errors++;
	diag_error(&l->found, l->stream->file, mark_int(m->line),
		   mark_int(m->column), "%s", msg);
}

/* ---- anchors: a small chained hash table, cleared for every document */

static void
anchors_clear(struct loader *l)
{
	size_t i;

	for (i = 0; i < l->nanchors; i++) {
		l->buckets[l->anchors[i].hash & (l->nbuckets - 1)] = -1;
		free(l->anchors[i].name);
	}
	l->nanchors = 0;
}

static int
anchors_rehash(struct loader *l, size_t nbuckets)
{
	int *b = NULL;
	size_t i;

	b = malloc(nbuckets * sizeof(*b));
	if (b == NULL)
		return -ENOMEM;
	for (i = 0; i < nbuckets; i++)
		b[i] = -1;
	/* In insertion order, so the latest definition heads its chain. */
	for (i = 0; i < l->nanchors; i++) {
		struct anchor *a = &l->anchors[i];

		a->next = b[a->hash & (nbuckets - 1)];
		b[a->hash & (nbuckets - 1)] = (int)i;
	}
	free(l->buckets);
	l->buckets = b;
	l->nbuckets = nbuckets;
	return 0;
}

/* Takes ownership of @name (also on failure). */
static int
anchor_add(struct loader *l, char *name, struct yamlx_node *node,
	   uint64_t expanded, uint64_t bytes)
{
	struct anchor *a = NULL;
	size_t slot;

	if (l->nanchors >= INT_MAX ||
	    grow(&l->anchors, &l->capanchors, l->nanchors + 1,
		 sizeof(*l->anchors)) < 0)
		goto oom;
	if (l->nanchors + 1 > l->nbuckets &&
	    anchors_rehash(l, l->nbuckets ? l->nbuckets * 2 : 64) < 0)
		goto oom;
	a = &l->anchors[l->nanchors];
	a->name = name;
	a->hash = hash_fnv1a32_str(HASH_FNV1A32_INIT, name);
	a->node = node;
	a->expanded = expanded;
	a->bytes = bytes;
	slot = a->hash & (l->nbuckets - 1);
	a->next = l->buckets[slot];
	l->buckets[slot] = (int)l->nanchors;
	l->nanchors++;
	return 0;
oom:
	free(name);
	return -ENOMEM;
}

static const struct anchor *
anchor_find(const struct loader *l, const char *name)
{
	uint32_t h = hash_fnv1a32_str(HASH_FNV1A32_INIT, name);
	int i;

	if (l->nbuckets == 0)
		return NULL;
	for (i = l->buckets[h & (l->nbuckets - 1)]; i >= 0;
	     i = l->anchors[i].next)
		if (l->anchors[i].hash == h &&
		    strcmp(l->anchors[i].name, name) == 0)
			return &l->anchors[i];
	return NULL;
}

/* ---- building the tree */

static struct yamlx_node *
node_new(struct loader *l, enum yamlx_type type, const yaml_mark_t *m)
{
	struct yamlx_node *node = NULL;

	node = arena_alloc(&l->store->arena, sizeof(*node));
	if (node == NULL)
		return NULL;
	memset(node, 0, sizeof(*node));
	node->type = type;
	node->file = l->stream->file;
	node->line = mark_int(m->line);
	node->column = mark_int(m->column);
	l->doc_nodes++;
	return node;
}

static uint64_t
add_sat(uint64_t a, uint64_t b)
{
	return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

/*
 * Count @expanded nodes and @bytes of scalars into the enclosing
 * collection (or the root).
 */
static void
account(struct loader *l, uint64_t expanded, uint64_t bytes)
{
	if (l->nframes > 0) {
		struct frame *f = &l->frames[l->nframes - 1];

		f->expanded = add_sat(f->expanded, expanded);
		f->bytes = add_sat(f->bytes, bytes);
	} else {
		l->root_expanded = expanded;
	}
}

/*
 * Hang @node under the innermost open collection (or make it the root).
 * As a mapping key it must be a scalar and must not be the merge key.
 */
static int
attach(struct loader *l, struct yamlx_node *node, const yaml_mark_t *m)
{
	const struct frame *f = NULL;

	if (l->nframes == 0) {
		l->root = node;
		return 0;
	}
	f = &l->frames[l->nframes - 1];
	if (f->node->type == YAMLX_MAP && (l->nkids - f->first) % 2 == 0) {
		if (node->type != YAMLX_SCALAR)
			error_at(l, m, "a mapping key must be a scalar, "
				 "not a %s", yamlx_type_name(node));
		else if (node->style == YAMLX_PLAIN && node->len == 2 &&
			 memcmp(node->scalar, "<<", 2) == 0)
			error_at(l, m, "merge keys (<<) are not supported");
	}
	if (grow(&l->kids, &l->capkids, l->nkids + 1, sizeof(*l->kids)) < 0)
		return -ENOMEM;
	l->kids[l->nkids++] = node;
	return 0;
}

/*
 * A scalar of @len bytes at @value (copied), starting at @m; @anchor, when
 * not NULL, is copied and names it.
 */
static int
add_scalar(struct loader *l, const yaml_mark_t *m, const char *value,
	   size_t len, enum yamlx_style style, const char *anchor)
{
	struct yamlx_node *node = NULL;
	char *name = NULL;

	node = node_new(l, YAMLX_SCALAR, m);
	if (node == NULL || len == SIZE_MAX)
		return -ENOMEM;
	node->scalar = arena_alloc(&l->store->arena, len + 1);
	if (node->scalar == NULL)
		return -ENOMEM;
	if (len > 0)
		memcpy(node->scalar, value, len);
	node->scalar[len] = '\0';
	node->len = len;
	node->style = style;
	if (anchor != NULL) {
		name = strdup(anchor);
		if (name == NULL || anchor_add(l, name, node, 1, len) < 0)
			return -ENOMEM;
	}
	account(l, 1, len);
	return attach(l, node, m);
}

static int
on_scalar(struct loader *l, const yaml_event_t *ev)
{
	const char *tag = (const char *)ev->data.scalar.tag;
	enum yamlx_style style;

	style = ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE ?
		YAMLX_PLAIN : YAMLX_QUOTED;
	/* "!!str 30" and "! 30" say "a string" as plainly as quotes do. */
	if (tag != NULL && (strcmp(tag, YAML_STR_TAG) == 0 ||
			    strcmp(tag, "!") == 0))
		style = YAMLX_QUOTED;
	return add_scalar(l, &ev->start_mark,
			  (const char *)ev->data.scalar.value,
			  ev->data.scalar.length, style,
			  (const char *)ev->data.scalar.anchor);
}

/*
 * Open a mapping or a sequence starting at @m (named @anchor when not
 * NULL); its children follow until close_collection().  -1: nested too
 * deep (reported).
 */
static int
open_collection(struct loader *l, enum yamlx_type type, const yaml_mark_t *m,
		const char *anchor)
{
	struct yamlx_node *node = NULL;
	struct frame *f = NULL;
	int rc;

	if (l->nframes >= MAX_DEPTH) {
		error_at(l, m, "collections nested more than %d levels deep "
			 "are not supported", MAX_DEPTH);
		return -1;
	}
	node = node_new(l, type, m);
	if (node == NULL)
		return -ENOMEM;
	rc = attach(l, node, m);
	if (rc < 0)
		return rc;
	if (grow(&l->frames, &l->capframes, l->nframes + 1,
		 sizeof(*l->frames)) < 0)
		return -ENOMEM;
	f = &l->frames[l->nframes++];
	f->node = node;
	f->first = l->nkids;
	f->anchor = NULL;
	f->expanded = 1;
	f->bytes = 0;
	if (anchor != NULL && (f->anchor = strdup(anchor)) == NULL)
		return -ENOMEM;
	return 0;
}

static int
on_start(struct loader *l, const yaml_event_t *ev, enum yamlx_type type)
{
	const yaml_char_t *anchor = type == YAMLX_MAP ?
		ev->data.mapping_start.anchor : ev->data.sequence_start.anchor;

	return open_collection(l, type, &ev->start_mark,
			       (const char *)anchor);
}

static void
report_duplicate(struct loader *l, const struct yamlx_node *dup,
		 const struct yamlx_node *first)
{
	l->errors++;
	diag_error(&l->found, l->stream->file, dup->line, dup->column,
		   "duplicate key \"%s\" (first defined at line %d, column %d)",
		   dup->scalar, first->line, first->column);
}

struct keyref {
	const struct yamlx_node *key;
	size_t i;
};

static int
cmp_keyref(const void *pa, const void *pb)
{
	const struct keyref *a = pa, *b = pb;
	size_t n = a->key->len < b->key->len ? a->key->len : b->key->len;
	int c = memcmp(a->key->scalar, b->key->scalar, n);

	if (c != 0)
		return c;
	if (a->key->len != b->key->len)
		return a->key->len < b->key->len ? -1 : 1;
	return a->i < b->i ? -1 : a->i > b->i;
}

static int
same_key(const struct yamlx_node *a, const struct yamlx_node *b)
{
	return a->len == b->len && memcmp(a->scalar, b->scalar, a->len) == 0;
}

/*
 * Report every key that repeats an earlier one, in document order.  Small
 * mappings (nearly all) compare pairwise; big ones sort, so a mapping of n
 * keys costs O(n log n) and not O(n^2).
 */
static int
check_duplicates(struct loader *l, const struct yamlx_pair *pairs, size_t n)
{
	struct keyref *refs = NULL;
	size_t *first = NULL;
	size_t i, j, run;
	int rc = 0;

	if (n <= DUP_LINEAR_MAX) {
		for (i = 1; i < n; i++) {
			if (pairs[i].key->type != YAMLX_SCALAR)
				continue;
			for (j = 0; j < i; j++) {
				if (pairs[j].key->type == YAMLX_SCALAR &&
				    same_key(pairs[i].key, pairs[j].key)) {
					report_duplicate(l, pairs[i].key,
							 pairs[j].key);
					break;
				}
			}
		}
		return 0;
	}
	refs = malloc(n * sizeof(*refs));
	first = malloc(n * sizeof(*first));
	if (refs == NULL || first == NULL) {
		rc = -ENOMEM;
		goto out;
	}
	for (i = 0, j = 0; i < n; i++) {
		first[i] = SIZE_MAX;
		if (pairs[i].key->type != YAMLX_SCALAR)
			continue;
		refs[j].key = pairs[i].key;
		refs[j].i = i;
		j++;
	}
	qsort(refs, j, sizeof(*refs), cmp_keyref);
	for (i = 1, run = 0; i < j; i++) {
		if (same_key(refs[i].key, refs[run].key))
			first[refs[i].i] = refs[run].i;
		else
			run = i;
	}
	for (i = 0; i < n; i++)
		if (first[i] != SIZE_MAX)
			report_duplicate(l, pairs[i].key, pairs[first[i]].key);
out:
	free(refs);
	free(first);
	return rc;
}

/* The innermost open collection has all its children. */
static int
close_collection(struct loader *l)
{
	struct frame *f = &l->frames[l->nframes - 1];
	struct yamlx_node *node = f->node;
	size_t count = l->nkids - f->first;
	/* l->kids is NULL until the first child: no pointer arithmetic on
	 * it then (undefined behaviour even with count == 0). */
	struct yamlx_node **kids = count > 0 ? l->kids + f->first : NULL;
	char *anchor = f->anchor;
	uint64_t expanded = f->expanded;
	uint64_t bytes = f->bytes;
	size_t i;
	int rc = -ENOMEM;

	f->anchor = NULL;
	if (node->type == YAMLX_SEQ && count > 0) {
		node->items = arena_alloc(&l->store->arena,
					  count * sizeof(*kids));
		if (node->items == NULL)
			goto out;
		memcpy(node->items, kids, count * sizeof(*kids));
		node->n = count;
	} else if (node->type == YAMLX_MAP && count > 0) {
		/* libyaml gives every key a value (an empty scalar at worst). */
		node->n = count / 2;
		node->pairs = arena_alloc(&l->store->arena,
					  node->n * sizeof(*node->pairs));
		if (node->pairs == NULL)
			goto out;
		for (i = 0; i < node->n; i++) {
			node->pairs[i].key = kids[2 * i];
			node->pairs[i].value = kids[2 * i + 1];
		}
		if (check_duplicates(l, node->pairs, node->n) < 0)
			goto out;
	}
	node->cap = node->n;
	l->nkids = f->first;
	l->nframes--;
	account(l, expanded, bytes);
	rc = 0;
	if (anchor != NULL) {
		rc = anchor_add(l, anchor, node, expanded, bytes);
		anchor = NULL;
	}
out:
	free(anchor);
	return rc;
}

static int
on_alias(struct loader *l, const yaml_event_t *ev)
{
	const char *name = (const char *)ev->data.alias.anchor;
	const struct anchor *a = anchor_find(l, name);
	struct yamlx_node *node = NULL;
	size_t i;

	if (a != NULL) {
		account(l, a->expanded, a->bytes);
		/* Said at the end of the document, unless it has a worse
		 * problem (too many nodes). */
		if (l->alias_bytes <= MAX_ALIAS_BYTES) {
			l->alias_bytes = add_sat(l->alias_bytes, a->bytes);
			if (l->alias_bytes > MAX_ALIAS_BYTES) {
				l->bytes_alias = strdup(name);
				l->bytes_mark = ev->start_mark;
				if (l->bytes_alias == NULL)
					return -ENOMEM;
			}
		}
		return attach(l, a->node, &ev->start_mark);
	}
	for (i = 0; i < l->nframes; i++)
		if (l->frames[i].anchor != NULL &&
		    strcmp(l->frames[i].anchor, name) == 0)
			break;
	if (i < l->nframes)
		error_at(l, &ev->start_mark,
			 "alias *%s refers to a collection that contains it "
			 "(recursive aliases are not supported)", name);
	else
		error_at(l, &ev->start_mark,
			 "alias *%s refers to an unknown anchor", name);
	/* A stand-in keeps keys and values paired; the load fails anyway. */
	node = node_new(l, YAMLX_SCALAR, &ev->start_mark);
	if (node == NULL)
		return -ENOMEM;
	node->scalar = arena_alloc(&l->store->arena, 1);
	if (node->scalar == NULL)
		return -ENOMEM;
	node->scalar[0] = '\0';
	account(l, 1, 0);
	return attach(l, node, &ev->start_mark);
}

static int
on_document_end(struct loader *l)
{
	struct yamlx_stream *s = l->stream;
	struct yamlx_node *root = l->root;

	if (l->root_expanded > l->doc_nodes &&
	    l->root_expanded - l->doc_nodes > MAX_ALIAS_GROWTH)
		error_at(l, &l->doc_mark,
			 "aliases in this document expand to more than %llu "
			 "extra nodes; not supported", MAX_ALIAS_GROWTH);
	else if (l->bytes_alias != NULL)
		error_at(l, &l->bytes_mark,
			 "alias *%s: aliases in this file expand to more "
			 "than %llu bytes of text; not supported",
			 l->bytes_alias, MAX_ALIAS_BYTES);
	free(l->bytes_alias);
	l->bytes_alias = NULL;
	/* libyaml gives an empty document an empty plain scalar. */
	if (root != NULL && root->type == YAMLX_SCALAR &&
	    root->style == YAMLX_PLAIN && root->len == 0)
		root = NULL;
	if (grow(&s->docs, &l->capdocs, s->ndocs + 1, sizeof(*s->docs)) < 0)
		return -ENOMEM;
	/* Same growth as docs, so the same capacity fits both. */
	if (l->capdocs > l->capdocpos) {
		struct docpos *p = realloc(l->store->docpos,
					   l->capdocs * sizeof(*p));

		if (p == NULL)
			return -ENOMEM;
		l->store->docpos = p;
		l->capdocpos = l->capdocs;
	}
	l->store->docpos[s->ndocs].line = mark_int(l->doc_mark.line);
	l->store->docpos[s->ndocs].column = mark_int(l->doc_mark.column);
	s->docs[s->ndocs++] = root;
	return 0;
}

/* Where in the input is byte @offset (for reader errors, which have none). */
static void
offset_position(const struct loader *l, size_t offset, int *line, int *col)
{
	size_t i, bol = 0, n = 0;

	if (offset > l->len)
		offset = l->len;
	for (i = 0; i < offset; i++) {
		if (l->text[i] == '\n') {
			n++;
			bol = i + 1;
		}
	}
	*line = mark_int(n);
	*col = mark_int(offset - bol);
}

static int
syntax_error(struct loader *l, const yaml_parser_t *p)
{
	const char *file = l->stream->file;
	const char *problem = p->problem ? p->problem : "cannot parse YAML";
	int line, col;

	switch (p->error) {
	case YAML_MEMORY_ERROR:
		return -ENOMEM;
	case YAML_READER_ERROR:
		offset_position(l, p->problem_offset, &line, &col);
		if (p->problem_value != -1)
			diag_error(&l->found, file, line, col, "%s (0x%02x)",
				   problem, (unsigned)p->problem_value);
		else
			diag_error(&l->found, file, line, col, "%s", problem);
		break;
	default:
		if (p->context != NULL)
			diag_error(&l->found, file,
				   mark_int(p->problem_mark.line),
				   mark_int(p->problem_mark.column),
				   "%s (%s that started at line %d, column %d)",
				   problem, p->context,
				   mark_int(p->context_mark.line),
				   mark_int(p->context_mark.column));
		else
			diag_error(&l->found, file,
				   mark_int(p->problem_mark.line),
				   mark_int(p->problem_mark.column), "%s",
				   problem);
		break;
	}
	return -1;
}

static int
run(struct loader *l, yaml_parser_t *parser)
{
	yaml_event_t ev;
	int done = 0;
	int rc = 0;

	while (!done) {
		if (!yaml_parser_parse(parser, &ev))
			return syntax_error(l, parser);
		switch (ev.type) {
		case YAML_DOCUMENT_START_EVENT:
			anchors_clear(l);
			l->root = NULL;
			l->root_expanded = 0;
			l->doc_nodes = 0;
			l->doc_mark = ev.start_mark;
			break;
		case YAML_DOCUMENT_END_EVENT:
			rc = on_document_end(l);
			break;
		case YAML_SCALAR_EVENT:
			rc = on_scalar(l, &ev);
			break;
		case YAML_SEQUENCE_START_EVENT:
			rc = on_start(l, &ev, YAMLX_SEQ);
			break;
		case YAML_MAPPING_START_EVENT:
			rc = on_start(l, &ev, YAMLX_MAP);
			break;
		case YAML_SEQUENCE_END_EVENT:
		case YAML_MAPPING_END_EVENT:
			rc = close_collection(l);
			break;
		case YAML_ALIAS_EVENT:
			rc = on_alias(l, &ev);
			break;
		case YAML_STREAM_END_EVENT:
			done = 1;
			break;
		default:
			break;
		}
		yaml_event_delete(&ev);
		if (rc < 0)
			return rc;
	}
	return 0;
}

struct diagref {
	const struct diag *d;
	size_t i;
};

static int
cmp_diagref(const void *pa, const void *pb)
{
	const struct diagref *a = pa, *b = pb;

	if (a->d->line != b->d->line)
		return a->d->line < b->d->line ? -1 : 1;
	if (a->d->column != b->d->column)
		return a->d->column < b->d->column ? -1 : 1;
	return a->i < b->i ? -1 : a->i > b->i;
}

/*
 * Errors are found out of order (a mapping's duplicate keys only when it
 * ends, after the errors inside it); the user reads them top to bottom.
 */
static int
flush_errors(struct loader *l)
{
	struct diagref *refs = NULL;
	size_t i;

	if (l->found.n == 0)
		goto out;
	refs = malloc(l->found.n * sizeof(*refs));
	if (refs == NULL) {
		diag_list_move(l->errs, &l->found);
		return -ENOMEM;
	}
	for (i = 0; i < l->found.n; i++) {
		refs[i].d = &l->found.v[i];
		refs[i].i = i;
	}
	qsort(refs, l->found.n, sizeof(*refs), cmp_diagref);
	for (i = 0; i < l->found.n; i++)
		diag_add(l->errs, refs[i].d->severity, refs[i].d->file,
			 refs[i].d->line, refs[i].d->column, "%s",
			 refs[i].d->msg);
out:
	if (l->found.oom)
		l->errs->oom = 1;
	free(refs);
	diag_list_clear(&l->found);
	return 0;
}

static void
loader_clear(struct loader *l)
{
	size_t i;

	for (i = 0; i < l->nframes; i++)
		free(l->frames[i].anchor);
	for (i = 0; i < l->nanchors; i++)
		free(l->anchors[i].name);
	free(l->frames);
	free(l->anchors);
	free(l->buckets);
	free(l->kids);
	free(l->bytes_alias);
	diag_list_clear(&l->found);
}

/* ---- JSON, with yajl */

/*
 * Every row of Kuma's store is one JSON document (store_row_document()),
 * and libyaml, which reads it as YAML's flow style a character at a time,
 * was the largest cost of a start from the store.  yajl reads JSON several
 * times faster; its callbacks build the tree with the builders libyaml's
 * events use (add_scalar, open_collection, close_collection), so the nodes,
 * styles and positions are the ones run() would make: a string is a quoted
 * scalar, a number, true, false or null a plain one (its text as written).
 *
 * Positions: when yajl calls back, it has consumed the token just read
 * (yajl_get_bytes_consumed()).  JSON allows only blanks and one ':' or ','
 * between two tokens, and ':' and ',' get no callback, so a token starts
 * where those end after the previous token.  Lines and columns are counted
 * over the bytes passed, as libyaml counts them (LF, CRLF or CR end a
 * line; a column is a character, so UTF-8's continuation bytes do not
 * count).
 *
 * What yajl rejects, and what libyaml would read otherwise or report, is
 * left to libyaml (jr_document() returns 1), so that its result and its
 * messages are the same as ever: a root that is not an object or an array,
 * anything but spaces and line breaks around the root (tabs there are
 * YAML's block context's; yajl takes an unterminated string after it),
 * control characters other than tab, CR and LF, DEL, UTF-8 that libyaml
 * rejects or reads otherwise (jr_utf8(): yajl's own check takes overlong
 * forms, surrogates and characters libyaml does not; NEL, LS and PS are
 * line breaks in YAML, folded in a quoted scalar), keys YAML does not
 * take as simple keys (not on one line with their ':', or longer than
 * JSON_KEY_MAX bytes: libyaml's limit is 1024 characters), a \u escape of
 * a lone surrogate, and anything we report ourselves (duplicate keys,
 * nesting past MAX_DEPTH).  A surrogate pair ("\ud83d\ude00") is the one
 * character it stands for, as JSON says; libyaml rejects each half.
 */
#define JSON_KEY_MAX	1000

struct jr_in {
	struct loader *l;
	yajl_handle h;
	size_t end;	/* where the last token read ends */
	size_t pos;	/* lines are counted up to here */
	size_t line;	/* 0-based, at pos */
	size_t bol;	/* where pos's line begins */
	size_t cont;	/* UTF-8 continuation bytes from bol to pos */
	int utf8;	/* the text has bytes from 0x80 */
	int rc;		/* 1: left to libyaml; -ENOMEM */
};

static int
jr_blank(char c)
{
	return c == ' ' || c == '\n' || c == '\r' || c == '\t';
}

/* Where the token yajl has just read starts (and its line, its column). */
static void
jr_mark(struct jr_in *j, yaml_mark_t *m)
{
	const char *t = j->l->text;
	size_t len = j->l->len;
	size_t i = j->end;

	while (i < len && jr_blank(t[i]))
		i++;
	if (i < len && (t[i] == ':' || t[i] == ',')) {
		i++;
		while (i < len && jr_blank(t[i]))
			i++;
	}
	for (; j->pos < i; j->pos++) {
		if (t[j->pos] == '\n' ||
		    (t[j->pos] == '\r' && (j->pos + 1 >= len ||
					   t[j->pos + 1] != '\n'))) {
			j->line++;
			j->bol = j->pos + 1;
			j->cont = 0;
		} else if (j->utf8 &&
			   ((unsigned char)t[j->pos] & 0xc0) == 0x80) {
			j->cont++;
		}
	}
	m->index = i;
	m->line = j->line;
	m->column = i - j->bol - j->cont;
}

/*
 * The width of the UTF-8 character at @s (@n bytes left) when libyaml reads
 * it as it is in a quoted scalar, else 0: well formed (no overlong form,
 * no surrogate, up to U+10FFFF), one of the characters its reader takes
 * (from U+00A0 to U+D7FF, U+E000 to U+FFFD, from U+10000: reader.c), and
 * not one of the line breaks it folds (U+2028, U+2029; U+0085 is below
 * U+00A0).
 */
static size_t
jr_utf8(const unsigned char *s, size_t n)
{
	unsigned long v;
	size_t w, k;

	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		w = 2;
		v = s[0] & 0x1f;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		w = 3;
		v = s[0] & 0x0f;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		w = 4;
		v = s[0] & 0x07;
	} else {
		return 0;
	}
	if (w > n)
		return 0;
	for (k = 1; k < w; k++) {
		if ((s[k] & 0xc0) != 0x80)
			return 0;
		v = v << 6 | (s[k] & 0x3f);
	}
	if ((w == 3 && v < 0x800) || (w == 4 && v < 0x10000) ||
	    v > 0x10ffff)
		return 0;
	if (v < 0xa0 || (v > 0xd7ff && v < 0xe000) || v == 0xfffe ||
	    v == 0xffff || v == 0x2028 || v == 0x2029)
		return 0;
	return w;
}

/* The value of 4 hex digits at @s (which are there: yajl read them). */
static unsigned
jr_hex4(const char *s)
{
	unsigned v = 0;
	int k;

	for (k = 0; k < 4; k++) {
		char c = s[k];

		v = v * 16 + (unsigned)(c <= '9' ? c - '0' :
					(c | 0x20) - 'a' + 10);
	}
	return v;
}

/*
 * Is the string token [@s, @e) (quotes included) read by libyaml as yajl
 * reads it?  Only a lone surrogate escape differs (a pair is taken).
 */
static int
jr_escapes_ok(const char *s, const char *e)
{
	const char *p = memchr(s, '\\', (size_t)(e - s));
	unsigned u;

	for (; p != NULL && p < e; p++) {
		if (*p != '\\')
			continue;
		if (*++p != 'u')
			continue;
		u = jr_hex4(p + 1);
		p += 4;
		if (u >= 0xdc00 && u <= 0xdfff)
			return 0;
		if (u < 0xd800 || u > 0xdbff)
			continue;
		if (e - p < 8 || p[1] != '\\' || p[2] != 'u')
			return 0;
		u = jr_hex4(p + 3);
		if (u < 0xdc00 || u > 0xdfff)
			return 0;
		p += 6;
	}
	return 1;
}

/* A builder's @rc to yajl: 1 goes on, 0 stops (the reason in j->rc). */
static int
jr_went(struct jr_in *j, int rc)
{
	j->end = yajl_get_bytes_consumed(j->h);
	if (rc == -ENOMEM)
		j->rc = -ENOMEM;
	else if (rc < 0 || j->l->errors > 0)
		j->rc = 1;
	return j->rc == 0;
}

static int
jr_scalar(struct jr_in *j, const char *s, size_t len,
	    enum yamlx_style style)
{
	yaml_mark_t m;

	jr_mark(j, &m);
	return jr_went(j, add_scalar(j->l, &m, s, len, style, NULL));
}

static int
jr_null(void *ctx)
{
	return jr_scalar(ctx, "null", 4, YAMLX_PLAIN);
}

static int
jr_bool(void *ctx, int value)
{
	return jr_scalar(ctx, value ? "true" : "false", value ? 4 : 5,
			   YAMLX_PLAIN);
}

static int
jr_number(void *ctx, const char *s, size_t len)
{
	return jr_scalar(ctx, s, len, YAMLX_PLAIN);
}

static int
jr_string(void *ctx, const unsigned char *s, size_t len)
{
	struct jr_in *j = ctx;
	const char *t = j->l->text;
	size_t end = yajl_get_bytes_consumed(j->h);
	yaml_mark_t m;

	jr_mark(j, &m);
	if (!jr_escapes_ok(t + m.index, t + end)) {
		j->rc = 1;
		return 0;
	}
	return jr_went(j, add_scalar(j->l, &m, (const char *)s, len,
				       YAMLX_QUOTED, NULL));
}

/* A key, which YAML takes as a simple key: one line, up to its ':'. */
static int
jr_key(void *ctx, const unsigned char *s, size_t len)
{
	struct jr_in *j = ctx;
	const char *t = j->l->text;
	size_t i = yajl_get_bytes_consumed(j->h);
	size_t start = j->end;

	while (start < i && t[start] != '"')
		start++;
	while (i < j->l->len && (t[i] == ' ' || t[i] == '\t'))
		i++;
	if (i - start > JSON_KEY_MAX || i >= j->l->len || t[i] != ':') {
		j->rc = 1;
		return 0;
	}
	return jr_string(ctx, s, len);
}

static int
jr_open(struct jr_in *j, enum yamlx_type type)
{
	yaml_mark_t m;

	jr_mark(j, &m);
	return jr_went(j, open_collection(j->l, type, &m, NULL));
}

static int
jr_start_map(void *ctx)
{
	return jr_open(ctx, YAMLX_MAP);
}

static int
jr_start_array(void *ctx)
{
	return jr_open(ctx, YAMLX_SEQ);
}

static int
jr_close(void *ctx)
{
	struct jr_in *j = ctx;

	return jr_went(j, close_collection(j->l));
}

static const yajl_callbacks jr_callbacks = {
	.yajl_null = jr_null,
	.yajl_boolean = jr_bool,
	.yajl_number = jr_number,
	.yajl_string = jr_string,
	.yajl_start_map = jr_start_map,
	.yajl_map_key = jr_key,
	.yajl_end_map = jr_close,
	.yajl_start_array = jr_start_array,
	.yajl_end_array = jr_close,
};

/*
 * The document l->text as JSON into l->stream, as run() would read it: 0,
 * 1 (left to libyaml: anything may have been allocated in the stream, which
 * the caller throws away), or -ENOMEM.
 */
static int
jr_document(struct loader *l)
{
	struct jr_in j;
	yajl_status st;
	size_t i;
	int rc = -ENOMEM;

	memset(&j, 0, sizeof(j));
	j.l = l;
	for (i = 0; i < l->len; i++) {
		const unsigned char *c = (const unsigned char *)l->text + i;
		size_t w;

		if (*c >= 0x80) {
			/* yajl takes it in a string only */
			if ((w = jr_utf8(c, l->len - i)) == 0)
				return 1;
			j.utf8 = 1;
			i += w - 1;
		} else if ((*c < 0x20 || *c == 0x7f) && *c != '\n' &&
			   *c != '\r' && *c != '\t') {
			return 1;
		}
	}
	/* The document starts at its first token, the root's '{' or '['. */
	jr_mark(&j, &l->doc_mark);
	i = l->doc_mark.index;
	if (i >= l->len || (l->text[i] != '{' && l->text[i] != '[') ||
	    memchr(l->text, '\t', i) != NULL)
		return 1;
	if ((j.h = yajl_alloc(&jr_callbacks, NULL, &j)) == NULL)
		return -ENOMEM;
	st = yajl_parse(j.h, (const unsigned char *)l->text, l->len);
	if (st == yajl_status_ok)
		st = yajl_complete_parse(j.h);
	if (j.rc < 0)
		goto out;
	rc = 1;
	if (st != yajl_status_ok || j.rc != 0 || l->errors > 0 ||
	    l->root == NULL)
		goto out;
	/*
	 * Only spaces and line breaks after the root: yajl takes as nothing
	 * the start of a string there, whose end it waits for.  Outside the
	 * root, YAML is in its block context, where libyaml rejects a tab
	 * that starts a line (and, before the root, any tab).
	 */
	for (i = j.end; i < l->len && jr_blank(l->text[i]) &&
	     l->text[i] != '\t'; i++)
		;
	if (i < l->len)
		goto out;
	rc = on_document_end(l);
out:
	yajl_free(j.h);
	return rc;
}

/*
 * yamlx_load_string(), with libyaml, or (@json) yajl, which may leave the
 * text to libyaml: 1, nothing reported.
 */
static int
load_text(struct yamlx_stream **out, const char *name, const char *text,
	  size_t len, struct diag_list *errs, int json)
{
	struct yamlx_stream *s = NULL;
	struct loader l;
	yaml_parser_t parser;
	int have_parser = 0;
	int rc = -ENOMEM;

	*out = NULL;
	memset(&l, 0, sizeof(l));
	diag_list_init(&l.found);
	s = calloc(1, sizeof(*s));
	if (s == NULL)
		goto out;
	s->file = strdup(name != NULL ? name : "<string>");
	s->priv = l.store = calloc(1, sizeof(*l.store));
	if (s->file == NULL || s->priv == NULL)
		goto out;
	l.stream = s;
	l.errs = errs;
	l.text = text;
	l.len = len;
	if (json) {
		rc = jr_document(&l);
		goto out;
	}
	if (!yaml_parser_initialize(&parser))
		goto out;
	have_parser = 1;
	yaml_parser_set_input_string(&parser, (const unsigned char *)text,
				     len);
	rc = run(&l, &parser);
	if (rc == 0 && l.errors > 0)
		rc = -1;
	if (flush_errors(&l) < 0)
		rc = -ENOMEM;
out:
	if (have_parser)
		yaml_parser_delete(&parser);
	loader_clear(&l);
	if (rc == 0)
		*out = s;
	else
		yamlx_stream_free(s);
	return rc;
}

int
yamlx_load_string(struct yamlx_stream **out, const char *name,
		  const char *text, size_t len, struct diag_list *errs)
{
	if (text == NULL)
		text = "";	/* libyaml wants a buffer, even an empty one */
	return load_text(out, name, text, len, errs, 0);
}

int
yamlx_json_read(struct yamlx_stream **out, const char *name,
		const char *text, size_t len, struct diag_list *errs)
{
	if (text == NULL)
		text = "";
	return load_text(out, name, text, len, errs, 1);
}

int
yamlx_load_json(struct yamlx_stream **out, const char *name,
		const char *text, size_t len, struct diag_list *errs)
{
	int rc;

	if ((rc = yamlx_json_read(out, name, text, len, errs)) != 1)
		return rc;
	return yamlx_load_string(out, name, text, len, errs);
}

int
yamlx_load_file(struct yamlx_stream **out, const char *path,
		struct diag_list *errs)
{
	char *name = NULL;
	char *text = NULL;
	size_t len = 0;
	int e;
	int rc = -ENOMEM;

	*out = NULL;
	errno = 0;
	/* Messages name the file normalised ("a/./b.yaml" as "a/b.yaml"). */
	if ((name = file_path_clean(path)) == NULL)
		goto out;
	/* The whole file in memory: positions of reader errors need it. */
	e = file_read(path, &text, &len);
	if (e == ENOMEM)
		goto out;
	if (e != 0) {
		diag_error(errs, NULL, 0, 0, "cannot read %s: %s", name,
			   strerror(e));
		rc = -1;
		goto out;
	}
	rc = yamlx_load_string(out, name, text, len, errs);
	if (*out != NULL)
		(*out)->digest = digest_bytes(0, text, len);
out:
	free(text);
	free(name);
	return rc;
}

void
yamlx_stream_free(struct yamlx_stream *stream)
{
	if (stream == NULL)
		return;
	store_free(stream->priv);
	free(stream->docs);
	free(stream->file);
	free(stream);
}

void
yamlx_doc_position(const struct yamlx_stream *stream, size_t i, int *line,
		   int *column)
{
	const struct store *st = stream->priv;

	*line = 0;
	*column = 0;
	if (i < stream->ndocs && st != NULL && st->docpos != NULL) {
		*line = st->docpos[i].line;
		*column = st->docpos[i].column;
	}
}

/* ---- reading nodes */

struct yamlx_node *
yamlx_map_get(const struct yamlx_node *map, const char *key)
{
	size_t i, len;

	if (map == NULL || map->type != YAMLX_MAP || key == NULL)
		return NULL;
	len = strlen(key);
	for (i = 0; i < map->n; i++) {
		const struct yamlx_node *k = map->pairs[i].key;

		if (k->type == YAMLX_SCALAR && k->len == len &&
		    memcmp(k->scalar, key, len) == 0)
			return map->pairs[i].value;
	}
	return NULL;
}

const char *
yamlx_type_name(const struct yamlx_node *node)
{
	if (node == NULL)
		return "nothing";
	switch (node->type) {
	case YAMLX_SEQ:
		return "sequence";
	case YAMLX_MAP:
		return "mapping";
	default:
		return "scalar";
	}
}

static int
plain_scalar(const struct yamlx_node *node)
{
	return node != NULL && node->type == YAMLX_SCALAR &&
		node->style == YAMLX_PLAIN && strlen(node->scalar) == node->len;
}

static int
one_of(const char *s, const char *const *words)
{
	for (; *words != NULL; words++)
		if (strcmp(s, *words) == 0)
			return 1;
	return 0;
}

/* The longest word of the lists below: longer scalars are none of them. */
#define WORD_MAX_LEN	5

static const char *const null_words[] = {
	"", "~", "null", "Null", "NULL", NULL
};
static const char *const true_words[] = {
	"y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE",
	"on", "On", "ON", NULL
};
static const char *const false_words[] = {
	"n", "N", "no", "No", "NO", "false", "False", "FALSE",
	"off", "Off", "OFF", NULL
};

int
yamlx_is_null(const struct yamlx_node *node)
{
	return plain_scalar(node) && node->len <= WORD_MAX_LEN &&
		one_of(node->scalar, null_words);
}

int
yamlx_bool(const struct yamlx_node *node, int *out)
{
	if (!plain_scalar(node) || node->len > WORD_MAX_LEN)
		return -1;
	if (one_of(node->scalar, true_words))
		*out = 1;
	else if (one_of(node->scalar, false_words))
		*out = 0;
	else
		return -1;
	return 0;
}

int
yamlx_int(const struct yamlx_node *node, long long min, long long max,
	  long long *out)
{
	const char *p = NULL;
	unsigned long long u = 0, limit;
	long long v;
	int neg;

	if (!plain_scalar(node))
		return -1;
	p = node->scalar;
	neg = *p == '-';
	p += neg;
	/* "010" is 8 in YAML 1.1 and 10 in 1.2: refuse to guess. */
	if (*p == '\0' || (p[0] == '0' && p[1] != '\0'))
		return -1;
	limit = neg ? (unsigned long long)LLONG_MAX + 1 : LLONG_MAX;
	for (; *p != '\0'; p++) {
		if (*p < '0' || *p > '9')
			return -1;
		if (u > (limit - (unsigned)(*p - '0')) / 10)
			return -1;
		u = u * 10 + (unsigned)(*p - '0');
	}
	if (neg)
		v = u == (unsigned long long)LLONG_MAX + 1 ?
			LLONG_MIN : -(long long)u;
	else
		v = (long long)u;
	if (v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

/* ---- building and emitting */

static int
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static int
is_hex(char c)
{
	return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/*
 * Would @s, written plain, be read as a number by a YAML 1.1 or 1.2
 * reader?  Deliberately generous ("1_0", "::1", "12:30" all count): a
 * string quoted without need is still the same string.
 */
static int
looks_number(const char *s)
{
	static const char *const special[] = {
		".inf", ".Inf", ".INF", ".nan", ".NaN", ".NAN", NULL
	};
	const char *p = s;
	int digits = 0, dots = 0;

	if (*p == '+' || *p == '-')
		p++;
	if (one_of(p, special))
		return 1;
	if (p[0] == '0' && (p[1] == 'x' || p[1] == 'o' || p[1] == 'b') &&
	    p[2] != '\0') {
		for (p += 2; *p != '\0'; p++)
			if (!is_hex(*p) && *p != '_')
				return 0;
		return 1;
	}
	for (; *p != '\0'; p++) {
		if (is_digit(*p))
			digits++;
		else if (*p == '.')
			dots++;
		else if (*p != '_' && *p != ':')
			break;
	}
	if (digits == 0 || dots > 1)
		return 0;
	if (*p == 'e' || *p == 'E') {
		p++;
		if (*p == '+' || *p == '-')
			p++;
		if (!is_digit(*p))
			return 0;
		while (is_digit(*p))
			p++;
	}
	return *p == '\0';
}

/* YAML 1.1 timestamps: "2024-05-01", "2024-5-1T10:00:00Z", ... */
static int
looks_timestamp(const char *s)
{
	return is_digit(s[0]) && is_digit(s[1]) && is_digit(s[2]) &&
		is_digit(s[3]) && s[4] == '-' && is_digit(s[5]);
}

/*
 * True when @s written plain would not read back as this string: null,
 * booleans, numbers, timestamps, the merge and value keys, and strings
 * with control characters (line breaks, tabs), which read best escaped.  Strings that
 * cannot be plain for syntax reasons (": ", leading "-", "#") are found by
 * libyaml's emitter itself, which then quotes them.
 */
static int
needs_quotes(const char *s)
{
	static const char *const other[] = { "<<", "=", NULL };
	const char *p = NULL;

	/* Control characters: escaped in double quotes, not folded. */
	for (p = s; *p != '\0'; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			return 1;
	return one_of(s, null_words) || one_of(s, true_words) ||
		one_of(s, false_words) || one_of(s, other) ||
		looks_number(s) || looks_timestamp(s);
}

static struct yamlx_node *
node_alloc(enum yamlx_type type)
{
	struct yamlx_node *node = calloc(1, sizeof(*node));

	if (node != NULL) {
		node->type = type;
		node->owned = 1;
	}
	return node;
}

struct yamlx_node *
yamlx_node_new_map(void)
{
	return node_alloc(YAMLX_MAP);
}

struct yamlx_node *
yamlx_node_new_seq(void)
{
	return node_alloc(YAMLX_SEQ);
}

struct yamlx_node *
yamlx_node_new_scalar(const char *text, enum yamlx_style style)
{
	struct yamlx_node *node = NULL;

	if (text == NULL)
		text = "";
	node = node_alloc(YAMLX_SCALAR);
	if (node == NULL)
		return NULL;
	node->len = strlen(text);
	node->scalar = malloc(node->len + 1);
	if (node->scalar == NULL) {
		free(node);
		return NULL;
	}
	memcpy(node->scalar, text, node->len + 1);
	node->style = style;
	return node;
}

int
yamlx_map_add(struct yamlx_node *map, const char *key,
	      struct yamlx_node *value)
{
	struct yamlx_node *k = NULL;
	int rc = -ENOMEM;

	if (value == NULL || key == NULL)
		goto out;
	if (map == NULL || map->type != YAMLX_MAP || !map->owned) {
		rc = -EINVAL;
		goto out;
	}
	k = yamlx_node_new_scalar(key, needs_quotes(key) ? YAMLX_QUOTED :
				  YAMLX_PLAIN);
	if (k == NULL ||
	    grow(&map->pairs, &map->cap, map->n + 1, sizeof(*map->pairs)) < 0)
		goto out;
	map->pairs[map->n].key = k;
	map->pairs[map->n].value = value;
	map->n++;
	return 0;
out:
	yamlx_node_free(k);
	yamlx_node_free(value);
	return rc;
}

int
yamlx_map_add_str(struct yamlx_node *map, const char *key, const char *value)
{
	struct yamlx_node *v = NULL;

	if (value == NULL)
		v = yamlx_node_new_scalar("null", YAMLX_PLAIN);
	else
		v = yamlx_node_new_scalar(value, needs_quotes(value) ?
					  YAMLX_QUOTED : YAMLX_PLAIN);
	return yamlx_map_add(map, key, v);
}

int
yamlx_seq_add(struct yamlx_node *seq, struct yamlx_node *item)
{
	int rc = -ENOMEM;

	if (item == NULL)
		goto out;
	if (seq == NULL || seq->type != YAMLX_SEQ || !seq->owned) {
		rc = -EINVAL;
		goto out;
	}
	if (grow(&seq->items, &seq->cap, seq->n + 1, sizeof(*seq->items)) < 0)
		goto out;
	seq->items[seq->n++] = item;
	return 0;
out:
	yamlx_node_free(item);
	return rc;
}

void
yamlx_node_free(struct yamlx_node *node)
{
	size_t i;

	/* Parsed nodes belong to their stream. */
	if (node == NULL || !node->owned)
		return;
	switch (node->type) {
	case YAMLX_SCALAR:
		free(node->scalar);
		break;
	case YAMLX_SEQ:
		for (i = 0; i < node->n; i++)
			yamlx_node_free(node->items[i]);
		free(node->items);
		break;
	case YAMLX_MAP:
		for (i = 0; i < node->n; i++) {
			yamlx_node_free(node->pairs[i].key);
			yamlx_node_free(node->pairs[i].value);
		}
		free(node->pairs);
		break;
	}
	free(node);
}

static int
emit_event(yaml_emitter_t *em, yaml_event_t *ev, int made)
{
	/* The emitter frees the event, also when it fails. */
	return made && yaml_emitter_emit(em, ev) ? 0 : -1;
}

/*
 * A parsed node can be reached more than once (an alias is the same node
 * as its anchor); the emitter writes it once, with an anchor, and then
 * aliases to it, so that the output grows as the file did, never by the
 * expansion ("billion laughs").  Built nodes are added only once.  The
 * table maps the parsed nodes of one document to how often they are
 * reached and the number of their anchor (0 until written).
 */
struct shared {
	const struct yamlx_node *node;
	size_t refs;
	size_t id;
};

struct emitter {
	yaml_emitter_t em;
	struct shared *tab;	/* open addressing; NULL nodes are free */
	size_t cap;		/* a power of two, or 0 */
	size_t n;
	size_t ids;		/* anchors written in this document */
};

static size_t
shared_slot(const struct shared *tab, size_t cap, const struct yamlx_node *node)
{
	size_t i = (size_t)hash_mix64((uint64_t)(uintptr_t)node) & (cap - 1);

	while (tab[i].node != NULL && tab[i].node != node)
		i = (i + 1) & (cap - 1);
	return i;
}

/* The entry of @node, added when missing; NULL on allocation failure. */
static struct shared *
shared_get(struct emitter *e, const struct yamlx_node *node, int *added)
{
	size_t i;

	if (2 * (e->n + 1) > e->cap) {
		size_t cap = e->cap ? 2 * e->cap : 64;
		struct shared *tab = calloc(cap, sizeof(*tab));

		if (tab == NULL)
			return NULL;
		for (i = 0; i < e->cap; i++)
			if (e->tab[i].node != NULL)
				tab[shared_slot(tab, cap, e->tab[i].node)] =
					e->tab[i];
		free(e->tab);
		e->tab = tab;
		e->cap = cap;
	}
	i = shared_slot(e->tab, e->cap, node);
	*added = e->tab[i].node == NULL;
	if (*added) {
		e->tab[i].node = node;
		e->n++;
	}
	return &e->tab[i];
}

static void
shared_clear(struct emitter *e)
{
	if (e->n > 0)
		memset(e->tab, 0, e->cap * sizeof(*e->tab));
	e->n = 0;
	e->ids = 0;
}

/* Count the references to every parsed node under @node, each once. */
static int
count_refs(struct emitter *e, const struct yamlx_node *node, int depth)
{
	size_t i;
	int added = 1;

	if (node == NULL)
		return 0;
	if (depth > MAX_DEPTH)
		return -1;
	if (!node->owned) {
		struct shared *sh = shared_get(e, node, &added);

		if (sh == NULL)
			return -1;
		sh->refs++;
	}
	if (!added)
		return 0;
	for (i = 0; i < node->n; i++) {
		const struct yamlx_node *kid = node->type == YAMLX_SEQ ?
			node->items[i] : node->pairs[i].value;

		if (count_refs(e, kid, depth + 1) < 0)
			return -1;
	}
	return 0;
}

static int
emit_scalar(yaml_emitter_t *em, const char *anchor, const char *text,
	    size_t len, enum yamlx_style style)
{
	yaml_event_t ev;
	int made;

	if (len > INT_MAX)
		return -1;
	made = yaml_scalar_event_initialize(&ev, (yaml_char_t *)anchor, NULL,
		(yaml_char_t *)text, (int)len, 1, 1,
		style == YAMLX_QUOTED ? YAML_DOUBLE_QUOTED_SCALAR_STYLE :
		YAML_PLAIN_SCALAR_STYLE);
	return emit_event(em, &ev, made);
}

/*
 * A mapping key.  A parsed one under a built node (@borrowed) is written
 * as a built one would be (quoted only when needed), so that a borrowed
 * subtree prints as its copy would; elsewhere as it was read.
 */
static int
emit_key(yaml_emitter_t *em, const struct yamlx_node *key, int borrowed)
{
	enum yamlx_style style = key->style;

	if (borrowed && !key->owned)
		style = needs_quotes(key->scalar) ? YAMLX_QUOTED : YAMLX_PLAIN;
	return emit_scalar(em, NULL, key->scalar, strlen(key->scalar), style);
}

/* @borrowed: a built node is above @node. */
static int
emit_node(struct emitter *e, const struct yamlx_node *node, int depth,
	  int borrowed)
{
	yaml_emitter_t *em = &e->em;
	yaml_event_t ev;
	char name[32];
	const char *anchor = NULL;
	size_t i;
	int made;
	int added;

	/* Only a document can be NULL: an empty document. */
	if (node == NULL)
		return emit_scalar(em, NULL, "", 0, YAMLX_PLAIN);
	if (depth > MAX_DEPTH)
		return -1;
	if (!node->owned) {
		struct shared *sh = shared_get(e, node, &added);

		if (sh == NULL)
			return -1;
		if (sh->refs > 1 && sh->id > 0) {
			snprintf(name, sizeof(name), "a%zu", sh->id);
			made = yaml_alias_event_initialize(&ev,
							   (yaml_char_t *)name);
			return emit_event(em, &ev, made);
		}
		if (sh->refs > 1) {
			sh->id = ++e->ids;
			snprintf(name, sizeof(name), "a%zu", sh->id);
			anchor = name;
		}
	}
	switch (node->type) {
	case YAMLX_SCALAR:
		return emit_scalar(em, anchor, node->scalar, node->len,
				   node->style);
	case YAMLX_SEQ:
		made = yaml_sequence_start_event_initialize(&ev,
			(yaml_char_t *)anchor, NULL, 1,
			YAML_BLOCK_SEQUENCE_STYLE);
		if (emit_event(em, &ev, made) < 0)
			return -1;
		for (i = 0; i < node->n; i++)
			if (emit_node(e, node->items[i], depth + 1,
				      borrowed || node->owned) < 0)
				return -1;
		made = yaml_sequence_end_event_initialize(&ev);
		return emit_event(em, &ev, made);
	case YAMLX_MAP:
		made = yaml_mapping_start_event_initialize(&ev,
			(yaml_char_t *)anchor, NULL, 1,
			YAML_BLOCK_MAPPING_STYLE);
		if (emit_event(em, &ev, made) < 0)
			return -1;
		for (i = 0; i < node->n; i++) {
			if (emit_key(em, node->pairs[i].key, borrowed) < 0 ||
			    emit_node(e, node->pairs[i].value, depth + 1,
				      borrowed || node->owned) < 0)
				return -1;
		}
		made = yaml_mapping_end_event_initialize(&ev);
		return emit_event(em, &ev, made);
	}
	return -1;
}

int
yamlx_emit(FILE *fp, struct yamlx_node *const *docs, size_t ndocs)
{
	struct emitter e;
	yaml_event_t ev;
	size_t i;
	int made;
	int rc = -1;

	memset(&e, 0, sizeof(e));
	if (!yaml_emitter_initialize(&e.em))
		return -1;
	yaml_emitter_set_output_file(&e.em, fp);
	yaml_emitter_set_unicode(&e.em, 1);
	/* Never fold long strings (a hostname list stays on one line). */
	yaml_emitter_set_width(&e.em, -1);
	made = yaml_stream_start_event_initialize(&ev, YAML_UTF8_ENCODING);
	if (emit_event(&e.em, &ev, made) < 0)
		goto out;
	for (i = 0; i < ndocs; i++) {
		/*
		 * The first document needs no "---", unless it is empty and
		 * would vanish without it; the others always do.
		 */
		shared_clear(&e);
		if (count_refs(&e, docs[i], 0) < 0)
			goto out;
		made = yaml_document_start_event_initialize(&ev, NULL, NULL,
			NULL, i == 0 && docs[i] != NULL);
		if (emit_event(&e.em, &ev, made) < 0 ||
		    emit_node(&e, docs[i], 0, 0) < 0)
			goto out;
		made = yaml_document_end_event_initialize(&ev, 1);
		if (emit_event(&e.em, &ev, made) < 0)
			goto out;
	}
	made = yaml_stream_end_event_initialize(&ev);
	if (emit_event(&e.em, &ev, made) < 0 || !yaml_emitter_flush(&e.em))
		goto out;
	rc = 0;
out:
	yaml_emitter_delete(&e.em);
	free(e.tab);
	if (fflush(fp) != 0 || ferror(fp))
		rc = -1;
	return rc;
}

const char *
yamlx_libyaml_version(void)
{
	return yaml_get_version_string();
}

void
yamlx_yajl_version(char *buf, size_t size)
{
	int v = yajl_version();	/* major * 10000 + minor * 100 + micro */

	if (size > 0)
		snprintf(buf, size, "%d.%d.%d", v / 10000, v / 100 % 100,
			 v % 100);
}

/* ---- JSON */

struct json_out {
	FILE *fp;
	size_t nodes;
	int err;
};

static void
json_string(struct json_out *o, const char *s, size_t len)
{
	size_t i;

	putc('"', o->fp);
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '"' || c == '\\')
			fprintf(o->fp, "\\%c", c);
		else if (c == '\n')
			fputs("\\n", o->fp);
		else if (c == '\t')
			fputs("\\t", o->fp);
		else if (c < 0x20 || c == 0x7f)
			fprintf(o->fp, "\\u%04x", c);
		else
			putc(c, o->fp);
	}
	putc('"', o->fp);
}

/*
 * What a plain scalar means as JSON (YAML 1.2's core schema): 1 true,
 * 2 false, 3 a decimal integer, 0 a string.
 */
static int
json_plain_kind(const char *s, size_t len)
{
	static const char *const words[] = {
		"true", "True", "TRUE", "false", "False", "FALSE",
	};
	size_t i = 0;
	size_t digits = 0;
	size_t start;

	for (i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (strlen(words[i]) == len && memcmp(s, words[i], len) == 0)
			return i < 3 ? 1 : 2;
	i = 0;
	if (i < len && s[i] == '-')
		i++;
	start = i;
	while (i < len && s[i] >= '0' && s[i] <= '9') {
		i++;
		digits++;
	}
	/* No leading zeros: 0755 stays a string. */
	if (digits == 0 || i != len || (s[start] == '0' && digits > 1))
		return 0;
	return 3;
}

static void
json_node(struct json_out *o, const struct yamlx_node *n)
{
	size_t i;
	int kind;

	if (++o->nodes > YAMLX_JSON_MAX_NODES) {
		o->err = -E2BIG;
		return;
	}
	if (n == NULL) {
		fputs("null", o->fp);
		return;
	}
	switch (n->type) {
	case YAMLX_SCALAR:
		kind = n->style == YAMLX_PLAIN ?
			json_plain_kind(n->scalar, n->len) : 0;
		if (n->style == YAMLX_PLAIN && yamlx_is_null(n))
			fputs("null", o->fp);
		else if (kind == 1 || kind == 2)
			fputs(kind == 1 ? "true" : "false", o->fp);
		else if (kind == 3)
			fwrite(n->scalar, 1, n->len, o->fp);
		else
			json_string(o, n->scalar, n->len);
		break;
	case YAMLX_SEQ:
		putc('[', o->fp);
		for (i = 0; i < n->n && o->err == 0; i++) {
			if (i > 0)
				putc(',', o->fp);
			json_node(o, n->items[i]);
		}
		putc(']', o->fp);
		break;
	case YAMLX_MAP:
		putc('{', o->fp);
		for (i = 0; i < n->n && o->err == 0; i++) {
			const struct yamlx_node *k = n->pairs[i].key;

			if (i > 0)
				putc(',', o->fp);
			json_string(o, k->scalar, k->len);
			putc(':', o->fp);
			json_node(o, n->pairs[i].value);
		}
		putc('}', o->fp);
		break;
	}
}

int
yamlx_emit_json(FILE *fp, struct yamlx_node *const *docs, size_t ndocs)
{
	struct json_out o = { fp, 0, 0 };
	size_t i;

	putc('[', fp);
	for (i = 0; i < ndocs && o.err == 0; i++) {
		fputs(i > 0 ? ",\n" : "\n", fp);
		json_node(&o, docs[i]);
	}
	fputs("\n]\n", fp);
	if (o.err != 0)
		return o.err;
	return ferror(fp) ? -1 : 0;
}
