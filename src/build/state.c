/* SPDX-License-Identifier: MIT */
/* state.c -- the state file on disk: read at start-up, replaced atomically. */
#include "autoconfig.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/diag.h"
#include "util/digest.h"
#include "util/file.h"
#include "build/state.h"

/* How to recover, said the same way for every kind of bad file. */
#define RECOVERY "meshdns will not start, to keep every VIP where it is"
#define AFRESH "or move it aside to start afresh (every VIP will be " \
	"renumbered)"

int
state_load(struct vip_state **out, int *fresh, const char *path, char *err,
	   size_t errsize, uint64_t *digest)
{
	struct vip_state *st = NULL;
	struct stat sb;
	char *text = NULL;
	char perr[256];
	size_t len = 0;
	int fd = -1;
	int rc = -1;
	int r;

	*out = NULL;
	*fresh = 0;
	if (digest != NULL)
		*digest = 0;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
		if (errno == ENOENT) {
			if ((st = vip_state_new()) == NULL) {
				diag_printf(err, errsize, "state file %s: out of "
				       "memory", path);
				goto out;
			}
			*fresh = 1;
			rc = 0;
			goto out;
		}
		diag_printf(err, errsize, "state file %s cannot be opened (%s); "
		       RECOVERY ": make it readable, " AFRESH, path,
		       strerror(errno));
		goto out;
	}
	if (fstat(fd, &sb) < 0 || !S_ISREG(sb.st_mode)) {
		diag_printf(err, errsize, "state file %s is not a regular file; "
		       RECOVERY ": restore it from a backup, " AFRESH, path);
		goto out;
	}
	if ((r = file_read_fd(fd, &text, &len)) != 0) {
		diag_printf(err, errsize, "state file %s cannot be read (%s); "
		       RECOVERY ": restore it from a backup, " AFRESH, path,
		       strerror(r));
		goto out;
	}
	r = vip_state_parse(&st, text, len, perr, sizeof(perr));
	if (r == -ENOMEM) {
		diag_printf(err, errsize, "state file %s: out of memory", path);
		goto out;
	}
	if (r < 0) {
		diag_printf(err, errsize, "state file %s is corrupt (%s); "
		       RECOVERY ": restore it from a backup, " AFRESH, path,
		       perr);
		goto out;
	}
	if (digest != NULL)
		*digest = digest_bytes(0, text, len);
	rc = 0;
out:
	if (fd >= 0)
		close(fd);
	free(text);
	if (rc == 0)
		*out = st;
	else
		vip_state_free(st);
	return rc;
}

/* fsync the directory of @path, so that the rename is on disk too. */
static int
sync_dir(const char *path)
{
	char *dir = NULL;
	char *slash = NULL;
	int fd = -1;
	int rc = -1;

	if ((dir = strdup(path)) == NULL) {
		errno = ENOMEM;
		goto out;
	}
	if ((slash = strrchr(dir, '/')) == NULL)
		strcpy(dir, ".");
	else if (slash == dir)
		slash[1] = '\0';
	else
		*slash = '\0';
	if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		goto out;
	/* Some file systems cannot sync a directory: nothing to do then. */
	if (fsync(fd) < 0 && errno != EINVAL)
		goto out;
	rc = 0;
out:
	if (fd >= 0)
		close(fd);
	free(dir);
	return rc;
}

int
state_save(const struct vip_state *st, const char *path, char *err,
	   size_t errsize, uint64_t *digest)
{
	char *text = NULL;
	char *tmp = NULL;
	size_t len = 0;
	int fd = -1;
	int rc = -1;
	int e;

	if (vip_state_format(st, &text, &len) < 0 ||
	    asprintf(&tmp, "%s.tmp", path) < 0) {
		tmp = NULL;
		diag_printf(err, errsize, "state file %s not saved: out of memory",
		       path);
		goto out;
	}
	/* A .tmp left by a crash is only ever half a file: replace it. */
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0) {
		diag_printf(err, errsize, "state file %s not saved: cannot create "
		       "%s (%s)", path, tmp, strerror(errno));
		free(tmp);
		tmp = NULL;	/* not ours to remove */
		goto out;
	}
	if (fchmod(fd, 0644) < 0 || file_write_all(fd, text, len) < 0) {
		diag_printf(err, errsize, "state file %s not saved: cannot write "
		       "%s (%s)", path, tmp, strerror(errno));
		goto out;
	}
	if (fsync(fd) < 0) {
		diag_printf(err, errsize, "state file %s not saved: cannot sync "
		       "%s (%s)", path, tmp, strerror(errno));
		goto out;
	}
	e = close(fd);
	fd = -1;
	if (e < 0) {
		diag_printf(err, errsize, "state file %s not saved: cannot close "
		       "%s (%s)", path, tmp, strerror(errno));
		goto out;
	}
	if (rename(tmp, path) < 0) {
		diag_printf(err, errsize, "state file %s not saved: cannot rename "
		       "%s to it (%s)", path, tmp, strerror(errno));
		goto out;
	}
	free(tmp);
	tmp = NULL;
	if (sync_dir(path) < 0) {
		diag_printf(err, errsize, "state file %s written, but its "
		       "directory cannot be synced (%s): a crash may undo "
		       "the change", path, strerror(errno));
		goto out;
	}
	if (digest != NULL)
		*digest = digest_bytes(0, text, len);
	rc = 0;
out:
	e = errno;
	if (fd >= 0)
		close(fd);
	if (tmp != NULL)
		unlink(tmp);
	free(tmp);
	free(text);
	errno = e;
	return rc;
}
