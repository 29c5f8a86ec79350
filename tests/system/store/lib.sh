# store/lib.sh -- a throw-away PostgreSQL 15 holding Kuma's store, for the
# tests of meshdns --store.  Sourced after tests/system/lib.sh.
#
# pg_start makes a cluster in a directory of its own (unix socket only, in
# that directory: nothing listens on the network), creates database `kuma`
# with Kuma's schema as kuma-sources.md section 1.2 and 3.1 describe it
# (written here from those facts), and a role `meshdns` (password
# `meshdns`) that may only SELECT resources and schema_migrations.  The
# server runs as user postgres when the test runs as root (initdb refuses
# root) and is stopped by the PID of its postmaster on exit.
#
# The kuma_* helpers change rows with the statements Kuma's store runs
# (pkg/plugins/resources/postgres/pgx_store.go): INSERT with version 0 and
# the Mesh as owner of every mesh-scoped row, UPDATE of spec, version+1,
# modification_time, labels and status guarded by the old version, DELETE
# by name, type and mesh.

PG_BIN=$(ls -d /usr/lib/postgresql/15/bin 2>/dev/null)
[ -n "$PG_BIN" ] && [ -x "$PG_BIN/initdb" ] || {
	echo "FAIL: PostgreSQL 15 is not installed (contrib/bootstrap.sh installs postgresql)"
	exit 1
}
command -v psql >/dev/null 2>&1 || {
	echo "FAIL: psql is not installed (contrib/bootstrap.sh installs postgresql)"
	exit 1
}

PGROOT=""
PGPID=""
PGPORT=5432
PG_AS=()

# as_pg CMD...: run CMD as the cluster's owner.
as_pg() {
	"${PG_AS[@]}" "$@"
}

pg_cleanup() {
	pg_stop
	if [ -n "$PGROOT" ] && [ "$FAILS" -eq 0 ]; then
		rm -rf "$PGROOT"
	elif [ -n "$PGROOT" ]; then
		echo "kept $PGROOT (PostgreSQL) for inspection"
	fi
	cleanup
}
trap pg_cleanup EXIT

# psql_admin [ARGS...]: psql as the superuser on database kuma; SQL on stdin.
psql_admin() {
	psql -X -q -v ON_ERROR_STOP=1 -h "$PGROOT" -p "$PGPORT" -U postgres \
		-d kuma "$@"
}

# pg_conninfo [USER] [PASSWORD] [DB]: meshdns's connection string.
pg_conninfo() {
	echo "host=$PGROOT port=$PGPORT dbname=${3:-kuma} user=${1:-meshdns} password=${2:-meshdns} connect_timeout=5"
}

# pg_server_start: start the cluster made by pg_start (again).
pg_server_start() {
	as_pg "$PG_BIN/pg_ctl" -D "$PGROOT/data" -l "$PGROOT/server.log" \
		-o "-k $PGROOT -p $PGPORT" -w -t 30 start >/dev/null || {
		echo "FAIL: PostgreSQL did not start:"
		cat "$PGROOT/server.log"
		exit 1
	}
	PGPID=$(head -1 "$PGROOT/data/postmaster.pid")
}

# pg_stop: stop the postmaster this test started (fast: clients are cut).
pg_stop() {
	if [ -n "$PGPID" ]; then
		kill -INT "$PGPID" 2>/dev/null
		i=0
		while kill -0 "$PGPID" 2>/dev/null && [ $i -lt 300 ]; do
			sleep 0.1
			i=$((i + 1))
		done
		PGPID=""
	fi
}

pg_start() {
	PGROOT=$(mktemp -d "${TMPDIR:-/tmp}/meshdns-pg-$TEST_NAME.XXXXXX")
	chmod 755 "$PGROOT"
	if [ "$(id -u)" -eq 0 ]; then
		chown postgres: "$PGROOT"
		PG_AS=(runuser -u postgres --)
	fi
	as_pg "$PG_BIN/initdb" -D "$PGROOT/data" -U postgres -A trust \
		-E UTF8 --no-locale >"$PGROOT/initdb.log" 2>&1 || {
		echo "FAIL: initdb failed:"
		cat "$PGROOT/initdb.log"
		exit 1
	}
	cat >"$PGROOT/data/pg_hba.conf" <<-EOF
	local all postgres trust
	local all all scram-sha-256
	EOF
	cat >>"$PGROOT/data/postgresql.conf" <<-EOF
	listen_addresses = ''
	unix_socket_directories = '$PGROOT'
	fsync = off
	EOF
	pg_server_start
	psql -X -q -v ON_ERROR_STOP=1 -h "$PGROOT" -p "$PGPORT" -U postgres \
		-d postgres -c "CREATE DATABASE kuma" >/dev/null || exit 1
	kuma_schema
}

# kuma_schema: the tables, trigger and role in database kuma.
kuma_schema() {
	psql_admin <<-'EOF'
	CREATE TABLE resources (
		name              varchar(253) NOT NULL,
		mesh              varchar(100) NOT NULL,
		type              varchar(100) NOT NULL,
		version           integer NOT NULL,
		spec              text,
		creation_time     timestamp NOT NULL DEFAULT now(),
		modification_time timestamp NOT NULL DEFAULT now(),
		owner_name        varchar(100),
		owner_mesh        varchar(100),
		owner_type        varchar(100),
		labels            jsonb DEFAULT '{}'::jsonb,
		status            jsonb NOT NULL DEFAULT '{}'::jsonb,
		CONSTRAINT resources_pkey PRIMARY KEY (name, mesh, type),
		CONSTRAINT owner_fk FOREIGN KEY (owner_name, owner_mesh, owner_type)
			REFERENCES resources (name, mesh, type) ON DELETE CASCADE
	);
	CREATE INDEX owner_fk_index ON resources (owner_type, owner_mesh, owner_name);
	CREATE TABLE locks (
		name varchar(255) PRIMARY KEY,
		record_version_number bigint,
		data bytea,
		owner varchar(255)
	);
	CREATE TABLE schema_migrations (
		version bigint NOT NULL PRIMARY KEY,
		dirty boolean NOT NULL
	);
	INSERT INTO schema_migrations (version, dirty) VALUES (1710856785, false);
	CREATE FUNCTION notify_event() RETURNS trigger AS $$
	DECLARE
		data json;
		notification json;
	BEGIN
		IF (TG_OP = 'DELETE') THEN
			data = json_build_object('name', OLD.name,
				'mesh', OLD.mesh, 'type', OLD.type);
		ELSE
			data = json_build_object('name', NEW.name,
				'mesh', NEW.mesh, 'type', NEW.type);
		END IF;
		notification = json_build_object('action', TG_OP, 'data', data);
		PERFORM pg_notify('resource_events', notification::text);
		RETURN NULL;
	END;
	$$ LANGUAGE plpgsql;
	CREATE TRIGGER products_notify_event
		AFTER INSERT OR UPDATE OR DELETE ON resources
		FOR EACH ROW EXECUTE PROCEDURE notify_event();
	CREATE ROLE meshdns LOGIN PASSWORD 'meshdns';
	GRANT SELECT ON resources, schema_migrations TO meshdns;
	EOF
}

# kuma_insert TYPE MESH NAME SPEC [LABELS] [STATUS]: Kuma's Create.  A
# mesh-scoped row (MESH not empty) is owned by its Mesh.
kuma_insert() {
	psql_admin -v type="$1" -v mesh="$2" -v name="$3" -v spec="$4" \
		-v labels="${5:-{\}}" -v status="${6:-{\}}" <<-'EOF'
	INSERT INTO resources (name, mesh, type, version, spec, creation_time,
	    modification_time, owner_name, owner_mesh, owner_type, labels,
	    status)
	VALUES (:'name', :'mesh', :'type', 0, :'spec',
	    now() AT TIME ZONE 'UTC', now() AT TIME ZONE 'UTC',
	    CASE WHEN :'mesh' = '' THEN NULL ELSE :'mesh' END,
	    CASE WHEN :'mesh' = '' THEN NULL ELSE '' END,
	    CASE WHEN :'mesh' = '' THEN NULL ELSE 'Mesh' END,
	    :'labels'::jsonb, :'status'::jsonb);
	EOF
}

# kuma_update TYPE MESH NAME SPEC LABELS STATUS: Kuma's Update (all of
# spec, labels and status are written; the version goes up by one and
# guards against a concurrent writer).
kuma_update() {
	psql_admin -v type="$1" -v mesh="$2" -v name="$3" -v spec="$4" \
		-v labels="$5" -v status="$6" <<-'EOF'
	SELECT version AS old FROM resources
	    WHERE name = :'name' AND mesh = :'mesh' AND type = :'type' \gset
	UPDATE resources SET spec = :'spec', version = :old + 1,
	    modification_time = now() AT TIME ZONE 'UTC',
	    labels = :'labels'::jsonb, status = :'status'::jsonb
	    WHERE name = :'name' AND mesh = :'mesh' AND type = :'type'
	    AND version = :old;
	EOF
}

# kuma_set_status TYPE MESH NAME STATUS: what the VIP allocator or the
# hostname generator does: an Update that keeps spec and labels.
kuma_set_status() {
	psql_admin -v type="$1" -v mesh="$2" -v name="$3" -v status="$4" <<-'EOF'
	SELECT version AS old, spec, labels::text AS labels FROM resources
	    WHERE name = :'name' AND mesh = :'mesh' AND type = :'type' \gset
	UPDATE resources SET spec = :'spec', version = :old + 1,
	    modification_time = now() AT TIME ZONE 'UTC',
	    labels = :'labels'::jsonb, status = :'status'::jsonb
	    WHERE name = :'name' AND mesh = :'mesh' AND type = :'type'
	    AND version = :old;
	EOF
}

# kuma_delete TYPE MESH NAME: Kuma's Delete (a Mesh cascades to its rows).
kuma_delete() {
	psql_admin -v type="$1" -v mesh="$2" -v name="$3" <<-'EOF'
	DELETE FROM resources WHERE name = :'name' AND type = :'type'
	    AND mesh = :'mesh';
	EOF
}

# kuma_mesh NAME: a Mesh (protobuf JSON spec; global: mesh '').
kuma_mesh() {
	kuma_insert Mesh "" "$1" '{}'
}

# The labels Kuma's zone CP gives a MeshService created in universal zone
# zone-1 (kuma_ms_labels MESH NAME).
kuma_ms_labels() {
	echo "{\"kuma.io/env\": \"universal\", \"kuma.io/mesh\": \"$1\", \"kuma.io/zone\": \"zone-1\", \"kuma.io/origin\": \"zone\", \"kuma.io/display-name\": \"$2\"}"
}

# kuma_ms_spec APP PORT: a MeshService spec as Kuma stores it (Go JSON,
# defaulted).
kuma_ms_spec() {
	echo "{\"state\":\"Unavailable\",\"selector\":{\"dataplaneLabels\":{\"matchLabels\":{\"app\":\"$1\"}}},\"ports\":[{\"port\":$2,\"targetPort\":$2,\"appProtocol\":\"tcp\"}]}"
}

# kuma_ms_status [VIP]: a MeshService status, with the VIP the allocator
# gave it (none when empty).
kuma_ms_status() {
	if [ -n "${1:-}" ]; then
		echo "{\"tls\": {}, \"vips\": [{\"ip\": \"$1\"}], \"dataplaneProxies\": {}}"
	else
		echo '{"tls": {}, "dataplaneProxies": {}}'
	fi
}

# kuma_ms MESH NAME PORT [VIP]: a MeshService as Kuma creates it.
kuma_ms() {
	kuma_insert MeshService "$1" "$2" "$(kuma_ms_spec "$2" "$3")" \
		"$(kuma_ms_labels "$1" "$2")" "$(kuma_ms_status "${4:-}")"
}

# kuma_default_generator: the HostnameGenerator a universal zone CP
# creates at start (pkg/defaults/hostname_generator.go).
kuma_default_generator() {
	kuma_insert HostnameGenerator "" local-universal-mesh-service \
		'{"selector":{"meshService":{"matchLabels":{"kuma.io/origin":"zone"}}},"template":"{{ .DisplayName }}.svc.mesh.local"}' \
		'{"kuma.io/origin": "zone"}'
}

# wait_answer WHAT NAME TYPE EXPECTED: ask until the answer is EXPECTED
# (WAIT_TRIES tenths of a second, 10 s by default: no timing is
# asserted, only that it comes).
wait_answer() {
	got=""
	i=0
	while [ $i -lt "${WAIT_TRIES:-100}" ]; do
		got=$(dig_short "$2" "$3")
		if [ "$got" = "$4" ]; then
			pass "$1"
			return 0
		fi
		sleep 0.1
		i=$((i + 1))
	done
	fail "$1: expected [$4] for $2 $3, got [$got]"
	return 1
}

# kuma_dns_vips MESH VIPS: the Config resource kuma-MESH-dns-vips in which
# Kuma 2.x records the VIPs of legacy .mesh names (pkg/dns/vips/
# persistence.go): spec {"config": "<JSON>"}, the JSON mapping
# "0:<kuma.io/service>" to {"address": VIP, "outbounds": [...]}; global,
# owned by its Mesh.  VIPS is "service=vip ..." (insert, or update).
kuma_dns_vips() {
	mesh=$1
	shift
	inner=""
	for sv in "$@"; do
		svc=${sv%%=*}
		vip=${sv#*=}
		[ -n "$inner" ] && inner="$inner,"
		inner="$inner\\\"0:$svc\\\":{\\\"address\\\":\\\"$vip\\\",\\\"outbounds\\\":[{\\\"Port\\\":0,\\\"TagSet\\\":{\\\"kuma.io/service\\\":\\\"$svc\\\"},\\\"Origin\\\":\\\"service\\\"}]}"
	done
	psql_admin -v name="kuma-$mesh-dns-vips" -v mesh="$mesh" \
		-v spec="{\"config\":\"{$inner}\"}" <<-'EOF2'
	INSERT INTO resources (name, mesh, type, version, spec, creation_time,
	    modification_time, owner_name, owner_mesh, owner_type, labels,
	    status)
	VALUES (:'name', '', 'Config', 0, :'spec', now() AT TIME ZONE 'UTC',
	    now() AT TIME ZONE 'UTC', :'mesh', '', 'Mesh', '{}', '{}')
	ON CONFLICT (name, mesh, type) DO UPDATE SET spec = EXCLUDED.spec,
	    version = resources.version + 1,
	    modification_time = EXCLUDED.modification_time;
	EOF2
}
