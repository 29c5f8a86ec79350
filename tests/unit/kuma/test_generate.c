/* SPDX-License-Identifier: MIT */
/* test_generate.c -- what Kuma's zone control plane derives. */
#include "autoconfig.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kuma/generate.h"

struct fx {
	struct resource_set *set;
	struct diag_list diags;
	struct generate_result res;
	struct generate_options opt;
};

static int
setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));

	if (f == NULL)
		return -1;
	diag_list_init(&f->diags);
	if ((f->set = resource_set_new()) == NULL) {
		free(f);
		return -1;
	}
	f->opt.zone = "zone-1";
	f->opt.environment = GENERATE_UNIVERSAL;
	f->opt.defaults = GENERATE_DEFAULTS_NONE;
	f->opt.default_mode = RESOURCE_MESH_MODE_EVERYWHERE;
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *f = *state;

	resource_set_free(f->set);
	diag_list_clear(&f->diags);
	generate_result_clear(&f->res);
	free(f);
	return 0;
}

/* Load @text as file @name; no errors and no warnings expected. */
static void
load(struct fx *f, const char *name, const char *text)
{
	assert_int_equal(resource_set_load_string(f->set, name, text,
						  &f->diags), 0);
	if (f->diags.n > 0)
		fail_msg("unexpected diagnostic loading %s: %s", name,
			 f->diags.v[0].msg);
}

/* What build.c does before generating: finish, compute labels, run. */
static void
run(struct fx *f)
{
	assert_int_equal(resource_set_finish(f->set, &f->diags), 0);
	assert_int_equal(f->diags.errors, 0);
	assert_int_equal(resource_set_compute_labels(f->set, f->opt.zone), 0);
	generate_result_clear(&f->res);
	assert_int_equal(generate_run(f->set, &f->opt, &f->res, &f->diags),
			 0);
	assert_int_equal(f->diags.oom, 0);
}

static const struct resource_mesh_service *
find_ms(const struct fx *f, const char *mesh, const char *namespace,
	const char *name)
{
	size_t i;

	for (i = 0; i < f->res.nservices; i++) {
		const struct resource_meta *m = &f->res.services[i].res->meta;

		if (strcmp(m->name, name) == 0 &&
		    strcmp(m->mesh, mesh) == 0 &&
		    (namespace == NULL ? m->namespace == NULL :
		     m->namespace != NULL &&
		     strcmp(m->namespace, namespace) == 0))
			return f->res.services[i].res;
	}
	return NULL;
}

/* The generate result's entry for @ms: its conditions. */
static const struct generate_service *
conds(const struct fx *f, const struct resource_mesh_service *ms)
{
	size_t i;

	for (i = 0; i < f->res.nservices; i++)
		if (f->res.services[i].res == ms)
			return &f->res.services[i];
	fail_msg("no generate_service entry");
	return NULL;
}

static const struct resource_hostname_generator *
find_hg(const struct fx *f, const char *name)
{
	size_t i;

	for (i = 0; i < f->res.ngenerators; i++)
		if (strcmp(f->res.generators[i]->meta.name, name) == 0)
			return f->res.generators[i];
	return NULL;
}

/* A generator by its plain name: its name, or its display name (the
 * synced-* defaults arrive under KDS's hashed names). */
static const struct resource_hostname_generator *
find_hg_display(const struct fx *f, const char *name)
{
	size_t i;

	for (i = 0; i < f->res.ngenerators; i++) {
		const struct resource_meta *m = &f->res.generators[i]->meta;

		if (strcmp(resource_display_name(m), name) == 0)
			return f->res.generators[i];
	}
	return NULL;
}

static size_t
count_origin(const struct fx *f, enum resource_origin origin)
{
	size_t i;
	size_t n = 0;

	for (i = 0; i < f->res.nservices; i++)
		n += f->res.services[i].res->origin == origin;
	return n;
}

/* "k=v,k=v" of sorted labels, for whole-map comparisons. */
static const char *
labels_str(const struct resource_labels *l, char *buf, size_t size)
{
	size_t i;
	size_t o = 0;

	buf[0] = '\0';
	for (i = 0; i < l->n && o < size; i++)
		o += (size_t)snprintf(buf + o, size - o, "%s%s=%s",
				      i ? "," : "", l->v[i].key,
				      l->v[i].value);
	return buf;
}

static void
assert_labels(const struct resource_labels *l, const char *want)
{
	char buf[2048];

	assert_string_equal(labels_str(l, buf, sizeof(buf)), want);
}

/* "name port->target/proto, ..." of a MeshService's ports. */
static void
assert_ports(const struct resource_mesh_service *ms, const char *want)
{
	char buf[1024];
	size_t o = 0;
	size_t i;

	buf[0] = '\0';
	for (i = 0; i < ms->nports; i++) {
		const struct resource_port *p = &ms->ports[i];
		char target[64];

		assert_true(p->has_target);
		if (p->target_is_name)
			snprintf(target, sizeof(target), "%s", p->target_name);
		else
			snprintf(target, sizeof(target), "%u",
				 (unsigned)p->target_port);
		o += (size_t)snprintf(buf + o, sizeof(buf) - o,
				      "%s%s %u->%s/%s", i ? ", " : "",
				      p->name, (unsigned)p->port, target,
				      p->app_protocol);
	}
	assert_string_equal(buf, want);
}

static void
assert_diag(const struct diag *d, const char *file, int line,
	    const char *msg)
{
	assert_int_equal(d->severity, DIAG_WARNING);
	assert_string_equal(d->file, file);
	assert_int_equal(d->line, line);
	assert_string_equal(d->msg, msg);
}

/* --- names --- */

static void
test_hashed_name(void **state)
{
	static const struct {
		const char *mesh;
		const char *name;
		const char *zone;
		const char *ns;
		const char *want;
	} cases[] = {
		/* Kuma's golden file (pkg/kds/context/testdata) */
		{ "default", "redis-zone-1", "zone-1", NULL,
		  "redis-zone-1-2v6wfvvcvbc9f55d" },
		/* the synced generators as a zone lists them (kuma.md 4) */
		{ "", "synced-kube-mesh-service", NULL, NULL,
		  "synced-kube-mesh-service-8xc5x6c9f588fzz9" },
		{ "", "synced-mesh-external-service", NULL, NULL,
		  "synced-mesh-external-service-7f4474c7b4z469f4" },
		/* no zone, no namespace: an empty value adds nothing */
		{ "default", "redis-zone-1", "zone-1", "",
		  "redis-zone-1-2v6wfvvcvbc9f55d" },
	};
	char buf[300];
	char lname[301];
	char want[300];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(generate_hashed_name(buf, sizeof(buf),
						      cases[i].mesh,
						      cases[i].name,
						      cases[i].zone,
						      cases[i].ns), 0);
		assert_string_equal(buf, cases[i].want);
	}
	/* the namespace changes the hash */
	assert_int_equal(generate_hashed_name(buf, sizeof(buf), "default",
					      "redis", "zone-1", "ns-a"), 0);
	assert_int_equal(generate_hashed_name(want, sizeof(want), "default",
					      "redis", "zone-1", "ns-b"), 0);
	assert_string_not_equal(buf, want);
	/* a NULL mesh hashes like "" (HostnameGenerators have none) */
	assert_int_equal(generate_hashed_name(buf, sizeof(buf), NULL,
					      "synced-kube-mesh-service", NULL,
					      NULL), 0);
	assert_string_equal(buf, "synced-kube-mesh-service-8xc5x6c9f588fzz9");

	/* 300 characters: cut to 236, hashed whole */
	memset(lname, 'a', 300);
	lname[300] = '\0';
	assert_int_equal(generate_hashed_name(buf, sizeof(buf), "m", lname,
					      NULL, NULL), 0);
	assert_int_equal(strlen(buf), 236 + 1 + 16);
	assert_memory_equal(buf, lname, 236);
	assert_int_equal(buf[236], '-');
	lname[299] = 'b';	/* beyond the cut: only the hash differs */
	assert_int_equal(generate_hashed_name(want, sizeof(want), "m", lname,
					      NULL, NULL), 0);
	assert_memory_equal(buf, want, 237);
	assert_string_not_equal(buf + 237, want + 237);

	/* the buffer must hold it all */
	assert_int_equal(generate_hashed_name(buf, 30, "default",
					      "redis-zone-1", "zone-1", NULL),
			 0);
	assert_int_equal(generate_hashed_name(buf, 29, "default",
					      "redis-zone-1", "zone-1", NULL),
			 -1);
}

static void
test_headless_name(void **state)
{
	const char *p52 = "a123456789b123456789c123456789d123456789"
			  "e12345678901";
	char pod1[64];
	char pod2[64];
	char n1[80];
	char n2[80];

	(void)state;
	/* Kuma's testdata headless.meshservice.yaml */
	assert_int_equal(generate_headless_name(n1, sizeof(n1), "example",
						"demo", "example-1"), 0);
	assert_string_equal(n1, "example-1-87ff74c98");
	/* another Service or namespace: another name */
	assert_int_equal(generate_headless_name(n2, sizeof(n2), "example",
						"prod", "example-1"), 0);
	assert_string_not_equal(n1, n2);

	/* 52 characters are kept whole, and the pod is not hashed */
	assert_int_equal(strlen(p52), 52);
	assert_int_equal(generate_headless_name(n1, sizeof(n1), "s", "n",
						p52), 0);
	assert_memory_equal(n1, p52, 52);
	assert_int_equal(n1[52], '-');
	snprintf(pod1, sizeof(pod1), "%s", "other");
	assert_int_equal(generate_headless_name(n2, sizeof(n2), "s", "n",
						pod1), 0);
	assert_string_equal(n1 + 53, n2 + 6);	/* same hash */

	/* longer: cut to 52, and the whole name goes into the hash */
	snprintf(pod1, sizeof(pod1), "%sxyz-0", p52);
	snprintf(pod2, sizeof(pod2), "%sxyz-1", p52);
	assert_int_equal(generate_headless_name(n1, sizeof(n1), "s", "n",
						pod1), 0);
	assert_int_equal(generate_headless_name(n2, sizeof(n2), "s", "n",
						pod2), 0);
	assert_memory_equal(n1, p52, 52);
	assert_memory_equal(n2, p52, 52);
	assert_int_equal(n1[52], '-');
	assert_string_not_equal(n1, n2);
	assert_true(strlen(n1) <= 63);

	assert_int_equal(generate_headless_name(n1, 20, "example", "demo",
						"example-1"), 0);
	assert_int_equal(generate_headless_name(n1, 19, "example", "demo",
						"example-1"), -1);
}

/* --- mesh mode --- */

static void
test_mesh_mode(void **state)
{
	struct fx *f = *state;

	load(f, "mesh.yaml",
	     "type: Mesh\n"
	     "name: excl\n"
	     "meshServices:\n"
	     "  mode: Exclusive\n"
	     "---\n"
	     "type: Mesh\n"
	     "name: nomode\n");
	assert_int_equal(resource_set_finish(f->set, &f->diags), 0);
	f->opt.default_mode = RESOURCE_MESH_MODE_REACHABLE_BACKENDS;
	assert_int_equal(generate_mesh_mode(f->set, "excl", &f->opt),
			 RESOURCE_MESH_MODE_EXCLUSIVE);
	assert_int_equal(generate_mesh_mode(f->set, "nomode", &f->opt),
			 RESOURCE_MESH_MODE_REACHABLE_BACKENDS);
	assert_int_equal(generate_mesh_mode(f->set, "absent", &f->opt),
			 RESOURCE_MESH_MODE_REACHABLE_BACKENDS);
	assert_int_equal(generate_mesh_mode(f->set, NULL, &f->opt),
			 RESOURCE_MESH_MODE_REACHABLE_BACKENDS);
}

/* --- universal --- */

/* The documentation's example (meshservice-doc.md, "Universal"). */
static const char doc_dataplanes[] =
	"type: Dataplane\n"			/* line 1 */
	"mesh: default\n"
	"name: test-server-1\n"
	"creationTime: 2024-05-01T10:00:00Z\n"
	"networking:\n"
	"  address: 10.0.0.1\n"
	"  inbound:\n"
	"  - name: main\n"			/* line 8 */
	"    port: 80\n"
	"    tags:\n"
	"      kuma.io/service: test-server\n"
	"---\n"
	"type: Dataplane\n"			/* line 13 */
	"mesh: default\n"
	"name: test-server-2\n"
	"creationTime: 2024-05-01T11:00:00Z\n"
	"networking:\n"
	"  address: 10.0.0.2\n"
	"  inbound:\n"
	"  - name: main\n"
	"    port: 8080\n"
	"    tags:\n"
	"      kuma.io/service: test-server\n";

static void
test_universal_doc_example(void **state)
{
	struct fx *f = *state;
	const struct resource_mesh_service *ms = NULL;
	const char *msg =
		"Dataplane \"test-server-2\" has ports [main:8080/tcp] but "
		"MeshService \"test-server\" has the ports of the oldest "
		"Dataplane \"test-server-1\" [main:80/tcp]";

	load(f, "dp.yaml", doc_dataplanes);
	run(f);
	assert_int_equal(f->res.nservices, 1);
	assert_int_equal(f->set->nservices, 0);	/* generated into the result */
	ms = find_ms(f, "default", NULL, "test-server");
	assert_non_null(ms);
	assert_int_equal(ms->origin, RESOURCE_FROM_DATAPLANES);
	assert_int_equal(ms->meta.kind, RESOURCE_MESH_SERVICE);
	assert_int_equal(ms->meta.shape, RESOURCE_SHAPE_UNIVERSAL);
	/* the older Dataplane wins: its ports, place and time */
	assert_ports(ms, "main 80->80/tcp");
	assert_string_equal(ms->meta.pos.file, "dp.yaml");
	assert_int_equal(ms->meta.pos.line, 1);
	assert_int_equal(ms->meta.has_creation_time, 1);
	assert_int_equal(ms->meta.creation_ns,
			 f->set->dataplanes[0].meta.creation_ns);
	assert_int_equal(ms->selector, RESOURCE_SELECTOR_DATAPLANE_TAGS);
	assert_labels(&ms->selector_labels, "kuma.io/service=test-server");
	assert_labels(&ms->meta.labels,
		      "kuma.io/display-name=test-server,"
		      "kuma.io/env=universal,"
		      "kuma.io/managed-by=meshservice-generator,"
		      "kuma.io/mesh=default,"
		      "kuma.io/origin=zone,"
		      "kuma.io/zone=zone-1");
	assert_null(ms->meta.namespace);
	assert_int_equal(ms->nvips, 0);
	assert_null(ms->spec);

	assert_int_equal(conds(f, ms)->nconditions, 1);
	assert_string_equal(conds(f, ms)->conditions[0].type, "PortConflict");
	assert_int_equal(conds(f, ms)->conditions[0].status, 1);
	assert_string_equal(conds(f, ms)->conditions[0].reason, "PortConflict");
	assert_string_equal(conds(f, ms)->conditions[0].message, msg);

	assert_int_equal(f->diags.n, 1);
	assert_int_equal(f->diags.errors, 0);
	assert_diag(&f->diags.v[0], "dp.yaml", 13, msg);
}

/* Hand-built Dataplanes: the set owns what is malloc'ed here. */
static char *
xstrdup(const char *s)
{
	char *d = strdup(s);

	assert_non_null(d);
	return d;
}

static size_t
add_dp(struct fx *f, const char *mesh, const char *name, int64_t sec,
       int line)
{
	struct resource_set *s = f->set;
	struct resource_dataplane *v = NULL;
	struct resource_dataplane *dp = NULL;

	v = realloc(s->dataplanes, (s->ndataplanes + 1) * sizeof(*v));
	assert_non_null(v);
	s->dataplanes = v;
	dp = &v[s->ndataplanes];
	memset(dp, 0, sizeof(*dp));
	dp->meta.kind = RESOURCE_DATAPLANE;
	dp->meta.name = xstrdup(name);
	dp->meta.mesh = resource_mesh_intern(mesh);
	dp->meta.has_creation_time = sec != 0;
	dp->meta.creation_ns = sec * 1000000000LL;
	dp->meta.pos.file = "built.yaml";
	dp->meta.pos.line = line;
	dp->meta.pos.column = 1;
	dp->address = xstrdup("10.1.1.1");
	return s->ndataplanes++;
}

static void
add_inbound(struct fx *f, size_t dpi, const char *name, uint32_t port,
	    const char *service, const char *protocol, const char *ptag)
{
	struct resource_dataplane *dp = &f->set->dataplanes[dpi];
	struct resource_inbound *v = NULL;
	struct resource_inbound *in = NULL;

	v = realloc(dp->inbounds, (dp->ninbounds + 1) * sizeof(*v));
	assert_non_null(v);
	dp->inbounds = v;
	in = &v[dp->ninbounds++];
	memset(in, 0, sizeof(*in));
	in->name = name != NULL ? xstrdup(name) : NULL;
	in->port = port;
	in->protocol = protocol != NULL ? xstrdup(protocol) : NULL;
	if (service != NULL)
		assert_int_equal(resource_labels_set(&in->tags,
						     "kuma.io/service",
						     service), 0);
	if (ptag != NULL)
		assert_int_equal(resource_labels_set(&in->tags,
						     "kuma.io/protocol", ptag),
				 0);
	in->pos.file = "built.yaml";
	in->pos.line = dp->meta.pos.line + 10 + (int)dp->ninbounds;
	in->pos.column = 5;
}

static void
test_universal_ports(void **state)
{
	struct fx *f = *state;
	const struct resource_mesh_service *ms = NULL;
	size_t a;
	size_t b;

	a = add_dp(f, "default", "web-1", 100, 1);
	/* no name: the port number; protocol field before the tag */
	add_inbound(f, a, NULL, 8080, "web", "http", "grpc");
	/* the tag, any case; a second inbound of the same service */
	add_inbound(f, a, "admin", 9901, "web", NULL, "HTTP2");
	/* unknown protocols fall back to tcp, the field wins over the tag */
	add_inbound(f, a, "k", 9092, "kafka", "kafka", "http");
	add_inbound(f, a, "t", 443, "tls", NULL, "tls");
	add_inbound(f, a, "db", 3306, "db", "MySQL", NULL);
	/* identical ports on a second Dataplane: no conflict */
	b = add_dp(f, "default", "web-2", 200, 50);
	add_inbound(f, b, NULL, 8080, "web", "HTTP", NULL);
	add_inbound(f, b, "admin", 9901, "web", "http2", NULL);
	run(f);

	assert_int_equal(f->res.nservices, 4);
	ms = find_ms(f, "default", NULL, "web");
	assert_non_null(ms);
	assert_ports(ms, "8080 8080->8080/http, admin 9901->9901/http2");
	assert_int_equal(ms->ports[0].pos.line, 12);
	assert_int_equal(conds(f, ms)->nconditions, 0);
	assert_ports(find_ms(f, "default", NULL, "kafka"),
		     "k 9092->9092/tcp");
	assert_ports(find_ms(f, "default", NULL, "tls"), "t 443->443/tls");
	assert_ports(find_ms(f, "default", NULL, "db"), "db 3306->3306/mysql");
	assert_int_equal(f->diags.n, 0);
}

static void
test_universal_conflicts(void **state)
{
	struct fx *f = *state;
	const struct resource_mesh_service *ms = NULL;
	size_t d;

	/* same creation time: the name decides which is oldest */
	d = add_dp(f, "default", "b-dp", 100, 1);
	add_inbound(f, d, "main", 80, "svc", NULL, "http");
	d = add_dp(f, "default", "a-dp", 100, 20);
	add_inbound(f, d, "main", 80, "svc", NULL, "tcp");
	/* same ports, other order: a conflict too */
	d = add_dp(f, "default", "c-dp", 300, 40);
	add_inbound(f, d, "x", 81, "two", NULL, NULL);
	add_inbound(f, d, "y", 82, "two", NULL, NULL);
	d = add_dp(f, "default", "d-dp", 400, 60);
	add_inbound(f, d, "y", 82, "two", NULL, NULL);
	add_inbound(f, d, "x", 81, "two", NULL, NULL);
	d = add_dp(f, "default", "e-dp", 500, 80);
	add_inbound(f, d, "x", 81, "two", NULL, NULL);
	d = add_dp(f, "default", "f-dp", 600, 100);	/* agrees */
	add_inbound(f, d, "x", 81, "two", NULL, NULL);
	add_inbound(f, d, "y", 82, "two", NULL, NULL);
	run(f);

	ms = find_ms(f, "default", NULL, "svc");
	assert_non_null(ms);
	assert_ports(ms, "main 80->80/tcp");
	assert_int_equal(conds(f, ms)->nconditions, 1);
	assert_string_equal(conds(f, ms)->conditions[0].message,
			    "Dataplane \"b-dp\" has ports [main:80/http] but "
			    "MeshService \"svc\" has the ports of the oldest "
			    "Dataplane \"a-dp\" [main:80/tcp]");

	ms = find_ms(f, "default", NULL, "two");
	assert_non_null(ms);
	assert_ports(ms, "x 81->81/tcp, y 82->82/tcp");
	assert_int_equal(conds(f, ms)->nconditions, 1);
	assert_string_equal(conds(f, ms)->conditions[0].message,
			    "Dataplane \"d-dp\" has ports [y:82/tcp, x:81/tcp] "
			    "but MeshService \"two\" has the ports of the "
			    "oldest Dataplane \"c-dp\" [x:81/tcp, y:82/tcp]; "
			    "Dataplane \"e-dp\" has ports [x:81/tcp] but "
			    "MeshService \"two\" has the ports of the oldest "
			    "Dataplane \"c-dp\" [x:81/tcp, y:82/tcp]");

	/* one warning per conflicting Dataplane, at the Dataplane */
	assert_int_equal(f->diags.n, 3);
	assert_int_equal(f->diags.v[0].line, 1);
	assert_int_equal(f->diags.v[1].line, 60);
	assert_int_equal(f->diags.v[2].line, 80);
	assert_string_equal(f->diags.v[2].msg,
			    "Dataplane \"e-dp\" has ports [x:81/tcp] but "
			    "MeshService \"two\" has the ports of the oldest "
			    "Dataplane \"c-dp\" [x:81/tcp, y:82/tcp]");
}

/*
 * Without creation times, the first Dataplane in the input gives the
 * ports (what `kumactl apply -f` of the file gives), and nothing calls it
 * "the oldest"; one without a time comes before one with.
 */
static void
test_universal_conflicts_input_order(void **state)
{
	struct fx *f = *state;
	const struct resource_mesh_service *ms = NULL;
	size_t d;

	d = add_dp(f, "default", "z-dp", 0, 1);
	add_inbound(f, d, "main", 80, "svc", NULL, NULL);
	d = add_dp(f, "default", "a-dp", 0, 10);
	add_inbound(f, d, "main", 8080, "svc", NULL, NULL);
	d = add_dp(f, "default", "b-dp", 100, 20);
	add_inbound(f, d, "main", 81, "svc", NULL, NULL);
	run(f);

	ms = find_ms(f, "default", NULL, "svc");
	assert_non_null(ms);
	assert_ports(ms, "main 80->80/tcp");
	assert_int_equal(conds(f, ms)->nconditions, 1);
	assert_string_equal(conds(f, ms)->conditions[0].message,
			    "Dataplane \"a-dp\" has ports [main:8080/tcp] but "
			    "MeshService \"svc\" has the ports of the first "
			    "Dataplane in the input \"z-dp\" [main:80/tcp]; "
			    "Dataplane \"b-dp\" has ports [main:81/tcp] but "
			    "MeshService \"svc\" has the ports of the "
			    "Dataplane without a creation time \"z-dp\" "
			    "[main:80/tcp]");
	assert_int_equal(f->diags.n, 2);
	assert_int_equal(f->diags.v[0].line, 10);
	assert_int_equal(f->diags.v[1].line, 20);
}

static void
test_universal_invalid_names(void **state)
{
	struct fx *f = *state;
	size_t d;

	d = add_dp(f, "default", "dp-1", 100, 1);
	add_inbound(f, d, "a", 80, "backend_svc", NULL, NULL);
	add_inbound(f, d, "b", 81,
		    "a123456789b123456789c123456789d123456789e123456789"
		    "f123456789xyzw", NULL, NULL);
	add_inbound(f, d, "c", 82, "good", NULL, NULL);
	add_inbound(f, d, "d", 83, NULL, NULL, NULL);	/* no tag */
	run(f);

	assert_int_equal(f->res.nservices, 1);
	assert_non_null(find_ms(f, "default", NULL, "good"));
	assert_int_equal(f->diags.n, 2);
	assert_diag(&f->diags.v[0], "built.yaml", 12,
		    "couldn't generate MeshService from kuma.io/service, "
		    "contains invalid characters (value \"backend_svc\", "
		    "Dataplane \"dp-1\", mesh \"default\"): a DNS-1035 label "
		    "must consist of lower case alphanumeric characters or "
		    "'-', start with an alphabetic character, and end with an "
		    "alphanumeric character (e.g. 'my-name',  or 'abc-123', "
		    "regex used for validation is "
		    "'[a-z]([-a-z0-9]*[a-z0-9])?')");
	assert_diag(&f->diags.v[1], "built.yaml", 13,
		    "couldn't generate MeshService from kuma.io/service, "
		    "contains invalid characters (value \"a123456789b123456789"
		    "c123456789d123456789e123456789f123456789xyzw\", Dataplane "
		    "\"dp-1\", mesh \"default\"): must be no more than 63 "
		    "characters");
}

/* A MeshService in the input with the same mesh and name wins. */
static void
test_universal_written_wins(void **state)
{
	struct fx *f = *state;
	const struct resource_mesh_service *ms = NULL;

	load(f, "ms.yaml",
	     "type: MeshService\n"
	     "name: test-server\n"
	     "mesh: default\n"
	     "spec:\n"
	     "  selector:\n"
	     "    dataplaneTags: {app: x}\n"
	     "  ports:\n"
	     "  - {port: 1234}\n");
	load(f, "dp.yaml", doc_dataplanes);
	load(f, "other.yaml",
	     "type: Dataplane\n"
	     "mesh: other\n"
	     "name: test-server-3\n"
	     "networking:\n"
	     "  address: 10.0.0.3\n"
	     "  inbound:\n"
	     "  - {port: 80, tags: {kuma.io/service: test-server}}\n");
	run(f);

	assert_int_equal(f->res.nservices, 2);
	ms = find_ms(f, "default", NULL, "test-server");
	assert_non_null(ms);
	assert_int_equal(ms->origin, RESOURCE_WRITTEN);
	assert_int_equal(ms->nports, 1);
	assert_int_equal(ms->ports[0].port, 1234);
	assert_int_equal(conds(f, ms)->nconditions, 0);
	/* no warnings about a MeshService that is not generated */
	assert_int_equal(f->diags.n, 0);
	/* another mesh is another MeshService */
	ms = find_ms(f, "other", NULL, "test-server");
	assert_non_null(ms);
	assert_int_equal(ms->origin, RESOURCE_FROM_DATAPLANES);
	assert_ports(ms, "80 80->80/tcp");
}

static void
test_disabled_mode(void **state)
{
	struct fx *f = *state;

	load(f, "mesh.yaml",
	     "type: Mesh\n"
	     "name: default\n"
	     "meshServices: {mode: Disabled}\n");
	load(f, "dp.yaml", doc_dataplanes);
	load(f, "svc.yaml",
	     "apiVersion: v1\n"
	     "kind: Service\n"
	     "metadata:\n"
	     "  name: redis\n"
	     "  namespace: demo\n"
	     "  labels: {kuma.io/mesh: default}\n"
	     "spec:\n"
	     "  clusterIP: 10.96.0.10\n"
	     "  ports:\n"
	     "  - {port: 6379}\n");
	run(f);
	assert_int_equal(f->res.nservices, 0);
	assert_int_equal(f->diags.n, 0);
	/* legacy names stay in Disabled mode */
	assert_int_equal(f->res.nlegacy, 1);
	assert_string_equal(f->res.legacy[0].service, "test-server");
}

/* Meshes without a Mesh resource take the default mode. */
static void
test_default_mode_disabled(void **state)
{
	struct fx *f = *state;

	f->opt.default_mode = RESOURCE_MESH_MODE_DISABLED;
	load(f, "dp.yaml", doc_dataplanes);
	load(f, "mesh.yaml",
	     "type: Mesh\n"
	     "name: on\n"
	     "meshServices: {mode: Everywhere}\n"
	     "---\n"
	     "type: Dataplane\n"
	     "mesh: on\n"
	     "name: x-1\n"
	     "networking:\n"
	     "  address: 10.0.0.9\n"
	     "  inbound:\n"
	     "  - {port: 80, tags: {kuma.io/service: x}}\n");
	run(f);
	assert_int_equal(f->res.nservices, 1);
	assert_non_null(find_ms(f, "on", NULL, "x"));
}

static void
test_workload_mode(void **state)
{
	struct fx *f = *state;
	const struct resource_mesh_service *ms = NULL;

	f->opt.workload_labels = 1;
	load(f, "dp.yaml",
	     "type: Dataplane\n"
	     "mesh: default\n"
	     "name: backend-1\n"
	     "creationTime: 2024-05-01T10:00:00Z\n"
	     "labels: {kuma.io/workload: backend}\n"
	     "networking:\n"
	     "  address: 10.0.0.1\n"
	     "  inbound:\n"
	     "  - {name: http, port: 8080, protocol: http}\n"
	     "  - {port: 9090}\n"
	     "---\n"
	     "type: Dataplane\n"		/* line 12 */
	     "mesh: default\n"
	     "name: backend-2\n"
	     "creationTime: 2024-05-01T11:00:00Z\n"
	     "labels: {kuma.io/workload: backend}\n"
	     "networking:\n"
	     "  address: 10.0.0.2\n"
	     "  inbound:\n"
	     "  - {name: http, port: 8080, protocol: http}\n"
	     "---\n"
	     "type: Dataplane\n"		/* line 22 */
	     "mesh: default\n"
	     "name: odd-1\n"
	     "labels: {kuma.io/workload: Odd.Name}\n"
	     "networking:\n"
	     "  address: 10.0.0.3\n"
	     "  inbound:\n"
	     "  - {port: 80, tags: {kuma.io/service: ignored-here}}\n"
	     "---\n"
	     "type: Dataplane\n"
	     "mesh: default\n"
	     "name: nolabel-1\n"
	     "networking:\n"
	     "  address: 10.0.0.4\n"
	     "  inbound:\n"
	     "  - {port: 80, tags: {kuma.io/service: tagged}}\n");
	run(f);

	assert_int_equal(f->res.nservices, 1);
	ms = find_ms(f, "default", NULL, "backend");
	assert_non_null(ms);
	assert_ports(ms, "http 8080->8080/http, 9090 9090->9090/tcp");
	assert_int_equal(ms->selector, RESOURCE_SELECTOR_DATAPLANE_LABELS);
	assert_labels(&ms->selector_labels, "kuma.io/workload=backend");
	assert_labels(&ms->meta.labels,
		      "kuma.io/display-name=backend,"
		      "kuma.io/env=universal,"
		      "kuma.io/managed-by=meshservice-generator,"
		      "kuma.io/mesh=default,"
		      "kuma.io/origin=zone,"
		      "kuma.io/zone=zone-1");
	assert_int_equal(conds(f, ms)->nconditions, 1);
	assert_int_equal(f->diags.n, 3);
	assert_diag(&f->diags.v[0], "dp.yaml", 22,
		    "couldn't generate MeshService from kuma.io/workload, "
		    "contains invalid characters (value \"Odd.Name\", "
		    "Dataplane \"odd-1\", mesh \"default\"): a DNS-1035 label "
		    "must consist of lower case alphanumeric characters or "
		    "'-', start with an alphabetic character, and end with an "
		    "alphanumeric character (e.g. 'my-name',  or 'abc-123', "
		    "regex used for validation is "
		    "'[a-z]([-a-z0-9]*[a-z0-9])?')");
	/* nolabel-1's MeshService "tagged" disappears: a warning says so. */
	assert_diag(&f->diags.v[1], "dp.yaml", 31,
		    "Dataplane \"nolabel-1\" has no kuma.io/workload label: "
		    "with kuma.generation: workload, no MeshService is "
		    "generated from it");
	assert_diag(&f->diags.v[2], "dp.yaml", 12,
		    "Dataplane \"backend-2\" has ports [http:8080/http] but "
		    "MeshService \"backend\" has the ports of the oldest "
		    "Dataplane \"backend-1\" [http:8080/http, 9090:9090/tcp]");
}

/*
 * Workload generation over Dataplanes that have only kuma.io/service tags
 * (a Kuma 2.x zone): nothing is generated, one warning names the first
 * three and counts the rest.
 */
static void
test_workload_mode_no_labels(void **state)
{
	struct fx *f = *state;
	char yaml[2048];
	size_t len = 0;
	int i;

	f->opt.workload_labels = 1;
	for (i = 1; i <= 5; i++)
		len += (size_t)snprintf(yaml + len, sizeof(yaml) - len,
					"%stype: Dataplane\n"
					"mesh: default\n"
					"name: web-%d\n"
					"networking:\n"
					"  address: 10.0.0.%d\n"
					"  inbound:\n"
					"  - {port: 80, tags: "
					"{kuma.io/service: web}}\n",
					i == 1 ? "" : "---\n", i, i);
	load(f, "dp.yaml", yaml);
	run(f);
	assert_int_equal(f->res.nservices, 0);
	assert_int_equal(f->diags.n, 1);
	assert_diag(&f->diags.v[0], "dp.yaml", 1,
		    "5 Dataplanes have no kuma.io/workload label (\"web-1\", "
		    "\"web-2\", \"web-3\" and 2 more): with kuma.generation: "
		    "workload, no MeshService is generated from them");

	/* The same Dataplanes under kuma.io/service: no warning. */
	generate_result_clear(&f->res);
	diag_list_clear(&f->diags);
	f->opt.workload_labels = 0;
	run(f);
	assert_int_equal(f->res.nservices, 1);
	assert_int_equal(f->diags.n, 0);
}

/* In a Kubernetes zone Dataplanes come from Pods: no MeshService. */
static void
test_kubernetes_zone_skips_dataplanes(void **state)
{
	struct fx *f = *state;

	f->opt.environment = GENERATE_KUBERNETES;
	load(f, "dp.yaml", doc_dataplanes);
	run(f);
	assert_int_equal(f->res.nservices, 0);
	assert_int_equal(f->diags.n, 0);
	assert_int_equal(f->res.nlegacy, 1);
}

/* --- Kubernetes Services --- */

/* A Kubernetes zone has Mesh objects: no mesh exists without one. */
static const char k8s_meshes[] =
	"apiVersion: kuma.io/v1alpha1\n"
	"kind: Mesh\n"
	"metadata: {name: default}\n"
	"---\n"
	"apiVersion: kuma.io/v1alpha1\n"
	"kind: Mesh\n"
	"metadata: {name: m1}\n"
	"---\n"
	"apiVersion: kuma.io/v1alpha1\n"
	"kind: Mesh\n"
	"metadata: {name: nsmesh}\n";

static const char k8s_objects[] =
	"apiVersion: v1\n"
	"kind: Namespace\n"
	"metadata:\n"
	"  name: demo\n"
	"  labels: {kuma.io/sidecar-injection: enabled}\n"
	"---\n"
	"apiVersion: v1\n"			/* line 7 */
	"kind: Service\n"
	"metadata:\n"
	"  name: redis\n"
	"  namespace: demo\n"
	"  creationTimestamp: \"2024-05-01T10:00:00Z\"\n"
	"  labels: {app: redis, team: db}\n"
	"spec:\n"
	"  clusterIP: 10.96.0.10\n"
	"  selector: {app: redis}\n"
	"  ports:\n"
	"  - {name: tcp-redis, port: 6379, targetPort: 6380, "
	"appProtocol: redis}\n"
	"  - {port: 7000, targetPort: metrics}\n"
	"  - {port: 7001}\n"
	"  - {name: dns, port: 53, protocol: UDP}\n"
	"  - {port: 5353, protocol: SCTP}\n";

static void
test_k8s_cluster_ip(void **state)
{
	struct fx *f = *state;
	const struct resource_mesh_service *ms = NULL;

	f->opt.environment = GENERATE_KUBERNETES;
	load(f, "meshes.yaml", k8s_meshes);
	load(f, "k8s.yaml", k8s_objects);
	run(f);

	assert_int_equal(f->res.nservices, 1);
	ms = find_ms(f, "default", "demo", "redis");
	assert_non_null(ms);
	assert_int_equal(ms->origin, RESOURCE_FROM_K8S_SERVICE);
	assert_int_equal(ms->meta.shape, RESOURCE_SHAPE_KUBERNETES);
	assert_int_equal(ms->meta.pos.line, 7);
	assert_int_equal(ms->meta.has_creation_time, 1);
	assert_labels(&ms->meta.labels,
		      "app=redis,"
		      "k8s.kuma.io/is-headless-service=false,"
		      "k8s.kuma.io/namespace=demo,"
		      "k8s.kuma.io/service-name=redis,"
		      "kuma.io/display-name=redis,"
		      "kuma.io/env=kubernetes,"
		      "kuma.io/managed-by=k8s-controller,"
		      "kuma.io/mesh=default,"
		      "kuma.io/origin=zone,"
		      "kuma.io/zone=zone-1,"
		      "team=db");
	/* Kuma 2.x with inbound tags: dataplaneTags, namespace added. */
	assert_int_equal(ms->selector, RESOURCE_SELECTOR_DATAPLANE_TAGS);
	assert_labels(&ms->selector_labels,
		      "app=redis,k8s.kuma.io/namespace=demo");
	assert_ports(ms, "tcp-redis 6379->6380/redis, "
			 "7000 7000->metrics/tcp, 7001 7001->7001/tcp");
	assert_int_equal(ms->nvips, 1);
	assert_string_equal(ms->vips[0], "10.96.0.10");
	assert_int_equal(f->diags.n, 1);
	assert_diag(&f->diags.v[0], "k8s.yaml", 7,
		    "Ignored unsupported ports: dns, 5353");
}

static void
test_k8s_eligibility(void **state)
{
	static const struct {
		const char *what;
		const char *yaml;
		const char *mesh;	/* NULL: no MeshService */
	} cases[] = {
		{ "no label, no Namespace object",
		  "metadata: {name: s, namespace: plain}\n"
		  "spec: {clusterIP: 10.0.0.1, ports: [{port: 80}]}\n",
		  NULL },
		{ "Service label",
		  "metadata: {name: s, namespace: plain, "
		  "labels: {kuma.io/mesh: m1}}\n"
		  "spec: {clusterIP: 10.0.0.1, ports: [{port: 80}]}\n",
		  "m1" },
		{ "injection on, no mesh label: default",
		  "metadata: {name: s, namespace: inj}\n"
		  "spec: {clusterIP: 10.0.0.1, ports: [{port: 80}]}\n",
		  "default" },
		{ "injection \"true\", the Namespace's mesh",
		  "metadata: {name: s, namespace: injm}\n"
		  "spec: {clusterIP: 10.0.0.1, ports: [{port: 80}]}\n",
		  "nsmesh" },
		{ "the Service label wins over the Namespace's",
		  "metadata: {name: s, namespace: injm, "
		  "labels: {kuma.io/mesh: m1}}\n"
		  "spec: {clusterIP: 10.0.0.1, ports: [{port: 80}]}\n",
		  "m1" },
		{ "injection disabled",
		  "metadata: {name: s, namespace: off}\n"
		  "spec: {clusterIP: 10.0.0.1, ports: [{port: 80}]}\n",
		  NULL },
		{ "kuma.io/ignore",
		  "metadata: {name: s, namespace: inj, "
		  "annotations: {kuma.io/ignore: \"true\"}}\n"
		  "spec: {clusterIP: 10.0.0.1, ports: [{port: 80}]}\n",
		  NULL },
		{ "kuma.io/ignore false",
		  "metadata: {name: s, namespace: inj, "
		  "annotations: {kuma.io/ignore: \"false\"}}\n"
		  "spec: {clusterIP: 10.0.0.1, ports: [{port: 80}]}\n",
		  "default" },
		{ "gateway",
		  "metadata: {name: s, namespace: inj, "
		  "annotations: {kuma.io/gateway: enabled}}\n"
		  "spec: {clusterIP: 10.0.0.1, ports: [{port: 80}]}\n",
		  NULL },
		{ "zone proxy",
		  "metadata: {name: s, namespace: inj, "
		  "labels: {k8s.kuma.io/zone-proxy-type: ingress}}\n"
		  "spec: {clusterIP: 10.0.0.1, ports: [{port: 80}]}\n",
		  NULL },
		{ "ExternalName",
		  "metadata: {name: s, namespace: inj}\n"
		  "spec: {type: ExternalName, externalName: x.example.com}\n",
		  NULL },
		{ "empty clusterIP",
		  "metadata: {name: s, namespace: inj}\n"
		  "spec: {clusterIP: \"\", ports: [{port: 80}]}\n",
		  NULL },
		{ "Disabled mesh",
		  "metadata: {name: s, namespace: plain, "
		  "labels: {kuma.io/mesh: dis}}\n"
		  "spec: {clusterIP: 10.0.0.1, ports: [{port: 80}]}\n",
		  NULL },
		{ "a mesh without a Mesh resource",
		  "metadata: {name: s, namespace: plain, "
		  "labels: {kuma.io/mesh: nomesh}}\n"
		  "spec: {clusterIP: 10.0.0.1, ports: [{port: 80}]}\n",
		  NULL },
		{ "in front of a delegated gateway's Pod",
		  "metadata: {name: s, namespace: inj}\n"
		  "spec: {clusterIP: 10.0.0.1, ports: [{port: 80}]}\n"
		  "---\n"
		  "apiVersion: discovery.k8s.io/v1\n"
		  "kind: EndpointSlice\n"
		  "metadata: {name: s-1, namespace: inj, "
		  "labels: {kubernetes.io/service-name: s}}\n"
		  "endpoints:\n"
		  "- addresses: [10.1.0.1]\n"
		  "  targetRef: {kind: Pod, name: gone}\n"
		  "- addresses: [10.1.0.2]\n"
		  "  targetRef: {kind: Pod, name: gw}\n"
		  "---\n"
		  "apiVersion: v1\n"
		  "kind: Pod\n"
		  "metadata: {name: gw, namespace: inj, "
		  "annotations: {kuma.io/gateway: enabled}}\n",
		  NULL },
		{ "in front of Pods, the first of which is no gateway",
		  "metadata: {name: s, namespace: inj}\n"
		  "spec: {clusterIP: 10.0.0.1, ports: [{port: 80}]}\n"
		  "---\n"
		  "apiVersion: discovery.k8s.io/v1\n"
		  "kind: EndpointSlice\n"
		  "metadata: {name: s-1, namespace: inj, "
		  "labels: {kubernetes.io/service-name: s}}\n"
		  "endpoints:\n"
		  "- addresses: [10.1.0.1]\n"
		  "  targetRef: {kind: Pod, name: app}\n"
		  "- addresses: [10.1.0.2]\n"
		  "  targetRef: {kind: Pod, name: gw}\n"
		  "---\n"
		  "apiVersion: v1\n"
		  "kind: Pod\n"
		  "metadata: {name: app, namespace: inj}\n"
		  "---\n"
		  "apiVersion: v1\n"
		  "kind: Pod\n"
		  "metadata: {name: gw, namespace: inj, "
		  "annotations: {kuma.io/gateway: enabled}}\n",
		  "default" },
	};
	static const char namespaces[] =
		"apiVersion: v1\n"
		"kind: Namespace\n"
		"metadata: {name: inj, labels: {kuma.io/sidecar-injection: "
		"enabled}}\n"
		"---\n"
		"apiVersion: v1\n"
		"kind: Namespace\n"
		"metadata: {name: injm, labels: {kuma.io/sidecar-injection: "
		"\"true\", kuma.io/mesh: nsmesh}}\n"
		"---\n"
		"apiVersion: v1\n"
		"kind: Namespace\n"
		"metadata: {name: off, labels: {kuma.io/sidecar-injection: "
		"disabled}}\n"
		"---\n"
		"type: Mesh\n"
		"name: dis\n"
		"meshServices: {mode: Disabled}\n";
	struct fx *f = *state;
	char text[1024];
	size_t i;

	f->opt.environment = GENERATE_KUBERNETES;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct resource_mesh_service *ms = NULL;

		resource_set_free(f->set);
		diag_list_clear(&f->diags);
		f->set = resource_set_new();
		assert_non_null(f->set);
		load(f, "ns.yaml", namespaces);
		load(f, "meshes.yaml", k8s_meshes);
		snprintf(text, sizeof(text), "apiVersion: v1\nkind: Service\n"
			 "%s", cases[i].yaml);
		load(f, "svc.yaml", text);
		run(f);
		if (cases[i].mesh == NULL) {
			if (f->res.nservices != 0)
				fail_msg("%s: a MeshService", cases[i].what);
			continue;
		}
		if (f->res.nservices != 1)
			fail_msg("%s: %zu MeshServices", cases[i].what,
				 f->res.nservices);
		ms = f->res.services[0].res;
		if (strcmp(ms->meta.mesh, cases[i].mesh) != 0 ||
		    strcmp(resource_labels_get(&ms->meta.labels,
					       "kuma.io/mesh"),
			   cases[i].mesh) != 0)
			fail_msg("%s: mesh %s", cases[i].what, ms->meta.mesh);
	}
}

static const char headless_objects[] =
	"apiVersion: v1\n"
	"kind: Service\n"
	"metadata:\n"
	"  name: example\n"
	"  namespace: demo\n"
	"  labels: {kuma.io/mesh: default, app: example}\n"
	"spec:\n"
	"  clusterIP: None\n"
	"  selector: {app: example}\n"
	"  ports:\n"
	"  - {name: http, port: 80, targetPort: 8080, appProtocol: http}\n"
	"---\n"
	"apiVersion: discovery.k8s.io/v1\n"
	"kind: EndpointSlice\n"
	"metadata:\n"
	"  name: example-abc12\n"
	"  namespace: demo\n"
	"  labels: {kubernetes.io/service-name: example}\n"
	"addressType: IPv4\n"
	"endpoints:\n"
	"- addresses: [10.244.1.5]\n"
	"  targetRef: {kind: Pod, name: example-1, namespace: demo}\n"
	"- addresses: [10.244.1.6]\n"
	"  targetRef: {kind: Pod, name: example-0, namespace: demo}\n"
	"- addresses: [10.244.1.7]\n"		/* no Pod: nothing */
	"---\n"
	"apiVersion: discovery.k8s.io/v1\n"
	"kind: EndpointSlice\n"
	"metadata:\n"
	"  name: example-v6\n"
	"  namespace: demo\n"
	"  labels: {kubernetes.io/service-name: example}\n"
	"addressType: IPv6\n"
	"endpoints:\n"
	"- addresses: [\"fd00::5\"]\n"
	"  targetRef: {kind: Pod, name: example-1, namespace: demo}\n"
	"---\n"
	"apiVersion: discovery.k8s.io/v1\n"	/* hostnames: no VIP */
	"kind: EndpointSlice\n"
	"metadata:\n"
	"  name: example-fqdn\n"
	"  namespace: demo\n"
	"  labels: {kubernetes.io/service-name: example}\n"
	"addressType: FQDN\n"
	"endpoints:\n"
	"- addresses: [example-0.example.demo.svc]\n"
	"  targetRef: {kind: Pod, name: example-0, namespace: demo}\n"
	"---\n"
	"apiVersion: discovery.k8s.io/v1\n"	/* another namespace */
	"kind: EndpointSlice\n"
	"metadata:\n"
	"  name: example-zzz\n"
	"  namespace: other\n"
	"  labels: {kubernetes.io/service-name: example}\n"
	"addressType: IPv4\n"
	"endpoints:\n"
	"- addresses: [10.244.9.9]\n"
	"  targetRef: {kind: Pod, name: example-9, namespace: other}\n"
	"---\n"
	"apiVersion: v1\n"
	"kind: Pod\n"
	"metadata:\n"
	"  name: example-1\n"
	"  namespace: demo\n"
	"  labels:\n"
	"    app: example\n"
	"    statefulset.kubernetes.io/pod-name: example-1\n"
	"    apps.kubernetes.io/pod-index: \"1\"\n";

static void
test_k8s_headless(void **state)
{
	struct fx *f = *state;
	const struct resource_mesh_service *ms = NULL;
	char name[80];

	f->opt.environment = GENERATE_KUBERNETES;
	load(f, "meshes.yaml", k8s_meshes);
	load(f, "headless.yaml", headless_objects);
	run(f);

	assert_int_equal(f->res.nservices, 2);
	assert_int_equal(count_origin(f, RESOURCE_FROM_K8S_HEADLESS), 2);
	/* Kuma's testdata name */
	ms = find_ms(f, "default", "demo", "example-1-87ff74c98");
	assert_non_null(ms);
	assert_int_equal(ms->meta.shape, RESOURCE_SHAPE_KUBERNETES);
	assert_labels(&ms->meta.labels,
		      "app=example,"
		      "apps.kubernetes.io/pod-index=1,"
		      "k8s.kuma.io/is-headless-service=true,"
		      "k8s.kuma.io/namespace=demo,"
		      "k8s.kuma.io/service-name=example,"
		      "kuma.io/display-name=example-1-87ff74c98,"
		      "kuma.io/env=kubernetes,"
		      "kuma.io/managed-by=k8s-controller,"
		      "kuma.io/mesh=default,"
		      "kuma.io/origin=zone,"
		      "kuma.io/zone=zone-1,"
		      "statefulset.kubernetes.io/pod-name=example-1");
	assert_int_equal(ms->selector, RESOURCE_SELECTOR_DATAPLANE_REF);
	assert_string_equal(ms->selector_ref, "example-1.demo");
	assert_ports(ms, "http 80->8080/http");
	/* both address families of the Pod, in slice order */
	assert_int_equal(ms->nvips, 2);
	assert_string_equal(ms->vips[0], "10.244.1.5");
	assert_string_equal(ms->vips[1], "fd00::5");

	/* no Pod object: no Pod labels */
	assert_int_equal(generate_headless_name(name, sizeof(name), "example",
						"demo", "example-0"), 0);
	ms = find_ms(f, "default", "demo", name);
	assert_non_null(ms);
	assert_null(resource_labels_get(&ms->meta.labels,
					"statefulset.kubernetes.io/pod-name"));
	assert_string_equal(ms->selector_ref, "example-0.demo");
	assert_int_equal(ms->nvips, 1);
	assert_string_equal(ms->vips[0], "10.244.1.6");
	assert_int_equal(f->diags.n, 0);
}

/*
 * MeshServices Kuma's controller made (owned by their Service or Pod, or
 * labelled managed-by k8s-controller) are deleted when the controller
 * would delete them; hand-written ones stay.
 */
static const char owned_objects[] =
	"apiVersion: v1\n"
	"kind: Namespace\n"
	"metadata: {name: out}\n"			/* not injected */
	"---\n"
	"apiVersion: v1\n"
	"kind: Service\n"
	"metadata: {name: left, namespace: out}\n"
	"spec: {clusterIP: 10.0.0.1, ports: [{port: 80}]}\n"
	"---\n"
	"apiVersion: v1\n"
	"kind: Service\n"
	"metadata: {name: mine, namespace: out}\n"
	"spec: {clusterIP: 10.0.0.2, ports: [{port: 80}]}\n"
	"---\n"
	"apiVersion: v1\n"
	"kind: Service\n"
	"metadata: {name: hl, namespace: demo, "
	"labels: {kuma.io/mesh: dis}}\n"
	"spec: {clusterIP: None, ports: [{port: 80}]}\n"
	"---\n"
	"apiVersion: kuma.io/v1alpha1\n"		/* line 20 */
	"kind: MeshService\n"
	"metadata:\n"
	"  name: left\n"
	"  namespace: out\n"
	"  ownerReferences: [{apiVersion: v1, kind: Service, name: left, "
	"uid: \"\"}]\n"
	"spec: {ports: [{port: 80}], selector: {dataplaneTags: {a: b}}}\n"
	"---\n"
	"apiVersion: kuma.io/v1alpha1\n"		/* hand-written */
	"kind: MeshService\n"
	"metadata: {name: mine, namespace: out}\n"
	"spec: {ports: [{port: 80}], selector: {dataplaneTags: {a: b}}}\n"
	"---\n"
	"apiVersion: kuma.io/v1alpha1\n"		/* line 33 */
	"kind: MeshService\n"
	"metadata:\n"
	"  name: hl-0-abc\n"
	"  namespace: demo\n"
	"  labels: {kuma.io/mesh: dis, k8s.kuma.io/service-name: hl}\n"
	"  ownerReferences: [{apiVersion: v1, kind: Pod, name: hl-0}]\n"
	"spec: {ports: [{port: 80}], selector: {dataplaneTags: {a: b}}}\n"
	"---\n"
	"apiVersion: kuma.io/v1alpha1\n"		/* no Service here */
	"kind: MeshService\n"
	"metadata:\n"
	"  name: other\n"
	"  namespace: out\n"
	"  labels: {kuma.io/managed-by: k8s-controller}\n"
	"spec: {ports: [{port: 80}], selector: {dataplaneTags: {a: b}}}\n"
	"---\n"
	"apiVersion: kuma.io/v1alpha1\n"
	"kind: Mesh\n"
	"metadata: {name: dis}\n"
	"spec: {meshServices: {mode: Disabled}}\n";

static void
test_k8s_controller_deletes(void **state)
{
	struct fx *f = *state;

	f->opt.environment = GENERATE_KUBERNETES;
	load(f, "owned.yaml", owned_objects);
	run(f);
	assert_null(find_ms(f, "default", "out", "left"));
	assert_null(find_ms(f, "dis", "demo", "hl-0-abc"));
	assert_non_null(find_ms(f, "default", "out", "mine"));
	assert_non_null(find_ms(f, "default", "out", "other"));
	assert_int_equal(f->res.nservices, 2);
	assert_int_equal(f->diags.n, 2);
	/* in Kuma's order: hl-0-abc, then left */
	assert_diag(&f->diags.v[1], "owned.yaml", 20,
		    "MeshService left.out is not served: Kuma's MeshService "
		    "controller deletes it, as its Service left.out is not "
		    "in a mesh");
	assert_diag(&f->diags.v[0], "owned.yaml", 33,
		    "MeshService hl-0-abc.demo is not served: Kuma's "
		    "MeshService controller deletes it, as its Service "
		    "hl.demo is in a mesh whose meshServices.mode is "
		    "Disabled");
}

/* Kuma 3 has no Disabled mode: its controller leaves them. */
static void
test_k8s_controller_keeps_kuma3(void **state)
{
	struct fx *f = *state;

	f->opt.environment = GENERATE_KUBERNETES;
	f->opt.workload_labels = 1;
	load(f, "owned.yaml", owned_objects);
	run(f);
	assert_null(find_ms(f, "default", "out", "left"));
	assert_non_null(find_ms(f, "dis", "demo", "hl-0-abc"));
	assert_int_equal(f->res.nservices, 3);
	assert_int_equal(f->diags.n, 1);
}

static void
test_k8s_written_wins(void **state)
{
	struct fx *f = *state;
	const struct resource_mesh_service *ms = NULL;

	f->opt.environment = GENERATE_KUBERNETES;
	load(f, "meshes.yaml", k8s_meshes);
	load(f, "k8s.yaml", k8s_objects);
	load(f, "ms.yaml",
	     "apiVersion: kuma.io/v1alpha1\n"
	     "kind: MeshService\n"
	     "metadata:\n"
	     "  name: redis\n"
	     "  namespace: demo\n"
	     "  labels: {kuma.io/mesh: default}\n"
	     "spec:\n"
	     "  ports: [{port: 1}]\n"
	     "  selector: {dataplaneTags: {app: redis}}\n");
	run(f);
	assert_int_equal(f->res.nservices, 1);
	ms = find_ms(f, "default", "demo", "redis");
	assert_non_null(ms);
	assert_int_equal(ms->origin, RESOURCE_WRITTEN);
	/* nothing generated: no word about its ports either */
	assert_int_equal(f->diags.n, 0);
}

/* --- synced resources --- */

static void
test_synced(void **state)
{
	struct fx *f = *state;
	const struct resource_mesh_service *ms = NULL;
	size_t i;

	load(f, "synced.yaml",
	     /* exported from global: the original name */
	     "type: MeshService\n"
	     "name: redis-zone-1\n"
	     "mesh: default\n"
	     "labels: {kuma.io/origin: global, kuma.io/zone: zone-1, "
	     "kuma.io/env: universal}\n"
	     "spec:\n"
	     "  selector: {dataplaneTags: {kuma.io/service: redis}}\n"
	     "  ports: [{port: 6379}]\n"
	     "status:\n"
	     "  vips: [{ip: 241.0.0.1}]\n"
	     "---\n"
	     /* exported from a zone: hashed already */
	     "type: MeshService\n"
	     "name: web-abc\n"
	     "mesh: default\n"
	     "labels: {kuma.io/origin: global, kuma.io/zone: zone-2, "
	     "kuma.io/display-name: web}\n"
	     "spec:\n"
	     "  selector: {dataplaneTags: {kuma.io/service: web}}\n"
	     "  ports: [{port: 80}]\n"
	     "status:\n"
	     "  vips: [{ip: 241.0.0.2}, {ip: 241.0.0.3}]\n"
	     "---\n"
	     /* local: untouched */
	     "type: MeshService\n"
	     "name: local\n"
	     "mesh: default\n"
	     "spec:\n"
	     "  selector: {dataplaneTags: {kuma.io/service: local}}\n"
	     "  ports: [{port: 80}]\n"
	     "status:\n"
	     "  vips: [{ip: 241.0.0.4}]\n"
	     "---\n"
	     "type: MeshExternalService\n"
	     "name: aurora\n"
	     "mesh: default\n"
	     "labels: {kuma.io/origin: global, kuma.io/zone: zone-1}\n"
	     "spec:\n"
	     "  match: {port: 5432}\n"
	     "status:\n"
	     "  vip: {ip: 242.0.0.1}\n"
	     "---\n"
	     "type: MeshMultiZoneService\n"
	     "name: redis\n"
	     "mesh: default\n"
	     "labels: {kuma.io/origin: global}\n"
	     "spec:\n"
	     "  selector: {meshService: {matchLabels: {app: redis}}}\n"
	     "  ports: [{port: 6379}]\n"
	     "status:\n"
	     "  vips: [{ip: 243.0.0.1}]\n");
	run(f);

	ms = find_ms(f, "default", NULL, "redis-zone-1-2v6wfvvcvbc9f55d");
	assert_non_null(ms);
	assert_string_equal(resource_labels_get(&ms->meta.labels,
						"kuma.io/display-name"),
			    "redis-zone-1");
	assert_int_equal(ms->nvips, 0);
	assert_null(ms->vips);

	/* hashed already: as this zone's store holds it, its VIPs kept */
	ms = find_ms(f, "default", NULL, "web-abc");
	assert_non_null(ms);
	assert_string_equal(resource_display_name(&ms->meta), "web");
	assert_int_equal(ms->nvips, 2);
	assert_string_equal(ms->vips[0], "241.0.0.2");

	ms = find_ms(f, "default", NULL, "local");
	assert_non_null(ms);
	assert_int_equal(ms->nvips, 1);
	assert_string_equal(ms->vips[0], "241.0.0.4");

	assert_int_equal(f->res.nexternal_services, 1);
	{
		const struct resource_mesh_external_service *mes =
			f->res.external_services[0];
		char want[128];

		assert_int_equal(generate_hashed_name(want, sizeof(want),
						      "default", "aurora",
						      "zone-1", NULL), 0);
		assert_string_equal(mes->meta.name, want);
		assert_string_equal(resource_display_name(&mes->meta),
				    "aurora");
		assert_null(mes->vip);
	}
	assert_int_equal(f->res.nmultizone_services, 1);
	{
		const struct resource_mesh_multi_zone_service *mzs =
			f->res.multizone_services[0].res;
		char want[128];

		assert_int_equal(generate_hashed_name(want, sizeof(want),
						      "default", "redis", NULL,
						      NULL), 0);
		assert_string_equal(mzs->meta.name, want);
		assert_string_equal(resource_display_name(&mzs->meta),
				    "redis");
		assert_int_equal(mzs->nvips, 0);
	}
	/* the result is in order again after the renames */
	for (i = 1; i < f->res.nservices; i++)
		assert_true(resource_meta_cmp(
				    &f->res.services[i - 1].res->meta,
				    &f->res.services[i].res->meta) < 0);
	assert_int_equal(f->diags.n, 0);

	/* the input set is only read: names and VIPs as written */
	assert_int_equal(f->set->nservices, 3);
	assert_string_equal(f->set->services[1].meta.name, "redis-zone-1");
	for (i = 0; i < f->set->nservices; i++)
		assert_int_not_equal(f->set->services[i].nvips, 0);
	assert_string_equal(f->set->external_services[0].meta.name, "aurora");
	assert_string_equal(f->set->external_services[0].vip, "242.0.0.1");
	assert_string_equal(f->set->multizone_services[0].meta.name, "redis");
	assert_int_equal(f->set->multizone_services[0].nvips, 1);
}

/*
 * A synced copy named like a local service does not stop the local one:
 * it is renamed first.
 */
static void
test_synced_renamed_before_generation(void **state)
{
	struct fx *f = *state;

	load(f, "synced.yaml",
	     "type: MeshService\n"
	     "name: test-server\n"
	     "mesh: default\n"
	     "labels: {kuma.io/origin: global, kuma.io/zone: zone-2}\n"
	     "spec:\n"
	     "  selector: {dataplaneTags: {kuma.io/service: test-server}}\n"
	     "  ports: [{port: 80}]\n");
	load(f, "dp.yaml", doc_dataplanes);
	run(f);
	assert_int_equal(f->res.nservices, 2);
	assert_non_null(find_ms(f, "default", NULL, "test-server"));
	assert_int_equal(count_origin(f, RESOURCE_FROM_DATAPLANES), 1);
}

/*
 * A global control plane's export fed to zone-1: what zone-1 receives by
 * KDS.  Another zone's MeshService becomes a synced one (origin global,
 * no status); zone-1's own, which global holds under a hashed name, is
 * not doubled; another zone's MeshExternalService and Dataplanes are not
 * in this zone.
 */
static const char doc_global_export[] =
	"type: MeshService\n"
	"name: redis-zone-2-ff29vc4685c6f594\n"
	"mesh: default\n"
	"labels: {kuma.io/origin: zone, kuma.io/zone: zone-2, "
	"kuma.io/display-name: redis-zone-2}\n"
	"spec:\n"
	"  selector: {dataplaneTags: {kuma.io/service: redis}}\n"
	"  ports: [{port: 6379}]\n"
	"status:\n"
	"  vips: [{ip: 10.0.2.1}]\n"
	"---\n"
	"type: MeshService\n"
	"name: redis-zone-1-2v6wfvvcvbc9f55d\n"
	"mesh: default\n"
	"labels: {kuma.io/origin: zone, kuma.io/zone: zone-1, "
	"kuma.io/display-name: redis-zone-1, team: db}\n"
	"spec:\n"
	"  selector: {dataplaneTags: {kuma.io/service: redis}}\n"
	"  ports: [{port: 6379}]\n"
	"status:\n"
	"  vips: [{ip: 10.0.1.1}]\n"
	"---\n"
	"type: MeshExternalService\n"
	"name: aurora-xyz\n"
	"mesh: default\n"
	"labels: {kuma.io/origin: zone, kuma.io/zone: zone-2, "
	"kuma.io/display-name: aurora}\n"
	"spec:\n"
	"  match: {port: 5432}\n"
	"---\n"
	"type: Dataplane\n"
	"name: web-1-abc\n"
	"mesh: default\n"
	"labels: {kuma.io/origin: zone, kuma.io/zone: zone-2, "
	"kuma.io/display-name: web-1}\n"
	"networking:\n"
	"  address: 10.0.2.10\n"
	"  inbound:\n"
	"  - port: 80\n"
	"    tags: {kuma.io/service: web}\n";

static void
test_global_export(void **state)
{
	struct fx *f = *state;
	const struct resource_mesh_service *ms = NULL;

	load(f, "global.yaml", doc_global_export);
	load(f, "local.yaml",
	     "type: MeshService\n"
	     "name: redis-zone-1\n"
	     "mesh: default\n"
	     "labels: {kuma.io/origin: zone, kuma.io/zone: zone-1}\n"
	     "spec:\n"
	     "  selector: {dataplaneTags: {kuma.io/service: redis}}\n"
	     "  ports: [{port: 6379}]\n"
	     "status:\n"
	     "  vips: [{ip: 10.0.1.1}]\n");
	run(f);
	assert_int_equal(f->res.nservices, 2);
	ms = find_ms(f, "default", NULL, "redis-zone-2-ff29vc4685c6f594");
	assert_non_null(ms);
	assert_string_equal(resource_labels_get(&ms->meta.labels,
						"kuma.io/origin"), "global");
	assert_string_equal(resource_labels_get(&ms->meta.labels,
						"kuma.io/zone"), "zone-2");
	assert_int_equal(ms->nvips, 0);
	ms = find_ms(f, "default", NULL, "redis-zone-1");
	assert_non_null(ms);
	assert_int_equal(ms->nvips, 1);
	assert_int_equal(f->res.nexternal_services, 0);
	assert_int_equal(count_origin(f, RESOURCE_FROM_DATAPLANES), 0);
	assert_int_equal(f->diags.n, 0);
}

/*
 * Without the zone's own original, global's record of it is kept as
 * written: a zone's own store may hold a name other than the display name.
 */
static void
test_global_export_own_kept(void **state)
{
	struct fx *f = *state;
	const struct resource_mesh_service *ms = NULL;

	load(f, "global.yaml", doc_global_export);
	run(f);
	assert_int_equal(f->res.nservices, 2);
	ms = find_ms(f, "default", NULL, "redis-zone-1-2v6wfvvcvbc9f55d");
	assert_non_null(ms);
	assert_string_equal(resource_labels_get(&ms->meta.labels,
						"kuma.io/origin"), "zone");
	assert_int_equal(ms->nvips, 1);
	assert_string_equal(ms->vips[0], "10.0.1.1");
}

/*
 * An export of a zone holds the MeshService its generator made: Kuma
 * updates it from the Dataplanes (ports), keeping its other labels, its
 * creation time and its VIP.
 */
static void
test_generated_in_input_regenerated(void **state)
{
	struct fx *f = *state;
	const struct resource_mesh_service *ms = NULL;

	load(f, "export.yaml",
	     "type: MeshService\n"
	     "name: test-server\n"
	     "mesh: default\n"
	     "creationTime: \"2024-01-01T00:00:00Z\"\n"
	     "labels: {kuma.io/managed-by: meshservice-generator, "
	     "kuma.io/origin: zone, custom.io/extra: kept}\n"
	     "spec:\n"
	     "  selector: {dataplaneTags: {kuma.io/service: test-server}}\n"
	     "  ports: [{name: \"1\", port: 1, targetPort: 1, "
	     "appProtocol: tcp}]\n"
	     "status:\n"
	     "  vips: [{ip: 241.0.0.9}]\n"
	     "---\n"
	     "type: MeshService\n"
	     "name: by-hand\n"
	     "mesh: default\n"
	     "spec:\n"
	     "  selector: {dataplaneTags: {kuma.io/service: by-hand}}\n"
	     "  ports: [{port: 1, targetPort: 1}]\n");
	load(f, "dp.yaml", doc_dataplanes);
	run(f);
	ms = find_ms(f, "default", NULL, "test-server");
	assert_non_null(ms);
	assert_int_equal(ms->origin, RESOURCE_FROM_DATAPLANES);
	assert_int_not_equal(ms->ports[0].port, 1);
	assert_string_equal(resource_labels_get(&ms->meta.labels,
						"custom.io/extra"), "kept");
	assert_int_equal(ms->nvips, 1);
	assert_string_equal(ms->vips[0], "241.0.0.9");
	assert_true(ms->meta.has_creation_time);
	/* one test-server only; by-hand is left alone */
	assert_int_equal(f->res.nservices,
			 count_origin(f, RESOURCE_FROM_DATAPLANES) + 1);
	assert_non_null(find_ms(f, "default", NULL, "by-hand"));
}

/* --- default HostnameGenerators --- */

static void
test_default_generators(void **state)
{
	static const struct {
		const char *name;
		enum resource_kind target;
		const char *origin;
		const char *match;
		const char *template;
	} all[] = {
		{ "local-mesh-external-service",
		  RESOURCE_MESH_EXTERNAL_SERVICE, "zone",
		  "kuma.io/origin=zone",
		  "{{ .DisplayName }}.extsvc.mesh.local" },
		{ "local-universal-mesh-service", RESOURCE_MESH_SERVICE,
		  "zone", "kuma.io/origin=zone",
		  "{{ .DisplayName }}.svc.mesh.local" },
		{ "synced-headless-kube-mesh-service", RESOURCE_MESH_SERVICE,
		  "global",
		  "k8s.kuma.io/is-headless-service=true,"
		  "kuma.io/env=kubernetes,kuma.io/origin=global",
		  "{{ label \"statefulset.kubernetes.io/pod-name\" }}."
		  "{{ label \"k8s.kuma.io/service-name\" }}.{{ .Namespace }}"
		  ".svc.{{ .Zone }}.mesh.local" },
		{ "synced-kube-mesh-service", RESOURCE_MESH_SERVICE, "global",
		  "k8s.kuma.io/is-headless-service=false,"
		  "kuma.io/env=kubernetes,kuma.io/origin=global",
		  "{{ .DisplayName }}.{{ .Namespace }}.svc.{{ .Zone }}"
		  ".mesh.local" },
		{ "synced-mesh-external-service",
		  RESOURCE_MESH_EXTERNAL_SERVICE, "global",
		  "kuma.io/origin=global",
		  "{{ .DisplayName }}.extsvc.mesh.local" },
		{ "synced-mesh-multi-zone-service",
		  RESOURCE_MESH_MULTI_ZONE_SERVICE, "global",
		  "kuma.io/origin=global",
		  "{{ .DisplayName }}.mzsvc.mesh.local" },
		{ "synced-universal-mesh-service", RESOURCE_MESH_SERVICE,
		  "global", "kuma.io/env=universal,kuma.io/origin=global",
		  "{{ .DisplayName }}.svc.{{ .Zone }}.mesh.local" },
	};
	struct fx *f = *state;
	size_t i;

	f->opt.defaults = GENERATE_DEFAULTS_ALL;
	run(f);
	assert_int_equal(f->res.ngenerators, 7);
	for (i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
		const struct resource_hostname_generator *g =
			find_hg_display(f, all[i].name);
		char buf[128];

		if (g == NULL)
			fail_msg("no %s", all[i].name);
		assert_int_equal(g->meta.kind, RESOURCE_HOSTNAME_GENERATOR);
		assert_null(g->meta.mesh);
		assert_int_equal(g->target, all[i].target);
		if (strcmp(all[i].origin, "global") == 0) {
			char hashed[128];

			/* received from global under the hashed name */
			assert_int_equal(generate_hashed_name(
				hashed, sizeof(hashed), "", all[i].name, NULL,
				NULL), 0);
			assert_string_equal(g->meta.name, hashed);
			snprintf(buf, sizeof(buf), "kuma.io/display-name=%s,"
				 "kuma.io/origin=global", all[i].name);
		} else {
			assert_string_equal(g->meta.name, all[i].name);
			snprintf(buf, sizeof(buf), "kuma.io/origin=zone");
		}
		assert_labels(&g->meta.labels, buf);
		assert_labels(&g->match, all[i].match);
		assert_string_equal(g->template, all[i].template);
		assert_string_equal(g->template_pos.file, "<default>");
		assert_int_equal(g->template_pos.line, 0);
	}
	assert_int_equal(f->diags.n, 0);
}

static void
test_default_generators_choice(void **state)
{
	static const struct {
		enum generate_defaults defaults;
		enum generate_environment env;
		const char *want;
	} cases[] = {
		{ GENERATE_DEFAULTS_ALL, GENERATE_KUBERNETES,
		  "local-mesh-external-service,"
		  "synced-headless-kube-mesh-service-x7zv74f9w8626897,"
		  "synced-kube-mesh-service-8xc5x6c9f588fzz9,"
		  "synced-mesh-external-service-7f4474c7b4z469f4,"
		  "synced-mesh-multi-zone-service-4244v574644557w2,"
		  "synced-universal-mesh-service-46484vczc724vc29" },
		{ GENERATE_DEFAULTS_LOCAL, GENERATE_UNIVERSAL,
		  "local-mesh-external-service,local-universal-mesh-service" },
		{ GENERATE_DEFAULTS_LOCAL, GENERATE_KUBERNETES,
		  "local-mesh-external-service" },
		{ GENERATE_DEFAULTS_NONE, GENERATE_UNIVERSAL, "" },
	};
	struct fx *f = *state;
	size_t i;
	size_t j;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char got[512];
		size_t o = 0;

		resource_set_free(f->set);
		f->set = resource_set_new();
		assert_non_null(f->set);
		f->opt.defaults = cases[i].defaults;
		f->opt.environment = cases[i].env;
		run(f);
		got[0] = '\0';
		/* sorted by (zero) creation time, then name */
		for (j = 0; j < f->res.ngenerators; j++)
			o += (size_t)snprintf(got + o, sizeof(got) - o,
					      "%s%s", j ? "," : "",
					      f->res.generators[j]->meta.name);
		assert_string_equal(got, cases[i].want);
	}
}

/* A generator written by hand replaces the default of its name. */
static void
test_default_generators_replaced(void **state)
{
	struct fx *f = *state;
	const struct resource_hostname_generator *g = NULL;

	f->opt.defaults = GENERATE_DEFAULTS_ALL;
	load(f, "hg.yaml",
	     "type: HostnameGenerator\n"
	     "name: local-universal-mesh-service\n"
	     "spec:\n"
	     "  selector:\n"
	     "    meshService:\n"
	     "      matchLabels: {kuma.io/origin: zone}\n"
	     "  template: \"{{ .DisplayName }}.internal\"\n"
	     "---\n"
	     /* as exported from a zone: a hashed name */
	     "type: HostnameGenerator\n"
	     "name: synced-kube-mesh-service-8xc5x6c9f588fzz9\n"
	     "labels: {kuma.io/origin: global, "
	     "kuma.io/display-name: synced-kube-mesh-service}\n"
	     "spec:\n"
	     "  selector:\n"
	     "    meshService:\n"
	     "      matchLabels: {kuma.io/origin: global}\n"
	     "  template: \"{{ .DisplayName }}.kube\"\n");
	run(f);
	assert_int_equal(f->res.ngenerators, 7);
	g = find_hg(f, "local-universal-mesh-service");
	assert_non_null(g);
	assert_string_equal(g->template, "{{ .DisplayName }}.internal");
	assert_string_equal(g->template_pos.file, "hg.yaml");
	assert_null(find_hg(f, "synced-kube-mesh-service"));
	assert_non_null(find_hg(f,
				"synced-kube-mesh-service-8xc5x6c9f588fzz9"));
	assert_non_null(find_hg(f,
				"synced-universal-mesh-service-46484vczc724vc29"));
}

/* --- MeshMultiZoneService status --- */

static void
test_multizone_matches(void **state)
{
	struct fx *f = *state;
	const struct generate_mzs *mzs = NULL;
	char got[1024];
	size_t o = 0;
	size_t i;

	f->opt.environment = GENERATE_UNIVERSAL;
	load(f, "mz.yaml",
	     "type: MeshMultiZoneService\n"
	     "name: redis\n"
	     "mesh: default\n"
	     "labels: {kuma.io/origin: global}\n"
	     "spec:\n"
	     "  selector: {meshService: {matchLabels: {app: redis}}}\n"
	     "  ports: [{port: 6379}]\n"
	     "---\n"
	     "type: MeshMultiZoneService\n"
	     "name: none\n"
	     "mesh: default\n"
	     "spec:\n"
	     "  selector: {meshService: {matchLabels: {app: nothing}}}\n"
	     "  ports: [{port: 1}]\n"
	     "---\n"
	     /* synced from a Kubernetes zone: hashed, namespace label */
	     "type: MeshService\n"
	     "name: redis-k8s-hashed\n"
	     "mesh: default\n"
	     "labels: {app: redis, kuma.io/origin: global, "
	     "kuma.io/zone: east, kuma.io/display-name: redis, "
	     "k8s.kuma.io/namespace: redis-system}\n"
	     "spec:\n"
	     "  selector: {dataplaneTags: {app: redis}}\n"
	     "  ports: [{port: 6379}]\n"
	     "---\n"
	     /* synced, unhashed: renamed, listed by display name */
	     "type: MeshService\n"
	     "name: cache\n"
	     "mesh: default\n"
	     "labels: {app: redis, kuma.io/origin: global, "
	     "kuma.io/zone: west}\n"
	     "spec:\n"
	     "  selector: {dataplaneTags: {app: redis}}\n"
	     "  ports: [{port: 6379}]\n"
	     "---\n"
	     /* local */
	     "type: MeshService\n"
	     "name: redis\n"
	     "mesh: default\n"
	     "labels: {app: redis}\n"
	     "spec:\n"
	     "  selector: {dataplaneTags: {app: redis}}\n"
	     "  ports: [{port: 6379}]\n"
	     "---\n"
	     "type: MeshService\n"
	     "name: aaa-cache\n"
	     "mesh: default\n"
	     "labels: {app: redis}\n"
	     "spec:\n"
	     "  selector: {dataplaneTags: {app: redis}}\n"
	     "  ports: [{port: 6379}]\n"
	     "---\n"
	     /* not matching; another mesh */
	     "type: MeshService\n"
	     "name: web\n"
	     "mesh: default\n"
	     "labels: {app: web}\n"
	     "spec:\n"
	     "  selector: {dataplaneTags: {app: web}}\n"
	     "  ports: [{port: 80}]\n"
	     "---\n"
	     "type: MeshService\n"
	     "name: redis\n"
	     "mesh: other\n"
	     "labels: {app: redis}\n"
	     "spec:\n"
	     "  selector: {dataplaneTags: {app: redis}}\n"
	     "  ports: [{port: 6379}]\n");
	run(f);

	assert_int_equal(f->res.nmultizone_services, 2);
	for (i = 0; i < 2; i++) {
		mzs = &f->res.multizone_services[i];
		if (strcmp(resource_display_name(&mzs->res->meta),
			   "redis") == 0)
			break;
	}
	assert_int_equal(i < 2, 1);
	assert_int_equal(mzs->nmatches, 4);
	got[0] = '\0';
	for (i = 0; i < mzs->nmatches; i++) {
		const struct generate_mzs_match *m = &mzs->matches[i];

		o += (size_t)snprintf(got + o, sizeof(got) - o, "%s%s/%s/%s/%s",
				      i ? " " : "", m->name, m->namespace,
				      m->zone, m->mesh);
	}
	assert_string_equal(got,
			    "aaa-cache//zone-1/default "
			    "cache//west/default "
			    "redis//zone-1/default "
			    "redis/redis-system/east/default");
	for (i = 0; i < f->res.nmultizone_services; i++)
		if (&f->res.multizone_services[i] != mzs)
			assert_int_equal(
				f->res.multizone_services[i].nmatches, 0);
}

/* --- legacy names --- */

static void
test_legacy(void **state)
{
	struct fx *f = *state;
	char got[1024];
	size_t o = 0;
	size_t i;

	load(f, "legacy.yaml",
	     "type: Mesh\n"
	     "name: excl\n"
	     "meshServices: {mode: Exclusive}\n"
	     "---\n"
	     "type: Mesh\n"
	     "name: dis\n"
	     "meshServices: {mode: Disabled}\n"
	     "---\n"
	     "type: Dataplane\n"
	     "mesh: default\n"
	     "name: a-1\n"
	     "networking:\n"
	     "  address: 10.0.0.1\n"
	     "  inbound:\n"
	     "  - {port: 80, tags: {kuma.io/service: web}}\n"
	     "  - {port: 81, tags: {kuma.io/service: echo_svc_81}}\n"
	     "  - {port: 82, state: Ignored, tags: {kuma.io/service: gone}}\n"
	     "  - {port: 49151, tags: {kuma.io/service: probe}}\n"
	     "  - {port: 83, tags: {kuma.io/service: alpha}}\n"
	     "---\n"
	     "type: Dataplane\n"
	     "mesh: default\n"
	     "name: a-2\n"
	     "networking:\n"
	     "  address: 10.0.0.2\n"
	     "  inbound:\n"
	     "  - {port: 80, tags: {kuma.io/service: web}}\n"
	     "---\n"
	     "type: Dataplane\n"
	     "mesh: excl\n"
	     "name: e-1\n"
	     "networking:\n"
	     "  address: 10.0.0.3\n"
	     "  inbound:\n"
	     "  - {port: 80, tags: {kuma.io/service: hidden}}\n"
	     "---\n"
	     "type: Dataplane\n"
	     "mesh: dis\n"
	     "name: d-1\n"
	     "networking:\n"
	     "  address: 10.0.0.4\n"
	     "  inbound:\n"
	     "  - {port: 80, tags: {kuma.io/service: old}}\n");
	run(f);
	got[0] = '\0';
	for (i = 0; i < f->res.nlegacy; i++)
		o += (size_t)snprintf(got + o, sizeof(got) - o, "%s%s/%s",
				      i ? " " : "", f->res.legacy[i].mesh,
				      f->res.legacy[i].service);
	assert_string_equal(got, "default/alpha default/echo_svc_81 "
				 "default/web dis/old");
	/* echo_svc_81 is no MeshService name: warned about once */
	assert_int_equal(f->diags.n, 1);
	generate_result_clear(&f->res);
	assert_null(f->res.legacy);
	assert_int_equal(f->res.nlegacy, 0);
	generate_result_clear(NULL);
}

/* Generated services are in Kuma's order, like loaded ones. */
static void
test_sorted(void **state)
{
	struct fx *f = *state;
	size_t d;
	size_t i;

	d = add_dp(f, "default", "dp-b", 300, 1);
	add_inbound(f, d, NULL, 80, "zzz", NULL, NULL);
	d = add_dp(f, "default", "dp-a", 200, 10);
	add_inbound(f, d, NULL, 80, "yyy", NULL, NULL);
	add_inbound(f, d, NULL, 81, "xxx", NULL, NULL);
	load(f, "ms.yaml",
	     "type: MeshService\n"
	     "name: www\n"
	     "mesh: default\n"
	     "creationTime: 2024-05-01T10:00:00Z\n"
	     "spec:\n"
	     "  selector: {dataplaneTags: {app: x}}\n"
	     "  ports: [{port: 1}]\n");
	run(f);
	assert_int_equal(f->res.nservices, 4);
	assert_string_equal(f->res.services[0].res->meta.name, "xxx");
	assert_string_equal(f->res.services[1].res->meta.name, "yyy");
	assert_string_equal(f->res.services[2].res->meta.name, "zzz");
	assert_string_equal(f->res.services[3].res->meta.name, "www");
	for (i = 1; i < f->res.nservices; i++)
		assert_true(resource_meta_cmp(
				    &f->res.services[i - 1].res->meta,
				    &f->res.services[i].res->meta) < 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hashed_name),
		cmocka_unit_test(test_headless_name),
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
		T(test_mesh_mode),
		T(test_universal_doc_example),
		T(test_universal_ports),
		T(test_universal_conflicts),
		T(test_universal_conflicts_input_order),
		T(test_universal_invalid_names),
		T(test_universal_written_wins),
		T(test_disabled_mode),
		T(test_default_mode_disabled),
		T(test_workload_mode),
		T(test_workload_mode_no_labels),
		T(test_kubernetes_zone_skips_dataplanes),
		T(test_k8s_cluster_ip),
		T(test_k8s_eligibility),
		T(test_k8s_headless),
		T(test_k8s_written_wins),
		T(test_k8s_controller_deletes),
		T(test_k8s_controller_keeps_kuma3),
		T(test_synced),
		T(test_synced_renamed_before_generation),
		T(test_global_export),
		T(test_global_export_own_kept),
		T(test_generated_in_input_regenerated),
		T(test_default_generators),
		T(test_default_generators_choice),
		T(test_default_generators_replaced),
		T(test_multizone_matches),
		T(test_legacy),
		T(test_sorted),
#undef T
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
