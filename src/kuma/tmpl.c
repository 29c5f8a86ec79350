/* SPDX-License-Identifier: MIT */
/* tmpl.c -- HostnameGenerator templates: a Go text/template subset. */

/*
 * Compiling lexes and parses the whole template into a small tree whose
 * nodes live in one arena owned by the template, so an error anywhere
 * frees everything with tmpl_free().  The lexer follows Go's
 * text/template lexer closely (delimiters, trim markers, comments, which
 * characters end a word) so that templates Kuma accepts behave the same
 * here; where Go would only fail when executing (unknown function, wrong
 * argument count, comparing a string with a bool), we fail when compiling,
 * with a position.
 *
 * Rendering allocates nothing: argument values go on a fixed value stack
 * whose worst-case depth is computed and checked at compile time, and
 * strings made while rendering (printf) go into a fixed
 * scratch buffer; a value that does not fit is an error, never cut short.
 *
 * Known differences from Go, all deliberate and documented here:
 *   - printf knows %v %s %q %x %X for strings, %v %t for booleans and
 *     %v %d %x %X %o %O %b %c %q %U for integers, with the flags
 *     - + space # 0, a width and a precision; other verbs print as Go's
 *     bad verbs (%!z(string=x)).  Argument indexes (%[1]s) and * widths
 *     are rejected at compile time when the format is a literal.  The 0
 *     flag pads only numbers (current Go ignores it for strings; Go 1.19
 *     and older padded strings with zeros too).  %q escapes ASCII like Go
 *     and keeps non-ASCII UTF-8 as it is (C1 controls are escaped).
 *   - A trailing "|" with no command ({{ .Name | }}) is an error; Go
 *     ignores it.
 *   - Integers exist only as results of len and as decimal literals.
 */

#include "autoconfig.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kuma/tmpl_int.h"

const char *const tmpl_kind_names[] = {
	[K_STRING] = "string",
	[K_BOOL] = "bool",
	[K_INT] = "int",
	[K_UINT8] = "uint8",
	/* Go's name for the struct Kuma renders templates with */
	[K_DATA] = "hostname.meshedName",
	[K_ANY] = "interface {}",
};

const char *const tmpl_field_names[F_COUNT] = {
	[F_NAME] = "Name",
	[F_DISPLAY_NAME] = "DisplayName",
	[F_NAMESPACE] = "Namespace",
	[F_MESH] = "Mesh",
	[F_ZONE] = "Zone",
};

/* Go's one-letter escapes: \a stands for '\a', and so on. */
const char tmpl_esc_letters[] = "abfnrtv\\";
const char tmpl_esc_chars[] = "\a\b\f\n\r\t\v\\";

const struct func tmpl_funcs[FN_COUNT] = {
	[FN_LABEL] = { "label", 1, 1, K_STRING },
	[FN_EQ] = { "eq", 2, -1, K_BOOL },
	[FN_NE] = { "ne", 2, 2, K_BOOL },
	[FN_NOT] = { "not", 1, 1, K_BOOL },
	[FN_AND] = { "and", 1, -1, K_ANY },
	[FN_OR] = { "or", 1, -1, K_ANY },
	[FN_LEN] = { "len", 1, 1, K_INT },
	[FN_PRINTF] = { "printf", 1, -1, K_STRING },
	[FN_LT] = { "lt", 2, 2, K_BOOL },
	[FN_LE] = { "le", 2, 2, K_BOOL },
	[FN_GT] = { "gt", 2, 2, K_BOOL },
	[FN_GE] = { "ge", 2, 2, K_BOOL },
	[FN_PRINT] = { "print", 0, -1, K_STRING },
	[FN_PRINTLN] = { "println", 0, -1, K_STRING },
	[FN_INDEX] = { "index", 1, -1, K_ANY },
	[FN_SLICE] = { "slice", 1, -1, K_STRING },
	[FN_HTML] = { "html", 0, -1, K_STRING },
	[FN_JS] = { "js", 0, -1, K_STRING },
	[FN_URLQUERY] = { "urlquery", 0, -1, K_STRING },
	[FN_CALL] = { "call", 1, -1, K_ANY },
};

/*
 * Decode one UTF-8 sequence of 2 to 4 bytes at @s; returns its length, or
 * 0 when it is not valid (overlong, surrogate, beyond U+10FFFF, cut short).
 */
size_t
tmpl_utf8_decode(const char *s, size_t n, uint32_t *rune)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t len, i;
	uint32_t r, min;

	if (n == 0)
		return 0;
	if (u[0] >= 0xc2 && u[0] <= 0xdf) {
		len = 2;
		r = u[0] & 0x1f;
		min = 0x80;
	} else if (u[0] >= 0xe0 && u[0] <= 0xef) {
		len = 3;
		r = u[0] & 0x0f;
		min = 0x800;
	} else if (u[0] >= 0xf0 && u[0] <= 0xf4) {
		len = 4;
		r = u[0] & 0x07;
		min = 0x10000;
	} else {
		return 0;
	}
	if (n < len)
		return 0;
	for (i = 1; i < len; i++) {
		if ((u[i] & 0xc0) != 0x80)
			return 0;
		r = (r << 6) | (u[i] & 0x3f);
	}
	if (r < min || r > 0x10ffff || (r >= 0xd800 && r <= 0xdfff))
		return 0;
	*rune = r;
	return len;
}

/* Encode @r (a valid code point) at @dst; returns the length. */
size_t
tmpl_utf8_encode(char *dst, uint32_t r)
{
	if (r < 0x80) {
		dst[0] = (char)r;
		return 1;
	}
	if (r < 0x800) {
		dst[0] = (char)(0xc0 | (r >> 6));
		dst[1] = (char)(0x80 | (r & 0x3f));
		return 2;
	}
	if (r < 0x10000) {
		dst[0] = (char)(0xe0 | (r >> 12));
		dst[1] = (char)(0x80 | ((r >> 6) & 0x3f));
		dst[2] = (char)(0x80 | (r & 0x3f));
		return 3;
	}
	dst[0] = (char)(0xf0 | (r >> 18));
	dst[1] = (char)(0x80 | ((r >> 12) & 0x3f));
	dst[2] = (char)(0x80 | ((r >> 6) & 0x3f));
	dst[3] = (char)(0x80 | (r & 0x3f));
	return 4;
}

/*
 * Write @s between @quote characters with Go's escapes (strconv.Quote and
 * QuoteRune, near enough: non-ASCII UTF-8 is kept, C1 controls escaped).
 */
void
tmpl_write_quoted(struct wbuf *w, const char *s, size_t n, char quote)
{
	static const char hex[] = "0123456789abcdef";
	const char *e = NULL;
	char esc[8];
	size_t i = 0, k;
	uint32_t r;

	wputc(w, quote);
	while (i < n) {
		unsigned char c = (unsigned char)s[i];

		if (c >= 0x80) {
			k = tmpl_utf8_decode(s + i, n - i, &r);
			if (k == 0) {
				snprintf(esc, sizeof(esc), "\\x%c%c",
					 hex[c >> 4], hex[c & 0xf]);
				wputs(w, esc);
				i++;
			} else if (r < 0xa0) {
				snprintf(esc, sizeof(esc), "\\u%04x",
					 (unsigned)r);
				wputs(w, esc);
				i += k;
			} else {
				wput(w, s + i, k);
				i += k;
			}
			continue;
		}
		if (c == (unsigned char)quote) {
			wputc(w, '\\');
			wputc(w, quote);
			i++;
			continue;
		}
		if (c != '\0' && (e = strchr(tmpl_esc_chars, c)) != NULL) {
			wputc(w, '\\');
			wputc(w, tmpl_esc_letters[e - tmpl_esc_chars]);
		} else if (c < 0x20 || c == 0x7f) {
			snprintf(esc, sizeof(esc), "\\x%c%c", hex[c >> 4],
				 hex[c & 0xf]);
			wputs(w, esc);
		} else {
			wputc(w, (char)c);
		}
		i++;
	}
	wputc(w, quote);
}

static void
line_column(const char *src, size_t srclen, size_t off, int *line, int *col)
{
	size_t i;

	*line = 1;
	*col = 1;
	for (i = 0; i < off && i < srclen; i++) {
		if (src[i] == '\n') {
			(*line)++;
			*col = 1;
		} else {
			(*col)++;
		}
	}
}

int
tmpl_perr(struct parser *p, size_t off, const char *fmt, ...)
{
	va_list ap;

	line_column(p->src, p->srclen, off, &p->err->line, &p->err->column);
	va_start(ap, fmt);
	vsnprintf(p->err->msg, sizeof(p->err->msg), fmt, ap);
	va_end(ap);
	return -1;
}

int
tmpl_oom(struct parser *p)
{
	p->err->line = 0;
	p->err->column = 0;
	snprintf(p->err->msg, sizeof(p->err->msg), "out of memory");
	return -ENOMEM;
}

int
tmpl_compile(struct tmpl **out, const char *src, struct tmpl_error *err)
{
	struct tmpl_error ignored;
	struct parser p;
	struct tmpl *t = NULL;
	enum stop stop;
	size_t stop_off, len;
	int rc;

	if (err == NULL)
		err = &ignored;
	memset(err, 0, sizeof(*err));
	*out = NULL;
	memset(&p, 0, sizeof(p));
	p.err = err;
	if ((t = calloc(1, sizeof(*t))) == NULL) {
		rc = tmpl_oom(&p);
		goto out;
	}
	len = strlen(src);
	if ((t->text = malloc(len + 1)) == NULL) {
		rc = tmpl_oom(&p);
		goto out;
	}
	memcpy(t->text, src, len + 1);
	p.src = src;
	p.srclen = len;
	p.t = t;
	p.dot_kind = K_DATA;
	p.nvars = 1;		/* $ */
	p.var_off[0] = 0;
	p.var_len[0] = 0;
	rc = tmpl_parse_list(&p, &t->root, NULL, &stop, &stop_off);
	if (rc == 0) {
		*out = t;
		t = NULL;
	}
out:
	tmpl_free(t);
	return rc;
}

void
tmpl_free(struct tmpl *t)
{
	if (t == NULL)
		return;
	arena_clear(&t->arena);
	free(t->text);
	free(t);
}

int
tmpl_render(const struct tmpl *t, const struct tmpl_vars *vars, char *buf,
	    size_t size, char *errbuf, size_t errsize)
{
	struct render r;
	int rc;

	r.vars = vars;
	r.src = t->text;
	memset(&r.dot, 0, sizeof(r.dot));
	r.dot.kind = K_DATA;
	r.dot.vars = vars;
	r.var[0] = r.dot;
	r.floor = 0;
	r.iterations = 0;
	r.buf = buf;
	r.size = size;
	r.len = 0;
	r.errbuf = errbuf;
	r.errsize = errsize;
	r.sp = 0;
	r.used = 0;
	if (errbuf != NULL && errsize > 0)
		errbuf[0] = '\0';
	if (size == 0)
		return tmpl_exec_err(&r, "rendered name too long");
	rc = tmpl_exec_list(&r, t->root);
	buf[rc == 0 ? r.len : 0] = '\0';
	return rc;
}
