/* SPDX-License-Identifier: MIT */
/*
 * test_status.c -- unit tests for status.h: a small resource set is
 * built, and its status must be exactly the YAML Kuma's kumactl would
 * print (tests/system/check.sh and kuma.sh compare the example zones).
 */
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

#include "build/build.h"
#include "build/snapshot.h"
#include "build/state.h"
#include "build/status.h"
#include "../tmpdir.h"

/* Written resources of each kind, one HostnameGenerator, no defaults. */
static const char written_conf[] =
	"kuma:\n"
	"  default-generators: none\n";

static const char written_resources[] =
	"type: HostnameGenerator\n"
	"name: g\n"
	"spec:\n"
	"  selector:\n"
	"    meshService:\n"
	"      matchLabels: {}\n"
	"  template: '{{ .DisplayName }}.svc.mesh.local'\n"
	"---\n"
	"type: MeshService\n"
	"name: redis\n"
	"mesh: default\n"
	"labels:\n"
	"  team: cache\n"
	"spec:\n"
	"  selector:\n"
	"    dataplaneTags:\n"
	"      kuma.io/service: redis\n"
	"  ports:\n"
	"  - name: main\n"
	"    port: 6379\n"
	"    targetPort: main\n"
	"    appProtocol: tcp\n"
	"---\n"
	"type: MeshExternalService\n"
	"name: aurora\n"
	"mesh: default\n"
	"spec:\n"
	"  match:\n"
	"    type: HostnameGenerator\n"
	"    port: 5432\n"
	"    protocol: tcp\n"
	"  endpoints:\n"
	"  - address: aurora.example.com\n"
	"    port: 5432\n"
	"---\n"
	"type: MeshMultiZoneService\n"
	"name: redis-all\n"
	"mesh: default\n"
	"spec:\n"
	"  selector:\n"
	"    meshService:\n"
	"      matchLabels:\n"
	"        team: cache\n"
	"  ports:\n"
	"  - port: 6379\n"
	"    appProtocol: tcp\n";

static const char written_status[] =
	"type: MeshService\n"
	"name: redis\n"
	"mesh: default\n"
	"labels:\n"
	"  kuma.io/display-name: redis\n"
	"  kuma.io/env: universal\n"
	"  kuma.io/mesh: default\n"
	"  kuma.io/origin: zone\n"
	"  kuma.io/zone: default\n"
	"  team: cache\n"
	"spec:\n"
	"  selector:\n"
	"    dataplaneTags:\n"
	"      kuma.io/service: redis\n"
	"  ports:\n"
	"  - name: main\n"
	"    port: 6379\n"
	"    targetPort: main\n"
	"    appProtocol: tcp\n"
	"status:\n"
	"  addresses:\n"
	"  - hostname: redis.svc.mesh.local\n"
	"    origin: HostnameGenerator\n"
	"    hostnameGeneratorRef:\n"
	"      coreName: g\n"
	"  vips:\n"
	"  - ip: 241.0.0.1\n"
	"  hostnameGenerators:\n"
	"  - hostnameGeneratorRef:\n"
	"      coreName: g\n"
	"    conditions:\n"
	"    - type: Generated\n"
	"      status: \"True\"\n"
	"      reason: Generated\n"
	"      message: \"\"\n"
	"---\n"
	"type: MeshExternalService\n"
	"name: aurora\n"
	"mesh: default\n"
	"labels:\n"
	"  kuma.io/display-name: aurora\n"
	"  kuma.io/env: universal\n"
	"  kuma.io/mesh: default\n"
	"  kuma.io/origin: zone\n"
	"  kuma.io/zone: default\n"
	"spec:\n"
	"  match:\n"
	"    type: HostnameGenerator\n"
	"    port: 5432\n"
	"    protocol: tcp\n"
	"  endpoints:\n"
	"  - address: aurora.example.com\n"
	"    port: 5432\n"
	"status:\n"
	"  addresses: []\n"
	"  vip:\n"
	"    ip: 242.0.0.1\n"
	"  hostnameGenerators: []\n"
	"---\n"
	"type: MeshMultiZoneService\n"
	"name: redis-all\n"
	"mesh: default\n"
	"labels:\n"
	"  kuma.io/mesh: default\n"
	"spec:\n"
	"  selector:\n"
	"    meshService:\n"
	"      matchLabels:\n"
	"        team: cache\n"
	"  ports:\n"
	"  - port: 6379\n"
	"    appProtocol: tcp\n"
	"status:\n"
	"  meshServices:\n"
	"  - name: redis\n"
	"    namespace: \"\"\n"
	"    zone: default\n"
	"    mesh: default\n"
	"  addresses: []\n"
	"  vips:\n"
	"  - ip: 243.0.0.1\n"
	"  hostnameGenerators: []\n"
	"  conditions:\n"
	"  - type: MeshServicesMatched\n"
	"    status: \"True\"\n"
	"    reason: MatchesFound\n"
	"    message: Matched 1 MeshService(s)\n";

/*
 * A MeshService generated from a Dataplane (its spec is computed, not
 * copied), one without a selector, a pool of one address (the second
 * service gets no VIP: a VIPAllocated condition) and a
 * MeshMultiZoneService that matches nothing.
 */
static const char generated_conf[] =
	"kuma:\n"
	"  environment: universal\n"
	"  default-generators: none\n"
	"vip:\n"
	"  pools:\n"
	"    meshService: 241.0.0.7/32\n";

static const char generated_resources[] =
	"type: Mesh\n"
	"name: default\n"
	"meshServices:\n"
	"  mode: Exclusive\n"
	"---\n"
	"type: Dataplane\n"
	"mesh: default\n"
	"name: web-1\n"
	"networking:\n"
	"  address: 127.0.0.21\n"
	"  inbound:\n"
	"  - name: main\n"
	"    port: 80\n"
	"    tags:\n"
	"      kuma.io/service: web\n"
	"      kuma.io/protocol: http\n"
	"---\n"
	"type: MeshService\n"
	"name: a\n"
	"mesh: default\n"
	"spec:\n"
	"  ports:\n"
	"  - port: 1\n"
	"---\n"
	"type: MeshMultiZoneService\n"
	"name: none\n"
	"mesh: default\n"
	"spec:\n"
	"  selector:\n"
	"    meshService:\n"
	"      matchLabels:\n"
	"        team: nobody\n"
	"  ports:\n"
	"  - port: 1\n";

static const char generated_status[] =
	"type: MeshService\n"
	"name: a\n"
	"mesh: default\n"
	"labels:\n"
	"  kuma.io/display-name: a\n"
	"  kuma.io/env: universal\n"
	"  kuma.io/mesh: default\n"
	"  kuma.io/origin: zone\n"
	"  kuma.io/zone: default\n"
	"spec:\n"
	"  ports:\n"
	"  - port: 1\n"
	"    appProtocol: tcp\n"	/* Kuma's default, as Kuma stores it */
	"status:\n"
	"  addresses: []\n"
	"  vips:\n"
	"  - ip: 241.0.0.7\n"
	"  hostnameGenerators: []\n"
	"  dataplaneProxies: {}\n"
	"---\n"
	"type: MeshService\n"
	"name: web\n"
	"mesh: default\n"
	"labels:\n"
	"  kuma.io/display-name: web\n"
	"  kuma.io/env: universal\n"
	"  kuma.io/managed-by: meshservice-generator\n"
	"  kuma.io/mesh: default\n"
	"  kuma.io/origin: zone\n"
	"  kuma.io/zone: default\n"
	"spec:\n"
	"  selector:\n"
	"    dataplaneTags:\n"
	"      kuma.io/service: web\n"
	"  ports:\n"
	"  - name: main\n"
	"    port: 80\n"
	"    targetPort: 80\n"
	"    appProtocol: http\n"
	"status:\n"
	"  addresses: []\n"
	"  vips: []\n"
	"  hostnameGenerators: []\n"
	"  dataplaneProxies:\n"
	"    total: 1\n"
	"  conditions:\n"
	"  - type: VIPAllocated\n"
	"    status: \"False\"\n"
	"    reason: AllocationFailed\n"
	"    message: 'could not allocate vip for MeshService web: no addresses "
	"left in pool 241.0.0.7/32'\n"
	"---\n"
	"type: MeshMultiZoneService\n"
	"name: none\n"
	"mesh: default\n"
	"labels:\n"
	"  kuma.io/mesh: default\n"
	"spec:\n"
	"  selector:\n"
	"    meshService:\n"
	"      matchLabels:\n"
	"        team: nobody\n"
	"  ports:\n"
	"  - port: 1\n"
	"status:\n"
	"  meshServices: []\n"
	"  addresses: []\n"
	"  vips:\n"
	"  - ip: 243.0.0.1\n"
	"  hostnameGenerators: []\n"
	"  conditions:\n"
	"  - type: MeshServicesMatched\n"
	"    status: \"False\"\n"
	"    reason: NoMatchesFound\n"
	"    message: Selector does not match any MeshService in this zone\n";

static const struct {
	const char *name;
	const char *conf;	/* besides "resources: [<dir>/r.yaml]" */
	const char *resources;
	const char *status;	/* what status_print() writes */
	size_t warnings;
} cases[] = {
	{ "written", written_conf, written_resources, written_status, 0 },
	{ "generated", generated_conf, generated_resources,
	  generated_status, 2 },
	/* Nothing to show: no document at all. */
	{ "empty", "", "type: Mesh\nname: default\n", "", 0 },
};

struct fixture {
	char dir[256];
	char conf[300];		/* dir/meshdns.conf */
	char res[300];		/* dir/r.yaml */
	struct state *prev;
	struct snapshot *s;
	struct diag_list diags;
};

static int
setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	if (f == NULL)
		return -1;
	if (test_tmpname(f->dir, sizeof(f->dir), "test_status") < 0 ||
	    mkdtemp(f->dir) == NULL) {
		free(f);
		return -1;
	}
	snprintf(f->conf, sizeof(f->conf), "%s/meshdns.conf", f->dir);
	snprintf(f->res, sizeof(f->res), "%s/r.yaml", f->dir);
	diag_list_init(&f->diags);
	if ((f->prev = state_new()) == NULL) {
		rmdir(f->dir);
		free(f);
		return -1;
	}
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;

	snapshot_free(f->s);
	state_free(f->prev);
	diag_list_clear(&f->diags);
	unlink(f->conf);
	unlink(f->res);
	rmdir(f->dir);
	free(f);
	return 0;
}

static void
write_file(const char *path, const char *head, const char *text)
{
	FILE *fp = fopen(path, "w");

	assert_non_null(fp);
	assert_true(fputs(head, fp) >= 0);
	assert_true(fputs(text, fp) >= 0);
	assert_int_equal(fclose(fp), 0);
}

/* Build case @i as `meshdns --status` does: with the specs kept. */
static void
build_case(struct fixture *f, size_t i)
{
	struct build_options opt;
	char head[400];

	snapshot_free(f->s);
	f->s = NULL;
	diag_list_clear(&f->diags);
	snprintf(head, sizeof(head), "resources: [\"%s\"]\n", f->res);
	write_file(f->conf, head, cases[i].conf);
	write_file(f->res, "", cases[i].resources);
	memset(&opt, 0, sizeof(opt));
	opt.config_file = f->conf;
	opt.keep_specs = 1;
	assert_int_equal(build_run(&f->s, &opt, f->prev, 1000, &f->diags), 0);
	if (f->diags.errors != 0)
		fail_msg("case %s: %zu errors, first: %s", cases[i].name,
			 f->diags.errors, f->diags.v[0].msg);
	assert_int_equal(f->s->errors, 0);
	assert_int_equal(f->s->warnings, cases[i].warnings);
}

static void
test_status(void **state)
{
	struct fixture *f = *state;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *out = NULL;
		size_t len = 0;
		FILE *fp = NULL;

		build_case(f, i);
		fp = open_memstream(&out, &len);
		assert_non_null(fp);
		assert_int_equal(status_print(fp, f->s), 0);
		assert_int_equal(fclose(fp), 0);
		if (strcmp(out, cases[i].status) != 0)
			print_message("case %s:\n", cases[i].name);
		assert_string_equal(out, cases[i].status);
		assert_int_equal(len, strlen(cases[i].status));
		free(out);
	}
}

/* The same snapshot prints the same bytes every time. */
static void
test_repeat(void **state)
{
	struct fixture *f = *state;
	char *a = NULL;
	char *b = NULL;
	size_t alen = 0;
	size_t blen = 0;
	FILE *fp = NULL;

	build_case(f, 0);
	assert_non_null(fp = open_memstream(&a, &alen));
	assert_int_equal(status_print(fp, f->s), 0);
	assert_int_equal(fclose(fp), 0);
	assert_non_null(fp = open_memstream(&b, &blen));
	assert_int_equal(status_print(fp, f->s), 0);
	assert_int_equal(fclose(fp), 0);
	assert_string_equal(a, b);
	free(a);
	free(b);
}

/* A stream that cannot be written: -1. */
static void
test_write_error(void **state)
{
	struct fixture *f = *state;
	FILE *fp = NULL;

	build_case(f, 0);
	fp = fopen(f->res, "r");
	assert_non_null(fp);
	assert_int_equal(status_print(fp, f->s), -1);
	fclose(fp);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_status, setup, teardown),
		cmocka_unit_test_setup_teardown(test_repeat, setup, teardown),
		cmocka_unit_test_setup_teardown(test_write_error, setup,
						teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
