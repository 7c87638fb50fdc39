#pragma once

#include <cstddef>

#include "event/validator.hpp"
#include "http/access_control.hpp"
#include "http/decoder_pool.hpp"
#include "http/router.hpp"
#include "ingest/write_queue.hpp"
#include "metrics/metrics.hpp"

namespace eventline::http {

struct EventsHandlerOptions {
    std::size_t max_body_bytes = 16 * 1024 * 1024;  // after decompression
    std::size_t max_events = 10'000;
    event::ValidationLimits limits;
    int retry_after_unavailable_seconds = 5;
    int retry_after_overloaded_seconds = 1;
};

/// POST /events: decompress, decode and validate on the calling thread (cheap next to
/// what PostgreSQL spends per event), then hand the valid events to the write queue and
/// answer once their transaction has committed. Events are stored under the caller's
/// project, and counted against its key's event budget before anything is queued.
class EventsHandler : public Handler {
public:
    EventsHandler(EventsHandlerOptions options, ingest::WriteQueue& queue,
                  metrics::SourceCounters& counters, AccessControl& access);

    void handle(Request& request, Respond respond) override;

private:
    EventsHandlerOptions options_;
    ingest::WriteQueue& queue_;
    metrics::SourceCounters& counters_;
    AccessControl& access_;
    WorkspacePool workspaces_;
};

}  // namespace eventline::http
