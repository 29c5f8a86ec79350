#!/bin/bash
# kuma/grace.sh -- the deletion grace period (kuma.deletion-grace): a
# MeshService generated from Dataplanes outlives its last Dataplane with
# its VIP, labelled kuma.io/deletion-grace-period-started-at, then goes
# without a SIGHUP; a Dataplane that comes back in time keeps it; a
# restart within the grace keeps it.
. "${SRCDIR:?SRCDIR must name the source tree}/tests/system/lib.sh" || exit 1
. "$SRCDIR/tests/system/kuma/common.sh" || exit 1

G="$WORK/grace"
mkdir -p "$G"
cat >"$G/mesh.yaml" <<'YAML'
type: Mesh
name: default
meshServices:
  mode: Everywhere
---
type: Dataplane
mesh: default
name: client-1
networking:
  address: 127.0.0.3
  inbound:
  - port: 4000
    tags:
      kuma.io/service: client
YAML
cat >"$G/backend.yaml.in" <<'YAML'
type: Dataplane
mesh: default
name: backend-1
networking:
  address: 127.0.0.2
  inbound:
  - port: 3000
    tags:
      kuma.io/service: backend
YAML
cp "$G/backend.yaml.in" "$G/backend.yaml"
# grace_conf SECONDS
grace_conf() {
	printf 'zone: zone-1\nwatch: false\nresources: [.]\nkuma:\n  default-generators: local\n  deletion-grace: %s\n' "$1" >"$G/meshdns.conf"
}
NAME=backend.svc.mesh.local
CL=127.0.0.3
grace_conf 2s
STATE="$WORK/state-grace"
start_meshdns -c "$G/meshdns.conf" -s "$STATE" || { fail "meshdns did not start"; finish; }
VIP=$(a_from $CL $NAME)
expect_match "backend has a VIP from 241/8" '^241\.' "$VIP"

# hup N: SIGHUP and wait for generation N.
hup() {
	kill -HUP "$PID"
	wait_log "serving generation $1" || fail "no generation $1 after SIGHUP"
}
label() {
	"$MESHDNS" --status -c "$G/meshdns.conf" -s "$STATE" 2>/dev/null |
		awk '/^---/{m=0} /^type: /{m=0} /^name: backend$/{m=1} m && /deletion-grace-period-started-at/'
}

rm "$G/backend.yaml"
hup 2
expect_eq "the last Dataplane gone: backend still answers with its VIP" "$VIP" "$(a_from $CL $NAME)"
expect_match "--status labels it kuma.io/deletion-grace-period-started-at" \
	'kuma.io/deletion-grace-period-started-at: .?[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z' "$(label)"
expect_match "the state file keeps it" '^generated default backend [0-9]+ 3000/3000/tcp/3000$' "$(state_records "$STATE")"

# After the grace, without a SIGHUP (waits up to 30 s: a lower bound only).
i=0
while [ $i -lt 300 ] && [ "$(rcode_from $CL $NAME)" != NXDOMAIN ]; do
	sleep 0.1
	i=$((i + 1))
done
expect_eq "after the grace (no SIGHUP) backend is NXDOMAIN" NXDOMAIN "$(rcode_from $CL $NAME)"
expect_match "the log says why it rebuilt" 'reload, a deletion grace period ended' "$(cat "$LOG")"
expect_no_match "the state file forgets it" '^generated default backend ' "$(state_records "$STATE")"
stop_meshdns

# A Dataplane that comes back within the grace removes the label.
grace_conf 1h
STATE="$WORK/state-back"
cp "$G/backend.yaml.in" "$G/backend.yaml"
start_meshdns -c "$G/meshdns.conf" -s "$STATE" || { fail "meshdns did not start"; finish; }
VIP=$(a_from $CL $NAME)
rm "$G/backend.yaml"
hup 2
expect_match "gone: labelled" 'deletion-grace-period-started-at' "$(label)"
cp "$G/backend.yaml.in" "$G/backend.yaml"
hup 3
expect_eq "back: the same VIP" "$VIP" "$(a_from $CL $NAME)"
expect_eq "back: no label" "" "$(label)"
expect_match "back: the state file has no grace for it" '^generated default backend - ' "$(state_records "$STATE")"

# A restart within the grace keeps it, with its VIP and label.
rm "$G/backend.yaml"
hup 4
stop_meshdns
start_meshdns -c "$G/meshdns.conf" -s "$STATE" || { fail "meshdns did not restart"; finish; }
expect_eq "restarted within the grace: backend answers with its VIP" "$VIP" "$(a_from $CL $NAME)"
expect_match "restarted: still labelled" 'deletion-grace-period-started-at' "$(label)"

# deletion-grace: 0 deletes at once.
stop_meshdns
grace_conf 0
STATE="$WORK/state-zero"
cp "$G/backend.yaml.in" "$G/backend.yaml"
start_meshdns -c "$G/meshdns.conf" -s "$STATE" || { fail "meshdns did not start"; finish; }
rm "$G/backend.yaml"
hup 2
expect_eq "deletion-grace 0: NXDOMAIN at once" NXDOMAIN "$(rcode_from $CL $NAME)"
stop_meshdns
finish
