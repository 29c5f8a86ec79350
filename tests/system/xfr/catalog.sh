#!/bin/bash
# catalog.sh -- transfer.catalog: meshdns serves an RFC 9432 catalog zone
# of every served zone and NOTIFYs it, and a real Knot secondary with
# catalog-role: interpret takes the NOTIFY and refreshes the catalog.
. "${SRCDIR:?SRCDIR must name the source tree}/tests/system/xfr/lib.sh" || exit 1

copy_zones
pick_secondary_ports
write_meshdns_config "$WORK/meshdns.yaml" "  catalog: catalog.invalid"
start_meshdns -c "$WORK/meshdns.yaml" || {
	fail "meshdns did not start"
	finish
}
expect_match "the log counts the catalog" "in 2 zones \(\+16 reverse, \+ catalog\)" "$(cat "$LOG")"

# The catalog as meshdns answers it (RFC 9432 section 4).
expect_eq "version TXT \"2\"" '"2"' "$(dig_short version.catalog.invalid TXT)"
expect_eq "NS invalid." "invalid." "$(dig_short catalog.invalid NS)"
# Member IDs: FNV-1a-64 of the member's name, stable across versions.
expect_eq "mesh.local's member PTR" "mesh.local." "$(dig_short 4b6709781087dde9.zones.catalog.invalid PTR)"
expect_eq "mesh's member PTR" "mesh." "$(dig_short 47513ec80c695a16.zones.catalog.invalid PTR)"
expect_eq "a reverse zone is a member too" "241.in-addr.arpa." "$(dig_short c9b10e7961116a9d.zones.catalog.invalid PTR)"
expect_match "the member records have TTL 0" \
	"^4b6709781087dde9\.zones\.catalog\.invalid\.[[:space:]]+0[[:space:]]+IN[[:space:]]+PTR" \
	"$(dig_q +noall +answer 4b6709781087dde9.zones.catalog.invalid PTR)"
cat_serial=$(dig_short catalog.invalid SOA | awk '{print $3}')

# The same IDs after a restart on the same state: nothing resets.
stop_meshdns
KEEP_PORT=1 start_meshdns -c "$WORK/meshdns.yaml" || fail "meshdns did not restart"
expect_eq "after a restart: the same member ID" "mesh.local." "$(dig_short 4b6709781087dde9.zones.catalog.invalid PTR)"
expect_eq "after a restart: the same catalog serial" "$cat_serial" \
	"$(dig_short catalog.invalid SOA | awk '{print $3}')"

# Knot, fed by the catalog, gets its NOTIFY (a retry: it starts later).
start_knot catalog.invalid || {
	fail "knotd did not start"
	finish
}
wait_file_match "$KNOT_DIR/knotd.log" "\[catalog\.invalid\.\] notify, incoming, remote 127\.0\.0\.1@[0-9]+, serial $cat_serial" 15 &&
	pass "Knot got the NOTIFY of the catalog with its serial" ||
	fail "Knot never got a NOTIFY of catalog.invalid serial $cat_serial"
wait_log "NOTIFY catalog\.invalid\. serial $cat_serial to 127\.0\.0\.1:$KNOT_PORT: answered" &&
	pass "meshdns saw Knot's answer" || fail "meshdns logged no answer from Knot"
wait_file_match "$KNOT_DIR/knotd.log" "\[catalog\.invalid\.\] (refresh|AXFR|IXFR)" &&
	pass "Knot refreshes the catalog from meshdns after the NOTIFY" ||
	fail "Knot did not refresh the catalog after the NOTIFY"

finish
