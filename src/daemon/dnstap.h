/* SPDX-License-Identifier: MIT */
/*
 * dnstap.h -- dnstap frames of the queries meshdns answers and forwards.
 *
 * With dnstap.socket set, every answered query gives two frames,
 * AUTH_QUERY and AUTH_RESPONSE, and every query sent to an upstream
 * FORWARDER_QUERY and FORWARDER_RESPONSE (the upstream's answer as it
 * came).  Each carries the identity and version, the socket family and
 * protocol, both addresses and ports (query_address is the side that
 * asked: the client, or meshdns towards an upstream), the times and the
 * message bytes.  Frames go to a Frame Streams reader on a unix socket
 * (bidirectional, content type "protobuf:dnstap.Dnstap"), such as
 * fstrm_capture, through libfstrm's I/O thread.
 *
 * The query path never waits for it and takes no lock: each worker has
 * its own libfstrm input queue (single producer, single consumer) and its
 * own pool of frame buffers, which the I/O thread hands back once a frame
 * is written.  Packing a frame allocates nothing (a frame longer than a
 * pool buffer, DNSTAP_SLOT, is allocated with malloc: only very large
 * answers).  A frame that cannot be queued -- no collector connected, its
 * queue or buffers full because the collector reads too slowly -- is
 * dropped and counted in the worker's counter; a warning says so at most
 * every DNSTAP_LOG_INTERVAL seconds for all workers together:
 *   "dnstap, 1234 frames dropped (5678 in all): no collector is
 *   connected to /run/dnstap.sock"
 * ("the collector at PATH is not keeping up" when one is connected).
 * The I/O thread connects again every second while the collector is
 * away, and logs "dnstap, connected to PATH" and "dnstap, lost the
 * collector at PATH (REASON)" on each change (the first failure to
 * connect too: "dnstap, cannot connect to PATH (REASON); trying every
 * second").
 *
 * Threads: dnstap_new() before the process forks, dnstap_start() after
 * (it starts the I/O thread, with every signal blocked); the emitting
 * functions from worker i only, with its struct dnstap_worker; and
 * dnstap_free() once the workers have stopped (it writes what is queued,
 * waiting at most a few seconds for a collector that does not read).
 */
#ifndef MESHDNS_DNSTAP_H
#define MESHDNS_DNSTAP_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <time.h>

#define DNSTAP_CONTENT_TYPE "protobuf:dnstap.Dnstap"
#define DNSTAP_SLOT 2048		/* bytes of a pooled frame buffer */
#define DNSTAP_QUEUE 512		/* frames queued per worker */
#define DNSTAP_LOG_INTERVAL 10		/* seconds between drop warnings */

struct dnstap;
struct dnstap_worker;

struct dnstap_options {
	const char *socket;	/* the collector's unix socket path */
	const char *identity;	/* NULL: the host name; "": not sent */
	const char *version;	/* NULL or "": not sent */
	size_t workers;		/* input queues: one per worker */
};

enum dnstap_proto {
	DNSTAP_UDP = 1,
	DNSTAP_TCP = 2,
};

/*
 * Make the dnstap writer for @o (copied); nothing runs yet and nothing is
 * connected.  0, or -1 with the reason in @err ("dnstap.socket: PATH is
 * longer than 107 bytes, the limit of a unix socket path"; "cannot load
 * libfstrm.so.0, which dnstap.socket needs (...): install the package
 * libfstrm0", the same for libprotobuf-c: util/dl.h), -ENOMEM.
 */
int dnstap_new(struct dnstap **out, const struct dnstap_options *o,
	       char *err, size_t errsize);

/*
 * Worker @i's handle (valid until dnstap_free()): its drops are counted
 * in @dropped, which only that worker writes (stats.h).
 */
struct dnstap_worker *dnstap_worker(struct dnstap *d, size_t i,
				    _Atomic uint64_t *dropped);

/*
 * Start the I/O thread, which connects to the collector (now, then every
 * second while it is away).  A collector that is not there is no error.
 * 0, or -1 with the reason in @err.
 */
int dnstap_start(struct dnstap *d, char *err, size_t errsize);

/*
 * Stop the I/O thread after it wrote the frames queued (to a connected
 * collector), and free everything; NULL is a no-op.  No worker may emit
 * any more.
 */
void dnstap_free(struct dnstap *d);

/*
 * AUTH_QUERY and AUTH_RESPONSE of one answered query: @q (@qlen bytes)
 * from @client to @server (the listening address), answered with @r.
 * Both frames carry the same time, taken now.
 */
void dnstap_auth(struct dnstap_worker *w, enum dnstap_proto proto,
		 const struct sockaddr *client, const struct sockaddr *server,
		 const uint8_t *q, size_t qlen, const uint8_t *r, size_t rlen);

/*
 * FORWARDER_QUERY: @q sent to @upstream on the socket @fd (its local
 * address is the query_address).  The time it was sent goes to *@sent,
 * for the response's frame.
 */
void dnstap_forwarder_query(struct dnstap_worker *w, enum dnstap_proto proto,
			    int fd, const struct sockaddr *upstream,
			    const uint8_t *q, size_t qlen,
			    struct timespec *sent);

/* FORWARDER_RESPONSE: @r came from @upstream on @fd, for a query @sent. */
void dnstap_forwarder_response(struct dnstap_worker *w,
			       enum dnstap_proto proto, int fd,
			       const struct sockaddr *upstream,
			       const uint8_t *r, size_t rlen,
			       const struct timespec *sent);

#endif
