/* SPDX-License-Identifier: MIT */
/*
 * fuzz.h -- what the libFuzzer harnesses of tests/fuzz share.
 *
 * Each harness is one program (fuzz_<name>.c) defining
 * LLVMFuzzerTestOneInput(); libFuzzer (clang -fsanitize=fuzzer) provides
 * main().  FUZZ_SRCDIR, the source tree's absolute path, is defined by
 * the Makefile, for the harnesses that build from zones/.
 */
#ifndef MESHDNS_FUZZ_H
#define MESHDNS_FUZZ_H

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Stop the run: a harness's own set-up failed (not a finding). */
void fuzz_die(const char *what) __attribute__((noreturn));

/*
 * A private scratch directory under $TMPDIR (or /tmp), made once and
 * removed at exit with what fuzz_write() put there; the path is static.
 */
const char *fuzz_tmpdir(void);

/* Write @len bytes of @data to @path (replaced), or fuzz_die(). */
void fuzz_write(const char *path, const void *data, size_t len);

#endif
