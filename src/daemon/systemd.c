/* SPDX-License-Identifier: MIT */
/*
 * systemd.c -- the sd_notify() messages of a Type=notify service.
 *
 * systemd's notify protocol (sd_notify(3)): one datagram of newline
 * separated VAR=value lines, sent to the AF_UNIX socket that
 * $NOTIFY_SOCKET names -- a path, or an abstract name written with a
 * leading '@'.  Written here rather than through libsystemd, which would
 * map libsystemd, gcrypt, lzma, zstd and lz4 into every meshdns for the
 * sake of three datagrams.
 */
#include "autoconfig.h"

#include <errno.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "daemon/systemd.h"

/*
 * Send @msg to $NOTIFY_SOCKET.  Nothing without the variable, or with one
 * that names no unix socket meshdns can use; a failed send is not
 * reported (systemd.h).
 */
static void
notify(const char *msg)
{
	const char *path = getenv("NOTIFY_SOCKET");
	struct sockaddr_un sun;
	socklen_t len;
	size_t n;
	int fd;

	if (path == NULL || (path[0] != '/' && path[0] != '@'))
		return;
	n = strlen(path);
	if (n >= sizeof(sun.sun_path))
		return;
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	memcpy(sun.sun_path, path, n);
	len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n);
	/* An abstract name has no NUL at its end; a path counts its own. */
	if (path[0] == '@')
		sun.sun_path[0] = '\0';
	else
		len++;
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return;
	while (sendto(fd, msg, strlen(msg), MSG_NOSIGNAL,
		      (const struct sockaddr *)&sun, len) < 0 && errno == EINTR)
		;
	close(fd);
}

void
systemd_ready(const char *status)
{
	char msg[1024];

	snprintf(msg, sizeof(msg), "READY=1\nSTATUS=%s", status);
	notify(msg);
}

void
systemd_reloading(void)
{
	struct timespec ts;
	uint64_t usec = 0;
	char msg[128];

	if (clock_gettime(CLOCK_MONOTONIC, &ts) == 0)
		usec = (uint64_t)ts.tv_sec * 1000000 +
			(uint64_t)ts.tv_nsec / 1000;
	snprintf(msg, sizeof(msg), "RELOADING=1\nMONOTONIC_USEC=%" PRIu64
		 "\nSTATUS=reloading", usec);
	notify(msg);
}

void
systemd_stopping(void)
{
	notify("STOPPING=1\nSTATUS=stopping");
}

void
systemd_status(const char *status)
{
	char msg[1024];

	snprintf(msg, sizeof(msg), "STATUS=%s", status);
	notify(msg);
}
