/* SPDX-License-Identifier: MIT */
/* systemd.c -- the sd_notify() messages of a Type=notify service. */
#include "autoconfig.h"

#include <inttypes.h>
#include <stdint.h>
#include <time.h>

#include <systemd/sd-daemon.h>

#include "daemon/systemd.h"

void
systemd_ready(const char *status)
{
	(void)sd_notifyf(0, "READY=1\nSTATUS=%s", status);
}

void
systemd_reloading(void)
{
	struct timespec ts;
	uint64_t usec = 0;

	if (clock_gettime(CLOCK_MONOTONIC, &ts) == 0)
		usec = (uint64_t)ts.tv_sec * 1000000 +
			(uint64_t)ts.tv_nsec / 1000;
	(void)sd_notifyf(0, "RELOADING=1\nMONOTONIC_USEC=%" PRIu64
			 "\nSTATUS=reloading", usec);
}

void
systemd_stopping(void)
{
	(void)sd_notify(0, "STOPPING=1\nSTATUS=stopping");
}

void
systemd_status(const char *status)
{
	(void)sd_notifyf(0, "STATUS=%s", status);
}
