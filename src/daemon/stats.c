/* SPDX-License-Identifier: MIT */
/* stats.c -- the server's counters and the SIGUSR1 line. */
#include "autoconfig.h"

#include <errno.h>
#include <stdio.h>

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

void
stats_sum(struct stats *out, const struct stats_worker *w)
{
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
