/* SPDX-License-Identifier: MIT */
/* transfer.c -- the zone transfer policy of a running server. */
#include "autoconfig.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/transfer.h"
#include "dns/journal.h"
#include "dns/tsig.h"
#include "util/log.h"

/* A key's bytes: its name in wire format and its secret. */
struct key_bytes {
	uint8_t name[256];
	uint8_t secret[TSIG_SECRET_MAX];
};

struct transfer {
	struct tsig_key *keys;
	struct key_bytes *bytes;
	struct tsig_keys keyset;
	struct xfr_allow *allow;
	struct xfr_policy policy;
	struct journal *journal;
};

/*
 * The name @text ("xfr-key.", checked by the config: letters, digits,
 * '-', labels of 1 to 63) in wire format into @out; its length.
 */
static size_t
name_wire(const char *text, uint8_t *out)
{
	size_t n = 0;

	while (*text != '\0') {
		size_t l = strcspn(text, ".");

		out[n] = (uint8_t)l;
		memcpy(out + n + 1, text, l);
		n += l + 1;
		text += l;
		if (*text == '.')
			text++;
	}
	out[n++] = 0;
	return n;
}

int
transfer_new(struct transfer **out, const struct config *cfg, char *err,
	     size_t errsize)
{
	struct transfer *tr = calloc(1, sizeof(*tr));
	size_t i, j;
	int rc = -ENOMEM;

	if (tr == NULL ||
	    (tr->keys = calloc(cfg->nkeys + 1, sizeof(*tr->keys))) == NULL ||
	    (tr->bytes = calloc(cfg->nkeys + 1, sizeof(*tr->bytes))) == NULL ||
	    (tr->allow = calloc(cfg->nxfr_allow + 1,
				sizeof(*tr->allow))) == NULL)
		goto out;
	for (i = 0; i < cfg->nkeys; i++) {
		const struct config_key *ck = &cfg->keys[i];
		struct tsig_key *k = &tr->keys[i];

		rc = -EINVAL;
		if (tsig_algorithm(ck->algorithm, &k->alg, &k->alg_len) < 0 ||
		    ck->secret_len > TSIG_SECRET_MAX ||
		    strlen(ck->name) > 253) {
			snprintf(err, errsize, "key %s: cannot be used",
				 ck->name);
			goto out;
		}
		k->name_len = name_wire(ck->name, tr->bytes[i].name);
		k->name = tr->bytes[i].name;
		memcpy(tr->bytes[i].secret, ck->secret, ck->secret_len);
		k->secret = tr->bytes[i].secret;
		k->secret_len = ck->secret_len;
	}
	tr->keyset.keys = tr->keys;
	tr->keyset.count = cfg->nkeys;
	for (i = 0; i < cfg->nxfr_allow; i++) {
		const struct config_xfr_allow *a = &cfg->xfr_allow[i];

		rc = -EINVAL;
		if (netaddr_cidr_parse(&tr->allow[i].net, a->cidr, err,
				       errsize) < 0)
			goto out;
		if (a->key == NULL)
			continue;
		for (j = 0; j < cfg->nkeys; j++)
			if (strcmp(cfg->keys[j].name, a->key) == 0)
				tr->allow[i].key = &tr->keys[j];
		if (tr->allow[i].key == NULL) {
			snprintf(err, errsize, "transfer.allow: key %s is not "
				 "declared in keys:", a->key);
			goto out;
		}
	}
	if ((rc = journal_new(&tr->journal, cfg->xfr_journal_count,
			      cfg->xfr_journal_bytes)) < 0)
		goto out;
	tr->policy.keys = &tr->keyset;
	tr->policy.allow = tr->allow;
	tr->policy.nallow = cfg->nxfr_allow;
	tr->policy.journal = tr->journal;
	*out = tr;
	tr = NULL;
	rc = 0;
out:
	if (rc == -ENOMEM)
		snprintf(err, errsize, "out of memory");
	transfer_free(tr);
	return rc;
}

void
transfer_free(struct transfer *tr)
{
	if (tr == NULL)
		return;
	journal_free(tr->journal);
	if (tr->bytes != NULL)
		memset(tr->bytes, 0, tr->keyset.count * sizeof(*tr->bytes));
	free(tr->bytes);
	free(tr->keys);
	free(tr->allow);
	free(tr);
}

const struct xfr_policy *
transfer_policy(const struct transfer *tr)
{
	return &tr->policy;
}

void
transfer_record(struct transfer *tr, const struct table *old,
		const struct table *new)
{
	transfer_record_changes(tr, old, new, NULL);
}

void
transfer_record_changes(struct transfer *tr, const struct table *old,
			const struct table *new,
			const struct table_changes *changes)
{
	if (tr == NULL ||
	    journal_record_changes(tr->journal, old, new, changes) == 0)
		return;
	log_warning("transfer, out of memory recording the zones' changes; "
		    "IXFR answers with whole zones until the next change");
}
