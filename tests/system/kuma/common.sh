# kuma/common.sh -- sourced (after lib.sh) by the scenarios of
# tests/system/kuma/: Kuma fidelity as a Kuma user sees it with dig.
#
# Every start uses a fresh state file, so VIPs are the first of each pool
# in Kuma's order.  Queries go to 127.0.0.1 only; `-b 127.0.0.N` sends
# them from the loopback address of a Dataplane (its networking.address).

copy_zones
Z="$WORK/zones"
RUN=0
OP=127.0.0.1	# an operator: no Dataplane has this address

# start_conf CONF [ARGS...]: (re)start meshdns with CONF and a fresh state
# file; the log of the previous run is kept as $WORK/run-N.log.
start_conf() {
	stop_meshdns
	if [ -s "$LOG" ]; then
		cp "$LOG" "$WORK/run-$RUN.log"
	fi
	RUN=$((RUN + 1))
	start_meshdns -c "$@" -s "$WORK/state-$RUN" || {
		fail "meshdns did not start with $1"
		finish
	}
}

# a_from SRC NAME [TYPE]: the answer's rdata (sorted) for a query sent
# from source address SRC.
a_from() {
	dig_short -b "$1" "$2" "${3:-A}"
}

# rcode_from SRC NAME [TYPE]: the response code of a query from SRC.
rcode_from() {
	dig_q -b "$1" "$2" "${3:-A}" | sed -n 's/.*status: \([A-Z]*\),.*/\1/p'
}

# status_of CONF: `meshdns --status` for CONF (stdout only).
status_of() {
	"$MESHDNS" --status -c "$1" 2>/dev/null
}

# diff_status ZONE: --status of zones/ZONE against data/status-ZONE.yaml.
diff_status() {
	want="$SRCDIR/tests/system/data/status-$1.yaml"
	got="$WORK/status-$1.yaml"
	"$MESHDNS" --status -c "$Z/$1/meshdns.conf" >"$got" 2>/dev/null
	if diff -u "$want" "$got" >"$WORK/status-$1.diff"; then
		pass "--status of zones/$1 is tests/system/data/status-$1.yaml"
	else
		fail "--status of zones/$1 differs from tests/system/data/status-$1.yaml (- expected, + got):"
		cat "$WORK/status-$1.diff"
	fi
}
