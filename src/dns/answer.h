/* SPDX-License-Identifier: MIT */
/*
 * answer.h -- one query's bytes + the table + the client → one response.
 *
 * No allocation (but inside libcrypto, for a TSIG-signed query only),
 * no I/O, no logging: safe on the hot path and from any
 * thread.  The response is the query's header and question (its case
 * kept) with flags and counts patched, then the precompiled sections, then
 * an OPT record when the query had one.
 */
#ifndef MESHDNS_ANSWER_H
#define MESHDNS_ANSWER_H

#include <stddef.h>
#include <stdint.h>

#include "dns/table.h"
#include "dns/tsig.h"
#include "dns/wire.h"

#define ANSWER_EDNS_SIZE WIRE_EDNS_SIZE	/* our advertised UDP payload size */

struct sockaddr;

enum answer_transport {
	ANSWER_UDP = 0,
	ANSWER_TCP,
};

/* What answer_query() did, for the caller's next step and its counters. */
enum answer_outcome {
	ANSWER_DROP = 0,	/* nothing to send (returns 0) */
	ANSWER_AUTH,		/* authoritative: data, NODATA or NXDOMAIN */
	ANSWER_HIDDEN,		/* NXDOMAIN (AA, SOA): the client's view hides
				   the name; an ANSWER_AUTH for the client */
	ANSWER_REFUSED,		/* REFUSED: a class we do not serve, a name
				   outside the zones without forwarding, a
				   hidden or unknown CHAOS name */
	ANSWER_ERROR,		/* FORMERR, NOTIMP, BADVERS, SERVFAIL,
				   NOTAUTH (TSIG) */
	ANSWER_SEARCH_NXDOMAIN,	/* a search-list expansion of a served name:
				   NXDOMAIN, AA clear, no SOA */
	ANSWER_CHAOS,		/* a CHAOS TXT answer (version.bind ...) */
	ANSWER_FORWARD,		/* nothing written (returns 0): forward the
				   query's own bytes upstream */
	ANSWER_XFR,		/* nothing written (returns 0): an AXFR or
				   IXFR over TCP, for dns/xfr.h */
};

struct answer_query_ctx {
	const struct table *t;		/* NULL: nothing loaded (SERVFAIL) */
	const struct sockaddr *client;	/* the query's source, selects the
					   view; may be NULL (no view) */
	enum answer_transport tr;
	int forwarding;			/* names outside the zones are
					   forwarded; RA set in responses */
	const struct tsig_keys *keys;	/* the TSIG keys the server knows;
					   NULL: none (dns/tsig.h) */
	uint64_t now;			/* seconds since the epoch, for TSIG;
					   0: time(), read only for a query
					   with a TSIG */
};

/*
 * Answer the query @q of @qlen bytes into @resp (capacity @cap, at least
 * 512; 65535 is enough for anything) for the context @ctx (borrowed, as
 * is everything it points to).  Returns the response length (> 0), or 0
 * when nothing is to be sent: the packet must be dropped (shorter than a
 * header, or a response with QR set), or the query must be forwarded.
 * What happened is stored in *@outcome (may be NULL).  Never reads past
 * @qlen nor writes past @cap.
 *
 * Size: over UDP the limit is 512 bytes without EDNS, else the client's
 * advertised size (less than 512 counts as 512) but never more than
 * ANSWER_EDNS_SIZE (larger UDP responses would fragment), and never more
 * than @cap.  Over TCP the limit is @cap (at most 65535).  An answer that
 * does not fit is sent with TC set and empty answer and authority
 * sections (whole RRsets or nothing); the question and the OPT record
 * stay.  Additional RRs (the addresses of SRV targets) are sent as whole
 * RRsets as far as they fit; the rest is left out without TC (RFC 2181
 * section 9).
 *
 * Rules, in order: opcode other than QUERY -> NOTIMP (question echoed
 * when it parses); QDCOUNT != 1, a malformed question (label > 63, name
 * > 255 bytes, a compression pointer, cut short), malformed later
 * sections, two OPT records, an OPT not owned by the root or in the
 * answer or authority section, a TSIG record anywhere but last in the
 * additional section or with malformed RDATA -> FORMERR; a TSIG record
 * (RFC 8945 5.2.1) whose key (name and algorithm) is not in ctx->keys ->
 * NOTAUTH, with an unsigned TSIG record last in the additional section:
 * the key name and algorithm, Time Signed and Fudge copied, MAC size 0,
 * the Original ID copied, error BADKEY (17), Other Len 0; a known key
 * whose MAC does not verify -> the same with BADSIG (16); a verified MAC
 * whose Time Signed is more than its Fudge away from ctx->now -> NOTAUTH
 * with a signed TSIG, error BADTIME (18) and our time in Other Data (if
 * such a TSIG would not fit in the size limit it is left out and TC
 * set); a query whose TSIG verifies is answered as below and the answer
 * signed (RFC 8945 5.3; the TSIG's room is kept when cutting it to
 * size); TCP AXFR or IXFR of class IN -> ANSWER_XFR, nothing written
 * (TSIG included: dns/xfr.h checks it); EDNS version > 0 ->
 * BADVERS (extended RCODE 16 in our OPT); no table (ctx->t NULL, nothing
 * loaded yet) -> SERVFAIL for class IN and CH, with EDE 14 (Not Ready).
 *
 * Class CH: TXT (or ANY) for version.bind, version.server, id.server or
 * hostname.bind -> the configured string, class CH, TTL 0, AA set (as
 * BIND does); the same names hidden, any other name or type -> REFUSED.
 * Other classes than IN and CH (ANY and NONE included: every name we
 * serve is IN) -> REFUSED.
 *
 * Class IN over UDP: AXFR -> NOTIMP (RFC 5936 4.2, as Knot and NSD);
 * IXFR of a zone's apex -> its SOA alone in the answer section, whatever
 * the serial (as Knot: the client retries over TCP), of another name ->
 * NOTAUTH.  A name in no served zone that is a
 * search-list expansion of one inside (table_builder_add_search_suffix())
 * -> NXDOMAIN, AA clear (we are not the authority for it), no authority
 * section, whether forwarding or not; else with ctx->forwarding ->
 * ANSWER_FORWARD (nothing written), without -> REFUSED with EDE 20 (Not
 * Authoritative).  Inside a zone,
 * with AA: the RRset (SRV with its targets' addresses in the additional
 * section); NODATA (NOERROR, SOA in authority) for a name without that
 * type or an empty non-terminal; NXDOMAIN with the SOA (negative TTL) for
 * a missing name or one the client's view hides (ANSWER_HIDDEN).  ANY
 * gets one RRset (RFC 8482): A, else AAAA, else SRV, else PTR, else SOA,
 * else NS.
 *
 * Header: ID, opcode and RD copied; QR set; AA as above; TC when
 * truncated; RA set when ctx->forwarding, else clear; Z, AD and CD clear
 * (CD as Knot and NSD, RFC 4035 3.1.6).  For an opcode other than QUERY
 * only ID, opcode, QR and the RCODE: RD, CD and AD are defined for QUERY
 * alone, and RA is left clear too.  The question is the query's own
 * bytes (case kept).  The OPT record, added when the query had a valid
 * one (whatever its QDCOUNT, FORMERR included, RFC 6891 6.1.1),
 * advertises ANSWER_EDNS_SIZE, copies the DO bit and has no option but
 * the Extended DNS Error (RFC 8914, INFO-CODE only) named above.  The
 * TSIG record, when there is one, is the last record.
 */
size_t answer_query(const struct answer_query_ctx *ctx, const uint8_t *q,
		    size_t qlen, uint8_t *resp, size_t cap,
		    enum answer_outcome *outcome);

/*
 * The largest UDP response the client of query @q takes: 512 without
 * EDNS, else its advertised size, at least 512 and at most
 * ANSWER_EDNS_SIZE (the limit answer_query() uses; for forwarded
 * answers).  A query that does not parse counts as one without EDNS.
 */
size_t answer_udp_limit(const uint8_t *q, size_t qlen);

#endif
