/* SPDX-License-Identifier: MIT */
/*
 * status.h -- a snapshot's computed status, as Kuma would show it.
 *
 * `meshdns --status` prints every MeshService, MeshExternalService and
 * MeshMultiZoneService (written, generated and synced ones) in the
 * universal shape that
 * `kumactl get meshservices -o yaml` prints (type, name, mesh, labels,
 * spec, status: addresses, vips, hostnameGenerators), one YAML document
 * per resource, so the two can be compared line by line.  Names are Kuma's
 * core names: with kuma.environment kubernetes <name>.<namespace>, and
 * HostnameGenerators and synced resources (kuma.io/origin global) in the
 * system namespace kuma-system; on a universal zone synced ones have no
 * namespace.  A service that
 * could not get a VIP also has a `conditions` entry of type VIPAllocated.
 * A written spec is printed as read; what its aliases share is printed
 * once, with an anchor, and then as an alias (yamlx_emit()), so the output
 * and the memory grow as the resource files do, not as their aliases
 * expand.
 */
#ifndef MESHDNS_STATUS_H
#define MESHDNS_STATUS_H

#include <stdio.h>

#include "build/build.h"

/* Write the status of @s to @fp.  Returns 0, -1 on a write error, -ENOMEM. */
int status_print(FILE *fp, const struct snapshot *s);

/*
 * The same documents as a JSON array (yamlx_emit_json()), for
 * /status.json.  Returns 0, -1 on a write error, -ENOMEM, -E2BIG.
 */
int status_print_json(FILE *fp, const struct snapshot *s);

#endif
