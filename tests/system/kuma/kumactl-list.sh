#!/bin/bash
# kuma/kumactl-list.sh -- what `kumactl get <kinds> -o yaml` prints (Kuma's
# REST list: items, next, total) is read as it is, one resource per item.
. "${SRCDIR:?SRCDIR must name the source tree}/tests/system/lib.sh" || exit 1
. "$SRCDIR/tests/system/kuma/common.sh" || exit 1

C="$WORK/kumactl"
mkdir -p "$C"
# kumactl get meshservices -o yaml
cat >"$C/meshservices.yaml" <<'YAML'
items:
- creationTime: "2024-05-01T10:00:00Z"
  labels:
    kuma.io/env: universal
    kuma.io/mesh: default
    kuma.io/origin: zone
  mesh: default
  modificationTime: "2024-05-01T10:00:00Z"
  name: redis
  spec:
    ports:
    - appProtocol: tcp
      port: 6379
      targetPort: 6379
    selector:
      dataplaneTags:
        kuma.io/service: redis
  status:
    addresses: []
    vips: []
  type: MeshService
- creationTime: "2024-05-01T10:00:01Z"
  labels:
    kuma.io/origin: zone
  mesh: default
  modificationTime: "2024-05-01T10:00:01Z"
  name: web
  spec:
    ports:
    - appProtocol: http
      port: 80
      targetPort: 8080
    selector:
      dataplaneTags:
        kuma.io/service: web
  status: {}
  type: MeshService
next: null
total: 2
YAML
# kumactl get hostnamegenerators -o yaml
cat >"$C/generators.yaml" <<'YAML'
items:
- creationTime: "2024-05-01T09:00:00Z"
  modificationTime: "2024-05-01T09:00:00Z"
  name: local-mesh-service
  spec:
    selector:
      meshService:
        matchLabels:
          kuma.io/origin: zone
    template: '{{ .DisplayName }}.svc.mesh.local'
  type: HostnameGenerator
next: null
total: 1
YAML
cat >"$C/meshdns.conf" <<'YAML'
zone: zone-1
resources: [meshservices.yaml, generators.yaml]
kuma:
  default-generators: none
YAML
out=$("$MESHDNS" -t -c "$C/meshdns.conf" -s "$WORK/check.state" 2>&1)
expect_eq "kumactl lists: -t finds no problem" "0" "$?"
expect_match "kumactl lists: -t says so" "0 errors, 0 warnings" "$out"
start_conf "$C/meshdns.conf"
expect_eq "kumactl lists: redis from the list has its name and a VIP" "241.0.0.1" "$(a_from $OP redis.svc.mesh.local)"
expect_eq "kumactl lists: web too" "241.0.0.2" "$(a_from $OP web.svc.mesh.local)"

# One page of a longer list (kumactl get --size 1): what is there is
# served; a warning says the other pages are missing.
cat >"$C/meshservices.yaml" <<'YAML'
items:
- mesh: default
  labels: {kuma.io/origin: zone}
  name: redis
  spec:
    ports: [{port: 6379, appProtocol: tcp}]
    selector: {dataplaneTags: {kuma.io/service: redis}}
  type: MeshService
next: http://127.0.0.1:5681/meshes/default/meshservices?offset=1&size=1
total: 2
YAML
out=$("$MESHDNS" -t -c "$C/meshdns.conf" -s "$WORK/check.state" 2>&1)
expect_match "kumactl lists: a page names the file:line of next and says what is missing" \
	"meshservices.yaml:9:7: warning: next: this list is one page of a longer one .*the resources of the other pages are missing" "$out"
expect_match "kumactl lists: counted as a warning" "0 errors, 1 warning" "$out"

finish
