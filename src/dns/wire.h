/* SPDX-License-Identifier: MIT */
/*
 * wire.h -- DNS message helpers: the question, the OPT record, the sizes.
 *
 * On top of ldns's inline, allocation-free header helpers, used as they
 * are: LDNS_HEADER_SIZE, the flag masks of the third and fourth header
 * bytes (LDNS_QR_MASK, LDNS_OPCODE_MASK, LDNS_AA_MASK, LDNS_TC_MASK,
 * LDNS_RD_MASK, LDNS_RA_MASK, LDNS_CD_MASK, LDNS_RCODE_MASK), the section
 * counts (LDNS_QDCOUNT ... LDNS_ARCOUNT, and their offsets), and
 * ldns_read_uint16() / ldns_write_uint16().  This header adds the one
 * question parser and the one OPT (and TSIG) scanner that answer.c and
 * forward.c share, and an OPT writer (with an Extended DNS Error).
 *
 * Everything here is static inline: no allocation, no I/O, nothing read
 * outside the @len bytes given, so it is fit for the hot path.  A message
 * @m is at least LDNS_HEADER_SIZE bytes unless a function says otherwise.
 */
#ifndef MESHDNS_WIRE_H
#define MESHDNS_WIRE_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <ldns/ldns.h>

/*
 * The version of the ldns library linked at run time ("1.8.3"), for
 * `meshdns --version`: a static string.
 */
static inline const char *
wire_ldns_version(void)
{
	return ldns_version();
}

/*
 * The UDP payload every client takes (RFC 1035 section 4.2.1): the limit
 * without EDNS, and the least an EDNS client's advertised size counts as.
 */
#define WIRE_UDP_MIN		512

/*
 * The EDNS UDP payload size we advertise, and the largest UDP response we
 * send or take (DNS Flag Day 2020: larger ones would fragment).
 */
#define WIRE_EDNS_SIZE		1232

#define WIRE_EDNS_DO		0x8000	/* DNSSEC OK, in the OPT's flags */
#define WIRE_OPT_LEN		11	/* an OPT RR without options */
#define WIRE_RR_FIXED		10	/* type, class, TTL, RDLENGTH */

/* The longest header and question: where the answer RRs start at most. */
#define WIRE_QUESTION_MAX	(LDNS_HEADER_SIZE + LDNS_MAX_DOMAINLEN + 4)

/* The question of a message; its name starts at LDNS_HEADER_SIZE. */
struct wire_question {
	size_t name_len;	/* QNAME's bytes, the root label included */
	size_t end;		/* the offset just after QCLASS */
	uint16_t qtype;
	uint16_t qclass;
};

/*
 * Parse the question of the message @m of @len bytes: QDCOUNT must be 1,
 * and QNAME plain labels of at most 63 bytes (so no compression pointer,
 * which RFC 1035 allows in a query's question but no client writes there)
 * of at most 255 bytes in all, followed by QTYPE and QCLASS inside @len.
 * Returns 0 with *@q filled, or -EINVAL (@len shorter than a header
 * included) with *@q unchanged.  Bytes after the question are not looked
 * at.
 */
static inline int
wire_question_parse(const uint8_t *m, size_t len, struct wire_question *q)
{
	size_t off = LDNS_HEADER_SIZE;

	if (len < LDNS_HEADER_SIZE || LDNS_QDCOUNT(m) != 1)
		return -EINVAL;
	for (;;) {
		uint8_t l;

		if (off >= len)
			return -EINVAL;
		l = m[off];
		if (l == 0)
			break;
		if (l > LDNS_MAX_LABELLEN)
			return -EINVAL;
		off += (size_t)l + 1;
		/* Room must be left for the root label. */
		if (off - LDNS_HEADER_SIZE > LDNS_MAX_DOMAINLEN - 1)
			return -EINVAL;
	}
	off++;
	if (off + 4 > len)
		return -EINVAL;
	q->name_len = off - LDNS_HEADER_SIZE;
	q->qtype = ldns_read_uint16(m + off);
	q->qclass = ldns_read_uint16(m + off + 2);
	q->end = off + 4;
	return 0;
}

/*
 * Skip the owner name at @off of a record after the question: labels,
 * ending with the root label or a compression pointer (not followed).
 * Returns the offset after it, or 0 when it is cut short, longer than
 * 255 bytes, or has a label of another type (RFC 6891 section 5).
 */
static inline size_t
wire_name_skip(const uint8_t *m, size_t len, size_t off)
{
	size_t start = off;

	for (;;) {
		uint8_t l;

		if (off >= len)
			return 0;
		l = m[off];
		if (l == 0)
			return off + 1;
		if ((l & 0xc0) == 0xc0)
			return off + 2 <= len ? off + 2 : 0;
		if (l & 0xc0)
			return 0;
		off += (size_t)l + 1;
		if (off - start > LDNS_MAX_DOMAINLEN)
			return 0;
	}
}

/* What the OPT record of a query says (RFC 6891 section 6.1.3). */
struct wire_edns {
	bool present;		/* one OPT; the rest is 0 without */
	uint8_t version;
	uint16_t udp_size;	/* as advertised, not bounded */
	uint16_t flags;		/* WIRE_EDNS_DO */
};

/* Do the options at @p tile its @len bytes of OPT RDATA exactly? */
static inline bool
wire_opt_options_ok(const uint8_t *p, size_t len)
{
	size_t off = 0;

	while (off < len) {
		if (len - off < 4)
			return false;
		off += 4 + (size_t)ldns_read_uint16(p + off + 2);
	}
	return off == len;
}

/*
 * Skip the QDCOUNT questions of @m (@len bytes, at least a header), 0 or
 * more, each a name (wire_name_skip(): compression pointers are skipped,
 * not followed), QTYPE and QCLASS.  Returns the offset after the last, or
 * 0 when one is cut short or its name is malformed.  Unlike
 * wire_question_parse() this takes any count: it finds where the other
 * sections start in a query that is to get FORMERR.
 */
static inline size_t
wire_questions_skip(const uint8_t *m, size_t len)
{
	size_t off = LDNS_HEADER_SIZE;
	size_t i;

	for (i = 0; i < LDNS_QDCOUNT(m); i++) {
		if ((off = wire_name_skip(m, len, off)) == 0 || off + 4 > len)
			return 0;
		off += 4;
	}
	return off;
}

/*
 * Where the TSIG record of a message is (RFC 8945): offsets into it.  The
 * RDATA is not looked at here (dns/tsig.h reads it).
 */
struct wire_tsig {
	bool present;		/* the last additional record is a TSIG */
	size_t owner;		/* its owner name's offset: the key name */
	size_t rdata;		/* its RDATA's offset */
	size_t rdlen;
};

/*
 * Walk the answer, authority and additional records of @m (@len bytes)
 * from @off, the end of the question section, find the OPT record among
 * the additional ones and, when @tsig is not NULL, the TSIG record.  *@e
 * (and *@tsig) are cleared first.  Returns 0 with them filled when every
 * record is whole inside @len (bytes after the last are not looked at);
 * -EINVAL, *@e and *@tsig then meaningless, when one is not, when there
 * is more than one OPT, an OPT outside the additional section or not
 * owned by the root (RFC 6891 section 6.1.1), an OPT whose options do not
 * fill its RDATA exactly, or a TSIG anywhere but as the last additional
 * record (RFC 8945 section 5.2).
 */
static inline int
wire_opt_scan(const uint8_t *m, size_t len, size_t off, struct wire_edns *e,
	      struct wire_tsig *tsig)
{
	size_t n = (size_t)LDNS_ANCOUNT(m) + LDNS_NSCOUNT(m);
	size_t nar = LDNS_ARCOUNT(m);
	size_t i;

	memset(e, 0, sizeof(*e));
	if (tsig != NULL)
		memset(tsig, 0, sizeof(*tsig));
	for (i = 0; i < n + nar; i++) {
		size_t owner = off;
		uint16_t type;
		size_t rdlen;

		if ((off = wire_name_skip(m, len, off)) == 0 ||
		    off + WIRE_RR_FIXED > len)
			return -EINVAL;
		type = ldns_read_uint16(m + off);
		rdlen = ldns_read_uint16(m + off + 8);
		off += WIRE_RR_FIXED;
		if (off + rdlen > len)
			return -EINVAL;
		if (type == LDNS_RR_TYPE_OPT) {
			if (i < n || e->present || m[owner] != 0)
				return -EINVAL;
			if (!wire_opt_options_ok(m + off, rdlen))
				return -EINVAL;
			/* CLASS: the size; TTL: extended RCODE, version, flags. */
			e->present = true;
			e->udp_size = ldns_read_uint16(m + off - 8);
			e->version = m[off - 5];
			e->flags = ldns_read_uint16(m + off - 4);
		} else if (type == LDNS_RR_TYPE_TSIG) {
			if (i < n || i + 1 != n + nar)
				return -EINVAL;
			if (tsig != NULL) {
				tsig->present = true;
				tsig->owner = owner;
				tsig->rdata = off;
				tsig->rdlen = rdlen;
			}
		}
		off += rdlen;
	}
	return 0;
}

/* The Extended DNS Error option (RFC 8914): code, length, INFO-CODE. */
#define WIRE_EDE_OPTION		15
#define WIRE_EDE_LEN		6	/* the option, without EXTRA-TEXT */
#define WIRE_EDE_NONE		(-1)	/* no EDE option */
#define WIRE_EDE_NOT_READY	14
#define WIRE_EDE_NOT_AUTH	20	/* Not Authoritative */
#define WIRE_EDE_NO_REACHABLE	22	/* No Reachable Authority */
#define WIRE_EDE_NETWORK	23	/* Network Error */

/*
 * Write an OPT record at @p (WIRE_OPT_LEN bytes of room, WIRE_EDE_LEN more
 * with an EDE): the root owner, @udp_size, the upper 8 bits of a 12-bit
 * RCODE (@rcode >> 4), version 0 and @flags; as its one option an
 * Extended DNS Error with INFO-CODE @ede and no EXTRA-TEXT, unless @ede
 * is WIRE_EDE_NONE (then no option).  Returns the bytes written.
 */
static inline size_t
wire_opt_write(uint8_t *p, uint16_t udp_size, unsigned rcode, uint16_t flags,
	       int ede)
{
	p[0] = 0;
	ldns_write_uint16(p + 1, LDNS_RR_TYPE_OPT);
	ldns_write_uint16(p + 3, udp_size);
	p[5] = (uint8_t)(rcode >> 4);
	p[6] = 0;
	ldns_write_uint16(p + 7, flags);
	if (ede == WIRE_EDE_NONE) {
		ldns_write_uint16(p + 9, 0);
		return WIRE_OPT_LEN;
	}
	ldns_write_uint16(p + 9, WIRE_EDE_LEN);
	ldns_write_uint16(p + 11, WIRE_EDE_OPTION);
	ldns_write_uint16(p + 13, 2);
	ldns_write_uint16(p + 15, (uint16_t)ede);
	return WIRE_OPT_LEN + WIRE_EDE_LEN;
}

#endif
