#include "gafka/kafka/frame.h"

#include "gafka/kafka/api_table.h"
#include "gafka/kafka/codec.h"
#include "gafka/kafka/wire.h"

namespace gafka::kafka {

namespace {

// A tagged section whose fields the header does not define: skipped.
void skip_tagged(reader& in) {
    std::uint32_t count = in.uvarint();
    for (std::uint32_t i = 0; i < count && in.ok(); ++i) {
        (void)in.uvarint();
        in.skip(in.uvarint());
    }
}

// The body of a frame whose prefix has been checked against its length.
result<std::string_view> frame_body(std::string_view frame, std::size_t max_frame_bytes) {
    if (frame.size() < frame_prefix_size) return status::corruption("frame shorter than its size prefix");
    auto len = frame_length(frame.substr(0, frame_prefix_size), max_frame_bytes);
    if (!len.ok()) return len.error();
    if (*len != frame.size() - frame_prefix_size)
        return status::corruption("frame size " + std::to_string(*len) + " does not match its " +
                                  std::to_string(frame.size() - frame_prefix_size) + " bytes");
    return frame.substr(frame_prefix_size);
}

std::size_t begin_frame(std::string& out) {
    std::size_t at = out.size();
    out.append(frame_prefix_size, '\0');
    return at;
}

void end_frame(std::string& out, std::size_t at) {
    writer(out).patch_i32(at, static_cast<std::int32_t>(out.size() - at - frame_prefix_size));
}

}  // namespace

result<std::size_t> frame_length(std::string_view prefix, std::size_t max_frame_bytes) {
    reader in(prefix);
    std::int32_t n = in.i32();
    if (!in.ok()) return in.error();
    if (n < 0) return status::corruption("negative frame size " + std::to_string(n));
    if (static_cast<std::size_t>(n) > max_frame_bytes)
        return status::too_large("frame of " + std::to_string(n) + " bytes exceeds the limit of " +
                                 std::to_string(max_frame_bytes));
    return static_cast<std::size_t>(n);
}

int request_header_version(const api_schema& api, api_version_t version) { return api.flexible(version) ? 2 : 1; }

int response_header_version(const api_schema& api, api_version_t version) {
    if (api.key == api_key::api_versions) return 0;
    return api.flexible(version) ? 1 : 0;
}

result<request> decode_request(std::string_view frame, std::size_t max_frame_bytes) {
    auto body = frame_body(frame, max_frame_bytes);
    if (!body.ok()) return body.error();
    reader in(*body);
    request req;
    req.header.api_key = in.i16();
    req.header.api_version = in.i16();
    req.header.correlation_id = in.i32();
    if (!in.ok()) return in.error();
    req.api = find_api(req.header.api_key);
    if (req.api == nullptr) {
        req.supported = support::unknown_api;
        return req;
    }
    auto client_id = in.string(false, true);
    if (client_id) req.header.client_id = std::string(*client_id);
    if (!req.api->supported.contains(req.header.api_version)) {
        // Best effort: the client id of a version we do not know may not be there.
        if (!in.ok()) req.header.client_id.reset();
        req.supported = support::unsupported_version;
        return req;
    }
    bool flexible = req.api->flexible(req.header.api_version);
    if (flexible) skip_tagged(in);
    if (!in.ok()) return in.error();
    // Bytes after the body are ignored, as Kafka's broker does.
    auto decoded = decode(*req.api->request, req.header.api_version, flexible, in);
    if (!decoded.ok()) return decoded.error();
    req.body = std::move(*decoded);
    return req;
}

void encode_request(const api_schema& api, const request_header& header, const value& body, std::string& out) {
    std::size_t at = begin_frame(out);
    writer w(out);
    w.i16(header.api_key);
    w.i16(header.api_version);
    w.i32(header.correlation_id);
    w.string(header.client_id, false);
    bool flexible = api.flexible(header.api_version);
    if (flexible) w.uvarint(0);
    encode(*api.request, header.api_version, flexible, body, w);
    end_frame(out, at);
}

void encode_response(const api_schema& api, api_version_t version, std::int32_t correlation_id, const value& body,
                     std::string& out, std::vector<splice>* splices) {
    std::size_t at = begin_frame(out);
    auto first_splice = splices ? splices->size() : 0;
    writer w(out, splices);
    w.i32(correlation_id);
    if (response_header_version(api, version) == 1) w.uvarint(0);
    encode(*api.response, version, api.flexible(version), body, w);
    std::uint64_t external = 0;
    if (splices)
        for (auto i = first_splice; i < splices->size(); ++i) external += (*splices)[i].length;
    writer(out).patch_i32(at, static_cast<std::int32_t>(out.size() - at - frame_prefix_size + external));
}

result<response> decode_response(const api_schema& api, api_version_t version, std::string_view frame,
                                 std::size_t max_frame_bytes) {
    auto body = frame_body(frame, max_frame_bytes);
    if (!body.ok()) return body.error();
    reader in(*body);
    response resp;
    resp.correlation_id = in.i32();
    if (response_header_version(api, version) == 1) skip_tagged(in);
    if (!in.ok()) return in.error();
    auto decoded = decode(*api.response, version, api.flexible(version), in);
    if (!decoded.ok()) return decoded.error();
    resp.body = std::move(*decoded);
    return resp;
}

}  // namespace gafka::kafka
