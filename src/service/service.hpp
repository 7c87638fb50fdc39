#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "analytics/read_pool.hpp"
#include "auth/key_cache.hpp"
#include "auth/rate_limiter.hpp"
#include "http/access_control.hpp"
#include "http/docs_handlers.hpp"
#include "http/events_handler.hpp"
#include "http/server.hpp"
#include "ingest/write_queue.hpp"
#include "metrics/metrics.hpp"
#include "service/import_stats.hpp"

namespace eventline::service {

/// Who may call, and how much.
struct AuthConfig {
    /// Off: no key is asked for, everything is the default project's, nothing is rate
    /// limited. For local experiments only; the service says so loudly at start.
    bool enabled = true;
    /// How often the key snapshot is reloaded: a revoked key is refused within about this.
    std::chrono::milliseconds key_refresh{2000};
    auth::RateDefaults rates;
};

/// Everything `serve` can be told.
struct ServiceConfig {
    std::string database_url;
    /// Where analytics read; empty: the same database as ingestion.
    std::string read_database_url;
    bool apply_migrations = true;
    http::ServerOptions server;
    http::EventsHandlerOptions events;
    ingest::WriteQueueOptions write;  // its database_url is taken from above
    analytics::ReadPoolOptions reads;  // likewise, from read_database_url
    std::chrono::milliseconds shutdown_grace{15'000};
    std::string docs_directory;  // Swagger UI assets for /docs; empty: where the build put them
    AuthConfig auth;
};

/// The running service: metrics, write queue, handlers and HTTP server, wired together
/// in one place. `serve` runs one; tests run one in-process on a free port.
class Service {
public:
    explicit Service(ServiceConfig config);
    ~Service();

    /// Applies migrations (unless told not to), starts the writers and the server.
    /// Returns the port it listens on. Throws storage::DatabaseError when the database
    /// cannot be reached, std::exception on other start-up failures.
    unsigned short start();

    /// Graceful stop: no new connections, answer what is in progress (within the grace
    /// period), write everything queued, then stop the threads.
    void stop();

    [[nodiscard]] metrics::Metrics& metrics() { return *metrics_; }
    [[nodiscard]] bool database_available() const { return queue_->database_available(); }
    /// Ready to serve: the database answers and, with authentication on, the API keys
    /// have been loaded (until then every protected route could only answer 503).
    [[nodiscard]] bool ready() const;
    /// The key cache (null with authentication off), for tests that reload it at once.
    [[nodiscard]] auth::KeyCache* key_cache() { return key_cache_.get(); }
    /// The route table, for tests that hold it against the OpenAPI document.
    [[nodiscard]] const http::Router& router() const { return *router_; }

private:
    void add_analytics_routes();
    void add_documentation_routes();

    ServiceConfig config_;
    std::unique_ptr<metrics::Metrics> metrics_;
    std::unique_ptr<ingest::WriteQueue> queue_;
    std::unique_ptr<auth::KeyCache> key_cache_;  // null with authentication off
    std::unique_ptr<http::AccessControl> access_;
    std::unique_ptr<http::Router> router_;
    std::unique_ptr<http::Handler> events_handler_;
    std::unique_ptr<http::Handler> health_handler_;
    std::unique_ptr<http::Handler> readiness_handler_;
    std::unique_ptr<http::Handler> metrics_handler_;
    std::unique_ptr<analytics::ReadPool> read_pool_;
    std::vector<std::unique_ptr<http::Handler>> analytics_handlers_;
    // API documentation: /openapi.json, /docs and /docs/{asset}.
    std::unique_ptr<http::SwaggerUiAssets> docs_assets_;
    std::unique_ptr<http::Handler> openapi_handler_;
    std::unique_ptr<http::Handler> docs_page_handler_;
    std::unique_ptr<http::Handler> docs_asset_handler_;
    std::unique_ptr<http::Server> server_;
    std::unique_ptr<ImportStats> import_stats_;
    bool running_ = false;
};

}  // namespace eventline::service
