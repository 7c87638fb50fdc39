#include <gtest/gtest.h>

#include <chrono>
#include <future>
#include <thread>
#include <vector>

#include "event/timestamp.hpp"
#include "ingest/write_queue.hpp"
#include "metrics/metrics.hpp"
#include "storage/pg_connection.hpp"
#include "support/processes.hpp"
#include "support/test_database.hpp"

namespace eventline::ingest {
namespace {

using event::Event;
using testing::TestDatabase;

Event make_event(int n) {
    Event event;
    char text[37];
    std::snprintf(text, sizeof text, "00000000-0000-4000-8000-%012d", n);
    event.event_id = *event::parse_uuid(text);
    event.occurred_at = event::parse_rfc3339("2025-01-06T00:00:00Z").unix_micros;
    event.user_id = "user";
    event.event_type = "click";
    event.properties_json = "{}";
    return event;
}

WriteQueueOptions options_for(const TestDatabase& database) {
    WriteQueueOptions options;
    options.database_url = database.url();
    options.writers = 2;
    return options;
}

void wait_until_available(const WriteQueue& queue) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (!queue.database_available() && std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    ASSERT_TRUE(queue.database_available());
}

std::future<WriteResult> submit(WriteQueue& queue, const std::vector<Event>& events) {
    auto promise = std::make_shared<std::promise<WriteResult>>();
    auto future = promise->get_future();
    const SubmitStatus status =
        queue.submit(events, [promise](const WriteResult& result) { promise->set_value(result); });
    EXPECT_EQ(status, SubmitStatus::queued);
    return future;
}

double sample_count(prometheus::Histogram& histogram) {
    return static_cast<double>(histogram.Collect().histogram.sample_count);
}

TEST(WriteQueue, CountsDuplicatesWithinABatchAcrossBatchesAndInTheDatabase) {
    TestDatabase database;
    metrics::Metrics metrics;
    WriteQueueOptions options = options_for(database);
    options.linger = std::chrono::milliseconds(50);  // both batches land in one group
    WriteQueue queue(options, metrics.ingest);
    queue.start();
    wait_until_available(queue);

    const std::vector<Event> first{make_event(1), make_event(2), make_event(1)};
    const std::vector<Event> second{make_event(2), make_event(3)};
    auto first_result = submit(queue, first);
    auto second_result = submit(queue, second);

    const WriteResult a = first_result.get();
    const WriteResult b = second_result.get();
    EXPECT_EQ(a.status, WriteResult::Status::committed);
    EXPECT_EQ(a.accepted, 2U);
    EXPECT_EQ(a.duplicates, 1U);
    EXPECT_EQ(b.accepted, 1U);
    EXPECT_EQ(b.duplicates, 1U);

    const std::vector<Event> again{make_event(1), make_event(3)};
    const WriteResult c = submit(queue, again).get();
    EXPECT_EQ(c.accepted, 0U);
    EXPECT_EQ(c.duplicates, 2U);
    EXPECT_EQ(database.scalar("SELECT count(*) FROM events"), 3);
}

TEST(WriteQueue, CoalescesConcurrentBatchesIntoFewTransactions) {
    TestDatabase database;
    metrics::Metrics metrics;
    WriteQueueOptions options = options_for(database);
    options.linger = std::chrono::milliseconds(20);
    WriteQueue queue(options, metrics.ingest);
    queue.start();
    wait_until_available(queue);

    constexpr int kBatches = 200;
    std::vector<std::vector<Event>> batches;
    for (int i = 0; i < kBatches; ++i) {
        batches.push_back({make_event(i)});
    }
    std::vector<std::future<WriteResult>> results;
    for (const auto& batch : batches) {
        results.push_back(submit(queue, batch));
    }
    std::size_t accepted = 0;
    for (auto& result : results) {
        accepted += result.get().accepted;
    }

    EXPECT_EQ(accepted, static_cast<std::size_t>(kBatches));
    const double transactions = sample_count(metrics.ingest.group_requests);
    EXPECT_LT(transactions, kBatches / 10) << "group commit did not coalesce";
}

TEST(WriteQueue, RefusesAtOnceWhenNoDatabaseCanBeReached) {
    metrics::Metrics metrics;
    WriteQueueOptions options;
    options.database_url =
        "postgresql://nobody@127.0.0.1:" + std::to_string(testing::free_port()) + "/none";
    WriteQueue queue(options, metrics.ingest);
    queue.start();
    std::this_thread::sleep_for(std::chrono::milliseconds(200));

    const std::vector<Event> events{make_event(1)};
    EXPECT_FALSE(queue.database_available());
    EXPECT_EQ(queue.submit(events, [](const WriteResult&) { FAIL() << "must not be called"; }),
              SubmitStatus::database_unavailable);
}

TEST(WriteQueue, RefusesBeyondItsBoundButAlwaysTakesOneBatch) {
    TestDatabase database;
    metrics::Metrics metrics;
    WriteQueueOptions options = options_for(database);
    options.max_queued_events = 3;
    options.writers = 1;
    options.linger = std::chrono::microseconds(0);
    WriteQueue queue(options, metrics.ingest);
    queue.start();
    wait_until_available(queue);

    // Park the only writer inside its transaction: it waits for this lock.
    storage::PgConnection blocker = database.connect();
    blocker.exec("BEGIN");
    blocker.exec("LOCK TABLE events IN ACCESS EXCLUSIVE MODE");

    const std::vector<Event> big{make_event(1), make_event(2), make_event(3), make_event(4)};
    auto big_result = submit(queue, big);  // over the bound, but the queue is empty
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (metrics.ingest.queue_events.Value() != 0 && std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    ASSERT_EQ(metrics.ingest.queue_events.Value(), 0) << "the writer did not take the batch";

    const std::vector<Event> two{make_event(5), make_event(6)};
    const std::vector<Event> two_more{make_event(7), make_event(8)};
    auto two_result = submit(queue, two);  // the queue holds 2 of 3
    EXPECT_EQ(queue.submit(two_more, [](const WriteResult&) { FAIL() << "must not be called"; }),
              SubmitStatus::queue_full);

    blocker.exec("COMMIT");
    EXPECT_EQ(big_result.get().accepted, 4U);
    EXPECT_EQ(two_result.get().accepted, 2U);
    EXPECT_EQ(database.scalar("SELECT count(*) FROM events"), 6);
}

TEST(WriteQueue, StopWritesEverythingQueued) {
    TestDatabase database;
    metrics::Metrics metrics;
    std::vector<std::vector<Event>> batches;
    for (int i = 0; i < 50; ++i) {
        batches.push_back({make_event(i)});
    }
    std::vector<std::future<WriteResult>> results;
    {
        WriteQueue queue(options_for(database), metrics.ingest);
        queue.start();
        wait_until_available(queue);
        for (const auto& batch : batches) {
            results.push_back(submit(queue, batch));
        }
        queue.stop();
    }
    for (auto& result : results) {
        ASSERT_EQ(result.wait_for(std::chrono::seconds(0)), std::future_status::ready);
        EXPECT_EQ(result.get().status, WriteResult::Status::committed);
    }
    EXPECT_EQ(database.scalar("SELECT count(*) FROM events"), 50);
}

}  // namespace
}  // namespace eventline::ingest
