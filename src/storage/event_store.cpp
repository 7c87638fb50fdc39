#include "storage/event_store.hpp"

#include <algorithm>
#include <chrono>
#include <cstring>
#include <stdexcept>
#include <tuple>

namespace eventline::storage {
namespace {

// Rows live only until the transaction ends, so a failed group leaves nothing behind.
constexpr const char* kCreateStagingTable = R"sql(
CREATE TEMPORARY TABLE IF NOT EXISTS staged_events (
    project_id  integer     NOT NULL,
    event_id    uuid        NOT NULL,
    occurred_at timestamptz NOT NULL,
    user_id     text        NOT NULL,
    event_type  text        NOT NULL,
    properties  jsonb       NOT NULL
) ON COMMIT DELETE ROWS)sql";

// Each transaction opens with its COPY, in one round trip.
constexpr const char* kBeginAndCopyStagedEvents =
    "BEGIN; COPY staged_events FROM STDIN (FORMAT binary)";

// The same columns in the same order as the staging table: one encoding serves both.
constexpr const char* kBeginAndCopyEvents =
    "BEGIN; COPY events (project_id, event_id, occurred_at, user_id, event_type, properties) "
    "FROM STDIN (FORMAT binary)";

constexpr const char* kUniqueViolation = "23505";

// After a conflict, direct COPY pauses for this many groups, doubling up to the maximum
// while conflicts continue.
constexpr std::size_t kFirstDirectPause = 8;
constexpr std::size_t kLongestDirectPause = 1024;

// ORDER BY gives every writer the same lock order on the primary key, so that two
// transactions inserting overlapping ids wait for each other instead of deadlocking.
constexpr const char* kInsertStagedEventsName = "insert_staged_events";
constexpr const char* kInsertStagedEvents = R"sql(
INSERT INTO events (project_id, event_id, occurred_at, user_id, event_type, properties)
SELECT project_id, event_id, occurred_at, user_id, event_type, properties
FROM staged_events
ORDER BY project_id, event_id
ON CONFLICT (project_id, event_id) DO NOTHING
RETURNING project_id, event_id)sql";

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) {
    return std::chrono::duration<double>(Clock::now() - start).count();
}

/// Ends a failed transaction; a connection too broken for that is dropped by the caller.
void rollback_quietly(PgConnection& connection) {
    if (connection.healthy()) {
        PQclear(PQexec(connection.get(), "ROLLBACK"));
    }
}

event::ProjectId read_int32(std::string_view bytes) {
    const auto* data = reinterpret_cast<const unsigned char*>(bytes.data());
    return static_cast<event::ProjectId>(static_cast<std::uint32_t>(data[0]) << 24 |
                                         static_cast<std::uint32_t>(data[1]) << 16 |
                                         static_cast<std::uint32_t>(data[2]) << 8 |
                                         static_cast<std::uint32_t>(data[3]));
}

/// Where `events`, which are sorted by key, hold this key; the database only returns
/// keys that were sent.
std::size_t position_of(std::span<const event::Event* const> events,
                        event::ProjectId project_id, const event::Uuid& event_id) {
    const auto found = std::lower_bound(
        events.begin(), events.end(), std::tie(project_id, event_id),
        [](const event::Event* event, const std::tuple<const event::ProjectId&,
                                                       const event::Uuid&>& key) {
            return std::tie(event->project_id, event->event_id) < key;
        });
    if (found == events.end() || (*found)->project_id != project_id ||
        (*found)->event_id != event_id) {
        throw std::logic_error("the database returned an event that was not sent");
    }
    return static_cast<std::size_t>(found - events.begin());
}

}  // namespace

EventStore::EventStore(PgConnection& connection, std::size_t writer_index,
                       KnownUsers& known_users)
    : connection_(connection), rollups_(connection, writer_index, known_users) {
    connection_.exec(kCreateStagingTable);
    connection_.prepare(kInsertStagedEventsName, kInsertStagedEvents);
}

StoreTimings EventStore::store(std::span<const event::Event* const> events,
                               const InsertedCallback& on_inserted) {
    StoreTimings timings;
    encoder_.begin();
    for (const event::Event* event : events) {
        encoder_.add(*event);
    }
    encoder_.finish();

    if (direct_pause_groups_ > 0) {
        --direct_pause_groups_;
    } else if (store_direct(events, on_inserted, timings)) {
        direct_pause_length_ = kFirstDirectPause;
        return timings;
    } else {
        timings.direct_conflicted = true;
        direct_pause_groups_ = direct_pause_length_;
        direct_pause_length_ = std::min(direct_pause_length_ * 2, kLongestDirectPause);
    }

    store_staged(events, on_inserted, timings);
    return timings;
}

bool EventStore::store_direct(std::span<const event::Event* const> events,
                              const InsertedCallback& on_inserted, StoreTimings& timings) {
    try {
        auto started = Clock::now();
        connection_.copy_in(kBeginAndCopyEvents, encoder_.data());
        timings.copy_seconds = seconds_since(started);

        started = Clock::now();
        rollups_.add(events, RollupWriter::ThenCommit::yes);
        timings.rollup_seconds = seconds_since(started);
    } catch (const DatabaseError& error) {
        rollback_quietly(connection_);
        if (error.sqlstate() == kUniqueViolation) {
            return false;
        }
        throw;
    } catch (...) {
        rollback_quietly(connection_);
        throw;
    }

    timings.direct = true;
    for (std::size_t position = 0; position < events.size(); ++position) {
        on_inserted(position);
    }
    return true;
}

void EventStore::store_staged(std::span<const event::Event* const> events,
                              const InsertedCallback& on_inserted, StoreTimings& timings) {
    try {
        auto started = Clock::now();
        connection_.copy_in(kBeginAndCopyStagedEvents, encoder_.data());
        timings.copy_seconds += seconds_since(started);

        started = Clock::now();
        // Binary results: four bytes of project_id and the sixteen bytes of the uuid.
        PgResult inserted = connection_.exec_prepared(kInsertStagedEventsName, 0, nullptr, 1);
        timings.insert_seconds = seconds_since(started);

        inserted_.clear();
        inserted_positions_.clear();
        event::Uuid event_id;
        for (int row = 0; row < inserted.rows(); ++row) {
            std::memcpy(event_id.bytes.data(), inserted.value(row, 1).data(), event_id.bytes.size());
            const std::size_t position =
                position_of(events, read_int32(inserted.value(row, 0)), event_id);
            inserted_.push_back(events[position]);
            inserted_positions_.push_back(position);
        }
        started = Clock::now();
        rollups_.add(inserted_, RollupWriter::ThenCommit::yes);
        timings.rollup_seconds = seconds_since(started);

        for (const std::size_t position : inserted_positions_) {
            on_inserted(position);
        }
    } catch (...) {
        rollback_quietly(connection_);
        throw;
    }
}

}  // namespace eventline::storage
