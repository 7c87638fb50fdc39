#include "logging/log.hpp"

#include <fmt/format.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <atomic>
#include <memory>

namespace eventline::logging {
namespace {

std::atomic<Level> g_minimum{Level::info};

spdlog::level::level_enum to_spdlog(Level level) {
    switch (level) {
        case Level::debug:
            return spdlog::level::debug;
        case Level::info:
            return spdlog::level::info;
        case Level::warn:
            return spdlog::level::warn;
        case Level::error:
            return spdlog::level::err;
    }
    return spdlog::level::info;
}

std::shared_ptr<spdlog::logger> make_logger() {
    // spdlog provides the sink, its locking and the timestamp; the JSON body is ours
    // because spdlog's patterns do not escape field values.
    auto logger = std::make_shared<spdlog::logger>(
        "eventline", std::make_shared<spdlog::sinks::stderr_sink_mt>());
    logger->set_pattern(R"({"ts":"%Y-%m-%dT%H:%M:%S.%fZ","level":"%l",%v})",
                        spdlog::pattern_time_type::utc);
    logger->flush_on(spdlog::level::trace);
    return logger;
}

spdlog::logger& logger() {
    static std::shared_ptr<spdlog::logger> instance = make_logger();
    return *instance;
}

}  // namespace

void append_json_string(std::string& out, std::string_view text) {
    out.push_back('"');
    for (const char c : text) {
        switch (c) {
            case '"':
                out.append("\\\"");
                break;
            case '\\':
                out.append("\\\\");
                break;
            case '\n':
                out.append("\\n");
                break;
            case '\r':
                out.append("\\r");
                break;
            case '\t':
                out.append("\\t");
                break;
            default:
                if (static_cast<unsigned char>(c) < 0x20) {
                    fmt::format_to(std::back_inserter(out), "\\u{:04x}", static_cast<unsigned>(c));
                } else {
                    out.push_back(c);
                }
        }
    }
    out.push_back('"');
}

void Field::append_to(std::string& line) const {
    line.push_back(',');
    append_json_string(line, key_);
    line.push_back(':');
    switch (kind_) {
        case Kind::text:
            append_json_string(line, text_);
            break;
        case Kind::boolean:
            line.append(integer_ ? "true" : "false");
            break;
        case Kind::real:
            fmt::format_to(std::back_inserter(line), "{}", real_);
            break;
        case Kind::signed_integer:
            fmt::format_to(std::back_inserter(line), "{}", integer_);
            break;
        case Kind::unsigned_integer:
            fmt::format_to(std::back_inserter(line), "{}", static_cast<std::uint64_t>(integer_));
            break;
    }
}

void init(Level minimum) {
    g_minimum.store(minimum);
    logger().set_level(to_spdlog(minimum));
}

bool parse_level(std::string_view text, Level& level) {
    if (text == "debug") {
        level = Level::debug;
    } else if (text == "info") {
        level = Level::info;
    } else if (text == "warn" || text == "warning") {
        level = Level::warn;
    } else if (text == "error") {
        level = Level::error;
    } else {
        return false;
    }
    return true;
}

bool enabled(Level level) { return level >= g_minimum.load(std::memory_order_relaxed); }

void write(Level level, std::string_view message, Fields fields) {
    if (!enabled(level)) {
        return;
    }
    std::string line = "\"msg\":";
    append_json_string(line, message);
    for (const Field& field : fields) {
        field.append_to(line);
    }
    logger().log(to_spdlog(level), "{}", line);
}

}  // namespace eventline::logging
