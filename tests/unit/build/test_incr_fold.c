/* SPDX-License-Identifier: MIT */
/*
 * test_incr_fold.c -- test_incr.c again, with build.c compiled in so
 * that an apply folds its blocks of shared names (build.c
 * blocks_fold()) past 4 of them instead of 4096: the case of too many
 * blocks, which needs more than 4096 services otherwise, is then taken
 * by most applies, each of which must still equal a full build and free
 * what it must.  White-box: the limit is build.c's own constant; this
 * program's build.c replaces the library's.
 */
#define BUILD_MAX_BLOCKS 4
#include "../../../src/build/build.c"
#include "test_incr.c"
