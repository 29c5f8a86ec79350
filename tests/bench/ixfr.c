/* SPDX-License-Identifier: MIT */
/*
 * ixfr.c -- the CPU of journalling one incremental change for IXFR: the
 * walk of both tables (journal_record(), what reload.c did for every
 * change) against the patch's change list (journal_record_changes()).
 *
 *   python3 tests/bench/gen-services.py -n 100000 -F /tmp/x
 *   tests/bench/ixfr /tmp/x/meshdns.conf [ROUNDS]
 *
 * Builds the config's resources in full, then applies ROUNDS (default
 * 10) times three changes with build_apply() -- a MeshService added, its
 * status VIP changed, and removed -- and journals each new table against
 * the one before it both ways, into two journals.  Prints the median and
 * worst process CPU time of each way per change, checks that both
 * journals hold the same number of differences, and compares one IXFR
 * of each.  Also times the reload log's list of names added and
 * removed both ways: table_diff_names() walks both tables,
 * table_diff_names_changes() reads the change list.  Never part of make check.
 */
#include "autoconfig.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <ldns/ldns.h>

#include "build/build.h"
#include "build/snapshot.h"
#include "build/state.h"
#include "dns/journal.h"
#include "dns/table_diff.h"
#include "dns/table_walk.h"

static double
cpu_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static void
report(const char *what, const struct diag_list *diags)
{
	fprintf(stderr, "ixfr: %s failed: %s\n", what,
		diags != NULL && diags->n > 0 ? diags->v[0].msg : "?");
	exit(1);
}

/* The config and the resources of @opt, with @extra (or nothing). */
static void
load(const struct build_options *opt, const char *extra,
     struct config **cfg, struct resource_set **set)
{
	struct diag_list diags;
	size_t i;

	diag_list_init(&diags);
	if (build_load_config(cfg, opt, &diags) < 0)
		report("config", &diags);
	if ((*set = resource_set_new()) == NULL)
		report("memory", &diags);
	resource_set_keep_yaml(*set, 0);
	resource_set_skip_file(*set, (*cfg)->file);
	for (i = 0; i < (*cfg)->nresources; i++)
		if (resource_set_load_path(*set, (*cfg)->resources[i],
					   &diags) < 0)
			report("reading", &diags);
	if (extra != NULL &&
	    resource_set_load_string(*set, "bench-extra.yaml", extra,
				     &diags) < 0)
		report("reading", &diags);
	diag_list_clear(&diags);
}

static const char added[] =
	"type: MeshService\nname: bench-new\nmesh: default\n"
	"creationTime: 2030-01-01T00:00:00Z\n"
	"labels: {team: bench}\n"
	"spec:\n  ports:\n  - {name: http, port: 80}\n";

static const char pinned[] =
	"type: MeshService\nname: bench-new\nmesh: default\n"
	"creationTime: 2030-01-01T00:00:00Z\n"
	"labels: {team: bench}\n"
	"spec:\n  ports:\n  - {name: http, port: 80}\n"
	"status:\n  vips:\n  - ip: 241.255.0.1\n";

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a;
	double y = *(const double *)b;

	return (x > y) - (x < y);
}

/* The IXFR of the first zone from @from to @to, as text. */
static char *
ixfr_text(struct journal *j, const struct table *t, uint32_t from,
	  uint32_t to)
{
	const struct table_zone *z = table_walk_zone_at(t, 0);
	const uint8_t *apex = NULL;
	ldns_rr_list *l = NULL;
	char *text = NULL;
	size_t len = 0;

	apex = table_walk_apex(z, &len);
	if (journal_ixfr(j, apex, len, from, to, &l) < 0)
		return NULL;
	/* Sorted: the two ways find the names in different orders. */
	ldns_rr_list_sort(l);
	text = ldns_rr_list2str(l);
	ldns_rr_list_deep_free(l);
	return text;
}

int
main(int argc, char **argv)
{
	const char *const extras[] = { added, pinned, NULL };
	const enum resource_change_op ops[] = { RESOURCE_ADDED,
						RESOURCE_CHANGED,
						RESOURCE_REMOVED };
	struct build_options opt;
	struct diag_list diags;
	struct snapshot *prev = NULL;
	struct snapshot *s = NULL;
	struct state *st = state_new();
	struct config *cfg = NULL;
	struct resource_set *set = NULL;
	struct journal *jw = NULL;
	struct journal *jc = NULL;
	double *walk = NULL;
	double *list = NULL;
	double *diff = NULL;
	double *dlist = NULL;
	struct table_diff td;
	double t;
	size_t n = 0;
	size_t cw = 0, cc = 0, bytes = 0;
	int64_t now = time(NULL);
	int rounds = argc > 2 ? atoi(argv[2]) : 10;
	uint32_t first = 0;
	uint32_t last = 0;
	char *tw = NULL;
	char *tc = NULL;
	int r;
	int i;

	if (argc < 2 || argc > 3 || rounds < 1) {
		fprintf(stderr, "usage: ixfr CONFIG [ROUNDS]\n");
		return 2;
	}
	memset(&opt, 0, sizeof(opt));
	opt.config_file = argv[1];
	diag_list_init(&diags);
	if ((walk = calloc((size_t)rounds * 3, sizeof(*walk))) == NULL ||
	    (list = calloc((size_t)rounds * 3, sizeof(*list))) == NULL ||
	    (diff = calloc((size_t)rounds * 3, sizeof(*diff))) == NULL ||
	    (dlist = calloc((size_t)rounds * 3, sizeof(*dlist))) == NULL ||
	    journal_new(&jw, 1000000, SIZE_MAX) < 0 ||
	    journal_new(&jc, 1000000, SIZE_MAX) < 0)
		report("memory", NULL);
	load(&opt, NULL, &cfg, &set);
	if (build_from_set(&prev, cfg, set, st, 1, now, &diags) < 0)
		report("full build", &diags);
	printf("%zu services, %zu names in the table\n", prev->nservices,
	       table_name_count(prev->table));
	first = table_soa_serial(table_zone_soa(prev->table,
				 table_zone_at(prev->table, 0)));
	for (r = 0; r < rounds; r++) {
		for (i = 0; i < 3; i++) {
			struct resource_change ch;

			memset(&ch, 0, sizeof(ch));
			ch.op = ops[i];
			ch.kind = RESOURCE_MESH_SERVICE;
			ch.mesh = (char *)"default";
			ch.name = (char *)"bench-new";
			load(&opt, extras[i], &cfg, &set);
			if (build_apply(&s, prev, cfg, set, &ch, 1, 1,
					now + 3 * r + i + 1, &diags) < 0)
				report("apply", &diags);
			if (!s->table_patched || s->changes == NULL)
				report("a patched table", NULL);
			t = cpu_ms();
			if (journal_record(jw, prev->table, s->table) < 0)
				report("journal_record", NULL);
			walk[n] = cpu_ms() - t;
			t = cpu_ms();
			if (journal_record_changes(jc, prev->table, s->table,
						   s->changes) < 0)
				report("journal_record_changes", NULL);
			list[n] = cpu_ms() - t;
			t = cpu_ms();
			if (table_diff_names(&td, prev->table, s->table) < 0)
				report("table_diff_names", NULL);
			diff[n] = cpu_ms() - t;
			table_diff_clear(&td);
			t = cpu_ms();
			if (table_diff_names_changes(&td, prev->table,
						     s->table,
						     s->changes) < 0)
				report("table_diff_names_changes", NULL);
			dlist[n] = cpu_ms() - t;
			table_diff_clear(&td);
			n++;
			snapshot_free(prev);
			prev = s;
			s = NULL;
		}
	}
	last = table_soa_serial(table_zone_soa(prev->table,
				table_zone_at(prev->table, 0)));
	qsort(walk, n, sizeof(*walk), cmp_double);
	qsort(list, n, sizeof(*list), cmp_double);
	qsort(diff, n, sizeof(*diff), cmp_double);
	qsort(dlist, n, sizeof(*dlist), cmp_double);
	printf("journal one change, walking both tables: %.3f ms CPU "
	       "median, %.3f ms worst (%zu changes)\n", walk[n / 2],
	       walk[n - 1], n);
	printf("journal one change, from the change list: %.3f ms CPU "
	       "median, %.3f ms worst (%zu changes)\n", list[n / 2],
	       list[n - 1], n);
	printf("ratio (median): %.0f\n", list[n / 2] > 0 ?
	       walk[n / 2] / list[n / 2] : 0.0);
	printf("the reload log's names added and removed, walking both "
	       "tables: %.3f ms CPU median; from the change list: %.3f ms\n",
	       diff[n / 2], dlist[n / 2]);
	{
		const struct table_zone *z = table_walk_zone_at(prev->table,
								0);
		const uint8_t *apex = NULL;
		size_t len = 0;

		apex = table_walk_apex(z, &len);
		journal_stats(jw, apex, len, &cw, &bytes);
		journal_stats(jc, apex, len, &cc, &bytes);
	}
	tw = ixfr_text(jw, prev->table, first, last);
	tc = ixfr_text(jc, prev->table, first, last);
	printf("differences journalled: %zu walking, %zu from the lists; "
	       "IXFR %u -> %u %s\n", cw, cc, first, last,
	       tw != NULL && tc != NULL && strcmp(tw, tc) == 0 ?
	       "the same both ways" : "DIFFERS");
	free(tw);
	free(tc);
	free(walk);
	free(list);
	free(diff);
	free(dlist);
	journal_free(jw);
	journal_free(jc);
	snapshot_free(prev);
	state_free(st);
	diag_list_clear(&diags);
	return cw == cc ? 0 : 1;
}
