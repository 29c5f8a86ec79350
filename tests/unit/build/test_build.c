/* SPDX-License-Identifier: MIT */
/* test_build.c -- the whole pipeline: files -> snapshot -> answers. */
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
#include <unistd.h>

#include <ldns/ldns.h>

#include "dns/answer.h"
#include "build/build.h"
#include "build/snapshot.h"
#include "build/state.h"
#include "build/vip.h"
#include "dns/table.h"
#include "../tmpdir.h"

struct env {
	char dir[256];
	char path[300];
	char *resources[1];
	struct build_options opt;
};

static void
write_file(const struct env *e, const char *name, const char *text)
{
	char path[512];
	FILE *fp = NULL;

	snprintf(path, sizeof(path), "%s/%s", e->dir, name);
	fp = fopen(path, "w");
	assert_non_null(fp);
	fputs(text, fp);
	fclose(fp);
}

static void
remove_file(const struct env *e, const char *name)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/%s", e->dir, name);
	assert_int_equal(unlink(path), 0);
}

static int
setup(void **state)
{
	struct env *e = calloc(1, sizeof(*e));

	assert_non_null(e);
	assert_int_equal(test_tmpname(e->dir, sizeof(e->dir),
				      "meshdns-test-build"), 0);
	assert_non_null(mkdtemp(e->dir));
	e->resources[0] = e->dir;
	e->opt.resources = e->resources;
	e->opt.nresources = 1;
	write_file(e, "gen.yaml",
		   "type: HostnameGenerator\nname: g\n"
		   "spec:\n  selector:\n    meshService:\n"
		   "      matchLabels: {}\n"
		   "  template: '{{ .Name }}.svc.mesh.local'\n");
	*state = e;
	return 0;
}

static int
teardown(void **state)
{
	struct env *e = *state;
	char cmd[300];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", e->dir);
	assert_int_equal(system(cmd), 0);
	free(e);
	return 0;
}

static const char *
vip_of(const struct snapshot *s, const char *name, char *buf)
{
	size_t i;

	for (i = 0; i < s->nservices; i++) {
		if (strcmp(s->services[i].meta->name, name) != 0)
			continue;
		if (!netaddr_is_set(&s->services[i].vips.vip))
			return "none";
		return netaddr_format(&s->services[i].vips.vip, buf, 64);
	}
	return "absent";
}

static struct snapshot *
build(const struct env *e, const struct state *prev, int64_t now,
      size_t want_errors)
{
	struct snapshot *s = NULL;
	struct diag_list diags;

	diag_list_init(&diags);
	assert_int_equal(build_run(&s, &e->opt, prev, now, &diags), 0);
	if (diags.errors != want_errors)
		fail_msg("%zu errors, first: %s", diags.errors,
			 diags.n ? diags.v[0].msg : "-");
	assert_int_equal(s->errors, want_errors);
	diag_list_clear(&diags);
	return s;
}

#define SVC(name) \
	"type: MeshService\nname: " name "\nmesh: default\n" \
	"spec:\n  ports:\n  - port: 80\n    targetPort: 80\n"

static void
test_stable_vips(void **state)
{
	struct env *e = *state;
	struct state *st = state_new();
	struct snapshot *s1 = NULL;
	struct snapshot *s2 = NULL;
	struct snapshot *s3 = NULL;
	char buf[64];

	write_file(e, "b.yaml", SVC("bbb"));
	write_file(e, "c.yaml", SVC("ccc"));
	s1 = build(e, st, 1000, 0);
	assert_string_equal(vip_of(s1, "bbb", buf), "241.0.0.1");
	assert_string_equal(vip_of(s1, "ccc", buf), "241.0.0.2");
	assert_true(s1->state_changed);

	/* Same input: same VIPs, nothing to write. */
	s2 = build(e, s1->state, 1001, 0);
	assert_string_equal(vip_of(s2, "bbb", buf), "241.0.0.1");
	assert_false(s2->state_changed);

	/* A new service that sorts first does not shift the others; a
	 * removed one's VIP is not given to it. */
	remove_file(e, "b.yaml");
	write_file(e, "a.yaml", SVC("aaa"));
	s3 = build(e, s2->state, 1002, 0);
	assert_string_equal(vip_of(s3, "aaa", buf), "241.0.0.3");
	assert_string_equal(vip_of(s3, "ccc", buf), "241.0.0.2");
	assert_string_equal(vip_of(s3, "bbb", buf), "absent");
	assert_int_equal(vip_table_held(state_vips(s3->state)), 1);

	snapshot_free(s1);
	snapshot_free(s2);
	snapshot_free(s3);
	state_free(st);
}

static void
test_errors_release_nothing(void **state)
{
	struct env *e = *state;
	struct state *st = state_new();
	struct snapshot *s1 = NULL;
	struct snapshot *s2 = NULL;
	char buf[64];

	write_file(e, "b.yaml", SVC("bbb"));
	s1 = build(e, st, 1000, 0);
	/* bbb becomes invalid: it is left out, but keeps its VIP. */
	write_file(e, "b.yaml",
		   "type: MeshService\nname: bbb\nmesh: default\n"
		   "spec:\n  ports:\n  - port: 80\n    targetPort: 80\n"
		   "    appProtocol: kafka\n");
	s2 = build(e, s1->state, 5000, 1);
	assert_string_equal(vip_of(s2, "bbb", buf), "absent");
	assert_int_equal(vip_table_assigned(state_vips(s2->state)), 1);
	assert_int_equal(vip_table_held(state_vips(s2->state)), 0);
	snapshot_free(s1);
	snapshot_free(s2);
	state_free(st);
}

static void
test_pinned_vip(void **state)
{
	struct env *e = *state;
	struct state *st = state_new();
	struct snapshot *s = NULL;
	char buf[64];

	write_file(e, "p.yaml",
		   "type: MeshService\nname: pinned\nmesh: default\n"
		   "spec:\n  ports:\n  - port: 80\n    targetPort: 80\n"
		   "status:\n  vips:\n  - ip: 10.0.1.1\n");
	write_file(e, "b.yaml", SVC("bbb"));
	s = build(e, st, 1000, 0);
	assert_string_equal(vip_of(s, "pinned", buf), "10.0.1.1");
	assert_string_equal(vip_of(s, "bbb", buf), "241.0.0.1");
	snapshot_free(s);
	state_free(st);
}

static void
test_full_pool(void **state)
{
	struct env *e = *state;
	struct state *st = state_new();
	struct snapshot *s = NULL;
	struct diag_list diags;
	char buf[64];
	size_t i;

	/* A /30 has two usable addresses: the third service goes without,
	 * says why in its status and the log, and the others are served. */
	snprintf(e->path, sizeof(e->path), "%s/meshdns.conf", e->dir);
	write_file(e, "meshdns.conf",
		   "vip:\n  pools:\n    meshService: 10.9.0.0/30\n");
	e->opt.config_file = e->path;
	write_file(e, "a.yaml", SVC("aaa"));
	write_file(e, "b.yaml", SVC("bbb"));
	write_file(e, "c.yaml", SVC("ccc"));
	diag_list_init(&diags);
	assert_int_equal(build_run(&s, &e->opt, st, 1000, &diags), 0);
	assert_int_equal(s->errors, 0);
	assert_string_equal(vip_of(s, "aaa", buf), "10.9.0.1");
	assert_string_equal(vip_of(s, "bbb", buf), "10.9.0.2");
	assert_string_equal(vip_of(s, "ccc", buf), "none");
	for (i = 0; i < s->nservices; i++)
		if (strcmp(s->services[i].meta->name, "ccc") == 0)
			assert_string_equal(s->services[i].vip_error,
					    "could not allocate vip for "
					    "MeshService ccc: no addresses "
					    "left in pool 10.9.0.0/30");
	/* Three "no selector" warnings, then the pool's. */
	assert_int_equal(diags.n, 4);
	assert_int_equal(diags.errors, 0);
	assert_non_null(strstr(diags.v[3].msg, "could not allocate vip"));
	assert_non_null(strstr(diags.v[3].file, "c.yaml"));
	diag_list_clear(&diags);
	snapshot_free(s);
	state_free(st);
}

/* The SOA serial of mesh.local, as a client sees it. */
static uint32_t
serial_of(const struct snapshot *s)
{
	static const uint8_t q[] = {
		0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0,
		4, 'm', 'e', 's', 'h', 5, 'l', 'o', 'c', 'a', 'l', 0,
		0, 6, 0, 1,
	};
	struct answer_query_ctx ctx = { .t = s->table, .tr = ANSWER_UDP };
	uint8_t resp[512];
	ldns_pkt *pkt = NULL;
	ldns_rr *soa = NULL;
	uint32_t serial;
	size_t len;

	len = answer_query(&ctx, q, sizeof(q), resp, sizeof(resp), NULL);
	assert_true(len > 0);
	assert_int_equal(ldns_wire2pkt(&pkt, resp, len), LDNS_STATUS_OK);
	assert_int_equal(ldns_pkt_ancount(pkt), 1);
	soa = ldns_rr_list_rr(ldns_pkt_answer(pkt), 0);
	serial = ldns_rdf2native_int32(ldns_rr_rdf(soa, 2));
	ldns_pkt_free(pkt);
	return serial;
}

static void
test_serial_follows_content(void **state)
{
	struct env *e = *state;
	struct state *st = state_new();
	struct snapshot *s1 = NULL;
	struct snapshot *s2 = NULL;
	struct snapshot *s3 = NULL;

	write_file(e, "b.yaml", SVC("bbb"));
	s1 = build(e, st, 1000, 0);
	assert_int_equal(serial_of(s1), 1000);
	/* Unchanged content keeps the serial, later. */
	s2 = build(e, s1->state, 2000, 0);
	assert_int_equal(serial_of(s2), 1000);
	/* New content raises it. */
	write_file(e, "c.yaml", SVC("ccc"));
	s3 = build(e, s2->state, 3000, 0);
	assert_int_equal(serial_of(s3), 3000);
	snapshot_free(s1);
	snapshot_free(s2);
	snapshot_free(s3);
	state_free(st);
}

/*
 * After snapshot_trim() the per-service results are gone, and the struct
 * says so: no count without its array; service_count keeps the number.
 */
static void
test_trim_is_honest(void **state)
{
	struct env *e = *state;
	struct state *st = state_new();
	struct snapshot *s = NULL;
	struct snapshot *c = NULL;
	struct config *cfg = NULL;
	struct table *t = NULL;

	write_file(e, "a.yaml", SVC("aaa"));
	write_file(e, "b.yaml", SVC("bbb"));
	s = build(e, st, 1000, 0);
	assert_int_equal(s->nservices, 2);
	assert_non_null(s->services);
	assert_int_equal(s->service_count, 2);
	snapshot_trim(s);
	assert_null(s->services);
	assert_int_equal(s->nservices, 0);
	assert_null(s->legacy);
	assert_int_equal(s->nlegacy, 0);
	assert_null(s->set);
	assert_int_equal(s->service_count, 2);
	/* What serving needs is still there. */
	assert_non_null(s->cfg);
	assert_non_null(s->table);
	assert_non_null(s->state);
	assert_int_equal(vip_table_assigned(state_vips(s->state)), 2);
	snapshot_trim(s);
	assert_int_equal(s->service_count, 2);

	/* A snapshot from the cache has the count and no results. */
	cfg = config_new_default();
	assert_non_null(cfg);
	t = s->table;
	s->table = NULL;
	assert_int_equal(snapshot_from_cache(&c, cfg, state_clone(s->state), t,
					     s->service_count, 0), 0);
	assert_null(c->services);
	assert_int_equal(c->nservices, 0);
	assert_int_equal(c->service_count, 2);
	assert_true(c->from_cache);
	snapshot_free(c);
	snapshot_free(s);
	state_free(st);
}

/* The SOA serial of zone @apex (wire form) in @s's table. */
static uint32_t
zone_serial(const struct snapshot *s, const uint8_t *apex, size_t len)
{
	size_t off = 1;
	const struct table_zone *z = table_find_zone(s->table, apex, len,
						     &off);

	assert_non_null(z);
	assert_int_equal(off, 0);
	return table_soa_serial(table_zone_soa(s->table, z));
}

#define APEX(lit) (const uint8_t *)(lit), sizeof(lit)

/*
 * Serials: a zone the change does not touch keeps its serial; a changed
 * zone's serial grows even when the clock went back, and across a
 * restart (the state written and read back).
 */
static void
test_serial_per_zone_and_restart(void **state)
{
	struct env *e = *state;
	struct state *st = state_new();
	struct state *back = NULL;
	struct snapshot *s1 = NULL;
	struct snapshot *s2 = NULL;
	struct snapshot *s3 = NULL;
	struct snapshot *s4 = NULL;
	char err[256];
	char *text = NULL;
	size_t len = 0;

	write_file(e, "b.yaml", SVC("bbb"));
	s1 = build(e, st, 5000, 0);
	assert_int_equal(zone_serial(s1, APEX("\4mesh\5local")), 5000);
	assert_int_equal(zone_serial(s1, APEX("\003250\7in-addr\4arpa")), 5000);
	/* A new service, and the clock went back: still greater. */
	write_file(e, "c.yaml", SVC("ccc"));
	s2 = build(e, s1->state, 4000, 0);
	assert_int_equal(zone_serial(s2, APEX("\4mesh\5local")), 5001);
	assert_int_equal(zone_serial(s2, APEX("\003241\7in-addr\4arpa")), 5001);
	/* 250.in-addr.arpa (legacy pool, no VIP there) did not change. */
	assert_int_equal(zone_serial(s2, APEX("\003250\7in-addr\4arpa")), 5000);
	/* A restart: the state file's text read back. */
	assert_int_equal(state_format(s2->state, &text, &len), 0);
	assert_int_equal(state_parse(&back, text, len, err, sizeof(err)), 0);
	s3 = build(e, back, 6000, 0);
	assert_int_equal(zone_serial(s3, APEX("\4mesh\5local")), 5001);
	remove_file(e, "c.yaml");
	s4 = build(e, s3->state, 100, 0);
	assert_int_equal(zone_serial(s4, APEX("\4mesh\5local")), 5002);
	free(text);
	state_free(back);
	snapshot_free(s1);
	snapshot_free(s2);
	snapshot_free(s3);
	snapshot_free(s4);
	state_free(st);
}

/* transfer.catalog: an RFC 9432 catalog of every served zone. */
static void
test_catalog_zone(void **state)
{
	struct env *e = *state;
	struct state *st = state_new();
	struct snapshot *s1 = NULL;
	struct snapshot *s2 = NULL;
	struct snapshot *s3 = NULL;
	const struct table_zone *z = NULL;
	const struct table_node *n = NULL;
	const struct table_rrset *set = NULL;
	struct diag_list diags;
	size_t off = 0;
	char path[600];
	static const uint8_t version[] = "\7version\7catalog\7invalid";
	static const uint8_t m1[] = "\0204b6709781087dde9\5zones\7catalog"
				    "\7invalid";
	static const uint8_t m2[] = "\02047513ec80c695a16\5zones\7catalog"
				    "\7invalid";
	static const uint8_t m3[] = "\020c9b10e7961116a9d\5zones\7catalog"
				    "\7invalid";

	snprintf(path, sizeof(path), "%s/meshdns.conf", e->dir);
	write_file(e, "meshdns.conf", "transfer: {catalog: catalog.invalid}\n");
	e->opt.config_file = path;
	write_file(e, "b.yaml", SVC("bbb"));
	s1 = build(e, st, 1000, 0);
	/* mesh.local, mesh, 16 reverse zones (240/4 has 241-243), catalog */
	assert_int_equal(table_zone_count(s1->table), 2 + 16 + 1);
	z = table_find_zone(s1->table, version, sizeof(version), &off);
	assert_non_null(z);
	assert_int_equal(off, 8);
	n = table_lookup(s1->table, z, version, sizeof(version));
	set = table_node_rrset(n, LDNS_RR_TYPE_TXT);
	assert_non_null(set);
	assert_int_equal(set->count, 1);
	assert_memory_equal(set->wire + set->len - 2, "\0012", 2);
	/* Members: the PTR at the FNV-1a-64 of the member's name. */
	n = table_lookup(s1->table, z, m1, sizeof(m1));
	set = table_node_rrset(n, LDNS_RR_TYPE_PTR);
	assert_non_null(set);
	assert_int_equal(set->count, 1);
	assert_memory_equal(set->wire + set->len - 12, "\4mesh\5local", 12);
	assert_non_null(table_node_rrset(table_lookup(s1->table, z, m2,
						      sizeof(m2)),
					 LDNS_RR_TYPE_PTR));
	assert_non_null(table_node_rrset(table_lookup(s1->table, z, m3,
						      sizeof(m3)),
					 LDNS_RR_TYPE_PTR));
	/* NS invalid. (RFC 9432 section 4.1), TTL 0. */
	set = table_node_rrset(table_lookup(s1->table, z, version + 8,
					    sizeof(version) - 8),
			       LDNS_RR_TYPE_NS);
	assert_non_null(set);
	assert_int_equal(set->count, 1);
	assert_memory_equal(set->wire + set->len - 9, "\7invalid", 9);
	assert_memory_equal(set->wire + 6, "\0\0\0\0", 4);
	/* A service changes mesh.local, not the catalog: same serial. */
	write_file(e, "c.yaml", SVC("ccc"));
	s2 = build(e, s1->state, 2000, 0);
	assert_int_equal(zone_serial(s2, version + 8, sizeof(version) - 8),
			 1000);
	assert_int_equal(zone_serial(s2, APEX("\4mesh\5local")), 2000);
	/* A served zone named like the catalog is an error. */
	write_file(e, "meshdns.conf", "transfer: {catalog: mesh}\n");
	diag_list_init(&diags);
	assert_int_equal(build_run(&s3, &e->opt, s2->state, 3000, &diags), -1);
	assert_true(diags.errors > 0);
	assert_string_equal(diags.v[diags.n - 1].msg, "transfer.catalog mesh "
			    "is a served zone; expected a name of its own, "
			    "such as catalog.invalid");
	diag_list_clear(&diags);
	snapshot_free(s3);
	e->opt.config_file = NULL;
	snapshot_free(s1);
	snapshot_free(s2);
	state_free(st);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_stable_vips, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_errors_release_nothing,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_pinned_vip, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_full_pool, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_serial_follows_content,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_trim_is_honest, setup,
						teardown),
		cmocka_unit_test_setup_teardown(
			test_serial_per_zone_and_restart, setup, teardown),
		cmocka_unit_test_setup_teardown(test_catalog_zone, setup,
						teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
