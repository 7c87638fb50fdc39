#pragma once

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include <simdjson.h>

#include "event/event.hpp"
#include "event/json_walk.hpp"

namespace eventline::event {

/// The limits SPEC sets on one event; the defaults are SPEC's.
struct ValidationLimits {
    std::chrono::seconds max_future{std::chrono::hours(24)};
    std::size_t max_user_id_bytes = 256;
    std::size_t max_event_type_bytes = 128;
    std::size_t max_properties_bytes = 32 * 1024;
    std::size_t max_properties_depth = 64;
};

/// Why an event was refused: the field, and a message that says what was expected.
struct ValidationError {
    std::string_view field;
    std::string message;
};

/// Checks one event against SPEC's rules. This is the only implementation of those
/// rules: the HTTP decoder and the CSV importer both come through here.
///
/// Beyond SPEC's wording, the validator guarantees that PostgreSQL will accept what it
/// passes, because one row that PostgreSQL refuses would abort the whole `COPY` of a
/// group: properties are fully read (bad escapes, lone surrogates), and NUL characters,
/// which `text` and `jsonb` cannot hold, are refused everywhere.
///
/// Properties arrive two ways: as text (CSV), which the validator parses and walks
/// itself, or already walked inside a JSON batch (RawEvent::properties_walked), whose
/// findings it then judges by the same rules.
///
/// Not thread-safe: it keeps a reusable JSON parser. Use one per thread or connection.
class Validator {
public:
    explicit Validator(ValidationLimits limits = {});

    /// Validates `raw`; on success fills `out` (whose views then point into `raw`'s
    /// buffers) and returns nothing. `now` is the server clock, read once per batch.
    std::optional<ValidationError> validate(const RawEvent& raw, UnixMicros now, Event& out);

    [[nodiscard]] const ValidationLimits& limits() const { return limits_; }

    /// SPEC's rules for properties whose JSON was already walked: size (minified),
    /// depth, NUL.
    std::optional<ValidationError> judge_properties(std::string_view json,
                                                    const JsonFindings& findings);

private:
    std::optional<ValidationError> check_properties_text(std::string_view json);

    ValidationLimits limits_;
    simdjson::ondemand::parser properties_parser_;
    std::string padded_;    // a copy of CSV properties with simdjson's padding after it
    std::string minified_;  // scratch for measuring oversized properties without whitespace
};

}  // namespace eventline::event
