#!/bin/bash
# reload.sh -- SIGHUP applies edited templates; a broken edit changes nothing.
. "${SRCDIR:?SRCDIR must name the source tree}/tests/system/lib.sh" || exit 1

copy_zones
# SIGHUP is what this test is about: no watching (watch.sh tests it).
printf 'watch: false\n' >"$WORK/nowatch.yaml"
gens="$WORK/zones/default/hostname-generators.yaml"
start_meshdns -c "$WORK/nowatch.yaml" -r "$WORK/zones/default" -s "$WORK/state" || {
	fail "meshdns did not start"
	finish
}
expect_eq "before: redis.svc.mesh.local" "241.0.0.5" "$(dig_short redis.svc.mesh.local)"

# Edit the default generator's template and reload.
sed -i 's/{{ .DisplayName }}.svc.mesh.local/{{ .DisplayName }}.{{ .Mesh }}.svc.mesh.local/' "$gens"
kill -HUP "$PID"
wait_log "serving generation 2" || fail "no generation 2 after SIGHUP"
expect_match "the reload says how long its build took" \
	"serving generation 2: .*; built in [0-9.]+ ms \(read [0-9.]+, resources [0-9.]+, names [0-9.]+, vips [0-9.]+, table [0-9.]+\)$" "$(cat "$LOG")"
expect_eq "after: redis.default.svc.mesh.local, same VIP" "241.0.0.5" "$(dig_short redis.default.svc.mesh.local)"
out=$(dig_q redis.svc.mesh.local)
expect_match "after: the old name is gone (NXDOMAIN)" "status: NXDOMAIN" "$out"
expect_eq "after: the other generator's name is unchanged" "241.0.0.5" "$(dig_short redis.mesh)"
serial1=$(dig_short mesh.local SOA | awk '{print $3}')

# A broken template: the reload is rejected, the error has its position,
# and the previous answers keep being served.
cp "$gens" "$WORK/generators.good"
state_records "$WORK/state" >"$WORK/state.good"
sed -i 's/{{ .DisplayName }}.{{ .Mesh }}.svc.mesh.local/{{ .DisplayName }.svc.mesh.local/' "$gens"
kill -HUP "$PID"
wait_log "reload, rejected" || fail "the broken template was not rejected"
expect_match "the error names file:line:column" "hostname-generators\.yaml:[0-9]+:[0-9]+: error: HostnameGenerator \"local-universal-mesh-service\": spec\.template: couldn't parse template" "$(cat "$LOG")"
expect_eq "after the rejected reload: still answered" "241.0.0.5" "$(dig_short redis.default.svc.mesh.local)"
expect_match "after the rejected reload: the broken name is not served" "status: NXDOMAIN" "$(dig_q redis.svc.mesh.local)"
expect_eq "the SOA serial did not change" "$serial1" "$(dig_short mesh.local SOA | awk '{print $3}')"
if state_records "$WORK/state" | cmp -s - "$WORK/state.good"; then
	pass "the rejected reload left the state file as it was"
else
	fail "the rejected reload changed the state file"
fi

# A YAML syntax error in a resource file: rejected the same way.
cp "$WORK/generators.good" "$gens"
printf 'type: MeshService\nname: broken\n  mesh: : default\n' >"$WORK/zones/default/broken.yaml"
kill -HUP "$PID"
wait_log "reload, rejected" 2 || fail "the broken YAML was not rejected"
expect_match "the YAML error names file:line:column" "broken\.yaml:[0-9]+:[0-9]+: error:" "$(cat "$LOG")"
expect_eq "after the second rejected reload: still answered" "241.0.0.5" "$(dig_short redis.default.svc.mesh.local)"
state_records "$WORK/state" | cmp -s - "$WORK/state.good" && pass "state file unchanged again" || fail "the second rejected reload changed the state file"

# Fixed: the next reload goes through, and a new service gets a new VIP.
rm "$WORK/zones/default/broken.yaml"
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
wait_log "serving generation 3" || fail "no generation 3 after fixing the files"
expect_eq "the new service gets the next VIP" "241.0.0.6" "$(dig_short cache.default.svc.mesh.local)"
expect_eq "the others keep theirs" "241.0.0.5" "$(dig_short redis.default.svc.mesh.local)"
serial2=$(dig_short mesh.local SOA | awk '{print $3}')
if [ "$serial2" -gt "$serial1" ]; then
	pass "the SOA serial grew with the content ($serial1 -> $serial2)"
else
	fail "the SOA serial did not grow: $serial1 -> $serial2"
fi

# SIGHUP with nothing changed: no build, the same answers.
kill -HUP "$PID"
wait_log "reload, nothing changed since generation 3 was built: still serving it" ||
	fail "a SIGHUP with nothing changed: no 'nothing changed' in the log"
expect_no_match "nothing changed: no generation 4" "serving generation 4" "$(cat "$LOG")"
expect_eq "nothing changed: still answered" "241.0.0.6" "$(dig_short cache.default.svc.mesh.local)"
# The same bytes written again (a new inode, a new time) are no change.
cp "$gens" "$WORK/gens.copy" && mv "$WORK/gens.copy" "$gens"
kill -HUP "$PID"
wait_log "reload, nothing changed" 2 || fail "rewritten but equal files counted as a change"
# A byte more is a change: a build (whose answers are the same).
printf '# edited\n' >>"$gens"
kill -HUP "$PID"
wait_log "serving generation 4" || fail "no generation 4 after an edit"
expect_eq "after a comment: the same answers" "241.0.0.6" "$(dig_short cache.default.svc.mesh.local)"

# A start with an error (a resource path that does not exist): creating
# the path changes no byte any digest sees, yet the reload must build,
# without the error this time.
stop_meshdns
start_meshdns -c "$WORK/nowatch.yaml" -r "$WORK/zones/default" -r "$WORK/later" -s "$WORK/state2" ||
	fail "start with a missing resource path"
expect_match "a missing path is an error at start" "started with 1 error" "$(cat "$LOG")"
mkdir "$WORK/later"
kill -HUP "$PID"
wait_log "serving generation 2" || fail "the reload after fixing a start error did not build"
expect_no_match "fixing a start error: not 'nothing changed'" "nothing changed" "$(cat "$LOG")"

# A held-back VIP freed since: the reload builds though no file changed.
stop_meshdns
copy_zones
printf 'dns:\n  ttl: 1\nvip:\n  hold: 1s\nwatch: false\n' >"$WORK/hold.yaml"
start_meshdns -c "$WORK/hold.yaml" -r "$WORK/zones/default" -s "$WORK/state3" ||
	fail "start with a short hold"
rm "$WORK/zones/default/frontend.yaml"
kill -HUP "$PID"
wait_log "serving generation 2" || fail "no generation 2 after removing a service"
# Wait for the hold to end: at the time the state file gives the held VIP
# (it is saved before the new generation is served); free when now >= it.
held_until=$(state_records "$WORK/state3" | awk '$1 == "held" { print $3; exit }')
[ -n "$held_until" ] || fail "no held VIP in the state file after removing a service"
while [ "$EPOCHSECONDS" -lt "${held_until:-0}" ]; do
	sleep 0.05
done
kill -HUP "$PID"
wait_log "serving generation 3" || fail "the reload after a hold ended did not build"
if state_records "$WORK/state3" | grep -q "^held"; then
	fail "the held VIP is still in the state file after its hold ended"
else
	pass "a reload after a hold ended builds and frees the VIP"
fi

# SIGTERM stops cleanly.
kill -TERM "$PID"
wait "$PID"
expect_eq "SIGTERM exits 0" "0" "$?"
PID=""

finish
