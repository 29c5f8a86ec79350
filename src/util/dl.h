/* SPDX-License-Identifier: MIT */
/*
 * dl.h -- a shared library loaded at run time, only when the config asks
 * for what it does.
 *
 * libpq (store:), libmicrohttpd (http.listen:), libfstrm and
 * libprotobuf-c (dnstap.socket:) are not linked into meshdns: each costs
 * its private pages and relocations, and those of what it pulls in
 * (gnutls, krb5, ldap...), in every process, configured or not.  The
 * module that uses one keeps a table of function pointers, typed from the
 * library's own header (so configure still needs its -dev package), and a
 * static struct dl_lib naming the library; its first use calls dl_load(),
 * which opens the exact soname configure found and fills the table.  A
 * library is never unloaded.
 */
#ifndef MESHDNS_DL_H
#define MESHDNS_DL_H

#include <pthread.h>
#include <stddef.h>

struct dl_lib {
	const char *soname;	/* "libpq.so.5": what dlopen() is given */
	const char *package;	/* "libpq5": what provides it */
	const char *key;	/* "store": the config key that needs it */
	/*
	 * Fills the module's table with dl_sym(); called once, with the
	 * library open.
	 */
	void (*resolve)(struct dl_lib *lib);
	pthread_mutex_t lock;	/* PTHREAD_MUTEX_INITIALIZER */
	/* dl_load()'s own, zero at first. */
	void *handle;
	const char *missing;	/* the first name dl_sym() did not find */
	int loaded;
};

/*
 * Load @lib and resolve its table, once: the first call that succeeds
 * does it, and every later call returns 0 at once.  Safe from any thread.
 * 0, or -1 with a message in @err that names the library, the key, why
 * it failed and the package to install: "cannot load libpq.so.5, which
 * store needs (libpq.so.5: cannot open shared object file: No such file
 * or directory): install the package libpq5", or "libpq.so.5, which
 * store needs, has no function PQfoo: install the version of the
 * package libpq5 that meshdns was built with".  A failed load leaves
 * nothing loaded, and the next call tries again.
 */
int dl_load(struct dl_lib *lib, char *err, size_t errsize);

/*
 * For @lib's resolve function only: the address of the function @name,
 * or NULL (then dl_load() fails and names it).  A void *, assigned to a
 * function pointer as POSIX allows.
 */
void *dl_sym(struct dl_lib *lib, const char *name);

#endif
