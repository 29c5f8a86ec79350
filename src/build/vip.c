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
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "build/vip.h"
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

struct vip_table {
	struct vip_entry *e;
	size_t n;
	size_t cap;
	size_t nheld;
	struct index by_addr;	/* every entry */
	struct index by_key;	/* assignments only */
	struct vip_cursor *c;
	size_t nc;
};

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
	free(ix->s);
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
	if ((s = malloc(size * sizeof(*s))) == NULL)
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
	free(ix->s);
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

static int
index_copy(struct index *dst, const struct index *src)
{
	memset(dst, 0, sizeof(*dst));
	if (src->size == 0)
		return 0;
	if ((dst->s = malloc(src->size * sizeof(*dst->s))) == NULL)
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
 * Append an entry; @key is copied.  The caller has checked that neither the
 * address nor (for an assignment) the key is there yet.
 */
static int
add_entry(struct vip_table *t, const struct netaddr *a, const char *key,
	  int held, int64_t until)
{
	struct vip_entry *e = NULL;
	char *k = NULL;
	uint32_t idx;

	if (t->n >= SLOT_EMPTY - 1)
		return -ENOMEM;
	if (t->n == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 16;

		if (cap > SIZE_MAX / sizeof(*e) ||
		    (e = realloc(t->e, cap * sizeof(*e))) == NULL)
			return -ENOMEM;
		t->e = e;
		t->cap = cap;
	}
	/* Room in both indices first, so that nothing fails half-way. */
	if (index_reserve(&t->by_addr, t->by_addr.n + 1) < 0 ||
	    (!held && index_reserve(&t->by_key, t->by_key.n + 1) < 0))
		return -ENOMEM;
	if ((k = strdup(key)) == NULL)
		return -ENOMEM;
	idx = (uint32_t)t->n;
	index_put(&t->by_addr, hash_addr(a), idx);
	if (!held)
		index_put(&t->by_key, hash_str(key), idx);
	e = &t->e[t->n++];
	memset(e, 0, sizeof(*e));
	e->addr = *a;
	e->key = k;
	e->held = held;
	e->until = held ? until : 0;
	if (held)
		t->nheld++;
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
	return 0;
}

/* Free the entries and their indices, leaving the cursors. */
static void
clear_entries(struct vip_table *t)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		free(t->e[i].key);
	free(t->e);
	t->e = NULL;
	t->n = 0;
	t->cap = 0;
	t->nheld = 0;
	index_clear(&t->by_addr);
	index_clear(&t->by_key);
}

struct vip_table *
vip_table_new(void)
{
	return calloc(1, sizeof(struct vip_table));
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

struct vip_table *
vip_table_clone(const struct vip_table *t)
{
	struct vip_table *c = NULL;
	size_t i;

	if ((c = vip_table_new()) == NULL)
		return NULL;
	if (t->n > 0) {
		if ((c->e = calloc(t->n, sizeof(*c->e))) == NULL)
			goto fail;
		c->cap = t->n;
		for (i = 0; i < t->n; i++) {
			c->e[i] = t->e[i];
			c->e[i].key = NULL;
			if ((c->e[i].key = strdup(t->e[i].key)) == NULL)
				goto fail;
			c->n = i + 1;
		}
	}
	c->nheld = t->nheld;
	if (index_copy(&c->by_addr, &t->by_addr) < 0 ||
	    index_copy(&c->by_key, &t->by_key) < 0)
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

int
vip_release(struct vip_table *t, const char *const *keys, size_t nkeys,
	    int64_t now, int64_t hold)
{
	struct vip_table ns;
	unsigned char *drop = NULL;
	int64_t until;
	size_t i;
	int rc = -ENOMEM;

	memset(&ns, 0, sizeof(ns));
	if (hold < 0)
		hold = 0;
	until = now > INT64_MAX - hold ? INT64_MAX : now + hold;
	if ((drop = calloc(t->n + 1, 1)) == NULL)
		goto out;
	for (i = 0; i < nkeys; i++) {
		uint32_t j = find_key(&t->by_key, t, keys[i]);

		if (j != SLOT_EMPTY)
			drop[j] = 1;
	}
	if (index_reserve(&ns.by_addr, t->n) < 0 ||
	    index_reserve(&ns.by_key, t->n) < 0)
		goto out;
	for (i = 0; i < t->n; i++) {
		const struct vip_entry *e = &t->e[i];

		if (!drop[i]) {
			if (add_entry(&ns, &e->addr, e->key, e->held,
				      e->until) < 0)
				goto out;
		} else if (until > now &&
			   add_entry(&ns, &e->addr, e->key, 1, until) < 0) {
			goto out;
		}
	}
	clear_entries(t);
	t->e = ns.e;
	t->n = ns.n;
	t->cap = ns.cap;
	t->nheld = ns.nheld;
	t->by_addr = ns.by_addr;
	t->by_key = ns.by_key;
	memset(&ns, 0, sizeof(ns));
	rc = 0;
out:
	clear_entries(&ns);
	free(drop);
	return rc;
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
	int64_t first = INT64_MAX;
	size_t i;

	for (i = 0; i < t->n; i++)
		if (t->e[i].held && t->e[i].until < first)
			first = t->e[i].until;
	return first;
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
	clear_entries(t);
	t->e = ns.e;
	t->n = ns.n;
	t->cap = ns.cap;
	t->nheld = ns.nheld;
	t->by_addr = ns.by_addr;
	t->by_key = ns.by_key;
	memset(&ns, 0, sizeof(ns));
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
