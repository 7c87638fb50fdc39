#include "event/validator.hpp"

#include <fmt/format.h>

#include <cstring>

namespace eventline::event {
namespace {

constexpr std::string_view kEmptyObject = "{}";
constexpr std::int64_t kMicrosPerSecond = 1'000'000;

bool has_nul(std::string_view text) { return std::memchr(text.data(), '\0', text.size()); }

bool is_utf8(std::string_view text) { return simdjson::validate_utf8(text.data(), text.size()); }

ValidationError error(std::string_view field, std::string message) {
    return ValidationError{field, std::move(message)};
}

/// SPEC's rule for user_id and event_type: present, 1..max bytes of UTF-8, no NUL.
std::optional<ValidationError> check_text(std::string_view field, bool present,
                                          std::string_view value, std::size_t max_bytes) {
    if (!present) {
        return error(field, "is required");
    }
    if (value.empty()) {
        return error(field, "must not be empty");
    }
    if (value.size() > max_bytes) {
        return error(field, fmt::format("must be at most {} bytes, got {}", max_bytes, value.size()));
    }
    if (!is_utf8(value)) {
        return error(field, "must be valid UTF-8");
    }
    if (has_nul(value)) {
        return error(field, "must not contain a NUL character");
    }
    return std::nullopt;
}

std::string_view describe_parse_error(simdjson::error_code code) {
    switch (code) {
        case simdjson::STRING_ERROR:
            return "contains an invalid string escape or a lone UTF-16 surrogate";
        case simdjson::UTF8_ERROR:
            return "must be valid UTF-8";
        default:
            return "is not valid JSON";
    }
}

}  // namespace

Validator::Validator(ValidationLimits limits) : limits_(limits) {}

std::optional<ValidationError> Validator::validate(const RawEvent& raw, UnixMicros now, Event& out) {
    if (!raw.has_event_id) {
        return error("event_id", "is required");
    }
    const std::optional<Uuid> event_id = parse_uuid(raw.event_id);
    if (!event_id) {
        return error("event_id", "must be a UUID in the canonical 8-4-4-4-12 hex form");
    }

    if (!raw.has_occurred_at) {
        return error("occurred_at", "is required");
    }
    const ParsedTimestamp occurred_at = parse_rfc3339(raw.occurred_at);
    if (!occurred_at.ok()) {
        return error("occurred_at", fmt::format("must be an RFC 3339 date-time: {}", occurred_at.error));
    }
    if (occurred_at.unix_micros < 0) {
        return error("occurred_at", "must not be before 1970-01-01T00:00:00Z");
    }
    const UnixMicros latest = now + limits_.max_future.count() * kMicrosPerSecond;
    if (occurred_at.unix_micros > latest) {
        return error("occurred_at", fmt::format("must not be more than {} s ahead of the server clock",
                                                limits_.max_future.count()));
    }

    if (auto failure = check_text("user_id", raw.has_user_id, raw.user_id, limits_.max_user_id_bytes)) {
        return failure;
    }
    if (auto failure = check_text("event_type", raw.has_event_type, raw.event_type,
                                  limits_.max_event_type_bytes)) {
        return failure;
    }

    std::string_view properties = kEmptyObject;
    if (raw.has_properties) {
        auto failure = raw.properties_walked != nullptr
                           ? judge_properties(raw.properties_json, *raw.properties_walked)
                           : check_properties_text(raw.properties_json);
        if (failure) {
            return failure;
        }
        properties = raw.properties_json;
    }

    out.event_id = *event_id;
    out.occurred_at = occurred_at.unix_micros;
    out.user_id = raw.user_id;
    out.event_type = raw.event_type;
    out.properties_json = properties;
    return std::nullopt;
}

std::optional<ValidationError> Validator::judge_properties(std::string_view json,
                                                      const JsonFindings& findings) {
    if (findings.too_deep) {
        return error("properties", fmt::format("must not be nested deeper than {} levels",
                                               limits_.max_properties_depth));
    }
    if (findings.has_nul) {
        return error("properties", "must not contain a NUL character (\\u0000)");
    }
    // SPEC limits the serialized size; whitespace a client added does not count.
    if (json.size() > limits_.max_properties_bytes) {
        minified_.resize(json.size());
        std::size_t minified_size = 0;
        const auto code = simdjson::minify(json.data(), json.size(), minified_.data(), minified_size);
        if (code != simdjson::SUCCESS || minified_size > limits_.max_properties_bytes) {
            return error("properties", fmt::format("must be at most {} bytes serialized, got {}",
                                                   limits_.max_properties_bytes,
                                                   code == simdjson::SUCCESS ? minified_size : json.size()));
        }
    }
    return std::nullopt;
}

std::optional<ValidationError> Validator::check_properties_text(std::string_view json) {
    if (!is_utf8(json)) {
        return error("properties", "must be valid UTF-8");
    }
    // On Demand parsing reads the text where it lies, so it needs padding after it.
    padded_.assign(json);
    padded_.append(simdjson::SIMDJSON_PADDING, ' ');
    const simdjson::padded_string_view view(padded_.data(), json.size(), padded_.size());

    simdjson::ondemand::document document;
    simdjson::ondemand::value root;
    simdjson::ondemand::json_type type;
    if (properties_parser_.iterate(view).get(document) != simdjson::SUCCESS ||
        document.get_value().get(root) != simdjson::SUCCESS ||
        root.type().get(type) != simdjson::SUCCESS) {
        return error("properties", "is not valid JSON");
    }
    if (type != simdjson::ondemand::json_type::object) {
        return error("properties", "must be a JSON object");
    }
    JsonFindings findings;
    if (const auto code = walk_json(root, limits_.max_properties_depth, findings)) {
        return error("properties", std::string(describe_parse_error(code)));
    }
    const char* trailing = nullptr;
    if (!findings.too_deep && document.current_location().get(trailing) == simdjson::SUCCESS) {
        return error("properties", "is not valid JSON: unexpected content after the object");
    }
    return judge_properties(json, findings);
}

}  // namespace eventline::event
