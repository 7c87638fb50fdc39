#include "decode/batch_decoder.hpp"

#include <gtest/gtest.h>
#include <simdjson.h>

#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

namespace eventline::decode {

// Found by argument-dependent lookup: gtest prints statuses by name.
static void PrintTo(DecodeStatus status, std::ostream* os) {
    switch (status) {
        case DecodeStatus::ok:
            *os << "ok";
            return;
        case DecodeStatus::malformed_json:
            *os << "malformed_json";
            return;
        case DecodeStatus::wrong_shape:
            *os << "wrong_shape";
            return;
        case DecodeStatus::too_many_events:
            *os << "too_many_events";
            return;
    }
    *os << "DecodeStatus(" << static_cast<int>(status) << ")";
}

namespace {

/// Names a parameterized test case after its `name` member.
template <typename Case>
std::string case_name(const testing::TestParamInfo<Case>& test_case) {
    return std::string(test_case.param.name);
}

constexpr event::UnixMicros kSecond = 1'000'000;

// The server clock in these tests: 2025-01-06T12:00:00Z.
constexpr event::UnixMicros kNow = 1'736'164'800 * kSecond;

/// A distinct canonical event id for each n.
std::string id(int n) {
    char text[40];
    std::snprintf(text, sizeof text, "00000000-0000-4000-8000-%012d", n);
    return text;
}

/// A valid event, as JSON, whose id is id(n).
std::string valid_event(int n) {
    return R"({"event_id":")" + id(n) +
           R"(","occurred_at":"2025-01-06T11:00:00Z","user_id":"u1","event_type":"click",)"
           R"("properties":{"a":1}})";
}

/// A valid event with `field` (JSON text, e.g. `"user_id":42`) added last; a later
/// duplicate of a key is what the decoder keeps.
std::string event_with(int n, std::string_view field) {
    std::string event = valid_event(n);
    event.pop_back();
    return event + "," + std::string(field) + "}";
}

/// An event that has only the given members (JSON text), the rest missing.
std::string event_of(std::string_view members) {
    return "{" + std::string(members) + "}";
}

class BatchDecoderTest : public testing::Test {
  protected:
    explicit BatchDecoderTest(std::size_t max_events = 10'000) : decoder_(max_events, {}) {}

    DecodeResult decode(std::string_view json) {
        body_ = simdjson::padded_string(json);
        const DecodeResult result = decoder_.decode(body_, kNow, batch_);
        if (result.status != DecodeStatus::ok) {
            EXPECT_FALSE(result.message.empty());
        }
        return result;
    }

    DecodeStatus status_of(std::string_view json) { return decode(json).status; }

    /// Decodes a body of one event, expected to be refused, and returns the error's field.
    std::string refused_field(std::string_view event_json) {
        const DecodeResult result = decode("[" + std::string(event_json) + "]");
        EXPECT_EQ(result.status, DecodeStatus::ok) << result.message;
        EXPECT_EQ(batch_.size, 1U);
        EXPECT_TRUE(batch_.events.empty());
        if (batch_.errors.size() != 1) {
            ADD_FAILURE() << "expected one error for " << event_json;
            return "(no error)";
        }
        EXPECT_EQ(batch_.errors[0].index, 0U);
        EXPECT_FALSE(batch_.errors[0].message.empty());
        return std::string(batch_.errors[0].field);
    }

    /// Decodes a body of one event, expected to be valid, and returns it.
    const event::Event& accepted(std::string_view event_json) {
        const DecodeResult result = decode("[" + std::string(event_json) + "]");
        EXPECT_EQ(result.status, DecodeStatus::ok) << result.message;
        EXPECT_EQ(batch_.size, 1U);
        for (const EventError& error : batch_.errors) {
            ADD_FAILURE() << "refused: " << error.field << ": " << error.message;
        }
        if (batch_.events.size() != 1) {
            ADD_FAILURE() << "expected one valid event for " << event_json;
            static const event::Event kNone;
            return kNone;
        }
        return batch_.events[0];
    }

    BatchDecoder decoder_;
    simdjson::padded_string body_;
    DecodedBatch batch_;
};

// Body forms.

TEST_F(BatchDecoderTest, DecodesABareArray) {
    ASSERT_EQ(decode("[" + valid_event(1) + "," + valid_event(2) + "]").status, DecodeStatus::ok);
    EXPECT_EQ(batch_.size, 2U);
    ASSERT_EQ(batch_.events.size(), 2U);
    EXPECT_TRUE(batch_.errors.empty());

    const event::Event& first = batch_.events[0];
    EXPECT_EQ(first.event_id.to_string(), id(1));
    EXPECT_EQ(first.occurred_at, kNow - 3600 * kSecond);
    EXPECT_EQ(first.user_id, "u1");
    EXPECT_EQ(first.event_type, "click");
    EXPECT_EQ(first.properties_json, R"({"a":1})");
    EXPECT_EQ(batch_.events[1].event_id.to_string(), id(2));
}

TEST_F(BatchDecoderTest, DecodesAnEventsEnvelope) {
    ASSERT_EQ(status_of(R"({"events":[)" + valid_event(1) + "," + valid_event(2) + "]}"),
              DecodeStatus::ok);
    EXPECT_EQ(batch_.size, 2U);
    ASSERT_EQ(batch_.events.size(), 2U);
    EXPECT_EQ(batch_.events[0].event_id.to_string(), id(1));
    EXPECT_EQ(batch_.events[1].event_id.to_string(), id(2));
}

TEST_F(BatchDecoderTest, IgnoresOtherMembersOfTheEnvelope) {
    ASSERT_EQ(status_of(R"({"source":{"sdk":["js",1.5,null]},"events":[)" + valid_event(1) +
                        R"(],"sent_at":"2025-01-06T12:00:00Z","n":[[{}]]})"),
              DecodeStatus::ok);
    EXPECT_EQ(batch_.size, 1U);
    EXPECT_EQ(batch_.events.size(), 1U);
}

TEST_F(BatchDecoderTest, AcceptsWhitespaceAroundTheBody) {
    ASSERT_EQ(status_of(" \n\t[ " + valid_event(1) + " ]\r\n "), DecodeStatus::ok);
    EXPECT_EQ(batch_.events.size(), 1U);
}

TEST_F(BatchDecoderTest, AcceptsAnEmptyArray) {
    ASSERT_EQ(status_of("[]"), DecodeStatus::ok);
    EXPECT_EQ(batch_.size, 0U);
    EXPECT_TRUE(batch_.events.empty());
    EXPECT_TRUE(batch_.errors.empty());
}

TEST_F(BatchDecoderTest, AcceptsAnEmptyEnvelope) {
    ASSERT_EQ(status_of(R"({"events":[]})"), DecodeStatus::ok);
    EXPECT_EQ(batch_.size, 0U);
}

TEST_F(BatchDecoderTest, ClearsTheBatchBetweenBodies) {
    ASSERT_EQ(status_of("[" + valid_event(1) + ",5]"), DecodeStatus::ok);
    ASSERT_EQ(status_of("[" + valid_event(2) + "]"), DecodeStatus::ok);
    EXPECT_EQ(batch_.size, 1U);
    ASSERT_EQ(batch_.events.size(), 1U);
    EXPECT_EQ(batch_.events[0].event_id.to_string(), id(2));
    EXPECT_TRUE(batch_.errors.empty());
}

TEST_F(BatchDecoderTest, IgnoresUnknownFieldsOfEveryKind) {
    const event::Event& event = accepted(
        R"({"extra":1,"event_id":")" + id(1) +
        R"(","nested":{"a":[1,{"b":null}],"c":{"d":{}}},"list":[[],{},"x",-1.5e3,true],)"
        R"("occurred_at":"2025-01-06T11:00:00Z","flag":false,"nothing":null,"user_id":"u1",)"
        R"("event_type":"click","text":"\"quoted\" \u00e9","number":-12.5e-3})");
    EXPECT_EQ(event.event_id.to_string(), id(1));
    EXPECT_EQ(event.properties_json, "{}");
}

TEST_F(BatchDecoderTest, IgnoresAnUnknownFieldHoldingAnIntegerBeyond64Bits) {
    // Valid JSON (RFC 8259 sets no range), so not a reason to refuse the body.
    accepted(event_with(1, R"("count":12345678901234567890123)"));
    accepted(event_with(1, R"("count":-18446744073709551617)"));
}

TEST_F(BatchDecoderTest, IgnoresAnUnknownFieldHoldingANumberBeyondDoubleRange) {
    accepted(event_with(1, R"("ratio":1e400)"));
}

TEST_F(BatchDecoderTest, MatchesFieldNamesAfterUnescaping) {
    // "event\u005fid" is the same JSON name as "event_id".
    const event::Event& event =
        accepted(R"({"event_id":")" + id(1) +
                 R"(","occurred_at":"2025-01-06T11:00:00Z","user_id":"u","event_type":"e"})");
    EXPECT_EQ(event.event_id.to_string(), id(1));
}

// Malformed JSON.

struct Body {
    std::string_view name;
    std::string json;
};

class BatchDecoderMalformed : public BatchDecoderTest, public testing::WithParamInterface<Body> {};

TEST_P(BatchDecoderMalformed, IsMalformedJson) {
    EXPECT_EQ(status_of(GetParam().json), DecodeStatus::malformed_json) << GetParam().json;
}

INSTANTIATE_TEST_SUITE_P(
    BatchDecoder, BatchDecoderMalformed,
    testing::ValuesIn(std::vector<Body>{
        Body{"Empty", ""},
        Body{"OnlyWhitespace", " \n "},
        Body{"UnclosedArray", "["},
        Body{"UnclosedArrayAfterEvent", "[" + valid_event(1)},
        Body{"UnopenedArray", "]"},
        Body{"LeadingComma", "[,]"},
        Body{"TrailingCommaInArray", "[" + valid_event(1) + ",]"},
        Body{"TrailingCommaInEvent", "[" + event_with(1, R"("x":1,)") + "]"},
        Body{"MismatchedBrackets", "[" + valid_event(1) + "}"},
        Body{"UnclosedEvent", R"([{"event_id":"x")"},
        Body{"MissingValueInEvent", R"([{"event_id":}])"},
        Body{"MissingColonInEvent", R"([{"event_id" "x"}])"},
        Body{"MissingCommaInEvent", R"([{"event_id":"x" "user_id":"u"}])"},
        Body{"UnterminatedString", R"(["abc)"},
        Body{"InvalidEscapeInKnownField", R"([{"event_type":"a\qb"}])"},
        Body{"InvalidUtf8InString", "[{\"event_type\":\"\xff\"}]"},
        Body{"RawControlCharacterInString", "[{\"event_type\":\"a\nb\"}]"},
        Body{"SingleQuotes", "[{'event_id':'x'}]"},
        Body{"UnknownFieldUnclosedArray", "[" + event_with(1, R"("x":[1,})") + "]"},
        Body{"UnknownFieldBrokenLiteral", "[" + event_with(1, R"("x":tru)") + "]"},
        Body{"UnknownFieldBrokenNull", "[" + event_with(1, R"("x":nul)") + "]"},
        Body{"UnknownFieldBrokenNumber", "[" + event_with(1, R"("x":01)") + "]"},
        Body{"UnknownFieldBareMinus", "[" + event_with(1, R"("x":-)") + "]"},
        Body{"UnknownFieldNaN", "[" + event_with(1, R"("x":NaN)") + "]"},
        Body{"UnknownFieldInvalidEscape", "[" + event_with(1, R"("x":"\q")") + "]"},
        Body{"UnknownFieldNestedBrokenLiteral",
             "[" + event_with(1, R"("x":{"y":[1,{"z":falsy}]})") + "]"},
        Body{"UnknownFieldNestedInvalidEscapeInKey", "[" + event_with(1, R"("x":{"\q":1})") + "]"},
        Body{"EnvelopeUnknownMemberBroken", R"({"x":[1,},"events":[]})"},
        Body{"EnvelopeUnknownMemberBrokenAfterEvents", R"({"events":[],"x":tru})"},
        Body{"BrokenLiteralInsteadOfEvent", "[" + valid_event(1) + ",tru]"},
        Body{"BrokenNumberInsteadOfEvent", "[1.]"},
        Body{"TwoArrays", "[] []"},
        Body{"ArrayThenLetter", "[]x"},
        Body{"ArrayThenNumber", "[" + valid_event(1) + "] 1"},
        Body{"ArrayThenComma", "[],"},
        Body{"TwoEnvelopes", R"({"events":[]} {})"},
        Body{"EnvelopeThenLetter", R"({"events":[]}x)"},
    }),
    case_name<Body>);

// 100,000 levels is a 200 KB body, far below the 16 MiB limit. Run in a child process
// so that a stack overflow fails this test only.
constexpr std::size_t kDeepNesting = 100'000;

std::string deeply_nested_array() {
    return std::string(kDeepNesting, '[') + std::string(kDeepNesting, ']');
}

/// Exits 0 when decoding `json` returns (refusing the body as malformed or not), 1 otherwise.
void decode_and_exit(const std::string& json) {
    BatchDecoder decoder(10'000, {});
    DecodedBatch batch;
    const simdjson::padded_string body(json);
    const DecodeStatus status = decoder.decode(body, kNow, batch).status;
    std::exit(status == DecodeStatus::ok || status == DecodeStatus::malformed_json ? 0 : 1);
}

TEST(BatchDecoderDeathTest, SurvivesADeeplyNestedUnknownField) {
    const std::string json = "[" + event_with(1, "\"x\":" + deeply_nested_array()) + "]";
    EXPECT_EXIT(decode_and_exit(json), testing::ExitedWithCode(0), "");
}

TEST(BatchDecoderDeathTest, SurvivesADeeplyNestedElement) {
    const std::string json = "[" + deeply_nested_array() + "]";
    EXPECT_EXIT(decode_and_exit(json), testing::ExitedWithCode(0), "");
}

TEST(BatchDecoderDeathTest, SurvivesADeeplyNestedEnvelopeMember) {
    const std::string json = R"({"x":)" + deeply_nested_array() + R"(,"events":[]})";
    EXPECT_EXIT(decode_and_exit(json), testing::ExitedWithCode(0), "");
}

TEST_F(BatchDecoderTest, RefusesABodyWhoseOnlyFlawIsInAValidEventsProperties) {
    // SPEC: malformed JSON anywhere in the body is a 400, not a per-event refusal.
    EXPECT_EQ(status_of("[" + event_with(1, R"("properties":{"a":tru})") + "]"),
              DecodeStatus::malformed_json);
}

TEST_F(BatchDecoderTest, RefusesABodyWithBrokenPropertiesInAnOtherwiseRefusedEvent) {
    EXPECT_EQ(status_of(R"([{"event_id":5,"properties":{"a":tru}}])"),
              DecodeStatus::malformed_json);
    EXPECT_EQ(status_of(R"([{"properties":{"a":01}}])"), DecodeStatus::malformed_json);
}

TEST_F(BatchDecoderTest, RefusesABodyWithAnInvalidEscapeInAnEventKey) {
    EXPECT_EQ(status_of("[" + event_with(1, R"("\q":1)") + "]"), DecodeStatus::malformed_json);
}

TEST_F(BatchDecoderTest, RefusesABodyWithAnInvalidEscapeInAnEnvelopeKey) {
    EXPECT_EQ(status_of(R"({"\q":1,"events":[]})"), DecodeStatus::malformed_json);
}

TEST_F(BatchDecoderTest, RefusesABodyWithABrokenLiteralInPlaceOfANullField) {
    EXPECT_EQ(status_of("[" + event_with(1, R"("properties":nul)") + "]"),
              DecodeStatus::malformed_json);
    EXPECT_EQ(status_of("[" + event_with(1, R"("event_type":nulx)") + "]"),
              DecodeStatus::malformed_json);
}

// Wrong shape.

class BatchDecoderWrongShape : public BatchDecoderTest, public testing::WithParamInterface<Body> {};

TEST_P(BatchDecoderWrongShape, IsWrongShape) {
    EXPECT_EQ(status_of(GetParam().json), DecodeStatus::wrong_shape) << GetParam().json;
}

INSTANTIATE_TEST_SUITE_P(BatchDecoder, BatchDecoderWrongShape,
                         testing::ValuesIn(std::vector<Body>{
                             Body{"Number", "5"},
                             Body{"String", R"("events")"},
                             Body{"True", "true"},
                             Body{"Null", "null"},
                             Body{"EmptyObject", "{}"},
                             Body{"ObjectWithoutEvents", R"({"other":[]})"},
                             Body{"EventsIsANumber", R"({"events":5})"},
                             Body{"EventsIsAnObject", R"({"events":{}})"},
                             Body{"EventsIsNull", R"({"events":null})"},
                             Body{"EventsIsAString", R"({"events":"[]"})"},
                             Body{"EventsKeyInOtherCase", R"({"Events":[]})"},
                             Body{"EventsTwice", R"({"events":[],"events":[]})"},
                             Body{"SingleEventObject", valid_event(1)},
                         }),
                         case_name<Body>);

// Limits.

class SmallBatchDecoderTest : public BatchDecoderTest {
  protected:
    SmallBatchDecoderTest() : BatchDecoderTest(3) {}
};

TEST_F(SmallBatchDecoderTest, AcceptsExactlyMaxEvents) {
    ASSERT_EQ(status_of("[" + valid_event(1) + "," + valid_event(2) + "," + valid_event(3) + "]"),
              DecodeStatus::ok);
    EXPECT_EQ(batch_.size, 3U);
    EXPECT_EQ(batch_.events.size(), 3U);
}

TEST_F(SmallBatchDecoderTest, RefusesOneMoreThanMaxEvents) {
    EXPECT_EQ(status_of("[" + valid_event(1) + "," + valid_event(2) + "," + valid_event(3) + "," +
                        valid_event(4) + "]"),
              DecodeStatus::too_many_events);
}

TEST_F(SmallBatchDecoderTest, RefusesTooManyEventsInAnEnvelope) {
    EXPECT_EQ(status_of(R"({"events":[1,2,3,4]})"), DecodeStatus::too_many_events);
}

TEST_F(SmallBatchDecoderTest, CountsInvalidEventsTowardsTheLimit) {
    EXPECT_EQ(status_of("[1,2,3,4]"), DecodeStatus::too_many_events);
    EXPECT_EQ(status_of("[1,2,3]"), DecodeStatus::ok);
}

TEST_F(BatchDecoderTest, AcceptsTenThousandEventsAndRefusesOneMore) {
    std::string body = "[";
    for (int n = 0; n < 10'000; ++n) {
        body += valid_event(n);
        body += ',';
    }
    body.back() = ']';
    ASSERT_EQ(status_of(body), DecodeStatus::ok);
    EXPECT_EQ(batch_.size, 10'000U);
    EXPECT_EQ(batch_.events.size(), 10'000U);

    body.back() = ',';
    body += valid_event(10'000) + "]";
    EXPECT_EQ(status_of(body), DecodeStatus::too_many_events);
}

// user_id.

class BatchDecoderIntegerUserId : public BatchDecoderTest,
                                  public testing::WithParamInterface<std::string_view> {};

TEST_P(BatchDecoderIntegerUserId, IsKeptAsItsDecimalText) {
    const event::Event& event = accepted(event_with(1, "\"user_id\":" + std::string(GetParam())));
    EXPECT_EQ(event.user_id, GetParam());
}

INSTANTIATE_TEST_SUITE_P(BatchDecoder, BatchDecoderIntegerUserId,
                         testing::Values("42", "-7", "0", "-0", "9223372036854775807",
                                         "-9223372036854775808", "18446744073709551615",
                                         "18446744073709551616", "1234567890123456789012345"));

TEST_F(BatchDecoderTest, KeepsAnIntegerUserIdFollowedByWhitespace) {
    const event::Event& event = accepted(event_with(1, "\"user_id\" : 42 \n\t"));
    EXPECT_EQ(event.user_id, "42");
}

TEST_F(BatchDecoderTest, KeepsAnIntegerUserIdThatEndsTheEvent) {
    const event::Event& event =
        accepted(R"({"event_id":")" + id(1) +
                 R"(","occurred_at":"2025-01-06T11:00:00Z","event_type":"e","user_id":7})");
    EXPECT_EQ(event.user_id, "7");
}

class BatchDecoderFloatUserId : public BatchDecoderTest,
                                public testing::WithParamInterface<std::string_view> {};

TEST_P(BatchDecoderFloatUserId, IsRefusedWithFieldUserId) {
    EXPECT_EQ(refused_field(event_with(1, "\"user_id\":" + std::string(GetParam()))), "user_id");
}

INSTANTIATE_TEST_SUITE_P(BatchDecoder, BatchDecoderFloatUserId,
                         testing::Values("1.5", "42.0", "-0.0", "1e3", "1E+2", "-2.5e-3"));

TEST_F(BatchDecoderTest, RefusesAnIntegerUserIdLongerThan256Digits) {
    EXPECT_EQ(refused_field(event_with(1, "\"user_id\":" + std::string(257, '9'))), "user_id");
}

TEST_F(BatchDecoderTest, RefusesANulEscapeInUserId) {
    EXPECT_EQ(refused_field(event_with(1, R"("user_id":"a\u0000b")")), "user_id");
}

TEST_F(BatchDecoderTest, RefusesANulEscapeInEventType) {
    EXPECT_EQ(refused_field(event_with(1, R"("event_type":"\u0000")")), "event_type");
}

TEST_F(BatchDecoderTest, RefusesALoneSurrogateEscapeInEventType) {
    const DecodeResult result = decode("[" + event_with(1, R"("event_type":"\ud800")") + "]");
    // Either refusal is fine; storing it is not.
    if (result.status == DecodeStatus::ok) {
        EXPECT_TRUE(batch_.events.empty());
        ASSERT_EQ(batch_.errors.size(), 1U);
        EXPECT_EQ(batch_.errors[0].field, "event_type");
    } else {
        EXPECT_EQ(result.status, DecodeStatus::malformed_json);
    }
}

// properties.

TEST_F(BatchDecoderTest, NullPropertiesAreAnEmptyObject) {
    EXPECT_EQ(accepted(event_with(1, R"("properties":null)")).properties_json, "{}");
}

TEST_F(BatchDecoderTest, MissingPropertiesAreAnEmptyObject) {
    const event::Event& event =
        accepted(R"({"event_id":")" + id(1) +
                 R"(","occurred_at":"2025-01-06T11:00:00Z","user_id":"u","event_type":"e"})");
    EXPECT_EQ(event.properties_json, "{}");
}

TEST_F(BatchDecoderTest, KeepsThePropertiesTextExactly) {
    const std::string properties =
        "{ \"b\" : [ 1 , 2.50, -0.0e+1 ] ,\n\t\"a\" : "
        "\"\\u00e9\\\"\\n\", \"c\":{\"d\":null} }";
    const event::Event& event = accepted(event_with(1, "\"properties\":" + properties));
    EXPECT_EQ(event.properties_json, properties);
}

TEST_F(BatchDecoderTest, PropertiesPointIntoTheBody) {
    const event::Event& event = accepted(valid_event(1));
    const char* body_begin = body_.data();
    const char* body_end = body_.data() + body_.size();
    EXPECT_GE(event.properties_json.data(), body_begin);
    EXPECT_LE(event.properties_json.data() + event.properties_json.size(), body_end);
}

TEST_F(BatchDecoderTest, RefusesPropertiesWithANulEscape) {
    EXPECT_EQ(refused_field(event_with(1, R"("properties":{"a":"\u0000"})")), "properties");
    EXPECT_EQ(refused_field(event_with(1, R"("properties":{"\u0000":1})")), "properties");
}

// A lone surrogate is not Unicode: the body is malformed wherever it appears, in
// properties as in any other string (decided in batch_decoder.hpp).
TEST_F(BatchDecoderTest, RefusesPropertiesWithALoneSurrogate) {
    EXPECT_EQ(status_of("[" + event_with(1, R"("properties":{"a":"\ud800"})") + "]"),
              DecodeStatus::malformed_json);
    EXPECT_EQ(status_of("[" + event_with(1, R"("properties":{"\udc00":1})") + "]"),
              DecodeStatus::malformed_json);
}

TEST_F(BatchDecoderTest, RefusesPropertiesNestedTooDeeply) {
    EXPECT_EQ(refused_field(event_with(1, "\"properties\":{\"a\":" + std::string(100, '[') +
                                              std::string(100, ']') + "}")),
              "properties");
}

TEST_F(BatchDecoderTest, RefusesPropertiesOver32KiB) {
    EXPECT_EQ(
        refused_field(event_with(1, "\"properties\":{\"k\":\"" + std::string(32'761, 'x') + "\"}")),
        "properties");
    EXPECT_EQ(accepted(event_with(1, "\"properties\":{\"k\":\"" + std::string(32'760, 'x') + "\"}"))
                  .properties_json.size(),
              32U * 1024U);
}

// Wrong types and invalid events.

struct RefusedEvent {
    std::string_view name;
    std::string json;
    std::string_view field;
};

class BatchDecoderRefuses : public BatchDecoderTest,
                            public testing::WithParamInterface<RefusedEvent> {};

TEST_P(BatchDecoderRefuses, WithTheRightField) {
    EXPECT_EQ(refused_field(GetParam().json), GetParam().field) << GetParam().json;
}

INSTANTIATE_TEST_SUITE_P(
    BatchDecoder, BatchDecoderRefuses,
    testing::ValuesIn(std::vector<RefusedEvent>{
        RefusedEvent{"EventIdNumber", event_with(1, R"("event_id":5)"), "event_id"},
        RefusedEvent{"EventIdObject", event_with(1, R"("event_id":{"a":1})"), "event_id"},
        RefusedEvent{"EventIdNull", event_with(1, R"("event_id":null)"), "event_id"},
        RefusedEvent{"EventIdNotAUuid", event_with(1, R"("event_id":"abc")"), "event_id"},
        RefusedEvent{"EventIdWithBraces", event_with(1, "\"event_id\":\"{" + id(1) + "}\""),
                     "event_id"},
        RefusedEvent{"OccurredAtNumber", event_with(1, R"("occurred_at":1736164800)"),
                     "occurred_at"},
        RefusedEvent{"OccurredAtNull", event_with(1, R"("occurred_at":null)"), "occurred_at"},
        RefusedEvent{"OccurredAtBeforeEpoch",
                     event_with(1, R"("occurred_at":"1969-12-31T23:59:59Z")"), "occurred_at"},
        RefusedEvent{"OccurredAtTooFarAhead",
                     event_with(1, R"("occurred_at":"2025-01-07T12:00:00.000001Z")"),
                     "occurred_at"},
        RefusedEvent{"UserIdTrue", event_with(1, R"("user_id":true)"), "user_id"},
        RefusedEvent{"UserIdArray", event_with(1, R"("user_id":["u"])"), "user_id"},
        RefusedEvent{"UserIdObject", event_with(1, R"("user_id":{})"), "user_id"},
        RefusedEvent{"UserIdNull", event_with(1, R"("user_id":null)"), "user_id"},
        RefusedEvent{"UserIdEmpty", event_with(1, R"("user_id":"")"), "user_id"},
        RefusedEvent{"EventTypeNumber", event_with(1, R"("event_type":3)"), "event_type"},
        RefusedEvent{"EventTypeArray", event_with(1, R"("event_type":["a"])"), "event_type"},
        RefusedEvent{"EventTypeTooLong",
                     event_with(1, "\"event_type\":\"" + std::string(129, 'e') + "\""),
                     "event_type"},
        RefusedEvent{"PropertiesArray", event_with(1, R"("properties":[1])"), "properties"},
        RefusedEvent{"PropertiesString", event_with(1, R"("properties":"{}")"), "properties"},
        RefusedEvent{"PropertiesNumber", event_with(1, R"("properties":5)"), "properties"},
        RefusedEvent{"PropertiesFalse", event_with(1, R"("properties":false)"), "properties"},
        RefusedEvent{"EmptyObject", "{}", "event_id"},
        RefusedEvent{"OnlyAnId", event_of("\"event_id\":\"" + id(1) + "\""), "occurred_at"},
        RefusedEvent{"NumberElement", "5", "event"},
        RefusedEvent{"StringElement", R"("event")", "event"},
        RefusedEvent{"NullElement", "null", "event"},
        RefusedEvent{"BoolElement", "true", "event"},
        RefusedEvent{"ArrayElement", "[" + valid_event(1) + "]", "event"},
    }),
    case_name<RefusedEvent>);

TEST_F(BatchDecoderTest, ReportsTheEventIdAsSent) {
    ASSERT_EQ(status_of(R"([{"event_id":"Not-A-UUID"},)"
                        R"({"event_id":"0190A5B4-7C3E-7DEF-8ABC-0123456789AB","user_id":true},)"
                        R"({"event_id":"0190a5b4-7c3e-7def-8abc-0123456789ab"}])"),
              DecodeStatus::ok);
    ASSERT_EQ(batch_.errors.size(), 3U);
    EXPECT_EQ(batch_.errors[0].event_id, "Not-A-UUID");
    EXPECT_EQ(batch_.errors[0].field, "event_id");
    EXPECT_EQ(batch_.errors[1].event_id, "0190A5B4-7C3E-7DEF-8ABC-0123456789AB");
    EXPECT_EQ(batch_.errors[1].field, "user_id");
    EXPECT_EQ(batch_.errors[2].event_id, "0190a5b4-7c3e-7def-8abc-0123456789ab");
    EXPECT_EQ(batch_.errors[2].field, "occurred_at");
}

TEST_F(BatchDecoderTest, ReportsNoEventIdWhenItWasNotAString) {
    ASSERT_EQ(status_of(R"([{"event_id":5},{},7,{"event_id":null}])"), DecodeStatus::ok);
    ASSERT_EQ(batch_.errors.size(), 4U);
    for (const EventError& error : batch_.errors) {
        EXPECT_EQ(error.event_id, "") << "index " << error.index;
    }
}

TEST_F(BatchDecoderTest, ReportsTheEventIdUnescaped) {
    ASSERT_EQ(status_of(R"([{"event_id":"a\"b\u00e9"}])"), DecodeStatus::ok);
    ASSERT_EQ(batch_.errors.size(), 1U);
    EXPECT_EQ(batch_.errors[0].event_id, "a\"b\xc3\xa9");
}

TEST_F(BatchDecoderTest, ReportsTheFirstWrongTypeOfAnEvent) {
    EXPECT_EQ(refused_field(R"({"user_id":true,"event_id":5,"properties":[1]})"), "user_id");
}

TEST_F(BatchDecoderTest, KeepsValidAndInvalidEventsInOrderWithZeroBasedIndexes) {
    ASSERT_EQ(status_of("[" + valid_event(0) + ",5," + valid_event(2) + "," +
                        event_with(3, R"("user_id":true)") + "," + valid_event(4) + "," +
                        event_with(5, R"("occurred_at":"never")") + "]"),
              DecodeStatus::ok);
    EXPECT_EQ(batch_.size, 6U);
    ASSERT_EQ(batch_.events.size(), 3U);
    EXPECT_EQ(batch_.events[0].event_id.to_string(), id(0));
    EXPECT_EQ(batch_.events[1].event_id.to_string(), id(2));
    EXPECT_EQ(batch_.events[2].event_id.to_string(), id(4));

    ASSERT_EQ(batch_.errors.size(), 3U);
    EXPECT_EQ(batch_.errors[0].index, 1U);
    EXPECT_EQ(batch_.errors[0].field, "event");
    EXPECT_EQ(batch_.errors[0].event_id, "");
    EXPECT_EQ(batch_.errors[1].index, 3U);
    EXPECT_EQ(batch_.errors[1].field, "user_id");
    EXPECT_EQ(batch_.errors[1].event_id, id(3));
    EXPECT_EQ(batch_.errors[2].index, 5U);
    EXPECT_EQ(batch_.errors[2].field, "occurred_at");
    EXPECT_EQ(batch_.errors[2].event_id, id(5));
}

TEST_F(BatchDecoderTest, RefusesEveryNonObjectElementAtItsIndex) {
    ASSERT_EQ(status_of(R"([1,"x",null,[],false,-2.5,[{"a":1}]])"), DecodeStatus::ok);
    EXPECT_EQ(batch_.size, 7U);
    ASSERT_EQ(batch_.errors.size(), 7U);
    for (std::size_t i = 0; i < batch_.errors.size(); ++i) {
        EXPECT_EQ(batch_.errors[i].index, i);
        EXPECT_EQ(batch_.errors[i].field, "event") << "index " << i;
    }
}

// Strings.

TEST_F(BatchDecoderTest, UnescapesStrings) {
    const event::Event& event =
        accepted(event_with(1, R"("event_type":"a\"b","user_id":"\u00e9\\\/\t\ud83d\ude00")"));
    EXPECT_EQ(event.event_type, "a\"b");
    EXPECT_EQ(event.user_id, "\xc3\xa9\\/\t\xf0\x9f\x98\x80");
}

TEST_F(BatchDecoderTest, UnescapesTheEventIdBeforeParsingIt) {
    const event::Event& event =
        accepted(event_with(1, R"("event_id":"0190a5b4\u002d7c3e-7def-8abc-0123456789AB")"));
    EXPECT_EQ(event.event_id.to_string(), "0190a5b4-7c3e-7def-8abc-0123456789ab");
}

TEST_F(BatchDecoderTest, UnescapesTheOccurredAtBeforeParsingIt) {
    const event::Event& event =
        accepted(event_with(1, R"("occurred_at":"2025-01-06\u005411:00:00Z")"));
    EXPECT_EQ(event.occurred_at, kNow - 3600 * kSecond);
}

TEST_F(BatchDecoderTest, KeepsMultibyteUtf8) {
    const event::Event& event = accepted(
        event_with(1, "\"event_type\":\"\xe8\xb3\xbc\xe5\x85\xa5\",\"user_id\":\"\xc3\xa9\""));
    EXPECT_EQ(event.event_type, "\xe8\xb3\xbc\xe5\x85\xa5");
    EXPECT_EQ(event.user_id, "\xc3\xa9");
}

TEST_F(BatchDecoderTest, StringsOfEarlierEventsSurviveLaterOnes) {
    ASSERT_EQ(status_of("[" + event_with(1, R"("event_type":"first\n")") + "," +
                        event_with(2, R"("event_type":"second\n")") + "]"),
              DecodeStatus::ok);
    ASSERT_EQ(batch_.events.size(), 2U);
    EXPECT_EQ(batch_.events[0].event_type, "first\n");
    EXPECT_EQ(batch_.events[1].event_type, "second\n");
}

}  // namespace
}  // namespace eventline::decode
