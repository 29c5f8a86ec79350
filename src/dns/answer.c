/* SPDX-License-Identifier: MIT */
/* answer.c -- one query's bytes + the table + the client -> one response. */
/*
 * The query is parsed in place: header, the one question (no compression
 * allowed there, RFC 1035 lets a query's question be written plainly and
 * every client does), then the other sections are skipped only to find
 * the OPT record.  The response reuses the query's header and question
 * bytes, so the question keeps the client's case (0x20), and every owner
 * name in the precompiled sections points into that question, except the
 * owners of additional RRs, which point at SRV targets in the answer and
 * are shifted here by where the answer starts.
 *
 * Nothing here allocates, reads past @qlen or writes past @cap.
 */
#include "autoconfig.h"

#include <stdbool.h>
#include <string.h>
#include <sys/socket.h>

#include <ldns/ldns.h>

#include "dns/answer.h"

#define HDR		12
#define NAME_MAX_WIRE	255
#define OPT_LEN		11
#define RCODE_BADVERS	16
#define EDNS_DO		0x8000

struct query {
	uint8_t opcode;
	bool question;		/* exactly one well-formed question */
	size_t qname_len;	/* wire bytes of QNAME */
	size_t qend;		/* offset just after QCLASS */
	uint16_t qtype;
	uint16_t qclass;
	bool rest_ok;		/* the other sections parse */
	bool edns;		/* one OPT record */
	uint16_t udp_size;
	uint8_t version;
	uint16_t edns_flags;
};

static uint16_t
get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static void
put16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v & 0xff;
}

/*
 * The question at offset 12: labels of at most 63 bytes (so no pointer),
 * a name of at most 255 bytes, QTYPE and QCLASS inside the packet.
 */
static bool
parse_question(const uint8_t *q, size_t qlen, struct query *st)
{
	size_t off = HDR;

	for (;;) {
		uint8_t l;

		if (off >= qlen)
			return false;
		l = q[off];
		if (l == 0)
			break;
		if (l > 63)
			return false;
		off += (size_t)l + 1;
		/* Room must be left for the root label. */
		if (off - HDR > NAME_MAX_WIRE - 1)
			return false;
	}
	off++;
	if (off + 4 > qlen)
		return false;
	st->qname_len = off - HDR;
	st->qtype = get16(q + off);
	st->qclass = get16(q + off + 2);
	st->qend = off + 4;
	return true;
}

/*
 * Skip a name in a section after the question (compression allowed).
 * Returns the offset after it, or 0 when it is malformed.
 */
static size_t
skip_name(const uint8_t *q, size_t qlen, size_t off)
{
	size_t start = off;

	for (;;) {
		uint8_t l;

		if (off >= qlen)
			return 0;
		l = q[off];
		if (l == 0)
			return off + 1;
		if ((l & 0xc0) == 0xc0)
			return off + 2 <= qlen ? off + 2 : 0;
		if (l & 0xc0)
			return 0;	/* extended label types (RFC 6891 5) */
		off += (size_t)l + 1;
		if (off - start > NAME_MAX_WIRE)
			return 0;
	}
}

/* The options of an OPT record must tile its RDATA exactly. */
static bool
options_ok(const uint8_t *p, size_t len)
{
	size_t off = 0;

	while (off < len) {
		if (len - off < 4)
			return false;
		off += 4 + (size_t)get16(p + off + 2);
	}
	return off == len;
}

/*
 * Skip answer and authority RRs and look for the OPT record among the
 * additional ones.  False when the sections are malformed, there is more
 * than one OPT, or an OPT's owner is not the root (RFC 6891 6.1.1).
 */
static bool
parse_rest(const uint8_t *q, size_t qlen, struct query *st)
{
	size_t n = (size_t)get16(q + 6) + get16(q + 8);
	size_t nar = get16(q + 10);
	size_t off = st->qend;
	size_t i;

	for (i = 0; i < n + nar; i++) {
		size_t owner = off;
		uint16_t type;
		uint32_t ttl;
		size_t rdlen;

		if ((off = skip_name(q, qlen, off)) == 0 || off + 10 > qlen)
			return false;
		type = get16(q + off);
		ttl = (uint32_t)get16(q + off + 4) << 16 | get16(q + off + 6);
		rdlen = get16(q + off + 8);
		off += 10;
		if (off + rdlen > qlen)
			return false;
		if (i >= n && type == LDNS_RR_TYPE_OPT) {
			if (st->edns || q[owner] != 0)
				return false;
			if (!options_ok(q + off, rdlen))
				return false;
			st->edns = true;
			st->udp_size = get16(q + off - 8);
			st->version = (ttl >> 16) & 0xff;
			st->edns_flags = ttl & 0xffff;
		}
		off += rdlen;
	}
	return true;
}

/* ANY (RFC 8482): one RRset, the first there is, never all of them. */
static const struct table_rrset *
any_rrset(const struct table_node *node)
{
	static const uint16_t order[] = {
		LDNS_RR_TYPE_A, LDNS_RR_TYPE_AAAA, LDNS_RR_TYPE_SRV,
		LDNS_RR_TYPE_PTR, LDNS_RR_TYPE_SOA, LDNS_RR_TYPE_NS,
	};
	const struct table_rrset *set = NULL;
	size_t i;

	for (i = 0; i < sizeof(order) / sizeof(order[0]); i++)
		if ((set = table_node_rrset(node, order[i])) != NULL)
			return set;
	return NULL;
}

/*
 * How many bytes of @set's additional RRs fit in @room: whole RRsets
 * (consecutive RRs with the same owner and type), as many as fit.  Their
 * RR count in *count.
 */
static size_t
additional_fit(const struct table_rrset *set, size_t room, size_t *count)
{
	const uint8_t *a = set->wire + set->len;
	size_t fit = 0;
	size_t nfit = 0;
	size_t off = 0;
	size_t n = 0;

	while (off < set->add_len) {
		size_t start = off;

		do {
			off += 12 + get16(a + off + 10);
			n++;
		} while (off < set->add_len &&
			 memcmp(a + off, a + start, 4) == 0);
		if (off > room)
			break;
		fit = off;
		nfit = n;
	}
	*count = nfit;
	return fit;
}

/* Lower-case the question name into @lname. */
static void
lower_name(const uint8_t *q, size_t len, uint8_t *lname)
{
	size_t i;

	for (i = 0; i < len; i++) {
		uint8_t c = q[HDR + i];

		lname[i] = c >= 'A' && c <= 'Z' ? c + 32 : c;
	}
}

size_t
answer_query(const struct answer_query_ctx *ctx, const uint8_t *q,
	     size_t qlen, uint8_t *resp, size_t cap,
	     enum answer_outcome *outcome)
{
	uint8_t lname[NAME_MAX_WIRE];
	struct query st;
	const struct table *t = NULL;
	const struct table_zone *zone = NULL;
	const struct table_node *node = NULL;
	const struct table_rrset *an = NULL;
	const struct table_rrset *ns = NULL;
	enum answer_outcome oc = ANSWER_ERROR;
	size_t apex_off = 0;
	size_t add_len = 0;
	size_t add_count = 0;
	size_t limit;
	size_t pos;
	size_t an_pos;
	size_t i;
	bool echo = false;
	bool opt = false;
	bool aa = false;
	bool tc = false;
	bool hidden = false;
	int rcode = LDNS_RCODE_NOERROR;

	if (outcome != NULL)
		*outcome = ANSWER_DROP;
	if (ctx == NULL || q == NULL || resp == NULL || qlen < HDR ||
	    cap < HDR)
		return 0;
	if (q[2] & 0x80)
		return 0;	/* a response: never answer one */
	t = ctx->t;

	memset(&st, 0, sizeof(st));
	st.opcode = (q[2] >> 3) & 0x0f;
	if (get16(q + 4) == 1)
		st.question = parse_question(q, qlen, &st);
	if (st.question)
		st.rest_ok = parse_rest(q, qlen, &st);

	if (st.opcode != LDNS_PACKET_QUERY) {
		rcode = LDNS_RCODE_NOTIMPL;
		echo = st.question;
		opt = st.rest_ok && st.edns;
	} else if (!st.question || !st.rest_ok) {
		rcode = LDNS_RCODE_FORMERR;
		echo = st.question;
	} else if (st.edns && st.version > 0) {
		rcode = RCODE_BADVERS;	/* RFC 6891 6.1.3 */
		echo = true;
		opt = true;
	} else if (st.qclass != LDNS_RR_CLASS_IN &&
		   st.qclass != LDNS_RR_CLASS_CH) {
		rcode = LDNS_RCODE_REFUSED;
		oc = ANSWER_REFUSED;
		echo = true;
		opt = st.edns;
	} else if (t == NULL) {
		rcode = LDNS_RCODE_SERVFAIL;
		echo = true;
		opt = st.edns;
	} else if (st.qclass == LDNS_RR_CLASS_CH) {
		echo = true;
		opt = st.edns;
		lower_name(q, st.qname_len, lname);
		if (st.qtype == LDNS_RR_TYPE_TXT ||
		    st.qtype == LDNS_RR_TYPE_ANY)
			an = table_chaos_txt(t, lname, st.qname_len);
		if (an != NULL) {
			aa = true;
			oc = ANSWER_CHAOS;
		} else {
			rcode = LDNS_RCODE_REFUSED;
			oc = ANSWER_REFUSED;
		}
	} else if (st.qtype == LDNS_RR_TYPE_AXFR ||
		   st.qtype == LDNS_RR_TYPE_IXFR) {
		rcode = LDNS_RCODE_NOTIMPL;
		echo = true;
		opt = st.edns;
	} else {
		echo = true;
		opt = st.edns;
		lower_name(q, st.qname_len, lname);
		zone = table_find_zone(t, lname, st.qname_len, &apex_off);
		if (zone != NULL) {
			aa = true;
			oc = ANSWER_AUTH;
			node = table_lookup_client(t, zone, lname,
						   st.qname_len, ctx->client,
						   &hidden);
			if (node == NULL) {
				rcode = LDNS_RCODE_NXDOMAIN;
				if (hidden)
					oc = ANSWER_HIDDEN;
			} else if (st.qtype == LDNS_RR_TYPE_ANY) {
				an = any_rrset(node);
			} else {
				an = table_node_rrset(node, st.qtype);
			}
			if (an == NULL)
				ns = table_zone_soa_authority(zone);
		} else if (table_search_match(t, lname, st.qname_len)) {
			/* A stub walking its search list: stop it here. */
			rcode = LDNS_RCODE_NXDOMAIN;
			oc = ANSWER_SEARCH_NXDOMAIN;
		} else if (ctx->forwarding) {
			if (outcome != NULL)
				*outcome = ANSWER_FORWARD;
			return 0;
		} else {
			rcode = LDNS_RCODE_REFUSED;
			oc = ANSWER_REFUSED;
		}
	}

	if (ctx->tr == ANSWER_TCP)
		limit = cap < 65535 ? cap : 65535;
	else if (opt)
		/*
		 * Never more than we advertise: larger UDP responses would
		 * be fragmented (DNS Flag Day 2020); TC sends them to TCP.
		 */
		limit = st.udp_size < 512 ? 512 :
			st.udp_size > ANSWER_EDNS_SIZE ? ANSWER_EDNS_SIZE :
			st.udp_size;
	else
		limit = 512;
	if (limit > cap)
		limit = cap;

	pos = HDR;
	if (echo && HDR + st.qname_len + 4 + (opt ? OPT_LEN : 0) > limit) {
		/* Cannot happen with cap >= 512; stay safe anyway. */
		echo = false;
		opt = false;
		tc = true;
	}
	if (echo)
		pos += st.qname_len + 4;
	an_pos = pos;
	if (pos + (an ? an->len : 0) + (ns ? ns->len : 0) +
	    (opt ? OPT_LEN : 0) > limit) {
		tc = true;	/* whole RRsets or nothing */
		an = NULL;
		ns = NULL;
	}
	if (an != NULL && an->add_len > 0)
		add_len = additional_fit(an, limit - pos - an->len -
					 (ns ? ns->len : 0) -
					 (opt ? OPT_LEN : 0), &add_count);

	memcpy(resp, q, 2);
	/* QR, the query's opcode and RD; AA when authoritative; TC. */
	resp[2] = 0x80 | (q[2] & 0x79) | (aa ? 0x04 : 0) | (tc ? 0x02 : 0);
	/* RA when we recurse (forward); Z and AD clear; CD copied; RCODE. */
	resp[3] = (ctx->forwarding ? 0x80 : 0) | (q[3] & 0x10) |
		  (rcode & 0x0f);
	put16(resp + 4, echo ? 1 : 0);
	put16(resp + 6, an ? an->count : 0);
	put16(resp + 8, ns ? ns->count : 0);
	put16(resp + 10, (uint16_t)(add_count + (opt ? 1 : 0)));
	if (echo)
		memcpy(resp + HDR, q + HDR, st.qname_len + 4);
	if (an != NULL) {
		memcpy(resp + pos, an->wire, an->len);
		pos += an->len;
	}
	if (ns != NULL) {
		/* The SOA's owner: the apex inside the question name. */
		memcpy(resp + pos, ns->wire, ns->len);
		put16(resp + pos, (uint16_t)(0xc000 | (HDR + apex_off)));
		pos += ns->len;
	}
	if (add_len > 0) {
		/* The owners: SRV targets, relative to the answer's start. */
		memcpy(resp + pos, an->wire + an->len, add_len);
		for (i = 0; i < add_len; i += 12 + get16(resp + pos + i + 10))
			put16(resp + pos + i,
			      (uint16_t)(get16(resp + pos + i) + an_pos));
		pos += add_len;
	}
	if (opt) {
		resp[pos] = 0;	/* root owner */
		put16(resp + pos + 1, LDNS_RR_TYPE_OPT);
		put16(resp + pos + 3, ANSWER_EDNS_SIZE);
		resp[pos + 5] = (uint8_t)(rcode >> 4);	/* extended RCODE */
		resp[pos + 6] = 0;			/* version */
		put16(resp + pos + 7, st.edns_flags & EDNS_DO);
		put16(resp + pos + 9, 0);		/* no options */
		pos += OPT_LEN;
	}
	if (outcome != NULL)
		*outcome = oc;
	return pos;
}

size_t
answer_udp_limit(const uint8_t *q, size_t qlen)
{
	struct query st;

	memset(&st, 0, sizeof(st));
	if (qlen < 12 || get16(q + 4) != 1 || !parse_question(q, qlen, &st) ||
	    !parse_rest(q, qlen, &st) || !st.edns)
		return 512;
	if (st.udp_size < 512)
		return 512;
	return st.udp_size > ANSWER_EDNS_SIZE ? ANSWER_EDNS_SIZE : st.udp_size;
}
