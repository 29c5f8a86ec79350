/* SPDX-License-Identifier: MIT */
/*
 * tsig.h -- TSIG (RFC 8945) on queries: the record read, its key looked
 * up among the keys the server knows, the unsigned TSIG of an error
 * response written.
 *
 * wire_opt_scan() (dns/wire.h) finds a query's TSIG record and rejects
 * one anywhere but last in the additional section (FORMERR).  This module
 * reads its RDATA in place (offsets into the message, nothing copied),
 * and writes what RFC 8945 section 5.3.2 asks of a response to a query
 * whose key is unknown: the same key name and algorithm, Time Signed and
 * Fudge copied, MAC size 0, the Original ID copied, the error (BADKEY),
 * Other Len 0 -- an unsigned TSIG, since no MAC can be made without the
 * key.
 *
 * The keys: struct tsig_keys is the table a caller passes in
 * answer_query_ctx.keys (NULL: the server knows no key, which is all
 * there is until keys arrive with zone transfers).  Nothing checks or
 * makes a MAC yet: the issue that loads keys adds that, where answer.c's
 * classify() handles a key found here (it answers BADSIG until then).
 *
 * Pure: no allocation, no I/O; reads nothing outside the message it is
 * given, so it is fit for the hot path.
 */
#ifndef MESHDNS_TSIG_H
#define MESHDNS_TSIG_H

#include <stddef.h>
#include <stdint.h>

#include "dns/wire.h"

#define TSIG_BADSIG	16	/* TSIG error: the MAC does not verify */
#define TSIG_BADKEY	17	/* TSIG error: the key is unknown */

/*
 * A key the server knows: its name and algorithm name in wire format
 * (uncompressed, any case), and its secret.  Borrowed: the table's owner
 * keeps every byte alive while answer_query() may use it.
 */
struct tsig_key {
	const uint8_t *name;
	size_t name_len;
	const uint8_t *alg;	/* e.g. 11 h m a c - s h a 2 5 6 00 */
	size_t alg_len;
	const uint8_t *secret;
	size_t secret_len;
};

/* The keys the server knows, for answer_query_ctx.keys. */
struct tsig_keys {
	const struct tsig_key *keys;
	size_t count;
};

/* A query's TSIG record, as offsets into the message it was read from. */
struct tsig_rr {
	size_t name_off;	/* the key name (the owner) */
	size_t name_len;	/* its length, uncompressed */
	size_t alg_off;		/* the algorithm name, in the RDATA */
	size_t alg_len;		/* its length, uncompressed */
	size_t mac_off;
	uint16_t mac_len;
	uint16_t fudge;
	uint16_t orig_id;
	uint16_t error;
	uint8_t time_signed[6];	/* 48 bits, as sent */
};

/*
 * Read the TSIG record that wire_opt_scan() found at @w in the message
 * @m of @len bytes into *@rr.  Returns 0, or -EINVAL when its names
 * (followed through compression pointers, each pointing back) are
 * malformed or the fixed fields, the MAC and Other Data do not fill its
 * RDATA exactly.
 */
int tsig_parse(const uint8_t *m, size_t len, const struct wire_tsig *w,
	       struct tsig_rr *rr);

/*
 * The key of @rr (read from @m, @len bytes) in @keys: the same name and
 * algorithm, without regard to case.  Returns it, or NULL when @keys is
 * NULL or has no such key (then the answer is BADKEY).
 */
const struct tsig_key *tsig_keys_find(const struct tsig_keys *keys,
				      const uint8_t *m, size_t len,
				      const struct tsig_rr *rr);

/* The length of the TSIG record tsig_write_error() writes for @rr. */
size_t tsig_error_len(const struct tsig_rr *rr);

/*
 * Write at @p (tsig_error_len() bytes of room) the unsigned TSIG record
 * that answers @rr, read from @m (@len bytes), with TSIG error @error:
 * the key name and algorithm uncompressed, class ANY, TTL 0, Time Signed
 * and Fudge as in @rr, MAC size 0, @rr's Original ID, @error, Other Len
 * 0.  Returns the bytes written.
 */
size_t tsig_write_error(uint8_t *p, const uint8_t *m, size_t len,
			const struct tsig_rr *rr, uint16_t error);

#endif
