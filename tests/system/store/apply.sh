#!/bin/bash
# store/apply.sh -- each change to Kuma's store is applied to the snapshot
# served, not built in full, when it can be: an INSERT, a status VIP
# UPDATE and a DELETE of a MeshService, and a HostnameGenerator edit
# (the names of the services it selects computed again), are applied
# incrementally; a change of Kuma's legacy VIP table and a Mesh delete
# cascading to its services are built in full, with the reason.
# The log line and meshdns_build_applies_total say which; the answers are
# right either way; a periodic re-read that finds nothing different
# publishes nothing; a bad row is reported and the next change is still
# applied incrementally.
. "$SRCDIR/tests/system/lib.sh"
. "$SRCDIR/tests/system/store/lib.sh"

command -v curl >/dev/null 2>&1 || {
	echo "FAIL: curl is not installed (contrib/bootstrap.sh installs it)"
	exit 1
}

pg_start
kuma_mesh default
kuma_default_generator
kuma_ms default redis 6379 241.0.0.7
kuma_insert Dataplane default backend-1 \
	'{"networking":{"address":"10.1.2.1","inbound":[{"port":1234,"tags":{"kuma.io/service":"backend"}}]}}'
kuma_dns_vips default backend=240.0.0.5

HPORT=$(free_tcp_port)
URL="http://127.0.0.1:$HPORT"
# config RESYNC: meshdns's config, with store.resync RESYNC.
config() {
	cat >"$WORK/meshdns.yaml" <<EOF2
http:
  listen: [127.0.0.1:$HPORT]
store:
  connection: "$(pg_conninfo)"
  resync: $1
EOF2
}
# No periodic re-read until its own part below: one that ran between a
# commit and its notification would apply that change in full.
config 1h
start_meshdns -c "$WORK/meshdns.yaml" || {
	fail "meshdns did not start"
	finish
}
wait_log "http on 127\.0\.0\.1:$HPORT" || fail "no 'http on' line"
expect_eq "served from the store" "241.0.0.7" \
	"$(dig_short redis.svc.mesh.local A)"
expect_eq "the legacy VIP Kuma recorded" "240.0.0.5" \
	"$(dig_short backend.mesh A)"

# metric NAME LABELS: the value of a sample of /metrics.
metric() {
	curl -s "$URL/metrics" | awk -v s="$1$2" '$1 == s { print $2 }'
}
applies() {
	metric meshdns_build_applies_total "{how=\"$1\"}"
}
expect_eq "no apply yet" "0 0" "$(applies incremental) $(applies full)"

kuma_ms default web 8080 241.0.0.8
wait_answer "an INSERT is served" web.svc.mesh.local A 241.0.0.8
wait_log "info: applied 1 change \(MeshService default/web\) incrementally in [0-9.]+ ms" ||
	fail "an INSERT: no 'applied ... incrementally' line"
expect_eq "an INSERT: counted incremental" "1" "$(applies incremental)"

kuma_set_status MeshService default redis "$(kuma_ms_status 241.0.0.9)"
wait_answer "a status VIP UPDATE is served" redis.svc.mesh.local A 241.0.0.9
wait_log "info: applied 1 change \(MeshService default/redis\) incrementally" ||
	fail "a status UPDATE: no 'applied ... incrementally' line"
expect_eq "a status UPDATE: counted incremental" "2" "$(applies incremental)"

kuma_delete MeshService default web
wait_answer "a DELETE is served" web.svc.mesh.local A ""
wait_log "info: applied 1 change \(MeshService default/web\) incrementally" 2 ||
	fail "a DELETE: no 'applied ... incrementally' line"
expect_eq "a DELETE: counted incremental" "3" "$(applies incremental)"
expect_eq "nothing built in full yet" "0" "$(applies full)"

# A bad row is reported with its type, mesh and name; the rest is served
# and the next change is still applied incrementally.
kuma_insert MeshService default bad \
	'{"selector":{},"ports":[{"port":0,"targetPort":1,"appProtocol":"tcp"}]}' \
	"$(kuma_ms_labels default bad)" "$(kuma_ms_status 241.0.0.20)"
wait_log "MeshService default/bad: .*port" ||
	fail "the bad row is not reported with its type, mesh and name"
kuma_ms default db 5432 241.0.0.10
wait_answer "after a bad row: an INSERT is served" db.svc.mesh.local A 241.0.0.10
wait_log "info: applied 1 change \(MeshService default/db\) incrementally" ||
	fail "after a bad row: not applied incrementally"
expect_eq "the bad row is not served" "" "$(dig_short bad.svc.mesh.local A)"

# A generator edited in place: incremental, and right.
full_before=$(applies full)
incr_before=$(applies incremental)
kuma_update HostnameGenerator "" local-universal-mesh-service \
	'{"selector":{"meshService":{"matchLabels":{"kuma.io/origin":"zone"}}},"template":"{{ .DisplayName }}.renamed.mesh.local"}' \
	'{"kuma.io/origin": "zone"}' '{}'
wait_answer "a HostnameGenerator edit renames" redis.renamed.mesh.local A \
	241.0.0.9
expect_eq "the old name is gone" "" "$(dig_short redis.svc.mesh.local A)"
wait_log "info: applied 1 change \(HostnameGenerator local-universal-mesh-service\) incrementally in [0-9.]+ ms" ||
	fail "a generator edit: not applied incrementally"
expect_eq "a generator edit: counted incremental" \
	"$((incr_before + 1)) $full_before" \
	"$(applies incremental) $(applies full)"

# Changes whose effects are broad: built in full, and right.
kuma_dns_vips default backend=240.0.0.6
wait_answer "Kuma's legacy VIP table changed" backend.mesh A 240.0.0.6
wait_log "info: applied a change in full in [0-9.]+ ms: Kuma's VIPs of legacy names changed" ||
	fail "a legacy VIP change: no 'in full: <why>' line"

full_before=$(applies full)
kuma_delete Mesh "" default
wait_answer "a Mesh delete cascades to its services" \
	redis.renamed.mesh.local A ""
expect_eq "every service of the mesh is gone" "" \
	"$(dig_short db.renamed.mesh.local A)"
expect_eq "the legacy name is gone" "" "$(dig_short backend.mesh A)"
wait_log "info: applied [0-9]+ changes \(Mesh default, .*\) in full in [0-9.]+ ms: a change of a kind whose effects are broad" ||
	fail "a Mesh delete: no 'in full: <why>' line"
expect_eq "a Mesh delete: counted full" "$((full_before + 1))" "$(applies full)"
expect_no_match "no SIGHUP was needed" "SIGHUP received" "$(cat "$LOG")"

# The periodic re-read (every second now) finds nothing different: no
# new generation.
kuma_mesh other
kuma_ms other cache 6000 241.0.0.30
wait_answer "a service of another mesh" cache.renamed.mesh.local A 241.0.0.30
stop_meshdns
config 1s
start_meshdns -c "$WORK/meshdns.yaml" || {
	fail "meshdns did not start again"
	finish
}
wait_log "http on 127\.0\.0\.1:$HPORT" || fail "no 'http on' line again"
expect_eq "served again" "241.0.0.30" \
	"$(dig_short cache.renamed.mesh.local A)"
gens=$(grep -c 'notice: serving generation' "$LOG")
resyncs=$(metric meshdns_store_resyncs_total "")
sleep 2.5
expect_eq "a re-read that finds nothing publishes nothing" "$gens" \
	"$(grep -c 'notice: serving generation' "$LOG")"
r2=$(metric meshdns_store_resyncs_total "")
[ "${r2:-0}" -gt "${resyncs:-0}" ] && pass "the re-reads ran ($resyncs -> $r2)" ||
	fail "no periodic re-read ran ($resyncs -> $r2)"
finish
