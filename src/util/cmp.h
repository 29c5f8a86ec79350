/* SPDX-License-Identifier: MIT */
/*
 * cmp.h -- three-way comparisons for sort orders (<0, 0, >0 like strcmp).
 *
 * Pure: no I/O, no state.
 */
#ifndef MESHDNS_CMP_H
#define MESHDNS_CMP_H

#include <string.h>

/* strcmp() that also takes NULL, which sorts before every string. */
static inline int
cmp_str_null(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return (a != NULL) - (b != NULL);
	return strcmp(a, b);
}

#endif
