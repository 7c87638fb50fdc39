#include "auth/token_bucket.hpp"

#include <algorithm>
#include <cmath>

namespace eventline::auth {
namespace {

std::uint64_t whole_seconds_until(double tokens_missing, double rate) {
    if (tokens_missing <= 0) {
        return 0;
    }
    return static_cast<std::uint64_t>(std::ceil(tokens_missing / rate));
}

}  // namespace

TokenBucket::TokenBucket(double rate, double burst, Clock::time_point now)
    : rate_(rate), burst_(std::max(burst, 1.0)), tokens_(burst_), updated_(now) {}

void TokenBucket::refill(Clock::time_point now) {
    if (now <= updated_) {
        return;  // a clock read on another thread a moment earlier
    }
    const double elapsed = std::chrono::duration<double>(now - updated_).count();
    tokens_ = std::min(burst_, tokens_ + elapsed * rate_);
    updated_ = now;
}

RateDecision TokenBucket::take(double cost, Clock::time_point now) {
    refill(now);
    const double needed = std::min(cost, burst_);
    if (tokens_ + 1e-9 < needed) {
        return decision(false, needed);
    }
    tokens_ -= cost;
    return decision(true, needed);
}

RateDecision TokenBucket::decision(bool allowed, double needed) const {
    RateDecision result;
    result.allowed = allowed;
    result.limit = static_cast<std::uint64_t>(std::ceil(burst_));
    result.remaining = static_cast<std::uint64_t>(std::floor(std::max(tokens_, 0.0)));
    result.reset_seconds = whole_seconds_until(burst_ - tokens_, rate_);
    if (!allowed) {
        // Retry-After is in whole seconds: at least one, or clients would spin.
        result.retry_after_seconds =
            std::max<std::uint64_t>(1, whole_seconds_until(needed - tokens_, rate_));
    }
    return result;
}

}  // namespace eventline::auth
