/* SPDX-License-Identifier: MIT */
/*
 * cache.h -- the start-up cache: the answer table of the last good build,
 * kept in a file so that a restart with unchanged inputs answers at once.
 *
 * The file (<state-file>.cache) holds one table (table_serialize()) under
 * a key: a digest of everything the build read -- this binary, its
 * command line, the config file, every resource file (names and bytes) and
 * the state file as the build left it (build_inputs_digest()).  At start
 * the key is computed again from what is on disk; only an equal key, a
 * whole file with the right checksum and a table that passes
 * table_deserialize()'s checks are used.  Anything else is a miss, and a
 * normal build runs.  The file is replaced atomically (rename) but never
 * fsync'ed: a cache lost in a crash is only a miss.
 *
 * No logging; file I/O in cache_save(), cache_load() and
 * cache_program_digest().
 */
#ifndef MESHDNS_CACHE_H
#define MESHDNS_CACHE_H

#include <stddef.h>
#include <stdint.h>

#include "dns/table.h"

/* What the log says about a snapshot besides its table. */
struct cache_info {
	size_t nservices;
	size_t nviews;
};

/*
 * This program and how it was started, for the key: the binary's bytes,
 * the libraries it runs with (ldns writes the records, libyaml reads every
 * input: a package update replaces their files, so their names, inodes,
 * sizes and times tell), the command line (@argc, @argv) and the current
 * directory.  Another build of meshdns, an updated library or other flags
 * never reuse a cache.  0 when the binary cannot be read: then no cache
 * may be read or written.
 */
uint64_t cache_program_digest(int argc, char **argv);

/*
 * "<state_file>.cache" in @buf; -1 when it does not fit in @size.
 */
int cache_path(const char *state_file, char *buf, size_t size);

/*
 * Write @t under @key to @path (through "<path>.tmp" and a rename, mode
 * 0644).  0, or -1 with the failing step and strerror in @err (the old
 * file is then left as it was); -ENOMEM.
 */
int cache_save(const char *path, uint64_t key, const struct table *t,
	       const struct cache_info *info, char *err, size_t errsize);

/*
 * Read the table of @path if it was written under @key.  Returns 0 with
 * *out (table_free()) and *info; 1 for a miss, with the reason in @err
 * ("no cache file", "the inputs changed", "written by another version");
 * -1 when the file is unusable, with the reason ("not a cache file",
 * "truncated", "checksum mismatch", a read error, or "the table does not
 * hold together: " and table_deserialize()'s message: a table whose
 * records answer.c could not serve as parseable responses is never
 * loaded); -ENOMEM.
 */
int cache_load(const char *path, uint64_t key, struct table **out,
	       struct cache_info *info, char *err, size_t errsize);

#endif
