#!/usr/bin/python3
# gen-services.py -- write N MeshServices, one HostnameGenerator and a
# meshdns.conf for the benchmarks in tests/bench/.
#
# Usage: tests/bench/gen-services.py [options] DIR
#   -n N          number of MeshServices svc-0 .. svc-(N-1)   (default 10000)
#   -f PER_FILE   MeshServices per YAML file                    (default 10000)
#   -p PREFIX     name prefix                                   (default svc-)
#   -F            full DNS features: SRV and PTR records on (meshdns's
#                 defaults); without it only the names peers.sh's zone has
#                 exist (A; AAAA is NODATA)
#   -6            dual stack: every service also gets an IPv6 VIP
#                 (dns.aaaa: pool, vip.pools.meshService6: fd00:241::/64)
#   -l LEVEL      log level in meshdns.conf                     (default warning)
#   -w WORKERS    worker threads in meshdns.conf (a number or auto;
#                 default 1, as the pinned single-worker peers)
#   -k            keep an existing state file (default: remove it, so the
#                 next start is a fresh one)
#
# Writes into DIR (created if missing):
#   DIR/meshdns.conf                  zone default, dns.zones [mesh],
#                                     resources: [resources], state-file: state
#   DIR/resources/generator.yaml      HostnameGenerator "{{ .Name }}.mesh"
#   DIR/resources/services-NNNN.yaml  the MeshServices, universal shape
#                                     (kumactl's), several documents per file
# so meshdns serves svc-<i>.mesh, exactly the names of peers.sh's zone.
# The VIPs come from meshdns's pool (241.0.0.0/8, 241.0.0.1 first), so
# they differ from the peers' addresses; the state file has them.
# Python 3 standard library only.
import getopt
import os
import sys

SERVICE = """type: MeshService
name: {name}
mesh: default
labels:
  team: bench
spec:
  selector:
    dataplaneTags:
      kuma.io/service: {name}
  ports:
  - name: http
    port: 80
    targetPort: 8080
    appProtocol: http
"""

GENERATOR = """# One name per MeshService in the served zone "mesh": svc-<i>.mesh.
type: HostnameGenerator
name: bench-mesh-names
spec:
  selector:
    meshService:
      matchLabels: {}
  template: "{{ .Name }}.mesh"
"""

CONF = """# meshdns configuration written by tests/bench/gen-services.py ({n} services)
zone: default
workers: {workers}
resources: [resources]
state-file: state
dns:
  zones: [mesh]
  srv: {srv}
  ptr: {ptr}
  aaaa: {aaaa}
vip:
  pools:
    meshService: 241.0.0.0/8
{pool6}log:
  level: {level}
kuma:
  # only the generator above: Kuma's defaults would add names under
  # mesh.local, which is not served here
  default-generators: none
"""


def usage(out):
    text = open(os.path.abspath(__file__)).read().split("\n")
    for line in text[1:]:
        if not line.startswith("#"):
            break
        out.write(line[2:] + "\n")


def write_atomic(path, text):
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        f.write(text)
    os.rename(tmp, path)


def main(argv):
    n, per_file, prefix = 10000, 10000, "svc-"
    full, six, level, keep = False, False, "warning", False
    workers = "1"
    try:
        opts, args = getopt.getopt(argv, "n:f:p:F6l:kw:h")
    except getopt.GetoptError as e:
        sys.stderr.write("gen-services.py: %s\n" % e)
        usage(sys.stderr)
        return 2
    for o, v in opts:
        if o == "-n":
            n = int(v)
        elif o == "-f":
            per_file = int(v)
        elif o == "-p":
            prefix = v
        elif o == "-F":
            full = True
        elif o == "-6":
            six = True
        elif o == "-l":
            level = v
        elif o == "-k":
            keep = True
        elif o == "-w":
            workers = v
        elif o == "-h":
            usage(sys.stdout)
            return 0
    if len(args) != 1 or n < 1 or per_file < 1:
        usage(sys.stderr)
        return 2
    top = args[0]
    res = os.path.join(top, "resources")
    os.makedirs(res, exist_ok=True)
    # files of an earlier, larger run would still be read: remove them
    for f in os.listdir(res):
        if f.startswith("services-") and f.endswith(".yaml"):
            os.unlink(os.path.join(res, f))
    write_atomic(os.path.join(res, "generator.yaml"), GENERATOR)
    nfiles = (n + per_file - 1) // per_file
    width = max(4, len(str(nfiles - 1)))
    for k in range(nfiles):
        lo, hi = k * per_file, min(n, (k + 1) * per_file)
        docs = [SERVICE.format(name="%s%d" % (prefix, i))
                for i in range(lo, hi)]
        path = os.path.join(res, "services-%0*d.yaml" % (width, k))
        write_atomic(path, "---\n".join(docs))
    pool6 = "    meshService6: fd00:241::/64\n" if six else ""
    write_atomic(os.path.join(top, "meshdns.conf"),
                 CONF.format(n=n, srv="true" if full else "false",
                             ptr="true" if full else "false",
                             aaaa="pool" if six else "nodata",
                             pool6=pool6, level=level,
                             workers=workers))
    if not keep:
        for f in ("state", "state.tmp"):
            p = os.path.join(top, f)
            if os.path.exists(p):
                os.unlink(p)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
