/* SPDX-License-Identifier: MIT */
/*
 * tmpdir.h -- where unit tests make their scratch files: under $TMPDIR,
 * or /tmp when it is unset or empty (as mktemp(1) does).
 */
#ifndef MESHDNS_TEST_TMPDIR_H
#define MESHDNS_TEST_TMPDIR_H

#include <stdio.h>
#include <stdlib.h>

/*
 * "<dir>/<name>.XXXXXX" in @buf, a template for mkdtemp() or mkstemp().
 * 0, or -1 when it does not fit in @size.
 */
static inline int
test_tmpname(char *buf, size_t size, const char *name)
{
	const char *dir = getenv("TMPDIR");
	int n;

	if (dir == NULL || *dir == '\0')
		dir = "/tmp";
	n = snprintf(buf, size, "%s/%s.XXXXXX", dir, name);
	return n < 0 || (size_t)n >= size ? -1 : 0;
}

#endif
