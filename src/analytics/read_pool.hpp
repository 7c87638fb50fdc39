#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "metrics/metrics.hpp"
#include "storage/pg_connection.hpp"

namespace eventline::analytics {

struct ReadPoolOptions {
    std::string database_url;  // the primary, or a streaming replica
    std::size_t connections = 2;
    std::size_t max_waiting = 64;  // requests waiting for a connection; more get 503
    std::chrono::milliseconds statement_timeout{30'000};
};

/// The analytics side's own connections, apart from the ingest writers so that a slow
/// report never holds up a write. Each connection has a thread of its own that runs
/// queued jobs one at a time; the threads serving sockets only enqueue.
///
/// Connections are made on first use and again after a loss. Sessions are read-only,
/// in UTC, with a statement timeout, so no request can hold a connection forever.
class ReadPool {
public:
    /// Runs with a connection, or with nullptr when the database cannot be reached.
    /// Must not throw; any database error is the job's to report.
    using Job = std::function<void(storage::PgConnection*)>;

    ReadPool(ReadPoolOptions options, metrics::AnalyticsMetrics& metrics);
    ~ReadPool();

    ReadPool(const ReadPool&) = delete;
    ReadPool& operator=(const ReadPool&) = delete;

    void start();
    /// Runs what is queued, then stops the threads.
    void stop();

    /// Queues a job; false when too many are waiting already.
    [[nodiscard]] bool submit(Job job);

private:
    struct Reader {
        std::optional<storage::PgConnection> connection;
        std::chrono::steady_clock::time_point last_failed_connect{};
    };

    void run_reader();
    storage::PgConnection* connect(Reader& reader);

    ReadPoolOptions options_;
    metrics::AnalyticsMetrics& metrics_;
    std::mutex mutex_;
    std::condition_variable wake_;
    std::deque<Job> jobs_;
    bool stopping_ = false;
    std::vector<std::thread> threads_;
};

}  // namespace eventline::analytics
