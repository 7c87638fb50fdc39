#pragma once

#include <cstddef>
#include <optional>

#include "auth/key_cache.hpp"
#include "auth/rate_limiter.hpp"
#include "auth/scope.hpp"
#include "http/request.hpp"
#include "http/response.hpp"
#include "metrics/metrics.hpp"

namespace eventline::http {

/// Authentication and rate limiting for the HTTP layer: turns what the key cache and the
/// token buckets say into SPEC-shaped 401, 403, 429 and 503 answers. The session calls
/// admit() once a request's header is read, before its body; POST /events calls
/// charge_events() once its batch is decoded, before anything is queued.
class AccessControl {
public:
    /// With `keys` null, authentication is off: every request is the default project's,
    /// and nothing is rate limited (there is no key to hold to a budget).
    AccessControl(const auth::KeyCache* keys, auth::RateDefaults defaults,
                  metrics::AuthMetrics& metrics);

    [[nodiscard]] bool enabled() const { return keys_ != nullptr; }

    /// Checks the request's key against the route's permission and charges one request
    /// to it. Fills `caller`; returns the refusal to send instead, if any.
    [[nodiscard]] std::optional<Response> admit(const BeastRequest& message,
                                                auth::Permission permission, Caller& caller);

    /// Charges a decoded batch's events to the caller's key; returns a 429 when it is over
    /// its budget.
    [[nodiscard]] std::optional<Response> charge_events(Caller& caller, std::size_t events);

    /// RateLimit-Limit, RateLimit-Remaining and RateLimit-Reset of the caller's last
    /// charge, when its key is limited at all.
    static void add_rate_headers(const Caller& caller, Response& response);

private:
    [[nodiscard]] Response refuse(Caller& caller, const auth::RateDecision& decision,
                                  const char* limit);

    const auth::KeyCache* keys_;
    auth::RateLimiter limiter_;
    metrics::AuthMetrics& metrics_;
};

/// The key a request presents: `Authorization: Bearer KEY`, else `X-API-Key: KEY`;
/// empty when it presents none.
[[nodiscard]] std::string_view presented_key(const BeastRequest& message);

}  // namespace eventline::http
