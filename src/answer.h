/* SPDX-License-Identifier: MIT */
/*
 * answer.h -- one query's bytes + the table + the client → one response.
 *
 * No allocation, no I/O, no logging: safe on the hot path and from any
 * thread.  The response is the query's header and question (its case
 * kept) with flags and counts patched, then the precompiled sections, then
 * an OPT record when the query had one.
 */
#ifndef MESHDNS_ANSWER_H
#define MESHDNS_ANSWER_H

#include <stddef.h>
#include <stdint.h>

#include "table.h"

#define ANSWER_EDNS_SIZE 1232	/* our advertised UDP payload size */

enum answer_transport {
	ANSWER_UDP = 0,
	ANSWER_TCP,
};

/*
 * Answer the query @q of @qlen bytes into @resp (capacity @cap, at least
 * 512; 65535 is enough for anything).  Returns the response length (> 0),
 * or 0 when the packet must be dropped (shorter than a header, or a
 * response with QR set).  Never reads past @qlen nor writes past @cap.
 *
 * Size: over UDP the limit is 512 bytes without EDNS, else the client's
 * advertised size (less than 512 counts as 512), and never more than
 * @cap; pass @cap = ANSWER_EDNS_SIZE to keep UDP responses below
 * fragmentation size whatever the client says.  Over TCP the limit is
 * @cap (at most 65535).  An answer that does not fit is sent with TC set
 * and empty answer and authority sections (whole RRsets or nothing); the
 * question and the OPT record stay.
 *
 * Rules, in order: opcode other than QUERY -> NOTIMP (question echoed
 * when it parses); QDCOUNT != 1, a malformed question (label > 63, name
 * > 255 bytes, a compression pointer, cut short), malformed later
 * sections, two OPT records or an OPT not owned by the root -> FORMERR;
 * EDNS version > 0 -> BADVERS (extended RCODE 16 in our OPT); class other
 * than IN -> REFUSED; @t NULL (nothing loaded yet) -> SERVFAIL; AXFR/IXFR
 * -> NOTIMP; a name in no served zone -> REFUSED without AA.  Inside a
 * zone, with AA: the RRset; NODATA (NOERROR, SOA in authority) for a
 * name without that type or an empty non-terminal; NXDOMAIN with the SOA
 * (negative TTL) for a missing name.  ANY gets one RRset (RFC 8482): A,
 * else AAAA, else SOA, else NS.
 *
 * Header: ID, opcode, RD and CD copied; QR set; AA as above; TC when
 * truncated; RA, Z and AD clear.  The question is the query's own bytes
 * (case kept).  The OPT record, added when the query had a valid one,
 * advertises ANSWER_EDNS_SIZE, copies the DO bit and has no options.
 */
size_t answer_query(const struct table *t, const uint8_t *q, size_t qlen,
		    uint8_t *resp, size_t cap, enum answer_transport tr);

#endif
