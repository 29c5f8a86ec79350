/* SPDX-License-Identifier: MIT */
/* tmpl_parse.c -- the template parser: tokens to a checked tree. */

#include "autoconfig.h"

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include "kuma/tmpl_int.h"

/* Go keywords outside the subset: templates defined by name. */
static const char *const go_keywords[] = {
	"block", "define", "template",
};

/* Keywords that cannot be operands. */
static const char *const keywords[] = {
	"if", "else", "end", "with", "range", "break", "continue",
};


/* The source text of a token, Go-quoted and shortened, for messages. */
static const char *
tok_desc(const struct parser *p, const struct tok *t, char *buf, size_t size)
{
	struct wbuf w = { buf, size - 1, 0, false };
	size_t n = t->len > 32 ? 32 : t->len;

	tmpl_write_quoted(&w, p->src + t->off, n, '"');
	if (w.over) {
		w.len = 0;
		w.over = false;
		wputs(&w, "token");
	}
	buf[w.len] = '\0';
	return buf;
}

static bool
tok_is(const struct parser *p, const struct tok *t, const char *word)
{
	return t->type == T_IDENT && t->len == strlen(word) &&
	       memcmp(p->src + t->off, word, t->len) == 0;
}

static bool
tok_in(const struct parser *p, const struct tok *t, const char *const *words,
       size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (tok_is(p, t, words[i]))
			return true;
	return false;
}

static int
lookup_func(const struct parser *p, const struct tok *t)
{
	int i;

	for (i = 0; i < FN_COUNT; i++)
		if (tok_is(p, t, tmpl_funcs[i].name))
			return i;
	return -1;
}

static struct expr *
new_expr(struct parser *p, enum expr_type type, enum kind kind, size_t off,
	 size_t end)
{
	struct expr *e = arena_zalloc(&p->t->arena, sizeof(*e));

	if (e == NULL)
		return NULL;
	e->type = type;
	e->kind = kind;
	e->off = off;
	e->end = end;
	return e;
}

static struct node *
new_node(struct parser *p, enum node_type type)
{
	struct node *n = arena_zalloc(&p->t->arena, sizeof(*n));

	if (n != NULL)
		n->type = type;
	return n;
}

/* Formats are checked when they are literals: Go syntax we do not do. */
static int
check_format(struct parser *p, const struct expr *f)
{
	size_t i;

	for (i = 0; i < f->len; i++) {
		if (f->s[i] != '%')
			continue;
		i++;
		while (i < f->len && strchr("+-# 0123456789.", f->s[i]) != NULL &&
		       f->s[i] != '\0')
			i++;
		if (i < f->len && (f->s[i] == '[' || f->s[i] == '*'))
			return tmpl_perr(p, f->off,
					 "printf: argument indexes and * widths are not supported");
	}
	return 0;
}

/* Go compares two values of one kind, and integers of any sign. */
static bool
comparable(enum kind a, enum kind b)
{
	if (a == K_ANY || b == K_ANY || a == b)
		return true;
	return (a == K_INT || a == K_UINT8) && (b == K_INT || b == K_UINT8);
}

static int
make_call(struct parser *p, enum fn fn, size_t off, struct expr **args,
	  int argc, bool piped, struct expr **out)
{
	const struct func *f = &tmpl_funcs[fn];
	struct expr *e = NULL;
	int i, need = 0, rc;

	if (argc < f->min || (f->max >= 0 && argc > f->max)) {
		if (f->max == f->min)
			return tmpl_perr(p, off,
					 "wrong number of args for %s: want %d got %d",
					 f->name, f->min, argc);
		return tmpl_perr(p, off,
				 "wrong number of args for %s: want at least %d got %d",
				 f->name, f->min, argc);
	}
	switch (fn) {
	case FN_LABEL:
	case FN_LEN:
	case FN_PRINTF:
		if (args[0]->kind != K_STRING && args[0]->kind != K_ANY)
			return tmpl_perr(p, args[0]->off,
					 "wrong type for argument 1 of %s: want string, got %s",
					 f->name,
					 tmpl_kind_names[args[0]->kind]);
		break;
	case FN_EQ:
	case FN_NE:
		for (i = 1; i < argc; i++)
			if (!comparable(args[0]->kind, args[i]->kind))
				return tmpl_perr(p, args[i]->off,
						 "incompatible types for comparison: %s and %s",
						 tmpl_kind_names[args[0]->kind],
						 tmpl_kind_names[args[i]->kind]);
		break;
	case FN_LT:
	case FN_LE:
	case FN_GT:
	case FN_GE:
		for (i = 0; i < 2; i++)
			if (args[i]->kind == K_DATA)
				return tmpl_perr(p, args[i]->off,
						 "invalid type for comparison");
		if (!comparable(args[0]->kind, args[1]->kind))
			return tmpl_perr(p, args[1]->off,
					 "incompatible types for comparison: %s and %s",
					 tmpl_kind_names[args[0]->kind],
					 tmpl_kind_names[args[1]->kind]);
		if (args[0]->kind == K_BOOL && args[1]->kind == K_BOOL)
			return tmpl_perr(p, args[0]->off,
					 "invalid type for comparison");
		break;
	default:
		break;
	}
	if (fn == FN_PRINTF && args[0]->type == E_STRING &&
	    (rc = check_format(p, args[0])) != 0)
		return rc;
	for (i = 0; i < argc; i++)
		if (args[i]->need > need)
			need = args[i]->need;
	need += argc;
	if (need > VSTACK)
		return tmpl_perr(p, off, "expression too complex");
	e = new_expr(p, E_CALL, f->result, off, off + strlen(f->name));
	if (e == NULL)
		return tmpl_oom(p);
	if (argc > 0) {
		e->args = arena_zalloc(&p->t->arena,
				       (size_t)argc * sizeof(*e->args));
		if (e->args == NULL)
			return tmpl_oom(p);
		memcpy(e->args, args, (size_t)argc * sizeof(*e->args));
	}
	if (fn == FN_AND || fn == FN_OR) {
		e->kind = args[0]->kind;
		for (i = 1; i < argc; i++)
			if (args[i]->kind != e->kind)
				e->kind = K_ANY;
	}
	e->fn = fn;
	e->argc = argc;
	e->piped = piped;
	e->need = need;
	*out = e;
	return 0;
}

static int parse_pipeline(struct parser *p, const char *what,
			  enum tok_type closer, size_t open_off,
			  struct expr **out);

/* Field @t of @recv (NULL: of dot), whose static kind is @kind. */
static int
make_field(struct parser *p, struct expr *recv, enum kind kind,
	   const struct tok *t, struct expr **out)
{
	struct expr *e = NULL;
	int i;

	if (kind != K_DATA && kind != K_ANY)
		return tmpl_perr(p, t->off + 1,
				 "can't evaluate field %.*s in type %s",
				 (int)(t->len - 1 > 64 ? 64 : t->len - 1),
				 p->src + t->off + 1, tmpl_kind_names[kind]);
	for (i = 0; i < F_COUNT; i++)
		if (t->len - 1 == strlen(tmpl_field_names[i]) &&
		    memcmp(p->src + t->off + 1, tmpl_field_names[i],
			   t->len - 1) == 0)
			break;
	if (i == F_COUNT)
		return tmpl_perr(p, t->off,
				 "unknown field %.*s (want .Name, .DisplayName, .Namespace, .Mesh or .Zone)",
				 (int)(t->len > 64 ? 64 : t->len),
				 p->src + t->off);
	e = new_expr(p, E_FIELD, K_STRING, recv != NULL ? recv->off : t->off,
		     t->off + t->len);
	if (e == NULL)
		return tmpl_oom(p);
	e->field = (enum field)i;
	e->recv = recv;
	*out = e;
	return 0;
}

/*
 * One operand.  A function name in @head position is returned in *head_fn
 * (its arguments follow); anywhere else it is called with no arguments.
 */
static int
parse_operand(struct parser *p, bool head, struct expr **out, int *head_fn)
{
	struct tok t;
	struct expr *e = NULL;
	char desc[96];
	enum kind kind;
	int rc, fn, i;

	*out = NULL;
	*head_fn = -1;
	if ((rc = tmpl_lex_next(p, &t)) != 0)
		return rc;
	switch (t.type) {
	case T_FIELD:
		if ((rc = make_field(p, NULL, p->dot_kind, &t, &e)) != 0)
			return rc;
		break;
	case T_DOT:
		e = new_expr(p, E_DOT, p->dot_kind, t.off, t.off + t.len);
		if (e == NULL)
			return tmpl_oom(p);
		break;
	case T_VAR:
		for (i = p->nvars - 1; i >= 0; i--)
			if (p->var_len[i] == t.len &&
			    memcmp(p->src + p->var_off[i], p->src + t.off,
				   t.len) == 0)
				break;
		if (t.len == 1)
			i = 0;
		if (i < 0)
			return tmpl_perr(p, t.off, "undefined variable \"%.*s\"",
					 (int)(t.len > 64 ? 64 : t.len),
					 p->src + t.off);
		e = new_expr(p, E_VAR, K_ANY, t.off, t.off + t.len);
		if (e == NULL)
			return tmpl_oom(p);
		e->slot = i;
		break;
	case T_STRING:
		e = new_expr(p, E_STRING, K_STRING, t.off, t.off + t.len);
		if (e == NULL)
			return tmpl_oom(p);
		e->s = t.s;
		e->len = t.slen;
		break;
	case T_NUMBER:
		e = new_expr(p, E_INT, K_INT, t.off, t.off + t.len);
		if (e == NULL)
			return tmpl_oom(p);
		e->num = t.num;
		break;
	case T_IDENT:
		if (tok_is(p, &t, "true") || tok_is(p, &t, "false")) {
			e = new_expr(p, E_BOOL, K_BOOL, t.off, t.off + t.len);
			if (e == NULL)
				return tmpl_oom(p);
			e->num = tok_is(p, &t, "true");
			break;
		}
		fn = lookup_func(p, &t);
		if (fn >= 0 && head) {
			*head_fn = fn;
			break;
		}
		if (fn >= 0) {
			rc = make_call(p, (enum fn)fn, t.off, NULL, 0, false,
				       &e);
			if (rc != 0)
				return rc;
			break;
		}
		if (tok_is(p, &t, "nil"))
			return tmpl_perr(p, t.off, "nil is not supported");
		if (tok_in(p, &t, keywords,
			   sizeof(keywords) / sizeof(keywords[0])) ||
		    tok_in(p, &t, go_keywords,
			   sizeof(go_keywords) / sizeof(go_keywords[0])))
			return tmpl_perr(p, t.off, "unexpected %s in operand",
					 tok_desc(p, &t, desc, sizeof(desc)));
		return tmpl_perr(p, t.off, "function \"%.*s\" not defined",
				 (int)(t.len > 64 ? 64 : t.len),
				 p->src + t.off);
	case T_LPAREN:
		if (++p->paren_depth > MAX_PAREN_DEPTH)
			return tmpl_perr(p, t.off,
					 "parentheses nested too deeply (limit %d)",
					 MAX_PAREN_DEPTH);
		rc = parse_pipeline(p, "parenthesized pipeline", T_RPAREN,
				    t.off, &e);
		if (rc != 0)
			return rc;
		p->paren_depth--;
		e->off = t.off;
		e->end = p->pos;
		break;
	case T_RPAREN:
		return tmpl_perr(p, t.off, "unexpected right paren");
	default:
		return tmpl_perr(p, t.off, "unexpected %s in operand",
				 tok_desc(p, &t, desc, sizeof(desc)));
	}
	/* .Name.Foo, $.Name, (x).Foo: a field of what comes before. */
	for (;;) {
		if ((rc = tmpl_lex_peek(p, &t)) != 0)
			return rc;
		if (t.type != T_FIELD)
			break;
		if (e == NULL) {
			kind = tmpl_funcs[*head_fn].result;
			return tmpl_perr(p, t.off + 1,
					 "can't evaluate field %.*s in type %s",
					 (int)(t.len - 1 > 64 ? 64 : t.len - 1),
					 p->src + t.off + 1, tmpl_kind_names[kind]);
		}
		p->peeked = false;
		if ((rc = make_field(p, e, e->kind, &t, &e)) != 0)
			return rc;
	}
	*out = e;
	return 0;
}

static bool
ends_command(const struct tok *t)
{
	return t->type == T_PIPE || t->type == T_RDELIM || t->type == T_RPAREN;
}

/* One command of a pipeline; @piped is the value of the stage before. */
static int
parse_command(struct parser *p, struct expr *piped, struct expr **out)
{
	struct expr *args[MAX_ARGS + 1];
	struct expr *head = NULL;
	struct tok t;
	char desc[96];
	size_t start;
	int argc = 0, fn, dummy, rc;

	if ((rc = tmpl_lex_peek(p, &t)) != 0)
		return rc;
	start = t.off;
	if ((rc = parse_operand(p, true, &head, &fn)) != 0)
		return rc;
	for (;;) {
		if ((rc = tmpl_lex_peek(p, &t)) != 0)
			return rc;
		if (t.type == T_SPACE) {
			p->peeked = false;
			if ((rc = tmpl_lex_peek(p, &t)) != 0)
				return rc;
			if (ends_command(&t))
				break;
		} else if (ends_command(&t)) {
			break;
		} else {
			return tmpl_perr(p, t.off, "unexpected %s in operand",
					 tok_desc(p, &t, desc, sizeof(desc)));
		}
		if (argc == MAX_ARGS)
			return tmpl_perr(p, t.off,
					 "too many arguments (limit %d)",
					 MAX_ARGS);
		rc = parse_operand(p, false, &args[argc], &dummy);
		if (rc != 0)
			return rc;
		argc++;
	}
	if (fn < 0) {
		if (argc > 0 || piped != NULL)
			return tmpl_perr(p, start,
					 "can't give argument to non-function %.*s",
					 (int)(head->end - head->off > 64 ?
					  64 : head->end - head->off),
				    p->src + head->off);
		*out = head;
		return 0;
	}
	if (piped != NULL) {
		if (argc == MAX_ARGS)
			return tmpl_perr(p, start,
					 "too many arguments (limit %d)",
					 MAX_ARGS);
		args[argc++] = piped;
	}
	return make_call(p, (enum fn)fn, start, args, argc, piped != NULL,
			 out);
}

/*
 * cmd | cmd | ... up to @closer (the "}}" of the action or the ")" of a
 * parenthesised pipeline opened at @open_off); each stage's value becomes
 * the last argument of the next.
 */
static int
parse_pipeline(struct parser *p, const char *what, enum tok_type closer,
	       size_t open_off, struct expr **out)
{
	struct expr *acc = NULL;
	struct tok t;
	char desc[96];
	int rc;

	for (;;) {
		if ((rc = tmpl_lex_skip_space(p)) != 0 ||
		    (rc = tmpl_lex_peek(p, &t)) != 0)
			return rc;
		if (ends_command(&t)) {
			if (acc != NULL)
				return tmpl_perr(p, t.off,
						 "missing command after |");
			if (t.type == T_PIPE)
				return tmpl_perr(p, t.off,
						 "missing command before |");
			if (t.type == closer)
				return tmpl_perr(p, t.off,
						 "missing value for %s",
						 what);
			if (t.type == T_RPAREN)
				return tmpl_perr(p, t.off,
						 "unexpected right paren");
			return tmpl_perr(p, open_off, "unclosed left paren");
		}
		if ((rc = parse_command(p, acc, &acc)) != 0)
			return rc;
		if ((rc = tmpl_lex_skip_space(p)) != 0 ||
		    (rc = tmpl_lex_next(p, &t)) != 0)
			return rc;
		if (t.type == T_PIPE)
			continue;
		if (t.type == closer) {
			*out = acc;
			return 0;
		}
		if (t.type == T_RDELIM)
			return tmpl_perr(p, open_off, "unclosed left paren");
		if (t.type == T_RPAREN)
			return tmpl_perr(p, t.off, "unexpected right paren");
		return tmpl_perr(p, t.off, "unexpected %s in %s",
				 tok_desc(p, &t, desc, sizeof(desc)), what);
	}
}

static int
expect_rdelim(struct parser *p, const char *what)
{
	struct tok t;
	char desc[96];
	int rc;

	if ((rc = tmpl_lex_skip_space(p)) != 0 ||
	    (rc = tmpl_lex_next(p, &t)) != 0)
		return rc;
	if (t.type != T_RDELIM)
		return tmpl_perr(p, t.off, "unexpected %s in %s",
				 tok_desc(p, &t, desc, sizeof(desc)), what);
	return 0;
}

static int parse_control(struct parser *p, enum node_type type,
			 size_t kw_off, struct node **out);

static const char *
control_name(enum node_type type)
{
	return type == N_WITH ? "with" : type == N_RANGE ? "range" : "if";
}

/* A variable's name, declared by the pipeline at @t: a new slot. */
static int
new_var(struct parser *p, const struct tok *t, int *slot)
{
	if (p->nvars == MAX_VARS)
		return tmpl_perr(p, t->off, "too many variables (limit %d)",
				 MAX_VARS - 1);
	p->var_off[p->nvars] = t->off;
	p->var_len[p->nvars] = t->len;
	*slot = p->nvars++;
	return 0;
}

/*
 * The pipeline of an action or of {{if}}, {{with}}, {{range}} (@what),
 * with Go's declarations in front: "$x :=", "$x =", and in a range
 * "$i, $e :=".  Variables declared here are visible after the pipeline.
 */
static int
parse_decl_pipeline(struct parser *p, struct node *n, const char *what,
		    size_t open_off)
{
	struct parser save;
	struct tok v[2], t;
	int nv = 0, i, rc;

	for (;;) {
		if ((rc = tmpl_lex_skip_space(p)) != 0 ||
		    (rc = tmpl_lex_peek(p, &t)) != 0)
			return rc;
		if (t.type != T_VAR)
			break;
		save = *p;
		p->peeked = false;
		if ((rc = tmpl_lex_skip_space(p)) != 0 ||
		    (rc = tmpl_lex_peek(p, &t)) != 0)
			return rc;
		if (t.type == T_COMMA && nv == 0 && strcmp(what, "range") == 0) {
			v[nv++] = save.peek;
			p->peeked = false;
			if ((rc = tmpl_lex_skip_space(p)) != 0 ||
			    (rc = tmpl_lex_peek(p, &t)) != 0)
				return rc;
			if (t.type != T_VAR)
				return tmpl_perr(p, t.off,
						 "range can only initialize variables");
			continue;
		}
		if (t.type == T_COMMA)
			return tmpl_perr(p, t.off, "too many declarations in %s",
					 what);
		if (t.type != T_DECLARE && t.type != T_ASSIGN) {
			if (nv > 0)
				return tmpl_perr(p, t.off,
						 "range can only initialize variables");
			*p = save;
			break;
		}
		v[nv++] = save.peek;
		p->peeked = false;
		n->assign = t.type == T_ASSIGN;
		break;
	}
	if ((rc = parse_pipeline(p, what, T_RDELIM, open_off, &n->expr)) != 0)
		return rc;
	n->ndecl = nv;
	for (i = 0; i < nv; i++) {
		if (!n->assign) {
			if ((rc = new_var(p, &v[i], &n->decl[i])) != 0)
				return rc;
			continue;
		}
		for (n->decl[i] = p->nvars - 1; n->decl[i] >= 0; n->decl[i]--)
			if (p->var_len[n->decl[i]] == v[i].len &&
			    memcmp(p->src + p->var_off[n->decl[i]],
				   p->src + v[i].off, v[i].len) == 0)
				break;
		if (v[i].len == 1)
			n->decl[i] = 0;
		if (n->decl[i] < 0)
			return tmpl_perr(p, v[i].off, "undefined variable: %.*s",
					 (int)(v[i].len > 64 ? 64 : v[i].len),
					 p->src + v[i].off);
	}
	return 0;
}

/*
 * Text and actions up to the end of the input, or (inside a control
 * structure p->ctl opened at *@ctl_off) up to its {{else}} or {{end}};
 * *@stop says which, and *@stop_off where that keyword is.
 */
int
tmpl_parse_list(struct parser *p, struct node **head, const size_t *ctl_off,
		enum stop *stop, size_t *stop_off)
{
	struct node **tail = head;
	struct node *n = NULL;
	struct tok t, k;
	enum node_type type;
	int rc;

	for (;;) {
		if ((rc = tmpl_lex_next(p, &t)) != 0)
			return rc;
		if (t.type == T_EOF) {
			if (ctl_off != NULL)
				return tmpl_perr(p, *ctl_off,
						 "missing {{end}} for {{%s}}",
						 p->ctl);
			*stop = STOP_EOF;
			return 0;
		}
		if (t.type == T_TEXT) {
			if ((n = new_node(p, N_TEXT)) == NULL)
				return tmpl_oom(p);
			n->text = t.s;
			n->len = t.slen;
			*tail = n;
			tail = &n->next;
			continue;
		}
		/* T_LDELIM: a keyword, or a pipeline to print. */
		if ((rc = tmpl_lex_skip_space(p)) != 0 ||
		    (rc = tmpl_lex_peek(p, &k)) != 0)
			return rc;
		type = tok_is(p, &k, "if") ? N_IF : tok_is(p, &k, "with") ?
		       N_WITH : tok_is(p, &k, "range") ? N_RANGE : N_TEXT;
		if (type != N_TEXT) {
			p->peeked = false;
			if ((rc = parse_control(p, type, k.off, &n)) != 0)
				return rc;
			*tail = n;
			tail = &n->next;
			continue;
		}
		if (tok_is(p, &k, "break") || tok_is(p, &k, "continue")) {
			bool brk = tok_is(p, &k, "break");

			p->peeked = false;
			if ((rc = expect_rdelim(p, brk ? "{{break}}" :
						"{{continue}}")) != 0)
				return rc;
			if (p->range_depth == 0)
				return tmpl_perr(p, k.off,
						 "{{%s}} outside {{range}}",
						 brk ? "break" : "continue");
			if ((n = new_node(p, brk ? N_BREAK : N_CONTINUE)) == NULL)
				return tmpl_oom(p);
			*tail = n;
			tail = &n->next;
			continue;
		}
		if (tok_is(p, &k, "else") || tok_is(p, &k, "end")) {
			bool is_end = tok_is(p, &k, "end");

			p->peeked = false;
			if (ctl_off == NULL)
				return tmpl_perr(p, k.off, is_end ?
						 "unexpected {{end}}" :
						 "unexpected {{else}}");
			if (is_end && (rc = expect_rdelim(p, "end")) != 0)
				return rc;
			*stop = is_end ? STOP_END : STOP_ELSE;
			*stop_off = k.off;
			return 0;
		}
		if (tok_in(p, &k, go_keywords,
			   sizeof(go_keywords) / sizeof(go_keywords[0])))
			return tmpl_perr(p, k.off, "{{%.*s}} is not supported",
					 (int)k.len, p->src + k.off);
		if ((n = new_node(p, N_ACTION)) == NULL)
			return tmpl_oom(p);
		if ((rc = parse_decl_pipeline(p, n, "command", t.off)) != 0)
			return rc;
		*tail = n;
		tail = &n->next;
	}
}

/* The static kind of what ranging over an @over gives. */
static enum kind
range_elem(enum kind over)
{
	return over == K_INT || over == K_UINT8 ? over : K_ANY;
}

/*
 * {{if}}, {{with}} or {{range}} whose keyword is at @kw_off, with its
 * {{else if}} / {{else with}} chain (parsed as a loop, not as nesting)
 * and {{else}}, through its {{end}}.  Variables declared inside are
 * dropped at the {{end}}.
 */
static int
parse_control(struct parser *p, enum node_type type, size_t kw_off,
	      struct node **out)
{
	struct node **slot = out;
	struct node *n = NULL;
	struct tok k;
	enum stop stop = STOP_EOF;
	enum kind dot = p->dot_kind;
	const char *ctl = p->ctl;
	size_t stop_off = 0, open_off = kw_off;
	int nvars = p->nvars, rc;

	if (++p->if_depth > MAX_IF_DEPTH)
		return tmpl_perr(p, kw_off,
				 "{{%s}} nested too deeply (limit %d)",
				 control_name(type), MAX_IF_DEPTH);
	p->ctl = control_name(type);
	for (;;) {
		if ((n = new_node(p, type)) == NULL)
			return tmpl_oom(p);
		*slot = n;
		rc = parse_decl_pipeline(p, n, control_name(type), kw_off);
		if (rc != 0)
			return rc;
		if (type == N_WITH)
			p->dot_kind = n->expr->kind;
		if (type == N_RANGE) {
			p->dot_kind = range_elem(n->expr->kind);
			p->range_depth++;
		}
		rc = tmpl_parse_list(p, &n->then, &open_off, &stop,
				     &stop_off);
		if (rc != 0)
			return rc;
		p->dot_kind = dot;
		if (type == N_RANGE)
			p->range_depth--;
		if (stop == STOP_END)
			break;
		if ((rc = tmpl_lex_skip_space(p)) != 0 ||
		    (rc = tmpl_lex_peek(p, &k)) != 0)
			return rc;
		if (type != N_RANGE && tok_is(p, &k, control_name(type))) {
			p->peeked = false;
			n->else_if = true;
			slot = &n->otherwise;
			kw_off = k.off;
			continue;
		}
		if ((rc = expect_rdelim(p, "else")) != 0)
			return rc;
		rc = tmpl_parse_list(p, &n->otherwise, &open_off, &stop,
				     &stop_off);
		if (rc != 0)
			return rc;
		if (stop == STOP_ELSE)
			return tmpl_perr(p, stop_off,
					 "expected {{end}}; found {{else}}");
		break;
	}
	p->nvars = nvars;
	p->ctl = ctl;
	p->if_depth--;
	return 0;
}
