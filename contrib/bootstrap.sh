#!/bin/sh
# bootstrap.sh -- install what meshdns needs to build and test, then configure.
#
# Idempotent: packages already installed are not touched, and apt-get runs only
# when something is missing.  Needs root (or sudo) only when installing.
#
#   contrib/bootstrap.sh            build and test dependencies, autoreconf, configure
#   contrib/bootstrap.sh --no-configure   only the packages and autoreconf
#   contrib/bootstrap.sh --bench    also what `make bench` needs (NSD, Knot,
#                                   BIND, dnsperf, python3, PostgreSQL)
#
# postgresql, nsd, knot, prometheus (promtool), fstrm-bin and dnstap-ldns are
# the real counterparts the system tests start on loopback ports of their own.
# clang and libclang-rt-dev (compiler-rt: libFuzzer and the sanitizer
# runtimes for clang) are for `make fuzz` only; the build itself uses cc.
#
# Extra arguments after the options are passed to ./configure.
set -eu

cd "$(dirname "$0")/.."

configure=yes
bench=no
while [ $# -gt 0 ]; do
	case "$1" in
	--no-configure) configure=no ;;
	--bench) bench=yes ;;
	*) break ;;
	esac
	shift
done

pkgs="build-essential autoconf automake libtool pkg-config \
libldns-dev libyaml-dev libyajl-dev libev-dev libcmocka-dev zlib1g-dev bind9-dnsutils ldnsutils \
knot-dnsutils unbound dnsmasq-base util-linux iproute2 \
libpq-dev postgresql libmicrohttpd-dev libfstrm-dev libprotobuf-c-dev \
protobuf-c-compiler nsd knot prometheus fstrm-bin dnstap-ldns \
curl systemd \
clang libclang-rt-dev"

missing=""
for p in $pkgs; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
		missing="$missing $p"
	fi
done

if [ -n "$missing" ]; then
	echo "bootstrap: installing:$missing"
	sudo=""
	if [ "$(id -u)" -ne 0 ]; then
		sudo=sudo
	fi
	# PostgreSQL, NSD, Knot and Prometheus are for the tests, which start
	# their own on loopback ports: their postinst scripts must start no
	# system service (on port 53, 5432, 9090).  101 = "action not
	# allowed", for the length of the install.
	policy=/usr/sbin/policy-rc.d
	made_policy=no
	if [ ! -e "$policy" ]; then
		printf '#!/bin/sh\nexit 101\n' | $sudo tee "$policy" >/dev/null
		$sudo chmod 755 "$policy"
		made_policy=yes
	fi
	export DEBIAN_FRONTEND=noninteractive
	rc=0
	$sudo apt-get update -qq &&
	# shellcheck disable=SC2086
	$sudo apt-get install -y -qq --no-install-recommends $missing || rc=$?
	if [ "$made_policy" = yes ]; then
		$sudo rm -f "$policy"
	fi
	[ "$rc" -eq 0 ] || exit "$rc"
	# And they stay off at boot (no init system at all is fine too).
	for svc in postgresql nsd knot prometheus; do
		if command -v systemctl >/dev/null 2>&1; then
			$sudo systemctl disable "$svc" >/dev/null 2>&1 || true
		fi
		if command -v update-rc.d >/dev/null 2>&1; then
			$sudo update-rc.d "$svc" disable >/dev/null 2>&1 || true
		fi
	done
fi

if [ "$bench" = yes ]; then
	tests/bench/install.sh
fi

if [ ! -x configure ] || [ configure.ac -nt configure ] || [ Makefile.am -nt Makefile.in ]; then
	autoreconf -fi
fi

if [ "$configure" = yes ]; then
	if [ ! -f Makefile ] || [ configure -nt config.status ]; then
		./configure "$@"
	fi
fi
