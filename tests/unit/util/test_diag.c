/* SPDX-License-Identifier: MIT */
/* test_diag.c -- unit tests for diag.h: positioned diagnostics. */
#include "autoconfig.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/diag.h"

struct fixture {
	struct diag_list a;
	struct diag_list b;
};

static int
setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	if (f == NULL)
		return -1;
	/* Not zero: diag_list_init() must set every field. */
	memset(&f->a, 0x5a, sizeof(f->a));
	memset(&f->b, 0x5a, sizeof(f->b));
	diag_list_init(&f->a);
	diag_list_init(&f->b);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;

	diag_list_clear(&f->a);
	diag_list_clear(&f->b);
	free(f);
	return 0;
}

static void
assert_entry(const struct diag *d, enum diag_severity sev, const char *file,
	     int line, int column, const char *msg)
{
	assert_int_equal(d->severity, sev);
	if (file == NULL)
		assert_null(d->file);
	else
		assert_string_equal(d->file, file);
	assert_int_equal(d->line, line);
	assert_int_equal(d->column, column);
	assert_string_equal(d->msg, msg);
}

static void
test_init_empty(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(f->a.n, 0);
	assert_int_equal(f->a.errors, 0);
	assert_int_equal(f->a.oom, 0);
	/* Clearing an empty list is fine, and leaves it empty. */
	diag_list_clear(&f->a);
	assert_int_equal(f->a.n, 0);
	assert_int_equal(f->a.errors, 0);
}

/* Entries keep their order and fields; only errors are counted. */
static void
test_add(void **state)
{
	struct fixture *f = *state;
	char file[32];

	strcpy(file, "a.yaml");
	diag_add(&f->a, DIAG_ERROR, file, 3, 7, "bad %s: %d", "port", 70000);
	/* @file is copied: the caller's buffer may change afterwards. */
	strcpy(file, "XXXXXX");
	diag_add(&f->a, DIAG_WARNING, NULL, 0, 0, "no position");
	diag_error(&f->a, "b.yaml", 1, 0, "%s", "an error");
	diag_warning(&f->a, "c.yaml", 0, 0, "%d%%", 100);
	assert_int_equal(f->a.n, 4);
	assert_int_equal(f->a.errors, 2);
	assert_int_equal(f->a.oom, 0);
	assert_entry(&f->a.v[0], DIAG_ERROR, "a.yaml", 3, 7,
		     "bad port: 70000");
	assert_entry(&f->a.v[1], DIAG_WARNING, NULL, 0, 0, "no position");
	assert_entry(&f->a.v[2], DIAG_ERROR, "b.yaml", 1, 0, "an error");
	assert_entry(&f->a.v[3], DIAG_WARNING, "c.yaml", 0, 0, "100%");
}

/* Many entries: the list grows and keeps every one, in order. */
static void
test_many(void **state)
{
	struct fixture *f = *state;
	char msg[32];
	int i;

	for (i = 0; i < 1000; i++) {
		if (i % 3 == 0)
			diag_error(&f->a, "f.yaml", i + 1, 1, "entry %d", i);
		else
			diag_warning(&f->a, "f.yaml", i + 1, 1, "entry %d", i);
	}
	assert_int_equal(f->a.n, 1000);
	assert_int_equal(f->a.errors, 334);
	for (i = 0; i < 1000; i++) {
		snprintf(msg, sizeof(msg), "entry %d", i);
		assert_entry(&f->a.v[i], i % 3 == 0 ? DIAG_ERROR :
			     DIAG_WARNING, "f.yaml", i + 1, 1, msg);
	}
}

/* Cleared, a list is empty and usable again. */
static void
test_clear_reuse(void **state)
{
	struct fixture *f = *state;

	diag_error(&f->a, "a.yaml", 1, 1, "one");
	diag_warning(&f->a, "a.yaml", 2, 1, "two");
	diag_list_clear(&f->a);
	assert_int_equal(f->a.n, 0);
	assert_int_equal(f->a.errors, 0);
	assert_int_equal(f->a.oom, 0);
	diag_warning(&f->a, "a.yaml", 3, 1, "three");
	assert_int_equal(f->a.n, 1);
	assert_int_equal(f->a.errors, 0);
	assert_entry(&f->a.v[0], DIAG_WARNING, "a.yaml", 3, 1, "three");
}

/* Move appends @src's entries to @dst's, in order, and empties @src. */
static void
test_move(void **state)
{
	struct fixture *f = *state;

	diag_warning(&f->a, "dst.yaml", 1, 2, "first");
	diag_error(&f->b, "src.yaml", 3, 4, "second");
	diag_warning(&f->b, NULL, 0, 0, "third");
	diag_error(&f->b, "src.yaml", 5, 0, "fourth");
	diag_list_move(&f->a, &f->b);
	assert_int_equal(f->b.n, 0);
	assert_int_equal(f->b.errors, 0);
	assert_int_equal(f->a.n, 4);
	assert_int_equal(f->a.errors, 2);
	assert_entry(&f->a.v[0], DIAG_WARNING, "dst.yaml", 1, 2, "first");
	assert_entry(&f->a.v[1], DIAG_ERROR, "src.yaml", 3, 4, "second");
	assert_entry(&f->a.v[2], DIAG_WARNING, NULL, 0, 0, "third");
	assert_entry(&f->a.v[3], DIAG_ERROR, "src.yaml", 5, 0, "fourth");
	/* A message with a % in it is moved as it is, not formatted. */
	diag_error(&f->b, NULL, 0, 0, "%s", "100%s %d");
	diag_list_move(&f->a, &f->b);
	assert_entry(&f->a.v[4], DIAG_ERROR, NULL, 0, 0, "100%s %d");
	/* Moving an empty list changes nothing. */
	diag_list_move(&f->a, &f->b);
	assert_int_equal(f->a.n, 5);
	assert_int_equal(f->a.errors, 3);
	/* @src is usable again. */
	diag_warning(&f->b, NULL, 0, 0, "again");
	assert_int_equal(f->b.n, 1);
}

/* Unknown parts of the position are left out. */
static void
test_format(void **state)
{
	static const struct {
		enum diag_severity sev;
		const char *file;
		int line, column;
		const char *want;
	} cases[] = {
		{ DIAG_ERROR, "a.yaml", 4, 8, "a.yaml:4:8: error: msg" },
		{ DIAG_WARNING, "a.yaml", 4, 8, "a.yaml:4:8: warning: msg" },
		{ DIAG_ERROR, "a.yaml", 4, 0, "a.yaml:4: error: msg" },
		{ DIAG_WARNING, "a.yaml", 4, 0, "a.yaml:4: warning: msg" },
		{ DIAG_ERROR, "a.yaml", 0, 0, "a.yaml: error: msg" },
		{ DIAG_ERROR, "a.yaml", 0, 8, "a.yaml: error: msg" },
		{ DIAG_ERROR, NULL, 4, 8, "error: msg" },
		{ DIAG_WARNING, NULL, 0, 0, "warning: msg" },
	};
	struct diag d;
	char buf[64];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		d.severity = cases[i].sev;
		d.file = (char *)cases[i].file;
		d.line = cases[i].line;
		d.column = cases[i].column;
		d.msg = (char *)"msg";
		memset(buf, 'x', sizeof(buf));
		assert_ptr_equal(diag_format(&d, buf, sizeof(buf)), buf);
		assert_string_equal(buf, cases[i].want);
	}
	/* Too small a buffer: cut, and still a string. */
	d.severity = DIAG_ERROR;
	d.file = (char *)"a.yaml";
	d.line = 4;
	d.column = 8;
	assert_ptr_equal(diag_format(&d, buf, 7), buf);
	assert_string_equal(buf, "a.yaml");
}

/* diag_printf(): a cut string when too long, nothing at all for no room. */
static void
test_printf(void **state)
{
	char buf[8];

	(void)state;
	diag_printf(buf, sizeof(buf), "%s %d", "port", 53);
	assert_string_equal(buf, "port 53");
	diag_printf(buf, sizeof(buf), "%s", "a longer message");
	assert_string_equal(buf, "a longe");
	memset(buf, 'x', sizeof(buf));
	diag_printf(buf, 0, "%s", "nothing");
	assert_int_equal(buf[0], 'x');
	diag_printf(NULL, 0, "%s", "nowhere");
}

static void
test_quote(void **state)
{
	char buf[16];
	char big[64];

	(void)state;
	assert_string_equal(diag_quote("", big, sizeof(big)), "\"\"");
	assert_string_equal(diag_quote("a b", big, sizeof(big)), "\"a b\"");
	assert_string_equal(diag_quote("a\"b\\c", big, sizeof(big)),
			    "\"a\\\"b\\\\c\"");
	assert_string_equal(diag_quote("a\tb\x7f", big, sizeof(big)),
			    "\"a\\x09b\\x7f\"");
	/* Too long: shortened, "..." before the closing quote. */
	assert_string_equal(diag_quote("0123456789abcdef", buf, sizeof(buf)),
			    "\"0123456...\"");
	assert_true(strlen(buf) < sizeof(buf));
}

/* The closest of @v (NULL-terminated) that diag_suggest() offers. */
static const char *
suggest(const char *word, const char *const *v)
{
	size_t best = DIAG_SUGGEST_START;
	const char *s = NULL;

	for (; *v != NULL; v++)
		if (diag_suggest(word, *v, &best))
			s = *v;
	return s;
}

static void
test_suggest(void **state)
{
	static const char *const kinds[] = {
		"Mesh", "MeshService", "MeshExternalService", "Dataplane",
		"Pod", NULL,
	};
	char long_word[80];
	const char *s = NULL;

	(void)state;
	assert_string_equal(suggest("MeshServce", kinds), "MeshService");
	assert_string_equal(suggest("meshservice", kinds), "MeshService");
	assert_string_equal(suggest("Dataplan", kinds), "Dataplane");
	assert_string_equal(suggest("Mesh", kinds), "Mesh");
	/* Three edits, or as many as the candidate's length: nothing. */
	assert_null(suggest("MeshTimeout", kinds));
	assert_null(suggest("Deployment", kinds));
	assert_null(suggest("x", kinds));
	/* The closest wins, whatever the order. */
	s = suggest("MeshServic", kinds);
	assert_string_equal(s, "MeshService");
	memset(long_word, 'a', sizeof(long_word) - 1);
	long_word[sizeof(long_word) - 1] = '\0';
	assert_null(suggest(long_word, kinds));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_init_empty, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_add, setup, teardown),
		cmocka_unit_test_setup_teardown(test_many, setup, teardown),
		cmocka_unit_test_setup_teardown(test_clear_reuse, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_move, setup, teardown),
		cmocka_unit_test(test_format),
		cmocka_unit_test(test_printf),
		cmocka_unit_test(test_quote),
		cmocka_unit_test(test_suggest),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
