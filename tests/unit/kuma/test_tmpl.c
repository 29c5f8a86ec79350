/* SPDX-License-Identifier: MIT */
/* test_tmpl.c -- unit tests for HostnameGenerator templates. */

/*
 * Expected outputs of the Go-compatible constructs were checked against
 * Go's text/template (go1.19) with the same data; where we differ from Go
 * on purpose (errors at compile time, a position on every error, the 0
 * printf flag on strings) the case says so.
 */

#include "autoconfig.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kuma/tmpl.h"

struct label {
	const char *key;
	const char *value;
};

/* Labels of a headless StatefulSet pod's MeshService, plus test oddities. */
static const struct label pod_labels[] = {
	{ "app", "redis" },
	{ "statefulset.kubernetes.io/pod-name", "redis-0" },
	{ "k8s.kuma.io/service-name", "redis" },
	{ "empty", "" },
	{ "MiXeD", "MiXeD-Value" },
	{ NULL, NULL },
};

static const char *
lookup_label(void *ctx, const char *key)
{
	const struct label *l;

	for (l = ctx; l->key != NULL; l++)
		if (strcmp(l->key, key) == 0)
			return l->value;
	return NULL;
}

/* Kuma's validation stub: every label exists and is "label". */
static const char *
stub_label(void *ctx, const char *key)
{
	return "label";
}

static const struct tmpl_vars kube_vars = {
	.name = "redis-x7k2",
	.display_name = "redis",
	.namespace = "redis-system",
	.mesh = "default",
	.zone = "east",
	.label = lookup_label,
	.label_ctx = (void *)pod_labels,
};

/* Render @src with @vars into a large buffer; fails the test on error. */
static void
expect_render(const char *src, const struct tmpl_vars *vars,
	      const char *want, size_t i)
{
	struct tmpl *t = NULL;
	struct tmpl_error err;
	char buf[2048], ebuf[256];

	if (tmpl_compile(&t, src, &err) != 0)
		fail_msg("case %zu %s: compile error %d:%d: %s", i, src,
			 err.line, err.column, err.msg);
	if (tmpl_render(t, vars, buf, sizeof(buf), ebuf, sizeof(ebuf)) != 0) {
		tmpl_free(t);
		fail_msg("case %zu %s: render error: %s", i, src, ebuf);
	}
	tmpl_free(t);
	if (strcmp(buf, want) != 0)
		fail_msg("case %zu %s: got \"%s\", want \"%s\"", i, src, buf,
			 want);
}

/* ---- Kuma's default generators (kuma.md section 4) ---- */

struct kuma_case {
	const char *template;
	struct tmpl_vars vars;
	const char *want;
};

static void
kuma_default_templates(void **state)
{
	static const char kube_ms[] =
		"{{ .DisplayName }}.{{ .Namespace }}.svc.{{ .Zone }}.mesh.local";
	static const char headless[] =
		"{{ label \"statefulset.kubernetes.io/pod-name\" }}."
		"{{ label \"k8s.kuma.io/service-name\" }}.{{ .Namespace }}"
		".svc.{{ .Zone }}.mesh.local";
	static const char universal_ms[] =
		"{{ .DisplayName }}.svc.{{ .Zone }}.mesh.local";
	static const char local_universal_ms[] =
		"{{ .DisplayName }}.svc.mesh.local";
	static const char mzs[] = "{{ .DisplayName }}.mzsvc.mesh.local";
	static const char mes[] = "{{ .DisplayName }}.extsvc.mesh.local";
	/* The resulting names the Kuma docs give for these templates. */
	const struct kuma_case cases[] = {
		{ local_universal_ms,
		  { "redis", "redis", "", "default", "west", NULL, NULL },
		  "redis.svc.mesh.local" },
		{ universal_ms,
		  { "redis", "redis", "", "default", "west", NULL, NULL },
		  "redis.svc.west.mesh.local" },
		{ kube_ms, kube_vars, "redis.redis-system.svc.east.mesh.local" },
		{ headless, kube_vars,
		  "redis-0.redis.redis-system.svc.east.mesh.local" },
		{ mzs, { "redis-5f9c", "redis", "", "default", "", NULL, NULL },
		  "redis.mzsvc.mesh.local" },
		{ mes, { "aurora", "aurora", "", "default", "", NULL, NULL },
		  "aurora.extsvc.mesh.local" },
		/* Kuma validates a template by rendering it with stubs. */
		{ headless,
		  { "name", "displayname", "namespace", "mesh", "zone",
		    stub_label, NULL },
		  "label.label.namespace.svc.zone.mesh.local" },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		expect_render(cases[i].template, &cases[i].vars, cases[i].want,
			      i);
}

/* ---- rendering, table-driven, all with kube_vars ---- */

struct render_case {
	const char *src;
	const char *want;
};

static const struct render_case render_cases[] = {
	/* literal text and fields */
	{ "", "" },
	{ "plain.text", "plain.text" },
	{ "}} and { alone are text", "}} and { alone are text" },
	{ "{{ .Name }}|{{ .DisplayName }}|{{ .Namespace }}|{{ .Mesh }}|{{ .Zone }}",
	  "redis-x7k2|redis|redis-system|default|east" },
	{ "{{.Name}}", "redis-x7k2" },
	{ "{{\n.Name\n}}", "redis-x7k2" },
	/* string literals and Go escapes */
	{ "{{ \"lit\" }}", "lit" },
	{ "{{ \"a\\x41\\u00e9\\101\\U0001F600\" }}", "aA\xc3\xa9" "A\xf0\x9f\x98\x80" },
	{ "{{ \"tab\\there\\\\ \\\"q\\\"\" }}", "tab\there\\ \"q\"" },
	{ "{{ \"\\a\\b\\f\\n\\r\\v\" | printf \"%q\" }}", "\"\\a\\b\\f\\n\\r\\v\"" },
	{ "{{ \"\\t\\\\'\\\"\" | printf \"%q\" }}", "\"\\t\\\\'\\\"\"" },
	{ "{{ printf \"%q|%q\" 34 92 }}", "'\"'|'\\\\'" },
	{ "{{ \"}}\" }}", "}}" },
	{ "{{ `raw \\n \"x\" }}` }}", "raw \\n \"x\" }}" },
	{ "{{ `multi\nline` }}", "multi\nline" },
	{ "{{ `cr\r\nlf` }}", "cr\nlf" },
	/* booleans and integers print as Go prints them */
	{ "{{ true }}{{ false }}", "truefalse" },
	{ "{{ 3 }}|{{ -3 }}|{{ +4 }}|{{ 0 }}", "3|-3|4|0" },
	{ "{{ -9223372036854775808 }}|{{ 9223372036854775807 }}",
	  "-9223372036854775808|9223372036854775807" },
	/* trim markers */
	{ "a  {{- .Zone -}}  b", "aeastb" },
	{ "a \n\t {{- .Zone }} \n b", "aeast \n b" },
	{ "a {{ .Zone -}} \r\n b", "a eastb" },
	{ "a {{-3}} b", "a -3 b" },
	{ "x {{- \"a\" -}} y", "xay" },
	{ "{{- .Zone -}}", "east" },
	{ "{{ if .Name -}}\n  a\n{{- else -}}\n  b\n{{- end }}", "a" },
	/* comments */
	{ "a {{/* c */}} b", "a  b" },
	{ "a {{- /* c */ -}} b", "ab" },
	{ "a {{- /* c */}} b", "a b" },
	{ "{{/* a\nmultiline\ncomment */}}x", "x" },
	{ "  {{- /* only a comment */ -}}  ", "" },
	{ "{{/* {{ .Name }} */}}x", "x" },
	/* label */
	{ "{{ label \"app\" }}", "redis" },
	{ "[{{ label \"empty\" }}]", "[]" },
	{ "{{ label \"MiXeD\" | printf \"%s\" }}", "MiXeD-Value" },
	/* eq ne not and or */
	{ "{{ eq .Mesh \"default\" }}", "true" },
	{ "{{ eq .Mesh \"x\" \"y\" \"default\" }}", "true" },
	{ "{{ eq .Mesh \"x\" \"y\" }}", "false" },
	{ "{{ eq 0 0 }}{{ eq true false }}", "truefalse" },
	{ "{{ ne .Mesh \"default\" }}{{ ne 1 2 }}", "falsetrue" },
	{ "{{ not .Namespace }}{{ not \"\" }}{{ not false }}{{ not 0 }}",
	  "falsetruetruetrue" },
	{ "{{ and .Name .Mesh }}|{{ and \"\" .Mesh }}|{{ and .Name true }}",
	  "default||true" },
	{ "{{ or \"\" .Zone }}|{{ or \"\" \"\" }}|{{ or false .Zone }}|{{ or .Name }}",
	  "east||east|redis-x7k2" },
	{ "{{ and 0 .Name }}|{{ or 0 3 }}", "0|3" },
	/* and/or stop at the deciding argument: the missing label is not
	 * looked up */
	{ "{{ and \"\" (label \"nope\") }}|{{ or .Name (label \"nope\") }}",
	  "|redis-x7k2" },
	{ "{{ or (label \"empty\") .DisplayName }}", "redis" },
	/* lt le gt ge: strings in byte order, integers by value */
	{ "{{ lt 1 2 }}{{ le 2 2 }}{{ gt \"b\" \"a\" }}{{ ge \"a\" \"b\" }}",
	  "truetruetruefalse" },
	{ "{{ lt (len .Name) 11 }}|{{ gt .Zone \"east\" }}", "true|false" },
	{ "{{ if ge (len .Namespace) 1 }}{{ .Namespace }}{{ end }}",
	  "redis-system" },
	/* print: a space between operands when neither is a string;
	 * println: between all, and a newline */
	{ "{{ print .Name 1 2 \"x\" true }}", "redis-x7k21 2xtrue" },
	{ "{{ println .Name 1 }}", "redis-x7k2 1\n" },
	{ "[{{ print }}]", "[]" },
	{ "{{ .Name | print \"a.\" }}", "a.redis-x7k2" },
	/* len */
	{ "{{ len .Name }}|{{ len \"\" }}|{{ len \"h\xc3\xa9\" }}", "10|0|3" },
	{ "{{ eq (len .Zone) 4 }}", "true" },
	/* pipelines: the piped value is the last argument */
	{ "{{ .Name | printf \"%s\" }}", "redis-x7k2" },
	{ "{{ \"a\"|printf \"%s\" }}", "a" },
	{ "{{ label \"app\" | printf \"%s-x\" }}", "redis-x" },
	{ "{{ .Name | printf \"%s.%s\" .Zone | printf \"%s\" }}", "east.redis-x7k2" },
	{ "{{ .Name | eq \"redis-x7k2\" \"a\" }}", "true" },
	{ "{{ label \"app\" | eq \"redis\" | not }}", "false" },
	{ "{{ \"a\" | printf \"%s\" | printf \"%s\" | printf \"[%s]\" }}", "[a]" },
	{ "{{ printf \"%s\" \"abc\" | len }}", "3" },
	/* parentheses */
	{ "{{ (.Name) }}", "redis-x7k2" },
	{ "{{ (eq .Mesh \"default\") }}", "true" },
	{ "{{ (\"A\"|printf \"%s\") }}{{(printf \"%s\" \"b\")}}", "Ab" },
	{ "{{ printf \"%s\" (printf \"%s-%s\" (printf \"%s\" \"A\") (printf \"%s\" \"b\")) | printf \"<%s>\" }}",
	  "<A-b>" },
	{ "{{ eq (and \"\" true) \"\" }}", "true" },
	/* if / else if / else */
	{ "{{ if eq .Mesh \"default\" }}a{{ else if eq .Zone \"east\" }}b{{ else }}c{{ end }}",
	  "a" },
	{ "{{ if eq .Mesh \"x\" }}a{{ else if eq .Zone \"east\" }}b{{ else }}c{{ end }}",
	  "b" },
	{ "{{ if eq .Mesh \"x\" }}a{{ else if eq .Zone \"x\" }}b{{ else }}c{{ end }}",
	  "c" },
	{ "{{ if eq .Mesh \"x\" }}a{{ else if eq .Zone \"x\" }}b{{ end }}.",
	  "." },
	{ "{{ if .Namespace }}{{ if eq .Zone \"east\" }}E{{ else }}W{{ end }}{{ end }}",
	  "E" },
	{ "{{ if .Namespace }}{{ if eq .Zone \"west\" }}W{{ else if .Mesh }}"
	  "{{ if not .Mesh }}?{{ else }}M{{ end }}{{ end }}!{{ else }}none{{ end }}",
	  "M!" },
	{ "{{ if \"\" }}a{{ else }}empty{{ end }}", "empty" },
	{ "{{ if true }}t{{ end }}{{ if false }}f{{ end }}", "t" },
	{ "{{ if 0 }}z{{ else }}nz{{ end }}", "nz" },
	{ "{{if .Name}}{{else}}{{end}}x", "x" },
	{ "{{ if\n.Name }}x{{end}}", "x" },
	{ "{{ if and .Namespace (ne .Zone \"\") }}{{ .Namespace }}.{{ end }}{{ .DisplayName }}",
	  "redis-system.redis" },
	{ "{{ if eq .Zone \"west\" \"east\" }}W-or-E{{ end }}", "W-or-E" },
	/* printf */
	{ "{{ printf \"%s|%v|%q\" .Zone .Zone .Zone }}", "east|east|\"east\"" },
	{ "{{ printf \"%v-%v-%v|%t\" 1 true \"s\" false }}", "1-true-s|false" },
	{ "{{ printf \"%d\" .Name }}", "%!d(string=redis-x7k2)" },
	{ "{{ printf \"%5d\" .Zone }}", "%!d(string= east)" },
	{ "{{ printf \"%t|%s|%d|%s\" .Zone true (eq 1 1) (len .Zone) }}",
	  "%!t(string=east)|%!s(bool=true)|%!d(bool=true)|%!s(int=4)" },
	{ "{{ printf \"%s%%\" .Zone }}", "east%" },
	{ "{{ printf \"%-5%|\" }}", "%|" },
	{ "{{ printf \"%\" }}|{{ printf \"%z\" .Zone }}", "%!(NOVERB)|%!z(string=east)" },
	{ "{{ printf \"%s %s\" \"a\" }}", "a %!s(MISSING)" },
	{ "{{ printf \"x\" .Zone 3 true }}", "x%!(EXTRA string=east, int=3, bool=true)" },
	{ "{{ printf \"%5s|%-5s|%.2s|%5.1s|%.0s|%5.s|\" \"ab\" \"cd\" .Zone .Zone .Zone .Zone }}",
	  "   ab|cd   |ea|    e||     |" },
	{ "{{ printf \"%4s|%.1s|\" \"h\xc3\xa9\" \"\xc3\xa9\xc3\xa9\" }}",
	  "  h\xc3\xa9|\xc3\xa9|" },
	/* Go 1.19 padded strings with zeros here; current Go does not */
	{ "{{ printf \"%05s\" \"ab\" }}", "   ab" },
	{ "{{ printf \"%-8q|%.1q|\" .Mesh .Mesh }}", "\"default\"|\"d\"|" },
	{ "{{ printf \"%q\" \"\\x00\\x7f\\u00e9\\u0085\\xff\" }}",
	  "\"\\x00\\x7f\xc3\xa9\\u0085\\xff\"" },
	{ "{{ printf \"%x|%X|% x|%#x|%.2x\" .Zone .Zone \"ab\" \"ab\" .Zone }}",
	  "65617374|65617374|61 62|0x6162|6561" },
	{ "{{ printf \"%d|%5d|%-5d|%05d|%+d|% d|%x|%#x|%o|%#o|%O|%b|%.3d|%.0d|\" 42 42 42 -42 42 42 255 255 8 8 8 5 7 0 }}",
	  "42|   42|42   |-0042|+42| 42|ff|0xff|10|010|0o10|101|007||" },
	{ "{{ printf \"%08.3d|%-08d|%+05d|% 05d|%#08x|%x|%#X\" 5 5 5 5 255 -255 255 }}",
	  "     005|5       |+0005| 0005|0x000000ff|-ff|0XFF" },
	{ "{{ printf \"%q|%c|%U|%#U|%q|%c|%5c|%-4q|\" 65 233 233 233 39 -1 65 10 }}",
	  "'A'|\xc3\xa9|U+00E9|U+00E9 '\xc3\xa9'|'\\''|\xef\xbf\xbd|    A|'\\n'|" },
	{ "{{ printf \"%\xc3\xa9|%!\" .Zone .Zone }}",
	  "%!\xc3\xa9(string=east)|%!!(string=east)" },
	{ "{{ printf \"%d\" (len .Name) }}", "10" },
	{ "{{ printf \"%v\" (and 3 \"x\") }}", "x" },
	/* with, else with (Go 1.23), and dot */
	{ "{{ with label \"app\" }}{{ . }}.{{ end }}{{ .DisplayName }}.mesh",
	  "redis.redis.mesh" },
	{ "{{ with label \"empty\" }}{{ . }}.{{ else }}none.{{ end }}{{ .Zone }}",
	  "none.east" },
	{ "{{ with \"\" }}a{{ else with .Zone }}{{ . }}{{ else }}c{{ end }}",
	  "east" },
	{ "{{ with printf \"%s-%s\" .Name .Zone }}{{ printf \"%s!\" . }}{{ . }}{{ end }}",
	  "redis-x7k2-east!redis-x7k2-east" },
	{ "{{ with $ }}{{ .Mesh }}{{ end }}", "default" },
	{ "{{ . }}", "{redis-x7k2 redis redis-system default east}" },
	{ "{{ with 0 }}x{{ else }}{{ .Zone }}{{ end }}", "east" },
	/* variables */
	{ "{{ $n := .DisplayName }}{{ $n }}.{{ $n }}", "redis.redis" },
	{ "{{ $n := \"a\" }}{{ $n = printf \"%s-b\" $n }}{{ $n }}", "a-b" },
	{ "{{ $.Name }}|{{ with .Zone }}{{ $.Mesh }}{{ end }}", "redis-x7k2|default" },
	{ "{{ if $z := .Zone }}{{ $z }}{{ end }}", "east" },
	{ "{{ $x := 1 }}{{ if true }}{{ $x := 2 }}{{ $x }}{{ end }}{{ $x }}", "21" },
	{ "{{ $x := \"\" }}{{ range 3 }}{{ $x = printf \"%s%d\" $x . }}{{ end }}{{ $x }}",
	  "012" },
	{ "{{ with $v := label \"app\" }}{{ $v }}{{ . }}{{ end }}", "redisredis" },
	/* range over an integer (Go 1.22), break and continue */
	{ "{{ range 3 }}{{ . }}{{ end }}", "012" },
	{ "{{ range $i := 3 }}{{ $i }}{{ end }}", "012" },
	{ "{{ range 0 }}x{{ else }}none{{ end }}", "none" },
	{ "{{ range -2 }}x{{ else }}none{{ end }}", "none" },
	{ "{{ range $i := len .DisplayName }}{{ if eq $i 2 }}{{ continue }}{{ end }}{{ if gt $i 3 }}{{ break }}{{ end }}{{ index $.DisplayName $i | printf \"%c\" }}{{ end }}",
	  "rei" },
	/* index, slice */
	{ "{{ index .Name 0 }}", "114" },
	{ "{{ index .Name }}", "redis-x7k2" },
	{ "{{ index .Name 1 | printf \"%c\" }}", "e" },
	{ "{{ eq (index .Name 0) 114 }}", "true" },
	{ "{{ slice .Name 0 5 }}|{{ slice .Name 6 }}|{{ slice .Name }}|{{ slice .Name 10 }}",
	  "redis|x7k2|redis-x7k2|" },
	{ "{{ slice (label \"app\") 1 3 | printf \"%s.x\" }}", "ed.x" },
	/* html js urlquery */
	{ "{{ html \"<a href='x'>&\\\"\" }}", "&lt;a href=&#39;x&#39;&gt;&amp;&#34;" },
	{ "{{ js \"a'b\\\"c<d>=&\\\\\" }}", "a\\'b\\\"c\\u003Cd\\u003E\\u003D\\u0026\\\\" },
	{ "{{ urlquery \"a b/c?d=é~\" }}", "a+b%2Fc%3Fd%3D%C3%A9~" },
	{ "{{ html 1 2 }}|{{ urlquery \"a\" 1 }}|{{ js }}", "1 2|a1|" },
	{ "{{ .Name | html }}", "redis-x7k2" },
};

static void
render_table(void **state)
{
	size_t i;

	for (i = 0; i < sizeof(render_cases) / sizeof(render_cases[0]); i++)
		expect_render(render_cases[i].src, &kube_vars,
			      render_cases[i].want, i);
}

/* ---- compile errors: line, column and message ---- */

struct error_case {
	const char *src;
	int line;
	int column;
	const char *msg;
};

static const struct error_case compile_errors[] = {
	/* delimiters and comments */
	{ "{{ .Name", 1, 1, "unclosed action" },
	{ "ok\n  {{ .Name ", 2, 3, "unclosed action" },
	{ "{{ .Name }", 1, 10, "unrecognized character in action: U+007D '}'" },
	{ "a {{/* c", 1, 5, "unclosed comment" },
	{ "a {{- /* c */ }} b", 1, 14, "comment ends before closing delimiter" },
	{ "a {{/* c */-}} b", 1, 12, "comment ends before closing delimiter" },
	/* Go: a comment must start right at the delimiter */
	{ "a {{ /* c */ }} b", 1, 6, "unrecognized character in action: U+002F '/'" },
	/* lexing inside actions */
	{ "{{ \"abc }}", 1, 4, "unterminated quoted string" },
	{ "{{ \"abc\n\" }}", 1, 4, "unterminated quoted string" },
	{ "{{ `abc }}", 1, 4, "unterminated raw quoted string" },
	{ "{{ \"a\\qb\" }}", 1, 6, "unknown escape sequence \\q in quoted string" },
	{ "{{ \"\\'\" }}", 1, 5, "unknown escape sequence \\' in quoted string" },
	{ "{{ \"\\x4\" }}", 1, 5,
	  "invalid escape in quoted string: \\x needs 2 hex digits" },
	{ "{{ \"\\u12\" }}", 1, 5,
	  "invalid escape in quoted string: \\u needs 4 hex digits" },
	{ "{{ \"\\ud800\" }}", 1, 5,
	  "invalid escape in quoted string: \\ud800 is not a Unicode code point" },
	{ "{{ \"\\U00110000\" }}", 1, 5,
	  "invalid escape in quoted string: \\U00110000 is not a Unicode code point" },
	{ "{{ \"\\400\" }}", 1, 5,
	  "invalid escape in quoted string: octal escape value \\400 > 255" },
	{ "{{ \"\\12\" }}", 1, 5,
	  "invalid escape in quoted string: octal escape needs 3 digits" },
	{ "{{ # }}", 1, 4, "unrecognized character in action: U+0023 '#'" },
	{ "{{ \x01 }}", 1, 4, "unrecognized character in action: U+0001" },
	{ "{{ \xc3\xa9 }}", 1, 4, "unrecognized character in action: U+00E9 '\xc3\xa9'" },
	{ "{{ .Name\"x\" }}", 1, 9, "bad character U+0022 '\"'" },
	{ "{{ .Name-x }}", 1, 9, "bad character U+002D '-'" },
	{ "{{ label\"x\" }}", 1, 9, "bad character U+0022 '\"'" },
	/* Go's parse error for a variable never declared */
	{ "{{ $x }}", 1, 4, "undefined variable \"$x\"" },
	{ "{{ if .Name }}{{ $x := 1 }}{{ end }}{{ $x }}", 1, 40,
	  "undefined variable \"$x\"" },
	{ "{{ $x = 1 }}", 1, 4, "undefined variable: $x" },
	{ "{{ $x, $y := 1 }}", 1, 6, "too many declarations in command" },
	{ "{{ $x : 1 }}", 1, 7, "expected :=" },
	{ "{{ break }}", 1, 4, "{{break}} outside {{range}}" },
	{ "{{ if 1 }}{{ continue }}{{ end }}", 1, 14, "{{continue}} outside {{range}}" },
	{ "{{ range 2 }}{{ break 1 }}{{ end }}", 1, 23, "unexpected \"1\" in {{break}}" },
	{ "{{ with .Name }}{{ .Name }}{{ end }}", 1, 21,
	  "can't evaluate field Name in type string" },
	{ "{{ lt . 1 }}", 1, 7, "invalid type for comparison" },
	{ "{{ with .Name }}x", 1, 4, "missing {{end}} for {{with}}" },
	{ "{{ range 3 }}x", 1, 4, "missing {{end}} for {{range}}" },
	{ "{{ 1.5 }}", 1, 4,
	  "bad number syntax: \"1.5\" (only decimal integers are supported)" },
	{ "{{ 007 }}", 1, 4,
	  "bad number syntax: \"007\" (only decimal integers are supported)" },
	{ "{{-}}", 1, 3,
	  "bad number syntax: \"-\" (only decimal integers are supported)" },
	{ "a {{-.Name}} b", 1, 5,
	  "bad number syntax: \"-.Name\" (only decimal integers are supported)" },
	{ "{{ 9223372036854775808 }}", 1, 4,
	  "number \"9223372036854775808\" is out of range" },
	/* fields */
	{ "{{ .Foo }}", 1, 4,
	  "unknown field .Foo (want .Name, .DisplayName, .Namespace, .Mesh or .Zone)" },
	{ "x\n\t{{ if .name }}{{ end }}", 2, 8,
	  "unknown field .name (want .Name, .DisplayName, .Namespace, .Mesh or .Zone)" },
	{ "{{ .Name.Foo }}", 1, 10, "can't evaluate field Foo in type string" },
	{ "{{ (.Name).Foo }}", 1, 12, "can't evaluate field Foo in type string" },
	{ "{{ (eq 1 1).Foo }}", 1, 13, "can't evaluate field Foo in type bool" },
	/* functions and arguments */
	{ "{{ foo }}", 1, 4, "function \"foo\" not defined" },
	{ "{{ .Name | foo }}", 1, 12, "function \"foo\" not defined" },
	{ "{{ nil }}", 1, 4, "nil is not supported" },
	{ "{{ eq .Name if }}", 1, 13, "unexpected \"if\" in operand" },
	{ "{{ \"a\"\"b\" }}", 1, 7, "unexpected \"\\\"b\\\"\" in operand" },
	{ "{{ eq .Mesh }}", 1, 4, "wrong number of args for eq: want at least 2 got 1" },
	{ "{{ ne .Mesh }}", 1, 4, "wrong number of args for ne: want 2 got 1" },
	{ "{{ ne .Mesh 1 2 }}", 1, 4, "wrong number of args for ne: want 2 got 3" },
	{ "{{ label }}", 1, 4, "wrong number of args for label: want 1 got 0" },
	{ "{{ lt true false }}", 1, 7, "invalid type for comparison" },
	{ "{{ lt 1 \"a\" }}", 1, 9, "incompatible types for comparison: int and string" },
	{ "{{ gt 1 }}", 1, 4, "wrong number of args for gt: want 2 got 1" },
	/* Not Go's, nor Kuma's: Kuma says function "lower" not defined. */
	{ "{{ .Name | lower }}", 1, 12, "function \"lower\" not defined" },
	{ "{{ upper .Name }}", 1, 4, "function \"upper\" not defined" },
	{ "{{ label \"a\" \"b\" }}", 1, 4, "wrong number of args for label: want 1 got 2" },
	{ "{{ \"x\" | label \"y\" }}", 1, 10, "wrong number of args for label: want 1 got 2" },
	{ "{{ not }}", 1, 4, "wrong number of args for not: want 1 got 0" },
	{ "{{ and }}", 1, 4, "wrong number of args for and: want at least 1 got 0" },
	{ "{{ or }}", 1, 4, "wrong number of args for or: want at least 1 got 0" },
	{ "{{ printf }}", 1, 4, "wrong number of args for printf: want at least 1 got 0" },
	{ "{{ len .Name .Mesh }}", 1, 4, "wrong number of args for len: want 1 got 2" },
	{ "{{ label }}", 1, 4, "wrong number of args for label: want 1 got 0" },
	/* Not Go's, nor Kuma's: Kuma says function "lower" not defined. */
	{ "{{ .Name | lower }}", 1, 12, "function \"lower\" not defined" },
	{ "{{ upper .Name }}", 1, 4, "function \"upper\" not defined" },
	{ "{{ eq .Name label }}", 1, 13, "wrong number of args for label: want 1 got 0" },
	{ "{{ label true }}", 1, 10, "wrong type for argument 1 of label: want string, got bool" },
	{ "{{ len 3 }}", 1, 8, "wrong type for argument 1 of len: want string, got int" },
	{ "{{ printf (eq 1 1) }}", 1, 11, "wrong type for argument 1 of printf: want string, got bool" },
	{ "{{ label (len .Name) }}", 1, 10, "wrong type for argument 1 of label: want string, got int" },
	{ "{{ eq .Name true }}", 1, 13, "incompatible types for comparison: string and bool" },
	{ "{{ eq .Name \"a\" 3 }}", 1, 17, "incompatible types for comparison: string and int" },
	{ "{{ ne (len .Name) .Zone }}", 1, 19, "incompatible types for comparison: int and string" },
	{ "{{ printf \"%[1]s\" .Name }}", 1, 11,
	  "printf: argument indexes and * widths are not supported" },
	{ "{{ printf \"%-*d\" 3 4 }}", 1, 11,
	  "printf: argument indexes and * widths are not supported" },
	/* pipelines and parentheses */
	{ "{{ }}", 1, 4, "missing value for command" },
	{ "{{ -}}", 1, 3, "missing value for command" },
	{ "{{ () }}", 1, 5, "missing value for parenthesized pipeline" },
	{ "{{ ( }}", 1, 4, "unclosed left paren" },
	{ "{{ (eq .Name (label .Zone) }}", 1, 4, "unclosed left paren" },
	{ "{{ ) }}", 1, 4, "unexpected right paren" },
	{ "{{ .Name ) }}", 1, 10, "unexpected right paren" },
	{ "{{ | label }}", 1, 4, "missing command before |" },
	{ "{{ .Name | }}", 1, 12, "missing command after |" },
	{ "{{ .Name | | label }}", 1, 12, "missing command after |" },
	{ "{{ .Name | .Mesh }}", 1, 12, "can't give argument to non-function .Mesh" },
	{ "{{ .Name \"x\" }}", 1, 4, "can't give argument to non-function .Name" },
	{ "{{ \"a\" \"b\" }}", 1, 4, "can't give argument to non-function \"a\"" },
	{ "{{ (label .Name) .Zone }}", 1, 4,
	  "can't give argument to non-function (label .Name)" },
	{ "{{ label(\"x\") }}", 1, 9, "unexpected \"(\" in operand" },
	/* control structure */
	{ "{{ if }}x{{ end }}", 1, 7, "missing value for if" },
	{ "{{ if .Name }}{{ else if }}{{ end }}", 1, 26, "missing value for if" },
	{ "{{ end }}", 1, 4, "unexpected {{end}}" },
	{ "x\n{{- end }}", 2, 5, "unexpected {{end}}" },
	{ "{{ else }}", 1, 4, "unexpected {{else}}" },
	{ "{{ else if .Name }}", 1, 4, "unexpected {{else}}" },
	{ "{{ if .Name }}x", 1, 4, "missing {{end}} for {{if}}" },
	{ "{{ if .Name }}\n  {{ if .Zone }}x{{ end }}", 1, 4, "missing {{end}} for {{if}}" },
	/* an {{end}} closes the innermost {{if}} */
	{ "{{ if .Name }}\n  {{ if .Zone }}x\n{{ end }}", 1, 4, "missing {{end}} for {{if}}" },
	{ "{{ if .Name }}\n  {{ if .Zone }}x", 2, 6, "missing {{end}} for {{if}}" },
	{ "{{ if .Name }}a{{ else if .Zone }}b{{ else }}c", 1, 4,
	  "missing {{end}} for {{if}}" },
	{ "{{ if .Name }}x{{ else }}y{{ else }}z{{ end }}", 1, 30,
	  "expected {{end}}; found {{else}}" },
	{ "{{ if .Name }}x{{ else }}y{{ else if .Zone }}z{{ end }}", 1, 30,
	  "expected {{end}}; found {{else}}" },
	{ "{{ if .Name }}{{ end x }}", 1, 22, "unexpected \"x\" in end" },
	{ "{{ if .Name }}{{ else x }}{{ end }}", 1, 23, "unexpected \"x\" in else" },
	{ "{{ define \"x\" }}{{ end }}", 1, 4, "{{define}} is not supported" },
	{ "{{ template \"x\" }}", 1, 4, "{{template}} is not supported" },
};

static void
compile_error_table(void **state)
{
	const struct error_case *c;
	struct tmpl *t = (struct tmpl *)&t;	/* not NULL: must be reset */
	struct tmpl_error err;
	size_t i;
	int rc;

	for (i = 0; i < sizeof(compile_errors) / sizeof(compile_errors[0]);
	     i++) {
		c = &compile_errors[i];
		rc = tmpl_compile(&t, c->src, &err);
		if (rc != -1 || t != NULL) {
			tmpl_free(t);
			fail_msg("case %zu %s: compiled (rc %d)", i, c->src, rc);
		}
		if (err.line != c->line || err.column != c->column ||
		    strcmp(err.msg, c->msg) != 0)
			fail_msg("case %zu %s: got %d:%d: %s; want %d:%d: %s",
				 i, c->src, err.line, err.column, err.msg,
				 c->line, c->column, c->msg);
	}
}

/* ---- errors while rendering ---- */

struct exec_case {
	const char *src;
	const char *msg;
};

static const struct exec_case exec_errors[] = {
	{ "{{ label \"nope\" }}", "label nope not found" },
	{ "a.{{ label \"app\" }}.{{ label \"missing/key\" }}", "label missing/key not found" },
	/* as in Go, a piped value is evaluated even when and/or would not
	 * need it, and every eq argument is evaluated */
	{ "{{ label \"nope\" | and \"\" }}", "label nope not found" },
	{ "{{ eq \"a\" \"a\" (label \"nope\") }}", "label nope not found" },
	{ "{{ and (label \"app\") (label \"nope\") }}", "label nope not found" },
	{ "{{ if eq .Zone \"east\" }}{{ label \"nope\" }}{{ end }}", "label nope not found" },
	/* types only known when rendering */
	{ "{{ eq (and .Name true) \"redis\" }}",
	  "incompatible types for comparison: bool and string" },
	{ "{{ label (and .Name true) }}",
	  "wrong type for argument 1 of label: want string, got bool" },
	{ "{{ label (or 1 \"x\") }}",
	  "wrong type for argument 1 of label: want string, got int" },
	{ "{{ printf \"%1100s\" \"x\" }}", "intermediate value too long (limit 1023 bytes)" },
	{ "{{ printf \"%s%s\" (printf \"%600s\" \"a\") (printf \"%600s\" \"b\") }}",
	  "intermediate value too long (limit 1023 bytes)" },
	{ "{{ printf \"%1000s\" \"x\" | printf \"%s%s\" \"abcdefghijklmnopqrstuvwxyz\" }}",
	  "intermediate value too long (limit 1023 bytes)" },
	/* Go's execution errors of the builtins on this data */
	{ "{{ index .Name 10 }}", "error calling index: reflect: string index out of range" },
	{ "{{ index .Name 11 }}", "error calling index: index out of range: 11" },
	{ "{{ index .Name -1 }}", "error calling index: index out of range: -1" },
	{ "{{ index .Name \"a\" }}",
	  "error calling index: cannot index slice/array with type string" },
	{ "{{ index .Name 0 0 }}", "error calling index: can't index item of type uint8" },
	{ "{{ index . 0 }}",
	  "error calling index: can't index item of type hostname.meshedName" },
	{ "{{ slice .Name 3 2 }}", "error calling slice: invalid slice index: 3 > 2" },
	{ "{{ slice .Name 1 2 3 }}", "error calling slice: cannot 3-index slice a string" },
	{ "{{ slice .Name 1 2 3 4 }}", "error calling slice: too many slice indexes: 4" },
	{ "{{ slice 3 }}", "error calling slice: can't slice item of type int" },
	{ "{{ slice .Name 11 }}", "error calling slice: index out of range: 11" },
	{ "{{ call .Name }}", "error calling call: non-function .Name of type string" },
	{ "{{ call $ 1 }}",
	  "error calling call: non-function $ of type hostname.meshedName" },
	{ "{{ len (index .Name 0) }}", "error calling len: len of type uint8" },
	{ "{{ range .Name }}x{{ end }}", "range can't iterate over redis-x7k2" },
	{ "{{ range true }}x{{ end }}", "range can't iterate over true" },
	{ "{{ range $i, $e := 3 }}x{{ end }}",
	  "can't use 3 to iterate over more than one variable" },
	{ "{{ with (index .Name 0) }}{{ .Name }}{{ end }}",
	  "can't evaluate field Name in type uint8" },
	{ "{{ $x := .Name }}{{ $x.Name }}", "can't evaluate field Name in type string" },
	{ "{{ $b := true }}{{ lt 1 $b }}", "incompatible types for comparison: int and bool" },
	{ "{{ range 100000 }}{{ end }}", "range: too many iterations (limit 65536)" },
};

static void
exec_error_table(void **state)
{
	const struct exec_case *c;
	struct tmpl *t = NULL;
	struct tmpl_error err;
	char buf[2048], ebuf[256];
	size_t i;
	int rc;

	for (i = 0; i < sizeof(exec_errors) / sizeof(exec_errors[0]); i++) {
		c = &exec_errors[i];
		if (tmpl_compile(&t, c->src, &err) != 0)
			fail_msg("case %zu %s: compile error %d:%d: %s", i,
				 c->src, err.line, err.column, err.msg);
		memset(buf, 'x', sizeof(buf));
		rc = tmpl_render(t, &kube_vars, buf, sizeof(buf), ebuf,
				 sizeof(ebuf));
		tmpl_free(t);
		if (rc != -1)
			fail_msg("case %zu %s: rendered \"%s\"", i, c->src,
				 buf);
		if (strcmp(ebuf, c->msg) != 0)
			fail_msg("case %zu %s: got \"%s\", want \"%s\"", i,
				 c->src, ebuf, c->msg);
		/* No partial name is left behind. */
		assert_string_equal(buf, "");
	}
}

/* A label function that is not there: every label is absent. */
static void
label_without_callback(void **state)
{
	struct tmpl_vars vars = kube_vars;
	struct tmpl *t = NULL;
	char buf[64], ebuf[64];

	vars.label = NULL;
	assert_int_equal(tmpl_compile(&t, "{{ label \"app\" }}", NULL), 0);
	assert_int_equal(tmpl_render(t, &vars, buf, sizeof(buf), ebuf,
				     sizeof(ebuf)), -1);
	assert_string_equal(ebuf, "label app not found");
	tmpl_free(t);
}

/* ---- the output buffer: never truncated silently ---- */

static void
render_overflow(void **state)
{
	static const char want[] = "redis.redis-system.svc.east.mesh.local";
	struct tmpl *t = NULL;
	char buf[sizeof(want) + 8], ebuf[64];
	size_t n = sizeof(want) - 1;

	assert_int_equal(tmpl_compile(&t,
		"{{ .DisplayName }}.{{ .Namespace }}.svc.{{ .Zone }}.mesh.local",
		NULL), 0);
	/* Exactly enough room for the name and its NUL. */
	assert_int_equal(tmpl_render(t, &kube_vars, buf, n + 1, ebuf,
				     sizeof(ebuf)), 0);
	assert_string_equal(buf, want);
	assert_string_equal(ebuf, "");
	/* One byte less fails, and leaves an empty string. */
	memset(buf, 'x', sizeof(buf));
	assert_int_equal(tmpl_render(t, &kube_vars, buf, n, ebuf,
				     sizeof(ebuf)), -1);
	assert_string_equal(ebuf, "rendered name too long");
	assert_string_equal(buf, "");
	/* Overflowing in a literal text part, and in a field. */
	assert_int_equal(tmpl_render(t, &kube_vars, buf, 6, ebuf,
				     sizeof(ebuf)), -1);
	assert_string_equal(ebuf, "rendered name too long");
	assert_int_equal(tmpl_render(t, &kube_vars, buf, 3, ebuf,
				     sizeof(ebuf)), -1);
	assert_string_equal(ebuf, "rendered name too long");
	/* No room even for the NUL. */
	assert_int_equal(tmpl_render(t, &kube_vars, buf, 0, ebuf,
				     sizeof(ebuf)), -1);
	assert_string_equal(ebuf, "rendered name too long");
	/* The error text is cut to the caller's buffer, or not written. */
	assert_int_equal(tmpl_render(t, &kube_vars, buf, 3, ebuf, 9), -1);
	assert_string_equal(ebuf, "rendered");
	assert_int_equal(tmpl_render(t, &kube_vars, buf, 3, NULL, 0), -1);
	tmpl_free(t);

	/* An empty result fits in one byte. */
	assert_int_equal(tmpl_compile(&t, "{{ if false }}x{{ end }}", NULL), 0);
	assert_int_equal(tmpl_render(t, &kube_vars, buf, 1, ebuf,
				     sizeof(ebuf)), 0);
	assert_string_equal(buf, "");
	tmpl_free(t);
}

/* The scratch space for made strings holds 1023 bytes, not one more. */
static void
intermediate_limit(void **state)
{
	struct tmpl *t = NULL;
	char buf[2048], ebuf[64];

	assert_int_equal(tmpl_compile(&t, "{{ printf \"%1023s\" \"x\" }}", NULL), 0);
	assert_int_equal(tmpl_render(t, &kube_vars, buf, sizeof(buf), ebuf,
				     sizeof(ebuf)), 0);
	assert_int_equal(strlen(buf), 1023);
	assert_int_equal(buf[1022], 'x');
	tmpl_free(t);
	assert_int_equal(tmpl_compile(&t, "{{ printf \"%1024s\" \"x\" }}", NULL), 0);
	assert_int_equal(tmpl_render(t, &kube_vars, buf, sizeof(buf), ebuf,
				     sizeof(ebuf)), -1);
	assert_string_equal(ebuf, "intermediate value too long (limit 1023 bytes)");
	tmpl_free(t);
	/* Scratch is released between actions and after each call. */
	assert_int_equal(tmpl_compile(&t,
		"{{ printf \"%1000s\" \"a\" }}{{ printf \"%1000s\" \"b\" }}", NULL), 0);
	assert_int_equal(tmpl_render(t, &kube_vars, buf, sizeof(buf), ebuf,
				     sizeof(ebuf)), 0);
	assert_int_equal(strlen(buf), 2000);
	tmpl_free(t);
	assert_int_equal(tmpl_compile(&t,
		"{{ printf \"%d-%s\" (printf \"%400s\" \"a\" | len) (printf \"%400s\" \"b\") }}",
		NULL), 0);
	assert_int_equal(tmpl_render(t, &kube_vars, buf, sizeof(buf), ebuf,
				     sizeof(ebuf)), 0);
	assert_int_equal(strlen(buf), 404);
	assert_memory_equal(buf, "400-    ", 8);
	assert_int_equal(buf[403], 'b');
	tmpl_free(t);
}

/* ---- compile once, render many ---- */

static int
setup_compiled(void **state)
{
	struct tmpl *t = NULL;
	struct tmpl_error err;

	if (tmpl_compile(&t,
		"{{- if .Namespace -}}\n"
		"  {{ .DisplayName }}.{{ .Namespace }}.svc.{{ .Zone }}.mesh.local\n"
		"{{- else -}}\n"
		"  {{ .DisplayName }}.svc.mesh.local\n"
		"{{- end -}}\n", &err) != 0)
		return -1;
	*state = t;
	return 0;
}

static int
teardown_compiled(void **state)
{
	tmpl_free(*state);
	return 0;
}

static void
render_many(void **state)
{
	const struct tmpl *t = *state;
	struct tmpl_vars vars = kube_vars;
	char buf[128], ebuf[64];
	int i;

	for (i = 0; i < 3; i++) {
		assert_int_equal(tmpl_render(t, &kube_vars, buf, sizeof(buf),
					     ebuf, sizeof(ebuf)), 0);
		assert_string_equal(buf, "redis.redis-system.svc.east.mesh.local");
		vars.namespace = "";
		vars.display_name = "backend";
		assert_int_equal(tmpl_render(t, &vars, buf, sizeof(buf), ebuf,
					     sizeof(ebuf)), 0);
		assert_string_equal(buf, "backend.svc.mesh.local");
	}
}

/* ---- limits that keep compiling and rendering bounded ---- */

static char *
repeat(const char *head, const char *unit, int n, const char *mid,
       const char *unit2, int n2, const char *tail)
{
	size_t len = strlen(head) + strlen(unit) * (size_t)n + strlen(mid) +
		     strlen(unit2) * (size_t)n2 + strlen(tail) + 1;
	char *s = malloc(len);
	int i;

	assert_non_null(s);
	strcpy(s, head);
	for (i = 0; i < n; i++)
		strcat(s, unit);
	strcat(s, mid);
	for (i = 0; i < n2; i++)
		strcat(s, unit2);
	strcat(s, tail);
	return s;
}

static void
expect_limit(char *src, bool ok, int column, const char *msg)
{
	struct tmpl *t = NULL;
	struct tmpl_error err;
	int rc = tmpl_compile(&t, src, &err);

	if (ok) {
		if (rc != 0)
			fail_msg("compile error %d:%d: %s", err.line,
				 err.column, err.msg);
	} else {
		assert_int_equal(rc, -1);
		assert_null(t);
		assert_int_equal(err.line, 1);
		assert_int_equal(err.column, column);
		assert_string_equal(err.msg, msg);
	}
	tmpl_free(t);
	free(src);
}

static void
nesting_limits(void **state)
{
	char buf[64], ebuf[64];
	struct tmpl *t = NULL;
	char *src;

	/* 64 nested {{if}} are fine, the 65th is refused at its keyword. */
	expect_limit(repeat("", "{{if true}}", 64, "x", "{{end}}", 64, ""),
		     true, 0, NULL);
	expect_limit(repeat("", "{{if true}}", 65, "x", "{{end}}", 65, ""),
		     false, 64 * 11 + 3, "{{if}} nested too deeply (limit 64)");
	/* A long {{else if}} chain is not nesting. */
	src = repeat("{{ if false }}", "{{ else if false }}", 200,
		     "{{ else }}last", "", 0, "{{ end }}");
	assert_int_equal(tmpl_compile(&t, src, NULL), 0);
	assert_int_equal(tmpl_render(t, &kube_vars, buf, sizeof(buf), ebuf,
				     sizeof(ebuf)), 0);
	assert_string_equal(buf, "last");
	tmpl_free(t);
	free(src);
	/* Parentheses: 32 levels. */
	expect_limit(repeat("{{ ", "(", 32, ".Name", ")", 32, " }}"), true, 0,
		     NULL);
	expect_limit(repeat("{{ ", "(", 33, ".Name", ")", 33, " }}"), false,
		     4 + 32, "parentheses nested too deeply (limit 32)");
	/* Arguments: 32 per call, counting a piped one. */
	expect_limit(repeat("{{ printf \"\"", " 1", 31, "", "", 0, " }}"),
		     true, 0, NULL);
	expect_limit(repeat("{{ printf \"\"", " 1", 32, "", "", 0, " }}"),
		     false, 12 + 31 * 2 + 2, "too many arguments (limit 32)");
	expect_limit(repeat("{{ 1 | printf \"\"", " 1", 31, "", "", 0, " }}"),
		     false, 8, "too many arguments (limit 32)");
	/* Values alive at once while rendering: 64. */
	expect_limit(repeat("{{ .Name", " | not", 64, "", "", 0, " }}"),
		     true, 0, NULL);
	expect_limit(repeat("{{ .Name", " | not", 65, "", "", 0, " }}"),
		     false, 8 + 64 * 6 + 4, "expression too complex");
}

static void
long_pipeline_renders(void **state)
{
	char *src = repeat("{{ \"AbC\"", " | printf \"%s\"", 32, "", "", 0,
			   " }}");
	struct tmpl *t = NULL;
	char buf[64], ebuf[64];

	assert_int_equal(tmpl_compile(&t, src, NULL), 0);
	assert_int_equal(tmpl_render(t, &kube_vars, buf, sizeof(buf), ebuf,
				     sizeof(ebuf)), 0);
	assert_string_equal(buf, "AbC");
	tmpl_free(t);
	free(src);
}

/* ---- API edges ---- */

static void
api_edges(void **state)
{
	struct tmpl *t = (struct tmpl *)&t;	/* not NULL: must be reset */
	struct tmpl_error err;

	tmpl_free(NULL);
	/* A failed compile leaves *out NULL; err may be NULL. */
	assert_int_equal(tmpl_compile(&t, "{{ .Foo }}", NULL), -1);
	assert_null(t);
	/* A success clears a stale error. */
	memset(&err, 'x', sizeof(err));
	assert_int_equal(tmpl_compile(&t, "x", &err), 0);
	assert_non_null(t);
	assert_int_equal(err.line, 0);
	assert_string_equal(err.msg, "");
	tmpl_free(t);
	/* Columns count bytes; a tab is one. */
	assert_int_equal(tmpl_compile(&t, "a\n\t\xc3\xa9{{ .X }}", &err), -1);
	assert_int_equal(err.line, 2);
	assert_int_equal(err.column, 7);
	/* The source is copied: the caller may free it after compiling. */
	{
		char *src = strdup("{{ \"lit\" }}-{{ .Zone }}");
		char buf[32], ebuf[32];

		assert_non_null(src);
		assert_int_equal(tmpl_compile(&t, src, NULL), 0);
		memset(src, '#', strlen(src));
		free(src);
		assert_int_equal(tmpl_render(t, &kube_vars, buf, sizeof(buf),
					     ebuf, sizeof(ebuf)), 0);
		assert_string_equal(buf, "lit-east");
		tmpl_free(t);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(kuma_default_templates),
		cmocka_unit_test(render_table),
		cmocka_unit_test(compile_error_table),
		cmocka_unit_test(exec_error_table),
		cmocka_unit_test(label_without_callback),
		cmocka_unit_test(render_overflow),
		cmocka_unit_test(intermediate_limit),
		cmocka_unit_test_setup_teardown(render_many, setup_compiled,
						teardown_compiled),
		cmocka_unit_test(nesting_limits),
		cmocka_unit_test(long_pipeline_renders),
		cmocka_unit_test(api_edges),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
