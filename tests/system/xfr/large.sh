#!/bin/bash
# xfr/large.sh -- a zone larger than one message (64 KiB): the AXFR comes
# in several messages, SOA only first and last, every message signed and
# verified by dig -y; a client that does not read its transfer does not
# hold up the others (one worker).
. "${SRCDIR:?SRCDIR must name the source tree}/tests/system/lib.sh" || exit 1
. "$SRCDIR/tests/system/xfr/common.sh" || exit 1

n=500
mkdir -p "$WORK/zones"
cp "$SRCDIR/zones/default/mesh.yaml" "$WORK/zones/"
# One process writes every file (a fork each is slow on a busy machine).
awk -v n=$n -v dir="$WORK/zones" 'BEGIN {
	for (i = 1; i <= n; i++) {
		f = dir "/svc-" i ".yaml"
		printf "type: MeshService\nname: service-number-%d\nmesh: default\n", i >f
		printf "spec:\n  selector:\n    dataplaneTags:\n      app: s%d\n", i >f
		printf "  ports:\n  - port: 8080\n    targetPort: 8080\n", i >f
		printf "    appProtocol: http\n" >f
		close(f)
	}
}'
write_config "workers: 1"
start_meshdns -c "$WORK/meshdns.yaml" -r "$WORK/zones" -s "$WORK/state" || {
	fail "meshdns did not start"
	finish
}

out=$(dig_q -b 127.0.0.2 -y "$KEY" mesh.local AXFR 2>&1)
size=$(xfr_size "$out")
expect_match "AXFR of $n services: several messages" "^;; XFR size: [0-9]+ records \(messages ([2-9]|[1-9][0-9]+), bytes [0-9]+\)$" "$size"
bytes=$(printf '%s\n' "$size" | sed 's/.*bytes \([0-9]*\)).*/\1/')
[ "${bytes:-0}" -gt 65536 ] && pass "AXFR: more than 64 KiB ($bytes bytes)" ||
	fail "AXFR: more than 64 KiB expected, got $size"
expect_no_match "dig -y: every message's TSIG verified" "verify|Transfer failed" "$(printf '%s\n' "$out" | grep '^;')"
rrs=$(printf '%s\n' "$out" | grep -v '^;' | grep -v '^$' | tr -s ' \t' ' ' | awk '$4 != "TSIG"')
expect_eq "AXFR: two SOAs, first and last" "1 $(printf '%s\n' "$rrs" | wc -l)" \
	"$(printf '%s\n' "$rrs" | awk '$4 == "SOA" { printf "%s%d", s, NR; s = " " }')"
expect_eq "AXFR: every service's address" "$n" \
	"$(printf '%s\n' "$rrs" | awk '$4 == "A" && $1 ~ /^service-number-[0-9]+\.svc\.mesh\.local\.$/' | sort -u | wc -l)"
expect_eq "AXFR: each RR once" "" "$(printf '%s\n' "$rrs" | sed 1d | sort | uniq -d)"
expect_match "every message carries the query's ID" "^(an=[0-9]+ rcode=0 qr=1 aa=1 tc=0 id=4242 len=[0-9]+\n?)+$" \
	"$("$DNSRAW" -T "$PORT" "$(hex_query 4242 mesh.local 00fc)")"
expect_match "messages of up to 64 KiB, full ones above 60000 bytes" "len=(6[0-5][0-9]{3})$" \
	"$("$DNSRAW" -T "$PORT" "$(hex_query 4242 mesh.local 00fc)" | head -1)"

# A client that asks for the zone and reads nothing: its transfer waits
# for it, the only worker goes on answering.
exec 3<>"/dev/tcp/127.0.0.1/$PORT"
q=$(hex_query 5151 mesh.local 00fc)
printf "$(printf '%04x%s' $((${#q} / 2)) "$q" | sed 's/../\\x&/g')" >&3
sleep 0.5
expect_eq "a query while a transfer waits for its reader" "241.0.0.1" \
	"$(dig_short service-number-1.svc.mesh.local)"
expect_match "another transfer meanwhile" "^;; XFR size: " "$(xfr_size "$(dig_q mesh.local AXFR)")"
exec 3>&-
finish
