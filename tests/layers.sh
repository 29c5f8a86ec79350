#!/bin/bash
# layers.sh -- the include rule of DESIGN.md "Layers", checked over the
# #include lines of every src/**/*.[ch]:
#
#   util <- {dns, kuma} <- build <- daemon <- main.c
#
#   util/     includes util/ only
#   dns/      util/, dns/            (never kuma/)
#   kuma/     util/, kuma/           (never dns/)
#   build/    util/, dns/, kuma/, build/
#   daemon/   everything but main.c
#   main.c    daemon/ and util/ (the command line only)
#
# "autoconfig.h" (configure's header) is allowed everywhere; any other
# quoted include names its layer folder ("dns/table.h").  Only dns/ may
# include <ldns/...>, only daemon/ <ev.h>, only util/yamlx.c <yaml.h> and
# <yajl/...>.
#
# Usage: tests/layers.sh [SRCDIR]   (default: $SRCDIR/src, as make check
# sets it).  Prints every offending file:line with the rule it breaks and
# exits 1; exits 0 when the tree keeps the rule, 2 on a usage error.
# tests/layers-selftest.sh checks this script itself.
set -u

dir=${1:-${SRCDIR:-.}/src}
if [ ! -d "$dir" ]; then
	echo "layers.sh: $dir: not a directory" >&2
	exit 2
fi
name=$(basename "$(cd "$dir" && pwd)")

cd "$dir" || exit 2
files=$(find . -name '*.[ch]' -type f | sed 's|^\./||' | LC_ALL=C sort)
if [ -z "$files" ]; then
	echo "layers.sh: no .c or .h file under $dir" >&2
	exit 2
fi

# One awk over every file: each #include line against its file's layer.
# shellcheck disable=SC2086
LC_ALL=C awk -v top="$name" '
function layer_of(path) {
	if (path == "main.c")
		return "main.c"
	if (path ~ /^(util|dns|kuma|build|daemon)\//)
		return substr(path, 1, index(path, "/") - 1)
	return ""
}
function bad(msg) {
	printf "%s/%s:%d: %s\n", top, FILENAME, FNR, msg
	nbad++
}
BEGIN {
	may["util"] = " util "
	may["dns"] = " util dns "
	may["kuma"] = " util kuma "
	may["build"] = " util dns kuma build "
	may["daemon"] = " util dns kuma build daemon "
	may["main.c"] = " util daemon "
	rule["util"] = "util/ includes util/ only"
	rule["dns"] = "dns/ includes util/ and dns/ only"
	rule["kuma"] = "kuma/ includes util/ and kuma/ only"
	rule["build"] = "build/ includes util/, dns/, kuma/ and build/ only"
	rule["daemon"] = "daemon/ includes util/, dns/, kuma/, build/ and daemon/ only"
	rule["main.c"] = "main.c includes daemon/ and util/ only"
}
FNR == 1 {
	layer = layer_of(FILENAME)
	if (layer == "")
		bad("not in a layer folder (util, dns, kuma, build, daemon) nor main.c")
}
/^[ \t]*#[ \t]*include[ \t]*["<]/ {
	if (layer == "")
		next
	line = $0
	sub(/^[ \t]*#[ \t]*include[ \t]*/, "", line)
	if (line ~ /^"/) {
		inc = substr(line, 2)
		sub(/".*/, "", inc)
		if (inc == "autoconfig.h")
			next
		if (inc !~ /^[a-z]+\//) {
			bad("#include \"" inc "\": a quoted include names its layer folder (\"dns/table.h\")")
			next
		}
		target = substr(inc, 1, index(inc, "/") - 1)
		if (index(may[layer], " " target " ") == 0)
			bad("#include \"" inc "\": " rule[layer])
		next
	}
	inc = substr(line, 2)
	sub(/>.*/, "", inc)
	if (inc ~ /^ldns\// && layer != "dns")
		bad("#include <" inc ">: only dns/ uses ldns")
	else if (inc == "ev.h" && layer != "daemon")
		bad("#include <ev.h>: only daemon/ uses libev")
	else if (inc == "yaml.h" && FILENAME != "util/yamlx.c")
		bad("#include <yaml.h>: only util/yamlx.c uses libyaml")
	else if (inc ~ /^yajl\// && FILENAME != "util/yamlx.c")
		bad("#include <" inc ">: only util/yamlx.c uses yajl")
}
END {
	if (nbad > 0) {
		printf "layers.sh: %d include%s break%s the layer rule (DESIGN.md \"Layers\")\n", nbad, nbad == 1 ? "" : "s", nbad == 1 ? "s" : ""
		exit 1
	}
}
' $files
