/* SPDX-License-Identifier: MIT */
/*
 * state_int.h -- what the tests of state.c tune.
 */
#ifndef MESHDNS_STATE_INT_H
#define MESHDNS_STATE_INT_H

#include <stddef.h>

/*
 * The journal is compacted when it grows past the state file and past
 * @bytes (1 MiB unless set): tests set it small.  Not thread-safe: set it
 * before any save.
 */
void state_set_journal_floor(size_t bytes);

#endif
