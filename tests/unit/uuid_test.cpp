#include "event/uuid.hpp"

#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace eventline::event {
namespace {

/// Names a parameterized test case after its `name` member.
template <typename Case>
std::string case_name(const testing::TestParamInfo<Case>& test_case) {
    return std::string(test_case.param.name);
}

constexpr std::array<std::uint8_t, 16> kExampleBytes{
    0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef, 0xfe, 0xdc, 0xba, 0x98, 0x76, 0x54, 0x32, 0x10};

Uuid uuid_from(std::string_view text) {
    const std::optional<Uuid> parsed = parse_uuid(text);
    EXPECT_TRUE(parsed.has_value()) << text;
    return parsed.value_or(Uuid{});
}

TEST(Uuid, ParsesCanonicalLowercase) {
    const std::optional<Uuid> parsed = parse_uuid("01234567-89ab-cdef-fedc-ba9876543210");
    ASSERT_TRUE(parsed.has_value());
    EXPECT_EQ(parsed->bytes, kExampleBytes);
}

TEST(Uuid, ParsesCanonicalUppercase) {
    const std::optional<Uuid> parsed = parse_uuid("01234567-89AB-CDEF-FEDC-BA9876543210");
    ASSERT_TRUE(parsed.has_value());
    EXPECT_EQ(parsed->bytes, kExampleBytes);
}

TEST(Uuid, ParsesCanonicalMixedCase) {
    const std::optional<Uuid> parsed = parse_uuid("01234567-89aB-CdEf-fEdC-Ba9876543210");
    ASSERT_TRUE(parsed.has_value());
    EXPECT_EQ(parsed->bytes, kExampleBytes);
}

TEST(Uuid, ParsesAllZerosAndAllOnes) {
    EXPECT_EQ(uuid_from("00000000-0000-0000-0000-000000000000").bytes,
              (std::array<std::uint8_t, 16>{}));
    std::array<std::uint8_t, 16> ones{};
    ones.fill(0xff);
    EXPECT_EQ(uuid_from("ffffffff-ffff-ffff-ffff-ffffffffffff").bytes, ones);
}

// 36 characters, the canonical length, with a NUL where the next-to-last digit belongs.
constexpr std::string_view kCanonicalLengthWithNul{
    "01234567-89ab-cdef-fedc-ba98765432\0"
    "0",
    36};

struct RejectedUuid {
    std::string_view name;
    std::string_view text;
};

class UuidRejects : public testing::TestWithParam<RejectedUuid> {};

TEST_P(UuidRejects, NonCanonicalText) {
    EXPECT_FALSE(parse_uuid(GetParam().text).has_value()) << '"' << GetParam().text << '"';
}

INSTANTIATE_TEST_SUITE_P(
    Uuid, UuidRejects,
    testing::ValuesIn(std::vector<RejectedUuid>{
        RejectedUuid{"Empty", ""},
        RejectedUuid{"Braces", "{01234567-89ab-cdef-fedc-ba9876543210}"},
        RejectedUuid{"NoDashes", "0123456789abcdeffedcba9876543210"},
        RejectedUuid{"NoDashesPaddedToCanonicalLength", "0123456789abcdeffedcba98765432100000"},
        RejectedUuid{"DashShiftedLeft", "0123456-789ab-cdef-fedc-ba9876543210"},
        RejectedUuid{"DashShiftedRight", "01234567-89abc-def-fedc-ba9876543210"},
        RejectedUuid{"LastDashMisplaced", "01234567-89ab-cdef-fedcb-a9876543210"},
        RejectedUuid{"DashReplacedByHex", "01234567089ab-cdef-fedc-ba9876543210"},
        RejectedUuid{"ExtraDash", "01234567-89ab-cdef-fedc-ba98-76543210"},
        RejectedUuid{"OneDigitShort", "01234567-89ab-cdef-fedc-ba987654321"},
        RejectedUuid{"OneDigitLong", "01234567-89ab-cdef-fedc-ba98765432100"},
        RejectedUuid{"NonHexLetter", "01234567-89ab-cdef-fedc-ba987654321g"},
        RejectedUuid{"NonHexInFirstGroup", "x1234567-89ab-cdef-fedc-ba9876543210"},
        RejectedUuid{"NonHexPunctuation", "01234567-89ab-cdef-fe:c-ba9876543210"},
        RejectedUuid{"SignInsideGroup", "01234567-+9ab-cdef-fedc-ba9876543210"},
        RejectedUuid{"LeadingSpace", " 01234567-89ab-cdef-fedc-ba9876543210"},
        RejectedUuid{"TrailingSpace", "01234567-89ab-cdef-fedc-ba9876543210 "},
        RejectedUuid{"SpacesReplacingEnds", " 1234567-89ab-cdef-fedc-ba987654321 "},
        RejectedUuid{"UrnPrefix", "urn:uuid:01234567-89ab-cdef-fedc-ba9876543210"},
        RejectedUuid{"EmbeddedNul", kCanonicalLengthWithNul},
    }),
    case_name<RejectedUuid>);

TEST(Uuid, ToStringIsLowercaseCanonical) {
    EXPECT_EQ(Uuid{kExampleBytes}.to_string(), "01234567-89ab-cdef-fedc-ba9876543210");
}

TEST(Uuid, ToStringOfUppercaseInputIsLowercase) {
    EXPECT_EQ(uuid_from("A0B1C2D3-E4F5-A6B7-C8D9-EAFBFCFDFEFF").to_string(),
              "a0b1c2d3-e4f5-a6b7-c8d9-eafbfcfdfeff");
}

TEST(Uuid, RoundTripsThroughTextAndBytes) {
    std::array<std::uint8_t, 16> bytes{};
    for (std::size_t i = 0; i < bytes.size(); ++i) {
        bytes[i] = static_cast<std::uint8_t>(i * 17 + 3);
    }
    const Uuid original{bytes};
    const std::string text = original.to_string();
    ASSERT_EQ(text.size(), 36U);
    const std::optional<Uuid> parsed = parse_uuid(text);
    ASSERT_TRUE(parsed.has_value());
    EXPECT_EQ(*parsed, original);
    EXPECT_EQ(parsed->to_string(), text);
}

TEST(Uuid, V5MatchesRfc9562TestVector) {
    const Uuid dns_namespace = uuid_from("6ba7b810-9dad-11d1-80b4-00c04fd430c8");
    EXPECT_EQ(uuid_v5(dns_namespace, "www.example.com").to_string(),
              "2ed6657d-e927-568b-95e1-2665a8aea6a2");
}

TEST(Uuid, V5IsDeterministic) {
    const Uuid dns_namespace = uuid_from("6ba7b810-9dad-11d1-80b4-00c04fd430c8");
    EXPECT_EQ(uuid_v5(dns_namespace, "order-42"), uuid_v5(dns_namespace, "order-42"));
}

TEST(Uuid, V5DependsOnNameAndNamespace) {
    const Uuid dns_namespace = uuid_from("6ba7b810-9dad-11d1-80b4-00c04fd430c8");
    const Uuid url_namespace = uuid_from("6ba7b811-9dad-11d1-80b4-00c04fd430c8");
    EXPECT_NE(uuid_v5(dns_namespace, "order-42"), uuid_v5(dns_namespace, "order-43"));
    EXPECT_NE(uuid_v5(dns_namespace, "order-42"), uuid_v5(url_namespace, "order-42"));
}

TEST(Uuid, V5SetsVersionAndVariantBits) {
    const Uuid id = uuid_v5(Uuid{}, "");
    EXPECT_EQ(id.bytes[6] >> 4, 5);
    EXPECT_EQ(id.bytes[8] >> 6, 0b10);
}

}  // namespace
}  // namespace eventline::event
