/* SPDX-License-Identifier: MIT */
/*
 * build.h -- one build: config + resources -> an immutable snapshot.
 *
 * A build reads the config file (with the command line's overrides on
 * top), every resource path, compiles the HostnameGenerator templates,
 * generates hostnames, allocates VIPs from the previous state and compiles
 * the answer table into a snapshot (snapshot.h).  It never touches the
 * snapshot being served; the caller publishes the result (reload.h) or
 * prints it (status.h).
 */
#ifndef MESHDNS_BUILD_H
#define MESHDNS_BUILD_H

#include <stdint.h>

#include "build/config.h"
#include "util/diag.h"
#include "kuma/generate.h"
#include "kuma/hostname.h"
#include "kuma/resource.h"
#include "kuma/resource_units.h"
#include "kuma/store.h"
#include "dns/table.h"
#include "build/state.h"
#include "build/vip.h"

/* What the command line says; every field set here beats the file. */
struct build_options {
	const char *config_file;	/* NULL: defaults only */
	char **listen;			/* -l, or NULL (config_parse_listen()
					 * reads each) */
	size_t nlisten;
	char **resources;		/* -r, or NULL */
	size_t nresources;
	const char *state_file;		/* -s, or NULL */
	char **upstreams;		/* -u, or NULL */
	size_t nupstreams;
	const char *store;		/* --store CONNINFO, or NULL */
	/*
	 * Where a build gets the store's rows: calls @fn(@fnarg, rows) with
	 * the rows it holds (kuma/store.h; they do not change during the
	 * call) and returns what @fn returned.  NULL with a store
	 * configured: the build reads the store once itself (-t, --status).
	 */
	int (*with_store_rows)(void *arg,
			       int (*fn)(void *fnarg,
					 const struct store_rows *rows),
			       void *fnarg);
	void *store_arg;
	int verbosity;			/* number of -v */
	int keep_specs;			/* keep each resource's YAML spec, for
					 * status output (memory: several
					 * times the input) */
	uint64_t program_digest;	/* this binary and its command line,
					 * for the start-up cache's key */
};

/*
 * The VIPs of a service or a legacy name; netaddr_is_set() says which
 * there are.  @vip is from the kind's pool (vip.pools: IPv4 unless the
 * pool is an IPv6 CIDR) or the address the service pins; @vip6 is from the
 * kind's IPv6 pool (dns.aaaa: pool).  A name is served only with @vip.
 */
struct build_vips {
	struct netaddr vip;
	struct netaddr vip6;
};

/*
 * One service-like resource (MeshExternalService, MeshService or
 * MeshMultiZoneService) with its computed status.
 */
struct build_service {
	enum resource_kind kind;
	const struct resource_meta *meta;	/* borrowed: set or generate */
	const struct resource_mesh_service *res;	/* MeshService, or NULL */
	const struct resource_mesh_external_service *mes;	/* or NULL */
	const struct resource_mesh_multi_zone_service *mzs;	/* or NULL */
	/* Borrowed from the generate result (snapshot.gen): */
	const struct generate_condition *conditions;	/* MeshService's */
	size_t nconditions;
	const struct generate_mzs_match *matches;	/* an MZS's */
	size_t nmatches;
	struct hostname_result hostnames;
	/*
	 * The shared result (hostname.h hostname_block_share()) that
	 * @hostnames is a copy of: snapshots share the names of a service
	 * a change did not touch.  Neither owns anything nor holds a
	 * reference: the result lives in one of the snapshot's blocks
	 * (snapshot.blocks), which hold them.  Every service of a built
	 * snapshot has one.
	 */
	const struct hostname_result *names;
	struct build_vips vips;
	char *vip_error;		/* why there is no VIP, or NULL; owned
					 * (snapshot.vip_errors counts them) */
};

/*
 * A block of shared results (hostname.h) a snapshot's services' names
 * live in: one reference held, and how many of its services' @names
 * are in it (never 0 in a built snapshot).
 */
struct build_block {
	struct hostname_block *block;
	size_t count;
};

/*
 * What an apply's walks over every service read of it, apart
 * (snapshot.service_keys, one per service, in the same order): 16 bytes
 * each, where a walk over the services themselves would stream 176 bytes
 * a service (17 MB at 100,000) and reach each resource besides.
 */
struct build_service_key {
	uint64_t doc;		/* the document's digest and kind, hashed;
				 * 0: generated (no document) */
	const char *mesh;	/* meta->mesh (interned) */
};

/* A legacy <kuma.io/service>.mesh name and its VIP. */
struct build_legacy {
	const char *mesh;		/* borrowed from the generate result */
	const char *service;
	struct build_vips vips;
};

/*
 * The names the services of a snapshot claim, for build_apply()
 * (snapshot->names); opaque.  Freed with the snapshot (NULL: no-op).
 */
struct build_names;
void build_names_free(struct build_names *x);

/*
 * Where a build's time went (wall clock), for the log: reading and
 * checking the resource files, Kuma's derived resources and labels,
 * hostnames (templates and claims), VIPs, and the answer table.
 */
enum build_phase {
	BUILD_PHASE_READ = 0,
	BUILD_PHASE_RESOURCES,
	BUILD_PHASE_NAMES,
	BUILD_PHASE_VIPS,
	BUILD_PHASE_TABLE,
	BUILD_NPHASES
};


struct snapshot;

/*
 * Run one build.  @prev is the state to allocate from (the previous
 * snapshot's, or the state file's); it is not modified.  @now is the
 * time in seconds since the epoch.
 *
 * Diagnostics go to @diags.  A config that cannot be read is fatal:
 * -1, *out NULL.  Otherwise a snapshot is returned even when resources or
 * templates had errors (they are left out, errors > 0, and no VIP is
 * released); the caller decides whether such a snapshot may be served.
 * -ENOMEM on allocation failure.
 */
int build_run(struct snapshot **out, const struct build_options *opt,
	      const struct state *prev, int64_t now,
	      struct diag_list *diags);

/* A resource file or directory that changed: resources[@group]'s. */
struct build_path {
	size_t group;		/* the index of its -r path (cfg->resources) */
	char *path;		/* as the walk spells it: "dir/sub/a.yaml" */
};

/*
 * What a build reads its resources through, between builds.  @units are
 * the files as the last build read them (resource_units.h), or NULL.
 * When they were read for the same paths, zone and options, only the
 * @changed paths are read again (resource_units_sync(): a file that reads
 * with an error keeps its last good content, and its messages go to
 * @kept, not to the build's diagnostics), @units are updated in place and
 * what changed is appended to @changes (may be NULL).  Otherwise, or with
 * @full, every path is read into new units, which the snapshot keeps
 * (snapshot->units) for the caller to take.
 */
struct build_input {
	struct resource_units *units;
	int full;
	const struct build_path *changed;
	size_t nchanged;
	struct diag_list *kept;		/* NULL: into the diagnostics */
	struct resource_changes *changes;
	int nothing;			/* out: neither @changed nor the
					 * store's rows changed a resource;
					 * no build ran, *out is NULL */
	/*
	 * The snapshot built from @units as they were before every change
	 * in @changes (the one served, untrimmed), or NULL.  With it, a
	 * build that read only the @changed paths is build_apply()'s from
	 * it, @changes being the whole list of what differs (the caller
	 * keeps there what a build it did not publish changed); a build
	 * that read every path is a full one.  Either way the snapshot's
	 * full_reason says why it was not incremental.
	 */
	const struct snapshot *base;
	/*
	 * With a store: the number of the last change of its rows @units
	 * hold (store_rows_seq(); 0 for none); only the rows changed since
	 * are read again (the store's units: fromstore.h).  Out: the one
	 * @units hold now (new units: snapshot->store_seq).
	 */
	uint64_t store_seq;
};

/*
 * build_run() through @in (NULL: every path read, as build_run() does).
 * Same results; also 0 with *out NULL when @in->nothing is set.
 */
int build_run_input(struct snapshot **out, const struct build_options *opt,
		    struct build_input *in, const struct state *prev,
		    int64_t now, struct diag_list *diags);

/*
 * build_run() once the config is loaded and the resources are read:
 * @cfg and @set (loaded, not finished) are taken over (freed on failure
 * too); for a SIGHUP that re-reads nothing.  Errors as build_run()'s;
 * the read phase's time is 0.  A config that names a store (store:,
 * --store) is -ENOTSUP with an error in @diags, @cfg and @set freed: the
 * store's rows (Kuma's VIPs of legacy names, the store's digest) come
 * through build_run_input() only.
 */
int build_from_set(struct snapshot **out, struct config *cfg,
		   struct resource_set *set, const struct state *prev,
		   uint64_t program, int64_t now, struct diag_list *diags);

/*
 * The next snapshot after @prev, from @cfg and @set (the whole new input,
 * loaded and not finished; both taken over, freed on failure too), when
 * @changes say what differs from @prev's input.  It gives exactly what
 * build_from_set(..., prev->state, ...) would -- the same table, state
 * and status -- but takes the names and VIPs of the services the changes
 * do not touch from @prev, which must still hold its per-service results
 * (not trimmed, not from the start-up cache).  MeshService,
 * MeshExternalService, MeshMultiZoneService and Dataplane changes are
 * applied incrementally; any other kind, a changed config, or a previous
 * build with errors is a full build (s->full_reason says which; so does a
 * case a full build decides differently: a collision involving a changed
 * service, a contested pinned address, a service that had no VIP).
 * @prev is only read.  Errors as build_run()'s; a store is -ENOTSUP, as
 * for build_from_set().
 *
 * The answer table is a patch of @prev's (dns/table_patch.h) that
 * resets the names of the services whose records change, when nothing
 * else in it changes: no views (Dataplanes with reachable backends, two
 * meshes or more with Dataplanes, views.unknown-clients: none), the same
 * meshes and legacy names, and not more than 64 + 1/16 of the services
 * changed (one only moved in the list by a change before it does not
 * count), and no reset name holds a dns.ns address or is in the catalog
 * zone (transfer.catalog); else it is compiled whole (s->table_reason
 * says why).  The glue and catalog records, from the unchanged config,
 * are the previous table's.  The resource set is made from @prev's
 * (resource_set_apply(): s->kuma_incremental) unless a change is of a
 * Mesh, a duplicate or an added Dataplane without a creation time, and
 * then the derived resources from @prev's (generate_apply(): unless
 * s->generate_reason says why they were derived whole).
 */
int build_apply(struct snapshot **out, const struct snapshot *prev,
		struct config *cfg, struct resource_set *set,
		const struct resource_change *changes, size_t nchanges,
		uint64_t program, int64_t now, struct diag_list *diags);

/*
 * Load the config only (file + overrides), for start-up decisions such as
 * where the state file is.  Same errors as build_run's config step.
 */
int build_load_config(struct config **out, const struct build_options *opt,
		      struct diag_list *diags);

/*
 * The state key of a service: "<Kind>/<mesh>/<name>[.<namespace>]",
 * e.g. "MeshService/default/redis".  0, or -1 when @size is too small.
 */
int build_service_key(const struct resource_meta *meta, char *buf,
		      size_t size);

/*
 * The digest of a build's inputs but the state: @program (see
 * build_options), the config file's bytes and @resources, the digest of
 * the resource files (resource_set_digest()).  Every input a build reads
 * must be part of it: one left out would let the start-up cache answer
 * for inputs that changed.
 */
uint64_t build_inputs_digest(uint64_t program, const struct config *cfg,
			     uint64_t resources);

/*
 * build_inputs_digest() of the files as they are now on disk, without a
 * build: 0, -1 when a resource path cannot be read or walked cleanly (no
 * cache then), -ENOMEM.
 */
int build_inputs_on_disk(uint64_t program, const struct config *cfg,
			 uint64_t *out);

/*
 * After the state file was saved (or found unchanged): may @s be written
 * to the start-up cache?  Yes when the config wants the cache, there is a
 * state file, the build had no error, @program is known and so is
 * @state_digest, the digest of the state s->state is, as the state file
 * and its journal hold it (state_save()'s when it saved it, else the
 * previous snapshot's, or state_load()'s at start; 0: unknown).  Sets s->state_digest and
 * s->cacheable.
 */
void build_mark_cacheable(struct snapshot *s, uint64_t program,
			  uint64_t state_digest);

/* The start-up cache's key: build_inputs_digest() and the state's. */
uint64_t build_cache_key(uint64_t inputs, uint64_t state_digest);

/* A monotonic clock in microseconds: the one the phase times use. */
uint64_t build_clock_us(void);

/* "read", "resources", "names", "vips", "table". */
const char *build_phase_name(enum build_phase phase);

/*
 * "1234 ms (read 800, resources 100, names 150, vips 84, table 100)":
 * the build's phases from @s->phase_us, for the log; under 10 ms in
 * tenths ("1.3 ms (read 0.8, ...)").
 */
void build_format_times(const struct snapshot *s, char *buf, size_t size);

/*
 * "2 zones (+16 reverse)": the zones @s's table serves, the configured
 * ones (dns.zones) apart from the pools' reverse zones, for the log and
 * -t ("1 zone", "2 zones" when there is no reverse zone).
 */
void build_format_zones(const struct snapshot *s, char *buf, size_t size);

#endif
