#!/bin/bash
# protocol.sh -- the DNS protocol rules of issue 4 that need no upstream
# resolver, as dig, drill and kdig see them: EDNS, truncation and TCP
# fallback, TCP framing, pipelining, idle timeout and connection limit,
# the AAAA policies, SRV, PTR, ANY, CHAOS, opcodes and header bits,
# search-list storms and 0x20 case.
. "${SRCDIR:?SRCDIR must name the source tree}/tests/system/lib.sh" || exit 1

DNSRAW="${BUILDDIR:-$SRCDIR}/tests/system/dnsraw"
[ -x "$DNSRAW" ] || fail "$DNSRAW is not built"
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

# ====================================================================
# Instance 1: the defaults (aaaa nodata, CHAOS id/hostname hidden, no
# forwarding) with search suffixes and a 1 s TCP idle timeout; on
# 127.0.0.1 and ::1.
cat >"$WORK/one.yaml" <<'YAML'
dns:
  search-suffixes: [svc.cluster.local, cluster.local]
tcp:
  idle-timeout: 1s
YAML
ALSO_V6=1 start_meshdns -c "$WORK/one.yaml" -r "$WORK/zones/default" -s "$WORK/state1" || {
	fail "meshdns (defaults) did not start"
	finish
}

# ---- EDNS(0)
out=$(dig_q redis.mesh A)
expect_eq "EDNS query: our OPT, version 0, udp 1232" "; EDNS: version: 0, flags:; udp: 1232" "$(edns_line "$out")"
expect_eq "EDNS query: header (OPT counted in ADDITIONAL)" "NOERROR | qr aa rd | 1 0 1" "$(summary "$out")"
out=$(dig_q +noedns redis.mesh A)
expect_eq "no EDNS in the query: no OPT in the answer" "none" "$(edns_line "$out")"
expect_eq "no EDNS in the query: nothing additional" "NOERROR | qr aa rd | 1 0 0" "$(summary "$out")"
out=$(dig_q +dnssec redis.mesh A)
expect_eq "the DO bit is copied into our OPT" "; EDNS: version: 0, flags: do; udp: 1232" "$(edns_line "$out")"
out=$(dig_q +edns=1 +noednsnegotiation redis.mesh A)
expect_eq "EDNS version 1: BADVERS, nothing answered" "BADVERS | qr rd | 0 0 1" "$(summary "$out")"
expect_eq "BADVERS: our OPT says version 0" "; EDNS: version: 0, flags:; udp: 1232" "$(edns_line "$out")"
out=$(dig_q +ednsopt=65001:abcd redis.mesh A)
expect_eq "an unknown EDNS option is ignored: answered" "NOERROR | qr aa rd | 1 0 1" "$(summary "$out")"
expect_no_match "an unknown EDNS option is not echoed" "^; OPT=65001" "$out"
# With +qr dig prints the query too: the option is in it, once.
expect_eq "... though the query had it" "1" \
	"$(dig_q +qr +ednsopt=65001:abcd redis.mesh A | grep -c '^; OPT=65001: ab cd')"
out=$(dig_q +nsid redis.mesh A)
expect_no_match "NSID is not answered (option ignored)" "^; NSID" "$out"
expect_eq "NSID query answered" "241.0.0.5" "$(dig_short +nsid redis.mesh A)"
# Raw: two OPT records, an OPT owned by another name than the root, an
# OPT whose options do not tile its RDATA: FORMERR, the question echoed
# (12 + 16 bytes), no OPT in the answer.
expect_eq "two OPT records: FORMERR" "rcode=1 qr=1 aa=0 tc=0 id=4242 len=28" \
	"$("$DNSRAW" "$PORT" "424201000001000000000002${q_redis_mesh}${opt}${opt}")"
expect_eq "an OPT not owned by the root: FORMERR" "rcode=1 qr=1 aa=0 tc=0 id=4242 len=28" \
	"$("$DNSRAW" "$PORT" "424201000001000000000001${q_redis_mesh}c00c002904d0000000000000")"
expect_eq "an OPT with a cut option: FORMERR" "rcode=1 qr=1 aa=0 tc=0 id=4242 len=28" \
	"$("$DNSRAW" "$PORT" "424201000001000000000001${q_redis_mesh}00002904d00000000000030001ab")"
expect_eq "one OPT, raw: answered, with our OPT (44 + 11 bytes)" "rcode=0 qr=1 aa=1 tc=0 id=4242 len=55" \
	"$("$DNSRAW" "$PORT" "424201000001000000000001${q_redis_mesh}${opt}")"

# ---- truncation: whole RRsets or nothing, TC, and the full answer over TCP
out=$(dig_q +noedns +ignore wide.svc.mesh.local SRV)
expect_eq "no EDNS, 20 SRV (> 512 bytes): TC, no partial RRset" "NOERROR | qr aa tc rd | 0 0 0" "$(summary "$out")"
expect_match "the truncated answer is header and question only" "MSG SIZE +rcvd: 37$" "$out"
expect_match "the truncated answer keeps the question" "^;wide\.svc\.mesh\.local\.[[:space:]]+IN[[:space:]]+SRV$" "$out"
out=$(dig_q +noedns wide.svc.mesh.local SRV)
expect_match "dig falls back to TCP on TC" "^;; Truncated, retrying in TCP mode\.$" "$out"
expect_eq "over TCP: all 20 SRV and the target's A" "NOERROR | qr aa rd | 20 0 1" "$(summary "$out")"
expect_match "the TCP answer came over TCP" "^;; SERVER: 127\.0\.0\.1#$PORT\(127\.0\.0\.1\) \(TCP\)$" "$out"
expect_eq "+tcp: the same 20 SRV records" "$(seq 8001 8020)" \
	"$(dig_q +tcp +short wide.svc.mesh.local SRV | awk '{ print $3 }' | sort -n)"
# With EDNS the client's size is the limit: 844 bytes need 844.
out=$(dig_q +bufsize=1232 +ignore +nocookie wide.svc.mesh.local SRV)
expect_eq "bufsize 1232: 844 bytes fit over UDP" "NOERROR | qr aa rd | 20 0 2" "$(summary "$out")"
expect_match "bufsize 1232: answered over UDP" "\(UDP\)$" "$out"
out=$(dig_q +bufsize=827 +ignore +nocookie wide.svc.mesh.local SRV)
expect_eq "bufsize 827 (the SRV RRset needs 828): TC, nothing" "NOERROR | qr aa tc rd | 0 0 1" "$(summary "$out")"
out=$(dig_q +bufsize=828 +ignore +nocookie wide.svc.mesh.local SRV)
expect_eq "bufsize 828: the SRV fit, the target's A is left out, no TC" "NOERROR | qr aa rd | 20 0 1" "$(summary "$out")"
expect_match "bufsize 828: exactly 828 bytes" "MSG SIZE +rcvd: 828$" "$out"
out=$(dig_q +bufsize=843 +ignore +nocookie wide.svc.mesh.local SRV)
expect_eq "bufsize 843: still without the A" "NOERROR | qr aa rd | 20 0 1" "$(summary "$out")"
out=$(dig_q +bufsize=844 +ignore +nocookie wide.svc.mesh.local SRV)
expect_eq "bufsize 844: with the A" "NOERROR | qr aa rd | 20 0 2" "$(summary "$out")"
out=$(dig_q +bufsize=100 +ignore +nocookie redis.svc.mesh.local SRV)
expect_eq "bufsize below 512 counts as 512" "NOERROR | qr aa rd | 2 0 2" "$(summary "$out")"
# Never more than our own 1232 over UDP, whatever the client offers.
out=$(dig_q +bufsize=4096 +ignore +nocookie wider.svc.mesh.local SRV)
expect_eq "bufsize 4096, 1624 bytes: TC (we send at most 1232)" "NOERROR | qr aa tc rd | 0 0 1" "$(summary "$out")"
out=$(dig_q +bufsize=4096 +nocookie wider.svc.mesh.local SRV)
expect_eq "bufsize 4096: the TCP retry has all 40 SRV" "NOERROR | qr aa rd | 40 0 2" "$(summary "$out")"
out=$(dig_q +tcp +bufsize=512 +nocookie wider.svc.mesh.local SRV)
expect_eq "TCP ignores the UDP size: 40 SRV" "NOERROR | qr aa rd | 40 0 2" "$(summary "$out")"
out=$(dig @::1 -p "$PORT" +time=2 +tries=1 +noedns wide.svc.mesh.local SRV)
expect_eq "IPv6: TC, then TCP on ::1 with all 20" "NOERROR | qr aa rd | 20 0 1" "$(summary "$out")"
expect_match "IPv6: the retry came over TCP on ::1" "^;; SERVER: ::1#$PORT\(::1\) \(TCP\)$" "$out"

# ---- TCP
# Three connections at once: one silent, one that sends its query a
# piece at a time (the length prefix split too), one from dig.  None
# blocks another.  The answer to "redis.mesh A", ID 0001, RD, no EDNS,
# byte for byte: length 44, flags qr aa rd, the question, the A RR with
# a pointer to the question, TTL 30, 241.0.0.5.
q="000101000001000000000000${q_redis_mesh}"
qf="001c$q"	# framed: 28 bytes
a="002c000185000001000100000000${q_redis_mesh}c00c000100010000001e0004f1000005"
exec 3<>/dev/tcp/127.0.0.1/"$PORT"
exec 4<>/dev/tcp/127.0.0.1/"$PORT"
tcp_send 4 "00"
sleep 0.1
tcp_send 4 "1c0001"
sleep 0.1
expect_eq "dig over TCP while two connections are open, one mid-query" "241.0.0.5" \
	"$(dig_short +tcp redis.svc.mesh.local)"
tcp_send 4 "${q:4}"
expect_eq "a query sent in three pieces: the exact answer" "$a" "$(tcp_recv 4 46)"
tcp_send 3 "$qf"
expect_eq "the silent connection still answers" "$a" "$(tcp_recv 3 46)"
exec 3<&- 4<&-

# Pipelined: five queries in one write, answered in order with the
# lengths each needs: the 40 SRV (1654 bytes without OPT), NXDOMAIN with
# the SOA, FORMERR (QDCOUNT 0), NOTIMP (NOTIFY), an A with EDNS.
out=$("$DNSRAW" -t "$PORT" \
	"000a01000001000000000000$(wire wider.svc.mesh.local)00210001" \
	"000b01000001000000000000$(wire nope.mesh)00010001" \
	"000c01000000000000000000" \
	"000d20000001000000000000${q_redis_mesh}" \
	"000e01000001000000000001${q_redis_mesh}${opt}")
expect_eq "pipelined queries answered in order, each whole" "rcode=0 qr=1 aa=1 tc=0 id=000a len=1654
rcode=3 qr=1 aa=1 tc=0 id=000b len=86
rcode=1 qr=1 aa=0 tc=0 id=000c len=12
rcode=4 qr=1 aa=0 tc=0 id=000d len=28
rcode=0 qr=1 aa=1 tc=0 id=000e len=55" "$out"

# Idle timeout (1 s here): a connection that sends nothing is closed by
# the server after a second, not before; a query restarts the clock.
exec 3<>/dev/tcp/127.0.0.1/"$PORT"
t0=$EPOCHREALTIME
state=$(closed 3 4)
t1=$EPOCHREALTIME
exec 3<&-
ms=$(elapsed "$t0" "$t1")
expect_eq "an idle connection is closed by the server" "closed" "$state"
if [ "$ms" -ge 700 ] && [ "$ms" -le 3000 ]; then
	pass "closed after the idle timeout (${ms} ms, 1 s configured)"
else
	fail "idle connection closed after ${ms} ms, expected about 1000"
fi
exec 3<>/dev/tcp/127.0.0.1/"$PORT"
t0=$EPOCHREALTIME
sleep 0.6
tcp_send 3 "$qf"
expect_eq "a query on a connection 0.6 s old is answered" "$a" "$(tcp_recv 3 46)"
t1=$EPOCHREALTIME
state=$(closed 3 4)
t2=$EPOCHREALTIME
exec 3<&-
ms=$(elapsed "$t0" "$t2")
ms_q=$(elapsed "$t1" "$t2")
expect_eq "the used connection is closed once idle" "closed" "$state"
if [ "$ms" -ge 1300 ] && [ "$ms_q" -ge 700 ]; then
	pass "activity restarts the idle clock (${ms} ms open, ${ms_q} ms after the answer)"
else
	fail "closed ${ms} ms after opening, ${ms_q} ms after the answer: the query did not restart the 1 s idle clock"
fi

# ---- AAAA policy nodata (the default), SRV, PTR, ANY
out=$(dig_q redis.svc.mesh.local AAAA)
expect_eq "aaaa nodata: AAAA of an IPv4 service is NODATA" "NOERROR | qr aa rd | 0 1 1" "$(summary "$out")"
expect_eq "aaaa nodata: the SOA in the authority section" \
	"mesh.local. 30 IN SOA localhost. nobody.invalid. S 3600 600 86400 30" \
	"$(rrs +authority redis.svc.mesh.local AAAA)"

expect_eq "SRV _<port-name>._tcp.<hostname>" \
	"_some-port._tcp.redis.svc.mesh.local. 30 IN SRV 0 0 16739 redis.svc.mesh.local." \
	"$(rrs +answer _some-port._tcp.redis.svc.mesh.local SRV)"
expect_eq "SRV of an unnamed port: _<port>._tcp.<hostname>" \
	"_6739._tcp.redis.mesh. 30 IN SRV 0 0 6739 redis.mesh." \
	"$(rrs +answer _6739._tcp.redis.mesh SRV)"
expect_eq "SRV with a long port name" \
	"_port-number-07-with-a-rather-long-descriptive-name._tcp.wide.svc.mesh.local. 30 IN SRV 0 0 8007 wide.svc.mesh.local." \
	"$(rrs +answer _port-number-07-with-a-rather-long-descriptive-name._tcp.wide.svc.mesh.local SRV)"
expect_eq "SRV at the hostname lists every port" \
	"redis.svc.mesh.local. 30 IN SRV 0 0 16739 redis.svc.mesh.local.
redis.svc.mesh.local. 30 IN SRV 0 0 6739 redis.svc.mesh.local." \
	"$(rrs +answer redis.svc.mesh.local SRV | sort)"
expect_eq "SRV: the target's A in the additional section (no AAAA: nodata)" \
	"redis.svc.mesh.local. 30 IN A 241.0.0.5" \
	"$(rrs +additional +noedns redis.svc.mesh.local SRV)"
out=$(dig_q _nope._tcp.redis.svc.mesh.local SRV)
expect_eq "SRV of an unknown port name: NXDOMAIN" "NXDOMAIN | qr aa rd | 0 1 1" "$(summary "$out")"
out=$(dig_q _tcp.redis.svc.mesh.local SRV)
expect_eq "_tcp.<hostname> is an empty non-terminal: NODATA" "NOERROR | qr aa rd | 0 1 1" "$(summary "$out")"

expect_eq "PTR of a VIP: the service's first hostname" \
	"5.0.0.241.in-addr.arpa. 30 IN PTR redis.svc.mesh.local." "$(rrs +answer -x 241.0.0.5)"
expect_eq "PTR of another VIP" "wider.svc.mesh.local." "$(dig_short -x 241.0.0.7)"
out=$(dig_q -x 241.0.0.99)
expect_eq "PTR of an unknown address in 241/8: NXDOMAIN" "NXDOMAIN | qr aa rd | 0 1 1" "$(summary "$out")"
expect_eq "... with the SOA of 241.in-addr.arpa" \
	"241.in-addr.arpa. 30 IN SOA localhost. nobody.invalid. S 3600 600 86400 30" \
	"$(rrs +authority -x 241.0.0.99)"
out=$(dig_q -x 242.1.2.3)
expect_eq "PTR in the MeshExternalService pool: NXDOMAIN" "NXDOMAIN | qr aa rd | 0 1 1" "$(summary "$out")"
out=$(dig_q -x 10.1.2.3)
expect_eq "PTR outside every pool, no forwarding: REFUSED" "REFUSED | qr rd | 0 0 1" "$(summary "$out")"
out=$(dig_q 241.in-addr.arpa SOA)
expect_eq "SOA at the reverse zone's apex" "NOERROR | qr aa rd | 1 0 1" "$(summary "$out")"

out=$(dig_q wide.svc.mesh.local ANY)
expect_eq "ANY at a name with A and 20 SRV: one RRset" "NOERROR | qr aa rd | 1 0 1" "$(summary "$out")"
expect_eq "ANY: the A RRset" "wide.svc.mesh.local. 30 IN A 241.0.0.6" "$(rrs +answer wide.svc.mesh.local ANY)"
expect_eq "ANY at the apex: only the SOA, not NS too" \
	"mesh.local. 30 IN SOA localhost. nobody.invalid. S 3600 600 86400 30" "$(rrs +answer mesh.local ANY)"
expect_eq "ANY at a reverse name: the PTR" \
	"6.0.0.241.in-addr.arpa. 30 IN PTR wide.svc.mesh.local." "$(rrs +answer -x 241.0.0.6 ANY)"
out=$(dig_q nope.mesh ANY)
expect_eq "ANY of an unknown name: NXDOMAIN" "NXDOMAIN | qr aa rd | 0 1 1" "$(summary "$out")"

# ---- CHAOS, defaults
expect_eq "version.bind: \"meshdns $version\"" \
	"version.bind. 0 CH TXT \"meshdns $version\"" "$(rrs +answer version.bind CH TXT)"
out=$(dig_q version.bind CH TXT)
expect_eq "version.bind is authoritative" "NOERROR | qr aa rd | 1 0 1" "$(summary "$out")"
expect_eq "version.server: the same" "\"meshdns $version\"" "$(dig_short version.server CH TXT)"
expect_eq "VERSION.BIND (case-insensitive)" "\"meshdns $version\"" "$(dig_short VERSION.BIND CH TXT)"
for n in id.server hostname.bind authors.bind version.bind.mesh; do
	out=$(dig_q "$n" CH TXT)
	expect_eq "CHAOS $n: REFUSED" "REFUSED | qr rd | 0 0 1" "$(summary "$out")"
done
out=$(dig_q version.bind CH A)
expect_eq "CHAOS version.bind A: REFUSED" "REFUSED | qr rd | 0 0 1" "$(summary "$out")"
out=$(dig_q redis.mesh HS A)
expect_eq "class HESIOD: REFUSED" "REFUSED | qr rd | 0 0 1" "$(summary "$out")"

# ---- opcodes and header bits
n="$q_redis_mesh"
expect_eq "opcode 2 (STATUS): NOTIMP, question echoed" "rcode=4 qr=1 aa=0 tc=0 id=4242 len=28" \
	"$("$DNSRAW" "$PORT" "424210000001000000000000$n")"
expect_eq "opcode 4 (NOTIFY): NOTIMP" "rcode=4 qr=1 aa=0 tc=0 id=4242 len=28" \
	"$("$DNSRAW" "$PORT" "424220000001000000000000$n")"
expect_eq "opcode 5 (UPDATE): NOTIMP" "rcode=4 qr=1 aa=0 tc=0 id=4242 len=28" \
	"$("$DNSRAW" "$PORT" "424228000001000000000000$n")"
expect_eq "opcode 15: NOTIMP" "rcode=4 qr=1 aa=0 tc=0 id=4242 len=28" \
	"$("$DNSRAW" "$PORT" "424278000001000000000000$n")"
expect_eq "QDCOUNT 2: FORMERR, no question echoed" "rcode=1 qr=1 aa=0 tc=0 id=4242 len=12" \
	"$("$DNSRAW" "$PORT" "424201000002000000000000$n$n")"
expect_eq "QDCOUNT 0: FORMERR" "rcode=1 qr=1 aa=0 tc=0 id=4242 len=12" \
	"$("$DNSRAW" "$PORT" "424201000000000000000000")"
expect_eq "a response (QR=1) is dropped" "timeout" \
	"$("$DNSRAW" "$PORT" "424281000001000000000000$n")"
expect_eq "AXFR: NOTIMP" "rcode=4 qr=1 aa=0 tc=0 id=4242 len=28" \
	"$("$DNSRAW" "$PORT" "424201000001000000000000$(wire redis.mesh)00fc0001")"
out=$(dig_q +norec redis.mesh A)
expect_eq "RD clear in the query: clear in the answer, no RA" "NOERROR | qr aa | 1 0 1" "$(summary "$out")"
out=$(dig_q +rec redis.mesh A)
expect_eq "RD set: copied; RA not set without forwarding" "NOERROR | qr aa rd | 1 0 1" "$(summary "$out")"
out=$(dig_q +cd +adflag redis.mesh A)
expect_eq "CD copied, AD never set" "NOERROR | qr aa rd cd | 1 0 1" "$(summary "$out")"

# ---- search-list storms
before=$(stats)
out=$(dig_q redis.svc.mesh.local.svc.cluster.local A)
expect_eq "redis.svc.mesh.local.svc.cluster.local: NXDOMAIN here, AA clear, no SOA" \
	"NXDOMAIN | qr rd | 0 0 1" "$(summary "$out")"
out=$(dig_q redis.mesh.cluster.local A)
expect_eq "redis.mesh.cluster.local: NXDOMAIN here, AA clear" "NXDOMAIN | qr rd | 0 0 1" "$(summary "$out")"
out=$(dig_q Nope.MESH.Cluster.Local AAAA)
expect_eq "an unknown mesh name with a suffix, mixed case: NXDOMAIN too" "NXDOMAIN | qr rd | 0 0 1" "$(summary "$out")"
out=$(dig_q redis.svc.cluster.local A)
expect_eq "redis.svc.cluster.local (no mesh name inside): REFUSED" "REFUSED | qr rd | 0 0 1" "$(summary "$out")"
out=$(dig_q redis.mesh.some-namespace.svc.cluster.local A)
expect_eq "redis.mesh.<namespace>.svc.cluster.local (no such suffix here): REFUSED" \
	"REFUSED | qr rd | 0 0 1" "$(summary "$out")"
out=$(dig_q example.com A)
expect_eq "a name outside, no forwarding: REFUSED" "REFUSED | qr rd | 0 0 1" "$(summary "$out")"
after=$(stats)
expect_eq "stats: 3 search-nxdomain answers counted" \
	"$(( $(counter "$before" search-nxdomain) + 3 ))" "$(counter "$after" search-nxdomain)"
expect_eq "stats: nothing forwarded" "0" "$(counter "$after" forwarded)"
expect_eq "stats: 3 more refused" \
	"$(( $(counter "$before" refused) + 3 ))" "$(counter "$after" refused)"

# ---- 0x20: the question keeps the query's case
out=$(dig_q ReDiS.SvC.MeSh.LoCaL A)
expect_match "dig: the question keeps the case" "^;ReDiS\.SvC\.MeSh\.LoCaL\.[[:space:]]+IN[[:space:]]+A$" "$out"
expect_eq "dig: the answer's owner is the question's name" \
	"ReDiS.SvC.MeSh.LoCaL. 30 IN A 241.0.0.5" "$(rrs +answer ReDiS.SvC.MeSh.LoCaL A)"
expect_eq "dig: NXDOMAIN's SOA owner is the apex as asked" \
	"MeSh.LoCaL. 30 IN SOA localhost. nobody.invalid. S 3600 600 86400 30" \
	"$(rrs +authority NoPe.SvC.MeSh.LoCaL A)"
out=$(dig_q +tcp WiDe.MeSh SRV)
expect_match "dig +tcp: the question keeps the case" "^;WiDe\.MeSh\.[[:space:]]+IN[[:space:]]+SRV$" "$out"
expect_eq "dig +tcp: 20 SRV for the mixed-case name" "NOERROR | qr aa rd | 20 0 2" "$(summary "$out")"

# ---- drill
if [ "$have_drill" = 1 ]; then
	dr() { drill -p "$PORT" @127.0.0.1 "$@" 2>&1; }
	out=$(dr redis.svc.mesh.local A)
	expect_eq "drill: A" "NOERROR | qr aa rd | 1 0 0" "$(summary "$out")"
	expect_match "drill: the A record" "^redis\.svc\.mesh\.local\.[[:space:]]+30[[:space:]]+IN[[:space:]]+A[[:space:]]+241\.0\.0\.5$" "$out"
	out=$(dr nope.svc.mesh.local A)
	expect_eq "drill: NXDOMAIN with the SOA" "NXDOMAIN | qr aa rd | 0 1 0" "$(summary "$out")"
	expect_match "drill: the SOA" "^mesh\.local\.[[:space:]]+30[[:space:]]+IN[[:space:]]+SOA[[:space:]]+localhost\. nobody\.invalid\. [0-9]+ 3600 600 86400 30$" "$out"
	out=$(dr redis.svc.mesh.local AAAA)
	expect_eq "drill: AAAA of an IPv4 service is NODATA" "NOERROR | qr aa rd | 0 1 0" "$(summary "$out")"
	out=$(dr -t redis.svc.mesh.local A)
	expect_eq "drill -t (TCP): A" "NOERROR | qr aa rd | 1 0 0" "$(summary "$out")"
	expect_match "drill -t: the A record" "IN[[:space:]]+A[[:space:]]+241\.0\.0\.5$" "$out"
	out=$(dr wide.svc.mesh.local SRV)
	expect_eq "drill (no EDNS), 20 SRV: TC, nothing partial" "NOERROR | qr aa tc rd | 0 0 0" "$(summary "$out")"
	out=$(dr -t wide.svc.mesh.local SRV)
	expect_eq "drill -t: all 20 SRV" "NOERROR | qr aa rd | 20 0 1" "$(summary "$out")"
	# drill leaves the OPT out of its ADDITIONAL count.
	out=$(dr -b 1232 wide.svc.mesh.local SRV)
	expect_eq "drill -b 1232: all 20 SRV and the A over UDP" "NOERROR | qr aa rd | 20 0 1" "$(summary "$out")"
	expect_match "drill -b 1232: our EDNS size" "^;; EDNS: version 0; flags: ; udp: 1232$" "$out"
	expect_match "drill -b 1232: 844 bytes" "^;; MSG SIZE  rcvd: 844$" "$out"
	out=$(dr -b 4096 wider.svc.mesh.local SRV)
	expect_eq "drill -b 4096, 1624 bytes: TC" "NOERROR | qr aa tc rd | 0 0 0" "$(summary "$out")"
	out=$(dr ReDiS.MeSh A)
	expect_match "drill: the question keeps the case (0x20)" "^;; ReDiS\.MeSh\.[[:space:]]+IN[[:space:]]+A$" "$out"
	expect_match "drill: the mixed-case name is answered" "IN[[:space:]]+A[[:space:]]+241\.0\.0\.5$" "$out"
	out=$(dr -x 241.0.0.5)
	expect_match "drill -x: PTR" "IN[[:space:]]+PTR[[:space:]]+redis\.svc\.mesh\.local\.$" "$out"
fi

# ---- kdig (it lower-cases the name it sends, so no 0x20 check with it)
if [ "$have_kdig" = 1 ]; then
	kd() { kdig @127.0.0.1 -p "$PORT" +time=2 +retry=0 "$@" 2>&1; }
	out=$(kd redis.svc.mesh.local A)
	expect_eq "kdig: A" "NOERROR | qr aa rd | 1 0 0" "$(summary "$out")"
	expect_eq "kdig +short: 241.0.0.5" "241.0.0.5" "$(kd +short redis.svc.mesh.local A)"
	out=$(kd nope.svc.mesh.local A)
	expect_eq "kdig: NXDOMAIN with the SOA" "NXDOMAIN | qr aa rd | 0 1 0" "$(summary "$out")"
	out=$(kd redis.svc.mesh.local AAAA)
	expect_eq "kdig: AAAA of an IPv4 service is NODATA" "NOERROR | qr aa rd | 0 1 0" "$(summary "$out")"
	out=$(kd +tcp redis.svc.mesh.local A)
	expect_eq "kdig +tcp: A" "NOERROR | qr aa rd | 1 0 0" "$(summary "$out")"
	expect_match "kdig +tcp: answered over TCP" "^;; From 127\.0\.0\.1@$PORT\(TCP\)" "$out"
	out=$(kd +ignore wide.svc.mesh.local SRV)
	expect_eq "kdig +ignore, 20 SRV without EDNS: TC" "NOERROR | qr aa tc rd | 0 0 0" "$(summary "$out")"
	out=$(kd wide.svc.mesh.local SRV)
	expect_match "kdig retries over TCP on TC" "truncated reply .*retrying over TCP" "$out"
	expect_eq "kdig: the TCP retry has all 20 SRV" "NOERROR | qr aa rd | 20 0 1" "$(summary "$out")"
	out=$(kd +edns +ignore wide.svc.mesh.local SRV)
	expect_eq "kdig +edns: 20 SRV fit in 1232" "NOERROR | qr aa rd | 20 0 2" "$(summary "$out")"
	expect_match "kdig +edns: our UDP size" "^;; Version: 0; flags: ; UDP size: 1232 B; ext-rcode: NOERROR$" "$out"
	out=$(kd +bufsize=600 +ignore wide.svc.mesh.local SRV)
	expect_eq "kdig +bufsize=600: TC" "NOERROR | qr aa tc rd | 0 0 1" "$(summary "$out")"
	out=$(kd +edns=1 redis.mesh A)
	expect_eq "kdig +edns=1: BADVERS" "BADVERS | qr rd | 0 0 1" "$(summary "$out")"
	expect_match "kdig +edns=1: our OPT is version 0" "^;; Version: 0; flags: ; UDP size: 1232 B; ext-rcode: BADVERS$" "$out"
	expect_eq "kdig: version.bind" "\"meshdns $version\"" "$(kd +short -c CH version.bind TXT)"
	out=$(kd -x 241.0.0.99)
	expect_eq "kdig -x of an unknown VIP: NXDOMAIN" "NXDOMAIN | qr aa rd | 0 1 0" "$(summary "$out")"
fi

stop_meshdns

# ====================================================================
# Instance 2: aaaa mapped, CHAOS names set, no reverse zones, at most 3
# TCP connections (idle timeout 10 s, the default), one worker (which
# connection is oldest is then well defined).
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

# Connection limit: open five, the two oldest are closed; a new query
# closes the next oldest and is answered; the others still answer.
before=$(stats)
for fd in 3 4 5 6 7; do
	eval "exec $fd<>/dev/tcp/127.0.0.1/$PORT"
	sleep 0.05
done
sleep 0.1
expect_eq "limit 3, 5 open: the two oldest are closed, the rest open" \
	"closed closed open open open" \
	"$(closed 3 1) $(closed 4 1) $(closed 5 0.1) $(closed 6 0.1) $(closed 7 0.1)"
expect_eq "a new connection at the limit is answered" "241.0.0.5" "$(dig_short +tcp redis.mesh)"
expect_eq "... and the oldest open one made room" "closed open open" \
	"$(closed 5 1) $(closed 6 0.1) $(closed 7 0.1)"
tcp_send 7 "$qf"
expect_eq "the newest of the five still answers" "$a" "$(tcp_recv 7 46)"
after=$(stats)
expect_eq "stats: 3 connections closed for room" \
	"$(( $(counter "$before" room) + 3 ))" "$(counter "$after" room)"
exec 3<&- 4<&- 5<&- 6<&- 7<&-

# Partial writes: a client pipelines 8192 queries for the 40 SRV (13.5 MB
# of answers, more than the socket buffers hold) and does not read.  The
# one worker's loop must not block on it: dig over UDP and TCP is
# answered meanwhile, and then every answer arrives, whole.
h="000a01000001000000000000$(wire wider.svc.mesh.local)00210001"
printf "$(printf '%04x%s' $((${#h} / 2)) "$h" | sed 's/../\\x&/g')" >"$WORK/q.bin"
for i in 1 2 3 4 5 6 7 8 9 10 11 12 13; do
	cat "$WORK/q.bin" "$WORK/q.bin" >"$WORK/q2.bin"
	mv "$WORK/q2.bin" "$WORK/q.bin"
done
expect_eq "8192 framed queries written" "$((8192 * 40))" "$(wc -c <"$WORK/q.bin")"
exec 3<>/dev/tcp/127.0.0.1/"$PORT"
cat "$WORK/q.bin" >&3 &
writer=$!
sleep 0.5
expect_eq "a client not reading its answers: UDP still answered" "241.0.0.5" "$(dig_short redis.mesh)"
expect_eq "a client not reading its answers: TCP still answered" "241.0.0.5" "$(dig_short +tcp redis.mesh)"
expect_eq "then all 8192 answers arrive (1656 bytes each, framed)" "$((8192 * 1656))" \
	"$(timeout 10 head -c $((8192 * 1656)) <&3 | wc -c)"
wait "$writer"
exec 3<&-

expect_eq "aaaa mapped: ::ffff: and the IPv4 VIP" "::ffff:241.0.0.5" "$(dig_short redis.svc.mesh.local AAAA)"
expect_eq "aaaa mapped: the A is unchanged" "241.0.0.5" "$(dig_short redis.svc.mesh.local A)"
expect_eq "aaaa mapped: SRV additional has A and AAAA" \
	"redis.mesh. 30 IN A 241.0.0.5
redis.mesh. 30 IN AAAA ::ffff:241.0.0.5" "$(rrs +additional +noedns redis.mesh SRV)"
expect_eq "aaaa mapped: ANY is still one RRset (the A)" "241.0.0.5" "$(dig_short redis.mesh ANY)"
out=$(dig_q +noedns +ignore wide.svc.mesh.local SRV)
expect_eq "aaaa mapped: TC unchanged" "NOERROR | qr aa tc rd | 0 0 0" "$(summary "$out")"
out=$(dig_q +bufsize=871 +ignore +nocookie wide.svc.mesh.local SRV)
expect_eq "additional A and AAAA are separate RRsets: A fits alone (871 bytes)" \
	"NOERROR | qr aa rd | 20 0 2" "$(summary "$out")"
out=$(dig_q +bufsize=872 +ignore +nocookie wide.svc.mesh.local SRV)
expect_eq "... and with 872 the AAAA too" "NOERROR | qr aa rd | 20 0 3" "$(summary "$out")"

expect_eq "CHAOS version.bind set" "version.bind. 0 CH TXT \"custom build 7\"" "$(rrs +answer version.bind CH TXT)"
expect_eq "CHAOS id.server set" "id.server. 0 CH TXT \"ns1.example\"" "$(rrs +answer id.server CH TXT)"
expect_eq "CHAOS hostname.bind set" "hostname.bind. 0 CH TXT \"host-a\"" "$(rrs +answer hostname.bind CH TXT)"
out=$(dig_q hostname.bind CH TXT)
expect_eq "CHAOS hostname.bind: authoritative" "NOERROR | qr aa rd | 1 0 1" "$(summary "$out")"
out=$(dig_q authors.bind CH TXT)
expect_eq "CHAOS other names still REFUSED" "REFUSED | qr rd | 0 0 1" "$(summary "$out")"

out=$(dig_q -x 241.0.0.5)
expect_eq "dns.ptr false: no reverse zone, REFUSED" "REFUSED | qr rd | 0 0 1" "$(summary "$out")"
stop_meshdns

# ====================================================================
# Instance 3: aaaa pool (dual-stack VIPs from fd00:241::/64), no SRV,
# version.bind hidden, two workers sharing a limit of 3 TCP connections;
# on 127.0.0.1 and ::1.
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
expect_eq "aaaa pool: redis has an IPv6 VIP" "fd00:241::5" "$(dig_short redis.svc.mesh.local AAAA)"
expect_eq "aaaa pool: and keeps its IPv4 VIP" "241.0.0.5" "$(dig_short redis.svc.mesh.local A)"
expect_eq "aaaa pool: backend, first in order, gets ::1" "fd00:241::1" "$(dig_short backend.mesh AAAA)"
expect_eq "aaaa pool: the same over IPv6" "fd00:241::5" \
	"$(dig @::1 -p "$PORT" +time=2 +tries=1 +short redis.mesh AAAA)"
expect_eq "aaaa pool: the AAAA record" "redis.mesh. 30 IN AAAA fd00:241::5" "$(rrs +answer redis.mesh AAAA)"
expect_eq "IPv6 PTR of the VIP: the first hostname" \
	"5.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.1.4.2.0.0.0.d.f.ip6.arpa. 30 IN PTR redis.svc.mesh.local." \
	"$(rrs +answer -x fd00:241::5)"
expect_eq "IPv4 PTR still served" "redis.svc.mesh.local." "$(dig_short -x 241.0.0.5)"
out=$(dig_q -x fd00:241::99)
expect_eq "IPv6 PTR of an unknown address in the pool: NXDOMAIN" "NXDOMAIN | qr aa rd | 0 1 1" "$(summary "$out")"
expect_eq "... with the SOA of the pool's ip6.arpa zone" \
	"0.0.0.0.0.0.0.0.1.4.2.0.0.0.d.f.ip6.arpa. 30 IN SOA localhost. nobody.invalid. S 3600 600 86400 30" \
	"$(rrs +authority -x fd00:241::99)"
out=$(dig_q -x fd00:242::1)
expect_eq "IPv6 PTR outside every pool: REFUSED" "REFUSED | qr rd | 0 0 1" "$(summary "$out")"
out=$(dig_q redis.mesh ANY)
expect_eq "aaaa pool: ANY is one RRset (A), not A and AAAA" "NOERROR | qr aa rd | 1 0 1" "$(summary "$out")"
expect_eq "... the A" "redis.mesh. 30 IN A 241.0.0.5" "$(rrs +answer redis.mesh ANY)"
out=$(dig_q redis.mesh SRV)
expect_eq "dns.srv false: SRV at the hostname is NODATA" "NOERROR | qr aa rd | 0 1 1" "$(summary "$out")"
out=$(dig_q _some-port._tcp.redis.mesh SRV)
expect_eq "dns.srv false: _<port>._tcp is NXDOMAIN" "NXDOMAIN | qr aa rd | 0 1 1" "$(summary "$out")"
out=$(dig_q version.bind CH TXT)
expect_eq "version.bind hidden: REFUSED" "REFUSED | qr rd | 0 0 1" "$(summary "$out")"
# tcp.max-connections is the server's limit, whatever the number of
# workers: of six connections three stay open.
for fd in 3 4 5 6 7 8; do
	eval "exec $fd<>/dev/tcp/127.0.0.1/$PORT"
	sleep 0.05
done
sleep 0.2
open=0
for fd in 3 4 5 6 7 8; do
	[ "$(closed $fd 0.2)" = open ] && open=$((open + 1))
done
exec 3<&- 4<&- 5<&- 6<&- 7<&- 8<&-
expect_eq "workers: 2, max-connections: 3, six opened: three stay open" "3" "$open"
if [ "$have_kdig" = 1 ]; then
	expect_eq "kdig over IPv6: AAAA" "fd00:241::5" \
		"$(kdig @::1 -p "$PORT" +time=2 +retry=0 +short redis.svc.mesh.local AAAA)"
fi
if [ "$have_drill" = 1 ]; then
	out=$(drill -6 -p "$PORT" @::1 redis.svc.mesh.local AAAA 2>&1)
	expect_match "drill over IPv6: AAAA" "IN[[:space:]]+AAAA[[:space:]]+fd00:241::5$" "$out"
fi
stop_meshdns

# ====================================================================
# Instance 4: the wildcard search suffix contrib/meshdns.yaml documents,
# "*.svc.cluster.local": one label (a Kubernetes namespace) before it.
cat >"$WORK/four.yaml" <<'YAML'
dns:
  search-suffixes: ["*.svc.cluster.local", svc.cluster.local, cluster.local]
YAML
if start_meshdns -c "$WORK/four.yaml" -r "$WORK/zones/default" -s "$WORK/state4"; then
	pass "a wildcard search suffix is accepted"
	out=$(dig_q redis.mesh.some-namespace.svc.cluster.local A)
	expect_eq "redis.mesh.<namespace>.svc.cluster.local: NXDOMAIN here" \
		"NXDOMAIN | qr rd | 0 0 1" "$(summary "$out")"
	out=$(dig_q redis.svc.mesh.local.other.svc.cluster.local A)
	expect_eq "redis.svc.mesh.local.<namespace>.svc.cluster.local: NXDOMAIN here" \
		"NXDOMAIN | qr rd | 0 0 1" "$(summary "$out")"
	out=$(dig_q redis.mesh.a.b.svc.cluster.local A)
	expect_eq "two labels where the wildcard takes one: REFUSED" \
		"REFUSED | qr rd | 0 0 1" "$(summary "$out")"
	out=$(dig_q redis.mesh.svc.cluster.local A)
	expect_eq "the plain suffixes still work" "NXDOMAIN | qr rd | 0 0 1" "$(summary "$out")"
else
	fail "a wildcard search suffix (\"*.svc.cluster.local\", as in contrib/meshdns.yaml) is rejected: $(cat "$LOG")"
fi

finish
