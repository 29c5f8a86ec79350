#!/bin/bash
# dnstap.sh -- dnstap frames read by real fstrm_capture and decoded by
# dnstap-ldns.
#
# With a collector listening: an answered query, an NXDOMAIN and a TCP
# query give AUTH_QUERY and AUTH_RESPONSE frames, a name forwarded to a
# loopback dnsmasq FORWARDER_QUERY and FORWARDER_RESPONSE, all with the
# identity and version.  With none at start: meshdns starts, answers,
# and counts and logs the frames it drops; a collector that comes later
# is connected to, one that is killed costs frames, not answers, and one
# that comes back gets frames again.
. "${SRCDIR:?SRCDIR must name the source tree}/tests/system/lib.sh" || exit 1

for tool in fstrm_capture dnstap-ldns; do
	if ! command -v "$tool" >/dev/null 2>&1; then
		fail "$tool is not installed (contrib/bootstrap.sh installs fstrm-bin and dnstap-ldns)"
		finish
	fi
done
DNSMASQ=${DNSMASQ:-$(command -v dnsmasq || echo /usr/sbin/dnsmasq)}
if [ ! -x "$DNSMASQ" ]; then
	fail "dnsmasq is not installed (contrib/bootstrap.sh installs dnsmasq-base)"
	finish
fi

SOCK="$WORK/dnstap.sock"
CAP_PID=""
DM_PID=""

# start_capture FILE: fstrm_capture on $SOCK writing FILE, in the
# background (CAP_PID); waits for its socket.
start_capture() {
	rm -f "$SOCK"
	fstrm_capture -t protobuf:dnstap.Dnstap -u "$SOCK" -w "$1" \
		>>"$WORK/capture.log" 2>&1 &
	CAP_PID=$!
	for _ in $(seq 50); do
		[ -S "$SOCK" ] && return 0
		sleep 0.1
	done
	return 1
}

# stop_capture [SIGNAL]: SIGTERM (it writes what it has and closes the
# file) or SIGKILL.
stop_capture() {
	if [ -n "$CAP_PID" ]; then
		kill "-${1:-TERM}" "$CAP_PID" 2>/dev/null
		wait "$CAP_PID" 2>/dev/null
		CAP_PID=""
	fi
}

# await_lost: ask until meshdns logs one more lost collector (it notices
# when it next writes frames: within 2 s); prints 0, or 1 when it did not.
await_lost() {
	local n

	n=$(grep -c "warning: dnstap, lost the collector at $SOCK" "$LOG")
	for _ in $(seq 20); do
		dig_short billing.mesh A >/dev/null
		if [ "$(grep -c "warning: dnstap, lost the collector at $SOCK" \
			"$LOG")" -gt "$n" ]; then
			echo 0
			return
		fi
		sleep 0.3
	done
	echo 1
}

stop_all() {
	stop_capture KILL
	if [ -n "$DM_PID" ]; then
		kill -TERM "$DM_PID" 2>/dev/null
		wait "$DM_PID" 2>/dev/null
	fi
	cleanup
}
trap stop_all EXIT

# The upstream: dnsmasq on a free loopback port with one local name.
for _ in $(seq 20); do
	DM_PORT=$(((RANDOM % 30000) + 20000))
	: >"$WORK/dnsmasq.log"
	"$DNSMASQ" --keep-in-foreground --conf-file=/dev/null --no-resolv \
		--no-hosts --no-poll --bind-interfaces \
		--listen-address=127.0.0.1 --port="$DM_PORT" \
		--user="$(id -un)" --pid-file="$WORK/dnsmasq.pid" \
		--local=/example.test/ \
		--host-record=www.example.test,192.0.2.10 \
		2>>"$WORK/dnsmasq.log" &
	DM_PID=$!
	for _ in $(seq 50); do
		if dig @127.0.0.1 -p "$DM_PORT" +time=1 +tries=1 \
			www.example.test >/dev/null 2>&1; then
			break 2
		fi
		kill -0 "$DM_PID" 2>/dev/null || break
		sleep 0.1
	done
	kill "$DM_PID" 2>/dev/null
	wait "$DM_PID" 2>/dev/null
	DM_PID=""
done
if [ -z "$DM_PID" ]; then
	fail "the upstream (dnsmasq) did not start"
	cat "$WORK/dnsmasq.log"
	finish
fi

copy_zones
cat >"$WORK/meshdns.yaml" <<EOF
workers: 2
forward:
  upstreams: ["127.0.0.1:$DM_PORT"]
dnstap:
  socket: $SOCK
  identity: tap-test
EOF

# ---- a collector from the start: every kind of frame

start_capture "$WORK/one.tap" || {
	fail "fstrm_capture did not make $SOCK"
	finish
}
LOG="$WORK/meshdns-one.log"
start_meshdns -c "$WORK/meshdns.yaml" -r "$WORK/zones/default" \
	-s "$WORK/state" || {
	fail "meshdns did not start"
	finish
}
wait_log "dnstap, connected to $SOCK" ||
	fail "meshdns did not connect to the collector"
expect_eq "answered query" "241.0.0.5" "$(dig_short redis.svc.mesh.local A)"
expect_match "unknown mesh name" "status: NXDOMAIN" \
	"$(dig_q nope.svc.mesh.local AAAA)"
expect_eq "answered over TCP" "241.0.0.1" "$(dig_short +tcp backend.mesh A)"
expect_eq "forwarded query" "192.0.2.10" "$(dig_short www.example.test A)"
# meshdns writes what is queued before it stops, then the collector closes
# its file (SIGTERM).
stop_meshdns
stop_capture TERM
quiet=$(dnstap-ldns -r "$WORK/one.tap" -q 2>&1)
yaml=$(dnstap-ldns -r "$WORK/one.tap" -y 2>&1)
for t in AQ AR; do
	expect_match "$t of the answered query" \
		" $t 127\.0\.0\.1 UDP [0-9]+b \"redis\.svc\.mesh\.local\.\" IN A$" \
		"$quiet"
	expect_match "$t of the NXDOMAIN" \
		" $t 127\.0\.0\.1 UDP [0-9]+b \"nope\.svc\.mesh\.local\.\" IN AAAA$" \
		"$quiet"
	expect_match "$t of the TCP query" \
		" $t 127\.0\.0\.1 TCP [0-9]+b \"backend\.mesh\.\" IN A$" "$quiet"
done
for t in FQ FR; do
	expect_match "$t of the forwarded query" \
		" $t 127\.0\.0\.1 UDP [0-9]+b \"www\.example\.test\.\" IN A$" \
		"$quiet"
done
expect_no_match "no AUTH frame for the forwarded query" \
	" A[QR] .*www\.example\.test" "$quiet"
expect_eq "two frames per answered query" 6 \
	"$(printf '%s\n' "$quiet" | grep -c ' A[QR] ')"
expect_match "the NXDOMAIN's response" "rcode: NXDOMAIN" "$yaml"
expect_match "the identity" '^identity: "tap-test"$' "$yaml"
expect_match "the version" '^version: "meshdns [0-9]' "$yaml"
expect_match "the upstream's port" "^  response_port: $DM_PORT$" "$yaml"
expect_match "the server's port" "^  response_port: $PORT$" "$yaml"
expect_eq "every frame has the identity" \
	"$(printf '%s\n' "$yaml" | grep -c '^type: MESSAGE')" \
	"$(printf '%s\n' "$yaml" | grep -c '^identity: "tap-test"')"

# ---- no collector at start: meshdns answers, and counts what it drops

rm -f "$SOCK"
LOG="$WORK/meshdns-two.log"
start_meshdns -c "$WORK/meshdns.yaml" -r "$WORK/zones/default" \
	-s "$WORK/state" || {
	fail "meshdns did not start without a collector"
	finish
}
expect_match "it says it cannot connect" \
	"warning: dnstap, cannot connect to $SOCK \(No such file or directory\); trying every second" \
	"$(cat "$LOG")"
expect_eq "it answers without a collector" "241.0.0.5" \
	"$(dig_short redis.svc.mesh.local A)"
wait_log "dnstap, 2 frames dropped \(2 in all\): no collector is connected to $SOCK" ||
	fail "the dropped frames were not logged: $(grep dnstap "$LOG")"

# ---- the collector comes: frames go; it is killed: answers go on

start_capture "$WORK/two.tap" || fail "fstrm_capture did not restart"
wait_log "dnstap, connected to $SOCK" ||
	fail "meshdns did not connect to a collector that came later"
expect_eq "answered with the late collector" "241.0.0.3" \
	"$(dig_short frontend.mesh A)"
sleep 2.5	# libfstrm writes queued frames within 2 s
stop_capture TERM
expect_match "the collector that came later got frames" \
	" AQ 127\.0\.0\.1 UDP [0-9]+b \"frontend\.mesh\.\" IN A$" \
	"$(dnstap-ldns -r "$WORK/two.tap" -q 2>&1)"
# A collector that went away is noticed when frames are next written.
expect_eq "the stopped collector is noticed at the next frames" 0 \
	"$(await_lost)"
start_capture "$WORK/killed.tap" || fail "fstrm_capture did not restart"
wait_log "dnstap, connected to $SOCK" 2 ||
	fail "meshdns did not connect to a collector that was restarted"
stop_capture KILL
expect_eq "the killed collector is noticed at the next frames" 0 "$(await_lost)"
expect_eq "answers go on without the collector" "241.0.0.4" \
	"$(dig_short postgres.mesh A)"
expect_eq "... over TCP too" "241.0.0.4" "$(dig_short +tcp postgres.mesh A)"

# ---- it comes back: connected again

start_capture "$WORK/three.tap" || fail "fstrm_capture did not restart"
wait_log "dnstap, connected to $SOCK" 3 ||
	fail "meshdns did not connect again to a collector that came back"
expect_eq "answered after the collector came back" "241.0.0.2" \
	"$(dig_short billing.svc.mesh.local A)"
stop_meshdns
stop_capture TERM
expect_match "the collector that came back gets frames" \
	" AR 127\.0\.0\.1 UDP [0-9]+b \"billing\.svc\.mesh\.local\.\" IN A$" \
	"$(dnstap-ldns -r "$WORK/three.tap" -q 2>&1)"

finish
