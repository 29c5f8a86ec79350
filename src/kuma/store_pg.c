/* SPDX-License-Identifier: MIT */
/*
 * store_pg.c -- Kuma's PostgreSQL store as a source (store.h).
 *
 * Facts in reference/kuma-sources.md: the `resources` table (section
 * 1.2), schema_migrations (golang-migrate's, version 1710856785 for Kuma
 * 2.7 to 3.0), and the notify_event trigger on channel resource_events
 * (3.1), whose payload names the row but carries none of it.
 *
 * Blocking libpq: whoever calls it runs on a thread of its own.  The
 * session is read only (SET SESSION CHARACTERISTICS ... READ ONLY):
 * meshdns never writes to Kuma's database, even with a role that could.
 */
#include "autoconfig.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libpq-fe.h>

#include "kuma/store.h"
#include "util/dl.h"

/*
 * libpq, loaded by the first pg_open() (util/dl.h): a meshdns without
 * store: maps neither it nor what it pulls in (krb5, gssapi, ldap, sasl).
 */
static struct {
	__typeof__(PQclear) *clear;
	__typeof__(PQconnectdbParams) *connectdbParams;
	__typeof__(PQconsumeInput) *consumeInput;
	__typeof__(PQerrorMessage) *errorMessage;
	__typeof__(PQexec) *exec;
	__typeof__(PQexecParams) *execParams;
	__typeof__(PQfinish) *finish;
	__typeof__(PQfreemem) *freemem;
	__typeof__(PQgetisnull) *getisnull;
	__typeof__(PQgetResult) *getResult;
	__typeof__(PQgetlength) *getlength;
	__typeof__(PQgetvalue) *getvalue;
	__typeof__(PQnotifies) *notifies;
	__typeof__(PQntuples) *ntuples;
	__typeof__(PQresultErrorField) *resultErrorField;
	__typeof__(PQresultErrorMessage) *resultErrorMessage;
	__typeof__(PQresultStatus) *resultStatus;
	__typeof__(PQsendQueryParams) *sendQueryParams;
	__typeof__(PQsetSingleRowMode) *setSingleRowMode;
	__typeof__(PQsocket) *socket;
	__typeof__(PQstatus) *status;
} pq;

static void
pq_resolve(struct dl_lib *lib)
{
	pq.clear = dl_sym(lib, "PQclear");
	pq.connectdbParams = dl_sym(lib, "PQconnectdbParams");
	pq.consumeInput = dl_sym(lib, "PQconsumeInput");
	pq.errorMessage = dl_sym(lib, "PQerrorMessage");
	pq.exec = dl_sym(lib, "PQexec");
	pq.execParams = dl_sym(lib, "PQexecParams");
	pq.finish = dl_sym(lib, "PQfinish");
	pq.freemem = dl_sym(lib, "PQfreemem");
	pq.getisnull = dl_sym(lib, "PQgetisnull");
	pq.getResult = dl_sym(lib, "PQgetResult");
	pq.getlength = dl_sym(lib, "PQgetlength");
	pq.getvalue = dl_sym(lib, "PQgetvalue");
	pq.notifies = dl_sym(lib, "PQnotifies");
	pq.ntuples = dl_sym(lib, "PQntuples");
	pq.resultErrorField = dl_sym(lib, "PQresultErrorField");
	pq.resultErrorMessage = dl_sym(lib, "PQresultErrorMessage");
	pq.resultStatus = dl_sym(lib, "PQresultStatus");
	pq.sendQueryParams = dl_sym(lib, "PQsendQueryParams");
	pq.setSingleRowMode = dl_sym(lib, "PQsetSingleRowMode");
	pq.socket = dl_sym(lib, "PQsocket");
	pq.status = dl_sym(lib, "PQstatus");
}

static struct dl_lib pq_lib = {
	PQ_SONAME, PQ_PACKAGE, "store", pq_resolve,
	PTHREAD_MUTEX_INITIALIZER, NULL, NULL, 0
};

struct store_pg {
	PGconn *conn;
};

/* The first line of libpq's message, without the final newline. */
static const char *
pg_message(const char *m, char *buf, size_t size)
{
	size_t n = strcspn(m, "\n");

	if (n >= size)
		n = size - 1;
	memcpy(buf, m, n);
	buf[n] = '\0';
	if (n >= 7 && strncmp(buf, "ERROR:  ", 8) == 0)
		memmove(buf, buf + 8, n - 8 + 1);
	return buf;
}

static const char *
conn_message(PGconn *c, char *buf, size_t size)
{
	return pg_message(pq.errorMessage(c), buf, size);
}

static const char *
result_message(PGresult *r, char *buf, size_t size)
{
	const char *m = pq.resultErrorField(r, PG_DIAG_MESSAGE_PRIMARY);

	if (m == NULL)
		m = pq.resultErrorMessage(r);
	return pg_message(m, buf, size);
}

/* -EIO when the connection is gone, else -1. */
static int
failure(PGconn *c)
{
	return pq.status(c) == CONNECTION_OK ? -1 : -EIO;
}

static int
check_schema(PGconn *c, char *err, size_t errsize)
{
	PGresult *r = NULL;
	char msg[256];
	const char *sqlstate = NULL;
	long long version;
	int rc = -1;

	r = pq.exec(c, "SELECT version, dirty FROM schema_migrations");
	if (pq.resultStatus(r) != PGRES_TUPLES_OK) {
		sqlstate = pq.resultErrorField(r, PG_DIAG_SQLSTATE);
		if (sqlstate != NULL && strcmp(sqlstate, "42P01") == 0)
			diag_printf(err, errsize, "the store has no table "
				    "schema_migrations: not a database that "
				    "\"kuma-cp migrate up\" made (expected "
				    "schema version %lld)",
				    STORE_PG_SCHEMA_VERSION);
		else
			diag_printf(err, errsize, "cannot read the store's "
				    "schema version: %s",
				    result_message(r, msg, sizeof(msg)));
		rc = failure(c);
		goto out;
	}
	if (pq.ntuples(r) != 1) {
		diag_printf(err, errsize, "the store's schema_migrations has "
			    "%d rows, expected one (schema version %lld)",
			    pq.ntuples(r), STORE_PG_SCHEMA_VERSION);
		goto out;
	}
	version = strtoll(pq.getvalue(r, 0, 0), NULL, 10);
	if (version != STORE_PG_SCHEMA_VERSION) {
		diag_printf(err, errsize, "the store's schema is version %lld, "
			    "meshdns reads version %lld (Kuma 2.7 to 3.0)%s",
			    version, STORE_PG_SCHEMA_VERSION,
			    version < STORE_PG_SCHEMA_VERSION ?
			    ": run \"kuma-cp migrate up\"" : "");
		goto out;
	}
	if (strcmp(pq.getvalue(r, 0, 1), "t") == 0) {
		diag_printf(err, errsize, "the store's schema version %lld is "
			    "dirty (a migration failed half-way)", version);
		goto out;
	}
	pq.clear(r);
	r = pq.exec(c, "SELECT name, mesh, type, version, spec, labels, "
		    "status FROM resources LIMIT 0");
	if (pq.resultStatus(r) != PGRES_TUPLES_OK) {
		diag_printf(err, errsize, "cannot read the store's table "
			    "resources: %s",
			    result_message(r, msg, sizeof(msg)));
		rc = failure(c);
		goto out;
	}
	rc = 0;
out:
	pq.clear(r);
	return rc;
}

static int
pg_open(void **out, const char *where, char *err, size_t errsize)
{
	/* The connection string's own values win over these defaults. */
	const char *const keys[] = {
		"connect_timeout", "fallback_application_name", "dbname", NULL
	};
	const char *const values[] = { "10", "meshdns", where, NULL };
	struct store_pg *pg = NULL;
	PGresult *r = NULL;
	char msg[512];
	int rc = -ENOMEM;

	*out = NULL;
	if (dl_load(&pq_lib, err, errsize) < 0)
		return -1;
	if ((pg = calloc(1, sizeof(*pg))) == NULL) {
		diag_printf(err, errsize, "out of memory");
		goto fail;
	}
	pg->conn = pq.connectdbParams(keys, values, 1);
	if (pg->conn == NULL) {
		diag_printf(err, errsize, "out of memory");
		goto fail;
	}
	if (pq.status(pg->conn) != CONNECTION_OK) {
		diag_printf(err, errsize, "cannot connect to the store: %s",
			    conn_message(pg->conn, msg, sizeof(msg)));
		rc = -EIO;
		goto fail;
	}
	r = pq.exec(pg->conn, "SET SESSION CHARACTERISTICS AS TRANSACTION "
		    "READ ONLY");
	if (pq.resultStatus(r) != PGRES_COMMAND_OK) {
		diag_printf(err, errsize, "cannot make the store's session "
			    "read only: %s",
			    result_message(r, msg, sizeof(msg)));
		rc = failure(pg->conn);
		goto fail;
	}
	pq.clear(r);
	r = NULL;
	if ((rc = check_schema(pg->conn, err, errsize)) < 0)
		goto fail;
	*out = pg;
	return 0;
fail:
	pq.clear(r);
	if (pg != NULL)
		pq.finish(pg->conn);
	free(pg);
	return rc;
}

static int
pg_watch(void *src, char *err, size_t errsize)
{
	struct store_pg *pg = src;
	PGresult *r = pq.exec(pg->conn, "LISTEN resource_events");
	char msg[256];
	int rc = 0;

	if (pq.resultStatus(r) != PGRES_COMMAND_OK) {
		diag_printf(err, errsize, "cannot LISTEN resource_events: %s",
			    result_message(r, msg, sizeof(msg)));
		rc = failure(pg->conn);
	}
	pq.clear(r);
	return rc;
}

static int
pg_fd(void *src)
{
	struct store_pg *pg = src;

	return pq.socket(pg->conn);
}

static int
pg_changes(void *src, store_key_fn fn, void *arg, char *err, size_t errsize)
{
	struct store_pg *pg = src;
	PGnotify *n = NULL;
	char type[128], mesh[128], name[300], msg[256];
	struct store_key k = { type, mesh, name };
	int rc = 0;

	if (pq.consumeInput(pg->conn) == 0) {
		diag_printf(err, errsize, "connection lost (%s)",
			    conn_message(pg->conn, msg, sizeof(msg)));
		return -EIO;
	}
	while ((n = pq.notifies(pg->conn)) != NULL) {
		if (rc == 0 && store_parse_event(n->extra, type, mesh, name,
						 sizeof(type)) == 0)
			rc = fn(arg, &k);
		pq.freemem(n);
	}
	return rc;
}

/*
 * The rows are read in binary (resultFormat 1): text comes as its bytes,
 * version as a big-endian int4, creation_time as a big-endian int8 of
 * microseconds since 2000-01-01 00:00 UTC (Kuma writes UTC), which
 * created() formats as RFC 3339 here rather than PostgreSQL's to_char()
 * on every row (a fifth of the server's time for a full read).
 */
#define COLUMNS "SELECT type, mesh, name, version, spec, labels::text, " \
	"status::text, creation_time FROM resources "

/* Text column @col, or NULL (SQL NULL, or *oom set). */
static char *
value(PGresult *r, int row, int col, int *oom)
{
	char *v = NULL;

	if (pq.getisnull(r, row, col))
		return NULL;
	if ((v = strdup(pq.getvalue(r, row, col))) == NULL)
		*oom = 1;
	return v;
}

static uint64_t
big_endian(const unsigned char *p, int n)
{
	uint64_t v = 0;
	int i;

	for (i = 0; i < n; i++)
		v = v << 8 | p[i];
	return v;
}

/* PostgreSQL's epoch, 2000-01-01 00:00 UTC, in Unix seconds. */
#define PG_EPOCH 946684800LL

/*
 * creation_time as "YYYY-MM-DDTHH:MM:SS.ffffffZ", what to_char(...,
 * 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') gave; NULL when SQL NULL, infinite
 * (to_char gives NULL too) or not 8 bytes, or on ENOMEM (*oom set).
 */
static char *
created(PGresult *r, int row, int col, int *oom)
{
	const unsigned char *p = NULL;
	int64_t us;
	int64_t secs;
	int64_t frac;
	time_t t;
	struct tm tm;
	char buf[64];
	char *v = NULL;

	if (pq.getisnull(r, row, col) || pq.getlength(r, row, col) != 8)
		return NULL;
	p = (const unsigned char *)pq.getvalue(r, row, col);
	us = (int64_t)big_endian(p, 8);
	if (us == INT64_MAX || us == INT64_MIN)
		return NULL;	/* infinity, -infinity */
	secs = us / 1000000;
	frac = us % 1000000;
	if (frac < 0) {
		frac += 1000000;
		secs--;
	}
	t = (time_t)(secs + PG_EPOCH);
	if (gmtime_r(&t, &tm) == NULL)
		return NULL;
	snprintf(buf, sizeof(buf), "%04d-%02d-%02dT%02d:%02d:%02d.%06dZ",
		 tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
		 tm.tm_min, tm.tm_sec, (int)frac);
	if ((v = strdup(buf)) == NULL)
		*oom = 1;
	return v;
}

/* Row @i of @r, a new row; NULL on ENOMEM. */
static struct store_row *
row_of(PGresult *r, int i)
{
	struct store_row *row = calloc(1, sizeof(*row));
	int oom = 0;

	if (row == NULL)
		return NULL;
	row->type = value(r, i, 0, &oom);
	row->mesh = value(r, i, 1, &oom);
	row->name = value(r, i, 2, &oom);
	if (pq.getlength(r, i, 3) == 4)
		row->version = (int32_t)(uint32_t)big_endian(
			(const void *)pq.getvalue(r, i, 3), 4);
	row->spec = value(r, i, 4, &oom);
	row->labels = value(r, i, 5, &oom);
	row->status = value(r, i, 6, &oom);
	row->created = created(r, i, 7, &oom);
	if (oom || row->type == NULL || row->mesh == NULL ||
	    row->name == NULL) {
		store_row_free(row);
		return NULL;
	}
	return row;
}

/* Hand each row of @r to @fn; 0, or the first failure. */
static int
each_row(PGresult *r, store_row_fn fn, void *arg, char *err, size_t errsize)
{
	struct store_row *row = NULL;
	int n = pq.ntuples(r);
	int i;
	int rc;

	for (i = 0; i < n; i++) {
		if ((row = row_of(r, i)) == NULL) {
			diag_printf(err, errsize, "out of memory");
			return -ENOMEM;
		}
		if ((rc = fn(arg, row)) < 0) {
			diag_printf(err, errsize, "%s", rc == -ENOMEM ?
				    "out of memory" : "the read was stopped");
			return rc;
		}
	}
	return 0;
}

/*
 * Every row, in single-row mode: each row is handed on as it arrives,
 * while the server still sends the next ones (no whole result of every
 * row held by libpq as well).
 */
static int
pg_read_all(void *src, store_row_fn fn, void *arg, char *err, size_t errsize)
{
	struct store_pg *pg = src;
	PGresult *r = NULL;
	char msg[256];
	int rc = 0;

	if (!pq.sendQueryParams(pg->conn, COLUMNS "WHERE " STORE_TYPES, 0,
				NULL, NULL, NULL, NULL, 1)) {
		diag_printf(err, errsize, "cannot read the store: %s",
			    conn_message(pg->conn, msg, sizeof(msg)));
		return failure(pg->conn);
	}
	/* When it cannot be set, the rows come in one result: the same. */
	(void)pq.setSingleRowMode(pg->conn);
	/* Every result, to the last (NULL), also after a failure. */
	while ((r = pq.getResult(pg->conn)) != NULL) {
		ExecStatusType st = pq.resultStatus(r);

		if (rc < 0) {
			;	/* drained */
		} else if (st == PGRES_SINGLE_TUPLE ||
			   st == PGRES_TUPLES_OK) {
			rc = each_row(r, fn, arg, err, errsize);
		} else {
			diag_printf(err, errsize, "cannot read the store: %s",
				    result_message(r, msg, sizeof(msg)));
			rc = failure(pg->conn);
		}
		pq.clear(r);
	}
	return rc;
}

/*
 * Field @field (0 type, 1 mesh, 2 name) of each of @keys as one array of
 * text in PostgreSQL's literal form, {"a","b\"c"}; NULL on ENOMEM.
 */
static char *
key_array(const struct store_key *keys, size_t n, int field)
{
	size_t size = 3;
	size_t i;
	char *out = NULL;
	char *p = NULL;

	for (i = 0; i < n; i++) {
		const char *v = field == 0 ? keys[i].type :
				field == 1 ? keys[i].mesh : keys[i].name;

		size += 2 * strlen(v) + 3;	/* escapes, quotes, comma */
	}
	if ((p = out = malloc(size)) == NULL)
		return NULL;
	*p++ = '{';
	for (i = 0; i < n; i++) {
		const char *v = field == 0 ? keys[i].type :
				field == 1 ? keys[i].mesh : keys[i].name;

		if (i > 0)
			*p++ = ',';
		*p++ = '"';
		for (; *v != '\0'; v++) {
			if (*v == '"' || *v == '\\')
				*p++ = '\\';
			*p++ = *v;
		}
		*p++ = '"';
	}
	*p++ = '}';
	*p = '\0';
	return out;
}

/*
 * The rows of @keys in one statement: a burst of notifications (after
 * the store stalled, say) is one round trip, not one per key, each
 * waiting for a busy server to be scheduled again.
 */
static int
pg_read_keys(void *src, const struct store_key *keys, size_t n,
	     store_row_fn fn, void *arg, char *err, size_t errsize)
{
	struct store_pg *pg = src;
	PGresult *r = NULL;
	char *values[3] = { NULL, NULL, NULL };
	char msg[256];
	int f;
	int rc = 0;

	if (n == 0)
		return 0;
	for (f = 0; f < 3; f++)
		if ((values[f] = key_array(keys, n, f)) == NULL) {
			diag_printf(err, errsize, "out of memory");
			rc = -ENOMEM;
			goto out;
		}
	r = pq.execParams(pg->conn, COLUMNS "JOIN unnest($1::text[], "
			  "$2::text[], $3::text[]) AS k(t, m, n) ON "
			  "type = k.t AND mesh = k.m AND name = k.n", 3, NULL,
			  (const char *const *)values, NULL, NULL, 1);
	if (pq.resultStatus(r) != PGRES_TUPLES_OK) {
		diag_printf(err, errsize, "cannot read the store: %s",
			    result_message(r, msg, sizeof(msg)));
		rc = failure(pg->conn);
	} else {
		rc = each_row(r, fn, arg, err, errsize);
	}
	pq.clear(r);
out:
	for (f = 0; f < 3; f++)
		free(values[f]);
	return rc;
}

static void
pg_close(void *src)
{
	struct store_pg *pg = src;

	if (pg == NULL)
		return;
	pq.finish(pg->conn);
	free(pg);
}

const struct store_ops store_pg_ops = {
	"postgres", pg_open, pg_watch, pg_fd, pg_changes, pg_read_all,
	pg_read_keys, pg_close
};
