#!/bin/bash
# xfr/ixfr.sh -- IXFR (RFC 1995) from the journal: after a change (a
# resource file edited, SIGHUP) the IXFR from the old serial holds only
# that change; two changes come condensed into one sequence; a serial the
# journal lacks gets the whole zone (AXFR form), the current one the SOA
# alone, and over UDP the SOA alone always; transfer.journal.max-count
# bounds what is kept.
. "${SRCDIR:?SRCDIR must name the source tree}/tests/system/lib.sh" || exit 1
. "$SRCDIR/tests/system/xfr/common.sh" || exit 1

# serial ZONE: the zone's SOA serial.
serial() {
	dig_short "$1" SOA | awk '{ print $3 }'
}

# ixfr ZONE SERIAL [ARGS...]: the IXFR's RRs, one a line, single spaces.
ixfr() {
	local z=$1 s=$2
	shift 2
	axfr "$z" "IXFR=$s" "$@"
}

copy_zones
redis="$WORK/zones/default/redis.yaml"
write_config
start_meshdns -c "$WORK/meshdns.yaml" -r "$WORK/zones/default" -s "$WORK/state" || {
	fail "meshdns did not start"
	finish
}
s1=$(serial mesh.local)
r1=$(serial 241.in-addr.arpa)
whole=$(axfr mesh.local AXFR)

expect_eq "IXFR from the current serial: the SOA alone" \
	"$(printf '%s\n' "$whole" | head -1)" "$(ixfr mesh.local "$s1")"
out=$(ixfr mesh.local $((s1 - 1000)))
expect_eq "IXFR from a serial the journal lacks: the whole zone" "$whole" "$out"
expect_eq "IXFR over UDP: the SOA alone" "$(printf '%s\n' "$whole" | head -1)" \
	"$(ixfr mesh.local $((s1 - 1000)) +notcp)"

# ---- one change: redis's first port 6739 -> 6740
sed -i 's/  - port: 6739/  - port: 6740/; s/    targetPort: 6739/    targetPort: 6740/' "$redis"
kill -HUP "$PID"
wait_log "serving generation 2" || fail "no generation 2 after SIGHUP"
s2=$(serial mesh.local)
[ "$s2" != "$s1" ] && pass "the change bumped mesh.local's serial" || fail "serial unchanged: $s2"
soa1="mesh.local. 30 IN SOA localhost. nobody.invalid. $s1 3600 600 1209600 30"
soa2="mesh.local. 30 IN SOA localhost. nobody.invalid. $s2 3600 600 1209600 30"
expect_eq "IXFR after one change: only that change" \
	"$soa2
$soa1
redis.svc.mesh.local. 30 IN SRV 0 0 6739 redis.svc.mesh.local.
_6739._tcp.redis.svc.mesh.local. 30 IN SRV 0 0 6739 redis.svc.mesh.local.
$soa2
redis.svc.mesh.local. 30 IN SRV 0 0 6740 redis.svc.mesh.local.
_6740._tcp.redis.svc.mesh.local. 30 IN SRV 0 0 6740 redis.svc.mesh.local.
$soa2" "$(ixfr mesh.local "$s1")"
expect_eq "the same, signed with dig -y" "$(ixfr mesh.local "$s1")" \
	"$(ixfr mesh.local "$s1" -b 127.0.0.2 -y "$KEY")"
expect_eq "a zone the change did not touch: its serial kept" "$r1" "$(serial 241.in-addr.arpa)"
expect_eq "IXFR of that zone: the SOA alone" 1 "$(ixfr 241.in-addr.arpa "$r1" | wc -l)"

# ---- a second change: the port again, 6740 -> 6741; condensed
sleep 1	# a new second: the serial is max(old + 1, now) either way
sed -i 's/  - port: 6740/  - port: 6741/; s/    targetPort: 6740/    targetPort: 6741/' "$redis"
kill -HUP "$PID"
wait_log "serving generation 3" || fail "no generation 3 after SIGHUP"
s3=$(serial mesh.local)
soa3="mesh.local. 30 IN SOA localhost. nobody.invalid. $s3 3600 600 1209600 30"
expect_eq "IXFR across two changes: condensed into one (6740 never shows)" \
	"$soa3
$soa1
redis.svc.mesh.local. 30 IN SRV 0 0 6739 redis.svc.mesh.local.
_6739._tcp.redis.svc.mesh.local. 30 IN SRV 0 0 6739 redis.svc.mesh.local.
$soa3
redis.svc.mesh.local. 30 IN SRV 0 0 6741 redis.svc.mesh.local.
_6741._tcp.redis.svc.mesh.local. 30 IN SRV 0 0 6741 redis.svc.mesh.local.
$soa3" "$(ixfr mesh.local "$s1")"
expect_eq "IXFR from the middle serial: the second change only" \
	"$soa3
$soa2
redis.svc.mesh.local. 30 IN SRV 0 0 6740 redis.svc.mesh.local.
_6740._tcp.redis.svc.mesh.local. 30 IN SRV 0 0 6740 redis.svc.mesh.local.
$soa3
redis.svc.mesh.local. 30 IN SRV 0 0 6741 redis.svc.mesh.local.
_6741._tcp.redis.svc.mesh.local. 30 IN SRV 0 0 6741 redis.svc.mesh.local.
$soa3" "$(ixfr mesh.local "$s2")"
expect_eq "IXFR from refused 127.0.0.3" "; Transfer failed." \
	"$(dig_q -b 127.0.0.3 mesh.local "IXFR=$s1" | grep '^; Transfer')"
stop_meshdns

# ---- transfer.journal.max-count: 1 keeps the last change only
write_config "  journal: {max-count: 1}"
start_meshdns -c "$WORK/meshdns.yaml" -r "$WORK/zones/default" -s "$WORK/state" || {
	fail "meshdns did not start with transfer.journal"
	finish
}
t1=$(serial mesh.local)
gen=1
for p in 6742 6743; do
	sleep 1
	sed -i "s/  - port: 67[0-9][0-9]/  - port: $p/; s/    targetPort: 67[0-9][0-9]/    targetPort: $p/" "$redis"
	kill -HUP "$PID"
	gen=$((gen + 1))
	wait_log "serving generation $gen" || fail "no generation $gen after SIGHUP"
	[ $gen = 2 ] && t2=$(serial mesh.local)
done
expect_eq "max-count 1: the older serial gets the whole zone" "$(axfr mesh.local AXFR)" "$(ixfr mesh.local "$t1")"
expect_eq "max-count 1: the last change still incremental (4 SOAs, 2 RRs each way)" 8 \
	"$(ixfr mesh.local "$t2" | wc -l)"
finish
