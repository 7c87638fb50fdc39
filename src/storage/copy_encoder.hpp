#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "event/event.hpp"

namespace eventline::storage {

/// Encodes events in PostgreSQL's binary COPY format for the staging table
/// (project_id int4, event_id uuid, occurred_at timestamptz, user_id text,
/// event_type text, properties jsonb).
///
/// Binary rather than text: no escaping of user data, and uuid and timestamptz go
/// through without being parsed again on the server. The buffer is reused between
/// groups so that steady-state encoding does not allocate.
class CopyEncoder {
public:
    void begin();
    void add(const event::Event& event);
    /// Ends the stream and returns the whole COPY input.
    std::string_view finish();
    /// The whole COPY input, after finish().
    [[nodiscard]] std::string_view data() const { return buffer_; }

    [[nodiscard]] std::size_t rows() const { return rows_; }

private:
    void put_int16(std::int16_t value);
    void put_int32(std::int32_t value);
    void put_int64(std::int64_t value);
    void put_field(std::string_view bytes);

    std::string buffer_;
    std::size_t rows_ = 0;
};

}  // namespace eventline::storage
