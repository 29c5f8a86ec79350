/* SPDX-License-Identifier: MIT */
/* daemon.h -- the process: start-up, the run loop, --check and --status. */
#ifndef MESHDNS_DAEMON_H
#define MESHDNS_DAEMON_H

#include "build/build.h"

struct args {
	struct build_options opt;
	char *pid_file;
	int foreground;
	int check;
	int status;
};

/* -t and --status: build once from the state file, never write it. */
int run_offline(const struct args *a);

int run_daemon(const struct args *a);

#endif
