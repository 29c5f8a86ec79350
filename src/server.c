/* SPDX-License-Identifier: MIT */
/* server.c -- sockets and the libev loop: UDP and TCP on every address. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "answer.h"
#include "log.h"
#include "server.h"

#define UDP_BATCH 32
#define UDP_BUF 4096		/* larger queries are not DNS queries */
#define UDP_ROUNDS 8		/* batches per wake-up, for fairness */
#define TCP_MSG_MAX 65535
#define TCP_WBUF_HIGH (256 * 1024)	/* stop reading above this */
#define CMSG_SPACE_PKTINFO CMSG_SPACE(sizeof(struct in6_pktinfo))

struct server;

struct udp_sock {
	ev_io io;
	struct server *srv;
	int fd;
	int wildcard;		/* bound to 0.0.0.0 or ::: reply via pktinfo */
	int family;
};

struct tcp_listener {
	ev_io io;
	ev_timer pause;		/* accept paused after a hard failure */
	struct server *srv;
	int fd;
};

struct tcp_conn {
	ev_io io;
	ev_timer timer;
	struct server *srv;
	int fd;
	int closing;		/* peer sent EOF: close once written */
	uint8_t rbuf[2 + TCP_MSG_MAX];
	size_t rlen;
	uint8_t *wbuf;
	size_t wlen;		/* bytes in wbuf */
	size_t woff;		/* bytes of wbuf already written */
	size_t wcap;
	ev_tstamp active;	/* last activity */
	struct tcp_conn *prev;	/* list of all connections, most recent */
	struct tcp_conn *next;	/* activity at the head */
};

struct server {
	struct ev_loop *loop;
	_Atomic(const struct table *) table;
	struct udp_sock *udp;
	size_t nudp;
	struct tcp_listener *tcp;
	size_t ntcp;
	struct tcp_conn *conns;	/* head: most recently active */
	struct tcp_conn *tail;
	size_t nconns;
	/* UDP batch buffers, reused on every wake-up (one loop thread). */
	uint8_t qbuf[UDP_BATCH][UDP_BUF];
	uint8_t rbuf[UDP_BATCH][UDP_BUF];
	uint8_t qctl[UDP_BATCH][CMSG_SPACE_PKTINFO];
	uint8_t rctl[UDP_BATCH][CMSG_SPACE_PKTINFO];
	struct sockaddr_storage peers[UDP_BATCH];
	uint8_t tcp_resp[TCP_MSG_MAX];
};

static int
set_int_opt(int fd, int level, int name, int value)
{
	return setsockopt(fd, level, name, &value, sizeof(value));
}

static int
is_wildcard(const struct sockaddr_storage *ss)
{
	static const struct in6_addr any6 = IN6ADDR_ANY_INIT;

	if (ss->ss_family == AF_INET)
		return ((const struct sockaddr_in *)ss)->sin_addr.s_addr ==
			htonl(INADDR_ANY);
	return memcmp(&((const struct sockaddr_in6 *)ss)->sin6_addr, &any6,
		      sizeof(any6)) == 0;
}

static int
open_socket(const struct config_listen *l, int type, char *err, size_t errsize)
{
	int family = l->addr.ss_family;
	int fd = socket(family, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	int saved;

	if (fd < 0)
		goto fail;
	if (set_int_opt(fd, SOL_SOCKET, SO_REUSEADDR, 1) < 0)
		goto fail;
	if (family == AF_INET6 &&
	    set_int_opt(fd, IPPROTO_IPV6, IPV6_V6ONLY, 1) < 0)
		goto fail;
	if (type == SOCK_DGRAM) {
		if (family == AF_INET &&
		    set_int_opt(fd, IPPROTO_IP, IP_PKTINFO, 1) < 0)
			goto fail;
		if (family == AF_INET6 &&
		    set_int_opt(fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, 1) < 0)
			goto fail;
	}
	if (bind(fd, (const struct sockaddr *)&l->addr, l->addrlen) < 0)
		goto fail;
	if (type == SOCK_STREAM && listen(fd, 128) < 0)
		goto fail;
	return fd;
fail:
	saved = errno;
	snprintf(err, errsize, "cannot listen on %s (%s): %s", l->text,
		 type == SOCK_DGRAM ? "udp" : "tcp", strerror(saved));
	if (fd >= 0)
		close(fd);
	return -1;
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

static void
udp_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct udp_sock *u = (struct udp_sock *)w;
	struct server *srv = u->srv;
	struct mmsghdr in[UDP_BATCH];
	struct mmsghdr out[UDP_BATCH];
	struct iovec qiov[UDP_BATCH];
	struct iovec riov[UDP_BATCH];
	int round;

	for (round = 0; round < UDP_ROUNDS; round++) {
		const struct table *t = atomic_load_explicit(
			&srv->table, memory_order_acquire);
		int n;
		int nout = 0;
		int i;

		memset(in, 0, sizeof(in));
		for (i = 0; i < UDP_BATCH; i++) {
			qiov[i].iov_base = srv->qbuf[i];
			qiov[i].iov_len = UDP_BUF;
			in[i].msg_hdr.msg_iov = &qiov[i];
			in[i].msg_hdr.msg_iovlen = 1;
			in[i].msg_hdr.msg_name = &srv->peers[i];
			in[i].msg_hdr.msg_namelen = sizeof(srv->peers[i]);
			in[i].msg_hdr.msg_control = srv->qctl[i];
			in[i].msg_hdr.msg_controllen = sizeof(srv->qctl[i]);
		}
		n = recvmmsg(u->fd, in, UDP_BATCH, MSG_DONTWAIT, NULL);
		if (n <= 0) {
			if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK &&
			    errno != EINTR)
				log_debug("udp, receive failed (%s)",
					  strerror(errno));
			return;
		}
		memset(out, 0, sizeof(out));
		for (i = 0; i < n; i++) {
			struct msghdr *h = &out[nout].msg_hdr;
			size_t len;

			if (in[i].msg_hdr.msg_flags & MSG_TRUNC)
				continue;
			len = answer_query(t, srv->qbuf[i], in[i].msg_len,
					   srv->rbuf[nout], UDP_BUF, ANSWER_UDP);
			if (len == 0)
				continue;
			riov[nout].iov_base = srv->rbuf[nout];
			riov[nout].iov_len = len;
			h->msg_iov = &riov[nout];
			h->msg_iovlen = 1;
			h->msg_name = &srv->peers[i];
			h->msg_namelen = in[i].msg_hdr.msg_namelen;
			if (u->wildcard) {
				h->msg_control = srv->rctl[nout];
				h->msg_controllen = reply_pktinfo(
					&in[i].msg_hdr, srv->rctl[nout],
					sizeof(srv->rctl[nout]));
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
		if (n < UDP_BATCH)
			return;
	}
}

/* --- TCP --- */

static void tcp_conn_close(struct tcp_conn *c);

/* The connection list, most recently active first, for the limit. */
static void
conn_unlink(struct tcp_conn *c)
{
	struct server *srv = c->srv;

	if (c->prev != NULL)
		c->prev->next = c->next;
	else
		srv->conns = c->next;
	if (c->next != NULL)
		c->next->prev = c->prev;
	else
		srv->tail = c->prev;
	c->prev = NULL;
	c->next = NULL;
}

static void
conn_push(struct tcp_conn *c)
{
	struct server *srv = c->srv;

	c->prev = NULL;
	c->next = srv->conns;
	if (srv->conns != NULL)
		srv->conns->prev = c;
	srv->conns = c;
	if (srv->tail == NULL)
		srv->tail = c;
}

static void
conn_touch(struct tcp_conn *c)
{
	c->active = ev_now(c->srv->loop);
	if (c->srv->conns == c)
		return;
	conn_unlink(c);
	conn_push(c);
}

static void
tcp_conn_close(struct tcp_conn *c)
{
	struct server *srv = c->srv;

	ev_io_stop(srv->loop, &c->io);
	ev_timer_stop(srv->loop, &c->timer);
	close(c->fd);
	conn_unlink(c);
	srv->nconns--;
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

/* Answer every complete query in the read buffer; -1 to close. */
static int
tcp_process(struct tcp_conn *c)
{
	struct server *srv = c->srv;
	const struct table *t = atomic_load_explicit(&srv->table,
						     memory_order_acquire);
	size_t off = 0;

	while (c->rlen - off >= 2) {
		size_t mlen = ((size_t)c->rbuf[off] << 8) | c->rbuf[off + 1];
		size_t len;
		uint8_t hdr[2];

		if (mlen == 0)
			return -1;
		if (c->rlen - off < 2 + mlen)
			break;
		len = answer_query(t, c->rbuf + off + 2, mlen, srv->tcp_resp,
				   sizeof(srv->tcp_resp), ANSWER_TCP);
		off += 2 + mlen;
		if (len == 0)
			continue;
		hdr[0] = (uint8_t)(len >> 8);
		hdr[1] = (uint8_t)len;
		if (wbuf_append(c, hdr, 2) < 0 ||
		    wbuf_append(c, srv->tcp_resp, len) < 0)
			return -1;
	}
	if (off > 0) {
		memmove(c->rbuf, c->rbuf + off, c->rlen - off);
		c->rlen -= off;
	}
	return 0;
}

/* Watch for reading unless the peer is slow to read our answers. */
static void
tcp_rearm(struct tcp_conn *c)
{
	int events = 0;

	if (!c->closing && c->wlen - c->woff < TCP_WBUF_HIGH)
		events |= EV_READ;
	if (c->wlen > c->woff)
		events |= EV_WRITE;
	if (events == 0) {
		tcp_conn_close(c);
		return;
	}
	if ((c->io.events & (EV_READ | EV_WRITE)) != events) {
		ev_io_stop(c->srv->loop, &c->io);
		ev_io_set(&c->io, c->fd, events);
		ev_io_start(c->srv->loop, &c->io);
	}
}

static void
tcp_conn_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct tcp_conn *c = (struct tcp_conn *)w;

	conn_touch(c);
	if (revents & EV_READ) {
		for (;;) {
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
			if (c->wlen - c->woff >= TCP_WBUF_HIGH)
				break;
		}
	}
	if (tcp_flush(c) < 0) {
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
	ev_tstamp idle_until = c->active + SERVER_TCP_IDLE;

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
	struct ev_loop *loop = l->srv->loop;

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
	struct server *srv = l->srv;

	for (;;) {
		struct tcp_conn *c = NULL;
		int fd = accept4(l->fd, NULL, NULL,
				 SOCK_NONBLOCK | SOCK_CLOEXEC);

		if (fd < 0) {
			if (errno == EINTR)
				continue;
			if ((errno == EMFILE || errno == ENFILE) &&
			    srv->tail != NULL) {
				/* Out of descriptors: the least recently
				 * active connection makes room. */
				tcp_conn_close(srv->tail);
				continue;
			}
			if (errno != EAGAIN && errno != EWOULDBLOCK)
				accept_pause(l, errno);
			return;
		}
		/* At the limit, the least recently active one makes room. */
		if (srv->nconns >= SERVER_TCP_MAX && srv->tail != NULL)
			tcp_conn_close(srv->tail);
		if ((c = calloc(1, sizeof(*c))) == NULL) {
			close(fd);
			log_error("tcp, out of memory for a connection");
			return;
		}
		c->srv = srv;
		c->fd = fd;
		ev_io_init(&c->io, tcp_conn_cb, fd, EV_READ);
		ev_io_start(loop, &c->io);
		ev_timer_init(&c->timer, tcp_timer_cb, SERVER_TCP_IDLE, 0.);
		ev_timer_start(loop, &c->timer);
		srv->nconns++;
		conn_push(c);
		c->active = ev_now(loop);
	}
}

int
server_new(struct server **out, struct ev_loop *loop,
	   const struct config_listen *listen, size_t n, char *err,
	   size_t errsize)
{
	struct server *srv = NULL;
	size_t i;
	int rc = -ENOMEM;

	*out = NULL;
	if ((srv = calloc(1, sizeof(*srv))) == NULL)
		goto out;
	srv->loop = loop;
	atomic_init(&srv->table, NULL);
	srv->udp = calloc(n + 1, sizeof(*srv->udp));
	srv->tcp = calloc(n + 1, sizeof(*srv->tcp));
	if (srv->udp == NULL || srv->tcp == NULL)
		goto out;
	rc = -1;
	for (i = 0; i < n; i++) {
		struct udp_sock *u = &srv->udp[i];
		struct tcp_listener *t = &srv->tcp[i];

		u->srv = srv;
		u->family = listen[i].addr.ss_family;
		u->wildcard = is_wildcard(&listen[i].addr);
		if ((u->fd = open_socket(&listen[i], SOCK_DGRAM, err,
					 errsize)) < 0)
			goto out;
		srv->nudp++;
		ev_io_init(&u->io, udp_cb, u->fd, EV_READ);
		t->srv = srv;
		if ((t->fd = open_socket(&listen[i], SOCK_STREAM, err,
					 errsize)) < 0)
			goto out;
		srv->ntcp++;
		ev_io_init(&t->io, tcp_accept_cb, t->fd, EV_READ);
		ev_timer_init(&t->pause, accept_resume_cb, 1.0, 0.);
	}
	for (i = 0; i < n; i++) {
		ev_io_start(loop, &srv->udp[i].io);
		ev_io_start(loop, &srv->tcp[i].io);
	}
	*out = srv;
	srv = NULL;
	rc = 0;
out:
	if (rc == -ENOMEM)
		snprintf(err, errsize, "out of memory");
	server_free(srv);
	return rc;
}

void
server_set_table(struct server *srv, const struct table *t)
{
	atomic_store_explicit(&srv->table, t, memory_order_release);
}

void
server_free(struct server *srv)
{
	size_t i;

	if (srv == NULL)
		return;
	while (srv->conns != NULL)
		tcp_conn_close(srv->conns);
	for (i = 0; i < srv->nudp; i++) {
		ev_io_stop(srv->loop, &srv->udp[i].io);
		close(srv->udp[i].fd);
	}
	for (i = 0; i < srv->ntcp; i++) {
		ev_io_stop(srv->loop, &srv->tcp[i].io);
		ev_timer_stop(srv->loop, &srv->tcp[i].pause);
		close(srv->tcp[i].fd);
	}
	free(srv->udp);
	free(srv->tcp);
	free(srv);
}
