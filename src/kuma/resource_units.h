/* SPDX-License-Identifier: MIT */
/*
 * resource_units.h -- a resource set made of units that can be replaced
 * one at a time.
 *
 * A unit is what one input contributes: the resources read from one file,
 * or from one row of a store.  Each has a key ("zones/a.yaml", or
 * "MeshService/default/redis") and a group (the index of the -r path it
 * was found under, or one number per source); units are ordered by group,
 * then by key compared component by component ('/' separates them, each
 * compared bytewise).  For files that is the order resource_set_load_path()
 * reads them in (a directory's entries in name order, a subdirectory's
 * files at its name's place), so a view of units read from paths 0..n-1 is
 * the set a full read of those paths gives: the same resources in the same
 * order, hence after resource_set_finish() the same duplicates reported,
 * the same order and the same meta.seq.
 *
 * A unit holds its own set (resource_set_new(), read with
 * resource_set_load_string() for a store row).  Replacing or removing a
 * unit frees (or, while a view still borrows it, releases) only that set;
 * nothing else is read or copied.  A view (resource_units_view()) is a set
 * for one build: its arrays hold shallow copies of every unit's resources
 * (pointers to their strings, labels and YAML, which the view keeps alive
 * by holding a reference to each unit's set), so it costs one array of
 * structs and no string copy; it may be finished, checked and sorted like
 * any set, and freed with resource_set_free() at any time, on any thread,
 * whatever happened to the units since.
 *
 * The labels Kuma's zone control plane computes
 * (resource_set_compute_labels()) are computed in each unit as it is put,
 * for the units' zone; a view leaves them as they are.
 *
 * Replacing a unit says what changed: the identity (kind, mesh,
 * namespace, name) of each resource added, removed or changed, comparing
 * the parsed content (meta.digest), not the bytes: a comment, a moved key
 * or a re-indented file changes nothing.  A resource whose order among
 * its kind in the unit changed is reported changed (without creation
 * times, input order decides, e.g. which Dataplane is first).  The list
 * names identities, not resources: an identity another unit also defines
 * (a duplicate) may still be served after this unit's copy is removed, so
 * a consumer looks each identity up in the next view.
 *
 * Not thread-safe: one thread at a time uses a struct resource_units; the
 * views it made may be used and freed anywhere.
 */
#ifndef MESHDNS_RESOURCE_UNITS_H
#define MESHDNS_RESOURCE_UNITS_H

#include <stddef.h>
#include <stdint.h>

#include "kuma/resource.h"
#include "util/diag.h"

struct resource_units;

enum resource_change_op {
	RESOURCE_ADDED = 0,
	RESOURCE_REMOVED,
	RESOURCE_CHANGED,
};

struct resource_change {
	enum resource_change_op op;
	enum resource_kind kind;
	char *mesh;		/* NULL for kinds without a mesh */
	char *namespace;	/* NULL unless Kubernetes-shaped */
	char *name;
};

/* Appended to by the functions below; clear with resource_changes_clear(). */
struct resource_changes {
	struct resource_change *v;
	size_t n;
	size_t cap;
};

void resource_changes_clear(struct resource_changes *c);

/* "added", "removed", "changed". */
const char *resource_change_op_name(enum resource_change_op op);

/*
 * New empty units whose resources get the labels of zone @zone (copied;
 * see resource_set_compute_labels()).  NULL on ENOMEM.
 */
struct resource_units *resource_units_new(const char *zone);

/* Free @u and release every unit (views made from it stay valid). */
void resource_units_free(struct resource_units *u);

/* As resource_set_keep_yaml() and resource_set_skip_file(), for the
 * files the functions below read.  Call before reading. */
void resource_units_keep_yaml(struct resource_units *u, int keep);
void resource_units_skip_file(struct resource_units *u, const char *path);

/*
 * A number the owner attaches to say what the units were read for (the
 * build: a digest of the paths, the zone and the options); 0 when new.
 */
uint64_t resource_units_tag(const struct resource_units *u);
void resource_units_set_tag(struct resource_units *u, uint64_t tag);

/*
 * Make room for @n more units of one resource each (a store's rows at a
 * start), so that putting them grows nothing.  0 or -ENOMEM (nothing
 * lost: the puts grow what they need).
 */
int resource_units_reserve(struct resource_units *u, size_t n);

/* The zone the units' labels are computed for (resource_units_new()). */
const char *resource_units_zone(const struct resource_units *u);

/* How many units there are. */
size_t resource_units_count(const struct resource_units *u);

/*
 * Make @set (which @u takes over, also on failure) unit @key of @group,
 * replacing the unit there; the labels are computed first, unless they
 * were for the units' zone already (resource_set_labels_zone()).  What
 * changed is appended to @changes (NULL: not wanted).  @set must not be
 * finished (resource_set_finish()).  0, -ENOMEM, or -EINVAL (nothing
 * put) for a set whose labels were computed for another zone: they
 * cannot be computed again (the labels a set holds win).
 */
int resource_units_put(struct resource_units *u, size_t group,
		       const char *key, struct resource_set *set,
		       struct resource_changes *changes);

/*
 * Remove unit @key of @group and every unit of @group whose key is under
 * @key ("dir" removes "dir/a.yaml", not "dir2/b.yaml"); its resources are
 * reported removed.  0 (also when there was none) or -ENOMEM.
 */
int resource_units_remove(struct resource_units *u, size_t group,
			  const char *key, struct resource_changes *changes);

/*
 * Read @path (a file, or every *.yaml / *.yml file under a directory) as
 * resource_set_load_path() does, with the same messages in @errs, one unit
 * per file, keyed by the file's path as the walk reaches it ("dir/a.yaml"
 * for -r dir, "dir/sub/b.yaml"), in @group.  A file keeps its valid
 * resources even when others of it are invalid, as a full read does.
 * Returns what resource_set_load_path() would.
 */
int resource_units_load_path(struct resource_units *u, size_t group,
			     const char *path, struct diag_list *errs);

/*
 * Bring the units of @group under @path up to date with the disk, for a
 * path a watcher saw change (@path spelt as the walk spells it; see
 * resource_units_load_path()): a file is read again; a directory is
 * walked, its files read again and the units of files no longer there
 * removed; a path that is gone removes its units (and those under it).
 * A file that reads with any error (YAML syntax, an invalid resource) is
 * not applied: its unit stays as it was, and its messages go to @kept;
 * messages of applied files go to @errs.  A path that cannot be read for
 * another reason (permissions) is reported in @kept and changes nothing.
 * Returns 0 or -ENOMEM.
 */
int resource_units_sync(struct resource_units *u, size_t group,
			const char *path, struct diag_list *errs,
			struct diag_list *kept,
			struct resource_changes *changes);

/*
 * For resource_set_apply() without a view: a new set borrowing the units'
 * resources of the identities @changes name (as resource_set_take() of a
 * view gives them, in another order; the units' labels), found through
 * an index of identities the units keep up to date as they are put and
 * removed: O(changes) and the size of the units that hold them.  Its
 * digest is 0 (resource_units_view()'s is the input's).  0, 1 when the
 * index is unusable (memory ran out while keeping it: take from a view),
 * or -ENOMEM.
 */
int resource_units_take(const struct resource_units *u,
			const struct resource_change *changes,
			size_t nchanges, struct resource_set **items);

/*
 * The digest resource_units_view() gives its set (resource_set_digest()),
 * without making the view: O(units), no resource read.
 */
uint64_t resource_units_digest(const struct resource_units *u);

/*
 * A new set borrowing every unit's resources in unit order (see above),
 * not finished; its digest (resource_set_digest()) chains the digests of
 * the units read from files, in order, as a full read does.  Free it with
 * resource_set_free().  0 or -ENOMEM.
 */
int resource_units_view(const struct resource_units *u,
			struct resource_set **out);

#endif
