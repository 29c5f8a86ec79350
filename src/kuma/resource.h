/* SPDX-License-Identifier: MIT */
/*
 * resource.h -- Kuma resources, typed and validated, from YAML files.
 *
 * Reads the two shapes Kuma users have:
 *
 *   universal (kumactl):       type: MeshService
 *                              name: redis
 *                              mesh: default          (default "default")
 *                              labels: {...}
 *                              creationTime: 2024-05-01T10:00:00Z
 *                              spec: {...}
 *                              status: {...}          (optional)
 *
 *   Kubernetes (kubectl):      apiVersion: kuma.io/v1alpha1
 *                              kind: MeshService
 *                              metadata: {name, namespace, labels,
 *                                         creationTimestamp}
 *                              spec: {...}
 *
 * several documents per file, and `kind: List` with `items:`.  Mesh and
 * Dataplane keep their fields at the top level in the universal shape and
 * under `spec` in the Kubernetes one.  The Kubernetes objects (Service,
 * EndpointSlice, Namespace, Pod) have only the Kubernetes shape.
 *
 * Kinds: Mesh, MeshService, HostnameGenerator, MeshExternalService,
 * MeshMultiZoneService, Dataplane (kuma.io), and the Kubernetes objects
 * MeshServices are derived from: v1 Service, Namespace, Pod and
 * discovery.k8s.io/v1 EndpointSlice.  Documents of other kinds are
 * reported as warnings and skipped (an empty document is fine).
 * Unknown keys at the top level, in metadata and under `spec` are warnings.
 * The accepted YAML is specified, with examples, at the top of
 * resource_read.c.
 *
 * A resource that fails validation is reported with its position
 * (file:line:column) as an error and left out; the others still load.  The
 * messages of Kuma's validators are kept where Kuma has one (see
 * reference/kuma.md section 1 and 4).
 *
 * Ownership: the set owns every resource, string and the parsed YAML trees
 * (the `spec` nodes stay valid while the set lives, for status output).
 */
#ifndef MESHDNS_RESOURCE_H
#define MESHDNS_RESOURCE_H

#include <stddef.h>
#include <stdint.h>

#include "util/diag.h"
#include "util/yamlx.h"

enum resource_kind {
	RESOURCE_MESH = 0,
	RESOURCE_MESH_SERVICE,
	RESOURCE_HOSTNAME_GENERATOR,
	RESOURCE_MESH_EXTERNAL_SERVICE,
	RESOURCE_MESH_MULTI_ZONE_SERVICE,
	RESOURCE_DATAPLANE,
	RESOURCE_K8S_SERVICE,		/* v1 Service */
	RESOURCE_K8S_ENDPOINT_SLICE,	/* discovery.k8s.io/v1 EndpointSlice */
	RESOURCE_K8S_NAMESPACE,		/* v1 Namespace */
	RESOURCE_K8S_POD,		/* v1 Pod (labels only) */
	RESOURCE_KIND_COUNT
};

enum resource_shape {
	RESOURCE_SHAPE_UNIVERSAL = 0,
	RESOURCE_SHAPE_KUBERNETES,
};

/* A position in an input file; @file is borrowed from the set. */
struct resource_pos {
	const char *file;
	int line;
	int column;
};

struct resource_label {
	char *key;
	char *value;
};

/* Labels (or tags, or matchLabels): sorted by key, keys unique. */
struct resource_labels {
	struct resource_label *v;
	size_t n;
};

struct resource_meta {
	enum resource_kind kind;
	enum resource_shape shape;
	char *name;		/* universal `name`, or Kubernetes metadata.name */
	const char *mesh;	/* `mesh`, label kuma.io/mesh, or "default";
				 * NULL for Mesh, HostnameGenerator and the
				 * Kubernetes objects (Service, ...);
				 * interned (resource_mesh_intern()): never
				 * freed, one pointer per name */
	char *namespace;	/* Kubernetes metadata.namespace, else NULL;
				 * "default" when absent on a Service,
				 * EndpointSlice or Pod */
	struct resource_labels labels;
	int has_creation_time;
	int64_t creation_ns;	/* creationTime / creationTimestamp, ns since
				 * the epoch; 0 when absent */
	size_t seq;		/* input order among its kind (files in load
				 * order, documents in file order), set by
				 * resource_set_finish(); 0 for generated ones */
	struct resource_pos pos;	/* where the document starts */
	uint64_t digest;	/* the document's parsed YAML (its values,
				 * whether each is quoted, and structure;
				 * not its positions, comments, layout or
				 * key order), to tell
				 * a changed resource from an unchanged one
				 * (equal digests: the same content); from a
				 * JSON text (resource_set_load_json()), the
				 * text's bytes; 0 for generated ones */
	int borrowed;		/* a view's shallow copy of a unit's resource
				 * (resource_units_view()): its set owns
				 * none of what it points to */
	struct resource_set *owner;	/* when @borrowed: the set that owns
					 * what it points to (a reference
					 * the borrowing set holds) */
};

enum resource_mesh_mode {
	RESOURCE_MESH_MODE_DISABLED = 0,	/* Kuma 2.x default */
	RESOURCE_MESH_MODE_EVERYWHERE,
	RESOURCE_MESH_MODE_REACHABLE_BACKENDS,
	RESOURCE_MESH_MODE_EXCLUSIVE,
};

struct resource_mesh {
	struct resource_meta meta;
	int has_mode;
	enum resource_mesh_mode mode;	/* meshServices.mode */
};

enum resource_selector {
	RESOURCE_SELECTOR_NONE = 0,
	RESOURCE_SELECTOR_DATAPLANE_TAGS,	/* selector.dataplaneTags */
	RESOURCE_SELECTOR_DATAPLANE_LABELS,	/* selector.dataplaneLabels.matchLabels */
	RESOURCE_SELECTOR_DATAPLANE_REF,	/* selector.dataplaneRef.name */
};

struct resource_port {
	char *name;		/* NULL when absent: the port number names it */
	uint32_t port;		/* 1..65535 */
	int has_target;
	int target_is_name;
	uint32_t target_port;	/* when !target_is_name */
	char *target_name;	/* when target_is_name */
	char *app_protocol;	/* as written (any case); NULL when absent
				 * or empty, which means "tcp" */
	struct resource_pos pos;
};

/* Where a MeshService came from. */
enum resource_origin {
	RESOURCE_WRITTEN = 0,		/* read from a file */
	RESOURCE_FROM_DATAPLANES,	/* generated from Dataplane inbounds */
	RESOURCE_FROM_K8S_SERVICE,	/* generated from a ClusterIP Service */
	RESOURCE_FROM_K8S_HEADLESS,	/* generated from a headless Service's
					 * endpoint (one per Pod) */
};

struct resource_mesh_service {
	struct resource_meta meta;
	enum resource_origin origin;
	enum resource_selector selector;
	struct resource_labels selector_labels;	/* tags or matchLabels */
	char *selector_ref;			/* dataplaneRef.name */
	struct resource_port *ports;
	size_t nports;
	char *state;		/* spec.state: "Available", "Unavailable",
				 * or NULL */
	char **vips;		/* status.vips[].ip as written (validated IP) */
	size_t nvips;
	struct resource_pos vips_pos;	/* status.vips; line 0 when absent */
	char **kuma_hostnames;	/* status.addresses[].hostname: what Kuma's
				 * hostname generator recorded (strings
				 * only; other entries are ignored) */
	size_t nkuma_hostnames;
	const struct yamlx_node *spec;	/* for status output; NULL for
					 * generated ones (print the fields) */
	char *owner_kind;	/* Kubernetes metadata.ownerReferences[0]:
				 * kind ("Service", "Pod", ...) and name, or
				 * NULL: Kuma's controller owns what it makes
				 * by this reference */
	char *owner_name;
};

/* Dataplane: networking.inbound[] */
struct resource_inbound {
	char *name;		/* NULL when absent */
	uint32_t port;
	uint32_t service_port;	/* 0 when absent */
	char *protocol;		/* the inbound `protocol` field, or NULL */
	struct resource_labels tags;	/* kuma.io/service, kuma.io/protocol */
	int ignored;		/* state: Ignored */
	struct resource_pos pos;
};

/* Dataplane: networking.transparentProxying.reachableBackends.refs[] */
struct resource_backend_ref {
	enum resource_kind kind;	/* MESH_SERVICE, MESH_EXTERNAL_SERVICE
					 * or MESH_MULTI_ZONE_SERVICE */
	char *name;			/* NULL when @labels selects */
	char *namespace;		/* Kubernetes only, or NULL */
	struct resource_labels labels;	/* empty when @name is set */
	int has_port;
	uint32_t port;
	struct resource_pos pos;	/* the ref; for refs read from the
					 * annotation, the annotation */
};

struct resource_dataplane {
	struct resource_meta meta;
	char *address;			/* networking.address (an IP) */
	struct resource_inbound *inbounds;
	size_t ninbounds;
	int has_reachable_backends;	/* reachableBackends given (even
					 * empty: then nothing is reachable),
					 * or, on a Kubernetes Dataplane
					 * without it, the annotation
					 * kuma.io/reachable-backends (even
					 * "") */
	struct resource_backend_ref *backends;
	size_t nbackends;
};

/* v1 Service */
struct resource_k8s_port {
	char *name;			/* NULL when absent */
	uint32_t port;
	int target_is_name;
	uint32_t target_port;		/* 0 when absent (= port) */
	char *target_name;
	char *protocol;			/* "TCP" when absent */
	char *app_protocol;		/* NULL when absent */
	struct resource_pos pos;
};

struct resource_k8s_service {
	struct resource_meta meta;	/* name, namespace, labels */
	struct resource_labels annotations;
	char *type;			/* spec.type, NULL: ClusterIP */
	char *cluster_ip;		/* spec.clusterIP: an IP, "None"
					 * (headless) or NULL/"" */
	struct resource_labels selector;	/* spec.selector */
	struct resource_k8s_port *ports;
	size_t nports;
};

/* discovery.k8s.io/v1 EndpointSlice: endpoints[] */
struct resource_endpoint {
	char *address;			/* addresses[0]: an IP unless the
					 * slice's addressType is FQDN */
	char *pod_name;			/* targetRef (kind Pod) name, or NULL */
	char *pod_namespace;		/* targetRef namespace, or the slice's */
	int ready;			/* conditions.ready, default true */
};

struct resource_endpoint_slice {
	struct resource_meta meta;
	char *service_name;		/* label kubernetes.io/service-name */
	struct resource_endpoint *endpoints;
	size_t nendpoints;
};

/*
 * v1 Namespace and v1 Pod: their labels, and a Pod's annotations (a
 * delegated gateway's Pod carries kuma.io/gateway); empty on a Namespace.
 */
struct resource_k8s_object {
	struct resource_meta meta;
	struct resource_labels annotations;
};

struct resource_mesh_external_service {
	struct resource_meta meta;
	uint32_t port;			/* spec.match.port */
	char *protocol;			/* spec.match.protocol: tcp (default),
					 * grpc, http or http2 */
	char *vip;			/* status.vip.ip, or NULL */
	const struct yamlx_node *spec;
};

struct resource_mesh_multi_zone_service {
	struct resource_meta meta;
	struct resource_labels selector;	/* selector.meshService.matchLabels */
	struct resource_port *ports;
	size_t nports;
	char **vips;			/* status.vips[].ip (validated IPs;
					 * zone-local, so usually ignored) */
	size_t nvips;
	const struct yamlx_node *spec;
};

struct resource_hostname_generator {
	struct resource_meta meta;
	enum resource_kind target;	/* MESH_SERVICE, MESH_EXTERNAL_SERVICE
					 * or MESH_MULTI_ZONE_SERVICE */
	struct resource_labels match;	/* selector.<target>.matchLabels;
					 * empty matches everything */
	char *template;
	struct resource_pos template_pos;	/* the template scalar */
};

struct resource_set {
	struct resource_mesh *meshes;
	size_t nmeshes;
	struct resource_mesh_service *services;
	size_t nservices;
	struct resource_hostname_generator *generators;
	size_t ngenerators;
	struct resource_mesh_external_service *external_services;
	size_t nexternal_services;
	struct resource_mesh_multi_zone_service *multizone_services;
	size_t nmultizone_services;
	struct resource_dataplane *dataplanes;
	size_t ndataplanes;
	struct resource_k8s_service *k8s_services;
	size_t nk8s_services;
	struct resource_endpoint_slice *endpoint_slices;
	size_t nendpoint_slices;
	struct resource_k8s_object *namespaces;
	size_t nnamespaces;
	struct resource_k8s_object *pods;
	size_t npods;
	void *priv;		/* internal: arrays' capacities, YAML streams */
};

/* A new empty set (free with resource_set_free()); NULL on ENOMEM. */
struct resource_set *resource_set_new(void);
void resource_set_free(struct resource_set *set);

/*
 * With @keep 0, each file's YAML tree is freed once its resources are
 * read: the `spec` fields stay NULL (no status output of the written
 * spec), and a big set needs a fraction of the memory.  Default: kept.
 * Call before loading.
 */
void resource_set_keep_yaml(struct resource_set *set, int keep);

/*
 * Give back the room @set's arrays keep beyond their length (they grow
 * sixteen at a time): for a set that is read once and then only read,
 * such as a store row's, whose one resource would keep room for
 * fifteen more.  Adding to it later grows it again.  Best effort: a set
 * that cannot be shrunk keeps its room.
 */
void resource_set_trim(struct resource_set *set);

/*
 * Directories that resource_set_load_path() walks leave out the file at
 * @path (compared by device and inode, whatever the name it is reached
 * by): the configuration file, when it lies in one of its own resource
 * directories, is no resource.  A file named as a path itself is still
 * read.  When @path cannot be stat'ed, nothing is left out.  Call before
 * loading.
 */
void resource_set_skip_file(struct resource_set *set, const char *path);

/*
 * Load every resource of a file, or of every *.yaml / *.yml file under a
 * directory (recursively, in name order; hidden files and directories are
 * skipped; a file named by @path itself is read whatever its name).
 * Problems go to @errs.  A file with a YAML syntax error contributes
 * nothing.  Returns 0 when the path could be read (even if some files or
 * resources were invalid: see errs->errors), -1 when it could not be read
 * at all (reported too: "cannot read <path>: <reason>"), -ENOMEM.
 */
int resource_set_load_path(struct resource_set *set, const char *path,
			   struct diag_list *errs);

/*
 * A digest of every file resource_set_load_path() read into @set (names
 * and bytes, in the order read; 0 for none), for the start-up cache:
 * equal digests mean the same input.  Strings loaded from memory are not
 * part of it.
 */
uint64_t resource_set_digest(const struct resource_set *set);

/*
 * Chain into *@digest what resource_set_load_path(@path) would chain into
 * a set's digest, by reading the same files without parsing them: start
 * from 0 and call it for each path in turn to get the digest of a set
 * loaded from those paths.  0; -1 (and *@digest unchanged) when @path, a
 * file under it or a directory on the way cannot be read, when @path is
 * neither a directory nor a regular file (a pipe is not read twice) or
 * when the walk would report anything: no cache then; -ENOMEM.  @skip is
 * the file resource_set_skip_file() named, or NULL.
 */
int resource_path_digest(const char *path, const char *skip,
			 uint64_t *digest);

/*
 * Same, from memory (@text is NUL-terminated and only read during the
 * call); @name stands for the file name in positions.  Returns 0 (syntax
 * errors and invalid resources are in @errs) or -ENOMEM.
 */
int resource_set_load_string(struct resource_set *set, const char *name,
			     const char *text, struct diag_list *errs);

/*
 * Same, for a text that is one JSON document (a row of Kuma's store):
 * read with yajl (yamlx_load_json()), which leaves what it does not read
 * as libyaml would to libyaml: the same resources and messages.  Their
 * digests (meta.digest) are the text's: the same text gives the same
 * digests, another text other ones, even for the same content.
 */
int resource_set_load_json(struct resource_set *set, const char *name,
			   const char *text, struct diag_list *errs);

/*
 * After the last load: reject duplicates (same kind, mesh, namespace and
 * name: an error naming both places; the later one is left out) and sort
 * every kind in Kuma's order: creation time, then name (then namespace,
 * then mesh, for a total order).  A synced MeshService (label
 * kuma.io/origin: global) is exported under its original name, so its
 * label kuma.io/zone is part of its identity: "redis" from zone west and
 * the local "redis" are not duplicates.  Returns 0 or -ENOMEM.  Pointers
 * into the arrays are stable only after this.  Resources without a
 * creation time sort first (as the zero time does in Kuma).  Each kept
 * resource's meta.seq is its place in the input before sorting.
 */
int resource_set_finish(struct resource_set *set, struct diag_list *errs);

/*
 * Leave out the mesh-scoped resources (Dataplanes, MeshServices,
 * MeshExternalServices, MeshMultiZoneServices) whose mesh has no Mesh
 * resource in @set, as Kuma refuses to create them, with Kuma's message:
 *   <file>:<line>:<col>: MeshService "redis": mesh of name payments is
 *   not found
 * (universal, pkg/core/resources/manager/manager.go), or
 *   ...: meshes.kuma.io "payments" not found
 * (Kubernetes, the owner-reference webhook).  That webhook lets a
 * Kubernetes MeshService through: it stays, with a warning.  Mesh
 * "default" always exists: Kuma's control plane creates it at start
 * (pkg/defaults/mesh.go; a federated zone receives it from global).
 * Call after resource_set_finish(); the order is kept.  Returns 0.
 */
int resource_set_check_meshes(struct resource_set *set,
			      struct diag_list *errs);

/*
 * Incremental sets.  A change (struct resource_change, in
 * resource_units.h) names an identity: kind, mesh, namespace, name.
 *
 * resource_set_take(): a new set borrowing the resources of @input whose
 * identity one of @changes names (every synced copy of it, whatever its
 * zone); @input (not finished: a set as loaded, or a view of units)
 * stays whole for a full finish; the resources it owns of them get their
 * labels for @zone (resource_set_compute_labels()).  @items holds a reference
 * to the set that owns each: a unit's set for a view, else @input itself
 * (then the new set of an apply keeps all of @input alive while it
 * borrows one of them: feed views of units to a long chain of applies).
 * @items gets @input's digest (resource_set_digest()).  O(size of
 * @input), no string copied.  0 or -ENOMEM.
 *
 * resource_set_apply(): the set that resource_set_finish(),
 * resource_set_check_meshes() and resource_set_compute_labels(@zone)
 * would make of the whole new input, from @prev (a set so finished,
 * checked and labelled, or made by this function; only read, and it may
 * be read by other threads meanwhile) and @items (the new input's
 * resources of the identities @changes name, e.g. from
 * resource_set_take(); taken over, also on failure): @prev's resources
 * of those identities are replaced by @items, in O(changes * log n) and
 * one copy of @prev's arrays (shallow structs: no string is copied or
 * hashed).  The new set borrows (meta.borrowed, meta.owner) from the sets
 * that own its resources and holds a reference to each, so @prev may be
 * freed before or after it.  Resources of @items that a full build would
 * refuse (a mesh without a Mesh) are reported in @errs as
 * resource_set_check_meshes() reports them.  Meta.seq keeps the relative
 * order of the Dataplanes without a creation time (the only use of it).
 * Returns 0 with *@out set; 1 with *@out NULL when it cannot say what a
 * full finish would (the caller finishes the whole input): @prev not
 * finished, checked and labelled for @zone, or with resources left out
 * (errors); a Mesh changed; an identity twice in @items (a duplicate), or
 * added while @prev has it; a Dataplane without a creation time in
 * @items (its place in the input decides its rank); -ENOMEM.  Diagnostics
 * are written only when it returns 0.
 *
 * resource_set_find(): the resource of kind @kind and identity (@mesh,
 * @namespace, @name) in a finished set (the first of several synced
 * copies), or NULL; O(1) and a binary search.
 */
struct resource_change;
int resource_set_take(struct resource_set *input,
		      const struct resource_change *changes, size_t nchanges,
		      const char *zone, struct resource_set **items);
int resource_set_apply(struct resource_set **out,
		       const struct resource_set *prev,
		       struct resource_set *items,
		       const struct resource_change *changes, size_t nchanges,
		       const char *zone, struct diag_list *errs);
const struct resource_meta *resource_set_find(const struct resource_set *set,
					      enum resource_kind kind,
					      const char *mesh,
					      const char *namespace,
					      const char *name);

/* The Mesh resource named @name in @set, or NULL. */
const struct resource_mesh *resource_set_mesh(const struct resource_set *set,
					      const char *name);

/*
 * What a build reads of every resource of an apply, kept beside the
 * array: its meta.digest and meta.mesh.  Reading them here is a pass
 * over 16 bytes a resource, not a cache miss on each resource.
 */
struct resource_key {
	uint64_t digest;
	const char *mesh;
};

/*
 * The keys of @set's array of @kind, element for element (the key of
 * the resource at index i of the array is at index i), or NULL when the
 * set has none: only a set made by resource_set_apply() has them, of
 * its MeshServices only (what a build reads them of), and any change of
 * its arrays drops them.  Borrowed from @set.
 */
const struct resource_key *resource_set_keys(const struct resource_set *set,
					     enum resource_kind kind);

/*
 * Add the labels Kuma's zone control plane adds when a resource is
 * created in zone @zone, where they are absent (labels written in the
 * input always win): on MeshServices kuma.io/origin=zone, kuma.io/mesh,
 * kuma.io/display-name, and for local ones (origin zone) kuma.io/zone,
 * kuma.io/env (universal or kubernetes, by shape) and
 * k8s.kuma.io/namespace (when it has a namespace); the same on
 * MeshExternalServices (so that Kuma's local-mesh-external-service
 * generator selects them); on MeshMultiZoneServices kuma.io/mesh; on
 * HostnameGenerators kuma.io/origin=zone.  So Kuma's default generators
 * select hand-written resources as they would in a zone.  Call after
 * resource_set_finish().  Returns 0 or -ENOMEM.
 */
int resource_set_compute_labels(struct resource_set *set, const char *zone);
/* (Resources a view borrows, meta.borrowed, are left as they are: their
 * units computed the labels when they were put.) */

/*
 * The zone @set's labels were last computed for, or NULL.
 * resource_units_put() computes them for a set that has none, and puts a
 * set computed for its own zone as it is: a reader may compute them ahead,
 * on a thread of its own, for a set it puts later unchanged.
 */
const char *resource_set_labels_zone(const struct resource_set *set);

/*
 * Append a zeroed MeshService to @set (for generated ones) and return it;
 * NULL on ENOMEM.  Only meta.kind is set (RESOURCE_MESH_SERVICE).  The set
 * owns it: every string and array in it must be malloc'ed
 * (resource_set_free() frees them).  Pointers to
 * other services are invalidated; call resource_set_sort() when done.
 */
struct resource_mesh_service *resource_set_new_service(struct resource_set *set);

/* Same for HostnameGenerators (Kuma's defaults); meta.kind is set. */
struct resource_hostname_generator *
resource_set_new_generator(struct resource_set *set);

/*
 * Remove services[i] (freeing it); the order of the others is kept.  An
 * @i out of range does nothing.
 */
void resource_set_remove_service(struct resource_set *set, size_t i);

/* Remove generators[i] (freeing it); the order of the others is kept. */
void resource_set_remove_generator(struct resource_set *set, size_t i);

/* Sort every kind again in Kuma's order (after additions). */
void resource_set_sort(struct resource_set *set);

/*
 * Set @key to @value (both copied), replacing the value of an existing
 * @key, else inserting in key order; 0 or -ENOMEM (@labels unchanged).
 */
int resource_labels_set(struct resource_labels *labels, const char *key,
			const char *value);

/* Free every key and value of @l; it is empty again (and may be reused). */
void resource_labels_clear(struct resource_labels *l);

/*
 * "Mesh", "MeshService", "HostnameGenerator", "MeshExternalService",
 * "MeshMultiZoneService", "Dataplane", "Service", "EndpointSlice",
 * "Namespace", "Pod"; "unknown" out of range.
 */
const char *resource_kind_name(enum resource_kind kind);

/* "Disabled", "Everywhere", "ReachableBackends", "Exclusive". */
const char *resource_mesh_mode_name(enum resource_mesh_mode mode);

/*
 * The one copy of the mesh name @name, for resource_meta.mesh: equal
 * names give the same pointer, for the life of the process, so that a
 * walk over many resources compares their meshes by pointer (a mesh
 * name read from each resource would be a cache miss per resource).
 * The copies are never freed: a process sees a handful of meshes.
 * Thread-safe.  NULL when @name is NULL or on ENOMEM.
 */
const char *resource_mesh_intern(const char *name);

/* Label value for @key, or NULL. */
const char *resource_labels_get(const struct resource_labels *labels,
				const char *key);

/* True when every pair of @want is in @have (an empty @want matches). */
int resource_labels_match(const struct resource_labels *have,
			  const struct resource_labels *want);

/*
 * True when MeshService @ms selects Dataplane @dp (what Kuma counts in
 * status.dataplaneProxies): the same mesh, and by its selector: every
 * dataplaneTags pair in the tags of one inbound; every
 * dataplaneLabels.matchLabels pair in the Dataplane's labels; dataplaneRef
 * the Dataplane's name (and namespace, for a Kubernetes MeshService).  A
 * MeshService without a selector selects nothing.
 */
int resource_mesh_service_selects(const struct resource_mesh_service *ms,
				  const struct resource_dataplane *dp);

/* kuma.io/display-name, else the name. */
const char *resource_display_name(const struct resource_meta *meta);

/*
 * The name used for the `.Name` template field and status output: the
 * Kubernetes object name or the universal name (the same field).
 */
const char *resource_name(const struct resource_meta *meta);

/*
 * Compare two resources in Kuma's order: creation time, then name, then
 * namespace, then mesh.  <0, 0, >0 like strcmp.
 */
int resource_meta_cmp(const struct resource_meta *a,
		      const struct resource_meta *b);

/*
 * Validate @name as an RFC 1035 label with Kuma 3's message; returns NULL
 * when valid, else a static message (the length one first when both apply;
 * the loader reports both, as Kuma does).
 */
const char *resource_rfc1035_label_error(const char *name);

#endif
