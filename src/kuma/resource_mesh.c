/* SPDX-License-Identifier: MIT */
/* resource_mesh.c -- Mesh, MeshService, HostnameGenerator, MES and MZS. */
#include "autoconfig.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "kuma/labels.h"
#include "kuma/resource.h"
#include "kuma/resource_int.h"
#include "util/netaddr.h"

static const char *const mode_names[] = {
	[RESOURCE_MESH_MODE_DISABLED] = "Disabled",
	[RESOURCE_MESH_MODE_EVERYWHERE] = "Everywhere",
	[RESOURCE_MESH_MODE_REACHABLE_BACKENDS] = "ReachableBackends",
	[RESOURCE_MESH_MODE_EXCLUSIVE] = "Exclusive",
};

/*
 * The messages of apimachinery's IsDNS1035Label, which Kuma 3 applies to
 * service names (the double space is theirs).
 */
static const char rfc1035_len_msg[] = "must be no more than 63 characters";
static const char rfc1035_fmt_msg[] =
	"a DNS-1035 label must consist of lower case alphanumeric characters "
	"or '-', start with an alphabetic character, and end with an "
	"alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used "
	"for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')";

/* Kuma 2.14's MeshService validator (validators.ValidateLength). */
static const char ms_len_msg[] = "must not be longer than 63 characters";

static const char app_protocol_msg[] =
	"appProtocol must be one of: grpc, http, http2, tcp";

/* Kuma's MeshExternalService validator. */
static const char mes_port_msg[] = "port must be a valid (1-65535)";

static const char *const ms_spec_keys[] = {
	"selector", "ports", "state", "identities", NULL
};
static const char *const ms_selector_keys[] = {
	"dataplaneTags", "dataplaneRef", "dataplaneLabels", NULL
};
static const char *const ms_port_keys[] = {
	"name", "port", "targetPort", "appProtocol", NULL
};
static const char *const match_labels_keys[] = { "matchLabels", NULL };
static const char *const ref_keys[] = { "name", NULL };
static const char *const hg_spec_keys[] = {
	"selector", "template", "extension", NULL
};
static const char *const hg_selector_keys[] = {
	"meshService", "meshExternalService", "meshMultiZoneService", NULL
};
static const char *const mesh_services_keys[] = { "mode", NULL };

/* MeshExternalService and MeshMultiZoneService */
static const char *const mes_spec_keys[] = {
	"match", "endpoints", "tls", "extension", NULL
};
static const char *const mes_match_keys[] = {
	"type", "port", "protocol", NULL
};
static const char *const mes_endpoint_keys[] = {
	"address", "port", "priority", NULL
};
static const char *const extension_keys[] = { "type", "config", NULL };
static const char *const mzs_spec_keys[] = { "selector", "ports", NULL };
static const char *const mzs_selector_keys[] = { "meshService", NULL };

/* --- RFC 1035 --- */

static int
rfc1035_format_ok(const char *s)
{
	size_t i;
	size_t n = strlen(s);

	if (n == 0 || s[0] < 'a' || s[0] > 'z')
		return 0;
	for (i = 0; i < n; i++) {
		char ch = s[i];

		if (!((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') ||
		      ch == '-'))
			return 0;
	}
	return s[n - 1] != '-';
}

const char *
resource_rfc1035_label_error(const char *name)
{
	if (strlen(name) > 63)
		return rfc1035_len_msg;
	if (!rfc1035_format_ok(name))
		return rfc1035_fmt_msg;
	return NULL;
}

/* --- MeshService --- */

static int
parse_port(struct ctx *c, const struct yamlx_node *item, size_t idx,
	   struct resource_port *port)
{
	const struct yamlx_node *n;
	const char *s = NULL;
	long long v;
	char base[48];
	char p[80];
	int rc;

	snprintf(base, sizeof(base), "spec.ports[%zu]", idx);
	node_pos(c, item, &port->pos);
	if (item->type != YAMLX_MAP) {
		err_at(c, item, "%s: must be a mapping, got %s", base,
		       yamlx_type_name(item));
		return 0;
	}
	check_keys(c, item, base, ms_port_keys, NULL);

	join_path(p, sizeof(p), base, "name");
	n = get(item, "name");
	if (want_str(c, n, p, &s) == 0 && s != NULL) {
		if (*s == '\0')
			err_at(c, n, "%s: must not be empty", p);
		else if ((rc = copy_str(&port->name, s)) < 0)
			return rc;
	}

	join_path(p, sizeof(p), base, "port");
	n = get(item, "port");
	if (is_null(n))
		err_at(c, n != NULL ? n : item, "%s: must be defined", p);
	else if (plain_int(n, &v) < 0)
		err_at(c, n, "%s: must be an integer", p);
	else if (v < 1 || v > 65535)
		err_at(c, n, "%s: must be in inclusive range [1, 65535]", p);
	else
		port->port = (uint32_t)v;

	join_path(p, sizeof(p), base, "targetPort");
	n = get(item, "targetPort");
	if (is_null(n)) {
		/* absent: matches no inbound, as in Kuma */
	} else if (plain_int(n, &v) == 0) {
		if (v < 1 || v > 65535) {
			err_at(c, n, "%s: must be in inclusive range [1, 65535]",
			       p);
		} else {
			port->has_target = 1;
			port->target_port = (uint32_t)v;
		}
	} else if (n->type != YAMLX_SCALAR) {
		err_at(c, n, "%s: must be a port number or a port name, got %s",
		       p, yamlx_type_name(n));
	} else if (want_str(c, n, p, &s) == 0) {
		if (*s == '\0') {
			err_at(c, n, "%s: must not be empty", p);
		} else {
			port->has_target = 1;
			port->target_is_name = 1;
			if ((rc = copy_str(&port->target_name, s)) < 0)
				return rc;
		}
	}

	join_path(p, sizeof(p), base, "appProtocol");
	n = get(item, "appProtocol");
	if (want_str(c, n, p, &s) == 0 && s != NULL && *s != '\0') {
		if (strcasecmp(s, "grpc") != 0 && strcasecmp(s, "http") != 0 &&
		    strcasecmp(s, "http2") != 0 && strcasecmp(s, "tcp") != 0)
			err_at(c, n, "%s: %s", p, app_protocol_msg);
		else if ((rc = copy_str(&port->app_protocol, s)) < 0)
			return rc;
	}
	return 0;
}

static int
parse_selector(struct ctx *c, const struct yamlx_node *spec,
	       struct resource_mesh_service *ms)
{
	const struct yamlx_node *sel = NULL;
	const struct yamlx_node *tags;
	const struct yamlx_node *ref;
	const struct yamlx_node *labels;
	const struct yamlx_node *m = NULL;
	const char *s = NULL;
	int count = 0;
	int rc;

	if (want_map(c, get(spec, "selector"), "spec.selector",
		     &sel) < 0)
		return 0;
	if (sel == NULL)
		return 0;
	check_keys(c, sel, "spec.selector", ms_selector_keys, NULL);
	/* Kuma counts a selector as set when its key is there at all. */
	tags = get(sel, "dataplaneTags");
	ref = get(sel, "dataplaneRef");
	labels = get(sel, "dataplaneLabels");
	count = !is_null(tags) + !is_null(ref) + !is_null(labels);
	if (count > 1) {
		err_at(c, get_key(spec, "selector"),
		       "spec.selector: must specify only one of: dataplaneTags, "
		       "dataplaneRef, or dataplaneLabels");
		return 0;
	}
	if (!is_null(tags)) {
		ms->selector = RESOURCE_SELECTOR_DATAPLANE_TAGS;
		rc = parse_labels(c, tags, "spec.selector.dataplaneTags",
				  &ms->selector_labels);
		if (rc == -ENOMEM)
			return rc;
	} else if (!is_null(labels)) {
		ms->selector = RESOURCE_SELECTOR_DATAPLANE_LABELS;
		if (want_map(c, labels, "spec.selector.dataplaneLabels", &m) < 0)
			return 0;
		check_keys(c, m, "spec.selector.dataplaneLabels",
			   match_labels_keys, NULL);
		rc = parse_labels(c, get(m, "matchLabels"),
				  "spec.selector.dataplaneLabels.matchLabels",
				  &ms->selector_labels);
		if (rc == -ENOMEM)
			return rc;
	} else if (!is_null(ref)) {
		const struct yamlx_node *name;

		ms->selector = RESOURCE_SELECTOR_DATAPLANE_REF;
		if (want_map(c, ref, "spec.selector.dataplaneRef", &m) < 0)
			return 0;
		check_keys(c, m, "spec.selector.dataplaneRef", ref_keys, NULL);
		name = get(m, "name");
		if (want_str(c, name, "spec.selector.dataplaneRef.name",
			     &s) < 0)
			return 0;
		if (s == NULL || *s == '\0') {
			err_at(c, name != NULL ? name : m,
			       "spec.selector.dataplaneRef.name: must be defined");
			return 0;
		}
		return copy_str(&ms->selector_ref, s);
	}
	return 0;
}

/*
 * status.addresses[].hostname of a MeshService: what Kuma recorded, to be
 * compared with what meshdns generates (Kuma writes it; nothing here is
 * validated, an entry that is no such string is ignored).
 */
static int
parse_hostnames(struct ctx *c, const struct yamlx_node *root,
		struct resource_mesh_service *ms)
{
	const struct yamlx_node *status = get(root, "status");
	const struct yamlx_node *addrs = NULL;
	size_t i;
	int rc;

	(void)c;
	if (status == NULL || status->type != YAMLX_MAP)
		return 0;
	addrs = get(status, "addresses");
	if (addrs == NULL || addrs->type != YAMLX_SEQ || addrs->n == 0)
		return 0;
	if ((ms->kuma_hostnames = calloc(addrs->n,
					 sizeof(*ms->kuma_hostnames))) == NULL)
		return -ENOMEM;
	for (i = 0; i < addrs->n; i++) {
		const struct yamlx_node *h = NULL;

		if (addrs->items[i]->type == YAMLX_MAP)
			h = get(addrs->items[i], "hostname");
		if (h == NULL || h->type != YAMLX_SCALAR ||
		    strlen(h->scalar) != h->len)
			continue;
		rc = copy_str(&ms->kuma_hostnames[ms->nkuma_hostnames],
			      h->scalar);
		if (rc < 0)
			return rc;
		ms->nkuma_hostnames++;
	}
	return 0;
}

/* status.vips[].ip of MeshService and MeshMultiZoneService. */
static int
parse_vips(struct ctx *c, const struct yamlx_node *root, char ***vipsp,
	   size_t *nvipsp, struct resource_pos *pos)
{
	const struct yamlx_node *status = NULL;
	const struct yamlx_node *vips = NULL;
	size_t i;
	int rc;

	if (want_map(c, get(root, "status"), "status", &status) < 0)
		return 0;
	if (want_seq(c, get(status, "vips"), "status.vips",
		     &vips) < 0 || vips == NULL)
		return 0;
	if (pos != NULL) {
		pos->file = c->file;
		pos->line = vips->line;
		pos->column = vips->column;
	}
	if (vips->n == 0)
		return 0;
	if ((*vipsp = calloc(vips->n, sizeof(**vipsp))) == NULL)
		return -ENOMEM;
	for (i = 0; i < vips->n; i++) {
		const struct yamlx_node *item = vips->items[i];
		const struct yamlx_node *ipn;
		const char *ip = NULL;
		char p[64];

		snprintf(p, sizeof(p), "status.vips[%zu]", i);
		if (item->type != YAMLX_MAP) {
			err_at(c, item, "%s: must be a mapping, got %s", p,
			       yamlx_type_name(item));
			continue;
		}
		snprintf(p, sizeof(p), "status.vips[%zu].ip", i);
		ipn = get(item, "ip");
		if (want_str(c, ipn, p, &ip) < 0)
			continue;
		if (ip == NULL) {
			err_at(c, ipn != NULL ? ipn : item,
			       "%s: must be defined", p);
			continue;
		}
		if (!netaddr_is_ip(ip)) {
			err_at(c, ipn, "%s: \"%s\" is not an IP address", p, ip);
			continue;
		}
		if ((rc = copy_str(&(*vipsp)[*nvipsp], ip)) < 0)
			return rc;
		(*nvipsp)++;
	}
	return 0;
}

/*
 * The display name of a MeshService, MeshExternalService or
 * MeshMultiZoneService must be an RFC 1035 label (Kuma 3's validators).
 * A MeshService follows Kuma 2.14 instead (validator.go, deprecated.go):
 * only a name longer than 63 characters is an error; one that is not an
 * RFC 1035 label is accepted with Kuma's deprecation warning.
 */
static void
check_service_name(struct ctx *c, const struct yamlx_node *root,
		   const struct resource_meta *m)
{
	const char *name = resource_display_name(m);
	const struct yamlx_node *n = NULL;
	const struct yamlx_node *labels;

	if (name == NULL || *name == '\0')
		return;		/* reported as a missing name */
	/* Point at what the user wrote: the display-name label, or the name. */
	if (m->shape == RESOURCE_SHAPE_KUBERNETES)
		root = get(root, "metadata");
	labels = get(root, "labels");
	if (resource_labels_get(&m->labels, KUMA_LABEL_DISPLAY_NAME) != NULL)
		n = get(labels, KUMA_LABEL_DISPLAY_NAME);
	else
		n = get(root, "name");
	if (m->kind == RESOURCE_MESH_SERVICE) {
		int len = strlen(name) > 63;
		int fmt = !rfc1035_format_ok(name);

		if (len)
			err_at(c, n, "name: %s", ms_len_msg);
		if (len || fmt)
			warn_at(c, n, "Invalid MeshService resource name: '%s'. "
				"It does not conform to the DNS format (RFC "
				"1035). This is deprecated. Errors: %s%s%s",
				name, len ? rfc1035_len_msg : "",
				len && fmt ? "; " : "",
				fmt ? rfc1035_fmt_msg : "");
		return;
	}
	if (strlen(name) > 63)
		err_at(c, n, "name: %s", rfc1035_len_msg);
	if (!rfc1035_format_ok(name))
		err_at(c, n, "name: %s", rfc1035_fmt_msg);
}

int
resource_mesh_parse_service(struct ctx *c, const struct yamlx_node *root,
			    struct resource_mesh_service *ms)
{
	const struct yamlx_node *spec = NULL;
	const struct yamlx_node *ports = NULL;
	const struct yamlx_node *n;
	const char *s = NULL;
	size_t i;
	int rc;

	check_service_name(c, root, &ms->meta);
	if (want_map(c, get(root, "spec"), "spec", &spec) < 0)
		return 0;
	ms->spec = c->keep_yaml ? spec : NULL;
	check_keys(c, spec, "spec", ms_spec_keys, NULL);

	if ((rc = parse_selector(c, spec, ms)) < 0)
		return rc;
	if (want_seq(c, get(spec, "ports"), "spec.ports", &ports) < 0)
		ports = NULL;
	if (ports != NULL && ports->n > 0) {
		ms->ports = calloc(ports->n, sizeof(*ms->ports));
		if (ms->ports == NULL)
			return -ENOMEM;
		for (i = 0; i < ports->n; i++) {
			ms->nports++;
			rc = parse_port(c, ports->items[i], i, &ms->ports[i]);
			if (rc < 0)
				return rc;
		}
	}

	n = get(spec, "state");
	if (want_str(c, n, "spec.state", &s) == 0 && s != NULL) {
		if (strcmp(s, "Available") != 0 && strcmp(s, "Unavailable") != 0)
			err_at(c, n,
			       "spec.state: must be one of: Available, "
			       "Unavailable");
		else if ((rc = copy_str(&ms->state, s)) < 0)
			return rc;
	}
	if ((rc = parse_hostnames(c, root, ms)) < 0)
		return rc;
	return parse_vips(c, root, &ms->vips, &ms->nvips, &ms->vips_pos);
}

/*
 * Kuma 3's deprecation text for a MeshService that selects nothing; the
 * sentence it adds about dataplaneTags being removed does not apply here.
 */
void
resource_mesh_warn_no_selector(struct ctx *c, const struct yamlx_node *root,
			       const struct resource_mesh_service *ms)
{
	const struct yamlx_node *spec = get(root, "spec");

	warn_at(c, either(get_key(spec, "selector"), get_key(root, "spec")),
		"MeshService resource '%s' has no selector, so it matches no "
		"data plane proxies. Set 'spec.selector.dataplaneRef' or "
		"'spec.selector.dataplaneLabels'.",
		resource_display_name(&ms->meta));
}

/* --- HostnameGenerator --- */

int
resource_mesh_parse_generator(struct ctx *c, const struct yamlx_node *root,
			      struct resource_hostname_generator *g)
{
	static const enum resource_kind targets[] = {
		RESOURCE_MESH_SERVICE, RESOURCE_MESH_EXTERNAL_SERVICE,
		RESOURCE_MESH_MULTI_ZONE_SERVICE,
	};
	const struct yamlx_node *spec = NULL;
	const struct yamlx_node *sel = NULL;
	const struct yamlx_node *chosen = NULL;
	const struct yamlx_node *m = NULL;
	const struct yamlx_node *ext = NULL;
	const struct yamlx_node *n;
	const char *s = NULL;
	const char *chosen_key = NULL;
	char p[96];
	size_t i;
	int count = 0;
	int rc;

	if (want_map(c, get(root, "spec"), "spec", &spec) < 0)
		return 0;
	check_keys(c, spec, "spec", hg_spec_keys, NULL);

	n = get(spec, "selector");
	if (want_map(c, n, "spec.selector", &sel) == 0) {
		check_keys(c, sel, "spec.selector", hg_selector_keys, NULL);
		for (i = 0; hg_selector_keys[i] != NULL; i++) {
			const struct yamlx_node *v =
				get(sel, hg_selector_keys[i]);

			if (is_null(v))
				continue;
			count++;
			chosen = v;
			chosen_key = hg_selector_keys[i];
			g->target = targets[i];
		}
		if (count != 1) {
			/* Kuma's text, which forgets meshMultiZoneService. */
			err_at(c, either(get_key(spec, "selector"),
					 get_key(root, "spec")),
			       "spec.selector: exact one selector (meshService, "
			       "meshExternalService) must be defined");
		} else {
			snprintf(p, sizeof(p), "spec.selector.%s", chosen_key);
			if (want_map(c, chosen, p, &m) == 0) {
				check_keys(c, m, p, match_labels_keys, NULL);
				snprintf(p, sizeof(p),
					 "spec.selector.%s.matchLabels",
					 chosen_key);
				rc = parse_labels(c,
						  get(m, "matchLabels"),
						  p, &g->match);
				if (rc == -ENOMEM)
					return rc;
			}
		}
	}

	n = get(spec, "template");
	if (want_str(c, n, "spec.template", &s) == 0) {
		if (s == NULL || *s == '\0') {
			err_at(c, either(n, get_key(root, "spec")),
			       "spec.template: must not be empty");
		} else {
			g->template_pos.file = c->file;
			g->template_pos.line = n->line;
			g->template_pos.column = n->column;
			if ((rc = copy_str(&g->template, s)) < 0)
				return rc;
		}
	}

	if (want_map(c, get(spec, "extension"), "spec.extension",
		     &ext) == 0 && ext != NULL) {
		n = get(ext, "type");
		if (want_str(c, n, "spec.extension.type", &s) == 0 &&
		    (s == NULL || *s == '\0'))
			err_at(c, n != NULL ? n : ext,
			       "spec.extension.type: must not be empty");
	}
	return 0;
}

/*
 * A host name as Kuma's MeshExternalService validator takes it (the
 * govalidator rule): dot-separated labels of letters, digits, '_' and
 * '-', not starting with '-', at most 63 each, one trailing dot allowed;
 * an IP address is not a host name.
 */
static int
is_dns_name(const char *s)
{
	size_t label = 0;
	size_t total = 0;
	const char *p;

	if (*s == '\0' || netaddr_is_ip(s))
		return 0;
	for (p = s;; p++) {
		if (*p == '.' || *p == '\0') {
			if (label == 0 && !(*p == '\0' && p > s && p[-1] == '.'))
				return 0;
			if (*p == '\0')
				break;
			label = 0;
			continue;
		}
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || *p == '_' ||
		      (*p == '-' && label > 0)))
			return 0;
		if (++label > 63)
			return 0;
		total++;
	}
	return total <= 255;
}

static int
is_unix_path(const char *s)
{
	return strncmp(s, "unix://", 7) == 0 && s[7] == '/';
}

/* --- MeshExternalService --- */

static void
parse_mes_endpoint(struct ctx *c, const struct yamlx_node *item, size_t idx)
{
	const struct yamlx_node *addr;
	const struct yamlx_node *port;
	const char *s = NULL;
	uint32_t v = 0;
	char base[48];
	char pa[64];
	char pp[64];

	snprintf(base, sizeof(base), "spec.endpoints[%zu]", idx);
	if (item->type != YAMLX_MAP) {
		err_at(c, item, "%s: must be a mapping, got %s", base,
		       yamlx_type_name(item));
		return;
	}
	check_keys(c, item, base, mes_endpoint_keys, NULL);
	join_path(pa, sizeof(pa), base, "address");
	join_path(pp, sizeof(pp), base, "port");
	addr = get(item, "address");
	port = get(item, "port");
	if (want_str(c, addr, pa, &s) < 0)
		return;
	if (s != NULL && is_unix_path(s)) {
		if (!is_null(port))
			err_at(c, port, "%s: must not be defined when endpoint "
			       "is a unix path", pp);
		return;
	}
	if (s != NULL && (netaddr_is_ip(s) || is_dns_name(s)) &&
	    is_null(port)) {
		err_at(c, either(port, item), "%s: must be defined when "
		       "endpoint is %s", pp,
		       netaddr_is_ip(s) ? "an IP" : "a hostname");
		return;
	}
	(void)want_port(c, port, pp, mes_port_msg, &v);
	if (s == NULL || !(netaddr_is_ip(s) || is_dns_name(s)))
		err_at(c, either(addr, item),
		       "%s: address has to be a valid IP or hostname or a "
		       "unix path", pa);
}

int
resource_mesh_parse_external(struct ctx *c, const struct yamlx_node *root,
			     struct resource_mesh_external_service *es)
{
	static const char *const protocols[] = {
		"tcp", "grpc", "http", "http2", NULL
	};
	const struct yamlx_node *spec = NULL;
	const struct yamlx_node *match = NULL;
	const struct yamlx_node *ext = NULL;
	const struct yamlx_node *eps = NULL;
	const struct yamlx_node *status = NULL;
	const struct yamlx_node *vip = NULL;
	const struct yamlx_node *n;
	const char *s = NULL;
	size_t i;
	int rc;

	check_service_name(c, root, &es->meta);
	if (want_map(c, get(root, "spec"), "spec", &spec) < 0)
		return 0;
	es->spec = c->keep_yaml ? spec : NULL;
	check_keys(c, spec, "spec", mes_spec_keys, NULL);

	/* match is required: without it the port is missing */
	if (want_map(c, get(spec, "match"), "spec.match", &match) == 0) {
		check_keys(c, match, "spec.match", mes_match_keys, NULL);
		n = get(match, "type");
		if (want_str(c, n, "spec.match.type", &s) == 0 && s != NULL &&
		    *s != '\0' && strcmp(s, "HostnameGenerator") != 0)
			err_at(c, n, "spec.match.type: unrecognized type '%s' "
			       "- only 'HostnameGenerator' is supported", s);
		n = get(match, "port");
		if (is_null(n))
			err_at(c, either(n, either(get_key(spec, "match"),
						   get_key(root, "spec"))),
			       "spec.match.port: %s", mes_port_msg);
		else
			(void)want_port(c, n, "spec.match.port", mes_port_msg,
					&es->port);
		n = get(match, "protocol");
		if (want_str(c, n, "spec.match.protocol", &s) == 0) {
			if (s == NULL || *s == '\0')
				s = "tcp";	/* the CRD's default */
			if (!in_list(protocols, s))
				err_at(c, n, "spec.match.protocol: \"protocol\" "
				       "must be one of [\"tcp\", \"grpc\", "
				       "\"http\", \"http2\"]");
			else if ((rc = copy_str(&es->protocol, s)) < 0)
				return rc;
		}
	}

	if (want_map(c, get(spec, "extension"), "spec.extension",
		     &ext) == 0 && ext != NULL) {
		check_keys(c, ext, "spec.extension", extension_keys, NULL);
		n = get(ext, "type");
		if (want_str(c, n, "spec.extension.type", &s) == 0 &&
		    (s == NULL || *s == '\0'))
			err_at(c, either(n, ext),
			       "spec.extension.type: must not be empty");
	}

	/* With an extension, the extension validates endpoints and tls. */
	if (ext == NULL &&
	    want_seq(c, get(spec, "endpoints"), "spec.endpoints", &eps) == 0 &&
	    eps != NULL) {
		for (i = 0; i < eps->n; i++)
			parse_mes_endpoint(c, eps->items[i], i);
	}

	if (want_map(c, get(root, "status"), "status", &status) < 0 ||
	    want_map(c, get(status, "vip"), "status.vip", &vip) < 0)
		return 0;
	n = get(vip, "ip");
	if (want_str(c, n, "status.vip.ip", &s) == 0 && s != NULL &&
	    *s != '\0') {
		if (!netaddr_is_ip(s))
			err_at(c, n, "status.vip.ip: \"%s\" is not an IP address",
			       s);
		else if ((rc = copy_str(&es->vip, s)) < 0)
			return rc;
	}
	return 0;
}

/* --- MeshMultiZoneService --- */

int
resource_mesh_parse_multizone(struct ctx *c, const struct yamlx_node *root,
			      struct resource_mesh_multi_zone_service *mz)
{
	const struct yamlx_node *spec = NULL;
	const struct yamlx_node *sel = NULL;
	const struct yamlx_node *msel = NULL;
	const struct yamlx_node *ports = NULL;
	const struct yamlx_node *n;
	size_t i;
	int rc;

	check_service_name(c, root, &mz->meta);
	if (want_map(c, get(root, "spec"), "spec", &spec) < 0)
		return 0;
	mz->spec = c->keep_yaml ? spec : NULL;
	check_keys(c, spec, "spec", mzs_spec_keys, NULL);

	if (want_map(c, get(spec, "selector"), "spec.selector", &sel) == 0 &&
	    want_map(c, get(sel, "meshService"), "spec.selector.meshService",
		     &msel) == 0) {
		check_keys(c, sel, "spec.selector", mzs_selector_keys, NULL);
		check_keys(c, msel, "spec.selector.meshService",
			   match_labels_keys, NULL);
		n = get(msel, "matchLabels");
		rc = parse_labels(c, n, "spec.selector.meshService.matchLabels",
				  &mz->selector);
		if (rc == -ENOMEM)
			return rc;
		if (rc == 0 && mz->selector.n == 0)
			err_at(c, either(n, either(get_key(sel, "meshService"),
				   either(get_key(spec, "selector"),
					  get_key(root, "spec")))),
			       "spec.selector.meshService.matchLabels: cannot "
			       "be empty");
	}

	n = get(spec, "ports");
	if (want_seq(c, n, "spec.ports", &ports) < 0)
		return 0;
	if (ports == NULL || ports->n == 0) {
		err_at(c, either(n, get_key(root, "spec")),
		       "spec.ports: cannot be empty");
	} else {
		mz->ports = calloc(ports->n, sizeof(*mz->ports));
		if (mz->ports == NULL)
			return -ENOMEM;
		for (i = 0; i < ports->n; i++) {
			mz->nports++;
			rc = parse_port(c, ports->items[i], i, &mz->ports[i]);
			if (rc < 0)
				return rc;
		}
	}
	return parse_vips(c, root, &mz->vips, &mz->nvips, NULL);
}

/* --- Mesh --- */

void
resource_mesh_parse(struct ctx *c, const struct yamlx_node *fields,
		    const char *pfx, struct resource_mesh *mesh)
{
	const struct yamlx_node *msvc = NULL;
	const struct yamlx_node *n;
	const char *s = NULL;
	char p[64];
	char pm[sizeof(p) + 8];
	size_t i;

	join_path(p, sizeof(p), pfx, "meshServices");
	if (want_map(c, get(fields, "meshServices"), p, &msvc) < 0 ||
	    msvc == NULL)
		return;
	check_keys(c, msvc, p, mesh_services_keys, NULL);
	join_path(pm, sizeof(pm), p, "mode");
	n = get(msvc, "mode");
	if (want_str(c, n, pm, &s) < 0 || s == NULL)
		return;
	for (i = 0; i < sizeof(mode_names) / sizeof(mode_names[0]); i++) {
		if (strcmp(s, mode_names[i]) == 0) {
			mesh->has_mode = 1;
			mesh->mode = (enum resource_mesh_mode)i;
			return;
		}
	}
	err_at(c, n,
	       "%s: must be one of: Disabled, Everywhere, ReachableBackends, "
	       "Exclusive (got \"%s\")",
	       pm, s);
}

const char *
resource_mesh_mode_name(enum resource_mesh_mode mode)
{
	if ((unsigned)mode >= sizeof(mode_names) / sizeof(mode_names[0]))
		return "unknown";
	return mode_names[mode];
}
