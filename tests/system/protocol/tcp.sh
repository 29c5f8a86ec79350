#!/bin/bash
# protocol/tcp.sh -- TCP framing: connections that do not block each
# other, a query sent in pieces, pipelining.  With the default idle
# timeout (10 s): the silent connection must outlive the others' queries,
# which take more than a second on a loaded machine.
. "${SRCDIR:?SRCDIR must name the source tree}/tests/system/lib.sh" || exit 1
. "$SRCDIR/tests/system/protocol/common.sh" || exit 1

TCP_IDLE=10s start_defaults

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

finish
