/* SPDX-License-Identifier: MIT */
/* file.c -- whole files: read one into memory, write a buffer out. */
#include "autoconfig.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/file.h"

int
file_read_fd(int fd, char **buf, size_t *len)
{
	char *b = NULL;
	size_t n = 0;
	size_t cap = 0;
	int e = 0;

	for (;;) {
		ssize_t r;

		if (cap - n < 4096) {
			size_t ncap = cap ? cap * 2 : 65536;
			char *nb = NULL;

			if (ncap < cap || (nb = realloc(b, ncap + 1)) == NULL) {
				e = ENOMEM;
				goto out;
			}
			b = nb;
			cap = ncap;
		}
		r = read(fd, b + n, cap - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			e = errno;
			goto out;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	b[n] = '\0';
	*buf = b;
	*len = n;
	b = NULL;
out:
	free(b);
	return e;
}

int
file_read(const char *path, char **buf, size_t *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	int e;

	if (fd < 0)
		return errno;
	e = file_read_fd(fd, buf, len);
	close(fd);
	return e;
}

int
file_write_all(int fd, const void *p, size_t len)
{
	const char *b = p;

	while (len > 0) {
		ssize_t w = write(fd, b, len);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -1;
		b += w;
		len -= (size_t)w;
	}
	return 0;
}

char *
file_path_clean(const char *path)
{
	size_t len = strlen(path);
	size_t root = path[0] == '/';	/* out[0] is '/', never removed */
	char *out = malloc(len + 2);
	const char *p = path;
	size_t n = 0;

	if (out == NULL)
		return NULL;
	if (root)
		out[n++] = '/';
	while (*p != '\0') {
		size_t c = strcspn(p, "/");
		size_t last = n;	/* where out's last component starts */

		while (last > root && out[last - 1] != '/')
			last--;
		if (c == 0 || (c == 1 && p[0] == '.')) {
			;	/* "//" and "/./" */
		} else if (c == 2 && p[0] == '.' && p[1] == '.' && n > root &&
			   !(n - last == 2 && out[last] == '.' &&
			     out[last + 1] == '.')) {
			n = last > root ? last - 1 : root;
		} else if (c == 2 && p[0] == '.' && p[1] == '.' && root) {
			;	/* "/.." is "/" */
		} else {
			if (n > root)
				out[n++] = '/';
			memcpy(out + n, p, c);
			n += c;
		}
		p += c;
		if (*p == '/')
			p++;
	}
	if (n == 0)
		out[n++] = '.';
	out[n] = '\0';
	return out;
}
