#!/bin/bash
# forward-log.sh -- forwarding failures are logged where the operator
# looks: one warning per failed upstream ("connection refused, failing
# over", "timed out"), "all upstreams failed, SERVFAIL", rate-limited
# across the workers; the SERVFAILs are counted in the SIGUSR1 line.
# Upstream 1 is a closed port on 127.0.0.1 (the kernel refuses), upstream
# 2 a UDP socket that reads and drops every query.
. "${SRCDIR:?SRCDIR must name the source tree}/tests/system/lib.sh" || exit 1

command -v python3 >/dev/null 2>&1 || {
	fail "python3 is not installed"
	finish
}

cat >"$WORK/hole.py" <<'PY'
import socket
hole = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
hole.bind(("127.0.0.1", 0))
closed = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
closed.bind(("127.0.0.1", 0))
print(closed.getsockname()[1], hole.getsockname()[1], flush=True)
closed.close()
while True:
    hole.recv(65535)
PY
coproc HOLE { exec python3 "$WORK/hole.py"; }
HOLE_PID=$HOLE_PID
trap 'kill "$HOLE_PID" 2>/dev/null; cleanup' EXIT
read -r CLOSED_PORT HOLE_PORT <&"${HOLE[0]}"
if [ -z "$HOLE_PORT" ]; then
	fail "the dropping upstream did not start"
	finish
fi

# Two workers: the rate limit holds across them.
cat >"$WORK/fwd.yaml" <<YAML
workers: 2
forward:
  upstreams: ["127.0.0.1:$CLOSED_PORT", "127.0.0.1:$HOLE_PORT"]
  timeout: 300ms
YAML
start_meshdns -c "$WORK/fwd.yaml" -s "$WORK/state" || {
	fail "meshdns did not start"
	finish
}

out=$(dig_q example.test A)
expect_match "all upstreams down: SERVFAIL" "status: SERVFAIL" "$out"
wait_log "all upstreams failed" || true
expect_match "the refusing upstream is named, with the failover" \
	"warning: forward, upstream 127\.0\.0\.1:$CLOSED_PORT: connection refused, failing over$" "$(cat "$LOG")"
expect_match "the silent upstream timed out (the last: no failover)" \
	"warning: forward, upstream 127\.0\.0\.1:$HOLE_PORT: timed out$" "$(cat "$LOG")"
expect_match "the SERVFAIL is logged" \
	"warning: forward, all upstreams failed, SERVFAIL$" "$(cat "$LOG")"

# Many more failures, from both workers at once: a few lines only.
pids=()
for i in $(seq 1 40); do
	dig @127.0.0.1 -p "$PORT" +time=3 +tries=1 "n$i.example.test" A \
		>/dev/null 2>&1 &
	pids+=($!)
done
wait "${pids[@]}"
kill -USR1 "$PID"
wait_log "stats," || fail "no stats line after SIGUSR1"
expect_match "the SERVFAILs are counted" "servfails 41," \
	"$(grep 'stats,' "$LOG" | tail -n 1)"
refused=$(grep -c "upstream 127\.0\.0\.1:$CLOSED_PORT: connection refused" "$LOG")
timedout=$(grep -c "upstream 127\.0\.0\.1:$HOLE_PORT: timed out" "$LOG")
servfail=$(grep -c "all upstreams failed, SERVFAIL" "$LOG")
# 41 failures of each kind; one line per 10 s (a slow run may see two).
if [ "$refused" -ge 1 ] && [ "$refused" -le 3 ] &&
	[ "$timedout" -ge 1 ] && [ "$timedout" -le 3 ] &&
	[ "$servfail" -ge 1 ] && [ "$servfail" -le 3 ]; then
	pass "41 failures gave $refused, $timedout and $servfail lines"
else
	fail "41 failures gave $refused, $timedout and $servfail lines: not rate-limited"
fi
finish
