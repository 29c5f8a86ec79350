#!/bin/bash
# state-journal.sh -- with watch, each applied change is appended to
# <state-file>.journal: the state file itself is not rewritten.  After
# kill -9 a restart gives every service the VIP it had, and reads the
# start-up cache (the state on disk is the one it was written with); a
# clean stop folds the journal into the state file.  A torn last record
# (a save interrupted) is dropped with a warning and the cache is not
# used; a damaged record followed by good ones stops the start (and -t)
# with the file and what is wrong.
. "${SRCDIR:?SRCDIR must name the source tree}/tests/system/lib.sh" || exit 1

copy_zones
Z="$WORK/zones/default"
S="$WORK/state"

# wait_answer WHAT NAME EXPECTED (10 s at most: a bound for slow
# machines, not a timing assertion).
wait_answer() {
	got=""
	for _ in $(seq 200); do
		got=$(dig_short "$2" A)
		[ "$got" = "$3" ] && break
		sleep 0.05
	done
	expect_eq "$1" "$3" "$got"
}

# add_service NAME PORT: a new MeshService file.
add_service() {
	cat >"$Z/$1.yaml" <<YAML
type: MeshService
name: $1
mesh: default
spec:
  ports:
  - port: $2
    targetPort: $2
YAML
}

# The inode of FILE (0 when missing).
inode() {
	stat -c %i "$1" 2>/dev/null || echo 0
}

# wait_cache_after INODE: the start-up cache rewritten since it had INODE
# (10 s at most).
wait_cache_after() {
	for _ in $(seq 200); do
		[ "$(inode "$S.cache")" != "$1" ] && [ -s "$S.cache" ] && return 0
		sleep 0.05
	done
	return 1
}

# Every service's A records, one line each.
answers() {
	for n in $(state_records "$S" | awk '$1 == "assign" { split($3, k, "/"); print k[3] }'); do
		echo "$n: $(dig_short "$n.svc.mesh.local" A)"
	done
}

kill9() {
	kill -KILL "$PID"
	wait "$PID" 2>/dev/null
	PID=""
}

start_meshdns -r "$Z" -s "$S" || { fail "meshdns did not start"; finish; }
[ -s "$S" ] || fail "no state file after the start"
[ -s "$S.journal" ] || fail "no journal after the start"
base=$(stat -c '%i %s %Y' "$S")
jsize=$(stat -c %s "$S.journal")

# Changes applied: appended to the journal, the state file untouched.
for i in 1 2 3 4; do
	add_service "extra$i" "80$i"
	wait_answer "extra$i is served" "extra$i.svc.mesh.local" "241.0.0.$((5 + i))"
done
cache=$(inode "$S.cache")
rm "$Z/frontend.yaml"
wait_answer "a removed service is gone" frontend.svc.mesh.local ""
expect_eq "the state file was not rewritten by the applies" "$base" "$(stat -c '%i %s %Y' "$S")"
expect_eq "the journal grew" "grew" "$([ "$(stat -c %s "$S.journal")" -gt "$jsize" ] && echo grew)"
expect_match "the journal has the new VIPs" "^\+ assign 241\.0\.0\.9 MeshService/default/extra4$" "$(cat "$S.journal")"
expect_match "the journal holds the removed service's VIP back" "^\+ held [0-9.]+ [0-9]+ MeshService/default/frontend$" "$(cat "$S.journal")"
records=$(state_records "$S")
served=$(answers)
expect_match "the VIPs answered" "extra4: 241\.0\.0\.9" "$served"
wait_cache_after "$cache" || fail "no start-up cache written after the last apply"

# kill -9: the state file and its journal are the state; the cache fits.
kill9
KEEP_PORT=1 start_meshdns -r "$Z" -s "$S" || fail "restart after kill -9"
expect_match "after kill -9: read from the start-up cache" "read from the start-up cache" "$(cat "$LOG")"
expect_eq "after kill -9: the same state" "$records" "$(state_records "$S")"
expect_eq "after kill -9: every VIP the same" "$served" "$(answers)"

# A clean stop folds the journal into the state file.
stop_meshdns
expect_eq "a clean stop leaves the journal empty" "1" "$(wc -l <"$S.journal")"
expect_match "a clean stop writes the state file whole" "^assign 241\.0\.0\.9 MeshService/default/extra4$" "$(cat "$S")"
expect_eq "a clean stop keeps the state" "$records" "$(state_records "$S")"

# Without the cache (so the build, not the cache, is checked).
rm -f "$S.cache"
KEEP_PORT=1 start_meshdns -r "$Z" -s "$S" || fail "start after a clean stop"
expect_eq "after a clean stop: every VIP the same" "$served" "$(answers)"

# A torn last record: dropped with a warning; the cache was written for
# the state it held, so it is not used.
add_service extra5 805
wait_answer "extra5 is served" extra5.svc.mesh.local 241.0.0.10
cache=$(inode "$S.cache")
add_service extra6 806
wait_answer "extra6 is served" extra6.svc.mesh.local 241.0.0.11
wait_cache_after "$cache" || fail "no start-up cache after extra6"
kill9
size=$(stat -c %s "$S.journal")
truncate -s $((size - 5)) "$S.journal"
KEEP_PORT=1 start_meshdns -r "$Z" -s "$S" || fail "start with a torn journal"
expect_match "a torn last record: a warning with the file and offset" \
	"warning: state journal $S\.journal: the last record \(line [0-9]+, offset [0-9]+\) is incomplete \(cut short\): dropped; a save was interrupted, and the state it held was never served" \
	"$(cat "$LOG")"
expect_no_match "a torn last record: the cache is not used" "read from the start-up cache" "$(cat "$LOG")"
expect_eq "a torn last record: extra5 keeps its VIP" "241.0.0.10" "$(dig_short extra5.svc.mesh.local A)"

# A damaged record followed by good ones: the start stops, with the file
# and what is wrong; nothing is renumbered or rewritten.
add_service extra7 807
wait_answer "extra7 is served" extra7.svc.mesh.local 241.0.0.12
kill9
[ "$(grep -c '^change ' "$S.journal")" -ge 2 ] || fail "fewer than two records in the journal"
sed -i '3s/.$/~/' "$S.journal"
cp "$S.journal" "$WORK/journal.bad"
if KEEP_PORT=1 start_meshdns -r "$Z" -s "$S"; then
	fail "a damaged journal record followed by good ones: started"
	stop_meshdns
fi
expect_match "a damaged journal: the start says which file and what is wrong" \
	"error: state journal $S\.journal is corrupt \(line 2, offset [0-9]+: checksum mismatch; good records follow, from line [0-9]+\); meshdns will not start, to keep every VIP where it is" \
	"$(cat "$LOG")"
out=$("$MESHDNS" -t -r "$Z" -s "$S" 2>&1)
expect_match "-t reads the journal the same way" "state journal $S\.journal is corrupt" "$out"
expect_eq "the damaged journal is left as it was" "" "$(cmp "$S.journal" "$WORK/journal.bad")"

finish
