#pragma once

#include <array>
#include <atomic>
#include <memory>
#include <string>
#include <string_view>

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include "metrics/process_metrics.hpp"

namespace eventline::metrics {

/// Counters of the ingest pipeline, labelled by where events came from. SPEC names.
struct SourceCounters {
    prometheus::Counter& ingested;
    prometheus::Counter& duplicates;
    prometheus::Counter& rejected;
};

/// What the write queue and its writers report.
struct IngestMetrics {
    SourceCounters http;
    prometheus::Gauge& queue_events;          // events waiting for a writer
    prometheus::Gauge& queue_limit_events;    // the bound past which requests get 503
    prometheus::Gauge& writers_connected;     // writer connections up
    prometheus::Gauge& writers_busy;          // writers inside a transaction
    prometheus::Gauge& writers_configured;
    prometheus::Histogram& group_events;      // events per transaction
    prometheus::Histogram& group_requests;    // requests coalesced per transaction
    prometheus::Histogram& commit_seconds;    // whole transaction, BEGIN to COMMIT
    prometheus::Histogram& copy_seconds;      // statement: COPY staged_events
    prometheus::Histogram& insert_seconds;    // statement: insert_staged_events
    prometheus::Histogram& rollup_seconds;    // statement: update_rollups (all three)
    prometheus::Counter& groups_direct;     // written by one COPY into events
    prometheus::Counter& groups_staged;     // written through staging + ON CONFLICT
    prometheus::Counter& direct_conflicts;  // direct attempts undone by a stored event
    prometheus::Counter& write_failures_unavailable;
    prometheus::Counter& write_failures_error;
    prometheus::Counter& write_retries;
};

/// What the analytics read pool reports.
struct AnalyticsMetrics {
    prometheus::Histogram& query_seconds;  // a request's time on its read connection
    prometheus::Gauge& queue_requests;     // requests waiting for a read connection
    prometheus::Gauge& readers_connected;
    prometheus::Counter& queries_ok;
    prometheus::Counter& queries_unavailable;
    prometheus::Counter& queries_failed;
    prometheus::Counter& queries_overloaded;
};

/// What authentication and rate limiting report. Keys appear in labels only by their
/// prefix (`evl_` and 8 characters), never whole; the label set is bounded by the keys
/// in the api_keys table, which clients cannot add to.
struct AuthMetrics {
    prometheus::Counter& missing_key;    // auth_failures_total{reason="missing"}
    prometheus::Counter& unknown_key;    // not a key, or not one in the table
    prometheus::Counter& revoked_key;
    prometheus::Counter& forbidden;      // a key without the route's scope
    prometheus::Counter& unavailable;    // no key snapshot loaded yet
    prometheus::Family<prometheus::Counter>& rate_limited;  // {key, limit}
    prometheus::Gauge& keys_active;                         // keys in the snapshot
    prometheus::Gauge& keys_loaded_at;       // when the snapshot was last reloaded
    prometheus::Counter& key_refresh_failures;
};

/// What the HTTP server reports about connections, beyond requests.
struct ConnectionMetrics {
    prometheus::Gauge& open;
    prometheus::Counter& evicted;         // idle ones closed to make room under the limit
    prometheus::Counter& refused;         // over the limit with nothing idle to close
    prometheus::Counter& idle_timeout;    // keep-alive with no next request
    prometheus::Counter& header_timeout;  // header block not complete in time (slowloris)
    prometheus::Counter& body_timeout;    // body not complete in time
};

/// One route of the HTTP API, as a metric label: the pattern, never the raw path.
enum class Route {
    events,
    healthz,
    readyz,
    metrics,
    stats_dau,
    stats_top_events,
    stats_retention,
    stats_events,
    stats_funnel,
    user_events,
    openapi,
    docs,
    docs_asset,
    unmatched,
    count_
};

[[nodiscard]] std::string_view route_pattern(Route route);

/// Per-route request counters and latency histograms. Counters for a (route, status)
/// pair are created on first use and cached in a lock-free table, because
/// prometheus-cpp's label lookup takes a mutex and this runs for every request.
class HttpMetrics {
public:
    explicit HttpMetrics(prometheus::Registry& registry);

    void observe(std::string_view method, Route route, unsigned status, double seconds);

private:
    static constexpr std::size_t kRoutes = static_cast<std::size_t>(Route::count_);
    static constexpr unsigned kStatuses = 600;
    enum class Method { get, post, other, count_ };
    static constexpr std::size_t kMethods = static_cast<std::size_t>(Method::count_);

    prometheus::Family<prometheus::Counter>& requests_;
    prometheus::Family<prometheus::Histogram>& durations_;
    std::array<std::array<prometheus::Histogram*, kRoutes>, kMethods> duration_by_route_{};
    std::unique_ptr<std::atomic<prometheus::Counter*>[]> counters_;
};

/// The service's metrics registry and everything registered in it.
class Metrics {
public:
    Metrics();

    /// Prometheus text exposition format of everything registered.
    [[nodiscard]] std::string serialize() const;

    [[nodiscard]] prometheus::Registry& registry() { return *registry_; }

private:
    // Declared before the public members below: they register themselves in it.
    std::shared_ptr<prometheus::Registry> registry_;
    ProcessMetrics process_;  // read from /proc at each serialize(), not registered

public:
    IngestMetrics ingest;
    SourceCounters csv;  // what command-line imports stored, read from the database
    AnalyticsMetrics analytics;
    AuthMetrics auth;
    ConnectionMetrics connections;
    HttpMetrics http;
};

}  // namespace eventline::metrics
