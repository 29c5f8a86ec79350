/* SPDX-License-Identifier: MIT */
/* stats.c -- the counters of the server and the SIGUSR1 line. */
#include "autoconfig.h"

#include "daemon/server.h"
#include "daemon/stats.h"
#include "util/log.h"

/* SIGUSR1: the counters, one line. */
void
stats_cb(struct ev_loop *loop, ev_signal *w, int revents)
{
	struct server *srv = w->data;
	struct server_stats st;

	server_stats_get(srv, &st);
	log_notice("stats, queries udp %llu tcp %llu, authoritative %llu, "
		   "hidden %llu, refused %llu, errors %llu, dropped %llu, "
		   "search-nxdomain %llu, chaos %llu, forwarded %llu "
		   "(answers %llu, timeouts %llu, failovers %llu, "
		   "tcp-retries %llu, servfails %llu, in-flight %llu), "
		   "tcp connections %llu (closed for room %llu)",
		   (unsigned long long)st.udp_queries,
		   (unsigned long long)st.tcp_queries,
		   (unsigned long long)st.authoritative,
		   (unsigned long long)st.hidden,
		   (unsigned long long)st.refused,
		   (unsigned long long)st.errors,
		   (unsigned long long)st.dropped,
		   (unsigned long long)st.search_nxdomain,
		   (unsigned long long)st.chaos,
		   (unsigned long long)st.forwarded,
		   (unsigned long long)st.forward.answers,
		   (unsigned long long)st.forward.timeouts,
		   (unsigned long long)st.forward.failovers,
		   (unsigned long long)st.forward.tcp_retries,
		   (unsigned long long)st.forward.servfails,
		   (unsigned long long)st.forward.in_flight,
		   (unsigned long long)st.tcp_connections,
		   (unsigned long long)st.tcp_closed_for_room);
}
