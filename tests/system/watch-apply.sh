#!/bin/bash
# watch-apply.sh -- a watched change is applied to the snapshot served
# (build_apply), not built in full: an edit, a new file and a removed
# file of MeshServices and a HostnameGenerator edit (the names of the
# services it selects computed again) are applied incrementally; the
# log line and meshdns_build_applies_total say which.  Many edits while
# queries and /status.json scrapes run leave meshdns serving what a fresh
# start on the same files serves (under the sanitizer pass: no use after
# free of a replaced file's resources).
. "${SRCDIR:?SRCDIR must name the source tree}/tests/system/lib.sh" || exit 1

command -v curl >/dev/null 2>&1 || {
	echo "FAIL: curl is not installed (contrib/bootstrap.sh installs it)"
	exit 1
}

copy_zones
Z="$WORK/zones/default"
HPORT=$(free_tcp_port)
printf 'http:\n  listen: [127.0.0.1:%s]\n' "$HPORT" >"$WORK/meshdns.yaml"
URL="http://127.0.0.1:$HPORT"
start_meshdns -c "$WORK/meshdns.yaml" -r "$Z" -s "$WORK/state" || {
	fail "meshdns did not start"
	finish
}
wait_log "http on 127\.0\.0\.1:$HPORT" || fail "no 'http on' line"

# wait_answer WHAT NAME TYPE EXPECTED (10 s at most: a bound for slow
# machines, not a timing assertion).
wait_answer() {
	got=""
	for _ in $(seq 200); do
		got=$(dig_short "$2" "$3")
		[ "$got" = "$4" ] && break
		sleep 0.05
	done
	expect_eq "$1" "$4" "$got"
}

# applies HOW: meshdns_build_applies_total{how="HOW"}.
applies() {
	curl -s "$URL/metrics" |
		sed -n "s/^meshdns_build_applies_total{how=\"$1\"} \([0-9]*\)$/\1/p"
}

expect_eq "no apply yet: incremental" "0" "$(applies incremental)"
expect_eq "no apply yet: full" "0" "$(applies full)"

# An edit of a MeshService.
sed -i 's/^  - port: 6739$/  - port: 6740/' "$Z/redis.yaml"
wait_answer "an edit is served" _6740._tcp.redis.svc.mesh.local SRV \
	"0 0 6740 redis.svc.mesh.local."
wait_log "info: applied 1 change \(MeshService default/redis\) incrementally in [0-9.]+ ms" ||
	fail "an edit: no 'applied ... incrementally' line"
expect_eq "an edit: counted incremental" "1" "$(applies incremental)"
expect_eq "an edit: the VIP stays" "241.0.0.5" "$(dig_short redis.svc.mesh.local)"

# A new file.
cat >"$Z/cache.yaml" <<'YAML'
type: MeshService
name: cache
mesh: default
spec:
  ports:
  - port: 11211
    targetPort: 11211
YAML
wait_answer "a new file is served" cache.svc.mesh.local A 241.0.0.6
wait_log "info: applied 1 change \(MeshService default/cache\) incrementally" ||
	fail "a new file: no 'applied ... incrementally' line"
expect_eq "a new file: counted incremental" "2" "$(applies incremental)"

# A removed file.
rm "$Z/frontend.yaml"
wait_answer "a removed file's service is gone" frontend.svc.mesh.local A ""
wait_log "info: applied 1 change \(MeshService default/frontend\) incrementally" ||
	fail "a removed file: no 'applied ... incrementally' line"
expect_eq "a removed file: counted incremental" "3" "$(applies incremental)"
expect_eq "nothing was built in full yet" "0" "$(applies full)"

# A HostnameGenerator edit renames every service it selects: applied.
sed -i 's/{{ .DisplayName }}.svc.mesh.local/{{ .DisplayName }}.renamed.mesh.local/' \
	"$Z/hostname-generators.yaml"
wait_answer "a generator edit renames" redis.renamed.mesh.local A 241.0.0.5
expect_eq "a generator edit: the old name is gone" "" \
	"$(dig_short redis.svc.mesh.local A)"
wait_log "info: applied 1 change \(HostnameGenerator local-universal-mesh-service\) incrementally in [0-9.]+ ms" ||
	fail "a generator edit: no 'applied ... incrementally' line"
expect_eq "a generator edit: counted incremental" "4 0" \
	"$(applies incremental) $(applies full)"
sed -i 's/{{ .DisplayName }}.renamed.mesh.local/{{ .DisplayName }}.svc.mesh.local/' \
	"$Z/hostname-generators.yaml"
wait_answer "the generator put back" redis.svc.mesh.local A 241.0.0.5
expect_no_match "no SIGHUP was needed" "SIGHUP received" "$(cat "$LOG")"

# Many edits while queries and scrapes run: every build borrows the
# resources of files replaced meanwhile.
( while :; do
	dig_q +short redis.svc.mesh.local >/dev/null
	dig_q +short _http._tcp.backend.svc.mesh.local SRV >/dev/null
  done ) &
QPID=$!
( while :; do
	curl -s "$URL/status.json" >/dev/null
	curl -s "$URL/metrics" >/dev/null
  done ) &
CPID=$!
for i in $(seq 1 40); do
	sed -i "s/^  - port: 67[0-9][0-9]\$/  - port: $((6740 + i))/" "$Z/redis.yaml"
	sed "s/port: 11211/port: $((12000 + i))/" "$Z/cache.yaml" >"$Z/cache2.yaml.tmp"
	sed -i 's/name: cache$/name: cache2/' "$Z/cache2.yaml.tmp"
	mv "$Z/cache2.yaml.tmp" "$Z/cache2.yaml"
	sleep 0.15
done
kill "$QPID" "$CPID"
wait "$QPID" "$CPID" 2>/dev/null
wait_answer "after 40 edits: the last port is served" \
	_6780._tcp.redis.svc.mesh.local SRV "0 0 6780 redis.svc.mesh.local."
wait_answer "after 40 edits: the last file is served" \
	_12040._tcp.cache2.svc.mesh.local SRV "0 0 12040 cache2.svc.mesh.local."
expect_eq "meshdns still runs" "0" "$(kill -0 "$PID" 2>/dev/null; echo $?)"
inc=$(applies incremental)
[ "${inc:-0}" -ge 20 ] && pass "many edits: applied incrementally ($inc)" ||
	fail "many edits: only ${inc:-0} incremental applies"
# The status is made when asked for (http_publish() lazily), from the
# generation served last: its gauge and /status.json say the last edit.
last=$(sed -n 's/.*serving generation \([0-9]*\):.*/\1/p' "$LOG" | tail -1)
expect_match "the status shows the generation served last" \
	"^meshdns_generation $last\$" "$(curl -s "$URL/metrics")"
expect_match "/status.json shows the last edit" '"port": ?12040' \
	"$(curl -s "$URL/status.json" | tr ',' '\n')"

# What a fresh start on the same files serves.
answers() {
	for n in backend frontend postgres redis billing cache cache2; do
		for q in "$n.svc.mesh.local A" "$n.mesh A" \
			 "_6780._tcp.$n.svc.mesh.local SRV" \
			 "_12040._tcp.$n.svc.mesh.local SRV" \
			 "_http._tcp.$n.svc.mesh.local SRV"; do
			set -- $q
			echo "$1 $2: $(dig_q +noall +answer "$1" "$2" | awk '{$2=""; print}' | sort | tr '\n' ' ')"
		done
	done
}
applied=$(answers)
cp "$WORK/state" "$WORK/state.fresh"
cp "$LOG" "$WORK/applied.log"
stop_meshdns
start_meshdns -r "$Z" -s "$WORK/state.fresh" || fail "the fresh start"
expect_eq "a fresh start gives the same answers" "$(answers)" "$applied"
expect_match "the answers compared include the last file" \
	"^cache2\.svc\.mesh\.local A: cache2\.svc\.mesh\.local\. +IN A 241\." "$applied"

if [ "$FAILS" -ne 0 ]; then
	echo "--- the log of the run that applied the changes ---"
	cat "$WORK/applied.log"
fi
finish
