#!/bin/bash
# kuma/views.sh -- per-dataplane views of the universal example zone
# (reachableBackends), and views.unknown-clients: none.
. "${SRCDIR:?SRCDIR must name the source tree}/tests/system/lib.sh" || exit 1
. "$SRCDIR/tests/system/kuma/common.sh" || exit 1

# ---------------------------------------------------------------------
# Universal zone: MeshServices generated from Dataplanes, ReachableBackends
# mode.  Dataplanes: test-server-1 (port 80) and test-server-2 (8080, the
# conflict), redis-1, web-1 at 127.0.0.2 (reachableBackends: redis) and
# batch-1 at 127.0.0.3 (no reachableBackends).  VIPs in creation order.
# ---------------------------------------------------------------------
start_conf "$Z/universal/meshdns.conf"

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

finish
