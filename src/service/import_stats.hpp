#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "metrics/metrics.hpp"
#include "storage/imports_table.hpp"
#include "storage/pg_connection.hpp"

namespace eventline::service {

/// Keeps `events_*_total{source="csv"}` equal to what the command-line imports recorded
/// in the `imports` table. The importer is a short-lived process with no endpoint of its
/// own, so the service reports for it: a thread of its own reads the totals every few
/// seconds (never the threads that serve HTTP), and the counters advance by the
/// difference.
class ImportStats {
public:
    ImportStats(std::string database_url, metrics::SourceCounters& counters,
                std::chrono::seconds interval = std::chrono::seconds(5));
    ~ImportStats();

    ImportStats(const ImportStats&) = delete;
    ImportStats& operator=(const ImportStats&) = delete;

    void start();
    void stop();

private:
    void run();
    void refresh();

    std::string database_url_;
    metrics::SourceCounters& counters_;
    std::chrono::seconds interval_;
    std::optional<storage::PgConnection> connection_;
    storage::ImportCounts reported_;
    bool failing_ = false;  // warn once per outage, not every interval

    std::mutex mutex_;
    std::condition_variable wake_;
    bool stopping_ = false;
    std::thread thread_;
};

}  // namespace eventline::service
