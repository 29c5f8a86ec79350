#!/bin/bash
# forward.sh -- names outside the served zones forwarded to real upstreams:
# dnsmasq on other loopback ports, serving local test data only.
#
# Answers pass through with the client's ID and question; mesh names stay
# authoritative and never reach an upstream; a stopped (SIGSTOP: timeout)
# or killed (port unreachable) upstream fails over to the next; all of
# them down is SERVFAIL; a truncated upstream answer is asked again over
# TCP; forward.allow keeps other clients to authoritative answers; no
# upstream is REFUSED.  Every packet stays on 127.0.0.1 and ::1: the
# dnsmasqs read no resolv.conf, no hosts file and no dnsmasq.conf.
. "${SRCDIR:?SRCDIR must name the source tree}/tests/system/lib.sh" || exit 1

DNSMASQ=${DNSMASQ:-$(command -v dnsmasq || echo /usr/sbin/dnsmasq)}
if [ ! -x "$DNSMASQ" ]; then
	fail "dnsmasq is not installed (contrib/bootstrap.sh installs dnsmasq-base)"
	finish
fi
DNSRAW="${BUILDDIR:-$SRCDIR}/tests/system/dnsraw"
if [ ! -x "$DNSRAW" ]; then
	fail "$DNSRAW is not built (make tests/system/dnsraw)"
	finish
fi

HELPERS=()
DM_PORT=""
DM_PID=""

# stop_helper PID: stop one dnsmasq, stopped (SIGSTOP) or not.
stop_helper() {
	kill -TERM "$1" 2>/dev/null
	kill -CONT "$1" 2>/dev/null
	wait "$1" 2>/dev/null
}

stop_helpers() {
	for p in "${HELPERS[@]}"; do
		stop_helper "$p"
	done
	HELPERS=()
}
trap 'stop_helpers; cleanup' EXIT

# start_dnsmasq NAME ADDR ARGS...: dnsmasq in the foreground on ADDR
# (127.0.0.1 or ::1), a free port, with the local data in ARGS and
# nothing else (unknown names: REFUSED; it has no upstream).  Sets DM_PORT
# and DM_PID; logs every query to $WORK/NAME.log.  Returns non-zero when
# it did not start.
start_dnsmasq() {
	local name=$1 addr=$2 tries=0 i
	local log="$WORK/$name.log"

	shift 2
	while [ $tries -lt 20 ]; do
		tries=$((tries + 1))
		DM_PORT=$(((RANDOM % 30000) + 20000))
		: >"$log"
		"$DNSMASQ" --keep-in-foreground --conf-file=/dev/null \
			--no-resolv --no-hosts --no-poll --bind-interfaces \
			--listen-address="$addr" --port="$DM_PORT" \
			--user="$(id -un)" --pid-file="$WORK/$name.pid" \
			--log-facility="$log" --log-queries "$@" 2>>"$log" &
		DM_PID=$!
		i=0
		while [ $i -lt 50 ]; do
			if ! kill -0 "$DM_PID" 2>/dev/null; then
				break
			fi
			if dig @"$addr" -p "$DM_PORT" +time=1 +tries=1 \
				probe.invalid >/dev/null 2>&1 &&
				kill -0 "$DM_PID" 2>/dev/null; then
				HELPERS+=("$DM_PID")
				return 0
			fi
			sleep 0.1
			i=$((i + 1))
		done
		stop_helper "$DM_PID"
		if grep -q "Address already in use" "$log"; then
			continue
		fi
		echo "dnsmasq $name did not start:"
		sed 's/^/    | /' "$log"
		return 1
	done
	return 1
}

# stats: make meshdns log its counters (SIGUSR1); print that line.
stats() {
	local n

	n=$(grep -c 'stats,' "$LOG")
	kill -USR1 "$PID"
	wait_log 'stats,' $((n + 1)) || return 1
	grep 'stats,' "$LOG" | tail -n 1
}

# counter NAME STATSLINE: the number after NAME in a stats line.
counter() {
	printf '%s\n' "$2" | sed -n "s/.*[ (]$1 \([0-9][0-9]*\).*/\1/p"
}

# expect_ge WHAT MIN ACTUAL
expect_ge() {
	if [ -n "$3" ] && [ "$3" -ge "$2" ]; then
		pass "$1"
	else
		fail "$1: expected at least $2, got [$3]"
	fi
}

copy_zones

# Upstream 1 on 127.0.0.1, upstream 2 on ::1: the same names with other
# addresses, so an answer says which one gave it.  big.example.test has
# 4 x 201 octets of TXT: about 850 bytes, more than 512 (so truncated
# without EDNS), less than 1232 (so whole with it).
big=$(printf '%0200d' 0)
start_dnsmasq up1 127.0.0.1 --local=/example.test/ \
	--host-record=www.example.test,192.0.2.10 \
	"--txt-record=big.example.test,a$big,b$big,c$big,d$big" || {
	fail "upstream 1 (dnsmasq) did not start"
	finish
}
UP1_PORT=$DM_PORT
UP1_PID=$DM_PID
start_dnsmasq up2 ::1 --local=/example.test/ \
	--host-record=www.example.test,192.0.2.20 || {
	fail "upstream 2 (dnsmasq) did not start"
	finish
}
UP2_PORT=$DM_PORT
UP2_PID=$DM_PID

# One worker: which upstream is asked first is per worker (each has its
# own forwarder), and the failover checks below depend on it.
cat >"$WORK/two.yaml" <<EOF
workers: 1
forward:
  upstreams: ["127.0.0.1:$UP1_PORT", "[::1]:$UP2_PORT"]
  timeout: 300ms
EOF
LOG="$WORK/meshdns-two.log"
start_meshdns -c "$WORK/two.yaml" -r "$WORK/zones/default" \
	-s "$WORK/state" || {
	fail "meshdns did not start"
	finish
}

# ---- a name outside the served zones is forwarded and answered

out=$(dig_q WwW.ExAmPlE.TeSt A)
expect_match "forwarded name is NOERROR" "status: NOERROR" "$out"
expect_match "forwarded answer comes from upstream 1" "^WwW\.ExAmPlE\.TeSt\.[[:space:]]+[0-9]+[[:space:]]+IN[[:space:]]+A[[:space:]]+192\.0\.2\.10$" "$out"
expect_match "forwarded answer has RD and RA" "flags: qr.* rd ra;" "$out"
expect_match "forwarded answer keeps the query's 0x20 case" "^;WwW\.ExAmPlE\.TeSt\.[[:space:]]+IN[[:space:]]+A$" "$out"
expect_no_match "dig saw no ID mismatch" "ID mismatch" "$out"
# The client's ID comes back (meshdns uses its own toward the upstream).
q_www=03777777076578616d706c6504746573740000010001 # www.example.test A IN
expect_match "forwarded answer has the client's ID" "^rcode=0 qr=1 .*id=beef" "$("$DNSRAW" "$PORT" "beef01000001000000000000$q_www")"
expect_eq "forwarded over TCP" "192.0.2.10" "$(dig_short +tcp www.example.test A)"
out=$(dig_q nope.example.test A)
expect_match "an upstream's NXDOMAIN is passed on" "status: NXDOMAIN" "$out"
out=$(dig_q nope.example.com A)
expect_match "an upstream's REFUSED is passed on" "status: REFUSED" "$out"
expect_match "... with RA from the upstream" "flags: qr rd ra;" "$out"

# ---- mesh names: still authoritative, never sent upstream

out=$(dig_q ReDiS.SvC.MeSh.LoCaL A)
expect_match "mesh name answered with its VIP" "^ReDiS\.SvC\.MeSh\.LoCaL\.[[:space:]]+30[[:space:]]+IN[[:space:]]+A[[:space:]]+241\.0\.0\.5$" "$out"
expect_match "mesh name is authoritative, RA set (forwarding on)" "flags: qr aa rd ra;" "$out"
out=$(dig_q nope.svc.mesh.local A)
expect_match "unknown mesh name is NXDOMAIN" "status: NXDOMAIN" "$out"
expect_match "unknown mesh name is authoritative" "flags: qr aa rd ra;" "$out"
expect_match "unknown mesh name has our SOA" "^mesh\.local\.[[:space:]]+30[[:space:]]+IN[[:space:]]+SOA" "$out"
expect_eq "AAAA of an IPv4 service is NODATA" "" "$(dig_short redis.mesh AAAA)"
expect_no_match "no mesh name reached upstream 1" "mesh\.local|redis\.mesh" "$(cat "$WORK/up1.log")"

# TCP: a forwarded query between two local ones; answers keep their order.
q_redis=057265646973046d657368000001 # redis.mesh A (type only, class follows)
out=$("$DNSRAW" -t "$PORT" "000101000001000000000000${q_www}" \
	"000201000001000000000000${q_redis}0001" \
	"000301000001000000000000${q_www}")
expect_eq "pipelined TCP with forwarded queries answered in order" "rcode=0 qr=1 id=0001
rcode=0 qr=1 id=0002
rcode=0 qr=1 id=0003" "$(printf '%s\n' "$out" | cut -d' ' -f1,2,5)"

# ---- truncation: the upstream's UDP answer is cut, meshdns asks over TCP

before=$(counter tcp-retries "$(stats)")
out=$(dig_q +noedns +ignore big.example.test TXT)
expect_match "too big for 512 octets: TC to a client without EDNS" "flags: qr.* tc.*;.* ANSWER: 0," "$out"
expect_match "the cut answer keeps the question" "^;big\.example\.test\.[[:space:]]+IN[[:space:]]+TXT$" "$out"
out=$(dig_q +noedns big.example.test TXT)
expect_match "dig falls back to TCP" "Truncated, retrying in TCP mode" "$out"
expect_match "the TCP answer is whole" "ANSWER: 1," "$out"
expect_match "the TCP answer has the whole TXT" "\"a$big\" \"b$big\" \"c$big\" \"d$big\"" "$out"
# A TCP client without EDNS: the upstream's UDP answer is truncated, so
# only meshdns's own TCP retry can give the whole answer.
out=$(dig_q +tcp +noedns big.example.test TXT)
expect_match "TCP client gets the whole answer (meshdns retried over TCP)" "flags: qr aa rd ra;.* ANSWER: 1," "$out"
expect_ge "stats count TCP retries" $((before + 3)) "$(counter tcp-retries "$(stats)")"
out=$(dig_q +bufsize=1232 big.example.test TXT)
expect_match "EDNS client gets the big answer over UDP" "flags: qr aa rd ra;.* ANSWER: 1," "$out"

# ---- failover

s=$(stats)
t0=$(counter timeouts "$s")
f0=$(counter failovers "$s")
kill -STOP "$UP1_PID"
expect_eq "upstream 1 stopped: answer from upstream 2" "192.0.2.20" "$(dig_short www.example.test A)"
s=$(stats)
expect_ge "the stopped upstream timed out" $((t0 + 1)) "$(counter timeouts "$s")"
expect_ge "and meshdns failed over" $((f0 + 1)) "$(counter failovers "$s")"
kill -CONT "$UP1_PID"
expect_eq "upstream 2 stays first while it answers" "192.0.2.20" "$(dig_short www.example.test A)"

kill -STOP "$UP1_PID" "$UP2_PID"
s=$(stats)
sf0=$(counter servfails "$s")
t0=$(counter timeouts "$s")
out=$(dig_q WwW.ExAmPlE.TeSt A)
expect_match "both upstreams stopped: SERVFAIL" "status: SERVFAIL" "$out"
expect_match "SERVFAIL has RD and RA" "flags: qr rd ra;" "$out"
expect_match "upstreams timed out: EDE 22" "^; EDE: 22 \(No Reachable Authority\)$" "$out"
expect_match "SERVFAIL keeps the query's case" "^;WwW\.ExAmPlE\.TeSt\.[[:space:]]+IN[[:space:]]+A$" "$out"
s=$(stats)
expect_ge "each upstream timed out" $((t0 + 2)) "$(counter timeouts "$s")"
expect_ge "stats count the SERVFAIL" $((sf0 + 1)) "$(counter servfails "$s")"
kill -CONT "$UP1_PID" "$UP2_PID"

# Killed: the port is closed, the attempt fails at once (no timeout).
stop_helper "$UP2_PID"
t0=$(counter timeouts "$(stats)")
expect_eq "upstream 2 killed: answer from upstream 1" "192.0.2.10" "$(dig_short www.example.test A)"
expect_eq "a closed port is not waited for" "$t0" "$(counter timeouts "$(stats)")"
stop_helper "$UP1_PID"
HELPERS=()
out=$(dig_q www.example.test A)
expect_match "all upstreams killed: SERVFAIL" "status: SERVFAIL" "$out"
expect_match "upstreams' ports closed: EDE 23" "^; EDE: 23 \(Network Error\)$" "$out"
expect_match "SERVFAIL to the client's ID" "^rcode=2 qr=1 .*id=beef" "$("$DNSRAW" "$PORT" "beef01000001000000000000$q_www")"
expect_match "SERVFAIL over TCP" "status: SERVFAIL" "$(dig_q +tcp www.example.test A)"
expect_eq "mesh names still answered" "241.0.0.5" "$(dig_short redis.svc.mesh.local A)"
stop_meshdns

# ---- several workers, each with its own forwarder

start_dnsmasq up3 127.0.0.1 --local=/example.test/ \
	--host-record=www.example.test,192.0.2.30 || {
	fail "upstream 3 (dnsmasq) did not start"
	finish
}
UP3_PORT=$DM_PORT
cat >"$WORK/workers.yaml" <<EOF
workers: 4
forward:
  upstreams: ["127.0.0.1:$UP3_PORT"]
EOF
LOG="$WORK/meshdns-workers.log"
start_meshdns -c "$WORK/workers.yaml" -r "$WORK/zones/default" \
	-s "$WORK/state" || {
	fail "meshdns (4 workers) did not start"
	finish
}
# dig uses a new socket (source port) per name: SO_REUSEPORT spreads
# them over the workers.
names=()
for i in $(seq 1 40); do
	names+=(www.example.test)
done
expect_eq "40 forwarded queries over 4 workers all answered" "40" \
	"$(dig @127.0.0.1 -p "$PORT" +time=2 +tries=1 +short "${names[@]}" | grep -c '^192\.0\.2\.30$')"
expect_eq "... and 10 over TCP" "10" \
	"$(dig @127.0.0.1 -p "$PORT" +time=2 +tries=1 +short +tcp "${names[@]:0:10}" | grep -c '^192\.0\.2\.30$')"
s=$(stats)
expect_eq "stats add up the workers' forwarded queries" "50" "$(counter forwarded "$s")"
expect_eq "... and their answers" "50" "$(counter answers "$s")"
stop_meshdns

# ---- forward.allow without 127.0.0.0/8: authoritative answers only

cat >"$WORK/allow.yaml" <<EOF
forward:
  upstreams: ["127.0.0.1:$UP3_PORT"]
  allow: [10.0.0.0/8]
EOF
n_up3=$(grep -c "query\[A\] www\.example\.test" "$WORK/up3.log")
LOG="$WORK/meshdns-allow.log"
start_meshdns -c "$WORK/allow.yaml" -r "$WORK/zones/default" \
	-s "$WORK/state" || {
	fail "meshdns (forward.allow) did not start"
	finish
}
out=$(dig_q www.example.test A)
expect_match "client outside forward.allow: REFUSED" "status: REFUSED" "$out"
expect_match "... without AA or RA" "flags: qr rd;" "$out"
expect_match "... over TCP too" "status: REFUSED" "$(dig_q +tcp www.example.test A)"
out=$(dig_q redis.svc.mesh.local A)
expect_match "client outside forward.allow: mesh name answered" "241\.0\.0\.5" "$out"
expect_match "... authoritatively, without RA" "flags: qr aa rd;" "$out"
expect_eq "nothing was forwarded" "0" "$(counter forwarded "$(stats)")"
expect_eq "the upstream got no query" "$n_up3" \
	"$(grep -c "query\[A\] www\.example\.test" "$WORK/up3.log")"
stop_meshdns

# ---- -u on the command line: sets the upstreams, beating the config

cat >"$WORK/u.yaml" <<EOF
forward:
  upstreams: ["127.0.0.1:9"]
  timeout: 300ms
EOF
LOG="$WORK/meshdns-u.log"
start_meshdns -c "$WORK/u.yaml" -u "127.0.0.1:$UP3_PORT" \
	-r "$WORK/zones/default" -s "$WORK/state" || {
	fail "meshdns (-u) did not start"
	finish
}
expect_match "-u names the upstream in the log" "forward, upstream 127\.0\.0\.1:$UP3_PORT" "$(cat "$LOG")"
expect_eq "-u: forwarded to its upstream, not the config's" "192.0.2.30" "$(dig_short www.example.test A)"
expect_no_match "the config's upstream is not used" "forward, upstream 127\.0\.0\.1:9$" "$(cat "$LOG")"
stop_meshdns
out=$("$MESHDNS" -t -u "not an address" -r "$WORK/zones/default" 2>&1)
expect_eq "-u with a bad address exits 2" "2" "$?"
expect_match "-u with a bad address says what was expected" "^meshdns: -u not an address: expected ADDRESS\[:PORT\]" "$out"

# ---- no upstream: REFUSED, RA clear

LOG="$WORK/meshdns-none.log"
start_meshdns -r "$WORK/zones/default" -s "$WORK/state" || {
	fail "meshdns (no upstream) did not start"
	finish
}
out=$(dig_q www.example.test A)
expect_match "no upstream: REFUSED" "status: REFUSED" "$out"
expect_match "no upstream: RA clear" "flags: qr rd;" "$out"
expect_match "no upstream: mesh names authoritative, RA clear" "flags: qr aa rd;" "$(dig_q redis.mesh A)"

finish
