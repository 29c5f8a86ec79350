/* SPDX-License-Identifier: MIT */
/* test_forward.c -- unit tests for forward: fake upstreams on the same loop. */
#include "autoconfig.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <ev.h>
#include <ldns/ldns.h>

#include "build/config.h"
#include "util/diag.h"
#include "daemon/forward.h"
#include "../tmpdir.h"

/*
 * Every fake upstream lives on 127.0.0.1 or ::1 (UDP and TCP on the same
 * port) and is driven by the loop the forwarder runs on, so each test is
 * one thread and deterministic.  Only the resolv.conf tests name other
 * loopback addresses, and those are parsed, never contacted.
 */

#define QNAME "wWw.ExAmple.oRG"
#define QID 0x1234
#define SHORT 0.2		/* per-attempt timeout in tests */
#define MAX_FAKES 3
#define MAX_CONNS 4
#define MAX_RESULTS 8

enum fake_mode {
	FAKE_ANSWER = 0,	/* one A record 127.0.0.<ip> */
	FAKE_SILENT,		/* reads queries, never answers */
	FAKE_TC,		/* UDP: TC and no records; TCP: the answer */
	FAKE_SPOOF,		/* four wrong answers, a spoof, then right */
	FAKE_FLIP,		/* question echoed with its case flipped */
	FAKE_BIG,		/* nrec A records, over UDP and TCP alike */
};

enum fake_tcp {
	TCP_ANSWER = 0,		/* the answer, split in two writes */
	TCP_REFUSE,		/* no listener: connection refused */
	TCP_SILENT,		/* reads the query, never answers */
	TCP_CLOSE,		/* reads the query, closes the connection */
	TCP_WRONG_FIRST,	/* a wrong ID first, then the answer */
};

struct fake;

struct fake_conn {
	ev_io io;
	ev_timer later;		/* second half of a split write */
	struct fake *fk;
	int fd;
	uint8_t in[1024];
	size_t inlen;
	uint8_t out[4096];
	size_t outlen;
	size_t outoff;
};

struct fake {
	struct ev_loop *loop;
	enum fake_mode mode;
	enum fake_tcp tcp;
	int nrec;
	uint8_t ip;		/* last octet of the records: who answered */
	int udp_fd;
	int tcp_fd;
	ev_io udp_io;
	ev_io tcp_io;
	struct netaddr_port up;
	int udp_queries;
	int tcp_queries;
	uint8_t lastq[1024];	/* last query received, as received */
	size_t lastqlen;
	in_port_t ports[MAX_RESULTS];	/* source ports of UDP queries */
	struct fake_conn conns[MAX_CONNS];
};

struct result {
	struct fixture *fx;
	int called;
	int null_resp;
	uint8_t resp[65535];
	size_t len;
	double at;		/* seconds since the query was sent */
	int requery_rc;		/* forward_query() from inside the callback */
	int chain;		/* submit one more query from the callback */
};

struct fixture {
	struct ev_loop *loop;
	ev_timer guard;
	int fds_before;
	struct fake fakes[MAX_FAKES];
	int nfakes;
	struct forward *f;
	struct result res[MAX_RESULTS];
	int ndone;
	int in_submit;		/* a callback now would be a bug */
	double start;
};

/* --- helpers --- */

static int
count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e = NULL;
	int n = 0;

	if (d == NULL)
		return -1;
	while ((e = readdir(d)) != NULL)
		if (e->d_name[0] != '.')
			n++;
	closedir(d);
	return n;
}

static uint16_t
rd16(const uint8_t *b)
{
	return (uint16_t)((b[0] << 8) | b[1]);
}

static void
wr16(uint8_t *b, uint16_t v)
{
	b[0] = (uint8_t)(v >> 8);
	b[1] = (uint8_t)v;
}

/* A query for @name (case kept) with RD, and an OPT when @edns > 0. */
static size_t
make_query(uint8_t *b, uint16_t id, const char *name, uint16_t type,
	   uint16_t edns, int dnssec_ok)
{
	size_t off = 12;
	const char *s = name;

	memset(b, 0, 12);
	wr16(b, id);
	wr16(b + 2, 0x0100);
	wr16(b + 4, 1);
	while (*s != '\0') {
		const char *dot = strchr(s, '.');
		size_t l = dot ? (size_t)(dot - s) : strlen(s);

		b[off++] = (uint8_t)l;
		memcpy(b + off, s, l);
		off += l;
		s += l + (dot ? 1 : 0);
	}
	b[off++] = 0;
	wr16(b + off, type);
	wr16(b + off + 2, 1);
	off += 4;
	if (edns > 0) {
		wr16(b + 10, 1);
		b[off] = 0;
		wr16(b + off + 1, 41);
		wr16(b + off + 3, edns);
		b[off + 5] = 0;
		b[off + 6] = 0;
		b[off + 7] = dnssec_ok ? 0x80 : 0;
		b[off + 8] = 0;
		wr16(b + off + 9, 0);
		off += 11;
	}
	return off;
}

/* Length of the question section of a message (uncompressed name). */
static size_t
qsec_len(const uint8_t *m)
{
	size_t off = 12;

	while (m[off] != 0)
		off += 1 + m[off];
	return off + 1 + 4 - 12;
}

/* --- the fake upstream --- */

static size_t
fake_answer(const struct fake *fk, const uint8_t *q, uint8_t *r, int tcp)
{
	size_t qs = qsec_len(q);
	size_t off = 12 + qs;
	int tc = fk->mode == FAKE_TC && !tcp;
	int nrec = tc ? 0 : fk->nrec;
	int i;

	memcpy(r, q, 2);
	wr16(r + 2, (uint16_t)(0x8000 | (rd16(q + 2) & 0x0100) | 0x0080 |
			       (tc ? 0x0200 : 0)));
	wr16(r + 4, 1);
	wr16(r + 6, (uint16_t)nrec);
	wr16(r + 8, 0);
	wr16(r + 10, 0);
	memcpy(r + 12, q + 12, qs);
	if (fk->mode == FAKE_FLIP) {
		size_t j;

		for (j = 12; j < 12 + qs - 4; j++) {
			if (r[j] >= 'a' && r[j] <= 'z')
				r[j] -= 'a' - 'A';
			else if (r[j] >= 'A' && r[j] <= 'Z')
				r[j] += 'a' - 'A';
		}
	}
	for (i = 0; i < nrec; i++) {
		static const uint8_t rr[] = { 0xc0, 12, 0, 1, 0, 1, 0, 0, 0, 60,
					      0, 4, 127, 0, 0 };

		memcpy(r + off, rr, sizeof(rr));
		r[off + sizeof(rr)] = fk->ip;
		off += sizeof(rr) + 1;
	}
	return off;
}

static void
fake_send_variant(struct fake *fk, const struct sockaddr_storage *to,
		  socklen_t tolen, const uint8_t *q, int variant)
{
	uint8_t r[1024];
	size_t len = fake_answer(fk, q, r, 0);
	size_t qs = qsec_len(q);

	switch (variant) {
	case 0:		/* wrong ID */
		wr16(r, (uint16_t)(rd16(r) + 1));
		break;
	case 1:		/* another name of the same length */
		r[13] = '9';
		break;
	case 2:		/* another type */
		wr16(r + 12 + qs - 4, 28);
		break;
	case 3:		/* not a response */
		r[2] &= 0x7f;
		break;
	}
	assert_int_equal(sendto(fk->udp_fd, r, len, 0,
				(const struct sockaddr *)to, tolen),
			 (ssize_t)len);
}

static void
fake_udp_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct fake *fk = (struct fake *)((char *)w -
					  offsetof(struct fake, udp_io));
	struct sockaddr_storage from;
	socklen_t fromlen = sizeof(from);
	uint8_t r[4096];
	ssize_t n;
	size_t len;
	int i;

	n = recvfrom(fk->udp_fd, fk->lastq, sizeof(fk->lastq), 0,
		     (struct sockaddr *)&from, &fromlen);
	if (n < 0)
		return;
	fk->lastqlen = (size_t)n;
	if (fk->udp_queries < MAX_RESULTS)
		fk->ports[fk->udp_queries] = from.ss_family == AF_INET ?
			((struct sockaddr_in *)&from)->sin_port :
			((struct sockaddr_in6 *)&from)->sin6_port;
	fk->udp_queries++;
	if (fk->mode == FAKE_SILENT)
		return;
	if (fk->mode == FAKE_SPOOF) {
		struct fake other = *fk;
		int s = socket(from.ss_family, SOCK_DGRAM, 0);

		for (i = 0; i < 4; i++)
			fake_send_variant(fk, &from, fromlen, fk->lastq, i);
		/* The right answer from another port: the kernel drops it. */
		assert_true(s >= 0);
		other.ip = 66;
		other.mode = FAKE_ANSWER;
		len = fake_answer(&other, fk->lastq, r, 0);
		assert_int_equal(sendto(s, r, len, 0,
					(const struct sockaddr *)&from,
					fromlen),
				 (ssize_t)len);
		close(s);
	}
	len = fake_answer(fk, fk->lastq, r, 0);
	assert_int_equal(sendto(fk->udp_fd, r, len, 0,
				(const struct sockaddr *)&from, fromlen),
			 (ssize_t)len);
}

static void
conn_close(struct fake_conn *c)
{
	ev_io_stop(c->fk->loop, &c->io);
	ev_timer_stop(c->fk->loop, &c->later);
	close(c->fd);
	c->fd = -1;
}

static void
conn_later_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct fake_conn *c = (struct fake_conn *)((char *)w -
		offsetof(struct fake_conn, later));
	ssize_t n = send(c->fd, c->out + c->outoff, c->outlen - c->outoff,
			 MSG_NOSIGNAL);

	assert_int_equal(n, (ssize_t)(c->outlen - c->outoff));
	c->outoff = c->outlen;
}

static void
conn_read_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct fake_conn *c = (struct fake_conn *)w;
	ssize_t n = recv(c->fd, c->in + c->inlen, sizeof(c->in) - c->inlen, 0);
	size_t len;

	if (n <= 0) {
		conn_close(c);
		return;
	}
	c->inlen += (size_t)n;
	if (c->inlen < 2 || c->inlen < 2 + (size_t)rd16(c->in))
		return;
	c->fk->tcp_queries++;
	c->inlen = 0;
	if (c->fk->tcp == TCP_SILENT)
		return;
	if (c->fk->tcp == TCP_CLOSE) {
		conn_close(c);
		return;
	}
	len = fake_answer(c->fk, c->in + 2, c->out + 2, 1);
	wr16(c->out, (uint16_t)len);
	if (c->fk->tcp == TCP_WRONG_FIRST) {
		wr16(c->out + 2, (uint16_t)(rd16(c->out + 2) + 1));
		assert_int_equal(send(c->fd, c->out, 2 + len, MSG_NOSIGNAL),
				 (ssize_t)(2 + len));
		wr16(c->out + 2, (uint16_t)(rd16(c->out + 2) - 1));
	}
	c->outlen = 2 + len;
	/* One byte now and the rest later: the reader must reassemble. */
	assert_int_equal(send(c->fd, c->out, 1, MSG_NOSIGNAL), 1);
	c->outoff = 1;
	ev_timer_set(&c->later, 0.02, 0.);
	ev_timer_start(loop, &c->later);
}

static void
fake_accept_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct fake *fk = (struct fake *)((char *)w -
					  offsetof(struct fake, tcp_io));
	int fd = accept4(fk->tcp_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	int i;

	if (fd < 0)
		return;
	for (i = 0; i < MAX_CONNS; i++) {
		struct fake_conn *c = &fk->conns[i];

		if (c->fd >= 0)
			continue;
		memset(c, 0, sizeof(*c));
		c->fk = fk;
		c->fd = fd;
		ev_io_init(&c->io, conn_read_cb, fd, EV_READ);
		ev_io_start(loop, &c->io);
		ev_timer_init(&c->later, conn_later_cb, 0., 0.);
		return;
	}
	close(fd);
	fail_msg("fake upstream: too many connections");
}

/* Start a fake on a fresh port of 127.0.0.1 (or ::1), UDP and TCP. */
static struct fake *
fake_start(struct fixture *fx, int family, enum fake_mode mode, uint8_t ip)
{
	struct fake *fk = &fx->fakes[fx->nfakes++];
	struct sockaddr_storage ss;
	socklen_t sslen = sizeof(ss);
	int i;

	memset(fk, 0, sizeof(*fk));
	fk->loop = fx->loop;
	fk->mode = mode;
	fk->ip = ip;
	fk->nrec = 1;
	fk->tcp_fd = -1;
	for (i = 0; i < MAX_CONNS; i++)
		fk->conns[i].fd = -1;
	memset(&ss, 0, sizeof(ss));
	if (family == AF_INET) {
		struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;

		s4->sin_family = AF_INET;
		s4->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		sslen = sizeof(*s4);
	} else {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;

		s6->sin6_family = AF_INET6;
		s6->sin6_addr = in6addr_loopback;
		sslen = sizeof(*s6);
	}
	/*
	 * The kernel picks a free UDP port; the same TCP port may be busy
	 * (a client socket of another test), so try a few.
	 */
	for (i = 0; i < 50; i++) {
		struct sockaddr_storage bound = ss;
		socklen_t blen = sslen;
		int one = 1;

		fk->udp_fd = socket(family, SOCK_DGRAM | SOCK_NONBLOCK |
				    SOCK_CLOEXEC, 0);
		assert_true(fk->udp_fd >= 0);
		assert_int_equal(bind(fk->udp_fd, (struct sockaddr *)&bound,
				      blen), 0);
		assert_int_equal(getsockname(fk->udp_fd,
					     (struct sockaddr *)&bound, &blen),
				 0);
		fk->tcp_fd = socket(family, SOCK_STREAM | SOCK_NONBLOCK |
				    SOCK_CLOEXEC, 0);
		assert_true(fk->tcp_fd >= 0);
		assert_int_equal(setsockopt(fk->tcp_fd, SOL_SOCKET,
					    SO_REUSEADDR, &one, sizeof(one)),
				 0);
		if (bind(fk->tcp_fd, (struct sockaddr *)&bound, blen) == 0) {
			ss = bound;
			sslen = blen;
			break;
		}
		close(fk->tcp_fd);
		close(fk->udp_fd);
		fk->tcp_fd = -1;
		fk->udp_fd = -1;
	}
	assert_true(fk->tcp_fd >= 0);
	assert_int_equal(listen(fk->tcp_fd, 8), 0);
	memcpy(&fk->up.addr, &ss, sslen);
	fk->up.addrlen = sslen;
	ev_io_init(&fk->udp_io, fake_udp_cb, fk->udp_fd, EV_READ);
	ev_io_start(fx->loop, &fk->udp_io);
	ev_io_init(&fk->tcp_io, fake_accept_cb, fk->tcp_fd, EV_READ);
	ev_io_start(fx->loop, &fk->tcp_io);
	return fk;
}

static void
fake_stop(struct fake *fk)
{
	int i;

	for (i = 0; i < MAX_CONNS; i++)
		if (fk->conns[i].fd >= 0)
			conn_close(&fk->conns[i]);
	ev_io_stop(fk->loop, &fk->udp_io);
	ev_io_stop(fk->loop, &fk->tcp_io);
	if (fk->udp_fd >= 0)
		close(fk->udp_fd);
	if (fk->tcp_fd >= 0)
		close(fk->tcp_fd);
}

/* An upstream on 127.0.0.1 where nobody listens: ICMP port unreachable. */
static void
closed_port(struct netaddr_port *up)
{
	struct sockaddr_in *s4 = (struct sockaddr_in *)&up->addr;
	socklen_t len = sizeof(*s4);
	int fd = socket(AF_INET, SOCK_DGRAM, 0);

	assert_true(fd >= 0);
	memset(up, 0, sizeof(*up));
	s4->sin_family = AF_INET;
	s4->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(fd, (struct sockaddr *)s4, len), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)s4, &len), 0);
	up->addrlen = len;
	close(fd);
}

/* --- the forwarder side --- */

static void
done_cb(void *ctx, const uint8_t *resp, size_t len)
{
	struct result *r = ctx;
	struct fixture *fx = r->fx;

	assert_false(fx->in_submit);
	assert_int_equal(r->called, 0);
	r->called++;
	r->at = ev_time() - fx->start;
	if (resp == NULL) {
		r->null_resp = 1;
		assert_int_equal(len, 0);
		r->requery_rc = forward_query(fx->f, r->resp, 12, 512, done_cb,
					      r);
	} else {
		assert_true(len <= sizeof(r->resp));
		memcpy(r->resp, resp, len);
		r->len = len;
	}
	fx->ndone++;
	if (r->chain) {
		struct result *next = r + 1;
		uint8_t q[512];
		size_t qlen = make_query(q, QID + 1, "chained.example",
					 LDNS_RR_TYPE_A, 0, 0);

		r->chain = 0;
		assert_int_equal(forward_query(fx->f, q, qlen, 512, done_cb,
					       next), 0);
	}
}

static int
submit(struct fixture *fx, int i, const uint8_t *q, size_t qlen,
       size_t limit)
{
	int rc;

	fx->res[i].fx = fx;
	fx->in_submit = 1;
	rc = forward_query(fx->f, q, qlen, limit, done_cb, &fx->res[i]);
	fx->in_submit = 0;
	return rc;
}

static void
run_until(struct fixture *fx, int ndone)
{
	while (fx->ndone < ndone) {
		assert_true(ev_time() - fx->start < 5.0);
		ev_run(fx->loop, EVRUN_ONCE);
	}
}

/*
 * Timers count from the loop's notion of now, which is stale between
 * iterations: bring it up to date so "at" measures what a client sees.
 */
static void
restart_clock(struct fixture *fx)
{
	ev_now_update(fx->loop);
	fx->start = ev_now(fx->loop);
}

static void
new_forwarder(struct fixture *fx, const struct netaddr_port *ups,
	      size_t n, double timeout, size_t max_in_flight, size_t udp_size)
{
	struct forward_config cfg;

	forward_config_init(&cfg);
	cfg.upstreams = ups;
	cfg.nupstreams = n;
	cfg.timeout = timeout;
	if (max_in_flight)
		cfg.max_in_flight = max_in_flight;
	if (udp_size)
		cfg.udp_size = udp_size;
	assert_int_equal(forward_new(&fx->f, fx->loop, &cfg), 0);
	restart_clock(fx);
}

static struct forward_stats
stats(const struct fixture *fx)
{
	struct forward_stats s;

	forward_stats_get(fx->f, &s);
	return s;
}

static ldns_pkt *
parse(const struct result *r)
{
	ldns_pkt *pkt = NULL;

	assert_int_equal(ldns_wire2pkt(&pkt, r->resp, r->len), LDNS_STATUS_OK);
	return pkt;
}

/* The client's ID and its question, byte for byte (case kept). */
static void
assert_client_header(const struct result *r, const uint8_t *q, uint16_t id)
{
	size_t qs = qsec_len(q);

	assert_true(r->len >= 12 + qs);
	assert_int_equal(rd16(r->resp), id);
	assert_int_equal(rd16(r->resp + 4), 1);
	assert_memory_equal(r->resp + 12, q + 12, qs);
}

/* The last octet of the first A record: which fake answered. */
static int
answered_by(const struct result *r)
{
	ldns_pkt *pkt = parse(r);
	ldns_rr *rr = NULL;
	int ip;

	assert_true(ldns_pkt_ancount(pkt) >= 1);
	rr = ldns_rr_list_rr(ldns_pkt_answer(pkt), 0);
	assert_int_equal(ldns_rr_get_type(rr), LDNS_RR_TYPE_A);
	ip = ldns_rdf_data(ldns_rr_rdf(rr, 0))[3];
	ldns_pkt_free(pkt);
	return ip;
}

static void
guard_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
}

static int
setup(void **state)
{
	struct fixture *fx = calloc(1, sizeof(*fx));

	if (fx == NULL)
		return -1;
	fx->fds_before = count_fds();
	fx->loop = ev_loop_new(EVFLAG_AUTO);
	if (fx->loop == NULL)
		return -1;
	/* Wakes EVRUN_ONCE up, so run_until() can give up on time. */
	ev_timer_init(&fx->guard, guard_cb, 0.05, 0.05);
	ev_timer_start(fx->loop, &fx->guard);
	fx->start = ev_time();
	*state = fx;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *fx = *state;
	int i;
	int leaked;

	forward_free(fx->f);
	for (i = 0; i < fx->nfakes; i++)
		fake_stop(&fx->fakes[i]);
	ev_timer_stop(fx->loop, &fx->guard);
	ev_loop_destroy(fx->loop);
	/* Every socket the forwarder opened is closed on every path. */
	leaked = count_fds() != fx->fds_before;
	free(fx);
	return leaked ? -1 : 0;
}

/* --- tests --- */

static void
test_answer_relayed(void **state)
{
	struct fixture *fx = *state;
	struct fake *fk = fake_start(fx, AF_INET, FAKE_ANSWER, 1);
	struct forward_stats s;
	uint8_t q[512];
	size_t qlen = make_query(q, QID, QNAME, LDNS_RR_TYPE_A, 1232, 0);
	ldns_pkt *pkt = NULL;

	new_forwarder(fx, &fk->up, 1, SHORT, 0, 0);
	fx->res[0].chain = 1;
	fx->res[1].fx = fx;
	assert_int_equal(submit(fx, 0, q, qlen, 1232), 0);
	/* Sent at once, answered only from the loop. */
	assert_int_equal(fx->ndone, 0);
	s = stats(fx);
	assert_int_equal(s.in_flight, 1);
	run_until(fx, 2);

	/* The upstream saw the client's bytes but for the ID. */
	assert_int_equal(fk->udp_queries, 2);
	assert_int_equal(fk->tcp_queries, 0);
	assert_client_header(&fx->res[0], q, QID);
	assert_int_equal(answered_by(&fx->res[0]), 1);
	pkt = parse(&fx->res[0]);
	assert_int_equal(ldns_pkt_get_rcode(pkt), LDNS_RCODE_NOERROR);
	assert_true(ldns_pkt_qr(pkt));
	assert_false(ldns_pkt_tc(pkt));
	assert_int_equal(ldns_pkt_ancount(pkt), 1);
	ldns_pkt_free(pkt);

	/* The query chained from the callback went through too. */
	assert_int_equal(fx->res[1].called, 1);
	assert_int_equal(rd16(fx->res[1].resp), QID + 1);
	assert_int_equal(answered_by(&fx->res[1]), 1);

	s = stats(fx);
	assert_int_equal(s.queries, 2);
	assert_int_equal(s.answers, 2);
	assert_int_equal(s.in_flight, 0);
	assert_int_equal(s.timeouts, 0);
	assert_int_equal(s.failovers, 0);
	assert_int_equal(s.servfails, 0);
	assert_int_equal(s.dropped_mismatch, 0);
}

static void
test_upstream_gets_client_bytes_from_fresh_ports(void **state)
{
	struct fixture *fx = *state;
	struct fake *fk = fake_start(fx, AF_INET, FAKE_SILENT, 1);
	uint8_t q[512];
	size_t qlen = make_query(q, QID, QNAME, LDNS_RR_TYPE_A, 1232, 1);

	new_forwarder(fx, &fk->up, 1, SHORT, 0, 0);
	assert_int_equal(submit(fx, 0, q, qlen, 1232), 0);
	assert_int_equal(submit(fx, 1, q, qlen, 1232), 0);
	while (fk->udp_queries < 2)
		ev_run(fx->loop, EVRUN_ONCE);
	/* EDNS and all, only the ID may differ. */
	assert_int_equal(fk->lastqlen, qlen);
	assert_memory_equal(fk->lastq + 2, q + 2, qlen - 2);
	/* One socket per query: two at once cannot share a source port. */
	assert_int_not_equal(fk->ports[0], fk->ports[1]);
	run_until(fx, 2);
}

static void
test_ipv6_upstream(void **state)
{
	struct fixture *fx = *state;
	struct fake *fk = fake_start(fx, AF_INET6, FAKE_TC, 6);
	uint8_t q[512];
	size_t qlen = make_query(q, QID, QNAME, LDNS_RR_TYPE_A, 0, 0);
	struct forward_stats s;

	new_forwarder(fx, &fk->up, 1, SHORT, 0, 0);
	assert_int_equal(submit(fx, 0, q, qlen, 512), 0);
	run_until(fx, 1);
	assert_client_header(&fx->res[0], q, QID);
	assert_int_equal(answered_by(&fx->res[0]), 6);
	s = stats(fx);
	assert_int_equal(s.tcp_retries, 1);
	assert_int_equal(fk->udp_queries, 1);
	assert_int_equal(fk->tcp_queries, 1);
}

static void
test_timeout_fails_over_and_sticks(void **state)
{
	struct fixture *fx = *state;
	struct netaddr_port ups[2];
	struct fake *silent = fake_start(fx, AF_INET, FAKE_SILENT, 1);
	struct fake *good = fake_start(fx, AF_INET, FAKE_ANSWER, 2);
	struct forward_stats s;
	uint8_t q[512];
	size_t qlen = make_query(q, QID, QNAME, LDNS_RR_TYPE_A, 0, 0);

	ups[0] = silent->up;
	ups[1] = good->up;
	new_forwarder(fx, ups, 2, SHORT, 0, 0);
	assert_int_equal(submit(fx, 0, q, qlen, 512), 0);
	run_until(fx, 1);
	assert_int_equal(answered_by(&fx->res[0]), 2);
	assert_true(fx->res[0].at >= SHORT - 0.01);
	s = stats(fx);
	assert_int_equal(s.timeouts, 1);
	assert_int_equal(s.failovers, 1);
	assert_int_equal(s.answers, 1);
	assert_int_equal(s.servfails, 0);

	/* The next query starts with the upstream that answered. */
	restart_clock(fx);
	assert_int_equal(submit(fx, 1, q, qlen, 512), 0);
	run_until(fx, 2);
	assert_int_equal(answered_by(&fx->res[1]), 2);
	assert_true(fx->res[1].at < SHORT);
	assert_int_equal(silent->udp_queries, 1);
	assert_int_equal(good->udp_queries, 2);
	s = stats(fx);
	assert_int_equal(s.timeouts, 1);
	assert_int_equal(s.failovers, 1);
}

static void
test_port_unreachable_fails_over_at_once(void **state)
{
	struct fixture *fx = *state;
	struct netaddr_port ups[2];
	struct fake *good = fake_start(fx, AF_INET, FAKE_ANSWER, 2);
	struct forward_stats s;
	uint8_t q[512];
	size_t qlen = make_query(q, QID, QNAME, LDNS_RR_TYPE_A, 0, 0);

	closed_port(&ups[0]);
	ups[1] = good->up;
	new_forwarder(fx, ups, 2, 2.0, 0, 0);
	assert_int_equal(submit(fx, 0, q, qlen, 512), 0);
	run_until(fx, 1);
	assert_int_equal(answered_by(&fx->res[0]), 2);
	assert_true(fx->res[0].at < 1.0);
	s = stats(fx);
	assert_int_equal(s.timeouts, 0);
	assert_int_equal(s.failovers, 1);
}

static void
test_tc_retried_over_tcp(void **state)
{
	struct fixture *fx = *state;
	struct fake *fk = fake_start(fx, AF_INET, FAKE_TC, 3);
	struct forward_stats s;
	uint8_t q[512];
	size_t qlen = make_query(q, QID, QNAME, LDNS_RR_TYPE_A, 1232, 0);
	ldns_pkt *pkt = NULL;

	fk->nrec = 3;
	new_forwarder(fx, &fk->up, 1, SHORT, 0, 0);
	assert_int_equal(submit(fx, 0, q, qlen, 1232), 0);
	run_until(fx, 1);
	assert_client_header(&fx->res[0], q, QID);
	pkt = parse(&fx->res[0]);
	assert_false(ldns_pkt_tc(pkt));
	assert_int_equal(ldns_pkt_ancount(pkt), 3);
	ldns_pkt_free(pkt);
	assert_int_equal(answered_by(&fx->res[0]), 3);
	assert_int_equal(fk->udp_queries, 1);
	assert_int_equal(fk->tcp_queries, 1);
	s = stats(fx);
	assert_int_equal(s.tcp_retries, 1);
	assert_int_equal(s.answers, 1);
	assert_int_equal(s.timeouts, 0);
}

/*
 * Upstream 0 truncates over UDP and does @tcp over TCP; upstream 1
 * answers.  Returns which one answered.
 */
static int
tcp_case(struct fixture *fx, enum fake_tcp tcp, struct forward_stats *s)
{
	struct netaddr_port ups[2];
	struct fake *tc = fake_start(fx, AF_INET, FAKE_TC, 1);
	struct fake *good = fake_start(fx, AF_INET, FAKE_ANSWER, 2);
	uint8_t q[512];
	size_t qlen = make_query(q, QID, QNAME, LDNS_RR_TYPE_A, 0, 0);

	tc->tcp = tcp;
	if (tcp == TCP_REFUSE) {
		ev_io_stop(fx->loop, &tc->tcp_io);
		close(tc->tcp_fd);
		tc->tcp_fd = -1;
	}
	ups[0] = tc->up;
	ups[1] = good->up;
	new_forwarder(fx, ups, 2, SHORT, 0, 0);
	assert_int_equal(submit(fx, 0, q, qlen, 512), 0);
	run_until(fx, 1);
	assert_client_header(&fx->res[0], q, QID);
	forward_stats_get(fx->f, s);
	assert_int_equal(s->tcp_retries, 1);
	assert_int_equal(s->answers, 1);
	assert_int_equal(tc->udp_queries, 1);
	return answered_by(&fx->res[0]);
}

static void
test_tcp_refused_fails_over(void **state)
{
	struct forward_stats s;

	assert_int_equal(tcp_case(*state, TCP_REFUSE, &s), 2);
	assert_int_equal(s.failovers, 1);
	assert_int_equal(s.timeouts, 0);
}

static void
test_tcp_silent_times_out_and_fails_over(void **state)
{
	struct fixture *fx = *state;
	struct forward_stats s;

	assert_int_equal(tcp_case(fx, TCP_SILENT, &s), 2);
	assert_int_equal(fx->fakes[0].tcp_queries, 1);
	assert_true(fx->res[0].at >= SHORT - 0.01);
	assert_int_equal(s.failovers, 1);
	assert_int_equal(s.timeouts, 1);
}

static void
test_tcp_closed_fails_over_at_once(void **state)
{
	struct fixture *fx = *state;
	struct forward_stats s;

	assert_int_equal(tcp_case(fx, TCP_CLOSE, &s), 2);
	assert_int_equal(fx->fakes[0].tcp_queries, 1);
	assert_true(fx->res[0].at < SHORT);
	assert_int_equal(s.failovers, 1);
	assert_int_equal(s.timeouts, 0);
}

static void
test_tcp_wrong_answer_ignored(void **state)
{
	struct forward_stats s;

	assert_int_equal(tcp_case(*state, TCP_WRONG_FIRST, &s), 1);
	assert_int_equal(s.dropped_mismatch, 1);
	assert_int_equal(s.failovers, 0);
	assert_int_equal(s.timeouts, 0);
}

static void
test_datagram_over_udp_size_retried_over_tcp(void **state)
{
	struct fixture *fx = *state;
	struct fake *fk = fake_start(fx, AF_INET, FAKE_BIG, 4);
	uint8_t q[512];
	size_t qlen = make_query(q, QID, QNAME, LDNS_RR_TYPE_A, 4096, 0);
	size_t full;
	ldns_pkt *pkt = NULL;

	fk->nrec = 50;
	full = 12 + qsec_len(q) + 50 * 16;
	new_forwarder(fx, &fk->up, 1, SHORT, 0, 512);
	assert_int_equal(submit(fx, 0, q, qlen, 65535), 0);
	run_until(fx, 1);
	assert_int_equal(fx->res[0].len, full);
	pkt = parse(&fx->res[0]);
	assert_int_equal(ldns_pkt_ancount(pkt), 50);
	assert_false(ldns_pkt_tc(pkt));
	ldns_pkt_free(pkt);
	assert_int_equal(fk->tcp_queries, 1);
	assert_int_equal(stats(fx).tcp_retries, 1);
}

static void
test_too_big_for_client_truncated(void **state)
{
	static const struct {
		uint16_t edns;		/* client's OPT size, 0: none */
		size_t limit;
		int tcp;		/* fetched over TCP first */
	} cases[] = {
		{ 0, 512, 0 },
		{ 1232, 1232, 1 },
	};
	struct fixture *fx = *state;
	struct fake *fk = fake_start(fx, AF_INET, FAKE_BIG, 5);
	size_t i;

	new_forwarder(fx, &fk->up, 1, SHORT, 0, 0);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint8_t q[512];
		size_t qlen = make_query(q, QID, QNAME, LDNS_RR_TYPE_A,
					 cases[i].edns, 0);
		const struct result *r = &fx->res[i];
		size_t want = 12 + qsec_len(q) + (cases[i].edns ? 11 : 0);
		ldns_pkt *pkt = NULL;

		/* 673 bytes fit our UDP buffer; 1633 come over TCP. */
		fk->nrec = i == 0 ? 40 : 100;
		assert_int_equal(submit(fx, (int)i, q, qlen, cases[i].limit),
				 0);
		run_until(fx, (int)i + 1);
		assert_int_equal(r->len, want);
		assert_client_header(r, q, QID);
		pkt = parse(r);
		assert_true(ldns_pkt_tc(pkt));
		assert_true(ldns_pkt_qr(pkt));
		assert_int_equal(ldns_pkt_get_rcode(pkt), LDNS_RCODE_NOERROR);
		assert_int_equal(ldns_pkt_ancount(pkt), 0);
		assert_int_equal(ldns_pkt_nscount(pkt), 0);
		assert_int_equal(ldns_pkt_arcount(pkt), 0);
		assert_int_equal(ldns_pkt_edns(pkt), cases[i].edns != 0);
		if (cases[i].edns)
			assert_int_equal(ldns_pkt_edns_udp_size(pkt), 1232);
		ldns_pkt_free(pkt);
		assert_int_equal(fk->tcp_queries, cases[i].tcp);
	}
}

static void
test_wrong_answers_ignored(void **state)
{
	struct fixture *fx = *state;
	struct fake *fk = fake_start(fx, AF_INET, FAKE_SPOOF, 1);
	struct forward_stats s;
	uint8_t q[512];
	size_t qlen = make_query(q, QID, QNAME, LDNS_RR_TYPE_A, 0, 0);

	new_forwarder(fx, &fk->up, 1, SHORT, 0, 0);
	assert_int_equal(submit(fx, 0, q, qlen, 512), 0);
	run_until(fx, 1);
	/* Not 66: the spoof from another port never reached us. */
	assert_int_equal(answered_by(&fx->res[0]), 1);
	assert_client_header(&fx->res[0], q, QID);
	s = stats(fx);
	assert_int_equal(s.dropped_mismatch, 4);
	assert_int_equal(s.answers, 1);
	assert_int_equal(s.timeouts, 0);
}

static void
test_client_case_restored(void **state)
{
	struct fixture *fx = *state;
	struct fake *fk = fake_start(fx, AF_INET, FAKE_FLIP, 1);
	uint8_t q[512];
	size_t qlen = make_query(q, QID, QNAME, LDNS_RR_TYPE_A, 0, 0);

	new_forwarder(fx, &fk->up, 1, SHORT, 0, 0);
	assert_int_equal(submit(fx, 0, q, qlen, 512), 0);
	run_until(fx, 1);
	assert_memory_equal(fx->res[0].resp + 13, "wWw", 3);
	assert_client_header(&fx->res[0], q, QID);
	assert_int_equal(answered_by(&fx->res[0]), 1);
	assert_int_equal(stats(fx).dropped_mismatch, 0);
}

static void
test_all_fail_servfail(void **state)
{
	static const struct {
		uint16_t edns;
		int dnssec_ok;
	} cases[] = {
		{ 0, 0 },
		{ 1232, 1 },
		{ 4096, 0 },
	};
	struct fixture *fx = *state;
	struct netaddr_port ups[2];
	struct forward_stats s;
	uint8_t q[3][512];
	size_t i;

	ups[0] = fake_start(fx, AF_INET, FAKE_SILENT, 1)->up;
	ups[1] = fake_start(fx, AF_INET, FAKE_SILENT, 2)->up;
	new_forwarder(fx, ups, 2, SHORT, 0, 0);
	for (i = 0; i < 3; i++) {
		size_t qlen = make_query(q[i], (uint16_t)(QID + i), QNAME,
					 LDNS_RR_TYPE_AAAA, cases[i].edns,
					 cases[i].dnssec_ok);

		assert_int_equal(submit(fx, (int)i, q[i], qlen, 512), 0);
	}
	run_until(fx, 3);
	for (i = 0; i < 3; i++) {
		const struct result *r = &fx->res[i];
		ldns_pkt *pkt = parse(r);

		assert_true(r->at >= 2 * SHORT - 0.01);
		/* Issue 10: with EDNS, EDE 22 (No Reachable Authority). */
		assert_int_equal(r->len, 12 + qsec_len(q[i]) +
						 (cases[i].edns ? 17 : 0));
		if (cases[i].edns)
			assert_memory_equal(r->resp + r->len - 8,
					    "\x00\x06\x00\x0f\x00\x02\x00\x16",
					    8);
		assert_client_header(r, q[i], (uint16_t)(QID + i));
		assert_int_equal(ldns_pkt_get_rcode(pkt), LDNS_RCODE_SERVFAIL);
		assert_true(ldns_pkt_qr(pkt));
		assert_true(ldns_pkt_rd(pkt));
		assert_true(ldns_pkt_ra(pkt));
		assert_false(ldns_pkt_aa(pkt));
		assert_false(ldns_pkt_tc(pkt));
		assert_int_equal(ldns_pkt_ancount(pkt), 0);
		assert_int_equal(ldns_pkt_edns(pkt), cases[i].edns != 0);
		if (cases[i].edns) {
			assert_int_equal(ldns_pkt_edns_udp_size(pkt), 1232);
			assert_int_equal(ldns_pkt_edns_do(pkt),
					 cases[i].dnssec_ok);
		}
		ldns_pkt_free(pkt);
	}
	s = stats(fx);
	assert_int_equal(s.queries, 3);
	assert_int_equal(s.servfails, 3);
	assert_int_equal(s.timeouts, 6);
	assert_int_equal(s.failovers, 3);
	assert_int_equal(s.answers, 0);
	assert_int_equal(s.in_flight, 0);
	assert_int_equal(fx->fakes[0].udp_queries, 3);
	assert_int_equal(fx->fakes[1].udp_queries, 3);
}

/* Every upstream fails at once (port unreachable): EDE 23 (Network Error). */
static void
test_all_unreachable_network_error(void **state)
{
	struct fixture *fx = *state;
	struct netaddr_port ups[2];
	uint8_t q[512];
	size_t qlen = make_query(q, QID, QNAME, LDNS_RR_TYPE_A, 1232, 0);
	const struct result *r = &fx->res[0];
	ldns_pkt *pkt = NULL;

	closed_port(&ups[0]);
	closed_port(&ups[1]);
	new_forwarder(fx, ups, 2, SHORT, 0, 0);
	assert_int_equal(submit(fx, 0, q, qlen, 512), 0);
	run_until(fx, 1);
	pkt = parse(r);
	assert_int_equal(ldns_pkt_get_rcode(pkt), LDNS_RCODE_SERVFAIL);
	assert_true(ldns_pkt_edns(pkt));
	ldns_pkt_free(pkt);
	assert_int_equal(r->len, 12 + qsec_len(q) + 17);
	assert_memory_equal(r->resp + r->len - 8,
			    "\x00\x06\x00\x0f\x00\x02\x00\x17", 8);
	assert_int_equal(stats(fx).timeouts, 0);
}

static void
test_in_flight_bound(void **state)
{
	struct fixture *fx = *state;
	struct fake *fk = fake_start(fx, AF_INET, FAKE_SILENT, 1);
	struct forward_stats s;
	uint8_t q[512];
	size_t qlen = make_query(q, QID, QNAME, LDNS_RR_TYPE_A, 0, 0);
	ldns_pkt *pkt = NULL;
	int i;

	new_forwarder(fx, &fk->up, 1, SHORT, 2, 0);
	for (i = 0; i < 3; i++)
		assert_int_equal(submit(fx, i, q, qlen, 512), 0);
	/* The third one is refused, though not from inside forward_query. */
	assert_int_equal(fx->ndone, 0);
	run_until(fx, 1);
	assert_int_equal(fx->res[2].called, 1);
	assert_true(fx->res[2].at < SHORT);
	pkt = parse(&fx->res[2]);
	assert_int_equal(ldns_pkt_get_rcode(pkt), LDNS_RCODE_SERVFAIL);
	ldns_pkt_free(pkt);
	assert_client_header(&fx->res[2], q, QID);
	s = stats(fx);
	assert_int_equal(s.overloaded, 1);
	assert_int_equal(s.servfails, 1);
	assert_int_equal(s.in_flight, 2);
	while (fk->udp_queries < 2)
		ev_run(fx->loop, EVRUN_ONCE);
	assert_int_equal(fk->udp_queries, 2);

	run_until(fx, 3);
	s = stats(fx);
	assert_int_equal(s.servfails, 3);
	assert_int_equal(s.in_flight, 0);
	assert_int_equal(s.queries, 3);
	assert_int_equal(fk->udp_queries, 2);
}

static void
test_free_cancels_pending(void **state)
{
	struct fixture *fx = *state;
	struct fake *fk = fake_start(fx, AF_INET, FAKE_SILENT, 1);
	uint8_t q[512];
	size_t qlen = make_query(q, QID, QNAME, LDNS_RR_TYPE_A, 0, 0);
	int i;

	new_forwarder(fx, &fk->up, 1, 10.0, 1, 0);
	/* One waiting for its upstream, one for its deferred SERVFAIL. */
	for (i = 0; i < 2; i++)
		assert_int_equal(submit(fx, i, q, qlen, 512), 0);
	forward_free(fx->f);
	for (i = 0; i < 2; i++) {
		assert_int_equal(fx->res[i].called, 1);
		assert_int_equal(fx->res[i].null_resp, 1);
		assert_int_equal(fx->res[i].requery_rc, -ECANCELED);
	}
	fx->f = NULL;
	/* Nothing is left on the loop for the forwarder. */
	ev_run(fx->loop, EVRUN_NOWAIT);
	assert_int_equal(fx->ndone, 2);
}

static void
test_malformed_queries_rejected(void **state)
{
	static const struct {
		const char *what;
		size_t off;		/* patch at, 0: none */
		uint8_t val;
		size_t cut;		/* bytes removed from the end */
	} cases[] = {
		{ "shorter than a header", 0, 0, 100 },
		{ "QR set", 2, 0x81, 0 },
		{ "opcode NOTIFY", 2, 0x21, 0 },
		{ "QDCOUNT 0", 5, 0, 0 },
		{ "QDCOUNT 2", 5, 2, 0 },
		{ "compressed name", 12, 0xc0, 0 },
		{ "label over 63", 12, 64, 0 },
		{ "cut in the name", 0, 0, 8 },
		{ "cut in type/class", 0, 0, 2 },
	};
	struct fixture *fx = *state;
	struct netaddr_port up;
	size_t i;

	closed_port(&up);
	new_forwarder(fx, &up, 1, SHORT, 0, 0);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint8_t q[512];
		size_t qlen = make_query(q, QID, QNAME, LDNS_RR_TYPE_A, 0, 0);

		if (cases[i].off)
			q[cases[i].off] = cases[i].val;
		qlen = cases[i].cut >= qlen ? 11 : qlen - cases[i].cut;
		print_message("%s\n", cases[i].what);
		assert_int_equal(submit(fx, 0, q, qlen, 512), -EINVAL);
	}
	ev_run(fx->loop, EVRUN_NOWAIT);
	assert_int_equal(fx->ndone, 0);
	assert_int_equal(stats(fx).queries, 0);
}

static void
test_new_rejects_bad_config(void **state)
{
	struct fixture *fx = *state;
	struct forward_config cfg;
	struct netaddr_port up;
	struct forward *f = NULL;

	forward_config_init(&cfg);
	assert_true(cfg.timeout == CONFIG_DEFAULT_FORWARD_TIMEOUT_MS / 1000.0);
	assert_int_equal(cfg.max_in_flight,
			 CONFIG_DEFAULT_FORWARD_MAX_INFLIGHT);
	assert_int_equal(cfg.udp_size, FORWARD_UDP_SIZE);
	assert_int_equal(forward_new(&f, fx->loop, &cfg), -EINVAL);
	assert_null(f);
	memset(&up, 0, sizeof(up));
	up.addr.ss_family = AF_UNIX;
	cfg.upstreams = &up;
	cfg.nupstreams = 1;
	assert_int_equal(forward_new(&f, fx->loop, &cfg), -EINVAL);
	assert_null(f);
	forward_free(NULL);
}

static void
test_upstream_parse(void **state)
{
	static const struct {
		const char *in;
		const char *out;	/* NULL: an error */
	} cases[] = {
		{ "127.0.0.1", "127.0.0.1:53" },
		{ "127.0.0.1:5353", "127.0.0.1:5353" },
		{ "::1", "[::1]:53" },
		{ "[::1]", "[::1]:53" },
		{ "[::1]:5353", "[::1]:5353" },
		{ "[::1]:65535", "[::1]:65535" },
		{ "", NULL },
		{ "127.1", NULL },
		{ "127.0.0.1:", NULL },
		{ "127.0.0.1:0", NULL },
		{ "127.0.0.1:65536", NULL },
		{ "127.0.0.1:+53", NULL },
		{ "[127.0.0.1]:53", NULL },
		{ "[::1", NULL },
		{ "[::1]x", NULL },
		{ "[::1]:", NULL },
		{ "localhost", NULL },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct netaddr_port up;
		char err[128];
		char want[128];
		char buf[64];
		int rc = forward_upstream_parse(&up, cases[i].in, err,
						sizeof(err));

		print_message("%s\n", cases[i].in);
		if (cases[i].out == NULL) {
			assert_int_equal(rc, -1);
			snprintf(want, sizeof(want),
				 "expected ADDRESS[:PORT] or [IPV6]:PORT, "
				 "got '%s'", cases[i].in);
			assert_string_equal(err, want);
			continue;
		}
		assert_int_equal(rc, 0);
		assert_string_equal(netaddr_port_format(&up, buf,
							sizeof(buf)),
				    cases[i].out);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
		T(test_answer_relayed),
		T(test_upstream_gets_client_bytes_from_fresh_ports),
		T(test_ipv6_upstream),
		T(test_timeout_fails_over_and_sticks),
		T(test_port_unreachable_fails_over_at_once),
		T(test_all_unreachable_network_error),
		T(test_tc_retried_over_tcp),
		T(test_tcp_refused_fails_over),
		T(test_tcp_silent_times_out_and_fails_over),
		T(test_tcp_closed_fails_over_at_once),
		T(test_tcp_wrong_answer_ignored),
		T(test_datagram_over_udp_size_retried_over_tcp),
		T(test_too_big_for_client_truncated),
		T(test_wrong_answers_ignored),
		T(test_client_case_restored),
		T(test_all_fail_servfail),
		T(test_in_flight_bound),
		T(test_free_cancels_pending),
		T(test_malformed_queries_rejected),
		T(test_new_rejects_bad_config),
		T(test_upstream_parse),
#undef T
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
