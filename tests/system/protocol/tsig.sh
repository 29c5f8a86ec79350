#!/bin/bash
# protocol/tsig.sh -- a query signed with TSIG (RFC 8945): meshdns knows
# no key, so dig -y and kdig -y get NOTAUTH with an unsigned TSIG whose
# error is BADKEY (5.2.1); a TSIG that is not the last record: FORMERR.
. "${SRCDIR:?SRCDIR must name the source tree}/tests/system/lib.sh" || exit 1
. "$SRCDIR/tests/system/protocol/common.sh" || exit 1

need_tools
start_defaults

key=hmac-sha256:meshdns-test:c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0
# ---- dig -y
out=$(dig_q -y "$key" redis.svc.mesh.local A 2>&1)
expect_match "dig -y, unknown key: NOTAUTH" "status: NOTAUTH," "$out"
expect_match "dig -y: the TSIG says why" ";; Couldn't verify signature: tsig indicates error" "$out"
expect_match "dig -y: our TSIG, same key and algorithm, MAC size 0, BADKEY" \
	"^meshdns-test\.[[:space:]]+0[[:space:]]+ANY[[:space:]]+TSIG[[:space:]]+hmac-sha256\. [0-9]+ 300 0 [0-9]+ BADKEY 0" "$out"
expect_eq "dig -y: OPT and TSIG, nothing answered" "NOTAUTH | qr rd | 0 0 2" "$(summary "$out")"
expect_no_match "dig -y: no address" "^redis\.svc\.mesh\.local\..*IN[[:space:]]+A" "$out"
out=$(dig_q +tcp -y "$key" redis.svc.mesh.local A 2>&1)
expect_match "dig -y over TCP: NOTAUTH" "status: NOTAUTH," "$out"
out=$(dig_q -y "$key" www.example.com A 2>&1)
expect_match "dig -y, a name outside the zones: NOTAUTH too" "status: NOTAUTH," "$out"

# ---- kdig -y
if [ "$have_kdig" = 1 ]; then
	out=$(kdig @127.0.0.1 -p "$PORT" +time=2 +retry=0 -y "$key" redis.svc.mesh.local A 2>&1)
	expect_match "kdig -y: BADKEY" "status: BADKEY;" "$out"
	expect_match "kdig -y: the TSIG does not verify" "WARNING: reply verification .*\(failed to verify TSIG\)" "$out"
	expect_match "kdig -y: our TSIG" "^meshdns-test\.[[:space:]]+0[[:space:]]+ANY[[:space:]]+TSIG[[:space:]]+hmac-sha256\. [0-9]+ 300 0 [0-9]+ BADKEY 0" "$out"
fi

# ---- raw: the TSIG must be the last record (RFC 8945 5.2)
# key. TSIG ANY, hmac-sha256, time 1, fudge 300, no MAC, ID 4242, no error.
tsig="036b657900""00fa00ff00000000001d""0b686d61632d73686132353600"
tsig+="000000000001012c00004242""00000000"
expect_eq "raw: TSIG last, unknown key: NOTAUTH (28 + TSIG 44 bytes)" \
	"rcode=9 qr=1 aa=0 tc=0 id=4242 len=72" \
	"$("$DNSRAW" "$PORT" "424201000001000000000001${q_redis_mesh}${tsig}")"
expect_eq "raw: TSIG before the OPT: FORMERR" "rcode=1 qr=1 aa=0 tc=0 id=4242 len=28" \
	"$("$DNSRAW" "$PORT" "424201000001000000000002${q_redis_mesh}${tsig}${opt}")"
expect_eq "raw: TSIG in the answer section: FORMERR" "rcode=1 qr=1 aa=0 tc=0 id=4242 len=28" \
	"$("$DNSRAW" "$PORT" "424201000001000100000000${q_redis_mesh}${tsig}")"

finish
