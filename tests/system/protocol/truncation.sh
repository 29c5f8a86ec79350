#!/bin/bash
# protocol/truncation.sh -- whole RRsets or nothing: TC, the client's
# EDNS size up to our 1232 bytes, and the full answer over TCP, on
# 127.0.0.1 and ::1.
. "${SRCDIR:?SRCDIR must name the source tree}/tests/system/lib.sh" || exit 1
. "$SRCDIR/tests/system/protocol/common.sh" || exit 1

start_defaults

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

finish
