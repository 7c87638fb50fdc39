#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <unordered_map>

#include "auth/key_record.hpp"
#include "auth/token_bucket.hpp"

namespace eventline::auth {

/// The budgets of keys that carry no rate of their own. 0 is unlimited.
struct RateDefaults {
    double events_per_second = 0;
    double requests_per_second = 0;
    /// Bucket capacity, in seconds of the rate: how much a quiet key may send at once.
    double burst_seconds = 1;
};

/// Per-key token buckets, one for requests and one for events. Buckets live in this
/// process: with several instances behind a load balancer, each holds a key to its own
/// budget (see docs/design.md). The map is keyed by key id and only keys from the key
/// snapshot reach it, so its size is bounded by the api_keys table, not by clients.
class RateLimiter {
public:
    using Now = std::function<Clock::time_point()>;

    explicit RateLimiter(RateDefaults defaults, Now now = [] { return Clock::now(); });

    /// Charges one request to `key`; nothing when the key has no request limit.
    [[nodiscard]] std::optional<RateDecision> take_request(const KeyRecord& key);

    /// Charges `events` events to `key`; nothing when the key has no event limit.
    [[nodiscard]] std::optional<RateDecision> take_events(const KeyRecord& key,
                                                          std::size_t events);

private:
    struct Buckets {
        std::mutex mutex;
        std::optional<TokenBucket> requests;
        std::optional<TokenBucket> events;
    };

    Buckets& buckets_of(const KeyRecord& key);
    [[nodiscard]] std::optional<TokenBucket> bucket(std::optional<double> own,
                                                    double fallback) const;

    RateDefaults defaults_;
    Now now_;
    std::mutex map_mutex_;
    std::unordered_map<std::int64_t, std::unique_ptr<Buckets>> buckets_;
};

}  // namespace eventline::auth
