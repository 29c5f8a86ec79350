/* SPDX-License-Identifier: MIT */
/*
 * resource_int.h -- what the files of the resource module share: the
 * set's private part, the reader's context and the field readers.
 *
 * Only src/kuma/resource*.c include this; everything else uses
 * resource.h.
 */
#ifndef MESHDNS_RESOURCE_INT_H
#define MESHDNS_RESOURCE_INT_H

#include <stddef.h>
#include <stdint.h>

#include "kuma/resource.h"

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
};

/*
 * Every resource struct starts with its struct resource_meta, so the
 * arrays can be handled alike: as bytes, with an element size and a clear
 * function.  get_array() and put_array() convert from and to the typed
 * members of the set.
 */
struct array {
	char *base;
	size_t n;
	size_t size;
	void (*clear)(void *);
};

/* resource.c */
void *grow(void *v, size_t *cap, size_t n, size_t size);
void labels_clear(struct resource_labels *l);
struct array get_array(const struct resource_set *set,
		       enum resource_kind kind);
void put_array(struct resource_set *set, enum resource_kind kind, char *base,
	       size_t n);
void *array_add(struct resource_set *set, enum resource_kind kind);

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
int is_ip(const char *s, int *af, unsigned char *bytes);
extern const char ident_msg[];
int valid_ident(const char *s);
extern const char port_range_msg[];
int want_port(struct ctx *c, const struct yamlx_node *n, const char *path,
	      const char *range_msg, uint32_t *out);
int load_text(struct resource_set *set, const char *name, const char *text,
	      size_t len, struct diag_list *errs);

/* resource_mesh.c */
void parse_mesh(struct ctx *c, const struct yamlx_node *fields,
		const char *pfx, struct resource_mesh *mesh);
int parse_mesh_service(struct ctx *c, const struct yamlx_node *root,
		       struct resource_mesh_service *ms);
void warn_no_selector(struct ctx *c, const struct yamlx_node *root,
		      const struct resource_mesh_service *ms);
int parse_generator(struct ctx *c, const struct yamlx_node *root,
		    struct resource_hostname_generator *g);
int parse_external_service(struct ctx *c, const struct yamlx_node *root,
			   struct resource_mesh_external_service *es);
int parse_multizone_service(struct ctx *c, const struct yamlx_node *root,
			    struct resource_mesh_multi_zone_service *mz);

/* resource_dataplane.c */
int parse_dataplane(struct ctx *c, const struct yamlx_node *root,
		    struct resource_dataplane *dp);

/* resource_k8s.c */
int parse_k8s_service(struct ctx *c, const struct yamlx_node *root,
		      struct resource_k8s_service *svc);
int parse_endpoint_slice(struct ctx *c, const struct yamlx_node *root,
			 struct resource_endpoint_slice *es);

#endif
