#!/bin/bash
# protocol/drill.sh -- what drill (ldns) sees: A, NXDOMAIN, NODATA, TC
# and TCP, EDNS sizes, 0x20, PTR.
. "${SRCDIR:?SRCDIR must name the source tree}/tests/system/lib.sh" || exit 1
. "$SRCDIR/tests/system/protocol/common.sh" || exit 1

need_tools
start_defaults

# ---- drill
if [ "$have_drill" = 1 ]; then
	dr() { drill -p "$PORT" @127.0.0.1 "$@" 2>&1; }
	out=$(dr redis.svc.mesh.local A)
	expect_eq "drill: A" "NOERROR | qr aa rd | 1 0 0" "$(summary "$out")"
	expect_match "drill: the A record" "^redis\.svc\.mesh\.local\.[[:space:]]+30[[:space:]]+IN[[:space:]]+A[[:space:]]+241\.0\.0\.5$" "$out"
	out=$(dr nope.svc.mesh.local A)
	expect_eq "drill: NXDOMAIN with the SOA" "NXDOMAIN | qr aa rd | 0 1 0" "$(summary "$out")"
	expect_match "drill: the SOA" "^mesh\.local\.[[:space:]]+30[[:space:]]+IN[[:space:]]+SOA[[:space:]]+localhost\. nobody\.invalid\. [0-9]+ 3600 600 1209600 30$" "$out"
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

finish
