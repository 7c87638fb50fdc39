#include "service/service.hpp"

#include <thread>

#include "http/openapi_handler.hpp"
#include "http/ops_handlers.hpp"
#include "http/stats_routes.hpp"
#include "logging/log.hpp"
#include "storage/migrator.hpp"
#include "storage/pg_connection.hpp"

namespace eventline::service {
namespace {

namespace bhttp = boost::beast::http;
using auth::Permission;

// How long start() waits for the first writer connection before serving anyway; the
// writers keep trying, and /readyz says 503 until one succeeds.
constexpr auto kWriterConnectWait = std::chrono::seconds(10);

}  // namespace

Service::Service(ServiceConfig config) : config_(std::move(config)) {
    config_.write.database_url = config_.database_url;
    config_.reads.database_url =
        config_.read_database_url.empty() ? config_.database_url : config_.read_database_url;
    metrics_ = std::make_unique<metrics::Metrics>();
    queue_ = std::make_unique<ingest::WriteQueue>(config_.write, metrics_->ingest);
    read_pool_ = std::make_unique<analytics::ReadPool>(config_.reads, metrics_->analytics);
    if (config_.auth.enabled) {
        key_cache_ = std::make_unique<auth::KeyCache>(config_.database_url,
                                                      config_.auth.key_refresh, metrics_->auth);
    }
    access_ = std::make_unique<http::AccessControl>(key_cache_.get(), config_.auth.rates,
                                                    metrics_->auth);

    events_handler_ = std::make_unique<http::EventsHandler>(config_.events, *queue_,
                                                            metrics_->ingest.http, *access_);
    health_handler_ = std::make_unique<http::HealthHandler>();
    readiness_handler_ = std::make_unique<http::ReadinessHandler>([this] { return ready(); });
    metrics_handler_ = std::make_unique<http::MetricsHandler>(*metrics_);

    // Operations routes stay open: load balancers and Prometheus carry no keys.
    router_ = std::make_unique<http::Router>();
    router_->add(bhttp::verb::post, metrics::Route::events, "/events", "POST",
                 Permission::ingest, *events_handler_);
    router_->add(bhttp::verb::get, metrics::Route::healthz, "/healthz", "GET, HEAD",
                 Permission::open, *health_handler_);
    router_->add(bhttp::verb::get, metrics::Route::readyz, "/readyz", "GET, HEAD",
                 Permission::open, *readiness_handler_);
    router_->add(bhttp::verb::get, metrics::Route::metrics, "/metrics", "GET, HEAD",
                 Permission::open, *metrics_handler_);
    add_analytics_routes();
    add_documentation_routes();

    server_ = std::make_unique<http::Server>(config_.server, *router_, metrics_->http,
                                             metrics_->connections, *access_);
    import_stats_ = std::make_unique<ImportStats>(config_.database_url, metrics_->csv);
}

Service::~Service() { stop(); }

bool Service::ready() const {
    return queue_->database_available() && (key_cache_ == nullptr || key_cache_->loaded());
}

void Service::add_analytics_routes() {
    struct AnalyticsRoute {
        metrics::Route route;
        std::string_view path;
        http::AnalyticsHandler::Prepare prepare;
    };
    AnalyticsRoute routes[] = {
        {metrics::Route::stats_dau, "/stats/dau", http::stats::daily_active_users()},
        {metrics::Route::stats_top_events, "/stats/top-events", http::stats::top_events()},
        {metrics::Route::stats_retention, "/stats/retention", http::stats::retention()},
        {metrics::Route::stats_events, "/stats/events", http::stats::event_series()},
        {metrics::Route::stats_funnel, "/stats/funnel", http::stats::funnel()},
        {metrics::Route::user_events, "/users/{user_id}/events", http::stats::user_timeline()},
    };
    for (AnalyticsRoute& route : routes) {
        analytics_handlers_.push_back(std::make_unique<http::AnalyticsHandler>(
            *read_pool_, metrics_->analytics, std::move(route.prepare)));
        router_->add(bhttp::verb::get, route.route, route.path, "GET, HEAD", Permission::read,
                     *analytics_handlers_.back());
    }
}

void Service::add_documentation_routes() {
    docs_assets_ = std::make_unique<http::SwaggerUiAssets>(config_.docs_directory);
    openapi_handler_ = std::make_unique<http::OpenApiHandler>();
    docs_page_handler_ = std::make_unique<http::DocsPageHandler>(*docs_assets_);
    docs_asset_handler_ = std::make_unique<http::DocsAssetHandler>(*docs_assets_);
    // Documentation is public; "Try it out" in /docs sends the key the reader enters.
    router_->add(bhttp::verb::get, metrics::Route::openapi, "/openapi.json", "GET, HEAD",
                 Permission::open, *openapi_handler_);
    router_->add(bhttp::verb::get, metrics::Route::docs, "/docs", "GET, HEAD", Permission::open,
                 *docs_page_handler_);
    router_->add_prefix(bhttp::verb::get, metrics::Route::docs_asset,
                        http::DocsAssetHandler::kPrefix, "GET, HEAD", Permission::open,
                        *docs_asset_handler_);
}

unsigned short Service::start() {
    if (config_.apply_migrations) {
        storage::PgConnection connection = storage::PgConnection::connect(config_.database_url);
        const storage::MigrationReport report = storage::apply_migrations(connection);
        for (const std::string& name : report.applied) {
            logging::info("migration applied", {{"migration", name}});
        }
        logging::info("schema ready", {{"schema_version", report.schema_version}});
    }

    if (key_cache_) {
        // Loaded once before listening, so that a healthy start serves keys at once;
        // if the database is not there yet, the cache's thread keeps trying and
        // /readyz says 503 meanwhile.
        key_cache_->refresh();
        key_cache_->start();
    } else {
        logging::warn("AUTHENTICATION IS OFF: every caller may ingest and read the default "
                      "project, without a key or a rate limit. Use --auth off for local "
                      "experiments only.");
    }
    queue_->start();
    read_pool_->start();
    import_stats_->start();
    const auto deadline = std::chrono::steady_clock::now() + kWriterConnectWait;
    while (!queue_->database_available() && std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }

    const unsigned short port = server_->listen();
    server_->start();
    running_ = true;
    logging::info("listening", {{"address", config_.server.address}, {"port", port},
                                {"threads", config_.server.threads},
                                {"writers", config_.write.writers},
                                {"auth", config_.auth.enabled ? "on" : "off"}});
    return port;
}

void Service::stop() {
    if (!running_) {
        return;
    }
    running_ = false;
    logging::info("shutting down", {{"requests_in_flight", server_->requests_in_flight()}});
    // Order matters: requests in flight wait on the queue, so the queue keeps writing
    // until the server has answered them; only then do the writers drain and stop.
    server_->drain(config_.shutdown_grace);
    queue_->stop();
    read_pool_->stop();
    server_->stop();
    import_stats_->stop();
    if (key_cache_) {
        key_cache_->stop();
    }
    logging::info("stopped");
}

}  // namespace eventline::service
