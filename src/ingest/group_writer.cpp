#include "ingest/group_writer.hpp"

#include <algorithm>
#include <chrono>
#include <tuple>

#include "logging/log.hpp"

namespace eventline::ingest {
namespace {

constexpr int kMaxRetries = 3;

}  // namespace

GroupWriter::GroupWriter(std::string database_url, std::size_t writer_index,
                         storage::KnownUsers& known_users, metrics::IngestMetrics& metrics)
    : database_url_(std::move(database_url)),
      writer_index_(writer_index),
      known_users_(known_users),
      metrics_(metrics) {}

bool GroupWriter::ensure_connected() {
    if (connected()) {
        return true;
    }
    try {
        connection_.emplace(storage::PgConnection::connect(database_url_));
        store_.emplace(*connection_, writer_index_, known_users_);
        metrics_.writers_connected.Increment();
        logging::info("database writer connected",
                      {{"database", storage::redact_url(database_url_)}});
        return true;
    } catch (const storage::DatabaseError& error) {
        store_.reset();
        connection_.reset();
        logging::warn("database writer cannot connect", {{"error", error.what()}});
        return false;
    }
}

void GroupWriter::check_health() {
    if (!connected()) {
        return;
    }
    try {
        connection_->exec("SELECT 1");
    } catch (const storage::DatabaseError& error) {
        disconnect(error);
    }
}

void GroupWriter::disconnect(const std::exception& cause) {
    if (!connected()) {
        return;
    }
    store_.reset();
    connection_.reset();
    metrics_.writers_connected.Decrement();
    logging::warn("database writer lost its connection", {{"error", cause.what()}});
}

void GroupWriter::write(std::span<const std::span<const event::Event>> batches,
                        std::vector<WriteResult>& results) {
    results.assign(batches.size(), WriteResult{});
    auto fail_all = [&](WriteResult::Status status) {
        for (WriteResult& result : results) {
            result = WriteResult{status, 0, 0};
        }
    };

    if (!ensure_connected()) {
        metrics_.write_failures_unavailable.Increment();
        fail_all(WriteResult::Status::database_unavailable);
        return;
    }

    for (int attempt = 0;; ++attempt) {
        try {
            store_together(batches, results);
            return;
        } catch (const storage::DatabaseError& error) {
            if (error.connection_lost() || !connection_->healthy()) {
                disconnect(error);
                metrics_.write_failures_unavailable.Increment();
                fail_all(WriteResult::Status::database_unavailable);
                return;
            }
            if (error.retryable() && attempt < kMaxRetries) {
                metrics_.write_retries.Increment();
                logging::warn("retrying an ingest transaction",
                              {{"sqlstate", error.sqlstate()}, {"attempt", attempt + 1}});
                continue;
            }
            if (batches.size() > 1) {
                // Find the batch the database refuses by writing each on its own.
                logging::warn("ingest transaction failed, retrying its batches one by one",
                              {{"error", error.what()}, {"batches", batches.size()}});
                std::vector<WriteResult> single;
                for (std::size_t i = 0; i < batches.size(); ++i) {
                    write(batches.subspan(i, 1), single);
                    results[i] = single.front();
                }
                return;
            }
            metrics_.write_failures_error.Increment();
            logging::error("ingest transaction failed",
                           {{"error", error.what()}, {"sqlstate", error.sqlstate()},
                            {"events", batches.front().size()}});
            fail_all(WriteResult::Status::failed);
            return;
        }
    }
}

void GroupWriter::store_together(std::span<const std::span<const event::Event>> batches,
                                 std::vector<WriteResult>& results) {
    arrivals_.clear();
    staged_.clear();
    staged_batch_.clear();
    for (WriteResult& result : results) {
        result = WriteResult{};
    }

    // Key order: concurrent writers then lock keys in the same order and wait for each
    // other instead of deadlocking, and the primary key is filled in index order.
    // Sorting also brings the copies of a key together, behind the first one submitted:
    // that one is staged, and later ones are duplicates whatever the database holds.
    for (std::uint32_t batch = 0; batch < batches.size(); ++batch) {
        for (const event::Event& event : batches[batch]) {
            arrivals_.push_back(
                Arrival{&event, batch, static_cast<std::uint32_t>(arrivals_.size())});
        }
    }
    std::sort(arrivals_.begin(), arrivals_.end(), [](const Arrival& a, const Arrival& b) {
        return std::tie(a.event->project_id, a.event->event_id, a.sequence) <
               std::tie(b.event->project_id, b.event->event_id, b.sequence);
    });
    for (const Arrival& arrival : arrivals_) {
        const event::Event* event = arrival.event;
        const bool repeats_previous = !staged_.empty() &&
                                      staged_.back()->project_id == event->project_id &&
                                      staged_.back()->event_id == event->event_id;
        if (!repeats_previous) {
            staged_.push_back(event);
            staged_batch_.push_back(arrival.batch);
        }
    }

    const auto started = std::chrono::steady_clock::now();
    metrics_.writers_busy.Increment();
    storage::StoreTimings timings;
    try {
        timings = store_->store(staged_, [&](std::size_t position) {
            ++results[staged_batch_[position]].accepted;
        });
    } catch (...) {
        metrics_.writers_busy.Decrement();
        throw;
    }
    metrics_.writers_busy.Decrement();

    metrics_.commit_seconds.Observe(
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
    metrics_.copy_seconds.Observe(timings.copy_seconds);
    metrics_.rollup_seconds.Observe(timings.rollup_seconds);
    if (timings.direct) {
        metrics_.groups_direct.Increment();
    } else {
        metrics_.groups_staged.Increment();
        metrics_.insert_seconds.Observe(timings.insert_seconds);
    }
    if (timings.direct_conflicted) {
        metrics_.direct_conflicts.Increment();
    }
    metrics_.group_events.Observe(static_cast<double>(staged_.size()));
    metrics_.group_requests.Observe(static_cast<double>(batches.size()));

    // Every event of a batch was either stored now or is a duplicate.
    for (std::size_t batch = 0; batch < batches.size(); ++batch) {
        results[batch].duplicates = batches[batch].size() - results[batch].accepted;
    }
}

}  // namespace eventline::ingest
