#!/bin/bash
# kuma/templates.sh -- HostnameGenerator templates as Kuma users write
# them: Go's text/template with Kuma's one function, label; a template that
# can never give a valid name is an error of its generator (Kuma refuses it
# when it is applied), and a reload that brings one keeps the last good
# state serving.
. "${SRCDIR:?SRCDIR must name the source tree}/tests/system/lib.sh" || exit 1
. "$SRCDIR/tests/system/kuma/common.sh" || exit 1

T="$WORK/templates"
mkdir -p "$T"
cat >"$T/services.yaml" <<'YAML'
type: Mesh
name: default
---
type: MeshService
name: redis
mesh: default
labels:
  kuma.io/origin: zone
  team: db
spec:
  selector:
    dataplaneTags:
      kuma.io/service: redis
  ports:
  - port: 6379
    targetPort: 6379
    appProtocol: tcp
YAML
cat >"$T/meshdns.conf" <<'YAML'
zone: zone-1
resources: [services.yaml, generators.yaml]
kuma:
  default-generators: none
YAML

# gen TEMPLATE: generators.yaml has one generator, "names", with TEMPLATE
# (spec.template is on line 8, its value at column 13).
gen() {
	cat >"$T/generators.yaml" <<YAML
type: HostnameGenerator
name: names
spec:
  selector:
    meshService:
      matchLabels:
        kuma.io/origin: zone
  template: '$1'
YAML
}

# check_err WHAT TEMPLATE MESSAGE: -t exits 1 with MESSAGE (a regex) as
# the error of generator "names" at its spec.template.
check_err() {
	gen "$2"
	out=$("$MESHDNS" -t -c "$T/meshdns.conf" 2>&1)
	rc=$?
	expect_eq "$1: -t exits 1" "1" "$rc"
	expect_match "$1: -t names the generator, file:line:column and the message" \
		"generators\.yaml:8:13: error: HostnameGenerator \"names\": spec\.template: $3" "$out"
}

rfc='a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters'

# Kuma renders a template with stub values when it is applied
# (.Name "name", .Zone "zone", every label "label") and refuses one whose
# fixed part can never give a valid DNS name.
check_err "underscore" '{{ .DisplayName }}_svc.mesh.local' \
	"template renders to \"displayname_svc\.mesh\.local\" which is not a valid DNS name: $rfc"
check_err "trailing dot" '{{ .DisplayName }}.svc.mesh.local.' \
	"template renders to \"displayname\.svc\.mesh\.local\.\" which is not a valid DNS name: $rfc"
check_err "upper case" '{{ .Name }}.MESH' \
	"template renders to \"name\.MESH\" which is not a valid DNS name: $rfc"
check_err "leading dot" '.{{ .Name }}.mesh' \
	"template renders to \"\.name\.mesh\" which is not a valid DNS name: $rfc"
check_err "double dot" '{{ .Name }}..mesh' \
	"template renders to \"name\.\.mesh\" which is not a valid DNS name: $rfc"
check_err "a label, upper case" '{{ label "team" }}.Mesh' \
	"template renders to \"label\.Mesh\" which is not a valid DNS name: $rfc"

# lower and upper are not Go's, nor Kuma's.
check_err "lower" '{{ .Name | lower }}.mesh' \
	"couldn't parse template: line 1, column 12 of the template: function \"lower\" not defined"
check_err "upper" '{{ upper .Name }}.mesh' \
	"couldn't parse template: line 1, column 4 of the template: function \"upper\" not defined"

# Go's builtins that Kuma has and meshdns lacked: lt le gt ge, print.
gen '{{ print .DisplayName }}{{ if gt (len .Namespace) 0 }}.{{ .Namespace }}{{ end }}.svc.mesh.local'
out=$("$MESHDNS" -t -c "$T/meshdns.conf" 2>&1)
expect_match "gt, len and print: -t passes" "0 errors, 0 warnings$" "$out"
expect_match "gt, len and print: the universal name has no namespace" \
	"hostname: redis\.svc\.mesh\.local" "$(status_of "$T/meshdns.conf")"

# with, variables, range over an integer, index and slice, as Kuma's
# text/template renders them.
check_tmpl() {
	gen "$2"
	out=$("$MESHDNS" -t -c "$T/meshdns.conf" 2>&1)
	expect_match "$1: -t passes" "0 errors, 0 warnings$" "$out"
	expect_match "$1: the name is $3" "hostname: ${3//./\\.}\$" \
		"$(status_of "$T/meshdns.conf")"
}
check_tmpl "with label" \
	'{{ with label "team" }}{{ . }}.{{ end }}{{ .DisplayName }}.mesh' "db.redis.mesh"
check_tmpl "with, else" \
	'{{ with .Namespace }}{{ . }}.{{ else }}universal.{{ end }}{{ .DisplayName }}.mesh' \
	"universal.redis.mesh"
check_tmpl "a variable" \
	'{{ $n := .DisplayName }}{{ $n }}.{{ with label "team" }}{{ $n }}-{{ . }}{{ end }}.mesh' \
	"redis.redis-db.mesh"
check_tmpl "range over len, index" \
	'{{ range $i := len .DisplayName }}{{ if lt $i 3 }}{{ index $.DisplayName $i | printf "%c" }}{{ end }}{{ end }}.svc.mesh' \
	"red.svc.mesh"
check_tmpl "slice" '{{ slice .DisplayName 0 3 }}.svc.mesh' "red.svc.mesh"
check_err "call" '{{ call .Name }}.mesh' \
	"couldn't render template with stub values: .*error calling call: non-function \.Name of type string"

# A template the stub values pass: served.
gen '{{ .DisplayName }}.{{ label "team" }}.svc.mesh.local'
out=$("$MESHDNS" -t -c "$T/meshdns.conf" 2>&1)
expect_match "a good template: -t passes" "0 errors, 0 warnings$" "$out"
start_conf "$T/meshdns.conf"
expect_eq "a good template: redis.db.svc.mesh.local answers" "241.0.0.1" \
	"$(a_from $OP redis.db.svc.mesh.local)"

# A reload that brings a template Kuma would refuse: the generator is an
# error, the last good state keeps serving.
gen '{{ .DisplayName }}_{{ label "team" }}.svc.mesh.local'
kill -HUP "$PID"
wait_log 'spec\.template: template renders to "displayname_label\.svc\.mesh\.local"' ||
	fail "reload: the error is not logged"
expect_match "reload: the log names the generator at its file:line:column" \
	'generators\.yaml:8:13: error: HostnameGenerator "names": spec\.template: template renders to' \
	"$(cat "$LOG")"
expect_eq "reload: the last good state keeps serving" "241.0.0.1" \
	"$(a_from $OP redis.db.svc.mesh.local)"

finish
