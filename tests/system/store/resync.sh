#!/bin/bash
# store/resync.sh -- the periodic full re-read (store.resync) repairs a
# change whose notification was lost; the store's keys apply at start
# only, and a reload that changes them says so without printing the
# connection string (it may hold a password).
. "$SRCDIR/tests/system/lib.sh"
. "$SRCDIR/tests/system/store/lib.sh"

pg_start
kuma_mesh default
kuma_default_generator
kuma_ms default redis 6379 241.0.0.7
cat >"$WORK/meshdns.yaml" <<EOF2
store:
  connection: "$(pg_conninfo)"
  resync: 1s
EOF2
start_meshdns -c "$WORK/meshdns.yaml" || {
	fail "meshdns did not start"
	finish
}
expect_eq "served from the store" "241.0.0.7" \
	"$(dig_short redis.svc.mesh.local A)"

# A change without its notification: the trigger is off for a moment.
psql_admin -c "ALTER TABLE resources DISABLE TRIGGER products_notify_event"
kuma_set_status MeshService default redis "$(kuma_ms_status 241.0.0.8)"
psql_admin -c "ALTER TABLE resources ENABLE TRIGGER products_notify_event"
wait_answer "the periodic re-read finds a change never notified" \
	redis.svc.mesh.local A 241.0.0.8
expect_match "and says so" "store: the periodic re-read found changes" \
	"$(cat "$LOG")"

cat >"$WORK/meshdns.yaml" <<EOF2
store:
  connection: "$(pg_conninfo) application_name=other"
  resync: 2s
EOF2
kill -HUP "$PID"
wait_log "at start only" || fail "no start-only warning"
expect_match "store keys apply at start only" \
	"store\.connection \(in effect: the one meshdns started with\), store\.resync \(in effect: 1s\)" \
	"$(cat "$LOG")"
expect_no_match "the connection string is never logged" "password=" \
	"$(cat "$LOG")"
finish
