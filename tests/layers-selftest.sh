#!/bin/bash
# layers-selftest.sh -- tests/layers.sh itself: a throw-away tree that
# keeps the layer rule passes; the same tree with one bad include fails
# and names the file, the line and the rule.
. "${SRCDIR:?SRCDIR must name the source tree}/tests/system/lib.sh" || exit 1

LAYERS="$SRCDIR/tests/layers.sh"

# A tree that keeps every rule, each layer including what it may.
make_tree() {
	rm -rf "$WORK/src"
	mkdir -p "$WORK/src/util" "$WORK/src/dns" "$WORK/src/kuma" \
		"$WORK/src/build" "$WORK/src/daemon"
	printf '#include <stddef.h>\n' >"$WORK/src/util/a.h"
	printf '#include "autoconfig.h"\n#include <yaml.h>\n#include <yajl/yajl_parse.h>\n#include "util/a.h"\n' \
		>"$WORK/src/util/yamlx.c"
	printf '#include "autoconfig.h"\n#include <ldns/ldns.h>\n#include "util/a.h"\n#include "dns/b.h"\n' \
		>"$WORK/src/dns/b.c"
	printf '#include "util/a.h"\n' >"$WORK/src/dns/b.h"
	printf '#include "autoconfig.h"\n#include "util/a.h"\n#include "kuma/c.h"\n' \
		>"$WORK/src/kuma/c.c"
	printf '#include <stdint.h>\n' >"$WORK/src/kuma/c.h"
	printf '#include "autoconfig.h"\n#include "util/a.h"\n#include "dns/b.h"\n#include "kuma/c.h"\n#include "build/d.h"\n' \
		>"$WORK/src/build/d.c"
	printf '#include "dns/b.h"\n' >"$WORK/src/build/d.h"
	printf '#include "autoconfig.h"\n#include <ev.h>\n#include "build/d.h"\n#include "daemon/e.h"\n#include "util/a.h"\n' \
		>"$WORK/src/daemon/e.c"
	printf '#include <ev.h>\n' >"$WORK/src/daemon/e.h"
	printf '#include "autoconfig.h"\n#include <stdio.h>\n#include "daemon/e.h"\n#include "util/a.h"\n' \
		>"$WORK/src/main.c"
}

make_tree
out=$(bash "$LAYERS" "$WORK/src" 2>&1)
expect_eq "a tree that keeps the rule: exit 0" "0" "$?"
expect_eq "a tree that keeps the rule: nothing printed" "" "$out"

# FILE LINE TEXT EXPECTED: TEXT inserted as line LINE of FILE (under
# src/) must fail with "src/FILE:LINE: EXPECTED..." and nothing else.
violation() {
	make_tree
	f="$WORK/src/$1"
	mkdir -p "$(dirname "$f")"
	touch "$f"
	{ head -n $(($2 - 1)) "$f"; printf '%s\n' "$3"; tail -n +"$2" "$f"; } >"$f.new"
	mv "$f.new" "$f"
	out=$(bash "$LAYERS" "$WORK/src" 2>&1)
	expect_eq "$1:$2 $3: exit 1" "1" "$?"
	expect_match "$1:$2 $3: the file, the line, the rule" \
		"^src/$1:$2: $4" "$out"
	expect_eq "$1:$2 $3: one offending line, and the count" "2" \
		"$(printf '%s\n' "$out" | wc -l | tr -d ' ')"
}

violation util/a.h 2 '#include "build/d.h"' \
	'#include "build/d.h": util/ includes util/ only'
violation util/a.h 1 '#include "dns/b.h"' \
	'#include "dns/b.h": util/ includes util/ only'
violation dns/b.c 3 '#include "kuma/c.h"' \
	'#include "kuma/c.h": dns/ includes util/ and dns/ only'
violation kuma/c.h 1 '#include "dns/b.h"' \
	'#include "dns/b.h": kuma/ includes util/ and kuma/ only'
violation build/d.c 2 '#include "daemon/e.h"' \
	'#include "daemon/e.h": build/ includes'
violation main.c 3 '#include "build/d.h"' \
	'#include "build/d.h": main.c includes daemon/ and util/ only'
violation kuma/c.c 2 '#include <ldns/ldns.h>' \
	'#include <ldns/ldns.h>: only dns/ uses ldns'
violation build/d.c 4 '#include <ev.h>' \
	'#include <ev.h>: only daemon/ uses libev'
violation main.c 2 '#include <ev.h>' \
	'#include <ev.h>: only daemon/ uses libev'
violation dns/b.h 1 '#include <yaml.h>' \
	'#include <yaml.h>: only util/yamlx.c uses libyaml'
violation kuma/c.c 3 '#include <yajl/yajl_parse.h>' \
	'#include <yajl/yajl_parse.h>: only util/yamlx.c uses yajl'
violation util/a.h 1 '#include <yajl/yajl_tree.h>' \
	'#include <yajl/yajl_tree.h>: only util/yamlx.c uses yajl'
violation dns/b.c 4 '#include "b.h"' \
	'#include "b.h": a quoted include names its layer folder'
violation util/a.h 1 '  #  include   "kuma/c.h"' \
	'#include "kuma/c.h": util/ includes util/ only'
violation extra/x.c 1 '#include "util/a.h"' \
	'not in a layer folder'

# Every violation is reported, not only the first.
make_tree
printf '#include "build/d.h"\n' >>"$WORK/src/util/a.h"
printf '#include "dns/b.h"\n' >>"$WORK/src/kuma/c.c"
out=$(bash "$LAYERS" "$WORK/src" 2>&1)
expect_eq "two violations: exit 1" "1" "$?"
expect_match "two violations: the first" "^src/kuma/c\.c:4: " "$out"
expect_match "two violations: the second" "^src/util/a\.h:2: " "$out"
expect_match "two violations: counted" "^layers\.sh: 2 includes break" "$out"

# Usage errors are not a pass.
bash "$LAYERS" "$WORK/no-such-dir" >/dev/null 2>&1
expect_eq "a missing directory: exit 2" "2" "$?"
mkdir -p "$WORK/empty"
bash "$LAYERS" "$WORK/empty" >/dev/null 2>&1
expect_eq "a directory without sources: exit 2" "2" "$?"

finish
