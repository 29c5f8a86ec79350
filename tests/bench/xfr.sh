#!/usr/bin/env bash
# xfr.sh -- zone transfers from meshdns against Knot as the primary of the
# same zone, to the same Knot secondary, in one run (issue 14's targets).
#
# 1. AXFR: meshdns serves N MeshServices (gen-services.py: svc-<i>.mesh);
#    a Knot primary serves meshdns's own AXFR of "mesh." as a zone file,
#    so both send the same RRs.  Two Knot secondaries with the same
#    config but the primary transfer the zone once each (knotc
#    zone-retransfer, blocking); the primary's CPU time (its threads'
#    schedstat in /proc, ns, not 10 ms ticks) and the secondary's wall
#    time (its log's "finished, X seconds") are printed side by side.
# 2. IXFR: C changes (one new MeshService each, then SIGHUP); for each the
#    bytes of the IXFR the Knot secondary logs, and the time from meshdns
#    answering the new name to the Knot and NSD secondaries answering it
#    (NOTIFY, then IXFR), both polled at once every 5 ms; p50/p99/max
#    over the C.  NSD logs at verbosity 2 (NOTIFY and transfer times).
# 3. Lost queries: dnsperf (when installed) asks meshdns at 2000 q/s
#    during 2 (after 1, so that 1's CPU time is the transfer's alone) and
#    its "Queries lost" is printed.
#
# Usage: tests/bench/xfr.sh [-n N] [-c C] [-m MESHDNS] [-o DIR] [-R S]
#   -n N   services (default 100000)      -c C  changes (default 100)
#   -m     the meshdns binary (default src/meshdns of this tree)
#   -o DIR keep the work files there (default: a temp dir, removed)
#   -R S   NSD's xfrd-reload-timeout (default NSD's own, 1 s: NSD reloads
#          at most once every S s, so a transfer may wait that long)
# Everything listens on 127.0.0.1; every process is stopped by its PID.
set -u

N=100000
C=100
HERE=$(cd "$(dirname "$0")/../.." && pwd)
MESHDNS=$HERE/src/meshdns
DIR=""
RELOAD=""
while getopts n:c:m:o:R: opt; do
	case $opt in
	n) N=$OPTARG ;;
	c) C=$OPTARG ;;
	m) MESHDNS=$OPTARG ;;
	o) DIR=$OPTARG ;;
	R) RELOAD="    xfrd-reload-timeout: $OPTARG" ;;
	*) sed -n '2,27p' "$0"; exit 2 ;;
	esac
done
for t in knotd knotc nsd nsd-control kdig dig python3; do
	command -v "$t" >/dev/null || PATH=$PATH:/usr/sbin
	command -v "$t" >/dev/null || { echo "xfr.sh: $t is missing" >&2; exit 1; }
done
KEEP=1
if [ -z "$DIR" ]; then
	DIR=$(mktemp -d /tmp/meshdns-bench-xfr.XXXXXX)
	KEEP=0
fi
PIDS=()
cleanup() {
	for p in "${PIDS[@]}"; do
		kill -TERM "$p" 2>/dev/null
		wait "$p" 2>/dev/null
	done
	[ "$KEEP" = 0 ] && rm -rf "$DIR"
}
trap cleanup EXIT

free_port() {
	while :; do
		p=$(( (RANDOM % 30000) + 20000 ))
		ss -Hlnut "( sport = :$p )" | grep -q . || { echo "$p"; return; }
	done
}
P_MESH=$(free_port); P_KPRI=$(free_port); P_K1=$(free_port)
P_K2=$(free_port); P_NSD=$(free_port)

cpu_ns() {	# CPU time of PID's threads, in ns (schedstat: not 10 ms ticks)
	cat /proc/"$1"/task/*/schedstat | awk '{s += $1} END {printf "%d\n", s}'
}
now_ms() {
	date +%s%3N
}
wait_answer() {	# PORT NAME [TYPE]: until answered (60 s)
	for _ in $(seq 1 12000); do
		dig @127.0.0.1 -p "$1" +time=1 +tries=1 +short "$2" "${3:-A}" 2>/dev/null |
			grep -q '^[0-9]' && return 0
		sleep 0.005
	done
	return 1
}

# --- meshdns, primary
python3 "$HERE/tests/bench/gen-services.py" -n "$N" -l notice "$DIR/m" >/dev/null
cat >>"$DIR/m/meshdns.conf" <<EOF
listen: 127.0.0.1:$P_MESH
transfer:
  allow: [127.0.0.0/8]
  notify: [127.0.0.1:$P_K1, 127.0.0.1:$P_NSD]
EOF
(cd "$DIR/m" && exec "$MESHDNS" -f -c meshdns.conf) >"$DIR/meshdns.log" 2>&1 &
MPID=$!; PIDS+=("$MPID")
wait_answer "$P_MESH" svc-0.mesh || { echo "meshdns did not start" >&2; exit 1; }

# --- Knot primary with meshdns's zone as a file
mkdir -p "$DIR/kpri/db" "$DIR/k1/db" "$DIR/k2/db" "$DIR/nsd"
dig @127.0.0.1 -p "$P_MESH" mesh AXFR +nocomments +nocmd +nostats |
	grep -v '^;' | awk 'NF' | awk 'NR == 1 || $4 != "SOA"' >"$DIR/kpri/mesh.zone"
cat >"$DIR/kpri/knot.conf" <<EOF
server:
    rundir: $DIR/kpri
    listen: 127.0.0.1@$P_KPRI
log:
  - target: stderr
    any: notice
database:
    storage: $DIR/kpri/db
control:
    listen: $DIR/kpri/knot.sock
acl:
  - id: all
    address: 127.0.0.0/8
    action: transfer
zone:
  - domain: mesh.
    storage: $DIR/kpri
    file: mesh.zone
    acl: all
EOF
knotd -c "$DIR/kpri/knot.conf" >"$DIR/kpri/log" 2>&1 &
KPID=$!; PIDS+=("$KPID")
secondary() {	# DIR PORT MASTER-PORT
	cat >"$1/knot.conf" <<EOF
server:
    rundir: $1
    listen: 127.0.0.1@$2
log:
  - target: stderr
    any: info
database:
    storage: $1/db
control:
    listen: $1/knot.sock
remote:
  - id: pri
    address: 127.0.0.1@$3
acl:
  - id: n
    address: 127.0.0.1
    action: notify
zone:
  - domain: mesh.
    storage: $1
    file: mesh.zone
    master: pri
    acl: n
    zonefile-sync: -1
EOF
	knotd -c "$1/knot.conf" >"$1/log" 2>&1 &
	PIDS+=("$!")
}
secondary "$DIR/k1" "$P_K1" "$P_MESH"
secondary "$DIR/k2" "$P_K2" "$P_KPRI"
wait_answer "$P_K1" svc-0.mesh && wait_answer "$P_K2" svc-0.mesh || {
	echo "a secondary did not load the zone" >&2; exit 1; }

# --- 1. one AXFR each
axfr() {	# SECONDARY-DIR PRIMARY-PID: prints "cpu_ms wall_s"
	before=$(cpu_ns "$2")
	knotc -s "$1/knot.sock" -b zone-retransfer mesh. >/dev/null
	after=$(cpu_ns "$2")
	wall=$(grep -E 'AXFR, incoming.*finished' "$1/log" | tail -1 |
		sed -E 's/.*finished, ([0-9.]+) seconds.*/\1/')
	echo "$(( (after - before) / 1000000 )) $wall"
}
read -r m_cpu m_wall < <(axfr "$DIR/k1" "$MPID")
read -r k_cpu k_wall < <(axfr "$DIR/k2" "$KPID")
printf 'AXFR of %d names: meshdns %s ms CPU, %s s wall; knot %s ms CPU, %s s wall\n' \
	"$N" "$m_cpu" "$m_wall" "$k_cpu" "$k_wall"

LOST=""
if command -v dnsperf >/dev/null; then
	python3 - "$N" >"$DIR/queries" <<'PY'
import sys, random
n = int(sys.argv[1])
for _ in range(100000):
    print("svc-%d.mesh A" % random.randrange(n))
PY
	dnsperf -s 127.0.0.1 -p "$P_MESH" -d "$DIR/queries" -l 3600 -Q 2000 \
		>"$DIR/dnsperf.out" 2>&1 &
	DPID=$!; PIDS+=("$DPID")
fi

# --- NSD secondary of meshdns for part 2
cat >"$DIR/nsd/nsd.conf" <<EOF
server:
    ip-address: 127.0.0.1@$P_NSD
    server-count: 1
    username: ""
    chroot: ""
    database: ""
    zonesdir: "$DIR/nsd"
    zonelistfile: "$DIR/nsd/zone.list"
    xfrdfile: "$DIR/nsd/xfrd.state"
    xfrdir: "$DIR/nsd"
    pidfile: "$DIR/nsd/nsd.pid"
    logfile: "$DIR/nsd/nsd.log"
    verbosity: 2
$RELOAD
    rrl-ratelimit: 0
remote-control:
    control-enable: yes
    control-interface: $DIR/nsd/nsd.ctl
zone:
    name: "mesh"
    zonefile: "mesh.zone"
    request-xfr: 127.0.0.1@$P_MESH NOKEY
    allow-notify: 127.0.0.1 NOKEY
EOF
nsd -d -c "$DIR/nsd/nsd.conf" >"$DIR/nsd/stdout" 2>&1 &
PIDS+=("$!")
wait_answer "$P_NSD" svc-0.mesh || { echo "nsd did not load the zone" >&2; exit 1; }

# --- 2. C changes
: >"$DIR/lat"
for i in $(seq 1 "$C"); do
	printf 'type: MeshService\nname: chg-%d\nmesh: default\nspec:\n  ports:\n  - port: 80\n    targetPort: 80\n' \
		"$i" >"$DIR/m/resources/chg-$i.yaml"
	kill -HUP "$MPID"
	wait_answer "$P_MESH" "chg-$i.mesh"; t0=$(now_ms)
	# Both secondaries polled at once: NSD's time is its own, not
	# after Knot's.
	(wait_answer "$P_NSD" "chg-$i.mesh"; now_ms >"$DIR/t2") &
	w=$!
	wait_answer "$P_K1" "chg-$i.mesh"; t1=$(now_ms)
	wait "$w"; t2=$(cat "$DIR/t2")
	echo "$((t1 - t0)) $((t2 - t0))" >>"$DIR/lat"
done
bytes=$(grep -E 'IXFR, incoming.*finished' "$DIR/k1/log" | tail -1 |
	sed -E 's/.*, ([0-9]+) messages, ([0-9]+) bytes.*/\2 bytes in \1 messages/')
echo "IXFR of one change, as Knot received it: $bytes"
pct() {	# COLUMN PERCENT
	awk -v c="$1" '{print $c}' "$DIR/lat" | sort -n |
		awk -v p="$2" '{v[NR] = $1} END {i = int((NR * p + 99) / 100); if (i < 1) i = 1; print v[i]}'
}
printf 'secondary answers the change (ms after meshdns does), %d changes: knot p50 %s p99 %s max %s; nsd p50 %s p99 %s max %s\n' \
	"$C" "$(pct 1 50)" "$(pct 1 99)" "$(pct 1 100)" "$(pct 2 50)" "$(pct 2 99)" "$(pct 2 100)"

if [ -n "${DPID:-}" ]; then
	kill -INT "$DPID"; wait "$DPID" 2>/dev/null
	LOST=$(grep -E 'Queries (sent|completed|lost)' "$DIR/dnsperf.out" | tr -s ' ' | tr '\n' ';')
	echo "queries to meshdns meanwhile: $LOST"
fi
