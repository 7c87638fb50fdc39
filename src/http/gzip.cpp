#include "http/gzip.hpp"

#include <zlib.h>

#include <algorithm>

namespace eventline::http {
namespace {

// 15 window bits, +32: detect gzip or zlib headers automatically.
constexpr int kAutoDetectWindowBits = 15 + 32;
constexpr std::size_t kInitialRatio = 4;

}  // namespace

InflateStatus inflate_body(std::string_view compressed, std::size_t max_bytes,
                           std::size_t padding, std::string& out) {
    z_stream stream{};
    if (inflateInit2(&stream, kAutoDetectWindowBits) != Z_OK) {
        return InflateStatus::corrupt;
    }
    stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(compressed.data()));
    stream.avail_in = static_cast<uInt>(compressed.size());

    // Start from a guess and grow geometrically; one byte over the limit is enough to
    // know the body is too large.
    std::size_t size = 0;
    out.resize(std::min(max_bytes + 1, std::max<std::size_t>(compressed.size() * kInitialRatio, 4096)));
    InflateStatus status = InflateStatus::ok;
    for (;;) {
        if (size == out.size()) {
            if (size > max_bytes) {
                status = InflateStatus::too_large;
                break;
            }
            out.resize(std::min(max_bytes + 1, out.size() * 2));
        }
        stream.next_out = reinterpret_cast<Bytef*>(out.data() + size);
        stream.avail_out = static_cast<uInt>(out.size() - size);
        const int result = inflate(&stream, Z_NO_FLUSH);
        size = out.size() - stream.avail_out;
        if (result == Z_STREAM_END) {
            status = size > max_bytes ? InflateStatus::too_large : InflateStatus::ok;
            if (status == InflateStatus::ok && stream.avail_in != 0) {
                status = InflateStatus::corrupt;  // trailing bytes after the gzip member
            }
            break;
        }
        if (result != Z_OK && !(result == Z_BUF_ERROR && stream.avail_out == 0)) {
            status = InflateStatus::corrupt;
            break;
        }
        if (result == Z_OK && stream.avail_in == 0 && stream.avail_out != 0) {
            status = InflateStatus::corrupt;  // truncated stream
            break;
        }
    }
    inflateEnd(&stream);

    out.resize(std::min(size, max_bytes));
    out.reserve(out.size() + padding);
    return status;
}

}  // namespace eventline::http
