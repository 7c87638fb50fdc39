#pragma once

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <type_traits>

namespace eventline::logging {

enum class Level { debug, info, warn, error };

/// One key/value of a structured log line. Keys are constants at the call site; values
/// are escaped when the line is written.
class Field {
public:
    Field(std::string_view key, std::string_view value) : key_(key), kind_(Kind::text), text_(value) {}
    Field(std::string_view key, const char* value) : Field(key, std::string_view(value)) {}
    Field(std::string_view key, const std::string& value) : Field(key, std::string_view(value)) {}
    Field(std::string_view key, bool value) : key_(key), kind_(Kind::boolean), integer_(value) {}
    Field(std::string_view key, double value) : key_(key), kind_(Kind::real), real_(value) {}
    template <typename Integer>
        requires(std::is_integral_v<Integer> && !std::is_same_v<Integer, bool>)
    Field(std::string_view key, Integer value)
        : key_(key),
          kind_(std::is_signed_v<Integer> ? Kind::signed_integer : Kind::unsigned_integer),
          integer_(static_cast<std::int64_t>(value)) {}

    void append_to(std::string& line) const;

private:
    enum class Kind { text, boolean, real, signed_integer, unsigned_integer };
    std::string_view key_;
    Kind kind_;
    std::string_view text_;
    std::int64_t integer_ = 0;
    double real_ = 0;
};

using Fields = std::initializer_list<Field>;

/// Sets up the process-wide logger: one JSON object per line on stderr, with `ts` (UTC,
/// microseconds), `level`, `msg` and the fields. Call once, early in main.
void init(Level minimum);

/// Parses "debug", "info", "warn" or "error".
[[nodiscard]] bool parse_level(std::string_view text, Level& level);

[[nodiscard]] bool enabled(Level level);

void write(Level level, std::string_view message, Fields fields);

inline void debug(std::string_view message, Fields fields = {}) {
    if (enabled(Level::debug)) {
        write(Level::debug, message, fields);
    }
}
inline void info(std::string_view message, Fields fields = {}) { write(Level::info, message, fields); }
inline void warn(std::string_view message, Fields fields = {}) { write(Level::warn, message, fields); }
inline void error(std::string_view message, Fields fields = {}) { write(Level::error, message, fields); }

/// Appends `text` as a JSON string literal (quotes included). Shared with the HTTP
/// layer, which writes JSON responses by hand.
void append_json_string(std::string& out, std::string_view text);

}  // namespace eventline::logging
