#!/usr/bin/env bash
# reload.sh - meshdns under load while its resource set changes and SIGHUP
# comes every second: no query may be lost or answered wrongly, and memory
# must come back to its level once the reloads stop.
#
# Generates N MeshServices svc-0 .. svc-(N-1) with gen-services.py and one
# more, svc-toggle, in a file of its own (resources/toggle.yaml).  Starts
# meshdns on 127.0.0.1 (pinned to CPU 0), finds its maximum rate with a
# short dnsperf run (pinned to CPU 1), then for SEC seconds:
#   - dnsperf at about half that rate, names that exist in every snapshot
#     (svc-<i> A and AAAA): every answer must be NOERROR, none lost;
#   - dnscheck.py (on CPU 1, ~1000 queries/s): every answer must be one of
#     the two snapshots' answers (svc-toggle: its VIP or NXDOMAIN; svc-<i>:
#     exactly its VIP from the state file; nx-<i>: NXDOMAIN; AAAA: NODATA);
#   - every INTERVAL seconds toggle.yaml is rewritten (atomically: the
#     service is there, then not) and meshdns gets SIGHUP.
# Then waits until the last reload has been served and measures PSS again.
#
# Usage: tests/bench/reload.sh [options]
#   -n N         number of MeshServices                        (default 10000)
#   -l SEC       duration of the loaded phase                  (default 30)
#   -i SEC       seconds between two SIGHUPs                   (default 1)
#   -r QPS       dnsperf rate (default: half of the rate measured in 5 s)
#   -m BIN       the meshdns binary         (default: src/meshdns of this tree)
#   -p PORT      port on 127.0.0.1                             (default 15310)
#   -M PCT       allowed PSS growth after the reloads, in %    (default 20)
#   -P 1|0       pin meshdns to CPU 0 and the clients to CPU 1 (default 1)
#   -o DIR       keep the work files (resources, logs) in DIR
#   -h           this help
#
# Output: the setup, the phases, then one line per check with "ok" or
# "FAILED", and "reload: PASS" or "reload: FAIL".  Exit status 0 on PASS.
set -u

HERE=$(cd "$(dirname "$0")" && pwd)
N=10000; DUR=30; INTERVAL=1; RATE=""; MESHDNS=$HERE/../../src/meshdns; PORT=15310
MEMPCT=20; PIN=1; KEEP=""
PY=/usr/bin/python3; [ -x "$PY" ] || PY=python3

usage() { sed -n '2,/^set -u/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'; }
while getopts "n:l:i:r:m:p:M:P:o:h" opt; do
  case $opt in
    n) N=$OPTARG ;; l) DUR=$OPTARG ;; i) INTERVAL=$OPTARG ;; r) RATE=$OPTARG ;;
    m) MESHDNS=$OPTARG ;; p) PORT=$OPTARG ;; M) MEMPCT=$OPTARG ;; P) PIN=$OPTARG ;;
    o) KEEP=$OPTARG ;; h) usage; exit 0 ;; *) usage >&2; exit 2 ;;
  esac
done
for tool in dnsperf "$PY" awk; do
  command -v "$tool" >/dev/null || { echo "reload.sh: $tool not found (tests/bench/install.sh installs it)" >&2; exit 2; }
done
[ -x "$MESHDNS" ] || { echo "reload.sh: $MESHDNS not found (make src/meshdns, or -m BIN)" >&2; exit 2; }

if [ -n "$KEEP" ]; then mkdir -p "$KEEP"; WORK=$(cd "$KEEP" && pwd); else WORK=$(mktemp -d "${TMPDIR:-/tmp}/reload.XXXXXX"); fi
PID=""; BG_PIDS=()
cleanup() {
  local p
  for p in "${BG_PIDS[@]:-}"; do [ -n "$p" ] && kill "$p" 2>/dev/null; done
  if [ -n "$PID" ]; then
    kill "$PID" 2>/dev/null
    for _ in $(seq 50); do kill -0 "$PID" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$PID" 2>/dev/null && kill -9 "$PID" 2>/dev/null
  fi
  wait 2>/dev/null
  [ -z "$KEEP" ] && rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

SRVPIN=(); CLIPIN=()
if [ "$PIN" = 1 ] && command -v taskset >/dev/null && [ "$(nproc)" -ge 2 ]; then
  SRVPIN=(taskset -c 0); CLIPIN=(taskset -c 1)
else PIN=0; fi

pss_kb() { awk '/^Pss:/{print $2}' "/proc/$1/smaps_rollup" 2>/dev/null || echo 0; }
served() { grep -c 'serving generation' "$WORK/meshdns.log" 2>/dev/null; }
alive() { kill -0 "$PID" 2>/dev/null; }
FAIL=0
verdict() { # label ok(0/1) text
  if [ "$2" = 1 ]; then printf "  %-34s ok      %s\n" "$1" "$3"
  else printf "  %-34s FAILED  %s\n" "$1" "$3"; FAIL=1; fi
}

# ---------------------------------------------------------------- data
# notice: meshdns logs "serving generation" for every snapshot it swaps in
"$PY" "$HERE/gen-services.py" -n "$N" -l notice "$WORK" || exit 2
TOGGLE=$WORK/resources/toggle.yaml
cat > "$WORK/toggle.on" <<'EOF'
# reload.sh toggles this service on and off
type: MeshService
name: svc-toggle
mesh: default
spec:
  selector:
    dataplaneTags:
      kuma.io/service: svc-toggle
  ports:
  - port: 80
    targetPort: 80
EOF
printf '# reload.sh: svc-toggle is off\n' > "$WORK/toggle.off"
set_toggle() { # on|off, atomically (the .tmp name is not read by meshdns)
  cp "$WORK/toggle.$1" "$TOGGLE.tmp" && mv -f "$TOGGLE.tmp" "$TOGGLE"
}
set_toggle on
QF=$WORK/queries.txt
awk -v n="$N" 'BEGIN{ srand(777); for (k = 0; k < 100000; k++)
  printf "svc-%d.mesh %s\n", int(rand()*n), (rand() < 0.5 ? "A" : "AAAA") }' > "$QF"

echo "# reload.sh: N=$N duration=${DUR}s SIGHUP every ${INTERVAL}s pin=$PIN port=$PORT cpus=$(nproc) load=$(cut -d' ' -f1-3 /proc/loadavg)"
echo "# meshdns: $MESHDNS"

# ---------------------------------------------------------------- start
"${SRVPIN[@]}" "$MESHDNS" -f -c "$WORK/meshdns.conf" -l "127.0.0.1:$PORT" > "$WORK/meshdns.log" 2>&1 &
PID=$!
up=0
for _ in $(seq 600); do
  alive || break
  if dig +tries=1 +time=1 +short -p "$PORT" @127.0.0.1 "svc-$((N-1)).mesh" A 2>/dev/null | grep -q '^241\.'; then up=1; break; fi
  sleep 0.1
done
if [ $up != 1 ]; then
  echo "reload.sh: meshdns did not start; log:"; tail -5 "$WORK/meshdns.log"; exit 1
fi
echo "# started, pid $PID"

# ---------------------------------------------------------------- max rate
if [ -z "$RATE" ]; then
  "${CLIPIN[@]}" dnsperf -s 127.0.0.1 -p "$PORT" -d "$QF" -l 5 -c 8 -T 2 -q 100 -t 2 > "$WORK/dnsperf-max.txt" 2>&1
  MAX=$(awk '/Queries per second:/{printf "%d", $4}' "$WORK/dnsperf-max.txt")
  [ -n "$MAX" ] && [ "$MAX" -gt 0 ] || { echo "reload.sh: dnsperf failed:"; tail -5 "$WORK/dnsperf-max.txt"; exit 1; }
  RATE=$((MAX / 2))
  echo "# maximum rate ${MAX} qps (5 s); the loaded phase runs at ${RATE} qps"
else
  echo "# the loaded phase runs at ${RATE} qps"
fi
sleep 1
PSS0=$(pss_kb "$PID")
GEN0=$(served)
echo "# PSS before the reloads: ${PSS0} kB"

# ---------------------------------------------------------------- loaded phase
"${CLIPIN[@]}" dnsperf -s 127.0.0.1 -p "$PORT" -d "$QF" -l "$DUR" -c 8 -T 2 -q 100 -t 2 -Q "$RATE" \
  > "$WORK/dnsperf.txt" 2>&1 &
DP=$!; BG_PIDS+=("$DP")
"${CLIPIN[@]}" "$PY" "$HERE/dnscheck.py" "$PORT" "$WORK/state" "$N" svc-toggle "$DUR" 1000 \
  > "$WORK/dnscheck.txt" 2>&1 &
CK=$!; BG_PIDS+=("$CK")

HUPS=0; PEAK=$PSS0; state=on; t_end=$(( $(date +%s) + DUR ))
while [ "$(date +%s)" -lt "$t_end" ] && alive; do
  sleep "$INTERVAL"
  if [ $state = on ]; then state=off; else state=on; fi
  set_toggle $state
  kill -HUP "$PID" 2>/dev/null && HUPS=$((HUPS + 1))
  p=$(pss_kb "$PID"); [ "${p:-0}" -gt "$PEAK" ] && PEAK=$p
done
wait "$DP"; wait "$CK"; CKRC=$?
BG_PIDS=()

# wait for the last reload to be served: the count of swapped-in snapshots
# stops growing (a SIGHUP during a build is coalesced into one more build)
last=-1; still=0
for _ in $(seq 600); do
  alive || break
  cur=$(served)
  if [ "$cur" = "$last" ]; then still=$((still + 1)); [ $still -ge 20 ] && break; else still=0; last=$cur; fi
  sleep 0.1
done
SERVED=$(( $(served) - GEN0 ))
sleep 1
PSS1=$(pss_kb "$PID")

# ---------------------------------------------------------------- checks
echo "# results:"
if ! alive; then
  verdict "meshdns running" 0 "it DIED; last log lines: $(tail -3 "$WORK/meshdns.log" | tr '\n' ' ')"
else
  verdict "meshdns running" 1 "pid $PID"
fi
read -r sent ndone lost qps noerr other <<< "$(awk '
  /Queries sent:/ {s=$3} /Queries completed:/ {c=$3} /Queries lost:/ {l=$3} /Queries per second:/ {q=$4}
  /Response codes:/ { x=$0; sub(/.*Response codes: */,"",x); n=split(x,a,/, */)
    for(i=1;i<=n;i++){ split(a[i],b," "); rc[b[1]]=b[2] } }
  END{ printf "%s %s %s %.0f %d %d", s, c, l, q, rc["NOERROR"], c-rc["NOERROR"] }' "$WORK/dnsperf.txt")"
if [ -z "${sent:-}" ]; then
  verdict "dnsperf" 0 "no result: $(tail -3 "$WORK/dnsperf.txt" | tr '\n' ' ')"
else
  verdict "dnsperf: no query lost" "$([ "$lost" = 0 ] && echo 1 || echo 0)" "sent $sent, completed $ndone, lost $lost, ${qps} qps"
  verdict "dnsperf: every answer NOERROR" "$([ "$other" = 0 ] && echo 1 || echo 0)" "NOERROR $noerr, other $other"
fi
ck=$(head -1 "$WORK/dnscheck.txt")
verdict "dnscheck: answers of a snapshot" "$([ "$CKRC" = 0 ] && echo 1 || echo 0)" "$ck"
grep '^wrong:' "$WORK/dnscheck.txt" | sed 's/^/    /'
read -r _ _ _ _ _ _ _ _ _ tp _ ta <<< "$ck"
verdict "both snapshots were served" "$([ "${tp:-0}" -gt 0 ] && [ "${ta:-0}" -gt 0 ] && echo 1 || echo 0)" \
  "svc-toggle present ${tp:-?} times, absent ${ta:-?} times"
verdict "reloads" "$([ "$SERVED" -gt 0 ] && echo 1 || echo 0)" "$HUPS SIGHUPs, $SERVED snapshots swapped in"
if grep -q 'error' "$WORK/meshdns.log"; then
  verdict "no error in the log" 0 "$(grep -m3 error "$WORK/meshdns.log" | tr '\n' ' ')"
else
  verdict "no error in the log" 1 ""
fi
# the final snapshot must match the final file
want=$([ $state = on ] && echo NOERROR || echo NXDOMAIN)
got=$(dig +tries=1 +time=2 -p "$PORT" @127.0.0.1 svc-toggle.mesh A 2>/dev/null | awk '/->>HEADER<</{gsub(",","");print $6}')
verdict "last reload applied" "$([ "$got" = "$want" ] && echo 1 || echo 0)" "svc-toggle is $state: $got"
okmem=$(awk -v a="$PSS0" -v b="$PSS1" -v p="$MEMPCT" 'BEGIN{print (b <= a*(1+p/100)) ? 1 : 0}')
verdict "memory back to its level" "$okmem" \
  "PSS before ${PSS0} kB, peak ${PEAK} kB, after ${PSS1} kB ($(awk -v a="$PSS0" -v b="$PSS1" 'BEGIN{printf "%+.1f%%", (b-a)*100/a}'); allowed +${MEMPCT}%)"
if [ $FAIL = 0 ]; then echo "reload: PASS"; else echo "reload: FAIL"; fi
exit $FAIL
