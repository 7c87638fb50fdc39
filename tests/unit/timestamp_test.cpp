#include "event/timestamp.hpp"

#include <gtest/gtest.h>

#include <cstdint>
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

constexpr UnixMicros kSecond = 1'000'000;
constexpr UnixMicros kMinute = 60 * kSecond;
constexpr UnixMicros kHour = 60 * kMinute;
constexpr UnixMicros kDay = 24 * kHour;

// 2025-01-06T12:00:00Z, a Monday.
constexpr UnixMicros kMonday = 1'736'164'800 * kSecond;

struct AcceptedTimestamp {
    std::string_view name;
    std::string_view text;
    UnixMicros expected;
};

class TimestampAccepts : public testing::TestWithParam<AcceptedTimestamp> {};

TEST_P(TimestampAccepts, ParsesToUnixMicros) {
    const ParsedTimestamp parsed = parse_rfc3339(GetParam().text);
    ASSERT_TRUE(parsed.ok()) << GetParam().text << ": " << parsed.error;
    EXPECT_EQ(parsed.unix_micros, GetParam().expected) << GetParam().text;
}

INSTANTIATE_TEST_SUITE_P(
    Timestamp, TimestampAccepts,
    testing::ValuesIn(std::vector<AcceptedTimestamp>{
        AcceptedTimestamp{"UppercaseZ", "2025-01-06T12:00:00Z", kMonday},
        AcceptedTimestamp{"LowercaseZ", "2025-01-06T12:00:00z", kMonday},
        AcceptedTimestamp{"LowercaseT", "2025-01-06t12:00:00Z", kMonday},
        AcceptedTimestamp{"SpaceSeparator", "2025-01-06 12:00:00Z", kMonday},
        AcceptedTimestamp{"NoOffsetIsUtc", "2025-01-06T12:00:00", kMonday},
        AcceptedTimestamp{"ZeroPositiveOffset", "2025-01-06T12:00:00+00:00", kMonday},
        AcceptedTimestamp{"ZeroNegativeOffset", "2025-01-06T12:00:00-00:00", kMonday},
        AcceptedTimestamp{"PositiveOffsetIsSubtracted", "2025-01-06T13:30:00+01:30", kMonday},
        AcceptedTimestamp{"NegativeOffsetIsAdded", "2025-01-06T06:15:00-05:45", kMonday},
        AcceptedTimestamp{"PositiveOffsetCrossesDayBack", "2025-01-07T01:00:00+13:00", kMonday},
        AcceptedTimestamp{"NegativeOffsetCrossesDayForward", "2025-01-05T23:00:00-13:00", kMonday},
        AcceptedTimestamp{"LargestOffset", "2025-01-07T11:59:00+23:59", kMonday},
        AcceptedTimestamp{"OneFractionDigit", "2025-01-06T12:00:00.1Z", kMonday + 100'000},
        AcceptedTimestamp{"TwoFractionDigits", "2025-01-06T12:00:00.12Z", kMonday + 120'000},
        AcceptedTimestamp{"ThreeFractionDigits", "2025-01-06T12:00:00.123Z", kMonday + 123'000},
        AcceptedTimestamp{"FourFractionDigits", "2025-01-06T12:00:00.1234Z", kMonday + 123'400},
        AcceptedTimestamp{"FiveFractionDigits", "2025-01-06T12:00:00.12345Z", kMonday + 123'450},
        AcceptedTimestamp{"SixFractionDigits", "2025-01-06T12:00:00.123456Z", kMonday + 123'456},
        AcceptedTimestamp{"OneMicrosecond", "2025-01-06T12:00:00.000001Z", kMonday + 1},
        AcceptedTimestamp{"FractionWithoutOffset", "2025-01-06T12:00:00.5", kMonday + 500'000},
        AcceptedTimestamp{"FractionWithOffset", "2025-01-06T13:00:00.5+01:00", kMonday + 500'000},
        AcceptedTimestamp{"LastMicrosecondOfDay", "2025-01-06T23:59:59.999999Z",
                          kMonday + 12 * kHour - 1},
        AcceptedTimestamp{"UnixEpoch", "1970-01-01T00:00:00Z", 0},
        AcceptedTimestamp{"UnixEpochWithOffset", "1970-01-01T01:00:00+01:00", 0},
        AcceptedTimestamp{"LeapDay2024", "2024-02-29T00:00:00Z", 19'782 * kDay},
        AcceptedTimestamp{"LeapDay2000", "2000-02-29T00:00:00Z", 11'016 * kDay},
        AcceptedTimestamp{"EndOfLeapYear", "2024-12-31T00:00:00Z", (19'722 + 366) * kDay},
        AcceptedTimestamp{"OneMicrosecondBeforeEpoch", "1969-12-31T23:59:59.999999Z", -1},
        AcceptedTimestamp{"HalfSecondBeforeEpoch", "1969-12-31T23:59:59.5Z", -500'000},
        AcceptedTimestamp{"OffsetMovesBeforeEpoch", "1970-01-01T00:30:00+01:00", -30 * kMinute},
        AcceptedTimestamp{"Year1900", "1900-01-01T00:00:00Z", -25'567 * kDay},
        AcceptedTimestamp{"YearOne", "0001-01-01T00:00:00Z", -719'162 * kDay},
        AcceptedTimestamp{"Year9999", "9999-12-31T23:59:59.999999Z", 2'932'897 * kDay - 1},
    }),
    case_name<AcceptedTimestamp>);

struct RejectedTimestamp {
    std::string_view name;
    std::string_view text;
};

class TimestampRejects : public testing::TestWithParam<RejectedTimestamp> {};

TEST_P(TimestampRejects, WithAReason) {
    const ParsedTimestamp parsed = parse_rfc3339(GetParam().text);
    EXPECT_FALSE(parsed.ok()) << '"' << GetParam().text << "\" parsed as " << parsed.unix_micros;
    EXPECT_FALSE(parsed.error.empty());
}

INSTANTIATE_TEST_SUITE_P(
    Timestamp, TimestampRejects,
    testing::ValuesIn(std::vector<RejectedTimestamp>{
        RejectedTimestamp{"SevenFractionDigits", "2025-01-06T12:00:00.1234567Z"},
        RejectedTimestamp{"NineFractionDigits", "2025-01-06T12:00:00.123456789Z"},
        RejectedTimestamp{"DecimalPointWithoutDigits", "2025-01-06T12:00:00.Z"},
        RejectedTimestamp{"DecimalPointAtEnd", "2025-01-06T12:00:00."},
        RejectedTimestamp{"CommaAsDecimalSeparator", "2025-01-06T12:00:00,5Z"},
        RejectedTimestamp{"FebruaryTwentyNinthOf2023", "2023-02-29T00:00:00Z"},
        RejectedTimestamp{"FebruaryTwentyNinthOf1900", "1900-02-29T00:00:00Z"},
        RejectedTimestamp{"FebruaryThirtieth", "2024-02-30T00:00:00Z"},
        RejectedTimestamp{"AprilThirtyFirst", "2025-04-31T00:00:00Z"},
        RejectedTimestamp{"DayThirtyTwo", "2025-01-32T00:00:00Z"},
        RejectedTimestamp{"DayZero", "2025-01-00T00:00:00Z"},
        RejectedTimestamp{"MonthThirteen", "2025-13-01T00:00:00Z"},
        RejectedTimestamp{"MonthZero", "2025-00-01T00:00:00Z"},
        RejectedTimestamp{"HourTwentyFour", "2025-01-06T24:00:00Z"},
        RejectedTimestamp{"MinuteSixty", "2025-01-06T12:60:00Z"},
        RejectedTimestamp{"SecondSixty", "2025-12-31T23:59:60Z"},
        RejectedTimestamp{"OffsetHourTwentyFour", "2025-01-06T12:00:00+24:00"},
        RejectedTimestamp{"OffsetMinuteSixty", "2025-01-06T12:00:00+01:60"},
        RejectedTimestamp{"OffsetWithoutColon", "2025-01-06T12:00:00+0100"},
        RejectedTimestamp{"OffsetHoursOnly", "2025-01-06T12:00:00+01"},
        RejectedTimestamp{"OffsetSignOnly", "2025-01-06T12:00:00+"},
        RejectedTimestamp{"OffsetMinuteTruncated", "2025-01-06T12:00:00+01:0"},
        RejectedTimestamp{"TrailingSpace", "2025-01-06T12:00:00Z "},
        RejectedTimestamp{"TrailingLetter", "2025-01-06T12:00:00Zx"},
        RejectedTimestamp{"DoubleZ", "2025-01-06T12:00:00ZZ"},
        RejectedTimestamp{"OffsetAfterZ", "2025-01-06T12:00:00Z+01:00"},
        RejectedTimestamp{"TrailingDigitAfterOffset", "2025-01-06T12:00:00+01:000"},
        RejectedTimestamp{"TimeZoneName", "2025-01-06T12:00:00 UTC"},
        RejectedTimestamp{"LeadingSpace", " 2025-01-06T12:00:00Z"},
        RejectedTimestamp{"Empty", ""},
        RejectedTimestamp{"YearOnly", "2025"},
        RejectedTimestamp{"YearAndMonth", "2025-01"},
        RejectedTimestamp{"DateOnly", "2025-01-06"},
        RejectedTimestamp{"DateAndSeparator", "2025-01-06T"},
        RejectedTimestamp{"HourOnly", "2025-01-06T12"},
        RejectedTimestamp{"HourAndMinute", "2025-01-06T12:00"},
        RejectedTimestamp{"HourAndMinuteZ", "2025-01-06T12:00Z"},
        RejectedTimestamp{"SecondTruncated", "2025-01-06T12:00:0"},
        RejectedTimestamp{"TwoDigitYear", "25-01-06T12:00:00Z"},
        RejectedTimestamp{"FiveDigitYear", "20250-01-06T12:00:00Z"},
        RejectedTimestamp{"SignedYear", "+2025-01-06T12:00:00Z"},
        RejectedTimestamp{"OneDigitMonthAndDay", "2025-1-6T12:00:00Z"},
        RejectedTimestamp{"OneDigitHour", "2025-01-06T1:00:00Z"},
        RejectedTimestamp{"SlashesInDate", "2025/01/06T12:00:00Z"},
        RejectedTimestamp{"BasicFormat", "20250106T120000Z"},
        RejectedTimestamp{"UnknownSeparator", "2025-01-06X12:00:00Z"},
        RejectedTimestamp{"DashesInTime", "2025-01-06T12-00-00Z"},
        RejectedTimestamp{"NegativeSecond", "2025-01-06T12:00:-1Z"},
        RejectedTimestamp{"NonDigitInYear", "20x5-01-06T12:00:00Z"},
        RejectedTimestamp{"UnixSeconds", "1736164800"},
    }),
    case_name<RejectedTimestamp>);

TEST(Timestamp, EpochIsZero) {
    const ParsedTimestamp parsed = parse_rfc3339("1970-01-01T00:00:00.000000Z");
    ASSERT_TRUE(parsed.ok());
    EXPECT_EQ(parsed.unix_micros, 0);
}

TEST(Timestamp, ValuesBeforeEpochParseToNegativeMicros) {
    // The parser accepts them; refusing them is the validator's job.
    const ParsedTimestamp parsed = parse_rfc3339("1969-07-20T20:17:40Z");
    ASSERT_TRUE(parsed.ok()) << parsed.error;
    EXPECT_EQ(parsed.unix_micros, -14'182'940 * kSecond);
}

TEST(Timestamp, DaysFromCivilOnKnownDates) {
    EXPECT_EQ(days_from_civil(1970, 1, 1), 0);
    EXPECT_EQ(days_from_civil(1970, 1, 2), 1);
    EXPECT_EQ(days_from_civil(1969, 12, 31), -1);
    EXPECT_EQ(days_from_civil(2000, 1, 1), 10'957);
    EXPECT_EQ(days_from_civil(2000, 3, 1), 11'017);
    EXPECT_EQ(days_from_civil(2024, 2, 29), 19'782);
    EXPECT_EQ(days_from_civil(2025, 1, 6), 20'094);
    EXPECT_EQ(days_from_civil(1900, 1, 1), -25'567);
    EXPECT_EQ(days_from_civil(1600, 3, 1), -135'080);
    EXPECT_EQ(days_from_civil(1, 1, 1), -719'162);
    EXPECT_EQ(days_from_civil(0, 3, 1), -719'468);
}

TEST(Timestamp, DaysFromCivilCountsLeapDays) {
    EXPECT_EQ(days_from_civil(2024, 3, 1) - days_from_civil(2024, 2, 28), 2);
    EXPECT_EQ(days_from_civil(2023, 3, 1) - days_from_civil(2023, 2, 28), 1);
    EXPECT_EQ(days_from_civil(1900, 3, 1) - days_from_civil(1900, 2, 28), 1);
    EXPECT_EQ(days_from_civil(2000, 3, 1) - days_from_civil(2000, 2, 28), 2);
    EXPECT_EQ(days_from_civil(2001, 1, 1) - days_from_civil(2000, 1, 1), 366);
    EXPECT_EQ(days_from_civil(2101, 1, 1) - days_from_civil(2100, 1, 1), 365);
}

TEST(Timestamp, FormatsKnownValues) {
    char buffer[32];
    EXPECT_EQ(format_rfc3339(0, buffer), "1970-01-01T00:00:00.000000Z");
    EXPECT_EQ(format_rfc3339(kMonday + 123'456, buffer), "2025-01-06T12:00:00.123456Z");
    EXPECT_EQ(format_rfc3339(19'782 * kDay + 23 * kHour, buffer), "2024-02-29T23:00:00.000000Z");
    EXPECT_EQ(format_rfc3339(-1, buffer), "1969-12-31T23:59:59.999999Z");
    EXPECT_EQ(format_rfc3339(-25'567 * kDay, buffer), "1900-01-01T00:00:00.000000Z");
}

class TimestampRoundTrip : public testing::TestWithParam<UnixMicros> {};

TEST_P(TimestampRoundTrip, FormatThenParseGivesTheSameValue) {
    char buffer[32];
    const std::string_view text = format_rfc3339(GetParam(), buffer);
    const ParsedTimestamp parsed = parse_rfc3339(text);
    ASSERT_TRUE(parsed.ok()) << text << ": " << parsed.error;
    EXPECT_EQ(parsed.unix_micros, GetParam()) << text;
}

INSTANTIATE_TEST_SUITE_P(Timestamp, TimestampRoundTrip,
                         testing::Values(0, 1, -1, 999'999, -999'999, kSecond, -kSecond, kMonday,
                                         kMonday + 123'456, 19'782 * kDay, 19'782 * kDay - 1,
                                         11'016 * kDay + 12 * kHour, -25'567 * kDay + 1,
                                         -719'162 * kDay, 2'932'897 * kDay - 1));

TEST(Timestamp, EveryDayFrom1899To2101RoundTrips) {
    char buffer[32];
    const std::int64_t first = days_from_civil(1899, 1, 1);
    const std::int64_t last = days_from_civil(2101, 12, 31);
    for (std::int64_t day = first; day <= last; ++day) {
        const UnixMicros value = day * kDay + 13 * kHour + 7 * kMinute + 42 * kSecond + 17;
        const std::string_view text = format_rfc3339(value, buffer);
        const ParsedTimestamp parsed = parse_rfc3339(text);
        ASSERT_TRUE(parsed.ok()) << text << ": " << parsed.error;
        ASSERT_EQ(parsed.unix_micros, value) << text;
    }
}

}  // namespace
}  // namespace eventline::event
