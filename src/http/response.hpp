#pragma once

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace eventline::http {

/// Counts that POST /events adds to its request log line.
struct IngestCounts {
    std::size_t events = 0;
    std::size_t accepted = 0;
    std::size_t duplicates = 0;
    std::size_t rejected = 0;
};

/// What a handler answers. Handlers never touch the socket: the session writes this,
/// logs the request and records its metrics.
struct Response {
    unsigned status = 200;
    std::string body;
    std::string_view content_type = "application/json";
    std::vector<std::pair<std::string_view, std::string>> headers;
    bool close_connection = false;

    // For the request log line only.
    std::string_view error_code;
    std::optional<IngestCounts> counts;
};

/// Delivers a handler's response. Call it exactly once, from any thread.
using Respond = std::function<void(Response)>;

/// SPEC's single error shape: {"error": {"code": "...", "message": "..."}}.
[[nodiscard]] Response error_response(unsigned status, std::string_view code,
                                      std::string_view message);

/// A 503 with Retry-After, for when the client should simply come back later.
[[nodiscard]] Response unavailable_response(std::string_view code, std::string_view message,
                                            int retry_after_seconds);

}  // namespace eventline::http
