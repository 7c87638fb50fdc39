#include "auth/key_cache.hpp"

#include <chrono>

#include "auth/key_store.hpp"
#include "logging/log.hpp"

namespace eventline::auth {

KeySnapshot::KeySnapshot(std::vector<KeyRecord> keys) {
    by_hash_.reserve(keys.size());
    for (KeyRecord& key : keys) {
        active_ += key.revoked ? 0 : 1;
        const KeyHash hash = key.hash;
        by_hash_.emplace(hash, std::move(key));
    }
}

const KeyRecord* KeySnapshot::find(const KeyHash& hash) const {
    const auto found = by_hash_.find(hash);
    return found == by_hash_.end() ? nullptr : &found->second;
}

KeyCache::KeyCache(std::string database_url, std::chrono::milliseconds interval,
                   metrics::AuthMetrics& metrics)
    : database_url_(std::move(database_url)), interval_(interval), metrics_(metrics) {}

KeyCache::~KeyCache() { stop(); }

void KeyCache::start() {
    thread_ = std::thread([this] { run(); });
}

void KeyCache::stop() {
    {
        std::lock_guard lock(wake_mutex_);
        stopping_ = true;
    }
    wake_.notify_all();
    if (thread_.joinable()) {
        thread_.join();
    }
}

std::shared_ptr<const KeySnapshot> KeyCache::snapshot() const {
    std::lock_guard lock(snapshot_mutex_);
    return snapshot_;
}

void KeyCache::run() {
    for (;;) {
        refresh();
        std::unique_lock lock(wake_mutex_);
        if (wake_.wait_for(lock, interval_, [this] { return stopping_; })) {
            return;
        }
    }
}

bool KeyCache::refresh() {
    std::lock_guard refreshing(refresh_mutex_);
    try {
        if (!connection_ || !connection_->healthy()) {
            connection_.emplace(storage::PgConnection::connect(database_url_));
        }
        auto next = std::make_shared<const KeySnapshot>(load_keys(*connection_));
        const bool first = !loaded();
        metrics_.keys_active.Set(static_cast<double>(next->active()));
        metrics_.keys_loaded_at.SetToCurrentTime();
        {
            std::lock_guard lock(snapshot_mutex_);
            snapshot_ = std::move(next);
        }
        if (first || failing_) {
            logging::info("api keys loaded", {{"active_keys", snapshot()->active()}});
        }
        failing_ = false;
        return true;
    } catch (const std::exception& error) {
        // DatabaseError mostly; a malformed row too. Either way the last snapshot stays.
        connection_.reset();
        metrics_.key_refresh_failures.Increment();
        if (!failing_) {
            logging::warn("cannot reload the api keys; the last ones loaded stay in use",
                          {{"error", error.what()}, {"loaded", loaded()}});
            failing_ = true;
        }
        return false;
    }
}

}  // namespace eventline::auth
