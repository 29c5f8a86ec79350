#!/bin/bash
# protocol/edns.sh -- EDNS(0): our OPT and its size, DO, BADVERS, unknown
# options and NSID ignored; FORMERR for a broken OPT, sent raw.
. "${SRCDIR:?SRCDIR must name the source tree}/tests/system/lib.sh" || exit 1
. "$SRCDIR/tests/system/protocol/common.sh" || exit 1

start_defaults

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
# Issue 10 (RFC 6891 6.1.1): an OPT in the answer or authority section is
# FORMERR, as Knot, NSD and BIND answer; FORMERR for a question count
# other than 1 keeps the query's OPT (12 + 11 bytes).
expect_eq "an OPT in the answer section: FORMERR" "rcode=1 qr=1 aa=0 tc=0 id=4242 len=28" \
	"$("$DNSRAW" "$PORT" "424201000001000100000000${q_redis_mesh}${opt}")"
expect_eq "an OPT in the authority section: FORMERR" "rcode=1 qr=1 aa=0 tc=0 id=4242 len=28" \
	"$("$DNSRAW" "$PORT" "424201000001000000010000${q_redis_mesh}${opt}")"
expect_eq "QDCOUNT 0 with an OPT: FORMERR with our OPT" "rcode=1 qr=1 aa=0 tc=0 id=4242 len=23" \
	"$("$DNSRAW" "$PORT" "424201000000000000000001${opt}")"
expect_eq "QDCOUNT 2 with an OPT: FORMERR with our OPT" "rcode=1 qr=1 aa=0 tc=0 id=4242 len=23" \
	"$("$DNSRAW" "$PORT" "424201000002000000000001${q_redis_mesh}${q_redis_mesh}${opt}")"
out=$(dig_q +header-only +noedns redis.mesh A)
expect_eq "dig +header-only (QDCOUNT 0) without EDNS: FORMERR, no OPT" "FORMERR | qr rd | 0 0 0" "$(summary "$out")"
out=$(dig_q +header-only redis.mesh A)
expect_eq "dig +header-only (QDCOUNT 0) with EDNS: FORMERR, our OPT" "FORMERR | qr rd | 0 0 1" "$(summary "$out")"
expect_eq "... which dig shows" "; EDNS: version: 0, flags:; udp: 1232" "$(edns_line "$out")"

finish
