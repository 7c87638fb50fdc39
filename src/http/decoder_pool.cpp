#include "http/decoder_pool.hpp"

namespace eventline::http {

WorkspacePool::WorkspacePool(std::size_t max_events, event::ValidationLimits limits,
                             std::size_t keep_capacity_bytes, std::size_t max_idle)
    : max_events_(max_events),
      limits_(limits),
      keep_capacity_bytes_(keep_capacity_bytes),
      max_idle_(max_idle) {}

std::unique_ptr<IngestWorkspace> WorkspacePool::acquire() {
    {
        std::lock_guard lock(mutex_);
        if (!idle_.empty()) {
            auto workspace = std::move(idle_.back());
            idle_.pop_back();
            return workspace;
        }
    }
    return std::make_unique<IngestWorkspace>(max_events_, limits_);
}

void WorkspacePool::release(std::unique_ptr<IngestWorkspace> workspace) {
    const bool oversized = workspace->decoder.capacity() > keep_capacity_bytes_ ||
                           workspace->inflated.capacity() > keep_capacity_bytes_ ||
                           workspace->batch.events.capacity() * sizeof(event::Event) > keep_capacity_bytes_;
    if (oversized) {
        return;  // freed here
    }
    workspace->batch.clear();
    std::lock_guard lock(mutex_);
    if (idle_.size() < max_idle_) {
        idle_.push_back(std::move(workspace));
    }
}

}  // namespace eventline::http
