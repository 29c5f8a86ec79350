#!/bin/bash
# kuma/workload.sh -- Kuma 3 workload generation: one MeshService per
# kuma.io/workload label.
. "${SRCDIR:?SRCDIR must name the source tree}/tests/system/lib.sh" || exit 1
. "$SRCDIR/tests/system/kuma/common.sh" || exit 1

# ---------------------------------------------------------------------
# Kuma 3 workload generation: one MeshService per kuma.io/workload label,
# with every inbound of the Dataplane; inbound tags are not used.
# ---------------------------------------------------------------------
W="$WORK/workload"
mkdir -p "$W"
cat >"$W/dataplanes.yaml" <<'YAML'
type: Dataplane
mesh: default
name: api-1
labels:
  kuma.io/workload: api
networking:
  address: 127.0.0.51
  inbound:
  - name: http
    port: 8080
    protocol: http
  - name: grpc
    port: 9090
    protocol: grpc
---
type: Dataplane
mesh: default
name: old-1
networking:
  address: 127.0.0.52
  inbound:
  - port: 7000
    tags:
      kuma.io/service: old
---
type: Dataplane
mesh: default
name: bad-1
labels:
  kuma.io/workload: Bad_Name
networking:
  address: 127.0.0.53
  inbound:
  - port: 7001
YAML
cat >"$W/meshdns.conf" <<'YAML'
zone: zone-1
resources: [dataplanes.yaml]
kuma:
  generation: workload
  default-generators: local
  default-mesh-mode: Exclusive
YAML
start_conf "$W/meshdns.conf"
expect_eq "workload: api.svc.mesh.local" "241.0.0.1" "$(a_from $OP api.svc.mesh.local)"
expect_eq "workload: both inbounds are ports of api" "0 0 8080 api.svc.mesh.local.
0 0 9090 api.svc.mesh.local." "$(a_from $OP api.svc.mesh.local SRV)"
expect_eq "workload: a kuma.io/service tag alone makes no MeshService" "NXDOMAIN" "$(rcode_from $OP old.svc.mesh.local)"
expect_match "workload: an invalid label value is skipped with Kuma's message" \
	"dataplanes\.yaml:[0-9]+:[0-9]+: warning: couldn't generate MeshService from kuma\.io/workload, contains invalid characters \(value \"Bad_Name\"" "$(cat "$LOG")"
st=$(status_of "$W/meshdns.conf")
expect_eq "workload: one MeshService, named after the label" "name: api" "$(printf '%s\n' "$st" | grep '^name: ')"
expect_eq "workload: selector is dataplaneLabels on kuma.io/workload" \
	"  selector:
    dataplaneLabels:
      matchLabels:
        kuma.io/workload: api" "$(printf '%s\n' "$st" | sed -n '/^  selector:/,/^  ports:/p' | sed '$d')"
expect_eq "workload: ports from the inbounds" \
	"  ports:
  - name: http
    port: 8080
    targetPort: 8080
    appProtocol: http
  - name: grpc
    port: 9090
    targetPort: 9090
    appProtocol: grpc" "$(printf '%s\n' "$st" | sed -n '/^  ports:/,/^status:/p' | sed '$d')"

finish
