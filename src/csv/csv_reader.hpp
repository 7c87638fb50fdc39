#pragma once

#include "csv/byte_source.hpp"

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace eventline::csv {

/// One record (row) of a CSV input.
struct CsvRecord {
    std::vector<std::string_view> fields;  // unescaped; views valid until the next call
    std::uint64_t line = 0;                // 1-based physical line where the record starts
    std::string_view raw;                  // the record's original bytes without its line end
    std::string_view error;                // non-empty: malformed record (fields unusable)
};

/// Reads RFC 4180 CSV records from a ByteSource, one at a time, in constant memory: one
/// read buffer (a few MiB, grown at most to `max_record_bytes` plus a little) and one
/// scratch buffer for unescaped quoted fields are reused for every record, so a file of
/// any size can be read, and a hostile one cannot make it hold more.
///
/// The dialect, and the choices where RFC 4180 is silent or strict:
/// - Fields are separated by `,` and records end with LF or CRLF. A CR not followed by LF
///   is data (RFC 4180 forbids it; failing the row would help no one), except as the
///   very last byte of the input, where it is taken for a truncated CRLF.
/// - A field that starts with `"` is quoted: it may hold commas, CR, LF and `""` (one
///   quote), and ends at the next lone `"`, which must be followed by `,`, a line end or
///   the end of the input; anything else there (`"a"b`, `"a" ,`) makes the record
///   malformed ("unexpected character after closing quote").
/// - A `"` inside an unquoted field (`a"b`) is data, as PostgreSQL's CSV reads it. Spaces
///   are data everywhere: nothing is trimmed.
/// - A UTF-8 byte order mark at the start of the input is skipped. Bytes are not
///   otherwise checked: UTF-8 validity is the event validator's job.
/// - Completely empty lines (zero bytes before their LF or CRLF) are skipped; they still
///   count for line numbers. So a one-column file cannot hold an empty value unquoted:
///   write it as `""`.
/// - A final record without a line end is read as any other.
/// - `line` counts physical lines (LFs), so a record whose quoted field spans lines is
///   reported at the line where it starts, and the next record's line counts the
///   newlines inside it.
///
/// Malformed records are returned, not thrown: `error` says why, `fields` is empty, and
/// `raw` holds the record's bytes (for a rejects file). Reading resumes after the next
/// line end that is outside quotes, as far as the quotes of the malformed record can
/// still be followed: after an error the rest of the field is read as unquoted data and
/// later fields as usual. Hence an unterminated quote makes the rest of the input one
/// bad record ("unterminated quoted field"; `raw` then omits a final line end).
///
/// A record whose raw bytes exceed `max_record_bytes` is an error record ("record
/// exceeds N bytes") with an empty `raw`: it is skipped up to its end without being
/// buffered whole (one that happens to fit in the buffer gets the same answer, so that
/// results never depend on how reads split the input). A record with more than
/// kMaxFields fields is an error record too, so that a line of commas cannot make the
/// field list grow without bound. Of several faults, the first one found is reported,
/// the size limit first.
///
/// To stay linear on records that straddle reads, a refill reads until the buffer is
/// full or the input ends: from a slow pipe, records therefore come in batches.
///
/// Errors of the source (I/O, corrupt gzip) propagate from next() as the source's
/// std::runtime_error; the reader cannot be used after one.
class CsvReader {
public:
    static constexpr std::size_t kDefaultMaxRecordBytes = std::size_t{8} << 20;
    static constexpr std::size_t kDefaultBufferBytes = std::size_t{4} << 20;
    static constexpr std::size_t kMaxFields = 65'536;
    // The largest max_record_bytes accepted: 1 GiB, so that sizes never overflow.
    static constexpr std::size_t kMaxMaxRecordBytes = std::size_t{1} << 30;

    /// `initial_buffer_bytes` is for tests (tiny buffers make every record cross buffer
    /// boundaries); the buffer grows as long records need it. Throws
    /// std::invalid_argument when `max_record_bytes` is 0 or above kMaxMaxRecordBytes.
    explicit CsvReader(ByteSource& source, std::size_t max_record_bytes = kDefaultMaxRecordBytes,
                       std::size_t initial_buffer_bytes = kDefaultBufferBytes);

    /// Reads the next record into `record` (reusing its storage); false at the end of
    /// the input. The views in `record` stay valid until the next call.
    bool next(CsvRecord& record);

private:
    enum class Scan { record, need_more, too_large, end_of_input };

    // Where a field's text is: in the read buffer, or unescaped in scratch_. Offsets
    // rather than views, because scratch_ may move as it grows during a record.
    struct FieldSpan {
        std::size_t offset;
        std::size_t size;
        bool in_scratch;
    };

    Scan scan(CsvRecord& record);
    [[nodiscard]] Scan incomplete(std::size_t position) const;
    void add_field(std::size_t offset, std::size_t size, bool in_scratch, std::string_view& error);
    void finish(CsvRecord& record, std::size_t raw_end, std::size_t next_begin,
                std::uint64_t newlines, std::string_view error);
    void refill();
    void skip_oversized(CsvRecord& record);

    ByteSource& source_;
    std::size_t max_record_bytes_;
    std::size_t max_buffer_bytes_;
    std::string too_large_message_;

    // Bytes [begin_, end_) of buffer_ are read but not yet returned as records.
    std::vector<char> buffer_;
    std::size_t begin_ = 0;
    std::size_t end_ = 0;
    bool eof_ = false;      // the source has returned its end
    bool started_ = false;  // the byte order mark has been looked for
    std::uint64_t line_ = 1;

    std::string scratch_;
    std::vector<FieldSpan> spans_;
};

}  // namespace eventline::csv
