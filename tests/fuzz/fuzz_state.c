/* SPDX-License-Identifier: MIT */
/*
 * fuzz_state.c -- the state file parser, past its checksum.
 *
 * The first input byte chooses: odd, the rest is the whole file as it is
 * (header, end line and checksum included); even, the rest is the records
 * only, and the harness adds the header and an end line with the right
 * count and CRC-32 (state.c's format), so that the fuzzer reaches the
 * records.  A state that parses must format and parse back to the same
 * state.
 */
#include "autoconfig.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "build/state.h"
#include "fuzz.h"

#define HEADER "meshdns-state 1\n"

/* Header + @body (+ a newline) + "end <lines> <crc>\n", malloc'ed. */
static char *
wrap(const uint8_t *body, size_t blen, size_t *len)
{
	char *text = NULL;
	char end[64];
	size_t hlen = strlen(HEADER);
	size_t n = hlen + blen;
	size_t lines = 0;
	size_t i;
	int elen;

	if ((text = malloc(hlen + blen + 1 + sizeof(end))) == NULL)
		return NULL;
	memcpy(text, HEADER, hlen);
	memcpy(text + hlen, body, blen);
	if (blen > 0 && body[blen - 1] != '\n')
		text[n++] = '\n';
	for (i = hlen; i < n; i++)
		if (text[i] == '\n')
			lines++;
	elen = snprintf(end, sizeof(end), "end %zu %08lx\n", lines,
			crc32(crc32(0L, Z_NULL, 0), (const Bytef *)text,
			      (uInt)n));
	memcpy(text + n, end, (size_t)elen);
	*len = n + (size_t)elen;
	return text;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct state *st = NULL;
	struct state *back = NULL;
	char *text = NULL;
	char *out = NULL;
	char err[256];
	size_t len = 0;
	size_t olen = 0;

	if (size < 1 || size > (1u << 20))
		return 0;
	if (data[0] & 1) {
		if ((text = malloc(size - 1 + 1)) == NULL)
			return 0;
		memcpy(text, data + 1, size - 1);
		len = size - 1;
	} else if ((text = wrap(data + 1, size - 1, &len)) == NULL) {
		return 0;
	}
	if (state_parse(&st, text, len, err, sizeof(err)) == 0) {
		if (st == NULL || state_format(st, &out, &olen) != 0)
			abort();
		if (state_parse(&back, out, olen, err, sizeof(err)) != 0) {
			fprintf(stderr, "formatted state does not parse: %s\n",
				err);
			abort();
		}
		if (!state_equal(st, back))
			abort();
	} else if (st != NULL || memchr(err, '\0', sizeof(err)) == NULL) {
		abort();
	}
	state_free(back);
	state_free(st);
	free(out);
	free(text);
	return 0;
}
