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

finish
