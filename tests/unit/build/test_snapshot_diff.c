/* SPDX-License-Identifier: MIT */
/* test_snapshot_diff.c -- what a reload changed, as its log line says it. */
#include "autoconfig.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "build/snapshot_diff.h"
#include "build/state.h"
#include "build/vip.h"
#include "dns/table_build.h"

/* A table of zone "mesh" with an A record for each of @names (NULL-ended),
 * and an SRV record at _http._tcp.<first name>. */
static struct table *
table_of(const char *const *names)
{
	static const char *const ns[] = { "ns.mesh" };
	struct table_zone_params p;
	struct table_builder *b = table_builder_new();
	struct table *t = NULL;
	uint8_t addr[4] = { 241, 0, 0, 1 };
	char srv[300];
	char err[256];
	size_t i;

	assert_non_null(b);
	memset(&p, 0, sizeof(p));
	p.apex = "mesh";
	p.mname = "ns.mesh";
	p.rname = "hostmaster.mesh";
	p.refresh = 3600;
	p.retry = 600;
	p.expire = 86400;
	p.minimum = 30;
	p.ttl = 60;
	p.ns = ns;
	p.nns = 1;
	assert_int_equal(table_builder_add_zone(b, &p, err, sizeof(err)), 0);
	for (i = 0; names[i] != NULL; i++) {
		addr[3] = (uint8_t)(i + 1);
		assert_int_equal(table_builder_add_addr(b, names[i], AF_INET,
							addr, 60), 0);
	}
	if (names[0] != NULL) {
		snprintf(srv, sizeof(srv), "_http._tcp.%s", names[0]);
		assert_int_equal(table_builder_add_srv(b, srv, 0, 0, 80,
						       names[0], 60), 0);
	}
	assert_int_equal(table_builder_finish(b, &t), 0);
	return t;
}

static void
vip(struct state *st, const char *addr, const char *key, int held)
{
	struct netaddr a;

	assert_int_equal(netaddr_parse(&a, addr), 0);
	assert_int_equal(vip_table_add(state_vips(st), &a, key, held,
				       held ? 4000 : 0), 0);
}

static void
line(const struct snapshot *old, const struct snapshot *new, char *buf,
     size_t size)
{
	struct snapshot_diff d;

	assert_int_equal(snapshot_diff_compute(&d, old, new), 0);
	snapshot_diff_format(&d, buf, size);
	snapshot_diff_clear(&d);
}

/* A template edit (newcomer.md A18): every name moves, no VIP does. */
static void
t_template_edit(void **unused)
{
	static const char *const before[] = {
		"redis.mesh", "web.mesh", "db.mesh", "api.mesh", NULL,
	};
	static const char *const after[] = {
		"redis.default.mesh", "web.default.mesh", "db.default.mesh",
		"api.default.mesh", NULL,
	};
	struct snapshot a;
	struct snapshot b;
	char buf[1024];

	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	a.table = table_of(before);
	b.table = table_of(after);
	a.state = state_new();
	b.state = state_new();
	vip(a.state, "241.0.0.1", "MeshService/default/redis", 0);
	vip(b.state, "241.0.0.1", "MeshService/default/redis", 0);
	line(&a, &b, buf, sizeof(buf));
	/* Names with addresses first; the SRV names count, the empty
	 * non-terminals (default.mesh) do not. */
	assert_string_equal(buf, "+5 names (redis.default.mesh, "
			    "web.default.mesh, db.default.mesh, ...), "
			    "-5 names (redis.mesh, web.mesh, db.mesh, ...); "
			    "+0 VIPs, -0 VIPs");
	line(&b, &a, buf, sizeof(buf));
	assert_string_equal(buf, "+5 names (redis.mesh, web.mesh, db.mesh, "
			    "...), -5 names (redis.default.mesh, "
			    "web.default.mesh, db.default.mesh, ...); "
			    "+0 VIPs, -0 VIPs");
	/* The other way round, cut to the buffer. */
	line(&a, &b, buf, 12);
	assert_string_equal(buf, "+5 names (r");
	table_free(a.table);
	table_free(b.table);
	state_free(a.state);
	state_free(b.state);
}

/* Nothing added or removed: one short line. */
static void
t_nothing(void **unused)
{
	static const char *const names[] = { "redis.mesh", NULL };
	struct snapshot a;
	struct snapshot b;
	char buf[256];

	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	a.table = table_of(names);
	b.table = table_of(names);
	a.state = state_new();
	b.state = state_new();
	vip(a.state, "241.0.0.1", "MeshService/default/redis", 0);
	vip(b.state, "241.0.0.1", "MeshService/default/redis", 0);
	line(&a, &b, buf, sizeof(buf));
	assert_string_equal(buf, "no name or VIP added or removed");
	table_free(a.table);
	table_free(b.table);
	state_free(a.state);
	state_free(b.state);
}

/*
 * VIPs: a released one (held back now) is removed, new ones added (the
 * lowest shown), one given to another key is both; counts in the singular.
 */
static void
t_vips(void **unused)
{
	static const char *const names[] = { "redis.mesh", NULL };
	struct snapshot a;
	struct snapshot b;
	char buf[1024];

	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	a.table = table_of(names);
	b.table = a.table;
	a.state = state_new();
	b.state = state_new();
	vip(a.state, "241.0.0.1", "MeshService/default/redis", 0);
	vip(a.state, "241.0.0.2", "MeshService/default/web", 0);
	vip(b.state, "241.0.0.1", "MeshService/default/redis", 0);
	vip(b.state, "241.0.0.2", "MeshService/default/web", 1);
	vip(b.state, "241.0.0.9", "MeshService/default/x", 0);
	vip(b.state, "241.0.0.4", "MeshService/default/y", 0);
	vip(b.state, "241.0.0.3", "MeshService/default/db", 0);
	vip(b.state, "241.0.0.5", "MeshService/default/z", 0);
	line(&a, &b, buf, sizeof(buf));
	assert_string_equal(buf, "+0 names, -0 names; +4 VIPs (241.0.0.3 "
			    "for MeshService/default/db, 241.0.0.4 for "
			    "MeshService/default/y, 241.0.0.5 for "
			    "MeshService/default/z, ...), -1 VIP (241.0.0.2 "
			    "for MeshService/default/web)");
	state_free(b.state);
	b.state = state_new();
	vip(b.state, "241.0.0.1", "MeshService/default/other", 0);
	vip(b.state, "241.0.0.2", "MeshService/default/web", 0);
	line(&a, &b, buf, sizeof(buf));
	assert_string_equal(buf, "+0 names, -0 names; +1 VIP (241.0.0.1 "
			    "for MeshService/default/other), -1 VIP "
			    "(241.0.0.1 for MeshService/default/redis)");
	table_free(a.table);
	state_free(a.state);
	state_free(b.state);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(t_template_edit),
		cmocka_unit_test(t_nothing),
		cmocka_unit_test(t_vips),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
