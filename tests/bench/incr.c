/* SPDX-License-Identifier: MIT */
/*
 * incr.c -- the CPU of one incremental change against a full build.
 *
 *   python3 tests/bench/gen-services.py -n 100000 -F /tmp/x
 *   tests/bench/incr /tmp/x/meshdns.conf [ROUNDS]
 *
 * Builds the config's resources in full, then applies three changes one
 * after the other with build_apply() -- a MeshService added, its status
 * VIP changed, and removed -- ROUNDS times (1 unless given), and builds
 * the last input in full again with build_from_set().  Prints the
 * process CPU time of each (every thread's), and the ratio; the CPU of
 * freeing the snapshot an apply replaced, which the daemon pays too,
 * apart; and the memory in use with one snapshot alive after the
 * first full build and after the applies.  The files are read once,
 * one unit per file (resource_units.h), and each apply gets a view of
 * the units with the change's unit put or removed, as a watched file or
 * a store row gives the daemon's: reading is not counted in an apply,
 * and the snapshots share the units' sets.  Never part of make check.
 */
#include "autoconfig.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

#include "build/build.h"
#include "build/snapshot.h"
#include "build/state.h"
#include "kuma/resource_units.h"

static double
cpu_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/*
 * Memory in use in MiB: what malloc has handed out and not had back
 * (glibc's mallinfo2(), mapped blocks included), else the resident set
 * (/proc/self/statm) -- which also counts what fragmentation keeps.
 */
static double
mem_mib(void)
{
	unsigned long size = 0;
	unsigned long res = 0;
	FILE *fp = NULL;

#ifdef __GLIBC__
	struct mallinfo2 mi = mallinfo2();

	return (double)(mi.uordblks + mi.hblkhd) / 1048576.0;
#endif
	fp = fopen("/proc/self/statm", "r");
	if (fp == NULL)
		return 0;
	if (fscanf(fp, "%lu %lu", &size, &res) != 2)
		res = 0;
	fclose(fp);
	return (double)res * (double)sysconf(_SC_PAGESIZE) / 1048576.0;
}

static void
report(const char *what, const struct diag_list *diags)
{
	fprintf(stderr, "incr: %s failed: %s\n", what,
		diags->n > 0 ? diags->v[0].msg : "?");
	exit(1);
}

/* The config of @opt, and its resources as units (once). */
static void
load(const struct build_options *opt, struct config **cfg,
     struct resource_units **units)
{
	struct diag_list diags;
	size_t i;

	diag_list_init(&diags);
	if (build_load_config(cfg, opt, &diags) < 0)
		report("config", &diags);
	if (units == NULL)
		return;
	if ((*units = resource_units_new((*cfg)->zone)) == NULL)
		report("memory", &diags);
	resource_units_keep_yaml(*units, 0);
	resource_units_skip_file(*units, (*cfg)->file);
	for (i = 0; i < (*cfg)->nresources; i++)
		if (resource_units_load_path(*units, i, (*cfg)->resources[i],
					     &diags) < 0)
			report("reading", &diags);
	diag_list_clear(&diags);
}

/*
 * A view of @units with @extra as the unit "bench-extra.yaml" of a group
 * of its own (NULL: that unit removed).
 */
static struct resource_set *
view_with(struct resource_units *units, size_t group, const char *extra)
{
	struct resource_set *set = NULL;
	struct diag_list diags;

	diag_list_init(&diags);
	if (extra != NULL) {
		if ((set = resource_set_new()) == NULL)
			report("memory", &diags);
		resource_set_keep_yaml(set, 0);
		if (resource_set_load_string(set, "bench-extra.yaml", extra,
					     &diags) < 0 ||
		    resource_units_put(units, group, "bench-extra.yaml", set,
				       NULL) < 0)
			report("reading", &diags);
	} else if (resource_units_remove(units, group, "bench-extra.yaml",
					 NULL) < 0) {
		report("memory", &diags);
	}
	if (resource_units_view(units, &set) < 0)
		report("memory", &diags);
	diag_list_clear(&diags);
	return set;
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

int
main(int argc, char **argv)
{
	static const char *const names[] = { "added", "status VIP",
					     "removed" };
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
	struct resource_units *units = NULL;
	struct resource_set *set = NULL;
	double t;
	double full_ms;
	double sum = 0;
	double freed = 0;
	double mem0;
	char times[256];
	int64_t now = time(NULL);
	int rounds = argc > 2 ? atoi(argv[2]) : 1;
	int i;

	if (argc < 2 || argc > 3 || rounds < 1) {
		fprintf(stderr, "usage: incr CONFIG [ROUNDS]\n");
		return 2;
	}
	if (rounds < 1)
		rounds = 1;
	memset(&opt, 0, sizeof(opt));
	opt.config_file = argv[1];
	diag_list_init(&diags);
	load(&opt, &cfg, &units);
	set = view_with(units, cfg->nresources, NULL);
	t = cpu_ms();
	if (build_from_set(&prev, cfg, set, st, 1, now, &diags) < 0)
		report("full build", &diags);
	full_ms = cpu_ms() - t;
	printf("full build (no read): %.1f ms CPU, %zu services\n", full_ms,
	       prev->nservices);
	mem0 = mem_mib();
	for (i = 0; i < 3 * rounds; i++) {
		struct resource_change ch;

		memset(&ch, 0, sizeof(ch));
		ch.op = ops[i % 3];
		ch.kind = RESOURCE_MESH_SERVICE;
		ch.mesh = (char *)"default";
		ch.name = (char *)"bench-new";
		load(&opt, &cfg, NULL);
		set = view_with(units, cfg->nresources, extras[i % 3]);
		t = cpu_ms();
		if (build_apply(&s, prev, cfg, set, &ch, 1, 1, now + i + 1,
				&diags) < 0)
			report("apply", &diags);
		t = cpu_ms() - t;
		sum += t;
		if (i >= 3 && i < 3 * rounds - 3) {
			snapshot_free(prev);
			prev = s;
			s = NULL;
			continue;
		}
		printf("apply (%s): %.1f ms CPU, incremental %d, "
		       "recomputed %zu, VIPs asked %zu, table %s (%zu "
		       "reset)\n", names[i % 3], t, s->incremental,
		       s->recomputed, s->reallocated,
		       s->table_patched ? "patched" : s->table_reason ?
		       s->table_reason : "built", s->services_reset);
		build_format_times(s, times, sizeof(times));
		printf("  phases (wall clock): %s\n", times);
		printf("  kuma layer: set %s, generate %s\n",
		       s->kuma_incremental ? "applied" : "finished whole",
		       !s->kuma_incremental ? "run whole" :
		       s->generate_reason ? s->generate_reason : "applied");
		t = cpu_ms();
		snapshot_free(prev);
		freed += cpu_ms() - t;
		prev = s;
		s = NULL;
	}
	printf("memory in use, one snapshot alive: %.0f MiB after the "
	       "full build, %.0f MiB after %d applies\n", mem0, mem_mib(),
	       3 * rounds);
	load(&opt, &cfg, NULL);
	if (resource_units_view(units, &set) < 0)
		report("memory", &diags);
	t = cpu_ms();
	if (build_from_set(&s, cfg, set, prev->state, 1, now + 3 * rounds + 1,
			   &diags) < 0)
		report("full build", &diags);
	t = cpu_ms() - t;
	printf("full build again: %.1f ms CPU\n", t);
	printf("one change: %.1f ms CPU on average, 1/%.0f of a full "
	       "build (freeing the replaced snapshot: %.1f ms more)\n",
	       sum / (3 * rounds), (full_ms + t) / 2 / (sum / (3 * rounds)),
	       freed / (i < 6 ? 3 : 6));
	snapshot_free(s);
	snapshot_free(prev);
	resource_units_free(units);
	state_free(st);
	diag_list_clear(&diags);
	return 0;
}
