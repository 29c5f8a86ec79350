#!/bin/bash
# kuma/mesh-modes.sh -- the four meshServices modes (Disabled, Everywhere,
# ReachableBackends, Exclusive) on a small set of Dataplanes, and the
# legacy names in each.
. "${SRCDIR:?SRCDIR must name the source tree}/tests/system/lib.sh" || exit 1
. "$SRCDIR/tests/system/kuma/common.sh" || exit 1

# ---------------------------------------------------------------------
# Mesh modes, on a small set of Dataplanes: backend-1 (backend),
# client-1 at 127.0.0.2 (kuma.io/service client_v1, which is no RFC 1035
# label: legacy names only; reachableBackends: backend), loner-1 at
# 127.0.0.3 (no reachableBackends), client-2 at 127.0.0.4 (reachable by
# labels: loner), client-3 at 127.0.0.5 (reachableBackends: {}),
# client-4 at 127.0.0.6 (backend port 3000) and client-5 at 127.0.0.7
# (backend port 9999, a port backend does not have).
# ---------------------------------------------------------------------
M="$WORK/modes"
mkdir -p "$M"
cat >"$M/meshdns.conf" <<'YAML'
zone: zone-1
resources: [.]
kuma:
  default-generators: local
YAML
{
	dp() {	# dp NAME ADDRESS SERVICE PORT DAY [REFS-YAML]
		printf -- '---\ntype: Dataplane\nmesh: default\nname: %s\n' "$1"
		printf 'creationTime: 2025-02-%02dT00:00:00Z\n' "$5"
		printf 'networking:\n  address: %s\n  inbound:\n' "$2"
		printf '  - port: %s\n    tags:\n      kuma.io/service: %s\n' "$4" "$3"
		if [ -n "${6-}" ]; then
			printf '  transparentProxying:\n    reachableBackends:%s\n' "$6"
		fi
	}
	ref() {	# ref YAML-LINES: a refs list
		printf '\n      refs:\n%s' "$1"
	}
	dp backend-1 127.0.0.41 backend 3000 1
	dp client-1 127.0.0.2 client_v1 4000 2 "$(ref '      - kind: MeshService
        name: backend')"
	dp loner-1 127.0.0.3 loner 5000 3
	dp client-2 127.0.0.4 client-two 4001 4 "$(ref '      - kind: MeshService
        labels:
          kuma.io/display-name: loner')"
	dp client-3 127.0.0.5 client-three 4002 5 " {}"
	dp client-4 127.0.0.6 client-four 4003 6 "$(ref '      - kind: MeshService
        name: backend
        port: 3000')"
	dp client-5 127.0.0.7 client-five 4004 7 "$(ref '      - kind: MeshService
        name: backend
        port: 9999')"
} >"$M/dataplanes.yaml"

# mode_start MODE: the Mesh in MODE, meshdns restarted.
mode_start() {
	printf 'type: Mesh\nname: default\nmeshServices:\n  mode: %s\n' "$1" >"$M/mesh.yaml"
	start_conf "$M/meshdns.conf"
}

# Legacy names, the same in every mode but Exclusive.  240.0.0.1 up, in
# name order: backend, client-five, client-four, client-three,
# client-two, client_v1, loner.
legacy_ok() {	# legacy_ok MODE SRC
	expect_eq "$1: backend.mesh from $2" "240.0.0.1" "$(a_from "$2" backend.mesh)"
	expect_eq "$1: client_v1.mesh from $2" "240.0.0.6" "$(a_from "$2" client_v1.mesh)"
	expect_eq "$1: client.v1.mesh (the _ -> . variant) from $2" "240.0.0.6" "$(a_from "$2" client.v1.mesh)"
	expect_eq "$1: loner.mesh from $2" "240.0.0.7" "$(a_from "$2" loner.mesh)"
}

mode_start Disabled
expect_eq "Disabled: --status prints no generated MeshService (nothing, exit 0)" "rc=0" \
	"$(status_of "$M/meshdns.conf"; echo "rc=$?")"
for src in $OP 127.0.0.2 127.0.0.3; do
	expect_eq "Disabled: backend.svc.mesh.local from $src is NXDOMAIN" "NXDOMAIN" "$(rcode_from $src backend.svc.mesh.local)"
	legacy_ok Disabled $src
done

mode_start Everywhere
expect_match "Everywhere: client_v1 is skipped with Kuma's message" \
	"dataplanes\.yaml:[0-9]+:[0-9]+: warning: couldn't generate MeshService from kuma\.io/service, contains invalid characters \(value \"client_v1\"" "$(cat "$LOG")"
expect_eq "Everywhere: backend.svc.mesh.local (operator)" "241.0.0.1" "$(a_from $OP backend.svc.mesh.local)"
expect_eq "Everywhere: loner.svc.mesh.local (operator)" "241.0.0.2" "$(a_from $OP loner.svc.mesh.local)"
expect_eq "Everywhere: loner-1 without reachableBackends sees backend" "241.0.0.1" "$(a_from 127.0.0.3 backend.svc.mesh.local)"
expect_eq "Everywhere: loner-1 sees loner" "241.0.0.2" "$(a_from 127.0.0.3 loner.svc.mesh.local)"
expect_eq "Everywhere: client-1 (reachableBackends: backend) sees backend" "241.0.0.1" "$(a_from 127.0.0.2 backend.svc.mesh.local)"
expect_eq "Everywhere: client-1 does not see loner" "NXDOMAIN" "$(rcode_from 127.0.0.2 loner.svc.mesh.local)"
legacy_ok Everywhere $OP
legacy_ok Everywhere 127.0.0.3

mode_start ReachableBackends
expect_eq "ReachableBackends: operator sees backend" "241.0.0.1" "$(a_from $OP backend.svc.mesh.local)"
expect_eq "ReachableBackends: operator sees loner" "241.0.0.2" "$(a_from $OP loner.svc.mesh.local)"
expect_eq "ReachableBackends: client-1 sees backend" "241.0.0.1" "$(a_from 127.0.0.2 backend.svc.mesh.local)"
expect_eq "ReachableBackends: client-1 does not see loner" "NXDOMAIN" "$(rcode_from 127.0.0.2 loner.svc.mesh.local)"
expect_eq "ReachableBackends: loner-1 sees no backend" "NXDOMAIN" "$(rcode_from 127.0.0.3 backend.svc.mesh.local)"
expect_eq "ReachableBackends: loner-1 sees not even loner" "NXDOMAIN" "$(rcode_from 127.0.0.3 loner.svc.mesh.local)"
expect_eq "ReachableBackends: client-2 (by labels) sees loner" "241.0.0.2" "$(a_from 127.0.0.4 loner.svc.mesh.local)"
expect_eq "ReachableBackends: client-2 does not see backend" "NXDOMAIN" "$(rcode_from 127.0.0.4 backend.svc.mesh.local)"
expect_eq "ReachableBackends: client-3 (reachableBackends: {}) sees nothing" "NXDOMAIN" "$(rcode_from 127.0.0.5 backend.svc.mesh.local)"
expect_eq "ReachableBackends: client-4 (backend port 3000) sees backend" "241.0.0.1" "$(a_from 127.0.0.6 backend.svc.mesh.local)"
expect_eq "ReachableBackends: client-5 (backend port 9999, no such port) does not see backend" "NXDOMAIN" "$(rcode_from 127.0.0.7 backend.svc.mesh.local)"
legacy_ok ReachableBackends 127.0.0.2
legacy_ok ReachableBackends 127.0.0.3

mode_start Exclusive
expect_eq "Exclusive: backend.svc.mesh.local (operator)" "241.0.0.1" "$(a_from $OP backend.svc.mesh.local)"
expect_eq "Exclusive: loner-1 without reachableBackends sees backend" "241.0.0.1" "$(a_from 127.0.0.3 backend.svc.mesh.local)"
expect_eq "Exclusive: client-1 does not see loner" "NXDOMAIN" "$(rcode_from 127.0.0.2 loner.svc.mesh.local)"
for n in backend.mesh client_v1.mesh client.v1.mesh loner.mesh; do
	expect_eq "Exclusive: no legacy $n" "NXDOMAIN" "$(rcode_from $OP $n)"
done

finish
