/* SPDX-License-Identifier: MIT */
/*
 * xfr.h -- zone transfers: AXFR (RFC 5936) and IXFR (RFC 1995) over TCP,
 * one message at a time, from an answer table.
 *
 * answer_query() hands a TCP AXFR or IXFR to the caller (ANSWER_XFR); the
 * caller starts a session here and asks for the next message whenever
 * its socket drains, so that a large zone never sits whole in memory nor
 * holds the loop.  The session borrows the table: the caller keeps it
 * alive until xfr_free().
 *
 * What a transfer carries: the names of the zone a client without a view
 * sees (the default view, table_walk.h), every RRset of each, the SOA
 * first and last; each message up to 64 KiB with name compression, the
 * query's ID in every one, the question in the first; AA set, RD copied.
 * With TSIG every message is signed (RFC 8945 section 5.3.1).
 *
 * Rules, in order: a TSIG whose key is unknown -> NOTAUTH, BADKEY; a MAC
 * that does not verify -> NOTAUTH, BADSIG (both unsigned); Time Signed
 * out of Fudge -> NOTAUTH, BADTIME (signed); no table -> SERVFAIL; the
 * name not a served zone's apex -> NOTAUTH; the client in no
 * policy->allow entry -> REFUSED (nobody, with no entry); in one only
 * when signed with that entry's key and not so -> NOTAUTH (BADKEY in the
 * TSIG when it was signed with another key); IXFR without a SOA in the
 * authority section, or its owner not the zone -> FORMERR; IXFR whose
 * serial is the current one or newer -> the current SOA alone; IXFR from
 * a serial the journal holds -> the condensed difference (current SOA,
 * old SOA, deleted RRs, current SOA, added RRs, current SOA); else the
 * whole zone (AXFR form, QTYPE kept).
 *
 * Pure: no I/O, no logging; allocates (ldns) per message.
 */
#ifndef MESHDNS_XFR_H
#define MESHDNS_XFR_H

#include <stddef.h>
#include <stdint.h>

#include "dns/journal.h"
#include "dns/table.h"
#include "dns/tsig.h"
#include "util/netaddr.h"

struct sockaddr;

/* One transfer.allow entry. */
struct xfr_allow {
	struct netaddr_cidr net;
	const struct tsig_key *key;	/* required key, or NULL */
};

/* Who may transfer, with which keys; borrowed by every session. */
struct xfr_policy {
	const struct tsig_keys *keys;	/* NULL: none */
	const struct xfr_allow *allow;	/* none: nobody may transfer */
	size_t nallow;
	struct journal *journal;	/* NULL: IXFR is always AXFR-style */
};

struct xfr;

/*
 * Start answering the AXFR or IXFR query @q (@qlen bytes, received over
 * TCP from @client) from @t (NULL: nothing loaded) under @p at the time
 * @now (seconds since the epoch).  Returns 0 with the session in *@out,
 * -EINVAL when @q is no AXFR or IXFR query (answer_query() answers it),
 * or -ENOMEM.
 */
int xfr_start(struct xfr **out, const struct xfr_policy *p,
	      const struct table *t, const struct sockaddr *client,
	      const uint8_t *q, size_t qlen, uint64_t now);

/*
 * The next message of @x into @buf (@cap bytes, at least 512; 65535
 * takes the fullest messages): 0 with its length in *@len, *@len 0 when
 * the transfer is over; -ENOMEM (end the transfer: close).
 */
int xfr_next(struct xfr *x, uint8_t *buf, size_t cap, size_t *len);

void xfr_free(struct xfr *x);

#endif
