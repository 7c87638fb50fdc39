#include "importer/chunk_pipeline.hpp"

#include <chrono>
#include <span>

#include "ingest/group_writer.hpp"
#include "logging/log.hpp"

namespace eventline::importer {
namespace {

// A database that restarts during a long import should not end it: a chunk is retried
// this many times, waiting longer each time, before the import gives up.
constexpr int kAttempts = 4;
constexpr auto kFirstRetryDelay = std::chrono::seconds(1);

}  // namespace

/// One writer thread's connection: the same group writer as POST /events.
class ChunkWriter {
public:
    ChunkWriter(const std::string& url, std::size_t index, storage::KnownUsers& known_users,
                metrics::IngestMetrics& metrics)
        : writer(url, index, known_users, metrics) {}
    ingest::GroupWriter writer;
    std::vector<ingest::WriteResult> results;
};

ChunkPipeline::ChunkPipeline(std::string database_url, std::size_t writers,
                             storage::ImportRecord* record)
    : database_url_(std::move(database_url)), record_(record) {
    for (std::size_t i = 0; i < writers + 1; ++i) {
        chunks_.push_back(std::make_unique<Chunk>());
        free_.push_back(chunks_.back().get());
    }
    for (std::size_t i = 0; i < writers; ++i) {
        threads_.emplace_back([this, i] { run_writer(i); });
    }
}

ChunkPipeline::~ChunkPipeline() { close(); }

Chunk* ChunkPipeline::acquire() {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [this] { return !free_.empty() || failure_; });
    if (failure_) {
        return nullptr;
    }
    Chunk* chunk = free_.back();
    free_.pop_back();
    chunk->clear();
    return chunk;
}

void ChunkPipeline::submit(Chunk* chunk) {
    {
        std::lock_guard lock(mutex_);
        submitted_.push_back(chunk);
    }
    changed_.notify_all();
}

void ChunkPipeline::close() {
    {
        std::lock_guard lock(mutex_);
        closing_ = true;
    }
    changed_.notify_all();
    for (std::thread& thread : threads_) {
        thread.join();
    }
    threads_.clear();
}

storage::ImportCounts ChunkPipeline::committed() const {
    std::lock_guard lock(mutex_);
    return committed_;
}

std::optional<std::string> ChunkPipeline::failure() const {
    std::lock_guard lock(mutex_);
    return failure_;
}

void ChunkPipeline::run_writer(std::size_t index) {
    ChunkWriter writer(database_url_, index, known_users_, metrics_.ingest);
    for (;;) {
        Chunk* chunk = nullptr;
        {
            std::unique_lock lock(mutex_);
            changed_.wait(lock, [this] { return !submitted_.empty() || closing_ || failure_; });
            if (failure_ || submitted_.empty()) {
                return;  // closing with nothing left, or another writer failed
            }
            chunk = submitted_.front();
            submitted_.pop_front();
        }
        write_chunk(writer, *chunk);
        {
            std::lock_guard lock(mutex_);
            free_.push_back(chunk);
        }
        changed_.notify_all();
    }
}

void ChunkPipeline::write_chunk(ChunkWriter& writer, Chunk& chunk) {
    storage::ImportCounts delta{chunk.rows_read, 0, 0, chunk.rejected};
    if (!chunk.events.empty()) {
        const std::span<const event::Event> events(chunk.events);
        const std::span<const std::span<const event::Event>> batches(&events, 1);
        auto delay = kFirstRetryDelay;
        for (int attempt = 1;; ++attempt) {
            writer.writer.write(batches, writer.results);
            const ingest::WriteResult& result = writer.results.front();
            if (result.status == ingest::WriteResult::Status::committed) {
                delta.inserted = result.accepted;
                delta.duplicates = result.duplicates;
                break;
            }
            const bool unavailable = result.status == ingest::WriteResult::Status::database_unavailable;
            if (!unavailable || attempt == kAttempts) {
                std::lock_guard lock(mutex_);
                failure_ = unavailable ? "the database cannot be reached"
                                       : "the database refused a chunk (see the log)";
                changed_.notify_all();
                return;
            }
            logging::warn("database unavailable during import, retrying the chunk",
                          {{"attempt", attempt}, {"retry_in_s", delay.count()}});
            std::this_thread::sleep_for(delay);
            delay *= 2;
        }
    }

    if (record_ != nullptr) {
        std::lock_guard lock(record_mutex_);
        try {
            record_->add(delta);
        } catch (const storage::DatabaseError& error) {
            // The rows are committed; only the bookkeeping lags. Worth a warning, not a
            // failed import.
            logging::warn("cannot update the imports record", {{"error", error.what()}});
        }
    }
    std::lock_guard lock(mutex_);
    committed_.rows_read += delta.rows_read;
    committed_.inserted += delta.inserted;
    committed_.duplicates += delta.duplicates;
    committed_.rejected += delta.rejected;
}

}  // namespace eventline::importer
