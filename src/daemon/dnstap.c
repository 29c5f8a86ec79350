/* SPDX-License-Identifier: MIT */
/* dnstap.c -- dnstap frames of the queries meshdns answers and forwards. */
#include "autoconfig.h"

#include <errno.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <fstrm.h>
#include <dnstap.pb-c.h>

#include "daemon/dnstap.h"
#include "daemon/dnstap_int.h"
#include "daemon/stats.h"
#include "util/dl.h"
#include "util/log.h"

/*
 * A worker's frame buffers: its queue's frames, and those the I/O thread
 * took out of the queue but has not written yet (its output queue).
 */
#define NSLOTS (DNSTAP_QUEUE + 64)
#define IO_TIMEOUT 2		/* seconds a collector may block a write */

/*
 * One worker's side.  The free slots are a ring of their indices with
 * one producer, the I/O thread (done with a frame: head), and one
 * consumer, the worker (a new frame: tail), so neither takes a lock.
 */
struct dnstap_worker {
	/* Written by the I/O thread, on a cache line of its own. */
	_Alignas(64) _Atomic uint64_t head;
	uint32_t ring[NSLOTS];
	/* The worker's. */
	_Alignas(64) uint64_t tail;
	uint64_t head_seen;	/* head as last loaded */
	int64_t spare;		/* a slot taken but not queued, or -1 */
	struct dnstap *d;
	struct fstrm_iothr_queue *q;
	_Atomic uint64_t *dropped;
	uint8_t *slots;		/* NSLOTS * DNSTAP_SLOT bytes */
};

struct dnstap {
	struct dnstap_worker *w;
	size_t nworkers;
	struct fstrm_iothr *iothr;
	char *path;
	struct sockaddr_un sun;
	socklen_t sunlen;
	char *identity;		/* NULL: not sent */
	char *version;
	/* The I/O thread's connection to the collector. */
	int fd;
	int handshake;		/* the collector accepted us */
	int was_connected;
	int err_logged;		/* a failure to connect was logged */
	/* Set by the I/O thread, read by the workers: may frames go? */
	_Atomic int connected;
	/* The drop warning's rate limit, shared by the workers. */
	_Atomic int64_t next_log_ms;
	_Atomic uint64_t logged;	/* drops reported so far */
};

/*
 * libfstrm, loaded by dnstap_new() (util/dl.h), as libprotobuf-c is
 * (dnstap_pb.c): a meshdns without dnstap.socket maps neither.
 */
static struct {
	__typeof__(fstrm_free_wrapper) *free_wrapper;
	__typeof__(fstrm_iothr_destroy) *iothr_destroy;
	__typeof__(fstrm_iothr_get_input_queue_idx) *iothr_get_input_queue_idx;
	__typeof__(fstrm_iothr_init) *iothr_init;
	__typeof__(fstrm_iothr_options_destroy) *iothr_options_destroy;
	__typeof__(fstrm_iothr_options_init) *iothr_options_init;
	__typeof__(fstrm_iothr_options_set_input_queue_size)
		*iothr_options_set_input_queue_size;
	__typeof__(fstrm_iothr_options_set_num_input_queues)
		*iothr_options_set_num_input_queues;
	__typeof__(fstrm_iothr_options_set_reopen_interval)
		*iothr_options_set_reopen_interval;
	__typeof__(fstrm_iothr_submit) *iothr_submit;
	__typeof__(fstrm_rdwr_destroy) *rdwr_destroy;
	__typeof__(fstrm_rdwr_init) *rdwr_init;
	__typeof__(fstrm_rdwr_set_close) *rdwr_set_close;
	__typeof__(fstrm_rdwr_set_open) *rdwr_set_open;
	__typeof__(fstrm_rdwr_set_read) *rdwr_set_read;
	__typeof__(fstrm_rdwr_set_write) *rdwr_set_write;
	__typeof__(fstrm_writer_destroy) *writer_destroy;
	__typeof__(fstrm_writer_init) *writer_init;
	__typeof__(fstrm_writer_options_add_content_type)
		*writer_options_add_content_type;
	__typeof__(fstrm_writer_options_destroy) *writer_options_destroy;
	__typeof__(fstrm_writer_options_init) *writer_options_init;
} fstrm;

static void
fstrm_resolve(struct dl_lib *lib)
{
	fstrm.free_wrapper = dl_sym(lib, "fstrm_free_wrapper");
	fstrm.iothr_destroy = dl_sym(lib, "fstrm_iothr_destroy");
	fstrm.iothr_get_input_queue_idx =
		dl_sym(lib, "fstrm_iothr_get_input_queue_idx");
	fstrm.iothr_init = dl_sym(lib, "fstrm_iothr_init");
	fstrm.iothr_options_destroy =
		dl_sym(lib, "fstrm_iothr_options_destroy");
	fstrm.iothr_options_init = dl_sym(lib, "fstrm_iothr_options_init");
	fstrm.iothr_options_set_input_queue_size =
		dl_sym(lib, "fstrm_iothr_options_set_input_queue_size");
	fstrm.iothr_options_set_num_input_queues =
		dl_sym(lib, "fstrm_iothr_options_set_num_input_queues");
	fstrm.iothr_options_set_reopen_interval =
		dl_sym(lib, "fstrm_iothr_options_set_reopen_interval");
	fstrm.iothr_submit = dl_sym(lib, "fstrm_iothr_submit");
	fstrm.rdwr_destroy = dl_sym(lib, "fstrm_rdwr_destroy");
	fstrm.rdwr_init = dl_sym(lib, "fstrm_rdwr_init");
	fstrm.rdwr_set_close = dl_sym(lib, "fstrm_rdwr_set_close");
	fstrm.rdwr_set_open = dl_sym(lib, "fstrm_rdwr_set_open");
	fstrm.rdwr_set_read = dl_sym(lib, "fstrm_rdwr_set_read");
	fstrm.rdwr_set_write = dl_sym(lib, "fstrm_rdwr_set_write");
	fstrm.writer_destroy = dl_sym(lib, "fstrm_writer_destroy");
	fstrm.writer_init = dl_sym(lib, "fstrm_writer_init");
	fstrm.writer_options_add_content_type =
		dl_sym(lib, "fstrm_writer_options_add_content_type");
	fstrm.writer_options_destroy =
		dl_sym(lib, "fstrm_writer_options_destroy");
	fstrm.writer_options_init = dl_sym(lib, "fstrm_writer_options_init");
}

static struct dl_lib fstrm_lib = {
	FSTRM_SONAME, FSTRM_PACKAGE, "dnstap.socket", fstrm_resolve,
	PTHREAD_MUTEX_INITIALIZER, NULL, NULL, 0
};

/* --- the collector's socket: libfstrm's reader/writer, I/O thread --- */

static void
conn_close(struct dnstap *d)
{
	if (d->fd >= 0)
		close(d->fd);
	d->fd = -1;
	d->handshake = 0;
	atomic_store(&d->connected, 0);
}

static fstrm_res
rdwr_open(void *obj)
{
	struct dnstap *d = obj;
	struct timeval tv = { IO_TIMEOUT, 0 };
	int err;

	conn_close(d);
	d->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (d->fd < 0)
		goto fail;
	/* A collector that stops reading must not hold the thread for
	 * ever: it is then dropped, and asked again a second later. */
	if (setsockopt(d->fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)) < 0 ||
	    setsockopt(d->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) < 0 ||
	    connect(d->fd, (const struct sockaddr *)&d->sun, d->sunlen) < 0)
		goto fail;
	return fstrm_res_success;
fail:
	err = errno;
	conn_close(d);
	if (!d->err_logged)
		log_warning("dnstap, cannot connect to %s (%s); trying every "
			    "second", d->path, strerror(err));
	d->err_logged = 1;
	return fstrm_res_failure;
}

static fstrm_res
rdwr_close(void *obj)
{
	struct dnstap *d = obj;

	conn_close(d);
	return fstrm_res_success;
}

static void
lost(struct dnstap *d, int err)
{
	if (d->was_connected)
		log_warning("dnstap, lost the collector at %s (%s)", d->path,
			    err != 0 ? strerror(err) : "closed");
	d->was_connected = 0;
	d->err_logged = 0;
	atomic_store(&d->connected, 0);
}

static fstrm_res
rdwr_read(void *obj, void *data, size_t count)
{
	struct dnstap *d = obj;
	uint8_t *p = data;

	while (count > 0) {
		ssize_t n = read(d->fd, p, count);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			lost(d, n < 0 ? errno : 0);
			return fstrm_res_failure;
		}
		p += n;
		count -= (size_t)n;
	}
	d->handshake = 1;
	return fstrm_res_success;
}

static fstrm_res
rdwr_write(void *obj, const struct iovec *iov, int iovcnt)
{
	struct dnstap *d = obj;
	struct iovec v[64];
	struct msghdr mh;
	int i = 0;

	while (i < iovcnt) {
		int k = iovcnt - i < 64 ? iovcnt - i : 64;
		ssize_t n;

		memcpy(v, iov + i, (size_t)k * sizeof(*v));
		memset(&mh, 0, sizeof(mh));
		mh.msg_iov = v;
		mh.msg_iovlen = (size_t)k;
		/* Partly written: go on from where it stopped. */
		for (;;) {
			n = sendmsg(d->fd, &mh, MSG_NOSIGNAL);
			if (n < 0 && errno == EINTR)
				continue;
			if (n < 0) {
				lost(d, errno);
				return fstrm_res_failure;
			}
			while (mh.msg_iovlen > 0 &&
			       (size_t)n >= mh.msg_iov[0].iov_len) {
				n -= (ssize_t)mh.msg_iov[0].iov_len;
				mh.msg_iov++;
				mh.msg_iovlen--;
			}
			if (mh.msg_iovlen == 0)
				break;
			mh.msg_iov[0].iov_base =
				(uint8_t *)mh.msg_iov[0].iov_base + n;
			mh.msg_iov[0].iov_len -= (size_t)n;
		}
		i += k;
	}
	/* The first write after the collector's ACCEPT is our START. */
	if (d->handshake && !atomic_load(&d->connected)) {
		log_info("dnstap, connected to %s", d->path);
		d->was_connected = 1;
		atomic_store(&d->connected, 1);
	}
	return fstrm_res_success;
}

/* --- frame buffers --- */

/* The I/O thread is done with a pooled frame: its slot is free again. */
static void
slot_free(void *buf, void *arg)
{
	struct dnstap_worker *w = arg;
	uint64_t h = atomic_load_explicit(&w->head, memory_order_relaxed);

	w->ring[h % NSLOTS] = (uint32_t)(((uint8_t *)buf - w->slots) /
					 DNSTAP_SLOT);
	atomic_store_explicit(&w->head, h + 1, memory_order_release);
}

/* A free slot's buffer, or NULL when all are in the queue. */
static uint8_t *
slot_get(struct dnstap_worker *w)
{
	int64_t i = w->spare;

	if (i >= 0) {
		w->spare = -1;
		return w->slots + (size_t)i * DNSTAP_SLOT;
	}
	if (w->tail == w->head_seen) {
		w->head_seen = atomic_load_explicit(&w->head,
						    memory_order_acquire);
		if (w->tail == w->head_seen)
			return NULL;
	}
	i = w->ring[w->tail % NSLOTS];
	w->tail++;
	return w->slots + (size_t)i * DNSTAP_SLOT;
}

/* CLOCK_MONOTONIC_COARSE milliseconds: cheap, for the rate limit. */
static int64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Count @n frames dropped, and say so at most every 10 s. */
static void
drop(struct dnstap_worker *w, uint64_t n)
{
	struct dnstap *d = w->d;
	int64_t now = now_ms();
	int64_t next = atomic_load_explicit(&d->next_log_ms,
					    memory_order_relaxed);
	uint64_t total = 0;
	uint64_t before;
	size_t i;

	stats_add(w->dropped, n);
	if (now < next ||
	    !atomic_compare_exchange_strong(&d->next_log_ms, &next,
					    now + DNSTAP_LOG_INTERVAL * 1000))
		return;
	for (i = 0; i < d->nworkers; i++)
		total += atomic_load_explicit(d->w[i].dropped,
					      memory_order_relaxed);
	before = atomic_exchange(&d->logged, total);
	if (atomic_load(&d->connected))
		log_warning("dnstap, %" PRIu64 " frames dropped (%" PRIu64
			    " in all): the collector at %s is not keeping up",
			    total - before, total, d->path);
	else
		log_warning("dnstap, %" PRIu64 " frames dropped (%" PRIu64
			    " in all): no collector is connected to %s",
			    total - before, total, d->path);
}

/* Pack @m with the identity and version into a frame and queue it. */
static void
emit(struct dnstap_worker *w, Dnstap__Message *m)
{
	struct dnstap *d = w->d;
	Dnstap__Dnstap top = DNSTAP__DNSTAP__INIT;
	uint8_t *buf = NULL;
	size_t len;
	int pooled;

	if (d->identity != NULL) {
		top.has_identity = 1;
		top.identity.data = (uint8_t *)d->identity;
		top.identity.len = strlen(d->identity);
	}
	if (d->version != NULL) {
		top.has_version = 1;
		top.version.data = (uint8_t *)d->version;
		top.version.len = strlen(d->version);
	}
	top.type = DNSTAP__DNSTAP__TYPE__MESSAGE;
	top.message = m;
	len = dnstap__dnstap__get_packed_size(&top);
	pooled = len <= DNSTAP_SLOT;
	buf = pooled ? slot_get(w) : malloc(len);
	if (buf == NULL) {
		drop(w, 1);
		return;
	}
	dnstap__dnstap__pack(&top, buf);
	if (fstrm.iothr_submit(d->iothr, w->q, buf, len,
			       pooled ? slot_free : fstrm.free_wrapper,
			       pooled ? w : NULL) == fstrm_res_success)
		return;
	if (pooled)
		w->spare = (buf - w->slots) / DNSTAP_SLOT;
	else
		free(buf);
	drop(w, 1);
}

/*
 * An address's bytes, port and family into @m's query (@query) or
 * response side; @a must stay valid until the frame is packed.
 */
static void
set_addr(Dnstap__Message *m, int query, const struct sockaddr *a)
{
	ProtobufCBinaryData *b = query ? &m->query_address :
				 &m->response_address;
	uint32_t *port = query ? &m->query_port : &m->response_port;
	protobuf_c_boolean *has_b = query ? &m->has_query_address :
				    &m->has_response_address;
	protobuf_c_boolean *has_port = query ? &m->has_query_port :
				       &m->has_response_port;

	if (a == NULL)
		return;
	if (a->sa_family == AF_INET) {
		const struct sockaddr_in *in = (const struct sockaddr_in *)a;

		b->data = (uint8_t *)&in->sin_addr;
		b->len = 4;
		*port = ntohs(in->sin_port);
		m->socket_family = DNSTAP__SOCKET_FAMILY__INET;
	} else if (a->sa_family == AF_INET6) {
		const struct sockaddr_in6 *in6 =
			(const struct sockaddr_in6 *)a;

		b->data = (uint8_t *)&in6->sin6_addr;
		b->len = 16;
		*port = ntohs(in6->sin6_port);
		m->socket_family = DNSTAP__SOCKET_FAMILY__INET6;
	} else {
		return;
	}
	*has_b = 1;
	*has_port = 1;
	m->has_socket_family = 1;
}

static void
set_message(Dnstap__Message *m, int type, enum dnstap_proto proto)
{
	m->type = type;
	m->has_socket_protocol = 1;
	m->socket_protocol = proto == DNSTAP_TCP ?
			     DNSTAP__SOCKET_PROTOCOL__TCP :
			     DNSTAP__SOCKET_PROTOCOL__UDP;
}

void
dnstap_auth(struct dnstap_worker *w, enum dnstap_proto proto,
	    const struct sockaddr *client, const struct sockaddr *server,
	    const uint8_t *q, size_t qlen, const uint8_t *r, size_t rlen)
{
	Dnstap__Message m = DNSTAP__MESSAGE__INIT;
	struct timespec now;

	if (!atomic_load_explicit(&w->d->connected, memory_order_relaxed)) {
		drop(w, 2);
		return;
	}
	clock_gettime(CLOCK_REALTIME, &now);
	set_message(&m, DNSTAP__MESSAGE__TYPE__AUTH_QUERY, proto);
	set_addr(&m, 1, client);
	set_addr(&m, 0, server);
	m.has_query_time_sec = 1;
	m.query_time_sec = (uint64_t)now.tv_sec;
	m.has_query_time_nsec = 1;
	m.query_time_nsec = (uint32_t)now.tv_nsec;
	m.has_query_message = 1;
	m.query_message.data = (uint8_t *)q;
	m.query_message.len = qlen;
	emit(w, &m);
	m.type = DNSTAP__MESSAGE__TYPE__AUTH_RESPONSE;
	m.has_query_message = 0;
	m.has_response_time_sec = 1;
	m.response_time_sec = (uint64_t)now.tv_sec;
	m.has_response_time_nsec = 1;
	m.response_time_nsec = (uint32_t)now.tv_nsec;
	m.has_response_message = 1;
	m.response_message.data = (uint8_t *)r;
	m.response_message.len = rlen;
	emit(w, &m);
}

/* The frames of a forwarded query: our side (@fd's address) asks. */
static void
forwarder(struct dnstap_worker *w, int type, enum dnstap_proto proto,
	  int fd, const struct sockaddr *upstream, const uint8_t *msg,
	  size_t len, const struct timespec *sent,
	  const struct timespec *now)
{
	Dnstap__Message m = DNSTAP__MESSAGE__INIT;
	struct sockaddr_storage local;
	socklen_t llen = sizeof(local);

	set_message(&m, type, proto);
	if (getsockname(fd, (struct sockaddr *)&local, &llen) == 0)
		set_addr(&m, 1, (const struct sockaddr *)&local);
	set_addr(&m, 0, upstream);
	m.has_query_time_sec = 1;
	m.query_time_sec = (uint64_t)sent->tv_sec;
	m.has_query_time_nsec = 1;
	m.query_time_nsec = (uint32_t)sent->tv_nsec;
	if (type == DNSTAP__MESSAGE__TYPE__FORWARDER_QUERY) {
		m.has_query_message = 1;
		m.query_message.data = (uint8_t *)msg;
		m.query_message.len = len;
	} else {
		m.has_response_time_sec = 1;
		m.response_time_sec = (uint64_t)now->tv_sec;
		m.has_response_time_nsec = 1;
		m.response_time_nsec = (uint32_t)now->tv_nsec;
		m.has_response_message = 1;
		m.response_message.data = (uint8_t *)msg;
		m.response_message.len = len;
	}
	emit(w, &m);
}

void
dnstap_forwarder_query(struct dnstap_worker *w, enum dnstap_proto proto,
		       int fd, const struct sockaddr *upstream,
		       const uint8_t *q, size_t qlen, struct timespec *sent)
{
	clock_gettime(CLOCK_REALTIME, sent);
	if (!atomic_load_explicit(&w->d->connected, memory_order_relaxed)) {
		drop(w, 1);
		return;
	}
	forwarder(w, DNSTAP__MESSAGE__TYPE__FORWARDER_QUERY, proto, fd,
		  upstream, q, qlen, sent, sent);
}

void
dnstap_forwarder_response(struct dnstap_worker *w, enum dnstap_proto proto,
			  int fd, const struct sockaddr *upstream,
			  const uint8_t *r, size_t rlen,
			  const struct timespec *sent)
{
	struct timespec now;

	if (!atomic_load_explicit(&w->d->connected, memory_order_relaxed)) {
		drop(w, 1);
		return;
	}
	clock_gettime(CLOCK_REALTIME, &now);
	forwarder(w, DNSTAP__MESSAGE__TYPE__FORWARDER_RESPONSE, proto, fd,
		  upstream, r, rlen, sent, &now);
}

/* --- set-up --- */

/* A copy of @s, NULL for NULL or "" (not sent); 0 or -ENOMEM. */
static int
copy_field(char **out, const char *s)
{
	*out = NULL;
	if (s == NULL || s[0] == '\0')
		return 0;
	return (*out = strdup(s)) == NULL ? -ENOMEM : 0;
}

int
dnstap_new(struct dnstap **out, const struct dnstap_options *o, char *err,
	   size_t errsize)
{
	struct dnstap *d = NULL;
	char host[256];
	const char *identity = o->identity;
	size_t n = o->workers > 0 ? o->workers : 1;
	size_t i;
	int rc = -ENOMEM;

	*out = NULL;
	if (strlen(o->socket) >= sizeof(d->sun.sun_path)) {
		snprintf(err, errsize, "dnstap.socket: %s is longer than %zu "
			 "bytes, the limit of a unix socket path", o->socket,
			 sizeof(d->sun.sun_path) - 1);
		return -1;
	}
	if (dl_load(&fstrm_lib, err, errsize) < 0 ||
	    dnstap_pb_load(err, errsize) < 0)
		return -1;
	if (identity == NULL) {
		if (gethostname(host, sizeof(host)) < 0)
			host[0] = '\0';
		host[sizeof(host) - 1] = '\0';
		identity = host;
	}
	if ((d = calloc(1, sizeof(*d))) == NULL)
		goto out;
	d->fd = -1;
	atomic_init(&d->connected, 0);
	atomic_init(&d->next_log_ms, 0);
	atomic_init(&d->logged, 0);
	d->sun.sun_family = AF_UNIX;
	memcpy(d->sun.sun_path, o->socket, strlen(o->socket) + 1);
	d->sunlen = (socklen_t)(offsetof(struct sockaddr_un, sun_path) +
				strlen(o->socket) + 1);
	if ((d->path = strdup(o->socket)) == NULL ||
	    copy_field(&d->identity, identity) < 0 ||
	    copy_field(&d->version, o->version) < 0)
		goto out;
	if (posix_memalign((void **)&d->w, 64, n * sizeof(*d->w)) != 0) {
		d->w = NULL;
		goto out;
	}
	memset(d->w, 0, n * sizeof(*d->w));
	d->nworkers = n;
	for (i = 0; i < n; i++) {
		struct dnstap_worker *w = &d->w[i];
		uint32_t s;

		w->d = d;
		w->spare = -1;
		if ((w->slots = malloc((size_t)NSLOTS * DNSTAP_SLOT)) == NULL)
			goto out;
		/* Every slot free: all in the ring. */
		for (s = 0; s < NSLOTS; s++)
			w->ring[s] = s;
		atomic_init(&w->head, NSLOTS);
	}
	*out = d;
	d = NULL;
	rc = 0;
out:
	if (rc == -ENOMEM)
		snprintf(err, errsize, "out of memory");
	dnstap_free(d);
	return rc;
}

struct dnstap_worker *
dnstap_worker(struct dnstap *d, size_t i, _Atomic uint64_t *dropped)
{
	d->w[i].dropped = dropped;
	return &d->w[i];
}

int
dnstap_start(struct dnstap *d, char *err, size_t errsize)
{
	struct fstrm_iothr_options *io = NULL;
	struct fstrm_writer_options *wo = NULL;
	struct fstrm_rdwr *rdwr = NULL;
	struct fstrm_writer *writer = NULL;
	sigset_t all;
	sigset_t old;
	size_t i;
	int rc = -1;

	if ((io = fstrm.iothr_options_init()) == NULL ||
	    (wo = fstrm.writer_options_init()) == NULL ||
	    (rdwr = fstrm.rdwr_init(d)) == NULL)
		goto out;
	if (fstrm.writer_options_add_content_type(wo, DNSTAP_CONTENT_TYPE,
			strlen(DNSTAP_CONTENT_TYPE)) != fstrm_res_success ||
	    fstrm.iothr_options_set_num_input_queues(io, d->nworkers) !=
			fstrm_res_success ||
	    fstrm.iothr_options_set_input_queue_size(io, DNSTAP_QUEUE) !=
			fstrm_res_success ||
	    fstrm.iothr_options_set_reopen_interval(io,
			FSTRM_IOTHR_REOPEN_INTERVAL_MIN) != fstrm_res_success)
		goto out;
	fstrm.rdwr_set_open(rdwr, rdwr_open);
	fstrm.rdwr_set_close(rdwr, rdwr_close);
	fstrm.rdwr_set_read(rdwr, rdwr_read);
	fstrm.rdwr_set_write(rdwr, rdwr_write);
	/* The writer owns the reader/writer from here, the thread both. */
	if ((writer = fstrm.writer_init(wo, &rdwr)) == NULL)
		goto out;
	/* libfstrm starts its thread: with every signal blocked, as ours. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	d->iothr = fstrm.iothr_init(io, &writer);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (d->iothr == NULL)
		goto out;
	for (i = 0; i < d->nworkers; i++)
		d->w[i].q = fstrm.iothr_get_input_queue_idx(d->iothr, i);
	rc = 0;
out:
	if (rc < 0)
		snprintf(err, errsize, "dnstap: cannot start the writer for "
			 "%s", d->path);
	if (writer != NULL)
		fstrm.writer_destroy(&writer);
	if (rdwr != NULL)
		fstrm.rdwr_destroy(&rdwr);
	if (wo != NULL)
		fstrm.writer_options_destroy(&wo);
	if (io != NULL)
		fstrm.iothr_options_destroy(&io);
	return rc;
}

void
dnstap_free(struct dnstap *d)
{
	size_t i;

	if (d == NULL)
		return;
	/* Writes what is queued, says STOP, closes (rdwr_close). */
	if (d->iothr != NULL)
		fstrm.iothr_destroy(&d->iothr);
	conn_close(d);
	for (i = 0; d->w != NULL && i < d->nworkers; i++)
		free(d->w[i].slots);
	free(d->w);
	free(d->path);
	free(d->identity);
	free(d->version);
	free(d);
}
