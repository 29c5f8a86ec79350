/* SPDX-License-Identifier: MIT */
/* resource_load.c -- files and directories, read in parallel; digests. */
#include "autoconfig.h"

#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/bigarray.h"
#include "util/digest.h"
#include "util/file.h"
#include "util/thread.h"
#include "kuma/resource.h"
#include "kuma/resource_int.h"
#include "kuma/resource_units.h"

/* --- files and directories --- */

/* Messages name paths normalised (file_path_clean()); reads do not. */
static void
cannot_read(struct diag_list *errs, const char *path, int e)
{
	char *name = file_path_clean(path);

	diag_error(errs, NULL, 0, 0, "cannot read %s: %s",
		   name != NULL ? name : path, strerror(e));
	free(name);
}

/* What a file read adds to a set's digest: its name and its bytes. */
static uint64_t
file_digest(const char *path, const char *text, size_t len)
{
	return digest_bytes(digest_str(0, path), text, len);
}

/* Read the file @path into @set; *@digest is file_digest()'s. */
static int
load_file(struct resource_set *set, const char *path, uint64_t *digest,
	  struct diag_list *errs)
{
	char *name = NULL;
	char *buf = NULL;
	size_t len = 0;
	int e;
	int rc;

	*digest = 0;
	if ((e = file_read(path, &buf, &len)) != 0) {
		if (e == ENOMEM)
			return -ENOMEM;
		cannot_read(errs, path, e);
		return -1;
	}
	*digest = file_digest(path, buf, len);
	/* Positions name the file normalised: "zones/x.yaml", not
	 * "zones/./x.yaml". */
	if ((name = file_path_clean(path)) == NULL)
		rc = -ENOMEM;
	else
		rc = resource_read_text(set, name, buf, len, errs);
	free(name);
	free(buf);
	return rc;
}

/* Directories being read, to stop at symlink loops. */
struct dir_chain {
	dev_t dev;
	ino_t ino;
	const struct dir_chain *up;
};

static int
not_hidden(const struct dirent *d)
{
	return d->d_name[0] != '.';
}

/* Byte order, so that the order does not depend on the locale. */
static int
name_cmp(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

static int
has_yaml_suffix(const char *name)
{
	size_t n = strlen(name);

	return (n > 5 && strcmp(name + n - 5, ".yaml") == 0) ||
	       (n > 4 && strcmp(name + n - 4, ".yml") == 0);
}

/*
 * The files of a directory, read in parallel: each into a set of its
 * own, then absorbed into the caller's set in name order, so the result
 * (and the order of the messages) is the same as reading them one by one.
 */
struct load_job {
	char *path;
	struct resource_set *set;
	struct diag_list diags;
	uint64_t digest;	/* file_digest() of what was read */
	int rc;
};

struct load_jobs {
	struct load_job *v;
	size_t n;
	size_t cap;
	int drop_yaml;
	int skip;			/* a file to leave out: */
	dev_t skip_dev;			/* resource_set_skip_file() */
	ino_t skip_ino;
	_Atomic size_t next;		/* the next job to take */
};

/* The file @path, to leave out of the walks of @jobs (if it exists). */
static void
jobs_skip(struct load_jobs *jobs, const char *path)
{
	struct stat st;

	if (path == NULL || stat(path, &st) < 0)
		return;
	jobs->skip = 1;
	jobs->skip_dev = st.st_dev;
	jobs->skip_ino = st.st_ino;
}

static int
jobs_add(struct load_jobs *jobs, const char *path)
{
	struct load_job *v = NULL;

	if (jobs->n == jobs->cap) {
		size_t cap = jobs->cap ? jobs->cap * 2 : 16;

		if ((v = realloc(jobs->v, cap * sizeof(*v))) == NULL)
			return -ENOMEM;
		jobs->v = v;
		jobs->cap = cap;
	}
	v = &jobs->v[jobs->n];
	memset(v, 0, sizeof(*v));
	diag_list_init(&v->diags);
	if (path != NULL && (v->path = strdup(path)) == NULL)
		return -ENOMEM;
	jobs->n++;
	return 0;
}

/*
 * Where the walk itself reports (a directory loop, an unreadable entry):
 * a job without a file, so the messages keep their place among the
 * files'.  NULL on ENOMEM.
 */
static struct diag_list *
jobs_diags(struct load_jobs *jobs)
{
	if ((jobs->n == 0 || jobs->v[jobs->n - 1].path != NULL) &&
	    jobs_add(jobs, NULL) < 0)
		return NULL;
	return &jobs->v[jobs->n - 1].diags;
}

static void *
jobs_run(void *arg)
{
	struct load_jobs *jobs = arg;
	size_t i;

	while ((i = atomic_fetch_add(&jobs->next, 1)) < jobs->n) {
		struct load_job *j = &jobs->v[i];

		if (j->path == NULL)
			continue;	/* only messages of the walk */
		if ((j->set = resource_set_new()) == NULL) {
			j->rc = -ENOMEM;
			continue;
		}
		resource_set_keep_yaml(j->set, !jobs->drop_yaml);
		j->rc = load_file(j->set, j->path, &j->digest, &j->diags);
	}
	return NULL;
}

/* Move every resource, stream and file name of @src to the end of @dst. */
static int
absorb(struct resource_set *dst, struct resource_set *src)
{
	struct set_priv *dp = dst->priv;
	struct set_priv *sp = src->priv;
	size_t k;
	void *v;

	for (k = 0; k < RESOURCE_KIND_COUNT; k++) {
		struct array d = resource_set_array(dst, (enum resource_kind)k);
		struct array a = resource_set_array(src, (enum resource_kind)k);
		size_t need = d.n + a.n;

		if (a.n == 0)
			continue;
		if (need > dp->caps[k]) {
			size_t cap = dp->caps[k] ? dp->caps[k] : 16;
			char *base = NULL;

			while (cap < need)
				cap *= 2;
			if ((base = bigarray_realloc(d.base, cap * d.size)) ==
			    NULL)
				return -ENOMEM;
			d.base = base;
			dp->caps[k] = cap;
		}
		memcpy(d.base + d.n * d.size, a.base, a.n * a.size);
		resource_set_array_put(dst, (enum resource_kind)k, d.base,
				       need);
		resource_set_array_put(src, (enum resource_kind)k, a.base, 0);
	}
	v = realloc(dp->streams, (dp->nstreams + sp->nstreams + 1) *
		    sizeof(*dp->streams));
	if (v == NULL)
		return -ENOMEM;
	dp->streams = v;
	dp->streams_cap = dp->nstreams + sp->nstreams + 1;
	if (sp->nstreams > 0)
		memcpy(dp->streams + dp->nstreams, sp->streams,
		       sp->nstreams * sizeof(*sp->streams));
	dp->nstreams += sp->nstreams;
	sp->nstreams = 0;
	v = realloc(dp->files, (dp->nfiles + sp->nfiles + 1) *
		    sizeof(*dp->files));
	if (v == NULL)
		return -ENOMEM;
	dp->files = v;
	dp->files_cap = dp->nfiles + sp->nfiles + 1;
	if (sp->nfiles > 0)
		memcpy(dp->files + dp->nfiles, sp->files,
		       sp->nfiles * sizeof(*sp->files));
	dp->nfiles += sp->nfiles;
	sp->nfiles = 0;
	return 0;
}

/* A set's digest @acc after one more file (file_digest()) is read. */
static uint64_t
chain_file(uint64_t acc, uint64_t file)
{
	return digest_u64(acc, file);
}

static void
add_digest(struct resource_set *set, uint64_t file)
{
	struct set_priv *pr = set->priv;

	pr->digest = chain_file(pr->digest, file);
}

/*
 * At most this many threads read files, the caller's included: reading
 * is mostly parsing, and beyond a few cores the merge, which is serial,
 * and the allocator dominate.
 */
#define LOAD_THREADS_MAX 8

/*
 * How many threads read @jobs: one per online core, at least 1, at most
 * LOAD_THREADS_MAX and at most one per file.
 */
static size_t
load_threads(const struct load_jobs *jobs)
{
	size_t files = 0;
	size_t n;
	size_t i;

	for (i = 0; i < jobs->n; i++)
		if (jobs->v[i].path != NULL)
			files++;
	n = thread_cpus();
	if (n > LOAD_THREADS_MAX)
		n = LOAD_THREADS_MAX;
	if (n > files)
		n = files;
	return n > 0 ? n : 1;
}

/* Read every job, in parallel when there are several. */
static void
jobs_read(struct load_jobs *jobs)
{
	pthread_t th[LOAD_THREADS_MAX - 1];
	size_t want = load_threads(jobs);
	size_t nth = 0;
	size_t i;

	atomic_init(&jobs->next, 0);
	/* When a thread cannot start, the others (and this one) do more. */
	while (nth + 1 < want &&
	       thread_start_named(&th[nth], "md-load", jobs_run, jobs) == 0)
		nth++;
	jobs_run(jobs);
	for (i = 0; i < nth; i++)
		pthread_join(th[i], NULL);
}

/*
 * Read every job and merge in order, so the result does not depend on
 * the number of threads.
 */
static int
jobs_finish(struct resource_set *set, struct load_jobs *jobs,
	    struct diag_list *errs)
{
	size_t i;
	int rc = 0;

	jobs_read(jobs);
	for (i = 0; i < jobs->n; i++) {
		struct load_job *j = &jobs->v[i];

		diag_list_move(errs, &j->diags);
		if (j->path != NULL)
			add_digest(set, j->digest);
		if (j->rc == -ENOMEM)
			rc = -ENOMEM;
		if (rc == 0 && j->set != NULL && absorb(set, j->set) < 0)
			rc = -ENOMEM;
		resource_set_free(j->set);
		free(j->path);
	}
	free(jobs->v);
	return rc;
}

static int
load_dir(const char *path, const struct stat *st, const struct dir_chain *up,
	 struct load_jobs *jobs)
{
	struct dirent **ents = NULL;
	struct dir_chain here = { st->st_dev, st->st_ino, up };
	const struct dir_chain *a;
	size_t plen = strlen(path);
	int n;
	int i;
	int rc = 0;

	struct diag_list *walk = NULL;

	for (a = up; a != NULL; a = a->up) {
		if (a->dev == st->st_dev && a->ino == st->st_ino) {
			if ((walk = jobs_diags(jobs)) == NULL)
				return -ENOMEM;
			char *name = file_path_clean(path);

			diag_warning(walk, NULL, 0, 0,
				     "skipping %s: directory loop",
				     name != NULL ? name : path);
			free(name);
			return 0;
		}
	}
	if ((n = scandir(path, &ents, not_hidden, name_cmp)) < 0) {
		int e = errno;

		if ((walk = jobs_diags(jobs)) == NULL)
			return -ENOMEM;
		cannot_read(walk, path, e);
		return -1;
	}
	for (i = 0; i < n; i++) {
		struct stat sub;
		char *full = NULL;

		if (rc == -ENOMEM)
			continue;	/* only free what is left */
		if (asprintf(&full, "%s%s%s", path,
			     plen > 0 && path[plen - 1] == '/' ? "" : "/",
			     ents[i]->d_name) < 0) {
			rc = -ENOMEM;
			continue;
		}
		if (stat(full, &sub) < 0) {
			int e = errno;

			if ((walk = jobs_diags(jobs)) == NULL)
				rc = -ENOMEM;
			else
				cannot_read(walk, full, e);
		} else if (S_ISDIR(sub.st_mode)) {
			if (load_dir(full, &sub, &here, jobs) == -ENOMEM)
				rc = -ENOMEM;
		} else if (jobs->skip && sub.st_dev == jobs->skip_dev &&
			   sub.st_ino == jobs->skip_ino) {
			;	/* the config file: no resource */
		} else if (S_ISREG(sub.st_mode) &&
			   has_yaml_suffix(ents[i]->d_name)) {
			if (jobs_add(jobs, full) < 0)
				rc = -ENOMEM;
		}
		free(full);
	}
	for (i = 0; i < n; i++)
		free(ents[i]);
	free(ents);
	return rc;
}

int
resource_set_load_path(struct resource_set *set, const char *path,
		       struct diag_list *errs)
{
	struct stat st;
	uint64_t digest = 0;
	int rc;

	if (stat(path, &st) < 0) {
		cannot_read(errs, path, errno);
		return -1;
	}
	if (S_ISDIR(st.st_mode)) {
		const struct set_priv *pr = set->priv;
		struct load_jobs jobs;
		int rc2;

		memset(&jobs, 0, sizeof(jobs));
		jobs.drop_yaml = pr->drop_yaml;
		jobs.skip = pr->skip;
		jobs.skip_dev = pr->skip_dev;
		jobs.skip_ino = pr->skip_ino;
		rc = load_dir(path, &st, NULL, &jobs);
		rc2 = jobs_finish(set, &jobs, errs);
		return rc == -ENOMEM || rc2 == -ENOMEM ? -ENOMEM : rc;
	}
	rc = load_file(set, path, &digest, errs);
	add_digest(set, digest);
	return rc;
}

uint64_t
resource_set_digest(const struct resource_set *set)
{
	return ((const struct set_priv *)set->priv)->digest;
}

/* The digest of one file, as load_file() computes it.  0 or -1. */
static int
path_file_digest(const char *path, uint64_t *out)
{
	char *buf = NULL;
	size_t len = 0;
	int e;

	if ((e = file_read(path, &buf, &len)) != 0)
		return e == ENOMEM ? -ENOMEM : -1;
	*out = file_digest(path, buf, len);
	free(buf);
	return 0;
}

void
resource_set_skip_file(struct resource_set *set, const char *path)
{
	struct set_priv *pr = set->priv;
	struct load_jobs jobs;

	memset(&jobs, 0, sizeof(jobs));
	jobs_skip(&jobs, path);
	pr->skip = jobs.skip;
	pr->skip_dev = jobs.skip_dev;
	pr->skip_ino = jobs.skip_ino;
}

int
resource_path_digest(const char *path, const char *skip, uint64_t *digest)
{
	struct load_jobs jobs;
	struct stat st;
	uint64_t acc = *digest;
	uint64_t d = 0;
	size_t i;
	int rc = -1;

	memset(&jobs, 0, sizeof(jobs));
	if (stat(path, &st) < 0)
		goto out;
	/* Not a pipe or a device: reading it here would take it from the
	 * build. */
	if (S_ISREG(st.st_mode)) {
		if ((rc = path_file_digest(path, &d)) == 0)
			acc = chain_file(acc, d);
		goto out;
	}
	if (!S_ISDIR(st.st_mode))
		goto out;
	/* The files load_dir() finds, in its order; no walk problem. */
	jobs_skip(&jobs, skip);
	if ((rc = load_dir(path, &st, NULL, &jobs)) < 0)
		goto out;
	for (i = 0; i < jobs.n && rc == 0; i++) {
		if (jobs.v[i].path == NULL || jobs.v[i].diags.n > 0)
			rc = -1;
		else if ((rc = path_file_digest(jobs.v[i].path, &d)) == 0)
			acc = chain_file(acc, d);
	}
out:
	for (i = 0; i < jobs.n; i++) {
		diag_list_clear(&jobs.v[i].diags);
		free(jobs.v[i].path);
	}
	free(jobs.v);
	if (rc == 0)
		*digest = acc;
	return rc;
}

/* --- units: one per file --- */

static void
jobs_from_units(struct load_jobs *jobs, const struct resource_units *u)
{
	memset(jobs, 0, sizeof(*jobs));
	jobs->drop_yaml = u->drop_yaml;
	jobs->skip = u->skip;
	jobs->skip_dev = u->skip_dev;
	jobs->skip_ino = u->skip_ino;
}

/*
 * Read @jobs and make each file a unit of @group.  With @strict, a file
 * that reads with an error is not applied (its messages go to @kept);
 * else it is, as a full read does.  Every job is freed.
 */
static int
jobs_to_units(struct resource_units *u, size_t group, struct load_jobs *jobs,
	      int strict, struct diag_list *errs, struct diag_list *kept,
	      struct resource_changes *changes, int *failed)
{
	size_t i;
	int rc = 0;

	jobs_read(jobs);
	for (i = 0; i < jobs->n; i++) {
		struct load_job *j = &jobs->v[i];

		if (j->rc == -ENOMEM)
			rc = -ENOMEM;
		if (j->rc == -1 && failed != NULL)
			*failed = 1;
		if (j->path != NULL && strict &&
		    (j->diags.errors > 0 || j->rc < 0)) {
			diag_list_move(kept, &j->diags);
		} else {
			diag_list_move(errs, &j->diags);
			if (rc == 0 && j->path != NULL && j->set != NULL) {
				rc = resource_units_apply(u, group, j->path,
							  j->set, 1,
							  j->digest, changes);
				j->set = NULL;
			}
		}
		resource_set_free(j->set);
		free(j->path);
	}
	free(jobs->v);
	jobs->v = NULL;
	jobs->n = 0;
	return rc;
}

void
resource_units_skip_file(struct resource_units *u, const char *path)
{
	struct load_jobs jobs;

	memset(&jobs, 0, sizeof(jobs));
	jobs_skip(&jobs, path);
	u->skip = jobs.skip;
	u->skip_dev = jobs.skip_dev;
	u->skip_ino = jobs.skip_ino;
}

int
resource_units_load_path(struct resource_units *u, size_t group,
			 const char *path, struct diag_list *errs)
{
	struct load_jobs jobs;
	struct stat st;
	int failed = 0;
	int rc = 0;
	int rc2;

	if (stat(path, &st) < 0) {
		cannot_read(errs, path, errno);
		return -1;
	}
	jobs_from_units(&jobs, u);
	if (S_ISDIR(st.st_mode))
		rc = load_dir(path, &st, NULL, &jobs);
	else if (jobs_add(&jobs, path) < 0)
		rc = -ENOMEM;
	rc2 = jobs_to_units(u, group, &jobs, 0, errs, errs, NULL, &failed);
	/* A file read alone fails as resource_set_load_path() fails. */
	if (rc == 0 && !S_ISDIR(st.st_mode) && failed)
		rc = -1;
	return rc == -ENOMEM || rc2 == -ENOMEM ? -ENOMEM : rc;
}

/* Is @path the file the walks leave out? */
static int
units_skipped(const struct resource_units *u, const struct stat *st)
{
	return u->skip && st->st_dev == u->skip_dev &&
	       st->st_ino == u->skip_ino;
}

/*
 * Remove the units of @group under directory @dir whose file the walk in
 * @jobs did not find (sorted as the units are).
 */
static int
remove_unseen(struct resource_units *u, size_t group, const char *dir,
	      const struct load_jobs *jobs, struct resource_changes *changes)
{
	size_t n = strlen(dir);
	size_t at;
	size_t i;
	int rc;

	resource_units_find(u, group, dir, &at);
	while (at < u->n && u->v[at].group == group &&
	       strncmp(u->v[at].key, dir, n) == 0 &&
	       (u->v[at].key[n] == '/' || u->v[at].key[n] == '\0' ||
		(n > 0 && dir[n - 1] == '/'))) {
		size_t lo = 0;
		size_t hi = jobs->n;
		int seen = 0;

		/* The walk's order is the units' (resource_units.h). */
		while (lo < hi && !seen) {
			int r;

			i = lo + (hi - lo) / 2;
			r = resource_units_key_cmp(u->v[at].key,
						   jobs->v[i].path);
			if (r == 0)
				seen = 1;
			else if (r < 0)
				hi = i;
			else
				lo = i + 1;
		}
		if (seen) {
			at++;
			continue;
		}
		if ((rc = resource_units_remove(u, group, u->v[at].key,
						changes)) < 0)
			return rc;
	}
	return 0;
}

int
resource_units_sync(struct resource_units *u, size_t group, const char *path,
		    struct diag_list *errs, struct diag_list *kept,
		    struct resource_changes *changes)
{
	struct load_jobs jobs;
	struct load_jobs seen;
	struct stat st;
	size_t i;
	int rc = 0;

	memset(&seen, 0, sizeof(seen));
	if (stat(path, &st) < 0) {
		if (errno == ENOENT || errno == ENOTDIR)
			return resource_units_remove(u, group, path, changes);
		cannot_read(kept, path, errno);
		return 0;
	}
	jobs_from_units(&jobs, u);
	if (S_ISDIR(st.st_mode)) {
		rc = load_dir(path, &st, NULL, &jobs);
		/* What the walk found, to remove the units of the rest. */
		for (i = 0; rc != -ENOMEM && i < jobs.n; i++)
			if (jobs.v[i].path != NULL &&
			    jobs_add(&seen, jobs.v[i].path) < 0)
				rc = -ENOMEM;
	} else if (S_ISREG(st.st_mode) && !units_skipped(u, &st)) {
		if (jobs_add(&jobs, path) < 0)
			rc = -ENOMEM;
	}
	if (jobs_to_units(u, group, &jobs, 1, errs, kept, changes, NULL) < 0)
		rc = -ENOMEM;
	if (rc != -ENOMEM && S_ISDIR(st.st_mode))
		rc = remove_unseen(u, group, path, &seen, changes);
	for (i = 0; i < seen.n; i++) {
		diag_list_clear(&seen.v[i].diags);
		free(seen.v[i].path);
	}
	free(seen.v);
	return rc == -ENOMEM ? -ENOMEM : 0;
}
