/* SPDX-License-Identifier: MIT */
/*
 * test_tsig.c -- unit tests for tsig: MACs checked and made, with ldns's
 * own TSIG code (which dig and kdig agree with) as the oracle.
 */
#include "autoconfig.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <ldns/ldns.h>

#include "dns/tsig.h"
#include "dns/wire.h"

#define KEY_NAME	"xfr-key."
#define SECRET		"c2VjcmV0IGtleSBmb3IgdGVzdHMgb2YgdHNpZyBzaWduaW5n"
#define OTHER_SECRET	"b3RoZXIgc2VjcmV0IGtleSBmb3IgdGVzdHMgb2YgdHNpZw=="

struct fx {
	uint8_t secret[64];
	struct tsig_key key;
	struct tsig_keys keys;
};

static void
fx_init(struct fx *f, const char *alg)
{
	static const uint8_t name[] = "\x07xfr-key";
	const uint8_t *w = NULL;
	size_t wl = 0;
	int n;

	memset(f, 0, sizeof(*f));
	assert_int_equal(tsig_algorithm(alg, &w, &wl), 0);
	n = tsig_secret_decode(SECRET, f->secret, sizeof(f->secret));
	assert_true(n > 0);
	f->key.name = name;
	f->key.name_len = sizeof(name);
	f->key.alg = w;
	f->key.alg_len = wl;
	f->key.secret = f->secret;
	f->key.secret_len = (size_t)n;
	f->keys.keys = &f->key;
	f->keys.count = 1;
}

/* A query for mesh.local SOA signed by ldns with @secret, as wire. */
static uint8_t *
signed_query(const char *alg, const char *secret, size_t *len,
	     ldns_pkt **out)
{
	ldns_pkt *p = NULL;
	uint8_t *wire = NULL;

	assert_int_equal(ldns_pkt_query_new_frm_str(&p, "mesh.local",
						    LDNS_RR_TYPE_SOA,
						    LDNS_RR_CLASS_IN, 0),
			 LDNS_STATUS_OK);
	ldns_pkt_set_id(p, 0x4242);
	assert_int_equal(ldns_pkt_tsig_sign(p, KEY_NAME, secret, 300, alg,
					    NULL), LDNS_STATUS_OK);
	assert_int_equal(ldns_pkt2wire(&wire, p, len), LDNS_STATUS_OK);
	*out = p;
	return wire;
}

/* Parse @m's TSIG into @w and @rr. */
static void
parse(const uint8_t *m, size_t len, struct wire_tsig *w, struct tsig_rr *rr)
{
	struct wire_question q = { 0 };
	struct wire_edns e;

	assert_int_equal(wire_question_parse(m, len, &q), 0);
	assert_int_equal(wire_opt_scan(m, len, q.end, &e, w), 0);
	assert_true(w->present);
	assert_int_equal(tsig_parse(m, len, w, rr), 0);
}

static void
test_algorithm(void **state)
{
	const uint8_t *w = NULL;
	size_t wl = 0;

	(void)state;
	assert_int_equal(tsig_algorithm("hmac-sha256", &w, &wl), 0);
	assert_int_equal(wl, 13);
	assert_memory_equal(w, "\x0bhmac-sha256", 13);
	assert_int_equal(tsig_algorithm("HMAC-SHA512.", &w, &wl), 0);
	assert_memory_equal(w, "\x0bhmac-sha512", 13);
	assert_int_equal(tsig_algorithm("hmac-md5", &w, &wl), -EINVAL);
	assert_int_equal(tsig_algorithm("hmac-sha2566", &w, &wl), -EINVAL);
}

static void
test_secret(void **state)
{
	uint8_t out[8];

	(void)state;
	assert_int_equal(tsig_secret_decode("YWJj", out, sizeof(out)), 3);
	assert_memory_equal(out, "abc", 3);
	assert_int_equal(tsig_secret_decode("", out, sizeof(out)), -EINVAL);
	assert_int_equal(tsig_secret_decode("not base64!", out, sizeof(out)),
			 -EINVAL);
	assert_int_equal(tsig_secret_decode(SECRET, out, sizeof(out)),
			 -EINVAL);
}

/* A query signed by ldns verifies; a wrong secret or time does not. */
static void
verify_one(const char *alg)
{
	struct fx f;
	struct wire_tsig w;
	struct tsig_rr rr;
	const struct tsig_key *k = NULL;
	ldns_pkt *p = NULL;
	uint8_t *m = NULL;
	size_t len = 0;
	uint64_t now = (uint64_t)time(NULL);

	fx_init(&f, alg);
	m = signed_query(alg, SECRET, &len, &p);
	parse(m, len, &w, &rr);
	assert_non_null(k = tsig_keys_find(&f.keys, m, len, &rr));
	assert_int_equal(tsig_verify(k, m, len, &w, &rr, now), 0);
	assert_int_equal(tsig_verify(k, m, len, &w, &rr, now + 1000),
			 -TSIG_BADTIME);
	assert_int_equal(tsig_verify(k, m, len, &w, &rr, now - 1000),
			 -TSIG_BADTIME);
	/* One bit of the question changed. */
	m[LDNS_HEADER_SIZE + 1] ^= 0x20;
	assert_int_equal(tsig_verify(k, m, len, &w, &rr, now), -TSIG_BADSIG);
	free(m);
	ldns_pkt_free(p);

	m = signed_query(alg, OTHER_SECRET, &len, &p);
	parse(m, len, &w, &rr);
	assert_int_equal(tsig_verify(k, m, len, &w, &rr, now), -TSIG_BADSIG);
	free(m);
	ldns_pkt_free(p);
}

static void
test_verify(void **state)
{
	(void)state;
	verify_one("hmac-sha256");
	verify_one("hmac-sha512");
	verify_one("hmac-sha1");
}

/* The algorithm is the key's: a sha256 key does not take a sha1 MAC. */
static void
test_algorithm_mismatch(void **state)
{
	struct fx f;
	struct wire_tsig w;
	struct tsig_rr rr;
	ldns_pkt *p = NULL;
	uint8_t *m = NULL;
	size_t len = 0;

	(void)state;
	fx_init(&f, "hmac-sha256");
	m = signed_query("hmac-sha1", SECRET, &len, &p);
	parse(m, len, &w, &rr);
	assert_null(tsig_keys_find(&f.keys, m, len, &rr));
	/* Even when asked directly, the MAC is the key's algorithm's. */
	assert_int_equal(tsig_verify(&f.key, m, len, &w, &rr,
				     (uint64_t)time(NULL)), -TSIG_BADSIG);
	free(m);
	ldns_pkt_free(p);
}

/*
 * A response signed here, then two more messages of a transfer: ldns
 * verifies the first with the request's MAC, the others with the prior
 * MAC and the timers only.
 */
static void
test_sign_stream(void **state)
{
	struct fx f;
	struct wire_tsig w;
	struct tsig_rr rr;
	struct tsig_signer s;
	ldns_pkt *q = NULL;
	ldns_pkt *r = NULL;
	ldns_rdf *prior = NULL;
	uint8_t *m = NULL;
	uint8_t buf[1024];
	size_t len = 0;
	uint64_t now = (uint64_t)time(NULL);
	int i;
	int n;

	(void)state;
	fx_init(&f, "hmac-sha256");
	m = signed_query("hmac-sha256", SECRET, &len, &q);
	parse(m, len, &w, &rr);
	tsig_signer_init(&s, &f.key, m + rr.mac_off, rr.mac_len, 0);
	prior = ldns_rdf_clone(ldns_rr_rdf(ldns_pkt_tsig(q), 3));
	for (i = 0; i < 3; i++) {
		ldns_rr *tsig = NULL;

		/* The response: the query's header and question, QR set. */
		memcpy(buf, m, rr.name_off);
		buf[2] |= 0x80;
		ldns_write_uint16(buf + LDNS_ARCOUNT_OFF, 0);
		n = tsig_sign(&s, buf, w.owner, sizeof(buf), now);
		assert_true(n > 0);
		assert_int_equal(tsig_sign_len(&f.key), (size_t)n - w.owner +
				 6);
		assert_int_equal(ldns_wire2pkt(&r, buf, (size_t)n),
				 LDNS_STATUS_OK);
		if (i == 0)
			assert_true(ldns_pkt_tsig_verify(r, buf, (size_t)n,
							 KEY_NAME, SECRET,
							 prior));
		else
			assert_true(ldns_pkt_tsig_verify_next(r, buf,
							      (size_t)n,
							      KEY_NAME,
							      SECRET, prior,
							      1));
		assert_false(ldns_pkt_tsig_verify(r, buf, (size_t)n, KEY_NAME,
						  OTHER_SECRET, prior));
		tsig = ldns_pkt_tsig(r);
		ldns_rdf_deep_free(prior);
		prior = ldns_rdf_clone(ldns_rr_rdf(tsig, 3));
		ldns_pkt_free(r);
	}
	/* No room: nothing written. */
	tsig_signer_init(&s, &f.key, NULL, 0, 0);
	assert_int_equal(tsig_sign(&s, buf, w.owner, w.owner + 10, now),
			 -ENOSPC);
	ldns_rdf_deep_free(prior);
	free(m);
	ldns_pkt_free(q);
}

/* A request of our own (a NOTIFY): no prior MAC; ldns verifies it. */
static void
test_sign_request(void **state)
{
	struct fx f;
	struct tsig_signer s;
	ldns_pkt *r = NULL;
	uint8_t buf[512];
	int n;

	(void)state;
	fx_init(&f, "hmac-sha512");
	memcpy(buf, "\x01\x02\x20\x00\x00\x01\x00\x00\x00\x00\x00\x00"
	       "\x04mesh\x05local\x00\x00\x06\x00\x01", 12 + 12 + 4);
	tsig_signer_init(&s, &f.key, NULL, 0, 0);
	n = tsig_sign(&s, buf, 28, sizeof(buf), (uint64_t)time(NULL));
	assert_true(n > 28);
	assert_int_equal(ldns_wire2pkt(&r, buf, (size_t)n), LDNS_STATUS_OK);
	assert_true(ldns_pkt_tsig_verify(r, buf, (size_t)n, KEY_NAME, SECRET,
					 NULL));
	ldns_pkt_free(r);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_algorithm),
		cmocka_unit_test(test_secret),
		cmocka_unit_test(test_verify),
		cmocka_unit_test(test_algorithm_mismatch),
		cmocka_unit_test(test_sign_stream),
		cmocka_unit_test(test_sign_request),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
