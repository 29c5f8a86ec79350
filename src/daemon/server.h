/* SPDX-License-Identifier: MIT */
/*
 * server.h -- sockets and the libev loop: UDP and TCP on every address.
 *
 * For every listen address the server opens one UDP and one TCP socket.
 * UDP is drained in batches (recvmmsg/sendmmsg); replies leave from the
 * address the query came to, also on wildcard sockets.  TCP takes
 * length-framed queries, several pipelined on one connection, answered in
 * the order they came (a forwarded one holds back the answers after it
 * until it is back); reads and writes never block the loop.  A client
 * that does not read its answers is not read from either: a connection
 * stops reading and answering while 192 KiB or more of answers wait for
 * its client, and goes on as they drain, so that it costs at most its
 * 64 KiB read buffer and 256 KiB of answers.  (With forwarding, answers
 * held back behind a forwarded one count against the same 256 KiB but
 * may sit beside a write buffer that once grew to it; the answers of
 * forwarded queries in flight come on top, limited by the forwarder's
 * in-flight bound.)  An idle connection is closed after tcp_idle
 * seconds, and when tcp_max are open (all workers together) the
 * accepting worker's least recently active connection makes room for
 * the new one.
 *
 * With dnstap, every answer gives its AUTH_QUERY and AUTH_RESPONSE
 * frames, and the forwarder its FORWARDER_* ones (daemon/dnstap.h);
 * their response_address is the listening address (0.0.0.0 or :: on a
 * wildcard socket).
 *
 * Names outside the served zones go to the forwarder, when there is one
 * and the client's address is in the allowed ranges; others get REFUSED
 * (meshdns is never an open resolver).  Everybody gets authoritative
 * answers.
 *
 * Workers: each is a thread with its own libev loop, its own sockets
 * (SO_REUSEPORT, so the kernel spreads queries over them when there are
 * several), its TCP connections and its forwarder.  They never wait for
 * each other or for a reload.
 *
 * Signals: the workers take none.  They are started by thread_start()
 * (util/thread.h) with every signal blocked, and server_start() must be
 * called only once the main loop watches the signals meshdns handles
 * (daemon.h), so that no signal finds a process with threads but no
 * watcher for it.
 *
 * Tables: the caller (reload) owns them and publishes a new one with
 * server_publish(); a worker picks up the current one at the start of
 * each callback and says which generation it uses, so the caller frees an
 * old table only when server_oldest_in_use() is past its generation.  The
 * server keeps no list of old tables: the caller's is the only one.
 */
#ifndef MESHDNS_SERVER_H
#define MESHDNS_SERVER_H

#include <ev.h>
#include <stddef.h>
#include <stdint.h>

#include "build/config.h"
#include "daemon/forward.h"
#include "daemon/stats.h"
#include "dns/table.h"
#include "util/netaddr.h"

struct server;
struct transfer;

struct server_options {
	size_t workers;			/* threads; 0 or 1: one */
	const struct config_listen *listen;
	size_t nlisten;
	double tcp_idle;		/* seconds; 0: CONFIG_DEFAULT_TCP_IDLE */
	size_t tcp_max;			/* connections; 0:
					 * CONFIG_DEFAULT_TCP_MAX */
	/* Forwarding: none when nupstreams is 0. */
	const struct netaddr_port *upstreams;
	size_t nupstreams;
	double forward_timeout;		/* seconds per attempt */
	size_t forward_max_in_flight;
	const struct netaddr_cidr *allow;	/* who may use forwarding */
	size_t nallow;
	struct transfer *transfer;	/* zone transfers and TSIG
					 * (daemon/transfer.h): the server
					 * takes it, even when server_new()
					 * fails; NULL: no transfer, no key */
	/* dnstap (daemon/dnstap.h): none when dnstap_socket is NULL. */
	const char *dnstap_socket;
	const char *dnstap_identity;	/* NULL: the host name */
	const char *dnstap_version;
};

/*
 * Open and bind every socket of every worker and make their loops and
 * forwarders; nothing runs yet (so the caller may still fork).
 * Everything in @o is copied.  First every address is bound once alone
 * (UDP and TCP, without SO_REUSEPORT): an address that another process
 * holds -- another meshdns too, whose workers share their port -- fails
 * the start instead of being shared.  Returns 0, or -1 with
 * server_listen_error()'s message (or another failure) in @err (nothing
 * is left open), -ENOMEM.
 */
int server_new(struct server **out, const struct server_options *o,
	       char *err, size_t errsize);

/*
 * The message for a failed bind(2) or listen(2) of @l (@type SOCK_DGRAM
 * or SOCK_STREAM, @errnum its errno) into @buf, with the way out where
 * there is one:
 *   EADDRINUSE      "127.0.0.1:15053 is already in use by another process
 *                   (udp: Address already in use); ss -lunp 'sport =
 *                   :15053' shows which";
 *   EACCES          "cannot listen on ADDR (udp): Permission denied; a
 *                   port below 1024 needs CAP_NET_BIND_SERVICE: ..."
 *                   (setcap, the systemd unit, or a port of 1024 or more);
 *   EINVAL, EADDRNOTAVAIL on a link-local IPv6 address without a scope
 *                   "...; a link-local address needs a scope, e.g.
 *                   [fe80::1%eth0]:15053"; EADDRNOTAVAIL otherwise "...;
 *                   no interface of this host has that address";
 *   anything else   "cannot listen on ADDR (udp): strerror".
 * Pure: no I/O.
 */
void server_listen_error(char *buf, size_t size, const struct config_listen *l,
			 int type, int errnum);

/*
 * Start the worker threads (signals blocked, see above: call it once the
 * signal watchers run).  Until a table is published, queries get
 * SERVFAIL.  Returns 0, or -1 with the reason in @err (then call
 * server_free(), which stops those that started).
 */
int server_start(struct server *srv, char *err, size_t errsize);

/* The number of worker threads. */
size_t server_workers(const struct server *srv);

/*
 * Answer from @t (generation @gen, greater than every earlier one) from
 * now on.  @t is borrowed: it must stay valid until server_oldest_in_use()
 * is past @gen, or server_free() returned.  Allocates nothing, cannot
 * fail.  Call from one thread only (the main thread).
 */
void server_publish(struct server *srv, const struct table *t, uint64_t gen);

/*
 * The oldest generation a worker may still be reading: a table of an
 * older generation may be freed.  Frees nothing, changes nothing.  Main
 * thread only (the one that publishes).
 */
uint64_t server_oldest_in_use(const struct server *srv);

/* The counters so far. */
void server_stats_get(const struct server *srv, struct stats *out);

/*
 * The upstreams (0 without forwarding), and the counters of upstream @i
 * summed over the workers' forwarders.  Any thread.
 */
size_t server_upstream_count(const struct server *srv);
void server_upstream_stats_get(const struct server *srv, size_t i,
			       struct forward_upstream_stats *out);

/*
 * Stop and join the workers, cancel forwarded queries, close every socket
 * and connection; NULL is a no-op.  No table is used after it returns.
 */
void server_free(struct server *srv);

/*
 * The transfer policy the server took (server_options.transfer), or
 * NULL; for the publisher's transfer_record().
 */
struct transfer *server_transfer(const struct server *srv);

#endif
