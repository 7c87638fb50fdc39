#include "csv/csv_reader.hpp"

#include <algorithm>
#include <cstring>
#include <stdexcept>

namespace eventline::csv {
namespace {

constexpr std::string_view kUtf8Bom = "\xEF\xBB\xBF";
constexpr std::string_view kUnterminatedQuote = "unterminated quoted field";
constexpr std::string_view kAfterClosingQuote = "unexpected character after closing quote";
constexpr std::string_view kTooManyFields = "record has more than 65536 fields";
static_assert(CsvReader::kMaxFields == 65'536, "kTooManyFields names the limit");

// The buffer may grow this far beyond max_record_bytes: room for the line end after a
// record of the largest allowed size, so that such a record can still be seen to end.
constexpr std::size_t kLineEndSlack = 4096;
// The smallest buffer: it must hold the byte order mark when one is looked for.
constexpr std::size_t kMinBufferBytes = 4;

}  // namespace

CsvReader::CsvReader(ByteSource& source, std::size_t max_record_bytes,
                     std::size_t initial_buffer_bytes)
    : source_(source),
      max_record_bytes_(max_record_bytes),
      max_buffer_bytes_(max_record_bytes + kLineEndSlack),
      too_large_message_("record exceeds " + std::to_string(max_record_bytes) + " bytes") {
    if (max_record_bytes == 0 || max_record_bytes > kMaxMaxRecordBytes) {
        throw std::invalid_argument("CsvReader: max_record_bytes must be between 1 and " +
                                    std::to_string(kMaxMaxRecordBytes));
    }
    buffer_.resize(std::clamp(initial_buffer_bytes, kMinBufferBytes, max_buffer_bytes_));
}

bool CsvReader::next(CsvRecord& record) {
    if (!started_) {
        started_ = true;
        while (end_ - begin_ < kUtf8Bom.size() && !eof_) {
            refill();
        }
        if (std::string_view(buffer_.data() + begin_, end_ - begin_).starts_with(kUtf8Bom)) {
            begin_ += kUtf8Bom.size();
        }
    }
    for (;;) {
        switch (scan(record)) {
            case Scan::record:
                return true;
            case Scan::too_large:
                skip_oversized(record);
                return true;
            case Scan::need_more:
                refill();
                break;
            case Scan::end_of_input:
                record.fields.clear();
                record.raw = {};
                record.error = {};
                return false;
        }
    }
}

// Parses the record at begin_ from scratch. When the buffer ends before the record does,
// it returns need_more and next() refills and calls it again: restarting is simpler than
// keeping the parser's state across refills, and cheap, because refill() fills the whole
// buffer, so a record is parsed again only when it did not fit in what was left of the
// buffer, or in the whole buffer, which then doubles.
CsvReader::Scan CsvReader::scan(CsvRecord& record) {
    const char* const data = buffer_.data();
    std::size_t p = begin_;

    // Completely empty lines: skipped, but counted.
    for (;;) {
        if (p == end_) {
            return eof_ ? Scan::end_of_input : Scan::need_more;
        }
        if (data[p] == '\n') {
            begin_ = ++p;
            ++line_;
        } else if (data[p] == '\r' && p + 1 == end_) {
            if (!eof_) {
                return Scan::need_more;  // a CRLF, or a CR starting a record?
            }
            begin_ = ++p;  // a CR ending the input: a truncated CRLF
        } else if (data[p] == '\r' && data[p + 1] == '\n') {
            p += 2;
            begin_ = p;
            ++line_;
        } else {
            break;
        }
    }

    spans_.clear();
    scratch_.clear();
    std::string_view error;
    std::uint64_t newlines = 0;  // LFs inside quoted fields

    for (;;) {  // one field per turn, p at its first byte
        if (p < end_ && data[p] == '"') {
            ++p;
            std::size_t segment = p;  // the field's text not yet copied to scratch_
            bool escaped = false;     // a `""` was seen: the field is built in scratch_
            std::size_t scratch_begin = 0;
            for (;;) {
                const auto* quote = static_cast<const char*>(std::memchr(data + p, '"', end_ - p));
                const std::size_t stop =
                    quote == nullptr ? end_ : static_cast<std::size_t>(quote - data);
                newlines += static_cast<std::uint64_t>(std::count(data + p, data + stop, '\n'));
                if (quote == nullptr) {
                    if (!eof_) {
                        return incomplete(end_);
                    }
                    // The quote never closes: the rest of the input is this record.
                    // Its final line end counts for the size limit, as it would if the
                    // record had not fitted in the buffer.
                    std::size_t raw_end = end_;
                    if (end_ - begin_ <= max_record_bytes_ && data[raw_end - 1] == '\n') {
                        --raw_end;
                        if (data[raw_end - 1] == '\r') {
                            --raw_end;
                        }
                    }
                    finish(record, raw_end, end_, newlines,
                           error.empty() ? kUnterminatedQuote : error);
                    return Scan::record;
                }
                p = stop + 1;
                if (p == end_ && !eof_) {
                    return incomplete(p);  // a closing quote, or the first of `""`?
                }
                if (p < end_ && data[p] == '"') {
                    if (!escaped) {
                        escaped = true;
                        scratch_begin = scratch_.size();
                    }
                    scratch_.append(data + segment, p - segment);  // with one of the quotes
                    segment = ++p;
                    continue;
                }
                if (escaped) {
                    scratch_.append(data + segment, stop - segment);
                    add_field(scratch_begin, scratch_.size() - scratch_begin, true, error);
                } else {
                    add_field(segment, stop - segment, false, error);
                }
                break;
            }

            // After the closing quote: a separator, a line end or the end of the input.
            if (p == end_) {
                finish(record, p, p, newlines, error);
                return Scan::record;
            }
            if (data[p] == ',') {
                ++p;
                continue;
            }
            if (data[p] == '\n') {
                finish(record, p, p + 1, newlines, error);
                return Scan::record;
            }
            if (data[p] == '\r') {
                if (p + 1 == end_) {
                    if (!eof_) {
                        return incomplete(p);
                    }
                    finish(record, p, end_, newlines, error);
                    return Scan::record;
                }
                if (data[p + 1] == '\n') {
                    finish(record, p, p + 2, newlines, error);
                    return Scan::record;
                }
            }
            if (error.empty()) {
                error = kAfterClosingQuote;
            }
            // To find the record's end, read the rest of this field as unquoted data.
        }

        const std::size_t field_begin = p;
        for (;;) {
            while (p < end_ && data[p] != ',' && data[p] != '\n' && data[p] != '\r') {
                ++p;
            }
            if (p == end_) {
                if (!eof_) {
                    return incomplete(p);
                }
                add_field(field_begin, p - field_begin, false, error);
                finish(record, p, p, newlines, error);
                return Scan::record;
            }
            if (data[p] != '\r') {
                break;
            }
            if (p + 1 == end_) {
                if (!eof_) {
                    return incomplete(p);
                }
                add_field(field_begin, p - field_begin, false, error);
                finish(record, p, end_, newlines, error);
                return Scan::record;
            }
            if (data[p + 1] == '\n') {
                add_field(field_begin, p - field_begin, false, error);
                finish(record, p, p + 2, newlines, error);
                return Scan::record;
            }
            ++p;  // a CR that does not end the line is data
        }
        add_field(field_begin, p - field_begin, false, error);
        if (data[p] == ',') {
            ++p;
            continue;
        }
        finish(record, p, p + 1, newlines, error);  // at an LF
        return Scan::record;
    }
}

// The buffer ended at `position` inside the record that starts at begin_.
CsvReader::Scan CsvReader::incomplete(std::size_t position) const {
    // The record holds at least [begin_, position). Past the limit it is not worth
    // reading on; within it, the buffer can still grow, since its maximum leaves slack.
    return position - begin_ > max_record_bytes_ ? Scan::too_large : Scan::need_more;
}

void CsvReader::add_field(std::size_t offset, std::size_t size, bool in_scratch,
                          std::string_view& error) {
    if (!error.empty()) {
        return;  // the fields of a malformed record are not returned
    }
    if (spans_.size() == kMaxFields) {
        error = kTooManyFields;
        return;
    }
    spans_.push_back(FieldSpan{offset, size, in_scratch});
}

// Returns the record [begin_, raw_end) and moves on to `next_begin`.
void CsvReader::finish(CsvRecord& record, std::size_t raw_end, std::size_t next_begin,
                       std::uint64_t newlines, std::string_view error) {
    const std::size_t raw_size = raw_end - begin_;
    record.line = line_;
    record.fields.clear();
    if (raw_size > max_record_bytes_) {
        // Consistent with records that did not fit in the buffer: never returned whole.
        record.raw = {};
        record.error = too_large_message_;
    } else {
        record.raw = std::string_view(buffer_.data() + begin_, raw_size);
        record.error = error;
        if (error.empty()) {
            for (const FieldSpan& span : spans_) {
                const char* base = span.in_scratch ? scratch_.data() : buffer_.data();
                record.fields.emplace_back(base + span.offset, span.size);
            }
        }
    }
    line_ += newlines + 1;
    begin_ = next_begin;
}

// Moves the unread bytes to the front of the buffer and fills the rest from the source,
// growing the buffer when the pending record fills it. Only called before the end.
void CsvReader::refill() {
    if (begin_ > 0) {
        std::memmove(buffer_.data(), buffer_.data() + begin_, end_ - begin_);
        end_ -= begin_;
        begin_ = 0;
    }
    if (end_ == buffer_.size()) {
        // scan() has checked that the record is within the limit, hence the buffer is
        // below max_buffer_bytes_ and this grows it.
        buffer_.resize(std::min(buffer_.size() * 2, max_buffer_bytes_));
    }
    // Fill it whole, even from a source that returns little per read: see scan().
    while (end_ < buffer_.size()) {
        const std::size_t got = source_.read(buffer_.data() + end_, buffer_.size() - end_);
        if (got == 0) {
            eof_ = true;
            return;
        }
        end_ += got;
    }
}

// The record at begin_ is over the limit: report it and pass over it up to its end,
// following its quotes as scan() would, without keeping any of it.
void CsvReader::skip_oversized(CsvRecord& record) {
    record.fields.clear();
    record.line = line_;
    record.raw = {};
    record.error = too_large_message_;

    enum class State { field_start, unquoted, quoted, after_quote };
    State state = State::field_start;
    std::uint64_t newlines = 0;
    std::size_t p = begin_;
    for (;;) {
        if (p == end_) {
            begin_ = 0;
            end_ = 0;
            if (eof_) {
                return;
            }
            refill();
            p = 0;
            continue;
        }
        const char c = buffer_[p++];
        if (state == State::quoted) {
            if (c == '"') {
                state = State::after_quote;
            } else if (c == '\n') {
                ++newlines;
            }
        } else if (c == '\n') {
            begin_ = p;
            line_ += newlines + 1;
            return;
        } else if (c == ',') {
            state = State::field_start;
        } else if (c == '"' && (state == State::field_start || state == State::after_quote)) {
            state = State::quoted;  // an opening quote, or the second of `""`
        } else {
            state = State::unquoted;
        }
    }
}

}  // namespace eventline::csv
