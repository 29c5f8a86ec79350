/* SPDX-License-Identifier: MIT */
/* test_dl.c -- libraries loaded at run time, and what their errors say. */
#include "autoconfig.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include <zlib.h>

#include "util/dl.h"

/* zlib: every meshdns maps it, so loading it again costs nothing. */
static struct {
	__typeof__(zlibVersion) *zlibVersion;
} z;
static int resolved;
static const char *extra;	/* one more name to look up, or NULL */

static void
z_resolve(struct dl_lib *lib)
{
	resolved++;
	z.zlibVersion = dl_sym(lib, "zlibVersion");
	if (extra != NULL)
		(void)dl_sym(lib, extra);
}

/* Loaded once; the table calls the library. */
static void
test_load_once(void **state)
{
	struct dl_lib lib = { "libz.so.1", "zlib1g", "test", z_resolve,
			      PTHREAD_MUTEX_INITIALIZER, NULL, NULL, 0 };
	char err[256] = "";

	(void)state;
	resolved = 0;
	extra = NULL;
	assert_int_equal(dl_load(&lib, err, sizeof(err)), 0);
	assert_int_equal(dl_load(&lib, err, sizeof(err)), 0);
	assert_int_equal(resolved, 1);
	assert_string_equal(err, "");
	assert_string_equal(z.zlibVersion(), zlibVersion());
}

/* A library that is not there: the key, the soname, why, the package. */
static void
test_missing_library(void **state)
{
	struct dl_lib lib = { "libmeshdns-absent.so.7", "libabsent7",
			      "http.listen", z_resolve,
			      PTHREAD_MUTEX_INITIALIZER, NULL, NULL, 0 };
	const char *want = "cannot load libmeshdns-absent.so.7, which "
		"http.listen needs (";
	const char *tail = "): install the package libabsent7";
	char err[512] = "";
	size_t n;

	(void)state;
	resolved = 0;
	assert_int_equal(dl_load(&lib, err, sizeof(err)), -1);
	assert_int_equal(resolved, 0);
	assert_memory_equal(err, want, strlen(want));
	assert_non_null(strstr(err, "libmeshdns-absent.so.7: cannot open "
			       "shared object file"));
	n = strlen(err);
	assert_true(n > strlen(tail));
	assert_string_equal(err + n - strlen(tail), tail);
	/* Nothing was loaded: the next call tries again. */
	assert_int_equal(dl_load(&lib, err, sizeof(err)), -1);
	assert_null(lib.handle);
}

/* A library without a function meshdns calls: named, and not kept. */
static void
test_missing_function(void **state)
{
	struct dl_lib lib = { "libz.so.1", "zlib1g", "dnstap.socket",
			      z_resolve, PTHREAD_MUTEX_INITIALIZER, NULL, NULL,
			      0 };
	char err[512] = "";

	(void)state;
	resolved = 0;
	extra = "meshdns_no_such_function";
	assert_int_equal(dl_load(&lib, err, sizeof(err)), -1);
	assert_string_equal(err, "libz.so.1, which dnstap.socket needs, has "
			    "no function meshdns_no_such_function: install "
			    "the version of the package zlib1g that meshdns "
			    "was built with");
	assert_null(lib.handle);
	/* Once the function is there (another version), it loads. */
	extra = NULL;
	assert_int_equal(dl_load(&lib, err, sizeof(err)), 0);
	assert_int_equal(resolved, 2);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_load_once),
		cmocka_unit_test(test_missing_library),
		cmocka_unit_test(test_missing_function),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
