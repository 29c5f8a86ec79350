/* SPDX-License-Identifier: MIT */
/* test_notify.c -- unit tests for notify: when a NOTIFY leaves. */
#include "autoconfig.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <ev.h>

#include "daemon/notify.h"
#include "dns/table_build.h"

/* A table of the zone "mesh" with @serial. */
static struct table *
zone(uint32_t serial)
{
	static const char *const ns[] = { "ns.mesh" };
	struct table_zone_params p;
	struct table_builder *b = table_builder_new();
	struct table *t = NULL;
	char err[256];

	assert_non_null(b);
	memset(&p, 0, sizeof(p));
	p.apex = "mesh";
	p.mname = "ns.mesh";
	p.rname = "hostmaster.mesh";
	p.refresh = 60;
	p.retry = 10;
	p.expire = 3600;
	p.minimum = 5;
	p.ttl = 60;
	p.ns = ns;
	p.nns = 1;
	assert_int_equal(table_builder_add_zone(b, &p, err, sizeof(err)), 0);
	table_builder_set_serial(b, 0, serial);
	assert_int_equal(table_builder_finish(b, &t), 0);
	return t;
}

/* The NOTIFYs waiting at @fd (non-blocking reads). */
static int
received(int fd)
{
	uint8_t buf[512];
	int n = 0;

	while (recv(fd, buf, sizeof(buf), MSG_DONTWAIT) > 0)
		n++;
	return n;
}

/*
 * At start-up the NOTIFY leaves on the loop's first turn; a change right
 * after it waits for the window's end and then goes, once; a change
 * after a quiet window leaves at once, not after the coalescing window.
 */
static void
test_first_change_at_once(void **state)
{
	struct ev_loop *loop = ev_loop_new(EVFLAG_AUTO);
	struct sockaddr_in *sin = NULL;
	struct config_notify target;
	struct config cfg;
	struct notify *n = NULL;
	struct table *t1 = zone(1), *t2 = zone(2), *t3 = zone(3);
	struct table *t4 = zone(4), *t5 = zone(5);
	socklen_t alen = sizeof(struct sockaddr_in);
	int fd = socket(AF_INET, SOCK_DGRAM, 0);
	char text[] = "127.0.0.1";
	int i, got = 0;

	(void)state;
	assert_non_null(loop);
	assert_true(fd >= 0);
	memset(&target, 0, sizeof(target));
	sin = (struct sockaddr_in *)&target.addr;
	sin->sin_family = AF_INET;
	sin->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(fd, (struct sockaddr *)sin, alen), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)sin, &alen), 0);
	target.addrlen = alen;
	target.text = text;
	memset(&cfg, 0, sizeof(cfg));
	cfg.notify = &target;
	cfg.nnotify = 1;
	assert_int_equal(notify_new(&n, loop), 0);

	/* Start-up: nothing leaves before the loop turns, then at once. */
	assert_int_equal(notify_update(n, &cfg, NULL, t1), 0);
	assert_int_equal(received(fd), 0);
	for (i = 0; i < 10 && got == 0; i++) {
		ev_run(loop, EVRUN_NOWAIT);
		got = received(fd);
	}
	assert_int_equal(got, 1);

	/* Within the window: held, then sent once with the newest SOA. */
	assert_int_equal(notify_update(n, &cfg, t1, t2), 0);
	assert_int_equal(notify_update(n, &cfg, t2, t3), 0);
	ev_run(loop, EVRUN_NOWAIT);
	assert_int_equal(received(fd), 0);
	ev_run(loop, EVRUN_ONCE);
	ev_run(loop, EVRUN_NOWAIT);
	assert_int_equal(received(fd), 1);

	/* After a quiet window a reload's change leaves from notify_update()
	 * itself, before the caller's other work, even when the caller's
	 * callback ran long (the loop's idea of now is then stale). */
	ev_sleep(NOTIFY_COALESCE_MS / 1000. + 0.05);
	assert_int_equal(notify_update(n, &cfg, t3, t4), 0);
	assert_int_equal(received(fd), 1);

	/* Its first retry is a second later from when it left, not from
	 * the stale start of a long callback: the next turn sends nothing
	 * (the target never answers). */
	ev_sleep(NOTIFY_COALESCE_MS / 1000. + 0.05);
	ev_run(loop, EVRUN_NOWAIT);
	ev_sleep(1.2);		/* a callback that runs long */
	assert_int_equal(notify_update(n, &cfg, t4, t5), 0);
	assert_int_equal(received(fd), 1);
	ev_run(loop, EVRUN_NOWAIT);
	assert_int_equal(received(fd), 0);

	notify_free(n);
	table_free(t1);
	table_free(t2);
	table_free(t3);
	table_free(t4);
	table_free(t5);
	close(fd);
	ev_loop_destroy(loop);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_first_change_at_once),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
