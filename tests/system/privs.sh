#!/bin/bash
# privs.sh -- user: and group:: meshdns binds its sockets, then runs as
# that user; the state file and the start-up cache are written as it on
# start and on reload; a state directory that user cannot write, or a user
# that does not exist, is a clear error at start, not at the first reload.
#
# Becoming another user needs root (as in CI); started by another user,
# meshdns must refuse with a clear error, which is what is checked then.
. "${SRCDIR:?SRCDIR must name the source tree}/tests/system/lib.sh" || exit 1

copy_zones
# The test's directory is private (mktemp -d): let the user in.
chmod 755 "$WORK"
chmod -R a+rX "$WORK/zones"
mkdir "$WORK/state"

conf() {
	printf 'resources: [zones/default]\nstate-file: state/state\n'
	printf 'user: %s\n' "$1"
	[ -n "${2:-}" ] && printf 'group: %s\n' "$2"
	return 0
}

# An unknown user: -t and the start both say so.
conf no-such-user-meshdns >"$WORK/unknown.yaml"
out=$("$MESHDNS" -t -c "$WORK/unknown.yaml" 2>&1)
rc=$?
expect_eq "-t with an unknown user fails" "1" "$rc"
expect_match "-t names the unknown user" \
	'error: user: no user "no-such-user-meshdns" on this system' "$out"
out=$("$MESHDNS" -f -l 127.0.0.1:9 -c "$WORK/unknown.yaml" 2>&1)
expect_match "the start names the unknown user" \
	'error: user: no user "no-such-user-meshdns" on this system' "$out"
conf nobody no-such-group-meshdns >"$WORK/nogroup.yaml"
expect_match "an unknown group is named" \
	'error: group: no group "no-such-group-meshdns" on this system' \
	"$("$MESHDNS" -t -c "$WORK/nogroup.yaml" 2>&1)"
printf 'resources: [zones/default]\ngroup: nogroup\n' >"$WORK/grouponly.yaml"
expect_match "group: without user: is an error" \
	'error: group: nogroup is set without user:' \
	"$("$MESHDNS" -t -c "$WORK/grouponly.yaml" 2>&1)"

if [ "$(id -u)" -ne 0 ]; then
	conf root >"$WORK/root.yaml"
	start_meshdns -c "$WORK/root.yaml"
	expect_match "not root: becoming another user is refused" \
		"error: cannot run as user root: meshdns was started as $(id -un), not as root" \
		"$(cat "$LOG")"
	finish
fi

USER_ID=$(id -u nobody)
GROUP_ID=$(getent group nogroup | cut -d: -f3)

# A state directory the user cannot write: an error at start, as that user.
conf nobody nogroup >"$WORK/meshdns.yaml"
start_meshdns -c "$WORK/meshdns.yaml"
expect_match "an unwritable state directory is an error at start" \
	"error: state file .*/state/state: its directory .*/state is not writable by nobody, the user meshdns runs as" \
	"$(cat "$LOG")"
expect_eq "... and meshdns did not start" "" "$PID"

chown nobody:nogroup "$WORK/state"
start_meshdns -c "$WORK/meshdns.yaml" || {
	fail "meshdns did not start as nobody"
	finish
}
expect_eq "the real, effective, saved and fs uid are nobody's" \
	"$USER_ID $USER_ID $USER_ID $USER_ID" \
	"$(awk '/^Uid:/ { print $2, $3, $4, $5 }' "/proc/$PID/status")"
expect_eq "the gids are nogroup's" \
	"$GROUP_ID $GROUP_ID $GROUP_ID $GROUP_ID" \
	"$(awk '/^Gid:/ { print $2, $3, $4, $5 }' "/proc/$PID/status")"
expect_eq "no supplementary group of root's is kept" "0" \
	"$(awk '/^Groups:/ { for (i = 2; i <= NF; i++) if ($i == 0) n++ } END { print n + 0 }' "/proc/$PID/status")"
expect_match "the log says who it runs as" \
	"info: running as user nobody \(uid $USER_ID, gid $GROUP_ID\)" "$(cat "$LOG")"
expect_eq "it answers" "241.0.0.5" "$(dig_short redis.svc.mesh.local)"
expect_eq "the state file is the user's" "nobody" "$(stat -c %U "$WORK/state/state")"
expect_eq "the lock file is the user's" "nobody" "$(stat -c %U "$WORK/state/state.lock")"

# A change (watched, or the SIGHUP after it) writes the state as the user.
before=$(state_records "$WORK/state/state" | md5sum)
cat >"$WORK/zones/default/extra.yaml" <<'YAML'
type: MeshService
name: extra
mesh: default
spec:
  ports:
    - port: 80
      appProtocol: http
YAML
chmod a+r "$WORK/zones/default/extra.yaml"
kill -HUP "$PID"
wait_log "serving generation 2" || fail "the change did not serve generation 2"
expect_eq "the new service answers" "241.0.0.6" "$(dig_short extra.svc.mesh.local)"
expect_match "the change wrote the state" "." \
	"$([ "$(state_records "$WORK/state/state" | md5sum)" != "$before" ] && echo changed)"
expect_eq "the state file is still the user's" "nobody" "$(stat -c %U "$WORK/state/state")"
expect_eq "its journal is the user's" "nobody" "$(stat -c %U "$WORK/state/state.journal")"
expect_no_match "no permission error" "Permission denied|not writable" "$(cat "$LOG")"
stop_meshdns

# The next start, as root again, uses the same files.
KEEP_PORT=1 start_meshdns -c "$WORK/meshdns.yaml" || fail "a second start as nobody failed"
expect_eq "the VIP stays across the restart" "241.0.0.6" "$(dig_short extra.svc.mesh.local)"
stop_meshdns

finish
