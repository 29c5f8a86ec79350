#!/bin/bash
# kuma/status.sh -- `meshdns --status` of the example zones against the
# expected files in tests/system/data/.
. "${SRCDIR:?SRCDIR must name the source tree}/tests/system/lib.sh" || exit 1
. "$SRCDIR/tests/system/kuma/common.sh" || exit 1

# ---------------------------------------------------------------------
# --status of the example zones, in Kuma's shape (every line reviewed
# against ../shared/reference/kuma.md before it was frozen).
# ---------------------------------------------------------------------
diff_status universal
diff_status kubernetes
diff_status multizone-east

# ---------------------------------------------------------------------
# A written MeshService's ports as Kuma stores them (a GET after the
# PUT): appProtocol defaults to tcp, an unknown port field is dropped.
# ---------------------------------------------------------------------
R="$WORK/ports"
mkdir -p "$R"
printf 'zone: zone-1\nresources: [.]\n' >"$R/meshdns.conf"
cat >"$R/redis.yaml" <<'YAML'
type: MeshService
name: redis
mesh: default
spec:
  selector:
    dataplaneTags:
      app: redis
  ports:
  - port: 6379
    targetPort: 6379
    protocol: tcp
YAML
expect_eq "--status: ports as Kuma stores them (appProtocol tcp, no unknown field)" \
	"  ports:
  - port: 6379
    targetPort: 6379
    appProtocol: tcp" "$(status_of "$R/meshdns.conf" | sed -n '/^  ports:/,/^[a-z]/p' | grep '^  ')"

finish
