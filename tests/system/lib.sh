# lib.sh -- shared by the system tests: start meshdns on a free loopback
# port, ask it with dig, check what a user would see.
#
# Every test sources this file, calls start_meshdns with its arguments,
# then uses dig_* and expect_* helpers.  Packets go to 127.0.0.1 only.
# A failed expectation prints what was expected and what came back, and
# the test exits 1 (after stopping meshdns).

set -u

: "${MESHDNS:?MESHDNS must name the meshdns binary (make check sets it)}"
: "${SRCDIR:?SRCDIR must name the source directory (make check sets it)}"

command -v dig >/dev/null 2>&1 || {
	echo "FAIL: dig is not installed (contrib/bootstrap.sh installs bind9-dnsutils)"
	exit 1
}

TEST_NAME=$(basename "$0" .sh)
WORK=$(mktemp -d "${TMPDIR:-/tmp}/meshdns-$TEST_NAME.XXXXXX")
LOG="$WORK/meshdns.log"
PID=""
PORT=""
FAILS=0
PASSES=0

cleanup() {
	stop_meshdns
	if [ "$FAILS" -eq 0 ]; then
		rm -rf "$WORK"
	else
		echo "kept $WORK for inspection"
	fi
}
trap cleanup EXIT

fail() {
	echo "FAIL: $*"
	FAILS=$((FAILS + 1))
}

pass() {
	echo "ok: $*"
	PASSES=$((PASSES + 1))
}

# free_tcp_port: a port in 40000-59999 that nothing listens on over TCP
# now (ss), for a key such as http.listen that start_meshdns does not pick:
# a random one alone may be taken by a test running beside this one.
free_tcp_port() {
	local p
	while :; do
		p=$(( (RANDOM % 20000) + 40000 ))
		if ! ss -Hltn "sport = :$p" | grep -q .; then
			echo "$p"
			return 0
		fi
	done
}

# start_meshdns ARGS...: start meshdns -f on 127.0.0.1 on a free port with
# ARGS, wait until it listens.  Returns non-zero when it did not start
# (its log is in $LOG).  With ALSO_V6=1 it listens on [::1] (same port) too;
# LISTEN_HOST=0.0.0.0 listens on the IPv4 wildcard instead of 127.0.0.1
# (queries still go to 127.0.0.0/8 only); KEEP_PORT=1 uses the port of the
# previous start again (the same command line).
start_meshdns() {
	tries=0
	while [ $tries -lt 20 ]; do
		tries=$((tries + 1))
		if [ "${KEEP_PORT:-0}" = 1 ] && [ -n "$PORT" ]; then
			tries=20	# the port it had: no other try
		else
			PORT=$(( (RANDOM % 30000) + 20000 ))
		fi
		: >"$LOG"
		v6=()
		if [ "${ALSO_V6:-0}" = 1 ]; then
			v6=(-l "[::1]:$PORT")
		fi
		"$MESHDNS" -f -l "${LISTEN_HOST:-127.0.0.1}:$PORT" "${v6[@]}" "$@" >>"$LOG" 2>&1 &
		PID=$!
		i=0
		while [ $i -lt 100 ]; do
			if grep -q "serving generation 1" "$LOG"; then
				return 0
			fi
			if ! kill -0 "$PID" 2>/dev/null; then
				break
			fi
			sleep 0.1
			i=$((i + 1))
		done
		wait "$PID" 2>/dev/null
		PID=""
		if grep -q "Address already in use" "$LOG"; then
			continue
		fi
		return 1
	done
	return 1
}

stop_meshdns() {
	if [ -n "$PID" ]; then
		kill -TERM "$PID" 2>/dev/null
		wait "$PID" 2>/dev/null
		PID=""
	fi
}

# dig_q ARGS...: dig at the running meshdns; prints dig's full output.
dig_q() {
	dig @127.0.0.1 -p "$PORT" +time=2 +tries=1 "$@"
}

# dig_short NAME [TYPE] [ARGS...]: only the answer's rdata, sorted.
dig_short() {
	dig_q +short "$@" | sort
}

# expect_eq WHAT EXPECTED ACTUAL
expect_eq() {
	if [ "$2" = "$3" ]; then
		pass "$1"
	else
		fail "$1: expected [$2], got [$3]"
	fi
}

# expect_match WHAT REGEX TEXT: TEXT has a line matching the extended REGEX.
expect_match() {
	if printf '%s\n' "$3" | grep -Eq -- "$2"; then
		pass "$1"
	else
		fail "$1: expected a line matching /$2/ in:"
		printf '%s\n' "$3" | sed 's/^/    | /'
	fi
}

expect_no_match() {
	if printf '%s\n' "$3" | grep -Eq -- "$2"; then
		fail "$1: expected no line matching /$2/ in:"
		printf '%s\n' "$3" | sed 's/^/    | /'
	else
		pass "$1"
	fi
}

# wait_log REGEX [COUNT]: wait (5 s at most) until the log has COUNT lines
# matching REGEX (default 1).
wait_log() {
	want=${2:-1}
	i=0
	while [ $i -lt 100 ]; do
		n=$(grep -Ec -- "$1" "$LOG")
		if [ "$n" -ge "$want" ]; then
			return 0
		fi
		sleep 0.05
		i=$((i + 1))
	done
	return 1
}

# finish: print the summary line and exit with the result.
finish() {
	echo "$PASSES passed, $FAILS failed"
	if [ "$FAILS" -ne 0 ]; then
		echo "--- meshdns log ($LOG) ---"
		cat "$LOG"
		exit 1
	fi
	exit 0
}

# copy_zones: a private copy of the example zone in $WORK/zones.
copy_zones() {
	rm -rf "$WORK/zones"
	cp -R "$SRCDIR/zones" "$WORK/zones"
	chmod -R u+w "$WORK/zones"
}

# The records of the state at $1, as the state file writes them: the
# state file's, with the complete records of its journal ($1.journal)
# replayed ("- " removes a record, "+ " adds one), one per line, sorted.
# The state a running meshdns holds is the state file and its journal.
state_records() {
	_j="$1.journal"
	[ -f "$_j" ] || _j=/dev/null
	awk -v base="$1" '
	FILENAME == base {
		if (FNR > 1 && $1 != "end")
			have[$0] = 1
		next
	}
	FNR == 1 { next }
	$1 == "change" { n = 0; next }
	$1 == "commit" {
		for (i = 1; i <= n; i++) {
			if (substr(op[i], 1, 1) == "-")
				delete have[substr(op[i], 3)]
			else
				have[substr(op[i], 3)] = 1
		}
		n = 0
		next
	}
	{ op[++n] = $0 }
	END { for (l in have) print l }
	' "$1" "$_j" | LC_ALL=C sort
}
