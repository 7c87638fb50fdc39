#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include <simdjson.h>

#include "event/event.hpp"
#include "event/validator.hpp"

namespace eventline::decode {

/// One refused event of a batch, as SPEC's `errors` array reports it.
struct EventError {
    std::size_t index = 0;
    std::string event_id;  // as sent, when it was a string; empty otherwise
    std::string_view field;
    std::string message;
};

/// A decoded request body: every event is either valid (`events`) or refused (`errors`).
struct DecodedBatch {
    std::size_t size = 0;
    std::vector<event::Event> events;
    std::vector<EventError> errors;

    void clear();
};

enum class DecodeStatus {
    ok,
    malformed_json,   // not JSON at all, or broken somewhere
    wrong_shape,      // JSON, but neither an array nor {"events": [...]}
    too_many_events,  // over the per-request limit
};

struct DecodeResult {
    DecodeStatus status = DecodeStatus::ok;
    std::string message;  // for the client, when status is not ok
};

/// Turns a `POST /events` body into validated events, without copying what it need not:
/// the events' strings point into the body and into this decoder's parser, so the
/// decoder and the body must outlive the batch and the decoder must not decode another
/// body meanwhile.
///
/// The whole body is checked to be well-formed JSON (values of unknown fields and the
/// inside of properties too, to a depth of 64), so a broken document is always a 400,
/// never a partly accepted batch. A string with an invalid escape or a lone UTF-16
/// surrogate is malformed JSON wherever it is.
class BatchDecoder {
public:
    BatchDecoder(std::size_t max_events, event::ValidationLimits limits);

    /// `body` must have simdjson's padding readable after its end.
    DecodeResult decode(simdjson::padded_string_view body, event::UnixMicros now,
                        DecodedBatch& out);

    /// Bytes held by the parser's buffers: a pool uses it to drop decoders that a huge
    /// body has grown.
    [[nodiscard]] std::size_t capacity() const { return parser_.capacity(); }

private:
    DecodeResult decode_events(simdjson::ondemand::document& document,
                               simdjson::ondemand::array events, event::UnixMicros now,
                               DecodedBatch& out);
    simdjson::error_code decode_event(simdjson::ondemand::document& document,
                                      simdjson::ondemand::value value, event::UnixMicros now,
                                      DecodedBatch& out);

    simdjson::ondemand::parser parser_;
    event::Validator validator_;
    std::size_t max_events_;
};

}  // namespace eventline::decode
