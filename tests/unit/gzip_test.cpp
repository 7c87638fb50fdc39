#include "http/gzip.hpp"

#include <gtest/gtest.h>
#include <zlib.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

namespace eventline::http {

// Found by argument-dependent lookup: gtest prints statuses by name.
static void PrintTo(InflateStatus status, std::ostream* os) {
    switch (status) {
        case InflateStatus::ok:
            *os << "ok";
            return;
        case InflateStatus::too_large:
            *os << "too_large";
            return;
        case InflateStatus::corrupt:
            *os << "corrupt";
            return;
    }
    *os << "InflateStatus(" << static_cast<int>(status) << ")";
}

namespace {

/// Names a parameterized test case after its `name` member.
template <typename Case>
std::string case_name(const testing::TestParamInfo<Case>& test_case) {
    return std::string(test_case.param.name);
}

constexpr int kGzipWindowBits = 15 + 16;
constexpr int kZlibWindowBits = 15;
constexpr int kRawDeflateWindowBits = -15;
constexpr std::size_t kPadding = 64;
constexpr std::size_t kMiB = 1024 * 1024;

/// Compresses with zlib; `window_bits` picks the wrapper (gzip, zlib or none).
std::string compress(std::string_view data, int window_bits = kGzipWindowBits) {
    z_stream stream{};
    if (deflateInit2(&stream, Z_BEST_SPEED, Z_DEFLATED, window_bits, 8, Z_DEFAULT_STRATEGY) !=
        Z_OK) {
        ADD_FAILURE() << "deflateInit2 failed";
        return {};
    }
    std::string compressed(deflateBound(&stream, static_cast<uLong>(data.size())) + 32, '\0');
    // zlib's API takes non-const input pointers but does not write through them.
    stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
    stream.avail_in = static_cast<uInt>(data.size());
    stream.next_out = reinterpret_cast<Bytef*>(compressed.data());
    stream.avail_out = static_cast<uInt>(compressed.size());
    const int result = deflate(&stream, Z_FINISH);
    EXPECT_EQ(result, Z_STREAM_END);
    compressed.resize(stream.total_out);
    deflateEnd(&stream);
    return compressed;
}

/// Printable bytes that compress only a little, so the compressed size is near the size.
std::string noise(std::size_t size) {
    std::string text(size, '\0');
    std::uint32_t state = 12345;
    for (char& c : text) {
        state = state * 1'664'525U + 1'013'904'223U;
        c = static_cast<char>(' ' + (state >> 24) % 95);
    }
    return text;
}

std::string json_body(std::size_t events) {
    std::string body = "[";
    for (std::size_t i = 0; i < events; ++i) {
        body += R"({"event_id":"0190a5b4-7c3e-7def-8abc-)" + std::to_string(100'000'000'000 + i) +
                R"(","occurred_at":"2025-01-06T11:00:00Z","user_id":)" + std::to_string(i % 97) +
                R"(,"event_type":"click","properties":{"page":"/p/)" + std::to_string(i) + "\"}},";
    }
    body.back() = ']';
    return body;
}

void expect_padding(const std::string& out) {
    EXPECT_GE(out.capacity(), out.size() + kPadding);
}

TEST(Gzip, RoundTripsACompressedJsonBody) {
    const std::string body = json_body(200);
    std::string out;
    ASSERT_EQ(inflate_body(compress(body), 16 * kMiB, kPadding, out), InflateStatus::ok);
    EXPECT_EQ(out, body);
    expect_padding(out);
}

TEST(Gzip, RoundTripsABodyFarLargerThanItsCompressedForm) {
    const std::string body = json_body(20'000);
    const std::string compressed = compress(body);
    ASSERT_LT(compressed.size() * 8, body.size());
    std::string out;
    ASSERT_EQ(inflate_body(compressed, 16 * kMiB, kPadding, out), InflateStatus::ok);
    EXPECT_EQ(out, body);
    expect_padding(out);
}

TEST(Gzip, AcceptsTheZlibWrapperToo) {
    const std::string body = json_body(10);
    std::string out;
    ASSERT_EQ(inflate_body(compress(body, kZlibWindowBits), 16 * kMiB, kPadding, out),
              InflateStatus::ok);
    EXPECT_EQ(out, body);
}

TEST(Gzip, InflatesAnEmptyBody) {
    std::string out = "left over";
    ASSERT_EQ(inflate_body(compress(""), 16 * kMiB, kPadding, out), InflateStatus::ok);
    EXPECT_EQ(out, "");
    expect_padding(out);
}

TEST(Gzip, ReplacesWhatTheOutputHeldBefore) {
    std::string out(100'000, 'z');
    ASSERT_EQ(inflate_body(compress("[]"), 16 * kMiB, kPadding, out), InflateStatus::ok);
    EXPECT_EQ(out, "[]");
}

struct SizeCase {
    std::string_view name;
    std::size_t size;
    bool compressible;
};

class GzipLimit : public testing::TestWithParam<SizeCase> {
  protected:
    std::string data() const {
        return GetParam().compressible ? std::string(GetParam().size, '0') : noise(GetParam().size);
    }
};

TEST_P(GzipLimit, AcceptsExactlyMaxBytes) {
    const std::string original = data();
    std::string out;
    ASSERT_EQ(inflate_body(compress(original), original.size(), kPadding, out), InflateStatus::ok);
    EXPECT_EQ(out, original);
    expect_padding(out);
}

TEST_P(GzipLimit, RefusesOneByteOverMaxBytes) {
    const std::string original = data();
    std::string out;
    EXPECT_EQ(inflate_body(compress(original), original.size() - 1, kPadding, out),
              InflateStatus::too_large);
    EXPECT_LE(out.size(), original.size() - 1);
}

INSTANTIATE_TEST_SUITE_P(Gzip, GzipLimit,
                         testing::ValuesIn(std::vector<SizeCase>{
                             SizeCase{"OneByte", 1, false},
                             SizeCase{"Noise4095", 4095, false},
                             SizeCase{"Noise4096", 4096, false},
                             SizeCase{"Noise4097", 4097, false},
                             SizeCase{"Noise100000", 100'000, false},
                             SizeCase{"Zeros4096", 4096, true},
                             SizeCase{"Zeros4097", 4097, true},
                             SizeCase{"Zeros8192", 8192, true},
                             SizeCase{"Zeros65537", 65'537, true},
                             SizeCase{"Zeros1MiB", kMiB, true},
                         }),
                         case_name<SizeCase>);

TEST(Gzip, StopsAGzipBombAtTheLimitQuickly) {
    const std::string bomb = compress(std::string(10'000'000, '\0'));
    ASSERT_LT(bomb.size(), 100'000U);

    std::string out;
    const auto start = std::chrono::steady_clock::now();
    EXPECT_EQ(inflate_body(bomb, kMiB, kPadding, out), InflateStatus::too_large);
    const auto elapsed = std::chrono::steady_clock::now() - start;

    EXPECT_LT(elapsed, std::chrono::seconds(2));
    // It never held the 10 MB: at most the limit plus a growth step.
    EXPECT_LE(out.capacity(), 2 * kMiB + kPadding);
}

struct CorruptCase {
    std::string_view name;
    std::string data;
};

std::string flip_byte(std::string data, std::size_t position) {
    data[position] = static_cast<char>(data[position] ^ 0x55);
    return data;
}

const std::string kBody = json_body(50);
const std::string kCompressed = compress(kBody);

class GzipCorrupt : public testing::TestWithParam<CorruptCase> {};

TEST_P(GzipCorrupt, IsRefused) {
    std::string out;
    EXPECT_EQ(inflate_body(GetParam().data, 16 * kMiB, kPadding, out), InflateStatus::corrupt);
}

INSTANTIATE_TEST_SUITE_P(
    Gzip, GzipCorrupt,
    testing::ValuesIn(std::vector<CorruptCase>{
        CorruptCase{"Empty", ""},
        CorruptCase{"PlainJson", kBody},
        CorruptCase{"Noise", noise(1000)},
        CorruptCase{"RawDeflateWithoutHeader", compress(kBody, kRawDeflateWindowBits)},
        CorruptCase{"BadMagic", flip_byte(kCompressed, 0)},
        CorruptCase{"BadCompressionMethod", flip_byte(kCompressed, 2)},
        CorruptCase{"FlippedDataByte", flip_byte(kCompressed, kCompressed.size() / 2)},
        CorruptCase{"BadCrc", flip_byte(kCompressed, kCompressed.size() - 6)},
        CorruptCase{"BadLength", flip_byte(kCompressed, kCompressed.size() - 2)},
        CorruptCase{"TrailingGarbage", kCompressed + "garbage"},
        CorruptCase{"HeaderOnly", kCompressed.substr(0, 10)},
        CorruptCase{"TruncatedInHeader", kCompressed.substr(0, 5)},
        CorruptCase{"TruncatedInTheMiddle", kCompressed.substr(0, kCompressed.size() / 2)},
        CorruptCase{"TruncatedTrailer", kCompressed.substr(0, kCompressed.size() - 4)},
        CorruptCase{"LastByteMissing", kCompressed.substr(0, kCompressed.size() - 1)},
    }),
    case_name<CorruptCase>);

TEST(Gzip, RefusesATruncatedLargeBody) {
    const std::string body = json_body(20'000);
    const std::string compressed = compress(body);
    std::string out;
    EXPECT_EQ(
        inflate_body(compressed.substr(0, compressed.size() * 3 / 4), 16 * kMiB, kPadding, out),
        InflateStatus::corrupt);
}

TEST(Gzip, KeepsTheRequestedPaddingWhateverItsSize) {
    const std::string compressed = compress(json_body(5));
    for (const std::size_t padding :
         {std::size_t{0}, std::size_t{1}, std::size_t{64}, std::size_t{4096}}) {
        std::string out;
        ASSERT_EQ(inflate_body(compressed, 16 * kMiB, padding, out), InflateStatus::ok);
        EXPECT_GE(out.capacity(), out.size() + padding) << "padding " << padding;
    }
}

}  // namespace
}  // namespace eventline::http
