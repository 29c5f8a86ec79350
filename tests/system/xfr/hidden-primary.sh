#!/bin/bash
# hidden-primary.sh -- the apex of a hidden primary: NS names the
# secondaries (with their addresses when inside a zone), SOA MNAME the
# primary, and SOA timers whose default expire (14 days) outlasts an
# outage of the primary.
. "${SRCDIR:?SRCDIR must name the source tree}/tests/system/lib.sh" || exit 1

copy_zones
cat >"$WORK/meshdns.yaml" <<EOF
resources: [$WORK/zones/default]
dns:
  ns:
    - {name: ns1.mesh.local, address: [127.0.0.2, "fd00::2"]}
    - {name: ns2.example.net, address: 127.0.0.3}
    - ns3.example.net.
  soa:
    mname: primary.example.net.
EOF
start_meshdns -c "$WORK/meshdns.yaml" || {
	fail "meshdns did not start"
	finish
}
expect_eq "the NS set names the secondaries" \
	"$(printf 'ns1.mesh.local.\nns2.example.net.\nns3.example.net.')" \
	"$(dig_short mesh.local NS)"
expect_eq "an in-zone secondary's address is served" "127.0.0.2" "$(dig_short ns1.mesh.local A)"
expect_eq "and its IPv6 address" "fd00::2" "$(dig_short ns1.mesh.local AAAA)"
expect_match "a secondary outside the zones: its address is not served, and the log says so" \
	"warning: dns\.ns ns2\.example\.net: not in a served zone, so its address 127\.0\.0\.3 is not served" \
	"$(cat "$LOG")"
soa=$(dig_short mesh.local SOA)
expect_match "SOA MNAME is the hidden primary; default timers: refresh 1h, retry 10m, expire 14d, minimum 30s" \
	"^primary\.example\.net\. nobody\.invalid\. [0-9]+ 3600 600 1209600 30$" "$soa"
expect_eq "reverse zones have the same NS set" \
	"$(printf 'ns1.mesh.local.\nns2.example.net.\nns3.example.net.')" \
	"$(dig_short 241.in-addr.arpa NS)"

finish
