#include "analytics/read_pool.hpp"

#include <fmt/format.h>

#include "logging/log.hpp"

namespace eventline::analytics {
namespace {

// After a failed connect, jobs are answered "unavailable" at once for this long
// instead of each waiting for the connect timeout.
constexpr auto kReconnectPause = std::chrono::seconds(1);

}  // namespace

ReadPool::ReadPool(ReadPoolOptions options, metrics::AnalyticsMetrics& metrics)
    : options_(std::move(options)), metrics_(metrics) {}

ReadPool::~ReadPool() { stop(); }

void ReadPool::start() {
    for (std::size_t i = 0; i < options_.connections; ++i) {
        threads_.emplace_back([this] { run_reader(); });
    }
}

void ReadPool::stop() {
    {
        const std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_all();
    for (std::thread& thread : threads_) {
        thread.join();
    }
    threads_.clear();
}

bool ReadPool::submit(Job job) {
    {
        const std::lock_guard lock(mutex_);
        if (stopping_ || jobs_.size() >= options_.max_waiting) {
            return false;
        }
        jobs_.push_back(std::move(job));
        metrics_.queue_requests.Set(static_cast<double>(jobs_.size()));
    }
    wake_.notify_one();
    return true;
}

storage::PgConnection* ReadPool::connect(Reader& reader) {
    if (reader.connection) {
        return &*reader.connection;
    }
    const auto now = std::chrono::steady_clock::now();
    if (now - reader.last_failed_connect < kReconnectPause) {
        return nullptr;
    }
    try {
        storage::ConnectOptions connect_options;
        connect_options.application_name = "eventline-analytics";
        storage::PgConnection connection =
            storage::PgConnection::connect(options_.database_url, connect_options);
        // No JIT: the reports that read events are scans of a few million rows, which
        // PostgreSQL's costs send to LLVM, and compiling took longer than it saved (a
        // 30-day funnel at 10M events: 4.2 s with JIT, 3.3 s without).
        connection.exec(fmt::format("SET statement_timeout = {}; SET TimeZone = 'UTC'; "
                                    "SET default_transaction_read_only = on; SET jit = off",
                                    options_.statement_timeout.count())
                            .c_str());
        reader.connection.emplace(std::move(connection));
        metrics_.readers_connected.Increment();
        logging::info("analytics reader connected",
                      {{"database", storage::redact_url(options_.database_url)}});
        return &*reader.connection;
    } catch (const storage::DatabaseError& error) {
        reader.last_failed_connect = now;
        logging::warn("analytics reader cannot connect", {{"error", error.what()}});
        return nullptr;
    }
}

void ReadPool::run_reader() {
    Reader reader;
    for (;;) {
        Job job;
        {
            std::unique_lock lock(mutex_);
            wake_.wait(lock, [this] { return stopping_ || !jobs_.empty(); });
            if (jobs_.empty()) {
                break;  // stopping, and nothing left to answer
            }
            job = std::move(jobs_.front());
            jobs_.pop_front();
            metrics_.queue_requests.Set(static_cast<double>(jobs_.size()));
        }

        job(connect(reader));

        if (reader.connection && !reader.connection->healthy()) {
            reader.connection.reset();
            metrics_.readers_connected.Decrement();
            logging::warn("analytics reader lost its connection");
        }
    }
    if (reader.connection) {
        metrics_.readers_connected.Decrement();
    }
}

}  // namespace eventline::analytics
