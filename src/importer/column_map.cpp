#include "importer/column_map.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

namespace eventline::importer {
namespace {

std::optional<std::size_t> find(const std::vector<std::string_view>& header, std::string_view name) {
    for (std::size_t i = 0; i < header.size(); ++i) {
        if (header[i] == name) {
            return i;
        }
    }
    return std::nullopt;
}

}  // namespace

std::optional<ColumnMap> map_columns(const std::vector<std::string_view>& header,
                                     std::string_view key_column, std::string& error) {
    const std::string_view key_name = key_column.empty() ? "event_id" : key_column;
    const auto key = find(header, key_name);
    const auto occurred_at = find(header, "occurred_at");
    const auto user_id = find(header, "user_id");
    const auto event_type = find(header, "event_type");

    std::vector<std::string_view> missing;
    if (!key) {
        missing.push_back(key_name);
    }
    if (!occurred_at) {
        missing.push_back("occurred_at");
    }
    if (!user_id) {
        missing.push_back("user_id");
    }
    if (!event_type) {
        missing.push_back("event_type");
    }
    if (!missing.empty()) {
        error = fmt::format("the header lacks the column{} {}; it has: {}",
                            missing.size() > 1 ? "s" : "", fmt::join(missing, ", "),
                            fmt::join(header, ","));
        return std::nullopt;
    }

    ColumnMap map;
    map.columns = header.size();
    map.key = *key;
    map.occurred_at = *occurred_at;
    map.user_id = *user_id;
    map.event_type = *event_type;
    map.properties = find(header, "properties");
    if (!map.properties) {
        map.properties = find(header, "properties_json");
    }
    return map;
}

}  // namespace eventline::importer
