#!/usr/bin/python3
# mdstart.py -- start a DNS server, time it until it answers a name, measure
# its memory, optionally time a SIGHUP reload, stop it by its pid.
#
# Usage: mdstart.py [-c CPU] [-H] [-T FILE] [-w SEC] [-L LOG] PORT NAME CMD [ARG...]
#   -c CPU   run the poller on CPU (pin the server yourself, with taskset
#            in CMD); default: not pinned
#   -H       after the start, send SIGHUP and time the reload: until the
#            server's log (-L, or its stderr) has one more "serving
#            generation" line (meshdns logs it at level notice)
#   -T FILE  with -H: append a comment line to FILE first, so that the
#            reload has something to build (meshdns does not build when
#            nothing it reads changed)
#   -w SEC   give up when nothing answers within SEC       (default 600)
#   -L LOG   the server's stderr goes to LOG                (default: a temp file)
# Prints one line of key value pairs:
#   start_ms S rss_kB R pss_kB P [reload_ms T pss_after_kB Q]
# start_ms: from just before exec to the first NOERROR answer with at least
# one record for NAME A on 127.0.0.1:PORT (polled every ~1 ms); rss/pss
# once settled (whole process, /proc/PID/smaps_rollup; read every 0.5 s
# from 0.5 s on until PSS stops going down: meshdns frees what only the
# build needed after it answers); reload_ms: from SIGHUP to the new
# snapshot served; pss_after_kB: after the reload, settled the same way.
# Exit status 1 when the server died or never answered.
import getopt
import os
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time


def query(name):
    q = struct.pack(">HHHHHH", 0x5151, 0, 1, 0, 0, 0)
    for label in name.strip(".").split("."):
        q += bytes([len(label)]) + label.encode()
    return q + b"\0" + struct.pack(">HH", 1, 1)


def answered(port, q):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.settimeout(0.05)
    try:
        s.connect(("127.0.0.1", port))
        s.send(q)
        d = s.recv(4096)
        return len(d) >= 12 and d[:2] == q[:2] and d[3] & 15 == 0 and \
            struct.unpack(">H", d[6:8])[0] >= 1
    except OSError:
        return False
    finally:
        s.close()


def mem(pid):
    rss = pss = 0
    with open("/proc/%d/smaps_rollup" % pid) as f:
        for line in f:
            if line.startswith("Rss:"):
                rss = int(line.split()[1])
            elif line.startswith("Pss:"):
                pss = int(line.split()[1])
    return rss, pss


def settled_mem(pid, limit=30.0):
    """rss, pss once PSS has not gone down for 0.5 s (at least 0.5 s
    after the call, at most @limit s): meshdns frees what only the build
    needed after it answers, which takes a while with a million names."""
    time.sleep(0.5)
    best = mem(pid)
    end = time.time() + limit
    while time.time() < end:
        time.sleep(0.5)
        now = mem(pid)
        if now[1] >= best[1]:
            return now
        best = now
    return best


def served(path):
    with open(path, "rb") as f:
        return f.read().count(b"serving generation")


def stop(p):
    p.send_signal(signal.SIGTERM)
    try:
        p.wait(10)
    except subprocess.TimeoutExpired:
        p.kill()
        p.wait()


def main(argv):
    cpu, hup, wait, log, touch = None, False, 600.0, None, None
    opts, args = getopt.getopt(argv, "c:HT:w:L:")
    for o, v in opts:
        if o == "-c":
            cpu = int(v)
        elif o == "-H":
            hup = True
        elif o == "-T":
            touch = v
        elif o == "-w":
            wait = float(v)
        elif o == "-L":
            log = v
    if len(args) < 3:
        sys.stderr.write("usage: mdstart.py [-c CPU] [-H] [-T FILE] [-w SEC] "
                         "[-L LOG] "
                         "PORT NAME CMD [ARG...]\n")
        return 2
    port, name, cmd = int(args[0]), args[1], args[2:]
    if cpu is not None:
        os.sched_setaffinity(0, {cpu})
    if log is None:
        fd, log = tempfile.mkstemp(prefix="mdstart.", suffix=".log")
        os.close(fd)
    q = query(name)
    out = open(log, "wb")
    t0 = time.time()
    # the child must not inherit the poller's CPU
    p = subprocess.Popen(cmd, stdout=out, stderr=out,
                         preexec_fn=lambda: os.sched_setaffinity(
                             0, range(os.cpu_count())) if cpu is not None
                         else None)
    start = None
    while time.time() < t0 + wait:
        if answered(port, q):
            start = (time.time() - t0) * 1000
            break
        if p.poll() is not None:
            break
        time.sleep(0.001)
    if start is None:
        died = p.poll() is not None
        if not died:
            stop(p)
        with open(log, "rb") as f:
            tail = f.read().decode(errors="replace").strip().split("\n")[-3:]
        print("failed (%s); last log lines: %s"
              % ("died" if died else "no answer", " | ".join(tail)))
        return 1
    rss, pss = settled_mem(p.pid)
    line = "start_ms %.0f rss_kB %d pss_kB %d" % (start, rss, pss)
    rc = 0
    if hup:
        if touch is not None:
            with open(touch, "a") as f:
                f.write("# touched by mdstart.py before SIGHUP\n")
        before = served(log)
        t1 = time.time()
        p.send_signal(signal.SIGHUP)
        reload_ms = None
        while time.time() < t1 + wait and p.poll() is None:
            if served(log) > before:
                reload_ms = (time.time() - t1) * 1000
                break
            time.sleep(0.001)
        if reload_ms is None:
            line += " reload_ms failed"
            rc = 1
        else:
            line += " reload_ms %.0f pss_after_kB %d" % (
                reload_ms, settled_mem(p.pid)[1])
    if p.poll() is not None:
        line += " (the server died)"
        rc = 1
    else:
        stop(p)
    print(line)
    return rc


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
