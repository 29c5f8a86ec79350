/* SPDX-License-Identifier: MIT */
/* test_answer.c -- unit tests for answer: queries in, responses parsed by ldns. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <ldns/ldns.h>

#include "answer.h"
#include "table.h"

#define NO_EDNS		0
#define QID		0x4d2e

static const char *const ns_names[] = { "ns1.mesh", "ns2.mesh" };

static struct table *table;

struct query_opts {
	uint16_t edns_size;	/* 0: no OPT */
	uint8_t edns_version;
	bool dnssec_ok;
	uint16_t flags;		/* LDNS_RD, LDNS_CD ... */
	int opcode;
};

struct fixture {
	uint8_t *q;		/* the query, exactly qlen bytes (ASan) */
	size_t qlen;
	uint8_t resp[65535];
	size_t rlen;
	ldns_pkt *pkt;		/* the parsed response */
};

static void
add_addr(struct table_builder *b, const char *name, const char *ip)
{
	uint8_t addr[16];
	int family = strchr(ip, ':') ? AF_INET6 : AF_INET;

	assert_int_equal(inet_pton(family, ip, addr), 1);
	assert_int_equal(table_builder_add_addr(b, name, family, addr, 60), 0);
}

static int
group_setup(void **state)
{
	static const char *const apexes[] = { "mesh", "svc.mesh",
					      "mesh.local" };
	struct table_builder *b = table_builder_new();
	struct table_zone_params p;
	char err[128];
	char ip[32];
	size_t i;

	memset(&p, 0, sizeof(p));
	p.mname = "ns1.mesh";
	p.rname = "hostmaster.mesh";
	p.refresh = 3600;
	p.retry = 600;
	p.expire = 86400;
	p.minimum = 30;
	p.ttl = 120;
	p.ns = ns_names;
	p.nns = 2;
	for (i = 0; i < 3; i++) {
		p.apex = apexes[i];
		if (table_builder_add_zone(b, &p, err, sizeof(err)) != (int)i)
			return -1;
	}
	add_addr(b, "redis.mesh", "240.0.0.1");
	add_addr(b, "redis.mesh", "240.0.0.2");
	add_addr(b, "v6only.mesh", "fd00::1");
	add_addr(b, "a.b.mesh", "240.0.0.3");
	add_addr(b, "web.svc.mesh", "240.0.0.4");
	add_addr(b, "mesh", "240.0.0.5");
	for (i = 0; i < 40; i++) {
		snprintf(ip, sizeof(ip), "241.0.0.%zu", i + 1);
		add_addr(b, "big.mesh", ip);
	}
	for (i = 0; i < 20; i++) {
		snprintf(ip, sizeof(ip), "241.0.1.%zu", i + 1);
		add_addr(b, "mid.mesh", ip);
	}
	return table_builder_finish(b, &table);
}

static int
group_teardown(void **state)
{
	table_free(table);
	return 0;
}

static int
setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	if (f == NULL)
		return -1;
	*state = f;
	return 0;
}

static void
reset(struct fixture *f)
{
	free(f->q);
	f->q = NULL;
	f->qlen = 0;
	ldns_pkt_free(f->pkt);
	f->pkt = NULL;
	f->rlen = 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;

	reset(f);
	free(f);
	return 0;
}

/* Make the query in f->q with ldns. */
static void
make_query(struct fixture *f, const char *name, ldns_rr_type type,
	   ldns_rr_class class, const struct query_opts *o)
{
	static const struct query_opts plain = { .flags = LDNS_RD };
	ldns_pkt *pkt = NULL;
	ldns_rdf *qname = NULL;
	uint8_t *w = NULL;
	size_t len = 0;

	if (o == NULL)
		o = &plain;
	reset(f);
	assert_int_equal(ldns_str2rdf_dname(&qname, name), LDNS_STATUS_OK);
	pkt = ldns_pkt_query_new(qname, type, class, o->flags);
	assert_non_null(pkt);
	ldns_pkt_set_id(pkt, QID);
	ldns_pkt_set_opcode(pkt, o->opcode);
	if (o->edns_size > 0) {
		ldns_pkt_set_edns_udp_size(pkt, o->edns_size);
		ldns_pkt_set_edns_version(pkt, o->edns_version);
		ldns_pkt_set_edns_do(pkt, o->dnssec_ok);
	}
	assert_int_equal(ldns_pkt2wire(&w, pkt, &len), LDNS_STATUS_OK);
	assert_int_equal(ldns_pkt_edns(pkt), o->edns_size > 0);
	ldns_pkt_free(pkt);
	f->q = w;
	f->qlen = len;
}

/* Replace f->q with @len bytes of @bytes. */
static void
set_query(struct fixture *f, const uint8_t *bytes, size_t len)
{
	uint8_t *q = malloc(len ? len : 1);

	assert_non_null(q);
	if (len > 0)
		memcpy(q, bytes, len);
	reset(f);
	f->q = q;
	f->qlen = len;
}

/* Answer f->q and parse the response; returns the response length. */
static size_t
run(struct fixture *f, size_t cap, enum answer_transport tr)
{
	ldns_pkt_free(f->pkt);
	f->pkt = NULL;
	f->rlen = answer_query(table, f->q, f->qlen, f->resp, cap, tr);
	if (f->rlen > 0) {
		assert_true(f->rlen <= cap);
		assert_int_equal(ldns_wire2pkt(&f->pkt, f->resp, f->rlen),
				 LDNS_STATUS_OK);
		assert_int_equal(ldns_pkt_id(f->pkt), QID);
		assert_true(ldns_pkt_qr(f->pkt));
		assert_false(ldns_pkt_ra(f->pkt));
	}
	return f->rlen;
}

static size_t
run_udp(struct fixture *f)
{
	return run(f, 65535, ANSWER_UDP);
}

/* The @i-th RR of a section as ldns presentation text. */
static char *
rr_text(ldns_rr_list *list, size_t i)
{
	static char buf[1024];
	char *s = NULL;

	assert_true(i < ldns_rr_list_rr_count(list));
	s = ldns_rr2str(ldns_rr_list_rr(list, i));
	assert_non_null(s);
	snprintf(buf, sizeof(buf), "%s", s);
	free(s);
	return buf;
}

static void
assert_counts(const struct fixture *f, int qd, int an, int ns, int ar)
{
	assert_int_equal(f->resp[4] << 8 | f->resp[5], qd);
	assert_int_equal(f->resp[6] << 8 | f->resp[7], an);
	assert_int_equal(f->resp[8] << 8 | f->resp[9], ns);
	assert_int_equal(f->resp[10] << 8 | f->resp[11], ar);
}

static void
assert_question_echoed(const struct fixture *f)
{
	size_t qsize = 0;

	/* The query's question ends where the query's header says. */
	while (f->q[12 + qsize] != 0)
		qsize += f->q[12 + qsize] + 1;
	qsize += 1 + 4;
	assert_memory_equal(f->resp + 12, f->q + 12, qsize);
}

static void
test_a_answer(void **state)
{
	struct fixture *f = *state;

	make_query(f, "redis.mesh", LDNS_RR_TYPE_A, LDNS_RR_CLASS_IN, NULL);
	assert_true(run_udp(f) > 0);
	assert_int_equal(ldns_pkt_get_rcode(f->pkt), LDNS_RCODE_NOERROR);
	assert_true(ldns_pkt_aa(f->pkt));
	assert_false(ldns_pkt_tc(f->pkt));
	assert_true(ldns_pkt_rd(f->pkt));
	assert_int_equal(ldns_pkt_get_opcode(f->pkt), LDNS_PACKET_QUERY);
	assert_counts(f, 1, 2, 0, 0);
	assert_string_equal(rr_text(ldns_pkt_answer(f->pkt), 0),
			    "redis.mesh.\t60\tIN\tA\t240.0.0.1\n");
	assert_string_equal(rr_text(ldns_pkt_answer(f->pkt), 1),
			    "redis.mesh.\t60\tIN\tA\t240.0.0.2\n");
	assert_false(ldns_pkt_edns(f->pkt));
	/* Header, question (12 + 4), two A RRs of 16 bytes. */
	assert_int_equal(f->rlen, 12 + 16 + 32);
}

static void
test_case_preserved(void **state)
{
	struct fixture *f = *state;

	make_query(f, "rEdIs.MeSh", LDNS_RR_TYPE_A, LDNS_RR_CLASS_IN, NULL);
	assert_true(run_udp(f) > 0);
	assert_question_echoed(f);
	assert_memory_equal(f->resp + 12, "\x05rEdIs\x04MeSh", 11);
	assert_int_equal(ldns_pkt_get_rcode(f->pkt), LDNS_RCODE_NOERROR);
	assert_true(ldns_pkt_aa(f->pkt));
	assert_int_equal(ldns_pkt_ancount(f->pkt), 2);
	/* The owner points at the question: the client's case. */
	assert_string_equal(rr_text(ldns_pkt_answer(f->pkt), 0),
			    "rEdIs.MeSh.\t60\tIN\tA\t240.0.0.1\n");
}

struct negative_case {
	const char *name;
	ldns_rr_type type;
	int rcode;
	const char *soa_owner;
};

static void
test_negative(void **state)
{
	static const struct negative_case cases[] = {
		{ "nope.mesh", LDNS_RR_TYPE_A, LDNS_RCODE_NXDOMAIN, "mesh." },
		{ "NoPe.MESH", LDNS_RR_TYPE_A, LDNS_RCODE_NXDOMAIN, "MESH." },
		{ "x.redis.mesh", LDNS_RR_TYPE_A, LDNS_RCODE_NXDOMAIN,
		  "mesh." },
		{ "x.y.svc.mesh", LDNS_RR_TYPE_AAAA, LDNS_RCODE_NXDOMAIN,
		  "svc.mesh." },
		{ "nope.mesh.local", LDNS_RR_TYPE_A, LDNS_RCODE_NXDOMAIN,
		  "mesh.local." },
		/* NODATA: AAAA of an IPv4-only name, A of IPv6-only. */
		{ "redis.mesh", LDNS_RR_TYPE_AAAA, LDNS_RCODE_NOERROR,
		  "mesh." },
		{ "v6only.mesh", LDNS_RR_TYPE_A, LDNS_RCODE_NOERROR, "mesh." },
		{ "redis.mesh", LDNS_RR_TYPE_TXT, LDNS_RCODE_NOERROR,
		  "mesh." },
		{ "redis.mesh", LDNS_RR_TYPE_SOA, LDNS_RCODE_NOERROR,
		  "mesh." },
		/* Empty non-terminal: NODATA, never NXDOMAIN. */
		{ "b.mesh", LDNS_RR_TYPE_A, LDNS_RCODE_NOERROR, "mesh." },
		{ "B.Mesh", LDNS_RR_TYPE_ANY, LDNS_RCODE_NOERROR, "Mesh." },
		{ "mesh.local", LDNS_RR_TYPE_A, LDNS_RCODE_NOERROR,
		  "mesh.local." },
	};
	struct fixture *f = *state;
	char expect[256];
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct negative_case *c = &cases[i];

		make_query(f, c->name, c->type, LDNS_RR_CLASS_IN, NULL);
		assert_true(run_udp(f) > 0);
		assert_int_equal(ldns_pkt_get_rcode(f->pkt), c->rcode);
		assert_true(ldns_pkt_aa(f->pkt));
		assert_counts(f, 1, 0, 1, 0);
		assert_question_echoed(f);
		/* The negative TTL: min(SOA TTL 120, minimum 30). */
		snprintf(expect, sizeof(expect),
			 "%s\t30\tIN\tSOA\tns1.mesh. hostmaster.mesh. "
			 "1 3600 600 86400 30\n", c->soa_owner);
		assert_string_equal(rr_text(ldns_pkt_authority(f->pkt), 0),
				    expect);
	}
}

static void
test_apex(void **state)
{
	struct fixture *f = *state;

	make_query(f, "mesh", LDNS_RR_TYPE_SOA, LDNS_RR_CLASS_IN, NULL);
	assert_true(run_udp(f) > 0);
	assert_int_equal(ldns_pkt_get_rcode(f->pkt), LDNS_RCODE_NOERROR);
	assert_true(ldns_pkt_aa(f->pkt));
	assert_counts(f, 1, 1, 0, 0);
	assert_string_equal(rr_text(ldns_pkt_answer(f->pkt), 0),
			    "mesh.\t120\tIN\tSOA\tns1.mesh. hostmaster.mesh. "
			    "1 3600 600 86400 30\n");

	make_query(f, "Svc.Mesh.", LDNS_RR_TYPE_NS, LDNS_RR_CLASS_IN, NULL);
	assert_true(run_udp(f) > 0);
	assert_true(ldns_pkt_aa(f->pkt));
	assert_counts(f, 1, 2, 0, 0);
	assert_string_equal(rr_text(ldns_pkt_answer(f->pkt), 0),
			    "Svc.Mesh.\t120\tIN\tNS\tns1.mesh.\n");
	assert_string_equal(rr_text(ldns_pkt_answer(f->pkt), 1),
			    "Svc.Mesh.\t120\tIN\tNS\tns2.mesh.\n");

	/* An A record at the apex too. */
	make_query(f, "mesh", LDNS_RR_TYPE_A, LDNS_RR_CLASS_IN, NULL);
	assert_true(run_udp(f) > 0);
	assert_counts(f, 1, 1, 0, 0);
	assert_string_equal(rr_text(ldns_pkt_answer(f->pkt), 0),
			    "mesh.\t60\tIN\tA\t240.0.0.5\n");
}

static void
test_any(void **state)
{
	static const struct {
		const char *name;
		const char *first;
		int count;
	} cases[] = {
		{ "redis.mesh", "redis.mesh.\t60\tIN\tA\t240.0.0.1\n", 2 },
		{ "v6only.mesh", "v6only.mesh.\t60\tIN\tAAAA\tfd00::1\n", 1 },
		{ "mesh", "mesh.\t60\tIN\tA\t240.0.0.5\n", 1 },
		{ "svc.mesh", "svc.mesh.\t120\tIN\tSOA\tns1.mesh. "
		  "hostmaster.mesh. 1 3600 600 86400 30\n", 1 },
	};
	struct fixture *f = *state;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		make_query(f, cases[i].name, LDNS_RR_TYPE_ANY,
			   LDNS_RR_CLASS_IN, NULL);
		assert_true(run_udp(f) > 0);
		assert_int_equal(ldns_pkt_get_rcode(f->pkt),
				 LDNS_RCODE_NOERROR);
		/* One RRset, never everything. */
		assert_counts(f, 1, cases[i].count, 0, 0);
		assert_string_equal(rr_text(ldns_pkt_answer(f->pkt), 0),
				    cases[i].first);
	}
}

static void
test_refused(void **state)
{
	static const struct {
		const char *name;
		ldns_rr_class class;
	} cases[] = {
		{ "example.com", LDNS_RR_CLASS_IN },
		{ "local", LDNS_RR_CLASS_IN },
		{ "meshx", LDNS_RR_CLASS_IN },
		{ ".", LDNS_RR_CLASS_IN },
		{ "redis.mesh", LDNS_RR_CLASS_CH },
		{ "redis.mesh", LDNS_RR_CLASS_HS },
		{ "redis.mesh", LDNS_RR_CLASS_ANY },
		{ "version.bind", LDNS_RR_CLASS_CH },
	};
	struct fixture *f = *state;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		make_query(f, cases[i].name, LDNS_RR_TYPE_A, cases[i].class,
			   NULL);
		assert_true(run_udp(f) > 0);
		assert_int_equal(ldns_pkt_get_rcode(f->pkt),
				 LDNS_RCODE_REFUSED);
		assert_false(ldns_pkt_aa(f->pkt));
		assert_counts(f, 1, 0, 0, 0);
		assert_question_echoed(f);
	}
}

static void
test_flags(void **state)
{
	struct query_opts o = { .flags = LDNS_CD | LDNS_AD };
	struct fixture *f = *state;

	make_query(f, "redis.mesh", LDNS_RR_TYPE_A, LDNS_RR_CLASS_IN, &o);
	/* Set RA and Z in the query: neither may come back. */
	f->q[3] |= 0xc0;
	assert_true(run_udp(f) > 0);
	assert_false(ldns_pkt_rd(f->pkt));
	assert_true(ldns_pkt_cd(f->pkt));
	assert_false(ldns_pkt_ad(f->pkt));
	assert_int_equal(f->resp[3], 0x10);
	assert_int_equal(f->resp[2], 0x84);
}

static void
test_servfail_without_table(void **state)
{
	struct fixture *f = *state;
	size_t len;

	make_query(f, "redis.mesh", LDNS_RR_TYPE_A, LDNS_RR_CLASS_IN, NULL);
	len = answer_query(NULL, f->q, f->qlen, f->resp, 512, ANSWER_UDP);
	assert_int_equal(len, f->qlen);
	assert_int_equal(f->resp[3] & 0x0f, LDNS_RCODE_SERVFAIL);
	assert_int_equal(f->resp[2] & 0x04, 0);
	assert_question_echoed(f);
}

static void
test_dropped(void **state)
{
	struct fixture *f = *state;

	make_query(f, "redis.mesh", LDNS_RR_TYPE_A, LDNS_RR_CLASS_IN, NULL);
	f->q[2] |= 0x80;	/* QR: a response */
	assert_int_equal(run_udp(f), 0);
	set_query(f, (const uint8_t *)"\x4d\x2e\x01\x00\x00\x01\x00\x00\x00"
		  "\x00\x00", 11);
	assert_int_equal(run_udp(f), 0);
	set_query(f, NULL, 0);
	assert_int_equal(run_udp(f), 0);
}

static void
test_notimp(void **state)
{
	static const struct {
		int opcode;
		ldns_rr_type type;
	} cases[] = {
		{ LDNS_PACKET_STATUS, LDNS_RR_TYPE_A },
		{ LDNS_PACKET_NOTIFY, LDNS_RR_TYPE_SOA },
		{ LDNS_PACKET_UPDATE, LDNS_RR_TYPE_SOA },
		{ LDNS_PACKET_IQUERY, LDNS_RR_TYPE_A },
		{ LDNS_PACKET_QUERY, LDNS_RR_TYPE_AXFR },
		{ LDNS_PACKET_QUERY, LDNS_RR_TYPE_IXFR },
	};
	struct fixture *f = *state;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct query_opts o = { .opcode = cases[i].opcode };

		make_query(f, "mesh", cases[i].type, LDNS_RR_CLASS_IN, &o);
		assert_true(run_udp(f) > 0);
		assert_int_equal(ldns_pkt_get_rcode(f->pkt),
				 LDNS_RCODE_NOTIMPL);
		assert_int_equal(ldns_pkt_get_opcode(f->pkt), cases[i].opcode);
		assert_counts(f, 1, 0, 0, 0);
		assert_question_echoed(f);
	}
	/* NOTIFY with EDNS: the OPT comes back too. */
	{
		struct query_opts o = { .opcode = LDNS_PACKET_NOTIFY,
					.edns_size = 1232 };

		make_query(f, "mesh", LDNS_RR_TYPE_SOA, LDNS_RR_CLASS_IN, &o);
		assert_true(run_udp(f) > 0);
		assert_int_equal(ldns_pkt_get_rcode(f->pkt),
				 LDNS_RCODE_NOTIMPL);
		assert_true(ldns_pkt_edns(f->pkt));
	}
	/* An unparseable question: NOTIMP without it. */
	set_query(f, (const uint8_t *)"\x4d\x2e\x10\x00\x00\x01\x00\x00\x00"
		  "\x00\x00\x00\x04mesh", 17);
	assert_true(run_udp(f) > 0);
	assert_int_equal(ldns_pkt_get_rcode(f->pkt), LDNS_RCODE_NOTIMPL);
	assert_counts(f, 0, 0, 0, 0);
}

/*
 * A plain query for redis.mesh A, with id QID: header, question at 12
 * (17 bytes: 07 r e d i s 04 m e s h 00, type, class).
 */
static const uint8_t base[] = {
	0x4d, 0x2e, 0x01, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x05, 'r', 'e', 'd', 'i', 's', 0x04, 'm', 'e', 's', 'h', 0x00,
	0x00, 0x01, 0x00, 0x01,
};

#define OPT_RR	"\x00\x00\x29\x10\x00\x00\x00\x00\x00\x00\x00"

struct formerr_case {
	const char *what;
	const uint8_t *bytes;
	size_t len;
	int echo;	/* the question comes back */
};

static void
test_formerr(void **state)
{
	static uint8_t qd0[sizeof(base)];
	static uint8_t qd2[sizeof(base) * 2];
	static uint8_t ptr[sizeof(base) + 2];
	static uint8_t label64[12 + 1 + 64 + 1 + 4];
	static uint8_t ext_label[sizeof(base)];
	static uint8_t two_opts[sizeof(base) + 22];
	static uint8_t opt_owner[sizeof(base) + 13];
	static uint8_t ar_missing[sizeof(base)];
	static uint8_t an_cut[sizeof(base) + 5];
	static uint8_t opt_bad_option[sizeof(base) + 11 + 3];
	static const struct formerr_case cases[] = {
		{ "qdcount 0", qd0, sizeof(qd0), 0 },
		{ "qdcount 2", qd2, sizeof(qd2), 0 },
		{ "question cut in the name", base, 20, 0 },
		{ "question cut in the type", base, sizeof(base) - 3, 0 },
		{ "question cut before the type", base, sizeof(base) - 4, 0 },
		{ "pointer in question", ptr, sizeof(ptr), 0 },
		{ "label of 64", label64, sizeof(label64), 0 },
		{ "extended label type", ext_label, sizeof(ext_label), 0 },
		{ "two OPTs", two_opts, sizeof(two_opts), 1 },
		{ "OPT not at the root", opt_owner, sizeof(opt_owner), 1 },
		{ "ARCOUNT 1, nothing there", ar_missing, sizeof(ar_missing),
		  1 },
		{ "answer RR cut", an_cut, sizeof(an_cut), 1 },
		{ "OPT with a cut option", opt_bad_option,
		  sizeof(opt_bad_option), 1 },
	};
	struct fixture *f = *state;
	size_t i;

	memcpy(qd0, base, sizeof(base));
	qd0[5] = 0;
	memcpy(qd2, base, sizeof(base));
	memcpy(qd2 + sizeof(base), base + 12, sizeof(base) - 12);
	qd2[5] = 2;
	/* redis + pointer to "mesh" at offset 18... of itself: any pointer. */
	memcpy(ptr, base, 18);
	ptr[18] = 0xc0;
	ptr[19] = 0x0c;
	memcpy(ptr + 20, base + 24, 4);
	memcpy(label64, base, 12);
	label64[12] = 64;
	memset(label64 + 13, 'a', 64);
	label64[77] = 0;
	memcpy(label64 + 78, base + 24, 4);
	memcpy(ext_label, base, sizeof(base));
	ext_label[12] = 0x41;
	memcpy(two_opts, base, sizeof(base));
	memcpy(two_opts + sizeof(base), OPT_RR OPT_RR, 22);
	two_opts[11] = 2;
	memcpy(opt_owner, base, sizeof(base));
	memcpy(opt_owner + sizeof(base), "\x01" "a" OPT_RR, 13);
	opt_owner[11] = 1;
	memcpy(ar_missing, base, sizeof(base));
	ar_missing[11] = 1;
	memcpy(an_cut, base, sizeof(base));
	memcpy(an_cut + sizeof(base), "\xc0\x0c\x00\x01\x00", 5);
	an_cut[7] = 1;
	memcpy(opt_bad_option, base, sizeof(base));
	memcpy(opt_bad_option + sizeof(base), OPT_RR, 11);
	opt_bad_option[sizeof(base) + 10] = 3;	/* RDLEN 3 < 4 */
	opt_bad_option[11] = 1;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct formerr_case *c = &cases[i];

		print_message("%s\n", c->what);
		set_query(f, c->bytes, c->len);
		assert_true(run_udp(f) > 0);
		assert_int_equal(ldns_pkt_get_rcode(f->pkt),
				 LDNS_RCODE_FORMERR);
		assert_false(ldns_pkt_aa(f->pkt));
		assert_false(ldns_pkt_edns(f->pkt));
		assert_counts(f, c->echo, 0, 0, 0);
		if (c->echo)
			assert_question_echoed(f);
	}
}

/* A query for x{63}.x{63}.x{63}.x{@last}.mesh A: a name of 198 + @last. */
static size_t
long_query(uint8_t *q, size_t last)
{
	size_t off = 12;
	size_t i;

	memcpy(q, base, 12);
	for (i = 0; i < 4; i++) {
		size_t l = i < 3 ? 63 : last;

		q[off] = (uint8_t)l;
		memset(q + off + 1, 'x', l);
		off += l + 1;
	}
	memcpy(q + off, "\x04mesh\x00\x00\x01\x00\x01", 10);
	return off + 10;
}

static void
test_name_length_limits(void **state)
{
	uint8_t q[12 + 256 + 4];
	struct fixture *f = *state;

	/* 3 * 64 + 57 + 5 + 1 = 255 bytes: the longest name there is. */
	set_query(f, q, long_query(q, 56));
	assert_true(run_udp(f) > 0);
	assert_int_equal(ldns_pkt_get_rcode(f->pkt), LDNS_RCODE_NXDOMAIN);
	assert_question_echoed(f);
	assert_string_equal(rr_text(ldns_pkt_authority(f->pkt), 0),
			    "mesh.\t30\tIN\tSOA\tns1.mesh. hostmaster.mesh. "
			    "1 3600 600 86400 30\n");
	/* 256 bytes. */
	set_query(f, q, long_query(q, 57));
	assert_true(run_udp(f) > 0);
	assert_int_equal(ldns_pkt_get_rcode(f->pkt), LDNS_RCODE_FORMERR);
	assert_counts(f, 0, 0, 0, 0);
}

static void
test_rrs_before_opt_skipped(void **state)
{
	/* An answer RR with a compressed owner, then the OPT. */
	uint8_t q[sizeof(base) + 16 + 11];
	struct fixture *f = *state;

	memcpy(q, base, sizeof(base));
	memcpy(q + sizeof(base),
	       "\xc0\x0c\x00\x01\x00\x01\x00\x00\x00\x3c\x00\x04\x01\x02\x03"
	       "\x04" OPT_RR, 27);
	q[7] = 1;
	q[11] = 1;
	set_query(f, q, sizeof(q));
	assert_true(run_udp(f) > 0);
	assert_int_equal(ldns_pkt_get_rcode(f->pkt), LDNS_RCODE_NOERROR);
	assert_int_equal(ldns_pkt_ancount(f->pkt), 2);
	assert_true(ldns_pkt_edns(f->pkt));
	assert_int_equal(ldns_pkt_edns_udp_size(f->pkt), ANSWER_EDNS_SIZE);

	/* An OPT-typed RR in the answer section is not the query's OPT. */
	memcpy(q + sizeof(base), OPT_RR, 11);
	q[7] = 1;
	q[11] = 0;
	set_query(f, q, sizeof(base) + 11);
	assert_true(run_udp(f) > 0);
	assert_int_equal(ldns_pkt_get_rcode(f->pkt), LDNS_RCODE_NOERROR);
	assert_false(ldns_pkt_edns(f->pkt));
	assert_counts(f, 1, 2, 0, 0);
}

static void
test_edns(void **state)
{
	static const uint8_t expect_do[11] = {
		0, 0, 41, ANSWER_EDNS_SIZE >> 8, ANSWER_EDNS_SIZE & 0xff,
		0, 0, 0x80, 0, 0, 0,
	};
	struct query_opts o = { .edns_size = 4096, .dnssec_ok = true };
	struct fixture *f = *state;

	make_query(f, "redis.mesh", LDNS_RR_TYPE_A, LDNS_RR_CLASS_IN, &o);
	assert_true(run_udp(f) > 0);
	assert_int_equal(ldns_pkt_get_rcode(f->pkt), LDNS_RCODE_NOERROR);
	assert_counts(f, 1, 2, 0, 1);
	assert_true(ldns_pkt_edns(f->pkt));
	assert_int_equal(ldns_pkt_edns_udp_size(f->pkt), ANSWER_EDNS_SIZE);
	assert_true(ldns_pkt_edns_do(f->pkt));
	assert_int_equal(ldns_pkt_edns_version(f->pkt), 0);
	assert_memory_equal(f->resp + f->rlen - 11, expect_do, 11);

	o.dnssec_ok = false;
	make_query(f, "nope.mesh", LDNS_RR_TYPE_A, LDNS_RR_CLASS_IN, &o);
	assert_true(run_udp(f) > 0);
	assert_int_equal(ldns_pkt_get_rcode(f->pkt), LDNS_RCODE_NXDOMAIN);
	assert_counts(f, 1, 0, 1, 1);
	assert_false(ldns_pkt_edns_do(f->pkt));
	assert_int_equal(f->resp[f->rlen - 4], 0);

	make_query(f, "example.com", LDNS_RR_TYPE_A, LDNS_RR_CLASS_IN, &o);
	assert_true(run_udp(f) > 0);
	assert_int_equal(ldns_pkt_get_rcode(f->pkt), LDNS_RCODE_REFUSED);
	assert_true(ldns_pkt_edns(f->pkt));
}

static void
test_badvers(void **state)
{
	struct query_opts o = { .edns_size = 1232, .edns_version = 1 };
	struct fixture *f = *state;

	make_query(f, "redis.mesh", LDNS_RR_TYPE_A, LDNS_RR_CLASS_IN, &o);
	assert_true(run_udp(f) > 0);
	assert_counts(f, 1, 0, 0, 1);
	assert_question_echoed(f);
	/* BADVERS = 16: 0 in the header, 1 in the OPT's extended RCODE. */
	assert_int_equal(f->resp[3] & 0x0f, 0);
	assert_true(ldns_pkt_edns(f->pkt));
	assert_int_equal(ldns_pkt_edns_extended_rcode(f->pkt), 1);
	assert_int_equal(ldns_pkt_edns_version(f->pkt), 0);
	assert_int_equal(ldns_pkt_edns_udp_size(f->pkt), ANSWER_EDNS_SIZE);
}

static void
test_truncation(void **state)
{
	struct query_opts e4096 = { .edns_size = 4096 };
	struct query_opts e512 = { .edns_size = 512 };
	struct query_opts e100 = { .edns_size = 100 };
	struct fixture *f = *state;

	/* 40 A RRs: 12 + 14 + 640 bytes > 512. */
	make_query(f, "big.mesh", LDNS_RR_TYPE_A, LDNS_RR_CLASS_IN, NULL);
	assert_true(run_udp(f) > 0);
	assert_true(ldns_pkt_tc(f->pkt));
	assert_true(ldns_pkt_aa(f->pkt));
	assert_counts(f, 1, 0, 0, 0);
	assert_question_echoed(f);
	assert_int_equal(f->rlen, f->qlen);

	assert_int_equal(run(f, 65535, ANSWER_TCP), 12 + 14 + 40 * 16);
	assert_false(ldns_pkt_tc(f->pkt));
	assert_counts(f, 1, 40, 0, 0);
	assert_string_equal(rr_text(ldns_pkt_answer(f->pkt), 39),
			    "big.mesh.\t60\tIN\tA\t241.0.0.40\n");

	/* TCP is bounded by the buffer only. */
	assert_true(run(f, 600, ANSWER_TCP) > 0);
	assert_true(ldns_pkt_tc(f->pkt));

	make_query(f, "big.mesh", LDNS_RR_TYPE_A, LDNS_RR_CLASS_IN, &e4096);
	assert_int_equal(run_udp(f), 12 + 14 + 40 * 16 + 11);
	assert_false(ldns_pkt_tc(f->pkt));
	assert_counts(f, 1, 40, 0, 1);
	/* The client's 4096, but a 600-byte buffer. */
	assert_true(run(f, 600, ANSWER_UDP) > 0);
	assert_true(ldns_pkt_tc(f->pkt));
	assert_counts(f, 1, 0, 0, 1);
	assert_true(ldns_pkt_edns(f->pkt));

	make_query(f, "big.mesh", LDNS_RR_TYPE_A, LDNS_RR_CLASS_IN, &e512);
	assert_true(run_udp(f) > 0);
	assert_true(ldns_pkt_tc(f->pkt));
	assert_counts(f, 1, 0, 0, 1);

	/* 20 A RRs: 357 bytes; a client's 100 counts as 512. */
	make_query(f, "mid.mesh", LDNS_RR_TYPE_A, LDNS_RR_CLASS_IN, &e100);
	assert_int_equal(run_udp(f), 12 + 14 + 20 * 16 + 11);
	assert_false(ldns_pkt_tc(f->pkt));
	assert_counts(f, 1, 20, 0, 1);
}

/* A small deterministic generator (xorshift64*). */
static uint64_t
rnd(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 0x2545f4914f6cdd1dULL;
}

static void
test_fuzz(void **state)
{
	static const char *const names[] = {
		"redis.mesh", "BIG.mesh", "b.mesh", "nope.svc.mesh", "mesh",
		"example.com",
	};
	static const size_t caps[] = { 512, 1232, 4096, 65535 };
	struct fixture *f = *state;
	uint8_t *seeds[12] = { NULL };
	size_t seed_len[12];
	uint8_t buf[700];
	uint64_t s = 0x6d657368646e73ULL;
	size_t answered = 0;
	size_t i;

	for (i = 0; i < 12; i++) {
		struct query_opts o = { .edns_size = i >= 6 ? 1232 : 0,
					.dnssec_ok = i % 2 };

		make_query(f, names[i % 6], i % 3 ? LDNS_RR_TYPE_A :
			   LDNS_RR_TYPE_AAAA, LDNS_RR_CLASS_IN, &o);
		seeds[i] = f->q;
		seed_len[i] = f->qlen;
		f->q = NULL;
	}
	for (i = 0; i < 200000; i++) {
		uint64_t r = rnd(&s);
		size_t len;
		size_t cap = caps[(r >> 8) % 4];
		enum answer_transport tr = (r >> 12) & 1 ? ANSWER_TCP :
					   ANSWER_UDP;
		size_t k;
		size_t rlen;
		ldns_pkt *pkt = NULL;

		if (r % 4 == 0) {
			len = rnd(&s) % sizeof(buf);
			for (k = 0; k < len; k++)
				buf[k] = (uint8_t)rnd(&s);
		} else {
			size_t n = (r >> 16) % 12;
			size_t flips = 1 + (r >> 24) % 4;

			len = seed_len[n];
			memcpy(buf, seeds[n], len);
			for (k = 0; k < flips; k++)
				buf[rnd(&s) % len] = (uint8_t)rnd(&s);
			if ((r >> 32) % 4 == 0)
				len = rnd(&s) % (len + 1);
			else if ((r >> 32) % 4 == 1) {
				size_t extra = rnd(&s) % 40;

				for (k = 0; k < extra; k++)
					buf[len + k] = (uint8_t)rnd(&s);
				len += extra;
			}
		}
		set_query(f, buf, len);
		rlen = answer_query(table, f->q, f->qlen, f->resp, cap, tr);
		if (rlen == 0)
			continue;
		answered++;
		assert_true(rlen <= cap);
		assert_true(rlen >= 12);
		/* Without EDNS, UDP stays within 512 bytes. */
		if (tr == ANSWER_UDP && f->resp[11] == 0)
			assert_true(rlen <= 512);
		if (ldns_wire2pkt(&pkt, f->resp, rlen) != LDNS_STATUS_OK)
			fail_msg("iteration %zu: response does not parse", i);
		assert_memory_equal(f->resp, f->q, 2);
		assert_true(ldns_pkt_qr(pkt));
		ldns_pkt_free(pkt);
	}
	/* Most mutated queries still get an answer of some kind. */
	assert_true(answered > 100000);
	for (i = 0; i < 12; i++)
		free(seeds[i]);
}

int
main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_a_answer),
		T(test_case_preserved),
		T(test_negative),
		T(test_apex),
		T(test_any),
		T(test_refused),
		T(test_flags),
		T(test_servfail_without_table),
		T(test_dropped),
		T(test_notimp),
		T(test_formerr),
		T(test_name_length_limits),
		T(test_rrs_before_opt_skipped),
		T(test_edns),
		T(test_badvers),
		T(test_truncation),
		T(test_fuzz),
	};
#undef T

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
