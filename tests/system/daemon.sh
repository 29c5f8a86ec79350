#!/bin/bash
# daemon.sh -- without -f: meshdns detaches, writes its pid file, and a
# SIGHUP still finds the relative paths it was started with.
. "${SRCDIR:?SRCDIR must name the source tree}/tests/system/lib.sh" || exit 1

copy_zones
cd "$WORK" || exit 1
started=0
for try in 1 2 3 4 5 6 7 8 9 10; do
	PORT=$(( (RANDOM % 30000) + 20000 ))
	if "$MESHDNS" -l "127.0.0.1:$PORT" -r zones/default -s state -p meshdns.pid \
		>"$LOG" 2>&1; then
		started=1
		break
	fi
	grep -q "Address already in use" "$LOG" || break
done
[ "$started" = 1 ] && pass "meshdns started as a daemon" || fail "meshdns did not start: $(cat "$LOG")"
for i in $(seq 50); do [ -s meshdns.pid ] && break; sleep 0.1; done
PID=$(cat meshdns.pid 2>/dev/null)
kill -0 "$PID" 2>/dev/null && pass "the pid file names a running process" || fail "no running process in meshdns.pid"
expect_eq "answers as a daemon" "241.0.0.5" "$(dig_short redis.svc.mesh.local)"

# A new service and SIGHUP: the daemon changed to /, yet it re-reads
# ./zones and writes ./state.
cat >zones/default/cache.yaml <<'YAML'
type: MeshService
name: cache
mesh: default
spec:
  ports:
  - port: 11211
    targetPort: 11211
YAML
kill -HUP "$PID"
got=""
for i in $(seq 50); do
	got=$(dig_short cache.svc.mesh.local)
	[ -n "$got" ] && break
	sleep 0.1
done
expect_eq "after SIGHUP the new service is answered" "241.0.0.6" "$got"
expect_match "the state file in the start directory was updated" "^assign 241\\.0\\.0\\.6 MeshService/default/cache$" "$(state_records state)"

kill -TERM "$PID"
for i in $(seq 50); do kill -0 "$PID" 2>/dev/null || break; sleep 0.1; done
PID=""
[ -e meshdns.pid ] && fail "the pid file was left behind" || pass "the pid file is removed at exit"

finish
