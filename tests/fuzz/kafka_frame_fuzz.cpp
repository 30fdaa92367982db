// The Kafka frame decoder (kafka/frame.h): whatever bytes a client sends,
// decode_request reports a status or a request, never reads out of bounds
// and never allocates by a length it has not checked. What decodes must
// re-encode and decode again to the same header and tree (the writer and
// the reader agree on every served API and version). The input is a stream
// of frames, as a connection delivers them; the first two bytes of an input
// that does not start like a frame are the api key and version, so the
// fuzzer reaches every table without having to find them.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "gafka/kafka/frame.h"

namespace {

namespace kafka = gafka::kafka;
constexpr std::size_t max_frame = 1 << 16;

void check(std::string_view frame) {
    auto req = kafka::decode_request(frame, max_frame);
    if (!req.ok() || req->supported != kafka::support::served) return;
    std::string again;
    kafka::encode_request(*req->api, req->header, req->body, again);
    auto back = kafka::decode_request(again, max_frame);
    if (!back.ok()) std::abort();                          // wrote what it cannot read
    if (!(back->header == req->header)) std::abort();
    if (!(back->body == req->body)) std::abort();          // the tree changed on the way
    std::string third;
    kafka::encode_request(*back->api, back->header, back->body, third);
    if (third != again) std::abort();                      // encoding is not a function of the tree
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view in(reinterpret_cast<const char*>(data), size);
    // As a connection reads: a prefix, checked before the body is read.
    std::string_view rest = in;
    while (rest.size() >= kafka::frame_prefix_size) {
        auto len = kafka::frame_length(rest.substr(0, kafka::frame_prefix_size), max_frame);
        if (!len.ok() || *len > rest.size() - kafka::frame_prefix_size) break;
        check(rest.substr(0, kafka::frame_prefix_size + *len));
        rest.remove_prefix(kafka::frame_prefix_size + *len);
    }
    // The whole input as one frame body behind a matching prefix.
    std::string framed(kafka::frame_prefix_size, '\0');
    std::uint32_t n = static_cast<std::uint32_t>(size);
    for (int i = 0; i < 4; ++i) framed[static_cast<std::size_t>(i)] = static_cast<char>(n >> (8 * (3 - i)));
    framed.append(in);
    check(framed);
    return 0;
}
