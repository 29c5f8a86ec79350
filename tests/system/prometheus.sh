#!/bin/bash
# prometheus.sh -- contrib/prometheus/: the scrape job is a valid
# Prometheus configuration, the alert rules load, their promtool unit
# tests pass (each alert fires on the series of a meshdns in trouble and
# not on a healthy one), and the series the rules read are the ones a real
# meshdns's /metrics exposes (meshdns_store_connected: see
# store/failures.sh, which runs meshdns on a store).
. "${SRCDIR:?SRCDIR must name the source tree}/tests/system/lib.sh" || exit 1

command -v promtool >/dev/null 2>&1 || {
	fail "promtool is not installed (contrib/bootstrap.sh installs prometheus)"
	finish
}
cp "$SRCDIR"/contrib/prometheus/*.yml "$WORK/"
cd "$WORK" || exit 1
out=$(promtool check config prometheus.yml 2>&1)
expect_match "promtool check config" "SUCCESS: prometheus.yml is valid" "$out"
out=$(promtool check rules meshdns-alerts.yml 2>&1)
expect_match "promtool check rules: the four alerts" "SUCCESS: 4 rules found" "$out"
out=$(promtool test rules meshdns-alerts.test.yml 2>&1)
rc=$?
expect_eq "promtool test rules (output: $out)" "0" "$rc"

HPORT=$(( (RANDOM % 20000) + 40000 ))
printf 'http:\n  listen: 127.0.0.1:%s\n' "$HPORT" >"$WORK/meshdns.yaml"
copy_zones
start_meshdns -c "$WORK/meshdns.yaml" -r "$WORK/zones/default" || {
	fail "meshdns did not start"
	finish
}
m=$(curl -s "http://127.0.0.1:$HPORT/metrics")
expect_match "the pool series the alert divides" \
	'^meshdns_vip_pool_addresses\{pool="meshService",cidr="241\.0\.0\.0/8",state="free"\} [0-9]' "$m"
expect_match "... and its assigned addresses" \
	'^meshdns_vip_pool_addresses\{pool="meshService",cidr="241\.0\.0\.0/8",state="assigned"\} 5$' "$m"
expect_match "the reload results the alert counts" \
	'^meshdns_reloads_total\{result="failure"\} 0$' "$m"
# A rejected reload moves the series MeshdnsReloadsFailing watches.
printf 'type: MeshService\nname: [oops\n' >"$WORK/zones/default/bad.yaml"
kill -HUP "$PID"
wait_log "reload, rejected" || fail "the reload was not rejected"
expect_match "a rejected reload counts as a failure" \
	'^meshdns_reloads_total\{result="failure"\} [1-9]' \
	"$(curl -s "http://127.0.0.1:$HPORT/metrics")"

finish
