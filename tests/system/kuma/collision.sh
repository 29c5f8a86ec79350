#!/bin/bash
# kuma/collision.sh -- a MeshService and a MeshExternalService whose
# generators give the same name: Kuma's order decides, the loser's
# condition says so.
. "${SRCDIR:?SRCDIR must name the source tree}/tests/system/lib.sh" || exit 1
. "$SRCDIR/tests/system/kuma/common.sh" || exit 1

# ---------------------------------------------------------------------
# Collisions across kinds: a MeshService and a MeshExternalService whose
# generators give the same name.  Kuma generates MeshExternalService
# names first, so it wins; the MeshService's condition names it.
# ---------------------------------------------------------------------
C="$WORK/collision"
mkdir -p "$C"
cat >"$C/resources.yaml" <<'YAML'
type: MeshService
name: db
mesh: default
labels:
  kuma.io/origin: zone
spec:
  selector:
    dataplaneTags:
      kuma.io/service: db
  ports:
  - port: 5432
    targetPort: 5432
    appProtocol: tcp
---
type: MeshExternalService
name: db
mesh: default
labels:
  kuma.io/origin: zone
spec:
  match:
    type: HostnameGenerator
    port: 5432
    protocol: tcp
  endpoints:
  - address: db.example.com
    port: 5432
---
type: HostnameGenerator
name: ms-names
spec:
  selector:
    meshService:
      matchLabels:
        kuma.io/origin: zone
  template: "{{ .DisplayName }}.db.mesh.local"
---
type: HostnameGenerator
name: mes-names
spec:
  selector:
    meshExternalService:
      matchLabels:
        kuma.io/origin: zone
  template: "{{ .DisplayName }}.db.mesh.local"
YAML
cat >"$C/meshdns.conf" <<'YAML'
zone: zone-1
resources: [resources.yaml]
kuma:
  default-generators: none
  default-mesh-mode: Exclusive
YAML
start_conf "$C/meshdns.conf"
expect_eq "collision: db.db.mesh.local has one answer, the MeshExternalService's" "242.0.0.1" "$(a_from $OP db.db.mesh.local)"
st=$(status_of "$C/meshdns.conf")
expect_eq "collision: the MeshService's condition says Collision and names the winner" \
	"    - type: Generated
      status: \"False\"
      reason: Collision
      message: 'Hostname collision with MeshExternalService: db'" \
	"$(printf '%s\n' "$st" | sed -n '/^type: MeshService$/,/^---$/p' | sed -n '/- type: Generated/,/message:/p')"
expect_eq "collision: the MeshExternalService has the name" \
	"  - hostname: db.db.mesh.local" \
	"$(printf '%s\n' "$st" | sed -n '/^type: MeshExternalService$/,$p' | grep -- '- hostname:')"
expect_no_match "collision: the MeshService has no address" "^  - hostname:" \
	"$(printf '%s\n' "$st" | sed -n '/^type: MeshService$/,/^---$/p')"

finish
