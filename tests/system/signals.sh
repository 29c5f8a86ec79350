#!/bin/bash
# signals.sh -- SIGUSR1 logs the counters; SIGTERM while a reload builds
# stops meshdns cleanly (the build thread is joined, exit status 0, the
# counters logged once more, the pid file removed); SIGINT stops it too.
. "${SRCDIR:?SRCDIR must name the source tree}/tests/system/lib.sh" || exit 1

copy_zones
# Enough services that a build takes a while, so that SIGTERM comes
# while it runs.
awk 'BEGIN {
	for (i = 0; i < 10000; i++)
		printf "---\ntype: MeshService\nname: s%d\nmesh: default\nspec:\n  ports:\n  - port: 80\n    targetPort: 8080\n", i
}' >"$WORK/zones/default/many.yaml"
# SIGHUP is what this test is about: no watching (watch.sh tests it).
printf 'watch: false\n' >"$WORK/nowatch.yaml"
start_meshdns -c "$WORK/nowatch.yaml" -r "$WORK/zones/default" -s "$WORK/state" -p "$WORK/meshdns.pid" || {
	fail "meshdns did not start"
	finish
}
expect_eq "answers" "241.0.0.5" "$(dig_short redis.svc.mesh.local)"

kill -USR1 "$PID"
wait_log 'stats, ' || fail "no stats line after SIGUSR1"
expect_match "SIGUSR1 logs the counters" \
	"notice: stats, queries udp 1 tcp 0, authoritative 1, hidden 0, refused 0, errors 0, dropped 0, search-nxdomain 0, chaos 0, forwarded 0 \(answers 0, timeouts 0, failovers 0, tcp-retries 0, servfails 0, in-flight 0\), tcp connections 0 \(closed for room 0\)$" \
	"$(cat "$LOG")"

# A changed input, so that the reload builds; SIGTERM while it does.
printf -- '---\ntype: MeshService\nname: extra\nmesh: default\nspec:\n  ports:\n  - port: 80\n    targetPort: 8080\n' >>"$WORK/zones/default/many.yaml"
kill -HUP "$PID"
wait_log 'reload, building a new snapshot' || fail "the reload did not build"
kill -TERM "$PID"
rc=0
wait "$PID" || rc=$?
PID=""
expect_eq "SIGTERM during a build: exit status 0" 0 "$rc"
expect_match "SIGTERM is logged" "notice: signal 15 received, stopping" "$(cat "$LOG")"
expect_no_match "the build's snapshot is not served after the stop" "serving generation 2" "$(cat "$LOG")"
expect_eq "the counters are logged again at exit" 2 "$(grep -c 'stats, ' "$LOG")"
[ -e "$WORK/meshdns.pid" ] && fail "the pid file was left behind" || pass "the pid file is removed at exit"

KEEP_PORT=1 start_meshdns -r "$WORK/zones/default" -s "$WORK/state" || {
	fail "meshdns did not start again"
	finish
}
kill -INT "$PID"
rc=0
wait "$PID" || rc=$?
PID=""
expect_eq "SIGINT: exit status 0" 0 "$rc"
expect_match "SIGINT is logged" "notice: signal 2 received, stopping" "$(cat "$LOG")"

finish
