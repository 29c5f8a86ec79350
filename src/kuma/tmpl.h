/* SPDX-License-Identifier: MIT */
/*
 * tmpl.h -- HostnameGenerator templates: compile once, render many.
 *
 * Go's text/template with Kuma's one added function, label:
 *
 *   text {{ .Name }} {{ .DisplayName }} {{ .Namespace }} {{ .Mesh }}
 *   {{ .Zone }} {{ . }} {{ $ }} {{ label "key" }} {{- trims -}}, comments
 *   {{ if P }} {{ else if P }} {{ else }} {{ end }}, {{ with P }} (dot
 *   becomes P) {{ else with P }}, {{ range N }} over an integer (Go 1.22:
 *   0 to N-1) with {{ break }} {{ continue }}, variables {{ $x := P }}
 *   {{ $x = P }} (also in if, with and range pipelines), pipelines,
 *   and the builtins and or not len index slice print printf println
 *   eq ne lt le gt ge html js urlquery call.
 *
 * Values are dynamically typed: strings, booleans, integers, a byte
 * (index's uint8) and the data itself (Go's struct, hostname.meshedName);
 * they print and compare as Go's do, and errors carry Go's messages.
 * Where a mismatch is known when compiling (a field of a string, a
 * literal of the wrong type) it is a compile error with a position.
 * define, template and block are not supported.
 *
 * Limits (each an error when exceeded): if/with/range nested 64 deep,
 * parentheses 32 deep, 32 arguments per call, 15 variables visible at
 * once, 64 values alive at once ("expression too complex"), 65536 range
 * iterations in one rendering.
 *
 * Pure: no I/O, no logging.  A compiled template is immutable and may be
 * rendered from several threads at once; rendering allocates nothing
 * (about 20 KiB of stack).
 */
#ifndef MESHDNS_TMPL_H
#define MESHDNS_TMPL_H

#include <stddef.h>

struct tmpl;

/* Where and why compiling failed (line and column 0 for out of memory). */
struct tmpl_error {
	int column;		/* 1-based column inside the template text
				 * (counted in bytes; newlines restart at 1) */
	int line;		/* 1-based line inside the template text */
	char msg[256];
};

/* The data a template is rendered with (all strings borrowed, never NULL). */
struct tmpl_vars {
	const char *name;
	const char *display_name;
	const char *namespace;
	const char *mesh;
	const char *zone;
	/*
	 * label "key": the value, or NULL when the label is absent.  @key is
	 * NUL-terminated; the value must stay valid until tmpl_render()
	 * returns.  A NULL function means no label exists.
	 */
	const char *(*label)(void *ctx, const char *key);
	void *label_ctx;
};

/*
 * Compile @src (NUL-terminated; copied, the caller keeps it).  On success
 * *out is the template (caller owns, free with tmpl_free()), @err is
 * cleared and 0 is returned.  On a syntax error, *out is NULL, @err says
 * where and what, and -1 is returned; -ENOMEM on allocation failure.
 * @err may be NULL when the caller does not want the details.
 */
int tmpl_compile(struct tmpl **out, const char *src, struct tmpl_error *err);

/* Free @t; NULL is a no-op. */
void tmpl_free(struct tmpl *t);

/*
 * Render @t with @vars into @buf (NUL-terminated).  Returns 0 on success.
 * On an execution error (a label that is absent: message
 * `label <key> not found`, as Kuma's; a result longer than @size - 1:
 * `rendered name too long`; a string made by printf that
 * is longer than 1023 bytes: `intermediate value too long (limit 1023
 * bytes)`; a type mismatch only known when rendering, through and/or)
 * returns -1 with the message in @errbuf (cut to @errsize; @errbuf may be
 * NULL when @errsize is 0) and @buf holds "" (when @size > 0): a name is
 * never cut short.  @errbuf is "" after a success.
 */
int tmpl_render(const struct tmpl *t, const struct tmpl_vars *vars,
		char *buf, size_t size, char *errbuf, size_t errsize);

#endif
