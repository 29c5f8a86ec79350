/* SPDX-License-Identifier: MIT */
/* netaddr.c -- IP addresses and CIDRs. */
#include "autoconfig.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <stdio.h>
#include <string.h>

#include "util/diag.h"
#include "util/netaddr.h"

/* Addresses */

static size_t
addr_len(const struct netaddr *a)
{
	return a->family == AF_INET ? 4 : 16;
}

static int
family_ok(int family)
{
	return family == AF_INET || family == AF_INET6;
}

/* The netmask byte @i of a /@prefix. */
static uint8_t
mask_byte(unsigned prefix, size_t i)
{
	unsigned bits;

	if (prefix >= 8 * (i + 1))
		return 0xff;
	if (prefix <= 8 * i)
		return 0;
	bits = prefix - 8 * (unsigned)i;
	return (uint8_t)(0xff << (8 - bits));
}

int
netaddr_cmp(const struct netaddr *a, const struct netaddr *b)
{
	if (a->family != b->family)
		return a->family == AF_INET ? -1 : 1;
	return memcmp(a->b, b->b, addr_len(a));
}

int
netaddr_parse(struct netaddr *out, const char *text)
{
	struct netaddr a;

	memset(&a, 0, sizeof(a));
	if (text == NULL)
		return -1;
	/* Anything with a colon is IPv6, IPv4-mapped text included. */
	a.family = strchr(text, ':') != NULL ? AF_INET6 : AF_INET;
	if (inet_pton(a.family, text, a.b) != 1)
		return -1;
	*out = a;
	return 0;
}

const char *
netaddr_format(const struct netaddr *a, char *buf, size_t size)
{
	if (size == 0)
		return buf;
	if (!family_ok(a->family) ||
	    inet_ntop(a->family, a->b, buf, (socklen_t)size) == NULL)
		snprintf(buf, size, "?");
	return buf;
}

int
netaddr_is_set(const struct netaddr *a)
{
	return family_ok(a->family);
}

int
netaddr_equal(const struct netaddr *a, const struct netaddr *b)
{
	return a->family == b->family &&
	       memcmp(a->b, b->b, addr_len(a)) == 0;
}

/* Pools */

int
netaddr_cidr_parse(struct netaddr_cidr *out, const char *cidr, char *err,
		   size_t errsize)
{
	struct netaddr_cidr p;
	char host[64];
	char buf[INET6_ADDRSTRLEN];
	const char *slash = NULL;
	const char *d = NULL;
	unsigned long prefix = 0;
	unsigned max;
	size_t hl;
	size_t i;
	int hostbits = 0;

	memset(&p, 0, sizeof(p));
	if (cidr == NULL || *cidr == '\0') {
		diag_printf(err, errsize, "empty CIDR (expected an address/prefix "
		       "such as 241.0.0.0/8)");
		return -1;
	}
	if ((slash = strchr(cidr, '/')) == NULL) {
		diag_printf(err, errsize,
		       "%s is not a CIDR: the \"/prefix\" is missing", cidr);
		return -1;
	}
	hl = (size_t)(slash - cidr);
	if (hl >= sizeof(host))
		hl = sizeof(host) - 1;	/* too long to be an address anyway */
	memcpy(host, cidr, hl);
	host[hl] = '\0';
	if (netaddr_parse(&p.base, host) < 0 ||
	    (size_t)(slash - cidr) != hl) {
		diag_printf(err, errsize, "%s: \"%.*s\" is not an IPv4 or IPv6 "
		       "address", cidr, (int)(slash - cidr), cidr);
		return -1;
	}
	max = p.base.family == AF_INET ? 32 : 128;
	if (slash[1] == '\0') {
		diag_printf(err, errsize, "%s: the prefix length after \"/\" is "
		       "missing", cidr);
		return -1;
	}
	for (d = slash + 1; *d != '\0'; d++) {
		if (*d < '0' || *d > '9') {
			diag_printf(err, errsize, "%s: prefix length \"%s\" is not "
			       "a number", cidr, slash + 1);
			return -1;
		}
		if (prefix <= max)
			prefix = prefix * 10 + (unsigned long)(*d - '0');
	}
	if (prefix > max) {
		diag_printf(err, errsize, "%s: prefix length %s is out of range "
		       "(%s: 0 to %u)", cidr, slash + 1,
		       max == 32 ? "IPv4" : "IPv6", max);
		return -1;
	}
	p.prefix = (unsigned)prefix;
	for (i = 0; i < addr_len(&p.base); i++) {
		uint8_t m = mask_byte(p.prefix, i);

		if (p.base.b[i] & (uint8_t)~m)
			hostbits = 1;
		p.base.b[i] &= m;
	}
	netaddr_format(&p.base, buf, sizeof(buf));
	snprintf(p.text, sizeof(p.text), "%s/%u", buf, p.prefix);
	if (hostbits) {
		diag_printf(err, errsize, "%s has host bits set; the network is %s",
		       cidr, p.text);
		return -1;
	}
	*out = p;
	return 0;
}

int
netaddr_cidr_contains(const struct netaddr_cidr *pool, const struct netaddr *a)
{
	size_t i;

	if (a->family != pool->base.family)
		return 0;
	for (i = 0; i < addr_len(a); i++)
		if ((a->b[i] & mask_byte(pool->prefix, i)) != pool->base.b[i])
			return 0;
	return 1;
}

/* Socket addresses */

const char *
netaddr_port_format(const struct netaddr_port *up, char *buf, size_t size)
{
	char host[NI_MAXHOST];
	char port[NI_MAXSERV];

	if (getnameinfo((const struct sockaddr *)&up->addr, up->addrlen, host,
			sizeof(host), port, sizeof(port),
			NI_NUMERICHOST | NI_NUMERICSERV) != 0) {
		snprintf(buf, size, "?");
		return buf;
	}
	if (up->addr.ss_family == AF_INET6)
		snprintf(buf, size, "[%s]:%s", host, port);
	else
		snprintf(buf, size, "%s:%s", host, port);
	return buf;
}
