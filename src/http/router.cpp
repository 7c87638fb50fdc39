#include "http/router.hpp"

#include <stdexcept>

namespace eventline::http {
namespace {

/// Whether `path` matches `pattern`; `parameter` gets the `{name}` segment's match.
bool matches(std::string_view pattern, std::string_view path, std::string_view& parameter) {
    const std::size_t open = pattern.find('{');
    if (open == std::string_view::npos) {
        return pattern == path;
    }
    const std::string_view prefix = pattern.substr(0, open);
    const std::string_view suffix = pattern.substr(pattern.find('}', open) + 1);
    if (path.size() <= prefix.size() + suffix.size() || !path.starts_with(prefix) ||
        !path.ends_with(suffix)) {
        return false;
    }
    const std::string_view segment =
        path.substr(prefix.size(), path.size() - prefix.size() - suffix.size());
    if (segment.find('/') != std::string_view::npos) {
        return false;
    }
    parameter = segment;
    return true;
}

}  // namespace

void Router::add(boost::beast::http::verb method, metrics::Route route, std::string_view path,
                 std::string_view allow, auth::Permission permission, Handler& handler) {
    if (size_ == entries_.size()) {
        throw std::logic_error("too many routes: raise Router's table size");
    }
    entries_[size_++] = Entry{method, route, path, allow, permission, &handler};
}

bool Router::take(const Entry& entry, boost::beast::http::verb method, Resolved& resolved) {
    resolved.route = entry.route;
    resolved.allow = entry.allow;
    // HEAD is answered like GET; the session drops the body.
    const bool head_as_get = method == boost::beast::http::verb::head &&
                             entry.method == boost::beast::http::verb::get;
    if (entry.method != method && !head_as_get) {
        return false;  // the path is this route's: a 405 unless a later entry takes it
    }
    resolved.handler = entry.handler;
    resolved.permission = entry.permission;
    return true;
}

Resolved Router::resolve(boost::beast::http::verb method, std::string_view path) const {
    Resolved resolved;
    for (std::size_t i = 0; i < size_; ++i) {
        const Entry& entry = entries_[i];
        std::string_view parameter;
        if (!matches(entry.path, path, parameter)) {
            continue;
        }
        resolved.path_parameter = parameter;
        if (take(entry, method, resolved)) {
            return resolved;
        }
    }
    if (resolved.route == metrics::Route::unmatched) {
        resolve_prefix(method, path, resolved);
    }
    return resolved;
}

// Prefix routes: kept apart from the exact table so that an exact path always wins.

void Router::add_prefix(boost::beast::http::verb method, metrics::Route route,
                        std::string_view prefix, std::string_view allow,
                        auth::Permission permission, Handler& handler) {
    if (prefix.empty() || prefix.back() != '/') {
        throw std::logic_error("a route prefix must end in '/'");
    }
    if (prefix_count_ == prefixes_.size()) {
        throw std::logic_error("too many prefix routes: raise Router's prefix table size");
    }
    prefixes_[prefix_count_++] = Entry{method, route, prefix, allow, permission, &handler};
}

void Router::resolve_prefix(boost::beast::http::verb method, std::string_view path,
                            Resolved& resolved) const {
    for (std::size_t i = 0; i < prefix_count_; ++i) {
        const Entry& entry = prefixes_[i];
        // The prefix alone ("/docs/") names no file: it is left unmatched.
        if (path.size() <= entry.path.size() || !path.starts_with(entry.path)) {
            continue;
        }
        if (take(entry, method, resolved)) {
            return;
        }
    }
}

std::vector<RouteInfo> Router::routes() const {
    std::vector<RouteInfo> routes;
    for (std::size_t i = 0; i < size_; ++i) {
        routes.push_back(
            RouteInfo{entries_[i].method, entries_[i].route, entries_[i].permission});
    }
    for (std::size_t i = 0; i < prefix_count_; ++i) {
        routes.push_back(
            RouteInfo{prefixes_[i].method, prefixes_[i].route, prefixes_[i].permission});
    }
    return routes;
}

}  // namespace eventline::http
