/* SPDX-License-Identifier: MIT */
/*
 * fuzz_json.c -- yamlx_load_json() (yajl) against yamlx_load_string()
 * (libyaml), as yamlx.h promises them.
 *
 * The input is a store row's text.  When yajl's step reads it
 * (yamlx_json_read() gives 0), the tree must be the one libyaml makes of
 * it: node kinds, scalar bytes and lengths, styles, key order, file,
 * lines and columns of every node and of the document, and no message.
 * The one difference yamlx.h allows, a surrogate pair of \u escapes read
 * as the character it stands for (libyaml rejects each half), is
 * compared by giving libyaml the text with each pair written as the
 * \U escape of its character, padded with blanks after the string so
 * that every position stays where it was.  When yajl's step leaves the
 * text (1), it must have reported and kept nothing, and
 * yamlx_load_json() must give exactly yamlx_load_string()'s result:
 * its code, its messages and positions, its tree.  Any difference
 * aborts.
 */
#include "autoconfig.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/diag.h"
#include "util/yamlx.h"
#include "util/yamlx_int.h"
#include "fuzz.h"

static void
differ(const char *what)
{
	fprintf(stderr, "fuzz_json: %s\n", what);
	abort();
}

static int
same_str(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	return strcmp(a, b) == 0;
}

static void
same_diags(const struct diag_list *a, const struct diag_list *b)
{
	size_t i;

	if (a->n != b->n || a->errors != b->errors)
		differ("not as many messages");
	for (i = 0; i < a->n; i++) {
		const struct diag *x = &a->v[i], *y = &b->v[i];

		if (x->severity != y->severity || !same_str(x->file, y->file) ||
		    x->line != y->line || x->column != y->column ||
		    !same_str(x->msg, y->msg))
			differ("a message differs");
	}
}

static void
same_node(const struct yamlx_node *a, const struct yamlx_node *b)
{
	size_t i;

	if (a == NULL || b == NULL) {
		if (a != b)
			differ("a node is missing");
		return;
	}
	if (a->type != b->type || !same_str(a->file, b->file) ||
	    a->line != b->line || a->column != b->column || a->n != b->n)
		differ("a node's kind, position or size differs");
	switch (a->type) {
	case YAMLX_SCALAR:
		if (a->len != b->len || a->style != b->style ||
		    a->scalar == NULL || b->scalar == NULL ||
		    memcmp(a->scalar, b->scalar, a->len + 1) != 0)
			differ("a scalar differs");
		break;
	case YAMLX_SEQ:
		for (i = 0; i < a->n; i++)
			same_node(a->items[i], b->items[i]);
		break;
	case YAMLX_MAP:
		for (i = 0; i < a->n; i++) {
			if (a->pairs[i].key == NULL ||
			    a->pairs[i].key->type != YAMLX_SCALAR)
				differ("a key is not a scalar");
			same_node(a->pairs[i].key, b->pairs[i].key);
			same_node(a->pairs[i].value, b->pairs[i].value);
		}
		break;
	default:
		differ("a node of no kind");
	}
}

static void
same_load(int ra, const struct yamlx_stream *a, const struct diag_list *ea,
	  int rb, const struct yamlx_stream *b, const struct diag_list *eb)
{
	int la, ca, lb, cb;
	size_t i;

	if (ra != rb)
		differ("not the same code");
	same_diags(ea, eb);
	if (ra != 0) {
		if (a != NULL || b != NULL)
			differ("a failed load left a stream");
		return;
	}
	if (a == NULL || b == NULL || a->ndocs != b->ndocs ||
	    !same_str(a->file, b->file))
		differ("not the same documents");
	for (i = 0; i < a->ndocs; i++) {
		yamlx_doc_position(a, i, &la, &ca);
		yamlx_doc_position(b, i, &lb, &cb);
		if (la != lb || ca != cb)
			differ("a document starts elsewhere");
		same_node(a->docs[i], b->docs[i]);
	}
}

static int
hex4(const uint8_t *s, size_t n, unsigned *v)
{
	size_t k;

	*v = 0;
	if (n < 4)
		return -1;
	for (k = 0; k < 4; k++) {
		uint8_t c = s[k];

		if (c >= '0' && c <= '9')
			*v = *v * 16 + (c - '0');
		else if ((c | 0x20) >= 'a' && (c | 0x20) <= 'f')
			*v = *v * 16 + ((c | 0x20) - 'a' + 10);
		else
			return -1;
	}
	return 0;
}

/*
 * @t (JSON that yajl read) with every surrogate pair of escapes
 * ("\ud83d\ude00", 12 bytes) written as "\U0001f600" (10 bytes) and two
 * blanks after the string's closing quote: the same characters for
 * libyaml, at the same positions.  A new buffer of @n bytes.
 */
static char *
unpair(const uint8_t *t, size_t n)
{
	char *out = NULL;
	size_t i = 0, o = 0, pad = 0;
	int in = 0;
	unsigned hi, lo;

	if ((out = malloc(n + 1)) == NULL)
		fuzz_die("malloc");
	while (i < n) {
		if (!in) {
			in = t[i] == '"';
			out[o++] = (char)t[i++];
			continue;
		}
		if (t[i] == '"') {
			out[o++] = (char)t[i++];
			for (; pad > 0; pad--)
				out[o++] = ' ';
			in = 0;
			continue;
		}
		if (t[i] != '\\' || i + 1 >= n) {
			out[o++] = (char)t[i++];
			continue;
		}
		if (t[i + 1] == 'u' && i + 12 <= n &&
		    hex4(t + i + 2, n - i - 2, &hi) == 0 &&
		    hi >= 0xd800 && hi <= 0xdbff && t[i + 6] == '\\' &&
		    t[i + 7] == 'u' && hex4(t + i + 8, n - i - 8, &lo) == 0 &&
		    lo >= 0xdc00 && lo <= 0xdfff) {
			snprintf(out + o, 11, "\\U%08x", 0x10000 +
				 ((hi - 0xd800) << 10) + (lo - 0xdc00));
			o += 10;
			i += 12;
			pad += 2;
			continue;
		}
		out[o++] = (char)t[i++];
		out[o++] = (char)t[i++];
	}
	if (o != n || in)
		differ("yajl read a string that does not end");
	out[n] = '\0';
	return out;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct diag_list e0, e1, e2;
	struct yamlx_stream *s0 = NULL, *s1 = NULL, *s2 = NULL;
	const char *text = (const char *)data;
	char *plain = NULL;
	int r0, r1, r2;

	diag_list_init(&e0);
	diag_list_init(&e1);
	diag_list_init(&e2);
	r0 = yamlx_json_read(&s0, "row", text, size, &e0);
	r1 = yamlx_load_json(&s1, "row", text, size, &e1);
	if (r0 == -ENOMEM || r1 == -ENOMEM)
		goto out;
	switch (r0) {
	case 0:
		/* yajl read it: as libyaml does, pairs aside. */
		same_load(r0, s0, &e0, r1, s1, &e1);
		plain = unpair(data, size);
		r2 = yamlx_load_string(&s2, "row", plain, size, &e2);
		if (r2 == -ENOMEM)
			goto out;
		same_load(r0, s0, &e0, r2, s2, &e2);
		break;
	case 1:
		/* Left to libyaml: nothing kept, libyaml's result. */
		if (s0 != NULL || e0.n != 0)
			differ("yajl's step left the text and kept something");
		r2 = yamlx_load_string(&s2, "row", text, size, &e2);
		if (r2 == -ENOMEM)
			goto out;
		same_load(r1, s1, &e1, r2, s2, &e2);
		break;
	default:
		differ("yajl's step gave neither 0 nor 1");
	}
out:
	free(plain);
	yamlx_stream_free(s0);
	yamlx_stream_free(s1);
	yamlx_stream_free(s2);
	diag_list_clear(&e0);
	diag_list_clear(&e1);
	diag_list_clear(&e2);
	return 0;
}
