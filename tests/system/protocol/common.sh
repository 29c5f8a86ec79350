# protocol/common.sh -- sourced (after lib.sh) by the scenarios of
# tests/system/protocol/: the DNS protocol rules of issue 4 that need no
# upstream resolver, as dig, drill and kdig see them.  Helpers to read
# answers and speak raw DNS, the zone every scenario serves, and the three
# configurations they start meshdns with.

DNSRAW="${BUILDDIR:-$SRCDIR}/tests/system/dnsraw"
[ -x "$DNSRAW" ] || fail "$DNSRAW is not built"

# need_tools: drill and kdig, for the scenarios that use them; sets
# have_drill and have_kdig.
need_tools() {
	# A missing tool is a failure (CI installs them), never a silent skip.
	have_drill=1
	have_kdig=1
	command -v drill >/dev/null 2>&1 || {
		fail "drill is not installed (contrib/bootstrap.sh installs ldnsutils)"
		have_drill=0
	}
	command -v kdig >/dev/null 2>&1 || {
		fail "kdig is not installed (contrib/bootstrap.sh installs knot-dnsutils)"
		have_kdig=0
	}
}

# ---- helpers

# summary TEXT: the header of a dig, drill or kdig answer on one line,
# "STATUS | FLAGS | ANSWER AUTHORITY ADDITIONAL", e.g.
# "NOERROR | qr aa rd | 1 0 1".
summary() {
	local s="?" f="?" c="?" re
	re='(status|rcode): ([A-Z]+)'
	[[ $1 =~ $re ]] && s=${BASH_REMATCH[2]}
	re='[Ff]lags: ([a-z ]*[a-z]) ?; QUERY: [0-9]+[,;] ANSWER: ([0-9]+)[,;] AUTHORITY: ([0-9]+)[,;] ADDITIONAL: ([0-9]+)'
	if [[ $1 =~ $re ]]; then
		f=${BASH_REMATCH[1]}
		c="${BASH_REMATCH[2]} ${BASH_REMATCH[3]} ${BASH_REMATCH[4]}"
	fi
	printf '%s | %s | %s\n' "$s" "$f" "$c"
}

# rrs ARGS...: dig at meshdns, only the sections named in ARGS (+answer,
# +authority, +additional), one RR a line with single spaces, the SOA
# serial replaced by S.
rrs() {
	dig_q +noall "$@" | tr -s ' \t' ' ' |
		awk '$4 == "SOA" { $7 = "S" } { print }'
}

# edns_line TEXT: dig's "; EDNS: ..." line, or "none".
edns_line() {
	local l
	l=$(printf '%s\n' "$1" | grep '^; EDNS:')
	printf '%s\n' "${l:-none}"
}

# wire NAME: NAME in wire format, as hex (no final dot).
wire() {
	local out="" l
	local IFS=.
	for l in $1; do
		out+=$(printf '%02x' "${#l}")
		out+=$(printf '%s' "$l" | od -An -v -tx1 | tr -d ' \n')
	done
	printf '%s00\n' "$out"
}

# tcp_send FD HEX: write the bytes HEX to the descriptor FD.
tcp_send() {
	printf "$(printf '%s' "$2" | sed 's/../\\x&/g')" >&"$1"
}

# tcp_recv FD N: read N bytes from FD (2 s at most), print them as hex.
tcp_recv() {
	timeout 2 head -c "$2" <&"$1" | od -An -v -tx1 | tr -d ' \n'
	echo
}

# closed FD [SECONDS]: "closed" when the server closed FD (EOF within
# SECONDS, default 1), "open" when nothing came, "data" when bytes did.
closed() {
	local x="" rc
	read -r -t "${2:-1}" -u "$1" x
	rc=$?
	if [ "$rc" -eq 1 ] && [ -z "$x" ]; then
		echo closed
	elif [ "$rc" -gt 128 ] && [ -z "$x" ]; then
		echo open
	else
		echo data
	fi
}

# stats: ask meshdns for its counters (SIGUSR1); print the new line.
stats() {
	local n
	n=$(grep -c 'stats, ' "$LOG")
	kill -USR1 "$PID"
	wait_log 'stats, ' $((n + 1)) || fail "no stats line after SIGUSR1"
	grep 'stats, ' "$LOG" | tail -1
}

# counter LINE NAME: the number after NAME in a stats line.
counter() {
	printf '%s\n' "$1" | sed -n "s/.*[ ,(]$2 \([0-9][0-9]*\).*/\1/p"
}

# elapsed T0 T1: T1 - T0 in milliseconds ($EPOCHREALTIME values).
elapsed() {
	echo "$1 $2" | awk '{ printf "%d\n", ($2 - $1) * 1000 }'
}

# many_ports NAME COUNT: a MeshService with COUNT named ports.
many_ports() {
	printf 'type: MeshService\nname: %s\nmesh: default\nspec:\n' "$1"
	printf '  selector:\n    dataplaneTags:\n      app: %s\n  ports:\n' "$1"
	for i in $(seq 1 "$2"); do
		printf '  - {name: port-number-%02d-with-a-rather-long-descriptive-name, port: %d, targetPort: %d, appProtocol: tcp}\n' \
			"$i" $((8000 + i)) $((8000 + i))
	done
}

# The example zone (backend .1, billing .2, frontend .3, postgres .4,
# redis .5 in name order) and two services with many ports: wide (.6, 20
# ports: its SRV RRset at the hostname is 844 bytes with EDNS, more than
# 512, less than 1232) and wider (.7, 40 ports: 1624 bytes, more than our
# 1232-byte UDP size).
copy_zones
many_ports wide 20 >"$WORK/zones/default/wide.yaml"
many_ports wider 40 >"$WORK/zones/default/wider.yaml"

version=$(sed -n 's/^AC_INIT(\[meshdns\], *\[\([^]]*\)\].*/\1/p' "$SRCDIR/configure.ac")
[ -n "$version" ] || fail "no version in $SRCDIR/configure.ac"

q_redis_mesh="$(wire redis.mesh)00010001"	# redis.mesh A IN
opt="00002904d0000000000000"		# OPT: root, udp 1232, v0, no options

# The query "redis.mesh A", ID 0001, RD, no EDNS, and its answer byte for
# byte: length 44, flags qr aa rd, the question, the A RR with a pointer
# to the question, TTL 30, 241.0.0.5.
q="000101000001000000000000${q_redis_mesh}"
qf="001c$q"	# framed: 28 bytes
a="002c000185000001000100000000${q_redis_mesh}c00c000100010000001e0004f1000005"

# start_defaults: the defaults (aaaa nodata, CHAOS id/hostname hidden, no
# forwarding) with search suffixes and a 1 s TCP idle timeout (or
# $TCP_IDLE); on 127.0.0.1 and ::1.
start_defaults() {
	cat >"$WORK/one.yaml" <<YAML
dns:
  search-suffixes: [svc.cluster.local, cluster.local]
tcp:
  idle-timeout: ${TCP_IDLE:-1s}
YAML
	ALSO_V6=1 start_meshdns -c "$WORK/one.yaml" -r "$WORK/zones/default" -s "$WORK/state1" || {
		fail "meshdns (defaults) did not start"
		finish
	}
}

# start_mapped: aaaa mapped, CHAOS names set, no reverse zones, at most 3
# TCP connections (idle timeout 10 s, the default), one worker (which
# connection is oldest is then well defined).
start_mapped() {
	cat >"$WORK/two.yaml" <<'YAML'
workers: 1
dns:
  aaaa: mapped
  ptr: false
  chaos:
    version: "custom build 7"
    id: ns1.example
    hostname: host-a
tcp:
  max-connections: 3
YAML
	start_meshdns -c "$WORK/two.yaml" -r "$WORK/zones/default" -s "$WORK/state2" || {
		fail "meshdns (mapped) did not start"
		finish
	}
}

# start_pool: aaaa pool (dual-stack VIPs from fd00:241::/64), no SRV,
# version.bind hidden, two workers sharing a limit of 3 TCP connections;
# on 127.0.0.1 and ::1.
start_pool() {
	cat >"$WORK/three.yaml" <<'YAML'
workers: 2
tcp:
  max-connections: 3
dns:
  aaaa: pool
  srv: false
  chaos: {version: ""}
vip:
  pools:
    meshService6: fd00:241::/64
YAML
	ALSO_V6=1 start_meshdns -c "$WORK/three.yaml" -r "$WORK/zones/default" -s "$WORK/state3" || {
		fail "meshdns (pool) did not start"
		finish
	}
}
