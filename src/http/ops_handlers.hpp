#pragma once

#include <functional>

#include "http/router.hpp"
#include "metrics/metrics.hpp"

namespace eventline::http {

/// GET /healthz: the process is up and serving.
class HealthHandler : public Handler {
public:
    void handle(Request& request, Respond respond) override;
};

/// GET /readyz: 200 while the database answers, 503 otherwise, so that a load balancer
/// sends no traffic to an instance that could only answer 503.
class ReadinessHandler : public Handler {
public:
    explicit ReadinessHandler(std::function<bool()> database_available)
        : database_available_(std::move(database_available)) {}
    void handle(Request& request, Respond respond) override;

private:
    std::function<bool()> database_available_;
};

/// GET /metrics: Prometheus text exposition.
class MetricsHandler : public Handler {
public:
    explicit MetricsHandler(const metrics::Metrics& metrics) : metrics_(metrics) {}
    void handle(Request& request, Respond respond) override;

private:
    const metrics::Metrics& metrics_;
};

}  // namespace eventline::http
