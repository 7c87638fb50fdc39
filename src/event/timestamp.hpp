#pragma once

#include <cstdint>
#include <string_view>

namespace eventline::event {

/// Microseconds since 1970-01-01T00:00:00Z: PostgreSQL's precision, and cheap to compare.
using UnixMicros = std::int64_t;

/// The outcome of parsing a timestamp: a value, or a short static reason it was refused.
struct ParsedTimestamp {
    UnixMicros unix_micros = 0;
    std::string_view error;  // empty on success; a literal otherwise

    [[nodiscard]] bool ok() const { return error.empty(); }
};

/// Parses an RFC 3339 date-time: `YYYY-MM-DDTHH:MM:SS[.ffffff][Z|±HH:MM]`, with `T`, `t`
/// or a space between date and time, `z` as well as `Z`, and UTC when no offset is given.
/// Up to six fractional digits; calendar dates are checked (no February 30). Range rules
/// that depend on the clock (not before 1970, not too far ahead) belong to the validator.
[[nodiscard]] ParsedTimestamp parse_rfc3339(std::string_view text);

/// Days since 1970-01-01 of a proleptic Gregorian date (negative before it).
[[nodiscard]] std::int64_t days_from_civil(int year, unsigned month, unsigned day);

/// Formats as `YYYY-MM-DDTHH:MM:SS.ffffffZ`, for logs and tests.
[[nodiscard]] std::string_view format_rfc3339(UnixMicros value, char (&buffer)[32]);

}  // namespace eventline::event
