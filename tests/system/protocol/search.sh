#!/bin/bash
# protocol/search.sh -- search-list storms: a mesh name with a search
# suffix is NXDOMAIN here (counted), other names REFUSED; the wildcard
# suffix "*.svc.cluster.local".
. "${SRCDIR:?SRCDIR must name the source tree}/tests/system/lib.sh" || exit 1
. "$SRCDIR/tests/system/protocol/common.sh" || exit 1

start_defaults

# ---- search-list storms
before=$(stats)
out=$(dig_q redis.svc.mesh.local.svc.cluster.local A)
expect_eq "redis.svc.mesh.local.svc.cluster.local: NXDOMAIN here, AA clear, no SOA" \
	"NXDOMAIN | qr rd | 0 0 1" "$(summary "$out")"
out=$(dig_q redis.mesh.cluster.local A)
expect_eq "redis.mesh.cluster.local: NXDOMAIN here, AA clear" "NXDOMAIN | qr rd | 0 0 1" "$(summary "$out")"
out=$(dig_q Nope.MESH.Cluster.Local AAAA)
expect_eq "an unknown mesh name with a suffix, mixed case: NXDOMAIN too" "NXDOMAIN | qr rd | 0 0 1" "$(summary "$out")"
out=$(dig_q redis.svc.cluster.local A)
expect_eq "redis.svc.cluster.local (no mesh name inside): REFUSED" "REFUSED | qr rd | 0 0 1" "$(summary "$out")"
out=$(dig_q redis.mesh.some-namespace.svc.cluster.local A)
expect_eq "redis.mesh.<namespace>.svc.cluster.local (no such suffix here): REFUSED" \
	"REFUSED | qr rd | 0 0 1" "$(summary "$out")"
out=$(dig_q example.com A)
expect_eq "a name outside, no forwarding: REFUSED" "REFUSED | qr rd | 0 0 1" "$(summary "$out")"
after=$(stats)
expect_eq "stats: 3 search-nxdomain answers counted" \
	"$(( $(counter "$before" search-nxdomain) + 3 ))" "$(counter "$after" search-nxdomain)"
expect_eq "stats: nothing forwarded" "0" "$(counter "$after" forwarded)"
expect_eq "stats: 3 more refused" \
	"$(( $(counter "$before" refused) + 3 ))" "$(counter "$after" refused)"
stop_meshdns

# The wildcard search suffix contrib/meshdns.yaml documents,
# "*.svc.cluster.local": one label (a Kubernetes namespace) before it.
cat >"$WORK/four.yaml" <<'YAML'
dns:
  search-suffixes: ["*.svc.cluster.local", svc.cluster.local, cluster.local]
YAML
if start_meshdns -c "$WORK/four.yaml" -r "$WORK/zones/default" -s "$WORK/state4"; then
	pass "a wildcard search suffix is accepted"
	out=$(dig_q redis.mesh.some-namespace.svc.cluster.local A)
	expect_eq "redis.mesh.<namespace>.svc.cluster.local: NXDOMAIN here" \
		"NXDOMAIN | qr rd | 0 0 1" "$(summary "$out")"
	out=$(dig_q redis.svc.mesh.local.other.svc.cluster.local A)
	expect_eq "redis.svc.mesh.local.<namespace>.svc.cluster.local: NXDOMAIN here" \
		"NXDOMAIN | qr rd | 0 0 1" "$(summary "$out")"
	out=$(dig_q redis.mesh.a.b.svc.cluster.local A)
	expect_eq "two labels where the wildcard takes one: REFUSED" \
		"REFUSED | qr rd | 0 0 1" "$(summary "$out")"
	out=$(dig_q redis.mesh.svc.cluster.local A)
	expect_eq "the plain suffixes still work" "NXDOMAIN | qr rd | 0 0 1" "$(summary "$out")"
else
	fail "a wildcard search suffix (\"*.svc.cluster.local\", as in contrib/meshdns.yaml) is rejected: $(cat "$LOG")"
fi

finish
