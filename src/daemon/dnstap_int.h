/* SPDX-License-Identifier: MIT */
/* dnstap_int.h -- private to dnstap.c and dnstap_pb.c. */
#ifndef MESHDNS_DNSTAP_INT_H
#define MESHDNS_DNSTAP_INT_H

#include <stddef.h>

/*
 * Load libprotobuf-c (util/dl.h), which the generated dnstap.pb-c.c
 * packs with: before the first frame.  0, or -1 with a message in @err
 * that names dnstap.socket, the library and its package.
 */
int dnstap_pb_load(char *err, size_t errsize);

#endif
