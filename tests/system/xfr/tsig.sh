#!/bin/bash
# xfr/tsig.sh -- TSIG (RFC 8945) with keys: dig -y and kdig -y transfer a
# zone signed, every message verified; a wrong secret gets BADSIG, an
# unknown key or algorithm BADKEY, both NOTAUTH; a transfer.allow entry
# with a key takes that key only; an ordinary signed query gets a signed
# answer.  The secret of the hmac-sha512 key comes from a file.
. "${SRCDIR:?SRCDIR must name the source tree}/tests/system/lib.sh" || exit 1
. "$SRCDIR/tests/system/xfr/common.sh" || exit 1

copy_zones
write_config
start_meshdns -c "$WORK/meshdns.yaml" -r "$WORK/zones/default" -s "$WORK/state" || {
	fail "meshdns did not start"
	finish
}
plain=$(axfr -b 127.0.0.1 mesh.local AXFR)

# ---- dig -y: every TSIG verified, or dig says "tsig verify failure"
out=$(dig_q -b 127.0.0.2 -y "$KEY" mesh.local AXFR 2>&1)
expect_match "dig -y: a transfer" "^;; XFR size: [0-9]+ records" "$(xfr_size "$out")"
expect_no_match "dig -y: every signature verified" "verify|tsig|Transfer failed" "$(printf '%s\n' "$out" | grep '^;')"
expect_match "dig -y: the answer is signed" "^xfr-key\.[[:space:]]+0[[:space:]]+ANY[[:space:]]+TSIG[[:space:]]+hmac-sha256\. [0-9]+ 300 32 [^ ]+ [0-9]+ NOERROR 0" "$out"
expect_eq "dig -y: the same zone as unsigned" "$plain" "$(axfr -b 127.0.0.2 -y "$KEY" mesh.local AXFR)"
out=$(dig_q -b 127.0.0.4 -y "$KEY512" 241.in-addr.arpa AXFR 2>&1)
expect_match "dig -y hmac-sha512 (secret-file): a transfer of a reverse zone" "^;; XFR size: [0-9]+ records" "$(xfr_size "$out")"
expect_no_match "dig -y hmac-sha512: verified" "verify|Transfer failed" "$(printf '%s\n' "$out" | grep '^;')"

# ---- kdig -y
out=$(kdig @127.0.0.1 -p "$PORT" -b 127.0.0.2 +time=2 +retry=0 -y "$KEY" mesh.local AXFR 2>&1)
expect_match "kdig -y: a transfer" "^;; Received [0-9]+ B \(1 messages, [0-9]+ records\)" "$out"
expect_no_match "kdig -y: no warning" "WARNING|;; ERROR" "$out"

# ---- wrong: the secret, the key, the algorithm
out=$(dig_q -b 127.0.0.2 -y "$WRONG" mesh.local AXFR 2>&1)
expect_match "dig -y with a wrong secret: BADSIG" "TSIG[[:space:]]+hmac-sha256\. [0-9]+ 300 0 [0-9]+ BADSIG 0" "$out"
expect_match "dig -y with a wrong secret: the transfer fails" "^; Transfer failed\.$" "$out"
expect_match "kdig -y with a wrong secret: NOTAUTH" "server replied with error 'NOTAUTH'|BADSIG" \
	"$(kdig @127.0.0.1 -p "$PORT" -b 127.0.0.2 +time=2 +retry=0 -y "$WRONG" mesh.local AXFR 2>&1)"
out=$(dig_q -b 127.0.0.2 -y "hmac-sha256:other-key:$SECRET" mesh.local AXFR 2>&1)
expect_match "an unknown key: BADKEY" "TSIG[[:space:]]+hmac-sha256\. [0-9]+ 300 0 [0-9]+ BADKEY 0" "$out"
out=$(dig_q -b 127.0.0.2 -y "hmac-sha1:xfr-key:$SECRET" mesh.local AXFR 2>&1)
expect_match "the key's name with another algorithm (ldns would take it): BADKEY" \
	"TSIG[[:space:]]+hmac-sha1\. [0-9]+ 300 0 [0-9]+ BADKEY 0" "$out"
out=$(dig_q -b 127.0.0.2 -y "$KEY512" mesh.local AXFR 2>&1)
expect_match "127.0.0.2 signed with another configured key: the transfer fails" "^; Transfer failed\.$" "$out"
expect_match "kdig: that is NOTAUTH" "server replied with error 'NOTAUTH'" \
	"$(kdig @127.0.0.1 -p "$PORT" -b 127.0.0.2 +time=2 +retry=0 -y "$KEY512" mesh.local AXFR 2>&1)"
expect_match "127.0.0.3 signed: still not in transfer.allow" "server replied with error 'REFUSED'" \
	"$(kdig @127.0.0.1 -p "$PORT" -b 127.0.0.3 +time=2 +retry=0 -y "$KEY" mesh.local AXFR 2>&1)"

# ---- an ordinary query, signed: a signed answer
out=$(dig_q -y "$KEY" redis.svc.mesh.local A 2>&1)
expect_match "dig -y, a query: answered" "^redis\.svc\.mesh\.local\..*IN[[:space:]]+A[[:space:]]+241\.0\.0\.5$" "$out"
expect_match "dig -y, a query: signed" "^xfr-key\.[[:space:]]+0[[:space:]]+ANY[[:space:]]+TSIG[[:space:]]+hmac-sha256\. [0-9]+ 300 32 " "$out"
expect_no_match "dig -y, a query: verified" "Couldn't verify" "$out"
out=$(kdig @127.0.0.1 -p "$PORT" +time=2 +retry=0 -y "$KEY" redis.svc.mesh.local A 2>&1)
expect_no_match "kdig -y, a query: verified" "WARNING" "$out"
expect_match "kdig -y, a query: NOERROR" "status: NOERROR" "$out"
out=$(dig_q -y "$WRONG" redis.svc.mesh.local A 2>&1)
expect_match "dig -y, a query with a wrong secret: NOTAUTH" "status: NOTAUTH," "$out"
expect_no_match "dig -y, a query with a wrong secret: no address" "IN[[:space:]]+A[[:space:]]+241" "$out"

# ---- keys apply at start only: a reload warns and keeps them
sed -i "s|secret: $SECRET|secret: d3JvbmdzZWNyZXR3cm9uZ3NlY3JldA==|" "$WORK/meshdns.yaml"
kill -HUP "$PID"
wait_log "settings that apply at start only" || fail "no start-only warning"
expect_match "a changed key: the reload says it applies at restart" \
	"warning: reload, settings that apply at start only differ from those in effect: keys, transfer \(in effect: those at start\); restart meshdns to apply them$" \
	"$(cat "$LOG")"
expect_match "the key in effect still transfers" "^;; XFR size: " \
	"$(xfr_size "$(dig_q -b 127.0.0.2 -y "$KEY" mesh.local AXFR 2>&1)")"
finish
