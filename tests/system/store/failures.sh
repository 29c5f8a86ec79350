#!/bin/bash
# store/failures.sh -- what goes wrong with Kuma's store: a row that does
# not validate is reported by type, mesh and name while the rest serves
# (at start and live); a failed read of changed rows is read again in
# full a second later; the database going away keeps the last state
# serving, logged once, and what changed meanwhile is read after the
# reconnect; a wrong password, an unknown database, a database without
# Kuma's schema or with an older one are clear errors at start.
. "$SRCDIR/tests/system/lib.sh"
. "$SRCDIR/tests/system/store/lib.sh"

pg_start
kuma_mesh default
kuma_default_generator
kuma_ms default redis 6379 241.0.0.7
kuma_insert MeshService default bad \
	'{"state":"Unavailable","ports":[{"port":0,"targetPort":0,"appProtocol":"tcp"}]}' \
	"$(kuma_ms_labels default bad)" "$(kuma_ms_status 241.0.0.20)"

# /metrics and /ready show the store's state (http.listen).
HPORT=$(( (RANDOM % 20000) + 40000 ))
printf 'http:\n  listen: 127.0.0.1:%s\n' "$HPORT" >"$WORK/http.yaml"
URL="http://127.0.0.1:$HPORT"
start_meshdns -c "$WORK/http.yaml" --store "$(pg_conninfo)" || {
	fail "meshdns did not start with a bad row"
	finish
}
m=$(curl -s "$URL/metrics")
expect_match "/metrics: the store is connected" "^meshdns_store_connected 1$" "$m"
expect_match "/metrics: no disconnect yet" "^meshdns_store_disconnects_total 0$" "$m"
expect_eq "/ready once the store is read" "200" \
	"$(curl -s -o /dev/null -w '%{http_code}' "$URL/ready")"
expect_match "a bad row is named by type, mesh and name" \
	'error: MeshService default/bad: .*port' "$(cat "$LOG")"
expect_eq "the rest is served" "241.0.0.7" \
	"$(dig_short redis.svc.mesh.local A)"

kuma_insert MeshService default worse '{"ports":"nope"}' \
	"$(kuma_ms_labels default worse)" "$(kuma_ms_status 241.0.0.21)"
kuma_ms default web 8080 241.0.0.8
wait_answer "a change next to a bad row is served" web.svc.mesh.local A \
	241.0.0.8
expect_match "a bad row read live is reported" \
	'error: MeshService default/worse: ' "$(cat "$LOG")"

# A read of the changed rows that fails while connected (SELECT taken
# away): logged, and every row is read again a second later, not at the
# next store.resync (5 minutes), once the read works again.
psql_admin -c "REVOKE SELECT ON resources FROM meshdns" >/dev/null
kuma_ms default late 7070 241.0.0.30
if wait_log "store: cannot read the store: .*permission denied.*reading every row again in 1 s"; then
	pass "a failed read of the changed rows is logged"
else
	fail "a failed read of the changed rows is logged"
fi
psql_admin -c "GRANT SELECT ON resources TO meshdns" >/dev/null
wait_answer "the change is read once the read works again" \
	late.svc.mesh.local A 241.0.0.30

# The database goes away: answers keep coming.
pg_stop
wait_log "store: .*serving the last state read" || \
	fail "the lost connection is not logged"
expect_eq "answers while the store is gone" "241.0.0.8" \
	"$(dig_short web.svc.mesh.local A)"
m=$(curl -s "$URL/metrics")
expect_match "/metrics: the store is not connected" "^meshdns_store_connected 0$" "$m"
expect_match "/metrics: one disconnect" "^meshdns_store_disconnects_total 1$" "$m"
expect_eq "/ready is 503 while the store is gone" "503" \
	"$(curl -s -o /dev/null -w '%{http_code}' "$URL/ready")"
expect_match "/ready names the store" "store" "$(curl -s "$URL/ready")"
# Changes meshdns cannot see: the server on another port for a while.
PGPORT=5433
pg_server_start
kuma_delete MeshService default web
kuma_ms default api 9090 241.0.0.9
pg_stop
expect_eq "still the last state" "241.0.0.8" \
	"$(dig_short web.svc.mesh.local A)"
PGPORT=5432
pg_server_start
WAIT_TRIES=600 wait_answer "after the reconnect, an INSERT made meanwhile" \
	api.svc.mesh.local A 241.0.0.9
wait_answer "and a DELETE made meanwhile" web.svc.mesh.local A ""
expect_eq "the loss is logged once" "1" \
	"$(grep -c 'serving the last state read' "$LOG")"
expect_eq "the reconnect is logged once" "1" \
	"$(grep -c 'store: connected again' "$LOG")"
kuma_set_status MeshService default api "$(kuma_ms_status 241.0.0.10)"
wait_answer "notifications again after the reconnect" api.svc.mesh.local A \
	241.0.0.10
m=$(curl -s "$URL/metrics")
expect_match "/metrics: connected again" "^meshdns_store_connected 1$" "$m"
expect_match "/metrics: one reconnect" "^meshdns_store_reconnects_total 1$" "$m"
expect_match "/metrics: the notifications are counted" "^meshdns_store_notifications_total [1-9][0-9]*$" "$m"
expect_match "/metrics: the time of the last change" "^meshdns_store_last_change_timestamp_seconds 1[0-9]{9}$" "$m"
expect_eq "/ready again" "200" \
	"$(curl -s -o /dev/null -w '%{http_code}' "$URL/ready")"
if printf '%s\n' "$m" | promtool check metrics >"$WORK/promtool.out" 2>&1; then
	pass "promtool accepts /metrics with the store's families"
else
	fail "promtool: $(cat "$WORK/promtool.out")"
fi
stop_meshdns

# Errors at start: exit 1 with a clear message.
start_error() {
	out=$(timeout 20 "$MESHDNS" -f -l 127.0.0.1:1 --store "$2" 2>&1)
	rc=$?
	expect_eq "$1: exit status" "1" "$rc"
	expect_match "$1: message" "$3" "$out"
}
start_error "a wrong password" "$(pg_conninfo meshdns wrong)" \
	'error: cannot connect to the store: .*password authentication failed for user "meshdns"'
start_error "an unknown database" "$(pg_conninfo meshdns meshdns nope)" \
	'error: cannot connect to the store: .*database "nope" does not exist'
psql_admin -c "CREATE DATABASE empty" >/dev/null
start_error "a database without Kuma's schema" \
	"$(pg_conninfo meshdns meshdns empty)" \
	'error: the store has no table schema_migrations: .*expected schema version 1710856785'
psql_admin -c "UPDATE schema_migrations SET version = 1701180642" >/dev/null
start_error "an older schema" "$(pg_conninfo)" \
	"error: the store's schema is version 1701180642, meshdns reads version 1710856785 .*kuma-cp migrate up"
out=$("$MESHDNS" -t --store "$(pg_conninfo)" 2>&1)
expect_eq "-t: exit status" "1" "$?"
expect_match "-t says why" "store: the store's schema is version 1701180642" \
	"$out"
finish
