#!/bin/bash
# protocol/ede.sh -- Extended DNS Errors (RFC 8914) as dig shows them: a
# name outside the served zones without forwarding is REFUSED with EDE 20
# (Not Authoritative) when the query has EDNS, and without an OPT
# nothing; answers from the zones carry none.  (Forwarding failures, EDE
# 22 and 23: tests/system/forward.sh.)
. "${SRCDIR:?SRCDIR must name the source tree}/tests/system/lib.sh" || exit 1
. "$SRCDIR/tests/system/protocol/common.sh" || exit 1

need_tools
start_defaults

out=$(dig_q www.example.com A)
expect_eq "outside the zones: REFUSED" "REFUSED | qr rd | 0 0 1" "$(summary "$out")"
expect_match "outside the zones: EDE 20" "^; EDE: 20 \(Not Authoritative\)$" "$out"
out=$(dig_q +tcp www.example.com A)
expect_match "over TCP too" "^; EDE: 20 \(Not Authoritative\)$" "$out"
out=$(dig_q +noedns www.example.com A)
expect_eq "no EDNS: REFUSED, no OPT" "REFUSED | qr rd | 0 0 0" "$(summary "$out")"
expect_no_match "no EDNS: no EDE" "EDE" "$out"
out=$(dig_q redis.svc.mesh.local A)
expect_no_match "an answer: no EDE" "EDE" "$out"
out=$(dig_q nope.svc.mesh.local A)
expect_no_match "NXDOMAIN: no EDE" "EDE" "$out"
if [ "$have_kdig" = 1 ]; then
	out=$(kdig @127.0.0.1 -p "$PORT" +time=2 +retry=0 +edns www.example.com A 2>&1)
	expect_match "kdig: EDE 20" "EDE: 20 \(Not Authoritative\)" "$out"
fi

finish
