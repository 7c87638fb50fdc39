// Feeds arbitrary bytes to CsvReader, as the contents of an imported file, through a
// source that hands them out in small chunks (their sizes, and the reader's initial
// buffer size, derived from the input), and checks what must hold for any input: line
// numbers rise, records stay within the limit and within the input, nothing loops, and
// the chunking changes nothing (the same bytes read whole give the same records).
// Sanitizers catch memory and undefined-behaviour errors, among them a view outside the
// reader's buffer, since every byte of every view is read; a broken invariant traps.

#include "csv/byte_source.hpp"
#include "csv/csv_reader.hpp"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace {

using eventline::csv::ByteSource;
using eventline::csv::CsvReader;
using eventline::csv::CsvRecord;

// Small, so that the fuzzer reaches oversized records easily.
constexpr std::size_t kMaxRecordBytes = 4096;
constexpr std::size_t kMaxChunkBytes = 16;
constexpr std::size_t kWholeBufferBytes = 64 * 1024;

void require(bool condition) {
    if (!condition) {
        __builtin_trap();
    }
}

/// Hands out the input in chunks of 1 to kMaxChunkBytes bytes, their sizes drawn from
/// `seed`; with seed 0, as much as the reader asks for.
class ChunkedSource final : public ByteSource {
public:
    ChunkedSource(std::string_view data, std::uint64_t seed) : data_(data), state_(seed) {}

    std::size_t read(char* buffer, std::size_t capacity) override {
        require(capacity > 0);
        std::size_t count = std::min(capacity, data_.size() - offset_);
        if (state_ != 0) {
            // xorshift64: cheap, and the same sequence for the same input.
            state_ ^= state_ << 13;
            state_ ^= state_ >> 7;
            state_ ^= state_ << 17;
            count = std::min(count, 1 + static_cast<std::size_t>(state_ % kMaxChunkBytes));
        }
        std::memcpy(buffer, data_.data() + offset_, count);
        offset_ += count;
        return count;
    }
    [[nodiscard]] std::uint64_t bytes_consumed() const override { return offset_; }
    [[nodiscard]] std::optional<std::uint64_t> total_bytes() const override { return data_.size(); }

private:
    std::string_view data_;
    std::uint64_t state_;
    std::size_t offset_ = 0;
};

std::uint64_t fnv1a(std::string_view data) {
    std::uint64_t hash = 14'695'981'039'346'656'037ULL;
    for (const char c : data) {
        hash = (hash ^ static_cast<unsigned char>(c)) * 1'099'511'628'211ULL;
    }
    return hash;
}

/// Reads every record, checks each, and returns them serialised for comparison.
std::string read_all(ByteSource& source, std::size_t buffer_bytes, std::size_t input_size) {
    CsvReader reader(source, kMaxRecordBytes, buffer_bytes);
    CsvRecord record;
    std::string out;
    std::uint64_t previous_line = 0;
    std::size_t raw_total = 0;
    std::size_t records = 0;
    while (reader.next(record)) {
        // Each record consumes at least one byte: more records than bytes is a loop.
        require(++records <= input_size);
        require(record.line > previous_line);
        previous_line = record.line;

        require(record.raw.size() <= kMaxRecordBytes);
        raw_total += record.raw.size();
        require(raw_total <= input_size);
        if (record.error.empty()) {
            require(!record.fields.empty());
            require(!record.raw.empty());
            require(record.fields.size() <= CsvReader::kMaxFields);
        } else {
            require(record.fields.empty());
        }

        // Reading every byte lets AddressSanitizer check every view.
        out += std::to_string(record.line);
        out += '|';
        out.append(record.error);
        out += '|';
        out.append(record.raw);
        std::size_t field_bytes = 0;
        std::string joined;
        for (const std::string_view field : record.fields) {
            field_bytes += field.size();
            out += '|';
            out.append(field);
            joined.append(field);
            joined += ',';
        }
        out += '\n';
        // Unescaping only removes bytes; without quotes, a record is its fields joined.
        require(field_bytes + record.fields.size() <= record.raw.size() + 1);
        if (record.error.empty() && record.raw.find('"') == std::string_view::npos) {
            joined.pop_back();
            require(joined == record.raw);
        }
    }
    require(!reader.next(record));
    require(source.bytes_consumed() == input_size);
    return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view input(reinterpret_cast<const char*>(data), size);
    const std::uint64_t hash = fnv1a(input);

    ChunkedSource chunked(input, hash | 1);
    const std::string in_chunks = read_all(chunked, 4 + (hash >> 56) % 64, size);

    ChunkedSource whole(input, 0);
    const std::string at_once = read_all(whole, kWholeBufferBytes, size);
    require(in_chunks == at_once);
    return 0;
}
