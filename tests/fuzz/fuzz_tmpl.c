/* SPDX-License-Identifier: MIT */
/*
 * fuzz_tmpl.c -- a HostnameGenerator template through compile and render.
 *
 * The input is the template text (cut at its first NUL, as a YAML string
 * would be).  A template that compiles is rendered with fixed variables
 * and labels into a name buffer of Kuma's size, then into a short one.
 */
#include "autoconfig.h"

#include <stdlib.h>
#include <string.h>

#include "kuma/tmpl.h"
#include "fuzz.h"

static const char *const labels[][2] = {
	{ "app", "redis" },
	{ "empty", "" },
	{ "k8s.kuma.io/namespace", "kuma-demo" },
	{ "MiXeD", "MiXeD-Value" },
	{ "long", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
		  "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" },
};

static const char *
label(void *ctx, const char *key)
{
	size_t i;

	for (i = 0; i < sizeof(labels) / sizeof(labels[0]); i++)
		if (strcmp(labels[i][0], key) == 0)
			return labels[i][1];
	return NULL;
}

/* Render into @size bytes; the result is NUL-terminated within them. */
static void
render(const struct tmpl *t, const struct tmpl_vars *vars, size_t size)
{
	char buf[254];
	char errbuf[128];
	int rc;

	rc = tmpl_render(t, vars, buf, size, errbuf, sizeof(errbuf));
	if (memchr(buf, '\0', size) == NULL ||
	    memchr(errbuf, '\0', sizeof(errbuf)) == NULL)
		abort();
	if ((rc == 0) != (errbuf[0] == '\0') || (rc != 0 && buf[0] != '\0'))
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tmpl_vars vars = {
		.name = "redis",
		.display_name = "Redis",
		.namespace = "kuma-demo",
		.mesh = "default",
		.zone = "zone-1",
		.label = label,
		.label_ctx = NULL,
	};
	struct tmpl_error err;
	struct tmpl *t = NULL;
	char *src = NULL;
	int rc;

	if ((src = malloc(size + 1)) == NULL)
		return 0;
	memcpy(src, data, size);
	src[size] = '\0';
	rc = tmpl_compile(&t, src, &err);
	if (rc == 0) {
		render(t, &vars, 254);
		render(t, &vars, 8);
		vars.label = NULL;
		render(t, &vars, 254);
	} else if (t != NULL || memchr(err.msg, '\0', sizeof(err.msg)) == NULL) {
		abort();
	}
	tmpl_free(t);
	free(src);
	return 0;
}
