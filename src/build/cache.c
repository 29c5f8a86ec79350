/* SPDX-License-Identifier: MIT */
/* cache.c -- the start-up cache: the last good build's answer table. */
#include "autoconfig.h"

#include <errno.h>
#include <fcntl.h>
#include <link.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "build/cache.h"
#include "dns/table_image.h"
#include "util/diag.h"
#include "util/digest.h"
#include "util/file.h"

#define CACHE_MAGIC	"meshdns\1"	/* 8 bytes */
#define CACHE_VERSION	1

/*
 * The file: this header, then the table's bytes.  Native byte order and
 * layout: only the binary that wrote it can match the key anyway.
 */
struct header {
	char magic[8];
	uint32_t version;
	uint32_t header_size;
	uint64_t key;
	uint64_t nservices;
	uint64_t nviews;
	uint64_t body_len;
	uint64_t body_digest;		/* digest_bytes(0, body, body_len) */
};

int
cache_path(const char *state_file, char *buf, size_t size)
{
	int n = snprintf(buf, size, "%s.cache", state_file);

	return n < 0 || (size_t)n >= size ? -1 : 0;
}

int
cache_save(const char *path, uint64_t key, const struct table *t,
	   const struct cache_info *info, char *err, size_t errsize)
{
	struct header h;
	uint8_t *body = NULL;
	size_t len = 0;
	char tmp[4096];
	int fd = -1;
	int rc = -1;
	int e;

	if (snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp)) {
		diag_printf(err, errsize, "cache %s not saved: name too long",
			    path);
		return -1;
	}
	if (table_serialize(t, &body, &len) < 0) {
		diag_printf(err, errsize, "cache %s not saved: out of memory",
			    path);
		return -ENOMEM;
	}
	memset(&h, 0, sizeof(h));
	memcpy(h.magic, CACHE_MAGIC, sizeof(h.magic));
	h.version = CACHE_VERSION;
	h.header_size = sizeof(h);
	h.key = key;
	h.nservices = info->nservices;
	h.nviews = info->nviews;
	h.body_len = len;
	h.body_digest = digest_bytes(0, body, len);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0) {
		diag_printf(err, errsize, "cache %s not saved: cannot create "
			    "%s (%s)", path, tmp, strerror(errno));
		goto out;
	}
	if (file_write_all(fd, &h, sizeof(h)) < 0 ||
	    file_write_all(fd, body, len) < 0) {
		diag_printf(err, errsize, "cache %s not saved: cannot write "
			    "%s (%s)", path, tmp, strerror(errno));
		goto out;
	}
	e = close(fd);
	fd = -1;
	if (e < 0) {
		diag_printf(err, errsize, "cache %s not saved: cannot write "
			    "%s (%s)", path, tmp, strerror(errno));
		unlink(tmp);
		goto out;
	}
	if (rename(tmp, path) < 0) {
		diag_printf(err, errsize, "cache %s not saved: cannot rename "
			    "%s to it (%s)", path, tmp, strerror(errno));
		unlink(tmp);
		goto out;
	}
	rc = 0;
out:
	if (fd >= 0) {
		close(fd);
		unlink(tmp);
	}
	free(body);
	return rc;
}

int
cache_load(const char *path, uint64_t key, struct table **out,
	   struct cache_info *info, char *err, size_t errsize)
{
	struct header h;
	char why[512];
	char *text = NULL;
	uint8_t *buf = NULL;
	size_t size = 0;
	int e;
	int rc = -1;

	*out = NULL;
	if ((e = file_read(path, &text, &size)) != 0) {
		if (e == ENOENT) {
			diag_printf(err, errsize, "no cache file");
			return 1;
		}
		diag_printf(err, errsize, "cannot read it (%s)", strerror(e));
		return e == ENOMEM ? -ENOMEM : -1;
	}
	buf = (uint8_t *)text;
	if (size < sizeof(h)) {
		diag_printf(err, errsize, "truncated (%zu bytes)", size);
		goto out;
	}
	memcpy(&h, buf, sizeof(h));
	if (memcmp(h.magic, CACHE_MAGIC, sizeof(h.magic)) != 0) {
		diag_printf(err, errsize, "not a cache file");
		goto out;
	}
	/* Another version's file: another binary wrote it, a miss. */
	if (h.version != CACHE_VERSION || h.header_size != sizeof(h)) {
		diag_printf(err, errsize, "written by another version");
		rc = 1;
		goto out;
	}
	if (h.key != key) {
		diag_printf(err, errsize, "the inputs changed");
		rc = 1;
		goto out;
	}
	if (h.body_len != size - sizeof(h)) {
		diag_printf(err, errsize, "truncated (%zu bytes, the header "
			    "says %llu)", size, (unsigned long long)
			    (h.body_len + sizeof(h)));
		goto out;
	}
	if (digest_bytes(0, buf + sizeof(h), h.body_len) != h.body_digest) {
		diag_printf(err, errsize, "checksum mismatch");
		goto out;
	}
	e = table_deserialize(buf + sizeof(h), h.body_len, out, why,
			      sizeof(why));
	if (e == -ENOMEM) {
		diag_printf(err, errsize, "out of memory");
		rc = -ENOMEM;
		goto out;
	}
	if (e < 0) {
		diag_printf(err, errsize, "the table does not hold together: "
			    "%s", why);
		goto out;
	}
	info->nservices = (size_t)h.nservices;
	info->nviews = (size_t)h.nviews;
	rc = 0;
out:
	free(text);
	return rc;
}

/* Chain the identity of one loaded library (dl_iterate_phdr callback). */
static int
library_digest(struct dl_phdr_info *info, size_t size, void *arg)
{
	uint64_t *d = arg;
	struct stat st;

	if (info->dlpi_name == NULL || info->dlpi_name[0] == '\0')
		return 0;	/* the program itself, or the vDSO */
	*d = digest_str(*d, info->dlpi_name);
	if (stat(info->dlpi_name, &st) == 0) {
		*d = digest_u64(*d, (uint64_t)st.st_dev);
		*d = digest_u64(*d, (uint64_t)st.st_ino);
		*d = digest_u64(*d, (uint64_t)st.st_size);
		*d = digest_u64(*d, (uint64_t)st.st_mtim.tv_sec);
		*d = digest_u64(*d, (uint64_t)st.st_mtim.tv_nsec);
	}
	return 0;
}

uint64_t
cache_program_digest(int argc, char **argv)
{
	char cwd[4096];
	char *bin = NULL;
	size_t len = 0;
	uint64_t d = 0;
	int i;

	if (file_read("/proc/self/exe", &bin, &len) != 0)
		return 0;
	d = digest_bytes(0, bin, len);
	free(bin);
	dl_iterate_phdr(library_digest, &d);
	for (i = 0; i < argc; i++)
		d = digest_str(d, argv[i]);
	d = digest_str(d, getcwd(cwd, sizeof(cwd)));
	return d != 0 ? d : 1;
}
