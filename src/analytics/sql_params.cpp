#include "analytics/sql_params.hpp"

#include <charconv>
#include <stdexcept>

#include "storage/pg_array.hpp"

namespace eventline::analytics {

void SqlParams::add_timestamp(event::UnixMicros micros) {
    char buffer[32];
    add(std::string(event::format_rfc3339(micros, buffer)));
}

void SqlParams::add_text_array_or_null(const std::vector<std::string>& values) {
    if (values.empty()) {
        add_null();
        return;
    }
    storage::PgArrayBuilder array;
    for (const std::string& value : values) {
        array.add_text(value);
    }
    add(std::string(array.finish()));
}

void SqlParams::add_json_or_null(const std::string& json) {
    if (json.empty()) {
        add_null();
    } else {
        add(json);
    }
}

storage::PgResult SqlParams::exec(storage::PgConnection& connection, const char* sql,
                                  int result_format) {
    std::vector<const char*> pointers;
    pointers.reserve(values_.size());
    for (const std::optional<std::string>& value : values_) {
        pointers.push_back(value ? value->c_str() : nullptr);
    }
    return connection.exec_params(sql, static_cast<int>(pointers.size()), pointers.data(),
                                  result_format);
}

std::int64_t int_value(const storage::PgResult& result, int row, int column) {
    const std::string_view text = result.value(row, column);
    std::int64_t value = 0;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (error != std::errc() || end != text.data() + text.size()) {
        throw std::logic_error("PostgreSQL returned a number that is not an integer");
    }
    return value;
}

}  // namespace eventline::analytics
