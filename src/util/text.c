/* SPDX-License-Identifier: MIT */
/* text.c -- building a message in a fixed buffer. */
#include "autoconfig.h"

#include <stdarg.h>
#include <stdio.h>

#include "util/text.h"

void
text_appendf(char *buf, size_t size, size_t *len, const char *fmt, ...)
{
	va_list ap;
	int k;

	if (*len + 1 >= size)
		return;
	va_start(ap, fmt);
	k = vsnprintf(buf + *len, size - *len, fmt, ap);
	va_end(ap);
	if (k > 0)
		*len += (size_t)k < size - *len ? (size_t)k : size - *len - 1;
}
