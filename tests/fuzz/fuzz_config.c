/* SPDX-License-Identifier: MIT */
/*
 * fuzz_config.c -- a config file through config_load_string().
 *
 * The input is the file's text, cut at its first NUL (the loader reads C
 * strings); relative paths in it resolve against a directory that does
 * not matter, since nothing is read from them.
 */
#include "autoconfig.h"

#include <stdlib.h>
#include <string.h>

#include "build/config.h"
#include "util/diag.h"
#include "fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct diag_list errs;
	struct config *cfg = NULL;
	char *text = NULL;
	int rc;

	if ((text = malloc(size + 1)) == NULL)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	diag_list_init(&errs);
	rc = config_load_string(&cfg, "/fuzz/meshdns.conf", text, &errs);
	if (rc == 0 && cfg == NULL)
		abort();
	config_free(cfg);
	diag_list_clear(&errs);
	free(text);
	return 0;
}
