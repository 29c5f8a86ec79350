#!/bin/bash
# libraries.sh -- the libraries of optional features are mapped only when
# their key is set: a meshdns with none of store:, http.listen: and
# dnstap.socket: maps neither libpq, libmicrohttpd, libfstrm nor
# libprotobuf-c (nor gnutls, which the first two pull in), and never
# libsystemd (its readiness messages are written by hand); each key maps
# its own, and only its own, as /proc/PID/maps shows.
. "$SRCDIR/tests/system/lib.sh"
. "$SRCDIR/tests/system/store/lib.sh"

ALL="libpq libmicrohttpd libfstrm libprotobuf-c libsystemd"

# mapped: the optional libraries in meshdns's maps now, in $ALL's order.
mapped() {
	local l out=""
	for l in $ALL; do
		if grep -q "/$l\.so" "/proc/$PID/maps"; then
			out="$out $l"
		fi
	done
	echo "${out# }"
}

copy_zones
start_meshdns -r "$WORK/zones/default" -s "$WORK/state" || {
	fail "meshdns did not start"
	finish
}
expect_eq "no optional library without their keys" "" "$(mapped)"
# gnutls comes with libmicrohttpd (and with libpq's ldap).
expect_eq "... nor gnutls" "0" "$(grep -c '/libgnutls\.so' "/proc/$PID/maps")"
expect_eq "... and it answers" "241.0.0.5" "$(dig_short redis.svc.mesh.local)"
kill -HUP "$PID"
wait_log "reload, nothing changed|serving generation 2" ||
	fail "no reload after SIGHUP"
expect_eq "... nor after a reload" "" "$(mapped)"
stop_meshdns

HPORT=$(free_tcp_port)
printf 'http:\n  listen: [127.0.0.1:%s]\n' "$HPORT" >"$WORK/http.yaml"
start_meshdns -c "$WORK/http.yaml" -r "$WORK/zones/default" \
	-s "$WORK/state" || {
	fail "meshdns did not start with http.listen"
	finish
}
expect_eq "http.listen: libmicrohttpd only" "libmicrohttpd" "$(mapped)"
expect_eq "... and it serves /health" "OK" \
	"$(curl -s "http://127.0.0.1:$HPORT/health")"
stop_meshdns

# No collector: meshdns starts, and tries every second.
printf 'dnstap:\n  socket: %s\n' "$WORK/dnstap.sock" >"$WORK/dnstap.yaml"
start_meshdns -c "$WORK/dnstap.yaml" -r "$WORK/zones/default" \
	-s "$WORK/state" || {
	fail "meshdns did not start with dnstap.socket"
	finish
}
expect_eq "dnstap.socket: libfstrm and libprotobuf-c only" \
	"libfstrm libprotobuf-c" "$(mapped)"
stop_meshdns

pg_start
kuma_mesh default
kuma_default_generator
kuma_ms default redis 6379 241.0.0.7
start_meshdns --store "$(pg_conninfo)" -s "$WORK/state.store" || {
	fail "meshdns did not start with store"
	finish
}
expect_eq "store: libpq only" "libpq" "$(mapped)"
expect_eq "... and it serves the store" "241.0.0.7" \
	"$(dig_short redis.svc.mesh.local A)"
stop_meshdns
finish
