#include "http/router.hpp"

#include <stdexcept>

namespace eventline::http {

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
        if (entry.path != path) {
            continue;
        }
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
