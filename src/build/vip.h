/* SPDX-License-Identifier: MIT */
/*
 * vip.h -- VIP pools and stable allocation.
 *
 * A pool is an IPv4 or IPv6 CIDR.  An allocation round (one build) takes the
 * previous table (assignments, held-back addresses and one cursor per pool)
 * and the services that exist now, and:
 *   1. gives every pinned address (status.vips, ClusterIP) to its service;
 *   2. keeps every existing assignment of a service that still exists (even
 *      outside its pool: a VIP never moves on its own);
 *   3. gives a service whose VIP is held back (it was removed recently and
 *      came back) the same VIP again -- also when the hold ran out since
 *      the last round, as nobody else can have had it;
 *   4. moves assignments of services that no longer exist to the held-back
 *      list (until now + hold), unless the round says not to release;
 *   5. forgets held-back entries whose time has passed;
 *   6. gives every other service the next free address of its pool,
 *      next-fit from the pool's persisted cursor, wrapping once.
 * "Free" means assigned to nobody and held back for nobody, across all
 * pools, so overlapping pools never hand out one address twice.  In IPv4
 * pools of /30 and wider the network and broadcast addresses are never
 * given (Kuma gives 241.0.0.0 first; we give 241.0.0.1); /31 and /32 give
 * every address.  IPv6 pools of /126 and wider never give the all-zero
 * address of the prefix (the subnet-router anycast address): fd00::/120
 * gives fd00::1 first and fd00::ff last; /127 and /128 give every address.
 *
 * A key has at most one assignment.  A pinned address is recorded as an
 * assignment whether or not it lies in a pool, and blocks it for everyone
 * else; it is taken from whoever held it (a service without a pin gets a
 * new address in the same round).  When a key's pinned address changes,
 * or its pinned address is refused (-EEXIST), its old address is held back
 * for it.
 *
 * Pure: no I/O, no logging.  The table is part of the persisted state
 * (state.h), which reads and writes it through the vip_table_* functions
 * below.
 */
#ifndef MESHDNS_VIP_H
#define MESHDNS_VIP_H

#include <stddef.h>
#include <stdint.h>

#include "util/netaddr.h"

/*
 * The allocator's tables: every assignment and held-back address, and one
 * cursor per pool.  Opaque; the state (state.h) owns one.
 */
struct vip_table;

/*
 * An empty table (a fresh start), or a deep copy of @t; the caller owns
 * it, free with vip_table_free() (NULL is a no-op).  NULL on ENOMEM.
 */
struct vip_table *vip_table_new(void);
struct vip_table *vip_table_clone(const struct vip_table *t);
void vip_table_free(struct vip_table *t);

/* True when both hold the same entries and cursors. */
int vip_table_equal(const struct vip_table *a, const struct vip_table *b);

/* One service asking for a VIP in an allocation round. */
struct vip_request {
	const char *key;	/* identity, no white space: "MeshService/
				 * default/redis" -- unique in the round */
	size_t pool;		/* index into the pools of the round */
	const struct netaddr *pinned;	/* an address it must have, or NULL */
};

struct vip_result {
	int status;		/* 0: addr is set; -ENOSPC: the pool is full;
				 * -EEXIST: pinned address taken by @other */
	struct netaddr addr;
	const char *other;	/* for -EEXIST: the key holding the address
				 * (borrowed from the table: valid until it
				 * is changed or freed) */
};

/*
 * One allocation round, updating @t in place (use vip_table_clone() first
 * to keep the old one).  @results has @nreqs entries, in request order.
 * Requests are served in order, so the caller's order (Kuma's: creation
 * time, then name) decides who wins a contested pinned address.  @now and
 * @hold are in seconds.  With @release false, services that are gone keep
 * their assignment (a build with errors must not lose VIPs).  A @hold of 0
 * frees released VIPs at once.  Returns 0 (per-request failures are in
 * @results), -EINVAL when a key is empty, has white space or is repeated,
 * a pool index is out of range, or a pool was not made by
 * netaddr_cidr_parse(), or -ENOMEM; on either error @t is unchanged.
 */
int vip_allocate(struct vip_table *t, const struct netaddr_cidr *pools,
		 size_t npools, const struct vip_request *reqs, size_t nreqs,
		 struct vip_result *results, int64_t now, int64_t hold,
		 int release);

/*
 * What vip_allocate() does to the services that are gone, for these
 * @keys only: each one's assignment is held back for it until @now +
 * @hold (dropped at once when @hold is 0); a key without an assignment is
 * ignored.  Nothing else changes: no cursor moves, no held-back entry is
 * forgotten.  An incremental build releases the services a change
 * removed with it, then asks vip_allocate() (with @release false) for the
 * ones it added or changed, and gets what one round over every service
 * gives.  0 or -ENOMEM (then @t is unchanged).
 */
int vip_release(struct vip_table *t, const char *const *keys, size_t nkeys,
		int64_t now, int64_t hold);

/*
 * Key strings @t keeps alive: its entries' and the released ones that
 * the tables it was cloned from had, which its clone shares until a clone
 * copies its live keys instead (at most twice its entries and 1024 more,
 * or after 1024 clones in a chain).  vip_table_clone() copies no key:
 * right after it, the clone keeps what its original keeps.
 */
size_t vip_table_keys_kept(const struct vip_table *t);

/* Number of assignments and of held-back addresses (for logging). */
size_t vip_table_assigned(const struct vip_table *t);
size_t vip_table_held(const struct vip_table *t);

/*
 * When the first held-back address is free again (the smallest "until"),
 * INT64_MAX when none is held.  A build at or after that time may give
 * out addresses that one before it could not.
 */
int64_t vip_table_first_expiry(const struct vip_table *t);

/*
 * Reading and rebuilding a table, for the state file (state.c).
 *
 * An entry is an assignment (@key has @addr) or a held-back address
 * (@addr was released by @key and is given to nobody else before @until,
 * Unix seconds).  An address is in at most one entry; a key has at most
 * one assignment, but may have several held-back addresses.  A cursor is
 * where the next search of a pool (its canonical CIDR text) starts.
 */
struct vip_entry {
	struct netaddr addr;
	char *key;		/* owned by the table: do not change it */
	int held;
	int64_t until;		/* held: free again at this time */
};

struct vip_cursor {
	char pool[64];		/* canonical CIDR text (netaddr_cidr.text) */
	struct netaddr next;	/* where the next search starts */
};

/*
 * The entries and the cursors, in no particular order: @i from 0 to
 * vip_table_nentries() - 1 (vip_table_ncursors() - 1).  The pointers are
 * the table's, valid until it is changed or freed.  The entries are one
 * array: vip_table_entry(t, i) is vip_table_entry(t, 0) + i.  A clone
 * has its original's entries at the same places, with the same key
 * pointers, until either is changed.
 */
size_t vip_table_nentries(const struct vip_table *t);
const struct vip_entry *vip_table_entry(const struct vip_table *t, size_t i);
size_t vip_table_ncursors(const struct vip_table *t);
const struct vip_cursor *vip_table_cursor(const struct vip_table *t,
					  size_t i);

/*
 * The entry, assignment or held, of @addr; the assignment of @key; the
 * cursor of the pool whose canonical text is @pool.  NULL when there is
 * none.  Borrowed, as vip_table_entry().
 */
const struct vip_entry *vip_table_find_addr(const struct vip_table *t,
					    const struct netaddr *addr);
const struct vip_entry *vip_table_find_key(const struct vip_table *t,
					   const char *key);
const struct vip_cursor *vip_table_find_cursor(const struct vip_table *t,
					       const char *pool);

/*
 * Is @s a word a key may be, and the state file can keep as one field:
 * not empty, no white space, no control characters?  1 or 0.
 */
int vip_word_ok(const char *s);

/*
 * Make room for @n entries in all, so that adding that many does not grow
 * the table step by step.  0 or -ENOMEM.
 */
int vip_table_reserve(struct vip_table *t, size_t n);

/*
 * Add an assignment (@held false; @until is ignored) or a held-back
 * address; @key is copied.  Returns 0; -EEXIST when @addr is in the table
 * already or, for an assignment, @key has one; -EINVAL when @addr is not
 * an IPv4 or IPv6 address or @key is empty or has white space or control
 * characters; -ENOMEM.  On error @t is unchanged.
 */
int vip_table_add(struct vip_table *t, const struct netaddr *addr,
		  const char *key, int held, int64_t until);

/*
 * Set the cursor of @pool (made by netaddr_cidr_parse()) to @next.  Returns 0;
 * -EEXIST when @pool has a cursor already; -EINVAL when @pool was not made
 * by netaddr_cidr_parse() or @next is outside it; -ENOMEM.
 */
int vip_table_add_cursor(struct vip_table *t, const struct netaddr_cidr *pool,
			 const struct netaddr *next);

/*
 * Remove the entry of @addr, or the cursor of @pool (its canonical text),
 * for replaying the state journal (state.c).  0, or -ENOENT when there is
 * none (@t is then unchanged).  Pointers from vip_table_entry() and
 * vip_table_cursor() are invalid afterwards.
 */
int vip_table_remove(struct vip_table *t, const struct netaddr *addr);
int vip_table_remove_cursor(struct vip_table *t, const char *pool);

#endif
