/* SPDX-License-Identifier: MIT */
/*
 * yamlx_int.h -- yamlx's internals that its tests look at.
 */
#ifndef MESHDNS_YAMLX_INT_H
#define MESHDNS_YAMLX_INT_H

#include <stddef.h>

#include "util/diag.h"
#include "util/yamlx.h"

/*
 * yamlx_load_json()'s first step alone: @text read with yajl.  0: read
 * (*out is the stream); 1: left to libyaml, nothing reported and *out
 * NULL (yamlx_load_json() then calls yamlx_load_string()); -ENOMEM.
 */
int yamlx_json_read(struct yamlx_stream **out, const char *name,
		    const char *text, size_t len, struct diag_list *errs);

#endif
