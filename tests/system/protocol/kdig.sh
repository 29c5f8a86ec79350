#!/bin/bash
# protocol/kdig.sh -- what kdig (Knot) sees: A, NXDOMAIN, NODATA, TCP,
# TC and the retry, EDNS sizes, BADVERS, version.bind, PTR.
. "${SRCDIR:?SRCDIR must name the source tree}/tests/system/lib.sh" || exit 1
. "$SRCDIR/tests/system/protocol/common.sh" || exit 1

need_tools
start_defaults

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

finish
