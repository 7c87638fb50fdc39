#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace eventline::importer {

/// Where each of SPEC's columns sits in a CSV file, read from its header: the header
/// decides the order, extra columns are ignored, and `properties` may also be named
/// `properties_json` or be absent (every event then has `{}`).
struct ColumnMap {
    std::size_t columns = 0;  // fields a data row must have
    std::size_t key = 0;      // the event's identity: event_id, or the --key-column
    std::size_t occurred_at = 0;
    std::size_t user_id = 0;
    std::size_t event_type = 0;
    std::optional<std::size_t> properties;
};

/// Builds the map, or explains what the header lacks. `key_column` is the column that
/// carries the event's identity (empty: event_id).
[[nodiscard]] std::optional<ColumnMap> map_columns(const std::vector<std::string_view>& header,
                                                   std::string_view key_column, std::string& error);

}  // namespace eventline::importer
