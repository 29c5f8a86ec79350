#!/bin/bash
# store/many.sh -- a start from a store of many rows: the rows are read
# on several threads and as JSON without libyaml where they can be; a
# row that does not validate, wherever it falls among them, is still
# reported by type, mesh and name, in key order, and the rest served;
# rows at the edges of what the JSON reader takes (a non-ASCII label, a
# \u escape) and one only libyaml reads (a duplicate key) read as they
# did.
. "$SRCDIR/tests/system/lib.sh"
. "$SRCDIR/tests/system/store/lib.sh"

N=3000
pg_start
kuma_mesh default
kuma_default_generator
# N MeshServices svc-0 .. svc-(N-1), VIP 241.0.x.y, in one statement.
psql_admin -v n="$N" -v spec="$(kuma_ms_spec @NAME@ 80)" \
	-v labels="$(kuma_ms_labels default @NAME@)" \
	-v status="$(kuma_ms_status @VIP@)" <<-'EOF'
	INSERT INTO resources (name, mesh, type, version, spec, creation_time,
	    modification_time, owner_name, owner_mesh, owner_type, labels, status)
	SELECT 'svc-' || i, 'default', 'MeshService', 0,
	    replace(:'spec', '@NAME@', 'svc-' || i),
	    now() AT TIME ZONE 'UTC', now() AT TIME ZONE 'UTC', 'default', '', 'Mesh',
	    replace(:'labels', '@NAME@', 'svc-' || i)::jsonb,
	    replace(:'status', '@VIP@', format('241.0.%s.%s', (i + 1) >> 8,
	        (i + 1) & 255))::jsonb
	FROM generate_series(0, :n - 1) AS i;
	EOF
# Bad rows among them: first, in the middle, last (key order).
bad_spec='{"ports":[{"port":0,"targetPort":0,"appProtocol":"tcp"}]}'
for name in aaa-bad svc-1500-bad zzz-bad; do
	kuma_insert MeshService default "$name" "$bad_spec" \
		"$(kuma_ms_labels default "$name")" "$(kuma_ms_status 241.1.0.1)"
done
# Rows at the edges of the JSON reader, and one only libyaml reads.
kuma_insert MeshService default accented "$(kuma_ms_spec accented 80)" \
	'{"kuma.io/display-name": "accented", "team": "équipe"}' \
	"$(kuma_ms_status 241.2.0.1)"
kuma_insert MeshService default escaped \
	'{"selector":{"dataplaneLabels":{"matchLabels":{"app":"\u0065scaped"}}},"ports":[{"port":80,"targetPort":80,"appProtocol":"tcp"}]}' \
	"$(kuma_ms_labels default escaped)" "$(kuma_ms_status 241.2.0.2)"
kuma_insert MeshService default twice \
	'{"ports":[{"port":80,"targetPort":80,"appProtocol":"tcp"}],"ports":[]}' \
	"$(kuma_ms_labels default twice)" "$(kuma_ms_status 241.2.0.3)"

start_meshdns --store "$(pg_conninfo)" || {
	fail "meshdns did not start"
	finish
}
errors=$(grep 'error: ' "$LOG" | sed 's/.*error: //')
expect_eq "the bad rows are reported by type, mesh and name, in key order" \
	"MeshService default/aaa-bad
MeshService default/svc-1500-bad
MeshService default/twice
MeshService default/zzz-bad" "$(echo "$errors" | sed 's/: .*//' | uniq)"
expect_match "a bad port is said" \
	'^MeshService default/svc-1500-bad: .*port' "$errors"
expect_match "a duplicate key is said as libyaml says it" \
	'^MeshService default/twice: .*duplicate key "ports"' "$errors"
expect_eq "the first row is served" "241.0.0.1" \
	"$(dig_short svc-0.svc.mesh.local A)"
expect_eq "a row next to a bad one is served" "241.0.5.221" \
	"$(dig_short svc-1500.svc.mesh.local A)"
expect_eq "the last row is served" "241.0.11.184" \
	"$(dig_short svc-2999.svc.mesh.local A)"
expect_eq "a bad row is not served" "" \
	"$(dig_short svc-1500-bad.svc.mesh.local A)"
expect_eq "a row with a non-ASCII label is served" "241.2.0.1" \
	"$(dig_short accented.svc.mesh.local A)"
expect_eq "a row with a \\u escape is served" "241.2.0.2" \
	"$(dig_short escaped.svc.mesh.local A)"
expect_match "every row is read" "$((N + 8)) resources read" "$(cat "$LOG")"
finish
