#!/bin/bash
# cli.sh -- the command line a newcomer types first: --version, usage
# errors, -u with a resolv.conf path, and what -t prints (zone counts,
# paths, warnings once).
. "${SRCDIR:?SRCDIR must name the source tree}/tests/system/lib.sh" || exit 1

copy_zones

# --version: meshdns's own and the libraries' it runs with.
out=$("$MESHDNS" --version 2>&1)
expect_eq "--version exits 0" "0" "$?"
expect_match "--version names meshdns's version" "^meshdns [0-9]+\.[0-9]+" "$out"
expect_match "--version names ldns, libyaml, yajl and libev" \
	"^ldns [0-9]+\.[0-9]+[.0-9]*, libyaml [0-9]+\.[0-9]+[.0-9]*, yajl [0-9]+\.[0-9]+\.[0-9]+, libev [0-9]+\.[0-9]+$" "$out"
expect_eq "-V is --version" "$out" "$("$MESHDNS" -V 2>&1)"

# A usage error: one line saying what is wrong, then where to look; exit 2.
usage_error() {
	local what=$1 want=$2
	shift 2
	out=$("$MESHDNS" "$@" 2>&1 </dev/null)
	expect_eq "$what exits 2" "2" "$?"
	expect_eq "$what: one line and the hint" \
		"$(printf '%s\n%s' "$want" "try 'meshdns --help'")" "$out"
}
usage_error "an unknown short option" "meshdns: unknown option -x" -x
usage_error "an unknown long option" "meshdns: unknown option --staus" --staus
usage_error "an ambiguous long option" \
	"meshdns: option --st is ambiguous: --state --status --strict --store" --st
usage_error "a value for a flag" "meshdns: option --check takes no value" \
	--check=yes
usage_error "a missing value" "meshdns: option -l needs a value" -t -l
usage_error "a missing long value" "meshdns: option --config needs a value" \
	--config
usage_error "a stray argument" 'meshdns: unexpected argument "help"' help
usage_error "a bad address" \
	'meshdns: -l bad: expected ADDRESS[:PORT] or [IPV6]:PORT, got "bad" (not a numeric IPv4 or IPv6 address)' \
	-l bad
out=$("$MESHDNS" --help 2>/dev/null)
expect_eq "--help exits 0" "0" "$?"
expect_match "--help prints the usage to stdout" "^usage: meshdns" "$out"

# -u with a path reads that file's nameservers ("resolv.conf" alone is
# /etc/resolv.conf).  Nothing is forwarded here: no query leaves meshdns.
printf 'nameserver 127.0.0.2\nnameserver ::1\n' >"$WORK/resolv.conf"
if start_meshdns -u "$WORK/resolv.conf" -u 127.0.0.3:5353; then
	out=$(grep "forward, upstream" "$LOG")
	expect_eq "-u PATH: the file's nameservers, then the address" \
		"$(printf '%s\n' "meshdns: notice: forward, upstream 127.0.0.2:53" \
			"meshdns: notice: forward, upstream [::1]:53" \
			"meshdns: notice: forward, upstream 127.0.0.3:5353")" "$out"
else
	fail "meshdns -u $WORK/resolv.conf did not start: $(cat "$LOG")"
fi
stop_meshdns
(cd "$WORK" && "$MESHDNS" -t -u ./resolv.conf >/dev/null 2>&1)
expect_eq "-u ./resolv.conf (a relative path) is no usage error" "0" "$?"
mkdir -p "$WORK/etc"
printf 'forward:\n  upstreams: [../resolv.conf]\n' >"$WORK/etc/fwd.yaml"
if start_meshdns -c "$WORK/etc/fwd.yaml"; then
	expect_match "forward.upstreams: a path relative to the config file" \
		"forward, upstream \[::1\]:53" "$(cat "$LOG")"
else
	fail "meshdns -c fwd.yaml did not start: $(cat "$LOG")"
fi
stop_meshdns
out=$("$MESHDNS" -f -l 127.0.0.1:1 -u "$WORK/nonexistent/resolv.conf" 2>&1)
expect_eq "-u with a missing file does not start" "1" "$?"
expect_match "-u with a missing file names it" \
	"error: forward, cannot read $WORK/nonexistent/resolv.conf \(No such file or directory\)" "$out"

# A config warning is said once, though the config is read twice (to
# start, then by the build).
printf 'vip:\n  hold: 1s\nresources: [zones/default]\nstate-file: hold.state\n' >"$WORK/hold.yaml"
out=$("$MESHDNS" -t -c "$WORK/hold.yaml" 2>&1)
expect_eq "-t: the vip.hold warning once" "1" "$(printf '%s\n' "$out" | grep -c "warning: vip.hold")"
expect_match "-t: the warning counted once" ", 1 warning$" "$out"
out=$("$MESHDNS" --status -c "$WORK/hold.yaml" 2>&1 >/dev/null)
expect_eq "--status: the vip.hold warning once" "1" "$(printf '%s\n' "$out" | grep -c "warning: vip.hold")"
if start_meshdns -c "$WORK/hold.yaml"; then
	expect_eq "start: the vip.hold warning once" "1" "$(grep -c "warning: vip.hold" "$LOG")"
else
	fail "meshdns -c hold.yaml did not start: $(cat "$LOG")"
fi
stop_meshdns

# The zone count tells the served zones from the pools' reverse zones.
out=$("$MESHDNS" -t -r "$WORK/zones/default" -s "$WORK/check.state" 2>&1)
expect_match "-t: served and reverse zones apart" \
	"^meshdns: 5 services, 49 names in 2 zones \(\+16 reverse\), 0 errors, 0 warnings$" "$out"
printf 'dns:\n  zones: [mesh.local]\n  ptr: false\n' >"$WORK/one.yaml"
out=$("$MESHDNS" -t -c "$WORK/one.yaml" 2>&1)
expect_match "-t: one zone, no reverse zone" " in 1 zone, 0 errors" "$out"
if start_meshdns -r "$WORK/zones/default"; then
	expect_match "start: served and reverse zones apart" \
		"serving generation 1: .* records in 2 zones \(\+16 reverse\); built in" "$(cat "$LOG")"
	cp "$WORK/zones/default/backend.yaml" "$WORK/zones/default/more.yaml"
	sed -i 's/^name: \(.*\)/name: \1-2/' "$WORK/zones/default/more.yaml"
	kill -HUP "$PID"
	if wait_log "serving generation 2"; then
		expect_match "reload: served and reverse zones apart" \
			"serving generation 2: .* records in 2 zones \(\+16 reverse\); built in" "$(cat "$LOG")"
	else
		fail "no generation 2 after SIGHUP: $(cat "$LOG")"
	fi
else
	fail "meshdns -r zones/default did not start: $(cat "$LOG")"
fi
stop_meshdns

# A config file in one of its own resource directories is no resource:
# -t passes, and reloads are not rejected because of it.
copy_zones
cat >"$WORK/zones/default/meshdns.yaml" <<'YAML'
resources: [.]
state-file: ../state
YAML
out=$("$MESHDNS" -t -c "$WORK/zones/default/meshdns.yaml" 2>&1)
expect_eq "-t, config among its resources: exit 0" "0" "$?"
expect_match "-t, config among its resources: no error" " 5 services, .* 0 errors, 0 warnings$" "$out"
if start_meshdns -c "$WORK/zones/default/meshdns.yaml"; then
	kill -HUP "$PID"
	if wait_log "reload, (nothing changed|rejected|failed)|serving generation 2"; then
		expect_match "reload, nothing changed: the config is not read as a resource" \
			"reload, nothing changed since generation 1" "$(cat "$LOG")"
	else
		fail "no reload after SIGHUP: $(cat "$LOG")"
	fi
	printf '# touched\n' >>"$WORK/zones/default/meshdns.yaml"
	kill -HUP "$PID"
	if wait_log "reload, (rejected|failed)|serving generation 2"; then
		expect_match "reload after a config change: not rejected" \
			"serving generation 2" "$(cat "$LOG")"
	else
		fail "no second reload after SIGHUP: $(cat "$LOG")"
	fi
else
	fail "meshdns -c zones/default/meshdns.yaml did not start: $(cat "$LOG")"
fi
stop_meshdns

# Paths in messages are normalised: no "/./" or "dir/../".
copy_zones
mkdir -p "$WORK/cfg"
printf 'type: MeshService\nname: %s\nmesh: default\n' \
	"a-name-of-sixty-four-characters-is-one-more-than-dns-allows-0123" \
	>"$WORK/zones/default/bad.yaml"
printf 'dns: {ttl: soon}\n' >"$WORK/bad-ttl.yaml"
out=$(cd "$WORK/cfg" && "$MESHDNS" -t -r ./../zones/./default/ -r ../nope 2>&1)
expect_match "a resource's position, normalised" \
	"^meshdns: $WORK/zones/default/bad\.yaml:2:7: error: " "$out"
expect_match "a missing path, normalised" \
	"^meshdns: error: -r: cannot read $WORK/nope: No such file or directory$" "$out"
expect_no_match "no ./ or ../ in any path" "/\.\.?/" "$out"
out=$(cd "$WORK/cfg" && "$MESHDNS" -t -c ./../cfg/../bad-ttl.yaml 2>&1)
expect_match "the config's position, normalised" \
	"^meshdns: $WORK/bad-ttl\.yaml:1:12: error: dns\.ttl: " "$out"
out=$(cd "$WORK/cfg" && "$MESHDNS" -t -c ./../nope.yaml 2>&1)
expect_match "a missing config, normalised" \
	"^meshdns: error: cannot read $WORK/nope\.yaml: No such file or directory$" "$out"

finish
