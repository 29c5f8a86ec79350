/* SPDX-License-Identifier: MIT */
/* test_metrics.c -- unit tests for the Prometheus text writer. */
#include "autoconfig.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <string.h>

#include "daemon/metrics.h"

/* A family, samples with and without labels, the exact lines. */
static void
test_lines(void **state)
{
	struct metrics m;

	(void)state;
	metrics_init(&m);
	metrics_family(&m, "meshdns_x_total", "counter", "Things.");
	metrics_u64(&m, "meshdns_x_total", 18446744073709551615ULL, NULL);
	metrics_u64(&m, "meshdns_x_total", 3, "proto", "udp", "family", "1",
		    NULL);
	metrics_double(&m, "meshdns_y", 0.25, NULL);
	metrics_double(&m, "meshdns_y", INFINITY, "le", "+Inf", NULL);
	assert_int_equal(metrics_failed(&m), 0);
	assert_string_equal(m.buf,
		"# HELP meshdns_x_total Things.\n"
		"# TYPE meshdns_x_total counter\n"
		"meshdns_x_total 18446744073709551615\n"
		"meshdns_x_total{proto=\"udp\",family=\"1\"} 3\n"
		"meshdns_y 0.25\n"
		"meshdns_y{le=\"+Inf\"} +Inf\n");
	assert_int_equal(m.len, strlen(m.buf));
	metrics_clear(&m);
}

/* Label values: backslash, double quote and newline escaped, the rest kept. */
static void
test_label_escapes(void **state)
{
	struct metrics m;

	(void)state;
	metrics_init(&m);
	metrics_u64(&m, "a", 1, "v", "x\\y\"z\nw <&> é", NULL);
	assert_string_equal(m.buf, "a{v=\"x\\\\y\\\"z\\nw <&> é\"} 1\n");
	metrics_clear(&m);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lines),
		cmocka_unit_test(test_label_escapes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
