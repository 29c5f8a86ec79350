#!/usr/bin/env bash
# genreport.sh - ISC's DNS compliance tester (genreport) against meshdns.
#
# genreport is not packaged by Debian, so make check cannot run it; this
# script is how the release checks it by hand.  Build genreport beside the
# project (never inside it), from ISC's DNS-Compliance-Testing repository:
#     autoreconf -fi && ./configure && make LIBS="-lresolv -lcrypto"
# Then:
#     tests/bench/genreport.sh -g /path/to/genreport
#
# For every example zone under zones/ the script starts meshdns on
# 127.0.0.1 with throw-away state, finds the zones it serves (the apex of
# the SOA each name it logs at start is answered with, and the reverse
# zone of the first VIP), runs genreport's full, common and type tests against
# each apex (genreport -f -c, then -t) and prints genreport's lines.
# Every test must say "ok".  meshdns is stopped by the pid it was started
# with.
#
# Usage: tests/bench/genreport.sh -g GENREPORT [options]
#   -g BIN       the genreport binary                           (required)
#   -m BIN       the meshdns binary         (default: src/meshdns of this tree)
#   -p PORT      port on 127.0.0.1                             (default 15320)
#   -z ZONE      only this example zone (a directory name under zones/)
#   -h           this help
#
# Output: genreport's line for every apex and test group, then
# "genreport: PASS" or "genreport: FAIL" (with the tests that were not ok).
# Exit status 0 on PASS.
set -u

HERE=$(cd "$(dirname "$0")" && pwd)
TOP=$(cd "$HERE/../.." && pwd)
GENREPORT=""; MESHDNS=$TOP/src/meshdns; PORT=15320; ONLY=""

usage() { sed -n '2,/^set -u/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'; }
while getopts "g:m:p:z:h" opt; do
  case $opt in
    g) GENREPORT=$OPTARG ;; m) MESHDNS=$OPTARG ;; p) PORT=$OPTARG ;;
    z) ONLY=$OPTARG ;; h) usage; exit 0 ;; *) usage >&2; exit 2 ;;
  esac
done
[ -n "$GENREPORT" ] && [ -x "$GENREPORT" ] || { echo "genreport.sh: -g GENREPORT is required (see -h)" >&2; exit 2; }
[ -x "$MESHDNS" ] || { echo "genreport.sh: $MESHDNS not found (make src/meshdns, or -m BIN)" >&2; exit 2; }
command -v dig >/dev/null || { echo "genreport.sh: dig not found" >&2; exit 2; }

WORK=$(mktemp -d "${TMPDIR:-/tmp}/genreport.XXXXXX")
PID=""
stop() {
  if [ -n "$PID" ]; then
    kill "$PID" 2>/dev/null
    for _ in $(seq 50); do kill -0 "$PID" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$PID" 2>/dev/null && kill -9 "$PID" 2>/dev/null
    wait "$PID" 2>/dev/null
    PID=""
  fi
}
cleanup() { stop; rm -rf "$WORK"; }
trap cleanup EXIT
trap 'exit 130' INT TERM

# apex NAME: the owner of the SOA a query for NAME is answered with.
apex() {
  dig @127.0.0.1 -p "$PORT" +norec +time=2 +tries=1 "$1" SOA |
    awk '$4 == "SOA" && $1 !~ /^;/ { print $1; exit }'
}

BAD=""
for dir in "$TOP"/zones/*/; do
  z=$(basename "$dir")
  [ -n "$ONLY" ] && [ "$z" != "$ONLY" ] && continue
  [ -f "$dir/meshdns.conf" ] || continue
  "$MESHDNS" -f -l "127.0.0.1:$PORT" -c "$dir/meshdns.conf" \
    -s "$WORK/$z.state" >"$WORK/$z.log" 2>&1 &
  PID=$!
  for _ in $(seq 100); do
    grep -q 'serving generation' "$WORK/$z.log" && break
    kill -0 "$PID" 2>/dev/null || break
    sleep 0.1
  done
  if ! grep -q 'serving generation' "$WORK/$z.log"; then
    echo "genreport.sh: meshdns did not start for zones/$z:" >&2
    cat "$WORK/$z.log" >&2
    exit 1
  fi
  # "MeshService NAME (mesh M): VIP: name1, name2" lines and "try: dig" lines
  names=$( { sed -n 's/.*try: dig .* \([^ ]*\)$/\1/p' "$WORK/$z.log"
             sed -n 's/.*: [0-9][0-9.]*: //p' "$WORK/$z.log" | tr ',' ' '; } | tr ' ' '\n' | sed '/^$/d' | sort -u)
  vips=$(sed -n 's/.*: \([0-9][0-9.]*\): .*/\1/p' "$WORK/$z.log" | head -1)
  apexes=""
  for n in $names; do apexes="$apexes $(apex "$n")"; done
  for v in $vips; do apexes="$apexes $(apex "$(echo "$v" | awk -F. '{print $4"."$3"."$2"."$1".in-addr.arpa"}')")"; done
  apexes=$(echo "$apexes" | tr ' ' '\n' | sed '/^$/d' | sort -u)
  echo "zones/$z: $(echo $apexes)"
  for a in $apexes; do
    for flags in "-f -c" "-t"; do
      # shellcheck disable=SC2086
      line=$(echo "$a localhost 127.0.0.1" | timeout 300 "$GENREPORT" -P "$PORT" $flags -o 2>&1 | tail -1)
      echo "  $line"
      notok=$(echo "$line" | tr ' ' '\n' | grep '=' | grep -v '=ok$')
      [ -n "$notok" ] && BAD="$BAD $z:$a:$(echo $notok | tr ' ' ',')"
    done
  done
  stop
done

if [ -z "$BAD" ]; then echo "genreport: PASS"; exit 0; fi
echo "genreport: FAIL:$BAD"
exit 1
