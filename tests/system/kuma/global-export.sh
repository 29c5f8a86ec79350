#!/bin/bash
# kuma/global-export.sh -- a global control plane's export fed to zone
# east is what east receives by KDS; an export of a zone's generated
# MeshService follows its Dataplanes; a resource of a mesh that has no
# Mesh resource is refused with Kuma's message.
. "${SRCDIR:?SRCDIR must name the source tree}/tests/system/lib.sh" || exit 1
. "$SRCDIR/tests/system/kuma/common.sh" || exit 1

G="$WORK/global-export"
mkdir -p "$G"
# kumactl get meshservices -o yaml on the global control plane: every
# zone's MeshServices under KDS's hashed names, with their zones' status.
cat >"$G/global.yaml" <<'YAML'
items:
- type: MeshService
  mesh: default
  name: redis-f8xz8bddwx8b5c22
  labels:
    kuma.io/display-name: redis
    kuma.io/env: universal
    kuma.io/origin: zone
    kuma.io/zone: west
  spec:
    ports:
    - {port: 6379, targetPort: 6379, appProtocol: tcp}
    selector:
      dataplaneTags: {kuma.io/service: redis}
  status:
    vips:
    - ip: 241.0.0.31
- type: MeshService
  mesh: default
  name: redis-cd75xf46x4b2zx4x
  labels:
    kuma.io/display-name: redis
    kuma.io/env: universal
    kuma.io/origin: zone
    kuma.io/zone: east
  spec:
    ports:
    - {port: 6379, targetPort: 6379, appProtocol: tcp}
    selector:
      dataplaneTags: {kuma.io/service: redis}
  status:
    vips:
    - ip: 241.0.0.1
total: 2
next: null
YAML
# East's own store (kumactl get ... -o yaml on east): its redis; cache,
# synced earlier from west, with the VIP east gave it; backend, made by
# east's generator when its Dataplane listened on port 80.
cat >"$G/east.yaml" <<'YAML'
type: MeshService
name: redis
mesh: default
labels: {kuma.io/origin: zone, kuma.io/zone: east, kuma.io/env: universal}
spec:
  selector:
    dataplaneTags: {kuma.io/service: redis}
  ports:
  - {port: 6379, targetPort: 6379, appProtocol: tcp}
status:
  vips:
  - ip: 241.0.0.1
---
type: MeshService
name: cache-bfb4fz452v6474bw
mesh: default
labels:
  kuma.io/display-name: cache
  kuma.io/env: universal
  kuma.io/origin: global
  kuma.io/zone: west
spec:
  selector:
    dataplaneTags: {kuma.io/service: cache}
  ports:
  - {port: 6380, targetPort: 6380, appProtocol: tcp}
status:
  vips:
  - ip: 241.0.0.7
---
type: MeshService
name: backend
mesh: default
labels:
  kuma.io/display-name: backend
  kuma.io/env: universal
  kuma.io/managed-by: meshservice-generator
  kuma.io/origin: zone
  kuma.io/zone: east
  team: payments
spec:
  selector:
    dataplaneTags: {kuma.io/service: backend}
  ports:
  - {name: "80", port: 80, targetPort: 80, appProtocol: tcp}
status:
  vips:
  - ip: 241.0.0.5
---
type: Dataplane
name: backend-1
mesh: default
networking:
  address: 127.0.0.21
  inbound:
  - port: 8080
    tags: {kuma.io/service: backend}
YAML
cat >"$G/meshdns.conf" <<'CONF'
zone: east
resources: [global.yaml, east.yaml]
kuma:
  environment: universal
  default-generators: all
  default-mesh-mode: Exclusive
start-cache: false
CONF

start_conf "$G/meshdns.conf"
expect_eq "east: its own redis, not doubled by global's record of it" "241.0.0.1" "$(a_from $OP redis.svc.mesh.local)"
expect_eq "east: west's redis from the global export is synced, with a VIP of east" "241.0.0.2" "$(a_from $OP redis.svc.west.mesh.local)"
expect_eq "east: global's record of east's redis is not synced back" "NXDOMAIN" "$(rcode_from $OP redis.svc.east.mesh.local)"
expect_eq "east: a synced MeshService from east's store keeps east's VIP" "241.0.0.7" "$(a_from $OP cache.svc.west.mesh.local)"
expect_eq "east: an exported generated MeshService follows its Dataplane's port" "0 0 8080 backend.svc.mesh.local." "$(a_from 127.0.0.21 backend.svc.mesh.local SRV)"
expect_eq "east: ... and keeps its VIP" "241.0.0.5" "$(a_from $OP backend.svc.mesh.local)"
expect_no_match "east: no collision" "[Cc]ollision" "$(cat "$LOG")"
st=$(status_of "$G/meshdns.conf")
expect_match "east: west's redis is origin global in --status" "kuma.io/origin: global" \
	"$(printf '%s\n' "$st" | sed -n '/^name: redis-f8xz8bddwx8b5c22$/,/^---/p')"
expect_match "east: backend keeps its own label" "team: payments" \
	"$(printf '%s\n' "$st" | sed -n '/^name: backend$/,/^---/p')"

# A mesh without a Mesh resource: Kuma refuses its resources.
cat >"$G/payments.yaml" <<'YAML'
type: MeshService
name: ledger
mesh: payments
spec:
  selector:
    dataplaneTags: {kuma.io/service: ledger}
  ports:
  - {port: 80, targetPort: 80, appProtocol: http}
---
apiVersion: kuma.io/v1alpha1
kind: MeshExternalService
metadata:
  name: bank
  namespace: kuma-system
  labels: {kuma.io/mesh: payments}
spec:
  match: {type: HostnameGenerator, port: 443, protocol: tcp}
  endpoints:
  - {address: bank.example.com, port: 443}
YAML
printf 'resources: [payments.yaml]\n' >"$G/payments.conf"
out=$("$MESHDNS" -t -c "$G/payments.conf" 2>&1); rc=$?
expect_eq "-t: a mesh without a Mesh resource is an error" "1" "$rc"
expect_match "-t: Kuma's message (universal)" \
	'payments\.yaml:1:1: error: MeshService "ledger": mesh of name payments is not found' "$out"
expect_match "-t: Kuma's message (Kubernetes)" \
	'error: MeshExternalService "bank": meshes\.kuma\.io "payments" not found' "$out"
expect_no_match "--status: ledger is left out" "^name: ledger" "$(status_of "$G/payments.conf")"
printf -- '---\ntype: Mesh\nname: payments\n' >>"$G/payments.yaml"
expect_eq "-t: with the Mesh, no error" "0" "$("$MESHDNS" -t -c "$G/payments.conf" >/dev/null 2>&1; echo $?)"

finish
