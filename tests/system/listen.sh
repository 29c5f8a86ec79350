#!/bin/bash
# listen.sh -- an address another process serves is refused, not shared;
# a restart on the same port works; bind errors say how to fix them.
. "${SRCDIR:?SRCDIR must name the source tree}/tests/system/lib.sh" || exit 1

copy_zones
# Two workers, so that the first meshdns shares its port (SO_REUSEPORT)
# among its own sockets whatever the number of cores.
printf 'workers: 2\n' >"$WORK/two.yaml"
start_meshdns -c "$WORK/two.yaml" -r "$WORK/zones/default" -s "$WORK/state" || {
	fail "the first meshdns did not start"
	finish
}
expect_match "the first meshdns runs two workers" "2 worker threads" "$(cat "$LOG")"

# second LOG ARGS...: another meshdns on the same port; it must exit by
# itself (3 s at most), and the first is asked 20 times over UDP and 10
# times over TCP while the second runs or after it exited.  Sets RC2 (124
# when it kept running) and STATUSES (the answers' statuses, counted).
second() {
	out=$1
	shift
	"$MESHDNS" -f "$@" >"$out" 2>&1 &
	pid2=$!
	i=0
	while kill -0 "$pid2" 2>/dev/null && [ $i -lt 30 ]; do
		# Listening already?  Then the queries below meet both.
		grep -q "serving generation 1" "$out" && break
		sleep 0.1
		i=$((i + 1))
	done
	STATUSES=$( {
		for i in $(seq 20); do
			dig_q redis.svc.mesh.local | grep -o 'status: [A-Z]*'
		done
		for i in $(seq 10); do
			dig_q +tcp redis.svc.mesh.local | grep -o 'status: [A-Z]*'
		done
	} | sort | uniq -c | tr -s ' ' | sed 's/^ //')
	if kill -0 "$pid2" 2>/dev/null; then
		kill -TERM "$pid2"
		wait "$pid2" 2>/dev/null
		RC2=124
	else
		wait "$pid2"
		RC2=$?
	fi
}

# A second meshdns with other data (none) on the same address: refused.
second "$WORK/second.log" -l "127.0.0.1:$PORT"
if [ "$RC2" -ne 0 ] && [ "$RC2" -ne 124 ]; then
	pass "the second meshdns exits non-zero ($RC2)"
else
	fail "the second meshdns on 127.0.0.1:$PORT did not exit with an error (rc $RC2)"
fi
expect_match "it says the address is in use, and how to find who holds it" \
	"^meshdns: error: 127\.0\.0\.1:$PORT is already in use by another process \(udp: Address already in use\); ss -lunp 'sport = :$PORT' shows which$" \
	"$(cat "$WORK/second.log")"
expect_eq "the first answers every query, UDP and TCP" "30 status: NOERROR" "$STATUSES"

# The same from a meshdns with one worker (no SO_REUSEPORT), the same
# zone and another state file.
printf 'workers: 1\n' >"$WORK/one.yaml"
second "$WORK/second1.log" -c "$WORK/one.yaml" -l "127.0.0.1:$PORT" \
	-r "$WORK/zones/default" -s "$WORK/state1"
if [ "$RC2" -ne 0 ] && [ "$RC2" -ne 124 ]; then
	pass "a second meshdns with one worker exits non-zero ($RC2)"
else
	fail "a second meshdns with one worker did not exit with an error (rc $RC2)"
fi
expect_match "it says the address is in use" \
	"127\.0\.0\.1:$PORT is already in use by another process" \
	"$(cat "$WORK/second1.log")"
expect_eq "the first still answers every query" "30 status: NOERROR" "$STATUSES"

# The wildcard overlaps 127.0.0.1: refused too.
second "$WORK/second2.log" -l "0.0.0.0:$PORT"
expect_match "0.0.0.0 on the same port is refused" \
	"0\.0\.0\.0:$PORT is already in use by another process" \
	"$(cat "$WORK/second2.log")"
expect_eq "the first still answers every query after that" "30 status: NOERROR" "$STATUSES"

# A restart on the same port, with TCP connections closed just before.
dig_q +tcp +keepopen redis.svc.mesh.local redis.svc.mesh.local >/dev/null
stop_meshdns
KEEP_PORT=1 start_meshdns -c "$WORK/two.yaml" -r "$WORK/zones/default" -s "$WORK/state" ||
	fail "a restart on the same port failed: $(grep error "$LOG")"
expect_eq "after the restart: answered" "241.0.0.5" "$(dig_short redis.svc.mesh.local)"
expect_eq "after the restart: answered over TCP" "241.0.0.5" "$(dig_short +tcp redis.svc.mesh.local)"
stop_meshdns

# A link-local IPv6 address without its scope (the suite needs IPv6 on
# loopback anyway: answers.sh queries [::1]).
out=$("$MESHDNS" -f -l "[fe80::1]:$PORT" 2>&1)
expect_match "a link-local address without a scope: the hint" \
	"cannot listen on \[fe80::1\]:$PORT \(udp\): .*; a link-local address needs a scope, e\.g\. \[fe80::1%eth0\]:$PORT$" "$out"
# With one, the listen address is read (the interface lo has no fe80::1).
out=$("$MESHDNS" -f -l "[fe80::1%lo]:$PORT" 2>&1)
expect_match "a scope is accepted; that address is not on lo" \
	"cannot listen on \[fe80::1%lo\]:$PORT \(udp\): Cannot assign requested address; no interface of this host has that address" "$out"
out=$("$MESHDNS" -f -l "[fe80::1%nosuch0]:$PORT" 2>&1)
expect_match "a scope that is no interface" \
	"the scope after \"%\" is no interface of this host" "$out"

# Port 53 without the privilege: the capability is named.  As root, in a
# network namespace of its own (where ports below 1024 are privileged
# whatever this host's sysctl says; its lo brought up) and as nobody.
if [ "$(id -u)" = 0 ]; then
	out=$(unshare -n sh -c 'ip link set lo up && exec setpriv --reuid=nobody --regid="$1" --clear-groups "$2" -f -l 127.0.0.1:53' \
		sh "$(id -g nobody)" "$MESHDNS" 2>&1)
elif [ "$(cat /proc/sys/net/ipv4/ip_unprivileged_port_start 2>/dev/null || echo 1024)" -gt 53 ]; then
	out=$("$MESHDNS" -f -l 127.0.0.1:53 2>&1)
else
	out="not root, and port 53 is not privileged here: run make check as root"
fi
expect_match "port 53 without the privilege: the way out" \
	"cannot listen on 127\.0\.0\.1:53 \(udp\): Permission denied; a port below 1024 needs CAP_NET_BIND_SERVICE: .*setcap cap_net_bind_service=\+ep meshdns.*AmbientCapabilities=CAP_NET_BIND_SERVICE.*a port of 1024 or more" "$out"
finish
