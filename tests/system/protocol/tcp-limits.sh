#!/bin/bash
# protocol/tcp-limits.sh -- tcp.max-connections (the oldest connection
# makes room, with one worker and shared by two) and a client that does
# not read its answers (partial writes).
. "${SRCDIR:?SRCDIR must name the source tree}/tests/system/lib.sh" || exit 1
. "$SRCDIR/tests/system/protocol/common.sh" || exit 1

start_mapped

# Connection limit: open five, the two oldest are closed; a new query
# closes the next oldest and is answered; the others still answer.
before=$(stats)
for fd in 3 4 5 6 7; do
	eval "exec $fd<>/dev/tcp/127.0.0.1/$PORT"
	sleep 0.05
done
sleep 0.1
expect_eq "limit 3, 5 open: the two oldest are closed, the rest open" \
	"closed closed open open open" \
	"$(closed 3 1) $(closed 4 1) $(closed 5 0.1) $(closed 6 0.1) $(closed 7 0.1)"
expect_eq "a new connection at the limit is answered" "241.0.0.5" "$(dig_short +tcp redis.mesh)"
expect_eq "... and the oldest open one made room" "closed open open" \
	"$(closed 5 1) $(closed 6 0.1) $(closed 7 0.1)"
tcp_send 7 "$qf"
expect_eq "the newest of the five still answers" "$a" "$(tcp_recv 7 46)"
after=$(stats)
expect_eq "stats: 3 connections closed for room" \
	"$(( $(counter "$before" room) + 3 ))" "$(counter "$after" room)"
exec 3<&- 4<&- 5<&- 6<&- 7<&-

# Partial writes: a client pipelines 8192 queries for the 40 SRV (13.5 MB
# of answers, more than the socket buffers hold) and does not read.  The
# one worker's loop must not block on it: dig over UDP and TCP is
# answered meanwhile, and then every answer arrives, whole.
h="000a01000001000000000000$(wire wider.svc.mesh.local)00210001"
printf "$(printf '%04x%s' $((${#h} / 2)) "$h" | sed 's/../\\x&/g')" >"$WORK/q.bin"
for i in 1 2 3 4 5 6 7 8 9 10 11 12 13; do
	cat "$WORK/q.bin" "$WORK/q.bin" >"$WORK/q2.bin"
	mv "$WORK/q2.bin" "$WORK/q.bin"
done
expect_eq "8192 framed queries written" "$((8192 * 40))" "$(wc -c <"$WORK/q.bin")"
exec 3<>/dev/tcp/127.0.0.1/"$PORT"
cat "$WORK/q.bin" >&3 &
writer=$!
sleep 0.5
expect_eq "a client not reading its answers: UDP still answered" "241.0.0.5" "$(dig_short redis.mesh)"
expect_eq "a client not reading its answers: TCP still answered" "241.0.0.5" "$(dig_short +tcp redis.mesh)"
expect_eq "then all 8192 answers arrive (1656 bytes each, framed)" "$((8192 * 1656))" \
	"$(timeout 10 head -c $((8192 * 1656)) <&3 | wc -c)"
wait "$writer"
exec 3<&-
stop_meshdns

start_pool
# tcp.max-connections is the server's limit, whatever the number of
# workers: of six connections three stay open.
for fd in 3 4 5 6 7 8; do
	eval "exec $fd<>/dev/tcp/127.0.0.1/$PORT"
	sleep 0.05
done
sleep 0.2
open=0
for fd in 3 4 5 6 7 8; do
	[ "$(closed $fd 0.2)" = open ] && open=$((open + 1))
done
exec 3<&- 4<&- 5<&- 6<&- 7<&- 8<&-
expect_eq "workers: 2, max-connections: 3, six opened: three stay open" "3" "$open"

finish
