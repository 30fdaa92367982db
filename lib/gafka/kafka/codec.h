#pragma once
// The one generic reader and writer of Kafka message bodies: they walk a
// struct_schema (kafka/schema.h) for one version. In a flexible version
// strings, bytes, records and arrays take their compact form and every struct
// ends with a tagged-field section; unknown tags are skipped on read, and a
// tagged field is written only when it differs from its default (as Kafka's
// generated code does). Fields absent in the version are neither read nor
// written and hold their defaults in the tree (kafka/value.h).
//
// decode reads one struct and never reads past the reader's end; a malformed
// body is a corruption status. encode cannot fail: a null in a version where
// the field is not nullable is written as empty, and a classic (non-compact)
// string longer than 32767 bytes is the caller's bug (cut to 32767).
#include "gafka/kafka/schema.h"
#include "gafka/kafka/value.h"
#include "gafka/kafka/wire.h"
#include "gafka/util/status.h"

namespace gafka::kafka {

result<value> decode(const struct_schema& schema, api_version_t version, bool flexible, reader& in);
void encode(const struct_schema& schema, api_version_t version, bool flexible, const value& v, writer& out);

}  // namespace gafka::kafka
