#!/bin/bash
# kuma/proxies.sh -- --status shows, per MeshService, how many Dataplanes
# of the input it selects: status.dataplaneProxies.total, as Kuma reports
# it (connected and healthy are known only to a control plane: left out).
. "${SRCDIR:?SRCDIR must name the source tree}/tests/system/lib.sh" || exit 1
. "$SRCDIR/tests/system/kuma/common.sh" || exit 1

D="$WORK/proxies"
mkdir -p "$D"
cat >"$D/resources.yaml" <<'YAML'
type: Mesh
name: default
meshServices:
  mode: Exclusive
---
type: Mesh
name: payments
---
type: Dataplane
mesh: default
name: web-1
labels:
  app: web
networking:
  address: 127.0.0.2
  inbound:
  - port: 8080
    tags:
      kuma.io/service: web
---
type: Dataplane
mesh: default
name: web-2
labels:
  app: web
networking:
  address: 127.0.0.3
  inbound:
  - port: 8080
    tags:
      kuma.io/service: web
---
type: Dataplane
mesh: payments
name: web-3
labels:
  app: web
networking:
  address: 127.0.0.4
  inbound:
  - port: 8080
    tags:
      kuma.io/service: web
---
type: MeshService
name: web-by-labels
mesh: default
spec:
  selector:
    dataplaneLabels:
      matchLabels:
        app: web
  ports:
  - port: 80
    targetPort: 8080
---
type: MeshService
name: web-2-only
mesh: default
spec:
  selector:
    dataplaneRef:
      name: web-2
  ports:
  - port: 80
    targetPort: 8080
---
type: MeshService
name: nobody
mesh: default
spec:
  selector:
    dataplaneTags:
      kuma.io/service: nobody
  ports:
  - port: 80
YAML
printf 'zone: zone-1\nresources: [resources.yaml]\n' >"$D/meshdns.conf"

st=$(status_of "$D/meshdns.conf")
# proxies NAME: the dataplaneProxies of MeshService NAME, on one line.
proxies() {
	printf '%s\n' "$st" | awk -v n="name: $1" '
		$0 == n { d = 1; next }
		$0 == "---" { d = 0 }
		d && /^  dataplaneProxies:/ { p = 1; printf "%s", $0; next }
		d && p && /^    / { printf "%s", $0; next }
		{ p = 0 }'
}
expect_eq "generated web: its two Dataplanes of mesh default (not payments' web-3)" \
	"  dataplaneProxies:    total: 2" "$(proxies web)"
expect_eq "dataplaneLabels app=web: two" "  dataplaneProxies:    total: 2" "$(proxies web-by-labels)"
expect_eq "dataplaneRef web-2: one" "  dataplaneProxies:    total: 1" "$(proxies web-2-only)"
expect_eq "a selector that matches nothing: {} (Kuma omits the zero counts)" \
	"  dataplaneProxies: {}" "$(proxies nobody)"
expect_no_match "connected and healthy are not claimed" "connected:|healthy:" "$st"

finish
