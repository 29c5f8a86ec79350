/* SPDX-License-Identifier: MIT */
/* vip.c -- VIP pools and stable allocation. */

/*
 * Allocation
 * ----------
 * Pools of /30 and wider (IPv4) do not give the network and broadcast
 * addresses; /31 and /32 give every address (RFC 3021).  IPv6 pools of
 * /126 and wider do not give the all-zero address of the prefix, the
 * subnet-router anycast address (RFC 4291 2.6.1); the last address is
 * given, as IPv6 has no broadcast.  /127 and /128 give every address
 * (RFC 6164).
 *
 * Addresses are compared and stepped as big-endian byte strings, which is
 * 128-bit arithmetic without a 128-bit type: a /0 pool cannot overflow.  A
 * next-fit search visits at most (addresses used + 1) candidates before it
 * finds a free one, and stops after one full lap of the pool, so it is
 * bounded even for ::/0.  A pool found full stays full for the rest of the
 * round, so a full pool costs one lap per round, not one per request.
 */
#include "autoconfig.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "build/vip.h"
#include "util/bigarray.h"
#include "util/hash.h"

#define SLOT_EMPTY	UINT32_MAX

/*
 * An open-addressing hash index of uint32_t values (indices into some
 * array); the caller compares candidates, the index only remembers the
 * 32-bit hash of each so that most mismatches cost no lookup.
 */
struct slot {
	uint32_t val;
	uint32_t hash;
};

struct index {
	struct slot *s;
	size_t size;		/* 0 or a power of two */
	size_t n;
};

/*
 * The key strings of a table and its clones.  A table appends the keys
 * it adds to its own ring and holds a reference to the ring of the table
 * it was cloned from (@older), whose keys its entries share: a clone
 * copies no key and touches none (a reference count per key, 100,000
 * atomic increments a clone and as many decrements when one is freed, on
 * keys scattered in memory, was most of a clone's cost).  A key is freed
 * with its ring, once no table holds the ring, not when its entry goes
 * (a clone may still have it).  So released keys stay until then: a clone
 * whose chain holds more than twice its live keys, or is long, copies
 * the live ones into a ring of its own instead (vip_table_clone()).
 * Reference counts are atomic: a clone may be freed on another thread
 * than its original; a ring's keys are appended only by its table.
 */
struct keyring {
	atomic_size_t refs;
	struct keyring *older;	/* a reference held, or NULL */
	char **v;		/* the keys this ring owns */
	size_t n;
	size_t cap;
	size_t total;		/* keys here and in every older ring */
	size_t depth;		/* rings in the chain, this one included */
};

/* A clone copies its live keys beyond these (vip_table_clone()). */
#define KEYRING_DEPTH_MAX 1024
#define KEYRING_SLACK 1024

/*
 * A table is its own (one builder changes it), but the key strings are
 * shared between a table and its clones (struct keyring).
 */
struct vip_table {
	struct vip_entry *e;
	size_t n;
	size_t cap;
	size_t nheld;
	struct index by_addr;	/* every entry */
	struct index by_key;	/* assignments only */
	struct index by_held;	/* held entries, by key */
	int64_t first_until;	/* the smallest held "until", INT64_MAX */
	uint64_t stamp;		/* equal stamps: equal tables (a clone that
				 * did not change since) */
	struct vip_cursor *c;
	size_t nc;
	struct keyring *ring;	/* one reference held, or NULL: no key yet */
};

/* Keys */

/* A ring after @older (a reference taken), or NULL on ENOMEM. */
static struct keyring *
keyring_new(struct keyring *older)
{
	struct keyring *r = calloc(1, sizeof(*r));

	if (r == NULL)
		return NULL;
	atomic_init(&r->refs, 1);
	r->depth = 1;
	if (older != NULL) {
		atomic_fetch_add_explicit(&older->refs, 1,
					  memory_order_relaxed);
		r->older = older;
		r->total = older->total;
		r->depth = older->depth + 1;
	}
	return r;
}

/* Drop a reference to @r: a ring no table holds is freed, keys and all. */
static void
keyring_unref(struct keyring *r)
{
	while (r != NULL &&
	       atomic_fetch_sub_explicit(&r->refs, 1,
					 memory_order_acq_rel) == 1) {
		struct keyring *older = r->older;
		size_t i;

		for (i = 0; i < r->n; i++)
			free(r->v[i]);
		free(r->v);
		free(r);
		r = older;
	}
}

/* Room in @t's ring for @n more keys, so that put_entry() cannot fail. */
static int
keyring_reserve(struct vip_table *t, size_t n)
{
	struct keyring *r = t->ring;
	char **v = NULL;
	size_t cap;

	if (r == NULL && (r = t->ring = keyring_new(NULL)) == NULL)
		return -ENOMEM;
	if (r->n + n <= r->cap)
		return 0;
	cap = r->cap ? r->cap * 2 : 16;
	while (cap < r->n + n)
		cap *= 2;
	if (cap > SIZE_MAX / sizeof(*v) ||
	    (v = realloc(r->v, cap * sizeof(*v))) == NULL)
		return -ENOMEM;
	r->v = v;
	r->cap = cap;
	return 0;
}

/* @k into @t's ring, which owns it from now on; room is reserved. */
static void
keyring_put(struct vip_table *t, char *k)
{
	t->ring->v[t->ring->n++] = k;
	t->ring->total++;
}

/* A copy of @s, which put_entry() gives to a table's ring; NULL: ENOMEM. */
static char *
key_new(const char *s)
{
	return strdup(s);
}

static uint64_t
stamp_new(void)
{
	static atomic_uint_fast64_t next = 1;

	return atomic_fetch_add_explicit(&next, 1, memory_order_relaxed);
}

/* Addresses */

static size_t
addr_len(const struct netaddr *a)
{
	return a->family == AF_INET ? 4 : 16;
}

/* a + 1; the caller makes sure it does not wrap. */
static void
addr_inc(struct netaddr *a)
{
	size_t i = addr_len(a);

	while (i-- > 0)
		if (++a->b[i] != 0)
			break;
}

static void
addr_dec(struct netaddr *a)
{
	size_t i = addr_len(a);

	while (i-- > 0)
		if (a->b[i]-- != 0)
			break;
}

/*
 * A pool as netaddr_cidr_parse() makes them: the cursor is stored under its
 * text, which must read back as the same pool.
 */
static int
pool_ok(const struct netaddr_cidr *p)
{
	struct netaddr_cidr q;

	if (!netaddr_is_set(&p->base) || p->prefix > 8 * addr_len(&p->base))
		return 0;
	if (netaddr_cidr_parse(&q, p->text, NULL, 0) < 0)
		return 0;
	return netaddr_equal(&q.base, &p->base) && q.prefix == p->prefix &&
	       strcmp(q.text, p->text) == 0;
}

/* The first and last address a pool gives (see the top of this file). */
static void
pool_range(const struct netaddr_cidr *p, struct netaddr *lo,
	   struct netaddr *hi)
{
	*lo = p->base;
	netaddr_cidr_last(p, hi);
	if (p->base.family == AF_INET && p->prefix <= 30) {
		addr_inc(lo);
		addr_dec(hi);
	} else if (p->base.family == AF_INET6 && p->prefix <= 126) {
		addr_inc(lo);
	}
}

/* Hash index */

/*
 * The index's own finish of an FNV-1a-64 hash (half a splitmix64 step,
 * cheaper than hash_mix64 and with other values), cut to the 32 bits a
 * slot keeps.
 */
static uint32_t
hash_finish(uint64_t h)
{
	h ^= h >> 29;
	h *= 0xbf58476d1ce4e5b9ULL;
	h ^= h >> 32;
	return (uint32_t)h;
}

/* The family byte is finished on its own first, as it always was. */
static uint32_t
hash_addr(const struct netaddr *a)
{
	unsigned char f = a->family == AF_INET ? 4 : 6;
	uint32_t h = hash_finish(hash_fnv1a64(HASH_FNV1A64_INIT, &f, 1));

	return hash_finish(hash_fnv1a64(h, a->b, addr_len(a)));
}

static uint32_t
hash_str(const char *s)
{
	return hash_finish(hash_fnv1a64_str(HASH_FNV1A64_INIT, s));
}

/*
 * Walk the probe chain of hash @h: returns the next slot with that hash, or
 * NULL at the end of the chain.  *pos starts at @h.
 */
static struct slot *
index_scan(const struct index *ix, uint32_t h, size_t *pos)
{
	struct slot *s = NULL;

	if (ix->size == 0)
		return NULL;
	for (;;) {
		s = &ix->s[*pos & (ix->size - 1)];
		(*pos)++;
		if (s->val == SLOT_EMPTY)
			return NULL;
		if (s->hash == h)
			return s;
	}
}

static void
index_clear(struct index *ix)
{
	bigarray_free(ix->s);
	memset(ix, 0, sizeof(*ix));
}

/* Make room for @n values in all, at most half full. */
static int
index_reserve(struct index *ix, size_t n)
{
	struct slot *s = NULL;
	size_t size = 16;
	size_t i;

	if (n > SIZE_MAX / 4 / sizeof(*s))
		return -ENOMEM;
	while (size < 2 * n)
		size *= 2;
	if (size <= ix->size)
		return 0;
	if ((s = bigarray_alloc(size * sizeof(*s))) == NULL)
		return -ENOMEM;
	memset(s, 0xff, size * sizeof(*s));
	for (i = 0; i < ix->size; i++) {
		size_t pos;

		if (ix->s[i].val == SLOT_EMPTY)
			continue;
		for (pos = ix->s[i].hash; s[pos & (size - 1)].val !=
		     SLOT_EMPTY; pos++)
			;
		s[pos & (size - 1)] = ix->s[i];
	}
	bigarray_free(ix->s);
	ix->s = s;
	ix->size = size;
	return 0;
}

/* Add a value; the caller has reserved room for it. */
static void
index_put(struct index *ix, uint32_t h, uint32_t val)
{
	size_t pos;

	for (pos = h; ix->s[pos & (ix->size - 1)].val != SLOT_EMPTY; pos++)
		;
	ix->s[pos & (ix->size - 1)].val = val;
	ix->s[pos & (ix->size - 1)].hash = h;
	ix->n++;
}

static int
index_insert(struct index *ix, uint32_t h, uint32_t val)
{
	int rc;

	if ((rc = index_reserve(ix, ix->n + 1)) < 0)
		return rc;
	index_put(ix, h, val);
	return 0;
}

/* The slot of value @val with hash @h, or NULL. */
static struct slot *
index_slot(const struct index *ix, uint32_t h, uint32_t val)
{
	size_t pos = h;
	struct slot *s = NULL;

	while ((s = index_scan(ix, h, &pos)) != NULL)
		if (s->val == val)
			return s;
	return NULL;
}

/* Remove the value of slot @s, shifting its probe chain back. */
static void
index_remove(struct index *ix, struct slot *s)
{
	size_t mask = ix->size - 1;
	size_t i = (size_t)(s - ix->s);
	size_t j = i;

	for (;;) {
		size_t home;

		j = (j + 1) & mask;
		if (ix->s[j].val == SLOT_EMPTY)
			break;
		home = ix->s[j].hash & mask;
		/* Stays when its home is cyclically in (i, j]. */
		if (i <= j ? (i < home && home <= j) : (i < home || home <= j))
			continue;
		ix->s[i] = ix->s[j];
		i = j;
	}
	ix->s[i].val = SLOT_EMPTY;
	ix->s[i].hash = UINT32_MAX;
	ix->n--;
}

static int
index_copy(struct index *dst, const struct index *src)
{
	memset(dst, 0, sizeof(*dst));
	if (src->size == 0)
		return 0;
	if ((dst->s = bigarray_alloc(src->size * sizeof(*dst->s))) == NULL)
		return -ENOMEM;
	memcpy(dst->s, src->s, src->size * sizeof(*dst->s));
	dst->size = src->size;
	dst->n = src->n;
	return 0;
}

/* State */

int
vip_word_ok(const char *s)
{
	if (s == NULL || *s == '\0')
		return 0;
	for (; *s != '\0'; s++)
		if ((unsigned char)*s <= ' ' || *s == 0x7f)
			return 0;
	return 1;
}

static uint32_t
find_addr(const struct vip_table *t, const struct netaddr *a)
{
	uint32_t h = hash_addr(a);
	size_t pos = h;
	struct slot *s = NULL;

	while ((s = index_scan(&t->by_addr, h, &pos)) != NULL)
		if (netaddr_equal(&t->e[s->val].addr, a))
			return s->val;
	return SLOT_EMPTY;
}

/*
 * The entry of @t with key @key among those @ix indexes by key: the
 * assignment of @key in t->by_key, or a held entry in an index_held().
 */
static uint32_t
find_key(const struct index *ix, const struct vip_table *t, const char *key)
{
	uint32_t h = hash_str(key);
	size_t pos = h;
	struct slot *s = NULL;

	while ((s = index_scan(ix, h, &pos)) != NULL)
		if (strcmp(t->e[s->val].key, key) == 0)
			return s->val;
	return SLOT_EMPTY;
}

/*
 * Room for @n more entries, @assigned more assignments and @held more
 * held ones, so that put_entry() and set_held() cannot fail.  0 or
 * -ENOMEM.
 */
static int
reserve_entries(struct vip_table *t, size_t n, size_t assigned, size_t held)
{
	struct vip_entry *e = NULL;

	if (t->n + n >= SLOT_EMPTY - 1)
		return -ENOMEM;
	if (t->n + n > t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 16;

		while (cap < t->n + n)
			cap *= 2;
		if (cap > SIZE_MAX / sizeof(*e) ||
		    (e = bigarray_realloc(t->e, cap * sizeof(*e))) == NULL)
			return -ENOMEM;
		t->e = e;
		t->cap = cap;
	}
	if (index_reserve(&t->by_addr, t->by_addr.n + n) < 0 ||
	    (assigned > 0 &&
	     index_reserve(&t->by_key, t->by_key.n + assigned) < 0) ||
	    (held > 0 && index_reserve(&t->by_held, t->by_held.n + held) < 0))
		return -ENOMEM;
	return 0;
}

/*
 * Append an entry with key @k (taken over by the table's ring); room is
 * reserved, in the ring too (keyring_reserve()).
 */
static void
put_entry(struct vip_table *t, const struct netaddr *a, char *k, int held,
	  int64_t until)
{
	struct vip_entry *e = NULL;
	uint32_t idx = (uint32_t)t->n;

	index_put(&t->by_addr, hash_addr(a), idx);
	index_put(held ? &t->by_held : &t->by_key, hash_str(k), idx);
	if (held && until < t->first_until && t->first_until != INT64_MIN)
		t->first_until = until;
	keyring_put(t, k);
	e = &t->e[t->n++];
	memset(e, 0, sizeof(*e));
	e->addr = *a;
	e->key = k;
	e->held = held;
	e->until = held ? until : 0;
	if (held)
		t->nheld++;
	t->stamp = stamp_new();
}

/*
 * Append an entry; @key is copied.  The caller has checked that neither the
 * address nor (for an assignment) the key is there yet.
 */
static int
add_entry(struct vip_table *t, const struct netaddr *a, const char *key,
	  int held, int64_t until)
{
	char *k = NULL;

	if (reserve_entries(t, 1, !held, held) < 0 ||
	    keyring_reserve(t, 1) < 0 || (k = key_new(key)) == NULL)
		return -ENOMEM;
	put_entry(t, a, k, held, until);
	return 0;
}

static struct vip_cursor *
find_cursor(const struct vip_table *t, const char *pool)
{
	size_t i;

	for (i = 0; i < t->nc; i++)
		if (strcmp(t->c[i].pool, pool) == 0)
			return &t->c[i];
	return NULL;
}

static int
add_cursor(struct vip_table *t, const char *pool, const struct netaddr *a)
{
	struct vip_cursor *c = NULL;

	if ((c = realloc(t->c, (t->nc + 1) * sizeof(*c))) == NULL)
		return -ENOMEM;
	t->c = c;
	c = &t->c[t->nc++];
	memset(c, 0, sizeof(*c));
	snprintf(c->pool, sizeof(c->pool), "%s", pool);
	c->next = *a;
	t->stamp = stamp_new();
	return 0;
}

/* Free the entries, their indices and keys, leaving the cursors. */
static void
clear_entries(struct vip_table *t)
{
	keyring_unref(t->ring);
	t->ring = NULL;
	bigarray_free(t->e);
	t->e = NULL;
	t->n = 0;
	t->cap = 0;
	t->nheld = 0;
	t->first_until = INT64_MAX;
	index_clear(&t->by_addr);
	index_clear(&t->by_key);
	index_clear(&t->by_held);
}

/* Take @ns's entries and indices over into @t (whose are freed). */
static void
take_entries(struct vip_table *t, struct vip_table *ns)
{
	clear_entries(t);
	t->e = ns->e;
	t->n = ns->n;
	t->cap = ns->cap;
	t->nheld = ns->nheld;
	t->first_until = ns->first_until;
	t->by_addr = ns->by_addr;
	t->by_key = ns->by_key;
	t->by_held = ns->by_held;
	t->ring = ns->ring;
	ns->ring = NULL;
	memset(&ns->by_addr, 0, sizeof(ns->by_addr));
	memset(&ns->by_key, 0, sizeof(ns->by_key));
	memset(&ns->by_held, 0, sizeof(ns->by_held));
	ns->e = NULL;
	ns->n = 0;
	ns->cap = 0;
	ns->nheld = 0;
	t->stamp = stamp_new();
}

struct vip_table *
vip_table_new(void)
{
	struct vip_table *t = calloc(1, sizeof(struct vip_table));

	if (t != NULL) {
		t->first_until = INT64_MAX;
		t->stamp = stamp_new();
	}
	return t;
}

void
vip_table_free(struct vip_table *t)
{
	if (t == NULL)
		return;
	clear_entries(t);
	free(t->c);
	free(t);
}

size_t
vip_table_keys_kept(const struct vip_table *t)
{
	return t->ring != NULL ? t->ring->total : 0;
}

struct vip_table *
vip_table_clone(const struct vip_table *t)
{
	struct vip_table *c = NULL;
	size_t i;

	if ((c = vip_table_new()) == NULL)
		return NULL;
	if (t->n > 0) {
		/* Room for a round's changes without growing. */
		c->cap = t->n + t->n / 16 + 64;
		if ((c->e = bigarray_alloc(c->cap * sizeof(*c->e))) == NULL)
			goto fail;
		memcpy(c->e, t->e, t->n * sizeof(*c->e));
		c->n = t->n;
	}
	/*
	 * The keys are shared through the rings; a chain that holds more
	 * released keys than live ones, or is long, is left behind: the
	 * clone's own ring gets copies of the live keys.
	 */
	if (t->ring != NULL &&
	    (t->ring->total > 2 * t->n + KEYRING_SLACK ||
	     t->ring->depth >= KEYRING_DEPTH_MAX)) {
		if (keyring_reserve(c, t->n) < 0)
			goto fail;
		for (i = 0; i < t->n; i++) {
			if ((c->e[i].key = key_new(t->e[i].key)) == NULL) {
				c->n = i;	/* the keys the ring has */
				goto fail;
			}
			keyring_put(c, c->e[i].key);
		}
	} else if (t->ring != NULL &&
		   (c->ring = keyring_new(t->ring)) == NULL) {
		goto fail;
	}
	c->nheld = t->nheld;
	c->first_until = t->first_until;
	c->stamp = t->stamp;
	if (index_copy(&c->by_addr, &t->by_addr) < 0 ||
	    index_copy(&c->by_key, &t->by_key) < 0 ||
	    index_copy(&c->by_held, &t->by_held) < 0 ||
	    reserve_entries(c, t->n / 16 + 64, t->n / 16 + 64, 64) < 0)
		goto fail;
	if (t->nc > 0) {
		if ((c->c = malloc(t->nc * sizeof(*c->c))) == NULL)
			goto fail;
		memcpy(c->c, t->c, t->nc * sizeof(*c->c));
		c->nc = t->nc;
	}
	return c;
fail:
	vip_table_free(c);
	return NULL;
}

int
vip_table_equal(const struct vip_table *a, const struct vip_table *b)
{
	size_t i;

	if (a->stamp == b->stamp)
		return 1;
	if (a->n != b->n || a->nheld != b->nheld || a->nc != b->nc)
		return 0;
	for (i = 0; i < a->n; i++) {
		const struct vip_entry *x = &a->e[i];
		uint32_t j = find_addr(b, &x->addr);
		const struct vip_entry *y = NULL;

		if (j == SLOT_EMPTY)
			return 0;
		y = &b->e[j];
		if (x->held != y->held || x->until != y->until ||
		    strcmp(x->key, y->key) != 0)
			return 0;
	}
	for (i = 0; i < a->nc; i++) {
		const struct vip_cursor *y = find_cursor(b, a->c[i].pool);

		if (y == NULL || !netaddr_equal(&y->next, &a->c[i].next))
			return 0;
	}
	return 1;
}

/*
 * In-place changes, for a round that changes a few entries of a large
 * table: an entry removed (the last one takes its place), a held entry
 * made an assignment and back.  The caller has reserved room in the
 * indices.
 */
static void
remove_entry(struct vip_table *t, uint32_t i)
{
	struct vip_entry *e = &t->e[i];
	uint32_t last = (uint32_t)t->n - 1;
	struct slot *sl = NULL;

	if ((sl = index_slot(&t->by_addr, hash_addr(&e->addr), i)) != NULL)
		index_remove(&t->by_addr, sl);
	sl = index_slot(e->held ? &t->by_held : &t->by_key, hash_str(e->key),
			i);
	if (sl != NULL)
		index_remove(e->held ? &t->by_held : &t->by_key, sl);
	if (e->held) {
		t->nheld--;
		if (e->until <= t->first_until)
			t->first_until = INT64_MIN;	/* recomputed */
	}
	/* Its key stays in its ring: a clone may have it too. */
	if (i != last) {
		const struct vip_entry *m = &t->e[last];

		if ((sl = index_slot(&t->by_addr, hash_addr(&m->addr),
				     last)) != NULL)
			sl->val = i;
		if ((sl = index_slot(m->held ? &t->by_held : &t->by_key,
				     hash_str(m->key), last)) != NULL)
			sl->val = i;
		*e = *m;
	}
	t->n--;
}

/* Make entry @i held until @until (1) or an assignment (0). */
static void
set_held(struct vip_table *t, uint32_t i, int held, int64_t until)
{
	struct vip_entry *e = &t->e[i];
	uint32_t h = hash_str(e->key);
	struct slot *sl = NULL;

	sl = index_slot(e->held ? &t->by_held : &t->by_key, h, i);
	if (sl != NULL)
		index_remove(e->held ? &t->by_held : &t->by_key, sl);
	if (e->held) {
		t->nheld--;
		if (e->until <= t->first_until)
			t->first_until = INT64_MIN;
	}
	e->held = held;
	e->until = held ? until : 0;
	index_put(held ? &t->by_held : &t->by_key, h, i);
	if (held) {
		t->nheld++;
		if (t->first_until != INT64_MIN && until < t->first_until)
			t->first_until = until;
	}
}

/* After in-place changes: the smallest "until" again, when unknown. */
static void
first_until_fix(struct vip_table *t)
{
	size_t i;

	if (t->first_until != INT64_MIN)
		return;
	t->first_until = INT64_MAX;
	for (i = 0; i < t->n; i++)
		if (t->e[i].held && t->e[i].until < t->first_until)
			t->first_until = t->e[i].until;
}

static int
cmp_u32_desc(const void *x, const void *y)
{
	uint32_t a = *(const uint32_t *)x;
	uint32_t b = *(const uint32_t *)y;

	return a < b ? 1 : a > b ? -1 : 0;
}

/* Remove the entries @v (any order, repeats allowed). */
static void
remove_entries(struct vip_table *t, uint32_t *v, size_t n)
{
	size_t i;

	/* From the last: the entry that moves into a hole is never one. */
	qsort(v, n, sizeof(*v), cmp_u32_desc);
	for (i = 0; i < n; i++)
		if (i == 0 || v[i] != v[i - 1])
			remove_entry(t, v[i]);
}

int
vip_release(struct vip_table *t, const char *const *keys, size_t nkeys,
	    int64_t now, int64_t hold)
{
	uint32_t *drop = NULL;
	size_t ndrop = 0;
	int64_t until;
	size_t i;

	if (hold < 0)
		hold = 0;
	until = now > INT64_MAX - hold ? INT64_MAX : now + hold;
	if ((drop = calloc(nkeys + 1, sizeof(*drop))) == NULL ||
	    index_reserve(&t->by_held, t->by_held.n + nkeys) < 0) {
		free(drop);
		return -ENOMEM;
	}
	for (i = 0; i < nkeys; i++) {
		uint32_t j = find_key(&t->by_key, t, keys[i]);

		if (j == SLOT_EMPTY)
			continue;
		if (until > now)
			set_held(t, j, 1, until);
		else
			drop[ndrop++] = j;
	}
	remove_entries(t, drop, ndrop);
	first_until_fix(t);
	t->stamp = stamp_new();
	free(drop);
	return 0;
}

size_t
vip_table_assigned(const struct vip_table *t)
{
	return t->n - t->nheld;
}

size_t
vip_table_held(const struct vip_table *t)
{
	return t->nheld;
}

int64_t
vip_table_first_expiry(const struct vip_table *t)
{
	return t->first_until;
}

/* Reading and rebuilding, for the state file */

size_t
vip_table_nentries(const struct vip_table *t)
{
	return t->n;
}

const struct vip_entry *
vip_table_entry(const struct vip_table *t, size_t i)
{
	return &t->e[i];
}

size_t
vip_table_ncursors(const struct vip_table *t)
{
	return t->nc;
}

const struct vip_cursor *
vip_table_cursor(const struct vip_table *t, size_t i)
{
	return &t->c[i];
}

const struct vip_entry *
vip_table_find_addr(const struct vip_table *t, const struct netaddr *addr)
{
	uint32_t i = find_addr(t, addr);

	return i == SLOT_EMPTY ? NULL : &t->e[i];
}

const struct vip_entry *
vip_table_find_key(const struct vip_table *t, const char *key)
{
	uint32_t i = find_key(&t->by_key, t, key);

	return i == SLOT_EMPTY ? NULL : &t->e[i];
}

const struct vip_cursor *
vip_table_find_cursor(const struct vip_table *t, const char *pool)
{
	return find_cursor(t, pool);
}

int
vip_table_reserve(struct vip_table *t, size_t n)
{
	if (index_reserve(&t->by_addr, n) < 0 ||
	    index_reserve(&t->by_key, n) < 0)
		return -ENOMEM;
	return 0;
}

int
vip_table_add(struct vip_table *t, const struct netaddr *addr,
	      const char *key, int held, int64_t until)
{
	if (!netaddr_is_set(addr) || !vip_word_ok(key))
		return -EINVAL;
	if (find_addr(t, addr) != SLOT_EMPTY ||
	    (!held && find_key(&t->by_key, t, key) != SLOT_EMPTY))
		return -EEXIST;
	return add_entry(t, addr, key, held != 0, until);
}

int
vip_table_add_cursor(struct vip_table *t, const struct netaddr_cidr *pool,
		     const struct netaddr *next)
{
	if (!pool_ok(pool) || !netaddr_cidr_contains(pool, next))
		return -EINVAL;
	if (find_cursor(t, pool->text) != NULL)
		return -EEXIST;
	return add_cursor(t, pool->text, next);
}

int
vip_table_remove(struct vip_table *t, const struct netaddr *addr)
{
	uint32_t i = find_addr(t, addr);

	if (i == SLOT_EMPTY)
		return -ENOENT;
	remove_entry(t, i);
	first_until_fix(t);
	t->stamp = stamp_new();
	return 0;
}

int
vip_table_remove_cursor(struct vip_table *t, const char *pool)
{
	struct vip_cursor *c = find_cursor(t, pool);

	if (c == NULL)
		return -ENOENT;
	*c = t->c[--t->nc];
	t->stamp = stamp_new();
	return 0;
}

/* Allocation */

/* Per pool in a round: the range, where the search is, whether full. */
struct scan {
	size_t canon;		/* first pool with the same CIDR text */
	int started;
	int moved;
	int full;
	struct netaddr lo;
	struct netaddr hi;
	struct netaddr cur;
};

/* The request of @key in the round, or SLOT_EMPTY. */
static uint32_t
find_request(const struct index *ix, const struct vip_request *reqs,
	     const char *key)
{
	uint32_t h = hash_str(key);
	size_t pos = h;
	struct slot *s = NULL;

	while ((s = index_scan(ix, h, &pos)) != NULL)
		if (strcmp(reqs[s->val].key, key) == 0)
			return s->val;
	return SLOT_EMPTY;
}

/*
 * Index the held entries of @old not yet used, one per key: the latest
 * released (the greatest "until"), then the lowest address.
 */
static int
index_held(struct index *ix, const struct vip_table *old,
	   const unsigned char *used)
{
	size_t i;
	int rc;

	for (i = 0; i < old->n; i++) {
		const struct vip_entry *e = &old->e[i];
		uint32_t h;
		size_t pos;
		struct slot *s = NULL;

		if (!e->held || used[i])
			continue;
		h = hash_str(e->key);
		pos = h;
		while ((s = index_scan(ix, h, &pos)) != NULL)
			if (strcmp(old->e[s->val].key, e->key) == 0)
				break;
		if (s == NULL) {
			if ((rc = index_insert(ix, h, (uint32_t)i)) < 0)
				return rc;
			continue;
		}
		if (e->until > old->e[s->val].until ||
		    (e->until == old->e[s->val].until &&
		     netaddr_cmp(&e->addr, &old->e[s->val].addr) < 0))
			s->val = (uint32_t)i;
	}
	return 0;
}

/* Next-fit in @sc's pool of @ns; 0 with *out, or -ENOSPC. */
static int
next_fit(struct scan *sc, const struct vip_table *ns, struct netaddr *out)
{
	struct netaddr start;

	if (sc->full)
		return -ENOSPC;
	start = sc->cur;
	for (;;) {
		struct netaddr a = sc->cur;

		if (netaddr_equal(&sc->cur, &sc->hi))
			sc->cur = sc->lo;
		else
			addr_inc(&sc->cur);
		if (find_addr(ns, &a) == SLOT_EMPTY) {
			*out = a;
			sc->moved = 1;
			return 0;
		}
		if (netaddr_equal(&sc->cur, &start))
			break;
	}
	sc->full = 1;
	return -ENOSPC;
}

static void
scan_start(struct scan *sc, const struct netaddr_cidr *p,
	   const struct vip_table *t)
{
	const struct vip_cursor *c = find_cursor(t, p->text);

	pool_range(p, &sc->lo, &sc->hi);
	sc->cur = sc->lo;
	if (c != NULL && c->next.family == sc->lo.family &&
	    netaddr_cmp(&c->next, &sc->lo) >= 0 &&
	    netaddr_cmp(&c->next, &sc->hi) <= 0)
		sc->cur = c->next;
	sc->started = 1;
}

/* Move the cursors of the pools searched; room for them is there. */
static void
commit_cursors(struct vip_table *t, const struct netaddr_cidr *pools,
	       size_t npools, const struct scan *sc)
{
	struct vip_cursor *c = NULL;
	size_t k;

	for (k = 0; k < npools; k++) {
		if (!sc[k].moved)
			continue;
		if ((c = find_cursor(t, pools[k].text)) == NULL) {
			c = &t->c[t->nc++];
			memset(c, 0, sizeof(*c));
			snprintf(c->pool, sizeof(c->pool), "%s", pools[k].text);
		}
		c->next = sc[k].cur;
	}
}

/* The request of this round that pins @a, or SLOT_EMPTY. */
static uint32_t
find_pin(const struct index *ix, const struct vip_request *reqs,
	 const struct netaddr *a)
{
	uint32_t h = hash_addr(a);
	size_t pos = h;
	struct slot *s = NULL;

	while ((s = index_scan(ix, h, &pos)) != NULL)
		if (netaddr_equal(reqs[s->val].pinned, a))
			return s->val;
	return SLOT_EMPTY;
}

/*
 * vip_allocate() without releasing: the same six steps, as changes to
 * @t in place (decided first on @t as it is, then made), so that a
 * round of a few requests costs what they do, not what the table
 * holds.  Every allocation is made before @t is touched.
 */
static int
allocate_in_place(struct vip_table *t, const struct netaddr_cidr *pools,
		  size_t npools, const struct vip_request *reqs, size_t nreqs,
		  struct vip_result *results, int64_t now, int64_t until,
		  unsigned char *used, unsigned char *done, struct scan *sc)
{
	struct index pins;
	char **keys = NULL;	/* per request, the table's copy */
	uint32_t *drop = NULL;
	uint32_t *conv = NULL;	/* held -> assigned */
	uint32_t *tohold = NULL;	/* assigned -> held */
	size_t *addpin = NULL;	/* requests whose pin is a new entry */
	size_t ndrop = 0;
	size_t nconv = 0;
	size_t ntohold = 0;
	size_t nadd = 0;
	struct vip_cursor *c = NULL;
	size_t i;
	size_t k;
	int rc = -ENOMEM;

	memset(&pins, 0, sizeof(pins));
	keys = calloc(nreqs + 1, sizeof(*keys));
	drop = calloc(2 * nreqs + 1, sizeof(*drop));
	conv = calloc(nreqs + 1, sizeof(*conv));
	tohold = calloc(nreqs + 1, sizeof(*tohold));
	addpin = calloc(nreqs + 1, sizeof(*addpin));
	if (keys == NULL || drop == NULL || conv == NULL || tohold == NULL ||
	    addpin == NULL || index_reserve(&pins, nreqs) < 0 ||
	    reserve_entries(t, nreqs, 2 * nreqs, nreqs) < 0 ||
	    keyring_reserve(t, nreqs) < 0)
		goto out;
	for (i = 0; i < nreqs; i++)
		if ((keys[i] = key_new(reqs[i].key)) == NULL)
			goto out;
	c = realloc(t->c, (t->nc + npools + 1) * sizeof(*c));
	if (c == NULL)
		goto out;
	t->c = c;

	/* 1. Pinned addresses, first come first served. */
	for (i = 0; i < nreqs; i++) {
		const struct netaddr *pin = reqs[i].pinned;
		uint32_t j;

		if (pin == NULL)
			continue;
		done[i] = 1;
		if (find_pin(&pins, reqs, pin) != SLOT_EMPTY) {
			results[i].status = -EEXIST;	/* .other below */
			continue;
		}
		index_put(&pins, hash_addr(pin), (uint32_t)i);
		results[i].addr = *pin;
		j = find_addr(t, pin);
		if (j != SLOT_EMPTY) {
			used[j] = 1;
			/* Its own assignment already: it stays. */
			if (!t->e[j].held &&
			    strcmp(t->e[j].key, reqs[i].key) == 0)
				continue;
			drop[ndrop++] = j;
		}
		addpin[nadd++] = i;
	}

	/* 2. Existing assignments stay. */
	for (i = 0; i < nreqs; i++) {
		uint32_t j;

		if (done[i])
			continue;
		j = find_key(&t->by_key, t, reqs[i].key);
		if (j == SLOT_EMPTY || used[j])
			continue;
		used[j] = 1;
		done[i] = 1;
		results[i].addr = t->e[j].addr;
	}

	/*
	 * 3. A service that comes back gets its held-back VIP again: the
	 * latest released, then the lowest address.
	 */
	for (i = 0; i < nreqs; i++) {
		uint32_t h = hash_str(reqs[i].key);
		uint32_t best = SLOT_EMPTY;
		size_t pos = h;
		struct slot *s = NULL;

		if (done[i])
			continue;
		while ((s = index_scan(&t->by_held, h, &pos)) != NULL) {
			const struct vip_entry *e = &t->e[s->val];

			if (used[s->val] || strcmp(e->key, reqs[i].key) != 0)
				continue;
			if (best == SLOT_EMPTY || e->until > t->e[best].until ||
			    (e->until == t->e[best].until &&
			     netaddr_cmp(&e->addr, &t->e[best].addr) < 0))
				best = s->val;
		}
		if (best == SLOT_EMPTY)
			continue;
		used[best] = 1;
		done[i] = 1;
		results[i].addr = t->e[best].addr;
		conv[nconv++] = best;
	}

	/*
	 * 4. The assignments of services that are here but lost them (a
	 * new pinned address, or a contested one) are held back for them;
	 * those of services not asking stay (nothing is released).
	 */
	for (i = 0; i < nreqs; i++) {
		uint32_t j = find_key(&t->by_key, t, reqs[i].key);

		if (j == SLOT_EMPTY || used[j])
			continue;
		used[j] = 1;
		if (until > now)
			tohold[ntohold++] = j;
		else
			drop[ndrop++] = j;
	}

	/* 5. Held-back entries whose time has passed. */
	if (t->first_until <= now) {
		uint32_t *v = realloc(drop, (ndrop + t->nheld + 1) *
				      sizeof(*v));

		if (v == NULL)
			goto out;
		drop = v;
	}
	if (t->first_until <= now)
		for (i = 0; i < t->n; i++)
			if (!used[i] && t->e[i].held && t->e[i].until <= now)
				drop[ndrop++] = (uint32_t)i;

	/* Make the changes (nothing fails from here on). */
	for (i = 0; i < nconv; i++)
		set_held(t, conv[i], 0, 0);
	for (i = 0; i < ntohold; i++)
		set_held(t, tohold[i], 1, until);
	remove_entries(t, drop, ndrop);
	for (i = 0; i < nadd; i++) {
		put_entry(t, reqs[addpin[i]].pinned, keys[addpin[i]], 0, 0);
		keys[addpin[i]] = NULL;
	}

	/* 6. Everyone else: next-fit from the pool's cursor. */
	for (i = 0; i < nreqs; i++) {
		struct scan *s = NULL;
		struct netaddr a;

		if (done[i])
			continue;
		k = sc[reqs[i].pool].canon;
		s = &sc[k];
		if (!s->started)
			scan_start(s, &pools[k], t);
		if (next_fit(s, t, &a) < 0) {
			results[i].status = -ENOSPC;
			continue;
		}
		put_entry(t, &a, keys[i], 0, 0);
		keys[i] = NULL;
		results[i].addr = a;
	}
	for (i = 0; i < nreqs; i++)
		if (results[i].status == -EEXIST)
			results[i].other = t->e[find_addr(t,
					reqs[i].pinned)].key;
	commit_cursors(t, pools, npools, sc);
	first_until_fix(t);
	t->stamp = stamp_new();
	rc = 0;
out:
	for (i = 0; keys != NULL && i < nreqs; i++)
		free(keys[i]);	/* not given to the ring */
	free(keys);
	free(drop);
	free(conv);
	free(tohold);
	free(addpin);
	index_clear(&pins);
	return rc;
}

int
vip_allocate(struct vip_table *t, const struct netaddr_cidr *pools,
	     size_t npools, const struct vip_request *reqs, size_t nreqs,
	     struct vip_result *results, int64_t now, int64_t hold,
	     int release)
{
	struct vip_table ns;
	struct index byreq;
	struct index heldkey;
	struct scan *sc = NULL;
	unsigned char *used = NULL;	/* per old entry: carried or dropped */
	unsigned char *done = NULL;	/* per request: result decided */
	struct vip_cursor *c = NULL;
	size_t ncursors;
	int64_t until;
	size_t i;
	size_t k;
	int rc = -ENOMEM;

	memset(&ns, 0, sizeof(ns));
	ns.first_until = INT64_MAX;
	memset(&byreq, 0, sizeof(byreq));
	memset(&heldkey, 0, sizeof(heldkey));

	for (k = 0; k < npools; k++)
		if (!pool_ok(&pools[k]))
			return -EINVAL;
	if (index_reserve(&byreq, nreqs) < 0)
		goto out;
	for (i = 0; i < nreqs; i++) {
		if (i >= SLOT_EMPTY || !vip_word_ok(reqs[i].key) ||
		    reqs[i].pool >= npools ||
		    (reqs[i].pinned != NULL &&
		     !netaddr_is_set(reqs[i].pinned)) ||
		    find_request(&byreq, reqs, reqs[i].key) != SLOT_EMPTY) {
			rc = -EINVAL;
			goto out;
		}
		if (index_insert(&byreq, hash_str(reqs[i].key),
				 (uint32_t)i) < 0)
			goto out;
	}
	for (i = 0; i < nreqs; i++)
		memset(&results[i], 0, sizeof(results[i]));

	if (hold < 0)
		hold = 0;
	until = now > INT64_MAX - hold ? INT64_MAX : now + hold;
	used = calloc(t->n + 1, 1);
	done = calloc(nreqs + 1, 1);
	sc = calloc(npools + 1, sizeof(*sc));
	if (used == NULL || done == NULL || sc == NULL)
		goto out;
	for (k = 0; k < npools; k++) {
		size_t m;

		sc[k].canon = k;
		for (m = 0; m < k; m++) {
			if (strcmp(pools[m].text, pools[k].text) == 0) {
				sc[k].canon = m;
				break;
			}
		}
	}
	/* Nothing released: a few changes to the table as it is. */
	if (!release) {
		rc = allocate_in_place(t, pools, npools, reqs, nreqs, results,
				       now, until, used, done, sc);
		goto out;
	}
	if (index_reserve(&ns.by_addr, t->n + nreqs) < 0 ||
	    index_reserve(&ns.by_key, t->n + nreqs) < 0)
		goto out;

	/* 1. Pinned addresses, first come first served. */
	for (i = 0; i < nreqs; i++) {
		const struct netaddr *pin = reqs[i].pinned;
		uint32_t j;

		if (pin == NULL)
			continue;
		done[i] = 1;
		if ((j = find_addr(&ns, pin)) != SLOT_EMPTY) {
			results[i].status = -EEXIST;
			/* The key strings live as long as the entries. */
			results[i].other = ns.e[j].key;
			continue;
		}
		if (add_entry(&ns, pin, reqs[i].key, 0, 0) < 0)
			goto out;
		results[i].addr = *pin;
		/* Whoever had it, assigned or held, loses it. */
		if ((j = find_addr(t, pin)) != SLOT_EMPTY)
			used[j] = 1;
	}

	/* 2. Existing assignments stay. */
	for (i = 0; i < nreqs; i++) {
		uint32_t j;

		if (done[i])
			continue;
		j = find_key(&t->by_key, t, reqs[i].key);
		if (j == SLOT_EMPTY || used[j])
			continue;
		if (add_entry(&ns, &t->e[j].addr, reqs[i].key, 0, 0) < 0)
			goto out;
		used[j] = 1;
		done[i] = 1;
		results[i].addr = t->e[j].addr;
	}

	/* 3. A service that comes back gets its held-back VIP again. */
	if (index_held(&heldkey, t, used) < 0)
		goto out;
	for (i = 0; i < nreqs; i++) {
		uint32_t j;

		if (done[i])
			continue;
		j = find_key(&heldkey, t, reqs[i].key);
		if (j == SLOT_EMPTY || used[j])
			continue;
		if (add_entry(&ns, &t->e[j].addr, reqs[i].key, 0, 0) < 0)
			goto out;
		used[j] = 1;
		done[i] = 1;
		results[i].addr = t->e[j].addr;
	}

	/*
	 * 4. Assignments left over: their service is gone, or it is here
	 * with a new pinned address (or lost a contested one).  A gone
	 * service keeps its VIP when nothing may be released; otherwise
	 * the VIP is held back for its key.
	 */
	for (i = 0; i < t->n; i++) {
		const struct vip_entry *e = &t->e[i];
		int keep;

		if (used[i] || e->held)
			continue;
		used[i] = 1;
		keep = !release &&
		       find_request(&byreq, reqs, e->key) == SLOT_EMPTY;
		if (keep && add_entry(&ns, &e->addr, e->key, 0, 0) < 0)
			goto out;
		if (!keep && until > now &&
		    add_entry(&ns, &e->addr, e->key, 1, until) < 0)
			goto out;
	}

	/* 5. Held-back entries until their time has passed. */
	for (i = 0; i < t->n; i++) {
		const struct vip_entry *e = &t->e[i];

		if (used[i] || !e->held || e->until <= now)
			continue;
		if (add_entry(&ns, &e->addr, e->key, 1, e->until) < 0)
			goto out;
	}

	/* 6. Everyone else: next-fit from the pool's cursor. */
	for (i = 0; i < nreqs; i++) {
		struct scan *s = NULL;
		struct netaddr a;

		if (done[i])
			continue;
		k = sc[reqs[i].pool].canon;
		s = &sc[k];
		if (!s->started)
			scan_start(s, &pools[k], t);
		if (next_fit(s, &ns, &a) < 0) {
			results[i].status = -ENOSPC;
			continue;
		}
		if (add_entry(&ns, &a, reqs[i].key, 0, 0) < 0)
			goto out;
		results[i].addr = a;
	}

	/* Commit: nothing below may fail once the entries are swapped. */
	ncursors = t->nc;
	for (k = 0; k < npools; k++)
		if (sc[k].moved && find_cursor(t, pools[k].text) == NULL)
			ncursors++;
	if (ncursors > t->nc) {
		if ((c = realloc(t->c, ncursors * sizeof(*c))) == NULL)
			goto out;
		t->c = c;
	}
	commit_cursors(t, pools, npools, sc);
	take_entries(t, &ns);
	rc = 0;
out:
	clear_entries(&ns);
	index_clear(&byreq);
	index_clear(&heldkey);
	free(used);
	free(done);
	free(sc);
	return rc;
}
