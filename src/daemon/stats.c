/* SPDX-License-Identifier: MIT */
/* stats.c -- the server's counters and the SIGUSR1 line. */
#include "autoconfig.h"

#include <errno.h>
#include <stdio.h>
#include <time.h>

#include "daemon/stats.h"
#include "util/log.h"

void
stats_count(struct stats_worker *w, enum answer_outcome o)
{
	switch (o) {
	case ANSWER_DROP:
		stats_add(&w->dropped, 1);
		break;
	case ANSWER_AUTH:
	case ANSWER_XFR:	/* a zone transfer */
		stats_add(&w->authoritative, 1);
		break;
	case ANSWER_HIDDEN:
		stats_add(&w->hidden, 1);
		break;
	case ANSWER_REFUSED:
		stats_add(&w->refused, 1);
		break;
	case ANSWER_ERROR:
		stats_add(&w->errors, 1);
		break;
	case ANSWER_SEARCH_NXDOMAIN:
		stats_add(&w->search_nxdomain, 1);
		break;
	case ANSWER_CHAOS:
		stats_add(&w->chaos, 1);
		break;
	case ANSWER_FORWARD:
		stats_add(&w->forwarded, 1);
		break;
	}
}

static enum stats_type
type_index(unsigned t)
{
	switch (t) {
	case 1: return STATS_TYPE_A;
	case 28: return STATS_TYPE_AAAA;
	case 5: return STATS_TYPE_CNAME;
	case 33: return STATS_TYPE_SRV;
	case 16: return STATS_TYPE_TXT;
	case 12: return STATS_TYPE_PTR;
	case 2: return STATS_TYPE_NS;
	case 6: return STATS_TYPE_SOA;
	case 15: return STATS_TYPE_MX;
	case 255: return STATS_TYPE_ANY;
	case 65: return STATS_TYPE_HTTPS;
	case 64: return STATS_TYPE_SVCB;
	case 257: return STATS_TYPE_CAA;
	case 35: return STATS_TYPE_NAPTR;
	case 43: return STATS_TYPE_DS;
	case 48: return STATS_TYPE_DNSKEY;
	case 252: return STATS_TYPE_AXFR;
	case 251: return STATS_TYPE_IXFR;
	default: return STATS_TYPE_OTHER;
	}
}

const char *
stats_type_name(enum stats_type t)
{
	static const char *const names[STATS_NTYPES] = {
		"A", "AAAA", "CNAME", "SRV", "TXT", "PTR", "NS", "SOA", "MX",
		"ANY", "HTTPS", "SVCB", "CAA", "NAPTR", "DS", "DNSKEY", "AXFR",
		"IXFR", "other",
	};

	return (unsigned)t < STATS_NTYPES ? names[t] : "other";
}

const char *
stats_rcode_name(unsigned r)
{
	static const char *const names[STATS_NRCODES] = {
		"NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN", "NOTIMP",
		"REFUSED", "YXDOMAIN", "YXRRSET", "NXRRSET", "NOTAUTH",
		"NOTZONE", "DSOTYPENI", "RCODE12", "RCODE13", "RCODE14",
		"RCODE15", "BADVERS",
	};

	return r < STATS_NRCODES ? names[r] : "other";
}

double
stats_bucket_le(unsigned i)
{
	return 0.00025 * (double)(1ULL << i);
}

void
stats_request(struct stats_worker *w, int tcp, int v6, const uint8_t *q,
	      size_t len)
{
	enum stats_type t = STATS_TYPE_OTHER;
	size_t i = 12;

	/* The first question's name, label by label, then its type. */
	if (len > 12 && (q[4] | q[5]) != 0) {
		while (i < len && q[i] != 0 && (q[i] & 0xc0) == 0)
			i += 1 + (size_t)q[i];
		if (i + 2 < len && q[i] == 0)
			t = type_index(((unsigned)q[i + 1] << 8) | q[i + 2]);
	}
	stats_add(&w->requests[tcp != 0][v6 != 0][t], 1);
}

void
stats_response(struct stats_worker *w, const uint8_t *resp, size_t len,
	       enum answer_outcome o)
{
	unsigned r;

	if (len < 12)
		return;
	r = resp[3] & 0x0f;
	if (r == 0 && o == ANSWER_ERROR)
		r = STATS_RCODE_BADVERS;
	stats_add(&w->rcodes[r], 1);
}

void
stats_duration(struct stats_worker *w, uint64_t n, uint64_t ns)
{
	unsigned i = 0;

	/* 250 us, doubling: the first bucket whose bound is not below. */
	while (i < STATS_NBUCKETS && ns > (250000ULL << i))
		i++;
	stats_add(&w->duration_buckets[i], n);
	stats_add(&w->duration_ns, n * ns);
}

void
stats_tick(struct stats_worker *w)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	atomic_store_explicit(&w->tick, (int64_t)ts.tv_sec,
			      memory_order_relaxed);
}

void
stats_sum(struct stats *out, const struct stats_worker *w)
{
	int64_t tick = atomic_load(&w->tick);
	size_t i;
	size_t j;
	size_t k;

	out->udp_queries += atomic_load(&w->udp_queries);
	out->tcp_queries += atomic_load(&w->tcp_queries);
	out->authoritative += atomic_load(&w->authoritative);
	out->hidden += atomic_load(&w->hidden);
	out->refused += atomic_load(&w->refused);
	out->errors += atomic_load(&w->errors);
	out->dropped += atomic_load(&w->dropped);
	out->search_nxdomain += atomic_load(&w->search_nxdomain);
	out->chaos += atomic_load(&w->chaos);
	out->forwarded += atomic_load(&w->forwarded);
	out->tcp_connections += atomic_load(&w->tcp_connections);
	out->tcp_closed_for_room += atomic_load(&w->tcp_closed_for_room);
	for (i = 0; i < 2; i++)
		for (j = 0; j < 2; j++)
			for (k = 0; k < STATS_NTYPES; k++)
				out->requests[i][j][k] +=
					atomic_load(&w->requests[i][j][k]);
	for (i = 0; i < STATS_NRCODES; i++)
		out->rcodes[i] += atomic_load(&w->rcodes[i]);
	for (i = 0; i <= STATS_NBUCKETS; i++)
		out->duration_buckets[i] +=
			atomic_load(&w->duration_buckets[i]);
	out->duration_ns += atomic_load(&w->duration_ns);
	if (tick < out->oldest_tick)
		out->oldest_tick = tick;
	out->dnstap_dropped += atomic_load(&w->dnstap_dropped);
}

void
stats_sum_forward(struct stats *out, const struct forward_stats *f)
{
	out->forward.queries += f->queries;
	out->forward.answers += f->answers;
	out->forward.timeouts += f->timeouts;
	out->forward.failovers += f->failovers;
	out->forward.tcp_retries += f->tcp_retries;
	out->forward.servfails += f->servfails;
	out->forward.overloaded += f->overloaded;
	out->forward.dropped_mismatch += f->dropped_mismatch;
	out->forward.in_flight += f->in_flight;
}

int
stats_format(const struct stats *st, char *buf, size_t size)
{
	int n;

	n = snprintf(buf, size, "stats, queries udp %llu tcp %llu, "
		     "authoritative %llu, hidden %llu, refused %llu, errors "
		     "%llu, dropped %llu, search-nxdomain %llu, chaos %llu, "
		     "forwarded %llu (answers %llu, timeouts %llu, failovers "
		     "%llu, tcp-retries %llu, servfails %llu, in-flight %llu), "
		     "tcp connections %llu (closed for room %llu)",
		     (unsigned long long)st->udp_queries,
		     (unsigned long long)st->tcp_queries,
		     (unsigned long long)st->authoritative,
		     (unsigned long long)st->hidden,
		     (unsigned long long)st->refused,
		     (unsigned long long)st->errors,
		     (unsigned long long)st->dropped,
		     (unsigned long long)st->search_nxdomain,
		     (unsigned long long)st->chaos,
		     (unsigned long long)st->forwarded,
		     (unsigned long long)st->forward.answers,
		     (unsigned long long)st->forward.timeouts,
		     (unsigned long long)st->forward.failovers,
		     (unsigned long long)st->forward.tcp_retries,
		     (unsigned long long)st->forward.servfails,
		     (unsigned long long)st->forward.in_flight,
		     (unsigned long long)st->tcp_connections,
		     (unsigned long long)st->tcp_closed_for_room);
	if (n < 0 || (size_t)n >= size)
		return -ENOSPC;
	return 0;
}

void
stats_log(const struct stats *st)
{
	char line[1024];

	stats_format(st, line, sizeof(line));
	log_notice("%s", line);
}
