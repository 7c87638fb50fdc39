#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <boost/unordered/unordered_flat_map.hpp>

#include "event/event.hpp"
#include "storage/known_users.hpp"
#include "storage/pg_array.hpp"
#include "storage/pg_connection.hpp"

namespace eventline::storage {

/// Users per row of `user_activity`: one bit each (migration 0003).
inline constexpr std::int32_t kUsersPerActivityBlock = 8192;
inline constexpr std::size_t kActivityBlockBytes = kUsersPerActivityBlock / 8;

/// Shards of `user_activity` and `daily_event_counts` (migration 0007): writer i keeps
/// the rows of shard i % kRollupShards. More writers than shards share rows, which is
/// only slower; readers add up whatever shards exist.
inline constexpr std::size_t kRollupShards = 8;

/// Keeps the analytics rollups (users, user_activity, daily_event_counts) up to date
/// with the events an ingest transaction newly stored, inside that transaction, so that
/// they are exactly as right as the events table: a rolled-back group leaves no trace,
/// and a duplicate, which is not newly stored, is never counted.
///
/// Three statements per group whatever its size, each one `unnest` of array parameters,
/// rows sorted so that concurrent writers take row locks in the same order. Users the
/// process already knows are left out of the first (KnownUsers); when a group holds
/// only those, that statement is not sent at all. The other two update the rows of
/// this writer's shard only, which no other writer locks, and need nothing back:
/// they go in one pipeline, with the COMMIT when asked.
class RollupWriter {
public:
    /// Prepares the statements on the connection, for the rows of the shard of the
    /// `writer_index`th writer, which shares `known_users` with the process's other
    /// writers. Throws DatabaseError.
    RollupWriter(PgConnection& connection, std::size_t writer_index, KnownUsers& known_users);

    enum class ThenCommit { no, yes };

    /// Adds `events` (newly stored in the open transaction) to the rollups, and with
    /// ThenCommit::yes commits the transaction in the same round trip as the last of
    /// them. Throws DatabaseError; the caller rolls the transaction back.
    void add(std::span<const event::Event* const> events, ThenCommit then_commit);

    /// To be called once the transaction of the last `add` has committed, while its
    /// events are still alive: only then are the users it numbered remembered. `add`
    /// calls it itself when it committed.
    void committed();

private:
    struct UserRef {
        event::ProjectId project_id;
        std::string_view user_id;
        friend bool operator==(const UserRef&, const UserRef&) = default;
    };
    struct UserRefHash {
        std::size_t operator()(const UserRef& user) const noexcept;
    };
    struct DayKey {
        event::ProjectId project_id;
        std::int32_t day;
        std::int32_t block;  // user_activity's block; unused for event counts
        std::string_view event_type;  // daily_event_counts' type; empty for activity
        friend bool operator==(const DayKey&, const DayKey&) = default;
    };
    struct DayKeyHash {
        std::size_t operator()(const DayKey& key) const noexcept;
    };
    using Bitmap = std::array<std::uint8_t, kActivityBlockBytes>;

    /// Finds or creates each user of the group and fills `user_keys_` (the order of
    /// `users_`) and `event_users_` (the order of `events`).
    void number_users(std::span<const event::Event* const> events);
    /// Build the parameters of their statement, valid until the next call.
    /// mark_activity takes the events that number_users was last given.
    const char* const* mark_activity(std::span<const event::Event* const> events);
    const char* const* count_event_types(std::span<const event::Event* const> events);

    PgConnection& connection_;
    std::string shard_;  // a statement parameter, as text

    // Scratch reused between groups, so that steady-state writing does not allocate.
    // Open-addressing maps: one probe of a group of slots a lookup, and clear() only
    // resets their control bytes.
    boost::unordered_flat_map<UserRef, std::uint32_t, UserRefHash> user_index_;  // -> users_
    std::vector<UserRef> users_;
    std::vector<std::uint32_t> event_users_;  // the users_ index of each event, in order
    std::vector<std::int32_t> user_keys_;
    std::vector<std::uint32_t> asked_;  // users_ indexes sent to the database
    std::vector<std::pair<std::uint32_t, std::int32_t>> numbered_;  // what it answered
    KnownUsers& known_users_;
    // -> bitmaps_ or counts_ (and day_keys_)
    boost::unordered_flat_map<DayKey, std::uint32_t, DayKeyHash> day_index_;
    std::vector<DayKey> day_keys_;
    std::vector<Bitmap> bitmaps_;
    std::vector<std::int64_t> counts_;
    std::string hex_;
    std::array<PgArrayBuilder, 4> arrays_;        // numbering users, then the bitmaps
    std::array<PgArrayBuilder, 4> count_arrays_;  // the counts, sent with the bitmaps
    std::array<const char*, 5> activity_params_{};
    std::array<const char*, 5> count_params_{};
};

}  // namespace eventline::storage
