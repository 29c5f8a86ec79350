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
};

/* What a value is; K_ANY only at compile time (and/or of mixed kinds). */
enum kind {
	K_STRING,
	K_BOOL,
	K_INT,
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

enum expr_type {
	E_STRING,
	E_BOOL,
	E_INT,
	E_FIELD,
	E_CALL,
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
};

struct node {
	enum node_type type;
	struct node *next;
	const char *text;	/* N_TEXT, in tmpl->text */
	size_t len;
	struct expr *expr;	/* N_ACTION: the value; N_IF: the condition */
	struct node *then;	/* N_IF */
	struct node *otherwise;	/* N_IF: else branch, may be NULL */
	bool else_if;		/* N_IF: otherwise is one N_IF ({{else if}}) */
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
	int if_depth;
	int paren_depth;
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
	long long num;		/* K_BOOL (0 or 1), K_INT */
};

struct render {
	const struct tmpl_vars *vars;
	char *buf;
	size_t size;
	size_t len;
	char *errbuf;
	size_t errsize;
	size_t sp;		/* next free slot of stack */
	size_t used;		/* bytes of scratch in use */
	struct val stack[VSTACK];
	char scratch[SCRATCH];
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

int tmpl_parse_list(struct parser *p, struct node **head, const size_t *if_off,
		    enum stop *stop, size_t *stop_off);

/* tmpl_exec.c */

/* Record an execution error in the caller's buffer; returns -1. */
int tmpl_exec_err(struct render *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Render the list of nodes @n into r->buf; 0 or -1 (tmpl_exec_err). */
int tmpl_exec_list(struct render *r, const struct node *n);

#endif
