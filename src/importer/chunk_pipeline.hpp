#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "event/event.hpp"
#include "importer/string_arena.hpp"
#include "metrics/metrics.hpp"
#include "storage/known_users.hpp"
#include "storage/imports_table.hpp"

namespace eventline::importer {

/// A chunk of parsed rows: the valid events (their text in the arena) and how many
/// rows of the file it accounts for.
struct Chunk {
    StringArena arena;
    std::vector<event::Event> events;
    std::uint64_t rows_read = 0;
    std::uint64_t rejected = 0;

    void clear() {
        arena.clear();
        events.clear();
        rows_read = 0;
        rejected = 0;
    }
};

/// Writer threads that commit chunks while the caller parses the next ones. A fixed set
/// of chunks circulates (one per writer, plus one being filled), which is what keeps
/// memory flat: the parser waits for a free chunk when the writers fall behind.
class ChunkPipeline {
public:
    /// `record` (may be null) is advanced after each committed chunk.
    ChunkPipeline(std::string database_url, std::size_t writers, storage::ImportRecord* record);
    ~ChunkPipeline();

    ChunkPipeline(const ChunkPipeline&) = delete;
    ChunkPipeline& operator=(const ChunkPipeline&) = delete;

    /// An empty chunk to fill; null once a writer has failed.
    Chunk* acquire();
    /// Hands a filled chunk to the writers.
    void submit(Chunk* chunk);
    /// Waits until every submitted chunk is written, then stops the writers.
    void close();

    /// What the writers committed, rows of committed chunks included.
    [[nodiscard]] storage::ImportCounts committed() const;
    /// Why a writer gave up, if one did.
    [[nodiscard]] std::optional<std::string> failure() const;

private:
    void run_writer(std::size_t index);
    void write_chunk(class ChunkWriter& writer, Chunk& chunk);

    std::string database_url_;
    storage::KnownUsers known_users_;  // shared by the writers
    storage::ImportRecord* record_;
    metrics::Metrics metrics_;  // the group writer reports into it; nobody scrapes it here

    mutable std::mutex mutex_;
    std::condition_variable changed_;
    std::vector<std::unique_ptr<Chunk>> chunks_;
    std::vector<Chunk*> free_;
    std::deque<Chunk*> submitted_;
    bool closing_ = false;
    std::optional<std::string> failure_;
    storage::ImportCounts committed_;

    std::mutex record_mutex_;  // the record's connection is shared by the writers
    std::vector<std::thread> threads_;
};

}  // namespace eventline::importer
