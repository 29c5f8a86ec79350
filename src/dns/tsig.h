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
 * answer_query_ctx.keys (NULL: the server knows no key).  tsig_verify()
 * checks a signed message's MAC over its raw wire (RFC 8945 section
 * 4.3.3), that its algorithm is the key's and that Time Signed is within
 * Fudge of now; struct tsig_signer signs a response, every message of a
 * multi-message transfer (section 5.3.1: the first with the request's
 * MAC and every TSIG variable, the later ones with the prior MAC and the
 * timers only), or a request (a NOTIFY: no prior MAC).  MACs are HMACs
 * computed with OpenSSL's libcrypto, whole (no truncated MACs).
 *
 * Pure: no I/O, no logging.  Parsing and looking up keys allocate
 * nothing; a MAC allocates inside libcrypto and is meant for signed
 * messages only, off the plain query path.
 */
#ifndef MESHDNS_TSIG_H
#define MESHDNS_TSIG_H

#include <stddef.h>
#include <stdint.h>

#include "dns/wire.h"

#define TSIG_BADSIG	16	/* TSIG error: the MAC does not verify */
#define TSIG_BADKEY	17	/* TSIG error: the key is unknown */
#define TSIG_BADTIME	18	/* TSIG error: Time Signed out of Fudge */
#define TSIG_MAC_MAX	64	/* the longest MAC (hmac-sha512) */
#define TSIG_FUDGE	300	/* the Fudge of what we sign (RFC 8945) */
#define TSIG_SECRET_MAX	512	/* the longest secret, in bytes */

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

/*
 * The algorithm called @name ("hmac-sha256", any case, a final dot or
 * not): hmac-sha1, hmac-sha224, hmac-sha256, hmac-sha384, hmac-sha512.
 * Stores its name in wire format (static) in *@wire and *@wire_len.
 * Returns 0, or -EINVAL for another name.
 */
int tsig_algorithm(const char *name, const uint8_t **wire, size_t *wire_len);

/*
 * Decode the base64 secret @b64 into @out (@cap bytes, at most
 * TSIG_SECRET_MAX are used).  Returns its length (> 0), or -EINVAL when
 * @b64 is not base64, is empty or does not fit.
 */
int tsig_secret_decode(const char *b64, uint8_t *out, size_t cap);

/*
 * Check the TSIG record @rr (at @w, parsed by tsig_parse()) of the
 * request @m of @len bytes against @k (found by tsig_keys_find(), so the
 * name and algorithm already match) at the time @now (seconds since the
 * epoch).  Returns 0 when the MAC verifies and Time Signed is within
 * @rr's Fudge of @now; -TSIG_BADSIG when the MAC (or its size) is wrong;
 * -TSIG_BADTIME when the MAC is right but the time is not; -ENOMEM.
 */
int tsig_verify(const struct tsig_key *k, const uint8_t *m, size_t len,
		const struct wire_tsig *w, const struct tsig_rr *rr,
		uint64_t now);

/*
 * Signing a message, or every message of a transfer, with one key.  Set
 * up by tsig_signer_init(); owned by the caller, holds no allocation.
 */
struct tsig_signer {
	const struct tsig_key *key;	/* borrowed */
	uint8_t mac[TSIG_MAC_MAX];	/* the prior MAC: the request's,
					   then the last message's */
	size_t mac_len;			/* 0: none (a request) */
	size_t nsigned;			/* messages signed so far */
	uint16_t error;			/* TSIG error of the next message */
};

/*
 * Sign with @k, in answer to a request whose MAC is @req_mac (@req_len
 * bytes; NULL and 0 when signing a request of our own, a NOTIFY).
 * @error is the TSIG error of the first message (0, or TSIG_BADTIME:
 * then Other Data holds our time).
 */
void tsig_signer_init(struct tsig_signer *s, const struct tsig_key *k,
		      const uint8_t *req_mac, size_t req_len, uint16_t error);

/* The bytes of the TSIG record tsig_sign() adds with @k. */
size_t tsig_sign_len(const struct tsig_key *k);

/*
 * Sign the message @m of @len bytes (a whole DNS message without TSIG,
 * its ID the one to send) at the time @now: the TSIG record (key name,
 * class ANY, TTL 0, the algorithm, @now, Fudge TSIG_FUDGE, the MAC, the
 * message's ID as Original ID, the error) is appended and ARCOUNT
 * raised.  The first message is digested with the request's MAC and every
 * TSIG variable, a later one with the prior MAC and the timers (RFC 8945
 * section 5.3.1).  Returns the new length, or -ENOSPC when the record
 * does not fit in @cap, -EINVAL when the key's algorithm is unknown,
 * -ENOMEM.
 */
int tsig_sign(struct tsig_signer *s, uint8_t *m, size_t len, size_t cap,
	      uint64_t now);

#endif
