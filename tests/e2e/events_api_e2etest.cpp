// Every status code and error shape of SPEC's HTTP API, against the running service.

#include <gtest/gtest.h>

#include <string>

#include "support/expect_error.hpp"
#include "support/http_client.hpp"
#include "support/json.hpp"
#include "support/running_service.hpp"

namespace eventline {
namespace {

using testing::expect_error;
using testing::HttpClient;
using testing::HttpResponse;
using testing::Json;
using testing::RunningService;

std::string event(int n, const char* extra = "") {
    char id[37];
    std::snprintf(id, sizeof id, "aaaaaaaa-0000-4000-8000-%012d", n);
    std::string text = R"({"event_id":")" + std::string(id) +
                       R"(","occurred_at":"2025-01-06T10:00:00+02:00","user_id":)" +
                       std::to_string(n) + R"(,"event_type":"click")" + extra + "}";
    return text;
}

class EventsApi : public ::testing::Test {
protected:
    RunningService service_{[](service::ServiceConfig& config) {
        config.events.max_events = 5;
        config.server.limits.max_body_bytes = 64 * 1024;
        config.events.max_body_bytes = 64 * 1024;
        config.server.limits.max_header_bytes = 4096;
    }};
    HttpClient client_ = service_.client();
};

TEST_F(EventsApi, AcceptsAnArrayAndCountsEachEventOnce) {
    const HttpResponse response = client_.post("/events", "[" + event(1) + "," + event(2) + "," + event(1) + "]");

    ASSERT_EQ(response.status, 200U) << response.body;
    const Json body(response.body);
    EXPECT_EQ(body.integer("accepted"), 2);
    EXPECT_EQ(body.integer("duplicates"), 1);
    EXPECT_EQ(body.integer("rejected"), 0);
    EXPECT_EQ(body["errors"].get_array().size(), 0U);
    EXPECT_EQ(service_.database().scalar("SELECT count(*) FROM events"), 2);
    // An integer user_id is stored as its decimal text; the offset is applied.
    EXPECT_EQ(service_.database().scalar(
                  "SELECT count(*) FROM events WHERE user_id = '2' "
                  "AND occurred_at = '2025-01-06T08:00:00Z'"),
              1);
}

TEST_F(EventsApi, AcceptsTheEnvelopeFormAndRetriesAreDuplicates) {
    const std::string body = R"({"events":[)" + event(3) + "]}";
    const HttpResponse first = client_.post("/events", body);
    const HttpResponse retry = client_.post("/events", body);

    ASSERT_EQ(first.status, 200U);
    EXPECT_EQ(Json(first.body).integer("accepted"), 1);
    ASSERT_EQ(retry.status, 200U);
    EXPECT_EQ(Json(retry.body).integer("accepted"), 0);
    EXPECT_EQ(Json(retry.body).integer("duplicates"), 1);
}

TEST_F(EventsApi, ReportsEachInvalidEventAndStoresTheValidOnes) {
    const std::string bad = R"({"event_id":"not-a-uuid","occurred_at":"2025-01-06T10:00:00Z",)"
                            R"("user_id":"u","event_type":"x"})";
    const HttpResponse response =
        client_.post("/events", "[" + event(4) + "," + bad + "," + event(5, R"(,"properties":[1])") + "]");

    ASSERT_EQ(response.status, 200U);
    const Json body(response.body);
    EXPECT_EQ(body.integer("accepted"), 1);
    EXPECT_EQ(body.integer("rejected"), 2);
    EXPECT_EQ(body.integer("accepted") + body.integer("duplicates") + body.integer("rejected"), 3);
    EXPECT_EQ(body.text("/errors/0/field"), "event_id");
    EXPECT_EQ(body.text("/errors/0/event_id"), "not-a-uuid");
    EXPECT_EQ(body.root().at_pointer("/errors/0/index").get_int64().value(), 1);
    EXPECT_EQ(body.text("/errors/1/field"), "properties");
    EXPECT_EQ(body.root().at_pointer("/errors/1/index").get_int64().value(), 2);
}

TEST_F(EventsApi, StrictModeRefusesTheWholeBatch) {
    const std::string bad = R"({"event_id":"aaaaaaaa-0000-4000-8000-000000000099"})";
    const HttpResponse response = client_.post("/events?strict=true", "[" + event(6) + "," + bad + "]");

    EXPECT_EQ(response.status, 422U);
    const Json body(response.body);
    EXPECT_EQ(body.integer("accepted"), 0);
    EXPECT_EQ(body.integer("rejected"), 1);
    EXPECT_EQ(body.text("/errors/0/field"), "occurred_at");
    EXPECT_EQ(service_.database().scalar("SELECT count(*) FROM events"), 0);

    expect_error(client_.post("/events?strict=maybe", "[]"), 400, "invalid_parameter");
}

TEST_F(EventsApi, AcceptsGzipBodies) {
    const HttpResponse response = client_.post("/events", testing::gzip("[" + event(7) + "]"),
                                               {{"Content-Encoding", "gzip"}});

    ASSERT_EQ(response.status, 200U) << response.body;
    EXPECT_EQ(Json(response.body).integer("accepted"), 1);
}

TEST_F(EventsApi, RefusesMalformedBodies) {
    expect_error(client_.post("/events", "[{\"event_id\": "), 400, "malformed_json");
    expect_error(client_.post("/events", "[] trailing"), 400, "malformed_json");
    expect_error(client_.post("/events", R"({"batch":[]})"), 400, "invalid_batch");
    expect_error(client_.post("/events", "42"), 400, "invalid_batch");
    expect_error(client_.post("/events", "not gzip", {{"Content-Encoding", "gzip"}}), 400,
                 "invalid_gzip");
    EXPECT_EQ(service_.database().scalar("SELECT count(*) FROM events"), 0);
}

TEST_F(EventsApi, EnforcesTheLimits) {
    std::string six = "[";
    for (int i = 0; i < 6; ++i) {
        six += (i ? "," : "") + event(100 + i);
    }
    six += "]";
    expect_error(client_.post("/events", six), 413, "too_many_events");
    expect_error(client_.post("/events", std::string(65 * 1024, ' ')), 413, "payload_too_large");
    // 1 MiB of whitespace compresses to about a kilobyte: the limit applies after inflating.
    expect_error(client_.post("/events", testing::gzip("[" + std::string(1 << 20, ' ') + "]"),
                              {{"Content-Encoding", "gzip"}}),
                 413, "payload_too_large");
    expect_error(client_.post("/events", "[]", {{"Content-Encoding", "br"}}), 415,
                 "unsupported_encoding");
    expect_error(client_.post("/events", "[]", {{"X-Padding", std::string(8192, 'x')}}), 431,
                 "headers_too_large");
    EXPECT_EQ(service_.database().scalar("SELECT count(*) FROM events"), 0);
}

TEST_F(EventsApi, AnswersUnknownRoutesAndMethods) {
    expect_error(client_.get("/nope"), 404, "not_found");
    const HttpResponse wrong_method = client_.get("/events");
    expect_error(wrong_method, 405, "method_not_allowed");
    EXPECT_EQ(wrong_method.header("Allow"), "POST");
}

TEST_F(EventsApi, RefusesGarbageAndClosesTheConnection) {
    const HttpResponse response = client_.raw("\x16\x03\x01 definitely not HTTP\r\n\r\n");
    expect_error(response, 400, "bad_request");
    // The server still serves afterwards.
    EXPECT_EQ(client_.get("/healthz").status, 200U);
}

TEST_F(EventsApi, ReportsHealthAndReadiness) {
    EXPECT_EQ(client_.get("/healthz").status, 200U);
    EXPECT_EQ(client_.get("/readyz").status, 200U);
    EXPECT_EQ(client_.request(boost::beast::http::verb::head, "/healthz").status, 200U);
}

TEST_F(EventsApi, ExportsSpecMetricsWithRoutePatternsOnly) {
    client_.post("/events", "[" + event(8) + "," + event(8) + R"(,{"event_id":"x"}])");
    client_.get("/no/such/path/12345");

    EXPECT_EQ(service_.metric(R"(events_ingested_total{source="http"})"), 1);
    EXPECT_EQ(service_.metric(R"(events_duplicates_total{source="http"})"), 1);
    EXPECT_EQ(service_.metric(R"(events_rejected_total{source="http"})"), 1);
    EXPECT_EQ(service_.metric(R"(http_requests_total{method="POST",route="/events",status="200"})"), 1);
    EXPECT_EQ(service_.metric(R"(http_requests_total{method="GET",route="unmatched",status="404"})"), 1);
    EXPECT_GE(service_.metric(
                  R"(http_request_duration_seconds_count{method="POST",route="/events"})"),
              1);
    EXPECT_GE(service_.metric("ingest_group_events_count"), 1);
    EXPECT_EQ(service_.metric(R"(ingest_writers{state="connected"})"), 2);

    const HttpResponse metrics = client_.get("/metrics");
    EXPECT_EQ(metrics.header("Content-Type"), "text/plain; version=0.0.4; charset=utf-8");
    EXPECT_EQ(metrics.body.find("/no/such/path"), std::string::npos);
}

}  // namespace
}  // namespace eventline
