#!/bin/bash
# make-run.sh -- `make run PORT=...`: two example zones side by side, each
# on its own port; the banner names the port.
. "${SRCDIR:?SRCDIR must name the source tree}/tests/system/lib.sh" || exit 1

: "${BUILDDIR:?BUILDDIR must name the build directory (make check sets it)}"
command -v setsid >/dev/null 2>&1 || { fail "setsid not found (util-linux, which contrib/bootstrap.sh installs)"; finish; }
PIDS=()
stop_runs() {
	for p in "${PIDS[@]}"; do
		kill -TERM -- "-$p" 2>/dev/null
		wait "$p" 2>/dev/null
	done
	PIDS=()
}
trap 'stop_runs; cleanup' EXIT

# run_zone ZONE PORT: `make run` in its own process group (so that the
# meshdns under make stops with it); 0 once it serves.
run_zone() {
	out="$WORK/run-$1.log"
	(unset MAKEFLAGS MFLAGS MAKELEVEL
	 exec setsid make -s -C "$BUILDDIR" run ZONE="$1" PORT="$2" \
		RUN_STATE="$WORK/$1.state") >"$out" 2>&1 &
	PIDS+=($!)
	i=0
	while [ $i -lt 100 ]; do
		grep -q "serving generation 1" "$out" && return 0
		kill -0 "${PIDS[-1]}" 2>/dev/null || return 1
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}

tries=0
while :; do
	tries=$((tries + 1))
	east=$(( (RANDOM % 30000) + 20000 ))
	west=$((east + 1))
	if run_zone multizone-east "$east" && run_zone multizone-west "$west"; then
		break
	fi
	stop_runs
	if [ $tries -ge 5 ] || ! grep -qs "already in use" "$WORK"/run-*.log; then
		fail "make run did not start: $(cat "$WORK"/run-*.log)"
		finish
	fi
done
expect_match "the banner names the port" \
	"^meshdns: serving .*/zones/multizone-east on 127\.0\.0\.1:$east \(Ctrl-C stops\)$" \
	"$(cat "$WORK/run-multizone-east.log")"
expect_match "the other one's too" \
	"^meshdns: serving .*/zones/multizone-west on 127\.0\.0\.1:$west \(Ctrl-C stops\)$" \
	"$(cat "$WORK/run-multizone-west.log")"
expect_match "the dig hint has the port" "try: dig @127\.0\.0\.1 -p $west " \
	"$(cat "$WORK/run-multizone-west.log")"
# Each zone knows the other's services by the other's name: east serves
# redis.svc.west.mesh.local, west serves redis.svc.east.mesh.local.
PORT=$east
expect_match "east answers from its own data" "status: NOERROR" \
	"$(dig_q redis.svc.west.mesh.local)"
expect_match "east does not have west's view" "status: NXDOMAIN" \
	"$(dig_q redis.svc.east.mesh.local)"
PORT=$west
expect_match "west answers from its own data, side by side" \
	"status: NOERROR" "$(dig_q redis.svc.east.mesh.local)"
expect_match "west does not have east's view" "status: NXDOMAIN" \
	"$(dig_q redis.svc.west.mesh.local)"
stop_runs
finish
