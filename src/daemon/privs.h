/* SPDX-License-Identifier: MIT */
/*
 * privs.h -- run as an unprivileged user once the sockets are bound.
 *
 * The config's user: and group: name whom meshdns becomes (NSD's and
 * Knot's "username").  privs_lookup() turns them into ids, at start and
 * for -t, so that a user that does not exist is a start-up error;
 * privs_drop() then changes the process's ids for good (real, effective
 * and saved; the supplementary groups are the user's own), before any
 * worker thread exists.
 */
#ifndef MESHDNS_PRIVS_H
#define MESHDNS_PRIVS_H

#include <stddef.h>
#include <sys/types.h>

struct privs {
	uid_t uid;
	gid_t gid;
	char name[64];		/* the user's name, or its number */
	int has_passwd;		/* the user has a passwd entry (its own
				 * supplementary groups then apply) */
};

/*
 * Resolve @user (a name, or a number) and @group (a name, a number, or
 * NULL: the user's primary group) into @out.  Returns 0, or -1 with the
 * reason in @err: "user: no user \"x\" on this system", "group: no
 * group \"x\" ...", "user: 1234 has no passwd entry, so group: must say
 * which group".
 */
int privs_lookup(struct privs *out, const char *user, const char *group,
		 char *err, size_t errsize);

/*
 * Become @p: the supplementary groups, the group, then the user, and
 * check that root cannot be regained.  Nothing to do when the process
 * already is that user and group.  Returns 0, or -1 with the reason in
 * @err ("cannot run as user x: meshdns runs as y, not as root", or the
 * failing call and errno).  Call before any thread starts.
 */
int privs_drop(const struct privs *p, char *err, size_t errsize);

#endif
