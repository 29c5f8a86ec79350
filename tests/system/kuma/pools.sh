#!/bin/bash
# kuma/pools.sh -- the legacy VIP pool overlapping the MeshService pool:
# no address is given twice, and a name left without one is reported.
. "${SRCDIR:?SRCDIR must name the source tree}/tests/system/lib.sh" || exit 1
. "$SRCDIR/tests/system/kuma/common.sh" || exit 1

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

finish
