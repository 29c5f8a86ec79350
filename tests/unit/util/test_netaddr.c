/* SPDX-License-Identifier: MIT */
/* test_netaddr.c -- unit tests for addresses and CIDRs. */
#include "autoconfig.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <string.h>

#include "util/netaddr.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* Helpers */

static struct netaddr_cidr
mkpool(const char *cidr)
{
	struct netaddr_cidr p;
	char err[256];

	if (netaddr_cidr_parse(&p, cidr, err, sizeof(err)) < 0)
		fail_msg("%s: %s", cidr, err);
	return p;
}

static struct netaddr
mkaddr(const char *text)
{
	struct netaddr a;

	if (netaddr_parse(&a, text) < 0)
		fail_msg("bad address %s", text);
	return a;
}

/* Addresses */

static void
t_addr_parse(void **state)
{
	static const struct {
		const char *in;
		int family;	/* 0: rejected */
		const char *out;
	} cases[] = {
		{ "241.0.0.1", AF_INET, "241.0.0.1" },
		{ "0.0.0.0", AF_INET, "0.0.0.0" },
		{ "fd00::1", AF_INET6, "fd00::1" },
		{ "FD00:0:0::0001", AF_INET6, "fd00::1" },
		{ "::ffff:1.2.3.4", AF_INET6, "::ffff:1.2.3.4" },
		{ "::", AF_INET6, "::" },
		{ "241.0.0", 0, NULL },
		{ "241.0.0.256", 0, NULL },
		{ "01.2.3.4", 0, NULL },
		{ " 1.2.3.4", 0, NULL },
		{ "1.2.3.4/32", 0, NULL },
		{ "fd00:::1", 0, NULL },
		{ "", 0, NULL },
	};
	size_t i;

	for (i = 0; i < N(cases); i++) {
		struct netaddr a;
		char buf[64];
		int rc = netaddr_parse(&a, cases[i].in);

		if (cases[i].family == 0) {
			if (rc != -1)
				fail_msg("%s accepted", cases[i].in);
			continue;
		}
		if (rc != 0)
			fail_msg("%s rejected", cases[i].in);
		assert_int_equal(a.family, cases[i].family);
		assert_string_equal(netaddr_format(&a, buf, sizeof(buf)),
				    cases[i].out);
	}
	assert_int_equal(netaddr_parse(&(struct netaddr){ 0 }, NULL), -1);
}

static void
t_addr_equal(void **state)
{
	struct netaddr a = mkaddr("1.2.3.4");
	struct netaddr b = mkaddr("1.2.3.4");
	struct netaddr m = mkaddr("::ffff:1.2.3.4");

	assert_true(netaddr_equal(&a, &b));
	assert_false(netaddr_equal(&a, &m));
	b = mkaddr("1.2.3.5");
	assert_false(netaddr_equal(&a, &b));
}

static void
t_addr_is_set(void **state)
{
	struct netaddr none;
	struct netaddr a = mkaddr("0.0.0.0");
	struct netaddr b = mkaddr("::");

	memset(&none, 0, sizeof(none));
	assert_false(netaddr_is_set(&none));
	assert_true(netaddr_is_set(&a));
	assert_true(netaddr_is_set(&b));
}

static void
t_addr_cmp(void **state)
{
	struct netaddr a = mkaddr("241.0.0.2");
	struct netaddr b = mkaddr("241.0.0.10");
	struct netaddr c = mkaddr("::1");

	assert_true(netaddr_cmp(&a, &b) < 0);
	assert_true(netaddr_cmp(&b, &a) > 0);
	assert_int_equal(netaddr_cmp(&a, &a), 0);
	/* IPv4 before IPv6, whatever the bytes. */
	assert_true(netaddr_cmp(&b, &c) < 0);
	assert_true(netaddr_cmp(&c, &a) > 0);
}

/* CIDRs */

static void
t_pool_parse_ok(void **state)
{
	static const struct {
		const char *in;
		const char *text;
		unsigned prefix;
	} cases[] = {
		{ "241.0.0.0/8", "241.0.0.0/8", 8 },
		{ "240.0.0.0/4", "240.0.0.0/4", 4 },
		{ "0.0.0.0/0", "0.0.0.0/0", 0 },
		{ "10.0.0.7/32", "10.0.0.7/32", 32 },
		{ "10.0.0.0/008", "10.0.0.0/8", 8 },
		{ "fd00:0::/120", "fd00::/120", 120 },
		{ "::/0", "::/0", 0 },
		{ "fd00::1/128", "fd00::1/128", 128 },
	};
	size_t i;

	for (i = 0; i < N(cases); i++) {
		struct netaddr_cidr p = mkpool(cases[i].in);

		assert_string_equal(p.text, cases[i].text);
		assert_int_equal(p.prefix, cases[i].prefix);
	}
}

static void
t_pool_parse_errors(void **state)
{
	static const struct {
		const char *in;
		const char *msg;
	} cases[] = {
		{ "241.0.0.1/8",
		  "241.0.0.1/8 has host bits set; the network is 241.0.0.0/8" },
		{ "fd00::1/64",
		  "fd00::1/64 has host bits set; the network is fd00::/64" },
		{ "241.0.0.0",
		  "241.0.0.0 is not a CIDR: the \"/prefix\" is missing" },
		{ "241.0.0/8",
		  "241.0.0/8: \"241.0.0\" is not an IPv4 or IPv6 address" },
		{ "/8", "/8: \"\" is not an IPv4 or IPv6 address" },
		{ "241.0.0.0/33",
		  "241.0.0.0/33: prefix length 33 is out of range "
		  "(IPv4: 0 to 32)" },
		{ "fd00::/129",
		  "fd00::/129: prefix length 129 is out of range "
		  "(IPv6: 0 to 128)" },
		{ "241.0.0.0/99999999999999999999",
		  "241.0.0.0/99999999999999999999: prefix length "
		  "99999999999999999999 is out of range (IPv4: 0 to 32)" },
		{ "241.0.0.0/",
		  "241.0.0.0/: the prefix length after \"/\" is missing" },
		{ "241.0.0.0/8x",
		  "241.0.0.0/8x: prefix length \"8x\" is not a number" },
		{ "241.0.0.0/-8",
		  "241.0.0.0/-8: prefix length \"-8\" is not a number" },
		{ "",
		  "empty CIDR (expected an address/prefix such as "
		  "241.0.0.0/8)" },
	};
	size_t i;

	for (i = 0; i < N(cases); i++) {
		struct netaddr_cidr p;
		char err[256] = "";

		assert_int_equal(netaddr_cidr_parse(&p, cases[i].in, err,
						    sizeof(err)), -1);
		assert_string_equal(err, cases[i].msg);
	}
}

static void
t_pool_contains(void **state)
{
	struct netaddr_cidr v4 = mkpool("241.0.0.0/8");
	struct netaddr_cidr v6 = mkpool("fd00::/120");
	struct netaddr_cidr all = mkpool("0.0.0.0/0");
	struct netaddr a;

	a = mkaddr("241.255.255.255");
	assert_true(netaddr_cidr_contains(&v4, &a));
	a = mkaddr("242.0.0.0");
	assert_false(netaddr_cidr_contains(&v4, &a));
	a = mkaddr("fd00::ff");
	assert_true(netaddr_cidr_contains(&v6, &a));
	a = mkaddr("fd00::100");
	assert_false(netaddr_cidr_contains(&v6, &a));
	a = mkaddr("::ffff:241.0.0.1");
	assert_false(netaddr_cidr_contains(&v4, &a));
	a = mkaddr("1.2.3.4");
	assert_true(netaddr_cidr_contains(&all, &a));
	assert_false(netaddr_cidr_contains(&v6, &a));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(t_addr_parse),
		cmocka_unit_test(t_addr_equal),
		cmocka_unit_test(t_addr_is_set),
		cmocka_unit_test(t_addr_cmp),
		cmocka_unit_test(t_pool_parse_ok),
		cmocka_unit_test(t_pool_parse_errors),
		cmocka_unit_test(t_pool_contains),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
