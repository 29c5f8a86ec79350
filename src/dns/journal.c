/* SPDX-License-Identifier: MIT */
/* journal.c -- per-zone differences between generations, for IXFR. */
#include "autoconfig.h"

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <ldns/ldns.h>

#include "dns/journal.h"
#include "dns/table_patch.h"
#include "dns/table_walk.h"

struct jdiff {
	uint32_t from, to;
	ldns_rr *soa_old;
	ldns_rr *soa_new;
	ldns_rr_list *del;
	ldns_rr_list *add;
	size_t bytes;
	struct jdiff *next;
};

struct jzone {
	uint8_t apex[LDNS_MAX_DOMAINLEN];
	size_t apex_len;
	struct jdiff *head;	/* oldest */
	struct jdiff *tail;
	size_t count;
	size_t bytes;
	struct jzone *next;
};

struct journal {
	pthread_mutex_t lock;
	size_t max_count;
	size_t max_bytes;
	struct jzone *zones;
};

int
journal_new(struct journal **out, size_t max_count, size_t max_bytes)
{
	struct journal *j = calloc(1, sizeof(*j));

	if (j == NULL)
		return -ENOMEM;
	if (pthread_mutex_init(&j->lock, NULL) != 0) {
		free(j);
		return -ENOMEM;
	}
	j->max_count = max_count;
	j->max_bytes = max_bytes;
	*out = j;
	return 0;
}

static void
jdiff_free(struct jdiff *d)
{
	ldns_rr_free(d->soa_old);
	ldns_rr_free(d->soa_new);
	ldns_rr_list_deep_free(d->del);
	ldns_rr_list_deep_free(d->add);
	free(d);
}

static void
jzone_clear(struct jzone *z)
{
	while (z->head != NULL) {
		struct jdiff *d = z->head;

		z->head = d->next;
		jdiff_free(d);
	}
	z->tail = NULL;
	z->count = 0;
	z->bytes = 0;
}

void
journal_free(struct journal *j)
{
	if (j == NULL)
		return;
	while (j->zones != NULL) {
		struct jzone *z = j->zones;

		j->zones = z->next;
		jzone_clear(z);
		free(z);
	}
	pthread_mutex_destroy(&j->lock);
	free(j);
}

static uint32_t
soa_serial(const ldns_rr *soa)
{
	return ldns_rdf2native_int32(ldns_rr_rdf(soa, 2));
}

static size_t
list_bytes(const ldns_rr_list *l)
{
	size_t n = 0;
	size_t i;

	for (i = 0; l != NULL && i < ldns_rr_list_rr_count(l); i++)
		n += ldns_rr_uncompressed_size(ldns_rr_list_rr(l, i));
	return n;
}

/* The zone of @apex, created when @create; NULL when absent or ENOMEM. */
static struct jzone *
find_zone(struct journal *j, const uint8_t *apex, size_t len, bool create)
{
	struct jzone *z = NULL;

	for (z = j->zones; z != NULL; z = z->next)
		if (z->apex_len == len && memcmp(z->apex, apex, len) == 0)
			return z;
	if (!create || len > sizeof(z->apex) ||
	    (z = calloc(1, sizeof(*z))) == NULL)
		return NULL;
	memcpy(z->apex, apex, len);
	z->apex_len = len;
	z->next = j->zones;
	j->zones = z;
	return z;
}

int
journal_add(struct journal *j, struct journal_diff *in)
{
	struct jdiff *d = calloc(1, sizeof(*d));
	struct jzone *z = NULL;
	int rc = -ENOMEM;

	if (d == NULL) {
		ldns_rr_free(in->soa_old);
		ldns_rr_free(in->soa_new);
		ldns_rr_list_deep_free(in->del);
		ldns_rr_list_deep_free(in->add);
		return -ENOMEM;
	}
	d->soa_old = in->soa_old;
	d->soa_new = in->soa_new;
	d->del = in->del;
	d->add = in->add;
	d->from = soa_serial(d->soa_old);
	d->to = soa_serial(d->soa_new);
	d->bytes = list_bytes(d->del) + list_bytes(d->add) +
		   ldns_rr_uncompressed_size(d->soa_old) +
		   ldns_rr_uncompressed_size(d->soa_new);
	pthread_mutex_lock(&j->lock);
	if ((z = find_zone(j, in->apex, in->apex_len, true)) == NULL)
		goto out;
	/* A gap (a restart, a lost generation): no chain across it. */
	if (z->tail != NULL && z->tail->to != d->from)
		jzone_clear(z);
	if (z->tail != NULL)
		z->tail->next = d;
	else
		z->head = d;
	z->tail = d;
	z->count++;
	z->bytes += d->bytes;
	d = NULL;
	while (z->head != NULL && (z->count > j->max_count ||
				   z->bytes > j->max_bytes)) {
		struct jdiff *old = z->head;

		z->head = old->next;
		if (z->head == NULL)
			z->tail = NULL;
		z->count--;
		z->bytes -= old->bytes;
		jdiff_free(old);
	}
	rc = 0;
out:
	pthread_mutex_unlock(&j->lock);
	if (d != NULL)
		jdiff_free(d);
	return rc;
}

/* Equal RRs: owner, type, class, RDATA, and TTL too. */
static bool
rr_equal(const ldns_rr *a, const ldns_rr *b)
{
	return ldns_rr_compare(a, b) == 0 && ldns_rr_ttl(a) == ldns_rr_ttl(b);
}

/* Where an RR equal to @rr is in @l, or -1. */
static long
list_find(const ldns_rr_list *l, const ldns_rr *rr)
{
	size_t i;

	for (i = 0; i < ldns_rr_list_rr_count(l); i++)
		if (rr_equal(ldns_rr_list_rr(l, i), rr))
			return (long)i;
	return -1;
}

/* Remove the @i-th RR of @l (the last takes its place) and free it. */
static void
list_remove(ldns_rr_list *l, size_t i)
{
	ldns_rr *last = ldns_rr_list_pop_rr(l);

	if (i < ldns_rr_list_rr_count(l))
		ldns_rr_free(ldns_rr_list_set_rr(l, last, i));
	else
		ldns_rr_free(last);
}

/*
 * Fold the RRs @del and @add into the running condensed @D and @A: a
 * deletion of something added cancels it, and the other way round.
 */
static int
fold(ldns_rr_list *D, ldns_rr_list *A, const ldns_rr_list *del,
     const ldns_rr_list *add)
{
	size_t i;
	long at;

	for (i = 0; i < ldns_rr_list_rr_count(del); i++) {
		const ldns_rr *rr = ldns_rr_list_rr(del, i);
		ldns_rr *c = NULL;

		if ((at = list_find(A, rr)) >= 0) {
			list_remove(A, (size_t)at);
			continue;
		}
		if ((c = ldns_rr_clone(rr)) == NULL ||
		    !ldns_rr_list_push_rr(D, c)) {
			ldns_rr_free(c);
			return -ENOMEM;
		}
	}
	for (i = 0; i < ldns_rr_list_rr_count(add); i++) {
		const ldns_rr *rr = ldns_rr_list_rr(add, i);
		ldns_rr *c = NULL;

		if ((at = list_find(D, rr)) >= 0) {
			list_remove(D, (size_t)at);
			continue;
		}
		if ((c = ldns_rr_clone(rr)) == NULL ||
		    !ldns_rr_list_push_rr(A, c)) {
			ldns_rr_free(c);
			return -ENOMEM;
		}
	}
	return 0;
}

/* Push a clone of @rr; 0 or -ENOMEM. */
static int
push_clone(ldns_rr_list *l, const ldns_rr *rr)
{
	ldns_rr *c = ldns_rr_clone(rr);

	if (c == NULL || !ldns_rr_list_push_rr(l, c)) {
		ldns_rr_free(c);
		return -ENOMEM;
	}
	return 0;
}

/* Push clones of every RR of @from; 0 or -ENOMEM. */
static int
push_all(ldns_rr_list *l, const ldns_rr_list *from)
{
	size_t i;

	for (i = 0; i < ldns_rr_list_rr_count(from); i++)
		if (push_clone(l, ldns_rr_list_rr(from, i)) < 0)
			return -ENOMEM;
	return 0;
}

int
journal_ixfr(struct journal *j, const uint8_t *apex, size_t apex_len,
	     uint32_t from, uint32_t to, ldns_rr_list **out)
{
	ldns_rr_list *D = NULL;
	ldns_rr_list *A = NULL;
	ldns_rr_list *res = NULL;
	const struct jdiff *first = NULL;
	const struct jdiff *last = NULL;
	const struct jdiff *d = NULL;
	struct jzone *z = NULL;
	int rc = -ENOENT;

	pthread_mutex_lock(&j->lock);
	if ((z = find_zone(j, apex, apex_len, false)) == NULL)
		goto out;
	for (first = z->head; first != NULL && first->from != from;
	     first = first->next)
		;
	for (d = first; d != NULL; d = d->next)
		if ((last = d)->to == to)
			break;
	if (first == NULL || last == NULL || last->to != to)
		goto out;
	rc = -ENOMEM;
	if ((D = ldns_rr_list_new()) == NULL ||
	    (A = ldns_rr_list_new()) == NULL ||
	    (res = ldns_rr_list_new()) == NULL)
		goto out;
	if (first == last) {
		if (push_all(D, first->del) < 0 || push_all(A, first->add) < 0)
			goto out;
	} else {
		for (d = first; d != last->next; d = d->next)
			if (fold(D, A, d->del, d->add) < 0)
				goto out;
	}
	if (push_clone(res, last->soa_new) < 0 ||
	    push_clone(res, first->soa_old) < 0 || push_all(res, D) < 0 ||
	    push_clone(res, last->soa_new) < 0 || push_all(res, A) < 0 ||
	    push_clone(res, last->soa_new) < 0)
		goto out;
	*out = res;
	res = NULL;
	rc = 0;
out:
	pthread_mutex_unlock(&j->lock);
	ldns_rr_list_deep_free(D);
	ldns_rr_list_deep_free(A);
	ldns_rr_list_deep_free(res);
	return rc;
}

void
journal_stats(struct journal *j, const uint8_t *apex, size_t apex_len,
	      size_t *count, size_t *bytes)
{
	struct jzone *z = NULL;

	pthread_mutex_lock(&j->lock);
	z = find_zone(j, apex, apex_len, false);
	*count = z != NULL ? z->count : 0;
	*bytes = z != NULL ? z->bytes : 0;
	pthread_mutex_unlock(&j->lock);
}

/* --- the difference of two tables' zone, by walking both --- */

/* The SOA of zone @z in @t (a new RR), or NULL. */
static ldns_rr *
zone_soa(const struct table *t, const struct table_zone *z)
{
	const struct table_node *apex = NULL;
	ldns_rr_list *l = NULL;
	ldns_rr *soa = NULL;
	const uint8_t *name = NULL;
	size_t len = 0;
	size_t i;
	bool hidden = false;

	name = table_walk_apex(z, &len);
	apex = table_lookup_client(t, z, name, len, NULL, &hidden);
	if (apex == NULL || (l = ldns_rr_list_new()) == NULL)
		return NULL;
	if (table_walk_rrs(apex, 0, l) == 0)
		for (i = 0; i < ldns_rr_list_rr_count(l); i++)
			if (ldns_rr_get_type(ldns_rr_list_rr(l, i)) ==
			    LDNS_RR_TYPE_SOA) {
				soa = ldns_rr_clone(ldns_rr_list_rr(l, i));
				break;
			}
	ldns_rr_list_deep_free(l);
	return soa;
}

/* Do @a and @b (either may be NULL) hold the same RRsets, byte for byte? */
static bool
node_same(const struct table_node *a, const struct table_node *b)
{
	const struct table_rrset *x = NULL;
	const struct table_rrset *y = NULL;
	size_t i;
	size_t na = 0;
	size_t nb = 0;

	if (a == NULL || b == NULL)
		return a == b;
	while (table_walk_rrset(b, nb) != NULL)
		nb++;
	for (i = 0; (x = table_walk_rrset(a, i)) != NULL; i++) {
		na++;
		y = table_node_rrset(b, x->type);
		if (y == NULL || y->count != x->count || y->len != x->len ||
		    memcmp(y->wire, x->wire, x->len) != 0)
			return false;
	}
	return na == nb;
}

/*
 * The RRs of the default view's node of @name in @t's zone @z (none when
 * there is none), but the SOA, appended to @out.
 */
static int
name_rrs(const struct table *t, const struct table_zone *z,
	 const uint8_t *name, size_t len, ldns_rr_list *out)
{
	const struct table_node *n = NULL;
	bool hidden = false;

	if (z == NULL)
		return 0;
	n = table_lookup_client(t, z, name, len, NULL, &hidden);
	return n != NULL ? table_walk_rrs(n, LDNS_RR_TYPE_SOA, out) : 0;
}

/* Move the RRs of @l missing from @other (equal: rr_equal) to @to. */
static int
missing_from(ldns_rr_list *l, const ldns_rr_list *other, ldns_rr_list *to)
{
	size_t i;

	for (i = 0; i < ldns_rr_list_rr_count(l); i++) {
		const ldns_rr *rr = ldns_rr_list_rr(l, i);

		if (list_find(other, rr) < 0 && push_clone(to, rr) < 0)
			return -ENOMEM;
	}
	return 0;
}

/* The difference at the name @name between @ot's @oz and @nt's @nz. */
static int
name_diff(const struct table *ot, const struct table_zone *oz,
	  const struct table *nt, const struct table_zone *nz,
	  const uint8_t *name, size_t len, ldns_rr_list *del,
	  ldns_rr_list *add)
{
	ldns_rr_list *o = ldns_rr_list_new();
	ldns_rr_list *n = ldns_rr_list_new();
	int rc = -ENOMEM;

	if (o == NULL || n == NULL)
		goto out;
	if ((rc = name_rrs(ot, oz, name, len, o)) < 0 ||
	    (rc = name_rrs(nt, nz, name, len, n)) < 0 ||
	    (rc = missing_from(o, n, del)) < 0 ||
	    (rc = missing_from(n, o, add)) < 0)
		goto out;
	rc = 0;
out:
	ldns_rr_list_deep_free(o);
	ldns_rr_list_deep_free(n);
	return rc;
}

/* One zone's difference between @ot's @oz and @nt's @nz into @del/@add. */
static int
zone_diff(const struct table *ot, const struct table_zone *oz,
	  const struct table *nt, const struct table_zone *nz,
	  ldns_rr_list *del, ldns_rr_list *add)
{
	const struct table_node *node = NULL;
	const struct table_node *other = NULL;
	const uint8_t *name = NULL;
	size_t cursor = 0;
	size_t len = 0;
	bool hidden = false;
	int rc;

	/* Names in the new zone: changed or added. */
	while ((node = table_walk_next(nt, nz, &cursor)) != NULL) {
		name = table_walk_name(node, &len);
		other = table_lookup_client(ot, oz, name, len, NULL, &hidden);
		if (node_same(node, other))
			continue;
		if ((rc = name_diff(ot, oz, nt, nz, name, len, del, add)) < 0)
			return rc;
	}
	/* Names only in the old zone: deleted. */
	cursor = 0;
	while ((node = table_walk_next(ot, oz, &cursor)) != NULL) {
		name = table_walk_name(node, &len);
		if (table_lookup_client(nt, nz, name, len, NULL, &hidden) !=
		    NULL)
			continue;
		if ((rc = name_diff(ot, oz, nt, NULL, name, len, del,
				    add)) < 0)
			return rc;
	}
	return 0;
}

/*
 * Journal zone @nz of @new against @oz of @old when their SOA serials
 * differ: the difference of the whole zones (@walk), or only at the
 * canonical wire names @names (@n of them).  0 or -ENOMEM.
 */
static int
zone_record(struct journal *j, const struct table *old,
	    const struct table_zone *oz, const struct table *new,
	    const struct table_zone *nz, bool walk, const ldns_rdf *const *names,
	    size_t n)
{
	struct journal_diff d;
	uint8_t lname[LDNS_MAX_DOMAINLEN];
	size_t len = 0;
	size_t i;
	size_t k;
	int rc = -ENOMEM;

	memset(&d, 0, sizeof(d));
	d.apex = table_walk_apex(nz, &d.apex_len);
	if ((d.soa_old = zone_soa(old, oz)) == NULL ||
	    (d.soa_new = zone_soa(new, nz)) == NULL)
		goto out;
	if (soa_serial(d.soa_old) == soa_serial(d.soa_new)) {
		rc = 0;
		goto out;
	}
	if ((d.del = ldns_rr_list_new()) == NULL ||
	    (d.add = ldns_rr_list_new()) == NULL)
		goto out;
	if (walk) {
		if ((rc = zone_diff(old, oz, new, nz, d.del, d.add)) < 0)
			goto out;
	}
	for (i = 0; !walk && i < n; i++) {
		len = ldns_rdf_size(names[i]);
		if (len > sizeof(lname))
			continue;	/* not a name of the table */
		memcpy(lname, ldns_rdf_data(names[i]), len);
		/* Label lengths are below 'A': lower the whole name. */
		for (k = 0; k < len; k++)
			if (lname[k] >= 'A' && lname[k] <= 'Z')
				lname[k] = (uint8_t)(lname[k] - 'A' + 'a');
		if ((rc = name_diff(old, oz, new, nz, lname, len, d.del,
				    d.add)) < 0)
			goto out;
	}
	/* journal_add() owns the RRs and lists, whatever it returns. */
	rc = journal_add(j, &d);
	memset(&d, 0, sizeof(d));
out:
	ldns_rr_free(d.soa_old);
	ldns_rr_free(d.soa_new);
	ldns_rr_list_deep_free(d.del);
	ldns_rr_list_deep_free(d.add);
	return rc;
}

int
journal_record(struct journal *j, const struct table *old,
	       const struct table *new)
{
	const struct table_zone *nz = NULL;
	const struct table_zone *oz = NULL;
	const uint8_t *apex = NULL;
	size_t len = 0;
	size_t i;
	int rc;

	if (old == NULL || new == NULL)
		return 0;
	for (i = 0; (nz = table_walk_zone_at(new, i)) != NULL; i++) {
		apex = table_walk_apex(nz, &len);
		if ((oz = table_walk_zone(old, apex, len)) == NULL)
			continue;
		if ((rc = zone_record(j, old, oz, new, nz, true, NULL, 0)) < 0)
			return rc;
	}
	return 0;
}

/* --- the difference from a patch's change list --- */

/* May @c, the change list of @old to @new, stand for their walk? */
static bool
changes_fit(const struct table *old, const struct table *new,
	    const struct table_changes *c)
{
	/* Only there is the default view the zone content table_changes
	 * describes: no scopes, no name hidden from a client without a
	 * view (else an owner or view change alone would change it). */
	return table_walk_sees_all(old) && table_walk_sees_all(new) &&
	       table_changes_match(c, old, new);
}

static int
cmp_dname(const void *a, const void *b)
{
	return ldns_dname_compare(*(const ldns_rdf *const *)a,
				  *(const ldns_rdf *const *)b);
}

/* The owners of @rem and @add, sorted, once each, into *@out (@n). */
static int
owners_of(const ldns_rr_list *rem, const ldns_rr_list *add,
	  const ldns_rdf ***out, size_t *n)
{
	const ldns_rdf **v = NULL;
	size_t nr = ldns_rr_list_rr_count(rem);
	size_t na = ldns_rr_list_rr_count(add);
	size_t i;
	size_t k = 0;

	*out = NULL;
	*n = 0;
	if ((v = malloc((nr + na + 1) * sizeof(*v))) == NULL)
		return -ENOMEM;
	for (i = 0; i < nr; i++)
		v[i] = ldns_rr_owner(ldns_rr_list_rr(rem, i));
	for (i = 0; i < na; i++)
		v[nr + i] = ldns_rr_owner(ldns_rr_list_rr(add, i));
	qsort(v, nr + na, sizeof(*v), cmp_dname);
	for (i = 0; i < nr + na; i++)
		if (k == 0 || ldns_dname_compare(v[k - 1], v[i]) != 0)
			v[k++] = v[i];
	*out = v;
	*n = k;
	return 0;
}

int
journal_record_changes(struct journal *j, const struct table *old,
		       const struct table *new,
		       const struct table_changes *changes)
{
	const struct ldns_struct_rr_list *rem = NULL;
	const struct ldns_struct_rr_list *add = NULL;
	const struct table_zone *nz = NULL;
	const struct table_zone *oz = NULL;
	const ldns_rdf **names = NULL;
	size_t n = 0;
	uint32_t s0 = 0;
	uint32_t s1 = 0;
	size_t i;
	int zone = -1;
	int rc = 0;

	if (old == NULL || new == NULL)
		return 0;
	if (changes == NULL || !changes_fit(old, new, changes))
		return journal_record(j, old, new);
	for (i = 0; i < table_changes_count(changes); i++) {
		if (table_changes_zone(changes, i, &zone, &s0, &s1, &rem,
				       &add) < 0 || s0 == s1)
			continue;
		nz = table_walk_zone_at(new, (size_t)zone);
		oz = table_walk_zone_at(old, (size_t)zone);
		if ((rc = owners_of(rem, add, &names, &n)) < 0 ||
		    (rc = zone_record(j, old, oz, new, nz, false, names,
				      n)) < 0)
			break;
		free(names);
		names = NULL;
	}
	free(names);
	return rc;
}
