#!/bin/bash
# protocol/tcp.sh -- TCP framing: connections that do not block each
# other, a query sent in pieces, pipelining, and the idle timeout.
. "${SRCDIR:?SRCDIR must name the source tree}/tests/system/lib.sh" || exit 1
. "$SRCDIR/tests/system/protocol/common.sh" || exit 1

start_defaults

# ---- TCP
# Three connections at once: one silent, one that sends its query a
# piece at a time (the length prefix split too), one from dig.  None
# blocks another.  The answer to "redis.mesh A", ID 0001, RD, no EDNS,
# byte for byte: length 44, flags qr aa rd, the question, the A RR with
# a pointer to the question, TTL 30, 241.0.0.5.
exec 3<>/dev/tcp/127.0.0.1/"$PORT"
exec 4<>/dev/tcp/127.0.0.1/"$PORT"
tcp_send 4 "00"
sleep 0.1
tcp_send 4 "1c0001"
sleep 0.1
expect_eq "dig over TCP while two connections are open, one mid-query" "241.0.0.5" \
	"$(dig_short +tcp redis.svc.mesh.local)"
tcp_send 4 "${q:4}"
expect_eq "a query sent in three pieces: the exact answer" "$a" "$(tcp_recv 4 46)"
tcp_send 3 "$qf"
expect_eq "the silent connection still answers" "$a" "$(tcp_recv 3 46)"
exec 3<&- 4<&-

# Pipelined: five queries in one write, answered in order with the
# lengths each needs: the 40 SRV (1654 bytes without OPT), NXDOMAIN with
# the SOA, FORMERR (QDCOUNT 0), NOTIMP (NOTIFY), an A with EDNS.
out=$("$DNSRAW" -t "$PORT" \
	"000a01000001000000000000$(wire wider.svc.mesh.local)00210001" \
	"000b01000001000000000000$(wire nope.mesh)00010001" \
	"000c01000000000000000000" \
	"000d20000001000000000000${q_redis_mesh}" \
	"000e01000001000000000001${q_redis_mesh}${opt}")
expect_eq "pipelined queries answered in order, each whole" "rcode=0 qr=1 aa=1 tc=0 id=000a len=1654
rcode=3 qr=1 aa=1 tc=0 id=000b len=86
rcode=1 qr=1 aa=0 tc=0 id=000c len=12
rcode=4 qr=1 aa=0 tc=0 id=000d len=28
rcode=0 qr=1 aa=1 tc=0 id=000e len=55" "$out"

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
