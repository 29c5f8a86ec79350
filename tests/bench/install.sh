#!/bin/sh
# install.sh -- install what the benchmarks in tests/bench/ need (Debian).
#
# Idempotent: packages already installed are not touched, and apt-get runs
# only when something is missing.  Needs root (or sudo) only when installing.
# contrib/bootstrap.sh --bench calls it.
#
#   dnsperf         the load generator (DNS-OARC dnsperf)
#   nsd, knot       the peers meshdns is compared with
#   bind9           the TCP peer (issue 5: TCP queries/s at least BIND's)
#   bind9-dnsutils  dig (answer checks)
#   python3         the start-time poller and the generators (standard library)
#   time            /usr/bin/time -v (maximum RSS of a check run)
#   util-linux      taskset (pinning)
#   procps          ps
#   postgresql      store.sh's throw-away PostgreSQL 15 holding Kuma's store
#                   (also a build and test dependency: contrib/bootstrap.sh)
#
# The Debian packages of nsd, knot, bind9 and postgresql start their daemons from postinst
# (through init.d or systemd); a benchmark must not find them on port 53.
# When no policy-rc.d exists one is put in place for the duration of the
# install (so nothing is started), and the services are disabled afterwards.
set -eu

pkgs="dnsperf nsd knot bind9 bind9-dnsutils python3 time util-linux procps postgresql"

missing=""
for p in $pkgs; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
		missing="$missing $p"
	fi
done

if [ -z "$missing" ]; then
	echo "install.sh: all benchmark packages are installed"
	exit 0
fi

echo "install.sh: installing:$missing"
sudo=""
if [ "$(id -u)" -ne 0 ]; then
	sudo=sudo
fi

policy=/usr/sbin/policy-rc.d
made_policy=no
if [ ! -e "$policy" ]; then
	# 101 = "action not allowed": postinst scripts start nothing
	printf '#!/bin/sh\nexit 101\n' | $sudo tee "$policy" >/dev/null
	$sudo chmod 755 "$policy"
	made_policy=yes
fi
cleanup() {
	if [ "$made_policy" = yes ]; then
		$sudo rm -f "$policy"
	fi
}
trap cleanup EXIT

export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
# shellcheck disable=SC2086
$sudo apt-get install -y -qq --no-install-recommends $missing

# the benchmarks start their own instances on loopback ports; the system
# services stay off (ignore errors: there may be no init system at all)
for svc in nsd knot named postgresql; do
	if command -v systemctl >/dev/null 2>&1; then
		# works without a running systemd too (removes the wants/ links)
		$sudo systemctl disable "$svc" >/dev/null 2>&1 || true
		if [ -d /run/systemd/system ]; then
			$sudo systemctl stop "$svc" >/dev/null 2>&1 || true
		fi
	fi
	if command -v update-rc.d >/dev/null 2>&1; then
		$sudo update-rc.d "$svc" disable >/dev/null 2>&1 || true
	fi
done
