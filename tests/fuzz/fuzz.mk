# tests/fuzz/fuzz.mk -- the libFuzzer harnesses' own build (GNU make), run
# by `make fuzz` from the top Makefile, which passes srcdir, builddir, CC,
# LIB_SOURCES (the library's sources), PKG_CFLAGS, PKG_LIBS, HARNESSES and
# FUZZ_SECONDS.  Everything goes to fuzz-build/ in the build directory:
# the objects (the library's again, built with clang and the sanitizers,
# so the normal build is untouched), the harnesses, the corpora the runs
# grow (corpus/<harness>/), the findings (crashes/<harness>/) and the logs.

B = fuzz-build
FUZZ_FLAGS =
SAN = -fsanitize=address,undefined -fno-sanitize-recover=all \
	-fno-omit-frame-pointer
CPPFLAGS_F = -I$(builddir) -I$(srcdir)/src -I$(srcdir)/tests/fuzz \
	-DFUZZ_SRCDIR='"$(srcdir)"'
CFLAGS_F = -g -O1 -Wall -Wextra -Wno-unused-parameter $(PKG_CFLAGS) $(SAN)

LIB_C = $(filter %.c,$(LIB_SOURCES))
LIB_H = $(addprefix $(srcdir)/,$(filter %.h,$(LIB_SOURCES)))
LIB_O = $(patsubst %.c,$(B)/obj/%.o,$(LIB_C))
PROGS = $(patsubst %,$(B)/fuzz_%,$(HARNESSES))

all: $(PROGS)

# The library and the shared harness code: coverage for the fuzzer, no
# main (the harnesses' link adds libFuzzer's).
$(B)/obj/%.o: $(srcdir)/%.c $(LIB_H) $(builddir)/autoconfig.h \
		$(srcdir)/tests/fuzz/fuzz.h
	@mkdir -p $(@D)
	@echo "  CC(fuzz) $*.c"
	@$(CC) $(CPPFLAGS_F) $(CFLAGS_F) -fsanitize=fuzzer-no-link -c -o $@ $<

$(B)/libmeshdns-fuzz.a: $(LIB_O)
	@rm -f $@
	@ar cr $@ $(LIB_O)

$(B)/fuzz_%: $(B)/obj/tests/fuzz/fuzz_%.o $(B)/obj/tests/fuzz/fuzz.o \
		$(B)/libmeshdns-fuzz.a
	@echo "  CCLD(fuzz) $@"
	@$(CC) $(SAN) -fsanitize=fuzzer -o $@ $^ $(PKG_LIBS)

# Each harness for FUZZ_SECONDS, from its seeds (tests/fuzz/<h>/seeds),
# the regression inputs (tests/fuzz/<h>/crashes) and what earlier runs
# found (corpus/<h>).  Any finding -- a crash, a leak, a sanitizer report,
# an input slower than 10 s, more than 2 GB -- fails the run: the input is
# in crashes/<h>/ and the report at the end of <h>.log.
run: all
	@rc=0; \
	for h in $(HARNESSES); do \
		mkdir -p $(B)/corpus/$$h $(B)/crashes/$$h; \
		dirs="$(B)/corpus/$$h $(srcdir)/tests/fuzz/$$h/seeds"; \
		if [ -d $(srcdir)/tests/fuzz/$$h/crashes ]; then \
			dirs="$$dirs $(srcdir)/tests/fuzz/$$h/crashes"; \
		fi; \
		if ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 \
		   UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
		   $(B)/fuzz_$$h -max_total_time=$(FUZZ_SECONDS) -timeout=10 \
			-rss_limit_mb=2048 -print_final_stats=1 \
			-artifact_prefix=$(B)/crashes/$$h/ $(FUZZ_FLAGS) \
			$$dirs >$(B)/$$h.log 2>&1; then \
			echo "fuzz $$h: ok, `sed -n 's/^stat::number_of_executed_units: *//p' $(B)/$$h.log` runs, `sed -n 's/^stat::average_exec_per_sec: *//p' $(B)/$$h.log`/s, `sed -n 's/^stat::new_units_added: *//p' $(B)/$$h.log` new inputs in $(B)/corpus/$$h"; \
		else \
			rc=1; \
			tail -n 60 $(B)/$$h.log; \
			echo "fuzz $$h: FAILED (the input is in $(B)/crashes/$$h/, the log is $(B)/$$h.log)"; \
		fi; \
	done; \
	exit $$rc

.PHONY: all run
.SECONDARY:
.DELETE_ON_ERROR:
