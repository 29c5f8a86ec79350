/* SPDX-License-Identifier: MIT */
/*
 * tmpl_int.h -- what the template lexer, parser and evaluator share.
 *
 * Private to src/kuma/tmpl*.c; nothing else includes it.  tmpl.c holds
 * the public API (compile, render, free), the error and UTF-8 helpers and
 * the tables of the language; tmpl_lex.c turns the source into tokens,
 * tmpl_parse.c tokens into the tree below, and tmpl_exec.c renders the
 * tree (with Go's printf).  Functions used across files carry their
 * file's prefix.
 */
#ifndef MESHDNS_TMPL_INT_H
#define MESHDNS_TMPL_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "kuma/tmpl.h"
#include "util/arena.h"

enum {
	MAX_IF_DEPTH = 64,	/* {{if}} inside {{if}} */
	MAX_PAREN_DEPTH = 32,	/* ( inside ( */
	MAX_ARGS = 32,		/* arguments of one function call */
	VSTACK = 64,		/* values alive at once while rendering */
	SCRATCH = 1024,		/* bytes of strings made while rendering */
	MAX_WIDTH = 1 << 20,	/* printf widths and precisions saturate */
	MAX_VARS = 16,		/* variables visible at once, $ included */
	MAX_ITERATIONS = 1 << 16,	/* range iterations in one rendering */
};

/* What a value is; K_ANY only at compile time (and/or of mixed kinds). */
enum kind {
	K_STRING,
	K_BOOL,
	K_INT,
	K_UINT8,		/* a byte of a string (index) */
	K_DATA,			/* the template's data: dot at the start, $ */
	K_ANY,
};

/* The names Go gives the kinds, for messages; indexed by enum kind. */
extern const char *const tmpl_kind_names[];

enum fn {
	FN_LABEL,
	FN_EQ,
	FN_NE,
	FN_NOT,
	FN_AND,
	FN_OR,
	FN_LEN,
	FN_PRINTF,
	FN_LT,
	FN_LE,
	FN_GT,
	FN_GE,
	FN_PRINT,
	FN_PRINTLN,
	FN_INDEX,
	FN_SLICE,
	FN_HTML,
	FN_JS,
	FN_URLQUERY,
	FN_CALL,
	FN_COUNT,
};

struct func {
	const char *name;
	int min;		/* fewest arguments */
	int max;		/* most arguments, -1 for no limit */
	enum kind result;
};

/* Go's one-letter escapes: tmpl_esc_letters[i] stands for tmpl_esc_chars[i]. */
extern const char tmpl_esc_letters[];
extern const char tmpl_esc_chars[];

/* The functions of the subset; indexed by enum fn. */
extern const struct func tmpl_funcs[FN_COUNT];

enum field {
	F_NAME,
	F_DISPLAY_NAME,
	F_NAMESPACE,
	F_MESH,
	F_ZONE,
	F_COUNT,
};

/* The data's field names, indexed by enum field. */
extern const char *const tmpl_field_names[F_COUNT];

enum expr_type {
	E_STRING,
	E_BOOL,
	E_INT,
	E_FIELD,
	E_CALL,
	E_DOT,
	E_VAR,
};

struct expr {
	enum expr_type type;
	enum kind kind;		/* static kind of the result */
	size_t off;		/* source range, for messages */
	size_t end;
	const char *s;		/* E_STRING: NUL-terminated, in tmpl->text */
	size_t len;
	long long num;		/* E_BOOL (0 or 1), E_INT */
	enum field field;	/* E_FIELD */
	struct expr *recv;	/* E_FIELD: whose field; NULL for dot's */
	int slot;		/* E_VAR: the variable's slot */
	enum fn fn;		/* E_CALL */
	int argc;
	bool piped;		/* the last argument came through "|" */
	struct expr **args;
	int need;		/* value-stack slots evaluating this takes */
};

enum node_type {
	N_TEXT,
	N_ACTION,
	N_IF,
	N_WITH,
	N_RANGE,
	N_BREAK,
	N_CONTINUE,
};

/* What tmpl_exec_list returns besides 0 and -1: {{break}}, {{continue}}. */
enum {
	FLOW_BREAK = 1,
	FLOW_CONTINUE = 2,
};

struct node {
	enum node_type type;
	struct node *next;
	const char *text;	/* N_TEXT, in tmpl->text */
	size_t len;
	struct expr *expr;	/* N_ACTION: the value; N_IF, N_WITH: the
				 * condition; N_RANGE: what it ranges over */
	struct node *then;	/* N_IF, N_WITH, N_RANGE: the body */
	struct node *otherwise;	/* else branch, may be NULL */
	bool else_if;		/* otherwise is one node of the same type
				 * ({{else if}}, {{else with}}) */
	int ndecl;		/* variables the pipeline sets: 0, 1 or
				 * (range) 2 */
	int decl[2];		/* their slots */
	bool assign;		/* "=" rather than ":=" */
};

struct tmpl {
	char *text;		/* copy of the source: text and strings */
	struct arena arena;	/* every node, expression and argument
				 * array */
	struct node *root;
};

enum tok_type {
	T_EOF,
	T_TEXT,
	T_LDELIM,
	T_RDELIM,
	T_SPACE,
	T_FIELD,
	T_DOT,
	T_STRING,
	T_NUMBER,
	T_IDENT,
	T_PIPE,
	T_LPAREN,
	T_RPAREN,
	T_VAR,			/* $ or $name */
	T_DECLARE,		/* := */
	T_ASSIGN,		/* = */
	T_COMMA,
};

struct tok {
	enum tok_type type;
	size_t off;		/* where it starts in the source */
	size_t len;		/* its length in the source */
	const char *s;		/* T_TEXT, T_STRING: the bytes, in tmpl->text */
	size_t slen;
	long long num;		/* T_NUMBER */
};

struct parser {
	const char *src;
	size_t srclen;
	size_t pos;
	struct tmpl *t;
	struct tmpl_error *err;
	bool in_action;
	bool trim_text;		/* the last action ended with " -}}" */
	size_t action_off;	/* the "{{" of the action being lexed */
	bool peeked;
	struct tok peek;
	int if_depth;		/* if, with and range nested */
	int paren_depth;
	int range_depth;
	const char *ctl;	/* the innermost control keyword, or NULL */
	enum kind dot_kind;	/* the static kind of dot here */
	int nvars;		/* variables visible here; slot = index */
	size_t var_off[MAX_VARS];	/* their names in the source */
	size_t var_len[MAX_VARS];
};

enum stop {
	STOP_EOF,
	STOP_ELSE,
	STOP_END,
};

/* A bounded writer; @size excludes the terminating NUL. */
struct wbuf {
	char *p;
	size_t size;
	size_t len;
	bool over;
};

struct val {
	enum kind kind;		/* K_STRING, K_BOOL or K_INT */
	const char *s;		/* K_STRING: NUL-terminated */
	size_t len;
	long long num;		/* K_BOOL (0 or 1), K_INT, K_UINT8 */
	const struct tmpl_vars *vars;	/* K_DATA */
};

struct render {
	const struct tmpl_vars *vars;
	const char *src;	/* the template's text, for messages */
	char *buf;
	size_t size;
	size_t len;
	char *errbuf;
	size_t errsize;
	size_t sp;		/* next free slot of stack */
	size_t used;		/* bytes of scratch in use */
	size_t floor;		/* scratch below this holds {{with}}'s dots */
	long iterations;	/* range iterations so far */
	struct val dot;
	struct val stack[VSTACK];
	struct val var[MAX_VARS];	/* by slot; var[0] is $ */
	char scratch[SCRATCH];
	char varbuf[MAX_VARS][SCRATCH];	/* strings variables hold */
};

static inline void
wput(struct wbuf *w, const char *s, size_t n)
{
	if (w->over || n > w->size - w->len) {
		w->over = true;
		return;
	}
	memcpy(w->p + w->len, s, n);
	w->len += n;
}

static inline void
wputs(struct wbuf *w, const char *s)
{
	wput(w, s, strlen(s));
}

static inline void
wputc(struct wbuf *w, char c)
{
	wput(w, &c, 1);
}

static inline bool
is_digit(int c)
{
	return c >= '0' && c <= '9';
}

/* tmpl.c */

/*
 * Decode one UTF-8 sequence of 2 to 4 bytes at @s; returns its length, or
 * 0 when it is not valid (overlong, surrogate, beyond U+10FFFF, cut short).
 */
size_t tmpl_utf8_decode(const char *s, size_t n, uint32_t *rune);

/* Encode @r (a valid code point) at @dst; returns the length. */
size_t tmpl_utf8_encode(char *dst, uint32_t r);

/* Write @s between @quote characters with Go's escapes. */
void tmpl_write_quoted(struct wbuf *w, const char *s, size_t n, char quote);

/* Record a syntax error at byte @off of the source; returns -1. */
int tmpl_perr(struct parser *p, size_t off, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Record "out of memory" (line and column 0); returns -ENOMEM. */
int tmpl_oom(struct parser *p);

/* tmpl_lex.c: tokens, with one token of look-ahead; 0 or tmpl_perr's. */

int tmpl_lex_next(struct parser *p, struct tok *t);
int tmpl_lex_peek(struct parser *p, struct tok *t);
int tmpl_lex_skip_space(struct parser *p);

/* tmpl_parse.c */

int tmpl_parse_list(struct parser *p, struct node **head, const size_t *ctl_off,
		    enum stop *stop, size_t *stop_off);

/* tmpl_exec.c */

/* Record an execution error in the caller's buffer; returns -1. */
int tmpl_exec_err(struct render *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/*
 * Render the list of nodes @n into r->buf; 0, -1 (tmpl_exec_err) or, from
 * inside a range body, FLOW_BREAK or FLOW_CONTINUE.
 */
int tmpl_exec_list(struct render *r, const struct node *n);

#endif
