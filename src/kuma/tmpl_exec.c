/* SPDX-License-Identifier: MIT */
/* tmpl_exec.c -- rendering a template: the evaluator and Go's printf. */

#include "autoconfig.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "kuma/tmpl_int.h"

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

int
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
	if (v->kind == K_DATA)
		return true;	/* Go: a struct is always true */
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

static const char *field_value(const struct tmpl_vars *vars, enum field f);

/* A struct prints as Go's fmt prints it: {field field ...}. */
static void
fmt_data(struct wbuf *w, const struct spec *sp, uint32_t verb,
	 const char *verbs, size_t verblen, const struct val *v)
{
	struct val f;
	int i;

	memset(&f, 0, sizeof(f));
	f.kind = K_STRING;
	wputc(w, '{');
	for (i = 0; i < F_COUNT; i++) {
		if (i > 0)
			wputc(w, ' ');
		f.s = field_value(v->vars, (enum field)i);
		f.len = strlen(f.s);
		fmt_value(w, sp, verb, verbs, verblen, &f);
	}
	wputc(w, '}');
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
	case K_DATA:
		fmt_data(w, sp, verb, verbs, verblen, v);
		break;
	case K_INT:
	case K_UINT8:
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

static bool
is_int(const struct val *v)
{
	return v->kind == K_INT || v->kind == K_UINT8;
}

static int
equal(struct render *r, const struct val *a, const struct val *b, bool *eq)
{
	if (a->kind != b->kind && !(is_int(a) && is_int(b)))
		return tmpl_exec_err(r,
				     "incompatible types for comparison: %s and %s",
				     tmpl_kind_names[a->kind],
				     tmpl_kind_names[b->kind]);
	if (a->kind == K_STRING)
		*eq = a->len == b->len && memcmp(a->s, b->s, a->len) == 0;
	else
		*eq = a->num == b->num;	/* one K_DATA exists: equal */
	return 0;
}

/* lt le gt ge: Go's ordering of two strings or two integers. */
static int
order(struct render *r, const struct expr *e, const struct val *a,
      struct val *res)
{
	int c;

	if (a[0].kind == K_DATA || a[1].kind == K_DATA)
		return tmpl_exec_err(r, "invalid type for comparison");
	if (a[0].kind != a[1].kind && !(is_int(&a[0]) && is_int(&a[1])))
		return tmpl_exec_err(r,
				     "incompatible types for comparison: %s and %s",
				     tmpl_kind_names[a[0].kind],
				     tmpl_kind_names[a[1].kind]);
	if (a[0].kind == K_BOOL)
		return tmpl_exec_err(r, "invalid type for comparison");
	if (a[0].kind == K_STRING) {
		c = memcmp(a[0].s, a[1].s,
			   a[0].len < a[1].len ? a[0].len : a[1].len);
		if (c == 0)
			c = (a[0].len > a[1].len) - (a[0].len < a[1].len);
	} else {
		c = (a[0].num > a[1].num) - (a[0].num < a[1].num);
	}
	res->kind = K_BOOL;
	switch (e->fn) {
	case FN_LT:
		res->num = c < 0;
		break;
	case FN_LE:
		res->num = c <= 0;
		break;
	case FN_GT:
		res->num = c > 0;
		break;
	default:
		res->num = c >= 0;
		break;
	}
	return 0;
}

/* Go's indexArg: an integer index into @len bytes (len itself allowed). */
static int
index_arg(struct render *r, const char *fn, const struct val *x, size_t len,
	  size_t *out)
{
	if (!is_int(x))
		return tmpl_exec_err(r,
				     "error calling %s: cannot index slice/array with type %s",
				     fn, tmpl_kind_names[x->kind]);
	if (x->num < 0 || (unsigned long long)x->num > len)
		return tmpl_exec_err(r, "error calling %s: index out of range: %lld",
				     fn, x->num);
	*out = (size_t)x->num;
	return 0;
}

/* index: a string's byte, as Go's index does (uint8). */
static int
fn_index(struct render *r, const struct expr *e, const struct val *a,
	 struct val *res)
{
	size_t x = 0;
	int k, rc;

	*res = a[0];
	for (k = 1; k < e->argc; k++) {
		if (res->kind != K_STRING)
			return tmpl_exec_err(r,
					     "error calling index: can't index item of type %s",
					     tmpl_kind_names[res->kind]);
		if ((rc = index_arg(r, "index", &a[k], res->len, &x)) != 0)
			return rc;
		if (x == res->len)
			return tmpl_exec_err(r,
					     "error calling index: reflect: string index out of range");
		res->kind = K_UINT8;
		res->num = (unsigned char)res->s[x];
		res->s = NULL;
		res->len = 0;
	}
	return 0;
}

/* slice: part of a string, as Go's slice does; into @w. */
static int
fn_slice(struct render *r, const struct expr *e, const struct val *a,
	 struct wbuf *w)
{
	size_t idx[2] = { 0, 0 };
	int k, rc;

	if (e->argc - 1 > 3)
		return tmpl_exec_err(r,
				     "error calling slice: too many slice indexes: %d",
				     e->argc - 1);
	if (a[0].kind != K_STRING)
		return tmpl_exec_err(r,
				     "error calling slice: can't slice item of type %s",
				     tmpl_kind_names[a[0].kind]);
	if (e->argc - 1 == 3)
		return tmpl_exec_err(r,
				     "error calling slice: cannot 3-index slice a string");
	idx[1] = a[0].len;
	for (k = 1; k < e->argc; k++)
		if ((rc = index_arg(r, "slice", &a[k], a[0].len,
				    &idx[k - 1])) != 0)
			return rc;
	if (idx[0] > idx[1])
		return tmpl_exec_err(r,
				     "error calling slice: invalid slice index: %zu > %zu",
				     idx[0], idx[1]);
	wput(w, a[0].s + idx[0], idx[1] - idx[0]);
	return 0;
}

/* Go's HTMLEscapeString. */
static void
esc_html(struct wbuf *w, const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		switch (s[i]) {
		case '\0':
			wputs(w, "\xef\xbf\xbd");
			break;
		case '"':
			wputs(w, "&#34;");
			break;
		case '\'':
			wputs(w, "&#39;");
			break;
		case '&':
			wputs(w, "&amp;");
			break;
		case '<':
			wputs(w, "&lt;");
			break;
		case '>':
			wputs(w, "&gt;");
			break;
		default:
			wputc(w, s[i]);
		}
	}
}

/*
 * Go's JSEscapeString.  Of the non-ASCII runes, those unicode.IsPrint
 * rejects are escaped; here that is C1 controls and U+00AD (the others
 * are not letters anyone puts in a hostname).
 */
static void
esc_js(struct wbuf *w, const char *s, size_t n)
{
	static const char hex[] = "0123456789ABCDEF";
	char u[16];
	size_t i, k;
	uint32_t rune;
	unsigned char c;

	for (i = 0; i < n; i++) {
		c = (unsigned char)s[i];
		if (c >= 0x80) {
			k = tmpl_utf8_decode(s + i, n - i, &rune);
			if (k == 0) {
				wputc(w, (char)c);
				continue;
			}
			if (rune < 0xa0 || rune == 0xad) {
				snprintf(u, sizeof(u), "\\u%04X", (unsigned)rune);
				wputs(w, u);
			} else {
				wput(w, s + i, k);
			}
			i += k - 1;
			continue;
		}
		if (c == '\\' || c == '\'' || c == '"') {
			wputc(w, '\\');
			wputc(w, (char)c);
		} else if (c == '<' || c == '>' || c == '&' || c == '=' ||
			   c < ' ') {
			wputs(w, "\\u00");
			wputc(w, hex[c >> 4]);
			wputc(w, hex[c & 0xf]);
		} else {
			wputc(w, (char)c);
		}
	}
}

/* Go's url.QueryEscape. */
static void
esc_query(struct wbuf *w, const char *s, size_t n)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t i;
	unsigned char c;

	for (i = 0; i < n; i++) {
		c = (unsigned char)s[i];
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    is_digit(c) || c == '-' || c == '_' || c == '.' ||
		    c == '~') {
			wputc(w, (char)c);
		} else if (c == ' ') {
			wputc(w, '+');
		} else {
			wputc(w, '%');
			wputc(w, hex[c >> 4]);
			wputc(w, hex[c & 0xf]);
		}
	}
}

/*
 * Go's fmt.Sprint (a space between two operands when neither is a
 * string) and fmt.Sprintln (a space between every two, a final newline).
 */
static void
fmt_print(struct wbuf *w, const struct val *args, int argc, bool ln)
{
	static const struct spec none;
	int i;

	for (i = 0; i < argc; i++) {
		if (i > 0 && (ln || (args[i - 1].kind != K_STRING &&
				     args[i].kind != K_STRING)))
			wputc(w, ' ');
		fmt_value(w, &none, 'v', "v", 1, &args[i]);
	}
	if (ln)
		wputc(w, '\n');
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

/*
 * html, js, urlquery: Go's evalArgs (one string as it is, anything else
 * as fmt.Sprint prints it), escaped, at the top of scratch.
 */
static int
fn_escape(struct render *r, const struct expr *e, const struct val *a,
	  struct val *res)
{
	struct wbuf w, out;
	const char *s = NULL;
	size_t n = 0;
	int rc;

	if ((rc = scratch_room(r, 0)) != 0)
		return rc;
	w.p = r->scratch + r->used;
	w.size = SCRATCH - r->used - 1;
	w.len = 0;
	w.over = false;
	if (e->argc == 1 && a[0].kind == K_STRING) {
		s = a[0].s;
		n = a[0].len;
	} else {
		fmt_print(&w, a, e->argc, false);
		s = w.p;
		n = w.len;
	}
	if (w.over)
		return scratch_room(r, SCRATCH);
	out.p = w.p + w.len;
	out.size = w.size - w.len;
	out.len = 0;
	out.over = false;
	if (e->fn == FN_HTML)
		esc_html(&out, s, n);
	else if (e->fn == FN_JS)
		esc_js(&out, s, n);
	else
		esc_query(&out, s, n);
	if (out.over)
		return scratch_room(r, SCRATCH);
	out.p[out.len] = '\0';
	res->kind = K_STRING;
	res->s = out.p;
	res->len = out.len;
	r->used = (size_t)(out.p - r->scratch) + out.len + 1;
	return 0;
}

/* call: nothing in a template's data is a function. */
static int
fn_call(struct render *r, const struct expr *e, const struct val *a)
{
	const struct expr *f = e->args[0];

	if (e->argc == 1 && e->piped && a[0].kind == K_STRING)
		return tmpl_exec_err(r,
				     "error calling call: non-function %s of type string",
				     a[0].s);
	if (e->argc == 1 && e->piped)
		return tmpl_exec_err(r,
				     "error calling call: non-function <%s Value> of type %s",
				     tmpl_kind_names[a[0].kind],
				     tmpl_kind_names[a[0].kind]);
	return tmpl_exec_err(r,
			     "error calling call: non-function %.*s of type %s",
			     (int)(f->end - f->off > 64 ? 64 : f->end - f->off),
			     r->src + f->off, tmpl_kind_names[a[0].kind]);
}

/* Apply a function other than and/or to its evaluated arguments @a. */
static int
apply(struct render *r, const struct expr *e, const struct val *a,
      struct val *res)
{
	const char *s = NULL;
	struct wbuf w;
	bool eq = false;
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
	case FN_LT:
	case FN_LE:
	case FN_GT:
	case FN_GE:
		return order(r, e, a, res);
	case FN_PRINT:
	case FN_PRINTLN:
		if ((rc = scratch_room(r, 0)) != 0)
			return rc;
		w.p = r->scratch + r->used;
		w.size = SCRATCH - r->used - 1;
		w.len = 0;
		w.over = false;
		fmt_print(&w, a, e->argc, e->fn == FN_PRINTLN);
		if (w.over)
			return scratch_room(r, SCRATCH);
		break;
	case FN_INDEX:
		return fn_index(r, e, a, res);
	case FN_HTML:
	case FN_JS:
	case FN_URLQUERY:
		return fn_escape(r, e, a, res);
	case FN_CALL:
		return fn_call(r, e, a);
	case FN_SLICE:
		if ((rc = scratch_room(r, 0)) != 0)
			return rc;
		w.p = r->scratch + r->used;
		w.size = SCRATCH - r->used - 1;
		w.len = 0;
		w.over = false;
		if ((rc = fn_slice(r, e, a, &w)) != 0)
			return rc;
		if (w.over)
			return scratch_room(r, SCRATCH);
		break;
	case FN_LEN:
		if (a[0].kind != K_STRING)
			return tmpl_exec_err(r,
					     "error calling len: len of type %s",
					     tmpl_kind_names[a[0].kind]);
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
	int rc;

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
		if (e->recv == NULL)
			*v = r->dot;
		else if ((rc = eval(r, e->recv, v)) != 0)
			return rc;
		if (v->kind != K_DATA)
			return tmpl_exec_err(r,
					     "can't evaluate field %s in type %s",
					     tmpl_field_names[e->field],
					     tmpl_kind_names[v->kind]);
		v->kind = K_STRING;
		v->s = field_value(v->vars, e->field);
		v->len = strlen(v->s);
		return 0;
	case E_DOT:
		*v = r->dot;
		return 0;
	case E_VAR:
		*v = r->var[e->slot];
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
	static const struct spec none;
	char tmp[SCRATCH];
	struct wbuf w = { tmp, sizeof(tmp) - 1, 0, false };

	if (v->kind == K_STRING)
		return emit(r, v->s, v->len);
	fmt_value(&w, &none, 'v', "v", 1, v);
	if (w.over)
		return tmpl_exec_err(r, "rendered name too long");
	return emit(r, tmp, w.len);
}

static int
eval_top(struct render *r, const struct expr *e, struct val *v)
{
	r->sp = 0;
	r->used = r->floor;
	return eval(r, e, v);
}

/* Is @s in scratch or in a variable's buffer: may it change under us? */
static bool
is_transient(const struct render *r, const char *s)
{
	return in_scratch(r, s) ||
	       (uintptr_t)s - (uintptr_t)r->varbuf < sizeof(r->varbuf);
}

/* Set variable @slot to @v; a string that may change is copied. */
static void
set_var(struct render *r, int slot, const struct val *v)
{
	char *buf = r->varbuf[slot];

	r->var[slot] = *v;
	if (v->kind == K_STRING && is_transient(r, v->s)) {
		/* Scratch strings are shorter than SCRATCH: they fit. */
		memmove(buf, v->s, v->len + 1);
		r->var[slot].s = buf;
	}
}

/* The variables a pipeline declares or assigns get its value @v. */
static void
bind(struct render *r, const struct node *n, const struct val *v)
{
	int i;

	for (i = 0; i < n->ndecl; i++)
		set_var(r, n->decl[i], v);
}

/*
 * {{with}}: dot becomes @v for the body.  A string that may change is
 * kept on scratch below r->floor until the body is done.
 */
static int
exec_with(struct render *r, const struct node *n, const struct val *v)
{
	struct val dot = r->dot;
	size_t floor = r->floor;
	int rc;

	r->dot = *v;
	if (v->kind == K_STRING && is_transient(r, v->s)) {
		if (v->len >= SCRATCH - r->floor)
			return scratch_room(r, SCRATCH);
		memmove(r->scratch + r->floor, v->s, v->len + 1);
		r->dot.s = r->scratch + r->floor;
		r->floor += v->len + 1;
	}
	rc = tmpl_exec_list(r, n->then);
	r->dot = dot;
	r->floor = floor;
	return rc;
}

/* {{range}} over an integer, as Go 1.22 and later do: 0 to n - 1. */
static int
exec_range(struct render *r, const struct node *n)
{
	static const struct spec none;
	struct val v, dot = r->dot;
	char what[128];
	struct wbuf w = { what, sizeof(what) - 1, 0, false };
	long long i;
	int rc = 0;

	if ((rc = eval_top(r, n->expr, &v)) != 0)
		return rc;
	bind(r, n, &v);
	if (!is_int(&v)) {
		fmt_value(&w, &none, 'v', "v", 1, &v);
		what[w.len] = '\0';
		return tmpl_exec_err(r, "range can't iterate over %s", what);
	}
	if (n->ndecl > 1)
		return tmpl_exec_err(r,
				     "can't use %lld to iterate over more than one variable",
				     v.num);
	if (v.num <= 0)
		return tmpl_exec_list(r, n->otherwise);
	for (i = 0; i < v.num; i++) {
		if (++r->iterations > MAX_ITERATIONS) {
			rc = tmpl_exec_err(r,
					   "range: too many iterations (limit %d)",
					   MAX_ITERATIONS);
			break;
		}
		r->dot.kind = v.kind;
		r->dot.num = i;
		if (n->ndecl > 0)
			set_var(r, n->decl[0], &r->dot);
		rc = tmpl_exec_list(r, n->then);
		if (rc < 0 || rc == FLOW_BREAK)
			break;
	}
	r->dot = dot;
	return rc < 0 ? rc : 0;
}

/* {{if}} and {{with}}, with their {{else if}} / {{else with}} chains. */
static int
exec_cond(struct render *r, const struct node *n)
{
	const struct node *c;
	struct val v;
	int rc;

	for (c = n;;) {
		if ((rc = eval_top(r, c->expr, &v)) != 0)
			return rc;
		bind(r, c, &v);
		if (truth(&v))
			return c->type == N_WITH ? exec_with(r, c, &v) :
						   tmpl_exec_list(r, c->then);
		if (!c->else_if)
			return tmpl_exec_list(r, c->otherwise);
		c = c->otherwise;
	}
}

int
tmpl_exec_list(struct render *r, const struct node *n)
{
	struct val v;
	int rc;

	for (; n != NULL; n = n->next) {
		switch (n->type) {
		case N_TEXT:
			rc = emit(r, n->text, n->len);
			break;
		case N_ACTION:
			rc = eval_top(r, n->expr, &v);
			if (rc == 0 && n->ndecl > 0)
				bind(r, n, &v);
			else if (rc == 0)
				rc = emit_val(r, &v);
			break;
		case N_IF:
		case N_WITH:
			rc = exec_cond(r, n);
			break;
		case N_RANGE:
			rc = exec_range(r, n);
			break;
		case N_BREAK:
			return FLOW_BREAK;
		case N_CONTINUE:
			return FLOW_CONTINUE;
		default:
			rc = tmpl_exec_err(r, "internal error: bad node");
		}
		if (rc != 0)
			return rc;
	}
	return 0;
}
