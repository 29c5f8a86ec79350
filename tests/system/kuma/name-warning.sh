#!/bin/bash
# kuma/name-warning.sh -- a hand-written MeshService whose name is not an
# RFC 1035 label (Redis_Cache) is accepted with Kuma 2.14's deprecation
# warning, not refused (Kuma 3.0 refuses it); only a name longer than 63
# characters is an error, with 2.14's message.
. "${SRCDIR:?SRCDIR must name the source tree}/tests/system/lib.sh" || exit 1
. "$SRCDIR/tests/system/kuma/common.sh" || exit 1

D="$WORK/names"
mkdir -p "$D"
cat >"$D/services.yaml" <<'YAML'
type: Mesh
name: default
---
type: MeshService
name: Redis_Cache
mesh: default
spec:
  selector:
    dataplaneTags:
      kuma.io/service: redis-cache
  ports:
  - port: 6379
    targetPort: 6379
    appProtocol: tcp
---
type: MeshService
name: web
mesh: default
spec:
  selector:
    dataplaneTags:
      kuma.io/service: web
  ports:
  - port: 80
    targetPort: 8080
    appProtocol: http
YAML
printf 'zone: zone-1\nresources: [services.yaml]\n' >"$D/meshdns.conf"

out=$("$MESHDNS" -t -c "$D/meshdns.conf" -s "$WORK/check.state" 2>&1)
expect_eq "-t accepts Redis_Cache (exit 0)" "0" "$?"
expect_match "-t warns with Kuma 2.14's deprecation message, at the name" \
	"services\.yaml:5:7: warning: Invalid MeshService resource name: 'Redis_Cache'\. It does not conform to the DNS format \(RFC 1035\)\. This is deprecated\. Errors: a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character" \
	"$out"
expect_no_match "-t reports no error" ": error: " "$out"
st=$(status_of "$D/meshdns.conf")
expect_match "--status lists Redis_Cache" "^name: Redis_Cache$" "$st"
expect_match "--status: Redis_Cache has a VIP" "^  - ip: 241\.0\.0\.1$" "$st"
expect_match "--status: its generated hostname is not a DNS name (TemplateError, as in Kuma)" \
	"message: 'generated hostname \"Redis_Cache\.svc\.mesh\.local\" is not a valid DNS name" "$st"
start_conf "$D/meshdns.conf"
expect_eq "web still answers" "241.0.0.2" "$(a_from $OP web.svc.mesh.local)"

# Longer than 63 characters: still an error (Kuma 2.14 validator.go).
cat >"$D/long.yaml" <<'YAML'
type: MeshService
name: a-name-of-sixty-four-characters-is-one-more-than-dns-allows-0123
mesh: default
spec:
  selector:
    dataplaneTags:
      kuma.io/service: long
YAML
out=$("$MESHDNS" -t -r "$D/long.yaml" -s "$WORK/check.state" 2>&1)
expect_eq "-t refuses a 64-character name (exit 1)" "1" "$?"
expect_match "-t: Kuma 2.14's length message" \
	"long\.yaml:2:7: error: name: must not be longer than 63 characters$" "$out"

finish
