#pragma once

#include <cstddef>
#include <functional>
#include <span>
#include <vector>

#include "event/event.hpp"
#include "storage/copy_encoder.hpp"
#include "storage/pg_connection.hpp"
#include "storage/rollup_writer.hpp"

namespace eventline::storage {

/// How a group was written, and how long each statement took, for the metrics.
struct StoreTimings {
    bool direct = false;            // one COPY straight into events
    bool direct_conflicted = false;  // a direct attempt hit a stored event and was undone
    double copy_seconds = 0;
    double insert_seconds = 0;
    double rollup_seconds = 0;  // with the COMMIT, sent together
};

/// Called once for every event that was newly stored (not a duplicate), with its
/// position in the events given to EventStore::store.
using InsertedCallback = std::function<void(std::size_t position)>;

/// Writes groups of events exactly once, in one transaction per group, over one
/// connection.
///
/// Two ways, chosen per group:
///  - direct: binary COPY straight into `events`. It is PostgreSQL's cheapest load
///    path, and it is exact when no event of the group is stored yet: the primary key
///    refuses a stored one with a unique violation, which rolls the whole COPY back.
///  - staged: binary COPY into a temporary table, then
///    INSERT ... ON CONFLICT (project_id, event_id) DO NOTHING RETURNING the new keys.
///    It costs PostgreSQL about twice as much per row, and it is always exact.
/// A group is tried direct unless a recent group conflicted; after a conflict it is
/// redone staged, and direct attempts pause for a number of groups that doubles with
/// each further conflict, so that a stream of retries does not pay twice.
///
/// Either way the first write of an event_id wins, whichever process made it: a
/// concurrent insert of the same key waits for the first transaction and then skips
/// (staged) or conflicts and is redone staged (direct).
class EventStore {
public:
    /// Prepares the connection (staging table, statements) for the `writer_index`th of
    /// a set of concurrent writers (it picks the writer's rollup rows), which share
    /// `known_users` (RollupWriter). Throws DatabaseError.
    EventStore(PgConnection& connection, std::size_t writer_index, KnownUsers& known_users);

    /// Stores `events`, whose (project_id, event_id) must be distinct and which should
    /// be sorted by key (so that concurrent writers lock keys in the same order), and
    /// reports each newly stored one. Commits before returning; on any exception
    /// nothing is stored.
    StoreTimings store(std::span<const event::Event* const> events,
                       const InsertedCallback& on_inserted);

private:
    /// Returns false, with the transaction rolled back, when an event was stored already.
    bool store_direct(std::span<const event::Event* const> events,
                      const InsertedCallback& on_inserted, StoreTimings& timings);
    void store_staged(std::span<const event::Event* const> events,
                      const InsertedCallback& on_inserted, StoreTimings& timings);

    PgConnection& connection_;
    CopyEncoder encoder_;
    RollupWriter rollups_;
    // Scratch for the staged path: its new events, and their positions in the group.
    std::vector<const event::Event*> inserted_;
    std::vector<std::size_t> inserted_positions_;
    std::size_t direct_pause_groups_ = 0;  // groups left to write staged before retrying direct
    std::size_t direct_pause_length_ = 0;  // the pause after the next conflict
};

}  // namespace eventline::storage
