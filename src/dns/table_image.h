/* SPDX-License-Identifier: MIT */
/*
 * table_image.h -- the answer table (table.h) as one byte string and back,
 * for the start-up cache.  The reader takes untrusted bytes (a file):
 * nothing in them is used before it is checked.
 *
 * Pure: no I/O, no logging; ldns only to read bytes and to write names
 * and types in the reader's messages.
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
 * read it back (the cache's key says which binary wrote it).  A patched
 * table (table_patch.h) is written as its flattened copy (its live nodes
 * in one arena, as a built table has them).  Returns 0 with *out (malloc'ed, the caller frees it) and
 * *len, or -ENOMEM.
 */
int table_serialize(const struct table *t, uint8_t **out, size_t *len);

/*
 * A table from table_serialize()'s bytes.  Every count, length and offset
 * is checked against @len and against each other before use, and every
 * record against what answer.c does with it (below): bytes that are not
 * one whole consistent table give -EINVAL and a message in @err (as
 * "node \"web.mesh.\", SRV RRset: additional RR 1: owner pointer 0xc013
 * is not 0xc000 plus the offset of the next SRV target in the answer"),
 * never a read outside @buf, a table whose lookups could read outside its
 * own memory, or a table whose answers a client could not parse.  @buf
 * need not be aligned and is not kept.  One pass over the bytes, no
 * allocation per record.  Returns 0 with *out (caller owns, free with
 * table_free()) and @err empty, -EINVAL, or -ENOMEM (@err "out of
 * memory").  @err may be NULL when @errsize is 0.
 *
 * The records' contract.  answer.c copies an RRset's bytes (wire, len)
 * after the question as they are, walks its additional RRs by their
 * RDLENGTHs, and rewrites only the owner pointers of the negative SOA
 * and of the additional RRs, and the negative SOA's RDATA pointers
 * (apex_rel).  So every RRset is checked to be:
 *
 *  - count RRs filling len bytes exactly, each a 2-byte owner pointer,
 *    TYPE, CLASS, TTL (any value), RDLENGTH and RDLENGTH bytes of RDATA
 *    inside len;
 *  - a node's RRset: owners 0xC00C (the question, which is the node's
 *    name), TYPE the RRset's, CLASS IN;
 *  - a zone's negative SOA: one SOA RR, owner 0xC000 (answer.c writes
 *    the apex's offset over it), CLASS IN, no additional RRs;
 *  - a CHAOS answer: one TXT RR, owner 0xC00C, CLASS CH, RDATA
 *    character-strings filling it, no additional RRs;
 *  - additional RRs (add_count in add_len bytes after the answer RRs,
 *    filling them): after an SRV RRset only; A or AAAA, CLASS IN; owner
 *    0xC000 | r with r at most 0x3FFF - WIRE_QUESTION_MAX, r being the
 *    offset from the start of the answer RRs of an SRV RR's target, the
 *    targets in answer order (answer.c adds the answer's offset in the
 *    message, which then stays a 14-bit pointer);
 *  - RDATA one whole RDATA of its type: A 4 bytes, AAAA 16; SRV 6 bytes
 *    and its target uncompressed (RFC 2782; additional owners point at
 *    it); NS and PTR one name, SOA two names and 20 bytes.  Such a name
 *    is labels ending in the root label or in a compression pointer,
 *    at most 255 bytes once expanded.  answer.c copies RDATA unchanged
 *    (table.h: names compressed at build time), so a pointer is an
 *    offset in the message the builder modelled: the question at
 *    offset 12, QTYPE and QCLASS, then the RRset at 12 + the
 *    question's length + 4.  It must point back, at the start of a
 *    label (not the root) of the question or of an RDATA name earlier
 *    in the same RRset (one of its uncompressed labels).  In a node's
 *    RRsets the question is the node's name, and the pointers stay as
 *    they are.  In a zone's negative SOA the question is modelled as
 *    the apex, and every RDATA pointer must be where apex_rel says
 *    (apex_rel[0] the MNAME's, apex_rel[1] the RNAME's, offsets in the
 *    RRset's bytes; 0 for a name that ends in the root label): answer.c
 *    adds the apex's offset in the real question to them, which keeps
 *    them on the same labels.  Every other RRset has apex_rel 0.  The
 *    check is linear and allocates nothing (rdata_name_len() in
 *    table_image.c); it changes with answer.c's relocations.
 *  - every other type is refused: a table holds A, AAAA, SRV, PTR, NS,
 *    SOA and (CHAOS) TXT only.
 *
 * Besides: every node's zone index in range (a node under another apex
 * is never found, as table_lookup() compares the index); every view id
 * and every (view, owner) pair's view below the view count; search
 * suffixes whole wire names.
 */
int table_deserialize(const uint8_t *buf, size_t len, struct table **out,
		      char *err, size_t errsize);

#endif
