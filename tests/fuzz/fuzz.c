/* SPDX-License-Identifier: MIT */
/* fuzz.c -- what the libFuzzer harnesses of tests/fuzz share. */
#include "autoconfig.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fuzz.h"

static char tmpdir[4096];

void
fuzz_die(const char *what)
{
	perror(what);
	abort();
}

/* Remove the scratch directory and its files (no subdirectories). */
static void
remove_tmpdir(void)
{
	DIR *d = NULL;
	struct dirent *e;
	char path[sizeof(tmpdir) + 256];

	if ((d = opendir(tmpdir)) == NULL)
		return;
	while ((e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", tmpdir, e->d_name);
		unlink(path);
	}
	closedir(d);
	rmdir(tmpdir);
}

const char *
fuzz_tmpdir(void)
{
	const char *base;

	if (tmpdir[0] != '\0')
		return tmpdir;
	base = getenv("TMPDIR");
	if (base == NULL || base[0] == '\0')
		base = "/tmp";
	snprintf(tmpdir, sizeof(tmpdir), "%s/meshdns-fuzz.XXXXXX", base);
	if (mkdtemp(tmpdir) == NULL)
		fuzz_die("mkdtemp");
	atexit(remove_tmpdir);
	return tmpdir;
}

void
fuzz_write(const char *path, const void *data, size_t len)
{
	const char *p = data;
	int fd;

	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		fuzz_die(path);
	while (len > 0) {
		ssize_t n = write(fd, p, len);

		if (n < 0)
			fuzz_die(path);
		p += n;
		len -= (size_t)n;
	}
	if (close(fd) < 0)
		fuzz_die(path);
}
