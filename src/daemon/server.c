/* SPDX-License-Identifier: MIT */
/* server.c -- sockets and the libev loop: UDP and TCP on every address. */
#include "autoconfig.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <pthread.h>
#include <time.h>
#include <unistd.h>

#include "daemon/dnstap.h"
#include "dns/answer.h"
#include "dns/xfr.h"
#include "util/log.h"
#include "daemon/server.h"
#include "daemon/transfer.h"
#include "util/thread.h"

#define UDP_BATCH 32
#define UDP_BUF 4096		/* larger queries are not DNS queries */
#define UDP_ROUNDS 8		/* batches per wake-up, for fairness */
#define TCP_MSG_MAX 65535
/*
 * The answers one TCP connection may hold for a client that does not read
 * them (its write buffer and the answers held back behind a forwarded
 * one): a query is read and answered only while they are at most
 * TCP_WBUF_HIGH bytes, so that its answer (one framed message) keeps them
 * within TCP_OUT_MAX.  With its read buffer, a connection costs at most
 * 66 KiB + 256 KiB, plus the answers of its forwarded queries in flight.
 */
#define TCP_OUT_MAX (256 * 1024)
#define TCP_WBUF_HIGH (TCP_OUT_MAX - 2 - TCP_MSG_MAX)
/* Connections the kernel completes before accept() takes them, per
 * listening socket (listen(2); capped by net.core.somaxconn). */
#define TCP_BACKLOG 128
#define CMSG_SPACE_PKTINFO CMSG_SPACE(sizeof(struct in6_pktinfo))

struct server;
struct worker;

struct udp_sock {
	ev_io io;
	struct worker *wk;
	int fd;
	int wildcard;		/* bound to 0.0.0.0 or ::: reply via pktinfo */
	int family;
	struct sockaddr_storage local;	/* the listen address */
};

struct tcp_listener {
	ev_io io;
	ev_timer pause;		/* accept paused after a hard failure */
	struct worker *wk;
	int fd;
	struct sockaddr_storage local;	/* the listen address */
};

/* A forwarded UDP query waiting for its answer. */
struct udp_pending {
	struct udp_sock *u;
	struct sockaddr_storage peer;
	socklen_t peerlen;
	uint8_t ctl[CMSG_SPACE_PKTINFO];
	size_t ctllen;
};

struct tcp_conn;

/*
 * One answer of a TCP connection, in the order the queries came: a
 * forwarded query's slot holds back the answers after it until it is
 * filled.
 */
struct tcp_slot {
	struct tcp_conn *conn;	/* NULL: the connection closed meanwhile */
	struct tcp_slot *next;
	int ready;
	uint8_t *data;		/* length-framed response, or NULL */
	size_t len;
};

struct tcp_conn {
	ev_io io;
	ev_timer timer;
	struct worker *wk;
	int fd;
	int closing;		/* peer sent EOF: close once written */
	uint8_t rbuf[2 + TCP_MSG_MAX];
	size_t rlen;
	uint8_t *wbuf;
	size_t wlen;		/* bytes in wbuf */
	size_t woff;		/* bytes of wbuf already written */
	size_t wcap;
	struct tcp_slot *head;	/* answers waiting for a forwarded one */
	struct tcp_slot *qtail;
	size_t held;		/* bytes of the ready slots, with their own */
	struct sockaddr_storage peer;
	struct xfr *xfr;	/* a zone transfer under way, or NULL: the
				   queries after it wait in rbuf */
	uint64_t xfr_gen;	/* the generation of its table */
	const struct sockaddr_storage *local;	/* its listener's */
	ev_tstamp active;	/* last activity */
	struct tcp_conn *prev;	/* list of all connections, most recent */
	struct tcp_conn *next;	/* activity at the head */
};

/*
 * One worker thread: its own libev loop, its own sockets (SO_REUSEPORT
 * when there are several), its TCP connections and its forwarder.
 */
struct worker {
	struct server *srv;
	pthread_t thread;
	int started;
	struct ev_loop *loop;
	ev_async stop;
	ev_prepare idle;	/* before the loop blocks: using nothing */
	ev_timer tick;		/* the loop is alive (stats_tick()) */
	/* The generation of the view this worker is using, UINT64_MAX when
	 * it is between callbacks (using none). */
	_Atomic uint64_t in_use;
	uint64_t gen;		/* the generation acquire() last read */
	uint64_t xfr_hold;	/* the oldest generation a transfer of this
				   worker reads (UINT64_MAX: none) */
	struct udp_sock *udp;
	size_t nudp;
	struct tcp_listener *tcp;
	size_t ntcp;
	struct tcp_conn *conns;	/* head: most recently active */
	struct tcp_conn *tail;
	size_t nconns;
	double tcp_idle;
	struct forward *fwd;	/* NULL: no forwarding */
	const struct netaddr_cidr *allow;	/* the server's */
	size_t nallow;
	struct stats_worker stats;
	struct dnstap_worker *tap;	/* NULL: no dnstap */
	/* UDP batch buffers, reused on every wake-up (one loop thread). */
	uint8_t qbuf[UDP_BATCH][UDP_BUF];
	uint8_t rbuf[UDP_BATCH][UDP_BUF];
	uint8_t qctl[UDP_BATCH][CMSG_SPACE_PKTINFO];
	uint8_t rctl[UDP_BATCH][CMSG_SPACE_PKTINFO];
	struct sockaddr_storage peers[UDP_BATCH];
	uint8_t tcp_resp[TCP_MSG_MAX];
};

struct server {
	struct worker *workers;
	size_t nworkers;
	size_t tcp_max;			/* connections, all workers together */
	_Atomic size_t tcp_open;
	/*
	 * What the workers answer from: the table of generation gen (or a
	 * newer one, for a moment during server_publish(), which stores the
	 * table first).  Written by the main thread only.
	 */
	_Atomic(const struct table *) table;
	_Atomic uint64_t gen;
	struct netaddr_cidr *allow;
	size_t nallow;
	struct forward_log *fwd_log;	/* the workers' forwarders share it */
	struct transfer *transfer;	/* NULL: none */
	const struct tsig_keys *keys;	/* its keys, or NULL */
	struct dnstap *tap;		/* NULL: no dnstap */
};

/*
 * The table to answer from, for one callback.  The worker says which
 * generation it uses (in_use) before it reads the table, and checks that
 * no newer one was published meanwhile; the table it then reads is of
 * that generation or newer.  With sequentially consistent atomics
 * server_oldest_in_use() therefore sees either this in_use or the newer
 * generation that makes the worker try again, and the table's owner
 * (reload) never frees a table in use.  A zone transfer keeps its
 * table between callbacks: the worker's in_use then stays at the oldest
 * generation its transfers read (xfr_hold).
 */
static const struct table *
acquire(struct worker *wk)
{
	uint64_t g;

	for (;;) {
		g = atomic_load(&wk->srv->gen);
		atomic_store(&wk->in_use, g < wk->xfr_hold ? g : wk->xfr_hold);
		if (atomic_load(&wk->srv->gen) == g) {
			wk->gen = g;
			return atomic_load(&wk->srv->table);
		}
	}
}

static int
set_int_opt(int fd, int level, int name, int value)
{
	return setsockopt(fd, level, name, &value, sizeof(value));
}

/* A wildcard listen address (0.0.0.0, ::) */
static int
is_wildcard(const struct sockaddr_storage *ss)
{
	struct netaddr a;

	return netaddr_from_sockaddr(&a, (const struct sockaddr *)ss) == 0 &&
	       netaddr_is_any(&a);
}

/* open_socket() flags */
#define OPEN_REUSEPORT 0x1	/* share the port with our other workers */
#define OPEN_PROBE 0x2		/* only bind, alone: is the port free? */

/* A link-local IPv6 address (fe80::/10) without a scope. */
static int
link_local_without_scope(const struct sockaddr_storage *ss)
{
	const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)ss;

	return ss->ss_family == AF_INET6 &&
	       IN6_IS_ADDR_LINKLOCAL(&sin6->sin6_addr) &&
	       sin6->sin6_scope_id == 0;
}

void
server_listen_error(char *buf, size_t size, const struct config_listen *l,
		    int type, int errnum)
{
	const char *proto = type == SOCK_DGRAM ? "udp" : "tcp";
	struct netaddr_port p;
	unsigned port;

	p.addr = l->addr;
	p.addrlen = l->addrlen;
	port = netaddr_port_number(&p);
	switch (errnum) {
	case EADDRINUSE:
		snprintf(buf, size, "%s is already in use by another process "
			 "(%s: %s); ss -l%snp 'sport = :%u' shows which",
			 l->text, proto, strerror(errnum),
			 type == SOCK_DGRAM ? "u" : "t", port);
		return;
	case EACCES:
		snprintf(buf, size, "cannot listen on %s (%s): %s; a port "
			 "below 1024 needs CAP_NET_BIND_SERVICE: run meshdns "
			 "as root, give it the capability (setcap "
			 "cap_net_bind_service=+ep meshdns, or "
			 "AmbientCapabilities=CAP_NET_BIND_SERVICE in its "
			 "systemd unit), or listen on a port of 1024 or more",
			 l->text, proto, strerror(errnum));
		return;
	case EINVAL:
	case EADDRNOTAVAIL:
		if (link_local_without_scope(&l->addr)) {
			char a[INET6_ADDRSTRLEN];

			inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)
					      &l->addr)->sin6_addr, a,
				  sizeof(a));
			snprintf(buf, size, "cannot listen on %s (%s): %s; a "
				 "link-local address needs a scope, e.g. "
				 "[%s%%eth0]:%u", l->text, proto,
				 strerror(errnum), a, port);
			return;
		}
		if (errnum == EADDRNOTAVAIL) {
			snprintf(buf, size, "cannot listen on %s (%s): %s; no "
				 "interface of this host has that address",
				 l->text, proto, strerror(errnum));
			return;
		}
		break;
	default:
		break;
	}
	snprintf(buf, size, "cannot listen on %s (%s): %s", l->text, proto,
		 strerror(errnum));
}

/*
 * A socket bound to @l (and listening, for TCP), or -1 with the reason in
 * @err.  With OPEN_PROBE it is only bound, with neither SO_REUSEPORT nor
 * (for UDP) SO_REUSEADDR, so that the bind fails while any other socket
 * holds the address: another meshdns's SO_REUSEPORT sockets too.  A TCP
 * probe keeps SO_REUSEADDR: it must not fail on the TIME_WAIT connections
 * a stopped meshdns left behind, and it still fails on a listening
 * socket.
 */
static int
open_socket(const struct config_listen *l, int type, int flags, char *err,
	    size_t errsize)
{
	int family = l->addr.ss_family;
	int fd = socket(family, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	int saved;

	if (fd < 0)
		goto fail;
	if ((type == SOCK_STREAM || !(flags & OPEN_PROBE)) &&
	    set_int_opt(fd, SOL_SOCKET, SO_REUSEADDR, 1) < 0)
		goto fail;
	/* Several workers: one socket each, the kernel spreads the load. */
	if ((flags & OPEN_REUSEPORT) &&
	    set_int_opt(fd, SOL_SOCKET, SO_REUSEPORT, 1) < 0)
		goto fail;
	if (family == AF_INET6 &&
	    set_int_opt(fd, IPPROTO_IPV6, IPV6_V6ONLY, 1) < 0)
		goto fail;
	/* The local address of each query: only a wildcard socket needs it
	 * (to reply from it), and it costs every packet a control message. */
	if (type == SOCK_DGRAM && !(flags & OPEN_PROBE) &&
	    is_wildcard(&l->addr)) {
		if (family == AF_INET &&
		    set_int_opt(fd, IPPROTO_IP, IP_PKTINFO, 1) < 0)
			goto fail;
		if (family == AF_INET6 &&
		    set_int_opt(fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, 1) < 0)
			goto fail;
	}
	if (bind(fd, (const struct sockaddr *)&l->addr, l->addrlen) < 0)
		goto fail;
	if (type == SOCK_STREAM && !(flags & OPEN_PROBE) &&
	    listen(fd, TCP_BACKLOG) < 0)
		goto fail;
	return fd;
fail:
	saved = errno;
	server_listen_error(err, errsize, l, type, saved);
	if (fd >= 0)
		close(fd);
	return -1;
}

/*
 * Is every address free, for UDP and for TCP?  Our workers share their
 * port with SO_REUSEPORT, and so could another meshdns of the same user:
 * the kernel would then split the queries between two processes that
 * serve different data.  A socket bound alone first fails while any
 * other process holds the address.  It is closed before the workers
 * bind: a process that binds in between (within microseconds) is not
 * seen.  0, or -1 with the reason in @err.
 */
static int
probe_listen(const struct server_options *o, char *err, size_t errsize)
{
	static const int types[] = { SOCK_DGRAM, SOCK_STREAM };
	size_t i;
	size_t j;
	int fd;

	for (i = 0; i < o->nlisten; i++) {
		for (j = 0; j < 2; j++) {
			fd = open_socket(&o->listen[i], types[j], OPEN_PROBE,
					 err, errsize);
			if (fd < 0)
				return -1;
			close(fd);
		}
	}
	return 0;
}

/*
 * Copy the destination address of a received datagram into the control
 * data of its reply, so the reply leaves from the address the query came
 * to (needed on wildcard sockets with several local addresses).
 */
static size_t
reply_pktinfo(const struct msghdr *in, uint8_t *ctl, size_t ctlsize)
{
	struct cmsghdr *c = NULL;
	struct msghdr out;

	memset(&out, 0, sizeof(out));
	out.msg_control = ctl;
	out.msg_controllen = ctlsize;
	for (c = CMSG_FIRSTHDR((struct msghdr *)in); c != NULL;
	     c = CMSG_NXTHDR((struct msghdr *)in, c)) {
		struct cmsghdr *o = CMSG_FIRSTHDR(&out);

		if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO) {
			struct in_pktinfo pi;

			memcpy(&pi, CMSG_DATA(c), sizeof(pi));
			pi.ipi_ifindex = 0;
			o->cmsg_level = IPPROTO_IP;
			o->cmsg_type = IP_PKTINFO;
			o->cmsg_len = CMSG_LEN(sizeof(pi));
			memcpy(CMSG_DATA(o), &pi, sizeof(pi));
			return CMSG_SPACE(sizeof(pi));
		}
		if (c->cmsg_level == IPPROTO_IPV6 &&
		    c->cmsg_type == IPV6_PKTINFO) {
			struct in6_pktinfo pi;

			memcpy(&pi, CMSG_DATA(c), sizeof(pi));
			o->cmsg_level = IPPROTO_IPV6;
			o->cmsg_type = IPV6_PKTINFO;
			o->cmsg_len = CMSG_LEN(sizeof(pi));
			memcpy(CMSG_DATA(o), &pi, sizeof(pi));
			return CMSG_SPACE(sizeof(pi));
		}
	}
	return 0;
}

/* May this client use forwarding? */
static int
may_forward(const struct worker *wk, const struct sockaddr_storage *ss)
{
	return wk->fwd != NULL &&
	       netaddr_acl_match(wk->allow, wk->nallow,
				 (const struct sockaddr *)ss);
}

/*
 * Answer one query.  When it is to be forwarded but the forwarder will
 * not take it, the client gets the answer it would get without
 * forwarding (REFUSED).
 */
static size_t
answer_one(const struct table *t, const struct sockaddr_storage *peer,
	   enum answer_transport tr, int forwarding, const uint8_t *q,
	   size_t qlen, uint8_t *resp, size_t cap,
	   enum answer_outcome *outcome, const struct tsig_keys *keys)
{
	/* Every field named, the rest zero. */
	struct answer_query_ctx ctx = {
		.t = t,
		.client = (const struct sockaddr *)peer,
		.tr = tr,
		.forwarding = forwarding,
		.keys = keys,	/* .now 0: the clock, for TSIG only */
	};

	return answer_query(&ctx, q, qlen, resp, cap, outcome);
}

/* Nanoseconds from @a to @b (0 if the clock went back). */
static uint64_t
elapsed_ns(const struct timespec *a, const struct timespec *b)
{
	int64_t ns = ((int64_t)b->tv_sec - (int64_t)a->tv_sec) * 1000000000 +
		((int64_t)b->tv_nsec - (int64_t)a->tv_nsec);

	return ns > 0 ? (uint64_t)ns : 0;
}

static void
udp_forward_done(void *arg, const uint8_t *resp, size_t len)
{
	struct udp_pending *p = arg;
	struct msghdr h;
	struct iovec iov;

	if (resp != NULL) {
		memset(&h, 0, sizeof(h));
		iov.iov_base = (void *)resp;
		iov.iov_len = len;
		h.msg_iov = &iov;
		h.msg_iovlen = 1;
		h.msg_name = &p->peer;
		h.msg_namelen = p->peerlen;
		if (p->ctllen > 0) {
			h.msg_control = p->ctl;
			h.msg_controllen = p->ctllen;
		}
		if (sendmsg(p->u->fd, &h, 0) < 0)
			log_debug("udp, send of a forwarded answer failed (%s)",
				  strerror(errno));
		else
			stats_response(&p->u->wk->stats, resp, len,
				       ANSWER_FORWARD);
	}
	free(p);
}

/* Hand a UDP query to the forwarder; 0, or -1 to answer it here. */
static int
udp_forward(struct udp_sock *u, const struct msghdr *in, const uint8_t *q,
	    size_t qlen)
{
	struct worker *wk = u->wk;
	struct udp_pending *p = calloc(1, sizeof(*p));

	if (p == NULL)
		return -1;
	p->u = u;
	memcpy(&p->peer, in->msg_name, in->msg_namelen);
	p->peerlen = in->msg_namelen;
	if (u->wildcard)
		p->ctllen = reply_pktinfo(in, p->ctl, sizeof(p->ctl));
	if (forward_query(wk->fwd, q, qlen, answer_udp_limit(q, qlen),
			  udp_forward_done, p) < 0) {
		free(p);
		return -1;
	}
	return 0;
}

static void
udp_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct udp_sock *u = (struct udp_sock *)w;
	struct worker *wk = u->wk;
	struct mmsghdr in[UDP_BATCH];
	struct mmsghdr out[UDP_BATCH];
	struct iovec qiov[UDP_BATCH];
	struct iovec riov[UDP_BATCH];
	struct timespec t0;
	struct timespec t1;
	int round;

	for (round = 0; round < UDP_ROUNDS; round++) {
		const struct table *t = acquire(wk);
		int n;
		int nout = 0;
		int i;

		memset(in, 0, sizeof(in));
		for (i = 0; i < UDP_BATCH; i++) {
			qiov[i].iov_base = wk->qbuf[i];
			qiov[i].iov_len = UDP_BUF;
			in[i].msg_hdr.msg_iov = &qiov[i];
			in[i].msg_hdr.msg_iovlen = 1;
			in[i].msg_hdr.msg_name = &wk->peers[i];
			in[i].msg_hdr.msg_namelen = sizeof(wk->peers[i]);
			if (u->wildcard) {
				in[i].msg_hdr.msg_control = wk->qctl[i];
				in[i].msg_hdr.msg_controllen =
					sizeof(wk->qctl[i]);
			}
		}
		n = recvmmsg(u->fd, in, UDP_BATCH, MSG_DONTWAIT, NULL);
		if (n <= 0) {
			if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK &&
			    errno != EINTR)
				log_debug("udp, receive failed (%s)",
					  strerror(errno));
			return;
		}
		clock_gettime(CLOCK_MONOTONIC, &t0);
		stats_add(&wk->stats.udp_queries, (uint64_t)n);
		memset(out, 0, sizeof(out));
		for (i = 0; i < n; i++) {
			struct msghdr *h = &out[nout].msg_hdr;
			enum answer_outcome o = ANSWER_DROP;
			int fwd = may_forward(wk, &wk->peers[i]);
			size_t len;

			stats_request(&wk->stats, 0,
				      wk->peers[i].ss_family == AF_INET6,
				      wk->qbuf[i], in[i].msg_len);
			if (in[i].msg_hdr.msg_flags & MSG_TRUNC) {
				stats_add(&wk->stats.dropped, 1);
				continue;
			}
			len = answer_one(t, &wk->peers[i], ANSWER_UDP,
					 fwd, wk->qbuf[i], in[i].msg_len,
					 wk->rbuf[nout], UDP_BUF, &o,
					 wk->srv->keys);
			if (o == ANSWER_FORWARD &&
			    udp_forward(u, &in[i].msg_hdr, wk->qbuf[i],
					in[i].msg_len) < 0)
				len = answer_one(t, &wk->peers[i],
						 ANSWER_UDP, 0, wk->qbuf[i],
						 in[i].msg_len,
						 wk->rbuf[nout], UDP_BUF, &o,
						 wk->srv->keys);
			stats_count(&wk->stats, o);
			if (len == 0)
				continue;
			stats_response(&wk->stats, wk->rbuf[nout], len, o);
			if (wk->tap != NULL)
				dnstap_auth(wk->tap, DNSTAP_UDP,
					    (const struct sockaddr *)
					    &wk->peers[i],
					    (const struct sockaddr *)&u->local,
					    wk->qbuf[i], in[i].msg_len,
					    wk->rbuf[nout], len);
			riov[nout].iov_base = wk->rbuf[nout];
			riov[nout].iov_len = len;
			h->msg_iov = &riov[nout];
			h->msg_iovlen = 1;
			h->msg_name = &wk->peers[i];
			h->msg_namelen = in[i].msg_hdr.msg_namelen;
			if (u->wildcard) {
				h->msg_control = wk->rctl[nout];
				h->msg_controllen = reply_pktinfo(
					&in[i].msg_hdr, wk->rctl[nout],
					sizeof(wk->rctl[nout]));
				if (h->msg_controllen == 0)
					h->msg_control = NULL;
			}
			nout++;
		}
		for (i = 0; i < nout;) {
			int sent = sendmmsg(u->fd, out + i, nout - i, 0);

			if (sent < 0) {
				if (errno == EINTR)
					continue;
				/* One bad peer must not cost the others. */
				log_debug("udp, send failed (%s)",
					  strerror(errno));
				i++;
				continue;
			}
			i += sent;
		}
		/* Every answer of the batch took the batch's time. */
		if (nout > 0) {
			clock_gettime(CLOCK_MONOTONIC, &t1);
			stats_duration(&wk->stats, (uint64_t)nout, elapsed_ns(
					       &t0, &t1));
		}
		if (n < UDP_BATCH)
			return;
	}
}

/* --- TCP --- */

static void tcp_conn_close(struct tcp_conn *c);
static int tcp_flush(struct tcp_conn *c);
static int tcp_pump(struct tcp_conn *c);
static void tcp_rearm(struct tcp_conn *c);
static void xfr_hold_update(struct worker *wk);

/* What a ready slot costs the connection. */
static size_t
slot_cost(const struct tcp_slot *s)
{
	return sizeof(*s) + s->len;
}

/* Past the mark: read and answer no more until the client reads. */
static int
tcp_full(const struct tcp_conn *c)
{
	return c->wlen - c->woff + c->held > TCP_WBUF_HIGH;
}

/* The connection list, most recently active first, for the limit. */
static void
conn_unlink(struct tcp_conn *c)
{
	struct worker *wk = c->wk;

	if (c->prev != NULL)
		c->prev->next = c->next;
	else
		wk->conns = c->next;
	if (c->next != NULL)
		c->next->prev = c->prev;
	else
		wk->tail = c->prev;
	c->prev = NULL;
	c->next = NULL;
}

static void
conn_push(struct tcp_conn *c)
{
	struct worker *wk = c->wk;

	c->prev = NULL;
	c->next = wk->conns;
	if (wk->conns != NULL)
		wk->conns->prev = c;
	wk->conns = c;
	if (wk->tail == NULL)
		wk->tail = c;
}

static void
conn_touch(struct tcp_conn *c)
{
	c->active = ev_now(c->wk->loop);
	if (c->wk->conns == c)
		return;
	conn_unlink(c);
	conn_push(c);
}

static void
tcp_conn_close(struct tcp_conn *c)
{
	struct worker *wk = c->wk;
	struct tcp_slot *s = c->head;

	/* Slots still waiting for the forwarder are freed by it. */
	while (s != NULL) {
		struct tcp_slot *next = s->next;

		if (s->ready) {
			free(s->data);
			free(s);
		} else {
			s->conn = NULL;
		}
		s = next;
	}
	ev_io_stop(wk->loop, &c->io);
	ev_timer_stop(wk->loop, &c->timer);
	close(c->fd);
	conn_unlink(c);
	if (c->xfr != NULL) {
		xfr_free(c->xfr);
		c->xfr = NULL;
		xfr_hold_update(wk);
	}
	wk->nconns--;
	atomic_fetch_sub(&wk->srv->tcp_open, 1);
	free(c->wbuf);
	free(c);
}

static int
wbuf_append(struct tcp_conn *c, const uint8_t *data, size_t len)
{
	/* Move what is still unsent to the front: the buffer never grows
	 * with bytes already written. */
	if (c->woff > 0) {
		memmove(c->wbuf, c->wbuf + c->woff, c->wlen - c->woff);
		c->wlen -= c->woff;
		c->woff = 0;
	}
	if (c->wlen + len > c->wcap) {
		size_t cap = c->wcap ? c->wcap : 4096;
		uint8_t *b = NULL;

		while (cap < c->wlen + len)
			cap *= 2;
		if ((b = realloc(c->wbuf, cap)) == NULL)
			return -ENOMEM;
		c->wbuf = b;
		c->wcap = cap;
	}
	memcpy(c->wbuf + c->wlen, data, len);
	c->wlen += len;
	return 0;
}

/* Write what can be written now; -1 when the connection must close. */
static int
tcp_flush(struct tcp_conn *c)
{
	while (c->woff < c->wlen) {
		ssize_t n = send(c->fd, c->wbuf + c->woff, c->wlen - c->woff,
				 MSG_NOSIGNAL);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return 0;
			return -1;
		}
		c->woff += (size_t)n;
	}
	c->woff = 0;
	c->wlen = 0;
	return 0;
}

/* Move the answers that are ready, in order, to the write buffer. */
static int
slots_drain(struct tcp_conn *c)
{
	while (c->head != NULL && c->head->ready) {
		struct tcp_slot *s = c->head;
		int rc = 0;

		if (s->data != NULL)
			rc = wbuf_append(c, s->data, s->len);
		c->held -= slot_cost(s);
		c->head = s->next;
		if (c->head == NULL)
			c->qtail = NULL;
		free(s->data);
		free(s);
		if (rc < 0)
			return rc;
	}
	return 0;
}

static int
slot_append(struct tcp_conn *c, struct tcp_slot *s)
{
	s->conn = c;
	if (c->qtail != NULL)
		c->qtail->next = s;
	else
		c->head = s;
	c->qtail = s;
	return 0;
}

/* Queue a framed answer: straight out, or after a forwarded one. */
static int
tcp_queue(struct tcp_conn *c, const uint8_t *resp, size_t len)
{
	uint8_t hdr[2];
	struct tcp_slot *s = NULL;

	hdr[0] = (uint8_t)(len >> 8);
	hdr[1] = (uint8_t)len;
	if (c->head == NULL) {
		if (wbuf_append(c, hdr, 2) < 0 ||
		    wbuf_append(c, resp, len) < 0)
			return -ENOMEM;
		return 0;
	}
	if ((s = calloc(1, sizeof(*s))) == NULL ||
	    (s->data = malloc(len + 2)) == NULL) {
		free(s);
		return -ENOMEM;
	}
	memcpy(s->data, hdr, 2);
	memcpy(s->data + 2, resp, len);
	s->len = len + 2;
	s->ready = 1;
	c->held += slot_cost(s);
	return slot_append(c, s);
}

static void
tcp_forward_done(void *arg, const uint8_t *resp, size_t len)
{
	struct tcp_slot *s = arg;
	struct tcp_conn *c = s->conn;

	if (c == NULL) {
		free(s);
		return;
	}
	s->ready = 1;
	if (resp != NULL && (s->data = malloc(len + 2)) != NULL) {
		s->data[0] = (uint8_t)(len >> 8);
		s->data[1] = (uint8_t)len;
		memcpy(s->data + 2, resp, len);
		s->len = len + 2;
	}
	c->held += slot_cost(s);
	if (resp == NULL)
		return;		/* cancelled: the server is stopping */
	stats_response(&c->wk->stats, resp, len, ANSWER_FORWARD);
	/* The queries read meanwhile may go on once the answers before
	 * them are out. */
	if (slots_drain(c) < 0 || tcp_pump(c) < 0) {
		tcp_conn_close(c);
		return;
	}
	tcp_rearm(c);
}

/* Hand a TCP query to the forwarder; 0, or -1 to answer it here. */
static int
tcp_forward(struct tcp_conn *c, const uint8_t *q, size_t qlen)
{
	struct tcp_slot *s = calloc(1, sizeof(*s));

	if (s == NULL)
		return -1;
	if (forward_query(c->wk->fwd, q, qlen, TCP_MSG_MAX,
			  tcp_forward_done, s) < 0) {
		free(s);
		return -1;
	}
	return slot_append(c, s);
}

/*
 * Zone transfers (dns/xfr.h): the session keeps its table (xfr_hold), its
 * messages go out one by one as the client reads them, and the queries
 * after it wait in the read buffer until it is over.
 */
static void
xfr_hold_update(struct worker *wk)
{
	const struct tcp_conn *c = NULL;
	uint64_t hold = UINT64_MAX;

	for (c = wk->conns; c != NULL; c = c->next)
		if (c->xfr != NULL && c->xfr_gen < hold)
			hold = c->xfr_gen;
	wk->xfr_hold = hold;
}

/* Start the transfer the query @q asks for, from @t; -1 to close. */
static int
tcp_xfr_start(struct tcp_conn *c, const struct table *t, const uint8_t *q,
	      size_t qlen)
{
	struct worker *wk = c->wk;
	struct xfr_policy none;
	const struct xfr_policy *p = NULL;

	memset(&none, 0, sizeof(none));
	p = wk->srv->transfer != NULL ? transfer_policy(wk->srv->transfer) :
	    &none;
	if (xfr_start(&c->xfr, p, t, (const struct sockaddr *)&c->peer, q,
		      qlen, (uint64_t)time(NULL)) < 0)
		return -1;
	c->xfr_gen = wk->gen;
	if (c->xfr_gen < wk->xfr_hold)
		wk->xfr_hold = c->xfr_gen;
	return 0;
}

/* Queue the transfer's next messages while the client keeps up; -1 to close. */
static int
tcp_xfr_fill(struct tcp_conn *c)
{
	struct worker *wk = c->wk;
	size_t len = 0;

	while (c->xfr != NULL && c->head == NULL && !tcp_full(c)) {
		if (xfr_next(c->xfr, wk->tcp_resp, sizeof(wk->tcp_resp),
			     &len) < 0)
			return -1;
		if (len == 0) {
			xfr_free(c->xfr);
			c->xfr = NULL;
			xfr_hold_update(wk);
			break;
		}
		if (tcp_queue(c, wk->tcp_resp, len) < 0)
			return -1;
	}
	return 0;
}

/*
 * Answer the complete queries in the read buffer, in order, until the
 * answers waiting for the client are past the mark; the rest wait in the
 * buffer.  -1 to close.
 */
static int
tcp_process(struct tcp_conn *c)
{
	struct worker *wk = c->wk;
	const struct table *t = NULL;
	struct timespec t0;
	struct timespec t1;
	uint64_t answered = 0;
	int fwd;
	size_t off = 0;

	if (c->rlen < 2 || tcp_full(c) || c->xfr != NULL)
		return 0;
	t = acquire(wk);
	fwd = may_forward(wk, &c->peer);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (c->rlen - off >= 2 && !tcp_full(c) && c->xfr == NULL) {
		size_t mlen = ((size_t)c->rbuf[off] << 8) | c->rbuf[off + 1];
		const uint8_t *q = c->rbuf + off + 2;
		enum answer_outcome o = ANSWER_DROP;
		size_t len;

		if (mlen == 0)
			return -1;
		if (c->rlen - off < 2 + mlen)
			break;
		stats_add(&wk->stats.tcp_queries, 1);
		stats_request(&wk->stats, 1, c->peer.ss_family == AF_INET6, q,
			      mlen);
		len = answer_one(t, &c->peer, ANSWER_TCP, fwd, q, mlen,
				 wk->tcp_resp, sizeof(wk->tcp_resp), &o,
				 wk->srv->keys);
		if (o == ANSWER_FORWARD && tcp_forward(c, q, mlen) < 0)
			len = answer_one(t, &c->peer, ANSWER_TCP, 0, q,
					 mlen, wk->tcp_resp,
					 sizeof(wk->tcp_resp), &o,
					 wk->srv->keys);
		stats_count(&wk->stats, o);
		if (len > 0 && wk->tap != NULL)
			dnstap_auth(wk->tap, DNSTAP_TCP,
				    (const struct sockaddr *)&c->peer,
				    (const struct sockaddr *)c->local, q, mlen,
				    wk->tcp_resp, len);
		off += 2 + mlen;
		if (len > 0) {
			stats_response(&wk->stats, wk->tcp_resp, len, o);
			answered++;
		}
		if (o == ANSWER_XFR && tcp_xfr_start(c, t, q, mlen) < 0)
			return -1;
		if (len > 0 && tcp_queue(c, wk->tcp_resp, len) < 0)
			return -1;
	}
	if (answered > 0) {
		clock_gettime(CLOCK_MONOTONIC, &t1);
		stats_duration(&wk->stats, answered, elapsed_ns(&t0, &t1));
	}
	if (off > 0) {
		memmove(c->rbuf, c->rbuf + off, c->rlen - off);
		c->rlen -= off;
	}
	return 0;
}

/*
 * Write what can be written, and answer the queries that waited in the
 * read buffer while the answers before them went out, until neither
 * moves; -1 to close.
 */
static int
tcp_pump(struct tcp_conn *c)
{
	size_t rlen;

	do {
		rlen = c->rlen;
		if (tcp_flush(c) < 0 || tcp_xfr_fill(c) < 0 ||
		    tcp_flush(c) < 0 || tcp_process(c) < 0)
			return -1;
	} while (c->rlen != rlen);
	return 0;
}

/* Watch for reading unless the peer is slow to read our answers. */
static void
tcp_rearm(struct tcp_conn *c)
{
	int events = 0;

	if (!c->closing && !tcp_full(c))
		events |= EV_READ;
	/* A transfer writes on: its next messages once the socket takes
	 * more, one buffer's worth per callback. */
	if (c->wlen > c->woff || (c->xfr != NULL && c->head == NULL))
		events |= EV_WRITE;
	if (events == 0 && c->head == NULL) {
		tcp_conn_close(c);
		return;
	}
	if ((c->io.events & (EV_READ | EV_WRITE)) != events ||
	    !ev_is_active(&c->io)) {
		ev_io_stop(c->wk->loop, &c->io);
		if (events == 0)
			return;	/* EOF seen; waiting for forwarded answers */
		ev_io_set(&c->io, c->fd, events);
		ev_io_start(c->wk->loop, &c->io);
	}
}

static void
tcp_conn_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct tcp_conn *c = (struct tcp_conn *)w;

	conn_touch(c);
	if (revents & EV_READ) {
		/* Below the mark tcp_process() leaves at most a part of a
		 * query in the read buffer: there is room to read into. */
		while (!c->closing && !tcp_full(c)) {
			ssize_t n = recv(c->fd, c->rbuf + c->rlen,
					 sizeof(c->rbuf) - c->rlen, 0);

			if (n == 0) {
				c->closing = 1;
				break;
			}
			if (n < 0) {
				if (errno == EINTR)
					continue;
				if (errno == EAGAIN || errno == EWOULDBLOCK)
					break;
				tcp_conn_close(c);
				return;
			}
			c->rlen += (size_t)n;
			if (tcp_process(c) < 0) {
				tcp_conn_close(c);
				return;
			}
		}
	}
	if (tcp_pump(c) < 0) {
		tcp_conn_close(c);
		return;
	}
	tcp_rearm(c);
}

static void
tcp_timer_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct tcp_conn *c = (struct tcp_conn *)((char *)w -
						 offsetof(struct tcp_conn, timer));
	ev_tstamp idle_until = c->active + c->wk->tcp_idle;

	if (idle_until > ev_now(loop)) {
		w->repeat = idle_until - ev_now(loop);
		ev_timer_again(loop, w);
		return;
	}
	tcp_conn_close(c);
}

static void
accept_resume_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct tcp_listener *l = (struct tcp_listener *)((char *)w -
		offsetof(struct tcp_listener, pause));

	ev_io_start(loop, &l->io);
}

/*
 * accept() fails for a reason that will not go away at once (no
 * descriptors and no connection to close, no memory): stop accepting for
 * a moment instead of spinning on the pending connection.
 */
static void
accept_pause(struct tcp_listener *l, int err)
{
	struct ev_loop *loop = l->wk->loop;

	log_warning("tcp, accept failed (%s); pausing new connections for "
		    "1 s", strerror(err));
	ev_io_stop(loop, &l->io);
	ev_timer_set(&l->pause, 1.0, 0.);
	ev_timer_start(loop, &l->pause);
}

static void
tcp_accept_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct tcp_listener *l = (struct tcp_listener *)w;
	struct worker *wk = l->wk;

	for (;;) {
		struct sockaddr_storage peer;
		socklen_t plen = sizeof(peer);
		struct tcp_conn *c = NULL;
		int fd = accept4(l->fd, (struct sockaddr *)&peer, &plen,
				 SOCK_NONBLOCK | SOCK_CLOEXEC);

		if (fd < 0) {
			if (errno == EINTR)
				continue;
			if ((errno == EMFILE || errno == ENFILE) &&
			    wk->tail != NULL) {
				/* Out of descriptors: the least recently
				 * active connection makes room. */
				stats_add(&wk->stats.tcp_closed_for_room, 1);
				tcp_conn_close(wk->tail);
				continue;
			}
			if (errno != EAGAIN && errno != EWOULDBLOCK)
				accept_pause(l, errno);
			return;
		}
		/*
		 * At the limit (all workers together), this worker's least
		 * recently active connection makes room; a worker without
		 * one turns the new connection away.
		 */
		if (atomic_load(&wk->srv->tcp_open) >= wk->srv->tcp_max) {
			stats_add(&wk->stats.tcp_closed_for_room, 1);
			if (wk->tail == NULL) {
				close(fd);
				continue;
			}
			tcp_conn_close(wk->tail);
		}
		if ((c = calloc(1, sizeof(*c))) == NULL) {
			close(fd);
			log_error("tcp, out of memory for a connection");
			return;
		}
		c->wk = wk;
		c->fd = fd;
		c->peer = peer;
		c->local = &l->local;
		ev_io_init(&c->io, tcp_conn_cb, fd, EV_READ);
		ev_io_start(loop, &c->io);
		ev_timer_init(&c->timer, tcp_timer_cb, wk->tcp_idle, 0.);
		ev_timer_start(loop, &c->timer);
		wk->nconns++;
		atomic_fetch_add(&wk->srv->tcp_open, 1);
		stats_add(&wk->stats.tcp_connections, 1);
		conn_push(c);
		c->active = ev_now(loop);
	}
}

/* --- workers --- */

static void
idle_cb(struct ev_loop *loop, ev_prepare *w, int revents)
{
	struct worker *wk = (struct worker *)((char *)w -
					      offsetof(struct worker, idle));

	/* About to block: this worker holds no table now, but for those
	 * of its transfers. */
	atomic_store(&wk->in_use, wk->xfr_hold);
}

static void
tick_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct worker *wk = (struct worker *)((char *)w -
					      offsetof(struct worker, tick));

	stats_tick(&wk->stats);
}

static void
stop_cb(struct ev_loop *loop, ev_async *w, int revents)
{
	ev_break(loop, EVBREAK_ALL);
}

static void *
worker_main(void *arg)
{
	struct worker *wk = arg;

	ev_run(wk->loop, 0);
	atomic_store(&wk->in_use, UINT64_MAX);
	return NULL;
}

static int
worker_forward(struct worker *wk, const struct server_options *o, char *err,
	       size_t errsize)
{
	struct forward_config fc;
	int rc;

	if (o->nupstreams == 0)
		return 0;
	forward_config_init(&fc);
	fc.upstreams = o->upstreams;
	fc.nupstreams = o->nupstreams;
	fc.timeout = o->forward_timeout;
	fc.log = wk->srv->fwd_log;
	fc.tap = wk->tap;
	/* The bound is the server's: shared out between the workers. */
	fc.max_in_flight = o->forward_max_in_flight / wk->srv->nworkers;
	if (fc.max_in_flight == 0)
		fc.max_in_flight = 1;
	rc = forward_new(&wk->fwd, wk->loop, &fc);
	if (rc < 0) {
		snprintf(err, errsize, "cannot set up forwarding (%s)",
			 strerror(-rc));
		return rc == -ENOMEM ? rc : -1;
	}
	return 0;
}

/* Everything of one worker but its thread. */
static int
worker_init(struct worker *wk, struct server *srv,
	    const struct server_options *o, char *err, size_t errsize)
{
	size_t n = o->nlisten;
	int flags = srv->nworkers > 1 ? OPEN_REUSEPORT : 0;
	size_t i;
	int rc;

	wk->srv = srv;
	atomic_init(&wk->in_use, UINT64_MAX);
	wk->xfr_hold = UINT64_MAX;
	wk->tcp_idle = o->tcp_idle > 0 ? o->tcp_idle : CONFIG_DEFAULT_TCP_IDLE;
	wk->allow = srv->allow;
	wk->nallow = srv->nallow;
	if (srv->tap != NULL)
		wk->tap = dnstap_worker(srv->tap, (size_t)(wk - srv->workers),
					&wk->stats.dnstap_dropped);
	if ((wk->loop = ev_loop_new(EVFLAG_AUTO)) == NULL) {
		snprintf(err, errsize, "cannot make an event loop");
		return -1;
	}
	ev_async_init(&wk->stop, stop_cb);
	ev_async_start(wk->loop, &wk->stop);
	ev_prepare_init(&wk->idle, idle_cb);
	ev_prepare_start(wk->loop, &wk->idle);
	/* Ticks once a second even when no query comes (/health). */
	ev_timer_init(&wk->tick, tick_cb, 0., 1.);
	ev_timer_start(wk->loop, &wk->tick);
	wk->udp = calloc(n + 1, sizeof(*wk->udp));
	wk->tcp = calloc(n + 1, sizeof(*wk->tcp));
	if (wk->udp == NULL || wk->tcp == NULL) {
		snprintf(err, errsize, "out of memory");
		return -ENOMEM;
	}
	if ((rc = worker_forward(wk, o, err, errsize)) < 0)
		return rc;
	for (i = 0; i < n; i++) {
		struct udp_sock *u = &wk->udp[i];
		struct tcp_listener *t = &wk->tcp[i];

		u->wk = wk;
		u->family = o->listen[i].addr.ss_family;
		u->wildcard = is_wildcard(&o->listen[i].addr);
		u->local = o->listen[i].addr;
		t->local = o->listen[i].addr;
		if ((u->fd = open_socket(&o->listen[i], SOCK_DGRAM, flags, err,
					 errsize)) < 0)
			return -1;
		wk->nudp++;
		ev_io_init(&u->io, udp_cb, u->fd, EV_READ);
		ev_io_start(wk->loop, &u->io);
		t->wk = wk;
		if ((t->fd = open_socket(&o->listen[i], SOCK_STREAM, flags,
					 err, errsize)) < 0)
			return -1;
		wk->ntcp++;
		ev_io_init(&t->io, tcp_accept_cb, t->fd, EV_READ);
		ev_timer_init(&t->pause, accept_resume_cb, 1.0, 0.);
		ev_io_start(wk->loop, &t->io);
	}
	return 0;
}

/* After its thread has ended (or never started). */
static void
worker_clear(struct worker *wk)
{
	size_t i;

	if (wk->loop == NULL)
		return;
	/* First: its callbacks release their contexts, connections too. */
	forward_free(wk->fwd);
	while (wk->conns != NULL)
		tcp_conn_close(wk->conns);
	for (i = 0; i < wk->nudp; i++) {
		ev_io_stop(wk->loop, &wk->udp[i].io);
		close(wk->udp[i].fd);
	}
	for (i = 0; i < wk->ntcp; i++) {
		ev_io_stop(wk->loop, &wk->tcp[i].io);
		ev_timer_stop(wk->loop, &wk->tcp[i].pause);
		close(wk->tcp[i].fd);
	}
	ev_async_stop(wk->loop, &wk->stop);
	ev_prepare_stop(wk->loop, &wk->idle);
	ev_loop_destroy(wk->loop);
	free(wk->udp);
	free(wk->tcp);
}

int
server_new(struct server **out, const struct server_options *o, char *err,
	   size_t errsize)
{
	struct server *srv = NULL;
	size_t i;
	int rc = -ENOMEM;

	*out = NULL;
	if ((srv = calloc(1, sizeof(*srv))) == NULL) {
		transfer_free(o->transfer);
		goto out;
	}
	srv->transfer = o->transfer;
	if (srv->transfer != NULL)
		srv->keys = transfer_policy(srv->transfer)->keys;
	atomic_init(&srv->table, NULL);
	atomic_init(&srv->gen, 0);
	srv->nworkers = o->workers > 0 ? o->workers : 1;
	srv->tcp_max = o->tcp_max > 0 ? o->tcp_max : CONFIG_DEFAULT_TCP_MAX;
	atomic_init(&srv->tcp_open, 0);
	srv->workers = calloc(srv->nworkers, sizeof(*srv->workers));
	srv->allow = calloc(o->nallow + 1, sizeof(*srv->allow));
	if (srv->workers == NULL || srv->allow == NULL)
		goto out;
	for (i = 0; i < o->nallow; i++)
		srv->allow[i] = o->allow[i];
	srv->nallow = o->nallow;
	if (o->nupstreams > 0 &&
	    (rc = forward_log_new(&srv->fwd_log, o->nupstreams)) < 0)
		goto out;
	if ((rc = probe_listen(o, err, errsize)) < 0)
		goto out;
	if (o->dnstap_socket != NULL) {
		struct dnstap_options dt = {
			.socket = o->dnstap_socket,
			.identity = o->dnstap_identity,
			.version = o->dnstap_version,
			.workers = srv->nworkers,
		};

		if ((rc = dnstap_new(&srv->tap, &dt, err, errsize)) < 0)
			goto out;
	}
	for (i = 0; i < srv->nworkers; i++)
		if ((rc = worker_init(&srv->workers[i], srv, o, err,
				      errsize)) < 0)
			goto out;
	*out = srv;
	srv = NULL;
	rc = 0;
out:
	if (rc == -ENOMEM)
		snprintf(err, errsize, "out of memory");
	server_free(srv);
	return rc;
}

int
server_start(struct server *srv, char *err, size_t errsize)
{
	size_t i;
	int rc;

	if (srv->tap != NULL && dnstap_start(srv->tap, err, errsize) < 0)
		return -1;
	for (i = 0; i < srv->nworkers; i++) {
		struct worker *wk = &srv->workers[i];

		/* The process may have forked (daemon()) since the loop was
		 * made: its kernel state must be made anew. */
		ev_loop_fork(wk->loop);
		rc = thread_start_named(&wk->thread, "md-worker",
					worker_main, wk);
		if (rc != 0) {
			snprintf(err, errsize, "cannot start a worker thread "
				 "(%s)", strerror(-rc));
			return -1;
		}
		wk->started = 1;
	}
	return 0;
}

size_t
server_workers(const struct server *srv)
{
	return srv->nworkers;
}

void
server_publish(struct server *srv, const struct table *t, uint64_t gen)
{
	/* The table first: a worker that sees @gen finds @t or a newer one. */
	atomic_store(&srv->table, t);
	atomic_store(&srv->gen, gen);
}

uint64_t
server_oldest_in_use(const struct server *srv)
{
	uint64_t oldest = atomic_load(&srv->gen);
	size_t i;

	for (i = 0; i < srv->nworkers; i++) {
		uint64_t g = atomic_load(&srv->workers[i].in_use);

		if (g < oldest)
			oldest = g;
	}
	return oldest;
}

void
server_stats_get(const struct server *srv, struct stats *out)
{
	size_t i;

	memset(out, 0, sizeof(*out));
	out->oldest_tick = INT64_MAX;
	for (i = 0; i < srv->nworkers; i++) {
		stats_sum(out, &srv->workers[i].stats);
		/* The forwarder's counters are atomics of its thread. */
		if (srv->workers[i].fwd != NULL) {
			struct forward_stats f;

			forward_stats_get(srv->workers[i].fwd, &f);
			stats_sum_forward(out, &f);
		}
	}
}

size_t
server_upstream_count(const struct server *srv)
{
	if (srv->nworkers == 0 || srv->workers[0].fwd == NULL)
		return 0;
	return forward_upstream_count(srv->workers[0].fwd);
}

void
server_upstream_stats_get(const struct server *srv, size_t i,
			  struct forward_upstream_stats *out)
{
	struct forward_upstream_stats one;
	size_t w;

	memset(out, 0, sizeof(*out));
	for (w = 0; w < srv->nworkers; w++) {
		if (srv->workers[w].fwd == NULL)
			continue;
		forward_upstream_stats_get(srv->workers[w].fwd, i, &one);
		memcpy(out->to, one.to, sizeof(out->to));
		out->queries += one.queries;
		out->answers += one.answers;
		out->timeouts += one.timeouts;
		out->failovers += one.failovers;
	}
}

void
server_free(struct server *srv)
{
	size_t i;

	if (srv == NULL)
		return;
	for (i = 0; srv->workers != NULL && i < srv->nworkers; i++) {
		struct worker *wk = &srv->workers[i];

		if (wk->started) {
			ev_async_send(wk->loop, &wk->stop);
			pthread_join(wk->thread, NULL);
		}
	}
	for (i = 0; srv->workers != NULL && i < srv->nworkers; i++)
		worker_clear(&srv->workers[i]);
	/* After the workers: it writes what they queued. */
	dnstap_free(srv->tap);
	free(srv->workers);
	free(srv->allow);
	forward_log_free(srv->fwd_log);
	transfer_free(srv->transfer);
	free(srv);
}

struct transfer *
server_transfer(const struct server *srv)
{
	return srv->transfer;
}
