#!/bin/bash
# lost-names.sh -- names that disappear are warnings, with the file:line of
# the generator or resource: `meshdns -t` counts them (and still exits 0),
# and a reload logs them and still applies.
. "${SRCDIR:?SRCDIR must name the source tree}/tests/system/lib.sh" || exit 1

copy_zones
D="$WORK/zones/default"
# SIGHUP is what this test is about: no watching (watch.sh tests it).
printf 'watch: false\n' >>"$D/meshdns.conf"
gens="$D/hostname-generators.yaml"
cp "$gens" "$WORK/gens.orig"
cp "$D/redis.yaml" "$WORK/redis.orig"

# set_template TEMPLATE: the second generator ("short-mesh-names",
# spec.template on line 23) renders TEMPLATE.
set_template() {
	cp "$WORK/gens.orig" "$gens"
	sed -i "s/template: \"{{ .DisplayName }}.mesh\"/template: \"$1\"/" "$gens"
}

# check_t WHAT REGEX: -t prints a warning matching REGEX, counts it, and
# exits 0.
check_t() {
	out=$("$MESHDNS" -t -c "$D/meshdns.conf" -s "$WORK/check.state" 2>&1)
	rc=$?
	expect_eq "$1: -t exits 0 (a warning, not an error)" "0" "$rc"
	expect_match "$1: -t counts it" "0 errors, 1 warning$" "$out"
	expect_match "$1: -t prints it" "$2" "$out"
}

out=$("$MESHDNS" -t -c "$D/meshdns.conf" -s "$WORK/check.state" 2>&1)
expect_match "the example zone: no warning" "0 errors, 0 warnings$" "$out"

start_meshdns -c "$D/meshdns.conf" -s "$WORK/state" || {
	fail "meshdns did not start"
	finish
}
gen=1

# reload WHAT REGEX: SIGHUP; the new snapshot is served and the log has
# the warning.
reload() {
	gen=$((gen + 1))
	kill -HUP "$PID"
	wait_log "serving generation $gen" ||
		fail "$1: no generation $gen after SIGHUP (the reload must apply)"
	expect_match "$1: the reload logs it" "$2" "$(cat "$LOG")"
}

# A template that renders an invalid hostname for every service but not
# for Kuma's stub values (a fixed "_x" would be an error: templates.sh).
set_template '{{ .DisplayName }}{{ if ne .Zone `zone` }}_x{{ end }}.mesh'
re='hostname-generators\.yaml:23:13: warning: HostnameGenerator "short-mesh-names" gives 5 MeshServices no hostname \("backend", "billing", "frontend" and 2 more\); MeshService "backend" \(.*/backend\.yaml:2:1\): generated hostname "backend_x\.mesh" is not a valid DNS name'
check_t "invalid hostname" "$re"
reload "invalid hostname" "$re"
expect_match "invalid hostname: the reload applied" "status: NXDOMAIN" "$(dig_q redis.mesh)"

# Every service on one hostname: the first has it, four collide.
set_template 'redis.mesh'
re='hostname-generators\.yaml:23:13: warning: HostnameGenerator "short-mesh-names" gives 4 MeshServices no hostname \("billing", "frontend", "postgres" and 1 more\); MeshService "billing" \(.*/kubernetes-shape\.yaml:6:3\): hostname collision: redis\.mesh is already the hostname of MeshService "backend" \(.*/backend\.yaml:2:1\)$'
check_t "collision" "$re"
reload "collision" "$re"

# Hostnames outside the served zones (mesh.local, mesh).
set_template '{{ .DisplayName }}.example.com'
re='hostname-generators\.yaml:23:13: warning: HostnameGenerator "short-mesh-names" gives 5 MeshServices no hostname .*: hostname "backend\.example\.com" is outside every DNS zone this server serves$'
check_t "not served" "$re"
reload "not served" "$re"

# A misspelt kind: the service is skipped, with a "did you mean".
cp "$WORK/gens.orig" "$gens"
sed -i 's/^type: MeshService$/type: MeshServce/' "$D/redis.yaml"
re='redis\.yaml:2:1: warning: skipping MeshServce redis: kind not supported yet \(did you mean "MeshService"\?\)$'
check_t "misspelt kind" "$re"
reload "misspelt kind" "$re"
expect_match "misspelt kind: the reload applied (redis is gone)" "status: NXDOMAIN" "$(dig_q redis.svc.mesh.local)"
stop_meshdns

# kuma.generation: workload over Dataplanes that carry only kuma.io/service
# tags: no MeshService at all.
U="$WORK/zones/universal"
D=$U
sed -i 's/^kuma:$/kuma:\n  generation: workload/' "$U/meshdns.conf"
re='dataplanes\.yaml:6:1: warning: 5 Dataplanes have no kuma\.io/workload label \("test-server-1", "test-server-2", "redis-1" and 2 more\): with kuma\.generation: workload, no MeshService is generated from them$'
check_t "workload" "$re"
sed -i '/^  generation: workload$/d' "$U/meshdns.conf"
start_meshdns -c "$U/meshdns.conf" -s "$WORK/state-u" || {
	fail "meshdns did not start on the universal zone"
	finish
}
gen=1
sed -i 's/^kuma:$/kuma:\n  generation: workload/' "$U/meshdns.conf"
reload "workload" "$re"

finish
