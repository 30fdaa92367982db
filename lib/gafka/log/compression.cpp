#include "gafka/log/compression.h"

#include <lz4frame.h>
#include <snappy.h>
#include <zlib.h>
#include <zstd.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <memory>

#include "gafka/util/endian.h"

namespace gafka::log {
namespace {

constexpr std::string_view xerial_magic("\x82SNAPPY\0", 8);
constexpr std::size_t xerial_header_size = 16;  // magic, version, compatible version
constexpr std::int32_t xerial_version = 1;
constexpr std::size_t xerial_block_size = 32 << 10;  // snappy-java's default block
constexpr int zstd_level = 3;                        // zstd's default

// Room in `out` for a streaming decoder: grows in steps up to limit + 1
// bytes past where it started, so a stream that needs more than `limit`
// shows itself by filling that one extra byte.
class bounded_output {
public:
    bounded_output(std::string& out, std::size_t limit) : out_(out), start_(out.size()), cap_(limit + 1) {}
    // Where the next bytes go and how many fit; 0 when the cap is reached.
    std::size_t room(char*& at) {
        if (out_.size() - start_ == written_) {
            std::size_t grow = std::min(std::max<std::size_t>(written_, 64 << 10), cap_ - written_);
            out_.resize(out_.size() + grow);
        }
        at = out_.data() + start_ + written_;
        return out_.size() - start_ - written_;
    }
    void wrote(std::size_t n) { written_ += n; }
    bool over_limit() const { return written_ >= cap_; }
    // Trims the unused room; on failure drops everything written.
    status finish(status s) {
        if (s.ok() && over_limit())
            s = status::too_large("batch decompresses to more than " + std::to_string(cap_ - 1) + " bytes");
        out_.resize(start_ + (s.ok() ? written_ : 0));
        return s;
    }

private:
    std::string& out_;
    std::size_t start_, cap_, written_ = 0;
};

status corrupt(const char* codec_name, std::string_view why) {
    return status::corruption(std::string("malformed ") + codec_name + " data: " + std::string(why));
}

// --- gzip ---

status gzip_compress(std::string_view in, std::string& out) {
    z_stream z{};
    if (deflateInit2(&z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
        return status::io_error("zlib: deflateInit2 failed");
    auto start = out.size();
    out.resize(start + deflateBound(&z, static_cast<uLong>(in.size())));
    z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
    z.avail_in = static_cast<uInt>(in.size());
    z.next_out = reinterpret_cast<Bytef*>(out.data() + start);
    z.avail_out = static_cast<uInt>(out.size() - start);
    int r = deflate(&z, Z_FINISH);
    out.resize(start + z.total_out);
    deflateEnd(&z);
    return r == Z_STREAM_END ? status{} : status::io_error("zlib: deflate failed");
}

status gzip_decompress(std::string_view in, std::string& out, std::size_t limit) {
    z_stream z{};
    if (inflateInit2(&z, 15 + 16) != Z_OK) return status::io_error("zlib: inflateInit2 failed");
    std::unique_ptr<z_stream, int (*)(z_stream*)> end(&z, inflateEnd);
    bounded_output o(out, limit);
    z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
    z.avail_in = static_cast<uInt>(in.size());
    for (;;) {
        char* at;
        auto n = o.room(at);
        if (n == 0) break;
        z.next_out = reinterpret_cast<Bytef*>(at);
        z.avail_out = static_cast<uInt>(n);
        int r = inflate(&z, Z_NO_FLUSH);
        o.wrote(n - z.avail_out);
        if (r == Z_STREAM_END) {
            if (z.avail_in == 0) return o.finish({});
            if (inflateReset(&z) != Z_OK) return o.finish(corrupt("gzip", "reset failed"));
            continue;  // another gzip member follows
        }
        if (r == Z_BUF_ERROR && z.avail_out != 0) return o.finish(corrupt("gzip", "stream ends early"));
        if (r != Z_OK && r != Z_BUF_ERROR) return o.finish(corrupt("gzip", z.msg ? z.msg : "inflate failed"));
    }
    return o.finish({});
}

// --- snappy ---

status snappy_raw_decompress(std::string_view in, std::string& out, std::size_t limit) {
    std::size_t n = 0;
    if (!snappy::GetUncompressedLength(in.data(), in.size(), &n)) return corrupt("snappy", "bad length");
    if (n > limit) return status::too_large("batch decompresses to more than " + std::to_string(limit) + " bytes");
    // Checks the whole block before allocating what it claims to need.
    if (!snappy::IsValidCompressedBuffer(in.data(), in.size())) return corrupt("snappy", "bad block");
    auto start = out.size();
    out.resize(start + n);
    if (!snappy::RawUncompress(in.data(), in.size(), out.data() + start)) {
        out.resize(start);
        return corrupt("snappy", "bad block");
    }
    return {};
}

status snappy_xerial_decompress(std::string_view in, std::string& out, std::size_t limit) {
    auto start = out.size();
    auto fail = [&](status s) {
        out.resize(start);
        return s;
    };
    in.remove_prefix(xerial_header_size);
    while (!in.empty()) {
        if (in.size() < 4) return fail(corrupt("snappy", "truncated xerial block length"));
        auto len = util::load_be<std::uint32_t>(in.data());
        in.remove_prefix(4);
        if (len > in.size()) return fail(corrupt("snappy", "xerial block past the end"));
        auto s = snappy_raw_decompress(in.substr(0, len), out, limit - (out.size() - start));
        if (!s.ok()) return fail(s);
        in.remove_prefix(len);
    }
    return {};
}

status snappy_xerial_compress(std::string_view in, std::string& out) {
    std::array<char, xerial_header_size> header{};
    std::memcpy(header.data(), xerial_magic.data(), xerial_magic.size());
    util::store_be<std::int32_t>(header.data() + 8, xerial_version);
    util::store_be<std::int32_t>(header.data() + 12, xerial_version);
    out.append(header.data(), header.size());
    std::string block;
    for (std::size_t pos = 0; pos < in.size(); pos += xerial_block_size) {
        auto chunk = in.substr(pos, xerial_block_size);
        snappy::Compress(chunk.data(), chunk.size(), &block);
        char len[4];
        util::store_be<std::uint32_t>(len, static_cast<std::uint32_t>(block.size()));
        out.append(len, 4);
        out.append(block);
    }
    return {};
}

// --- lz4 ---

status lz4_compress(std::string_view in, std::string& out) {
    LZ4F_preferences_t prefs{};
    prefs.frameInfo.blockSizeID = LZ4F_max64KB;
    prefs.frameInfo.blockMode = LZ4F_blockIndependent;  // Kafka's Java reader decodes each block alone
    auto start = out.size();
    out.resize(start + LZ4F_compressFrameBound(in.size(), &prefs));
    auto n = LZ4F_compressFrame(out.data() + start, out.size() - start, in.data(), in.size(), &prefs);
    if (LZ4F_isError(n)) {
        out.resize(start);
        return status::io_error(std::string("lz4: ") + LZ4F_getErrorName(n));
    }
    out.resize(start + n);
    return {};
}

status lz4_decompress(std::string_view in, std::string& out, std::size_t limit) {
    LZ4F_dctx* ctx = nullptr;
    if (LZ4F_isError(LZ4F_createDecompressionContext(&ctx, LZ4F_VERSION))) return status::io_error("lz4: no context");
    std::unique_ptr<LZ4F_dctx, LZ4F_errorCode_t (*)(LZ4F_dctx*)> free_ctx(ctx, LZ4F_freeDecompressionContext);
    bounded_output o(out, limit);
    std::size_t hint = 1;  // 0 once a frame ends
    for (;;) {
        char* at;
        auto room = o.room(at);
        if (room == 0) break;
        auto n = room;
        auto src = in.size();
        auto r = LZ4F_decompress(ctx, at, &n, in.data(), &src, nullptr);
        if (LZ4F_isError(r)) return o.finish(corrupt("lz4", LZ4F_getErrorName(r)));
        o.wrote(n);
        in.remove_prefix(src);
        // A call that did nothing after a frame's end asks for the next frame: keep the 0.
        if (n > 0 || src > 0) hint = r;
        if (in.empty() && n < room) break;  // all input read, nothing held back
        if (n == 0 && src == 0) return o.finish(corrupt("lz4", "no progress"));
    }
    if (!o.over_limit() && hint != 0) return o.finish(corrupt("lz4", "frame ends early"));
    return o.finish({});
}

// --- zstd ---

status zstd_compress(std::string_view in, std::string& out) {
    auto start = out.size();
    out.resize(start + ZSTD_compressBound(in.size()));
    auto n = ZSTD_compress(out.data() + start, out.size() - start, in.data(), in.size(), zstd_level);
    if (ZSTD_isError(n)) {
        out.resize(start);
        return status::io_error(std::string("zstd: ") + ZSTD_getErrorName(n));
    }
    out.resize(start + n);
    return {};
}

status zstd_decompress(std::string_view in, std::string& out, std::size_t limit) {
    std::unique_ptr<ZSTD_DCtx, std::size_t (*)(ZSTD_DCtx*)> ctx(ZSTD_createDCtx(), ZSTD_freeDCtx);
    if (!ctx) return status::io_error("zstd: no context");
    ZSTD_DCtx_setParameter(ctx.get(), ZSTD_d_windowLogMax, zstd_max_window_log);
    bounded_output o(out, limit);
    ZSTD_inBuffer src{in.data(), in.size(), 0};
    std::size_t hint = 1;  // 0 once a frame ends
    for (;;) {
        char* at;
        auto room = o.room(at);
        if (room == 0) break;
        ZSTD_outBuffer dst{at, room, 0};
        auto before = src.pos;
        auto r = ZSTD_decompressStream(ctx.get(), &dst, &src);
        if (ZSTD_isError(r)) return o.finish(corrupt("zstd", ZSTD_getErrorName(r)));
        o.wrote(dst.pos);
        // A call that did nothing after a frame's end asks for the next frame: keep the 0.
        if (dst.pos > 0 || src.pos > before) hint = r;
        if (src.pos == src.size && dst.pos < room) break;  // all input read, nothing held back
        if (dst.pos == 0 && src.pos == before) return o.finish(corrupt("zstd", "no progress"));
    }
    if (!o.over_limit() && hint != 0) return o.finish(corrupt("zstd", "frame ends early"));
    return o.finish({});
}

}  // namespace

const char* to_string(codec c) {
    switch (c) {
        case codec::none: return "none";
        case codec::gzip: return "gzip";
        case codec::snappy: return "snappy";
        case codec::lz4: return "lz4";
        case codec::zstd: return "zstd";
    }
    return "unknown";
}

status compress(codec c, std::string_view in, std::string& out) {
    switch (c) {
        case codec::none: out.append(in); return {};
        case codec::gzip: return gzip_compress(in, out);
        case codec::snappy: return snappy_xerial_compress(in, out);
        case codec::lz4: return lz4_compress(in, out);
        case codec::zstd: return zstd_compress(in, out);
    }
    return status::invalid_argument("unknown codec");
}

status decompress(codec c, std::string_view in, std::string& out, std::size_t limit) {
    switch (c) {
        case codec::none:
            if (in.size() > limit) return status::too_large("more than " + std::to_string(limit) + " bytes");
            out.append(in);
            return {};
        case codec::gzip: return gzip_decompress(in, out, limit);
        case codec::snappy:
            if (in.size() >= xerial_header_size && in.starts_with(xerial_magic))
                return snappy_xerial_decompress(in, out, limit);
            return snappy_raw_decompress(in, out, limit);
        case codec::lz4: return lz4_decompress(in, out, limit);
        case codec::zstd: return zstd_decompress(in, out, limit);
    }
    return status::invalid_argument("unknown codec");
}

const char* to_string(compression_type t) {
    auto i = static_cast<std::size_t>(t);
    return i < compression_type_names.size() ? compression_type_names[i] : "unknown";
}

std::optional<compression_type> parse_compression_type(std::string_view name) {
    for (std::size_t i = 0; i < compression_type_names.size(); ++i)
        if (name == compression_type_names[i]) return static_cast<compression_type>(i);
    return std::nullopt;
}

std::string compression_type_list() {
    std::string s;
    for (const char* n : compression_type_names) s += (s.empty() ? "" : ", ") + std::string(n);
    return s;
}

std::optional<codec> stored_codec(compression_type t) {
    switch (t) {
        case compression_type::producer: return std::nullopt;
        case compression_type::uncompressed: return codec::none;
        case compression_type::gzip: return codec::gzip;
        case compression_type::snappy: return codec::snappy;
        case compression_type::lz4: return codec::lz4;
        case compression_type::zstd: return codec::zstd;
    }
    return std::nullopt;
}

}  // namespace gafka::log
