/* SPDX-License-Identifier: MIT */
/* tmpl.c -- HostnameGenerator templates: a Go text/template subset. */

/*
 * Compiling lexes and parses the whole template into a small tree whose
 * nodes live in one allocation list owned by the template, so an error
 * anywhere frees everything with tmpl_free().  The lexer follows Go's
 * text/template lexer closely (delimiters, trim markers, comments, which
 * characters end a word) so that templates Kuma accepts behave the same
 * here; where Go would only fail when executing (unknown function, wrong
 * argument count, comparing a string with a bool), we fail when compiling,
 * with a position.
 *
 * Rendering allocates nothing: argument values go on a fixed value stack
 * whose worst-case depth is computed and checked at compile time, and
 * strings made while rendering (printf, lower, upper) go into a fixed
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
 *   - lower and upper (not in Kuma) change ASCII letters only.
 *   - Integers exist only as results of len and as decimal literals.
 */

#include "autoconfig.h"

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kuma/tmpl.h"

enum {
	MAX_IF_DEPTH = 64,	/* {{if}} inside {{if}} */
	MAX_PAREN_DEPTH = 32,	/* ( inside ( */
	MAX_ARGS = 32,		/* arguments of one function call */
	VSTACK = 64,		/* values alive at once while rendering */
	SCRATCH = 1024,		/* bytes of strings made while rendering */
	MAX_WIDTH = 1 << 20,	/* printf widths and precisions saturate */
};

/* What a value is; K_ANY only at compile time (and/or of mixed kinds). */
enum kind {
	K_STRING,
	K_BOOL,
	K_INT,
	K_ANY,
};

static const char *const tmpl_kind_names[] = {
	[K_STRING] = "string",
	[K_BOOL] = "bool",
	[K_INT] = "int",
	[K_ANY] = "interface {}",
};

enum fn {
	FN_LABEL,
	FN_EQ,
	FN_NE,
	FN_NOT,
	FN_AND,
	FN_OR,
	FN_LEN,
	FN_PRINTF,
	FN_LOWER,
	FN_UPPER,
	FN_COUNT,
};

struct func {
	const char *name;
	int min;		/* fewest arguments */
	int max;		/* most arguments, -1 for no limit */
	enum kind result;
};

static const struct func tmpl_funcs[FN_COUNT] = {
	[FN_LABEL] = { "label", 1, 1, K_STRING },
	[FN_EQ] = { "eq", 2, -1, K_BOOL },
	[FN_NE] = { "ne", 2, 2, K_BOOL },
	[FN_NOT] = { "not", 1, 1, K_BOOL },
	[FN_AND] = { "and", 1, -1, K_ANY },
	[FN_OR] = { "or", 1, -1, K_ANY },
	[FN_LEN] = { "len", 1, 1, K_INT },
	[FN_PRINTF] = { "printf", 1, -1, K_STRING },
	[FN_LOWER] = { "lower", 1, 1, K_STRING },
	[FN_UPPER] = { "upper", 1, 1, K_STRING },
};

/* Go builtins outside the subset: named as such rather than "not defined". */
static const char *const go_builtins[] = {
	"call", "ge", "gt", "html", "index", "js", "le", "lt", "print",
	"println", "slice", "urlquery",
};

/* Go keywords outside the subset. */
static const char *const go_keywords[] = {
	"block", "break", "continue", "define", "range", "template", "with",
};

enum field {
	F_NAME,
	F_DISPLAY_NAME,
	F_NAMESPACE,
	F_MESH,
	F_ZONE,
	F_COUNT,
};

static const char *const field_names[F_COUNT] = {
	[F_NAME] = "Name",
	[F_DISPLAY_NAME] = "DisplayName",
	[F_NAMESPACE] = "Namespace",
	[F_MESH] = "Mesh",
	[F_ZONE] = "Zone",
};

enum expr_type {
	E_STRING,
	E_BOOL,
	E_INT,
	E_FIELD,
	E_CALL,
};

struct expr {
	enum expr_type type;
	enum kind kind;		/* static kind of the result */
	size_t off;		/* source range, for messages */
	size_t end;
	const char *s;		/* E_STRING: NUL-terminated, in tmpl->text */
	size_t len;
	long long num;		/* E_BOOL (0 or 1), E_INT */
	enum field field;	/* E_FIELD */
	enum fn fn;		/* E_CALL */
	int argc;
	bool piped;		/* the last argument came through "|" */
	struct expr **args;
	int need;		/* value-stack slots evaluating this takes */
};

enum node_type {
	N_TEXT,
	N_ACTION,
	N_IF,
};

struct node {
	enum node_type type;
	struct node *next;
	const char *text;	/* N_TEXT, in tmpl->text */
	size_t len;
	struct expr *expr;	/* N_ACTION: the value; N_IF: the condition */
	struct node *then;	/* N_IF */
	struct node *otherwise;	/* N_IF: else branch, may be NULL */
	bool else_if;		/* N_IF: otherwise is one N_IF ({{else if}}) */
};

/* One allocation; every node, expression and argument array is one. */
struct blk {
	struct blk *next;
	max_align_t data[];
};

struct tmpl {
	char *text;		/* copy of the source: text and strings */
	struct blk *blks;
	struct node *root;
};

enum tok_type {
	T_EOF,
	T_TEXT,
	T_LDELIM,
	T_RDELIM,
	T_SPACE,
	T_FIELD,
	T_DOT,
	T_STRING,
	T_NUMBER,
	T_IDENT,
	T_PIPE,
	T_LPAREN,
	T_RPAREN,
};

struct tok {
	enum tok_type type;
	size_t off;		/* where it starts in the source */
	size_t len;		/* its length in the source */
	const char *s;		/* T_TEXT, T_STRING: the bytes, in tmpl->text */
	size_t slen;
	long long num;		/* T_NUMBER */
};

struct parser {
	const char *src;
	size_t srclen;
	size_t pos;
	struct tmpl *t;
	struct tmpl_error *err;
	bool in_action;
	bool trim_text;		/* the last action ended with " -}}" */
	size_t action_off;	/* the "{{" of the action being lexed */
	bool peeked;
	struct tok peek;
	int if_depth;
	int paren_depth;
};

enum stop {
	STOP_EOF,
	STOP_ELSE,
	STOP_END,
};

/* A bounded writer; @size excludes the terminating NUL. */
struct wbuf {
	char *p;
	size_t size;
	size_t len;
	bool over;
};

static void
wput(struct wbuf *w, const char *s, size_t n)
{
	if (w->over || n > w->size - w->len) {
		w->over = true;
		return;
	}
	memcpy(w->p + w->len, s, n);
	w->len += n;
}

static void
wputs(struct wbuf *w, const char *s)
{
	wput(w, s, strlen(s));
}

static void
wputc(struct wbuf *w, char c)
{
	wput(w, &c, 1);
}

static void
wfill(struct wbuf *w, char c, size_t n)
{
	if (w->over || n > w->size - w->len) {
		w->over = true;
		return;
	}
	memset(w->p + w->len, c, n);
	w->len += n;
}

static bool
is_space(int c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static bool
is_digit(int c)
{
	return c >= '0' && c <= '9';
}

static bool
is_alpha(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static bool
is_alnum(int c)
{
	return is_alpha(c) || is_digit(c);
}

static int
hex_value(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * Decode one UTF-8 sequence of 2 to 4 bytes at @s; returns its length, or
 * 0 when it is not valid (overlong, surrogate, beyond U+10FFFF, cut short).
 */
static size_t
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
static size_t
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

/* Go counts width and precision in runes, not bytes. */
static size_t
count_runes(const char *s, size_t n)
{
	size_t i, runes = 0;

	for (i = 0; i < n; i++)
		if (((unsigned char)s[i] & 0xc0) != 0x80)
			runes++;
	return runes;
}

/* Byte length of the first @max runes of @s. */
static size_t
rune_prefix(const char *s, size_t n, size_t max)
{
	size_t i, runes = 0;

	for (i = 0; i < n; i++) {
		if (((unsigned char)s[i] & 0xc0) != 0x80) {
			if (runes == max)
				return i;
			runes++;
		}
	}
	return n;
}

/*
 * Write @s between @quote characters with Go's escapes (strconv.Quote and
 * QuoteRune, near enough: non-ASCII UTF-8 is kept, C1 controls escaped).
 */
static void
tmpl_write_quoted(struct wbuf *w, const char *s, size_t n, char quote)
{
	static const char hex[] = "0123456789abcdef";
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
		switch (c) {
		case '\\':
			wputs(w, "\\\\");
			break;
		case '\a':
			wputs(w, "\\a");
			break;
		case '\b':
			wputs(w, "\\b");
			break;
		case '\f':
			wputs(w, "\\f");
			break;
		case '\n':
			wputs(w, "\\n");
			break;
		case '\r':
			wputs(w, "\\r");
			break;
		case '\t':
			wputs(w, "\\t");
			break;
		case '\v':
			wputs(w, "\\v");
			break;
		default:
			if (c < 0x20 || c == 0x7f) {
				snprintf(esc, sizeof(esc), "\\x%c%c",
					 hex[c >> 4], hex[c & 0xf]);
				wputs(w, esc);
			} else {
				wputc(w, (char)c);
			}
		}
		i++;
	}
	wputc(w, quote);
}

/* ---- compile ---- */

static void *
arena_alloc(struct tmpl *t, size_t size)
{
	struct blk *b = calloc(1, sizeof(*b) + size);

	if (b == NULL)
		return NULL;
	b->next = t->blks;
	t->blks = b;
	return b->data;
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

/* Record a syntax error at byte @off of the source; returns -1. */
static int
tmpl_perr(struct parser *p, size_t off, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int
tmpl_perr(struct parser *p, size_t off, const char *fmt, ...)
{
	va_list ap;

	line_column(p->src, p->srclen, off, &p->err->line, &p->err->column);
	va_start(ap, fmt);
	vsnprintf(p->err->msg, sizeof(p->err->msg), fmt, ap);
	va_end(ap);
	return -1;
}

static int
tmpl_oom(struct parser *p)
{
	p->err->line = 0;
	p->err->column = 0;
	snprintf(p->err->msg, sizeof(p->err->msg), "out of memory");
	return -ENOMEM;
}

/* The source text of a token, Go-quoted and shortened, for messages. */
static const char *
tok_desc(const struct parser *p, const struct tok *t, char *buf, size_t size)
{
	struct wbuf w = { buf, size - 1, 0, false };
	size_t n = t->len > 32 ? 32 : t->len;

	tmpl_write_quoted(&w, p->src + t->off, n, '"');
	if (w.over) {
		w.len = 0;
		w.over = false;
		wputs(&w, "token");
	}
	buf[w.len] = '\0';
	return buf;
}

/* "@what U+0023 '#'": the character at @pos shown as Go's %#U does. */
static int
bad_char(struct parser *p, size_t pos, const char *what)
{
	const char *s = p->src + pos;
	unsigned char c = (unsigned char)*s;
	uint32_t r = c;
	size_t k = 1;

	if (c >= 0x80) {
		k = tmpl_utf8_decode(s, p->srclen - pos, &r);
		if (k == 0)
			return tmpl_perr(p, pos,
					 "%sU+FFFD (byte 0x%02x)", what, c);
	}
	if (r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0))
		return tmpl_perr(p, pos, "%sU+%04X", what, (unsigned)r);
	return tmpl_perr(p, pos,
			 "%sU+%04X '%.*s'", what, (unsigned)r, (int)k, s);
}

/* Length of a right delimiter at @pos: 2 for "}}", 4 for " -}}", else 0. */
static size_t
rdelim_len(const struct parser *p, size_t pos)
{
	const char *s = p->src + pos;
	size_t n = p->srclen - pos;

	if (n >= 2 && s[0] == '}' && s[1] == '}')
		return 2;
	if (n >= 4 && is_space(s[0]) && s[1] == '-' && s[2] == '}' &&
	    s[3] == '}')
		return 4;
	return 0;
}

/* Go ends words (fields, identifiers, numbers) only at these. */
static int
check_terminator(struct parser *p, size_t pos)
{
	if (pos >= p->srclen || is_space(p->src[pos]) ||
	    strchr(".,|:()", p->src[pos]) != NULL || rdelim_len(p, pos) != 0)
		return 0;
	return bad_char(p, pos, "bad character ");
}

static const char *
find_open(const char *s, size_t from, size_t n)
{
	size_t i;

	for (i = from; i + 1 < n; i++)
		if (s[i] == '{' && s[i + 1] == '{')
			return s + i;
	return NULL;
}

static int
lex_text(struct parser *p, struct tok *t)
{
	const char *s = p->src;

	for (;;) {
		size_t start = p->pos, end, ts, te, i, rlen;
		const char *q;
		bool ltrim, closed;

		if (start >= p->srclen) {
			t->type = T_EOF;
			t->off = p->srclen;
			return 0;
		}
		q = find_open(s, start, p->srclen);
		end = q != NULL ? (size_t)(q - s) : p->srclen;
		ltrim = q != NULL && end + 3 < p->srclen && s[end + 2] == '-' &&
			is_space(s[end + 3]);
		ts = start;
		if (p->trim_text)
			while (ts < end && is_space(s[ts]))
				ts++;
		p->trim_text = false;
		te = end;
		if (ltrim)
			while (te > ts && is_space(s[te - 1]))
				te--;
		if (te > ts) {
			t->type = T_TEXT;
			t->off = ts;
			t->len = te - ts;
			t->s = p->t->text + ts;
			t->slen = te - ts;
			p->pos = end;
			return 0;
		}
		if (q == NULL) {
			p->pos = p->srclen;
			continue;
		}
		p->action_off = end;
		p->pos = end + (ltrim ? 4 : 2);
		if (p->srclen - p->pos >= 2 && s[p->pos] == '/' &&
		    s[p->pos + 1] == '*') {
			/* A comment must end with the delimiter, as in Go. */
			closed = false;
			for (i = p->pos + 2; i + 1 < p->srclen; i++) {
				if (s[i] == '*' && s[i + 1] == '/') {
					closed = true;
					break;
				}
			}
			if (!closed)
				return tmpl_perr(p, p->pos, "unclosed comment");
			p->pos = i + 2;
			rlen = rdelim_len(p, p->pos);
			if (rlen == 0)
				return tmpl_perr(p, p->pos,
						 "comment ends before closing delimiter");
			p->pos += rlen;
			p->trim_text = rlen == 4;
			continue;
		}
		p->in_action = true;
		t->type = T_LDELIM;
		t->off = end;
		t->len = p->pos - end;
		return 0;
	}
}

/* Read exactly @ndig hex digits at @pos; -1 if they are not there. */
static long
read_hex(const struct parser *p, size_t pos, int ndig)
{
	long v = 0;
	int i, h;

	for (i = 0; i < ndig; i++) {
		if (pos + i >= p->srclen)
			return -1;
		h = hex_value((unsigned char)p->src[pos + i]);
		if (h < 0)
			return -1;
		v = v * 16 + h;
	}
	return v;
}

/*
 * A double-quoted string with Go's escapes.  It is decoded in place into
 * the copy of the source: the decoded form is never longer than the quoted
 * one, so it and its NUL fit where the quoted form was.
 */
static int
lex_quote(struct parser *p, struct tok *t)
{
	const char *s = p->src;
	size_t start = p->pos, i = start + 1, n = 0;
	char *dst = p->t->text + start;
	long v;

	for (;;) {
		char c, e;

		if (i >= p->srclen || s[i] == '\n')
			return tmpl_perr(p, start,
					 "unterminated quoted string");
		c = s[i];
		if (c == '"')
			break;
		if (c != '\\') {
			dst[n++] = c;
			i++;
			continue;
		}
		if (i + 1 >= p->srclen || s[i + 1] == '\n')
			return tmpl_perr(p, start,
					 "unterminated quoted string");
		e = s[i + 1];
		switch (e) {
		case 'a':
			dst[n++] = '\a';
			break;
		case 'b':
			dst[n++] = '\b';
			break;
		case 'f':
			dst[n++] = '\f';
			break;
		case 'n':
			dst[n++] = '\n';
			break;
		case 'r':
			dst[n++] = '\r';
			break;
		case 't':
			dst[n++] = '\t';
			break;
		case 'v':
			dst[n++] = '\v';
			break;
		case '\\':
			dst[n++] = '\\';
			break;
		case '"':
			dst[n++] = '"';
			break;
		case 'x':
			v = read_hex(p, i + 2, 2);
			if (v < 0)
				return tmpl_perr(p, i,
						 "invalid escape in quoted string: \\x needs 2 hex digits");
			dst[n++] = (char)v;
			i += 4;
			continue;
		case 'u':
		case 'U':
			v = read_hex(p, i + 2, e == 'u' ? 4 : 8);
			if (v < 0)
				return tmpl_perr(p, i,
						 "invalid escape in quoted string: \\%c needs %d hex digits",
						 e, e == 'u' ? 4 : 8);
			if (v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff))
				return tmpl_perr(p, i,
						 "invalid escape in quoted string: \\%c%.*s is not a Unicode code point",
						 e, e == 'u' ? 4 : 8,
						 s + i + 2);
			n += tmpl_utf8_encode(dst + n, (uint32_t)v);
			i += e == 'u' ? 6 : 10;
			continue;
		default:
			if (e >= '0' && e <= '7') {
				int k;

				v = 0;
				for (k = 0; k < 3; k++) {
					if (i + 1 + k >= p->srclen ||
					    s[i + 1 + k] < '0' ||
					    s[i + 1 + k] > '7')
						return tmpl_perr(p, i,
								 "invalid escape in quoted string: octal escape needs 3 digits");
					v = v * 8 + (s[i + 1 + k] - '0');
				}
				if (v > 255)
					return tmpl_perr(p, i,
							 "invalid escape in quoted string: octal escape value %.4s > 255",
							 s + i);
				dst[n++] = (char)v;
				i += 4;
				continue;
			}
			if (e > 0x20 && e < 0x7f)
				return tmpl_perr(p, i,
						 "unknown escape sequence \\%c in quoted string",
						 e);
			return tmpl_perr(p, i,
					 "unknown escape sequence in quoted string");
		}
		i += 2;
	}
	dst[n] = '\0';
	t->type = T_STRING;
	t->off = start;
	t->len = i + 1 - start;
	t->s = dst;
	t->slen = n;
	p->pos = i + 1;
	return 0;
}

/* A raw string; like Go, carriage returns inside it are dropped. */
static int
lex_raw(struct parser *p, struct tok *t)
{
	const char *s = p->src;
	size_t start = p->pos, i, n = 0;
	char *dst = p->t->text + start;

	for (i = start + 1; i < p->srclen && s[i] != '`'; i++)
		if (s[i] != '\r')
			dst[n++] = s[i];
	if (i >= p->srclen)
		return tmpl_perr(p, start, "unterminated raw quoted string");
	dst[n] = '\0';
	t->type = T_STRING;
	t->off = start;
	t->len = i + 1 - start;
	t->s = dst;
	t->slen = n;
	p->pos = i + 1;
	return 0;
}

static int
lex_number(struct parser *p, struct tok *t)
{
	const char *s = p->src;
	size_t start = p->pos, i = start, d;
	unsigned long long v = 0, limit;
	bool neg = false;

	if (s[i] == '+' || s[i] == '-') {
		neg = s[i] == '-';
		i++;
	}
	d = i;
	while (i < p->srclen && (is_alnum(s[i]) || s[i] == '.'))
		i++;
	if (i == d || (s[d] == '0' && i - d > 1))
		goto bad;
	limit = neg ? (unsigned long long)INT64_MAX + 1 : INT64_MAX;
	for (; d < i; d++) {
		if (!is_digit(s[d]))
			goto bad;
		if (v > (limit - (unsigned long long)(s[d] - '0')) / 10)
			return tmpl_perr(p, start,
					 "number \"%.*s\" is out of range",
					 (int)(i - start), s + start);
		v = v * 10 + (unsigned long long)(s[d] - '0');
	}
	t->type = T_NUMBER;
	t->off = start;
	t->len = i - start;
	t->num = neg ? (long long)(0 - v) : (long long)v;
	p->pos = i;
	return check_terminator(p, i);
bad:
	return tmpl_perr(p, start,
			 "bad number syntax: \"%.*s\" (only decimal integers are supported)",
			 (int)(i - start), s + start);
}

static int
lex_action(struct parser *p, struct tok *t)
{
	const char *s = p->src;
	size_t pos = p->pos, n;
	unsigned char c;

	t->off = pos;
	if (pos >= p->srclen)
		return tmpl_perr(p, p->action_off, "unclosed action");
	n = rdelim_len(p, pos);
	if (n != 0) {
		t->type = T_RDELIM;
		t->len = n;
		p->pos += n;
		p->in_action = false;
		p->trim_text = n == 4;
		return 0;
	}
	c = (unsigned char)s[pos];
	if (is_space(c)) {
		while (pos < p->srclen && is_space(s[pos]) &&
		       rdelim_len(p, pos) == 0)
			pos++;
		t->type = T_SPACE;
		goto done;
	}
	switch (c) {
	case '|':
		t->type = T_PIPE;
		pos++;
		goto done;
	case '(':
		t->type = T_LPAREN;
		pos++;
		goto done;
	case ')':
		t->type = T_RPAREN;
		pos++;
		goto done;
	case '"':
		return lex_quote(p, t);
	case '`':
		return lex_raw(p, t);
	case '$':
		return tmpl_perr(p, pos, "variables are not supported");
	case '.':
		pos++;
		if (pos < p->srclen && is_alnum(s[pos])) {
			while (pos < p->srclen && is_alnum(s[pos]))
				pos++;
			t->type = T_FIELD;
			t->len = pos - p->pos;
			p->pos = pos;
			return check_terminator(p, pos);
		}
		t->type = T_DOT;
		goto done;
	default:
		break;
	}
	if (is_digit(c) || c == '+' || c == '-')
		return lex_number(p, t);
	if (is_alpha(c)) {
		while (pos < p->srclen && is_alnum(s[pos]))
			pos++;
		t->type = T_IDENT;
		t->len = pos - p->pos;
		p->pos = pos;
		return check_terminator(p, pos);
	}
	return bad_char(p, pos, "unrecognized character in action: ");
done:
	t->len = pos - p->pos;
	p->pos = pos;
	return 0;
}

static int
lex(struct parser *p, struct tok *t)
{
	memset(t, 0, sizeof(*t));
	return p->in_action ? lex_action(p, t) : lex_text(p, t);
}

static int
tmpl_lex_next(struct parser *p, struct tok *t)
{
	if (p->peeked) {
		*t = p->peek;
		p->peeked = false;
		return 0;
	}
	return lex(p, t);
}

static int
tmpl_lex_peek(struct parser *p, struct tok *t)
{
	int rc;

	if (!p->peeked) {
		if ((rc = lex(p, &p->peek)) != 0)
			return rc;
		p->peeked = true;
	}
	*t = p->peek;
	return 0;
}

static int
tmpl_lex_skip_space(struct parser *p)
{
	struct tok t;
	int rc;

	for (;;) {
		if ((rc = tmpl_lex_peek(p, &t)) != 0)
			return rc;
		if (t.type != T_SPACE)
			return 0;
		p->peeked = false;
	}
}

static bool
tok_is(const struct parser *p, const struct tok *t, const char *word)
{
	return t->type == T_IDENT && t->len == strlen(word) &&
	       memcmp(p->src + t->off, word, t->len) == 0;
}

static bool
tok_in(const struct parser *p, const struct tok *t, const char *const *words,
       size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (tok_is(p, t, words[i]))
			return true;
	return false;
}

static int
lookup_func(const struct parser *p, const struct tok *t)
{
	int i;

	for (i = 0; i < FN_COUNT; i++)
		if (tok_is(p, t, tmpl_funcs[i].name))
			return i;
	return -1;
}

static struct expr *
new_expr(struct parser *p, enum expr_type type, enum kind kind, size_t off,
	 size_t end)
{
	struct expr *e = arena_alloc(p->t, sizeof(*e));

	if (e == NULL)
		return NULL;
	e->type = type;
	e->kind = kind;
	e->off = off;
	e->end = end;
	return e;
}

static struct node *
new_node(struct parser *p, enum node_type type)
{
	struct node *n = arena_alloc(p->t, sizeof(*n));

	if (n != NULL)
		n->type = type;
	return n;
}

/* Formats are checked when they are literals: Go syntax we do not do. */
static int
check_format(struct parser *p, const struct expr *f)
{
	size_t i;

	for (i = 0; i < f->len; i++) {
		if (f->s[i] != '%')
			continue;
		i++;
		while (i < f->len && strchr("+-# 0123456789.", f->s[i]) != NULL &&
		       f->s[i] != '\0')
			i++;
		if (i < f->len && (f->s[i] == '[' || f->s[i] == '*'))
			return tmpl_perr(p, f->off,
					 "printf: argument indexes and * widths are not supported");
	}
	return 0;
}

static int
make_call(struct parser *p, enum fn fn, size_t off, struct expr **args,
	  int argc, bool piped, struct expr **out)
{
	const struct func *f = &tmpl_funcs[fn];
	struct expr *e = NULL;
	int i, need = 0, rc;

	if (argc < f->min || (f->max >= 0 && argc > f->max)) {
		if (f->max == f->min)
			return tmpl_perr(p, off,
					 "wrong number of args for %s: want %d got %d",
					 f->name, f->min, argc);
		return tmpl_perr(p, off,
				 "wrong number of args for %s: want at least %d got %d",
				 f->name, f->min, argc);
	}
	switch (fn) {
	case FN_LABEL:
	case FN_LEN:
	case FN_PRINTF:
	case FN_LOWER:
	case FN_UPPER:
		if (args[0]->kind != K_STRING && args[0]->kind != K_ANY)
			return tmpl_perr(p, args[0]->off,
					 "wrong type for argument 1 of %s: want string, got %s",
					 f->name,
					 tmpl_kind_names[args[0]->kind]);
		break;
	case FN_EQ:
	case FN_NE:
		for (i = 1; i < argc; i++)
			if (args[0]->kind != K_ANY && args[i]->kind != K_ANY &&
			    args[0]->kind != args[i]->kind)
				return tmpl_perr(p, args[i]->off,
						 "incompatible types for comparison: %s and %s",
						 tmpl_kind_names[args[0]->kind],
						 tmpl_kind_names[args[i]->kind]);
		break;
	default:
		break;
	}
	if (fn == FN_PRINTF && args[0]->type == E_STRING &&
	    (rc = check_format(p, args[0])) != 0)
		return rc;
	for (i = 0; i < argc; i++)
		if (args[i]->need > need)
			need = args[i]->need;
	need += argc;
	if (need > VSTACK)
		return tmpl_perr(p, off, "expression too complex");
	e = new_expr(p, E_CALL, f->result, off, off + strlen(f->name));
	if (e == NULL)
		return tmpl_oom(p);
	if (argc > 0) {
		e->args = arena_alloc(p->t, (size_t)argc * sizeof(*e->args));
		if (e->args == NULL)
			return tmpl_oom(p);
		memcpy(e->args, args, (size_t)argc * sizeof(*e->args));
	}
	if (fn == FN_AND || fn == FN_OR) {
		e->kind = args[0]->kind;
		for (i = 1; i < argc; i++)
			if (args[i]->kind != e->kind)
				e->kind = K_ANY;
	}
	e->fn = fn;
	e->argc = argc;
	e->piped = piped;
	e->need = need;
	*out = e;
	return 0;
}

static int parse_pipeline(struct parser *p, const char *what,
			  enum tok_type closer, size_t open_off,
			  struct expr **out);

/*
 * One operand.  A function name in @head position is returned in *head_fn
 * (its arguments follow); anywhere else it is called with no arguments.
 */
static int
parse_operand(struct parser *p, bool head, struct expr **out, int *head_fn)
{
	struct tok t;
	struct expr *e = NULL;
	char desc[96];
	enum kind kind;
	int rc, fn, i;

	*out = NULL;
	*head_fn = -1;
	if ((rc = tmpl_lex_next(p, &t)) != 0)
		return rc;
	switch (t.type) {
	case T_FIELD:
		for (i = 0; i < F_COUNT; i++)
			if (t.len - 1 == strlen(field_names[i]) &&
			    memcmp(p->src + t.off + 1, field_names[i],
				   t.len - 1) == 0)
				break;
		if (i == F_COUNT)
			return tmpl_perr(p, t.off,
					 "unknown field %.*s (want .Name, .DisplayName, .Namespace, .Mesh or .Zone)",
					 (int)(t.len > 64 ? 64 : t.len),
					 p->src + t.off);
		e = new_expr(p, E_FIELD, K_STRING, t.off, t.off + t.len);
		if (e == NULL)
			return tmpl_oom(p);
		e->field = (enum field)i;
		break;
	case T_DOT:
		return tmpl_perr(p, t.off,
				 "the dot (.) is not supported: use a field such as .Name");
	case T_STRING:
		e = new_expr(p, E_STRING, K_STRING, t.off, t.off + t.len);
		if (e == NULL)
			return tmpl_oom(p);
		e->s = t.s;
		e->len = t.slen;
		break;
	case T_NUMBER:
		e = new_expr(p, E_INT, K_INT, t.off, t.off + t.len);
		if (e == NULL)
			return tmpl_oom(p);
		e->num = t.num;
		break;
	case T_IDENT:
		if (tok_is(p, &t, "true") || tok_is(p, &t, "false")) {
			e = new_expr(p, E_BOOL, K_BOOL, t.off, t.off + t.len);
			if (e == NULL)
				return tmpl_oom(p);
			e->num = tok_is(p, &t, "true");
			break;
		}
		fn = lookup_func(p, &t);
		if (fn >= 0 && head) {
			*head_fn = fn;
			break;
		}
		if (fn >= 0) {
			rc = make_call(p, (enum fn)fn, t.off, NULL, 0, false,
				       &e);
			if (rc != 0)
				return rc;
			break;
		}
		if (tok_is(p, &t, "nil"))
			return tmpl_perr(p, t.off, "nil is not supported");
		if (tok_is(p, &t, "if") || tok_is(p, &t, "else") ||
		    tok_is(p, &t, "end") ||
		    tok_in(p, &t, go_keywords,
			   sizeof(go_keywords) / sizeof(go_keywords[0])))
			return tmpl_perr(p, t.off, "unexpected %s in operand",
					 tok_desc(p, &t, desc, sizeof(desc)));
		if (tok_in(p, &t, go_builtins,
			   sizeof(go_builtins) / sizeof(go_builtins[0])))
			return tmpl_perr(p, t.off,
					 "function \"%.*s\" is not supported",
					 (int)t.len, p->src + t.off);
		return tmpl_perr(p, t.off, "function \"%.*s\" not defined",
				 (int)(t.len > 64 ? 64 : t.len),
				 p->src + t.off);
	case T_LPAREN:
		if (++p->paren_depth > MAX_PAREN_DEPTH)
			return tmpl_perr(p, t.off,
					 "parentheses nested too deeply (limit %d)",
					 MAX_PAREN_DEPTH);
		rc = parse_pipeline(p, "parenthesized pipeline", T_RPAREN,
				    t.off, &e);
		if (rc != 0)
			return rc;
		p->paren_depth--;
		e->off = t.off;
		e->end = p->pos;
		break;
	case T_RPAREN:
		return tmpl_perr(p, t.off, "unexpected right paren");
	default:
		return tmpl_perr(p, t.off, "unexpected %s in operand",
				 tok_desc(p, &t, desc, sizeof(desc)));
	}
	/* .Name.Foo and (x).Foo: strings, booleans and ints have no fields. */
	if ((rc = tmpl_lex_peek(p, &t)) != 0)
		return rc;
	if (t.type == T_FIELD) {
		kind = e != NULL ? e->kind : tmpl_funcs[*head_fn].result;
		return tmpl_perr(p, t.off + 1,
				 "can't evaluate field %.*s in type %s",
				 (int)(t.len - 1 > 64 ? 64 : t.len - 1),
				 p->src + t.off + 1, tmpl_kind_names[kind]);
	}
	*out = e;
	return 0;
}

static bool
ends_command(const struct tok *t)
{
	return t->type == T_PIPE || t->type == T_RDELIM || t->type == T_RPAREN;
}

/* One command of a pipeline; @piped is the value of the stage before. */
static int
parse_command(struct parser *p, struct expr *piped, struct expr **out)
{
	struct expr *args[MAX_ARGS + 1];
	struct expr *head = NULL;
	struct tok t;
	char desc[96];
	size_t start;
	int argc = 0, fn, dummy, rc;

	if ((rc = tmpl_lex_peek(p, &t)) != 0)
		return rc;
	start = t.off;
	if ((rc = parse_operand(p, true, &head, &fn)) != 0)
		return rc;
	for (;;) {
		if ((rc = tmpl_lex_peek(p, &t)) != 0)
			return rc;
		if (t.type == T_SPACE) {
			p->peeked = false;
			if ((rc = tmpl_lex_peek(p, &t)) != 0)
				return rc;
			if (ends_command(&t))
				break;
		} else if (ends_command(&t)) {
			break;
		} else {
			return tmpl_perr(p, t.off, "unexpected %s in operand",
					 tok_desc(p, &t, desc, sizeof(desc)));
		}
		if (argc == MAX_ARGS)
			return tmpl_perr(p, t.off,
					 "too many arguments (limit %d)",
					 MAX_ARGS);
		rc = parse_operand(p, false, &args[argc], &dummy);
		if (rc != 0)
			return rc;
		argc++;
	}
	if (fn < 0) {
		if (argc > 0 || piped != NULL)
			return tmpl_perr(p, start,
					 "can't give argument to non-function %.*s",
					 (int)(head->end - head->off > 64 ?
					  64 : head->end - head->off),
				    p->src + head->off);
		*out = head;
		return 0;
	}
	if (piped != NULL) {
		if (argc == MAX_ARGS)
			return tmpl_perr(p, start,
					 "too many arguments (limit %d)",
					 MAX_ARGS);
		args[argc++] = piped;
	}
	return make_call(p, (enum fn)fn, start, args, argc, piped != NULL,
			 out);
}

/*
 * cmd | cmd | ... up to @closer (the "}}" of the action or the ")" of a
 * parenthesised pipeline opened at @open_off); each stage's value becomes
 * the last argument of the next.
 */
static int
parse_pipeline(struct parser *p, const char *what, enum tok_type closer,
	       size_t open_off, struct expr **out)
{
	struct expr *acc = NULL;
	struct tok t;
	char desc[96];
	int rc;

	for (;;) {
		if ((rc = tmpl_lex_skip_space(p)) != 0 ||
		    (rc = tmpl_lex_peek(p, &t)) != 0)
			return rc;
		if (ends_command(&t)) {
			if (acc != NULL)
				return tmpl_perr(p, t.off,
						 "missing command after |");
			if (t.type == T_PIPE)
				return tmpl_perr(p, t.off,
						 "missing command before |");
			if (t.type == closer)
				return tmpl_perr(p, t.off,
						 "missing value for %s",
						 what);
			if (t.type == T_RPAREN)
				return tmpl_perr(p, t.off,
						 "unexpected right paren");
			return tmpl_perr(p, open_off, "unclosed left paren");
		}
		if ((rc = parse_command(p, acc, &acc)) != 0)
			return rc;
		if ((rc = tmpl_lex_skip_space(p)) != 0 ||
		    (rc = tmpl_lex_next(p, &t)) != 0)
			return rc;
		if (t.type == T_PIPE)
			continue;
		if (t.type == closer) {
			*out = acc;
			return 0;
		}
		if (t.type == T_RDELIM)
			return tmpl_perr(p, open_off, "unclosed left paren");
		if (t.type == T_RPAREN)
			return tmpl_perr(p, t.off, "unexpected right paren");
		return tmpl_perr(p, t.off, "unexpected %s in %s",
				 tok_desc(p, &t, desc, sizeof(desc)), what);
	}
}

static int
expect_rdelim(struct parser *p, const char *what)
{
	struct tok t;
	char desc[96];
	int rc;

	if ((rc = tmpl_lex_skip_space(p)) != 0 ||
	    (rc = tmpl_lex_next(p, &t)) != 0)
		return rc;
	if (t.type != T_RDELIM)
		return tmpl_perr(p, t.off, "unexpected %s in %s",
				 tok_desc(p, &t, desc, sizeof(desc)), what);
	return 0;
}

static int parse_if(struct parser *p, size_t if_off, struct node **out);

/*
 * Text and actions up to the end of the input, or (inside an {{if}} opened
 * at *@if_off) up to its {{else}} or {{end}}; *@stop says which, and
 * *@stop_off where that keyword is.
 */
static int
tmpl_parse_list(struct parser *p, struct node **head, const size_t *if_off,
		enum stop *stop, size_t *stop_off)
{
	struct node **tail = head;
	struct node *n = NULL;
	struct expr *e = NULL;
	struct tok t, k;
	int rc;

	for (;;) {
		if ((rc = tmpl_lex_next(p, &t)) != 0)
			return rc;
		if (t.type == T_EOF) {
			if (if_off != NULL)
				return tmpl_perr(p, *if_off,
						 "missing {{end}} for {{if}}");
			*stop = STOP_EOF;
			return 0;
		}
		if (t.type == T_TEXT) {
			if ((n = new_node(p, N_TEXT)) == NULL)
				return tmpl_oom(p);
			n->text = t.s;
			n->len = t.slen;
			*tail = n;
			tail = &n->next;
			continue;
		}
		/* T_LDELIM: a keyword, or a pipeline to print. */
		if ((rc = tmpl_lex_skip_space(p)) != 0 ||
		    (rc = tmpl_lex_peek(p, &k)) != 0)
			return rc;
		if (tok_is(p, &k, "if")) {
			p->peeked = false;
			if ((rc = parse_if(p, k.off, &n)) != 0)
				return rc;
			*tail = n;
			tail = &n->next;
			continue;
		}
		if (tok_is(p, &k, "else") || tok_is(p, &k, "end")) {
			bool is_end = tok_is(p, &k, "end");

			p->peeked = false;
			if (if_off == NULL)
				return tmpl_perr(p, k.off, is_end ?
						 "unexpected {{end}}" :
						 "unexpected {{else}}");
			if (is_end && (rc = expect_rdelim(p, "end")) != 0)
				return rc;
			*stop = is_end ? STOP_END : STOP_ELSE;
			*stop_off = k.off;
			return 0;
		}
		if (tok_in(p, &k, go_keywords,
			   sizeof(go_keywords) / sizeof(go_keywords[0])))
			return tmpl_perr(p, k.off, "{{%.*s}} is not supported",
					 (int)k.len, p->src + k.off);
		rc = parse_pipeline(p, "command", T_RDELIM, t.off, &e);
		if (rc != 0)
			return rc;
		if ((n = new_node(p, N_ACTION)) == NULL)
			return tmpl_oom(p);
		n->expr = e;
		*tail = n;
		tail = &n->next;
	}
}

/*
 * {{if}} whose keyword is at @if_off, with its {{else if}} chain (parsed
 * as a loop, not as nesting) and {{else}}, through its {{end}}.
 */
static int
parse_if(struct parser *p, size_t if_off, struct node **out)
{
	struct node **slot = out;
	struct node *n = NULL;
	struct tok k;
	enum stop stop = STOP_EOF;
	size_t kw_off = if_off, stop_off = 0;
	int rc;

	if (++p->if_depth > MAX_IF_DEPTH)
		return tmpl_perr(p, if_off,
				 "{{if}} nested too deeply (limit %d)",
				 MAX_IF_DEPTH);
	for (;;) {
		if ((n = new_node(p, N_IF)) == NULL)
			return tmpl_oom(p);
		*slot = n;
		rc = parse_pipeline(p, "if", T_RDELIM, kw_off, &n->expr);
		if (rc != 0)
			return rc;
		rc = tmpl_parse_list(p, &n->then, &if_off, &stop, &stop_off);
		if (rc != 0)
			return rc;
		if (stop == STOP_END)
			break;
		if ((rc = tmpl_lex_skip_space(p)) != 0 ||
		    (rc = tmpl_lex_peek(p, &k)) != 0)
			return rc;
		if (tok_is(p, &k, "if")) {
			p->peeked = false;
			n->else_if = true;
			slot = &n->otherwise;
			kw_off = k.off;
			continue;
		}
		if ((rc = expect_rdelim(p, "else")) != 0)
			return rc;
		rc = tmpl_parse_list(p, &n->otherwise, &if_off, &stop,
				     &stop_off);
		if (rc != 0)
			return rc;
		if (stop == STOP_ELSE)
			return tmpl_perr(p, stop_off,
					 "expected {{end}}; found {{else}}");
		break;
	}
	p->if_depth--;
	return 0;
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
	struct blk *b, *next;

	if (t == NULL)
		return;
	for (b = t->blks; b != NULL; b = next) {
		next = b->next;
		free(b);
	}
	free(t->text);
	free(t);
}

/* ---- render ---- */

struct val {
	enum kind kind;		/* K_STRING, K_BOOL or K_INT */
	const char *s;		/* K_STRING: NUL-terminated */
	size_t len;
	long long num;		/* K_BOOL (0 or 1), K_INT */
};

struct render {
	const struct tmpl_vars *vars;
	char *buf;
	size_t size;
	size_t len;
	char *errbuf;
	size_t errsize;
	size_t sp;		/* next free slot of stack */
	size_t used;		/* bytes of scratch in use */
	struct val stack[VSTACK];
	char scratch[SCRATCH];
};

static int
tmpl_exec_err(struct render *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int
tmpl_exec_err(struct render *r, const char *fmt, ...)
{
	va_list ap;

	if (r->errbuf != NULL && r->errsize > 0) {
		va_start(ap, fmt);
		vsnprintf(r->errbuf, r->errsize, fmt, ap);
		va_end(ap);
	}
	return -1;
}

static bool
truth(const struct val *v)
{
	if (v->kind == K_STRING)
		return v->len > 0;
	return v->num != 0;
}

static bool
in_scratch(const struct render *r, const char *s)
{
	return (uintptr_t)s - (uintptr_t)r->scratch < SCRATCH;
}

static const char *
field_value(const struct tmpl_vars *vars, enum field f)
{
	const char *s = NULL;

	switch (f) {
	case F_NAME:
		s = vars->name;
		break;
	case F_DISPLAY_NAME:
		s = vars->display_name;
		break;
	case F_NAMESPACE:
		s = vars->namespace;
		break;
	case F_MESH:
		s = vars->mesh;
		break;
	case F_ZONE:
		s = vars->zone;
		break;
	case F_COUNT:
		break;
	}
	return s != NULL ? s : "";
}

/* printf's parsed %-directive. */
struct spec {
	bool minus, plus, sharp, space, zero;
	bool has_width, has_prec;
	size_t width, prec;
};

/* Pad what was written since @start to the width, as Go's fmt does. */
static void
pad_from(struct wbuf *w, const struct spec *sp, size_t start)
{
	size_t runes, pad;

	if (w->over || !sp->has_width)
		return;
	runes = count_runes(w->p + start, w->len - start);
	if (sp->width <= runes)
		return;
	pad = sp->width - runes;
	if (pad > w->size - w->len) {
		w->over = true;
		return;
	}
	if (!sp->minus) {
		memmove(w->p + start + pad, w->p + start, w->len - start);
		memset(w->p + start, ' ', pad);
	} else {
		memset(w->p + w->len, ' ', pad);
	}
	w->len += pad;
}

static void
fmt_int(struct wbuf *w, const struct spec *sp, uint32_t verb, long long v)
{
	const char *digits = verb == 'X' ? "0123456789ABCDEF" :
					   "0123456789abcdef";
	unsigned long long u = v < 0 ? 0ULL - (unsigned long long)v :
				       (unsigned long long)v;
	char tmp[72];
	size_t nd = 0, start = w->len, prec = 0, zeros;
	unsigned base = 10;

	if (verb == 'x' || verb == 'X')
		base = 16;
	else if (verb == 'o' || verb == 'O')
		base = 8;
	else if (verb == 'b')
		base = 2;
	if (sp->has_prec) {
		prec = sp->prec;
		if (prec == 0 && u == 0) {
			pad_from(w, sp, start);
			return;
		}
	} else if (sp->zero && sp->has_width) {
		prec = sp->width;
		if ((v < 0 || sp->plus || sp->space) && prec > 0)
			prec--;
	}
	do {
		tmp[nd++] = digits[u % base];
		u /= base;
	} while (u != 0);
	zeros = prec > nd ? prec - nd : 0;
	if (v < 0)
		wputc(w, '-');
	else if (sp->plus)
		wputc(w, '+');
	else if (sp->space)
		wputc(w, ' ');
	if (verb == 'O')
		wputs(w, "0o");
	else if (sp->sharp && base == 16)
		wputs(w, verb == 'X' ? "0X" : "0x");
	else if (sp->sharp && base == 2)
		wputs(w, "0b");
	else if (sp->sharp && base == 8 && zeros == 0 && tmp[nd - 1] != '0')
		wputc(w, '0');
	wfill(w, '0', zeros);
	while (nd > 0)
		wputc(w, tmp[--nd]);
	pad_from(w, sp, start);
}

/* %c, %q and %U of an integer: the integer is a Unicode code point. */
static void
fmt_rune(struct wbuf *w, const struct spec *sp, uint32_t verb, long long v)
{
	char enc[4], u[24];
	size_t start = w->len, n;
	bool valid = v >= 0 && v <= 0x10ffff && !(v >= 0xd800 && v <= 0xdfff);

	n = tmpl_utf8_encode(enc, valid ? (uint32_t)v : 0xfffd);
	if (verb == 'c') {
		wput(w, enc, n);
	} else if (verb == 'q') {
		tmpl_write_quoted(w, enc, n, '\'');
	} else {
		if (v < 0)
			snprintf(u, sizeof(u), "U+%llX", (unsigned long long)v);
		else
			snprintf(u, sizeof(u), "U+%04llX", (unsigned long long)v);
		wputs(w, u);
		if (sp->sharp && valid && v >= 0x20 && v != 0x7f &&
		    !(v >= 0x80 && v < 0xa0)) {
			wputs(w, " '");
			wput(w, enc, n);
			wputc(w, '\'');
		}
	}
	pad_from(w, sp, start);
}

static void
fmt_hex(struct wbuf *w, const struct spec *sp, bool upper, const char *s,
	size_t n)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	size_t i, start = w->len;

	if (sp->has_prec && sp->prec < n)
		n = sp->prec;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (sp->space && i > 0)
			wputc(w, ' ');
		if (sp->sharp && (sp->space || i == 0))
			wputs(w, upper ? "0X" : "0x");
		wputc(w, digits[c >> 4]);
		wputc(w, digits[c & 0xf]);
	}
	pad_from(w, sp, start);
}

static void fmt_value(struct wbuf *w, const struct spec *sp, uint32_t verb,
		      const char *verbs, size_t verblen, const struct val *v);

static void
bad_verb(struct wbuf *w, const struct spec *sp, const char *verbs,
	 size_t verblen, const struct val *v)
{
	wputs(w, "%!");
	wput(w, verbs, verblen);
	wputc(w, '(');
	wputs(w, tmpl_kind_names[v->kind]);
	wputc(w, '=');
	fmt_value(w, sp, 'v', "v", 1, v);
	wputc(w, ')');
}

static void
fmt_value(struct wbuf *w, const struct spec *sp, uint32_t verb,
	  const char *verbs, size_t verblen, const struct val *v)
{
	size_t start = w->len, n;

	switch (v->kind) {
	case K_STRING:
		n = v->len;
		if (verb == 's' || verb == 'v' || verb == 'q') {
			if (sp->has_prec)
				n = rune_prefix(v->s, n, sp->prec);
			if (verb == 'q')
				tmpl_write_quoted(w, v->s, n, '"');
			else
				wput(w, v->s, n);
			pad_from(w, sp, start);
		} else if (verb == 'x' || verb == 'X') {
			fmt_hex(w, sp, verb == 'X', v->s, n);
		} else {
			bad_verb(w, sp, verbs, verblen, v);
		}
		break;
	case K_BOOL:
		if (verb == 't' || verb == 'v') {
			wputs(w, v->num ? "true" : "false");
			pad_from(w, sp, start);
		} else {
			bad_verb(w, sp, verbs, verblen, v);
		}
		break;
	case K_INT:
		if (verb == 'd' || verb == 'v' || verb == 'x' || verb == 'X' ||
		    verb == 'o' || verb == 'O' || verb == 'b')
			fmt_int(w, sp, verb == 'v' ? 'd' : verb, v->num);
		else if (verb == 'c' || verb == 'q' || verb == 'U')
			fmt_rune(w, sp, verb, v->num);
		else
			bad_verb(w, sp, verbs, verblen, v);
		break;
	case K_ANY:
		break;
	}
}

static size_t
read_count(const char *f, size_t n, size_t *i)
{
	size_t v = 0;

	while (*i < n && is_digit(f[*i])) {
		v = v * 10 + (size_t)(f[*i] - '0');
		if (v > MAX_WIDTH)
			v = MAX_WIDTH;
		(*i)++;
	}
	return v;
}

/* Go's fmt.Sprintf for the verbs and flags listed at the top. */
static void
fmt_printf(struct wbuf *w, const char *f, size_t n, const struct val *args,
	   int argc)
{
	static const struct spec none;
	size_t i = 0, vlen;
	uint32_t verb;
	int argi = 0;

	while (i < n) {
		struct spec sp = none;
		const char *vs;

		if (f[i] != '%') {
			wputc(w, f[i++]);
			continue;
		}
		i++;
		for (; i < n; i++) {
			if (f[i] == '-') {
				sp.minus = true;
				sp.zero = false;
			} else if (f[i] == '+') {
				sp.plus = true;
			} else if (f[i] == '#') {
				sp.sharp = true;
			} else if (f[i] == ' ') {
				sp.space = true;
			} else if (f[i] == '0') {
				sp.zero = !sp.minus;
			} else {
				break;
			}
		}
		if (i < n && is_digit(f[i])) {
			sp.has_width = true;
			sp.width = read_count(f, n, &i);
		}
		if (i < n && f[i] == '.') {
			i++;
			sp.has_prec = true;
			sp.prec = read_count(f, n, &i);
		}
		if (i >= n) {
			wputs(w, "%!(NOVERB)");
			break;
		}
		/* The verb is a rune; a bad byte reads as U+FFFD, as in Go. */
		vs = f + i;
		vlen = 1;
		verb = (unsigned char)f[i];
		if (verb >= 0x80)
			vlen = tmpl_utf8_decode(vs, n - i, &verb);
		if (vlen == 0) {
			vs = "\xef\xbf\xbd";
			verb = 0xfffd;
			i++;
			vlen = 3;
		} else {
			i += vlen;
		}
		if (verb == '%') {
			wputc(w, '%');
			continue;
		}
		if (argi >= argc) {
			wputs(w, "%!");
			wput(w, vs, vlen);
			wputs(w, "(MISSING)");
			continue;
		}
		fmt_value(w, &sp, verb, vs, vlen, &args[argi++]);
	}
	if (argi < argc) {
		wputs(w, "%!(EXTRA ");
		for (; argi < argc; argi++) {
			wputs(w, tmpl_kind_names[args[argi].kind]);
			wputc(w, '=');
			fmt_value(w, &none, 'v', "v", 1, &args[argi]);
			if (argi + 1 < argc)
				wputs(w, ", ");
		}
		wputc(w, ')');
	}
}

static int
need_string(struct render *r, const struct expr *e, const struct val *v)
{
	if (v->kind == K_STRING)
		return 0;
	return tmpl_exec_err(r,
			     "wrong type for argument 1 of %s: want string, got %s",
			     tmpl_funcs[e->fn].name, tmpl_kind_names[v->kind]);
}

static int
equal(struct render *r, const struct val *a, const struct val *b, bool *eq)
{
	if (a->kind != b->kind)
		return tmpl_exec_err(r,
				     "incompatible types for comparison: %s and %s",
				     tmpl_kind_names[a->kind],
				     tmpl_kind_names[b->kind]);
	if (a->kind == K_STRING)
		*eq = a->len == b->len && memcmp(a->s, b->s, a->len) == 0;
	else
		*eq = a->num == b->num;
	return 0;
}

/* Room for a string of @len bytes and its NUL at the top of scratch? */
static int
scratch_room(struct render *r, size_t len)
{
	if (len >= SCRATCH - r->used)
		return tmpl_exec_err(r,
				     "intermediate value too long (limit %d bytes)",
				     SCRATCH - 1);
	return 0;
}

/* Apply a function other than and/or to its evaluated arguments @a. */
static int
apply(struct render *r, const struct expr *e, const struct val *a,
      struct val *res)
{
	const char *s = NULL;
	struct wbuf w;
	bool eq = false;
	size_t i;
	int k, rc;

	memset(res, 0, sizeof(*res));
	res->kind = K_BOOL;
	switch (e->fn) {
	case FN_LABEL:
		if ((rc = need_string(r, e, &a[0])) != 0)
			return rc;
		if (r->vars->label != NULL)
			s = r->vars->label(r->vars->label_ctx, a[0].s);
		if (s == NULL)
			return tmpl_exec_err(r, "label %s not found", a[0].s);
		res->kind = K_STRING;
		res->s = s;
		res->len = strlen(s);
		return 0;
	case FN_EQ:
		for (k = 1; k < e->argc && !eq; k++)
			if ((rc = equal(r, &a[0], &a[k], &eq)) != 0)
				return rc;
		res->num = eq;
		return 0;
	case FN_NE:
		if ((rc = equal(r, &a[0], &a[1], &eq)) != 0)
			return rc;
		res->num = !eq;
		return 0;
	case FN_NOT:
		res->num = !truth(&a[0]);
		return 0;
	case FN_LEN:
		if ((rc = need_string(r, e, &a[0])) != 0)
			return rc;
		res->kind = K_INT;
		res->num = (long long)a[0].len;
		return 0;
	case FN_PRINTF:
		if ((rc = need_string(r, e, &a[0])) != 0)
			return rc;
		if ((rc = scratch_room(r, 0)) != 0)
			return rc;
		w.p = r->scratch + r->used;
		w.size = SCRATCH - r->used - 1;
		w.len = 0;
		w.over = false;
		fmt_printf(&w, a[0].s, a[0].len, a + 1, e->argc - 1);
		if (w.over)
			return scratch_room(r, SCRATCH);
		break;
	case FN_LOWER:
	case FN_UPPER:
		if ((rc = need_string(r, e, &a[0])) != 0)
			return rc;
		if ((rc = scratch_room(r, a[0].len)) != 0)
			return rc;
		w.p = r->scratch + r->used;
		w.len = a[0].len;
		for (i = 0; i < a[0].len; i++) {
			char c = a[0].s[i];

			if (e->fn == FN_LOWER && c >= 'A' && c <= 'Z')
				c = (char)(c - 'A' + 'a');
			else if (e->fn == FN_UPPER && c >= 'a' && c <= 'z')
				c = (char)(c - 'a' + 'A');
			w.p[i] = c;
		}
		break;
	default:
		return tmpl_exec_err(r, "internal error: bad function");
	}
	/* A string made here, at the top of scratch. */
	w.p[w.len] = '\0';
	res->kind = K_STRING;
	res->s = w.p;
	res->len = w.len;
	r->used += w.len + 1;
	return 0;
}

static int eval(struct render *r, const struct expr *e, struct val *v);

/*
 * Arguments go on the value stack, strings made for them on scratch; both
 * are released when the call returns, its own result moved down to where
 * scratch stood before, so nested calls use only what they keep.  As in
 * Go, a piped value is evaluated first, and and/or stop at the first
 * argument that decides the result.
 */
static int
eval_call(struct render *r, const struct expr *e, struct val *v)
{
	size_t base = r->sp, mark = r->used;
	struct val *a = &r->stack[base];
	struct val res;
	int i, n = e->argc, plain = e->piped ? n - 1 : n, rc = 0;

	r->sp += (size_t)n;
	if (e->piped && (rc = eval(r, e->args[n - 1], &a[n - 1])) != 0)
		goto out;
	if (e->fn == FN_AND || e->fn == FN_OR) {
		for (i = 0; i < n; i++) {
			if (i < plain &&
			    (rc = eval(r, e->args[i], &a[i])) != 0)
				goto out;
			if (i == n - 1 || truth(&a[i]) == (e->fn == FN_OR))
				break;
		}
		res = a[i];
	} else {
		for (i = 0; i < plain; i++)
			if ((rc = eval(r, e->args[i], &a[i])) != 0)
				goto out;
		if ((rc = apply(r, e, a, &res)) != 0)
			goto out;
	}
	if (res.kind == K_STRING && in_scratch(r, res.s)) {
		memmove(r->scratch + mark, res.s, res.len + 1);
		res.s = r->scratch + mark;
		r->used = mark + res.len + 1;
	} else {
		r->used = mark;
	}
	*v = res;
out:
	r->sp = base;
	return rc;
}

static int
eval(struct render *r, const struct expr *e, struct val *v)
{
	memset(v, 0, sizeof(*v));
	switch (e->type) {
	case E_STRING:
		v->kind = K_STRING;
		v->s = e->s;
		v->len = e->len;
		return 0;
	case E_BOOL:
		v->kind = K_BOOL;
		v->num = e->num;
		return 0;
	case E_INT:
		v->kind = K_INT;
		v->num = e->num;
		return 0;
	case E_FIELD:
		v->kind = K_STRING;
		v->s = field_value(r->vars, e->field);
		v->len = strlen(v->s);
		return 0;
	case E_CALL:
		return eval_call(r, e, v);
	}
	return tmpl_exec_err(r, "internal error: bad expression");
}

static int
emit(struct render *r, const char *s, size_t n)
{
	if (n > r->size - 1 - r->len)
		return tmpl_exec_err(r, "rendered name too long");
	memcpy(r->buf + r->len, s, n);
	r->len += n;
	return 0;
}

static int
emit_val(struct render *r, const struct val *v)
{
	char num[24];

	switch (v->kind) {
	case K_STRING:
		return emit(r, v->s, v->len);
	case K_BOOL:
		return emit(r, v->num ? "true" : "false", v->num ? 4 : 5);
	default:
		snprintf(num, sizeof(num), "%lld", v->num);
		return emit(r, num, strlen(num));
	}
}

static int
eval_top(struct render *r, const struct expr *e, struct val *v)
{
	r->sp = 0;
	r->used = 0;
	return eval(r, e, v);
}

static int
tmpl_exec_list(struct render *r, const struct node *n)
{
	const struct node *c;
	struct val v;
	int rc;

	for (; n != NULL; n = n->next) {
		switch (n->type) {
		case N_TEXT:
			rc = emit(r, n->text, n->len);
			break;
		case N_ACTION:
			rc = eval_top(r, n->expr, &v);
			if (rc == 0)
				rc = emit_val(r, &v);
			break;
		case N_IF:
			for (c = n;;) {
				if ((rc = eval_top(r, c->expr, &v)) != 0)
					break;
				if (truth(&v)) {
					rc = tmpl_exec_list(r, c->then);
					break;
				}
				if (!c->else_if) {
					rc = tmpl_exec_list(r, c->otherwise);
					break;
				}
				c = c->otherwise;
			}
			break;
		default:
			rc = tmpl_exec_err(r, "internal error: bad node");
		}
		if (rc != 0)
			return rc;
	}
	return 0;
}

int
tmpl_render(const struct tmpl *t, const struct tmpl_vars *vars, char *buf,
	    size_t size, char *errbuf, size_t errsize)
{
	struct render r;
	int rc;

	r.vars = vars;
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
