# xfr/common.sh -- sourced (after lib.sh) by the zone transfer scenarios of
# tests/system/xfr/ (issue 14): a config with a TSIG key and a
# transfer.allow, and helpers to read dig's and dnsraw's transfers.

DNSRAW="${BUILDDIR:-$SRCDIR}/tests/system/dnsraw"
[ -x "$DNSRAW" ] || fail "$DNSRAW is not built"
command -v kdig >/dev/null 2>&1 ||
	fail "kdig is not installed (contrib/bootstrap.sh installs knot-dnsutils)"

SECRET=c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0
KEY=hmac-sha256:xfr-key:$SECRET
KEY512=hmac-sha512:xfr-key-512:c2hhNTEyc2VjcmV0c2hhNTEyc2VjcmV0
WRONG=hmac-sha256:xfr-key:d3JvbmdzZWNyZXR3cm9uZ3NlY3JldA==

# write_config [EXTRA]: $WORK/meshdns.yaml: 127.0.0.1 may transfer
# unsigned, 127.0.0.2 only signed with xfr-key, 127.0.0.4 with
# xfr-key-512 (its secret in a file); 127.0.0.3 may not.
write_config() {
	printf '%s\n' "${SECRET512:-c2hhNTEyc2VjcmV0c2hhNTEyc2VjcmV0}" >"$WORK/secret512"
	cat >"$WORK/meshdns.yaml" <<YAML
keys:
  - name: xfr-key
    algorithm: hmac-sha256
    secret: $SECRET
  - name: xfr-key-512
    algorithm: hmac-sha512
    secret-file: $WORK/secret512
transfer:
  allow:
    - 127.0.0.1/32
    - {address: 127.0.0.2/32, key: xfr-key}
    - {address: 127.0.0.4/32, key: xfr-key-512.}
${1:-}
YAML
}

# axfr ARGS...: dig's AXFR at meshdns, the RRs only, one a line with
# single spaces (TSIG records left out).
axfr() {
	dig_q +noall +answer "$@" | tr -s ' \t' ' ' | awk '$4 != "TSIG"'
}

# xfr_size TEXT: dig's ";; XFR size: ..." line.
xfr_size() {
	printf '%s\n' "$1" | grep '^;; XFR size:' || echo "no XFR size line"
}

# hex_name NAME: NAME in wire format, as hex (no final dot).
hex_name() {
	local out="" l
	local IFS=.
	for l in $1; do
		out+=$(printf '%02x' "${#l}")
		out+=$(printf '%s' "$l" | od -An -tx1 | tr -d ' \n')
	done
	printf '%s00\n' "$out"
}

# hex_query ID NAME TYPE: a query (RD clear, no EDNS) in hex; TYPE as 4 hex
# digits (00fc AXFR, 00fb IXFR, 0006 SOA, 0001 A).
hex_query() {
	printf '%s00000001000000000000%s%s0001\n' "$1" "$(hex_name "$2")" "$3"
}
