/* SPDX-License-Identifier: MIT */
/* build.c -- one build: config + resources -> an immutable snapshot. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "build.h"
#include "tmpl.h"

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
	return resolve(&cfg->state_file, cfg->file);
}

int
build_load_config(struct config **out, const struct build_options *opt,
		  struct diag_list *diags)
{
	struct config *cfg = NULL;
	int rc;

	*out = NULL;
	if (opt->config_file != NULL)
		rc = config_load_file(&cfg, opt->config_file, diags);
	else
		rc = (cfg = config_new_default()) == NULL ? -ENOMEM : 0;
	if (rc < 0 || (rc = resolve_paths(cfg)) < 0)
		goto out;
	if (opt->nlisten > 0 &&
	    (rc = config_set_listen(cfg, opt->listen, opt->nlisten)) < 0)
		goto out;
	if (opt->nresources > 0 &&
	    (rc = config_set_strings(&cfg->resources, &cfg->nresources,
				     opt->resources, opt->nresources)) < 0)
		goto out;
	if (opt->state_file != NULL &&
	    (rc = config_set_string(&cfg->state_file, opt->state_file)) < 0)
		goto out;
	if (opt->verbosity > 0) {
		int level = (int)cfg->log_level + opt->verbosity;

		cfg->log_level = level > CONFIG_LOG_DEBUG ? CONFIG_LOG_DEBUG :
			(enum config_log_level)level;
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

/* Compile every generator's template; the ones that fail are left out. */
static int
compile_generators(const struct resource_set *set, struct hostname_gen **out,
		   size_t *nout, struct diag_list *diags)
{
	struct hostname_gen *gens = NULL;
	size_t n = 0;
	size_t i;

	gens = calloc(set->ngenerators + 1, sizeof(*gens));
	if (gens == NULL)
		return -ENOMEM;
	for (i = 0; i < set->ngenerators; i++) {
		const struct resource_hostname_generator *g =
			&set->generators[i];
		struct tmpl *t = NULL;
		struct tmpl_error err;
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

static int
served_zone(void *ctx, const char *hostname)
{
	return table_builder_find_zone(ctx, hostname) >= 0;
}

static int
add_zones(struct table_builder *b, const struct config *cfg,
	  struct diag_list *diags)
{
	struct table_zone_params p;
	char err[256];
	size_t i;

	for (i = 0; i < cfg->ndns_zones; i++) {
		memset(&p, 0, sizeof(p));
		p.apex = cfg->dns_zones[i];
		p.mname = cfg->soa.mname;
		p.rname = cfg->soa.rname;
		p.refresh = cfg->soa.refresh;
		p.retry = cfg->soa.retry;
		p.expire = cfg->soa.expire;
		p.minimum = cfg->soa.minimum;
		p.ttl = cfg->ttl;
		p.ns = (const char *const *)cfg->ns;
		p.nns = cfg->nns;
		if (table_builder_add_zone(b, &p, err, sizeof(err)) < 0) {
			diag_error(diags, cfg->file, 0, 0, "dns zone \"%s\": %s",
				   cfg->dns_zones[i], err);
			return -1;
		}
	}
	return 0;
}

/* Allocate VIPs for every service; the new state goes into @s. */
static int
allocate_vips(struct snapshot *s, const struct vip_state *prev, int64_t now,
	      struct diag_list *diags)
{
	struct vip_pool pool;
	struct vip_request *reqs = NULL;
	struct vip_result *results = NULL;
	struct vip_addr *pins = NULL;
	char (*keys)[1024] = NULL;
	char err[256];
	char msg[1024];
	size_t n = s->nservices;
	size_t i;
	int rc = -ENOMEM;

	if (vip_pool_parse(&pool, s->cfg->pools[CONFIG_POOL_MESH_SERVICE], err,
			   sizeof(err)) < 0) {
		/* config.c validated it; this is a bug if it happens. */
		diag_error(diags, s->cfg->file, 0, 0, "vip pool: %s", err);
		return -1;
	}
	reqs = calloc(n + 1, sizeof(*reqs));
	results = calloc(n + 1, sizeof(*results));
	pins = calloc(n + 1, sizeof(*pins));
	keys = calloc(n + 1, sizeof(*keys));
	if (reqs == NULL || results == NULL || pins == NULL || keys == NULL)
		goto out;
	for (i = 0; i < n; i++) {
		const struct resource_mesh_service *ms = s->services[i].res;

		if (build_service_key(&ms->meta, keys[i], sizeof(keys[i])) < 0) {
			rc = -ENAMETOOLONG;
			goto out;
		}
		reqs[i].key = keys[i];
		reqs[i].pool = 0;
		if (ms->nvips > 0 && vip_addr_parse(&pins[i], ms->vips[0]) == 0)
			reqs[i].pinned = &pins[i];
	}
	if ((s->state = vip_state_clone(prev)) == NULL)
		goto out;
	/* A build with errors left resources out: release nothing. */
	rc = vip_allocate(s->state, &pool, 1, reqs, n, results, now,
			  s->cfg->hold_seconds, diags->errors == 0);
	if (rc < 0)
		goto out;
	for (i = 0; i < n; i++) {
		struct build_service *bs = &s->services[i];
		const struct resource_meta *m = &bs->res->meta;

		if (results[i].status == 0) {
			bs->has_vip = 1;
			bs->vip = results[i].addr;
			continue;
		}
		if (results[i].status == -ENOSPC)
			snprintf(msg, sizeof(msg),
				 "could not allocate vip for MeshService %s: "
				 "no addresses left in pool %s", m->name,
				 pool.text);
		else
			snprintf(msg, sizeof(msg),
				 "status.vips: %s is already the vip of %s",
				 bs->res->vips[0], results[i].other);
		bs->vip_error = strdup(msg);
		/*
		 * A warning, not an error: this service goes without a VIP
		 * (its status says why) and everything else is served, so
		 * a full pool does not block every other change.
		 */
		diag_warning(diags, m->pos.file, m->pos.line, m->pos.column,
			     "%s", msg);
	}
	rc = 0;
out:
	free(reqs);
	free(results);
	free(pins);
	free(keys);
	return rc;
}

static int
add_records(struct snapshot *s, struct table_builder *b,
	    struct diag_list *diags)
{
	size_t i;
	size_t j;

	for (i = 0; i < s->nservices; i++) {
		const struct build_service *bs = &s->services[i];
		int family = bs->vip.family;

		if (!bs->has_vip)
			continue;
		for (j = 0; j < bs->hostnames.naddresses; j++) {
			const char *h = bs->hostnames.addresses[j].hostname;
			int rc;

			rc = table_builder_add_addr(b, h, family, bs->vip.b,
						    s->cfg->ttl);
			if (rc == -ENOMEM)
				return rc;
			if (rc < 0)
				diag_error(diags, bs->res->meta.pos.file,
					   bs->res->meta.pos.line,
					   bs->res->meta.pos.column,
					   "hostname \"%s\" cannot be served (%s)",
					   h, strerror(-rc));
		}
	}
	return 0;
}

static int
set_serials(struct snapshot *s, struct table_builder *b, int64_t now)
{
	size_t i;

	for (i = 0; i < s->cfg->ndns_zones; i++) {
		uint64_t digest = table_builder_zone_digest(b, (int)i);
		uint32_t serial = 0;
		int rc;

		rc = vip_state_zone_serial(s->state, s->cfg->dns_zones[i],
					   digest, (uint32_t)now, &serial);
		if (rc < 0)
			return rc;
		table_builder_set_serial(b, (int)i, serial);
	}
	return 0;
}

int
build_run(struct snapshot **out, const struct build_options *opt,
	  const struct vip_state *prev, int64_t now, struct diag_list *diags)
{
	struct snapshot *s = NULL;
	struct hostname_gen *gens = NULL;
	struct hostname_item *items = NULL;
	struct table_builder *b = NULL;
	size_t ngens = 0;
	size_t errors_before = diags->errors;
	size_t warnings_before = diags->n - diags->errors;
	size_t i;
	int rc = -ENOMEM;

	*out = NULL;
	if ((s = calloc(1, sizeof(*s))) == NULL)
		goto out;
	if ((rc = build_load_config(&s->cfg, opt, diags)) < 0)
		goto out;
	rc = -ENOMEM;
	if ((s->set = resource_set_new()) == NULL)
		goto out;
	for (i = 0; i < s->cfg->nresources; i++) {
		rc = resource_set_load_path(s->set, s->cfg->resources[i], diags);
		if (rc == -ENOMEM)
			goto out;
	}
	if ((rc = resource_set_finish(s->set, diags)) < 0)
		goto out;
	if ((rc = resource_set_compute_labels(s->set, s->cfg->zone)) < 0)
		goto out;
	if ((rc = compile_generators(s->set, &gens, &ngens, diags)) < 0)
		goto out;

	rc = -ENOMEM;
	if ((b = table_builder_new()) == NULL)
		goto out;
	if (add_zones(b, s->cfg, diags) < 0) {
		rc = -1;
		goto out;
	}
	s->nservices = s->set->nservices;
	s->services = calloc(s->nservices + 1, sizeof(*s->services));
	items = calloc(s->nservices + 1, sizeof(*items));
	if (s->services == NULL || items == NULL)
		goto out;
	for (i = 0; i < s->nservices; i++) {
		s->services[i].res = &s->set->services[i];
		items[i].meta = &s->set->services[i].meta;
	}
	{
		struct hostname_result *results = NULL;

		results = calloc(s->nservices + 1, sizeof(*results));
		if (results == NULL)
			goto out;
		struct hostname_claims *claims = hostname_claims_new();

		rc = claims == NULL ? -ENOMEM :
			hostname_generate(gens, ngens, items, s->nservices,
					  s->cfg->zone, served_zone, b, claims,
					  results);
		hostname_claims_free(claims);
		for (i = 0; i < s->nservices; i++)
			s->services[i].hostnames = results[i];
		free(results);
		if (rc < 0)
			goto out;
	}
	if ((rc = allocate_vips(s, prev, now, diags)) < 0)
		goto out;
	if ((rc = add_records(s, b, diags)) < 0)
		goto out;
	if ((rc = set_serials(s, b, now)) < 0)
		goto out;
	/* After the serials: a serial change alone must be saved too. */
	s->state_changed = !vip_state_equal(prev, s->state);
	rc = table_builder_finish(b, &s->table);
	b = NULL;
	if (rc < 0)
		goto out;
	s->errors = diags->errors - errors_before;
	s->warnings = (diags->n - diags->errors) - warnings_before;
	*out = s;
	s = NULL;
	rc = 0;
out:
	if (rc == -ENOMEM)
		diag_error(diags, NULL, 0, 0, "out of memory during the build");
	else if (rc < -1)
		diag_error(diags, NULL, 0, 0, "build failed (%s)",
			   strerror(-rc));
	table_builder_free(b);
	free_generators(gens, ngens);
	free(items);
	snapshot_free(s);
	return rc;
}

void
snapshot_free(struct snapshot *s)
{
	size_t i;

	if (s == NULL)
		return;
	for (i = 0; i < s->nservices; i++) {
		hostname_result_clear(&s->services[i].hostnames);
		free(s->services[i].vip_error);
	}
	free(s->services);
	table_free(s->table);
	vip_state_free(s->state);
	resource_set_free(s->set);
	config_free(s->cfg);
	free(s);
}
