/* SPDX-License-Identifier: MIT */
/*
 * server.h -- sockets and the libev loop: UDP and TCP on every address.
 *
 * For every listen address the server opens one UDP and one TCP socket.
 * UDP is drained in batches (recvmmsg/sendmmsg); replies leave from the
 * address the query came to, also on wildcard sockets.  TCP takes
 * length-framed queries, several pipelined on one connection, answered in
 * order; reads and writes never block the loop; an idle connection is
 * closed after SERVER_TCP_IDLE seconds, and when SERVER_TCP_MAX are open
 * the least recently active one makes room for a new one.
 *
 * The server answers from the table it was last given; the caller (reload)
 * owns the tables and swaps them with server_set_table().
 */
#ifndef MESHDNS_SERVER_H
#define MESHDNS_SERVER_H

#include <ev.h>
#include <stddef.h>

#include "config.h"
#include "table.h"

#define SERVER_TCP_IDLE 10.0
#define SERVER_TCP_MAX 512

struct server;

/*
 * Open and bind every socket, and start watching them on @loop.  Returns
 * 0, or -1 with "cannot listen on ADDR (udp): reason" in @err (nothing is
 * left open), -ENOMEM.
 */
int server_new(struct server **out, struct ev_loop *loop,
	       const struct config_listen *listen, size_t n, char *err,
	       size_t errsize);

/*
 * Answer from @t from now on.  The table must stay valid until the next
 * call has returned (the server keeps no other reference to it); with one
 * loop thread the old table may be freed right after this call.
 */
void server_set_table(struct server *srv, const struct table *t);

/* Stop watching, close every socket and connection; NULL is a no-op. */
void server_free(struct server *srv);

#endif
