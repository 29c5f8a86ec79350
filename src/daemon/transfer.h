/* SPDX-License-Identifier: MIT */
/*
 * transfer.h -- the zone transfer policy of a running server, made from
 * the config: the TSIG keys (keys:), who may transfer (transfer.allow)
 * and the IXFR journal (transfer.journal).
 *
 * Made once at start (both keys apply at start only) and borrowed by the
 * server's workers (dns/xfr.h, answer_query_ctx.keys) until server_free();
 * transfer_record() is called by the one thread that publishes tables.
 */
#ifndef MESHDNS_TRANSFER_H
#define MESHDNS_TRANSFER_H

#include "build/config.h"
#include "dns/table.h"
#include "dns/xfr.h"

struct transfer;

/*
 * The policy of @cfg.  0, -ENOMEM, or -EINVAL with the reason in @err
 * (a CIDR the config did not check: a bug).
 */
int transfer_new(struct transfer **out, const struct config *cfg, char *err,
		 size_t errsize);

void transfer_free(struct transfer *tr);

/* What the workers use; borrowed from @tr. */
const struct xfr_policy *transfer_policy(const struct transfer *tr);

/*
 * Journal the differences of every zone between @old and @new (before
 * @new is published, so that an IXFR for its serial finds them); logs a
 * failure (the next IXFRs are then answered with the whole zone).
 */
void transfer_record(struct transfer *tr, const struct table *old,
		     const struct table *new);

struct table_changes;

/*
 * As transfer_record(), for a @new patched from @old with the change list
 * @changes (a patched build's snapshot->changes; NULL: built whole): the
 * journal reads the differences at the changed names instead of walking
 * both tables (journal_record_changes()).
 */
void transfer_record_changes(struct transfer *tr, const struct table *old,
			     const struct table *new,
			     const struct table_changes *changes);

#endif
