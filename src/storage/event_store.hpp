#pragma once

#include <functional>
#include <span>

#include "event/event.hpp"
#include "storage/copy_encoder.hpp"
#include "storage/pg_connection.hpp"

namespace eventline::storage {

/// How long each statement of a store took, for the metrics.
struct StoreTimings {
    double copy_seconds = 0;
    double insert_seconds = 0;
    double commit_seconds = 0;
};

/// Called once for every event that was newly stored (not a duplicate).
using InsertedCallback = std::function<void(event::ProjectId, const event::Uuid&)>;

/// Writes groups of events exactly once, in one transaction per group, over one
/// connection: binary COPY into a temporary staging table, then
/// INSERT ... ON CONFLICT (project_id, event_id) DO NOTHING RETURNING the new keys.
///
/// The first write of an event_id wins, whichever process made it: PostgreSQL's
/// speculative insertion makes a concurrent second insert wait for the first and then
/// skip the row.
class EventStore {
public:
    /// Prepares the connection (staging table, statements). Throws DatabaseError.
    explicit EventStore(PgConnection& connection);

    /// Stores `events`, whose (project_id, event_id) must be distinct, and reports each
    /// newly stored one. Commits before returning; on any exception nothing is stored.
    StoreTimings store(std::span<const event::Event* const> events,
                       const InsertedCallback& on_inserted);

private:
    PgConnection& connection_;
    CopyEncoder encoder_;
};

}  // namespace eventline::storage
