// Exactly-once storage under concurrency: many clients, overlapping batches, and two
// service instances writing to one database, as several servers behind a load balancer.

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "logging/log.hpp"
#include "service/service.hpp"
#include "support/http_client.hpp"
#include "support/json.hpp"
#include "support/test_database.hpp"

namespace eventline {
namespace {

using testing::HttpClient;
using testing::Json;
using testing::TestDatabase;

constexpr int kClients = 16;
constexpr int kUniqueEvents = 4000;
constexpr int kBatchesPerClient = 12;
constexpr int kEventsPerBatch = 250;

std::string event_json(int n) {
    char id[37];
    std::snprintf(id, sizeof id, "bbbbbbbb-0000-4000-8000-%012d", n);
    return R"({"event_id":")" + std::string(id) + R"(","occurred_at":"2025-02-01T00:00:00Z",)" +
           R"("user_id":"user_)" + std::to_string(n % 97) + R"(","event_type":"view"})";
}

std::unique_ptr<service::Service> start_instance(const TestDatabase& database, unsigned short& port) {
    service::ServiceConfig config;
    config.database_url = database.url();
    config.apply_migrations = false;
    config.server.port = 0;
    config.server.threads = 2;
    config.auth.enabled = false;  // about idempotency, not keys
    auto instance = std::make_unique<service::Service>(config);
    port = instance->start();
    return instance;
}

TEST(Idempotency, SixteenClientsTwoInstancesEveryEventAcceptedExactlyOnce) {
    logging::init(logging::Level::warn);
    TestDatabase database;
    unsigned short ports[2] = {0, 0};
    auto first = start_instance(database, ports[0]);
    auto second = start_instance(database, ports[1]);

    // Every client draws its batches from the same id space, so that most ids are sent
    // by several clients at about the same time, and some twice within one batch.
    std::atomic<long long> accepted{0};
    std::atomic<long long> duplicates{0};
    std::atomic<long long> sent{0};
    std::atomic<int> failures{0};
    std::vector<std::thread> clients;
    for (int client_id = 0; client_id < kClients; ++client_id) {
        clients.emplace_back([&, client_id] {
            HttpClient client(ports[client_id % 2]);
            std::mt19937 random(static_cast<unsigned>(client_id));
            std::uniform_int_distribution<int> pick(0, kUniqueEvents - 1);
            for (int batch = 0; batch < kBatchesPerClient; ++batch) {
                std::string body = "[";
                for (int i = 0; i < kEventsPerBatch; ++i) {
                    body += (i ? "," : "") + event_json(pick(random));
                }
                body += "]";
                const auto response = client.post("/events", body);
                if (response.status != 200) {
                    ++failures;
                    continue;
                }
                const Json json(response.body);
                accepted += json.integer("accepted");
                duplicates += json.integer("duplicates");
                sent += kEventsPerBatch;
            }
        });
    }
    for (std::thread& client : clients) {
        client.join();
    }

    ASSERT_EQ(failures.load(), 0);
    const long long stored = database.scalar("SELECT count(*) FROM events");
    const long long distinct_sent = database.scalar("SELECT count(DISTINCT event_id) FROM events");
    EXPECT_EQ(accepted.load(), stored) << "an id was accepted more than once, or never";
    EXPECT_EQ(stored, distinct_sent);
    EXPECT_EQ(accepted.load() + duplicates.load(), sent.load());
    // The draws cover nearly all ids; the check above is what matters, this one only
    // shows the test exercised overlap.
    EXPECT_GT(stored, kUniqueEvents * 9 / 10);
    EXPECT_GT(duplicates.load(), sent.load() / 2);

    first->stop();
    second->stop();
}

}  // namespace
}  // namespace eventline
