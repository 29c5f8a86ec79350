#!/bin/bash
# reload-changes.sh -- a reload logs what it changed: the names and VIPs
# added and removed (counts and the first few), or that none changed.
. "${SRCDIR:?SRCDIR must name the source tree}/tests/system/lib.sh" || exit 1

copy_zones
zone="$WORK/zones/default"
gens="$zone/hostname-generators.yaml"
# SIGHUP is what this test is about: no watching (watch.sh tests it).
printf 'watch: false\n' >"$WORK/nowatch.yaml"
start_meshdns -c "$WORK/nowatch.yaml" -r "$zone" -s "$WORK/state" || {
	fail "meshdns did not start"
	finish
}

# newcomer.md A18: the short names get the mesh in them.
sed -i 's/"{{ .DisplayName }}.mesh"/"{{ .DisplayName }}.{{ .Mesh }}.mesh"/' "$gens"
kill -HUP "$PID"
wait_log "serving generation 2" || fail "no generation 2 after SIGHUP"
line=$(grep -E "reload, [+-]" "$LOG")
expect_match "the reload names the names added and removed" \
	"notice: reload, \+([0-9]+) names \([a-z]+\.default\.mesh, [a-z]+\.default\.mesh, [a-z]+\.default\.mesh, \.\.\.\), -\1 names \([a-z]+\.mesh, [a-z]+\.mesh, [a-z]+\.mesh, \.\.\.\); \+0 VIPs, -0 VIPs$" "$line"
expect_eq "and it answers" "241.0.0.5" "$(dig_short redis.default.mesh)"

# An edit that changes no name: said in one line.
printf '# a comment\n' >>"$gens"
kill -HUP "$PID"
wait_log "serving generation 3" || fail "no generation 3 after SIGHUP"
expect_match "an edit that changes no name says so" \
	"notice: reload, no name or VIP added or removed" "$(cat "$LOG")"

# A new service: its names and its VIP.
cat >"$zone/cache.yaml" <<'YAML'
type: MeshService
name: cache
mesh: default
spec:
  ports:
  - port: 11211
    targetPort: 11211
    appProtocol: tcp
YAML
kill -HUP "$PID"
wait_log "serving generation 4" || fail "no generation 4 after SIGHUP"
vip=$(dig_short cache.svc.mesh.local)
expect_match "the new service answers" "^241\.0\.0\.[0-9]+$" "$vip"
expect_match "the reload shows its names and its VIP" \
	"notice: reload, \+[0-9]+ names \(cache\.svc\.mesh\.local, cache\.default\.mesh, .*\), -0 names; \+1 VIP \($vip for MeshService/default/cache\), -0 VIPs$" \
	"$(cat "$LOG")"

# Removed again: the VIP is released (held back), the names go.
rm "$zone/cache.yaml"
kill -HUP "$PID"
wait_log "serving generation 5" || fail "no generation 5 after SIGHUP"
expect_match "the removal shows the names and the VIP that went" \
	"notice: reload, \+0 names, -[0-9]+ names \(cache\.svc\.mesh\.local, cache\.default\.mesh, .*\); \+0 VIPs, -1 VIP \($vip for MeshService/default/cache\)$" \
	"$(cat "$LOG")"
finish
