#!/bin/bash
# answers.sh -- the example zone answered as a user sees it with dig.
. "${SRCDIR:?SRCDIR must name the source tree}/tests/system/lib.sh" || exit 1

copy_zones
ALSO_V6=1 start_meshdns -r "$WORK/zones/default" -s "$WORK/state" || {
	fail "meshdns did not start"
	finish
}

# A fresh state gives VIPs in Kuma's order (creation time, then name),
# starting at 241.0.0.1: backend, billing, frontend, postgres, redis.
expect_eq "redis.svc.mesh.local A" "241.0.0.5" "$(dig_short redis.svc.mesh.local A)"
expect_eq "redis.mesh A (second generator, same VIP)" "241.0.0.5" "$(dig_short redis.mesh A)"
expect_eq "backend.svc.mesh.local A" "241.0.0.1" "$(dig_short backend.svc.mesh.local)"
expect_eq "billing (Kubernetes shape) A" "241.0.0.2" "$(dig_short billing.svc.mesh.local)"
expect_eq "frontend.mesh A" "241.0.0.3" "$(dig_short frontend.mesh)"
expect_eq "postgres.svc.mesh.local A" "241.0.0.4" "$(dig_short postgres.svc.mesh.local)"

out=$(dig_q redis.svc.mesh.local A +norec)
expect_match "A answer is NOERROR" "status: NOERROR" "$out"
expect_match "A answer is authoritative" "flags: qr aa;" "$out"
expect_match "A answer TTL is 30" "^redis\.svc\.mesh\.local\.[[:space:]]+30[[:space:]]+IN[[:space:]]+A[[:space:]]+241\.0\.0\.5" "$out"

out=$(dig_q redis.svc.mesh.local A)
expect_match "RD is copied, RA is not set (no forwarding)" "flags: qr aa rd;" "$out"

# Unknown name inside a served zone: NXDOMAIN with the SOA.
out=$(dig_q nope.svc.mesh.local A)
expect_match "unknown name is NXDOMAIN" "status: NXDOMAIN" "$out"
expect_match "NXDOMAIN carries the SOA" "^mesh\.local\.[[:space:]]+30[[:space:]]+IN[[:space:]]+SOA[[:space:]]+localhost\. nobody\.invalid\. [0-9]+ 3600 600 1209600 30" "$out"
expect_match "NXDOMAIN is authoritative" "flags: qr aa" "$out"

# Known name, other type: NODATA with the SOA, never NXDOMAIN.
out=$(dig_q redis.svc.mesh.local AAAA)
expect_match "AAAA of an IPv4 service is NOERROR" "status: NOERROR" "$out"
expect_match "AAAA of an IPv4 service has no answer" "ANSWER: 0," "$out"
expect_match "NODATA carries the SOA" "^mesh\.local\.[[:space:]]+30[[:space:]]+IN[[:space:]]+SOA" "$out"
out=$(dig_q redis.svc.mesh.local TXT)
expect_match "TXT of a service is NODATA" "status: NOERROR.*" "$out"
expect_match "TXT of a service has no answer" "ANSWER: 0," "$out"

# Empty non-terminal: svc.mesh.local exists only as a parent.
out=$(dig_q svc.mesh.local A)
expect_match "empty non-terminal is NOERROR" "status: NOERROR" "$out"
expect_match "empty non-terminal has no answer" "ANSWER: 0, AUTHORITY: 1" "$out"

# Apex records.
expect_match "SOA at mesh.local" "^localhost\. nobody\.invalid\. [0-9]+ 3600 600 1209600 30$" "$(dig_short mesh.local SOA)"
expect_eq "NS at mesh.local" "localhost." "$(dig_short mesh.local NS)"
expect_eq "NS at mesh" "localhost." "$(dig_short mesh NS)"

# Case-insensitive lookup; the question keeps the query's case.
out=$(dig_q ReDiS.SvC.MeSh.LoCaL A)
expect_match "mixed-case query is answered" "241\.0\.0\.5" "$out"
expect_match "question keeps the query's case" "^;ReDiS\.SvC\.MeSh\.LoCaL\.[[:space:]]+IN[[:space:]]+A" "$out"

# TCP gives the same answers.
expect_eq "redis over TCP" "241.0.0.5" "$(dig_short +tcp redis.svc.mesh.local)"
out=$(dig_q +tcp nope.mesh A)
expect_match "NXDOMAIN over TCP" "status: NXDOMAIN" "$out"

# IPv6: the same answers on [::1], over UDP and TCP.
expect_eq "redis over IPv6 UDP" "241.0.0.5" "$(dig @::1 -p "$PORT" +time=2 +tries=1 +short redis.svc.mesh.local)"
expect_eq "redis over IPv6 TCP" "241.0.0.5" "$(dig @::1 -p "$PORT" +time=2 +tries=1 +short +tcp redis.svc.mesh.local)"

# Names outside the served zones: REFUSED (no forwarding configured).
out=$(dig_q example.com A)
expect_match "outside the zones is REFUSED" "status: REFUSED" "$out"
expect_no_match "REFUSED is not authoritative" "flags:.* aa" "$out"

# EDNS: our OPT comes back with our size.
out=$(dig_q +edns=0 +bufsize=4096 redis.mesh)
expect_match "EDNS answer has an OPT with our UDP size" "udp: 1232" "$out"
out=$(dig_q +edns=1 +noednsnegotiation redis.mesh)
expect_match "EDNS version 1 is BADVERS" "status: BADVERS" "$out"

# Garbage does not hurt: a short packet, a response, random bytes.
printf '\x12' >/dev/udp/127.0.0.1/"$PORT"
printf '\x12\x34\x81\x80\x00\x01\x00\x00\x00\x00\x00\x00\x00\x00\x01\x00\x01' >/dev/udp/127.0.0.1/"$PORT"
head -c 300 /dev/urandom >/dev/udp/127.0.0.1/"$PORT"
printf '\x00\x05garbage' >/dev/tcp/127.0.0.1/"$PORT" 2>/dev/null
expect_eq "still answers after garbage" "241.0.0.5" "$(dig_short redis.svc.mesh.local)"

# Malformed queries, sent by hand (dig cannot): FORMERR, or dropped.
DNSRAW="$BUILDDIR/tests/system/dnsraw"
hdr2q=424201000002000000000000
q1=057265646973046d657368000001 # redis.mesh A IN
expect_match "QDCOUNT 2 is FORMERR" "^rcode=1 qr=1 .*id=4242" "$("$DNSRAW" "$PORT" "${hdr2q}${q1}0001${q1}0001")"
expect_match "QDCOUNT 0 is FORMERR" "^rcode=1 qr=1" "$("$DNSRAW" "$PORT" 424201000000000000000000)"
expect_match "a name running past the packet is FORMERR" "^rcode=1 qr=1" "$("$DNSRAW" "$PORT" 4242010000010000000000000972656469)"
expect_match "a compression pointer in the question is FORMERR" "^rcode=1 qr=1" "$("$DNSRAW" "$PORT" 424201000001000000000000c00c00010001)"
expect_eq "a response (QR=1) is dropped" "timeout" "$("$DNSRAW" "$PORT" 424281800001000000000000${q1}0001)"
expect_eq "11 bytes are dropped" "timeout" "$("$DNSRAW" "$PORT" 4242010000010000000000)"
expect_match "opcode STATUS is NOTIMP" "^rcode=4 qr=1" "$("$DNSRAW" "$PORT" 424210000001000000000000${q1}0001)"
# TCP: three queries pipelined in one write are answered in order.
out=$("$DNSRAW" -t "$PORT" "000101000001000000000000${q1}0001" \
	"000201000001000000000000046e6f7065046d6573680000010001" \
	"000301000001000000000000${q1}0001")
expect_eq "pipelined TCP queries answered in order" "rcode=0 qr=1 aa=1 tc=0 id=0001 len=44
rcode=3 qr=1 aa=1 tc=0 id=0002 len=86
rcode=0 qr=1 aa=1 tc=0 id=0003 len=44" "$out"
expect_match "class CHAOS is REFUSED" "^rcode=5 qr=1" "$("$DNSRAW" "$PORT" 424201000001000000000000${q1}0003)"

# A wildcard listener replies from the address each query was sent to
# (dig ignores a reply from another address, so a wrong one times out).
stop_meshdns
if LISTEN_HOST=0.0.0.0 start_meshdns -r "$WORK/zones/default" -s "$WORK/state"; then
	for a in 127.0.0.1 127.0.0.2 127.1.2.3; do
		expect_eq "wildcard listener, query to $a over UDP" "241.0.0.5" \
			"$(dig @"$a" -p "$PORT" +time=2 +tries=1 +short redis.mesh A)"
		expect_eq "wildcard listener, query to $a over TCP" "241.0.0.5" \
			"$(dig @"$a" -p "$PORT" +time=2 +tries=1 +tcp +short redis.mesh A)"
	done
else
	fail "meshdns did not start on 0.0.0.0"
fi

finish
