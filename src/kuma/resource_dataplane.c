/* SPDX-License-Identifier: MIT */
/* resource_dataplane.c -- Dataplane: inbounds and reachableBackends. */
#include "autoconfig.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kuma/labels.h"
#include "kuma/resource.h"
#include "kuma/resource_int.h"
#include "util/netaddr.h"

/* Kuma's Dataplane validator (2.x), for Dataplane ports and backend refs. */
static const char dp_port_msg[] = "port must be in the range [1, 65535]";
static const char backend_kind_msg[] =
	"invalid value. Available values are: MeshExternalService,"
	"MeshMultiZoneService,MeshService";
static const char rfc1123_msg[] =
	"invalid characters. A lowercase RFC 1123 subdomain must consist of "
	"lower case alphanumeric characters, '-' or '.', and must start and "
	"end with an alphanumeric character";

static const char *const dp_spec_keys[] = {
	"networking", "metrics", "probes", NULL
};
static const char *const dp_networking_keys[] = {
	"address", "advertisedAddress", "inbound", "outbound", "gateway",
	"ingress", "admin", "transparentProxying", "listeners", NULL
};
static const char *const dp_inbound_keys[] = {
	"name", "port", "servicePort", "serviceAddress", "address",
	"protocol", "tags", "state", "health", "serviceProbe", NULL
};
static const char *const dp_tproxy_keys[] = {
	"redirectPortInbound", "redirectPortInboundV6", "redirectPortOutbound",
	"directAccessServices", "reachableServices", "ipFamilyMode",
	"reachableBackends", NULL
};
static const char *const dp_backends_keys[] = { "refs", NULL };
static const char *const dp_ref_keys[] = {
	"kind", "name", "namespace", "port", "labels", NULL
};

/* A lowercase RFC 1123 subdomain (Kuma's identifier rule). */
static int
rfc1123_subdomain_ok(const char *s)
{
	size_t label = 0;
	const char *p;

	if (*s == '\0' || strlen(s) > 253)
		return 0;
	for (p = s;; p++) {
		if (*p == '.' || *p == '\0') {
			if (label == 0 || p[-1] == '-')
				return 0;
			if (*p == '\0')
				return 1;
			label = 0;
			continue;
		}
		if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
		      (*p == '-' && label > 0)))
			return 0;
		label++;
	}
}

/* --- Dataplane --- */

static int
parse_inbound(struct ctx *c, const struct yamlx_node *item, const char *base,
	      struct resource_inbound *in)
{
	static const char *const states[] = {
		"Ready", "NotReady", "Ignored", NULL
	};
	const struct yamlx_node *n;
	const char *s = NULL;
	long long v;
	char p[192];
	int rc;

	node_pos(c, item, &in->pos);
	if (item->type != YAMLX_MAP) {
		err_at(c, item, "%s: must be a mapping, got %s", base,
		       yamlx_type_name(item));
		return 0;
	}
	check_keys(c, item, base, dp_inbound_keys, NULL);

	join_path(p, sizeof(p), base, "name");
	if (want_str(c, get(item, "name"), p, &s) == 0 && s != NULL &&
	    *s != '\0' && (rc = copy_str(&in->name, s)) < 0)
		return rc;

	join_path(p, sizeof(p), base, "port");
	n = get(item, "port");
	if (is_null(n))
		err_at(c, either(n, item), "%s: must be defined", p);
	else
		(void)want_port(c, n, p, dp_port_msg, &in->port);

	/* servicePort 0 is Kuma's "not set". */
	join_path(p, sizeof(p), base, "servicePort");
	n = get(item, "servicePort");
	if (!is_null(n) && !(plain_int(n, &v) == 0 && v == 0))
		(void)want_port(c, n, p, dp_port_msg, &in->service_port);

	join_path(p, sizeof(p), base, "protocol");
	if (want_str(c, get(item, "protocol"), p, &s) == 0 && s != NULL &&
	    *s != '\0' && (rc = copy_str(&in->protocol, s)) < 0)
		return rc;

	join_path(p, sizeof(p), base, "tags");
	rc = parse_labels(c, get(item, "tags"), p, &in->tags);
	if (rc == -ENOMEM)
		return rc;

	join_path(p, sizeof(p), base, "state");
	n = get(item, "state");
	if (want_str(c, n, p, &s) == 0 && s != NULL) {
		if (!in_list(states, s))
			err_at(c, n, "%s: must be one of: Ready, NotReady, "
			       "Ignored", p);
		else
			in->ignored = strcmp(s, "Ignored") == 0;
	}
	return 0;
}

static int
backend_kind(const char *s, enum resource_kind *out)
{
	if (strcmp(s, "MeshService") == 0)
		*out = RESOURCE_MESH_SERVICE;
	else if (strcmp(s, "MeshExternalService") == 0)
		*out = RESOURCE_MESH_EXTERNAL_SERVICE;
	else if (strcmp(s, "MeshMultiZoneService") == 0)
		*out = RESOURCE_MESH_MULTI_ZONE_SERVICE;
	else
		return -1;
	return 0;
}

/* One reachableBackends.refs[] entry; messages of Kuma's validator. */
static int
parse_backend_ref(struct ctx *c, const struct yamlx_node *item,
		  const char *base, struct resource_backend_ref *ref)
{
	const struct yamlx_node *kind;
	const struct yamlx_node *name;
	const struct yamlx_node *ns;
	const char *s = NULL;
	const char *name_s = NULL;
	const char *ns_s = NULL;
	char p[256];
	int bad = 0;
	int rc;

	node_pos(c, item, &ref->pos);
	if (item->type != YAMLX_MAP) {
		err_at(c, item, "%s: must be a mapping, got %s", base,
		       yamlx_type_name(item));
		return 0;
	}
	check_keys(c, item, base, dp_ref_keys, NULL);

	join_path(p, sizeof(p), base, "kind");
	kind = get(item, "kind");
	if (want_str(c, kind, p, &s) == 0 &&
	    (s == NULL || backend_kind(s, &ref->kind) < 0))
		err_at(c, either(kind, item), "%s: %s", p, backend_kind_msg);

	join_path(p, sizeof(p), base, "name");
	name = get(item, "name");
	if (want_str(c, name, p, &name_s) < 0) {
		bad = 1;
	} else if (name_s != NULL && *name_s != '\0') {
		if (!rfc1123_subdomain_ok(name_s))
			err_at(c, name, "%s: %s", p, rfc1123_msg);
		else if ((rc = copy_str(&ref->name, name_s)) < 0)
			return rc;
	}

	join_path(p, sizeof(p), base, "namespace");
	ns = get(item, "namespace");
	if (want_str(c, ns, p, &ns_s) < 0) {
		bad = 1;
	} else if (ns_s != NULL && *ns_s != '\0') {
		if (!valid_ident(ns_s))
			err_at(c, ns, "%s: %s", p, ident_msg);
		else if ((rc = copy_str(&ref->namespace, ns_s)) < 0)
			return rc;
	}

	join_path(p, sizeof(p), base, "labels");
	rc = parse_labels(c, get(item, "labels"), p, &ref->labels);
	if (rc == -ENOMEM)
		return rc;
	if (rc < 0)
		bad = 1;

	if (!bad) {
		int has_name = name_s != NULL && *name_s != '\0';
		int has_ns = ns_s != NULL && *ns_s != '\0';

		join_path(p, sizeof(p), base, "name");
		if (!has_name && !has_ns && ref->labels.n == 0)
			err_at(c, either(name, item),
			       "%s: name or labels are required", p);
		if (!has_name && has_ns)
			err_at(c, either(name, item),
			       "%s: name is required, when namespace is "
			       "defined", p);
		join_path(p, sizeof(p), base, "labels");
		if ((has_name || has_ns) && ref->labels.n > 0)
			err_at(c, get_key(item, "labels"),
			       "%s: labels cannot be defined when name is "
			       "specified", p);
	}

	join_path(p, sizeof(p), base, "port");
	if (want_port(c, get(item, "port"), p, port_range_msg,
		      &ref->port) == 1)
		ref->has_port = 1;
	return 0;
}

/* reachableBackends (or the annotation's document): {refs: [...]}. */
static int
parse_backends(struct ctx *c, const struct yamlx_node *rb, const char *path,
	       struct resource_dataplane *dp)
{
	const struct yamlx_node *map = NULL;
	const struct yamlx_node *refs = NULL;
	char p[192];
	char base[224];
	size_t i;
	int rc;

	dp->has_reachable_backends = 1;
	if (want_map(c, rb, path, &map) < 0 || map == NULL)
		return 0;
	check_keys(c, map, path, dp_backends_keys, NULL);
	join_path(p, sizeof(p), path, "refs");
	if (want_seq(c, get(map, "refs"), p, &refs) < 0 || refs == NULL ||
	    refs->n == 0)
		return 0;
	if ((dp->backends = calloc(refs->n, sizeof(*dp->backends))) == NULL)
		return -ENOMEM;
	for (i = 0; i < refs->n; i++) {
		snprintf(base, sizeof(base), "%s[%zu]", p, i);
		dp->nbackends++;
		rc = parse_backend_ref(c, refs->items[i], base,
				       &dp->backends[i]);
		if (rc < 0)
			return rc;
	}
	return 0;
}

/*
 * The Pod annotation kuma.io/reachable-backends, which Kuma turns into
 * reachableBackends: YAML inside a string.  Its nodes have positions in
 * the string only, so every problem is reported at the annotation.
 */
static int
parse_backends_annotation(struct ctx *c, const struct yamlx_node *ann,
			  struct resource_dataplane *dp)
{
	static const char path[] =
		"metadata.annotations." KUMA_ANNOTATION_REACHABLE_BACKENDS;
	struct yamlx_stream *st = NULL;
	struct diag_list errs;
	const char *text = NULL;
	int rc = 0;

	diag_list_init(&errs);
	if (want_str(c, ann, path, &text) < 0)
		goto out;
	dp->has_reachable_backends = 1;		/* "" reaches nothing */
	if (text == NULL || *text == '\0')
		goto out;
	rc = yamlx_load_string(&st, KUMA_ANNOTATION_REACHABLE_BACKENDS, text,
			       strlen(text), &errs);
	if (rc == -ENOMEM)
		goto out;
	if (rc < 0 || st == NULL) {
		const struct diag *d = errs.n > 0 ? &errs.v[0] : NULL;

		err_at(c, ann,
		       "%s: cannot parse, " KUMA_ANNOTATION_REACHABLE_BACKENDS
		       " has invalid format (line %d, column %d: %s)",
		       path, d != NULL ? d->line : 0, d != NULL ? d->column : 0,
		       d != NULL ? d->msg : "syntax error");
		rc = 0;
		goto out;
	}
	if (st->ndocs > 1) {
		err_at(c, ann, "%s: must hold one YAML document, got %zu",
		       path, st->ndocs);
		goto out;
	}
	if (st->ndocs == 1 && st->docs[0] != NULL) {
		c->pin = ann;
		rc = parse_backends(c, st->docs[0], path, dp);
		c->pin = NULL;
	}
out:
	yamlx_stream_free(st);
	diag_list_clear(&errs);
	return rc;
}

int
resource_dataplane_parse(struct ctx *c, const struct yamlx_node *root,
			 struct resource_dataplane *dp)
{
	const struct yamlx_node *fields = root;
	const struct yamlx_node *netn;
	const struct yamlx_node *net = NULL;
	const struct yamlx_node *inb = NULL;
	const struct yamlx_node *tp = NULL;
	const struct yamlx_node *n;
	const char *pfx = "";
	const char *s = NULL;
	char pn[32];
	char p[96];
	char p2[128];
	char base[128];
	size_t i;
	int inbound_bad = 0;
	int rc;

	if (dp->meta.shape == RESOURCE_SHAPE_KUBERNETES) {
		pfx = "spec";
		if (want_map(c, get(root, "spec"), "spec", &fields) < 0)
			return 0;
		check_keys(c, fields, "spec", dp_spec_keys, NULL);
	}
	join_path(pn, sizeof(pn), pfx, "networking");
	netn = get(fields, "networking");
	if (is_null(netn)) {
		err_at(c, either(netn, get_key(root, "spec")),
		       "%s: must be defined", pn);
		return 0;
	}
	if (want_map(c, netn, pn, &net) < 0)
		return 0;
	check_keys(c, net, pn, dp_networking_keys, NULL);

	join_path(p, sizeof(p), pn, "address");
	n = get(net, "address");
	if (want_str(c, n, p, &s) == 0) {
		struct netaddr a;

		if (s == NULL || *s == '\0')
			err_at(c, either(n, get_key(fields, "networking")),
			       "%s: address can't be empty", p);
		else if (netaddr_parse(&a, s) < 0)
			err_at(c, n, "%s: \"%s\" is not an IP address", p, s);
		else if (netaddr_is_any(&a))
			err_at(c, n, "%s: must not be 0.0.0.0 or ::", p);
		else if ((rc = copy_str(&dp->address, s)) < 0)
			return rc;
	}

	join_path(p, sizeof(p), pn, "inbound");
	if (want_seq(c, get(net, "inbound"), p, &inb) < 0)
		inbound_bad = 1;
	if (inb != NULL && inb->n > 0) {
		dp->inbounds = calloc(inb->n, sizeof(*dp->inbounds));
		if (dp->inbounds == NULL)
			return -ENOMEM;
		for (i = 0; i < inb->n; i++) {
			snprintf(base, sizeof(base), "%s[%zu]", p, i);
			dp->ninbounds++;
			rc = parse_inbound(c, inb->items[i], base,
					   &dp->inbounds[i]);
			if (rc < 0)
				return rc;
		}
	}
	if (!inbound_bad && dp->ninbounds == 0 &&
	    is_null(get(net, "gateway")))
		err_at(c, get_key(fields, "networking"),
		       "%s: has to contain at least one inbound interface or "
		       "gateway", pn);

	join_path(p, sizeof(p), pn, "transparentProxying");
	if (want_map(c, get(net, "transparentProxying"), p, &tp) == 0 &&
	    tp != NULL) {
		check_keys(c, tp, p, dp_tproxy_keys, NULL);
		n = get(tp, "reachableBackends");
		join_path(p2, sizeof(p2), p, "reachableBackends");
		/* null is "not set", as protobuf reads it; {} is "none". */
		if (!is_null(n) && (rc = parse_backends(c, n, p2, dp)) < 0)
			return rc;
	}
	if (dp->meta.shape == RESOURCE_SHAPE_KUBERNETES &&
	    !dp->has_reachable_backends) {
		n = get(get(get(root, "metadata"), "annotations"),
			KUMA_ANNOTATION_REACHABLE_BACKENDS);
		if (n != NULL)
			return parse_backends_annotation(c, n, dp);
	}
	return 0;
}
