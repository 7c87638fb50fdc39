#include "decode/batch_decoder.hpp"

#include <fmt/format.h>

#include "event/json_walk.hpp"

namespace eventline::decode {
namespace {

namespace ondemand = simdjson::ondemand;
using simdjson::error_code;
using simdjson::SUCCESS;

// Values the service ignores (unknown fields, wrong types) are read to this depth and
// skipped below it: enough for any real payload, and it bounds the walk's recursion.
constexpr std::size_t kIgnoredValueDepth = 64;

DecodeResult malformed(error_code code) {
    return {DecodeStatus::malformed_json,
            fmt::format("the body is not valid JSON: {}", simdjson::error_message(code))};
}

/// Reads a value the service does not use, so that a broken value anywhere in the body
/// is found: On Demand parsing validates only what it is asked to read.
error_code consume(ondemand::value value) {
    event::JsonFindings ignored;
    return event::walk_json(value, kIgnoredValueDepth, ignored);
}

/// How reading one field of an event went: a fatal parse error stops the whole body;
/// a wrong type refuses only this event.
struct FieldOutcome {
    error_code fatal = SUCCESS;
    std::string_view type_error;  // non-empty when the value has the wrong JSON type
};

/// Reads a field's JSON type: `null` makes the field absent, another type than `wanted`
/// refuses the event with `type_error`. Returns true when the value should be read.
bool has_type(ondemand::value value, ondemand::json_type wanted, std::string_view type_error,
              bool& present, FieldOutcome& outcome) {
    ondemand::json_type type;
    if (auto code = value.type().get(type)) {
        outcome = {code, {}};
        return false;
    }
    if (type == ondemand::json_type::null) {
        present = false;
        outcome = {value.is_null().error(), {}};
        return false;
    }
    if (type != wanted) {
        outcome = {consume(value), type_error};
        return false;
    }
    present = true;
    return true;
}

/// A string field; JSON `null` counts as absent.
FieldOutcome read_string(ondemand::value value, std::string_view& text, bool& present) {
    FieldOutcome outcome;
    if (has_type(value, ondemand::json_type::string, "must be a string", present, outcome)) {
        outcome.fatal = value.get_string().get(text);
    }
    return outcome;
}

/// user_id: a string, or an integer (of any length) kept as its decimal text.
FieldOutcome read_user_id(ondemand::value value, std::string_view& text, bool& present) {
    ondemand::json_type type;
    if (auto code = value.type().get(type)) {
        return {code, {}};
    }
    if (type != ondemand::json_type::number) {
        return read_string(value, text, present);
    }
    const std::string_view token = value.raw_json_token();
    if (event::is_json_integer(token)) {
        // The token is exactly the decimal text the client sent (JSON has no leading
        // zeros or plus signs), also for integers wider than 64 bits.
        present = true;
        text = event::trim_json_whitespace(token);
        return {};
    }
    if (event::is_json_number(token)) {
        return {SUCCESS, "must be a string or an integer"};
    }
    return {simdjson::NUMBER_ERROR, {}};
}

/// properties: an object, walked in place (every string, key and number checked) and
/// kept as the client's raw JSON text; `null` counts as absent.
FieldOutcome read_properties(ondemand::value value, ondemand::document& document,
                             std::size_t max_depth, std::string_view& json, bool& present,
                             event::JsonFindings& findings) {
    FieldOutcome outcome;
    if (!has_type(value, ondemand::json_type::object, "must be a JSON object", present, outcome)) {
        return outcome;
    }

    const std::string_view start = value.raw_json_token();  // from the '{' onwards
    if (auto code = event::walk_json(value, max_depth, findings)) {
        return {code, {}};
    }
    if (findings.too_deep) {
        return {};  // refused by the validator; the text is not needed
    }
    // The walk ends on the token after the object: everything before it is the object.
    const char* end = nullptr;
    if (auto code = document.current_location().get(end)) {
        return {code, {}};
    }
    json = event::trim_json_whitespace(
        std::string_view(start.data(), static_cast<std::size_t>(end - start.data())));
    return {};
}

}  // namespace

void DecodedBatch::clear() {
    size = 0;
    events.clear();
    errors.clear();
}

BatchDecoder::BatchDecoder(std::size_t max_events, event::ValidationLimits limits)
    : validator_(limits), max_events_(max_events) {}

DecodeResult BatchDecoder::decode(simdjson::padded_string_view body, event::UnixMicros now,
                                  DecodedBatch& out) {
    out.clear();

    ondemand::document document;
    if (auto code = parser_.iterate(body).get(document)) {
        return malformed(code);
    }
    ondemand::json_type type;
    if (auto code = document.type().get(type)) {
        return malformed(code);
    }

    DecodeResult result;
    if (type == ondemand::json_type::array) {
        ondemand::array events;
        if (auto code = document.get_array().get(events)) {
            return malformed(code);
        }
        result = decode_events(document, events, now, out);
    } else if (type == ondemand::json_type::object) {
        ondemand::object envelope;
        if (auto code = document.get_object().get(envelope)) {
            return malformed(code);
        }
        bool found_events = false;
        for (auto field : envelope) {
            std::string_view key;
            ondemand::value value;
            if (auto code = field.unescaped_key().get(key)) {
                return malformed(code);
            }
            if (auto code = field.value().get(value)) {
                return malformed(code);
            }
            if (key != "events") {
                if (auto code = consume(value)) {
                    return malformed(code);
                }
                continue;
            }
            ondemand::array events;
            if (value.get_array().get(events) != SUCCESS || found_events) {
                return {DecodeStatus::wrong_shape, "\"events\" must be a single JSON array"};
            }
            found_events = true;
            result = decode_events(document, events, now, out);
            if (result.status != DecodeStatus::ok) {
                return result;
            }
        }
        if (!found_events) {
            return {DecodeStatus::wrong_shape,
                    "the body must be a JSON array of events or {\"events\": [...]}"};
        }
    } else {
        return {DecodeStatus::wrong_shape,
                "the body must be a JSON array of events or {\"events\": [...]}"};
    }

    // simdjson 3.0 has no document::at_end(); a current location exists only while
    // tokens remain.
    const char* trailing = nullptr;
    if (result.status == DecodeStatus::ok && document.current_location().get(trailing) == SUCCESS) {
        return {DecodeStatus::malformed_json,
                "the body is not valid JSON: unexpected content after the batch"};
    }
    return result;
}

DecodeResult BatchDecoder::decode_events(ondemand::document& document, ondemand::array events,
                                         event::UnixMicros now, DecodedBatch& out) {
    for (auto element : events) {
        ondemand::value value;
        if (auto code = element.get(value)) {
            return malformed(code);
        }
        if (out.size == max_events_) {
            return {DecodeStatus::too_many_events,
                    fmt::format("a batch may hold at most {} events", max_events_)};
        }
        if (auto code = decode_event(document, value, now, out)) {
            return malformed(code);
        }
    }
    return {};
}

error_code BatchDecoder::decode_event(ondemand::document& document, ondemand::value value,
                                      event::UnixMicros now, DecodedBatch& out) {
    const std::size_t index = out.size++;

    ondemand::object object;
    if (value.get_object().get(object) != SUCCESS) {
        out.errors.push_back({index, {}, "event", "must be a JSON object"});
        return consume(value);
    }

    event::RawEvent raw;
    event::JsonFindings properties_findings;
    std::string_view type_error;
    std::string_view type_error_field;
    for (auto field : object) {
        std::string_view key;
        ondemand::value field_value;
        if (auto code = field.unescaped_key().get(key)) {
            return code;
        }
        if (auto code = field.value().get(field_value)) {
            return code;
        }

        FieldOutcome outcome;
        std::string_view name;
        if (key == "event_id") {
            name = "event_id";
            outcome = read_string(field_value, raw.event_id, raw.has_event_id);
        } else if (key == "occurred_at") {
            name = "occurred_at";
            outcome = read_string(field_value, raw.occurred_at, raw.has_occurred_at);
        } else if (key == "user_id") {
            name = "user_id";
            outcome = read_user_id(field_value, raw.user_id, raw.has_user_id);
        } else if (key == "event_type") {
            name = "event_type";
            outcome = read_string(field_value, raw.event_type, raw.has_event_type);
        } else if (key == "properties") {
            name = "properties";
            properties_findings = {};
            outcome = read_properties(field_value, document, validator_.limits().max_properties_depth,
                                      raw.properties_json, raw.has_properties, properties_findings);
            raw.properties_walked = &properties_findings;
        } else {
            outcome.fatal = consume(field_value);  // unknown fields are ignored
        }

        if (outcome.fatal) {
            return outcome.fatal;
        }
        if (!outcome.type_error.empty() && type_error.empty()) {
            type_error = outcome.type_error;
            type_error_field = name;
        }
    }

    // The id as sent goes into any error, so that the client can match it up; copied only
    // on this rare path.
    auto id_as_sent = [&raw] { return raw.has_event_id ? std::string(raw.event_id) : std::string(); };
    if (!type_error.empty()) {
        out.errors.push_back({index, id_as_sent(), type_error_field, std::string(type_error)});
        return SUCCESS;
    }

    event::Event event;
    if (auto failure = validator_.validate(raw, now, event)) {
        out.errors.push_back({index, id_as_sent(), failure->field, std::move(failure->message)});
        return SUCCESS;
    }
    out.events.push_back(event);
    return SUCCESS;
}

}  // namespace eventline::decode
