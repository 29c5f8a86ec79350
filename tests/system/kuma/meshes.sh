#!/bin/bash
# kuma/meshes.sh -- meshes are separate namespaces: two meshes (default
# and payments) each with a redis MeshService, queried from each mesh's
# Dataplanes with dig -b; legacy <service>.mesh per mesh; an operator gets
# views.default-mesh's answers.  Universal and Kubernetes shapes.
. "${SRCDIR:?SRCDIR must name the source tree}/tests/system/lib.sh" || exit 1
. "$SRCDIR/tests/system/kuma/common.sh" || exit 1

U="$WORK/meshes-universal"
mkdir -p "$U"
cat >"$U/meshdns.conf" <<'CONF'
zone: zone-1
resources: [.]
kuma:
  environment: universal
  default-generators: local
start-cache: false
CONF
cat >"$U/meshes.yaml" <<'YAML'
type: Mesh
name: default
meshServices:
  mode: Everywhere
---
type: Mesh
name: payments
meshServices:
  mode: Everywhere
YAML
# kumactl apply -f, one file per mesh, as Kuma users write them.
cat >"$U/default.yaml" <<'YAML'
type: MeshService
name: redis
mesh: default
labels:
  kuma.io/origin: zone
spec:
  selector:
    dataplaneTags:
      kuma.io/service: redis
  ports:
  - port: 6379
    targetPort: 6379
    appProtocol: tcp
---
type: Dataplane
name: web-1
mesh: default
networking:
  address: 127.0.0.2
  inbound:
  - port: 8080
    tags:
      kuma.io/service: web
---
type: Dataplane
name: redis-1
mesh: default
networking:
  address: 127.0.0.4
  inbound:
  - port: 6379
    tags:
      kuma.io/service: redis
YAML
cat >"$U/payments.yaml" <<'YAML'
type: MeshService
name: redis
mesh: payments
labels:
  kuma.io/origin: zone
spec:
  selector:
    dataplaneTags:
      kuma.io/service: redis
  ports:
  - port: 6379
    targetPort: 6379
    appProtocol: tcp
---
type: MeshService
name: ledger
mesh: payments
labels:
  kuma.io/origin: zone
spec:
  selector:
    dataplaneTags:
      kuma.io/service: ledger
  ports:
  - port: 8080
    targetPort: 8080
---
type: Dataplane
name: checkout-1
mesh: payments
networking:
  address: 127.0.0.3
  inbound:
  - port: 8080
    tags:
      kuma.io/service: checkout
---
type: Dataplane
name: redis-1
mesh: payments
networking:
  address: 127.0.0.5
  inbound:
  - port: 6379
    tags:
      kuma.io/service: redis
YAML

start_conf "$U/meshdns.conf"
d=$(a_from 127.0.0.2 redis.svc.mesh.local)
p=$(a_from 127.0.0.3 redis.svc.mesh.local)
expect_match "default's Dataplane gets default's redis VIP" "^241\.0\.0\.[0-9]+$" "$d"
expect_match "payments' Dataplane gets payments' redis VIP" "^241\.0\.0\.[0-9]+$" "$p"
[ "$d" != "$p" ] && pass "redis.svc.mesh.local: one VIP per mesh ($d, $p)" || fail "redis.svc.mesh.local: the same VIP in both meshes ($d)"
expect_eq "payments' redis-1 Dataplane gets payments' VIP too" "$p" "$(a_from 127.0.0.5 redis.svc.mesh.local)"
expect_eq "payments' Dataplane: ledger.svc.mesh.local answers" "1" "$(a_from 127.0.0.3 ledger.svc.mesh.local | wc -l)"
expect_eq "default's Dataplane: ledger (payments only) is NXDOMAIN" "NXDOMAIN" "$(rcode_from 127.0.0.2 ledger.svc.mesh.local)"
# Legacy names: one per mesh, each with its own VIP from 240/4.
ld=$(a_from 127.0.0.2 redis.mesh)
lp=$(a_from 127.0.0.3 redis.mesh)
expect_match "default's Dataplane: legacy redis.mesh answers" "^240\." "$ld"
expect_match "payments' Dataplane: legacy redis.mesh answers" "^240\." "$lp"
[ "$ld" != "$lp" ] && pass "redis.mesh: one VIP per mesh ($ld, $lp)" || fail "redis.mesh: the same answer in both meshes ($ld)"
expect_eq "default's Dataplane: legacy checkout.mesh (payments only) is NXDOMAIN" "NXDOMAIN" "$(rcode_from 127.0.0.2 checkout.mesh)"
expect_eq "payments' Dataplane: legacy checkout.mesh answers" "1" "$(a_from 127.0.0.3 checkout.mesh | wc -l)"
# An operator (no Dataplane's address): views.default-mesh, default "default".
expect_eq "operator: redis.svc.mesh.local is default's" "$d" "$(a_from $OP redis.svc.mesh.local)"
expect_eq "operator: redis.mesh is default's" "$ld" "$(a_from $OP redis.mesh)"
expect_eq "operator: ledger.svc.mesh.local is NXDOMAIN" "NXDOMAIN" "$(rcode_from $OP ledger.svc.mesh.local)"
# PTR: a VIP answers in the mesh that owns it.
rev() { echo "$1" | awk -F. '{print $4"."$3"."$2"."$1".in-addr.arpa"}'; }
expect_eq "payments' Dataplane: PTR of payments' redis VIP" "redis.svc.mesh.local." "$(a_from 127.0.0.3 "$(rev "$p")" PTR)"
expect_eq "default's Dataplane: PTR of payments' redis VIP is NXDOMAIN" "NXDOMAIN" "$(rcode_from 127.0.0.2 "$(rev "$p")" PTR)"
expect_eq "operator: PTR of default's redis VIP" "redis.svc.mesh.local." "$(a_from $OP "$(rev "$d")" PTR)"
expect_eq "operator: PTR of payments' redis VIP is NXDOMAIN" "NXDOMAIN" "$(rcode_from $OP "$(rev "$p")" PTR)"
# SRV in the Dataplane's mesh, with that mesh's address.
out=$(dig_q -b 127.0.0.3 _6379._tcp.redis.svc.mesh.local SRV)
expect_match "payments' Dataplane: SRV's additional A is payments' VIP" "redis\.svc\.mesh\.local\.[[:space:]]+[0-9]+[[:space:]]+IN[[:space:]]+A[[:space:]]+$p" "$out"
st=$(status_of "$U/meshdns.conf")
expect_no_match "--status: no Collision condition" "Collision" "$st"

# views.default-mesh: payments -- the operator now gets payments' names.
cp "$U/meshdns.conf" "$U/pay.conf"
printf 'views:\n  default-mesh: payments\n' >>"$U/pay.conf"
start_conf "$U/pay.conf"
expect_eq "default-mesh payments: operator gets payments' redis" "1" "$(a_from $OP redis.svc.mesh.local | wc -l)"
expect_eq "default-mesh payments: operator gets ledger" "1" "$(a_from $OP ledger.svc.mesh.local | wc -l)"
expect_eq "default-mesh payments: default's Dataplane still NXDOMAIN for ledger" "NXDOMAIN" "$(rcode_from 127.0.0.2 ledger.svc.mesh.local)"

# ---------------------------------------------------------------------
# Kubernetes shape: MeshService objects in two namespaces, one per mesh
# (label kuma.io/mesh), the same name and the same generated hostname.
# ---------------------------------------------------------------------
K="$WORK/meshes-kubernetes"
mkdir -p "$K"
cat >"$K/meshdns.conf" <<'CONF'
zone: zone-1
resources: [.]
kuma:
  environment: kubernetes
start-cache: false
CONF
cat >"$K/objects.yaml" <<'YAML'
apiVersion: kuma.io/v1alpha1
kind: Mesh
metadata:
  name: default
---
apiVersion: kuma.io/v1alpha1
kind: Mesh
metadata:
  name: payments
---
apiVersion: kuma.io/v1alpha1
kind: HostnameGenerator
metadata:
  name: local-kube-mesh-service
  namespace: kuma-system
spec:
  selector:
    meshService:
      matchLabels:
        kuma.io/origin: zone
  template: "{{ .DisplayName }}.svc.mesh.local"
---
apiVersion: kuma.io/v1alpha1
kind: MeshService
metadata:
  name: redis
  namespace: shop
  labels:
    kuma.io/mesh: default
    kuma.io/origin: zone
spec:
  ports:
  - port: 6379
    targetPort: 6379
---
apiVersion: kuma.io/v1alpha1
kind: MeshService
metadata:
  name: redis
  namespace: pay
  labels:
    kuma.io/mesh: payments
    kuma.io/origin: zone
spec:
  ports:
  - port: 6379
    targetPort: 6379
---
apiVersion: kuma.io/v1alpha1
kind: Dataplane
metadata:
  name: web-0
  namespace: shop
  labels:
    kuma.io/mesh: default
spec:
  networking:
    address: 127.0.0.2
    inbound:
    - port: 8080
      tags:
        kuma.io/service: web_shop_svc_8080
---
apiVersion: kuma.io/v1alpha1
kind: Dataplane
metadata:
  name: checkout-0
  namespace: pay
  labels:
    kuma.io/mesh: payments
spec:
  networking:
    address: 127.0.0.3
    inbound:
    - port: 8080
      tags:
        kuma.io/service: checkout_pay_svc_8080
YAML
start_conf "$K/meshdns.conf"
kd=$(a_from 127.0.0.2 redis.svc.mesh.local)
kp=$(a_from 127.0.0.3 redis.svc.mesh.local)
expect_match "kubernetes: default's Dataplane gets a redis VIP" "^241\." "$kd"
expect_match "kubernetes: payments' Dataplane gets a redis VIP" "^241\." "$kp"
[ "$kd" != "$kp" ] && pass "kubernetes: one VIP per mesh ($kd, $kp)" || fail "kubernetes: the same VIP in both meshes ($kd)"
expect_eq "kubernetes: operator gets default's" "$kd" "$(a_from $OP redis.svc.mesh.local)"
st=$(status_of "$K/meshdns.conf")
expect_no_match "kubernetes --status: no Collision condition" "Collision" "$st"

finish
