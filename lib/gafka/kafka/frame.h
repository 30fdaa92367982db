#pragma once
// Kafka frames: a 4-byte big-endian size, then a header and a body.
// Request header v1 (api_key, api_version, correlation_id, nullable client_id
// as a classic string) for non-flexible versions, v2 (the same plus a tagged
// section) for flexible ones; response header v0 (correlation_id) or v1 (plus
// a tagged section) — except that an ApiVersions response always uses v0, so
// a client that does not know the broker's versions yet can read it.
//
// decode_request takes one whole frame (size prefix included) whose bytes
// the caller owns; the request's records views point into them. A frame
// over `max_frame_bytes`, or one whose prefix does not match its length, or
// malformed header or body bytes, is an error status (too_large, corruption).
// An api key or version gafka does not serve is not an error: the request
// comes back with `support` saying so and the header's first three fields
// read, so the connection can answer ApiVersions as v0 with error 35 (what
// clients fall back on) and close on anything else.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "gafka/kafka/schema.h"
#include "gafka/kafka/value.h"
#include "gafka/util/status.h"

namespace gafka::kafka {

inline constexpr std::size_t frame_prefix_size = 4;

struct request_header {
    api_key_t api_key = 0;
    api_version_t api_version = 0;
    std::int32_t correlation_id = 0;
    std::optional<std::string> client_id;
    bool operator==(const request_header&) const = default;
};

enum class support { served, unknown_api, unsupported_version };

struct request {
    request_header header;
    support supported = support::served;
    const api_schema* api = nullptr;  // null for an unknown api key
    value body;                       // null unless served
};

// The body length a size prefix announces, checked before the body is read:
// too_large over `max_frame_bytes`, corruption when negative.
result<std::size_t> frame_length(std::string_view prefix, std::size_t max_frame_bytes);

result<request> decode_request(std::string_view frame, std::size_t max_frame_bytes);

// The request header version for `api` at `version` (1 or 2), and the
// response header version (0 or 1).
int request_header_version(const api_schema& api, api_version_t version);
int response_header_version(const api_schema& api, api_version_t version);

// Whole frames, size prefix included, appended to `out`.
void encode_request(const api_schema& api, const request_header& header, const value& body, std::string& out);
// With `splices`, external record sets (records_t::external_slot) are left
// out of `out` and listed there, the size prefix counting them.
void encode_response(const api_schema& api, api_version_t version, std::int32_t correlation_id, const value& body,
                     std::string& out, std::vector<splice>* splices = nullptr);

struct response {
    std::int32_t correlation_id = 0;
    value body;
};
// The client side's reading of a response frame (tests, tools).
result<response> decode_response(const api_schema& api, api_version_t version, std::string_view frame,
                                 std::size_t max_frame_bytes);

}  // namespace gafka::kafka
