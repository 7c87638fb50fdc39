#pragma once

#include <cstddef>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "decode/batch_decoder.hpp"

namespace eventline::http {

/// What one POST /events needs while its events are decoded and written: a decoder
/// (whose buffers the events point into), the decoded batch, and room for a gzip body.
struct IngestWorkspace {
    IngestWorkspace(std::size_t max_events, event::ValidationLimits limits)
        : decoder(max_events, limits) {}

    decode::BatchDecoder decoder;
    decode::DecodedBatch batch;
    std::string inflated;
};

/// Reuses workspaces between requests, so that parser buffers are allocated once; a
/// workspace that a large body has grown is dropped rather than kept, so memory held
/// while idle stays small however large the largest request was.
class WorkspacePool {
public:
    WorkspacePool(std::size_t max_events, event::ValidationLimits limits,
                  std::size_t keep_capacity_bytes = 4 * 1024 * 1024, std::size_t max_idle = 64);

    std::unique_ptr<IngestWorkspace> acquire();
    void release(std::unique_ptr<IngestWorkspace> workspace);

private:
    std::size_t max_events_;
    event::ValidationLimits limits_;
    std::size_t keep_capacity_bytes_;
    std::size_t max_idle_;
    std::mutex mutex_;
    std::vector<std::unique_ptr<IngestWorkspace>> idle_;
};

}  // namespace eventline::http
