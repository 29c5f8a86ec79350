#!/bin/bash
# protocol/case.sh -- 0x20: answers keep the query's case, over UDP and
# TCP.
. "${SRCDIR:?SRCDIR must name the source tree}/tests/system/lib.sh" || exit 1
. "$SRCDIR/tests/system/protocol/common.sh" || exit 1

start_defaults

# ---- 0x20: the question keeps the query's case
out=$(dig_q ReDiS.SvC.MeSh.LoCaL A)
expect_match "dig: the question keeps the case" "^;ReDiS\.SvC\.MeSh\.LoCaL\.[[:space:]]+IN[[:space:]]+A$" "$out"
expect_eq "dig: the answer's owner is the question's name" \
	"ReDiS.SvC.MeSh.LoCaL. 30 IN A 241.0.0.5" "$(rrs +answer ReDiS.SvC.MeSh.LoCaL A)"
expect_eq "dig: NXDOMAIN's SOA owner is the apex as asked" \
	"MeSh.LoCaL. 30 IN SOA localhost. nobody.invalid. S 3600 600 1209600 30" \
	"$(rrs +authority NoPe.SvC.MeSh.LoCaL A)"
out=$(dig_q +tcp WiDe.MeSh SRV)
expect_match "dig +tcp: the question keeps the case" "^;WiDe\.MeSh\.[[:space:]]+IN[[:space:]]+SRV$" "$out"
expect_eq "dig +tcp: 20 SRV for the mixed-case name" "NOERROR | qr aa rd | 20 0 2" "$(summary "$out")"

finish
