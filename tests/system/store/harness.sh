#!/bin/bash
# store/harness.sh -- the test PostgreSQL holds Kuma's schema as Kuma's
# migrations leave it: the trigger notifies on resource_events with Kuma's
# payload, a Mesh delete cascades, and meshdns's role may read but not
# write.
. "$SRCDIR/tests/system/lib.sh"
. "$SRCDIR/tests/system/store/lib.sh"

pg_start
kuma_mesh default
kuma_default_generator
kuma_ms default redis 6379 241.0.0.1
kuma_set_status MeshService default redis "$(kuma_ms_status 241.0.0.2)"

rows=$(psql_admin -At -c "SELECT type, mesh, name, version, owner_type, status->'vips'->0->>'ip' FROM resources ORDER BY type, name")
expect_eq "rows as Kuma writes them" "HostnameGenerator||local-universal-mesh-service|0||
Mesh||default|0||
MeshService|default|redis|1|Mesh|241.0.0.2" "$rows"

conn=$(pg_conninfo)
# The reader LISTENs, then (\! waits for it) Kuma deletes the Mesh; the
# statements after it read the notifications.
out=$(psql -X -q "$conn" -At 2>&1 <<EOF2
LISTEN resource_events;
\\! psql -X -q -h "$PGROOT" -p $PGPORT -U postgres -d kuma -c "DELETE FROM resources WHERE name = 'default' AND type = 'Mesh' AND mesh = ''"
SELECT 1;
SELECT 2;
EOF2
)
expect_match "a DELETE notification" '"action" : "DELETE", "data" : \{"name" : "default", "mesh" : "", "type" : "Mesh"\}' "$out"
expect_match "the cascade notifies too" '"action" : "DELETE", "data" : \{"name" : "redis", "mesh" : "default", "type" : "MeshService"\}' "$out"
expect_eq "the cascade deleted the service" "0" \
	"$(psql_admin -At -c "SELECT count(*) FROM resources WHERE type = 'MeshService'")"
out=$(psql -X -q "$conn" -c "DELETE FROM resources" 2>&1)
expect_match "the reader cannot write" "permission denied for table resources" "$out"
out=$(psql -X -q "$conn" -At -c "SELECT version, dirty FROM schema_migrations" 2>&1)
expect_eq "the reader sees the schema version" "1710856785|f" "$out"
out=$(psql -X -q "$(pg_conninfo meshdns wrong)" -c "SELECT 1" 2>&1)
expect_match "passwords are checked" "password authentication failed" "$out"
finish
