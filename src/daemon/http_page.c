/* SPDX-License-Identifier: MIT */
/* http_page.c -- the status page and the copy of a snapshot it shows. */
#include "autoconfig.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "build/build.h"
#include "build/state.h"
#include "build/status.h"
#include "build/vip.h"
#include "daemon/http_int.h"
#include "dns/table.h"
#include "kuma/hostname.h"
#include "kuma/resource.h"
#include "util/netaddr.h"

void
http_html_escape(struct metrics *m, const char *s)
{
	const char *run = s;

	for (; *s != '\0'; s++) {
		const char *e = NULL;

		switch (*s) {
		case '&': e = "&amp;"; break;
		case '<': e = "&lt;"; break;
		case '>': e = "&gt;"; break;
		case '"': e = "&quot;"; break;
		case '\'': e = "&#39;"; break;
		default: continue;
		}
		metrics_append(m, run, (size_t)(s - run));
		metrics_append(m, e, strlen(e));
		run = s + 1;
	}
	metrics_append(m, run, (size_t)(s - run));
}

static void
put(struct metrics *m, const char *s)
{
	metrics_append(m, s, strlen(s));
}

static void
putf(struct metrics *m, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void
putf(struct metrics *m, const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n > 0)
		metrics_append(m, buf, (size_t)n < sizeof(buf) ? (size_t)n :
			       sizeof(buf) - 1);
}

/* Take the text of @m (or NULL on ENOMEM), leaving @m empty. */
static char *
take(struct metrics *m)
{
	char *s = NULL;

	if (metrics_failed(m) == 0 && m->buf == NULL)
		metrics_append(m, "", 0);
	if (metrics_failed(m) == 0)
		s = m->buf;
	else
		free(m->buf);
	metrics_init(m);
	return s;
}

static void
lower_into(struct metrics *key, const char *s)
{
	for (; *s != '\0'; s++) {
		char c = (char)tolower((unsigned char)*s);

		metrics_append(key, &c, 1);
	}
	metrics_append(key, " ", 1);
}

static const char *
kind_label(enum resource_kind k)
{
	switch (k) {
	case RESOURCE_MESH_SERVICE:
		return "MeshService";
	case RESOURCE_MESH_EXTERNAL_SERVICE:
		return "MeshExternalService";
	case RESOURCE_MESH_MULTI_ZONE_SERVICE:
		return "MeshMultiZoneService";
	default:
		return resource_kind_name(k);
	}
}

static void
vips_cell(struct metrics *h, struct metrics *key, const struct build_vips *v)
{
	char buf[64];
	int n = 0;
	int i;

	put(h, "<td class=\"vip\">");
	for (i = 0; i < 2; i++) {
		const struct netaddr *a = i ? &v->vip6 : &v->vip;

		if (!netaddr_is_set(a))
			continue;
		netaddr_format(a, buf, sizeof(buf));
		put(h, n++ ? "<br>" : "");
		http_html_escape(h, buf);
		lower_into(key, buf);
	}
	put(h, "</td>");
}

static void
ports_cell(struct metrics *h, const struct build_service *bs)
{
	const struct resource_port *p = NULL;
	size_t n = 0;
	size_t i;

	put(h, "<td class=\"ports\">");
	if (bs->res != NULL) {
		p = bs->res->ports;
		n = bs->res->nports;
	} else if (bs->mzs != NULL) {
		p = bs->mzs->ports;
		n = bs->mzs->nports;
	} else if (bs->mes != NULL) {
		putf(h, "%u", bs->mes->port);
		if (bs->mes->protocol != NULL) {
			put(h, "/");
			http_html_escape(h, bs->mes->protocol);
		}
	}
	for (i = 0; i < n; i++) {
		put(h, i ? "<br>" : "");
		putf(h, "%u", p[i].port);
		put(h, "/");
		http_html_escape(h, p[i].app_protocol != NULL ?
				 p[i].app_protocol : "tcp");
		if (p[i].name != NULL) {
			put(h, " <span class=\"dim\">");
			http_html_escape(h, p[i].name);
			put(h, "</span>");
		}
	}
	put(h, "</td>");
}

/* One condition; *@bad set when it is not fine. */
static void
condition(struct metrics *h, const char *type, const char *reason,
	  const char *message, int ok, int *bad)
{
	putf(h, "<div class=\"%s\">", ok ? "ok" : "bad");
	http_html_escape(h, type);
	put(h, ": ");
	http_html_escape(h, reason);
	if (message != NULL && message[0] != '\0') {
		put(h, " <span class=\"msg\">");
		http_html_escape(h, message);
		put(h, "</span>");
	}
	put(h, "</div>");
	if (!ok)
		*bad = 1;
}

static int
service_row(struct http_row *r, const struct build_service *bs)
{
	const struct resource_meta *m = bs->meta;
	struct metrics h;
	struct metrics key;
	size_t i;
	int bad = 0;

	metrics_init(&h);
	metrics_init(&key);
	lower_into(&key, m->name);
	if (m->namespace != NULL)
		lower_into(&key, m->namespace);
	lower_into(&key, m->mesh != NULL ? m->mesh : "");
	put(&h, "<tr");
	put(&h, "><td class=\"kind\">");
	put(&h, kind_label(bs->kind));
	put(&h, "</td><td class=\"name\">");
	http_html_escape(&h, m->name);
	if (m->namespace != NULL) {
		put(&h, "<span class=\"dim\">.");
		http_html_escape(&h, m->namespace);
		put(&h, "</span>");
	}
	put(&h, "</td><td class=\"host\">");
	for (i = 0; i < bs->hostnames.naddresses; i++) {
		put(&h, i ? "<br>" : "");
		http_html_escape(&h, bs->hostnames.addresses[i].hostname);
		lower_into(&key, bs->hostnames.addresses[i].hostname);
	}
	put(&h, "</td>");
	vips_cell(&h, &key, &bs->vips);
	ports_cell(&h, bs);
	put(&h, "<td class=\"cond\">");
	for (i = 0; i < bs->hostnames.nconditions; i++) {
		const struct hostname_condition *c =
			&bs->hostnames.conditions[i];

		if (c->reason == HOSTNAME_GENERATED)
			continue;
		condition(&h, c->generator, hostname_reason_name(c->reason),
			  c->message, 0, &bad);
	}
	for (i = 0; i < bs->nconditions; i++)
		condition(&h, bs->conditions[i].type, bs->conditions[i].reason,
			  bs->conditions[i].message, bs->conditions[i].status,
			  &bad);
	if (bs->mzs != NULL && bs->nmatches == 0)
		condition(&h, "MeshServicesMatched", "NoMatchesFound",
			  "Selector does not match any MeshService in this "
			  "zone", 0, &bad);
	if (bs->vip_error != NULL)
		condition(&h, "VIPAllocated", "AllocationFailed",
			  bs->vip_error, 0, &bad);
	if (bs->hostnames.naddresses == 0 && !bad)
		condition(&h, "Hostnames", "None", "no HostnameGenerator "
			  "gives this service a name", 0, &bad);
	put(&h, "</td></tr>\n");
	r->problem = bad;
	if (bad) {
		/* The class goes on the <tr>: insert it after "<tr". */
		struct metrics t;

		metrics_init(&t);
		put(&t, "<tr class=\"problem\"");
		if (h.buf != NULL)
			metrics_append(&t, h.buf + 3, h.len - 3);
		metrics_clear(&h);
		h = t;
	}
	r->html = take(&h);
	r->key = take(&key);
	return r->html != NULL && r->key != NULL ? 0 : -ENOMEM;
}

static int
legacy_row(struct http_row *r, const struct build_legacy *l)
{
	struct metrics h;
	struct metrics key;

	metrics_init(&h);
	metrics_init(&key);
	lower_into(&key, l->service);
	lower_into(&key, l->mesh != NULL ? l->mesh : "");
	put(&h, "<tr><td class=\"kind\">legacy</td><td class=\"name\">");
	http_html_escape(&h, l->service);
	put(&h, "</td><td class=\"host\">");
	http_html_escape(&h, l->service);
	put(&h, ".mesh</td>");
	lower_into(&key, l->service);
	vips_cell(&h, &key, &l->vips);
	put(&h, "<td></td><td class=\"cond\"></td></tr>\n");
	r->html = take(&h);
	r->key = take(&key);
	return r->html != NULL && r->key != NULL ? 0 : -ENOMEM;
}

static int
cmp_rows(const void *a, const void *b)
{
	const struct http_row *x = a;
	const struct http_row *y = b;

	int c = strcmp(x->mesh, y->mesh);

	if (c != 0)
		return c;
	return x->order < y->order ? -1 : x->order > y->order;
}

static char *
mesh_html(const char *mesh)
{
	struct metrics m;

	metrics_init(&m);
	http_html_escape(&m, mesh != NULL ? mesh : "(no mesh)");
	return take(&m);
}

static int
make_rows(struct http_view *v, const struct snapshot *s)
{
	size_t n = s->nservices + s->nlegacy;
	size_t i;

	if (n == 0)
		return 0;
	if ((v->rows = calloc(n, sizeof(*v->rows))) == NULL)
		return -ENOMEM;
	for (i = 0; i < s->nservices; i++) {
		struct http_row *r = &v->rows[v->nrows++];

		if ((r->mesh = mesh_html(s->services[i].meta->mesh)) == NULL ||
		    service_row(r, &s->services[i]) < 0)
			return -ENOMEM;
		v->nproblems += r->problem;
	}
	for (i = 0; i < s->nlegacy; i++) {
		struct http_row *r = &v->rows[v->nrows++];

		if ((r->mesh = mesh_html(s->legacy[i].mesh)) == NULL ||
		    legacy_row(r, &s->legacy[i]) < 0)
			return -ENOMEM;
	}
	/* By mesh, and within one in --status's order. */
	for (i = 0; i < v->nrows; i++)
		v->rows[i].order = i;
	qsort(v->rows, v->nrows, sizeof(*v->rows), cmp_rows);
	return 0;
}

static const char *const pool_names[CONFIG_POOL_COUNT] = {
	"meshService", "meshExternalService", "meshMultiZoneService", "legacy",
};

/* Addresses a pool can give (vip.h: no network/broadcast, no ::). */
static double
pool_size(const struct netaddr_cidr *c)
{
	unsigned bits = c->base.family == AF_INET ? 32 : 128;
	unsigned host = bits - c->prefix;
	double n = 1;
	unsigned i;

	for (i = 0; i < host; i++)
		n *= 2;
	if (c->base.family == AF_INET && host >= 2)
		n -= 2;
	else if (c->base.family == AF_INET6 && host >= 2)
		n -= 1;
	return n;
}

static void
pool_gauges(struct metrics *m, const struct snapshot *s)
{
	const struct vip_table *t = state_vips(s->state);
	size_t ne = t != NULL ? vip_table_nentries(t) : 0;
	int k;
	int six;

	metrics_family(m, "meshdns_vip_pool_addresses", "gauge",
		       "Addresses of each VIP pool by state: assigned to a "
		       "service, held back after one went away, free.");
	for (k = 0; k < CONFIG_POOL_COUNT; k++) {
		for (six = 0; six < 2; six++) {
			const char *text = six ? s->cfg->pools6[k] :
				s->cfg->pools[k];
			struct netaddr_cidr c;
			char err[128];
			double assigned = 0;
			double held = 0;
			double size;
			size_t i;

			if (text == NULL ||
			    netaddr_cidr_parse(&c, text, err, sizeof(err)) < 0)
				continue;
			for (i = 0; i < ne; i++) {
				const struct vip_entry *e = vip_table_entry(t, i);

				if (!netaddr_cidr_contains(&c, &e->addr))
					continue;
				if (e->held)
					held++;
				else
					assigned++;
			}
			size = pool_size(&c);
			metrics_double(m, "meshdns_vip_pool_addresses",
				       assigned, "pool", pool_names[k],
				       "cidr", c.text, "state", "assigned",
				       NULL);
			metrics_double(m, "meshdns_vip_pool_addresses", held,
				       "pool", pool_names[k], "cidr", c.text,
				       "state", "held", NULL);
			metrics_double(m, "meshdns_vip_pool_addresses",
				       size > assigned + held ?
				       size - assigned - held : 0, "pool",
				       pool_names[k], "cidr", c.text, "state",
				       "free", NULL);
		}
	}
}

/* The gauges of the snapshot: generation, counts, pools. */
static void
gauges(struct metrics *m, const struct snapshot *s)
{
	static const enum resource_kind kinds[] = {
		RESOURCE_MESH_SERVICE, RESOURCE_MESH_EXTERNAL_SERVICE,
		RESOURCE_MESH_MULTI_ZONE_SERVICE,
	};
	size_t i;
	size_t k;

	metrics_family(m, "meshdns_generation", "gauge",
		       "The generation of the snapshot being served.");
	metrics_u64(m, "meshdns_generation", s->generation, NULL);
	metrics_family(m, "meshdns_services", "gauge",
		       "Services in the snapshot being served, by kind "
		       "(legacy: <kuma.io/service>.mesh names).");
	if (s->nservices == 0 && s->service_count > 0) {
		/* From the start-up cache: the total only. */
		metrics_u64(m, "meshdns_services", s->service_count,
			    "kind", "all", NULL);
	} else {
		for (k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
			uint64_t n = 0;

			for (i = 0; i < s->nservices; i++)
				n += s->services[i].kind == kinds[k];
			metrics_u64(m, "meshdns_services", n, "kind",
				    kind_label(kinds[k]), NULL);
		}
		metrics_u64(m, "meshdns_services", s->nlegacy, "kind",
			    "legacy", NULL);
	}
	metrics_family(m, "meshdns_hostnames", "gauge",
		       "Hostnames given to services, by served zone.");
	for (k = 0; k < s->cfg->ndns_zones && s->nservices > 0; k++) {
		const char *z = s->cfg->dns_zones[k];
		size_t zl = strlen(z);
		uint64_t n = 0;

		for (i = 0; i < s->nservices; i++) {
			const struct hostname_result *h =
				&s->services[i].hostnames;
			size_t j;

			for (j = 0; j < h->naddresses; j++) {
				const char *name = h->addresses[j].hostname;
				size_t nl = strlen(name);

				if (nl > zl && name[nl - zl - 1] == '.' &&
				    strcmp(name + nl - zl, z) == 0)
					n++;
			}
		}
		metrics_u64(m, "meshdns_hostnames", n, "zone", z, NULL);
	}
	metrics_family(m, "meshdns_zones", "gauge",
		       "Zones served, reverse zones included.");
	metrics_u64(m, "meshdns_zones", table_zone_count(s->table), NULL);
	metrics_family(m, "meshdns_names", "gauge",
		       "Names that own records, in all zones.");
	metrics_u64(m, "meshdns_names", table_name_count(s->table), NULL);
	metrics_family(m, "meshdns_records", "gauge",
		       "Resource records, in all zones.");
	metrics_u64(m, "meshdns_records", table_record_count(s->table), NULL);
	metrics_family(m, "meshdns_snapshot_errors", "gauge",
		       "Errors the snapshot being served was built with.");
	metrics_u64(m, "meshdns_snapshot_errors", s->errors, NULL);
	pool_gauges(m, s);
}

static void
summary(struct metrics *h, const struct snapshot *s, size_t nproblems)
{
	char zones[64];
	size_t i;

	build_format_zones(s, zones, sizeof(zones));
	putf(h, "<span><b>%zu</b> services</span>", s->service_count);
	putf(h, "<span><b>%zu</b> names</span>", table_name_count(s->table));
	putf(h, "<span><b>%zu</b> records</span>",
	     table_record_count(s->table));
	put(h, "<span>");
	http_html_escape(h, zones);
	put(h, ": ");
	for (i = 0; i < s->cfg->ndns_zones; i++) {
		put(h, i ? ", " : "");
		http_html_escape(h, s->cfg->dns_zones[i]);
	}
	put(h, "</span>");
	if (nproblems > 0)
		putf(h, "<span class=\"bad\"><b>%zu</b> with problems</span>",
		     nproblems);
	if (s->errors > 0)
		putf(h, "<span class=\"bad\"><b>%zu</b> build errors "
		     "(see the log)</span>", s->errors);
	if (s->warnings > 0)
		putf(h, "<span><b>%zu</b> warnings</span>", s->warnings);
}

static int
make_json(struct http_view *v, const struct snapshot *s)
{
	FILE *fp = NULL;
	char *buf = NULL;
	size_t len = 0;
	int rc;

	if ((fp = open_memstream(&buf, &len)) == NULL)
		return -ENOMEM;
	rc = status_print_json(fp, s);
	if (fclose(fp) != 0 && rc == 0)
		rc = -ENOMEM;
	if (rc < 0) {
		free(buf);
		return rc == -1 ? -ENOMEM : rc;
	}
	v->json = buf;
	v->json_len = len;
	return 0;
}

int
http_view_new(struct http_view **out, const struct snapshot *s, int64_t now)
{
	struct http_view *v = calloc(1, sizeof(*v));
	struct metrics h;
	int rc = -ENOMEM;

	*out = NULL;
	metrics_init(&h);
	if (v == NULL)
		return -ENOMEM;
	v->refs = 1;
	v->generation = s->generation;
	v->published = now;
	v->from_cache = s->from_cache;
	metrics_init(&v->gauges);
	if ((rc = make_rows(v, s)) < 0 || (rc = make_json(v, s)) < 0)
		goto fail;
	summary(&h, s, v->nproblems);
	gauges(&v->gauges, s);
	rc = -ENOMEM;
	if ((v->summary = take(&h)) == NULL || metrics_failed(&v->gauges))
		goto fail;
	*out = v;
	return 0;
fail:
	metrics_clear(&h);
	http_view_free(v);
	return rc;
}

void
http_view_free(struct http_view *v)
{
	size_t i;

	if (v == NULL)
		return;
	for (i = 0; i < v->nrows; i++) {
		free(v->rows[i].mesh);
		free(v->rows[i].key);
		free(v->rows[i].html);
	}
	free(v->rows);
	free(v->summary);
	free(v->json);
	metrics_clear(&v->gauges);
	free(v);
}

static const char page_style[] =
	"<style>\n"
	"body{font:14px/1.4 system-ui,sans-serif;margin:0;color:#1d2430;"
	"background:#f5f6f8}\n"
	"header{background:#1d2a3a;color:#fff;padding:10px 20px;display:flex;"
	"align-items:baseline;gap:18px;flex-wrap:wrap}\n"
	"header h1{font-size:20px;margin:0}\n"
	"header .dim{color:#b8c4d4}\n"
	"main{padding:12px 20px}\n"
	".status{display:flex;gap:8px;flex-wrap:wrap;margin-bottom:10px}\n"
	".status span{background:#fff;border:1px solid #d6dbe3;"
	"border-radius:4px;padding:4px 10px}\n"
	".status span.bad{background:#fde8e8;border-color:#e9a0a0;"
	"color:#8a1111}\n"
	"form{margin:10px 0}\n"
	"input[type=search]{font-size:14px;padding:4px 8px;width:320px}\n"
	"h2{font-size:16px;margin:18px 0 6px}\n"
	"table{border-collapse:collapse;width:100%;background:#fff;"
	"border:1px solid #d6dbe3}\n"
	"th,td{text-align:left;vertical-align:top;padding:5px 8px;"
	"border-bottom:1px solid #e6e9ee}\n"
	"th{background:#eef1f5;font-weight:600}\n"
	"td.host,td.vip{font-family:ui-monospace,monospace;font-size:13px;"
	"word-break:break-all}\n"
	"td.kind,td.ports{white-space:nowrap;color:#4a5568}\n"
	"td.name{font-weight:600}\n"
	".dim{color:#718096;font-weight:normal}\n"
	"tr.problem{background:#fff4f4}\n"
	"tr.problem td.name{color:#8a1111}\n"
	"div.bad{color:#8a1111;font-weight:600}\n"
	"div.ok{color:#2f6f3e}\n"
	".msg{font-weight:normal;color:#4a5568}\n"
	"</style>\n";

/* Does @key (lower-case) contain @q (any case)? */
static int
matches(const char *key, const char *q)
{
	size_t n = strlen(q);

	for (; *key != '\0'; key++) {
		size_t i;

		for (i = 0; i < n; i++)
			if (key[i] == '\0' ||
			    key[i] != (char)tolower((unsigned char)q[i]))
				break;
		if (i == n)
			return 1;
	}
	return 0;
}

static const char table_head[] =
	"<table><tr><th style=\"width:11%\">Kind</th>"
	"<th style=\"width:16%\">Name</th><th style=\"width:28%\">Hostnames</th>"
	"<th style=\"width:10%\">VIPs</th><th style=\"width:10%\">Ports</th>"
	"<th>Conditions</th></tr>\n";

int
http_page(struct metrics *out, const struct http_view *v, const char *q,
	  const char *status)
{
	const char *mesh = NULL;
	size_t shown = 0;
	size_t i;

	if (q != NULL && q[0] == '\0')
		q = NULL;
	put(out, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
	    "<meta name=\"viewport\" content=\"width=device-width\">"
	    "<title>meshdns</title>\n");
	put(out, page_style);
	put(out, "</head><body>\n<header><h1>meshdns</h1><span class=\"dim\">"
	    PACKAGE_VERSION "</span>");
	put(out, status);
	put(out, "</header>\n<main>\n");
	if (v == NULL) {
		put(out, "<p>No snapshot is served yet.</p></main></body>"
		    "</html>\n");
		return metrics_failed(out);
	}
	put(out, "<div class=\"status\">");
	put(out, v->summary);
	put(out, "</div>\n<form method=\"get\" action=\"/\">"
	    "<input type=\"search\" name=\"q\" placeholder=\"filter by name, "
	    "mesh, hostname or VIP\" value=\"");
	if (q != NULL)
		http_html_escape(out, q);
	put(out, "\"> <button type=\"submit\">Filter</button>");
	if (q != NULL)
		put(out, " <a href=\"/\">show all</a>");
	put(out, "</form>\n");
	if (v->from_cache && v->nrows == 0)
		put(out, "<p>This snapshot was read from the start-up cache: "
		    "it has no per-service details.  The next build (SIGHUP, "
		    "or a change) shows them.</p>\n");
	for (i = 0; i < v->nrows; i++) {
		const struct http_row *r = &v->rows[i];

		if (q != NULL && !matches(r->key, q))
			continue;
		if (mesh == NULL || strcmp(mesh, r->mesh) != 0) {
			if (mesh != NULL)
				put(out, "</table>\n");
			put(out, "<h2>Mesh ");
			put(out, r->mesh);
			put(out, "</h2>\n");
			put(out, table_head);
			mesh = r->mesh;
		}
		put(out, r->html);
		shown++;
	}
	if (mesh != NULL)
		put(out, "</table>\n");
	if (q != NULL && shown == 0) {
		put(out, "<p>No service matches &ldquo;");
		http_html_escape(out, q);
		put(out, "&rdquo;.</p>\n");
	} else if (q == NULL && v->nrows == 0 && !v->from_cache) {
		put(out, "<p>No services.</p>\n");
	}
	put(out, "</main></body></html>\n");
	return metrics_failed(out);
}
