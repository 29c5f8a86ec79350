#!/bin/bash
# protocol/chaos.sh -- CHAOS TXT: version.bind by default, id.server and
# hostname.bind when set, version.bind hidden, REFUSED for the rest.
. "${SRCDIR:?SRCDIR must name the source tree}/tests/system/lib.sh" || exit 1
. "$SRCDIR/tests/system/protocol/common.sh" || exit 1

start_defaults

# ---- CHAOS, defaults
expect_eq "version.bind: \"meshdns $version\"" \
	"version.bind. 0 CH TXT \"meshdns $version\"" "$(rrs +answer version.bind CH TXT)"
out=$(dig_q version.bind CH TXT)
expect_eq "version.bind is authoritative" "NOERROR | qr aa rd | 1 0 1" "$(summary "$out")"
expect_eq "version.server: the same" "\"meshdns $version\"" "$(dig_short version.server CH TXT)"
expect_eq "VERSION.BIND (case-insensitive)" "\"meshdns $version\"" "$(dig_short VERSION.BIND CH TXT)"
for n in id.server hostname.bind authors.bind version.bind.mesh; do
	out=$(dig_q "$n" CH TXT)
	expect_eq "CHAOS $n: REFUSED" "REFUSED | qr rd | 0 0 1" "$(summary "$out")"
done
out=$(dig_q version.bind CH A)
expect_eq "CHAOS version.bind A: REFUSED" "REFUSED | qr rd | 0 0 1" "$(summary "$out")"
out=$(dig_q redis.mesh HS A)
expect_eq "class HESIOD: REFUSED" "REFUSED | qr rd | 0 0 1" "$(summary "$out")"
stop_meshdns

start_mapped
expect_eq "CHAOS version.bind set" "version.bind. 0 CH TXT \"custom build 7\"" "$(rrs +answer version.bind CH TXT)"
expect_eq "CHAOS id.server set" "id.server. 0 CH TXT \"ns1.example\"" "$(rrs +answer id.server CH TXT)"
expect_eq "CHAOS hostname.bind set" "hostname.bind. 0 CH TXT \"host-a\"" "$(rrs +answer hostname.bind CH TXT)"
out=$(dig_q hostname.bind CH TXT)
expect_eq "CHAOS hostname.bind: authoritative" "NOERROR | qr aa rd | 1 0 1" "$(summary "$out")"
out=$(dig_q authors.bind CH TXT)
expect_eq "CHAOS other names still REFUSED" "REFUSED | qr rd | 0 0 1" "$(summary "$out")"
stop_meshdns

start_pool
out=$(dig_q version.bind CH TXT)
expect_eq "version.bind hidden: REFUSED" "REFUSED | qr rd | 0 0 1" "$(summary "$out")"

finish
