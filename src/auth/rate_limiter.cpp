#include "auth/rate_limiter.hpp"

namespace eventline::auth {

RateLimiter::RateLimiter(RateDefaults defaults, Now now)
    : defaults_(defaults), now_(std::move(now)) {}

std::optional<TokenBucket> RateLimiter::bucket(std::optional<double> own, double fallback) const {
    const double rate = own.value_or(fallback);
    if (rate <= 0) {
        return std::nullopt;
    }
    return TokenBucket(rate, rate * defaults_.burst_seconds, now_());
}

RateLimiter::Buckets& RateLimiter::buckets_of(const KeyRecord& key) {
    std::lock_guard lock(map_mutex_);
    std::unique_ptr<Buckets>& entry = buckets_[key.key_id];
    if (!entry) {
        // A key's rates never change after creation, so its buckets are made once.
        entry = std::make_unique<Buckets>();
        entry->requests = bucket(key.requests_per_second, defaults_.requests_per_second);
        entry->events = bucket(key.events_per_second, defaults_.events_per_second);
    }
    return *entry;
}

std::optional<RateDecision> RateLimiter::take_request(const KeyRecord& key) {
    Buckets& buckets = buckets_of(key);
    std::lock_guard lock(buckets.mutex);
    if (!buckets.requests) {
        return std::nullopt;
    }
    return buckets.requests->take(1, now_());
}

std::optional<RateDecision> RateLimiter::take_events(const KeyRecord& key, std::size_t events) {
    Buckets& buckets = buckets_of(key);
    std::lock_guard lock(buckets.mutex);
    if (!buckets.events) {
        return std::nullopt;
    }
    return buckets.events->take(static_cast<double>(events), now_());
}

}  // namespace eventline::auth
