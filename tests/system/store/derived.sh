#!/bin/bash
# store/derived.sh -- with Kuma's store, meshdns serves what Kuma wrote,
# as kuma-dp does: it derives no MeshService from Dataplanes (Kuma's zone
# CP writes those into the store itself, with their VIPs) and adds no
# default HostnameGenerator (Kuma creates them in the store at start,
# unless told to skip them).  A Dataplane's service is served once Kuma's
# generator and allocator wrote its MeshService; a MeshService gets a
# name once a generator row exists.  Kuma's creation times order the
# services (the older wins a hostname collision), as in Kuma.
. "$SRCDIR/tests/system/lib.sh"
. "$SRCDIR/tests/system/store/lib.sh"

pg_start
kuma_insert Mesh "" default '{"meshServices":{"mode":"Everywhere"}}'
kuma_insert Dataplane default web-1 \
	'{"networking":{"address":"10.1.2.2","inbound":[{"port":8080,"tags":{"kuma.io/service":"web"}}]}}'
kuma_ms default redis 6379 241.0.0.7
# Two services one generator gives the same hostname: Kuma's older one
# (creation_time) wins, whatever the names' order.
kuma_ms default a-new 80 241.0.0.21
kuma_ms default b-old 80 241.0.0.22
psql_admin -c "UPDATE resources SET creation_time = '2024-01-01 10:00:00' WHERE name = 'b-old'" >/dev/null
kuma_insert HostnameGenerator "" shared \
	'{"selector":{"meshService":{"matchLabels":{"kuma.io/origin":"zone"}}},"template":"{{ .Mesh }}.shared.mesh.local"}' \
	'{"kuma.io/origin": "zone"}'

start_meshdns --store "$(pg_conninfo)" || {
	fail "meshdns did not start"
	finish
}
expect_eq "no default generator in the store: no hostname for redis" "" \
	"$(dig_short redis.svc.mesh.local A)"
expect_eq "a collision goes to the older service (creation_time)" \
	"241.0.0.22" "$(dig_short default.shared.mesh.local A)"
expect_eq "no MeshService row for web: not served" "" \
	"$(dig_short web.svc.mesh.local A)"
out=$("$MESHDNS" --store "$(pg_conninfo)" --status 2>&1)
expect_no_match "--status: no MeshService derived from the Dataplane" \
	"MeshService web " "$out"

# Kuma's zone CP creates its default generator.
kuma_default_generator
wait_answer "the store's generator names redis" redis.svc.mesh.local A \
	241.0.0.7
expect_eq "still no MeshService for web" "" \
	"$(dig_short web.svc.mesh.local A)"

# Kuma's MeshService generator writes web's MeshService (its labels,
# selector and ports), then its allocator the VIP.
kuma_insert MeshService default web \
	'{"selector":{"dataplaneTags":{"kuma.io/service":"web"}},"ports":[{"name":"8080","port":8080,"targetPort":8080,"appProtocol":"tcp"}]}' \
	'{"kuma.io/env": "universal", "kuma.io/mesh": "default", "kuma.io/zone": "default", "kuma.io/origin": "zone", "kuma.io/display-name": "web", "kuma.io/managed-by": "meshservice-generator"}' \
	"$(kuma_ms_status)"
sleep 0.5	# it would be served by now: Kuma has given it no VIP yet
expect_eq "Kuma's generated MeshService waits for Kuma's VIP" "" \
	"$(dig_short web.svc.mesh.local A)"
kuma_set_status MeshService default web "$(kuma_ms_status 241.0.0.8)"
wait_answer "then it is served with Kuma's VIP" web.svc.mesh.local A \
	241.0.0.8
finish
