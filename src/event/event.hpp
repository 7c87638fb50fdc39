#pragma once

#include <cstdint>
#include <string_view>

#include "event/timestamp.hpp"
#include "event/uuid.hpp"

namespace eventline::event {

/// Events belong to a project (a tenant); idempotency and analytics are per project.
using ProjectId = std::int32_t;

/// Until callers authenticate with API keys, every event belongs to this project, which
/// the first migration creates.
inline constexpr ProjectId kDefaultProject = 1;

/// An event that passed validation, ready to be written.
///
/// The string views point into buffers owned by whoever decoded the event (the request
/// body, the JSON parser, a CSV chunk); that owner keeps them alive until the write that
/// carries the event has completed.
struct Event {
    ProjectId project_id = kDefaultProject;
    Uuid event_id;
    UnixMicros occurred_at = 0;
    std::string_view user_id;
    std::string_view event_type;
    std::string_view properties_json;  // a JSON object; "{}" when the event had none
};

struct JsonFindings;

/// An event's fields as text, before validation: what both the JSON decoder and the CSV
/// reader extract. A field that was absent (or JSON `null`) is empty and marked missing.
struct RawEvent {
    std::string_view event_id;
    std::string_view occurred_at;
    std::string_view user_id;  // an integer user_id arrives as its decimal text
    std::string_view event_type;
    std::string_view properties_json;

    bool has_event_id = false;
    bool has_occurred_at = false;
    bool has_user_id = false;
    bool has_event_type = false;
    bool has_properties = false;  // false means `{}`

    /// Set by a decoder that already read the properties completely (the JSON batch
    /// decoder walks them in place); the validator then judges these findings instead
    /// of parsing the text again.
    const JsonFindings* properties_walked = nullptr;
};

}  // namespace eventline::event
