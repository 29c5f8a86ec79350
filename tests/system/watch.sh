#!/bin/bash
# watch.sh -- resource files are watched: an edit, a new file, a removed
# file, a file renamed over another and a new directory are served without
# SIGHUP; a half-written file keeps its last good content and its error is
# logged with its position; VIPs stay where they were; the result is what
# a fresh start on the same files serves.
. "${SRCDIR:?SRCDIR must name the source tree}/tests/system/lib.sh" || exit 1

copy_zones
Z="$WORK/zones/default"
start_meshdns -r "$Z" -s "$WORK/state" || {
	fail "meshdns did not start"
	finish
}

# wait_answer WHAT NAME TYPE EXPECTED: poll until dig answers EXPECTED
# (10 s at most: a bound for slow machines, not a timing assertion).
wait_answer() {
	got=""
	for _ in $(seq 200); do
		got=$(dig_short "$2" "$3")
		[ "$got" = "$4" ] && break
		sleep 0.05
	done
	expect_eq "$1" "$4" "$got"
}

# wait_rcode WHAT NAME RCODE
wait_rcode() {
	got=""
	for _ in $(seq 200); do
		got=$(dig_q "$2" | sed -n 's/.*status: \([A-Z]*\),.*/\1/p')
		[ "$got" = "$3" ] && break
		sleep 0.05
	done
	expect_eq "$1" "$3" "$got"
}

before_vips=$(for n in backend frontend postgres redis billing; do
	echo "$n $(dig_short $n.svc.mesh.local)"; done)
expect_match "before: redis has its VIP" "^redis 241\.0\.0\.5$" "$before_vips"

# An edit in place (sed -i: a new file renamed over the old one).
sed -i 's/^  - port: 6739$/  - port: 6740/' "$Z/redis.yaml"
wait_answer "an edit: the new port is served" _6740._tcp.redis.svc.mesh.local SRV \
	"0 0 6740 redis.svc.mesh.local."
wait_rcode "an edit: the old port is gone" _6739._tcp.redis.svc.mesh.local NXDOMAIN
expect_eq "an edit: the VIP stays" "241.0.0.5" "$(dig_short redis.svc.mesh.local)"
expect_match "the change is logged" "notice: watch, .*/redis\.yaml changed" "$(cat "$LOG")"
expect_no_match "no SIGHUP was needed" "SIGHUP received" "$(cat "$LOG")"

# A new file, written with a plain redirection.
cat >"$Z/cache.yaml" <<'YAML'
type: MeshService
name: cache
mesh: default
spec:
  ports:
  - port: 11211
    targetPort: 11211
YAML
wait_answer "a new file: its service is served with the next VIP" cache.svc.mesh.local A 241.0.0.6

# A removed file.
rm "$Z/frontend.yaml"
wait_rcode "a removed file: its service is gone" frontend.svc.mesh.local NXDOMAIN

# A file renamed over another (an editor's or kubectl's way to write).
sed 's/port: 11211/port: 11212/' "$Z/cache.yaml" >"$WORK/cache.tmp"
mv "$WORK/cache.tmp" "$Z/cache.yaml"
wait_answer "renamed over: the new content is served" _11212._tcp.cache.svc.mesh.local SRV \
	"0 0 11212 cache.svc.mesh.local."
# The same within the directory, from a name the walk does not read.
sed 's/port: 11212/port: 11213/' "$Z/cache.yaml" >"$Z/.cache.yaml.swp"
mv "$Z/.cache.yaml.swp" "$Z/cache.yaml"
wait_answer "renamed over from a hidden name" _11213._tcp.cache.svc.mesh.local SRV \
	"0 0 11213 cache.svc.mesh.local."
expect_eq "renamed over: the VIP stays" "241.0.0.6" "$(dig_short cache.svc.mesh.local)"

# A new subdirectory, then a file in it; and a directory moved in whole.
mkdir "$Z/team"
sed 's/name: cache/name: queue/' "$Z/cache.yaml" >"$Z/team/queue.yaml"
wait_answer "a new subdirectory's file is served" queue.svc.mesh.local A 241.0.0.7
mkdir -p "$WORK/prepared/deeper"
sed 's/name: cache/name: mail/' "$Z/cache.yaml" >"$WORK/prepared/deeper/mail.yaml"
mv "$WORK/prepared" "$Z/prepared"
wait_answer "a directory moved in: its files are served" mail.svc.mesh.local A 241.0.0.8
sed -i 's/port: 11213/port: 11214/' "$Z/prepared/deeper/mail.yaml"
wait_answer "a file of the moved-in directory is watched" _11214._tcp.mail.svc.mesh.local SRV \
	"0 0 11214 mail.svc.mesh.local."

# Caught half-written: not applied, the error has its position, the last
# good content stays; once whole, it is applied.
exec 3>"$Z/redis.yaml"
printf 'type: MeshService\nname: redis\nmesh: default\nspec:\n  ports:\n  - port: 6741\n    appProtocol: "tc' >&3
wait_log "redis\.yaml not applied: its last good content stays served" ||
	fail "the half-written file was not reported"
expect_match "the error names file:line:column" \
	"meshdns: .*/redis\.yaml:[0-9]+:[0-9]+: error: " "$(cat "$LOG")"
expect_eq "half-written: the last good content is served" \
	"0 0 6740 redis.svc.mesh.local." "$(dig_short _6740._tcp.redis.svc.mesh.local SRV)"
expect_eq "half-written: the VIP is served" "241.0.0.5" "$(dig_short redis.svc.mesh.local)"
printf 'p"\n' >&3
exec 3>&-
wait_answer "once whole, the file is applied" _6741._tcp.redis.svc.mesh.local SRV \
	"0 0 6741 redis.svc.mesh.local."
expect_eq "once whole: the VIP stays" "241.0.0.5" "$(dig_short redis.svc.mesh.local)"
wait_rcode "once whole: the old port is gone" _6740._tcp.redis.svc.mesh.local NXDOMAIN

# Truncated by a redirection whose writer is slow (kubectl ... >file):
# an empty file that was not closed is not taken for empty.
gens_before=$(grep -c 'notice: serving generation' "$LOG")
cp "$Z/redis.yaml" "$WORK/redis.whole"
exec 3>"$Z/redis.yaml"
sleep 0.5	# longer than the settling time: the empty file was seen
expect_eq "truncated, still open: the service is still served" "241.0.0.5" "$(dig_short redis.svc.mesh.local)"
expect_eq "truncated, still open: nothing was built" "$gens_before" "$(grep -c 'notice: serving generation' "$LOG")"
cat "$WORK/redis.whole" >&3
exec 3>&-
wait_log "watch, .*/redis\.yaml changed" 4 || fail "the rewritten file was not seen"
expect_eq "rewritten: the same service" "0 0 6741 redis.svc.mesh.local." "$(dig_short _6741._tcp.redis.svc.mesh.local SRV)"

# An invalid resource (not YAML's fault) is kept out the same way.
cp "$Z/redis.yaml" "$WORK/redis.good"
sed 's/port: 6741/port: 70000/' "$WORK/redis.good" >"$WORK/redis.bad"
mv "$WORK/redis.bad" "$Z/redis.yaml"
wait_log "redis\.yaml not applied" 2 || fail "the invalid resource was not reported"
expect_match "the invalid port is reported at its position" \
	"redis\.yaml:6:11: error: .*port" "$(cat "$LOG")"
expect_eq "invalid: the last good content is served" \
	"0 0 6741 redis.svc.mesh.local." "$(dig_short _6741._tcp.redis.svc.mesh.local SRV)"
mv "$WORK/redis.good" "$Z/redis.yaml"

# The kernel's event queue overflows (meshdns stopped while more events
# come than it holds): everything is read again, so a change whose event
# was lost is served too.
max=$(cat /proc/sys/fs/inotify/max_queued_events)
mkdir "$Z/junk"
wait_log "watch, .*/junk changed" || fail "the new directory was not seen"
kill -STOP "$PID"
python3 - "$Z/junk" "$max" <<'PY'
import os, sys
d, n = sys.argv[1], int(sys.argv[2])
for i in range(n // 2 + 10):
    with open(os.path.join(d, "f%d.txt" % i), "w"):
        pass
PY
sed 's/name: cache/name: late/' "$Z/cache.yaml" >"$Z/late.yaml"
kill -CONT "$PID"
wait_log "watch, the kernel's event queue overflowed: reading every resource path again" ||
	fail "no overflow reported"
wait_answer "after an overflow: a change whose event was lost is served" late.svc.mesh.local A 241.0.0.9
rm -r "$Z/junk"
rm "$Z/late.yaml"
wait_rcode "after an overflow: changes are still watched" late.svc.mesh.local NXDOMAIN

# VIPs did not move.
for n in backend postgres redis billing; do
	expect_match "$n keeps its VIP" "^$n $(dig_short $n.svc.mesh.local | sed 's/\./\\./g')\$" "$before_vips"
done

# SIGHUP still reads everything (and finds nothing new).
kill -HUP "$PID"
wait_log "reload, (nothing changed|no name or VIP added or removed)" ||
	fail "SIGHUP after the watched changes"

# What a fresh start on the same files (and a copy of the state) serves:
# as many services, names and records, and the same answers.
counts() {
	grep 'notice: serving generation [0-9]*: ' "$LOG" | tail -1 |
		sed 's/.*: \([0-9]* services, [0-9]* names, [0-9]* records\) .*/\1/'
}
answers() {
	for n in backend frontend postgres redis billing cache queue mail late; do
		for q in "$n.svc.mesh.local A" "$n.mesh A" \
			 "_6741._tcp.$n.svc.mesh.local SRV" \
			 "_11214._tcp.$n.svc.mesh.local SRV" \
			 "_11213._tcp.$n.svc.mesh.local SRV"; do
			set -- $q
			echo "$1 $2: $(dig_q +noall +answer "$1" "$2" | awk '{$2=""; print}' | sort | tr '\n' ' ')"
		done
	done
}
watched_counts=$(counts)
watched_answers=$(answers)
cp "$WORK/state" "$WORK/state.fresh"
cp "$WORK/state.journal" "$WORK/state.fresh.journal"
stop_meshdns
start_meshdns -r "$Z" -s "$WORK/state.fresh" || fail "the fresh start"
expect_eq "a fresh start serves as many services, names and records" \
	"$(counts)" "$watched_counts"
expect_eq "a fresh start gives the same answers" "$(answers)" "$watched_answers"
expect_match "the answers compared include the new names" \
	"^mail\.svc\.mesh\.local A: mail\.svc\.mesh\.local\. +IN A 241\.0\.0\.8" "$watched_answers"

# watch: false: an edit waits for SIGHUP.
stop_meshdns
printf 'watch: false\n' >"$WORK/nowatch.yaml"
start_meshdns -c "$WORK/nowatch.yaml" -r "$Z" -s "$WORK/state.fresh" || fail "start with watch: false"
sed -i 's/^  - port: 6741$/  - port: 6742/' "$Z/redis.yaml"
sleep 0.5	# longer than a watched change takes: it would be served
expect_eq "watch: false: the edit is not applied by itself" \
	"0 0 6741 redis.svc.mesh.local." "$(dig_short _6741._tcp.redis.svc.mesh.local SRV)"
expect_no_match "watch: false: nothing watched" "watch, " "$(cat "$LOG")"
kill -HUP "$PID"
wait_answer "watch: false: SIGHUP applies it" _6742._tcp.redis.svc.mesh.local SRV \
	"0 0 6742 redis.svc.mesh.local."

finish
