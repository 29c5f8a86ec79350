/* SPDX-License-Identifier: MIT */
/* test_stats.c -- unit tests for stats: counting, sums, the SIGUSR1 line. */
#include "autoconfig.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "daemon/stats.h"

/* Every outcome counts in its own counter and in no other. */
static void
test_count_outcomes(void **state)
{
	static const struct {
		enum answer_outcome o;
		size_t off;
	} cases[] = {
		{ ANSWER_DROP, offsetof(struct stats, dropped) },
		{ ANSWER_AUTH, offsetof(struct stats, authoritative) },
		{ ANSWER_HIDDEN, offsetof(struct stats, hidden) },
		{ ANSWER_REFUSED, offsetof(struct stats, refused) },
		{ ANSWER_ERROR, offsetof(struct stats, errors) },
		{ ANSWER_SEARCH_NXDOMAIN,
		  offsetof(struct stats, search_nxdomain) },
		{ ANSWER_CHAOS, offsetof(struct stats, chaos) },
		{ ANSWER_FORWARD, offsetof(struct stats, forwarded) },
	};
	size_t i;
	size_t j;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct stats_worker w;
		struct stats st;
		uint64_t v[sizeof(struct stats) / sizeof(uint64_t)];

		memset(&w, 0, sizeof(w));
		memset(&st, 0, sizeof(st));
		stats_count(&w, cases[i].o);
		stats_count(&w, cases[i].o);
		stats_sum(&st, &w);
		memcpy(v, &st, sizeof(v));
		for (j = 0; j < sizeof(v) / sizeof(v[0]); j++)
			assert_int_equal(v[j], j * sizeof(uint64_t) ==
					 cases[i].off ? 2 : 0);
	}
}

static void
test_sum_adds_workers_and_forwarders(void **state)
{
	struct stats_worker a;
	struct stats_worker b;
	struct forward_stats f;
	struct stats st;

	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	memset(&f, 0, sizeof(f));
	memset(&st, 0, sizeof(st));
	stats_add(&a.udp_queries, 32);
	stats_add(&b.udp_queries, 10);
	stats_add(&b.tcp_queries, 1);
	stats_add(&a.tcp_connections, 3);
	stats_add(&b.tcp_closed_for_room, 2);
	stats_add(&a.dnstap_dropped, 7);
	stats_add(&b.dnstap_dropped, 1);
	stats_sum(&st, &a);
	stats_sum(&st, &b);
	assert_int_equal(st.udp_queries, 42);
	assert_int_equal(st.tcp_queries, 1);
	assert_int_equal(st.tcp_connections, 3);
	assert_int_equal(st.tcp_closed_for_room, 2);
	assert_int_equal(st.dnstap_dropped, 8);
	f.answers = 5;
	f.in_flight = 2;
	f.overloaded = 1;
	stats_sum_forward(&st, &f);
	stats_sum_forward(&st, &f);
	assert_int_equal(st.forward.answers, 10);
	assert_int_equal(st.forward.in_flight, 4);
	assert_int_equal(st.forward.overloaded, 2);
	assert_int_equal(st.forward.queries, 0);
}

/* The line operators and tests/system/forward.sh read: word, then number. */
static void
test_format_line(void **state)
{
	struct stats st;
	char line[1024];

	memset(&st, 0, sizeof(st));
	st.udp_queries = 1;
	st.tcp_queries = 2;
	st.authoritative = 3;
	st.hidden = 4;
	st.refused = 5;
	st.errors = 6;
	st.dropped = 7;
	st.search_nxdomain = 8;
	st.chaos = 9;
	st.forwarded = 10;
	st.forward.answers = 11;
	st.forward.timeouts = 12;
	st.forward.failovers = 13;
	st.forward.tcp_retries = 14;
	st.forward.servfails = 15;
	st.forward.in_flight = 16;
	st.tcp_connections = 17;
	st.tcp_closed_for_room = 18;
	assert_int_equal(stats_format(&st, line, sizeof(line)), 0);
	assert_string_equal(line, "stats, queries udp 1 tcp 2, authoritative 3, "
			    "hidden 4, refused 5, errors 6, dropped 7, "
			    "search-nxdomain 8, chaos 9, forwarded 10 (answers "
			    "11, timeouts 12, failovers 13, tcp-retries 14, "
			    "servfails 15, in-flight 16), tcp connections 17 "
			    "(closed for room 18)");
}

/* The largest counters fit the buffer stats_log() uses; a short one is cut. */
static void
test_format_sizes(void **state)
{
	struct stats st;
	char line[1024];
	char small[32];

	memset(&st, 0xff, sizeof(st));
	assert_int_equal(stats_format(&st, line, sizeof(line)), 0);
	assert_non_null(strstr(line, "(closed for room 18446744073709551615)"));
	assert_int_equal(stats_format(&st, small, sizeof(small)), -ENOSPC);
	assert_int_equal(strlen(small), sizeof(small) - 1);
}

/* A query of @type for "a.mesh." (QDCOUNT 1). */
static size_t
query(uint8_t *q, unsigned type)
{
	static const uint8_t head[] = {
		0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0,
		1, 'a', 4, 'm', 'e', 's', 'h', 0,
	};

	memcpy(q, head, sizeof(head));
	q[sizeof(head)] = (uint8_t)(type >> 8);
	q[sizeof(head) + 1] = (uint8_t)type;
	q[sizeof(head) + 2] = 0;
	q[sizeof(head) + 3] = 1;
	return sizeof(head) + 4;
}

/* Requests by transport, family and type; a cut-short one is "other". */
static void
test_requests_by_type(void **state)
{
	struct stats_worker w;
	struct stats st;
	uint8_t q[64];
	size_t len;

	(void)state;
	memset(&w, 0, sizeof(w));
	len = query(q, 1);
	stats_request(&w, 0, 0, q, len);
	stats_request(&w, 0, 0, q, len);
	len = query(q, 33);
	stats_request(&w, 1, 1, q, len);
	len = query(q, 999);
	stats_request(&w, 0, 1, q, len);
	stats_request(&w, 0, 0, q, 15);		/* cut inside the name */
	q[5] = 0;				/* QDCOUNT 0 */
	stats_request(&w, 0, 0, q, len);
	memset(&st, 0, sizeof(st));
	stats_sum(&st, &w);
	assert_int_equal(st.requests[0][0][STATS_TYPE_A], 2);
	assert_int_equal(st.requests[1][1][STATS_TYPE_SRV], 1);
	assert_int_equal(st.requests[0][1][STATS_TYPE_OTHER], 1);
	assert_int_equal(st.requests[0][0][STATS_TYPE_OTHER], 2);
	assert_string_equal(stats_type_name(STATS_TYPE_SRV), "SRV");
	assert_string_equal(stats_type_name(STATS_TYPE_OTHER), "other");
}

/* RCODEs from the header; an error that says NOERROR is BADVERS. */
static void
test_responses_by_rcode(void **state)
{
	struct stats_worker w;
	struct stats st;
	uint8_t r[12] = { 0x12, 0x34, 0x81, 0x83 };

	(void)state;
	memset(&w, 0, sizeof(w));
	stats_response(&w, r, sizeof(r), ANSWER_AUTH);
	r[3] = 0x80;
	stats_response(&w, r, sizeof(r), ANSWER_ERROR);
	stats_response(&w, r, sizeof(r), ANSWER_FORWARD);
	stats_response(&w, r, 11, ANSWER_AUTH);	/* no header: not counted */
	memset(&st, 0, sizeof(st));
	stats_sum(&st, &w);
	assert_int_equal(st.rcodes[3], 1);
	assert_int_equal(st.rcodes[STATS_RCODE_BADVERS], 1);
	assert_int_equal(st.rcodes[0], 1);
	assert_string_equal(stats_rcode_name(3), "NXDOMAIN");
	assert_string_equal(stats_rcode_name(STATS_RCODE_BADVERS), "BADVERS");
}

/* Durations land in CoreDNS's buckets: 0.25 ms doubling, then +Inf. */
static void
test_duration_buckets(void **state)
{
	struct stats_worker w;
	struct stats st;

	(void)state;
	memset(&w, 0, sizeof(w));
	stats_duration(&w, 3, 250000);		/* exactly 0.25 ms */
	stats_duration(&w, 1, 250001);		/* just above */
	stats_duration(&w, 2, 9000000000ULL);	/* 9 s: +Inf */
	memset(&st, 0, sizeof(st));
	stats_sum(&st, &w);
	assert_int_equal(st.duration_buckets[0], 3);
	assert_int_equal(st.duration_buckets[1], 1);
	assert_int_equal(st.duration_buckets[STATS_NBUCKETS], 2);
	assert_int_equal(st.duration_ns, 3 * 250000ULL + 250001ULL +
			 18000000000ULL);
	assert_true(stats_bucket_le(0) == 0.00025);
	assert_true(stats_bucket_le(STATS_NBUCKETS - 1) == 8.192);
}

/* The oldest tick of the workers summed; one that never ticked is 0. */
static void
test_oldest_tick(void **state)
{
	struct stats_worker a;
	struct stats_worker b;
	struct stats st;

	(void)state;
	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	stats_tick(&a);
	memset(&st, 0, sizeof(st));
	st.oldest_tick = INT64_MAX;
	stats_sum(&st, &a);
	assert_true(st.oldest_tick > 0 && st.oldest_tick < INT64_MAX);
	stats_sum(&st, &b);
	assert_int_equal(st.oldest_tick, 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_count_outcomes),
		cmocka_unit_test(test_sum_adds_workers_and_forwarders),
		cmocka_unit_test(test_format_line),
		cmocka_unit_test(test_format_sizes),
		cmocka_unit_test(test_requests_by_type),
		cmocka_unit_test(test_responses_by_rcode),
		cmocka_unit_test(test_duration_buckets),
		cmocka_unit_test(test_oldest_tick),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
