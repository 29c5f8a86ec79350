#!/bin/bash
# store/bench_follow.sh -- tests/bench/follow, the writer and prober of
# tests/bench/store.sh, against a real meshdns --store and PostgreSQL: a
# plan of Kuma's statements (an allocator's status update, a Create, a
# Delete, a HostnameGenerator edit) is written to the store and every
# change is seen answered; the rows are what Kuma's store would hold; -S
# times a start until a name answers and leaves meshdns running.  No
# timing is asserted: only that each change is seen (within 20 s).
. "$SRCDIR/tests/system/lib.sh"
. "$SRCDIR/tests/system/store/lib.sh"

FOLLOW=${BUILDDIR:-$SRCDIR}/tests/bench/follow
pg_start
kuma_mesh default
kuma_default_generator
kuma_ms default redis 6379 241.0.0.7

start_meshdns --store "$(pg_conninfo)" || {
	fail "meshdns did not start"
	finish
}
gen='{"selector":{"meshService":{"matchLabels":{"kuma.io/origin":"zone"}}},"template":"{{ .DisplayName }}.renamed.mesh.local"}'
tab=$(printf '\t')
{
	echo "vip${tab}update${tab}MeshService${tab}default${tab}redis${tab}-${tab}-${tab}$(kuma_ms_status 241.0.0.9)${tab}redis.svc.mesh.local=241.0.0.9"
	echo "insert${tab}insert${tab}MeshService${tab}default${tab}web${tab}$(kuma_ms_spec web 8080)${tab}$(kuma_ms_labels default web)${tab}$(kuma_ms_status 241.0.0.10)${tab}web.svc.mesh.local=241.0.0.10"
	echo "delete${tab}delete${tab}MeshService${tab}default${tab}redis${tab}-${tab}-${tab}-${tab}redis.svc.mesh.local=NX"
	echo "generator${tab}update${tab}HostnameGenerator${tab}${tab}local-universal-mesh-service${tab}$gen${tab}-${tab}-${tab}web.renamed.mesh.local=241.0.0.10"
} >"$WORK/plan"
out=$("$FOLLOW" -p "$PORT" -c "$(pg_conninfo postgres)" -r 2 -t 20000 \
	-o "$WORK/times" "$WORK/plan" 2>&1)
expect_match "every change is seen answered" \
	"follow kind=all n=4 seen=4 never=0 p50_ms=[0-9.]+ " "$out"
expect_match "one line a kind" "follow kind=generator n=1 seen=1 never=0" \
	"$out"
expect_match "the writer's line" "writer changes=4 rate=[0-9.]+" "$out"
expect_eq "one time a change" "4" "$(awk '$3 != "never"' "$WORK/times" |
	wc -l)"
rows=$(psql_admin -At -c "SELECT type, name, version, owner_type, status->'vips'->0->>'ip', labels->>'kuma.io/display-name' FROM resources WHERE type IN ('MeshService', 'HostnameGenerator') ORDER BY type, name")
expect_eq "the rows as Kuma's statements leave them" \
	"HostnameGenerator|local-universal-mesh-service|1|||
MeshService|web|0|Mesh|241.0.0.10|web" "$rows"
expect_eq "meshdns serves the last state" "241.0.0.10" \
	"$(dig_short web.renamed.mesh.local A)"
stop_meshdns

# -S: exec to the answer; meshdns keeps running, stopped by its pid
out=$("$FOLLOW" -p "$PORT" -S web.renamed.mesh.local=241.0.0.10 -t 20000 \
	"$MESHDNS" -f -l "127.0.0.1:$PORT" --store "$(pg_conninfo)" \
	2>>"$LOG")
PID=$(echo "$out" | sed -n 's/.*pid=\([0-9]*\).*/\1/p')
expect_match "-S: a start timed until the name answers" \
	"^start_ms=[0-9.]+ pid=[0-9]+$" "$out"
expect_eq "-S: meshdns still runs" "241.0.0.10" \
	"$(dig_short web.renamed.mesh.local A)"
finish
