#!/bin/bash
# protocol/tcp-idle.sh -- the TCP idle timeout (tcp.idle-timeout: 1s): an
# idle connection is closed after it, a query restarts the clock.
. "${SRCDIR:?SRCDIR must name the source tree}/tests/system/lib.sh" || exit 1
. "$SRCDIR/tests/system/protocol/common.sh" || exit 1

start_defaults

# Idle timeout (1 s here): a connection that sends nothing is closed by
# the server after a second, not before; a query restarts the clock.
exec 3<>/dev/tcp/127.0.0.1/"$PORT"
t0=$EPOCHREALTIME
state=$(closed 3 4)
t1=$EPOCHREALTIME
exec 3<&-
ms=$(elapsed "$t0" "$t1")
expect_eq "an idle connection is closed by the server" "closed" "$state"
if [ "$ms" -ge 700 ] && [ "$ms" -le 3000 ]; then
	pass "closed after the idle timeout (${ms} ms, 1 s configured)"
else
	fail "idle connection closed after ${ms} ms, expected about 1000"
fi
exec 3<>/dev/tcp/127.0.0.1/"$PORT"
t0=$EPOCHREALTIME
sleep 0.6
tcp_send 3 "$qf"
expect_eq "a query on a connection 0.6 s old is answered" "$a" "$(tcp_recv 3 46)"
t1=$EPOCHREALTIME
state=$(closed 3 4)
t2=$EPOCHREALTIME
exec 3<&-
ms=$(elapsed "$t0" "$t2")
ms_q=$(elapsed "$t1" "$t2")
expect_eq "the used connection is closed once idle" "closed" "$state"
if [ "$ms" -ge 1300 ] && [ "$ms_q" -ge 700 ]; then
	pass "activity restarts the idle clock (${ms} ms open, ${ms_q} ms after the answer)"
else
	fail "closed ${ms} ms after opening, ${ms_q} ms after the answer: the query did not restart the 1 s idle clock"
fi

finish
