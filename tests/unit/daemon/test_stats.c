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

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_count_outcomes),
		cmocka_unit_test(test_sum_adds_workers_and_forwarders),
		cmocka_unit_test(test_format_line),
		cmocka_unit_test(test_format_sizes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
