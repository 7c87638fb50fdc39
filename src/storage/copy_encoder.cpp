#include "storage/copy_encoder.hpp"


namespace eventline::storage {
namespace {

// "PGCOPY\n\377\r\n\0", then 32-bit flags and header-extension length, both zero.
constexpr std::string_view kHeader{"PGCOPY\n\377\r\n\0\0\0\0\0\0\0\0\0", 19};
constexpr std::int16_t kColumns = 6;
constexpr std::int16_t kTrailer = -1;
// PostgreSQL counts timestamps from 2000-01-01 UTC, 946,684,800 s after the Unix epoch.
constexpr std::int64_t kPostgresEpochMicros = 946'684'800'000'000;
// Binary jsonb input is a version byte followed by the JSON text.
constexpr char kJsonbVersion = 1;

/// Appends the low `width` bytes of `value`, most significant first (network order).
void append_big_endian(std::string& buffer, std::uint64_t value, int width) {
    for (int shift = (width - 1) * 8; shift >= 0; shift -= 8) {
        buffer.push_back(static_cast<char>((value >> shift) & 0xff));
    }
}

}  // namespace

void CopyEncoder::begin() {
    buffer_.clear();
    buffer_.append(kHeader);
    rows_ = 0;
}

void CopyEncoder::add(const event::Event& event) {
    put_int16(kColumns);

    put_int32(sizeof(std::int32_t));
    put_int32(event.project_id);

    put_field({reinterpret_cast<const char*>(event.event_id.bytes.data()), event.event_id.bytes.size()});

    put_int32(sizeof(std::int64_t));
    put_int64(event.occurred_at - kPostgresEpochMicros);

    put_field(event.user_id);
    put_field(event.event_type);

    put_int32(static_cast<std::int32_t>(event.properties_json.size() + 1));
    buffer_.push_back(kJsonbVersion);
    buffer_.append(event.properties_json);

    ++rows_;
}

std::string_view CopyEncoder::finish() {
    put_int16(kTrailer);
    return buffer_;
}

void CopyEncoder::put_int16(std::int16_t value) {
    append_big_endian(buffer_, static_cast<std::uint16_t>(value), 2);
}

void CopyEncoder::put_int32(std::int32_t value) {
    append_big_endian(buffer_, static_cast<std::uint32_t>(value), 4);
}

void CopyEncoder::put_int64(std::int64_t value) {
    append_big_endian(buffer_, static_cast<std::uint64_t>(value), 8);
}

void CopyEncoder::put_field(std::string_view bytes) {
    put_int32(static_cast<std::int32_t>(bytes.size()));
    buffer_.append(bytes);
}

}  // namespace eventline::storage
