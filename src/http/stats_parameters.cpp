#include "http/stats_parameters.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <simdjson.h>

#include <charconv>

#include "event/timestamp.hpp"
#include "http/analytics_handler.hpp"

namespace eventline::http::stats {
namespace {

constexpr std::size_t kMaxWhereBytes = 4096;
constexpr std::size_t kMaxEventTypes = 100;
constexpr std::size_t kMaxEventTypeBytes = 128;
constexpr analytics::Day kLastDay = 2'932'896;  // 9999-12-31
constexpr std::int64_t kMicrosPerSecond = 1'000'000;

[[noreturn]] void invalid(std::string message) { throw InvalidParameter(std::move(message)); }

/// The single value of a parameter, refusing one given twice (which would be ambiguous).
std::optional<std::string_view> single(const QueryString& query, std::string_view name) {
    if (query.count(name) > 1) {
        invalid(fmt::format("{} is given more than once", name));
    }
    return query.first(name);
}

/// Quotes a client's value for an error message, cut to a readable length.
std::string shown(std::string_view value) {
    constexpr std::size_t kShown = 64;
    return value.size() <= kShown ? fmt::format("'{}'", value)
                                  : fmt::format("'{}…'", value.substr(0, kShown));
}

std::optional<analytics::Day> parse_day(std::string_view text) {
    if (text.size() != 10 || text[4] != '-' || text[7] != '-') {
        return std::nullopt;
    }
    const event::ParsedTimestamp parsed = event::parse_rfc3339(fmt::format("{}T00:00:00Z", text));
    if (!parsed.ok() || parsed.unix_micros < 0) {
        return std::nullopt;
    }
    const std::int64_t day = parsed.unix_micros / analytics::kMicrosPerDay;
    if (day > kLastDay) {
        return std::nullopt;
    }
    return static_cast<analytics::Day>(day);
}

}  // namespace

QueryString parse_query(const Request& request) {
    std::optional<QueryString> query = QueryString::parse(request.query);
    if (!query) {
        invalid("the query string has a malformed percent-escape or a NUL byte");
    }
    return std::move(*query);
}

std::optional<analytics::Day> optional_date(const QueryString& query, std::string_view name) {
    const std::optional<std::string_view> text = single(query, name);
    if (!text) {
        return std::nullopt;
    }
    const std::optional<analytics::Day> day = parse_day(*text);
    if (!day) {
        invalid(fmt::format("{} must be a date YYYY-MM-DD from 1970-01-01 on, got {}", name,
                            shown(*text)));
    }
    return day;
}

analytics::Day required_date(const QueryString& query, std::string_view name) {
    const std::optional<analytics::Day> day = optional_date(query, name);
    if (!day) {
        invalid(fmt::format("{} is required: a date YYYY-MM-DD", name));
    }
    return *day;
}

DateRange date_range(const QueryString& query, int max_days) {
    const DateRange range{required_date(query, "from"), required_date(query, "to")};
    if (range.from > range.to) {
        invalid(fmt::format("from ({}) is after to ({})", format_day(range.from),
                            format_day(range.to)));
    }
    if (range.to - range.from + 1 > max_days) {
        invalid(fmt::format("the range spans {} days; at most {} are allowed",
                            range.to - range.from + 1, max_days));
    }
    return range;
}

int bounded_int(const QueryString& query, std::string_view name, int min, int max,
                std::optional<int> fallback) {
    const std::optional<std::string_view> text = single(query, name);
    if (!text) {
        if (!fallback) {
            invalid(fmt::format("{} is required: an integer from {} to {}", name, min, max));
        }
        return *fallback;
    }
    int value = 0;
    const auto [end, error] = std::from_chars(text->data(), text->data() + text->size(), value);
    if (text->empty() || error != std::errc() || end != text->data() + text->size() ||
        value < min || value > max) {
        invalid(fmt::format("{} must be an integer from {} to {}, got {}", name, min, max,
                            shown(*text)));
    }
    return value;
}

std::string_view choice(const QueryString& query, std::string_view name,
                        std::initializer_list<std::string_view> choices,
                        std::string_view fallback) {
    const std::optional<std::string_view> text = single(query, name);
    if (!text) {
        return fallback;
    }
    for (const std::string_view option : choices) {
        if (*text == option) {
            return option;
        }
    }
    invalid(fmt::format("{} must be one of {}, got {}", name, fmt::join(choices, ", "),
                        shown(*text)));
}

std::vector<std::string> event_types(const QueryString& query, std::string_view name) {
    std::vector<std::string> types;
    for (std::string_view value : query.all(name)) {
        for (;;) {
            const std::size_t comma = value.find(',');
            const std::string_view type = value.substr(0, comma);
            if (type.empty() || type.size() > kMaxEventTypeBytes) {
                invalid(fmt::format("{} must list event types of 1 to {} bytes, got {}", name,
                                    kMaxEventTypeBytes, shown(value)));
            }
            types.emplace_back(type);
            if (comma == std::string_view::npos) {
                break;
            }
            value.remove_prefix(comma + 1);
        }
    }
    if (types.size() > kMaxEventTypes) {
        invalid(fmt::format("{} lists {} event types; at most {} are allowed", name, types.size(),
                            kMaxEventTypes));
    }
    return types;
}

std::string where_object(const QueryString& query) {
    const std::optional<std::string_view> text = single(query, "where");
    if (!text) {
        return {};
    }
    if (text->size() > kMaxWhereBytes) {
        invalid(fmt::format("where is {} bytes; at most {} are allowed", text->size(),
                            kMaxWhereBytes));
    }
    // Checked here, so that PostgreSQL never sees what it would refuse: jsonb cannot
    // hold \u0000, and only an object makes sense for containment on properties.
    simdjson::dom::parser parser;
    simdjson::dom::element parsed;
    if (parser.parse(text->data(), text->size()).get(parsed) != simdjson::SUCCESS ||
        !parsed.is_object() || text->find("\\u0000") != std::string_view::npos) {
        invalid(fmt::format("where must be a JSON object (URL-encoded), got {}", shown(*text)));
    }
    return std::string(*text);
}

analytics::EventFilter event_filter(const QueryString& query) {
    return analytics::EventFilter{event_types(query, "event_type"), where_object(query)};
}

std::int64_t duration_micros(const QueryString& query, std::string_view name,
                             std::int64_t fallback) {
    const std::optional<std::string_view> text = single(query, name);
    if (!text) {
        return fallback;
    }
    constexpr std::int64_t kMaxSeconds = 365LL * 86'400;
    std::int64_t count = 0;
    const char* const last = text->data() + text->size();
    const auto [end, error] = std::from_chars(text->data(), last, count);
    std::int64_t unit = 0;
    if (error == std::errc() && end + 1 == last) {
        switch (*end) {
            case 'd':
                unit = 86'400;
                break;
            case 'h':
                unit = 3'600;
                break;
            case 'm':
                unit = 60;
                break;
            case 's':
                unit = 1;
                break;
            default:
                break;
        }
    }
    if (unit == 0 || count < 1 || count > kMaxSeconds / unit) {
        invalid(fmt::format("{} must be a duration such as 7d, 12h, 30m or 90s, from 1s to 365d, "
                            "got {}", name, shown(*text)));
    }
    return count * unit * kMicrosPerSecond;
}

std::string format_day(analytics::Day day) {
    char buffer[32];
    return std::string(event::format_rfc3339(day * analytics::kMicrosPerDay, buffer).substr(0, 10));
}

}  // namespace eventline::http::stats
