#!/usr/bin/env bash
# peers.sh - meshdns side by side with NSD and Knot (and dnsmasq, unbound,
# BIND on request) on loopback.  Based on shared/bench/peers.sh.
#
# Generates zone "mesh." with N A records (svc-<i>.mesh -> 241.x.y.z, plus
# SOA/NS/ns1) for the peers, and the same N names for meshdns as N
# MeshServices svc-0 .. svc-(N-1) with one HostnameGenerator "{{ .Name }}.mesh"
# (gen-services.py; meshdns's VIPs come from its own pool, so its addresses
# differ: its answers are checked against its state file).  Starts each
# server as authoritative for "mesh" on 127.0.0.1 on its own high port,
# checks a few answers, runs dnsperf with the same query file against each,
# and prints one result line per server, then meshdns's ratios against the
# best of NSD and Knot.  Every process it starts is stopped by the pid it
# started.
#
# Usage: tests/bench/peers.sh [options]
#   -n N        number of svc-* names                      (default 10000)
#   -l SEC      dnsperf duration per server; 0 = no dnsperf,
#               only start time + memory                   (default 10)
#   -s LIST     comma list of servers: meshdns,nsd,knot,dnsmasq,unbound,bind
#               ("none" = only the -x servers)   (default nsd,knot,meshdns)
#   -m BIN      the meshdns binary             (default: src/meshdns of this tree)
#   -F          meshdns with SRV and PTR records on (its defaults); without
#               it meshdns has only the names the peers' zone has
#   -w W        worker threads/processes for servers that have them
#               (nsd server-count, knot udp-workers, unbound num-threads,
#               named -n); dnsmasq and meshdns are always 1 (default 1)
#   -c C        dnsperf -c (client sockets)                (default 8)
#   -T T        dnsperf -T (client threads)                (default 2)
#   -q Q        dnsperf -q (max outstanding queries)       (default 100)
#   -M MODE     dnsperf -m transport: udp or tcp           (default udp)
#   -P 1|0      1: pin the server to CPU 0 and dnsperf to CPU 1 (taskset;
#               CPU 0 because knotd binds its UDP worker 0 to CPU 0 itself);
#               only applied when -w is 1                  (default 1)
#   -S 1|0      with -P 1, 1: the start (exec to the last name answering)
#               runs on every CPU, as a server starts in production, and
#               the server's processes and threads are pinned to CPU 0
#               only before dnsperf; 0: pinned from exec  (default 1)
#   -R 1|0      1: start meshdns twice, fresh and then as a restart from
#               the start-up cache the first start wrote (restart_ms);
#               dnsperf then runs against the restarted one (default 1)
#   -Q M        number of lines in the query file          (default 100000)
#   -X PCT      share of non-existent names in queries (%) (default 10)
#   -A PCT      share of AAAA queries (%)                  (default 50)
#   -6          also give every svc-* name an AAAA record (fd00::/8)
#   -p BASE     first port: nsd BASE, knot +1, dnsmasq +2, unbound +3,
#               bind +4, meshdns +5                        (default 15301)
#   -o DIR      keep work files (zone, configs, logs) in DIR
#               (default: a fresh temp dir, removed at the end)
#   -x SPEC     extra server, repeatable.  SPEC is
#                 NAME:PORT            a server already running on 127.0.0.1:PORT
#                                      (not started/stopped; no memory/start numbers)
#                 NAME:PORT:COMMAND    started by this script (bash -c "exec COMMAND")
#               and stopped at the end; its answers are checked against the
#               zone's addresses.  In COMMAND these are replaced:
#                 {PORT} {ZONE} (zone file, RFC 1035 master format)
#                 {HOSTS} (hosts-format file) {DIR} (a scratch dir for it)
#                 {N} {WORKERS}
#               the same values are also exported as PEER_PORT, PEER_ZONE,
#               PEER_HOSTS, PEER_DIR, PEER_N, PEER_WORKERS.
#   -h          this help
#
# Output: one line per server:
#   server qps avg_ms noerror% nxdomain% other% lost% us/q rss_kB pss_kB start_ms restart_ms srv% cli% check
# us/q: server CPU time (user+system, whole process tree) during the
# dnsperf run divided by the queries answered (dnsperf's "Queries
# completed"), in microseconds.  rss_kB/pss_kB are summed over the server's
# process tree, with the zone loaded, before the dnsperf run (pss counts
# pages shared between the processes once). start_ms: from exec to the
# first correct answer for the last record (svc-<N-1>.mesh A), polled every
# ~1-2 ms (meshdns starts without a state file: a fresh start, which
# writes it).  restart_ms: meshdns started again on the same files, which
# answers from the start-up cache the first start wrote ("-" for the
# peers, which have none; their restart is their start).  srv%/cli%: CPU used during the dnsperf run by the server's
# process tree / by dnsperf, in % of one core (the two share this machine's
# cores; 2 cores = 200%).  check: "ok" when the four check answers (last
# name A and AAAA, an unknown name, the SOA) have the right rcode, AA, and
# number of answers, and the last name's address is the expected one;
# otherwise what differs.
# Then, when meshdns and NSD or Knot ran, the ratios meshdns / best peer
# (qps, us/q, pss, start) with the issue's targets:
#   qps >= 1, us/q <= 0.75, pss <= 1, start <= 1, restart <= 1, lost = 0;
# with -M tcp and bind among the servers, also meshdns's qps / BIND's.
# Exit status: 0, also when a target is missed (this is a benchmark);
# 1 when meshdns failed to start or answered wrongly.
set -u

HERE=$(cd "$(dirname "$0")" && pwd)
N=10000; DUR=10; PEERS="nsd,knot,meshdns"; WORKERS=1
CLIENTS=8; THREADS=2; OUTSTANDING=100; MODE=udp; PIN=1; STARTFREE=1; RESTART=1; QLINES=100000
NXPCT=10; AAAAPCT=50; AAAAREC=0; BASEPORT=15301; KEEP=""; EXTRAS=()
MESHDNS=$HERE/../../src/meshdns; FULL=0; FAILED=0
# Debian's python3 (a pyenv or venv python3 first in PATH would do too)
PY=/usr/bin/python3; [ -x "$PY" ] || PY=python3

usage() { sed -n '2,/^set -u/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'; }

while getopts "n:l:s:m:Fw:c:T:q:M:P:S:R:Q:X:A:6p:o:x:h" opt; do
  case $opt in
    n) N=$OPTARG ;; l) DUR=$OPTARG ;; s) PEERS=$OPTARG ;; w) WORKERS=$OPTARG ;;
    m) MESHDNS=$OPTARG ;; F) FULL=1 ;;
    c) CLIENTS=$OPTARG ;; T) THREADS=$OPTARG ;; q) OUTSTANDING=$OPTARG ;; M) MODE=$OPTARG ;;
    P) PIN=$OPTARG ;; S) STARTFREE=$OPTARG ;; R) RESTART=$OPTARG ;; Q) QLINES=$OPTARG ;; X) NXPCT=$OPTARG ;; A) AAAAPCT=$OPTARG ;;
    6) AAAAREC=1 ;; p) BASEPORT=$OPTARG ;; o) KEEP=$OPTARG ;; x) EXTRAS+=("$OPTARG") ;;
    h) usage; exit 0 ;; *) usage >&2; exit 2 ;;
  esac
done

for tool in dnsperf "$PY" awk; do
  command -v "$tool" >/dev/null || { echo "peers.sh: $tool not found (tests/bench/install.sh installs it)" >&2; exit 1; }
done
case ",$PEERS," in
  *,meshdns,*) [ -x "$MESHDNS" ] || { echo "peers.sh: $MESHDNS not found (make src/meshdns, or -m BIN)" >&2; exit 1; }
               MESHDNS=$(cd "$(dirname "$MESHDNS")" && pwd)/$(basename "$MESHDNS") ;;
esac

if [ -n "$KEEP" ]; then mkdir -p "$KEEP"; WORK=$(cd "$KEEP" && pwd); else WORK=$(mktemp -d "${TMPDIR:-/tmp}/peers.XXXXXX"); fi
chmod 755 "$WORK"

STARTED_PIDS=()
cleanup() {
  local p
  for p in "${STARTED_PIDS[@]:-}"; do
    [ -n "$p" ] && kill "$p" 2>/dev/null
  done
  for p in "${STARTED_PIDS[@]:-}"; do
    [ -n "$p" ] || continue
    for _ in $(seq 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$p" 2>/dev/null && kill -9 "$p" 2>/dev/null
    wait "$p" 2>/dev/null
  done
  [ -z "$KEEP" ] && rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---------------------------------------------------------------- data
ZONE=$WORK/mesh.zone; HOSTS=$WORK/mesh.hosts; UNB=$WORK/unbound-local.conf; QF=$WORK/queries.txt
awk -v n="$N" -v six="$AAAAREC" -v z="$ZONE" -v h="$HOSTS" -v u="$UNB" 'BEGIN{
  soa="mesh. 300 IN SOA ns1.mesh. hostmaster.mesh. 1 3600 900 604800 60"
  print "$ORIGIN mesh.\n$TTL 300" > z
  print soa > z; print "mesh. 300 IN NS ns1.mesh." > z; print "ns1.mesh. 300 IN A 127.0.0.1" > z
  print "local-data: \"" soa "\"" > u
  print "local-data: \"mesh. 300 IN NS ns1.mesh.\"" > u
  print "local-data: \"ns1.mesh. 300 IN A 127.0.0.1\"" > u
  for (i = 0; i < n; i++) {
    a = sprintf("241.%d.%d.%d", int(i/65536)%256, int(i/256)%256, i%256)
    printf "svc-%d.mesh. 300 IN A %s\n", i, a > z
    printf "local-data: \"svc-%d.mesh. 300 IN A %s\"\n", i, a > u
    printf "%s svc-%d.mesh\n", a, i > h
    if (six) {
      s = sprintf("fd00::%x:%x", int(i/65536), i%65536)
      printf "svc-%d.mesh. 300 IN AAAA %s\n", i, s > z
      printf "local-data: \"svc-%d.mesh. 300 IN AAAA %s\"\n", i, s > u
      printf "%s svc-%d.mesh\n", s, i > h
    }
  }}'
awk -v n="$N" -v q="$QLINES" -v nx="$NXPCT" -v a6="$AAAAPCT" 'BEGIN{
  srand(12345)
  for (k = 0; k < q; k++) {
    t = (rand()*100 < a6) ? "AAAA" : "A"
    if (rand()*100 < nx) printf "nx-%d.mesh %s\n", int(rand()*n), t
    else                 printf "svc-%d.mesh %s\n", int(rand()*n), t
  }}' > "$QF"
chmod 644 "$ZONE" "$HOSTS" "$UNB" "$QF"
LASTNAME="svc-$((N-1)).mesh"; LASTSVC="svc-$((N-1))"

# poller: prints "ready", reads t0 (epoch seconds) on stdin, then prints the ms
# from t0 until PORT answers NAME/A with NOERROR and >=1 answer (or "timeout")
POLL=$WORK/poll.py
cat > "$POLL" <<'EOF'
import socket, struct, sys, time
port, name, limit = int(sys.argv[1]), sys.argv[2], float(sys.argv[3])
q = struct.pack(">HHHHHH", 0x5151, 0, 1, 0, 0, 0)
q += b"".join(bytes([len(l)]) + l.encode() for l in name.strip(".").split(".")) + b"\0" + struct.pack(">HH", 1, 1)
print("ready", flush=True)
t0 = float(sys.stdin.readline())
while time.time() < t0 + limit:
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.settimeout(0.05)
    try:
        s.connect(("127.0.0.1", port)); s.send(q); d = s.recv(4096)
        if len(d) >= 12 and d[:2] == q[:2] and d[3] & 15 == 0 and struct.unpack(">H", d[6:8])[0] >= 1:
            print("%.0f" % ((time.time() - t0) * 1000), flush=True); sys.exit(0)
    except OSError:
        pass
    finally:
        s.close()
    time.sleep(0.001)
print("timeout", flush=True); sys.exit(1)
EOF

SRVPIN=(); CLIPIN=()
[ "$WORKERS" != 1 ] && PIN=0
if [ "$PIN" = 1 ]; then
  command -v taskset >/dev/null || { echo "peers.sh: taskset not found, not pinning" >&2; PIN=0; }
fi
if [ "$PIN" = 1 ] && [ "$(nproc)" -ge 2 ]; then SRVPIN=(taskset -c 0); CLIPIN=(taskset -c 1); else PIN=0; fi

# ---------------------------------------------------------------- configs
conf_nsd() { # dir port
  cat > "$1/nsd.conf" <<EOF
server:
  ip-address: 127.0.0.1@$2
  port: $2
  do-ip6: no
  server-count: $WORKERS
  reuseport: yes
  username: ""
  chroot: ""
  zonesdir: "$1"
  database: ""
  zonelistfile: "$1/zone.list"
  xfrdfile: "$1/xfrd.state"
  xfrdir: "$1"
  pidfile: "$1/nsd.pid"
  logfile: "$1/nsd.log"
  verbosity: 0
  hide-version: yes
  minimal-responses: yes
  # Debian builds NSD with RRL on (200 qps per /24 by default): off for a benchmark
  rrl-ratelimit: 0
  rrl-whitelist-ratelimit: 0
remote-control:
  control-enable: no
zone:
  name: "mesh"
  zonefile: "$ZONE"
EOF
  echo nsd -d -c "$1/nsd.conf"
}
conf_knot() {
  cat > "$1/knot.conf" <<EOF
server:
  rundir: "$1"
  listen: 127.0.0.1@$2
  udp-workers: $WORKERS
  tcp-workers: 1
  background-workers: 1
log:
  - target: stderr
    any: warning
database:
  storage: "$1"
template:
  - id: default
    storage: "$1"
    zonefile-sync: -1
    zonefile-load: whole
    journal-content: none
zone:
  - domain: mesh
    file: "$ZONE"
EOF
  echo knotd -c "$1/knot.conf"
}
conf_dnsmasq() {
  echo dnsmasq -k -C /dev/null --port="$2" --listen-address=127.0.0.1 --bind-interfaces \
    --no-resolv --no-hosts --no-poll --addn-hosts="$HOSTS" --local=/mesh/ --local-ttl=300 \
    --pid-file="$1/dnsmasq.pid" --user=root --group=root
}
conf_unbound() {
  cat > "$1/unbound.conf" <<EOF
server:
  interface: 127.0.0.1
  port: $2
  do-ip6: no
  num-threads: $WORKERS
  so-reuseport: yes
  username: ""
  chroot: ""
  directory: "$1"
  pidfile: "$1/unbound.pid"
  use-syslog: no
  logfile: ""
  verbosity: 0
  access-control: 127.0.0.0/8 allow
  module-config: "iterator"
  minimal-responses: yes
  # never recurse: everything outside mesh. is refused
  local-zone: "." refuse
  local-zone: "mesh." static
  include: "$UNB"
remote-control:
  control-enable: no
EOF
  echo unbound -d -c "$1/unbound.conf"
}
conf_bind() {
  cat > "$1/named.conf" <<EOF
options {
  directory "$1";
  pid-file "$1/named.pid";
  session-keyfile "$1/session.key";
  managed-keys-directory "$1";
  listen-on port $2 { 127.0.0.1; };
  listen-on-v6 { none; };
  recursion no;
  notify no;
  dnssec-validation no;
  minimal-responses yes;
  allow-query { any; };
};
controls { };
zone "mesh" { type primary; file "$ZONE"; };
EOF
  echo named -g -n "$WORKERS" -c "$1/named.conf"
}
conf_meshdns() { # dir port: N MeshServices + generator + meshdns.conf in dir
  # notice: the log says whether a start read the start-up cache
  local flags=(-n "$N" -w "$WORKERS" -l notice)
  [ "$FULL" = 1 ] && flags+=(-F)
  [ "$AAAAREC" = 1 ] && flags+=(-6)
  "$PY" "$HERE/gen-services.py" "${flags[@]}" "$1" >&2 || return 1
  echo "$MESHDNS" -f -c "$1/meshdns.conf" -l "127.0.0.1:$2"
}
expected_a() { # server dir -> the address svc-<N-1>.mesh must have
  if [ "$1" = meshdns ]; then
    # meshdns's VIPs come from its pool: its state file says which
    awk -v want="MeshService/default/$LASTSVC" '$1 == "assign" && $3 == want {print $2; exit}' "$2/state" 2>/dev/null
  else
    local i=$((N-1))
    echo "241.$(( (i/65536) % 256 )).$(( (i/256) % 256 )).$(( i % 256 ))"
  fi
}

# ---------------------------------------------------------------- helpers
tree_pids() { # pid and all descendants
  local all; all=$(ps -e -o pid=,ppid=)
  local list=" $1 " changed=1
  while [ $changed = 1 ]; do
    changed=0
    while read -r p pp; do
      case "$list" in *" $pp "*) case "$list" in *" $p "*) ;; *) list="$list$p "; changed=1 ;; esac ;; esac
    done <<< "$all"
  done
  echo $list
}
mem_kb() { # pid -> "rss pss" summed over the tree
  local rss=0 pss=0 p r s
  for p in $(tree_pids "$1"); do
    r=$(awk '/^VmRSS:/{print $2}' /proc/$p/status 2>/dev/null); rss=$((rss + ${r:-0}))
    s=$(awk '/^Pss:/{print $2}' /proc/$p/smaps_rollup 2>/dev/null); pss=$((pss + ${s:-0}))
  done
  echo "$rss $pss"
}
tree_cpu() { # pid -> "utime stime" ticks, each summed over the tree
  local u=0 s=0 p a b
  for p in $(tree_pids "$1"); do
    read -r a b <<< "$(sed 's/.*) //' /proc/$p/stat 2>/dev/null | awk '{print $12, $13}')"
    u=$((u + ${a:-0})); s=$((s + ${b:-0}))
  done
  echo "$u $s"
}
CPU_SPLIT=""
CHECK_INFO=""; CHECK_VERDICT=""
check_answers() { # port expected-address -> CHECK_INFO (rcodes/flags), CHECK_VERDICT
  local out="" bad="" q r st fl an au addr want
  CHECK_INFO="(dig not installed: no answer check)"; CHECK_VERDICT="-"
  command -v dig >/dev/null || return 0
  # query : rcode : answers : authority records (-: any)
  local exp6=0; [ "$AAAAREC" = 1 ] && exp6=1
  for q in "$LASTNAME A:NOERROR:1:-" "$LASTNAME AAAA:NOERROR:$exp6:-" "nx-1.mesh A:NXDOMAIN:0:1" "mesh SOA:NOERROR:1:-"; do
    IFS=: read -r qq wst wan wau <<< "$q"
    r=$(dig +tries=1 +time=2 +norecurse -p "$1" @127.0.0.1 $qq 2>&1 |
        awk '/->>HEADER<</{gsub(",","");st=$6} /^;; flags:/{f=$0; sub(/;; flags: /,"",f); sub(/;.*/,"",f); gsub(" ",",",f)}
             /ANSWER:/{for(i=1;i<=NF;i++){ if($i=="ANSWER:"){an=$(i+1); gsub(",","",an)} if($i=="AUTHORITY:"){au=$(i+1); gsub(",","",au)} } }
             /^;; ANSWER SECTION:/{sec=1; next} /^;;/{sec=0} sec && $4=="A" && addr=="" {addr=$5}
             END{printf "%s %s %s %s %s", (st==""?"none":st), (f==""?"-":f), (an==""?"-":an), (au==""?"-":au), (addr==""?"-":addr)}')
    read -r st fl an au addr <<< "$r"
    out="$out $qq:${st}[${fl}]an=$an;"
    [ "$st" = "$wst" ] || bad="$bad ${qq// /_}:$st"
    [ "$an" = "$wan" ] || bad="$bad ${qq// /_}:an=$an"
    [ "$wau" = - ] || [ "$au" = "$wau" ] || bad="$bad ${qq// /_}:auth=$au"
    case ",$fl," in *,aa,*) ;; *) bad="$bad ${qq// /_}:no-AA" ;; esac
    if [ "$qq" = "$LASTNAME A" ]; then
      want=$2
      [ -n "$want" ] && [ "$addr" != "$want" ] && bad="$bad A=$addr(want:$want)"
      out="$out($addr)"
    fi
  done
  CHECK_INFO=$out
  if [ -z "$bad" ]; then CHECK_VERDICT=ok; else CHECK_VERDICT="FAIL:${bad# }"; CHECK_VERDICT=${CHECK_VERDICT// /,}; fi
}
run_perf() { # port logfile -> "qps avg_ms noerror% nxdomain% other% lost% completed"
  local TIMEFORMAT='%U %S'
  { time "${CLIPIN[@]}" dnsperf -m "$MODE" -s 127.0.0.1 -p "$1" -d "$QF" -l "$DUR" -c "$CLIENTS" -T "$THREADS" \
     -q "$OUTSTANDING" -t 2 > "$2" 2>&1 ; } 2> "$2.time"
  awk '
    /Queries per second:/ {qps=$4}
    /Average Latency \(s\):/ {lat=$4*1000}
    /Queries sent:/ {sent=$3}
    /Queries lost:/ {lost=$3}
    /Queries completed:/ {done=$3}
    /Response codes:/ {
      s=$0; sub(/.*Response codes: */,"",s); n=split(s,a,/, */)
      for(i=1;i<=n;i++){ split(a[i],b," "); rc[b[1]]=b[2] } }
    END{
      if (done=="" || done==0) { printf "failed"; exit }
      other=done-rc["NOERROR"]-rc["NXDOMAIN"]
      printf "%.0f %.3f %.2f %.2f %.2f %.2f %d", qps, lat,
        100*rc["NOERROR"]/done, 100*rc["NXDOMAIN"]/done, 100*other/done, 100*lost/sent, done }' "$2"
}

# ---------------------------------------------------------------- run
printf "# N=%s duration=%ss workers=%s dnsperf -m %s -c %s -T %s -q %s pin=%s start-on-all-cpus=%s queries: %s%% nx, %s%% AAAA; cpus=%s load=%s\n" \
  "$N" "$DUR" "$WORKERS" "$MODE" "$CLIENTS" "$THREADS" "$OUTSTANDING" "$PIN" "$STARTFREE" "$NXPCT" "$AAAAPCT" "$(nproc)" "$(cut -d' ' -f1-3 /proc/loadavg)"
FMT="%-10s %8s %7s %8s %9s %6s %6s %6s %8s %8s %8s %10s %5s %5s %s\n"
printf "$FMT" server qps avg_ms noerror% nxdomain% other% lost% us/q rss_kB pss_kB start_ms restart_ms srv% cli% check

stop_pid() { # stop a server this script started, then forget its pid
  local pid=$1 keep=() q
  kill "$pid" 2>/dev/null
  for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -0 "$pid" 2>/dev/null && kill -9 "$pid" 2>/dev/null
  wait "$pid" 2>/dev/null
  # forgotten, so the exit trap never signals a recycled pid
  for q in "${STARTED_PIDS[@]}"; do [ "$q" != "$pid" ] && keep+=("$q"); done
  STARTED_PIDS=("${keep[@]}")
}

# results per server, for the ratios
declare -A R_QPS R_USQ R_PSS R_START R_RESTART R_LOST

# start_timed name port command dir -> START_PID, START_MS ("died",
# "timeout" or a number of ms from exec to the last name's answer)
START_PID=""; START_MS=""
start_timed() {
  local name=$1 port=$2 cmd=$3 dir=$4 t0 ppid
  coproc POLLER { exec "$PY" -S "$POLL" "$port" "$LASTNAME" 120; }
  read -r _ <&"${POLLER[0]}"    # the poller is ready
  t0=$(LC_ALL=C; echo "$EPOCHREALTIME")
  if [ "$STARTFREE" = 1 ]; then
    bash -c "exec $cmd" >> "$dir/server.log" 2>&1 &
  else
    "${SRVPIN[@]}" bash -c "exec $cmd" >> "$dir/server.log" 2>&1 &
  fi
  START_PID=$!; STARTED_PIDS+=("$START_PID")
  echo "$t0" >&"${POLLER[1]}"
  ppid=$POLLER_PID
  START_MS=""
  # wait for the poller's answer, but give up at once if the server died
  until read -t 0.5 -r START_MS <&"${POLLER[0]}"; do
    if ! kill -0 "$START_PID" 2>/dev/null; then START_MS=died; kill "$ppid" 2>/dev/null; break; fi
  done
  wait "$ppid" 2>/dev/null
  if ! kill -0 "$START_PID" 2>/dev/null; then START_MS=died; fi
}

# shellcheck disable=SC2034  # R_* are read through namerefs in ratio_line
bench_one() { # name port command(or empty for external)
  local name=$1 port=$2 cmd=$3 dir=$WORK/$1 pid="" start="-" restart="-" rss="-" pss="-" perf
  mkdir -p "$dir"; chmod 755 "$dir"
  : > "$dir/server.log"
  if [ -n "$cmd" ]; then
    start_timed "$name" "$port" "$cmd" "$dir"
    pid=$START_PID; start=$START_MS
    if [ "$start" = timeout ] || [ "$start" = died ]; then
      printf "%-10s failed to start (%s); last log lines: %s\n" "$name" "$start" "$(tail -3 "$dir/server.log" | tr '\n' ' ')"
      [ "$name" = meshdns ] && FAILED=1
      stop_pid "$pid"
      return
    fi
    # meshdns again, as a restart: from its start-up cache, which the
    # first start wrote once it answered (state.cache beside the state).
    if [ "$name" = meshdns ] && [ "$RESTART" = 1 ]; then
      local i=0
      while [ ! -s "$dir/state.cache" ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
      stop_pid "$pid"
      start_timed "$name" "$port" "$cmd" "$dir"
      pid=$START_PID; restart=$START_MS
      if [ "$restart" = timeout ] || [ "$restart" = died ]; then
        printf "%-10s failed to restart (%s); last log lines: %s\n" "$name" "$restart" "$(tail -3 "$dir/server.log" | tr '\n' ' ')"
        FAILED=1
        stop_pid "$pid"
        return
      fi
      grep -q "read from the start-up cache" "$dir/server.log" ||
        echo "# meshdns restart did not use its start-up cache: $(grep -E 'start-up cache|serving generation' "$dir/server.log" | tail -2 | tr '\n' ' ')"
    fi
    if [ "$STARTFREE" = 1 ] && [ "$PIN" = 1 ]; then
      local p
      for p in $(tree_pids "$pid"); do taskset -a -p -c 0 "$p" >/dev/null 2>&1; done
    fi
    sleep 0.5
    read -r rss pss <<< "$(mem_kb "$pid")"
  else
    start=$( { sleep 0.2; LC_ALL=C; echo "$EPOCHREALTIME"; } | "$PY" -S "$POLL" "$port" "$LASTNAME" 5 | tail -1)
    [ "$start" = timeout ] && { printf "%-10s not answering on port %s\n" "$name" "$port"; return; }
    start="-"
  fi
  check_answers "$port" "$(expected_a "$name" "$dir")"
  echo "$name: $CHECK_INFO" >> "$WORK/checks.txt"
  [ "$name" = meshdns ] && [ "$CHECK_VERDICT" != ok ] && [ "$CHECK_VERDICT" != - ] && FAILED=1
  local scpu="-" ccpu="-" usq="-" c0 c1 qps lat noe nxd oth lost ndone
  qps=- lat=- noe=- nxd=- oth=- lost=-
  if [ "$DUR" != 0 ]; then
    [ -n "$pid" ] && c0=$(tree_cpu "$pid")
    perf=$(run_perf "$port" "$dir/dnsperf.txt")
    if [ "$perf" = failed ]; then
      qps="dnsperf-failed"
      [ "$name" = meshdns ] && FAILED=1
    else
      read -r qps lat noe nxd oth lost ndone <<< "$perf"
      if [ -n "$pid" ]; then
        local u0 s0 u1 s1
        c1=$(tree_cpu "$pid")
        read -r u0 s0 <<< "$c0"; read -r u1 s1 <<< "$c1"
        read -r scpu usq <<< "$(awk -v t=$((u1 + s1 - u0 - s0)) -v hz="$(getconf CLK_TCK)" -v d="$DUR" -v n="$ndone" \
          'BEGIN{printf "%.0f %.2f", t*100/hz/d, t/hz*1e6/n}')"
        # user and kernel apart: on loopback the kernel's share (which
        # also delivers each answer into dnsperf's socket) dominates
        CPU_SPLIT+="$(awk -v u=$((u1 - u0)) -v s=$((s1 - s0)) -v hz="$(getconf CLK_TCK)" -v n="$ndone" -v name="$name" \
          'BEGIN{printf "#   %-8s user %.2f us/q, system %.2f us/q\\n", name, u/hz*1e6/n, s/hz*1e6/n}')"
      fi
      ccpu=$(awk -v d="$DUR" '{printf "%d", ($1+$2)*100/d}' "$dir/dnsperf.txt.time")
      if [ "$name" = meshdns ] && ! pid_alive "$pid"; then
        echo "# meshdns DIED during the dnsperf run; last log lines: $(tail -3 "$dir/server.log" | tr '\n' ' ')"
        FAILED=1
      fi
    fi
  fi
  printf "$FMT" "$name" "$qps" "$lat" "$noe" "$nxd" "$oth" "$lost" "$usq" "$rss" "$pss" "$start" "$restart" "$scpu" "$ccpu" "$CHECK_VERDICT"
  R_QPS[$name]=$qps; R_USQ[$name]=$usq; R_PSS[$name]=$pss; R_START[$name]=$start; R_LOST[$name]=$lost
  # the peers have no cache: their restart is their start
  if [ "$name" = meshdns ]; then R_RESTART[$name]=$restart; else R_RESTART[$name]=$start; fi
  [ -n "$pid" ] && stop_pid "$pid"
}
pid_alive() { kill -0 "$1" 2>/dev/null; }

port_of() { # fixed ports, whatever the order of -s
  case $1 in
    nsd) echo $((BASEPORT)) ;; knot) echo $((BASEPORT+1)) ;; dnsmasq) echo $((BASEPORT+2)) ;;
    unbound) echo $((BASEPORT+3)) ;; bind) echo $((BASEPORT+4)) ;; meshdns) echo $((BASEPORT+5)) ;;
  esac
}

if [ "$PEERS" != none ]; then
  IFS=, read -r -a plist <<< "$PEERS"
  for peer in "${plist[@]}"; do
    case $peer in
      nsd) bin=nsd ;; knot) bin=knotd ;; dnsmasq) bin=dnsmasq ;; unbound) bin=unbound ;; bind) bin=named ;;
      meshdns) bin=$MESHDNS ;;
      *) echo "unknown server $peer" >&2; continue ;;
    esac
    if ! command -v "$bin" >/dev/null; then printf "%-10s not installed (%s)\n" "$peer" "$bin"; continue; fi
    port=$(port_of "$peer")
    mkdir -p "$WORK/$peer"; chmod 755 "$WORK/$peer"
    if ! cmd=$(conf_$peer "$WORK/$peer" "$port"); then
      printf "%-10s cannot write its configuration\n" "$peer"; [ "$peer" = meshdns ] && FAILED=1; continue
    fi
    bench_one "$peer" "$port" "$cmd"
  done
fi
for spec in "${EXTRAS[@]:-}"; do
  [ -n "$spec" ] || continue
  ename=${spec%%:*}; rest=${spec#*:}; eport=${rest%%:*}; ecmd=""
  [ "$rest" != "$eport" ] && ecmd=${rest#*:}
  edir=$WORK/$ename; mkdir -p "$edir"
  ecmd=${ecmd//\{PORT\}/$eport}; ecmd=${ecmd//\{ZONE\}/$ZONE}; ecmd=${ecmd//\{HOSTS\}/$HOSTS}
  ecmd=${ecmd//\{DIR\}/$edir}; ecmd=${ecmd//\{N\}/$N}; ecmd=${ecmd//\{WORKERS\}/$WORKERS}
  export PEER_PORT=$eport PEER_ZONE=$ZONE PEER_HOSTS=$HOSTS PEER_DIR=$edir PEER_N=$N PEER_WORKERS=$WORKERS
  bench_one "$ename" "$eport" "$ecmd"
done
echo "# answer checks (rcode[flags]an=answers):"
sed 's/^/#   /' "$WORK/checks.txt" 2>/dev/null

# ---------------------------------------------------------------- ratios
num() { [[ $1 =~ ^[0-9]+(\.[0-9]+)?$ ]]; }
best_of() { # metric(qps: highest wins, else lowest) array-name -> "peer value"
  local metric=$1 p v best="" bv=""
  local -n arr=$2
  for p in nsd knot; do
    v=${arr[$p]:-}
    num "$v" || continue
    if [ -z "$best" ] || { [ "$metric" = qps ] && awk -v a="$v" -v b="$bv" 'BEGIN{exit !(a>b)}'; } ||
       { [ "$metric" != qps ] && awk -v a="$v" -v b="$bv" 'BEGIN{exit !(a<b)}'; }; then
      best=$p; bv=$v
    fi
  done
  [ -n "$best" ] && echo "$best $bv"
}
ratio_line() { # label metric array target-op target unit
  local label=$1 metric=$2 op=$4 target=$5 mine bp bv
  local -n res=$3
  mine=${res[meshdns]:-}
  read -r bp bv <<< "$(best_of "$metric" "$3")"
  if ! num "$mine" || [ -z "${bp:-}" ] || ! num "$bv"; then
    printf "#   %-6s -\n" "$label"; return
  fi
  awk -v l="$label" -v m="$mine" -v b="$bv" -v bp="$bp" -v op="$op" -v t="$target" 'BEGIN{
    if (b == 0) { printf "#   %-6s meshdns %s, best %s %s (no ratio)\n", l, m, bp, b; exit }
    r = m / b; ok = (op == ">=") ? (r >= t) : (r <= t)
    printf "#   %-6s %5.2f  (meshdns %s, best %s %s; target %s %s: %s)\n", l, r, m, bp, b, op, t, ok ? "met" : "MISSED" }'
}
if [ -n "$CPU_SPLIT" ]; then
  echo "# server CPU per query, user and system:"
  printf "%b" "$CPU_SPLIT"
fi
if [ -n "${R_QPS[meshdns]:-}" ] && { [ -n "${R_QPS[nsd]:-}" ] || [ -n "${R_QPS[knot]:-}" ]; }; then
  echo "# meshdns / best of NSD and Knot:"
  [ "$DUR" != 0 ] && ratio_line qps qps R_QPS ">=" 1
  [ "$DUR" != 0 ] && ratio_line us/q cpu R_USQ "<=" 0.75
  ratio_line pss mem R_PSS "<=" 1
  ratio_line start start R_START "<=" 1
  [ "$RESTART" = 1 ] && ratio_line restart start R_RESTART "<=" 1
  if [ "$DUR" != 0 ]; then
    if num "${R_LOST[meshdns]}" && awk -v l="${R_LOST[meshdns]}" 'BEGIN{exit !(l==0)}'; then
      echo "#   lost   0 (target: 0: met)"
    else echo "#   lost   ${R_LOST[meshdns]}% (target: 0: MISSED)"; fi
  fi
fi
if [ "$MODE" = tcp ] && num "${R_QPS[meshdns]:-}" && num "${R_QPS[bind]:-}"; then
  awk -v m="${R_QPS[meshdns]}" -v b="${R_QPS[bind]}" 'BEGIN{ if (b > 0)
    printf "# meshdns / BIND over TCP: qps %.2f (meshdns %s, bind %s; target >= 1: %s)\n", m/b, m, b, (m >= b) ? "met" : "MISSED" }'
fi
exit $FAILED
