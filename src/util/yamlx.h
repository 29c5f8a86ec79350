/* SPDX-License-Identifier: MIT */
/*
 * yamlx.h -- YAML documents as trees of positioned nodes.
 *
 * The only module that includes <yaml.h> (and yajl's headers: JSON from
 * Kuma's store is read with yajl, into the same tree).  A file (or a
 * string) is parsed
 * into a stream of documents; every node keeps the file name, line and
 * column (1-based) of where it starts, so later validation can say
 * "file:line:column: what is wrong".  Anchors and aliases are resolved
 * (an alias points to the same node as its anchor); merge keys ("<<") are
 * not supported and are reported.
 *
 * The same node type is used to build documents for output (the status
 * printed by `meshdns --status`), which yamlx_emit() writes with libyaml's
 * emitter.
 *
 * Ownership: a stream owns all its nodes and strings; nodes are borrowed and
 * live as long as the stream.  Built nodes (yamlx_node_new_*) are owned by
 * whoever holds the root, freed with yamlx_node_free().
 */
#ifndef MESHDNS_YAMLX_H
#define MESHDNS_YAMLX_H

#include <stdio.h>
#include <stddef.h>
#include <stdint.h>

#include "util/diag.h"

enum yamlx_type {
	YAMLX_SCALAR = 0,
	YAMLX_SEQ,
	YAMLX_MAP,
};

enum yamlx_style {
	YAMLX_PLAIN = 0,	/* unquoted: may mean null, bool, number */
	YAMLX_QUOTED,		/* single or double quoted, or block: a string */
};

struct yamlx_node;

struct yamlx_pair {
	struct yamlx_node *key;		/* always a scalar */
	struct yamlx_node *value;
};

struct yamlx_node {
	enum yamlx_type type;
	const char *file;	/* borrowed from the stream (or NULL) */
	int line;		/* 1-based */
	int column;		/* 1-based */

	/* YAMLX_SCALAR */
	char *scalar;		/* NUL-terminated; may contain NULs if len says */
	size_t len;
	enum yamlx_style style;

	/* YAMLX_SEQ: items; YAMLX_MAP: pairs, in document order */
	struct yamlx_node **items;
	struct yamlx_pair *pairs;
	size_t n;
	size_t cap;

	int owned;		/* internal: freed by yamlx_node_free() */
};

struct yamlx_stream {
	char *file;			/* the name used in positions */
	struct yamlx_node **docs;	/* one root per document; an empty
					 * document ("---" alone) has a NULL
					 * root; a stream of only comments
					 * has no documents */
	size_t ndocs;
	uint64_t digest;		/* of the file's bytes (digest.h), set
					 * by yamlx_load_file() only */
	void *priv;			/* internal: node storage */
};

/*
 * Parse every document of the file at @path.  On success *out is a new
 * stream (free with yamlx_stream_free()) and 0 is returned.  On a syntax
 * error or an unreadable file, an error with its position goes to @errs,
 * *out is NULL and -1 is returned (-ENOMEM on allocation failure).
 * Besides syntax errors (the first one stops parsing), every duplicate key,
 * merge key, non-scalar key and alias to an unknown anchor is reported, in
 * document order.  Aliases are references, but whoever walks the tree
 * meets an aliased node once per reference, so two bounds make a load
 * fail: a document whose aliases expand to more than 1,000,000 extra
 * nodes ("aliases in this document expand to more than 1000000 extra
 * nodes", at the document), and a file whose aliases add more than 16 MiB
 * of scalar text, all its documents together ("alias *NAME: aliases in
 * this file expand to more than 16777216 bytes of text", at the alias
 * that passes it).  An unreadable file gives "cannot read PATH: REASON"
 * without a position.
 */
int yamlx_load_file(struct yamlx_stream **out, const char *path,
		    struct diag_list *errs);

/* Same, from memory; @name is used as the file name in positions. */
int yamlx_load_string(struct yamlx_stream **out, const char *name,
		      const char *text, size_t len, struct diag_list *errs);

/*
 * yamlx_load_string() for a text meant to be one JSON object or array (a
 * row of Kuma's store): read with yajl, several times faster, into the
 * tree libyaml makes of it (a JSON string is a quoted scalar; a number,
 * true, false and null are plain scalars, as written), with the same
 * positions.  What yajl rejects, and what libyaml would read otherwise or
 * report, is read by yamlx_load_string(), so results and messages stay
 * libyaml's: invalid JSON, anything but an object or an array, a tab or
 * an unterminated string outside the root, control characters (besides
 * tab, CR, LF) and DEL, UTF-8 that libyaml rejects or reads otherwise
 * (malformed, overlong, a surrogate, past U+10FFFF, U+0080 to U+009F,
 * U+2028, U+2029, U+FFFE, U+FFFF), a key not on one line with its ':'
 * or over 1000 bytes, a duplicate key, nesting too deep, a \u escape of
 * a lone surrogate.  Other UTF-8 in strings is read by yajl; columns
 * count characters, as libyaml's do.  One difference: a surrogate pair of
 * escapes ("\ud83d\ude00") is the character it stands for, as JSON says,
 * where libyaml rejects each half ("found invalid Unicode character
 * escape code").
 */
int yamlx_load_json(struct yamlx_stream **out, const char *name,
		    const char *text, size_t len, struct diag_list *errs);

void yamlx_stream_free(struct yamlx_stream *stream);

/*
 * The version of the libyaml library linked at run time ("0.2.5"), for
 * `meshdns --version`: a static string.
 */
const char *yamlx_libyaml_version(void);

/*
 * The version of the yajl library linked at run time ("2.1.0"), for
 * `meshdns --version`, into @buf (NUL-terminated, cut to @size bytes).
 */
void yamlx_yajl_version(char *buf, size_t size);

/*
 * Where document @i of @stream starts (its "---", or its first token when
 * it has none), 1-based: for messages about a whole document, which may
 * be empty (a NULL root).  0 and 0 when @i is out of range.
 */
void yamlx_doc_position(const struct yamlx_stream *stream, size_t i,
			int *line, int *column);

/* The value of @key in the map @map, or NULL (also when @map is not a map). */
struct yamlx_node *yamlx_map_get(const struct yamlx_node *map, const char *key);

/*
 * "scalar", "sequence" or "mapping" ("nothing" for NULL): for "expected X,
 * got Y" messages.
 */
const char *yamlx_type_name(const struct yamlx_node *node);

/*
 * True when @node is a plain scalar meaning null ("", "~", "null", "Null",
 * "NULL"), as YAML 1.1 says.  False for NULL (a missing node).
 */
int yamlx_is_null(const struct yamlx_node *node);

/*
 * Scalar conversions.  Each returns 0 and stores the value, or -1 when the
 * node is not a plain scalar of that type (the caller reports with the
 * node's position); quoted scalars are strings and always give -1.
 * Booleans accept the YAML 1.1 spellings: y, yes, true, on, n, no, false,
 * off, each in lower case, Capitalised or UPPER case.  Integers accept
 * decimal only, an optional leading '-', no leading zeros ("010" is
 * ambiguous between YAML 1.1 and 1.2), within [min, max].
 */
int yamlx_bool(const struct yamlx_node *node, int *out);
int yamlx_int(const struct yamlx_node *node, long long min, long long max,
	      long long *out);

/* Building nodes for output.  Each returns NULL on allocation failure. */
struct yamlx_node *yamlx_node_new_map(void);
struct yamlx_node *yamlx_node_new_seq(void);
struct yamlx_node *yamlx_node_new_scalar(const char *text, enum yamlx_style style);

/*
 * Append to a built map or sequence.  The container takes ownership of
 * @value (also on failure, where it is freed).  Return 0 or -ENOMEM (also
 * when @value is NULL, so a failed yamlx_node_new_*() can be passed on);
 * -EINVAL when the container is not a built node of the right type.
 * A node must be added only once.  Parsed nodes may be added: they are
 * borrowed from their stream, which must outlive the built tree.
 * yamlx_map_add_str() writes @value plain unless it would read back as
 * something else (null, a boolean, a number, a timestamp, a string with
 * control characters), then double-quoted; a NULL @value is a plain null.
 */
int yamlx_map_add(struct yamlx_node *map, const char *key,
		  struct yamlx_node *value);
int yamlx_map_add_str(struct yamlx_node *map, const char *key,
		      const char *value);	/* quoted only when needed */
int yamlx_seq_add(struct yamlx_node *seq, struct yamlx_node *item);

/*
 * Free a built node and everything under it; NULL and parsed nodes (owned
 * by their stream) are a no-op.
 */
void yamlx_node_free(struct yamlx_node *node);

/*
 * Write documents to @fp as YAML (block style, "---" between documents; a
 * NULL document is written as an empty one).  Plain scalars are written
 * plain where the syntax allows (else libyaml quotes them), YAMLX_QUOTED
 * ones double-quoted.  Long strings are not folded.  A parsed node reached
 * more than once in a document (through aliases) is written once, with an
 * anchor (&a1, &a2, ... in the order written), and then as an alias, so
 * the output grows as the parsed file did and never by the expansion of
 * its aliases.  The keys of a parsed mapping under a built node are
 * quoted as yamlx_map_add() would quote them.  Returns 0, or -1 when the
 * emitter or the stream failed (or memory ran out).
 */
int yamlx_emit(FILE *fp, struct yamlx_node *const *docs, size_t ndocs);

/*
 * The same documents as one JSON array, one document per line: a plain
 * scalar that YAML 1.2's core schema reads as null, true, false or a
 * decimal integer is written as that, every other scalar as a string
 * (control characters escaped; bytes from 0x80 as they are: UTF-8);
 * aliases are expanded (at most YAMLX_JSON_MAX_NODES nodes, else
 * -E2BIG).  Returns 0, -1 on a write error, -E2BIG.
 */
#define YAMLX_JSON_MAX_NODES 10000000
int yamlx_emit_json(FILE *fp, struct yamlx_node *const *docs,
		    size_t ndocs);

#endif
