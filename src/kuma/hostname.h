/* SPDX-License-Identifier: MIT */
/*
 * hostname.h -- HostnameGenerators x services: hostnames and conditions.
 *
 * Kuma's generation loop (reference/kuma.md section 4) over compiled
 * generators and services, both already in Kuma's order:
 *   generators: kuma.io/origin=zone first, then creation time, then name;
 *   services:   creation time, then name.
 * For each generator, for each service of the generator's target kind whose
 * labels match the selector: render the template.  The result per service
 * is the list of hostnames (one per generator that produced one, ordered by
 * generator name) and one `Generated` condition per generator that
 * produced a hostname or an error, with Kuma's reasons and messages:
 *   True  / Generated     / ""
 *   False / TemplateError / the render or validation error
 *   False / Collision     / "Hostname collision with MeshService: <winner>"
 * and one of our own:
 *   False / NotServed     / the hostname is outside every served zone.
 *
 * Every generator that gives services no hostname is a warning (one per
 * generator and reason, at its spec.template, counting the services and
 * naming the first few; the first one's position and message in full, and
 * for a collision the service that has the name, with its position).
 *
 * Unlike Kuma (which names the loser and checks one kind in one mesh),
 * a collision names the service that has the name, and is detected across
 * meshes and kinds: one DNS name never answers for two services.
 *
 * Pure: no I/O, no logging; the warnings go to the caller's diag_list.
 */
#ifndef MESHDNS_HOSTNAME_H
#define MESHDNS_HOSTNAME_H

#include <stddef.h>

#include "kuma/resource.h"
#include "kuma/tmpl.h"
#include "util/diag.h"

/*
 * Check that @name is a valid hostname: lower-case RFC 1123 labels joined
 * by dots, each label at most 63 octets, at most 253 in total, no final
 * dot.  Returns 0, or -1 with the violation (apimachinery's wording where
 * it has one) in @why.
 */
int hostname_validate(const char *name, char *why, size_t whysize);

/*
 * Kuma's apply-time check of a HostnameGenerator's compiled template @t:
 * render it with the stub values (.Name "name", .DisplayName
 * "displayname", .Namespace "namespace", .Mesh "mesh", .Zone "zone", every
 * label "label") and check the result with hostname_validate().  Returns
 * 0, or -1 with Kuma's message in @err (cut to @errsize): `couldn't render
 * template with stub values: <error>` or `template renders to "<name>"
 * which is not a valid DNS name: <violation>`.  A template that fails here
 * can never give a valid name, whatever the service.
 */
int hostname_check_template(const struct tmpl *t, char *err, size_t errsize);

/*
 * The DNS zones this server serves, for the NotServed check: apexes as
 * text (letters, digits, '-' and dots; any case; a final dot optional;
 * "" or "." is the root).  Strings borrowed.
 */
struct hostname_zones {
	const char *const *v;
	size_t n;
};

/*
 * True when @name is the apex of one of @zones or below it (whole labels,
 * case-insensitive; a final dot on @name is ignored).
 */
int hostname_zones_has(const struct hostname_zones *zones, const char *name);

/* A generator whose template compiled. */
struct hostname_gen {
	const struct resource_hostname_generator *res;
	const struct tmpl *tmpl;
};

/* A service-like resource hostnames are generated for. */
struct hostname_item {
	const struct resource_meta *meta;
};

struct hostname_address {
	char *hostname;
	const char *generator;		/* borrowed: the generator's name */
};

enum hostname_reason {
	HOSTNAME_GENERATED = 0,
	HOSTNAME_TEMPLATE_ERROR,
	HOSTNAME_COLLISION,
	HOSTNAME_NOT_SERVED,
};

struct hostname_condition {
	const char *generator;		/* borrowed */
	enum hostname_reason reason;	/* status is True iff GENERATED */
	char *message;			/* "" when none */
};

struct hostname_result {
	struct hostname_address *addresses;
	size_t naddresses;
	struct hostname_condition *conditions;
	size_t nconditions;
};

/* "Generated", "TemplateError", "Collision", "NotServed". */
const char *hostname_reason_name(enum hostname_reason reason);

/*
 * Sort @gens in Kuma's generator order (in place).
 */
void hostname_gens_sort(struct hostname_gen *gens, size_t n);

/*
 * The hostnames claimed so far in a build, per mesh (meshes are separate
 * namespaces, as in Kuma) and across kinds: one DNS name answers for one
 * resource of a mesh.  hostname_generate() fills it; the
 * caller may then add names of its own (legacy names) that must not take
 * a generated one.
 */
struct hostname_claims;

/* NULL on ENOMEM. */
struct hostname_claims *hostname_claims_new(void);
void hostname_claims_free(struct hostname_claims *c);

/* True when @name is claimed in mesh @mesh (NULL: no mesh). */
int hostname_claims_has(const struct hostname_claims *c, const char *mesh,
			const char *name);

/* Claim @name in @mesh (both copied) for the caller; 0, or -ENOMEM. */
int hostname_claims_add(struct hostname_claims *c, const char *mesh,
			const char *name);

/*
 * hostname_claims_add() without the copies: @mesh and @name are
 * borrowed and must outlive @c.  0, or -ENOMEM.  A name claimed this way
 * is "taken" for hostname_generate(), as one of hostname_claims_add().
 */
int hostname_claims_borrow(struct hostname_claims *c, const char *mesh,
			   const char *name);

/* Make room for @n more claims at once; 0, or -ENOMEM. */
int hostname_claims_reserve(struct hostname_claims *c, size_t n);

/*
 * Does generator @g select the service of @meta (its kind is @g's target,
 * its labels match @g's selector)?  Only those get names from @g, or a
 * condition.
 */
int hostname_gen_selects(const struct resource_hostname_generator *g,
			 const struct resource_meta *meta);

/*
 * Run the loop, kind by kind in Kuma's order (MeshExternalService,
 * MeshService, MeshMultiZoneService), so an older kind's claim wins a
 * cross-kind collision.  @items are in Kuma's order within each kind;
 * @results has @nitems zeroed entries that are filled (free each with
 * hostname_result_clear()).  @zone is this server's Kuma zone (for `.Zone`
 * when the label is absent).  A hostname outside every zone of @served
 * gets NotServed (@served NULL: every hostname is served).  @claims
 * records every name given (the results own
 * the strings; the claims must not outlive them).  The warnings (see the
 * top of this file) are appended to @diags, unless it is NULL.  Returns 0
 * or -ENOMEM (then results are partly filled; clear them).
 */
int hostname_generate(const struct hostname_gen *gens, size_t ngens,
		      const struct hostname_item *items, size_t nitems,
		      const char *zone, const struct hostname_zones *served,
		      struct hostname_claims *claims,
		      struct hostname_result *results,
		      struct diag_list *diags);

void hostname_result_clear(struct hostname_result *r);

/*
 * Results shared between builds live in blocks: an arena with one
 * reference count, where each shared result is an immutable copy
 * (strings and generator names included, so it borrows nothing) that
 * lives as long as its block.  A holder takes one reference on a block
 * for every result of it that it reaches, however many: there is no
 * count per result.
 *
 * hostname_block_new(): an empty block, with one reference for the
 * caller; NULL on ENOMEM.  hostname_block_ref() adds a reference (and
 * returns @b); hostname_block_unref() drops one and frees the block and
 * every result in it with the last.  Both are atomic, so the holders
 * may drop theirs on different threads.  NULL is a no-op for both.
 */
struct hostname_block;

struct hostname_block *hostname_block_new(void);
struct hostname_block *hostname_block_ref(struct hostname_block *b);
void hostname_block_unref(struct hostname_block *b);

/*
 * Copy @r into @b (one arena chunk) and return the shared copy, valid
 * while @b lives; NULL on ENOMEM.  Nothing may write through it.  Not
 * thread-safe: only the one who made @b shares into it, and only before
 * handing @b (or a result of it) to another thread; reading the results
 * already shared is safe meanwhile (they never move).
 */
const struct hostname_result *
hostname_block_share(struct hostname_block *b, const struct hostname_result *r);

/* How many results were shared into @b. */
size_t hostname_block_results(const struct hostname_block *b);

/*
 * The block @shared (a result hostname_block_share() returned) lives in;
 * borrowed (the caller holds or reaches a reference already).
 */
struct hostname_block *
hostname_result_block(const struct hostname_result *shared);

#endif
