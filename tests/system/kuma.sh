#!/bin/bash
# kuma.sh -- Kuma fidelity as a Kuma user sees it with dig: the example
# zones (universal, Kubernetes, two multizone zones), the four
# meshServices modes, per-dataplane views, collisions across kinds, Kuma 3
# workload generation, and `meshdns --status` against the expected files
# in tests/system/data/.
#
# Every start uses a fresh state file, so VIPs are the first of each pool
# in Kuma's order.  Queries go to 127.0.0.1 only; `-b 127.0.0.N` sends
# them from the loopback address of a Dataplane (its networking.address).
. "${SRCDIR:?SRCDIR must name the source tree}/tests/system/lib.sh" || exit 1

copy_zones
Z="$WORK/zones"
RUN=0

# start_conf CONF [ARGS...]: (re)start meshdns with CONF and a fresh state
# file; the log of the previous run is kept as $WORK/run-N.log.
start_conf() {
	stop_meshdns
	if [ -s "$LOG" ]; then
		cp "$LOG" "$WORK/run-$RUN.log"
	fi
	RUN=$((RUN + 1))
	start_meshdns -c "$@" -s "$WORK/state-$RUN" || {
		fail "meshdns did not start with $1"
		finish
	}
}

# a_from SRC NAME [TYPE]: the answer's rdata (sorted) for a query sent
# from source address SRC.
a_from() {
	dig_short -b "$1" "$2" "${3:-A}"
}

# rcode_from SRC NAME [TYPE]: the response code of a query from SRC.
rcode_from() {
	dig_q -b "$1" "$2" "${3:-A}" | sed -n 's/.*status: \([A-Z]*\),.*/\1/p'
}

# status_of CONF: `meshdns --status` for CONF (stdout only).
status_of() {
	"$MESHDNS" --status -c "$1" 2>/dev/null
}

# diff_status ZONE: --status of zones/ZONE against data/status-ZONE.yaml.
diff_status() {
	want="$SRCDIR/tests/system/data/status-$1.yaml"
	got="$WORK/status-$1.yaml"
	"$MESHDNS" --status -c "$Z/$1/meshdns.conf" >"$got" 2>/dev/null
	if diff -u "$want" "$got" >"$WORK/status-$1.diff"; then
		pass "--status of zones/$1 is tests/system/data/status-$1.yaml"
	else
		fail "--status of zones/$1 differs from tests/system/data/status-$1.yaml (- expected, + got):"
		cat "$WORK/status-$1.diff"
	fi
}

# ---------------------------------------------------------------------
# Universal zone: MeshServices generated from Dataplanes, ReachableBackends
# mode.  Dataplanes: test-server-1 (port 80) and test-server-2 (8080, the
# conflict), redis-1, web-1 at 127.0.0.2 (reachableBackends: redis) and
# batch-1 at 127.0.0.3 (no reachableBackends).  VIPs in creation order.
# ---------------------------------------------------------------------
start_conf "$Z/universal/meshdns.conf"
OP=127.0.0.1	# an operator: no Dataplane has this address

expect_eq "universal: test-server.svc.mesh.local" "241.0.0.1" "$(a_from $OP test-server.svc.mesh.local)"
expect_eq "universal: redis.svc.mesh.local" "241.0.0.2" "$(a_from $OP redis.svc.mesh.local)"
expect_eq "universal: web.svc.mesh.local" "241.0.0.3" "$(a_from $OP web.svc.mesh.local)"
expect_eq "universal: batch.svc.mesh.local" "241.0.0.4" "$(a_from $OP batch.svc.mesh.local)"

# The port conflict: the oldest Dataplane's ports win (80, not 8080) ...
expect_eq "universal: SRV at test-server.svc.mesh.local is port 80 only" \
	"0 0 80 test-server.svc.mesh.local." "$(a_from $OP test-server.svc.mesh.local SRV)"
expect_eq "universal: SRV _main._tcp.test-server is port 80" \
	"0 0 80 test-server.svc.mesh.local." "$(a_from $OP _main._tcp.test-server.svc.mesh.local SRV)"
expect_eq "universal: SRV at redis.svc.mesh.local lists both inbounds" \
	"0 0 6379 redis.svc.mesh.local.
0 0 9121 redis.svc.mesh.local." "$(a_from $OP redis.svc.mesh.local SRV)"
# ... and, unlike Kuma, it is visible in the log and in the status.
conflict='Dataplane "test-server-2" has ports \[main:8080/http\] but MeshService "test-server" has the ports of the oldest Dataplane "test-server-1" \[main:80/http\]'
expect_match "universal: log warns about the port conflict, naming test-server-2 and its ports" \
	"dataplanes\.yaml:19:1: warning: $conflict\$" "$(cat "$LOG")"
st=$(status_of "$Z/universal/meshdns.conf")
expect_eq "universal: --status PortConflict condition of test-server" \
	"  conditions:
  - type: PortConflict
    status: \"True\"
    reason: PortConflict
    message: Dataplane \"test-server-2\" has ports [main:8080/http] but MeshService \"test-server\" has the ports of the oldest Dataplane \"test-server-1\" [main:80/http]" \
	"$(printf '%s\n' "$st" | sed -n '/^name: test-server$/,/^---$/p' | sed -n '/^  conditions:/,/message:/p')"
expect_eq "universal: only test-server has a condition" "1" \
	"$(printf '%s\n' "$st" | grep -c '^  conditions:')"

# Legacy <kuma.io/service>.mesh names (every mode but Exclusive): the
# 240.0.0.0/4 pool, in name order, no address shared with 241.0.0.0/8.
expect_eq "universal: batch.mesh (legacy pool)" "240.0.0.1" "$(a_from $OP batch.mesh)"
expect_eq "universal: redis.mesh (legacy pool)" "240.0.0.2" "$(a_from $OP redis.mesh)"
expect_eq "universal: test-server.mesh (legacy pool)" "240.0.0.3" "$(a_from $OP test-server.mesh)"
expect_eq "universal: web.mesh (legacy pool)" "240.0.0.4" "$(a_from $OP web.mesh)"

# Per-dataplane views.  web-1 (127.0.0.2) lists redis only.
expect_eq "view web-1: redis.svc.mesh.local answers" "241.0.0.2" "$(a_from 127.0.0.2 redis.svc.mesh.local)"
expect_eq "view web-1: test-server.svc.mesh.local is NXDOMAIN" "NXDOMAIN" "$(rcode_from 127.0.0.2 test-server.svc.mesh.local)"
expect_eq "view web-1: its own web.svc.mesh.local is NXDOMAIN (not listed)" "NXDOMAIN" "$(rcode_from 127.0.0.2 web.svc.mesh.local)"
expect_eq "view web-1: SRV at test-server.svc.mesh.local is NXDOMAIN" "NXDOMAIN" "$(rcode_from 127.0.0.2 test-server.svc.mesh.local SRV)"
expect_eq "view web-1: legacy test-server.mesh answers" "240.0.0.3" "$(a_from 127.0.0.2 test-server.mesh)"
out=$(dig_q -b 127.0.0.2 test-server.svc.mesh.local A)
expect_match "view web-1: the NXDOMAIN is authoritative" "flags: qr aa" "$out"
expect_match "view web-1: the NXDOMAIN carries the SOA" "^mesh\.local\.[[:space:]]+30[[:space:]]+IN[[:space:]]+SOA" "$out"
# batch-1 (127.0.0.3) lists nothing: in ReachableBackends mode it sees
# none of the MeshService names, but every legacy name.
for n in test-server redis web batch; do
	expect_eq "view batch-1: $n.svc.mesh.local is NXDOMAIN" "NXDOMAIN" "$(rcode_from 127.0.0.3 $n.svc.mesh.local)"
done
expect_eq "view batch-1: legacy redis.mesh answers" "240.0.0.2" "$(a_from 127.0.0.3 redis.mesh)"
expect_eq "view batch-1: legacy batch.mesh answers" "240.0.0.1" "$(a_from 127.0.0.3 batch.mesh)"
# test-server-1 (127.0.0.21) has no reachableBackends either.
expect_eq "view test-server-1: redis.svc.mesh.local is NXDOMAIN" "NXDOMAIN" "$(rcode_from 127.0.0.21 redis.svc.mesh.local)"
# The operator still sees everything (asked after the views, same server).
expect_eq "operator: test-server.svc.mesh.local still answers" "241.0.0.1" "$(a_from $OP test-server.svc.mesh.local)"

# views.unknown-clients: none -- an operator sees only what every
# Dataplane sees: no MeshService name (batch-1 sees none), the legacy ones.
cp "$Z/universal/meshdns.conf" "$Z/universal/none.conf"
printf 'views:\n  unknown-clients: none\n' >>"$Z/universal/none.conf"
start_conf "$Z/universal/none.conf"
for n in test-server redis web batch; do
	expect_eq "unknown-clients none: operator gets NXDOMAIN for $n.svc.mesh.local" "NXDOMAIN" "$(rcode_from $OP $n.svc.mesh.local)"
done
expect_eq "unknown-clients none: operator still gets redis.mesh" "240.0.0.2" "$(a_from $OP redis.mesh)"
expect_eq "unknown-clients none: web-1 still gets redis.svc.mesh.local" "241.0.0.2" "$(a_from 127.0.0.2 redis.svc.mesh.local)"

# The legacy pool may overlap the MeshService pool: no address is given
# twice, and a legacy name that finds no address left is reported.
cp "$Z/universal/meshdns.conf" "$Z/universal/overlap.conf"
printf 'vip:\n  pools:\n    legacy: 241.0.0.0/29\n' >>"$Z/universal/overlap.conf"
start_conf "$Z/universal/overlap.conf"
all=""
for n in test-server redis web batch; do
	all="$all$(a_from $OP $n.svc.mesh.local)
"
done
expect_eq "overlapping pools: MeshServices keep 241.0.0.1-4" "241.0.0.1
241.0.0.2
241.0.0.3
241.0.0.4" "$(printf '%s' "$all" | sort)"
expect_eq "overlapping pools: batch.mesh gets the next free address" "241.0.0.5" "$(a_from $OP batch.mesh)"
expect_eq "overlapping pools: redis.mesh gets the last one" "241.0.0.6" "$(a_from $OP redis.mesh)"
expect_eq "overlapping pools: web.mesh has no address (pool full)" "NXDOMAIN" "$(rcode_from $OP web.mesh)"
expect_match "overlapping pools: the log says web.mesh got no VIP" \
	"warning: .*web.*no addresses left in pool 241\.0\.0\.0/29" "$(cat "$LOG")"
expect_match "overlapping pools: the log says test-server.mesh got no VIP" \
	"warning: .*test-server.*no addresses left in pool 241\.0\.0\.0/29" "$(cat "$LOG")"

# ---------------------------------------------------------------------
# Kubernetes zone: MeshServices from Service manifests.  VIP = ClusterIP,
# headless Pods get <pod>-<hash> MeshServices with the Pod IP.
# FNV-1a-32("example" "kuma-demo") in Kubernetes' safe alphabet is
# 6cd6bc89bf (recomputed outside meshdns; the reference's vector,
# example/demo -> 87ff74c98, is in the unit tests).
# ---------------------------------------------------------------------
start_conf "$Z/kubernetes/meshdns.conf"
expect_eq "kubernetes: redis.kuma-demo.svc.mesh.local is the ClusterIP" "10.96.20.10" "$(a_from $OP redis.kuma-demo.svc.mesh.local)"
expect_eq "kubernetes: example-0 (headless) is its Pod IP" "10.244.1.5" "$(a_from $OP example-0.example.kuma-demo.svc.mesh.local)"
expect_eq "kubernetes: example-1 (headless) is its Pod IP" "10.244.2.7" "$(a_from $OP example-1.example.kuma-demo.svc.mesh.local)"
expect_eq "kubernetes: the UDP port is not carried over (SRV)" \
	"0 0 6379 redis.kuma-demo.svc.mesh.local." "$(a_from $OP redis.kuma-demo.svc.mesh.local SRV)"
expect_eq "kubernetes: headless SRV is the Service port" \
	"0 0 80 example-0.example.kuma-demo.svc.mesh.local." "$(a_from $OP example-0.example.kuma-demo.svc.mesh.local SRV)"
expect_match "kubernetes: log warns about the UDP port, as Kuma's event" \
	"services\.yaml:3:1: warning: Ignored unsupported ports: stats\$" "$(cat "$LOG")"
expect_match "kubernetes: log names the headless MeshService <pod>-<hash>" \
	"info: MeshService example-0-6cd6bc89bf \(mesh default\): 10\.244\.1\.5: example-0\.example\.kuma-demo\.svc\.mesh\.local\$" "$(cat "$LOG")"
st=$(status_of "$Z/kubernetes/meshdns.conf")
expect_eq "kubernetes: --status names (core names <name>.<namespace>)" \
	"name: example-0-6cd6bc89bf.kuma-demo
name: example-1-6cd6bc89bf.kuma-demo
name: redis.kuma-demo" "$(printf '%s\n' "$st" | grep '^name: ')"
expect_no_match "kubernetes: no pool VIP is given" "ip: 24[0-3]\." "$st"

# ---------------------------------------------------------------------
# Multizone: zone east has its own redis, redis synced from west (status
# stripped: it gets a VIP of this zone, not the export's), the
# MeshMultiZoneService redis and the MeshExternalService aurora; Exclusive
# mode, so no legacy names.  West is the mirror image.
# ---------------------------------------------------------------------
start_conf "$Z/multizone-east/meshdns.conf"
expect_eq "east: redis.svc.mesh.local (local)" "241.0.0.1" "$(a_from $OP redis.svc.mesh.local)"
expect_eq "east: redis.svc.west.mesh.local (synced, a VIP of this zone)" "241.0.0.2" "$(a_from $OP redis.svc.west.mesh.local)"
expect_eq "east: the export's VIP 241.0.0.31 has no PTR" "NXDOMAIN" "$(rcode_from $OP 31.0.0.241.in-addr.arpa PTR)"
expect_eq "east: PTR of 241.0.0.2" "redis.svc.west.mesh.local." "$(a_from $OP 2.0.0.241.in-addr.arpa PTR)"
expect_eq "east: redis.svc.east.mesh.local is not synced back" "NXDOMAIN" "$(rcode_from $OP redis.svc.east.mesh.local)"
expect_eq "east: redis.mzsvc.mesh.local" "243.0.0.1" "$(a_from $OP redis.mzsvc.mesh.local)"
expect_eq "east: aurora.extsvc.mesh.local" "242.0.0.1" "$(a_from $OP aurora.extsvc.mesh.local)"
expect_eq "east: SRV at aurora.extsvc.mesh.local" "0 0 5432 aurora.extsvc.mesh.local." "$(a_from $OP aurora.extsvc.mesh.local SRV)"
expect_eq "east: Exclusive mode has no legacy redis.mesh" "NXDOMAIN" "$(rcode_from $OP redis.mesh)"
expect_match "east: log names the synced MeshService by its hashed name" \
	"info: MeshService redis-f8xz8bddwx8b5c22 \(mesh default\): 241\.0\.0\.2: redis\.svc\.west\.mesh\.local\$" "$(cat "$LOG")"
expect_match "east: log names the MeshMultiZoneService by its hashed name" \
	"info: MeshMultiZoneService redis-7w7bc2f55x7w9d29 \(mesh default\): 243\.0\.0\.1: redis\.mzsvc\.mesh\.local\$" "$(cat "$LOG")"

start_conf "$Z/multizone-west/meshdns.conf"
expect_eq "west: redis.svc.mesh.local (local)" "241.0.0.1" "$(a_from $OP redis.svc.mesh.local)"
expect_eq "west: redis.svc.east.mesh.local (synced, not the export's 241.0.0.32)" "241.0.0.2" "$(a_from $OP redis.svc.east.mesh.local)"
expect_eq "west: redis.svc.west.mesh.local is not synced back" "NXDOMAIN" "$(rcode_from $OP redis.svc.west.mesh.local)"
expect_eq "west: redis.mzsvc.mesh.local" "243.0.0.1" "$(a_from $OP redis.mzsvc.mesh.local)"
expect_eq "west: aurora.extsvc.mesh.local" "242.0.0.1" "$(a_from $OP aurora.extsvc.mesh.local)"
expect_eq "west: Exclusive mode has no legacy redis.mesh" "NXDOMAIN" "$(rcode_from $OP redis.mesh)"
st=$(status_of "$Z/multizone-west/meshdns.conf")
expect_match "west: the synced MeshService's hashed name" "^name: redis-cd75xf46x4b2zx4x\$" "$st"
expect_eq "west: MeshMultiZoneService matched both zones' redis" \
	"  meshServices:
  - name: redis
    namespace: \"\"
    zone: east
    mesh: default
  - name: redis
    namespace: \"\"
    zone: west
    mesh: default" "$(printf '%s\n' "$st" | sed -n '/^  meshServices:/,/^  addresses:/p' | sed '$d')"

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

# ---------------------------------------------------------------------
# Collisions across kinds: a MeshService and a MeshExternalService whose
# generators give the same name.  Kuma generates MeshExternalService
# names first, so it wins; the MeshService's condition names it.
# ---------------------------------------------------------------------
C="$WORK/collision"
mkdir -p "$C"
cat >"$C/resources.yaml" <<'YAML'
type: MeshService
name: db
mesh: default
labels:
  kuma.io/origin: zone
spec:
  selector:
    dataplaneTags:
      kuma.io/service: db
  ports:
  - port: 5432
    targetPort: 5432
    appProtocol: tcp
---
type: MeshExternalService
name: db
mesh: default
labels:
  kuma.io/origin: zone
spec:
  match:
    type: HostnameGenerator
    port: 5432
    protocol: tcp
  endpoints:
  - address: db.example.com
    port: 5432
---
type: HostnameGenerator
name: ms-names
spec:
  selector:
    meshService:
      matchLabels:
        kuma.io/origin: zone
  template: "{{ .DisplayName }}.db.mesh.local"
---
type: HostnameGenerator
name: mes-names
spec:
  selector:
    meshExternalService:
      matchLabels:
        kuma.io/origin: zone
  template: "{{ .DisplayName }}.db.mesh.local"
YAML
cat >"$C/meshdns.conf" <<'YAML'
zone: zone-1
resources: [resources.yaml]
kuma:
  default-generators: none
  default-mesh-mode: Exclusive
YAML
start_conf "$C/meshdns.conf"
expect_eq "collision: db.db.mesh.local has one answer, the MeshExternalService's" "242.0.0.1" "$(a_from $OP db.db.mesh.local)"
st=$(status_of "$C/meshdns.conf")
expect_eq "collision: the MeshService's condition says Collision and names the winner" \
	"    - type: Generated
      status: \"False\"
      reason: Collision
      message: 'Hostname collision with MeshExternalService: db'" \
	"$(printf '%s\n' "$st" | sed -n '/^type: MeshService$/,/^---$/p' | sed -n '/- type: Generated/,/message:/p')"
expect_eq "collision: the MeshExternalService has the name" \
	"  - hostname: db.db.mesh.local" \
	"$(printf '%s\n' "$st" | sed -n '/^type: MeshExternalService$/,$p' | grep -- '- hostname:')"
expect_no_match "collision: the MeshService has no address" "^  - hostname:" \
	"$(printf '%s\n' "$st" | sed -n '/^type: MeshService$/,/^---$/p')"

# ---------------------------------------------------------------------
# Kuma 3 workload generation: one MeshService per kuma.io/workload label,
# with every inbound of the Dataplane; inbound tags are not used.
# ---------------------------------------------------------------------
W="$WORK/workload"
mkdir -p "$W"
cat >"$W/dataplanes.yaml" <<'YAML'
type: Dataplane
mesh: default
name: api-1
labels:
  kuma.io/workload: api
networking:
  address: 127.0.0.51
  inbound:
  - name: http
    port: 8080
    protocol: http
  - name: grpc
    port: 9090
    protocol: grpc
---
type: Dataplane
mesh: default
name: old-1
networking:
  address: 127.0.0.52
  inbound:
  - port: 7000
    tags:
      kuma.io/service: old
---
type: Dataplane
mesh: default
name: bad-1
labels:
  kuma.io/workload: Bad_Name
networking:
  address: 127.0.0.53
  inbound:
  - port: 7001
YAML
cat >"$W/meshdns.conf" <<'YAML'
zone: zone-1
resources: [dataplanes.yaml]
kuma:
  generation: workload
  default-generators: local
  default-mesh-mode: Exclusive
YAML
start_conf "$W/meshdns.conf"
expect_eq "workload: api.svc.mesh.local" "241.0.0.1" "$(a_from $OP api.svc.mesh.local)"
expect_eq "workload: both inbounds are ports of api" "0 0 8080 api.svc.mesh.local.
0 0 9090 api.svc.mesh.local." "$(a_from $OP api.svc.mesh.local SRV)"
expect_eq "workload: a kuma.io/service tag alone makes no MeshService" "NXDOMAIN" "$(rcode_from $OP old.svc.mesh.local)"
expect_match "workload: an invalid label value is skipped with Kuma's message" \
	"dataplanes\.yaml:[0-9]+:[0-9]+: warning: couldn't generate MeshService from kuma\.io/workload, contains invalid characters \(value \"Bad_Name\"" "$(cat "$LOG")"
st=$(status_of "$W/meshdns.conf")
expect_eq "workload: one MeshService, named after the label" "name: api" "$(printf '%s\n' "$st" | grep '^name: ')"
expect_eq "workload: selector is dataplaneLabels on kuma.io/workload" \
	"  selector:
    dataplaneLabels:
      matchLabels:
        kuma.io/workload: api" "$(printf '%s\n' "$st" | sed -n '/^  selector:/,/^  ports:/p' | sed '$d')"
expect_eq "workload: ports from the inbounds" \
	"  ports:
  - name: http
    port: 8080
    targetPort: 8080
    appProtocol: http
  - name: grpc
    port: 9090
    targetPort: 9090
    appProtocol: grpc" "$(printf '%s\n' "$st" | sed -n '/^  ports:/,/^status:/p' | sed '$d')"

# ---------------------------------------------------------------------
# --status of the example zones, in Kuma's shape (every line reviewed
# against ../shared/reference/kuma.md before it was frozen).
# ---------------------------------------------------------------------
diff_status universal
diff_status kubernetes
diff_status multizone-east

finish
