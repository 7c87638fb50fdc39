// What clients were told is what is stored: through a kill -9 of the server, a database
// that goes away and comes back, and a graceful stop.

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>

#include <atomic>
#include <chrono>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "storage/pg_connection.hpp"
#include "support/http_client.hpp"
#include "support/json.hpp"
#include "support/processes.hpp"

namespace eventline {
namespace {

using testing::HttpClient;
using testing::HttpResponse;
using testing::Json;
using testing::LocalCluster;
using testing::ServerProcess;

constexpr int kEventsPerBatch = 50;
// These tests are about durability, not keys.
const std::vector<std::string> kAuthOff{"--auth", "off"};

std::string event_id(int n) {
    char id[37];
    std::snprintf(id, sizeof id, "cccccccc-0000-4000-8000-%012d", n);
    return id;
}

std::string batch(int first) {
    std::string body = "[";
    for (int n = first; n < first + kEventsPerBatch; ++n) {
        body += (n == first ? "" : ",") + std::string(R"({"event_id":")") + event_id(n) +
                R"(","occurred_at":"2025-03-01T00:00:00Z","user_id":"u","event_type":"e"})";
    }
    return body + "]";
}

long long count_events(const std::string& url, const std::string& where = "") {
    storage::PgConnection connection = storage::PgConnection::connect(url);
    const std::string sql = "SELECT count(*) FROM events " + where;
    return std::stoll(std::string(connection.exec(sql.c_str()).value(0, 0)));
}

/// Polls `probe` until it returns true or the timeout passes.
template <typename Probe>
bool eventually(Probe probe, std::chrono::seconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
        if (probe()) {
            return true;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return false;
}

TEST(Durability, EveryAcknowledgedEventSurvivesKillNine) {
    LocalCluster cluster;
    cluster.start();
    auto server = std::make_unique<ServerProcess>(cluster.url(), kAuthOff);

    // Post batches until the server dies under us; remember what was acknowledged.
    std::atomic<bool> killed{false};
    std::vector<int> acknowledged_batches;
    std::thread poster([&] {
        HttpClient client(server->port());
        for (int first = 0; !killed.load(); first += kEventsPerBatch) {
            try {
                const HttpResponse response = client.post("/events", batch(first));
                if (response.status == 200 && Json(response.body).integer("accepted") == kEventsPerBatch) {
                    acknowledged_batches.push_back(first);
                }
            } catch (const std::exception&) {
                return;  // connection refused or reset: the server is gone
            }
        }
    });
    std::this_thread::sleep_for(std::chrono::milliseconds(1500));
    const int status = server->stop(SIGKILL);
    killed = true;
    poster.join();

    ASSERT_TRUE(WIFSIGNALED(status));
    ASSERT_GT(acknowledged_batches.size(), 5U) << "too few requests to show anything";

    // Restart: the service comes back on the same database, and every acknowledged
    // event is there.
    server = std::make_unique<ServerProcess>(cluster.url(), kAuthOff);
    for (int first : acknowledged_batches) {
        const std::string where = "WHERE event_id IN ('" + event_id(first) + "','" +
                                  event_id(first + kEventsPerBatch - 1) + "')";
        ASSERT_EQ(count_events(cluster.url(), where), 2) << "batch " << first << " lost";
    }
    EXPECT_GE(count_events(cluster.url()),
              static_cast<long long>(acknowledged_batches.size()) * kEventsPerBatch);
}

TEST(Durability, DatabaseOutageGives503AndTheServiceRecoversByItself) {
    LocalCluster cluster;
    cluster.start();
    ServerProcess server(cluster.url(), kAuthOff);
    HttpClient client(server.port());
    ASSERT_EQ(client.post("/events", batch(1000)).status, 200U);

    cluster.stop();
    // The first request after the outage may be the one that discovers it; from then on
    // the answer is a fast 503 with Retry-After.
    HttpResponse during;
    ASSERT_TRUE(eventually(
        [&] {
            during = client.post("/events", batch(2000));
            return during.status == 503;
        },
        std::chrono::seconds(15)));
    EXPECT_FALSE(during.header("Retry-After").empty());
    EXPECT_EQ(Json(during.body).text("/error/code"), "database_unavailable");
    EXPECT_TRUE(eventually([&] { return client.get("/readyz").status == 503; }, std::chrono::seconds(5)));
    EXPECT_EQ(client.get("/healthz").status, 200U);

    cluster.start();
    ASSERT_TRUE(eventually([&] { return client.get("/readyz").status == 200; }, std::chrono::seconds(20)));
    const HttpResponse after = client.post("/events", batch(2000));
    ASSERT_EQ(after.status, 200U) << after.body;
    EXPECT_EQ(Json(after.body).integer("accepted"), kEventsPerBatch)
        << "the refused batch must not have been half-stored";
    EXPECT_NE(server.log().find("database writer lost its connection"), std::string::npos);
}

TEST(Durability, SigtermAnswersRequestsInFlightAndExitsZero) {
    LocalCluster cluster;
    cluster.start();
    ServerProcess server(cluster.url(), kAuthOff);

    std::atomic<int> answered{0};
    std::atomic<int> failed_mid_request{0};
    std::thread poster([&] {
        HttpClient client(server.port());
        for (int first = 5000;; first += kEventsPerBatch) {
            try {
                const HttpResponse response = client.post("/events", batch(first));
                if (response.status == 200) {
                    ++answered;
                } else if (response.status != 503) {
                    ++failed_mid_request;
                }
            } catch (const std::exception&) {
                return;  // refused: the server stopped listening
            }
        }
    });
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    const int status = server.stop(SIGTERM);
    poster.join();

    ASSERT_TRUE(WIFEXITED(status)) << server.log();
    EXPECT_EQ(WEXITSTATUS(status), 0);
    EXPECT_GT(answered.load(), 0);
    EXPECT_EQ(failed_mid_request.load(), 0);
    EXPECT_EQ(count_events(cluster.url()), static_cast<long long>(answered.load()) * kEventsPerBatch)
        << "stored but unanswered, or answered but not stored; server log:\n" << server.log();
}

}  // namespace
}  // namespace eventline
