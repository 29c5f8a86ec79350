#!/bin/bash
# protocol/compression.sh -- NS and SOA RDATA names are compressed (RFC
# 1035 4.1.4, RFC 3597 section 4): a zone with 60 NS names fits a
# 1,232-byte payload whole, and a negative answer is as long as Knot's and
# NSD's.
. "${SRCDIR:?SRCDIR must name the source tree}/tests/system/lib.sh" || exit 1

copy_zones
{
	printf 'dns:\n  zones: [mesh]\n  ns:\n'
	for i in $(seq -w 1 60); do
		printf '    - ns%s.example.net.\n' "$i"
	done
	printf '  soa:\n    mname: ns1.example.net.\n'
	printf '    rname: hostmaster.example.net.\n'
} >"$WORK/compress.yaml"
start_meshdns -c "$WORK/compress.yaml" -r "$WORK/zones/default" -s "$WORK/state" || {
	fail "meshdns did not start"
	finish
}

# msg_size TEXT: the figure of dig's "MSG SIZE  rcvd:" line.
msg_size() {
	printf '%s\n' "$1" | sed -n 's/^;; MSG SIZE  rcvd: \([0-9]*\)$/\1/p'
}

# counts TEXT: "flags | ANSWER AUTHORITY ADDITIONAL" of dig's header.
counts() {
	local re='flags: ([a-z ]*[a-z]); QUERY: [0-9]+, ANSWER: ([0-9]+), AUTHORITY: ([0-9]+), ADDITIONAL: ([0-9]+)'

	if [[ $1 =~ $re ]]; then
		printf '%s | %s %s %s\n' "${BASH_REMATCH[1]}" "${BASH_REMATCH[2]}" \
			"${BASH_REMATCH[3]}" "${BASH_REMATCH[4]}"
	fi
}

# ---- 60 NS names: 12 + 6 + 4 (question) + 60 * 12 + 18 (the first name
# whole) + 59 * 7 (a label and a pointer) + 11 (OPT) = 1,184 bytes, as
# Knot and NSD send them; written whole they were 1,833 and truncated.
out=$(dig @127.0.0.1 -p "$PORT" +time=2 +tries=1 +bufsize=1232 +ignore mesh NS)
expect_eq "NS, 60 names at 1,232 bytes: all of them, no TC" "qr aa rd | 60 0 1" "$(counts "$out")"
expect_eq "NS, 60 names: the message is 1,184 bytes" "1184" "$(msg_size "$out")"
expect_eq "NS, 60 names: every name reads back" \
	"$(for i in $(seq -w 1 60); do echo "ns$i.example.net."; done)" \
	"$(dig_short +bufsize=1232 mesh NS)"
out=$(dig_q +bufsize=1232 +tcp MeSh NS)
expect_eq "NS over TCP: the same 1,184 bytes" "1184" "$(msg_size "$out")"
expect_match "NS over TCP, mixed-case query: RDATA stays lower-case" \
	"^MeSh\.[[:space:]]+30[[:space:]]+IN[[:space:]]+NS[[:space:]]+ns60\.example\.net\.$" "$out"

# ---- The SOA: RNAME is "hostmaster" and a pointer into MNAME.
# NXDOMAIN: 12 + 13 (nx.mesh. A) + 12 + 17 + 13 + 20 + 11 = 98 bytes
# (109 with RNAME written whole).
out=$(dig_q +bufsize=1232 nx.mesh A)
expect_eq "NXDOMAIN with the SOA: 98 bytes" "98" "$(msg_size "$out")"
expect_match "NXDOMAIN: the SOA reads back" \
	"^mesh\.[[:space:]]+30[[:space:]]+IN[[:space:]]+SOA[[:space:]]+ns1\.example\.net\. hostmaster\.example\.net\. " "$out"
out=$(dig_q +bufsize=1232 a.b.NX.Mesh A)
expect_eq "NXDOMAIN two labels deeper: 102 bytes" "102" "$(msg_size "$out")"
expect_match "... the pointers moved with the apex" \
	"^Mesh\.[[:space:]]+30[[:space:]]+IN[[:space:]]+SOA[[:space:]]+ns1\.example\.net\. hostmaster\.example\.net\. " "$out"
out=$(dig_q +bufsize=1232 mesh SOA)
expect_eq "SOA at the apex: 95 bytes" "95" "$(msg_size "$out")"
expect_match "SOA at the apex reads back" \
	"^mesh\.[[:space:]]+30[[:space:]]+IN[[:space:]]+SOA[[:space:]]+ns1\.example\.net\. hostmaster\.example\.net\. " "$out"

finish
