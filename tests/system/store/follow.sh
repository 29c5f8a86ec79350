#!/bin/bash
# store/follow.sh -- meshdns --store serves Kuma's store and follows every
# change without SIGHUP: an INSERT, the VIP the allocator records, an
# UPDATE, a DELETE, a Mesh delete cascading to its services and a
# HostnameGenerator edit; a service without a VIP waits for Kuma's.
. "$SRCDIR/tests/system/lib.sh"
. "$SRCDIR/tests/system/store/lib.sh"

pg_start
kuma_mesh default
kuma_default_generator
kuma_ms default redis 6379 241.0.0.7

start_meshdns --store "$(pg_conninfo)" || {
	fail "meshdns did not start"
	finish
}
expect_eq "the VIP Kuma recorded" "241.0.0.7" \
	"$(dig_short redis.svc.mesh.local A)"

kuma_ms default web 8080
wait_log "the store changed" 1
out=$("$MESHDNS" --store "$(pg_conninfo)" --status 2>&1)
expect_match "--status: web waits for Kuma's VIP" \
	"waiting for Kuma.*s VIP allocator" "$out"
expect_eq "a service without a VIP is not served" "" \
	"$(dig_short web.svc.mesh.local A)"

kuma_set_status MeshService default web "$(kuma_ms_status 241.0.0.8)"
wait_answer "the allocator's VIP, without SIGHUP" web.svc.mesh.local A \
	241.0.0.8

kuma_set_status MeshService default redis "$(kuma_ms_status 241.0.0.9)"
wait_answer "a status update" redis.svc.mesh.local A 241.0.0.9

kuma_delete MeshService default web
wait_answer "a DELETE" web.svc.mesh.local A ""

kuma_update HostnameGenerator "" local-universal-mesh-service \
	'{"selector":{"meshService":{"matchLabels":{"kuma.io/origin":"zone"}}},"template":"{{ .DisplayName }}.renamed.mesh.local"}' \
	'{"kuma.io/origin": "zone"}' '{}'
wait_answer "a HostnameGenerator edit renames" redis.renamed.mesh.local A \
	241.0.0.9
expect_eq "the old name is gone" "" "$(dig_short redis.svc.mesh.local A)"
# Kuma's hostname generator has not caught up: --status says so.
kuma_set_status MeshService default redis '{"tls": {}, "vips": [{"ip": "241.0.0.9"}], "addresses": [{"origin": "HostnameGenerator", "hostname": "redis.svc.mesh.local", "hostnameGeneratorRef": {"coreName": "local-universal-mesh-service"}}], "dataplaneProxies": {}}'
out=$("$MESHDNS" --store "$(pg_conninfo)" --status 2>&1)
expect_match "--status: Kuma's status.addresses differ" \
	"Kuma recorded redis.svc.mesh.local; meshdns generates redis.renamed.mesh.local" \
	"$out"

kuma_ms default db 5432 241.0.0.10
wait_answer "an INSERT with its VIP" db.renamed.mesh.local A 241.0.0.10
kuma_delete Mesh "" default
wait_answer "a Mesh delete cascades to its services" db.renamed.mesh.local \
	A ""
expect_eq "every service of the mesh is gone" "" \
	"$(dig_short redis.renamed.mesh.local A)"
finish
