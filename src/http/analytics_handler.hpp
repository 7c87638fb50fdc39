#pragma once

#include <functional>
#include <stdexcept>
#include <string>

#include "analytics/read_pool.hpp"
#include "http/router.hpp"
#include "metrics/metrics.hpp"
#include "storage/pg_connection.hpp"

namespace eventline::http {

/// A query parameter the client got wrong: answered 400 `invalid_parameter` with this
/// message, which says what was expected and what was received.
class InvalidParameter : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// A read-only analytics route. Its parameters are parsed and checked on the socket
/// thread, so a bad request never waits for a connection; the query then runs on the
/// read pool, and the answer goes back from there.
class AnalyticsHandler : public Handler {
public:
    /// Runs the route's queries; returns the JSON body. May throw DatabaseError.
    using Run = std::function<std::string(storage::PgConnection&)>;
    /// Checks the request and returns what to run; throws InvalidParameter.
    using Prepare = std::function<Run(const Request&)>;

    AnalyticsHandler(analytics::ReadPool& pool, metrics::AnalyticsMetrics& metrics,
                     Prepare prepare);

    void handle(Request& request, Respond respond) override;

private:
    analytics::ReadPool& pool_;
    metrics::AnalyticsMetrics& metrics_;
    Prepare prepare_;
};

}  // namespace eventline::http
