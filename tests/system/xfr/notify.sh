#!/bin/bash
# notify.sh -- NOTIFY reaches a real NSD secondary: at start, and once per
# zone after a reload that changes it, however many resources changed.
. "${SRCDIR:?SRCDIR must name the source tree}/tests/system/xfr/lib.sh" || exit 1

copy_zones
pick_secondary_ports
write_meshdns_config "$WORK/meshdns.yaml"
start_meshdns -c "$WORK/meshdns.yaml" || {
	fail "meshdns did not start"
	finish
}
serial1=$(dig_short mesh.local SOA | awk '{print $3}')
start_nsd mesh.local mesh 241.in-addr.arpa || {
	fail "nsd did not start"
	finish
}

# meshdns notifies every zone at start and retries until answered; NSD,
# started later, gets a retry.
wait_file_match "$NSD_DIR/nsd.log" "notify for mesh\.local\. from 127\.0\.0\.1 serial $serial1" 15 &&
	pass "NSD got the start-up NOTIFY of mesh.local with serial $serial1" ||
	fail "NSD never got a NOTIFY of mesh.local serial $serial1"
wait_log "NOTIFY mesh\.local\. serial $serial1 to 127\.0\.0\.1:$NSD_PORT: answered" &&
	pass "meshdns saw NSD's answer and stops retrying" ||
	fail "meshdns logged no answer from NSD"
expect_match "the NOTIFY carries the SOA: NSD saw its serial" \
	"notify for 241\.in-addr\.arpa\. from 127\.0\.0\.1 serial $serial1" "$(cat "$NSD_DIR/nsd.log")"

# Two resources change, one reload: one NOTIFY per changed zone and target.
sleep 1.1	# a new serial needs a new second (max(old + 1, now))
cat >"$WORK/zones/default/cache.yaml" <<'YAML'
type: MeshService
name: cache
mesh: default
spec:
  ports:
  - port: 11211
    targetPort: 11211
YAML
sed 's/name: cache/name: queue/; s/11211/5672/g' "$WORK/zones/default/cache.yaml" >"$WORK/zones/default/queue.yaml"
kill -HUP "$PID"
wait_log "serving generation 2" || fail "no generation 2 after SIGHUP"
serial2=$(dig_short mesh.local SOA | awk '{print $3}')
[ "$serial2" -gt "$serial1" ] && pass "the serial grew ($serial1 -> $serial2)" ||
	fail "the serial did not grow: $serial1 -> $serial2"
wait_file_match "$NSD_DIR/nsd.log" "notify for mesh\.local\. from 127\.0\.0\.1 serial $serial2" &&
	pass "NSD got the NOTIFY of the new serial $serial2" ||
	fail "NSD never got a NOTIFY of mesh.local serial $serial2"
wait_log "NOTIFY mesh\.local\. serial $serial2 to 127\.0\.0\.1:$NSD_PORT: answered" ||
	fail "no answer to the second NOTIFY"
expect_eq "one first try per target for mesh.local serial $serial2, for two changed resources" 2 \
	"$(grep -c "NOTIFY mesh\.local\. serial $serial2 to .* (try 1)" "$LOG")"
expect_eq "a zone that did not change is not notified again" 0 \
	"$(grep -c "NOTIFY 250\.in-addr\.arpa\. serial $serial2 " "$LOG")"
# NSD acts on it: it refreshes the zone from meshdns for that serial.
# (polled: NSD's state moves from ok to refreshing, and on)
i=0
while :; do
	status=$(nsd-control -c "$NSD_DIR/nsd.conf" zonestatus mesh.local 2>&1)
	if printf '%s\n' "$status" |
		grep -Eq "state: refreshing|served-serial: \"$serial2" ||
		[ $i -ge 50 ]; then
		break
	fi
	sleep 0.1
	i=$((i + 1))
done
expect_match "NSD is refreshing mesh.local from meshdns after the NOTIFY" \
	"state: refreshing|served-serial: \"$serial2" "$status"

# NOTIFY sent to meshdns itself is not taken: answered as before.
out=$(dig_q mesh.local SOA +opcode=notify)
expect_match "an incoming NOTIFY is NOTIMP" "status: NOTIMP" "$out"

finish
