#!/bin/bash
# kuma/kubernetes.sh -- the Kubernetes example zone: MeshServices from
# Service manifests, ClusterIPs and headless Pods.
. "${SRCDIR:?SRCDIR must name the source tree}/tests/system/lib.sh" || exit 1
. "$SRCDIR/tests/system/kuma/common.sh" || exit 1

# ---------------------------------------------------------------------
# Kubernetes zone: MeshServices from Service manifests.  VIP = ClusterIP,
# headless Pods get <pod>-<hash> MeshServices with the Pod IP.
# FNV-1a-32("example" "kuma-demo") in Kubernetes' safe alphabet is
# 6cd6bc89bf (recomputed outside meshdns; the reference's vector,
# example/demo -> 87ff74c98, is in the unit tests).
# ---------------------------------------------------------------------
start_conf "$Z/kubernetes/meshdns.conf"
expect_eq "kubernetes: redis.kuma-demo.svc.mesh.local is the ClusterIP" "10.96.20.10" "$(a_from $OP redis.kuma-demo.svc.mesh.local)"
expect_eq "kubernetes: example-0 (headless) is its Pod IP" "10.244.1.5" "$(a_from $OP example-0.example.kuma-demo.svc.mesh.local)"
expect_eq "kubernetes: example-1 (headless) is its Pod IP" "10.244.2.7" "$(a_from $OP example-1.example.kuma-demo.svc.mesh.local)"
expect_eq "kubernetes: the UDP port is not carried over (SRV)" \
	"0 0 6379 redis.kuma-demo.svc.mesh.local." "$(a_from $OP redis.kuma-demo.svc.mesh.local SRV)"
expect_eq "kubernetes: headless SRV is the Service port" \
	"0 0 80 example-0.example.kuma-demo.svc.mesh.local." "$(a_from $OP example-0.example.kuma-demo.svc.mesh.local SRV)"
expect_match "kubernetes: log warns about the UDP port, as Kuma's event" \
	"services\.yaml:3:1: warning: Ignored unsupported ports: stats\$" "$(cat "$LOG")"
expect_match "kubernetes: log names the headless MeshService <pod>-<hash>" \
	"info: MeshService example-0-6cd6bc89bf \(mesh default\): 10\.244\.1\.5: example-0\.example\.kuma-demo\.svc\.mesh\.local\$" "$(cat "$LOG")"
st=$(status_of "$Z/kubernetes/meshdns.conf")
expect_eq "kubernetes: --status names (core names <name>.<namespace>)" \
	"name: example-0-6cd6bc89bf.kuma-demo
name: example-1-6cd6bc89bf.kuma-demo
name: redis.kuma-demo" "$(printf '%s\n' "$st" | grep '^name: ')"
expect_no_match "kubernetes: no pool VIP is given" "ip: 24[0-3]\." "$st"

# ---------------------------------------------------------------------
# Kuma's MeshService controller (kuma.md 3): a kubectl export taken
# before a Service left the mesh still holds the MeshService the
# controller made (owned by the Service); the controller deletes it, so
# it is not served.  A Service in front of a delegated gateway's Pods
# (kuma.io/gateway on the Pod, not the Service) gets no MeshService.
# ---------------------------------------------------------------------
K="$WORK/controller"
mkdir -p "$K"
cp "$Z/kubernetes/generators.yaml" "$Z/kubernetes/mesh.yaml" "$K/"
cat >"$K/meshdns.conf" <<'CONF'
zone: zone-kube
resources: [.]
kuma:
  environment: kubernetes
  default-generators: local
  default-mesh-mode: Everywhere
CONF
cat >"$K/export.yaml" <<'YAML'
apiVersion: v1
kind: List
items:
- apiVersion: v1
  kind: Namespace
  metadata:
    name: shop
    labels:
      kuma.io/sidecar-injection: enabled
- apiVersion: v1
  kind: Namespace
  metadata:
    name: legacy
- apiVersion: v1
  kind: Service
  metadata:
    name: billing
    namespace: legacy
    uid: 5f0c7a8e-0b1d-4c55-9a3e-1f2a3b4c5d6e
  spec:
    clusterIP: 10.96.30.1
    clusterIPs: [10.96.30.1]
    ports:
    - {name: http, port: 80, protocol: TCP, targetPort: 8080}
    selector: {app: billing}
    type: ClusterIP
- apiVersion: kuma.io/v1alpha1
  kind: MeshService
  metadata:
    name: billing
    namespace: legacy
    labels:
      k8s.kuma.io/is-headless-service: "false"
      k8s.kuma.io/namespace: legacy
      k8s.kuma.io/service-name: billing
      kuma.io/display-name: billing
      kuma.io/env: kubernetes
      kuma.io/managed-by: k8s-controller
      kuma.io/mesh: default
      kuma.io/origin: zone
      kuma.io/zone: zone-kube
    ownerReferences:
    - apiVersion: v1
      kind: Service
      name: billing
      uid: 5f0c7a8e-0b1d-4c55-9a3e-1f2a3b4c5d6e
      controller: true
      blockOwnerDeletion: true
  spec:
    ports:
    - {name: http, port: 80, targetPort: 8080, appProtocol: tcp}
    selector:
      dataplaneTags: {app: billing, k8s.kuma.io/namespace: legacy}
  status:
    vips:
    - ip: 10.96.30.1
- apiVersion: v1
  kind: Service
  metadata:
    name: edge
    namespace: shop
  spec:
    clusterIP: 10.96.30.2
    ports:
    - {name: proxy, port: 80, protocol: TCP, targetPort: 8000}
    selector: {app: edge-gateway}
- apiVersion: discovery.k8s.io/v1
  kind: EndpointSlice
  metadata:
    name: edge-x7k2p
    namespace: shop
    labels: {kubernetes.io/service-name: edge}
  addressType: IPv4
  endpoints:
  - addresses: [10.244.3.4]
    conditions: {ready: true}
    targetRef: {kind: Pod, name: edge-gateway-6d9f7-abcde, namespace: shop}
- apiVersion: v1
  kind: Pod
  metadata:
    name: edge-gateway-6d9f7-abcde
    namespace: shop
    labels: {app: edge-gateway}
    annotations:
      kuma.io/gateway: enabled
  spec:
    containers: [{name: kuma-gateway, image: kumahq/kuma-dp}]
- apiVersion: v1
  kind: Service
  metadata:
    name: cart
    namespace: shop
  spec:
    clusterIP: 10.96.30.3
    ports:
    - {name: http, port: 80, protocol: TCP, targetPort: 8080}
    selector: {app: cart}
YAML
start_conf "$K/meshdns.conf"
expect_eq "controller: a Service still in the mesh is served" "10.96.30.3" "$(a_from $OP cart.shop.svc.mesh.local)"
expect_eq "controller: the MeshService of a Service that left the mesh is not served" \
	"NXDOMAIN" "$(rcode_from $OP billing.legacy.svc.mesh.local)"
expect_eq "controller: a Service in front of a delegated gateway's Pods has no MeshService" \
	"NXDOMAIN" "$(rcode_from $OP edge.shop.svc.mesh.local)"
expect_match "controller: log says why the export's MeshService is not served" \
	"export\.yaml:[0-9]*:[0-9]*: warning: MeshService billing\.legacy is not served: Kuma's MeshService controller deletes it, as its Service billing\.legacy is not in a mesh\$" "$(cat "$LOG")"
st=$(status_of "$K/meshdns.conf")
expect_eq "controller: --status names only cart" "name: cart.shop" "$(printf '%s\n' "$st" | grep '^name: ')"

finish
