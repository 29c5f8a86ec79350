/* SPDX-License-Identifier: MIT */
/*
 * fromstore.h -- what a build takes from Kuma's store (store:, --store).
 *
 * The rows: from whoever follows the store (build_options.with_store_rows,
 * the daemon's source), else read once here (-t, --status); each row is a
 * unit of the build's resource units (fromstore_load()), so that a
 * notification reads only the rows that changed.  The VIPs: with a
 * store, a service is served with the VIP Kuma's allocator recorded in its
 * status (MeshService status.vips, MeshExternalService status.vip,
 * MeshMultiZoneService status.vips), so that every replica and every
 * sidecar agree; one without is not served until Kuma gives it one, and
 * --status says it waits.  vip.allocate: true lets meshdns allocate as it
 * does for files.
 */
#ifndef MESHDNS_FROMSTORE_H
#define MESHDNS_FROMSTORE_H

#include <stdint.h>

#include "build/build.h"

/* The group of the store's units (resource_units.h): after every -r path's. */
#define FROMSTORE_GROUP SIZE_MAX

/*
 * What fromstore_load() reads the rows into, and says back.  @units:
 * the build's units; @fresh: they are new (every row is read; its
 * messages go to the diagnostics); else only the rows changed since
 * @seq (store_rows_changed_since()) are read again, the units of rows
 * gone removed, their messages go to @kept (NULL: the diagnostics), and
 * when the rows cannot say what changed every store unit is replaced.
 * One unit per row, keyed "<type>/<mesh>/<name>" ("Mesh//default" for
 * the global kinds); what changed is appended to @changes (NULL: not
 * wanted).
 */
struct fromstore_input {
	struct resource_units *units;
	int fresh;
	uint64_t seq;			/* in: as above; out: the rows' */
	struct diag_list *kept;
	struct resource_changes *changes;
	/* Out: */
	int legacy_changed;		/* a Config row (legacy VIPs) changed */
	int everything;			/* every store unit was replaced */
	uint64_t digest;		/* the rows' digest (0: no store) */
	struct store_legacy_vips legacy;	/* Kuma's legacy VIPs */
};

/*
 * Bring the store's units up to date with its rows when @cfg names a
 * store (@in as above), and collect the VIPs Kuma recorded for legacy
 * .mesh names.  A store that cannot be read is an error in @diags
 * ("store: cannot connect to the store: ...").  Returns 0 or -ENOMEM.
 */
int fromstore_load(struct fromstore_input *in, const struct config *cfg,
		   const struct build_options *opt, struct diag_list *diags);

/*
 * Does @bs wait for Kuma's VIP (a store, no vip.allocate, no VIP in its
 * status)?  Then it gets no VIP from meshdns: 1, with bs->vip_error set
 * to say so; 0 otherwise; -ENOMEM.
 */
int fromstore_waits(const struct config *cfg, struct build_service *bs);

/*
 * The same for a legacy name: with a store and no vip.allocate, @l gets
 * the VIP of @legacy (or none: not served): 1; else 0 (allocate).
 */
int fromstore_legacy(const struct config *cfg,
		     const struct store_legacy_vips *legacy,
		     struct build_legacy *l);

#endif
