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
#include "dns/wire.h"

/* A precompiled RR up to its RDATA: owner pointer, type ... RDLENGTH. */
#define RR_FIXED	(2 + WIRE_RR_FIXED)
#define RCODE_BADVERS	16

struct query {
	uint8_t opcode;
	bool question;		/* exactly one well-formed question */
	bool rest_ok;		/* the other sections parse */
	struct wire_question q;
	struct wire_edns edns;	/* valid when rest_ok */
};

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
			off += RR_FIXED + ldns_read_uint16(a + off + 10);
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
		uint8_t c = q[LDNS_HEADER_SIZE + i];

		lname[i] = c >= 'A' && c <= 'Z' ? c + 32 : c;
	}
}

size_t
answer_query(const struct answer_query_ctx *ctx, const uint8_t *q,
	     size_t qlen, uint8_t *resp, size_t cap,
	     enum answer_outcome *outcome)
{
	uint8_t lname[LDNS_MAX_DOMAINLEN];
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
	if (ctx == NULL || q == NULL || resp == NULL ||
	    qlen < LDNS_HEADER_SIZE || cap < LDNS_HEADER_SIZE)
		return 0;
	if (LDNS_QR_WIRE(q))
		return 0;	/* a response: never answer one */
	t = ctx->t;

	memset(&st, 0, sizeof(st));
	st.opcode = LDNS_OPCODE_WIRE(q);
	st.question = wire_question_parse(q, qlen, &st.q) == 0;
	if (st.question)
		st.rest_ok = wire_opt_scan(q, qlen, st.q.end, &st.edns) == 0;

	if (st.opcode != LDNS_PACKET_QUERY) {
		rcode = LDNS_RCODE_NOTIMPL;
		echo = st.question;
		opt = st.rest_ok && st.edns.present;
	} else if (!st.question || !st.rest_ok) {
		rcode = LDNS_RCODE_FORMERR;
		echo = st.question;
	} else if (st.edns.present && st.edns.version > 0) {
		rcode = RCODE_BADVERS;	/* RFC 6891 6.1.3 */
		echo = true;
		opt = true;
	} else if (st.q.qclass != LDNS_RR_CLASS_IN &&
		   st.q.qclass != LDNS_RR_CLASS_CH) {
		rcode = LDNS_RCODE_REFUSED;
		oc = ANSWER_REFUSED;
		echo = true;
		opt = st.edns.present;
	} else if (t == NULL) {
		rcode = LDNS_RCODE_SERVFAIL;
		echo = true;
		opt = st.edns.present;
	} else if (st.q.qclass == LDNS_RR_CLASS_CH) {
		echo = true;
		opt = st.edns.present;
		lower_name(q, st.q.name_len, lname);
		if (st.q.qtype == LDNS_RR_TYPE_TXT ||
		    st.q.qtype == LDNS_RR_TYPE_ANY)
			an = table_chaos_txt(t, lname, st.q.name_len);
		if (an != NULL) {
			aa = true;
			oc = ANSWER_CHAOS;
		} else {
			rcode = LDNS_RCODE_REFUSED;
			oc = ANSWER_REFUSED;
		}
	} else if (st.q.qtype == LDNS_RR_TYPE_AXFR ||
		   st.q.qtype == LDNS_RR_TYPE_IXFR) {
		rcode = LDNS_RCODE_NOTIMPL;
		echo = true;
		opt = st.edns.present;
	} else {
		echo = true;
		opt = st.edns.present;
		lower_name(q, st.q.name_len, lname);
		zone = table_find_zone(t, lname, st.q.name_len, &apex_off);
		if (zone != NULL) {
			aa = true;
			oc = ANSWER_AUTH;
			node = table_lookup_client(t, zone, lname,
						   st.q.name_len, ctx->client,
						   &hidden);
			if (node == NULL) {
				rcode = LDNS_RCODE_NXDOMAIN;
				if (hidden)
					oc = ANSWER_HIDDEN;
			} else if (st.q.qtype == LDNS_RR_TYPE_ANY) {
				an = any_rrset(node);
			} else {
				an = table_node_rrset(node, st.q.qtype);
			}
			if (an == NULL)
				ns = table_zone_soa_authority(zone);
		} else if (table_search_match(t, lname, st.q.name_len)) {
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
		limit = st.edns.udp_size < WIRE_UDP_MIN ? WIRE_UDP_MIN :
			st.edns.udp_size > ANSWER_EDNS_SIZE ? ANSWER_EDNS_SIZE :
			st.edns.udp_size;
	else
		limit = WIRE_UDP_MIN;
	if (limit > cap)
		limit = cap;

	pos = LDNS_HEADER_SIZE;
	if (echo &&
	    pos + st.q.name_len + 4 + (opt ? WIRE_OPT_LEN : 0) > limit) {
		/* Cannot happen with cap >= 512; stay safe anyway. */
		echo = false;
		opt = false;
		tc = true;
	}
	if (echo)
		pos += st.q.name_len + 4;
	an_pos = pos;
	if (pos + (an ? an->len : 0) + (ns ? ns->len : 0) +
	    (opt ? WIRE_OPT_LEN : 0) > limit) {
		tc = true;	/* whole RRsets or nothing */
		an = NULL;
		ns = NULL;
	}
	if (an != NULL && an->add_len > 0)
		add_len = additional_fit(an, limit - pos - an->len -
					 (ns ? ns->len : 0) -
					 (opt ? WIRE_OPT_LEN : 0), &add_count);

	memcpy(resp, q, 2);
	/* QR, the query's opcode and RD; AA when authoritative; TC. */
	resp[2] = LDNS_QR_MASK | (q[2] & (LDNS_OPCODE_MASK | LDNS_RD_MASK)) |
		  (aa ? LDNS_AA_MASK : 0) | (tc ? LDNS_TC_MASK : 0);
	/* RA when we recurse (forward); Z and AD clear; CD copied; RCODE. */
	resp[3] = (ctx->forwarding ? LDNS_RA_MASK : 0) | (q[3] & LDNS_CD_MASK) |
		  (rcode & LDNS_RCODE_MASK);
	ldns_write_uint16(resp + LDNS_QDCOUNT_OFF, echo ? 1 : 0);
	ldns_write_uint16(resp + LDNS_ANCOUNT_OFF, an ? an->count : 0);
	ldns_write_uint16(resp + LDNS_NSCOUNT_OFF, ns ? ns->count : 0);
	ldns_write_uint16(resp + LDNS_ARCOUNT_OFF,
			  (uint16_t)(add_count + (opt ? 1 : 0)));
	if (echo)
		memcpy(resp + LDNS_HEADER_SIZE, q + LDNS_HEADER_SIZE,
		       st.q.name_len + 4);
	if (an != NULL) {
		memcpy(resp + pos, an->wire, an->len);
		pos += an->len;
	}
	if (ns != NULL) {
		/* The SOA's owner: the apex inside the question name. */
		memcpy(resp + pos, ns->wire, ns->len);
		ldns_write_uint16(resp + pos, (uint16_t)(0xc000 |
				  (LDNS_HEADER_SIZE + apex_off)));
		pos += ns->len;
	}
	if (add_len > 0) {
		/* The owners: SRV targets, relative to the answer's start. */
		memcpy(resp + pos, an->wire + an->len, add_len);
		for (i = 0; i < add_len;
		     i += RR_FIXED + ldns_read_uint16(resp + pos + i + 10))
			ldns_write_uint16(resp + pos + i, (uint16_t)
					  (ldns_read_uint16(resp + pos + i) +
					   an_pos));
		pos += add_len;
	}
	if (opt)
		pos += wire_opt_write(resp + pos, ANSWER_EDNS_SIZE,
				      (unsigned)rcode,
				      st.edns.flags & WIRE_EDNS_DO);
	if (outcome != NULL)
		*outcome = oc;
	return pos;
}

size_t
answer_udp_limit(const uint8_t *q, size_t qlen)
{
	struct wire_question qn;
	struct wire_edns edns;

	if (wire_question_parse(q, qlen, &qn) < 0 ||
	    wire_opt_scan(q, qlen, qn.end, &edns) < 0 || !edns.present)
		return WIRE_UDP_MIN;
	if (edns.udp_size < WIRE_UDP_MIN)
		return WIRE_UDP_MIN;
	return edns.udp_size > ANSWER_EDNS_SIZE ? ANSWER_EDNS_SIZE :
	       edns.udp_size;
}
