#!/bin/bash
# kuma/multizone.sh -- the two multizone example zones: synced
# MeshServices with VIPs of this zone, MeshMultiZoneService,
# MeshExternalService, Exclusive mode.
. "${SRCDIR:?SRCDIR must name the source tree}/tests/system/lib.sh" || exit 1
. "$SRCDIR/tests/system/kuma/common.sh" || exit 1

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

finish
