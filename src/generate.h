/* SPDX-License-Identifier: MIT */
/*
 * generate.h -- the resources Kuma's zone control plane derives.
 *
 * Given a loaded resource set, adds what a Kuma zone control plane would
 * have created (reference/kuma.md sections 2, 3, 4, 7 and 8):
 *
 *   - MeshServices from Dataplane inbounds (universal zones): one per
 *     distinct kuma.io/service tag value per mesh (Kuma 2.x), or, with
 *     @workload_labels, one per kuma.io/workload Dataplane label (Kuma 3);
 *     Kuma's labels, ports, selector; the oldest Dataplane's ports win a
 *     port conflict, which is reported (a PortConflict condition and a
 *     warning naming the Dataplanes and ports); a MeshService written by
 *     hand with the same mesh and name wins over the generated one;
 *   - MeshServices from Kubernetes Services: ClusterIP Services (the
 *     ClusterIP is the VIP), headless Services (one per Pod endpoint, with
 *     Kuma's hashed name and the Pod IP as VIP), TCP ports only;
 *   - synced MeshServices (kuma.io/origin: global): the hashed name is
 *     computed from an unhashed export, the display name kept, and the
 *     status VIPs dropped (a synced copy gets a zone-local VIP);
 *   - Kuma's default HostnameGenerators, unless turned off; a generator
 *     written by hand with the same name replaces a default;
 *   - MeshMultiZoneService status: the matching MeshServices;
 *   - the legacy `<kuma.io/service>` services of every mesh not in
 *     Exclusive mode (their names are `<service>.mesh`).
 * Generation obeys each mesh's meshServices.mode (Disabled: nothing is
 * generated for that mesh).
 *
 * Pure: no I/O, no logging; problems are warnings in @diags.
 */
#ifndef MESHDNS_GENERATE_H
#define MESHDNS_GENERATE_H

#include <stddef.h>
#include <stdint.h>

#include "diag.h"
#include "resource.h"

enum generate_defaults {
	GENERATE_DEFAULTS_ALL = 0,	/* every default (a federated zone) */
	GENERATE_DEFAULTS_LOCAL,	/* only local-* (a non-federated zone) */
	GENERATE_DEFAULTS_NONE,
};

enum generate_environment {
	GENERATE_UNIVERSAL = 0,		/* local-universal-mesh-service exists */
	GENERATE_KUBERNETES,		/* no local generator for MeshServices */
};

struct generate_options {
	const char *zone;		/* this zone's name */
	enum generate_environment environment;
	enum generate_defaults defaults;
	int workload_labels;		/* Kuma 3: kuma.io/workload labels */
	/* Mode of a mesh without a Mesh resource or without a mode. */
	enum resource_mesh_mode default_mode;
};

/* A legacy kuma.io/service name (VIP from the legacy pool). */
struct generate_legacy {
	char *mesh;
	char *service;			/* the tag value, verbatim */
};

struct generate_result {
	struct generate_legacy *legacy;	/* sorted by mesh, then service */
	size_t nlegacy;
};

/*
 * Derive everything into @set (which must have been finished) and
 * @result.  Returns 0, or -ENOMEM (the set may then hold part of it).
 */
int generate_run(struct resource_set *set, const struct generate_options *opt,
		 struct generate_result *result, struct diag_list *diags);

void generate_result_clear(struct generate_result *result);

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
 * FNV-1a-32 of service ‖ namespace; pod names longer than 52 are cut to 52
 * and the cut name is fed into the hash too.  Vector: ("example", "demo",
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
