/* SPDX-License-Identifier: MIT */
/* privs.c -- dropping root once the sockets are bound. */
#include "autoconfig.h"

#include <errno.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "daemon/privs.h"
#include "util/diag.h"

/* @text as a whole decimal id: 0 with *out, -1 when it is no number. */
static int
parse_id(const char *text, unsigned long *out)
{
	char *end = NULL;

	if (*text < '0' || *text > '9')
		return -1;
	errno = 0;
	*out = strtoul(text, &end, 10);
	if (errno != 0 || *end != '\0' || *out >= (unsigned long)UINT_MAX)
		return -1;
	return 0;
}

int
privs_lookup(struct privs *out, const char *user, const char *group,
	     char *err, size_t errsize)
{
	const struct passwd *pw = NULL;
	const struct group *gr = NULL;
	unsigned long id;

	memset(out, 0, sizeof(*out));
	if (parse_id(user, &id) == 0) {
		out->uid = (uid_t)id;
		pw = getpwuid(out->uid);
	} else if ((pw = getpwnam(user)) == NULL) {
		diag_printf(err, errsize, "user: no user \"%s\" on this "
			    "system (create it, or name another)", user);
		return -1;
	}
	if (pw != NULL) {
		out->uid = pw->pw_uid;
		out->gid = pw->pw_gid;
		out->has_passwd = 1;
		snprintf(out->name, sizeof(out->name), "%s", pw->pw_name);
	} else {
		snprintf(out->name, sizeof(out->name), "%lu", id);
	}
	if (group == NULL) {
		if (pw == NULL) {
			diag_printf(err, errsize, "user: %s has no passwd "
				    "entry, so group: must say which group "
				    "to run as", user);
			return -1;
		}
		return 0;
	}
	if (parse_id(group, &id) == 0) {
		out->gid = (gid_t)id;
	} else if ((gr = getgrnam(group)) != NULL) {
		out->gid = gr->gr_gid;
	} else {
		diag_printf(err, errsize, "group: no group \"%s\" on this "
			    "system (create it, or name another)", group);
		return -1;
	}
	return 0;
}

int
privs_drop(const struct privs *p, char *err, size_t errsize)
{
	const struct passwd *pw = NULL;

	if (geteuid() == p->uid && getegid() == p->gid &&
	    getuid() == p->uid && getgid() == p->gid)
		return 0;
	if (geteuid() != 0) {
		if ((pw = getpwuid(geteuid())) != NULL)
			diag_printf(err, errsize, "cannot run as user %s: "
				    "meshdns was started as %s, not as root",
				    p->name, pw->pw_name);
		else
			diag_printf(err, errsize, "cannot run as user %s: "
				    "meshdns was started as uid %ld, not as "
				    "root", p->name, (long)geteuid());
		return -1;
	}
	if (p->has_passwd ? initgroups(p->name, p->gid) < 0 :
	    setgroups(1, &p->gid) < 0) {
		diag_printf(err, errsize, "cannot set the groups of user %s "
			    "(%s)", p->name, strerror(errno));
		return -1;
	}
	if (setresgid(p->gid, p->gid, p->gid) < 0) {
		diag_printf(err, errsize, "cannot run as group %ld (%s)",
			    (long)p->gid, strerror(errno));
		return -1;
	}
	if (setresuid(p->uid, p->uid, p->uid) < 0) {
		diag_printf(err, errsize, "cannot run as user %s (%s)",
			    p->name, strerror(errno));
		return -1;
	}
	if (p->uid != 0 && (setuid(0) == 0 || seteuid(0) == 0)) {
		diag_printf(err, errsize, "running as user %s, root could "
			    "still be regained: refusing to go on", p->name);
		return -1;
	}
	return 0;
}
