// Per-key rate limits over real HTTP: a key above its rate gets 429 with Retry-After and
// the RateLimit-* headers, and nothing of the refused request is stored; a key below its
// rate is never refused; keys without a rate of their own get the server's default.

#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "auth/key_format.hpp"
#include "support/http_client.hpp"
#include "support/json.hpp"
#include "support/running_service.hpp"

namespace eventline {
namespace {

using testing::Headers;
using testing::HttpClient;
using testing::HttpResponse;
using testing::Json;
using testing::RunningService;

std::string batch(int first, int count) {
    std::string body = "[";
    for (int n = first; n < first + count; ++n) {
        char id[37];
        std::snprintf(id, sizeof id, "eeeeeeee-0000-4000-8000-%012d", n);
        body += (n == first ? "" : ",") + std::string(R"({"event_id":")") + id +
                R"(","occurred_at":"2025-01-06T10:00:00Z","user_id":"u","event_type":"e"})";
    }
    return body + "]";
}

Headers bearer(const std::string& key) { return {{"Authorization", "Bearer " + key}}; }

long header_number(const HttpResponse& response, const char* name) {
    const std::string value = response.header(name);
    EXPECT_FALSE(value.empty()) << name << " is missing";
    return value.empty() ? -1 : std::stol(value);
}

std::string create_key(RunningService& service, const char* name,
                       std::optional<double> events_per_second,
                       std::optional<double> requests_per_second) {
    auth::KeyRequest request;
    request.name = name;
    request.events_per_second = events_per_second;
    request.requests_per_second = requests_per_second;
    return service.create_key(request);
}

class RateLimits : public ::testing::Test {
protected:
    RunningService service_{[](service::ServiceConfig& config) {
        config.auth.enabled = true;
        config.auth.rates.events_per_second = 1'000'000;  // high defaults: only keys' own
        config.auth.rates.requests_per_second = 1'000'000;
    }};
    HttpClient client_ = service_.client();
};

TEST_F(RateLimits, AKeyAboveItsEventRateGets429AndNothingOfThatRequestIsStored) {
    const std::string key = create_key(service_, "ten a second", 10, std::nullopt);

    const HttpResponse first = client_.post("/events", batch(1, 10), bearer(key));
    ASSERT_EQ(first.status, 200U) << first.body;
    EXPECT_EQ(header_number(first, "RateLimit-Limit"), 10);
    EXPECT_EQ(header_number(first, "RateLimit-Remaining"), 0);

    const HttpResponse refused = client_.post("/events", batch(11, 5), bearer(key));
    EXPECT_EQ(refused.status, 429U) << refused.body;
    EXPECT_EQ(Json(refused.body).text("/error/code"), "rate_limited");
    const long retry_after = header_number(refused, "Retry-After");
    EXPECT_GE(retry_after, 1);
    EXPECT_LE(retry_after, 1);  // 5 events at 10 a second: within the second
    EXPECT_EQ(header_number(refused, "RateLimit-Limit"), 10);
    EXPECT_EQ(header_number(refused, "RateLimit-Remaining"), 0);
    EXPECT_GE(header_number(refused, "RateLimit-Reset"), 1);

    EXPECT_EQ(service_.database().scalar("SELECT count(*) FROM events"), 10);
    EXPECT_EQ(service_.database().scalar("SELECT count(*) FROM events "
                                         "WHERE event_id = 'eeeeeeee-0000-4000-8000-000000000011'"),
              0);
    const std::string prefix(auth::key_prefix(key));
    EXPECT_EQ(service_.metric(R"(rate_limited_total{key=")" + prefix + R"(",limit="events"})"), 1);

    // Once Retry-After has passed, the same request goes through.
    std::this_thread::sleep_for(std::chrono::seconds(retry_after));
    const HttpResponse retried = client_.post("/events", batch(11, 5), bearer(key));
    EXPECT_EQ(retried.status, 200U) << retried.body;
    EXPECT_EQ(service_.database().scalar("SELECT count(*) FROM events"), 15);
}

TEST_F(RateLimits, AKeyAboveItsRequestRateGets429BeforeItsBodyIsRead) {
    const std::string key = create_key(service_, "two a second", std::nullopt, 2);
    const std::string dau = "/stats/dau?from=2025-01-06&to=2025-01-06";
    const auto get = [&] {
        return client_.request(boost::beast::http::verb::get, dau, "", bearer(key));
    };
    EXPECT_EQ(get().status, 200U);
    const HttpResponse second = get();
    EXPECT_EQ(second.status, 200U);
    EXPECT_EQ(header_number(second, "RateLimit-Limit"), 2);

    const HttpResponse refused = get();
    EXPECT_EQ(refused.status, 429U);
    EXPECT_EQ(header_number(refused, "Retry-After"), 1);
    // POST /events shares the request budget, and is refused without being read.
    const HttpResponse post = client_.post("/events", batch(1, 1), bearer(key));
    EXPECT_EQ(post.status, 429U);
    EXPECT_EQ(post.header("Connection"), "close");
    EXPECT_EQ(service_.database().scalar("SELECT count(*) FROM events"), 0);

    const std::string prefix(auth::key_prefix(key));
    EXPECT_EQ(service_.metric(R"(rate_limited_total{key=")" + prefix + R"(",limit="requests"})"),
              2);
}

TEST_F(RateLimits, AKeyBelowItsRateIsNeverRefused) {
    const std::string key = create_key(service_, "steady", 200, 20);
    // 20 events five times a second: half of the events budget, a quarter of requests'.
    int next = 1;
    const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(3);
    int requests = 0;
    while (std::chrono::steady_clock::now() < until) {
        const HttpResponse response = client_.post("/events", batch(next, 20), bearer(key));
        ASSERT_EQ(response.status, 200U) << "request " << requests << ": " << response.body;
        next += 20;
        ++requests;
        std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
    EXPECT_GE(requests, 10);
    EXPECT_EQ(service_.database().scalar("SELECT count(*) FROM events"), (next - 1));
    EXPECT_EQ(service_.metric(R"(rate_limited_total{key=")" + std::string(auth::key_prefix(key)) +
                              R"(",limit="events"})"),
              -1);  // never created
}

TEST_F(RateLimits, EachKeyHasItsOwnBudget) {
    const std::string greedy = create_key(service_, "greedy", 5, std::nullopt);
    const std::string modest = create_key(service_, "modest", 5, std::nullopt);
    EXPECT_EQ(client_.post("/events", batch(1, 5), bearer(greedy)).status, 200U);
    EXPECT_EQ(client_.post("/events", batch(6, 5), bearer(greedy)).status, 429U);
    EXPECT_EQ(client_.post("/events", batch(11, 5), bearer(modest)).status, 200U);
}

TEST(RateLimitDefaults, KeysWithoutARateGetTheServersDefault) {
    RunningService service([](service::ServiceConfig& config) {
        config.auth.enabled = true;
        config.auth.rates.events_per_second = 4;
        config.auth.rates.burst_seconds = 2;  // 8 at once
    });
    const std::string key = service.create_key("default rate");
    HttpClient client = service.client();
    const HttpResponse first = client.post("/events", batch(1, 8), bearer(key));
    EXPECT_EQ(first.status, 200U);
    EXPECT_EQ(header_number(first, "RateLimit-Limit"), 8);
    const HttpResponse refused = client.post("/events", batch(9, 2), bearer(key));
    EXPECT_EQ(refused.status, 429U);
    EXPECT_EQ(header_number(refused, "Retry-After"), 1);  // 2 events at 4 a second
}

}  // namespace
}  // namespace eventline
