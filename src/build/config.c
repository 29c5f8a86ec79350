/* SPDX-License-Identifier: MIT */
/* config.c -- meshdns.yaml: the configuration file. */

/*
 * The accepted schema.  Every key is optional; a missing key keeps its
 * default, an empty file (or one with only comments) gives all defaults.
 * One document only.  Lists also accept a single value ("listen: [::1]:53"
 * is a list of one).  Every duration has one syntax: numbers with units
 * d, h, m, s and ms, each unit once, largest first ("500ms", "90s", "15m",
 * "1h30m", "2d"), or a bare number of seconds ("30").  Keys kept in
 * seconds (dns.ttl, dns.soa.*, vip.hold) take whole seconds, 0 to
 * 2147483647; forward.timeout takes 1ms to 1h, tcp.idle-timeout 0 to 24d.
 *
 *   listen:                    list of ADDRESS[:PORT] or [IPV6][:PORT]
 *     - 127.0.0.1:15053        default 127.0.0.1:15053 (port default 15053)
 *   zone: default              the Kuma zone this server is in
 *   resources:                 files or directories of resources
 *     - /etc/meshdns/resources default: none
 *   state-file: /var/lib/meshdns/state   VIP assignments; default none
 *                              (null also means none)
 *   start-cache: true          keep the answer table in <state-file>.cache
 *                              and start from it while no input changed
 *   watch: true                apply a change to a resource file without
 *                              SIGHUP (inotify); false: SIGHUP only
 *   dns:
 *     zones: [mesh.local, mesh]          served zones: domain names,
 *                              lower-cased, a final dot is dropped
 *     ttl: 30                  duration, TTL of every answer
 *     ns: [localhost.]         NS names of every zone (1 to 64), or
 *                              {name: ns1.mesh.local, address: [IP...]}
 *                              whose addresses are served (in-zone NS)
 *     soa:
 *       mname: localhost.      primary name server
 *       rname: nobody.invalid. mailbox of the person responsible
 *       refresh: 3600          durations
 *       retry: 600
 *       expire: 14d            a hidden primary may be down a while
 *       minimum: 30            negative-caching TTL (RFC 2308)
 *   vip:
 *     pools:                   CIDRs, IPv4 or IPv6, host bits zero
 *       meshService: 241.0.0.0/8
 *       meshExternalService: 242.0.0.0/8
 *       meshMultiZoneService: 243.0.0.0/8
 *     hold: 1h                 duration a released VIP is held back; at
 *                              least dns.ttl (raised with a warning)
 *   log:
 *     level: info              error, warning, notice, info or debug
 *   user: meshdns              once the sockets are bound, run as this
 *                              user (a name or a number); default: stay
 *   group: meshdns             and this group; default: the user's own
 *   transfer:
 *     notify:                  secondaries told of every serial change:
 *       - 10.0.0.2             ADDRESS[:PORT] (port 53), or a mapping
 *       - {address: "10.0.0.3:5353", key: NAME}   that signs with a key
 *     catalog: catalog.invalid a catalog zone (RFC 9432) of every served
 *                              zone; default none
 *   http:
 *     listen: 127.0.0.1:9153   list of ADDRESS[:PORT] for /metrics,
 *                              /health, /ready, / and /status.json;
 *                              default none (off), port default 9153
 *
 * A section given as null ("dns:" with everything under it commented out)
 * keeps its defaults.  contrib/meshdns.yaml is the same, commented.
 *
 * Every problem is reported with the position of the offending node and
 * what was expected, e.g.
 *
 *   meshdns.yaml:4:3: error: dns.ttl: expected a duration such as 30s
 *       (a number and a unit: ms, s, m, h or d, several largest first as
 *       in 1h30m; a bare number is seconds), got "abc"
 *
 * and all of them are reported, not only the first.
 *
 * The schema is the tables below (struct key): a key's name, its type
 * (struct type: what it accepts, how one value is parsed and stored) and
 * its default, written as the text a user would write, so the defaults go
 * through the same parsers and checks as the file.
 */
#include "autoconfig.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "build/config.h"
#include "dns/tsig.h"
#include "util/file.h"
#include "util/netaddr.h"
#include "util/yamlx.h"

#define MAX_SECONDS	2147483647ULL	/* RFC 2181 section 8 */
#define MAX_MS		(MAX_SECONDS * 1000)
#define MAX_NS		64

struct key;

struct type {
	const char *expected;	/* "expected ..." (durations: see below) */
	int list;		/* a list; a single value is a list of one */
	int nullable;		/* null means none (NULL, or an empty list) */
	int (*parse)(struct config *cfg, const struct key *k, const char *text,
		     char *err, size_t errsize);
	void (*clear)(struct config *cfg, const struct key *k);
	const struct duration *duration;	/* durations: their range */
};

/* A duration key's range, in ms, and the unit it is stored in. */
struct duration {
	unsigned unit;			/* 1000: whole seconds; 1: ms */
	unsigned long long min, max;
};

struct key {
	const char *name;
	const struct type *type;	/* NULL: a section */
	const struct key *sub;		/* a section's keys, up to a NULL name */
	size_t off;			/* the field in struct config */
	size_t noff;			/* lists: the field with the count */
	const char *def;		/* default; lists: space separated */
	const char *example;		/* durations: for messages; choices:
					 * the accepted words, space
					 * separated (stored as the index) */
	int nonempty;			/* lists: at least one value */
};

struct loader {
	struct config *cfg;
	struct diag_list *errs;
	const struct yamlx_node *ttl_node;
	const struct yamlx_node *hold_node;
};

#define FIELD(cfg, k, type) ((type *)(void *)((char *)(cfg) + (k)->off))
#define COUNT(cfg, k) ((size_t *)(void *)((char *)(cfg) + (k)->noff))

/* ---- helpers */

/* What a node is, for "got ...". */
static const char *
describe(const struct yamlx_node *node, char *buf, size_t size)
{
	if (node == NULL)
		return "nothing";
	if (node->type == YAMLX_SEQ)
		return node->n == 0 ? "an empty list" : "a list";
	if (node->type == YAMLX_MAP)
		return "a mapping";
	if (yamlx_is_null(node))
		return node->len == 0 ? "nothing" : "null";
	return diag_quote(node->scalar, buf, size);
}

static void __attribute__((format(printf, 4, 5)))
report(struct loader *l, const struct yamlx_node *node, const char *path,
       const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (path != NULL && path[0] != '\0')
		diag_error(l->errs, node ? node->file : l->cfg->file,
			   node ? node->line : 0, node ? node->column : 0,
			   "%s: %s", path, msg);
	else
		diag_error(l->errs, node ? node->file : l->cfg->file,
			   node ? node->line : 0, node ? node->column : 0,
			   "%s", msg);
}

static void
free_strings(char **v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

static int
append_string(char ***list, size_t *n, const char *s)
{
	char **v = NULL;
	char *copy = strdup(s);

	if (copy == NULL)
		return -ENOMEM;
	v = realloc(*list, (*n + 1) * sizeof(*v));
	if (v == NULL) {
		free(copy);
		return -ENOMEM;
	}
	v[(*n)++] = copy;
	*list = v;
	return 0;
}

static int
listed(char *const *v, size_t n, const char *s)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(v[i], s) == 0)
			return 1;
	return 0;
}

/*
 * A domain name: letters, digits, '-' and dots, labels of 1 to 63
 * characters, at most 253 in all, a final dot allowed.  Returns 0, or -1
 * with the reason in @why.
 */
static int
check_domain(const char *s, char *why, size_t whysize)
{
	size_t len = strlen(s), label = 0, i;

	if (len > 0 && s[len - 1] == '.')
		len--;
	if (len == 0) {
		diag_printf(why, whysize, "the root zone is not allowed");
		return -1;
	}
	if (len > 253) {
		diag_printf(why, whysize, "longer than 253 characters");
		return -1;
	}
	for (i = 0; i <= len; i++) {
		char c = i < len ? s[i] : '.';

		if (c == '.') {
			if (label == 0) {
				diag_printf(why, whysize, "empty label");
				return -1;
			}
			label = 0;
		} else if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			   (c >= '0' && c <= '9') || c == '-') {
			if (++label > 63) {
				diag_printf(why, whysize, "a label is longer than "
					"63 characters");
				return -1;
			}
		} else if ((unsigned char)c < 0x20 || c == 0x7f) {
			diag_printf(why, whysize, "control character 0x%02x is "
				"not allowed", (unsigned char)c);
			return -1;
		} else {
			diag_printf(why, whysize, "'%c' is not allowed", c);
			return -1;
		}
	}
	return 0;
}

static void
lower(char *s)
{
	for (; *s != '\0'; s++)
		if (*s >= 'A' && *s <= 'Z')
			*s = (char)(*s - 'A' + 'a');
}

/*
 * Durations, in milliseconds: numbers with units d, h, m, s and ms, each
 * unit at most once and largest first ("1h30m", "1s500ms"), or a bare
 * number of seconds on its own ("30").  Returns 0, or -1 when the text is
 * not a duration; *out saturates above MAX_MS.
 */
static int
parse_duration(const char *s, unsigned long long *out)
{
	static const char *const units[] = { "d", "h", "m", "s", "ms" };
	static const unsigned long long mult[] = {
		86400000, 3600000, 60000, 1000, 1
	};
	unsigned long long total = 0, v;
	int last = -1;
	int digits;
	int u;

	if (*s == '\0')
		return -1;
	while (*s != '\0') {
		for (v = 0, digits = 0; *s >= '0' && *s <= '9'; s++, digits++)
			if (v <= MAX_MS)
				v = v * 10 + (unsigned long long)(*s - '0');
		if (digits == 0)
			return -1;
		if (*s == '\0') {
			/* A bare number is seconds, and only on its own. */
			if (last >= 0)
				return -1;
			u = 3;
		} else {
			/* "ms" before "m" */
			for (u = 4; u >= 0; u--)
				if (strncmp(s, units[u], strlen(units[u])) == 0)
					break;
			if (u < 0)
				return -1;
			s += strlen(units[u]);
		}
		if (u <= last)
			return -1;
		last = u;
		if (v > MAX_MS)
			v = MAX_MS + 1;
		total += v * mult[u];
		if (total > MAX_MS)
			total = MAX_MS + 1;
	}
	*out = total;
	return 0;
}

/* @ms as a duration in the largest units: "1h", "1m30s", "0s". */
static const char *
format_duration(unsigned long long ms, char *buf, size_t size)
{
	static const char *const units[] = { "d", "h", "m", "s", "ms" };
	static const unsigned long long mult[] = {
		86400000, 3600000, 60000, 1000, 1
	};
	size_t off = 0;
	int i;

	if (ms == 0) {
		snprintf(buf, size, "0s");
		return buf;
	}
	buf[0] = '\0';
	for (i = 0; i < 5 && off < size; i++) {
		if (ms / mult[i] == 0)
			continue;
		off += (size_t)snprintf(buf + off, size - off, "%llu%s",
					ms / mult[i], units[i]);
		ms %= mult[i];
	}
	return buf;
}

/* ---- value types: parse one value (text), store it */

static const char *
expected(const struct key *k, char *buf, size_t size)
{
	if (k->type->duration != NULL) {
		snprintf(buf, size, "a duration such as %s (a number and a "
			 "unit: ms, s, m, h or d, several largest first as in "
			 "1h30m; a bare number is seconds)", k->example);
		return buf;
	}
	return k->type->expected;
}

/* listen and http.listen: a list of struct config_listen at k->off. */
static int
add_listen(struct config *cfg, const struct key *k, const char *text,
	   unsigned port, char *err, size_t errsize)
{
	struct config_listen **list = FIELD(cfg, k, struct config_listen *);
	size_t *n = COUNT(cfg, k);
	struct config_listen v;
	struct config_listen *nv = NULL;
	size_t i;
	int rc;

	rc = config_parse_address(&v, text, port, err, errsize);
	if (rc < 0)
		return rc;
	for (i = 0; i < *n; i++) {
		if ((*list)[i].addrlen == v.addrlen &&
		    memcmp(&(*list)[i].addr, &v.addr, v.addrlen) == 0) {
			diag_printf(err, errsize, "%s is listed twice", v.text);
			free(v.text);
			return -1;
		}
	}
	nv = realloc(*list, (*n + 1) * sizeof(*nv));
	if (nv == NULL) {
		free(v.text);
		return -ENOMEM;
	}
	*list = nv;
	(*list)[(*n)++] = v;
	return 0;
}

static int
parse_listen(struct config *cfg, const struct key *k, const char *text,
	     char *err, size_t errsize)
{
	return add_listen(cfg, k, text, CONFIG_DEFAULT_PORT, err, errsize);
}

static int
parse_http_listen(struct config *cfg, const struct key *k, const char *text,
		  char *err, size_t errsize)
{
	return add_listen(cfg, k, text, CONFIG_DEFAULT_HTTP_PORT, err,
			  errsize);
}

static void
clear_listen(struct config *cfg, const struct key *k)
{
	struct config_listen **list = FIELD(cfg, k, struct config_listen *);
	size_t *n = COUNT(cfg, k);
	size_t i;

	for (i = 0; i < *n; i++)
		free((*list)[i].text);
	free(*list);
	*list = NULL;
	*n = 0;
}

static void
clear_strings(struct config *cfg, const struct key *k)
{
	free_strings(*FIELD(cfg, k, char **), *COUNT(cfg, k));
	*FIELD(cfg, k, char **) = NULL;
	*COUNT(cfg, k) = 0;
}

static void
clear_string(struct config *cfg, const struct key *k)
{
	free(*FIELD(cfg, k, char *));
	*FIELD(cfg, k, char *) = NULL;
}

static void
clear_nothing(struct config *cfg, const struct key *k)
{
}

static int
parse_path(struct config *cfg, const struct key *k, const char *text,
	   char *err, size_t errsize)
{
	char q[128];

	if (*text == '\0') {
		diag_printf(err, errsize, "expected %s, got \"\"",
			k->type->expected);
		return -1;
	}
	if (listed(*FIELD(cfg, k, char **), *COUNT(cfg, k), text)) {
		diag_printf(err, errsize, "%s is listed twice",
			diag_quote(text, q, sizeof(q)));
		return -1;
	}
	return append_string(FIELD(cfg, k, char **), COUNT(cfg, k), text);
}

/*
 * Append the domain name @text to the list of @k: checked, lower case,
 * without a final dot, once.  With @star, a first label "*" is allowed.
 */
static int
add_domain(struct config *cfg, const struct key *k, const char *text,
	   int star, const char *what, char *err, size_t errsize)
{
	const char *check = star && strncmp(text, "*.", 2) == 0 ? text + 2 :
		text;
	char why[128], q[128];
	char *name = NULL;
	size_t len;
	int rc;

	if (check_domain(check, why, sizeof(why)) < 0) {
		diag_printf(err, errsize, "expected %s, got %s (%s)",
			k->type->expected, diag_quote(text, q, sizeof(q)),
			why);
		return -1;
	}
	name = strdup(text);
	if (name == NULL)
		return -ENOMEM;
	len = strlen(name);
	if (name[len - 1] == '.')
		name[len - 1] = '\0';
	lower(name);
	if (listed(*FIELD(cfg, k, char **), *COUNT(cfg, k), name)) {
		diag_printf(err, errsize, "%s %s is listed twice", what, name);
		free(name);
		return -1;
	}
	rc = append_string(FIELD(cfg, k, char **), COUNT(cfg, k), name);
	free(name);
	return rc;
}

static int
parse_zone(struct config *cfg, const struct key *k, const char *text,
	   char *err, size_t errsize)
{
	return add_domain(cfg, k, text, 0, "zone", err, errsize);
}

static int
parse_ns(struct config *cfg, const struct key *k, const char *text,
	 char *err, size_t errsize)
{
	char why[128], q[128];
	size_t i;

	if (check_domain(text, why, sizeof(why)) < 0) {
		diag_printf(err, errsize, "expected %s, got %s (%s)",
			k->type->expected, diag_quote(text, q, sizeof(q)),
			why);
		return -1;
	}
	for (i = 0; i < cfg->nns; i++) {
		if (strcasecmp(cfg->ns[i], text) == 0) {
			diag_printf(err, errsize, "%s is listed twice",
				diag_quote(text, q, sizeof(q)));
			return -1;
		}
	}
	if (cfg->nns >= MAX_NS) {
		diag_printf(err, errsize, "more than %d name servers", MAX_NS);
		return -1;
	}
	return append_string(&cfg->ns, &cfg->nns, text);
}

static int
parse_string(struct config *cfg, const struct key *k, const char *text,
	     char *err, size_t errsize)
{
	if (*text == '\0') {
		diag_printf(err, errsize, "expected %s, got \"\"",
			k->type->expected);
		return -1;
	}
	return config_set_string(FIELD(cfg, k, char *), text);
}

static int
parse_name(struct config *cfg, const struct key *k, const char *text,
	   char *err, size_t errsize)
{
	char why[128], q[128];

	if (check_domain(text, why, sizeof(why)) < 0) {
		diag_printf(err, errsize, "expected %s, got %s (%s)",
			k->type->expected, diag_quote(text, q, sizeof(q)),
			why);
		return -1;
	}
	return config_set_string(FIELD(cfg, k, char *), text);
}

/* Any duration key: one syntax, the key's range and unit (struct type). */
static int
parse_duration_key(struct config *cfg, const struct key *k,
		   const char *text, char *err, size_t errsize)
{
	const struct duration *t = k->type->duration;
	char exp[256], q[128], lo[32], hi[32];
	unsigned long long v;

	if (parse_duration(text, &v) < 0) {
		diag_printf(err, errsize, "expected %s, got %s",
			expected(k, exp, sizeof(exp)),
			diag_quote(text, q, sizeof(q)));
		return -1;
	}
	if (t->unit == 1000 && v > t->max) {
		diag_printf(err, errsize, "expected at most %llu seconds (about "
			"68 years), got %s", t->max / 1000,
			diag_quote(text, q, sizeof(q)));
		return -1;
	}
	if (v < t->min || v > t->max) {
		diag_printf(err, errsize, "expected a duration from %s to %s, "
			"got %s", format_duration(t->min, lo, sizeof(lo)),
			format_duration(t->max, hi, sizeof(hi)),
			diag_quote(text, q, sizeof(q)));
		return -1;
	}
	if (v % t->unit != 0) {
		diag_printf(err, errsize, "expected whole seconds, got %s",
			diag_quote(text, q, sizeof(q)));
		return -1;
	}
	*FIELD(cfg, k, uint32_t) = (uint32_t)(v / t->unit);
	return 0;
}

static int
parse_cidr(struct config *cfg, const struct key *k, const char *text,
	   char *err, size_t errsize)
{
	struct netaddr_cidr pool;

	if (netaddr_cidr_parse(&pool, text, err, errsize) < 0)
		return -1;
	return config_set_string(FIELD(cfg, k, char *), pool.text);
}

static int
parse_level(struct config *cfg, const struct key *k, const char *text,
	    char *err, size_t errsize)
{
	char q[128];

	if (log_level_parse(FIELD(cfg, k, enum log_level), text) == 0)
		return 0;
	diag_printf(err, errsize, "expected %s, got %s", k->type->expected,
		diag_quote(text, q, sizeof(q)));
	return -1;
}

/* One of the words in k->example, stored as its index (an int). */
static int
parse_choice(struct config *cfg, const struct key *k, const char *text,
	     char *err, size_t errsize)
{
	const char *w = k->example;
	char q[128];
	int i = 0;

	while (*w != '\0') {
		size_t n = strcspn(w, " ");

		if (strlen(text) == n && strncasecmp(w, text, n) == 0) {
			*FIELD(cfg, k, int) = i;
			return 0;
		}
		w += n;
		w += strspn(w, " ");
		i++;
	}
	diag_printf(err, errsize, "expected one of: %s; got %s", k->example,
		    diag_quote(text, q, sizeof(q)));
	return -1;
}

static int
parse_bool(struct config *cfg, const struct key *k, const char *text,
	   char *err, size_t errsize)
{
	static const char *const yes[] = { "true", "yes", "on", NULL };
	static const char *const no[] = { "false", "no", "off", NULL };
	char q[128];
	size_t i;

	for (i = 0; yes[i] != NULL; i++) {
		if (strcasecmp(text, yes[i]) == 0) {
			*FIELD(cfg, k, int) = 1;
			return 0;
		}
		if (strcasecmp(text, no[i]) == 0) {
			*FIELD(cfg, k, int) = 0;
			return 0;
		}
	}
	diag_printf(err, errsize, "expected %s, got %s", k->type->expected,
		    diag_quote(text, q, sizeof(q)));
	return -1;
}

static int
parse_count(struct config *cfg, const struct key *k, const char *text,
	    char *err, size_t errsize)
{
	unsigned long long v = 0;
	const char *p = text;
	char q[128];

	for (; *p >= '0' && *p <= '9' && v <= 100000000ULL; p++)
		v = v * 10 + (unsigned long long)(*p - '0');
	if (p == text || *p != '\0' || v < 1 || v > 100000000ULL) {
		diag_printf(err, errsize, "expected %s, got %s",
			    k->type->expected, diag_quote(text, q, sizeof(q)));
		return -1;
	}
	*FIELD(cfg, k, uint32_t) = (uint32_t)v;
	return 0;
}

/* A list of CIDRs (canonical text kept). */
static int
parse_cidrs(struct config *cfg, const struct key *k, const char *text,
	    char *err, size_t errsize)
{
	struct netaddr_cidr pool;

	if (netaddr_cidr_parse(&pool, text, err, errsize) < 0)
		return -1;
	return append_string(FIELD(cfg, k, char **), COUNT(cfg, k),
			     pool.text);
}

/*
 * Upstreams: ADDRESS[:PORT] or [IPV6][:PORT] (port 53), or resolv.conf or
 * the path of a file in its format (read when the server starts).
 */
static int
parse_upstream(struct config *cfg, const struct key *k, const char *text,
	       char *err, size_t errsize)
{
	struct config_listen v;
	char q[128];

	if (config_upstream_file(text) != NULL)
		return append_string(FIELD(cfg, k, char **), COUNT(cfg, k),
				     text);
	if (config_parse_address(&v, text, 53, err, errsize) < 0)
		return -1;
	if (listed(*FIELD(cfg, k, char **), *COUNT(cfg, k), v.text)) {
		diag_printf(err, errsize, "%s is listed twice",
			    diag_quote(v.text, q, sizeof(q)));
		free(v.text);
		return -1;
	}
	if (append_string(FIELD(cfg, k, char **), COUNT(cfg, k), v.text) < 0) {
		free(v.text);
		return -ENOMEM;
	}
	free(v.text);
	return 0;
}

/* A CHAOS TXT string; "" hides it (REFUSED). */
static int
parse_text(struct config *cfg, const struct key *k, const char *text,
	   char *err, size_t errsize)
{
	if (strlen(text) > 255) {
		diag_printf(err, errsize, "expected %s, got %zu characters",
			    k->type->expected, strlen(text));
		return -1;
	}
	return config_set_string(FIELD(cfg, k, char *), text);
}

/* Worker threads: "auto" (one per CPU, stored as 0) or 1 to 256. */
static int
parse_workers(struct config *cfg, const struct key *k, const char *text,
	      char *err, size_t errsize)
{
	char q[128];
	char *end = NULL;
	unsigned long v;

	if (strcmp(text, "auto") == 0) {
		*FIELD(cfg, k, uint32_t) = 0;
		return 0;
	}
	v = strtoul(text, &end, 10);
	if (text[0] < '0' || text[0] > '9' || *end != '\0' || v < 1 ||
	    v > 256) {
		diag_printf(err, errsize, "expected %s, got %s",
			    k->type->expected, diag_quote(text, q, sizeof(q)));
		return -1;
	}
	*FIELD(cfg, k, uint32_t) = (uint32_t)v;
	return 0;
}

/* Append a transfer.notify target; @key may be NULL (unsigned). */
static int
add_notify(struct config *cfg, const char *text, const char *key,
	   char *err, size_t errsize)
{
	struct config_listen v;
	struct config_notify *nv = NULL;
	char q[128];
	size_t i;

	if (config_parse_address(&v, text, 53, err, errsize) < 0)
		return -1;
	for (i = 0; i < cfg->nnotify; i++) {
		if (strcmp(cfg->notify[i].text, v.text) == 0) {
			diag_printf(err, errsize, "%s is listed twice",
				    diag_quote(v.text, q, sizeof(q)));
			free(v.text);
			return -1;
		}
	}
	nv = realloc(cfg->notify, (cfg->nnotify + 1) * sizeof(*nv));
	if (nv == NULL) {
		free(v.text);
		return -ENOMEM;
	}
	cfg->notify = nv;
	memset(&nv[cfg->nnotify], 0, sizeof(*nv));
	nv[cfg->nnotify].text = v.text;
	nv[cfg->nnotify].addr = v.addr;
	nv[cfg->nnotify].addrlen = v.addrlen;
	/* Key names as keys: stores them: lower case, with the final dot. */
	if (key != NULL) {
		size_t len = strlen(key);

		if ((nv[cfg->nnotify].key = malloc(len + 2)) == NULL) {
			free(v.text);
			return -ENOMEM;
		}
		memcpy(nv[cfg->nnotify].key, key, len + 1);
		if (len == 0 || key[len - 1] != '.')
			strcpy(nv[cfg->nnotify].key + len, ".");
		lower(nv[cfg->nnotify].key);
	}
	cfg->nnotify++;
	return 0;
}

static int
parse_notify(struct config *cfg, const struct key *k, const char *text,
	     char *err, size_t errsize)
{
	return add_notify(cfg, text, NULL, err, errsize);
}

static void
clear_notify(struct config *cfg, const struct key *k)
{
	size_t i;

	for (i = 0; i < cfg->nnotify; i++) {
		free(cfg->notify[i].text);
		free(cfg->notify[i].key);
	}
	free(cfg->notify);
	cfg->notify = NULL;
	cfg->nnotify = 0;
}

/* transfer.catalog: a domain name, lower case, no final dot. */
static int
parse_catalog(struct config *cfg, const struct key *k, const char *text,
	      char *err, size_t errsize)
{
	char why[128], q[128];
	size_t len;
	int rc;

	if (check_domain(text, why, sizeof(why)) < 0) {
		diag_printf(err, errsize, "expected %s, got %s (%s)",
			k->type->expected, diag_quote(text, q, sizeof(q)),
			why);
		return -1;
	}
	if ((rc = config_set_string(FIELD(cfg, k, char *), text)) < 0)
		return rc;
	len = strlen(*FIELD(cfg, k, char *));
	if ((*FIELD(cfg, k, char *))[len - 1] == '.')
		(*FIELD(cfg, k, char *))[len - 1] = '\0';
	lower(*FIELD(cfg, k, char *));
	return 0;
}

static const struct type t_notify = {
	"an address such as 10.0.0.2 or 10.0.0.3:5353 (port 53), or a "
	"mapping {address: ADDRESS[:PORT], key: NAME}", 1, 1,
	parse_notify, clear_notify, NULL
};
static const struct type t_catalog = {
	"a domain name such as catalog.invalid (letters, digits, '-' and "
	"dots)", 0, 1, parse_catalog, clear_string, NULL
};
static const struct type t_workers = {
	"auto (one per CPU it may run on) or a number from 1 to 256", 0, 0,
	parse_workers, clear_nothing, NULL
};
/*
 * A search suffix: a domain name, whose first label may be "*" (one
 * label, any: "*.svc.cluster.local" covers every namespace).
 */
static int
parse_suffix(struct config *cfg, const struct key *k, const char *text,
	     char *err, size_t errsize)
{
	return add_domain(cfg, k, text, 1, "suffix", err, errsize);
}

static const struct type t_suffixes = {
	"a domain name such as svc.cluster.local, the first label may be *",
	1, 1, parse_suffix, clear_strings, NULL
};
static const struct type t_choice = {
	"one of the words listed", 0, 0, parse_choice, clear_nothing, NULL
};
static const struct type t_bool = {
	"true or false", 0, 0, parse_bool, clear_nothing, NULL
};
static const struct type t_count = {
	"a whole number from 1 to 100000000", 0, 0, parse_count,
	clear_nothing, NULL
};
/* forward.timeout: milliseconds, 1ms to 1h */
static const struct duration d_millis = { 1, 1, 3600000 };
static const struct type t_millis = {
	"a duration", 0, 0, parse_duration_key, clear_nothing, &d_millis
};
/* tcp.idle-timeout: milliseconds, 0 (the default) to 24 days */
static const struct duration d_idle = { 1, 0, 24 * 86400000ULL };
static const struct type t_idle = {
	"a duration", 0, 0, parse_duration_key, clear_nothing, &d_idle
};
static const struct type t_cidrs = {
	"a CIDR such as 10.0.0.0/8", 1, 1, parse_cidrs, clear_strings, NULL
};
static const struct type t_upstreams = {
	"an address such as 127.0.0.1:53 or [::1]:53, resolv.conf or the "
	"path of a file like it", 1, 1,
	parse_upstream, clear_strings, NULL
};
static const struct type t_text = {
	"a string of at most 255 characters (\"\" hides it)", 0, 1,
	parse_text, clear_string, NULL
};
static const struct type t_cidr_opt = {
	"a CIDR such as fd00:f1::/64", 0, 1, parse_cidr, clear_string, NULL
};

static const struct type t_listen = {
	"an address such as 127.0.0.1:15053 or [::1]:15053", 1, 0,
	parse_listen, clear_listen, NULL
};
static const struct type t_http_listen = {
	"an address such as 127.0.0.1:9153 or [::1]:9153", 1, 1,
	parse_http_listen, clear_listen, NULL
};
static const struct type t_paths = {
	"a file or directory name", 1, 1, parse_path, clear_strings, NULL
};
static const struct type t_zones = {
	"a domain name such as mesh.local (letters, digits, '-' and dots)",
	1, 0, parse_zone, clear_strings, NULL
};
static const struct type t_ns = {
	"a domain name such as localhost. (letters, digits, '-' and dots)",
	1, 0, parse_ns, clear_strings, NULL
};
static const struct type t_string = {
	"a string", 0, 0, parse_string, clear_string, NULL
};
static const struct type t_account = {
	"a user or group name, or a number", 0, 1, parse_string, clear_string,
	NULL
};
static const struct type t_file = {
	"a file name", 0, 1, parse_string, clear_string, NULL
};
static const struct type t_name = {
	"a domain name (letters, digits, '-' and dots)", 0, 0, parse_name,
	clear_string, NULL
};
/* TTLs, SOA timers, vip.hold: whole seconds */
static const struct duration d_seconds = { 1000, 0, MAX_MS };
static const struct type t_seconds = {
	"a duration", 0, 0, parse_duration_key, clear_nothing, &d_seconds
};
static const struct type t_cidr = {
	"a CIDR such as 241.0.0.0/8", 0, 0, parse_cidr, clear_string, NULL
};
static const struct type t_level = {
	"one of: error, warning, notice, info, debug", 0, 0, parse_level,
	clear_nothing, NULL
};

/* Lists of mappings, read by load_mappings(): no parse of their own. */
static const struct type t_keys = {
	"a list of {name:, algorithm:, secret: or secret-file:}", 1, 1, NULL,
	clear_nothing, NULL
};
static const struct type t_xfr_allow = {
	"a CIDR such as 127.0.0.0/8, or {address: CIDR, key: NAME}", 1, 1,
	NULL, clear_nothing, NULL
};

/* ---- the schema */

#define OFF(f) offsetof(struct config, f)
/* A default of config.h as the schema's text: 10 -> "10". */
#define TEXT(n) TEXT_(n)
#define TEXT_(n) #n

static const struct key soa_keys[] = {
	{ "mname", &t_name, NULL, OFF(soa.mname), 0, "localhost.", NULL, 0 },
	{ "rname", &t_name, NULL, OFF(soa.rname), 0, "nobody.invalid.", NULL,
	  0 },
	{ "refresh", &t_seconds, NULL, OFF(soa.refresh), 0, "3600", "1h", 0 },
	{ "retry", &t_seconds, NULL, OFF(soa.retry), 0, "600", "10m", 0 },
	{ "expire", &t_seconds, NULL, OFF(soa.expire), 0, "14d", "14d", 0 },
	{ "minimum", &t_seconds, NULL, OFF(soa.minimum), 0, "30", "30s", 0 },
	{ NULL, NULL, NULL, 0, 0, NULL, NULL, 0 },
};

static const struct key chaos_keys[] = {
	{ "version", &t_text, NULL, OFF(chaos_version), 0,
	  "meshdns " PACKAGE_VERSION, NULL, 0 },
	{ "id", &t_text, NULL, OFF(chaos_id), 0, "", NULL, 0 },
	{ "hostname", &t_text, NULL, OFF(chaos_hostname), 0, "", NULL, 0 },
	{ NULL, NULL, NULL, 0, 0, NULL, NULL, 0 },
};

static const struct key dns_keys[] = {
	{ "zones", &t_zones, NULL, OFF(dns_zones), OFF(ndns_zones),
	  "mesh.local mesh", NULL, 1 },
	{ "ttl", &t_seconds, NULL, OFF(ttl), 0, "30", "30s", 0 },
	{ "ns", &t_ns, NULL, OFF(ns), OFF(nns), "localhost.", NULL, 1 },
	{ "soa", NULL, soa_keys, 0, 0, NULL, NULL, 0 },
	{ "aaaa", &t_choice, NULL, OFF(aaaa), 0, "nodata",
	  "nodata mapped pool", 0 },
	{ "srv", &t_bool, NULL, OFF(srv), 0, "true", NULL, 0 },
	{ "ptr", &t_bool, NULL, OFF(ptr), 0, "true", NULL, 0 },
	{ "chaos", NULL, chaos_keys, 0, 0, NULL, NULL, 0 },
	{ "search-suffixes", &t_suffixes, NULL, OFF(search_suffixes),
	  OFF(nsearch_suffixes), NULL, NULL, 0 },
	{ NULL, NULL, NULL, 0, 0, NULL, NULL, 0 },
};

static const struct key forward_keys[] = {
	{ "upstreams", &t_upstreams, NULL, OFF(upstreams), OFF(nupstreams),
	  NULL, NULL, 0 },
	{ "timeout", &t_millis, NULL, OFF(forward_timeout_ms), 0,
	  TEXT(CONFIG_DEFAULT_FORWARD_TIMEOUT_MS) "ms", "500ms", 0 },
	{ "max-in-flight", &t_count, NULL, OFF(forward_max_inflight), 0,
	  TEXT(CONFIG_DEFAULT_FORWARD_MAX_INFLIGHT), NULL, 0 },
	{ "allow", &t_cidrs, NULL, OFF(forward_allow), OFF(nforward_allow),
	  "127.0.0.0/8 10.0.0.0/8 172.16.0.0/12 192.168.0.0/16 ::1/128 "
	  "fc00::/7 fe80::/10", NULL, 0 },
	{ NULL, NULL, NULL, 0, 0, NULL, NULL, 0 },
};

static const struct key tcp_keys[] = {
	{ "idle-timeout", &t_idle, NULL, OFF(tcp_idle_ms), 0,
	  TEXT(CONFIG_DEFAULT_TCP_IDLE) "s", "10s", 0 },
	{ "max-connections", &t_count, NULL, OFF(tcp_max), 0,
	  TEXT(CONFIG_DEFAULT_TCP_MAX), NULL, 0 },
	{ NULL, NULL, NULL, 0, 0, NULL, NULL, 0 },
};

/*
 * A choice is stored as the index of its word, so the words of kuma.* are
 * listed in the order of the enums they are stored in.
 */
_Static_assert(GENERATE_UNIVERSAL == 0 && GENERATE_KUBERNETES == 1,
	       "kuma.environment: universal kubernetes");
_Static_assert(GENERATE_DEFAULTS_ALL == 0 && GENERATE_DEFAULTS_LOCAL == 1 &&
	       GENERATE_DEFAULTS_NONE == 2,
	       "kuma.default-generators: all local none");
_Static_assert(RESOURCE_MESH_MODE_DISABLED == 0 &&
	       RESOURCE_MESH_MODE_EVERYWHERE == 1 &&
	       RESOURCE_MESH_MODE_REACHABLE_BACKENDS == 2 &&
	       RESOURCE_MESH_MODE_EXCLUSIVE == 3,
	       "kuma.default-mesh-mode: Disabled Everywhere ReachableBackends "
	       "Exclusive");
_Static_assert(sizeof(enum generate_environment) == sizeof(int) &&
	       sizeof(enum generate_defaults) == sizeof(int) &&
	       sizeof(enum resource_mesh_mode) == sizeof(int),
	       "parse_choice() stores an int");

static const struct key dnstap_keys[] = {
	{ "socket", &t_file, NULL, OFF(dnstap_socket), 0, NULL, NULL, 0 },
	{ "identity", &t_text, NULL, OFF(dnstap_identity), 0, NULL, NULL, 0 },
	{ "version", &t_text, NULL, OFF(dnstap_version), 0,
	  "meshdns " PACKAGE_VERSION, NULL, 0 },
	{ NULL, NULL, NULL, 0, 0, NULL, NULL, 0 },
};

static const struct key kuma_keys[] = {
	{ "environment", &t_choice, NULL, OFF(kuma_environment), 0,
	  "universal", "universal kubernetes", 0 },
	{ "default-generators", &t_choice, NULL, OFF(kuma_defaults), 0, "all",
	  "all local none", 0 },
	{ "generation", &t_choice, NULL, OFF(kuma_workload), 0, "service-tag",
	  "service-tag workload", 0 },
	{ "default-mesh-mode", &t_choice, NULL, OFF(kuma_default_mode), 0,
	  "Disabled", "Disabled Everywhere ReachableBackends Exclusive", 0 },
	{ "deletion-grace", &t_seconds, NULL, OFF(kuma_deletion_grace), 0,
	  "1h", "1h", 0 },
	{ NULL, NULL, NULL, 0, 0, NULL, NULL, 0 },
};

static const struct key views_keys[] = {
	{ "unknown-clients", &t_choice, NULL, OFF(views_unknown_all), 0,
	  "all", "none all", 0 },
	{ "default-mesh", &t_string, NULL, OFF(views_default_mesh), 0,
	  "default", NULL, 0 },
	{ NULL, NULL, NULL, 0, 0, NULL, NULL, 0 },
};

static const struct key pool_keys[] = {
	{ "meshService", &t_cidr, NULL,
	  OFF(pools[CONFIG_POOL_MESH_SERVICE]), 0, "241.0.0.0/8", NULL, 0 },
	{ "meshExternalService", &t_cidr, NULL,
	  OFF(pools[CONFIG_POOL_MESH_EXTERNAL_SERVICE]), 0, "242.0.0.0/8",
	  NULL, 0 },
	{ "meshMultiZoneService", &t_cidr, NULL,
	  OFF(pools[CONFIG_POOL_MESH_MULTI_ZONE_SERVICE]), 0, "243.0.0.0/8",
	  NULL, 0 },
	{ "legacy", &t_cidr, NULL, OFF(pools[CONFIG_POOL_LEGACY]), 0,
	  "240.0.0.0/4", NULL, 0 },
	{ "meshService6", &t_cidr_opt, NULL,
	  OFF(pools6[CONFIG_POOL_MESH_SERVICE]), 0, NULL, NULL, 0 },
	{ "meshExternalService6", &t_cidr_opt, NULL,
	  OFF(pools6[CONFIG_POOL_MESH_EXTERNAL_SERVICE]), 0, NULL, NULL, 0 },
	{ "meshMultiZoneService6", &t_cidr_opt, NULL,
	  OFF(pools6[CONFIG_POOL_MESH_MULTI_ZONE_SERVICE]), 0, NULL, NULL, 0 },
	{ "legacy6", &t_cidr_opt, NULL, OFF(pools6[CONFIG_POOL_LEGACY]), 0,
	  NULL, NULL, 0 },
	{ NULL, NULL, NULL, 0, 0, NULL, NULL, 0 },
};

static const struct key vip_keys[] = {
	{ "pools", NULL, pool_keys, 0, 0, NULL, NULL, 0 },
	{ "hold", &t_seconds, NULL, OFF(hold_seconds), 0, "1h", "1h", 0 },
	{ "allocate", &t_bool, NULL, OFF(vip_allocate), 0, "false", NULL, 0 },
	{ NULL, NULL, NULL, 0, 0, NULL, NULL, 0 },
};

static const struct key log_keys[] = {
	{ "level", &t_level, NULL, OFF(log_level), 0, "info", NULL, 0 },
	{ NULL, NULL, NULL, 0, 0, NULL, NULL, 0 },
};

static const struct key journal_keys[] = {
	{ "max-count", &t_count, NULL, OFF(xfr_journal_count), 0, "20", NULL,
	  0 },
	{ "max-size", &t_count, NULL, OFF(xfr_journal_bytes), 0, "1048576",
	  NULL, 0 },
	{ NULL, NULL, NULL, 0, 0, NULL, NULL, 0 },
};

static const struct key transfer_keys[] = {
	{ "notify", &t_notify, NULL, OFF(notify), OFF(nnotify), NULL, NULL,
	  0 },
	{ "catalog", &t_catalog, NULL, OFF(transfer_catalog), 0, NULL, NULL,
	  0 },
	{ "allow", &t_xfr_allow, NULL, 0, 0, NULL, NULL, 0 },
	{ "journal", NULL, journal_keys, 0, 0, NULL, NULL, 0 },
	{ NULL, NULL, NULL, 0, 0, NULL, NULL, 0 },
};

static const struct key http_keys[] = {
	{ "listen", &t_http_listen, NULL, OFF(http_listen), OFF(nhttp_listen),
	  NULL, NULL, 0 },
	{ NULL, NULL, NULL, 0, 0, NULL, NULL, 0 },
};

/* store: CONNINFO is short for store: {connection: CONNINFO}. */
static const struct key store_keys[] = {
	{ "connection", &t_string, NULL, OFF(store), 0, NULL, NULL, 0 },
	{ "resync", &t_seconds, NULL, OFF(store_resync), 0, "5m", "5m", 0 },
	{ NULL, NULL, NULL, 0, 0, NULL, NULL, 0 },
};

static const struct key top_keys[] = {
	{ "listen", &t_listen, NULL, OFF(listen), OFF(nlisten),
	  "127.0.0.1:15053", NULL, 1 },
	{ "zone", &t_string, NULL, OFF(zone), 0, "default", NULL, 0 },
	{ "resources", &t_paths, NULL, OFF(resources), OFF(nresources), NULL,
	  NULL, 0 },
	{ "state-file", &t_file, NULL, OFF(state_file), 0, NULL, NULL, 0 },
	{ "start-cache", &t_bool, NULL, OFF(start_cache), 0, "true", NULL, 0 },
	{ "watch", &t_bool, NULL, OFF(watch), 0, "true", NULL, 0 },
	{ "workers", &t_workers, NULL, OFF(workers), 0, "auto", NULL, 0 },
	{ "user", &t_account, NULL, OFF(user), 0, NULL, NULL, 0 },
	{ "group", &t_account, NULL, OFF(group), 0, NULL, NULL, 0 },
	{ "dns", NULL, dns_keys, 0, 0, NULL, NULL, 0 },
	{ "vip", NULL, vip_keys, 0, 0, NULL, NULL, 0 },
	{ "log", NULL, log_keys, 0, 0, NULL, NULL, 0 },
	{ "forward", NULL, forward_keys, 0, 0, NULL, NULL, 0 },
	{ "tcp", NULL, tcp_keys, 0, 0, NULL, NULL, 0 },
	{ "dnstap", NULL, dnstap_keys, 0, 0, NULL, NULL, 0 },
	{ "kuma", NULL, kuma_keys, 0, 0, NULL, NULL, 0 },
	{ "views", NULL, views_keys, 0, 0, NULL, NULL, 0 },
	{ "keys", &t_keys, NULL, 0, 0, NULL, NULL, 0 },
	{ "transfer", NULL, transfer_keys, 0, 0, NULL, NULL, 0 },
	{ "http", NULL, http_keys, 0, 0, NULL, NULL, 0 },
	{ "store", NULL, store_keys, 0, 0, NULL, NULL, 0 },
	{ NULL, NULL, NULL, 0, 0, NULL, NULL, 0 },
};

/* ---- the schema, for the manual's test */

/*
 * The @i-th key under @keys (depth first), its dotted name after @prefix
 * into @buf: 1 found, 0 with *i reduced by the keys there are.
 */
static int
nth_key(const struct key *keys, const char *prefix, size_t *i, char *buf,
	size_t size)
{
	const struct key *k = NULL;
	char name[256];

	for (k = keys; k->name != NULL; k++) {
		snprintf(name, sizeof(name), "%s%s%s", prefix,
			 *prefix != '\0' ? "." : "", k->name);
		if (k->type == NULL) {
			if (nth_key(k->sub, name, i, buf, size))
				return 1;
			continue;
		}
		if ((*i)-- == 0) {
			snprintf(buf, size, "%s", name);
			return 1;
		}
	}
	return 0;
}

int
config_key_name(size_t i, char *buf, size_t size)
{
	return nth_key(top_keys, "", &i, buf, size) ? 0 : -1;
}

/* ---- defaults */

static int
apply_defaults(struct config *cfg, const struct key *keys)
{
	char err[256];
	char item[256];
	const struct key *k = NULL;
	const char *p = NULL;
	size_t n;
	int rc;

	for (k = keys; k->name != NULL; k++) {
		if (k->type == NULL) {
			rc = apply_defaults(cfg, k->sub);
			if (rc < 0)
				return rc;
			continue;
		}
		/* Only lists are space separated ("meshdns 0.1.0" is one). */
		if (!k->type->list && k->def != NULL && *k->def != '\0') {
			rc = k->type->parse(cfg, k, k->def, err, sizeof(err));
			if (rc < 0)
				return rc == -1 ? -EINVAL : rc;
			continue;
		}
		for (p = k->def; p != NULL && *p != '\0'; p += n) {
			p += strspn(p, " ");
			n = strcspn(p, " ");
			snprintf(item, sizeof(item), "%.*s", (int)n, p);
			rc = k->type->parse(cfg, k, item, err, sizeof(err));
			/* A default that does not parse is a bug here. */
			if (rc < 0)
				return rc == -1 ? -EINVAL : rc;
		}
	}
	return 0;
}

struct config *
config_new_default(void)
{
	struct config *cfg = calloc(1, sizeof(*cfg));

	if (cfg == NULL)
		return NULL;
	if (apply_defaults(cfg, top_keys) < 0) {
		config_free(cfg);
		return NULL;
	}
	return cfg;
}

/* ---- reading a file */

static void
unknown_key(struct loader *l, const struct yamlx_node *key,
	    const struct key *keys, const char *section)
{
	char names[512], hint[128], q[128];
	const struct key *k = NULL;
	const struct key *best = NULL;
	size_t n = 0, bestd = DIAG_SUGGEST_START;

	names[0] = '\0';
	for (k = keys; k->name != NULL; k++) {
		n += (size_t)snprintf(names + n, sizeof(names) - n, "%s%s",
				      k == keys ? "" : ", ", k->name);
		if (n >= sizeof(names))
			n = sizeof(names) - 1;
		if (diag_suggest(key->scalar, k->name, &bestd))
			best = k;
	}
	hint[0] = '\0';
	if (best != NULL)
		snprintf(hint, sizeof(hint), " (did you mean \"%s\"?)",
			 best->name);
	if (section[0] == '\0')
		report(l, key, NULL, "unknown key %s at the top level%s; "
		       "expected one of: %s",
		       diag_quote(key->scalar, q, sizeof(q)), hint, names);
	else
		report(l, key, NULL, "unknown key %s in %s%s; expected one "
		       "of: %s", diag_quote(key->scalar, q, sizeof(q)),
		       section, hint, names);
}

static int load_section(struct loader *l, const struct key *keys,
			const struct yamlx_node *map, const char *path);
static int load_mappings(struct loader *l, const struct key *k,
			 const struct yamlx_node *v, const char *path);

/* One address of an NS name ({name:, address:}), as glue. */
static int
add_glue(struct loader *l, const char *name, const struct yamlx_node *v,
	 const char *path)
{
	struct config *cfg = l->cfg;
	struct config_glue *g = NULL;
	struct netaddr a;
	char got[128], buf[64];

	if (v->type != YAMLX_SCALAR || yamlx_is_null(v) ||
	    strlen(v->scalar) != v->len || netaddr_parse(&a, v->scalar) < 0) {
		report(l, v, path, "expected an IPv4 or IPv6 address such as "
		       "10.0.0.2, got %s", describe(v, got, sizeof(got)));
		return 0;
	}
	if ((g = realloc(cfg->glue, (cfg->nglue + 1) * sizeof(*g))) == NULL)
		return -ENOMEM;
	cfg->glue = g;
	g = &cfg->glue[cfg->nglue];
	memset(g, 0, sizeof(*g));
	g->family = a.family;
	memcpy(g->addr, a.b, a.family == AF_INET ? 4 : 16);
	if ((g->name = strdup(name)) == NULL)
		return -ENOMEM;
	if ((g->address = strdup(netaddr_format(&a, buf, sizeof(buf)))) ==
	    NULL) {
		free(g->name);
		return -ENOMEM;
	}
	cfg->nglue++;
	return 0;
}

/*
 * A dns.ns entry written as a mapping: {name: NAME, address: IP or a list
 * of them}; name is required, address optional.
 */
static int
load_ns_map(struct loader *l, const struct key *k,
	    const struct yamlx_node *map, const char *path)
{
	const struct yamlx_node *name = yamlx_map_get(map, "name");
	const struct yamlx_node *addr = yamlx_map_get(map, "address");
	char err[512], got[128], sub[300];
	size_t i;
	int rc;

	for (i = 0; i < map->n; i++) {
		const struct yamlx_node *kn = map->pairs[i].key;

		if (strcmp(kn->scalar, "name") != 0 &&
		    strcmp(kn->scalar, "address") != 0)
			report(l, kn, NULL, "unknown key %s in %s; expected "
			       "one of: name, address",
			       diag_quote(kn->scalar, got, sizeof(got)), path);
	}
	if (name == NULL) {
		report(l, map, path, "expected name: NAME in the mapping");
		return 0;
	}
	snprintf(sub, sizeof(sub), "%s.name", path);
	if (name->type != YAMLX_SCALAR || yamlx_is_null(name) ||
	    strlen(name->scalar) != name->len) {
		report(l, name, sub, "expected %s, got %s", k->type->expected,
		       describe(name, got, sizeof(got)));
		return 0;
	}
	rc = parse_ns(l->cfg, k, name->scalar, err, sizeof(err));
	if (rc == -1)
		report(l, name, sub, "%s", err);
	if (rc < 0 || addr == NULL)
		return rc == -ENOMEM ? rc : 0;
	snprintf(sub, sizeof(sub), "%s.address", path);
	if (addr->type != YAMLX_SEQ)
		return add_glue(l, name->scalar, addr, sub);
	for (i = 0; i < addr->n; i++) {
		snprintf(sub, sizeof(sub), "%s.address[%zu]", path, i);
		if ((rc = add_glue(l, name->scalar, addr->items[i], sub)) < 0)
			return rc;
	}
	return 0;
}

/*
 * A transfer.notify entry written as a mapping: {address: ADDR[:PORT],
 * key: NAME}; address is required.
 */
static int
load_notify_map(struct loader *l, const struct yamlx_node *map,
		const char *path)
{
	const struct yamlx_node *addr = NULL;
	const struct yamlx_node *key = NULL;
	const struct yamlx_node *v = NULL;
	char err[512], why[128], got[128], sub[300];
	size_t i;
	int rc;

	for (i = 0; i < map->n; i++) {
		const struct yamlx_node *kn = map->pairs[i].key;

		v = map->pairs[i].value;
		snprintf(sub, sizeof(sub), "%s.%s", path, kn->scalar);
		if (strcmp(kn->scalar, "address") != 0 &&
		    strcmp(kn->scalar, "key") != 0) {
			report(l, kn, NULL, "unknown key %s in %s; expected "
			       "one of: address, key",
			       diag_quote(kn->scalar, got, sizeof(got)), path);
			continue;
		}
		if (v->type != YAMLX_SCALAR || yamlx_is_null(v) ||
		    v->len == 0 || strlen(v->scalar) != v->len) {
			report(l, v, sub, "expected %s, got %s",
			       kn->scalar[0] == 'a' ? "an address such as "
			       "10.0.0.2 or 10.0.0.3:5353" : "the name of a "
			       "key of keys:", describe(v, got, sizeof(got)));
			return 0;
		}
		if (kn->scalar[0] == 'a') {
			addr = v;
		} else {
			if (check_domain(v->scalar, why, sizeof(why)) < 0) {
				report(l, v, sub, "expected the name of a key "
				       "of keys:, got %s (%s)",
				       diag_quote(v->scalar, got, sizeof(got)),
				       why);
				return 0;
			}
			key = v;
		}
	}
	if (addr == NULL) {
		report(l, map, path, "expected an address: ADDRESS[:PORT] in "
		       "the mapping");
		return 0;
	}
	rc = add_notify(l->cfg, addr->scalar, key ? key->scalar : NULL, err,
			sizeof(err));
	if (rc == -1) {
		snprintf(sub, sizeof(sub), "%s.address", path);
		report(l, addr, sub, "%s", err);
	}
	return rc == -ENOMEM ? rc : 0;
}

/*
 * The position of the resources entry just added, so that a path that
 * cannot be read is reported at the line that listed it.
 */
static int
note_resource(struct config *cfg, const struct yamlx_node *v)
{
	struct config_pos *at = realloc(cfg->resources_at,
					cfg->nresources * sizeof(*at));

	if (at == NULL)
		return -ENOMEM;
	cfg->resources_at = at;
	at[cfg->nresources - 1].line = v->line;
	at[cfg->nresources - 1].column = v->column;
	return 0;
}

/* One value (a scalar) of @k: parse, store, or report. */
static int
load_one(struct loader *l, const struct key *k, const struct yamlx_node *v,
	 const char *path)
{
	char err[512], exp[128], got[128];
	int rc;

	if (v->type == YAMLX_MAP && k->off == OFF(notify))
		return load_notify_map(l, v, path);
	if (v->type == YAMLX_MAP && k->off == OFF(ns))
		return load_ns_map(l, k, v, path);
	if (v->type != YAMLX_SCALAR || yamlx_is_null(v)) {
		report(l, v, path, "expected %s, got %s",
		       expected(k, exp, sizeof(exp)),
		       describe(v, got, sizeof(got)));
		return 0;
	}
	if (strlen(v->scalar) != v->len) {
		report(l, v, path, "expected %s, got a string with a NUL "
		       "character", expected(k, exp, sizeof(exp)));
		return 0;
	}
	rc = k->type->parse(l->cfg, k, v->scalar, err, sizeof(err));
	if (rc == -1)
		report(l, v, path, "%s", err);
	if (rc == 0 && k->off == OFF(resources))
		return note_resource(l->cfg, v);
	return rc == -ENOMEM ? rc : 0;
}

static int
load_key(struct loader *l, const struct key *k, const struct yamlx_node *v,
	 const char *path)
{
	char item[300], exp[128], got[128];
	size_t i;
	int rc;

	if (k->off == OFF(ttl))
		l->ttl_node = v;
	else if (k->off == OFF(hold_seconds) && k->type != NULL)
		l->hold_node = v;
	if (k->sub == store_keys && v->type == YAMLX_SCALAR &&
	    !yamlx_is_null(v))
		return load_one(l, &store_keys[0], v, "store");
	if (k->sub == store_keys && v->type == YAMLX_SEQ) {
		report(l, v, path, "expected a connection string (libpq "
		       "key=value or postgres:// URI) or a mapping "
		       "(connection:, resync:), got %s",
		       describe(v, got, sizeof(got)));
		return 0;
	}
	if (k->type == NULL) {
		/* An empty section keeps its defaults. */
		if (yamlx_is_null(v))
			return 0;
		if (v->type != YAMLX_MAP) {
			report(l, v, path, "expected a mapping (a section "
			       "with keys), got %s",
			       describe(v, got, sizeof(got)));
			return 0;
		}
		return load_section(l, k->sub, v, path);
	}
	if (k->type->nullable && yamlx_is_null(v)) {
		k->type->clear(l->cfg, k);
		return 0;
	}
	if (k->type == &t_keys || k->type == &t_xfr_allow)
		return load_mappings(l, k, v, path);
	if (!k->type->list)
		return load_one(l, k, v, path);
	/* The file's list replaces the default one. */
	k->type->clear(l->cfg, k);
	if (v->type == YAMLX_MAP &&
	    (k->off == OFF(notify) || k->off == OFF(ns)))
		return load_one(l, k, v, path);
	if (v->type == YAMLX_MAP) {
		report(l, v, path, "expected %s, or a list of them, got %s",
		       k->type->expected, describe(v, got, sizeof(got)));
		return 0;
	}
	if (v->type == YAMLX_SCALAR)
		return load_one(l, k, v, path);
	if (v->n == 0 && k->nonempty) {
		report(l, v, path, "expected at least one value (%s), got an "
		       "empty list", expected(k, exp, sizeof(exp)));
		return 0;
	}
	for (i = 0; i < v->n; i++) {
		snprintf(item, sizeof(item), "%s[%zu]", path, i);
		rc = load_one(l, k, v->items[i], item);
		if (rc < 0)
			return rc;
	}
	return 0;
}

static int
load_section(struct loader *l, const struct key *keys,
	     const struct yamlx_node *map, const char *path)
{
	char sub[256];
	const struct key *k = NULL;
	const struct yamlx_node *key = NULL;
	size_t i;
	int rc;

	for (i = 0; i < map->n; i++) {
		key = map->pairs[i].key;
		for (k = keys; k->name != NULL; k++)
			if (strlen(k->name) == key->len &&
			    strcmp(k->name, key->scalar) == 0)
				break;
		if (k->name == NULL) {
			unknown_key(l, key, keys, path);
			continue;
		}
		snprintf(sub, sizeof(sub), "%s%s%s", path,
			 path[0] != '\0' ? "." : "", k->name);
		rc = load_key(l, k, map->pairs[i].value, sub);
		if (rc < 0)
			return rc;
	}
	return 0;
}

/*
 * The design holds a released VIP for at least the TTL: a client may
 * still have the old answer cached, and must not reach another service.
 */
static void
check_hold(struct loader *l)
{
	const struct yamlx_node *at = l->hold_node ? l->hold_node : l->ttl_node;

	if (l->cfg->hold_seconds >= l->cfg->ttl)
		return;
	diag_warning(l->errs, at ? at->file : l->cfg->file,
		     at ? at->line : 0, at ? at->column : 0,
		     "vip.hold: %u seconds is shorter than dns.ttl (%u "
		     "seconds); using %u so that no cached answer points at a "
		     "VIP given to another service", l->cfg->hold_seconds,
		     l->cfg->ttl, l->cfg->ttl);
	l->cfg->hold_seconds = l->cfg->ttl;
}

/* ---- keys and transfer.allow: lists of mappings */

/* The value of @key in the mapping @map, or NULL. */
static const struct yamlx_node *
map_get(const struct yamlx_node *map, const char *key)
{
	size_t i;

	for (i = 0; i < map->n; i++)
		if (strlen(key) == map->pairs[i].key->len &&
		    strcmp(map->pairs[i].key->scalar, key) == 0)
			return map->pairs[i].value;
	return NULL;
}

/*
 * Is every key of the mapping @map among @names (NULL-terminated)?
 * Reports the others.
 */
static int
map_known(struct loader *l, const struct yamlx_node *map,
	  const char *const *names, const char *path, const char *expected)
{
	char q[128];
	size_t i, j;
	int ok = 1;

	for (i = 0; i < map->n; i++) {
		const struct yamlx_node *key = map->pairs[i].key;

		for (j = 0; names[j] != NULL; j++)
			if (strlen(names[j]) == key->len &&
			    strcmp(names[j], key->scalar) == 0)
				break;
		if (names[j] == NULL) {
			report(l, key, path, "unknown key %s; expected %s",
			       diag_quote(key->scalar, q, sizeof(q)),
			       expected);
			ok = 0;
		}
	}
	return ok;
}

/* A scalar string of a mapping, or NULL with the error reported. */
static const char *
map_string(struct loader *l, const struct yamlx_node *map, const char *key,
	   const char *path, const char *expected)
{
	const struct yamlx_node *v = map_get(map, key);
	char got[128];

	if (v == NULL) {
		report(l, map, path, "%s is missing; expected %s", key,
		       expected);
		return NULL;
	}
	if (v->type != YAMLX_SCALAR || yamlx_is_null(v) ||
	    strlen(v->scalar) != v->len || v->len == 0) {
		report(l, v, path, "%s: expected %s, got %s", key, expected,
		       describe(v, got, sizeof(got)));
		return NULL;
	}
	return v->scalar;
}

/* @name, checked, lower case with a final dot, into *@out; 0 or -1/-ENOMEM. */
static int
key_name(struct loader *l, const struct yamlx_node *at, const char *name,
	 const char *path, char **out)
{
	char why[256], q[128];
	size_t n = strlen(name);

	if (check_domain(name, why, sizeof(why)) < 0) {
		report(l, at, path, "key name %s: %s",
		       diag_quote(name, q, sizeof(q)), why);
		return -1;
	}
	if ((*out = malloc(n + 2)) == NULL)
		return -ENOMEM;
	memcpy(*out, name, n + 1);
	if (n == 0 || name[n - 1] != '.')
		memcpy(*out + n, ".", 2);
	lower(*out);
	return 0;
}

/* One keys[] entry; 0 (reported or added) or -ENOMEM. */
static int
load_key_entry(struct loader *l, const struct yamlx_node *v,
	       const char *path)
{
	static const char *const names[] = {
		"name", "algorithm", "secret", "secret-file", NULL,
	};
	static const char exp[] = "{name:, algorithm:, secret: or "
		"secret-file:}";
	struct config *cfg = l->cfg;
	struct config_key k;
	struct config_key *grown = NULL;
	const struct yamlx_node *sv = NULL;
	const uint8_t *w = NULL;
	const char *name = NULL, *alg = NULL, *secret = NULL, *file = NULL;
	char *text = NULL;
	uint8_t buf[TSIG_SECRET_MAX];
	char got[128], q[128];
	size_t wl = 0, len = 0, i;
	int n, rc = 0;

	memset(&k, 0, sizeof(k));
	if (v->type != YAMLX_MAP) {
		report(l, v, path, "expected %s, got %s", exp,
		       describe(v, got, sizeof(got)));
		return 0;
	}
	if (!map_known(l, v, names, path, "name, algorithm, secret or "
		       "secret-file") ||
	    (name = map_string(l, v, "name", path, "a domain name")) == NULL ||
	    (alg = map_string(l, v, "algorithm", path, "hmac-sha256, "
			      "hmac-sha512, hmac-sha384, hmac-sha224 or "
			      "hmac-sha1")) == NULL)
		return 0;
	if (tsig_algorithm(alg, &w, &wl) < 0) {
		report(l, map_get(v, "algorithm"), path, "algorithm: %s is "
		       "not supported; expected hmac-sha256, hmac-sha512, "
		       "hmac-sha384, hmac-sha224 or hmac-sha1",
		       diag_quote(alg, q, sizeof(q)));
		return 0;
	}
	if ((map_get(v, "secret") != NULL) == (map_get(v, "secret-file") !=
					       NULL)) {
		report(l, v, path, "expected either secret: (base64) or "
		       "secret-file: (a file holding it), not %s",
		       map_get(v, "secret") != NULL ? "both" : "neither");
		return 0;
	}
	if (map_get(v, "secret") != NULL) {
		sv = map_get(v, "secret");
		if ((secret = map_string(l, v, "secret", path,
					 "a base64 secret")) == NULL)
			return 0;
	} else {
		sv = map_get(v, "secret-file");
		if ((file = map_string(l, v, "secret-file", path,
				       "a file name")) == NULL)
			return 0;
		if ((n = file_read(file, &text, &len)) != 0) {
			report(l, sv, path, "secret-file: cannot read %s: %s",
			       diag_quote(file, q, sizeof(q)), strerror(n));
			return 0;
		}
		/* One line of base64; the newline and blanks around go. */
		while (len > 0 && strchr(" \t\r\n", text[len - 1]) != NULL)
			text[--len] = '\0';
		secret = text + strspn(text, " \t\r\n");
	}
	if ((n = tsig_secret_decode(secret, buf, sizeof(buf))) < 0) {
		report(l, sv, path, "%s: expected a base64 secret of 1 to %d "
		       "bytes%s", file != NULL ? "secret-file" : "secret",
		       TSIG_SECRET_MAX, file != NULL ? " in the file" : "");
		goto out;
	}
	rc = key_name(l, map_get(v, "name"), name, path, &k.name);
	if (rc < 0) {
		rc = rc == -1 ? 0 : rc;
		goto out;
	}
	for (i = 0; i < cfg->nkeys; i++)
		if (strcmp(cfg->keys[i].name, k.name) == 0) {
			report(l, map_get(v, "name"), path, "key %s is "
			       "declared twice", diag_quote(name, q,
							    sizeof(q)));
			goto out;
		}
	rc = -ENOMEM;
	if ((k.algorithm = strdup(alg)) == NULL ||
	    (k.secret = malloc((size_t)n)) == NULL)
		goto out;
	lower(k.algorithm);
	if (k.algorithm[strlen(k.algorithm) - 1] == '.')
		k.algorithm[strlen(k.algorithm) - 1] = '\0';
	memcpy(k.secret, buf, (size_t)n);
	k.secret_len = (size_t)n;
	if ((grown = realloc(cfg->keys, (cfg->nkeys + 1) *
			     sizeof(*grown))) == NULL)
		goto out;
	cfg->keys = grown;
	cfg->keys[cfg->nkeys++] = k;
	memset(&k, 0, sizeof(k));
	rc = 0;
out:
	memset(buf, 0, sizeof(buf));
	if (text != NULL)
		memset(text, 0, len);
	free(text);
	free(k.name);
	free(k.algorithm);
	free(k.secret);
	return rc;
}

/* A list (or one mapping) of @v, each item loaded by @one. */
static int
load_items(struct loader *l, const struct yamlx_node *v, const char *path,
	   int (*one)(struct loader *, const struct yamlx_node *,
		      const char *))
{
	char item[300];
	size_t i;
	int rc;

	if (v->type != YAMLX_SEQ)
		return one(l, v, path);
	for (i = 0; i < v->n; i++) {
		snprintf(item, sizeof(item), "%s[%zu]", path, i);
		if ((rc = one(l, v->items[i], item)) < 0)
			return rc;
	}
	return 0;
}

/* One transfer.allow entry; 0 (reported or added) or -ENOMEM. */
static int
load_allow_entry(struct loader *l, const struct yamlx_node *v,
		 const char *path)
{
	static const char *const names[] = { "address", "key", NULL };
	struct config *cfg = l->cfg;
	struct config_xfr_allow a;
	struct config_xfr_allow *grown = NULL;
	struct netaddr_cidr c;
	const struct yamlx_node *at = v;
	const char *cidr = NULL, *key = NULL;
	char got[128], err[256];
	int rc = -ENOMEM;

	memset(&a, 0, sizeof(a));
	if (v->type == YAMLX_SCALAR && !yamlx_is_null(v) &&
	    strlen(v->scalar) == v->len) {
		cidr = v->scalar;
	} else if (v->type == YAMLX_MAP) {
		if (!map_known(l, v, names, path, "address or key") ||
		    (cidr = map_string(l, v, "address", path,
				       "a CIDR such as 127.0.0.0/8")) == NULL)
			return 0;
		at = map_get(v, "address");
		if (map_get(v, "key") != NULL &&
		    (key = map_string(l, v, "key", path, "the name of a key "
				      "in keys:")) == NULL)
			return 0;
	} else {
		report(l, v, path, "expected %s, got %s",
		       t_xfr_allow.expected, describe(v, got, sizeof(got)));
		return 0;
	}
	if (netaddr_cidr_parse(&c, cidr, err, sizeof(err)) < 0) {
		report(l, at, path, "%s", err);
		return 0;
	}
	if ((a.cidr = strdup(cidr)) == NULL)
		goto out;
	if (key != NULL) {
		rc = key_name(l, map_get(v, "key"), key, path, &a.key);
		if (rc < 0) {
			rc = rc == -1 ? 0 : rc;
			goto out;
		}
		rc = -ENOMEM;
	}
	if ((grown = realloc(cfg->xfr_allow, (cfg->nxfr_allow + 1) *
			     sizeof(*grown))) == NULL)
		goto out;
	cfg->xfr_allow = grown;
	cfg->xfr_allow[cfg->nxfr_allow++] = a;
	memset(&a, 0, sizeof(a));
	rc = 0;
out:
	free(a.cidr);
	free(a.key);
	return rc;
}

/* keys: or transfer.allow: */
static int
load_mappings(struct loader *l, const struct key *k,
	      const struct yamlx_node *v, const char *path)
{
	return load_items(l, v, path, k->type == &t_keys ? load_key_entry :
			  load_allow_entry);
}

/* Every key transfer.allow and transfer.notify name is declared in keys:. */
static void
check_xfr_keys(struct loader *l, const struct yamlx_node *root)
{
	const struct yamlx_node *t = root != NULL &&
		root->type == YAMLX_MAP ? map_get(root, "transfer") : NULL;
	const struct yamlx_node *at = t != NULL && t->type == YAMLX_MAP ?
		map_get(t, "allow") : NULL;
	struct config *cfg = l->cfg;
	char q[128];
	size_t i, j;

	for (i = 0; i < cfg->nxfr_allow; i++) {
		if (cfg->xfr_allow[i].key == NULL)
			continue;
		for (j = 0; j < cfg->nkeys; j++)
			if (strcmp(cfg->keys[j].name,
				   cfg->xfr_allow[i].key) == 0)
				break;
		if (j == cfg->nkeys)
			report(l, at, "transfer.allow", "key %s is not "
			       "declared in keys:", diag_quote(
			       cfg->xfr_allow[i].key, q, sizeof(q)));
	}	at = t != NULL && t->type == YAMLX_MAP ? map_get(t, "notify") : NULL;
	for (i = 0; i < cfg->nnotify; i++) {
		if (cfg->notify[i].key == NULL)
			continue;
		for (j = 0; j < cfg->nkeys; j++)
			if (strcmp(cfg->keys[j].name, cfg->notify[i].key) == 0)
				break;
		if (j == cfg->nkeys)
			report(l, at, "transfer.notify", "key %s is not "
			       "declared in keys:", diag_quote(
			       cfg->notify[i].key, q, sizeof(q)));
	}
}

static int
load_stream(struct config **out, struct yamlx_stream *s, const char *name,
	    struct diag_list *errs)
{
	struct loader l;
	struct config *cfg = NULL;
	const struct yamlx_node *root = NULL;
	size_t errors = errs->errors;
	char got[128];
	int line, column;
	int rc = -ENOMEM;

	memset(&l, 0, sizeof(l));
	cfg = config_new_default();
	if (cfg == NULL)
		goto out;
	if (config_set_string(&cfg->file, name) < 0)
		goto out;
	l.cfg = cfg;
	l.errs = errs;
	root = s->ndocs > 0 ? s->docs[0] : NULL;
	if (root != NULL && !yamlx_is_null(root)) {
		if (root->type != YAMLX_MAP)
			report(&l, root, NULL, "expected a mapping of settings "
			       "(listen:, zone:, dns: ...), got %s",
			       describe(root, got, sizeof(got)));
		else if ((rc = load_section(&l, top_keys, root, "")) < 0)
			goto out;
	}
	if (s->ndocs > 1) {
		yamlx_doc_position(s, 1, &line, &column);
		diag_error(errs, s->file, line, column, "a second document; "
			   "expected the whole configuration in one document");
	}
	if (errs->errors == errors)
		check_hold(&l);
	if (errs->errors == errors)
		check_xfr_keys(&l, root);
	rc = errs->errors == errors ? 0 : -1;
out:
	if (rc == 0)
		*out = cfg;
	else
		config_free(cfg);
	return rc;
}

int
config_load_string(struct config **out, const char *name, const char *text,
		   struct diag_list *errs)
{
	struct yamlx_stream *s = NULL;
	int rc;

	*out = NULL;
	rc = yamlx_load_string(&s, name, text, strlen(text), errs);
	if (rc == 0)
		rc = load_stream(out, s, name, errs);
	yamlx_stream_free(s);
	return rc;
}

int
config_load_file(struct config **out, const char *path,
		 struct diag_list *errs)
{
	struct yamlx_stream *s = NULL;
	int rc;

	*out = NULL;
	rc = yamlx_load_file(&s, path, errs);
	if (rc == 0)
		rc = load_stream(out, s, path, errs);
	if (rc == 0 && *out != NULL)
		(*out)->digest = s->digest;
	yamlx_stream_free(s);
	return rc;
}

void
config_free(struct config *cfg)
{
	size_t i;

	if (cfg == NULL)
		return;
	free(cfg->file);
	for (i = 0; i < cfg->nlisten; i++)
		free(cfg->listen[i].text);
	free(cfg->listen);
	for (i = 0; i < cfg->nhttp_listen; i++)
		free(cfg->http_listen[i].text);
	free(cfg->http_listen);
	free(cfg->zone);
	free(cfg->views_default_mesh);
	free(cfg->user);
	free(cfg->group);
	free(cfg->store);
	free_strings(cfg->resources, cfg->nresources);
	free(cfg->resources_at);
	free(cfg->state_file);
	free_strings(cfg->dns_zones, cfg->ndns_zones);
	free_strings(cfg->ns, cfg->nns);
	for (i = 0; i < cfg->nglue; i++) {
		free(cfg->glue[i].name);
		free(cfg->glue[i].address);
	}
	free(cfg->glue);
	free(cfg->soa.mname);
	free(cfg->soa.rname);
	for (i = 0; i < CONFIG_POOL_COUNT; i++) {
		free(cfg->pools[i]);
		free(cfg->pools6[i]);
	}
	free(cfg->chaos_version);
	free(cfg->chaos_id);
	free(cfg->chaos_hostname);
	free(cfg->dnstap_socket);
	free(cfg->dnstap_identity);
	free(cfg->dnstap_version);
	free_strings(cfg->search_suffixes, cfg->nsearch_suffixes);
	free_strings(cfg->upstreams, cfg->nupstreams);
	free_strings(cfg->forward_allow, cfg->nforward_allow);
	for (i = 0; i < cfg->nnotify; i++) {
		free(cfg->notify[i].text);
		free(cfg->notify[i].key);
	}
	free(cfg->notify);
	free(cfg->transfer_catalog);
	for (i = 0; i < cfg->nkeys; i++) {
		free(cfg->keys[i].name);
		free(cfg->keys[i].algorithm);
		if (cfg->keys[i].secret != NULL)
			memset(cfg->keys[i].secret, 0,
			       cfg->keys[i].secret_len);
		free(cfg->keys[i].secret);
	}
	free(cfg->keys);
	for (i = 0; i < cfg->nxfr_allow; i++) {
		free(cfg->xfr_allow[i].cidr);
		free(cfg->xfr_allow[i].key);
	}
	free(cfg->xfr_allow);
	free(cfg);
}

/* ---- listen addresses */

int
config_parse_listen(struct config_listen *out, const char *text, char *err,
		    size_t errsize)
{
	return config_parse_address(out, text, CONFIG_DEFAULT_PORT, err,
				    errsize);
}

const char *
config_upstream_file(const char *upstream)
{
	if (strcmp(upstream, "resolv.conf") == 0)
		return CONFIG_RESOLV_CONF;
	return strchr(upstream, '/') != NULL ? upstream : NULL;
}

int
config_parse_address(struct config_listen *out, const char *text,
		     unsigned default_port, char *err, size_t errsize)
{
	struct netaddr_port a;
	char canon[NETADDR_PORT_STRLEN];

	memset(out, 0, sizeof(*out));
	if (netaddr_port_parse(&a, text, default_port, NETADDR_PORT_SCOPE,
			       err, errsize) < 0)
		return -1;
	out->addr = a.addr;
	out->addrlen = a.addrlen;
	out->text = strdup(netaddr_port_format(&a, canon, sizeof(canon)));
	if (out->text == NULL) {
		diag_printf(err, errsize, "out of memory");
		return -ENOMEM;
	}
	return 0;
}

/* ---- overrides */

int
config_set_listen(struct config *cfg, const struct config_listen *v,
		  size_t n)
{
	struct config_listen *nv = NULL;
	size_t i;

	if (n > 0) {
		nv = calloc(n, sizeof(*nv));
		if (nv == NULL)
			return -ENOMEM;
	}
	for (i = 0; i < n; i++) {
		nv[i] = v[i];
		nv[i].text = strdup(v[i].text);
		if (nv[i].text == NULL) {
			while (i-- > 0)
				free(nv[i].text);
			free(nv);
			return -ENOMEM;
		}
	}
	for (i = 0; i < cfg->nlisten; i++)
		free(cfg->listen[i].text);
	free(cfg->listen);
	cfg->listen = nv;
	cfg->nlisten = n;
	return 0;
}

int
config_set_listen_text(struct config *cfg, char *const *v, size_t n,
		       char *err, size_t errsize)
{
	struct config_listen *l = NULL;
	size_t nl = 0;
	int rc = -ENOMEM;

	if (n > 0 && (l = calloc(n, sizeof(*l))) == NULL)
		goto out;
	for (nl = 0; nl < n; nl++)
		if ((rc = config_parse_listen(&l[nl], v[nl], err, errsize)) < 0)
			goto out;
	rc = config_set_listen(cfg, l, n);
out:
	while (nl-- > 0)
		free(l[nl].text);
	free(l);
	return rc;
}

int
config_set_strings(char ***list, size_t *n, char *const *v, size_t nv)
{
	char **copy = NULL;
	size_t i;

	if (nv > 0) {
		copy = calloc(nv, sizeof(*copy));
		if (copy == NULL)
			return -ENOMEM;
	}
	for (i = 0; i < nv; i++) {
		copy[i] = strdup(v[i]);
		if (copy[i] == NULL) {
			free_strings(copy, i);
			return -ENOMEM;
		}
	}
	free_strings(*list, *n);
	*list = copy;
	*n = nv;
	return 0;
}

int
config_set_string(char **field, const char *value)
{
	char *copy = NULL;

	if (value != NULL && (copy = strdup(value)) == NULL)
		return -ENOMEM;
	free(*field);
	*field = copy;
	return 0;
}
