/* SPDX-License-Identifier: MIT */
/* resource_k8s.c -- Kubernetes Service, EndpointSlice, Pod, owner references. */
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

static const char *const svc_spec_keys[] = {
	"type", "clusterIP", "clusterIPs", "selector", "ports", "externalIPs",
	"externalName", "externalTrafficPolicy", "internalTrafficPolicy",
	"healthCheckNodePort", "ipFamilies", "ipFamilyPolicy",
	"loadBalancerIP", "loadBalancerClass", "loadBalancerSourceRanges",
	"allocateLoadBalancerNodePorts", "publishNotReadyAddresses",
	"sessionAffinity", "sessionAffinityConfig", "trafficDistribution",
	NULL
};
static const char *const svc_port_keys[] = {
	"name", "port", "targetPort", "protocol", "appProtocol", "nodePort",
	NULL
};
static const char *const eps_endpoint_keys[] = {
	"addresses", "conditions", "hostname", "targetRef", "nodeName", "zone",
	"hints", "deprecatedTopology", NULL
};
static const char *const eps_conditions_keys[] = {
	"ready", "serving", "terminating", NULL
};
static const char *const object_ref_keys[] = {
	"kind", "namespace", "name", "uid", "apiVersion", "resourceVersion",
	"fieldPath", NULL
};

/* --- Kubernetes Service, EndpointSlice --- */

static int
parse_k8s_port(struct ctx *c, const struct yamlx_node *item, size_t idx,
	       struct resource_k8s_port *port)
{
	static const char *const protocols[] = { "TCP", "UDP", "SCTP", NULL };
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
	check_keys(c, item, base, svc_port_keys, NULL);

	join_path(p, sizeof(p), base, "name");
	if (want_str(c, get(item, "name"), p, &s) == 0 && s != NULL &&
	    *s != '\0' && (rc = copy_str(&port->name, s)) < 0)
		return rc;

	join_path(p, sizeof(p), base, "port");
	n = get(item, "port");
	if (is_null(n))
		err_at(c, either(n, item), "%s: must be defined", p);
	else
		(void)want_port(c, n, p, port_range_msg, &port->port);

	/* IntOrString: a plain number, else a port name */
	join_path(p, sizeof(p), base, "targetPort");
	n = get(item, "targetPort");
	if (is_null(n)) {
		/* absent: the port itself */
	} else if (plain_int(n, &v) == 0) {
		(void)want_port(c, n, p, port_range_msg, &port->target_port);
	} else if (n->type != YAMLX_SCALAR) {
		err_at(c, n, "%s: must be a port number or a port name, got %s",
		       p, yamlx_type_name(n));
	} else if (want_str(c, n, p, &s) == 0) {
		if (*s == '\0') {
			err_at(c, n, "%s: must not be empty", p);
		} else {
			port->target_is_name = 1;
			if ((rc = copy_str(&port->target_name, s)) < 0)
				return rc;
		}
	}

	join_path(p, sizeof(p), base, "protocol");
	n = get(item, "protocol");
	if (want_str(c, n, p, &s) == 0) {
		if (s == NULL || *s == '\0')
			s = "TCP";
		if (!in_list(protocols, s))
			err_at(c, n, "%s: must be one of: TCP, UDP, SCTP (got "
			       "\"%s\")", p, s);
		else if ((rc = copy_str(&port->protocol, s)) < 0)
			return rc;
	}

	join_path(p, sizeof(p), base, "appProtocol");
	if (want_str(c, get(item, "appProtocol"), p, &s) == 0 && s != NULL &&
	    *s != '\0' && (rc = copy_str(&port->app_protocol, s)) < 0)
		return rc;
	return 0;
}

int
resource_k8s_parse_service(struct ctx *c, const struct yamlx_node *root,
			   struct resource_k8s_service *svc)
{
	static const char *const types[] = {
		"ClusterIP", "NodePort", "LoadBalancer", "ExternalName", NULL
	};
	const struct yamlx_node *spec = NULL;
	const struct yamlx_node *ports = NULL;
	const struct yamlx_node *n;
	const char *s = NULL;
	size_t i;
	int rc;

	rc = parse_labels(c, get(get(root, "metadata"), "annotations"),
			  "metadata.annotations", &svc->annotations);
	if (rc == -ENOMEM)
		return rc;
	if (want_map(c, get(root, "spec"), "spec", &spec) < 0)
		return 0;
	check_keys(c, spec, "spec", svc_spec_keys, NULL);

	n = get(spec, "type");
	if (want_str(c, n, "spec.type", &s) == 0 && s != NULL && *s != '\0') {
		if (!in_list(types, s))
			err_at(c, n, "spec.type: must be one of: ClusterIP, "
			       "NodePort, LoadBalancer, ExternalName (got "
			       "\"%s\")", s);
		else if ((rc = copy_str(&svc->type, s)) < 0)
			return rc;
	}

	n = get(spec, "clusterIP");
	if (want_str(c, n, "spec.clusterIP", &s) == 0 && s != NULL &&
	    *s != '\0') {
		if (strcmp(s, "None") != 0 && !netaddr_is_ip(s))
			err_at(c, n, "spec.clusterIP: must be an IP address, "
			       "\"None\" or empty (got \"%s\")", s);
		else if ((rc = copy_str(&svc->cluster_ip, s)) < 0)
			return rc;
	}

	rc = parse_labels(c, get(spec, "selector"), "spec.selector",
			  &svc->selector);
	if (rc == -ENOMEM)
		return rc;

	if (want_seq(c, get(spec, "ports"), "spec.ports", &ports) < 0 ||
	    ports == NULL || ports->n == 0)
		return 0;
	if ((svc->ports = calloc(ports->n, sizeof(*svc->ports))) == NULL)
		return -ENOMEM;
	for (i = 0; i < ports->n; i++) {
		svc->nports++;
		rc = parse_k8s_port(c, ports->items[i], i, &svc->ports[i]);
		if (rc < 0)
			return rc;
	}
	return 0;
}

static int
parse_endpoint(struct ctx *c, const struct yamlx_node *item, size_t idx,
	       int fqdn, const char *slice_ns, struct resource_endpoint *ep)
{
	const struct yamlx_node *addrs = NULL;
	const struct yamlx_node *cond = NULL;
	const struct yamlx_node *ref = NULL;
	const struct yamlx_node *n;
	const char *s = NULL;
	char base[48];
	char p[96];
	size_t j;
	int b;
	int rc;

	ep->ready = 1;
	snprintf(base, sizeof(base), "endpoints[%zu]", idx);
	if (item->type != YAMLX_MAP) {
		err_at(c, item, "%s: must be a mapping, got %s", base,
		       yamlx_type_name(item));
		return 0;
	}
	check_keys(c, item, base, eps_endpoint_keys, NULL);

	join_path(p, sizeof(p), base, "addresses");
	n = get(item, "addresses");
	if (want_seq(c, n, p, &addrs) == 0) {
		if (addrs == NULL || addrs->n == 0)
			err_at(c, either(n, item), "%s: must not be empty", p);
		for (j = 0; addrs != NULL && j < addrs->n; j++) {
			char pa[128];

			snprintf(pa, sizeof(pa), "%s[%zu]", p, j);
			if (want_str(c, addrs->items[j], pa, &s) < 0)
				continue;
			if (s == NULL || *s == '\0')
				err_at(c, addrs->items[j], "%s: must not be "
				       "empty", pa);
			else if (!fqdn && !netaddr_is_ip(s))
				err_at(c, addrs->items[j], "%s: \"%s\" is not "
				       "an IP address", pa, s);
			else if (j == 0 && (rc = copy_str(&ep->address, s)) < 0)
				return rc;
		}
	}

	join_path(p, sizeof(p), base, "conditions");
	if (want_map(c, get(item, "conditions"), p, &cond) == 0 &&
	    cond != NULL) {
		check_keys(c, cond, p, eps_conditions_keys, NULL);
		join_path(p, sizeof(p), base, "conditions.ready");
		n = get(cond, "ready");
		if (!is_null(n)) {
			if (yamlx_bool(n, &b) < 0)
				err_at(c, n, "%s: must be true or false", p);
			else
				ep->ready = b;
		}
	}

	join_path(p, sizeof(p), base, "targetRef");
	if (want_map(c, get(item, "targetRef"), p, &ref) < 0 || ref == NULL)
		return 0;
	check_keys(c, ref, p, object_ref_keys, NULL);
	join_path(p, sizeof(p), base, "targetRef.kind");
	if (want_str(c, get(ref, "kind"), p, &s) < 0 || s == NULL ||
	    strcmp(s, "Pod") != 0)
		return 0;
	join_path(p, sizeof(p), base, "targetRef.name");
	if (want_str(c, get(ref, "name"), p, &s) < 0 || s == NULL ||
	    *s == '\0')
		return 0;
	if ((rc = copy_str(&ep->pod_name, s)) < 0)
		return rc;
	join_path(p, sizeof(p), base, "targetRef.namespace");
	if (want_str(c, get(ref, "namespace"), p, &s) < 0)
		return 0;
	return copy_str(&ep->pod_namespace,
			s != NULL && *s != '\0' ? s : slice_ns);
}

int
resource_k8s_parse_endpoint_slice(struct ctx *c, const struct yamlx_node *root,
				  struct resource_endpoint_slice *es)
{
	static const char *const types[] = { "IPv4", "IPv6", "FQDN", NULL };
	const struct yamlx_node *eps = NULL;
	const struct yamlx_node *n;
	const char *s;
	int fqdn = 0;
	size_t i;
	int rc;

	s = resource_labels_get(&es->meta.labels, K8S_LABEL_SERVICE_NAME);
	if (s != NULL && *s != '\0' &&
	    (rc = copy_str(&es->service_name, s)) < 0)
		return rc;

	n = get(root, "addressType");
	if (want_str(c, n, "addressType", &s) == 0 && s != NULL) {
		if (!in_list(types, s))
			err_at(c, n, "addressType: must be one of: IPv4, IPv6, "
			       "FQDN (got \"%s\")", s);
		fqdn = strcmp(s, "FQDN") == 0;
	}

	if (want_seq(c, get(root, "endpoints"), "endpoints", &eps) < 0 ||
	    eps == NULL || eps->n == 0)
		return 0;
	if ((es->endpoints = calloc(eps->n, sizeof(*es->endpoints))) == NULL)
		return -ENOMEM;
	for (i = 0; i < eps->n; i++) {
		es->nendpoints++;
		rc = parse_endpoint(c, eps->items[i], i, fqdn,
				    es->meta.namespace, &es->endpoints[i]);
		if (rc < 0)
			return rc;
	}
	return 0;
}

int
resource_k8s_parse_pod(struct ctx *c, const struct yamlx_node *root,
		       struct resource_k8s_object *pod)
{
	int rc;

	rc = parse_labels(c, get(get(root, "metadata"), "annotations"),
			  "metadata.annotations", &pod->annotations);
	return rc == -ENOMEM ? rc : 0;
}

/*
 * Kuma's controller looks at the first owner reference only (the Service
 * of a ClusterIP MeshService, the Pod of a headless one's).
 */
int
resource_k8s_parse_owner(struct ctx *c, const struct yamlx_node *root,
			 struct resource_mesh_service *ms)
{
	const struct yamlx_node *refs = NULL;
	const struct yamlx_node *ref = NULL;
	const char *kind = NULL;
	const char *name = NULL;
	int rc;

	if (want_seq(c, get(get(root, "metadata"), "ownerReferences"),
		     "metadata.ownerReferences", &refs) < 0 ||
	    refs == NULL || refs->n == 0)
		return 0;
	if (want_map(c, refs->items[0], "metadata.ownerReferences[0]",
		     &ref) < 0 || ref == NULL)
		return 0;
	if (want_str(c, get(ref, "kind"), "metadata.ownerReferences[0].kind",
		     &kind) < 0 ||
	    want_str(c, get(ref, "name"), "metadata.ownerReferences[0].name",
		     &name) < 0 ||
	    kind == NULL || *kind == '\0' || name == NULL || *name == '\0')
		return 0;
	if ((rc = copy_str(&ms->owner_kind, kind)) < 0 ||
	    (rc = copy_str(&ms->owner_name, name)) < 0)
		return rc;
	return 0;
}
