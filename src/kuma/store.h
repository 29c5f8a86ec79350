/* SPDX-License-Identifier: MIT */
/*
 * store.h -- Kuma's resources from a store: a source of rows, and the rows
 * meshdns holds.
 *
 * A source is what keeps Kuma's resources: today Kuma's PostgreSQL store
 * (store_pg.c; reference/kuma-sources.md), tomorrow Kuma's REST API,
 * polled.  Every source gives the same things, through struct store_ops:
 * a full read of every row, then the keys (type, mesh, name) of the rows
 * that changed, and a read of those rows only.  Whoever follows a source
 * (daemon/source.c) knows nothing else of it, so a second source needs
 * no change above this interface.
 *
 * A row is what Kuma stores of one resource: its type, mesh ("" for the
 * global kinds: Mesh, HostnameGenerator), name, version, and its spec,
 * labels and status as JSON text.  struct store_rows holds the current
 * rows of a source by key; store_rows_load() turns each into a resource
 * document and reads it with the resource reader (resource.h), so every
 * kind is validated exactly as in files.  A row that fails is reported
 * with its type, mesh and name instead of a file position:
 *
 *   MeshService default/redis: spec.ports[0].port: must be in the range
 *   1..65535, got 0
 *
 * and left out; the other rows are read.
 *
 * Only the kinds meshdns reads are asked for (STORE_TYPES); Kuma's other
 * rows (policies, insights, secrets) are never read.
 *
 * Pure but for the sources' own I/O: store.c does no I/O and does not log.
 */
#ifndef MESHDNS_STORE_H
#define MESHDNS_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "kuma/resource.h"
#include "util/diag.h"

/* The newest schema_migrations version of Kuma 2.7 to 3.0 (add_status). */
#define STORE_PG_SCHEMA_VERSION 1710856785LL

/*
 * The rows read, as an SQL condition: the kinds meshdns reads, and the
 * per-mesh VIP tables of legacy .mesh names Kuma 2.x keeps as Config
 * resources named kuma-<mesh>-dns-vips (pkg/dns/vips/persistence.go).
 */
#define STORE_TYPES "type IN ('Mesh', 'MeshService', 'HostnameGenerator', " \
	"'MeshExternalService', 'MeshMultiZoneService', 'Dataplane') OR " \
	"(type = 'Config' AND mesh = '' AND name LIKE 'kuma-%-dns-vips')"

/* Is @type one of STORE_TYPES'?  Changes to other rows are ignored. */
int store_type_read(const char *type);

struct store_key {
	const char *type;
	const char *mesh;	/* "" for global kinds */
	const char *name;
};

/*
 * A row read into resources ahead of the build that needs it
 * (store_ahead.h): what store_row_read() gave, read with @keep_specs for
 * zone @zone.
 */
struct store_row_read {
	struct resource_set *set;	/* NULL when rc < 0 */
	struct diag_list diags;
	int rc;
	int keep_specs;
	char *zone;
};

void store_row_read_free(struct store_row_read *rd);

/* One row; every string is owned by the row (malloc'ed). */
struct store_row {
	char *type;
	char *mesh;
	char *name;
	int64_t version;
	char *spec;		/* JSON text, or NULL (SQL NULL) */
	char *labels;		/* JSON object or null, or NULL */
	char *status;		/* JSON object, or NULL */
	char *created;		/* creation_time, RFC 3339 UTC, or NULL:
				 * Kuma's order (the older first) */
	struct store_row_read *ahead;	/* read ahead, or NULL (owned; a
					 * row whose unit the build does not
					 * put keeps it until it is freed) */
};

void store_row_free(struct store_row *row);

/*
 * Called for every row a read finds; the callee takes @row (and frees
 * it).  Return 0, or a negative code to stop the read with it.
 */
typedef int (*store_row_fn)(void *arg, struct store_row *row);

/* Called for every changed key a source reports (borrowed strings). */
typedef int (*store_key_fn)(void *arg, const struct store_key *key);

/*
 * A source.  Every function returns 0 or a negative code with a message
 * in @err ("cannot connect to the store: ...").  -EIO means the
 * connection was lost: close, then open again.
 */
struct store_ops {
	const char *name;		/* "postgres" */
	/* Connect to @where and check that it is a store meshdns reads. */
	int (*open)(void **src, const char *where, char *err, size_t errsize);
	/* Ask to be told of changes (before the first full read). */
	int (*watch)(void *src, char *err, size_t errsize);
	/* A descriptor readable when changes may be waiting, or -1. */
	int (*fd)(void *src);
	/* Report every change waiting, without blocking. */
	int (*changes)(void *src, store_key_fn fn, void *arg, char *err,
		       size_t errsize);
	/* Every row, each as it comes (in no order), so that the caller
	 * may work on the first while the next ones come. */
	int (*read_all)(void *src, store_row_fn fn, void *arg, char *err,
			size_t errsize);
	/* The rows of @keys that exist (a missing one was deleted), in no
	 * order; a key given twice may come twice. */
	int (*read_keys)(void *src, const struct store_key *keys, size_t n,
			 store_row_fn fn, void *arg, char *err,
			 size_t errsize);
	void (*close)(void *src);
};

/*
 * Kuma's PostgreSQL store (store_pg.c); @where is a libpq conninfo/URI.
 * libpq is loaded by the first open (util/dl.h), which fails with "cannot
 * load libpq.so.5, which store needs (...): install the package libpq5"
 * where it is missing.
 */
extern const struct store_ops store_pg_ops;

/* The rows held, by key. */
struct store_rows;

struct store_rows *store_rows_new(void);
void store_rows_free(struct store_rows *rows);

/* Number of rows held. */
size_t store_rows_count(const struct store_rows *rows);

/*
 * Put @row in place of the row with its key (taking it); 1 when the
 * content changed (a new key, or another version, spec, labels or
 * status), 0 when it is the same (@row is freed), -ENOMEM (@row freed).
 */
int store_rows_put(struct store_rows *rows, struct store_row *row);

/*
 * Rows as a read hands them over (a store_row_fn: store_row_list_add()
 * takes @row, and frees it on -ENOMEM), to be put all at once.
 */
struct store_row_list {
	struct store_row **v;
	size_t n;
	size_t cap;
};

int store_row_list_add(void *list, struct store_row *row);
void store_row_list_clear(struct store_row_list *list);	/* frees the rows */

/*
 * Put every row of @list (taken; @list is left empty) as store_rows_put()
 * would one by one, sorted first: rows put in no order would move the
 * array at every put.  Into empty @rows (a full read's), that is one
 * change of everything (store_rows_seq()), not one per row.  Of rows with
 * the same key (a full read has none: it is the table's primary key), one
 * is kept, whichever.  0 or -ENOMEM (every row not put is freed).
 */
int store_rows_put_list(struct store_rows *rows, struct store_row_list *list);

/* Remove the row of @key; 1 when there was one, 0 when not. */
int store_rows_remove(struct store_rows *rows, const struct store_key *key);

/*
 * The rows of @keys as they are now: each one in @fresh replaces (or
 * adds) its row, each one missing from @fresh is removed.  @fresh is
 * left empty.  1 when anything changed, 0 when not, -ENOMEM.
 */
int store_rows_apply(struct store_rows *rows, const struct store_key *keys,
		     size_t n, struct store_rows *fresh);

/* Remove every row. */
void store_rows_clear(struct store_rows *rows);

/* Move every row of @src into @dst (emptied first); @src is left empty. */
void store_rows_move(struct store_rows *dst, struct store_rows *src);

/*
 * A digest of every row's content (0 for none); kept up to date as rows
 * are put and removed, so reading it costs nothing.
 */
uint64_t store_rows_digest(const struct store_rows *rows);

/* The row of @key, or NULL; the @i-th row in key order, or NULL. */
const struct store_row *store_rows_find(const struct store_rows *rows,
					const struct store_key *key);
const struct store_row *store_rows_at(const struct store_rows *rows,
				      size_t i);

/*
 * Every change to @rows is numbered (1, 2, ...): a row put with new
 * content or removed is one, with its key; clearing or moving rows in
 * (store_rows_clear(), store_rows_move()) changes everything.
 * store_rows_seq() is the number of the last change (0: none yet).
 * store_rows_changed_since() calls @fn for the key of each change after
 * @since, oldest first (a key may come more than once) and returns 0,
 * or @fn's negative return; or returns 1 without calling @fn when it
 * cannot tell which rows changed (everything did, or more than the last
 * STORE_LOG_SIZE changes are asked for): compare every row then.
 */
#define STORE_LOG_SIZE 16384
uint64_t store_rows_seq(const struct store_rows *rows);
int store_rows_changed_since(const struct store_rows *rows, uint64_t since,
			     store_key_fn fn, void *arg);

/*
 * Read every row into @set (resource_set_load_string()), in key order.
 * Problems go to @errs as "<Type> <mesh>/<name>: <message>" ("<Type>
 * <name>" for the global kinds), without position.  Returns 0 or
 * -ENOMEM.
 */
int store_rows_load(const struct store_rows *rows, struct resource_set *set,
		    struct diag_list *errs);

/* The same for one row (a Config row adds nothing).  0 or -ENOMEM. */
int store_row_load(const struct store_row *row, struct resource_set *set,
		   struct diag_list *errs);

/*
 * Row @row read into a new set (*@out; NULL for a Config row, whose VIPs
 * store_rows_legacy_vips() reads) with its labels computed for @zone
 * (resource_set_compute_labels()), its YAML trees kept when @keep_specs
 * (resource_set_keep_yaml()); messages in @errs as store_row_load()
 * gives them.  0 or -ENOMEM.
 */
int store_row_read(const struct store_row *row, int keep_specs,
		   const char *zone, struct resource_set **out,
		   struct diag_list *errs);

/*
 * Take row @i's read ahead (store_ahead.h): the caller frees it
 * (store_row_read_free()).  NULL when there is none, or when it was read
 * with other options than @keep_specs and @zone (not NULL; then it is
 * dropped).
 * The one change to rows given as const, by whoever may read them then
 * (the source's lock held).
 */
struct store_row_read *store_rows_take_ahead(const struct store_rows *rows,
					     size_t i, int keep_specs,
					     const char *zone);

/*
 * The resource document of @row (YAML flow, which JSON is) as a new
 * string, or NULL with the reason in @err (a spec that is no JSON
 * object) or on ENOMEM (err "out of memory").
 */
char *store_row_document(const struct store_row *row, char *err,
			 size_t errsize);

/*
 * The VIPs of legacy <kuma.io/service>.mesh names that Kuma's VIP
 * allocator recorded: Config rows kuma-<mesh>-dns-vips, whose spec is
 * {"config": "<JSON>"} and that JSON maps "<type>:<name>" to {"address":
 * <VIP>, "outbounds": [...]}; type 0 is a kuma.io/service (1 an external
 * service host, 2 a virtual outbound's name: not legacy names).
 */
struct store_legacy_vip {
	char *mesh;
	char *service;
	char *address;
};

struct store_legacy_vips {
	struct store_legacy_vip *v;	/* sorted by mesh, service */
	size_t n;
};

/*
 * Collect the legacy VIPs of @rows into @out (cleared first); a Config row
 * that does not parse is a warning in @errs ("Config
 * kuma-default-dns-vips: ...").  0 or -ENOMEM.
 */
int store_rows_legacy_vips(const struct store_rows *rows,
			   struct store_legacy_vips *out,
			   struct diag_list *errs);

/* The VIP recorded for @service of @mesh, or NULL. */
const char *store_legacy_vip(const struct store_legacy_vips *t,
			     const char *mesh, const char *service);

void store_legacy_vips_clear(struct store_legacy_vips *t);

/* "MeshService default/redis", or "Mesh default" for global kinds. */
void store_row_format(const struct store_key *key, char *buf, size_t size);

/*
 * Parse the payload of Kuma's notify_event trigger
 * ({"action" : "UPDATE", "data" : {"name" : ..., "mesh" : ..., "type" :
 * ...}}) into @type, @mesh and @name (buffers of @size bytes each); 0,
 * or -1 when it is not such a payload.
 */
int store_parse_event(const char *payload, char *type, char *mesh,
		      char *name, size_t size);

#endif
