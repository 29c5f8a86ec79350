/* SPDX-License-Identifier: MIT */
/* test_yamlx.c -- unit tests for yamlx: positions, aliases, errors, emit. */
#include "autoconfig.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/yamlx.h"
#include "util/yamlx_int.h"
#include "../tmpdir.h"

struct fixture {
	struct diag_list errs;
	struct yamlx_stream *stream;
	char *out;		/* emitted text */
	size_t outlen;
	char path[256];		/* temporary file, when one was made */
};

static int
setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	diag_list_init(&f->errs);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;

	yamlx_stream_free(f->stream);
	diag_list_clear(&f->errs);
	free(f->out);
	if (f->path[0] != '\0')
		unlink(f->path);
	free(f);
	return 0;
}

static int
load(struct fixture *f, const char *text)
{
	yamlx_stream_free(f->stream);
	f->stream = NULL;
	diag_list_clear(&f->errs);
	return yamlx_load_string(&f->stream, "t.yaml", text, strlen(text),
				 &f->errs);
}

/* The diagnostics, formatted, one per line. */
static const char *
messages(struct fixture *f)
{
	static char all[8192];
	char one[1024];
	size_t i;

	all[0] = '\0';
	for (i = 0; i < f->errs.n; i++) {
		diag_format(&f->errs.v[i], one, sizeof(one));
		strncat(all, one, sizeof(all) - strlen(all) - 2);
		strcat(all, "\n");
	}
	return all;
}

static void
assert_fails_with(struct fixture *f, const char *text, const char *expect)
{
	assert_int_equal(load(f, text), -1);
	assert_null(f->stream);
	assert_string_equal(messages(f), expect);
}

static const char *
emit(struct fixture *f, struct yamlx_node *const *docs, size_t n)
{
	FILE *fp = NULL;

	free(f->out);
	f->out = NULL;
	fp = open_memstream(&f->out, &f->outlen);
	assert_non_null(fp);
	assert_int_equal(yamlx_emit(fp, docs, n), 0);
	assert_int_equal(fclose(fp), 0);
	return f->out;
}

static void
assert_pos(const struct yamlx_node *n, int line, int column)
{
	assert_non_null(n);
	assert_string_equal(n->file, "t.yaml");
	assert_int_equal(n->line, line);
	assert_int_equal(n->column, column);
}

static void
test_positions(void **state)
{
	struct fixture *f = *state;
	struct yamlx_node *root, *list, *item;

	assert_int_equal(load(f, "# comment\n"
			      "name: redis\n"
			      "ports:\n"
			      "  - port: 6379\n"
			      "    \"app\": 'tcp'\n"
			      "  - {port: 80, x: [a, b]}\n"), 0);
	assert_int_equal(f->stream->ndocs, 1);
	root = f->stream->docs[0];
	assert_int_equal(root->type, YAMLX_MAP);
	assert_pos(root, 2, 1);
	assert_int_equal(root->n, 2);
	assert_pos(root->pairs[0].key, 2, 1);
	assert_pos(root->pairs[0].value, 2, 7);
	assert_string_equal(root->pairs[0].value->scalar, "redis");
	assert_int_equal(root->pairs[0].value->len, 5);
	assert_int_equal(root->pairs[0].value->style, YAMLX_PLAIN);

	list = yamlx_map_get(root, "ports");
	assert_int_equal(list->type, YAMLX_SEQ);
	assert_pos(list, 4, 3);
	assert_int_equal(list->n, 2);
	item = list->items[0];
	assert_pos(item, 4, 5);
	assert_pos(item->pairs[1].key, 5, 5);
	assert_int_equal(item->pairs[1].key->style, YAMLX_QUOTED);
	assert_pos(yamlx_map_get(item, "app"), 5, 12);
	assert_int_equal(yamlx_map_get(item, "app")->style, YAMLX_QUOTED);
	item = list->items[1];
	assert_pos(item, 6, 5);
	assert_pos(yamlx_map_get(item, "port"), 6, 12);
	assert_pos(yamlx_map_get(item, "x"), 6, 19);
	assert_pos(yamlx_map_get(item, "x")->items[1], 6, 23);
}

static void
test_map_get_and_type_name(void **state)
{
	struct fixture *f = *state;
	struct yamlx_node *root;

	assert_int_equal(load(f, "a: [1]\nb: {c: d}\nc: x\n"), 0);
	root = f->stream->docs[0];
	assert_string_equal(yamlx_type_name(root), "mapping");
	assert_string_equal(yamlx_type_name(yamlx_map_get(root, "a")),
			    "sequence");
	assert_string_equal(yamlx_type_name(yamlx_map_get(root, "c")),
			    "scalar");
	assert_string_equal(yamlx_type_name(NULL), "nothing");
	assert_null(yamlx_map_get(root, "d"));
	assert_null(yamlx_map_get(root, "C"));
	assert_null(yamlx_map_get(yamlx_map_get(root, "a"), "a"));
	assert_null(yamlx_map_get(NULL, "a"));
	assert_string_equal(
		yamlx_map_get(yamlx_map_get(root, "b"), "c")->scalar, "d");
}

static void
test_multi_document(void **state)
{
	struct fixture *f = *state;
	struct yamlx_stream *s;

	assert_int_equal(load(f, "a: 1\n---\n---\n# nothing\n...\n"
			      "--- [x]\n---\nb: 2\n"), 0);
	s = f->stream;
	assert_int_equal(s->ndocs, 5);
	assert_string_equal(yamlx_map_get(s->docs[0], "a")->scalar, "1");
	assert_null(s->docs[1]);
	assert_null(s->docs[2]);
	assert_int_equal(s->docs[3]->type, YAMLX_SEQ);
	assert_pos(s->docs[3], 6, 5);
	assert_pos(yamlx_map_get(s->docs[4], "b"), 8, 4);
}

static void
test_empty_documents(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(load(f, ""), 0);
	assert_int_equal(f->stream->ndocs, 0);
	assert_int_equal(load(f, "# only\n# comments\n\n"), 0);
	assert_int_equal(f->stream->ndocs, 0);
	assert_int_equal(load(f, "---\n"), 0);
	assert_int_equal(f->stream->ndocs, 1);
	assert_null(f->stream->docs[0]);
	/* An explicit null or empty string is content, not emptiness. */
	assert_int_equal(load(f, "--- ~\n--- ''\n"), 0);
	assert_int_equal(f->stream->ndocs, 2);
	assert_non_null(f->stream->docs[0]);
	assert_true(yamlx_is_null(f->stream->docs[0]));
	assert_string_equal(f->stream->docs[1]->scalar, "");
	assert_false(yamlx_is_null(f->stream->docs[1]));
}

static void
test_aliases(void **state)
{
	struct fixture *f = *state;
	struct yamlx_node *root, *base;

	assert_int_equal(load(f, "base: &b {x: 1, y: [a]}\n"
			      "name: &n redis\n"
			      "use: *b\n"
			      "again: *n\n"
			      "list: [*b, *n]\n"), 0);
	root = f->stream->docs[0];
	base = yamlx_map_get(root, "base");
	assert_ptr_equal(yamlx_map_get(root, "use"), base);
	assert_ptr_equal(yamlx_map_get(root, "list")->items[0], base);
	assert_ptr_equal(yamlx_map_get(root, "again"),
			 yamlx_map_get(root, "name"));
	assert_ptr_equal(yamlx_map_get(root, "list")->items[1],
			 yamlx_map_get(root, "name"));
	/* The node keeps the anchor's position, not the alias's. */
	assert_pos(yamlx_map_get(root, "use"), 1, 7);
}

static void
test_alias_redefined_and_scoped(void **state)
{
	struct fixture *f = *state;
	struct yamlx_node *root;

	/* The most recent anchor of a name wins. */
	assert_int_equal(load(f, "a: &x one\nb: &x two\nc: *x\n"), 0);
	root = f->stream->docs[0];
	assert_string_equal(yamlx_map_get(root, "c")->scalar, "two");
	/* Anchors do not cross documents. */
	assert_fails_with(f, "a: &x one\n---\nb: *x\n",
			  "t.yaml:3:4: error: alias *x refers to an unknown "
			  "anchor\n");
}

static void
test_alias_errors(void **state)
{
	struct fixture *f = *state;

	assert_fails_with(f, "a: 1\nb: *nope\nc: *other\n",
			  "t.yaml:2:4: error: alias *nope refers to an "
			  "unknown anchor\n"
			  "t.yaml:3:4: error: alias *other refers to an "
			  "unknown anchor\n");
	assert_fails_with(f, "a: &loop\n  b: [1, *loop]\n",
			  "t.yaml:2:10: error: alias *loop refers to a "
			  "collection that contains it (recursive aliases are "
			  "not supported)\n");
}

static void
test_alias_bomb(void **state)
{
	struct fixture *f = *state;
	char text[4096];
	int i;

	/* Each level holds ten aliases of the last: 10^7 nodes expanded. */
	strcpy(text, "l0: &l0 [x, x, x, x, x, x, x, x, x, x]\n");
	for (i = 1; i <= 7; i++)
		snprintf(text + strlen(text), sizeof(text) - strlen(text),
			 "l%d: &l%d [*l%d, *l%d, *l%d, *l%d, *l%d, *l%d, "
			 "*l%d, *l%d, *l%d, *l%d]\n", i, i, i - 1, i - 1,
			 i - 1, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1,
			 i - 1);
	assert_fails_with(f, text,
			  "t.yaml:1:1: error: aliases in this document expand "
			  "to more than 1000000 extra nodes; not supported\n");
	/* Five levels (about 10^5 nodes) are fine. */
	*strstr(text, "l5:") = '\0';
	assert_int_equal(load(f, text), 0);
}

/*
 * Readers copy what they keep: a file may add at most 16 MiB of scalar
 * text through aliases, all its documents together; the alias that
 * passes it is named.
 */
static void
test_alias_bytes(void **state)
{
	struct fixture *f = *state;
	char *text = malloc(8192);
	char *doc = malloc(4096);
	int i;

	assert_non_null(text);
	assert_non_null(doc);
	/* A 1,000-byte scalar, then levels of ten aliases of the last:
	 * 11.1 MB through l4, 10 MB more at the first alias in l5. */
	snprintf(doc, 4096, "l0: &l0 %01000d\n", 0);
	for (i = 1; i <= 5; i++)
		snprintf(doc + strlen(doc), 4096 - strlen(doc),
			 "l%d: &l%d [*l%d, *l%d, *l%d, *l%d, *l%d, *l%d, "
			 "*l%d, *l%d, *l%d, *l%d]\n", i, i, i - 1, i - 1,
			 i - 1, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1,
			 i - 1);
	assert_fails_with(f, doc,
			  "t.yaml:6:10: error: alias *l4: aliases in this "
			  "file expand to more than 16777216 bytes of text; "
			  "not supported\n");
	/* Up to l4 it loads; twice in one file it is too much. */
	*strstr(doc, "l5:") = '\0';
	assert_int_equal(load(f, doc), 0);
	snprintf(text, 8192, "%s---\n%s", doc, doc);
	assert_fails_with(f, text,
			  "t.yaml:11:30: error: alias *l3: aliases in this "
			  "file expand to more than 16777216 bytes of text; "
			  "not supported\n");
	free(text);
	free(doc);
}

static void
test_merge_key(void **state)
{
	struct fixture *f = *state;

	assert_fails_with(f, "base: &b {x: 1}\n"
			  "use:\n"
			  "  <<: *b\n"
			  "  y: 2\n",
			  "t.yaml:3:3: error: merge keys (<<) are not "
			  "supported\n");
	/* Quoted, it is an ordinary key. */
	assert_int_equal(load(f, "\"<<\": 1\n"), 0);
	assert_string_equal(yamlx_map_get(f->stream->docs[0], "<<")->scalar,
			    "1");
}

static void
test_duplicate_keys(void **state)
{
	struct fixture *f = *state;

	assert_fails_with(f, "name: a\n"
			  "spec:\n"
			  "  port: 1\n"
			  "  \"port\": 2\n"
			  "name: b\n"
			  "other: {x: 1, x: 2}\n",
			  "t.yaml:4:3: error: duplicate key \"port\" (first "
			  "defined at line 3, column 3)\n"
			  "t.yaml:5:1: error: duplicate key \"name\" (first "
			  "defined at line 1, column 1)\n"
			  "t.yaml:6:15: error: duplicate key \"x\" (first "
			  "defined at line 6, column 9)\n");
	/* The same key in different mappings is fine. */
	assert_int_equal(load(f, "a: {x: 1}\nb: {x: 2}\n"), 0);
}

static void
test_duplicate_keys_big_mapping(void **state)
{
	struct fixture *f = *state;
	char *text = NULL;
	size_t len = 0, i;
	FILE *fp = open_memstream(&text, &len);

	/* More keys than the pairwise check handles: the sorting path. */
	assert_non_null(fp);
	for (i = 0; i < 40; i++)
		fprintf(fp, "k%zu: %zu\n", i, i);
	fprintf(fp, "k7: again\nk39: again\nk7: third\n");
	assert_int_equal(fclose(fp), 0);
	assert_fails_with(f, text,
			  "t.yaml:41:1: error: duplicate key \"k7\" (first "
			  "defined at line 8, column 1)\n"
			  "t.yaml:42:1: error: duplicate key \"k39\" (first "
			  "defined at line 40, column 1)\n"
			  "t.yaml:43:1: error: duplicate key \"k7\" (first "
			  "defined at line 8, column 1)\n");
	free(text);
}

static void
test_non_scalar_key(void **state)
{
	struct fixture *f = *state;

	assert_fails_with(f, "? [a, b]\n: 1\n? {c: d}\n: 2\n",
			  "t.yaml:1:3: error: a mapping key must be a scalar, "
			  "not a sequence\n"
			  "t.yaml:3:3: error: a mapping key must be a scalar, "
			  "not a mapping\n");
}

static void
test_syntax_errors(void **state)
{
	struct fixture *f = *state;
	static const struct {
		const char *text;
		const char *expect;
	} cases[] = {
		{ "a: 1\nb:\n  c: d: e\n",
		  "t.yaml:3:7: error: mapping values are not allowed in this "
		  "context\n" },
		{ "a: [1, 2\n",
		  "t.yaml:2:1: error: did not find expected ',' or ']' (while "
		  "parsing a flow sequence that started at line 1, column 4)\n" },
		{ "a:\n  b: 1\n c: 2\n",
		  "t.yaml:3:2: error: did not find expected key (while parsing "
		  "a block mapping that started at line 1, column 1)\n" },
		{ "a: \"open\n",
		  "t.yaml:2:1: error: found unexpected end of stream (while "
		  "scanning a quoted scalar that started at line 1, column 4)\n" },
		{ "a: 1\nb: \xff\n",
		  "t.yaml:2:4: error: invalid leading UTF-8 octet (0xff)\n" },
		{ "\tkey: 1\n",
		  "t.yaml:1:1: error: found character that cannot start any "
		  "token (while scanning for the next token that started at "
		  "line 1, column 1)\n" },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		assert_fails_with(f, cases[i].text, cases[i].expect);
}

static void
test_nesting_limit(void **state)
{
	struct fixture *f = *state;
	char text[2048];

	memset(text, '[', 600);
	text[600] = '\0';
	assert_fails_with(f, text,
			  "t.yaml:1:513: error: collections nested more than "
			  "512 levels deep are not supported\n");
	memset(text, '[', 100);
	memset(text + 100, ']', 100);
	text[200] = '\0';
	assert_int_equal(load(f, text), 0);
}

static void
test_scalar_contents(void **state)
{
	struct fixture *f = *state;
	struct yamlx_node *root;

	assert_int_equal(load(f, "nul: \"a\\0b\"\n"
			      "folded: >\n  one\n  two\n"
			      "literal: |\n  one\n  two\n"
			      "str: !!str 30\n"
			      "nonspecific: ! 30\n"
			      "int: !!int 30\n"
			      "utf8: \"\\u00e9t\\u00e9\"\n"), 0);
	root = f->stream->docs[0];
	assert_int_equal(yamlx_map_get(root, "nul")->len, 3);
	assert_memory_equal(yamlx_map_get(root, "nul")->scalar, "a\0b", 4);
	assert_string_equal(yamlx_map_get(root, "folded")->scalar,
			    "one two\n");
	assert_int_equal(yamlx_map_get(root, "folded")->style, YAMLX_QUOTED);
	assert_string_equal(yamlx_map_get(root, "literal")->scalar,
			    "one\ntwo\n");
	assert_int_equal(yamlx_map_get(root, "str")->style, YAMLX_QUOTED);
	assert_int_equal(yamlx_map_get(root, "nonspecific")->style,
			 YAMLX_QUOTED);
	assert_int_equal(yamlx_map_get(root, "int")->style, YAMLX_PLAIN);
	assert_string_equal(yamlx_map_get(root, "utf8")->scalar,
			    "\xc3\xa9t\xc3\xa9");
}

static void
test_is_null(void **state)
{
	struct fixture *f = *state;
	static const struct {
		const char *text;
		int null;
	} cases[] = {
		{ "v:\n", 1 }, { "v: ~\n", 1 }, { "v: null\n", 1 },
		{ "v: Null\n", 1 }, { "v: NULL\n", 1 }, { "v: nULL\n", 0 },
		{ "v: ''\n", 0 }, { "v: \"null\"\n", 0 }, { "v: []\n", 0 },
		{ "v: {}\n", 0 }, { "v: 0\n", 0 },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(load(f, cases[i].text), 0);
		assert_int_equal(
			yamlx_is_null(yamlx_map_get(f->stream->docs[0], "v")),
			cases[i].null);
	}
	assert_false(yamlx_is_null(NULL));
}

static void
test_bool(void **state)
{
	struct fixture *f = *state;
	static const struct {
		const char *text;
		int rc;
		int value;
	} cases[] = {
		{ "true", 0, 1 }, { "True", 0, 1 }, { "TRUE", 0, 1 },
		{ "yes", 0, 1 }, { "Yes", 0, 1 }, { "YES", 0, 1 },
		{ "on", 0, 1 }, { "On", 0, 1 }, { "ON", 0, 1 },
		{ "y", 0, 1 }, { "Y", 0, 1 },
		{ "false", 0, 0 }, { "False", 0, 0 }, { "FALSE", 0, 0 },
		{ "no", 0, 0 }, { "No", 0, 0 }, { "NO", 0, 0 },
		{ "off", 0, 0 }, { "Off", 0, 0 }, { "OFF", 0, 0 },
		{ "n", 0, 0 }, { "N", 0, 0 },
		{ "tRUE", -1, 0 }, { "1", -1, 0 }, { "0", -1, 0 },
		{ "\"true\"", -1, 0 }, { "''", -1, 0 }, { "", -1, 0 },
		{ "[true]", -1, 0 }, { "yess", -1, 0 },
	};
	char text[64];
	size_t i;
	int v;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(text, sizeof(text), "v: %s\n", cases[i].text);
		assert_int_equal(load(f, text), 0);
		v = 42;
		assert_int_equal(yamlx_bool(yamlx_map_get(f->stream->docs[0],
							   "v"), &v),
				 cases[i].rc);
		assert_int_equal(v, cases[i].rc == 0 ? cases[i].value : 42);
	}
	assert_int_equal(yamlx_bool(NULL, &v), -1);
}

static void
test_int(void **state)
{
	struct fixture *f = *state;
	static const struct {
		const char *text;
		long long min, max;
		int rc;
		long long value;
	} cases[] = {
		{ "0", 0, 10, 0, 0 },
		{ "10", 0, 10, 0, 10 },
		{ "11", 0, 10, -1, 0 },
		{ "-1", 0, 10, -1, 0 },
		{ "-1", -5, 10, 0, -1 },
		{ "-0", 0, 10, 0, 0 },
		{ "65535", 1, 65535, 0, 65535 },
		{ "9223372036854775807", LLONG_MIN, LLONG_MAX, 0, LLONG_MAX },
		{ "-9223372036854775808", LLONG_MIN, LLONG_MAX, 0, LLONG_MIN },
		{ "9223372036854775808", LLONG_MIN, LLONG_MAX, -1, 0 },
		{ "-9223372036854775809", LLONG_MIN, LLONG_MAX, -1, 0 },
		{ "99999999999999999999999", LLONG_MIN, LLONG_MAX, -1, 0 },
		{ "010", 0, 100, -1, 0 },
		{ "+1", 0, 100, -1, 0 },
		{ "0x10", 0, 100, -1, 0 },
		{ "1_000", 0, 10000, -1, 0 },
		{ "1.0", 0, 100, -1, 0 },
		{ "1e3", 0, 10000, -1, 0 },
		{ "--1", -10, 10, -1, 0 },
		{ "1-", -10, 10, -1, 0 },
		{ "", 0, 10, -1, 0 },
		{ "\"5\"", 0, 10, -1, 0 },
		{ "5s", 0, 10, -1, 0 },
		{ "[5]", 0, 10, -1, 0 },
	};
	char text[64];
	size_t i;
	long long v;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(text, sizeof(text), "v: %s\n", cases[i].text);
		assert_int_equal(load(f, text), 0);
		v = 42;
		assert_int_equal(yamlx_int(yamlx_map_get(f->stream->docs[0],
							  "v"),
					   cases[i].min, cases[i].max, &v),
				 cases[i].rc);
		assert_true(v == (cases[i].rc == 0 ? cases[i].value : 42));
	}
}

static void
write_file(struct fixture *f, const char *text)
{
	int fd;

	assert_int_equal(test_tmpname(f->path, sizeof(f->path), "test_yamlx"),
			 0);
	fd = mkstemp(f->path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	assert_int_equal(close(fd), 0);
}

static void
test_load_file(void **state)
{
	struct fixture *f = *state;
	struct yamlx_node *v;

	write_file(f, "a: 1\n---\nb: [x]\n");
	assert_int_equal(yamlx_load_file(&f->stream, f->path, &f->errs), 0);
	assert_string_equal(f->stream->file, f->path);
	assert_int_equal(f->stream->ndocs, 2);
	v = yamlx_map_get(f->stream->docs[1], "b");
	assert_string_equal(v->file, f->path);
	assert_int_equal(v->line, 3);
	assert_int_equal(v->column, 4);
}

static void
test_load_file_errors(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(yamlx_load_file(&f->stream, "/nonexistent/x.yaml",
					 &f->errs), -1);
	assert_null(f->stream);
	assert_string_equal(messages(f), "error: cannot read "
			    "/nonexistent/x.yaml: No such file or directory\n");
	diag_list_clear(&f->errs);
	assert_int_equal(yamlx_load_file(&f->stream, "/", &f->errs), -1);
	assert_string_equal(messages(f),
			    "error: cannot read /: Is a directory\n");
	diag_list_clear(&f->errs);
	write_file(f, "a: 1\na: 2\n");
	assert_int_equal(yamlx_load_file(&f->stream, f->path, &f->errs), -1);
	assert_int_equal(f->errs.n, 1);
	assert_string_equal(f->errs.v[0].file, f->path);
	assert_int_equal(f->errs.v[0].line, 2);
}

static void
test_big_stream(void **state)
{
	struct fixture *f = *state;
	char *text = NULL;
	size_t len = 0, i;
	FILE *fp = open_memstream(&text, &len);

	/* 100k documents and a 100k-item sequence load in linear time. */
	assert_non_null(fp);
	for (i = 0; i < 100000; i++)
		fprintf(fp, "---\ntype: MeshService\nname: svc-%zu\n"
			"spec: {ports: [{port: %zu}]}\n", i, i % 65535 + 1);
	fprintf(fp, "---\n");
	for (i = 0; i < 100000; i++)
		fprintf(fp, "- &a%zu item-%zu\n", i, i);
	fprintf(fp, "- *a99999\n");
	assert_int_equal(fclose(fp), 0);
	assert_int_equal(yamlx_load_string(&f->stream, "big.yaml", text, len,
					   &f->errs), 0);
	free(text);
	assert_int_equal(f->stream->ndocs, 100001);
	assert_string_equal(
		yamlx_map_get(f->stream->docs[99999], "name")->scalar,
		"svc-99999");
	assert_int_equal(yamlx_map_get(f->stream->docs[99999], "name")->line,
			 4 * 99999 + 3);
	assert_int_equal(f->stream->docs[100000]->n, 100001);
	assert_ptr_equal(f->stream->docs[100000]->items[100000],
			 f->stream->docs[100000]->items[99999]);
}

static void
test_emit_built(void **state)
{
	struct fixture *f = *state;
	struct yamlx_node *doc = yamlx_node_new_map();
	struct yamlx_node *seq = yamlx_node_new_seq();
	struct yamlx_node *docs[2];

	assert_non_null(doc);
	assert_non_null(seq);
	assert_int_equal(yamlx_map_add_str(doc, "name", "redis"), 0);
	assert_int_equal(yamlx_map_add(doc, "port",
				       yamlx_node_new_scalar("6379",
							     YAMLX_PLAIN)), 0);
	assert_int_equal(yamlx_map_add(doc, "forced",
				       yamlx_node_new_scalar("abc",
							     YAMLX_QUOTED)), 0);
	assert_int_equal(yamlx_seq_add(seq, yamlx_node_new_scalar(
				"redis.svc.mesh.local", YAMLX_PLAIN)), 0);
	assert_int_equal(yamlx_seq_add(seq, yamlx_node_new_scalar(
				"241.0.0.1", YAMLX_PLAIN)), 0);
	assert_int_equal(yamlx_map_add(doc, "hostnames", seq), 0);
	assert_int_equal(yamlx_map_add(doc, "empty", yamlx_node_new_seq()), 0);
	assert_int_equal(yamlx_map_add(doc, "nested", yamlx_node_new_map()),
			 0);
	assert_int_equal(yamlx_map_add_str(doc->pairs[5].value, "true",
					   "a: b"), 0);
	assert_int_equal(yamlx_map_add_str(doc, "nothing", NULL), 0);
	assert_int_equal(yamlx_map_add_str(doc, "long",
		"a very long string that should not be folded by the emitter "
		"even though it is longer than eighty characters"), 0);
	docs[0] = doc;
	docs[1] = NULL;
	assert_string_equal(emit(f, docs, 2),
		"name: redis\n"
		"port: 6379\n"
		"forced: \"abc\"\n"
		"hostnames:\n"
		"- redis.svc.mesh.local\n"
		"- 241.0.0.1\n"
		"empty: []\n"
		"nested:\n"
		"  \"true\": 'a: b'\n"
		"nothing: null\n"
		"long: a very long string that should not be folded by the "
		"emitter even though it is longer than eighty characters\n"
		"---\n");
	assert_string_equal(emit(f, NULL, 0), "");
	/* An empty first document keeps its "---", or it would vanish. */
	docs[0] = NULL;
	docs[1] = doc->pairs[5].value;
	assert_string_equal(emit(f, docs, 2), "---\n---\n\"true\": 'a: b'\n");
	assert_int_equal(load(f, f->out), 0);
	assert_int_equal(f->stream->ndocs, 2);
	assert_null(f->stream->docs[0]);
	yamlx_node_free(doc);
}

static void
test_emit_quoting(void **state)
{
	struct fixture *f = *state;
	static const struct {
		const char *value;
		const char *line;
	} cases[] = {
		/* would read as something other than a string */
		{ "", "v: \"\"\n" },
		{ "~", "v: \"~\"\n" },
		{ "null", "v: \"null\"\n" },
		{ "NULL", "v: \"NULL\"\n" },
		{ "True", "v: \"True\"\n" },
		{ "false", "v: \"false\"\n" },
		{ "yes", "v: \"yes\"\n" },
		{ "No", "v: \"No\"\n" },
		{ "on", "v: \"on\"\n" },
		{ "y", "v: \"y\"\n" },
		{ "123", "v: \"123\"\n" },
		{ "-1", "v: \"-1\"\n" },
		{ "+1", "v: \"+1\"\n" },
		{ "0123", "v: \"0123\"\n" },
		{ "0x1F", "v: \"0x1F\"\n" },
		{ "0o17", "v: \"0o17\"\n" },
		{ "0b101", "v: \"0b101\"\n" },
		{ "1_000", "v: \"1_000\"\n" },
		{ "1.5", "v: \"1.5\"\n" },
		{ ".5", "v: \".5\"\n" },
		{ "1e3", "v: \"1e3\"\n" },
		{ "-1.5E-3", "v: \"-1.5E-3\"\n" },
		{ "12:30", "v: \"12:30\"\n" },
		{ ".inf", "v: \".inf\"\n" },
		{ "-.Inf", "v: \"-.Inf\"\n" },
		{ ".NaN", "v: \".NaN\"\n" },
		{ "2024-05-01", "v: \"2024-05-01\"\n" },
		{ "2024-05-01T10:00:00Z", "v: \"2024-05-01T10:00:00Z\"\n" },
		{ "<<", "v: \"<<\"\n" },
		{ "=", "v: \"=\"\n" },
		/* cannot be plain: libyaml's emitter quotes these itself */
		{ "a: b", "v: 'a: b'\n" },
		{ "- x", "v: '- x'\n" },
		{ "#x", "v: '#x'\n" },
		{ " lead", "v: ' lead'\n" },
		{ "two\nlines", "v: \"two\\nlines\"\n" },
		{ "tab\there", "v: \"tab\\there\"\n" },
		{ "end\n", "v: \"end\\n\"\n" },
		/* plain strings stay plain */
		{ "redis", "v: redis\n" },
		{ "241.0.0.1", "v: 241.0.0.1\n" },
		{ "1.2.3", "v: 1.2.3\n" },
		{ "v1alpha1", "v: v1alpha1\n" },
		{ "1h30m", "v: 1h30m\n" },
		{ "0x", "v: 0x\n" },
		{ "e3", "v: e3\n" },
		{ "nulls", "v: nulls\n" },
		{ "yesterday", "v: yesterday\n" },
		{ "k8s.kuma.io/namespace", "v: k8s.kuma.io/namespace\n" },
		{ "\xc3\xa9t\xc3\xa9", "v: \xc3\xa9t\xc3\xa9\n" },
	};
	struct yamlx_node *doc = NULL;
	struct yamlx_node *v = NULL;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		doc = yamlx_node_new_map();
		assert_non_null(doc);
		assert_int_equal(yamlx_map_add_str(doc, "v", cases[i].value),
				 0);
		assert_string_equal(emit(f, &doc, 1), cases[i].line);
		yamlx_node_free(doc);
		/* And it reads back as the same string. */
		assert_int_equal(load(f, f->out), 0);
		v = yamlx_map_get(f->stream->docs[0], "v");
		assert_string_equal(v->scalar, cases[i].value);
		assert_false(yamlx_is_null(v));
	}
}

static void
assert_same_tree(const struct yamlx_node *a, const struct yamlx_node *b)
{
	size_t i;

	if (a == NULL || b == NULL) {
		assert_ptr_equal(a, b);
		return;
	}
	assert_int_equal(a->type, b->type);
	assert_int_equal(a->n, b->n);
	switch (a->type) {
	case YAMLX_SCALAR:
		assert_int_equal(a->len, b->len);
		assert_memory_equal(a->scalar, b->scalar, a->len);
		assert_int_equal(a->style, b->style);
		break;
	case YAMLX_SEQ:
		for (i = 0; i < a->n; i++)
			assert_same_tree(a->items[i], b->items[i]);
		break;
	case YAMLX_MAP:
		for (i = 0; i < a->n; i++) {
			assert_same_tree(a->pairs[i].key, b->pairs[i].key);
			assert_same_tree(a->pairs[i].value, b->pairs[i].value);
		}
		break;
	}
}

static void
test_emit_round_trip(void **state)
{
	struct fixture *f = *state;
	struct yamlx_stream *first = NULL;
	static const char text[] =
		"type: MeshService\n"
		"name: redis\n"
		"labels: {kuma.io/zone: east, \"k8s.kuma.io/namespace\": ns}\n"
		"spec:\n"
		"  ports:\n"
		"  - port: 6379\n"
		"    appProtocol: 'tcp'\n"
		"  - {port: 80, name: \"80\"}\n"
		"  empty: []\n"
		"  none: {}\n"
		"  nothing:\n"
		"  text: |\n    two\n    lines\n"
		"  nul: \"a\\0b\"\n"
		"  anchored: &x {a: 1}\n"
		"  aliased: *x\n"
		"---\n"
		"---\n"
		"- plain\n"
		"- \"\"\n"
		"- [1, [2, [3]]]\n";
	size_t i;

	assert_int_equal(load(f, text), 0);
	first = f->stream;
	f->stream = NULL;
	emit(f, first->docs, first->ndocs);
	assert_int_equal(load(f, f->out), 0);
	assert_int_equal(f->stream->ndocs, first->ndocs);
	for (i = 0; i < first->ndocs; i++)
		assert_same_tree(first->docs[i], f->stream->docs[i]);
	yamlx_stream_free(first);
}

/*
 * What an alias shares is written once, with an anchor, then aliased:
 * the output of a "billion laughs" grows as its file, not as its
 * expansion, and reads back as the same tree.
 */
static void
test_emit_aliases(void **state)
{
	struct fixture *f = *state;
	struct yamlx_stream *first = NULL;
	struct yamlx_node *doc = NULL;
	static const char text[] =
		"l0: &l0 \"lol lol lol lol lol lol lol lol\"\n"
		"l1: &l1 [*l0, *l0, *l0, *l0, *l0, *l0, *l0, *l0, *l0, *l0]\n"
		"l2: &l2 [*l1, *l1, *l1, *l1, *l1, *l1, *l1, *l1, *l1, *l1]\n"
		"l3: &l3 [*l2, *l2, *l2, *l2, *l2, *l2, *l2, *l2, *l2, *l2]\n"
		"l4: &l4 [*l3, *l3, *l3, *l3, *l3, *l3, *l3, *l3, *l3, *l3]\n"
		"l5: &l5 [*l4, *l4, *l4, *l4, *l4, *l4, *l4, *l4, *l4, *l4]\n"
		"once: &o {a: 1}\n";
	struct yamlx_node *root = NULL;

	assert_int_equal(load(f, text), 0);
	first = f->stream;
	f->stream = NULL;
	emit(f, first->docs, 1);
	/* 100,000 laughs expanded: more than 4 MB. */
	assert_true(f->outlen < 1000);
	assert_non_null(strstr(f->out, "l0: &a1 \"lol lol lol lol lol lol "
			       "lol lol\"\nl1: &a2\n- *a1\n- *a1\n"));
	assert_non_null(strstr(f->out, "l5:\n- *a5\n"));
	/* Reached once: written without an anchor. */
	assert_non_null(strstr(f->out, "once:\n  a: 1\n"));
	assert_int_equal(load(f, f->out), 0);
	root = f->stream->docs[0];
	assert_same_tree(first->docs[0], root);
	assert_ptr_equal(yamlx_map_get(root, "l5")->items[9],
			 yamlx_map_get(root, "l4"));

	/* A parsed node borrowed into a built document: shared likewise,
	 * and its keys are written as a built map's would be. */
	doc = yamlx_node_new_map();
	assert_non_null(doc);
	assert_int_equal(yamlx_map_add_str(doc, "type", "x"), 0);
	assert_int_equal(yamlx_map_add(doc, "spec", first->docs[0]), 0);
	emit(f, &doc, 1);
	assert_true(f->outlen < 1000);
	assert_non_null(strstr(f->out, "type: x\nspec:\n  l0: &a1 \"lol"));
	yamlx_node_free(doc);
	yamlx_stream_free(first);
}

static void
test_build_errors(void **state)
{
	struct yamlx_node *map = yamlx_node_new_map();
	struct yamlx_node *seq = yamlx_node_new_seq();

	(void)state;
	assert_non_null(map);
	assert_non_null(seq);
	/* A failed allocation of the value is passed on as -ENOMEM. */
	assert_int_equal(yamlx_map_add(map, "k", NULL), -ENOMEM);
	assert_int_equal(yamlx_seq_add(seq, NULL), -ENOMEM);
	/* Wrong container: the value is freed (no leak under ASan). */
	assert_int_equal(yamlx_seq_add(map, yamlx_node_new_scalar("x",
							YAMLX_PLAIN)), -EINVAL);
	assert_int_equal(yamlx_map_add(seq, "k", yamlx_node_new_scalar("x",
							YAMLX_PLAIN)), -EINVAL);
	assert_int_equal(map->n, 0);
	assert_int_equal(seq->n, 0);
	yamlx_node_free(map);
	yamlx_node_free(seq);
	yamlx_node_free(NULL);
	yamlx_stream_free(NULL);
}

/* JSON: plain scalars typed by YAML 1.2's core schema, aliases expanded. */
static void
test_emit_json(void **state)
{
	struct fixture *f = *state;
	FILE *fp = NULL;

	assert_int_equal(load(f, "a: 1\nb: \"1\"\nc: true\nd: ~\n"
			      "e: 0755\nf: -3\ng: [x, &k {h: \"q\\\"\\t\"}, *k]\n"
			      "i: yes\n---\n- <b>\n"), 0);
	free(f->out);
	f->out = NULL;
	fp = open_memstream(&f->out, &f->outlen);
	assert_non_null(fp);
	assert_int_equal(yamlx_emit_json(fp, f->stream->docs,
					 f->stream->ndocs), 0);
	assert_int_equal(fclose(fp), 0);
	assert_string_equal(f->out,
		"[\n{\"a\":1,\"b\":\"1\",\"c\":true,\"d\":null,"
		"\"e\":\"0755\",\"f\":-3,\"g\":[\"x\",{\"h\":\"q\\\"\\t\"},"
		"{\"h\":\"q\\\"\\t\"}],\"i\":\"yes\"},\n"
		"[\"<b>\"]\n]\n");
}

/* --- JSON read with yajl gives what libyaml gives --- */

/* @a and @b are the same tree: types, positions, scalars, styles. */
static void
assert_same_parse(const struct yamlx_node *a, const struct yamlx_node *b,
		 const char *text)
{
	size_t i;

	if (a == NULL || b == NULL) {
		if (a != b)
			fail_msg("%s: one tree has a node the other has not",
				 text);
		return;
	}
	if (a->type != b->type || a->line != b->line ||
	    a->column != b->column || strcmp(a->file, b->file) != 0 ||
	    a->n != b->n || a->cap != b->cap)
		fail_msg("%s: node at %d:%d (type %d, %zu children) differs "
			 "from libyaml's at %d:%d (type %d, %zu children)",
			 text, a->line, a->column, a->type, a->n, b->line,
			 b->column, b->type, b->n);
	switch (a->type) {
	case YAMLX_SCALAR:
		if (a->len != b->len || a->style != b->style ||
		    memcmp(a->scalar, b->scalar, a->len + 1) != 0)
			fail_msg("%s: scalar %s (style %d) at %d:%d differs "
				 "from libyaml's %s (style %d)", text,
				 a->scalar, a->style, a->line, a->column,
				 b->scalar, b->style);
		break;
	case YAMLX_SEQ:
		for (i = 0; i < a->n; i++)
			assert_same_parse(a->items[i], b->items[i], text);
		break;
	case YAMLX_MAP:
		for (i = 0; i < a->n; i++) {
			assert_same_parse(a->pairs[i].key, b->pairs[i].key,
					 text);
			assert_same_parse(a->pairs[i].value,
					 b->pairs[i].value, text);
		}
		break;
	}
}

/* Two loads' results: the same code, messages, documents and trees. */
static void
assert_same_load(int r1, const struct yamlx_stream *s1,
		 const struct diag_list *e1, int r2,
		 const struct yamlx_stream *s2, const struct diag_list *e2,
		 const char *text)
{
	int l1, c1, l2, c2;
	size_t i;

	if (r1 != r2)
		fail_msg("%s: %d, libyaml %d", text, r1, r2);
	if (e1->n != e2->n)
		fail_msg("%s: %zu messages, libyaml %zu", text, e1->n, e2->n);
	for (i = 0; i < e1->n; i++) {
		char m1[1024], m2[1024];

		diag_format(&e1->v[i], m1, sizeof(m1));
		diag_format(&e2->v[i], m2, sizeof(m2));
		if (strcmp(m1, m2) != 0)
			fail_msg("%s: \"%s\", libyaml \"%s\"", text, m1, m2);
	}
	if (r1 != 0)
		return;
	assert_int_equal(s1->ndocs, s2->ndocs);
	for (i = 0; i < s1->ndocs; i++) {
		yamlx_doc_position(s1, i, &l1, &c1);
		yamlx_doc_position(s2, i, &l2, &c2);
		if (l1 != l2 || c1 != c2)
			fail_msg("%s: document at %d:%d, libyaml %d:%d", text,
				 l1, c1, l2, c2);
		assert_same_parse(s1->docs[i], s2->docs[i], text);
	}
}

/*
 * @text through yamlx_load_json() and through yamlx_load_string() (libyaml
 * alone): the same result, messages and tree; and yajl read it (@yajl) or
 * left it to libyaml, saying nothing.
 */
static void
check_json(const char *text, int yajl)
{
	struct diag_list e0, e1, e2;
	struct yamlx_stream *s0 = NULL, *s1 = NULL, *s2 = NULL;
	size_t len = strlen(text);
	int r0, r1, r2;

	diag_list_init(&e0);
	diag_list_init(&e1);
	diag_list_init(&e2);
	r0 = yamlx_json_read(&s0, "row", text, len, &e0);
	r1 = yamlx_load_json(&s1, "row", text, len, &e1);
	r2 = yamlx_load_string(&s2, "row", text, len, &e2);
	if (r0 != (yajl ? 0 : 1))
		fail_msg("%s: yajl's step gave %d, expected %d", text, r0,
			 yajl ? 0 : 1);
	if (yajl)
		assert_same_load(r0, s0, &e0, r2, s2, &e2, text);
	else
		assert_true(s0 == NULL && e0.n == 0);
	assert_same_load(r1, s1, &e1, r2, s2, &e2, text);
	yamlx_stream_free(s0);
	yamlx_stream_free(s1);
	yamlx_stream_free(s2);
	diag_list_clear(&e0);
	diag_list_clear(&e1);
	diag_list_clear(&e2);
}

/* A store row as store_row_document() writes it (PostgreSQL's jsonb). */
#define STORE_ROW \
	"{\"type\": \"MeshService\", \"name\": \"svc-1\", \"mesh\": " \
	"\"default\", \"creationTime\": \"2026-12-07T15:49:23.858146Z\", " \
	"\"labels\": {\"kuma.io/origin\": \"zone\", \"k8s.kuma.io/" \
	"namespace\": \"kuma-demo\"}, \"spec\": {\"ports\": [{\"port\": 80, " \
	"\"appProtocol\": \"http\", \"targetPort\": 8080}], \"selector\": " \
	"{\"dataplaneTags\": {\"kuma.io/service\": \"svc-1\"}}}, " \
	"\"status\": {\"vips\": [{\"ip\": \"241.0.0.1\"}]}}\n"

static void
test_json_like_libyaml(void **state)
{
	static const char *const read[] = {
		STORE_ROW,
		/* numbers: ints, negative, fractions, exponents */
		"{\"a\":1,\"b\":-2.5e+3,\"c\":true,\"d\":false,\"e\":null,"
		"\"f\":[],\"g\":{},\"h\":[1,[2,[3, {}]]],\"i\":0,\"j\":-0.5,"
		"\"k\":1E9,\"l\":\"\",\"m\":-0,\"n\":12345678901234567890123,"
		"\"o\":1e-7,\"p\":6.02E+23,\"q\":-1.5E-300}",
		/* escapes, \u ones among them */
		"{\"s\": \"q\\\"b\\\\s\\n\\t\\r\\b\\f end\"}",
		"{\"u\": \"\\u00e9t\\u00C9\", \"z\": \"a\\u0000b\", "
		"\"c\": \"\\u001f\\u007f\\u0085\\u2028\\uffff\"}",
		/* empty, nested, blanks and lines */
		"{}", "[]", "[[[[]]]]", "[{}, [{}], {\"a\": [{\"b\": {}}]}]",
		"{\n  \"a\": {\n    \"b\": [\n      1,\n      2\n    ]\n  },"
		"\n\"c\": \"d\"\n}\n",
		"\n\n   [{\"a\": 1}, \"x\", [], 3]",
		"{\"a\" : 1 , \"b\" :[ 1 , 2 ] , \"c\":\n  \"d\" }",
		"{\r\n  \"a\": 1,\r\n  \"b\": [true]\r\n}\r\n",
		"{\"a\":\t1,\t\"b\"\t:\t[\t2\t]}",
		/* strings that would mean something else unquoted */
		"{\"a\": \"{not: [json]}\", \"# no comment\": \"- x\"}",
		"{\"a\": \"true\", \"b\": \"1\", \"c\": \"null\", "
		"\"d\": \"~\", \"<<\": \"x\", \"\": \"&a *b !c\"}",
		"{\"a\": \" lead and trail \", \"b\": \"a  b\"}",
		"{\"url\": \"http:\\/\\/x\\/y\"}",
		/* UTF-8 in strings: columns count characters, not bytes */
		"{\"s\": \"\xc3\xa9\"}",
		"{\"name\": \"caf\xc3\xa9\", \"n\": 1, \"l\": [\"\xe6\x97\xa5"
		"\xe6\x9c\xac\", true, {\"\xc3\xa9\": \"\xf0\x9f\x98\x80\"}, "
		"null]}",
		"{\n  \"\xce\xbb\xce\xbb\": \"a\xc2\xa0" "b\", \"x\": 2,\n"
		"  \"k\": "
		"[\"\xe2\x82\xac\", \"\xf0\x9f\x98\x80\\u00e9\", 3]\r\n}",
		/* the edges of what libyaml reads as it is: U+00A0,
		 * U+D7FF, U+E000, U+FEFF, U+FFFD, U+10000, U+10FFFF */
		"[\"\xc2\xa0\", \"\xed\x9f\xbf\", \"\xee\x80\x80\", "
		"\"\xef\xbb\xbf\", \"\xef\xbf\xbd\", \"\xf0\x90\x80\x80\", "
		"\"\xf4\x8f\xbf\xbf\", 1]",
		"{\"\xef\xbb\xbf\": 1, \"a\": \"\xef\xbb\xbfx\xef\xbb\xbf\"}",
	};
	static const char *const left[] = {
		/* what libyaml reports (yajl would take the duplicate) */
		"{\"a\": 1, \"a\": 2}",
		"{\"m\": {\"x\": 1, \"y\": 2, \"x\": 3}}",
		/* what yajl rejects */
		"{\"a\": 01}", "{\"a\": 1,}", "{\"a\": 1} x", "{\"a\": 1}}",
		"{", "[1, 2", "{\"a\": tru}", "{\"a\": 1.}", "{\"a\": -}",
		"{\"a\": 1e}", "{a: 1}", "{\"a\": [1,,2]}", "{\"a\": 1:2}",
		"[\"a\": 1]", "{\"a\": 1}\n---\n{\"b\": 2}",
		"{\"a\": 1}\n# a comment\n", "{\"a\": 'b'}",
		"{\"u\": \"\\u00g0\"}", "{\"a\": \"\\x41\"}",
		/* after the root, an unterminated string (yajl waits for
		 * its end, and takes what it has as complete) */
		"{\"\":\"\"}\"}", "[1] \"", "{}\n\"abc", "[]\"\\\"",
		/* tabs outside the root (YAML's block context): before it,
		 * or starting a line after it */
		"\t{}", " \t[1]", "\n\t{\"a\": 1}", "{}\n\t", "[]\r\t",
		/* not an object or an array */
		"\"just a string\"", "1", "", "  \n", "null",
		/* control characters, and what libyaml rejects in UTF-8 or
		 * reads otherwise: C1 controls, NEL, LS and PS (line breaks
		 * in YAML), U+FFFE, U+FFFF, overlong forms, surrogates,
		 * past U+10FFFF, cut or stray bytes, non-ASCII outside a
		 * string, a byte order mark */
		"{\"s\": \"\x7f\"}", "{\"s\": \"\xff\"}", "{\"a\":\v1}",
		"{\"s\": \"\xc2\x80\"}", "{\"s\": \"\xc2\x9f\"}",
		"{\"s\": \"a\xc2\x85" "b\"}", "{\"s\": \"a\xe2\x80\xa8" "b\"}",
		"{\"s\": \"a\xe2\x80\xa9" "b\"}", "{\"s\": \"\xef\xbf\xbe\"}",
		"{\"s\": \"\xef\xbf\xbf\"}", "{\"s\": \"\xc0\xaf\"}",
		"{\"s\": \"\xc1\xbf\"}", "{\"s\": \"\xe0\x80\xaf\"}",
		"{\"s\": \"\xf0\x80\x80\xaf\"}", "{\"s\": \"\xed\xa0\x80\"}",
		"{\"s\": \"\xed\xbf\xbf\"}", "{\"s\": \"\xf4\x90\x80\x80\"}",
		"{\"s\": \"\xf8\x88\x80\x80\x80\"}", "{\"s\": \"\xe6\x97\"}",
		"{\"s\": \"\xe6\x97" "a\"}", "{\"s\": \"\x80\"}",
		"{\"s\": \"\xc3\xa9\xa9\"}", "[\"\xf0\x9f\x98\"]",
		"{\"a\": 1\xc2\xa0}", "[\xe2\x80\x83 1]", "{\"a\"\xc2\xa0: 1}",
		"\xef\xbb\xbf{\"a\": 1}",
		/* keys YAML does not take as simple keys */
		"{\"a\"\n: 1}", "{\"a\"\r\n: 1}",
		/* lone surrogates */
		"{\"u\": \"\\ud83d\"}", "{\"u\": \"\\ude00\"}",
		"{\"u\": \"\\ud83dx\"}", "{\"u\": \"\\ud83d\\u0041\"}",
	};
	char *longkey = NULL;
	char *deep = NULL;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(read) / sizeof(read[0]); i++)
		check_json(read[i], 1);
	for (i = 0; i < sizeof(left) / sizeof(left[0]); i++)
		check_json(left[i], 0);
	/* A key of 998 bytes is read, one of 1001 left to libyaml. */
	longkey = malloc(1100);
	assert_non_null(longkey);
	memset(longkey, 'k', 1100);
	memcpy(longkey, "{\"", 2);
	memcpy(longkey + 998, "\": 1}", 6);
	check_json(longkey, 1);
	memset(longkey, 'k', 1100);
	memcpy(longkey, "{\"", 2);
	memcpy(longkey + 1001, "\": 1}", 6);
	check_json(longkey, 0);
	/* Nesting: 512 levels are read, 513 are libyaml's to report. */
	deep = malloc(2 * 513 + 1);
	assert_non_null(deep);
	memset(deep, '[', 512);
	memset(deep + 512, ']', 512);
	deep[1024] = '\0';
	check_json(deep, 1);
	memset(deep, '[', 513);
	memset(deep + 513, ']', 513);
	deep[1026] = '\0';
	check_json(deep, 0);
	free(longkey);
	free(deep);
}

/* What yajl reads, and where, checked by hand (not only against libyaml). */
static void
test_json_read(void **state)
{
	struct fixture *f = *state;
	const char *text = "{\"a\": [1, -2.5e+3, true, null],\r\n"
			   " \"b\": {\"c\": \"\\u00e9\\ud83d\\ude00\"},\n"
			   "\t\"d\": {}}";
	const struct yamlx_node *root = NULL, *a = NULL, *c = NULL;
	int line, column;

	assert_int_equal(yamlx_json_read(&f->stream, "MeshService m/n", text,
					 strlen(text), &f->errs), 0);
	assert_int_equal(f->errs.n, 0);
	assert_int_equal(f->stream->ndocs, 1);
	yamlx_doc_position(f->stream, 0, &line, &column);
	assert_int_equal(line, 1);
	assert_int_equal(column, 1);
	root = f->stream->docs[0];
	assert_int_equal(root->type, YAMLX_MAP);
	assert_int_equal(root->n, 3);
	assert_string_equal(root->pairs[0].key->scalar, "a");
	assert_int_equal(root->pairs[0].key->style, YAMLX_QUOTED);
	a = root->pairs[0].value;
	assert_int_equal(a->type, YAMLX_SEQ);
	assert_int_equal(a->n, 4);
	assert_string_equal(a->items[1]->scalar, "-2.5e+3");
	assert_int_equal(a->items[1]->style, YAMLX_PLAIN);
	assert_int_equal(a->items[1]->line, 1);
	assert_int_equal(a->items[1]->column, 11);
	assert_string_equal(a->items[2]->scalar, "true");
	assert_int_equal(a->items[2]->style, YAMLX_PLAIN);
	assert_true(yamlx_is_null(a->items[3]));
	assert_int_equal(root->pairs[1].key->line, 2);
	assert_int_equal(root->pairs[1].key->column, 2);
	c = yamlx_map_get(root->pairs[1].value, "c");
	assert_non_null(c);
	assert_int_equal(c->style, YAMLX_QUOTED);
	/* é and U+1F600 (a surrogate pair), in UTF-8 */
	assert_int_equal(c->len, 6);
	assert_memory_equal(c->scalar, "\xc3\xa9\xf0\x9f\x98\x80", 7);
	assert_int_equal(c->line, 2);
	assert_int_equal(c->column, 13);
	assert_int_equal(root->pairs[2].key->line, 3);
	assert_int_equal(root->pairs[2].key->column, 2);
	assert_string_equal(root->pairs[2].key->file, "MeshService m/n");
	assert_int_equal(root->pairs[2].value->type, YAMLX_MAP);
	assert_int_equal(root->pairs[2].value->n, 0);

	/* libyaml rejects the pair's halves */
	assert_int_equal(load(f, text), -1);
	assert_non_null(strstr(messages(f), "invalid Unicode character"));
}

/* A malformed row: libyaml's messages, where it says, through either way. */
static void
test_json_errors(void **state)
{
	struct fixture *f = *state;
	const char *bad = "{\"spec\": {\"ports\": [{\"port\": 80}\n"
			  "  \"x\": 1}}\n";
	const char *dup = "{\"labels\": {\"a\": \"1\",\n \"a\": \"2\"}}";

	yamlx_stream_free(f->stream);
	f->stream = NULL;
	assert_int_equal(yamlx_load_json(&f->stream, "row", bad, strlen(bad),
					 &f->errs), -1);
	assert_null(f->stream);
	assert_string_equal(messages(f),
		"row:2:3: error: did not find expected ',' or ']' (while "
		"parsing a flow sequence that started at line 1, column 20)\n");
	diag_list_clear(&f->errs);
	assert_int_equal(yamlx_load_json(&f->stream, "row", dup, strlen(dup),
					 &f->errs), -1);
	assert_string_equal(messages(f),
		"row:2:2: error: duplicate key \"a\" (first defined at line 1, "
		"column 13)\n");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
		T(test_emit_json),
		T(test_positions),
		T(test_map_get_and_type_name),
		T(test_multi_document),
		T(test_empty_documents),
		T(test_aliases),
		T(test_alias_redefined_and_scoped),
		T(test_alias_errors),
		T(test_alias_bomb),
		T(test_alias_bytes),
		T(test_merge_key),
		T(test_duplicate_keys),
		T(test_duplicate_keys_big_mapping),
		T(test_non_scalar_key),
		T(test_syntax_errors),
		T(test_nesting_limit),
		T(test_scalar_contents),
		T(test_is_null),
		T(test_bool),
		T(test_int),
		T(test_load_file),
		T(test_load_file_errors),
		T(test_big_stream),
		T(test_emit_built),
		T(test_emit_quoting),
		T(test_emit_round_trip),
		T(test_emit_aliases),
		T(test_build_errors),
		T(test_json_like_libyaml),
		T(test_json_read),
		T(test_json_errors),
#undef T
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
