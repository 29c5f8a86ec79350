/* SPDX-License-Identifier: MIT */
/* test_wire.c -- unit tests for wire: the question parser, the OPT scanner. */
#include "autoconfig.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "dns/wire.h"

/* A case's bytes: a string literal and its length (it may hold NULs). */
#define B(s)	s, sizeof(s) - 1

/* Headers: ID 0x1234, RD, then QDCOUNT, ANCOUNT, NSCOUNT, ARCOUNT. */
#define HDR_QD(n)	"\x12\x34\x01\x00\x00" n "\x00\x00\x00\x00\x00\x00"
#define HDR_AR(an, ns, ar) \
	"\x12\x34\x01\x00\x00\x01\x00" an "\x00" ns "\x00" ar
/* "mesh." IN A: 10 bytes, so the question ends at offset 22. */
#define QUESTION	"\x04mesh\x00\x00\x01\x00\x01"
#define QEND		22
/* OPT: root owner, type 41, size 1232, RCODE 0, version 0, DO, no RDATA. */
#define OPT		"\x00\x00\x29\x04\xd0\x00\x00\x80\x00\x00\x00"
/* mesh. A 127.0.0.1, its owner a pointer to the question. */
#define RR_A		"\xc0\x0c\x00\x01\x00\x01\x00\x00\x00\x3c\x00\x04" \
			"\x7f\x00\x00\x01"
/* key. TSIG, class ANY, 6 bytes of RDATA (not looked at by the scan). */
#define TSIG		"\x03key\x00\x00\xfa\x00\xff\x00\x00\x00\x00\x00\x06" \
			"abcdef"

/* A copy of exactly @len bytes on the heap, so that ASan sees overreads. */
static uint8_t *
dup_msg(const char *bytes, size_t len)
{
	uint8_t *m = malloc(len ? len : 1);

	assert_non_null(m);
	memcpy(m, bytes, len);
	return m;
}

static void
test_question(void **state)
{
	static const struct {
		const char *what;
		const char *bytes;
		size_t len;
		int rc;
		size_t name_len;
		size_t end;
		uint16_t qtype;
		uint16_t qclass;
	} cases[] = {
		{ "one question", B(HDR_QD("\x01") QUESTION),
		  0, 6, QEND, 1, 1 },
		{ "bytes after it are not looked at",
		  B(HDR_QD("\x01") QUESTION "\xff\xff\xff"), 0, 6, QEND, 1, 1 },
		{ "the root name, CH TXT",
		  B(HDR_QD("\x01") "\x00\x00\x10\x00\x03"), 0, 1, 17, 16, 3 },
		{ "the query's case is not changed",
		  B(HDR_QD("\x01") "\x04MeSh\x00\x00\x1c\x00\x01"), 0, 6, QEND,
		  28, 1 },
		{ "a label of 63 bytes",
		  B(HDR_QD("\x01") "\x3f"
		    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
		    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
		    "\x00\x00\x01\x00\x01"), 0, 65, 81, 1, 1 },
		{ "shorter than a header", B("\x12\x34\x01\x00\x00\x01\x00\x00"
					     "\x00\x00\x00"),
		  -EINVAL, 0, 0, 0, 0 },
		{ "a header only", B(HDR_QD("\x01")), -EINVAL, 0, 0, 0, 0 },
		{ "QDCOUNT 0", B(HDR_QD("\x00") QUESTION),
		  -EINVAL, 0, 0, 0, 0 },
		{ "QDCOUNT 2", B(HDR_QD("\x02") QUESTION QUESTION),
		  -EINVAL, 0, 0, 0, 0 },
		{ "QDCOUNT 256 (its high byte counts)",
		  B("\x12\x34\x01\x00\x01\x00\x00\x00\x00\x00\x00\x00"
		    QUESTION), -EINVAL, 0, 0, 0, 0 },
		{ "the name runs past the end", B(HDR_QD("\x01") "\x04me"),
		  -EINVAL, 0, 0, 0, 0 },
		{ "no root label", B(HDR_QD("\x01") "\x04mesh"),
		  -EINVAL, 0, 0, 0, 0 },
		{ "a compression pointer",
		  B(HDR_QD("\x01") "\xc0\x0c\x00\x01\x00\x01"),
		  -EINVAL, 0, 0, 0, 0 },
		{ "a pointer after a label",
		  B(HDR_QD("\x01") "\x04mesh\xc0\x0c\x00\x01\x00\x01"),
		  -EINVAL, 0, 0, 0, 0 },
		{ "a label of 64 bytes (type 0x40)",
		  B(HDR_QD("\x01") "\x40" "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
		    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\x00\x00\x01\x00\x01"),
		  -EINVAL, 0, 0, 0, 0 },
		{ "a label of type 0x80",
		  B(HDR_QD("\x01") "\x80\x00\x00\x01\x00\x01"),
		  -EINVAL, 0, 0, 0, 0 },
		{ "cut in QTYPE/QCLASS",
		  B(HDR_QD("\x01") "\x04mesh\x00\x00\x01\x00"),
		  -EINVAL, 0, 0, 0, 0 },
		{ "no QTYPE/QCLASS", B(HDR_QD("\x01") "\x04mesh\x00"),
		  -EINVAL, 0, 0, 0, 0 },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct wire_question q = { 99, 99, 99, 99 };
		uint8_t *m = dup_msg(cases[i].bytes, cases[i].len);

		print_message("%s\n", cases[i].what);
		assert_int_equal(wire_question_parse(m, cases[i].len, &q),
				 cases[i].rc);
		if (cases[i].rc == 0) {
			assert_int_equal(q.name_len, cases[i].name_len);
			assert_int_equal(q.end, cases[i].end);
			assert_int_equal(q.qtype, cases[i].qtype);
			assert_int_equal(q.qclass, cases[i].qclass);
		} else {
			/* Unchanged on an error. */
			assert_int_equal(q.name_len, 99);
			assert_int_equal(q.end, 99);
			assert_int_equal(q.qtype, 99);
			assert_int_equal(q.qclass, 99);
		}
		free(m);
	}
}

/*
 * A name of @nlabels labels of @l bytes, then one of @last bytes (none
 * when 0), then the root, into @p; returns its length.
 */
static size_t
long_name(uint8_t *p, size_t nlabels, size_t l, size_t last)
{
	size_t off = 0;
	size_t i;

	for (i = 0; i < nlabels + (last > 0); i++) {
		size_t n = i < nlabels ? l : last;

		p[off++] = (uint8_t)n;
		memset(p + off, 'a', n);
		off += n;
	}
	p[off++] = 0;
	return off;
}

/*
 * Names of 255 bytes (the most, RFC 1035 section 3.1) and more, in the
 * question and as the owner of an RR.  Owners are checked as they always
 * were: the labels may take 255 bytes, then the root label, so a name of
 * 256 bytes passes there (one more than RFC 1035 allows; the answer to
 * such a query is the same either way, as its owners are not used).
 */
static void
test_name_length(void **state)
{
	static const struct {
		size_t last;	/* a label after three of 63 bytes */
		size_t len;	/* the name's length */
		int question_rc;
		int owner_rc;
	} cases[] = {
		{ 61, 255, 0, 0 },
		{ 62, 256, -EINVAL, 0 },
		{ 63, 257, -EINVAL, -EINVAL },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint8_t buf[600];
		struct wire_question q;
		struct wire_edns e;
		size_t off = LDNS_HEADER_SIZE;
		size_t nlen;
		uint8_t *m = NULL;

		print_message("%zu bytes\n", cases[i].len);
		/* In the question. */
		memcpy(buf, HDR_QD("\x01"), LDNS_HEADER_SIZE);
		nlen = long_name(buf + off, 3, 63, cases[i].last);
		assert_int_equal(nlen, cases[i].len);
		off += nlen;
		memcpy(buf + off, "\x00\x01\x00\x01", 4);
		off += 4;
		m = dup_msg((const char *)buf, off);
		assert_int_equal(wire_question_parse(m, off, &q),
				 cases[i].question_rc);
		if (cases[i].question_rc == 0) {
			assert_int_equal(q.name_len, cases[i].len);
			assert_int_equal(q.end, off);
		}
		free(m);

		/* As the owner of an additional RR (type A, no RDATA). */
		memcpy(buf, HDR_AR("\x00", "\x00", "\x01") QUESTION, QEND);
		off = QEND;
		off += long_name(buf + off, 3, 63, cases[i].last);
		memcpy(buf + off, "\x00\x01\x00\x01\x00\x00\x00\x00\x00\x00",
		       10);
		off += 10;
		m = dup_msg((const char *)buf, off);
		assert_int_equal(wire_opt_scan(m, off, QEND, &e, NULL),
				 cases[i].owner_rc);
		assert_int_equal(wire_name_skip(m, off, QEND),
				 cases[i].owner_rc == 0 ? off - 10 : 0);
		free(m);
	}
}

static void
test_opt_scan(void **state)
{
	static const struct {
		const char *what;
		const char *bytes;
		size_t len;
		int rc;
		bool present;
		uint16_t udp_size;
		uint8_t version;
		uint16_t flags;
	} cases[] = {
		{ "no other records",
		  B(HDR_AR("\x00", "\x00", "\x00") QUESTION),
		  0, false, 0, 0, 0 },
		{ "one OPT", B(HDR_AR("\x00", "\x00", "\x01") QUESTION OPT),
		  0, true, 1232, 0, 0x8000 },
		{ "bytes after the last record are not looked at",
		  B(HDR_AR("\x00", "\x00", "\x01") QUESTION OPT "\xff\xff"),
		  0, true, 1232, 0, 0x8000 },
		{ "version 1, size 100 (not bounded), no DO, extended RCODE",
		  B(HDR_AR("\x00", "\x00", "\x01") QUESTION
		    "\x00\x00\x29\x00\x64\x07\x01\x00\x00\x00\x00"),
		  0, true, 100, 1, 0 },
		{ "an option that fills the RDATA",
		  B(HDR_AR("\x00", "\x00", "\x01") QUESTION
		    "\x00\x00\x29\x04\xd0\x00\x00\x00\x00\x00\x08"
		    "\x00\x03\x00\x04nsid"), 0, true, 1232, 0, 0 },
		{ "two options, one empty",
		  B(HDR_AR("\x00", "\x00", "\x01") QUESTION
		    "\x00\x00\x29\x04\xd0\x00\x00\x00\x00\x00\x09"
		    "\x00\x03\x00\x00\x00\x0a\x00\x01x"), 0, true, 1232, 0, 0 },
		{ "an A before the OPT, its owner compressed",
		  B(HDR_AR("\x01", "\x00", "\x01") QUESTION RR_A OPT),
		  0, true, 1232, 0, 0x8000 },
		{ "an A after the OPT",
		  B(HDR_AR("\x00", "\x00", "\x02") QUESTION OPT RR_A),
		  0, true, 1232, 0, 0x8000 },
		/* Issue 10: FORMERR, as Knot, NSD and BIND (RFC 6891 6.1.1). */
		{ "an OPT in the answer section",
		  B(HDR_AR("\x01", "\x00", "\x00") QUESTION OPT),
		  -EINVAL, false, 0, 0, 0 },
		{ "an OPT in the authority section",
		  B(HDR_AR("\x00", "\x01", "\x00") QUESTION OPT),
		  -EINVAL, false, 0, 0, 0 },
		{ "... and with one in the additional",
		  B(HDR_AR("\x00", "\x01", "\x01") QUESTION OPT OPT),
		  -EINVAL, false, 0, 0, 0 },
		{ "a TSIG last", B(HDR_AR("\x00", "\x00", "\x02") QUESTION OPT
				   TSIG), 0, true, 1232, 0, 0x8000 },
		{ "a TSIG before the OPT",
		  B(HDR_AR("\x00", "\x00", "\x02") QUESTION TSIG OPT),
		  -EINVAL, false, 0, 0, 0 },
		{ "a TSIG in the answer section",
		  B(HDR_AR("\x01", "\x00", "\x00") QUESTION TSIG),
		  -EINVAL, false, 0, 0, 0 },
		{ "two OPTs",
		  B(HDR_AR("\x00", "\x00", "\x02") QUESTION OPT OPT),
		  -EINVAL, false, 0, 0, 0 },
		{ "an OPT owned by mesh.",
		  B(HDR_AR("\x00", "\x00", "\x01") QUESTION "\x04mesh"
		    "\x00\x00\x29\x04\xd0\x00\x00\x80\x00\x00\x00"),
		  -EINVAL, false, 0, 0, 0 },
		{ "an OPT owned by a pointer to the question",
		  B(HDR_AR("\x00", "\x00", "\x01") QUESTION
		    "\xc0\x0c\x00\x29\x04\xd0\x00\x00\x80\x00\x00\x00"),
		  -EINVAL, false, 0, 0, 0 },
		{ "an OPT owned by mesh., then a good one",
		  B(HDR_AR("\x00", "\x00", "\x02") QUESTION "\x04mesh"
		    "\x00\x00\x29\x04\xd0\x00\x00\x80\x00\x00\x00" OPT),
		  -EINVAL, false, 0, 0, 0 },
		{ "an option cut short",
		  B(HDR_AR("\x00", "\x00", "\x01") QUESTION
		    "\x00\x00\x29\x04\xd0\x00\x00\x00\x00\x00\x06"
		    "\x00\x03\x00\x04ns"), -EINVAL, false, 0, 0, 0 },
		{ "RDATA shorter than an option header",
		  B(HDR_AR("\x00", "\x00", "\x01") QUESTION
		    "\x00\x00\x29\x04\xd0\x00\x00\x00\x00\x00\x02\x00\x03"),
		  -EINVAL, false, 0, 0, 0 },
		{ "an OPT, then a record cut short",
		  B(HDR_AR("\x00", "\x00", "\x02") QUESTION OPT "\xc0\x0c\x00"),
		  -EINVAL, false, 0, 0, 0 },
		{ "ARCOUNT 2, one record", B(HDR_AR("\x00", "\x00", "\x02")
					    QUESTION OPT),
		  -EINVAL, false, 0, 0, 0 },
		{ "ANCOUNT 1, no record", B(HDR_AR("\x01", "\x00", "\x00")
					    QUESTION),
		  -EINVAL, false, 0, 0, 0 },
		{ "RDATA past the end",
		  B(HDR_AR("\x01", "\x00", "\x00") QUESTION
		    "\xc0\x0c\x00\x01\x00\x01\x00\x00\x00\x3c\x00\x05"
		    "\x7f\x00\x00\x01"), -EINVAL, false, 0, 0, 0 },
		{ "OPT RDATA past the end",
		  B(HDR_AR("\x00", "\x00", "\x01") QUESTION
		    "\x00\x00\x29\x04\xd0\x00\x00\x00\x00\x00\x04"),
		  -EINVAL, false, 0, 0, 0 },
		{ "the fixed part cut short",
		  B(HDR_AR("\x00", "\x00", "\x01") QUESTION
		    "\x00\x00\x29\x04\xd0\x00\x00\x80\x00\x00"),
		  -EINVAL, false, 0, 0, 0 },
		{ "a pointer cut short",
		  B(HDR_AR("\x01", "\x00", "\x00") QUESTION "\xc0"),
		  -EINVAL, false, 0, 0, 0 },
		{ "an owner label of type 0x40",
		  B(HDR_AR("\x01", "\x00", "\x00") QUESTION
		    "\x41\x00\x00\x01\x00\x01\x00\x00\x00\x3c\x00\x00"),
		  -EINVAL, false, 0, 0, 0 },
		{ "an owner label of type 0x80",
		  B(HDR_AR("\x01", "\x00", "\x00") QUESTION
		    "\x81\x00\x00\x01\x00\x01\x00\x00\x00\x3c\x00\x00"),
		  -EINVAL, false, 0, 0, 0 },
		{ "an owner running past the end",
		  B(HDR_AR("\x01", "\x00", "\x00") QUESTION "\x04me"),
		  -EINVAL, false, 0, 0, 0 },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct wire_edns e;
		struct wire_tsig t;
		uint8_t *m = dup_msg(cases[i].bytes, cases[i].len);

		print_message("%s\n", cases[i].what);
		memset(&e, 0xa5, sizeof(e));
		memset(&t, 0xa5, sizeof(t));
		assert_int_equal(wire_opt_scan(m, cases[i].len, QEND, &e, &t),
				 cases[i].rc);
		if (cases[i].rc == 0) {
			assert_int_equal(e.present, cases[i].present);
			assert_int_equal(e.udp_size, cases[i].udp_size);
			assert_int_equal(e.version, cases[i].version);
			assert_int_equal(e.flags, cases[i].flags);
			/* The TSIG: where it is, whatever its RDATA says. */
			assert_int_equal(t.present,
					 strstr(cases[i].what, "TSIG") != NULL);
			if (t.present) {
				assert_int_equal(t.owner, cases[i].len - 21);
				assert_int_equal(t.rdata, cases[i].len - 6);
				assert_int_equal(t.rdlen, 6);
			}
		}
		free(m);
	}
}

static void
test_opt_write(void **state)
{
	static const struct {
		uint16_t udp_size;
		unsigned rcode;
		uint16_t flags;
		const char *bytes;
	} cases[] = {
		{ WIRE_EDNS_SIZE, 0, 0, "\x00\x00\x29\x04\xd0\x00\x00\x00\x00"
					"\x00\x00" },
		{ WIRE_EDNS_SIZE, 16, WIRE_EDNS_DO,
		  "\x00\x00\x29\x04\xd0\x01\x00\x80\x00\x00\x00" },
		{ 4096, 3, WIRE_EDNS_DO, "\x00\x00\x29\x10\x00\x00\x00\x80\x00"
					 "\x00\x00" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint8_t p[WIRE_OPT_LEN + 1];

		memset(p, 0xee, sizeof(p));
		assert_int_equal(wire_opt_write(p, cases[i].udp_size,
						cases[i].rcode,
						cases[i].flags, WIRE_EDE_NONE),
				 WIRE_OPT_LEN);
		assert_memory_equal(p, cases[i].bytes, WIRE_OPT_LEN);
		assert_int_equal(p[WIRE_OPT_LEN], 0xee);
	}
}

static void
test_opt_write_ede(void **state)
{
	/* RDLENGTH 6: option 15, length 2, INFO-CODE 20 (RFC 8914). */
	static const uint8_t expect[] = {
		0x00, 0x00, 0x29, 0x04, 0xd0, 0x00, 0x00, 0x80, 0x00, 0x00,
		0x06, 0x00, 0x0f, 0x00, 0x02, 0x00, 0x14,
	};
	uint8_t p[WIRE_OPT_LEN + WIRE_EDE_LEN + 1];

	(void)state;
	memset(p, 0xee, sizeof(p));
	assert_int_equal(wire_opt_write(p, WIRE_EDNS_SIZE, 5, WIRE_EDNS_DO,
					WIRE_EDE_NOT_AUTH), sizeof(expect));
	assert_memory_equal(p, expect, sizeof(expect));
	assert_int_equal(p[sizeof(expect)], 0xee);
}

static void
test_questions_skip(void **state)
{
	static const struct {
		const char *what;
		const char *bytes;
		size_t len;
		size_t end;
	} cases[] = {
		{ "QDCOUNT 0", B("\x12\x34\x01\x00\x00\x00\x00\x00\x00\x00"
				 "\x00\x01" OPT), 12 },
		{ "QDCOUNT 1", B(HDR_AR("\x00", "\x00", "\x01") QUESTION OPT),
		  QEND },
		{ "QDCOUNT 2, the second compressed",
		  B("\x12\x34\x01\x00\x00\x02\x00\x00\x00\x00\x00\x01"
		    "\x04mesh\x00\x00\x01\x00\x01\xc0\x0c\x00\x1c\x00\x01"
		    OPT), 12 + 10 + 6 },
		{ "QDCOUNT 2, one there",
		  B("\x12\x34\x01\x00\x00\x02\x00\x00\x00\x00\x00\x00"
		    "\x04mesh\x00\x00\x01\x00\x01"), 0 },
		{ "QTYPE cut short",
		  B("\x12\x34\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00"
		    "\x04mesh\x00\x00\x01\x00"), 0 },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint8_t *m = dup_msg(cases[i].bytes, cases[i].len);

		print_message("%s\n", cases[i].what);
		assert_int_equal(wire_questions_skip(m, cases[i].len),
				 cases[i].end);
		free(m);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_question),
		cmocka_unit_test(test_name_length),
		cmocka_unit_test(test_opt_scan),
		cmocka_unit_test(test_opt_write),
		cmocka_unit_test(test_opt_write_ede),
		cmocka_unit_test(test_questions_skip),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
