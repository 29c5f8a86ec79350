#!/bin/bash
# notify-tsig.sh -- a NOTIFY to a target that names a key is TSIG-signed:
# an NSD secondary that takes NOTIFY only with that key accepts it, then
# transfers the zone with the key (meshdns allows 127.0.0.1 only with
# it), and refuses a NOTIFY signed with another secret (meshdns says so).
. "${SRCDIR:?SRCDIR must name the source tree}/tests/system/xfr/lib.sh" || exit 1

SECRET=GW0TqCkj4OJMYiRMPYRnsZ2YaMA868AExxlKuO6yxZg=
OTHER=YWJjZGVmZ2hpamtsbW5vcHFyc3R1dnd4eXowMTIzNDU=
copy_zones
pick_secondary_ports
conf() {
	cat >"$WORK/meshdns.yaml" <<EOF
resources: [$WORK/zones/default]
state-file: $WORK/state
log: {level: debug}
keys:
  - {name: meshdns-xfr, algorithm: hmac-sha256, secret: "$1"}
transfer:
  allow:
    - {address: 127.0.0.1/32, key: meshdns-xfr}
  notify:
    - {address: "127.0.0.1:$NSD_PORT", key: meshdns-xfr}
EOF
}
conf "$SECRET"
start_meshdns -c "$WORK/meshdns.yaml" || {
	fail "meshdns did not start"
	finish
}
serial=$(dig_short mesh.local SOA | awk '{print $3}')
NSD_KEY="meshdns-xfr:$SECRET" start_nsd mesh.local || {
	fail "nsd did not start"
	finish
}
wait_file_match "$NSD_DIR/nsd.log" "notify for mesh\.local\. from 127\.0\.0\.1 serial $serial" 15 &&
	pass "NSD, which wants the key, took the signed NOTIFY" ||
	fail "NSD did not take the signed NOTIFY"
wait_log "NOTIFY mesh\.local\. serial $serial to 127\.0\.0\.1:$NSD_PORT: answered$" &&
	pass "NSD answered it NOERROR" || fail "no NOERROR answer from NSD"
expect_match "the log says it is signed" \
	"NOTIFY mesh\.local\. serial $serial to 127\.0\.0\.1:$NSD_PORT, signed \(try 1\)" "$(cat "$LOG")"

wait_serial "$NSD_PORT" mesh.local "$serial" 15 &&
	pass "NSD transferred mesh.local with the key" ||
	fail "NSD did not get mesh.local through a signed transfer"
expect_match "an unsigned AXFR from the same address is refused" "Transfer failed|REFUSED|NOTAUTH" \
	"$(dig_q +tcp mesh.local AXFR)"
sec=$(dig_q -y "hmac-sha256:meshdns-xfr:$SECRET" +tcp mesh.local AXFR)
expect_match "dig -y verifies the signed AXFR and gets the zone" \
	"^redis\.svc\.mesh\.local\.[[:space:]]+30[[:space:]]+IN[[:space:]]+A[[:space:]]+241\.0\.0\.5" "$sec"
expect_no_match "... with no TSIG error" "tsig verify failure|Couldn't verify" "$sec"

# The wrong secret: NSD refuses it, and meshdns warns.
stop_meshdns
conf "$OTHER"
echo "dns: {ttl: 31}" >>"$WORK/meshdns.yaml"	# a new serial to notify
sleep 1.1
KEEP_PORT=1 start_meshdns -c "$WORK/meshdns.yaml" || fail "meshdns did not restart"
wait_log "NOTIFY mesh\.local\. serial [0-9]+ to 127\.0\.0\.1:$NSD_PORT: answered with rcode (5 \(REFUSED\)|9 \(NOTAUTH\))" &&
	pass "a NOTIFY signed with another secret is refused, and meshdns says so" ||
	fail "meshdns did not report the refused NOTIFY"

finish
