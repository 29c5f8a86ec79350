/* SPDX-License-Identifier: MIT */
/*
 * server.h -- sockets and the libev loop: UDP and TCP on every address.
 *
 * For every listen address the server opens one UDP and one TCP socket.
 * UDP is drained in batches (recvmmsg/sendmmsg); replies leave from the
 * address the query came to, also on wildcard sockets.  TCP takes
 * length-framed queries, several pipelined on one connection, answered in
 * the order they came (a forwarded one holds back the answers after it
 * until it is back); reads and writes never block the loop; an idle
 * connection is closed after tcp_idle seconds, and when tcp_max are open
 * the least recently active one makes room for a new one.
 *
 * Names outside the served zones go to the forwarder, when there is one
 * and the client's address is in the allowed ranges; others get REFUSED
 * (meshdns is never an open resolver).  Everybody gets authoritative
 * answers.
 *
 * The server answers from the table it was last given; the caller (reload)
 * owns the tables and swaps them with server_set_table().
 */
#ifndef MESHDNS_SERVER_H
#define MESHDNS_SERVER_H

#include <ev.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "forward.h"
#include "table.h"
#include "vip.h"

struct server;

struct server_options {
	const struct config_listen *listen;
	size_t nlisten;
	double tcp_idle;		/* seconds */
	size_t tcp_max;			/* connections */
	/* Forwarding: none when nupstreams is 0. */
	const struct forward_upstream *upstreams;
	size_t nupstreams;
	double forward_timeout;		/* seconds per attempt */
	size_t forward_max_in_flight;
	const struct vip_pool *allow;	/* who may use forwarding */
	size_t nallow;
};

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

/*
 * Open and bind every socket, make the forwarder, and start watching on
 * @loop.  Everything in @o is copied.  Returns 0, or -1 with "cannot
 * listen on ADDR (udp): reason" (or the forwarder's failure) in @err
 * (nothing is left open), -ENOMEM.
 */
int server_new(struct server **out, struct ev_loop *loop,
	       const struct server_options *o, char *err, size_t errsize);

/*
 * Answer from @t from now on.  The table must stay valid until the next
 * call has returned (the server keeps no other reference to it); with one
 * loop thread the old table may be freed right after this call.
 */
void server_set_table(struct server *srv, const struct table *t);

/* The counters so far. */
void server_stats_get(const struct server *srv, struct server_stats *out);

/*
 * Stop watching, cancel forwarded queries, close every socket and
 * connection; NULL is a no-op.
 */
void server_free(struct server *srv);

#endif
