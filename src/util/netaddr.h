/* SPDX-License-Identifier: MIT */
/*
 * netaddr.h -- IP addresses, ADDR[:PORT], CIDRs, ACLs and resolv.conf.
 *
 * The one home of address code; it knows nothing of DNS or Kuma (a port
 * such as 53 or 15053 is always the caller's).  Three value types, all
 * plain structs the caller owns, copied by assignment:
 *   struct netaddr       an IPv4 or IPv6 address without a port (a VIP,
 *                        a client's address);
 *   struct netaddr_cidr  a network, "241.0.0.0/8" (a VIP pool, an entry
 *                        of the forwarding ACL);
 *   struct netaddr_port  a socket address, address and port, as bind(2)
 *                        and connect(2) take it (a listen address, an
 *                        upstream).
 * Text is numeric only: nothing is ever looked up in DNS.
 *
 * Pure (no I/O, no logging), except netaddr_resolv_conf_load(), which
 * reads a file and may call getifaddrs(3).  Thread-safe: no state.
 */
#ifndef MESHDNS_NETADDR_H
#define MESHDNS_NETADDR_H

#include <net/if.h>
#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "util/diag.h"

/* An address; a zeroed struct holds none (netaddr_is_set()). */
struct netaddr {
	int family;		/* AF_INET or AF_INET6 */
	uint8_t b[16];		/* network order; IPv4 in b[0..3] */
};

/* A network, as netaddr_cidr_parse() makes it. */
struct netaddr_cidr {
	struct netaddr base;	/* network address (host bits zero) */
	unsigned prefix;	/* 0..32 or 0..128 */
	char text[64];		/* canonical "241.0.0.0/8" */
};

/*
 * Parse "241.0.0.1" or "fd00::1" (inet_pton: no leading zeros, no short
 * forms); text with a colon is IPv6, "::ffff:1.2.3.4" included.  0, or -1
 * when not an address.
 */
int netaddr_parse(struct netaddr *out, const char *text);

/*
 * Format into @buf (at least 46 bytes); returns @buf ("?" when @a is not an
 * address of a known family).
 */
const char *netaddr_format(const struct netaddr *a, char *buf, size_t size);

/* True when @a holds an address: a zeroed struct netaddr holds none. */
int netaddr_is_set(const struct netaddr *a);

/* True when both have the same family and address. */
int netaddr_equal(const struct netaddr *a, const struct netaddr *b);

/*
 * <0, 0 or >0 as @a sorts before, with or after @b: IPv4 before IPv6, then
 * by address.
 */
int netaddr_cmp(const struct netaddr *a, const struct netaddr *b);

/* True when @text is a numeric IPv4 or IPv6 address (netaddr_parse()). */
int netaddr_is_ip(const char *text);

/*
 * The address of @sa without its port (an IPv6 scope is dropped): 0, or
 * -1 when @sa is NULL or neither AF_INET nor AF_INET6 (*out zeroed).  An
 * IPv4-mapped IPv6 address stays IPv6.
 */
int netaddr_from_sockaddr(struct netaddr *out, const struct sockaddr *sa);

/* True for the wildcard addresses 0.0.0.0 and ::. */
int netaddr_is_any(const struct netaddr *a);

/* True for 127.0.0.0/8 and ::1. */
int netaddr_is_loopback(const struct netaddr *a);

/*
 * Parse a CIDR such as "241.0.0.0/8" or "fd00:1::/64".  Host bits set
 * ("241.0.0.1/8") are an error that names the network meant: "241.0.0.1/8
 * has host bits set; the network is 241.0.0.0/8".  Returns 0 with
 * out->text canonical ("fd00:0::/120" -> "fd00::/120"), or -1 with a message
 * in @err that quotes @cidr.
 */
int netaddr_cidr_parse(struct netaddr_cidr *out, const char *cidr, char *err,
		       size_t errsize);

/* True when @a is inside @pool. */
int netaddr_cidr_contains(const struct netaddr_cidr *pool,
			  const struct netaddr *a);

/* The last address of @cidr into *@out ("241.255.255.255" for /8). */
void netaddr_cidr_last(const struct netaddr_cidr *cidr, struct netaddr *out);

/*
 * True when the address of @sa (its port ignored) is inside one of the @n
 * CIDRs of @acl; an IPv4-mapped IPv6 address (a client of a dual-stack
 * socket) counts as its IPv4 address.  False for a family other than
 * AF_INET and AF_INET6.
 */
int netaddr_acl_match(const struct netaddr_cidr *acl, size_t n,
		      const struct sockaddr *sa);

/* A socket address: an IPv4 or IPv6 address and a port. */
struct netaddr_port {
	struct sockaddr_storage addr;	/* AF_INET or AF_INET6, with port */
	socklen_t addrlen;
};

/* The longest text of netaddr_port_format(), with its NUL. */
#define NETADDR_PORT_STRLEN (INET6_ADDRSTRLEN + IF_NAMESIZE + 8)

/* What was wrong with an ADDR[:PORT] (netaddr_port_parse()). */
enum netaddr_port_error {
	NETADDR_PORT_NO_BRACKET = -1,	/* "[" without "]" */
	NETADDR_PORT_AFTER_BRACKET = -2,	/* "]" and then not ":PORT" */
	NETADDR_PORT_NO_ADDRESS = -3,	/* nothing before the port */
	NETADDR_PORT_BAD_PORT = -4,	/* the port is not a number */
	NETADDR_PORT_PORT_RANGE = -5,	/* the port is not 1 to 65535 */
	NETADDR_PORT_NOT_IPV6 = -6,	/* brackets or two colons, and not
					 * an IPv6 address */
	NETADDR_PORT_NOT_ADDRESS = -7,	/* not a numeric IPv4 or IPv6
					 * address */
	NETADDR_PORT_BAD_SCOPE = -8,	/* an IPv6 address whose scope is
					 * no interface of this host */
};

/* netaddr_port_parse() flags */
#define NETADDR_PORT_SCOPE 0x1	/* an IPv6 scope: "fe80::1%eth0" */

/*
 * Parse "ADDR", "ADDR:PORT", "[V6]", "[V6]:PORT" or a bare "V6" (two
 * colons or more, so no port) into @out; the port is 1 to 65535 in
 * decimal (at most 6 digits), @default_port when there is none.  Numeric
 * addresses only, nothing is looked up: IPv4 as inet_pton(3) reads it (no
 * "127.1"), IPv6 likewise, or through getaddrinfo(3) with
 * NETADDR_PORT_SCOPE in @flags, which allows a scope ("fe80::1%eth0",
 * "[fe80::1%2]:53": an interface name or index); without it a scope is
 * an error.  NULL reads as "".
 *
 * Returns 0, or a negative enum netaddr_port_error with "expected
 * ADDRESS[:PORT] or [IPV6]:PORT, got "TEXT" (REASON)" in @err (TEXT quoted
 * as diag_quote() does; REASON such as "the port must be 1 to 65535");
 * *out is zeroed then.
 */
int netaddr_port_parse(struct netaddr_port *out, const char *text,
		       unsigned default_port, unsigned flags, char *err,
		       size_t errsize);

/*
 * "127.0.0.1:53", "[::1]:53", "[fe80::1%eth0]:53" into @buf (at least
 * NETADDR_PORT_STRLEN bytes for every address to fit); returns @buf, "?"
 * in it when @up is not an address.  The text of an address that
 * netaddr_port_parse() made reads back as the same address.
 */
const char *netaddr_port_format(const struct netaddr_port *up,
				char *buf, size_t size);

/* The port of @p in host order; 0 when @p is not an address. */
unsigned netaddr_port_number(const struct netaddr_port *p);

/*
 * Read the "nameserver ADDRESS" lines of the resolv.conf-format file at
 * @path, in order, each as ADDRESS port @port (ADDRESS is a numeric IPv4
 * or IPv6 address, an IPv6 scope allowed, without a port; words after it
 * are ignored; lines starting with '#' or ';' and other keywords are
 * skipped silently).  Skipped, each with a warning "PATH:LINE:COLUMN:
 * ..." in @warnings (may be NULL):
 *   - an address that does not parse ("bad nameserver address 'x',
 *     skipped") or a missing one ("nameserver without an address,
 *     skipped");
 *   - one of our own listen addresses @own (@nown of them), so meshdns
 *     never forwards to itself: same port and the same address, or a
 *     wildcard listen address (0.0.0.0, ::) and a loopback or local
 *     interface address of the same family ("nameserver 127.0.0.1:53 is
 *     meshdns itself (listen 0.0.0.0:53), skipped", the listen address
 *     as netaddr_port_format() writes it);
 *   - a repeated address ("nameserver 127.0.0.1:53 repeated, skipped").
 * Unlike glibc, every nameserver line counts, not only the first three.
 *
 * Returns 0 with *out (malloc'ed, the caller frees it with free(); NULL
 * when *n is 0) and *n; a file without usable nameservers gives *n 0.
 * Returns the negative errno when the file cannot be read (nothing in
 * @warnings), -ENOMEM.  Does blocking file I/O: call it at start-up or
 * reload, not per query.
 */
int netaddr_resolv_conf_load(struct netaddr_port **out, size_t *n,
			     const char *path, unsigned port,
			     const struct netaddr_port *own, size_t nown,
			     struct diag_list *warnings);

#endif
