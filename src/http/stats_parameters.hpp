#pragma once

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>

#include "analytics/queries.hpp"
#include "http/query_string.hpp"
#include "http/request.hpp"

/// Reading the analytics routes' query parameters. Each function throws
/// InvalidParameter with a message naming the parameter, what it must be and what it
/// was; unknown parameters are ignored, as unknown event fields are.
namespace eventline::http::stats {

/// The request's query string, decoded; throws on a malformed escape.
[[nodiscard]] QueryString parse_query(const Request& request);

/// A `YYYY-MM-DD` UTC date from 1970-01-01 to 9999-12-31.
[[nodiscard]] analytics::Day required_date(const QueryString& query, std::string_view name);
[[nodiscard]] std::optional<analytics::Day> optional_date(const QueryString& query,
                                                          std::string_view name);

/// `from` and `to`, both required, `from` not after `to`, at most `max_days` days.
struct DateRange {
    analytics::Day from;
    analytics::Day to;
};
[[nodiscard]] DateRange date_range(const QueryString& query, int max_days);

/// A decimal integer in [min, max]; `fallback` when absent, or required without one.
[[nodiscard]] int bounded_int(const QueryString& query, std::string_view name, int min, int max,
                              std::optional<int> fallback);

/// One of `choices`; `fallback` when absent.
[[nodiscard]] std::string_view choice(const QueryString& query, std::string_view name,
                                      std::initializer_list<std::string_view> choices,
                                      std::string_view fallback);

/// Event types from every `name=` given, each also split at commas; 1 to 128 bytes each.
[[nodiscard]] std::vector<std::string> event_types(const QueryString& query,
                                                   std::string_view name);

/// `where=`: a JSON object of at most 4 KiB, or empty when absent.
[[nodiscard]] std::string where_object(const QueryString& query);

/// The common filters: `event_type` and `where`.
[[nodiscard]] analytics::EventFilter event_filter(const QueryString& query);

/// A duration such as `7d`, `12h`, `30m` or `90s`, from one second to 365 days.
[[nodiscard]] std::int64_t duration_micros(const QueryString& query, std::string_view name,
                                           std::int64_t fallback);

/// `YYYY-MM-DD` of a day, for answers.
[[nodiscard]] std::string format_day(analytics::Day day);

}  // namespace eventline::http::stats
