#include "event/validator.hpp"

#include <gtest/gtest.h>

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

namespace eventline::event {

// Found by argument-dependent lookup: gtest prints a refusal as its field and message.
static void PrintTo(const ValidationError& error, std::ostream* os) {
    *os << error.field << ": " << error.message;
}

namespace {

/// Names a parameterized test case after its `name` member.
template <typename Case>
std::string case_name(const testing::TestParamInfo<Case>& test_case) {
    return std::string(test_case.param.name);
}

constexpr UnixMicros kSecond = 1'000'000;
constexpr UnixMicros kHour = 3600 * kSecond;

// The server clock in these tests: 2025-01-06T12:00:00Z.
constexpr UnixMicros kNow = 1'736'164'800 * kSecond;

std::string repeat(std::string_view piece, std::size_t times) {
    std::string text;
    text.reserve(piece.size() * times);
    for (std::size_t i = 0; i < times; ++i) {
        text += piece;
    }
    return text;
}

/// `{"k":"xxx…"}` of exactly `size` bytes (at least 8).
std::string properties_of_size(std::size_t size) {
    return "{\"k\":\"" + std::string(size - 8, 'x') + "\"}";
}

/// Properties whose nesting depth is `depth`, counting the properties object itself as 1:
/// {"a":{"a":…{"a":1}…}}.
std::string nested_properties(std::size_t depth) {
    return repeat("{\"a\":", depth - 1) + "{\"a\":1}" + std::string(depth - 1, '}');
}

/// A valid event without properties, its text in string literals.
RawEvent minimal_event() {
    RawEvent event;
    event.event_id = "0190a5b4-7c3e-7def-8abc-0123456789ab";
    event.occurred_at = "2025-01-06T12:00:00Z";
    event.user_id = "u";
    event.event_type = "e";
    event.has_event_id = true;
    event.has_occurred_at = true;
    event.has_user_id = true;
    event.has_event_type = true;
    return event;
}

/// The owner of a raw event's text, as the decoder's body or a CSV chunk would be.
class ValidatorTest : public testing::Test {
  protected:
    void SetUp() override {
        event_id_ = "0190a5b4-7c3e-7def-8abc-0123456789ab";
        occurred_at_ = "2025-01-06T11:00:00.250Z";
        user_id_ = "user-1";
        event_type_ = "click";
        properties_ = R"({"page":"/home","n":[1,2,{"x":null}]})";
    }

    RawEvent raw() const {
        RawEvent event;
        event.event_id = event_id_;
        event.occurred_at = occurred_at_;
        event.user_id = user_id_;
        event.event_type = event_type_;
        event.properties_json = properties_;
        event.has_event_id = true;
        event.has_occurred_at = true;
        event.has_user_id = true;
        event.has_event_type = true;
        event.has_properties = true;
        return event;
    }

    std::optional<ValidationError> validate(const RawEvent& event) {
        return validator_.validate(event, kNow, out_);
    }

    std::optional<ValidationError> validate() { return validate(raw()); }

    /// The field of the error, or "(accepted)".
    std::string refused_field(const RawEvent& event) {
        const std::optional<ValidationError> error = validate(event);
        if (!error) {
            return "(accepted)";
        }
        EXPECT_FALSE(error->message.empty()) << "field " << error->field;
        return std::string(error->field);
    }

    std::string refused_field() { return refused_field(raw()); }

    std::string event_id_;
    std::string occurred_at_;
    std::string user_id_;
    std::string event_type_;
    std::string properties_;
    Validator validator_;
    Event out_;
};

TEST_F(ValidatorTest, AcceptsAValidEventAndFillsTheEvent) {
    const RawEvent event = raw();
    ASSERT_EQ(validate(event), std::nullopt);

    constexpr std::array<std::uint8_t, 16> kIdBytes{0x01, 0x90, 0xa5, 0xb4, 0x7c, 0x3e, 0x7d, 0xef,
                                                    0x8a, 0xbc, 0x01, 0x23, 0x45, 0x67, 0x89, 0xab};
    EXPECT_EQ(out_.event_id.bytes, kIdBytes);
    EXPECT_EQ(out_.occurred_at, kNow - kHour + 250'000);
    EXPECT_EQ(out_.user_id, "user-1");
    EXPECT_EQ(out_.event_type, "click");
    EXPECT_EQ(out_.properties_json, properties_);
    EXPECT_EQ(out_.project_id, kDefaultProject);
}

TEST_F(ValidatorTest, EventViewsPointIntoTheRawEventsBuffers) {
    const RawEvent event = raw();
    ASSERT_EQ(validate(event), std::nullopt);
    EXPECT_EQ(out_.user_id.data(), user_id_.data());
    EXPECT_EQ(out_.event_type.data(), event_type_.data());
    EXPECT_EQ(out_.properties_json.data(), properties_.data());
}

TEST_F(ValidatorTest, AcceptsAnUppercaseEventId) {
    event_id_ = "0190A5B4-7C3E-7DEF-8ABC-0123456789AB";
    ASSERT_EQ(validate(), std::nullopt);
    EXPECT_EQ(out_.event_id.to_string(), "0190a5b4-7c3e-7def-8abc-0123456789ab");
}

TEST_F(ValidatorTest, AcceptsTheSmallestEvent) {
    user_id_ = "u";
    event_type_ = "e";
    properties_ = "{}";
    EXPECT_EQ(refused_field(), "(accepted)");
}

TEST_F(ValidatorTest, DefaultLimitsAreSpecs) {
    const ValidationLimits limits;
    EXPECT_EQ(limits.max_future, std::chrono::hours(24));
    EXPECT_EQ(limits.max_user_id_bytes, 256U);
    EXPECT_EQ(limits.max_event_type_bytes, 128U);
    EXPECT_EQ(limits.max_properties_bytes, 32U * 1024U);
}

// Required fields.

TEST_F(ValidatorTest, RefusesAMissingEventId) {
    RawEvent event = raw();
    event.has_event_id = false;
    event.event_id = {};
    EXPECT_EQ(refused_field(event), "event_id");
}

TEST_F(ValidatorTest, RefusesAMissingOccurredAt) {
    RawEvent event = raw();
    event.has_occurred_at = false;
    event.occurred_at = {};
    EXPECT_EQ(refused_field(event), "occurred_at");
}

TEST_F(ValidatorTest, RefusesAMissingUserId) {
    RawEvent event = raw();
    event.has_user_id = false;
    event.user_id = {};
    EXPECT_EQ(refused_field(event), "user_id");
}

TEST_F(ValidatorTest, RefusesAMissingEventType) {
    RawEvent event = raw();
    event.has_event_type = false;
    event.event_type = {};
    EXPECT_EQ(refused_field(event), "event_type");
}

TEST_F(ValidatorTest, RefusesAnEventWithNoFieldsAtAll) {
    EXPECT_EQ(refused_field(RawEvent{}), "event_id");
}

// event_id.

class ValidatorRejectsEventId : public ValidatorTest,
                                public testing::WithParamInterface<std::string_view> {};

TEST_P(ValidatorRejectsEventId, NonCanonicalUuid) {
    event_id_ = GetParam();
    EXPECT_EQ(refused_field(), "event_id") << '"' << GetParam() << '"';
}

INSTANTIATE_TEST_SUITE_P(Validator, ValidatorRejectsEventId,
                         testing::Values("", "not-a-uuid", "{0190a5b4-7c3e-7def-8abc-0123456789ab}",
                                         "0190a5b47c3e7def8abc0123456789ab",
                                         "0190a5b4-7c3e7-def-8abc-0123456789ab",
                                         "0190a5b4-7c3e-7def-8abc-0123456789ag",
                                         " 0190a5b4-7c3e-7def-8abc-0123456789ab",
                                         "0190a5b4-7c3e-7def-8abc-0123456789ab ",
                                         "0190a5b4-7c3e-7def-8abc-0123456789a"));

// occurred_at.

TEST_F(ValidatorTest, RefusesAnUnparseableOccurredAt) {
    occurred_at_ = "yesterday";
    EXPECT_EQ(refused_field(), "occurred_at");
}

TEST_F(ValidatorTest, RefusesAnEmptyOccurredAt) {
    occurred_at_ = "";
    EXPECT_EQ(refused_field(), "occurred_at");
}

TEST_F(ValidatorTest, RefusesAnImpossibleDate) {
    occurred_at_ = "2023-02-29T12:00:00Z";
    EXPECT_EQ(refused_field(), "occurred_at");
}

TEST_F(ValidatorTest, AcceptsExactlyTheUnixEpoch) {
    occurred_at_ = "1970-01-01T00:00:00Z";
    ASSERT_EQ(validate(), std::nullopt);
    EXPECT_EQ(out_.occurred_at, 0);
}

TEST_F(ValidatorTest, RefusesOneMicrosecondBeforeTheEpoch) {
    occurred_at_ = "1969-12-31T23:59:59.999999Z";
    EXPECT_EQ(refused_field(), "occurred_at");
}

TEST_F(ValidatorTest, RefusesALocalTimeAfterMidnightThatIsBeforeTheEpochInUtc) {
    occurred_at_ = "1970-01-01T00:59:59.999999+01:00";
    EXPECT_EQ(refused_field(), "occurred_at");
}

TEST_F(ValidatorTest, AcceptsALocalTimeBeforeMidnightThatIsAfterTheEpochInUtc) {
    occurred_at_ = "1969-12-31T19:00:00-05:00";
    ASSERT_EQ(validate(), std::nullopt);
    EXPECT_EQ(out_.occurred_at, 0);
}

TEST_F(ValidatorTest, RefusesTheTwentiethCentury) {
    occurred_at_ = "1900-01-01T00:00:00Z";
    EXPECT_EQ(refused_field(), "occurred_at");
}

TEST_F(ValidatorTest, AcceptsExactlyTwentyFourHoursAhead) {
    occurred_at_ = "2025-01-07T12:00:00Z";
    ASSERT_EQ(validate(), std::nullopt);
    EXPECT_EQ(out_.occurred_at, kNow + 24 * kHour);
}

TEST_F(ValidatorTest, RefusesOneMicrosecondMoreThanTwentyFourHoursAhead) {
    occurred_at_ = "2025-01-07T12:00:00.000001Z";
    EXPECT_EQ(refused_field(), "occurred_at");
}

TEST_F(ValidatorTest, AppliesTheOffsetBeforeTheFutureCheck) {
    occurred_at_ = "2025-01-07T13:00:00.000001+01:00";
    EXPECT_EQ(refused_field(), "occurred_at");
    occurred_at_ = "2025-01-07T13:00:00+01:00";
    EXPECT_EQ(refused_field(), "(accepted)");
}

TEST(Validator, HonoursAConfiguredMaxFuture) {
    Validator validator(ValidationLimits{.max_future = std::chrono::hours(1)});
    RawEvent event = minimal_event();
    Event out;

    event.occurred_at = "2025-01-06T13:00:00Z";
    EXPECT_EQ(validator.validate(event, kNow, out), std::nullopt);

    event.occurred_at = "2025-01-06T13:00:00.000001Z";
    const std::optional<ValidationError> error = validator.validate(event, kNow, out);
    ASSERT_TRUE(error.has_value());
    EXPECT_EQ(error->field, "occurred_at");
}

TEST(Validator, AcceptsPastEventsOfAnyAgeAfterTheEpochWithAZeroMaxFuture) {
    Validator validator(ValidationLimits{.max_future = std::chrono::seconds(0)});
    RawEvent event = minimal_event();
    Event out;

    EXPECT_EQ(validator.validate(event, kNow, out), std::nullopt);
    event.occurred_at = "1970-01-01T00:00:00Z";
    EXPECT_EQ(validator.validate(event, kNow, out), std::nullopt);
    event.occurred_at = "2025-01-06T12:00:00.000001Z";
    EXPECT_TRUE(validator.validate(event, kNow, out).has_value());
}

// user_id and event_type.

TEST_F(ValidatorTest, RefusesAnEmptyUserId) {
    user_id_ = "";
    EXPECT_EQ(refused_field(), "user_id");
}

TEST_F(ValidatorTest, AcceptsAUserIdOf256Bytes) {
    user_id_ = std::string(256, 'u');
    EXPECT_EQ(refused_field(), "(accepted)");
}

TEST_F(ValidatorTest, RefusesAUserIdOf257Bytes) {
    user_id_ = std::string(257, 'u');
    EXPECT_EQ(refused_field(), "user_id");
}

TEST_F(ValidatorTest, AcceptsAUserIdOf256BytesOfMultibyteUtf8) {
    user_id_ = repeat("\xc3\xa9", 128);  // 128 x U+00E9: 128 characters, 256 bytes
    ASSERT_EQ(user_id_.size(), 256U);
    EXPECT_EQ(refused_field(), "(accepted)");
}

TEST_F(ValidatorTest, CountsUserIdLengthInBytesNotCharacters) {
    user_id_ = repeat("\xe2\x82\xac", 86);  // 86 x U+20AC: 86 characters, 258 bytes
    EXPECT_EQ(refused_field(), "user_id");
}

TEST_F(ValidatorTest, AcceptsAUserIdOfFourByteCharacters) {
    user_id_ = repeat("\xf0\x9f\x98\x80", 64);  // 64 x U+1F600: 256 bytes
    EXPECT_EQ(refused_field(), "(accepted)");
}

TEST_F(ValidatorTest, RefusesAnEmptyEventType) {
    event_type_ = "";
    EXPECT_EQ(refused_field(), "event_type");
}

TEST_F(ValidatorTest, AcceptsAnEventTypeOf128Bytes) {
    event_type_ = std::string(128, 'e');
    EXPECT_EQ(refused_field(), "(accepted)");
}

TEST_F(ValidatorTest, RefusesAnEventTypeOf129Bytes) {
    event_type_ = std::string(129, 'e');
    EXPECT_EQ(refused_field(), "event_type");
}

TEST_F(ValidatorTest, AcceptsAnEventTypeOf128BytesOfMultibyteUtf8) {
    event_type_ = repeat("\xd0\xb6", 64);  // 64 x U+0436
    EXPECT_EQ(refused_field(), "(accepted)");
}

TEST(Validator, HonoursConfiguredTextLimits) {
    Validator validator(ValidationLimits{.max_user_id_bytes = 4, .max_event_type_bytes = 2});
    RawEvent event = minimal_event();
    event.user_id = "abcd";
    event.event_type = "ab";
    Event out;
    EXPECT_EQ(validator.validate(event, kNow, out), std::nullopt);

    event.user_id = "abcde";
    std::optional<ValidationError> error = validator.validate(event, kNow, out);
    ASSERT_TRUE(error.has_value());
    EXPECT_EQ(error->field, "user_id");

    event.user_id = "abcd";
    event.event_type = "abc";
    error = validator.validate(event, kNow, out);
    ASSERT_TRUE(error.has_value());
    EXPECT_EQ(error->field, "event_type");
}

struct BadText {
    std::string_view name;
    std::string_view text;
};

const auto kBadTexts = testing::ValuesIn(std::vector<BadText>{
    BadText{"LoneContinuationByte", "ab\x80"},
    BadText{"InvalidByteFF", "\xff"},
    BadText{"TruncatedTwoByteSequence", "caf\xc3"},
    BadText{"TruncatedThreeByteSequence", "\xe2\x82"},
    BadText{"OverlongSlash", "\xc0\xaf"},
    BadText{"EncodedSurrogate", "\xed\xa0\x80"},
    BadText{"AboveUnicodeRange", "\xf4\x90\x80\x80"},
    BadText{"Latin1", "caf\xe9"},
    BadText{"NulAlone", std::string_view("\0", 1)},
    BadText{"NulInside", std::string_view("ab\0cd", 5)},
    BadText{"NulAtEnd", std::string_view("abc\0", 4)},
});

class ValidatorRejectsUserId : public ValidatorTest, public testing::WithParamInterface<BadText> {};

TEST_P(ValidatorRejectsUserId, InvalidUtf8OrNul) {
    user_id_ = GetParam().text;
    EXPECT_EQ(refused_field(), "user_id");
}

INSTANTIATE_TEST_SUITE_P(Validator, ValidatorRejectsUserId, kBadTexts, case_name<BadText>);

class ValidatorRejectsEventType : public ValidatorTest,
                                  public testing::WithParamInterface<BadText> {};

TEST_P(ValidatorRejectsEventType, InvalidUtf8OrNul) {
    event_type_ = GetParam().text;
    EXPECT_EQ(refused_field(), "event_type");
}

INSTANTIATE_TEST_SUITE_P(Validator, ValidatorRejectsEventType, kBadTexts, case_name<BadText>);

// properties.

TEST_F(ValidatorTest, AbsentPropertiesAreAnEmptyObject) {
    RawEvent event = raw();
    event.has_properties = false;
    event.properties_json = {};
    ASSERT_EQ(validate(event), std::nullopt);
    EXPECT_EQ(out_.properties_json, "{}");
}

TEST_F(ValidatorTest, KeepsPropertiesTextExactly) {
    properties_ = "{ \"b\" : [ 1 , 2.50 ] ,\n\t\"a\" : \"\\u00e9\\n\" }";
    ASSERT_EQ(validate(), std::nullopt);
    EXPECT_EQ(out_.properties_json, properties_);
}

TEST_F(ValidatorTest, AcceptsAnEmptyPropertiesObject) {
    properties_ = "{}";
    ASSERT_EQ(validate(), std::nullopt);
    EXPECT_EQ(out_.properties_json, "{}");
}

TEST_F(ValidatorTest, AcceptsAPropertiesObjectWithASurrogatePair) {
    properties_ = R"({"smile":"\ud83d\ude00"})";
    EXPECT_EQ(refused_field(), "(accepted)");
}

TEST_F(ValidatorTest, AcceptsAnEscapedNonNulControlCharacter) {
    properties_ = R"({"bell":"\u0007"})";
    EXPECT_EQ(refused_field(), "(accepted)");
}

struct BadProperties {
    std::string_view name;
    std::string_view json;
};

class ValidatorRejectsProperties : public ValidatorTest,
                                   public testing::WithParamInterface<BadProperties> {};

TEST_P(ValidatorRejectsProperties, WithFieldProperties) {
    properties_ = GetParam().json;
    EXPECT_EQ(refused_field(), "properties") << GetParam().json;
}

INSTANTIATE_TEST_SUITE_P(
    Validator, ValidatorRejectsProperties,
    testing::ValuesIn(std::vector<BadProperties>{
        BadProperties{"Array", "[1,2]"},
        BadProperties{"EmptyArray", "[]"},
        BadProperties{"String", R"("text")"},
        BadProperties{"Number", "42"},
        BadProperties{"True", "true"},
        BadProperties{"Null", "null"},
        BadProperties{"Empty", ""},
        BadProperties{"Whitespace", "  "},
        BadProperties{"UnclosedObject", R"({"a":1)"},
        BadProperties{"MissingValue", R"({"a":})"},
        BadProperties{"TrailingComma", R"({"a":1,})"},
        BadProperties{"BadLiteral", R"({"a":tru})"},
        BadProperties{"BadNumber", R"({"a":01})"},
        BadProperties{"SingleQuotes", "{'a':1}"},
        BadProperties{"UnquotedKey", "{a:1}"},
        BadProperties{"TwoObjects", R"({"a":1}{"b":2})"},
        BadProperties{"TrailingGarbage", R"({"a":1} x)"},
        BadProperties{"InvalidEscape", R"({"a":"\x"})"},
        BadProperties{"RawControlCharacter", "{\"a\":\"line\nbreak\"}"},
        BadProperties{"InvalidUtf8InValue", "{\"a\":\"\xff\"}"},
        BadProperties{"InvalidUtf8InKey", "{\"\xc3\":1}"},
        BadProperties{"LoneHighSurrogate", R"({"a":"\ud800"})"},
        BadProperties{"LoneHighSurrogateFollowedByText", R"({"a":"\ud800x"})"},
        BadProperties{"HighSurrogateFollowedByNonSurrogate", R"({"a":"\ud800\u0041"})"},
        BadProperties{"LoneLowSurrogate", R"({"a":"\udc00"})"},
        BadProperties{"LoneHighSurrogateInKey", R"({"\ud800":1})"},
        BadProperties{"NulEscapeInValue", R"({"a":"\u0000"})"},
        BadProperties{"NulEscapeInsideValue", R"({"a":"x\u0000y"})"},
        BadProperties{"NulEscapeInKey", R"({"\u0000":1})"},
        BadProperties{"NulEscapeInsideKey", R"({"k\u0000ey":1})"},
        BadProperties{"NulEscapeInNestedArray", R"({"a":[1,{"b":["\u0000"]}]})"},
        BadProperties{"NulEscapeInNestedKey", R"({"a":{"\u0000":true}})"},
        BadProperties{"RawNulByte", std::string_view("{\"a\":\"\0\"}", 9)},
    }),
    case_name<BadProperties>);

class ValidatorAcceptsPropertiesNumber : public ValidatorTest,
                                         public testing::WithParamInterface<std::string_view> {};

// SPEC: "any JSON object"; RFC 8259 sets no range on numbers and jsonb stores any of these.
TEST_P(ValidatorAcceptsPropertiesNumber, OfAnySize) {
    properties_ = "{\"n\":" + std::string(GetParam()) + "}";
    EXPECT_EQ(refused_field(), "(accepted)") << properties_;
}

INSTANTIATE_TEST_SUITE_P(Validator, ValidatorAcceptsPropertiesNumber,
                         testing::Values("0", "-0", "1.5e-3", "9223372036854775807",
                                         "-9223372036854775808", "18446744073709551615",
                                         "18446744073709551616", "12345678901234567890123",
                                         "-12345678901234567890123", "1e308", "1e400", "-1e400",
                                         "1e-400"));

TEST(Validator, AcceptsPropertiesNestedExactlyToTheLimit) {
    Validator validator(ValidationLimits{.max_properties_depth = 3});
    const std::string properties = nested_properties(3);
    ASSERT_EQ(properties, R"({"a":{"a":{"a":1}}})");
    RawEvent event = minimal_event();
    event.properties_json = properties;
    event.has_properties = true;
    Event out;
    EXPECT_EQ(validator.validate(event, kNow, out), std::nullopt);
}

TEST(Validator, RefusesPropertiesNestedOneLevelBeyondTheLimit) {
    Validator validator(ValidationLimits{.max_properties_depth = 3});
    RawEvent event = minimal_event();
    event.has_properties = true;
    Event out;

    const std::string objects = nested_properties(4);
    event.properties_json = objects;
    std::optional<ValidationError> error = validator.validate(event, kNow, out);
    ASSERT_TRUE(error.has_value()) << objects;
    EXPECT_EQ(error->field, "properties");

    const std::string arrays = R"({"a":[[[1]]]})";
    event.properties_json = arrays;
    error = validator.validate(event, kNow, out);
    ASSERT_TRUE(error.has_value()) << arrays;
    EXPECT_EQ(error->field, "properties");
}

TEST(Validator, RefusesPropertiesNestedBeyondTheLimitByAnEmptyContainer) {
    // Depth 4 either way: an empty innermost container is a level like any other.
    Validator validator(ValidationLimits{.max_properties_depth = 3});
    RawEvent event = minimal_event();
    event.has_properties = true;
    Event out;

    for (const std::string_view properties :
         {R"({"a":{"a":{"a":{}}}})", R"({"a":[[[]]]})", R"({"a":{"b":[{}]}})"}) {
        event.properties_json = properties;
        const std::optional<ValidationError> error = validator.validate(event, kNow, out);
        EXPECT_EQ(error.has_value() ? error->field : "(accepted)", "properties") << properties;
    }
}

TEST_F(ValidatorTest, AcceptsPropertiesNestedToTheDefaultLimit) {
    properties_ = nested_properties(validator_.limits().max_properties_depth);
    EXPECT_EQ(refused_field(), "(accepted)");
}

TEST_F(ValidatorTest, RefusesPropertiesNestedBeyondTheDefaultLimit) {
    properties_ = nested_properties(validator_.limits().max_properties_depth + 1);
    EXPECT_EQ(refused_field(), "properties");
}

TEST_F(ValidatorTest, RefusesVeryDeeplyNestedPropertiesWithoutCrashing) {
    properties_ = nested_properties(100'000);
    EXPECT_EQ(refused_field(), "properties");
}

TEST_F(ValidatorTest, AcceptsPropertiesOfExactly32KiB) {
    properties_ = properties_of_size(32 * 1024);
    ASSERT_EQ(validate(), std::nullopt);
    EXPECT_EQ(out_.properties_json.size(), 32U * 1024U);
}

TEST_F(ValidatorTest, RefusesPropertiesOfOneByteOver32KiB) {
    properties_ = properties_of_size(32 * 1024 + 1);
    EXPECT_EQ(refused_field(), "properties");
}

TEST_F(ValidatorTest, AcceptsPrettyPrintedPropertiesWhoseMinifiedFormFits) {
    // 1000 members of 32 minified bytes each ("k0000":"…" and a comma), pretty-printed
    // with a newline and four spaces of indentation each, and a space after each colon.
    std::string pretty = "{\n";
    for (int i = 0; i < 1000; ++i) {
        char key[8];
        std::snprintf(key, sizeof key, "k%04d", i);
        pretty += std::string("    \"") + key + "\": \"" + std::string(21, 'v') + "\"";
        pretty += i + 1 < 1000 ? ",\n" : "\n";
    }
    pretty += "}";
    ASSERT_GT(pretty.size(), 32U * 1024U);
    properties_ = pretty;
    ASSERT_EQ(validate(), std::nullopt);
    EXPECT_EQ(out_.properties_json, pretty);
}

TEST_F(ValidatorTest, RefusesPrettyPrintedPropertiesWhoseMinifiedFormIsTooLarge) {
    std::string properties = properties_of_size(32 * 1024 + 1);
    properties.insert(1, std::string(1000, ' '));
    properties_ = properties;
    EXPECT_EQ(refused_field(), "properties");
}

TEST_F(ValidatorTest, RefusesOversizedInvalidProperties) {
    properties_ = "{" + std::string(40'000, ' ') + "\"a\":}";
    EXPECT_EQ(refused_field(), "properties");
}

TEST(Validator, HonoursAConfiguredPropertiesSize) {
    Validator validator(ValidationLimits{.max_properties_bytes = 16});
    RawEvent event = minimal_event();
    event.has_properties = true;
    Event out;

    const std::string fits = properties_of_size(16);
    event.properties_json = fits;
    EXPECT_EQ(validator.validate(event, kNow, out), std::nullopt);

    const std::string too_large = properties_of_size(17);
    event.properties_json = too_large;
    const std::optional<ValidationError> error = validator.validate(event, kNow, out);
    ASSERT_TRUE(error.has_value());
    EXPECT_EQ(error->field, "properties");
}

TEST_F(ValidatorTest, StaysUsableAfterRefusingProperties) {
    properties_ = R"({"a":"\ud800"})";
    ASSERT_EQ(refused_field(), "properties");
    properties_ = properties_of_size(40'000);
    ASSERT_EQ(refused_field(), "properties");
    properties_ = R"({"a":1})";
    ASSERT_EQ(validate(), std::nullopt);
    EXPECT_EQ(out_.properties_json, R"({"a":1})");
}

}  // namespace
}  // namespace eventline::event
