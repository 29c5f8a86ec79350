#!/bin/bash
# store/burst.sh -- a change whose notification comes while meshdns reads
# the store is served without waiting for store.resync.  PostgreSQL sends
# a NOTIFY to a listening session just before ReadyForQuery, so one that
# comes during meshdns's own query arrives with its answer, and libpq
# queues it without the socket becoming readable again.
#
# Made deterministic with a lock: session A holds resources in ACCESS
# EXCLUSIVE mode and writes r2 (silently: its NOTIFY is sent by hand,
# below, so that it comes at a known moment); a notification for r1 makes
# meshdns read r1, and that read waits for A's lock; r2's notification is
# committed while it waits; then A commits.  store.resync is 1h, so only
# the notification can bring r2.
. "$SRCDIR/tests/system/lib.sh"
. "$SRCDIR/tests/system/store/lib.sh"

# notify NAME: the notification Kuma's trigger sends for MeshService NAME
# of mesh default (the same JSON as notify_event() in lib.sh).
notify() {
	psql_admin -v name="$1" >/dev/null <<-'EOF'
	SELECT pg_notify('resource_events', json_build_object('action',
	    'INSERT', 'data', json_build_object('name', :'name',
	    'mesh', 'default', 'type', 'MeshService'))::text);
	EOF
}

# poll WHAT SQL: wait (10 s at most) until SQL returns t.
poll() {
	i=0
	while [ $i -lt 100 ]; do
		[ "$(psql_admin -At -c "$2")" = t ] && return 0
		sleep 0.1
		i=$((i + 1))
	done
	fail "$1 did not happen"
	finish
}

pg_start
psql_admin -c "CREATE TABLE go (x int)"
kuma_mesh default
kuma_default_generator
kuma_ms default r1 6379 241.0.0.7
cat >"$WORK/meshdns.yaml" <<EOF2
store:
  connection: "$(pg_conninfo)"
  resync: 1h
EOF2
start_meshdns -c "$WORK/meshdns.yaml" || {
	fail "meshdns did not start"
	finish
}
expect_eq "r1 is served" "241.0.0.7" "$(dig_short r1.svc.mesh.local A)"

# Session A: Kuma's INSERT of r2 (its trigger off for this transaction)
# under the lock, committed once the table go has a row.
psql_admin -v name=r2 -v spec="$(kuma_ms_spec r2 6380)" \
	-v labels="$(kuma_ms_labels default r2)" \
	-v status="$(kuma_ms_status 241.0.0.8)" >"$WORK/a.log" 2>&1 <<-'EOF' &
BEGIN;
LOCK TABLE resources IN ACCESS EXCLUSIVE MODE;
SET LOCAL session_replication_role = replica;
INSERT INTO resources (name, mesh, type, version, spec, creation_time,
    modification_time, owner_name, owner_mesh, owner_type, labels, status)
VALUES (:'name', 'default', 'MeshService', 0, :'spec',
    now() AT TIME ZONE 'UTC', now() AT TIME ZONE 'UTC', 'default', '',
    'Mesh', :'labels'::jsonb, :'status'::jsonb);
DO $$
BEGIN
	FOR i IN 1..600 LOOP
		EXIT WHEN EXISTS (SELECT 1 FROM go);
		PERFORM pg_sleep(0.05);
	END LOOP;
END
$$;
COMMIT;
EOF
APID=$!
poll "session A's lock" "SELECT EXISTS (SELECT 1 FROM pg_locks
    WHERE relation = 'resources'::regclass
    AND mode = 'AccessExclusiveLock' AND granted)"
notify r1
poll "meshdns's read of r1 waiting for the lock" "SELECT EXISTS (SELECT 1
    FROM pg_locks l JOIN pg_stat_activity a USING (pid)
    WHERE l.relation = 'resources'::regclass AND NOT l.granted
    AND a.usename = 'meshdns')"
notify r2
psql_admin -c "INSERT INTO go VALUES (1)"
wait "$APID" || {
	fail "session A failed: $(cat "$WORK/a.log")"
	finish
}
wait_answer "a notification that came during a read is taken" \
	r2.svc.mesh.local A 241.0.0.8
expect_eq "r1 is still served" "241.0.0.7" "$(dig_short r1.svc.mesh.local A)"
finish
