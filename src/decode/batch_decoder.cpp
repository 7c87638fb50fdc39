#include "decode/batch_decoder.hpp"

#include <fmt/format.h>

namespace eventline::decode {
namespace {

namespace ondemand = simdjson::ondemand;
using simdjson::error_code;
using simdjson::SUCCESS;

DecodeResult malformed(error_code code) {
    return {DecodeStatus::malformed_json,
            fmt::format("the body is not valid JSON: {}", simdjson::error_message(code))};
}

/// Reads a value the service does not use, so that a broken value anywhere in the body
/// is found: On Demand parsing validates only what it is asked to read.
error_code consume(ondemand::value value) {
    ondemand::json_type type;
    if (auto code = value.type().get(type)) {
        return code;
    }
    switch (type) {
        case ondemand::json_type::array: {
            ondemand::array array;
            if (auto code = value.get_array().get(array)) {
                return code;
            }
            for (auto element : array) {
                ondemand::value child;
                if (auto code = element.get(child)) {
                    return code;
                }
                if (auto code = consume(child)) {
                    return code;
                }
            }
            return SUCCESS;
        }
        case ondemand::json_type::object: {
            ondemand::object object;
            if (auto code = value.get_object().get(object)) {
                return code;
            }
            for (auto field : object) {
                std::string_view key;
                if (auto code = field.unescaped_key().get(key)) {
                    return code;
                }
                ondemand::value child;
                if (auto code = field.value().get(child)) {
                    return code;
                }
                if (auto code = consume(child)) {
                    return code;
                }
            }
            return SUCCESS;
        }
        case ondemand::json_type::number:
            return value.get_number().error();
        case ondemand::json_type::string:
            return value.get_string().error();
        case ondemand::json_type::boolean:
            return value.get_bool().error();
        case ondemand::json_type::null:
            return value.is_null().error();
    }
    return SUCCESS;
}

/// How reading one field of an event went: a fatal parse error stops the whole body;
/// a wrong type refuses only this event.
struct FieldOutcome {
    error_code fatal = SUCCESS;
    std::string_view type_error;  // non-empty when the value has the wrong JSON type
};

/// A string field; JSON `null` counts as absent.
FieldOutcome read_string(ondemand::value value, std::string_view& text, bool& present) {
    ondemand::json_type type;
    if (auto code = value.type().get(type)) {
        return {code, {}};
    }
    if (type == ondemand::json_type::null) {
        present = false;
        return {value.is_null().error(), {}};
    }
    if (type != ondemand::json_type::string) {
        return {consume(value), "must be a string"};
    }
    present = true;
    return {value.get_string().get(text), {}};
}

/// user_id: a string, or an integer kept as its decimal text.
FieldOutcome read_user_id(ondemand::value value, std::string_view& text, bool& present) {
    ondemand::json_type type;
    if (auto code = value.type().get(type)) {
        return {code, {}};
    }
    if (type != ondemand::json_type::number) {
        return read_string(value, text, present);
    }
    ondemand::number_type number_type;
    if (auto code = value.get_number_type().get(number_type)) {
        return {code, {}};
    }
    if (number_type == ondemand::number_type::floating_point_number) {
        return {consume(value), "must be a string or an integer"};
    }
    // The raw token is exactly the decimal text the client sent (JSON has no leading
    // zeros or plus signs), also for integers wider than 64 bits.
    std::string_view token = value.raw_json_token();
    while (!token.empty() && (token.back() == ' ' || token.back() == '\n' ||
                              token.back() == '\r' || token.back() == '\t')) {
        token.remove_suffix(1);
    }
    present = true;
    text = token;
    return {consume(value), {}};
}

/// properties: an object, kept as the client's raw JSON text; `null` counts as absent.
FieldOutcome read_properties(ondemand::value value, std::string_view& json, bool& present) {
    ondemand::json_type type;
    if (auto code = value.type().get(type)) {
        return {code, {}};
    }
    if (type == ondemand::json_type::null) {
        present = false;
        return {value.is_null().error(), {}};
    }
    if (type != ondemand::json_type::object) {
        return {consume(value), "must be a JSON object"};
    }
    ondemand::object object;
    if (auto code = value.get_object().get(object)) {
        return {code, {}};
    }
    present = true;
    return {object.raw_json().get(json), {}};
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
        result = decode_events(events, now, out);
    } else if (type == ondemand::json_type::object) {
        ondemand::object envelope;
        if (auto code = document.get_object().get(envelope)) {
            return malformed(code);
        }
        bool found_events = false;
        for (auto field : envelope) {
            ondemand::raw_json_string key;
            ondemand::value value;
            if (auto code = field.key().get(key)) {
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
            result = decode_events(events, now, out);
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

DecodeResult BatchDecoder::decode_events(ondemand::array events, event::UnixMicros now,
                                         DecodedBatch& out) {
    for (auto element : events) {
        ondemand::value value;
        if (auto code = element.get(value)) {
            return malformed(code);
        }
        if (out.size == max_events_) {
            return {DecodeStatus::too_many_events,
                    fmt::format("a batch may hold at most {} events", max_events_)};
        }
        if (auto code = decode_event(value, now, out)) {
            return malformed(code);
        }
    }
    return {};
}

error_code BatchDecoder::decode_event(ondemand::value value, event::UnixMicros now,
                                      DecodedBatch& out) {
    const std::size_t index = out.size++;

    ondemand::object object;
    if (value.get_object().get(object) != SUCCESS) {
        out.errors.push_back({index, {}, "event", "must be a JSON object"});
        return consume(value);
    }

    event::RawEvent raw;
    std::string_view type_error;
    std::string_view type_error_field;
    for (auto field : object) {
        ondemand::raw_json_string key;
        ondemand::value field_value;
        if (auto code = field.key().get(key)) {
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
            outcome = read_properties(field_value, raw.properties_json, raw.has_properties);
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
