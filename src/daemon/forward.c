/* SPDX-License-Identifier: MIT */
/* forward.c -- names outside the served zones: upstream resolvers. */
#include "autoconfig.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#ifdef HAVE_GETRANDOM
#include <sys/random.h>
#endif
#include <sys/socket.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "daemon/forward.h"
#include "daemon/stats.h"
#include "util/diag.h"
#include "util/log.h"
#include "dns/wire.h"

#define MSG_MAX 65535
#define LOCAL_MAX (WIRE_QUESTION_MAX + WIRE_OPT_LEN)
#define UDP_READS 64		/* datagrams read per wake-up */

enum pstate {
	P_UDP = 0,		/* datagram sent, waiting for the answer */
	P_TCP_CONNECT,
	P_TCP_WRITE,
	P_TCP_READ,
	P_DEFERRED,		/* SERVFAIL due on the next loop iteration */
};

/* Why an attempt failed, when not an errno (those are positive). */
enum {
	WHY_TIMEOUT = -1,	/* "timed out" */
	WHY_CLOSED = -2,	/* the upstream closed the TCP connection */
};

struct pending {
	ev_io io;
	ev_timer timer;
	struct forward *f;
	struct pending *prev;
	struct pending *next;
	void (*done)(void *ctx, const uint8_t *resp, size_t len);
	void *ctx;
	uint8_t *q;		/* the client's query; bytes 0-1: our ID */
	size_t qlen;
	size_t qsec;		/* question section length, from offset 12 */
	uint8_t client_id[2];
	size_t limit;
	int edns;		/* the query had an OPT record */
	int dnssec_ok;
	int counted;		/* holds one of the max_in_flight places */
	int timed_out;		/* an attempt ran out of time */
	int submitting;		/* inside forward_query(): no callback */
	enum pstate state;
	size_t first;		/* upstream tried first */
	size_t tried;		/* upstreams tried so far */
	size_t cur;		/* upstream of the current attempt */
	int fd;
	uint8_t tlen[2];	/* TCP length prefix, out then in */
	size_t toff;		/* TCP bytes written, or read, so far */
	uint8_t *tbuf;		/* TCP answer */
	size_t tmsg;		/* its length from the prefix, 0 until read */
	int why;		/* why tcp_read() or tcp_write() failed */
	struct timespec sent;	/* for dnstap: when the query went */
};

/*
 * One line of the failure log: when the next may be written (CLOCK_
 * MONOTONIC milliseconds) and how many were held back since the last.
 */
struct log_slot {
	_Atomic int64_t next_ms;
	_Atomic uint64_t skipped;
};

/*
 * Slots: one per upstream, then "all upstreams failed", then "too many
 * in flight".  Written by every forwarder that shares it (each on its own
 * thread): atomics only.
 */
struct forward_log {
	size_t nslots;
	struct log_slot slots[];
};

/*
 * The counters: only the forwarder's loop thread writes them, but
 * forward_stats_get() may run on another thread (SIGUSR1 on the main
 * loop): relaxed atomics, plain loads and stores on x86.
 */
struct counters {
	_Atomic uint64_t queries;
	_Atomic uint64_t answers;
	_Atomic uint64_t timeouts;
	_Atomic uint64_t failovers;
	_Atomic uint64_t tcp_retries;
	_Atomic uint64_t servfails;
	_Atomic uint64_t overloaded;
	_Atomic uint64_t dropped_mismatch;
	_Atomic uint64_t in_flight;
};

/* Per upstream, as struct counters (forward_upstream_stats_get()). */
struct up_counters {
	_Atomic uint64_t queries;
	_Atomic uint64_t answers;
	_Atomic uint64_t timeouts;
	_Atomic uint64_t failovers;
};

struct forward {
	struct ev_loop *loop;
	struct netaddr_port *up;
	struct up_counters *upstats;	/* nup of them */
	size_t nup;
	size_t preferred;	/* last upstream with an accepted answer */
	double timeout;
	size_t max_in_flight;
	size_t udp_size;
	int closing;
	struct counters stats;	/* written by the loop's thread only */
	struct forward_log *log;	/* shared, or own_log */
	struct forward_log *own_log;
	struct pending *head;
	struct dnstap_worker *tap;	/* NULL: no dnstap */
	uint8_t rnd[256];	/* random_fill() output not used yet */
	size_t rnd_left;
	uint8_t *ubuf;		/* UDP receive buffer, udp_size bytes */
	uint8_t local[LOCAL_MAX];	/* responses made here */
};

static void attempt_next(struct pending *p);

/*
 * Fill @buf with @len random bytes: getrandom(2), never blocking (-EAGAIN
 * while the kernel has no randomness yet), or where libc has no
 * getrandom() a read of /dev/urandom.  0, or a negative errno.
 */
static int
random_fill(uint8_t *buf, size_t len)
{
#ifdef HAVE_GETRANDOM
	ssize_t n = getrandom(buf, len, GRND_NONBLOCK);

	if (n < 0)
		return -errno;
	return (size_t)n == len ? 0 : -EAGAIN;
#else
	size_t got = 0;
	int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
	int rc = 0;

	if (fd < 0)
		return -errno;
	while (got < len) {
		ssize_t n = read(fd, buf + got, len - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			rc = n < 0 ? -errno : -EIO;
			break;
		}
		got += (size_t)n;
	}
	close(fd);
	return rc;
#endif
}

/* Refill in blocks: one system call per 128 IDs. */
static int
random_id(struct forward *f, uint8_t id[2])
{
	int rc;

	if (f->rnd_left < 2) {
		if ((rc = random_fill(f->rnd, sizeof(f->rnd))) < 0)
			return rc;
		f->rnd_left = sizeof(f->rnd);
	}
	f->rnd_left -= 2;
	memcpy(id, f->rnd + f->rnd_left, 2);
	/* An ID already used must not stay readable in memory. */
	memset(f->rnd + f->rnd_left, 0, 2);
	return 0;
}

/*
 * Find the query's OPT record with the scanner answer.c uses.  A query
 * whose later sections do not parse (wire_opt_scan()) is forwarded all the
 * same (the upstream judges it); it just counts as one without EDNS here.
 */
static void
find_opt(struct pending *p)
{
	struct wire_edns e;

	if (wire_opt_scan(p->q, p->qlen, LDNS_HEADER_SIZE + p->qsec, &e,
			  NULL) == 0 &&
	    e.present) {
		p->edns = 1;
		p->dnssec_ok = (e.flags & WIRE_EDNS_DO) != 0;
	}
}

/*
 * Whether @r (@n bytes) answers our query: QR, our ID, one question equal
 * to ours but for case.  Only the query's own labels are walked, so the
 * lengths match byte for byte and a compressed name never matches.
 */
static int
matches(const struct pending *p, const uint8_t *r, size_t n)
{
	const uint8_t *a = p->q + LDNS_HEADER_SIZE;
	const uint8_t *b = r + LDNS_HEADER_SIZE;
	size_t i;

	if (n < LDNS_HEADER_SIZE + p->qsec)
		return 0;
	if (!LDNS_QR_WIRE(r) || memcmp(r, p->q, 2) != 0 ||
	    LDNS_QDCOUNT(r) != 1)
		return 0;
	i = 0;
	while (a[i] != 0) {
		size_t l = a[i];
		size_t j;

		if (b[i] != a[i])
			return 0;
		for (j = i + 1; j <= i + l; j++) {
			uint8_t x = a[j];
			uint8_t y = b[j];

			if (x >= 'A' && x <= 'Z')
				x += 'a' - 'A';
			if (y >= 'A' && y <= 'Z')
				y += 'a' - 'A';
			if (x != y)
				return 0;
		}
		i += 1 + l;
	}
	return b[i] == 0 && memcmp(a + i + 1, b + i + 1, 4) == 0;
}

/*
 * Header + the client's question (+ OPT when it had one, with the EDE
 * @ede unless WIRE_EDE_NONE) into f->local; @flags2 and @flags3 are the
 * header's bytes 2 and 3 (flags, RCODE) as they are.  Returns the length.
 */
static size_t
local_response(struct pending *p, uint8_t flags2, uint8_t flags3, int ede)
{
	struct forward *f = p->f;
	uint8_t *r = f->local;
	size_t len = LDNS_HEADER_SIZE + p->qsec;

	memcpy(r, p->client_id, 2);
	r[2] = flags2;
	r[3] = flags3;
	ldns_write_uint16(r + LDNS_QDCOUNT_OFF, 1);
	ldns_write_uint16(r + LDNS_ANCOUNT_OFF, 0);
	ldns_write_uint16(r + LDNS_NSCOUNT_OFF, 0);
	ldns_write_uint16(r + LDNS_ARCOUNT_OFF, p->edns ? 1 : 0);
	memcpy(r + LDNS_HEADER_SIZE, p->q + LDNS_HEADER_SIZE, p->qsec);
	if (p->edns)
		len += wire_opt_write(r + len, (uint16_t)f->udp_size, 0,
				      p->dnssec_ok ? WIRE_EDNS_DO : 0, ede);
	return len;
}

/* Stop watching and close the socket of the current attempt. */
static void
attempt_close(struct pending *p)
{
	struct forward *f = p->f;

	ev_io_stop(f->loop, &p->io);
	ev_timer_stop(f->loop, &p->timer);
	if (p->fd >= 0)
		close(p->fd);
	p->fd = -1;
	free(p->tbuf);
	p->tbuf = NULL;
	p->tmsg = 0;
	p->toff = 0;
}

static void
unlink_pending(struct pending *p)
{
	struct forward *f = p->f;

	if (p->prev != NULL)
		p->prev->next = p->next;
	else
		f->head = p->next;
	if (p->next != NULL)
		p->next->prev = p->prev;
	p->prev = NULL;
	p->next = NULL;
}

/*
 * The end of a query: everything is released before the callback runs, so
 * the callback may start new queries; @resp may point into p->tbuf, which
 * goes last.
 */
static void
deliver(struct pending *p, const uint8_t *resp, size_t len)
{
	struct forward *f = p->f;
	uint8_t *tbuf = p->tbuf;

	p->tbuf = NULL;
	attempt_close(p);
	unlink_pending(p);
	if (p->counted) {
		/* The one decrement: only this loop writes the counter. */
		atomic_store_explicit(&f->stats.in_flight,
			atomic_load_explicit(&f->stats.in_flight,
					     memory_order_relaxed) - 1,
			memory_order_relaxed);
	}
	p->done(p->ctx, resp, len);
	free(tbuf);
	free(p->q);
	free(p);
}

/*
 * May the line of @slot be written now?  At most one per
 * FORWARD_LOG_INTERVAL seconds; *@skipped is then how many were not
 * written since the last one.
 */
static int
log_allowed(struct forward_log *l, size_t slot, uint64_t *skipped)
{
	struct log_slot *s = &l->slots[slot];
	struct timespec ts;
	int64_t now;
	int64_t next;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	now = (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
	next = atomic_load(&s->next_ms);
	if (now < next || !atomic_compare_exchange_strong(
		    &s->next_ms, &next, now + FORWARD_LOG_INTERVAL * 1000)) {
		atomic_fetch_add(&s->skipped, 1);
		return 0;
	}
	*skipped = atomic_exchange(&s->skipped, 0);
	return 1;
}

/*
 * The level of a line of @slot: a warning when the rate limit lets it
 * through (*@skipped then says how many were held back), else a debug
 * line, or none (-1) below that level.
 */
static int
log_level_for(struct forward *f, size_t slot, uint64_t *skipped)
{
	*skipped = 0;
	if (log_allowed(f->log, slot, skipped))
		return LOG_LEVEL_WARNING;
	return log_enabled(LOG_LEVEL_DEBUG) ? LOG_LEVEL_DEBUG : -1;
}

/* " (41 more since the last warning)", or "" for none. */
static const char *
skipped_text(uint64_t skipped, char *buf, size_t size)
{
	buf[0] = '\0';
	if (skipped > 0)
		snprintf(buf, size, " (%llu more since the last warning)",
			 (unsigned long long)skipped);
	return buf;
}

/*
 * Log a SERVFAIL made here: every upstream failed, or too many queries
 * were waiting for one.
 */
static void
log_servfail(struct pending *p)
{
	struct forward *f = p->f;
	size_t slot = p->tried > 0 ? f->nup : f->nup + 1;
	uint64_t skipped = 0;
	int level = log_level_for(f, slot, &skipped);
	char more[64];

	if (level < 0)
		return;
	if (p->tried > 0)
		log_msg(level, "forward, all upstreams failed, SERVFAIL%s",
			skipped_text(skipped, more, sizeof(more)));
	else
		log_msg(level, "forward, too many queries waiting for an "
			"upstream (forward.max-in-flight), SERVFAIL%s",
			skipped_text(skipped, more, sizeof(more)));
}

static void
fail_servfail(struct pending *p)
{
	struct forward *f = p->f;
	const uint8_t *q = p->q;
	int ede = WIRE_EDE_NONE;	/* overloaded: nothing was tried */
	size_t len;

	if (p->submitting) {
		/* The callback must not run inside forward_query(). */
		attempt_close(p);
		p->state = P_DEFERRED;
		ev_timer_set(&p->timer, 0., 0.);
		ev_timer_start(f->loop, &p->timer);
		return;
	}
	stats_add(&f->stats.servfails, 1);
	log_servfail(p);
	/*
	 * RFC 8914: an upstream that never answered in time is "No
	 * Reachable Authority"; when every attempt failed at once (no
	 * route, port unreachable, connection refused or closed), "Network
	 * Error".
	 */
	if (p->tried > 0)
		ede = p->timed_out ? WIRE_EDE_NO_REACHABLE : WIRE_EDE_NETWORK;
	/* QR and RA; the query's opcode, RD and CD. */
	len = local_response(p, LDNS_QR_MASK |
			     (q[2] & (LDNS_OPCODE_MASK | LDNS_RD_MASK)),
			     LDNS_RA_MASK | (q[3] & LDNS_CD_MASK) |
			     LDNS_RCODE_SERVFAIL, ede);
	deliver(p, f->local, len);
}

/* An accepted answer in @r (writable, @n bytes) goes to the client. */
static void
finish_answer(struct pending *p, uint8_t *r, size_t n)
{
	struct forward *f = p->f;

	stats_add(&f->stats.answers, 1);
	stats_add(&f->upstats[p->cur].answers, 1);
	f->preferred = p->cur;
	if (f->tap != NULL)
		dnstap_forwarder_response(f->tap, p->state == P_UDP ?
			DNSTAP_UDP : DNSTAP_TCP, p->fd, (const struct sockaddr *)
			&f->up[p->cur].addr, r, n, &p->sent);
	memcpy(r, p->client_id, 2);
	memcpy(r + LDNS_HEADER_SIZE, p->q + LDNS_HEADER_SIZE, p->qsec);
	if (n > p->limit) {
		size_t len = local_response(p, r[2] | LDNS_TC_MASK, r[3],
					    WIRE_EDE_NONE);

		deliver(p, f->local, len);
		return;
	}
	deliver(p, r, n);
}

/*
 * Log that the attempt at upstream p->cur (over TCP when @tcp) failed,
 * for @why (an errno, or WHY_*):
 *   forward, upstream 127.0.0.1:53: connection refused, failing over
 */
static void
log_failure(struct pending *p, int why, int tcp)
{
	struct forward *f = p->f;
	char addr[NETADDR_PORT_STRLEN];
	char text[128];
	char more[64];
	uint64_t skipped = 0;
	int level = log_level_for(f, p->cur, &skipped);

	if (level < 0)
		return;
	if (why == WHY_TIMEOUT)
		snprintf(text, sizeof(text), "timed out");
	else if (why == WHY_CLOSED)
		snprintf(text, sizeof(text), "closed the connection");
	else
		snprintf(text, sizeof(text), "%s", strerror(why));
	/* strerror()'s capital, as in "Connection refused", goes. */
	if (text[0] >= 'A' && text[0] <= 'Z' && text[1] >= 'a' &&
	    text[1] <= 'z')
		text[0] += 'a' - 'A';
	log_msg(level, "forward, upstream %s: %s%s%s%s",
		netaddr_port_format(&f->up[p->cur], addr, sizeof(addr)), text,
		tcp ? " (TCP)" : "",
		p->tried < f->nup ? ", failing over" : "",
		skipped_text(skipped, more, sizeof(more)));
}

/* The attempt failed for @why (see log_failure()): the next upstream. */
static void
attempt_fail(struct pending *p, int why)
{
	log_failure(p, why, p->state != P_UDP);
	attempt_close(p);
	attempt_next(p);
}

static int
open_connected(struct pending *p, int type)
{
	const struct netaddr_port *up = &p->f->up[p->cur];
	int fd = socket(up->addr.ss_family, type | SOCK_NONBLOCK | SOCK_CLOEXEC,
			0);

	if (fd < 0)
		return -1;
	if (connect(fd, (const struct sockaddr *)&up->addr, up->addrlen) < 0 &&
	    errno != EINPROGRESS) {
		int err = errno;

		close(fd);
		errno = err;
		return -1;
	}
	return fd;
}

static void
start_timer(struct pending *p)
{
	ev_timer_set(&p->timer, p->f->timeout, 0.);
	ev_timer_start(p->f->loop, &p->timer);
}

static void
watch(struct pending *p, int events)
{
	ev_io_stop(p->f->loop, &p->io);
	ev_io_set(&p->io, p->fd, events);
	ev_io_start(p->f->loop, &p->io);
}

/* 0, or why it failed: a negative errno. */
static int
udp_start(struct pending *p)
{
	ssize_t n;
	int rc;

	if ((rc = random_id(p->f, p->q)) < 0)
		return rc;
	if ((p->fd = open_connected(p, SOCK_DGRAM)) < 0)
		return -errno;
	do
		n = send(p->fd, p->q, p->qlen, 0);
	while (n < 0 && errno == EINTR);
	if (n < 0 || (size_t)n != p->qlen) {
		rc = n < 0 ? -errno : -EMSGSIZE;
		attempt_close(p);
		return rc;
	}
	p->state = P_UDP;
	if (p->f->tap != NULL)
		dnstap_forwarder_query(p->f->tap, DNSTAP_UDP, p->fd,
			(const struct sockaddr *)&p->f->up[p->cur].addr, p->q,
			p->qlen, &p->sent);
	watch(p, EV_READ);
	start_timer(p);
	return 0;
}

/* Try the upstreams not tried yet, in order; SERVFAIL when none is left. */
static void
attempt_next(struct pending *p)
{
	struct forward *f = p->f;
	int rc;

	while (p->tried < f->nup) {
		if (p->tried > 0) {
			/* Away from the one that failed. */
			stats_add(&f->stats.failovers, 1);
			stats_add(&f->upstats[p->cur].failovers, 1);
		}
		p->cur = (p->first + p->tried) % f->nup;
		p->tried++;
		stats_add(&f->upstats[p->cur].queries, 1);
		if ((rc = udp_start(p)) == 0)
			return;
		log_failure(p, -rc, 0);
	}
	fail_servfail(p);
}

static void
tcp_start(struct pending *p)
{
	struct forward *f = p->f;
	int rc;

	stats_add(&f->stats.tcp_retries, 1);
	attempt_close(p);
	if ((rc = random_id(f, p->q)) < 0 ||
	    (p->fd = open_connected(p, SOCK_STREAM)) < 0) {
		log_failure(p, rc < 0 ? -rc : errno, 1);
		attempt_next(p);
		return;
	}
	ldns_write_uint16(p->tlen, (uint16_t)p->qlen);
	p->state = P_TCP_CONNECT;
	watch(p, EV_WRITE);
	start_timer(p);
}

static void
udp_read(struct pending *p)
{
	struct forward *f = p->f;
	int i;

	/* Bounded, so a flood of wrong answers cannot hold the loop. */
	for (i = 0; i < UDP_READS; i++) {
		struct iovec iov = { f->ubuf, f->udp_size };
		struct msghdr mh;
		ssize_t n;

		memset(&mh, 0, sizeof(mh));
		mh.msg_iov = &iov;
		mh.msg_iovlen = 1;
		n = recvmsg(p->fd, &mh, 0);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return;
			/* ECONNREFUSED (ICMP) and the like: next one. */
			attempt_fail(p, errno);
			return;
		}
		if (!matches(p, f->ubuf, (size_t)n)) {
			stats_add(&f->stats.dropped_mismatch, 1);
			continue;
		}
		if (LDNS_TC_WIRE(f->ubuf) || (mh.msg_flags & MSG_TRUNC)) {
			tcp_start(p);
			return;
		}
		finish_answer(p, f->ubuf, (size_t)n);
		return;
	}
}

/* Returns 1 when the whole query is written, 0 to wait, -1 on error. */
static int
tcp_write(struct pending *p)
{
	size_t total = 2 + p->qlen;

	while (p->toff < total) {
		struct iovec iov[2];
		struct msghdr mh;
		int k = 0;
		ssize_t n;

		if (p->toff < 2) {
			iov[k].iov_base = p->tlen + p->toff;
			iov[k].iov_len = 2 - p->toff;
			k++;
			iov[k].iov_base = p->q;
			iov[k].iov_len = p->qlen;
			k++;
		} else {
			iov[k].iov_base = p->q + (p->toff - 2);
			iov[k].iov_len = total - p->toff;
			k++;
		}
		memset(&mh, 0, sizeof(mh));
		mh.msg_iov = iov;
		mh.msg_iovlen = (size_t)k;
		n = sendmsg(p->fd, &mh, MSG_NOSIGNAL);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return 0;
			p->why = errno;
			return -1;
		}
		p->toff += (size_t)n;
	}
	p->toff = 0;
	return 1;
}

/*
 * Read framed messages; returns 1 with a whole message in p->tbuf
 * (p->tmsg bytes), 0 to wait, -1 on error or end of stream.
 */
static int
tcp_read(struct pending *p)
{
	for (;;) {
		ssize_t n;

		if (p->tmsg == 0) {
			n = recv(p->fd, p->tlen + p->toff, 2 - p->toff, 0);
		} else {
			if (p->toff == p->tmsg)
				return 1;
			n = recv(p->fd, p->tbuf + p->toff, p->tmsg - p->toff,
				 0);
		}
		if (n == 0) {
			p->why = WHY_CLOSED;
			return -1;
		}
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return 0;
			p->why = errno;
			return -1;
		}
		p->toff += (size_t)n;
		if (p->tmsg == 0 && p->toff == 2) {
			p->tmsg = ldns_read_uint16(p->tlen);
			p->toff = 0;
			p->why = p->tmsg < LDNS_HEADER_SIZE ? EBADMSG :
				ENOMEM;
			if (p->tmsg < LDNS_HEADER_SIZE ||
			    (p->tbuf = malloc(p->tmsg)) == NULL)
				return -1;
		}
	}
}

static void
tcp_event(struct pending *p)
{
	struct forward *f = p->f;
	int rc;

	if (p->state == P_TCP_CONNECT) {
		int err = 0;
		socklen_t elen = sizeof(err);

		if (getsockopt(p->fd, SOL_SOCKET, SO_ERROR, &err, &elen) < 0 ||
		    err != 0) {
			attempt_fail(p, err != 0 ? err : errno);
			return;
		}
		p->state = P_TCP_WRITE;
		p->toff = 0;
	}
	if (p->state == P_TCP_WRITE) {
		rc = tcp_write(p);
		if (rc < 0) {
			attempt_fail(p, p->why);
			return;
		}
		if (rc == 0)
			return;
		if (f->tap != NULL)
			dnstap_forwarder_query(f->tap, DNSTAP_TCP, p->fd,
				(const struct sockaddr *)&f->up[p->cur].addr,
				p->q, p->qlen, &p->sent);
		p->state = P_TCP_READ;
		watch(p, EV_READ);
		return;
	}
	for (;;) {
		rc = tcp_read(p);
		if (rc < 0) {
			attempt_fail(p, p->why);
			return;
		}
		if (rc == 0)
			return;
		if (matches(p, p->tbuf, p->tmsg)) {
			finish_answer(p, p->tbuf, p->tmsg);
			return;
		}
		/* Not ours: wait for another message on this connection. */
		stats_add(&f->stats.dropped_mismatch, 1);
		free(p->tbuf);
		p->tbuf = NULL;
		p->tmsg = 0;
		p->toff = 0;
	}
}

static void
io_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct pending *p = (struct pending *)w;

	if (p->state == P_UDP)
		udp_read(p);
	else
		tcp_event(p);
}

static void
timer_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct pending *p = (struct pending *)((char *)w -
					       offsetof(struct pending, timer));

	if (p->state == P_DEFERRED) {
		fail_servfail(p);
		return;
	}
	stats_add(&p->f->stats.timeouts, 1);
	stats_add(&p->f->upstats[p->cur].timeouts, 1);
	p->timed_out = 1;
	attempt_fail(p, WHY_TIMEOUT);
}

void
forward_config_init(struct forward_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->timeout = CONFIG_DEFAULT_FORWARD_TIMEOUT_MS / 1000.0;
	cfg->max_in_flight = CONFIG_DEFAULT_FORWARD_MAX_INFLIGHT;
	cfg->udp_size = FORWARD_UDP_SIZE;
}

int
forward_new(struct forward **out, struct ev_loop *loop,
	    const struct forward_config *cfg)
{
	struct forward *f = NULL;
	uint8_t id[2];
	size_t i;
	int rc = -EINVAL;

	*out = NULL;
	if (cfg->nupstreams == 0)
		goto out;
	for (i = 0; i < cfg->nupstreams; i++) {
		int fam = cfg->upstreams[i].addr.ss_family;

		if (fam != AF_INET && fam != AF_INET6)
			goto out;
	}
	rc = -ENOMEM;
	if ((f = calloc(1, sizeof(*f))) == NULL)
		goto out;
	f->loop = loop;
	f->nup = cfg->nupstreams;
	f->timeout = cfg->timeout > 0 ? cfg->timeout :
		CONFIG_DEFAULT_FORWARD_TIMEOUT_MS / 1000.0;
	f->max_in_flight = cfg->max_in_flight ? cfg->max_in_flight :
		CONFIG_DEFAULT_FORWARD_MAX_INFLIGHT;
	f->udp_size = cfg->udp_size ? cfg->udp_size : FORWARD_UDP_SIZE;
	if (f->udp_size < WIRE_UDP_MIN)
		f->udp_size = WIRE_UDP_MIN;
	if (f->udp_size > MSG_MAX)
		f->udp_size = MSG_MAX;
	if ((f->up = calloc(f->nup, sizeof(*f->up))) == NULL ||
	    (f->upstats = calloc(f->nup, sizeof(*f->upstats))) == NULL)
		goto out;
	f->log = cfg->log;
	f->tap = cfg->tap;
	if (f->log == NULL || f->log->nslots < f->nup + 2) {
		if ((rc = forward_log_new(&f->own_log, f->nup)) < 0)
			goto out;
		f->log = f->own_log;
	}
	rc = -ENOMEM;
	memcpy(f->up, cfg->upstreams, f->nup * sizeof(*f->up));
	if ((f->ubuf = malloc(f->udp_size)) == NULL)
		goto out;
	/* Fail now rather than on every query if there is no entropy. */
	if ((rc = random_id(f, id)) < 0)
		goto out;
	*out = f;
	f = NULL;
	rc = 0;
out:
	forward_free(f);
	return rc;
}

void
forward_free(struct forward *f)
{
	if (f == NULL)
		return;
	f->closing = 1;
	while (f->head != NULL)
		deliver(f->head, NULL, 0);
	free(f->ubuf);
	free(f->up);
	free(f->upstats);
	forward_log_free(f->own_log);
	free(f);
}

int
forward_log_new(struct forward_log **out, size_t nupstreams)
{
	struct forward_log *l = NULL;
	size_t i;

	*out = NULL;
	l = calloc(1, sizeof(*l) + (nupstreams + 2) * sizeof(l->slots[0]));
	if (l == NULL)
		return -ENOMEM;
	l->nslots = nupstreams + 2;
	for (i = 0; i < l->nslots; i++) {
		atomic_init(&l->slots[i].next_ms, INT64_MIN);
		atomic_init(&l->slots[i].skipped, 0);
	}
	*out = l;
	return 0;
}

void
forward_log_free(struct forward_log *l)
{
	free(l);
}

int
forward_query(struct forward *f, const uint8_t *q, size_t len,
	      size_t client_limit,
	      void (*done)(void *ctx, const uint8_t *resp, size_t len),
	      void *ctx)
{
	struct pending *p = NULL;
	struct wire_question qn;
	int rc = -ECANCELED;

	if (f->closing)
		goto out;
	rc = -EINVAL;
	if (len < LDNS_HEADER_SIZE || len > MSG_MAX ||
	    (q[2] & (LDNS_QR_MASK | LDNS_OPCODE_MASK)) ||
	    wire_question_parse(q, len, &qn) < 0)
		goto out;
	rc = -ENOMEM;
	if ((p = calloc(1, sizeof(*p))) == NULL ||
	    (p->q = malloc(len)) == NULL)
		goto out;
	memcpy(p->q, q, len);
	memcpy(p->client_id, q, 2);
	p->qlen = len;
	p->qsec = qn.end - LDNS_HEADER_SIZE;
	p->f = f;
	p->fd = -1;
	p->done = done;
	p->ctx = ctx;
	p->limit = client_limit < WIRE_UDP_MIN ? WIRE_UDP_MIN : client_limit;
	find_opt(p);
	ev_io_init(&p->io, io_cb, -1, EV_READ);
	ev_timer_init(&p->timer, timer_cb, 0., 0.);
	p->next = f->head;
	if (f->head != NULL)
		f->head->prev = p;
	f->head = p;
	stats_add(&f->stats.queries, 1);

	p->submitting = 1;
	if (atomic_load_explicit(&f->stats.in_flight, memory_order_relaxed) >=
	    f->max_in_flight) {
		stats_add(&f->stats.overloaded, 1);
		fail_servfail(p);
	} else {
		p->counted = 1;
		stats_add(&f->stats.in_flight, 1);
		p->first = f->preferred;
		attempt_next(p);
	}
	p->submitting = 0;
	p = NULL;		/* the list owns it now */
	rc = 0;
out:
	if (p != NULL)
		free(p->q);
	free(p);
	return rc;
}

void
forward_stats_get(const struct forward *f, struct forward_stats *out)
{
	out->queries = atomic_load(&f->stats.queries);
	out->answers = atomic_load(&f->stats.answers);
	out->timeouts = atomic_load(&f->stats.timeouts);
	out->failovers = atomic_load(&f->stats.failovers);
	out->tcp_retries = atomic_load(&f->stats.tcp_retries);
	out->servfails = atomic_load(&f->stats.servfails);
	out->overloaded = atomic_load(&f->stats.overloaded);
	out->dropped_mismatch = atomic_load(&f->stats.dropped_mismatch);
	out->in_flight = atomic_load(&f->stats.in_flight);
}

size_t
forward_upstream_count(const struct forward *f)
{
	return f->nup;
}

void
forward_upstream_stats_get(const struct forward *f, size_t i,
			   struct forward_upstream_stats *out)
{
	const struct up_counters *c = &f->upstats[i];

	out->queries = atomic_load(&c->queries);
	out->answers = atomic_load(&c->answers);
	out->timeouts = atomic_load(&c->timeouts);
	out->failovers = atomic_load(&c->failovers);
	netaddr_port_format(&f->up[i], out->to, sizeof(out->to));
}

/* --- upstream addresses --- */

int
forward_upstream_parse(struct netaddr_port *out, const char *text,
		       char *err, size_t errsize)
{
	if (netaddr_port_parse(out, text, FORWARD_PORT, NETADDR_PORT_SCOPE,
			       NULL, 0) < 0) {
		diag_printf(err, errsize,
			    "expected ADDRESS[:PORT] or [IPV6]:PORT, got '%s'",
			    text);
		return -1;
	}
	return 0;
}
