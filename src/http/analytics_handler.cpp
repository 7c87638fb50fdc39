#include "http/analytics_handler.hpp"

#include <chrono>
#include <memory>

#include "logging/log.hpp"

namespace eventline::http {
namespace {

constexpr int kRetryAfterUnavailableSeconds = 5;
constexpr int kRetryAfterOverloadedSeconds = 1;
constexpr const char* kQueryCanceled = "57014";  // statement_timeout

}  // namespace

AnalyticsHandler::AnalyticsHandler(analytics::ReadPool& pool, metrics::AnalyticsMetrics& metrics,
                                   Prepare prepare)
    : pool_(pool), metrics_(metrics), prepare_(std::move(prepare)) {}

void AnalyticsHandler::handle(Request& request, Respond respond) {
    Run run;
    try {
        run = prepare_(request);
    } catch (const InvalidParameter& error) {
        respond(error_response(400, "invalid_parameter", error.what()));
        return;
    }

    // The pool may drop a job it cannot queue; `respond` must then still be called once.
    auto shared_respond = std::make_shared<Respond>(std::move(respond));
    const bool queued = pool_.submit([this, run = std::move(run),
                                      shared_respond](storage::PgConnection* connection) {
        const Respond& reply = *shared_respond;
        if (connection == nullptr) {
            metrics_.queries_unavailable.Increment();
            reply(unavailable_response("database_unavailable",
                                       "the analytics database cannot be reached",
                                       kRetryAfterUnavailableSeconds));
            return;
        }
        const auto started = std::chrono::steady_clock::now();
        try {
            Response response;
            response.body = run(*connection);
            metrics_.queries_ok.Increment();
            metrics_.query_seconds.Observe(
                std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
            reply(std::move(response));
        } catch (const storage::DatabaseError& error) {
            if (error.connection_lost() || !connection->healthy()) {
                metrics_.queries_unavailable.Increment();
                reply(unavailable_response("database_unavailable",
                                           "the analytics database connection was lost",
                                           kRetryAfterUnavailableSeconds));
            } else if (error.sqlstate() == kQueryCanceled) {
                metrics_.queries_failed.Increment();
                logging::warn("analytics query timed out", {{"error", error.what()}});
                reply(unavailable_response("query_timeout",
                                           "the query ran past the statement timeout",
                                           kRetryAfterUnavailableSeconds));
            } else {
                metrics_.queries_failed.Increment();
                logging::error("analytics query failed",
                               {{"error", error.what()}, {"sqlstate", error.sqlstate()}});
                reply(error_response(500, "storage_error", "the analytics query failed"));
            }
        } catch (const std::exception& error) {
            metrics_.queries_failed.Increment();
            logging::error("analytics request failed", {{"error", error.what()}});
            reply(error_response(500, "internal_error", "the analytics request failed"));
        }
    });
    if (!queued) {
        metrics_.queries_overloaded.Increment();
        (*shared_respond)(unavailable_response(
            "overloaded", "too many analytics requests are waiting", kRetryAfterOverloadedSeconds));
    }
}

}  // namespace eventline::http
