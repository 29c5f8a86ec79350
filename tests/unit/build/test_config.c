/* SPDX-License-Identifier: MIT */
/* test_config.c -- unit tests for config: defaults, keys, every error. */
#include "autoconfig.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "build/config.h"
#include "util/file.h"

struct fixture {
	struct diag_list errs;
	struct config *cfg;
};

static int
setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	diag_list_init(&f->errs);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;

	config_free(f->cfg);
	diag_list_clear(&f->errs);
	free(f);
	return 0;
}

static int
load(struct fixture *f, const char *text)
{
	config_free(f->cfg);
	f->cfg = NULL;
	diag_list_clear(&f->errs);
	return config_load_string(&f->cfg, "m.yaml", text, &f->errs);
}

/* The diagnostics, formatted, one per line. */
static const char *
messages(const struct fixture *f)
{
	static char all[16384];
	char one[1024];
	size_t i;

	all[0] = '\0';
	for (i = 0; i < f->errs.n; i++) {
		diag_format(&f->errs.v[i], one, sizeof(one));
		strncat(all, one, sizeof(all) - strlen(all) - 2);
		strcat(all, "\n");
	}
	return all;
}

static void
assert_fails_with(struct fixture *f, const char *text, const char *expect)
{
	assert_int_equal(load(f, text), -1);
	assert_null(f->cfg);
	assert_string_equal(messages(f), expect);
}

static void
assert_loads(struct fixture *f, const char *text)
{
	int rc = load(f, text);

	assert_string_equal(messages(f), "");
	assert_int_equal(rc, 0);
	assert_non_null(f->cfg);
}

static void
assert_strings(char *const *v, size_t n, const char *const *expect)
{
	size_t i;

	for (i = 0; expect[i] != NULL; i++) {
		assert_true(i < n);
		assert_string_equal(v[i], expect[i]);
	}
	assert_int_equal(n, i);
}

static void
assert_defaults(const struct config *c)
{
	static const char *const zones[] = { "mesh.local", "mesh", NULL };
	static const char *const ns[] = { "localhost.", NULL };
	const struct sockaddr_in *sin = NULL;

	assert_int_equal(c->nlisten, 1);
	assert_string_equal(c->listen[0].text, "127.0.0.1:15053");
	sin = (const struct sockaddr_in *)&c->listen[0].addr;
	assert_int_equal(sin->sin_family, AF_INET);
	assert_int_equal(ntohs(sin->sin_port), 15053);
	assert_int_equal(ntohl(sin->sin_addr.s_addr), 0x7f000001);
	assert_int_equal(c->listen[0].addrlen, sizeof(*sin));
	assert_string_equal(c->zone, "default");
	assert_int_equal(c->nresources, 0);
	assert_null(c->resources);
	assert_null(c->state_file);
	assert_strings(c->dns_zones, c->ndns_zones, zones);
	assert_int_equal(c->ttl, 30);
	assert_strings(c->ns, c->nns, ns);
	assert_string_equal(c->soa.mname, "localhost.");
	assert_string_equal(c->soa.rname, "nobody.invalid.");
	assert_int_equal(c->soa.refresh, 3600);
	assert_int_equal(c->soa.retry, 600);
	/* Two weeks (RFC 1912): a hidden primary may be down a while. */
	assert_int_equal(c->soa.expire, 1209600);
	assert_int_equal(c->soa.minimum, 30);
	assert_string_equal(c->pools[CONFIG_POOL_MESH_SERVICE], "241.0.0.0/8");
	assert_string_equal(c->pools[CONFIG_POOL_MESH_EXTERNAL_SERVICE],
			    "242.0.0.0/8");
	assert_string_equal(c->pools[CONFIG_POOL_MESH_MULTI_ZONE_SERVICE],
			    "243.0.0.0/8");
	assert_int_equal(c->hold_seconds, 3600);
	assert_int_equal(c->log_level, LOG_LEVEL_INFO);
}

static void
test_defaults(void **state)
{
	struct fixture *f = *state;

	f->cfg = config_new_default();
	assert_non_null(f->cfg);
	assert_null(f->cfg->file);
	assert_defaults(f->cfg);
	config_free(NULL);
}

static void
test_empty_files_give_defaults(void **state)
{
	struct fixture *f = *state;
	static const char *const texts[] = {
		"", "\n\n", "# only a comment\n", "---\n", "--- ~\n",
		"---\n...\n", "dns:\nvip:\n  pools:\nlog:\n",
		"{}\n",
	};
	size_t i;

	for (i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		assert_loads(f, texts[i]);
		assert_string_equal(f->cfg->file, "m.yaml");
		assert_defaults(f->cfg);
	}
}

static void
test_every_key(void **state)
{
	struct fixture *f = *state;
	static const char *const resources[] = {
		"/etc/meshdns/resources", "extra.yaml", NULL
	};
	static const char *const zones[] = { "mesh.local", "mesh", "x-1.y",
					     NULL };
	static const char *const ns[] = { "ns1.example.", "NS2.example",
					   NULL };
	const struct sockaddr_in6 *sin6 = NULL;
	struct in6_addr loop6 = IN6ADDR_LOOPBACK_INIT;

	assert_loads(f,
		"listen: [\"127.0.0.1:15053\", \"[::1]:15053\", 0.0.0.0:53]\n"
		"zone: zone-east\n"
		"resources: [/etc/meshdns/resources, extra.yaml]\n"
		"state-file: /var/lib/meshdns/state\n"
		"dns:\n"
		"  zones: [Mesh.Local., mesh, X-1.y]\n"
		"  ttl: 1m\n"
		"  ns: [ns1.example., NS2.example]\n"
		"  soa:\n"
		"    mname: ns1.example.\n"
		"    rname: hostmaster.example.\n"
		"    refresh: 2h\n"
		"    retry: \"900\"\n"
		"    expire: 7d\n"
		"    minimum: 0\n"
		"vip:\n"
		"  pools:\n"
		"    meshService: 10.64.0.0/10\n"
		"    meshExternalService: fd00:0:0::/64\n"
		"    meshMultiZoneService: 243.1.0.0/16\n"
		"  hold: 1h30m\n"
		"log:\n"
		"  level: debug\n");
	assert_int_equal(f->cfg->nlisten, 3);
	assert_string_equal(f->cfg->listen[0].text, "127.0.0.1:15053");
	assert_string_equal(f->cfg->listen[1].text, "[::1]:15053");
	sin6 = (const struct sockaddr_in6 *)&f->cfg->listen[1].addr;
	assert_int_equal(sin6->sin6_family, AF_INET6);
	assert_int_equal(ntohs(sin6->sin6_port), 15053);
	assert_memory_equal(&sin6->sin6_addr, &loop6, sizeof(loop6));
	assert_int_equal(f->cfg->listen[1].addrlen, sizeof(*sin6));
	assert_string_equal(f->cfg->listen[2].text, "0.0.0.0:53");
	assert_string_equal(f->cfg->zone, "zone-east");
	assert_strings(f->cfg->resources, f->cfg->nresources, resources);
	assert_string_equal(f->cfg->state_file, "/var/lib/meshdns/state");
	assert_strings(f->cfg->dns_zones, f->cfg->ndns_zones, zones);
	assert_int_equal(f->cfg->ttl, 60);
	assert_strings(f->cfg->ns, f->cfg->nns, ns);
	assert_string_equal(f->cfg->soa.mname, "ns1.example.");
	assert_string_equal(f->cfg->soa.rname, "hostmaster.example.");
	assert_int_equal(f->cfg->soa.refresh, 7200);
	assert_int_equal(f->cfg->soa.retry, 900);
	assert_int_equal(f->cfg->soa.expire, 7 * 86400);
	assert_int_equal(f->cfg->soa.minimum, 0);
	assert_string_equal(f->cfg->pools[CONFIG_POOL_MESH_SERVICE],
			    "10.64.0.0/10");
	assert_string_equal(f->cfg->pools[CONFIG_POOL_MESH_EXTERNAL_SERVICE],
			    "fd00::/64");
	assert_string_equal(
		f->cfg->pools[CONFIG_POOL_MESH_MULTI_ZONE_SERVICE],
		"243.1.0.0/16");
	assert_int_equal(f->cfg->hold_seconds, 5400);
	assert_int_equal(f->cfg->log_level, LOG_LEVEL_DEBUG);
}

static void
test_single_values_and_nulls(void **state)
{
	struct fixture *f = *state;
	static const char *const res[] = { "/srv/res", NULL };
	static const char *const zones[] = { "corp", NULL };

	assert_loads(f, "listen: \"[::1]:53\"\n"
		     "resources: /srv/res\n"
		     "dns: {zones: corp.}\n");
	assert_int_equal(f->cfg->nlisten, 1);
	assert_string_equal(f->cfg->listen[0].text, "[::1]:53");
	assert_strings(f->cfg->resources, f->cfg->nresources, res);
	assert_strings(f->cfg->dns_zones, f->cfg->ndns_zones, zones);
	/* null means none for the two keys that have none as default */
	assert_loads(f, "resources: ~\nstate-file: null\n");
	assert_int_equal(f->cfg->nresources, 0);
	assert_null(f->cfg->state_file);
	assert_loads(f, "resources: []\nstate-file:\n");
	assert_int_equal(f->cfg->nresources, 0);
	assert_null(f->cfg->state_file);
}

static void
test_log_levels(void **state)
{
	struct fixture *f = *state;
	static const struct {
		const char *text;
		enum log_level level;
	} cases[] = {
		{ "error", LOG_LEVEL_ERROR },
		{ "warning", LOG_LEVEL_WARNING },
		{ "notice", LOG_LEVEL_NOTICE },
		{ "info", LOG_LEVEL_INFO },
		{ "debug", LOG_LEVEL_DEBUG },
		{ "DEBUG", LOG_LEVEL_DEBUG },
	};
	char text[64];
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(text, sizeof(text), "log: {level: %s}\n",
			 cases[i].text);
		assert_loads(f, text);
		assert_int_equal(f->cfg->log_level, cases[i].level);
	}
}

static void
test_durations(void **state)
{
	struct fixture *f = *state;
	static const struct {
		const char *text;
		long long seconds;	/* -1: not a duration, -2: not whole
					 * seconds */
	} cases[] = {
		{ "0", 0 }, { "30", 30 }, { "\"30\"", 30 }, { "30s", 30 },
		{ "90s", 90 }, { "15m", 900 }, { "1h", 3600 },
		{ "1h30m", 5400 }, { "2d", 172800 }, { "1d2h3m4s", 93784 },
		{ "2147483647", 2147483647 }, { "2147483647s", 2147483647 },
		{ "24855d3h14m7s", 2147483647 },
		{ "abc", -1 }, { "-1", -1 }, { "1.5h", -1 }, { "1x", -1 },
		{ "h", -1 }, { "1h1h", -1 }, { "30m1h", -1 }, { "1h 30m", -1 },
		{ "1h30", -1 }, { "1w", -1 }, { "''", -1 }, { "1ms", -2 },
		{ "1000ms", 1 }, { "1m1000ms", 61 }, { "1s500ms", -2 },
		{ "1ms1s", -1 }, { "1mm", -1 }, { "1sm", -1 },
	};
	char text[128], expect[512];
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		/* A long hold, so that no TTL makes it warn. */
		snprintf(text, sizeof(text), "dns:\n  ttl: %s\n"
			 "vip: {hold: 2147483647}\n", cases[i].text);
		if (cases[i].seconds >= 0) {
			assert_loads(f, text);
			assert_int_equal(f->cfg->ttl, cases[i].seconds);
			continue;
		}
		if (cases[i].seconds == -2)
			snprintf(expect, sizeof(expect), "m.yaml:2:8: error: "
				 "dns.ttl: expected whole seconds, got \"%s\"\n",
				 cases[i].text);
		else
			snprintf(expect, sizeof(expect), "m.yaml:2:8: error: "
				 "dns.ttl: expected a duration such as 30s (a "
				 "number and a unit: ms, s, m, h or d, several "
				 "largest first as in 1h30m; a bare number is "
				 "seconds), got \"%s\"\n",
				 strcmp(cases[i].text, "''") == 0 ? "" :
				 cases[i].text);
		assert_fails_with(f, text, expect);
	}
}

static void
test_parse_listen(void **state)
{
	static const struct {
		const char *text;
		const char *canon;
		int family;
		int port;
	} good[] = {
		{ "1.2.3.4", "1.2.3.4:15053", AF_INET, 15053 },
		{ "1.2.3.4:53", "1.2.3.4:53", AF_INET, 53 },
		{ "0.0.0.0:65535", "0.0.0.0:65535", AF_INET, 65535 },
		{ "[::1]", "[::1]:15053", AF_INET6, 15053 },
		{ "[::1]:15053", "[::1]:15053", AF_INET6, 15053 },
		{ "[::]:1", "[::]:1", AF_INET6, 1 },
		{ "::1", "[::1]:15053", AF_INET6, 15053 },
		{ "fd00:0::1", "[fd00::1]:15053", AF_INET6, 15053 },
		{ "[FD00::1]:5353", "[fd00::1]:5353", AF_INET6, 5353 },
		{ "[::ffff:1.2.3.4]:53", "[::ffff:1.2.3.4]:53", AF_INET6, 53 },
		/* A link-local address needs its interface (lo is 1). */
		{ "[fe80::1%1]:53", "[fe80::1%lo]:53", AF_INET6, 53 },
		{ "fe80::1%lo", "[fe80::1%lo]:15053", AF_INET6, 15053 },
	};
	static const struct {
		const char *text;
		const char *err;
	} bad[] = {
		{ "", "expected ADDRESS[:PORT] or [IPV6]:PORT, got \"\" (the "
		  "address is missing)" },
		{ ":53", "expected ADDRESS[:PORT] or [IPV6]:PORT, got \":53\" "
		  "(the address is missing)" },
		{ "[]:53", "expected ADDRESS[:PORT] or [IPV6]:PORT, got "
		  "\"[]:53\" (the address is missing)" },
		{ "1.2.3.4:0", "expected ADDRESS[:PORT] or [IPV6]:PORT, got "
		  "\"1.2.3.4:0\" (the port must be 1 to 65535)" },
		{ "1.2.3.4:65536", "expected ADDRESS[:PORT] or [IPV6]:PORT, "
		  "got \"1.2.3.4:65536\" (the port must be 1 to 65535)" },
		{ "1.2.3.4:1000000", "expected ADDRESS[:PORT] or [IPV6]:PORT, "
		  "got \"1.2.3.4:1000000\" (the port is not a number)" },
		{ "1.2.3.4:", "expected ADDRESS[:PORT] or [IPV6]:PORT, got "
		  "\"1.2.3.4:\" (the port is not a number)" },
		{ "1.2.3.4:dns", "expected ADDRESS[:PORT] or [IPV6]:PORT, got "
		  "\"1.2.3.4:dns\" (the port is not a number)" },
		{ "1.2.3.4:-1", "expected ADDRESS[:PORT] or [IPV6]:PORT, got "
		  "\"1.2.3.4:-1\" (the port is not a number)" },
		{ "localhost:53", "expected ADDRESS[:PORT] or [IPV6]:PORT, got "
		  "\"localhost:53\" (not a numeric IPv4 or IPv6 address)" },
		{ "1.2.3:53", "expected ADDRESS[:PORT] or [IPV6]:PORT, got "
		  "\"1.2.3:53\" (not a numeric IPv4 or IPv6 address)" },
		{ "[::1", "expected ADDRESS[:PORT] or [IPV6]:PORT, got "
		  "\"[::1\" (no closing \"]\")" },
		{ "[::1]53", "expected ADDRESS[:PORT] or [IPV6]:PORT, got "
		  "\"[::1]53\" (only \":PORT\" may follow \"]\")" },
		{ "[1.2.3.4]:53", "expected ADDRESS[:PORT] or [IPV6]:PORT, got "
		  "\"[1.2.3.4]:53\" (not an IPv6 address)" },
		{ "::1::2", "expected ADDRESS[:PORT] or [IPV6]:PORT, got "
		  "\"::1::2\" (not an IPv6 address)" },
		{ "[fe80::1%nosuch0]:53", "expected ADDRESS[:PORT] or "
		  "[IPV6]:PORT, got \"[fe80::1%nosuch0]:53\" (the scope "
		  "after \"%\" is no interface of this host)" },
	};
	struct config_listen l;
	char err[256];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		err[0] = '\0';
		assert_int_equal(config_parse_listen(&l, good[i].text, err,
						     sizeof(err)), 0);
		assert_string_equal(l.text, good[i].canon);
		assert_int_equal(l.addr.ss_family, good[i].family);
		if (good[i].family == AF_INET) {
			assert_int_equal(l.addrlen, sizeof(struct sockaddr_in));
			assert_int_equal(ntohs(((struct sockaddr_in *)
						&l.addr)->sin_port),
					 good[i].port);
		} else {
			assert_int_equal(l.addrlen,
					 sizeof(struct sockaddr_in6));
			assert_int_equal(ntohs(((struct sockaddr_in6 *)
						&l.addr)->sin6_port),
					 good[i].port);
		}
		free(l.text);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		assert_int_equal(config_parse_listen(&l, bad[i].text, err,
						     sizeof(err)), -1);
		assert_string_equal(err, bad[i].err);
		assert_null(l.text);
	}
}

/* One wrong thing per case: the exact message with its position. */
static void
test_errors(void **state)
{
	struct fixture *f = *state;
	static const struct {
		const char *text;
		const char *expect;
	} cases[] = {
		/* structure */
		{ "- listen\n",
		  "m.yaml:1:1: error: expected a mapping of settings (listen:, "
		  "zone:, dns: ...), got a list\n" },
		{ "hello\n",
		  "m.yaml:1:1: error: expected a mapping of settings (listen:, "
		  "zone:, dns: ...), got \"hello\"\n" },
		{ "zone: a\n---\nzone: b\n",
		  "m.yaml:2:1: error: a second document; expected the whole "
		  "configuration in one document\n" },
		{ "zone: a\n---\n",
		  "m.yaml:2:1: error: a second document; expected the whole "
		  "configuration in one document\n" },
		{ "listn: 1\n",
		  "m.yaml:1:1: error: unknown key \"listn\" at the top level "
		  "(did you mean \"listen\"?); expected one of: listen, zone, "
		  "resources, state-file, start-cache, watch, workers, user, group, dns, vip, log, "
		  "forward, tcp, dnstap, kuma, views, keys, transfer, http, store\n" },
		{ "upstreams: [1.1.1.1]\n",
		  "m.yaml:1:1: error: unknown key \"upstreams\" at the top "
		  "level; expected one of: listen, zone, resources, "
		  "state-file, start-cache, watch, workers, user, group, dns, vip, log, forward, "
		  "tcp, dnstap, kuma, views, keys, transfer, http, store\n" },
		{ "dns:\n  tll: 5\n",
		  "m.yaml:2:3: error: unknown key \"tll\" in dns (did you mean "
		  "\"ttl\"?); expected one of: zones, ttl, ns, soa, aaaa, srv, ptr, chaos, "
		  "search-suffixes\n" },
		{ "dns:\n  soa:\n    serial: 5\n",
		  "m.yaml:3:5: error: unknown key \"serial\" in dns.soa; "
		  "expected one of: mname, rname, refresh, retry, expire, "
		  "minimum\n" },
		{ "vip: {pools: {meshservice: 10.0.0.0/8}}\n",
		  "m.yaml:1:15: error: unknown key \"meshservice\" in vip.pools "
		  "(did you mean \"meshService\"?); expected one of: "
		  "meshService, meshExternalService, meshMultiZoneService, legacy, "
		  "meshService6, meshExternalService6, meshMultiZoneService6, "
		  "legacy6\n" },
		{ "log: {lvl: debug}\n",
		  "m.yaml:1:7: error: unknown key \"lvl\" in log (did you mean "
		  "\"level\"?); expected one of: level\n" },
		{ "dns: [mesh]\n",
		  "m.yaml:1:6: error: dns: expected a mapping (a section with "
		  "keys), got a list\n" },
		{ "vip: 1h\n",
		  "m.yaml:1:6: error: vip: expected a mapping (a section with "
		  "keys), got \"1h\"\n" },
		/* lists */
		{ "listen: {a: b}\n",
		  "m.yaml:1:9: error: listen: expected an address such as "
		  "127.0.0.1:15053 or [::1]:15053, or a list of them, got a "
		  "mapping\n" },
		{ "listen: []\n",
		  "m.yaml:1:9: error: listen: expected at least one value (an "
		  "address such as 127.0.0.1:15053 or [::1]:15053), got an "
		  "empty list\n" },
		{ "listen:\n",
		  "m.yaml:1:8: error: listen: expected an address such as "
		  "127.0.0.1:15053 or [::1]:15053, got nothing\n" },
		{ "listen: [[1.2.3.4]]\n",
		  "m.yaml:1:10: error: listen[0]: expected an address such as "
		  "127.0.0.1:15053 or [::1]:15053, got a list\n" },
		{ "listen: [1.2.3.4:53, 1.2.3.4:53]\n",
		  "m.yaml:1:22: error: listen[1]: 1.2.3.4:53 is listed twice\n" },
		{ "listen: [\"::1\", \"[0::1]:15053\"]\n",
		  "m.yaml:1:17: error: listen[1]: [::1]:15053 is listed "
		  "twice\n" },
		{ "listen: 1.2.3.4:99999\n",
		  "m.yaml:1:9: error: listen: expected ADDRESS[:PORT] or "
		  "[IPV6]:PORT, got \"1.2.3.4:99999\" (the port must be 1 to "
		  "65535)\n" },
		{ "resources: {a: b}\n",
		  "m.yaml:1:12: error: resources: expected a file or directory "
		  "name, or a list of them, got a mapping\n" },
		{ "resources: [a, \"\", ~]\n",
		  "m.yaml:1:16: error: resources[1]: expected a file or "
		  "directory name, got \"\"\n"
		  "m.yaml:1:20: error: resources[2]: expected a file or "
		  "directory name, got null\n" },
		{ "resources: [a, b, a]\n",
		  "m.yaml:1:19: error: resources[2]: \"a\" is listed twice\n" },
		{ "dns: {zones: []}\n",
		  "m.yaml:1:14: error: dns.zones: expected at least one value "
		  "(a domain name such as mesh.local (letters, digits, '-' "
		  "and dots)), got an empty list\n" },
		{ "dns: {ns: []}\n",
		  "m.yaml:1:11: error: dns.ns: expected at least one value (a "
		  "domain name such as localhost. (letters, digits, '-' and "
		  "dots)), got an empty list\n" },
		/* strings */
		{ "zone:\n",
		  "m.yaml:1:6: error: zone: expected a string, got nothing\n" },
		{ "zone: ''\n",
		  "m.yaml:1:7: error: zone: expected a string, got \"\"\n" },
		{ "zone: [a]\n",
		  "m.yaml:1:7: error: zone: expected a string, got a list\n" },
		{ "state-file: {a: b}\n",
		  "m.yaml:1:13: error: state-file: expected a file name, got a "
		  "mapping\n" },
		{ "state-file: \"a\\0b\"\n",
		  "m.yaml:1:13: error: state-file: expected a file name, got a "
		  "string with a NUL character\n" },
		/* domain names */
		{ "dns: {zones: [mesh..local]}\n",
		  "m.yaml:1:15: error: dns.zones[0]: expected a domain name "
		  "such as mesh.local (letters, digits, '-' and dots), got "
		  "\"mesh..local\" (empty label)\n" },
		{ "dns: {zones: [.mesh]}\n",
		  "m.yaml:1:15: error: dns.zones[0]: expected a domain name "
		  "such as mesh.local (letters, digits, '-' and dots), got "
		  "\".mesh\" (empty label)\n" },
		{ "dns: {zones: [mesh_local]}\n",
		  "m.yaml:1:15: error: dns.zones[0]: expected a domain name "
		  "such as mesh.local (letters, digits, '-' and dots), got "
		  "\"mesh_local\" ('_' is not allowed)\n" },
		{ "dns: {zones: [\".\"]}\n",
		  "m.yaml:1:15: error: dns.zones[0]: expected a domain name "
		  "such as mesh.local (letters, digits, '-' and dots), got "
		  "\".\" (the root zone is not allowed)\n" },
		{ "dns: {zones: [\"a\\tb\"]}\n",
		  "m.yaml:1:15: error: dns.zones[0]: expected a domain name "
		  "such as mesh.local (letters, digits, '-' and dots), got "
		  "\"a\\x09b\" (control character 0x09 is not allowed)\n" },
		{ "dns: {zones: "
		  "[a234567890123456789012345678901234567890123456789012345678901234.mesh]}"
		  "\n",
		  "m.yaml:1:15: error: dns.zones[0]: expected a domain name "
		  "such as mesh.local (letters, digits, '-' and dots), got "
		  "\"a234567890123456789012345678901234567890123456789012345"
		  "678901234.mesh\" (a label is longer than 63 characters)\n" },
		{ "dns: {zones: [mesh, MESH.]}\n",
		  "m.yaml:1:21: error: dns.zones[1]: zone mesh is listed "
		  "twice\n" },
		{ "dns: {ns: [a.example., A.EXAMPLE.]}\n",
		  "m.yaml:1:24: error: dns.ns[1]: \"A.EXAMPLE.\" is listed "
		  "twice\n" },
		{ "dns: {soa: {mname: \"ns 1\"}}\n",
		  "m.yaml:1:20: error: dns.soa.mname: expected a domain name "
		  "(letters, digits, '-' and dots), got \"ns 1\" (' ' is not "
		  "allowed)\n" },
		{ "dns: {soa: {rname: hostmaster@example.com}}\n",
		  "m.yaml:1:20: error: dns.soa.rname: expected a domain name "
		  "(letters, digits, '-' and dots), got "
		  "\"hostmaster@example.com\" ('@' is not allowed)\n" },
		/* durations */
		{ "dns: {ttl: 2147483648}\n",
		  "m.yaml:1:12: error: dns.ttl: expected at most 2147483647 "
		  "seconds (about 68 years), got \"2147483648\"\n" },
		{ "dns: {ttl: 99999999999999999999999}\n",
		  "m.yaml:1:12: error: dns.ttl: expected at most 2147483647 "
		  "seconds (about 68 years), got \"99999999999999999999999\"\n" },
		{ "dns: {ttl: 24856d}\n",
		  "m.yaml:1:12: error: dns.ttl: expected at most 2147483647 "
		  "seconds (about 68 years), got \"24856d\"\n" },
		{ "dns: {ttl: [30]}\n",
		  "m.yaml:1:12: error: dns.ttl: expected a duration such as 30s "
		  "(a number and a unit: ms, s, m, h or d, several largest "
		  "first as in 1h30m; a bare number is seconds), got a list\n" },
		{ "dns: {soa: {refresh: soon}}\n",
		  "m.yaml:1:22: error: dns.soa.refresh: expected a duration such "
		  "as 1h (a number and a unit: ms, s, m, h or d, several "
		  "largest first as in 1h30m; a bare number is seconds), got "
		  "\"soon\"\n" },
		{ "vip: {hold: forever}\n",
		  "m.yaml:1:13: error: vip.hold: expected a duration such as 1h "
		  "(a number and a unit: ms, s, m, h or d, several largest "
		  "first as in 1h30m; a bare number is seconds), got "
		  "\"forever\"\n" },
		/* pools */
		{ "vip: {pools: {meshService: 241.0.0.1/8}}\n",
		  "m.yaml:1:28: error: vip.pools.meshService: 241.0.0.1/8 has "
		  "host bits set; the network is 241.0.0.0/8\n" },
		{ "vip: {pools: {meshExternalService: 242.0.0.0}}\n",
		  "m.yaml:1:36: error: vip.pools.meshExternalService: 242.0.0.0 "
		  "is not a CIDR: the \"/prefix\" is missing\n" },
		{ "vip: {pools: {meshMultiZoneService: ~}}\n",
		  "m.yaml:1:37: error: vip.pools.meshMultiZoneService: expected "
		  "a CIDR such as 241.0.0.0/8, got null\n" },
		/* log */
		{ "log: {level: verbose}\n",
		  "m.yaml:1:14: error: log.level: expected one of: error, "
		  "warning, notice, info, debug, got \"verbose\"\n" },
		/* errors of the YAML itself come through */
		{ "zone: a\nzone: b\n",
		  "m.yaml:2:1: error: duplicate key \"zone\" (first defined at "
		  "line 1, column 1)\n" },
		{ "dns:\n  ttl: 1\n ns: x\n",
		  "m.yaml:3:2: error: did not find expected key (while parsing "
		  "a block mapping that started at line 1, column 1)\n" },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		assert_fails_with(f, cases[i].text, cases[i].expect);
}

static void
test_too_many_ns(void **state)
{
	struct fixture *f = *state;
	char text[4096];
	size_t n = 0;
	int i;

	n += (size_t)snprintf(text + n, sizeof(text) - n, "dns:\n  ns:\n");
	for (i = 0; i < 65; i++)
		n += (size_t)snprintf(text + n, sizeof(text) - n,
				      "  - ns%d.example.\n", i);
	assert_fails_with(f, text, "m.yaml:67:5: error: dns.ns[64]: more than "
			  "64 name servers\n");
	/* 64 are fine */
	*strstr(text, "  - ns64") = '\0';
	assert_loads(f, text);
	assert_int_equal(f->cfg->nns, 64);
}

static void
test_every_error_reported(void **state)
{
	struct fixture *f = *state;

	assert_fails_with(f,
		"listen: [1.2.3.4:0, localhost]\n"
		"zone:\n"
		"dns:\n"
		"  zones: [ok, bad_one]\n"
		"  ttl: abc\n"
		"  tll: 3\n"
		"  soa: {retry: -1}\n"
		"vip:\n"
		"  pools: {meshService: 1.2.3.4/8, meshExternalService: x}\n"
		"log: {level: loud}\n"
		"extra: 1\n",
		"m.yaml:1:10: error: listen[0]: expected ADDRESS[:PORT] or "
		"[IPV6]:PORT, got \"1.2.3.4:0\" (the port must be 1 to 65535)\n"
		"m.yaml:1:21: error: listen[1]: expected ADDRESS[:PORT] or "
		"[IPV6]:PORT, got \"localhost\" (not a numeric IPv4 or IPv6 "
		"address)\n"
		"m.yaml:2:6: error: zone: expected a string, got nothing\n"
		"m.yaml:4:15: error: dns.zones[1]: expected a domain name such "
		"as mesh.local (letters, digits, '-' and dots), got \"bad_one\" "
		"('_' is not allowed)\n"
		"m.yaml:5:8: error: dns.ttl: expected a duration such as 30s "
		"(a number and a unit: ms, s, m, h or d, several largest first "
		"as in 1h30m; a bare number is seconds), got \"abc\"\n"
		"m.yaml:6:3: error: unknown key \"tll\" in dns (did you mean "
		"\"ttl\"?); expected one of: zones, ttl, ns, soa, aaaa, srv, ptr, chaos, "
		  "search-suffixes\n"
		"m.yaml:7:16: error: dns.soa.retry: expected a duration such as "
		"10m (a number and a unit: ms, s, m, h or d, several largest "
		"first as in 1h30m; a bare number is seconds), got \"-1\"\n"
		"m.yaml:9:24: error: vip.pools.meshService: 1.2.3.4/8 has host "
		"bits set; the network is 1.0.0.0/8\n"
		"m.yaml:9:56: error: vip.pools.meshExternalService: x is not a "
		"CIDR: the \"/prefix\" is missing\n"
		"m.yaml:10:14: error: log.level: expected one of: error, "
		"warning, notice, info, debug, got \"loud\"\n"
		"m.yaml:11:1: error: unknown key \"extra\" at the top level; "
		"expected one of: listen, zone, resources, state-file, "
		"start-cache, watch, workers, user, group, dns, vip, log, forward, tcp, "
		"dnstap, kuma, views, keys, transfer, http, store\n");
	assert_int_equal(f->errs.errors, 11);
}

static void
test_hold_at_least_ttl(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(load(f, "dns: {ttl: 2m}\nvip: {hold: 1m}\n"), 0);
	assert_string_equal(messages(f),
		"m.yaml:2:13: warning: vip.hold: 60 seconds is shorter than "
		"dns.ttl (120 seconds); using 120 so that no cached answer "
		"points at a VIP given to another service\n");
	assert_int_equal(f->errs.errors, 0);
	assert_int_equal(f->cfg->hold_seconds, 120);
	/* Without vip.hold in the file, the warning points at dns.ttl. */
	assert_int_equal(load(f, "dns:\n  ttl: 2h\n"), 0);
	assert_string_equal(messages(f),
		"m.yaml:2:8: warning: vip.hold: 3600 seconds is shorter than "
		"dns.ttl (7200 seconds); using 7200 so that no cached answer "
		"points at a VIP given to another service\n");
	assert_int_equal(f->cfg->hold_seconds, 7200);
	assert_loads(f, "dns: {ttl: 1h}\nvip: {hold: 1h}\n");
	assert_int_equal(f->cfg->hold_seconds, 3600);
}

static void
test_load_file_missing(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(config_load_file(&f->cfg, "/nonexistent/meshdns.yaml",
					  &f->errs), -1);
	assert_null(f->cfg);
	assert_string_equal(messages(f), "error: cannot read "
			    "/nonexistent/meshdns.yaml: No such file or "
			    "directory\n");
}

static void
test_contrib_example(void **state)
{
	struct fixture *f = *state;
	const char *srcdir = getenv("SRCDIR");
	char path[4096];
	int rc;

	snprintf(path, sizeof(path), "%s/contrib/meshdns.yaml",
		 srcdir != NULL && *srcdir != '\0' ? srcdir : ".");
	rc = config_load_file(&f->cfg, path, &f->errs);
	assert_string_equal(messages(f), "");
	assert_int_equal(rc, 0);
	assert_string_equal(f->cfg->file, path);
	/* It documents the defaults: loading it changes nothing. */
	assert_defaults(f->cfg);
}

/*
 * meshdns.yaml(5) documents every key (as ".BR key", its hyphens written
 * "\\-"), and contrib/meshdns.yaml names each one (its last part, at
 * least in a comment).
 */
static void
test_manual_has_every_key(void **state)
{
	const char *srcdir = getenv("SRCDIR");
	char path[4096];
	char name[256];
	char roff[512];
	char want[600];
	char *man = NULL;
	char *example = NULL;
	size_t len;
	size_t i;
	size_t j;
	size_t o;
	int missing = 0;

	(void)state;
	if (srcdir == NULL || *srcdir == '\0')
		srcdir = ".";
	snprintf(path, sizeof(path), "%s/meshdns.yaml.5", srcdir);
	assert_int_equal(file_read(path, &man, &len), 0);
	snprintf(path, sizeof(path), "%s/contrib/meshdns.yaml", srcdir);
	assert_int_equal(file_read(path, &example, &len), 0);
	for (i = 0; config_key_name(i, name, sizeof(name)) == 0; i++) {
		const char *leaf = strrchr(name, '.');

		for (j = 0, o = 0; name[j] != '\0' && o + 2 < sizeof(roff);
		     j++) {
			if (name[j] == '-')
				roff[o++] = '\\';
			roff[o++] = name[j];
		}
		roff[o] = '\0';
		snprintf(want, sizeof(want), "\n.BR %s ", roff);
		if (strstr(man, want) == NULL) {
			print_error("meshdns.yaml.5 lacks \"%s\"\n", want + 1);
			missing++;
		}
		snprintf(want, sizeof(want), "%s:", leaf != NULL ? leaf + 1 :
			 name);
		if (strstr(example, want) == NULL) {
			print_error("contrib/meshdns.yaml lacks %s\n", want);
			missing++;
		}
	}
	assert_true(i > 40);
	assert_int_equal(missing, 0);
	free(man);
	free(example);
}

/* store: a connection string, or a mapping; vip.allocate. */
static void
test_store_keys(void **state)
{
	struct fixture *f = *state;

	assert_loads(f, "zone: z\n");
	assert_null(f->cfg->store);
	assert_int_equal(f->cfg->store_resync, 300);
	assert_int_equal(f->cfg->vip_allocate, 0);
	assert_loads(f, "store: host=/tmp dbname=kuma\n");
	assert_string_equal(f->cfg->store, "host=/tmp dbname=kuma");
	assert_int_equal(f->cfg->store_resync, 300);
	assert_loads(f, "store:\n  connection: postgres://u@h/kuma\n"
		     "  resync: 1m\nvip:\n  allocate: true\n");
	assert_string_equal(f->cfg->store, "postgres://u@h/kuma");
	assert_int_equal(f->cfg->store_resync, 60);
	assert_int_equal(f->cfg->vip_allocate, 1);
	assert_fails_with(f, "store: [a]\n",
			  "m.yaml:1:8: error: store: expected a connection "
			  "string (libpq key=value or postgres:// URI) or a "
			  "mapping (connection:, resync:), got a list\n");
	assert_fails_with(f, "store: \"\"\n",
			  "m.yaml:1:8: error: store: expected a string, got "
			  "\"\"\n");
	assert_fails_with(f, "store:\n  resync: soon\n",
			  "m.yaml:2:11: error: store.resync: expected a "
			  "duration such as 5m (a number and a unit: ms, s, "
			  "m, h or d, several largest first as in 1h30m; a "
			  "bare number is seconds), got \"soon\"\n");
	assert_fails_with(f, "store:\n  conection: x\n",
			  "m.yaml:2:3: error: unknown key \"conection\" in "
			  "store (did you mean \"connection\"?); expected one "
			  "of: connection, resync\n");
}

static void
test_overrides(void **state)
{
	struct fixture *f = *state;
	struct config_listen l[2];
	char err[256];
	char a[] = "a", bc[] = "b/c";
	char *const res[] = { a, bc };
	static const char *const expect[] = { "a", "b/c", NULL };

	f->cfg = config_new_default();
	assert_non_null(f->cfg);
	assert_int_equal(config_parse_listen(&l[0], "[::1]:53", err,
					     sizeof(err)), 0);
	assert_int_equal(config_parse_listen(&l[1], "10.0.0.1", err,
					     sizeof(err)), 0);
	assert_int_equal(config_set_listen(f->cfg, l, 2), 0);
	free(l[0].text);
	free(l[1].text);
	assert_int_equal(f->cfg->nlisten, 2);
	assert_string_equal(f->cfg->listen[0].text, "[::1]:53");
	assert_string_equal(f->cfg->listen[1].text, "10.0.0.1:15053");
	assert_int_equal(f->cfg->listen[1].addr.ss_family, AF_INET);

	assert_int_equal(config_set_strings(&f->cfg->resources,
					    &f->cfg->nresources, res, 2), 0);
	assert_strings(f->cfg->resources, f->cfg->nresources, expect);
	assert_int_equal(config_set_strings(&f->cfg->resources,
					    &f->cfg->nresources, NULL, 0), 0);
	assert_int_equal(f->cfg->nresources, 0);

	assert_int_equal(config_set_string(&f->cfg->state_file, "/s"), 0);
	assert_string_equal(f->cfg->state_file, "/s");
	assert_int_equal(config_set_string(&f->cfg->state_file, NULL), 0);
	assert_null(f->cfg->state_file);
}

/*
 * Every duration key takes the same syntax (500ms, 10s, 1m, 1h, 1m30s, a
 * bare number of seconds); each keeps its own range and precision.
 */
static void
test_duration_keys(void **state)
{
	struct fixture *f = *state;
	static const struct {
		const char *yaml;	/* with %s for the value */
		const char *key;
		size_t off;		/* the uint32_t field */
		uint32_t scale;		/* ms per stored unit */
	} keys[] = {
		{ "dns: {ttl: %s}\n", "dns.ttl",
		  offsetof(struct config, ttl), 1000 },
		{ "dns: {soa: {refresh: %s}}\n", "dns.soa.refresh",
		  offsetof(struct config, soa.refresh), 1000 },
		{ "dns: {soa: {retry: %s}}\n", "dns.soa.retry",
		  offsetof(struct config, soa.retry), 1000 },
		{ "dns: {soa: {expire: %s}}\n", "dns.soa.expire",
		  offsetof(struct config, soa.expire), 1000 },
		{ "dns: {soa: {minimum: %s}}\n", "dns.soa.minimum",
		  offsetof(struct config, soa.minimum), 1000 },
		{ "vip: {hold: %s}\ndns: {ttl: 0}\n", "vip.hold",
		  offsetof(struct config, hold_seconds), 1000 },
		{ "forward: {timeout: %s}\n", "forward.timeout",
		  offsetof(struct config, forward_timeout_ms), 1 },
		{ "tcp: {idle-timeout: %s}\n", "tcp.idle-timeout",
		  offsetof(struct config, tcp_idle_ms), 1 },
	};
	static const struct {
		const char *text;
		uint32_t ms;
	} values[] = {
		{ "10s", 10000 }, { "1m", 60000 }, { "1h", 3600000 },
		{ "1m30s", 90000 }, { "30", 30000 }, { "2000ms", 2000 },
	};
	char text[256];
	size_t i;
	size_t j;

	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		for (j = 0; j < sizeof(values) / sizeof(values[0]); j++) {
			snprintf(text, sizeof(text), keys[i].yaml,
				 values[j].text);
			assert_loads(f, text);
			assert_int_equal(*(uint32_t *)(void *)
					 ((char *)f->cfg + keys[i].off),
					 values[j].ms / keys[i].scale);
		}
		/* A typo: the accepted forms, for every key. */
		snprintf(text, sizeof(text), keys[i].yaml, "10 s");
		assert_int_equal(load(f, text), -1);
		assert_non_null(strstr(messages(f), keys[i].key));
		assert_non_null(strstr(messages(f), " (a number and a unit: "
				       "ms, s, m, h or d, several largest "
				       "first as in 1h30m; a bare number is "
				       "seconds), got \"10 s\"\n"));
	}
	/* Sub-second values where the key has the precision. */
	assert_loads(f, "forward: {timeout: 250ms}\n"
		     "tcp: {idle-timeout: 1s500ms}\n");
	assert_int_equal(f->cfg->forward_timeout_ms, 250);
	assert_int_equal(f->cfg->tcp_idle_ms, 1500);
	assert_fails_with(f, "forward: {timeout: 2h}\n",
			  "m.yaml:1:20: error: forward.timeout: expected a "
			  "duration from 1ms to 1h, got \"2h\"\n");
	assert_fails_with(f, "tcp: {idle-timeout: 25d}\n",
			  "m.yaml:1:21: error: tcp.idle-timeout: expected a "
			  "duration from 0s to 24d, got \"25d\"\n");
	assert_fails_with(f, "vip: {hold: 1h500ms}\n",
			  "m.yaml:1:13: error: vip.hold: expected whole "
			  "seconds, got \"1h500ms\"\n");
}

/* watch: on by default; false turns it off; a clear error otherwise. */
static void
test_watch_key(void **state)
{
	struct fixture *f = *state;

	assert_loads(f, "");
	assert_int_equal(f->cfg->watch, 1);
	assert_loads(f, "watch: false\n");
	assert_int_equal(f->cfg->watch, 0);
	assert_loads(f, "watch: true\n");
	assert_int_equal(f->cfg->watch, 1);
	assert_fails_with(f, "watch: maybe\n",
			  "m.yaml:1:8: error: watch: expected true or false, "
			  "got \"maybe\"\n");
}

/* The keys of forwarding, TCP, the DNS extras, Kuma and views. */
static void
test_protocol_keys(void **state)
{
	struct fixture *f = *state;
	static const char *const ups[] = { "127.0.0.1:53", "[::1]:5353",
					   "resolv.conf", NULL };
	static const char *const allow[] = { "10.0.0.0/8", NULL };
	static const char *const sfx[] = { "svc.cluster.local", NULL };

	/* Defaults. */
	assert_loads(f, "");
	assert_int_equal(f->cfg->aaaa, CONFIG_AAAA_NODATA);
	assert_int_equal(f->cfg->srv, 1);
	assert_int_equal(f->cfg->ptr, 1);
	assert_non_null(strstr(f->cfg->chaos_version, "meshdns "));
	assert_null(f->cfg->chaos_id);
	assert_null(f->cfg->chaos_hostname);
	assert_int_equal(f->cfg->nupstreams, 0);
	assert_int_equal(f->cfg->forward_timeout_ms, 2000);
	assert_int_equal(f->cfg->forward_max_inflight, 1000);
	assert_int_equal(f->cfg->nforward_allow, 7);
	assert_int_equal(f->cfg->tcp_idle_ms, 10000);
	assert_int_equal(f->cfg->tcp_max, 512);
	assert_int_equal(f->cfg->kuma_environment, 0);
	assert_int_equal(f->cfg->kuma_defaults, 0);
	assert_int_equal(f->cfg->kuma_workload, 0);
	assert_int_equal(f->cfg->kuma_default_mode, 0);
	assert_int_equal(f->cfg->kuma_environment, GENERATE_UNIVERSAL);
	assert_int_equal(f->cfg->kuma_defaults, GENERATE_DEFAULTS_ALL);
	assert_int_equal(f->cfg->kuma_default_mode,
			 RESOURCE_MESH_MODE_DISABLED);
	assert_int_equal(f->cfg->views_unknown_all, 1);
	assert_string_equal(f->cfg->pools[CONFIG_POOL_LEGACY], "240.0.0.0/4");
	assert_null(f->cfg->pools6[CONFIG_POOL_MESH_SERVICE]);

	assert_loads(f,
		     "dns:\n"
		     "  aaaa: Mapped\n"
		     "  srv: no\n"
		     "  ptr: false\n"
		     "  chaos: {version: \"\", id: ns1, hostname: host-a}\n"
		     "  search-suffixes: [svc.cluster.local]\n"
		     "vip:\n"
		     "  pools: {meshService6: \"fd00:241::/64\"}\n"
		     "forward:\n"
		     "  upstreams: [127.0.0.1, \"[::1]:5353\", resolv.conf]\n"
		     "  timeout: 500ms\n"
		     "  max-in-flight: 10\n"
		     "  allow: [10.0.0.0/8]\n"
		     "tcp: {idle-timeout: 3s, max-connections: 4}\n"
		     "kuma:\n"
		     "  environment: kubernetes\n"
		     "  default-generators: none\n"
		     "  generation: workload\n"
		     "  default-mesh-mode: Exclusive\n"
		     "views: {unknown-clients: none}\n");
	assert_int_equal(f->cfg->aaaa, CONFIG_AAAA_MAPPED);
	assert_int_equal(f->cfg->srv, 0);
	assert_int_equal(f->cfg->ptr, 0);
	assert_string_equal(f->cfg->chaos_version, "");	/* hidden */
	assert_string_equal(f->cfg->chaos_id, "ns1");
	assert_string_equal(f->cfg->chaos_hostname, "host-a");
	assert_strings(f->cfg->search_suffixes, f->cfg->nsearch_suffixes, sfx);
	assert_string_equal(f->cfg->pools6[CONFIG_POOL_MESH_SERVICE],
			    "fd00:241::/64");
	assert_strings(f->cfg->upstreams, f->cfg->nupstreams, ups);
	assert_int_equal(f->cfg->forward_timeout_ms, 500);
	assert_int_equal(f->cfg->forward_max_inflight, 10);
	assert_strings(f->cfg->forward_allow, f->cfg->nforward_allow, allow);
	assert_int_equal(f->cfg->tcp_idle_ms, 3000);
	assert_int_equal(f->cfg->tcp_max, 4);
	assert_int_equal(f->cfg->kuma_environment, 1);
	assert_int_equal(f->cfg->kuma_defaults, 2);
	assert_int_equal(f->cfg->kuma_workload, 1);
	assert_int_equal(f->cfg->kuma_default_mode, 3);
	assert_int_equal(f->cfg->kuma_environment, GENERATE_KUBERNETES);
	assert_int_equal(f->cfg->kuma_defaults, GENERATE_DEFAULTS_NONE);
	assert_int_equal(f->cfg->kuma_default_mode,
			 RESOURCE_MESH_MODE_EXCLUSIVE);
	assert_int_equal(f->cfg->views_unknown_all, 0);

	assert_fails_with(f, "dns: {aaaa: both}\n",
			  "m.yaml:1:13: error: dns.aaaa: expected one of: "
			  "nodata mapped pool; got \"both\"\n");
	assert_fails_with(f, "dns: {srv: maybe}\n",
			  "m.yaml:1:12: error: dns.srv: expected true or "
			  "false, got \"maybe\"\n");
	assert_fails_with(f, "forward: {timeout: 2 h}\n",
			  "m.yaml:1:20: error: forward.timeout: expected a "
			  "duration such as 500ms (a number and a unit: ms, s, "
			  "m, h or d, several largest first as in 1h30m; a bare "
			  "number is seconds), got \"2 h\"\n");
	assert_fails_with(f, "forward: {upstreams: [dns.google]}\n",
			  "m.yaml:1:23: error: forward.upstreams[0]: expected "
			  "ADDRESS[:PORT] or [IPV6]:PORT, got \"dns.google\" "
			  "(not a numeric IPv4 or IPv6 address)\n");
	assert_fails_with(f, "forward: {allow: [10.0.0.1/8]}\n",
			  "m.yaml:1:19: error: forward.allow[0]: 10.0.0.1/8 "
			  "has host bits set; the network is 10.0.0.0/8\n");
	assert_fails_with(f, "tcp: {max-connections: 0}\n",
			  "m.yaml:1:24: error: tcp.max-connections: expected "
			  "a whole number from 1 to 100000000, got \"0\"\n");
	assert_fails_with(f, "kuma: {default-mesh-mode: Sometimes}\n",
			  "m.yaml:1:27: error: kuma.default-mesh-mode: "
			  "expected one of: Disabled Everywhere "
			  "ReachableBackends Exclusive; got \"Sometimes\"\n");
}

/* transfer.notify and transfer.catalog. */
static void
test_transfer_notify_catalog(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(load(f, "zone: a\n"), 0);
	assert_int_equal(f->cfg->nnotify, 0);
	assert_null(f->cfg->transfer_catalog);

	assert_int_equal(load(f, "keys: [{name: Xfr-Key, algorithm: "
			      "hmac-sha256, secret: YWJj}]\n"
			      "transfer:\n"
			      "  notify:\n"
			      "    - 10.0.0.2\n"
			      "    - \"[::1]:5353\"\n"
			      "    - {address: 127.0.0.1:25354, key: xfr-key}\n"
			      "  catalog: Catalog.Invalid.\n"), 0);
	assert_int_equal(f->cfg->nnotify, 3);
	assert_string_equal(f->cfg->notify[0].text, "10.0.0.2:53");
	assert_null(f->cfg->notify[0].key);
	assert_string_equal(f->cfg->notify[1].text, "[::1]:5353");
	assert_int_equal(f->cfg->notify[1].addr.ss_family, AF_INET6);
	assert_string_equal(f->cfg->notify[2].text, "127.0.0.1:25354");
	assert_string_equal(f->cfg->notify[2].key, "xfr-key.");
	assert_string_equal(f->cfg->transfer_catalog, "catalog.invalid");

	/* A single entry, a mapping, is a list of one. */
	assert_int_equal(load(f, "transfer: {notify: {address: 10.0.0.9}}\n"),
			 0);
	assert_int_equal(f->cfg->nnotify, 1);
	assert_string_equal(f->cfg->notify[0].text, "10.0.0.9:53");

	assert_fails_with(f, "transfer: {notify: [10.0.0.2, 10.0.0.2:53]}\n",
			  "m.yaml:1:31: error: transfer.notify[1]: "
			  "\"10.0.0.2:53\" is listed twice\n");
	assert_fails_with(f, "transfer: {notify: [ns1.example]}\n",
			  "m.yaml:1:21: error: transfer.notify[0]: expected "
			  "ADDRESS[:PORT] or [IPV6]:PORT, got \"ns1.example\" "
			  "(not a numeric IPv4 or IPv6 address)\n");
	assert_fails_with(f, "transfer: {notify: [{key: k}]}\n",
			  "m.yaml:1:21: error: transfer.notify[0]: expected "
			  "an address: ADDRESS[:PORT] in the mapping\n");
	assert_fails_with(f, "transfer: {notify: [{address: 10.0.0.2, "
			  "port: 53}]}\n",
			  "m.yaml:1:41: error: unknown key \"port\" in "
			  "transfer.notify[0]; expected one of: address, key\n");
	assert_fails_with(f, "transfer: {notify: [{address: 10.0.0.2, "
			  "key: [a]}]}\n",
			  "m.yaml:1:46: error: transfer.notify[0].key: expected "
			  "the name of a key of keys:, got a list\n");
	assert_fails_with(f, "transfer: {notify: [{address: 10.0.0.2, "
			  "key: nokey}]}\n",
			  "m.yaml:1:20: error: transfer.notify: key "
			  "\"nokey.\" is not declared in keys:\n");
	assert_fails_with(f, "transfer: {catalog: \"cat..invalid\"}\n",
			  "m.yaml:1:21: error: transfer.catalog: expected a "
			  "domain name such as catalog.invalid (letters, "
			  "digits, '-' and dots), got \"cat..invalid\" (empty "
			  "label)\n");
}

/* dns.ns for a hidden primary: the secondaries, with in-zone addresses. */
static void
test_ns_with_addresses(void **state)
{
	struct fixture *f = *state;
	static const char *const ns[] = { "ns1.mesh.local", "ns2.example.",
					  NULL };

	assert_int_equal(load(f, "dns:\n"
			      "  ns:\n"
			      "    - {name: ns1.mesh.local, address: "
			      "[10.0.0.2, \"fd00::2\"]}\n"
			      "    - ns2.example.\n"), 0);
	assert_strings(f->cfg->ns, f->cfg->nns, ns);
	assert_int_equal(f->cfg->nglue, 2);
	assert_string_equal(f->cfg->glue[0].name, "ns1.mesh.local");
	assert_string_equal(f->cfg->glue[0].address, "10.0.0.2");
	assert_int_equal(f->cfg->glue[0].family, AF_INET);
	assert_memory_equal(f->cfg->glue[0].addr, "\12\0\0\2", 4);
	assert_string_equal(f->cfg->glue[1].address, "fd00::2");
	assert_int_equal(f->cfg->glue[1].family, AF_INET6);
	/* One mapping alone, one address alone, no address at all. */
	assert_int_equal(load(f, "dns: {ns: {name: ns1.mesh, address: "
			      "10.0.0.3}}\n"), 0);
	assert_int_equal(f->cfg->nns, 1);
	assert_int_equal(f->cfg->nglue, 1);
	assert_int_equal(load(f, "dns: {ns: [{name: ns1.example}]}\n"), 0);
	assert_int_equal(f->cfg->nglue, 0);

	assert_fails_with(f, "dns: {ns: [{address: 10.0.0.2}]}\n",
			  "m.yaml:1:12: error: dns.ns[0]: expected name: NAME "
			  "in the mapping\n");
	assert_fails_with(f, "dns: {ns: [{name: ns1.mesh, address: "
			  "ns1.example}]}\n",
			  "m.yaml:1:38: error: dns.ns[0].address: expected an "
			  "IPv4 or IPv6 address such as 10.0.0.2, got "
			  "\"ns1.example\"\n");
	assert_fails_with(f, "dns: {ns: [{name: ns1.mesh, ttl: 5}]}\n",
			  "m.yaml:1:29: error: unknown key \"ttl\" in dns.ns[0]; "
			  "expected one of: name, address\n");
	assert_fails_with(f, "dns: {ns: [{name: \"a..b\"}]}\n",
			  "m.yaml:1:19: error: dns.ns[0].name: expected a "
			  "domain name such as localhost. (letters, digits, "
			  "'-' and dots), got \"a..b\" (empty label)\n");
}

/* keys: and transfer.allow: lists of mappings, checked. */
static void
test_transfer_keys(void **state)
{
	struct fixture *f = *state;
	char path[] = "/tmp/meshdns-test-secret-XXXXXX";
	char text[512];
	int fd;

	assert_loads(f, "");
	assert_int_equal(f->cfg->nkeys, 0);
	assert_int_equal(f->cfg->nxfr_allow, 0);
	assert_loads(f, "keys:\n"
		     "  - name: Xfr-Key\n"
		     "    algorithm: HMAC-SHA256\n"
		     "    secret: YWJj\n"
		     "transfer:\n"
		     "  allow:\n"
		     "    - 127.0.0.0/8\n"
		     "    - {address: \"::1/128\", key: xfr-key.}\n");
	assert_int_equal(f->cfg->nkeys, 1);
	assert_string_equal(f->cfg->keys[0].name, "xfr-key.");
	assert_string_equal(f->cfg->keys[0].algorithm, "hmac-sha256");
	assert_int_equal(f->cfg->keys[0].secret_len, 3);
	assert_memory_equal(f->cfg->keys[0].secret, "abc", 3);
	assert_int_equal(f->cfg->nxfr_allow, 2);
	assert_string_equal(f->cfg->xfr_allow[0].cidr, "127.0.0.0/8");
	assert_null(f->cfg->xfr_allow[0].key);
	assert_string_equal(f->cfg->xfr_allow[1].cidr, "::1/128");
	assert_string_equal(f->cfg->xfr_allow[1].key, "xfr-key.");

	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "ZGVm\n", 5), 5);
	close(fd);
	snprintf(text, sizeof(text), "keys:\n  - name: k\n    algorithm: "
		 "hmac-sha512\n    secret-file: %s\n", path);
	assert_loads(f, text);
	assert_memory_equal(f->cfg->keys[0].secret, "def", 3);
	unlink(path);

	assert_fails_with(f, "keys:\n  - name: k\n    algorithm: hmac-md5\n"
			  "    secret: YWJj\n",
			  "m.yaml:3:16: error: keys[0]: algorithm: \"hmac-md5\" "
			  "is not supported; expected hmac-sha256, "
			  "hmac-sha512, hmac-sha384, hmac-sha224 or "
			  "hmac-sha1\n");
	assert_fails_with(f, "keys:\n  - name: k\n    algorithm: hmac-sha256\n"
			  "    secret: '%%%'\n",
			  "m.yaml:4:13: error: keys[0]: secret: expected a "
			  "base64 secret of 1 to 512 bytes\n");
	assert_fails_with(f, "keys:\n  - name: k\n    algorithm: hmac-sha256\n",
			  "m.yaml:2:5: error: keys[0]: expected either "
			  "secret: (base64) or secret-file: (a file holding "
			  "it), not neither\n");
	assert_fails_with(f, "keys:\n  - {name: k, algorithm: hmac-sha256, "
			  "secret: YWJj}\n  - {name: K., algorithm: "
			  "hmac-sha1, secret: YWJj}\n",
			  "m.yaml:3:12: error: keys[1]: key \"K.\" is "
			  "declared twice\n");
	assert_fails_with(f, "transfer:\n  allow: [{address: 10.0.0.0/8, "
			  "key: nokey}]\n",
			  "m.yaml:2:10: error: transfer.allow: key \"nokey.\" "
			  "is not declared in keys:\n");
	assert_fails_with(f, "transfer:\n  allow: [10.0.0.0/33]\n",
			  "m.yaml:2:11: error: transfer.allow[0]: "
			  "10.0.0.0/33: prefix length 33 is out of range (IPv4: "
			  "0 to 32)\n");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_defaults, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_empty_files_give_defaults,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_every_key, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_single_values_and_nulls,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_log_levels, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_duration_keys, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_durations, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_parse_listen, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_transfer_notify_catalog,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_ns_with_addresses, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_too_many_ns, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_every_error_reported,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_store_keys, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_hold_at_least_ttl, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_load_file_missing, setup,
						teardown),
		cmocka_unit_test(test_manual_has_every_key),
		cmocka_unit_test_setup_teardown(test_contrib_example, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_watch_key, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_protocol_keys, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_transfer_keys, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_overrides, setup,
						teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
