/* SPDX-License-Identifier: MIT */
/* status.c -- a snapshot's computed status, as Kuma would show it. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "status.h"
#include "yamlx.h"

/* A deep copy of a parsed node, for output. */
static struct yamlx_node *
clone(const struct yamlx_node *src)
{
	struct yamlx_node *n = NULL;
	size_t i;

	if (src->type == YAMLX_SCALAR)
		return yamlx_node_new_scalar(src->scalar, src->style);
	n = src->type == YAMLX_MAP ? yamlx_node_new_map() :
		yamlx_node_new_seq();
	if (n == NULL)
		return NULL;
	for (i = 0; i < src->n; i++) {
		struct yamlx_node *c = NULL;
		int rc;

		if (src->type == YAMLX_MAP) {
			c = clone(src->pairs[i].value);
			rc = c == NULL ? -ENOMEM :
				yamlx_map_add(n, src->pairs[i].key->scalar, c);
		} else {
			c = clone(src->items[i]);
			rc = c == NULL ? -ENOMEM : yamlx_seq_add(n, c);
		}
		if (rc < 0) {
			yamlx_node_free(n);
			return NULL;
		}
	}
	return n;
}

static struct yamlx_node *
labels_node(const struct resource_labels *labels)
{
	struct yamlx_node *m = yamlx_node_new_map();
	size_t i;

	for (i = 0; m != NULL && i < labels->n; i++) {
		if (yamlx_map_add_str(m, labels->v[i].key,
				      labels->v[i].value) < 0) {
			yamlx_node_free(m);
			return NULL;
		}
	}
	return m;
}

static struct yamlx_node *
ref_node(const char *core_name)
{
	struct yamlx_node *m = yamlx_node_new_map();

	if (m != NULL && yamlx_map_add_str(m, "coreName", core_name) < 0) {
		yamlx_node_free(m);
		return NULL;
	}
	return m;
}

static struct yamlx_node *
condition_node(const char *type, int ok, const char *reason,
	       const char *message)
{
	struct yamlx_node *m = yamlx_node_new_map();

	if (m == NULL)
		return NULL;
	if (yamlx_map_add_str(m, "type", type) < 0 ||
	    yamlx_map_add_str(m, "status", ok ? "True" : "False") < 0 ||
	    yamlx_map_add_str(m, "reason", reason) < 0 ||
	    yamlx_map_add_str(m, "message", message) < 0) {
		yamlx_node_free(m);
		return NULL;
	}
	return m;
}

/* status: addresses, vips, hostnameGenerators (and conditions). */
static struct yamlx_node *
status_node(const struct build_service *bs)
{
	const struct hostname_result *h = &bs->hostnames;
	struct yamlx_node *st = yamlx_node_new_map();
	struct yamlx_node *addrs = yamlx_node_new_seq();
	struct yamlx_node *vips = yamlx_node_new_seq();
	struct yamlx_node *gens = yamlx_node_new_seq();
	char buf[64];
	size_t i;
	int rc = 0;

	if (st == NULL || addrs == NULL || vips == NULL || gens == NULL)
		goto fail;
	for (i = 0; i < h->naddresses; i++) {
		struct yamlx_node *a = yamlx_node_new_map();

		if (a == NULL || yamlx_seq_add(addrs, a) < 0)
			goto fail;
		rc |= yamlx_map_add_str(a, "hostname", h->addresses[i].hostname);
		rc |= yamlx_map_add_str(a, "origin", "HostnameGenerator");
		rc |= yamlx_map_add(a, "hostnameGeneratorRef",
				    ref_node(h->addresses[i].generator));
	}
	if (bs->has_vip) {
		struct yamlx_node *v = yamlx_node_new_map();

		if (v == NULL || yamlx_seq_add(vips, v) < 0)
			goto fail;
		rc |= yamlx_map_add_str(v, "ip",
					vip_addr_format(&bs->vip, buf,
							sizeof(buf)));
	}
	for (i = 0; i < h->nconditions; i++) {
		const struct hostname_condition *c = &h->conditions[i];
		struct yamlx_node *g = yamlx_node_new_map();
		struct yamlx_node *conds = yamlx_node_new_seq();

		if (g == NULL || yamlx_seq_add(gens, g) < 0) {
			yamlx_node_free(conds);
			goto fail;
		}
		rc |= yamlx_map_add(g, "hostnameGeneratorRef",
				    ref_node(c->generator));
		if (conds == NULL || yamlx_map_add(g, "conditions", conds) < 0)
			goto fail;
		rc |= yamlx_seq_add(conds, condition_node(
			"Generated", c->reason == HOSTNAME_GENERATED,
			hostname_reason_name(c->reason), c->message));
	}
	rc |= yamlx_map_add(st, "addresses", addrs);
	addrs = NULL;
	rc |= yamlx_map_add(st, "vips", vips);
	vips = NULL;
	rc |= yamlx_map_add(st, "hostnameGenerators", gens);
	gens = NULL;
	if (bs->vip_error != NULL) {
		struct yamlx_node *conds = yamlx_node_new_seq();

		rc |= yamlx_map_add(st, "conditions", conds);
		if (conds != NULL)
			rc |= yamlx_seq_add(conds, condition_node(
				"VIPAllocated", 0, "AllocationFailed",
				bs->vip_error));
	}
	if (rc != 0)
		goto fail;
	return st;
fail:
	yamlx_node_free(st);
	yamlx_node_free(addrs);
	yamlx_node_free(vips);
	yamlx_node_free(gens);
	return NULL;
}

static struct yamlx_node *
service_doc(const struct build_service *bs)
{
	const struct resource_mesh_service *ms = bs->res;
	struct yamlx_node *doc = yamlx_node_new_map();
	char name[512];
	int rc = 0;

	if (doc == NULL)
		return NULL;
	if (ms->meta.namespace != NULL)
		snprintf(name, sizeof(name), "%s.%s", ms->meta.name,
			 ms->meta.namespace);
	else
		snprintf(name, sizeof(name), "%s", ms->meta.name);
	rc |= yamlx_map_add_str(doc, "type", "MeshService");
	rc |= yamlx_map_add_str(doc, "name", name);
	rc |= yamlx_map_add_str(doc, "mesh", ms->meta.mesh);
	if (ms->meta.labels.n > 0)
		rc |= yamlx_map_add(doc, "labels", labels_node(&ms->meta.labels));
	if (ms->spec != NULL)
		rc |= yamlx_map_add(doc, "spec", clone(ms->spec));
	rc |= yamlx_map_add(doc, "status", status_node(bs));
	if (rc != 0) {
		yamlx_node_free(doc);
		return NULL;
	}
	return doc;
}

int
status_print(FILE *fp, const struct snapshot *s)
{
	struct yamlx_node **docs = NULL;
	size_t i;
	int rc = -ENOMEM;

	docs = calloc(s->nservices + 1, sizeof(*docs));
	if (docs == NULL)
		return -ENOMEM;
	for (i = 0; i < s->nservices; i++)
		if ((docs[i] = service_doc(&s->services[i])) == NULL)
			goto out;
	rc = yamlx_emit(fp, docs, s->nservices);
out:
	for (i = 0; i < s->nservices; i++)
		yamlx_node_free(docs[i]);
	free(docs);
	return rc;
}
