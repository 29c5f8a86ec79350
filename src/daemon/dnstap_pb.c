/* SPDX-License-Identifier: MIT */
/*
 * dnstap_pb.c -- protoc-c's code for dnstap.proto, with libprotobuf-c
 * loaded at run time.
 *
 * The generated gen/dnstap.pb-c.c holds the message descriptors, and
 * wrappers that call five libprotobuf-c functions by name; compiled on
 * its own it would make libprotobuf-c a link-time dependency of every
 * meshdns, dnstap or not.  It is compiled here instead, with those five
 * names bound to forwarders through the table that dnstap_pb_load()
 * fills (util/dl.h).  Nothing calls a wrapper before dnstap_new() has
 * loaded the library.
 */
#include "autoconfig.h"

#include <protobuf-c/protobuf-c.h>

#include "daemon/dnstap_int.h"
#include "util/dl.h"

static struct {
	__typeof__(protobuf_c_message_get_packed_size) *get_packed_size;
	__typeof__(protobuf_c_message_pack) *pack;
	__typeof__(protobuf_c_message_pack_to_buffer) *pack_to_buffer;
	__typeof__(protobuf_c_message_unpack) *unpack;
	__typeof__(protobuf_c_message_free_unpacked) *free_unpacked;
} pbc;

static void
pbc_resolve(struct dl_lib *lib)
{
	pbc.get_packed_size = dl_sym(lib, "protobuf_c_message_get_packed_size");
	pbc.pack = dl_sym(lib, "protobuf_c_message_pack");
	pbc.pack_to_buffer = dl_sym(lib, "protobuf_c_message_pack_to_buffer");
	pbc.unpack = dl_sym(lib, "protobuf_c_message_unpack");
	pbc.free_unpacked = dl_sym(lib, "protobuf_c_message_free_unpacked");
}

static struct dl_lib pbc_lib = {
	PROTOBUFC_SONAME, PROTOBUFC_PACKAGE, "dnstap.socket", pbc_resolve,
	PTHREAD_MUTEX_INITIALIZER, NULL, NULL, 0
};

int
dnstap_pb_load(char *err, size_t errsize)
{
	return dl_load(&pbc_lib, err, errsize);
}

static size_t
pb_get_packed_size(const ProtobufCMessage *m)
{
	return pbc.get_packed_size(m);
}

static size_t
pb_pack(const ProtobufCMessage *m, uint8_t *out)
{
	return pbc.pack(m, out);
}

static size_t
pb_pack_to_buffer(const ProtobufCMessage *m, ProtobufCBuffer *buf)
{
	return pbc.pack_to_buffer(m, buf);
}

static ProtobufCMessage *
pb_unpack(const ProtobufCMessageDescriptor *desc, ProtobufCAllocator *a,
	  size_t len, const uint8_t *data)
{
	return pbc.unpack(desc, a, len, data);
}

static void
pb_free_unpacked(ProtobufCMessage *m, ProtobufCAllocator *a)
{
	pbc.free_unpacked(m, a);
}

/* The generated code, calling the forwarders above. */
#define protobuf_c_message_get_packed_size pb_get_packed_size
#define protobuf_c_message_pack pb_pack
#define protobuf_c_message_pack_to_buffer pb_pack_to_buffer
#define protobuf_c_message_unpack pb_unpack
#define protobuf_c_message_free_unpacked pb_free_unpacked
#include <dnstap.pb-c.c>
