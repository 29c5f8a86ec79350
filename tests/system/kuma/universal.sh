#!/bin/bash
# kuma/universal.sh -- the universal example zone: MeshServices generated
# from Dataplanes, the port conflict (log and --status), the legacy
# <kuma.io/service>.mesh names.
. "${SRCDIR:?SRCDIR must name the source tree}/tests/system/lib.sh" || exit 1
. "$SRCDIR/tests/system/kuma/common.sh" || exit 1

# ---------------------------------------------------------------------
# Universal zone: MeshServices generated from Dataplanes, ReachableBackends
# mode.  Dataplanes: test-server-1 (port 80) and test-server-2 (8080, the
# conflict), redis-1, web-1 at 127.0.0.2 (reachableBackends: redis) and
# batch-1 at 127.0.0.3 (no reachableBackends).  VIPs in creation order.
# ---------------------------------------------------------------------
start_conf "$Z/universal/meshdns.conf"


expect_eq "universal: test-server.svc.mesh.local" "241.0.0.1" "$(a_from $OP test-server.svc.mesh.local)"
expect_eq "universal: redis.svc.mesh.local" "241.0.0.2" "$(a_from $OP redis.svc.mesh.local)"
expect_eq "universal: web.svc.mesh.local" "241.0.0.3" "$(a_from $OP web.svc.mesh.local)"
expect_eq "universal: batch.svc.mesh.local" "241.0.0.4" "$(a_from $OP batch.svc.mesh.local)"

# The port conflict: the oldest Dataplane's ports win (80, not 8080) ...
expect_eq "universal: SRV at test-server.svc.mesh.local is port 80 only" \
	"0 0 80 test-server.svc.mesh.local." "$(a_from $OP test-server.svc.mesh.local SRV)"
expect_eq "universal: SRV _main._tcp.test-server is port 80" \
	"0 0 80 test-server.svc.mesh.local." "$(a_from $OP _main._tcp.test-server.svc.mesh.local SRV)"
expect_eq "universal: SRV at redis.svc.mesh.local lists both inbounds" \
	"0 0 6379 redis.svc.mesh.local.
0 0 9121 redis.svc.mesh.local." "$(a_from $OP redis.svc.mesh.local SRV)"
# ... and, unlike Kuma, it is visible in the log and in the status.
conflict='Dataplane "test-server-2" has ports \[main:8080/http\] but MeshService "test-server" has the ports of the oldest Dataplane "test-server-1" \[main:80/http\]'
expect_match "universal: log warns about the port conflict, naming test-server-2 and its ports" \
	"dataplanes\.yaml:19:1: warning: $conflict\$" "$(cat "$LOG")"
st=$(status_of "$Z/universal/meshdns.conf")
expect_eq "universal: --status PortConflict condition of test-server" \
	"  conditions:
  - type: PortConflict
    status: \"True\"
    reason: PortConflict
    message: Dataplane \"test-server-2\" has ports [main:8080/http] but MeshService \"test-server\" has the ports of the oldest Dataplane \"test-server-1\" [main:80/http]" \
	"$(printf '%s\n' "$st" | sed -n '/^name: test-server$/,/^---$/p' | sed -n '/^  conditions:/,/message:/p')"
expect_eq "universal: only test-server has a condition" "1" \
	"$(printf '%s\n' "$st" | grep -c '^  conditions:')"

# Legacy <kuma.io/service>.mesh names (every mode but Exclusive): the
# 240.0.0.0/4 pool, in name order, no address shared with 241.0.0.0/8.
expect_eq "universal: batch.mesh (legacy pool)" "240.0.0.1" "$(a_from $OP batch.mesh)"
expect_eq "universal: redis.mesh (legacy pool)" "240.0.0.2" "$(a_from $OP redis.mesh)"
expect_eq "universal: test-server.mesh (legacy pool)" "240.0.0.3" "$(a_from $OP test-server.mesh)"
expect_eq "universal: web.mesh (legacy pool)" "240.0.0.4" "$(a_from $OP web.mesh)"

# An upper-case kuma.io/service: its legacy name is served in lower case,
# and no warning claims a generator gave it to another service.
U="$WORK/upper"
mkdir -p "$U"
cat >"$U/dataplanes.yaml" <<'YAML'
type: Dataplane
mesh: default
name: frontend-1
networking:
  address: 127.0.0.5
  inbound:
  - port: 8080
    tags:
      kuma.io/service: Frontend
YAML
printf 'zone: zone-1\nresources: [dataplanes.yaml]\n' >"$U/meshdns.conf"
out=$("$MESHDNS" -t -c "$U/meshdns.conf" -s "$WORK/check.state" 2>&1)
expect_no_match "upper case: -t gives no warning about Frontend.mesh" "warning:" "$out"
start_conf "$U/meshdns.conf"
expect_eq "upper case: frontend.mesh answers" "240.0.0.1" "$(a_from $OP frontend.mesh)"
expect_eq "upper case: FRONTEND.mesh too (any case)" "240.0.0.1" "$(a_from $OP FRONTEND.mesh)"
expect_no_match "upper case: the log has no warning" "warning:" "$(cat "$LOG")"

finish
