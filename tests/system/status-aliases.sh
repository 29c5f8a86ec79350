#!/bin/bash
# status-aliases.sh -- `meshdns --status` of resources with a "billion
# laughs" (nested aliases) in their specs: what an alias shares is
# printed once, with an anchor, then as an alias, so the output and the
# memory grow as the file does, not as its expansion; and a file whose
# aliases would make readers copy more than 16 MiB of text is an error
# that names the alias.
. "${SRCDIR:?SRCDIR must name the source tree}/tests/system/lib.sh" || exit 1

command -v python3 >/dev/null 2>&1 || {
	fail "python3 is not installed"
	finish
}

SERVICES=8	# each spec: 100,000 laughs expanded (0.9 MB of --status)

mkdir -p "$WORK/res"
for s in $(seq 1 "$SERVICES"); do
	cat <<YAML
---
type: MeshService
name: laughs-$s
mesh: default
spec:
  selector:
    dataplaneTags:
      app: laughs-$s
  ports:
  - {name: http, port: 80, targetPort: 80, appProtocol: http}
  l0: &l0 "lol"
  l1: &l1 [*l0, *l0, *l0, *l0, *l0, *l0, *l0, *l0, *l0, *l0]
  l2: &l2 [*l1, *l1, *l1, *l1, *l1, *l1, *l1, *l1, *l1, *l1]
  l3: &l3 [*l2, *l2, *l2, *l2, *l2, *l2, *l2, *l2, *l2, *l2]
  l4: &l4 [*l3, *l3, *l3, *l3, *l3, *l3, *l3, *l3, *l3, *l3]
  l5: [*l4, *l4, *l4, *l4, *l4, *l4, *l4, *l4, *l4, *l4]
YAML
done >"$WORK/res/laughs.yaml"
printf 'zone: default\nresources: [res]\nstart-cache: false\n' >"$WORK/meshdns.conf"

# run_status: --status of $WORK/meshdns.conf (its messages in $WORK/err);
# prints its exit status, the bytes it wrote and its peak resident memory
# in kB.
cat >"$WORK/run.py" <<'PY'
import resource, subprocess, sys

out = open(sys.argv[2], "wb")
rc = subprocess.call([sys.argv[1], "--status", "-c", sys.argv[3],
                      "-s", sys.argv[4]], stdout=out)
out.close()
size = len(open(sys.argv[2], "rb").read())
print(rc, size, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
PY
run_status() {
	python3 "$WORK/run.py" "$MESHDNS" "$WORK/out.yaml" \
		"$WORK/meshdns.conf" "$WORK/state" 2>"$WORK/err"
}
read -r rc size rss < <(run_status)
echo "--status: exit $rc, $size bytes, peak VmRSS $rss kB"
expect_eq "--status of $SERVICES billion-laughs specs succeeds" 0 "$rc"
if [ "$size" -le 65536 ]; then
	pass "its output grows as the file, not as the aliases expand ($size bytes)"
else
	fail "its output is $size bytes: the aliases were expanded"
fi
if [ "$rss" -le 65536 ]; then
	pass "its memory is bounded ($rss kB)"
else
	fail "its peak memory is $rss kB: the aliases were expanded"
fi
out=$(cat "$WORK/out.yaml")
expect_eq "every service is printed" "$SERVICES" "$(grep -c '^type: MeshService' "$WORK/out.yaml")"
expect_match "the shared scalar is written once, with an anchor" \
	'^  l0: &a1 "lol"$' "$out"
expect_match "then as an alias" '^  - \*a1$' "$out"
expect_match "a list reached once is written without an anchor" \
	'^  l5:$' "$out"

# Past the bound: 200 bytes aliased ten times, a hundred times, ... in
# one spec (20 MB of text expanded): an error naming the file, the
# alias and its position, and nothing printed.
big=$(printf '%0200d' 0)
cat >"$WORK/res/laughs.yaml" <<YAML
type: MeshService
name: laughs
mesh: default
spec:
  selector:
    dataplaneTags:
      app: laughs
  ports:
  - {name: http, port: 80, targetPort: 80, appProtocol: http}
  l0: &l0 "$big"
  l1: &l1 [*l0, *l0, *l0, *l0, *l0, *l0, *l0, *l0, *l0, *l0]
  l2: &l2 [*l1, *l1, *l1, *l1, *l1, *l1, *l1, *l1, *l1, *l1]
  l3: &l3 [*l2, *l2, *l2, *l2, *l2, *l2, *l2, *l2, *l2, *l2]
  l4: &l4 [*l3, *l3, *l3, *l3, *l3, *l3, *l3, *l3, *l3, *l3]
  l5: [*l4, *l4, *l4, *l4, *l4, *l4, *l4, *l4, *l4, *l4]
YAML
read -r rc size rss < <(run_status)
echo "--status past the bound: exit $rc, $size bytes, peak VmRSS $rss kB"
expect_eq "--status of 20 MB of aliased text fails" "1 0" "$rc $size"
expect_match "with the file, the alias, its position and the limit" \
	"^meshdns: $WORK/res/laughs.yaml:15:43: error: alias \\*l4: aliases in this file expand to more than 16777216 bytes of text; not supported$" \
	"$(cat "$WORK/err")"
if [ "$rss" -le 65536 ]; then
	pass "its memory is bounded ($rss kB)"
else
	fail "its peak memory is $rss kB: the aliases were expanded"
fi
# The ordinary build reads the file the same way.
out=$("$MESHDNS" -t -c "$WORK/meshdns.conf" -s "$WORK/state" 2>&1)
expect_eq "-t fails likewise" 1 "$?"
expect_match "with the same message" \
	"^meshdns: $WORK/res/laughs.yaml:15:43: error: alias \\*l4: aliases in this file expand to more than 16777216 bytes of text; not supported$" \
	"$out"

finish
