/* SPDX-License-Identifier: MIT */
/* test_table.c -- unit tests for table: zones, names, wire data, views. */
#include "autoconfig.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <ldns/ldns.h>

#include "dns/table.h"
#include "dns/table_build.h"
#include "dns/table_image.h"

#define RR_FIXED_TEST	12	/* owner pointer, type, class, TTL, rdlength */

static const char *const ns_mesh[] = { "ns1.mesh", "ns2.mesh." };

static struct table_zone_params
zone_params(const char *apex)
{
	struct table_zone_params p;

	memset(&p, 0, sizeof(p));
	p.apex = apex;
	p.mname = "ns1.mesh";
	p.rname = "hostmaster.mesh";
	p.refresh = 3600;
	p.retry = 600;
	p.expire = 86400;
	p.minimum = 30;
	p.ttl = 60;
	p.ns = ns_mesh;
	p.nns = 2;
	return p;
}

static int
add_zone(struct table_builder *b, const char *apex)
{
	struct table_zone_params p = zone_params(apex);
	char err[256];

	return table_builder_add_zone(b, &p, err, sizeof(err));
}

static int
add_a(struct table_builder *b, const char *name, const char *ip,
      uint32_t ttl)
{
	uint8_t addr[16];
	int family = strchr(ip, ':') ? AF_INET6 : AF_INET;

	assert_int_equal(inet_pton(family, ip, addr), 1);
	return table_builder_add_addr(b, name, family, addr, ttl);
}

/* Canonical wire form of a text name, for the read side. */
static size_t
wire(const char *text, uint8_t *out)
{
	ldns_rdf *rdf = NULL;
	size_t len;

	assert_int_equal(ldns_str2rdf_dname(&rdf, text), LDNS_STATUS_OK);
	ldns_dname2canonical(rdf);
	len = ldns_rdf_size(rdf);
	memcpy(out, ldns_rdf_data(rdf), len);
	ldns_rdf_deep_free(rdf);
	return len;
}

static const struct table_node *
lookup(const struct table *t, const char *name)
{
	uint8_t w[256];
	size_t len = wire(name, w);
	size_t off = 0;
	const struct table_zone *z = table_find_zone(t, w, len, &off);

	if (z == NULL)
		return NULL;
	return table_lookup(t, z, w, len);
}

/*
 * The RRs of @set as ldns presentation lines, with the owner pointer
 * resolved against @owner placed at offset 12 of a scratch message, as
 * the question (its QTYPE and QCLASS after it: compressed RDATA names
 * point at where the RRs are in a response).
 */
static void
rrset_text(const struct table_rrset *set, const char *owner, char *out,
	   size_t size)
{
	uint8_t msg[70000];
	size_t pos = 12;
	size_t end;
	uint16_t i;

	memset(msg, 0, 12);
	pos += wire(owner, msg + 12);
	memset(msg + pos, 0, 4);
	pos += 4;
	assert_true(pos + set->len <= sizeof(msg));
	memcpy(msg + pos, set->wire, set->len);
	end = pos + set->len;
	out[0] = '\0';
	for (i = 0; i < set->count; i++) {
		ldns_rr *rr = NULL;
		char *s = NULL;

		assert_int_equal(ldns_wire2rr(&rr, msg, end, &pos,
					      LDNS_SECTION_ANSWER),
				 LDNS_STATUS_OK);
		s = ldns_rr2str(rr);
		assert_non_null(s);
		strncat(out, s, size - strlen(out) - 1);
		free(s);
		ldns_rr_free(rr);
	}
	assert_int_equal(pos, end);
}

static void
test_zones_and_counts(void **state)
{
	struct table_builder *b = table_builder_new();
	struct table *t = NULL;

	assert_non_null(b);
	assert_int_equal(add_zone(b, "mesh"), 0);
	assert_int_equal(add_zone(b, "mesh.local."), 1);
	assert_int_equal(add_a(b, "redis.mesh", "240.0.0.1", 60), 0);
	assert_int_equal(add_a(b, "redis.mesh", "fd00::1", 60), 0);
	assert_int_equal(add_a(b, "a.b.web.svc.mesh.local", "240.0.0.2", 60),
			 0);
	assert_int_equal(table_builder_finish(b, &t), 0);
	assert_int_equal(table_zone_count(t), 2);
	/* Two apexes and two names with records. */
	assert_int_equal(table_name_count(t), 4);
	/* Per zone: SOA + 2 NS; then A, AAAA, A. */
	assert_int_equal(table_record_count(t), 2 * 3 + 3);
	/* Plus the ENTs b.web.svc, web.svc and svc under mesh.local. */
	assert_int_equal(table_node_count(t), 7);
	table_free(t);
}

struct zone_error_case {
	const char *apex;
	const char *mname;
	const char *rname;
	const char *ns;
	size_t nns;
	const char *msg;
};

static void
test_zone_errors(void **state)
{
	static const struct zone_error_case cases[] = {
		{ "a..b", "ns1.mesh", "h.mesh", "ns1.mesh", 1,
		  "invalid apex (Empty label)" },
		{ "", "ns1.mesh", "h.mesh", "ns1.mesh", 1,
		  "invalid apex (Domainname length underflow (zero length))" },
		{ NULL, "ns1.mesh", "h.mesh", "ns1.mesh", 1,
		  "invalid apex (missing)" },
		{ "MESH.", "ns1.mesh", "h.mesh", "ns1.mesh", 1,
		  "zone defined twice" },
		{ "x", "ns..mesh", "h.mesh", "ns1.mesh", 1,
		  "invalid SOA mname (Empty label)" },
		{ "x", "ns1.mesh", NULL, "ns1.mesh", 1,
		  "invalid SOA rname (missing)" },
		{ "x", "ns1.mesh", "h.mesh", "a..b", 1,
		  "invalid NS name \"a..b\" (Empty label)" },
		{ "x", "ns1.mesh", "h.mesh", NULL, 0,
		  "at least one NS name is needed" },
	};
	struct table_builder *b = table_builder_new();
	size_t i;

	assert_int_equal(add_zone(b, "mesh"), 0);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct zone_error_case *c = &cases[i];
		struct table_zone_params p = zone_params(c->apex);
		const char *ns[1] = { c->ns };
		char err[256] = "";

		p.mname = c->mname;
		p.rname = c->rname;
		p.ns = c->nns ? ns : NULL;
		p.nns = c->nns;
		assert_int_equal(table_builder_add_zone(b, &p, err,
							sizeof(err)), -1);
		assert_string_equal(err, c->msg);
	}
	/* Nothing was added by the failures. */
	assert_int_equal(add_zone(b, "x"), 1);
	table_builder_free(b);
}

static void
test_addr_errors(void **state)
{
	struct table_builder *b = table_builder_new();
	char label64[80];
	char long_name[300];
	uint8_t addr[16] = { 240, 0, 0, 1 };
	int rc = 0;
	int i;

	memset(label64, 'a', 64);
	strcpy(label64 + 64, ".mesh");
	/* 4 * 63 + 4 dots + "mesh" = 260 > 253 characters. */
	memset(long_name, 0, sizeof(long_name));
	for (i = 0; i < 4; i++) {
		memset(long_name + i * 64, 'b', 63);
		long_name[i * 64 + 63] = '.';
	}
	strcat(long_name, "mesh");

	assert_int_equal(add_zone(b, "mesh"), 0);
	assert_int_equal(add_a(b, "redis.example.com", "240.0.0.1", 60),
			 -ENOENT);
	assert_int_equal(add_a(b, "meshx", "240.0.0.1", 60), -ENOENT);
	assert_int_equal(add_a(b, "a..mesh", "240.0.0.1", 60), -EINVAL);
	assert_int_equal(add_a(b, label64, "240.0.0.1", 60), -EINVAL);
	assert_int_equal(add_a(b, long_name, "240.0.0.1", 60), -EINVAL);
	assert_int_equal(add_a(b, "", "240.0.0.1", 60), -EINVAL);
	assert_int_equal(table_builder_add_addr(b, NULL, AF_INET, addr, 60),
			 -EINVAL);
	assert_int_equal(table_builder_add_addr(b, "a.mesh", AF_UNIX, addr,
						60), -EINVAL);
	/* 4078 A records of 16 bytes fit a 64 KiB message; 4079 do not. */
	for (i = 0; i < 4079 && rc == 0; i++) {
		addr[2] = (uint8_t)(i >> 8);
		addr[3] = (uint8_t)i;
		rc = table_builder_add_addr(b, "big.mesh", AF_INET, addr, 60);
	}
	assert_int_equal(rc, -EMSGSIZE);
	assert_int_equal(i, 4079);
	table_builder_free(b);
}

static void
test_duplicates_kept_once(void **state)
{
	struct table_builder *b = table_builder_new();
	struct table *t = NULL;
	const struct table_node *n = NULL;
	const struct table_rrset *set = NULL;
	char text[4096];

	assert_int_equal(add_zone(b, "mesh"), 0);
	assert_int_equal(add_a(b, "redis.mesh", "240.0.0.2", 60), 0);
	assert_int_equal(add_a(b, "Redis.MESH.", "240.0.0.2", 30), 0);
	assert_int_equal(add_a(b, "redis.mesh", "240.0.0.1", 90), 0);
	assert_int_equal(add_a(b, "redis.mesh", "240.0.0.3", 60), 0);
	assert_int_equal(add_a(b, "redis.mesh", "fd00::2", 300), 0);
	assert_int_equal(add_a(b, "redis.mesh", "fd00::2", 300), 0);
	assert_int_equal(table_builder_finish(b, &t), 0);
	assert_int_equal(table_record_count(t), 3 + 4);
	assert_int_equal(table_name_count(t), 2);

	n = lookup(t, "redis.mesh");
	assert_non_null(n);
	set = table_node_rrset(n, LDNS_RR_TYPE_A);
	assert_non_null(set);
	assert_int_equal(set->type, LDNS_RR_TYPE_A);
	assert_int_equal(set->count, 3);
	assert_int_equal(set->len, 48);
	/* Sorted by address, one TTL: the lowest. */
	rrset_text(set, "redis.mesh", text, sizeof(text));
	assert_string_equal(text,
			    "redis.mesh.\t30\tIN\tA\t240.0.0.1\n"
			    "redis.mesh.\t30\tIN\tA\t240.0.0.2\n"
			    "redis.mesh.\t30\tIN\tA\t240.0.0.3\n");
	set = table_node_rrset(n, LDNS_RR_TYPE_AAAA);
	assert_non_null(set);
	assert_int_equal(set->count, 1);
	rrset_text(set, "redis.mesh", text, sizeof(text));
	assert_string_equal(text, "redis.mesh.\t300\tIN\tAAAA\tfd00::2\n");
	assert_null(table_node_rrset(n, LDNS_RR_TYPE_SOA));
	assert_null(table_node_rrset(NULL, LDNS_RR_TYPE_A));
	table_free(t);
}

static void
test_a_wire_bytes(void **state)
{
	static const uint8_t expect[] = {
		0xc0, 0x0c, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x0e, 0x10,
		0x00, 0x04, 241, 1, 2, 3,
	};
	struct table_builder *b = table_builder_new();
	struct table *t = NULL;
	const struct table_rrset *set = NULL;

	assert_int_equal(add_zone(b, "mesh"), 0);
	assert_int_equal(add_a(b, "x.mesh", "241.1.2.3", 3600), 0);
	assert_int_equal(table_builder_finish(b, &t), 0);
	set = table_node_rrset(lookup(t, "x.mesh"), LDNS_RR_TYPE_A);
	assert_non_null(set);
	assert_int_equal(set->len, sizeof(expect));
	assert_memory_equal(set->wire, expect, sizeof(expect));
	table_free(t);
}

static void
test_apex_soa_ns(void **state)
{
	struct table_builder *b = table_builder_new();
	struct table *t = NULL;
	const struct table_node *n = NULL;
	const struct table_zone *z = NULL;
	const struct table_rrset *neg = NULL;
	uint8_t w[256];
	size_t len;
	size_t off = 99;
	char text[4096];

	assert_int_equal(add_zone(b, "Mesh."), 0);
	table_builder_set_serial(b, 0, 2024010101);
	assert_int_equal(table_builder_finish(b, &t), 0);
	n = lookup(t, "mesh");
	assert_non_null(n);
	assert_null(table_node_rrset(n, LDNS_RR_TYPE_A));
	rrset_text(table_node_rrset(n, LDNS_RR_TYPE_SOA), "mesh", text,
		   sizeof(text));
	assert_string_equal(text,
			    "mesh.\t60\tIN\tSOA\tns1.mesh. hostmaster.mesh. "
			    "2024010101 3600 600 86400 30\n");
	rrset_text(table_node_rrset(n, LDNS_RR_TYPE_NS), "mesh", text,
		   sizeof(text));
	assert_string_equal(text,
			    "mesh.\t60\tIN\tNS\tns1.mesh.\n"
			    "mesh.\t60\tIN\tNS\tns2.mesh.\n");

	/* The negative SOA: owner placeholder 0xC000, TTL min(60, 30). */
	len = wire("a.b.mesh", w);
	z = table_find_zone(t, w, len, &off);
	assert_non_null(z);
	assert_int_equal(off, 4);
	assert_null(table_lookup(t, z, w, len));
	neg = table_zone_soa_authority(z);
	assert_int_equal(neg->type, LDNS_RR_TYPE_SOA);
	assert_int_equal(neg->count, 1);
	assert_int_equal(neg->wire[0], 0xc0);
	assert_int_equal(neg->wire[1], 0x00);
	{
		uint8_t copy[600];
		struct table_rrset patched = *neg;

		memcpy(copy, neg->wire, neg->len);
		copy[1] = 0x0c;
		patched.wire = copy;
		rrset_text(&patched, "mesh", text, sizeof(text));
	}
	assert_string_equal(text,
			    "mesh.\t30\tIN\tSOA\tns1.mesh. hostmaster.mesh. "
			    "2024010101 3600 600 86400 30\n");
	table_free(t);
}

static void
test_negative_ttl_is_min(void **state)
{
	struct table_builder *b = table_builder_new();
	struct table_zone_params p = zone_params("mesh");
	struct table *t = NULL;
	const struct table_rrset *neg = NULL;
	uint8_t w[256];
	size_t off = 0;
	char err[64];

	p.ttl = 20;
	p.minimum = 300;
	assert_int_equal(table_builder_add_zone(b, &p, err, sizeof(err)), 0);
	assert_int_equal(table_builder_finish(b, &t), 0);
	neg = table_zone_soa_authority(table_find_zone(t, w, wire("mesh", w),
						       &off));
	/* TTL bytes after owner, type and class. */
	assert_int_equal(neg->wire[6] << 24 | neg->wire[7] << 16 |
			 neg->wire[8] << 8 | neg->wire[9], 20);
	table_free(t);
}

static void
test_empty_non_terminals(void **state)
{
	struct table_builder *b = table_builder_new();
	struct table *t = NULL;
	const struct table_node *n = NULL;

	assert_int_equal(add_zone(b, "mesh.local"), 0);
	assert_int_equal(add_a(b, "a.b.c.mesh.local", "240.0.0.1", 60), 0);
	assert_int_equal(add_a(b, "d.c.mesh.local", "240.0.0.2", 60), 0);
	assert_int_equal(table_builder_finish(b, &t), 0);
	/* Apex, c, b.c, a.b.c, d.c. */
	assert_int_equal(table_node_count(t), 5);
	assert_int_equal(table_name_count(t), 3);
	n = lookup(t, "b.c.mesh.local");
	assert_non_null(n);
	assert_null(table_node_rrset(n, LDNS_RR_TYPE_A));
	assert_null(table_node_rrset(n, LDNS_RR_TYPE_SOA));
	assert_non_null(lookup(t, "c.mesh.local"));
	assert_non_null(lookup(t, "C.Mesh.Local"));
	assert_non_null(table_node_rrset(lookup(t, "a.b.c.mesh.local"),
					 LDNS_RR_TYPE_A));
	assert_null(lookup(t, "x.c.mesh.local"));
	assert_null(lookup(t, "b.mesh.local"));
	assert_null(lookup(t, "local"));
	table_free(t);
}

static void
test_find_zone_nested(void **state)
{
	static const struct {
		const char *name;
		int zone;
		size_t apex_off;
	} cases[] = {
		{ "redis.svc.mesh", 1, 6 },
		{ "a.b.svc.mesh.", 1, 4 },
		{ "svc.mesh", 1, 0 },
		{ "SVC.Mesh", 1, 0 },
		{ "xsvc.mesh", 0, 5 },
		{ "mesh", 0, 0 },
		{ "x.mesh.local", 2, 2 },
		{ "local", -1, 0 },
		{ "example.com", -1, 0 },
		{ "a..mesh", -1, 0 },
	};
	struct table_builder *b = table_builder_new();
	struct table *t = NULL;
	size_t i;

	/* svc.mesh inside mesh; mesh.local beside both. */
	assert_int_equal(add_zone(b, "mesh"), 0);
	assert_int_equal(add_zone(b, "svc.mesh"), 1);
	assert_int_equal(add_zone(b, "mesh.local"), 2);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		assert_int_equal(table_builder_find_zone(b, cases[i].name),
				 cases[i].zone);
	assert_int_equal(add_a(b, "a.b.svc.mesh", "240.0.0.1", 60), 0);
	assert_int_equal(add_a(b, "b.mesh", "240.0.0.2", 60), 0);
	assert_int_equal(table_builder_finish(b, &t), 0);

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint8_t w[256];
		size_t len;
		size_t off = 999;
		const struct table_zone *z = NULL;

		if (strstr(cases[i].name, "..") != NULL)
			continue;
		len = wire(cases[i].name, w);
		z = table_find_zone(t, w, len, &off);
		if (cases[i].zone < 0) {
			assert_null(z);
			continue;
		}
		assert_non_null(z);
		assert_int_equal(off, cases[i].apex_off);
	}
	/* The ENT b.svc.mesh is in svc.mesh; svc.mesh has the SOA of its own. */
	assert_non_null(lookup(t, "b.svc.mesh"));
	assert_non_null(table_node_rrset(lookup(t, "svc.mesh"),
					 LDNS_RR_TYPE_SOA));
	/* Apexes: 3, names: a.b.svc.mesh, b.mesh; ENT: b.svc.mesh. */
	assert_int_equal(table_node_count(t), 6);
	{
		uint8_t w[256];
		uint8_t mesh[16];
		size_t off = 0;
		const struct table_zone *zmesh = table_find_zone(
			t, mesh, wire("mesh", mesh), &off);
		size_t len = wire("b.svc.mesh", w);

		/* A node is found only in its own zone. */
		assert_null(table_lookup(t, zmesh, w, len));
	}
	table_free(t);
}

static void
test_zone_added_after_names(void **state)
{
	struct table_builder *b = table_builder_new();
	struct table_builder *ref = table_builder_new();
	struct table *t = NULL;

	assert_int_equal(add_zone(b, "mesh"), 0);
	assert_int_equal(add_zone(ref, "mesh"), 0);
	assert_int_equal(add_a(b, "x.svc.mesh", "240.0.0.1", 60), 0);
	assert_int_equal(add_a(b, "y.mesh", "240.0.0.2", 60), 0);
	assert_int_equal(add_a(ref, "y.mesh", "240.0.0.2", 60), 0);
	assert_int_not_equal(table_builder_zone_digest(b, 0),
			     table_builder_zone_digest(ref, 0));
	assert_int_equal(add_zone(b, "svc.mesh"), 1);
	/* x.svc.mesh moved to the new zone. */
	assert_int_equal(table_builder_zone_digest(b, 0),
			 table_builder_zone_digest(ref, 0));
	assert_int_equal(table_builder_finish(b, &t), 0);
	assert_non_null(lookup(t, "x.svc.mesh"));
	/* mesh, svc.mesh, x.svc.mesh, y.mesh: no ENT svc.mesh in mesh. */
	assert_int_equal(table_node_count(t), 4);
	table_free(t);
	table_builder_free(ref);
}

/* A builder with the same content as any other call, varied by @what. */
static struct table_builder *
digest_builder(int what)
{
	struct table_builder *b = table_builder_new();
	struct table_zone_params p = zone_params("mesh");
	const char *const ns_rev[] = { "ns2.mesh", "NS1.mesh", "ns2.mesh" };
	char err[64];

	if (what == 5)
		p.minimum = 31;
	if (what == 6) {
		p.ns = ns_rev;
		p.nns = 3;
	}
	if (what == 7)
		p.mname = "ns2.mesh";
	assert_int_equal(table_builder_add_zone(b, &p, err, sizeof(err)), 0);
	assert_int_equal(add_zone(b, "other"), 1);
	if (what == 1) {
		/* Same records, another order. */
		assert_int_equal(add_a(b, "b.mesh", "fd00::1", 60), 0);
		assert_int_equal(add_a(b, "A.mesh", "240.0.0.1", 60), 0);
		assert_int_equal(add_a(b, "a.mesh", "240.0.0.1", 60), 0);
	} else {
		assert_int_equal(add_a(b, "a.mesh", "240.0.0.1",
				       what == 2 ? 61 : 60), 0);
		assert_int_equal(add_a(b, "b.mesh", what == 3 ? "fd00::2" :
				       "fd00::1", 60), 0);
	}
	if (what == 4)
		assert_int_equal(add_a(b, "c.mesh", "240.0.0.3", 60), 0);
	if (what == 8)
		assert_int_equal(add_a(b, "x.other", "240.0.0.3", 60), 0);
	if (what == 9)
		table_builder_set_serial(b, 0, 12345);
	return b;
}

static void
test_digest(void **state)
{
	static const struct {
		int what;
		int same;
	} cases[] = {
		{ 1, 1 },	/* insertion order, duplicates, case */
		{ 2, 0 },	/* a TTL */
		{ 3, 0 },	/* an address */
		{ 4, 0 },	/* one more name */
		{ 5, 0 },	/* SOA minimum */
		{ 6, 1 },	/* NS order and duplicates */
		{ 7, 0 },	/* SOA mname */
		{ 8, 1 },	/* a record in another zone */
		{ 9, 1 },	/* the serial */
	};
	struct table_builder *base = digest_builder(0);
	uint64_t d0 = table_builder_zone_digest(base, 0);
	size_t i;

	assert_int_not_equal(d0, 0);
	assert_int_equal(table_builder_zone_digest(base, 5), 0);
	assert_int_not_equal(table_builder_zone_digest(base, 1), d0);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct table_builder *b = digest_builder(cases[i].what);
		uint64_t d = table_builder_zone_digest(b, 0);

		if (cases[i].same)
			assert_int_equal(d, d0);
		else
			assert_int_not_equal(d, d0);
		table_builder_free(b);
	}
	table_builder_free(base);
}

static void
test_many_names(void **state)
{
	struct table_builder *b = table_builder_new();
	struct table *t = NULL;
	char name[64];
	char ip[32];
	int n = 100000;
	int i;

	assert_int_equal(add_zone(b, "mesh"), 0);
	for (i = 0; i < n; i++) {
		snprintf(name, sizeof(name), "svc-%d.ns-%d.svc.mesh", i,
			 i % 100);
		snprintf(ip, sizeof(ip), "241.%d.%d.%d", i >> 16,
			 (i >> 8) & 0xff, i & 0xff);
		assert_int_equal(add_a(b, name, ip, 60), 0);
	}
	assert_int_equal(table_builder_finish(b, &t), 0);
	assert_int_equal(table_name_count(t), n + 1);
	/* Plus the ENTs svc.mesh and ns-0 .. ns-99. */
	assert_int_equal(table_node_count(t), n + 1 + 101);
	assert_int_equal(table_record_count(t), n + 3);
	for (i = 0; i < n; i += 997) {
		const struct table_rrset *set = NULL;

		snprintf(name, sizeof(name), "SVC-%d.ns-%d.svc.mesh", i,
			 i % 100);
		set = table_node_rrset(lookup(t, name), LDNS_RR_TYPE_A);
		assert_non_null(set);
		assert_int_equal(set->wire[15], i & 0xff);
	}
	assert_null(lookup(t, "svc-100000.ns-0.svc.mesh"));
	table_free(t);
}

static void
test_free_null(void **state)
{
	table_builder_free(NULL);
	table_free(NULL);
}

static void
test_empty_table(void **state)
{
	struct table *t = NULL;
	uint8_t w[256];
	size_t off = 0;

	assert_int_equal(table_builder_finish(table_builder_new(), &t), 0);
	assert_int_equal(table_zone_count(t), 0);
	assert_int_equal(table_node_count(t), 0);
	assert_null(table_find_zone(t, w, wire("mesh", w), &off));
	table_free(t);
}


/*
 * The additional RRs of @set as presentation lines: the answer RRs are
 * placed after @owner at offset 12, the additional RRs after them with
 * their owner pointers shifted by where the answer starts, as answer.c
 * does.
 */
static void
additional_text(const struct table_rrset *set, const char *owner, char *out,
		size_t size)
{
	uint8_t msg[70000];
	size_t an = 12 + wire(owner, msg + 12);
	size_t pos = an + set->len;
	size_t end = pos + set->add_len;
	size_t off;
	uint16_t i;

	memset(msg, 0, 12);
	memcpy(msg + an, set->wire, (size_t)set->len + set->add_len);
	for (off = pos; off < end; off += 12 + (msg[off + 10] << 8 |
						msg[off + 11])) {
		uint16_t ptr = (uint16_t)(msg[off] << 8 | msg[off + 1]);

		assert_int_equal(ptr & 0xc000, 0xc000);
		ptr += (uint16_t)an;
		msg[off] = (uint8_t)(ptr >> 8);
		msg[off + 1] = (uint8_t)ptr;
	}
	assert_int_equal(off, end);
	out[0] = '\0';
	for (i = 0; i < set->add_count; i++) {
		ldns_rr *rr = NULL;
		char *s = NULL;

		assert_int_equal(ldns_wire2rr(&rr, msg, end, &pos,
					      LDNS_SECTION_ADDITIONAL),
				 LDNS_STATUS_OK);
		s = ldns_rr2str(rr);
		assert_non_null(s);
		strncat(out, s, size - strlen(out) - 1);
		free(s);
		ldns_rr_free(rr);
	}
	assert_int_equal(pos, end);
}

static void
test_srv(void **state)
{
	static const uint8_t expect[] = {
		0xc0, 0x0c, 0x00, 0x21, 0x00, 0x01, 0x00, 0x00, 0x00, 0x1e,
		0x00, 0x10, 0x00, 0x00, 0x00, 0x00, 0x1f, 0x90,
		3, 'w', 'e', 'b', 4, 'm', 'e', 's', 'h', 0,
	};
	struct table_builder *b = table_builder_new();
	struct table *t = NULL;
	const struct table_rrset *set = NULL;
	char text[4096];

	assert_int_equal(add_zone(b, "mesh"), 0);
	assert_int_equal(table_builder_add_srv(b, "_http._tcp.web.mesh", 0, 0,
					       8080, "Web.Mesh.", 30), 0);
	assert_int_equal(add_a(b, "web.mesh", "241.0.0.1", 60), 0);
	assert_int_equal(add_a(b, "web.mesh", "fd00::1", 60), 0);
	/* At the hostname: one SRV per port, added out of order, one twice. */
	assert_int_equal(table_builder_add_srv(b, "web.mesh", 0, 0, 9090,
					       "web.mesh", 60), 0);
	assert_int_equal(table_builder_add_srv(b, "web.mesh", 0, 0, 8080,
					       "web.mesh", 60), 0);
	assert_int_equal(table_builder_add_srv(b, "web.mesh", 0, 0, 9090,
					       "web.mesh", 20), 0);
	assert_int_equal(table_builder_add_srv(b, "web.mesh", 1, 0, 80,
					       "other.example", 60), 0);
	assert_int_equal(table_builder_finish(b, &t), 0);
	/* SOA + 2 NS, A, AAAA, 1 + 3 SRV. */
	assert_int_equal(table_record_count(t), 3 + 2 + 4);
	/* Apex, the two names; the ENT _tcp.web.mesh. */
	assert_int_equal(table_node_count(t), 4);

	set = table_node_rrset(lookup(t, "_http._tcp.web.mesh"),
			       LDNS_RR_TYPE_SRV);
	assert_non_null(set);
	assert_int_equal(set->len, sizeof(expect));
	assert_memory_equal(set->wire, expect, sizeof(expect));
	assert_int_equal(set->add_count, 2);
	assert_int_equal(set->add_len, 16 + 28);
	/* The first additional owner: the target at 12 + 6 in the answer. */
	assert_int_equal(set->wire[set->len], 0xc0);
	assert_int_equal(set->wire[set->len + 1], 18);
	additional_text(set, "_http._tcp.web.mesh", text, sizeof(text));
	assert_string_equal(text,
			    "web.mesh.\t60\tIN\tA\t241.0.0.1\n"
			    "web.mesh.\t60\tIN\tAAAA\tfd00::1\n");

	set = table_node_rrset(lookup(t, "web.mesh"), LDNS_RR_TYPE_SRV);
	assert_non_null(set);
	rrset_text(set, "web.mesh", text, sizeof(text));
	/* By priority, weight, port; the lowest TTL; duplicates once. */
	assert_string_equal(text,
			    "web.mesh.\t20\tIN\tSRV\t0 0 8080 web.mesh.\n"
			    "web.mesh.\t20\tIN\tSRV\t0 0 9090 web.mesh.\n"
			    "web.mesh.\t20\tIN\tSRV\t1 0 80 other.example.\n");
	/* One target in the table (twice in the answer, once here). */
	assert_int_equal(set->add_count, 2);
	additional_text(set, "web.mesh", text, sizeof(text));
	assert_string_equal(text,
			    "web.mesh.\t60\tIN\tA\t241.0.0.1\n"
			    "web.mesh.\t60\tIN\tAAAA\tfd00::1\n");
	/* Other RRsets carry no additional section. */
	set = table_node_rrset(lookup(t, "web.mesh"), LDNS_RR_TYPE_A);
	assert_int_equal(set->add_count, 0);
	assert_int_equal(set->add_len, 0);
	table_free(t);
}

static void
test_srv_additional_limits(void **state)
{
	struct table_builder *b = table_builder_new();
	struct table *t = NULL;
	const struct table_rrset *set = NULL;
	char name[80];
	char target[80];
	size_t i;

	assert_int_equal(add_zone(b, "mesh"), 0);
	/*
	 * 700 SRVs of 12 + 6 + 30 = 48 bytes: targets past 16 KiB cannot be
	 * pointed at; only the first ones get their address.
	 */
	for (i = 0; i < 700; i++) {
		snprintf(target, sizeof(target), "t%05zu.aaaaaaaaaaaaaaaa.mesh",
			 i);
		assert_int_equal(strlen(target), 6 + 17 + 5);
		assert_int_equal(table_builder_add_srv(b, "_x._tcp.mesh", 0, 0,
						       (uint16_t)i, target,
						       60), 0);
		snprintf(name, sizeof(name), "241.0.%zu.%zu", i / 256,
			 i % 256);
		assert_int_equal(add_a(b, target, name, 60), 0);
	}
	assert_int_equal(table_builder_finish(b, &t), 0);
	set = table_node_rrset(lookup(t, "_x._tcp.mesh"), LDNS_RR_TYPE_SRV);
	assert_non_null(set);
	assert_int_equal(set->count, 700);
	assert_int_equal(set->len, 700 * 48);
	/* Target i is at 48 i + 18: i <= (0x3fff - 271 - 18) / 48 = 335. */
	assert_int_equal(set->add_count, 336);
	assert_int_equal(set->add_len, 336 * 16);
	table_free(t);
}

static void
test_srv_errors(void **state)
{
	struct table_builder *b = table_builder_new();

	assert_int_equal(add_zone(b, "mesh"), 0);
	assert_int_equal(table_builder_add_srv(b, "_x._tcp.example.com", 0, 0,
					       80, "a.mesh", 60), -ENOENT);
	assert_int_equal(table_builder_add_srv(b, "_x._tcp.mesh", 0, 0, 80,
					       "a..mesh", 60), -EINVAL);
	assert_int_equal(table_builder_add_srv(b, "_x._tcp.mesh", 0, 0, 80,
					       NULL, 60), -EINVAL);
	assert_int_equal(table_builder_add_srv(b, "_x..mesh", 0, 0, 80,
					       "a.mesh", 60), -EINVAL);
	assert_int_equal(table_builder_add_ptr(b, "1.0.0.241.in-addr.arpa",
					       "a.mesh", 60), -ENOENT);
	assert_int_equal(table_builder_add_ptr(b, "x.mesh", "", 60), -EINVAL);
	table_builder_free(b);
}

static void
test_ptr(void **state)
{
	static const uint8_t expect[] = {
		0xc0, 0x0c, 0x00, 0x0c, 0x00, 0x01, 0x00, 0x00, 0x00, 0x3c,
		0x00, 0x0c, 5, 'r', 'e', 'd', 'i', 's', 4, 'm', 'e', 's', 'h',
		0,
	};
	struct table_builder *b = table_builder_new();
	struct table *t = NULL;
	const struct table_rrset *set = NULL;
	char text[4096];

	assert_int_equal(add_zone(b, "241.in-addr.arpa"), 0);
	assert_int_equal(add_zone(b, "d.f.ip6.arpa"), 1);
	assert_int_equal(table_builder_add_ptr(b, "1.0.0.241.in-addr.arpa",
					       "Redis.mesh", 60), 0);
	assert_int_equal(table_builder_add_ptr(b, "2.0.0.241.in-addr.arpa",
					       "b.mesh", 60), 0);
	assert_int_equal(table_builder_add_ptr(b, "2.0.0.241.in-addr.arpa",
					       "a.mesh", 60), 0);
	assert_int_equal(table_builder_add_ptr(b,
		"1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0."
		"d.f.ip6.arpa", "v6.mesh", 60), 0);
	assert_int_equal(table_builder_finish(b, &t), 0);
	set = table_node_rrset(lookup(t, "1.0.0.241.in-addr.arpa"),
			       LDNS_RR_TYPE_PTR);
	assert_non_null(set);
	assert_int_equal(set->len, sizeof(expect));
	assert_memory_equal(set->wire, expect, sizeof(expect));
	assert_int_equal(set->add_count, 0);
	set = table_node_rrset(lookup(t, "2.0.0.241.in-addr.arpa"),
			       LDNS_RR_TYPE_PTR);
	rrset_text(set, "2.0.0.241.in-addr.arpa", text, sizeof(text));
	assert_string_equal(text,
			    "2.0.0.241.in-addr.arpa.\t60\tIN\tPTR\ta.mesh.\n"
			    "2.0.0.241.in-addr.arpa.\t60\tIN\tPTR\tb.mesh.\n");
	assert_non_null(table_node_rrset(lookup(t,
		"1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0."
		"d.f.ip6.arpa"), LDNS_RR_TYPE_PTR));
	assert_null(lookup(t, "3.0.0.241.in-addr.arpa"));
	/* 0.0.241.in-addr.arpa is an ENT: NODATA, not NXDOMAIN. */
	assert_non_null(lookup(t, "0.0.241.in-addr.arpa"));
	table_free(t);
}

static struct sockaddr_in
sin4(const char *ip)
{
	struct sockaddr_in sa;

	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons(5353);
	assert_int_equal(inet_pton(AF_INET, ip, &sa.sin_addr), 1);
	return sa;
}

static struct sockaddr_in6
sin6(const char *ip)
{
	struct sockaddr_in6 sa;

	memset(&sa, 0, sizeof(sa));
	sa.sin6_family = AF_INET6;
	assert_int_equal(inet_pton(AF_INET6, ip, &sa.sin6_addr), 1);
	return sa;
}

static int
add_view(struct table_builder *b, const char *ip)
{
	uint8_t addr[16];
	int family = strchr(ip, ':') ? AF_INET6 : AF_INET;

	assert_int_equal(inet_pton(family, ip, addr), 1);
	return table_builder_add_view(b, family, addr);
}

/* Can the client @ip see @name, which must exist? */
static bool
sees(const struct table *t, const char *name, const char *ip)
{
	const struct table_node *n = lookup(t, name);
	struct sockaddr_in a4;
	struct sockaddr_in6 a6;

	assert_non_null(n);
	if (ip == NULL)
		return table_node_visible(t, n, NULL);
	if (strchr(ip, ':') != NULL) {
		a6 = sin6(ip);
		return table_node_visible(t, n, (struct sockaddr *)&a6);
	}
	a4 = sin4(ip);
	return table_node_visible(t, n, (struct sockaddr *)&a4);
}

/* A table with services alpha (owner 1), beta (2), gamma (3), and views. */
static struct table *
views_table(int default_all)
{
	struct table_builder *b = table_builder_new();
	struct table *t = NULL;
	uint8_t addr[4] = { 240, 0, 0, 1 };
	int v2;
	int v3;
	int v6;

	assert_int_equal(add_zone(b, "mesh"), 0);
	assert_int_equal(table_builder_add_addr_owned(b, "alpha.svc.mesh",
						      AF_INET, addr, 60, 1), 0);
	assert_int_equal(table_builder_add_srv(b, "_http._tcp.alpha.svc.mesh",
					       0, 0, 80, "alpha.svc.mesh", 60),
			 0);
	assert_int_equal(table_builder_set_owner(b,
						 "_http._tcp.alpha.svc.mesh",
						 1), 0);
	addr[3] = 2;
	assert_int_equal(table_builder_add_addr_owned(b, "beta.svc.mesh",
						      AF_INET, addr, 60, 2), 0);
	addr[3] = 3;
	assert_int_equal(table_builder_add_addr_owned(b, "gamma.mesh",
						      AF_INET, addr, 60, 3), 0);
	assert_int_equal(add_a(b, "open.mesh", "240.0.0.4", 60), 0);
	/* An owned name at the apex: the apex stays visible. */
	assert_int_equal(table_builder_add_addr_owned(b, "mesh", AF_INET,
						      addr, 60, 3), 0);

	v2 = add_view(b, "127.0.0.2");
	v3 = add_view(b, "127.0.0.3");
	v6 = add_view(b, "fd00::2");
	assert_int_equal(v2, 0);
	assert_int_equal(v3, 1);
	assert_int_equal(v6, 2);
	/* The same address again, also IPv4-mapped: the same view. */
	assert_int_equal(add_view(b, "127.0.0.2"), 0);
	assert_int_equal(add_view(b, "::ffff:127.0.0.3"), 1);
	assert_int_equal(table_builder_view_allow(b, v2, 1), 0);
	assert_int_equal(table_builder_view_allow(b, v2, 1), 0);
	assert_int_equal(table_builder_view_allow(b, v3, 2), 0);
	assert_int_equal(table_builder_view_allow(b, v3, 3), 0);
	assert_int_equal(table_builder_view_allow_all(b, v6), 0);
	table_builder_set_default_view(b, default_all);
	assert_int_equal(table_builder_finish(b, &t), 0);
	assert_int_equal(table_view_count(t), 3);
	return t;
}

struct view_case {
	const char *name;
	const char *client;
	bool seen;		/* default: all */
	bool seen_hidden;	/* default: unowned only */
};

static void
test_views(void **state)
{
	static const struct view_case cases[] = {
		{ "alpha.svc.mesh", "127.0.0.2", true, true },
		{ "_http._tcp.alpha.svc.mesh", "127.0.0.2", true, true },
		{ "_tcp.alpha.svc.mesh", "127.0.0.2", true, true },
		{ "beta.svc.mesh", "127.0.0.2", false, false },
		{ "gamma.mesh", "127.0.0.2", false, false },
		{ "open.mesh", "127.0.0.2", true, true },
		{ "alpha.svc.mesh", "127.0.0.3", false, false },
		/* The ENT has only alpha's names under it: hidden too. */
		{ "_tcp.alpha.svc.mesh", "127.0.0.3", false, false },
		{ "_http._tcp.alpha.svc.mesh", "127.0.0.3", false, false },
		{ "beta.svc.mesh", "127.0.0.3", true, true },
		{ "gamma.mesh", "127.0.0.3", true, true },
		{ "beta.svc.mesh", "::ffff:127.0.0.3", true, true },
		{ "alpha.svc.mesh", "::ffff:127.0.0.3", false, false },
		/* svc.mesh has alpha's and beta's names: unowned. */
		{ "svc.mesh", "127.0.0.2", true, true },
		{ "svc.mesh", "127.0.0.3", true, true },
		{ "mesh", "127.0.0.2", true, true },
		/* A view allowed everything. */
		{ "gamma.mesh", "fd00::2", true, true },
		/* No view: the default. */
		{ "alpha.svc.mesh", "127.0.0.9", true, false },
		{ "beta.svc.mesh", "fd00::9", true, false },
		/* The bytes of 127.0.0.2, but IPv6: not its view. */
		{ "alpha.svc.mesh", "7f00:2::", true, false },
		{ "open.mesh", "127.0.0.9", true, true },
		{ "alpha.svc.mesh", NULL, true, false },
		{ "open.mesh", NULL, true, true },
	};
	struct table *all = views_table(1);
	struct table *hide = views_table(0);
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct view_case *c = &cases[i];

		print_message("%s from %s\n", c->name,
			      c->client ? c->client : "(none)");
		assert_int_equal(sees(all, c->name, c->client), c->seen);
		assert_int_equal(sees(hide, c->name, c->client),
				 c->seen_hidden);
	}
	/* table_lookup_client: NULL and *hidden for a hidden name. */
	{
		struct sockaddr_in a = sin4("127.0.0.3");
		uint8_t w[256];
		size_t off = 0;
		size_t len = wire("alpha.svc.mesh", w);
		const struct table_zone *z = table_find_zone(all, w, len, &off);
		bool hidden = false;

		assert_null(table_lookup_client(all, z, w, len,
						(struct sockaddr *)&a,
						&hidden));
		assert_true(hidden);
		a = sin4("127.0.0.2");
		assert_non_null(table_lookup_client(all, z, w, len,
						    (struct sockaddr *)&a,
						    &hidden));
		assert_false(hidden);
		len = wire("nope.mesh", w);
		assert_null(table_lookup_client(all, z, w, len,
						(struct sockaddr *)&a,
						&hidden));
		assert_false(hidden);
	}
	table_free(all);
	table_free(hide);
}

static void
test_srv_additional_owners(void **state)
{
	static const struct {
		const char *srv;
		int add_count;
	} cases[] = {
		{ "_a._tcp.none.mesh", 0 },	/* unowned SRV, owned target */
		{ "_a._tcp.one.mesh", 1 },	/* the same owner */
		{ "_a._tcp.two.mesh", 0 },	/* another owner */
		{ "_b._tcp.two.mesh", 1 },	/* an unowned target */
	};
	struct table_builder *b = table_builder_new();
	struct table *t = NULL;
	size_t i;

	assert_int_equal(add_zone(b, "mesh"), 0);
	assert_int_equal(add_a(b, "alpha.mesh", "240.0.0.1", 60), 0);
	assert_int_equal(table_builder_set_owner(b, "alpha.mesh", 1), 0);
	assert_int_equal(add_a(b, "open.mesh", "240.0.0.2", 60), 0);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		assert_int_equal(table_builder_add_srv(b, cases[i].srv, 0, 0,
				 80, i == 3 ? "open.mesh" : "alpha.mesh", 60),
				 0);
	assert_int_equal(table_builder_set_owner(b, "_a._tcp.one.mesh", 1),
			 0);
	assert_int_equal(table_builder_set_owner(b, "_a._tcp.two.mesh", 2),
			 0);
	assert_int_equal(table_builder_set_owner(b, "_b._tcp.two.mesh", 2),
			 0);
	assert_int_equal(table_builder_finish(b, &t), 0);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct table_rrset *set = table_node_rrset(
			lookup(t, cases[i].srv), LDNS_RR_TYPE_SRV);

		assert_non_null(set);
		assert_int_equal(set->add_count, cases[i].add_count);
	}
	table_free(t);
}

static void
test_owner_errors(void **state)
{
	struct table_builder *b = table_builder_new();
	struct table *t = NULL;
	uint8_t addr[16] = { 240, 0, 0, 1 };

	assert_int_equal(add_zone(b, "mesh"), 0);
	assert_int_equal(table_builder_add_addr_owned(b, "a.mesh", AF_INET,
						      addr, 60, 7), 0);
	/* Unowned records of the name leave its owner. */
	addr[3] = 2;
	assert_int_equal(table_builder_add_addr(b, "a.mesh", AF_INET, addr,
						60), 0);
	addr[3] = 3;
	assert_int_equal(table_builder_add_addr_owned(b, "a.mesh", AF_INET,
						      addr, 60, 8), -EEXIST);
	assert_int_equal(table_builder_add_addr_owned(b, "a.mesh", AF_INET,
						      addr, 60, 7), 0);
	assert_int_equal(table_builder_set_owner(b, "b.mesh", 7), -ENOENT);
	assert_int_equal(table_builder_set_owner(b, "b..mesh", 7), -EINVAL);
	/* The apex exists only once finished. */
	assert_int_equal(table_builder_set_owner(b, "mesh", 7), -ENOENT);
	assert_int_equal(table_builder_set_owner(b, "A.mesh", 8), 0);
	assert_int_equal(table_builder_add_view(b, AF_UNIX, addr), -EINVAL);
	assert_int_equal(table_builder_add_view(b, AF_INET, NULL), -EINVAL);
	assert_int_equal(table_builder_view_allow(b, 0, 1), -EINVAL);
	assert_int_equal(table_builder_view_allow_all(b, 0), -EINVAL);
	assert_int_equal(table_builder_add_view(b, AF_INET, addr), 0);
	assert_int_equal(table_builder_view_allow(b, 0, TABLE_OWNER_NONE),
			 -EINVAL);
	assert_int_equal(table_builder_view_allow(b, 1, 1), -EINVAL);
	assert_int_equal(table_builder_view_allow(b, -1, 1), -EINVAL);
	assert_int_equal(table_builder_view_allow(b, 0, 8), 0);
	assert_int_equal(table_builder_finish(b, &t), 0);
	/* Three A records, owner 8 (set last), seen by 240.0.0.3 only. */
	assert_int_equal(table_node_rrset(lookup(t, "a.mesh"),
					  LDNS_RR_TYPE_A)->count, 3);
	assert_true(sees(t, "a.mesh", "240.0.0.3"));
	assert_true(sees(t, "a.mesh", "240.0.0.4"));
	table_free(t);
}

static void
test_many_views(void **state)
{
	struct table_builder *b = table_builder_new();
	struct table *t = NULL;
	char ip[32];
	char name[64];
	int i;

	assert_int_equal(add_zone(b, "mesh"), 0);
	for (i = 0; i < 300; i++) {
		uint8_t addr[4] = { 240, 0, (uint8_t)(i >> 8), (uint8_t)i };

		snprintf(name, sizeof(name), "s%d.mesh", i);
		assert_int_equal(table_builder_add_addr_owned(
			b, name, AF_INET, addr, 60, (uint32_t)i), 0);
	}
	/* Client 10.0.x.y sees the services i with i % 3 == its own % 3. */
	for (i = 0; i < 3000; i++) {
		uint8_t addr[4] = { 10, 0, (uint8_t)(i >> 8), (uint8_t)i };
		int v = table_builder_add_view(b, AF_INET, addr);
		int s;

		assert_int_equal(v, i);
		for (s = i % 3; s < 300; s += 3)
			assert_int_equal(table_builder_view_allow(
				b, v, (uint32_t)s), 0);
	}
	assert_int_equal(table_builder_finish(b, &t), 0);
	assert_int_equal(table_view_count(t), 3000);
	for (i = 0; i < 3000; i += 7) {
		int s = (i * 13) % 300;

		snprintf(ip, sizeof(ip), "10.0.%d.%d", i >> 8, i & 0xff);
		snprintf(name, sizeof(name), "s%d.mesh", s);
		assert_int_equal(sees(t, name, ip), s % 3 == i % 3);
	}
	table_free(t);
}

static void
test_chaos(void **state)
{
	static const uint8_t expect[] = {
		0xc0, 0x0c, 0x00, 0x10, 0x00, 0x03, 0x00, 0x00, 0x00, 0x00,
		0x00, 0x0e, 13, 'm', 'e', 's', 'h', 'd', 'n', 's', ' ', '0',
		'.', '1', '.', '0',
	};
	static const struct {
		const char *name;
		const char *txt;	/* NULL: none */
	} cases[] = {
		{ "version.bind", "meshdns 0.1.0" },
		{ "version.server", "meshdns 0.1.0" },
		{ "id.server", NULL },
		{ "hostname.bind", "" },
		{ "version.bind.x", NULL },
		{ "bind", NULL },
		{ "authors.bind", NULL },
	};
	struct table_builder *b = table_builder_new();
	struct table *t = NULL;
	const struct table_rrset *set = NULL;
	char big[300];
	uint8_t w[256];
	size_t i;

	memset(big, 'x', 256);
	big[256] = '\0';
	assert_int_equal(table_builder_set_chaos(b, "old", "old", "old"), 0);
	assert_int_equal(table_builder_set_chaos(b, NULL, big, NULL), -EINVAL);
	assert_int_equal(table_builder_set_chaos(b, "meshdns 0.1.0", NULL, ""),
			 0);
	assert_int_equal(table_builder_finish(b, &t), 0);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t len = wire(cases[i].name, w);
		char text[600];
		char expect_text[600];

		set = table_chaos_txt(t, w, len);
		if (cases[i].txt == NULL) {
			assert_null(set);
			continue;
		}
		assert_non_null(set);
		assert_int_equal(set->type, LDNS_RR_TYPE_TXT);
		assert_int_equal(set->count, 1);
		rrset_text(set, cases[i].name, text, sizeof(text));
		snprintf(expect_text, sizeof(expect_text),
			 "%s.\t0\tCH\tTXT\t\"%s\"\n", cases[i].name,
			 cases[i].txt);
		assert_string_equal(text, expect_text);
	}
	set = table_chaos_txt(t, w, wire("version.bind", w));
	assert_memory_equal(set->wire, expect, sizeof(expect));
	table_free(t);

	/* Nothing set: all hidden. */
	assert_int_equal(table_builder_finish(table_builder_new(), &t), 0);
	assert_null(table_chaos_txt(t, w, wire("version.bind", w)));
	table_free(t);
}

static void
test_search_suffixes(void **state)
{
	static const struct {
		const char *name;
		bool match;
	} cases[] = {
		{ "redis.mesh.svc.cluster.local", true },
		/* Not canonical: the caller lower-cases. */
		{ "REDIS.MESH.svc.cluster.local", false },
		{ "mesh.svc.cluster.local", true },
		{ "a.b.c.mesh.svc.cluster.local", true },
		{ "redis.mesh.local.svc.cluster.local", true },
		{ "redis.svc.cluster.local", false },
		{ "svc.cluster.local", false },
		{ "cluster.local", false },
		{ "redis.mesh.default.svc.cluster.local", true },
		{ "redis.mesh.kuma-demo.svc.cluster.local", true },
		{ "redis.mesh.a.b.svc.cluster.local", false },
		{ "redis.other.default.svc.cluster.local", false },
		{ "redis.mesh.ec2.internal", true },
		{ "redis.mesh.internal", false },
		{ "redis.mesh.example.com", false },
		{ "redis.mesh", false },
		{ "x.svc.cluster.local.svc.cluster.local", false },
	};
	struct table_builder *b = table_builder_new();
	struct table *t = NULL;
	size_t i;

	assert_int_equal(add_zone(b, "mesh"), 0);
	assert_int_equal(add_zone(b, "mesh.local"), 1);
	assert_int_equal(table_builder_add_search_suffix(b,
							 "svc.cluster.local"),
			 0);
	assert_int_equal(table_builder_add_search_suffix(b,
							 "SVC.cluster.local."),
			 0);
	assert_int_equal(table_builder_add_search_suffix(b,
						"*.svc.cluster.local"), 0);
	assert_int_equal(table_builder_add_search_suffix(b, "ec2.internal"),
			 0);
	assert_int_equal(table_builder_add_search_suffix(b, "*"), -EINVAL);
	assert_int_equal(table_builder_add_search_suffix(b, "*."), -EINVAL);
	assert_int_equal(table_builder_add_search_suffix(b, "a.*.b"),
			 -EINVAL);
	assert_int_equal(table_builder_add_search_suffix(b, "*.*.b"),
			 -EINVAL);
	assert_int_equal(table_builder_add_search_suffix(b, "a..b"), -EINVAL);
	assert_int_equal(table_builder_add_search_suffix(b, NULL), -EINVAL);
	assert_int_equal(table_builder_finish(b, &t), 0);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint8_t w[256];
		ldns_rdf *rdf = NULL;
		size_t len;

		/* Not lower-cased: the caller does that. */
		assert_int_equal(ldns_str2rdf_dname(&rdf, cases[i].name),
				 LDNS_STATUS_OK);
		len = ldns_rdf_size(rdf);
		memcpy(w, ldns_rdf_data(rdf), len);
		ldns_rdf_deep_free(rdf);
		print_message("%s\n", cases[i].name);
		assert_int_equal(table_search_match(t, w, len),
				 cases[i].match);
	}
	table_free(t);
}

static void
test_srv_ptr_digest(void **state)
{
	static const struct {
		int what;
		int same;
	} cases[] = {
		{ 0, 1 },
		{ 1, 0 },	/* an SRV port */
		{ 2, 0 },	/* an SRV target */
		{ 3, 0 },	/* a PTR target */
		{ 4, 1 },	/* owners, views, CHAOS and suffixes */
		{ 5, 0 },	/* an SRV priority */
	};
	uint64_t d0 = 0;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct table_builder *b = table_builder_new();
		int w = cases[i].what;
		uint64_t d;

		assert_int_equal(add_zone(b, "mesh"), 0);
		assert_int_equal(add_a(b, "a.mesh", "240.0.0.1", 60), 0);
		assert_int_equal(table_builder_add_srv(b, "_x._tcp.a.mesh",
						       w == 5, 0,
						       w == 1 ? 81 : 80,
						       w == 2 ? "b.mesh" :
						       "a.mesh", 60), 0);
		assert_int_equal(table_builder_add_ptr(b, "p.mesh",
						       w == 3 ? "b.mesh" :
						       "a.mesh", 60), 0);
		if (w == 4) {
			uint8_t addr[4] = { 127, 0, 0, 2 };

			assert_int_equal(table_builder_set_owner(b, "a.mesh",
								 5), 0);
			assert_int_equal(table_builder_add_view(b, AF_INET,
								addr), 0);
			assert_int_equal(table_builder_set_chaos(b, "v", NULL,
								 NULL), 0);
			assert_int_equal(table_builder_add_search_suffix(
				b, "cluster.local"), 0);
		}
		d = table_builder_zone_digest(b, 0);
		if (i == 0)
			d0 = d;
		else if (cases[i].same)
			assert_int_equal(d, d0);
		else
			assert_int_not_equal(d, d0);
		table_builder_free(b);
	}
}

/* --- serialize, deserialize --- */

/*
 * Names asked of the tables compared: apexes, names with records, empty
 * non-terminals, absent names, names in no zone, CHAOS names, search
 * expansions.
 */
static const char *const probe_names[] = {
	"mesh", "sub.mesh", "mesh.local", "241.in-addr.arpa",
	"redis.mesh", "web.mesh", "_http._tcp.web.mesh", "_tcp.web.mesh",
	"alpha.svc.mesh", "_http._tcp.alpha.svc.mesh", "_tcp.alpha.svc.mesh",
	"svc.mesh", "beta.svc.mesh", "gamma.mesh", "x.sub.mesh",
	"deep.x.sub.mesh", "a.b.web.svc.mesh.local", "b.web.svc.mesh.local",
	"svc.mesh.local", "1.0.0.241.in-addr.arpa", "0.0.241.in-addr.arpa",
	"nope.mesh", "nope.sub.mesh", "sub.mesh.local", "example.com",
	"local", ".", "other.example", "redis.mesh.svc.cluster.local",
	"redis.mesh.default.svc.cluster.local", "redis.mesh.a.b.cluster.local",
	"redis.mesh.ec2.internal", "redis.nope.ec2.internal",
	"version.bind", "version.server", "id.server", "hostname.bind",
	"authors.bind",
};

#define NPROBE_NAMES (sizeof(probe_names) / sizeof(probe_names[0]))
#define NPROBE_CLIENTS 8

static const uint16_t probe_types[] = {
	LDNS_RR_TYPE_A, LDNS_RR_TYPE_NS, LDNS_RR_TYPE_SOA, LDNS_RR_TYPE_PTR,
	LDNS_RR_TYPE_MX, LDNS_RR_TYPE_TXT, LDNS_RR_TYPE_AAAA,
	LDNS_RR_TYPE_SRV, LDNS_RR_TYPE_ANY,
};

/* The probe names in wire form and the client addresses, made once. */
struct probes {
	uint8_t w[NPROBE_NAMES][256];
	size_t len[NPROBE_NAMES];
	struct sockaddr_storage ss[NPROBE_CLIENTS];
	const struct sockaddr *client[NPROBE_CLIENTS];
};

static void
probes_init(struct probes *p)
{
	static const char *const ips[NPROBE_CLIENTS] = {
		NULL, "127.0.0.2", "127.0.0.3", "fd00::2", "::ffff:127.0.0.3",
		"127.0.0.9", "7f00:2::", "unix",
	};
	size_t i;

	memset(p, 0, sizeof(*p));
	for (i = 0; i < NPROBE_NAMES; i++)
		p->len[i] = wire(probe_names[i], p->w[i]);
	for (i = 0; i < NPROBE_CLIENTS; i++) {
		if (ips[i] == NULL)
			continue;
		if (strcmp(ips[i], "unix") == 0) {
			/* Not an IP address: no view. */
			p->ss[i].ss_family = AF_UNIX;
		} else if (strchr(ips[i], ':') != NULL) {
			struct sockaddr_in6 a = sin6(ips[i]);

			memcpy(&p->ss[i], &a, sizeof(a));
		} else {
			struct sockaddr_in a = sin4(ips[i]);

			memcpy(&p->ss[i], &a, sizeof(a));
		}
		p->client[i] = (const struct sockaddr *)&p->ss[i];
	}
}

/*
 * A table with a bit of everything: a zone inside another, a reverse
 * zone, A/AAAA, SRV with additional records, PTR, owners and views (one
 * allowed everything, the default hiding owned names), CHAOS strings and
 * search suffixes.  Zones differ in their SOA, so that answers tell them
 * apart.
 */
static struct table *
rich_table(void)
{
	static const char *const apexes[] = {
		"mesh", "mesh.local", "sub.mesh", "241.in-addr.arpa",
	};
	struct table_builder *b = table_builder_new();
	struct table *t = NULL;
	uint8_t addr[4] = { 240, 0, 0, 1 };
	char err[256];
	int v;
	size_t i;

	assert_non_null(b);
	for (i = 0; i < sizeof(apexes) / sizeof(apexes[0]); i++) {
		struct table_zone_params p = zone_params(apexes[i]);

		p.minimum = 30 + (uint32_t)i;
		p.ttl = 60 + (uint32_t)i;
		assert_int_equal(table_builder_add_zone(b, &p, err,
							sizeof(err)), (int)i);
	}
	assert_int_equal(add_a(b, "redis.mesh", "240.0.0.1", 60), 0);
	assert_int_equal(add_a(b, "redis.mesh", "fd00::1", 60), 0);
	assert_int_equal(add_a(b, "web.mesh", "241.0.0.1", 60), 0);
	assert_int_equal(add_a(b, "web.mesh", "fd00::2", 30), 0);
	assert_int_equal(add_a(b, "a.b.web.svc.mesh.local", "240.0.0.2", 60),
			 0);
	assert_int_equal(add_a(b, "x.sub.mesh", "240.0.0.3", 60), 0);
	assert_int_equal(add_a(b, "deep.x.sub.mesh", "fd00::3", 60), 0);
	assert_int_equal(table_builder_add_srv(b, "_http._tcp.web.mesh", 0, 0,
					       8080, "web.mesh", 30), 0);
	assert_int_equal(table_builder_add_srv(b, "web.mesh", 0, 0, 9090,
					       "web.mesh", 60), 0);
	assert_int_equal(table_builder_add_srv(b, "web.mesh", 1, 0, 80,
					       "other.example", 60), 0);
	assert_int_equal(table_builder_add_ptr(b, "1.0.0.241.in-addr.arpa",
					       "redis.mesh", 60), 0);
	assert_int_equal(table_builder_add_addr_owned(b, "alpha.svc.mesh",
						      AF_INET, addr, 60, 1), 0);
	assert_int_equal(table_builder_add_srv(b, "_http._tcp.alpha.svc.mesh",
					       0, 0, 80, "alpha.svc.mesh", 60),
			 0);
	assert_int_equal(table_builder_set_owner(b,
						 "_http._tcp.alpha.svc.mesh",
						 1), 0);
	addr[3] = 2;
	assert_int_equal(table_builder_add_addr_owned(b, "beta.svc.mesh",
						      AF_INET, addr, 60, 2), 0);
	addr[3] = 3;
	assert_int_equal(table_builder_add_addr_owned(b, "gamma.mesh",
						      AF_INET, addr, 60, 3), 0);
	v = add_view(b, "127.0.0.2");
	assert_int_equal(table_builder_view_allow(b, v, 1), 0);
	v = add_view(b, "127.0.0.3");
	assert_int_equal(table_builder_view_allow(b, v, 2), 0);
	assert_int_equal(table_builder_view_allow(b, v, 3), 0);
	v = add_view(b, "fd00::2");
	assert_int_equal(table_builder_view_allow_all(b, v), 0);
	table_builder_set_default_view(b, 0);
	assert_int_equal(table_builder_set_chaos(b, "meshdns 0.1.0", NULL,
						 "host-a"), 0);
	assert_int_equal(table_builder_add_search_suffix(b,
							 "svc.cluster.local"),
			 0);
	assert_int_equal(table_builder_add_search_suffix(b,
						"*.svc.cluster.local"), 0);
	assert_int_equal(table_builder_add_search_suffix(b, "ec2.internal"),
			 0);
	assert_int_equal(table_builder_finish(b, &t), 0);
	return t;
}

/* The same answer from two tables: equal bytes, in different memory. */
static void
assert_same_rrset(const struct table_rrset *x, const struct table_rrset *y)
{
	if (x == NULL) {
		assert_null(y);
		return;
	}
	assert_non_null(y);
	assert_int_equal(x->type, y->type);
	assert_int_equal(x->count, y->count);
	assert_int_equal(x->len, y->len);
	assert_int_equal(x->add_count, y->add_count);
	assert_int_equal(x->add_len, y->add_len);
	assert_int_equal(x->apex_rel[0], y->apex_rel[0]);
	assert_int_equal(x->apex_rel[1], y->apex_rel[1]);
	assert_ptr_not_equal(x->wire, y->wire);
	assert_memory_equal(x->wire, y->wire, (size_t)x->len + x->add_len);
}

/* Every read-side question gets the same answer from @x and @y. */
static void
assert_same_tables(const struct table *x, const struct table *y,
		   const struct probes *p)
{
	const struct table_zone *mx = NULL;
	const struct table_zone *my = NULL;
	size_t off = 0;
	size_t i;
	size_t k;

	assert_int_equal(table_zone_count(x), table_zone_count(y));
	assert_int_equal(table_name_count(x), table_name_count(y));
	assert_int_equal(table_record_count(x), table_record_count(y));
	assert_int_equal(table_node_count(x), table_node_count(y));
	assert_int_equal(table_view_count(x), table_view_count(y));
	/* The zone of the first name, to ask every name in a wrong zone. */
	mx = table_find_zone(x, p->w[0], p->len[0], &off);
	my = table_find_zone(y, p->w[0], p->len[0], &off);
	for (i = 0; i < NPROBE_NAMES; i++) {
		const uint8_t *w = p->w[i];
		size_t len = p->len[i];
		size_t offx = 0;
		size_t offy = 0;
		const struct table_zone *zx = table_find_zone(x, w, len, &offx);
		const struct table_zone *zy = table_find_zone(y, w, len, &offy);
		const struct table_node *nx = NULL;
		const struct table_node *ny = NULL;

		assert_int_equal(zx == NULL, zy == NULL);
		assert_int_equal(table_search_match(x, w, len),
				 table_search_match(y, w, len));
		assert_same_rrset(table_chaos_txt(x, w, len),
				  table_chaos_txt(y, w, len));
		if (mx != NULL) {
			nx = table_lookup(x, mx, w, len);
			ny = table_lookup(y, my, w, len);
			assert_int_equal(nx == NULL, ny == NULL);
		}
		if (zx == NULL)
			continue;
		assert_int_equal(offx, offy);
		assert_same_rrset(table_zone_soa_authority(zx),
				  table_zone_soa_authority(zy));
		nx = table_lookup(x, zx, w, len);
		ny = table_lookup(y, zy, w, len);
		assert_int_equal(nx == NULL, ny == NULL);
		for (k = 0; k < sizeof(probe_types) / sizeof(probe_types[0]);
		     k++)
			assert_same_rrset(table_node_rrset(nx, probe_types[k]),
					  table_node_rrset(ny, probe_types[k]));
		for (k = 0; k < NPROBE_CLIENTS; k++) {
			bool hx = false;
			bool hy = false;
			const struct table_node *cx = table_lookup_client(
				x, zx, w, len, p->client[k], &hx);
			const struct table_node *cy = table_lookup_client(
				y, zy, w, len, p->client[k], &hy);

			assert_int_equal(hx, hy);
			assert_true(cx == NULL || cx == nx);
			assert_true(cy == NULL || cy == ny);
			assert_int_equal(cx == NULL, cy == NULL);
			if (nx != NULL)
				assert_int_equal(
					table_node_visible(x, nx, p->client[k]),
					table_node_visible(y, ny,
							   p->client[k]));
		}
	}
}

/* The bytes of @t, which must serialize. */
static uint8_t *
serialized(const struct table *t, size_t *len)
{
	uint8_t *bytes = NULL;

	assert_int_equal(table_serialize(t, &bytes, len), 0);
	assert_non_null(bytes);
	assert_true(*len > 0);
	return bytes;
}

/* @len bytes that must deserialize, into *u, without a message. */
static void
deserialize_ok(const uint8_t *bytes, size_t len, struct table **u)
{
	char err[512] = "not written";
	int rc = table_deserialize(bytes, len, u, err, sizeof(err));

	if (rc != 0)
		print_error("table_deserialize: %s\n", err);
	assert_int_equal(rc, 0);
	assert_string_equal(err, "");
	assert_non_null(*u);
}

/*
 * Serialize @t, read it back from an unaligned copy that is freed at
 * once, compare every answer, check that the copy serializes to the same
 * bytes once @t is gone.  Frees @t.
 */
static void
round_trip(struct table *t)
{
	struct probes p;
	struct table *u = NULL;
	uint8_t *bytes = NULL;
	uint8_t *copy = NULL;
	uint8_t *again = NULL;
	size_t len = 0;
	size_t len2 = 0;

	probes_init(&p);
	bytes = serialized(t, &len);
	copy = malloc(len + 1);
	assert_non_null(copy);
	memcpy(copy + 1, bytes, len);
	deserialize_ok(copy + 1, len, &u);
	free(copy);
	assert_same_tables(t, u, &p);
	table_free(t);
	again = serialized(u, &len2);
	assert_int_equal(len2, len);
	assert_memory_equal(again, bytes, len);
	table_free(u);
	free(again);
	free(bytes);
}

static void
test_serialize_round_trip(void **state)
{
	struct probes p;
	struct table *t = rich_table();
	struct table *same = rich_table();
	struct table *u = NULL;
	const struct table_zone *z = NULL;
	const struct table_rrset *set = NULL;
	uint8_t *bytes = NULL;
	uint8_t *bytes2 = NULL;
	size_t len = 0;
	size_t len2 = 0;
	size_t off = 0;
	uint8_t w[256];
	size_t wl = 0;
	struct sockaddr_in a;
	bool hidden = false;

	/* The same table twice: the same bytes (no addresses, no garbage). */
	bytes = serialized(t, &len);
	bytes2 = serialized(same, &len2);
	assert_int_equal(len, len2);
	assert_memory_equal(bytes, bytes2, len);
	table_free(same);
	free(bytes2);

	/* What the comparison covers is really there in the copy. */
	probes_init(&p);
	deserialize_ok(bytes, len, &u);
	assert_same_tables(t, u, &p);
	assert_int_equal(table_zone_count(u), 4);
	assert_int_equal(table_view_count(u), 3);
	/* The inner zone sub.mesh, 7 bytes into deep.x.sub.mesh. */
	wl = wire("deep.x.sub.mesh", w);
	assert_non_null(table_find_zone(u, w, wl, &off));
	assert_int_equal(off, 7);
	assert_non_null(table_node_rrset(lookup(u, "deep.x.sub.mesh"),
					 LDNS_RR_TYPE_AAAA));
	/* Not in the inner zone's names. */
	z = table_find_zone(u, w, wl, &off);
	wl = wire("_http._tcp.web.mesh", w);
	assert_null(table_lookup(u, z, w, wl));
	set = table_node_rrset(lookup(u, "_http._tcp.web.mesh"),
			       LDNS_RR_TYPE_SRV);
	assert_non_null(set);
	assert_int_equal(set->add_count, 2);
	/* Owner 1: seen by 127.0.0.2 only, hidden by default. */
	wl = wire("alpha.svc.mesh", w);
	z = table_find_zone(u, w, wl, &off);
	a = sin4("127.0.0.3");
	assert_null(table_lookup_client(u, z, w, wl, (struct sockaddr *)&a,
					&hidden));
	assert_true(hidden);
	assert_null(table_lookup_client(u, z, w, wl, NULL, &hidden));
	assert_true(hidden);
	a = sin4("127.0.0.2");
	assert_non_null(table_lookup_client(u, z, w, wl,
					    (struct sockaddr *)&a, &hidden));
	assert_false(hidden);
	assert_non_null(table_chaos_txt(u, w, wire("version.bind", w)));
	assert_null(table_chaos_txt(u, w, wire("id.server", w)));
	assert_true(table_search_match(u, w, wire(
		"redis.mesh.default.svc.cluster.local", w)));
	assert_false(table_search_match(u, w, wire(
		"redis.mesh.a.b.cluster.local", w)));
	table_free(u);
	free(bytes);

	round_trip(t);
}

static void
test_serialize_small_tables(void **state)
{
	struct table_builder *b = NULL;
	struct table *t = NULL;
	uint8_t addr[4] = { 127, 0, 0, 2 };

	/* No zone at all. */
	assert_int_equal(table_builder_finish(table_builder_new(), &t), 0);
	round_trip(t);

	/* One zone and nothing else. */
	b = table_builder_new();
	assert_int_equal(add_zone(b, "mesh"), 0);
	assert_int_equal(table_builder_finish(b, &t), 0);
	round_trip(t);

	/* Names, but no views, CHAOS or suffixes. */
	b = table_builder_new();
	assert_int_equal(add_zone(b, "mesh"), 0);
	assert_int_equal(add_zone(b, "sub.mesh"), 1);
	assert_int_equal(add_a(b, "redis.mesh", "240.0.0.1", 60), 0);
	assert_int_equal(add_a(b, "x.sub.mesh", "fd00::1", 60), 0);
	assert_int_equal(table_builder_add_srv(b, "_x._tcp.redis.mesh", 0, 0,
					       80, "redis.mesh", 60), 0);
	assert_int_equal(table_builder_finish(b, &t), 0);
	round_trip(t);

	/*
	 * Owned names hidden by default without any view; a view allowed
	 * everything and no (view, owner) pair; only an empty CHAOS string.
	 */
	b = table_builder_new();
	assert_int_equal(add_zone(b, "mesh"), 0);
	assert_int_equal(table_builder_add_addr_owned(b, "alpha.svc.mesh",
						      AF_INET, addr, 60, 1), 0);
	table_builder_set_default_view(b, 0);
	assert_int_equal(table_builder_set_chaos(b, NULL, NULL, ""), 0);
	assert_int_equal(table_builder_finish(b, &t), 0);
	round_trip(t);
	b = table_builder_new();
	assert_int_equal(add_zone(b, "mesh"), 0);
	assert_int_equal(table_builder_add_addr_owned(b, "alpha.svc.mesh",
						      AF_INET, addr, 60, 1), 0);
	assert_int_equal(table_builder_view_allow_all(b,
						      add_view(b, "127.0.0.2")),
			 0);
	assert_int_equal(table_builder_finish(b, &t), 0);
	round_trip(t);
}

/*
 * Everything a query may do with @t, which may come from corrupted
 * bytes: under AddressSanitizer any read outside the table fails.  Every
 * RRset's RRs must fill it exactly, as answer.c walks them.
 */
static volatile unsigned sink;

static void
check_rrs(const uint8_t *wire, size_t len, size_t count)
{
	size_t off = 0;
	size_t n = 0;
	size_t i;

	for (i = 0; i < len; i++)
		sink += wire[i];
	while (off < len) {
		assert_true(len - off >= 12);
		off += 12 + (size_t)(wire[off + 10] << 8 | wire[off + 11]);
		n++;
	}
	assert_int_equal(off, len);
	assert_int_equal(n, count);
}

static void
check_rrset(const struct table_rrset *set)
{
	if (set == NULL)
		return;
	assert_true(set->count > 0);
	check_rrs(set->wire, set->len, set->count);
	check_rrs(set->wire + set->len, set->add_len, set->add_count);
}

static void
exercise(const struct table *t, const struct probes *p)
{
	size_t i;
	size_t k;

	sink += (unsigned)(table_zone_count(t) + table_name_count(t) +
			   table_record_count(t) + table_node_count(t) +
			   table_view_count(t));
	for (i = 0; i < NPROBE_NAMES; i++) {
		const uint8_t *w = p->w[i];
		size_t len = p->len[i];
		size_t off = 0;
		const struct table_zone *z = table_find_zone(t, w, len, &off);
		const struct table_node *n = NULL;

		check_rrset(table_chaos_txt(t, w, len));
		sink += table_search_match(t, w, len);
		if (z == NULL)
			continue;
		check_rrset(table_zone_soa_authority(z));
		n = table_lookup(t, z, w, len);
		for (k = 0; k < sizeof(probe_types) / sizeof(probe_types[0]);
		     k++)
			check_rrset(table_node_rrset(n, probe_types[k]));
		for (k = 0; k < NPROBE_CLIENTS; k++) {
			bool hidden = false;

			sink += table_lookup_client(t, z, w, len,
						    p->client[k],
						    &hidden) != NULL;
			if (n != NULL)
				sink += table_node_visible(t, n, p->client[k]);
		}
	}
}

static char not_a_table;

/*
 * Deserialize possibly corrupted bytes: -EINVAL, or a table that answers
 * safely and whose own bytes then round-trip unchanged.  Returns rc.
 */
static int
try_bytes(const uint8_t *bytes, size_t len, const struct probes *p)
{
	/* Not a table: table_deserialize() must clear it on failure. */
	struct table *u = (struct table *)&not_a_table;
	struct table *v = NULL;
	uint8_t *b1 = NULL;
	uint8_t *b2 = NULL;
	size_t l1 = 0;
	size_t l2 = 0;
	char err[512];
	int rc = table_deserialize(bytes, len, &u, err, sizeof(err));

	if (rc != 0) {
		assert_int_equal(rc, -EINVAL);
		assert_null(u);
		assert_true(err[0] != '\0');
		return rc;
	}
	assert_string_equal(err, "");
	exercise(u, p);
	b1 = serialized(u, &l1);
	deserialize_ok(b1, l1, &v);
	b2 = serialized(v, &l2);
	assert_int_equal(l1, l2);
	assert_memory_equal(b1, b2, l1);
	table_free(u);
	table_free(v);
	free(b1);
	free(b2);
	return 0;
}

static void
test_deserialize_truncated(void **state)
{
	struct probes p;
	struct table *t = rich_table();
	struct table *u = NULL;
	uint8_t *bytes = NULL;
	uint8_t *longer = NULL;
	size_t len = 0;
	size_t i;

	probes_init(&p);
	bytes = serialized(t, &len);
	for (i = 0; i < len; i++)
		assert_int_equal(try_bytes(bytes, i, &p), -EINVAL);
	/* Trailing bytes are not one whole table either. */
	longer = calloc(1, len + 8);
	assert_non_null(longer);
	memcpy(longer, bytes, len);
	assert_int_equal(try_bytes(longer, len + 1, &p), -EINVAL);
	assert_int_equal(try_bytes(longer, len + 8, &p), -EINVAL);
	assert_int_equal(table_deserialize(NULL, 0, &u, NULL, 0), -EINVAL);
	assert_null(u);
	assert_int_equal(try_bytes(bytes, len, &p), 0);
	free(longer);
	free(bytes);
	table_free(t);
}

/*
 * Words of struct image_head in table.c: counts, sizes, three flags and
 * the default scope.
 */
#define HEAD_WORDS 16

static void
test_deserialize_bad_header(void **state)
{
	struct probes p;
	struct table *t = rich_table();
	uint8_t *bytes = NULL;
	uint8_t *bad = NULL;
	size_t len = 0;
	size_t i;
	size_t k;

	probes_init(&p);
	bytes = serialized(t, &len);
	bad = malloc(len);
	assert_non_null(bad);
	/* The header, then the first zone: every 64-bit word. */
	for (i = 0; i + 8 <= len && i < 64 * 8; i += 8) {
		uint64_t orig;
		uint64_t vals[9];

		memcpy(&orig, bytes + i, 8);
		vals[0] = 0;
		vals[1] = 1;
		vals[2] = orig - 1;
		vals[3] = orig + 1;
		vals[4] = orig * 2;
		vals[5] = UINT32_MAX;
		vals[6] = (uint64_t)UINT32_MAX + 1;
		vals[7] = UINT64_MAX;
		vals[8] = orig ^ (1ULL << 63);
		for (k = 0; k < sizeof(vals) / sizeof(vals[0]); k++) {
			int rc;

			if (vals[k] == orig)
				continue;
			memcpy(bad, bytes, len);
			memcpy(bad + i, &vals[k], 8);
			rc = try_bytes(bad, len, &p);
			/*
			 * In the header every count and size is checked
			 * against the others; only a flag may change
			 * (the default view or scopes, 0 or 1; the
			 * default scope is NONE without scopes).
			 */
			if (i / 8 < HEAD_WORDS && (orig > 1 || vals[k] > 1))
				assert_int_equal(rc, -EINVAL);
		}
	}
	free(bad);
	free(bytes);
	table_free(t);
}

/*
 * Hash tables without a free slot would make probes loop for ever.  A
 * table with one view and no zone keeps the image simple: after the
 * header come the node slots (no zones, an empty arena), and the pairs
 * end just before the three CHAOS descriptors (no CHAOS bytes, no
 * suffixes).  Words of the header: 3 node slots, 5 pair slots, 8 nodes.
 */
static void
test_deserialize_full_hash_tables(void **state)
{
	struct probes p;
	struct table_builder *b = table_builder_new();
	struct table *t = NULL;
	uint8_t *bytes = NULL;
	uint8_t *bad = NULL;
	uint64_t head[HEAD_WORDS];
	uint64_t key = (uint64_t)0 << 32 | 7;	/* view 0, owner 7 */
	uint32_t unit = 0;
	size_t len = 0;
	size_t pairs;
	size_t taken = 0;
	size_t i;

	probes_init(&p);
	assert_int_equal(table_builder_view_allow(b, add_view(b, "127.0.0.2"),
						  7), 0);
	assert_int_equal(table_builder_finish(b, &t), 0);
	bytes = serialized(t, &len);
	bad = malloc(len);
	assert_non_null(bad);
	memcpy(head, bytes, sizeof(head));
	pairs = len - 3 * sizeof(struct table_rrset) - head[5] * 8;
	assert_int_equal(try_bytes(bytes, len, &p), 0);

	/* Every pair slot taken (all are free but the one pair's). */
	memcpy(bad, bytes, len);
	for (i = 0; i < head[5]; i++) {
		uint64_t v;

		memcpy(&v, bad + pairs + i * 8, 8);
		taken += v != UINT64_MAX;
		if (v != UINT64_MAX)
			assert_int_equal(v, key);
		memcpy(bad + pairs + i * 8, &key, 8);
	}
	assert_int_equal(taken, 1);
	assert_int_equal(try_bytes(bad, len, &p), -EINVAL);

	/* Every node slot taken, as many nodes claimed. */
	memcpy(bad, bytes, len);
	for (i = 0; i < head[3] * 4; i++)
		assert_int_equal(bad[HEAD_WORDS * 8 + i], 0xff);
	for (i = 0; i < head[3]; i++)
		memcpy(bad + HEAD_WORDS * 8 + i * 4, &unit, 4);
	memcpy(bad + 8 * 8, &head[3], 8);
	assert_int_equal(try_bytes(bad, len, &p), -EINVAL);

	/*
	 * 15 slots take the room of 16 (padded to 8 bytes), but a mask of
	 * 14 would probe in circles.
	 */
	memcpy(bad, bytes, len);
	assert_int_equal(head[3], 16);
	head[3] = 15;
	memcpy(bad + 3 * 8, &head[3], 8);
	assert_int_equal(try_bytes(bad, len, &p), -EINVAL);
	free(bad);
	free(bytes);
	table_free(t);
}

/* xorshift32: the same trials on every run. */
static uint32_t
next_rand(uint32_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

static void
test_deserialize_random_flips(void **state)
{
	struct probes p;
	struct table *t = rich_table();
	uint8_t *bytes = NULL;
	uint8_t *bad = NULL;
	uint32_t seed = 20240601;
	size_t len = 0;
	size_t accepted = 0;
	size_t trial;

	probes_init(&p);
	bytes = serialized(t, &len);
	bad = malloc(len);
	assert_non_null(bad);
	for (trial = 0; trial < 4000; trial++) {
		size_t nflips = 1 + next_rand(&seed) % 4;
		size_t f;

		memcpy(bad, bytes, len);
		for (f = 0; f < nflips; f++) {
			uint32_t r = next_rand(&seed);
			size_t at = next_rand(&seed) % len;

			/* A bit, or a whole byte replaced. */
			if (r & 0x100)
				bad[at] ^= (uint8_t)(1u << (r % 8));
			else
				bad[at] = (uint8_t)r;
		}
		if (try_bytes(bad, len, &p) == 0)
			accepted++;
	}
	print_message("%zu of 4000 corrupted images (%zu bytes) accepted\n",
		      accepted, len);
	/* Both outcomes happen: the accepted ones were exercised. */
	assert_true(accepted > 0);
	assert_true(accepted < 4000);
	free(bad);
	free(bytes);
	table_free(t);
}

/*
 * A table for the record checks: db.mesh with two A RRs and an AAAA, an
 * SRV RRset whose additional section holds them, a PTR, a CHAOS answer;
 * the two zones' negative SOAs differ (their minimum).
 */
static struct table *
records_table(void)
{
	struct table_builder *b = table_builder_new();
	struct table_zone_params p = zone_params("241.in-addr.arpa");
	struct table *t = NULL;
	char err[256];

	assert_non_null(b);
	assert_int_equal(add_zone(b, "mesh"), 0);
	p.minimum = 31;
	assert_int_equal(table_builder_add_zone(b, &p, err, sizeof(err)), 1);
	assert_int_equal(add_a(b, "db.mesh", "240.0.0.1", 60), 0);
	assert_int_equal(add_a(b, "db.mesh", "240.0.0.2", 60), 0);
	assert_int_equal(add_a(b, "db.mesh", "fd00::1", 60), 0);
	assert_int_equal(table_builder_add_srv(b, "_pg._tcp.db.mesh", 0, 0,
					       5432, "db.mesh", 60), 0);
	assert_int_equal(table_builder_add_ptr(b, "1.0.0.241.in-addr.arpa",
					       "db.mesh", 60), 0);
	assert_int_equal(table_builder_set_chaos(b, "meshdns 0.1.0", NULL,
						 NULL), 0);
	assert_int_equal(table_builder_finish(b, &t), 0);
	return t;
}

/*
 * Where in the image @img the byte @p of @set's memory (its descriptor,
 * in the arena before its bytes, or its bytes) is: found through @set's
 * bytes, which must occur once in the image (the arena is copied whole).
 */
static size_t
image_at(const uint8_t *img, size_t len, const struct table_rrset *set,
	 const void *p)
{
	size_t n = (size_t)set->len + set->add_len;
	const uint8_t *w = memmem(img, len, set->wire, n);

	assert_non_null(w);
	assert_null(memmem(w + 1, len - (size_t)(w + 1 - img), set->wire, n));
	return (size_t)(w - img) + (size_t)((const uint8_t *)p - set->wire);
}

static void
put16(uint8_t *img, size_t at, uint16_t v)
{
	img[at] = (uint8_t)(v >> 8);
	img[at + 1] = (uint8_t)v;
}

/* @bad must be refused with exactly @msg; then @bad is @img again. */
static void
assert_refused(uint8_t *bad, const uint8_t *img, size_t len, const char *msg)
{
	struct table *u = NULL;
	char err[512];
	int rc = table_deserialize(bad, len, &u, err, sizeof(err));

	if (rc == 0)
		print_error("accepted, expected: %s\n", msg);
	assert_int_equal(rc, -EINVAL);
	assert_null(u);
	assert_string_equal(err, msg);
	memcpy(bad, img, len);
}

/*
 * Records forged in a good image, everything else intact (in a cache
 * file the checksum would be recomputed): only the record checks can
 * refuse them, each with what is wrong.  table_image.h's contract.
 */
static void
test_deserialize_bad_records(void **state)
{
	static const uint8_t ptr_rdata[] = "\003dbx\002me\300\014";
	struct table *t = records_table();
	struct table *u = NULL;
	const struct table_rrset *a = NULL;
	const struct table_rrset *aaaa = NULL;
	const struct table_rrset *srv = NULL;
	const struct table_rrset *ptr = NULL;
	const struct table_rrset *neg = NULL;
	const struct table_rrset *txt = NULL;
	uint8_t *img = NULL;
	uint8_t *bad = NULL;
	uint8_t w[256];
	uint64_t records;
	uint16_t count;
	size_t len = 0;
	size_t off = 0;
	size_t at;
	size_t add;

	a = table_node_rrset(lookup(t, "db.mesh"), LDNS_RR_TYPE_A);
	aaaa = table_node_rrset(lookup(t, "db.mesh"), LDNS_RR_TYPE_AAAA);
	srv = table_node_rrset(lookup(t, "_pg._tcp.db.mesh"),
			       LDNS_RR_TYPE_SRV);
	ptr = table_node_rrset(lookup(t, "1.0.0.241.in-addr.arpa"),
			       LDNS_RR_TYPE_PTR);
	neg = table_zone_soa_authority(table_find_zone(t, w, wire("db.mesh", w),
						       &off));
	txt = table_chaos_txt(t, w, wire("version.bind", w));
	assert_non_null(a);
	assert_int_equal(a->count, 2);
	assert_non_null(aaaa);
	assert_non_null(srv);
	assert_int_equal(srv->add_count, 3);
	assert_non_null(ptr);
	assert_non_null(txt);
	img = serialized(t, &len);
	bad = malloc(len);
	assert_non_null(bad);
	memcpy(bad, img, len);
	deserialize_ok(img, len, &u);
	table_free(u);

	/* An owner pointer one byte into the question name. */
	at = image_at(img, len, a, a->wire + 16);
	put16(bad, at, 0xc00d);
	assert_refused(bad, img, len, "node \"db.mesh.\", A RRset: RR 2: "
		       "owner pointer 0xc00d, not 0xc00c");
	/* The negative SOA's owner is the apex, which answer.c patches. */
	at = image_at(img, len, neg, neg->wire);
	put16(bad, at, 0xc00c);
	assert_refused(bad, img, len, "zone \"mesh.\", SOA RRset: RR 1: "
		       "owner pointer 0xc00c, not 0xc000");

	/* RDLENGTH past the RRset's bytes. */
	at = image_at(img, len, aaaa, aaaa->wire + 10);
	put16(bad, at, 17);
	assert_refused(bad, img, len, "node \"db.mesh.\", AAAA RRset: RR 1: "
		       "RDLENGTH 17 runs past the RRset's end (16 bytes left)");

	/* Counts: the descriptor's, then two A RRs walked as one. */
	at = image_at(img, len, a, (const uint8_t *)a +
		      offsetof(struct table_rrset, count));
	count = 3;
	memcpy(bad + at, &count, sizeof(count));
	assert_refused(bad, img, len, "node \"db.mesh.\", A RRset: 2 RRs, "
		       "the descriptor says 3");
	count = 1;
	memcpy(bad + at, &count, sizeof(count));
	put16(bad, image_at(img, len, a, a->wire + 10), 20);
	/* And one RR fewer in the header's count (its word 10). */
	memcpy(&records, bad + 10 * 8, sizeof(records));
	assert_int_equal(records, table_record_count(t));
	records--;
	memcpy(bad + 10 * 8, &records, sizeof(records));
	assert_refused(bad, img, len, "node \"db.mesh.\", A RRset: RR 1: "
		       "20 bytes are not one A RDATA");

	/* Class and type. */
	put16(bad, image_at(img, len, a, a->wire + 4), LDNS_RR_CLASS_CH);
	assert_refused(bad, img, len, "node \"db.mesh.\", A RRset: RR 1: "
		       "class 3, not 1");
	at = image_at(img, len, txt, txt->wire + 4);
	put16(bad, at, LDNS_RR_CLASS_IN);
	assert_refused(bad, img, len, "CHAOS answer 0, TXT RRset: RR 1: "
		       "class 1, not 3");

	/*
	 * The additional RRs' owners: 0xC000 plus the offset of the SRV
	 * target in the answer (12 + 6 = 0x12), which answer.c relocates;
	 * one byte into the target, or the SRV RR's owner, is not it.
	 */
	add = image_at(img, len, srv, srv->wire + srv->len);
	assert_int_equal(bad[add], 0xc0);
	assert_int_equal(bad[add + 1], 0x12);
	put16(bad, add, 0xc013);
	assert_refused(bad, img, len, "node \"_pg._tcp.db.mesh.\", SRV RRset: "
		       "additional RR 1: owner pointer 0xc013 is not 0xc000 "
		       "plus the offset of the next SRV target in the answer");
	put16(bad, add, 0xc000);
	assert_refused(bad, img, len, "node \"_pg._tcp.db.mesh.\", SRV RRset: "
		       "additional RR 1: owner pointer 0xc000 is not 0xc000 "
		       "plus the offset of the next SRV target in the answer");
	put16(bad, add + 2, LDNS_RR_TYPE_SRV);
	assert_refused(bad, img, len, "node \"_pg._tcp.db.mesh.\", SRV RRset: "
		       "additional RR 1: type SRV");

	/*
	 * A compressed RDATA name may point into the question (the node's
	 * name at offset 12, which answer.c copies there), at a label.
	 */
	at = image_at(img, len, ptr, ptr->wire + 12);
	assert_int_equal(ptr->len, 12 + sizeof(ptr_rdata) - 1);
	memcpy(bad + at, ptr_rdata, sizeof(ptr_rdata) - 1);
	deserialize_ok(bad, len, &u);
	table_free(u);
	put16(bad, at + 7, 0xc00d);
	assert_refused(bad, img, len, "node \"1.0.0.241.in-addr.arpa.\", PTR "
		       "RRset: RR 1: 9 bytes are not one PTR RDATA");

	free(bad);
	free(img);
	table_free(t);
}

/*
 * Where in the image @img the descriptor of the negative SOA @neg of zone
 * 0 is: the first place its fields before the wire offset occur as
 * rrset_out() stores them (zones are stored in order; a node's SOA
 * RRset has apex_rel 0).  The refusal names the zone it was found in.
 */
static size_t
image_neg_at(const uint8_t *img, size_t len, const struct table_rrset *neg)
{
	struct table_rrset c;
	const size_t n = offsetof(struct table_rrset, wire);
	const uint8_t *at = NULL;

	memset(&c, 0, sizeof(c));
	c.type = neg->type;
	c.count = neg->count;
	c.len = neg->len;
	c.apex_rel[0] = neg->apex_rel[0];
	c.apex_rel[1] = neg->apex_rel[1];
	at = memmem(img, len, &c, n);
	assert_non_null(at);
	return (size_t)(at - img);
}

/*
 * Compressed RDATA names forged in a good image (table_image.h: a
 * pointer goes back, to a label start of the question or of an earlier
 * RDATA name of the same RRset; the negative SOA's pointers are where
 * apex_rel says, and no other RRset has apex_rel).  The apex NS RRset
 * of "mesh" as a client sees it: the question \004mesh\0 at 12, the
 * answer at 22, RR 1's RDATA \003ns1\004mesh\0 at 34 (10 bytes), RR 2's
 * \003ns2 and a pointer to 38 (RR 1's "mesh") at 56.
 */
static void
test_deserialize_bad_pointers(void **state)
{
	static const uint8_t ns_rdata[] = "\003ns1\004mesh\000"
		"\300\014\000\002\000\001\000\000\000\074\000\006\003ns2\300\046";
	struct table *t = records_table();
	struct table *u = NULL;
	const struct table_rrset *ns = NULL;
	const struct table_rrset *neg = NULL;
	const struct table_rrset *a = NULL;
	uint8_t *img = NULL;
	uint8_t *bad = NULL;
	uint8_t w[256];
	uint16_t rel[2];
	size_t len = 0;
	size_t off = 0;
	size_t rd1;
	size_t rd2;
	size_t at;

	ns = table_node_rrset(lookup(t, "mesh"), LDNS_RR_TYPE_NS);
	neg = table_zone_soa_authority(table_find_zone(t, w, wire("db.mesh", w),
						       &off));
	a = table_node_rrset(lookup(t, "db.mesh"), LDNS_RR_TYPE_A);
	assert_non_null(ns);
	assert_int_equal(ns->count, 2);
	assert_int_equal(ns->len, 12 + 10 + 12 + 6);
	assert_memory_equal(ns->wire + 12, ns_rdata, sizeof(ns_rdata) - 1);
	/* RNAME hostmaster.mesh ends in a pointer to MNAME's "mesh". */
	assert_int_equal(neg->apex_rel[0], 0);
	assert_int_not_equal(neg->apex_rel[1], 0);
	img = serialized(t, &len);
	bad = malloc(len);
	assert_non_null(bad);
	memcpy(bad, img, len);

	/*
	 * RR 1's RDATA as \007abcdefg and a pointer, 10 bytes still: to the
	 * question's "mesh" (12) it is a name a client reads; to RR 2's
	 * "ns2" (56, later), to its own first label (34), into a label (13)
	 * or at the question's root label (17) it is not.
	 */
	rd1 = image_at(img, len, ns, ns->wire + 12);
	rd2 = image_at(img, len, ns, ns->wire + 22 + 12);
	memcpy(img + rd1, "\007abcdefg", 8);	/* the base of these cases */
	put16(img, rd1 + 8, 0xc00c);
	put16(img, rd2 + 4, 0xc00c);		/* RR 2: ns2.mesh still */
	memcpy(bad, img, len);
	deserialize_ok(bad, len, &u);
	table_free(u);
	put16(bad, rd1 + 8, 0xc000 | 56);
	assert_refused(bad, img, len, "node \"mesh.\", NS RRset: RR 1: "
		       "10 bytes are not one NS RDATA");
	put16(bad, rd1 + 8, 0xc000 | 34);
	assert_refused(bad, img, len, "node \"mesh.\", NS RRset: RR 1: "
		       "10 bytes are not one NS RDATA");
	put16(bad, rd1 + 8, 0xc000 | 13);
	assert_refused(bad, img, len, "node \"mesh.\", NS RRset: RR 1: "
		       "10 bytes are not one NS RDATA");
	put16(bad, rd1 + 8, 0xc000 | 17);
	assert_refused(bad, img, len, "node \"mesh.\", NS RRset: RR 1: "
		       "10 bytes are not one NS RDATA");
	memcpy(img + rd1, "\003ns1\004mesh\000", 10);
	put16(img, rd2 + 4, 0xc000 | 38);
	memcpy(bad, img, len);
	deserialize_ok(bad, len, &u);
	table_free(u);

	/* RR 2's pointer into RR 1's "ns1" label (35), not at its start. */
	put16(bad, rd2 + 4, 0xc000 | 35);
	assert_refused(bad, img, len, "node \"mesh.\", NS RRset: RR 2: "
		       "6 bytes are not one NS RDATA");

	/*
	 * The negative SOA's apex_rel: RNAME's pointer not where it says
	 * (answer.c would relocate two bytes of the serial), or not said.
	 */
	at = image_neg_at(img, len, neg) +
	     offsetof(struct table_rrset, apex_rel);
	memcpy(rel, bad + at, sizeof(rel));
	rel[1] = (uint16_t)(rel[1] + 2);
	memcpy(bad + at, rel, sizeof(rel));
	assert_refused(bad, img, len, "zone \"mesh.\", SOA RRset: RR 1: "
		       "43 bytes are not one SOA RDATA");
	rel[1] = 0;
	memcpy(bad + at, rel, sizeof(rel));
	assert_refused(bad, img, len, "zone \"mesh.\", SOA RRset: RR 1: "
		       "43 bytes are not one SOA RDATA");

	/* A node's RRset with apex_rel: answer.c would never relocate it. */
	at = image_at(img, len, a, (const uint8_t *)a +
		      offsetof(struct table_rrset, apex_rel));
	rel[0] = 14;
	rel[1] = 0;
	memcpy(bad + at, rel, sizeof(rel));
	assert_refused(bad, img, len, "node \"db.mesh.\", A RRset: apex_rel "
		       "14 and 0, not 0: answer.c relocates the negative SOA's "
		       "pointers only");

	free(bad);
	free(img);
	table_free(t);
}

/* A (view, owner) pair of a view that does not exist. */
static void
test_deserialize_bad_pair(void **state)
{
	struct table *t = rich_table();
	const uint64_t key = (uint64_t)1 << 32 | 2;	/* view 1, owner 2 */
	const uint64_t forged = (uint64_t)7 << 32 | 2;
	struct table *u = NULL;
	uint8_t *img = NULL;
	uint8_t *at = NULL;
	size_t len = 0;
	char err[512];
	const char *tail = ": view 7 of 3";

	img = serialized(t, &len);
	at = memmem(img, len, &key, sizeof(key));
	assert_non_null(at);
	assert_null(memmem(at + 1, len - (size_t)(at + 1 - img), &key,
			   sizeof(key)));
	memcpy(at, &forged, sizeof(forged));
	assert_int_equal(table_deserialize(img, len, &u, err, sizeof(err)),
			 -EINVAL);
	assert_null(u);
	assert_int_equal(strncmp(err, "pair slot ", 10), 0);
	assert_true(strlen(err) > strlen(tail));
	assert_string_equal(err + strlen(err) - strlen(tail), tail);
	free(img);
	table_free(t);
}

/*
 * The address of @name's A RRset as client @ip (NULL: none) sees it,
 * "NX" (NXDOMAIN, and whether hidden in *hidden) or "-" (no A RRset).
 */
static const char *
scoped_a(const struct table *t, const char *name, const char *ip,
	 char *buf, size_t size, bool *hidden)
{
	uint8_t w[256];
	size_t len = wire(name, w);
	size_t off = 0;
	const struct table_zone *z = table_find_zone(t, w, len, &off);
	const struct table_node *n = NULL;
	const struct table_rrset *set = NULL;
	struct sockaddr_in a4;

	assert_non_null(z);
	if (ip != NULL)
		a4 = sin4(ip);
	n = table_lookup_client(t, z, w, len, ip != NULL ?
				(struct sockaddr *)&a4 : NULL, hidden);
	if (n == NULL)
		return "NX";
	if (ip != NULL)
		assert_true(table_node_visible(t, n, (struct sockaddr *)&a4));
	if ((set = table_node_rrset(n, 1)) == NULL)
		return "-";
	assert_int_equal(set->count, 1);
	inet_ntop(AF_INET, set->wire + RR_FIXED_TEST, buf, (socklen_t)size);
	return buf;
}

/* Meshes as scopes: default (0) and payments (1), and a shared name. */
static struct table *
scoped_table(void)
{
	struct table_builder *b = table_builder_new();
	struct table *t = NULL;
	uint8_t a[4] = { 241, 0, 0, 1 };
	int v;

	assert_non_null(b);
	assert_int_equal(add_zone(b, "mesh.local"), 0);
	assert_int_equal(add_a(b, "shared.mesh.local", "10.0.0.9", 60), 0);
	table_builder_set_scope(b, 0);
	assert_int_equal(add_a(b, "redis.svc.mesh.local", "241.0.0.1", 60), 0);
	assert_int_equal(table_builder_add_addr_owned(
		b, "web.svc.mesh.local", AF_INET, a, 60, 7), 0);
	table_builder_set_scope(b, 1);
	assert_int_equal(add_a(b, "redis.svc.mesh.local", "241.0.0.2", 60), 0);
	assert_int_equal(add_a(b, "pay.svc.mesh.local", "241.0.0.3", 60), 0);
	/* Another scope's owner of the same name is no conflict. */
	a[3] = 4;
	assert_int_equal(table_builder_add_addr_owned(
		b, "web.svc.mesh.local", AF_INET, a, 60, 8), 0);
	assert_int_equal(table_builder_set_owner(b, "redis.svc.mesh.local",
						 9), 0);
	table_builder_set_scope(b, TABLE_SCOPE_NONE);
	v = add_view(b, "127.0.0.2");
	assert_int_equal(table_builder_view_set_scope(b, v, 0), 0);
	assert_int_equal(table_builder_view_allow_all(b, v), 0);
	v = add_view(b, "127.0.0.3");
	assert_int_equal(table_builder_view_set_scope(b, v, 1), 0);
	assert_int_equal(table_builder_view_allow(b, v, 8), 0);
	assert_int_equal(table_builder_view_allow(b, v, 9), 0);
	assert_int_equal(table_builder_view_set_scope(b, 2, 1), -EINVAL);
	table_builder_set_default_scope(b, 0);
	assert_int_equal(table_builder_finish(b, &t), 0);
	return t;
}

static void
check_scoped(const struct table *t)
{
	static const struct {
		const char *name;
		const char *ip;
		const char *want;
		bool hidden;
	} cases[] = {
		{ "redis.svc.mesh.local", "127.0.0.2", "241.0.0.1", false },
		{ "redis.svc.mesh.local", "127.0.0.3", "241.0.0.2", false },
		/* Not a view: the default scope. */
		{ "redis.svc.mesh.local", "127.0.0.1", "241.0.0.1", false },
		{ "redis.svc.mesh.local", NULL, "241.0.0.1", false },
		/* Only in payments: NXDOMAIN elsewhere, as hidden. */
		{ "pay.svc.mesh.local", "127.0.0.3", "241.0.0.3", false },
		{ "pay.svc.mesh.local", "127.0.0.2", "NX", true },
		{ "pay.svc.mesh.local", NULL, "NX", true },
		/* Owners apply within the scope. */
		{ "web.svc.mesh.local", "127.0.0.2", "241.0.0.1", false },
		{ "web.svc.mesh.local", "127.0.0.3", "241.0.0.4", false },
		{ "web.svc.mesh.local", NULL, "241.0.0.1", false },
		/* Shared names and the apex: every scope. */
		{ "shared.mesh.local", "127.0.0.3", "10.0.0.9", false },
		{ "shared.mesh.local", "127.0.0.2", "10.0.0.9", false },
		{ "mesh.local", "127.0.0.3", "-", false },
		/* Empty non-terminals are the scope's. */
		{ "svc.mesh.local", "127.0.0.3", "-", false },
		{ "svc.mesh.local", NULL, "-", false },
		{ "nope.mesh.local", "127.0.0.3", "NX", false },
	};
	char buf[64];
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		bool hidden = true;
		const char *got = scoped_a(t, cases[i].name, cases[i].ip, buf,
					   sizeof(buf), &hidden);

		if (strcmp(got, cases[i].want) != 0 ||
		    hidden != cases[i].hidden)
			print_error("%s from %s: %s (hidden %d)\n",
				    cases[i].name, cases[i].ip ? cases[i].ip :
				    "-", got, hidden);
		assert_string_equal(got, cases[i].want);
		assert_int_equal(hidden, cases[i].hidden);
	}
}

static void
test_scopes(void **state)
{
	struct table *t = scoped_table();
	struct table *u = NULL;
	uint8_t *bytes = NULL;
	size_t len = 0;

	(void)state;
	check_scoped(t);
	/* The start-up cache image keeps the scopes. */
	bytes = serialized(t, &len);
	deserialize_ok(bytes, len, &u);
	check_scoped(u);
	table_free(t);
	table_free(u);
	free(bytes);
}

/* TXT records (the catalog zone's version), and the zone accessors. */
static void
test_txt_and_zone_walk(void **state)
{
	struct table_builder *b = table_builder_new();
	struct table *t = NULL;
	const struct table_rrset *set = NULL;
	const struct table_zone *z = NULL;
	const uint8_t *apex = NULL;
	char text[4096];
	char big[256];
	size_t len = 0;

	assert_int_equal(add_zone(b, "catalog.invalid"), 0);
	assert_int_equal(add_zone(b, "mesh"), 1);
	table_builder_set_serial(b, 0, 1700000001);
	assert_int_equal(table_builder_add_txt(b, "version.catalog.invalid",
					       "2", 0), 0);
	assert_int_equal(table_builder_add_txt(b, "version.catalog.invalid",
					       "2", 0), 0);
	assert_int_equal(table_builder_add_ptr(b, "m1.zones.catalog.invalid",
					       "mesh", 0), 0);
	memset(big, 'x', 255);
	big[255] = '\0';
	assert_int_equal(table_builder_add_txt(b, "a.mesh", big, 0), -EINVAL);
	big[254] = '\0';
	assert_int_equal(table_builder_add_txt(b, "a.mesh", big, 0), 0);
	assert_int_equal(table_builder_add_txt(b, "a.other", "x", 0), -ENOENT);
	assert_int_equal(table_builder_finish(b, &t), 0);

	set = table_node_rrset(lookup(t, "version.catalog.invalid"),
			       LDNS_RR_TYPE_TXT);
	assert_non_null(set);
	rrset_text(set, "version.catalog.invalid", text, sizeof(text));
	assert_string_equal(text,
			    "version.catalog.invalid.\t0\tIN\tTXT\t\"2\"\n");
	set = table_node_rrset(lookup(t, "a.mesh"), LDNS_RR_TYPE_TXT);
	assert_non_null(set);
	assert_int_equal(set->len, RR_FIXED_TEST + 255);

	assert_int_equal(table_zone_count(t), 2);
	z = table_zone_at(t, 0);
	assert_non_null(z);
	apex = table_zone_apex(z, &len);
	assert_int_equal(len, 17);
	assert_memory_equal(apex, "\7catalog\7invalid", 17);
	assert_int_equal(table_soa_serial(table_zone_soa(t, z)), 1700000001);
	assert_int_equal(table_soa_serial(table_zone_soa(t, table_zone_at(t,
								1))), 1);
	assert_null(table_zone_at(t, 2));
	assert_int_equal(table_soa_serial(NULL), 0);
	round_trip(t);	/* frees t */
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_zones_and_counts),
		cmocka_unit_test(test_zone_errors),
		cmocka_unit_test(test_addr_errors),
		cmocka_unit_test(test_duplicates_kept_once),
		cmocka_unit_test(test_a_wire_bytes),
		cmocka_unit_test(test_apex_soa_ns),
		cmocka_unit_test(test_negative_ttl_is_min),
		cmocka_unit_test(test_empty_non_terminals),
		cmocka_unit_test(test_find_zone_nested),
		cmocka_unit_test(test_zone_added_after_names),
		cmocka_unit_test(test_digest),
		cmocka_unit_test(test_many_names),
		cmocka_unit_test(test_free_null),
		cmocka_unit_test(test_empty_table),
		cmocka_unit_test(test_srv),
		cmocka_unit_test(test_srv_additional_limits),
		cmocka_unit_test(test_srv_errors),
		cmocka_unit_test(test_ptr),
		cmocka_unit_test(test_views),
		cmocka_unit_test(test_scopes),
		cmocka_unit_test(test_srv_additional_owners),
		cmocka_unit_test(test_owner_errors),
		cmocka_unit_test(test_many_views),
		cmocka_unit_test(test_chaos),
		cmocka_unit_test(test_search_suffixes),
		cmocka_unit_test(test_srv_ptr_digest),
		cmocka_unit_test(test_serialize_round_trip),
		cmocka_unit_test(test_txt_and_zone_walk),
		cmocka_unit_test(test_serialize_small_tables),
		cmocka_unit_test(test_deserialize_truncated),
		cmocka_unit_test(test_deserialize_bad_header),
		cmocka_unit_test(test_deserialize_full_hash_tables),
		cmocka_unit_test(test_deserialize_random_flips),
		cmocka_unit_test(test_deserialize_bad_records),
		cmocka_unit_test(test_deserialize_bad_pointers),
		cmocka_unit_test(test_deserialize_bad_pair),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
