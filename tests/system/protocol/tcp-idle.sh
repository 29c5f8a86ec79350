#!/bin/bash
# protocol/tcp-idle.sh -- the TCP idle timeout (tcp.idle-timeout: 2s): an
# idle connection is closed after it, not before, and a query restarts the
# clock.  Only lower bounds on time are asserted, and waits are generous:
# on a loaded machine everything can only come later, never sooner.
. "${SRCDIR:?SRCDIR must name the source tree}/tests/system/lib.sh" || exit 1
. "$SRCDIR/tests/system/protocol/common.sh" || exit 1

TCP_IDLE=2s start_defaults

# A connection that sends nothing is closed by the server after the idle
# timeout (its clock starts at accept, before t0), not before.
exec 3<>/dev/tcp/127.0.0.1/"$PORT"
t0=$EPOCHREALTIME
state=$(closed 3 10)
t1=$EPOCHREALTIME
exec 3<&-
ms=$(elapsed "$t0" "$t1")
expect_eq "an idle connection is closed by the server" "closed" "$state"
if [ "$ms" -ge 1500 ]; then
	pass "closed after the idle timeout (${ms} ms, 2 s configured)"
else
	fail "idle connection closed after ${ms} ms, before the 2 s idle timeout"
fi
# A query half a second in restarts the clock: the connection then lives
# at least 0.5 + 2 s from t0, where without the restart it would be closed
# 2 s after accept.
exec 3<>/dev/tcp/127.0.0.1/"$PORT"
t0=$EPOCHREALTIME
sleep 0.5
tcp_send 3 "$qf"
expect_eq "a query on a connection 0.5 s old is answered" "$a" "$(tcp_recv 3 46)"
state=$(closed 3 10)
t2=$EPOCHREALTIME
exec 3<&-
ms=$(elapsed "$t0" "$t2")
expect_eq "the used connection is closed once idle" "closed" "$state"
if [ "$ms" -ge 2400 ]; then
	pass "activity restarts the idle clock (${ms} ms open)"
else
	fail "closed ${ms} ms after opening: the query 0.5 s in did not restart the 2 s idle clock"
fi

finish
