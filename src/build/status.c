/* SPDX-License-Identifier: MIT */
/* status.c -- a snapshot's computed status, as Kuma would show it. */
#include "autoconfig.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "build/status.h"
#include "build/config.h"
#include "build/snapshot.h"
#include "kuma/labels.h"
#include "util/yamlx.h"

/*
 * Kuma's system namespace on Kubernetes (KUMA_STORE_KUBERNETES_SYSTEM_
 * NAMESPACE, default kuma-system), where HostnameGenerators and synced
 * resources live.
 */
#define STATUS_SYSTEM_NAMESPACE "kuma-system"

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

/*
 * Kuma's core name of a namespaced resource on a Kubernetes zone
 * (@sysns: the system namespace, NULL on a universal zone) is
 * <name>.<namespace> (pkg/util/k8s/name_converter.go).
 */
static void
core_name(char *buf, size_t size, const char *name, const char *ns)
{
	if (ns != NULL)
		snprintf(buf, size, "%s.%s", name, ns);
	else
		snprintf(buf, size, "%s", name);
}

/*
 * A HostnameGenerator's core name: on Kubernetes generators live only
 * in the system namespace (Kuma refuses them elsewhere), default and
 * synced ones included.
 */
static struct yamlx_node *
ref_node(const char *generator, const char *sysns)
{
	struct yamlx_node *m = yamlx_node_new_map();
	char name[512];

	core_name(name, sizeof(name), generator, sysns);
	if (m != NULL && yamlx_map_add_str(m, "coreName", name) < 0) {
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

static int
add_vip_list(struct yamlx_node *st, const struct build_service *bs)
{
	struct yamlx_node *vips = yamlx_node_new_seq();
	char buf[64];
	int rc = 0;
	int i;

	if (vips == NULL)
		return -ENOMEM;
	for (i = 0; i < 2; i++) {
		const struct netaddr *a = i ? &bs->vips.vip6 : &bs->vips.vip;
		struct yamlx_node *v = NULL;

		if (!netaddr_is_set(a))
			continue;
		if ((v = yamlx_node_new_map()) == NULL ||
		    yamlx_seq_add(vips, v) < 0) {
			yamlx_node_free(vips);
			return -ENOMEM;
		}
		rc |= yamlx_map_add_str(v, "ip", netaddr_format(a, buf,
								sizeof(buf)));
	}
	rc |= yamlx_map_add(st, "vips", vips);
	return rc;
}

/* MeshExternalService: status.vip is one object, not a list. */
static int
add_vip_single(struct yamlx_node *st, const struct build_service *bs)
{
	struct yamlx_node *v = NULL;
	char buf[64];

	if (!netaddr_is_set(&bs->vips.vip))
		return 0;
	if ((v = yamlx_node_new_map()) == NULL)
		return -ENOMEM;
	if (yamlx_map_add_str(v, "ip", netaddr_format(&bs->vips.vip, buf,
							sizeof(buf))) < 0) {
		yamlx_node_free(v);
		return -ENOMEM;
	}
	return yamlx_map_add(st, "vip", v);
}

static struct yamlx_node *
addresses_node(const struct hostname_result *h, const char *sysns)
{
	struct yamlx_node *addrs = yamlx_node_new_seq();
	size_t i;
	int rc = 0;

	for (i = 0; addrs != NULL && i < h->naddresses; i++) {
		struct yamlx_node *a = yamlx_node_new_map();

		if (a == NULL || yamlx_seq_add(addrs, a) < 0) {
			rc = -ENOMEM;
			break;
		}
		rc |= yamlx_map_add_str(a, "hostname", h->addresses[i].hostname);
		rc |= yamlx_map_add_str(a, "origin", "HostnameGenerator");
		rc |= yamlx_map_add(a, "hostnameGeneratorRef",
				    ref_node(h->addresses[i].generator, sysns));
	}
	if (rc != 0) {
		yamlx_node_free(addrs);
		return NULL;
	}
	return addrs;
}

static struct yamlx_node *
generators_node(const struct hostname_result *h, const char *sysns)
{
	struct yamlx_node *gens = yamlx_node_new_seq();
	size_t i;
	int rc = 0;

	for (i = 0; gens != NULL && i < h->nconditions; i++) {
		const struct hostname_condition *c = &h->conditions[i];
		struct yamlx_node *g = yamlx_node_new_map();
		struct yamlx_node *conds = NULL;

		if (g == NULL || yamlx_seq_add(gens, g) < 0) {
			rc = -ENOMEM;
			break;
		}
		rc |= yamlx_map_add(g, "hostnameGeneratorRef",
				    ref_node(c->generator, sysns));
		if ((conds = yamlx_node_new_seq()) == NULL ||
		    yamlx_map_add(g, "conditions", conds) < 0) {
			rc = -ENOMEM;
			break;
		}
		rc |= yamlx_seq_add(conds, condition_node(
			"Generated", c->reason == HOSTNAME_GENERATED,
			hostname_reason_name(c->reason), c->message));
	}
	if (rc != 0) {
		yamlx_node_free(gens);
		return NULL;
	}
	return gens;
}

/* MeshMultiZoneService status.meshServices. */
static struct yamlx_node *
matches_node(const struct build_service *bs)
{
	struct yamlx_node *list = yamlx_node_new_seq();
	size_t i;
	int rc = 0;

	for (i = 0; list != NULL && i < bs->nmatches; i++) {
		const struct generate_mzs_match *m = &bs->matches[i];
		struct yamlx_node *e = yamlx_node_new_map();

		if (e == NULL || yamlx_seq_add(list, e) < 0) {
			rc = -ENOMEM;
			break;
		}
		rc |= yamlx_map_add_str(e, "name", m->name);
		rc |= yamlx_map_add_str(e, "namespace",
					m->namespace ? m->namespace : "");
		rc |= yamlx_map_add_str(e, "zone", m->zone ? m->zone : "");
		rc |= yamlx_map_add_str(e, "mesh", m->mesh ? m->mesh : "");
	}
	if (rc != 0) {
		yamlx_node_free(list);
		return NULL;
	}
	return list;
}

/* status.conditions: computed ones, a VIP failure, MZS matching. */
static int
add_conditions(struct yamlx_node *st, const struct build_service *bs)
{
	struct yamlx_node *conds = NULL;
	size_t i;
	int rc = 0;

	if (bs->mzs == NULL && bs->vip_error == NULL && bs->nconditions == 0)
		return 0;
	if ((conds = yamlx_node_new_seq()) == NULL)
		return -ENOMEM;
	if (yamlx_map_add(st, "conditions", conds) < 0)
		return -ENOMEM;
	if (bs->mzs != NULL) {
		char msg[64];
		size_t n = bs->nmatches;

		snprintf(msg, sizeof(msg), "Matched %zu MeshService(s)", n);
		rc |= yamlx_seq_add(conds, condition_node(
			"MeshServicesMatched", n > 0,
			n > 0 ? "MatchesFound" : "NoMatchesFound",
			n > 0 ? msg : "Selector does not match any "
			"MeshService in this zone"));
	}
	for (i = 0; i < bs->nconditions; i++) {
		const struct generate_condition *c = &bs->conditions[i];

		rc |= yamlx_seq_add(conds, condition_node(c->type, c->status,
							  c->reason,
							  c->message));
	}
	if (bs->vip_error != NULL)
		rc |= yamlx_seq_add(conds, condition_node(
			"VIPAllocated", 0, "AllocationFailed", bs->vip_error));
	return rc;
}

/*
 * A MeshService's dataplaneProxies: total, the Dataplanes of the input it
 * selects ({} for none, as Kuma prints it).  connected and healthy are
 * left out: only a control plane knows them, and Kuma omits a count of 0,
 * so 0 would read as "none".  Printed only when the input has Dataplanes
 * (a Kubernetes input has Pods instead: the count is unknown there).
 */
static struct yamlx_node *
proxies_node(const struct resource_mesh_service *ms,
	     const struct resource_set *set)
{
	struct yamlx_node *n = yamlx_node_new_map();
	char num[24];
	size_t total = 0;
	size_t i;

	if (n == NULL)
		return NULL;
	for (i = 0; set != NULL && i < set->ndataplanes; i++)
		total += resource_mesh_service_selects(ms,
						       &set->dataplanes[i]);
	if (total == 0)
		return n;
	snprintf(num, sizeof(num), "%zu", total);
	if (yamlx_map_add(n, "total",
			  yamlx_node_new_scalar(num, YAMLX_PLAIN)) != 0) {
		yamlx_node_free(n);
		return NULL;
	}
	return n;
}

/* Is @name one of the hostnames meshdns generated for @bs? */
static int
generated(const struct build_service *bs, const char *name)
{
	size_t i;

	for (i = 0; i < bs->hostnames.naddresses; i++)
		if (strcmp(bs->hostnames.addresses[i].hostname, name) == 0)
			return 1;
	return 0;
}

/*
 * With Kuma's store: do the status.addresses Kuma recorded differ from the
 * hostnames meshdns generates?  1 with both lists in @msg, else 0.
 */
static int
kuma_addresses_differ(const struct build_service *bs, char *msg,
		      size_t size)
{
	const struct resource_mesh_service *ms = bs->res;
	size_t off = 0, i;
	int same = 1;

	if (ms == NULL || ms->nkuma_hostnames == 0)
		return 0;
	for (i = 0; i < ms->nkuma_hostnames; i++)
		same &= generated(bs, ms->kuma_hostnames[i]);
	same &= bs->hostnames.naddresses == ms->nkuma_hostnames;
	if (same)
		return 0;
	off = (size_t)snprintf(msg, size, "Kuma recorded");
	for (i = 0; i < ms->nkuma_hostnames && off < size; i++)
		off += (size_t)snprintf(msg + off, size - off, "%s %s",
					i > 0 ? "," : "",
					ms->kuma_hostnames[i]);
	if (off < size)
		off += (size_t)snprintf(msg + off, size - off,
					"; meshdns generates");
	for (i = 0; i < bs->hostnames.naddresses && off < size; i++)
		off += (size_t)snprintf(msg + off, size - off, "%s %s",
					i > 0 ? "," : "",
					bs->hostnames.addresses[i].hostname);
	if (bs->hostnames.naddresses == 0 && off < size)
		snprintf(msg + off, size - off, " none");
	return 1;
}

static struct yamlx_node *
status_node(const struct build_service *bs, const struct resource_set *set,
	    const char *sysns, int store)
{
	struct yamlx_node *st = yamlx_node_new_map();
	char msg[1024];
	int rc = 0;

	if (st == NULL)
		return NULL;
	if (bs->mzs != NULL)
		rc |= yamlx_map_add(st, "meshServices", matches_node(bs));
	rc |= yamlx_map_add(st, "addresses", addresses_node(&bs->hostnames, sysns));
	if (bs->mes != NULL)
		rc |= add_vip_single(st, bs);
	else
		rc |= add_vip_list(st, bs);
	rc |= yamlx_map_add(st, "hostnameGenerators",
			    generators_node(&bs->hostnames, sysns));
	if (bs->res != NULL && set != NULL && set->ndataplanes > 0)
		rc |= yamlx_map_add(st, "dataplaneProxies",
				    proxies_node(bs->res, set));
	rc |= add_conditions(st, bs);
	if (store && rc == 0 && kuma_addresses_differ(bs, msg, sizeof(msg))) {
		struct yamlx_node *conds = yamlx_map_get(st, "conditions");

		if (conds == NULL) {
			conds = yamlx_node_new_seq();
			rc |= yamlx_map_add(st, "conditions", conds);
		}
		if (rc == 0)
			rc |= yamlx_seq_add(conds, condition_node(
				"KumaAddressesMatch", 0, "Differ", msg));
	}
	if (rc != 0) {
		yamlx_node_free(st);
		return NULL;
	}
	return st;
}

static int
add_port_list(struct yamlx_node *spec, const struct resource_port *ports,
	      size_t n)
{
	struct yamlx_node *list = yamlx_node_new_seq();
	char buf[16];
	size_t i;
	int rc = 0;

	for (i = 0; list != NULL && i < n; i++) {
		const struct resource_port *p = &ports[i];
		struct yamlx_node *e = yamlx_node_new_map();

		if (e == NULL || yamlx_seq_add(list, e) < 0) {
			rc = -ENOMEM;
			break;
		}
		if (p->name != NULL)
			rc |= yamlx_map_add_str(e, "name", p->name);
		snprintf(buf, sizeof(buf), "%u", p->port);
		rc |= yamlx_map_add(e, "port",
				    yamlx_node_new_scalar(buf, YAMLX_PLAIN));
		if (p->has_target && p->target_is_name) {
			rc |= yamlx_map_add_str(e, "targetPort", p->target_name);
		} else if (p->has_target) {
			snprintf(buf, sizeof(buf), "%u", p->target_port);
			rc |= yamlx_map_add(e, "targetPort",
					    yamlx_node_new_scalar(buf,
								  YAMLX_PLAIN));
		}
		rc |= yamlx_map_add_str(e, "appProtocol",
					p->app_protocol ? p->app_protocol :
					"tcp");
	}
	if (list == NULL)
		return -ENOMEM;
	rc |= yamlx_map_add(spec, "ports", list);
	return rc;
}

/* The spec of a generated MeshService, from its fields. */
static struct yamlx_node *
generated_spec(const struct resource_mesh_service *ms)
{
	struct yamlx_node *spec = yamlx_node_new_map();
	struct yamlx_node *sel = yamlx_node_new_map();
	int rc = 0;

	if (spec == NULL || sel == NULL) {
		yamlx_node_free(spec);
		yamlx_node_free(sel);
		return NULL;
	}
	switch (ms->selector) {
	case RESOURCE_SELECTOR_DATAPLANE_TAGS:
		rc |= yamlx_map_add(sel, "dataplaneTags",
				    labels_node(&ms->selector_labels));
		break;
	case RESOURCE_SELECTOR_DATAPLANE_LABELS: {
		struct yamlx_node *m = yamlx_node_new_map();

		rc |= yamlx_map_add(sel, "dataplaneLabels", m);
		if (m != NULL)
			rc |= yamlx_map_add(m, "matchLabels",
					    labels_node(&ms->selector_labels));
		break;
	}
	case RESOURCE_SELECTOR_DATAPLANE_REF: {
		struct yamlx_node *m = yamlx_node_new_map();

		rc |= yamlx_map_add(sel, "dataplaneRef", m);
		if (m != NULL)
			rc |= yamlx_map_add_str(m, "name", ms->selector_ref);
		break;
	}
	case RESOURCE_SELECTOR_NONE:
		break;
	}
	rc |= yamlx_map_add(spec, "selector", sel);
	rc |= add_port_list(spec, ms->ports, ms->nports);
	if (rc != 0) {
		yamlx_node_free(spec);
		return NULL;
	}
	return spec;
}

/*
 * A written MeshService's spec as Kuma stores it: the written fields, but
 * the ports as read (unknown port fields dropped, appProtocol "tcp" when
 * not given), as a GET after a PUT shows them.  The other values are
 * borrowed from the written spec.
 */
static struct yamlx_node *
stored_spec(const struct resource_mesh_service *ms,
	    const struct yamlx_node *spec)
{
	struct yamlx_node *out = yamlx_node_new_map();
	size_t i;
	int rc = 0;

	if (out == NULL)
		return NULL;
	for (i = 0; i < spec->n; i++) {
		const struct yamlx_pair *p = &spec->pairs[i];

		if (strcmp(p->key->scalar, "ports") == 0)
			rc |= add_port_list(out, ms->ports, ms->nports);
		else
			rc |= yamlx_map_add(out, p->key->scalar, p->value);
	}
	if (rc != 0) {
		yamlx_node_free(out);
		return NULL;
	}
	return out;
}

static const struct yamlx_node *
written_spec(const struct build_service *bs)
{
	if (bs->res != NULL)
		return bs->res->spec;
	if (bs->mes != NULL)
		return bs->mes->spec;
	return bs->mzs != NULL ? bs->mzs->spec : NULL;
}

static struct yamlx_node *
service_doc(const struct build_service *bs, const struct resource_set *set,
	    const char *sysns, int store)
{
	const struct resource_meta *m = bs->meta;
	const struct yamlx_node *spec = written_spec(bs);
	const char *origin = resource_labels_get(&m->labels,
						 KUMA_LABEL_ORIGIN);
	const char *ns = m->namespace;
	struct yamlx_node *doc = yamlx_node_new_map();
	char name[512];
	int rc = 0;

	if (doc == NULL)
		return NULL;
	/*
	 * KDS stores what it syncs in the system namespace of a Kubernetes
	 * zone, in no namespace on a universal one, whatever its origin's
	 * namespace was (Kuma's KDS naming, docs/madr/decisions).
	 */
	if (origin != NULL && strcmp(origin, "global") == 0)
		ns = sysns;
	core_name(name, sizeof(name), m->name, ns);
	rc |= yamlx_map_add_str(doc, "type", resource_kind_name(m->kind));
	rc |= yamlx_map_add_str(doc, "name", name);
	rc |= yamlx_map_add_str(doc, "mesh", m->mesh);
	if (m->labels.n > 0)
		rc |= yamlx_map_add(doc, "labels", labels_node(&m->labels));
	/*
	 * The written spec is borrowed, not copied: the snapshot outlives
	 * the documents, and yamlx_emit() writes what an alias shares once,
	 * then an alias, so aliases cost neither memory nor output here.
	 */
	if (spec != NULL && bs->res != NULL && spec->type == YAMLX_MAP)
		rc |= yamlx_map_add(doc, "spec", stored_spec(bs->res, spec));
	else if (spec != NULL)
		rc |= yamlx_map_add(doc, "spec", (struct yamlx_node *)spec);
	else if (bs->res != NULL)
		rc |= yamlx_map_add(doc, "spec", generated_spec(bs->res));
	rc |= yamlx_map_add(doc, "status", status_node(bs, set, sysns, store));
	if (rc != 0) {
		yamlx_node_free(doc);
		return NULL;
	}
	return doc;
}

static int
emit(FILE *fp, const struct snapshot *s, int json)
{
	struct yamlx_node **docs = NULL;
	const char *sysns = NULL;
	size_t i;
	size_t n = 0;
	int rc = -ENOMEM;
	int pass;

	docs = calloc(s->nservices + 1, sizeof(*docs));
	if (docs == NULL)
		return -ENOMEM;
	if (s->cfg != NULL && s->cfg->kuma_environment == GENERATE_KUBERNETES)
		sysns = STATUS_SYSTEM_NAMESPACE;
	/* kumactl's order: one kind after the other, MeshServices first. */
	for (pass = 0; pass < 3; pass++) {
		static const enum resource_kind kinds[] = {
			RESOURCE_MESH_SERVICE,
			RESOURCE_MESH_EXTERNAL_SERVICE,
			RESOURCE_MESH_MULTI_ZONE_SERVICE,
		};

		for (i = 0; i < s->nservices; i++) {
			if (s->services[i].kind != kinds[pass])
				continue;
			docs[n] = service_doc(&s->services[i], s->set, sysns,
					      s->cfg != NULL &&
					      s->cfg->store != NULL);
			if (docs[n] == NULL)
				goto out;
			n++;
		}
	}
	rc = json ? yamlx_emit_json(fp, docs, n) : yamlx_emit(fp, docs, n);
out:
	for (i = 0; i < n; i++)
		yamlx_node_free(docs[i]);
	free(docs);
	return rc;
}

int
status_print(FILE *fp, const struct snapshot *s)
{
	return emit(fp, s, 0);
}

int
status_print_json(FILE *fp, const struct snapshot *s)
{
	return emit(fp, s, 1);
}
