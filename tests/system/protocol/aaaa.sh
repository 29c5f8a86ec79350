#!/bin/bash
# protocol/aaaa.sh -- dns.aaaa: mapped (::ffff: and the IPv4 VIP) and
# pool (dual-stack VIPs, IPv6 PTR), with dig, kdig and drill.
. "${SRCDIR:?SRCDIR must name the source tree}/tests/system/lib.sh" || exit 1
. "$SRCDIR/tests/system/protocol/common.sh" || exit 1

need_tools
start_mapped


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
stop_meshdns

start_pool
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
	"0.0.0.0.0.0.0.0.1.4.2.0.0.0.d.f.ip6.arpa. 30 IN SOA localhost. nobody.invalid. S 3600 600 1209600 30" \
	"$(rrs +authority -x fd00:241::99)"
out=$(dig_q -x fd00:242::1)
expect_eq "IPv6 PTR outside every pool: REFUSED" "REFUSED | qr rd | 0 0 1" "$(summary "$out")"
out=$(dig_q redis.mesh ANY)
expect_eq "aaaa pool: ANY is one RRset (A), not A and AAAA" "NOERROR | qr aa rd | 1 0 1" "$(summary "$out")"
expect_eq "... the A" "redis.mesh. 30 IN A 241.0.0.5" "$(rrs +answer redis.mesh ANY)"
if [ "$have_kdig" = 1 ]; then
	expect_eq "kdig over IPv6: AAAA" "fd00:241::5" \
		"$(kdig @::1 -p "$PORT" +time=2 +retry=0 +short redis.svc.mesh.local AAAA)"
fi
if [ "$have_drill" = 1 ]; then
	out=$(drill -6 -p "$PORT" @::1 redis.svc.mesh.local AAAA 2>&1)
	expect_match "drill over IPv6: AAAA" "IN[[:space:]]+AAAA[[:space:]]+fd00:241::5$" "$out"
fi

finish
