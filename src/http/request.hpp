#pragma once

#include <memory>
#include <optional>
#include <string_view>

#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

#include "auth/key_cache.hpp"
#include "auth/token_bucket.hpp"
#include "event/event.hpp"

namespace eventline::http {

using BeastRequest = boost::beast::http::request<boost::beast::http::string_body>;

/// Who sent a request, as the session's access check found out: the key's project, and
/// the rate-limit state to report. Without authentication (`--auth off`, or an open
/// route) it is the default project and no key.
struct Caller {
    event::ProjectId project_id = event::kDefaultProject;
    const auth::KeyRecord* key = nullptr;
    std::shared_ptr<const auth::KeySnapshot> snapshot;  // keeps `key` alive
    std::optional<auth::RateDecision> rate;  // the last bucket charged, for RateLimit-*
};

/// A request as handlers see it: the message, with its target split once, and its caller.
struct Request {
    BeastRequest& message;
    std::string_view path;
    std::string_view query;  // without the '?'
    std::string_view path_parameter;  // the `{name}` segment of the route, undecoded
    Caller& caller;

    /// The project the request reads or writes: the key's.
    [[nodiscard]] event::ProjectId project() const { return caller.project_id; }

    /// The value of `name` in the query string, undecoded; empty when absent.
    [[nodiscard]] std::string_view query_parameter(std::string_view name) const;
};

/// Splits "/events?strict=true" into path and query.
void split_target(std::string_view target, std::string_view& path, std::string_view& query);

}  // namespace eventline::http
