# xfr/lib.sh -- meshdns as the hidden primary of a real NSD and a real Knot
# secondary, all on 127.0.0.1, with throw-away config and state in $WORK.
#
# Sourced after tests/system/lib.sh's variables are set (it sources it).
# Order of use:
#   pick_secondary_ports           NSD_PORT and KNOT_PORT: free UDP+TCP ports
#   write_meshdns_config FILE ...  a meshdns.yaml that notifies both
#   start_meshdns -c FILE ...      (lib.sh)
#   start_nsd ZONE...              an NSD secondary of those zones
#   start_knot CATALOG             a Knot secondary fed by the catalog zone
# Both secondaries are stopped by the PIDs started here, on EXIT, before
# meshdns.  A missing nsd or knotd is a failure (bootstrap installs them).
. "${SRCDIR:?SRCDIR must name the source tree}/tests/system/lib.sh" || exit 1

for tool in nsd nsd-control knotd knotc kdig; do
	command -v "$tool" >/dev/null 2>&1 || PATH="$PATH:/usr/sbin"
	command -v "$tool" >/dev/null 2>&1 || {
		echo "FAIL: $tool is not installed (contrib/bootstrap.sh installs nsd, knot and knot-dnsutils)"
		exit 1
	}
done

NSD_PID=""
KNOT_PID=""
NSD_PORT=""
KNOT_PORT=""
NSD_DIR="$WORK/nsd"
KNOT_DIR="$WORK/knot"

stop_secondaries() {
	if [ -n "$NSD_PID" ]; then
		kill -TERM "$NSD_PID" 2>/dev/null
		wait "$NSD_PID" 2>/dev/null
		NSD_PID=""
	fi
	if [ -n "$KNOT_PID" ]; then
		kill -TERM "$KNOT_PID" 2>/dev/null
		wait "$KNOT_PID" 2>/dev/null
		KNOT_PID=""
	fi
}

xfr_cleanup() {
	stop_secondaries
	if [ "$FAILS" -ne 0 ]; then
		for f in "$NSD_DIR/nsd.log" "$KNOT_DIR/knotd.log"; do
			[ -f "$f" ] && { echo "--- $f ---"; tail -n 40 "$f"; }
		done
	fi
	cleanup
}
trap xfr_cleanup EXIT

# port_free PORT: nothing listens on 127.0.0.1:PORT, UDP or TCP.
port_free() {
	! ss -Hlnut "( sport = :$1 )" 2>/dev/null | grep -q .
}

# A free port that is not $PORT, $NSD_PORT nor $KNOT_PORT.
pick_port() {
	while :; do
		p=$(( (RANDOM % 30000) + 20000 ))
		if [ "$p" != "${PORT:-}" ] && [ "$p" != "$NSD_PORT" ] &&
		   [ "$p" != "$KNOT_PORT" ] && port_free "$p"; then
			echo "$p"
			return 0
		fi
	done
}

pick_secondary_ports() {
	NSD_PORT=$(pick_port)
	KNOT_PORT=$(pick_port)
}

# write_meshdns_config FILE [EXTRA-YAML]: resources from $WORK/zones/default,
# a state file, transfers allowed from 127.0.0.0/8, NOTIFY to both
# secondaries, debug logging (NOTIFY lines).
# EXTRA-YAML is appended under transfer: (indented by the caller).
write_meshdns_config() {
	cat >"$1" <<EOF
resources: [$WORK/zones/default]
state-file: $WORK/state
log: {level: debug}
transfer:
  allow: [127.0.0.0/8]
  notify:
    - 127.0.0.1:$NSD_PORT
    - 127.0.0.1:$KNOT_PORT
${2:-}
EOF
}

# start_nsd ZONE...: an NSD secondary of meshdns ($PORT) for the ZONEs.
# With NSD_KEY=NAME:SECRET (hmac-sha256), transfers and NOTIFY must be
# signed with that key.
start_nsd() {
	mkdir -p "$NSD_DIR"
	nsd_key=NOKEY
	if [ -n "${NSD_KEY:-}" ]; then
		nsd_key=${NSD_KEY%%:*}
	fi
	cat >"$NSD_DIR/nsd.conf" <<EOF
server:
    ip-address: 127.0.0.1@$NSD_PORT
    port: $NSD_PORT
    server-count: 1
    username: ""
    chroot: ""
    database: ""
    zonesdir: "$NSD_DIR"
    zonelistfile: "$NSD_DIR/zone.list"
    xfrdfile: "$NSD_DIR/xfrd.state"
    xfrdir: "$NSD_DIR"
    pidfile: "$NSD_DIR/nsd.pid"
    logfile: "$NSD_DIR/nsd.log"
    verbosity: 2
    rrl-ratelimit: 0
remote-control:
    control-enable: yes
    control-interface: $NSD_DIR/nsd.ctl
pattern:
    name: "from-meshdns"
    zonefile: "%s.zone"
    request-xfr: 127.0.0.1@$PORT $nsd_key
    allow-notify: 127.0.0.1 $nsd_key
    provide-xfr: 127.0.0.1 NOKEY
EOF
	if [ -n "${NSD_KEY:-}" ]; then
		printf 'key:\n    name: "%s"\n    algorithm: hmac-sha256\n    secret: "%s"\n' \
			"$nsd_key" "${NSD_KEY#*:}" >>"$NSD_DIR/nsd.conf"
	fi
	for z in "$@"; do
		printf 'zone:\n    name: "%s"\n    include-pattern: "from-meshdns"\n' \
			"$z" >>"$NSD_DIR/nsd.conf"
	done
	nsd-checkconf "$NSD_DIR/nsd.conf" || return 1
	nsd -d -c "$NSD_DIR/nsd.conf" >"$NSD_DIR/stdout" 2>&1 &
	NSD_PID=$!
	wait_listen "$NSD_PORT" "$NSD_PID"
}

# start_knot CATALOG: a Knot secondary of meshdns whose zones come from
# the catalog zone CATALOG (catalog-role: interpret).
start_knot() {
	mkdir -p "$KNOT_DIR/db" "$KNOT_DIR/zones"
	cat >"$KNOT_DIR/knot.conf" <<EOF
server:
    rundir: $KNOT_DIR
    listen: 127.0.0.1@$KNOT_PORT
log:
  - target: stderr
    any: info
database:
    storage: $KNOT_DIR/db
control:
    listen: $KNOT_DIR/knot.sock
remote:
  - id: meshdns
    address: 127.0.0.1@$PORT
acl:
  - id: notify_from_meshdns
    address: 127.0.0.1
    action: notify
  - id: transfer_to_tests
    address: 127.0.0.1
    action: transfer
template:
  - id: default
    storage: $KNOT_DIR/zones
    file: "%s.zone"
  - id: meshdns-member
    storage: $KNOT_DIR/zones
    master: meshdns
    acl: [notify_from_meshdns, transfer_to_tests]
zone:
  - domain: $1.
    master: meshdns
    acl: notify_from_meshdns
    catalog-role: interpret
    catalog-template: meshdns-member
EOF
	knotc -c "$KNOT_DIR/knot.conf" conf-check >/dev/null || return 1
	knotd -c "$KNOT_DIR/knot.conf" >"$KNOT_DIR/knotd.log" 2>&1 &
	KNOT_PID=$!
	wait_listen "$KNOT_PORT" "$KNOT_PID"
}

# wait_listen PORT PID: until something answers on 127.0.0.1:PORT (10 s).
wait_listen() {
	i=0
	while [ $i -lt 100 ]; do
		if ! port_free "$1"; then
			return 0
		fi
		kill -0 "$2" 2>/dev/null || return 1
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}

# wait_file_match FILE REGEX [SECONDS]: until FILE has a line matching the
# extended REGEX (default 10 s); no timing is asserted, only the outcome.
wait_file_match() {
	i=0
	while [ $i -lt $(( ${3:-10} * 10 )) ]; do
		if grep -Eq -- "$2" "$1" 2>/dev/null; then
			return 0
		fi
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}

# serial_at PORT ZONE: the SOA serial a server on 127.0.0.1:PORT answers.
serial_at() {
	dig @127.0.0.1 -p "$1" +time=1 +tries=1 +short "$2" SOA | awk '{print $3}'
}

# wait_serial PORT ZONE SERIAL [SECONDS]: until that server answers SERIAL.
wait_serial() {
	i=0
	while [ $i -lt $(( ${4:-10} * 10 )) ]; do
		if [ "$(serial_at "$1" "$2")" = "$3" ]; then
			return 0
		fi
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}
