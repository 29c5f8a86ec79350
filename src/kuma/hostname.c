/* SPDX-License-Identifier: MIT */
/* hostname.c -- HostnameGenerators x services: hostnames and conditions. */
#include "autoconfig.h"

#include <errno.h>
#include <stdalign.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "kuma/hostname.h"
#include "kuma/labels.h"
#include "util/arena.h"
#include "util/diag.h"
#include "util/hash.h"

#define HOSTNAME_MAX 253
#define LABEL_MAX 63

static const char rfc1123_msg[] =
	"a lowercase RFC 1123 subdomain must consist of lower case "
	"alphanumeric characters, '-' or '.', and must start and end with an "
	"alphanumeric character (e.g. 'example.com', regex used for "
	"validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]"
	"([-a-z0-9]*[a-z0-9])?)*')";

static int
is_alnum_lower(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

int
hostname_validate(const char *name, char *why, size_t whysize)
{
	size_t len = strlen(name);
	const char *label = name;
	const char *p;

	if (len == 0) {
		snprintf(why, whysize, "%s", rfc1123_msg);
		return -1;
	}
	if (len > HOSTNAME_MAX) {
		snprintf(why, whysize, "must be no more than %d characters",
			 HOSTNAME_MAX);
		return -1;
	}
	for (p = name;; p++) {
		if (*p == '.' || *p == '\0') {
			size_t n = (size_t)(p - label);

			if (n == 0 || !is_alnum_lower(label[0]) ||
			    !is_alnum_lower(p[-1])) {
				snprintf(why, whysize, "%s", rfc1123_msg);
				return -1;
			}
			if (n > LABEL_MAX) {
				snprintf(why, whysize,
					 "label \"%.*s\" must be no more than "
					 "%d characters", (int)n, label,
					 LABEL_MAX);
				return -1;
			}
			if (*p == '\0')
				break;
			label = p + 1;
			continue;
		}
		if (!is_alnum_lower(*p) && *p != '-') {
			snprintf(why, whysize, "%s", rfc1123_msg);
			return -1;
		}
	}
	return 0;
}

const char *
hostname_reason_name(enum hostname_reason reason)
{
	switch (reason) {
	case HOSTNAME_GENERATED:
		return "Generated";
	case HOSTNAME_TEMPLATE_ERROR:
		return "TemplateError";
	case HOSTNAME_COLLISION:
		return "Collision";
	case HOSTNAME_NOT_SERVED:
		return "NotServed";
	}
	return "Unknown";
}

static int
gen_is_local(const struct hostname_gen *g)
{
	const char *origin = resource_labels_get(&g->res->meta.labels,
						 KUMA_LABEL_ORIGIN);

	return origin != NULL && strcmp(origin, "zone") == 0;
}

static int
gen_cmp(const void *pa, const void *pb)
{
	const struct hostname_gen *a = pa;
	const struct hostname_gen *b = pb;
	int la = gen_is_local(a);
	int lb = gen_is_local(b);

	if (la != lb)
		return lb - la;
	return resource_meta_cmp(&a->res->meta, &b->res->meta);
}

void
hostname_gens_sort(struct hostname_gen *gens, size_t n)
{
	qsort(gens, n, sizeof(*gens), gen_cmp);
}

/*
 * Claimed hostnames: an open-addressing set of (hostname -> item index),
 * so a build with a million services stays linear.
 */
#define CLAIM_CALLER ((size_t)-1)	/* claimed by hostname_claims_add() */
#define CLAIM_BORROWED ((size_t)-2)	/* by hostname_claims_borrow() */

struct claim {
	const char *name;	/* borrowed from a result's address, or owned
				 * (item == CLAIM_CALLER), or the caller's
				 * (item == CLAIM_BORROWED) */
	const char *mesh;	/* borrowed from the item, or owned; "" */
	size_t item;
};

/* Claims are per mesh: Kuma checks one mesh at a time. */
static size_t
claim_hash(const char *mesh, const char *name)
{
	uint64_t h = hash_fnv1a64_str(HASH_FNV1A64_INIT, mesh);

	h = hash_fnv1a64(h, "", 1);
	return (size_t)hash_fnv1a64_str(h, name);
}

struct hostname_claims {
	struct claim *v;
	size_t cap;		/* power of two */
	size_t n;
};

static int
claims_grow(struct hostname_claims *c)
{
	size_t cap = c->cap ? c->cap * 2 : 1024;
	struct claim *v = calloc(cap, sizeof(*v));
	size_t i;

	if (v == NULL)
		return -ENOMEM;
	for (i = 0; i < c->cap; i++) {
		size_t j;

		if (c->v[i].name == NULL)
			continue;
		j = claim_hash(c->v[i].mesh, c->v[i].name) & (cap - 1);
		while (v[j].name != NULL)
			j = (j + 1) & (cap - 1);
		v[j] = c->v[i];
	}
	free(c->v);
	c->v = v;
	c->cap = cap;
	return 0;
}

/* The claim of @name in @mesh (NULL: ""), or NULL. */
static const struct claim *
claims_find(const struct hostname_claims *c, const char *mesh,
	    const char *name)
{
	size_t j;

	if (c->cap == 0)
		return NULL;
	if (mesh == NULL)
		mesh = "";
	j = claim_hash(mesh, name) & (c->cap - 1);
	while (c->v[j].name != NULL) {
		if (strcmp(c->v[j].name, name) == 0 &&
		    strcmp(c->v[j].mesh, mesh) == 0)
			return &c->v[j];
		j = (j + 1) & (c->cap - 1);
	}
	return NULL;
}

static int
claims_add(struct hostname_claims *c, const char *mesh, const char *name,
	   size_t item)
{
	size_t j;
	int rc;

	if ((c->n + 1) * 2 > c->cap && (rc = claims_grow(c)) < 0)
		return rc;
	if (mesh == NULL)
		mesh = "";
	j = claim_hash(mesh, name) & (c->cap - 1);
	while (c->v[j].name != NULL)
		j = (j + 1) & (c->cap - 1);
	c->v[j].name = name;
	c->v[j].mesh = mesh;
	c->v[j].item = item;
	c->n++;
	return 0;
}

struct hostname_claims *
hostname_claims_new(void)
{
	return calloc(1, sizeof(struct hostname_claims));
}

void
hostname_claims_free(struct hostname_claims *c)
{
	size_t i;

	if (c == NULL)
		return;
	for (i = 0; i < c->cap; i++)
		if (c->v[i].name != NULL && c->v[i].item == CLAIM_CALLER) {
			free((char *)c->v[i].name);
			free((char *)c->v[i].mesh);
		}
	free(c->v);
	free(c);
}

int
hostname_claims_has(const struct hostname_claims *c, const char *mesh,
		    const char *name)
{
	return claims_find(c, mesh, name) != NULL;
}

int
hostname_claims_reserve(struct hostname_claims *c, size_t n)
{
	while ((c->n + n) * 2 > c->cap)
		if (claims_grow(c) < 0)
			return -ENOMEM;
	return 0;
}

int
hostname_claims_borrow(struct hostname_claims *c, const char *mesh,
		       const char *name)
{
	if (claims_find(c, mesh, name) != NULL)
		return 0;
	return claims_add(c, mesh, name, CLAIM_BORROWED);
}

int
hostname_claims_add(struct hostname_claims *c, const char *mesh,
		    const char *name)
{
	char *copy = NULL;
	char *mcopy = NULL;

	if (claims_find(c, mesh, name) != NULL)
		return 0;
	copy = strdup(name);
	mcopy = strdup(mesh != NULL ? mesh : "");
	if (copy == NULL || mcopy == NULL ||
	    claims_add(c, mcopy, copy, CLAIM_CALLER) < 0) {
		free(copy);
		free(mcopy);
		return -ENOMEM;
	}
	return 0;
}

static int
add_condition(struct hostname_result *r, const char *gen,
	      enum hostname_reason reason, const char *msg)
{
	struct hostname_condition *v = NULL;
	char *m = strdup(msg);

	if (m == NULL)
		return -ENOMEM;
	v = realloc(r->conditions, (r->nconditions + 1) * sizeof(*v));
	if (v == NULL) {
		free(m);
		return -ENOMEM;
	}
	r->conditions = v;
	v[r->nconditions].generator = gen;
	v[r->nconditions].reason = reason;
	v[r->nconditions].message = m;
	r->nconditions++;
	return 0;
}

static int
add_address(struct hostname_result *r, const char *gen, const char *name,
	    const char **stored)
{
	struct hostname_address *v = NULL;
	char *h = strdup(name);

	if (h == NULL)
		return -ENOMEM;
	v = realloc(r->addresses, (r->naddresses + 1) * sizeof(*v));
	if (v == NULL) {
		free(h);
		return -ENOMEM;
	}
	r->addresses = v;
	v[r->naddresses].hostname = h;
	v[r->naddresses].generator = gen;
	r->naddresses++;
	*stored = h;
	return 0;
}

static const char *
label_of(void *ctx, const char *key)
{
	const struct resource_meta *meta = ctx;

	return resource_labels_get(&meta->labels, key);
}

static const char *
stub_label(void *ctx, const char *key)
{
	(void)ctx;
	(void)key;
	return "label";
}

int
hostname_check_template(const struct tmpl *t, char *err, size_t errsize)
{
	struct tmpl_vars vars;
	char name[HOSTNAME_MAX + 64];
	char msg[512];

	vars.name = "name";
	vars.display_name = "displayname";
	vars.namespace = "namespace";
	vars.mesh = "mesh";
	vars.zone = "zone";
	vars.label = stub_label;
	vars.label_ctx = NULL;
	if (tmpl_render(t, &vars, name, sizeof(name), msg, sizeof(msg)) < 0) {
		snprintf(err, errsize,
			 "couldn't render template with stub values: %s", msg);
		return -1;
	}
	if (hostname_validate(name, msg, sizeof(msg)) < 0) {
		snprintf(err, errsize,
			 "template renders to \"%s\" which is not a valid DNS "
			 "name: %s", name, msg);
		return -1;
	}
	return 0;
}

static const char *
meta_namespace(const struct resource_meta *meta)
{
	const char *ns = resource_labels_get(&meta->labels,
					     KUMA_LABEL_K8S_NAMESPACE);

	if (ns != NULL)
		return ns;
	return meta->namespace != NULL ? meta->namespace : "";
}

/* Length of @s without one final dot. */
static size_t
undotted_len(const char *s)
{
	size_t n = strlen(s);

	return n > 0 && s[n - 1] == '.' ? n - 1 : n;
}

int
hostname_zones_has(const struct hostname_zones *zones, const char *name)
{
	size_t n = undotted_len(name);
	size_t i;

	for (i = 0; i < zones->n; i++) {
		const char *z = zones->v[i];
		size_t zn = undotted_len(z);

		if (zn == 0)
			return 1;	/* the root */
		if (n < zn || strncasecmp(name + n - zn, z, zn) != 0)
			continue;
		if (n == zn || name[n - zn - 1] == '.')
			return 1;
	}
	return 0;
}

/* What generate_one() did, for the warnings. */
struct outcome {
	enum hostname_reason reason;
	size_t other;		/* Collision: the item that has the name, or
				 * CLAIM_CALLER */
	const char *hostname;	/* Collision: the name (borrowed) */
};

/* Render one generator for one item and record the outcome. */
static int
generate_one(const struct hostname_gen *g, const struct hostname_item *items,
	     size_t idx, const char *zone, const struct hostname_zones *served,
	     struct hostname_claims *claims, struct hostname_result *results,
	     struct outcome *o)
{
	const struct resource_meta *meta = items[idx].meta;
	const char *gname = g->res->meta.name;
	struct hostname_result *r = &results[idx];
	const struct claim *c = NULL;
	const char *kzone = resource_labels_get(&meta->labels, KUMA_LABEL_ZONE);
	const char *stored = NULL;
	struct tmpl_vars vars;
	char name[HOSTNAME_MAX + 64];
	char err[1024];
	char why[320];

	vars.name = resource_name(meta);
	vars.display_name = resource_display_name(meta);
	vars.namespace = meta_namespace(meta);
	vars.mesh = meta->mesh != NULL ? meta->mesh : "";
	vars.zone = kzone != NULL ? kzone : zone;
	vars.label = label_of;
	vars.label_ctx = (void *)meta;

	o->reason = HOSTNAME_TEMPLATE_ERROR;
	o->other = CLAIM_CALLER;
	o->hostname = NULL;
	if (tmpl_render(g->tmpl, &vars, name, sizeof(name), err,
			sizeof(err)) < 0)
		return add_condition(r, gname, HOSTNAME_TEMPLATE_ERROR, err);
	if (hostname_validate(name, why, sizeof(why)) < 0) {
		snprintf(err, sizeof(err),
			 "generated hostname \"%s\" is not a valid DNS name: %s",
			 name, why);
		return add_condition(r, gname, HOSTNAME_TEMPLATE_ERROR, err);
	}
	if (served != NULL && !hostname_zones_has(served, name)) {
		o->reason = HOSTNAME_NOT_SERVED;
		snprintf(err, sizeof(err),
			 "hostname \"%s\" is outside every DNS zone this "
			 "server serves", name);
		return add_condition(r, gname, HOSTNAME_NOT_SERVED, err);
	}
	c = claims_find(claims, meta->mesh, name);
	if (c != NULL && (c->item >= CLAIM_BORROWED || c->item != idx)) {
		o->reason = HOSTNAME_COLLISION;
		o->other = c->item >= CLAIM_BORROWED ? CLAIM_CALLER : c->item;
		o->hostname = c->name;
	}
	if (c != NULL && c->item >= CLAIM_BORROWED) {
		snprintf(err, sizeof(err), "Hostname collision: %s is taken",
			 name);
		return add_condition(r, gname, HOSTNAME_COLLISION, err);
	}
	if (c != NULL && c->item != idx) {
		const struct resource_meta *w = items[c->item].meta;

		/* Kuma's message (claims are per mesh, as Kuma's). */
		snprintf(err, sizeof(err), "Hostname collision with %s: %s",
			 resource_kind_name(w->kind), resource_name(w));
		return add_condition(r, gname, HOSTNAME_COLLISION, err);
	}
	/*
	 * Here c is NULL, or the same service already has this name from an
	 * earlier generator: that is not a collision (Kuma lists it twice).
	 */
	o->reason = HOSTNAME_GENERATED;
	if (add_address(r, gname, name, &stored) < 0)
		return -ENOMEM;
	if (c == NULL && claims_add(claims, meta->mesh, stored, idx) < 0)
		return -ENOMEM;
	return add_condition(r, gname, HOSTNAME_GENERATED, "");
}

/*
 * One generator's services that got no hostname for one reason: counted,
 * the first in full, the next few by name.
 */
#define REPORT_NAMED 3

struct report {
	size_t count;
	size_t items[REPORT_NAMED];	/* the first ones */
	struct outcome first;
	const char *message;		/* the first's condition (borrowed) */
};

static void
report_add(struct report *rep, size_t idx, const struct outcome *o,
	   const struct hostname_result *r)
{
	if (rep->count == 0) {
		rep->first = *o;
		rep->message = r->conditions[r->nconditions - 1].message;
	}
	if (rep->count < REPORT_NAMED)
		rep->items[rep->count] = idx;
	rep->count++;
}

/* "file:line:column", or as much of it as is known. */
static const char *
pos_text(const struct resource_pos *pos, char *buf, size_t size)
{
	const char *file = pos->file != NULL ? pos->file : "";

	if (pos->line > 0 && pos->column > 0)
		snprintf(buf, size, "%s:%d:%d", file, pos->line, pos->column);
	else if (pos->line > 0)
		snprintf(buf, size, "%s:%d", file, pos->line);
	else
		snprintf(buf, size, "%s", file);
	return buf;
}

/*
 * The warning for @rep, at the generator's template:
 *   HostnameGenerator "g" gives MeshService "a" (a.yaml:1:1) no hostname:
 *   <why>
 * or, for several,
 *   HostnameGenerator "g" gives 5 MeshServices no hostname ("a", "b", "c"
 *   and 2 more); MeshService "a" (a.yaml:1:1): <why>
 */
static void
report_emit(const struct hostname_gen *g, const struct hostname_item *items,
	    const struct report *rep, struct diag_list *diags)
{
	const struct resource_hostname_generator *res = g->res;
	const struct resource_pos *gp = res->template_pos.line > 0 ?
					&res->template_pos : &res->meta.pos;
	const struct resource_meta *first = NULL;
	const struct resource_meta *w = NULL;
	const char *kind = NULL;
	char where[320];
	char wwhere[320];
	char why[1600];
	char names[REPORT_NAMED * 260];
	size_t len = 0;
	size_t i;

	if (rep->count == 0)
		return;
	first = items[rep->items[0]].meta;
	kind = resource_kind_name(first->kind);
	pos_text(&first->pos, where, sizeof(where));
	if (rep->first.reason != HOSTNAME_COLLISION) {
		snprintf(why, sizeof(why), "%s", rep->message);
	} else if (rep->first.other == CLAIM_CALLER) {
		snprintf(why, sizeof(why), "hostname collision: %s is taken",
			 rep->first.hostname);
	} else {
		int other_mesh = 0;

		w = items[rep->first.other].meta;
		other_mesh = w->mesh != NULL && first->mesh != NULL &&
			     strcmp(w->mesh, first->mesh) != 0;
		snprintf(why, sizeof(why), "hostname collision: %s is "
			 "already the hostname of %s \"%s\"%s%s%s (%s)",
			 rep->first.hostname, resource_kind_name(w->kind),
			 resource_name(w), other_mesh ? " in mesh \"" : "",
			 other_mesh ? w->mesh : "", other_mesh ? "\"" : "",
			 pos_text(&w->pos, wwhere, sizeof(wwhere)));
	}
	if (rep->count == 1) {
		diag_warning(diags, gp->file, gp->line, gp->column,
			     "HostnameGenerator \"%s\" gives %s \"%s\" (%s) no "
			     "hostname: %s", res->meta.name, kind,
			     resource_name(first), where, why);
		return;
	}
	names[0] = '\0';
	for (i = 0; i < rep->count && i < REPORT_NAMED; i++) {
		len += (size_t)snprintf(names + len, sizeof(names) - len,
					"%s\"%.250s\"", i == 0 ? "" :
					i + 1 == rep->count ? " and " : ", ",
					resource_name(items[rep->items[i]]
						      .meta));
		if (len >= sizeof(names))
			len = sizeof(names) - 1;
	}
	if (rep->count > REPORT_NAMED)
		snprintf(names + len, sizeof(names) - len, " and %zu more",
			 rep->count - REPORT_NAMED);
	diag_warning(diags, gp->file, gp->line, gp->column,
		     "HostnameGenerator \"%s\" gives %zu %ss no hostname (%s); "
		     "%s \"%s\" (%s): %s", res->meta.name, rep->count, kind,
		     names, kind, resource_name(first), where, why);
}

static int
address_cmp(const void *pa, const void *pb)
{
	const struct hostname_address *a = pa;
	const struct hostname_address *b = pb;

	return strcmp(a->generator, b->generator);
}

static int
condition_cmp(const void *pa, const void *pb)
{
	const struct hostname_condition *a = pa;
	const struct hostname_condition *b = pb;

	return strcmp(a->generator, b->generator);
}

int
hostname_gen_selects(const struct resource_hostname_generator *g,
		     const struct resource_meta *meta)
{
	return g->target == meta->kind &&
	       resource_labels_match(&meta->labels, &g->match);
}

int
hostname_generate(const struct hostname_gen *gens, size_t ngens,
		  const struct hostname_item *items, size_t nitems,
		  const char *zone, const struct hostname_zones *served,
		  struct hostname_claims *claims,
		  struct hostname_result *results, struct diag_list *diags)
{
	static const enum resource_kind order[] = {
		RESOURCE_MESH_EXTERNAL_SERVICE,
		RESOURCE_MESH_SERVICE,
		RESOURCE_MESH_MULTI_ZONE_SERVICE,
	};
	size_t k;
	size_t g;
	size_t i;
	int rc = 0;

	for (k = 0; k < sizeof(order) / sizeof(order[0]); k++) {
		for (g = 0; g < ngens; g++) {
			const struct resource_hostname_generator *res =
				gens[g].res;
			/* by reason: TemplateError, Collision, NotServed */
			struct report rep[3];
			size_t j;

			if (res->target != order[k])
				continue;
			memset(rep, 0, sizeof(rep));
			for (i = 0; i < nitems; i++) {
				const struct resource_meta *meta =
					items[i].meta;
				struct outcome o;

				if (!hostname_gen_selects(res, meta))
					continue;
				rc = generate_one(&gens[g], items, i, zone,
						  served, claims, results, &o);
				if (rc < 0)
					goto out;
				if (o.reason != HOSTNAME_GENERATED)
					report_add(&rep[o.reason - 1], i, &o,
						   &results[i]);
			}
			for (j = 0; diags != NULL && j < 3; j++)
				report_emit(&gens[g], items, &rep[j], diags);
		}
	}
	/* Kuma orders both lists by generator name (qsort is fine: names
	 * are unique among generators). */
	for (i = 0; i < nitems; i++) {
		if (results[i].naddresses > 1)
			qsort(results[i].addresses, results[i].naddresses,
			      sizeof(*results[i].addresses), address_cmp);
		if (results[i].nconditions > 1)
			qsort(results[i].conditions, results[i].nconditions,
			      sizeof(*results[i].conditions), condition_cmp);
	}
out:
	return rc;
}

void
hostname_result_clear(struct hostname_result *r)
{
	size_t i;

	for (i = 0; i < r->naddresses; i++)
		free(r->addresses[i].hostname);
	for (i = 0; i < r->nconditions; i++)
		free(r->conditions[i].message);
	free(r->addresses);
	free(r->conditions);
	memset(r, 0, sizeof(*r));
}

/*
 * A block of shared results: an arena the results are allocated in, one
 * after the other, freed all at once with the last reference.  Only the
 * build that made it shares results into it (hostname.h), so the arena
 * needs no lock; the count is atomic because the snapshots and epochs
 * that hold it are freed on other threads.
 */
struct hostname_block {
	atomic_size_t refs;
	size_t nresults;
	struct arena arena;
};

/*
 * A shared result: one arena chunk holding the block it lives in, the
 * result, its arrays and every string.
 */
struct shared_result {
	struct hostname_block *block;
	struct hostname_result r;
	/* the arrays, then the strings */
};

struct hostname_block *
hostname_block_new(void)
{
	struct hostname_block *b = calloc(1, sizeof(*b));

	if (b != NULL)
		atomic_init(&b->refs, 1);
	return b;
}

struct hostname_block *
hostname_block_ref(struct hostname_block *b)
{
	if (b != NULL)
		atomic_fetch_add_explicit(&b->refs, 1, memory_order_relaxed);
	return b;
}

void
hostname_block_unref(struct hostname_block *b)
{
	if (b == NULL || atomic_fetch_sub_explicit(&b->refs, 1,
						   memory_order_acq_rel) > 1)
		return;
	arena_clear(&b->arena);
	free(b);
}

size_t
hostname_block_results(const struct hostname_block *b)
{
	return b->nresults;
}

static size_t
pack_add(size_t *off, const char *s)
{
	size_t at = *off;

	*off += strlen(s) + 1;
	return at;
}

const struct hostname_result *
hostname_block_share(struct hostname_block *b, const struct hostname_result *r)
{
	struct shared_result *sh = NULL;
	size_t arrays = sizeof(*sh);
	size_t off;
	char *base = NULL;
	size_t i;

	arrays = (arrays + alignof(max_align_t) - 1) &
		 ~(alignof(max_align_t) - 1);
	off = arrays + r->naddresses * sizeof(*r->addresses) +
	      r->nconditions * sizeof(*r->conditions);
	for (i = 0; i < r->naddresses; i++) {
		pack_add(&off, r->addresses[i].hostname);
		pack_add(&off, r->addresses[i].generator);
	}
	for (i = 0; i < r->nconditions; i++) {
		pack_add(&off, r->conditions[i].generator);
		pack_add(&off, r->conditions[i].message);
	}
	if ((sh = arena_alloc(&b->arena, off)) == NULL)
		return NULL;
	b->nresults++;
	base = (char *)sh;
	sh->block = b;
	sh->r.naddresses = r->naddresses;
	sh->r.nconditions = r->nconditions;
	sh->r.addresses = (struct hostname_address *)(base + arrays);
	sh->r.conditions = (struct hostname_condition *)(sh->r.addresses +
							 r->naddresses);
	off = arrays + r->naddresses * sizeof(*r->addresses) +
	      r->nconditions * sizeof(*r->conditions);
	/* The strings are copied in and never written again. */
	for (i = 0; i < r->naddresses; i++) {
		sh->r.addresses[i].hostname = base + pack_add(&off,
			r->addresses[i].hostname);
		strcpy(sh->r.addresses[i].hostname, r->addresses[i].hostname);
		sh->r.addresses[i].generator = base + pack_add(&off,
			r->addresses[i].generator);
		strcpy((char *)sh->r.addresses[i].generator,
		       r->addresses[i].generator);
	}
	for (i = 0; i < r->nconditions; i++) {
		sh->r.conditions[i].reason = r->conditions[i].reason;
		sh->r.conditions[i].generator = base + pack_add(&off,
			r->conditions[i].generator);
		strcpy((char *)sh->r.conditions[i].generator,
		       r->conditions[i].generator);
		sh->r.conditions[i].message = base + pack_add(&off,
			r->conditions[i].message);
		strcpy(sh->r.conditions[i].message,
		       r->conditions[i].message);
	}
	return &sh->r;
}

struct hostname_block *
hostname_result_block(const struct hostname_result *shared)
{
	const struct shared_result *sh = (const struct shared_result *)
		(const void *)((const char *)shared -
			       offsetof(struct shared_result, r));

	return sh->block;
}
