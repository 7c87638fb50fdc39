#pragma once

#include <array>
#include <string_view>
#include <vector>

#include <boost/beast/http/verb.hpp>

#include "auth/scope.hpp"
#include "http/request.hpp"
#include "http/response.hpp"
#include "metrics/metrics.hpp"

namespace eventline::http {

/// Something that answers one route.
class Handler {
public:
    virtual ~Handler() = default;
    /// Must call `respond` exactly once, now or later from any thread; `request` stays
    /// valid until then.
    virtual void handle(Request& request, Respond respond) = 0;
};

/// Where a request goes: its route (a metric label) and its handler, or why none.
struct Resolved {
    metrics::Route route = metrics::Route::unmatched;
    Handler* handler = nullptr;  // null: 404 (unmatched) or 405 (wrong method)
    std::string_view allow;      // for 405
    std::string_view path_parameter;  // what the route's `{name}` segment matched
    auth::Permission permission = auth::Permission::open;  // what the caller's key needs
};

/// One registered route, for whoever must know the whole table (the OpenAPI test).
struct RouteInfo {
    boost::beast::http::verb method;
    metrics::Route route;  // route_pattern(route) is its OpenAPI path
    auth::Permission permission;
};

/// The fixed table of the service's routes. A path is matched exactly, or against a
/// pattern with one `{name}` segment (`/users/{user_id}/events`), which matches one
/// non-empty segment without '/'; prefixes serve the handlers of a directory. Nothing
/// looser, so no path can reach a wrong handler.
///
/// Each route says what a caller's key must permit (`permission`); the session checks
/// it before the handler runs, so handlers never deal with authentication. There is no
/// default: a new route states whether it is open.
class Router {
public:
    void add(boost::beast::http::verb method, metrics::Route route, std::string_view path,
             std::string_view allow, auth::Permission permission, Handler& handler);

    /// A route for every path under `prefix` (which ends in '/'), for a handler that
    /// serves a directory. Exact routes win over it; the handler checks the rest.
    void add_prefix(boost::beast::http::verb method, metrics::Route route,
                    std::string_view prefix, std::string_view allow,
                    auth::Permission permission, Handler& handler);

    [[nodiscard]] Resolved resolve(boost::beast::http::verb method, std::string_view path) const;

    /// Every route added, exact ones first, in the order added.
    [[nodiscard]] std::vector<RouteInfo> routes() const;

private:
    struct Entry {
        boost::beast::http::verb method;
        metrics::Route route;
        std::string_view path;
        std::string_view allow;
        auth::Permission permission;
        Handler* handler;
    };
    std::array<Entry, 16> entries_{};
    std::size_t size_ = 0;

    /// Resolves to `entry`, whose path matched; false when it does not take `method`.
    static bool take(const Entry& entry, boost::beast::http::verb method, Resolved& resolved);
    void resolve_prefix(boost::beast::http::verb method, std::string_view path,
                        Resolved& resolved) const;
    std::array<Entry, 4> prefixes_{};
    std::size_t prefix_count_ = 0;
};

}  // namespace eventline::http
