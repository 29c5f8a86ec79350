/* SPDX-License-Identifier: MIT */
/*
 * test_store.c -- Kuma's store rows: their documents, their reading as
 * resources (errors by type/mesh/name), the rows held by key, and the
 * notify_event payload.
 */
#include "autoconfig.h"

#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kuma/resource.h"
#include "kuma/store.h"
#include "kuma/store_ahead.h"

static struct store_row *
row(const char *type, const char *mesh, const char *name, long long version,
    const char *spec, const char *labels, const char *status)
{
	struct store_row *r = calloc(1, sizeof(*r));

	assert_non_null(r);
	r->type = strdup(type);
	r->mesh = strdup(mesh);
	r->name = strdup(name);
	r->version = version;
	r->spec = spec ? strdup(spec) : NULL;
	r->labels = labels ? strdup(labels) : NULL;
	r->status = status ? strdup(status) : NULL;
	return r;
}

/* Rows as Kuma stores them (kuma-sources.md 2.3). */
#define MS_SPEC "{\"state\":\"Unavailable\",\"selector\":{\"dataplaneLabels\":" \
	"{\"matchLabels\":{\"app\":\"redis\"}}},\"ports\":[{\"port\":6379," \
	"\"targetPort\":6379,\"appProtocol\":\"tcp\"}]}"
#define MS_STATUS "{\"tls\": {}, \"vips\": [{\"ip\": \"241.0.0.0\"}], " \
	"\"addresses\": [{\"origin\": \"HostnameGenerator\", \"hostname\": " \
	"\"redis.svc.mesh.local\", \"hostnameGeneratorRef\": {\"coreName\": " \
	"\"local-universal-mesh-service\"}}], \"dataplaneProxies\": {}}"
#define MS_LABELS "{\"kuma.io/env\": \"universal\", \"kuma.io/mesh\": " \
	"\"default\", \"kuma.io/zone\": \"zone-1\", \"kuma.io/origin\": " \
	"\"zone\", \"kuma.io/display-name\": \"redis\"}"
#define HG_SPEC "{\"selector\":{\"meshService\":{\"matchLabels\":" \
	"{\"kuma.io/origin\":\"zone\"}}},\"template\":" \
	"\"{{ .DisplayName }}.svc.mesh.local\"}"
#define DP_SPEC "{\"networking\":{\"address\":\"10.1.2.1\",\"inbound\":" \
	"[{\"port\":1234,\"tags\":{\"kuma.io/service\":\"my-svc\"}}]}}"

static void
test_load_rows(void **state)
{
	struct store_rows *rows = store_rows_new();
	struct resource_set *set = resource_set_new();
	struct diag_list errs;

	(void)state;
	diag_list_init(&errs);
	assert_int_equal(store_rows_put(rows, row("Mesh", "", "default", 0,
						  "{}", "{}", "{}")), 1);
	assert_int_equal(store_rows_put(rows, row("MeshService", "default",
						  "redis", 2, MS_SPEC,
						  MS_LABELS, MS_STATUS)), 1);
	assert_int_equal(store_rows_put(rows, row("HostnameGenerator", "",
						  "local-universal-mesh-service",
						  0, HG_SPEC, "null", "{}")),
			 1);
	assert_int_equal(store_rows_put(rows, row("Dataplane", "default",
						  "dp-1", 0, DP_SPEC, "{}",
						  "{}")), 1);
	assert_int_equal(store_rows_put(rows, row("MeshExternalService",
						  "default", "ext", 0,
						  "{\"match\":{\"type\":\"HostnameGenerator\",\"port\":443,\"protocol\":\"tcp\"},\"endpoints\":[{\"address\":\"example.com\",\"port\":443}]}",
						  "{}", "{\"vip\": {\"ip\": \"242.0.0.3\"}}")),
			 1);
	assert_int_equal(store_rows_count(rows), 5);
	assert_int_equal(store_rows_load(rows, set, &errs), 0);
	if (errs.n > 0)
		fail_msg("%s", errs.v[0].msg);
	assert_int_equal(set->nmeshes, 1);
	assert_int_equal(set->nservices, 1);
	assert_string_equal(set->services[0].meta.name, "redis");
	assert_string_equal(set->services[0].meta.mesh, "default");
	assert_int_equal(set->services[0].nvips, 1);
	assert_string_equal(set->services[0].vips[0], "241.0.0.0");
	assert_int_equal(set->services[0].ports[0].port, 6379);
	assert_string_equal(resource_labels_get(&set->services[0].meta.labels,
						"kuma.io/zone"), "zone-1");
	assert_int_equal(set->ngenerators, 1);
	assert_string_equal(set->generators[0].template,
			    "{{ .DisplayName }}.svc.mesh.local");
	assert_int_equal(set->ndataplanes, 1);
	assert_string_equal(set->dataplanes[0].address, "10.1.2.1");
	assert_int_equal(set->nexternal_services, 1);
	assert_string_equal(set->external_services[0].vip, "242.0.0.3");
	diag_list_clear(&errs);
	resource_set_free(set);
	store_rows_free(rows);
}

static void
test_bad_rows(void **state)
{
	struct store_rows *rows = store_rows_new();
	struct resource_set *set = resource_set_new();
	struct diag_list errs;

	(void)state;
	diag_list_init(&errs);
	store_rows_put(rows, row("MeshService", "default", "bad", 0,
				 "{\"ports\":[{\"port\":0}]}", "{}", "{}"));
	store_rows_put(rows, row("MeshService", "default", "list", 0,
				 "[1, 2]", "{}", "{}"));
	store_rows_put(rows, row("MeshService", "default", "redis", 0,
				 MS_SPEC, MS_LABELS, "{}"));
	assert_int_equal(store_rows_load(rows, set, &errs), 0);
	assert_int_equal(errs.errors, 2);
	assert_null(errs.v[0].file);
	assert_int_equal(errs.v[0].line, 0);
	assert_non_null(strstr(errs.v[0].msg, "MeshService default/bad: "));
	assert_non_null(strstr(errs.v[0].msg, "port"));
	assert_string_equal(errs.v[1].msg, "MeshService default/list: spec: "
			    "expected a JSON object, got [1, 2]");
	assert_int_equal(set->nservices, 1);
	assert_string_equal(set->services[0].meta.name, "redis");
	diag_list_clear(&errs);
	resource_set_free(set);
	store_rows_free(rows);
}

/*
 * A row's JSON is read with yajl: a pair of \u escapes is the character
 * it stands for (libyaml rejected each half); a row yajl does not read as
 * libyaml would (a duplicate key) gets libyaml's message, as before.
 */
static void
test_rows_json(void **state)
{
	struct store_rows *rows = store_rows_new();
	struct resource_set *set = resource_set_new();
	struct diag_list errs;

	(void)state;
	diag_list_init(&errs);
	store_rows_put(rows, row("MeshService", "default", "redis", 0, MS_SPEC,
				 "{\"team\": \"caf\\u00e9 "
				 "\\ud83d\\ude00\"}", "{}"));
	store_rows_put(rows, row("MeshService", "default", "twice", 0, MS_SPEC,
				 "{\"a\": \"1\", \"a\": \"2\"}", "{}"));
	assert_int_equal(store_rows_load(rows, set, &errs), 0);
	if (errs.n != 1)
		fail_msg("%zu messages: %s", errs.n, errs.v[0].msg);
	assert_string_equal(errs.v[0].msg, "MeshService default/twice: "
			    "duplicate key \"a\" (first defined at line 1, "
			    "column 72)");
	assert_int_equal(set->nservices, 1);
	assert_string_equal(resource_labels_get(&set->services[0].meta.labels,
						"team"),
			    "caf\xc3\xa9 \xf0\x9f\x98\x80");
	diag_list_clear(&errs);
	resource_set_free(set);
	store_rows_free(rows);
}

static void
test_rows_by_key(void **state)
{
	struct store_rows *rows = store_rows_new();
	struct store_rows *fresh = store_rows_new();
	struct store_key keys[2] = {
		{ "MeshService", "default", "a" },
		{ "MeshService", "default", "b" },
	};
	uint64_t d0, d1;

	(void)state;
	assert_int_equal(store_rows_digest(rows), 0);
	store_rows_put(rows, row("MeshService", "default", "a", 0, "{}", "{}",
				 "{}"));
	store_rows_put(rows, row("MeshService", "default", "b", 0, "{}", "{}",
				 "{}"));
	d0 = store_rows_digest(rows);
	/* The same content: no change. */
	assert_int_equal(store_rows_put(rows, row("MeshService", "default",
						  "a", 0, "{}", "{}", "{}")),
			 0);
	assert_true(store_rows_digest(rows) == d0);
	/* a updated, b deleted: one read of both keys finds only a. */
	store_rows_put(fresh, row("MeshService", "default", "a", 1, "{}",
				  "{}", "{\"vips\": []}"));
	assert_int_equal(store_rows_apply(rows, keys, 2, fresh), 1);
	assert_int_equal(store_rows_count(fresh), 0);
	assert_int_equal(store_rows_count(rows), 1);
	d1 = store_rows_digest(rows);
	assert_true(d1 != d0);
	/* Read again unchanged: nothing changes. */
	store_rows_put(fresh, row("MeshService", "default", "a", 1, "{}",
				  "{}", "{\"vips\": []}"));
	assert_int_equal(store_rows_apply(rows, keys, 2, fresh), 0);
	assert_true(store_rows_digest(rows) == d1);
	assert_int_equal(store_rows_remove(rows, &keys[0]), 1);
	assert_int_equal(store_rows_remove(rows, &keys[0]), 0);
	store_rows_free(fresh);
	store_rows_free(rows);
}

static void
test_event(void **state)
{
	char type[64], mesh[64], name[64];

	(void)state;
	assert_int_equal(store_parse_event("{\"action\" : \"INSERT\", \"data\" "
					   ": {\"name\" : \"redis\", \"mesh\" "
					   ": \"default\", \"type\" : "
					   "\"MeshService\"}}", type, mesh,
					   name, sizeof(type)), 0);
	assert_string_equal(type, "MeshService");
	assert_string_equal(mesh, "default");
	assert_string_equal(name, "redis");
	assert_int_equal(store_parse_event("{\"action\" : \"DELETE\", \"data\" "
					   ": {\"name\" : \"default\", \"mesh\" "
					   ": \"\", \"type\" : \"Mesh\"}}",
					   type, mesh, name, sizeof(type)), 0);
	assert_string_equal(mesh, "");
	assert_int_equal(store_parse_event("{\"action\" : \"UPDATE\"}", type,
					   mesh, name, sizeof(type)), -1);
	assert_int_equal(store_parse_event("not json {", type, mesh, name,
					   sizeof(type)), -1);
	assert_true(store_type_read("MeshService"));
	assert_false(store_type_read("DataplaneInsight"));
}

/* Kuma 2.x's per-mesh VIP table of legacy names (a Config row). */
static void
test_legacy_vips(void **state)
{
	struct store_rows *rows = store_rows_new();
	struct store_legacy_vips t = { NULL, 0 };
	struct diag_list errs;

	(void)state;
	diag_list_init(&errs);
	store_rows_put(rows, row("Config", "", "kuma-default-dns-vips", 3,
				 "{\"config\":\"{\\\"0:backend\\\":{\\\"address\\\":"
				 "\\\"240.0.0.5\\\",\\\"outbounds\\\":[{\\\"Port\\\":0,"
				 "\\\"TagSet\\\":{\\\"kuma.io/service\\\":\\\"backend\\\"},"
				 "\\\"Origin\\\":\\\"service\\\"}]},\\\"1:example.com\\\":"
				 "{\\\"address\\\":\\\"240.0.0.6\\\"}}\"}", "{}", "{}"));
	store_rows_put(rows, row("Config", "", "kuma-other-dns-vips", 0,
				 "{\"config\": 5}", "{}", "{}"));
	store_rows_put(rows, row("Config", "", "kuma-cluster-id", 0,
				 "{\"config\":\"x\"}", "{}", "{}"));
	assert_int_equal(store_rows_legacy_vips(rows, &t, &errs), 0);
	assert_int_equal(t.n, 1);
	assert_string_equal(store_legacy_vip(&t, "default", "backend"),
			    "240.0.0.5");
	assert_null(store_legacy_vip(&t, "default", "example.com"));
	assert_null(store_legacy_vip(&t, "other", "backend"));
	/* {"config": 5}: no VIPs for that mesh, and a warning. */
	assert_int_equal(errs.n, 1);
	assert_int_equal(errs.errors, 0);
	assert_string_equal(errs.v[0].msg, "Config kuma-other-dns-vips: "
			    "spec.config: expected a JSON object of VIPs; the "
			    "legacy .mesh names of mesh other have no VIP");
	store_legacy_vips_clear(&t);
	diag_list_clear(&errs);
	store_rows_free(rows);
}

/* Rows put at once: sorted, a key once, the same digest as puts one by
 * one; into empty rows that is one change of everything. */
static void
test_put_list(void **state)
{
	struct store_row_list list = { NULL, 0, 0 };
	struct store_rows *rows = store_rows_new();
	struct store_rows *one = store_rows_new();
	int k;

	(void)state;
	for (k = 0; k < 2; k++) {
		assert_int_equal(store_row_list_add(&list, row("MeshService",
			"default", "b", 1, "{}", "{}", "{}")), 0);
		assert_int_equal(store_row_list_add(&list, row("MeshService",
			"default", "a", 1, "{}", "{}", "{}")), 0);
		assert_int_equal(store_row_list_add(&list, row("Mesh", "",
			"default", 1, "{}", "{}", "{}")), 0);
		/* The same key again. */
		assert_int_equal(store_row_list_add(&list, row("MeshService",
			"default", "a", 1, "{}", "{}", "{}")), 0);
		assert_int_equal(store_rows_put_list(k == 0 ? rows : one,
						     &list), 0);
		assert_int_equal(list.n, 0);
		if (k == 0)
			/* Then into rows that hold some: one by one. */
			store_rows_put(one, row("MeshService", "default", "a",
						1, "{}", "{}", "{}"));
	}
	assert_int_equal(store_rows_count(rows), 3);
	assert_int_equal(store_rows_count(one), 3);
	assert_string_equal(store_rows_at(rows, 0)->type, "Mesh");
	assert_string_equal(store_rows_at(rows, 1)->name, "a");
	assert_string_equal(store_rows_at(rows, 2)->name, "b");
	assert_true(store_rows_digest(rows) == store_rows_digest(one));
	assert_int_equal(store_rows_seq(rows), 1);
	assert_int_equal(store_rows_changed_since(rows, 0, NULL, NULL), 1);
	store_row_list_clear(&list);
	store_rows_free(rows);
	store_rows_free(one);
}

/* The document quotes a row's names: quotes, backslashes and control
 * characters escaped, the rest copied as it is. */
static void
test_document_quotes(void **state)
{
	struct store_row *r = row("MeshService", "default",
				  "a\"b\\c\001d long-enough-to-run", 1, "{}",
				  NULL, NULL);
	char err[64];
	char *doc = NULL;

	(void)state;
	doc = store_row_document(r, err, sizeof(err));
	assert_non_null(doc);
	assert_non_null(strstr(doc, "\"name\": \"a\\\"b\\\\c\\u0001d "
				    "long-enough-to-run\""));
	assert_non_null(strstr(doc, "{\"type\": \"MeshService\""));
	free(doc);
	store_row_free(r);
}

/* A source of @n MeshServices handed over in reverse key order, the
 * one named "bad" invalid; fails with -EIO after @fail_after rows. */
struct mem_source {
	size_t n;
	size_t fail_after;	/* SIZE_MAX: never */
};

static int
mem_read_all(void *src, store_row_fn fn, void *arg, char *err,
	     size_t errsize)
{
	struct mem_source *m = src;
	char name[32];
	size_t i;
	int rc;

	for (i = 0; i < m->n; i++) {
		if (i == m->fail_after) {
			snprintf(err, errsize, "the connection broke");
			return -EIO;
		}
		snprintf(name, sizeof(name), "svc-%06zu", m->n - 1 - i);
		if (i == m->n / 2)
			snprintf(name, sizeof(name), "bad");
		rc = fn(arg, row("MeshService", "default", name, 1,
				 strcmp(name, "bad") == 0 ?
				 "{\"ports\":[{\"port\":0}]}" : MS_SPEC,
				 "{}", "{}"));
		if (rc < 0)
			return rc;
	}
	return 0;
}

static const struct store_ops mem_ops = {
	"memory", NULL, NULL, NULL, NULL, mem_read_all, NULL, NULL
};

/*
 * A full read puts every row in key order whatever order they come in,
 * the same rows as puts one by one; with a zone, every row is read ahead
 * as store_row_read() reads it (resources, labels for the zone, messages),
 * for whoever takes it with the same options; a failed read puts nothing.
 */
static void
test_read_ahead(void **state)
{
	struct mem_source m = { 3000, SIZE_MAX };
	struct store_rows *rows = store_rows_new();
	struct store_rows *one = store_rows_new();
	struct store_row_read *rd = NULL;
	const struct store_row *r = NULL;
	struct diag_list errs;
	char err[128];
	size_t i;
	size_t bad = 0;

	(void)state;
	diag_list_init(&errs);
	assert_int_equal(store_ahead_read_all(&mem_ops, &m, rows, 0, "z1", err,
					      sizeof(err)), 0);
	assert_int_equal(store_rows_count(rows), 3000);
	/* The same rows as put one by one (in reverse, their order). */
	for (i = 0; i < 3000; i++) {
		r = store_rows_at(rows, i);
		store_rows_put(one, row(r->type, r->mesh, r->name, r->version,
					r->spec, r->labels, r->status));
	}
	assert_true(store_rows_digest(one) == store_rows_digest(rows));
	for (i = 0; i + 1 < 3000; i++)
		assert_true(strcmp(store_rows_at(rows, i)->name,
				   store_rows_at(rows, i + 1)->name) < 0);
	/* Other options: dropped, so that the build reads the row again. */
	assert_null(store_rows_take_ahead(rows, 2999, 1, "z1"));
	assert_null(store_rows_take_ahead(rows, 2999, 0, "z1"));
	assert_null(store_rows_take_ahead(rows, 2998, 0, "z2"));
	for (i = 0; i < 2998; i++) {
		r = store_rows_at(rows, i);
		rd = store_rows_take_ahead(rows, i, 0, "z1");
		assert_non_null(rd);
		assert_int_equal(rd->rc, 0);
		assert_non_null(rd->set);
		if (strcmp(r->name, "bad") == 0) {
			bad++;
			assert_int_equal(rd->diags.errors, 1);
			assert_non_null(strstr(rd->diags.v[0].msg,
					       "MeshService default/bad: "));
			assert_int_equal(rd->set->nservices, 0);
		} else {
			assert_int_equal(rd->diags.errors, 0);
			assert_int_equal(rd->set->nservices, 1);
			assert_string_equal(rd->set->services[0].meta.name,
					    r->name);
			assert_string_equal(resource_labels_get(
				&rd->set->services[0].meta.labels,
				"kuma.io/zone"), "z1");
			assert_string_equal(resource_set_labels_zone(rd->set),
					    "z1");
		}
		store_row_read_free(rd);
		/* Taken once. */
		assert_null(store_rows_take_ahead(rows, i, 0, "z1"));
	}
	assert_int_equal(bad, 1);
	store_rows_free(rows);

	/* No zone: nothing read ahead. */
	rows = store_rows_new();
	assert_int_equal(store_ahead_read_all(&mem_ops, &m, rows, 0, NULL, err,
					      sizeof(err)), 0);
	assert_int_equal(store_rows_count(rows), 3000);
	for (i = 0; i < 3000; i++)
		assert_null(store_rows_take_ahead(rows, i, 0, "z1"));
	store_rows_free(rows);

	/* A read that fails half way puts nothing and says why. */
	m.fail_after = 1700;
	rows = store_rows_new();
	assert_int_equal(store_ahead_read_all(&mem_ops, &m, rows, 0, "z1", err,
					      sizeof(err)), -EIO);
	assert_string_equal(err, "the connection broke");
	assert_int_equal(store_rows_count(rows), 0);
	store_rows_free(rows);
	store_rows_free(one);
	diag_list_clear(&errs);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_load_rows),
		cmocka_unit_test(test_bad_rows),
		cmocka_unit_test(test_rows_json),
		cmocka_unit_test(test_read_ahead),
		cmocka_unit_test(test_document_quotes),
		cmocka_unit_test(test_put_list),
		cmocka_unit_test(test_rows_by_key),
		cmocka_unit_test(test_event),
		cmocka_unit_test(test_legacy_vips),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
