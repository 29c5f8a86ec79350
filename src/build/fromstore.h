/* SPDX-License-Identifier: MIT */
/*
 * fromstore.h -- what a build takes from Kuma's store (store:, --store).
 *
 * The rows: from whoever follows the store (build_options.load_store, the
 * daemon's source), else read once here (-t, --status).  The VIPs: with a
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

/*
 * Load the store's rows into @set when @cfg names a store; *@digest is
 * their digest (0 without a store), @legacy the VIPs Kuma recorded for
 * legacy .mesh names.  A store that cannot be read is an
 * error in @diags ("store: cannot connect to the store: ...").  Returns 0
 * or -ENOMEM.
 */
int fromstore_load(struct resource_set *set, const struct config *cfg,
		   const struct build_options *opt, struct diag_list *diags,
		   uint64_t *digest, struct store_legacy_vips *legacy);

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
