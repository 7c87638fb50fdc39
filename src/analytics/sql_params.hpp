#pragma once

#include <deque>
#include <optional>
#include <string>
#include <vector>

#include "analytics/queries.hpp"
#include "storage/pg_connection.hpp"

namespace eventline::analytics {

/// Text parameters for one statement, added in `$n` order. Timestamps are sent in
/// RFC 3339 with `Z`, so no session time zone can shift them.
class SqlParams {
public:
    void add(std::string value) { values_.push_back(std::move(value)); }
    void add(std::int64_t value) { values_.push_back(std::to_string(value)); }
    void add_null() { values_.emplace_back(std::nullopt); }
    void add_timestamp(event::UnixMicros micros);
    void add_day_start(Day day) { add_timestamp(day * kMicrosPerDay); }
    /// A text[] literal, or NULL for an empty list ("any").
    void add_text_array_or_null(const std::vector<std::string>& values);
    /// A jsonb value, or NULL for an empty string ("any").
    void add_json_or_null(const std::string& json);

    /// Runs `sql` with these parameters (text results unless told otherwise).
    storage::PgResult exec(storage::PgConnection& connection, const char* sql,
                           int result_format = 0);

private:
    std::deque<std::optional<std::string>> values_;
};

/// Parses a bigint or integer column of a text result.
[[nodiscard]] std::int64_t int_value(const storage::PgResult& result, int row, int column);

}  // namespace eventline::analytics
