#!/bin/bash
# cli.sh -- the command line a newcomer types first: --version, usage
# errors, -u with a resolv.conf path, and what -t prints (zone counts,
# paths, warnings once).
. "${SRCDIR:?SRCDIR must name the source tree}/tests/system/lib.sh" || exit 1

copy_zones

# --version: meshdns's own and the libraries' it runs with.
out=$("$MESHDNS" --version 2>&1)
expect_eq "--version exits 0" "0" "$?"
expect_match "--version names meshdns's version" "^meshdns [0-9]+\.[0-9]+" "$out"
expect_match "--version names ldns, libyaml and libev" \
	"^ldns [0-9]+\.[0-9]+[.0-9]*, libyaml [0-9]+\.[0-9]+[.0-9]*, libev [0-9]+\.[0-9]+$" "$out"
expect_eq "-V is --version" "$out" "$("$MESHDNS" -V 2>&1)"

finish
