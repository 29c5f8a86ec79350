/* SPDX-License-Identifier: MIT */
/*
 * forward.h -- names outside the served zones: upstream resolvers.
 *
 * A forwarder sends a client's query to upstream resolvers on a libev loop
 * and hands the response back through a completion callback.  It does not
 * cache and does not look inside answers.
 *
 * One upstream attempt: a new non-blocking UDP socket, connect()ed to the
 * upstream (the kernel picks a random source port; the connected socket
 * only receives datagrams from that address and port), and the client's
 * query bytes as they are (EDNS included) with a fresh random ID from
 * getrandom(2).  An answer is accepted only when QR is set, the ID is ours,
 * QDCOUNT is 1 and the question is the query's (name compared without
 * case, uncompressed; type and class equal).  Anything else is counted in
 * dropped_mismatch and ignored, and the attempt keeps waiting, so a
 * spoofed datagram cannot end it (an upstream error without a question,
 * such as some FORMERRs, is ignored too and ends in a timeout).  An
 * accepted answer with TC set, or a datagram larger than the UDP buffer
 * (udp_size), is asked again over TCP to the same upstream (non-blocking
 * connect, 2-byte length framing, new ID, same checks, a new timeout).
 * Whatever its RCODE, an accepted answer is final: an upstream's SERVFAIL
 * or REFUSED is passed on, not failed over.
 *
 * Failover: each attempt (UDP, and its TCP retry) has @timeout seconds.
 * On a timeout, a socket error (an ICMP port unreachable included, which
 * fails the attempt at once), or a TCP connection that fails or closes,
 * the next upstream in list order (wrapping) is tried.  Every query starts
 * with the upstream that last gave an accepted answer (the first one at
 * start) and tries each upstream once; when all have failed the client
 * gets SERVFAIL, with the Extended DNS Error (RFC 8914) 22 (No Reachable
 * Authority) when an attempt ran out of time, else 23 (Network Error).
 * The worst case is nupstreams * 2 * timeout seconds.
 *
 * What the client gets: the accepted response with the client's own ID
 * and the client's exact question bytes (the same length, so its 0x20
 * case is kept and compression pointers stay valid).  A response longer
 * than the client's limit is cut to the upstream's header (flags and RCODE
 * kept, TC set) and the client's question, with the other sections empty,
 * so the client retries over TCP.  When all upstreams fail, or too many
 * queries are in flight, the client gets SERVFAIL: its ID, opcode, RD and
 * CD, with QR and RA set, and its question.  Both responses made here
 * carry an OPT record (our udp_size, DO copied, no option but that EDE,
 * which the overload SERVFAIL does not have) when the query had one, as
 * RFC 6891 asks (one OPT in sections that parse, as wire_opt_scan()
 * finds it); the upstream's OPT is not kept.
 *
 * The log: each failed attempt is a warning, "forward, upstream
 * 127.0.0.1:53: connection refused, failing over" ("timed out", "(TCP)"
 * for the TCP retry, no "failing over" after the last upstream), and a
 * SERVFAIL made here is "forward, all upstreams failed, SERVFAIL" (or
 * "too many queries waiting for an upstream").  At most one such line per
 * upstream, and one of each SERVFAIL line, per FORWARD_LOG_INTERVAL
 * seconds, across every forwarder sharing a struct forward_log; the next
 * line says how many were held back ("(41 more since the last
 * warning)").  At log level debug the held-back lines are written too, as
 * debug lines.
 *
 * Memory and sockets: per query a copy of it (and a buffer for a TCP
 * answer), and at most one socket, closed when its attempt ends.  One
 * thread: a forwarder is used only from the thread running its loop.
 */
#ifndef MESHDNS_FORWARD_H
#define MESHDNS_FORWARD_H

#include <ev.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "build/config.h"
#include "daemon/dnstap.h"
#include "dns/wire.h"
#include "util/netaddr.h"

#define FORWARD_PORT 53			/* when an upstream has no port */
#define FORWARD_UDP_SIZE WIRE_EDNS_SIZE	/* largest UDP answer we take */
#define FORWARD_LOG_INTERVAL 10		/* seconds between two warnings */

struct forward;

/*
 * The failure log's rate limit: one per server, shared by the forwarders
 * of all its workers (any thread may use it: atomics only).
 */
struct forward_log;

struct forward_config {
	const struct netaddr_port *upstreams;	/* copied */
	size_t nupstreams;				/* at least 1 */
	double timeout;		/* seconds per attempt; <= 0: the default,
				 * CONFIG_DEFAULT_FORWARD_TIMEOUT_MS */
	size_t max_in_flight;	/* 0: CONFIG_DEFAULT_FORWARD_MAX_INFLIGHT */
	size_t udp_size;	/* 0: FORWARD_UDP_SIZE; kept in 512..65535 */
	struct forward_log *log;	/* borrowed, for @nupstreams upstreams
					 * (it must outlive the forwarder);
					 * NULL: the forwarder has its own */
	struct dnstap_worker *tap;	/* borrowed: FORWARDER_QUERY and
					 * _RESPONSE frames; NULL: none */
};

struct forward_stats {
	uint64_t queries;	/* accepted by forward_query() */
	uint64_t answers;	/* upstream answers passed to the client
				 * (one per query, TCP retries included) */
	uint64_t timeouts;	/* attempts that ran out of time */
	uint64_t failovers;	/* moves to the next upstream */
	uint64_t tcp_retries;	/* UDP answers truncated, asked over TCP */
	uint64_t servfails;	/* SERVFAILs made here (overload included) */
	uint64_t overloaded;	/* queries refused by the in-flight bound */
	uint64_t dropped_mismatch;	/* answers with a wrong ID/question */
	uint64_t in_flight;	/* queries waiting for an upstream now */
};

/* Fill @cfg with the defaults and no upstreams. */
void forward_config_init(struct forward_config *cfg);

/*
 * Make a forwarder on @loop (borrowed: it must outlive the forwarder).
 * The upstream list is copied.  Returns 0 with *out set, -EINVAL when
 * there is no upstream or one is neither IPv4 nor IPv6, -ENOMEM, or the
 * negative errno of getrandom(2) when no randomness is available yet (of
 * a read of /dev/urandom where libc has no getrandom()).
 * Free with forward_free().
 */
int forward_new(struct forward **out, struct ev_loop *loop,
		const struct forward_config *cfg);

/*
 * Cancel every pending query and free the forwarder; NULL is a no-op.
 * Every pending query's callback is called now, once, with @resp NULL and
 * @len 0, meaning "cancelled: send nothing, release @ctx"; so the caller
 * must call this while the contexts it gave are still valid (before
 * freeing its client connections).  Those callbacks must not call
 * forward_query() or forward_free().  Nothing is waited for; every socket
 * is closed before this returns.
 */
void forward_free(struct forward *f);

/*
 * Forward the query @q of @len bytes (copied; the caller may reuse it at
 * once).  @client_limit is the largest response the client takes: for UDP
 * 512 without EDNS, else its advertised size (the caller may cap it);
 * 65535 for TCP.  Values below 512 count as 512.
 *
 * Returns 0 when the query is accepted: @done will then be called exactly
 * once, later, from the loop -- never from inside forward_query() -- with
 * @ctx and the response for the client (@resp valid only during the call;
 * never NULL except at forward_free()).  The callback may call
 * forward_query() again, but not forward_free().  When
 * max_in_flight queries are already waiting, the query is not sent and
 * @done gets SERVFAIL on the next loop iteration (counted in overloaded
 * and servfails).
 *
 * Returns -EINVAL, and never calls @done, when @q is not a standard query
 * with exactly one well-formed question (shorter than a header, QR set,
 * opcode not QUERY, QDCOUNT != 1, a compressed or cut-short name, longer
 * than 65535 bytes): the caller answers it itself (FORMERR, NOTIMP).
 * -ENOMEM likewise; -ECANCELED while forward_free() runs.
 */
int forward_query(struct forward *f, const uint8_t *q, size_t len,
		  size_t client_limit,
		  void (*done)(void *ctx, const uint8_t *resp, size_t len),
		  void *ctx);

/*
 * A rate limit for the failure log of forwarders with @nupstreams
 * upstreams (forward_config.log); 0 or -ENOMEM.  Free with
 * forward_log_free() (NULL is a no-op) after the forwarders that use it.
 */
int forward_log_new(struct forward_log **out, size_t nupstreams);
void forward_log_free(struct forward_log *l);

/* Copy the counters into @out. */
void forward_stats_get(const struct forward *f, struct forward_stats *out);

/* One upstream's counters (as forward_stats, from any thread). */
struct forward_upstream_stats {
	char to[64];		/* "127.0.0.1:53", "[::1]:53" */
	uint64_t queries;	/* attempts sent to it (TCP retries not) */
	uint64_t answers;	/* its answers passed to the client */
	uint64_t timeouts;	/* its attempts that ran out of time */
	uint64_t failovers;	/* moves away from it to the next one */
};

/* How many upstreams @f has, and the counters of upstream @i of them. */
size_t forward_upstream_count(const struct forward *f);
void forward_upstream_stats_get(const struct forward *f, size_t i,
				struct forward_upstream_stats *out);

/*
 * Parse "ADDR", "ADDR:PORT", "[V6]", "[V6]:PORT" or a bare "V6" (numeric
 * addresses only, an IPv6 scope such as "fe80::1%eth0" allowed; port 1 to
 * 65535, default FORWARD_PORT) into @out: netaddr_port_parse() with
 * NETADDR_PORT_SCOPE.  Returns 0, or -1 with "expected ADDRESS[:PORT] or
 * [IPV6]:PORT, got 'TEXT'" in @err.
 */
int forward_upstream_parse(struct netaddr_port *out, const char *text,
			   char *err, size_t errsize);

#endif
