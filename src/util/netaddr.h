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

struct vip_addr {
	int family;		/* AF_INET or AF_INET6 */
	uint8_t b[16];		/* network order; IPv4 in b[0..3] */
};

struct vip_pool {
	struct vip_addr base;	/* network address (host bits zero) */
	unsigned prefix;	/* 0..32 or 0..128 */
	char text[64];		/* canonical "241.0.0.0/8" */
};

/*
 * Parse "241.0.0.1" or "fd00::1" (inet_pton: no leading zeros, no short
 * forms); text with a colon is IPv6, "::ffff:1.2.3.4" included.  0, or -1
 * when not an address.
 */
int vip_addr_parse(struct vip_addr *out, const char *text);

/*
 * Format into @buf (at least 46 bytes); returns @buf ("?" when @a is not an
 * address of a known family).
 */
const char *vip_addr_format(const struct vip_addr *a, char *buf, size_t size);

/* True when @a holds an address: a zeroed struct vip_addr holds none. */
int vip_addr_is_set(const struct vip_addr *a);

/* True when both have the same family and address. */
int vip_addr_equal(const struct vip_addr *a, const struct vip_addr *b);

/*
 * <0, 0 or >0 as @a sorts before, with or after @b: IPv4 before IPv6, then
 * by address.
 */
int vip_addr_cmp(const struct vip_addr *a, const struct vip_addr *b);

/*
 * Parse a CIDR such as "241.0.0.0/8" or "fd00:1::/64".  Host bits set
 * ("241.0.0.1/8") are an error that names the network meant: "241.0.0.1/8
 * has host bits set; the network is 241.0.0.0/8".  Returns 0 with
 * out->text canonical ("fd00:0::/120" -> "fd00::/120"), or -1 with a message
 * in @err that quotes @cidr.
 */
int vip_pool_parse(struct vip_pool *out, const char *cidr, char *err,
		   size_t errsize);

/* True when @a is inside @pool. */
int vip_pool_contains(const struct vip_pool *pool, const struct vip_addr *a);

#endif
