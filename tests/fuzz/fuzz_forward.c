/* SPDX-License-Identifier: MIT */
/*
 * fuzz_forward.c -- the forwarder's handling of upstream answers.
 *
 * A real forwarder (daemon/forward.c) on its own libev loop forwards a
 * fixed query to a fake upstream on 127.0.0.1: a UDP socket and a TCP
 * listener on the same port, both driven by this harness.  The input is
 * the upstream's answer, sent as a datagram, and, when the forwarder asks
 * again over TCP (TC set, or a datagram larger than its buffer), sent
 * again framed on the TCP connection.  So the answer goes through the
 * same code as in the server: the check against the pending query
 * (matches()), the TCP retry, the cut to the client's limit, the
 * client's ID and question put back.  No test seam is needed.
 *
 * The first input byte: bit 0 puts the ID of the query the upstream got
 * into the answer, bit 1 its question, bit 2 gives the client's query an
 * OPT record, bits 3-4 the client's limit (512, 1232, 4096, 65535); the
 * rest is the answer.
 *
 * What the client gets is checked against forward.h: its own ID, its own
 * question bytes, never more than its limit.
 */
#include "autoconfig.h"

#include <arpa/inet.h>
#include <errno.h>
#include <ev.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "daemon/forward.h"
#include "dns/wire.h"
#include "fuzz.h"

#define HDR 12
/* redis.example.com. A IN, the question section after the header. */
#define QSEC "\x05redis\x07" "example\x03" "com\x00\x00\x01\x00\x01"
#define QSEC_LEN (sizeof(QSEC) - 1)
#define OPT "\x00\x00\x29\x10\x00\x00\x00\x80\x00\x00\x00"
#define OPT_LEN (sizeof(OPT) - 1)

static struct ev_loop *loop;
static int usock = -1;		/* the upstream's UDP socket */
static int lsock = -1;		/* its TCP listener, same port */
static struct netaddr_port upstream;

struct result {
	int done;
	size_t limit;
	const uint8_t *q;
};

static void
done_cb(void *ctx, const uint8_t *resp, size_t len)
{
	struct result *r = ctx;

	r->done = 1;
	if (resp == NULL)
		return;		/* cancelled by forward_free() */
	if (len < HDR + QSEC_LEN || len > r->limit ||
	    memcmp(resp, r->q, 2) != 0 ||
	    memcmp(resp + HDR, r->q + HDR, QSEC_LEN) != 0) {
		fprintf(stderr, "fuzz_forward: bad response to the client "
			"(%zu bytes, limit %zu)\n", len, r->limit);
		abort();
	}
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct sockaddr_in sin;
	socklen_t sl = sizeof(sin);
	char text[64];
	char err[256];
	int one = 1;

	if ((loop = ev_loop_new(EVFLAG_AUTO)) == NULL)
		fuzz_die("ev_loop_new");
	usock = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	lsock = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (usock < 0 || lsock < 0)
		fuzz_die("socket");
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(usock, (struct sockaddr *)&sin, sizeof(sin)) < 0 ||
	    getsockname(usock, (struct sockaddr *)&sin, &sl) < 0)
		fuzz_die("bind udp");
	setsockopt(lsock, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(lsock, (struct sockaddr *)&sin, sizeof(sin)) < 0 ||
	    listen(lsock, 16) < 0)
		fuzz_die("bind tcp (the UDP port is taken for TCP; run again)");
	snprintf(text, sizeof(text), "127.0.0.1:%u", ntohs(sin.sin_port));
	if (forward_upstream_parse(&upstream, text, err, sizeof(err)) != 0) {
		fprintf(stderr, "fuzz_forward: %s\n", err);
		abort();
	}
	return 0;
}

/* The upstream's answer to the query @q (@qn bytes) into @out. */
static size_t
make_answer(uint8_t *out, const uint8_t *data, size_t size, unsigned flags,
	    const uint8_t *q, size_t qn)
{
	memcpy(out, data, size);
	if ((flags & 1) && size >= 2 && qn >= 2)
		memcpy(out, q, 2);
	if ((flags & 2) && size >= HDR + QSEC_LEN && qn >= HDR + QSEC_LEN)
		memcpy(out + HDR, q + HDR, QSEC_LEN);
	return size;
}

/* The TCP side: accept, read the framed query, answer it once. */
struct tcp_side {
	int fd;
	uint8_t in[2 + 512];
	size_t got;
	int answered;
};

static void
tcp_serve(struct tcp_side *t, const uint8_t *data, size_t size,
	  unsigned flags)
{
	static uint8_t out[2 + 65535];
	ssize_t n;
	size_t len;
	size_t off;

	if (t->fd < 0) {
		t->fd = accept4(lsock, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (t->fd < 0)
			return;
	}
	if (t->answered)
		return;
	n = read(t->fd, t->in + t->got, sizeof(t->in) - t->got);
	if (n > 0)
		t->got += (size_t)n;
	if (t->got < 2 ||
	    t->got < 2 + (size_t)((t->in[0] << 8) | t->in[1]))
		return;
	len = make_answer(out + 2, data, size, flags, t->in + 2, t->got - 2);
	out[0] = (uint8_t)(len >> 8);
	out[1] = (uint8_t)len;
	for (off = 0; off < len + 2; off += (size_t)n) {
		n = write(t->fd, out + off, len + 2 - off);
		if (n <= 0)
			break;	/* the forwarder gave up: fine */
	}
	t->answered = 1;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const size_t limits[4] = { 512, 1232, 4096, 65535 };
	static uint8_t ans[65535];
	struct forward_config cfg;
	struct forward *f = NULL;
	struct result r;
	struct tcp_side t = { -1, { 0 }, 0, 0 };
	struct sockaddr_storage from;
	socklen_t fl = sizeof(from);
	uint8_t q[HDR + QSEC_LEN + OPT_LEN];
	uint8_t got[2048];
	unsigned flags;
	size_t qlen;
	ssize_t n;
	int i;

	if (size < 1 || size > 65535 + 1)
		return 0;
	flags = data[0];
	data++;
	size--;
	memcpy(q, "\xab\xcd\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00", HDR);
	memcpy(q + HDR, QSEC, QSEC_LEN);
	qlen = HDR + QSEC_LEN;
	if (flags & 4) {
		q[11] = 1;
		memcpy(q + qlen, OPT, OPT_LEN);
		qlen += OPT_LEN;
	}
	r.done = 0;
	r.limit = limits[(flags >> 3) & 3];
	r.q = q;

	forward_config_init(&cfg);
	cfg.upstreams = &upstream;
	cfg.nupstreams = 1;
	cfg.timeout = 10;
	if (forward_new(&f, loop, &cfg) != 0)
		fuzz_die("forward_new");
	if (forward_query(f, q, qlen, r.limit, done_cb, &r) != 0)
		fuzz_die("forward_query");
	n = recvfrom(usock, got, sizeof(got), 0, (struct sockaddr *)&from, &fl);
	if (n < 0)
		fuzz_die("recvfrom (the forwarder sent nothing)");
	(void)make_answer(ans, data, size, flags, got, (size_t)n);
	if (sendto(usock, ans, size, 0, (struct sockaddr *)&from, fl) < 0 &&
	    errno != EMSGSIZE)
		fuzz_die("sendto");
	for (i = 0; i < 16 && !r.done; i++) {
		ev_run(loop, EVRUN_NOWAIT);
		if (!r.done)
			tcp_serve(&t, data, size, flags);
	}
	forward_free(f);
	if (!r.done)
		abort();	/* forward_free() calls back every query */
	if (t.fd >= 0)
		close(t.fd);
	/* Nothing left for the next run: a stray connection, datagrams. */
	while ((t.fd = accept4(lsock, NULL, NULL, SOCK_CLOEXEC)) >= 0)
		close(t.fd);
	while (recv(usock, got, sizeof(got), 0) >= 0)
		;
	return 0;
}
