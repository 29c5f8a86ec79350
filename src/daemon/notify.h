/* SPDX-License-Identifier: MIT */
/*
 * notify.h -- NOTIFY (RFC 1996) to the secondaries of transfer.notify.
 *
 * Whenever a published table changes the SOA serial of a zone (or adds a
 * zone), every transfer.notify target gets one NOTIFY for it over UDP:
 * opcode NOTIFY, AA, a random ID, the question <zone> SOA IN and the new
 * SOA in the answer section (the "hint" NSD and Knot compare with the
 * serial they hold).  At start-up every zone is notified once: a
 * secondary that already has the serial ignores it.
 *
 * One NOTIFY per zone per burst of changes, at most one every
 * NOTIFY_COALESCE_MS (100 ms): a change after a quiet window is sent by
 * notify_update() itself (at start-up, @prev NULL, on the loop's first
 * turn), so that the secondaries hear of it at once; a change within
 * the window of the last sending waits for its end, and every zone
 * changed until then is sent once, with the newest SOA.
 *
 * A NOTIFY is resent until a target answers
 * it (same ID, QR and opcode NOTIFY, from the target's address and port),
 * after 1 s, then twice as long each time up to 60 s, NOTIFY_TRIES times
 * in all (about 5 minutes); then a warning says the target never
 * answered.  A newer serial for the zone replaces the NOTIFY being
 * retried (new ID, tries afresh).  An answer with an error rcode stops
 * the retries too, and is logged (the secondary does not have the zone,
 * or does not take NOTIFY from us).
 *
 * A target that names a key (transfer.notify {address:, key:}) gets its
 * NOTIFY signed with that key of keys: (TSIG, RFC 8945, dns/tsig.h),
 * afresh at every try so that Time Signed is current.  The answer is
 * matched by ID, opcode and address; its TSIG is not checked.
 *
 * Runs on the loop it is given (the main thread's); everything it needs
 * from a table is copied by notify_update(), so tables may be freed right
 * after; the config must live until the next notify_update() (the keys
 * are read when the coalescing timer fires).  Incoming NOTIFY is not handled here: answer.c answers it as
 * before.
 */
#ifndef MESHDNS_NOTIFY_H
#define MESHDNS_NOTIFY_H

#include <ev.h>

#include "build/config.h"
#include "dns/table.h"

#define NOTIFY_COALESCE_MS	100
#define NOTIFY_TRIES		10

struct notify;

/* A sender on @loop; nothing is sent before notify_update().  0, -ENOMEM. */
int notify_new(struct notify **out, struct ev_loop *loop);

/*
 * @next is being published with @cfg (its transfer.notify targets are
 * taken from now on); @prev is the table it replaces, NULL at start-up.
 * Queues a NOTIFY of every zone of @next whose SOA serial differs from
 * @prev's, or that @prev lacks, and sends it now when the window allows
 * (above).  Returns 0; -ENOMEM (what could be queued
 * is) and the caller logs it; a socket that cannot be opened is logged
 * here.
 */
int notify_update(struct notify *n, const struct config *cfg,
		  const struct table *prev, const struct table *next);

/*
 * For tests and the log: NOTIFYs sent (first tries and retries), answered,
 * and given up.
 */
struct notify_stats {
	unsigned long long sent, answered, failed;
};
void notify_stats(const struct notify *n, struct notify_stats *out);

/* Stop every watcher and free; NULL is a no-op. */
void notify_free(struct notify *n);

#endif
