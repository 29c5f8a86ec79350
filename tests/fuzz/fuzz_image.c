/* SPDX-License-Identifier: MIT */
/*
 * fuzz_image.c -- the start-up cache's image decoder, table_deserialize().
 *
 * A table that decodes is used as the server and the log would: its
 * counts, a few queries through answer_query() (names of zones/universal,
 * from which the seeds were made), and its serialisation, which must
 * decode again to the same bytes.  (The cache's digest and key in front of the image are
 * cache.c's; this is what is read once they match.)
 */
#include "autoconfig.h"

#include <stdlib.h>
#include <string.h>

#include "dns/answer.h"
#include "dns/table_image.h"
#include "fuzz.h"

/* Queries (ID, RD, one question, an OPT of 4096 bytes with DO). */
#define Q(name, type) "\x12\x34\x01\x00\x00\x01\x00\x00\x00\x00\x00\x01" \
	name "\x00\x00" type "\x00\x01" \
	"\x00\x00\x29\x10\x00\x00\x00\x80\x00\x00\x00"
static const struct {
	const char *q;
	size_t len;
} queries[] = {
#define QUERY(name, type) { Q(name, type), sizeof(Q(name, type)) - 1 }
	QUERY("\x05redis\x03svc\x04mesh\x05local", "\x01"),
	QUERY("\x05redis\x03svc\x04mesh\x05local", "\x21"),
	QUERY("\x05redis\x04mesh", "\x1c"),
	QUERY("\x04mesh\x05local", "\x06"),
	QUERY("\x04mesh\x05local", "\x02"),
	QUERY("\x04none\x04mesh\x05local", "\x01"),
	QUERY("\x07" "example" "\x03" "com", "\x01"),
#undef QUERY
};

static void
ask(const struct table *t)
{
	static uint8_t resp[65535];
	struct answer_query_ctx ctx = { .t = t, .tr = ANSWER_TCP };
	size_t i;

	for (i = 0; i < sizeof(queries) / sizeof(queries[0]); i++)
		(void)answer_query(&ctx, (const uint8_t *)queries[i].q,
				   queries[i].len, resp, sizeof(resp), NULL);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct table *t = NULL;
	struct table *back = NULL;
	uint8_t *img = NULL;
	uint8_t *img2 = NULL;
	size_t len = 0;
	size_t len2 = 0;
	char err[256];

	/* The message too: formatting it must not read outside either. */
	if (table_deserialize(data, size, &t, err, sizeof(err)) != 0) {
		if (t != NULL)
			abort();
		return 0;
	}
	(void)table_zone_count(t);
	(void)table_name_count(t);
	(void)table_record_count(t);
	(void)table_node_count(t);
	(void)table_view_count(t);
	ask(t);
	if (table_serialize(t, &img, &len) == 0) {
		if (table_deserialize(img, len, &back, NULL, 0) != 0)
			abort();
		if (table_serialize(back, &img2, &len2) == 0 &&
		    (len != len2 || memcmp(img, img2, len) != 0))
			abort();
	}
	free(img2);
	free(img);
	table_free(back);
	table_free(t);
	return 0;
}
