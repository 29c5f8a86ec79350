#!/bin/bash
# check.sh -- `meshdns -t` reports every problem with its position;
# `meshdns --status` prints Kuma's status shape.
. "${SRCDIR:?SRCDIR must name the source tree}/tests/system/lib.sh" || exit 1

copy_zones

out=$("$MESHDNS" -t -r "$WORK/zones/default" 2>&1)
expect_eq "-t on the example zone exits 0" "0" "$?"
expect_match "-t prints a summary" "5 services, .* 0 errors" "$out"
expect_no_match "-t alone prints no build times" "built in" "$out"
out=$("$MESHDNS" -t -v -r "$WORK/zones/default" 2>&1)
expect_match "-t -v prints the build's phase times" \
	"^meshdns: built in [0-9.]+ ms \(read [0-9.]+, resources [0-9.]+, names [0-9.]+, vips [0-9.]+, table [0-9.]+\)$" "$out"

out=$("$MESHDNS" -t -c "$SRCDIR/contrib/meshdns.yaml" -r "$WORK/zones/default" 2>&1)
expect_eq "-t with the example config exits 0" "0" "$?"

# A config with two mistakes: both are reported, with their positions.
cat >"$WORK/bad.yaml" <<'YAML'
listen: ["127.0.0.1:15053"]
listn: 1
dns:
  ttl: abc
YAML
out=$("$MESHDNS" -t -c "$WORK/bad.yaml" 2>&1)
expect_eq "-t with a bad config exits 1" "1" "$?"
expect_match "unknown key, with file:line:column" "bad\.yaml:2:1: error: .*listn" "$out"
expect_match "bad TTL, with file:line:column" "bad\.yaml:4:8: error: .*ttl" "$out"

# Resources with several mistakes: all reported, the good ones still load.
mkdir -p "$WORK/bad-resources"
cat >"$WORK/bad-resources/a.yaml" <<'YAML'
type: MeshService
name: Bad_Name
mesh: default
spec:
  ports:
  - port: 80
    targetPort: 80
---
type: MeshService
name: good
mesh: default
spec:
  ports:
  - port: 80
    targetPort: 80
    appProtocol: kafka
---
type: HostnameGenerator
name: broken
spec:
  selector:
    meshService:
      matchLabels: {}
  template: "{{ .Nme }}.mesh"
YAML
out=$("$MESHDNS" -t -r "$WORK/bad-resources" 2>&1)
expect_eq "-t with bad resources exits 1" "1" "$?"
# A MeshService name against RFC 1035 is Kuma 2.14's deprecation warning.
expect_match "RFC 1035 name warning with position" "a\.yaml:2:7: warning: Invalid MeshService resource name: 'Bad_Name'\. It does not conform to the DNS format \(RFC 1035\)\. This is deprecated\. Errors: a DNS-1035 label must consist of lower case alphanumeric characters" "$out"
expect_match "appProtocol error with position" "a\.yaml:16:[0-9]+: error: .*appProtocol must be one of: grpc, http, http2, tcp" "$out"
expect_match "template error names the generator and the template column" "a\.yaml:24:[0-9]+: error: HostnameGenerator \"broken\": spec\.template: couldn't parse template: line 1, column [0-9]+" "$out"

# --status: Kuma's shape, computed from the same files.
out=$("$MESHDNS" --status -r "$WORK/zones/default" 2>/dev/null)
expect_eq "--status exits 0" "0" "$?"
printf '%s\n' "$out" >"$WORK/status.yaml"
if diff -u "$SRCDIR/tests/system/data/status.yaml" "$WORK/status.yaml" >"$WORK/status.diff"; then
	pass "--status prints Kuma's status shape for the example zone"
else
	fail "--status differs from tests/system/data/status.yaml:"
	cat "$WORK/status.diff"
fi

finish
