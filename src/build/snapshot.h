/* SPDX-License-Identifier: MIT */
/*
 * snapshot.h -- what one build made: the config, the answer table and the
 * state it was built with, and the per-service results.
 *
 * build_run() makes a whole snapshot; snapshot_from_cache() makes one that
 * has only what serving needs.  Once the daemon serves a snapshot it may
 * trim it (snapshot_trim()) on its loop while a build on another thread
 * reads the same snapshot's config and state (reload.c): trimming never
 * touches @cfg, @table or @state, only what status output and logging
 * read (reload.c asserts it after every trim).  The snapshot owns
 * everything it points to.
 */
#ifndef MESHDNS_SNAPSHOT_H
#define MESHDNS_SNAPSHOT_H

#include <stddef.h>
#include <stdint.h>

#include "build/build.h"
#include "build/config.h"
#include "build/state.h"
#include "dns/table.h"
#include "dns/table_patch.h"
#include "kuma/generate.h"
#include "kuma/resource.h"

struct snapshot {
	uint64_t generation;		/* set by the publisher */
	struct config *cfg;
	struct resource_set *set;	/* a view of the units read */
	struct resource_units *units;	/* the units a full read made (the
					 * caller may take them for the next
					 * build), else NULL */
	uint64_t store_seq;		/* the store's change @units hold
					 * (build_input.store_seq) */
	struct table *table;
	struct state *state;		/* the state after this build */
	int state_changed;		/* differs from the previous state */
	/*
	 * The per-service results: MeshExternalServices, then MeshServices,
	 * then MeshMultiZoneServices, each in Kuma's order.  NULL and 0 once
	 * trimmed, and in a snapshot from the start-up cache.
	 */
	struct build_service *services;
	size_t nservices;
	struct build_service_key *service_keys;	/* one per service (build.h) */
	/*
	 * The blocks the services' names live in (build.h build_block),
	 * sorted by address, one reference each: a snapshot frees its
	 * names with one unref per block, not per service.  An apply's
	 * are its base's (each referenced again, counts less the services
	 * that changed or went, those at 0 left out) and one of its own
	 * for the names it computed; past 4096 blocks all but the biggest
	 * are folded into one, and so are the sparse ones when the blocks
	 * hold more than twice the results the services use (build.c
	 * blocks_fold()).  NULL and 0 once trimmed.
	 */
	struct build_block *blocks;
	size_t nblocks;
	size_t vip_errors;		/* services with a vip_error: trimming
					 * walks the services only if any */
	size_t service_count;		/* services in this build, for the log
					 * and the cache: nservices, but kept
					 * by snapshot_trim(), and all that a
					 * snapshot from the cache has */
	struct generate_result gen;
	struct build_legacy *legacy;	/* NULL and 0 once trimmed */
	const char **meshes;		/* the meshes with names or clients,
					 * sorted (borrowed from @set and
					 * @gen); NULL once trimmed */
	size_t nmeshes;
	struct build_names *names;	/* the names the services claim, for
					 * the next build_apply() (build.c);
					 * NULL once trimmed */
	size_t nlegacy;
	size_t nviews;			/* clients with a view of their own */
	size_t errors;			/* errors reported by this build */
	size_t warnings;
	uint64_t phase_us[BUILD_NPHASES];	/* microseconds per phase */
	/*
	 * build_apply(): @incremental when the names and VIPs of the
	 * services a change did not touch were the previous snapshot's;
	 * @recomputed services had their names computed afresh (all of them
	 * in a full build), @reallocated VIPs were asked for (services and
	 * legacy names, with their IPv6 twins); @full_reason, a static
	 * string, says why an apply did all of it (NULL otherwise).
	 */
	int incremental;
	size_t recomputed;
	size_t reallocated;
	const char *full_reason;
	/*
	 * An incremental build whose table is a patch of the previous one
	 * (table_patch.h): @table_patched, and @services_reset services
	 * (old and new versions) had their names reset; else @table_reason
	 * says why the table was built in full.
	 */
	int table_patched;
	size_t services_reset;
	const char *table_reason;
	/*
	 * build_apply(): @kuma_incremental when the resource set was made
	 * from the previous one (resource_set_apply()); then the derived
	 * resources too (generate_apply()), unless @generate_reason (static)
	 * says why generate_run() ran in full.
	 */
	int kuma_incremental;
	const char *generate_reason;
	/*
	 * With @table_patched: what changed against the previous table, per
	 * zone (table_patch.h table_changes_*(): RRs removed and added,
	 * serials), for IXFR; NULL when the table was built whole.  Kept by
	 * snapshot_trim().
	 */
	struct table_changes *changes;
	/*
	 * With @incremental: the VIP keys (vip.h) whose assignment may
	 * differ from the one in @vips_from, the state the apply allocated
	 * from (only compared with, never read through): the keys of the
	 * services and legacy names it asked VIPs for or released, "#6"
	 * twins included, in no order.  Any other key's assignment is the
	 * same in both.  NULL and 0 when the VIPs were allocated in full.
	 * snapshot_diff_compute() looks at these keys only.
	 */
	char **vip_keys;
	size_t nvip_keys;
	const struct state *vips_from;
	/*
	 * The start-up cache (cache.h): the digest of what this build read
	 * but the state, the digest of the state file's bytes that @state
	 * is (0: unknown; build_mark_cacheable()), whether the build may be
	 * cached, and whether the table came from the cache (then load_us
	 * says how long that took).
	 */
	uint64_t inputs;
	uint64_t state_digest;
	int cacheable;
	int from_cache;
	uint64_t load_us;
};

/*
 * A snapshot that serves @table, read from the start-up cache, with
 * @cfg and @state; it takes all three over (they are freed on failure
 * too).  @service_count and @nviews are what the log says; it has no
 * per-service results (services NULL, nservices 0).  0 or -ENOMEM.
 */
int snapshot_from_cache(struct snapshot **out, struct config *cfg,
			struct state *state, struct table *table,
			size_t service_count, size_t nviews);

/*
 * Keep only what serving needs (the config, the table and the state):
 * free the resources, their YAML, the generate result and the per-service
 * and legacy results, which only status output and start-up logging read.
 * services/nservices and legacy/nlegacy become NULL and 0; service_count
 * stays.  Never touches cfg, table or state, nor the fields a build
 * reads (inputs, state_digest, errors): a build on another thread may be
 * reading them.  Trimming twice is harmless.
 */
void snapshot_trim(struct snapshot *s);

/*
 * Drop @s's references on its blocks (blocks, nblocks become NULL and
 * 0); its services' names are left pointing into them: the caller
 * clears them or frees the services too.
 */
void snapshot_drop_blocks(struct snapshot *s);

/* Free @s and everything it owns; NULL is a no-op. */
void snapshot_free(struct snapshot *s);

#endif
