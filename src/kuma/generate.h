/* SPDX-License-Identifier: MIT */
/*
 * generate.h -- the resources Kuma's zone control plane derives.
 *
 * Given a loaded resource set, derives what a Kuma zone control plane
 * would have created (reference/kuma.md sections 2, 3, 4, 7 and 8), in a
 * result of its own (the set is only read):
 *
 *   - MeshServices from Dataplane inbounds (universal zones only, as in
 *     Kuma, where Kubernetes Dataplanes come from Pods and their
 *     MeshServices from Services): one per distinct inbound tag
 *     kuma.io/service value per mesh (Kuma 2.x), or, with
 *     @workload_labels, one per kuma.io/workload Dataplane label (Kuma 3);
 *     a value that is not an RFC 1035 label is skipped with a warning
 *     ("couldn't generate MeshService from kuma.io/service, contains
 *     invalid characters (value ..., Dataplane ..., mesh ...): <why>");
 *     Kuma's labels, ports, selector; the oldest Dataplane (creation time,
 *     then name; one without a creation time first, and between two
 *     without, the first in the input, as `kumactl apply -f` of the input
 *     would have created them) gives the ports, position and creation
 *     time; when another Dataplane's ports differ (names, order, numbers,
 *     protocols) the MeshService gets a condition
 *     PortConflict/True/PortConflict and each such Dataplane a warning,
 *     both saying
 *       Dataplane "b" has ports [main:8080/tcp] but MeshService "svc"
 *       has the ports of the oldest Dataplane "a" [main:80/tcp]
 *     ("the first Dataplane in the input" when neither has a creation
 *     time, "the Dataplane without a creation time" when only "b" has
 *     one; the condition joins several with "; "); a MeshService already in
 *     the set with the same mesh and name (written by hand) wins
 *     silently;
 *   - MeshServices from Kubernetes Services: ClusterIP Services (the
 *     ClusterIP is the VIP), headless Services (one per Pod endpoint, with
 *     Kuma's hashed name and the Pod IPs as VIPs), TCP ports only (the
 *     others: a warning "Ignored unsupported ports: <names>" at the
 *     Service, when it yields a MeshService); a MeshService already in
 *     the set with the same namespace and name wins silently (Kubernetes
 *     names are unique per namespace, whatever the mesh label);
 *   - synced resources (kuma.io/origin: global: MeshServices,
 *     MeshExternalServices, MeshMultiZoneServices): an unhashed name (no
 *     kuma.io/display-name, or equal to it) is replaced by
 *     generate_hashed_name() and kept in kuma.io/display-name; the status
 *     VIPs are dropped (a synced copy gets a zone-local VIP);
 *   - Kuma's default HostnameGenerators, unless turned off: local-*
 *     ones with their plain names and kuma.io/origin: zone, synced-* ones
 *     under the hashed names a zone receives them by (KDS HashedName, no
 *     mesh: synced-universal-mesh-service-46484vczc724vc29), the plain
 *     name as kuma.io/display-name, kuma.io/origin: global; positions
 *     "<default>", line 0; a
 *     generator in the input whose name, or kuma.io/display-name, is a
 *     default's name replaces that default;
 *   - MeshMultiZoneService status: the matching MeshServices of its mesh
 *     (display name, k8s.kuma.io/namespace, kuma.io/zone, mesh; sorted by
 *     name, namespace, zone, mesh);
 *   - the legacy `<kuma.io/service>` services of every mesh not in
 *     Exclusive mode (their names are `<service>.mesh`): every tag value
 *     of Dataplane inbounds, except Ignored ones and port 49151.
 *   - the deletion grace period: a MeshService generated from Dataplanes
 *     before (@opt->known) that no Dataplane yields any more stays for
 *     @opt->grace seconds from when that was first seen (@now on the
 *     first run without them), with its ports as they were and the label
 *     kuma.io/deletion-grace-period-started-at: <RFC 3339, UTC>; it goes
 *     at once when @grace is 0, the grace is over, its mesh's mode is
 *     Disabled (Kuma 2.14), a MeshService of that name is in the input,
 *     or the zone is a Kubernetes one; a returning Dataplane ends the
 *     grace (the service is generated afresh, without the label).
 * Generation obeys each mesh's meshServices.mode (Disabled: nothing is
 * generated for that mesh).
 *
 * Pure: no I/O, no logging; problems are warnings in @diags.
 */
#ifndef MESHDNS_GENERATE_H
#define MESHDNS_GENERATE_H

#include <stddef.h>
#include <stdint.h>

#include "util/diag.h"
#include "kuma/resource.h"

enum generate_defaults {
	GENERATE_DEFAULTS_ALL = 0,	/* every default (a federated zone) */
	GENERATE_DEFAULTS_LOCAL,	/* only local-* (a non-federated zone) */
	GENERATE_DEFAULTS_NONE,
};

enum generate_environment {
	GENERATE_UNIVERSAL = 0,		/* local-universal-mesh-service exists */
	GENERATE_KUBERNETES,		/* no local generator for MeshServices */
};

/*
 * A MeshService generated from Dataplanes by an earlier run: its mesh,
 * name and ports, and when its grace period started (0: it had
 * Dataplanes then).  All borrowed.
 */
struct generate_known {
	const char *mesh;
	const char *name;
	int64_t since;
	const struct resource_port *ports;
	size_t nports;
};

struct generate_options {
	const char *zone;		/* this zone (NULL: "default") */
	enum generate_environment environment;
	enum generate_defaults defaults;
	int workload_labels;		/* Kuma 3: kuma.io/workload labels */
	/* Mode of a mesh without a Mesh resource or without a mode. */
	enum resource_mesh_mode default_mode;
	/* The deletion grace period: earlier MeshServices, sorted by mesh
	 * and name, the time now and the period, in seconds. */
	const struct generate_known *known;
	size_t nknown;
	int64_t now;
	int64_t grace;
	/*
	 * The input is a zone control plane's store, where Kuma wrote the
	 * MeshServices it derives from Dataplanes itself (with their VIPs,
	 * deletion grace and all): derive none (the default
	 * HostnameGenerators are in the store too: GENERATE_DEFAULTS_NONE).
	 */
	int from_store;
};

/* A legacy kuma.io/service name (VIP from the legacy pool). */
struct generate_legacy {
	char *mesh;
	char *service;			/* the tag value, verbatim */
};

/* A status condition generate computes (Kubernetes shape). */
struct generate_condition {
	char *type;
	int status;			/* 1: "True", 0: "False" */
	char *reason;
	char *message;
};

/* A MeshService and what generate derived for it. */
struct generate_service {
	const struct resource_mesh_service *res;
	struct generate_condition *conditions;	/* e.g. a port conflict;
						 * usually none */
	size_t nconditions;
	int64_t grace_since;		/* generated from Dataplanes that are
					 * gone: when the grace period began;
					 * else 0 */
};

/* A MeshMultiZoneService status.meshServices[] entry. */
struct generate_mzs_match {
	const char *name;		/* borrowed from the matched service */
	const char *namespace;		/* "" when none */
	const char *zone;
	const char *mesh;
};

/* A MeshMultiZoneService and the MeshServices it matches. */
struct generate_mzs {
	const struct resource_mesh_multi_zone_service *res;
	struct generate_mzs_match *matches;	/* sorted by name, namespace,
						 * zone, mesh */
	size_t nmatches;
};

struct generate_store;

/*
 * Everything a zone serves after generation, each kind in Kuma's order
 * (resource_meta_cmp()).  A resource pointer is either into the input set
 * (borrowed: valid while the set lives) or into the result's own store:
 * generated MeshServices, Kuma's default HostnameGenerators, and the
 * copies of synced resources (kuma.io/origin: global), which carry the
 * name KDS gives them in a zone, kuma.io/display-name, and no status VIPs
 * (their other pointers are borrowed from the set's resource).
 */
struct generate_result {
	struct generate_service *services;	/* written and generated */
	size_t nservices;
	const struct resource_mesh_external_service **external_services;
	size_t nexternal_services;
	struct generate_mzs *multizone_services;
	size_t nmultizone_services;
	const struct resource_hostname_generator **generators;	/* written
								 * and the
								 * defaults */
	size_t ngenerators;
	struct generate_legacy *legacy;	/* sorted by mesh, then service */
	size_t nlegacy;
	struct generate_store *store;	/* internal: what the result owns */
};

/*
 * Derive everything from @set (which must have been finished; labels
 * computed or not; it is not modified) into @result, which is
 * overwritten (clear it with generate_result_clear()).  @result borrows
 * from @set: clear it before freeing the set.  Returns 0, or -ENOMEM
 * (@result may then hold part of it; it can still be cleared).
 */
int generate_run(const struct resource_set *set,
		 const struct generate_options *opt,
		 struct generate_result *result, struct diag_list *diags);

void generate_result_clear(struct generate_result *result);

/*
 * What generate_run(@set, @opt) gives, from @prev, generate_run()'s or
 * generate_apply()'s result for @prev_set, when @set is @prev_set with
 * @changes applied (resource_set_apply(): @set and @prev_set finished,
 * differing by the identities @changes name).  MeshService,
 * MeshExternalService and MeshMultiZoneService changes are applied to
 * @prev's lists (remapped from @prev_set's resources to @set's, the
 * changed ones inserted in order, the MeshMultiZoneServices' matches
 * updated); the store (generated MeshServices, defaults, synced copies)
 * and the legacy names are shared with @prev, which is only read and may
 * be cleared before or after @result.  When that cannot give the same
 * (a change of another kind, a synced resource in the set, a MeshService
 * named as one Dataplanes yield or as a generated one, a MeshService
 * whose deletion grace period is over at @opt->now, Kubernetes Services,
 * other options), *@why says why and generate_run() runs in full.  Only
 * the full run writes warnings to @diags (an incremental one repeats
 * none about unchanged resources).
 * Returns 0 (incremental), 1 (full run), or -ENOMEM.
 */
struct resource_change;
int generate_apply(const struct resource_set *set,
		   const struct resource_set *prev_set,
		   const struct generate_result *prev,
		   const struct resource_change *changes, size_t nchanges,
		   const struct generate_options *opt,
		   struct generate_result *result, struct diag_list *diags,
		   const char **why);

/* The meshServices.mode of @mesh (the default when it is not set). */
enum resource_mesh_mode generate_mesh_mode(const struct resource_set *set,
					   const char *mesh,
					   const struct generate_options *opt);

/*
 * Kuma's names, exposed for tests and for status output:
 *
 * generate_hashed_name: KDS HashedName -- @name truncated to 236, "-", and
 * FNV-1a-64 of mesh ‖ name ‖ values (values: zone, then namespace, each
 * only when non-NULL and non-empty) encoded with the alphabet
 * "bcdfghjklmnpqrstvwxz2456789".  Vector: ("default", "redis-zone-1",
 * "zone-1", NULL) -> "redis-zone-1-2v6wfvvcvbc9f55d".
 *
 * generate_headless_name: the MeshService name of a headless Service's Pod
 * endpoint: "<pod>-<h>", h = Kubernetes' SafeEncodeString of the decimal
 * FNV-1a-32 of service ‖ namespace; a pod name longer than 52 is cut to
 * 52 and the whole (uncut) pod name is fed into the hash after them (as
 * Kuma's meshservice_controller.go does).  Vector: ("example", "demo",
 * "example-1") -> "example-1-87ff74c98".
 *
 * Both write into @buf and return 0, or -1 when @size is too small.
 */
int generate_hashed_name(char *buf, size_t size, const char *mesh,
			 const char *name, const char *zone,
			 const char *namespace);
int generate_headless_name(char *buf, size_t size, const char *service,
			   const char *namespace, const char *pod);

#endif
