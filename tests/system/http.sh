#!/bin/bash
# http.sh -- http.listen: /metrics (promtool, counters that move by the
# queries sent), /health, /ready, the status page, /status.json, a bad
# address.
. "${SRCDIR:?SRCDIR must name the source tree}/tests/system/lib.sh" || exit 1

for tool in curl promtool python3; do
	command -v "$tool" >/dev/null 2>&1 ||
		{ fail "$tool is not installed (contrib/bootstrap.sh installs it)"; finish; }
done

copy_zones
HPORT=$(free_tcp_port)
printf 'http:\n  listen: [127.0.0.1:%s, "[::1]:%s"]\n' "$HPORT" "$HPORT" >"$WORK/meshdns.yaml"
start_meshdns -c "$WORK/meshdns.yaml" -r "$WORK/zones/default" -s "$WORK/state" || {
	fail "meshdns did not start"
	finish
}
URL="http://127.0.0.1:$HPORT"
wait_log "http on \[::1\]:$HPORT" || fail "no 'http on' line"

# /health and /ready, on both addresses.
expect_eq "/health is 200" "200" "$(curl -s -o /dev/null -w '%{http_code}' "$URL/health")"
expect_eq "/health says OK" "OK" "$(curl -s "$URL/health")"
expect_eq "/ready is 200 once serving" "200" "$(curl -s -o /dev/null -w '%{http_code}' "$URL/ready")"
expect_eq "/ready says OK" "OK" "$(curl -s "$URL/ready")"
expect_eq "[::1] answers too" "OK" "$(curl -s "http://[::1]:$HPORT/health")"
expect_eq "an unknown path is 404" "404" "$(curl -s -o /dev/null -w '%{http_code}' "$URL/nope")"

# /metrics: valid for promtool, and the counters move by what was sent.
m0=$(curl -s "$URL/metrics")
if printf '%s\n' "$m0" | promtool check metrics >"$WORK/promtool.out" 2>&1; then
	pass "promtool check metrics accepts /metrics"
else
	fail "promtool check metrics: $(cat "$WORK/promtool.out")"
fi
expect_match "the content type is Prometheus text 0.0.4" "^Content-Type: text/plain; version=0.0.4" \
	"$(curl -s -D - -o /dev/null "$URL/metrics" | tr -d '\r')"
val() {	# val METRICS SERIES: the value of one series (0 when absent)
	v=$(printf '%s\n' "$1" | grep -F "$2 " | awk '{print $2}')
	echo "${v:-0}"
}
srv="server=\"dns://127.0.0.1:$PORT\""
a_udp="meshdns_dns_requests_total{$srv,proto=\"udp\",family=\"1\",type=\"A\"}"
srv_tcp="meshdns_dns_requests_total{$srv,proto=\"tcp\",family=\"1\",type=\"SRV\"}"
nx="meshdns_dns_responses_total{$srv,rcode=\"NXDOMAIN\"}"
ok="meshdns_dns_responses_total{$srv,rcode=\"NOERROR\"}"
refused="meshdns_dns_responses_total{$srv,rcode=\"REFUSED\"}"
cnt="meshdns_dns_request_duration_seconds_count{$srv}"
for i in 1 2 3 4 5 6 7; do dig_q redis.svc.mesh.local A >/dev/null; done
for i in 1 2 3; do dig_q nothing-here.mesh.local A >/dev/null; done
for i in 1 2; do dig_q +tcp _http._tcp.backend.svc.mesh.local SRV >/dev/null; done
dig_q example.org A >/dev/null
m1=$(curl -s "$URL/metrics")
expect_eq "A over UDP/IPv4 moved by the 11 sent" "$(( $(val "$m0" "$a_udp") + 11 ))" "$(val "$m1" "$a_udp")"
expect_eq "SRV over TCP moved by the 2 sent" "$(( $(val "$m0" "$srv_tcp") + 2 ))" "$(val "$m1" "$srv_tcp")"
expect_eq "NXDOMAIN responses moved by 3" "$(( $(val "$m0" "$nx") + 3 ))" "$(val "$m1" "$nx")"
expect_eq "NOERROR responses moved by 9" "$(( $(val "$m0" "$ok") + 9 ))" "$(val "$m1" "$ok")"
expect_eq "REFUSED responses moved by 1" "$(( $(val "$m0" "$refused") + 1 ))" "$(val "$m1" "$refused")"
expect_eq "the duration histogram counted the 13 answers" "$(( $(val "$m0" "$cnt") + 13 ))" "$(val "$m1" "$cnt")"
expect_match "build_info has the version" '^meshdns_build_info\{version="[^"]+".*\} 1$' "$m1"
expect_match "the generation is 1" '^meshdns_generation 1$' "$m1"
expect_match "services by kind" '^meshdns_services\{kind="MeshService"\} 5$' "$m1"
expect_match "VIP pool usage: assigned" '^meshdns_vip_pool_addresses\{pool="meshService",cidr="241.0.0.0/8",state="assigned"\} 5$' "$m1"
expect_match "VIP pool usage: free" '^meshdns_vip_pool_addresses\{pool="meshService",cidr="241.0.0.0/8",state="free"\} 16777209$' "$m1"
expect_match "the start's build is counted" '^meshdns_builds_total\{result="success"\} 1$' "$m1"

# A reload: counted by result.
kill -HUP "$PID"
wait_log "reload, nothing changed" || fail "no reload"
m2=$(curl -s "$URL/metrics")
expect_match "an unchanged reload is counted" '^meshdns_reloads_total\{result="unchanged"\} 1$' "$m2"
echo "# touched" >>"$WORK/zones/default/redis.yaml"
kill -HUP "$PID"
wait_log "serving generation 2" || fail "no generation 2"
m3=$(curl -s "$URL/metrics")
expect_match "a successful reload is counted" '^meshdns_reloads_total\{result="success"\} 1$' "$m3"
expect_match "and its build" '^meshdns_builds_total\{result="success"\} 2$' "$m3"
expect_match "the generation is 2" '^meshdns_generation 2$' "$m3"

# The status page: hostnames, VIPs and the filter.
page=$(curl -s "$URL/")
expect_match "the page shows redis's hostname" "redis\.svc\.mesh\.local" "$page"
expect_match "the page shows redis's VIP" "241\.0\.0\.5" "$page"
page=$(curl -s "$URL/?q=REDIS")
expect_match "?q=REDIS keeps redis" "redis\.svc\.mesh\.local" "$page"
expect_no_match "?q=REDIS drops backend" "backend\.svc\.mesh\.local" "$page"
page=$(curl -s -G --data-urlencode "q=<img src=x>" "$URL/")
expect_match "the filter text is escaped when echoed" 'value="&lt;img src=x&gt;"' "$page"
expect_no_match "no raw tag from the filter" "<img" "$page"

# /status.json: the same as --status.
curl -s "$URL/status.json" >"$WORK/status.json"
if python3 -m json.tool "$WORK/status.json" >/dev/null 2>&1; then
	pass "/status.json parses"
else
	fail "/status.json does not parse: $(head -c 300 "$WORK/status.json")"
fi
"$MESHDNS" --status -c "$WORK/meshdns.yaml" -r "$WORK/zones/default" -s "$WORK/state" >"$WORK/status.yaml" 2>/dev/null
same=$(python3 - "$WORK/status.yaml" "$WORK/status.json" <<'PY'
import json, sys, yaml
a = [d for d in yaml.safe_load_all(open(sys.argv[1])) if d is not None]
b = json.load(open(sys.argv[2]))
print("same" if a == b else "differ: %r\n%r" % (a, b))
PY
)
expect_eq "/status.json is --status as JSON" "same" "$same"
# http.listen applies at start only: a reload warns and keeps serving.
cp "$WORK/meshdns.yaml" "$WORK/meshdns.yaml.good"
printf 'http:\n  listen: 127.0.0.1:%s\n' "$((HPORT + 3))" >"$WORK/meshdns.yaml"
kill -HUP "$PID"
wait_log "settings that apply at start only differ" || fail "no start-only warning"
expect_match "the warning names http.listen and what is in effect" \
	"http\.listen \(in effect: 127\.0\.0\.1:$HPORT, \[::1\]:$HPORT\)" "$(cat "$LOG")"
expect_eq "the endpoint in effect still answers" "OK" "$(curl -s "$URL/health")"
cp "$WORK/meshdns.yaml.good" "$WORK/meshdns.yaml"
stop_meshdns

# A hostile template: the condition quoting it is escaped and stands out.
cat >"$WORK/zones/default/hostile.yaml" <<'YAML'
type: HostnameGenerator
name: hostile-gen
spec:
  selector:
    meshService:
      matchLabels:
        team: db-operators
  template: "{{ .DisplayName }}.<script>alert('x')</script>&.mesh.local"
YAML
# Two upstreams that refuse (nothing listens): per-upstream counters.
UP1="127.0.0.1:$((HPORT + 1))"
UP2="127.0.0.1:$((HPORT + 2))"
KEEP_PORT=1 start_meshdns -c "$WORK/meshdns.yaml" -r "$WORK/zones/default" -s "$WORK/state" \
	-u "$UP1" -u "$UP2" || fail "meshdns did not start again"
wait_log "http on \[::1\]:$HPORT" || fail "no 'http on' line"
page=$(curl -s "$URL/")
expect_match "the page escapes a hostile template" "redis\.&lt;script&gt;alert\(&#39;x&#39;\)&lt;/script&gt;&amp;\.mesh\.local" "$page"
expect_no_match "the page never holds the raw script tag" "<script>" "$page"
expect_match "the service with a problem stands out" '<tr class="problem"><td class="kind">MeshService</td><td class="name">redis' "$page"
out=$(dig_q example.org A)
expect_match "both upstreams refused: SERVFAIL" "status: SERVFAIL" "$out"
m=$(curl -s "$URL/metrics")
expect_match "dnstap drops are a counter, 0 without dnstap" "^meshdns_dnstap_dropped_total 0$" "$m"
expect_match "one attempt to the first upstream" "^meshdns_forward_requests_total\{to=\"$UP1\"\} 1$" "$m"
expect_match "one failover away from it" "^meshdns_forward_failovers_total\{to=\"$UP1\"\} 1$" "$m"
expect_match "one attempt to the second" "^meshdns_forward_requests_total\{to=\"$UP2\"\} 1$" "$m"
expect_match "no answer from the second" "^meshdns_forward_responses_total\{to=\"$UP2\"\} 0$" "$m"
expect_match "the SERVFAIL is counted" "^meshdns_dns_responses_total\{server=\"dns://127.0.0.1:$PORT\",rcode=\"SERVFAIL\"\} 1$" "$m"
if printf '%s\n' "$m" | promtool check metrics >"$WORK/promtool.out" 2>&1; then
	pass "promtool accepts /metrics with upstreams"
else
	fail "promtool check metrics: $(cat "$WORK/promtool.out")"
fi
stop_meshdns

# A bad http.listen is a clear error at start, naming the address.
python3 -c 'import socket,time,sys; s=socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(("127.0.0.1",int(sys.argv[1]))); s.listen(1); time.sleep(10)' "$HPORT" &
holder=$!
i=0
while [ $i -lt 100 ] && ! ss -ltn "sport = :$HPORT" | grep -q LISTEN; do
	sleep 0.1
	i=$((i + 1))
done
printf 'http:\n  listen: 127.0.0.1:%s\n' "$HPORT" >"$WORK/busy.yaml"
timeout 10 "$MESHDNS" -f -c "$WORK/busy.yaml" -l "127.0.0.1:$((PORT + 1))" -r "$WORK/zones/default" >"$WORK/busy.log" 2>&1
rc=$?
kill "$holder" 2>/dev/null; wait "$holder" 2>/dev/null
expect_eq "a busy http.listen stops the start" "1" "$rc"
expect_match "and says which address" "http\.listen: 127\.0\.0\.1:$HPORT is already in use by another process" "$(cat "$WORK/busy.log")"
printf 'http:\n  listen: 127.0.0.1:99999\n' >"$WORK/bad.yaml"
out=$("$MESHDNS" -t -c "$WORK/bad.yaml" -r "$WORK/zones/default" 2>&1)
expect_match "a malformed http.listen is a config error with its position" "bad\.yaml:2:[0-9]+: error: http\.listen: " "$out"

finish
