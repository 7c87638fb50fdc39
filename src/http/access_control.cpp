#include "http/access_control.hpp"

#include <fmt/format.h>
#include <strings.h>

#include "auth/key_format.hpp"

namespace eventline::http {
namespace {

namespace bhttp = boost::beast::http;

constexpr int kRetryAfterUnavailableSeconds = 2;

std::string_view trim(std::string_view text) {
    while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) {
        text.remove_prefix(1);
    }
    while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) {
        text.remove_suffix(1);
    }
    return text;
}

Response unauthorized(std::string_view message) {
    Response response = error_response(401, "unauthorized", message);
    response.headers.emplace_back("WWW-Authenticate", R"(Bearer realm="eventline")");
    return response;
}

std::string_view permission_name(auth::Permission permission) {
    return permission == auth::Permission::ingest ? "ingest" : "read";
}

}  // namespace

std::string_view presented_key(const BeastRequest& message) {
    const auto authorization = message[bhttp::field::authorization];
    const std::string_view value(authorization.data(), authorization.size());
    // The scheme is case-insensitive (RFC 9110 §11.1).
    constexpr std::string_view kBearer = "bearer ";
    if (value.size() > kBearer.size() &&
        strncasecmp(value.data(), kBearer.data(), kBearer.size()) == 0) {
        return trim(value.substr(kBearer.size()));
    }
    const auto api_key = message["X-API-Key"];
    return trim(std::string_view(api_key.data(), api_key.size()));
}

AccessControl::AccessControl(const auth::KeyCache* keys, auth::RateDefaults defaults,
                             metrics::AuthMetrics& metrics)
    : keys_(keys), limiter_(defaults), metrics_(metrics) {}

std::optional<Response> AccessControl::admit(const BeastRequest& message,
                                             auth::Permission permission, Caller& caller) {
    if (keys_ == nullptr || permission == auth::Permission::open) {
        return std::nullopt;
    }

    const std::string_view key = presented_key(message);
    if (key.empty()) {
        metrics_.missing_key.Increment();
        return unauthorized("an API key is required: send Authorization: Bearer KEY or "
                            "X-API-Key: KEY");
    }

    caller.snapshot = keys_->snapshot();
    if (caller.snapshot == nullptr) {
        metrics_.unavailable.Increment();
        return unavailable_response("auth_unavailable",
                                    "API keys have not been loaded from the database yet",
                                    kRetryAfterUnavailableSeconds);
    }

    // Only the hash is compared, and only a well-formed key is hashed: garbage costs a
    // length check.
    const auth::KeyRecord* record =
        auth::well_formed(key) ? caller.snapshot->find(auth::hash_key(key)) : nullptr;
    if (record == nullptr || record->revoked) {
        (record == nullptr ? metrics_.unknown_key : metrics_.revoked_key).Increment();
        return unauthorized("the API key is not valid (unknown or revoked)");
    }
    caller.key = record;
    caller.project_id = record->project_id;

    if (!auth::grants(record->scope, permission)) {
        metrics_.forbidden.Increment();
        return error_response(403, "forbidden",
                              fmt::format("this key's scope is {}; the route needs {}",
                                          auth::scope_name(record->scope),
                                          permission_name(permission)));
    }

    if (const auto decision = limiter_.take_request(*record)) {
        caller.rate = decision;
        if (!decision->allowed) {
            return refuse(caller, *decision, "requests");
        }
    }
    return std::nullopt;
}

std::optional<Response> AccessControl::charge_events(Caller& caller, std::size_t events) {
    if (caller.key == nullptr) {
        return std::nullopt;
    }
    const auto decision = limiter_.take_events(*caller.key, events);
    if (!decision) {
        return std::nullopt;
    }
    caller.rate = decision;
    if (!decision->allowed) {
        return refuse(caller, *decision, "events");
    }
    return std::nullopt;
}

Response AccessControl::refuse(Caller& caller, const auth::RateDecision& decision,
                               const char* limit) {
    // Only a 429 creates a label set, and only for keys in the table: bounded.
    metrics_.rate_limited.Add({{"key", caller.key->prefix}, {"limit", limit}}).Increment();
    Response response = error_response(
        429, "rate_limited",
        fmt::format("this key is over its {} rate limit; retry in {} s", limit,
                    decision.retry_after_seconds));
    response.headers.emplace_back("Retry-After", std::to_string(decision.retry_after_seconds));
    return response;
}

void AccessControl::add_rate_headers(const Caller& caller, Response& response) {
    if (!caller.rate) {
        return;
    }
    response.headers.emplace_back("RateLimit-Limit", std::to_string(caller.rate->limit));
    response.headers.emplace_back("RateLimit-Remaining", std::to_string(caller.rate->remaining));
    response.headers.emplace_back("RateLimit-Reset", std::to_string(caller.rate->reset_seconds));
}

}  // namespace eventline::http
