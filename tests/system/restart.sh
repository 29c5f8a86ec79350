#!/bin/bash
# restart.sh -- VIPs survive restarts; removed ones are held back; a corrupt
# state file stops start-up instead of renumbering.
. "${SRCDIR:?SRCDIR must name the source tree}/tests/system/lib.sh" || exit 1

copy_zones
state="$WORK/state"
names="backend billing frontend postgres redis"

vips() {
	for n in $names; do
		printf '%s=%s ' "$n" "$(dig_short "$n.svc.mesh.local")"
	done
}

start_meshdns -r "$WORK/zones/default" -s "$state" || fail "first start"
first=$(vips)
expect_eq "first start" "backend=241.0.0.1 billing=241.0.0.2 frontend=241.0.0.3 postgres=241.0.0.4 redis=241.0.0.5 " "$first"
stop_meshdns
[ -s "$state" ] && pass "the state file was written" || fail "no state file"

# A new service whose name sorts first must not shift anyone.
cat >"$WORK/zones/default/aaa.yaml" <<'YAML'
type: MeshService
name: aaa
mesh: default
spec:
  ports:
  - port: 80
    targetPort: 80
YAML
start_meshdns -r "$WORK/zones/default" -s "$state" || fail "second start"
expect_eq "after a restart every VIP is the same" "$first" "$(vips)"
expect_eq "the new service gets the next free VIP" "241.0.0.6" "$(dig_short aaa.svc.mesh.local)"
stop_meshdns

# Remove frontend: its VIP is held back, the next new service does not get it.
rm "$WORK/zones/default/aaa.yaml"
rm "$WORK/zones/default/frontend.yaml"
cat >"$WORK/zones/default/zzz.yaml" <<'YAML'
type: MeshService
name: zzz
mesh: default
spec:
  ports:
  - port: 80
    targetPort: 80
YAML
start_meshdns -r "$WORK/zones/default" -s "$state" || fail "third start"
expect_eq "a removed service's name is gone" "" "$(dig_short frontend.svc.mesh.local)"
expect_eq "a new service does not get a held-back or freed VIP" "241.0.0.7" "$(dig_short zzz.svc.mesh.local)"
expect_eq "redis keeps its VIP" "241.0.0.5" "$(dig_short redis.svc.mesh.local)"
stop_meshdns

# Corrupt the state file: start-up stops, the file is left as it was.
cp "$state" "$WORK/state.before"
sed -i 's/241\.0\.0\.5/241.0.0.9/' "$state"
cp "$state" "$WORK/state.corrupt"
if start_meshdns -r "$WORK/zones/default" -s "$state"; then
	fail "meshdns started with a corrupt state file"
	stop_meshdns
else
	pass "meshdns refuses to start with a corrupt state file"
fi
expect_match "the error names the file and says how to recover" "state file .*state is corrupt.*" "$(cat "$LOG")"
if cmp -s "$state" "$WORK/state.corrupt"; then
	pass "the corrupt state file was not replaced"
else
	fail "the corrupt state file was changed"
fi

# Truncated state file: the same.
head -c 40 "$WORK/state.before" >"$state"
if start_meshdns -r "$WORK/zones/default" -s "$state"; then
	fail "meshdns started with a truncated state file"
	stop_meshdns
else
	pass "meshdns refuses to start with a truncated state file"
fi

# Restored: everything as before.
cp "$WORK/state.before" "$state"
start_meshdns -r "$WORK/zones/default" -s "$state" || fail "start after restore"
expect_eq "restored state: redis keeps its VIP" "241.0.0.5" "$(dig_short redis.svc.mesh.local)"
stop_meshdns

# Hold-back in a small pool, where next-fit must wrap: a /29 has six
# usable addresses.  backend, billing, frontend, postgres, redis get
# .1-.5; frontend goes away; two new services arrive.  The first gets .6;
# the second finds .3 held back for frontend and the pool full, so it
# gets no VIP (and says so) instead of frontend's address.
copy_zones
cat >"$WORK/small.yaml" <<'YAML'
vip:
  pools:
    meshService: 10.77.0.0/29
YAML
small="$WORK/small.state"
start_meshdns -c "$WORK/small.yaml" -r "$WORK/zones/default" -s "$small" || fail "small pool start"
expect_eq "small pool: frontend" "10.77.0.3" "$(dig_short frontend.svc.mesh.local)"
stop_meshdns
rm "$WORK/zones/default/frontend.yaml"
for n in new1 new2; do
	cat >"$WORK/zones/default/$n.yaml" <<YAML
type: MeshService
name: $n
mesh: default
spec:
  ports:
  - port: 80
    targetPort: 80
YAML
done
start_meshdns -c "$WORK/small.yaml" -r "$WORK/zones/default" -s "$small" || fail "small pool restart"
expect_eq "small pool: the first new service gets the last free address" "10.77.0.6" "$(dig_short new1.svc.mesh.local)"
expect_eq "small pool: the held-back address is not given away" "" "$(dig_short new2.svc.mesh.local)"
expect_match "small pool: the log says the pool is full" "could not allocate vip for MeshService new2: no addresses left in pool 10\.77\.0\.0/29" "$(cat "$LOG")"
expect_eq "small pool: redis keeps its VIP" "10.77.0.5" "$(dig_short redis.svc.mesh.local)"

finish
