#!/bin/bash
# resolvers.sh -- real resolvers in front of meshdns: unbound with a
# stub-zone, dnsmasq with server=/mesh.local/ (both the snippets of
# contrib/resolvers/ users paste), and glibc (getent) with
# meshdns as the nameserver of a private resolv.conf.
#
# Each asks for a mesh name (its VIP), an unknown mesh name (NXDOMAIN) and
# the AAAA of an IPv4-only service (NODATA: NOERROR, no answer).  Last,
# meshdns itself takes its upstreams from a resolv.conf.  Every packet
# stays on 127.0.0.0/8: unbound's root is a stub-zone on a closed loopback
# port and it sends only from 127.0.0.1; dnsmasq reads no resolv.conf;
# glibc and meshdns read a resolv.conf bind-mounted in a private mount
# namespace.  Those last two parts need root (port 53, unshare --mount),
# as in CI; without root the test fails after the first two have run.
. "${SRCDIR:?SRCDIR must name the source tree}/tests/system/lib.sh" || exit 1

UNBOUND=${UNBOUND:-$(command -v unbound || echo /usr/sbin/unbound)}
DNSMASQ=${DNSMASQ:-$(command -v dnsmasq || echo /usr/sbin/dnsmasq)}
missing=""
[ -x "$UNBOUND" ] || missing="$missing unbound (package unbound)"
[ -x "$DNSMASQ" ] || missing="$missing dnsmasq (package dnsmasq-base)"
for t in unshare mount getent; do
	command -v "$t" >/dev/null 2>&1 || missing="$missing $t"
done
if [ -n "$missing" ]; then
	fail "missing:$missing (contrib/bootstrap.sh installs them)"
	finish
fi

HELPERS=()
H_PORT=""

stop_helpers() {
	for p in "${HELPERS[@]}"; do
		kill -TERM "$p" 2>/dev/null
		wait "$p" 2>/dev/null
	done
	HELPERS=()
}
trap 'stop_helpers; cleanup' EXIT

# start_helper NAME ADDR PORT PROBE CMD...: start CMD in the foreground,
# "@PORT@" in its words replaced by the port, and wait until "dig PROBE"
# at ADDR on that port is answered.  PORT "any" is a free port (tried
# until one is); with a fixed PORT that is taken, returns 2.  Sets H_PORT;
# output in $WORK/NAME.log.
start_helper() {
	local name=$1 addr=$2 port=$3 probe=$4 tries=0 i pid w
	local log="$WORK/$name.log"
	local cmd

	shift 4
	while [ $tries -lt 20 ]; do
		tries=$((tries + 1))
		H_PORT=$port
		if [ "$port" = any ]; then
			H_PORT=$(((RANDOM % 30000) + 20000))
		fi
		cmd=()
		for w in "$@"; do
			cmd+=("${w//@PORT@/$H_PORT}")
		done
		: >"$log"
		"${cmd[@]}" >>"$log" 2>&1 &
		pid=$!
		i=0
		while [ $i -lt 50 ]; do
			if ! kill -0 "$pid" 2>/dev/null; then
				break
			fi
			if dig @"$addr" -p "$H_PORT" +time=1 +tries=1 "$probe" \
				>/dev/null 2>&1 && kill -0 "$pid" 2>/dev/null; then
				HELPERS+=("$pid")
				return 0
			fi
			sleep 0.1
			i=$((i + 1))
		done
		kill -TERM "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
		if grep -Eqi "address already in use|can't bind" "$log"; then
			[ "$port" = any ] && continue
			return 2
		fi
		echo "$name did not start:"
		sed 's/^/    | /' "$log"
		return 1
	done
	return 1
}

# check_resolver WHO DIGARGS...: the answers through a resolver.
check_resolver() {
	local who=$1 out

	shift
	# AAAA first: an NXDOMAIN holds for every type (RFC 2308, RFC 8020)
	# and resolvers cache it so; only a true NODATA lets the A through.
	out=$(dig "$@" +time=3 +tries=1 backend.svc.mesh.local AAAA)
	expect_match "$who: AAAA of an IPv4 service is NOERROR" "status: NOERROR" "$out"
	expect_match "$who: AAAA of an IPv4 service has no answer" "ANSWER: 0," "$out"
	expect_eq "$who: A after that NODATA" "241.0.0.1" "$(dig "$@" +time=3 +tries=1 +short backend.svc.mesh.local A)"
	out=$(dig "$@" +time=3 +tries=1 redis.svc.mesh.local A)
	expect_match "$who: mesh name is NOERROR" "status: NOERROR" "$out"
	expect_match "$who: mesh name has its VIP" "^redis\.svc\.mesh\.local\.[[:space:]]+[0-9]+[[:space:]]+IN[[:space:]]+A[[:space:]]+241\.0\.0\.5$" "$out"
	expect_eq "$who: second generator's name" "241.0.0.5" "$(dig "$@" +time=3 +tries=1 +short redis.mesh A)"
	expect_eq "$who: other service" "241.0.0.3" "$(dig "$@" +time=3 +tries=1 +short frontend.mesh A)"
	out=$(dig "$@" +time=3 +tries=1 nope.svc.mesh.local A)
	expect_match "$who: unknown mesh name is NXDOMAIN" "status: NXDOMAIN" "$out"
	expect_match "$who: NXDOMAIN carries meshdns's SOA" "^mesh\.local\.[[:space:]]+[0-9]+[[:space:]]+IN[[:space:]]+SOA[[:space:]]+localhost\. nobody\.invalid\." "$out"
	out=$(dig "$@" +time=3 +tries=1 redis.svc.mesh.local AAAA)
	expect_match "$who: AAAA of a name it has the A of is NOERROR" "status: NOERROR" "$out"
	expect_match "$who: ... with no answer" "ANSWER: 0," "$out"
}

# As root, meshdns also listens on port 53 of a loopback address with
# nothing else there, for glibc's resolv.conf.
copy_zones
GLIBC_NS=""
if [ "$(id -u)" -eq 0 ]; then
	for a in 127.53.53.53 127.53.0.53 127.0.53.53 127.153.53.53; do
		if start_meshdns -l "$a:53" -r "$WORK/zones/default" \
			-s "$WORK/state"; then
			GLIBC_NS=$a
			break
		fi
		grep -q "cannot listen on $a:53" "$LOG" || break
	done
	[ -n "$GLIBC_NS" ] || {
		fail "meshdns did not start"
		finish
	}
else
	start_meshdns -r "$WORK/zones/default" -s "$WORK/state" || {
		fail "meshdns did not start"
		finish
	}
fi

# ---- (a) unbound, a stub-zone for each served zone
#
# As a careful resolver is set up: use-caps-for-id sends 0x20-randomised
# names, and qname-minimisation asks the empty non-terminal
# svc.mesh.local first (an NXDOMAIN there would hide every service).
mkdir -p "$WORK/unbound"
cat >"$WORK/unbound.conf" <<EOF
server:
  interface: 127.0.0.1@@LISTEN@
  port: @LISTEN@
  interface-automatic: no
  outgoing-interface: 127.0.0.1
  do-ip4: yes
  do-ip6: no
  num-threads: 1
  so-reuseport: no
  username: ""
  chroot: ""
  directory: "$WORK/unbound"
  pidfile: "$WORK/unbound/unbound.pid"
  use-syslog: no
  logfile: ""
  verbosity: 1
  log-queries: yes
  module-config: "iterator"
  access-control: 127.0.0.0/8 allow
  use-caps-for-id: yes
  qname-minimisation: yes
# What users paste: contrib/resolvers/unbound.conf, on meshdns's port.
include: "$WORK/contrib-unbound.conf"
# Anything else would go to the root: a closed loopback port.
stub-zone:
  name: "."
  stub-addr: 127.0.0.1@9
remote-control:
  control-enable: no
EOF
sed "s/@15053/@$PORT/" "$SRCDIR/contrib/resolvers/unbound.conf" \
	>"$WORK/contrib-unbound.conf"
# start_helper picks the port: @LISTEN@ in the config becomes it.
start_helper unbound 127.0.0.1 any localhost /bin/sh -c \
	'sed "s/@LISTEN@/$1/g" "$2" >"$3" && exec "$4" -d -c "$3"' unbound \
	@PORT@ "$WORK/unbound.conf" "$WORK/unbound/unbound.conf" "$UNBOUND" || {
	fail "unbound did not start"
	finish
}
check_resolver unbound @127.0.0.1 -p "$H_PORT"

# ---- (b) dnsmasq, server=/mesh.local/ and server=/mesh/
#
# What users paste: contrib/resolvers/dnsmasq.conf, on meshdns's port.
sed "s/#15053/#$PORT/" "$SRCDIR/contrib/resolvers/dnsmasq.conf" \
	>"$WORK/contrib-dnsmasq.conf"

start_helper dnsmasq 127.0.0.1 any probe.invalid "$DNSMASQ" --keep-in-foreground \
	--conf-file=/dev/null --no-resolv --no-hosts --no-poll \
	--bind-interfaces --listen-address=127.0.0.1 --port=@PORT@ \
	--user="$(id -un)" --pid-file="$WORK/dnsmasq.pid" --log-facility=- \
	--log-queries --conf-file="$WORK/contrib-dnsmasq.conf" || {
	fail "dnsmasq did not start"
	finish
}
check_resolver dnsmasq @127.0.0.1 -p "$H_PORT"

# ---- (c) glibc: getent through meshdns on $GLIBC_NS:53
#
# A private mount namespace sees our resolv.conf and an nsswitch.conf
# with "hosts: files dns" (so no mdns4_minimal or resolve module takes
# .local names first).  getent ahosts asks A and AAAA in parallel on one
# socket (one TCP connection with use-vc).

printf 'hosts: files dns\n' >"$WORK/nsswitch.conf"
# getent_ns OPTIONS NAME ARGS...: getent ARGS in the namespace, with
# "options OPTIONS" in resolv.conf; prints its output and "exit N".
getent_ns() {
	local opts=$1

	shift
	printf 'nameserver %s\noptions timeout:2 attempts:1 %s\n' \
		"$GLIBC_NS" "$opts" >"$WORK/resolv.conf"
	unshare --mount /bin/sh -c '
		mount --bind "$1" /etc/resolv.conf &&
		mount --bind "$2" /etc/nsswitch.conf || exit 99
		shift 2
		getent "$@"
		echo "exit $?"' getent "$WORK/resolv.conf" "$WORK/nsswitch.conf" \
		"$@" 2>&1
}

if [ -z "$GLIBC_NS" ]; then
	fail "getent through meshdns needs root (port 53, unshare --mount)"
	finish
fi
for opts in "" "edns0" "use-vc"; do
	who="getent${opts:+ ($opts)}"
	out=$(getent_ns "$opts" ahosts redis.svc.mesh.local)
	expect_match "$who ahosts: the VIP" "^241\.0\.0\.5[[:space:]]+STREAM[[:space:]]+redis\.svc\.mesh\.local$" "$out"
	expect_no_match "$who ahosts: no IPv6 address" "^[0-9a-f]*:" "$out"
	expect_match "$who ahosts: exit 0" "^exit 0$" "$out"
	out=$(getent_ns "$opts" hosts redis.mesh)
	expect_match "$who hosts redis.mesh" "^241\.0\.0\.5[[:space:]]+redis\.mesh$" "$out"
	out=$(getent_ns "$opts" hosts nope.svc.mesh.local)
	expect_eq "$who hosts: unknown name not found (exit 2)" "exit 2" "$out"
	out=$(getent_ns "$opts" ahosts nope.svc.mesh.local)
	expect_eq "$who ahosts: unknown name not found (exit 2)" "exit 2" "$out"
done

# ---- (d) forward.upstreams: [resolv.conf]
#
# meshdns reads /etc/resolv.conf at start.  In its own mount namespace it
# sees one that lists meshdns itself first (skipped), then a dnsmasq on
# port 53 of another loopback address, twice (the second skipped).  The
# wrapper starts meshdns only once the bind mount is in place, so it never
# sees this machine's resolv.conf.
UP_NS=""
for a in 127.53.53.54 127.53.0.54 127.0.53.54 127.153.53.54; do
	start_helper dnsmasq53 "$a" 53 www.example.test "$DNSMASQ" \
		--keep-in-foreground --conf-file=/dev/null --no-resolv \
		--no-hosts --no-poll --bind-interfaces --listen-address="$a" \
		--port=53 --user=root --pid-file="$WORK/dnsmasq53.pid" \
		--log-facility=- --local=/example.test/ \
		--host-record=www.example.test,192.0.2.40
	case $? in
	0) UP_NS=$a; break ;;
	2) continue ;;
	*) break ;;
	esac
done
if [ -z "$UP_NS" ]; then
	fail "dnsmasq on port 53 did not start"
	finish
fi
stop_meshdns
printf 'search example.test\nnameserver %s\nnameserver %s\nnameserver %s\noptions edns0\n' \
	"$GLIBC_NS" "$UP_NS" "$UP_NS" >"$WORK/upstream-resolv.conf"
printf 'forward:\n  upstreams: [resolv.conf]\n' >"$WORK/resolv.yaml"
cat >"$WORK/meshdns-ns" <<EOF
#!/bin/sh
exec unshare --mount /bin/sh -c \\
	'mount --bind "\$1" /etc/resolv.conf || exit 99; shift; exec "\$@"' \\
	sh "$WORK/upstream-resolv.conf" "$MESHDNS" "\$@"
EOF
chmod +x "$WORK/meshdns-ns"
LOG="$WORK/meshdns-resolv.log"
MESHDNS="$WORK/meshdns-ns" start_meshdns -l "$GLIBC_NS:53" \
	-c "$WORK/resolv.yaml" -r "$WORK/zones/default" -s "$WORK/state" || {
	fail "meshdns (upstreams from resolv.conf) did not start"
	finish
}
log=$(cat "$LOG")
expect_match "resolv.conf: meshdns itself is skipped" "nameserver ${GLIBC_NS//./\\.}:53 is meshdns itself .*skipped" "$log"
expect_match "resolv.conf: a repeated nameserver is skipped" "nameserver ${UP_NS//./\\.}:53 repeated, skipped" "$log"
expect_eq "resolv.conf: one upstream" "forward, upstream $UP_NS:53" \
	"$(sed -n 's/.*notice: \(forward, upstream .*\)/\1/p' "$LOG")"
out=$(dig_q www.example.test A)
expect_match "resolv.conf: forwarded to its nameserver" "^www\.example\.test\.[[:space:]]+[0-9]+[[:space:]]+IN[[:space:]]+A[[:space:]]+192\.0\.2\.40$" "$out"
expect_match "resolv.conf: ... with RA" "flags: qr.* rd ra;" "$out"
expect_eq "resolv.conf: mesh names still ours" "241.0.0.5" "$(dig_short redis.svc.mesh.local A)"

finish
