/* SPDX-License-Identifier: MIT */
/*
 * config.h -- meshdns.yaml: the configuration file.
 *
 * Table-driven schema (see config.c for every key with its type and
 * default).  Unknown keys, wrong types, bad CIDRs and bad addresses are
 * errors naming file:line:column and what was expected; every error is
 * reported, not only the first.
 *
 * Ownership: a struct config owns all its strings and arrays; free it with
 * config_free().
 */
#ifndef MESHDNS_CONFIG_H
#define MESHDNS_CONFIG_H

#include <stdint.h>
#include <sys/socket.h>

#include "util/diag.h"
#include "kuma/generate.h"
#include "kuma/resource.h"
#include "util/log.h"

#define CONFIG_DEFAULT_PORT 15053
#define CONFIG_DEFAULT_HTTP_PORT 9153	/* http.listen without a port */

/*
 * Defaults of the keys whose users (server.h, forward.h) also fall back to
 * them when given 0: the one place each is written.  Plain integers, as
 * config.c's schema makes its default text from them.
 */
#define CONFIG_DEFAULT_TCP_IDLE 10		/* tcp.idle-timeout, seconds */
#define CONFIG_DEFAULT_TCP_MAX 512		/* tcp.max-connections */
#define CONFIG_DEFAULT_FORWARD_TIMEOUT_MS 2000	/* forward.timeout, per
						 * attempt */
#define CONFIG_DEFAULT_FORWARD_MAX_INFLIGHT 1000	/* forward.max-in-flight,
							 * all workers */

struct config_listen {
	char *text;			/* canonical, with the port:
					 * "127.0.0.1:15053", "[::1]:15053" */
	struct sockaddr_storage addr;
	socklen_t addrlen;
};

/* Pools, indexed by enum config_pool_kind. */
enum config_pool_kind {
	CONFIG_POOL_MESH_SERVICE = 0,		/* 241.0.0.0/8 */
	CONFIG_POOL_MESH_EXTERNAL_SERVICE,	/* 242.0.0.0/8 */
	CONFIG_POOL_MESH_MULTI_ZONE_SERVICE,	/* 243.0.0.0/8 */
	CONFIG_POOL_LEGACY,			/* 240.0.0.0/4: <service>.mesh */
	CONFIG_POOL_COUNT
};

/* dns.aaaa: what AAAA queries of an IPv4 service get. */
enum config_aaaa {
	CONFIG_AAAA_NODATA = 0,	/* NODATA (correct for IPv4-only) */
	CONFIG_AAAA_MAPPED,	/* ::ffff:<IPv4 VIP>, as Kuma */
	CONFIG_AAAA_POOL,	/* a real IPv6 VIP from vip.pools.*6 */
};

struct config_soa {
	char *mname;		/* primary name server, absolute or relative */
	char *rname;		/* mailbox as a domain name */
	uint32_t refresh, retry, expire;
	uint32_t minimum;	/* negative-caching TTL (RFC 2308) */
};

/*
 * transfer.notify: a secondary that gets a NOTIFY (RFC 1996) whenever a
 * zone's serial changes.
 */
struct config_notify {
	char *text;			/* canonical, with the port:
					 * "127.0.0.1:53" */
	struct sockaddr_storage addr;
	socklen_t addrlen;
	char *key;			/* keys: name signing the NOTIFY, or
					 * NULL (unsigned) */
};

/*
 * dns.ns written as {name: ns1.mesh.local, address: [10.0.0.2, ...]}:
 * one address of an NS name, served as its A or AAAA record when the name
 * is inside a served zone (the secondaries' addresses, for resolvers that
 * follow the NS set into the zone).
 */
struct config_glue {
	char *name;			/* as written in ns */
	char *address;			/* canonical numeric text */
	int family;			/* AF_INET or AF_INET6 */
	uint8_t addr[16];
};

/* keys: a TSIG key (RFC 8945), for transfers and NOTIFY. */
struct config_key {
	char *name;		/* lower case, with the final dot */
	char *algorithm;	/* "hmac-sha256" ... (dns/tsig.h) */
	uint8_t *secret;	/* decoded from base64 */
	size_t secret_len;
};

/* transfer.allow: who may transfer the zones. */
struct config_xfr_allow {
	char *cidr;		/* "127.0.0.0/8", validated */
	char *key;		/* a keys[] name (lower case, final dot) the
				   transfer must be signed with, or NULL */
};

/* A position in the config file (config->file). */
struct config_pos {
	int line;			/* 1-based */
	int column;			/* 1-based */
};

struct config {
	char *file;			/* the file read, or NULL (defaults) */

	struct config_listen *listen;	/* default 127.0.0.1:15053 */
	size_t nlisten;

	char *zone;			/* Kuma zone of this server: "default" */
	char **resources;		/* files or directories; default none */
	size_t nresources;
	struct config_pos *resources_at;	/* where the file wrote each of
					 * resources, or NULL (defaults, or
					 * the command line's -r) */
	char *state_file;		/* default NULL: no persistence (warned) */
	int start_cache;		/* true: <state_file>.cache (cache.h) */
	int watch;			/* true: the daemon watches the
					 * resource paths and applies a change
					 * without SIGHUP (daemon/watch.h) */
	uint64_t digest;		/* of the file's bytes (digest.h), 0
					 * for defaults only */

	char **dns_zones;		/* "mesh.local", "mesh" (no final dot) */
	size_t ndns_zones;
	uint32_t ttl;			/* 30 */
	char **ns;			/* NS names, as written (1 to 64);
					 * default "localhost." */
	size_t nns;
	struct config_glue *glue;	/* addresses of NS names written as
					 * {name:, address:}: none */
	size_t nglue;
	struct config_soa soa;

	enum config_aaaa aaaa;		/* nodata */
	int srv;			/* SRV records: true */
	int ptr;			/* reverse zones for the pools: true */
	char *chaos_version;		/* "" hides; "meshdns <version>" */
	char *chaos_id;			/* "" (hidden) */
	char *chaos_hostname;		/* "" (hidden) */
	char **search_suffixes;		/* e.g. svc.cluster.local; none */
	size_t nsearch_suffixes;

	char *pools[CONFIG_POOL_COUNT];	/* CIDR text, validated */
	char *pools6[CONFIG_POOL_COUNT];	/* IPv6 CIDRs, or NULL */
	uint32_t hold_seconds;		/* 3600; never below ttl */

	enum log_level log_level;	/* info */

	char **upstreams;		/* "ADDR:PORT" texts, "resolv.conf" or
					 * the path of a resolv.conf-format
					 * file (config_upstream_file());
					 * none: no forwarding (REFUSED) */
	size_t nupstreams;
	uint32_t forward_timeout_ms;	/* CONFIG_DEFAULT_FORWARD_TIMEOUT_MS */
	uint32_t forward_max_inflight;	/* CONFIG_DEFAULT_FORWARD_MAX_INFLIGHT */
	char **forward_allow;		/* CIDRs allowed to use forwarding */
	size_t nforward_allow;

	uint32_t workers;		/* worker threads; 0: one per core */
	uint32_t tcp_idle_ms;		/* CONFIG_DEFAULT_TCP_IDLE seconds;
					 * 0: the same */
	uint32_t tcp_max;		/* connections: CONFIG_DEFAULT_TCP_MAX */

	char *user;			/* run as this user once the sockets
					 * are bound (a name or a number);
					 * NULL: stay who started meshdns */
	char *group;			/* and this group; NULL: the user's
					 * own (its passwd entry's) */

	char *dnstap_socket;		/* Frame Streams unix socket; NULL:
					 * no dnstap */
	char *dnstap_identity;		/* NULL: the host name; "": none */
	char *dnstap_version;		/* "meshdns <version>"; "": none */

	enum generate_environment kuma_environment;	/* universal */
	enum generate_defaults kuma_defaults;		/* all */
	int kuma_workload;		/* 0 kuma.io/service tags, 1 workload */
	enum resource_mesh_mode kuma_default_mode;	/* Disabled */
	uint32_t kuma_deletion_grace;	/* seconds a generated MeshService
					 * outlives its last Dataplane (1h,
					 * KUMA_MESH_SERVICE_DELETION_GRACE_
					 * PERIOD); 0: deleted at once */

	char *store;			/* store.connection: a libpq conninfo
					 * or URI of Kuma's PostgreSQL store,
					 * or NULL (none) */
	uint32_t store_resync;		/* store.resync: seconds between full
					 * re-reads (5 min) */
	int vip_allocate;		/* vip.allocate: with a store, 1 allocates
					 * VIPs here, 0 (default) serves the
					 * ones Kuma's allocator recorded */

	int views_unknown_all;		/* clients that are no Dataplane:
					 * 1 see every name, 0 only the ones
					 * visible to everyone */
	char *views_default_mesh;	/* the mesh whose names clients that
					 * are no Dataplane resolve, when
					 * there are two meshes or more */

	struct config_notify *notify;	/* transfer.notify: none */
	size_t nnotify;
	char *transfer_catalog;		/* transfer.catalog: the catalog
					 * zone's name (RFC 9432, lower case,
					 * no final dot), or NULL: none */
	struct config_key *keys;	/* keys: TSIG keys; default none */
	size_t nkeys;
	struct config_xfr_allow *xfr_allow;	/* transfer.allow; default
					 * none: nobody may transfer */
	size_t nxfr_allow;
	uint32_t xfr_journal_count;	/* transfer.journal.max-count: 20
					 * differences per zone */
	uint32_t xfr_journal_bytes;	/* transfer.journal.max-size: 1 MiB
					 * of RRs per zone */
	struct config_listen *http_listen;	/* the HTTP endpoint
					 * (daemon/http.h); none by default:
					 * off.  Port default 9153 */
	size_t nhttp_listen;
};

/* The defaults, with no file.  NULL on ENOMEM. */
struct config *config_new_default(void);

/*
 * Read the file at @path over the defaults.  Returns 0 with *out set, or -1
 * with every problem in @errs and *out NULL (-ENOMEM on allocation failure).
 * Warnings (a hold shorter than the TTL, raised to it) may be added to @errs
 * on success.  An unreadable file is an error.
 */
int config_load_file(struct config **out, const char *path,
		     struct diag_list *errs);

/* Same, from memory; @name stands for the file name in positions. */
int config_load_string(struct config **out, const char *name,
		       const char *text, struct diag_list *errs);

void config_free(struct config *cfg);

/*
 * Parse "ADDR", "ADDR:PORT", "[V6]", "[V6]:PORT" or a bare "V6" (port
 * default 15053, 1 to 65535; numeric addresses only; an IPv6 scope, as
 * in "[fe80::1%eth0]:53", names an interface of this host) into
 * @out with netaddr_port_parse(); out->text is the canonical form
 * (netaddr_port_format()), malloc'ed, the caller frees it.  Returns 0, or
 * -1 with netaddr_port_parse()'s message in @err ("expected
 * ADDRESS[:PORT] or [IPV6]:PORT, got ..."), -ENOMEM; out->text is NULL on
 * failure.
 */
int config_parse_listen(struct config_listen *out, const char *text,
			char *err, size_t errsize);

/*
 * The resolv.conf-format file whose nameservers an upstream entry stands
 * for: CONFIG_RESOLV_CONF for the word "resolv.conf", the entry itself
 * when it is a path (it has a '/': "/etc/resolv.conf", what CoreDNS users
 * write, or "./resolv.conf"); NULL for an address.
 */
#define CONFIG_RESOLV_CONF "/etc/resolv.conf"
const char *config_upstream_file(const char *upstream);

/* Same, with another default port (53 for upstreams). */
int config_parse_address(struct config_listen *out, const char *text,
			 unsigned default_port, char *err, size_t errsize);

/*
 * Replace one list with a single-element or multi-element list (command
 * line overrides); the values are copied, the old ones freed.  On -ENOMEM
 * the old list is kept.  config_set_string() with NULL sets NULL.  Return 0
 * or -ENOMEM.
 */
int config_set_listen(struct config *cfg, const struct config_listen *v,
		      size_t n);

/*
 * config_set_listen() from @n texts that config_parse_listen() reads (the
 * -l of the command line).  Returns 0, or -1 with its message in @err
 * (the list is unchanged then), -ENOMEM.
 */
int config_set_listen_text(struct config *cfg, char *const *v, size_t n,
			   char *err, size_t errsize);
int config_set_strings(char ***list, size_t *n, char *const *v, size_t nv);

/*
 * The full name of the @i-th key the file may set ("listen",
 * "dns.soa.mname", ...; sections are not keys), in schema order: 0, or
 * -1 past the last.  For tests that hold the documentation to the schema.
 */
int config_key_name(size_t i, char *buf, size_t size);
int config_set_string(char **field, const char *value);

#endif
