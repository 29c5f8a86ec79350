#!/bin/bash
# systemd.sh -- meshdns as a Type=notify service: READY=1 once it answers,
# RELOADING=1 then READY=1 around a SIGHUP reload, STOPPING=1 on SIGTERM,
# each with a STATUS= line, sent to $NOTIFY_SOCKET (here a unix datagram
# socket of the test's own, read by python3, then an abstract one named
# "@name"); and contrib/meshdns.service passes systemd-analyze verify.
. "${SRCDIR:?SRCDIR must name the source tree}/tests/system/lib.sh" || exit 1

for t in python3 systemd-analyze; do
	command -v "$t" >/dev/null 2>&1 || {
		fail "$t is not installed (contrib/bootstrap.sh installs it)"
		finish
	}
done

SOCK="$WORK/notify"
MSGS="$WORK/notify.msgs"
RECV_PID=""
ARECV_PID=""
stop_recv() {
	if [ -n "$RECV_PID" ]; then
		kill -TERM "$RECV_PID" 2>/dev/null
		wait "$RECV_PID" 2>/dev/null
		RECV_PID=""
	fi
	if [ -n "$ARECV_PID" ]; then
		kill -TERM "$ARECV_PID" 2>/dev/null
		wait "$ARECV_PID" 2>/dev/null
		ARECV_PID=""
	fi
}
trap 'stop_recv; cleanup' EXIT

# One line per datagram, its fields separated by " | ".
python3 -c '
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
with open(sys.argv[2], "a") as f:
    while True:
        f.write(s.recv(4096).decode().replace("\n", " | ") + "\n")
        f.flush()
' "$SOCK" "$MSGS" &
RECV_PID=$!
i=0
while [ ! -S "$SOCK" ] && [ $i -lt 50 ]; do
	sleep 0.1
	i=$((i + 1))
done
[ -S "$SOCK" ] || {
	fail "the test's notify socket did not appear"
	finish
}
: >"$MSGS"

# wait_msg REGEX [COUNT]: wait (5 s at most) for COUNT messages matching.
wait_msg() {
	local want=${2:-1} n i=0
	while [ $i -lt 100 ]; do
		n=$(grep -Ec -- "$1" "$MSGS")
		[ "$n" -ge "$want" ] && return 0
		sleep 0.05
		i=$((i + 1))
	done
	return 1
}

copy_zones
NOTIFY_SOCKET="$SOCK" start_meshdns -r "$WORK/zones/default" -s "$WORK/state" || {
	fail "meshdns did not start"
	finish
}
wait_msg "^READY=1" || fail "no READY=1 after the start"
expect_match "READY=1 comes with the generation served" \
	"^READY=1 \| STATUS=serving generation 1: 5 services, [0-9]+ names in 2 zones \(\+16 reverse\)$" \
	"$(cat "$MSGS")"
# READY=1 only once meshdns answers: it was sent, so this must resolve.
expect_eq "answers once READY=1 is sent" "241.0.0.5" \
	"$(dig_short redis.svc.mesh.local)"
expect_eq "one READY=1 at start" "1" "$(grep -c '^READY=1' "$MSGS")"
# Written by hand: libsystemd (and gcrypt, lzma, zstd, lz4) stay unmapped.
expect_eq "libsystemd is not mapped" "0" \
	"$(grep -c '/libsystemd\.so' "/proc/$PID/maps")"

# A reload that changes something: RELOADING=1, then READY=1 with the new
# generation.
sed -i 's/^name: redis$/name: redis2/' "$WORK/zones/default/redis.yaml"
kill -HUP "$PID"
wait_msg "^READY=1" 2 || fail "no READY=1 after the reload"
expect_match "RELOADING=1 on SIGHUP, with MONOTONIC_USEC" \
	"^RELOADING=1 \| MONOTONIC_USEC=[0-9]+ \| STATUS=reloading$" "$(cat "$MSGS")"
expect_eq "RELOADING=1 comes before the second READY=1" "READY RELOADING READY" \
	"$(sed -E 's/^([A-Z]+)=.*/\1/' "$MSGS" | tr '\n' ' ' | sed 's/ $//')"

expect_match "... and the new generation" "^READY=1 \| STATUS=serving generation 2: " "$(cat "$MSGS")"

# A reload that is rejected still ends with READY=1 (systemctl reload
# returns), the old generation still served.
printf 'type: MeshService\nname: [oops\n' >"$WORK/zones/default/bad.yaml"
kill -HUP "$PID"
wait_msg "^READY=1" 3 || fail "no READY=1 after a rejected reload"
expect_match "the rejected reload's READY=1 says generation 2 serves" \
	"^READY=1 \| STATUS=serving generation 2: " "$(tail -n 1 "$MSGS")"
expect_eq "generation 2 still answers" "241.0.0.6" "$(dig_short redis2.svc.mesh.local)"

kill -TERM "$PID"
wait "$PID" 2>/dev/null
PID=""
wait_msg "^STOPPING=1" || fail "no STOPPING=1 on SIGTERM"

# Without NOTIFY_SOCKET nothing is sent and nothing fails.
rm "$WORK/zones/default/bad.yaml"
: >"$MSGS"
start_meshdns -r "$WORK/zones/default" -s "$WORK/state" ||
	fail "meshdns did not start without NOTIFY_SOCKET"
expect_eq "nothing sent without NOTIFY_SOCKET" "" "$(cat "$MSGS")"
stop_meshdns

# An abstract socket, as systemd gives some services: NOTIFY_SOCKET names
# it with a leading '@' (sd_notify(3)).
ABSTRACT="meshdns-test-$$-$RANDOM"
AMSGS="$WORK/abstract.msgs"
: >"$AMSGS"
python3 -c '
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind("\0" + sys.argv[1])
open(sys.argv[2] + ".bound", "w").close()
with open(sys.argv[2], "a") as f:
    while True:
        f.write(s.recv(4096).decode().replace("\n", " | ") + "\n")
        f.flush()
' "$ABSTRACT" "$AMSGS" &
ARECV_PID=$!
i=0
while [ ! -e "$AMSGS.bound" ] && [ $i -lt 50 ]; do
	sleep 0.1
	i=$((i + 1))
done
NOTIFY_SOCKET="@$ABSTRACT" start_meshdns -r "$WORK/zones/default" -s "$WORK/state" ||
	fail "meshdns did not start with an abstract NOTIFY_SOCKET"
MSGS_SAVED=$MSGS
MSGS=$AMSGS
wait_msg "^READY=1" || fail "no READY=1 on the abstract socket"
expect_match "READY=1 on an abstract socket (@name)" \
	"^READY=1 \| STATUS=serving generation [0-9]+: " "$(cat "$AMSGS")"
kill -TERM "$PID"
wait "$PID" 2>/dev/null
PID=""
wait_msg "^STOPPING=1" || fail "no STOPPING=1 on the abstract socket"
MSGS=$MSGS_SAVED
stop_recv

# ---- the unit file
#
# systemd-analyze verify checks the unit's syntax, that ExecStart is an
# executable and that its Documentation= man pages exist: the paths of
# this build stand in for the installed ones, and MANPATH names a tree
# with this source's pages.
mkdir -p "$WORK/man/man8" "$WORK/man/man5" "$WORK/unit"
cp "$SRCDIR/meshdns.8" "$WORK/man/man8/"
cp "$SRCDIR/meshdns.yaml.5" "$WORK/man/man5/"
sed -e "s|@sbindir@|$(cd "$(dirname "$MESHDNS")" && pwd)|g" \
	-e "s|@sysconfdir@|/etc|g" -e "s|@localstatedir@|/var|g" \
	"$SRCDIR/contrib/meshdns.service.in" >"$WORK/unit/meshdns.service"
out=$(MANPATH="$WORK/man" systemd-analyze verify "$WORK/unit/meshdns.service" 2>&1)
rc=$?
expect_eq "systemd-analyze verify contrib/meshdns.service (output: $out)" "0" "$rc"
expect_eq "... with nothing to say" "" "$out"
expect_match "the unit is Type=notify" "^Type=notify$" "$(cat "$WORK/unit/meshdns.service")"
expect_match "the unit reloads with SIGHUP" '^ExecReload=/bin/kill -HUP \$MAINPID$' "$(cat "$WORK/unit/meshdns.service")"
expect_match "the unit has a state directory" "^StateDirectory=meshdns$" "$(cat "$WORK/unit/meshdns.service")"

finish
