/* SPDX-License-Identifier: MIT */
/*
 * resource_int.h -- what the files of the resource module share: the
 * set's private part, the reader's context and the field readers.
 *
 * Only src/kuma/resource*.c include this; everything else uses
 * resource.h.
 *
 * Helpers used across the files are named after the file that defines
 * them (resource_set_array() in resource.c, resource_read_text() in
 * resource_read.c, resource_mesh_parse_service() in resource_mesh.c),
 * except the field readers of resource_read.c (err_at, get, want_str,
 * ...): they are the vocabulary every parser is written in, and are
 * documented where they are defined.  Most return 0, -1 once the
 * problem is reported through err_at(), or -ENOMEM.
 */
#ifndef MESHDNS_RESOURCE_INT_H
#define MESHDNS_RESOURCE_INT_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "kuma/resource.h"
#include "kuma/resource_units.h"

/*
 * The identities of one kind of a finished set: open addressing on the
 * hash of (mesh, namespace, name) (0: an empty slot), each with the
 * creation time, so that a binary search of the sorted array finds the
 * resource.  Entries of resources since removed may stay (a lookup
 * checks what it finds); @used counts every entry.
 */
struct resource_index_ent {
	uint64_t h;
	int64_t creation_ns;
};

struct resource_index {
	struct resource_index_ent *v;
	size_t size;		/* a power of two, or 0 */
	size_t used;
};

/*
 * Sets held in a block that the borrowing sets of a chain of applies
 * share (resource_set_apply()): a set holds one reference to the newest
 * block of its chain; a block holds a reference to each of its @v and to
 * the @next (older) block.  An apply so shares what the previous set
 * holds (the units' sets: 100,000 at 100,000 store rows) at the cost of
 * one reference, instead of one per set held.  Made by
 * resource_held_new(), dropped by resource_held_unref() (the last frees
 * the block and drops its references, older blocks included).
 */
struct held_block {
	_Atomic size_t refs;
	struct held_block *next;
	size_t n;
	struct resource_set *v[];
};

struct set_priv {
	size_t caps[RESOURCE_KIND_COUNT];	/* capacity of each kind's array */
	struct yamlx_stream **streams;
	size_t nstreams;
	size_t streams_cap;
	int drop_yaml;		/* resource_set_keep_yaml(set, 0) */
	char **files;		/* file names, when the streams are dropped */
	size_t nfiles;
	size_t files_cap;
	uint64_t digest;	/* of the files read: resource_set_digest() */
	int skip;		/* resource_set_skip_file(): skip_dev and */
	dev_t skip_dev;		/* skip_ino are a file walks leave out */
	ino_t skip_ino;
	/*
	 * Sets shared between resource units and the sets that borrow
	 * them (resource_units.h): @refs holders (1 from
	 * resource_set_new()); resource_set_free() drops one and frees at
	 * the last.  A borrowing set (@borrowed) holds shallow copies of
	 * the resources of the sets in @held and @chain (meta.borrowed)
	 * and owns none of what they point to: clearing one of those does
	 * nothing; resources added to it later are its own.
	 */
	_Atomic size_t refs;
	int borrowed;
	/*
	 * A borrowing set whose every element is borrowed (set where such
	 * a set is made: resource_set_apply(), the takes, a view): freeing
	 * it clears none, and an apply from it marks none, so neither walks
	 * its elements (100,000 cache misses at 100,000 services).  Any
	 * element added later (resource_set_array_add()) clears it.
	 */
	int all_borrowed;
	struct resource_set **held;	/* its own references */
	size_t nheld;
	struct held_block *chain;	/* shared ones, or NULL */
	size_t chained;			/* sets in @chain, all blocks */
	/*
	 * A finished set (resource_set_finish(), resource_set_apply()):
	 * per kind, its identities' index; @dropped: finish or
	 * check_meshes left a resource out (errors: no apply from it);
	 * @checked: check_meshes ran; @zone: the labels' zone
	 * (compute_labels); @base_held: held sets when the chain of
	 * applies began (resource_set_apply() compacts past it).
	 */
	struct resource_index ix[RESOURCE_KIND_COUNT];
	/*
	 * resource_set_keys(): per kind, @nkeys[k] keys of the array whose
	 * base was @keys_base[k] (bigarray), made by resource_set_apply();
	 * resource_set_keys_drop() frees them, and every change of an array
	 * (resource_set_array_put(), _add(), removal, sorting, finishing)
	 * calls it.
	 */
	struct resource_key *keys[RESOURCE_KIND_COUNT];
	size_t nkeys[RESOURCE_KIND_COUNT];
	const char *keys_base[RESOURCE_KIND_COUNT];
	int finished;
	int dropped;
	int checked;
	char *zone;
	size_t base_held;
};

/*
 * Resource units (resource_units.h): one unit per file or store row,
 * ordered by (group, key); each holds its own set (a reference).
 */
struct resource_unit {
	size_t group;
	char *key;
	struct resource_set *set;
	int has_file;		/* read from a file: @file_digest counts */
	uint64_t file_digest;	/* as resource_set_digest() chains it */
};

/*
 * Where each identity is among the units: one entry per resource (hash
 * of kind and identity, the unit's group and key, borrowed from the
 * unit); @key NULL with @h set is a removed entry.
 */
struct resource_units_ent {
	uint64_t h;
	size_t group;
	const char *key;
};

struct resource_units {
	struct resource_unit *v;	/* sorted by group, then key */
	size_t n;
	size_t cap;
	struct resource_units_ent *map;	/* open addressing, power of two */
	size_t map_size;
	size_t map_used;		/* entries and removed ones */
	size_t map_live;
	int map_broken;			/* out of memory once: not used */
	char *zone;			/* labels computed for it */
	uint64_t tag;			/* resource_units_tag() */
	int drop_yaml;
	int skip;			/* a file walks leave out */
	dev_t skip_dev;
	ino_t skip_ino;
};

/* What the reader of one stream needs to report. */
struct ctx {
	struct resource_set *set;
	struct diag_list *errs;
	const char *file;		/* borrowed from the stream */
	const struct yamlx_node *doc;	/* the object being read */
	const struct yamlx_node *pin;	/* when set, every report goes here:
					 * the annotation whose embedded YAML
					 * is being read */
	int keep_yaml;			/* spec nodes may be kept */
	/*
	 * A JSON text's digest (never 0), or 0: each resource's
	 * meta.digest is then that of its document's tree.  A store row's
	 * text is what the row holds, so the text's bytes say as much as
	 * the tree (and cost a tenth to digest); resource @ndigests of
	 * the text gets digest_u64(text_digest, @ndigests).
	 */
	uint64_t text_digest;
	size_t ndigests;
};

/*
 * Every resource struct starts with its struct resource_meta, so the
 * arrays can be handled alike: as bytes, with an element size and a clear
 * function.  resource_set_array() and resource_set_array_put() convert from and
 * to the typed members of the set.
 */
struct array {
	char *base;
	size_t n;
	size_t size;
	void (*clear)(void *);
};

/* resource.c */
void *resource_grow(void *v, size_t *cap, size_t n, size_t size);
struct array resource_set_array(const struct resource_set *set,
				enum resource_kind kind);
void resource_set_array_put(struct resource_set *set, enum resource_kind kind,
			    char *base, size_t n);
void *resource_set_array_add(struct resource_set *set, enum resource_kind kind);
/* Free @set's keys of @kind (resource_set_keys() gives NULL after). */
void resource_set_keys_drop(struct resource_set *set, enum resource_kind kind);

void resource_set_ref(struct resource_set *set);

/*
 * A block holding @v[0..@n) (a reference each) and @next (the caller's
 * reference to it is taken over; NULL: none); NULL on ENOMEM, and then
 * nothing is taken.
 */
struct held_block *resource_held_new(struct resource_set *const *v, size_t n,
				     struct held_block *next);
/* Drop a reference to @b (NULL: nothing); see struct held_block. */
void resource_held_unref(struct held_block *b);
int resource_meta_compute_labels(struct resource_meta *m, const char *zone);
uint64_t resource_ident_hash(const char *mesh, const char *namespace,
			     const char *name);
int resource_index_add(struct resource_index *ix, uint64_t h,
		       int64_t creation_ns);
int resource_index_build(struct resource_set *set, enum resource_kind kind);
void resource_index_clear(struct resource_index *ix);
int resource_index_copy(struct resource_index *dst,
			const struct resource_index *src);
size_t resource_set_lookup(const struct resource_set *set,
			   enum resource_kind kind, const char *mesh,
			   const char *namespace, const char *name,
			   size_t *pos, size_t max);
int resource_meta_identity_cmp(const struct resource_meta *x,
			       const struct resource_meta *y);

/* resource_apply.c */
/* A borrowing @set holds a reference to @owner (once); 0 or -ENOMEM. */
int resource_set_hold(struct resource_set *set, size_t *cap,
		      struct resource_set *owner);

/* resource_units.c */
/* resource_units_put() with the file's digest; the same returns
 * (-EINVAL for labels computed for another zone). */
int resource_units_apply(struct resource_units *u, size_t group,
			 const char *key, struct resource_set *set,
			 int has_file, uint64_t file_digest,
			 struct resource_changes *changes);
int resource_units_find(const struct resource_units *u, size_t group,
			const char *key, size_t *at);
int resource_units_key_cmp(const char *a, const char *b);

/* resource_read.c */
void __attribute__((format(printf, 3, 4)))
err_at(struct ctx *c, const struct yamlx_node *n, const char *fmt, ...);
void __attribute__((format(printf, 3, 4)))
warn_at(struct ctx *c, const struct yamlx_node *n, const char *fmt, ...);
int is_null(const struct yamlx_node *n);
const struct yamlx_node *get(const struct yamlx_node *map, const char *key);
const struct yamlx_node *get_key(const struct yamlx_node *map,
				 const char *key);
const struct yamlx_node *either(const struct yamlx_node *a,
				const struct yamlx_node *b);
int in_list(const char *const *list, const char *s);
void node_pos(const struct ctx *c, const struct yamlx_node *n,
	      struct resource_pos *pos);
void join_path(char *buf, size_t size, const char *prefix, const char *key);
void check_keys(struct ctx *c, const struct yamlx_node *map,
		const char *prefix, const char *const *a,
		const char *const *b);
int want_map(struct ctx *c, const struct yamlx_node *n, const char *path,
	     const struct yamlx_node **out);
int want_seq(struct ctx *c, const struct yamlx_node *n, const char *path,
	     const struct yamlx_node **out);
int want_str(struct ctx *c, const struct yamlx_node *n, const char *path,
	     const char **out);
int copy_str(char **dst, const char *src);
int plain_int(const struct yamlx_node *n, long long *out);
int parse_labels(struct ctx *c, const struct yamlx_node *n, const char *path,
		 struct resource_labels *out);
extern const char ident_msg[];
int valid_ident(const char *s);
extern const char port_range_msg[];
int want_port(struct ctx *c, const struct yamlx_node *n, const char *path,
	      const char *range_msg, uint32_t *out);
int resource_read_text(struct resource_set *set, const char *name,
		       const char *text, size_t len, struct diag_list *errs);

/* resource_mesh.c */
void resource_mesh_parse(struct ctx *c, const struct yamlx_node *fields,
			 const char *pfx, struct resource_mesh *mesh);
int resource_mesh_parse_service(struct ctx *c, const struct yamlx_node *root,
				struct resource_mesh_service *ms);
void resource_mesh_warn_no_selector(struct ctx *c,
				    const struct yamlx_node *root,
				    const struct resource_mesh_service *ms);
int resource_mesh_parse_generator(struct ctx *c, const struct yamlx_node *root,
				  struct resource_hostname_generator *g);
int resource_mesh_parse_external(struct ctx *c, const struct yamlx_node *root,
				 struct resource_mesh_external_service *es);
int resource_mesh_parse_multizone(struct ctx *c, const struct yamlx_node *root,
				  struct resource_mesh_multi_zone_service *mz);

/* resource_dataplane.c */
int resource_dataplane_parse(struct ctx *c, const struct yamlx_node *root,
			     struct resource_dataplane *dp);

/* resource_k8s.c */
int resource_k8s_parse_service(struct ctx *c, const struct yamlx_node *root,
			       struct resource_k8s_service *svc);
int resource_k8s_parse_endpoint_slice(struct ctx *c,
				      const struct yamlx_node *root,
				      struct resource_endpoint_slice *es);
int resource_k8s_parse_pod(struct ctx *c, const struct yamlx_node *root,
			   struct resource_k8s_object *pod);
/* metadata.ownerReferences[0] of a Kubernetes-shape MeshService. */
int resource_k8s_parse_owner(struct ctx *c, const struct yamlx_node *root,
			     struct resource_mesh_service *ms);

#endif
