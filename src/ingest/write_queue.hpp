#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <span>
#include <string>
#include <thread>
#include <vector>

#include "event/event.hpp"
#include "metrics/metrics.hpp"
#include "storage/known_users.hpp"

namespace eventline::ingest {

/// What became of one submitted batch.
struct WriteResult {
    enum class Status {
        committed,             // stored; counts below are final
        database_unavailable,  // nothing stored; the client should retry later (503)
        failed,                // nothing stored; an unexpected database error (500)
    };
    Status status = Status::committed;
    std::size_t accepted = 0;
    std::size_t duplicates = 0;  // stored before, or earlier in the same group
};

/// Called exactly once per submitted batch, on a writer thread: keep it short (post the
/// response to the connection's executor).
using WriteCallback = std::function<void(const WriteResult&)>;

struct WriteQueueOptions {
    std::string database_url;
    std::size_t writers = 2;
    std::size_t group_max_events = 10'000;
    std::chrono::microseconds linger{1000};
    std::size_t max_queued_events = 100'000;
    std::chrono::milliseconds reconnect_interval{500};
    std::chrono::milliseconds health_check_interval{1000};
};

enum class SubmitStatus { queued, queue_full, database_unavailable, stopping };

/// The write queue with group commit: batches from many requests are coalesced into one
/// transaction per writer, bounded by event count and a short linger, and each batch is
/// answered only after the transaction holding it has committed.
///
/// Each writer is a thread with its own blocking connection: database work never runs
/// on the threads that serve sockets. While one writer commits, the next assembles its
/// group, so the database always has work and a group grows with the load.
class WriteQueue {
public:
    WriteQueue(WriteQueueOptions options, metrics::IngestMetrics& metrics);
    ~WriteQueue();

    WriteQueue(const WriteQueue&) = delete;
    WriteQueue& operator=(const WriteQueue&) = delete;

    void start();

    /// Queues a batch; `events` must stay valid until `done` runs. Returns at once, and
    /// `done` is called only when the result is `queued`.
    SubmitStatus submit(std::span<const event::Event> events, WriteCallback done);

    /// Stops taking batches, writes every queued one, then joins the writers.
    void stop();

    /// True while at least one writer holds a working connection.
    [[nodiscard]] bool database_available() const { return connected_writers_.load() > 0; }

private:
    struct Pending {
        std::span<const event::Event> events;
        WriteCallback done;
    };

    void run_writer(std::size_t writer_id);
    /// Waits for work and takes one group; empty when the queue is stopping and drained,
    /// or when the health-check interval passed without work.
    std::vector<Pending> take_group();
    /// Marks the calling writer idle again after writing the group take_group gave it.
    void finish_group();
    void fail_queued_while_unavailable();

    WriteQueueOptions options_;
    metrics::IngestMetrics& metrics_;
    storage::KnownUsers known_users_;  // shared by the writers

    std::mutex mutex_;
    std::condition_variable work_available_;
    std::deque<Pending> queue_;
    std::size_t queued_events_ = 0;
    std::size_t busy_writers_ = 0;  // writers between take_group and finish_group
    bool stopping_ = false;

    // Only one writer assembles a group at a time, so that lingering gathers requests
    // into one group instead of splitting them between idle writers.
    std::mutex assembly_mutex_;

    std::atomic<int> connected_writers_{0};
    std::vector<std::thread> writers_;
};

}  // namespace eventline::ingest
