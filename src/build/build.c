/* SPDX-License-Identifier: MIT */
/* build.c -- one build: config + resources -> an immutable snapshot. */
#include "autoconfig.h"

#include <arpa/inet.h>
#include <assert.h>
#include <errno.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "build/build.h"
#include "build/fromstore.h"
#include "build/snapshot.h"
#include "build/state.h"
#include "dns/table_build.h"
#include "dns/table_patch.h"
#include "util/bigarray.h"
#include "util/digest.h"
#include "util/hash.h"
#include "kuma/labels.h"
#include "kuma/tmpl.h"

uint64_t
build_clock_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

/* Charge the time since *@t to @phase and restart the clock. */
static void
phase_end(struct snapshot *s, enum build_phase phase, uint64_t *t)
{
	uint64_t now = build_clock_us();

	s->phase_us[phase] = now - *t;
	*t = now;
}

/*
 * A relative path in the config file is relative to the file's directory,
 * so the same file means the same thing whatever the current directory.
 */
static int
resolve(char **path, const char *config_file)
{
	const char *slash = strrchr(config_file, '/');
	char *abs = NULL;

	if (*path == NULL || (*path)[0] == '/' || slash == NULL)
		return 0;
	if (asprintf(&abs, "%.*s/%s", (int)(slash - config_file),
		     config_file, *path) < 0)
		return -ENOMEM;
	free(*path);
	*path = abs;
	return 0;
}

static int
resolve_paths(struct config *cfg)
{
	size_t i;

	if (cfg->file == NULL)
		return 0;
	for (i = 0; i < cfg->nresources; i++)
		if (resolve(&cfg->resources[i], cfg->file) < 0)
			return -ENOMEM;
	for (i = 0; i < cfg->nupstreams; i++)
		if (strchr(cfg->upstreams[i], '/') != NULL &&
		    resolve(&cfg->upstreams[i], cfg->file) < 0)
			return -ENOMEM;
	return resolve(&cfg->state_file, cfg->file);
}

int
build_load_config(struct config **out, const struct build_options *opt,
		  struct diag_list *diags)
{
	struct config *cfg = NULL;
	char err[256];
	int rc;

	*out = NULL;
	if (opt->config_file != NULL)
		rc = config_load_file(&cfg, opt->config_file, diags);
	else
		rc = (cfg = config_new_default()) == NULL ? -ENOMEM : 0;
	if (rc < 0 || (rc = resolve_paths(cfg)) < 0)
		goto out;
	if (opt->nlisten > 0 &&
	    (rc = config_set_listen_text(cfg, opt->listen, opt->nlisten, err,
					 sizeof(err))) < 0) {
		if (rc != -ENOMEM)
			diag_error(diags, NULL, 0, 0, "listen: %s", err);
		goto out;
	}
	if (opt->nresources > 0) {
		if ((rc = config_set_strings(&cfg->resources, &cfg->nresources,
					     opt->resources,
					     opt->nresources)) < 0)
			goto out;
		free(cfg->resources_at);
		cfg->resources_at = NULL;
	}
	if (opt->state_file != NULL &&
	    (rc = config_set_string(&cfg->state_file, opt->state_file)) < 0)
		goto out;
	if (opt->nupstreams > 0 &&
	    (rc = config_set_strings(&cfg->upstreams, &cfg->nupstreams,
				     opt->upstreams, opt->nupstreams)) < 0)
		goto out;
	if (opt->store != NULL &&
	    (rc = config_set_string(&cfg->store, opt->store)) < 0)
		goto out;
	if (opt->verbosity > 0) {
		int level = (int)cfg->log_level + opt->verbosity;

		cfg->log_level = level > LOG_LEVEL_DEBUG ? LOG_LEVEL_DEBUG :
			(enum log_level)level;
	}
	*out = cfg;
	cfg = NULL;
out:
	if (rc == -ENOMEM)
		diag_error(diags, opt->config_file, 0, 0, "out of memory");
	config_free(cfg);
	return rc;
}

int
build_service_key(const struct resource_meta *meta, char *buf, size_t size)
{
	int n;

	if (meta->namespace != NULL)
		n = snprintf(buf, size, "%s/%s/%s.%s",
			     resource_kind_name(meta->kind),
			     meta->mesh ? meta->mesh : "-", meta->name,
			     meta->namespace);
	else
		n = snprintf(buf, size, "%s/%s/%s",
			     resource_kind_name(meta->kind),
			     meta->mesh ? meta->mesh : "-", meta->name);
	return n < 0 || (size_t)n >= size ? -1 : 0;
}

/*
 * Read resources[@i] of @cfg into @units.  What has no position of its own
 * (a path that cannot be read) is reported at the config line that listed
 * it, or as the command line's -r.  Returns resource_units_load_path()'s.
 */
static int
load_resources(struct resource_units *units, const struct config *cfg,
	       size_t i, struct diag_list *diags)
{
	const struct config_pos *at = NULL;
	struct diag_list here;
	size_t j;
	int rc;

	diag_list_init(&here);
	rc = resource_units_load_path(units, i, cfg->resources[i], &here);
	if (cfg->resources_at != NULL && cfg->file != NULL)
		at = &cfg->resources_at[i];
	for (j = 0; j < here.n; j++) {
		const struct diag *d = &here.v[j];

		if (d->file != NULL)
			diag_add(diags, d->severity, d->file, d->line,
				 d->column, "%s", d->msg);
		else if (at != NULL)
			diag_add(diags, d->severity, cfg->file, at->line,
				 at->column, "resources: %s", d->msg);
		else
			diag_add(diags, d->severity, NULL, 0, 0, "-r: %s",
				 d->msg);
	}
	if (here.oom)
		diags->oom = 1;
	diag_list_clear(&here);
	return rc;
}

/* What units read for @cfg and @opt hold: their paths, zone, options. */
static uint64_t
units_tag(const struct config *cfg, const struct build_options *opt)
{
	uint64_t d = digest_str(0, cfg->zone);
	size_t i;

	d = digest_str(d, cfg->file);
	d = digest_u64(d, (uint64_t)opt->keep_specs);
	for (i = 0; i < cfg->nresources; i++)
		d = digest_str(d, cfg->resources[i]);
	return digest_u64(d, cfg->nresources) | 1;
}

/*
 * The resource files of a build: the changed paths of @in read into its
 * units (what changed appended to @changes), or every path into new units
 * (*@units, the caller's to free also on failure).  -ENOMEM, or 0.
 */
static int
read_resources(struct resource_units **units, const struct config *cfg,
	       const struct build_options *opt, struct build_input *in,
	       struct resource_changes *changes, struct diag_list *diags)
{
	uint64_t tag = units_tag(cfg, opt);
	size_t i;
	int rc;

	*units = NULL;
	if (in != NULL && !in->full && in->units != NULL &&
	    resource_units_tag(in->units) == tag) {
		for (i = 0; i < in->nchanged; i++) {
			const struct build_path *p = &in->changed[i];

			if (p->group >= cfg->nresources)
				continue;
			rc = resource_units_sync(in->units, p->group, p->path,
						 diags, in->kept != NULL ?
						 in->kept : diags, changes);
			if (rc < 0)
				return rc;
		}
		return 0;
	}
	if ((*units = resource_units_new(cfg->zone)) == NULL)
		return -ENOMEM;
	resource_units_set_tag(*units, tag);
	resource_units_keep_yaml(*units, opt->keep_specs);
	if (cfg->file != NULL)
		resource_units_skip_file(*units, cfg->file);
	for (i = 0; i < cfg->nresources; i++)
		if ((rc = load_resources(*units, cfg, i, diags)) == -ENOMEM)
			return rc;
	return 0;
}

/* Compile every generator's template; the ones that fail are left out. */
static int
compile_generators(const struct generate_result *gen,
		   struct hostname_gen **out, size_t *nout,
		   struct diag_list *diags)
{
	struct hostname_gen *gens = NULL;
	size_t n = 0;
	size_t i;

	gens = calloc(gen->ngenerators + 1, sizeof(*gens));
	if (gens == NULL)
		return -ENOMEM;
	for (i = 0; i < gen->ngenerators; i++) {
		const struct resource_hostname_generator *g =
			gen->generators[i];
		struct tmpl *t = NULL;
		struct tmpl_error err;
		char msg[1024];
		int rc;

		memset(&err, 0, sizeof(err));
		rc = tmpl_compile(&t, g->template, &err);
		if (rc == -ENOMEM) {
			free(gens);
			return rc;
		}
		if (rc < 0) {
			diag_error(diags, g->template_pos.file,
				   g->template_pos.line, g->template_pos.column,
				   "HostnameGenerator \"%s\": spec.template: "
				   "couldn't parse template: line %d, column "
				   "%d of the template: %s", g->meta.name,
				   err.line, err.column, err.msg);
			continue;
		}
		if (hostname_check_template(t, msg, sizeof(msg)) < 0) {
			diag_error(diags, g->template_pos.file,
				   g->template_pos.line, g->template_pos.column,
				   "HostnameGenerator \"%s\": spec.template: %s",
				   g->meta.name, msg);
		/*
		 * Kuma refuses it at apply time; one stored before Kuma
		 * checked gives every service a TemplateError, as here.
		 */
		}
		gens[n].res = g;
		gens[n].tmpl = t;
		n++;
	}
	hostname_gens_sort(gens, n);
	*out = gens;
	*nout = n;
	return 0;
}

static void
free_generators(struct hostname_gen *gens, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		tmpl_free((struct tmpl *)gens[i].tmpl);
	free(gens);
}

/* What one build carries between its steps. */
struct build_ctx {
	struct snapshot *s;
	struct table_builder *b;
	struct table_patch *p;		/* incremental: instead of @b */
	struct diag_list *diags;
	struct hostname_claims *claims;
	struct hostname_result *results;	/* whose names @claims borrows */
	size_t nresults;
	struct generate_options gopt;
	char **zones;			/* every served zone, by table index */
	size_t nzones;
	int catalog;			/* transfer.catalog's index in zones,
					 * the last one, or -1: none */
	/* pools[k] IPv4 (or whatever vip.pools.<k> says), pools[N + k] the
	 * IPv6 one of dns.aaaa: pool; has[] says which exist. */
	struct netaddr_cidr pools[2 * CONFIG_POOL_COUNT];
	int has[2 * CONFIG_POOL_COUNT];
	/* The pools that exist, for vip_allocate(), and where each went. */
	struct netaddr_cidr used[2 * CONFIG_POOL_COUNT];
	size_t nused;
	size_t compact[2 * CONFIG_POOL_COUNT];
	/* The meshes, sorted: a mesh's table scope is its index, when
	 * there are two or more (else everything is shared). */
	const char **meshes;
	size_t nmeshes;
	/* The previous state's generated MeshServices, for generate. */
	struct generate_known *known;
	size_t nknown;
	/* Kuma's store: the VIPs it recorded for legacy names. */
	struct store_legacy_vips legacy_vips;
};

static const enum config_pool_kind kind_pool[RESOURCE_KIND_COUNT] = {
	[RESOURCE_MESH_SERVICE] = CONFIG_POOL_MESH_SERVICE,
	[RESOURCE_MESH_EXTERNAL_SERVICE] = CONFIG_POOL_MESH_EXTERNAL_SERVICE,
	[RESOURCE_MESH_MULTI_ZONE_SERVICE] = CONFIG_POOL_MESH_MULTI_ZONE_SERVICE,
};

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/*
 * The meshes that have names or clients: of services, legacy names and
 * Dataplanes.  Each is a scope of the table (its own namespace, as in
 * Kuma) when there are two or more.
 */
/*
 * Add @mesh to the sorted set @v of @n (room for one more), unless it is
 * @last (the mesh added or found last: meshes come in runs) or in it.
 */
static void
mesh_put(const char **v, size_t *n, const char **last, const char *mesh)
{
	size_t lo = 0;
	size_t hi = *n;

	if (mesh == NULL || (*last != NULL && (mesh == *last ||
					       strcmp(mesh, *last) == 0)))
		return;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int d = strcmp(v[mid], mesh);

		if (d == 0) {
			*last = v[mid];
			return;
		}
		if (d < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	memmove(&v[lo + 1], &v[lo], (*n - lo) * sizeof(*v));
	v[lo] = mesh;
	(*n)++;
	*last = mesh;
}

static int
collect_meshes(struct build_ctx *c)
{
	const struct snapshot *s = c->s;
	size_t max = s->nservices + s->nlegacy + s->set->ndataplanes;
	const char **v = NULL;
	const char *last = NULL;
	size_t n = 0;
	size_t i;

	if ((v = calloc(max + 1, sizeof(*v))) == NULL)
		return -ENOMEM;
	for (i = 0; i < s->nservices; i++)
		mesh_put(v, &n, &last, s->service_keys[i].mesh);
	for (i = 0; i < s->nlegacy; i++)
		mesh_put(v, &n, &last, s->legacy[i].mesh);
	for (i = 0; i < s->set->ndataplanes; i++)
		mesh_put(v, &n, &last, s->set->dataplanes[i].meta.mesh);
	c->nmeshes = n;
	c->meshes = v;
	return 0;
}

/* The table scope of @mesh's names; TABLE_SCOPE_NONE with one mesh. */
static uint32_t
mesh_scope(const struct build_ctx *c, const char *mesh)
{
	const char **m = NULL;

	if (c->nmeshes < 2 || mesh == NULL)
		return TABLE_SCOPE_NONE;
	m = bsearch(&mesh, c->meshes, c->nmeshes, sizeof(*c->meshes),
		    cmp_str);
	return m != NULL ? (uint32_t)(m - c->meshes) : TABLE_SCOPE_NONE;
}

/* Serve @apex (once). */
static int
add_zone(struct build_ctx *c, const char *apex)
{
	char **v = NULL;
	size_t i;

	for (i = 0; i < c->nzones; i++)
		if (strcmp(c->zones[i], apex) == 0)
			return 0;
	if ((v = realloc(c->zones, (c->nzones + 1) * sizeof(*v))) == NULL)
		return -ENOMEM;
	c->zones = v;
	if ((v[c->nzones] = strdup(apex)) == NULL)
		return -ENOMEM;
	c->nzones++;
	return 0;
}

/* The catalog zone's NS (RFC 9432 section 4.1: "invalid." recommended). */
static const char *const catalog_ns[] = { "invalid." };

static int
table_add_zone(struct build_ctx *c, const char *apex)
{
	const struct config *cfg = c->s->cfg;
	struct table_zone_params p;
	char err[256];

	memset(&p, 0, sizeof(p));
	p.apex = apex;
	p.mname = cfg->soa.mname;
	p.rname = cfg->soa.rname;
	p.refresh = cfg->soa.refresh;
	p.retry = cfg->soa.retry;
	p.expire = cfg->soa.expire;
	p.minimum = cfg->soa.minimum;
	p.ttl = cfg->ttl;
	p.ns = (const char *const *)cfg->ns;
	p.nns = cfg->nns;
	if (c->catalog >= 0 && strcmp(apex, c->zones[c->catalog]) == 0) {
		/*
		 * RFC 9432 section 4.1: a SOA and an NS the consumers ignore;
		 * TTL 0 as in its examples, no negative caching.
		 */
		p.ns = catalog_ns;
		p.nns = 1;
		p.ttl = 0;
		p.minimum = 0;
	}
	if (table_builder_add_zone(c->b, &p, err, sizeof(err)) < 0) {
		diag_error(c->diags, cfg->file, 0, 0, "dns zone \"%s\": %s",
			   apex, err);
		return -1;
	}
	return 0;
}

/*
 * The reverse zones of a pool: the in-addr.arpa (or nibble ip6.arpa)
 * zones at the first label boundary at or below the prefix, e.g. 241/8 ->
 * 241.in-addr.arpa, 240/4 -> 240..255.in-addr.arpa.  A pool that would
 * need more than 256 zones gets none (a warning).
 */
static int
add_reverse_zones(struct build_ctx *c, const struct netaddr_cidr *pool)
{
	int v4 = pool->base.family == AF_INET;
	unsigned step = v4 ? 8 : 4;
	unsigned labels = (pool->prefix + step - 1) / step;
	unsigned spare = labels * step - pool->prefix;
	unsigned count = 1u << spare;
	char name[128];
	unsigned z;
	int rc;

	if (spare > 8) {
		diag_warning(c->diags, c->s->cfg->file, 0, 0,
			     "pool %s: no reverse zones (it would take %u)",
			     pool->text, count);
		return 0;
	}
	for (z = 0; z < count; z++) {
		size_t off = 0;
		unsigned l;

		name[0] = '\0';
		for (l = labels; l > 0; l--) {
			unsigned idx = l - 1;
			unsigned v;

			if (v4)
				v = pool->base.b[idx];
			else
				v = (pool->base.b[idx / 2] >>
				     (idx % 2 ? 0 : 4)) & 0xf;
			if (l == labels)
				v += z;
			off += (size_t)snprintf(name + off, sizeof(name) - off,
						v4 ? "%u." : "%x.", v);
		}
		snprintf(name + off, sizeof(name) - off, "%s",
			 v4 ? "in-addr.arpa" : "ip6.arpa");
		if ((rc = add_zone(c, name)) < 0)
			return rc;
	}
	return 0;
}

/* The served zones: the config's, then the pools' reverse zones. */
static int
add_zones(struct build_ctx *c)
{
	const struct config *cfg = c->s->cfg;
	size_t i;
	int rc;

	c->catalog = -1;
	for (i = 0; i < cfg->ndns_zones; i++)
		if ((rc = add_zone(c, cfg->dns_zones[i])) < 0)
			return rc;
	for (i = 0; cfg->ptr && i < 2 * CONFIG_POOL_COUNT; i++)
		if (c->has[i] && (rc = add_reverse_zones(c, &c->pools[i])) < 0)
			return rc;
	if (cfg->transfer_catalog == NULL)
		return 0;
	for (i = 0; i < c->nzones; i++) {
		if (strcmp(c->zones[i], cfg->transfer_catalog) == 0) {
			diag_error(c->diags, cfg->file, 0, 0, "transfer.catalog "
				   "%s is a served zone; expected a name of its "
				   "own, such as catalog.invalid",
				   cfg->transfer_catalog);
			return -1;
		}
	}
	if ((rc = add_zone(c, cfg->transfer_catalog)) < 0)
		return rc;
	c->catalog = (int)c->nzones - 1;
	return 0;
}

/*
 * The addresses of in-zone NS names (dns.ns {name:, address:}): the
 * secondaries a hidden primary names in its NS set.
 */
static int
add_glue_records(struct build_ctx *c)
{
	const struct config *cfg = c->s->cfg;
	size_t i;
	int rc;

	for (i = 0; i < cfg->nglue; i++) {
		rc = table_builder_add_addr(c->b, cfg->glue[i].name,
					    cfg->glue[i].family,
					    cfg->glue[i].addr, cfg->ttl);
		if (rc == -ENOENT)
			diag_warning(c->diags, cfg->file, 0, 0, "dns.ns %s: "
				     "not in a served zone, so its address "
				     "%s is not served (only names inside "
				     "the zones need it)", cfg->glue[i].name,
				     cfg->glue[i].address);
		else if (rc < 0)
			return rc;
	}
	return 0;
}

/*
 * The catalog zone (RFC 9432): version "2" and one PTR per served zone at
 * <id>.zones.<catalog>, where <id> is the FNV-1a-64 of the member's name
 * (lower case, final dot), in hex: the same member keeps its ID across
 * builds, restarts and versions, so a consumer never resets it.
 */
static int
add_catalog_records(struct build_ctx *c)
{
	const char *cat = NULL;
	char owner[300], target[260];
	size_t i;
	int rc;

	if (c->catalog < 0)
		return 0;
	cat = c->zones[c->catalog];
	snprintf(owner, sizeof(owner), "version.%s", cat);
	if ((rc = table_builder_add_txt(c->b, owner, "2", 0)) < 0)
		return rc;
	for (i = 0; i < c->nzones; i++) {
		if ((int)i == c->catalog)
			continue;
		snprintf(target, sizeof(target), "%s.", c->zones[i]);
		snprintf(owner, sizeof(owner), "%016llx.zones.%s",
			 (unsigned long long)hash_fnv1a64_str(
				 HASH_FNV1A64_INIT, target), cat);
		if ((rc = table_builder_add_ptr(c->b, owner, target, 0)) < 0)
			return rc;
	}
	return 0;
}

static int
parse_pools(struct build_ctx *c)
{
	const struct config *cfg = c->s->cfg;
	char err[256];
	size_t k;

	for (k = 0; k < CONFIG_POOL_COUNT; k++) {
		if (netaddr_cidr_parse(&c->pools[k], cfg->pools[k], err,
				       sizeof(err)) < 0) {
			/* config.c validated it: a bug if it happens */
			diag_error(c->diags, cfg->file, 0, 0, "vip pool: %s",
				   err);
			return -1;
		}
		c->has[k] = 1;
		if (cfg->aaaa != CONFIG_AAAA_POOL || cfg->pools6[k] == NULL)
			continue;
		if (netaddr_cidr_parse(&c->pools[CONFIG_POOL_COUNT + k],
				       cfg->pools6[k], err, sizeof(err)) < 0) {
			diag_error(c->diags, cfg->file, 0, 0, "vip pool: %s",
				   err);
			return -1;
		}
		c->has[CONFIG_POOL_COUNT + k] = 1;
	}
	for (k = 0; k < 2 * CONFIG_POOL_COUNT; k++) {
		if (!c->has[k])
			continue;
		c->compact[k] = c->nused;
		c->used[c->nused++] = c->pools[k];
	}
	return 0;
}

/*
 * Service @i's meta @m, and its key (build_service_key) from @k, @m's
 * digest and mesh (NULL: read from @m).
 */
static void
service_set_meta(struct snapshot *s, size_t i, const struct resource_meta *m,
		 const struct resource_key *k)
{
	uint64_t digest = k != NULL ? k->digest : m->digest;

	/* The kind the caller set: m->kind is a miss when @k is given. */
	s->services[i].meta = m;
	s->service_keys[i].doc = digest == 0 ? 0 :
				 digest_u64(digest,
					    (uint64_t)s->services[i].kind);
	s->service_keys[i].mesh = k != NULL ? k->mesh : m->mesh;
}

/*
 * The key of MeshService @ms when it is one of @set's (index into
 * @keys, resource_set_keys(); NULL: none), else NULL: the service was
 * generated (from Dataplanes), not read.
 */
static const struct resource_key *
service_key_of(const struct resource_set *set, const struct resource_key *keys,
	       const struct resource_mesh_service *ms)
{
	uintptr_t p = (uintptr_t)ms;
	uintptr_t b = (uintptr_t)set->services;

	if (keys == NULL || p < b ||
	    p >= b + set->nservices * sizeof(*set->services))
		return NULL;
	return &keys[(p - b) / sizeof(*set->services)];
}

/* The services of every kind, in Kuma's processing order. */
static int
collect_services(struct snapshot *s)
{
	static const struct build_service none;
	const struct generate_result *gen = &s->gen;
	const struct resource_key *keys =
		resource_set_keys(s->set, RESOURCE_MESH_SERVICE);
	size_t n = gen->nexternal_services + gen->nservices +
		   gen->nmultizone_services;
	size_t i;
	size_t j = 0;

	/*
	 * Each element is zeroed as it is filled: one pass, not two; by
	 * assignment, which the compiler makes a few vector stores where a
	 * memset() of each became a `rep stos` a third of this loop.
	 */
	if (n + 1 > SIZE_MAX / sizeof(*s->services) ||
	    (s->services = bigarray_alloc((n + 1) *
					  sizeof(*s->services))) == NULL ||
	    (s->service_keys = bigarray_calloc(n + 1,
					       sizeof(*s->service_keys))) ==
	    NULL)
		return -ENOMEM;
	memset(&s->services[n], 0, sizeof(*s->services));
	for (i = 0; i < gen->nexternal_services; i++, j++) {
		s->services[j] = none;
		s->services[j].kind = RESOURCE_MESH_EXTERNAL_SERVICE;
		s->services[j].mes = gen->external_services[i];
		service_set_meta(s, j, &gen->external_services[i]->meta, NULL);
	}
	for (i = 0; i < gen->nservices; i++, j++) {
		const struct generate_service *g = &gen->services[i];

		s->services[j] = none;
		s->services[j].kind = RESOURCE_MESH_SERVICE;
		s->services[j].res = g->res;
		service_set_meta(s, j, &g->res->meta,
				 service_key_of(s->set, keys, g->res));
		s->services[j].conditions = g->conditions;
		s->services[j].nconditions = g->nconditions;
	}
	for (i = 0; i < gen->nmultizone_services; i++, j++) {
		const struct generate_mzs *g = &gen->multizone_services[i];

		s->services[j] = none;
		s->services[j].kind = RESOURCE_MESH_MULTI_ZONE_SERVICE;
		s->services[j].mzs = g->res;
		service_set_meta(s, j, &g->res->meta, NULL);
		s->services[j].matches = g->matches;
		s->services[j].nmatches = g->nmatches;
	}
	s->nservices = n;
	s->service_count = n;
	return 0;
}

/*
 * Give @bs a shared copy of @r in block @b (hostname_block_share()); @r
 * is left as it is.  0 or -ENOMEM.
 */
static int
service_share_names(struct build_service *bs, struct hostname_block *b,
		    const struct hostname_result *r)
{
	const struct hostname_result *sh = hostname_block_share(b, r);

	if (sh == NULL)
		return -ENOMEM;
	bs->names = sh;
	bs->hostnames = *sh;
	return 0;
}

/*
 * Give @bs @old's names: the same shared result, reached through the
 * same block (the caller's snapshot takes a reference on it); nothing
 * of the result itself is read.
 */
static void
service_keep_names(struct build_service *bs, const struct build_service *old)
{
	bs->names = old->names;
	bs->hostnames = old->hostnames;
}

/*
 * Past this many blocks an apply folds all but the biggest into one
 * (blocks_fold()): a snapshot is freed with one unref per block.  A
 * test may compile this file in with a small one (test_incr_fold.c).
 */
#ifndef BUILD_MAX_BLOCKS
#define BUILD_MAX_BLOCKS 4096
#endif

/*
 * Drop the names of every service of @s and its references on their
 * blocks (the services borrow nothing then).
 */
static void
blocks_clear(struct snapshot *s)
{
	size_t i;

	for (i = 0; i < s->nservices; i++) {
		s->services[i].names = NULL;
		memset(&s->services[i].hostnames, 0,
		       sizeof(s->services[i].hostnames));
	}
	snapshot_drop_blocks(s);
}

/* Where block @b is, or would go, in @v (@n, sorted by address). */
static size_t
blocks_lower_bound(const struct build_block *v, size_t n,
		   const struct hostname_block *b)
{
	size_t lo = 0;
	size_t hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if ((uintptr_t)v[mid].block < (uintptr_t)b)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* The index of block @b in @v (sorted by address), or @n. */
static size_t
blocks_find(const struct build_block *v, size_t n,
	    const struct hostname_block *b)
{
	size_t at = blocks_lower_bound(v, n, b);

	return at < n && v[at].block == b ? at : n;
}

/*
 * Put @b (its reference taken over) with @count services into @v, of
 * @*n entries sorted by address and room for one more.
 */
static void
blocks_insert(struct build_block *v, size_t *n, struct hostname_block *b,
	      size_t count)
{
	size_t at = blocks_lower_bound(v, *n, b);

	memmove(v + at + 1, v + at, (*n - at) * sizeof(*v));
	v[at].block = b;
	v[at].count = count;
	(*n)++;
}

/*
 * Fold blocks of @s into one new block: with @many (too many blocks),
 * every block but the one with the most services; else the sparse ones,
 * where fewer than half the results are still some service's.  Their
 * services' results are shared again into the new block (the services
 * point there), and their references dropped: other snapshots that
 * reach the old blocks hold their own.  0 or -ENOMEM (then @s is as it
 * was, but for services pointing at equal copies in a block freed with
 * it: -ENOMEM fails the build, which frees @s).
 */
static int
blocks_fold(struct snapshot *s, int many)
{
	struct build_block *v = s->blocks;
	unsigned char *sel = calloc(s->nblocks + 1, 1);
	struct hostname_block *nb = NULL;
	size_t biggest = 0;
	size_t nsel = 0;
	size_t moved = 0;
	size_t n = 0;
	size_t i;
	size_t k;
	int rc = -ENOMEM;

	if (sel == NULL)
		goto out;
	for (k = 0; k < s->nblocks; k++)
		if (v[k].count > v[biggest].count)
			biggest = k;
	for (k = 0; k < s->nblocks; k++) {
		if (many)
			sel[k] = k != biggest;
		else
			sel[k] = 2 * v[k].count <
				 hostname_block_results(v[k].block);
		if (sel[k])
			nsel += v[k].count;
	}
	rc = 0;
	if (nsel == 0)
		goto out;
	rc = -ENOMEM;
	if ((nb = hostname_block_new()) == NULL)
		goto out;
	for (i = 0; i < s->nservices; i++) {
		struct build_service *bs = &s->services[i];

		k = blocks_find(v, s->nblocks,
				hostname_result_block(bs->names));
		assert(k < s->nblocks);
		if (!sel[k])
			continue;
		if ((rc = service_share_names(bs, nb, bs->names)) < 0)
			goto out;
		moved++;
	}
	/* The counts were right: every selected block is left behind. */
	assert(moved == nsel);
	for (k = 0; k < s->nblocks; k++) {
		if (sel[k])
			hostname_block_unref(v[k].block);
		else
			v[n++] = v[k];
	}
	blocks_insert(v, &n, nb, moved);
	nb = NULL;
	s->nblocks = n;
	rc = 0;
out:
	if (nb != NULL) {
		/* Keep the block the services may point at now. */
		blocks_insert(v, &s->nblocks, nb, 0);
	}
	free(sel);
	return rc;
}

/*
 * The blocks of an apply's snapshot @s from those of its base @base:
 * each referenced again, less the services of @base that changed or
 * went (those not @kept, indexed as base->services), those left with
 * none dropped; and @nb (its reference taken over; NULL: no service computed
 * its names) for the @nnew services that did.  Then folded if there are
 * too many or they hold too much that no service uses.  0 or -ENOMEM.
 */
static int
incr_blocks(struct snapshot *s, const struct snapshot *base,
	    const unsigned char *kept, struct hostname_block *nb, size_t nnew)
{
	struct build_block *v = calloc(base->nblocks + 2, sizeof(*v));
	size_t results = 0;
	size_t n = 0;
	size_t j;
	size_t k;
	int rc;

	if (v == NULL) {
		hostname_block_unref(nb);
		return -ENOMEM;
	}
	if (base->nblocks > 0)		/* base->blocks may be NULL */
		memcpy(v, base->blocks, base->nblocks * sizeof(*v));
	for (j = 0; j < base->nservices; j++) {
		if (kept[j])
			continue;
		k = blocks_find(v, base->nblocks, hostname_result_block(
					base->services[j].names));
		assert(k < base->nblocks && v[k].count > 0);
		v[k].count--;
	}
	for (k = 0; k < base->nblocks; k++) {
		if (v[k].count == 0)
			continue;
		v[n] = v[k];
		hostname_block_ref(v[n].block);
		results += hostname_block_results(v[n].block);
		n++;
	}
	if (nb != NULL) {
		blocks_insert(v, &n, nb, nnew);
		results += nnew;
	}
	s->blocks = v;
	s->nblocks = n;
	if (n > BUILD_MAX_BLOCKS) {
		if ((rc = blocks_fold(s, 1)) < 0)
			return rc;
		results = 0;
		for (k = 0; k < s->nblocks; k++)
			results += hostname_block_results(s->blocks[k].block);
	}
	/* Less than half of what the blocks hold is in use: fold. */
	if (results > 2 * s->nservices + 16)
		return blocks_fold(s, 0);
	return 0;
}

/*
 * The names the services of a snapshot claim (snapshot->names), kept
 * for the next build_apply(), which must know whether a changed
 * service's new name is another's without claiming every unchanged name
 * again.  An epoch, shared between snapshots, is a claims set of every
 * service's names as one build had them; it borrows the names from the
 * shared results (a reference held on each block of the snapshot it is
 * made from) and the meshes from its own copies.  Each snapshot has,
 * besides, what changed since the epoch: a small sorted list of names
 * claimed or freed, copied and amended by each apply, and folded into a
 * new epoch once it is long.
 */
struct names_epoch {
	atomic_size_t refs;
	struct hostname_claims *claims;
	struct hostname_block **blocks;	/* where the names live: the
					 * snapshot's it was made from */
	size_t nblocks;
	char **meshes;
	size_t nmeshes;
};

struct names_delta {
	char *mesh;			/* "" for none */
	char *name;
	int claimed;			/* else freed */
};

struct build_names {
	struct names_epoch *epoch;
	struct names_delta *d;		/* sorted by mesh, then name */
	size_t n;
	size_t collisions;		/* services that lost a name */
};

static int incr_has_collision(const struct hostname_result *r);
struct incr_ctx;
static int incr_keep_vips(const struct build_ctx *c, struct incr_ctx *x,
			  size_t i, const struct build_service *old);

/*
 * Past this many changed names an apply makes a new epoch (from its
 * services': the cost of a full claims loop, once in so many applies).
 */
static size_t
names_delta_max(size_t nservices)
{
	return nservices / 8 + 16 < 1024 ? nservices / 8 + 16 : 1024;
}

static void
epoch_unref(struct names_epoch *e)
{
	size_t i;

	if (e == NULL || atomic_fetch_sub_explicit(&e->refs, 1,
						   memory_order_acq_rel) > 1)
		return;
	hostname_claims_free(e->claims);
	for (i = 0; i < e->nblocks; i++)
		hostname_block_unref(e->blocks[i]);
	free(e->blocks);
	for (i = 0; i < e->nmeshes; i++)
		free(e->meshes[i]);
	free(e->meshes);
	free(e);
}

static void
delta_free(struct names_delta *d, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(d[i].mesh);
		free(d[i].name);
	}
	free(d);
}

void
build_names_free(struct build_names *x)
{
	if (x == NULL)
		return;
	epoch_unref(x->epoch);
	delta_free(x->d, x->n);
	free(x);
}

/* The epoch's copy of @mesh ("" for NULL), made if needed; NULL: ENOMEM. */
static const char *
epoch_mesh(struct names_epoch *e, const char *mesh)
{
	char **v = NULL;
	size_t i;

	if (mesh == NULL)
		mesh = "";
	for (i = e->nmeshes; i-- > 0;)
		if (strcmp(e->meshes[i], mesh) == 0)
			return e->meshes[i];
	if ((v = realloc(e->meshes, (e->nmeshes + 1) * sizeof(*v))) == NULL)
		return NULL;
	e->meshes = v;
	if ((v[e->nmeshes] = strdup(mesh)) == NULL)
		return NULL;
	return v[e->nmeshes++];
}

/*
 * An epoch of the names of @s's services (their shared results, in
 * @s's blocks); NULL on ENOMEM.
 */
static struct names_epoch *
epoch_new(const struct snapshot *s)
{
	const struct build_service *v = s->services;
	size_t n = s->nservices;
	struct names_epoch *e = calloc(1, sizeof(*e));
	const char *mesh = NULL;
	const char *last = NULL;
	size_t total = 0;
	size_t i;
	size_t j;

	if (e == NULL)
		return NULL;
	atomic_init(&e->refs, 1);
	for (i = 0; i < n; i++)
		total += v[i].hostnames.naddresses;
	if ((e->claims = hostname_claims_new()) == NULL ||
	    hostname_claims_reserve(e->claims, total) < 0 ||
	    (e->blocks = calloc(s->nblocks + 1, sizeof(*e->blocks))) == NULL)
		goto fail;
	for (i = 0; i < s->nblocks; i++)
		e->blocks[e->nblocks++] = hostname_block_ref(s->blocks[i].block);
	for (i = 0; i < n; i++) {
		const struct build_service *bs = &v[i];

		if (bs->hostnames.naddresses == 0)
			continue;
		/* Every service has its shared result (build_from()). */
		assert(bs->names != NULL);
		if (mesh == NULL || last != bs->meta->mesh) {
			if ((mesh = epoch_mesh(e, bs->meta->mesh)) == NULL)
				goto fail;
			last = bs->meta->mesh;
		}
		for (j = 0; j < bs->names->naddresses; j++)
			if (hostname_claims_borrow(e->claims, mesh,
				    bs->names->addresses[j].hostname) < 0)
				goto fail;
	}
	return e;
fail:
	epoch_unref(e);
	return NULL;
}

static int
delta_cmp(const char *ma, const char *na, const char *mb, const char *nb)
{
	int r = strcmp(ma, mb);

	return r != 0 ? r : strcmp(na, nb);
}

/* The entry of @mesh and @name in @x's delta, or NULL. */
static struct names_delta *
delta_find(const struct build_names *x, const char *mesh, const char *name)
{
	size_t lo = 0;
	size_t hi = x->n;

	if (mesh == NULL)
		mesh = "";
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int d = delta_cmp(x->d[mid].mesh, x->d[mid].name, mesh, name);

		if (d == 0)
			return &x->d[mid];
		if (d < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* Does a service of @x claim @name in @mesh? */
static int
names_has(const struct build_names *x, const char *mesh, const char *name)
{
	const struct names_delta *d = delta_find(x, mesh, name);

	if (d != NULL)
		return d->claimed;
	return hostname_claims_has(x->epoch->claims, mesh != NULL ? mesh : "",
				   name);
}

/* Mark @name in @mesh claimed or freed in @x's delta; 0 or -ENOMEM. */
static int
names_set(struct build_names *x, size_t *cap, const char *mesh,
	  const char *name, int claimed)
{
	struct names_delta *d = NULL;
	size_t lo = 0;
	size_t hi = x->n;

	if (mesh == NULL)
		mesh = "";
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int r = delta_cmp(x->d[mid].mesh, x->d[mid].name, mesh, name);

		if (r == 0) {
			x->d[mid].claimed = claimed;
			return 0;
		}
		if (r < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (x->n == *cap) {
		*cap = *cap ? 2 * *cap : 16;
		if ((d = realloc(x->d, *cap * sizeof(*d))) == NULL)
			return -ENOMEM;
		x->d = d;
	}
	d = &x->d[lo];
	memmove(d + 1, d, (x->n - lo) * sizeof(*d));
	x->n++;
	d->mesh = strdup(mesh);
	d->name = strdup(name);
	d->claimed = claimed;
	if (d->mesh == NULL || d->name == NULL)
		return -ENOMEM;		/* freed with the list */
	return 0;
}

/*
 * The names of @base's services but those not @kept (indexed as
 * base->services): its epoch, and its changes copied with theirs
 * freed.  0 or -ENOMEM.
 */
static int
names_from_base(struct build_names **out, size_t *cap,
		const struct snapshot *base, const unsigned char *kept)
{
	struct build_names *x = calloc(1, sizeof(*x));
	const struct build_names *b = base->names;
	size_t i;
	size_t j;
	int rc = -ENOMEM;

	*out = x;
	if (x == NULL)
		return rc;
	if (b != NULL) {
		atomic_fetch_add_explicit(&b->epoch->refs, 1,
					  memory_order_relaxed);
		x->epoch = b->epoch;
	} else if ((x->epoch = epoch_new(base)) == NULL) {
		return rc;
	}
	if (b != NULL && b->n > 0) {
		if ((x->d = calloc(b->n, sizeof(*x->d))) == NULL)
			return rc;
		*cap = b->n;
		for (i = 0; i < b->n; i++) {
			x->d[i].claimed = b->d[i].claimed;
			x->n++;
			if ((x->d[i].mesh = strdup(b->d[i].mesh)) == NULL ||
			    (x->d[i].name = strdup(b->d[i].name)) == NULL)
				return rc;
		}
	}
	x->collisions = b != NULL ? b->collisions : 0;
	for (i = 0; b == NULL && i < base->nservices; i++)
		if (incr_has_collision(&base->services[i].hostnames))
			x->collisions++;
	for (i = 0; i < base->nservices; i++) {
		const struct hostname_result *h = &base->services[i].hostnames;

		if (kept[i])
			continue;
		/* (A changed service that collides is a full build.) */
		if (incr_has_collision(h))
			x->collisions--;
		for (j = 0; j < h->naddresses; j++)
			if ((rc = names_set(x, cap, base->services[i].meta->mesh,
					    h->addresses[j].hostname, 0)) < 0)
				return rc;
	}
	return 0;
}

/* The names of a full build: a new epoch, nothing changed since. */
static int
names_full(struct snapshot *s)
{
	size_t i;

	if ((s->names = calloc(1, sizeof(*s->names))) == NULL ||
	    (s->names->epoch = epoch_new(s)) == NULL)
		return -ENOMEM;
	for (i = 0; i < s->nservices; i++)
		if (incr_has_collision(&s->services[i].hostnames))
			s->names->collisions++;
	return 0;
}

static int
generate_hostnames(struct build_ctx *c, const struct hostname_gen *gens,
		   size_t ngens)
{
	struct snapshot *s = c->s;
	struct hostname_item *items = NULL;
	struct hostname_result *results = NULL;
	struct hostname_zones served;
	size_t i;
	int rc = -ENOMEM;

	items = calloc(s->nservices + 1, sizeof(*items));
	results = calloc(s->nservices + 1, sizeof(*results));
	if (items == NULL || results == NULL)
		goto out;
	for (i = 0; i < s->nservices; i++)
		items[i].meta = s->services[i].meta;
	served.v = (const char *const *)c->zones;
	served.n = c->nzones;
	rc = hostname_generate(gens, ngens, items, s->nservices, s->cfg->zone,
			       &served, c->claims, results, c->diags);
	/* One block for every service's names. */
	if (rc == 0 && s->nservices > 0) {
		rc = -ENOMEM;
		if ((s->blocks = calloc(1, sizeof(*s->blocks))) == NULL ||
		    (s->blocks[0].block = hostname_block_new()) == NULL)
			goto out;
		s->blocks[0].count = s->nservices;
		s->nblocks = 1;
		rc = 0;
	}
	for (i = 0; rc == 0 && i < s->nservices; i++)
		rc = service_share_names(&s->services[i], s->blocks[0].block,
					 &results[i]);
out:
	/* The claims borrow the results' names: freed with the claims. */
	c->results = results;
	c->nresults = s->nservices;
	free(items);
	return rc;
}

/* The address a service asks for, if any (status.vips, ClusterIP...). */
static int
pinned_address(const struct build_service *bs, struct netaddr *out)
{
	const char *text = NULL;

	if (bs->res != NULL && bs->res->nvips > 0)
		text = bs->res->vips[0];
	else if (bs->mes != NULL)
		text = bs->mes->vip;
	else if (bs->mzs != NULL && bs->mzs->nvips > 0)
		text = bs->mzs->vips[0];
	return text != NULL && netaddr_parse(out, text) == 0;
}

/*
 * fromstore_waits() for a service of @s, counting in s->vip_errors the
 * vip_error it sets.
 */
static int
service_waits(struct snapshot *s, struct build_service *bs)
{
	int had = bs->vip_error != NULL;
	int rc = fromstore_waits(s->cfg, bs);

	if (!had && bs->vip_error != NULL)
		s->vip_errors++;
	return rc;
}

static int
vip_failure(struct build_ctx *c, struct build_service *bs,
	    const struct vip_result *r, const struct netaddr_cidr *pool)
{
	const struct resource_meta *m = bs->meta;
	char msg[1400];

	if (r->status == -ENOSPC)
		snprintf(msg, sizeof(msg), "could not allocate vip for %s %s: "
			 "no addresses left in pool %s",
			 resource_kind_name(m->kind), m->name, pool->text);
	else
		snprintf(msg, sizeof(msg), "status: the vip asked for is "
			 "already the vip of %s", r->other);
	if (bs->vip_error == NULL) {
		if ((bs->vip_error = strdup(msg)) == NULL)
			return -ENOMEM;
		c->s->vip_errors++;
	}
	/*
	 * A warning, not an error: this service goes without a VIP (its
	 * status says why) and everything else is served, so a full pool
	 * does not block every other change.
	 */
	diag_warning(c->diags, m->pos.file, m->pos.line, m->pos.column, "%s",
		     msg);
	return 0;
}

/*
 * One VIP to ask the allocator for: of a service or a legacy name, from
 * its kind's pool or from that pool's IPv6 twin (dns.aaaa: pool).
 */
struct ask {
	char *key;			/* the state key, "#6" for the twin */
	size_t pool;			/* index into c->used */
	struct netaddr pin;		/* the address it pins, or none */
	struct netaddr *out;		/* where the VIP goes */
	struct build_service *bs;	/* the service, or NULL: */
	const struct build_legacy *legacy;	/* the legacy name */
};

/*
 * Put each allocated VIP where its ask says; a service that got none
 * has its status say why (vip_failure()), a legacy name a warning.  0 or
 * -ENOMEM.
 */
static int
vip_results(struct build_ctx *c, const struct ask *asks,
	    const struct vip_result *results, size_t n)
{
	size_t i;
	int rc;

	for (i = 0; i < n; i++) {
		const struct ask *a = &asks[i];

		if (results[i].status == 0) {
			*a->out = results[i].addr;
			continue;
		}
		if (a->bs != NULL) {
			rc = vip_failure(c, a->bs, &results[i],
					 &c->used[a->pool]);
			if (rc < 0)
				return rc;
			continue;
		}
		diag_warning(c->diags, NULL, 0, 0, "could not allocate vip for "
			     KUMA_TAG_SERVICE " %s (mesh %s): no addresses "
			     "left in pool %s; %s.mesh is not served",
			     a->legacy->service, a->legacy->mesh,
			     c->used[a->pool].text, a->legacy->service);
	}
	return 0;
}

/*
 * Append the asks of @key: one from @pool, and one from its IPv6 twin
 * when there is one; only the first pins @like->pin.  The rest is copied
 * from @like.  0 or -ENOMEM.
 */
static int
add_asks(struct build_ctx *c, struct ask *asks, size_t *n,
	 const struct ask *like, const char *key, size_t pool,
	 struct build_vips *vips)
{
	int v6;

	for (v6 = 0; v6 < 2; v6++) {
		size_t p = v6 ? CONFIG_POOL_COUNT + pool : pool;
		struct ask *a = &asks[*n];

		if (!c->has[p])
			continue;
		*a = *like;
		if (asprintf(&a->key, "%s%s", key, v6 ? "#6" : "") < 0) {
			a->key = NULL;
			return -ENOMEM;
		}
		a->pool = c->compact[p];
		a->out = v6 ? &vips->vip6 : &vips->vip;
		if (v6)
			memset(&a->pin, 0, sizeof(a->pin));
		(*n)++;
	}
	return 0;
}

/*
 * Allocate VIPs for every service, then every legacy name, into s->state;
 * each gets its kind's pool first, then the IPv6 twin.
 */
static int
allocate_vips(struct build_ctx *c, const struct state *prev, int64_t now)
{
	struct snapshot *s = c->s;
	size_t max = 2 * (s->nservices + s->nlegacy) + 1;
	struct ask *asks = calloc(max, sizeof(*asks));
	struct vip_request *reqs = calloc(max, sizeof(*reqs));
	struct vip_result *results = calloc(max, sizeof(*results));
	struct ask like;
	char key[1024];
	size_t n = 0;
	size_t i;
	int rc = -ENOMEM;

	if (asks == NULL || reqs == NULL || results == NULL)
		goto out;
	for (i = 0; i < s->nservices; i++) {
		struct build_service *bs = &s->services[i];

		/* Kuma's store: Kuma's allocator gives the VIPs. */
		if ((rc = service_waits(s, bs)) != 0) {
			if (rc < 0)
				goto out;
			continue;
		}
		memset(&like, 0, sizeof(like));
		like.bs = bs;
		if (build_service_key(bs->meta, key, sizeof(key)) < 0) {
			rc = -ENAMETOOLONG;
			goto out;
		}
		pinned_address(bs, &like.pin);
		if ((rc = add_asks(c, asks, &n, &like, key, kind_pool[bs->kind],
				   &bs->vips)) < 0)
			goto out;
	}
	for (i = 0; i < s->nlegacy; i++) {
		struct build_legacy *l = &s->legacy[i];

		if (fromstore_legacy(s->cfg, &c->legacy_vips, l))
			continue;
		memset(&like, 0, sizeof(like));
		like.legacy = l;
		snprintf(key, sizeof(key), "legacy/%s/%s", l->mesh, l->service);
		if ((rc = add_asks(c, asks, &n, &like, key, CONFIG_POOL_LEGACY,
				   &l->vips)) < 0)
			goto out;
	}
	for (i = 0; i < n; i++) {
		reqs[i].key = asks[i].key;
		reqs[i].pool = asks[i].pool;
		if (netaddr_is_set(&asks[i].pin))
			reqs[i].pinned = &asks[i].pin;
	}
	rc = -ENOMEM;
	if ((s->state = state_clone(prev)) == NULL)
		goto out;
	/* A build with errors left resources out: release nothing. */
	rc = vip_allocate(state_vips(s->state), c->used, c->nused, reqs, n,
			  results, now, s->cfg->hold_seconds,
			  c->diags->errors == 0);
	if (rc < 0)
		goto out;
	if ((rc = vip_results(c, asks, results, n)) < 0)
		goto out;
	rc = 0;
out:
	for (i = 0; asks != NULL && i < n; i++)
		free(asks[i].key);
	free(asks);
	free(reqs);
	free(results);
	return rc;
}

/* The reverse name of @a: "5.0.0.241.in-addr.arpa" or nibbles. */
static void
reverse_name(const struct netaddr *a, char *buf, size_t size)
{
	size_t off = 0;
	int i;

	if (a->family == AF_INET) {
		snprintf(buf, size, "%u.%u.%u.%u.in-addr.arpa", a->b[3], a->b[2],
			 a->b[1], a->b[0]);
		return;
	}
	for (i = 15; i >= 0; i--)
		off += (size_t)snprintf(buf + off, size - off, "%x.%x.",
					a->b[i] & 0xf, a->b[i] >> 4);
	snprintf(buf + off, size - off, "ip6.arpa");
}

/* A port name usable as an SRV label: "_<name>" (RFC 6335 style). */
static int
srv_label(const char *name, uint32_t port, char *buf, size_t size)
{
	const char *p = NULL;

	if (name == NULL) {
		snprintf(buf, size, "%u", port);
		return 0;
	}
	if (strlen(name) == 0 || strlen(name) > 62)
		return -1;
	for (p = name; *p != '\0'; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
		      *p == '-'))
			return -1;
	snprintf(buf, size, "%s", name);
	return 0;
}

static int
check_add(struct build_ctx *c, const struct resource_meta *m, int rc,
	  const char *name, const char *what)
{
	if (rc == -ENOMEM)
		return rc;
	if (rc < 0 && rc != -EEXIST)
		diag_warning(c->diags, m->pos.file, m->pos.line, m->pos.column,
			     "%s %s cannot be served (%s)", what, name,
			     strerror(-rc));
	return 0;
}

/*
 * Where the records of services go: the table builder, or in an
 * incremental build a patch of the previous table (table_patch.h).
 */
static int
out_addr_owned(struct build_ctx *c, const char *name, int family,
	       const uint8_t *addr, uint32_t ttl, uint32_t owner)
{
	if (c->p != NULL)
		return table_patch_add_addr_owned(c->p, name, family, addr,
						  ttl, owner);
	return table_builder_add_addr_owned(c->b, name, family, addr, ttl,
					    owner);
}

static int
out_srv(struct build_ctx *c, const char *name, uint16_t priority,
	uint16_t weight, uint16_t port, const char *target, uint32_t ttl)
{
	if (c->p != NULL)
		return table_patch_add_srv(c->p, name, priority, weight, port,
					   target, ttl);
	return table_builder_add_srv(c->b, name, priority, weight, port,
				     target, ttl);
}

static int
out_ptr(struct build_ctx *c, const char *name, const char *target,
	uint32_t ttl)
{
	if (c->p != NULL)
		return table_patch_add_ptr(c->p, name, target, ttl);
	return table_builder_add_ptr(c->b, name, target, ttl);
}

static int
out_set_owner(struct build_ctx *c, const char *name, uint32_t owner)
{
	if (c->p != NULL)
		return table_patch_set_owner(c->p, name, owner);
	return table_builder_set_owner(c->b, name, owner);
}

static void
out_scope(struct build_ctx *c, uint32_t scope)
{
	if (c->p != NULL)
		table_patch_set_scope(c->p, scope);
	else
		table_builder_set_scope(c->b, scope);
}

/* Is @name in a served zone (the builder's, or c->zones for a patch)? */
static int
out_in_zone(struct build_ctx *c, const char *name)
{
	struct hostname_zones z;

	if (c->p == NULL)
		return table_builder_find_zone(c->b, name) >= 0;
	z.v = (const char *const *)c->zones;
	z.n = c->nzones;
	return hostname_zones_has(&z, name);
}

/* SRV records of one hostname of @bs (dns.srv). */
static int
add_srv(struct build_ctx *c, const struct build_service *bs,
	const char *host, uint32_t owner)
{
	uint32_t ttl = c->s->cfg->ttl;
	const struct resource_port *ports = NULL;
	size_t nports = 0;
	size_t i;
	int rc;

	if (bs->res != NULL) {
		ports = bs->res->ports;
		nports = bs->res->nports;
	} else if (bs->mzs != NULL) {
		ports = bs->mzs->ports;
		nports = bs->mzs->nports;
	} else if (bs->mes != NULL && bs->mes->port > 0) {
		char name[600];

		snprintf(name, sizeof(name), "_%u._tcp.%s", bs->mes->port,
			 host);
		rc = out_srv(c, name, 0, 0,
					   (uint16_t)bs->mes->port, host, ttl);
		if ((rc = check_add(c, bs->meta, rc, name, "SRV")) < 0)
			return rc;
		out_set_owner(c, name, owner);
		rc = out_srv(c, host, 0, 0,
					   (uint16_t)bs->mes->port, host, ttl);
		return check_add(c, bs->meta, rc, host, "SRV");
	}
	for (i = 0; i < nports; i++) {
		char label[64];
		char name[600];

		if (srv_label(ports[i].name, ports[i].port, label,
			      sizeof(label)) < 0)
			continue;
		snprintf(name, sizeof(name), "_%s._tcp.%s", label, host);
		rc = out_srv(c, name, 0, 0,
					   (uint16_t)ports[i].port, host, ttl);
		if ((rc = check_add(c, bs->meta, rc, name, "SRV")) < 0)
			return rc;
		out_set_owner(c, name, owner);
		rc = out_srv(c, host, 0, 0,
					   (uint16_t)ports[i].port, host, ttl);
		if ((rc = check_add(c, bs->meta, rc, host, "SRV")) < 0)
			return rc;
	}
	return 0;
}

/* A and AAAA (dns.aaaa) records of one name; vips->vip is set. */
static int
add_name(struct build_ctx *c, const struct resource_meta *m,
	 const char *host, const struct build_vips *vips, uint32_t owner)
{
	const struct config *cfg = c->s->cfg;
	const struct netaddr *vip = &vips->vip;
	const struct netaddr *vip6 = &vips->vip6;
	int rc;

	rc = out_addr_owned(c, host, vip->family, vip->b,
					  cfg->ttl, owner);
	if ((rc = check_add(c, m, rc, host, "hostname")) < 0)
		return rc;
	if (cfg->aaaa == CONFIG_AAAA_MAPPED && vip->family == AF_INET) {
		uint8_t mapped[16] = { 0 };

		mapped[10] = 0xff;
		mapped[11] = 0xff;
		memcpy(mapped + 12, vip->b, 4);
		rc = out_addr_owned(c, host, AF_INET6, mapped,
						  cfg->ttl, owner);
		if ((rc = check_add(c, m, rc, host, "hostname")) < 0)
			return rc;
	}
	if (netaddr_is_set(vip6)) {
		rc = out_addr_owned(c, host, vip6->family,
						  vip6->b, cfg->ttl, owner);
		if ((rc = check_add(c, m, rc, host, "hostname")) < 0)
			return rc;
	}
	return 0;
}

static int
add_ptr(struct build_ctx *c, const struct resource_meta *m,
	const struct netaddr *vip, const char *host, uint32_t owner)
{
	char rev[128];
	int rc;

	if (!c->s->cfg->ptr)
		return 0;
	reverse_name(vip, rev, sizeof(rev));
	if (!out_in_zone(c, rev))
		return 0;	/* not in a pool's reverse zone (ClusterIP) */
	rc = out_ptr(c, rev, host, c->s->cfg->ttl);
	if (rc == -ENOENT)
		return 0;
	if ((rc = check_add(c, m, rc, rev, "PTR")) < 0)
		return rc;
	if (owner != TABLE_OWNER_NONE)
		out_set_owner(c, rev, owner);
	return 0;
}

/* The records of service @i (none without a VIP or a name). */
static int
add_service(struct build_ctx *c, size_t i)
{
	struct snapshot *s = c->s;
	const struct build_service *bs = &s->services[i];
	const struct hostname_result *h = &bs->hostnames;
	uint32_t owner = (uint32_t)i;
	size_t j;
	int rc;

	if (!netaddr_is_set(&bs->vips.vip) || h->naddresses == 0)
		return 0;
	out_scope(c, mesh_scope(c, bs->meta->mesh));
	for (j = 0; j < h->naddresses; j++) {
		const char *host = h->addresses[j].hostname;

		/* The same name from two generators: once. */
		if (j > 0 && strcmp(host, h->addresses[0].hostname) == 0)
			continue;
		rc = add_name(c, bs->meta, host, &bs->vips, owner);
		if (rc < 0)
			return rc;
		if (s->cfg->srv && (rc = add_srv(c, bs, host, owner)) < 0)
			return rc;
	}
	rc = add_ptr(c, bs->meta, &bs->vips.vip, h->addresses[0].hostname,
		     owner);
	if (rc == 0 && netaddr_is_set(&bs->vips.vip6))
		rc = add_ptr(c, bs->meta, &bs->vips.vip6,
			     h->addresses[0].hostname, owner);
	return rc;
}

static int
add_service_records(struct build_ctx *c)
{
	size_t i;
	int rc;

	for (i = 0; i < c->s->nservices; i++)
		if ((rc = add_service(c, i)) < 0)
			return rc;
	out_scope(c, TABLE_SCOPE_NONE);
	return 0;
}

/*
 * Legacy names: <service>.mesh (and the "_" -> "." variant) in the zone
 * "mesh", for meshes not in Exclusive mode, each in its mesh.  A name a
 * HostnameGenerator gave to a service of that mesh wins (a warning says
 * so).
 */
static int
add_legacy_records(struct build_ctx *c)
{
	struct snapshot *s = c->s;
	static const struct resource_meta none;
	size_t i;
	int v;
	int rc;

	for (i = 0; i < s->nlegacy; i++) {
		const struct build_legacy *l = &s->legacy[i];
		char name[2][600];

		if (!netaddr_is_set(&l->vips.vip))
			continue;
		table_builder_set_scope(c->b, mesh_scope(c, l->mesh));
		/* DNS names in lower case, both before they are compared. */
		snprintf(name[0], sizeof(name[0]), "%s.mesh", l->service);
		for (char *p = name[0]; *p != '\0'; p++)
			if (*p >= 'A' && *p <= 'Z')
				*p = (char)(*p - 'A' + 'a');
		memcpy(name[1], name[0], sizeof(name[1]));
		for (char *p = name[1]; *p != '\0'; p++)
			if (*p == '_')
				*p = '.';
		for (v = 0; v < 2; v++) {
			if (v == 1 && strcmp(name[0], name[1]) == 0)
				break;
			if (table_builder_find_zone(c->b, name[v]) < 0)
				continue;
			if (hostname_claims_has(c->claims, l->mesh,
						name[v]) ||
			    (s->names != NULL &&
			     names_has(s->names, l->mesh, name[v]))) {
				diag_warning(c->diags, NULL, 0, 0,
					     "legacy name %s of "
					     KUMA_TAG_SERVICE " %s (mesh %s) "
					     "is not served: a "
					     "HostnameGenerator gave it to "
					     "another service", name[v],
					     l->service, l->mesh);
				continue;
			}
			if ((rc = hostname_claims_add(c->claims, l->mesh,
						      name[v])) < 0)
				return rc;
			rc = add_name(c, &none, name[v], &l->vips,
				      TABLE_OWNER_NONE);
			if (rc < 0)
				return rc;
			if (v == 0 && (rc = add_ptr(c, &none, &l->vips.vip,
						    name[v],
						    TABLE_OWNER_NONE)) < 0)
				return rc;
		}
	}
	table_builder_set_scope(c->b, TABLE_SCOPE_NONE);
	return 0;
}

/* Does @bs have the port @port (a ref's port)? */
static int
has_port(const struct build_service *bs, uint32_t port)
{
	const struct resource_port *ports = NULL;
	size_t n = 0;
	size_t i;

	if (bs->mes != NULL)
		return bs->mes->port == port;
	if (bs->res != NULL) {
		ports = bs->res->ports;
		n = bs->res->nports;
	} else if (bs->mzs != NULL) {
		ports = bs->mzs->ports;
		n = bs->mzs->nports;
	}
	for (i = 0; i < n; i++)
		if (ports[i].port == port)
			return 1;
	return 0;
}

/*
 * Does reachable-backend reference @r select the service @bs?  A ref with
 * a port the service does not have gives no outbound in Kuma, so no name.
 */
static int
ref_selects(const struct resource_backend_ref *r,
	    const struct resource_dataplane *dp, const struct build_service *bs)
{
	const struct resource_meta *m = bs->meta;

	if (r->has_port && !has_port(bs, r->port))
		return 0;

	if (r->kind != m->kind || m->mesh == NULL || dp->meta.mesh == NULL ||
	    strcmp(m->mesh, dp->meta.mesh) != 0)
		return 0;
	if (r->name == NULL)
		return resource_labels_match(&m->labels, &r->labels);
	if (strcmp(r->name, m->name) != 0 &&
	    strcmp(r->name, resource_display_name(m)) != 0)
		return 0;
	if (r->namespace != NULL && (m->namespace == NULL ||
				     strcmp(r->namespace, m->namespace) != 0))
		return 0;
	return 1;
}

/*
 * Per-dataplane views (Kuma's reachable backends): a query's source
 * address is a Dataplane's networking.address.  A Dataplane that lists
 * reachableBackends sees only those services' names; in a mesh in
 * ReachableBackends mode one that lists none sees none of them.  Other
 * clients see everything, or only the names visible to all
 * (views.unknown-clients: none).  Legacy names are visible to all.
 *
 * With two meshes or more each mesh is a scope of the table: a Dataplane
 * resolves in its own mesh, any other client in views.default-mesh's
 * (nothing when that mesh has no names).
 */
static int
add_views(struct build_ctx *c)
{
	struct snapshot *s = c->s;
	const struct resource_set *set = s->set;
	size_t d;
	size_t i;
	size_t r;
	int rc;

	table_builder_set_default_view(c->b, s->cfg->views_unknown_all);
	if (c->nmeshes >= 2) {
		uint32_t def = mesh_scope(c, s->cfg->views_default_mesh);

		/* A mesh without names: a scope no name has. */
		table_builder_set_default_scope(c->b, def != TABLE_SCOPE_NONE ?
						def : (uint32_t)c->nmeshes);
	}
	for (d = 0; d < set->ndataplanes; d++) {
		const struct resource_dataplane *dp = &set->dataplanes[d];
		enum resource_mesh_mode mode = generate_mesh_mode(
			set, dp->meta.mesh, &c->gopt);
		struct netaddr a;
		int view;

		if (dp->address == NULL || netaddr_parse(&a, dp->address) < 0)
			continue;
		if (!dp->has_reachable_backends &&
		    mode != RESOURCE_MESH_MODE_REACHABLE_BACKENDS &&
		    s->cfg->views_unknown_all && c->nmeshes < 2)
			continue;	/* sees everything, as any client */
		view = table_builder_add_view(c->b, a.family, a.b);
		if (view < 0)
			return view == -ENOMEM ? -ENOMEM : 0;
		s->nviews++;
		if (c->nmeshes >= 2 &&
		    (rc = table_builder_view_set_scope(
			    c->b, view, mesh_scope(c, dp->meta.mesh))) < 0)
			return rc;
		if (!dp->has_reachable_backends) {
			if (mode != RESOURCE_MESH_MODE_REACHABLE_BACKENDS &&
			    (rc = table_builder_view_allow_all(c->b, view)) < 0)
				return rc;
			continue;
		}
		for (r = 0; r < dp->nbackends; r++)
			for (i = 0; i < s->nservices; i++)
				if (ref_selects(&dp->backends[r], dp,
						&s->services[i]) &&
				    (rc = table_builder_view_allow(
					    c->b, view, (uint32_t)i)) < 0)
					return rc;
	}
	return 0;
}

static int
set_serials(struct build_ctx *c, int64_t now)
{
	size_t i;

	for (i = 0; i < c->nzones; i++) {
		uint64_t digest = table_builder_zone_digest(c->b, (int)i);
		uint32_t serial = 0;
		int rc;

		rc = state_zone_serial(c->s->state, c->zones[i], digest,
				       (uint32_t)now, &serial);
		if (rc < 0)
			return rc;
		table_builder_set_serial(c->b, (int)i, serial);
	}
	return 0;
}

static const char *
chaos_text(const char *s)
{
	return s != NULL && s[0] != '\0' ? s : NULL;
}

static int
setup_table(struct build_ctx *c)
{
	const struct config *cfg = c->s->cfg;
	size_t i;
	int rc;

	if ((c->b = table_builder_new()) == NULL)
		return -ENOMEM;
	for (i = 0; i < c->nzones; i++)
		if ((rc = table_add_zone(c, c->zones[i])) < 0)
			return rc;
	rc = table_builder_set_chaos(c->b, chaos_text(cfg->chaos_version),
				     chaos_text(cfg->chaos_id),
				     chaos_text(cfg->chaos_hostname));
	if (rc < 0)
		return rc;
	for (i = 0; i < cfg->nsearch_suffixes; i++)
		if ((rc = table_builder_add_search_suffix(
			     c->b, cfg->search_suffixes[i])) == -ENOMEM)
			return rc;
	return 0;
}

static int
make_legacy(struct snapshot *s)
{
	size_t i;

	s->legacy = calloc(s->gen.nlegacy + 1, sizeof(*s->legacy));
	if (s->legacy == NULL)
		return -ENOMEM;
	for (i = 0; i < s->gen.nlegacy; i++) {
		s->legacy[i].mesh = s->gen.legacy[i].mesh;
		s->legacy[i].service = s->gen.legacy[i].service;
	}
	s->nlegacy = s->gen.nlegacy;
	return 0;
}

/*
 * The deletion grace period: the state file keeps every MeshService
 * generated from Dataplanes with its ports, as text: one port after the
 * other, separated by ",", each "<port>/<target>/<appProtocol>/<name>",
 * <target> a number, "@" and a name, or empty when absent, <appProtocol>
 * and <name> empty when absent; every byte but [A-Za-z0-9._-] of a name
 * or protocol written %XX; no port at all is "-".
 */
static int
plain_byte(unsigned char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
	       (ch >= '0' && ch <= '9') || ch == '.' || ch == '_' || ch == '-';
}

/* @v (NULL: nothing) at @p, escaped; returns the end. */
static char *
ports_put(char *p, const char *v)
{
	static const char hex[] = "0123456789ABCDEF";

	for (; v != NULL && *v != '\0'; v++) {
		unsigned char ch = (unsigned char)*v;

		if (plain_byte(ch)) {
			*p++ = (char)ch;
			continue;
		}
		*p++ = '%';
		*p++ = hex[ch >> 4];
		*p++ = hex[ch & 15];
	}
	return p;
}

static size_t
ports_room(const char *v)
{
	return v != NULL ? 3 * strlen(v) : 0;
}

/* The ports of @ms as the state file keeps them; NULL on ENOMEM. */
static char *
ports_text(const struct resource_mesh_service *ms)
{
	char *text = NULL;
	char *p = NULL;
	size_t room = 2;
	size_t i;

	for (i = 0; i < ms->nports; i++)
		room += 40 + ports_room(ms->ports[i].target_name) +
			ports_room(ms->ports[i].app_protocol) +
			ports_room(ms->ports[i].name);
	if ((text = malloc(room)) == NULL)
		return NULL;
	p = text;
	if (ms->nports == 0)
		*p++ = '-';
	for (i = 0; i < ms->nports; i++) {
		const struct resource_port *port = &ms->ports[i];

		p += sprintf(p, "%s%u/", i ? "," : "", (unsigned)port->port);
		if (port->has_target && port->target_is_name) {
			*p++ = '@';
			p = ports_put(p, port->target_name);
		} else if (port->has_target) {
			p += sprintf(p, "%u", (unsigned)port->target_port);
		}
		*p++ = '/';
		p = ports_put(p, port->app_protocol);
		*p++ = '/';
		p = ports_put(p, port->name);
	}
	*p = '\0';
	return text;
}

static int
hex_digit(char ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

/*
 * Unescape [@s, @e) into *@out (NULL when empty): 0, -EINVAL on a bad
 * escape or byte, -ENOMEM.
 */
static int
ports_get(char **out, const char *s, const char *e)
{
	char *v = NULL;
	char *p = NULL;

	*out = NULL;
	if (s == e)
		return 0;
	if ((v = malloc((size_t)(e - s) + 1)) == NULL)
		return -ENOMEM;
	for (p = v; s < e; s++) {
		int hi;
		int lo;

		if (plain_byte((unsigned char)*s)) {
			*p++ = *s;
			continue;
		}
		if (*s != '%' || e - s < 3 || (hi = hex_digit(s[1])) < 0 ||
		    (lo = hex_digit(s[2])) < 0 || (hi == 0 && lo == 0)) {
			free(v);
			return -EINVAL;
		}
		*p++ = (char)(hi << 4 | lo);
		s += 2;
	}
	*p = '\0';
	*out = v;
	return 0;
}

/* A decimal port number 1..65535 in [@s, @e). */
static int
ports_number(const char *s, const char *e, uint32_t *out)
{
	uint32_t v = 0;

	if (s == e)
		return -EINVAL;
	for (; s < e; s++) {
		if (*s < '0' || *s > '9' || (v = v * 10 +
		    (uint32_t)(*s - '0')) > 65535)
			return -EINVAL;
	}
	if (v == 0)
		return -EINVAL;
	*out = v;
	return 0;
}

static void
ports_free(struct resource_port *v, size_t n)
{
	size_t i;

	for (i = 0; v != NULL && i < n; i++) {
		free(v[i].name);
		free(v[i].target_name);
		free(v[i].app_protocol);
	}
	free(v);
}

/* One port "<port>/<target>/<appProtocol>/<name>" in [@s, @e). */
static int
ports_one(struct resource_port *p, const char *s, const char *e)
{
	const char *f[4];
	const char *fe[4];
	size_t i;
	int rc;

	for (i = 0; i < 4; i++) {
		const char *slash = i < 3 ? memchr(s, '/', (size_t)(e - s)) :
					    NULL;

		if (i < 3 && slash == NULL)
			return -EINVAL;
		f[i] = s;
		fe[i] = i < 3 ? slash : e;
		s = fe[i] + (i < 3);
	}
	if ((rc = ports_number(f[0], fe[0], &p->port)) < 0)
		return rc;
	if (f[1] < fe[1] && *f[1] == '@') {
		p->has_target = 1;
		p->target_is_name = 1;
		if ((rc = ports_get(&p->target_name, f[1] + 1, fe[1])) < 0)
			return rc;
		if (p->target_name == NULL)
			return -EINVAL;
	} else if (f[1] < fe[1]) {
		p->has_target = 1;
		if ((rc = ports_number(f[1], fe[1], &p->target_port)) < 0)
			return rc;
	}
	if ((rc = ports_get(&p->app_protocol, f[2], fe[2])) < 0)
		return rc;
	return ports_get(&p->name, f[3], fe[3]);
}

/*
 * The ports of ports_text() @text: 0 with *@out (ports_free()), -EINVAL
 * when @text is not such text, -ENOMEM.
 */
static int
ports_parse(const char *text, struct resource_port **out, size_t *nout)
{
	struct resource_port *v = NULL;
	const char *s = text;
	size_t n = 1;
	size_t i;
	int rc = 0;

	*out = NULL;
	*nout = 0;
	if (strcmp(text, "-") == 0)
		return 0;
	for (i = 0; text[i] != '\0'; i++)
		n += text[i] == ',';
	if ((v = calloc(n, sizeof(*v))) == NULL)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		const char *e = strchr(s, ',');

		if (e == NULL)
			e = s + strlen(s);
		if ((rc = ports_one(&v[i], s, e)) < 0)
			break;
		s = e + 1;
	}
	if (rc < 0) {
		ports_free(v, n);
		return rc;
	}
	*out = v;
	*nout = n;
	return 0;
}

/*
 * The previous state's generated MeshServices, for generate_run(); an
 * entry whose ports cannot be read (a hand-edited state file) is left
 * out: that MeshService gets no grace period.
 */
static int
known_from_state(struct build_ctx *c, const struct state *prev)
{
	const struct state_generated *v = NULL;
	size_t n = 0;
	size_t i;
	int rc;

	v = state_generated(prev, &n);
	if (n == 0)
		return 0;
	if ((c->known = calloc(n, sizeof(*c->known))) == NULL)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		struct generate_known *k = &c->known[c->nknown];
		struct resource_port *ports = NULL;
		size_t nports = 0;

		rc = ports_parse(v[i].ports, &ports, &nports);
		if (rc == -ENOMEM)
			return rc;
		if (rc < 0)
			continue;
		k->ports = ports;
		k->nports = nports;
		k->mesh = v[i].mesh;
		k->name = v[i].name;
		k->since = v[i].since;
		c->nknown++;
	}
	return 0;
}

static void
known_free(struct build_ctx *c)
{
	size_t i;

	for (i = 0; i < c->nknown; i++)
		ports_free((struct resource_port *)c->known[i].ports,
			   c->known[i].nports);
	free(c->known);
	c->known = NULL;
	c->nknown = 0;
}

/*
 * Keep this build's MeshServices generated from Dataplanes in its state,
 * with when their grace period began, for the next build.
 */
static int
record_generated(struct build_ctx *c)
{
	const struct generate_result *gen = &c->s->gen;
	struct state_generated *v = NULL;
	char **ports = NULL;
	size_t n = 0;
	size_t i;
	int rc = -ENOMEM;

	if ((v = calloc(gen->nservices + 1, sizeof(*v))) == NULL ||
	    (ports = calloc(gen->nservices + 1, sizeof(*ports))) == NULL)
		goto out;
	for (i = 0; i < gen->nservices; i++) {
		const struct resource_mesh_service *ms = gen->services[i].res;
		const char *mesh = ms->meta.mesh != NULL ? ms->meta.mesh :
							   "default";

		if (ms->origin != RESOURCE_FROM_DATAPLANES ||
		    !vip_word_ok(mesh) || !vip_word_ok(ms->meta.name))
			continue;
		v[n].mesh = mesh;
		v[n].name = ms->meta.name;
		v[n].since = gen->services[i].grace_since;
		if ((ports[n] = ports_text(ms)) == NULL)
			goto out;
		v[n].ports = ports[n];
		n++;
	}
	rc = state_set_generated(c->s->state, v, n);
out:
	for (i = 0; ports != NULL && i < n; i++)
		free(ports[i]);
	free(ports);
	free(v);
	return rc;
}

static void
generate_options_from(struct generate_options *o, const struct config *cfg)
{
	memset(o, 0, sizeof(*o));
	o->zone = cfg->zone;
	o->environment = cfg->kuma_environment;
	o->defaults = cfg->kuma_defaults;
	o->workload_labels = cfg->kuma_workload;
	o->default_mode = cfg->kuma_default_mode;
	o->grace = cfg->kuma_deletion_grace;
	/*
	 * Kuma's store holds what its zone control plane derives (the
	 * MeshServices of Dataplanes, the default HostnameGenerators):
	 * served as Kuma wrote it, as kuma-dp serves it.
	 */
	if (cfg->store != NULL) {
		o->from_store = 1;
		o->defaults = GENERATE_DEFAULTS_NONE;
	}
}

/*
 * Incremental builds (build_apply()): the names and VIPs of the services
 * a change did not touch are the previous snapshot's; only the others'
 * templates are rendered and only they ask the allocator.  A service is
 * untouched when the previous build had it with the same identity and the
 * same meta (labels, creation time: all that a template and Kuma's order
 * read) for its names, with the same pinned address for its VIP.  Where
 * that cannot give what a full build gives (a collision involving a
 * changed service, a service that had no VIP, a contested pin...) the
 * phase is done in full, and the snapshot says why (snapshot.h).
 */

/* An index of the previous snapshot's services by identity. */
struct incr_index {
	uint32_t *slot;			/* service index + 1, 0: empty */
	size_t mask;
};

static uint64_t
incr_str_hash(uint64_t h, const char *s)
{
	h = hash_fnv1a64_str(h, s != NULL ? s : "");
	return hash_fnv1a64(h, s != NULL ? "\1" : "\2", 1);
}

static uint64_t
incr_meta_hash(const struct resource_meta *m)
{
	uint64_t h = hash_fnv1a64(HASH_FNV1A64_INIT, &m->kind,
				  sizeof(m->kind));

	h = incr_str_hash(h, m->mesh);
	h = incr_str_hash(h, m->name);
	return incr_str_hash(h, m->namespace);
}

static int
incr_str_eq(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	return strcmp(a, b) == 0;
}

/* Same kind, mesh, name and namespace: the same service. */
static int
incr_same_id(const struct resource_meta *a, const struct resource_meta *b)
{
	return a->kind == b->kind && incr_str_eq(a->mesh, b->mesh) &&
	       incr_str_eq(a->name, b->name) &&
	       incr_str_eq(a->namespace, b->namespace);
}

/* The same for hostname generation: identity, shape, labels, order. */
static int
incr_same_meta(const struct resource_meta *a, const struct resource_meta *b)
{
	size_t i;

	if (!incr_same_id(a, b) || a->shape != b->shape ||
	    a->has_creation_time != b->has_creation_time ||
	    a->creation_ns != b->creation_ns || a->labels.n != b->labels.n)
		return 0;
	for (i = 0; i < a->labels.n; i++)
		if (strcmp(a->labels.v[i].key, b->labels.v[i].key) != 0 ||
		    strcmp(a->labels.v[i].value, b->labels.v[i].value) != 0)
			return 0;
	return 1;
}

/* The previous snapshot's service with @m's identity, or NULL. */
static const struct build_service *
incr_index_find(const struct incr_index *ix, const struct snapshot *base,
		const struct resource_meta *m)
{
	size_t pos = (size_t)hash_mix64(incr_meta_hash(m)) & ix->mask;

	for (; ix->slot[pos] != 0; pos = (pos + 1) & ix->mask) {
		const struct build_service *bs =
			&base->services[ix->slot[pos] - 1];

		if (incr_same_id(bs->meta, m))
			return bs;
	}
	return NULL;
}

/* What an incremental build carries between its steps. */
struct incr_ctx {
	const struct snapshot *base;
	struct incr_index ix;
	/* Per new service: the previous one it keeps names (VIPs) of. */
	const struct build_service **same_names;
	const struct build_service **same_vips;
	/* Per previous service: still here; its names kept. */
	unsigned char *kept;
	unsigned char *kept_names;
	/* Per new service: the same document as its previous one. */
	unsigned char *same_doc;
	/*
	 * Per new service: its VIPs are a copy of its same_vips' (incr_vips),
	 * so that incr_table need not compare them: a walk over these flags
	 * instead of over both snapshots' services (17 MB each at 100,000,
	 * half of an apply's table phase).
	 */
	unsigned char *vips_kept;
};

static void
incr_ctx_clear(struct incr_ctx *x)
{
	free(x->ix.slot);
	free(x->same_names);
	free(x->same_vips);
	free(x->kept);
	free(x->kept_names);
	free(x->same_doc);
	free(x->vips_kept);
	memset(x, 0, sizeof(*x));
}

/* The order of build_service lists: kind by kind, then Kuma's. */
static int
incr_kind_rank(enum resource_kind k)
{
	return k == RESOURCE_MESH_EXTERNAL_SERVICE ? 0 :
	       k == RESOURCE_MESH_SERVICE ? 1 : 2;
}

static int
incr_order(const struct resource_meta *a, const struct resource_meta *b)
{
	int ra = incr_kind_rank(a->kind);
	int rb = incr_kind_rank(b->kind);

	if (ra != rb)
		return ra < rb ? -1 : 1;
	return resource_meta_cmp(a, b);
}

/*
 * The same document read again (resource_meta.digest, 0 for generated
 * resources): the same identity, meta and pinned address.
 */
static int
incr_same_document(const struct build_service *a,
		   const struct build_service *b)
{
	return a->meta == b->meta ||
	       (a->meta->digest != 0 && a->meta->digest == b->meta->digest &&
		a->meta->kind == b->meta->kind);
}

/*
 * Is new service @i (of @s) the same document as previous service @j (of
 * @base)?  Their keys say so without reaching the resources, but for
 * generated ones (no document digest).
 */
static int
incr_same_at(const struct snapshot *s, size_t i, const struct snapshot *base,
	     size_t j)
{
	uint64_t k = s->service_keys[i].doc;

	return (k != 0 && k == base->service_keys[j].doc) ||
	       incr_same_document(&s->services[i], &base->services[j]);
}

/*
 * Record that new service @i is @old (the same identity); @same: the
 * same document (incr_same_at(), which the caller asked already).
 */
static void
incr_pair(struct incr_ctx *x, const struct snapshot *s, size_t i,
	  const struct build_service *old, int same)
{
	const struct build_service *bs = &s->services[i];
	struct netaddr a;
	struct netaddr b;
	int pa;
	int pb;

	x->kept[old - x->base->services] = 1;
	if (same) {
		x->same_doc[i] = 1;
		x->same_names[i] = old;
		x->kept_names[old - x->base->services] = 1;
		x->same_vips[i] = old;
		return;
	}
	if (incr_same_meta(old->meta, bs->meta)) {
		x->same_names[i] = old;
		x->kept_names[old - x->base->services] = 1;
	}
	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	pa = pinned_address(old, &a);
	pb = pinned_address(bs, &b);
	if (pa == pb && (!pa || netaddr_equal(&a, &b)))
		x->same_vips[i] = old;
}

/*
 * Which of this build's services have the names and VIPs of the previous
 * one; 0 or -ENOMEM.  Both lists are in the same order (kind, then
 * Kuma's): one walk over both pairs them, comparing documents' digests
 * first; what the walk leaves unpaired (a creation time changed) is
 * paired by identity through an index of the previous ones it left.
 */
static int
incr_match(struct build_ctx *c, struct incr_ctx *x)
{
	const struct snapshot *base = x->base;
	struct snapshot *s = c->s;
	size_t *left = NULL;	/* new services the walk left */
	size_t *bleft = NULL;	/* previous ones */
	size_t nleft = 0;
	size_t nbleft = 0;
	size_t i = 0;
	size_t j = 0;
	size_t k;
	size_t size = 16;
	int rc = -ENOMEM;

	x->same_names = calloc(s->nservices + 1, sizeof(*x->same_names));
	x->same_vips = calloc(s->nservices + 1, sizeof(*x->same_vips));
	x->kept = calloc(base->nservices + 1, 1);
	x->kept_names = calloc(base->nservices + 1, 1);
	x->same_doc = calloc(s->nservices + 1, 1);
	x->vips_kept = calloc(s->nservices + 1, 1);
	if (x->same_names == NULL || x->same_vips == NULL ||
	    x->kept == NULL || x->kept_names == NULL || x->same_doc == NULL ||
	    x->vips_kept == NULL)
		goto out;
	while (i < s->nservices && j < base->nservices) {
		int same = incr_same_at(s, i, base, j);
		int d = same ? 0 : incr_order(s->services[i].meta,
					      base->services[j].meta);

		if (d == 0) {
			incr_pair(x, s, i++, &base->services[j++], same);
			continue;
		}
		if (d < 0 && (left == NULL || nleft % 64 == 0)) {
			size_t *v = realloc(left, (nleft + 64) * sizeof(*v));

			if (v == NULL)
				goto out;
			left = v;
		}
		if (d > 0 && (bleft == NULL || nbleft % 64 == 0)) {
			size_t *v = realloc(bleft, (nbleft + 64) * sizeof(*v));

			if (v == NULL)
				goto out;
			bleft = v;
		}
		if (d < 0)
			left[nleft++] = i++;
		else
			bleft[nbleft++] = j++;
	}
	/* The rest of either list, and what the walk left, by identity. */
	if (i < s->nservices || j < base->nservices) {
		size_t *v = realloc(left, (nleft + s->nservices - i + 1) *
				    sizeof(*v));

		if (v == NULL)
			goto out;
		left = v;
		while (i < s->nservices)
			left[nleft++] = i++;
		v = realloc(bleft, (nbleft + base->nservices - j + 1) *
			    sizeof(*v));
		if (v == NULL)
			goto out;
		bleft = v;
		while (j < base->nservices)
			bleft[nbleft++] = j++;
	}
	rc = 0;
	if (nleft == 0 || nbleft == 0)
		goto out;
	while (size < 2 * nbleft + 2)
		size *= 2;
	rc = -ENOMEM;
	if ((x->ix.slot = calloc(size, sizeof(*x->ix.slot))) == NULL)
		goto out;
	x->ix.mask = size - 1;
	for (k = 0; k < nbleft; k++) {
		size_t pos = (size_t)hash_mix64(incr_meta_hash(
				base->services[bleft[k]].meta)) & x->ix.mask;

		while (x->ix.slot[pos] != 0)
			pos = (pos + 1) & x->ix.mask;
		x->ix.slot[pos] = (uint32_t)bleft[k] + 1;
	}
	for (k = 0; k < nleft; k++) {
		const struct build_service *old = NULL;

		old = incr_index_find(&x->ix, base,
				      s->services[left[k]].meta);
		if (old != NULL)
			incr_pair(x, s, left[k], old,
				  incr_same_at(s, left[k], base,
					       (size_t)(old - base->services)));
	}
	rc = 0;
out:
	free(left);
	free(bleft);
	return rc;
}

static int
incr_has_collision(const struct hostname_result *r)
{
	size_t i;

	for (i = 0; i < r->nconditions; i++)
		if (r->conditions[i].reason == HOSTNAME_COLLISION)
			return 1;
	return 0;
}

/*
 * Did a service that keeps its names lose a collision to a previous
 * service whose names are recomputed (or that is gone)?  Then a full
 * hostname loop decides who has the name now.  0, 1 or -ENOMEM.
 */
static int
incr_lost_to_changed(const struct incr_ctx *x, const struct snapshot *s)
{
	const struct snapshot *base = x->base;
	size_t *changed = NULL;
	size_t nchanged = 0;
	char msg[1200];
	size_t i;
	size_t j;
	size_t k;
	int rc = 0;

	if (base->names != NULL && base->names->collisions == 0)
		return 0;
	for (i = 0; i < s->nservices; i++)
		if (x->same_names[i] != NULL &&
		    incr_has_collision(&x->same_names[i]->hostnames))
			break;
	if (i == s->nservices)
		return 0;
	if ((changed = calloc(base->nservices + 1, sizeof(*changed))) == NULL)
		return -ENOMEM;
	for (j = 0; j < base->nservices; j++)
		if (!x->kept_names[j])
			changed[nchanged++] = j;
	for (; i < s->nservices && rc == 0; i++) {
		const struct build_service *old = x->same_names[i];

		if (old == NULL || !incr_has_collision(&old->hostnames))
			continue;
		for (j = 0; j < nchanged && rc == 0; j++) {
			const struct build_service *w =
				&base->services[changed[j]];

			snprintf(msg, sizeof(msg), "Hostname collision with "
				 "%s: %s", resource_kind_name(w->meta->kind),
				 resource_name(w->meta));
			for (k = 0; k < old->hostnames.nconditions; k++)
				if (strcmp(old->hostnames.conditions[k].message,
					   msg) == 0)
					rc = 1;
		}
	}
	free(changed);
	return rc;
}

/* Do @a and @b give every service the same names? */
static int
incr_same_generator(const struct resource_hostname_generator *a,
		    const struct resource_hostname_generator *b)
{
	size_t j;

	if (a == b)
		return 1;
	if (!incr_same_meta(&a->meta, &b->meta) || a->target != b->target ||
	    strcmp(a->template, b->template) != 0 || a->match.n != b->match.n)
		return 0;
	for (j = 0; j < a->match.n; j++)
		if (strcmp(a->match.v[j].key, b->match.v[j].key) != 0 ||
		    strcmp(a->match.v[j].value, b->match.v[j].value) != 0)
			return 0;
	return 1;
}

/*
 * Generator @a became @b: every service either selects, kept so far,
 * has its names computed again (and its previous names are not claimed
 * for it).  Its labels are its previous self's (incr_same_meta()).
 */
static void
incr_regenerate(struct incr_ctx *x, const struct snapshot *s,
		const struct resource_hostname_generator *a,
		const struct resource_hostname_generator *b)
{
	size_t i;

	for (i = 0; i < s->nservices; i++) {
		const struct build_service *old = x->same_names[i];
		const struct resource_meta *meta = s->services[i].meta;

		if (old == NULL || (!hostname_gen_selects(a, meta) &&
				    !hostname_gen_selects(b, meta)))
			continue;
		x->same_names[i] = NULL;
		x->kept_names[old - x->base->services] = 0;
	}
}

/*
 * The names phase of an incremental build.  1 when done, 0 when it must
 * be done in full (*@why says why; nothing is left behind), or -ENOMEM.
 */
static int
incr_hostnames(struct build_ctx *c, struct incr_ctx *x,
	       const struct hostname_gen *gens, size_t ngens,
	       const char **why)
{
	const struct snapshot *base = x->base;
	struct snapshot *s = c->s;
	struct hostname_item *items = NULL;
	struct hostname_result *results = NULL;
	size_t *which = NULL;
	struct hostname_claims *fresh = NULL;
	struct build_names *names = NULL;
	struct hostname_block *block = NULL;
	size_t ncap = 0;
	struct hostname_zones served;
	struct diag_list here;
	size_t ngen = s->gen.ngenerators;
	size_t nd = 0;
	size_t i;
	size_t j;
	int rc = -ENOMEM;

	diag_list_init(&here);
	if (base->gen.ngenerators != ngen) {
		*why = "the HostnameGenerators changed";
		rc = 0;
		goto out;
	}
	/*
	 * A generator edited in place (the same one, in the same place):
	 * the services its old or new version selects get their names
	 * computed again, as changed ones.
	 */
	for (i = 0; i < ngen; i++) {
		const struct resource_hostname_generator *a =
			base->gen.generators[i];
		const struct resource_hostname_generator *b =
			s->gen.generators[i];

		if (incr_same_generator(a, b))
			continue;
		if (resource_meta_cmp(&a->meta, &b->meta) != 0) {
			*why = "the HostnameGenerators changed";
			rc = 0;
			goto out;
		}
		incr_regenerate(x, s, a, b);
	}
	for (i = 0; i < s->nservices; i++)
		nd += x->same_names[i] == NULL;
	items = calloc(nd + 1, sizeof(*items));
	results = calloc(nd + 1, sizeof(*results));
	which = calloc(nd + 1, sizeof(*which));
	nd = 0;
	if (items == NULL || results == NULL ||
	    which == NULL || (fresh = hostname_claims_new()) == NULL)
		goto out;
	if ((rc = incr_lost_to_changed(x, s)) != 0) {
		if (rc < 0)
			goto out;
		*why = "a collision's winner changed";
		rc = 0;
		goto out;
	}
	/*
	 * The unchanged services' names are claimed, as they were: @base's
	 * names (snapshot.h) but those of its services that change or go.
	 */
	for (i = 0; i < s->nservices; i++) {
		if (x->same_names[i] != NULL)
			continue;
		items[nd].meta = s->services[i].meta;
		which[nd++] = i;
	}
	if ((rc = names_from_base(&names, &ncap, base, x->kept_names)) < 0)
		goto out;
	/* The others' in a loop of their own, in Kuma's order. */
	served.v = (const char *const *)c->zones;
	served.n = c->nzones;
	rc = hostname_generate(gens, ngens, items, nd, s->cfg->zone, &served,
			       fresh, results, &here);
	if (rc < 0)
		goto out;
	for (i = 0; i < nd; i++) {
		const struct hostname_result *r = &results[i];
		const char *mesh = items[i].meta->mesh;

		if (incr_has_collision(r)) {
			*why = "a changed service's name collides";
			rc = 0;
			goto out;
		}
		for (j = 0; j < r->naddresses; j++) {
			const char *h = r->addresses[j].hostname;

			if (j > 0 && strcmp(h, r->addresses[0].hostname) == 0)
				continue;
			if (names_has(names, mesh, h)) {
				*why = "a changed service's name collides";
				rc = 0;
				goto out;
			}
		}
	}
	for (i = 0; i < nd; i++)
		for (j = 0; j < results[i].naddresses; j++)
			if ((rc = names_set(names, &ncap, items[i].meta->mesh,
				    results[i].addresses[j].hostname, 1)) < 0)
				goto out;
	/*
	 * The generators are the same: a shared result is reused whole.
	 * The same document keeps its VIPs too, in this pass over both
	 * lists rather than in one more (incr_vips() skips them; a build
	 * that does not run it clears them, incr_vips_clear()).
	 */
	for (i = 0; i < s->nservices; i++) {
		const struct build_service *old = x->same_names[i];

		if (old == NULL)
			continue;
		service_keep_names(&s->services[i], old);
		if (x->same_doc[i])
			(void)incr_keep_vips(c, x, i, old);
	}
	rc = -ENOMEM;
	if (nd > 0 && (block = hostname_block_new()) == NULL)
		goto out;
	for (i = 0; i < nd; i++)
		if ((rc = service_share_names(&s->services[which[i]], block,
					      &results[i])) < 0)
			goto out;
	rc = incr_blocks(s, base, x->kept_names, block, nd);
	block = NULL;
	if (rc < 0)
		goto out;
	if (names->n > names_delta_max(s->nservices)) {
		/* A new epoch, from this build's (now shared) names. */
		build_names_free(names);
		names = NULL;
		if ((rc = names_full(s)) < 0)
			goto out;
	} else {
		s->names = names;
		names = NULL;
	}
	s->recomputed = nd;
	diag_list_move(c->diags, &here);
	rc = 1;
out:
	if (rc <= 0) {
		/* Leave nothing behind for the full loop. */
		blocks_clear(s);
		build_names_free(s->names);
		s->names = NULL;
		hostname_claims_free(c->claims);
		c->claims = hostname_claims_new();
		if (c->claims == NULL)
			rc = -ENOMEM;
	}
	for (i = 0; results != NULL && i < nd; i++)
		hostname_result_clear(&results[i]);
	diag_list_clear(&here);
	hostname_claims_free(fresh);
	build_names_free(names);
	hostname_block_unref(block);
	free(items);
	free(results);
	free(which);
	return rc;
}

/* The legacy name of the previous snapshot with @l's mesh and service. */
static const struct build_legacy *
incr_find_legacy(const struct snapshot *base, const struct build_legacy *l)
{
	size_t lo = 0;
	size_t hi = base->nlegacy;

	/* Both lists are sorted by mesh, then service (generate.h). */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct build_legacy *m = &base->legacy[mid];
		int d = strcmp(m->mesh != NULL ? m->mesh : "",
			       l->mesh != NULL ? l->mesh : "");

		if (d == 0)
			d = strcmp(m->service, l->service);
		if (d == 0)
			return m;
		if (d < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* Has @v every VIP this build's pools give (none failed last time)? */
static int
incr_vips_complete(const struct build_ctx *c, size_t pool,
		   const struct build_vips *v)
{
	return c->has[pool] && netaddr_is_set(&v->vip) &&
	       (!c->has[CONFIG_POOL_COUNT + pool] || netaddr_is_set(&v->vip6));
}

static int
incr_key_add(char ***keys, size_t *n, size_t *cap, const char *key,
	     const char *suffix)
{
	char **v = NULL;

	if (*n == *cap) {
		*cap = *cap ? 2 * *cap : 16;
		if ((v = realloc(*keys, *cap * sizeof(*v))) == NULL)
			return -ENOMEM;
		*keys = v;
	}
	if (asprintf(&(*keys)[*n], "%s%s", key, suffix) < 0)
		return -ENOMEM;
	(*n)++;
	return 0;
}

/* Room in @asks for two more than @n (add_asks()); 0 or -ENOMEM. */
static int
asks_room(struct ask **asks, size_t *cap, size_t n)
{
	struct ask *v = NULL;

	if (n + 2 <= *cap)
		return 0;
	if ((v = realloc(*asks, 2 * (n + 8) * sizeof(*v))) == NULL)
		return -ENOMEM;
	*asks = v;
	*cap = 2 * (n + 8);
	return 0;
}

/*
 * Give new service @i the VIPs of @old, its previous self (NULL: none),
 * when @old had every VIP this build's pools give, and flag them as kept
 * (vips_kept): 1; else 0, and nothing is set.
 */
static int
incr_keep_vips(const struct build_ctx *c, struct incr_ctx *x, size_t i,
	       const struct build_service *old)
{
	struct build_service *bs = &c->s->services[i];

	if (old == NULL || old->vip_error != NULL ||
	    !incr_vips_complete(c, kind_pool[bs->kind], &old->vips))
		return 0;
	bs->vips = old->vips;
	x->vips_kept[i] = 1;
	return 1;
}

/*
 * Undo what incr_keep_vips() and incr_vips() set, for allocate_vips():
 * every service and legacy name without VIPs, none kept.
 */
static void
incr_vips_clear(const struct build_ctx *c, struct incr_ctx *x)
{
	struct snapshot *s = c->s;
	size_t i;

	for (i = 0; i < s->nservices; i++)
		memset(&s->services[i].vips, 0, sizeof(s->services[i].vips));
	if (x->vips_kept != NULL)
		memset(x->vips_kept, 0, s->nservices);
	for (i = 0; i < s->nlegacy; i++)
		memset(&s->legacy[i].vips, 0, sizeof(s->legacy[i].vips));
}

/*
 * The VIPs phase of an incremental build: the previous VIPs of the
 * services and legacy names that are still here with the same pinned
 * address; the gone ones released; the others asked for, in order.
 * 1 when done, 0 when it must be done in full (*@why), or -ENOMEM.
 */
static int
incr_vips(struct build_ctx *c, struct incr_ctx *x, const struct state *prev,
	  int64_t now, const char **why)
{
	const struct snapshot *base = x->base;
	struct snapshot *s = c->s;
	size_t cap = 0;
	struct ask *asks = NULL;
	struct vip_request *reqs = NULL;
	struct vip_result *results = NULL;
	unsigned char *lkept = NULL;
	char **gone = NULL;
	size_t ngone = 0;
	size_t capgone = 0;
	struct ask like;
	char key[1024];
	size_t n = 0;
	size_t i;
	int rc = -ENOMEM;

	/*
	 * A service (or legacy name) that had no VIP asks again, in its
	 * place in the order, as in a full round: a pool that was full may
	 * have room now.
	 */
	lkept = calloc(base->nlegacy + 1, 1);
	if (lkept == NULL)
		goto out;
	for (i = 0; i < s->nservices; i++) {
		struct build_service *bs = NULL;
		const struct build_service *old = x->same_vips[i];
		size_t pool;

		/*
		 * The same document as before, which had its VIPs: it has
		 * them again (it did not wait for Kuma's allocator, the test
		 * below, which reaches the resource: a cache miss each);
		 * mostly kept already, with its names (incr_hostnames()).
		 */
		if (x->vips_kept[i] ||
		    (x->same_doc[i] && incr_keep_vips(c, x, i, old)))
			continue;
		bs = &s->services[i];
		pool = kind_pool[bs->kind];
		/* Kuma's store: Kuma's allocator gives the VIPs. */
		if ((rc = service_waits(s, bs)) != 0) {
			if (rc < 0)
				goto out;
			continue;
		}
		if (incr_keep_vips(c, x, i, old))
			continue;
		memset(&like, 0, sizeof(like));
		like.bs = bs;
		if (build_service_key(bs->meta, key, sizeof(key)) < 0) {
			rc = -ENAMETOOLONG;
			goto out;
		}
		if (pinned_address(bs, &like.pin)) {
			const struct vip_entry *e = vip_table_find_addr(
				state_vips((struct state *)prev), &like.pin);

			if (e != NULL && !e->held && strcmp(e->key, key) != 0) {
				*why = "a pinned address is contested";
				rc = 0;
				goto out;
			}
		}
		if ((rc = asks_room(&asks, &cap, n)) < 0 ||
		    (rc = add_asks(c, asks, &n, &like, key, pool,
				   &bs->vips)) < 0)
			goto out;
	}
	for (i = 0; i < s->nlegacy; i++) {
		struct build_legacy *l = &s->legacy[i];
		const struct build_legacy *old = incr_find_legacy(base, l);

		if (old != NULL)
			lkept[old - base->legacy] = 1;
		if (fromstore_legacy(s->cfg, &c->legacy_vips, l))
			continue;
		if (old != NULL) {
			if (incr_vips_complete(c, CONFIG_POOL_LEGACY,
					       &old->vips)) {
				l->vips = old->vips;
				continue;
			}
		}
		memset(&like, 0, sizeof(like));
		like.legacy = l;
		snprintf(key, sizeof(key), "legacy/%s/%s", l->mesh, l->service);
		if ((rc = asks_room(&asks, &cap, n)) < 0 ||
		    (rc = add_asks(c, asks, &n, &like, key, CONFIG_POOL_LEGACY,
				   &l->vips)) < 0)
			goto out;
	}
	/* The services and legacy names that are gone. */
	for (i = 0; i < base->nservices; i++) {
		if (x->kept[i])
			continue;
		if (build_service_key(base->services[i].meta, key,
				      sizeof(key)) < 0) {
			rc = -ENAMETOOLONG;
			goto out;
		}
		if ((rc = incr_key_add(&gone, &ngone, &capgone, key, "")) < 0 ||
		    (rc = incr_key_add(&gone, &ngone, &capgone, key,
				       "#6")) < 0)
			goto out;
	}
	for (i = 0; i < base->nlegacy; i++) {
		if (lkept[i])
			continue;
		snprintf(key, sizeof(key), "legacy/%s/%s",
			 base->legacy[i].mesh, base->legacy[i].service);
		if ((rc = incr_key_add(&gone, &ngone, &capgone, key, "")) < 0 ||
		    (rc = incr_key_add(&gone, &ngone, &capgone, key,
				       "#6")) < 0)
			goto out;
	}
	rc = -ENOMEM;
	if ((reqs = calloc(n + 1, sizeof(*reqs))) == NULL ||
	    (results = calloc(n + 1, sizeof(*results))) == NULL)
		goto out;
	for (i = 0; i < n; i++) {
		reqs[i].key = asks[i].key;
		reqs[i].pool = asks[i].pool;
		if (netaddr_is_set(&asks[i].pin))
			reqs[i].pinned = &asks[i].pin;
	}
	rc = -ENOMEM;
	if ((s->state = state_clone(prev)) == NULL)
		goto out;
	rc = 0;
	if (ngone > 0)
		rc = vip_release(state_vips(s->state),
				 (const char *const *)gone, ngone, now,
				 s->cfg->hold_seconds);
	/* Nothing asked and no hold over: the round would change nothing. */
	if (rc == 0 && (n > 0 ||
			vip_table_first_expiry(state_vips(s->state)) <= now))
		rc = vip_allocate(state_vips(s->state), c->used, c->nused,
				  reqs, n, results, now, s->cfg->hold_seconds,
				  0);
	if (rc < 0)
		goto out;
	if ((rc = vip_results(c, asks, results, n)) < 0)
		goto out;
	s->reallocated = n;
	/* The keys whose VIPs may have moved, for the reload log. */
	rc = -ENOMEM;
	if ((s->vip_keys = calloc(n + ngone + 1, sizeof(char *))) == NULL)
		goto out;
	for (i = 0; i < n; i++) {
		s->vip_keys[i] = asks[i].key;
		asks[i].key = NULL;
	}
	if (ngone > 0)
		memcpy(s->vip_keys + n, gone, ngone * sizeof(char *));
	s->nvip_keys = n + ngone;
	ngone = 0;
	s->vips_from = prev;
	rc = 1;
out:
	if (rc <= 0) {
		state_free(s->state);
		s->state = NULL;
		incr_vips_clear(c, x);
	}
	for (i = 0; i < n; i++)
		free(asks[i].key);
	for (i = 0; i < ngone; i++)
		free(gone[i]);
	free(gone);
	free(asks);
	free(reqs);
	free(results);
	free(lkept);
	return rc;
}

/*
 * The table of an incremental build: a patch of the previous table
 * (table_patch.h) that resets the names of the services whose records
 * change -- added, removed, another VIP, other names or ports -- and
 * adds theirs again.  A service that only moved in the list (one was
 * added or removed before it) keeps its records: its owner number, its
 * old place, is not used without views.  Where that is not the whole
 * difference the table is built in full: views (owners would have to
 * change), another set of meshes (scopes), legacy names that changed or
 * share a name with a changed service, or so many services changed that
 * a build is as cheap.
 */

static int
incr_vips_eq(const struct build_vips *a, const struct build_vips *b)
{
	if (netaddr_is_set(&a->vip) != netaddr_is_set(&b->vip) ||
	    netaddr_is_set(&a->vip6) != netaddr_is_set(&b->vip6))
		return 0;
	return (!netaddr_is_set(&a->vip) || netaddr_equal(&a->vip, &b->vip)) &&
	       (!netaddr_is_set(&a->vip6) ||
		netaddr_equal(&a->vip6, &b->vip6));
}

static void
incr_ports(const struct build_service *bs, const struct resource_port **p,
	   size_t *n)
{
	*p = NULL;
	*n = 0;
	if (bs->res != NULL) {
		*p = bs->res->ports;
		*n = bs->res->nports;
	} else if (bs->mzs != NULL) {
		*p = bs->mzs->ports;
		*n = bs->mzs->nports;
	}
}

/* The same SRV records (ports and their names). */
static int
incr_ports_eq(const struct build_service *a, const struct build_service *b)
{
	const struct resource_port *pa = NULL;
	const struct resource_port *pb = NULL;
	size_t na;
	size_t nb;
	size_t i;

	if ((a->mes != NULL) != (b->mes != NULL) ||
	    (a->mes != NULL && a->mes->port != b->mes->port))
		return 0;
	incr_ports(a, &pa, &na);
	incr_ports(b, &pb, &nb);
	if (na != nb)
		return 0;
	for (i = 0; i < na; i++)
		if (pa[i].port != pb[i].port ||
		    !incr_str_eq(pa[i].name, pb[i].name))
			return 0;
	return 1;
}

/* Is @a the name @b, in any case, with or without a final dot? */
static int
incr_same_name(const char *a, const char *b)
{
	size_t na = strlen(a);
	size_t nb = strlen(b);

	if (na > 0 && a[na - 1] == '.')
		na--;
	if (nb > 0 && b[nb - 1] == '.')
		nb--;
	return na == nb && strncasecmp(a, b, na) == 0;
}

/*
 * Does @name hold records no service adds: a dns.ns name's address
 * (add_glue_records()) or a name of the catalog zone
 * (add_catalog_records())?  Resetting it would lose them.
 */
static int
incr_fixed_name(struct build_ctx *c, const char *name)
{
	const struct config *cfg = c->s->cfg;
	struct hostname_zones z;
	size_t i;

	for (i = 0; i < cfg->nglue; i++)
		if (incr_same_name(name, cfg->glue[i].name))
			return 1;
	if (c->catalog < 0)
		return 0;
	z.v = (const char *const *)&c->zones[c->catalog];
	z.n = 1;
	return hostname_zones_has(&z, name);
}

/*
 * Reset one name of the patch: 1, 0 when the patch cannot (or a glue or
 * catalog record is there: the table is built in full), -ENOMEM.
 */
static int
incr_reset(struct build_ctx *c, const char *name, uint32_t scope)
{
	int rc;

	if (incr_fixed_name(c, name))
		return 0;
	rc = table_patch_reset_name(c->p, name, scope);

	if (rc == 0 || rc == -EALREADY || rc == -ENOENT)
		return 1;
	return rc == -ENOMEM ? rc : 0;
}

/* Reset every name @bs has records at (add_service()'s names). */
static int
incr_reset_service(struct build_ctx *c, const struct build_service *bs)
{
	const struct hostname_result *h = &bs->hostnames;
	const struct resource_port *ports = NULL;
	uint32_t scope = mesh_scope(c, bs->meta->mesh);
	size_t nports = 0;
	char name[600];
	char label[64];
	size_t j;
	size_t k;
	int rc;

	if (!netaddr_is_set(&bs->vips.vip) || h->naddresses == 0)
		return 1;
	incr_ports(bs, &ports, &nports);
	for (j = 0; j < h->naddresses; j++) {
		const char *host = h->addresses[j].hostname;

		if ((rc = incr_reset(c, host, scope)) <= 0)
			return rc;
		if (!c->s->cfg->srv)
			continue;
		if (bs->mes != NULL && bs->mes->port > 0) {
			snprintf(name, sizeof(name), "_%u._tcp.%s",
				 bs->mes->port, host);
			if ((rc = incr_reset(c, name, scope)) <= 0)
				return rc;
		}
		for (k = 0; k < nports; k++) {
			if (srv_label(ports[k].name, ports[k].port, label,
				      sizeof(label)) < 0)
				continue;
			snprintf(name, sizeof(name), "_%s._tcp.%s", label,
				 host);
			if ((rc = incr_reset(c, name, scope)) <= 0)
				return rc;
		}
	}
	if (!c->s->cfg->ptr)
		return 1;
	reverse_name(&bs->vips.vip, name, sizeof(name));
	if (out_in_zone(c, name) && (rc = incr_reset(c, name, scope)) <= 0)
		return rc;
	if (netaddr_is_set(&bs->vips.vip6)) {
		reverse_name(&bs->vips.vip6, name, sizeof(name));
		if (out_in_zone(c, name) &&
		    (rc = incr_reset(c, name, scope)) <= 0)
			return rc;
	}
	return 1;
}

/* Would add_views() make a view?  (Then the table is built in full.) */
static int
incr_any_view(struct build_ctx *c)
{
	const struct resource_set *set = c->s->set;
	size_t d;

	for (d = 0; d < set->ndataplanes; d++) {
		const struct resource_dataplane *dp = &set->dataplanes[d];
		struct netaddr a;

		if (dp->address == NULL || netaddr_parse(&a, dp->address) < 0)
			continue;
		if (dp->has_reachable_backends || c->nmeshes >= 2 ||
		    !c->s->cfg->views_unknown_all ||
		    generate_mesh_mode(set, dp->meta.mesh, &c->gopt) ==
		    RESOURCE_MESH_MODE_REACHABLE_BACKENDS)
			return 1;
	}
	return 0;
}

/* Has @base the meshes of this build (c->meshes)? */
static int
incr_same_meshes(struct build_ctx *c, const struct snapshot *base)
{
	unsigned char *seen = NULL;
	const char *m = NULL;
	size_t i;
	size_t n = base->nservices + base->nlegacy + base->set->ndataplanes;
	int same = 1;

	if (base->meshes != NULL) {
		if (base->nmeshes != c->nmeshes)
			return 0;
		for (i = 0; i < c->nmeshes; i++)
			if (strcmp(base->meshes[i], c->meshes[i]) != 0)
				return 0;
		return 1;
	}
	if ((seen = calloc(c->nmeshes + 1, 1)) == NULL)
		return -ENOMEM;
	for (i = 0; i < n && same; i++) {
		const char **hit = NULL;

		if (i < base->nservices)
			m = base->services[i].meta->mesh;
		else if (i < base->nservices + base->nlegacy)
			m = base->legacy[i - base->nservices].mesh;
		else
			m = base->set->dataplanes[i - base->nservices -
						  base->nlegacy].meta.mesh;
		if (m == NULL)
			continue;
		hit = bsearch(&m, c->meshes, c->nmeshes, sizeof(*c->meshes),
			      cmp_str);
		if (hit == NULL)
			same = 0;
		else
			seen[hit - c->meshes] = 1;
	}
	for (i = 0; i < c->nmeshes && same; i++)
		same = seen[i];
	free(seen);
	return same;
}

/* The same legacy names and VIPs, none of them a changed service's name. */
static int
incr_same_legacy(struct build_ctx *c, const struct snapshot *base,
		 const size_t *aff, size_t naff, const size_t *gone,
		 size_t ngone)
{
	struct snapshot *s = c->s;
	struct hostname_claims *names = NULL;
	size_t i;
	size_t j;
	int rc = 1;

	if (s->nlegacy != base->nlegacy)
		return 0;
	if (s->nlegacy == 0)
		return 1;
	for (i = 0; i < s->nlegacy; i++)
		if (!incr_str_eq(s->legacy[i].mesh, base->legacy[i].mesh) ||
		    strcmp(s->legacy[i].service, base->legacy[i].service) ||
		    !incr_vips_eq(&s->legacy[i].vips, &base->legacy[i].vips))
			return 0;
	if ((names = hostname_claims_new()) == NULL)
		return -ENOMEM;
	for (i = 0; i < s->nlegacy && rc == 1; i++) {
		char name[600];
		char *p = NULL;

		snprintf(name, sizeof(name), "%s.mesh", s->legacy[i].service);
		for (p = name; *p != '\0'; p++)
			if (*p >= 'A' && *p <= 'Z')
				*p = (char)(*p - 'A' + 'a');
		if (hostname_claims_add(names, s->legacy[i].mesh, name) < 0)
			rc = -ENOMEM;
		for (p = name; *p != '\0'; p++)
			if (*p == '_')
				*p = '.';
		if (rc == 1 &&
		    hostname_claims_add(names, s->legacy[i].mesh, name) < 0)
			rc = -ENOMEM;
	}
	for (i = 0; i < naff + ngone && rc == 1; i++) {
		const struct build_service *bs = i < naff ?
			&s->services[aff[i]] : &base->services[gone[i - naff]];

		for (j = 0; j < bs->hostnames.naddresses && rc == 1; j++)
			if (hostname_claims_has(names, bs->meta->mesh,
				bs->hostnames.addresses[j].hostname))
				rc = 0;
	}
	hostname_claims_free(names);
	return rc;
}

/*
 * The table phase of an incremental build.  1 when done (s->table and
 * the serials set), 0 when the table must be built in full (*@why), or
 * -ENOMEM.
 */
static int
incr_table(struct build_ctx *c, struct incr_ctx *x, int64_t now,
	   const char **why)
{
	const struct snapshot *base = x->base;
	struct snapshot *s = c->s;
	size_t n = s->nservices;
	size_t nb = base->nservices;
	size_t *aff = NULL;
	size_t *gone = NULL;
	unsigned char *clean = NULL;
	unsigned char *bclean = NULL;
	size_t naff = 0;
	size_t ngone = 0;
	size_t i;
	int rc = -ENOMEM;

	if (base->table == NULL || base->nviews > 0 || incr_any_view(c)) {
		*why = "views";
		return 0;
	}
	if ((rc = incr_same_meshes(c, base)) <= 0) {
		*why = "the meshes changed";
		return rc;
	}
	rc = -ENOMEM;
	if ((clean = calloc(n + 1, 1)) == NULL ||
	    (bclean = calloc(nb + 1, 1)) == NULL)
		goto out;
	/*
	 * A service is paired with its previous self by identity, wherever
	 * either sits in its list: without views the table does not use
	 * the owner numbers (the service's place), so one that only moved
	 * keeps its records.
	 */
	for (i = 0; i < n; i++) {
		const struct build_service *a = &s->services[i];
		const struct build_service *b = x->same_names[i];

		clean[i] = b != NULL &&
			   ((x->vips_kept[i] && x->same_vips[i] == b) ||
			    incr_vips_eq(&a->vips, &b->vips)) &&
			   (x->same_doc[i] || incr_ports_eq(a, b));
		if (clean[i])
			bclean[b - base->services] = 1;
		naff += !clean[i];
	}
	for (i = 0; i < nb; i++)
		ngone += !bclean[i];
	if ((aff = calloc(naff + 1, sizeof(*aff))) == NULL ||
	    (gone = calloc(ngone + 1, sizeof(*gone))) == NULL)
		goto out;
	naff = 0;
	ngone = 0;
	for (i = 0; i < n; i++)
		if (!clean[i])
			aff[naff++] = i;
	for (i = 0; i < nb; i++)
		if (!bclean[i])
			gone[ngone++] = i;
	if (naff + ngone > 64 + n / 16) {
		*why = "too many services changed";
		rc = 0;
		goto out;
	}
	if ((rc = incr_same_legacy(c, base, aff, naff, gone, ngone)) <= 0) {
		*why = "the legacy names changed";
		goto out;
	}
	if ((rc = table_patch_new(&c->p, base->table)) < 0)
		goto out;
	for (i = 0; i < ngone; i++)
		if ((rc = incr_reset_service(c, &base->services[gone[i]])) <= 0)
			goto fail;
	for (i = 0; i < naff; i++)
		if ((rc = incr_reset_service(c, &s->services[aff[i]])) <= 0)
			goto fail;
	for (i = 0; i < naff; i++)
		if ((rc = add_service(c, aff[i])) < 0)
			goto out;
	out_scope(c, TABLE_SCOPE_NONE);
	for (i = 0; i < c->nzones; i++) {
		uint64_t digest = table_patch_zone_digest(c->p, (int)i);
		uint32_t serial = 0;

		rc = state_zone_serial(s->state, c->zones[i], digest,
				       (uint32_t)now, &serial);
		if (rc < 0)
			goto out;
		table_patch_set_serial(c->p, (int)i, serial);
	}
	rc = table_patch_finish(c->p, &s->table, &s->changes);
	c->p = NULL;
	if (rc < 0)
		goto out;
	s->table_patched = 1;
	s->services_reset = naff + ngone;
	rc = 1;
	goto out;
fail:
	if (rc == 0)
		*why = "a name the table cannot patch";
out:
	table_patch_free(c->p);
	c->p = NULL;
	free(aff);
	free(gone);
	free(clean);
	free(bclean);
	return rc;
}

/* What a build from a resource set needs besides the set. */
struct from_input {
	const struct snapshot *base;	/* incremental from it, or NULL */
	const struct state *prev;
	uint64_t program;
	int64_t now;
	uint64_t read_us;		/* the read phase, done by the caller */
	size_t errors_before;		/* @diags' counts before the build */
	size_t warnings_before;
	struct resource_units *units;	/* the units @set views, when new:
					 * taken over (snapshot->units) */
	uint64_t store_seq;		/* the store change they hold */
	uint64_t store_digest;		/* fromstore_load()'s, or 0 */
	struct store_legacy_vips legacy; /* fromstore_load()'s: taken over */
	const struct resource_change *changes;	/* with @base: what changed */
	size_t nchanges;
	/*
	 * With @base: the units the input is, when the set handed over holds
	 * only the changed identities' resources (resource_units_take()) and
	 * @set_digest is the whole input's; kuma_apply() views them all
	 * when the set must be finished whole.  Borrowed.
	 */
	const struct resource_units *from_units;
	uint64_t set_digest;
};

/*
 * The kuma layer of an incremental build: @s->set finished from @base's
 * (resource_set_apply()) and the derived resources from @base's
 * (generate_apply()).  1 when done; 0 when the set must be finished in
 * full (nothing done); -ENOMEM.
 */
static int
kuma_apply(struct build_ctx *c, const struct from_input *in)
{
	struct snapshot *s = c->s;
	const struct snapshot *base = in->base;
	struct resource_set *items = NULL;
	struct resource_set *next = NULL;
	const char *why = NULL;
	int rc;

	if (base == NULL || base->set == NULL || base->services == NULL)
		goto whole;
	if (in->from_units != NULL) {
		items = s->set;		/* the changed identities' only */
		s->set = NULL;
	} else if ((rc = resource_set_take(s->set, in->changes, in->nchanges,
					   s->cfg->zone, &items)) < 0) {
		return rc;
	}
	rc = resource_set_apply(&next, base->set, items, in->changes,
				in->nchanges, s->cfg->zone, c->diags);
	if (rc < 0)
		return rc;
	if (rc > 0)
		goto whole;
	resource_set_free(s->set);
	s->set = next;
	rc = generate_apply(s->set, base->set, &base->gen, in->changes,
			    in->nchanges, &c->gopt, &s->gen, c->diags, &why);
	if (rc < 0)
		return rc;
	s->generate_reason = why;
	return 1;
whole:
	/* Finished in full: the whole input, not only what changed. */
	if (in->from_units != NULL) {
		resource_set_free(s->set);
		s->set = NULL;
		if ((rc = resource_units_view(in->from_units, &s->set)) < 0)
			return rc;
	}
	return 0;
}

/*
 * Would record_generated() give the state the list it has already?  It
 * is cloned from @in->prev, @in->base's state, which holds @in->base's
 * list; an apply whose derived resources were applied (not derived
 * whole) changes that list only through a changed MeshService that was
 * or is one generated from Dataplanes (or a Dataplane change).  Saves a
 * pass over every service of an apply.
 */
static int
generated_unchanged(const struct build_ctx *c, const struct from_input *in)
{
	const struct snapshot *s = c->s;
	size_t i;

	if (in->base == NULL || in->prev != in->base->state ||
	    !s->kuma_incremental || s->generate_reason != NULL)
		return 0;
	for (i = 0; i < in->nchanges; i++) {
		const struct resource_change *ch = &in->changes[i];
		const struct resource_mesh_service *m[2];
		size_t k;

		if (ch->kind == RESOURCE_DATAPLANE)
			return 0;
		if (ch->kind != RESOURCE_MESH_SERVICE)
			continue;
		m[0] = (const void *)resource_set_find(in->base->set, ch->kind,
						       ch->mesh, ch->namespace,
						       ch->name);
		m[1] = (const void *)resource_set_find(s->set, ch->kind,
						       ch->mesh, ch->namespace,
						       ch->name);
		for (k = 0; k < 2; k++)
			if (m[k] != NULL &&
			    m[k]->origin == RESOURCE_FROM_DATAPLANES)
				return 0;
	}
	return 1;
}

/*
 * Build a snapshot from @cfg and @set (both taken over, freed on
 * failure too, and so are @in's units and legacy VIPs): build_run()
 * once the files and the store are read, build_from_set(), and
 * build_apply().
 */
static int
build_from(struct snapshot **out, struct config *cfg,
	   struct resource_set *set, struct from_input *in,
	   struct diag_list *diags)
{
	struct build_ctx c;
	struct incr_ctx x;
	struct snapshot *s = NULL;
	struct hostname_gen *gens = NULL;
	const struct state *prev = in->prev;
	const char *why = NULL;
	size_t ngens = 0;
	uint64_t t;
	size_t i;
	int done = 0;
	int rc = -ENOMEM;

	*out = NULL;
	memset(&c, 0, sizeof(c));
	memset(&x, 0, sizeof(x));
	x.base = in->base;
	c.diags = diags;
	c.legacy_vips = in->legacy;
	memset(&in->legacy, 0, sizeof(in->legacy));
	if ((s = calloc(1, sizeof(*s))) == NULL) {
		config_free(cfg);
		resource_set_free(set);
		resource_units_free(in->units);
		in->units = NULL;
		goto out;
	}
	c.s = s;
	s->cfg = cfg;
	s->set = set;
	s->units = in->units;
	s->store_seq = in->store_seq;
	in->units = NULL;
	s->phase_us[BUILD_PHASE_READ] = in->read_us;
	generate_options_from(&c.gopt, s->cfg);
	t = build_clock_us();
	s->inputs = build_inputs_digest(in->program, s->cfg,
					(in->from_units != NULL ?
					 in->set_digest :
					 resource_set_digest(s->set)) ^
					in->store_digest);
	if ((rc = known_from_state(&c, prev)) < 0)
		goto out;
	c.gopt.known = c.known;
	c.gopt.nknown = c.nknown;
	c.gopt.now = in->now;
	if ((rc = done = kuma_apply(&c, in)) < 0)
		goto out;
	if (!done &&
	    ((rc = resource_set_finish(s->set, diags)) < 0 ||
	     (rc = resource_set_check_meshes(s->set, diags)) < 0 ||
	     (rc = resource_set_compute_labels(s->set, s->cfg->zone)) < 0 ||
	     (rc = generate_run(s->set, &c.gopt, &s->gen, diags)) < 0))
		goto out;
	s->kuma_incremental = done;
	done = 0;
	phase_end(s, BUILD_PHASE_RESOURCES, &t);
	if ((rc = compile_generators(&s->gen, &gens, &ngens, diags)) < 0 ||
	    (rc = parse_pools(&c)) < 0 || (rc = add_zones(&c)) < 0)
		goto out;
	rc = -ENOMEM;
	if ((c.claims = hostname_claims_new()) == NULL)
		goto out;
	if ((rc = collect_services(s)) < 0 ||
	    (rc = make_legacy(s)) < 0 || (rc = collect_meshes(&c)) < 0)
		goto out;
	if (x.base != NULL && (rc = incr_match(&c, &x)) < 0)
		goto out;
	if (x.base != NULL &&
	    (rc = done = incr_hostnames(&c, &x, gens, ngens, &why)) < 0)
		goto out;
	s->incremental = done;
	if (!done && ((rc = generate_hostnames(&c, gens, ngens)) < 0 ||
		      (rc = names_full(s)) < 0))
		goto out;
	phase_end(s, BUILD_PHASE_NAMES, &t);
	done = 0;
	if (x.base != NULL && diags->errors > in->errors_before) {
		why = "the build has errors";
		incr_vips_clear(&c, &x);	/* kept with the names */
	} else if (x.base != NULL &&
		 (rc = done = incr_vips(&c, &x, prev, in->now, &why)) < 0)
		goto out;
	s->incremental = s->incremental && done;
	if (!done && (rc = allocate_vips(&c, prev, in->now)) < 0)
		goto out;
	if (!generated_unchanged(&c, in) && (rc = record_generated(&c)) < 0)
		goto out;
	phase_end(s, BUILD_PHASE_VIPS, &t);
	if (x.base != NULL && !s->incremental)
		s->full_reason = why;
	if (!s->incremental)
		s->recomputed = s->nservices;
	done = 0;
	if (s->incremental &&
	    (rc = done = incr_table(&c, &x, in->now, &why)) < 0)
		goto out;
	if (s->incremental && !done)
		s->table_reason = why;
	if (!done && ((rc = setup_table(&c)) < 0 ||
		      (rc = add_service_records(&c)) < 0 ||
		      (rc = add_legacy_records(&c)) < 0 ||
		      (rc = add_glue_records(&c)) < 0 ||
		      (rc = add_catalog_records(&c)) < 0 ||
		      (rc = add_views(&c)) < 0 ||
		      (rc = set_serials(&c, in->now)) < 0))
		goto out;
	/* After the serials: a serial change alone must be saved too. */
	s->state_changed = !state_equal(prev, s->state);
	if (!s->state_changed)
		state_same_files(s->state, prev);
	if (!done) {
		rc = table_builder_finish(c.b, &s->table);
		c.b = NULL;
		if (rc < 0)
			goto out;
	}
	phase_end(s, BUILD_PHASE_TABLE, &t);
	s->errors = diags->errors - in->errors_before;
	s->warnings = (diags->n - diags->errors) - in->warnings_before;
	s->meshes = c.meshes;
	s->nmeshes = c.nmeshes;
	c.meshes = NULL;
	*out = s;
	s = NULL;
	rc = 0;
out:
	if (rc == -ENOMEM)
		diag_error(diags, NULL, 0, 0, "out of memory during the build");
	else if (rc < -1)
		diag_error(diags, NULL, 0, 0, "build failed (%s)",
			   strerror(-rc));
	table_builder_free(c.b);
	table_patch_free(c.p);
	hostname_claims_free(c.claims);
	for (i = 0; i < c.nresults; i++)
		hostname_result_clear(&c.results[i]);
	free(c.results);
	for (i = 0; i < c.nzones; i++)
		free(c.zones[i]);
	free(c.zones);
	free(c.meshes);
	known_free(&c);
	incr_ctx_clear(&x);
	store_legacy_vips_clear(&c.legacy_vips);
	free_generators(gens, ngens);
	snapshot_free(s);
	return rc;
}

int
build_run(struct snapshot **out, const struct build_options *opt,
	  const struct state *prev, int64_t now, struct diag_list *diags)
{
	return build_run_input(out, opt, NULL, prev, now, diags);
}

/* A from_input for a build from @prev's state at @now. */
static void
from_input_init(struct from_input *fi, const struct state *prev,
		uint64_t program, int64_t now, const struct diag_list *diags)
{
	memset(fi, 0, sizeof(*fi));
	fi->prev = prev;
	fi->program = program;
	fi->now = now;
	fi->errors_before = diags->errors;
	fi->warnings_before = diags->n - diags->errors;
}

static const char *incr_refused(const struct snapshot *base,
				const struct config *cfg,
				const struct resource_change *changes,
				size_t nchanges);

int
build_run_input(struct snapshot **out, const struct build_options *opt,
		struct build_input *in, const struct state *prev, int64_t now,
		struct diag_list *diags)
{
	struct from_input fi;
	struct fromstore_input st;
	struct config *cfg = NULL;
	struct resource_set *set = NULL;
	struct resource_changes mine = { NULL, 0, 0 };
	struct resource_changes *changes = &mine;
	const char *why = NULL;
	size_t before = 0;
	uint64_t t;
	int handed = 0;
	int rc = -ENOMEM;

	*out = NULL;
	memset(&st, 0, sizeof(st));
	if (in != NULL) {
		in->nothing = 0;
		if (in->changes != NULL)
			changes = in->changes;
	}
	before = changes->n;
	from_input_init(&fi, prev, opt->program_digest, now, diags);
	if ((rc = build_load_config(&cfg, opt, diags)) < 0)
		goto out;
	t = build_clock_us();
	if ((rc = read_resources(&fi.units, cfg, opt, in, changes,
				 diags)) < 0)
		goto out;
	/* The store's rows: units of their own, after the files'. */
	st.units = fi.units != NULL ? fi.units : in->units;
	st.fresh = fi.units != NULL;
	st.seq = in != NULL ? in->store_seq : 0;
	st.kept = in != NULL ? in->kept : NULL;
	/* Fresh units with no caller to tell: nothing to compare with (a
	 * diff of every row read, a third of putting them at a start). */
	st.changes = st.fresh && changes == &mine ? NULL : changes;
	if ((rc = fromstore_load(&st, cfg, opt, diags)) < 0)
		goto out;
	fi.store_digest = st.digest;
	fi.store_seq = st.seq;
	fi.legacy = st.legacy;
	memset(&st.legacy, 0, sizeof(st.legacy));
	if (in != NULL && fi.units == NULL) {
		in->store_seq = st.seq;
		if (changes->n == before && !st.legacy_changed) {
			in->nothing = 1;
			rc = 0;
			goto out;
		}
	}
	/* An apply: only what changed was read into the same units. */
	if (in != NULL && in->base != NULL) {
		if (fi.units != NULL)
			why = "every resource path was read again";
		else if (st.everything)
			why = "every row of the store was read again";
		else if ((why = incr_refused(in->base, cfg, changes->v,
					     changes->n)) == NULL &&
			 st.legacy_changed)
			why = "Kuma's VIPs of legacy names changed";
		fi.base = why == NULL ? in->base : NULL;
		fi.changes = changes->v;
		fi.nchanges = changes->n;
	}
	/* Applied: the changed resources, not a view of all of them. */
	rc = 1;
	if (fi.base != NULL &&
	    (rc = resource_units_take(st.units, changes->v, changes->n,
				      &set)) < 0)
		goto out;
	if (rc == 0) {
		fi.from_units = st.units;
		fi.set_digest = resource_units_digest(st.units);
	} else if ((rc = resource_units_view(st.units, &set)) < 0) {
		goto out;
	}
	fi.read_us = build_clock_us() - t;
	/* build_from() frees them and reports its own errors. */
	rc = build_from(out, cfg, set, &fi, diags);
	handed = 1;
	if (rc == 0 && why != NULL)
		(*out)->full_reason = why;
	cfg = NULL;
	set = NULL;
out:
	if (rc == -ENOMEM && !handed)
		diag_error(diags, NULL, 0, 0, "out of memory during the build");
	store_legacy_vips_clear(&fi.legacy);
	store_legacy_vips_clear(&st.legacy);
	resource_changes_clear(&mine);
	resource_set_free(set);
	resource_units_free(fi.units);
	config_free(cfg);
	return rc;
}

/*
 * A build from a set the caller read has no store rows besides the set:
 * not Kuma's VIPs of legacy names, nor the store's digest.  -ENOTSUP,
 * @cfg and @set freed, when @cfg names a store; else 0.
 */
static int
from_set_no_store(struct config *cfg, struct resource_set *set,
		  const char *who, struct diag_list *diags)
{
	if (cfg->store == NULL)
		return 0;
	diag_error(diags, NULL, 0, 0, "%s: a store is configured; build "
		   "through build_run_input(), which reads its rows", who);
	config_free(cfg);
	resource_set_free(set);
	return -ENOTSUP;
}

int
build_from_set(struct snapshot **out, struct config *cfg,
	       struct resource_set *set, const struct state *prev,
	       uint64_t program, int64_t now, struct diag_list *diags)
{
	struct from_input fi;
	int rc;

	*out = NULL;
	if ((rc = from_set_no_store(cfg, set, "build_from_set", diags)) < 0)
		return rc;
	from_input_init(&fi, prev, program, now, diags);
	return build_from(out, cfg, set, &fi, diags);
}

/* Why @changes cannot be applied to @base incrementally, or NULL. */
static const char *
incr_refused(const struct snapshot *base, const struct config *cfg,
	     const struct resource_change *changes, size_t nchanges)
{
	size_t i;

	if (base->from_cache || (base->services == NULL &&
				 base->service_count > 0))
		return "the previous build has no per-service results";
	if (base->errors > 0)
		return "the previous build had errors";
	if (base->cfg->digest != cfg->digest)
		return "the config changed";
	for (i = 0; i < nchanges; i++) {
		switch (changes[i].kind) {
		case RESOURCE_MESH_SERVICE:
		case RESOURCE_MESH_EXTERNAL_SERVICE:
		case RESOURCE_MESH_MULTI_ZONE_SERVICE:
		case RESOURCE_DATAPLANE:
		case RESOURCE_HOSTNAME_GENERATOR:
			break;
		default:
			return "a change of a kind whose effects are broad";
		}
	}
	return NULL;
}

int
build_apply(struct snapshot **out, const struct snapshot *prev,
	    struct config *cfg, struct resource_set *set,
	    const struct resource_change *changes, size_t nchanges,
	    uint64_t program, int64_t now, struct diag_list *diags)
{
	struct from_input fi;
	const char *why = NULL;
	int rc;

	*out = NULL;
	if ((rc = from_set_no_store(cfg, set, "build_apply", diags)) < 0)
		return rc;
	why = incr_refused(prev, cfg, changes, nchanges);
	from_input_init(&fi, prev->state, program, now, diags);
	fi.base = why == NULL ? prev : NULL;
	fi.changes = changes;
	fi.nchanges = nchanges;
	rc = build_from(out, cfg, set, &fi, diags);
	if (rc == 0 && why != NULL)
		(*out)->full_reason = why;
	return rc;
}

uint64_t
build_inputs_digest(uint64_t program, const struct config *cfg,
		    uint64_t resources)
{
	uint64_t d = digest_u64(0, program);

	d = digest_u64(d, cfg->digest);
	return digest_u64(d, resources);
}

int
build_inputs_on_disk(uint64_t program, const struct config *cfg,
		     uint64_t *out)
{
	uint64_t resources = 0;
	size_t i;
	int rc;

	for (i = 0; i < cfg->nresources; i++)
		if ((rc = resource_path_digest(cfg->resources[i], cfg->file,
					       &resources)) < 0)
			return rc;
	*out = build_inputs_digest(program, cfg, resources);
	return 0;
}

void
build_mark_cacheable(struct snapshot *s, uint64_t program,
		      uint64_t state_digest)
{
	s->state_digest = state_digest;
	s->cacheable = s->cfg->start_cache && s->cfg->state_file != NULL &&
		s->errors == 0 && program != 0 && state_digest != 0;
}

uint64_t
build_cache_key(uint64_t inputs, uint64_t state_digest)
{
	return digest_u64(inputs, state_digest);
}

static const char *const phase_names[BUILD_NPHASES] = {
	[BUILD_PHASE_READ] = "read",
	[BUILD_PHASE_RESOURCES] = "resources",
	[BUILD_PHASE_NAMES] = "names",
	[BUILD_PHASE_VIPS] = "vips",
	[BUILD_PHASE_TABLE] = "table",
};

const char *
build_phase_name(enum build_phase phase)
{
	return phase < BUILD_NPHASES ? phase_names[phase] : "?";
}

void
build_format_times(const struct snapshot *s, char *buf, size_t size)
{
	uint64_t total = 0;
	/* Small builds in tenths of a millisecond, so that they are not 0. */
	int tenths;
	size_t off;
	int i;

	for (i = 0; i < BUILD_NPHASES; i++)
		total += s->phase_us[i];
	tenths = total < 10000;
	off = (size_t)snprintf(buf, size, tenths ? "%.1f ms (" : "%.0f ms (",
			       (double)total / 1000);
	for (i = 0; i < BUILD_NPHASES && off < size; i++)
		off += (size_t)snprintf(buf + off, size - off,
					tenths ? "%s%s %.1f" : "%s%s %.0f",
					i ? ", " : "", phase_names[i],
					(double)s->phase_us[i] / 1000);
	if (off < size)
		snprintf(buf + off, size - off, ")");
}

void
build_format_zones(const struct snapshot *s, char *buf, size_t size)
{
	size_t total = s->table != NULL ? table_zone_count(s->table) : 0;
	size_t served = 0;
	size_t i;
	size_t j;

	/* add_zones(): every distinct dns.zones entry, then the reverse. */
	for (i = 0; i < s->cfg->ndns_zones; i++) {
		for (j = 0; j < i; j++)
			if (strcmp(s->cfg->dns_zones[i],
				   s->cfg->dns_zones[j]) == 0)
				break;
		if (j == i)
			served++;
	}
	if (served > total)
		served = total;
	if (s->cfg->transfer_catalog != NULL && total > served) {
		total--;
		if (total > served)
			snprintf(buf, size, "%zu zone%s (+%zu reverse, "
				 "+ catalog)", served, served == 1 ? "" : "s",
				 total - served);
		else
			snprintf(buf, size, "%zu zone%s (+ catalog)", served,
				 served == 1 ? "" : "s");
	} else if (total > served)
		snprintf(buf, size, "%zu zone%s (+%zu reverse)", served,
			 served == 1 ? "" : "s", total - served);
	else
		snprintf(buf, size, "%zu zone%s", served,
			 served == 1 ? "" : "s");
}
