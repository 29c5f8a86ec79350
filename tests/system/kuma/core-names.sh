#!/bin/bash
# kuma/core-names.sh -- --status shows Kuma's core names: on a
# Kubernetes zone <name>.<namespace>, HostnameGenerators and synced
# MeshServices in the system namespace (kuma-system); on a universal
# zone a synced MeshService has no namespace.
. "${SRCDIR:?SRCDIR must name the source tree}/tests/system/lib.sh" || exit 1
. "$SRCDIR/tests/system/kuma/common.sh" || exit 1

C="$WORK/core-names"
mkdir -p "$C/kube" "$C/uni"
cp "$Z/kubernetes/"*.yaml "$C/kube/"
cat >"$C/kube/meshdns.conf" <<'CONF'
zone: zone-kube
resources: [.]
kuma:
  environment: kubernetes
  default-mesh-mode: Everywhere
CONF
cat >"$C/uni/meshdns.conf" <<'CONF'
zone: zone-uni
resources: [.]
CONF
# A kubectl export of a Kubernetes global: east's redis (namespace
# redis-system) under KDS's hashed name, HashedName(default, redis, east,
# redis-system) = redis-wd2v4czb4v5b4w5c (recomputed outside meshdns).
for d in kube uni; do
cat >"$C/$d/global.yaml" <<'YAML'
apiVersion: kuma.io/v1alpha1
kind: MeshService
metadata:
  name: redis-wd2v4czb4v5b4w5c
  namespace: redis-system
  labels:
    kuma.io/display-name: redis
    kuma.io/env: kubernetes
    kuma.io/mesh: default
    kuma.io/origin: zone
    kuma.io/zone: east
    k8s.kuma.io/namespace: redis-system
    k8s.kuma.io/is-headless-service: "false"
spec:
  selector:
    dataplaneTags: {app: redis}
  ports:
  - {name: tcp, port: 6379, targetPort: 6379, appProtocol: tcp}
YAML
done
st=$(status_of "$C/kube/meshdns.conf")
expect_eq "core names: Kubernetes zone, names <name>.<namespace>, synced in kuma-system" \
	"name: example-0-6cd6bc89bf.kuma-demo
name: example-1-6cd6bc89bf.kuma-demo
name: redis.kuma-demo
name: redis-wd2v4czb4v5b4w5c.kuma-system" "$(printf '%s\n' "$st" | grep '^name: ')"
expect_eq "core names: Kubernetes zone, generators in kuma-system" \
	"coreName: local-headless-kube-mesh-service.kuma-system
coreName: local-kube-mesh-service.kuma-system
coreName: synced-kube-mesh-service-8xc5x6c9f588fzz9.kuma-system" \
	"$(printf '%s\n' "$st" | sed -n 's/^ *coreName: /coreName: /p' | sort -u)"
st=$(status_of "$C/uni/meshdns.conf")
expect_eq "core names: universal zone, a synced MeshService has no namespace" \
	"name: redis-wd2v4czb4v5b4w5c" "$(printf '%s\n' "$st" | grep '^name: ')"
expect_eq "core names: universal zone, generators have no namespace" \
	"coreName: synced-kube-mesh-service-8xc5x6c9f588fzz9" \
	"$(printf '%s\n' "$st" | sed -n 's/^ *coreName: /coreName: /p' | sort -u)"

finish
