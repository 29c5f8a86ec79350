/* SPDX-License-Identifier: MIT */
/* tsig.c -- TSIG records: read, keys looked up, MACs checked and made. */
#include "autoconfig.h"

#include <errno.h>
#include <stdbool.h>
#include <string.h>
#include <strings.h>

#include <ldns/ldns.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>

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

/* --- MACs --- */

struct alg {
	const char *name;	/* without the final dot */
	const uint8_t *wire;
	size_t wire_len;
	const char *digest;	/* OpenSSL's name */
	size_t mac_len;
};

#define W(s)	(const uint8_t *)s, sizeof(s)
static const struct alg algs[] = {
	{ "hmac-sha1", W("\x09hmac-sha1"), "SHA1", 20 },
	{ "hmac-sha224", W("\x0bhmac-sha224"), "SHA224", 28 },
	{ "hmac-sha256", W("\x0bhmac-sha256"), "SHA256", 32 },
	{ "hmac-sha384", W("\x0bhmac-sha384"), "SHA384", 48 },
	{ "hmac-sha512", W("\x0bhmac-sha512"), "SHA512", 64 },
};
#undef W
#define NALGS	(sizeof(algs) / sizeof(algs[0]))

int
tsig_algorithm(const char *name, const uint8_t **wire, size_t *wire_len)
{
	size_t n = strlen(name);
	size_t i;

	if (n > 0 && name[n - 1] == '.')
		n--;
	for (i = 0; i < NALGS; i++)
		if (strlen(algs[i].name) == n &&
		    strncasecmp(algs[i].name, name, n) == 0) {
			*wire = algs[i].wire;
			*wire_len = algs[i].wire_len;
			return 0;
		}
	return -EINVAL;
}

/* The algorithm of @k, or NULL. */
static const struct alg *
key_alg(const struct tsig_key *k)
{
	size_t i;

	for (i = 0; i < NALGS; i++)
		if (algs[i].wire_len == k->alg_len &&
		    name_equal(algs[i].wire, k->alg, k->alg_len))
			return &algs[i];
	return NULL;
}

int
tsig_secret_decode(const char *b64, uint8_t *out, size_t cap)
{
	uint8_t buf[TSIG_SECRET_MAX + 3];
	EVP_ENCODE_CTX *ctx = NULL;
	size_t n = strlen(b64);
	int len = 0;
	int more = 0;
	int rc = -EINVAL;

	/* Base64 makes 3 bytes of 4 characters: @cap bytes need no more. */
	if (n == 0 || n > (sizeof(buf) / 3) * 4 ||
	    (ctx = EVP_ENCODE_CTX_new()) == NULL)
		goto out;
	EVP_DecodeInit(ctx);
	if (EVP_DecodeUpdate(ctx, buf, &len, (const unsigned char *)b64,
			     (int)n) < 0 ||
	    EVP_DecodeFinal(ctx, buf + len, &more) < 0)
		goto out;
	len += more;
	if (len <= 0 || (size_t)len > cap)
		goto out;
	memcpy(out, buf, (size_t)len);
	rc = len;
out:
	EVP_ENCODE_CTX_free(ctx);
	return rc;
}

/* One piece of what a MAC digests. */
struct piece {
	const uint8_t *p;
	size_t n;
};

/* The HMAC of @k over @np pieces into @out; its length, or -ENOMEM. */
static int
hmac(const struct tsig_key *k, const struct alg *a, const struct piece *pc,
     size_t np, uint8_t *out)
{
	EVP_MAC *mac = NULL;
	EVP_MAC_CTX *ctx = NULL;
	OSSL_PARAM params[2];
	size_t outlen = 0;
	size_t i;
	int rc = -ENOMEM;

	params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST,
						     (char *)a->digest, 0);
	params[1] = OSSL_PARAM_construct_end();
	if ((mac = EVP_MAC_fetch(NULL, "HMAC", NULL)) == NULL ||
	    (ctx = EVP_MAC_CTX_new(mac)) == NULL ||
	    !EVP_MAC_init(ctx, k->secret, k->secret_len, params))
		goto out;
	for (i = 0; i < np; i++)
		if (pc[i].n > 0 && !EVP_MAC_update(ctx, pc[i].p, pc[i].n))
			goto out;
	if (!EVP_MAC_final(ctx, out, &outlen, TSIG_MAC_MAX) ||
	    outlen != a->mac_len)
		goto out;
	rc = (int)outlen;
out:
	EVP_MAC_CTX_free(ctx);
	EVP_MAC_free(mac);
	return rc;
}

/* @n bytes of the wire name @in, lower-cased, into @out. */
static void
name_lower(const uint8_t *in, size_t n, uint8_t *out)
{
	size_t i;

	for (i = 0; i < n; i++)
		out[i] = in[i] >= 'A' && in[i] <= 'Z' ? in[i] + 32 : in[i];
}

/* Time Signed, 48 bits, from @t. */
static void
time_write(uint8_t *p, uint64_t t)
{
	int i;

	for (i = 5; i >= 0; i--) {
		p[i] = (uint8_t)t;
		t >>= 8;
	}
}

static uint64_t
time_read(const uint8_t *p)
{
	uint64_t t = 0;
	int i;

	for (i = 0; i < 6; i++)
		t = t << 8 | p[i];
	return t;
}

int
tsig_verify(const struct tsig_key *k, const uint8_t *m, size_t len,
	    const struct wire_tsig *w, const struct tsig_rr *rr, uint64_t now)
{
	const struct alg *a = key_alg(k);
	uint8_t hdr[LDNS_HEADER_SIZE];
	uint8_t name[LDNS_MAX_DOMAINLEN];
	uint8_t alg[LDNS_MAX_DOMAINLEN];
	uint8_t cls_ttl[6] = { 0, LDNS_RR_CLASS_ANY, 0, 0, 0, 0 };
	uint8_t mac[TSIG_MAC_MAX];
	uint8_t vars[16];
	struct piece pc[7];
	size_t other = w->rdata + w->rdlen - (rr->mac_off + rr->mac_len + 6);
	uint64_t t = time_read(rr->time_signed);
	int n;

	if (a == NULL || rr->mac_len != a->mac_len)
		return -TSIG_BADSIG;
	/* The message as it was signed: the Original ID, no TSIG. */
	memcpy(hdr, m, LDNS_HEADER_SIZE);
	ldns_write_uint16(hdr, rr->orig_id);
	ldns_write_uint16(hdr + LDNS_ARCOUNT_OFF,
			  (uint16_t)(LDNS_ARCOUNT(m) - 1));
	name_expand(m, len, rr->name_off, name);
	name_lower(name, rr->name_len, name);
	name_expand(m, len, rr->alg_off, alg);
	name_lower(alg, rr->alg_len, alg);
	memcpy(vars, rr->time_signed, 6);
	ldns_write_uint16(vars + 6, rr->fudge);
	ldns_write_uint16(vars + 8, rr->error);
	ldns_write_uint16(vars + 10, (uint16_t)other);
	pc[0] = (struct piece){ hdr, LDNS_HEADER_SIZE };
	pc[1] = (struct piece){ m + LDNS_HEADER_SIZE,
				w->owner - LDNS_HEADER_SIZE };
	pc[2] = (struct piece){ name, rr->name_len };
	pc[3] = (struct piece){ cls_ttl, sizeof(cls_ttl) };
	pc[4] = (struct piece){ alg, rr->alg_len };
	pc[5] = (struct piece){ vars, 12 };
	pc[6] = (struct piece){ m + rr->mac_off + rr->mac_len + 6, other };
	if ((n = hmac(k, a, pc, 7, mac)) < 0)
		return n;
	if (CRYPTO_memcmp(mac, m + rr->mac_off, a->mac_len) != 0)
		return -TSIG_BADSIG;
	if ((t > now ? t - now : now - t) > rr->fudge)
		return -TSIG_BADTIME;
	return 0;
}

void
tsig_signer_init(struct tsig_signer *s, const struct tsig_key *k,
		 const uint8_t *req_mac, size_t req_len, uint16_t error)
{
	memset(s, 0, sizeof(*s));
	s->key = k;
	s->error = error;
	if (req_mac != NULL && req_len <= TSIG_MAC_MAX) {
		memcpy(s->mac, req_mac, req_len);
		s->mac_len = req_len;
	}
}

size_t
tsig_sign_len(const struct tsig_key *k)
{
	const struct alg *a = key_alg(k);

	/* Other Data: our time, for BADTIME. */
	return k->name_len + WIRE_RR_FIXED + k->alg_len + FIXED_BEFORE_MAC +
	       (a != NULL ? a->mac_len : TSIG_MAC_MAX) + FIXED_AFTER_MAC + 6;
}

int
tsig_sign(struct tsig_signer *s, uint8_t *m, size_t len, size_t cap,
	  uint64_t now)
{
	const struct tsig_key *k = s->key;
	const struct alg *a = key_alg(k);
	uint8_t name[LDNS_MAX_DOMAINLEN];
	uint8_t alg[LDNS_MAX_DOMAINLEN];
	uint8_t cls_ttl[6] = { 0, LDNS_RR_CLASS_ANY, 0, 0, 0, 0 };
	uint8_t prior[2];
	uint8_t vars[18];
	uint8_t mac[TSIG_MAC_MAX];
	struct piece pc[8];
	size_t other = s->error == TSIG_BADTIME ? 6 : 0;
	size_t np = 0;
	size_t off;
	int n;

	if (a == NULL)
		return -EINVAL;
	if (len < LDNS_HEADER_SIZE || len + tsig_sign_len(k) > cap)
		return -ENOSPC;
	name_lower(k->name, k->name_len, name);
	name_lower(k->alg, k->alg_len, alg);
	time_write(vars, now);
	ldns_write_uint16(vars + 6, TSIG_FUDGE);
	ldns_write_uint16(vars + 8, s->nsigned == 0 ? s->error : 0);
	ldns_write_uint16(vars + 10, (uint16_t)other);
	time_write(vars + 12, now);
	if (s->nsigned > 0 || s->mac_len > 0) {
		ldns_write_uint16(prior, (uint16_t)s->mac_len);
		pc[np++] = (struct piece){ prior, 2 };
		pc[np++] = (struct piece){ s->mac, s->mac_len };
	}
	pc[np++] = (struct piece){ m, len };
	if (s->nsigned == 0) {
		pc[np++] = (struct piece){ name, k->name_len };
		pc[np++] = (struct piece){ cls_ttl, sizeof(cls_ttl) };
		pc[np++] = (struct piece){ alg, k->alg_len };
		pc[np++] = (struct piece){ vars, 12 + other };
	} else {
		pc[np++] = (struct piece){ vars, 8 };	/* the timers */
	}
	if ((n = hmac(k, a, pc, np, mac)) < 0)
		return n;
	/* The record: owner, type, class, TTL, RDLENGTH, RDATA. */
	off = len;
	memcpy(m + off, name, k->name_len);
	off += k->name_len;
	ldns_write_uint16(m + off, LDNS_RR_TYPE_TSIG);
	memcpy(m + off + 2, cls_ttl, sizeof(cls_ttl));
	ldns_write_uint16(m + off + 8, (uint16_t)(k->alg_len +
			  FIXED_BEFORE_MAC + a->mac_len + FIXED_AFTER_MAC +
			  (s->nsigned == 0 ? other : 0)));
	off += WIRE_RR_FIXED;
	memcpy(m + off, alg, k->alg_len);
	off += k->alg_len;
	memcpy(m + off, vars, 8);
	ldns_write_uint16(m + off + 8, (uint16_t)a->mac_len);
	off += FIXED_BEFORE_MAC;
	memcpy(m + off, mac, a->mac_len);
	off += a->mac_len;
	memcpy(m + off, m, 2);			/* Original ID */
	if (s->nsigned == 0) {
		memcpy(m + off + 2, vars + 8, 4 + other);
		off += FIXED_AFTER_MAC + other;
	} else {
		memset(m + off + 2, 0, 4);
		off += FIXED_AFTER_MAC;
	}
	ldns_write_uint16(m + LDNS_ARCOUNT_OFF,
			  (uint16_t)(LDNS_ARCOUNT(m) + 1));
	memcpy(s->mac, mac, a->mac_len);
	s->mac_len = a->mac_len;
	s->nsigned++;
	return (int)off;
}
