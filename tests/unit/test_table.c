/* SPDX-License-Identifier: MIT */
/* test_table.c -- unit tests for table: zones, names, ENTs, wire data, digest. */
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
#include <sys/socket.h>

#include <ldns/ldns.h>

#include "table.h"

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
 * resolved against @owner placed at offset 12 of a scratch message.
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
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
