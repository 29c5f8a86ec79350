/* SPDX-License-Identifier: MIT */
/*
 * table_image.h -- the answer table (table.h) as one byte string and back,
 * for the start-up cache.  The reader takes untrusted bytes (a file):
 * nothing in them is used before it is checked.
 *
 * Pure: no I/O, no logging, no ldns.
 */
#ifndef MESHDNS_TABLE_IMAGE_H
#define MESHDNS_TABLE_IMAGE_H

#include <stddef.h>
#include <stdint.h>

#include "dns/table.h"

/*
 * The table as one position-independent byte string, for the start-up
 * cache: pointers are stored as offsets, and the same table (the same
 * builder calls) gives the same bytes (deterministic: no padding garbage,
 * no addresses).  The layout is this build's, so only the same binary may
 * read it back (the cache's key says which binary wrote it).  Returns 0
 * with *out (malloc'ed, the caller frees it) and *len, or -ENOMEM.
 */
int table_serialize(const struct table *t, uint8_t **out, size_t *len);

/*
 * A table from table_serialize()'s bytes.  Every count, length and offset
 * is checked against @len and against each other before use, and every
 * RRset's RRs must fill its bytes exactly (answer.c walks them by their
 * lengths): bytes that are not one whole consistent table give -EINVAL,
 * never a read outside @buf or a table whose lookups could read outside
 * its own memory.  @buf need not be aligned and is not kept.  Returns 0
 * with *out (caller owns, free with table_free()), -EINVAL, or -ENOMEM.
 */
int table_deserialize(const uint8_t *buf, size_t len, struct table **out);

#endif
