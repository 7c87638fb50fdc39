#pragma once

#include <string_view>

#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

namespace eventline::http {

using BeastRequest = boost::beast::http::request<boost::beast::http::string_body>;

/// A request as handlers see it: the message, with its target split once.
struct Request {
    BeastRequest& message;
    std::string_view path;
    std::string_view query;  // without the '?'
    std::string_view path_parameter = {};  // the `{name}` segment of the route, undecoded

    /// The value of `name` in the query string, undecoded; empty when absent.
    [[nodiscard]] std::string_view query_parameter(std::string_view name) const;
};

/// Splits "/events?strict=true" into path and query.
void split_target(std::string_view target, std::string_view& path, std::string_view& query);

}  // namespace eventline::http
