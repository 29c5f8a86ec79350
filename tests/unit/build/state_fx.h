/* SPDX-License-Identifier: MIT */
/*
 * state_fx.h -- what the tests of vip and state share: allocation rounds
 * from request tables, state from the text of records (with a CRC-32
 * written independently of state.c's), and checks on the text a state
 * gives.  The state text (state.h) is the oracle for what a round left
 * behind.  Include it after <cmocka.h>.
 */
#ifndef MESHDNS_STATE_FX_H
#define MESHDNS_STATE_FX_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "build/state.h"
#include "build/vip.h"
#include "util/netaddr.h"

#ifndef N
#define N(a) (sizeof(a) / sizeof((a)[0]))
#endif

struct req {
	const char *key;
	size_t pool;
	const char *pin;	/* NULL: none */
};

static inline struct netaddr_cidr
mkpool(const char *cidr)
{
	struct netaddr_cidr p;
	char err[256];

	if (netaddr_cidr_parse(&p, cidr, err, sizeof(err)) < 0)
		fail_msg("%s: %s", cidr, err);
	return p;
}

static inline struct netaddr
mkaddr(const char *text)
{
	struct netaddr a;

	if (netaddr_parse(&a, text) < 0)
		fail_msg("bad address %s", text);
	return a;
}

/*
 * One round over @cidrs; every result goes into got[i] as the address,
 * "ENOSPC" or "EEXIST <other>".
 */
static inline void
run(struct state *st, const char *const *cidrs, size_t ncidrs,
    const struct req *rq, size_t n, int64_t now, int64_t hold, int release,
    char (*got)[200])
{
	struct vip_table *t = state_vips(st);
	struct netaddr_cidr pools[8];
	struct vip_request reqs[64];
	struct vip_result res[64];
	struct netaddr pins[64];
	size_t i;

	assert_true(ncidrs <= N(pools) && n <= N(reqs));
	for (i = 0; i < ncidrs; i++)
		pools[i] = mkpool(cidrs[i]);
	for (i = 0; i < n; i++) {
		reqs[i].key = rq[i].key;
		reqs[i].pool = rq[i].pool;
		reqs[i].pinned = NULL;
		if (rq[i].pin != NULL) {
			pins[i] = mkaddr(rq[i].pin);
			reqs[i].pinned = &pins[i];
		}
	}
	assert_int_equal(vip_allocate(t, pools, ncidrs, reqs, n, res, now,
				      hold, release), 0);
	for (i = 0; i < n; i++) {
		char buf[64];

		if (res[i].status == 0)
			snprintf(got[i], 200, "%s",
				 netaddr_format(&res[i].addr, buf,
						sizeof(buf)));
		else if (res[i].status == -ENOSPC)
			snprintf(got[i], 200, "ENOSPC");
		else if (res[i].status == -EEXIST)
			snprintf(got[i], 200, "EEXIST %s", res[i].other);
		else
			snprintf(got[i], 200, "status %d", res[i].status);
	}
}

/* A round over one pool, keys without pins. */
static inline void
run1(struct state *st, const char *cidr, const char *const *keys,
     size_t n, int64_t now, int64_t hold, int release, char (*got)[200])
{
	struct req rq[64];
	size_t i;

	assert_true(n <= N(rq));
	for (i = 0; i < n; i++) {
		rq[i].key = keys[i];
		rq[i].pool = 0;
		rq[i].pin = NULL;
	}
	run(st, &cidr, 1, rq, n, now, hold, release, got);
}

/* A CRC-32 written independently of state.c's (bit by bit). */
static inline uint32_t
crc32_slow(const char *p, size_t len)
{
	uint32_t crc = 0xffffffffu;
	size_t i;
	int b;

	for (i = 0; i < len; i++) {
		crc ^= (unsigned char)p[i];
		for (b = 0; b < 8; b++)
			crc = (crc >> 1) ^ (0xedb88320u & (0u - (crc & 1)));
	}
	return ~crc;
}

/* A valid file around @records ("" or lines each ending in "\n"). */
static inline char *
wrap_records(const char *records)
{
	char *body = NULL;
	char *text = NULL;
	size_t lines = 0;
	const char *p = NULL;

	for (p = records; *p != '\0'; p++)
		if (*p == '\n')
			lines++;
	assert_true(asprintf(&body, "meshdns-state 1\n%s", records) > 0);
	assert_true(asprintf(&text, "%send %zu %08x\n", body, lines,
			     crc32_slow(body, strlen(body))) > 0);
	free(body);
	return text;
}

static inline struct state *
state_from(const char *records)
{
	struct state *st = NULL;
	char *text = wrap_records(records);
	char err[256];

	if (state_parse(&st, text, strlen(text), err, sizeof(err)) != 0)
		fail_msg("%s", err);
	free(text);
	return st;
}

static inline char *
text_of(const struct state *st)
{
	char *text = NULL;
	char *z = NULL;
	size_t len = 0;

	assert_int_equal(state_format(st, &text, &len), 0);
	z = malloc(len + 1);
	assert_non_null(z);
	memcpy(z, text, len);
	z[len] = '\0';
	free(text);
	return z;
}

static inline void
assert_text_contains(const struct state *st, const char *line)
{
	char *t = text_of(st);

	if (strstr(t, line) == NULL)
		fail_msg("\"%s\" not in:\n%s", line, t);
	free(t);
}

static inline void
assert_text_lacks(const struct state *st, const char *s)
{
	char *t = text_of(st);

	if (strstr(t, s) != NULL)
		fail_msg("\"%s\" in:\n%s", s, t);
	free(t);
}

#endif
