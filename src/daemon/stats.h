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

/*
 * The query types counted by name in meshdns_dns_requests_total (the
 * common ones, as CoreDNS counts); the rest are STATS_TYPE_OTHER.
 */
enum stats_type {
	STATS_TYPE_A = 0, STATS_TYPE_AAAA, STATS_TYPE_CNAME, STATS_TYPE_SRV,
	STATS_TYPE_TXT, STATS_TYPE_PTR, STATS_TYPE_NS, STATS_TYPE_SOA,
	STATS_TYPE_MX, STATS_TYPE_ANY, STATS_TYPE_HTTPS, STATS_TYPE_SVCB,
	STATS_TYPE_CAA, STATS_TYPE_NAPTR, STATS_TYPE_DS, STATS_TYPE_DNSKEY,
	STATS_TYPE_AXFR, STATS_TYPE_IXFR, STATS_TYPE_OTHER, STATS_NTYPES
};

/* RCODEs 0 to 15 of the header, then BADVERS (16, from OPT). */
#define STATS_NRCODES 17
#define STATS_RCODE_BADVERS 16

/*
 * The request duration histogram: bucket i counts durations up to
 * 0.25 ms * 2^i (CoreDNS's buckets: 0.25 ms to 8.192 s); the last,
 * STATS_NBUCKETS, counts the longer ones (+Inf).
 */
#define STATS_NBUCKETS 16

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
	/* Requests by transport (0 udp, 1 tcp), family (0 IPv4, 1 IPv6)
	 * and type; responses sent by RCODE; the answers' durations. */
	uint64_t requests[2][2][STATS_NTYPES];
	uint64_t rcodes[STATS_NRCODES];
	uint64_t duration_buckets[STATS_NBUCKETS + 1];	/* not cumulative */
	uint64_t duration_ns;		/* their sum */
	/* The oldest of the workers' last ticks (stats_tick()), in
	 * CLOCK_MONOTONIC seconds, 0 for a worker that never ticked: a
	 * minimum, so set it to INT64_MAX before the first stats_sum(). */
	int64_t oldest_tick;
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
	_Atomic uint64_t requests[2][2][STATS_NTYPES];
	_Atomic uint64_t rcodes[STATS_NRCODES];
	_Atomic uint64_t duration_buckets[STATS_NBUCKETS + 1];
	_Atomic uint64_t duration_ns;
	_Atomic int64_t tick;		/* stats_tick(): the loop is alive */
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

/*
 * Count one request read by the worker: @tcp 0 or 1, @v6 0 or 1 (the
 * client's family), and the question's type, read from the query @q of
 * @len bytes (STATS_TYPE_OTHER when it has none, or it is cut short).
 */
void stats_request(struct stats_worker *w, int tcp, int v6, const uint8_t *q,
		   size_t len);

/*
 * Count one response sent: its RCODE, from the header of @resp (@len
 * bytes, at least 12); @o is its outcome (an ANSWER_ERROR whose header
 * says NOERROR is BADVERS, an extended RCODE).
 */
void stats_response(struct stats_worker *w, const uint8_t *resp, size_t len,
		    enum answer_outcome o);

/* Count @n answers that took @ns nanoseconds each. */
void stats_duration(struct stats_worker *w, uint64_t n, uint64_t ns);

/* The worker's loop is alive: its tick becomes now (CLOCK_MONOTONIC). */
void stats_tick(struct stats_worker *w);

/* The name of @t: "A", ..., "other". */
const char *stats_type_name(enum stats_type t);

/* The name of RCODE @r (0 to STATS_NRCODES - 1): "NOERROR", ... */
const char *stats_rcode_name(unsigned r);

/* The upper bound of bucket @i (below STATS_NBUCKETS), in seconds. */
double stats_bucket_le(unsigned i);

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
