/* SPDX-License-Identifier: MIT */
/*
 * file.h -- whole files: read one into memory, write a buffer out.
 *
 * The few lines every reader and writer of a file needs, in one place:
 * read(2) and write(2) loops that retry EINTR and short counts.
 */
#ifndef MESHDNS_FILE_H
#define MESHDNS_FILE_H

#include <stddef.h>

/*
 * Read everything from @fd (up to end of file) into *buf, which the
 * caller frees; a NUL follows the *len bytes read, so text can be used as
 * a string.  0, or an errno value (ENOMEM too); *buf is untouched then.
 */
int file_read_fd(int fd, char **buf, size_t *len);

/* file_read_fd() of the file at @path.  0 or an errno value. */
int file_read(const char *path, char **buf, size_t *len);

/* Write all @len bytes at @p to @fd.  0, or -1 with errno set. */
int file_write_all(int fd, const void *p, size_t len);

/*
 * @path as messages print it: empty and "." components dropped, "name/.."
 * collapsed ("/a/./b/../c" gives "/a/c", "./x" "x", "a/.." "."; a
 * leading ".." of a relative path stays, "/.." is "/").  Lexical only:
 * across a symbolic link "name/.." may not be the directory it names, so
 * the result is for printing, never for opening.  Malloc'ed, the caller
 * frees it; NULL on ENOMEM.
 */
char *file_path_clean(const char *path);

#endif
