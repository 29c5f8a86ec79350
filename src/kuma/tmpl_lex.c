/* SPDX-License-Identifier: MIT */
/* tmpl_lex.c -- the template lexer: source text to tokens, as Go's does. */

#include "autoconfig.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "kuma/tmpl_int.h"

static bool
is_space(int c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
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
	const char *q = NULL;
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
		if ((q = strchr(tmpl_esc_letters, e)) != NULL) {
			/* e is not NUL: the source has none before srclen. */
			dst[n++] = tmpl_esc_chars[q - tmpl_esc_letters];
			i += 2;
			continue;
		}
		switch (e) {
		case '"':
			dst[n++] = '"';
			i += 2;
			continue;
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
		pos++;
		while (pos < p->srclen && is_alnum(s[pos]))
			pos++;
		t->type = T_VAR;
		t->len = pos - p->pos;
		p->pos = pos;
		return check_terminator(p, pos);
	case ':':
		if (pos + 1 >= p->srclen || s[pos + 1] != '=')
			return tmpl_perr(p, pos, "expected :=");
		t->type = T_DECLARE;
		pos += 2;
		goto done;
	case '=':
		t->type = T_ASSIGN;
		pos++;
		goto done;
	case ',':
		t->type = T_COMMA;
		pos++;
		goto done;
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

int
tmpl_lex_next(struct parser *p, struct tok *t)
{
	if (p->peeked) {
		*t = p->peek;
		p->peeked = false;
		return 0;
	}
	return lex(p, t);
}

int
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

int
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
