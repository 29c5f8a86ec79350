#!/bin/bash
# xfr/ixfr-watch.sh -- IXFR after changes applied from watched resource
# files (no SIGHUP; incremental builds patch the table): the IXFR from the
# old serial holds exactly the change, two changes come condensed, and the
# AXFR after them is the zone a fresh start on the same files serves.
. "${SRCDIR:?SRCDIR must name the source tree}/tests/system/lib.sh" || exit 1
. "$SRCDIR/tests/system/xfr/common.sh" || exit 1

serial() {
	dig_short "$1" SOA | awk '{ print $3 }'
}

# wait_serial ZONE OLD: poll until ZONE's serial is not OLD (10 s at
# most: a bound for slow machines, not a timing assertion); prints it.
wait_serial() {
	local s=""
	for _ in $(seq 200); do
		s=$(serial "$1")
		[ -n "$s" ] && [ "$s" != "$2" ] && break
		sleep 0.05
	done
	printf '%s\n' "$s"
}

ixfr() {
	local z=$1 s=$2
	shift 2
	axfr "$z" "IXFR=$s" "$@"
}

soa() {
	echo "mesh.local. 30 IN SOA localhost. nobody.invalid. $1 3600 600 1209600 30"
}

copy_zones
Z="$WORK/zones/default"
write_config
start_meshdns -c "$WORK/meshdns.yaml" -r "$Z" -s "$WORK/state" || {
	fail "meshdns did not start"
	finish
}
s1=$(serial mesh.local)

# ---- one watched change: redis's port 6739 -> 6740
sed -i 's/  - port: 6739/  - port: 6740/; s/    targetPort: 6739/    targetPort: 6740/' "$Z/redis.yaml"
s2=$(wait_serial mesh.local "$s1")
[ "$s2" != "$s1" ] && pass "the watched change bumped the serial" ||
	fail "serial unchanged: $s2"
expect_eq "IXFR after one watched change: only that change" \
	"$(soa "$s2")
$(soa "$s1")
redis.svc.mesh.local. 30 IN SRV 0 0 6739 redis.svc.mesh.local.
_6739._tcp.redis.svc.mesh.local. 30 IN SRV 0 0 6739 redis.svc.mesh.local.
$(soa "$s2")
redis.svc.mesh.local. 30 IN SRV 0 0 6740 redis.svc.mesh.local.
_6740._tcp.redis.svc.mesh.local. 30 IN SRV 0 0 6740 redis.svc.mesh.local.
$(soa "$s2")" "$(ixfr mesh.local "$s1")"

# ---- a second one: a new service in a new file
sleep 1	# a new second: the serial is max(old + 1, now) either way
cat >"$Z/cache.yaml" <<'YAML'
type: MeshService
name: cache
mesh: default
spec:
  ports:
  - port: 11211
    targetPort: 11211
YAML
s3=$(wait_serial mesh.local "$s2")
out=$(ixfr mesh.local "$s1")
expect_eq "IXFR across two watched changes: 4 SOAs" 4 \
	"$(printf '%s\n' "$out" | grep -c ' IN SOA ')"
expect_eq "... first and last the current SOA" "$(soa "$s3")
$(soa "$s3")" "$(printf '%s\n' "$out" | sed -n '1p;$p')"
expect_eq "... the old port deleted, never 6740" \
	"redis.svc.mesh.local. 30 IN SRV 0 0 6739 redis.svc.mesh.local.
_6739._tcp.redis.svc.mesh.local. 30 IN SRV 0 0 6739 redis.svc.mesh.local." \
	"$(printf '%s\n' "$out" | awk '/ IN SOA /{ n++; next } n == 2')"
added=$(printf '%s\n' "$out" | awk '/ IN SOA /{ n++; next } n == 3')
expect_match "... the new port added" "_6740._tcp.redis.svc.mesh.local. 30 IN SRV" "$added"
expect_match "... the new service added" "^cache.svc.mesh.local. 30 IN A 241\." "$added"
expect_eq "IXFR from the middle serial: the new service only" 0 \
	"$(ixfr mesh.local "$s2" | grep -c redis)"

# ---- the AXFR of the patched zone is that of a whole build: a fresh
# start on the same files and state (VIPs kept), its SOA aside
patched=$(axfr mesh.local AXFR | grep -v ' IN SOA ' | sort)
stop_meshdns
start_meshdns -c "$WORK/meshdns.yaml" -r "$Z" -s "$WORK/state" || {
	fail "meshdns did not start again"
	finish
}
whole=$(axfr mesh.local AXFR | grep -v ' IN SOA ' | sort)
expect_match "the zone holds the new service" "^cache.svc.mesh.local. " "$whole"
expect_eq "AXFR after the watched changes = AXFR of a fresh start" \
	"$whole" "$patched"
finish
