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

# ---- the state file's directory: there, and writable by the user we run as
out=$("$MESHDNS" -t -r "$Z" -s "$WORK/nodir/state" 2>&1)
expect_eq "-t with a state file in a missing directory exits 1" "1" "$?"
expect_match "-t names the state file's missing directory" \
	"^meshdns: error: state file $WORK/nodir/state: its directory $WORK/nodir does not exist; create it, writable by [^ ]+ \(the user meshdns runs as\)$" "$out"
timeout 10 "$MESHDNS" -f -l 127.0.0.1:1 -r "$Z" -s "$WORK/nodir/state" >"$WORK/start.log" 2>&1
expect_eq "the start with a missing state directory exits 1" "1" "$?"
expect_match "the start names the state file's directory, not the lock" \
	"error: state file $WORK/nodir/state: its directory $WORK/nodir does not exist" "$(cat "$WORK/start.log")"
expect_no_match "the start does not blame the lock file" "state\.lock" "$(cat "$WORK/start.log")"

mkdir "$WORK/ro"
as_other=()
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null &&
	setpriv --reuid=nobody --regid=nogroup --clear-groups true 2>/dev/null; then
	chmod 755 "$WORK/ro"
	chmod o+rx "$WORK"
	as_other=(setpriv --reuid=nobody --regid=nogroup --clear-groups)
	who=nobody
elif [ "$(id -u)" != 0 ]; then
	chmod 555 "$WORK/ro"
	who=$(id -un)
fi
if [ "${who:-}" != "" ]; then
	out=$("${as_other[@]}" "$MESHDNS" -t -r "$Z" -s "$WORK/ro/state" 2>&1)
	expect_eq "-t with a state directory we cannot write exits 1" "1" "$?"
	expect_match "-t says the state directory is not writable by whom" \
		"^meshdns: error: state file $WORK/ro/state: its directory $WORK/ro is not writable by $who, the user meshdns runs as \(Permission denied\)$" "$out"
	chmod 755 "$WORK/ro"
else
	fail "no user to check an unwritable state directory with (setpriv)"
fi

# ---- no state file (a note), no resources (a warning, counted); the summary is last
out=$("$MESHDNS" -t -r "$Z" -s "$WORK/state" 2>&1)
expect_eq "-t with a state file and resources exits 0" "0" "$?"
expect_eq "-t with a state file and resources: the summary only" \
	"meshdns: 5 services, 49 names in 2 zones (+16 reverse), 0 errors, 0 warnings" "$out"
out=$("$MESHDNS" -t -r "$Z" 2>&1)
expect_eq "-t without a state file exits 0" "0" "$?"
expect_match "-t notes that there is no state file" \
	"^meshdns: note: no state file \(state-file: or -s\): VIPs would not survive a restart$" "$out"
expect_match "the no-state note is not counted (-t is run on a config without the start's -s)" "0 errors, 0 warnings$" "$out"
out=$("$MESHDNS" -t 2>&1)
expect_match "-t warns that there are no resources" \
	"^meshdns: warning: no resources \(resources: or -r\): the zones will have no service names$" "$out"
expect_match "-t with nothing configured: 1 warning" "0 errors, 1 warning$" "$out"
expect_match "-t prints the summary last, after the problems" \
	"^meshdns: 0 services, .*, 0 errors, 1 warning$" "$(printf '%s\n' "$out" | tail -n 1)"
out=$("$MESHDNS" -t -c "$WORK/paths.yaml" 2>&1)
expect_match "the summary comes after a resource error too" \
	"^meshdns: .*1 error, 0 warnings$" "$(printf '%s\n' "$out" | tail -n 1)"
printf 'listen: [1\n' >"$WORK/broken.yaml"
out=$("$MESHDNS" -t -c "$WORK/broken.yaml" 2>&1)
expect_eq "a config that does not parse: a summary too, last" \
	"meshdns: 1 error, 0 warnings" "$(printf '%s\n' "$out" | tail -n 1)"

# ---- upstreams: printed, those of resolv.conf included
out=$("$MESHDNS" -t -r "$Z" -s "$WORK/state" -u 192.0.2.1 -u "[2001:db8::1]:5353" 2>&1)
expect_eq "-t with upstreams exits 0" "0" "$?"
expect_match "-t prints an upstream" "^meshdns: forward, upstream 192\.0\.2\.1:53$" "$out"
expect_match "-t prints an IPv6 upstream with its port" \
	"^meshdns: forward, upstream \[2001:db8::1\]:5353$" "$out"
if [ "$(id -u)" = 0 ] && unshare --mount true 2>/dev/null; then
	# A private mount namespace sees our resolv.conf; nothing is sent.
	printf 'nameserver 192.0.2.53\nnameserver 2001:db8::53\n' >"$WORK/resolv.conf"
	: >"$WORK/empty.conf"
	# in_ns FILE ARGS...: meshdns ARGS with FILE as /etc/resolv.conf.
	in_ns() {
		unshare --mount /bin/sh -c 'mount --bind "$1" /etc/resolv.conf || exit 99
			shift; exec "$@"' in_ns "$1" "$MESHDNS" "${@:2}" 2>&1
	}
	out=$(in_ns "$WORK/resolv.conf" -t -r "$Z" -s "$WORK/state" -u resolv.conf)
	expect_match "-t -u resolv.conf prints what resolv.conf gives (1)" \
		"^meshdns: forward, upstream 192\.0\.2\.53:53 \(from /etc/resolv\.conf\)$" "$out"
	expect_match "-t -u resolv.conf prints what resolv.conf gives (2)" \
		"^meshdns: forward, upstream \[2001:db8::53\]:53 \(from /etc/resolv\.conf\)$" "$out"
	expect_match "-t -u resolv.conf: 0 warnings" "0 errors, 0 warnings$" "$out"
	out=$(in_ns "$WORK/empty.conf" -t -r "$Z" -s "$WORK/state" -u resolv.conf)
	expect_match "-t: no usable upstream is a warning" \
		"^meshdns: warning: forward, no usable upstream: names outside the served zones get REFUSED$" "$out"
	expect_match "-t: no usable upstream is counted" "0 errors, 1 warning$" "$out"
else
	fail "-u resolv.conf needs root and unshare --mount to be checked"
fi

# ---- --strict: warnings fail the check; it needs -t
out=$("$MESHDNS" -t --strict -r "$Z" -s "$WORK/state" 2>&1)
expect_eq "-t --strict with no warning exits 0" "0" "$?"
out=$("$MESHDNS" -t --strict -r "$Z" 2>&1)
expect_eq "-t --strict with only the no-state note exits 0" "0" "$?"
out=$("$MESHDNS" -t --strict -s "$WORK/state" 2>&1)
expect_eq "-t --strict with a warning (no resources) exits 1" "1" "$?"
expect_match "-t --strict says why it fails" \
	"0 errors, 1 warning \(--strict: warnings fail the check\)$" "$out"
out=$("$MESHDNS" -t -s "$WORK/state" 2>&1)
expect_eq "-t without --strict: a warning still exits 0" "0" "$?"
out=$("$MESHDNS" --strict -r "$Z" 2>&1)
expect_eq "--strict without -t is a usage error (exit 2)" "2" "$?"
expect_match "--strict without -t says what to write" \
	"^meshdns: --strict applies to -t \(--check\) only: meshdns -t --strict$" "$out"

finish
