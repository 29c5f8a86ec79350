/* SPDX-License-Identifier: MIT */
/* watch.c -- the resource paths, watched with inotify. */
#include "autoconfig.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include "daemon/watch.h"
#include "util/log.h"

/* What a directory is watched for. */
#define DIR_EVENTS (IN_CLOSE_WRITE | IN_MODIFY | IN_CREATE | IN_DELETE | \
		    IN_MOVED_FROM | IN_MOVED_TO | IN_DELETE_SELF | \
		    IN_MOVE_SELF | IN_ONLYDIR)

/* Deeper than this is a loop of symbolic links. */
#define DEPTH_MAX 64

/*
 * One watched directory: a directory of the walk (@only NULL), or the
 * directory of a -r file (@only its name there, @file the -r path).  A
 * directory reached both ways has one inotify watch and two entries.
 */
struct wdir {
	int wd;
	size_t group;
	char *path;
	char *only;
	char *file;
};

struct watch {
	struct ev_loop *loop;
	watch_fn *fn;
	void *arg;
	int fd;
	ev_io io;
	ev_timer settle;
	struct wdir *v;
	size_t n;
	size_t cap;
	char **roots;		/* cfg->resources, copied */
	size_t nroots;
	char *config_file;	/* left out, by device and inode */
	struct build_path *changed;
	char *writing;		/* per changed path: written to, not closed
				 * since (an empty one waits for its close) */
	size_t nchanged;
	size_t changed_cap;
	int full;
};

static void
wdir_clear(struct wdir *d)
{
	free(d->path);
	free(d->only);
	free(d->file);
}

static int
has_yaml_suffix(const char *name)
{
	size_t n = strlen(name);

	return (n > 5 && strcmp(name + n - 5, ".yaml") == 0) ||
	       (n > 4 && strcmp(name + n - 4, ".yml") == 0);
}

/* @dir and @name joined as the walk joins them (resource_load.c). */
static char *
join(const char *dir, const char *name)
{
	size_t n = strlen(dir);
	char *s = NULL;

	if (asprintf(&s, "%s%s%s", dir, n > 0 && dir[n - 1] == '/' ? "" : "/",
		     name) < 0)
		return NULL;
	return s;
}

static int
add_entry(struct watch *w, int wd, size_t group, const char *path,
	  const char *only, const char *file)
{
	struct wdir *d = NULL;
	size_t i;

	for (i = 0; i < w->n; i++) {
		d = &w->v[i];
		if (d->wd == wd && d->group == group &&
		    (d->only == NULL) == (only == NULL) &&
		    (only == NULL || strcmp(d->only, only) == 0)) {
			/* The same directory again (renamed back): its
			 * name now. */
			char *p = strdup(path);

			if (p == NULL)
				return -ENOMEM;
			free(d->path);
			d->path = p;
			return 0;
		}
	}
	if (w->n == w->cap) {
		size_t cap = w->cap ? 2 * w->cap : 16;

		if ((d = realloc(w->v, cap * sizeof(*d))) == NULL)
			return -ENOMEM;
		w->v = d;
		w->cap = cap;
	}
	d = &w->v[w->n];
	memset(d, 0, sizeof(*d));
	d->wd = wd;
	d->group = group;
	if ((d->path = strdup(path)) == NULL ||
	    (only != NULL && (d->only = strdup(only)) == NULL) ||
	    (file != NULL && (d->file = strdup(file)) == NULL)) {
		wdir_clear(d);
		return -ENOMEM;
	}
	w->n++;
	return 0;
}

/* Forget the entries of @wd (the kernel dropped the watch). */
static void
drop_wd(struct watch *w, int wd)
{
	size_t i;
	size_t k = 0;

	for (i = 0; i < w->n; i++) {
		if (w->v[i].wd == wd)
			wdir_clear(&w->v[i]);
		else
			w->v[k++] = w->v[i];
	}
	w->n = k;
}

static int
watching(const struct watch *w, int wd)
{
	size_t i;

	for (i = 0; i < w->n; i++)
		if (w->v[i].wd == wd && w->v[i].only == NULL)
			return 1;
	return 0;
}

/*
 * Watch directory @path of @group and every directory under it (not the
 * hidden ones).  A directory that cannot be watched is logged and left
 * out.  0 or -ENOMEM.
 */
static int
add_tree(struct watch *w, size_t group, const char *path, int depth)
{
	struct dirent **ents = NULL;
	int n;
	int i;
	int wd;
	int rc = 0;

	if (depth > DEPTH_MAX)
		return 0;
	if ((wd = inotify_add_watch(w->fd, path, DIR_EVENTS)) < 0) {
		if (errno != ENOENT && errno != ENOTDIR)
			log_warning("watch, cannot watch %s (%s): changes "
				    "there need SIGHUP", path,
				    strerror(errno));
		return 0;
	}
	if (watching(w, wd)) {
		/* Reached again: a rename within the tree, or a loop. */
		return add_entry(w, wd, group, path, NULL, NULL);
	}
	if ((rc = add_entry(w, wd, group, path, NULL, NULL)) < 0)
		return rc;
	if ((n = scandir(path, &ents, NULL, alphasort)) < 0)
		return 0;
	for (i = 0; i < n; i++) {
		struct stat st;
		char *sub = NULL;

		if (rc == 0 && ents[i]->d_name[0] != '.' &&
		    (sub = join(path, ents[i]->d_name)) == NULL)
			rc = -ENOMEM;
		if (sub != NULL && stat(sub, &st) == 0 && S_ISDIR(st.st_mode))
			rc = add_tree(w, group, sub, depth + 1);
		free(sub);
		free(ents[i]);
	}
	free(ents);
	return rc;
}

/* Watch resources[@group], @path: a directory, or a file's directory. */
static int
add_root(struct watch *w, size_t group, const char *path, char *err,
	 size_t errlen)
{
	struct stat st;
	char *dir = NULL;
	const char *base = NULL;
	const char *slash = NULL;
	int wd;
	int rc = 0;

	if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
		return add_tree(w, group, path, 0);
	/* A file (or nothing yet): its directory, for its name. */
	slash = strrchr(path, '/');
	base = slash != NULL ? slash + 1 : path;
	if (slash == path)
		dir = strdup("/");
	else if (slash != NULL)
		dir = strndup(path, (size_t)(slash - path));
	else
		dir = strdup(".");
	if (dir == NULL)
		return -ENOMEM;
	if ((wd = inotify_add_watch(w->fd, dir, DIR_EVENTS)) < 0) {
		snprintf(err, errlen, "cannot watch %s (%s)", path,
			 strerror(errno));
		goto out;
	}
	rc = add_entry(w, wd, group, dir, base, path);
out:
	free(dir);
	return rc;
}

/*
 * Note @path of @group as changed; @writing when the event says a writer
 * may still be at it (a write or a creation, not a close or a rename).
 */
static int
note(struct watch *w, size_t group, const char *path, int writing)
{
	struct build_path *v = NULL;
	char *c = NULL;
	size_t i;

	for (i = 0; i < w->nchanged; i++) {
		if (w->changed[i].group == group &&
		    strcmp(w->changed[i].path, path) == 0) {
			w->writing[i] = (char)writing;
			return 0;
		}
	}
	if (w->nchanged == w->changed_cap) {
		size_t cap = w->changed_cap ? 2 * w->changed_cap : 8;

		if ((v = realloc(w->changed, cap * sizeof(*v))) == NULL)
			return -ENOMEM;
		w->changed = v;
		if ((c = realloc(w->writing, cap)) == NULL)
			return -ENOMEM;
		w->writing = c;
		w->changed_cap = cap;
	}
	if ((w->changed[w->nchanged].path = strdup(path)) == NULL)
		return -ENOMEM;
	w->writing[w->nchanged] = (char)writing;
	w->changed[w->nchanged++].group = group;
	return 0;
}

/* Still being written: empty, and not closed since it was written to. */
static int
unwritten(const struct watch *w, size_t i)
{
	struct stat st;

	return w->writing[i] && stat(w->changed[i].path, &st) == 0 &&
	       S_ISREG(st.st_mode) && st.st_size == 0;
}

static void
changed_clear(struct watch *w)
{
	size_t i;

	for (i = 0; i < w->nchanged; i++)
		free(w->changed[i].path);
	w->nchanged = 0;
	w->full = 0;
}

/* Is @path the config file? */
static int
is_config(const struct watch *w, const char *path)
{
	struct stat a;
	struct stat b;

	return w->config_file != NULL && stat(w->config_file, &a) == 0 &&
	       stat(path, &b) == 0 && a.st_dev == b.st_dev &&
	       a.st_ino == b.st_ino;
}

/* Stop watching the directories under @path (moved out of the tree). */
static void
forget_tree(struct watch *w, const char *path)
{
	size_t n = strlen(path);
	size_t i;

	for (i = 0; i < w->n; i++) {
		const struct wdir *d = &w->v[i];

		if (d->only == NULL && strncmp(d->path, path, n) == 0 &&
		    (d->path[n] == '/' || d->path[n] == '\0'))
			inotify_rm_watch(w->fd, d->wd);	/* IN_IGNORED */
	}
}

/*
 * One event of entry @d.  *@now is set for what is written whole.
 * 0 or -ENOMEM.
 */
static int
event(struct watch *w, const struct wdir *d, const struct inotify_event *e,
      int *now)
{
	char *path = NULL;
	int rc = 0;

	if (e->len == 0 || e->name[0] == '\0') {
		/* The directory itself went: what was under it goes. */
		if (e->mask & (IN_DELETE_SELF | IN_MOVE_SELF) &&
		    d->only == NULL)
			return note(w, d->group, d->path, 0);
		return 0;
	}
	if (d->only != NULL) {
		if (strcmp(e->name, d->only) != 0)
			return 0;
		if (e->mask & (IN_CLOSE_WRITE | IN_MOVED_TO))
			*now = 1;
		return note(w, d->group, d->file,
			    (e->mask & (IN_MODIFY | IN_CREATE)) != 0);
	}
	if (e->name[0] == '.')
		return 0;
	if ((path = join(d->path, e->name)) == NULL)
		return -ENOMEM;
	if (e->mask & IN_ISDIR) {
		if (e->mask & IN_MOVED_FROM)
			forget_tree(w, path);
		if (e->mask & (IN_CREATE | IN_MOVED_TO)) {
			if ((rc = add_tree(w, d->group, path, 0)) < 0)
				goto out;
			*now = 1;
		}
		rc = note(w, d->group, path, 0);
		goto out;
	}
	if (!has_yaml_suffix(e->name) || is_config(w, path))
		goto out;
	if (e->mask & (IN_CLOSE_WRITE | IN_MOVED_TO))
		*now = 1;
	rc = note(w, d->group, path, (e->mask & (IN_MODIFY | IN_CREATE)) != 0);
out:
	free(path);
	return rc;
}

/*
 * Hand the changed paths over, but those still empty while being written
 * (`kubectl get ... -o yaml >file` truncates the file long before it
 * writes): they wait for their close, so that a file is not taken for
 * empty.  They go first in the list; the others after.
 */
static void
deliver(struct watch *w)
{
	struct build_path t;
	size_t keep = 0;
	size_t i;

	if (w->nchanged == 0 && !w->full)
		return;
	for (i = 0; i < w->nchanged; i++) {
		if (!unwritten(w, i))
			continue;
		t = w->changed[keep];
		w->changed[keep] = w->changed[i];
		w->changed[i] = t;
		w->writing[i] = w->writing[keep];
		w->writing[keep] = 1;
		keep++;
	}
	if (w->nchanged > keep || w->full)
		w->fn(w->arg, w->changed + keep, w->nchanged - keep, w->full);
	for (i = keep; i < w->nchanged; i++)
		free(w->changed[i].path);
	w->nchanged = keep;
	w->full = 0;
}

static void
settle_cb(struct ev_loop *loop, ev_timer *t, int revents)
{
	struct watch *w = (struct watch *)((char *)t -
					   offsetof(struct watch, settle));

	(void)loop;
	(void)revents;
	deliver(w);
}

static int
add_roots(struct watch *w, char *err, size_t errlen)
{
	size_t i;
	int rc;

	for (i = 0; i < w->nroots; i++)
		if ((rc = add_root(w, i, w->roots[i], err, errlen)) < 0)
			return rc;
	return 0;
}

static void
io_cb(struct ev_loop *loop, ev_io *io, int revents)
{
	struct watch *w = (struct watch *)((char *)io -
					   offsetof(struct watch, io));
	char buf[64 * (sizeof(struct inotify_event) + NAME_MAX + 1)]
		__attribute__((aligned(__alignof__(struct inotify_event))));
	char err[512];
	ssize_t len;
	int now = 0;
	int any = 0;
	int oom = 0;

	(void)revents;
	while ((len = read(w->fd, buf, sizeof(buf))) > 0) {
		char *p;

		for (p = buf; p < buf + len;) {
			const struct inotify_event *e = (const void *)p;
			size_t i;

			p += sizeof(*e) + e->len;
			if (e->mask & IN_Q_OVERFLOW) {
				log_warning("watch, the kernel's event queue "
					    "overflowed: reading every "
					    "resource path again");
				w->full = 1;
				now = 1;
				err[0] = '\0';
				if (add_roots(w, err, sizeof(err)) < 0)
					oom = 1;
				continue;
			}
			if (e->mask & IN_IGNORED) {
				drop_wd(w, e->wd);
				continue;
			}
			/* Each entry of the directory: copy, the list may
			 * grow. */
			for (i = 0; i < w->n; i++) {
				struct wdir d = w->v[i];

				if (d.wd != e->wd)
					continue;
				any = 1;
				if (event(w, &d, e, &now) < 0)
					oom = 1;
			}
		}
	}
	if (oom) {
		log_error("watch, out of memory: reading every resource path "
			  "again");
		w->full = 1;
		now = 1;
	}
	if (!any && !w->full)
		return;
	ev_timer_stop(loop, &w->settle);
	if (w->nchanged == 0 && !w->full)
		return;
	ev_timer_set(&w->settle, now ? 0. : WATCH_SETTLE_MS / 1000., 0.);
	ev_timer_start(loop, &w->settle);
}

int
watch_same(const struct watch *w, const struct config *cfg)
{
	size_t i;

	if (w->nroots != cfg->nresources ||
	    (w->config_file == NULL) != (cfg->file == NULL) ||
	    (cfg->file != NULL && strcmp(w->config_file, cfg->file) != 0))
		return 0;
	for (i = 0; i < w->nroots; i++)
		if (strcmp(w->roots[i], cfg->resources[i]) != 0)
			return 0;
	return 1;
}

int
watch_new(struct watch **out, struct ev_loop *loop, const struct config *cfg,
	  watch_fn *fn, void *arg, char *err, size_t errlen)
{
	struct watch *w = NULL;
	size_t i;
	int rc = -ENOMEM;

	*out = NULL;
	err[0] = '\0';
	if ((w = calloc(1, sizeof(*w))) == NULL)
		return -ENOMEM;
	w->loop = loop;
	w->fn = fn;
	w->arg = arg;
	if ((w->fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC)) < 0) {
		snprintf(err, errlen, "cannot watch the resource paths (%s): "
			 "changes need SIGHUP", strerror(errno));
		free(w);
		return -1;
	}
	ev_io_init(&w->io, io_cb, w->fd, EV_READ);
	ev_init(&w->settle, settle_cb);
	if (cfg->nresources > 0 &&
	    (w->roots = calloc(cfg->nresources, sizeof(*w->roots))) == NULL)
		goto out;
	for (i = 0; i < cfg->nresources; i++) {
		if ((w->roots[i] = strdup(cfg->resources[i])) == NULL)
			goto out;
		w->nroots++;
	}
	if (cfg->file != NULL &&
	    (w->config_file = strdup(cfg->file)) == NULL)
		goto out;
	if ((rc = add_roots(w, err, errlen)) < 0)
		goto out;
	ev_io_start(loop, &w->io);
	*out = w;
	w = NULL;
	rc = 0;
out:
	watch_free(w);
	return rc;
}

void
watch_free(struct watch *w)
{
	size_t i;

	if (w == NULL)
		return;
	ev_io_stop(w->loop, &w->io);
	ev_timer_stop(w->loop, &w->settle);
	close(w->fd);
	for (i = 0; i < w->n; i++)
		wdir_clear(&w->v[i]);
	free(w->v);
	for (i = 0; i < w->nroots; i++)
		free(w->roots[i]);
	free(w->roots);
	free(w->config_file);
	changed_clear(w);
	free(w->changed);
	free(w->writing);
	free(w);
}
