#!/bin/bash
# protocol/opcodes.sh -- opcodes and header bits: NOTIMP, FORMERR for
# bad question counts, responses dropped, AXFR, RD, CD and AD; other
# opcodes get no flag but QR (genreport's opcodeflg).
. "${SRCDIR:?SRCDIR must name the source tree}/tests/system/lib.sh" || exit 1
. "$SRCDIR/tests/system/protocol/common.sh" || exit 1

start_defaults

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
# Issue 10: CD cleared in authoritative answers, as Knot and NSD.
out=$(dig_q +cd +adflag redis.mesh A)
expect_eq "CD cleared (RFC 4035 3.1.6), AD never set" "NOERROR | qr aa rd | 1 0 1" "$(summary "$out")"
out=$(dig_q +cd nope.mesh A)
expect_eq "CD cleared in NXDOMAIN" "NXDOMAIN | qr aa rd | 0 1 1" "$(summary "$out")"
out=$(dig_q +opcode=15 +rec +cd +adflag redis.mesh A)
expect_eq "opcode 15 with RD, CD, AD: NOTIMP, none of them echoed" "NOTIMP | qr | 0 0 1" "$(summary "$out")"
out=$(dig_q +opcode=notify +rec +cd +adflag redis.mesh SOA)
expect_eq "NOTIFY with RD, CD, AD: NOTIMP, none of them echoed" "NOTIMP | qr | 0 0 1" "$(summary "$out")"

finish
