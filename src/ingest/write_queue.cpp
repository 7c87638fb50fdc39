#include "ingest/write_queue.hpp"

#include <algorithm>

#include "ingest/group_writer.hpp"
#include "logging/log.hpp"

namespace eventline::ingest {

WriteQueue::WriteQueue(WriteQueueOptions options, metrics::IngestMetrics& metrics)
    : options_(std::move(options)), metrics_(metrics) {
    metrics_.queue_limit_events.Set(static_cast<double>(options_.max_queued_events));
    metrics_.writers_configured.Set(static_cast<double>(options_.writers));
}

WriteQueue::~WriteQueue() { stop(); }

void WriteQueue::start() {
    for (std::size_t id = 0; id < options_.writers; ++id) {
        writers_.emplace_back([this, id] { run_writer(id); });
    }
}

SubmitStatus WriteQueue::submit(std::span<const event::Event> events, WriteCallback done) {
    if (!database_available()) {
        return SubmitStatus::database_unavailable;
    }
    {
        std::lock_guard lock(mutex_);
        if (stopping_) {
            return SubmitStatus::stopping;
        }
        // An empty queue always takes a batch, so that one batch larger than the bound
        // is not refused forever.
        if (queued_events_ > 0 && queued_events_ + events.size() > options_.max_queued_events) {
            return SubmitStatus::queue_full;
        }
        queue_.push_back(Pending{events, std::move(done)});
        queued_events_ += events.size();
        metrics_.queue_events.Set(static_cast<double>(queued_events_));
    }
    work_available_.notify_one();
    return SubmitStatus::queued;
}

void WriteQueue::stop() {
    {
        std::lock_guard lock(mutex_);
        if (stopping_ && writers_.empty()) {
            return;
        }
        stopping_ = true;
    }
    work_available_.notify_all();
    for (std::thread& writer : writers_) {
        writer.join();
    }
    writers_.clear();
}

std::vector<WriteQueue::Pending> WriteQueue::take_group() {
    std::lock_guard assembling(assembly_mutex_);
    std::unique_lock lock(mutex_);
    work_available_.wait_for(lock, options_.health_check_interval,
                             [this] { return stopping_ || !queue_.empty(); });

    std::vector<Pending> group;
    std::size_t group_events = 0;

    // A writer takes its share of what waits, not all of it: with every client's
    // request in one group, one PostgreSQL backend would work while the others idle.
    const auto size_limit = [&] {
        const std::size_t idle_writers = std::max<std::size_t>(1, options_.writers - busy_writers_);
        const std::size_t waiting = group_events + queued_events_;
        const std::size_t share = (waiting + idle_writers - 1) / idle_writers;
        return std::min(options_.group_max_events, share);
    };
    const auto take_available = [&] {
        const std::size_t limit = size_limit();
        while (!queue_.empty() &&
               (group.empty() || group_events + queue_.front().events.size() <= limit)) {
            group_events += queue_.front().events.size();
            queued_events_ -= queue_.front().events.size();
            group.push_back(std::move(queue_.front()));
            queue_.pop_front();
        }
    };
    take_available();

    // Linger for more batches while the group has room and every other writer is busy:
    // a few hundred microseconds of latency buy one transaction instead of many. With
    // an idle writer around, lingering would only delay what it could start at once.
    const auto deadline = std::chrono::steady_clock::now() + options_.linger;
    while (!group.empty() && !stopping_ && group_events < options_.group_max_events &&
           queue_.empty() && busy_writers_ + 1 >= options_.writers) {
        if (!work_available_.wait_until(lock, deadline,
                                        [this] { return stopping_ || !queue_.empty(); })) {
            break;
        }
        take_available();
    }

    if (!group.empty()) {
        ++busy_writers_;
    }
    metrics_.queue_events.Set(static_cast<double>(queued_events_));
    return group;
}

void WriteQueue::finish_group() {
    std::lock_guard lock(mutex_);
    --busy_writers_;
}

void WriteQueue::fail_queued_while_unavailable() {
    // Nobody can write: answer what waits now rather than after a connect timeout.
    std::deque<Pending> failed;
    {
        std::lock_guard lock(mutex_);
        if (database_available()) {
            return;
        }
        failed.swap(queue_);
        queued_events_ = 0;
        metrics_.queue_events.Set(0);
    }
    for (Pending& pending : failed) {
        pending.done(WriteResult{WriteResult::Status::database_unavailable, 0, 0});
    }
}

void WriteQueue::run_writer(std::size_t writer_id) {
    GroupWriter writer(options_.database_url, writer_id, known_users_, metrics_);
    bool was_connected = false;
    auto track_connection = [&] {
        const bool now_connected = writer.connected();
        if (now_connected != was_connected) {
            connected_writers_.fetch_add(now_connected ? 1 : -1);
            was_connected = now_connected;
        }
    };

    writer.ensure_connected();
    track_connection();

    std::vector<std::span<const event::Event>> batches;
    std::vector<WriteResult> results;
    for (;;) {
        std::vector<Pending> group = take_group();
        if (group.empty()) {
            {
                std::lock_guard lock(mutex_);
                if (stopping_ && queue_.empty()) {
                    break;
                }
            }
            // Idle: keep the connection known-good, or try to get one back.
            if (writer.connected()) {
                writer.check_health();
            } else {
                writer.ensure_connected();
            }
            track_connection();
            if (!writer.connected()) {
                fail_queued_while_unavailable();
                std::this_thread::sleep_for(options_.reconnect_interval);
            }
            continue;
        }

        batches.clear();
        for (const Pending& pending : group) {
            batches.push_back(pending.events);
        }
        writer.write(batches, results);
        track_connection();
        finish_group();
        for (std::size_t i = 0; i < group.size(); ++i) {
            group[i].done(results[i]);
        }
        if (!writer.connected()) {
            fail_queued_while_unavailable();
        }
    }
    logging::debug("database writer stopped", {{"writer", writer_id}});
    if (was_connected) {
        connected_writers_.fetch_sub(1);
    }
}

}  // namespace eventline::ingest
