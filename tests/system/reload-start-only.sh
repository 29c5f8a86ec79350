#!/bin/bash
# reload-start-only.sh -- SIGHUP with a setting that applies at start only
# (listen, workers, forward.*, tcp.*, state-file): the warning compares the file with
# what is in effect, names every key that differs, and stops once the file
# agrees again.
. "${SRCDIR:?SRCDIR must name the source tree}/tests/system/lib.sh" || exit 1

copy_zones
conf="$WORK/meshdns.yaml"
# write_conf PORT WORKERS [MORE]: the config file, listen in it (not -l:
# the command line would win on every reload).
write_conf() {
	printf 'listen: [ "127.0.0.1:%s" ]\nworkers: %s\nwatch: false\nresources: [ "%s" ]\nstate-file: "%s"\n%s' \
		"$1" "$2" "$WORK/zones/default" "${STATEF:-$WORK/state}" "${3:-}" >"$conf"
}

# The port is in the file: try free ones as start_meshdns does.
tries=0
while :; do
	tries=$((tries + 1))
	PORT=$(( (RANDOM % 30000) + 20000 ))
	write_conf "$PORT" 2
	"$MESHDNS" -f -c "$conf" >"$LOG" 2>&1 &
	PID=$!
	if wait_log "serving generation 1"; then
		break
	fi
	stop_meshdns
	if [ $tries -ge 10 ] || ! grep -q "already in use" "$LOG"; then
		fail "meshdns did not start"
		finish
	fi
done
other=$((PORT + 1))
hups=0
# hup REGEX: SIGHUP, and wait for the reload's last line matching REGEX.
hup() {
	hups=$((hups + 1))
	kill -HUP "$PID"
	wait_log "reload, SIGHUP received" "$hups" || fail "no reload $hups"
	wait_log "$1" || fail "reload $hups: no /$1/ in the log"
}
warning="warning: reload, settings that apply at start only differ from those in effect"

# listen and workers changed: both named, with the values in effect.
write_conf "$other" 1
hup "serving generation 2"
expect_match "a listen and workers change: both named, with what is in effect" \
	"^meshdns: $warning: listen \(in effect: 127\.0\.0\.1:$PORT\), workers \(in effect: 2\); restart meshdns to apply them$" \
	"$(cat "$LOG")"
expect_eq "still answered on the port in effect" "241.0.0.5" "$(dig_short redis.svc.mesh.local)"

# Another reload that changes something else: the drift is still warned.
write_conf "$other" 1 'dns: { ttl: 60 }
'
hup "serving generation 3"
expect_eq "a later reload still warns" 2 "$(grep -c "$warning" "$LOG")"
# And a reload with nothing changed, too.
hup "reload, nothing changed since generation 3"
expect_eq "a reload with nothing changed still warns" 3 "$(grep -c "$warning" "$LOG")"

# Put back: no warning.
write_conf "$PORT" 2 'dns: { ttl: 60 }
'
since=$(wc -l <"$LOG")
hup "serving generation 4"
expect_no_match "listen and workers put back: no warning" "at start only" \
	"$(tail -n +"$((since + 1))" "$LOG")"

# The other start-only keys are named each by its key.
write_conf "$PORT" 2 'dns: { ttl: 60 }
tcp: { idle-timeout: 20s, max-connections: 7 }
forward: { upstreams: [ "127.0.0.1:9" ], timeout: 900ms, max-in-flight: 10, allow: [ "127.0.0.0/8" ] }
'
hup "serving generation 5"
expect_match "every other start-only key, by name" \
	"$warning: forward\.upstreams \(in effect: none\), forward\.timeout \(in effect: [0-9]+ms\), forward\.max-in-flight \(in effect: [0-9]+\), forward\.allow \(in effect: [^)]*\), tcp\.idle-timeout \(in effect: [0-9]+s\), tcp\.max-connections \(in effect: [0-9]+\); restart" \
	"$(cat "$LOG")"

# state-file: its lock is taken at start, so the file in effect stays the
# one written; a new service's VIP goes there, not to the new path.
STATEF="$WORK/state2"
write_conf "$PORT" 2
printf 'type: MeshService\nname: added\nmesh: default\nspec:\n  selector: {dataplaneTags: {app: added}}\n  ports: [{port: 80, appProtocol: http}]\n' \
	>"$WORK/zones/default/added.yaml"
since=$(wc -l <"$LOG")
hup "serving generation 6"
expect_match "state-file changed: named, with the file in effect" \
	"$warning: .*state-file \(in effect: $WORK/state\)" "$(tail -n +"$((since + 1))" "$LOG")"
expect_match "the new service's VIP is in the state file in effect" "added" "$(state_records "$WORK/state")"
expect_eq "nothing is written to the new path" "absent" "$([ -e "$WORK/state2" ] && echo present || echo absent)"
finish
