/* SPDX-License-Identifier: MIT */
/* notify.c -- NOTIFY (RFC 1996) to the secondaries of transfer.notify. */
#include "autoconfig.h"

#include <errno.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "daemon/notify.h"
#include "dns/tsig.h"
#include "util/log.h"

#define HEADER		12
#define OPCODE_NOTIFY	4
#define TYPE_SOA	6
#define CLASS_IN	1
#define FIRST_WAIT	1.0		/* seconds before the first resend */
#define MAX_WAIT	60.0		/* the longest wait between tries */
#define NAME_TEXT	1024		/* a wire name as text, escapes and all */

/* A zone's latest NOTIFY, without its ID. */
struct zone {
	uint8_t apex[255];
	size_t apex_len;
	uint32_t serial;
	uint8_t *msg;			/* malloc'ed */
	size_t len;
	int queued;			/* changed since the timer was armed */
};

/* One NOTIFY of one zone to one target, until answered or given up. */
struct job {
	struct notify *n;
	ev_timer retry;
	uint8_t apex[255];
	size_t apex_len;
	uint32_t serial;
	uint8_t *msg;			/* malloc'ed, with its ID */
	size_t len;
	uint16_t id;
	int tries;
	double wait;
	struct sockaddr_storage addr;
	socklen_t addrlen;
	char text[64];			/* the target, for the log */
	/* The key signing it (transfer.notify's key), when key.name set. */
	struct tsig_key key;
	uint8_t key_name[256];
	uint8_t key_secret[TSIG_SECRET_MAX];
	uint8_t *out;			/* malloc'ed: msg and its TSIG */
};

struct notify {
	struct ev_loop *loop;
	ev_timer coalesce;
	ev_tstamp last;			/* when it last fired (ev_now) */
	ev_io io4, io6;
	int fd4, fd6;
	struct config_notify *targets;	/* copies of cfg->notify */
	size_t ntargets;
	struct zone *zones;
	size_t nzones;
	struct job **jobs;
	size_t njobs;
	struct notify_stats stats;
	const struct config *cfg;	/* the keys, while coalescing: the
					 * config being served */
};

/* @apex (wire) as text with its final dot, for the log. */
static const char *
name_text(const uint8_t *apex, size_t len, char *buf, size_t size)
{
	size_t off = 0, o = 0, i;

	while (off < len && apex[off] != 0 && o + 5 < size) {
		for (i = 1; i <= apex[off] && off + i < len && o + 5 < size;
		     i++) {
			uint8_t c = apex[off + i];

			if (c == '.' || c == '\\' || c <= 0x20 || c >= 0x7f)
				o += (size_t)snprintf(buf + o, size - o,
						      "\\%03u", c);
			else
				buf[o++] = (char)c;
		}
		buf[o++] = '.';
		off += (size_t)apex[off] + 1;
	}
	if (o == 0)
		buf[o++] = '.';
	buf[o] = '\0';
	return buf;
}

static uint16_t
random_id(void)
{
	static uint16_t counter;
	uint16_t id = 0;

	if (getrandom(&id, sizeof(id), GRND_NONBLOCK) != (ssize_t)sizeof(id))
		id = (uint16_t)(++counter * 40503u ^ (unsigned)getpid());
	return id;
}

static void
job_free(struct job *j)
{
	if (j == NULL)
		return;
	ev_timer_stop(j->n->loop, &j->retry);
	free(j->msg);
	free(j->out);
	memset(j->key_secret, 0, sizeof(j->key_secret));
	free(j);
}

/* The text name @text ("xfr-key.") in wire form at @out (256 bytes). */
static int
name_wire(const char *text, uint8_t *out, size_t *len)
{
	size_t o = 0, n;

	while (*text != '\0') {
		n = strcspn(text, ".");
		if (n == 0 || n > 63 || o + n + 2 > 255)
			return -EINVAL;
		out[o++] = (uint8_t)n;
		memcpy(out + o, text, n);
		o += n;
		text += n;
		if (*text == '.')
			text++;
	}
	out[o++] = 0;
	*len = o;
	return 0;
}

/*
 * The key named @name of @cfg into @j (wire name, algorithm, secret), for
 * signing.  0, or -EINVAL when there is no such key (config.c checks that
 * every transfer.notify key is declared).
 */
static int
job_set_key(struct job *j, const struct config *cfg, const char *name)
{
	const struct config_key *k = NULL;
	size_t i;

	memset(&j->key, 0, sizeof(j->key));
	if (name == NULL)
		return 0;
	for (i = 0; i < cfg->nkeys; i++)
		if (strcmp(cfg->keys[i].name, name) == 0)
			k = &cfg->keys[i];
	if (k == NULL || k->secret_len > sizeof(j->key_secret) ||
	    name_wire(k->name, j->key_name, &j->key.name_len) < 0 ||
	    tsig_algorithm(k->algorithm, &j->key.alg, &j->key.alg_len) < 0)
		return -EINVAL;
	memcpy(j->key_secret, k->secret, k->secret_len);
	j->key.name = j->key_name;
	j->key.secret = j->key_secret;
	j->key.secret_len = k->secret_len;
	return 0;
}

static void
job_remove(struct notify *n, size_t i)
{
	job_free(n->jobs[i]);
	n->jobs[i] = n->jobs[--n->njobs];
}

static int
socket_for(struct notify *n, int family)
{
	return family == AF_INET6 ? n->fd6 : n->fd4;
}

static void
job_send(struct job *j)
{
	struct notify *n = j->n;
	char zone[NAME_TEXT];
	int fd = socket_for(n, j->addr.ss_family);

	struct tsig_signer signer;
	const uint8_t *msg = j->msg;
	int len = (int)j->len;

	j->tries++;
	n->stats.sent++;
	name_text(j->apex, j->apex_len, zone, sizeof(zone));
	if (j->key.name != NULL) {
		/* Signed afresh each time: Time Signed is now. */
		memcpy(j->out, j->msg, j->len);
		tsig_signer_init(&signer, &j->key, NULL, 0, 0);
		len = tsig_sign(&signer, j->out, j->len, j->len +
				tsig_sign_len(&j->key), (uint64_t)time(NULL));
		msg = j->out;
	}
	log_debug("NOTIFY %s serial %u to %s%s (try %d)", zone, j->serial,
		  j->text, j->key.name != NULL ? ", signed" : "", j->tries);
	if (len < 0)
		log_error("NOTIFY %s to %s: cannot sign it (%s)", zone,
			  j->text, strerror(-len));
	else if (fd >= 0 && sendto(fd, msg, (size_t)len, 0,
				   (const struct sockaddr *)&j->addr,
				   j->addrlen) < 0)
		log_debug("NOTIFY %s to %s: %s", zone, j->text,
			  strerror(errno));
	ev_timer_set(&j->retry, j->wait, 0.);
	ev_timer_start(n->loop, &j->retry);
	j->wait = j->wait * 2 > MAX_WAIT ? MAX_WAIT : j->wait * 2;
}

static void
retry_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct job *j = (struct job *)(void *)((char *)w -
					       offsetof(struct job, retry));
	struct notify *n = j->n;
	char zone[NAME_TEXT];
	size_t i;

	if (j->tries < NOTIFY_TRIES) {
		/* A callback before this one may have run long: the next
		 * try is timed from now, not from the loop's turn. */
		ev_now_update(loop);
		job_send(j);
		return;
	}
	n->stats.failed++;
	log_warning("NOTIFY %s serial %u to %s: no answer after %d tries; "
		    "the secondary will find the change at its next SOA "
		    "refresh", name_text(j->apex, j->apex_len, zone,
					 sizeof(zone)), j->serial, j->text,
		    j->tries);
	for (i = 0; i < n->njobs; i++)
		if (n->jobs[i] == j) {
			job_remove(n, i);
			break;
		}
}

/* Start (or restart, with a new ID) the NOTIFY of @z to target @t. */
static int
job_start(struct notify *n, const struct zone *z,
	  const struct config_notify *t)
{
	uint8_t *out = NULL;
	struct job *j = NULL;
	struct job **v = NULL;
	uint8_t *msg = NULL;
	size_t i;

	if ((msg = malloc(z->len)) == NULL)
		return -ENOMEM;
	memcpy(msg, z->msg, z->len);
	for (i = 0; i < n->njobs; i++) {
		j = n->jobs[i];
		if (j->apex_len == z->apex_len &&
		    memcmp(j->apex, z->apex, z->apex_len) == 0 &&
		    j->addrlen == t->addrlen &&
		    memcmp(&j->addr, &t->addr, t->addrlen) == 0)
			break;
	}
	if (i == n->njobs) {
		if ((v = realloc(n->jobs, (n->njobs + 1) * sizeof(*v))) ==
		    NULL || (j = calloc(1, sizeof(*j))) == NULL) {
			if (v != NULL)
				n->jobs = v;
			free(msg);
			return -ENOMEM;
		}
		n->jobs = v;
		n->jobs[n->njobs++] = j;
		j->n = n;
		ev_init(&j->retry, retry_cb);
		memcpy(j->apex, z->apex, z->apex_len);
		j->apex_len = z->apex_len;
		j->addr = t->addr;
		j->addrlen = t->addrlen;
		snprintf(j->text, sizeof(j->text), "%s", t->text);
	}
	ev_timer_stop(n->loop, &j->retry);
	if (job_set_key(j, n->cfg, t->key) < 0) {
		log_error("NOTIFY to %s: key %s is not declared in keys:",
			  t->text, t->key);
		free(msg);
		return 0;
	}
	if (j->key.name != NULL &&
	    (out = malloc(z->len + tsig_sign_len(&j->key))) == NULL) {
		free(msg);
		return -ENOMEM;
	}
	free(j->out);
	j->out = out;
	free(j->msg);
	j->msg = msg;
	j->len = z->len;
	j->serial = z->serial;
	j->id = random_id();
	j->msg[0] = (uint8_t)(j->id >> 8);
	j->msg[1] = (uint8_t)j->id;
	j->tries = 0;
	j->wait = FIRST_WAIT;
	job_send(j);
	return 0;
}

/* Send every queued zone to every target: the window starts now. */
static void
send_queued(struct notify *n)
{
	size_t i, k;

	/* Fresh: ev_now() is the loop's turn, stale after a long callback
	 * (the window and the retries would start in the past). */
	ev_now_update(n->loop);
	n->last = ev_now(n->loop);
	for (i = 0; i < n->nzones; i++) {
		if (!n->zones[i].queued)
			continue;
		n->zones[i].queued = 0;
		for (k = 0; k < n->ntargets; k++)
			if (job_start(n, &n->zones[i], &n->targets[k]) < 0)
				log_error("NOTIFY: out of memory");
	}
}

static void
coalesce_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	send_queued((struct notify *)(void *)((char *)w -
		    offsetof(struct notify, coalesce)));
}

/* An answer: the job it answers is done. */
static void
read_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct notify *n = w->data;
	struct sockaddr_storage from;
	socklen_t fromlen;
	uint8_t buf[512];
	char zone[NAME_TEXT];
	struct job *j = NULL;
	uint16_t id;
	unsigned rcode;
	ssize_t len;
	size_t i;

	for (;;) {
		fromlen = sizeof(from);
		len = recvfrom(w->fd, buf, sizeof(buf), 0,
			       (struct sockaddr *)&from, &fromlen);
		if (len < 0)
			return;
		/* QR set, opcode NOTIFY. */
		if (len < HEADER || !(buf[2] & 0x80) ||
		    ((buf[2] >> 3) & 0x0f) != OPCODE_NOTIFY)
			continue;
		id = (uint16_t)(buf[0] << 8 | buf[1]);
		rcode = buf[3] & 0x0f;
		for (i = 0; i < n->njobs; i++) {
			j = n->jobs[i];
			if (j->id == id && j->addrlen == fromlen &&
			    memcmp(&j->addr, &from, fromlen) == 0)
				break;
		}
		if (i == n->njobs)
			continue;
		n->stats.answered++;
		name_text(j->apex, j->apex_len, zone, sizeof(zone));
		if (rcode != 0)
			log_warning("NOTIFY %s serial %u to %s: answered with "
				    "rcode %u (%s); check that the secondary "
				    "serves the zone and takes NOTIFY from "
				    "this address", zone, j->serial, j->text,
				    rcode, rcode == 5 ? "REFUSED" :
				    rcode == 9 ? "NOTAUTH" : rcode == 4 ?
				    "NOTIMP" : rcode == 3 ? "NXDOMAIN" :
				    "an error");
		else
			log_debug("NOTIFY %s serial %u to %s: answered", zone,
				  j->serial, j->text);
		job_remove(n, i);
	}
}

static int
open_socket(struct notify *n, int family, ev_io *io, int *fd)
{
	if (*fd >= 0)
		return 0;
	*fd = socket(family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (*fd < 0) {
		log_error("NOTIFY: cannot open a UDP socket (%s): %s",
			  family == AF_INET6 ? "IPv6" : "IPv4",
			  strerror(errno));
		return -1;
	}
	ev_io_init(io, read_cb, *fd, EV_READ);
	io->data = n;
	ev_io_start(n->loop, io);
	return 0;
}

int
notify_new(struct notify **out, struct ev_loop *loop)
{
	struct notify *n = calloc(1, sizeof(*n));

	*out = NULL;
	if (n == NULL)
		return -ENOMEM;
	n->loop = loop;
	n->fd4 = -1;
	n->fd6 = -1;
	n->last = -1e9;
	ev_timer_init(&n->coalesce, coalesce_cb, NOTIFY_COALESCE_MS / 1000.,
		      0.);
	*out = n;
	return 0;
}

static void
free_targets(struct notify *n)
{
	size_t i;

	for (i = 0; i < n->ntargets; i++) {
		free(n->targets[i].text);
		free(n->targets[i].key);
	}
	free(n->targets);
	n->targets = NULL;
	n->ntargets = 0;
}

/* Take the targets of @cfg; on -ENOMEM the old ones stay. */
static int
set_targets(struct notify *n, const struct config *cfg)
{
	struct config_notify *v = NULL;
	size_t i;

	if (cfg->nnotify > 0 &&
	    (v = calloc(cfg->nnotify, sizeof(*v))) == NULL)
		return -ENOMEM;
	for (i = 0; i < cfg->nnotify; i++) {
		v[i] = cfg->notify[i];
		v[i].text = strdup(cfg->notify[i].text);
		v[i].key = cfg->notify[i].key ? strdup(cfg->notify[i].key) :
			NULL;
		if (v[i].text == NULL ||
		    (cfg->notify[i].key != NULL && v[i].key == NULL)) {
			free(v[i].text);
			free(v[i].key);
			while (i-- > 0) {
				free(v[i].text);
				free(v[i].key);
			}
			free(v);
			return -ENOMEM;
		}
	}
	free_targets(n);
	n->targets = v;
	n->ntargets = cfg->nnotify;
	for (i = 0; i < n->ntargets; i++)
		(void)open_socket(n, n->targets[i].addr.ss_family,
				  n->targets[i].addr.ss_family == AF_INET6 ?
				  &n->io6 : &n->io4,
				  n->targets[i].addr.ss_family == AF_INET6 ?
				  &n->fd6 : &n->fd4);
	return 0;
}

/* The zone @apex in n->zones, added when missing; NULL on ENOMEM. */
static struct zone *
zone_get(struct notify *n, const uint8_t *apex, size_t len)
{
	struct zone *v = NULL;
	size_t i;

	for (i = 0; i < n->nzones; i++)
		if (n->zones[i].apex_len == len &&
		    memcmp(n->zones[i].apex, apex, len) == 0)
			return &n->zones[i];
	if ((v = realloc(n->zones, (n->nzones + 1) * sizeof(*v))) == NULL)
		return NULL;
	n->zones = v;
	v = &n->zones[n->nzones++];
	memset(v, 0, sizeof(*v));
	memcpy(v->apex, apex, len);
	v->apex_len = len;
	return v;
}

/*
 * The NOTIFY of @apex with the SOA RRset @soa: header (ID 0 until
 * sent), question, answer.
 */
static int
zone_set(struct zone *z, const struct table_rrset *soa)
{
	size_t len = HEADER + z->apex_len + 4 + soa->len;
	uint8_t *m = malloc(len);
	uint8_t *p = NULL;

	if (m == NULL)
		return -ENOMEM;
	memset(m, 0, HEADER);
	m[2] = (uint8_t)(OPCODE_NOTIFY << 3 | 0x04);	/* AA */
	m[5] = 1;					/* QDCOUNT */
	m[7] = 1;					/* ANCOUNT */
	p = m + HEADER;
	memcpy(p, z->apex, z->apex_len);
	p += z->apex_len;
	*p++ = 0;
	*p++ = TYPE_SOA;
	*p++ = 0;
	*p++ = CLASS_IN;
	/* The SOA's owner is a pointer to offset 12: the question's name. */
	memcpy(p, soa->wire, soa->len);
	free(z->msg);
	z->msg = m;
	z->len = len;
	z->serial = table_soa_serial(soa);
	z->queued = 1;
	return 0;
}

int
notify_update(struct notify *n, const struct config *cfg,
	      const struct table *prev, const struct table *next)
{
	const struct table_zone *nz = NULL;
	const struct table_zone *pz = NULL;
	const struct table_rrset *soa = NULL;
	const uint8_t *apex = NULL;
	struct zone *z = NULL;
	size_t len, off, i;
	int rc = 0, queued = 0;
	ev_tstamp wait;

	/* Called after the publishing work of a long callback: ev_now()
	 * would be its start, making a quiet window look busy. */
	ev_now_update(n->loop);
	n->cfg = cfg;
	if (set_targets(n, cfg) < 0)
		rc = -ENOMEM;
	if (n->ntargets == 0)
		return rc;
	for (i = 0; (nz = table_zone_at(next, i)) != NULL; i++) {
		apex = table_zone_apex(nz, &len);
		soa = table_zone_soa(next, nz);
		if (soa == NULL)
			continue;
		if (prev != NULL &&
		    (pz = table_find_zone(prev, apex, len, &off)) != NULL &&
		    off == 0 && table_soa_serial(table_zone_soa(prev, pz)) ==
		    table_soa_serial(soa))
			continue;
		if ((z = zone_get(n, apex, len)) == NULL ||
		    zone_set(z, soa) < 0) {
			rc = -ENOMEM;
			continue;
		}
		queued = 1;
	}
	/* After a quiet window at once (at start-up on the loop's first
	 * turn, once the server listens), before the caller's other work;
	 * else at the window's end, with whatever else changes meanwhile. */
	if (queued && !ev_is_active(&n->coalesce)) {
		wait = n->last + NOTIFY_COALESCE_MS / 1000. - ev_now(n->loop);
		if (wait <= 0. && prev != NULL) {
			send_queued(n);
		} else {
			ev_timer_set(&n->coalesce, wait > 0. ? wait : 0., 0.);
			ev_timer_start(n->loop, &n->coalesce);
		}
	}
	return rc;
}

void
notify_stats(const struct notify *n, struct notify_stats *out)
{
	*out = n->stats;
}

void
notify_free(struct notify *n)
{
	size_t i;

	if (n == NULL)
		return;
	ev_timer_stop(n->loop, &n->coalesce);
	for (i = 0; i < n->njobs; i++)
		job_free(n->jobs[i]);
	free(n->jobs);
	for (i = 0; i < n->nzones; i++)
		free(n->zones[i].msg);
	free(n->zones);
	free_targets(n);
	if (n->fd4 >= 0) {
		ev_io_stop(n->loop, &n->io4);
		close(n->fd4);
	}
	if (n->fd6 >= 0) {
		ev_io_stop(n->loop, &n->io6);
		close(n->fd6);
	}
	free(n);
}
