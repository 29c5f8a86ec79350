/* SPDX-License-Identifier: MIT */
/* xfr.c -- zone transfers (AXFR, IXFR) over TCP, one message at a time. */
/*
 * A session produces RRs one after the other (next_rr()): for AXFR the
 * SOA, the apex's other RRsets, every other name's, the SOA again; for an
 * incremental IXFR the journal's list.  Each message takes RRs while
 * their uncompressed size fits, so that the compressed message does too;
 * an RR that does not fit waits for the next message.  Error answers and
 * the up-to-date SOA are one prepared message.
 */
#include "autoconfig.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <ldns/ldns.h>

#include "dns/table_walk.h"
#include "dns/tsig.h"
#include "dns/wire.h"
#include "dns/xfr.h"

#define MSG_MAX		65535
#define QUESTION_MAX	(LDNS_HEADER_SIZE + LDNS_MAX_DOMAINLEN + 4)

/* Where an AXFR's RRs come from. */
enum phase {
	PHASE_SOA = 0,		/* the SOA, first */
	PHASE_APEX,		/* the apex's other RRsets */
	PHASE_NAMES,		/* every other name */
	PHASE_LAST_SOA,		/* the SOA, last */
	PHASE_END,
};

struct xfr {
	const struct table *t;
	const struct table_zone *z;
	const struct table_node *apex;
	uint8_t q[QUESTION_MAX];	/* the query's header and question */
	size_t qlen;
	uint8_t lname[LDNS_MAX_DOMAINLEN];
	size_t name_len;
	uint16_t qtype;
	/* A prepared single message, or NULL. */
	uint8_t *one;
	size_t one_len;
	bool one_sent;
	/* The RRs. */
	ldns_rr *soa;
	ldns_rr_list *list;	/* IXFR: every RR to send, or NULL */
	size_t list_i;
	enum phase phase;
	size_t cursor;		/* the walk's */
	ldns_rr_list *node_rrs;	/* the current name's RRs not yet sent */
	size_t node_i;
	ldns_rr *held;		/* did not fit in the last message */
	size_t nmsgs;
	/* An AXFR (or an IXFR sent whole) straight from the table's wire:
	 * the node being sent, its RRset, and the next RR's place in it. */
	const struct table_node *node;
	const struct table_rrset *set;
	size_t set_i;		/* the node's next RRset */
	size_t rr_k;		/* RRs of set already sent */
	size_t rr_off;		/* where the next one starts in set->wire */
	/* TSIG */
	const struct tsig_key *key;	/* NULL: unsigned */
	struct tsig_signer signer;
	uint64_t now;
};

/* Is the client in @a? */
static bool
allowed_addr(const struct xfr_allow *a, const struct sockaddr *client)
{
	return client != NULL && netaddr_acl_match(&a->net, 1, client);
}

/*
 * Prepare the one message: the query's header and question, @rcode, AA
 * when @aa, then @rrs (may be NULL) and the TSIG: @tsig_error unsigned,
 * or signed with x->key.  0 or -ENOMEM.
 */
static int
prepare_one(struct xfr *x, int rcode, bool aa, const uint8_t *qm,
	    size_t qmlen, const struct tsig_rr *trr, int tsig_error)
{
	size_t cap = x->qlen + MSG_MAX;
	size_t len = x->qlen;
	int n;

	if ((x->one = malloc(cap)) == NULL)
		return -ENOMEM;
	memcpy(x->one, x->q, x->qlen);
	x->one[2] = LDNS_QR_MASK | (x->q[2] & (LDNS_OPCODE_MASK |
					      LDNS_RD_MASK)) |
		    (aa ? LDNS_AA_MASK : 0);
	x->one[3] = (uint8_t)(rcode & LDNS_RCODE_MASK);
	ldns_write_uint16(x->one + LDNS_QDCOUNT_OFF, 1);
	ldns_write_uint16(x->one + LDNS_ANCOUNT_OFF, 0);
	ldns_write_uint16(x->one + LDNS_NSCOUNT_OFF, 0);
	ldns_write_uint16(x->one + LDNS_ARCOUNT_OFF, 0);
	if (x->soa != NULL && rcode == LDNS_RCODE_NOERROR) {
		ldns_buffer *b = ldns_buffer_new(MSG_MAX);

		if (b == NULL)
			return -ENOMEM;
		if (ldns_rr2buffer_wire(b, x->soa, LDNS_SECTION_ANSWER) !=
		    LDNS_STATUS_OK) {
			ldns_buffer_free(b);
			return -ENOMEM;
		}
		memcpy(x->one + len, ldns_buffer_begin(b),
		       ldns_buffer_position(b));
		len += ldns_buffer_position(b);
		ldns_buffer_free(b);
		ldns_write_uint16(x->one + LDNS_ANCOUNT_OFF, 1);
	}
	if (tsig_error != 0 && x->key == NULL) {
		len += tsig_write_error(x->one + len, qm, qmlen, trr,
					(uint16_t)tsig_error);
		ldns_write_uint16(x->one + LDNS_ARCOUNT_OFF, 1);
	} else if (x->key != NULL) {
		if ((n = tsig_sign(&x->signer, x->one, len, cap, x->now)) < 0)
			return n == -ENOSPC ? -ENOMEM : n;
		len = (size_t)n;
	}
	x->one_len = len;
	return 0;
}

/* The serial of the SOA in @q's authority section (IXFR), or -1. */
static int
ixfr_serial(const uint8_t *q, size_t qlen, size_t qend, const uint8_t *lname,
	    size_t name_len, uint32_t *serial)
{
	ldns_pkt *p = NULL;
	ldns_rr *soa = NULL;
	ldns_rdf *want = NULL;
	int rc = -1;

	if (LDNS_NSCOUNT(q) != 1 || ldns_wire2pkt(&p, q, qlen) !=
	    LDNS_STATUS_OK)
		goto out;
	soa = ldns_rr_list_rr(ldns_pkt_authority(p), 0);
	want = ldns_dname_new_frm_data((uint16_t)name_len, lname);
	if (soa == NULL || want == NULL ||
	    ldns_rr_get_type(soa) != LDNS_RR_TYPE_SOA ||
	    ldns_dname_compare(ldns_rr_owner(soa), want) != 0 ||
	    ldns_rr_rd_count(soa) < 3)
		goto out;
	*serial = ldns_rdf2native_int32(ldns_rr_rdf(soa, 2));
	rc = 0;
out:
	(void)qend;
	ldns_rdf_deep_free(want);
	ldns_pkt_free(p);
	return rc;
}

/* RFC 1982: is serial @a older than @b? */
static bool
serial_lt(uint32_t a, uint32_t b)
{
	return a != b && (uint32_t)(b - a) < 0x80000000u;
}

int
xfr_start(struct xfr **out, const struct xfr_policy *p, const struct table *t,
	  const struct sockaddr *client, const uint8_t *q, size_t qlen,
	  uint64_t now)
{
	struct xfr *x = NULL;
	struct wire_question wq;
	struct wire_edns edns;
	struct wire_tsig wt;
	struct tsig_rr trr;
	const struct tsig_key *key = NULL;
	const struct table_rrset *soa_set = NULL;
	ldns_rr_list *soa_list = NULL;
	bool addr_ok = false;
	bool key_ok = false;
	bool hidden = false;
	int rcode = LDNS_RCODE_NOERROR;
	int tsig_error = 0;
	uint32_t serial = 0;
	uint32_t cur = 0;
	size_t i;
	int rc = -ENOMEM;

	memset(&wq, 0, sizeof(wq));
	memset(&trr, 0, sizeof(trr));
	if (qlen < LDNS_HEADER_SIZE || wire_question_parse(q, qlen, &wq) < 0 ||
	    (wq.qtype != LDNS_RR_TYPE_AXFR && wq.qtype != LDNS_RR_TYPE_IXFR) ||
	    wire_opt_scan(q, qlen, wq.end, &edns, &wt) < 0 ||
	    (wt.present && tsig_parse(q, qlen, &wt, &trr) < 0))
		return -EINVAL;
	if ((x = calloc(1, sizeof(*x))) == NULL)
		return -ENOMEM;
	x->t = t;
	x->now = now;
	x->qtype = wq.qtype;
	x->qlen = wq.end;
	memcpy(x->q, q, wq.end);
	x->name_len = wq.name_len;
	for (i = 0; i < wq.name_len; i++) {
		uint8_t c = q[LDNS_HEADER_SIZE + i];

		x->lname[i] = c >= 'A' && c <= 'Z' ? c + 32 : c;
	}

	/* TSIG (RFC 8945 5.2). */
	if (wt.present) {
		key = tsig_keys_find(p->keys, q, qlen, &trr);
		if (key == NULL) {
			tsig_error = TSIG_BADKEY;
		} else {
			int v = tsig_verify(key, q, qlen, &wt, &trr, now);

			if (v == -ENOMEM)
				goto out;
			if (v == -TSIG_BADSIG)
				tsig_error = TSIG_BADSIG;
			else if (v == -TSIG_BADTIME)
				tsig_error = TSIG_BADTIME;
			if (v == 0 || v == -TSIG_BADTIME) {
				/* Signed answers, in BADTIME's case too. */
				x->key = key;
				tsig_signer_init(&x->signer, key,
						 q + trr.mac_off, trr.mac_len,
						 (uint16_t)tsig_error);
			}
			if (v != 0)
				key = NULL;
		}
	}
	if (tsig_error != 0) {
		rcode = LDNS_RCODE_NOTAUTH;
	} else if (t == NULL) {
		rcode = LDNS_RCODE_SERVFAIL;
	} else if ((x->z = table_walk_zone(t, x->lname, x->name_len)) ==
		   NULL) {
		rcode = LDNS_RCODE_NOTAUTH;
	} else {
		for (i = 0; i < p->nallow; i++) {
			if (!allowed_addr(&p->allow[i], client))
				continue;
			addr_ok = true;
			if (p->allow[i].key == NULL || p->allow[i].key == key)
				key_ok = true;
		}
		if (!addr_ok)
			rcode = LDNS_RCODE_REFUSED;
		else if (!key_ok)
			rcode = LDNS_RCODE_NOTAUTH;	/* RFC 8945 5.2 */
	}
	if (rcode == LDNS_RCODE_NOERROR) {
		x->apex = table_lookup_client(t, x->z, x->lname, x->name_len,
					      NULL, &hidden);
		soa_set = table_node_rrset(x->apex, LDNS_RR_TYPE_SOA);
		if (soa_set == NULL ||
		    (soa_list = ldns_rr_list_new()) == NULL)
			goto out_noerr;
		rc = table_walk_rrs(x->apex, 0, soa_list);
		for (i = 0; rc == 0 && i < ldns_rr_list_rr_count(soa_list);
		     i++)
			if (ldns_rr_get_type(ldns_rr_list_rr(soa_list, i)) ==
			    LDNS_RR_TYPE_SOA)
				x->soa = ldns_rr_clone(ldns_rr_list_rr(
					soa_list, i));
		ldns_rr_list_deep_free(soa_list);
		if (x->soa == NULL)
			goto out_noerr;
		cur = ldns_rdf2native_int32(ldns_rr_rdf(x->soa, 2));
	}
	if (rcode == LDNS_RCODE_NOERROR && x->qtype == LDNS_RR_TYPE_IXFR) {
		if (ixfr_serial(q, qlen, wq.end, x->lname, x->name_len,
				&serial) < 0) {
			rcode = LDNS_RCODE_FORMERR;
		} else if (!serial_lt(serial, cur)) {
			/* Up to date: the current SOA alone. */
			if ((rc = prepare_one(x, rcode, true, q, qlen, &trr,
					      0)) < 0)
				goto out;
			*out = x;
			return 0;
		} else if (p->journal != NULL) {
			rc = journal_ixfr(p->journal, x->lname, x->name_len,
					  serial, cur, &x->list);
			if (rc == -ENOMEM)
				goto out;
		}
	}
	if (rcode != LDNS_RCODE_NOERROR) {
		ldns_rr_free(x->soa);
		x->soa = NULL;
		if ((rc = prepare_one(x, rcode, false, q, qlen, &trr,
				      tsig_error)) < 0)
			goto out;
	}
	*out = x;
	return 0;
out_noerr:
	rc = -ENOMEM;
out:
	xfr_free(x);
	return rc;
}

/* The next RR to send (the caller owns it), or NULL at the end; 0 or <0. */
static int
next_rr(struct xfr *x, ldns_rr **rr)
{
	const struct table_node *node = NULL;
	int rc;

	*rr = NULL;
	if (x->held != NULL) {
		*rr = x->held;
		x->held = NULL;
		return 0;
	}
	if (x->list != NULL) {
		if (x->list_i < ldns_rr_list_rr_count(x->list))
			*rr = ldns_rr_clone(ldns_rr_list_rr(x->list,
							    x->list_i++));
		else
			return 0;
		return *rr != NULL ? 0 : -ENOMEM;
	}
	for (;;) {
		if (x->node_rrs != NULL &&
		    x->node_i < ldns_rr_list_rr_count(x->node_rrs)) {
			*rr = ldns_rr_clone(ldns_rr_list_rr(x->node_rrs,
							    x->node_i++));
			return *rr != NULL ? 0 : -ENOMEM;
		}
		ldns_rr_list_deep_free(x->node_rrs);
		x->node_rrs = NULL;
		x->node_i = 0;
		switch (x->phase) {
		case PHASE_SOA:
			x->phase = PHASE_APEX;
			*rr = ldns_rr_clone(x->soa);
			return *rr != NULL ? 0 : -ENOMEM;
		case PHASE_APEX:
			node = x->apex;
			x->phase = PHASE_NAMES;
			break;
		case PHASE_NAMES:
			do {
				node = table_walk_next(x->t, x->z, &x->cursor);
			} while (node != NULL && node == x->apex);
			if (node == NULL) {
				x->phase = PHASE_LAST_SOA;
				continue;
			}
			break;
		case PHASE_LAST_SOA:
			x->phase = PHASE_END;
			*rr = ldns_rr_clone(x->soa);
			return *rr != NULL ? 0 : -ENOMEM;
		case PHASE_END:
			return 0;
		}
		if ((x->node_rrs = ldns_rr_list_new()) == NULL)
			return -ENOMEM;
		if ((rc = table_walk_rrs(node, LDNS_RR_TYPE_SOA,
					 x->node_rrs)) < 0)
			return rc;
	}
}

/*
 * Whole-zone messages, written from the table's wire without ldns: the
 * RRs are copied, their owner written as the labels below the apex and
 * a pointer to the apex (written once per message), or a pointer to the
 * same owner's previous RR; the names in NS, CNAME, PTR, DNAME, MX and
 * SOA RDATA, which the table compresses against a message of its own
 * (table.h), are written out whole.
 */

/* Does @type's RDATA hold compressed names (table.h)? Their offset. */
static int
rdata_names(uint16_t type, size_t *skip, int *count)
{
	*skip = 0;
	*count = 1;
	switch (type) {
	case LDNS_RR_TYPE_NS:
	case LDNS_RR_TYPE_CNAME:
	case LDNS_RR_TYPE_PTR:
	case LDNS_RR_TYPE_DNAME:
		return 1;
	case LDNS_RR_TYPE_MX:
		*skip = 2;
		return 1;
	case LDNS_RR_TYPE_SOA:
		*count = 2;
		return 1;
	default:
		return 0;
	}
}

/*
 * The name at @off of the table's message @set (the node's name of
 * @qlen bytes at offset 12, the RRset at 12 + @qlen + 4), uncompressed,
 * to @out (room for 255); its length, the offset after it in *@next
 * (into set->wire).  -EINVAL when it does not parse (a bug).
 */
static int
expand_name(const struct table_rrset *set, size_t qlen, size_t off,
	    uint8_t *out, size_t *next)
{
	size_t base = LDNS_HEADER_SIZE + qlen + 4;
	size_t o = 0;
	int hops = 0;
	bool jumped = false;

	for (;;) {
		uint8_t c;

		if (off >= set->len)
			return -EINVAL;
		c = set->wire[off];
		if ((c & 0xc0) == 0xc0) {
			size_t to;

			if (off + 1 >= set->len || ++hops > 64)
				return -EINVAL;
			to = (size_t)((c & 0x3f) << 8 | set->wire[off + 1]);
			if (!jumped)
				*next = off + 2;
			jumped = true;
			if (to < base)
				return -EINVAL;	/* never the question */
			off = to - base;
			continue;
		}
		if (c > 63 || off + 1 + c > set->len || o + 1 + c > 255)
			return -EINVAL;
		memcpy(out + o, set->wire + off, (size_t)c + 1);
		o += (size_t)c + 1;
		off += (size_t)c + 1;
		if (c == 0)
			break;
	}
	if (!jumped)
		*next = off;
	return (int)o;
}

/*
 * Write the RR at set->wire + *@off (owner 0xC00C) of @node to @m at
 * *@pos (no further than @end) as an RR of a transfer; advance both.
 * *@apex_at is the apex's offset in @m (0: not yet), *@node_at the
 * node's name's (0: not yet).  1 written, 0 it does not fit, -EINVAL.
 */
static int
put_rr(const struct xfr *x, const struct table_node *node,
       const struct table_rrset *set, size_t *off, uint8_t *m, size_t *pos,
       size_t end, size_t *apex_at, size_t *node_at)
{
	uint8_t name[LDNS_MAX_DOMAINLEN + 1];
	const uint8_t *owner = NULL;
	size_t olen = 0, p = *pos, o = *off, skip, next, rdlen, rdpos;
	size_t name_at = 0;
	int count, k, nl;
	uint16_t type;

	owner = table_walk_name(node, &olen);
	if (o + 12 > set->len || set->wire[o] != 0xc0 ||
	    set->wire[o + 1] != LDNS_HEADER_SIZE)
		return -EINVAL;
	type = ldns_read_uint16(set->wire + o + 2);
	rdlen = ldns_read_uint16(set->wire + o + 10);
	if (o + 12 + rdlen > set->len)
		return -EINVAL;
	/* The owner. */
	if (*node_at != 0) {
		if (p + 2 > end)
			return 0;
		ldns_write_uint16(m + p, (uint16_t)(0xc000 | *node_at));
		p += 2;
	} else if (*apex_at != 0) {
		size_t below = olen - x->name_len;

		if (p + below + 2 > end)
			return 0;
		memcpy(m + p, owner, below);
		ldns_write_uint16(m + p + below,
				  (uint16_t)(0xc000 | *apex_at));
		name_at = p;
		p += below + 2;
	} else {
		if (p + olen > end)
			return 0;
		memcpy(m + p, owner, olen);
		name_at = p;
		p += olen;
	}
	/* Type, class, TTL; RDLENGTH once known. */
	if (p + 10 > end)
		return 0;
	memcpy(m + p, set->wire + o + 2, 8);
	p += 10;
	rdpos = p;
	o += 12;
	if (!rdata_names(type, &skip, &count)) {
		if (p + rdlen > end)
			return 0;
		memcpy(m + p, set->wire + o, rdlen);
		p += rdlen;
	} else {
		size_t r = o;

		if (skip > rdlen || p + skip > end)
			return skip > rdlen ? -EINVAL : 0;
		memcpy(m + p, set->wire + r, skip);
		p += skip;
		r += skip;
		for (k = 0; k < count; k++) {
			nl = expand_name(set, olen, r, name, &next);
			if (nl < 0 || next > o + rdlen)
				return -EINVAL;
			if (p + (size_t)nl > end)
				return 0;
			memcpy(m + p, name, (size_t)nl);
			p += (size_t)nl;
			r = next;
		}
		if (r > o + rdlen || p + (o + rdlen - r) > end)
			return r > o + rdlen ? -EINVAL : 0;
		memcpy(m + p, set->wire + r, o + rdlen - r);
		p += o + rdlen - r;
	}
	if (p - rdpos > UINT16_MAX)
		return -EINVAL;
	ldns_write_uint16(m + rdpos - 2, (uint16_t)(p - rdpos));
	/* Later RRs point at the names written here (pointers reach only
	 * the first 16 KiB). */
	if (name_at != 0 && name_at < 0x4000) {
		*node_at = name_at;
		if (*apex_at == 0 && name_at + olen - x->name_len < 0x4000)
			*apex_at = name_at + olen - x->name_len;
	}
	*off = o + rdlen;
	*pos = p;
	return 1;
}

/*
 * The RRset to send next (x->node, x->set, x->rr_off at its next RR),
 * moving through the phases; x->set NULL at the end.  *@new_node is set
 * when the node changed.
 */
static void
next_set(struct xfr *x, bool *new_node)
{
	const struct table_node *node = NULL;

	*new_node = false;
	if (x->set != NULL && x->rr_k < x->set->count)
		return;
	x->set = NULL;
	x->rr_k = 0;
	x->rr_off = 0;
	for (;;) {
		switch (x->phase) {
		case PHASE_SOA:
		case PHASE_LAST_SOA:
			x->phase++;
			x->node = x->apex;
			*new_node = true;
			x->set = table_node_rrset(x->apex, LDNS_RR_TYPE_SOA);
			x->set_i = 0;
			return;
		case PHASE_APEX:
		case PHASE_NAMES:
			x->set = x->node != NULL ?
				table_walk_rrset(x->node, x->set_i) : NULL;
			if (x->set != NULL) {
				x->set_i++;
				if (x->set->type == LDNS_RR_TYPE_SOA ||
				    x->set->count == 0)
					continue;
				return;
			}
			if (x->phase == PHASE_APEX) {
				/* The apex's RRsets are done: the names. */
				x->phase = PHASE_NAMES;
				x->node = NULL;
			}
			do {
				node = table_walk_next(x->t, x->z, &x->cursor);
			} while (node != NULL && node == x->apex);
			x->node = node;
			x->set_i = 0;
			*new_node = true;
			if (node == NULL)
				x->phase = PHASE_LAST_SOA;
			continue;
		case PHASE_END:
			x->set = NULL;
			return;
		}
	}
}

/* xfr_next() for a whole zone from the table (x->list NULL). */
static int
next_wire(struct xfr *x, uint8_t *buf, size_t limit, size_t *len)
{
	size_t end = limit - (x->key != NULL ? tsig_sign_len(x->key) : 0);
	size_t pos = LDNS_HEADER_SIZE;
	size_t apex_at = 0, node_at = 0;
	size_t n = 0;
	bool new_node = false;
	int r;

	if (end < x->qlen)
		return -ENOMEM;
	memset(buf, 0, LDNS_HEADER_SIZE);
	memcpy(buf, x->q, 2);
	buf[2] = LDNS_QR_MASK | LDNS_AA_MASK | (x->q[2] & LDNS_RD_MASK);
	if (x->nmsgs == 0) {
		/* The question as asked, its case kept. */
		memcpy(buf + pos, x->q + pos, x->qlen - pos);
		pos = x->qlen;
		ldns_write_uint16(buf + LDNS_QDCOUNT_OFF, 1);
	}
	for (;;) {
		next_set(x, &new_node);
		if (x->set == NULL)
			break;
		if (new_node)
			node_at = 0;
		r = put_rr(x, x->node, x->set, &x->rr_off, buf, &pos, end,
			   &apex_at, &node_at);
		if (r < 0)
			return r;
		if (r == 0) {
			if (n == 0)
				return -ENOMEM;	/* an RR above 64 KiB */
			break;
		}
		x->rr_k++;
		n++;
	}
	if (n == 0)
		return 0;	/* the end */
	ldns_write_uint16(buf + LDNS_ANCOUNT_OFF, (uint16_t)n);
	if (x->key != NULL) {
		int s = tsig_sign(&x->signer, buf, pos, limit, x->now);

		if (s < 0)
			return s == -ENOSPC ? -ENOMEM : s;
		pos = (size_t)s;
	}
	x->nmsgs++;
	*len = pos;
	return 0;
}

int
xfr_next(struct xfr *x, uint8_t *buf, size_t cap, size_t *len)
{
	ldns_pkt *pkt = NULL;
	ldns_rr *rr = NULL;
	ldns_rr *qrr = NULL;
	ldns_rdf *qname = NULL;
	uint8_t *wire = NULL;
	size_t wlen = 0;
	size_t limit = cap < MSG_MAX ? cap : MSG_MAX;
	size_t budget;
	size_t used = 0;
	size_t n = 0;
	int rc = -ENOMEM;

	*len = 0;
	if (x->one != NULL) {
		if (!x->one_sent && x->one_len <= cap) {
			memcpy(buf, x->one, x->one_len);
			*len = x->one_len;
		}
		x->one_sent = true;
		return 0;
	}
	if (x->list == NULL)
		return next_wire(x, buf, limit, len);
	/* Room for the header, the question and the TSIG. */
	budget = limit - x->qlen - (x->key != NULL ?
				    tsig_sign_len(x->key) : 0);
	if ((pkt = ldns_pkt_new()) == NULL)
		goto out;
	ldns_pkt_set_id(pkt, ldns_read_uint16(x->q));
	ldns_pkt_set_qr(pkt, true);
	ldns_pkt_set_aa(pkt, true);
	ldns_pkt_set_rd(pkt, LDNS_RD_WIRE(x->q));
	ldns_pkt_set_opcode(pkt, LDNS_PACKET_QUERY);
	if (x->nmsgs == 0) {
		/* The question as asked, its case kept. */
		if ((qrr = ldns_rr_new()) == NULL ||
		    (qname = ldns_dname_new_frm_data((uint16_t)x->name_len,
						     x->q + LDNS_HEADER_SIZE))
		    == NULL) {
			ldns_rr_free(qrr);
			goto out;
		}
		ldns_rr_set_owner(qrr, qname);
		ldns_rr_set_type(qrr, x->qtype);
		ldns_rr_set_class(qrr, LDNS_RR_CLASS_IN);
		ldns_rr_set_question(qrr, true);
		if (!ldns_pkt_push_rr(pkt, LDNS_SECTION_QUESTION, qrr)) {
			ldns_rr_free(qrr);
			goto out;
		}
	}
	for (;;) {
		size_t size;

		if ((rc = next_rr(x, &rr)) < 0)
			goto out;
		rc = -ENOMEM;
		if (rr == NULL)
			break;
		size = ldns_rr_uncompressed_size(rr);
		if (used + size > budget && n > 0) {
			x->held = rr;
			rr = NULL;
			break;
		}
		if (!ldns_pkt_push_rr(pkt, LDNS_SECTION_ANSWER, rr))
			goto out;
		rr = NULL;
		used += size;
		n++;
	}
	if (n == 0) {
		rc = 0;		/* the end */
		goto out;
	}
	if (ldns_pkt2wire(&wire, pkt, &wlen) != LDNS_STATUS_OK ||
	    wlen > limit)
		goto out;
	memcpy(buf, wire, wlen);
	if (x->key != NULL) {
		int s = tsig_sign(&x->signer, buf, wlen, limit, x->now);

		if (s < 0) {
			rc = s == -ENOSPC ? -ENOMEM : s;
			goto out;
		}
		wlen = (size_t)s;
	}
	x->nmsgs++;
	*len = wlen;
	rc = 0;
out:
	free(wire);
	ldns_rr_free(rr);
	ldns_pkt_free(pkt);
	return rc;
}

void
xfr_free(struct xfr *x)
{
	if (x == NULL)
		return;
	free(x->one);
	ldns_rr_free(x->soa);
	ldns_rr_free(x->held);
	ldns_rr_list_deep_free(x->list);
	ldns_rr_list_deep_free(x->node_rrs);
	free(x);
}
