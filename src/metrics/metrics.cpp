#include "metrics/metrics.hpp"

#include <prometheus/text_serializer.h>

#include <string>
#include <vector>

namespace eventline::metrics {
namespace {

using prometheus::BuildCounter;
using prometheus::BuildGauge;
using prometheus::BuildHistogram;
using prometheus::Histogram;

// Request latency: from sub-millisecond health checks to multi-second batches.
const Histogram::BucketBoundaries kLatencyBuckets{0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                                  0.05,   0.1,   0.25,   0.5,   1,    2.5,
                                                  5,      10};
const Histogram::BucketBoundaries kGroupEventBuckets{1,    10,   50,   100,  250,   500,
                                                     1000, 2500, 5000, 10000, 25000};
const Histogram::BucketBoundaries kGroupRequestBuckets{1, 2, 4, 8, 16, 32, 64, 128, 256, 512};

SourceCounters source_counters(prometheus::Registry& registry, const std::string& source) {
    return SourceCounters{
        BuildCounter()
            .Name("events_ingested_total")
            .Help("Events newly stored")
            .Register(registry)
            .Add({{"source", source}}),
        BuildCounter()
            .Name("events_duplicates_total")
            .Help("Events whose event_id was already stored or repeated in the same batch")
            .Register(registry)
            .Add({{"source", source}}),
        BuildCounter()
            .Name("events_rejected_total")
            .Help("Events refused by validation")
            .Register(registry)
            .Add({{"source", source}}),
    };
}

IngestMetrics ingest_metrics(prometheus::Registry& registry) {
    auto& writers = BuildGauge()
                        .Name("ingest_writers")
                        .Help("Database writer connections by state")
                        .Register(registry);
    auto& statement_seconds = BuildHistogram()
                                  .Name("db_statement_duration_seconds")
                                  .Help("Duration of the ingest statements, by statement name")
                                  .Register(registry);
    auto& groups = BuildCounter()
                       .Name("ingest_groups_total")
                       .Help("Transactions written, by path: direct COPY or staged ON CONFLICT")
                       .Register(registry);
    auto& failures = BuildCounter()
                         .Name("ingest_write_failures_total")
                         .Help("Transactions that failed, by reason; their requests got 5xx")
                         .Register(registry);
    return IngestMetrics{
        source_counters(registry, "http"),
        BuildGauge()
            .Name("ingest_queue_events")
            .Help("Events accepted by the HTTP layer and waiting for a writer")
            .Register(registry)
            .Add({}),
        BuildGauge()
            .Name("ingest_queue_limit_events")
            .Help("Queue bound: past it, POST /events answers 503")
            .Register(registry)
            .Add({}),
        writers.Add({{"state", "connected"}}),
        writers.Add({{"state", "busy"}}),
        writers.Add({{"state", "configured"}}),
        BuildHistogram()
            .Name("ingest_group_events")
            .Help("Events written per transaction (group commit)")
            .Register(registry)
            .Add({}, kGroupEventBuckets),
        BuildHistogram()
            .Name("ingest_group_requests")
            .Help("Requests coalesced per transaction (group commit)")
            .Register(registry)
            .Add({}, kGroupRequestBuckets),
        BuildHistogram()
            .Name("db_commit_duration_seconds")
            .Help("Duration of an ingest transaction, from BEGIN to the end of COMMIT")
            .Register(registry)
            .Add({}, kLatencyBuckets),
        statement_seconds.Add({{"statement", "copy_staged_events"}}, kLatencyBuckets),
        statement_seconds.Add({{"statement", "insert_staged_events"}}, kLatencyBuckets),
        statement_seconds.Add({{"statement", "update_rollups"}}, kLatencyBuckets),
        groups.Add({{"path", "direct"}}),
        groups.Add({{"path", "staged"}}),
        BuildCounter()
            .Name("ingest_direct_conflicts_total")
            .Help("Direct COPY attempts rolled back because an event was already stored")
            .Register(registry)
            .Add({}),
        failures.Add({{"reason", "database_unavailable"}}),
        failures.Add({{"reason", "error"}}),
        BuildCounter()
            .Name("ingest_write_retries_total")
            .Help("Transactions retried after a deadlock or serialization failure")
            .Register(registry)
            .Add({}),
    };
}

AnalyticsMetrics analytics_metrics(prometheus::Registry& registry) {
    auto& queries = BuildCounter()
                        .Name("analytics_queries_total")
                        .Help("Analytics requests run on the read pool, by outcome")
                        .Register(registry);
    return AnalyticsMetrics{
        BuildHistogram()
            .Name("analytics_query_duration_seconds")
            .Help("Time an analytics request spent on its read connection")
            .Register(registry)
            .Add({}, kLatencyBuckets),
        BuildGauge()
            .Name("analytics_queue_requests")
            .Help("Analytics requests waiting for a read connection")
            .Register(registry)
            .Add({}),
        BuildGauge()
            .Name("analytics_readers")
            .Help("Read connections to the analytics database that are up")
            .Register(registry)
            .Add({}),
        queries.Add({{"outcome", "ok"}}),
        queries.Add({{"outcome", "database_unavailable"}}),
        queries.Add({{"outcome", "error"}}),
        queries.Add({{"outcome", "overloaded"}}),
    };
}

AuthMetrics auth_metrics(prometheus::Registry& registry) {
    auto& failures = BuildCounter()
                         .Name("auth_failures_total")
                         .Help("Requests refused by authentication (401, 403, 503), by reason")
                         .Register(registry);
    return AuthMetrics{
        failures.Add({{"reason", "missing"}}),
        failures.Add({{"reason", "unknown"}}),
        failures.Add({{"reason", "revoked"}}),
        failures.Add({{"reason", "forbidden"}}),
        failures.Add({{"reason", "unavailable"}}),
        BuildCounter()
            .Name("rate_limited_total")
            .Help("Requests answered 429, by key prefix and by the limit that refused them")
            .Register(registry),
        BuildGauge()
            .Name("auth_keys_active")
            .Help("API keys in the service's snapshot that are not revoked")
            .Register(registry)
            .Add({}),
        BuildGauge()
            .Name("auth_keys_loaded_timestamp_seconds")
            .Help("When the API key snapshot was last reloaded from the database")
            .Register(registry)
            .Add({}),
        BuildCounter()
            .Name("auth_key_refresh_failures_total")
            .Help("Reloads of the API key snapshot that failed (the last one stays in use)")
            .Register(registry)
            .Add({}),
    };
}

ConnectionMetrics connection_metrics(prometheus::Registry& registry) {
    auto& closed = BuildCounter()
                       .Name("http_connections_closed_total")
                       .Help("Connections the server closed on its own, by reason")
                       .Register(registry);
    return ConnectionMetrics{
        BuildGauge()
            .Name("http_connections_open")
            .Help("Client connections open now")
            .Register(registry)
            .Add({}),
        closed.Add({{"reason", "limit_evicted"}}),
        closed.Add({{"reason", "limit_refused"}}),
        closed.Add({{"reason", "idle_timeout"}}),
        closed.Add({{"reason", "header_timeout"}}),
        closed.Add({{"reason", "body_timeout"}}),
    };
}

}  // namespace

std::string_view route_pattern(Route route) {
    switch (route) {
        case Route::events:
            return "/events";
        case Route::healthz:
            return "/healthz";
        case Route::readyz:
            return "/readyz";
        case Route::metrics:
            return "/metrics";
        case Route::stats_dau:
            return "/stats/dau";
        case Route::stats_top_events:
            return "/stats/top-events";
        case Route::stats_retention:
            return "/stats/retention";
        case Route::stats_events:
            return "/stats/events";
        case Route::stats_funnel:
            return "/stats/funnel";
        case Route::user_events:
            return "/users/{user_id}/events";
        case Route::openapi:
            return "/openapi.json";
        case Route::docs:
            return "/docs";
        case Route::docs_asset:
            return "/docs/{asset}";
        case Route::unmatched:
        case Route::count_:
            break;
    }
    return "unmatched";
}

HttpMetrics::HttpMetrics(prometheus::Registry& registry)
    : requests_(BuildCounter()
                    .Name("http_requests_total")
                    .Help("HTTP requests by method, route pattern and status")
                    .Register(registry)),
      durations_(BuildHistogram()
                     .Name("http_request_duration_seconds")
                     .Help("HTTP request duration by method and route pattern")
                     .Register(registry)),
      counters_(new std::atomic<prometheus::Counter*>[kMethods * kRoutes * kStatuses]()) {
    static constexpr std::array<std::string_view, kMethods> kMethodNames{"GET", "POST", "other"};
    for (std::size_t method = 0; method < kMethods; ++method) {
        for (std::size_t route = 0; route < kRoutes; ++route) {
            duration_by_route_[method][route] = &durations_.Add(
                {{"method", std::string(kMethodNames[method])},
                 {"route", std::string(route_pattern(static_cast<Route>(route)))}},
                kLatencyBuckets);
        }
    }
}

void HttpMetrics::observe(std::string_view method, Route route, unsigned status, double seconds) {
    const Method method_index = method == "GET"    ? Method::get
                                : method == "POST" ? Method::post
                                                   : Method::other;
    const auto m = static_cast<std::size_t>(method_index);
    const auto r = static_cast<std::size_t>(route);
    const unsigned s = status < kStatuses ? status : 0;

    duration_by_route_[m][r]->Observe(seconds);

    auto& slot = counters_[(m * kRoutes + r) * kStatuses + s];
    prometheus::Counter* counter = slot.load(std::memory_order_acquire);
    if (counter == nullptr) {
        // Add() returns the same counter for the same labels, so a race here is harmless.
        const std::string method_label = method_index == Method::other ? "other" : std::string(method);
        counter = &requests_.Add({{"method", method_label},
                                  {"route", std::string(route_pattern(route))},
                                  {"status", std::to_string(status)}});
        slot.store(counter, std::memory_order_release);
    }
    counter->Increment();
}

Metrics::Metrics()
    : registry_(std::make_shared<prometheus::Registry>()),
      ingest(ingest_metrics(*registry_)),
      csv(source_counters(*registry_, "csv")),
      analytics(analytics_metrics(*registry_)),
      auth(auth_metrics(*registry_)),
      connections(connection_metrics(*registry_)),
      http(*registry_) {}

std::string Metrics::serialize() const {
    std::vector<prometheus::MetricFamily> families = registry_->Collect();
    std::vector<prometheus::MetricFamily> process = process_.Collect();
    families.insert(families.end(), process.begin(), process.end());
    return prometheus::TextSerializer().Serialize(families);
}

}  // namespace eventline::metrics
