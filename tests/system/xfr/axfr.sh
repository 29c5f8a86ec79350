#!/bin/bash
# xfr/axfr.sh -- AXFR (RFC 5936) of every served zone, reverse zones too,
# to the addresses transfer.allow names: SOA first and last, the names a
# client without a view sees; refused to the others, and to everyone
# without transfer.allow; NOTIMP over UDP; queries before and after a
# transfer on one TCP connection answered in order, each with its ID.
. "${SRCDIR:?SRCDIR must name the source tree}/tests/system/lib.sh" || exit 1
. "$SRCDIR/tests/system/xfr/common.sh" || exit 1

copy_zones
write_config
start_meshdns -c "$WORK/meshdns.yaml" -r "$WORK/zones/default" -s "$WORK/state" || {
	fail "meshdns did not start"
	finish
}

# ---- the zone, from an allowed address
out=$(dig_q mesh.local AXFR)
rrs=$(axfr mesh.local AXFR)
expect_match "AXFR: a transfer" "^;; XFR size: [0-9]+ records \(messages 1, " "$(xfr_size "$out")"
expect_match "AXFR: the SOA first" "^mesh\.local\. 30 IN SOA localhost\. nobody\.invalid\. [0-9]+ 3600 600 1209600 30$" "$(printf '%s\n' "$rrs" | head -1)"
expect_eq "AXFR: the same SOA last" "$(printf '%s\n' "$rrs" | head -1)" "$(printf '%s\n' "$rrs" | tail -1)"
expect_eq "AXFR: one SOA at each end, no other" 2 "$(printf '%s\n' "$rrs" | awk '$4 == "SOA"' | wc -l)"
expect_eq "AXFR: the NS right after the SOA (not AXFR-style IXFR)" "mesh.local. 30 IN NS localhost." "$(printf '%s\n' "$rrs" | sed -n 2p)"
expect_match "AXFR: redis's address" "^redis\.svc\.mesh\.local\. 30 IN A 241\.0\.0\.5$" "$rrs"
expect_match "AXFR: redis's SRV" "^_6739\._tcp\.redis\.svc\.mesh\.local\. 30 IN SRV 0 0 6739 redis\.svc\.mesh\.local\.$" "$rrs"
# Every name's records are the ones a query gets.
expect_eq "AXFR: what a query for redis A gets" \
	"$(dig_short redis.svc.mesh.local A)" \
	"$(printf '%s\n' "$rrs" | awk '$1 == "redis.svc.mesh.local." && $4 == "A" { print $5 }')"
expect_eq "AXFR: each RR once" "" "$(printf '%s\n' "$rrs" | sed 1d | sort | uniq -d)"

rev=$(axfr 241.in-addr.arpa AXFR)
expect_match "AXFR of a reverse zone: its SOA" "^241\.in-addr\.arpa\. 30 IN SOA " "$(printf '%s\n' "$rev" | head -1)"
expect_match "AXFR of a reverse zone: redis's PTR" "^5\.0\.0\.241\.in-addr\.arpa\. 30 IN PTR redis\.svc\.mesh\.local\.$" "$rev"
expect_match "AXFR of the legacy zone" "^mesh\. 30 IN SOA " "$(axfr mesh AXFR | head -1)"

# ---- who may not
expect_match "AXFR from 127.0.0.3 (not in transfer.allow): refused" "server replied with error 'REFUSED'" \
	"$(kdig @127.0.0.1 -p "$PORT" -b 127.0.0.3 +time=2 +retry=0 mesh.local AXFR 2>&1)"
expect_match "dig AXFR from 127.0.0.3: the transfer fails" "^; Transfer failed\.$" "$(dig_q -b 127.0.0.3 mesh.local AXFR)"
expect_match "AXFR from 127.0.0.2 unsigned (its entry wants xfr-key): NOTAUTH" "server replied with error 'NOTAUTH'" \
	"$(kdig @127.0.0.1 -p "$PORT" -b 127.0.0.2 +time=2 +retry=0 mesh.local AXFR 2>&1)"
expect_match "AXFR of a name that is no zone apex: NOTAUTH" "server replied with error 'NOTAUTH'" \
	"$(kdig @127.0.0.1 -p "$PORT" +time=2 +retry=0 redis.svc.mesh.local AXFR 2>&1)"
expect_match "AXFR of a zone not served: NOTAUTH" "server replied with error 'NOTAUTH'" \
	"$(kdig @127.0.0.1 -p "$PORT" +time=2 +retry=0 example.com AXFR 2>&1)"

# ---- UDP: AXFR is not defined (NOTIMP, as Knot and NSD)
expect_match "AXFR over UDP: NOTIMP" "^rcode=4 qr=1 aa=0 tc=0 id=4242 " \
	"$("$DNSRAW" "$PORT" "$(hex_query 4242 mesh.local 00fc)")"

# ---- one TCP connection: a query, the transfer, a query
soa=$(hex_query 1111 mesh.local 0006)
ax=$(hex_query 2222 mesh.local 00fc)
a=$(hex_query 3333 redis.svc.mesh.local 0001)
expect_eq "SOA query, AXFR, A query on one connection: answered in order" \
	"an=1 rcode=0 qr=1 aa=1 tc=0 id=1111
an=$(($(printf '%s\n' "$rrs" | wc -l))) rcode=0 qr=1 aa=1 tc=0 id=2222
an=1 rcode=0 qr=1 aa=1 tc=0 id=3333" \
	"$("$DNSRAW" -T "$PORT" "$soa" "$ax" "$a" | sed 's/ len=[0-9]*$//')"
expect_eq "two transfers on one connection" \
	"id=2222
id=2222" \
	"$("$DNSRAW" -T "$PORT" "$ax" "$ax" | sed 's/.* \(id=[0-9]*\) .*/\1/')"
stop_meshdns

# ---- no transfer.allow: nobody may transfer
start_meshdns -r "$WORK/zones/default" || {
	fail "meshdns did not start"
	finish
}
expect_match "no transfer.allow: AXFR from 127.0.0.1 refused" "server replied with error 'REFUSED'" \
	"$(kdig @127.0.0.1 -p "$PORT" +time=2 +retry=0 mesh.local AXFR 2>&1)"
expect_eq "no transfer.allow: queries still answered" "241.0.0.5" "$(dig_short redis.svc.mesh.local)"
finish
