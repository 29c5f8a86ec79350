#!/bin/bash
# cache-write.sh -- the start-up cache is written off the loop that
# publishes: while a write is stuck (its temporary file is a FIFO nobody
# reads), a watched change is still applied and answered.  Once the write
# ends, the snapshot served then is cached too (the one asked for meanwhile),
# and a restart answers from it.
. "${SRCDIR:?SRCDIR must name the source tree}/tests/system/lib.sh" || exit 1

copy_zones
Z="$WORK/zones/default"
state="$WORK/state"
cache="$WORK/state.cache"
tmp="$WORK/state.cache.tmp"

# A table bigger than a pipe's buffer (64 KiB), so that writing it to the
# FIFO blocks until it is read.
for i in $(seq 1 1500); do
	printf -- '---\ntype: MeshService\nname: bulk-%s\nmesh: default\nspec:\n  ports:\n  - port: 80\n' "$i"
done >"$Z/bulk.yaml"

# wait_vip WHAT NAME: wait (10 s at most: a bound for slow machines, not a
# timing assertion) until NAME has an address; it is in $got.
wait_vip() {
	got=""
	for _ in $(seq 200); do
		got=$(dig_short "$2" A)
		[ -n "$got" ] && break
		sleep 0.05
	done
	expect_match "$1" "^241\\." "$got"
}

# wait_true WHAT COMMAND...: wait (10 s at most) until COMMAND succeeds.
wait_true() {
	what=$1
	shift
	for _ in $(seq 200); do
		"$@" && { pass "$what"; return 0; }
		sleep 0.05
	done
	fail "$what"
	return 1
}

# has_open FILE [PID]: does meshdns (or PID) have FILE open?
has_open() {
	find "/proc/${2:-$PID}/fd" -lname "$1" 2>/dev/null | grep -q .
}

service() {
	printf 'type: MeshService\nname: %s\nmesh: default\nspec:\n  ports:\n  - port: 80\n' "$1" \
		>"$Z/$1.yaml"
}

start_meshdns -r "$Z" -s "$state" || { fail "meshdns did not start"; finish; }
wait_true "the first cache is written once changes pause" test -f "$cache"

# The next write gets stuck: its temporary file is a FIFO this script
# holds open (reading and writing, so that meshdns's open succeeds) and
# does not read.
mkfifo "$tmp"
exec 3<>"$tmp"
service one
wait_vip "a change is served" one.svc.mesh.local
wait_true "the cache write after it has started (and blocks)" has_open "$tmp"

# Meanwhile: another change is published and answered.
service two
wait_vip "a change during the cache write is served" two.svc.mesh.local
two=$got
expect_eq "the write still blocks" "yes" "$(has_open "$tmp" && echo yes)"

# Let the write end: read the FIFO, then drop this script's end of it.
cat "$tmp" >"$WORK/written" 3<&- &
CATPID=$!
# (the FIFO is renamed to the cache once the write ends)
wait_true "the FIFO's reader is there" has_open "$cache*" "$CATPID"
exec 3<&-
wait "$CATPID"
expect_eq "the blocked write wrote a whole table" "yes" \
	"$([ "$(stat -c %s "$WORK/written")" -gt 65536 ] && echo yes)"
# It renamed the FIFO to the cache; the write asked for meanwhile
# replaces it with a regular file, for the snapshot served now.
wait_true "the snapshot served is cached after the write" test -f "$cache"
expect_no_match "no cache write failed" "not saved" "$(cat "$LOG")"
stop_meshdns

KEEP_PORT=1 start_meshdns -r "$Z" -s "$state" || fail "restart"
expect_match "the restart reads the cache" \
	"serving generation 1: .*; read from the start-up cache" "$(cat "$LOG")"
expect_eq "the cache has the last change" "$two" \
	"$(dig_short two.svc.mesh.local A)"
finish
