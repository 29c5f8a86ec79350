/* SPDX-License-Identifier: MIT */
/* test_netaddr.c -- unit tests for netaddr.h: addresses, ADDR[:PORT], CIDRs. */
#include "autoconfig.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <sys/un.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/diag.h"
#include "util/netaddr.h"
#include "../tmpdir.h"

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

static void
t_is_ip(void **state)
{
	static const struct {
		const char *in;
		int ip;
	} cases[] = {
		{ "1.2.3.4", 1 }, { "0.0.0.0", 1 }, { "::", 1 },
		{ "fd00::1", 1 }, { "::ffff:1.2.3.4", 1 },
		{ "", 0 }, { "1.2.3", 0 }, { "01.2.3.4", 0 },
		{ "1.2.3.4:53", 0 },
		{ "[::1]", 0 }, { "fe80::1%eth0", 0 }, { "localhost", 0 },
		{ "1.2.3.4/8", 0 },
	};
	size_t i;

	for (i = 0; i < N(cases); i++)
		if (netaddr_is_ip(cases[i].in) != cases[i].ip)
			fail_msg("%s: %d", cases[i].in, !cases[i].ip);
	assert_false(netaddr_is_ip(NULL));
}

static void
t_from_sockaddr(void **state)
{
	struct sockaddr_in sin;
	struct sockaddr_in6 sin6;
	struct sockaddr_un sun;
	struct netaddr a;
	char buf[64];

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons(53);
	assert_int_equal(inet_pton(AF_INET, "10.1.2.3", &sin.sin_addr), 1);
	assert_int_equal(netaddr_from_sockaddr(&a, (struct sockaddr *)&sin), 0);
	assert_int_equal(a.family, AF_INET);
	assert_string_equal(netaddr_format(&a, buf, sizeof(buf)), "10.1.2.3");

	memset(&sin6, 0, sizeof(sin6));
	sin6.sin6_family = AF_INET6;
	sin6.sin6_scope_id = 1;
	assert_int_equal(inet_pton(AF_INET6, "::ffff:10.1.2.3",
				   &sin6.sin6_addr), 1);
	assert_int_equal(netaddr_from_sockaddr(&a, (struct sockaddr *)&sin6),
			 0);
	/* Mapped stays IPv6; the scope is dropped. */
	assert_int_equal(a.family, AF_INET6);
	assert_string_equal(netaddr_format(&a, buf, sizeof(buf)),
			    "::ffff:10.1.2.3");

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	assert_int_equal(netaddr_from_sockaddr(&a, (struct sockaddr *)&sun),
			 -1);
	assert_false(netaddr_is_set(&a));
	assert_int_equal(netaddr_from_sockaddr(&a, NULL), -1);
}

static void
t_is_any_loopback(void **state)
{
	static const struct {
		const char *in;
		int any;
		int loopback;
	} cases[] = {
		{ "0.0.0.0", 1, 0 },
		{ "::", 1, 0 },
		{ "0.0.0.1", 0, 0 },
		{ "::ffff:0.0.0.0", 0, 0 },
		{ "127.0.0.1", 0, 1 },
		{ "127.255.255.254", 0, 1 },
		{ "126.255.255.255", 0, 0 },
		{ "128.0.0.1", 0, 0 },
		{ "::1", 0, 1 },
		{ "::2", 0, 0 },
		{ "::ffff:127.0.0.1", 0, 0 },
		{ "1.2.3.4", 0, 0 },
	};
	struct netaddr none;
	size_t i;

	for (i = 0; i < N(cases); i++) {
		struct netaddr a = mkaddr(cases[i].in);

		if (netaddr_is_any(&a) != cases[i].any)
			fail_msg("%s: is_any %d", cases[i].in, !cases[i].any);
		if (netaddr_is_loopback(&a) != cases[i].loopback)
			fail_msg("%s: is_loopback %d", cases[i].in,
				 !cases[i].loopback);
	}
	memset(&none, 0, sizeof(none));
	assert_false(netaddr_is_any(&none));
	assert_false(netaddr_is_loopback(&none));
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

static void
t_cidr_last(void **state)
{
	static const struct {
		const char *cidr;
		const char *last;
	} cases[] = {
		{ "241.0.0.0/8", "241.255.255.255" },
		{ "10.0.0.7/32", "10.0.0.7" },
		{ "10.0.0.0/31", "10.0.0.1" },
		{ "192.168.0.0/20", "192.168.15.255" },
		{ "0.0.0.0/0", "255.255.255.255" },
		{ "fd00::/120", "fd00::ff" },
		{ "fd00::/65", "fd00::7fff:ffff:ffff:ffff" },
		{ "::/0", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff" },
	};
	size_t i;

	for (i = 0; i < N(cases); i++) {
		struct netaddr_cidr c = mkpool(cases[i].cidr);
		struct netaddr last;
		char buf[64];

		netaddr_cidr_last(&c, &last);
		assert_string_equal(netaddr_format(&last, buf, sizeof(buf)),
				    cases[i].last);
		assert_true(netaddr_cidr_contains(&c, &last));
	}
}

static void
t_acl_match(void **state)
{
	static const struct {
		const char *addr;	/* as netaddr_port_parse() reads it */
		int match;
	} cases[] = {
		{ "10.1.2.3:5353", 1 },
		{ "10.255.255.255", 1 },
		{ "11.0.0.1", 0 },
		{ "9.255.255.255", 0 },
		{ "[::ffff:10.0.0.1]:53", 1 },	/* a dual-stack client */
		{ "::ffff:11.0.0.1", 0 },
		{ "[fd00::5]:1", 1 },
		{ "fd00::ffff:ffff:ffff:ffff", 1 },
		{ "fd00:0:0:1::1", 0 },
		{ "fe80::1", 0 },
		{ "::1", 0 },
		{ "127.0.0.1", 1 },
	};
	struct netaddr_cidr acl[3];
	struct sockaddr_un sun;
	size_t i;

	acl[0] = mkpool("10.0.0.0/8");
	acl[1] = mkpool("fd00::/64");
	acl[2] = mkpool("127.0.0.1/32");
	for (i = 0; i < N(cases); i++) {
		struct netaddr_port p;

		assert_int_equal(netaddr_port_parse(&p, cases[i].addr, 53, 0,
						    NULL, 0), 0);
		if (netaddr_acl_match(acl, N(acl),
				      (struct sockaddr *)&p.addr) !=
		    cases[i].match)
			fail_msg("%s: %d", cases[i].addr, !cases[i].match);
		/* An empty ACL lets nobody in. */
		assert_false(netaddr_acl_match(acl, 0,
					       (struct sockaddr *)&p.addr));
	}
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	assert_false(netaddr_acl_match(acl, N(acl), (struct sockaddr *)&sun));
	acl[0] = mkpool("0.0.0.0/0");
	assert_false(netaddr_acl_match(acl, 1, (struct sockaddr *)&sun));
	assert_false(netaddr_acl_match(acl, 1, NULL));
}

/* ADDR[:PORT] */

static void
t_port_parse_ok(void **state)
{
	static const struct {
		const char *in;
		unsigned flags;
		const char *canon;	/* with default port 53 */
		int family;
		unsigned port;
	} cases[] = {
		{ "1.2.3.4", 0, "1.2.3.4:53", AF_INET, 53 },
		{ "1.2.3.4:1", 0, "1.2.3.4:1", AF_INET, 1 },
		{ "1.2.3.4:65535", 0, "1.2.3.4:65535", AF_INET, 65535 },
		{ "1.2.3.4:000053", 0, "1.2.3.4:53", AF_INET, 53 },
		{ "0.0.0.0:15053", 0, "0.0.0.0:15053", AF_INET, 15053 },
		{ "::1", 0, "[::1]:53", AF_INET6, 53 },
		{ "fd00::1:53", 0, "[fd00::1:53]:53", AF_INET6, 53 },
		{ "[::1]", 0, "[::1]:53", AF_INET6, 53 },
		{ "[::]:1", 0, "[::]:1", AF_INET6, 1 },
		{ "[FD00:0::1]:65535", 0, "[fd00::1]:65535", AF_INET6, 65535 },
		{ "[::ffff:1.2.3.4]:5353", 0, "[::ffff:1.2.3.4]:5353", AF_INET6,
		  5353 },
		{ "1.2.3.4:53", NETADDR_PORT_SCOPE, "1.2.3.4:53", AF_INET, 53 },
		{ "[::1]:5353", NETADDR_PORT_SCOPE, "[::1]:5353", AF_INET6,
		  5353 },
		{ "fd00::1", NETADDR_PORT_SCOPE, "[fd00::1]:53", AF_INET6, 53 },
	};
	size_t i;

	for (i = 0; i < N(cases); i++) {
		struct netaddr_port p;
		struct netaddr_port q;
		char buf[NETADDR_PORT_STRLEN];
		char err[256] = "";

		if (netaddr_port_parse(&p, cases[i].in, 53, cases[i].flags, err,
				       sizeof(err)) != 0)
			fail_msg("%s: %s", cases[i].in, err);
		assert_string_equal(err, "");
		assert_int_equal(p.addr.ss_family, cases[i].family);
		assert_int_equal(p.addrlen, cases[i].family == AF_INET ?
				 sizeof(struct sockaddr_in) :
				 sizeof(struct sockaddr_in6));
		assert_int_equal(netaddr_port_number(&p), cases[i].port);
		assert_string_equal(netaddr_port_format(&p, buf, sizeof(buf)),
				    cases[i].canon);
		/* The canonical text reads back as the same address. */
		assert_int_equal(netaddr_port_parse(&q, buf, 7, 0, NULL, 0), 0);
		assert_int_equal(q.addrlen, p.addrlen);
		assert_memory_equal(&q.addr, &p.addr, p.addrlen);
	}
}

static void
t_port_parse_default(void **state)
{
	struct netaddr_port p;

	assert_int_equal(netaddr_port_parse(&p, "1.2.3.4", 15053, 0, NULL, 0),
			 0);
	assert_int_equal(netaddr_port_number(&p), 15053);
	assert_int_equal(netaddr_port_parse(&p, "[::1]", 1, 0, NULL, 0), 0);
	assert_int_equal(netaddr_port_number(&p), 1);
	/* A port in the text beats the default. */
	assert_int_equal(netaddr_port_parse(&p, "[::1]:2", 1, 0, NULL, 0), 0);
	assert_int_equal(netaddr_port_number(&p), 2);
}

static void
t_port_parse_errors(void **state)
{
	static const struct {
		const char *in;
		unsigned flags;
		int rc;
	} cases[] = {
		{ "", 0, NETADDR_PORT_NO_ADDRESS },
		{ ":53", 0, NETADDR_PORT_NO_ADDRESS },
		{ "[]", 0, NETADDR_PORT_NO_ADDRESS },
		{ "[]:53", 0, NETADDR_PORT_NO_ADDRESS },
		{ "1.2.3.4:0", 0, NETADDR_PORT_PORT_RANGE },
		{ "1.2.3.4:65536", 0, NETADDR_PORT_PORT_RANGE },
		{ "1.2.3.4:99999", 0, NETADDR_PORT_PORT_RANGE },
		{ "[::1]:0", 0, NETADDR_PORT_PORT_RANGE },
		{ "[::1]:65536", 0, NETADDR_PORT_PORT_RANGE },
		{ "1.2.3.4:1000000", 0, NETADDR_PORT_BAD_PORT },
		{ "1.2.3.4:", 0, NETADDR_PORT_BAD_PORT },
		{ "1.2.3.4:+53", 0, NETADDR_PORT_BAD_PORT },
		{ "1.2.3.4:-1", 0, NETADDR_PORT_BAD_PORT },
		{ "1.2.3.4:53 ", 0, NETADDR_PORT_BAD_PORT },
		{ "1.2.3.4:dns", 0, NETADDR_PORT_BAD_PORT },
		{ "[::1]:", 0, NETADDR_PORT_BAD_PORT },
		{ "[::1", 0, NETADDR_PORT_NO_BRACKET },
		{ "[", 0, NETADDR_PORT_NO_BRACKET },
		{ "[::1]53", 0, NETADDR_PORT_AFTER_BRACKET },
		{ "[::1]x", 0, NETADDR_PORT_AFTER_BRACKET },
		{ "[[::1]]:53", 0, NETADDR_PORT_AFTER_BRACKET },
		{ "[1.2.3.4]:53", 0, NETADDR_PORT_NOT_IPV6 },
		{ "[1.2.3.4]:53", NETADDR_PORT_SCOPE, NETADDR_PORT_NOT_IPV6 },
		{ "[localhost]", 0, NETADDR_PORT_NOT_IPV6 },
		{ "::1::2", 0, NETADDR_PORT_NOT_IPV6 },
		{ "fe80::1%1", 0, NETADDR_PORT_NOT_IPV6 },
		{ "[fe80::1%1]:53", 0, NETADDR_PORT_NOT_IPV6 },
		{ "[fe80::1%nosuch0]:53", NETADDR_PORT_SCOPE,
		  NETADDR_PORT_BAD_SCOPE },
		{ "fe80::1%", NETADDR_PORT_SCOPE, NETADDR_PORT_BAD_SCOPE },
		{ "fe80::x%1", NETADDR_PORT_SCOPE, NETADDR_PORT_NOT_IPV6 },
		{ "1.2.3.4]:53", 0, NETADDR_PORT_NOT_ADDRESS },
		{ "localhost:53", 0, NETADDR_PORT_NOT_ADDRESS },
		{ "localhost", NETADDR_PORT_SCOPE, NETADDR_PORT_NOT_ADDRESS },
		{ "127.1", 0, NETADDR_PORT_NOT_ADDRESS },
		{ "1.2.3:53", 0, NETADDR_PORT_NOT_ADDRESS },
		{ " 1.2.3.4", 0, NETADDR_PORT_NOT_ADDRESS },
		{ "11111111111111111111111111111111111111111111111111111111111"
		  "1111111:53", 0, NETADDR_PORT_NOT_ADDRESS },
		{ "[1111:1111:1111:1111:1111:1111:1111:1111:1111:1111:1111:1111"
		  ":1111]:53", NETADDR_PORT_SCOPE, NETADDR_PORT_NOT_IPV6 },
	};
	size_t i;

	for (i = 0; i < N(cases); i++) {
		struct netaddr_port p;
		int rc;

		memset(&p, 0x5a, sizeof(p));
		rc = netaddr_port_parse(&p, cases[i].in, 53, cases[i].flags,
					NULL, 0);
		if (rc != cases[i].rc)
			fail_msg("%s: %d, not %d", cases[i].in, rc,
				 cases[i].rc);
		/* Zeroed on failure. */
		assert_int_equal(p.addrlen, 0);
		assert_int_equal(p.addr.ss_family, 0);
	}
}

static void
t_port_parse_messages(void **state)
{
	static const struct {
		const char *in;
		const char *err;
	} cases[] = {
		{ "[::1", "(no closing \"]\")" },
		{ "[::1]53", "(only \":PORT\" may follow \"]\")" },
		{ ":53", "(the address is missing)" },
		{ "1.2.3.4:x", "(the port is not a number)" },
		{ "1.2.3.4:0", "(the port must be 1 to 65535)" },
		{ "[1.2.3.4]", "(not an IPv6 address)" },
		{ "1.2.3", "(not a numeric IPv4 or IPv6 address)" },
		{ "a\"b\tc", "(not a numeric IPv4 or IPv6 address)" },
	};
	size_t i;

	for (i = 0; i < N(cases); i++) {
		struct netaddr_port p;
		char err[256];
		char q[64];
		char want[256];

		assert_true(netaddr_port_parse(&p, cases[i].in, 53, 0, err,
					       sizeof(err)) < 0);
		snprintf(want, sizeof(want), "expected ADDRESS[:PORT] or "
			 "[IPV6]:PORT, got %s %s",
			 diag_quote(cases[i].in, q, sizeof(q)), cases[i].err);
		assert_string_equal(err, want);
	}
	{
		struct netaddr_port p;
		char err[256];

		/* The text quoted as config's other messages; NULL is "". */
		assert_int_equal(netaddr_port_parse(&p, "a\"b\tc", 53, 0, err,
						    sizeof(err)),
				 NETADDR_PORT_NOT_ADDRESS);
		assert_string_equal(err, "expected ADDRESS[:PORT] or "
				    "[IPV6]:PORT, got \"a\\\"b\\x09c\" (not a "
				    "numeric IPv4 or IPv6 address)");
		assert_int_equal(netaddr_port_parse(&p, NULL, 53, 0, err,
						    sizeof(err)),
				 NETADDR_PORT_NO_ADDRESS);
		assert_string_equal(err, "expected ADDRESS[:PORT] or "
				    "[IPV6]:PORT, got \"\" (the address is "
				    "missing)");
	}
}

static void
t_port_scope(void **state)
{
	static const char *const ins[] = { "fe80::1%1", "[fe80::1%1]:5353" };
	char lo[IF_NAMESIZE];
	size_t i;

	for (i = 0; i < N(ins); i++) {
		struct netaddr_port p;
		struct netaddr_port q;
		char buf[NETADDR_PORT_STRLEN];

		assert_int_equal(netaddr_port_parse(&p, ins[i], 53,
						    NETADDR_PORT_SCOPE, NULL,
						    0), 0);
		assert_int_equal(p.addr.ss_family, AF_INET6);
		assert_int_equal(((struct sockaddr_in6 *)&p.addr)
				 ->sin6_scope_id, 1);
		assert_int_equal(netaddr_port_number(&p), i == 0 ? 53 : 5353);
		/* The text has the scope, and reads back the same. */
		netaddr_port_format(&p, buf, sizeof(buf));
		assert_non_null(strchr(buf, '%'));
		assert_int_equal(netaddr_port_parse(&q, buf, 1,
						    NETADDR_PORT_SCOPE, NULL,
						    0), 0);
		assert_memory_equal(&q.addr, &p.addr, p.addrlen);
	}
	/* A scope by interface name, when interface 1 has one. */
	if (if_indextoname(1, lo) != NULL) {
		struct netaddr_port p;
		char in[64];

		snprintf(in, sizeof(in), "[fe80::2%%%s]:53", lo);
		assert_int_equal(netaddr_port_parse(&p, in, 53,
						    NETADDR_PORT_SCOPE, NULL,
						    0), 0);
		assert_int_equal(((struct sockaddr_in6 *)&p.addr)
				 ->sin6_scope_id, 1);
	}
}

static void
t_port_format(void **state)
{
	struct netaddr_port p;
	char buf[NETADDR_PORT_STRLEN];
	char small[8];

	memset(&p, 0, sizeof(p));
	assert_string_equal(netaddr_port_format(&p, buf, sizeof(buf)), "?");
	assert_int_equal(netaddr_port_number(&p), 0);
	assert_int_equal(netaddr_port_parse(&p, "[::1]:53", 1, 0, NULL, 0), 0);
	/* Cut to the buffer, still a string. */
	assert_string_equal(netaddr_port_format(&p, small, sizeof(small)),
			    "[::1]:5");
}

/* resolv.conf */

static char *
write_file(const char *text)
{
	char *path = malloc(256);
	int fd;

	assert_non_null(path);
	assert_int_equal(test_tmpname(path, 256, "test_netaddr_resolv"), 0);
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	return path;
}

static void
own_addr(struct netaddr_port *l, const char *addr)
{
	assert_int_equal(netaddr_port_parse(l, addr, 53, NETADDR_PORT_SCOPE,
					     NULL, 0), 0);
}

static const char resolv_text[] =
	"# generated\n"
	"; nameserver 127.0.0.9\n"
	"search example.org\n"
	"nameserver 127.0.0.1\n"
	"nameserver ::1   # words after the address are ignored\n"
	"nameserver 127.0.0.2\n"
	"nameserver  bogus\n"
	"nameserver\n"
	"nameserverx 127.0.0.3\n"
	"options ndots:5\n"
	"\tnameserver 127.0.0.4\n"
	"nameserver 127.0.0.1\n"
	"nameserver\t127.0.0.53";

static void
check_resolv(const char *const *own_in, size_t nown,
	     const char *const *want, size_t nwant,
	     const char *const *warn, size_t nwarn)
{
	struct netaddr_port own[4];
	struct netaddr_port *ups = NULL;
	struct diag_list w;
	char *path = write_file(resolv_text);
	size_t n = 99;
	size_t i;

	diag_list_init(&w);
	for (i = 0; i < nown; i++)
		own_addr(&own[i], own_in[i]);
	assert_int_equal(netaddr_resolv_conf_load(&ups, &n, path, 53, own,
						  nown, &w), 0);
	assert_int_equal(n, nwant);
	for (i = 0; i < n; i++) {
		char buf[64];

		assert_string_equal(netaddr_port_format(&ups[i], buf,
							sizeof(buf)),
				    want[i]);
	}
	assert_int_equal(w.n, nwarn);
	for (i = 0; i < w.n; i++) {
		char buf[256];
		char exp[256];

		snprintf(exp, sizeof(exp), "%s:%s", path, warn[i]);
		assert_string_equal(diag_format(&w.v[i], buf, sizeof(buf)),
				    exp);
	}
	assert_int_equal(w.errors, 0);
	diag_list_clear(&w);
	free(ups);
	unlink(path);
	free(path);
}

static void
test_resolv_conf(void **state)
{
	static const char *const own_in[] = { "127.0.0.2:53", "[::]:15053" };
	static const char *const want[] = { "127.0.0.1:53", "[::1]:53",
					    "127.0.0.4:53", "127.0.0.53:53" };
	static const char *const warn[] = {
		"6:12: warning: nameserver 127.0.0.2:53 is meshdns itself "
		"(listen 127.0.0.2:53), skipped",
		"7:13: warning: bad nameserver address 'bogus', skipped",
		"8:1: warning: nameserver without an address, skipped",
		"12:12: warning: nameserver 127.0.0.1:53 repeated, skipped",
	};

	check_resolv(own_in, 2, want, 4, warn, 4);
}

static void
test_resolv_conf_wildcard_listen(void **state)
{
	static const char *const own_in[] = { "0.0.0.0:53" };
	static const char *const want[] = { "[::1]:53" };
	static const char *const warn[] = {
		"4:12: warning: nameserver 127.0.0.1:53 is meshdns itself "
		"(listen 0.0.0.0:53), skipped",
		"6:12: warning: nameserver 127.0.0.2:53 is meshdns itself "
		"(listen 0.0.0.0:53), skipped",
		"7:13: warning: bad nameserver address 'bogus', skipped",
		"8:1: warning: nameserver without an address, skipped",
		"11:13: warning: nameserver 127.0.0.4:53 is meshdns itself "
		"(listen 0.0.0.0:53), skipped",
		"12:12: warning: nameserver 127.0.0.1:53 is meshdns itself "
		"(listen 0.0.0.0:53), skipped",
		"13:12: warning: nameserver 127.0.0.53:53 is meshdns itself "
		"(listen 0.0.0.0:53), skipped",
	};
	static const char *const own6_in[] = { "[::]:53" };
	static const char *const want6[] = { "127.0.0.1:53", "127.0.0.2:53",
					     "127.0.0.4:53", "127.0.0.53:53" };
	static const char *const warn6[] = {
		"5:12: warning: nameserver [::1]:53 is meshdns itself "
		"(listen [::]:53), skipped",
		"7:13: warning: bad nameserver address 'bogus', skipped",
		"8:1: warning: nameserver without an address, skipped",
		"12:12: warning: nameserver 127.0.0.1:53 repeated, skipped",
	};

	check_resolv(own_in, 1, want, 1, warn, 7);
	check_resolv(own6_in, 1, want6, 4, warn6, 4);
}

static void
test_resolv_conf_unreadable(void **state)
{
	struct netaddr_port *ups = NULL;
	struct diag_list w;
	size_t n = 99;
	char *path = write_file("search example.org\n");

	diag_list_init(&w);
	assert_int_equal(netaddr_resolv_conf_load(&ups, &n,
						  "/nonexistent/resolv.conf",
						  53, NULL, 0, &w), -ENOENT);
	assert_null(ups);
	assert_int_equal(n, 0);
	assert_int_equal(w.n, 0);
	/* No nameserver at all is not an error, and NULL warnings do. */
	assert_int_equal(netaddr_resolv_conf_load(&ups, &n, path, 53, NULL,
						  0, NULL), 0);
	assert_null(ups);
	assert_int_equal(n, 0);
	unlink(path);
	free(path);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(t_addr_parse),
		cmocka_unit_test(t_addr_equal),
		cmocka_unit_test(t_addr_is_set),
		cmocka_unit_test(t_addr_cmp),
		cmocka_unit_test(t_is_ip),
		cmocka_unit_test(t_from_sockaddr),
		cmocka_unit_test(t_is_any_loopback),
		cmocka_unit_test(t_pool_parse_ok),
		cmocka_unit_test(t_pool_parse_errors),
		cmocka_unit_test(t_pool_contains),
		cmocka_unit_test(t_cidr_last),
		cmocka_unit_test(t_acl_match),
		cmocka_unit_test(t_port_parse_ok),
		cmocka_unit_test(t_port_parse_default),
		cmocka_unit_test(t_port_parse_errors),
		cmocka_unit_test(t_port_parse_messages),
		cmocka_unit_test(t_port_scope),
		cmocka_unit_test(t_port_format),
		cmocka_unit_test(test_resolv_conf),
		cmocka_unit_test(test_resolv_conf_wildcard_listen),
		cmocka_unit_test(test_resolv_conf_unreadable),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
