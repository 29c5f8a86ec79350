#!/bin/bash
# kuma/port-order.sh -- a port conflict between Dataplanes without creation
# times: Kuma decides by creation time, which for `kumactl apply -f` of the
# input is document order (and file order), so the first Dataplane in the
# input gives the ports, and no message calls it "the oldest".
. "${SRCDIR:?SRCDIR must name the source tree}/tests/system/lib.sh" || exit 1
. "$SRCDIR/tests/system/kuma/common.sh" || exit 1

D="$WORK/order"
mkdir -p "$D"
cat >"$D/mesh.yaml" <<'YAML'
type: Mesh
name: default
meshServices:
  mode: Everywhere
YAML
# One file, as `kumactl apply -f dataplanes.yaml` creates it: web-2 first.
cat >"$D/dataplanes.yaml" <<'YAML'
type: Dataplane
mesh: default
name: web-2
networking:
  address: 127.0.0.2
  inbound:
  - port: 8080
    tags:
      kuma.io/service: web
---
type: Dataplane
mesh: default
name: web-1
networking:
  address: 127.0.0.3
  inbound:
  - port: 9090
    tags:
      kuma.io/service: web
YAML
# Two files (walked in name order): a-api.yaml's api-9 before b-api.yaml's api-1.
cat >"$D/a-api.yaml" <<'YAML'
type: Dataplane
mesh: default
name: api-9
networking:
  address: 127.0.0.4
  inbound:
  - port: 7000
    tags:
      kuma.io/service: api
YAML
cat >"$D/b-api.yaml" <<'YAML'
type: Dataplane
mesh: default
name: api-1
networking:
  address: 127.0.0.5
  inbound:
  - port: 7001
    tags:
      kuma.io/service: api
YAML
printf 'zone: zone-1\nresources: [.]\nkuma:\n  environment: universal\n  default-generators: local\n' >"$D/meshdns.conf"

start_conf "$D/meshdns.conf"
expect_eq "order: web's port is web-2's, the first in the file" \
	"0 0 8080 web.svc.mesh.local." "$(a_from $OP web.svc.mesh.local SRV)"
expect_eq "order: api's port is api-9's, from the first file" \
	"0 0 7000 api.svc.mesh.local." "$(a_from $OP api.svc.mesh.local SRV)"
expect_match "order: the warning names web-2 as the first in the input" \
	'dataplanes\.yaml:11:1: warning: Dataplane "web-1" has ports \[9090:9090/tcp\] but MeshService "web" has the ports of the first Dataplane in the input "web-2" \[8080:8080/tcp\]$' \
	"$(cat "$LOG")"
expect_match "order: the warning names api-9 as the first in the input" \
	'b-api\.yaml:1:1: warning: Dataplane "api-1" has ports \[7001:7001/tcp\] but MeshService "api" has the ports of the first Dataplane in the input "api-9" \[7000:7000/tcp\]$' \
	"$(cat "$LOG")"
expect_no_match "order: nothing is called the oldest" "oldest" "$(cat "$LOG")"
st=$(status_of "$D/meshdns.conf")
expect_match "order: --status condition of web says the first in the input" \
	'message: Dataplane "web-1" has ports \[9090:9090/tcp\] but MeshService "web" has the ports of the first Dataplane in the input "web-2" \[8080:8080/tcp\]$' \
	"$st"

finish
