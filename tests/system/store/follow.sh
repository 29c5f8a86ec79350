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

# Rows committed together come as one burst of notifications, read in one
# statement: every key of it, one that needs quoting in the statement's
# arrays among them (quotes, a backslash, a comma, braces; reported by
# its name: no valid name has those).
psql_admin -v spec1="$(kuma_ms_spec one 81)" -v spec2="$(kuma_ms_spec two 82)" \
	-v labels1="$(kuma_ms_labels default one)" \
	-v labels2="$(kuma_ms_labels default two)" \
	-v status1="$(kuma_ms_status 241.0.0.21)" \
	-v status2="$(kuma_ms_status 241.0.0.22)" >/dev/null <<-'EOF'
BEGIN;
INSERT INTO resources (name, mesh, type, version, spec, creation_time,
    modification_time, owner_name, owner_mesh, owner_type, labels, status)
VALUES ('one', 'default', 'MeshService', 0, :'spec1', now(), now(),
    'default', '', 'Mesh', :'labels1'::jsonb, :'status1'::jsonb),
  ('two', 'default', 'MeshService', 0, :'spec2', now(), now(),
    'default', '', 'Mesh', :'labels2'::jsonb, :'status2'::jsonb),
  ('odd "gen" \ {a,b}', '', 'HostnameGenerator', 0, '{"template": "x"}',
    now(), now(), NULL, NULL, NULL, '{}', '{}');
COMMIT;
EOF
wait_answer "a burst: its first row" one.svc.mesh.local A 241.0.0.21
wait_answer "a burst: its second row" two.svc.mesh.local A 241.0.0.22
if wait_log 'HostnameGenerator odd "gen" .*name: invalid characters'; then
	pass "a burst: a key that needs quoting is read"
else
	fail "a burst: a key that needs quoting is read"
fi

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
