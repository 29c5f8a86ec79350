#!/usr/bin/env bash
# scale.sh - how meshdns's build cost grows with the number of MeshServices.
#
# For each size N (MeshServices svc-0 .. svc-(N-1) with one
# HostnameGenerator "{{ .Name }}.mesh", written by gen-services.py):
#   - `meshdns -t -c meshdns.conf`: wall time and maximum RSS (/usr/bin/time)
#   - the daemon, fresh start (no state file): time from exec to answering
#     svc-(N-1).mesh, its PSS, then a SIGHUP reload of the same set (time
#     until the new snapshot is served) and the PSS 1 s after it
#   - the daemon again, now with the state file: restart time and PSS
# The server runs on CPU 0, the poller on CPU 1 (-P 0: no pinning).
# Prints a Markdown table (for the README), then the growth between
# consecutive sizes as an exponent: cost ~ N^e, e = log(c2/c1) / log(N2/N1);
# e = 1 is linear, e < 1 means fixed costs still show.  Verdict "linear"
# when no e of a cost that is large enough to measure (times >= 50 ms,
# memory >= 20 MB at the larger size) exceeds 1.15.
#
# Usage: tests/bench/scale.sh [options]
#   -s LIST   sizes, comma separated            (default 1000,10000,100000)
#             (1000000 works: about 2 minutes and several GB here)
#   -m BIN    the meshdns binary    (default: src/meshdns of this tree)
#   -p PORT   port on 127.0.0.1                  (default 15311)
#   -P 1|0    pin as above                       (default 1)
#   -w SEC    give up on a start after SEC       (default 600)
#   -o DIR    keep the generated files in DIR (default: a temp dir, removed)
#   -h        this help
# Exit status 0 when every run worked and the growth is linear.
set -u

HERE=$(cd "$(dirname "$0")" && pwd)
SIZES=1000,10000,100000; MESHDNS=$HERE/../../src/meshdns; PORT=15311; PIN=1; WAIT=600; KEEP=""
PY=/usr/bin/python3; [ -x "$PY" ] || PY=python3

usage() { sed -n '2,/^set -u/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'; }
while getopts "s:m:p:P:w:o:h" opt; do
  case $opt in
    s) SIZES=$OPTARG ;; m) MESHDNS=$OPTARG ;; p) PORT=$OPTARG ;; P) PIN=$OPTARG ;;
    w) WAIT=$OPTARG ;; o) KEEP=$OPTARG ;; h) usage; exit 0 ;; *) usage >&2; exit 2 ;;
  esac
done
[ -x /usr/bin/time ] || { echo "scale.sh: /usr/bin/time not found (tests/bench/install.sh installs it)" >&2; exit 2; }
[ -x "$MESHDNS" ] || { echo "scale.sh: $MESHDNS not found (make src/meshdns, or -m BIN)" >&2; exit 2; }
MESHDNS=$(cd "$(dirname "$MESHDNS")" && pwd)/$(basename "$MESHDNS")

if [ -n "$KEEP" ]; then mkdir -p "$KEEP"; WORK=$(cd "$KEEP" && pwd); else WORK=$(mktemp -d "${TMPDIR:-/tmp}/scale.XXXXXX"); fi
cleanup() { [ -z "$KEEP" ] && rm -rf "$WORK"; }
trap cleanup EXIT
trap 'exit 130' INT TERM

SRVPIN=(); POLLCPU=()
if [ "$PIN" = 1 ] && command -v taskset >/dev/null && [ "$(nproc)" -ge 2 ]; then
  SRVPIN=(taskset -c 0); POLLCPU=(-c 1)
else PIN=0; fi

echo "# scale.sh: sizes $SIZES, pin=$PIN, cpus=$(nproc), load=$(cut -d' ' -f1-3 /proc/loadavg)"
echo "# meshdns: $MESHDNS ($("$MESHDNS" -V 2>&1 | head -1))"
RES=$WORK/results.txt; : > "$RES"
FAIL=0
IFS=, read -r -a sizes <<< "$SIZES"
for n in "${sizes[@]}"; do
  d=$WORK/n$n
  t0=$EPOCHREALTIME
  # notice: the "serving generation" line that times the reload
  "$PY" "$HERE/gen-services.py" -n "$n" -l notice "$d" || exit 2
  gen_s=$(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN{printf "%.1f", b-a}')
  yaml_mb=$(du -sk "$d/resources" | awk '{printf "%.1f", $1/1024}')
  echo "# N=$n: YAML ${yaml_mb} MB written in ${gen_s} s" >&2

  # the check: time and maximum RSS
  "${SRVPIN[@]}" /usr/bin/time -f "%e %M" -o "$d/time.txt" "$MESHDNS" -t -c "$d/meshdns.conf" > "$d/check.log" 2>&1
  crc=$?
  read -r check_s check_kb < "$d/time.txt"
  if [ $crc != 0 ]; then
    echo "# N=$n: meshdns -t failed ($crc): $(grep -v '^Command' "$d/check.log" | tail -2 | tr '\n' ' ')"; FAIL=1
  fi

  # fresh start + reload of the same set
  rm -f "$d/state"
  # (-T: a comment in a file, so that the reload builds the same set)
  fresh=$("$PY" "$HERE/mdstart.py" "${POLLCPU[@]}" -H -T "$d/resources/generator.yaml" -w "$WAIT" -L "$d/fresh.log" "$PORT" "svc-$((n-1)).mesh" \
    "${SRVPIN[@]}" "$MESHDNS" -f -c "$d/meshdns.conf" -l "127.0.0.1:$PORT") || { echo "# N=$n: fresh start: $fresh"; FAIL=1; }
  # restart with the state file
  warm=$("$PY" "$HERE/mdstart.py" "${POLLCPU[@]}" -w "$WAIT" -L "$d/warm.log" "$PORT" "svc-$((n-1)).mesh" \
    "${SRVPIN[@]}" "$MESHDNS" -f -c "$d/meshdns.conf" -l "127.0.0.1:$PORT") || { echo "# N=$n: restart: $warm"; FAIL=1; }
  get() { awk -v k="$1" '{for (i = 1; i < NF; i++) if ($i == k) {print $(i+1); exit}}' <<< "$2"; }
  printf "%s %s %s %s %s %s %s %s %s %s\n" "$n" "$yaml_mb" "$check_s" "$check_kb" \
    "$(get start_ms "$fresh")" "$(get start_ms "$warm")" "$(get pss_kB "$fresh")" \
    "$(get reload_ms "$fresh")" "$(get pss_after_kB "$fresh")" "$(get pss_kB "$warm")" >> "$RES"
  # the next size must not find this one's files on the disk cache's account
  [ -z "$KEEP" ] && rm -rf "$d"
done

echo
echo "| MeshServices | YAML MB | \`-t\` s | \`-t\` max RSS MB | start ms (fresh) | start ms (restart) | PSS MB | reload ms | PSS after reload MB | start µs/service | PSS kB/service |"
echo "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
awk '
  function mb(k) { return (k ~ /^[0-9]+$/) ? sprintf("%.1f", k/1024) : "-" }
  function v(x) { return (x == "") ? "-" : x }
  { n=$1
    us = ($5 ~ /^[0-9.]+$/) ? sprintf("%.1f", $5*1000/n) : "-"
    kb = ($7 ~ /^[0-9]+$/) ? sprintf("%.2f", $7/n) : "-"
    printf "| %d | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", n, $2, v($3), mb($4), v($5), v($6), mb($7), v($8), mb($9), us, kb }' "$RES"
echo
echo "# growth exponent between consecutive sizes (cost ~ N^e; 1 = linear):"
awk -v fail="$FAIL" '
  function e(c1, c2, n1, n2) { return (c1 > 0 && c2 > 0) ? log(c2/c1)/log(n2/n1) : "" }
  function show(name, c1, c2, min,   x, s) {
    x = e(c1, c2, pn, n)
    if (x == "") { printf "  %s -", name; return }
    s = (c2 >= min) ? "" : "*"
    printf "  %s %.2f%s", name, x, s
    if (c2 >= min && x > 1.15) bad = 1
  }
  { n=$1
    if (NR > 1) {
      printf "#   %d -> %d:", pn, n
      show("-t time", p3*1000, $3*1000, 50); show("-t RSS", p4, $4, 20480)
      show("start", p5, $5, 50); show("restart", p6, $6, 50); show("PSS", p7, $7, 20480); show("reload", p8, $8, 50)
      printf "\n"
    }
    pn=n; p3=$3; p4=$4; p5=$5; p6=$6; p7=$7; p8=$8 }
  END {
    print "#   (* = too small to judge: under 50 ms or 20 MB)"
    if (fail) print "scale: some runs FAILED (see above)"
    else if (bad) print "scale: WORSE than linear"
    else print "scale: linear"
    exit bad }' "$RES" || FAIL=1
exit $FAIL
