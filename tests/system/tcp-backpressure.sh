#!/bin/bash
# tcp-backpressure.sh -- clients that pipeline queries for a large answer
# and never read them cost meshdns a bounded amount of memory: it stops
# reading and answering a connection whose unsent answers are past the
# mark, and goes on as the client reads.  Every answer then arrives, in
# order, and other clients are answered meanwhile.
. "${SRCDIR:?SRCDIR must name the source tree}/tests/system/lib.sh" || exit 1

command -v python3 >/dev/null 2>&1 || {
	fail "python3 is not installed"
	finish
}

PORTS=1500	# the SRV RRset at the hostname: about 60 KB
CONNS=4		# stalled clients
QUERIES=400	# pipelined queries each: 24 MB of answers per client
# What one stalled connection may cost (server.c): its 64 KiB read buffer
# and 256 KiB of answers waiting to be written.
PER_CONN_KB=$((66 + 256))
# Allocator and thread slack on top of that, for the whole process.
SLACK_KB=$((8 * 1024))

copy_zones
{
	printf 'type: MeshService\nname: wall\nmesh: default\nspec:\n'
	printf '  selector:\n    dataplaneTags:\n      app: wall\n  ports:\n'
	for i in $(seq 1 "$PORTS"); do
		printf '  - {name: p%d, port: %d, targetPort: %d, appProtocol: tcp}\n' \
			"$i" $((10000 + i)) $((10000 + i))
	done
} >"$WORK/zones/default/wall.yaml"
cat >"$WORK/conf.yaml" <<'YAML'
workers: 1
tcp:
  idle-timeout: 60s
YAML

# The client: opens CONNS connections, pipelines QUERIES SRV queries on
# each (IDs 1..QUERIES) without reading, says "sent", waits for a line
# on stdin, then reads every answer and says how many came back whole,
# in order, with PORTS records each.
cat >"$WORK/client.py" <<'PY'
import socket, struct, sys

port, conns, queries, ports = (int(a) for a in sys.argv[1:5])

def wire(name):
    return b"".join(bytes([len(l)]) + l.encode() for l in name.split(".")) + b"\0"

def query(qid):
    q = struct.pack(">HHHHHH", qid, 0x0100, 1, 0, 0, 0)
    q += wire("wall.svc.mesh.local") + struct.pack(">HH", 33, 1)
    return struct.pack(">H", len(q)) + q

def read_exact(s, n):
    buf = b""
    while len(buf) < n:
        chunk = s.recv(n - len(buf))
        if not chunk:
            raise EOFError("connection %d answer %d: closed after %d of %d bytes"
                           % (cur[0], cur[1], len(buf), n))
        buf += chunk
    return buf

socks = []
for _ in range(conns):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    # A small receive window: the kernel holds little of what we
    # do not read, so the answers pile up in the server.
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    s.connect(("127.0.0.1", port))
    s.sendall(b"".join(query(i) for i in range(1, queries + 1)))
    socks.append(s)
print("sent", flush=True)
sys.stdin.readline()
good = 0
cur = [0, 0]
for k, s in enumerate(socks):
    s.settimeout(30)
    for i in range(1, queries + 1):
        cur = [k + 1, i]
        (n,) = struct.unpack(">H", read_exact(s, 2))
        m = read_exact(s, n)
        qid, flags, qd, an = struct.unpack(">HHHH", m[:8])
        if qid == i and flags & 0x820f == 0x8000 and an == ports:
            good += 1
        else:
            print("answer %d: id %d flags %04x answers %d"
                  % (i, qid, flags, an), flush=True)
    s.close()
print("good", good, flush=True)
PY

start_meshdns -c "$WORK/conf.yaml" -r "$WORK/zones/default" -s "$WORK/state" || {
	fail "meshdns did not start"
	finish
}

rss_kb() {
	awk '/^VmRSS:/ { print $2 }' "/proc/$PID/status"
}

# tcp_queries: the TCP query counter of a fresh stats line.
tcp_queries() {
	local n
	n=$(grep -c 'stats, ' "$LOG")
	kill -USR1 "$PID"
	wait_log 'stats, ' $((n + 1)) || fail "no stats line after SIGUSR1"
	grep 'stats, ' "$LOG" | tail -1 | sed -n 's/.*tcp \([0-9][0-9]*\).*/\1/p'
}

expect_eq "the large SRV RRset is answered over TCP" "$PORTS" \
	"$(dig_q +tcp +short wall.svc.mesh.local SRV | wc -l)"
base=$(rss_kb)

coproc CLIENT { python3 "$WORK/client.py" "$PORT" "$CONNS" "$QUERIES" "$PORTS" 2>&1; }
client_pid=$CLIENT_PID
read -r -t 30 line <&"${CLIENT[0]}"
expect_eq "the clients pipelined their queries" "sent" "$line"

# Wait until meshdns answers no more of them (the counter stands still).
prev=-1
cur=$(tcp_queries)
i=0
while [ "$cur" != "$prev" ] && [ $i -lt 50 ]; do
	sleep 0.2
	prev=$cur
	cur=$(tcp_queries)
	i=$((i + 1))
done
rss=$(rss_kb)
bound=$((base + CONNS * PER_CONN_KB + SLACK_KB))
echo "VmRSS ${base} kB at start, ${rss} kB with $CONNS stalled clients (bound ${bound} kB)"
if [ "$rss" -le "$bound" ]; then
	pass "memory with $CONNS stalled clients is bounded (${rss} kB <= ${bound} kB)"
else
	fail "memory with $CONNS stalled clients: ${rss} kB, more than ${bound} kB"
fi

expect_eq "meanwhile UDP is answered" "241.0.0.5" "$(dig_short redis.mesh)"
expect_eq "meanwhile TCP is answered" "241.0.0.5" "$(dig_short +tcp redis.mesh)"
expect_eq "meanwhile the large answer too" "$PORTS" \
	"$(dig_q +tcp +short wall.svc.mesh.local SRV | wc -l)"

echo read >&"${CLIENT[1]}"
out=$(timeout 120 cat <&"${CLIENT[0]}")
expect_eq "then every answer arrives, whole and in order" \
	"good $((CONNS * QUERIES))" "$out"
wait "$client_pid" 2>/dev/null

finish
