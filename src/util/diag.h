/* SPDX-License-Identifier: MIT */
/*
 * diag.h -- positioned diagnostics: "file:line:column: message".
 *
 * Pure modules never log.  They append what went wrong to a diag_list
 * supplied by the caller, which decides whether and how to print it.  Every
 * entry carries the position in the input it is about, so a user can go
 * straight to the offending line.
 */
#ifndef MESHDNS_DIAG_H
#define MESHDNS_DIAG_H

#include <stddef.h>

enum diag_severity {
	DIAG_ERROR = 0,		/* input rejected: counts as a failure */
	DIAG_WARNING = 1,	/* input accepted, but the user should know */
};

struct diag {
	enum diag_severity severity;
	char *file;		/* may be NULL when there is no position */
	int line;		/* 1-based, 0 when unknown */
	int column;		/* 1-based, 0 when unknown */
	char *msg;		/* the message, no trailing newline */
};

struct diag_list {
	struct diag *v;
	size_t n;
	size_t cap;
	size_t errors;		/* entries with DIAG_ERROR */
	int oom;		/* set when an entry could not be stored */
};

/* Initialise an empty list in caller storage. */
void diag_list_init(struct diag_list *list);

/* Free every entry; the list is empty and usable again afterwards. */
void diag_list_clear(struct diag_list *list);

/*
 * Append a diagnostic.  @file may be NULL; it is copied.  Never fails from
 * the caller's point of view: on allocation failure the entry is dropped and
 * list->oom is set (an error is still counted).
 */
void diag_add(struct diag_list *list, enum diag_severity sev, const char *file,
	      int line, int column, const char *fmt, ...)
	__attribute__((format(printf, 6, 7)));

/* Shorthands for diag_add() with DIAG_ERROR / DIAG_WARNING. */
void diag_error(struct diag_list *list, const char *file, int line, int column,
		const char *fmt, ...) __attribute__((format(printf, 5, 6)));
void diag_warning(struct diag_list *list, const char *file, int line,
		  int column, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

/* Move every entry of @src to the end of @dst; @src is left empty. */
void diag_list_move(struct diag_list *dst, struct diag_list *src);

/*
 * snprintf into a caller's message buffer, for the modules that report one
 * message through (char *err, size_t errsize) parameters; @buf may be NULL
 * when @size is 0.
 */
void diag_printf(char *buf, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/*
 * @s as a double-quoted string for a message ("got \"x\""): '"' and '\\'
 * escaped with a backslash, control characters as \xNN, and "..." before
 * the closing quote when @s does not fit.  @size is at least 16; returns
 * @buf.
 */
const char *diag_quote(const char *s, char *buf, size_t size);

/*
 * "Did you mean": whether @candidate is a better suggestion for @word, a
 * name the user wrote that matched nothing, than the best one so far.
 * Start *@best at DIAG_SUGGEST_START, call this for every candidate, and
 * keep the last one it returned 1 for: the closest candidate by
 * Levenshtein distance, if any is within 2 edits and closer than its own
 * length ("x" suggests nothing).  Strings of 64 octets or more are never
 * close.
 */
#define DIAG_SUGGEST_START ((size_t)3)
int diag_suggest(const char *word, const char *candidate, size_t *best);

/*
 * Format one entry as "file:line:column: error: message" (parts that are
 * unknown are left out) into @buf; returns @buf.
 */
const char *diag_format(const struct diag *d, char *buf, size_t size);

#endif
