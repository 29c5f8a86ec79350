/* SPDX-License-Identifier: MIT */
/* netaddr.c -- IP addresses, ADDR[:PORT], CIDRs, ACLs and resolv.conf. */
#include "autoconfig.h"

#include <arpa/inet.h>
#include <errno.h>
#include <ifaddrs.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
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

int
netaddr_is_ip(const char *text)
{
	struct netaddr a;

	return netaddr_parse(&a, text) == 0;
}

int
netaddr_from_sockaddr(struct netaddr *out, const struct sockaddr *sa)
{
	memset(out, 0, sizeof(*out));
	if (sa == NULL)
		return -1;
	if (sa->sa_family == AF_INET) {
		out->family = AF_INET;
		memcpy(out->b, &((const struct sockaddr_in *)(const void *)sa)
		       ->sin_addr, 4);
		return 0;
	}
	if (sa->sa_family == AF_INET6) {
		out->family = AF_INET6;
		memcpy(out->b, &((const struct sockaddr_in6 *)(const void *)sa)
		       ->sin6_addr, 16);
		return 0;
	}
	return -1;
}

int
netaddr_is_any(const struct netaddr *a)
{
	static const uint8_t zero[16];

	return family_ok(a->family) && memcmp(a->b, zero, addr_len(a)) == 0;
}

int
netaddr_is_loopback(const struct netaddr *a)
{
	static const uint8_t one[16] = { [15] = 1 };

	if (a->family == AF_INET)
		return a->b[0] == 127;
	return a->family == AF_INET6 && memcmp(a->b, one, 16) == 0;
}

/* CIDRs and ACLs */

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

void
netaddr_cidr_last(const struct netaddr_cidr *cidr, struct netaddr *out)
{
	size_t i;

	*out = cidr->base;
	for (i = 0; i < addr_len(out); i++)
		out->b[i] |= (uint8_t)~mask_byte(cidr->prefix, i);
}

int
netaddr_acl_match(const struct netaddr_cidr *acl, size_t n,
		  const struct sockaddr *sa)
{
	static const uint8_t mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
					    0xff, 0xff };
	struct netaddr a;
	size_t i;

	if (netaddr_from_sockaddr(&a, sa) < 0)
		return 0;
	/* A client of a dual-stack socket: ::ffff:10.0.0.1 is 10.0.0.1. */
	if (a.family == AF_INET6 && memcmp(a.b, mapped, 12) == 0) {
		a.family = AF_INET;
		memmove(a.b, a.b + 12, 4);
		memset(a.b + 4, 0, 12);
	}
	for (i = 0; i < n; i++)
		if (netaddr_cidr_contains(&acl[i], &a))
			return 1;
	return 0;
}

/* Socket addresses */

/* The message's "(REASON)" for an enum netaddr_port_error. */
static const char *
port_error_reason(int rc)
{
	switch (rc) {
	case NETADDR_PORT_NO_BRACKET:
		return "no closing \"]\"";
	case NETADDR_PORT_AFTER_BRACKET:
		return "only \":PORT\" may follow \"]\"";
	case NETADDR_PORT_NO_ADDRESS:
		return "the address is missing";
	case NETADDR_PORT_BAD_PORT:
		return "the port is not a number";
	case NETADDR_PORT_PORT_RANGE:
		return "the port must be 1 to 65535";
	case NETADDR_PORT_NOT_IPV6:
		return "not an IPv6 address";
	case NETADDR_PORT_BAD_SCOPE:
		return "the scope after \"%\" is no interface of this host";
	default:
		return "not a numeric IPv4 or IPv6 address";
	}
}

/*
 * The address part, @v6 when it was in brackets or has a colon: IPv4
 * through inet_pton (no "127.1" shorthand); IPv6 through inet_pton, or
 * through getaddrinfo for the scope ("fe80::1%eth0") with
 * NETADDR_PORT_SCOPE.  Numeric only, nothing is looked up.  0, or
 * NETADDR_PORT_NOT_IPV6, NETADDR_PORT_NOT_ADDRESS or (an address before
 * the "%" but an unknown interface after it) NETADDR_PORT_BAD_SCOPE.
 */
static int
parse_host(struct netaddr_port *out, const char *host, int v6,
	   uint16_t port, unsigned flags)
{
	struct sockaddr_in *sin = (struct sockaddr_in *)&out->addr;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&out->addr;
	struct addrinfo hints;
	struct addrinfo *res = NULL;
	int rc = NETADDR_PORT_NOT_IPV6;

	memset(out, 0, sizeof(*out));
	if (!v6) {
		if (inet_pton(AF_INET, host, &sin->sin_addr) != 1)
			return NETADDR_PORT_NOT_ADDRESS;
		sin->sin_family = AF_INET;
		sin->sin_port = htons(port);
		out->addrlen = sizeof(*sin);
		return 0;
	}
	/* Brackets are for IPv6 only. */
	if (strchr(host, ':') == NULL)
		return rc;
	if (!(flags & NETADDR_PORT_SCOPE)) {
		if (inet_pton(AF_INET6, host, &sin6->sin6_addr) != 1)
			return rc;
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(port);
		out->addrlen = sizeof(*sin6);
		return 0;
	}
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_INET6;
	hints.ai_socktype = SOCK_DGRAM;
	hints.ai_flags = AI_NUMERICHOST;
	if (getaddrinfo(host, NULL, &hints, &res) != 0 || res == NULL ||
	    res->ai_addrlen != sizeof(struct sockaddr_in6)) {
		char addr[INET6_ADDRSTRLEN];
		const char *pct = strchr(host, '%');

		if (pct != NULL && (size_t)(pct - host) < sizeof(addr)) {
			memcpy(addr, host, (size_t)(pct - host));
			addr[pct - host] = '\0';
			if (inet_pton(AF_INET6, addr, &sin6->sin6_addr) == 1)
				rc = NETADDR_PORT_BAD_SCOPE;
			memset(&sin6->sin6_addr, 0, sizeof(sin6->sin6_addr));
		}
		goto out;
	}
	memcpy(&out->addr, res->ai_addr, res->ai_addrlen);
	sin6->sin6_port = htons(port);
	out->addrlen = res->ai_addrlen;
	rc = 0;
out:
	if (res != NULL)
		freeaddrinfo(res);
	return rc;
}

int
netaddr_port_parse(struct netaddr_port *out, const char *text,
		   unsigned default_port, unsigned flags, char *err,
		   size_t errsize)
{
	char host[INET6_ADDRSTRLEN + IF_NAMESIZE + 2];
	char q[128];
	const char *hstart = NULL;
	const char *hend = NULL;
	const char *port = NULL;
	const char *colon = NULL;
	const char *p = NULL;
	unsigned long portnum = default_port;
	size_t hostlen;
	int v6;
	int rc;

	memset(out, 0, sizeof(*out));
	if (text == NULL)
		text = "";
	hstart = text;
	if (text[0] == '[') {
		/* [V6] or [V6]:PORT */
		v6 = 1;
		hstart = text + 1;
		hend = strchr(hstart, ']');
		if (hend == NULL) {
			rc = NETADDR_PORT_NO_BRACKET;
			goto out;
		}
		if (hend[1] == ':') {
			port = hend + 2;
		} else if (hend[1] != '\0') {
			rc = NETADDR_PORT_AFTER_BRACKET;
			goto out;
		}
	} else {
		/* Two colons or more: a bare IPv6 address, without port. */
		colon = strchr(text, ':');
		v6 = colon != NULL && strchr(colon + 1, ':') != NULL;
		if (colon != NULL && !v6) {
			hend = colon;
			port = colon + 1;
		} else {
			hend = text + strlen(text);
		}
	}
	hostlen = (size_t)(hend - hstart);
	if (hostlen == 0) {
		rc = NETADDR_PORT_NO_ADDRESS;
		goto out;
	}
	if (port != NULL) {
		portnum = 0;
		for (p = port; *p >= '0' && *p <= '9' && p - port < 6; p++)
			portnum = portnum * 10 + (unsigned long)(*p - '0');
		if (p == port || *p != '\0') {
			rc = NETADDR_PORT_BAD_PORT;
			goto out;
		}
		if (portnum < 1 || portnum > 65535) {
			rc = NETADDR_PORT_PORT_RANGE;
			goto out;
		}
	}
	if (hostlen >= sizeof(host)) {
		/* Too long to be an address. */
		rc = v6 ? NETADDR_PORT_NOT_IPV6 : NETADDR_PORT_NOT_ADDRESS;
		goto out;
	}
	memcpy(host, hstart, hostlen);
	host[hostlen] = '\0';
	rc = parse_host(out, host, v6, (uint16_t)portnum, flags);
out:
	if (rc < 0) {
		memset(out, 0, sizeof(*out));
		diag_printf(err, errsize, "expected ADDRESS[:PORT] or "
			    "[IPV6]:PORT, got %s (%s)",
			    diag_quote(text, q, sizeof(q)),
			    port_error_reason(rc));
	}
	return rc;
}

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

unsigned
netaddr_port_number(const struct netaddr_port *p)
{
	if (p->addr.ss_family == AF_INET)
		return ntohs(((const struct sockaddr_in *)&p->addr)->sin_port);
	if (p->addr.ss_family == AF_INET6)
		return ntohs(((const struct sockaddr_in6 *)&p->addr)
			     ->sin6_port);
	return 0;
}

/* resolv.conf */

/* Same address (not port) as the interface address @sa (may be NULL). */
static int
same_addr(const struct netaddr *a, const struct sockaddr *sa)
{
	struct netaddr b;

	return netaddr_from_sockaddr(&b, sa) == 0 && netaddr_equal(a, &b);
}

/* Returns the index of the own address @up is, or -1. */
static int
own_index(const struct netaddr_port *up, const struct netaddr_port *own,
	  size_t nown, struct ifaddrs **ifs, int *ifs_tried)
{
	struct netaddr a;
	struct netaddr l;
	size_t i;

	if (netaddr_from_sockaddr(&a, (const struct sockaddr *)&up->addr) < 0)
		return -1;
	for (i = 0; i < nown; i++) {
		const struct ifaddrs *it = NULL;

		if (own[i].addr.ss_family != up->addr.ss_family ||
		    netaddr_port_number(&own[i]) != netaddr_port_number(up) ||
		    netaddr_from_sockaddr(&l, (const struct sockaddr *)
					  &own[i].addr) < 0)
			continue;
		if (netaddr_equal(&l, &a))
			return (int)i;
		if (!netaddr_is_any(&l))
			continue;
		if (netaddr_is_loopback(&a))
			return (int)i;
		if (!*ifs_tried) {
			*ifs_tried = 1;
			if (getifaddrs(ifs) < 0)
				*ifs = NULL;
		}
		for (it = *ifs; it != NULL; it = it->ifa_next)
			if (same_addr(&a, it->ifa_addr))
				return (int)i;
	}
	return -1;
}

static int
is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' ||
	       c == '\v';
}

int
netaddr_resolv_conf_load(struct netaddr_port **out, size_t *n,
			 const char *path, unsigned port,
			 const struct netaddr_port *own, size_t nown,
			 struct diag_list *warnings)
{
	static const char kw[] = "nameserver";
	struct netaddr_port *v = NULL;
	struct ifaddrs *ifs = NULL;
	int ifs_tried = 0;
	size_t nv = 0;
	size_t cap = 0;
	char *line = NULL;
	size_t linecap = 0;
	FILE *fp = NULL;
	int lineno = 0;
	int rc = 0;

	*out = NULL;
	*n = 0;
	if ((fp = fopen(path, "re")) == NULL) {
		rc = -errno;
		goto out;
	}
	while (getline(&line, &linecap, fp) >= 0) {
		struct netaddr_port up;
		char text[NETADDR_PORT_STRLEN];
		char ltext[NETADDR_PORT_STRLEN];
		char *s = line;
		char *a = NULL;
		size_t alen;
		size_t i;
		int dup = 0;
		int k;

		lineno++;
		while (is_space(*s))
			s++;
		if (strncmp(s, kw, sizeof(kw) - 1) != 0 ||
		    (!is_space(s[sizeof(kw) - 1]) && s[sizeof(kw) - 1] != '\0'))
			continue;
		a = s + sizeof(kw) - 1;
		while (is_space(*a))
			a++;
		for (alen = 0; a[alen] != '\0' && !is_space(a[alen]); alen++)
			;
		if (alen == 0) {
			if (warnings != NULL)
				diag_warning(warnings, path, lineno,
					     (int)(s - line) + 1,
					     "nameserver without an address, "
					     "skipped");
			continue;
		}
		a[alen] = '\0';
		if (parse_host(&up, a, strchr(a, ':') != NULL, (uint16_t)port,
			       NETADDR_PORT_SCOPE) < 0) {
			if (warnings != NULL)
				diag_warning(warnings, path, lineno,
					     (int)(a - line) + 1,
					     "bad nameserver address '%s', "
					     "skipped", a);
			continue;
		}
		netaddr_port_format(&up, text, sizeof(text));
		if ((k = own_index(&up, own, nown, &ifs, &ifs_tried)) >= 0) {
			netaddr_port_format(&own[k], ltext, sizeof(ltext));
			if (warnings != NULL)
				diag_warning(warnings, path, lineno,
					     (int)(a - line) + 1,
					     "nameserver %s is meshdns itself "
					     "(listen %s), skipped", text,
					     ltext);
			continue;
		}
		for (i = 0; i < nv; i++)
			if (v[i].addrlen == up.addrlen &&
			    memcmp(&v[i].addr, &up.addr, up.addrlen) == 0)
				dup = 1;
		if (dup) {
			if (warnings != NULL)
				diag_warning(warnings, path, lineno,
					     (int)(a - line) + 1,
					     "nameserver %s repeated, skipped",
					     text);
			continue;
		}
		if (nv == cap) {
			size_t ncap = cap ? cap * 2 : 4;
			struct netaddr_port *nvp =
				realloc(v, ncap * sizeof(*v));

			if (nvp == NULL) {
				rc = -ENOMEM;
				goto out;
			}
			v = nvp;
			cap = ncap;
		}
		v[nv++] = up;
	}
	if (ferror(fp)) {
		rc = -EIO;
		goto out;
	}
	if (nv > 0) {
		*out = v;
		*n = nv;
		v = NULL;
	}
out:
	free(v);
	free(line);
	if (ifs != NULL)
		freeifaddrs(ifs);
	if (fp != NULL)
		fclose(fp);
	return rc;
}
