/* SPDX-License-Identifier: MIT */
/*
 * text.h -- building a message in a fixed buffer.
 *
 * For lines that are put together piece by piece (a reload's summary, a
 * list of settings): each piece is appended with printf formatting and
 * the text is cut, never overrun, when the buffer is full.
 */
#ifndef MESHDNS_TEXT_H
#define MESHDNS_TEXT_H

#include <stddef.h>

/*
 * Append printf(@fmt, ...) to the string of *@len bytes in @buf (@size
 * bytes, @size > 0, @buf NUL-terminated at *@len).  The result is cut to
 * fit; *@len becomes its length, always below @size, so pieces can be
 * appended after a cut without harm.
 */
void text_appendf(char *buf, size_t size, size_t *len, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

#endif
