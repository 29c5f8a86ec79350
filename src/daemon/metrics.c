/* SPDX-License-Identifier: MIT */
/* metrics.c -- writing the Prometheus text format (version 0.0.4). */
#include "autoconfig.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/metrics.h"

void
metrics_init(struct metrics *m)
{
	memset(m, 0, sizeof(*m));
}

void
metrics_clear(struct metrics *m)
{
	free(m->buf);
	metrics_init(m);
}

int
metrics_failed(const struct metrics *m)
{
	return m->failed;
}

/* Room for @n more bytes and the NUL: 0, or -1 (failed). */
static int
room(struct metrics *m, size_t n)
{
	char *nb = NULL;
	size_t cap;

	if (m->failed)
		return -1;
	if (m->len + n + 1 <= m->cap)
		return 0;
	cap = m->cap > 0 ? m->cap : 4096;
	while (cap < m->len + n + 1)
		cap *= 2;
	if ((nb = realloc(m->buf, cap)) == NULL) {
		m->failed = -ENOMEM;
		return -1;
	}
	m->buf = nb;
	m->cap = cap;
	return 0;
}

void
metrics_append(struct metrics *m, const char *text, size_t len)
{
	if (room(m, len) < 0)
		return;
	memcpy(m->buf + m->len, text, len);
	m->len += len;
	m->buf[m->len] = '\0';
}

static void
put(struct metrics *m, const char *s)
{
	metrics_append(m, s, strlen(s));
}

void
metrics_family(struct metrics *m, const char *name, const char *type,
	       const char *help)
{
	put(m, "# HELP ");
	put(m, name);
	put(m, " ");
	put(m, help);
	put(m, "\n# TYPE ");
	put(m, name);
	put(m, " ");
	put(m, type);
	put(m, "\n");
}

/* name{k="v",...} from the NULL-ended pairs of @ap. */
static void
series(struct metrics *m, const char *name, va_list ap)
{
	const char *k = NULL;
	int n = 0;

	put(m, name);
	while ((k = va_arg(ap, const char *)) != NULL) {
		const char *v = va_arg(ap, const char *);

		put(m, n++ ? ",": "{");
		put(m, k);
		put(m, "=\"");
		for (; *v != '\0'; v++) {
			if (*v == '\\')
				put(m, "\\\\");
			else if (*v == '"')
				put(m, "\\\"");
			else if (*v == '\n')
				put(m, "\\n");
			else
				metrics_append(m, v, 1);
		}
		put(m, "\"");
	}
	if (n > 0)
		put(m, "}");
}

void
metrics_u64(struct metrics *m, const char *name, uint64_t value, ...)
{
	char num[32];
	va_list ap;

	va_start(ap, value);
	series(m, name, ap);
	va_end(ap);
	snprintf(num, sizeof(num), " %llu\n", (unsigned long long)value);
	put(m, num);
}

void
metrics_double(struct metrics *m, const char *name, double value, ...)
{
	char num[40];
	va_list ap;

	va_start(ap, value);
	series(m, name, ap);
	va_end(ap);
	if (isinf(value))
		snprintf(num, sizeof(num), " %s\n", value > 0 ? "+Inf" : "-Inf");
	else if (isnan(value))
		snprintf(num, sizeof(num), " NaN\n");
	else
		snprintf(num, sizeof(num), " %.10g\n", value);
	put(m, num);
}
