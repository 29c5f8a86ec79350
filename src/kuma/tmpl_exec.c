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

/* lt le gt ge: Go's ordering of two strings or two integers. */
static int
order(struct render *r, const struct expr *e, const struct val *a,
      struct val *res)
{
	int c;

	if (a[0].kind == K_BOOL || a[1].kind == K_BOOL)
		return tmpl_exec_err(r, "invalid type for comparison");
	if (a[0].kind != a[1].kind)
		return tmpl_exec_err(r,
				     "incompatible types for comparison: %s and %s",
				     tmpl_kind_names[a[0].kind],
				     tmpl_kind_names[a[1].kind]);
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

int
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
