#!/bin/bash
# preflight.sh -- `meshdns -t` checks what the start will need (the state
# file's directory, the resource paths, the upstreams) and says so with
# the config line or the flag at fault; `-t --strict` fails on warnings.
. "${SRCDIR:?SRCDIR must name the source tree}/tests/system/lib.sh" || exit 1

copy_zones
Z="$WORK/zones/default"

# ---- resource paths: a missing one names the config line or the -r flag
cat >"$WORK/paths.yaml" <<YAML
resources:
  - $Z
  - ./resourcez
state-file: state
YAML
out=$("$MESHDNS" -t -c "$WORK/paths.yaml" 2>&1)
expect_eq "-t with a missing resource path exits 1" "1" "$?"
expect_match "a missing resource path names the config line that listed it" \
	"^meshdns: $WORK/paths\.yaml:3:5: error: resources: cannot read $WORK/\.?/?resourcez: No such file or directory$" "$out"
out=$("$MESHDNS" -t -r "$Z" -r "$WORK/nowhere" -s "$WORK/state" 2>&1)
expect_eq "-t with a missing -r path exits 1" "1" "$?"
expect_match "a missing -r path names the flag" \
	"^meshdns: error: -r: cannot read $WORK/nowhere: No such file or directory$" "$out"

finish
