/* SPDX-License-Identifier: MIT */
/* dl.c -- shared libraries loaded when the config needs them (dl.h). */
#include "autoconfig.h"

#include <dlfcn.h>
#include <stdio.h>

#include "util/dl.h"

int
dl_load(struct dl_lib *lib, char *err, size_t errsize)
{
	const char *why = NULL;
	int rc = 0;

	pthread_mutex_lock(&lib->lock);
	if (lib->loaded)
		goto out;
	lib->handle = dlopen(lib->soname, RTLD_NOW | RTLD_LOCAL);
	if (lib->handle == NULL) {
		why = dlerror();
		snprintf(err, errsize, "cannot load %s, which %s needs (%s): "
			 "install the package %s", lib->soname, lib->key,
			 why != NULL ? why : "no reason given", lib->package);
		rc = -1;
		goto out;
	}
	lib->missing = NULL;
	lib->resolve(lib);
	if (lib->missing != NULL) {
		snprintf(err, errsize, "%s, which %s needs, has no function "
			 "%s: install the version of the package %s that "
			 "meshdns was built with", lib->soname, lib->key,
			 lib->missing, lib->package);
		dlclose(lib->handle);
		lib->handle = NULL;
		rc = -1;
		goto out;
	}
	lib->loaded = 1;
out:
	pthread_mutex_unlock(&lib->lock);
	return rc;
}

void *
dl_sym(struct dl_lib *lib, const char *name)
{
	void *p = dlsym(lib->handle, name);

	if (p == NULL && lib->missing == NULL)
		lib->missing = name;
	return p;
}
