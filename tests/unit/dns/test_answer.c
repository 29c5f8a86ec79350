/* SPDX-License-Identifier: MIT */
/* test_answer.c -- unit tests for answer: queries in, responses parsed by ldns. */
#include "autoconfig.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <ldns/ldns.h>

#include "dns/answer.h"
#include "dns/table.h"
#include "dns/table_build.h"
#include "dns/tsig.h"

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
	const struct table *t;	/* the group's table unless a test says */
	const struct sockaddr *client;
	int forwarding;
	const struct tsig_keys *keys;
	enum answer_outcome outcome;
};

static void
add_addr(struct table_builder *b, const char *name, const char *ip)
{
	uint8_t addr[16];
	int family = strchr(ip, ':') ? AF_INET6 : AF_INET;

	assert_int_equal(inet_pton(family, ip, addr), 1);
	assert_int_equal(table_builder_add_addr(b, name, family, addr, 60), 0);
}

static void
add_srv(struct table_builder *b, const char *name, uint16_t prio,
	uint16_t port, const char *target)
{
	assert_int_equal(table_builder_add_srv(b, name, prio, 0, port, target,
					       30), 0);
}

static void
add_owned(struct table_builder *b, const char *name, const char *ip,
	  uint32_t owner)
{
	uint8_t addr[16];

	assert_int_equal(inet_pton(AF_INET, ip, addr), 1);
	assert_int_equal(table_builder_add_addr_owned(b, name, AF_INET, addr,
						      60, owner), 0);
}

static int
add_view(struct table_builder *b, const char *ip)
{
	uint8_t addr[16];

	assert_int_equal(inet_pton(AF_INET, ip, addr), 1);
	return table_builder_add_view(b, AF_INET, addr);
}

/*
 * Zones mesh, svc.mesh, mesh.local and the reverse zones 241.in-addr.arpa
 * and d.f.ip6.arpa; the names of the older tests, SRVs, PTRs, owned names
 * (alpha: 1, beta: 2) with views for 127.0.0.2 (alpha) and 127.0.0.3
 * (beta), CHAOS and search suffixes.  @default_all: the default view.
 */
static struct table *
make_table(int default_all)
{
	static const char *const apexes[] = { "mesh", "svc.mesh",
					      "mesh.local", "241.in-addr.arpa",
					      "d.f.ip6.arpa" };
	struct table_builder *b = table_builder_new();
	struct table *t = NULL;
	struct table_zone_params p;
	char err[128];
	char ip[32];
	size_t i;
	int v;

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
	for (i = 0; i < sizeof(apexes) / sizeof(apexes[0]); i++) {
		p.apex = apexes[i];
		assert_int_equal(table_builder_add_zone(b, &p, err,
							sizeof(err)), (int)i);
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
	/* SRV: per port, and at the hostname one per port. */
	add_addr(b, "web.mesh", "240.0.0.10");
	add_addr(b, "web.mesh", "fd00::10");
	add_srv(b, "_http._tcp.web.mesh", 0, 80, "web.mesh");
	add_srv(b, "web.mesh", 0, 443, "web.mesh");
	add_srv(b, "web.mesh", 0, 80, "web.mesh");
	add_srv(b, "_multi._tcp.mesh", 0, 1, "a.b.mesh");
	add_srv(b, "_multi._tcp.mesh", 0, 2, "v6only.mesh");
	add_srv(b, "_multi._tcp.mesh", 0, 3, "ext.example.com");
	add_srv(b, "_multi._tcp.mesh", 0, 4, "web.svc.mesh");
	add_srv(b, "_multi._tcp.mesh", 0, 5, "b.mesh");
	/* 2 SRVs, then 20 A (320 bytes) and 40 A (640 bytes) additional. */
	add_srv(b, "_big._tcp.mesh", 0, 1, "mid.mesh");
	add_srv(b, "_big._tcp.mesh", 1, 1, "big.mesh");
	add_srv(b, "_huge._tcp.mesh", 0, 1, "big.mesh");
	/* PTR, v4 and nibbles. */
	assert_int_equal(table_builder_add_ptr(b, "1.0.0.241.in-addr.arpa",
					       "redis.mesh", 60), 0);
	assert_int_equal(table_builder_add_ptr(b,
		"1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0."
		"d.f.ip6.arpa", "v6only.mesh", 60), 0);
	/* Views. */
	add_owned(b, "alpha.mesh", "240.0.1.1", 1);
	add_owned(b, "beta.mesh", "240.0.1.2", 2);
	add_srv(b, "_http._tcp.alpha.mesh", 0, 80, "alpha.mesh");
	assert_int_equal(table_builder_set_owner(b, "_http._tcp.alpha.mesh",
						 1), 0);
	v = add_view(b, "127.0.0.2");
	assert_int_equal(table_builder_view_allow(b, v, 1), 0);
	v = add_view(b, "127.0.0.3");
	assert_int_equal(table_builder_view_allow(b, v, 2), 0);
	table_builder_set_default_view(b, default_all);
	/* CHAOS: id.server hidden. */
	assert_int_equal(table_builder_set_chaos(b, "meshdns 0.1.0", NULL,
						 "dns-1"), 0);
	assert_int_equal(table_builder_add_search_suffix(b,
							 "svc.cluster.local"),
			 0);
	assert_int_equal(table_builder_add_search_suffix(b,
						"*.svc.cluster.local"), 0);
	assert_int_equal(table_builder_finish(b, &t), 0);
	return t;
}

static int
group_setup(void **state)
{
	table = make_table(1);
	return table == NULL ? -1 : 0;
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
	f->t = table;
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
	struct answer_query_ctx ctx = {
		.t = f->t,
		.client = f->client,
		.tr = tr,
		.forwarding = f->forwarding,
		.keys = f->keys,
	};

	ldns_pkt_free(f->pkt);
	f->pkt = NULL;
	f->outcome = (enum answer_outcome)-1;
	f->rlen = answer_query(&ctx, f->q, f->qlen, f->resp, cap,
			       &f->outcome);
	if (f->rlen > 0) {
		assert_true(f->rlen <= cap);
		assert_int_equal(ldns_wire2pkt(&f->pkt, f->resp, f->rlen),
				 LDNS_STATUS_OK);
		assert_int_equal(ldns_pkt_id(f->pkt), QID);
		assert_true(ldns_pkt_qr(f->pkt));
		/* Other opcodes get no flag but QR (issue 10). */
		assert_int_equal(ldns_pkt_ra(f->pkt), f->forwarding &&
				 ldns_pkt_get_opcode(f->pkt) ==
				 LDNS_PACKET_QUERY);
		assert_int_not_equal(f->outcome, ANSWER_DROP);
		assert_int_not_equal(f->outcome, ANSWER_FORWARD);
	} else {
		assert_true(f->outcome == ANSWER_DROP ||
			    f->outcome == ANSWER_FORWARD);
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

/* The INFO-CODE of the response's EDE option (RFC 8914), or -1. */
static int
ede_code(const struct fixture *f)
{
	ldns_edns_option_list *list = NULL;
	int code = -1;
	size_t i;

	if (!ldns_pkt_edns(f->pkt))
		return -1;
	list = ldns_pkt_edns_get_option_list(f->pkt);
	if (list == NULL)
		return -1;
	for (i = 0; i < ldns_edns_option_list_get_count(list); i++) {
		ldns_edns_option *o = ldns_edns_option_list_get_option(list,
								       i);

		if (ldns_edns_get_code(o) == LDNS_EDNS_EDE) {
			assert_int_equal(ldns_edns_get_size(o), 2);
			code = ldns_read_uint16(ldns_edns_get_data(o));
		}
	}
	return code;
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
	assert_int_equal(f->outcome, ANSWER_AUTH);
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
		assert_int_equal(f->outcome, ANSWER_REFUSED);
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
	/* Issue 10: CD is cleared, as Knot and NSD (RFC 4035 3.1.6). */
	assert_false(ldns_pkt_cd(f->pkt));
	assert_false(ldns_pkt_ad(f->pkt));
	assert_int_equal(f->resp[3], 0x00);
	assert_int_equal(f->resp[2], 0x84);
	/* RD stays; CD cleared in negative and refused answers too. */
	o.flags = LDNS_RD | LDNS_CD;
	make_query(f, "nope.mesh", LDNS_RR_TYPE_A, LDNS_RR_CLASS_IN, &o);
	assert_true(run_udp(f) > 0);
	assert_int_equal(f->resp[2], 0x85);
	assert_int_equal(f->resp[3], LDNS_RCODE_NXDOMAIN);
	make_query(f, "example.com", LDNS_RR_TYPE_A, LDNS_RR_CLASS_IN, &o);
	assert_true(run_udp(f) > 0);
	assert_int_equal(f->resp[2], 0x81);
	assert_int_equal(f->resp[3], LDNS_RCODE_REFUSED);
}

static void
test_servfail_without_table(void **state)
{
	struct fixture *f = *state;

	f->t = NULL;
	make_query(f, "redis.mesh", LDNS_RR_TYPE_A, LDNS_RR_CLASS_IN, NULL);
	assert_int_equal(run(f, 512, ANSWER_UDP), f->qlen);
	assert_int_equal(f->resp[3] & 0x0f, LDNS_RCODE_SERVFAIL);
	assert_int_equal(f->resp[2] & 0x04, 0);
	assert_int_equal(f->outcome, ANSWER_ERROR);
	assert_question_echoed(f);
	/* Even for a name that would be forwarded. */
	f->forwarding = 1;
	make_query(f, "example.com", LDNS_RR_TYPE_A, LDNS_RR_CLASS_IN, NULL);
	assert_int_equal(run(f, 512, ANSWER_UDP), f->qlen);
	assert_int_equal(f->resp[3] & 0x0f, LDNS_RCODE_SERVFAIL);
	/* And CHAOS: the strings are in the table. */
	make_query(f, "version.bind", LDNS_RR_TYPE_TXT, LDNS_RR_CLASS_CH,
		   NULL);
	assert_int_equal(run(f, 512, ANSWER_UDP), f->qlen);
	assert_int_equal(f->resp[3] & 0x0f, LDNS_RCODE_SERVFAIL);
	assert_int_equal(f->outcome, ANSWER_ERROR);
	/* Class HS is refused first. */
	make_query(f, "version.bind", LDNS_RR_TYPE_TXT, LDNS_RR_CLASS_HS,
		   NULL);
	assert_int_equal(run(f, 512, ANSWER_UDP), f->qlen);
	assert_int_equal(f->resp[3] & 0x0f, LDNS_RCODE_REFUSED);
	/* With EDNS: EDE 14 (Not Ready, RFC 8914). */
	{
		struct query_opts o = { .edns_size = 1232 };

		make_query(f, "redis.mesh", LDNS_RR_TYPE_A, LDNS_RR_CLASS_IN,
			   &o);
		assert_int_equal(run(f, 512, ANSWER_UDP), f->qlen + 6);
		assert_int_equal(f->resp[3] & 0x0f, LDNS_RCODE_SERVFAIL);
		assert_int_equal(ede_code(f), 14);
	}
}

static void
test_dropped(void **state)
{
	struct fixture *f = *state;

	make_query(f, "redis.mesh", LDNS_RR_TYPE_A, LDNS_RR_CLASS_IN, NULL);
	f->q[2] |= 0x80;	/* QR: a response */
	assert_int_equal(run_udp(f), 0);
	assert_int_equal(f->outcome, ANSWER_DROP);
	f->forwarding = 1;
	assert_int_equal(run_udp(f), 0);
	assert_int_equal(f->outcome, ANSWER_DROP);
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
		{ LDNS_PACKET_QUERY, LDNS_RR_TYPE_AXFR },	/* over UDP */
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
	/*
	 * Issue 10 (genreport's opcodeflg): RD, CD and AD are QUERY's; for
	 * another opcode only ID, opcode, QR and RCODE, RA clear too.
	 */
	{
		struct query_opts o = { .opcode = LDNS_PACKET_NOTIFY,
					.flags = LDNS_RD | LDNS_CD | LDNS_AD |
						 LDNS_AA };

		f->forwarding = 1;
		make_query(f, "mesh", LDNS_RR_TYPE_SOA, LDNS_RR_CLASS_IN, &o);
		f->q[3] |= 0x40;	/* Z */
		assert_true(run_udp(f) > 0);
		assert_int_equal(f->resp[2], 0x80 | LDNS_PACKET_NOTIFY << 3);
		assert_int_equal(f->resp[3], LDNS_RCODE_NOTIMPL);
		o.opcode = 15;
		make_query(f, "mesh", LDNS_RR_TYPE_A, LDNS_RR_CLASS_IN, &o);
		assert_true(run_udp(f) > 0);
		assert_int_equal(f->resp[2], 0x80 | 15 << 3);
		assert_int_equal(f->resp[3], LDNS_RCODE_NOTIMPL);
		f->forwarding = 0;
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

/*
 * Issue 14: AXFR and IXFR over TCP go to dns/xfr.h (nothing written);
 * over UDP an IXFR of a zone gets its SOA alone (as Knot), of another
 * name NOTAUTH; AXFR over UDP stays NOTIMP (test_notimp).
 */
static void
test_xfr(void **state)
{
	struct fixture *f = *state;
	enum answer_outcome oc = ANSWER_DROP;
	struct answer_query_ctx ctx;

	memset(&ctx, 0, sizeof(ctx));
	ctx.t = f->t;
	ctx.tr = ANSWER_TCP;
	make_query(f, "mesh", LDNS_RR_TYPE_AXFR, LDNS_RR_CLASS_IN, NULL);
	assert_int_equal(answer_query(&ctx, f->q, f->qlen, f->resp, 65535,
				      &oc), 0);
	assert_int_equal(oc, ANSWER_XFR);
	make_query(f, "mesh", LDNS_RR_TYPE_IXFR, LDNS_RR_CLASS_IN, NULL);
	assert_int_equal(answer_query(&ctx, f->q, f->qlen, f->resp, 65535,
				      &oc), 0);
	assert_int_equal(oc, ANSWER_XFR);

	make_query(f, "mesh", LDNS_RR_TYPE_IXFR, LDNS_RR_CLASS_IN, NULL);
	assert_true(run_udp(f) > 0);
	assert_int_equal(ldns_pkt_get_rcode(f->pkt), LDNS_RCODE_NOERROR);
	assert_true(ldns_pkt_aa(f->pkt));
	assert_counts(f, 1, 1, 0, 0);
	assert_int_equal(ldns_rr_get_type(ldns_rr_list_rr(
		ldns_pkt_answer(f->pkt), 0)), LDNS_RR_TYPE_SOA);
	make_query(f, "redis.mesh", LDNS_RR_TYPE_IXFR, LDNS_RR_CLASS_IN, NULL);
	assert_true(run_udp(f) > 0);
	assert_int_equal(ldns_pkt_get_rcode(f->pkt), LDNS_RCODE_NOTAUTH);
	assert_counts(f, 1, 0, 0, 0);
}

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
		assert_int_equal(f->outcome, ANSWER_ERROR);
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

	/*
	 * Issue 10: an OPT in the answer or authority section is FORMERR
	 * (RFC 6891 6.1.1), as Knot, NSD and BIND answer.
	 */
	memcpy(q + sizeof(base), OPT_RR, 11);
	q[7] = 1;
	q[11] = 0;
	set_query(f, q, sizeof(base) + 11);
	assert_true(run_udp(f) > 0);
	assert_int_equal(ldns_pkt_get_rcode(f->pkt), LDNS_RCODE_FORMERR);
	assert_false(ldns_pkt_edns(f->pkt));
	assert_counts(f, 1, 0, 0, 0);
	assert_question_echoed(f);
	q[7] = 0;
	q[9] = 1;
	set_query(f, q, sizeof(base) + 11);
	assert_true(run_udp(f) > 0);
	assert_int_equal(ldns_pkt_get_rcode(f->pkt), LDNS_RCODE_FORMERR);
	assert_counts(f, 1, 0, 0, 0);
}

static void
test_formerr_keeps_opt(void **state)
{
	/* QDCOUNT 0, an OPT (size 4096, DO): FORMERR, our OPT, DO copied. */
	static const uint8_t qd0[] = {
		0x4d, 0x2e, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
		0x00, 0x01,
		0x00, 0x00, 0x29, 0x10, 0x00, 0x00, 0x00, 0x80, 0x00, 0x00, 0x00,
	};
	static const uint8_t expect[] = {
		0x4d, 0x2e, 0x81, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
		0x00, 0x01,
		0x00, 0x00, 0x29, 0x04, 0xd0, 0x00, 0x00, 0x80, 0x00, 0x00, 0x00,
	};
	/* QDCOUNT 2 (the second compressed), then the OPT. */
	uint8_t qd2[sizeof(base) + 6 + 11];
	struct fixture *f = *state;

	set_query(f, qd0, sizeof(qd0));
	assert_int_equal(run_udp(f), sizeof(expect));
	assert_memory_equal(f->resp, expect, sizeof(expect));
	assert_int_equal(f->outcome, ANSWER_ERROR);

	memcpy(qd2, base, sizeof(base));
	memcpy(qd2 + sizeof(base), "\xc0\x0c\x00\x1c\x00\x01" OPT_RR, 17);
	qd2[5] = 2;
	qd2[11] = 1;
	set_query(f, qd2, sizeof(qd2));
	assert_true(run_udp(f) > 0);
	assert_int_equal(ldns_pkt_get_rcode(f->pkt), LDNS_RCODE_FORMERR);
	assert_counts(f, 0, 0, 0, 1);
	assert_true(ldns_pkt_edns(f->pkt));
	assert_int_equal(ldns_pkt_edns_udp_size(f->pkt), ANSWER_EDNS_SIZE);
	assert_int_equal(ede_code(f), -1);

	/* A question with a pointer (not ours to parse): the OPT stays. */
	memcpy(qd2, base, 18);
	memcpy(qd2 + 18, "\xc0\x0c\x00\x01\x00\x01" OPT_RR, 17);
	qd2[11] = 1;
	set_query(f, qd2, 18 + 17);
	assert_true(run_udp(f) > 0);
	assert_int_equal(ldns_pkt_get_rcode(f->pkt), LDNS_RCODE_FORMERR);
	assert_counts(f, 0, 0, 0, 1);
	assert_true(ldns_pkt_edns(f->pkt));
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
test_ede(void **state)
{
	/* OPT, RDLENGTH 6: option 15, length 2, INFO-CODE 20. */
	static const uint8_t opt_ede20[] = {
		0x00, 0x00, 0x29, 0x04, 0xd0, 0x00, 0x00, 0x00, 0x00, 0x00,
		0x06, 0x00, 0x0f, 0x00, 0x02, 0x00, 0x14,
	};
	struct query_opts o = { .edns_size = 1232, .flags = LDNS_RD };
	struct fixture *f = *state;

	/* A name outside the zones, no forwarding: Not Authoritative. */
	make_query(f, "example.com", LDNS_RR_TYPE_A, LDNS_RR_CLASS_IN, &o);
	assert_int_equal(run_udp(f), f->qlen + 6);
	assert_int_equal(ldns_pkt_get_rcode(f->pkt), LDNS_RCODE_REFUSED);
	assert_counts(f, 1, 0, 0, 1);
	assert_memory_equal(f->resp + f->rlen - sizeof(opt_ede20), opt_ede20,
			    sizeof(opt_ede20));
	assert_int_equal(ede_code(f), 20);
	/* Without EDNS: no OPT, so no EDE. */
	make_query(f, "example.com", LDNS_RR_TYPE_A, LDNS_RR_CLASS_IN, NULL);
	assert_int_equal(run_udp(f), f->qlen);
	assert_counts(f, 1, 0, 0, 0);
	/* Other answers carry none. */
	make_query(f, "redis.mesh", LDNS_RR_TYPE_A, LDNS_RR_CLASS_IN, &o);
	assert_true(run_udp(f) > 0);
	assert_int_equal(ede_code(f), -1);
	make_query(f, "nope.mesh", LDNS_RR_TYPE_A, LDNS_RR_CLASS_IN, &o);
	assert_true(run_udp(f) > 0);
	assert_int_equal(ede_code(f), -1);
	make_query(f, "redis.mesh", LDNS_RR_TYPE_A, LDNS_RR_CLASS_ANY, &o);
	assert_true(run_udp(f) > 0);
	assert_int_equal(ldns_pkt_get_rcode(f->pkt), LDNS_RCODE_REFUSED);
	assert_int_equal(ede_code(f), -1);
}

/*
 * The base query (redis.mesh A, ID QID) signed with a key: @owner (the
 * key name, wire), an optional OPT before it, hmac-sha256, time signed
 * 0x000065000001, fudge 300, a 32-byte MAC, original ID 0x1111.  Returns
 * the length; ARCOUNT set.
 */
#define ALG_SHA256	"\x0bhmac-sha256\x00"
static size_t
tsig_query(uint8_t *q, const char *owner, size_t owner_len, int with_opt)
{
	size_t off = sizeof(base);

	memcpy(q, base, sizeof(base));
	if (with_opt) {
		memcpy(q + off, OPT_RR, 11);
		off += 11;
	}
	memcpy(q + off, owner, owner_len);
	off += owner_len;
	/* TSIG ANY, TTL 0, RDLENGTH 13 + 10 + 32 + 6 = 61. */
	memcpy(q + off, "\x00\xfa\x00\xff\x00\x00\x00\x00\x00\x3d", 10);
	off += 10;
	memcpy(q + off, ALG_SHA256 "\x00\x00\x65\x00\x00\x01\x01\x2c"
	       "\x00\x20", 23);
	off += 23;
	memset(q + off, 0xaa, 32);
	off += 32;
	memcpy(q + off, "\x11\x11\x00\x00\x00\x00", 6);
	off += 6;
	q[11] = with_opt ? 2 : 1;
	return off;
}

static void
test_tsig_badkey(void **state)
{
	/* Key tsigkey., our unsigned TSIG (RFC 8945 5.2.1): BADKEY. */
	static const uint8_t expect_tsig[] = {
		0x07, 't', 's', 'i', 'g', 'k', 'e', 'y', 0x00,
		0x00, 0xfa, 0x00, 0xff, 0x00, 0x00, 0x00, 0x00, 0x00, 0x1d,
		0x0b, 'h', 'm', 'a', 'c', '-', 's', 'h', 'a', '2', '5', '6', 0x00,
		0x00, 0x00, 0x65, 0x00, 0x00, 0x01,	/* time signed */
		0x01, 0x2c,				/* fudge */
		0x00, 0x00,				/* MAC size */
		0x11, 0x11,				/* original ID */
		0x00, 0x11,				/* BADKEY */
		0x00, 0x00,				/* other len */
	};
	static const uint8_t key_name[] = "\x07TSIGkey\x00";
	static const struct tsig_key key = {
		.name = key_name, .name_len = 9,
		.alg = (const uint8_t *)ALG_SHA256, .alg_len = 13,
	};
	static const struct tsig_keys keys = { &key, 1 };
	uint8_t q[sizeof(base) + 11 + 9 + 10 + 61 + 2];
	struct fixture *f = *state;
	ldns_rr *tsig = NULL;
	size_t len;

	len = tsig_query(q, "\x07tsigkey\x00", 9, 0);
	set_query(f, q, len);
	assert_int_equal(run_udp(f), sizeof(base) + sizeof(expect_tsig));
	assert_int_equal(f->resp[2], 0x81);
	assert_int_equal(f->resp[3], LDNS_RCODE_NOTAUTH);
	assert_counts(f, 1, 0, 0, 1);
	assert_question_echoed(f);
	assert_memory_equal(f->resp + sizeof(base), expect_tsig,
			    sizeof(expect_tsig));
	assert_int_equal(f->outcome, ANSWER_ERROR);
	/* ldns sees the TSIG (and takes it out of the additional section). */
	tsig = ldns_pkt_tsig(f->pkt);
	assert_non_null(tsig);
	assert_int_equal(ldns_rr_get_type(tsig), LDNS_RR_TYPE_TSIG);
	assert_int_equal(ldns_rdf2native_int16(ldns_rr_rdf(tsig, 4)), 0x1111);
	assert_int_equal(ldns_rdf2native_int16(ldns_rr_rdf(tsig, 5)),
			 TSIG_BADKEY);

	/* With an OPT: OPT, then the TSIG last. */
	len = tsig_query(q, "\x07tsigkey\x00", 9, 1);
	set_query(f, q, len);
	assert_int_equal(run_udp(f), sizeof(base) + 11 + sizeof(expect_tsig));
	assert_counts(f, 1, 0, 0, 2);
	assert_true(ldns_pkt_edns(f->pkt));
	assert_memory_equal(f->resp + sizeof(base) + 11, expect_tsig,
			    sizeof(expect_tsig));

	/* A key name compressed (a pointer to "mesh"): written in full. */
	len = tsig_query(q, "\x03key\xc0\x12", 6, 0);
	set_query(f, q, len);
	assert_true(run_udp(f) > 0);
	assert_int_equal(f->resp[3], LDNS_RCODE_NOTAUTH);
	assert_memory_equal(f->resp + sizeof(base), "\x03key\x04mesh\x00\x00\xfa",
			    12);

	/* A name outside the zones, forwarding on: not forwarded. */
	f->forwarding = 1;
	len = tsig_query(q, "\x07tsigkey\x00", 9, 0);
	set_query(f, q, len);
	assert_true(run_udp(f) > 0);
	assert_int_equal(f->resp[3] & 0x0f, LDNS_RCODE_NOTAUTH);
	f->forwarding = 0;

	/* A known key (any case): BADSIG until MACs are checked. */
	f->keys = &keys;
	set_query(f, q, len);
	assert_true(run_udp(f) > 0);
	assert_int_equal(f->resp[3], LDNS_RCODE_NOTAUTH);
	assert_int_equal(f->resp[f->rlen - 3], TSIG_BADSIG);
	f->keys = NULL;
}

/* A name of 255 bytes at @p: three labels of 63, one of 61, the root. */
static size_t
name255(uint8_t *p)
{
	size_t off = 0;
	size_t i;

	for (i = 0; i < 4; i++) {
		p[off] = i < 3 ? 63 : 61;
		memset(p + off + 1, 'k', p[off]);
		off += 1 + p[off];
	}
	p[off] = 0;
	return off + 1;
}

static void
test_tsig_too_long(void **state)
{
	/* Key and algorithm names of 255 bytes: our TSIG is 536 bytes. */
	uint8_t q[sizeof(base) + 255 + 10 + 255 + 16];
	struct fixture *f = *state;
	size_t off = sizeof(base);

	memcpy(q, base, sizeof(base));
	q[11] = 1;
	off += name255(q + off);
	memcpy(q + off, "\x00\xfa\x00\xff\x00\x00\x00\x00\x01\x0f", 10);
	off += 10;
	off += name255(q + off);
	memcpy(q + off, "\x00\x00\x65\x00\x00\x01\x01\x2c\x00\x00"
	       "\x4d\x2e\x00\x00\x00\x00", 16);
	off += 16;
	assert_int_equal(off, sizeof(q));
	set_query(f, q, sizeof(q));
	/* Over UDP without EDNS (512): no room, so TC and no TSIG. */
	assert_int_equal(run_udp(f), sizeof(base));
	assert_int_equal(f->resp[2], 0x83);
	assert_int_equal(f->resp[3], LDNS_RCODE_NOTAUTH);
	assert_counts(f, 1, 0, 0, 0);
	/* Over TCP it fits. */
	assert_int_equal(run(f, 65535, ANSWER_TCP), sizeof(q));
	assert_int_equal(f->resp[2], 0x81);
	assert_counts(f, 1, 0, 0, 1);
	assert_non_null(ldns_pkt_tsig(f->pkt));
	assert_int_equal(f->resp[sizeof(q) - 3], TSIG_BADKEY);
}

static void
test_tsig_formerr(void **state)
{
	uint8_t q[sizeof(base) + 11 + 9 + 10 + 61 + 2];
	uint8_t q2[sizeof(q)];
	struct fixture *f = *state;
	size_t len;

	/* The TSIG before the OPT: not last, FORMERR (RFC 8945 5.2). */
	len = tsig_query(q, "\x07tsigkey\x00", 9, 0);
	memcpy(q + len, OPT_RR, 11);
	q[11] = 2;
	set_query(f, q, len + 11);
	assert_true(run_udp(f) > 0);
	assert_int_equal(ldns_pkt_get_rcode(f->pkt), LDNS_RCODE_FORMERR);
	assert_counts(f, 1, 0, 0, 0);
	/* In the answer section. */
	len = tsig_query(q, "\x07tsigkey\x00", 9, 0);
	q[7] = 1;
	q[11] = 0;
	set_query(f, q, len);
	assert_true(run_udp(f) > 0);
	assert_int_equal(ldns_pkt_get_rcode(f->pkt), LDNS_RCODE_FORMERR);
	/* Other Len longer than the RDATA left. */
	len = tsig_query(q, "\x07tsigkey\x00", 9, 0);
	q[len - 1] = 1;
	set_query(f, q, len);
	assert_true(run_udp(f) > 0);
	assert_int_equal(ldns_pkt_get_rcode(f->pkt), LDNS_RCODE_FORMERR);
	/* A MAC size past the RDATA. */
	len = tsig_query(q, "\x07tsigkey\x00", 9, 0);
	memcpy(q2, q, len);
	q2[sizeof(base) + 9 + 10 + 13 + 8] = 0x40;
	set_query(f, q2, len);
	assert_true(run_udp(f) > 0);
	assert_int_equal(ldns_pkt_get_rcode(f->pkt), LDNS_RCODE_FORMERR);
	/* A key name pointing forward. */
	len = tsig_query(q, "\xc0\x30", 2, 0);
	set_query(f, q, len);
	assert_true(run_udp(f) > 0);
	assert_int_equal(ldns_pkt_get_rcode(f->pkt), LDNS_RCODE_FORMERR);
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

/* The two bytes at @off of the response: an RR's owner pointer. */
static uint16_t
owner_at(const struct fixture *f, size_t off)
{
	return (uint16_t)(f->resp[off] << 8 | f->resp[off + 1]);
}

static void
test_srv_answer(void **state)
{
	struct query_opts e1232 = { .edns_size = 1232 };
	struct fixture *f = *state;

	make_query(f, "_http._tcp.web.mesh", LDNS_RR_TYPE_SRV,
		   LDNS_RR_CLASS_IN, NULL);
	/* 12 + 21 + 4, SRV 12 + 6 + 10, A 16, AAAA 28. */
	assert_int_equal(run_udp(f), 37 + 28 + 16 + 28);
	assert_int_equal(ldns_pkt_get_rcode(f->pkt), LDNS_RCODE_NOERROR);
	assert_true(ldns_pkt_aa(f->pkt));
	assert_false(ldns_pkt_tc(f->pkt));
	assert_int_equal(f->outcome, ANSWER_AUTH);
	assert_counts(f, 1, 1, 0, 2);
	assert_string_equal(rr_text(ldns_pkt_answer(f->pkt), 0),
			    "_http._tcp.web.mesh.\t30\tIN\tSRV\t0 0 80 "
			    "web.mesh.\n");
	assert_string_equal(rr_text(ldns_pkt_additional(f->pkt), 0),
			    "web.mesh.\t60\tIN\tA\t240.0.0.10\n");
	assert_string_equal(rr_text(ldns_pkt_additional(f->pkt), 1),
			    "web.mesh.\t60\tIN\tAAAA\tfd00::10\n");
	/*
	 * The answer's owner is the question; the additional owners point
	 * at the SRV target (answer at 37, target 18 bytes in).
	 */
	assert_int_equal(owner_at(f, 37), 0xc00c);
	assert_int_equal(owner_at(f, 37 + 28), 0xc000 | (37 + 18));
	assert_int_equal(owner_at(f, 37 + 28 + 16),
			 0xc000 | (37 + 18));

	/* Another question length and case: the pointers follow. */
	make_query(f, "_HTTP._Tcp.WEB.mesh.", LDNS_RR_TYPE_SRV,
		   LDNS_RR_CLASS_IN, &e1232);
	assert_int_equal(run_udp(f), 37 + 28 + 16 + 28 + 11);
	assert_counts(f, 1, 1, 0, 3);
	assert_true(ldns_pkt_edns(f->pkt));
	assert_string_equal(rr_text(ldns_pkt_answer(f->pkt), 0),
			    "_HTTP._Tcp.WEB.mesh.\t30\tIN\tSRV\t0 0 80 "
			    "web.mesh.\n");
	assert_string_equal(rr_text(ldns_pkt_additional(f->pkt), 1),
			    "web.mesh.\t60\tIN\tAAAA\tfd00::10\n");

	/* At the hostname: one SRV per port, the target's addresses once. */
	make_query(f, "web.mesh", LDNS_RR_TYPE_SRV, LDNS_RR_CLASS_IN, NULL);
	assert_true(run_udp(f) > 0);
	assert_counts(f, 1, 2, 0, 2);
	assert_string_equal(rr_text(ldns_pkt_answer(f->pkt), 0),
			    "web.mesh.\t30\tIN\tSRV\t0 0 80 web.mesh.\n");
	assert_string_equal(rr_text(ldns_pkt_answer(f->pkt), 1),
			    "web.mesh.\t30\tIN\tSRV\t0 0 443 web.mesh.\n");
	assert_string_equal(rr_text(ldns_pkt_additional(f->pkt), 0),
			    "web.mesh.\t60\tIN\tA\t240.0.0.10\n");
	/* A and ANY there: the A RRset, no additional. */
	make_query(f, "web.mesh", LDNS_RR_TYPE_A, LDNS_RR_CLASS_IN, NULL);
	assert_true(run_udp(f) > 0);
	assert_counts(f, 1, 1, 0, 0);
	make_query(f, "web.mesh", LDNS_RR_TYPE_ANY, LDNS_RR_CLASS_IN, NULL);
	assert_true(run_udp(f) > 0);
	assert_counts(f, 1, 1, 0, 0);
	/* ANY where SRV is all there is: the SRV, with its additional. */
	make_query(f, "_http._tcp.web.mesh", LDNS_RR_TYPE_ANY,
		   LDNS_RR_CLASS_IN, NULL);
	assert_true(run_udp(f) > 0);
	assert_counts(f, 1, 1, 0, 2);
	/* NODATA at the ENT _tcp.web.mesh and for TXT. */
	make_query(f, "_tcp.web.mesh", LDNS_RR_TYPE_SRV, LDNS_RR_CLASS_IN,
		   NULL);
	assert_true(run_udp(f) > 0);
	assert_int_equal(ldns_pkt_get_rcode(f->pkt), LDNS_RCODE_NOERROR);
	assert_counts(f, 1, 0, 1, 0);
}

static void
test_srv_several_targets(void **state)
{
	struct fixture *f = *state;
	ldns_rr_list *ad = NULL;

	make_query(f, "_multi._tcp.mesh", LDNS_RR_TYPE_SRV, LDNS_RR_CLASS_IN,
		   NULL);
	assert_true(run_udp(f) > 0);
	assert_counts(f, 1, 5, 0, 3);
	assert_string_equal(rr_text(ldns_pkt_answer(f->pkt), 2),
			    "_multi._tcp.mesh.\t30\tIN\tSRV\t0 0 3 "
			    "ext.example.com.\n");
	/*
	 * In answer order; ext.example.com is not ours and b.mesh has no
	 * address (an empty non-terminal); web.svc.mesh is in another zone.
	 */
	ad = ldns_pkt_additional(f->pkt);
	assert_string_equal(rr_text(ad, 0), "a.b.mesh.\t60\tIN\tA\t"
			    "240.0.0.3\n");
	assert_string_equal(rr_text(ad, 1), "v6only.mesh.\t60\tIN\tAAAA\t"
			    "fd00::1\n");
	assert_string_equal(rr_text(ad, 2), "web.svc.mesh.\t60\tIN\tA\t"
			    "240.0.0.4\n");
}

static void
test_srv_additional_dropped(void **state)
{
	struct query_opts e1232 = { .edns_size = 1232 };
	struct query_opts e1000 = { .edns_size = 1000 };
	struct fixture *f = *state;
	/* 12 + 16 + 4, two SRVs of 12 + 6 + 10. */
	size_t answer = 32 + 2 * 28;

	/* mid.mesh's 20 A fit in 512, big.mesh's 40 do not: left out. */
	make_query(f, "_big._tcp.mesh", LDNS_RR_TYPE_SRV, LDNS_RR_CLASS_IN,
		   NULL);
	assert_int_equal(run_udp(f), answer + 20 * 16);
	assert_false(ldns_pkt_tc(f->pkt));
	assert_int_equal(ldns_pkt_get_rcode(f->pkt), LDNS_RCODE_NOERROR);
	assert_counts(f, 1, 2, 0, 20);
	assert_string_equal(rr_text(ldns_pkt_additional(f->pkt), 19),
			    "mid.mesh.\t60\tIN\tA\t241.0.1.20\n");
	/* TCP: everything. */
	assert_int_equal(run(f, 65535, ANSWER_TCP), answer + 60 * 16);
	assert_counts(f, 1, 2, 0, 60);
	assert_string_equal(rr_text(ldns_pkt_additional(f->pkt), 59),
			    "big.mesh.\t60\tIN\tA\t241.0.0.40\n");
	/* EDNS 1232: everything and the OPT; EDNS 1000: not big.mesh. */
	make_query(f, "_big._tcp.mesh", LDNS_RR_TYPE_SRV, LDNS_RR_CLASS_IN,
		   &e1232);
	assert_int_equal(run_udp(f), answer + 60 * 16 + 11);
	assert_counts(f, 1, 2, 0, 61);
	make_query(f, "_big._tcp.mesh", LDNS_RR_TYPE_SRV, LDNS_RR_CLASS_IN,
		   &e1000);
	assert_int_equal(run_udp(f), answer + 20 * 16 + 11);
	assert_counts(f, 1, 2, 0, 21);
	assert_true(ldns_pkt_edns(f->pkt));
	assert_false(ldns_pkt_tc(f->pkt));

	/* Nothing fits: the answer alone, no TC. */
	make_query(f, "_huge._tcp.mesh", LDNS_RR_TYPE_SRV, LDNS_RR_CLASS_IN,
		   NULL);
	assert_int_equal(run_udp(f), 12 + 17 + 4 + 28);
	assert_false(ldns_pkt_tc(f->pkt));
	assert_counts(f, 1, 1, 0, 0);
	assert_string_equal(rr_text(ldns_pkt_answer(f->pkt), 0),
			    "_huge._tcp.mesh.\t30\tIN\tSRV\t0 0 1 big.mesh.\n");
	assert_int_equal(run(f, 65535, ANSWER_TCP), 12 + 17 + 4 + 28 + 640);
	assert_counts(f, 1, 1, 0, 40);
}

static void
test_ptr_answer(void **state)
{
	static const char *const v6 =
		"1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0."
		"D.F.ip6.arpa";
	struct fixture *f = *state;
	char expect[256];

	make_query(f, "1.0.0.241.in-addr.arpa", LDNS_RR_TYPE_PTR,
		   LDNS_RR_CLASS_IN, NULL);
	assert_true(run_udp(f) > 0);
	assert_int_equal(ldns_pkt_get_rcode(f->pkt), LDNS_RCODE_NOERROR);
	assert_true(ldns_pkt_aa(f->pkt));
	assert_counts(f, 1, 1, 0, 0);
	assert_string_equal(rr_text(ldns_pkt_answer(f->pkt), 0),
			    "1.0.0.241.in-addr.arpa.\t60\tIN\tPTR\t"
			    "redis.mesh.\n");

	make_query(f, v6, LDNS_RR_TYPE_PTR, LDNS_RR_CLASS_IN, NULL);
	assert_true(run_udp(f) > 0);
	assert_counts(f, 1, 1, 0, 0);
	snprintf(expect, sizeof(expect), "%s.\t60\tIN\tPTR\tv6only.mesh.\n",
		 v6);
	assert_string_equal(rr_text(ldns_pkt_answer(f->pkt), 0), expect);

	/* An address without a PTR: NXDOMAIN with the reverse zone's SOA. */
	make_query(f, "2.0.0.241.in-addr.arpa", LDNS_RR_TYPE_PTR,
		   LDNS_RR_CLASS_IN, NULL);
	assert_true(run_udp(f) > 0);
	assert_int_equal(ldns_pkt_get_rcode(f->pkt), LDNS_RCODE_NXDOMAIN);
	assert_true(ldns_pkt_aa(f->pkt));
	assert_int_equal(f->outcome, ANSWER_AUTH);
	assert_counts(f, 1, 0, 1, 0);
	assert_string_equal(rr_text(ldns_pkt_authority(f->pkt), 0),
			    "241.in-addr.arpa.\t30\tIN\tSOA\tns1.mesh. "
			    "hostmaster.mesh. 1 3600 600 86400 30\n");
	/* The ENT 0.0.241.in-addr.arpa, and A at a PTR name: NODATA. */
	make_query(f, "0.0.241.in-addr.arpa", LDNS_RR_TYPE_PTR,
		   LDNS_RR_CLASS_IN, NULL);
	assert_true(run_udp(f) > 0);
	assert_int_equal(ldns_pkt_get_rcode(f->pkt), LDNS_RCODE_NOERROR);
	assert_counts(f, 1, 0, 1, 0);
	make_query(f, "1.0.0.241.in-addr.arpa", LDNS_RR_TYPE_A,
		   LDNS_RR_CLASS_IN, NULL);
	assert_true(run_udp(f) > 0);
	assert_int_equal(ldns_pkt_get_rcode(f->pkt), LDNS_RCODE_NOERROR);
	assert_counts(f, 1, 0, 1, 0);
	/* Outside the reverse zones: not ours. */
	make_query(f, "1.0.0.10.in-addr.arpa", LDNS_RR_TYPE_PTR,
		   LDNS_RR_CLASS_IN, NULL);
	assert_true(run_udp(f) > 0);
	assert_int_equal(ldns_pkt_get_rcode(f->pkt), LDNS_RCODE_REFUSED);
}

struct chaos_case {
	const char *name;
	ldns_rr_type type;
	ldns_rr_class class;
	const char *txt;	/* NULL: REFUSED */
};

static void
test_chaos_answer(void **state)
{
	static const struct chaos_case cases[] = {
		{ "version.bind", LDNS_RR_TYPE_TXT, LDNS_RR_CLASS_CH,
		  "meshdns 0.1.0" },
		{ "VERSION.Bind", LDNS_RR_TYPE_TXT, LDNS_RR_CLASS_CH,
		  "meshdns 0.1.0" },
		{ "version.server", LDNS_RR_TYPE_TXT, LDNS_RR_CLASS_CH,
		  "meshdns 0.1.0" },
		{ "version.bind", LDNS_RR_TYPE_ANY, LDNS_RR_CLASS_CH,
		  "meshdns 0.1.0" },
		{ "hostname.bind", LDNS_RR_TYPE_TXT, LDNS_RR_CLASS_CH,
		  "dns-1" },
		/* Hidden. */
		{ "id.server", LDNS_RR_TYPE_TXT, LDNS_RR_CLASS_CH, NULL },
		/* Other names and types. */
		{ "authors.bind", LDNS_RR_TYPE_TXT, LDNS_RR_CLASS_CH, NULL },
		{ "x.version.bind", LDNS_RR_TYPE_TXT, LDNS_RR_CLASS_CH, NULL },
		{ "version.bind", LDNS_RR_TYPE_A, LDNS_RR_CLASS_CH, NULL },
		{ "version.bind", LDNS_RR_TYPE_AXFR, LDNS_RR_CLASS_CH, NULL },
		{ "redis.mesh", LDNS_RR_TYPE_TXT, LDNS_RR_CLASS_CH, NULL },
		/* Other classes. */
		{ "version.bind", LDNS_RR_TYPE_TXT, LDNS_RR_CLASS_ANY, NULL },
		{ "version.bind", LDNS_RR_TYPE_TXT, LDNS_RR_CLASS_HS, NULL },
		{ "version.bind", LDNS_RR_TYPE_TXT, LDNS_RR_CLASS_NONE, NULL },
	};
	struct fixture *f = *state;
	char expect[256];
	size_t i;
	int fwd;

	for (fwd = 0; fwd < 2; fwd++) {
		f->forwarding = fwd;
		for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
			const struct chaos_case *c = &cases[i];

			print_message("%s %d\n", c->name, (int)c->type);
			make_query(f, c->name, c->type, c->class, NULL);
			assert_true(run_udp(f) > 0);
			assert_question_echoed(f);
			if (c->txt == NULL) {
				assert_int_equal(ldns_pkt_get_rcode(f->pkt),
						 LDNS_RCODE_REFUSED);
				assert_int_equal(f->outcome, ANSWER_REFUSED);
				assert_false(ldns_pkt_aa(f->pkt));
				assert_counts(f, 1, 0, 0, 0);
				continue;
			}
			assert_int_equal(ldns_pkt_get_rcode(f->pkt),
					 LDNS_RCODE_NOERROR);
			assert_int_equal(f->outcome, ANSWER_CHAOS);
			assert_true(ldns_pkt_aa(f->pkt));
			assert_counts(f, 1, 1, 0, 0);
			snprintf(expect, sizeof(expect),
				 "%s.\t0\tCH\tTXT\t\"%s\"\n", c->name, c->txt);
			assert_string_equal(rr_text(ldns_pkt_answer(f->pkt),
						    0), expect);
		}
	}
	/* With EDNS: the OPT follows. */
	{
		struct query_opts o = { .edns_size = 1232 };

		f->forwarding = 0;
		make_query(f, "version.bind", LDNS_RR_TYPE_TXT,
			   LDNS_RR_CLASS_CH, &o);
		assert_true(run_udp(f) > 0);
		assert_counts(f, 1, 1, 0, 1);
		assert_true(ldns_pkt_edns(f->pkt));
	}
}

static void
test_search_nxdomain(void **state)
{
	static const struct {
		const char *name;
		ldns_rr_type type;
		bool storm;
	} cases[] = {
		{ "redis.mesh.svc.cluster.local", LDNS_RR_TYPE_A, true },
		{ "Redis.Mesh.SVC.cluster.local", LDNS_RR_TYPE_AAAA, true },
		{ "nope.mesh.svc.cluster.local", LDNS_RR_TYPE_A, true },
		{ "web.svc.mesh.svc.cluster.local", LDNS_RR_TYPE_SRV, true },
		{ "redis.mesh.default.svc.cluster.local", LDNS_RR_TYPE_A,
		  true },
		{ "redis.mesh.local.kuma.svc.cluster.local", LDNS_RR_TYPE_A,
		  true },
		{ "redis.default.svc.cluster.local", LDNS_RR_TYPE_A, false },
		{ "svc.cluster.local", LDNS_RR_TYPE_A, false },
		{ "redis.mesh.cluster.local", LDNS_RR_TYPE_A, false },
		{ "redis.mesh.a.b.svc.cluster.local", LDNS_RR_TYPE_A, false },
	};
	struct fixture *f = *state;
	size_t i;
	int fwd;

	for (fwd = 0; fwd < 2; fwd++) {
		f->forwarding = fwd;
		for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
			print_message("%s\n", cases[i].name);
			make_query(f, cases[i].name, cases[i].type,
				   LDNS_RR_CLASS_IN, NULL);
			if (!cases[i].storm && fwd) {
				assert_int_equal(run_udp(f), 0);
				assert_int_equal(f->outcome, ANSWER_FORWARD);
				continue;
			}
			assert_true(run_udp(f) > 0);
			assert_question_echoed(f);
			assert_false(ldns_pkt_aa(f->pkt));
			assert_counts(f, 1, 0, 0, 0);
			if (!cases[i].storm) {
				assert_int_equal(ldns_pkt_get_rcode(f->pkt),
						 LDNS_RCODE_REFUSED);
				assert_int_equal(f->outcome, ANSWER_REFUSED);
				continue;
			}
			/* Not our zone: no AA, no SOA. */
			assert_int_equal(ldns_pkt_get_rcode(f->pkt),
					 LDNS_RCODE_NXDOMAIN);
			assert_int_equal(f->outcome, ANSWER_SEARCH_NXDOMAIN);
		}
	}
}

struct view_case {
	const char *client;	/* NULL: no address */
	const char *name;
	ldns_rr_type type;
	int rcode;
	int an;
	int ar;
	enum answer_outcome outcome;
};

static void
run_view_cases(struct fixture *f, const struct view_case *cases, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		const struct view_case *c = &cases[i];
		struct sockaddr_in a4;
		struct sockaddr_in6 a6;

		print_message("%s from %s\n", c->name,
			      c->client ? c->client : "(none)");
		memset(&a4, 0, sizeof(a4));
		memset(&a6, 0, sizeof(a6));
		if (c->client == NULL) {
			f->client = NULL;
		} else if (strchr(c->client, ':') != NULL) {
			a6.sin6_family = AF_INET6;
			assert_int_equal(inet_pton(AF_INET6, c->client,
						   &a6.sin6_addr), 1);
			f->client = (struct sockaddr *)&a6;
		} else {
			a4.sin_family = AF_INET;
			assert_int_equal(inet_pton(AF_INET, c->client,
						   &a4.sin_addr), 1);
			f->client = (struct sockaddr *)&a4;
		}
		make_query(f, c->name, c->type, LDNS_RR_CLASS_IN, NULL);
		assert_true(run_udp(f) > 0);
		assert_int_equal(ldns_pkt_get_rcode(f->pkt), c->rcode);
		assert_true(ldns_pkt_aa(f->pkt));
		assert_int_equal(f->outcome, c->outcome);
		assert_counts(f, 1, c->an, c->an ? 0 : 1, c->ar);
		if (c->an == 0)
			assert_string_equal(rr_text(ldns_pkt_authority(f->pkt),
						    0),
					    "mesh.\t30\tIN\tSOA\tns1.mesh. "
					    "hostmaster.mesh. 1 3600 600 "
					    "86400 30\n");
	}
	f->client = NULL;
}

#define NX	LDNS_RCODE_NXDOMAIN
#define OK	LDNS_RCODE_NOERROR

static void
test_views_answer(void **state)
{
	static const struct view_case cases[] = {
		{ "127.0.0.2", "alpha.mesh", LDNS_RR_TYPE_A, OK, 1, 0,
		  ANSWER_AUTH },
		{ "127.0.0.2", "_http._tcp.alpha.mesh", LDNS_RR_TYPE_SRV, OK,
		  1, 1, ANSWER_AUTH },
		{ "127.0.0.2", "beta.mesh", LDNS_RR_TYPE_A, NX, 0, 0,
		  ANSWER_HIDDEN },
		{ "127.0.0.2", "beta.mesh", LDNS_RR_TYPE_AAAA, NX, 0, 0,
		  ANSWER_HIDDEN },
		{ "127.0.0.2", "redis.mesh", LDNS_RR_TYPE_A, OK, 2, 0,
		  ANSWER_AUTH },
		{ "127.0.0.3", "alpha.mesh", LDNS_RR_TYPE_A, NX, 0, 0,
		  ANSWER_HIDDEN },
		{ "127.0.0.3", "_http._tcp.alpha.mesh", LDNS_RR_TYPE_SRV, NX,
		  0, 0, ANSWER_HIDDEN },
		{ "127.0.0.3", "_tcp.alpha.mesh", LDNS_RR_TYPE_SRV, NX, 0, 0,
		  ANSWER_HIDDEN },
		{ "127.0.0.3", "beta.mesh", LDNS_RR_TYPE_A, OK, 1, 0,
		  ANSWER_AUTH },
		{ "::ffff:127.0.0.3", "beta.mesh", LDNS_RR_TYPE_A, OK, 1, 0,
		  ANSWER_AUTH },
		{ "::ffff:127.0.0.3", "alpha.mesh", LDNS_RR_TYPE_A, NX, 0, 0,
		  ANSWER_HIDDEN },
		/* No view: the default, everything. */
		{ "127.0.0.9", "alpha.mesh", LDNS_RR_TYPE_A, OK, 1, 0,
		  ANSWER_AUTH },
		{ "127.0.0.9", "beta.mesh", LDNS_RR_TYPE_A, OK, 1, 0,
		  ANSWER_AUTH },
		{ "fd00::9", "beta.mesh", LDNS_RR_TYPE_A, OK, 1, 0,
		  ANSWER_AUTH },
		{ NULL, "alpha.mesh", LDNS_RR_TYPE_A, OK, 1, 0, ANSWER_AUTH },
	};
	static const struct view_case hidden_cases[] = {
		{ "127.0.0.2", "alpha.mesh", LDNS_RR_TYPE_A, OK, 1, 0,
		  ANSWER_AUTH },
		{ "127.0.0.2", "beta.mesh", LDNS_RR_TYPE_A, NX, 0, 0,
		  ANSWER_HIDDEN },
		{ "127.0.0.3", "beta.mesh", LDNS_RR_TYPE_A, OK, 1, 0,
		  ANSWER_AUTH },
		/* No view: unowned names only. */
		{ "127.0.0.9", "alpha.mesh", LDNS_RR_TYPE_A, NX, 0, 0,
		  ANSWER_HIDDEN },
		{ "127.0.0.9", "beta.mesh", LDNS_RR_TYPE_A, NX, 0, 0,
		  ANSWER_HIDDEN },
		{ "127.0.0.9", "redis.mesh", LDNS_RR_TYPE_A, OK, 2, 0,
		  ANSWER_AUTH },
		{ NULL, "alpha.mesh", LDNS_RR_TYPE_A, NX, 0, 0,
		  ANSWER_HIDDEN },
		{ NULL, "redis.mesh", LDNS_RR_TYPE_A, OK, 2, 0, ANSWER_AUTH },
		{ "fd00::9", "mesh", LDNS_RR_TYPE_SOA, OK, 1, 0, ANSWER_AUTH },
	};
	struct fixture *f = *state;
	struct table *hide = make_table(0);

	run_view_cases(f, cases, sizeof(cases) / sizeof(cases[0]));
	f->t = hide;
	run_view_cases(f, hidden_cases,
		       sizeof(hidden_cases) / sizeof(hidden_cases[0]));
	/* The hidden SRV's additional data: only what the SRV's owner sees. */
	f->t = table;
	make_query(f, "_http._tcp.alpha.mesh", LDNS_RR_TYPE_SRV,
		   LDNS_RR_CLASS_IN, NULL);
	assert_true(run_udp(f) > 0);
	assert_string_equal(rr_text(ldns_pkt_additional(f->pkt), 0),
			    "alpha.mesh.\t60\tIN\tA\t240.0.1.1\n");
	table_free(hide);
}

#undef NX
#undef OK

static void
test_forwarding(void **state)
{
	static const char *const outside[] = {
		"example.com", ".", "local", "meshx", "in-addr.arpa",
		"1.0.0.10.in-addr.arpa", "version.bind",
	};
	struct query_opts e = { .edns_size = 1232, .flags = LDNS_RD };
	struct fixture *f = *state;
	size_t i;

	f->forwarding = 1;
	for (i = 0; i < sizeof(outside) / sizeof(outside[0]); i++) {
		make_query(f, outside[i], LDNS_RR_TYPE_A, LDNS_RR_CLASS_IN,
			   NULL);
		assert_int_equal(run_udp(f), 0);
		assert_int_equal(f->outcome, ANSWER_FORWARD);
		make_query(f, outside[i], LDNS_RR_TYPE_TXT, LDNS_RR_CLASS_IN,
			   &e);
		assert_int_equal(run(f, 65535, ANSWER_TCP), 0);
		assert_int_equal(f->outcome, ANSWER_FORWARD);
	}
	/* Our names: answered with RA (run() checks it), AA as ever. */
	make_query(f, "redis.mesh", LDNS_RR_TYPE_A, LDNS_RR_CLASS_IN, NULL);
	assert_true(run_udp(f) > 0);
	assert_true(ldns_pkt_aa(f->pkt));
	assert_int_equal(f->outcome, ANSWER_AUTH);
	assert_int_equal(f->resp[3], 0x80);
	make_query(f, "nope.mesh", LDNS_RR_TYPE_A, LDNS_RR_CLASS_IN, NULL);
	assert_true(run_udp(f) > 0);
	assert_int_equal(ldns_pkt_get_rcode(f->pkt), LDNS_RCODE_NXDOMAIN);
	/* Not a plain IN query: answered here, with RA. */
	make_query(f, "example.com", LDNS_RR_TYPE_AXFR, LDNS_RR_CLASS_IN,
		   NULL);
	assert_true(run_udp(f) > 0);
	assert_int_equal(ldns_pkt_get_rcode(f->pkt), LDNS_RCODE_NOTIMPL);
	assert_int_equal(f->outcome, ANSWER_ERROR);
	make_query(f, "example.com", LDNS_RR_TYPE_A, LDNS_RR_CLASS_CH, NULL);
	assert_true(run_udp(f) > 0);
	assert_int_equal(ldns_pkt_get_rcode(f->pkt), LDNS_RCODE_REFUSED);
	e.edns_version = 1;
	make_query(f, "example.com", LDNS_RR_TYPE_A, LDNS_RR_CLASS_IN, &e);
	assert_true(run_udp(f) > 0);
	assert_int_equal(ldns_pkt_edns_extended_rcode(f->pkt), 1);
	assert_int_equal(f->outcome, ANSWER_ERROR);
	set_query(f, base, 20);	/* cut short: FORMERR */
	assert_true(run_udp(f) > 0);
	assert_int_equal(ldns_pkt_get_rcode(f->pkt), LDNS_RCODE_FORMERR);
	/* Without forwarding: REFUSED, RA clear. */
	f->forwarding = 0;
	make_query(f, "example.com", LDNS_RR_TYPE_A, LDNS_RR_CLASS_IN, NULL);
	assert_true(run_udp(f) > 0);
	assert_int_equal(ldns_pkt_get_rcode(f->pkt), LDNS_RCODE_REFUSED);
	assert_int_equal(f->outcome, ANSWER_REFUSED);
	assert_int_equal(f->resp[3] & 0x80, 0);
}

static void
test_null_outcome_and_ctx(void **state)
{
	struct answer_query_ctx ctx = { .t = table, .tr = ANSWER_UDP };
	struct fixture *f = *state;

	make_query(f, "redis.mesh", LDNS_RR_TYPE_A, LDNS_RR_CLASS_IN, NULL);
	assert_int_equal(answer_query(&ctx, f->q, f->qlen, f->resp, 512,
				      NULL), 12 + 16 + 32);
	assert_int_equal(answer_query(NULL, f->q, f->qlen, f->resp, 512,
				      NULL), 0);
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
		"example.com", "web.mesh", "_big._tcp.mesh", "alpha.mesh",
		"redis.mesh.svc.cluster.local", "version.bind",
		"1.0.0.241.in-addr.arpa",
	};
	struct sockaddr_in client;
	struct answer_query_ctx ctx = { .t = table };
	enum answer_outcome outcome;
	size_t forwarded = 0;
	static const size_t caps[] = { 512, 1232, 4096, 65535 };
	struct fixture *f = *state;
	uint8_t *seeds[12] = { NULL };
	size_t seed_len[12];
	uint8_t buf[700];
	uint64_t s = 0x6d657368646e73ULL;
	size_t answered = 0;
	size_t i;

	memset(&client, 0, sizeof(client));
	client.sin_family = AF_INET;
	client.sin_addr.s_addr = htonl(0x7f000003);
	for (i = 0; i < 12; i++) {
		static const ldns_rr_type types[] = {
			LDNS_RR_TYPE_AAAA, LDNS_RR_TYPE_A, LDNS_RR_TYPE_SRV,
		};
		struct query_opts o = { .edns_size = i % 2 ? 1232 : 0,
					.dnssec_ok = i % 4 == 1 };

		make_query(f, names[i], i == 10 ? LDNS_RR_TYPE_TXT :
			   types[i % 3], i == 10 ? LDNS_RR_CLASS_CH :
			   LDNS_RR_CLASS_IN, &o);
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
		ctx.tr = tr;
		ctx.forwarding = (r >> 40) & 1;
		ctx.client = (r >> 41) & 1 ? (struct sockaddr *)&client : NULL;
		rlen = answer_query(&ctx, f->q, f->qlen, f->resp, cap,
				    &outcome);
		if (rlen == 0) {
			assert_true(outcome == ANSWER_DROP ||
				    outcome == ANSWER_FORWARD ||
				    outcome == ANSWER_XFR);
			if (outcome == ANSWER_FORWARD)
				forwarded++;
			continue;
		}
		answered++;
		assert_true(rlen <= cap);
		assert_true(rlen >= 12);
		if (ldns_wire2pkt(&pkt, f->resp, rlen) != LDNS_STATUS_OK)
			fail_msg("iteration %zu: response does not parse", i);
		/* Without EDNS, UDP stays within 512 bytes. */
		if (tr == ANSWER_UDP)
			assert_true(rlen <= (ldns_pkt_edns(pkt) ?
					     ANSWER_EDNS_SIZE : 512));
		assert_int_equal(ldns_pkt_ra(pkt), ctx.forwarding &&
				 ldns_pkt_get_opcode(pkt) ==
				 LDNS_PACKET_QUERY);
		assert_memory_equal(f->resp, f->q, 2);
		assert_true(ldns_pkt_qr(pkt));
		ldns_pkt_free(pkt);
	}
	/* Most mutated queries still get an answer of some kind. */
	assert_true(answered > 100000);
	assert_true(forwarded > 1000);
	for (i = 0; i < 12; i++)
		free(seeds[i]);
}

/*
 * A table with the one zone mesh: SOA ns1.example.net.
 * hostmaster.example.net., the NS names ns01 ... ns<nns>.example.net.,
 * and a PTR name with two targets.
 */
static struct table *
make_compress_table(size_t nns)
{
	static char names[64][40];
	static const char *ns[64];
	struct table_builder *b = table_builder_new();
	struct table *t = NULL;
	struct table_zone_params p;
	char err[128];
	size_t i;

	assert_true(nns <= 64);
	for (i = 0; i < nns; i++) {
		snprintf(names[i], sizeof(names[i]), "ns%02zu.example.net",
			 i + 1);
		ns[i] = names[i];
	}
	memset(&p, 0, sizeof(p));
	p.apex = "mesh";
	p.mname = "ns1.example.net";
	p.rname = "hostmaster.example.net";
	p.refresh = 3600;
	p.retry = 600;
	p.expire = 86400;
	p.minimum = 30;
	p.ttl = 120;
	p.ns = ns;
	p.nns = nns;
	assert_int_equal(table_builder_add_zone(b, &p, err, sizeof(err)), 0);
	p.apex = "241.in-addr.arpa";
	assert_int_equal(table_builder_add_zone(b, &p, err, sizeof(err)), 1);
	assert_int_equal(table_builder_add_ptr(b, "1.0.0.241.in-addr.arpa",
					       "a.svc.mesh", 60), 0);
	assert_int_equal(table_builder_add_ptr(b, "1.0.0.241.in-addr.arpa",
					       "b.svc.mesh", 60), 0);
	assert_int_equal(table_builder_finish(b, &t), 0);
	return t;
}

/*
 * RNAME compressed against MNAME (RFC 1035 4.1.4, RFC 3597 section 4):
 * a negative answer as long as Knot's and NSD's, wherever the apex is in
 * the question.  nx.mesh. A with an OPT: header 12, question 9 + 4, the
 * SOA 12 + MNAME 17 + RNAME 13 ("hostmaster" and a pointer) + 20, OPT 11:
 * 98 bytes (109 with RNAME written whole).
 */
static void
test_soa_compressed(void **state)
{
	static const struct query_opts edns = { .edns_size = 1232 };
	static const char soa[] = "\tSOA\tns1.example.net. "
				  "hostmaster.example.net. 1 3600 600 86400 30\n";
	struct table *t = make_compress_table(1);
	struct fixture *f = *state;
	char expect[256];

	f->t = t;
	make_query(f, "nx.mesh", LDNS_RR_TYPE_A, LDNS_RR_CLASS_IN, &edns);
	assert_int_equal(run_udp(f), 98);
	assert_int_equal(ldns_pkt_get_rcode(f->pkt), LDNS_RCODE_NXDOMAIN);
	assert_counts(f, 1, 0, 1, 1);
	snprintf(expect, sizeof(expect), "mesh.\t30\tIN%s", soa);
	assert_string_equal(rr_text(ldns_pkt_authority(f->pkt), 0), expect);

	/* The pointer moves with the apex: 3 bytes more of question. */
	make_query(f, "a.B.c.Mesh", LDNS_RR_TYPE_A, LDNS_RR_CLASS_IN, &edns);
	assert_int_equal(run_udp(f), 101);
	snprintf(expect, sizeof(expect), "Mesh.\t30\tIN%s", soa);
	assert_string_equal(rr_text(ldns_pkt_authority(f->pkt), 0), expect);

	/* NODATA at the apex, and the SOA answer: 12 + 10 + 62 + 11. */
	make_query(f, "mesh", LDNS_RR_TYPE_AAAA, LDNS_RR_CLASS_IN, &edns);
	assert_int_equal(run_udp(f), 95);
	assert_counts(f, 1, 0, 1, 1);
	make_query(f, "MESH", LDNS_RR_TYPE_SOA, LDNS_RR_CLASS_IN, &edns);
	assert_int_equal(run_udp(f), 95);
	assert_counts(f, 1, 1, 0, 1);
	snprintf(expect, sizeof(expect), "MESH.\t120\tIN%s", soa);
	assert_string_equal(rr_text(ldns_pkt_answer(f->pkt), 0), expect);
	f->t = table;
	table_free(t);
}

/*
 * 60 NS names: the first written whole (18 bytes), the others as their
 * first label and a pointer (7): header 12, question 6 + 4, 60 RR heads
 * of 12, 18 + 59 * 7, OPT 11 = 1,184 bytes, whole in a 1,232-byte
 * payload as from Knot and NSD (1,833 uncompressed: truncated).
 */
static void
test_ns_set_compressed(void **state)
{
	static const struct query_opts edns = { .edns_size = 1232 };
	struct table *t = make_compress_table(60);
	struct fixture *f = *state;
	char expect[64];
	size_t i;

	f->t = t;
	make_query(f, "Mesh", LDNS_RR_TYPE_NS, LDNS_RR_CLASS_IN, &edns);
	assert_int_equal(run_udp(f), 1184);
	assert_false(ldns_pkt_tc(f->pkt));
	assert_counts(f, 1, 60, 0, 1);
	for (i = 0; i < 60; i++) {
		snprintf(expect, sizeof(expect),
			 "Mesh.\t120\tIN\tNS\tns%02zu.example.net.\n", i + 1);
		assert_string_equal(rr_text(ldns_pkt_answer(f->pkt), i),
				    expect);
	}
	/* Without EDNS it still does not fit 512: TC, no RRs. */
	make_query(f, "mesh", LDNS_RR_TYPE_NS, LDNS_RR_CLASS_IN, NULL);
	assert_true(run_udp(f) > 0);
	assert_true(ldns_pkt_tc(f->pkt));
	assert_counts(f, 1, 0, 0, 0);
	f->t = table;
	table_free(t);
}

/*
 * PTR names after the first are compressed against it: 12 + 24 + 4, then
 * 12 + 12 (a.svc.mesh.) and 12 + 4 ("b" and a pointer), OPT 11 = 91.
 */
static void
test_ptr_compressed(void **state)
{
	static const struct query_opts edns = { .edns_size = 1232 };
	struct table *t = make_compress_table(1);
	struct fixture *f = *state;

	f->t = t;
	make_query(f, "1.0.0.241.IN-ADDR.arpa", LDNS_RR_TYPE_PTR,
		   LDNS_RR_CLASS_IN, &edns);
	assert_int_equal(run_udp(f), 91);
	assert_counts(f, 1, 2, 0, 1);
	assert_string_equal(rr_text(ldns_pkt_answer(f->pkt), 0),
			    "1.0.0.241.IN-ADDR.arpa.\t60\tIN\tPTR\t"
			    "a.svc.mesh.\n");
	assert_string_equal(rr_text(ldns_pkt_answer(f->pkt), 1),
			    "1.0.0.241.IN-ADDR.arpa.\t60\tIN\tPTR\t"
			    "b.svc.mesh.\n");
	f->t = table;
	table_free(t);
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
		T(test_xfr),
		T(test_formerr),
		T(test_name_length_limits),
		T(test_rrs_before_opt_skipped),
		T(test_formerr_keeps_opt),
		T(test_edns),
		T(test_ede),
		T(test_tsig_badkey),
		T(test_tsig_too_long),
		T(test_tsig_formerr),
		T(test_badvers),
		T(test_truncation),
		T(test_srv_answer),
		T(test_srv_several_targets),
		T(test_srv_additional_dropped),
		T(test_ptr_answer),
		T(test_chaos_answer),
		T(test_search_nxdomain),
		T(test_views_answer),
		T(test_forwarding),
		T(test_null_outcome_and_ctx),
		T(test_fuzz),
		T(test_soa_compressed),
		T(test_ns_set_compressed),
		T(test_ptr_compressed),
	};
#undef T

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
