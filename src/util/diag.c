/* SPDX-License-Identifier: MIT */
/* diag.c -- positioned diagnostics. */
#include "autoconfig.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/diag.h"

void
diag_list_init(struct diag_list *list)
{
	memset(list, 0, sizeof(*list));
}

void
diag_list_clear(struct diag_list *list)
{
	size_t i;

	for (i = 0; i < list->n; i++) {
		free(list->v[i].file);
		free(list->v[i].msg);
	}
	free(list->v);
	diag_list_init(list);
}

static void
diag_vadd(struct diag_list *list, enum diag_severity sev, const char *file,
	  int line, int column, const char *fmt, va_list ap)
{
	struct diag *d = NULL;
	char *msg = NULL;
	char *f = NULL;

	if (sev == DIAG_ERROR)
		list->errors++;
	if (list->n == list->cap) {
		size_t cap = list->cap ? list->cap * 2 : 8;
		struct diag *v = realloc(list->v, cap * sizeof(*v));

		if (v == NULL)
			goto oom;
		list->v = v;
		list->cap = cap;
	}
	if (vasprintf(&msg, fmt, ap) < 0) {
		msg = NULL;
		goto oom;
	}
	if (file != NULL && (f = strdup(file)) == NULL)
		goto oom;
	d = &list->v[list->n++];
	d->severity = sev;
	d->file = f;
	d->line = line;
	d->column = column;
	d->msg = msg;
	return;
oom:
	free(msg);
	list->oom = 1;
}

void
diag_add(struct diag_list *list, enum diag_severity sev, const char *file,
	 int line, int column, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	diag_vadd(list, sev, file, line, column, fmt, ap);
	va_end(ap);
}

void
diag_error(struct diag_list *list, const char *file, int line, int column,
	   const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	diag_vadd(list, DIAG_ERROR, file, line, column, fmt, ap);
	va_end(ap);
}

void
diag_warning(struct diag_list *list, const char *file, int line, int column,
	     const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	diag_vadd(list, DIAG_WARNING, file, line, column, fmt, ap);
	va_end(ap);
}

void
diag_list_move(struct diag_list *dst, struct diag_list *src)
{
	size_t i;

	for (i = 0; i < src->n; i++) {
		struct diag *d = &src->v[i];

		diag_add(dst, d->severity, d->file, d->line, d->column, "%s",
			 d->msg);
	}
	if (src->oom)
		dst->oom = 1;
	diag_list_clear(src);
}

void
diag_printf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;

	if (buf == NULL || size == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(buf, size, fmt, ap);
	va_end(ap);
}

/* Levenshtein distance; 64 for strings of 64 octets or more. */
static size_t
distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	size_t row[64];
	size_t i, j, diag, up;

	if (la >= 64 || lb >= 64)
		return 64;
	for (j = 0; j <= lb; j++)
		row[j] = j;
	for (i = 1; i <= la; i++) {
		diag = row[0];
		row[0] = i;
		for (j = 1; j <= lb; j++) {
			up = row[j];
			row[j] = diag + (a[i - 1] != b[j - 1]);
			if (up + 1 < row[j])
				row[j] = up + 1;
			if (row[j - 1] + 1 < row[j])
				row[j] = row[j - 1] + 1;
			diag = up;
		}
	}
	return row[lb];
}

int
diag_suggest(const char *word, const char *candidate, size_t *best)
{
	size_t d = distance(word, candidate);

	if (d >= *best || d >= strlen(candidate))
		return 0;
	*best = d;
	return 1;
}

const char *
diag_format(const struct diag *d, char *buf, size_t size)
{
	const char *sev = d->severity == DIAG_ERROR ? "error" : "warning";

	if (d->file != NULL && d->line > 0 && d->column > 0)
		snprintf(buf, size, "%s:%d:%d: %s: %s", d->file, d->line,
			 d->column, sev, d->msg);
	else if (d->file != NULL && d->line > 0)
		snprintf(buf, size, "%s:%d: %s: %s", d->file, d->line, sev,
			 d->msg);
	else if (d->file != NULL)
		snprintf(buf, size, "%s: %s: %s", d->file, sev, d->msg);
	else
		snprintf(buf, size, "%s: %s", sev, d->msg);
	return buf;
}

const char *
diag_quote(const char *s, char *buf, size_t size)
{
	size_t n = 0;
	int k;

	buf[n++] = '"';
	for (; *s != '\0' && n + 8 < size; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			k = snprintf(buf + n, size - n, "\\%c", c);
		else if (c < 0x20 || c == 0x7f)
			k = snprintf(buf + n, size - n, "\\x%02x", c);
		else
			k = snprintf(buf + n, size - n, "%c", c);
		n += (size_t)k;
	}
	if (*s != '\0')
		n += (size_t)snprintf(buf + n, size - n, "...");
	snprintf(buf + n, size - n, "\"");
	return buf;
}
