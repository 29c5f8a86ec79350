/* SPDX-License-Identifier: MIT */
/* test_server.c -- unit tests for server: the messages of a failed bind. */
#include "autoconfig.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "build/config.h"
#include "daemon/server.h"

/* Each errno the operator can fix gets the way out, with its address. */
static void
test_listen_error(void **state)
{
	static const struct {
		const char *listen;
		int type;
		int errnum;
		const char *msg;
	} cases[] = {
		{ "127.0.0.1:15053", SOCK_DGRAM, EADDRINUSE,
		  "127.0.0.1:15053 is already in use by another process "
		  "(udp: Address already in use); ss -lunp 'sport = :15053' "
		  "shows which" },
		{ "[::1]:5353", SOCK_STREAM, EADDRINUSE,
		  "[::1]:5353 is already in use by another process (tcp: "
		  "Address already in use); ss -ltnp 'sport = :5353' shows "
		  "which" },
		{ "127.0.0.1:53", SOCK_DGRAM, EACCES,
		  "cannot listen on 127.0.0.1:53 (udp): Permission denied; a "
		  "port below 1024 needs CAP_NET_BIND_SERVICE: run meshdns as "
		  "root, give it the capability (setcap "
		  "cap_net_bind_service=+ep meshdns, or "
		  "AmbientCapabilities=CAP_NET_BIND_SERVICE in its systemd "
		  "unit), or listen on a port of 1024 or more" },
		{ "[fe80::1]:15053", SOCK_DGRAM, EINVAL,
		  "cannot listen on [fe80::1]:15053 (udp): Invalid argument; "
		  "a link-local address needs a scope, e.g. "
		  "[fe80::1%eth0]:15053" },
		{ "[fe80::1:2]:53", SOCK_STREAM, EADDRNOTAVAIL,
		  "cannot listen on [fe80::1:2]:53 (tcp): Cannot assign "
		  "requested address; a link-local address needs a scope, "
		  "e.g. [fe80::1:2%eth0]:53" },
		/* With its scope, it is not on this host. */
		{ "[fe80::1%lo]:53", SOCK_DGRAM, EADDRNOTAVAIL,
		  "cannot listen on [fe80::1%lo]:53 (udp): Cannot assign "
		  "requested address; no interface of this host has that "
		  "address" },
		{ "192.0.2.1:53", SOCK_DGRAM, EADDRNOTAVAIL,
		  "cannot listen on 192.0.2.1:53 (udp): Cannot assign "
		  "requested address; no interface of this host has that "
		  "address" },
		{ "192.0.2.1:53", SOCK_DGRAM, EINVAL,
		  "cannot listen on 192.0.2.1:53 (udp): Invalid argument" },
		{ "127.0.0.1:15053", SOCK_STREAM, EMFILE,
		  "cannot listen on 127.0.0.1:15053 (tcp): Too many open "
		  "files" },
	};
	struct config_listen l;
	char err[256];
	char buf[512];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		if (config_parse_listen(&l, cases[i].listen, err,
					sizeof(err)) != 0)
			fail_msg("%s: %s", cases[i].listen, err);
		server_listen_error(buf, sizeof(buf), &l, cases[i].type,
				    cases[i].errnum);
		assert_string_equal(buf, cases[i].msg);
		free(l.text);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_listen_error),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
