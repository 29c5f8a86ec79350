/* SPDX-License-Identifier: MIT */
/* test_vip.c -- unit tests for VIP pools, allocation and the table API. */
#include "autoconfig.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "build/state.h"
#include "build/vip.h"
#include "state_fx.h"

/* Allocation */

static void
t_next_fit_order(void **state)
{
	static const char *const keys[] = { "a", "b", "c" };
	struct state *st = state_new();
	char got[3][200];

	run1(st, "241.0.0.0/8", keys, 3, 1000, 3600, 1, got);
	assert_string_equal(got[0], "241.0.0.1");
	assert_string_equal(got[1], "241.0.0.2");
	assert_string_equal(got[2], "241.0.0.3");
	assert_int_equal(vip_table_assigned(state_vips(st)), 3);
	assert_int_equal(vip_table_held(state_vips(st)), 0);
	assert_text_contains(st, "cursor 241.0.0.0/8 241.0.0.4\n");

	/* Another round, other order: nothing moves. */
	{
		static const char *const again[] = { "c", "b", "a" };

		run1(st, "241.0.0.0/8", again, 3, 1001, 3600, 1, got);
		assert_string_equal(got[0], "241.0.0.3");
		assert_string_equal(got[1], "241.0.0.2");
		assert_string_equal(got[2], "241.0.0.1");
	}
	state_free(st);
}

/* Kuma's "should not reuse IPs", across hold-back and its expiry. */
static void
t_no_reuse(void **state)
{
	static const char *const r1[] = { "a", "b" };
	static const char *const r2[] = { "a", "c" };
	static const char *const r3[] = { "a", "c", "d" };
	struct state *st = state_new();
	char got[3][200];

	run1(st, "241.0.0.0/8", r1, 2, 1000, 3600, 1, got);
	assert_string_equal(got[1], "241.0.0.2");

	run1(st, "241.0.0.0/8", r2, 2, 1010, 3600, 1, got);
	assert_string_equal(got[0], "241.0.0.1");
	assert_string_equal(got[1], "241.0.0.3");
	assert_int_equal(vip_table_held(state_vips(st)), 1);
	assert_text_contains(st, "held 241.0.0.2 4610 b\n");

	/* The hold ran out: b's address is free, but the cursor goes on. */
	run1(st, "241.0.0.0/8", r3, 3, 4610, 3600, 1, got);
	assert_string_equal(got[2], "241.0.0.4");
	assert_int_equal(vip_table_held(state_vips(st)), 0);
	assert_int_equal(vip_table_assigned(state_vips(st)), 3);
	assert_text_lacks(st, "241.0.0.2 ");
	state_free(st);
}

static void
t_comeback(void **state)
{
	static const char *const ab[] = { "a", "b" };
	static const char *const a[] = { "a" };
	static const char *const abc[] = { "a", "b", "c" };
	struct state *st = state_new();
	char got[3][200];

	run1(st, "241.0.0.0/8", ab, 2, 0, 3600, 1, got);
	run1(st, "241.0.0.0/8", a, 1, 10, 3600, 1, got);
	assert_int_equal(vip_table_held(state_vips(st)), 1);
	run1(st, "241.0.0.0/8", abc, 3, 20, 3600, 1, got);
	assert_string_equal(got[1], "241.0.0.2");
	assert_string_equal(got[2], "241.0.0.3");
	assert_int_equal(vip_table_held(state_vips(st)), 0);
	assert_int_equal(vip_table_assigned(state_vips(st)), 3);
	state_free(st);
}

/*
 * A hold that ran out since the last round still returns the VIP to its
 * owner (nobody else can have had it); a hold that was forgotten does not.
 */
static void
t_comeback_after_hold(void **state)
{
	static const char *const ab[] = { "a", "b" };
	static const char *const a[] = { "a" };
	static const char *const ac[] = { "a", "c" };
	struct state *st = state_new();
	struct state *st2 = NULL;
	char got[3][200];

	run1(st, "241.0.0.0/8", ab, 2, 0, 3600, 1, got);
	run1(st, "241.0.0.0/8", a, 1, 10, 100, 1, got);
	st2 = state_clone(st);
	assert_non_null(st2);

	run1(st, "241.0.0.0/8", ab, 2, 500, 100, 1, got);
	assert_string_equal(got[1], "241.0.0.2");

	run1(st2, "241.0.0.0/8", ac, 2, 500, 100, 1, got);
	assert_string_equal(got[1], "241.0.0.3");
	assert_int_equal(vip_table_held(state_vips(st2)), 0);
	run1(st2, "241.0.0.0/8", ab, 2, 600, 100, 1, got);
	assert_string_equal(got[1], "241.0.0.4");
	state_free(st);
	state_free(st2);
}

static void
t_release_zero(void **state)
{
	static const char *const ab[] = { "a", "b" };
	static const char *const a[] = { "a" };
	static const char *const ac[] = { "a", "c" };
	struct state *st = state_new();
	char got[3][200];

	run1(st, "241.0.0.0/8", ab, 2, 0, 3600, 1, got);
	run1(st, "241.0.0.0/8", a, 1, 10, 3600, 0, got);
	assert_int_equal(vip_table_assigned(state_vips(st)), 2);
	assert_int_equal(vip_table_held(state_vips(st)), 0);
	assert_text_contains(st, "assign 241.0.0.2 b\n");
	run1(st, "241.0.0.0/8", ac, 2, 20, 3600, 0, got);
	assert_string_equal(got[1], "241.0.0.3");
	run1(st, "241.0.0.0/8", ab, 2, 30, 3600, 1, got);
	assert_string_equal(got[1], "241.0.0.2");
	state_free(st);
}

static void
t_hold_zero(void **state)
{
	static const char *const ab[] = { "a", "b" };
	static const char *const ac[] = { "a", "c" };
	struct state *st = state_new();
	char got[3][200];

	run1(st, "241.0.0.0/8", ab, 2, 0, 0, 1, got);
	run1(st, "241.0.0.0/8", ac, 2, 10, 0, 1, got);
	assert_string_equal(got[1], "241.0.0.3");
	assert_int_equal(vip_table_held(state_vips(st)), 0);
	assert_int_equal(vip_table_assigned(state_vips(st)), 2);
	state_free(st);
}

/*
 * vip_release(), then a round for the rest with release off: what one
 * round over everyone gives (b gone, c new), with a hold and without.
 */
static void
t_release_keys(void **state)
{
	static const char *const abd[] = { "a", "b", "d" };
	static const char *const ad[] = { "a", "c", "d" };
	static const char *const gone[] = { "b", "nobody" };
	static const char *const c[] = { "c" };
	int64_t hold;

	for (hold = 0; hold <= 3600; hold += 3600) {
		struct state *full = state_new();
		struct state *incr = NULL;
		char got[3][200];
		char one[1][200];

		run1(full, "241.0.0.0/8", abd, 3, 1000, hold, 1, got);
		incr = state_clone(full);
		assert_non_null(incr);
		run1(full, "241.0.0.0/8", ad, 3, 1010, hold, 1, got);
		assert_int_equal(vip_release(state_vips(incr), gone, 2, 1010,
					     hold), 0);
		run1(incr, "241.0.0.0/8", c, 1, 1010, hold, 0, one);
		assert_string_equal(one[0], got[1]);
		assert_true(state_equal(full, incr));
		assert_int_equal(vip_table_held(state_vips(incr)),
				 hold > 0 ? 1 : 0);
		state_free(full);
		state_free(incr);
	}
}

/* Kuma's legacy 240.0.0.0/4 overlaps 241.0.0.0/8. */
static void
t_overlap_legacy(void **state)
{
	static const char *const cidrs[] = { "240.0.0.0/4", "241.0.0.0/8" };
	static const struct req rq[] = {
		{ "x", 1, NULL },
		{ "y", 0, NULL },
		{ "z", 1, NULL },
	};
	struct state *st = state_from(
		"cursor 240.0.0.0/4 241.0.0.1\n"
		"assign 241.0.0.1 x\n"
		"held 241.0.0.2 9999 h\n");
	char got[3][200];

	run(st, cidrs, 2, rq, 3, 100, 3600, 1, got);
	assert_string_equal(got[0], "241.0.0.1");
	assert_string_equal(got[1], "241.0.0.3");
	assert_string_equal(got[2], "241.0.0.4");
	state_free(st);
}

static void
t_overlap_exhaustive(void **state)
{
	static const char *const cidrs[] = { "10.0.0.0/28", "10.0.0.0/29" };
	static const char *const keys[] = {
		"p0", "q0", "p1", "q1", "p2", "q2", "p3", "q3", "p4", "q4",
		"p5", "q5", "p6", "q6", "p7", "q7", "p8", "q8", "p9", "q9",
	};
	static const char *const want[] = {
		"10.0.0.1", "10.0.0.2", "10.0.0.3", "10.0.0.4", "10.0.0.5",
		"10.0.0.6", "10.0.0.7", "ENOSPC", "10.0.0.8", "ENOSPC",
		"10.0.0.9", "ENOSPC", "10.0.0.10", "ENOSPC", "10.0.0.11",
		"ENOSPC", "10.0.0.12", "ENOSPC", "10.0.0.13", "ENOSPC",
	};
	struct req rq[20];
	struct state *st = state_new();
	char got[20][200];
	size_t i;

	for (i = 0; i < 20; i++) {
		rq[i].key = keys[i];
		rq[i].pool = i % 2;
		rq[i].pin = NULL;
	}
	run(st, cidrs, 2, rq, 20, 0, 3600, 1, got);
	for (i = 0; i < 20; i++)
		assert_string_equal(got[i], want[i]);
	assert_int_equal(vip_table_assigned(state_vips(st)), 13);
	state_free(st);
}

static void
t_exhaustion(void **state)
{
	static const struct {
		const char *cidr;
		const char *want[4];
	} cases[] = {
		{ "10.0.0.0/30", { "10.0.0.1", "10.0.0.2", "ENOSPC",
				   "ENOSPC" } },
		{ "10.0.0.0/29", { "10.0.0.1", "10.0.0.2", "10.0.0.3",
				   "10.0.0.4" } },
		{ "10.0.0.0/31", { "10.0.0.0", "10.0.0.1", "ENOSPC",
				   "ENOSPC" } },
		{ "10.0.0.7/32", { "10.0.0.7", "ENOSPC", "ENOSPC",
				   "ENOSPC" } },
		{ "fd00::/126", { "fd00::1", "fd00::2", "fd00::3",
				  "ENOSPC" } },
		{ "fd00::/127", { "fd00::", "fd00::1", "ENOSPC",
				  "ENOSPC" } },
		{ "fd00::/128", { "fd00::", "ENOSPC", "ENOSPC",
				  "ENOSPC" } },
	};
	static const char *const keys[] = { "a", "b", "c", "d" };
	size_t i;
	size_t j;

	for (i = 0; i < N(cases); i++) {
		struct state *st = state_new();
		char got[4][200];

		run1(st, cases[i].cidr, keys, 4, 0, 3600, 1, got);
		for (j = 0; j < 4; j++)
			if (strcmp(got[j], cases[i].want[j]) != 0)
				fail_msg("%s: request %zu got %s, want %s",
					 cases[i].cidr, j, got[j],
					 cases[i].want[j]);
		/* The next round is the same. */
		run1(st, cases[i].cidr, keys, 4, 10, 3600, 1, got);
		for (j = 0; j < 4; j++)
			assert_string_equal(got[j], cases[i].want[j]);
		state_free(st);
	}
}

/* A full pool fails its own requests only. */
static void
t_exhaustion_others_served(void **state)
{
	static const char *const cidrs[] = { "10.0.0.0/30", "10.1.0.0/24" };
	static const struct req rq[] = {
		{ "a", 0, NULL }, { "b", 0, NULL }, { "c", 0, NULL },
		{ "d", 1, NULL }, { "e", 0, NULL }, { "f", 1, NULL },
	};
	static const char *const want[] = {
		"10.0.0.1", "10.0.0.2", "ENOSPC", "10.1.0.1", "ENOSPC",
		"10.1.0.2",
	};
	struct state *st = state_new();
	char got[6][200];
	size_t i;

	run(st, cidrs, 2, rq, 6, 0, 3600, 1, got);
	for (i = 0; i < N(want); i++)
		assert_string_equal(got[i], want[i]);
	assert_int_equal(vip_table_assigned(state_vips(st)), 4);
	state_free(st);
}

static void
t_wraparound(void **state)
{
	static const char *const r1[] = { "k1", "k2", "k3", "k4", "k5",
					  "k6" };
	static const char *const r2[] = { "k2", "k3", "k4", "k5", "k6",
					  "k7" };
	static const char *const r3[] = { "k2", "k4", "k5", "k6", "k7",
					  "k8" };
	struct state *st = state_new();
	char got[6][200];

	run1(st, "10.0.0.0/29", r1, 6, 0, 0, 1, got);
	assert_string_equal(got[5], "10.0.0.6");
	assert_text_contains(st, "cursor 10.0.0.0/29 10.0.0.1\n");

	/* k1 released with no hold: k7 wraps around to it. */
	run1(st, "10.0.0.0/29", r2, 6, 10, 0, 1, got);
	assert_string_equal(got[5], "10.0.0.1");
	assert_text_contains(st, "cursor 10.0.0.0/29 10.0.0.2\n");

	/* k3 released but held back: the pool is full for k8. */
	run1(st, "10.0.0.0/29", r3, 6, 20, 3600, 1, got);
	assert_string_equal(got[5], "ENOSPC");
	assert_int_equal(vip_table_held(state_vips(st)), 1);
	state_free(st);
}

/* The search starts at the cursor and wraps past the end once. */
static void
t_wrap_from_cursor(void **state)
{
	static const char *const keys[] = { "n1", "n2" };
	struct state *st = state_from(
		"cursor 10.0.0.0/29 10.0.0.5\n"
		"assign 10.0.0.2 u2\n"
		"assign 10.0.0.5 u5\n"
		"assign 10.0.0.6 u6\n");
	char got[2][200];

	run1(st, "10.0.0.0/29", keys, 2, 0, 3600, 1, got);
	assert_string_equal(got[0], "10.0.0.1");
	assert_string_equal(got[1], "10.0.0.3");
	assert_text_contains(st, "cursor 10.0.0.0/29 10.0.0.4\n");
	state_free(st);
}

/* 128-bit pools wrap without overflow; so does 0.0.0.0/0. */
static void
t_wrap_large(void **state)
{
	static const struct {
		const char *records;
		const char *cidr;
		const char *first;
		const char *second;
	} cases[] = {
		{ "cursor fd00::/64 fd00::ffff:ffff:ffff:ffff\n", "fd00::/64",
		  "fd00::ffff:ffff:ffff:ffff", "fd00::1" },
		{ "cursor ::/0 ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff\n",
		  "::/0", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "::1" },
		{ "cursor 0.0.0.0/0 255.255.255.254\n", "0.0.0.0/0",
		  "255.255.255.254", "0.0.0.1" },
		{ "", "::/0", "::1", "::2" },
	};
	static const char *const keys[] = { "a", "b" };
	size_t i;

	for (i = 0; i < N(cases); i++) {
		struct state *st = state_from(cases[i].records);
		char got[2][200];

		run1(st, cases[i].cidr, keys, 2, 0, 3600, 1, got);
		assert_string_equal(got[0], cases[i].first);
		assert_string_equal(got[1], cases[i].second);
		state_free(st);
	}
}

/* A changed CIDR is a new pool with a cursor of its own. */
static void
t_cursor_per_pool(void **state)
{
	static const char *const ab[] = { "a", "b" };
	static const char *const abc[] = { "a", "b", "c" };
	struct state *st = state_new();
	char got[3][200];

	run1(st, "241.0.0.0/8", ab, 2, 0, 3600, 1, got);
	run1(st, "241.0.0.0/16", abc, 3, 10, 3600, 1, got);
	assert_string_equal(got[0], "241.0.0.1");
	assert_string_equal(got[2], "241.0.0.3");
	/* Sorted as text: "/16" before "/8". */
	assert_text_contains(st, "cursor 241.0.0.0/16 241.0.0.4\n"
			     "cursor 241.0.0.0/8 241.0.0.3\n");
	state_free(st);
}

static void
t_ipv6(void **state)
{
	static const char *const cidrs[] = { "241.0.0.0/8", "fd00::/120" };
	static const struct req rq[] = {
		{ "a", 0, NULL }, { "b", 1, NULL }, { "c", 0, NULL },
		{ "d", 1, NULL },
	};
	struct state *st = state_new();
	char got[4][200];

	run(st, cidrs, 2, rq, 4, 0, 3600, 1, got);
	assert_string_equal(got[0], "241.0.0.1");
	assert_string_equal(got[1], "fd00::1");
	assert_string_equal(got[2], "241.0.0.2");
	assert_string_equal(got[3], "fd00::2");
	state_free(st);

	/* The last address of an IPv6 pool is given: no broadcast. */
	st = state_from("cursor fd00::/120 fd00::fe\n");
	run(st, cidrs, 2, rq + 1, 3, 0, 3600, 1, got);
	assert_string_equal(got[0], "fd00::fe");
	assert_string_equal(got[2], "fd00::ff");
	assert_text_contains(st, "cursor fd00::/120 fd00::1\n");
	state_free(st);
}

static void
t_pinned_inside(void **state)
{
	static const char *const cidr[] = { "241.0.0.0/8" };
	static const struct req r1[] = {
		{ "a", 0, "241.0.0.1" }, { "b", 0, NULL },
	};
	static const struct req r2[] = {
		{ "a", 0, NULL }, { "b", 0, NULL }, { "c", 0, NULL },
	};
	struct state *st = state_new();
	char got[3][200];

	run(st, cidr, 1, r1, 2, 0, 3600, 1, got);
	assert_string_equal(got[0], "241.0.0.1");
	assert_string_equal(got[1], "241.0.0.2");
	/* The pin is gone from the resource: the VIP stays. */
	run(st, cidr, 1, r2, 3, 10, 3600, 1, got);
	assert_string_equal(got[0], "241.0.0.1");
	assert_string_equal(got[1], "241.0.0.2");
	assert_string_equal(got[2], "241.0.0.3");
	state_free(st);
}

static void
t_pinned_outside(void **state)
{
	static const char *const cidr[] = { "241.0.0.0/8" };
	static const struct req r1[] = {
		{ "a", 0, "10.96.0.10" }, { "b", 0, NULL },
		{ "c", 0, "fd00::10" },
	};
	static const struct req r2[] = { { "a", 0, NULL } };
	struct state *st = state_new();
	char got[3][200];

	run(st, cidr, 1, r1, 3, 0, 3600, 1, got);
	assert_string_equal(got[0], "10.96.0.10");
	assert_string_equal(got[1], "241.0.0.1");
	assert_string_equal(got[2], "fd00::10");
	assert_int_equal(vip_table_assigned(state_vips(st)), 3);
	assert_text_contains(st, "assign 10.96.0.10 a\n");
	run(st, cidr, 1, r2, 1, 10, 3600, 1, got);
	assert_string_equal(got[0], "10.96.0.10");
	state_free(st);
}

/* A pin takes the address from a service without one, whatever order. */
static void
t_pinned_takes(void **state)
{
	static const char *const cidr[] = { "241.0.0.0/8" };
	static const struct req r1[] = { { "b", 0, NULL } };
	static const struct req r2[] = {
		{ "b", 0, NULL }, { "a", 0, "241.0.0.1" },
	};
	struct state *st = state_new();
	char got[2][200];

	run(st, cidr, 1, r1, 1, 0, 3600, 1, got);
	assert_string_equal(got[0], "241.0.0.1");
	run(st, cidr, 1, r2, 2, 10, 3600, 1, got);
	assert_string_equal(got[0], "241.0.0.2");
	assert_string_equal(got[1], "241.0.0.1");
	assert_int_equal(vip_table_assigned(state_vips(st)), 2);
	assert_int_equal(vip_table_held(state_vips(st)), 0);
	state_free(st);
}

static void
t_pinned_contested(void **state)
{
	static const char *const cidr[] = { "241.0.0.0/8" };
	static const struct req r1[] = { { "b", 0, "241.0.0.5" } };
	static const struct req r2[] = {
		{ "a", 0, "241.0.0.5" }, { "b", 0, "241.0.0.5" },
		{ "c", 0, NULL },
	};
	static const struct req r3[] = {
		{ "a", 0, "241.0.0.5" }, { "b", 0, NULL },
	};
	struct state *st = state_new();
	char got[3][200];

	run(st, cidr, 1, r1, 1, 0, 3600, 1, got);
	assert_string_equal(got[0], "241.0.0.5");
	/* Request order decides, not who had it. */
	run(st, cidr, 1, r2, 3, 10, 3600, 1, got);
	assert_string_equal(got[0], "241.0.0.5");
	assert_string_equal(got[1], "EEXIST a");
	assert_string_equal(got[2], "241.0.0.1");
	assert_int_equal(vip_table_assigned(state_vips(st)), 2);
	assert_text_contains(st, "assign 241.0.0.5 a\n");
	run(st, cidr, 1, r3, 2, 20, 3600, 1, got);
	assert_string_equal(got[1], "241.0.0.2");
	state_free(st);
}

/* A new pin for a key holds its old address back for it. */
static void
t_pin_changes(void **state)
{
	static const char *const cidr[] = { "241.0.0.0/8" };
	static const struct req r1[] = { { "a", 0, NULL } };
	static const struct req r2[] = {
		{ "a", 0, "10.9.9.9" }, { "c", 0, NULL },
	};
	static const struct req r3[] = { { "a", 0, NULL }, { "c", 0, NULL } };
	struct state *st = state_new();
	char got[2][200];

	run(st, cidr, 1, r1, 1, 0, 3600, 1, got);
	run(st, cidr, 1, r2, 2, 10, 3600, 1, got);
	assert_string_equal(got[0], "10.9.9.9");
	assert_string_equal(got[1], "241.0.0.2");
	assert_text_contains(st, "held 241.0.0.1 3610 a\n");
	run(st, cidr, 1, r3, 2, 20, 3600, 1, got);
	assert_string_equal(got[0], "10.9.9.9");
	assert_string_equal(got[1], "241.0.0.2");
	state_free(st);
}

/* A pin beats a hold-back; the released service gets a new VIP. */
static void
t_pinned_over_held(void **state)
{
	static const char *const cidr[] = { "241.0.0.0/8" };
	static const struct req r1[] = { { "a", 0, NULL }, { "b", 0, NULL } };
	static const struct req r2[] = { { "a", 0, NULL } };
	static const struct req r3[] = {
		{ "a", 0, NULL }, { "c", 0, "241.0.0.2" },
	};
	static const struct req r4[] = {
		{ "a", 0, NULL }, { "b", 0, NULL }, { "c", 0, NULL },
	};
	struct state *st = state_new();
	char got[3][200];

	run(st, cidr, 1, r1, 2, 0, 3600, 1, got);
	run(st, cidr, 1, r2, 1, 10, 3600, 1, got);
	run(st, cidr, 1, r3, 2, 20, 3600, 1, got);
	assert_string_equal(got[1], "241.0.0.2");
	assert_int_equal(vip_table_held(state_vips(st)), 0);
	run(st, cidr, 1, r4, 3, 30, 3600, 1, got);
	assert_string_equal(got[1], "241.0.0.3");
	assert_string_equal(got[2], "241.0.0.2");
	state_free(st);
}

static void
t_invalid_round(void **state)
{
	struct netaddr_cidr pool = mkpool("241.0.0.0/8");
	struct vip_request dup[] = {
		{ "a", 0, NULL }, { "b", 0, NULL }, { "a", 0, NULL },
	};
	struct vip_request space[] = { { "a b", 0, NULL } };
	struct vip_request empty[] = { { "", 0, NULL } };
	struct vip_request badpool[] = { { "a", 1, NULL } };
	struct vip_request ok[] = { { "x", 0, NULL } };
	struct vip_result res[3];
	struct state *st = NULL;
	struct vip_table *t = NULL;
	struct state *before = NULL;
	char got[1][200];
	static const char *const keys[] = { "z" };

	st = state_new();
	t = state_vips(st);
	run1(st, "241.0.0.0/8", keys, 1, 0, 3600, 1, got);
	before = state_clone(st);
	assert_non_null(before);
	assert_int_equal(vip_allocate(t, &pool, 1, dup, 3, res, 10, 3600, 1),
			 -EINVAL);
	assert_int_equal(vip_allocate(t, &pool, 1, space, 1, res, 10, 3600,
				      1), -EINVAL);
	assert_int_equal(vip_allocate(t, &pool, 1, empty, 1, res, 10, 3600,
				      1), -EINVAL);
	assert_int_equal(vip_allocate(t, &pool, 1, badpool, 1, res, 10, 3600,
				      1), -EINVAL);
	pool.prefix = 33;
	assert_int_equal(vip_allocate(t, &pool, 1, ok, 1, res, 10, 3600, 1),
			 -EINVAL);
	/* Not made by netaddr_cidr_parse(): its text would not read back. */
	pool = mkpool("241.0.0.0/8");
	pool.text[0] = '\0';
	assert_int_equal(vip_allocate(t, &pool, 1, ok, 1, res, 10, 3600, 1),
			 -EINVAL);
	pool = mkpool("241.0.0.0/8");
	pool.prefix = 16;
	assert_int_equal(vip_allocate(t, &pool, 1, ok, 1, res, 10, 3600, 1),
			 -EINVAL);
	assert_true(state_equal(st, before));
	state_free(st);
	state_free(before);
}

/* Many services: linear enough to run under the sanitizers. */
static void
t_many(void **state)
{
	enum { COUNT = 100000 };
	struct netaddr_cidr pools[2];
	struct vip_request *reqs = calloc(COUNT, sizeof(*reqs));
	struct vip_result *res = calloc(COUNT, sizeof(*res));
	char (*keys)[48] = calloc(COUNT, sizeof(*keys));
	struct state *st = state_new();
	struct vip_table *t = state_vips(st);
	struct state *again = NULL;
	char buf[64];
	size_t i;

	assert_true(reqs != NULL && res != NULL && keys != NULL);
	pools[0] = mkpool("241.0.0.0/8");
	pools[1] = mkpool("fd00::/64");
	for (i = 0; i < COUNT; i++) {
		snprintf(keys[i], sizeof(keys[i]), "MeshService/m/s%zu", i);
		reqs[i].key = keys[i];
		reqs[i].pool = i % 2;
	}
	assert_int_equal(vip_allocate(t, pools, 2, reqs, COUNT, res, 0, 3600,
				      1), 0);
	for (i = 0; i < COUNT; i++)
		assert_int_equal(res[i].status, 0);
	assert_string_equal(netaddr_format(&res[COUNT - 2].addr, buf,
					   sizeof(buf)), "241.0.195.80");
	assert_string_equal(netaddr_format(&res[COUNT - 1].addr, buf,
					   sizeof(buf)), "fd00::c350");
	again = state_clone(st);
	assert_non_null(again);
	/* Half of them gone, then the rest again: nothing else moves. */
	assert_int_equal(vip_allocate(state_vips(again), pools, 2, reqs,
				      COUNT / 2, res, 10, 3600, 1), 0);
	assert_int_equal(vip_table_held(state_vips(again)), COUNT / 2);
	assert_int_equal(vip_allocate(state_vips(again), pools, 2, reqs,
				      COUNT, res, 20, 3600, 1), 0);
	assert_int_equal(vip_table_held(state_vips(again)), 0);
	for (i = 0; i < COUNT; i++)
		assert_int_equal(res[i].status, 0);
	assert_string_equal(netaddr_format(&res[COUNT - 1].addr, buf,
					   sizeof(buf)), "fd00::c350");
	assert_true(state_equal(st, again));
	free(reqs);
	free(res);
	free(keys);
	state_free(st);
	state_free(again);
}

/* The table's own API, which the state file rebuilds it with. */
static void
t_table_api(void **state)
{
	struct vip_table *t = vip_table_new();
	struct vip_table *c = NULL;
	struct netaddr_cidr pool = mkpool("241.0.0.0/8");
	struct netaddr_cidr other = mkpool("fd00::/120");
	struct netaddr a1 = mkaddr("241.0.0.1");
	struct netaddr a2 = mkaddr("241.0.0.2");
	struct netaddr a6 = mkaddr("fd00::1");
	struct netaddr none;
	const struct vip_entry *e = NULL;
	const struct vip_cursor *cur = NULL;

	assert_non_null(t);
	memset(&none, 0, sizeof(none));
	assert_int_equal(vip_table_reserve(t, 10), 0);
	assert_int_equal(vip_table_add(t, &a1, "a", 0, 0), 0);
	assert_int_equal(vip_table_add(t, &a1, "b", 0, 0), -EEXIST);
	assert_int_equal(vip_table_add(t, &a1, "b", 1, 5), -EEXIST);
	assert_int_equal(vip_table_add(t, &a2, "a", 0, 0), -EEXIST);
	assert_int_equal(vip_table_add(t, &a2, "a b", 1, 5), -EINVAL);
	assert_int_equal(vip_table_add(t, &a2, "", 1, 5), -EINVAL);
	assert_int_equal(vip_table_add(t, &none, "c", 0, 0), -EINVAL);
	/* A key with an assignment may have held-back addresses too. */
	assert_int_equal(vip_table_add(t, &a2, "a", 1, 500), 0);
	assert_int_equal(vip_table_add(t, &a6, "b", 1, 400), 0);
	assert_int_equal(vip_table_nentries(t), 3);
	assert_int_equal(vip_table_assigned(t), 1);
	assert_int_equal(vip_table_held(t), 2);
	assert_int_equal(vip_table_first_expiry(t), 400);

	e = vip_table_find_key(t, "a");
	assert_non_null(e);
	assert_true(netaddr_equal(&e->addr, &a1));
	assert_false(e->held);
	assert_null(vip_table_find_key(t, "b"));	/* held only */
	e = vip_table_find_addr(t, &a6);
	assert_non_null(e);
	assert_string_equal(e->key, "b");
	assert_true(e->held);
	assert_int_equal(e->until, 400);
	assert_null(vip_table_find_addr(t, &none));

	assert_int_equal(vip_table_add_cursor(t, &pool, &a2), 0);
	assert_int_equal(vip_table_add_cursor(t, &pool, &a1), -EEXIST);
	assert_int_equal(vip_table_add_cursor(t, &other, &a1), -EINVAL);
	other.text[0] = '\0';
	assert_int_equal(vip_table_add_cursor(t, &other, &a6), -EINVAL);
	assert_int_equal(vip_table_ncursors(t), 1);
	cur = vip_table_cursor(t, 0);
	assert_string_equal(cur->pool, "241.0.0.0/8");
	assert_true(netaddr_equal(&cur->next, &a2));
	assert_ptr_equal(vip_table_find_cursor(t, "241.0.0.0/8"), cur);
	assert_null(vip_table_find_cursor(t, "fd00::/120"));

	c = vip_table_clone(t);
	assert_non_null(c);
	assert_true(vip_table_equal(t, c));
	assert_int_equal(vip_table_add(c, &a6, "x", 0, 0), -EEXIST);
	assert_int_equal(vip_table_add(c, &none, "x", 1, 0), -EINVAL);
	assert_true(vip_table_equal(t, c));
	vip_table_free(c);
	vip_table_free(t);
	vip_table_free(NULL);
}

/*
 * Random rounds that release nothing, made in place, against the same
 * round made by rebuilding the table (release on, with every other
 * assigned key asking too, which keeps them): the same table, results
 * and first expiry; and vip_release() against a round without the
 * released keys.  The table's indices stay right through the in-place
 * changes (every entry found by address, every assignment by key).
 */
static unsigned
rnd32(unsigned *seed, unsigned n)
{
	*seed = *seed * 1103515245u + 12345u;
	return (*seed >> 16) % n;
}

static void
check_indices(const struct vip_table *t)
{
	size_t i;

	for (i = 0; i < vip_table_nentries(t); i++) {
		const struct vip_entry *e = vip_table_entry(t, i);

		assert_ptr_equal(vip_table_find_addr(t, &e->addr), e);
		if (!e->held)
			assert_ptr_equal(vip_table_find_key(t, e->key), e);
	}
}

static void
t_in_place_random(void **state)
{
	struct netaddr_cidr pool;
	unsigned seed;

	(void)state;
	assert_int_equal(netaddr_cidr_parse(&pool, "241.0.0.0/24", NULL, 0),
			 0);
	for (seed = 1; seed <= 60; seed++) {
		struct vip_table *t = vip_table_new();
		unsigned sd = seed;
		int64_t now = 1000;
		int64_t hold = rnd32(&sd, 2) ? 40 : 0;
		int round;

		assert_non_null(t);
		for (round = 0; round < 30; round++) {
			char names[40][16];
			struct netaddr pins[40];
			struct vip_request reqs[40];
			struct vip_result ra[40];
			struct vip_result rb[40];
			struct vip_table *a = vip_table_clone(t);
			struct vip_table *b = vip_table_clone(t);
			size_t n = 0;
			size_t nr;
			size_t i;
			size_t j;

			assert_non_null(a);
			assert_non_null(b);
			now += rnd32(&sd, 30);
			nr = 1 + rnd32(&sd, 6);
			/* This round's keys, some pinning an address that
			 * is free, held, or their own. */
			for (i = 0; i < nr; i++) {
				const struct vip_entry *e = NULL;
				char *p = names[n];

				snprintf(p, 16, "k%u", rnd32(&sd, 30));
				for (j = 0; j < n; j++)
					if (strcmp(names[j], p) == 0)
						break;
				if (j < n)
					continue;
				memset(&reqs[n], 0, sizeof(reqs[n]));
				reqs[n].key = p;
				if (rnd32(&sd, 4) == 0) {
					memset(&pins[n], 0, sizeof(pins[n]));
					pins[n].family = AF_INET;
					pins[n].b[0] = 241;
					pins[n].b[3] = (uint8_t)(1 +
						rnd32(&sd, 60));
					e = vip_table_find_addr(t, &pins[n]);
					if (e == NULL || e->held ||
					    strcmp(e->key, p) == 0)
						reqs[n].pinned = &pins[n];
				}
				n++;
			}
			nr = n;
			/* The reference: every other assignment asks. */
			for (i = 0; i < vip_table_nentries(t) && n < 40;
			     i++) {
				const struct vip_entry *e =
					vip_table_entry(t, i);

				if (e->held)
					continue;
				for (j = 0; j < nr; j++)
					if (strcmp(reqs[j].key, e->key) == 0)
						break;
				if (j < nr)
					continue;
				memset(&reqs[n], 0, sizeof(reqs[n]));
				reqs[n].key = e->key;
				n++;
			}
			assert_int_equal(vip_allocate(a, &pool, 1, reqs, nr,
						      ra, now, hold, 0), 0);
			assert_int_equal(vip_allocate(b, &pool, 1, reqs, n,
						      rb, now, hold, 1), 0);
			check_indices(a);
			if (!vip_table_equal(a, b))
				fail_msg("seed %u round %d: tables differ",
					 seed, round);
			assert_int_equal(vip_table_first_expiry(a),
					 vip_table_first_expiry(b));
			for (i = 0; i < nr; i++) {
				assert_int_equal(ra[i].status, rb[i].status);
				if (ra[i].status == 0)
					assert_true(netaddr_equal(&ra[i].addr,
								  &rb[i].addr));
			}
			vip_table_free(b);
			/* Now and then services go, while nothing expires. */
			if (rnd32(&sd, 3) == 0 &&
			    vip_table_first_expiry(a) > now) {
				const char *gone[2];
				size_t ng = 0;

				b = vip_table_clone(a);
				assert_non_null(b);
				n = 0;
				for (i = 0; i < vip_table_nentries(a); i++) {
					const struct vip_entry *e =
						vip_table_entry(a, i);

					if (e->held)
						continue;
					if (ng < 2 && rnd32(&sd, 3) == 0) {
						gone[ng++] = e->key;
						continue;
					}
					memset(&reqs[n], 0, sizeof(reqs[n]));
					reqs[n].key = e->key;
					n++;
				}
				assert_int_equal(vip_allocate(b, &pool, 1,
					reqs, n, rb, now, hold, 1), 0);
				assert_int_equal(vip_release(a, gone, ng, now,
							     hold), 0);
				check_indices(a);
				if (!vip_table_equal(a, b))
					fail_msg("seed %u round %d: release "
						 "differs", seed, round);
				assert_int_equal(vip_table_first_expiry(a),
						 vip_table_first_expiry(b));
				vip_table_free(b);
			}
			vip_table_free(t);
			t = a;
		}
		vip_table_free(t);
	}
}

/* A clone shares the keys; a round that releases nothing keeps them. */
static void
t_clone_shares(void **state)
{
	static const char *const keys[] = { "a", "b", "c" };
	struct netaddr_cidr pool;
	struct vip_request reqs[1];
	struct vip_result res[1];
	struct vip_table *t = vip_table_new();
	struct vip_table *c = NULL;
	const struct vip_entry *e = NULL;
	const char *bkey = NULL;
	size_t i;

	(void)state;
	assert_int_equal(netaddr_cidr_parse(&pool, "241.0.0.0/24", NULL, 0),
			 0);
	for (i = 0; i < 3; i++) {
		memset(&reqs[0], 0, sizeof(reqs[0]));
		reqs[0].key = keys[i];
		assert_int_equal(vip_allocate(t, &pool, 1, reqs, 1, res, 100,
					      0, 0), 0);
	}
	bkey = vip_table_find_key(t, "b")->key;
	c = vip_table_clone(t);
	assert_non_null(c);
	assert_true(vip_table_equal(t, c));
	assert_ptr_equal(vip_table_find_key(c, "b")->key, bkey);
	memset(&reqs[0], 0, sizeof(reqs[0]));
	reqs[0].key = "d";
	assert_int_equal(vip_allocate(c, &pool, 1, reqs, 1, res, 100, 0, 0),
			 0);
	e = vip_table_find_key(c, "b");
	assert_ptr_equal(e->key, bkey);
	assert_false(vip_table_equal(t, c));
	/* The original is as it was, and outlives nothing it lent. */
	vip_table_free(t);
	assert_string_equal(vip_table_find_key(c, "b")->key, "b");
	assert_int_equal(vip_table_assigned(c), 4);
	vip_table_free(c);
}

/*
 * A long chain of clones, each releasing one key and adding one, each
 * freeing the one before: every key stays readable (no key freed while a
 * table has it: the address sanitizer says), a clone shares its
 * original's keys (copies none), and the released keys kept alive stay
 * bounded.
 */
static void
t_clone_chain(void **state)
{
	struct netaddr_cidr pool;
	struct vip_request req;
	struct vip_result res;
	struct vip_table *t = vip_table_new();
	struct vip_table *c = NULL;
	char key[32];
	char gone[32];
	const char *keys[1];
	size_t maxkept = 0;
	size_t copied = 0;
	size_t i;

	(void)state;
	assert_int_equal(netaddr_cidr_parse(&pool, "241.0.0.0/8", NULL, 0),
			 0);
	for (i = 0; i < 200; i++) {
		snprintf(key, sizeof(key), "svc-%zu", i);
		memset(&req, 0, sizeof(req));
		req.key = key;
		assert_int_equal(vip_allocate(t, &pool, 1, &req, 1, &res, 100,
					      0, 0), 0);
	}
	assert_int_equal(vip_table_keys_kept(t), 200);
	for (i = 0; i < 3000; i++) {
		c = vip_table_clone(t);
		assert_non_null(c);
		assert_true(vip_table_equal(t, c));
		/*
		 * Shared, not copied; but now and then the chain is left
		 * behind: the clone has copies of the live keys only.
		 */
		if (vip_table_keys_kept(c) != vip_table_keys_kept(t)) {
			assert_int_equal(vip_table_keys_kept(c),
					 vip_table_nentries(t));
			copied++;
		}
		snprintf(gone, sizeof(gone), "svc-%zu", i);
		keys[0] = gone;
		assert_int_equal(vip_release(c, keys, 1, 100, 0), 0);
		snprintf(key, sizeof(key), "svc-%zu", i + 200);
		memset(&req, 0, sizeof(req));
		req.key = key;
		assert_int_equal(vip_allocate(c, &pool, 1, &req, 1, &res, 100,
					      0, 0), 0);
		vip_table_free(t);
		t = c;
		c = NULL;
		assert_int_equal(vip_table_assigned(t), 200);
		assert_null(vip_table_find_key(t, gone));
		assert_non_null(vip_table_find_key(t, key));
		snprintf(key, sizeof(key), "svc-%zu", i + 1);
		assert_string_equal(vip_table_find_key(t, key)->key, key);
		if (vip_table_keys_kept(t) > maxkept)
			maxkept = vip_table_keys_kept(t);
	}
	/* Released keys were let go: not all 3000 kept; copies were rare. */
	assert_true(maxkept <= 2 * 200 + 1024 + 1);
	assert_true(maxkept > 200);
	assert_true(copied >= 2 && copied <= 3);
	for (i = 3000; i < 3200; i++) {
		snprintf(key, sizeof(key), "svc-%zu", i);
		assert_string_equal(vip_table_find_key(t, key)->key, key);
	}
	vip_table_free(t);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(t_next_fit_order),
		cmocka_unit_test(t_no_reuse),
		cmocka_unit_test(t_comeback),
		cmocka_unit_test(t_comeback_after_hold),
		cmocka_unit_test(t_release_zero),
		cmocka_unit_test(t_hold_zero),
		cmocka_unit_test(t_release_keys),
		cmocka_unit_test(t_overlap_legacy),
		cmocka_unit_test(t_overlap_exhaustive),
		cmocka_unit_test(t_exhaustion),
		cmocka_unit_test(t_exhaustion_others_served),
		cmocka_unit_test(t_wraparound),
		cmocka_unit_test(t_wrap_from_cursor),
		cmocka_unit_test(t_wrap_large),
		cmocka_unit_test(t_cursor_per_pool),
		cmocka_unit_test(t_ipv6),
		cmocka_unit_test(t_pinned_inside),
		cmocka_unit_test(t_pinned_outside),
		cmocka_unit_test(t_pinned_takes),
		cmocka_unit_test(t_pinned_contested),
		cmocka_unit_test(t_pin_changes),
		cmocka_unit_test(t_pinned_over_held),
		cmocka_unit_test(t_invalid_round),
		cmocka_unit_test(t_many),
		cmocka_unit_test(t_table_api),
		cmocka_unit_test(t_in_place_random),
		cmocka_unit_test(t_clone_shares),
		cmocka_unit_test(t_clone_chain),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
