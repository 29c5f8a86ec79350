#!/bin/bash
# cache.sh -- the start-up cache: a restart with unchanged inputs answers
# from <state-file>.cache exactly as a build would; any change of an input
# (a resource, the state file, the command line), a damaged file or
# start-cache: false means a build from the files.
. "${SRCDIR:?SRCDIR must name the source tree}/tests/system/lib.sh" || exit 1

copy_zones
state="$WORK/state"
cache="$WORK/state.cache"

# What a client sees for a set of queries (the message id aside).
answers() {
	local q
	for q in "redis.svc.mesh.local A" "redis.mesh A" "backend.svc.mesh.local AAAA" \
		"redis.svc.mesh.local SRV" "_http._tcp.redis.svc.mesh.local SRV" \
		"5.0.0.241.in-addr.arpa PTR" "nope.svc.mesh.local A" \
		"mesh.local SOA" "mesh.local NS" "svc.mesh.local A"; do
		echo "== $q"
		# shellcheck disable=SC2086  # name and type are two words
		dig_q +norec +nocookie +nocmd +nostats $q |
			sed -e 's/, id: [0-9]*//' -e '/^;; Got answer/d' -e '/^$/d'
	done
}

# wait_file FILE: wait (5 s at most) until FILE exists.
wait_file() {
	local i=0
	while [ $i -lt 100 ]; do
		[ -s "$1" ] && return 0
		sleep 0.05
		i=$((i + 1))
	done
	return 1
}

start_meshdns -r "$WORK/zones/default" -s "$state" || { fail "first start"; finish; }
expect_match "the first start builds" "serving generation 1: .*; built in" "$(cat "$LOG")"
built=$(answers)
expect_match "the answers are there" "241\.0\.0\.5" "$built"
wait_file "$cache" && pass "the cache file is written once serving" || fail "no cache file $cache"
stop_meshdns

KEEP_PORT=1 start_meshdns -r "$WORK/zones/default" -s "$state" || fail "start from the cache"
expect_match "a restart with unchanged inputs reads the cache" \
	"serving generation 1: 5 services, .*; read from the start-up cache in [0-9]+ ms" "$(cat "$LOG")"
expect_eq "the cached answers are the built ones" "$built" "$(answers)"
# A reload with nothing changed does not build.  One with a change that
# leaves the answers as they were (a comment) builds the same table.
kill -HUP "$PID"
wait_log "reload, nothing changed since generation 1 was built: still serving it" ||
	fail "a SIGHUP with nothing changed: no 'nothing changed' in the log"
pass "a reload with nothing changed does not build"
printf '# a comment\n' >>"$WORK/zones/default/redis.yaml"
kill -HUP "$PID"
wait_log "serving generation 2: .*; built in" || fail "no generation 2 after SIGHUP"
expect_eq "a reload after a cached start answers the same" "$built" "$(answers)"
stop_meshdns

# A resource changed: the cache is not used, the change is served.
sed -i "s/- port: 6739\$/- port: 6740/" "$WORK/zones/default/redis.yaml"
grep -q "port: 6740" "$WORK/zones/default/redis.yaml" || fail "test setup: redis.yaml has no port 6739"
KEEP_PORT=1 start_meshdns -r "$WORK/zones/default" -s "$state" || fail "start after an edit"
expect_match "an edited resource: the cache is not used" \
	"start-up cache .* not used: the inputs changed" "$(cat "$LOG")"
expect_match "an edited resource: the start builds" "serving generation 1: .*; built in" "$(cat "$LOG")"
expect_match "an edited resource: the edit is served" "6740 redis\.svc\.mesh\.local\." "$(dig_q +short redis.svc.mesh.local SRV)"
stop_meshdns
# The cache now matches the edited files again.
wait_file "$cache"
KEEP_PORT=1 start_meshdns -r "$WORK/zones/default" -s "$state" || fail "start from the new cache"
expect_match "the cache follows the last build" "read from the start-up cache" "$(cat "$LOG")"
expect_match "the cache follows the last build: the edit is served" "6740 redis\.svc\.mesh\.local\." "$(dig_q +short redis.svc.mesh.local SRV)"
stop_meshdns

# A new file in a resource directory counts too.
cat >"$WORK/zones/default/zzz.yaml" <<'YAML'
type: MeshService
name: zzz
mesh: default
spec:
  ports:
  - port: 80
    targetPort: 80
YAML
KEEP_PORT=1 start_meshdns -r "$WORK/zones/default" -s "$state" || fail "start after a new file"
expect_match "a new resource file: the cache is not used" "not used: the inputs changed" "$(cat "$LOG")"
expect_eq "a new resource file: its name is served" "241.0.0.6" "$(dig_short zzz.svc.mesh.local)"
now=$(answers)
stop_meshdns

# Another command line (here the port) is another key.
start_meshdns -r "$WORK/zones/default" -s "$state" || fail "start on another port"
expect_match "another command line: the cache is not used" "not used: the inputs changed" "$(cat "$LOG")"
stop_meshdns

# The state file is part of the key: a restored older state is a miss.
wait_file "$cache"
KEEP_PORT=1 start_meshdns -r "$WORK/zones/default" -s "$state" || fail "start before the state test"
stop_meshdns
cp "$state" "$WORK/state.saved"
printf '# edited by hand\n' >>"$state"
if KEEP_PORT=1 start_meshdns -r "$WORK/zones/default" -s "$state"; then
	expect_no_match "a changed state file: the cache is not used" "read from the start-up cache" "$(cat "$LOG")"
	stop_meshdns
else
	# A state file edited by hand may also be refused as corrupt: fine
	# too, as long as the cache did not answer instead.
	expect_no_match "a changed state file: the cache is not used" "read from the start-up cache" "$(cat "$LOG")"
fi
cp "$WORK/state.saved" "$state"

# A damaged cache file is reported and a build runs; answers are right.
KEEP_PORT=1 start_meshdns -r "$WORK/zones/default" -s "$state" || fail "start before damaging the cache"
stop_meshdns
size=$(stat -c %s "$cache")
printf '\377' | dd of="$cache" bs=1 seek=$((size - 7)) conv=notrunc status=none
KEEP_PORT=1 start_meshdns -r "$WORK/zones/default" -s "$state" || fail "start with a damaged cache"
expect_match "a damaged cache: a warning says why" \
	"warning: start-up cache .*state\.cache is unusable \(checksum mismatch\): building from the files" "$(cat "$LOG")"
expect_eq "a damaged cache: the answers are built ones" "$now" "$(answers)"
stop_meshdns
head -c 100 "$cache" >"$cache.short" && mv "$cache.short" "$cache"
KEEP_PORT=1 start_meshdns -r "$WORK/zones/default" -s "$state" || fail "start with a truncated cache"
expect_match "a truncated cache: a warning says why" "unusable \(truncated" "$(cat "$LOG")"
expect_eq "a truncated cache: the answers are built ones" "$now" "$(answers)"
stop_meshdns

# The key is the state meshdns holds, not whatever file is on the disk:
# a state file replaced while it runs, then a reload that changes no VIP,
# must not let the next start serve the old VIPs from the cache.
mkdir -p "$WORK/only-redis"
cp "$WORK/zones/default/redis.yaml" "$WORK/zones/default/hostname-generators.yaml" "$WORK/only-redis/"
start_meshdns -r "$WORK/only-redis" -s "$WORK/state-b" || fail "start for state B"
stop_meshdns
start_meshdns -r "$WORK/zones/default" -s "$WORK/state-b" || fail "start for state B, all"
expect_eq "state B: redis has the first VIP" "241.0.0.1" "$(dig_short redis.svc.mesh.local)"
stop_meshdns
KEEP_PORT=1 start_meshdns -r "$WORK/zones/default" -s "$state" || fail "start before replacing the state"
expect_eq "state A: redis" "241.0.0.5" "$(dig_short redis.svc.mesh.local)"
# The state is the file and its journal: both replaced.
cp "$WORK/state-b" "$state"
cp "$WORK/state-b.journal" "$state.journal"
printf '# a comment\n' >>"$WORK/zones/default/redis.yaml"
kill -HUP "$PID"
wait_log "serving generation 2" || fail "no generation 2 after SIGHUP"
sleep 0.5	# the cache would be written just after
stop_meshdns
KEEP_PORT=1 start_meshdns -r "$WORK/zones/default" -s "$state" || fail "start on the replaced state"
expect_no_match "a replaced state file: the cache is not used" "read from the start-up cache" "$(cat "$LOG")"
expect_eq "a replaced state file: its VIPs are served" "241.0.0.1" "$(dig_short redis.svc.mesh.local)"
stop_meshdns

# A VIP held back when the cache was written may be free at the next
# start: then a build could give it out, so the cache is not used.  A /29
# has six addresses: six services take them, one goes away (its VIP held
# for a second), a new one finds the pool full.
copy_zones
cat >"$WORK/small.yaml" <<'YAML'
dns:
  ttl: 1
vip:
  hold: 1s
  pools:
    meshService: 10.77.0.0/29
YAML
cat >"$WORK/zones/default/extra.yaml" <<'YAML'
type: MeshService
name: extra
mesh: default
spec:
  ports:
  - port: 80
    targetPort: 80
YAML
small="$WORK/small.state"
start_meshdns -c "$WORK/small.yaml" -r "$WORK/zones/default" -s "$small" || fail "small pool start"
stop_meshdns
rm "$WORK/zones/default/extra.yaml"
cat >"$WORK/zones/default/late.yaml" <<'YAML'
type: MeshService
name: late
mesh: default
spec:
  ports:
  - port: 80
    targetPort: 80
YAML
KEEP_PORT=1 start_meshdns -c "$WORK/small.yaml" -r "$WORK/zones/default" -s "$small" || fail "small pool, late"
expect_eq "small pool: the new service has no VIP while one is held" "" "$(dig_short late.svc.mesh.local)"
wait_file "$small.cache"
sleep 0.3
stop_meshdns
sleep 1.2
KEEP_PORT=1 start_meshdns -c "$WORK/small.yaml" -r "$WORK/zones/default" -s "$small" || fail "small pool, after the hold"
expect_match "an expired hold: the cache is not used" "not used: held-back VIPs were freed since it was written" "$(cat "$LOG")"
expect_match "an expired hold: the new service gets the freed VIP" "^10\.77\.0\.[1-6]$" "$(dig_short late.svc.mesh.local)"
stop_meshdns

# A config with a warning (a hold shorter than the TTL) always builds on
# SIGHUP; the same inputs give the same key, and the cache file, which
# already holds that table, is not written again.
copy_zones
printf 'vip:\n  hold: 1s\n' >"$WORK/warn.yaml"
start_meshdns -c "$WORK/warn.yaml" -r "$WORK/zones/default" -s "$WORK/warn.state" ||
	fail "start with a config warning"
wait_file "$WORK/warn.state.cache"
sleep 0.3
inode=$(stat -c %i "$WORK/warn.state.cache")
kill -HUP "$PID"
wait_log "serving generation 2: .*; built in" || fail "a config with a warning: no build on SIGHUP"
sleep 0.3
expect_eq "the same key: the cache is not written again" "$inode" "$(stat -c %i "$WORK/warn.state.cache")"
stop_meshdns

# start-cache: false neither reads nor writes it.
printf 'start-cache: false\n' >"$WORK/nocache.yaml"
rm -f "$cache"
start_meshdns -c "$WORK/nocache.yaml" -r "$WORK/zones/default" -s "$state" || fail "start without cache"
sleep 0.5
[ -e "$cache" ] && fail "start-cache: false wrote $cache" || pass "start-cache: false writes no cache"
stop_meshdns

finish
