/* SPDX-License-Identifier: MIT */
/* stats.h -- the counters of the server and the SIGUSR1 line. */
#ifndef MESHDNS_STATS_H
#define MESHDNS_STATS_H

#include <ev.h>
#include <stdatomic.h>
#include <stdint.h>

#include "daemon/forward.h"

/* What the server has done since it started. */
struct server_stats {
	uint64_t udp_queries;
	uint64_t tcp_queries;
	uint64_t authoritative;		/* answers, NODATA, NXDOMAIN */
	uint64_t hidden;		/* NXDOMAIN because of a view */
	uint64_t refused;
	uint64_t errors;		/* FORMERR, NOTIMP, BADVERS, SERVFAIL */
	uint64_t dropped;
	uint64_t search_nxdomain;	/* search-list names answered here */
	uint64_t chaos;
	uint64_t forwarded;		/* handed to the forwarder */
	uint64_t tcp_connections;
	uint64_t tcp_closed_for_room;	/* closed at the connection limit */
	struct forward_stats forward;
};

/* Counters of one worker: written by it only, read by anyone. */
struct worker_stats {
	_Atomic uint64_t udp_queries;
	_Atomic uint64_t tcp_queries;
	_Atomic uint64_t authoritative;
	_Atomic uint64_t hidden;
	_Atomic uint64_t refused;
	_Atomic uint64_t errors;
	_Atomic uint64_t dropped;
	_Atomic uint64_t search_nxdomain;
	_Atomic uint64_t chaos;
	_Atomic uint64_t forwarded;
	_Atomic uint64_t tcp_connections;
	_Atomic uint64_t tcp_closed_for_room;
};

/* Only the owning worker writes: no atomic read-modify-write needed. */
static inline void
stat_add(_Atomic uint64_t *c, uint64_t n)
{
	atomic_store_explicit(c, atomic_load_explicit(c, memory_order_relaxed) +
			      n, memory_order_relaxed);
}

/* SIGUSR1: the counters, one line. */
void stats_cb(struct ev_loop *loop, ev_signal *w, int revents);

#endif
