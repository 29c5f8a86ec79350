/* SPDX-License-Identifier: MIT */
/* test_hostname.c -- hostname validation, generator order, collisions. */
#include "autoconfig.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kuma/hostname.h"
#include "kuma/resource.h"
#include "kuma/tmpl.h"

/* --- hostname_validate --- */

struct validate_case {
	const char *name;
	int ok;
	const char *why;	/* substring of the message */
};

static const struct validate_case validate_cases[] = {
	{ "redis.svc.mesh.local", 1, NULL },
	{ "a", 1, NULL },
	{ "0abc.mesh", 1, NULL },
	{ "a-b.c-d", 1, NULL },
	{ "", 0, "a lowercase RFC 1123 subdomain" },
	{ "Redis.mesh", 0, "a lowercase RFC 1123 subdomain" },
	{ "redis_1.mesh", 0, "a lowercase RFC 1123 subdomain" },
	{ "-redis.mesh", 0, "a lowercase RFC 1123 subdomain" },
	{ "redis-.mesh", 0, "a lowercase RFC 1123 subdomain" },
	{ "redis..mesh", 0, "a lowercase RFC 1123 subdomain" },
	{ ".mesh", 0, "a lowercase RFC 1123 subdomain" },
	{ "redis.mesh.", 0, "a lowercase RFC 1123 subdomain" },
	{ "redis mesh", 0, "a lowercase RFC 1123 subdomain" },
	{ "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.mesh",
	  0, "must be no more than 63 characters" },
};

static void
test_validate(void **state)
{
	char why[512];
	size_t i;

	for (i = 0; i < sizeof(validate_cases) / sizeof(validate_cases[0]);
	     i++) {
		const struct validate_case *c = &validate_cases[i];
		int rc;

		why[0] = '\0';
		rc = hostname_validate(c->name, why, sizeof(why));
		if (c->ok) {
			assert_int_equal(rc, 0);
		} else {
			assert_int_equal(rc, -1);
			if (strstr(why, c->why) == NULL)
				fail_msg("\"%s\": got \"%s\"", c->name, why);
		}
	}
}

static void
test_validate_lengths(void **state)
{
	char name[300];
	char why[512];

	/* 63-octet label: fine; 64: too long (stricter than Kuma). */
	memset(name, 'a', 63);
	strcpy(name + 63, ".mesh");
	assert_int_equal(hostname_validate(name, why, sizeof(why)), 0);
	/* 253 in total: fine; 254: too long. */
	memset(name, 'a', 253);
	name[253] = '\0';
	for (int i = 50; i < 253; i += 51)
		name[i] = '.';
	assert_int_equal(hostname_validate(name, why, sizeof(why)), 0);
	name[253] = 'a';
	name[254] = '\0';
	assert_int_equal(hostname_validate(name, why, sizeof(why)), -1);
	assert_string_equal(why, "must be no more than 253 characters");
}

/* --- generation --- */

struct fixture {
	struct resource_set *set;
	struct hostname_gen gens[16];
	size_t ngens;
	struct hostname_item items[16];
	struct hostname_result results[16];
	size_t nitems;
	struct hostname_claims *claims;
	struct diag_list diags;		/* hostname_generate()'s warnings */
};

static const char *const mesh_zones[] = { "mesh.local", "mesh" };
static const struct hostname_zones served_mesh = { mesh_zones, 2 };

/* Load @yaml and generate, with @served as the served zones. */
static void
load_served(struct fixture *f, const char *yaml,
	    const struct hostname_zones *served)
{
	struct diag_list diags;
	size_t i;

	memset(f, 0, sizeof(*f));
	diag_list_init(&diags);
	diag_list_init(&f->diags);
	f->set = resource_set_new();
	assert_non_null(f->set);
	assert_int_equal(resource_set_load_string(f->set, "t.yaml", yaml,
						  &diags), 0);
	assert_int_equal(resource_set_finish(f->set, &diags), 0);
	if (diags.errors > 0)
		fail_msg("unexpected error: %s", diags.v[0].msg);
	diag_list_clear(&diags);
	for (i = 0; i < f->set->ngenerators; i++) {
		struct tmpl *t = NULL;
		struct tmpl_error err;

		assert_int_equal(tmpl_compile(&t, f->set->generators[i].template,
					      &err), 0);
		f->gens[i].res = &f->set->generators[i];
		f->gens[i].tmpl = t;
	}
	f->ngens = f->set->ngenerators;
	hostname_gens_sort(f->gens, f->ngens);
	for (i = 0; i < f->set->nservices; i++)
		f->items[i].meta = &f->set->services[i].meta;
	f->nitems = f->set->nservices;
	f->claims = hostname_claims_new();
	assert_non_null(f->claims);
	assert_int_equal(hostname_generate(f->gens, f->ngens, f->items,
					   f->nitems, "zone-1", served,
					   f->claims, f->results, &f->diags),
			 0);
}

static void
load(struct fixture *f, const char *yaml)
{
	load_served(f, yaml, &served_mesh);
}

static void
unload(struct fixture *f)
{
	size_t i;

	for (i = 0; i < f->ngens; i++)
		tmpl_free((struct tmpl *)f->gens[i].tmpl);
	hostname_claims_free(f->claims);
	diag_list_clear(&f->diags);
	for (i = 0; i < f->nitems; i++)
		hostname_result_clear(&f->results[i]);
	resource_set_free(f->set);
}

/* The result of the service named @name. */
static const struct hostname_result *
result_of(const struct fixture *f, const char *name)
{
	size_t i;

	for (i = 0; i < f->nitems; i++)
		if (strcmp(f->items[i].meta->name, name) == 0)
			return &f->results[i];
	fail_msg("no service %s", name);
	return NULL;
}

static const struct hostname_result *
result_of_mesh(const struct fixture *f, const char *mesh)
{
	size_t i;

	for (i = 0; i < f->nitems; i++)
		if (strcmp(f->items[i].meta->mesh, mesh) == 0)
			return &f->results[i];
	fail_msg("no service in mesh %s", mesh);
	return NULL;
}

#define SVC(name, extra) \
	"---\ntype: MeshService\nname: " name "\nmesh: default\n" extra \
	"spec:\n  ports:\n  - port: 80\n    targetPort: 80\n"
#define GEN(name, extra, tmpl) \
	"---\ntype: HostnameGenerator\nname: " name "\n" extra \
	"spec:\n  selector:\n    meshService:\n      matchLabels: {}\n" \
	"  template: '" tmpl "'\n"

static void
test_fields(void **state)
{
	struct fixture f;
	const struct hostname_result *r = NULL;

	load(&f, SVC("redis", "labels:\n  kuma.io/display-name: cache\n"
		     "  app: db\n")
		 GEN("g", "", "{{ .Name }}-{{ .DisplayName }}-{{ .Mesh }}-"
		     "{{ .Zone }}-{{ label \"app\" }}.mesh"));
	r = result_of(&f, "redis");
	assert_int_equal(r->naddresses, 1);
	assert_string_equal(r->addresses[0].hostname,
			    "redis-cache-default-zone-1-db.mesh");
	assert_string_equal(r->addresses[0].generator, "g");
	assert_int_equal(r->nconditions, 1);
	assert_int_equal(r->conditions[0].reason, HOSTNAME_GENERATED);
	assert_string_equal(r->conditions[0].message, "");
	unload(&f);
}

static void
test_zone_label_wins(void **state)
{
	struct fixture f;

	load(&f, SVC("redis", "labels:\n  kuma.io/zone: east\n")
		 GEN("g", "", "{{ .DisplayName }}.svc.{{ .Zone }}.mesh.local"));
	assert_string_equal(result_of(&f, "redis")->addresses[0].hostname,
			    "redis.svc.east.mesh.local");
	unload(&f);
}

static void
test_template_errors(void **state)
{
	struct fixture f;
	const struct hostname_result *r = NULL;

	load(&f, SVC("redis", "")
		 GEN("missing-label", "", "{{ label \"app\" }}.mesh")
		 GEN("upper", "", "{{ .Name }}.MESH")
		 GEN("outside", "", "{{ .Name }}.example.com"));
	r = result_of(&f, "redis");
	assert_int_equal(r->naddresses, 0);
	assert_int_equal(r->nconditions, 3);
	/* Ordered by generator name. */
	assert_string_equal(r->conditions[0].generator, "missing-label");
	assert_int_equal(r->conditions[0].reason, HOSTNAME_TEMPLATE_ERROR);
	assert_string_equal(r->conditions[0].message, "label app not found");
	assert_string_equal(r->conditions[1].generator, "outside");
	assert_int_equal(r->conditions[1].reason, HOSTNAME_NOT_SERVED);
	assert_string_equal(r->conditions[1].message,
			    "hostname \"redis.example.com\" is outside every "
			    "DNS zone this server serves");
	assert_string_equal(r->conditions[2].generator, "upper");
	assert_int_equal(r->conditions[2].reason, HOSTNAME_TEMPLATE_ERROR);
	assert_non_null(strstr(r->conditions[2].message,
			       "generated hostname \"redis.MESH\" is not a "
			       "valid DNS name: a lowercase RFC 1123"));
	unload(&f);
}

static void
test_collision_older_service_wins(void **state)
{
	struct fixture f;
	const struct hostname_result *a = NULL;
	const struct hostname_result *b = NULL;

	/* Both render to "same.mesh"; the older (creationTime) wins even
	 * though its name sorts later. */
	load(&f, SVC("zeta", "creationTime: 2024-01-01T00:00:00Z\n")
		 SVC("alpha", "creationTime: 2024-06-01T00:00:00Z\n")
		 GEN("g", "", "same.mesh"));
	a = result_of(&f, "zeta");
	b = result_of(&f, "alpha");
	assert_int_equal(a->naddresses, 1);
	assert_int_equal(a->conditions[0].reason, HOSTNAME_GENERATED);
	assert_int_equal(b->naddresses, 0);
	assert_int_equal(b->conditions[0].reason, HOSTNAME_COLLISION);
	assert_string_equal(b->conditions[0].message,
			    "Hostname collision with MeshService: zeta");
	assert_string_equal(hostname_reason_name(b->conditions[0].reason),
			    "Collision");
	unload(&f);
}

static void
test_collision_name_order(void **state)
{
	struct fixture f;

	/* No creation times: name order decides. */
	load(&f, SVC("bbb", "") SVC("aaa", "") GEN("g", "", "x.mesh"));
	assert_int_equal(result_of(&f, "aaa")->naddresses, 1);
	assert_int_equal(result_of(&f, "bbb")->conditions[0].reason,
			 HOSTNAME_COLLISION);
	unload(&f);
}

static void
test_collision_across_meshes(void **state)
{
	struct fixture f;

	load(&f, "---\ntype: MeshService\nname: redis\nmesh: one\n"
		 "spec: {ports: [{port: 1, targetPort: 1}]}\n"
		 "---\ntype: MeshService\nname: redis\nmesh: two\n"
		 "spec: {ports: [{port: 1, targetPort: 1}]}\n"
		 GEN("g", "", "{{ .Name }}.mesh"));
	/* Meshes are separate namespaces, as in Kuma: one DNS name in two
	 * meshes is no collision; within one mesh it still is. */
	assert_int_equal(result_of_mesh(&f, "one")->naddresses, 1);
	assert_int_equal(result_of_mesh(&f, "two")->naddresses, 1);
	assert_int_equal(result_of_mesh(&f, "two")->conditions[0].reason,
			 HOSTNAME_GENERATED);
	assert_true(hostname_claims_has(f.claims, "one", "redis.mesh"));
	assert_true(hostname_claims_has(f.claims, "two", "redis.mesh"));
	assert_false(hostname_claims_has(f.claims, "three", "redis.mesh"));
	unload(&f);
}

static void
test_generator_order(void **state)
{
	struct fixture f;
	const struct hostname_result *r = NULL;

	/*
	 * Three generators render the same name for two services:
	 * the local (kuma.io/origin: zone) generator runs first although it
	 * is the newest, so its service pairing claims the name.
	 */
	load(&f, SVC("one", "labels: {team: a}\n")
		 SVC("two", "labels: {team: b}\n")
		 "---\ntype: HostnameGenerator\nname: a-global\n"
		 "creationTime: 2020-01-01T00:00:00Z\n"
		 "spec:\n  selector:\n    meshService:\n      matchLabels: "
		 "{team: a}\n  template: 'n.mesh'\n"
		 "---\ntype: HostnameGenerator\nname: z-local\n"
		 "labels: {kuma.io/origin: zone}\n"
		 "creationTime: 2025-01-01T00:00:00Z\n"
		 "spec:\n  selector:\n    meshService:\n      matchLabels: "
		 "{team: b}\n  template: 'n.mesh'\n");
	assert_string_equal(f.gens[0].res->meta.name, "z-local");
	assert_string_equal(f.gens[1].res->meta.name, "a-global");
	r = result_of(&f, "two");
	assert_int_equal(r->naddresses, 1);
	r = result_of(&f, "one");
	assert_int_equal(r->naddresses, 0);
	assert_string_equal(r->conditions[0].message,
			    "Hostname collision with MeshService: two");
	unload(&f);
}

static void
test_same_name_twice_is_not_collision(void **state)
{
	struct fixture f;
	const struct hostname_result *r = NULL;

	load(&f, SVC("redis", "") GEN("g1", "", "{{ .Name }}.mesh")
		 GEN("g2", "", "{{ .Name }}.mesh"));
	r = result_of(&f, "redis");
	assert_int_equal(r->naddresses, 2);
	assert_string_equal(r->addresses[0].generator, "g1");
	assert_string_equal(r->addresses[1].generator, "g2");
	assert_int_equal(r->conditions[1].reason, HOSTNAME_GENERATED);
	unload(&f);
}

static void
test_selector(void **state)
{
	struct fixture f;

	load(&f, SVC("web", "labels: {app: web}\n") SVC("db", "")
		 "---\ntype: HostnameGenerator\nname: only-web\n"
		 "spec:\n  selector:\n    meshService:\n      matchLabels: "
		 "{app: web}\n  template: '{{ .Name }}.mesh'\n");
	assert_int_equal(result_of(&f, "web")->naddresses, 1);
	/* Not selected: no address and no condition at all. */
	assert_int_equal(result_of(&f, "db")->naddresses, 0);
	assert_int_equal(result_of(&f, "db")->nconditions, 0);
	unload(&f);
}

/* Served zones are a plain list: no table is needed to tell. */
static void
test_zones_has(void **state)
{
	static const char *const v[] = {
		"Mesh.Local.", "mesh", "241.in-addr.arpa",
	};
	static const char *const root[] = { "." };
	static const struct {
		const char *name;
		int want;
	} cases[] = {
		{ "redis.mesh.local", 1 },
		{ "mesh.local", 1 },		/* the apex */
		{ "REDIS.MESH", 1 },		/* any case */
		{ "redis.mesh.", 1 },		/* a final dot */
		{ "a.b.c.mesh", 1 },
		{ "1.0.0.241.in-addr.arpa", 1 },
		{ "xmesh", 0 },			/* whole labels only */
		{ "redis.xmesh.local", 0 },
		{ "mesh.local.example", 0 },
		{ "redis.example.com", 0 },
		{ "local", 0 },
	};
	const struct hostname_zones zones = { v, 3 };
	const struct hostname_zones none = { NULL, 0 };
	const struct hostname_zones all = { root, 1 };
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		if (hostname_zones_has(&zones, cases[i].name) != cases[i].want)
			fail_msg("%s: want %d", cases[i].name, cases[i].want);
	assert_false(hostname_zones_has(&none, "redis.mesh"));
	assert_true(hostname_zones_has(&all, "redis.example.com"));
}

/*
 * A hostname outside the zone list gets NotServed with the same message
 * as when the table builder answered; one inside is generated; no list
 * means no check.
 */
static void
test_outside_zone_list(void **state)
{
	static const char *const v[] = { "svc.mesh.local" };
	const struct hostname_zones zones = { v, 1 };
	struct fixture f;
	const struct hostname_result *r = NULL;

	(void)state;
	load_served(&f, SVC("redis", "")
		    GEN("inside", "", "{{ .Name }}.svc.mesh.local")
		    GEN("outside", "", "{{ .Name }}.mesh.local"), &zones);
	r = result_of(&f, "redis");
	assert_int_equal(r->naddresses, 1);
	assert_string_equal(r->addresses[0].hostname,
			    "redis.svc.mesh.local");
	assert_int_equal(r->nconditions, 2);
	assert_string_equal(r->conditions[0].generator, "inside");
	assert_int_equal(r->conditions[0].reason, HOSTNAME_GENERATED);
	assert_string_equal(r->conditions[1].generator, "outside");
	assert_int_equal(r->conditions[1].reason, HOSTNAME_NOT_SERVED);
	assert_string_equal(r->conditions[1].message,
			    "hostname \"redis.mesh.local\" is outside every "
			    "DNS zone this server serves");
	assert_false(hostname_claims_has(f.claims, "default", "redis.mesh.local"));
	unload(&f);

	load_served(&f, SVC("redis", "")
		    GEN("outside", "", "{{ .Name }}.example.com"), NULL);
	r = result_of(&f, "redis");
	assert_int_equal(r->naddresses, 1);
	assert_string_equal(r->addresses[0].hostname, "redis.example.com");
	assert_int_equal(r->conditions[0].reason, HOSTNAME_GENERATED);
	unload(&f);
}

/* Every diagnostic of @f as "file:line:column: warning: msg" lines. */
static const char *
diags_text(const struct fixture *f, char *buf, size_t size)
{
	size_t len = 0;
	size_t i;

	buf[0] = '\0';
	for (i = 0; i < f->diags.n && len < size; i++) {
		char line[4096];

		len += (size_t)snprintf(buf + len, size - len, "%s\n",
					diag_format(&f->diags.v[i], line,
						    sizeof(line)));
	}
	return buf;
}

/*
 * Services that get no hostname are warnings: one per generator and
 * reason, at the template, counting the services and naming the first
 * three; the first in full with its position; a collision names the
 * service that has the name, with its position.
 */
static void
test_warnings(void **state)
{
	struct fixture f;
	char text[8192];

	(void)state;
	load(&f, SVC("alpha", "") SVC("bravo", "") SVC("charlie", "")
		 SVC("delta", "") SVC("echo", "labels: {team: x}\n")
		 GEN("bad", "", "{{ .Name }}_x.mesh")
		 GEN("same", "", "same.mesh")
		 GEN("outside", "", "{{ .Name }}.example.com")
		 "---\ntype: HostnameGenerator\nname: team\n"
		 "spec:\n  selector:\n    meshService:\n"
		 "      matchLabels: {team: x}\n"
		 "  template: '{{ .Name }}.example.com'\n"
		 GEN("fine", "", "{{ .Name }}.svc.mesh.local"));
	assert_int_equal(f.diags.errors, 0);
	assert_string_equal(diags_text(&f, text, sizeof(text)),
		"t.yaml:49:13: warning: HostnameGenerator \"bad\" gives 5 "
		"MeshServices no hostname (\"alpha\", \"bravo\", "
		"\"charlie\" and 2 more); MeshService \"alpha\" "
		"(t.yaml:2:1): generated hostname \"alpha_x.mesh\" is not "
		"a valid DNS name: a lowercase RFC 1123 subdomain must "
		"consist of lower case alphanumeric characters, '-' or "
		"'.', and must start and end with an alphanumeric "
		"character (e.g. 'example.com', regex used for validation "
		"is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]"
		"([-a-z0-9]*[a-z0-9])?)*')\n"
		"t.yaml:65:13: warning: HostnameGenerator \"outside\" "
		"gives 5 MeshServices no hostname (\"alpha\", \"bravo\", "
		"\"charlie\" and 2 more); MeshService \"alpha\" "
		"(t.yaml:2:1): hostname \"alpha.example.com\" is outside "
		"every DNS zone this server serves\n"
		"t.yaml:57:13: warning: HostnameGenerator \"same\" gives 4 "
		"MeshServices no hostname (\"bravo\", \"charlie\", "
		"\"delta\" and 1 more); MeshService \"bravo\" "
		"(t.yaml:10:1): hostname collision: same.mesh is already "
		"the hostname of MeshService \"alpha\" (t.yaml:2:1)\n"
		"t.yaml:73:13: warning: HostnameGenerator \"team\" gives "
		"MeshService \"echo\" (t.yaml:34:1) no hostname: hostname "
		"\"echo.example.com\" is outside every DNS zone this "
		"server serves\n");
	unload(&f);
}

/* --- hostname_check_template: Kuma's apply-time stub render --- */

struct stub_case {
	const char *tmpl;
	const char *err;	/* NULL: accepted */
};

static void
test_check_template(void **state)
{
	static const char rfc[] = "a lowercase RFC 1123 subdomain must "
	    "consist of lower case alphanumeric characters";
	static const struct stub_case cases[] = {
		{ "{{ .Name }}.svc.mesh.local", NULL },
		{ "{{ .DisplayName }}.{{ .Namespace }}.svc.{{ .Zone }}.mesh.local",
		  NULL },
		{ "{{ label \"statefulset.kubernetes.io/pod-name\" }}.mesh",
		  NULL },
		/* Kuma's validate_test.go cases. */
		{ "{{ .Name }}.MESH",
		  "template renders to \"name.MESH\" which is not a valid DNS name: " },
		{ ".{{ .Name }}.mesh",
		  "template renders to \".name.mesh\" which is not a valid DNS name: " },
		{ "{{ .Name }}..mesh",
		  "template renders to \"name..mesh\" which is not a valid DNS name: " },
		{ "{{ .Name }}_svc.mesh",
		  "template renders to \"name_svc.mesh\" which is not a valid DNS name: " },
		{ "{{ .Name }}.mesh.",
		  "template renders to \"name.mesh.\" which is not a valid DNS name: " },
		/* Only data can make these fail: accepted. */
		{ "{{ .Name }}{{ if ne .Zone `zone` }}_x{{ end }}.mesh", NULL },
		/* Execution errors with the stub values. */
		{ "{{ len (and .Name true) }}.mesh",
		  "couldn't render template with stub values: " },
	};
	char err[1024];
	struct tmpl *t = NULL;
	size_t i;
	int rc;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		if (tmpl_compile(&t, cases[i].tmpl, NULL) != 0)
			fail_msg("%s: does not compile", cases[i].tmpl);
		err[0] = '\0';
		rc = hostname_check_template(t, err, sizeof(err));
		if (cases[i].err == NULL) {
			if (rc != 0)
				fail_msg("%s: %s", cases[i].tmpl, err);
		} else {
			assert_int_equal(rc, -1);
			if (strncmp(err, cases[i].err, strlen(cases[i].err)) != 0)
				fail_msg("%s: got %s", cases[i].tmpl, err);
			if (strstr(cases[i].err, "renders to") != NULL &&
			    strstr(err, rfc) == NULL)
				fail_msg("%s: got %s", cases[i].tmpl, err);
		}
		tmpl_free(t);
		t = NULL;
	}
}

/*
 * A block holds immutable copies of results that borrow nothing: the
 * originals cleared, the copies say the same, each knows its block, and
 * they live until the block's last reference goes (valgrind checks the
 * rest: no leak, no read after the free).
 */
static void
test_block_share(void **state)
{
	struct hostname_address addr[2];
	struct hostname_condition cond[1];
	struct hostname_result r;
	struct hostname_block *b = hostname_block_new();
	const struct hostname_result *sh[40];
	char gen[] = "gen-a";
	size_t i;

	(void)state;
	assert_non_null(b);
	assert_int_equal(hostname_block_results(b), 0);
	/* Enough results for the arena to take several chunks. */
	for (i = 0; i < 40; i++) {
		assert_true(asprintf(&addr[0].hostname, "svc-%zu.mesh.local",
				     i) > 0);
		addr[0].generator = gen;
		assert_true(asprintf(&addr[1].hostname, "svc-%zu.%s.mesh.local",
				     i, i % 2 ? "long-long-long-long" : "x") > 0);
		addr[1].generator = "gen-b";
		cond[0].generator = gen;
		cond[0].reason = HOSTNAME_NOT_SERVED;
		assert_true(asprintf(&cond[0].message, "message %zu", i) > 0);
		r.addresses = addr;
		r.naddresses = i % 3 == 0 ? 0 : 2;
		r.conditions = cond;
		r.nconditions = 1;
		sh[i] = hostname_block_share(b, &r);
		assert_non_null(sh[i]);
		free(addr[0].hostname);
		free(addr[1].hostname);
		free(cond[0].message);
	}
	/* The strings were copied: the originals are gone, and gen[] too. */
	gen[0] = 'X';
	assert_int_equal(hostname_block_results(b), 40);
	assert_ptr_equal(hostname_block_ref(b), b);
	hostname_block_unref(b);
	for (i = 0; i < 40; i++) {
		char want[64];

		assert_ptr_equal(hostname_result_block(sh[i]), b);
		assert_int_equal(sh[i]->naddresses, i % 3 == 0 ? 0 : 2);
		assert_int_equal(sh[i]->nconditions, 1);
		if (sh[i]->naddresses > 0) {
			snprintf(want, sizeof(want), "svc-%zu.mesh.local", i);
			assert_string_equal(sh[i]->addresses[0].hostname, want);
			assert_string_equal(sh[i]->addresses[0].generator,
					    "gen-a");
			assert_string_equal(sh[i]->addresses[1].generator,
					    "gen-b");
		}
		snprintf(want, sizeof(want), "message %zu", i);
		assert_string_equal(sh[i]->conditions[0].message, want);
		assert_string_equal(sh[i]->conditions[0].generator, "gen-a");
		assert_int_equal(sh[i]->conditions[0].reason,
				 HOSTNAME_NOT_SERVED);
	}
	hostname_block_unref(b);
	hostname_block_unref(NULL);
	assert_null(hostname_block_ref(NULL));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_validate),
		cmocka_unit_test(test_check_template),
		cmocka_unit_test(test_warnings),
		cmocka_unit_test(test_validate_lengths),
		cmocka_unit_test(test_fields),
		cmocka_unit_test(test_zone_label_wins),
		cmocka_unit_test(test_template_errors),
		cmocka_unit_test(test_collision_older_service_wins),
		cmocka_unit_test(test_collision_name_order),
		cmocka_unit_test(test_collision_across_meshes),
		cmocka_unit_test(test_generator_order),
		cmocka_unit_test(test_same_name_twice_is_not_collision),
		cmocka_unit_test(test_selector),
		cmocka_unit_test(test_zones_has),
		cmocka_unit_test(test_outside_zone_list),
		cmocka_unit_test(test_block_share),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
