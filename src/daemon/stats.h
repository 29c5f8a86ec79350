/* SPDX-License-Identifier: MIT */
/*
 * stats.h -- the server's counters and the SIGUSR1 line.
 *
 * Every worker counts in its own struct stats_worker: only the worker's
 * thread writes it (a relaxed load and store, no read-modify-write, as no
 * other thread writes), any thread may read it.  struct stats is a sum
 * over the workers and their forwarders at one moment: each counter is
 * read once, so two counters need not agree with each other exactly.
 * Nothing here allocates, and only stats_log() does I/O.
 */
#ifndef MESHDNS_STATS_H
#define MESHDNS_STATS_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "daemon/forward.h"
#include "dns/answer.h"

/* What the server has done since it started. */
struct stats {
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
	uint64_t dnstap_dropped;	/* dnstap frames not sent (daemon/
					 * dnstap.h: no collector, or a slow
					 * one) */
	struct forward_stats forward;
};

/* Counters of one worker: written by it only, read by anyone. */
struct stats_worker {
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
	_Atomic uint64_t dnstap_dropped;
};

/*
 * Add @n to counter @c, which only the calling thread writes (its own
 * stats_worker, or its forwarder's counters); other threads only read.
 */
static inline void
stats_add(_Atomic uint64_t *c, uint64_t n)
{
	atomic_store_explicit(c, atomic_load_explicit(c, memory_order_relaxed) +
			      n, memory_order_relaxed);
}

/*
 * Count one query's outcome in @w (the calling worker's): ANSWER_DROP in
 * dropped, ANSWER_AUTH in authoritative, and so on, one counter each.
 */
void stats_count(struct stats_worker *w, enum answer_outcome o);

/* Add the counters of @w to @out (zero @out first for a sum). */
void stats_sum(struct stats *out, const struct stats_worker *w);

/* Add a forwarder's counters to out->forward. */
void stats_sum_forward(struct stats *out, const struct forward_stats *f);

/*
 * The SIGUSR1 line: "stats, queries udp N tcp N, authoritative N, ...".
 * Returns 0, or -ENOSPC when @size is too small (the line is cut; 1024
 * bytes always hold it).
 */
int stats_format(const struct stats *st, char *buf, size_t size);

/* stats_format()'s line, logged at notice level. */
void stats_log(const struct stats *st);

#endif
