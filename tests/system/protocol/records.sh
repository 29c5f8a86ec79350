#!/bin/bash
# protocol/records.sh -- the record types: AAAA of an IPv4 service
# (dns.aaaa: nodata), SRV and dns.srv: false, PTR and dns.ptr: false,
# ANY.
. "${SRCDIR:?SRCDIR must name the source tree}/tests/system/lib.sh" || exit 1
. "$SRCDIR/tests/system/protocol/common.sh" || exit 1

start_defaults

# ---- AAAA policy nodata (the default), SRV, PTR, ANY
out=$(dig_q redis.svc.mesh.local AAAA)
expect_eq "aaaa nodata: AAAA of an IPv4 service is NODATA" "NOERROR | qr aa rd | 0 1 1" "$(summary "$out")"
expect_eq "aaaa nodata: the SOA in the authority section" \
	"mesh.local. 30 IN SOA localhost. nobody.invalid. S 3600 600 1209600 30" \
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
	"241.in-addr.arpa. 30 IN SOA localhost. nobody.invalid. S 3600 600 1209600 30" \
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
	"mesh.local. 30 IN SOA localhost. nobody.invalid. S 3600 600 1209600 30" "$(rrs +answer mesh.local ANY)"
expect_eq "ANY at a reverse name: the PTR" \
	"6.0.0.241.in-addr.arpa. 30 IN PTR wide.svc.mesh.local." "$(rrs +answer -x 241.0.0.6 ANY)"
out=$(dig_q nope.mesh ANY)
expect_eq "ANY of an unknown name: NXDOMAIN" "NXDOMAIN | qr aa rd | 0 1 1" "$(summary "$out")"
stop_meshdns

start_mapped
out=$(dig_q -x 241.0.0.5)
expect_eq "dns.ptr false: no reverse zone, REFUSED" "REFUSED | qr rd | 0 0 1" "$(summary "$out")"
stop_meshdns

start_pool
out=$(dig_q redis.mesh SRV)
expect_eq "dns.srv false: SRV at the hostname is NODATA" "NOERROR | qr aa rd | 0 1 1" "$(summary "$out")"
out=$(dig_q _some-port._tcp.redis.mesh SRV)
expect_eq "dns.srv false: _<port>._tcp is NXDOMAIN" "NXDOMAIN | qr aa rd | 0 1 1" "$(summary "$out")"

finish
