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
 * are shifted here by where the answer starts.  Compressed RDATA names
 * point at fixed offsets (table.h), but for the negative SOA's, shifted
 * here by the apex's offset in the question, like its owner.
 *
 * Nothing here allocates, reads past @qlen or writes past @cap.
 */
#include "autoconfig.h"

#include <stdbool.h>
#include <stddef.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include <ldns/ldns.h>

#include "dns/answer.h"
#include "dns/tsig.h"
#include "dns/wire.h"

/* A precompiled RR up to its RDATA: owner pointer, type ... RDLENGTH. */
#define RR_FIXED	(2 + WIRE_RR_FIXED)
#define RCODE_BADVERS	16

struct query {
	size_t len;		/* the query's bytes */
	uint8_t opcode;
	bool question;		/* exactly one well-formed question */
	bool rest_ok;		/* the other sections parse (any QDCOUNT) */
	struct wire_question q;
	struct wire_edns edns;	/* valid when rest_ok */
	struct wire_tsig tsig;	/* valid when rest_ok */
	struct tsig_rr trr;	/* valid when tsig.present */
};

/* ANY (RFC 8482): one RRset, the first there is, never all of them. */
static const struct table_rrset *
any_rrset(const struct table_node *node)
{
	static const uint16_t order[] = {
		LDNS_RR_TYPE_A, LDNS_RR_TYPE_AAAA, LDNS_RR_TYPE_SRV,
		LDNS_RR_TYPE_PTR, LDNS_RR_TYPE_TXT, LDNS_RR_TYPE_SOA,
		LDNS_RR_TYPE_NS,
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

/*
 * What a response holds: classify() decides it, fit() cuts it to the
 * size limit, write_response() writes it.
 */
struct plan {
	const struct table_rrset *an;	/* the answer RRset, or NULL */
	const struct table_rrset *ns;	/* the negative SOA, or NULL */
	size_t apex_off;	/* the apex's offset inside the question name */
	size_t add_len;		/* the bytes of an's additional RRs that fit */
	size_t add_count;	/* their RRs */
	enum answer_outcome oc;
	int rcode;
	bool echo;		/* the question */
	bool opt;		/* our OPT record */
	int ede;		/* its EDE INFO-CODE, or WIRE_EDE_NONE */
	int tsig_error;		/* a TSIG with this error, or 0: none */
	const struct tsig_key *sign;	/* sign the answer with it, or NULL */
	bool aa;
	bool tc;
};

/* The UDP limit of a query with EDNS: its size, 512 to ANSWER_EDNS_SIZE. */
static size_t
edns_udp_limit(const struct wire_edns *edns)
{
	/*
	 * Never more than we advertise: larger UDP responses would be
	 * fragmented (DNS Flag Day 2020); TC sends them to TCP.
	 */
	if (edns->udp_size < WIRE_UDP_MIN)
		return WIRE_UDP_MIN;
	return edns->udp_size > ANSWER_EDNS_SIZE ? ANSWER_EDNS_SIZE :
	       edns->udp_size;
}

/* The time of @ctx for TSIG: its own, or the clock's. */
static uint64_t
now_of(const struct answer_query_ctx *ctx)
{
	return ctx->now != 0 ? ctx->now : (uint64_t)time(NULL);
}

/*
 * Check the TSIG of @q (RFC 8945 5.2): true when it verifies (the answer
 * is then signed with its key), else false with pl->tsig_error set
 * (BADTIME: the error answer signed too).
 */
static bool
tsig_ok(const struct answer_query_ctx *ctx, const uint8_t *q, size_t qlen,
	const struct query *st, struct plan *pl)
{
	const struct tsig_key *k = tsig_keys_find(ctx->keys, q, qlen,
						  &st->trr);
	int v;

	if (k == NULL) {
		pl->tsig_error = TSIG_BADKEY;
		return false;
	}
	v = tsig_verify(k, q, qlen, &st->tsig, &st->trr, now_of(ctx));
	if (v == 0 || v == -TSIG_BADTIME)
		pl->sign = k;
	if (v == 0)
		return true;
	pl->tsig_error = v == -TSIG_BADTIME ? TSIG_BADTIME : TSIG_BADSIG;
	return false;
}

/*
 * Parse the query @q (a header at least, QR clear) into @st and decide
 * the response in @pl: RCODE, outcome, flags, and which RRsets.  The rules
 * are answer.h's; pl->oc ANSWER_FORWARD means nothing is to be written.
 */
static void
classify(const struct answer_query_ctx *ctx, const uint8_t *q, size_t qlen,
	 struct query *st, struct plan *pl)
{
	uint8_t lname[LDNS_MAX_DOMAINLEN];
	const struct table *t = ctx->t;
	const struct table_zone *zone = NULL;
	const struct table_node *node = NULL;
	bool hidden = false;
	size_t qend;

	/* st->trr: filled by tsig_parse() when there is a TSIG. */
	memset(st, 0, offsetof(struct query, trr));
	memset(pl, 0, sizeof(*pl));
	pl->oc = ANSWER_ERROR;
	pl->rcode = LDNS_RCODE_NOERROR;
	pl->ede = WIRE_EDE_NONE;
	st->len = qlen;
	st->opcode = LDNS_OPCODE_WIRE(q);
	st->question = wire_question_parse(q, qlen, &st->q) == 0;
	/* The OPT is found whatever QDCOUNT says (RFC 6891 6.1.1). */
	qend = st->question ? st->q.end : wire_questions_skip(q, qlen);
	if (qend != 0)
		st->rest_ok = wire_opt_scan(q, qlen, qend, &st->edns,
					    &st->tsig) == 0;
	if (st->rest_ok && st->tsig.present &&
	    tsig_parse(q, qlen, &st->tsig, &st->trr) < 0)
		st->rest_ok = false;

	if (st->opcode != LDNS_PACKET_QUERY) {
		pl->rcode = LDNS_RCODE_NOTIMPL;
		pl->echo = st->question;
		pl->opt = st->rest_ok && st->edns.present;
	} else if (!st->question || !st->rest_ok) {
		pl->rcode = LDNS_RCODE_FORMERR;
		pl->echo = st->question;
		pl->opt = st->rest_ok && st->edns.present;
	} else if (ctx->tr == ANSWER_TCP &&
		   st->q.qclass == LDNS_RR_CLASS_IN &&
		   (st->q.qtype == LDNS_RR_TYPE_AXFR ||
		    st->q.qtype == LDNS_RR_TYPE_IXFR)) {
		pl->oc = ANSWER_XFR;	/* dns/xfr.h, TSIG included */
		return;
	} else if (st->tsig.present && !tsig_ok(ctx, q, qlen, st, pl)) {
		/* RFC 8945 5.2: BADKEY, BADSIG unsigned; BADTIME signed. */
		pl->rcode = LDNS_RCODE_NOTAUTH;
		pl->echo = true;
		pl->opt = st->edns.present;
	} else if (st->edns.present && st->edns.version > 0) {
		pl->rcode = RCODE_BADVERS;	/* RFC 6891 6.1.3 */
		pl->echo = true;
		pl->opt = true;
	} else if (st->q.qclass != LDNS_RR_CLASS_IN &&
		   st->q.qclass != LDNS_RR_CLASS_CH) {
		pl->rcode = LDNS_RCODE_REFUSED;
		pl->oc = ANSWER_REFUSED;
		pl->echo = true;
		pl->opt = st->edns.present;
	} else if (t == NULL) {
		pl->rcode = LDNS_RCODE_SERVFAIL;
		pl->echo = true;
		pl->opt = st->edns.present;
		pl->ede = WIRE_EDE_NOT_READY;
	} else if (st->q.qclass == LDNS_RR_CLASS_CH) {
		pl->echo = true;
		pl->opt = st->edns.present;
		lower_name(q, st->q.name_len, lname);
		if (st->q.qtype == LDNS_RR_TYPE_TXT ||
		    st->q.qtype == LDNS_RR_TYPE_ANY)
			pl->an = table_chaos_txt(t, lname, st->q.name_len);
		if (pl->an != NULL) {
			pl->aa = true;
			pl->oc = ANSWER_CHAOS;
		} else {
			pl->rcode = LDNS_RCODE_REFUSED;
			pl->oc = ANSWER_REFUSED;
		}
	} else if (st->q.qtype == LDNS_RR_TYPE_AXFR) {
		pl->rcode = LDNS_RCODE_NOTIMPL;
		pl->echo = true;
		pl->opt = st->edns.present;
	} else if (st->q.qtype == LDNS_RR_TYPE_IXFR) {
		/* Over UDP the current SOA alone, as Knot (RFC 1995 2). */
		pl->echo = true;
		pl->opt = st->edns.present;
		lower_name(q, st->q.name_len, lname);
		zone = table_find_zone(t, lname, st->q.name_len,
				       &pl->apex_off);
		if (zone != NULL && pl->apex_off == 0)
			node = table_lookup(t, zone, lname, st->q.name_len);
		pl->an = table_node_rrset(node, LDNS_RR_TYPE_SOA);
		pl->rcode = pl->an != NULL ? LDNS_RCODE_NOERROR :
			    LDNS_RCODE_NOTAUTH;
		pl->aa = pl->an != NULL;
		pl->oc = pl->an != NULL ? ANSWER_AUTH : ANSWER_ERROR;
	} else {
		pl->echo = true;
		pl->opt = st->edns.present;
		lower_name(q, st->q.name_len, lname);
		zone = table_find_zone(t, lname, st->q.name_len,
				       &pl->apex_off);
		if (zone != NULL) {
			pl->aa = true;
			pl->oc = ANSWER_AUTH;
			node = table_lookup_client(t, zone, lname,
						   st->q.name_len,
						   ctx->client, &hidden);
			if (node == NULL) {
				pl->rcode = LDNS_RCODE_NXDOMAIN;
				if (hidden)
					pl->oc = ANSWER_HIDDEN;
			} else if (st->q.qtype == LDNS_RR_TYPE_ANY) {
				pl->an = any_rrset(node);
			} else {
				pl->an = table_node_rrset(node, st->q.qtype);
			}
			if (pl->an == NULL)
				pl->ns = table_zone_soa_authority(zone);
		} else if (table_search_match(t, lname, st->q.name_len)) {
			/* A stub walking its search list: stop it here. */
			pl->rcode = LDNS_RCODE_NXDOMAIN;
			pl->oc = ANSWER_SEARCH_NXDOMAIN;
		} else if (ctx->forwarding) {
			pl->oc = ANSWER_FORWARD;
		} else {
			pl->rcode = LDNS_RCODE_REFUSED;
			pl->oc = ANSWER_REFUSED;
			pl->ede = WIRE_EDE_NOT_AUTH;
		}
	}
}

/* The length of our OPT record in @pl: none, plain, or with its EDE. */
static size_t
opt_len(const struct plan *pl)
{
	if (!pl->opt)
		return 0;
	return WIRE_OPT_LEN + (pl->ede != WIRE_EDE_NONE ? WIRE_EDE_LEN : 0);
}

/* The bytes of the TSIG record of a TSIG error answer. */
static size_t
tsig_len(const struct plan *pl, const struct query *st)
{
	return pl->sign != NULL ? tsig_sign_len(pl->sign) :
	       tsig_error_len(&st->trr);
}

/*
 * Cut @pl to the size limit (answer.h) for a response in @cap bytes:
 * whole RRsets or nothing, with TC; the additional RRs as far as they fit.
 */
static void
fit(const struct answer_query_ctx *ctx, const struct query *st, size_t cap,
    struct plan *pl)
{
	size_t limit;
	size_t pos = LDNS_HEADER_SIZE;

	if (ctx->tr == ANSWER_TCP)
		limit = cap < LDNS_MAX_PACKETLEN ? cap : LDNS_MAX_PACKETLEN;
	else if (pl->opt)
		limit = edns_udp_limit(&st->edns);
	else
		limit = WIRE_UDP_MIN;
	if (limit > cap)
		limit = cap;

	if (pl->tsig_error != 0 && pos + (pl->echo ? st->q.name_len + 4 : 0) +
	    opt_len(pl) + tsig_len(pl, st) > limit) {
		/* Only with names near 255 bytes: TCP takes it. */
		pl->tsig_error = 0;
		pl->sign = NULL;
		pl->tc = true;
	}
	/* The signature's room, kept whatever else fits. */
	if (pl->sign != NULL && pl->tsig_error == 0)
		limit = limit > tsig_sign_len(pl->sign) ?
			limit - tsig_sign_len(pl->sign) : 0;
	if (pl->echo && pos + st->q.name_len + 4 + opt_len(pl) > limit) {
		/* Cannot happen with cap >= 512; stay safe anyway. */
		pl->echo = false;
		pl->opt = false;
		pl->tc = true;
	}
	if (pl->echo)
		pos += st->q.name_len + 4;
	if (pos + (pl->an ? pl->an->len : 0) + (pl->ns ? pl->ns->len : 0) +
	    opt_len(pl) > limit) {
		pl->tc = true;	/* whole RRsets or nothing */
		pl->an = NULL;
		pl->ns = NULL;
	}
	if (pl->an != NULL && pl->an->add_len > 0)
		pl->add_len = additional_fit(pl->an, limit - pos - pl->an->len -
					     (pl->ns ? pl->ns->len : 0) -
					     opt_len(pl),
					     &pl->add_count);
}

/* Write the response @pl to the query @q into @resp; returns its length. */
static size_t
write_response(const struct answer_query_ctx *ctx, const uint8_t *q,
	       const struct query *st, const struct plan *pl, uint8_t *resp)
{
	const struct table_rrset *an = pl->an;
	const struct table_rrset *ns = pl->ns;
	size_t pos = LDNS_HEADER_SIZE;
	size_t an_pos;
	size_t i;

	memcpy(resp, q, 2);
	if (st->opcode != LDNS_PACKET_QUERY) {
		/* RD, CD and AD are QUERY's: QR, the opcode, RCODE only. */
		resp[2] = LDNS_QR_MASK | (q[2] & LDNS_OPCODE_MASK) |
			  (pl->tc ? LDNS_TC_MASK : 0);
		resp[3] = pl->rcode & LDNS_RCODE_MASK;
	} else {
		/* QR, the opcode and RD; AA when authoritative; TC. */
		resp[2] = LDNS_QR_MASK |
			  (q[2] & (LDNS_OPCODE_MASK | LDNS_RD_MASK)) |
			  (pl->aa ? LDNS_AA_MASK : 0) |
			  (pl->tc ? LDNS_TC_MASK : 0);
		/* RA when we forward; Z, AD and CD (RFC 4035 3.1.6) clear. */
		resp[3] = (ctx->forwarding ? LDNS_RA_MASK : 0) |
			  (pl->rcode & LDNS_RCODE_MASK);
	}
	ldns_write_uint16(resp + LDNS_QDCOUNT_OFF, pl->echo ? 1 : 0);
	ldns_write_uint16(resp + LDNS_ANCOUNT_OFF, an ? an->count : 0);
	ldns_write_uint16(resp + LDNS_NSCOUNT_OFF, ns ? ns->count : 0);
	ldns_write_uint16(resp + LDNS_ARCOUNT_OFF,
			  (uint16_t)(pl->add_count + (pl->opt ? 1 : 0) +
				     (pl->tsig_error != 0 &&
				      pl->sign == NULL ? 1 : 0)));
	if (pl->echo) {
		memcpy(resp + LDNS_HEADER_SIZE, q + LDNS_HEADER_SIZE,
		       st->q.name_len + 4);
		pos += st->q.name_len + 4;
	}
	an_pos = pos;
	if (an != NULL) {
		memcpy(resp + pos, an->wire, an->len);
		pos += an->len;
	}
	if (ns != NULL) {
		/*
		 * The SOA's owner: the apex inside the question name; its
		 * compressed RDATA names move with it.
		 */
		memcpy(resp + pos, ns->wire, ns->len);
		ldns_write_uint16(resp + pos, (uint16_t)(0xc000 |
				  (LDNS_HEADER_SIZE + pl->apex_off)));
		for (i = 0; i < 2; i++)
			if (ns->apex_rel[i] != 0)
				ldns_write_uint16(resp + pos + ns->apex_rel[i],
						  (uint16_t)(ldns_read_uint16(
						  resp + pos + ns->apex_rel[i]) +
						  pl->apex_off));
		pos += ns->len;
	}
	if (pl->add_len > 0) {
		/* The owners: SRV targets, relative to the answer's start. */
		memcpy(resp + pos, an->wire + an->len, pl->add_len);
		for (i = 0; i < pl->add_len;
		     i += RR_FIXED + ldns_read_uint16(resp + pos + i + 10))
			ldns_write_uint16(resp + pos + i, (uint16_t)
					  (ldns_read_uint16(resp + pos + i) +
					   an_pos));
		pos += pl->add_len;
	}
	if (pl->opt)
		pos += wire_opt_write(resp + pos, ANSWER_EDNS_SIZE,
				      (unsigned)pl->rcode,
				      st->edns.flags & WIRE_EDNS_DO, pl->ede);
	if (pl->tsig_error != 0 && pl->sign == NULL)	/* last (RFC 8945) */
		pos += tsig_write_error(resp + pos, q, st->len, &st->trr,
					(uint16_t)pl->tsig_error);
	return pos;
}

/*
 * Sign the answer @resp of @len bytes (room for the TSIG kept by fit())
 * with pl->sign; the answer unsigned, TC set, when that fails (no memory
 * in libcrypto).
 */
static size_t
sign_response(const struct answer_query_ctx *ctx, const uint8_t *q,
	      const struct query *st, const struct plan *pl, uint8_t *resp,
	      size_t len, size_t cap)
{
	struct tsig_signer s;
	int n;

	tsig_signer_init(&s, pl->sign, q + st->trr.mac_off, st->trr.mac_len,
			 (uint16_t)pl->tsig_error);
	n = tsig_sign(&s, resp, len, cap, now_of(ctx));
	if (n < 0) {
		resp[2] |= LDNS_TC_MASK;
		return len;
	}
	return (size_t)n;
}

size_t
answer_query(const struct answer_query_ctx *ctx, const uint8_t *q,
	     size_t qlen, uint8_t *resp, size_t cap,
	     enum answer_outcome *outcome)
{
	struct query st;
	struct plan pl;
	size_t len;

	if (outcome != NULL)
		*outcome = ANSWER_DROP;
	if (ctx == NULL || q == NULL || resp == NULL ||
	    qlen < LDNS_HEADER_SIZE || cap < LDNS_HEADER_SIZE)
		return 0;
	if (LDNS_QR_WIRE(q))
		return 0;	/* a response: never answer one */
	classify(ctx, q, qlen, &st, &pl);
	if (pl.oc == ANSWER_FORWARD || pl.oc == ANSWER_XFR) {
		if (outcome != NULL)
			*outcome = pl.oc;
		return 0;
	}
	fit(ctx, &st, cap, &pl);
	len = write_response(ctx, q, &st, &pl, resp);
	if (pl.sign != NULL)
		len = sign_response(ctx, q, &st, &pl, resp, len, cap);
	if (outcome != NULL)
		*outcome = pl.oc;
	return len;
}

size_t
answer_udp_limit(const uint8_t *q, size_t qlen)
{
	struct wire_question qn;
	struct wire_edns edns;

	if (wire_question_parse(q, qlen, &qn) < 0 ||
	    wire_opt_scan(q, qlen, qn.end, &edns, NULL) < 0 || !edns.present)
		return WIRE_UDP_MIN;
	return edns_udp_limit(&edns);
}
