#pragma once

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "auth/key_record.hpp"
#include "metrics/metrics.hpp"
#include "storage/pg_connection.hpp"

namespace eventline::auth {

/// Every key the service knows, by hash. Immutable once built: readers share it without
/// locks, and a reload builds a new one rather than changing this.
class KeySnapshot {
public:
    explicit KeySnapshot(std::vector<KeyRecord> keys);

    /// The key with that hash, revoked or not; null when there is none.
    [[nodiscard]] const KeyRecord* find(const KeyHash& hash) const;

    /// Keys that are not revoked.
    [[nodiscard]] std::size_t active() const { return active_; }

private:
    std::unordered_map<KeyHash, KeyRecord, KeyHashHasher> by_hash_;
    std::size_t active_ = 0;
};

/// The API keys in memory, so that checking a request's key never waits on the
/// database. A thread of its own, on a connection of its own, reloads the whole table
/// every `interval` and swaps the new snapshot in; a key revoked in the database is
/// therefore refused within about one interval. A reload that fails keeps the last
/// snapshot (keys keep working through a database outage) and logs a warning once per
/// outage.
class KeyCache {
public:
    KeyCache(std::string database_url, std::chrono::milliseconds interval,
             metrics::AuthMetrics& metrics);
    ~KeyCache();

    KeyCache(const KeyCache&) = delete;
    KeyCache& operator=(const KeyCache&) = delete;

    /// Starts the reload thread; its first reload happens at once.
    void start();
    void stop();

    /// One reload, now, on the caller's thread; false when it failed.
    bool refresh();

    /// The latest snapshot; null until one has loaded.
    [[nodiscard]] std::shared_ptr<const KeySnapshot> snapshot() const;

    [[nodiscard]] bool loaded() const { return snapshot() != nullptr; }

private:
    void run();

    std::string database_url_;
    std::chrono::milliseconds interval_;
    metrics::AuthMetrics& metrics_;
    std::optional<storage::PgConnection> connection_;  // used by one thread at a time
    bool failing_ = false;

    // A mutex rather than std::atomic<std::shared_ptr>: held for a pointer copy only,
    // and the same on every compiler and sanitizer this builds with.
    mutable std::mutex snapshot_mutex_;
    std::shared_ptr<const KeySnapshot> snapshot_;

    std::mutex refresh_mutex_;  // refresh() from a test and from the thread at once
    std::mutex wake_mutex_;
    std::condition_variable wake_;
    bool stopping_ = false;
    std::thread thread_;
};

}  // namespace eventline::auth
