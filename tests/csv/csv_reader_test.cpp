#include "csv/csv_reader.hpp"
#include "support/http_client.hpp"

#include "csv/byte_source.hpp"

#include <gtest/gtest.h>
#include <zlib.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <ostream>
#include <random>
#include <stdexcept>
#include <string>
#include <string_view>
#include <unistd.h>
#include <utility>
#include <vector>

namespace eventline::csv {
namespace {

using namespace std::string_literals;

constexpr std::string_view kUnterminated = "unterminated quoted field";
constexpr std::string_view kAfterQuote = "unexpected character after closing quote";
constexpr std::size_t kMiB = 1024 * 1024;
const std::string kBom = "\xEF\xBB\xBF";  // UTF-8's byte order mark

/// Serves a string, each read returning at most the next of `chunk_sizes` (cycled), so
/// that records cross read boundaries everywhere.
class MemorySource final : public ByteSource {
  public:
    explicit MemorySource(std::string data, std::vector<std::size_t> chunk_sizes = {})
        : data_(std::move(data)), chunk_sizes_(std::move(chunk_sizes)) {}

    std::size_t read(char* buffer, std::size_t capacity) override {
        std::size_t count = std::min(capacity, data_.size() - offset_);
        if (!chunk_sizes_.empty()) {
            count = std::min(count, chunk_sizes_[turn_++ % chunk_sizes_.size()]);
        }
        std::memcpy(buffer, data_.data() + offset_, count);
        offset_ += count;
        return count;
    }
    [[nodiscard]] std::uint64_t bytes_consumed() const override { return offset_; }
    [[nodiscard]] std::optional<std::uint64_t> total_bytes() const override { return data_.size(); }

  private:
    std::string data_;
    std::vector<std::size_t> chunk_sizes_;
    std::size_t offset_ = 0;
    std::size_t turn_ = 0;
};

/// A record as the test compares it: copied, since the reader's views do not last.
struct Row {
    std::uint64_t line = 0;
    std::vector<std::string> fields;
    std::string error;
    std::string raw;

    bool operator==(const Row&) const = default;
};

// Shows control characters, so that a failure says which CR or LF differs.
std::string visible(std::string_view text) {
    std::string out;
    for (const char c : text) {
        if (c == '\n') {
            out += "\\n";
        } else if (c == '\r') {
            out += "\\r";
        } else {
            out += c;
        }
    }
    return out;
}

void PrintTo(const Row& row, std::ostream* os) {
    *os << "{line " << row.line << ", fields [";
    for (std::size_t i = 0; i < row.fields.size(); ++i) {
        *os << (i == 0 ? "" : ", ") << '"' << visible(row.fields[i]) << '"';
    }
    *os << "], error \"" << row.error << "\", raw \"" << visible(row.raw) << "\"}";
}

Row ok(std::uint64_t line, std::vector<std::string> fields, std::string raw) {
    return Row{line, std::move(fields), "", std::move(raw)};
}

Row bad(std::uint64_t line, std::string_view error, std::string raw) {
    return Row{line, {}, std::string(error), std::move(raw)};
}

std::vector<Row> read_rows(ByteSource& source,
                           std::size_t max_record_bytes = CsvReader::kDefaultMaxRecordBytes,
                           std::size_t buffer_bytes = CsvReader::kDefaultBufferBytes) {
    CsvReader reader(source, max_record_bytes, buffer_bytes);
    CsvRecord record;
    std::vector<Row> rows;
    while (reader.next(record)) {
        Row row{record.line, {}, std::string(record.error), std::string(record.raw)};
        for (const std::string_view field : record.fields) {
            row.fields.emplace_back(field);
        }
        if (!record.error.empty()) {
            EXPECT_TRUE(record.fields.empty());
        }
        rows.push_back(std::move(row));
    }
    EXPECT_FALSE(reader.next(record)) << "the end stays the end";
    return rows;
}

/// One way to feed the reader: read sizes and the reader's initial buffer.
struct Feeding {
    std::string_view name;
    std::vector<std::size_t> chunk_sizes;
    std::size_t buffer_bytes;
};

const std::vector<Feeding> kFeedings = {
    {"whole", {}, CsvReader::kDefaultBufferBytes},
    {"bytewise", {1}, CsvReader::kDefaultBufferBytes},
    {"1to7", {1, 2, 3, 4, 5, 6, 7}, CsvReader::kDefaultBufferBytes},
    {"tiny_buffer", {}, 4},
    {"tiny_buffer_3", {3}, 5},
    {"small_buffer_1to7", {7, 1, 6, 2, 5, 3, 4}, 16},
};

std::vector<Row> read_fed(const std::string& input, const Feeding& feeding,
                          std::size_t max_record_bytes = CsvReader::kDefaultMaxRecordBytes) {
    MemorySource source(input, feeding.chunk_sizes);
    return read_rows(source, max_record_bytes, feeding.buffer_bytes);
}

// ---------------------------------------------------------------------------------------
// The dialect, case by case, each read in every feeding.

struct CsvCase {
    std::string_view name;
    std::string input;
    std::vector<Row> expected;
};

const std::vector<CsvCase> kCases = {
    {"OneRecord", "a,b,c\n", {ok(1, {"a", "b", "c"}, "a,b,c")}},
    {"TwoRecords", "a,b\n1,2\n", {ok(1, {"a", "b"}, "a,b"), ok(2, {"1", "2"}, "1,2")}},
    {"NoFinalLineEnd", "a,b\nc,d", {ok(1, {"a", "b"}, "a,b"), ok(2, {"c", "d"}, "c,d")}},
    {"EmptyLastField", "a,b,\n", {ok(1, {"a", "b", ""}, "a,b,")}},
    {"EmptyLastFieldAtEnd", "a,b,", {ok(1, {"a", "b", ""}, "a,b,")}},
    {"OnlySeparators", ",,\n", {ok(1, {"", "", ""}, ",,")}},
    {"EmptyQuotedField", "\"\"\n", {ok(1, {""}, "\"\"")}},
    {"QuotedComma", "\"a,b\",c\n", {ok(1, {"a,b", "c"}, "\"a,b\",c")}},
    {"DoubledQuotes",
     "\"say \"\"hi\"\"\",x\n",
     {ok(1, {"say \"hi\"", "x"}, "\"say \"\"hi\"\"\",x")}},
    {"OnlyAnEscapedQuote", "\"\"\"\"\n", {ok(1, {"\""}, "\"\"\"\"")}},
    {"EscapedQuotesInSeveralFields",
     "\"a\"\"\",\"\"\"b\",plain,\"c\"\"d\"\"e\"\n",
     {ok(1, {"a\"", "\"b", "plain", "c\"d\"e"}, "\"a\"\"\",\"\"\"b\",plain,\"c\"\"d\"\"e\"")}},
    {"JsonInAQuotedField",
     "id,\"{\"\"page\"\": \"\"/home\"\", \"\"n\"\": [1, 2]}\"\n",
     {ok(1, {"id", "{\"page\": \"/home\", \"n\": [1, 2]}"},
         "id,\"{\"\"page\"\": \"\"/home\"\", \"\"n\"\": [1, 2]}\"")}},
    {"LfInQuotedField",
     "\"a\nb\",c\nd,e\n",
     {ok(1, {"a\nb", "c"}, "\"a\nb\",c"), ok(3, {"d", "e"}, "d,e")}},
    {"CrlfInQuotedField",
     "\"a\r\nb\",c\r\nd,e\r\n",
     {ok(1, {"a\r\nb", "c"}, "\"a\r\nb\",c"), ok(3, {"d", "e"}, "d,e")}},
    {"NewlinesInSeveralQuotedFields",
     "\"1\n2\n3\",\"4\n5\"\nx\n",
     {ok(1, {"1\n2\n3", "4\n5"}, "\"1\n2\n3\",\"4\n5\""), ok(5, {"x"}, "x")}},
    {"CrlfLineEnds", "a,b\r\nc,d\r\n", {ok(1, {"a", "b"}, "a,b"), ok(2, {"c", "d"}, "c,d")}},
    {"QuotedFieldsBeforeCrlf",
     "\"a\"\r\n\"b\",\"\"\r\n",
     {ok(1, {"a"}, "\"a\""), ok(2, {"b", ""}, "\"b\",\"\"")}},
    {"Bom", kBom + "a,b\n", {ok(1, {"a", "b"}, "a,b")}},
    {"BomThenQuotedField", kBom + "\"a\",b\n", {ok(1, {"a", "b"}, "\"a\",b")}},
    {"BomThenEmptyLine", kBom + "\nx\n", {ok(2, {"x"}, "x")}},
    {"BomOnly", kBom, {}},
    {"PartialBomIsData", "\xEF\xBB\n", {ok(1, {"\xEF\xBB"}, "\xEF\xBB")}},
    {"LaterBomIsData", "a\n" + kBom + "b\n", {ok(1, {"a"}, "a"), ok(2, {kBom + "b"}, kBom + "b")}},
    {"LoneCrIsData", "a\rb,c\n", {ok(1, {"a\rb", "c"}, "a\rb,c")}},
    {"CrCrLf", "a\r\r\nb\n", {ok(1, {"a\r"}, "a\r"), ok(2, {"b"}, "b")}},
    {"CrAtEndOfInputEndsTheLine", "a,b\r", {ok(1, {"a", "b"}, "a,b")}},
    {"CrStartingARecord", "\rx\n", {ok(1, {"\rx"}, "\rx")}},
    {"EmptyLinesAreSkippedButCounted",
     "\n\na,b\n\n\r\nc\n\n",
     {ok(3, {"a", "b"}, "a,b"), ok(6, {"c"}, "c")}},
    {"EmptyInput", "", {}},
    {"OnlyLineEnds", "\n\r\n\n\r", {}},
    {"SpacesAreKept", " a , b \n", {ok(1, {" a ", " b "}, " a , b ")}},
    {"NulIsData", "a\0b,c\n"s, {ok(1, {"a\0b"s, "c"}, "a\0b,c"s)}},
    {"StrayQuoteInUnquotedFieldIsData", "a\"b,c\"\n", {ok(1, {"a\"b", "c\""}, "a\"b,c\"")}},
    {"DataAfterClosingQuote",
     "\"a\"b,c\nd\n",
     {bad(1, kAfterQuote, "\"a\"b,c"), ok(2, {"d"}, "d")}},
    {"SpaceAfterClosingQuote",
     "x,\"a\" ,b\r\nc\r\n",
     {bad(1, kAfterQuote, "x,\"a\" ,b"), ok(2, {"c"}, "c")}},
    {"LoneCrAfterClosingQuote",
     "\"a\"\rb\nc\n",
     {bad(1, kAfterQuote, "\"a\"\rb"), ok(2, {"c"}, "c")}},
    {"ResyncFollowsLaterQuotes",
     "\"a\"x,\"b\nc\"\nd\n",
     {bad(1, kAfterQuote, "\"a\"x,\"b\nc\""), ok(3, {"d"}, "d")}},
    {"QuoteAfterErrorIsData",
     "\"a\"x\"y\nz\n",
     {bad(1, kAfterQuote, "\"a\"x\"y"), ok(2, {"z"}, "z")}},
    {"UnterminatedQuoteAtEnd",
     "a,b\n\"c,d\ne,f\n",
     {ok(1, {"a", "b"}, "a,b"), bad(2, kUnterminated, "\"c,d\ne,f")}},
    {"UnterminatedQuoteWithoutLineEnd",
     "x\n\"abc",
     {ok(1, {"x"}, "x"), bad(2, kUnterminated, "\"abc")}},
    {"UnterminatedQuoteInALaterField", "a,\"b\r\n", {bad(1, kUnterminated, "a,\"b")}},
    {"UnterminatedAfterAnEscapedQuote", "\"a\"\"\n", {bad(1, kUnterminated, "\"a\"\"")}},
    {"FirstErrorWins", "\"a\"x,\"b\n", {bad(1, kAfterQuote, "\"a\"x,\"b")}},
    {"QuotedFieldAtEndOfInput", "a,\"b\"", {ok(1, {"a", "b"}, "a,\"b\"")}},
    {"EmptyQuotedFieldAtEndOfInput", "a,\"\"", {ok(1, {"a", ""}, "a,\"\"")}},
    {"QuotedFieldThenCrAtEndOfInput", "\"a\"\r", {ok(1, {"a"}, "\"a\"")}},
    {"ErrorsAndGoodRecordsInterleave",
     "1\n\"2\"x\n3\n\"4\n",
     {ok(1, {"1"}, "1"), bad(2, kAfterQuote, "\"2\"x"), ok(3, {"3"}, "3"),
      bad(4, kUnterminated, "\"4")}},
};

class CsvTable : public ::testing::TestWithParam<CsvCase> {};

TEST_P(CsvTable, ReadsTheSameInEveryFeeding) {
    for (const Feeding& feeding : kFeedings) {
        SCOPED_TRACE(feeding.name);
        EXPECT_EQ(read_fed(GetParam().input, feeding), GetParam().expected);
    }
}

INSTANTIATE_TEST_SUITE_P(Csv, CsvTable, ::testing::ValuesIn(kCases),
                         [](const ::testing::TestParamInfo<CsvCase>& test_case) {
                             return std::string(test_case.param.name);
                         });

// ---------------------------------------------------------------------------------------
// Sizes and limits.

TEST(CsvReader, ReadsAOneMebibyteField) {
    std::string unquoted(kMiB, 'u');
    std::string quoted_text;
    std::string quoted_raw = "\"";
    for (std::size_t i = 0; quoted_text.size() < kMiB; ++i) {
        const char c = "ab,\n\""[i % 5];
        quoted_text += c;
        quoted_raw += c;
        if (c == '"') {
            quoted_raw += '"';
        }
    }
    quoted_raw += '"';
    const std::string input = "head\n" + unquoted + "," + quoted_raw + "\ntail\n";
    const std::uint64_t newlines_inside =
        static_cast<std::uint64_t>(std::count(quoted_text.begin(), quoted_text.end(), '\n'));

    const std::vector<Row> expected = {
        ok(1, {"head"}, "head"),
        ok(2, {unquoted, quoted_text}, unquoted + "," + quoted_raw),
        ok(3 + newlines_inside, {"tail"}, "tail"),
    };
    for (const Feeding& feeding : kFeedings) {
        SCOPED_TRACE(feeding.name);
        EXPECT_EQ(read_fed(input, feeding), expected);
    }
}

// Each limit case runs with a buffer that holds the whole oversized record (it is then
// refused after it was seen whole) and with small buffers (it is skipped as it streams).
const std::vector<Feeding> kLimitFeedings = {
    {"whole", {}, 1024},
    {"tiny_buffer", {}, 4},
    {"small_buffer_1to7", {1, 2, 3, 4, 5, 6, 7}, 16},
};

TEST(CsvReader, ReportsARecordOverTheLimitAndReadsOn) {
    const std::string input = "short\n" + std::string(100, 'x') + ",y\nnext,1\n";
    const std::vector<Row> expected = {
        ok(1, {"short"}, "short"),
        bad(2, "record exceeds 64 bytes", ""),
        ok(3, {"next", "1"}, "next,1"),
    };
    for (const Feeding& feeding : kLimitFeedings) {
        SCOPED_TRACE(feeding.name);
        EXPECT_EQ(read_fed(input, feeding, 64), expected);
    }
}

TEST(CsvReader, SkipsAnOversizedRecordUpToItsEndOutsideQuotes) {
    // 100 LFs and a comma inside quotes, and an escaped quote: all part of the record.
    std::string input = "\"";
    for (int i = 0; i < 100; ++i) {
        input += "x\n";
    }
    input += "\"\",\n\",after\r\nnext\n";
    const std::vector<Row> expected = {
        bad(1, "record exceeds 64 bytes", ""),
        ok(103, {"next"}, "next"),
    };
    for (const Feeding& feeding : kLimitFeedings) {
        SCOPED_TRACE(feeding.name);
        EXPECT_EQ(read_fed(input, feeding, 64), expected);
    }
}

TEST(CsvReader, AnOversizedUnterminatedQuoteTakesTheRest) {
    const std::string input = "a\n\"" + std::string(100, 'x') + "\nb\n";
    const std::vector<Row> expected = {
        ok(1, {"a"}, "a"),
        bad(2, "record exceeds 16 bytes", ""),
    };
    for (const Feeding& feeding : kLimitFeedings) {
        SCOPED_TRACE(feeding.name);
        EXPECT_EQ(read_fed(input, feeding, 16), expected);
    }
}

TEST(CsvReader, ReadsARecordOfExactlyTheLimit) {
    const std::string input =
        "0123456789\r\n\"12345678\"\r\n\"\"\"\"\"\"\"\"\"\"\n01234567890\nok\n";
    const std::vector<Row> expected = {
        ok(1, {"0123456789"}, "0123456789"),
        ok(2, {"12345678"}, "\"12345678\""),
        ok(3, {"\"\"\"\""}, "\"\"\"\"\"\"\"\"\"\""),
        bad(4, "record exceeds 10 bytes", ""),
        ok(5, {"ok"}, "ok"),
    };
    for (const Feeding& feeding : kLimitFeedings) {
        SCOPED_TRACE(feeding.name);
        EXPECT_EQ(read_fed(input, feeding, 10), expected);
    }
}

TEST(CsvReader, RefusesARecordWithTooManyFields) {
    const std::string most(CsvReader::kMaxFields - 1, ',');
    const std::string too_many(CsvReader::kMaxFields, ',');
    MemorySource source(most + "\n" + too_many + "\nx\n");
    CsvReader reader(source);
    CsvRecord record;

    ASSERT_TRUE(reader.next(record));
    EXPECT_EQ(record.error, "");
    EXPECT_EQ(record.fields.size(), CsvReader::kMaxFields);

    ASSERT_TRUE(reader.next(record));
    EXPECT_EQ(record.line, 2U);
    EXPECT_EQ(record.error, "record has more than 65536 fields");
    EXPECT_EQ(record.raw, too_many);
    EXPECT_TRUE(record.fields.empty());

    ASSERT_TRUE(reader.next(record));
    EXPECT_EQ(record.line, 3U);
    EXPECT_EQ(record.fields, std::vector<std::string_view>{"x"});
    EXPECT_FALSE(reader.next(record));
}

TEST(CsvReader, RefusesAnUnusableLimit) {
    MemorySource source("");
    EXPECT_THROW(CsvReader(source, 0), std::invalid_argument);
    EXPECT_THROW(CsvReader(source, CsvReader::kMaxMaxRecordBytes + 1), std::invalid_argument);
}

TEST(CsvReader, ReusesTheRecordItIsGiven) {
    MemorySource source("a,b,c\n\"x\"y\nd\n");
    CsvReader reader(source);
    CsvRecord record;
    ASSERT_TRUE(reader.next(record));
    EXPECT_EQ(record.fields.size(), 3U);
    ASSERT_TRUE(reader.next(record));
    EXPECT_FALSE(record.error.empty());
    EXPECT_TRUE(record.fields.empty());
    ASSERT_TRUE(reader.next(record));
    EXPECT_TRUE(record.error.empty());
    EXPECT_EQ(record.fields, std::vector<std::string_view>{"d"});
}

// ---------------------------------------------------------------------------------------
// Randomised: RFC 4180 text written from known fields reads back as those fields, and
// arbitrary text reads the same whatever the feeding.

/// Writes one field as RFC 4180 wants it, quoting only when it must (or by chance).
std::string encode_field(const std::string& field, std::mt19937& random) {
    const bool must_quote = field.find_first_of(",\"\r\n") != std::string::npos;
    if (!must_quote && random() % 4 != 0) {
        return field;
    }
    std::string out = "\"";
    for (const char c : field) {
        out += c;
        if (c == '"') {
            out += '"';
        }
    }
    return out + "\"";
}

TEST(CsvReader, ReadsBackWhatAnRfc4180WriterWrote) {
    std::mt19937 random(20250106);
    for (int round = 0; round < 40; ++round) {
        std::string input;
        std::vector<Row> expected;
        std::uint64_t line = 1;
        const int records = 1 + static_cast<int>(random() % 30);
        for (int r = 0; r < records; ++r) {
            Row row;
            row.line = line;
            const int fields = 1 + static_cast<int>(random() % 5);
            for (int f = 0; f < fields; ++f) {
                std::string field;
                const int size = static_cast<int>(random() % 8);
                for (int i = 0; i < size; ++i) {
                    field += "ab ,\"\r\n"[random() % 7];
                }
                std::string encoded = encode_field(field, random);
                if (fields == 1 && encoded.empty()) {
                    encoded = "\"\"";  // an empty line would be skipped
                }
                row.raw += (f == 0 ? "" : ",") + encoded;
                line += static_cast<std::uint64_t>(std::count(field.begin(), field.end(), '\n'));
                row.fields.push_back(std::move(field));
            }
            const bool last = r + 1 == records;
            input += row.raw;
            if (!last || random() % 2 == 0) {
                input += random() % 2 == 0 ? "\n" : "\r\n";
            }
            ++line;
            expected.push_back(std::move(row));
        }
        for (const Feeding& feeding : kFeedings) {
            SCOPED_TRACE(std::string(feeding.name) + " round " + std::to_string(round));
            ASSERT_EQ(read_fed(input, feeding), expected) << visible(input);
        }
    }
}

TEST(CsvReader, ReadsArbitraryTextTheSameInEveryFeeding) {
    std::mt19937 random(4180);
    const std::vector<Feeding> feedings = {
        {"whole", {}, 4096},       {"bytewise", {1}, 4096},
        {"tiny_buffer", {}, 4},    {"tiny_buffer_1to7", {1, 2, 3, 4, 5, 6, 7}, 5},
        {"small_buffer", {3}, 24},
    };
    for (int round = 0; round < 300; ++round) {
        std::string input;
        const int size = static_cast<int>(random() % 200);
        for (int i = 0; i < size; ++i) {
            input += "aa,\"\r\n"[random() % 6];
        }
        MemorySource whole(input);
        const std::vector<Row> reference = read_rows(whole, 20, 4096);
        std::uint64_t previous_line = 0;
        for (const Row& row : reference) {
            ASSERT_GT(row.line, previous_line);
            previous_line = row.line;
        }
        for (const Feeding& feeding : feedings) {
            SCOPED_TRACE(std::string(feeding.name) + " round " + std::to_string(round) + ": " +
                         visible(input));
            ASSERT_EQ(read_fed(input, feeding, 20), reference);
        }
    }
}

// ---------------------------------------------------------------------------------------
// Sources: files, gzip, standard input.

// The test support library compresses; its gzip() is the one every test uses.
using eventline::testing::gzip;

std::string sample_csv(int rows) {
    std::string text = "event_id,occurred_at,user_id,event_type,properties\n";
    for (int i = 0; i < rows; ++i) {
        text += "0190a5b4-7c3e-7def-8abc-" + std::to_string(100'000'000'000 + i) +
                ",2025-01-06T11:00:00Z,user" + std::to_string(i % 97) +
                ",click,\"{\"\"n\"\": " + std::to_string(i) + "}\"\n";
    }
    return text;
}

std::vector<Row> read_source(ByteSource& source) {
    return read_rows(source);
}

class CsvSource : public ::testing::Test {
  protected:
    void SetUp() override {
        dir_ = std::filesystem::temp_directory_path() /
               ("csv_reader_test." + std::to_string(::getpid()));
        std::filesystem::create_directories(dir_);
    }
    void TearDown() override { std::filesystem::remove_all(dir_); }

    std::string write(const std::string& name, const std::string& content) {
        const std::string path = (dir_ / name).string();
        std::ofstream out(path, std::ios::binary);
        out << content;
        return path;
    }

    std::filesystem::path dir_;
};

TEST_F(CsvSource, ReadsAPlainFile) {
    const std::string text = sample_csv(300);
    const std::string path = write("plain.csv", text);
    std::unique_ptr<ByteSource> source = open_source(path);
    EXPECT_NE(dynamic_cast<FileSource*>(source.get()), nullptr);
    EXPECT_EQ(source->total_bytes(), text.size());
    EXPECT_EQ(source->bytes_consumed(), 0U);

    MemorySource memory(text);
    EXPECT_EQ(read_source(*source), read_source(memory));
    EXPECT_EQ(source->bytes_consumed(), text.size());
}

TEST_F(CsvSource, ReadsAGzipFile) {
    const std::string text = sample_csv(3000);
    const std::string compressed = gzip(text);
    const std::string path = write("events.csv.gz", compressed);
    std::unique_ptr<ByteSource> source = open_source(path);
    EXPECT_NE(dynamic_cast<GzipSource*>(source.get()), nullptr);
    // Progress is measured in compressed bytes.
    EXPECT_EQ(source->total_bytes(), compressed.size());

    MemorySource memory(text);
    const std::vector<Row> rows = read_source(*source);
    EXPECT_EQ(rows.size(), 3001U);
    EXPECT_EQ(rows, read_source(memory));
    EXPECT_EQ(source->bytes_consumed(), compressed.size());
}

TEST_F(CsvSource, ReadsConcatenatedGzipMembersAsOneStream) {
    const std::string text = sample_csv(500);
    const std::size_t split = text.size() / 2 + 7;  // inside a record
    ASSERT_NE(text[split - 1], '\n');
    const std::string compressed =
        gzip(text.substr(0, split)) + gzip("") + gzip(text.substr(split));
    const std::string path = write("joined.csv.gz", compressed);
    std::unique_ptr<ByteSource> source = open_source(path);

    MemorySource memory(text);
    EXPECT_EQ(read_source(*source), read_source(memory));
}

TEST(GzipSource, InflatesFromASourceThatReadsByteByByte) {
    const std::string text = sample_csv(50);
    const std::string compressed = gzip(text.substr(0, 100)) + gzip(text.substr(100));
    GzipSource source(std::make_unique<MemorySource>(compressed, std::vector<std::size_t>{1}),
                      "memory");
    std::string out;
    char buffer[3];
    for (std::size_t got; (got = source.read(buffer, sizeof buffer)) != 0;) {
        out.append(buffer, got);
    }
    EXPECT_EQ(out, text);
    EXPECT_EQ(source.read(buffer, sizeof buffer), 0U);
}

TEST_F(CsvSource, CorruptGzipThrowsNamingTheFile) {
    const std::string compressed = gzip(sample_csv(2000));
    std::string corrupt = compressed;
    for (std::size_t i = compressed.size() / 2; i < compressed.size() / 2 + 16; ++i) {
        corrupt[i] = static_cast<char>(corrupt[i] ^ 0x5a);
    }
    const std::vector<std::pair<std::string, std::string>> files = {
        {"corrupt.csv.gz", corrupt},
        {"truncated.csv.gz", compressed.substr(0, compressed.size() - 5)},
        {"empty.csv.gz", ""},
        {"trailing.csv.gz", compressed + "garbage"},
        {"not_gzip.csv.gz", sample_csv(3)},
    };
    for (const auto& [name, content] : files) {
        SCOPED_TRACE(name);
        const std::string path = write(name, content);
        std::unique_ptr<ByteSource> source = open_source(path);
        try {
            read_source(*source);
            ADD_FAILURE() << "no exception";
        } catch (const std::runtime_error& error) {
            EXPECT_NE(std::string_view(error.what()).find(path), std::string_view::npos)
                << error.what();
        }
    }
}

TEST_F(CsvSource, AMissingFileThrowsNamingIt) {
    const std::string path = (dir_ / "missing.csv").string();
    try {
        open_source(path);
        ADD_FAILURE() << "no exception";
    } catch (const std::runtime_error& error) {
        EXPECT_NE(std::string_view(error.what()).find(path), std::string_view::npos);
        EXPECT_NE(std::string_view(error.what()).find("No such file"), std::string_view::npos)
            << error.what();
    }
    EXPECT_THROW(open_source(dir_.string()), std::runtime_error);  // a directory
}

TEST_F(CsvSource, PeekedBytesAreReadAgain) {
    const std::string path = write("peek.csv", "abcdef");
    FileSource source(path);
    EXPECT_EQ(source.peek(2), "ab");
    EXPECT_EQ(source.peek(4), "abcd");
    char buffer[16];
    std::string out;
    for (std::size_t got; (got = source.read(buffer, 3)) != 0;) {
        out.append(buffer, got);
    }
    EXPECT_EQ(out, "abcdef");
    EXPECT_EQ(source.bytes_consumed(), 6U);
}

/// Puts a file on standard input for the lifetime of the object.
class StdinFrom {
  public:
    explicit StdinFrom(const std::string& path) : saved_(::dup(STDIN_FILENO)) {
        const int fd = ::open(path.c_str(), O_RDONLY);
        EXPECT_GE(fd, 0);
        EXPECT_GE(::dup2(fd, STDIN_FILENO), 0);
        ::close(fd);
    }
    ~StdinFrom() {
        ::dup2(saved_, STDIN_FILENO);
        ::close(saved_);
    }
    StdinFrom(const StdinFrom&) = delete;
    StdinFrom& operator=(const StdinFrom&) = delete;

  private:
    int saved_;
};

TEST_F(CsvSource, SniffsGzipOnStandardInput) {
    const std::string text = sample_csv(100);
    MemorySource memory(text);
    const std::vector<Row> expected = read_source(memory);

    {
        const StdinFrom stdin_from(write("stdin.csv", text));
        std::unique_ptr<ByteSource> source = open_source("-");
        EXPECT_NE(dynamic_cast<FileSource*>(source.get()), nullptr);
        EXPECT_EQ(source->total_bytes(), std::nullopt);
        EXPECT_EQ(read_source(*source), expected);
    }
    {
        const StdinFrom stdin_from(write("stdin.gz", gzip(text)));
        std::unique_ptr<ByteSource> source = open_source("-");
        EXPECT_NE(dynamic_cast<GzipSource*>(source.get()), nullptr);
        EXPECT_EQ(read_source(*source), expected);
    }
    {
        const StdinFrom stdin_from(write("one_byte", "x"));
        std::unique_ptr<ByteSource> source = open_source("-");
        EXPECT_EQ(read_source(*source), std::vector<Row>{ok(1, {"x"}, "x")});
    }
}

}  // namespace
}  // namespace eventline::csv
