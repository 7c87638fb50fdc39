#include <sys/resource.h>

#include <csignal>
#include <ctime>
#include <memory>
#include <string>
#include <thread>

#include "cli/commands.hpp"
#include "logging/log.hpp"
#include "service/service.hpp"
#include "storage/pg_connection.hpp"

namespace eventline::cli {
namespace {

struct ServeOptions {
    service::ServiceConfig config;
    std::string listen = "127.0.0.1:8080";
    std::string log_level = "info";
    std::size_t max_future_seconds = 24 * 3600;
    std::size_t group_linger_us = 1000;
    std::size_t idle_timeout_seconds = 60;
    std::size_t request_timeout_seconds = 30;
    std::size_t header_timeout_seconds = 10;
    std::string auth = "on";
    double key_refresh_seconds = 2;
    std::size_t shutdown_grace_seconds = 15;
    std::size_t query_timeout_seconds = 30;
};

constexpr auto kStartRetryInterval = std::chrono::seconds(2);

/// "127.0.0.1:8080" or "[::1]:8080" into address and port.
void parse_listen(const std::string& listen, http::ServerOptions& server) {
    const std::size_t colon = listen.rfind(':');
    if (colon == std::string::npos || colon + 1 == listen.size()) {
        throw CLI::ValidationError("--listen", "expected ADDRESS:PORT, got " + listen);
    }
    std::string address = listen.substr(0, colon);
    if (address.size() >= 2 && address.front() == '[' && address.back() == ']') {
        address = address.substr(1, address.size() - 2);
    }
    const int port = std::stoi(listen.substr(colon + 1));
    if (port < 0 || port > 65535) {
        throw CLI::ValidationError("--listen", "port out of range in " + listen);
    }
    server.address = address;
    server.port = static_cast<unsigned short>(port);
}

/// Each connection is a descriptor: raises the soft limit towards the hard one when
/// --max-connections would not fit, so that the limit, not EMFILE, decides.
void fit_descriptor_limit(std::size_t max_connections) {
    // Room for the database connections, the log, the listener and the rest.
    constexpr rlim_t kSpareDescriptors = 256;
    rlimit limit{};
    if (getrlimit(RLIMIT_NOFILE, &limit) != 0) {
        return;
    }
    const rlim_t wanted = static_cast<rlim_t>(max_connections) + kSpareDescriptors;
    if (limit.rlim_cur < wanted) {
        limit.rlim_cur =
            limit.rlim_max == RLIM_INFINITY ? wanted : std::min(wanted, limit.rlim_max);
        setrlimit(RLIMIT_NOFILE, &limit);
        getrlimit(RLIMIT_NOFILE, &limit);
    }
    if (limit.rlim_cur < wanted) {
        logging::warn("the descriptor limit is below --max-connections; accepts will fail first",
                      {{"max_connections", max_connections},
                       {"open_files_limit", static_cast<std::uint64_t>(limit.rlim_cur)}});
    }
}

/// Signals are taken synchronously by the main thread: blocked here, before any other
/// thread exists, so that every thread inherits the mask and none is interrupted.
sigset_t block_stop_signals() {
    sigset_t signals;
    sigemptyset(&signals);
    sigaddset(&signals, SIGINT);
    sigaddset(&signals, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &signals, nullptr);
    std::signal(SIGPIPE, SIG_IGN);
    return signals;
}

/// Waits up to `timeout` for SIGINT or SIGTERM; returns the signal, or 0 on timeout.
int wait_for_stop_signal(const sigset_t& signals, std::chrono::seconds timeout) {
    timespec wait{static_cast<time_t>(timeout.count()), 0};
    const int signal = sigtimedwait(&signals, nullptr, &wait);
    return signal > 0 ? signal : 0;
}

int run_serve(ServeOptions& options) {
    init_logging(options.log_level);

    service::ServiceConfig& config = options.config;
    parse_listen(options.listen, config.server);
    config.events.limits.max_future = std::chrono::seconds(options.max_future_seconds);
    config.events.max_body_bytes = config.server.limits.max_body_bytes;
    config.write.linger = std::chrono::microseconds(options.group_linger_us);
    config.server.limits.idle_timeout = std::chrono::seconds(options.idle_timeout_seconds);
    config.server.limits.request_timeout = std::chrono::seconds(options.request_timeout_seconds);
    config.server.limits.header_timeout = std::chrono::seconds(options.header_timeout_seconds);
    config.auth.enabled = options.auth == "on";
    config.auth.key_refresh = std::chrono::milliseconds(
        static_cast<std::int64_t>(options.key_refresh_seconds * 1000.0));
    fit_descriptor_limit(config.server.limits.max_connections);
    config.shutdown_grace = std::chrono::seconds(options.shutdown_grace_seconds);
    config.reads.statement_timeout = std::chrono::seconds(options.query_timeout_seconds);

    const sigset_t signals = block_stop_signals();
    logging::info("starting", {{"database", storage::redact_url(config.database_url)},
                               {"listen", options.listen}});

    // A database that is not up yet (containers starting together) is waited for.
    auto service = std::make_unique<service::Service>(config);
    for (;;) {
        try {
            service->start();
            break;
        } catch (const storage::DatabaseError& error) {
            if (!error.connection_lost()) {
                throw;
            }
            logging::warn("database not reachable at start-up, retrying",
                          {{"error", error.what()}, {"retry_in_s", kStartRetryInterval.count()}});
            if (wait_for_stop_signal(signals, kStartRetryInterval) != 0) {
                return 0;
            }
            service = std::make_unique<service::Service>(config);
        }
    }

    int signal = 0;
    while (signal == 0) {
        signal = wait_for_stop_signal(signals, std::chrono::seconds(3600));
    }
    logging::info("stop signal received", {{"signal", signal == SIGINT ? "SIGINT" : "SIGTERM"}});
    service->stop();
    return 0;
}

}  // namespace

Command add_serve_command(CLI::App& app) {
    auto options = std::make_shared<ServeOptions>();
    service::ServiceConfig& config = options->config;
    config.server.threads = std::max(1U, std::thread::hardware_concurrency());
    // Generous: a budget against runaway clients, not a quota. Per key, per instance.
    config.auth.rates.events_per_second = 20'000;
    config.auth.rates.requests_per_second = 1'000;

    CLI::App* command = app.add_subcommand(
        "serve", "Serve the HTTP API; applies pending migrations first");
    add_database_url_option(*command, config.database_url)->required();
    add_log_level_option(*command, options->log_level);
    command->add_option("--listen", options->listen, "Address and port to listen on")
        ->envname("EVENTLINE_LISTEN")
        ->capture_default_str();
    command->add_option("--threads", config.server.threads, "Threads serving HTTP (default: cores)")
        ->envname("EVENTLINE_THREADS")
        ->check(CLI::Range(1, 256))
        ->capture_default_str();
    command->add_option("--writers", config.write.writers,
                        "Database writer connections (the ingest pool size)")
        ->envname("EVENTLINE_WRITERS")
        ->check(CLI::Range(1, 64))
        ->capture_default_str();
    command->add_option("--group-max-events", config.write.group_max_events,
                        "Most events written in one transaction (group commit)")
        ->envname("EVENTLINE_GROUP_MAX_EVENTS")
        ->check(CLI::Range(1, 1'000'000))
        ->capture_default_str();
    command->add_option("--group-linger-us", options->group_linger_us,
                        "How long a writer waits for more requests to join its transaction")
        ->envname("EVENTLINE_GROUP_LINGER_US")
        ->check(CLI::Range(0, 1'000'000))
        ->capture_default_str();
    command->add_option("--max-queued-events", config.write.max_queued_events,
                        "Events waiting for a writer past which POST /events answers 503")
        ->envname("EVENTLINE_MAX_QUEUED_EVENTS")
        ->check(CLI::Range(1, 100'000'000))
        ->capture_default_str();
    command->add_option("--max-batch-events", config.events.max_events,
                        "Most events in one request (more is 413)")
        ->envname("EVENTLINE_MAX_BATCH_EVENTS")
        ->check(CLI::Range(1, 1'000'000))
        ->capture_default_str();
    command->add_option("--max-body-bytes", config.server.limits.max_body_bytes,
                        "Largest request body, after decompression (more is 413)")
        ->envname("EVENTLINE_MAX_BODY_BYTES")
        ->check(CLI::Range(1024, 1 << 30))
        ->capture_default_str();
    command->add_option("--max-header-bytes", config.server.limits.max_header_bytes,
                        "Largest request header block (more is 431)")
        ->envname("EVENTLINE_MAX_HEADER_BYTES")
        ->check(CLI::Range(1024, 1 << 20))
        ->capture_default_str();
    command->add_option("--max-header-count", config.server.limits.max_header_count,
                        "Most header fields in a request (more is 431)")
        ->envname("EVENTLINE_MAX_HEADER_COUNT")
        ->check(CLI::Range(8, 10'000))
        ->capture_default_str();
    command->add_option("--max-url-bytes", config.server.limits.max_url_bytes,
                        "Longest request target, path and query (longer is 414)")
        ->envname("EVENTLINE_MAX_URL_BYTES")
        ->check(CLI::Range(256, 1 << 20))
        ->capture_default_str();
    command->add_option("--max-connections", config.server.limits.max_connections,
                        "Most client connections open at once; past it the longest idle "
                        "one is closed, or the new one when none is idle")
        ->envname("EVENTLINE_MAX_CONNECTIONS")
        ->check(CLI::Range(1, 1'000'000))
        ->capture_default_str();
    command->add_option("--max-future-seconds", options->max_future_seconds,
                        "How far ahead of the server clock occurred_at may be")
        ->envname("EVENTLINE_MAX_FUTURE_SECONDS")
        ->capture_default_str();
    command->add_option("--idle-timeout-seconds", options->idle_timeout_seconds,
                        "Keep-alive connections idle longer than this are closed")
        ->envname("EVENTLINE_IDLE_TIMEOUT_SECONDS")
        ->check(CLI::Range(1, 3600))
        ->capture_default_str();
    command->add_option("--header-timeout-seconds", options->header_timeout_seconds,
                        "Time allowed from a request's first byte to the end of its header "
                        "block (slow clients are disconnected)")
        ->envname("EVENTLINE_HEADER_TIMEOUT_SECONDS")
        ->check(CLI::Range(1, 3600))
        ->capture_default_str();
    command->add_option("--request-timeout-seconds", options->request_timeout_seconds,
                        "Time allowed to receive one request body or send one response")
        ->envname("EVENTLINE_REQUEST_TIMEOUT_SECONDS")
        ->check(CLI::Range(1, 3600))
        ->capture_default_str();
    command->add_option("--shutdown-grace-seconds", options->shutdown_grace_seconds,
                        "On SIGTERM, how long requests in progress may take to finish")
        ->envname("EVENTLINE_SHUTDOWN_GRACE_SECONDS")
        ->check(CLI::Range(0, 3600))
        ->capture_default_str();
    command->add_option("--read-database-url", config.read_database_url,
                        "PostgreSQL URL for analytics, such as a streaming replica "
                        "(default: the --database-url database)")
        ->envname("EVENTLINE_READ_DATABASE_URL");
    command->add_option("--readers", config.reads.connections,
                        "Analytics connections (the read pool size)")
        ->envname("EVENTLINE_READERS")
        ->check(CLI::Range(1, 64))
        ->capture_default_str();
    command->add_option("--max-queued-queries", config.reads.max_waiting,
                        "Analytics requests waiting for a connection past which they get 503")
        ->envname("EVENTLINE_MAX_QUEUED_QUERIES")
        ->check(CLI::Range(1, 100'000))
        ->capture_default_str();
    command->add_option("--query-timeout-seconds", options->query_timeout_seconds,
                        "Statement timeout of analytics queries")
        ->envname("EVENTLINE_QUERY_TIMEOUT_SECONDS")
        ->check(CLI::Range(1, 3600))
        ->capture_default_str();
    command->add_option("--docs-dir", config.docs_directory,
                        "Directory of the Swagger UI assets served at /docs "
                        "(default: where the build installed them)")
        ->envname("EVENTLINE_DOCS_DIR");
    command->add_option("--auth", options->auth,
                        "on: requests need an API key (eventline keys create); off: no keys, "
                        "no rate limits, for local experiments only")
        ->envname("EVENTLINE_AUTH")
        ->check(CLI::IsMember({"on", "off"}))
        ->capture_default_str();
    command->add_option("--key-refresh-seconds", options->key_refresh_seconds,
                        "How often API keys are reloaded: a revoked key is refused within this")
        ->envname("EVENTLINE_KEY_REFRESH_SECONDS")
        ->check(CLI::Range(0.1, 3600.0))
        ->capture_default_str();
    command->add_option("--default-events-per-second", config.auth.rates.events_per_second,
                        "Events per second for keys without a rate of their own (0: unlimited)")
        ->envname("EVENTLINE_DEFAULT_EVENTS_PER_SECOND")
        ->check(CLI::Range(0.0, 1e9))
        ->capture_default_str();
    command->add_option("--default-requests-per-second", config.auth.rates.requests_per_second,
                        "Requests per second for keys without a rate of their own (0: unlimited)")
        ->envname("EVENTLINE_DEFAULT_REQUESTS_PER_SECOND")
        ->check(CLI::Range(0.0, 1e9))
        ->capture_default_str();
    command->add_option("--rate-burst-seconds", config.auth.rates.burst_seconds,
                        "How many seconds of its rate a quiet key may send at once")
        ->envname("EVENTLINE_RATE_BURST_SECONDS")
        ->check(CLI::Range(0.001, 3600.0))
        ->capture_default_str();
    command->add_flag("!--skip-migrations", config.apply_migrations,
                      "Do not apply pending migrations at start-up");
    return [options] { return run_serve(*options); };
}

}  // namespace eventline::cli
