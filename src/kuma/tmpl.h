/* SPDX-License-Identifier: MIT */
/*
 * tmpl.h -- HostnameGenerator templates: compile once, render many.
 *
 * The subset of Go text/template that Kuma users write:
 *
 *   text {{ .Name }} {{ .DisplayName }} {{ .Namespace }} {{ .Mesh }}
 *   {{ .Zone }} {{ label "key" }} {{- trims -}}, Go's comment action
 *   {{ if COND }} ... {{ else if COND }} ... {{ else }} ... {{ end }}
 *   COND / values: .Field, "string" (Go escapes), `raw string`, true,
 *                  false, decimal integers, (pipeline),
 *                  eq A B [C...], ne A B, not A, and A B..., or A B...,
 *                  len A, label "k", printf "%s" A..., print A...,
 *                  println A..., lt A B, le A B, gt A B, ge A B
 *   pipelines:     {{ .Name | printf "%s-x" }}, {{ label "x" | len }}
 *                  (the piped value becomes the last argument)
 *
 * Values are strings, booleans and integers (len's result); they print as
 * Go prints them.  Truth follows Go: the empty string, false and 0 are
 * false, everything else true; and/or return the deciding argument itself.
 * Functions and fields not listed, wrong argument counts and types known
 * to mismatch are compile errors (Go would accept some at parse time and
 * fail when executing; failing early is kinder).  Variables, range, with,
 * define and template are not supported.  Differences from Go in detail
 * are listed at the top of tmpl.c.
 *
 * Limits (each a compile error when exceeded): {{if}} nested 64 deep,
 * parentheses 32 deep, 32 arguments per call, 64 values alive at once
 * while rendering ("expression too complex").
 *
 * Pure: no I/O, no logging.  A compiled template is immutable and may be
 * rendered from several threads at once; rendering allocates nothing.
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
