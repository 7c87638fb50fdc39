#pragma once

#include <chrono>
#include <cstdint>

namespace eventline::auth {

using Clock = std::chrono::steady_clock;

/// What a bucket said about one charge, in the terms of the RateLimit-* headers.
struct RateDecision {
    bool allowed = true;
    std::uint64_t limit = 0;        // the bucket's capacity (burst)
    std::uint64_t remaining = 0;    // whole tokens left after this charge
    std::uint64_t reset_seconds = 0;        // until the bucket is full again
    std::uint64_t retry_after_seconds = 0;  // when refused: until this charge would pass
};

/// A token bucket: `rate` tokens a second, at most `burst` saved up; it starts full.
/// Time comes in as an argument, so that tests drive it with a clock of their own.
///
/// A charge larger than the burst (a batch of more events than a second's worth) passes
/// when the bucket is full and leaves it in debt, which later charges wait out; refusing
/// it outright would make such a batch impossible to send at all.
class TokenBucket {
public:
    TokenBucket(double rate, double burst, Clock::time_point now);

    /// Takes `cost` tokens if the bucket holds min(cost, burst) of them; otherwise takes
    /// nothing and says when to retry.
    RateDecision take(double cost, Clock::time_point now);

    [[nodiscard]] double rate() const { return rate_; }
    [[nodiscard]] double burst() const { return burst_; }

private:
    void refill(Clock::time_point now);
    [[nodiscard]] RateDecision decision(bool allowed, double needed) const;

    double rate_;
    double burst_;
    double tokens_;
    Clock::time_point updated_;
};

}  // namespace eventline::auth
