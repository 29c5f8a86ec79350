#!/bin/bash
# docs.sh -- every command of README and meshdns.8 runs as written.
#
# The commands are the README's indented lines that start with "$ " and
# the lines that start with "$ " in meshdns.8's .EX/.EE blocks.  Each runs,
# in order, in one shell in $WORK (with the source tree's zones/ linked
# there) and must exit 0; a command ending in " &" runs in the background
# until the test ends, and the next one waits until it answers; a dig
# must get NOERROR with an answer.
#
# What is substituted, so that nothing outside $WORK and 127.0.0.1 is used:
#   meshdns, src/meshdns (as a command)  the built $MESHDNS
#   15053                                 a free port $P (also in the
#                                         installed configuration)
#   /etc/meshdns, /var/lib/meshdns        $WORK/inst/etc/meshdns and
#                                         $WORK/inst/var/lib/meshdns, from a
#                                         `make install prefix=$WORK/inst`
#   /run/meshdns.pid, /tmp/meshdns        $WORK/run/meshdns.pid, $WORK/tmp
# Commands that cannot run here are listed in SKIP with the reason.
. "${SRCDIR:?SRCDIR must name the source tree}/tests/system/lib.sh" || exit 1

# pattern <TAB> reason
SKIP='contrib/bootstrap.sh	installs packages with apt-get and reruns configure; make run is its zones/default served on $P in the background, make check is this
make fuzz	builds with clang and fuzzes for an hour'

I="$WORK/inst"
mkdir -p "$WORK/run" "$WORK/tmp"
ln -s "$SRCDIR/zones" "$WORK/zones"

# A port nobody listens on, UDP and TCP.
P=$(python3 -c '
import random, socket
for _ in range(100):
    p = random.randint(20000, 50000)
    try:
        for t in (socket.SOCK_DGRAM, socket.SOCK_STREAM):
            s = socket.socket(socket.AF_INET, t)
            s.bind(("127.0.0.1", p))
            s.close()
    except OSError:
        continue
    print(p)
    break')
[ -n "$P" ] || { fail "no free port"; finish; }

# The installed layout (what `make install` gives, under $WORK/inst).
if make -s -C "$BUILDDIR" install prefix="$I" >"$WORK/install.log" 2>&1; then
	pass "make install prefix=\$WORK/inst"
else
	fail "make install prefix=\$WORK/inst:"; cat "$WORK/install.log"
fi
sed -i "s/15053/$P/" "$I/etc/meshdns/meshdns.yaml"

# extract FILE: its commands.
extract() {
	case "$1" in
	*.8)	sed -n '/^\.EX$/,/^\.EE$/s/^\$ //p' "$1" |
			sed 's/\\-/-/g; s/\\e/\\/g' ;;
	*)	sed -n 's/^    \$ //p' "$1" ;;
	esac
}

subst() {
	sed -e "s|/tmp/meshdns\\([/ ]\\)|$WORK/tmp/meshdns\\1|g; s|/tmp/meshdns\$|$WORK/tmp/meshdns|" \
	    -e "s|^src/meshdns |\"\$MESHDNS\" |; s|^meshdns |\"\$MESHDNS\" |" \
	    -e "s|15053|$P|g" \
	    -e "s|/etc/meshdns|$I/etc/meshdns|g" \
	    -e "s|/var/lib/meshdns|$I/var/lib/meshdns|g" \
	    -e "s|/run/meshdns.pid|$WORK/run/meshdns.pid|g"
}

# The servers a file's commands started (in the background, or as a
# daemon with the pid file) stop before the next file's commands run.
BG=()
stop_servers() {
	local p
	local d

	d=$(cat "$WORK/run/meshdns.pid" 2>/dev/null)
	for p in "${BG[@]}" $d; do
		kill -TERM "$p" 2>/dev/null
	done
	for p in "${BG[@]}"; do
		wait "$p" 2>/dev/null
	done
	i=0
	while [ -n "$d" ] && kill -0 "$d" 2>/dev/null && [ $i -lt 50 ]; do
		sleep 0.1; i=$((i + 1))
	done
	BG=()
}

# start_bg N CMD: run CMD in the background, wait until it answers.
start_bg() {
	# exec: the pid in BG is the server itself, which stop_servers stops.
	(cd "$WORK" && eval "exec $2") >"$WORK/bg$1.log" 2>&1 &
	BG+=($!)
	i=0
	until dig @127.0.0.1 -p "$P" +time=1 +tries=1 version.bind CH TXT >/dev/null 2>&1 || [ $i -ge 50 ]; do
		sleep 0.1; i=$((i + 1))
	done
	kill -0 "${BG[-1]}" 2>/dev/null
}

n=0
for file in "$SRCDIR/README" "$SRCDIR/meshdns.8"; do
while IFS= read -r doc; do
	n=$((n + 1))
	skip=""
	while IFS=$'\t' read -r pat why; do
		case "$doc" in *"$pat"*) skip=$why ;; esac
	done <<<"$SKIP"
	if [ -n "$skip" ]; then
		echo "skip: $doc ($skip)"
		# What `make run` would serve, for the digs that follow.
		case "$doc" in *"make run"*)
			start_bg "$n" "\"\$MESHDNS\" -f -l 127.0.0.1:$P -c zones/default/meshdns.conf -s run.state" ||
				fail "the make run server does not start" ;;
		esac
		continue
	fi
	cmd=$(printf '%s\n' "$doc" | sed 's/[[:space:]]*#.*$//' | subst)
	# A command that starts another server on the port: the user has
	# stopped the one before (make run's Ctrl-C), or meshdns refuses
	# the port as served by another process.
	case "$cmd" in
	\"\$MESHDNS\"\ *-t\ *|\"\$MESHDNS\"\ *--status*) ;;
	\"\$MESHDNS\"\ *) stop_servers ;;
	esac
	if [ "${cmd% &}" != "$cmd" ]; then
		if start_bg "$n" "${cmd% &}"; then
			pass "runs as written: $doc"
		else
			fail "exits at once: $doc"; cat "$WORK/bg$n.log"
		fi
	elif (cd "$WORK" && eval "$cmd") >"$WORK/cmd$n.log" 2>&1; then
		# A dig must get an answer, not only exit 0.
		case "$cmd" in dig\ *)
			if ! grep -q 'status: NOERROR' "$WORK/cmd$n.log" ||
			   grep -q 'ANSWER: 0,' "$WORK/cmd$n.log"; then
				fail "no answer: $doc"; cat "$WORK/cmd$n.log"
				continue
			fi ;;
		esac
		pass "runs as written: $doc"
	else
		fail "exit $?: $doc (ran: $cmd)"; cat "$WORK/cmd$n.log"
	fi
done < <(extract "$file")
stop_servers
done
expect_eq "the docs' commands were found" "1" "$([ "$n" -ge 10 ] && echo 1)"

finish
