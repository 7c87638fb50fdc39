// Feeds arbitrary bytes to BatchDecoder::decode, as a POST /events body after
// decompression, and checks what must hold for any input. Sanitizers catch memory and
// undefined-behaviour errors; a broken invariant traps.

#include "decode/batch_decoder.hpp"
#include "event/uuid.hpp"
#include "event/validator.hpp"

#include <simdjson.h>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string_view>

namespace {

using eventline::decode::BatchDecoder;
using eventline::decode::DecodedBatch;
using eventline::decode::DecodeResult;
using eventline::decode::DecodeStatus;
using eventline::decode::EventError;
using eventline::event::Event;
using eventline::event::UnixMicros;
using eventline::event::ValidationLimits;

constexpr std::size_t kMaxEvents = 10'000;
constexpr UnixMicros kMicrosPerSecond = 1'000'000;
// A fixed clock, so that a crash reproduces: 2025-01-06T12:00:00Z.
constexpr UnixMicros kNow = 1'736'164'800 * kMicrosPerSecond;

void require(bool condition) {
    if (!condition) {
        __builtin_trap();
    }
}

void check_text(std::string_view text, std::size_t max_bytes) {
    require(!text.empty());
    require(text.size() <= max_bytes);
    require(std::memchr(text.data(), '\0', text.size()) == nullptr);
    require(simdjson::validate_utf8(text.data(), text.size()));
}

bool is_json_whitespace(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

void check_event(const Event& event, const ValidationLimits& limits) {
    const std::optional<eventline::event::Uuid> id =
        eventline::event::parse_uuid(event.event_id.to_string());
    require(id.has_value() && *id == event.event_id);

    require(event.occurred_at >= 0);
    require(event.occurred_at <= kNow + limits.max_future.count() * kMicrosPerSecond);

    check_text(event.user_id, limits.max_user_id_bytes);
    check_text(event.event_type, limits.max_event_type_bytes);

    // The raw text of an object, possibly followed by whitespace.
    std::string_view properties = event.properties_json;
    while (!properties.empty() && is_json_whitespace(properties.back())) {
        properties.remove_suffix(1);
    }
    require(properties.size() >= 2);
    require(properties.front() == '{' && properties.back() == '}');
}

void check_batch(const DecodedBatch& batch, const ValidationLimits& limits) {
    require(batch.size == batch.events.size() + batch.errors.size());
    require(batch.size <= kMaxEvents);

    bool first = true;
    std::size_t previous = 0;
    for (const EventError& error : batch.errors) {
        require(error.index < batch.size);
        require(first || error.index > previous);
        first = false;
        previous = error.index;
        require(!error.field.empty());
        require(!error.message.empty());
    }

    for (const Event& event : batch.events) {
        check_event(event, limits);
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    // One decoder for the whole run, as a server thread reuses its decoders: state left
    // over from an earlier body must not leak into the next.
    static BatchDecoder decoder(kMaxEvents, ValidationLimits{});
    static const ValidationLimits limits;
    static DecodedBatch batch;

    const simdjson::padded_string body(reinterpret_cast<const char*>(data), size);
    const DecodeResult result = decoder.decode(body, kNow, batch);
    if (result.status != DecodeStatus::ok) {
        require(!result.message.empty());
        return 0;
    }
    check_batch(batch, limits);
    return 0;
}
