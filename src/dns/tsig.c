/* SPDX-License-Identifier: MIT */
/* tsig.c -- a query's TSIG record: read, its key looked up, BADKEY written. */
#include "autoconfig.h"

#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include <ldns/ldns.h>

#include "dns/tsig.h"

/* Time Signed, Fudge, MAC Size; then Original ID, Error, Other Len. */
#define FIXED_BEFORE_MAC	10
#define FIXED_AFTER_MAC		6

/*
 * The name at @off of @m (@len bytes), uncompressed, into @out (255 bytes
 * of room) unless @out is NULL.  Pointers are followed only backwards,
 * so there is no loop.  Returns its length, or 0 when it is malformed.
 */
static size_t
name_expand(const uint8_t *m, size_t len, size_t off, uint8_t *out)
{
	size_t n = 0;

	for (;;) {
		uint8_t l;

		if (off >= len)
			return 0;
		l = m[off];
		if ((l & 0xc0) == 0xc0) {
			size_t to;

			if (off + 2 > len)
				return 0;
			to = ldns_read_uint16(m + off) & 0x3fff;
			if (to >= off)
				return 0;
			off = to;
			continue;
		}
		if (l & 0xc0 || off + 1 + l > len ||
		    n + 1 + l > LDNS_MAX_DOMAINLEN)
			return 0;
		if (out != NULL)
			memcpy(out + n, m + off, (size_t)l + 1);
		n += (size_t)l + 1;
		if (l == 0)
			return n;
		off += (size_t)l + 1;
	}
}

int
tsig_parse(const uint8_t *m, size_t len, const struct wire_tsig *w,
	   struct tsig_rr *rr)
{
	size_t end = w->rdata + w->rdlen;
	size_t off;
	size_t other;

	memset(rr, 0, sizeof(*rr));
	rr->name_off = w->owner;
	rr->alg_off = w->rdata;
	if ((rr->name_len = name_expand(m, len, w->owner, NULL)) == 0 ||
	    (rr->alg_len = name_expand(m, len, w->rdata, NULL)) == 0)
		return -EINVAL;
	/* Where the algorithm name ends inside the RDATA. */
	if ((off = wire_name_skip(m, end, w->rdata)) == 0 ||
	    off + FIXED_BEFORE_MAC > end)
		return -EINVAL;
	memcpy(rr->time_signed, m + off, 6);
	rr->fudge = ldns_read_uint16(m + off + 6);
	rr->mac_len = ldns_read_uint16(m + off + 8);
	off += FIXED_BEFORE_MAC;
	rr->mac_off = off;
	if (off + rr->mac_len + FIXED_AFTER_MAC > end)
		return -EINVAL;
	off += rr->mac_len;
	rr->orig_id = ldns_read_uint16(m + off);
	rr->error = ldns_read_uint16(m + off + 2);
	other = ldns_read_uint16(m + off + 4);
	if (off + FIXED_AFTER_MAC + other != end)
		return -EINVAL;
	return 0;
}

/* Are the wire names @a and @b (@n bytes each) equal but for case? */
static bool
name_equal(const uint8_t *a, const uint8_t *b, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		uint8_t x = a[i];
		uint8_t y = b[i];

		if (x >= 'A' && x <= 'Z')
			x += 'a' - 'A';
		if (y >= 'A' && y <= 'Z')
			y += 'a' - 'A';
		if (x != y)
			return false;
	}
	return true;
}

const struct tsig_key *
tsig_keys_find(const struct tsig_keys *keys, const uint8_t *m, size_t len,
	       const struct tsig_rr *rr)
{
	uint8_t name[LDNS_MAX_DOMAINLEN];
	uint8_t alg[LDNS_MAX_DOMAINLEN];
	size_t i;

	if (keys == NULL || keys->count == 0)
		return NULL;
	name_expand(m, len, rr->name_off, name);
	name_expand(m, len, rr->alg_off, alg);
	for (i = 0; i < keys->count; i++) {
		const struct tsig_key *k = &keys->keys[i];

		/* Label lengths are compared too: they are never letters. */
		if (k->name_len == rr->name_len && k->alg_len == rr->alg_len &&
		    name_equal(k->name, name, rr->name_len) &&
		    name_equal(k->alg, alg, rr->alg_len))
			return k;
	}
	return NULL;
}

size_t
tsig_error_len(const struct tsig_rr *rr)
{
	return rr->name_len + WIRE_RR_FIXED + rr->alg_len + FIXED_BEFORE_MAC +
	       FIXED_AFTER_MAC;
}

size_t
tsig_write_error(uint8_t *p, const uint8_t *m, size_t len,
		 const struct tsig_rr *rr, uint16_t error)
{
	size_t off = name_expand(m, len, rr->name_off, p);
	size_t rdlen = rr->alg_len + FIXED_BEFORE_MAC + FIXED_AFTER_MAC;

	ldns_write_uint16(p + off, LDNS_RR_TYPE_TSIG);
	ldns_write_uint16(p + off + 2, LDNS_RR_CLASS_ANY);
	memset(p + off + 4, 0, 4);	/* TTL */
	ldns_write_uint16(p + off + 8, (uint16_t)rdlen);
	off += WIRE_RR_FIXED;
	off += name_expand(m, len, rr->alg_off, p + off);
	memcpy(p + off, rr->time_signed, 6);
	ldns_write_uint16(p + off + 6, rr->fudge);
	ldns_write_uint16(p + off + 8, 0);	/* MAC size */
	ldns_write_uint16(p + off + 10, rr->orig_id);
	ldns_write_uint16(p + off + 12, error);
	ldns_write_uint16(p + off + 14, 0);	/* Other Len */
	return off + FIXED_AFTER_MAC + FIXED_BEFORE_MAC;
}
