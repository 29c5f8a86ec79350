#!/usr/bin/python3
# dnscheck.py -- check every answer of a server against the valid snapshots,
# for reload.sh.
#
# Usage: dnscheck.py PORT STATEFILE N TOGGLE SECONDS [QPS]
#   PORT       the server on 127.0.0.1
#   STATEFILE  meshdns's state file: the VIP of every svc-<i> and of TOGGLE
#   N          svc-0 .. svc-(N-1) exist in every snapshot
#   TOGGLE     the service that comes and goes (TOGGLE.mesh)
#   SECONDS    how long to query
#   QPS        at most this many queries per second (default 1000)
#
# One query at a time, in turn: TOGGLE.mesh A, a random svc-<i>.mesh A, a
# random svc-<i>.mesh AAAA, a random nx-<i>.mesh A.  Valid answers (either
# snapshot): svc-<i> A: NOERROR, AA, one A record, its VIP from the state
# file; svc-<i> AAAA: NOERROR, AA, no answer, the SOA in authority; nx-<i>:
# NXDOMAIN, AA, no answer, the SOA; TOGGLE A: the svc answer with its VIP,
# or the nx answer.  A query unanswered within 1 s is lost.
# Prints one line:
#   checked Q ok K wrong W lost L toggle-present P toggle-absent A
# and then up to 10 lines "wrong: ..." describing wrong answers.
# Exit status 0 when W and L are 0.
import random
import socket
import struct
import sys
import time


def encode_name(name):
    out = b""
    for label in name.strip(".").split("."):
        out += bytes([len(label)]) + label.encode()
    return out + b"\0"


def skip_name(d, off):
    while True:
        n = d[off]
        if n == 0:
            return off + 1
        if n & 0xC0 == 0xC0:
            return off + 2
        off += 1 + n


def parse(d):
    """-> (id, rcode, aa, answers [(type, rdata)], authority types)"""
    qid, flags, qd, an, ns, _ = struct.unpack(">HHHHHH", d[:12])
    off = 12
    for _ in range(qd):
        off = skip_name(d, off) + 4
    answers, auth = [], []
    for k in range(an + ns):
        off = skip_name(d, off)
        rtype, _, _, rdlen = struct.unpack(">HHIH", d[off:off + 10])
        off += 10
        rdata = d[off:off + rdlen]
        off += rdlen
        if k < an:
            answers.append((rtype, rdata))
        else:
            auth.append(rtype)
    return qid, flags & 15, bool(flags & 0x0400), answers, auth


def load_vips(path):
    vips = {}
    with open(path) as f:
        for line in f:
            w = line.split()
            if len(w) >= 3 and w[0] == "assign" and \
                    w[2].startswith("MeshService/default/"):
                vips[w[2][len("MeshService/default/"):]] = w[1]
    return vips


def main(argv):
    if len(argv) < 5:
        sys.stderr.write(__doc__ or "usage: dnscheck.py PORT STATEFILE N "
                         "TOGGLE SECONDS [QPS]\n")
        return 2
    port, statefile, n, toggle, secs = int(argv[0]), argv[1], int(argv[2]), \
        argv[3], float(argv[4])
    qps = float(argv[5]) if len(argv) > 5 else 1000.0
    vips = load_vips(statefile)
    missing = [s for s in ("svc-0", "svc-%d" % (n - 1), toggle)
               if s not in vips]
    if missing:
        print("dnscheck: no VIP in %s for %s" % (statefile, ", ".join(missing)))
        return 2
    rnd = random.Random(4242)
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.connect(("127.0.0.1", port))
    s.settimeout(1.0)
    checked = ok = lost = present = absent = 0
    wrong = []
    qid = 0
    end = time.time() + secs
    gap = 1.0 / qps
    nxt = time.time()
    kinds = ("toggle", "a", "aaaa", "nx")
    while time.time() < end:
        kind = kinds[checked % 4]
        if kind == "toggle":
            svc, qtype = toggle, 1
        elif kind == "nx":
            svc, qtype = "nx-%d" % rnd.randrange(n), 1
        else:
            svc, qtype = "svc-%d" % rnd.randrange(n), (1 if kind == "a" else 28)
        name = svc + ".mesh"
        qid = (qid + 1) & 0xFFFF
        q = struct.pack(">HHHHHH", qid, 0, 1, 0, 0, 0) + encode_name(name) + \
            struct.pack(">HH", qtype, 1)
        checked += 1
        s.send(q)
        d = None
        try:
            while True:
                d = s.recv(4096)
                if len(d) >= 12 and struct.unpack(">H", d[:2])[0] == qid:
                    break
        except socket.timeout:
            lost += 1
            d = None
        if d is not None:
            try:
                rid, rcode, aa, answers, auth = parse(d)
            except (IndexError, struct.error):
                rid, rcode, aa, answers, auth = qid, -1, False, [], []
            good_nx = rcode == 3 and aa and not answers and 6 in auth
            if kind == "nx":
                good = good_nx
            elif kind == "aaaa":
                good = rcode == 0 and aa and not answers and 6 in auth
            else:
                want = vips[svc]
                good_a = rcode == 0 and aa and len(answers) == 1 and \
                    answers[0][0] == 1 and \
                    socket.inet_ntoa(answers[0][1]) == want
                if kind == "toggle":
                    good = good_a or good_nx
                    if good_a:
                        present += 1
                    elif good_nx:
                        absent += 1
                else:
                    good = good_a
            if good:
                ok += 1
            elif len(wrong) < 1000:
                desc = "rcode=%d aa=%d answers=%s auth=%s" % (
                    rcode, aa, [(t, r.hex()) for t, r in answers], auth)
                wrong.append("%s %s: %s" % (name, "A" if qtype == 1 else
                                            "AAAA", desc))
        nxt += gap
        delay = nxt - time.time()
        if delay > 0:
            time.sleep(delay)
        else:
            nxt = time.time()
    print("checked %d ok %d wrong %d lost %d toggle-present %d toggle-absent %d"
          % (checked, ok, checked - ok - lost, lost, present, absent))
    for w in wrong[:10]:
        print("wrong: " + w)
    return 0 if ok + lost == checked and lost == 0 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
