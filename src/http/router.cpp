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
                 std::string_view allow, Handler& handler) {
    if (size_ == entries_.size()) {
        throw std::logic_error("too many routes: raise Router's table size");
    }
    entries_[size_++] = Entry{method, route, path, allow, &handler};
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
        resolved.route = entry.route;
        resolved.allow = entry.allow;
        // HEAD is answered like GET; the session drops the body.
        const bool head_as_get = method == boost::beast::http::verb::head &&
                                 entry.method == boost::beast::http::verb::get;
        if (entry.method == method || head_as_get) {
            resolved.handler = entry.handler;
            return resolved;
        }
    }
    return resolved;
}

}  // namespace eventline::http
