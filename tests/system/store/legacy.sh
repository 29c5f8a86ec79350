#!/bin/bash
# store/legacy.sh -- legacy <kuma.io/service>.mesh names with Kuma's store:
# served with the VIPs Kuma 2.x records in its Config resource
# kuma-<mesh>-dns-vips, followed live; a service Kuma has no VIP for is
# not served; vip.allocate: true gives meshdns's own VIPs instead.
. "$SRCDIR/tests/system/lib.sh"
. "$SRCDIR/tests/system/store/lib.sh"

pg_start
kuma_mesh default
# Kuma's zone CP writes its default generators into the store at start.
kuma_default_generator
kuma_insert Dataplane default backend-1 \
	'{"networking":{"address":"10.1.2.1","inbound":[{"port":1234,"tags":{"kuma.io/service":"backend"}}]}}'
kuma_insert Dataplane default web-1 \
	'{"networking":{"address":"10.1.2.2","inbound":[{"port":8080,"tags":{"kuma.io/service":"web"}}]}}'
kuma_dns_vips default backend=240.0.0.5

start_meshdns --store "$(pg_conninfo)" || {
	fail "meshdns did not start"
	finish
}
expect_eq "the legacy VIP Kuma recorded" "240.0.0.5" \
	"$(dig_short backend.mesh A)"
expect_eq "no VIP recorded: not served" "" "$(dig_short web.mesh A)"
kuma_dns_vips default backend=240.0.0.5 web=240.0.0.6
wait_answer "Kuma's allocator adds a VIP, without SIGHUP" web.mesh A \
	240.0.0.6
stop_meshdns

cat >"$WORK/allocate.yaml" <<EOF2
vip:
  allocate: true
store:
  connection: "$(pg_conninfo)"
  resync: 1m
EOF2
start_meshdns -c "$WORK/allocate.yaml" || {
	fail "meshdns did not start with store: as a mapping"
	finish
}
expect_match "vip.allocate: true: meshdns's own VIPs" '^240\.' \
	"$(dig_short web.mesh A)"
kuma_ms default redis 6379
got=""
i=0
while [ $i -lt 100 ] && ! printf '%s' "$got" | grep -Eq '^241\.'; do
	sleep 0.1
	got=$(dig_short redis.svc.mesh.local A)
	i=$((i + 1))
done
expect_match "vip.allocate: true: a service without a VIP in its status is served" \
	'^241\.' "$got"
finish
