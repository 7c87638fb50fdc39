#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "event/event.hpp"
#include "ingest/write_queue.hpp"
#include "metrics/metrics.hpp"
#include "storage/event_store.hpp"
#include "storage/pg_connection.hpp"

namespace eventline::ingest {

/// One writer's connection and the work of writing one group: deduplicating within the
/// group, storing, and telling each batch how many of its events were new.
///
/// Failures are contained: a lost connection answers the group "unavailable" and drops
/// the connection; a deadlock is retried; any other database error is retried batch by
/// batch, so that one batch the database refuses cannot fail the others of its group.
class GroupWriter {
public:
    /// `writer_index` tells concurrent writers apart (0, 1, …), which share
    /// `known_users`: see storage::EventStore.
    GroupWriter(std::string database_url, std::size_t writer_index,
                storage::KnownUsers& known_users, metrics::IngestMetrics& metrics);

    /// Connects if not connected; false (and logged) when the database is unreachable.
    bool ensure_connected();
    [[nodiscard]] bool connected() const { return store_.has_value(); }

    /// Checks an idle connection, dropping it when it is dead.
    void check_health();

    /// Writes the batches as one transaction; `results[i]` answers `batches[i]`.
    void write(std::span<const std::span<const event::Event>> batches,
               std::vector<WriteResult>& results);

private:
    /// An event of the group, with the batch it came in and its place in submission order.
    struct Arrival {
        const event::Event* event;
        std::uint32_t batch;
        std::uint32_t sequence;
    };

    /// One attempt at storing the batches together; throws DatabaseError.
    void store_together(std::span<const std::span<const event::Event>> batches,
                        std::vector<WriteResult>& results);
    void disconnect(const std::exception& cause);

    std::string database_url_;
    std::size_t writer_index_;
    storage::KnownUsers& known_users_;
    metrics::IngestMetrics& metrics_;
    std::optional<storage::PgConnection> connection_;
    std::optional<storage::EventStore> store_;

    // Scratch reused between groups, so that steady-state writing does not allocate.
    std::vector<Arrival> arrivals_;            // every event of the group, sorted by key
    std::vector<const event::Event*> staged_;  // the first arrival of each key, in key order
    std::vector<std::uint32_t> staged_batch_;  // the batch of each staged event
};

}  // namespace eventline::ingest
