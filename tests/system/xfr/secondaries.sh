#!/bin/bash
# secondaries.sh -- meshdns as the hidden primary of a real NSD and a real
# Knot (whose zones come from the catalog): both hold the zones, answer
# like meshdns, follow a change (a resource file edited, SIGHUP) through
# NOTIFY and IXFR within seconds, and their AXFR equals meshdns's own.
. "${SRCDIR:?SRCDIR must name the source tree}/tests/system/xfr/lib.sh" || exit 1

copy_zones
pick_secondary_ports
write_meshdns_config "$WORK/meshdns.yaml" "  catalog: catalog.invalid"
start_meshdns -c "$WORK/meshdns.yaml" || {
	fail "meshdns did not start"
	finish
}
serial1=$(dig_short mesh.local SOA | awk '{print $3}')
start_nsd mesh.local mesh 241.in-addr.arpa || { fail "nsd did not start"; finish; }
start_knot catalog.invalid || { fail "knotd did not start"; finish; }

# Both hold the zones (Knot's from the catalog), polled, no timing asserted.
wait_serial "$NSD_PORT" mesh.local "$serial1" 20 &&
	pass "NSD holds mesh.local at serial $serial1" || fail "NSD never got mesh.local $serial1"
wait_serial "$KNOT_PORT" mesh.local "$serial1" 20 &&
	pass "Knot created mesh.local from the catalog and holds serial $serial1" ||
	fail "Knot never got mesh.local $serial1"
wait_serial "$KNOT_PORT" 241.in-addr.arpa "$serial1" 20 &&
	pass "Knot has the reverse zone 241.in-addr.arpa from the catalog too" ||
	fail "Knot never got 241.in-addr.arpa"
expect_eq "NSD answers like meshdns" "$(dig_short redis.svc.mesh.local)" \
	"$(dig @127.0.0.1 -p "$NSD_PORT" +short redis.svc.mesh.local | sort)"
expect_eq "Knot answers like meshdns" "$(dig_short redis.svc.mesh.local)" \
	"$(dig @127.0.0.1 -p "$KNOT_PORT" +short redis.svc.mesh.local | sort)"
expect_eq "Knot answers the PTR like meshdns" "$(dig_short 5.0.0.241.in-addr.arpa PTR)" \
	"$(dig @127.0.0.1 -p "$KNOT_PORT" +short 5.0.0.241.in-addr.arpa PTR | sort)"

# AXFR from each secondary equals meshdns's own (records, sorted).
axfr() {
	dig @127.0.0.1 -p "$1" +nocmd +nostats +nocomments +noclass mesh.local AXFR |
		grep -v '^;' | grep -v '^$' | awk '{$2=""; print}' | sort -u
}
# (xfr/lib.sh lets the tests transfer from both secondaries.)
mine=$(axfr "$PORT")
expect_match "meshdns's AXFR has the zone" "^redis\.svc\.mesh\.local\.  A 241\.0\.0\.5$" "$mine"

# A change: a new service, SIGHUP: NOTIFY, then IXFR, to both.
sleep 1.1	# a new serial needs a new second
cat >"$WORK/zones/default/cache.yaml" <<'YAML'
type: MeshService
name: cache
mesh: default
spec:
  ports:
  - port: 11211
    targetPort: 11211
YAML
kill -HUP "$PID"
wait_log "serving generation 2" || fail "no generation 2 after SIGHUP"
serial2=$(dig_short mesh.local SOA | awk '{print $3}')
wait_serial "$NSD_PORT" mesh.local "$serial2" 10 &&
	pass "NSD followed the change to serial $serial2" || fail "NSD did not follow to $serial2"
wait_serial "$KNOT_PORT" mesh.local "$serial2" 10 &&
	pass "Knot followed the change to serial $serial2" || fail "Knot did not follow to $serial2"
expect_eq "NSD answers the new service" "241.0.0.6" \
	"$(dig @127.0.0.1 -p "$NSD_PORT" +short cache.svc.mesh.local)"
expect_eq "Knot answers the new service" "241.0.0.6" \
	"$(dig @127.0.0.1 -p "$KNOT_PORT" +short cache.svc.mesh.local)"
expect_match "Knot got it by IXFR" "\[mesh\.local\.\] IXFR, incoming, remote 127\.0\.0\.1@$PORT.*(finished|started)" \
	"$(cat "$KNOT_DIR/knotd.log")"
expect_match "NSD got it after the NOTIFY" "notify for mesh\.local\. from 127\.0\.0\.1 serial $serial2" \
	"$(cat "$NSD_DIR/nsd.log")"

# Their copies equal meshdns's zone.
mine=$(axfr "$PORT")
expect_eq "NSD's AXFR of mesh.local equals meshdns's" "$mine" "$(axfr "$NSD_PORT")"
expect_eq "Knot's AXFR of mesh.local equals meshdns's" "$mine" "$(axfr "$KNOT_PORT")"

finish
