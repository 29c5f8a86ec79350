/* SPDX-License-Identifier: MIT */
/*
 * fuzz_query.c -- a query against a built table, through answer_query().
 *
 * The table is built once, from zones/universal (Dataplanes with
 * reachableBackends, so the table has views).  The first input byte
 * chooses the context: bit 0 the transport (UDP, TCP), bit 1 forwarding,
 * bits 2-4 the client (no address, three Dataplanes with views, an
 * operator, IPv6, an IPv4-mapped IPv6 address, and no table loaded), bits
 * 5-6 the response buffer (512, 1232, 4096, 65535 bytes); the rest is the
 * query.
 */
#include "autoconfig.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "build/build.h"
#include "build/snapshot.h"
#include "build/state.h"
#include "dns/answer.h"
#include "util/diag.h"
#include "fuzz.h"

#define NCLIENTS 8

static struct snapshot *snap;
static struct sockaddr_storage clients[NCLIENTS];
static uint8_t resp[65535];

static void
client4(struct sockaddr_storage *ss, const char *addr)
{
	struct sockaddr_in *sin = (struct sockaddr_in *)ss;

	sin->sin_family = AF_INET;
	sin->sin_port = htons(5353);
	if (inet_pton(AF_INET, addr, &sin->sin_addr) != 1)
		fuzz_die(addr);
}

static void
client6(struct sockaddr_storage *ss, const char *addr)
{
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;

	sin6->sin6_family = AF_INET6;
	sin6->sin6_port = htons(5353);
	if (inet_pton(AF_INET6, addr, &sin6->sin6_addr) != 1)
		fuzz_die(addr);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct build_options opt;
	struct diag_list diags;
	struct state *prev = NULL;

	memset(&opt, 0, sizeof(opt));
	opt.config_file = FUZZ_SRCDIR "/zones/universal/meshdns.conf";
	diag_list_init(&diags);
	if ((prev = state_new()) == NULL)
		fuzz_die("state_new");
	if (build_run(&snap, &opt, prev, 1700000000, &diags) != 0 ||
	    diags.errors != 0 || snap->table == NULL ||
	    table_view_count(snap->table) == 0) {
		fprintf(stderr, "fuzz_query: zones/universal does not build "
			"with views\n");
		abort();
	}
	diag_list_clear(&diags);
	state_free(prev);
	/* clients[0]: no address; 7: no table. */
	client4(&clients[1], "127.0.0.2");	/* web-1 */
	client4(&clients[2], "127.0.0.3");	/* batch-1 */
	client4(&clients[3], "127.0.0.21");	/* test-server-1 */
	client4(&clients[4], "127.0.0.1");	/* no Dataplane */
	client6(&clients[5], "::1");
	client6(&clients[6], "::ffff:127.0.0.2");
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const size_t caps[4] = { 512, 1232, 4096, sizeof(resp) };
	struct answer_query_ctx ctx = { 0 };	/* keys NULL: no TSIG key */
	enum answer_outcome outcome;
	unsigned c;
	size_t n;

	if (size < 1)
		return 0;
	c = (data[0] >> 2) & 7;
	ctx.t = c == 7 ? NULL : snap->table;
	ctx.client = c == 0 || c == 7 ? NULL :
		(const struct sockaddr *)&clients[c];
	ctx.tr = (data[0] & 1) ? ANSWER_TCP : ANSWER_UDP;
	ctx.forwarding = (data[0] & 2) != 0;
	n = answer_query(&ctx, data + 1, size - 1, resp,
			 caps[(data[0] >> 5) & 3], &outcome);
	if (n > caps[(data[0] >> 5) & 3])
		abort();
	if ((n == 0) != (outcome == ANSWER_DROP || outcome == ANSWER_FORWARD ||
			 outcome == ANSWER_XFR))
		abort();
	/* Transfers go to dns/xfr.h over TCP only. */
	if (outcome == ANSWER_XFR && ctx.tr != ANSWER_TCP)
		abort();
	/* Over UDP never more than the client takes (RFC 1035, 6891). */
	if (ctx.tr == ANSWER_UDP && n > answer_udp_limit(data + 1, size - 1))
		abort();
	return 0;
}
