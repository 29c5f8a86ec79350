/* SPDX-License-Identifier: MIT */
/*
 * netaddr.h -- IP addresses and CIDRs.
 *
 * Pure: no I/O, no logging.
 */
#ifndef MESHDNS_NETADDR_H
#define MESHDNS_NETADDR_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

struct netaddr {
	int family;		/* AF_INET or AF_INET6 */
	uint8_t b[16];		/* network order; IPv4 in b[0..3] */
};

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

/* A socket address: an IPv4 or IPv6 address and a port. */
struct netaddr_port {
	struct sockaddr_storage addr;	/* AF_INET or AF_INET6, with port */
	socklen_t addrlen;
};

/* "127.0.0.1:53", "[::1]:53" into @buf; returns @buf. */
const char *netaddr_port_format(const struct netaddr_port *up,
				char *buf, size_t size);

#endif
