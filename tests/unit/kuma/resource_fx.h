/* SPDX-License-Identifier: MIT */
/*
 * resource_fx.h -- the fixture the tests of the resource module share:
 * a set and its diagnostics per test, a scratch directory, and the YAML
 * snippets several of them use.  Include it after <cmocka.h>.
 */
#ifndef MESHDNS_RESOURCE_FX_H
#define MESHDNS_RESOURCE_FX_H

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "kuma/resource.h"

struct fx {
	struct resource_set *set;
	struct diag_list errs;
	char out[16384];
	char dir[256];		/* scratch directory, removed by teardown */
};

static inline int
setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));

	if (f == NULL)
		return -1;
	diag_list_init(&f->errs);
	if ((f->set = resource_set_new()) == NULL) {
		free(f);
		return -1;
	}
	*state = f;
	return 0;
}

static inline int
remove_entry(const char *path, const struct stat *st, int flag,
	     struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static inline int
teardown(void **state)
{
	struct fx *f = *state;
	int rc = 0;

	if (f->dir[0] != '\0')
		rc = nftw(f->dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
	resource_set_free(f->set);
	diag_list_clear(&f->errs);
	free(f);
	return rc;
}

/* Start over with an empty set and no diagnostics. */
static inline void
reset(struct fx *f)
{
	resource_set_free(f->set);
	diag_list_clear(&f->errs);
	f->set = resource_set_new();
	assert_non_null(f->set);
}

static inline void
load_as(struct fx *f, const char *name, const char *text)
{
	assert_int_equal(resource_set_load_string(f->set, name, text,
						  &f->errs), 0);
}

static inline void
load(struct fx *f, const char *text)
{
	load_as(f, "t.yaml", text);
}

static inline void
finish(struct fx *f)
{
	assert_int_equal(resource_set_finish(f->set, &f->errs), 0);
}

/* How many resources of every kind the set holds. */
static inline size_t
total(const struct resource_set *set)
{
	return set->nmeshes + set->nservices + set->ngenerators +
	       set->nexternal_services + set->nmultizone_services +
	       set->ndataplanes + set->nk8s_services + set->nendpoint_slices +
	       set->nnamespaces + set->npods;
}

/* Every diagnostic as the user sees it, one per line. */
static inline const char *
diags(struct fx *f)
{
	char line[2048];
	size_t i;
	size_t used = 0;

	f->out[0] = '\0';
	for (i = 0; i < f->errs.n; i++) {
		diag_format(&f->errs.v[i], line, sizeof(line));
		used += (size_t)snprintf(f->out + used, sizeof(f->out) - used,
					 "%s\n", line);
		assert_true(used < sizeof(f->out));
	}
	return f->out;
}

#define SELECTOR "spec:\n  selector:\n    dataplaneTags: {app: redis}\n"

#define NAME64 "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"

#define DNS1035_MSG \
	"a DNS-1035 label must consist of lower case alphanumeric " \
	"characters or '-', start with an alphabetic character, and end " \
	"with an alphanumeric character (e.g. 'my-name',  or 'abc-123', " \
	"regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')"

#endif
