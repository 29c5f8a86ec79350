/* SPDX-License-Identifier: MIT */
/*
 * fuzz_resource.c -- a resource file through a whole build and --status.
 *
 * The input is written to a resource file that a fixed config reads
 * (zone "fuzz", no start-up cache), then build_run()
 * makes a snapshot with the specs kept, and status_print() writes it to
 * /dev/null, as `meshdns --status` does.
 */
#include "autoconfig.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "build/build.h"
#include "build/snapshot.h"
#include "build/state.h"
#include "build/status.h"
#include "util/diag.h"
#include "fuzz.h"

static char conf[4200];
static char res[4200];
static FILE *devnull;

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	static const char text[] =
		"zone: fuzz\n"
		"resources: [resources.yaml]\n"
		"start-cache: false\n";

	snprintf(conf, sizeof(conf), "%s/meshdns.conf", fuzz_tmpdir());
	snprintf(res, sizeof(res), "%s/resources.yaml", fuzz_tmpdir());
	fuzz_write(conf, text, strlen(text));
	if ((devnull = fopen("/dev/null", "w")) == NULL)
		fuzz_die("/dev/null");
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct build_options opt;
	struct diag_list diags;
	struct snapshot *s = NULL;
	struct state *prev = NULL;

	fuzz_write(res, data, size);
	memset(&opt, 0, sizeof(opt));
	opt.config_file = conf;
	opt.keep_specs = 1;
	diag_list_init(&diags);
	if ((prev = state_new()) == NULL)
		fuzz_die("state_new");
	if (build_run(&s, &opt, prev, 1700000000, &diags) == 0)
		(void)status_print(devnull, s);
	snapshot_free(s);
	state_free(prev);
	diag_list_clear(&diags);
	return 0;
}
