#include "service/import_stats.hpp"

#include "logging/log.hpp"
#include "storage/pg_connection.hpp"

namespace eventline::service {
namespace {

/// Advances a counter to `total`; a total that went down (imports deleted by hand) is
/// left alone, since counters never go back.
void advance(prometheus::Counter& counter, std::uint64_t& reported, std::uint64_t total) {
    if (total > reported) {
        counter.Increment(static_cast<double>(total - reported));
        reported = total;
    }
}

}  // namespace

ImportStats::ImportStats(std::string database_url, metrics::SourceCounters& counters,
                         std::chrono::seconds interval)
    : database_url_(std::move(database_url)), counters_(counters), interval_(interval) {}

ImportStats::~ImportStats() { stop(); }

void ImportStats::start() {
    thread_ = std::thread([this] { run(); });
}

void ImportStats::stop() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_all();
    if (thread_.joinable()) {
        thread_.join();
    }
}

void ImportStats::run() {
    for (;;) {
        refresh();
        std::unique_lock lock(mutex_);
        if (wake_.wait_for(lock, interval_, [this] { return stopping_; })) {
            return;
        }
    }
}

void ImportStats::refresh() {
    try {
        if (!connection_ || !connection_->healthy()) {
            connection_.emplace(storage::PgConnection::connect(database_url_));
        }
        const storage::ImportCounts totals = storage::import_totals(*connection_);
        advance(counters_.ingested, reported_.inserted, totals.inserted);
        advance(counters_.duplicates, reported_.duplicates, totals.duplicates);
        advance(counters_.rejected, reported_.rejected, totals.rejected);
        failing_ = false;
    } catch (const storage::DatabaseError& error) {
        connection_.reset();
        if (!failing_) {
            logging::warn("cannot read the import totals for /metrics", {{"error", error.what()}});
            failing_ = true;
        }
    }
}

}  // namespace eventline::service
