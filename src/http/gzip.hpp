#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace eventline::http {

enum class InflateStatus { ok, too_large, corrupt };

/// Decompresses a gzip (or zlib) body into `out`, refusing to produce more than
/// `max_bytes`: a small compressed body must not be able to balloon in memory.
/// `out` keeps `padding` spare bytes of capacity after the data for the JSON parser.
InflateStatus inflate_body(std::string_view compressed, std::size_t max_bytes,
                           std::size_t padding, std::string& out);

}  // namespace eventline::http
